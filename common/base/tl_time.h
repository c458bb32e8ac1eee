/* tl_time.h - UTC timestamps as they appear on the wire and in storage.
 *
 * Storage keeps Unix seconds (INTEGER); the wire and exports use RFC 3339
 * with a "Z" suffix, e.g. 2026-03-03T18:05:12Z. Calendar dates and local
 * time are in calendar.h. */
#ifndef TL_TIME_H
#define TL_TIME_H

#include <stdint.h>

#define TL_TIME_LEN 21 /* "YYYY-MM-DDTHH:MM:SSZ" plus NUL */

/* Parses an RFC 3339 UTC timestamp ("Z" or "+00:00", optional fraction,
 * which is dropped). Returns 0 and sets *out, or -1 if malformed. */
int tl_time_parse(const char *text, int64_t *out);
/* Writes the RFC 3339 UTC form of t into buf. */
void tl_time_format(int64_t t, char buf[TL_TIME_LEN]);
/* Monotonic milliseconds, for intervals: they never jump with the wall
 * clock (set late at a venue with no network, or stepped by NTP). */
int64_t tl_monotonic_ms(void);

#endif
