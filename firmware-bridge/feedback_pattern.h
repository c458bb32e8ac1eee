/* feedback_pattern.h - the LED and buzzer patterns, one per outcome, as
 * data: a pattern is a few steps of fixed length, each a state of the
 * green LED, the red LED and the buzzer. Pure: no GPIO, no clock, so the
 * table is unit-tested as a timeline (tests/unit/test_feedback_pattern.c). */
#ifndef TL_FEEDBACK_PATTERN_H
#define TL_FEEDBACK_PATTERN_H

#include <stdint.h>

enum fb_pattern_id {
	FB_PAT_RECORDED, FB_PAT_DUPLICATE, FB_PAT_UNKNOWN, FB_PAT_OFFLINE, FB_PAT_REJECTED,
	FB_PAT_STAFF, FB_PAT_COUNT
};

/* The lines a pattern drives, in this order. */
enum fb_line { FB_GREEN, FB_RED, FB_BUZZER, FB_LINES };

#define FB_STEPS_MAX 8

struct fb_step {
	int ms;               /* how long this state lasts */
	uint8_t on[FB_LINES]; /* 1: line active */
};

struct fb_pattern {
	const char *name;     /* as in docs/bridge.md */
	int nsteps;
	struct fb_step steps[FB_STEPS_MAX];
};

/* The pattern for an outcome. */
const struct fb_pattern *fb_pattern(enum fb_pattern_id id);
/* The lines' states t_ms after the pattern started (all off once it is
 * over); returns the ms until the next change, or -1 when it is over. */
int64_t fb_pattern_at(const struct fb_pattern *p, int64_t t_ms, uint8_t on[FB_LINES]);
/* How long the pattern lasts, in ms. */
int64_t fb_pattern_length(const struct fb_pattern *p);

#endif
