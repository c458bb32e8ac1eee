/* page_heatmap.c - participant x week attendance: who comes, who fades,
 * at a glance. Each cell says "attended/sessions" in text; the shade only
 * repeats it. Rows start sorted by attendance rate (highest first); the
 * script re-sorts by any column. */
#include "grid.h"

#include <stdlib.h>

/* The grid from the run's facts: each participant's places and
 * attendances per week, over the pairs of the scope. */
static void hm_load(struct grid *g, struct dash *d, const struct dash_scope *s)
{
	const struct dash_facts *x = &d->facts;
	char *pair_in = facts_pairs_in(d, s), *present = calloc((size_t)x->weeks.n + 1, 1);

	if (!present)
		dash_fail("out of memory");
	for (long i = 0; i < x->ncells; i++)
		if (pair_in[x->cell[i].pair])
			present[x->cell[i].week] = 1;
	grid_begin(g, d, present, GRID_MAX_WEEKS, 0);
	for (long i = 0; i < x->ncells; i++) {
		const struct dash_cell *c = &x->cell[i];
		if (pair_in[c->pair])
			grid_put(g, c->person, c->week, c->attended, c->places);
	}
	grid_end(g);
	free(pair_in);
	free(present);
}

/* Rows the page's grid would have: participants (not erased) with a
 * place or an attendance in the page's pairs. */
static long hm_count(struct dash *d, const struct dash_scope *s, void *arg)
{
	const struct dash_facts *x = &d->facts;
	char *pair_in = facts_pairs_in(d, s);
	long n = 0;

	(void)arg;
	for (int p = 0; p < x->npersons; p++) {
		if (!x->person[p].code[0])
			continue;
		for (long i = x->cell_first[p]; i < x->cell_first[p + 1]; i++)
			if (pair_in[x->cell[i].pair]) {
				n++;
				break;
			}
	}
	free(pair_in);
	return n;
}

void page_heatmap(FILE *f, struct dash *d, const struct dash_scope *s)
{
	struct grid g;
	long rows = hm_count(d, s, NULL);
	int marked;

	html_section(f, "heatmap", "Participants by week");
	if (rows > DASH_LIST_MAX && !s->site) {
		fprintf(f, "<p id=\"heatmap-split\">%ld participants: too many for one page. Each "
		           "site's page has its participants week by week, with a search box.</p>\n",
		        rows);
		html_site_links(f, d, s, "heatmap-sites", "Participants by week, site by site",
		                "Participants", "heatmap", hm_count, NULL);
		html_section_end(f);
		return;
	}
	hm_load(&g, d, s);
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
	{
		char *pair_in = facts_pairs_in(d, s);
		marked = grid_head(f, d, &g, "heatmap-table",
		                   "Attendance per participant and week (newest first), by attendance "
		                   "rate",
		                   "Rate", "Attended", pair_in);
		free(pair_in);
	}
	for (int i = 0; i < g.nrows; i++) {
		const struct grid_row *r = &g.rows[i];
		grid_row_head(f, d, r, "hm");
		html_pct(f, dash_percent(r->ta, r->tb));
		fprintf(f, "<td class=\"num\" data-v=\"%ld\">%ld/%ld</td>", r->ta, r->ta, r->tb);
		for (int w = g.nweeks - 1; w >= 0; w--) {
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
	if (marked)
		fputs("<p class=\"note\" id=\"heatmap-marks\">&#9888; beside a week: a reader had a "
		      "problem during one of that week&#39;s sessions (the weekly attendance table "
		      "says which).</p>\n",
		      f);
	grid_free(&g);
	html_section_end(f);
}
