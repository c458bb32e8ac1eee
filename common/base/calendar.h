/* calendar.h - civil dates, ISO 8601 weeks and local time in an IANA zone.
 *
 * Programme dates are local calendar dates ("YYYY-MM-DD", compared as text)
 * and are turned into day numbers (days since 1970-01-01) for arithmetic.
 * Session instants are UTC Unix seconds, computed once from the local date
 * and time in the programme's zone, so clock changes never move a session.
 *
 * The tl_cal_* functions are pure arithmetic and thread-safe. The tl_zone_*
 * functions set the process's TZ (setenv + tzset): only single-threaded
 * programs (the CLI, the dashboard's worker) may call them. */
#ifndef TL_CALENDAR_H
#define TL_CALENDAR_H

#include <stdint.h>

#define TL_DATE_LEN 11    /* "YYYY-MM-DD" + NUL */
#define TL_ISOWEEK_LEN 9  /* "YYYY-Www" + NUL */
#define TL_LOCAL_LEN 26   /* "YYYY-MM-DDTHH:MM:SS+hh:mm" + NUL */

int64_t tl_cal_days(int y, int m, int d);
void tl_cal_civil(int64_t days, int *y, int *m, int *d);
/* Strict "YYYY-MM-DD", years 1970 to 9999. */
/* Reads exactly n decimal digits at s into *out; -1 if any is not one. */
int tl_cal_digits(const char *s, int n, int *out);
/* The same for the date at the start of a longer text (a timestamp). */
int tl_cal_parse_prefix(const char *text, int64_t *days);
int tl_cal_parse(const char *text, int64_t *days);
void tl_cal_format(int64_t days, char buf[TL_DATE_LEN]);
/* ISO weekday: 1 Monday ... 7 Sunday. */
int tl_cal_weekday(int64_t days);
/* The ISO 8601 week-numbering year and week (1 to 53) of a day. */
void tl_cal_iso_week(int64_t days, int *year, int *week);
/* "2026-W09": sorts as text in time order. */
void tl_cal_iso_week_format(int64_t days, char buf[TL_ISOWEEK_LEN]);
/* The Monday of the ISO week holding days. */
int64_t tl_cal_week_monday(int64_t days);
/* "HH:MM" (00:00 to 23:59) to minutes after midnight. */
int tl_cal_parse_hhmm(const char *text, int *minutes);
/* Weekday as 1-7 or a name ("mon", "Monday", ...). */
int tl_cal_parse_weekday(const char *text, int *weekday);

/* Whether tz names an installed IANA zone (TZDIR or /usr/share/zoneinfo).
 * glibc silently treats an unknown zone as UTC, so names are checked. */
int tl_zone_valid(const char *tz);
/* UTC seconds of local date days at minute_of_day in tz. A local time
 * that a spring-forward skips is read with the offset before the change
 * (so 01:30 becomes 02:30 BST); a repeated autumn time is resolved by
 * mktime (tm_isdst = -1). */
int tl_zone_to_utc(const char *tz, int64_t days, int minute_of_day, int64_t *out);
/* Local "YYYY-MM-DDTHH:MM:SS+hh:mm" of t in tz. */
void tl_zone_format(const char *tz, int64_t t, char buf[TL_LOCAL_LEN]);
/* Local date (day number) of t in tz. */
int64_t tl_zone_local_days(const char *tz, int64_t t);
#endif
