/* cmd_schedule.c - touchline schedule add|list|cancel: weekly sessions. */
#include "calendar.h"
#include "cli.h"
#include "cmds.h"
#include "programme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Adds a weekly schedule and generates its sessions, each placed in the
 * programme's zone on its own date, so sessions keep their local time
 * across clock changes. */
int cmd_schedule_add(struct cli *cli, int argc, char **argv)
{
	char site[64] = "", activity[64] = "", weekday[16] = "", start[8] = "", end[8] = "",
	     from[16] = "", to[16] = "", tz[80], fd[TL_DATE_LEN], td[TL_DATE_LEN], *pos[1];
	const struct tl_option opts[] = {
		{ NULL, "site", TL_OPT_STR, site, sizeof site, 0, 0, "SITE", "where" },
		{ NULL, "activity", TL_OPT_STR, activity, sizeof activity, 0, 0, "ACTIVITY", "what" },
		{ NULL, "weekday", TL_OPT_STR, weekday, sizeof weekday, 0, 0, "DAY",
		  "mon..sun or 1..7 (ISO, 1 = Monday)" },
		{ NULL, "start", TL_OPT_STR, start, sizeof start, 0, 0, "HH:MM", "local start" },
		{ NULL, "end", TL_OPT_STR, end, sizeof end, 0, 0, "HH:MM", "local end" },
		{ NULL, "from", TL_OPT_STR, from, sizeof from, 0, 0, "DATE", "first date" },
		{ NULL, "to", TL_OPT_STR, to, sizeof to, 0, 0, "DATE", "last date" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;
	int64_t first, last, id;
	int wd, smin, emin, added = 0;

	cli_args(cli_current(), opts, argc, argv, pos, 1, 1);
	if (!site[0] || !activity[0] || !weekday[0] || !start[0] || !end[0] || !from[0] || !to[0])
		cli_usage_fail("--site, --activity, --weekday, --start, --end, --from and --to are all"
		               " required");
	if (tl_cal_parse_weekday(weekday, &wd))
		cli_usage_fail("--weekday '%s' is not mon..sun or 1..7", weekday);
	if (tl_cal_parse_hhmm(start, &smin) || tl_cal_parse_hhmm(end, &emin))
		cli_usage_fail("--start and --end take local times HH:MM");
	if (emin <= smin)
		cli_usage_fail("--end must be after --start on the same day");
	first = cli_date("--from", from);
	last = cli_date("--to", to);
	if (last < first)
		cli_usage_fail("--to is before --from");
	if (last - first > 7 * 520)
		cli_usage_fail("a schedule may span at most 520 weeks");
	tl_cal_format(first, fd);
	tl_cal_format(last, td);
	cli_begin(cli);
	cli_programme_tz(cli, pos[0], tz, sizeof tz);
	cli_check_site_activity(cli, pos[0], site, activity);
	st = cli_prepare(cli, "INSERT INTO schedule (programme, site, activity, weekday, start_time,"
	                      " end_time, first_date, last_date, created_at)"
	                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
	sqlite3_bind_text(st, 1, pos[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, activity, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, wd);
	sqlite3_bind_text(st, 5, start, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, end, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, fd, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, td, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, (int64_t)time(NULL));
	cli_exec_stmt(cli, st);
	sqlite3_finalize(st);
	id = sqlite3_last_insert_rowid(cli->db);
	for (int64_t d = first + (wd - tl_cal_weekday(first) + 7) % 7; d <= last; d += 7)
		added += cli_session_create(cli, pos[0], tz, site, activity, id, d, smin, emin, 0);
	cli_attendance_refresh(cli);
	cli_commit(cli);
	printf("schedule %lld added: %d session%s\n", (long long)id, added, added == 1 ? "" : "s");
	return 0;
}

int cmd_schedule_list(struct cli *cli, int argc, char **argv)
{
	static const char *const days[] = { "", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	char programme[64] = "";
	const struct tl_option opts[] = {
		{ NULL, "programme", TL_OPT_STR, programme, sizeof programme, 0, 0, "P",
		  "this programme only" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;

	cli_args(cli_current(), opts, argc, argv, NULL, 0, 0);
	st = cli_prepare(cli, "SELECT c.id, c.programme, c.site, c.activity, c.weekday,"
	                      " c.start_time, c.end_time, c.first_date, c.last_date,"
	                      " (SELECT count(*) FROM session s WHERE s.schedule = c.id"
	                      "   AND s.cancelled_at IS NULL),"
	                      " (SELECT count(*) FROM session s WHERE s.schedule = c.id"
	                      "   AND s.cancelled_at IS NOT NULL)"
	                      " FROM schedule c WHERE (?1 IS NULL OR c.programme = ?1) ORDER BY c.id");
	if (programme[0])
		sqlite3_bind_text(st, 1, programme, -1, SQLITE_STATIC);
	printf("%-5s %-16s %-16s %-12s %-3s %-11s %-10s %-10s %-8s %s\n", "ID", "PROGRAMME", "SITE",
	       "ACTIVITY", "DAY", "TIME", "FROM", "TO", "SESSIONS", "CANCELLED");
	while (sqlite3_step(st) == SQLITE_ROW) {
		int wd = sqlite3_column_int(st, 4);
		printf("%-5lld %-16s %-16s %-12s %-3s %s-%s %-10s %-10s %-8d %d\n",
		       (long long)sqlite3_column_int64(st, 0), cli_text(st, 1),
		       cli_text(st, 2), cli_text(st, 3),
		       days[wd >= 1 && wd <= 7 ? wd : 0], cli_text(st, 5),
		       cli_text(st, 6), cli_text(st, 7),
		       cli_text(st, 8), sqlite3_column_int(st, 9),
		       sqlite3_column_int(st, 10));
	}
	sqlite3_finalize(st);
	return 0;
}

/* Cancels one session of a schedule (--date) or every session from a date
 * on (--from, which also ends the schedule the day before). Cancelled
 * sessions stay listed; nobody is counted as missing them, and taps at
 * them are listed as unmatched. */
int cmd_schedule_cancel(struct cli *cli, int argc, char **argv)
{
	char date[16] = "", from[16] = "", reason[256] = "", d[TL_DATE_LEN], *pos[1], *end;
	const struct tl_option opts[] = {
		{ NULL, "date", TL_OPT_STR, date, sizeof date, 0, 0, "DATE", "cancel this date's session" },
		{ NULL, "from", TL_OPT_STR, from, sizeof from, 0, 0, "DATE",
		  "cancel every session from DATE on" },
		{ NULL, "reason", TL_OPT_STR, reason, sizeof reason, 0, 0, "TEXT", "why (shown in lists)" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;
	long long id;
	int n;

	cli_args(cli_current(), opts, argc, argv, pos, 1, 1);
	id = strtoll(pos[0], &end, 10);
	if (*end || id <= 0)
		cli_usage_fail("schedule id '%s' is not a number", pos[0]);
	if (!!date[0] == !!from[0])
		cli_usage_fail("give exactly one of --date DATE or --from DATE");
	tl_cal_format(cli_date(date[0] ? "--date" : "--from", date[0] ? date : from), d);
	cli_begin(cli);
	st = cli_prepare(cli, "SELECT 1 FROM schedule WHERE id = ?1");
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		cli_fail("no schedule %lld", id);
	sqlite3_finalize(st);
	st = cli_prepare(cli, "UPDATE session SET cancelled_at = ?3, cancel_reason = ?4"
	                      " WHERE schedule = ?1 AND cancelled_at IS NULL"
	                      " AND (local_date = ?2 OR (?5 AND local_date >= ?2))");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, d, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)time(NULL));
	if (reason[0])
		sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, from[0] != '\0');
	cli_exec_stmt(cli, st);
	sqlite3_finalize(st);
	n = sqlite3_changes(cli->db);
	if (n == 0)
		cli_fail("schedule %lld has no session %s %s to cancel", id, from[0] ? "from" : "on", d);
	if (from[0]) {
		st = cli_prepare(cli, "UPDATE schedule SET last_date = date(?2, '-1 day')"
		                      " WHERE id = ?1 AND last_date >= ?2");
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, d, -1, SQLITE_STATIC);
		cli_exec_stmt(cli, st);
		sqlite3_finalize(st);
	}
	cli_attendance_refresh(cli);
	cli_commit(cli);
	printf("%d session%s of schedule %lld cancelled\n", n, n == 1 ? "" : "s", id);
	return 0;
}
