/* page_heatmap.c - participant x week attendance: who comes, who fades,
 * at a glance. Each cell says "attended/sessions" in text; the shade only
 * repeats it. Rows start sorted by attendance rate (highest first); the
 * script re-sorts by any column. */
#include "grid.h"

#define HM_CELLS(name)                                                              \
	"SELECT a.participant, p.code, " name ", s.iso_week, sum(a.attended), count(*)" \
	" FROM attendance a JOIN session s ON s.id = a.session"                         \
	" JOIN participant p ON p.id = a.participant"                                   \
	" LEFT JOIN participant_name n ON n.participant = p.id"                         \
	" WHERE" DASH_SESSION_WHERE " AND p.code IS NOT NULL"                           \
	" GROUP BY a.participant, s.iso_week ORDER BY a.participant, s.iso_week"

void page_heatmap(FILE *f, struct dash *d, const struct dash_scope *s)
{
	struct grid g;

	grid_load(&g, d, s,
	          "SELECT DISTINCT s.iso_week FROM attendance a JOIN session s ON s.id = a.session"
	          " WHERE" DASH_SESSION_WHERE " ORDER BY 1",
	          d->names ? HM_CELLS("n.name") : HM_CELLS("NULL"), GRID_MAX_WEEKS);
	html_section(f, "heatmap", "Participants by week");
	fputs("<p class=\"key\">Each cell: sessions attended / sessions the participant was "
	      "enrolled for that week. <span class=\"h-all\">2/2</span>all "
	      "<span class=\"h-part\">1/2</span>some <span class=\"h-none\">0/2</span>none "
	      "<span class=\"h-na\">&#8211;</span>no session for them</p>\n",
	      f);
	if (g.dropped)
		fprintf(f, "<p class=\"note\">The %d most recent weeks are shown; %d earlier weeks "
		           "are in the rate and in the attendance download.</p>\n",
		        g.nweeks, g.dropped);
	if (g.nrows == 0) {
		fputs("<p>No attendance yet.</p>\n", f);
		grid_free(&g);
		html_section_end(f);
		return;
	}
	grid_head(f, d, &g, "heatmap-table",
	          "Attendance per participant and ISO week, by attendance rate", "Rate",
	          "Attended");
	for (int i = 0; i < g.nrows; i++) {
		const struct grid_row *r = &g.rows[i];
		grid_row_head(f, d, r, "hm");
		html_pct(f, dash_percent(r->ta, r->tb));
		fprintf(f, "<td class=\"num\" data-v=\"%ld\">%ld/%ld</td>", r->ta, r->ta, r->tb);
		for (int w = 0; w < g.nweeks; w++) {
			if (!r->b[w])
				fputs("<td class=\"h-na\" data-v=\"-1\">&#8211;</td>", f);
			else
				fprintf(f, "<td class=\"%s\" data-v=\"%d\">%ld/%ld</td>",
				        r->a[w] == 0 ? "h-none" : r->a[w] < r->b[w] ? "h-part" : "h-all",
				        dash_percent(r->a[w], r->b[w]), r->a[w], r->b[w]);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table></div>\n", f);
	grid_free(&g);
	html_section_end(f);
}
