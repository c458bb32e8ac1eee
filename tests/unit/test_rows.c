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

/* Renders a single CSV or JSON row of cells through a memory stream. */
static char *render_stream(enum tl_format fmt, void (*fill)(struct tl_rows *), size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	struct tl_rows *r = malloc(sizeof *r);
	assert_non_null(f);
	assert_non_null(r);
	tl_rows_begin(r, f, fmt, cols, 3);
	fill(r);
	assert_int_equal(tl_rows_finish(r), 0);
	fclose(f);
	free(r);
	return buf;
}

static void fill_ints(struct tl_rows *r)
{
	tl_rows_int(r, INT64_MIN);
	tl_rows_int(r, INT64_MAX);
	tl_rows_int(r, -7);
	tl_rows_end_row(r);
	tl_rows_int(r, 0);
	tl_rows_int(r, 10);
	tl_rows_int(r, -1000000000000LL);
	tl_rows_end_row(r);
}

static void test_ints(void **state)
{
	size_t len;
	char *csv = render_stream(TL_FMT_CSV, fill_ints, &len);
	(void)state;
	assert_string_equal(csv, "code,note,n\r\n-9223372036854775808,9223372036854775807,-7\r\n"
	                         "0,10,-1000000000000\r\n");
	free(csv);
}

static void fill_controls(struct tl_rows *r)
{
	tl_rows_text(r, "\x01" "a\x1f\"\\b\x7f");
	tl_rows_text(r, "");
	tl_rows_text(r, "caf\xc3\xa9");
	tl_rows_end_row(r);
}

static void test_json_controls(void **state)
{
	size_t len;
	char *json = render_stream(TL_FMT_JSON, fill_controls, &len);
	(void)state;
	assert_string_equal(json, "[\n{\"code\":\"\\u0001a\\u001f\\\"\\\\b\x7f\",\"note\":\"\","
	                          "\"n\":\"caf\xc3\xa9\"}\n]\n");
	free(json);
}

/* A cell larger than the writer's buffer, full of quotes and commas. */
static char long_cell[3 * TL_ROWS_BUF];

static void fill_long(struct tl_rows *r)
{
	tl_rows_text(r, "x");
	tl_rows_text(r, long_cell);
	tl_rows_int(r, 1);
	tl_rows_end_row(r);
}

static void test_long_cell(void **state)
{
	size_t len, quotes = 0;
	char *csv;
	(void)state;
	for (size_t i = 0; i < sizeof long_cell - 1; i++) {
		long_cell[i] = i % 7 == 0 ? '"' : i % 5 == 0 ? ',' : 'a';
		quotes += long_cell[i] == '"';
	}
	csv = render_stream(TL_FMT_CSV, fill_long, &len);
	/* header, "x,", the cell quoted with every quote doubled, ",1\r\n" */
	assert_int_equal(len, strlen("code,note,n\r\n") + 2 + (sizeof long_cell - 1) + quotes + 2 +
	                          4);
	assert_memory_equal(csv + len - 5, "\",1\r\n", 5);
	assert_memory_equal(csv + strlen("code,note,n\r\n"), "x,\"\"\"", 5);
	free(csv);
}

/* A statement's rows, each cell by its SQLite type: text quoted as
 * needed, NULL empty (CSV) or null (JSON), integers and reals as numbers. */
static void test_query(void **state)
{
	static const char *const want[2] = {
		"code,note,n\r\n"
		"P-1,\"a,\"\"b\",1.5\r\n"
		"P-2,,3\r\n",
		"[\n{\"code\":\"P-1\",\"note\":\"a,\\\"b\",\"n\":1.5},\n"
		"{\"code\":\"P-2\",\"note\":null,\"n\":3}\n]\n",
	};
	enum tl_format fmts[2] = { TL_FMT_CSV, TL_FMT_JSON };
	sqlite3 *db;
	sqlite3_stmt *st;
	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT 'P-1', 'a,\"b', 1.5 UNION ALL SELECT 'P-2', NULL, 3",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	for (int i = 0; i < 2; i++) {
		char *out;
		size_t len;
		FILE *f = open_memstream(&out, &len);
		struct tl_rows *r = malloc(sizeof *r);
		assert_non_null(r);
		sqlite3_reset(st);
		tl_rows_begin(r, f, fmts[i], cols, 3);
		assert_int_equal(tl_rows_query(r, st), 0);
		assert_int_equal(r->nrows, 2);
		assert_int_equal(tl_rows_finish(r), 0);
		fclose(f);
		free(r);
		assert_string_equal(out, want[i]);
		free(out);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_csv_formulas),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_empty),
		cmocka_unit_test(test_ints),
		cmocka_unit_test(test_json_controls),
		cmocka_unit_test(test_long_cell),
		cmocka_unit_test(test_query),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
