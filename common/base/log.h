/* log.h - the one logger of every Touchline program.
 *
 * Lines go to stderr as "2026-03-03T18:05:12Z collector info: message".
 * Timestamps are UTC. The logger is thread-safe (one fprintf per line). */
#ifndef TL_LOG_H
#define TL_LOG_H

enum tl_log_level { TL_LOG_DEBUG, TL_LOG_INFO, TL_LOG_WARN, TL_LOG_ERROR };

void tl_log_init(const char *program, enum tl_log_level level);
/* Parses "debug", "info", "warn" or "error"; returns -1 on anything else. */
int tl_log_level_parse(const char *name, enum tl_log_level *out);
void tl_log(enum tl_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define tl_debug(...) tl_log(TL_LOG_DEBUG, __VA_ARGS__)
#define tl_info(...)  tl_log(TL_LOG_INFO, __VA_ARGS__)
#define tl_warn(...)  tl_log(TL_LOG_WARN, __VA_ARGS__)
#define tl_error(...) tl_log(TL_LOG_ERROR, __VA_ARGS__)

#endif
