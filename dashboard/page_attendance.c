/* page_attendance.c - attendance per week: the whole scope, then per site
 * and per activity, as charts with the numbers beside them, and the trend
 * of the attendance rate over the programme. */
#include "dashboard.h"

#include <stdlib.h>
#include <string.h>

#define ATT_MAX_CHART_GROUPS 6

struct att_week {
	char week[9], monday[11];
	long sessions, places, attended, people;
	int fact;                  /* the week's index in the facts */
};

/* Weeks with sessions in the scope, in order, from the run's facts. */
static struct att_week *att_weeks(struct dash *d, const char *pair_in, int *n)
{
	const struct dash_facts *x = &d->facts;
	struct att_week *all = calloc((size_t)x->weeks.n + 1, sizeof *all), *w;
	long *people = calloc((size_t)x->weeks.n + 1, sizeof *people);
	char *has = calloc((size_t)x->weeks.n + 1, 1);

	if (!all || !people || !has)
		dash_fail("out of memory");
	for (int i = 0; i < x->nsessions; i++) {
		const struct dash_session *ses = &x->session[i];
		if (!pair_in[ses->pair])
			continue;
		has[ses->week] = 1;
		all[ses->week].sessions += !ses->cancelled;
		all[ses->week].places += ses->places;
		all[ses->week].attended += ses->attended;
	}
	facts_people_per_week(d, pair_in, people);
	*n = 0;
	for (int i = 0; i < x->weeks.n; i++) {
		if (!has[i])
			continue;
		w = &all[(*n)++];
		*w = all[i];
		snprintf(w->week, sizeof w->week, "%.8s", x->weeks.v[i][0]);
		snprintf(w->monday, sizeof w->monday, "%.10s", x->weeks.v[i][1]);
		w->fact = i;
		w->people = people[i];
	}
	free(people);
	free(has);
	return all;
}

/* Per site or per activity: a table of attended/places per week and, for
 * a few groups, their rates as lines. Groups are the sites or activities
 * with a session held in the scope, by id. */
static void att_groups(FILE *f, struct dash *d, const char *pair_in, const struct att_week *w,
                       int n, const char *what)
{
	const struct dash_facts *x = &d->facts;
	const struct dash_names *t = what[0] == 's' ? &x->sites : &x->activities;
	int *col = malloc((size_t)(x->weeks.n + 1) * sizeof *col);
	int *site = malloc((size_t)(x->pairs.n + 1) * sizeof *site);
	char *used = calloc((size_t)t->n + 1, 1);
	long *all = calloc(2 * ((size_t)t->n * (size_t)n + 1), sizeof *all);
	char (*names)[DASH_NAME_MAX] = malloc(((size_t)t->n + 1) * sizeof *names);
	long *att = calloc((size_t)t->n * (size_t)n + 1, sizeof *att);
	long *pl = calloc((size_t)t->n * (size_t)n + 1, sizeof *pl);
	/* cells with a session a reader problem touched, by group and week */
	char *touched = calloc((size_t)t->n * (size_t)n + 1, 1);
	char *mark = calloc((size_t)t->n * (size_t)n + 1, 1);
	int g = 0, any = 0;

	if (!col || !site || !used || !all || !names || !att || !pl || !touched || !mark)
		dash_fail("out of memory");
	for (int i = 0; i < x->weeks.n; i++)
		col[i] = -1;
	for (int i = 0; i < n; i++)
		col[w[i].fact] = i;
	for (int p = 0; p < x->pairs.n; p++) {
		site[p] = -1;
		for (int j = 0; j < x->sites.n; j++)
			if (strcmp(x->sites.v[j][0], x->pairs.v[p][1]) == 0)
				site[p] = j;
	}
	for (int i = 0; i < x->nsessions; i++) {
		const struct dash_session *ses = &x->session[i];
		int k = what[0] == 's' ? site[ses->pair] : ses->activity;
		if (!pair_in[ses->pair] || ses->cancelled || k < 0 || col[ses->week] < 0)
			continue;
		used[k] = 1;
		all[2 * ((size_t)k * n + col[ses->week])] += ses->places;
		all[2 * ((size_t)k * n + col[ses->week]) + 1] += ses->attended;
		if (readers_session_marks(NULL, d, i) > 0)
			touched[(size_t)k * n + col[ses->week]] = 1;
	}
	for (int k = 0; k < t->n; k++) {
		if (!used[k])
			continue;
		snprintf(names[g], sizeof names[g], "%s", t->v[k][1]);
		for (int i = 0; i < n; i++) {
			pl[(size_t)g * n + i] = all[2 * ((size_t)k * n + i)];
			att[(size_t)g * n + i] = all[2 * ((size_t)k * n + i) + 1];
			mark[(size_t)g * n + i] = touched[(size_t)k * n + i];
			any |= touched[(size_t)k * n + i];
		}
		g++;
	}
	free(col);
	free(site);
	free(used);
	free(all);
	free(touched);
	fprintf(f, "<h3>Per %s</h3>\n", what);
	if (g == 0) {
		fputs("<p>No sessions.</p>\n", f);
		free(names);
		free(att);
		free(pl);
		free(mark);
		return;
	}
	fputs("<div class=\"fig\">\n", f);
	if (g <= ATT_MAX_CHART_GROUPS && n > 0) {
		struct svg_series ser[ATT_MAX_CHART_GROUPS];
		double *v = malloc((size_t)g * (size_t)n * sizeof *v);
		const char **labels = malloc((size_t)n * sizeof *labels);
		char id[32], desc[200];
		if (!v || !labels)
			dash_fail("out of memory");
		for (int i = 0; i < n; i++)
			labels[i] = w[i].week;
		for (int j = 0; j < g; j++) {
			for (int i = 0; i < n; i++)
				v[(size_t)j * n + i] = dash_percent(att[(size_t)j * n + i], pl[(size_t)j * n + i]);
			ser[j].name = names[j];
			ser[j].v = v + (size_t)j * n;
		}
		snprintf(id, sizeof id, "chart-att-%s", what);
		snprintf(desc, sizeof desc, "Line chart of the attendance rate per week for each %s; "
		                            "the table beside gives every number.", what);
		fputs("<div>", f);
		svg_lines(f, id, what[0] == 's' ? "Attendance rate per site by week"
		                                : "Attendance rate per activity by week",
		          desc, n, labels, g, ser, 1);
		fputs("</div>\n", f);
		free(v);
		free(labels);
	}
	if (g > ATT_MAX_CHART_GROUPS)
		fprintf(f, "<p class=\"note\">More than %d, too many lines for one chart: the "
		           "table has them all.</p>\n",
		        ATT_MAX_CHART_GROUPS);
	fprintf(f, HTML_SCROLL("Attended and places per %s and week") "<table id=\"att-%s\">\n<caption>Attended / places "
	           "(rate) per %s and week, newest first</caption>\n<thead><tr><th scope=\"col\">%s</th>",
	        what, what, what, what[0] == 's' ? "Site" : "Activity");
	for (int i = n - 1; i >= 0; i--)
		fprintf(f, "<th scope=\"col\" class=\"num\">%s</th>", w[i].week);
	fputs("</tr></thead>\n<tbody>\n", f);
	for (int j = 0; j < g; j++) {
		fprintf(f, "<tr id=\"att-%s-%d\"><th scope=\"row\">", what, j + 1);
		html_esc(f, names[j]);
		fputs("</th>", f);
		for (int i = n - 1; i >= 0; i--) {
			long a = att[(size_t)j * n + i], p = pl[(size_t)j * n + i];
			if (p)
				fprintf(f, "<td class=\"num\">%ld/%ld (%d%%)%s</td>", a, p, dash_percent(a, p),
				        mark[(size_t)j * n + i] ? " <span class=\"mark\">&#9888;</span>" : "");
			else
				fputs("<td class=\"num\">&#8211;</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table></div>\n</div>\n", f);
	if (any)
		fprintf(f, "<p class=\"note\" id=\"att-%s-marks\">&#9888;: a reader had a problem "
		           "during one of the %s&#39;s sessions that week (the weekly table above says "
		           "which).</p>\n",
		        what, what);
	free(names);
	free(att);
	free(pl);
	free(mark);
}

/* The trend over the programme: attendance rate by programme week (week 1
 * is each participant's first week, whatever their intake), so intakes
 * that started at different times line up. */
static void att_programme_weeks(FILE *f, struct dash *d, const char *pair_in)
{
	long places[52] = { 0 }, att[52] = { 0 };
	int n = 0;

	for (int p = 0; p < d->facts.pairs.n; p++) {
		if (!pair_in[p])
			continue;
		for (int w = 1; w <= 52; w++) {
			places[w - 1] += d->facts.progweek[p][0][w];
			att[w - 1] += d->facts.progweek[p][1][w];
			if (d->facts.progweek[p][0][w] && w > n)
				n = w;
		}
	}
	if (n == 0)
		return;
	{
		const char *labels[52];
		char wl[52][16];
		double v[52];
		struct svg_series ser = { "Attendance rate", v };
		for (int i = 0; i < n; i++) {
			snprintf(wl[i], sizeof wl[i], "week %d", i + 1);
			labels[i] = wl[i];
			v[i] = dash_percent(att[i], places[i]);
		}
		fputs("<h3>Over the programme</h3>\n<div class=\"fig\">\n<div>", f);
		svg_lines(f, "chart-progweek", "Attendance rate by programme week",
		          "Line chart of the attendance rate in each participant's programme week "
		          "1, 2, 3 and so on; the table beside gives every number.",
		          n, labels, 1, &ser, 1);
	}
	fputs("</div>\n" HTML_SCROLL("By programme week") "<table id=\"progweek-table\">\n<caption>By "
	      "programme week</caption>\n<thead><tr><th scope=\"col\">Programme week</th>"
	      "<th scope=\"col\" class=\"num\">Places</th><th scope=\"col\" class=\"num\">"
	      "Attended</th><th scope=\"col\" class=\"num\">Rate</th></tr></thead>\n<tbody>\n",
	      f);
	for (int i = 0; i < n; i++) {
		fprintf(f, "<tr id=\"progweek-%d\"><th scope=\"row\">%d</th><td class=\"num\">%ld</td>"
		           "<td class=\"num\">%ld</td>",
		        i + 1, i + 1, places[i], att[i]);
		html_pct(f, dash_percent(att[i], places[i]));
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table></div>\n</div>\n", f);
}

void page_attendance(FILE *f, struct dash *d, const struct dash_scope *s)
{
	int n;
	char *pair_in = facts_pairs_in(d, s);
	struct att_week *w = att_weeks(d, pair_in, &n);
	const char **labels = malloc((size_t)(n ? n : 1) * sizeof *labels);
	double *v = malloc((size_t)(n ? n : 1) * sizeof *v);
	double *r = malloc((size_t)(n ? n : 1) * sizeof *r);
	struct svg_series trend;
	unsigned char *marked = calloc((size_t)n + 1, 1);
	char *desc = NULL;
	size_t desclen = 0;
	FILE *df;

	if (!labels || !v || !r || !marked || !(df = open_memstream(&desc, &desclen)))
		dash_fail("out of memory");
	html_section(f, "attendance", "Weekly attendance");
	if (n == 0) {
		fputs("<p>No sessions yet.</p>\n", f);
		html_section_end(f);
		fclose(df);
		free(desc);
		free(marked);
		free(labels);
		free(v);
		free(r);
		free(w);
		free(pair_in);
		return;
	}
	for (int i = 0; i < n; i++) {
		labels[i] = w[i].week;
		v[i] = (double)w[i].attended;
		r[i] = dash_percent(w[i].attended, w[i].places);
	}
	/* the weeks a reader problem touched, marked on the bars and named in
	 * the chart's text */
	fputs("Bar chart of the number of attendances in each week; the table beside gives "
	      "every number.",
	      df);
	for (int i = 0, k = 0; i < n; i++)
		if ((marked[i] = readers_week_marks(NULL, d, pair_in, w[i].fact) > 0))
			fprintf(df, "%s%s", k++ ? ", " : " Weeks with a reader problem during a session "
			                                 "(marked \xe2\x9a\xa0): ", w[i].week);
	if (memchr(marked, 1, (size_t)n))
		fputc('.', df);
	if (fclose(df) != 0)
		dash_fail("out of memory");
	fputs("<div class=\"fig\">\n<div>", f);
	svg_bars(f, "chart-attendances", "Attendances per week", desc, n, labels, v, 0, marked);
	trend.name = "Attendance rate";
	trend.v = r;
	svg_lines(f, "chart-trend", "Trend: attendance rate per week",
	          "Line chart of the share of enrolled participants' places attended, per "
	          "week, over the programme.",
	          n, labels, 1, &trend, 1);
	fputs("</div>\n" HTML_SCROLL("Per week, newest first") "<table id=\"weekly-table\">\n<caption>Per week, newest first"
	      "</caption>\n<thead><tr><th scope=\"col\">Week</th><th scope=\"col\">Monday</th>"
	      "<th scope=\"col\" class=\"num\">Sessions</th><th scope=\"col\" class=\"num\">"
	      "Places</th><th scope=\"col\" class=\"num\">Attended</th><th scope=\"col\" "
	      "class=\"num\">Rate</th><th scope=\"col\" class=\"num\">Participants</th>"
	      "<th scope=\"col\">Reader problems</th></tr>"
	      "</thead>\n<tbody>\n",
	      f);
	for (int i = n - 1; i >= 0; i--) {
		char day[32];
		fprintf(f, "<tr id=\"week-%s\"><th scope=\"row\">%s</th><td class=\"date\">%s</td><td class=\"num\">"
		           "%ld</td><td class=\"num\">%ld</td><td class=\"num\">%ld</td>",
		        w[i].week, w[i].week, dash_day(w[i].monday, 0, day), w[i].sessions, w[i].places,
		        w[i].attended);
		html_pct(f, (int)r[i]);
		fprintf(f, "<td class=\"num\">%ld</td><td>", w[i].people);
		readers_week_marks(f, d, pair_in, w[i].fact);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody>\n</table></div>\n</div>\n<p class=\"note\">Places: enrolled "
	      "participants eligible for the week's sessions, one per session; rate = attended "
	      "&#247; places.</p>\n",
	      f);
	att_programme_weeks(f, d, pair_in);
	att_groups(f, d, pair_in, w, n, "site");
	att_groups(f, d, pair_in, w, n, "activity");
	html_section_end(f);
	free(labels);
	free(v);
	free(r);
	free(w);
	free(pair_in);
	free(marked);
	free(desc);
}
