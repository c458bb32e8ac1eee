/* session.c - see session.h. */
#include "session.h"

#include <stdio.h>
#include <time.h>

int tl_session_place(const char *tz, int64_t day, int start_min, int end_min,
                     struct tl_session_place *out, char *err, size_t errlen)
{
	tl_cal_format(day, out->date);
	if (start_min < 0 || end_min < 0 || start_min >= 24 * 60 || end_min > 24 * 60 ||
	    tl_zone_to_utc(tz, day, start_min, &out->start) ||
	    tl_zone_to_utc(tz, day, end_min, &out->end)) {
		snprintf(err, errlen, "cannot place a session on %s in time zone %s", out->date, tz);
		return -1;
	}
	if (out->end <= out->start) {
		snprintf(err, errlen, "the session on %s ends before it starts", out->date);
		return -1;
	}
	tl_cal_iso_week_format(day, out->iso_week);
	tl_cal_format(tl_cal_week_monday(day), out->week_start);
	snprintf(out->start_time, sizeof out->start_time, "%02d:%02d", start_min / 60, start_min % 60);
	snprintf(out->end_time, sizeof out->end_time, "%02d:%02d", end_min / 60 % 100, end_min % 60);
	return 0;
}

int tl_session_insert(sqlite3 *db, const struct tl_session_spec *sp, int64_t *id, char *err,
                      size_t errlen)
{
	struct tl_session_place pl;
	sqlite3_stmt *st = NULL;
	int rc;

	if (tl_session_place(sp->tz, sp->day, sp->start_min, sp->end_min, &pl, err, errlen))
		return -1;
	if (sqlite3_prepare_v2(db,
	                       "INSERT INTO session (programme, site, activity, schedule, local_date,"
	                       " start_time, end_time, start_ts, end_ts, iso_week, week_start,"
	                       " expected_of, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
	                       " ?10, ?11, ?12, ?13) ON CONFLICT DO NOTHING",
	                       -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "adding a session: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(st, 1, sp->programme, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sp->site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sp->activity, -1, SQLITE_STATIC);
	if (sp->schedule)
		sqlite3_bind_int64(st, 4, sp->schedule);
	sqlite3_bind_text(st, 5, pl.date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, pl.start_time, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, pl.end_time, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, pl.start);
	sqlite3_bind_int64(st, 9, pl.end);
	sqlite3_bind_text(st, 10, pl.iso_week, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, pl.week_start, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, sp->expected_of_none ? "none" : "site", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 13, (int64_t)time(NULL));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "adding the session on %s: %s", pl.date, sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_changes(db) == 0)
		return 0;
	if (id)
		*id = sqlite3_last_insert_rowid(db);
	return 1;
}
