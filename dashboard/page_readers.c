/* page_readers.c - each reader's state as its last status said, so a lead
 * sees a dead reader before a session rather than after it. */
#include "calendar.h"
#include "dashboard.h"
#include "grow.h"
#include "protocol.h"

#include <string.h>

/* The reader's clock against the collector's, from its last status: a
 * clock off by more than TL_CLOCK_TOLERANCE stamps taps into the wrong
 * session (docs/protocol.md, "Clocks"), so it says so in words. */
static void page_readers_clock(FILE *f, sqlite3_stmt *st, int col)
{
	long long off;

	if (sqlite3_column_type(st, col) == SQLITE_NULL) {
		fputs("<td class=\"num\" data-v=\"0\">&#8211;</td>", f);
		return;
	}
	off = sqlite3_column_int64(st, col);
	if (off > TL_CLOCK_TOLERANCE || off < -TL_CLOCK_TOLERANCE)
		fprintf(f, "<td class=\"num clock-off\" data-v=\"%lld\"><strong>%+lld s: "
		           "clock off</strong></td>", off < 0 ? -off : off, off);
	else
		fprintf(f, "<td class=\"num\" data-v=\"%lld\">%+lld s</td>", off < 0 ? -off : off,
		        off);
}

/* What to do about a reader, in words, from its last report: the first
 * problem that stops taps arriving, or that puts them in the wrong
 * session, or "nothing". */
static void page_readers_todo(FILE *f, struct dash *d, sqlite3_stmt *st)
{
	const char *state = dash_text(st, 3);
	char when[48];

	fputs("<td>", f);
	if (strcmp(state, "offline") == 0) {
		fprintf(f, "<strong>Not heard from since %s</strong>: check it is plugged in and has "
		           "signal. Taps made meanwhile are kept on it and sent when it is back.",
		        dash_when_col(d, st, 4, when));
	} else if (sqlite3_column_type(st, 8) != SQLITE_NULL &&
	           (sqlite3_column_int64(st, 8) > TL_CLOCK_TOLERANCE ||
	            sqlite3_column_int64(st, 8) < -TL_CLOCK_TOLERANCE)) {
		long long off = sqlite3_column_int64(st, 8);
		fprintf(f, "<strong>Its clock is %lld min %s</strong>: restart it with a network "
		           "connection so it sets its clock; until then its taps may count for the "
		           "wrong session.",
		        ((off < 0 ? -off : off) + 59) / 60, off < 0 ? "slow" : "fast");
	} else if (strcmp(state, "online") != 0) {
		fputs("Never heard from: check it is set up with this site&#39;s details, switched "
		      "on and in signal.", f);
	} else if (sqlite3_column_int64(st, 5) > 0) {
		fprintf(f, "%lld taps still to send: keep it switched on and connected until they "
		           "are sent.", sqlite3_column_int64(st, 5));
	} else {
		fputs("Nothing: working.", f);
	}
	fputs("</td>", f);
}

void page_readers(FILE *f, struct dash *d, const struct dash_scope *s)
{
	sqlite3_stmt *st = dash_query(
		d, s,
		"SELECT r.site, coalesce(nullif(t.name, ''), r.site), r.id, r.state, r.last_seen,"
		" r.spooled, r.last_tap, r.version, r.clock_offset"
		" FROM reader r JOIN site t ON t.id = r.site"
		" WHERE" DASH_READER_WHERE " ORDER BY r.site, r.id");
	int n = 0;

	html_section(f, "readers", "Readers");
	fputs("<p class=\"note\">As the readers last reported, whatever the week shown, with what "
	      "to do about each. <em>Waiting to send</em>: taps kept on the reader (its spool) "
	      "until the collector has them.</p>\n"
	      "<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Readers\"><table class=\"sortable\" id=\"readers-table\">\n<thead><tr>"
	      "<th scope=\"col\" data-sort=\"text\">Site</th><th scope=\"col\" data-sort=\"text\">"
	      "Reader</th><th scope=\"col\" data-sort=\"text\">State</th><th scope=\"col\" "
	      "data-sort=\"text\">What to do</th><th scope=\"col\" data-sort=\"text\">Last heard "
	      "from</th><th scope=\"col\" class=\"num\" data-sort=\"num\">Waiting to send</th>"
	      "<th scope=\"col\" data-sort=\"text\">Last tap</th>"
	      "<th scope=\"col\" class=\"num\" data-sort=\"num\">Clock</th>"
	      "<th scope=\"col\" data-sort=\"text\">Version</th></tr></thead>\n<tbody>\n",
	      f);
	while (dash_step(d, st)) {
		char seen[48], tap[48];
		const char *state = dash_text(st, 3);
		int never = strcmp(state, "online") != 0 && strcmp(state, "offline") != 0;
		fprintf(f, "<tr id=\"reader-%d\"><td>", n + 1);
		html_esc(f, dash_text(st, 1));
		fputs("</td><th scope=\"row\">", f);
		html_esc(f, dash_text(st, 2));
		fprintf(f, "</th><td class=\"state-%s\">%s</td>",
		        never ? "never" : strcmp(state, "online") == 0 ? "online" : "offline",
		        never                        ? "never seen"
		        : strcmp(state, "online") == 0 ? "&#9679; online"
		                                       : "&#9675; OFFLINE");
		page_readers_todo(f, d, st);
		fprintf(f, "<td data-v=\"%lld\">%s</td>", sqlite3_column_int64(st, 4),
		        dash_when_col(d, st, 4, seen));
		if (sqlite3_column_type(st, 5) == SQLITE_NULL)
			fputs("<td class=\"num\" data-v=\"-1\">&#8211;</td>", f);
		else
			fprintf(f, "<td class=\"num\">%lld</td>", sqlite3_column_int64(st, 5));
		fprintf(f, "<td data-v=\"%lld\">%s</td>", sqlite3_column_int64(st, 6),
		        dash_when_col(d, st, 6, tap));
		page_readers_clock(f, st, 8);
		fputs("<td>", f);
		html_esc(f, dash_text(st, 7));
		fputs("</td></tr>\n", f);
		n++;
	}
	sqlite3_finalize(st);
	fputs("</tbody>\n</table></div>\n", f);
	if (!n)
		fputs("<p>No readers registered here.</p>\n", f);
	html_section_end(f);
}

/* A reader problem that affects the figures: offline (since its last
 * message) or its clock off (since it was measured), as last reported. */
struct reader_mark {
	char site[DASH_ID_MAX], id[DASH_ID_MAX], week[9], since[11];
	int offline;
	long long offset;
};

static struct reader_mark *reader_marks;
static int reader_nmarks = -1;

/* The marks, read once for the run (the readers table is small). */
static void readers_marks_load(struct dash *d)
{
	sqlite3_stmt *st;
	size_t cap = 0;

	if (reader_nmarks >= 0)
		return;
	reader_nmarks = 0;
	st = dash_query(d, NULL,
	                "SELECT r.site, r.id, r.state = 'offline', r.last_seen,"
	                " r.clock_offset, r.clock_at FROM reader r"
	                " WHERE (r.state = 'offline' AND r.last_seen IS NOT NULL)"
	                " OR abs(r.clock_offset) > :tol ORDER BY r.site, r.id");
	sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":tol"), TL_CLOCK_TOLERANCE);
	while (dash_step(d, st)) {
		struct reader_mark *m;
		int off = sqlite3_column_type(st, 4) != SQLITE_NULL &&
		          (sqlite3_column_int64(st, 4) > TL_CLOCK_TOLERANCE ||
		           sqlite3_column_int64(st, 4) < -TL_CLOCK_TOLERANCE);
		for (int k = 0; k < 2; k++) {
			int64_t day;
			char since[TL_DATE_LEN] = "";
			if (k ? !off : !sqlite3_column_int(st, 2))
				continue;
			if (sqlite3_column_type(st, k ? 5 : 3) != SQLITE_NULL)
				dash_local_date(d, sqlite3_column_int64(st, k ? 5 : 3), since);
			if (tl_grow(&reader_marks, &cap, (size_t)reader_nmarks, sizeof *reader_marks))
				dash_fail("out of memory");
			m = &reader_marks[reader_nmarks++];
			memset(m, 0, sizeof *m);
			snprintf(m->site, sizeof m->site, "%s", dash_text(st, 0));
			snprintf(m->id, sizeof m->id, "%s", dash_text(st, 1));
			snprintf(m->since, sizeof m->since, "%s", since);
			m->offline = !k;
			m->offset = sqlite3_column_int64(st, 4);
			if (!tl_cal_parse(since, &day))
				tl_cal_iso_week_format(day, m->week);
		}
	}
	sqlite3_finalize(st);
}

void readers_marks(FILE *f, struct dash *d, const struct dash_scope *s, const char *site,
                   const char *week)
{
	int n = 0;
	char day[32];

	readers_marks_load(d);
	for (int i = 0; i < reader_nmarks; i++) {
		const struct reader_mark *m = &reader_marks[i];
		if ((site && strcmp(site, m->site) != 0) || (s && !facts_site_in(d, s, m->site)) ||
		    (week[0] && (!m->week[0] || strcmp(m->week, week) > 0)))
			continue;
		fputs(n++ ? "; " : "<span class=\"mark\">&#9888; ", f);
		html_esc(f, m->id);
		if (!site) {
			int j = facts_site(d, m->site);
			fputs(" at ", f);
			html_esc(f, j < 0 ? m->site : d->facts.sites.v[j][1]);
		}
		if (m->offline)
			fprintf(f, " offline since %s", dash_day(m->since, 0, day));
		else
			fprintf(f, " clock %s by %lld min", m->offset < 0 ? "slow" : "fast",
			        (m->offset < 0 ? -m->offset : m->offset + 59) / 60);
	}
	if (n)
		fputs("</span>", f);
}
