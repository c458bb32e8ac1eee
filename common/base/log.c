/* log.c - see log.h. */
#include "log.h"
#include "tl_time.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *log_program = "touchline";
static enum tl_log_level log_threshold = TL_LOG_INFO;
static const char *const log_names[] = { "debug", "info", "warn", "error" };

/* Sets the name printed on every line and the lowest level printed. */
void tl_log_init(const char *program, enum tl_log_level level)
{
	log_program = program;
	log_threshold = level;
}

int tl_log_level_parse(const char *name, enum tl_log_level *out)
{
	for (int i = 0; i <= TL_LOG_ERROR; i++) {
		if (strcmp(name, log_names[i]) == 0) {
			*out = (enum tl_log_level)i;
			return 0;
		}
	}
	return -1;
}

/* Formats the whole line first so concurrent threads never interleave. */
void tl_log(enum tl_log_level level, const char *fmt, ...)
{
	char msg[1024], stamp[TL_TIME_LEN];
	va_list ap;

	if (level < log_threshold)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	tl_time_format(time(NULL), stamp);
	fprintf(stderr, "%s %s %s: %s\n", stamp, log_program, log_names[level], msg);
}
