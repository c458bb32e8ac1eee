/* cmd_report.c - touchline report weekly: a weekly summary per programme
 * for coaches and partners, from the derived tables only. */
#include "cli.h"
#include "cmds.h"
#include "programme.h"

#include <stdio.h>

/* Per ISO week: sessions held and cancelled, the people expected, places
 * (expected sessions) and those attended, extras (attended outside what
 * was expected), attendances without a check-out, and how many people
 * were in each programme minutes band. */
static const char report_weeks_sql[] =
	"SELECT s.iso_week, min(s.week_start),"
	" count(DISTINCT CASE WHEN s.cancelled_at IS NULL THEN s.id END),"
	" count(DISTINCT CASE WHEN s.cancelled_at IS NOT NULL THEN s.id END),"
	" count(DISTINCT CASE WHEN a.expected THEN a.participant END),"
	" coalesce(sum(a.expected), 0), coalesce(sum(a.attended AND a.expected), 0),"
	" coalesce(sum(a.attended AND NOT a.expected), 0),"
	" coalesce(sum(a.minutes_estimated), 0),"
	" (SELECT count(*) FROM activity_week w WHERE w.programme = ?1"
	"   AND w.iso_week = s.iso_week AND w.minutes_band = '150+'),"
	" (SELECT count(*) FROM activity_week w WHERE w.programme = ?1"
	"   AND w.iso_week = s.iso_week AND w.minutes_band = '30-149'),"
	" (SELECT count(*) FROM activity_week w WHERE w.programme = ?1"
	"   AND w.iso_week = s.iso_week AND w.minutes_band = '<30')"
	" FROM session s LEFT JOIN attendance a ON a.session = s.id"
	" WHERE s.programme = ?1 AND s.start_ts <= ?2"
	" GROUP BY s.iso_week ORDER BY s.iso_week";

static void report_programme(struct cli *cli, const char *id, const char *name, int64_t as_of)
{
	sqlite3_stmt *st = cli_prepare(cli, report_weeks_sql);

	printf("Programme %s (%s)\n", id, name);
	printf("Places are the sessions each participant is expected at; EXTRA counts sessions\n"
	       "attended outside them. Minutes bands count programme sessions only (moderate-\n"
	       "equivalent minutes a week), not total physical activity.\n");
	printf("%-8s %-10s %-8s %-9s %-8s %-11s %-6s %-5s %-6s %-6s %-6s %s\n", "WEEK", "MONDAY",
	       "SESSIONS", "CANCELLED", "EXPECTED", "ATTENDANCES", "RATE", "EXTRA", "NO-OUT",
	       "150+", "30-149", "<30");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, as_of);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char att[32], rate[16] = "-";
		int slots = sqlite3_column_int(st, 5), attended = sqlite3_column_int(st, 6);
		snprintf(att, sizeof att, "%d/%d", attended, slots);
		if (slots)
			snprintf(rate, sizeof rate, "%d%%", (int)(100.0 * attended / slots + 0.5));
		printf("%-8s %-10s %-8d %-9d %-8d %-11s %-6s %-5d %-6d %-6d %-6d %d\n",
		       cli_text(st, 0), cli_text(st, 1),
		       sqlite3_column_int(st, 2), sqlite3_column_int(st, 3), sqlite3_column_int(st, 4),
		       att, rate, sqlite3_column_int(st, 7), sqlite3_column_int(st, 8),
		       sqlite3_column_int(st, 9), sqlite3_column_int(st, 10),
		       sqlite3_column_int(st, 11));
	}
	sqlite3_finalize(st);
	st = cli_prepare(cli, "SELECT count(*), count(CASE WHEN status = 'withdrawn' THEN 1 END),"
	                      " count(CASE WHEN followup THEN 1 END),"
	                      " round(100 * avg(attendance_rate))"
	                      " FROM engagement WHERE programme = ?1");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		printf("Enrolled %d, withdrawn %d, mean attendance rate %d%%, flagged for follow-up %d"
		       " ('touchline followup list')\n\n",
		       sqlite3_column_int(st, 0), sqlite3_column_int(st, 1), sqlite3_column_int(st, 3),
		       sqlite3_column_int(st, 2));
	sqlite3_finalize(st);
}

int cmd_report_weekly(struct cli *cli, int argc, char **argv)
{
	char programme[64] = "";
	const struct tl_option opts[] = {
		{ NULL, "programme", TL_OPT_STR, programme, sizeof programme, 0, 0, "P", "only P" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;
	int64_t as_of;
	int n = 0;

	cli_args(cli_current(), opts, argc, argv, NULL, 0, 0);
	cli_exec(cli, "BEGIN");
	st = cli_prepare(cli, "SELECT as_of FROM attendance_build WHERE id = 1");
	as_of = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	st = cli_prepare(cli, "SELECT id, name FROM programme WHERE (?1 IS NULL OR id = ?1)"
	                      " ORDER BY id");
	if (programme[0])
		sqlite3_bind_text(st, 1, programme, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		report_programme(cli, (const char *)sqlite3_column_text(st, 0),
		                 (const char *)sqlite3_column_text(st, 1), as_of);
		n++;
	}
	sqlite3_finalize(st);
	cli_exec(cli, "COMMIT");
	if (programme[0] && n == 0)
		cli_fail("no programme '%s'", programme);
	return 0;
}
