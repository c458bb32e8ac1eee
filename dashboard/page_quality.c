/* page_quality.c - what the collector could not use: rejected messages
 * (kept, and counted when not kept), taps of unknown cards and taps
 * matching no session, so gaps in the numbers have a visible cause. */
#include "dashboard.h"
#include "calendar.h"
#include "protocol.h"

#include <string.h>

/* What to do about a rejected message, by its reason (the names of
 * tl_reason_name, docs/protocol.md). */
static const char *quality_todo_rejected(const char *reason)
{
	if (!strcmp(reason, "unknown_reader"))
		return "A reader that is not registered is sending: register it for its site "
		       "(<code>touchline reader add</code>) or switch it off.";
	if (!strcmp(reason, "ts_in_future") || !strcmp(reason, "ts_implausible") ||
	    !strcmp(reason, "bad_ts"))
		return "A reader&#39;s clock is wrong: restart it with a network connection so it "
		       "sets its clock (see Readers).";
	if (!strcmp(reason, "site_mismatch") || !strcmp(reason, "reader_mismatch"))
		return "A reader is set up with another site&#39;s or reader&#39;s details: check "
		       "its settings against <code>touchline reader list</code>.";
	return "A reader sent something the collector could not read: check the reader runs "
	       "the current version; <code>touchline deadletter list</code> shows each message.";
}

/* What to do about rejected messages that were not kept, by cause. */
static const char *quality_todo_dropped(const char *cause)
{
	if (!strncmp(cause, "rate_limit", 10))
		return "Something sent bad messages faster than the collector keeps them (its "
		       "<code>junk-rate</code>): find it with <code>touchline reader list</code> and "
		       "stop it.";
	if (!strncmp(cause, "cap", 3))
		return "The oldest beyond a reader&#39;s <code>deadletter-max</code> were let go: "
		       "fix the reader that keeps sending them.";
	if (!strncmp(cause, "age", 3))
		return "Older than <code>deadletter-max-age</code>: nothing to do.";
	if (!strncmp(cause, "purge", 5))
		return "Deleted by <code>touchline purge</code>: nothing to do.";
	return "";
}

/* What a tap matching no session means and what to do (the reasons of
 * tap_unmatched). */
static const char *quality_todo_unmatched(const char *reason)
{
	if (!strcmp(reason, "unknown_card"))
		return "A card nobody holds: give it to its holder with <code>touchline card "
		       "enrol</code>, or ignore a visitor&#39;s card.";
	if (!strcmp(reason, "not_eligible"))
		return "Someone came to a session they are not enrolled for: check their enrolment "
		       "and sites.";
	if (!strcmp(reason, "cancelled_session"))
		return "A tap at a cancelled session: if it did take place, un-cancel it.";
	if (!strcmp(reason, "no_session"))
		return "No session at that site then: if one was held, add it to the schedule.";
	return "";
}

/* What to do about suspect taps. */
static const char *quality_todo_suspect(const char *reason)
{
	return strstr(reason, "(pending)")
	               ? "Check each (<code>touchline tap suspect list</code>) and accept the real "
	                 "ones (<code>touchline tap accept</code>): until then they count for nobody."
	               : "Accepted: nothing to do.";
}

static const char *quality_todo_marked(const char *where)
{
	(void)where;
	return "They count as attended. Check them against the paper register (<code>touchline "
	       "attendance marks</code> says who marked each and why).";
}

/* A table of (reason, count, latest) rows from st, each with what to do. */
static void quality_table(FILE *f, struct dash *d, sqlite3_stmt *st, const char *id,
                          const char *caption, const char *empty,
                          const char *(*todo)(const char *reason))
{
	int n = 0;

	fprintf(f, HTML_SCROLL("%s") "<table id=\"%s\">\n<caption>%s</caption>\n<thead><tr>"
	           "<th scope=\"col\">Reason</th><th scope=\"col\" class=\"num\">Count</th>"
	           "<th scope=\"col\">Latest</th><th scope=\"col\">What to do</th></tr></thead>\n"
	           "<tbody>\n",
	        caption, id, caption);
	while (dash_step(d, st)) {
		char t[48];
		fprintf(f, "<tr id=\"%s-%d\"><th scope=\"row\">", id, n + 1);
		html_esc(f, dash_text(st, 0));
		fprintf(f, "</th><td class=\"num\">%lld</td><td>%s</td><td>%s</td></tr>\n",
		        sqlite3_column_int64(st, 1), dash_when_col(d, st, 2, t), todo(dash_text(st, 0)));
		n++;
	}
	if (!n)
		fprintf(f, "<tr><td colspan=\"4\">%s</td></tr>\n", empty);
	fputs("</tbody>\n</table></div>\n", f);
	sqlite3_finalize(st);
}

/* When attendance was last worked out, and how to bring it up to date. */
static void quality_attendance(FILE *f, struct dash *d)
{
	char when[48], local[TL_DATE_LEN];

	if (!d->as_of) {
		fputs("<p id=\"quality-asof\" class=\"warn\">Attendance has not been worked out yet: "
		      "run <code>touchline attendance rebuild</code> (the collector then keeps it "
		      "up to date as taps arrive).</p>\n",
		      f);
		return;
	}
	fprintf(f, "<p id=\"quality-asof\">Attendance worked out as of %s.", dash_when(d, d->as_of, when));
	if (strcmp(dash_local_date(d, d->as_of, local), d->today) < 0)
		fputs(" That is before today: is the collector running? Run <code>touchline attendance "
		      "rebuild</code> to bring it up to date, then this dashboard again.", f);
	fputs("</p>\n", f);
}

void page_quality(FILE *f, struct dash *d, const struct dash_scope *s)
{
	sqlite3_stmt *st;

	html_section(f, "quality", "Data quality");
	quality_attendance(f, d);
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
	              "None.", quality_todo_rejected);
	fputs("<p class=\"note\">Reasons are those of the protocol (docs/protocol.md); "
	      "<code>touchline deadletter list</code> shows each message (dead letter).</p>\n",
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
	              "None: every rejected message is kept.", quality_todo_dropped);
	st = dash_query(d, s,
	                "SELECT u.reason, sum(u.n), max(u.last) FROM temp.fact_unmatched u"
	                " WHERE" DASH_FACT_SITE_WHERE("u")
	                " GROUP BY u.reason ORDER BY sum(u.n) DESC, u.reason");
	quality_table(f, d, st, "quality-unmatched", "Taps matching no session",
	              "Every tap matched a session.", quality_todo_unmatched);
	st = dash_query(d, s,
	                "SELECT coalesce(sum(u.n), 0), count(DISTINCT u.card), max(u.last)"
	                " FROM temp.fact_unknown u WHERE" DASH_FACT_SITE_WHERE("u"));
	if (dash_step(d, st)) {
		char t[48];
		fprintf(f, "<p id=\"quality-unknown\">Taps of unknown cards: <strong>%lld</strong> "
		           "from %lld different cards (latest %s).</p>\n",
		        sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		        dash_when_col(d, st, 2, t));
	}
	sqlite3_finalize(st);
	/* Suspect taps are listed by reason, pending and accepted apart: a
	 * pending one is stored but counts for nobody until an admin says so. */
	st = dash_query(d, s,
	                "SELECT t.suspect || CASE WHEN t.accepted_at IS NULL THEN ' (pending)'"
	                " ELSE ' (accepted)' END, count(*), max(t.received_at)"
	                /* the few suspect ones, never a scan of a site's taps */
	                " FROM tap t INDEXED BY tap_suspect"
	                " WHERE t.suspect IS NOT NULL AND (:site IS NULL OR t.site = :site)"
	                " AND (:prog IS NULL OR t.site IN (SELECT ps.site FROM programme_site ps"
	                "  WHERE ps.programme = :prog))"
	                " AND (:since IS NULL OR t.received_at >= strftime('%s', :since))"
	                " GROUP BY 1 ORDER BY count(*) DESC, 1");
	quality_table(f, d, st, "quality-suspect", "Suspect taps (late with no reason to be)",
	              "None.", quality_todo_suspect);
	/* Attendance marked by hand (a forgotten card, a paper register):
	 * counted, by site and activity; the reasons are free text and stay in
	 * the CLI. */
	st = dash_query(d, s,
	                /* from the marks (few), each to its attendance row by key */
	                "SELECT s.site || ' ' || s.activity, count(*), max(m.marked_at)"
	                " FROM attendance_mark m CROSS JOIN attendance a"
	                "  ON a.participant = m.participant AND a.session = m.session"
	                " JOIN session s ON s.id = m.session"
	                " WHERE a.source = 'manual' AND a.attended"
	                " AND (:site IS NULL OR s.site = :site)"
	                " AND (:prog IS NULL OR s.programme = :prog)"
	                " AND (:since IS NULL OR s.local_date >= :since)"
	                " GROUP BY 1 ORDER BY count(*) DESC, 1");
	quality_table(f, d, st, "quality-marked", "Attendance marked by hand (not by a card tap)",
	              "None: every attendance came from a card tap.", quality_todo_marked);
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
