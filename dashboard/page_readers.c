/* page_readers.c - each reader's state as its last status said, so a lead
 * sees a dead reader before a session rather than after it. */
#include "dashboard.h"
#include "protocol.h"

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
	fputs("<p class=\"note\">As the readers last reported, whatever the week shown. "
	      "Spooled taps are waiting on the reader to be delivered.</p>\n"
	      "<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Readers\"><table class=\"sortable\" id=\"readers-table\">\n<thead><tr>"
	      "<th scope=\"col\" data-sort=\"text\">Site</th><th scope=\"col\" data-sort=\"text\">"
	      "Reader</th><th scope=\"col\" data-sort=\"text\">State</th><th scope=\"col\" "
	      "data-sort=\"text\">Last seen</th><th scope=\"col\" class=\"num\" data-sort=\"num\">"
	      "Spooled taps</th><th scope=\"col\" data-sort=\"text\">Last tap</th>"
	      "<th scope=\"col\" class=\"num\" data-sort=\"num\">Clock</th>"
	      "<th scope=\"col\" data-sort=\"text\">Version</th></tr></thead>\n<tbody>\n",
	      f);
	while (dash_step(d, st)) {
		char seen[32], tap[32];
		const char *state = dash_text(st, 3);
		fprintf(f, "<tr id=\"reader-%d\"><td>", n + 1);
		html_esc(f, dash_text(st, 1));
		fputs("</td><th scope=\"row\">", f);
		html_esc(f, dash_text(st, 2));
		fprintf(f, "</th><td class=\"state-%s\">%s</td><td>%s</td>",
		        state[0] == 'o' && state[1] == 'n' ? "online" : state[0] == 'o' ? "offline" : "never",
		        state[0] == 'o' && state[1] == 'n' ? "&#9679; online"
		        : state[0] == 'o'                  ? "&#9675; OFFLINE"
		                                           : "never seen",
		        dash_utc(st, 4, seen));
		if (sqlite3_column_type(st, 5) == SQLITE_NULL)
			fputs("<td class=\"num\" data-v=\"-1\">&#8211;</td>", f);
		else
			fprintf(f, "<td class=\"num\">%lld</td>", sqlite3_column_int64(st, 5));
		fprintf(f, "<td>%s</td>", dash_utc(st, 6, tap));
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
