/* session.h - creating a session: its local date and times, the UTC
 * instants they mean in the programme's zone on that date, and its ISO
 * week. The one way sessions are made (CLI, generator, tests). */
#ifndef TL_SESSION_H
#define TL_SESSION_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"

struct tl_session_place {
	int64_t start, end; /* UTC */
	char date[TL_DATE_LEN], iso_week[TL_ISOWEEK_LEN], week_start[TL_DATE_LEN];
	char start_time[8], end_time[8]; /* local HH:MM */
};

/* Places a session on local day `day` from start_min to end_min (minutes
 * after local midnight) in tz. A local time skipped by a clock change is
 * read as the same clock time after it (mktime with tm_isdst = -1).
 * Returns 0, or -1 with err set (no such time, or it ends before it
 * starts). */
int tl_session_place(const char *tz, int64_t day, int start_min, int end_min,
                     struct tl_session_place *out, char *err, size_t errlen);

struct tl_session_spec {
	const char *programme, *tz, *site, *activity;
	int64_t schedule; /* 0: a one-off */
	int64_t day;
	int start_min, end_min;
	int expected_of_none; /* a one-off expected of nobody (a drop-in) */
};

/* Places and inserts one session; *id gets its id when added. Returns 1
 * if added, 0 if the same session (programme, site, activity, date,
 * start) already exists, -1 with err set. */
int tl_session_insert(sqlite3 *db, const struct tl_session_spec *spec, int64_t *id, char *err,
                      size_t errlen);

#endif
