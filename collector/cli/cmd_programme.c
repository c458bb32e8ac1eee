/* cmd_programme.c - touchline programme add|enrol|withdraw|list. */
#include "calendar.h"
#include "cli.h"
#include "enrolment.h"
#include "cmds.h"
#include "outcomes.h"
#include "programme.h"
#include "protocol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Links each site of a comma-separated list to the programme. */
static void programme_add_sites(struct cli *cli, const char *programme, char *list)
{
	sqlite3_stmt *chk = cli_prepare(cli, "SELECT 1 FROM site WHERE id = ?1");
	sqlite3_stmt *ins = cli_prepare(cli, "INSERT INTO programme_site (programme, site)"
	                                     " VALUES (?1, ?2) ON CONFLICT DO NOTHING");
	char *save = NULL;

	for (char *s = strtok_r(list, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		sqlite3_bind_text(chk, 1, s, -1, SQLITE_STATIC);
		if (sqlite3_step(chk) != SQLITE_ROW)
			cli_fail("no site '%s' (add it with 'touchline site add %s')", s, s);
		sqlite3_reset(chk);
		sqlite3_bind_text(ins, 1, programme, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, s, -1, SQLITE_STATIC);
		cli_exec_stmt(cli, ins);
	}
	sqlite3_finalize(chk);
	sqlite3_finalize(ins);
}

/* Checks a --sites or --schedules list against the programme and writes
 * it back sorted, without repeats, as the expectation stores it. */
static void programme_expect_list(struct cli *cli, const char *programme, const char *flag,
                                  char *list, size_t size, int schedules)
{
	sqlite3_stmt *chk = cli_prepare(cli, schedules
	        ? "SELECT 1 FROM schedule WHERE id = ?2 AND programme = ?1"
	        : "SELECT 1 FROM programme_site WHERE programme = ?1 AND site = ?2");
	sqlite3_stmt *norm;
	char *save = NULL, copy[1024];
	size_t n = 0;

	if (strlen(list) >= sizeof copy)
		cli_usage_fail("%s is too long", flag);
	snprintf(copy, sizeof copy, "%s", list);
	cli_exec(cli, "CREATE TEMP TABLE IF NOT EXISTS expect_item (v TEXT PRIMARY KEY, k INTEGER);"
	              "DELETE FROM temp.expect_item");
	norm = cli_prepare(cli, "INSERT OR IGNORE INTO temp.expect_item (v, k) VALUES (?1, ?2)");
	for (char *v = strtok_r(copy, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
		char *end = NULL;
		long long id = schedules ? strtoll(v, &end, 10) : 0;
		if (schedules ? (!*v || *end || id <= 0) : !tl_id_valid(v))
			cli_usage_fail("%s: '%s' is not a %s", flag, v, schedules ? "schedule id" : "site id");
		sqlite3_bind_text(chk, 1, programme, -1, SQLITE_STATIC);
		if (schedules)
			sqlite3_bind_int64(chk, 2, id);
		else
			sqlite3_bind_text(chk, 2, v, -1, SQLITE_STATIC);
		if (sqlite3_step(chk) != SQLITE_ROW)
			cli_fail(schedules ? "schedule %s is not a schedule of programme '%s'"
			                   " (see 'touchline schedule list')"
			                   : "site '%s' is not a site of programme '%s'",
			         v, programme);
		sqlite3_reset(chk);
		sqlite3_bind_text(norm, 1, v, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(norm, 2, id);
		cli_exec_stmt(cli, norm);
		n++;
	}
	sqlite3_finalize(chk);
	sqlite3_finalize(norm);
	if (!n)
		cli_usage_fail("%s needs at least one %s", flag, schedules ? "schedule id" : "site");
	norm = cli_prepare(cli, "SELECT group_concat(v, ',') FROM"
	                        " (SELECT v FROM temp.expect_item ORDER BY k, v)");
	sqlite3_step(norm);
	snprintf(list, size, "%s", (const char *)sqlite3_column_text(norm, 0));
	sqlite3_finalize(norm);
}

/* From local date from_date on, the participant is expected at the
 * sessions of sites, or of schedules, or (both empty) at every session. */
static void programme_expect_set(struct cli *cli, const char *programme, int64_t pid,
                                 const char *from_date, char *sites, size_t ssize,
                                 char *schedules, size_t csize)
{
	sqlite3_stmt *st;

	if (sites[0] && schedules[0])
		cli_usage_fail("give --sites or --schedules, not both");
	if (sites[0])
		programme_expect_list(cli, programme, "--sites", sites, ssize, 0);
	if (schedules[0])
		programme_expect_list(cli, programme, "--schedules", schedules, csize, 1);
	st = cli_prepare(cli, "INSERT OR REPLACE INTO expectation (programme, participant, from_date,"
	                      " sites, schedules, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	sqlite3_bind_text(st, 1, programme, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, pid);
	sqlite3_bind_text(st, 3, from_date, -1, SQLITE_STATIC);
	if (sites[0])
		sqlite3_bind_text(st, 4, sites, -1, SQLITE_STATIC);
	if (schedules[0])
		sqlite3_bind_text(st, 5, schedules, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (int64_t)time(NULL));
	cli_exec_stmt(cli, st);
	sqlite3_finalize(st);
}

/* Adds a programme; on an existing one, only adds the --sites given, so
 * a programme can grow to a new venue. */
int cmd_programme_add(struct cli *cli, int argc, char **argv)
{
	char name[256] = "", tz[80] = "Europe/London", sites[512] = "", *pos[1];
	long weeks = 12, before = 30, after_end = 0, gap = 10, grace = 60, misses = 2;
	const struct tl_option opts[] = {
		{ NULL, "name", TL_OPT_STR, name, sizeof name, 0, 0, "NAME", "display name" },
		{ NULL, "weeks", TL_OPT_INT, &weeks, 0, 1, 520, "N", "length in weeks" },
		{ NULL, "tz", TL_OPT_STR, tz, sizeof tz, 0, 0, "ZONE", "IANA time zone of its times" },
		{ NULL, "sites", TL_OPT_STR, sites, sizeof sites, 0, 0, "SITE,...", "its sites" },
		{ NULL, "checkin-before", TL_OPT_INT, &before, 0, 0, 720, "MIN",
		  "a tap this long before the start checks in" },
		{ NULL, "checkin-after-end", TL_OPT_INT, &after_end, 0, 0, 720, "MIN",
		  "and up to this long after the end" },
		{ NULL, "checkout-gap", TL_OPT_INT, &gap, 0, 1, 720, "MIN",
		  "a check-out comes at least this long after the check-in" },
		{ NULL, "checkout-grace", TL_OPT_INT, &grace, 0, 0, 720, "MIN",
		  "and at most this long after the end" },
		{ NULL, "followup-after", TL_OPT_INT, &misses, 0, 1, 100, "N",
		  "flag for follow-up after missing the last N eligible sessions" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;
	int exists;

	cli_args(cli_current(), opts, argc, argv, pos, 1, 1);
	if (!tl_id_valid(pos[0]))
		cli_fail("programme id '%s' must be 1 to 32 of a-z, 0-9 and -", pos[0]);
	if (!tl_zone_valid(tz))
		cli_fail("'%s' is not an installed IANA time zone (is tzdata installed?)", tz);
	cli_begin(cli);
	st = cli_prepare(cli, "SELECT 1 FROM programme WHERE id = ?1");
	sqlite3_bind_text(st, 1, pos[0], -1, SQLITE_STATIC);
	exists = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (exists && !sites[0])
		cli_fail("programme '%s' already exists (give --sites to add sites to it)", pos[0]);
	if (!exists) {
		st = cli_prepare(cli, "INSERT INTO programme (id, name, weeks, tz, checkin_before_min,"
		                      " checkin_after_end_min, checkout_gap_min, checkout_grace_min,"
		                      " followup_misses, created_at)"
		                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
		sqlite3_bind_text(st, 1, pos[0], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, name[0] ? name : pos[0], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, weeks);
		sqlite3_bind_text(st, 4, tz, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, before);
		sqlite3_bind_int64(st, 6, after_end);
		sqlite3_bind_int64(st, 7, gap);
		sqlite3_bind_int64(st, 8, grace);
		sqlite3_bind_int64(st, 9, misses);
		sqlite3_bind_int64(st, 10, (int64_t)time(NULL));
		cli_exec_stmt(cli, st);
		sqlite3_finalize(st);
	}
	programme_add_sites(cli, pos[0], sites);
	cli_commit(cli);
	printf("programme %s %s\n", pos[0], exists ? "updated" : "added");
	return 0;
}

/* Enrols a participant from their own start date (rolling intake); the
 * end defaults to the programme's length. Attendance is rebuilt, so taps
 * made before a late enrolment count as if it had been known. */
int cmd_programme_enrol(struct cli *cli, int argc, char **argv)
{
	char start[16] = "", end[16] = "", sd[TL_DATE_LEN], ed[TL_DATE_LEN], tz[80], *pos[2];
	char sites[1024] = "", schedules[1024] = "";
	const struct tl_option opts[] = {
		{ NULL, "start", TL_OPT_STR, start, sizeof start, 0, 0, "DATE", "first day (required)" },
		{ NULL, "end", TL_OPT_STR, end, sizeof end, 0, 0, "DATE",
		  "last day (default: start + the programme's weeks - 1 day)" },
		{ NULL, "sites", TL_OPT_STR, sites, sizeof sites, 0, 0, "SITE,...",
		  "expected only at the sessions at these sites (default: every session)" },
		{ NULL, "schedules", TL_OPT_STR, schedules, sizeof schedules, 0, 0, "ID,...",
		  "expected only at the sessions of these schedules (and one-offs at their sites)" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;
	char err[256];
	int64_t pid, s, e;

	cli_args(cli_current(), opts, argc, argv, pos, 2, 2);
	if (!start[0])
		cli_usage_fail("--start DATE is required");
	s = cli_date("--start", start);
	cli_begin(cli);
	cli_programme_tz(cli, pos[0], tz, sizeof tz);
	pid = cli_participant_id(cli, pos[1]);
	e = end[0] ? cli_date("--end", end) : tl_enrolment_default_end(cli->db, pos[0], s);
	if (e < s)
		cli_fail("--end is before --start");
	tl_cal_format(s, sd);
	tl_cal_format(e, ed);
	st = cli_prepare(cli, "SELECT referred_on FROM referral WHERE programme = ?1"
	                      " AND participant = ?2 AND referred_on > ?3");
	sqlite3_bind_text(st, 1, pos[0], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, pid);
	sqlite3_bind_text(st, 3, sd, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		cli_fail("--start %s is before %s's referral to %s (%s)", sd, pos[1], pos[0],
		         (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	switch (tl_enrolment_insert(cli->db, pos[0], pid, s, e, (int64_t)time(NULL), err,
	                            sizeof err)) {
	case 0:
		cli_fail("%s is already enrolled in %s", pos[1], pos[0]);
	case 1:
		break;
	default:
		cli_fail("%s", err);
	}
	if (sites[0] || schedules[0])
		programme_expect_set(cli, pos[0], pid, sd, sites, sizeof sites, schedules,
		                     sizeof schedules);
	cli_attendance_refresh(cli);
	cli_commit(cli);
	printf("%s enrolled in %s from %s to %s\n", pos[1], pos[0], sd, ed);
	return 0;
}

/* Changes what an enrolment expects the participant at, from a date on
 * (someone moves from Thursday gym to Tuesday football): earlier sessions
 * keep what was expected of them then. */
int cmd_programme_expect(struct cli *cli, int argc, char **argv)
{
	char from[16] = "", fd[TL_DATE_LEN], tz[80], sites[1024] = "", schedules[1024] = "", *pos[2];
	int all = 0;
	const struct tl_option opts[] = {
		{ NULL, "sites", TL_OPT_STR, sites, sizeof sites, 0, 0, "SITE,...",
		  "expected at the sessions at these sites" },
		{ NULL, "schedules", TL_OPT_STR, schedules, sizeof schedules, 0, 0, "ID,...",
		  "expected at the sessions of these schedules (and one-offs at their sites)" },
		{ NULL, "all", TL_OPT_BOOL, &all, 0, 0, 0, NULL, "expected at every session again" },
		{ NULL, "from", TL_OPT_STR, from, sizeof from, 0, 0, "DATE",
		  "from this local date on (default: today in the programme's zone)" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;
	int64_t pid, f, start = 0, end = 0;

	cli_args(cli_current(), opts, argc, argv, pos, 2, 2);
	if (!!sites[0] + !!schedules[0] + all != 1)
		cli_usage_fail("give exactly one of --sites, --schedules or --all");
	cli_begin(cli);
	cli_programme_tz(cli, pos[0], tz, sizeof tz);
	pid = cli_participant_id(cli, pos[1]);
	f = from[0] ? cli_date("--from", from) : tl_zone_local_days(tz, cli_as_of());
	st = cli_prepare(cli, "SELECT start_date, end_date FROM enrolment"
	                      " WHERE programme = ?1 AND participant = ?2");
	sqlite3_bind_text(st, 1, pos[0], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, pid);
	if (sqlite3_step(st) != SQLITE_ROW)
		cli_fail("%s is not enrolled in %s", pos[1], pos[0]);
	tl_cal_parse((const char *)sqlite3_column_text(st, 0), &start);
	tl_cal_parse((const char *)sqlite3_column_text(st, 1), &end);
	sqlite3_finalize(st);
	tl_cal_format(f, fd);
	if (f < start)
		cli_fail("--from %s is before %s's start in %s", fd, pos[1], pos[0]);
	if (f > end)
		cli_fail("--from %s is after %s's enrolment in %s ends", fd, pos[1], pos[0]);
	programme_expect_set(cli, pos[0], pid, fd, sites, sizeof sites, schedules, sizeof schedules);
	cli_attendance_participant(cli, pid);
	cli_commit(cli);
	printf("%s in %s from %s: expected at %s%s\n", pos[1], pos[0], fd,
	       sites[0] ? "the sessions at " : schedules[0] ? "the sessions of schedules " : "",
	       sites[0] ? sites : schedules[0] ? schedules : "every session");
	return 0;
}

/* Records that a participant left: from DATE on (if given) their sessions
 * are no longer expected, and why, from the list of exit reasons
 * (outcomes.c). Shared by withdraw (DATE required) and exit. */
static int programme_leave(struct cli *cli, int argc, char **argv, int need_date)
{
	char date[16] = "", reason[32] = "", d[TL_DATE_LEN] = "", tz[80], *pos[2];
	const struct tl_option opts[] = {
		{ NULL, "date", TL_OPT_STR, date, sizeof date, 0, 0, "DATE",
		  need_date ? "first day no longer in the programme (required)"
		            : "first day no longer in the programme (default: it ran to its end)" },
		{ NULL, "reason", TL_OPT_STR, reason, sizeof reason, 0, 0, "REASON",
		  "completed, work_or_training, moved_away, custody, disengaged or other" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;
	int64_t pid;

	cli_args(cli_current(), opts, argc, argv, pos, 2, 2);
	if (need_date && !date[0])
		cli_usage_fail("--date DATE is required");
	if (!need_date && !reason[0])
		cli_usage_fail("--reason REASON is required");
	if (reason[0] && !tl_exit_reason_valid(reason))
		cli_usage_fail("--reason '%s' must be one of completed, work_or_training, moved_away,"
		               " custody, disengaged, other", reason);
	if (date[0])
		tl_cal_format(cli_date("--date", date), d);
	cli_begin(cli);
	cli_programme_tz(cli, pos[0], tz, sizeof tz);
	pid = cli_participant_id(cli, pos[1]);
	st = cli_prepare(cli, "UPDATE enrolment SET withdrawn_on = coalesce(?3, withdrawn_on),"
	                      " exit_reason = coalesce(?4, exit_reason)"
	                      " WHERE programme = ?1 AND participant = ?2");
	sqlite3_bind_text(st, 1, pos[0], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, pid);
	if (d[0])
		sqlite3_bind_text(st, 3, d, -1, SQLITE_STATIC);
	if (reason[0])
		sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	cli_exec_stmt(cli, st);
	sqlite3_finalize(st);
	if (sqlite3_changes(cli->db) == 0)
		cli_fail("%s is not enrolled in %s", pos[1], pos[0]);
	if (d[0])
		cli_attendance_refresh(cli);
	cli_commit(cli);
	if (d[0])
		printf("%s withdrawn from %s on %s%s%s\n", pos[1], pos[0], d, reason[0] ? ": " : "",
		       reason);
	else
		printf("%s left %s: %s\n", pos[1], pos[0], reason);
	return 0;
}

int cmd_programme_withdraw(struct cli *cli, int argc, char **argv)
{
	return programme_leave(cli, argc, argv, 1);
}

int cmd_programme_exit(struct cli *cli, int argc, char **argv)
{
	return programme_leave(cli, argc, argv, 0);
}

/* touchline programme refer P CODE --source S --date D: a referral, which
 * the enrolment (same programme and participant) starts; one never
 * enrolled is a referral that did not start. */
int cmd_programme_refer(struct cli *cli, int argc, char **argv)
{
	char source[64] = "", date[16] = "", d[TL_DATE_LEN], tz[80], *pos[2];
	const struct tl_option opts[] = {
		{ NULL, "source", TL_OPT_STR, source, sizeof source, 0, 0, "SOURCE",
		  "who referred them (see 'touchline source list'; required)" },
		{ NULL, "date", TL_OPT_STR, date, sizeof date, 0, 0, "DATE",
		  "the day of the referral (required)" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;
	int64_t pid, day;

	cli_args(cli_current(), opts, argc, argv, pos, 2, 2);
	if (!source[0] || !date[0])
		cli_usage_fail("--source and --date are required");
	day = cli_date("--date", date);
	tl_cal_format(day, d);
	cli_begin(cli);
	cli_programme_tz(cli, pos[0], tz, sizeof tz);
	pid = cli_participant_id(cli, pos[1]);
	if (day > tl_zone_local_days(tz, cli_as_of()))
		cli_fail("--date %s is in the future", d);
	st = cli_prepare(cli, "SELECT 1 FROM referral_source WHERE id = ?1");
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		cli_fail("no referral source '%s' (see 'touchline source list'; add one with"
		         " 'touchline source add')", source);
	sqlite3_finalize(st);
	st = cli_prepare(cli, "SELECT start_date FROM enrolment WHERE programme = ?1"
	                      " AND participant = ?2 AND start_date < ?3");
	sqlite3_bind_text(st, 1, pos[0], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, pid);
	sqlite3_bind_text(st, 3, d, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		cli_fail("--date %s is after %s started in %s (%s)", d, pos[1], pos[0],
		         (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	st = cli_prepare(cli, "INSERT INTO referral (programme, participant, source, referred_on,"
	                      " created_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO UPDATE SET"
	                      " source = excluded.source, referred_on = excluded.referred_on");
	sqlite3_bind_text(st, 1, pos[0], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, pid);
	sqlite3_bind_text(st, 3, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, d, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (int64_t)time(NULL));
	cli_exec_stmt(cli, st);
	sqlite3_finalize(st);
	cli_commit(cli);
	printf("%s referred to %s on %s by %s\n", pos[1], pos[0], d, source);
	return 0;
}

int cmd_programme_list(struct cli *cli, int argc, char **argv)
{
	sqlite3_stmt *st;

	cli_args(cli_current(), NULL, argc, argv, NULL, 0, 0);
	st = cli_prepare(cli, "SELECT p.id, p.weeks, p.tz,"
	                      " coalesce((SELECT group_concat(site, ',') FROM"
	                      "   (SELECT site FROM programme_site WHERE programme = p.id"
	                      "    ORDER BY site)), '-'),"
	                      " (SELECT count(*) FROM enrolment e WHERE e.programme = p.id),"
	                      " (SELECT count(*) FROM engagement g WHERE g.programme = p.id"
	                      "   AND g.status = 'withdrawn'),"
	                      " (SELECT count(*) FROM session s WHERE s.programme = p.id"
	                      "   AND s.cancelled_at IS NULL), p.name"
	                      " FROM programme p ORDER BY p.id");
	printf("%-20s %-5s %-16s %-24s %-8s %-9s %-8s %s\n", "PROGRAMME", "WEEKS", "TZ", "SITES",
	       "ENROLLED", "WITHDRAWN", "SESSIONS", "NAME");
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("%-20s %-5d %-16s %-24s %-8d %-9d %-8d %s\n", cli_text(st, 0),
		       sqlite3_column_int(st, 1), cli_text(st, 2),
		       cli_text(st, 3), sqlite3_column_int(st, 4),
		       sqlite3_column_int(st, 5), sqlite3_column_int(st, 6),
		       cli_text(st, 7));
	sqlite3_finalize(st);
	return 0;
}
