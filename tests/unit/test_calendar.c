/* test_calendar.c - dates, ISO weeks at year ends and local time across
 * the UK clock changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>
#include <string.h>

#include "calendar.h"

static int64_t day(const char *s)
{
	int64_t d;
	assert_int_equal(tl_cal_parse(s, &d), 0);
	return d;
}

static void test_parse_and_format(void **state)
{
	char buf[TL_DATE_LEN];
	int64_t d;
	(void)state;
	assert_int_equal(day("1970-01-01"), 0);
	tl_cal_format(day("2024-02-29"), buf);
	assert_string_equal(buf, "2024-02-29");
	assert_int_equal(tl_cal_parse("2026-02-29", &d), -1);
	assert_int_equal(tl_cal_parse("2026-13-01", &d), -1);
	assert_int_equal(tl_cal_parse("2026-1-01", &d), -1);
	assert_int_equal(tl_cal_parse("2026-01-011", &d), -1);
	assert_int_equal(tl_cal_weekday(day("2026-03-02")), 1); /* Monday */
	assert_int_equal(tl_cal_weekday(day("2026-03-08")), 7);
}

/* Cases: date, ISO week. Week 53 and weeks that belong to the next or
 * the previous year. */
static const struct { const char *date, *week; } iso_cases[] = {
	{ "2020-12-31", "2020-W53" }, { "2021-01-03", "2020-W53" }, { "2021-01-04", "2021-W01" },
	{ "2024-12-30", "2025-W01" }, { "2025-01-01", "2025-W01" }, { "2025-12-28", "2025-W52" },
	{ "2025-12-29", "2026-W01" }, { "2026-12-31", "2026-W53" }, { "2027-01-03", "2026-W53" },
	{ "2027-01-04", "2027-W01" }, { "2015-12-31", "2015-W53" }, { "2016-01-01", "2015-W53" },
	{ "2008-12-29", "2009-W01" }, { "2010-01-03", "2009-W53" }, { "2026-03-03", "2026-W10" },
};

static void test_iso_weeks(void **state)
{
	char buf[TL_ISOWEEK_LEN];
	(void)state;
	for (size_t i = 0; i < sizeof iso_cases / sizeof iso_cases[0]; i++) {
		tl_cal_iso_week_format(day(iso_cases[i].date), buf);
		if (strcmp(buf, iso_cases[i].week) != 0)
			fail_msg("%s: got %s, expected %s", iso_cases[i].date, buf, iso_cases[i].week);
	}
	assert_int_equal(tl_cal_week_monday(day("2027-01-03")), day("2026-12-28"));
}

static void test_hhmm_weekday(void **state)
{
	int v;
	(void)state;
	assert_int_equal(tl_cal_parse_hhmm("18:30", &v), 0);
	assert_int_equal(v, 18 * 60 + 30);
	assert_int_equal(tl_cal_parse_hhmm("24:00", &v), -1);
	assert_int_equal(tl_cal_parse_hhmm("8:00", &v), -1);
	assert_int_equal(tl_cal_parse_weekday("tue", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(tl_cal_parse_weekday("Sunday", &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(tl_cal_parse_weekday("7", &v), 0);
	assert_int_equal(tl_cal_parse_weekday("t", &v), -1);
	assert_int_equal(tl_cal_parse_weekday("8", &v), -1);
}

/* A Tuesday 18:00 session stays at 18:00 local on both sides of each
 * clock change; its UTC instant moves by the hour instead. */
static const struct { const char *date; int minute; const char *utc_offset_form; int64_t utc_hour; } tz_cases[] = {
	{ "2026-03-24", 18 * 60, "2026-03-24T18:00:00+00:00", 18 }, /* GMT */
	{ "2026-03-31", 18 * 60, "2026-03-31T18:00:00+01:00", 17 }, /* BST from 29 March */
	{ "2026-10-20", 18 * 60, "2026-10-20T18:00:00+01:00", 17 },
	{ "2026-10-27", 18 * 60, "2026-10-27T18:00:00+00:00", 18 }, /* GMT from 25 October */
	{ "2026-03-28", 23 * 60 + 30, "2026-03-28T23:30:00+00:00", 23 },
	{ "2026-03-29", 9 * 60, "2026-03-29T09:00:00+01:00", 8 },   /* the change day itself */
	{ "2026-10-25", 9 * 60, "2026-10-25T09:00:00+00:00", 9 },
};

static void test_clock_changes(void **state)
{
	char buf[TL_LOCAL_LEN];
	int64_t t;
	(void)state;
	assert_true(tl_zone_valid("Europe/London"));
	assert_false(tl_zone_valid("Europe/Atlantis"));
	assert_false(tl_zone_valid("../etc/passwd"));
	for (size_t i = 0; i < sizeof tz_cases / sizeof tz_cases[0]; i++) {
		int64_t d = day(tz_cases[i].date);
		assert_int_equal(tl_zone_to_utc("Europe/London", d, tz_cases[i].minute, &t), 0);
		assert_int_equal(t, d * 86400 + tz_cases[i].utc_hour * 3600 + tz_cases[i].minute % 60 * 60);
		tl_zone_format("Europe/London", t, buf);
		assert_string_equal(buf, tz_cases[i].utc_offset_form);
		assert_int_equal(tl_zone_local_days("Europe/London", t), d);
	}
	/* 01:30 does not exist on 29 March: it is read as 02:30 BST. */
	assert_int_equal(tl_zone_to_utc("Europe/London", day("2026-03-29"), 90, &t), 0);
	tl_zone_format("Europe/London", t, buf);
	assert_string_equal(buf, "2026-03-29T02:30:00+01:00");
	/* Another zone, negative offset. */
	assert_int_equal(tl_zone_to_utc("America/New_York", day("2026-01-15"), 18 * 60, &t), 0);
	tl_zone_format("America/New_York", t, buf);
	assert_string_equal(buf, "2026-01-15T18:00:00-05:00");
}

/* What tl_zone_format must equal: localtime_r, formatted by printf. */
static void reference_format(const char *tz, int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	long off;
	int n;

	setenv("TZ", tz, 1);
	tzset();
	localtime_r(&tt, &tm);
	off = tm.tm_gmtoff;
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900,
	             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	             off < 0 ? '-' : '+', labs(off) / 3600, labs(off) % 3600 / 60);
	/* a reference cut short would compare unequal for the wrong reason */
	assert_true(n > 0 && (size_t)n < len);
}

/* The fast path (an offset remembered per UTC hour, digits by hand) gives
 * exactly localtime_r's answer: every 7 min 17 s through two years, in
 * zones whose clocks change on the hour, at half past (Lord Howe moves by
 * 30 minutes at 15:30 UTC) and at odd offsets, alternating zones so the
 * remembered hours are reused and replaced; and times before 1970. */
static void test_zone_format_fast(void **state)
{
	static const char *const zones[] = { "Europe/London", "America/St_Johns",
		                             "Australia/Lord_Howe", "Asia/Kathmandu", "UTC" };
	char got[TL_LOCAL_LEN], want[64];
	int64_t from = day("2025-01-01") * 86400, to = day("2027-01-01") * 86400;
	long checked = 0;
	(void)state;
	for (int64_t t = from; t < to; t += 437) {
		const char *tz = zones[(t / 437) % 5];
		tl_zone_format(tz, t, got);
		tl_zone_format(tz, t + 1, got); /* the same hour again, from the cache */
		reference_format(tz, t + 1, want, sizeof want);
		assert_string_equal(got, want);
		checked++;
	}
	assert_true(checked > 100000);
	for (int64_t t = -86400LL * 365 * 60; t < 0; t += 86400 * 17 + 3599) {
		tl_zone_format("Europe/London", t, got);
		reference_format("Europe/London", t, want, sizeof want);
		assert_string_equal(got, want);
	}
}

/* Two threads formatting in two zones at once (as the dashboard's two
 * threads do) each get their own zone's answer: the process's one TZ and
 * the remembered hours must not leak from one thread to the other. */
#define ZONE_JOB_N 20000
struct zone_job {
	const char *tz;
	int64_t t[ZONE_JOB_N];
	char want[ZONE_JOB_N][TL_LOCAL_LEN];
	int wrong;
};

static void *zone_job_run(void *arg)
{
	struct zone_job *j = arg;
	char got[TL_LOCAL_LEN];

	for (int i = 0; i < ZONE_JOB_N; i++) {
		tl_zone_format(j->tz, j->t[i], got);
		j->wrong += strcmp(got, j->want[i]) != 0;
	}
	return NULL;
}

static void test_zone_format_threads(void **state)
{
	static struct zone_job jobs[2] = { { .tz = "Europe/London" }, { .tz = "America/New_York" } };
	int64_t base[2] = { day("2026-07-01") * 86400, day("2026-01-05") * 86400 };
	pthread_t th[2];
	(void)state;
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < ZONE_JOB_N; i++) {
			/* hop between hours months apart, so both threads keep missing
			 * their remembered hours and asking the zone */
			jobs[k].t[i] = base[k] + (int64_t)(i % 7) * 86400 * 45 + (int64_t)i * 617;
			reference_format(jobs[k].tz, jobs[k].t[i], jobs[k].want[i], TL_LOCAL_LEN);
		}
	/* reference_format set TZ behind calendar.c's back: agree again */
	{
		char buf[TL_LOCAL_LEN];
		setenv("TZ", "UTC", 1);
		tzset();
		tl_zone_format("UTC", 1, buf); /* an hour not remembered: switches to UTC */
	}
	for (int k = 0; k < 2; k++)
		assert_int_equal(pthread_create(&th[k], NULL, zone_job_run, &jobs[k]), 0);
	for (int k = 0; k < 2; k++)
		pthread_join(th[k], NULL);
	assert_int_equal(jobs[0].wrong, 0);
	assert_int_equal(jobs[1].wrong, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_format),
		cmocka_unit_test(test_iso_weeks),
		cmocka_unit_test(test_hhmm_weekday),
		cmocka_unit_test(test_clock_changes),
		cmocka_unit_test(test_zone_format_fast),
		cmocka_unit_test(test_zone_format_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
