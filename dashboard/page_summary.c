/* page_summary.c - summary.html: one A4 page for a partnership meeting.
 * Headline numbers, the sites side by side, attendance and retention as
 * charts, each with a plain-English sentence made from the same numbers
 * (the sentence is also the chart's text alternative). Counts only: no
 * participant's code or name appears. */
#include "calendar.h"
#include "dashboard.h"

#include <stdlib.h>
#include <string.h>

#define SUM_WEEKS 12   /* weeks in the attendance chart */
#define SUM_SITES 12   /* sites in the comparison before "and N more" */
#define SUM_RET_WEEKS 12

/* Attendance rate per week over the last SUM_WEEKS weeks with sessions,
 * and a sentence about it. */
static void sum_attendance(FILE *f, struct dash *d, const char *pair_in)
{
	const struct dash_facts *x = &d->facts;
	long (*w)[2] = calloc((size_t)x->weeks.n + 1, sizeof *w);
	char labels_buf[SUM_WEEKS][9], desc[600];
	const char *labels[SUM_WEEKS];
	double v[SUM_WEEKS];
	int idx[SUM_WEEKS], n = 0, lo = 101, hi = -1;
	struct svg_series ser = { "Attendance rate", v };

	if (!w)
		dash_fail("out of memory");
	for (int i = 0; i < x->nsessions; i++)
		if (pair_in[x->session[i].pair] && !x->session[i].cancelled) {
			w[x->session[i].week][0] += x->session[i].places;
			w[x->session[i].week][1] += x->session[i].attended;
		}
	for (int k = x->weeks.n - 1; k >= 0 && n < SUM_WEEKS; k--)
		if (w[k][0])
			idx[n++] = k;
	fputs("<div>\n<h2>Attendance</h2>\n", f);
	if (!n) {
		fputs("<p>No sessions yet.</p>\n</div>\n", f);
		free(w);
		return;
	}
	for (int i = 0; i < n; i++) { /* oldest first on the chart */
		int k = idx[n - 1 - i], r = dash_percent(w[k][1], w[k][0]);
		snprintf(labels_buf[i], sizeof labels_buf[i], "%.8s", x->weeks.v[k][0]);
		labels[i] = labels_buf[i];
		v[i] = r;
		lo = r < lo ? r : lo;
		hi = r > hi ? r : hi;
	}
	{
		int last = (int)v[n - 1];
		int len = snprintf(desc, sizeof desc,
		                   "In the latest week with sessions (%s), %d%% of expected places "
		                   "were taken",
		                   labels[n - 1], last);
		if (n > 1) {
			int prev = (int)v[n - 2];
			len += snprintf(desc + len, sizeof desc - (size_t)len, ", %s the week before (%d%%)",
			                last > prev ? "up on" : last < prev ? "down on" : "the same as", prev);
			snprintf(desc + len, sizeof desc - (size_t)len,
			         "; over the last %d weeks it ranged from %d%% to %d%%.", n, lo, hi);
		} else {
			snprintf(desc + len, sizeof desc - (size_t)len, ".");
		}
	}
	fputs("<p id=\"sum-att-words\">", f);
	html_esc(f, desc);
	fputs("</p>\n", f);
	svg_lines(f, "sum-chart-att", "Attendance rate per week", desc, n, labels, 1, &ser, 1);
	fputs("</div>\n", f);
	free(w);
}

/* Retention by programme week over every enrolment of the page, and a
 * sentence about weeks 4, 8 and 12. */
static void sum_retention(FILE *f, struct dash *d, const struct dash_scope *s, const char *pair_in)
{
	char labels_buf[SUM_RET_WEEKS][12], desc[400];
	const char *labels[SUM_RET_WEEKS];
	double v[SUM_RET_WEEKS];
	int n = 0, len;
	struct svg_series ser = { "Still coming", v };

	for (int w = 1; w <= SUM_RET_WEEKS; w++) {
		int r = overview_retention(d, s, pair_in, w);
		if (r < 0)
			break;
		snprintf(labels_buf[n], sizeof labels_buf[n], "week %d", w);
		labels[n] = labels_buf[n];
		v[n++] = r;
	}
	fputs("<div>\n<h2>Retention</h2>\n", f);
	if (!n) {
		fputs("<p>No participant has finished a programme week yet.</p>\n</div>\n", f);
		return;
	}
	len = snprintf(desc, sizeof desc, "Of the participants who reached programme week 1, %d%% "
	                                  "came then or later",
	               (int)v[0]);
	for (int w = 4; w <= n; w += 4)
		len += snprintf(desc + len, sizeof desc - (size_t)len, "; of those who reached week %d, "
		                                                       "%d%% were still coming",
		                w, (int)v[w - 1]);
	snprintf(desc + len, sizeof desc - (size_t)len, ".");
	fputs("<p id=\"sum-ret-words\">", f);
	html_esc(f, desc);
	fputs("</p>\n", f);
	svg_lines(f, "sum-chart-ret", "Retention by programme week", desc, n, labels, 1, &ser, 1);
	fputs("</div>\n", f);
}

void page_summary(struct dash *d, const struct dash_scope *s)
{
	FILE *f = site_open(d, "summary.html");
	char *pair_in = facts_pairs_in(d, s);
	struct overview_total all;
	long enrolled = 0, active = 0, completed = 0, withdrawn = 0;
	char day[32];

	overview_total(d, pair_in, "", &all);
	for (long k = 0; k < d->facts.nenrols; k++) {
		const char *st = d->facts.enrol[k].status;
		if (!facts_enrol_in(d, s, pair_in, k))
			continue;
		enrolled++;
		active += strcmp(st, "active") == 0;
		completed += strcmp(st, "completed") == 0;
		withdrawn += strcmp(st, "withdrawn") == 0;
	}
	html_doc_begin(f, "Summary", s->title, HTML_DOC_SUMMARY);
	fputs("<p class=\"noprint\"><a href=\"index.html\">Back to the dashboard</a></p>\n<header>"
	      "<p class=\"brand\">Touchline programme summary</p>\n<h1>",
	      f);
	html_esc(f, s->title);
	fprintf(f, "</h1>\n<p>Up to %s. Counts only: no participant is named or identified.</p>"
	           "</header>\n<main class=\"sum\">\n",
	        dash_day(d->today, 1, day));
	fputs("<div class=\"wide\">\n<h2>Headline numbers</h2>\n", f);
	fprintf(f, "<p id=\"sum-words\">%ld sessions delivered and %ld cancelled; %ld attendances "
	           "at the sessions participants were expected at, %d%% of the places; %ld "
	           "participants came at least once. %ld enrolled in all: %ld active, %ld completed, "
	           "%ld withdrawn.</p>\n",
	        all.held, all.cancelled, all.came,
	        dash_percent(all.came, all.places) < 0 ? 0 : dash_percent(all.came, all.places),
	        all.people, enrolled, active, completed, withdrawn);
	fputs("<table id=\"sum-headline\"><caption>To date</caption><thead><tr>"
	      "<th scope=\"col\" class=\"num\">Sessions delivered</th><th scope=\"col\" class=\"num\">"
	      "Cancelled</th><th scope=\"col\" class=\"num\">Attendances</th><th scope=\"col\" "
	      "class=\"num\">Attendance rate</th><th scope=\"col\" class=\"num\">Participants who came"
	      "</th><th scope=\"col\" class=\"num\">Enrolled</th><th scope=\"col\" class=\"num\">"
	      "Active</th><th scope=\"col\" class=\"num\">Completed</th><th scope=\"col\" "
	      "class=\"num\">Withdrawn</th></tr></thead>\n<tbody><tr id=\"sum-1\">",
	      f);
	fprintf(f, "<td class=\"num\">%ld</td><td class=\"num\">%ld</td><td class=\"num\">%ld</td>",
	        all.held, all.cancelled, all.came);
	html_pct(f, dash_percent(all.came, all.places));
	fprintf(f, "<td class=\"num\">%ld</td><td class=\"num\">%ld</td><td class=\"num\">%ld</td>"
	           "<td class=\"num\">%ld</td><td class=\"num\">%ld</td></tr></tbody></table>\n</div>\n",
	        all.people, enrolled, active, completed, withdrawn);
	sum_attendance(f, d, pair_in);
	sum_retention(f, d, s, pair_in);
	fputs("<div class=\"wide\">\n<h2>Sites</h2>\n", f);
	overview_sites(f, d, s, pair_in, SUM_SITES);
	fputs("</div>\n</main>\n", f);
	html_doc_end(f);
	site_close(f, "summary.html");
	free(pair_in);
}
