/* The LED and buzzer pattern table, as timelines of line states: each
 * outcome's pattern is distinct, short, starts lit, ends with every line
 * off, and fb_pattern_at walks it step by step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "feedback_pattern.h"

/* The timeline of a pattern sampled every 10 ms, as text: one character
 * per sample, "G", "R", "B" bits packed as a digit (G=1, R=2, B=4). */
static void timeline(const struct fb_pattern *p, char *out, size_t size)
{
	size_t n = 0;
	uint8_t on[FB_LINES];

	for (int64_t t = 0; n + 1 < size; t += 10) {
		int64_t next = fb_pattern_at(p, t, on);
		out[n++] = (char)('0' + on[FB_GREEN] + 2 * on[FB_RED] + 4 * on[FB_BUZZER]);
		if (next < 0)
			break;
	}
	out[n] = '\0';
}

/* Each pattern: under a second, lit at once, all off at its end. */
static void test_shape(void **state)
{
	(void)state;
	for (int id = 0; id < FB_PAT_COUNT; id++) {
		const struct fb_pattern *p = fb_pattern((enum fb_pattern_id)id);
		uint8_t on[FB_LINES];
		int64_t len = fb_pattern_length(p);

		assert_non_null(p->name);
		assert_true(p->nsteps >= 1 && p->nsteps <= FB_STEPS_MAX);
		assert_true(len > 0 && len < 1000);
		assert_true(fb_pattern_at(p, 0, on) > 0);
		assert_true(on[FB_GREEN] || on[FB_RED]);
		assert_int_equal(fb_pattern_at(p, len, on), -1);
		assert_int_equal(on[FB_GREEN] + on[FB_RED] + on[FB_BUZZER], 0);
		assert_int_equal(fb_pattern_at(p, len + 5000, on), -1);
	}
}

/* No two outcomes look and sound the same. */
static void test_distinct(void **state)
{
	char a[256], b[256];

	(void)state;
	for (int i = 0; i < FB_PAT_COUNT; i++)
		for (int j = i + 1; j < FB_PAT_COUNT; j++) {
			timeline(fb_pattern((enum fb_pattern_id)i), a, sizeof a);
			timeline(fb_pattern((enum fb_pattern_id)j), b, sizeof b);
			assert_string_not_equal(a, b);
			assert_string_not_equal(fb_pattern((enum fb_pattern_id)i)->name,
			                        fb_pattern((enum fb_pattern_id)j)->name);
		}
}

/* The timelines themselves, from the table: recorded is green with a short
 * beep; unknown card is red with two beeps; staff mode alternates. */
static void test_timelines(void **state)
{
	char t[256], want[256];
	uint8_t on[FB_LINES];

	(void)state;
	timeline(fb_pattern(FB_PAT_RECORDED), t, sizeof t);
	memset(want, '1', 50);
	memset(want, '5', 8);
	want[50] = '0';
	want[51] = '\0';
	assert_string_equal(t, want);

	/* unknown: beep, gap, beep, then red alone */
	assert_int_equal(fb_pattern_at(fb_pattern(FB_PAT_UNKNOWN), 50, on), 50);
	assert_true(on[FB_RED] && on[FB_BUZZER] && !on[FB_GREEN]);
	assert_int_equal(fb_pattern_at(fb_pattern(FB_PAT_UNKNOWN), 150, on), 50);
	assert_true(on[FB_RED] && !on[FB_BUZZER]);
	assert_int_equal(fb_pattern_at(fb_pattern(FB_PAT_UNKNOWN), 200, on), 100);
	assert_true(on[FB_BUZZER]);

	/* staff mode: green and red in turn, never both, never the buzzer */
	for (int64_t ms = 0; ms < fb_pattern_length(fb_pattern(FB_PAT_STAFF)); ms += 10) {
		fb_pattern_at(fb_pattern(FB_PAT_STAFF), ms, on);
		assert_int_equal(on[FB_GREEN] + on[FB_RED], 1);
		assert_int_equal(on[FB_GREEN], (ms / 120) % 2 == 0);
		assert_int_equal(on[FB_BUZZER], 0);
	}
	/* already tapped is silent; rejected and offline beep */
	timeline(fb_pattern(FB_PAT_DUPLICATE), t, sizeof t);
	assert_null(strpbrk(t, "4567"));
	timeline(fb_pattern(FB_PAT_REJECTED), t, sizeof t);
	assert_non_null(strpbrk(t, "4567"));
	timeline(fb_pattern(FB_PAT_OFFLINE), t, sizeof t);
	assert_int_equal(t[0], '7');
	/* an id out of range falls back to "rejected", never out of the table */
	assert_ptr_equal(fb_pattern(FB_PAT_COUNT), fb_pattern(FB_PAT_REJECTED));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_distinct),
		cmocka_unit_test(test_timelines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
