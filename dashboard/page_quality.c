/* page_quality.c - what the collector could not use: rejected messages
 * (kept, and counted when not kept), taps of unknown cards and taps
 * matching no session, so gaps in the numbers have a visible cause. */
#include "dashboard.h"
#include "protocol.h"

/* A two-column table of (reason, count) rows from st. */
static void quality_table(FILE *f, struct dash *d, sqlite3_stmt *st, const char *id,
                          const char *caption, const char *empty)
{
	int n = 0;

	fprintf(f, "<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"%s\"><table id=\"%s\">\n<caption>%s</caption>\n<thead><tr>"
	           "<th scope=\"col\">Reason</th><th scope=\"col\" class=\"num\">Count</th>"
	           "<th scope=\"col\">Latest</th></tr></thead>\n<tbody>\n",
	        caption, id, caption);
	while (dash_step(d, st)) {
		char t[32];
		fprintf(f, "<tr id=\"%s-%d\"><th scope=\"row\">", id, n + 1);
		html_esc(f, dash_text(st, 0));
		fprintf(f, "</th><td class=\"num\">%lld</td><td>%s</td></tr>\n",
		        sqlite3_column_int64(st, 1), dash_utc(st, 2, t));
		n++;
	}
	if (!n)
		fprintf(f, "<tr><td colspan=\"3\">%s</td></tr>\n", empty);
	fputs("</tbody>\n</table></div>\n", f);
	sqlite3_finalize(st);
}

void page_quality(FILE *f, struct dash *d, const struct dash_scope *s)
{
	sqlite3_stmt *st;

	html_section(f, "quality", "Data quality");
	/* Dead letters name their site only in the topic; they belong to no
	 * programme, so a programme page shows its sites' ones. */
	st = dash_query(d, s,
	                "SELECT r.reason, count(*), max(r.received_at) FROM deadletter r"
	                " WHERE (:site IS NULL OR r.topic LIKE '%/' || :site || '/%')"
	                " AND (:prog IS NULL OR EXISTS (SELECT 1 FROM programme_site ps"
	                "  WHERE ps.programme = :prog AND r.topic LIKE '%/' || ps.site || '/%'))"
	                " AND (:since IS NULL OR r.received_at >= strftime('%s', :since))"
	                " GROUP BY r.reason ORDER BY count(*) DESC, r.reason");
	quality_table(f, d, st, "quality-rejected", "Messages rejected by the collector",
	              "None.");
	fputs("<p class=\"note\">Reasons are those of docs/protocol.md; "
	      "<code>touchline deadletter list</code> shows each message.</p>\n",
	      f);
	/* Dead letters not kept, counted by cause and reason; the
	 * unattributable ones (site '') belong to no site's page. */
	st = dash_query(d, s,
	                "SELECT x.cause || ': ' || x.reason, sum(x.dropped), max(x.last_at)"
	                " FROM deadletter_drop x"
	                " WHERE (:site IS NULL OR x.site = :site)"
	                " AND (:prog IS NULL OR x.site IN (SELECT ps.site FROM programme_site ps"
	                "  WHERE ps.programme = :prog))"
	                " AND (:since IS NULL OR x.last_at >= strftime('%s', :since))"
	                " GROUP BY x.cause, x.reason ORDER BY sum(x.dropped) DESC, 1");
	quality_table(f, d, st, "quality-dropped", "Rejected messages not kept (counted)",
	              "None: every rejected message is kept.");
	fputs("<p class=\"note\"><code>rate_limit</code>: sent faster than the collector's "
	      "<code>junk-rate</code>, never stored; <code>cap</code>: the oldest beyond a "
	      "reader's <code>deadletter-max</code>; <code>age</code>: older than "
	      "<code>deadletter-max-age</code>; <code>purge</code>: <code>touchline purge</code>. "
	      "<code>touchline deadletter list</code> and <code>reader list</code> show them by "
	      "reader.</p>\n",
	      f);
	st = dash_query(d, s,
	                "SELECT u.reason, sum(u.n), max(u.last) FROM temp.fact_unmatched u"
	                " WHERE" DASH_FACT_SITE_WHERE("u")
	                " GROUP BY u.reason ORDER BY sum(u.n) DESC, u.reason");
	quality_table(f, d, st, "quality-unmatched", "Taps matching no session",
	              "Every tap matched a session.");
	fputs("<p class=\"note\"><code>unknown_card</code>: a card nobody holds yet (enrol it "
	      "with <code>touchline card enrol</code>); <code>not_eligible</code>: at a session "
	      "the holder is not enrolled for; <code>cancelled_session</code>; "
	      "<code>no_session</code>: no session at that site then.</p>\n",
	      f);
	st = dash_query(d, s,
	                "SELECT coalesce(sum(u.n), 0), count(DISTINCT u.card), max(u.last)"
	                " FROM temp.fact_unknown u WHERE" DASH_FACT_SITE_WHERE("u"));
	if (dash_step(d, st)) {
		char t[32];
		fprintf(f, "<p id=\"quality-unknown\">Taps of unknown cards: <strong>%lld</strong> "
		           "from %lld different cards (latest %s).</p>\n",
		        sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), dash_utc(st, 2, t));
	}
	sqlite3_finalize(st);
	/* Suspect taps are listed by reason, pending and accepted apart: a
	 * pending one is stored but counts for nobody until an admin says so. */
	st = dash_query(d, s,
	                "SELECT t.suspect || CASE WHEN t.accepted_at IS NULL THEN ' (pending)'"
	                " ELSE ' (accepted)' END, count(*), max(t.received_at) FROM tap t"
	                " WHERE t.suspect IS NOT NULL AND (:site IS NULL OR t.site = :site)"
	                " AND (:prog IS NULL OR t.site IN (SELECT ps.site FROM programme_site ps"
	                "  WHERE ps.programme = :prog))"
	                " AND (:since IS NULL OR t.received_at >= strftime('%s', :since))"
	                " GROUP BY 1 ORDER BY count(*) DESC, 1");
	quality_table(f, d, st, "quality-suspect", "Suspect taps (late with no reason to be)",
	              "None.");
	fputs("<p class=\"note\">A pending suspect tap is kept out of attendance until "
	      "<code>touchline tap accept</code>; <code>touchline tap suspect list</code> "
	      "shows each one (docs/protocol.md, \"Suspect taps\").</p>\n",
	      f);
	st = dash_query(d, s,
	                "SELECT count(*) FROM reader r WHERE abs(r.clock_offset) > :tol"
	                " AND (:site IS NULL OR r.site = :site)"
	                " AND (:prog IS NULL OR r.site IN (SELECT ps.site FROM programme_site ps"
	                "  WHERE ps.programme = :prog))");
	sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":tol"), TL_CLOCK_TOLERANCE);
	if (dash_step(d, st))
		fprintf(f, "<p id=\"quality-clocks\">Readers whose clock is off by more than %d s: "
		           "<strong>%lld</strong> (see Readers; their taps may land in the wrong "
		           "session).</p>\n",
		        TL_CLOCK_TOLERANCE, sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
	html_section_end(f);
}
