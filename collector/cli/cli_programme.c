/* cli_programme.c - see programme.h. */
#include "programme.h"
#include "attendance.h"
#include "calendar.h"
#include "session.h"
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

	if (cli_trapped()) { /* an import rebuilds once, at its end */
		cli_defer_rebuild();
		return;
	}
	if (tl_attendance_rebuild(cli->db, cli_as_of(), &stats, err, sizeof err))
		cli_fail("attendance rebuild: %s", err);
}

void cli_attendance_participant(struct cli *cli, int64_t participant)
{
	char err[512];
	struct tl_engine *e;

	if (cli_trapped()) {
		cli_defer_rebuild();
		return;
	}
	e = tl_engine_open(cli->db, err, sizeof err);
	if (!e || tl_attendance_participant(e, participant, err, sizeof err))
		cli_fail("attendance: %s", err);
	tl_engine_close(e);
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
                       int end_min, int expected_of_none)
{
	const struct tl_session_spec spec = { programme, tz, site, activity, schedule, days,
		                              start_min, end_min, expected_of_none };
	char err[256];
	int rc = tl_session_insert(cli->db, &spec, NULL, err, sizeof err);

	if (rc < 0)
		cli_fail("%s", err);
	return rc;
}
