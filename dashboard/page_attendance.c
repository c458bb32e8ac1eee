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
};

/* Weeks with sessions in the scope, in order. */
static struct att_week *att_weeks(struct dash *d, const struct dash_scope *s, int *n)
{
	sqlite3_stmt *st = dash_query(
		d, s,
		"SELECT s.iso_week, min(s.week_start),"
		" count(DISTINCT CASE WHEN s.cancelled_at IS NULL THEN s.id END),"
		" count(a.session), coalesce(sum(a.attended), 0),"
		" count(DISTINCT CASE WHEN a.attended THEN a.participant END)"
		" FROM session s LEFT JOIN attendance a ON a.session = s.id"
		" WHERE" DASH_SESSION_WHERE " GROUP BY s.iso_week ORDER BY s.iso_week");
	struct att_week *w = NULL;

	*n = 0;
	while (dash_step(d, st)) {
		w = realloc(w, (size_t)(*n + 1) * sizeof *w);
		if (!w)
			dash_fail("out of memory");
		snprintf(w[*n].week, sizeof w[*n].week, "%s", dash_text(st, 0));
		snprintf(w[*n].monday, sizeof w[*n].monday, "%s", dash_text(st, 1));
		w[*n].sessions = sqlite3_column_int64(st, 2);
		w[*n].places = sqlite3_column_int64(st, 3);
		w[*n].attended = sqlite3_column_int64(st, 4);
		w[*n].people = sqlite3_column_int64(st, 5);
		(*n)++;
	}
	sqlite3_finalize(st);
	return w;
}

static int att_week_index(const struct att_week *w, int n, const char *week)
{
	for (int i = 0; i < n; i++)
		if (strcmp(w[i].week, week) == 0)
			return i;
	return -1;
}

/* Per site or per activity: a table of attended/places per week and, for
 * a few groups, their rates as lines. */
static void att_groups(FILE *f, struct dash *d, const struct dash_scope *s,
                       const struct att_week *w, int n, const char *what, const char *sql)
{
	sqlite3_stmt *st = dash_query(d, s, sql);
	char (*names)[128] = NULL, (*ids)[DASH_ID_MAX] = NULL;
	long *att = NULL, *pl = NULL;
	int g = 0;

	while (dash_step(d, st)) {
		int i = att_week_index(w, n, dash_text(st, 2));
		if (g == 0 || strcmp(ids[g - 1], dash_text(st, 0)) != 0) {
			names = realloc(names, (size_t)(g + 1) * sizeof *names);
			ids = realloc(ids, (size_t)(g + 1) * sizeof *ids);
			att = realloc(att, (size_t)(g + 1) * (size_t)n * sizeof *att);
			pl = realloc(pl, (size_t)(g + 1) * (size_t)n * sizeof *pl);
			if (!names || !ids || !att || !pl)
				dash_fail("out of memory");
			snprintf(names[g], sizeof names[g], "%s", dash_text(st, 1));
			snprintf(ids[g], sizeof ids[g], "%s", dash_text(st, 0));
			memset(att + (size_t)g * n, 0, (size_t)n * sizeof *att);
			memset(pl + (size_t)g * n, 0, (size_t)n * sizeof *pl);
			g++;
		}
		if (i >= 0) {
			pl[(size_t)(g - 1) * n + i] = sqlite3_column_int64(st, 3);
			att[(size_t)(g - 1) * n + i] = sqlite3_column_int64(st, 4);
		}
	}
	sqlite3_finalize(st);
	fprintf(f, "<h3>Per %s</h3>\n", what);
	if (g == 0) {
		fputs("<p>No sessions.</p>\n", f);
		free(names);
		free(ids);
		free(att);
		free(pl);
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
	fprintf(f, "<div class=\"scroll\"><table id=\"att-%s\">\n<caption>Attended / places "
	           "(rate) per %s and week</caption>\n<thead><tr><th scope=\"col\">%s</th>",
	        what, what, what[0] == 's' ? "Site" : "Activity");
	for (int i = 0; i < n; i++)
		fprintf(f, "<th scope=\"col\" class=\"num\">%s</th>", w[i].week);
	fputs("</tr></thead>\n<tbody>\n", f);
	for (int j = 0; j < g; j++) {
		fprintf(f, "<tr id=\"att-%s-%d\"><th scope=\"row\">", what, j + 1);
		html_esc(f, names[j]);
		fputs("</th>", f);
		for (int i = 0; i < n; i++) {
			long a = att[(size_t)j * n + i], p = pl[(size_t)j * n + i];
			if (p)
				fprintf(f, "<td class=\"num\">%ld/%ld (%d%%)</td>", a, p, dash_percent(a, p));
			else
				fputs("<td class=\"num\">&#8211;</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table></div>\n</div>\n", f);
	free(names);
	free(ids);
	free(att);
	free(pl);
}

/* The trend over the programme: attendance rate by programme week (week 1
 * is each participant's first week, whatever their intake), so intakes
 * that started at different times line up. */
static void att_programme_weeks(FILE *f, struct dash *d, const struct dash_scope *s)
{
	sqlite3_stmt *st = dash_query(
		d, s,
		"SELECT a.programme_week, count(*), coalesce(sum(a.attended), 0)"
		" FROM attendance a JOIN session s ON s.id = a.session"
		" WHERE" DASH_SESSION_WHERE " AND a.programme_week BETWEEN 1 AND 52"
		" GROUP BY a.programme_week ORDER BY a.programme_week");
	long places[52] = { 0 }, att[52] = { 0 };
	int n = 0;

	while (dash_step(d, st)) {
		int w = sqlite3_column_int(st, 0);
		places[w - 1] = sqlite3_column_int64(st, 1);
		att[w - 1] = sqlite3_column_int64(st, 2);
		if (w > n)
			n = w;
	}
	sqlite3_finalize(st);
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
	fputs("</div>\n<div class=\"scroll\"><table id=\"progweek-table\">\n<caption>By "
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
	struct att_week *w = att_weeks(d, s, &n);
	const char **labels = malloc((size_t)(n ? n : 1) * sizeof *labels);
	double *v = malloc((size_t)(n ? n : 1) * sizeof *v);
	double *r = malloc((size_t)(n ? n : 1) * sizeof *r);
	struct svg_series trend;

	if (!labels || !v || !r)
		dash_fail("out of memory");
	html_section(f, "attendance", "Weekly attendance");
	if (n == 0) {
		fputs("<p>No sessions yet.</p>\n", f);
		html_section_end(f);
		free(labels);
		free(v);
		free(r);
		free(w);
		return;
	}
	for (int i = 0; i < n; i++) {
		labels[i] = w[i].week;
		v[i] = (double)w[i].attended;
		r[i] = dash_percent(w[i].attended, w[i].places);
	}
	fputs("<div class=\"fig\">\n<div>", f);
	svg_bars(f, "chart-attendances", "Attendances per week",
	         "Bar chart of the number of attendances in each ISO week; the table beside "
	         "gives every number.",
	         n, labels, v, 0);
	trend.name = "Attendance rate";
	trend.v = r;
	svg_lines(f, "chart-trend", "Trend: attendance rate per week",
	          "Line chart of the share of enrolled participants' places attended, per ISO "
	          "week, over the programme.",
	          n, labels, 1, &trend, 1);
	fputs("</div>\n<div class=\"scroll\"><table id=\"weekly-table\">\n<caption>Per week"
	      "</caption>\n<thead><tr><th scope=\"col\">Week</th><th scope=\"col\">Monday</th>"
	      "<th scope=\"col\" class=\"num\">Sessions</th><th scope=\"col\" class=\"num\">"
	      "Places</th><th scope=\"col\" class=\"num\">Attended</th><th scope=\"col\" "
	      "class=\"num\">Rate</th><th scope=\"col\" class=\"num\">Participants</th></tr>"
	      "</thead>\n<tbody>\n",
	      f);
	for (int i = 0; i < n; i++) {
		fprintf(f, "<tr id=\"week-%s\"><th scope=\"row\">%s</th><td class=\"date\">%s</td><td class=\"num\">"
		           "%ld</td><td class=\"num\">%ld</td><td class=\"num\">%ld</td>",
		        w[i].week, w[i].week, w[i].monday, w[i].sessions, w[i].places, w[i].attended);
		html_pct(f, (int)r[i]);
		fprintf(f, "<td class=\"num\">%ld</td></tr>\n", w[i].people);
	}
	fputs("</tbody>\n</table></div>\n</div>\n<p class=\"note\">Places: enrolled "
	      "participants eligible for the week's sessions, one per session; rate = attended "
	      "&#247; places.</p>\n",
	      f);
	att_programme_weeks(f, d, s);
	att_groups(f, d, s, w, n, "site",
	           "SELECT s.site, coalesce(nullif(t.name, ''), s.site), s.iso_week,"
	           " count(a.session), coalesce(sum(a.attended), 0)"
	           " FROM session s JOIN site t ON t.id = s.site"
	           " LEFT JOIN attendance a ON a.session = s.id"
	           " WHERE" DASH_SESSION_WHERE " AND s.cancelled_at IS NULL"
	           " GROUP BY s.site, s.iso_week ORDER BY s.site, s.iso_week");
	att_groups(f, d, s, w, n, "activity",
	           "SELECT s.activity, ac.name, s.iso_week,"
	           " count(a.session), coalesce(sum(a.attended), 0)"
	           " FROM session s JOIN activity ac ON ac.id = s.activity"
	           " LEFT JOIN attendance a ON a.session = s.id"
	           " WHERE" DASH_SESSION_WHERE " AND s.cancelled_at IS NULL"
	           " GROUP BY s.activity, s.iso_week ORDER BY s.activity, s.iso_week");
	html_section_end(f);
	free(labels);
	free(v);
	free(r);
	free(w);
}
