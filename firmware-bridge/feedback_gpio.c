/* feedback_gpio.c - LEDs and a buzzer on GPIO lines (libgpiod 1.6), set by
 * the main loop: feedback_gpio_play starts a pattern (feedback_pattern.c)
 * and returns at once; feedback_gpio_tick, on every pass of the main loop,
 * sets the lines the pattern asks for now. Nothing here sleeps or waits,
 * so the spool and the taps are never held up. A new pattern replaces the
 * one playing. Main thread only. */
#include "bridge.h"
#include "feedback_pattern.h"
#include "log.h"

#include <errno.h>
#include <gpiod.h>
#include <string.h>

static struct {
	struct gpiod_chip *chip;
	struct gpiod_line *line[FB_LINES]; /* NULL: not wired */
	uint8_t state[FB_LINES];
	const struct fb_pattern *playing;  /* NULL: idle */
	int64_t started_ms;
} fb_gpio;

/* Claims the configured lines as outputs, all off. A chip or line that
 * cannot be had is logged and left out: the bridge runs without lights
 * rather than not at all. */
int feedback_gpio_open(const char *chip, const long pins[FB_LINES])
{
	static const char *const names[FB_LINES] = { "green", "red", "buzzer" };
	int any = 0;

	if (!chip[0])
		return 0;
	fb_gpio.chip = gpiod_chip_open_lookup(chip);
	if (!fb_gpio.chip) {
		tl_error("feedback: GPIO chip %s: %s; no lights or buzzer", chip, strerror(errno));
		return -1;
	}
	for (int i = 0; i < FB_LINES; i++) {
		struct gpiod_line *l;
		if (pins[i] < 0)
			continue;
		l = gpiod_chip_get_line(fb_gpio.chip, (unsigned)pins[i]);
		if (!l || gpiod_line_request_output(l, "touchline-bridge", 0) < 0) {
			tl_error("feedback: GPIO %s line %ld (%s): %s; left out", chip, pins[i],
			         names[i], strerror(errno));
			continue;
		}
		fb_gpio.line[i] = l;
		any = 1;
	}
	tl_info("feedback: GPIO %s, green %ld, red %ld, buzzer %ld", chip, pins[FB_GREEN],
	        pins[FB_RED], pins[FB_BUZZER]);
	return any ? 0 : -1;
}

void feedback_gpio_play(enum fb_pattern_id id, int64_t now_ms)
{
	if (!fb_gpio.chip)
		return;
	fb_gpio.playing = fb_pattern(id);
	fb_gpio.started_ms = now_ms;
	feedback_gpio_tick(now_ms);
}

int64_t feedback_gpio_tick(int64_t now_ms)
{
	uint8_t on[FB_LINES];
	int64_t next;

	if (!fb_gpio.playing)
		return -1;
	next = fb_pattern_at(fb_gpio.playing, now_ms - fb_gpio.started_ms, on);
	for (int i = 0; i < FB_LINES; i++) {
		if (!fb_gpio.line[i] || on[i] == fb_gpio.state[i])
			continue;
		if (gpiod_line_set_value(fb_gpio.line[i], on[i]) == 0)
			fb_gpio.state[i] = on[i];
	}
	if (next < 0)
		fb_gpio.playing = NULL;
	return next;
}

void feedback_gpio_close(void)
{
	for (int i = 0; i < FB_LINES; i++)
		if (fb_gpio.line[i]) {
			gpiod_line_set_value(fb_gpio.line[i], 0);
			gpiod_line_release(fb_gpio.line[i]);
			fb_gpio.line[i] = NULL;
		}
	if (fb_gpio.chip)
		gpiod_chip_close(fb_gpio.chip);
	fb_gpio.chip = NULL;
	fb_gpio.playing = NULL;
}
