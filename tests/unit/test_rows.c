/* test_rows.c - CSV (RFC 4180, formula-safe) and JSON row output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rows.h"

static const char *const cols[] = { "code", "note", "n" };

/* Writes two rows in fmt and returns the text (static buffer). */
static const char *render(enum tl_format fmt)
{
	static char buf[1024];
	FILE *f = fmemopen(buf, sizeof buf, "w");
	struct tl_rows r;

	tl_rows_begin(&r, f, fmt, cols, 3);
	tl_rows_text(&r, "P-0001");
	tl_rows_text(&r, "says \"hi\", then\nleaves");
	tl_rows_int(&r, 42);
	tl_rows_end_row(&r);
	tl_rows_text(&r, "=HYPERLINK(\"x\")");
	tl_rows_null(&r);
	tl_rows_real(&r, 1.5);
	tl_rows_end_row(&r);
	assert_int_equal(tl_rows_finish(&r), 0);
	fclose(f);
	return buf;
}

static void test_csv(void **state)
{
	(void)state;
	assert_string_equal(render(TL_FMT_CSV),
	                    "code,note,n\r\n"
	                    "P-0001,\"says \"\"hi\"\", then\nleaves\",42\r\n"
	                    "\"'=HYPERLINK(\"\"x\"\")\",,1.5\r\n");
}

static void test_csv_formulas(void **state)
{
	static const char *const risky[] = { "=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx" };
	char buf[128];
	(void)state;
	for (size_t i = 0; i < sizeof risky / sizeof risky[0]; i++) {
		FILE *f = fmemopen(buf, sizeof buf, "w");
		struct tl_rows r;
		tl_rows_begin(&r, f, TL_FMT_CSV, cols, 1);
		tl_rows_text(&r, risky[i]);
		tl_rows_end_row(&r);
		tl_rows_finish(&r);
		fclose(f);
		assert_non_null(strstr(buf, "\r\n\"'"));
	}
}

static void test_json(void **state)
{
	(void)state;
	assert_string_equal(render(TL_FMT_JSON),
	                    "[\n{\"code\":\"P-0001\",\"note\":\"says \\\"hi\\\", then\\nleaves\",\"n\":42},\n"
	                    "{\"code\":\"=HYPERLINK(\\\"x\\\")\",\"note\":null,\"n\":1.5}\n]\n");
}

static void test_json_empty(void **state)
{
	char buf[16];
	FILE *f = fmemopen(buf, sizeof buf, "w");
	struct tl_rows r;
	(void)state;
	tl_rows_begin(&r, f, TL_FMT_JSON, cols, 3);
	tl_rows_finish(&r);
	fclose(f);
	assert_string_equal(buf, "[]\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_csv_formulas),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
