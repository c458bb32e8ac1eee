/* page_retention.c - retention: of each intake (participants of a
 * programme with the same start date), the share still attending by
 * programme week 1 to 12. "Still attending in week w" means attending a
 * session in week w or any later week, from attendance.programme_week;
 * only weeks the intake has completed by --today are shown. */
#include "dashboard.h"

#include <stdlib.h>
#include <string.h>

#define RET_WEEKS 12
#define RET_MAX_CURVES 6

struct ret_intake {
	char programme[DASH_ID_MAX], start[11], label[DASH_NAME_MAX + 32];
	long size;
	long still[RET_WEEKS + 1]; /* [w]: attended in week w or later */
	int weeks;                 /* weeks completed (and within the programme) */
};

void page_retention(FILE *f, struct dash *d, const struct dash_scope *s)
{
	sqlite3_stmt *st = dash_query(
		d, s,
		"SELECT e.programme, e.start_date, e.last, e.weeks,"
		" (SELECT coalesce(nullif(g.name, ''), g.id) FROM programme g WHERE g.id = e.programme)"
		" FROM temp.fact_intake e"
		" WHERE" DASH_PROGRAMME_WHERE("e.programme") " ORDER BY e.programme, e.start_date");
	struct ret_intake *in = NULL;
	int n = 0, maxw = 0, first;

	while (dash_step(d, st)) {
		struct ret_intake *r;
		long last = sqlite3_column_int64(st, 2);
		if (n == 0 || strcmp(in[n - 1].programme, dash_text(st, 0)) != 0 ||
		    strcmp(in[n - 1].start, dash_text(st, 1)) != 0) {
			in = realloc(in, (size_t)(n + 1) * sizeof *in);
			if (!in)
				dash_fail("out of memory");
			r = &in[n++];
			memset(r, 0, sizeof *r);
			snprintf(r->programme, sizeof r->programme, "%s", dash_text(st, 0));
			snprintf(r->start, sizeof r->start, "%s", dash_text(st, 1));
			{ /* "Kickstart, from Mon 16 Mar" (the programme's name only on a page of several) */
				char day[32];
				snprintf(r->label, sizeof r->label, "%.*s%sfrom %s",
				         s->programme ? 0 : DASH_NAME_MAX, dash_text(st, 4),
				         s->programme ? "" : ", ", dash_day(r->start, 0, day));
			}
			r->weeks = sqlite3_column_int(st, 3);
			if (r->weeks > RET_WEEKS)
				r->weeks = RET_WEEKS;
			if (r->weeks > maxw)
				maxw = r->weeks;
		}
		r = &in[n - 1];
		r->size++;
		for (long w = 1; w <= last && w <= RET_WEEKS; w++)
			r->still[w]++;
	}
	sqlite3_finalize(st);

	html_section(f, "retention", "Retention");
	fputs("<p class=\"note\">Share of each intake (same programme and start date) still "
	      "attending in each programme week: attending that week or any later week. "
	      "Withdrawn participants count as no longer attending. Weeks an intake has not "
	      "yet completed are left blank.</p>\n",
	      f);
	if (n == 0 || maxw == 0) {
		fputs("<p>No intake has completed a programme week yet.</p>\n", f);
		free(in);
		html_section_end(f);
		return;
	}
	first = n > RET_MAX_CURVES ? n - RET_MAX_CURVES : 0;
	{
		struct svg_series ser[RET_MAX_CURVES];
		double v[RET_MAX_CURVES][RET_WEEKS];
		const char *labels[RET_WEEKS];
		char wl[RET_WEEKS][16];
		for (int w = 0; w < maxw; w++) {
			snprintf(wl[w], sizeof wl[w], "week %d", w + 1);
			labels[w] = wl[w];
		}
		for (int i = first; i < n; i++) {
			for (int w = 0; w < maxw; w++)
				v[i - first][w] = w < in[i].weeks && in[i].size
				                          ? 100.0 * in[i].still[w + 1] / in[i].size
				                          : -1;
			ser[i - first].name = in[i].label;
			ser[i - first].v = v[i - first];
		}
		fputs("<div class=\"fig\">\n<div>", f);
		svg_lines(f, "chart-retention", "Retention by programme week",
		          "Line chart: for each intake, the percentage still attending in programme "
		          "weeks 1 to 12; the table beside gives every number.",
		          maxw, labels, n - first, ser, 1);
		fputs("</div>\n", f);
	}
	if (first)
		fprintf(f, "<p class=\"note\">The chart shows the %d most recent intakes; the table "
		           "has all %d.</p>\n",
		        RET_MAX_CURVES, n);
	fputs(HTML_SCROLL("Retention, percentage of each intake still attending") "<table id=\"retention-table\">\n<caption>Still attending, "
	      "% of intake</caption>\n<thead><tr><th scope=\"col\">Intake</th><th scope=\"col\" "
	      "class=\"num\">Size</th>",
	      f);
	for (int w = 1; w <= maxw; w++)
		fprintf(f, "<th scope=\"col\" class=\"num\">Wk %d</th>", w);
	fputs("</tr></thead>\n<tbody>\n", f);
	for (int i = 0; i < n; i++) {
		fprintf(f, "<tr id=\"ret-%d\"><th scope=\"row\">", i + 1);
		html_esc(f, in[i].label);
		fprintf(f, "</th><td class=\"num\">%ld</td>", in[i].size);
		for (int w = 1; w <= maxw; w++) {
			if (w <= in[i].weeks)
				html_pct(f, dash_percent(in[i].still[w], in[i].size));
			else
				fputs("<td></td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table></div>\n</div>\n", f);
	free(in);
	html_section_end(f);
}
