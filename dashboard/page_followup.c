/* page_followup.c - the peer mentors' list: participants flagged by the
 * engagement table (missed run reached the programme's threshold), with
 * since when and where they were missed. */
#include "dashboard.h"

/* From the run's facts (facts.c): the list is computed once. */
#define FU_SQL                                                                           \
	"SELECT e.code, e.name, e.programme, e.missed_run, e.last_attended, e.since,"        \
	" e.missed_at, e.last_site, e.sessions_attended, e.sessions_expected"              \
	" FROM temp.fact_followup e WHERE" DASH_FOLLOWUP_FACT_WHERE                        \
	" ORDER BY e.missed_run DESC, e.programme, e.code"

void page_followup(FILE *f, struct dash *d, const struct dash_scope *s)
{
	sqlite3_stmt *st = dash_query(d, s, FU_SQL);
	int n = 0;

	html_section(f, "followup", "Follow-up");
	fputs("<p class=\"note\">Participants who have missed their last sessions in a row (as "
	      "many as the programme's follow-up setting, 2 by default) and are still "
	      "enrolled: for a peer mentor to get in touch.</p>\n"
	      "<div class=\"scroll\"><table class=\"sortable\" id=\"followup-table\">\n"
	      "<thead><tr><th scope=\"col\" data-sort=\"text\">Participant</th>",
	      f);
	if (d->names)
		fputs("<th scope=\"col\" data-sort=\"text\">Name</th>", f);
	fputs("<th scope=\"col\" data-sort=\"text\">Programme</th><th scope=\"col\" class=\"num\" "
	      "data-sort=\"num\">Missed in a row</th><th scope=\"col\" data-sort=\"text\">Missing "
	      "since</th><th scope=\"col\" data-sort=\"text\">Missed at</th><th scope=\"col\" "
	      "data-sort=\"text\">Last attended</th><th scope=\"col\" class=\"num\" "
	      "data-sort=\"num\">Attended</th></tr></thead>\n<tbody>\n",
	      f);
	while (dash_step(d, st)) {
		fprintf(f, "<tr id=\"fu-%d\"><th scope=\"row\">", n + 1);
		html_esc(f, dash_text(st, 0));
		fputs("</th>", f);
		if (d->names) {
			fputs("<td>", f);
			html_esc(f, dash_text(st, 1));
			fputs("</td>", f);
		}
		fputs("<td>", f);
		html_esc(f, dash_text(st, 2));
		fprintf(f, "</td><td class=\"num\">%d</td><td>", sqlite3_column_int(st, 3));
		html_esc(f, dash_text(st, 5));
		fputs("</td><td>", f);
		html_esc(f, dash_text(st, 6));
		fputs("</td><td>", f);
		if (sqlite3_column_type(st, 4) == SQLITE_NULL) {
			fputs("never", f);
		} else {
			html_esc(f, dash_text(st, 4));
			fputs(" at ", f);
			html_esc(f, dash_text(st, 7));
		}
		fprintf(f, "</td><td class=\"num\" data-v=\"%d\">%d of %d</td></tr>\n",
		        sqlite3_column_int(st, 8), sqlite3_column_int(st, 8), sqlite3_column_int(st, 9));
		n++;
	}
	sqlite3_finalize(st);
	if (!n)
		fputs("<tr><td colspan=\"8\">Nobody is flagged for follow-up.</td></tr>\n", f);
	fputs("</tbody>\n</table></div>\n", f);
	html_section_end(f);
}
