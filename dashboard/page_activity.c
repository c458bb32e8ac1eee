/* page_activity.c - programme activity per week: how many participants
 * were in each programme minutes band (moderate-equivalent minutes of
 * programme sessions in the week, from activity_week: under 30, 30-149,
 * 150 or more), and each participant's minutes over time. Bands are named
 * in every cell and drawn with distinct patterns, not told by colour
 * alone. */
#include "rules.h"
#include "grid.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The CSS class and words of a band (tl_minutes_band). */
static const char *act_class(const char *band)
{
	return strcmp(band, "150+") == 0 ? "high" : strcmp(band, "30-149") == 0 ? "mid" : "low";
}

static const char *act_label(const char *band)
{
	return strcmp(band, "150+") == 0     ? "150+ min"
	       : strcmp(band, "30-149") == 0 ? "30&#8211;149 min"
	                                     : "under 30 min";
}

/* Per week: participants in each band, as stacked bars and a table, and
 * the mean minutes (rounded half up, as SQL's round(avg())). */
static void act_levels(FILE *f, struct dash *d, const char *prog_in)
{
	const struct dash_facts *x = &d->facts;
	long (*per)[4] = calloc((size_t)x->weeks.n + 1, sizeof *per); /* bands, minutes */
	char (*weeks)[9] = malloc(((size_t)x->weeks.n + 1) * sizeof *weeks);
	double *v = malloc(((size_t)x->weeks.n + 1) * 3 * sizeof *v);
	long *mean = malloc(((size_t)x->weeks.n + 1) * sizeof *mean);
	int n = 0;

	if (!per || !weeks || !v || !mean)
		dash_fail("out of memory");
	for (long i = 0; i < x->nminutes; i++) {
		const struct dash_minutes *m = &x->minutes[i];
		if (prog_in[m->programme]) {
			per[m->week][m->level]++;
			per[m->week][3] += m->minutes;
		}
	}
	for (int w = 0; w < x->weeks.n; w++) {
		long rows = per[w][0] + per[w][1] + per[w][2];
		if (!rows)
			continue;
		snprintf(weeks[n], sizeof weeks[n], "%.8s", x->weeks.v[w][0]);
		for (int j = 0; j < 3; j++)
			v[(size_t)n * 3 + j] = (double)per[w][j];
		mean[n] = (long)floor((double)per[w][3] / (double)rows + 0.5);
		n++;
	}
	free(per);
	if (n == 0) {
		fputs("<p>No programme activity yet.</p>\n", f);
		free(weeks);
		free(v);
		free(mean);
		return;
	}
	{
		const char **labels = malloc((size_t)n * sizeof *labels);
		double *sv = malloc((size_t)n * 3 * sizeof *sv);
		struct svg_series ser[3] = { { "Under 30 minutes", NULL },
			                     { "30-149 minutes", NULL },
			                     { "150 minutes or more", NULL } };
		if (!labels || !sv)
			dash_fail("out of memory");
		for (int i = 0; i < n; i++) {
			labels[i] = weeks[i];
			for (int j = 0; j < 3; j++)
				sv[(size_t)j * n + i] = v[(size_t)i * 3 + j];
		}
		for (int j = 0; j < 3; j++)
			ser[j].v = sv + (size_t)j * n;
		fputs("<div class=\"fig\">\n<div>", f);
		svg_stacked(f, "chart-levels", "Participants by programme minutes band per week",
		            "Stacked bars: per week, participants with under 30 (hatched), "
		            "30 to 149 (dotted) and 150 or more (solid) moderate-equivalent minutes "
		            "in programme sessions; the table beside gives every number.",
		            n, labels, 3, ser);
		{
			struct svg_series m = { "Mean moderate-equivalent minutes", sv };
			for (int i = 0; i < n; i++)
				sv[i] = (double)mean[i];
			svg_lines(f, "chart-minutes", "Mean moderate-equivalent minutes per week",
			          "Line chart of the participants' mean moderate-equivalent minutes in "
			          "programme sessions per week; the table beside gives every number.",
			          n, labels, 1, &m, 0);
		}
		fputs("</div>\n", f);
		free(labels);
		free(sv);
	}
	fputs(HTML_SCROLL("Participants per programme minutes band") "<table id=\"levels-table\">\n<caption>Participants per "
	      "programme minutes band, newest week first</caption>\n<thead><tr><th scope=\"col\">Week</th>"
	      "<th scope=\"col\" class=\"num\">Under 30</th><th scope=\"col\" class=\"num\">"
	      "30&#8211;149</th><th scope=\"col\" class=\"num\">150+</th><th scope=\"col\" "
	      "class=\"num\">Mean minutes</th></tr></thead>\n<tbody>\n",
	      f);
	for (int i = n - 1; i >= 0; i--)
		fprintf(f, "<tr id=\"levels-%s\"><th scope=\"row\">%s</th><td class=\"num\">%.0f</td>"
		           "<td class=\"num\">%.0f</td><td class=\"num\">%.0f</td><td class=\"num\">%ld"
		           "</td></tr>\n",
		        weeks[i], weeks[i], v[(size_t)i * 3], v[(size_t)i * 3 + 1],
		        v[(size_t)i * 3 + 2], mean[i]);
	fputs("</tbody>\n</table></div>\n</div>\n", f);
	free(weeks);
	free(v);
	free(mean);
}

/* Each participant's moderate-equivalent minutes per week, summed over
 * the programmes of the scope. */
static void act_grid(struct grid *g, struct dash *d, const char *prog_in)
{
	const struct dash_facts *x = &d->facts;
	char *present = calloc((size_t)x->weeks.n + 1, 1);

	if (!present)
		dash_fail("out of memory");
	for (long i = 0; i < x->nminutes; i++)
		if (prog_in[x->minutes[i].programme])
			present[x->minutes[i].week] = 1;
	grid_begin(g, d, present, GRID_MAX_WEEKS, 1);
	for (long i = 0; i < x->nminutes; i++) {
		const struct dash_minutes *m = &x->minutes[i];
		if (prog_in[m->programme])
			grid_put(g, m->person, m->week, m->minutes, 1);
	}
	grid_end(g);
	free(present);
}

/* Rows the page's minutes grid would have: participants (not erased)
 * with programme activity in the page's programmes. */
static long act_count(struct dash *d, const struct dash_scope *s, void *arg)
{
	const struct dash_facts *x = &d->facts;
	char *prog_in = facts_programmes_in(d, s);
	long n = 0;
	int last = -1;

	(void)arg;
	for (long i = 0; i < x->nminutes; i++) {
		const struct dash_minutes *m = &x->minutes[i];
		if (m->person != last && prog_in[m->programme] && x->person[m->person].code[0]) {
			n++;
			last = m->person;
		}
	}
	free(prog_in);
	return n;
}

void page_activity(FILE *f, struct dash *d, const struct dash_scope *s)
{
	struct grid g;
	char *prog_in = facts_programmes_in(d, s);
	long rows = act_count(d, s, NULL);

	html_section(f, "activity", "Programme activity");
	fprintf(f, "<p class=\"note\">Programme activity: minutes in programme sessions only, "
	           "not total physical activity, so these bands are not Active Lives levels. "
	           "Moderate-equivalent minutes count vigorous minutes double (UK CMO "
	           "guidelines); bands: under %d, %d&#8211;%d, %d or more a week.%s</p>\n",
	        TL_BAND_LOW_MIN, TL_BAND_LOW_MIN, TL_BAND_HIGH_MIN - 1, TL_BAND_HIGH_MIN,
	        s->site ? " Activity is per programme, across all its sites." : "");
	act_levels(f, d, prog_in);
	fputs("<div class=\"noprint\">\n<h3>Each participant's moderate-equivalent minutes</h3>\n", f);
	if (rows > DASH_LIST_MAX && !s->site) {
		fprintf(f, "<p id=\"minutes-split\">%ld participants: too many for one page. Each "
		           "site's page has its participants' minutes week by week.</p>\n",
		        rows);
		html_site_links(f, d, s, "minutes-sites", "Participants' minutes, site by site",
		                "Participants", "activity", act_count, NULL);
		fputs("</div>\n", f);
		free(prog_in);
		html_section_end(f);
		return;
	}
	act_grid(&g, d, prog_in);
	free(prog_in);
	if (g.dropped)
		fprintf(f, "<p class=\"note\">The %d most recent weeks are shown; the mean covers "
		           "all %d.</p>\n",
		        g.nweeks, g.nweeks + g.dropped);
	if (g.nrows) {
		grid_head(f, d, &g, "minutes-table",
		          "Moderate-equivalent minutes per participant and week (newest first), with the band",
		          "Mean a week", "Weeks", NULL);
		for (int i = 0; i < g.nrows; i++) {
			const struct grid_row *r = &g.rows[i];
			long mean = r->tb ? (2 * r->ta + r->tb) / (2 * r->tb) : 0;
			grid_row_head(f, d, r, "min");
			fprintf(f, "<td class=\"num\" data-v=\"%ld\">%ld</td><td class=\"num\">%ld</td>",
			        mean, mean, r->tb);
			for (int w = g.nweeks - 1; w >= 0; w--) {
				const char *level;
				if (!r->b[w]) {
					fputs("<td class=\"h-na\" data-v=\"-1\">&#8211;</td>", f);
					continue;
				}
				level = tl_minutes_band(r->a[w]);
				fprintf(f, "<td class=\"lv-%s\" data-v=\"%ld\">%ld<br><small>%s</small></td>",
				        act_class(level), r->a[w], r->a[w], act_label(level));
			}
			fputs("</tr>\n", f);
		}
		fputs("</tbody>\n</table></div>\n", f);
	}
	fputs("</div>\n", f);
	grid_free(&g);
	html_section_end(f);
}
