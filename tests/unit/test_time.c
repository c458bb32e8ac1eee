/* test_time.c - RFC 3339 UTC parsing and formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "calendar.h"
#include "tl_time.h"

static void test_parse(void **state)
{
	int64_t t;
	char buf[TL_TIME_LEN];
	(void)state;
	assert_int_equal(tl_time_parse("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(tl_time_parse("2026-03-03T18:05:12Z", &t), 0);
	assert_int_equal(t, 1772561112);
	assert_int_equal(tl_time_parse("2026-03-03T18:05:12.999999999Z", &t), 0);
	assert_int_equal(t, 1772561112);
	assert_int_equal(tl_time_parse("2026-03-03T18:05:12+00:00", &t), 0);
	assert_int_equal(tl_time_parse("2024-02-29T23:59:59Z", &t), 0); /* leap day */
	tl_time_format(t, buf);
	assert_string_equal(buf, "2024-02-29T23:59:59Z");
	assert_int_equal(tl_time_parse("2000-02-29T00:00:00Z", &t), 0); /* 400-year rule */
}

static void test_parse_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"2026-03-03",
		"2026-03-03 18:05:12Z",
		"2026-03-03T18:05:12",
		"2026-03-03T18:05:12+01:00",
		"2026-03-03T18:05:12z",
		"2026-02-29T00:00:00Z", /* not a leap year */
		"1900-02-29T00:00:00Z",
		"2026-13-01T00:00:00Z",
		"2026-00-01T00:00:00Z",
		"2026-01-32T00:00:00Z",
		"2026-01-01T24:00:00Z",
		"2026-01-01T23:60:00Z",
		"2026-01-01T23:59:60Z",
		"2026-01-01T23:59:59.Z",
		"2026-01-01T23:59:59.1234567890Z",
		"2026-1-01T23:59:59Z",
		"+2026-01-01T23:59:59Z",
		"2026-01-01T23:59:59ZZ",
		"1969-12-31T23:59:59Z",
	};
	int64_t t;
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(tl_time_parse(bad[i], &t), -1);
}

static void test_dates(void **state)
{
	int64_t d;
	(void)state;
	assert_int_equal(tl_cal_parse("1970-01-02", &d), 0);
	assert_int_equal(d, 1);
	assert_int_equal(tl_cal_parse("2026-03-03", &d), 0);
	assert_int_equal(d, 1772561112 / 86400);
	assert_int_equal(tl_cal_parse("2026-03-03T00:00:00Z", &d), -1);
	assert_int_equal(tl_cal_parse("2026-02-30", &d), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
