/* feedback_pattern.c - the one table of LED and buzzer patterns. Each lasts
 * under a second, so a second tap is never kept waiting for the first's. */
#include "feedback_pattern.h"

#include <string.h>

#define G(ms) { ms, { 1, 0, 0 } }
#define R(ms) { ms, { 0, 1, 0 } }
#define GB(ms) { ms, { 1, 0, 1 } }
#define RB(ms) { ms, { 0, 1, 1 } }
#define GR(ms) { ms, { 1, 1, 0 } }
#define GRB(ms) { ms, { 1, 1, 1 } }
#define OFF(ms) { ms, { 0, 0, 0 } }

static const struct fb_pattern fb_patterns[FB_PAT_COUNT] = {
	/* green, one short beep */
	[FB_PAT_RECORDED] = { "recorded", 2, { GB(80), G(420) } },
	/* two green blinks, silent */
	[FB_PAT_DUPLICATE] = { "already tapped", 3, { G(150), OFF(100), G(150) } },
	/* red, two beeps */
	[FB_PAT_UNKNOWN] = { "unknown card", 4, { RB(100), R(100), RB(100), R(300) } },
	/* green and red together (amber), one short beep */
	[FB_PAT_OFFLINE] = { "stored offline", 2, { GRB(80), GR(520) } },
	/* red with a long beep */
	[FB_PAT_REJECTED] = { "rejected", 1, { RB(700) } },
	/* green and red in turn, silent: tap the new card now */
	[FB_PAT_STAFF] = { "staff mode", 6, { G(120), R(120), G(120), R(120), G(120), R(120) } },
};

const struct fb_pattern *fb_pattern(enum fb_pattern_id id)
{
	return &fb_patterns[id < FB_PAT_COUNT ? id : FB_PAT_REJECTED];
}

int64_t fb_pattern_at(const struct fb_pattern *p, int64_t t_ms, uint8_t on[FB_LINES])
{
	int64_t start = 0;

	for (int i = 0; i < p->nsteps; i++) {
		int64_t end = start + p->steps[i].ms;
		if (t_ms >= start && t_ms < end) {
			memcpy(on, p->steps[i].on, FB_LINES);
			return end - t_ms;
		}
		start = end;
	}
	memset(on, 0, FB_LINES);
	return -1;
}

int64_t fb_pattern_length(const struct fb_pattern *p)
{
	int64_t n = 0;
	for (int i = 0; i < p->nsteps; i++)
		n += p->steps[i].ms;
	return n;
}
