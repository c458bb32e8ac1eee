/* cli_programme.c - see programme.h. */
#include "programme.h"
#include "attendance.h"
#include "calendar.h"
#include "tl_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t cli_as_of(void)
{
	const char *env = getenv("TOUCHLINE_AS_OF");
	int64_t t;

	if (!env || !env[0])
		return (int64_t)time(NULL);
	if (tl_time_parse(env, &t))
		cli_fail("TOUCHLINE_AS_OF '%s' is not an RFC 3339 UTC time", env);
	return t;
}

void cli_attendance_refresh(struct cli *cli)
{
	struct tl_rebuild_stats stats;
	char err[512];

	if (tl_attendance_rebuild(cli->db, cli_as_of(), &stats, err, sizeof err))
		cli_fail("attendance rebuild: %s", err);
}

int64_t cli_date(const char *flag, const char *text)
{
	int64_t days;
	if (tl_cal_parse(text, &days))
		cli_usage_fail("%s '%s' is not a date YYYY-MM-DD", flag, text);
	return days;
}

void cli_programme_tz(struct cli *cli, const char *programme, char *tz, size_t size)
{
	sqlite3_stmt *st = cli_prepare(cli, "SELECT tz FROM programme WHERE id = ?1");

	sqlite3_bind_text(st, 1, programme, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		cli_fail("no programme '%s' (add it with 'touchline programme add')", programme);
	snprintf(tz, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

void cli_check_site_activity(struct cli *cli, const char *programme, const char *site,
                             const char *activity)
{
	sqlite3_stmt *st = cli_prepare(cli, "SELECT 1 FROM programme_site"
	                                    " WHERE programme = ?1 AND site = ?2");

	sqlite3_bind_text(st, 1, programme, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, site, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		cli_fail("site '%s' is not a site of programme '%s'", site, programme);
	sqlite3_finalize(st);
	st = cli_prepare(cli, "SELECT 1 FROM activity WHERE id = ?1");
	sqlite3_bind_text(st, 1, activity, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		cli_fail("no activity '%s' (see 'touchline activity list')", activity);
	sqlite3_finalize(st);
}

int cli_session_create(struct cli *cli, const char *programme, const char *tz, const char *site,
                       const char *activity, int64_t schedule, int64_t days, int start_min,
                       int end_min)
{
	char date[TL_DATE_LEN], week[TL_ISOWEEK_LEN], monday[TL_DATE_LEN], hs[8], he[8];
	int64_t start, end;
	sqlite3_stmt *st;

	tl_cal_format(days, date);
	if (tl_zone_to_utc(tz, days, start_min, &start) || tl_zone_to_utc(tz, days, end_min, &end))
		cli_fail("cannot place %s in time zone %s", date, tz);
	if (end <= start)
		cli_fail("session on %s ends before it starts", date);
	tl_cal_iso_week_format(days, week);
	tl_cal_format(tl_cal_week_monday(days), monday);
	snprintf(hs, sizeof hs, "%02d:%02d", start_min / 60 % 100, start_min % 60);
	snprintf(he, sizeof he, "%02d:%02d", end_min / 60 % 100, end_min % 60);
	st = cli_prepare(cli, "INSERT INTO session (programme, site, activity, schedule, local_date,"
	                      " start_time, end_time, start_ts, end_ts, iso_week, week_start,"
	                      " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
	                      " ON CONFLICT DO NOTHING");
	sqlite3_bind_text(st, 1, programme, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, activity, -1, SQLITE_STATIC);
	if (schedule)
		sqlite3_bind_int64(st, 4, schedule);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_text(st, 5, date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, hs, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, he, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, start);
	sqlite3_bind_int64(st, 9, end);
	sqlite3_bind_text(st, 10, week, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, monday, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 12, (int64_t)time(NULL));
	cli_exec_stmt(cli, st);
	sqlite3_finalize(st);
	return sqlite3_changes(cli->db) > 0;
}
