/* page_activity.c - programme activity per week: how many participants
 * were inactive, fairly active or active (Sport England bands on
 * moderate-equivalent minutes, from activity_week), and each
 * participant's minutes over time. Levels are named in every cell and
 * drawn with distinct patterns, not told by colour alone. */
#include "attendance.h"
#include "grid.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *act_label(const char *level)
{
	return strcmp(level, "active") == 0          ? "active"
	       : strcmp(level, "fairly_active") == 0 ? "fairly active"
	                                              : "inactive";
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
		struct svg_series ser[3] = { { "Inactive, under 30", NULL },
			                     { "Fairly active, 30-149", NULL },
			                     { "Active, 150 or more", NULL } };
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
		svg_stacked(f, "chart-levels", "Participants by activity level per week",
		            "Stacked bars: per ISO week, participants inactive (hatched), fairly "
		            "active (dotted) and active (solid) in programme sessions; the table "
		            "beside gives every number.",
		            n, labels, 3, ser);
		{
			struct svg_series m = { "Mean moderate-equivalent minutes", sv };
			for (int i = 0; i < n; i++)
				sv[i] = (double)mean[i];
			svg_lines(f, "chart-minutes", "Mean moderate-equivalent minutes per week",
			          "Line chart of the participants' mean moderate-equivalent minutes in "
			          "programme sessions per ISO week; the table beside gives every number.",
			          n, labels, 1, &m, 0);
		}
		fputs("</div>\n", f);
		free(labels);
		free(sv);
	}
	fputs("<div class=\"scroll\"><table id=\"levels-table\">\n<caption>Participants per "
	      "activity level</caption>\n<thead><tr><th scope=\"col\">Week</th><th scope=\"col\" "
	      "class=\"num\">Inactive</th><th scope=\"col\" class=\"num\">Fairly active</th>"
	      "<th scope=\"col\" class=\"num\">Active</th><th scope=\"col\" class=\"num\">Mean "
	      "minutes</th></tr></thead>\n<tbody>\n",
	      f);
	for (int i = 0; i < n; i++)
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

void page_activity(FILE *f, struct dash *d, const struct dash_scope *s)
{
	struct grid g;
	char *prog_in = facts_programmes_in(d, s);

	html_section(f, "activity", "Activity levels");
	fprintf(f, "<p class=\"note\">Programme activity: minutes in programme sessions only, "
	           "not total physical activity. Moderate-equivalent minutes count vigorous "
	           "minutes double (UK CMO guidelines); bands as Sport England Active Lives: "
	           "inactive under %d, fairly active %d&#8211;%d, active %d or more a week.%s</p>\n",
	        TL_LEVEL_FAIRLY_ACTIVE_MIN, TL_LEVEL_FAIRLY_ACTIVE_MIN, TL_LEVEL_ACTIVE_MIN - 1,
	        TL_LEVEL_ACTIVE_MIN,
	        s->site ? " Activity is per programme, across all its sites." : "");
	act_levels(f, d, prog_in);
	act_grid(&g, d, prog_in);
	free(prog_in);
	fputs("<div class=\"noprint\">\n<h3>Each participant's moderate-equivalent minutes</h3>\n", f);
	if (g.dropped)
		fprintf(f, "<p class=\"note\">The %d most recent weeks are shown; the mean covers "
		           "all %d.</p>\n",
		        g.nweeks, g.nweeks + g.dropped);
	if (g.nrows) {
		grid_head(f, d, &g, "minutes-table",
		          "Moderate-equivalent minutes per participant and ISO week, with the level",
		          "Mean a week", "Weeks");
		for (int i = 0; i < g.nrows; i++) {
			const struct grid_row *r = &g.rows[i];
			long mean = r->tb ? (2 * r->ta + r->tb) / (2 * r->tb) : 0;
			grid_row_head(f, d, r, "min");
			fprintf(f, "<td class=\"num\" data-v=\"%ld\">%ld</td><td class=\"num\">%ld</td>",
			        mean, mean, r->tb);
			for (int w = 0; w < g.nweeks; w++) {
				const char *level;
				if (!r->b[w]) {
					fputs("<td class=\"h-na\" data-v=\"-1\">&#8211;</td>", f);
					continue;
				}
				level = tl_activity_level(r->a[w]);
				fprintf(f, "<td class=\"lv-%s\" data-v=\"%ld\">%ld<br><small>%s</small></td>",
				        level, r->a[w], r->a[w], act_label(level));
			}
			fputs("</tr>\n", f);
		}
		fputs("</tbody>\n</table></div>\n", f);
	}
	fputs("</div>\n", f);
	grid_free(&g);
	html_section_end(f);
}
