/* page_outcomes.c - outcomes: referrals and exits, and distance travelled
 * per instrument and measure (the change from each participant's first to
 * their latest assessment), with its distribution and against the dose
 * (sessions attended between the two). Everything is read from the TEMP
 * tables tl_outcomes_build wrote (common/programme/outcomes.c) and
 * summarised by tl_out_summarise, as the CLI's outcomes report is.
 *
 * No individual score is shown, except in a --names build. A distribution
 * of fewer than OUT_MIN_SHOWN people is not shown, so nobody's change can
 * be read off a quartile. */
#include "dashboard.h"
#include "grow.h"
#include "outcomes.h"

#include <stdlib.h>
#include <string.h>

#define OUT_MIN_SHOWN 5

/* Changes of one measure in the scope, by dose band too. */
struct oc_measure {
	char instrument[TL_OUT_ID], measure[TL_OUT_ID];
	int m;
	long assessed;
	double *c;
	size_t n, cap;
	double *band[TL_OUT_DOSE_BANDS];
	size_t bn[TL_OUT_DOSE_BANDS], bcap[TL_OUT_DOSE_BANDS];
};

static void oc_push(double **v, size_t *n, size_t *cap, double x)
{
	if (tl_grow(v, cap, *n, sizeof **v))
		dash_fail("out of memory");
	(*v)[(*n)++] = x;
}

static void oc_num(FILE *f, double v)
{
	fprintf(f, "<td class=\"num\" data-v=\"%.2f\">%+.2f</td>", v, v);
}

/* An exit reason (tl_exit_reasons) in words; an unknown one as stored. */
static const char *oc_exit_words(const char *reason)
{
	static const char *const words[][2] = {
		{ "completed", "completed the programme" }, { "work_or_training", "into work or training" },
		{ "moved_away", "moved away" },             { "custody", "in custody" },
		{ "disengaged", "stopped coming" },         { "other", "for another reason" },
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(reason, words[i][0]) == 0)
			return words[i][1];
	return reason;
}

/* Referrals by source and exits by reason, when the scope has any. */
static void oc_counts(FILE *f, struct dash *d, const struct dash_scope *s)
{
	sqlite3_stmt *st = dash_query(
		d, s,
		"SELECT 'referred', count(*), count(e.participant), '' FROM referral r"
		" LEFT JOIN enrolment e ON e.programme = r.programme AND e.participant = r.participant"
		" WHERE" DASH_PROGRAMME_WHERE("r.programme")
		" UNION ALL SELECT 'source:' || r.source, count(*), count(e.participant),"
		" (SELECT lower(x.name) FROM referral_source x WHERE x.id = r.source) FROM referral r"
		" LEFT JOIN enrolment e ON e.programme = r.programme AND e.participant = r.participant"
		" WHERE" DASH_PROGRAMME_WHERE("r.programme") " GROUP BY r.source"
		" UNION ALL SELECT 'exit:' || e.exit_reason, count(*), 0, '' FROM enrolment e"
		" WHERE e.exit_reason IS NOT NULL AND" DASH_PROGRAMME_WHERE("e.programme")
		" GROUP BY e.exit_reason");
	int n = 0;

	fputs(HTML_SCROLL("Referrals and exits") "<table id=\"outcomes-referrals\">\n<caption>Referrals and "
	      "exits</caption>\n<thead><tr><th scope=\"col\">Referred and left</th>"
	      "<th scope=\"col\" class=\"num\">People</th><th scope=\"col\" class=\"num\">Started"
	      "</th><th scope=\"col\" class=\"num\">Never started</th></tr></thead>\n<tbody>\n",
	      f);
	while (dash_step(d, st)) {
		const char *k = dash_text(st, 0);
		long all = sqlite3_column_int64(st, 1), started = sqlite3_column_int64(st, 2);
		int exit = !strncmp(k, "exit:", 5);
		if (!strcmp(k, "referred") && all == 0)
			continue;
		fputs("<tr id=\"oc-", f);
		html_esc(f, k);
		fputs("\"><th scope=\"row\">", f);
		if (!strcmp(k, "referred"))
			fputs("All referrals", f);
		else if (exit) {
			fputs("Left: ", f);
			html_esc(f, oc_exit_words(k + 5));
			if (tl_exit_reason_good(k + 5))
				fputs(" (a good exit)", f);
		} else {
			fputs("Referred by ", f);
			html_esc(f, dash_text(st, 3)[0] ? dash_text(st, 3) : k + 7);
		}
		if (exit)
			fprintf(f, "</th><td class=\"num\">%ld</td><td></td><td></td></tr>\n", all);
		else
			fprintf(f, "</th><td class=\"num\">%ld</td><td class=\"num\">%ld</td>"
			           "<td class=\"num\">%ld</td></tr>\n",
			        all, started, all - started);
		n++;
	}
	sqlite3_finalize(st);
	if (!n)
		fputs("<tr><td colspan=\"4\">No referrals or exit reasons recorded.</td></tr>\n", f);
	fputs("</tbody>\n</table></div>\n", f);
}

/* Loads every measure's changes in the scope. */
static struct oc_measure *oc_load(struct dash *d, const struct dash_scope *s, size_t *count)
{
	sqlite3_stmt *st = dash_query(
		d, s,
		"SELECT r.instrument, r.measure, r.measure_no, count(DISTINCT r.participant || ' ' ||"
		" r.programme) FROM temp.outcome_row r WHERE" DASH_PROGRAMME_WHERE("r.programme")
		" GROUP BY r.instrument, r.measure_no ORDER BY r.instrument, r.measure_no");
	sqlite3_stmt *ch;
	struct oc_measure *v = NULL;
	size_t n = 0, cap = 0;

	while (dash_step(d, st)) {
		if (tl_grow(&v, &cap, n, sizeof *v))
			dash_fail("out of memory");
		memset(&v[n], 0, sizeof v[n]);
		snprintf(v[n].instrument, sizeof v[n].instrument, "%s", dash_text(st, 0));
		snprintf(v[n].measure, sizeof v[n].measure, "%s", dash_text(st, 1));
		v[n].m = sqlite3_column_int(st, 2) - 1;
		v[n].assessed = sqlite3_column_int64(st, 3);
		n++;
	}
	sqlite3_finalize(st);
	ch = dash_query(d, s,
	                "SELECT c.instrument, c.measure_no, c.change, c.sessions FROM"
	                " temp.outcome_change c WHERE" DASH_PROGRAMME_WHERE("c.programme"));
	while (dash_step(d, ch))
		for (size_t i = 0; i < n; i++)
			if (!strcmp(v[i].instrument, dash_text(ch, 0)) &&
			    v[i].m == sqlite3_column_int(ch, 1) - 1) {
				double x = sqlite3_column_double(ch, 2);
				int b = tl_out_dose_band(sqlite3_column_int64(ch, 3));
				oc_push(&v[i].c, &v[i].n, &v[i].cap, x);
				oc_push(&v[i].band[b], &v[i].bn[b], &v[i].bcap[b], x);
			}
	sqlite3_finalize(ch);
	*count = n;
	return v;
}

/* The coach view only: each participant's baseline, latest and dose. */
static void oc_people(FILE *f, struct dash *d, const struct dash_scope *s)
{
	sqlite3_stmt *st = dash_query(
		d, s,
		"SELECT p.code, coalesce(n.name, ''), c.programme, c.instrument, c.measure,"
		" c.baseline_date, c.baseline, c.latest_date, c.latest, c.change, c.sessions,"
		" c.me_minutes FROM temp.outcome_change c JOIN participant p ON p.id = c.participant"
		" LEFT JOIN participant_name n ON n.participant = c.participant"
		" WHERE" DASH_PROGRAMME_WHERE("c.programme")
		" ORDER BY p.code, c.programme, c.instrument, c.measure_no");
	int n = 0;

	fputs(HTML_SCROLL("Each participant") "<table class=\"sortable\" id=\"outcomes-people\">\n<caption>"
	      "Each participant (coach view)</caption>\n<thead><tr><th scope=\"col\" "
	      "data-sort=\"text\">Participant</th><th scope=\"col\" data-sort=\"text\">Name</th>"
	      "<th scope=\"col\" data-sort=\"text\">Programme</th><th scope=\"col\" "
	      "data-sort=\"text\">Measure</th><th scope=\"col\" data-sort=\"text\">First</th>"
	      "<th scope=\"col\" class=\"num\" data-sort=\"num\">Score</th><th scope=\"col\" "
	      "data-sort=\"text\">Latest</th><th scope=\"col\" class=\"num\" data-sort=\"num\">"
	      "Score</th><th scope=\"col\" class=\"num\" data-sort=\"num\">Change</th>"
	      "<th scope=\"col\" class=\"num\" data-sort=\"num\">Sessions</th><th scope=\"col\" "
	      "class=\"num\" data-sort=\"num\">Moderate-equivalent minutes</th></tr></thead>\n"
	      "<tbody>\n",
	      f);
	while (dash_step(d, st)) {
		fprintf(f, "<tr id=\"ocp-%d\"><th scope=\"row\">", ++n);
		html_esc(f, dash_text(st, 0));
		for (int c = 1; c <= 5; c++) {
			fputs(c == 3 ? "</td><td>" : c == 1 ? "</th><td>" : "</td><td>", f);
			if (c == 3) {
				html_esc(f, dash_text(st, 3));
				fputs(" ", f);
				html_esc(f, dash_text(st, 4));
			} else {
				html_esc(f, dash_text(st, c == 4 ? 5 : c));
			}
		}
		fprintf(f, "</td><td class=\"num\">%g</td><td>", sqlite3_column_double(st, 6));
		html_esc(f, dash_text(st, 7));
		fprintf(f, "</td><td class=\"num\">%g</td>", sqlite3_column_double(st, 8));
		oc_num(f, sqlite3_column_double(st, 9));
		fprintf(f, "<td class=\"num\">%d</td><td class=\"num\">%d</td></tr>\n",
		        sqlite3_column_int(st, 10), sqlite3_column_int(st, 11));
	}
	sqlite3_finalize(st);
	fputs("</tbody>\n</table></div>\n", f);
}

void page_outcomes(FILE *f, struct dash *d, const struct dash_scope *s)
{
	size_t n = 0;
	struct oc_measure *v = oc_load(d, s, &n);
	struct tl_out_summary *sum = calloc(n ? n : 1, sizeof *sum);
	struct tl_instrument **in = calloc(n ? n : 1, sizeof *in);
	char err[512];
	int charted = 0;

	if (!sum || !in)
		dash_fail("out of memory");
	html_section(f, "outcomes", "Outcomes");
	fputs("<p class=\"note\">Referrals, why people left, and distance travelled: for each "
	      "participant, the change from their first assessment to their latest on the same "
	      "instrument, and the programme sessions they attended in between. Distributions of "
	      "fewer than 5 people are not shown. How each number is worked out is in Touchline&#39;s guide to outcomes.</p>\n",
	      f);
	oc_counts(f, d, s);
	if (n == 0) {
		fputs("<p>No assessments recorded.</p>\n", f);
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		if (!(in[i] = tl_instrument_load(d->db, v[i].instrument, err, sizeof err)))
			dash_fail("%s", err);
		tl_out_summarise(in[i], v[i].m, v[i].c, v[i].n, &sum[i]);
		if (sum[i].n >= OUT_MIN_SHOWN)
			charted++;
	}
	if (charted) {
		struct svg_series ser[3];
		double *val[3];
		const char **labels = calloc((size_t)charted, sizeof *labels);
		char (*lab)[80] = calloc((size_t)charted, sizeof *lab);
		int k = 0;
		for (int j = 0; j < 3; j++)
			if (!(val[j] = calloc((size_t)charted, sizeof *val[j])))
				dash_fail("out of memory");
		if (!labels || !lab)
			dash_fail("out of memory");
		for (size_t i = 0; i < n; i++) {
			if (sum[i].n < OUT_MIN_SHOWN)
				continue;
			snprintf(lab[k], sizeof lab[k], "%s %s", v[i].instrument,
			         in[i]->total == TL_OUT_NONE ? v[i].measure : "");
			labels[k] = lab[k];
			val[0][k] = dash_percent(sum[i].worse, sum[i].n);
			val[1][k] = dash_percent(sum[i].same, sum[i].n);
			val[2][k] = dash_percent(sum[i].better, sum[i].n);
			k++;
		}
		ser[0] = (struct svg_series){ "Worse", val[0] };
		ser[1] = (struct svg_series){ "No change", val[1] };
		ser[2] = (struct svg_series){ "Better", val[2] };
		fputs("<div class=\"fig\">\n<div>", f);
		svg_stacked(f, "chart-outcomes", "Change from first to latest assessment",
		            "Stacked bars: for each measure measured twice in at least 5 people, the "
		            "percentage whose latest score was worse, the same or better than their "
		            "first; the table beside gives every number.",
		            k, labels, 3, ser);
		fputs("</div>\n", f);
		for (int j = 0; j < 3; j++)
			free(val[j]);
		free(labels);
		free(lab);
	} else {
		fputs("<div class=\"fig\">\n", f);
	}
	fputs(HTML_SCROLL("Distance travelled") "<table id=\"outcomes-change\">\n<caption>Distance travelled: "
	      "change from first to latest</caption>\n<thead><tr><th scope=\"col\">Measure</th>"
	      "<th scope=\"col\" class=\"num\">Assessed</th><th scope=\"col\" class=\"num\">"
	      "Measured twice</th><th scope=\"col\" class=\"num\">Better</th><th scope=\"col\" "
	      "class=\"num\">Same</th><th scope=\"col\" class=\"num\">Worse</th><th scope=\"col\" "
	      "class=\"num\">Lower quartile</th><th scope=\"col\" class=\"num\">Median</th>"
	      "<th scope=\"col\" class=\"num\">Upper quartile</th><th scope=\"col\" class=\"num\">"
	      "Improved by the meaningful change</th></tr></thead>\n<tbody>\n",
	      f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "<tr id=\"oc-%s-%s\"><th scope=\"row\">", v[i].instrument, v[i].measure);
		html_esc(f, in[i]->total == TL_OUT_NONE ? in[i]->item[v[i].m].name : in[i]->name);
		if (!tl_out_measure_higher_is_better(in[i], v[i].m))
			fputs(" (lower is better)", f);
		fprintf(f, "</th><td class=\"num\">%ld</td><td class=\"num\">%ld</td>", v[i].assessed,
		        sum[i].n);
		if (sum[i].n < OUT_MIN_SHOWN) {
			fputs("<td colspan=\"7\">fewer than 5 measured twice: not shown</td></tr>\n", f);
			continue;
		}
		fprintf(f, "<td class=\"num\">%ld</td><td class=\"num\">%ld</td><td class=\"num\">%ld"
		           "</td>",
		        sum[i].better, sum[i].same, sum[i].worse);
		oc_num(f, sum[i].q1);
		oc_num(f, sum[i].median);
		oc_num(f, sum[i].q3);
		if (sum[i].meaningful < 0)
			fputs("<td>none published</td>", f);
		else
			fprintf(f, "<td class=\"num\">%ld (%d%%, by %g or more)</td>", sum[i].meaningful,
			        dash_percent(sum[i].meaningful, sum[i].n),
			        tl_out_measure_threshold(in[i], v[i].m));
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table></div>\n</div>\n", f);
	for (size_t i = 0; i < n; i++)
		if (in[i]->min_pairs && sum[i].n < in[i]->min_pairs &&
		    (i == 0 || strcmp(v[i].instrument, v[i - 1].instrument))) {
			fputs("<p class=\"warn\" role=\"note\"><strong>Too few to judge:</strong> ", f);
			fprintf(f, "only %ld people were measured twice on ", sum[i].n);
			html_esc(f, in[i]->name);
			fprintf(f, "; its authors recommend at least %d before drawing conclusions (",
			        in[i]->min_pairs);
			html_esc(f, in[i]->min_pairs_source);
			fputs(").</p>\n", f);
		}

	fputs(HTML_SCROLL("Dose against change") "<table id=\"outcomes-dose\">\n<caption>Dose against change: "
	      "median change by sessions attended between the two assessments (people)</caption>\n"
	      "<thead><tr><th scope=\"col\">Measure</th>",
	      f);
	for (int b = 0; b < TL_OUT_DOSE_BANDS; b++)
		fprintf(f, "<th scope=\"col\" class=\"num\">%s</th>", tl_out_dose_band_name(b));
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < n; i++) {
		if (!v[i].n)
			continue;
		fprintf(f, "<tr id=\"ocd-%s-%s\"><th scope=\"row\">", v[i].instrument, v[i].measure);
		html_esc(f, in[i]->total == TL_OUT_NONE ? in[i]->item[v[i].m].name : in[i]->name);
		fputs("</th>", f);
		for (int b = 0; b < TL_OUT_DOSE_BANDS; b++) {
			struct tl_out_summary bs;
			tl_out_summarise(in[i], v[i].m, v[i].band[b], v[i].bn[b], &bs);
			if (bs.n >= OUT_MIN_SHOWN)
				fprintf(f, "<td class=\"num\">%+.2f (%ld)</td>", bs.median, bs.n);
			else
				fprintf(f, "<td class=\"num\">%s</td>", bs.n ? "fewer than 5" : "&#8211;");
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table></div>\n", f);
	if (d->names)
		oc_people(f, d, s);
done:
	for (size_t i = 0; i < n; i++) {
		free(in[i]);
		free(v[i].c);
		for (int b = 0; b < TL_OUT_DOSE_BANDS; b++)
			free(v[i].band[b]);
	}
	free(in);
	free(sum);
	free(v);
	html_section_end(f);
}
