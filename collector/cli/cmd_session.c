/* cmd_session.c - touchline session add|list|cancel: one-off sessions and
 * the list of every session. */
#include "calendar.h"
#include "cli.h"
#include "cmds.h"
#include "programme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int cmd_session_add(struct cli *cli, int argc, char **argv)
{
	char site[64] = "", activity[64] = "", date[16] = "", start[8] = "", end[8] = "", tz[80],
	     expected[8] = "site", *pos[1];
	const struct tl_option opts[] = {
		{ NULL, "site", TL_OPT_STR, site, sizeof site, 0, 0, "SITE", "where" },
		{ NULL, "activity", TL_OPT_STR, activity, sizeof activity, 0, 0, "ACTIVITY", "what" },
		{ NULL, "date", TL_OPT_STR, date, sizeof date, 0, 0, "DATE", "local date" },
		{ NULL, "start", TL_OPT_STR, start, sizeof start, 0, 0, "HH:MM", "local start" },
		{ NULL, "end", TL_OPT_STR, end, sizeof end, 0, 0, "HH:MM", "local end" },
		{ NULL, "expected", TL_OPT_STR, expected, sizeof expected, 0, 0, "site|none",
		  "expected of everyone enrolled at the site (default) or of nobody (a drop-in:"
		  " attending counts as an extra)" },
		TL_OPT_END,
	};
	int smin, emin;
	int64_t d;

	cli_args(cli_current(), opts, argc, argv, pos, 1, 1);
	if (!site[0] || !activity[0] || !date[0] || !start[0] || !end[0])
		cli_usage_fail("--site, --activity, --date, --start and --end are all required");
	if (tl_cal_parse_hhmm(start, &smin) || tl_cal_parse_hhmm(end, &emin))
		cli_usage_fail("--start and --end take local times HH:MM");
	if (emin <= smin)
		cli_usage_fail("--end must be after --start on the same day");
	if (strcmp(expected, "site") != 0 && strcmp(expected, "none") != 0)
		cli_usage_fail("--expected takes site or none, not '%s'", expected);
	d = cli_date("--date", date);
	cli_begin(cli);
	cli_programme_tz(cli, pos[0], tz, sizeof tz);
	cli_check_site_activity(cli, pos[0], site, activity);
	if (!cli_session_create(cli, pos[0], tz, site, activity, 0, d, smin, emin,
	                        strcmp(expected, "none") == 0))
		cli_fail("that session already exists");
	printf("session %lld added\n", (long long)sqlite3_last_insert_rowid(cli->db));
	cli_attendance_refresh(cli);
	cli_commit(cli);
	return 0;
}

int cmd_session_list(struct cli *cli, int argc, char **argv)
{
	char programme[64] = "", site[64] = "", from[16] = "", to[16] = "";
	char fd[TL_DATE_LEN], td[TL_DATE_LEN];
	const struct tl_option opts[] = {
		{ NULL, "programme", TL_OPT_STR, programme, sizeof programme, 0, 0, "P", "only P" },
		{ NULL, "site", TL_OPT_STR, site, sizeof site, 0, 0, "SITE", "only at SITE" },
		{ NULL, "from", TL_OPT_STR, from, sizeof from, 0, 0, "DATE", "from this local date" },
		{ NULL, "to", TL_OPT_STR, to, sizeof to, 0, 0, "DATE", "to this local date" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;

	cli_args(cli_current(), opts, argc, argv, NULL, 0, 0);
	st = cli_prepare(cli, "SELECT s.id, s.programme, s.site, s.activity, s.local_date,"
	                      " s.start_time, s.end_time, s.iso_week,"
	                      " CASE WHEN s.cancelled_at IS NOT NULL THEN 'cancelled'"
	                      "  WHEN s.schedule IS NULL THEN 'one-off' ELSE 'scheduled' END,"
	                      " (SELECT count(*) FROM attendance a WHERE a.session = s.id"
	                      "   AND a.expected),"
	                      " (SELECT count(*) FROM attendance a WHERE a.session = s.id"
	                      "   AND a.attended AND a.expected), coalesce(s.cancel_reason, ''),"
	                      " (SELECT count(*) FROM attendance a WHERE a.session = s.id"
	                      "   AND a.attended AND NOT a.expected)"
	                      " FROM session s WHERE (?1 IS NULL OR s.programme = ?1)"
	                      " AND (?2 IS NULL OR s.site = ?2) AND (?3 IS NULL OR s.local_date >= ?3)"
	                      " AND (?4 IS NULL OR s.local_date <= ?4) ORDER BY s.start_ts, s.id");
	if (programme[0])
		sqlite3_bind_text(st, 1, programme, -1, SQLITE_STATIC);
	if (site[0])
		sqlite3_bind_text(st, 2, site, -1, SQLITE_STATIC);
	if (from[0]) {
		tl_cal_format(cli_date("--from", from), fd);
		sqlite3_bind_text(st, 3, fd, -1, SQLITE_STATIC);
	}
	if (to[0]) {
		tl_cal_format(cli_date("--to", to), td);
		sqlite3_bind_text(st, 4, td, -1, SQLITE_STATIC);
	}
	printf("%-6s %-16s %-16s %-12s %-10s %-11s %-8s %-9s %-8s %-5s %s\n", "ID", "PROGRAMME",
	       "SITE", "ACTIVITY", "DATE", "TIME", "WEEK", "STATUS", "ATTENDED", "EXTRA", "NOTE");
	while (sqlite3_step(st) == SQLITE_ROW) {
		char att[32];
		snprintf(att, sizeof att, "%d/%d", sqlite3_column_int(st, 10),
		         sqlite3_column_int(st, 9));
		printf("%-6lld %-16s %-16s %-12s %-10s %s-%s %-8s %-9s %-8s %-5d %s\n",
		       (long long)sqlite3_column_int64(st, 0), cli_text(st, 1),
		       cli_text(st, 2), cli_text(st, 3),
		       cli_text(st, 4), cli_text(st, 5),
		       cli_text(st, 6), cli_text(st, 7),
		       cli_text(st, 8), att, sqlite3_column_int(st, 12),
		       cli_text(st, 11));
	}
	sqlite3_finalize(st);
	return 0;
}

/* Cancels one session, scheduled or one-off. */
int cmd_session_cancel(struct cli *cli, int argc, char **argv)
{
	char reason[256] = "", *pos[1], *end;
	const struct tl_option opts[] = {
		{ NULL, "reason", TL_OPT_STR, reason, sizeof reason, 0, 0, "TEXT", "why" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;
	long long id;

	cli_args(cli_current(), opts, argc, argv, pos, 1, 1);
	id = strtoll(pos[0], &end, 10);
	if (*end || id <= 0)
		cli_usage_fail("session id '%s' is not a number", pos[0]);
	cli_begin(cli);
	st = cli_prepare(cli, "UPDATE session SET cancelled_at = ?2, cancel_reason = ?3"
	                      " WHERE id = ?1 AND cancelled_at IS NULL");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
	if (reason[0])
		sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	cli_exec_stmt(cli, st);
	sqlite3_finalize(st);
	if (sqlite3_changes(cli->db) == 0)
		cli_fail("no session %lld to cancel", id);
	cli_attendance_refresh(cli);
	cli_commit(cli);
	printf("session %lld cancelled\n", id);
	return 0;
}
