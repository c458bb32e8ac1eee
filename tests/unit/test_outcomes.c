/* test_outcomes.c - the shipped instruments (deploy/instruments) read and
 * score as published: every row of the SWEMWBS conversion table, ONS4
 * item by item, the seven pathways with missing items; bad scores and bad
 * definitions are refused with the reason; the change distribution. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outcomes.h"

static char *slurp(const char *name)
{
	char path[512];
	FILE *f;
	long n;
	char *buf;

	snprintf(path, sizeof path, "%s/%s", TL_INSTRUMENTS_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static struct tl_instrument *load(const char *name)
{
	struct tl_instrument *in = malloc(sizeof *in);
	char err[300], *text = slurp(name);

	assert_non_null(in);
	if (tl_instrument_parse(text, in, err, sizeof err))
		fail_msg("%s: %s", name, err);
	free(text);
	return in;
}

/* The published SWEMWBS raw-to-metric table (Warwick Medical School),
 * raw totals 7 to 35. */
static const double swemwbs_metric[29] = {
	7.00,  9.51,  11.25, 12.40, 13.33, 14.08, 14.75, 15.32, 15.84, 16.36,
	16.88, 17.43, 17.98, 18.59, 19.25, 19.98, 20.73, 21.54, 22.35, 23.21,
	24.11, 25.03, 26.02, 27.03, 28.13, 29.31, 30.70, 32.55, 35.00
};

/* Every raw total, reached by two different item patterns, converts to
 * its row of the table. */
static void test_swemwbs_every_row(void **state)
{
	struct tl_instrument *in = load("swemwbs.ini");
	(void)state;

	assert_string_equal(in->id, "swemwbs");
	assert_int_equal(in->nitems, 7);
	assert_int_equal(in->total, TL_OUT_TABLE);
	assert_int_equal(tl_out_measures(in), 1);
	assert_int_equal(in->min_pairs, 30);
	for (int raw = 7; raw <= 35; raw++) {
		for (int pattern = 0; pattern < 2; pattern++) {
			int s[TL_OUT_MAX_ITEMS], left = raw - 7;
			char text[64], err[200];
			double v, r;
			/* spread the points over 1..5 from the first item or the last */
			for (int i = 0; i < 7; i++) {
				int k = pattern ? 6 - i : i, add = left > 4 ? 4 : left;
				s[k] = 1 + add;
				left -= add;
			}
			tl_out_scores_format(in, s, text, sizeof text);
			assert_int_equal(tl_out_scores_parse(in, text, s, err, sizeof err), 0);
			assert_int_equal(tl_out_measure_value(in, s, 0, &v, &r), 1);
			assert_int_equal((int)r, raw);
			if (fabs(v - swemwbs_metric[raw - 7]) > 1e-9)
				fail_msg("raw %d: %.2f, the table says %.2f", raw, v,
				         swemwbs_metric[raw - 7]);
		}
	}
	free(in);
}

static void test_swemwbs_bad_scores(void **state)
{
	struct tl_instrument *in = load("swemwbs.ini");
	int s[TL_OUT_MAX_ITEMS];
	char err[300];
	(void)state;

	assert_int_equal(tl_out_scores_parse(in, "4,3,5,2,4,3,6", s, err, sizeof err), -1);
	assert_non_null(strstr(err, "item 7 (item7): 6 is outside its range 1 to 5"));
	assert_int_equal(tl_out_scores_parse(in, "4,3,5,2,4,3", s, err, sizeof err), -1);
	assert_non_null(strstr(err, "6 scores given, swemwbs has 7 items"));
	assert_int_equal(tl_out_scores_parse(in, "4,3,5,2,4,3,3,3", s, err, sizeof err), -1);
	assert_non_null(strstr(err, "8 scores given"));
	assert_int_equal(tl_out_scores_parse(in, "4,3,,2,4,3,3", s, err, sizeof err), -1);
	assert_non_null(strstr(err, "needs every item answered"));
	assert_int_equal(tl_out_scores_parse(in, "4,3,x,2,4,3,3", s, err, sizeof err), -1);
	assert_non_null(strstr(err, "'x' is not a whole number"));
	assert_int_equal(tl_out_scores_parse(in, "4;3;5;2;4;3;3", s, err, sizeof err), 0);
	free(in);
}

static void test_ons4_separately(void **state)
{
	struct tl_instrument *in = load("ons4.ini");
	int s[TL_OUT_MAX_ITEMS];
	char err[300];
	double v, r;
	(void)state;

	assert_int_equal(in->total, TL_OUT_NONE);
	assert_int_equal(tl_out_measures(in), 4);
	assert_string_equal(tl_out_measure_id(in, 3), "anxiety");
	assert_int_equal(tl_out_scores_parse(in, "7,8,,3", s, err, sizeof err), 0);
	assert_int_equal(tl_out_measure_value(in, s, 0, &v, &r), 1);
	assert_true(v == 7);
	assert_int_equal(tl_out_measure_value(in, s, 2, &v, &r), 0); /* missing, not summed */
	assert_int_equal(tl_out_measure_value(in, s, 3, &v, &r), 1);
	assert_true(v == 3);
	/* anxiety: lower is better */
	assert_int_equal(tl_out_direction(in, 3, -2), 1);
	assert_int_equal(tl_out_direction(in, 0, -2), -1);
	assert_int_equal(tl_out_meaningful(in, 0, 5), -1); /* none published */
	assert_int_equal(tl_out_scores_parse(in, ",,,", s, err, sizeof err), -1);
	assert_non_null(strstr(err, "allows at most 3"));
	assert_int_equal(tl_out_scores_parse(in, "11,8,8,3", s, err, sizeof err), -1);
	assert_non_null(strstr(err, "outside its range 0 to 10"));
	free(in);
}

static void test_pathways(void **state)
{
	struct tl_instrument *in = load("pathways.ini");
	int s[TL_OUT_MAX_ITEMS];
	char err[300], text[64];
	double v, r;
	(void)state;

	assert_int_equal(in->nitems, 7);
	assert_int_equal(tl_out_measures(in), 7);
	assert_string_equal(in->item[4].id, "finance");
	assert_int_equal(tl_out_scores_parse(in, "3,-,5,,6,7,2", s, err, sizeof err), 0);
	tl_out_scores_format(in, s, text, sizeof text);
	assert_string_equal(text, "3,,5,,6,7,2");
	assert_int_equal(tl_out_measure_value(in, s, 1, &v, &r), 0);
	assert_int_equal(tl_out_measure_value(in, s, 6, &v, &r), 1);
	assert_true(v == 2);
	assert_int_equal(tl_out_scores_parse(in, "0,1,1,1,1,1,1", s, err, sizeof err), -1);
	assert_int_equal(tl_out_scores_parse(in, ",,,,,,", s, err, sizeof err), -1);
	free(in);
}

/* A sum with missing items allowed is prorated, half up. */
static void test_sum_prorated(void **state)
{
	static const char def[] = "[instrument]\nid = t\nname = T\ntotal = sum\nmax_missing = 1\n"
	                          "meaningful_change = 2\n"
	                          "[item a]\nmin = 0\nmax = 4\n[item b]\nmin = 0\nmax = 4\n"
	                          "[item c]\nmin = 0\nmax = 4\n";
	struct tl_instrument *in = malloc(sizeof *in);
	int s[TL_OUT_MAX_ITEMS];
	char err[300];
	double v, r;
	(void)state;

	assert_int_equal(tl_instrument_parse(def, in, err, sizeof err), 0);
	assert_int_equal(tl_out_scores_parse(in, "3,,2", s, err, sizeof err), 0);
	assert_int_equal(tl_out_measure_value(in, s, 0, &v, &r), 1);
	assert_true(v == 8); /* 5 * 3 / 2 = 7.5 -> 8 */
	assert_int_equal(tl_out_meaningful(in, 0, 2), 1);
	assert_int_equal(tl_out_meaningful(in, 0, 1), 0);
	free(in);
}

static void bad_def(const char *def, const char *why)
{
	struct tl_instrument *in = malloc(sizeof *in);
	char err[300];

	assert_int_equal(tl_instrument_parse(def, in, err, sizeof err), -1);
	if (!strstr(err, why))
		fail_msg("'%s' does not say '%s'", err, why);
	free(in);
}

static void test_bad_definitions(void **state)
{
	(void)state;
	bad_def("[instrument]\nid = t\nname = T\ntotal = table\n[item a]\nmin = 1\nmax = 2\n"
	        "[table]\n1 = 1\n",
	        "no row for raw total 2");
	bad_def("[instrument]\nid = t\nname = T\ntotal = table\n[item a]\nmin = 1\nmax = 2\n"
	        "[table]\n1 = 1\n2 = 2\n3 = 3\n",
	        "row 3 is outside");
	bad_def("[instrument]\nid = t\nname = T\ntotal = sum\n[item a]\nmin = 1\nmax = 2\n"
	        "[table]\n1 = 1\n2 = 2\n",
	        "needs total = table");
	bad_def("[instrument]\nid = T\nname = T\ntotal = sum\n", "line 2: id 'T'");
	bad_def("[instrument]\nid = t\nname = T\ntotal = mean\n", "line 4: total 'mean'");
	bad_def("[instrument]\nid = t\nname = T\ntotal = sum\ncolour = red\n", "unknown key 'colour'");
	bad_def("[instrument]\nid = t\nname = T\ntotal = sum\n", "no items");
	bad_def("[instrument]\nid = t\nname = T\ntotal = sum\n[item a]\nmin = 3\nmax = 2\n",
	        "min below max");
	bad_def("[instrument]\nid = t\nname = T\ntotal = sum\n[item a]\nmin = 1\nmin = 2\n",
	        "given twice");
	bad_def("[instrument]\nid = t\nname = T\n[item a]\nmin = 1\nmax = 2\n",
	        "needs id, name and total");
	bad_def("[wording]\nq1 = How are you?\n", "unknown section [wording]");
	bad_def("[instrument]\nid = t\nname = T\ntotal = sum\nmax_missing = 1\n[item a]\nmin = 1\n"
	        "max = 2\n",
	        "leaves no item");
}

/* Quartiles by linear interpolation; direction and the threshold. */
static void test_summary(void **state)
{
	struct tl_instrument *in = load("swemwbs.ini");
	double c[] = { 4.5, -1.2, 0, 3, 2.99, 7.1, 1 };
	struct tl_out_summary s;
	(void)state;

	tl_out_summarise(in, 0, c, 7, &s);
	assert_int_equal(s.n, 7);
	assert_int_equal(s.better, 5);
	assert_int_equal(s.same, 1);
	assert_int_equal(s.worse, 1);
	assert_int_equal(s.meaningful, 3); /* 3, 4.5, 7.1 */
	assert_true(fabs(s.median - 2.99) < 1e-9);
	assert_true(fabs(s.q1 - 0.5) < 1e-9);  /* between 0 and 1 */
	assert_true(fabs(s.q3 - 3.75) < 1e-9); /* between 3 and 4.5 */
	assert_true(s.min == -1.2 && s.max == 7.1);
	free(in);
}

static void test_exit_reasons(void **state)
{
	(void)state;
	assert_int_equal(tl_exit_reason_valid("work_or_training"), 1);
	assert_int_equal(tl_exit_reason_good("work_or_training"), 1);
	assert_int_equal(tl_exit_reason_good("completed"), 0);
	assert_int_equal(tl_exit_reason_valid("prison"), 0);
	assert_int_equal(tl_out_wave_valid("week-6"), 1);
	assert_int_equal(tl_out_wave_valid("Week 6"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swemwbs_every_row), cmocka_unit_test(test_swemwbs_bad_scores),
		cmocka_unit_test(test_ons4_separately),   cmocka_unit_test(test_pathways),
		cmocka_unit_test(test_sum_prorated),      cmocka_unit_test(test_bad_definitions),
		cmocka_unit_test(test_summary),           cmocka_unit_test(test_exit_reasons),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
