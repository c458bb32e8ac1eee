/* cmd_attendance.c - touchline attendance rebuild|unmatched. */
#include "attendance.h"
#include "cli.h"
#include "cmds.h"
#include "programme.h"
#include "tl_time.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Recomputes attendance, programme activity and engagement from taps:
 * for repair, or a snapshot --as-of an earlier time. The collector keeps
 * the tables current as taps arrive, and commands that change schedules,
 * sessions, enrolments or activities rebuild by themselves. */
int cmd_attendance_rebuild(struct cli *cli, int argc, char **argv)
{
	char as_of[32] = "", err[512];
	const struct tl_option opts[] = {
		{ NULL, "as-of", TL_OPT_STR, as_of, sizeof as_of, 0, 0, "TIME",
		  "compute as at this RFC 3339 UTC time (default: $TOUCHLINE_AS_OF or now)" },
		TL_OPT_END,
	};
	struct tl_rebuild_stats s;
	int64_t t;

	cli_args(cli_current(), opts, argc, argv, NULL, 0, 0);
	if (as_of[0]) {
		if (tl_time_parse(as_of, &t))
			cli_usage_fail("--as-of '%s' is not an RFC 3339 UTC time", as_of);
	} else {
		t = cli_as_of();
	}
	cli_begin(cli);
	if (tl_attendance_rebuild(cli->db, t, &s, err, sizeof err))
		cli_fail("attendance rebuild: %s", err);
	cli_commit(cli);
	printf("attendance rebuilt: %ld participants, %ld rows, %ld attended (%ld extra,"
	       " %ld estimated), %ld unmatched taps\n",
	       s.participants, s.rows, s.attended, s.extra, s.estimated, s.unmatched);
	return 0;
}

/* Where the derived tables stand: as of when, and whether taps are
 * waiting to be taken in (the collector's live update failed or is off)
 * or a full rebuild is due. Exits 1 when they are behind, for monitoring. */
int cmd_attendance_status(struct cli *cli, int argc, char **argv)
{
	struct tl_attendance_state st;
	char as_of[TL_TIME_LEN], built[TL_TIME_LEN];

	cli_args(cli_current(), NULL, argc, argv, NULL, 0, 0);
	if (tl_attendance_state(cli->db, &st))
		cli_fail("reading the derived tables' state: %s", sqlite3_errmsg(cli->db));
	tl_time_format(st.as_of, as_of);
	tl_time_format(st.built_at, built);
	printf("as of:       %s\n", as_of);
	printf("updated at:  %s\n", built);
	printf("taps behind: %lld\n", (long long)st.taps_behind);
	printf("rebuild due: %s\n", st.stale ? "yes" : "no");
	if (st.stale || st.taps_behind) {
		printf("state:       behind (the collector brings them up to date as it runs;"
		       " 'touchline attendance rebuild' does it now)\n");
		return 1;
	}
	printf("state:       current\n");
	return 0;
}

/* Taps that matched no session, kept for a coach to resolve: unknown
 * cards, taps by someone not (yet) enrolled, at a cancelled session, or
 * at no session at all. */
int cmd_attendance_unmatched(struct cli *cli, int argc, char **argv)
{
	char ts[TL_TIME_LEN];
	sqlite3_stmt *st;

	cli_args(cli_current(), NULL, argc, argv, NULL, 0, 0);
	st = cli_prepare(cli, "SELECT t.ts, t.site || '/' || t.reader, coalesce(p.code,"
	                      "   CASE WHEN t.participant IS NULL THEN '(unknown card)'"
	                      "   ELSE '(erased)' END), u.reason"
	                      " FROM tap_unmatched u JOIN tap t ON t.n = u.tap"
	                      " LEFT JOIN participant p ON p.id = t.participant"
	                      " ORDER BY t.ts, t.n");
	printf("%-20s %-40s %-16s %s\n", "TS", "READER", "PARTICIPANT", "REASON");
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("%-20s %-40s %-16s %s\n", cli_time(st, 0, ts), cli_text(st, 1),
		       cli_text(st, 2), cli_text(st, 3));
	sqlite3_finalize(st);
	return 0;
}

/* Who makes a mark: --by, else $TOUCHLINE_OPERATOR (a setting for a shared
 * login), else the login name $USER; one of them is needed. */
static void attendance_operator(const char *by, char *out, size_t size)
{
	const char *v = by[0] ? by : getenv("TOUCHLINE_OPERATOR");

	if (!v || !v[0])
		v = getenv("USER");
	if (!v || !v[0])
		cli_usage_fail("say who makes the mark with --by NAME (or set $TOUCHLINE_OPERATOR)");
	if (strlen(v) > 64)
		cli_usage_fail("--by is longer than 64 bytes");
	snprintf(out, size, "%s", v);
}

/* The participant and session a mark is about, checked: the session
 * exists, is not cancelled, belongs to a programme the participant is
 * enrolled in, and is one the engine may credit them with now (eligible:
 * within their enrolment, its check-in window open). Fails otherwise.
 * *length gets the session's scheduled minutes. */
static int64_t attendance_mark_target(struct cli *cli, const char *code, long session,
                                      long *length)
{
	sqlite3_stmt *st;
	struct tl_engine *e;
	char err[512], prog[64];
	int64_t pid = cli_participant_id(cli, code);
	int ok;

	st = cli_prepare(cli, "SELECT programme, cancelled_at IS NOT NULL, (end_ts - start_ts) / 60"
	                      " FROM session WHERE id = ?1");
	sqlite3_bind_int64(st, 1, session);
	if (sqlite3_step(st) != SQLITE_ROW)
		cli_fail("no session %ld (see 'touchline session list')", session);
	snprintf(prog, sizeof prog, "%s", (const char *)sqlite3_column_text(st, 0));
	if (sqlite3_column_int(st, 1))
		cli_fail("session %ld is cancelled: nobody can have attended it", session);
	*length = (long)sqlite3_column_int64(st, 2);
	sqlite3_finalize(st);
	st = cli_prepare(cli, "SELECT 1 FROM enrolment WHERE programme = ?1 AND participant = ?2");
	sqlite3_bind_text(st, 1, prog, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, pid);
	if (sqlite3_step(st) != SQLITE_ROW)
		cli_fail("%s is not enrolled in programme %s, whose session %ld is", code, prog,
		         session);
	sqlite3_finalize(st);
	if (!(e = tl_engine_open(cli->db, err, sizeof err)))
		cli_fail("attendance: %s", err);
	ok = tl_attendance_eligible(e, pid, session, cli_as_of());
	tl_engine_close(e);
	if (ok < 0)
		cli_fail("attendance: %s", sqlite3_errmsg(cli->db));
	if (!ok)
		cli_fail("session %ld is not one %s can be credited with: outside their enrolment"
		         " in %s (before its start, after its end or withdrawal), or it has not"
		         " started yet", session, code, prog);
	return pid;
}

/* A manual register mark: a forgotten card, a paper register. It counts
 * as attended in the attendance engine like a tap would (and is kept by
 * every rebuild), shows as source 'manual' in exports, and records who
 * made it, when and why. Marking again replaces the mark. */
int cmd_attendance_mark(struct cli *cli, int argc, char **argv)
{
	char reason[256] = "", by[80] = "", who[80], *pos[1];
	long session = 0;
	long minutes = -1, length;
	const struct tl_option opts[] = {
		{ NULL, "session", TL_OPT_INT, &session, 0, 1, LONG_MAX, "ID",
		  "the session (see 'touchline session list'; required)" },
		{ NULL, "minutes", TL_OPT_INT, &minutes, 0, 1, 1440, "N",
		  "minutes attended (default: the taps' minutes, or the scheduled length,"
		  " estimated)" },
		{ NULL, "reason", TL_OPT_STR, reason, sizeof reason, 0, 0, "TEXT",
		  "why (required), e.g. 'forgot card'" },
		{ NULL, "by", TL_OPT_STR, by, sizeof by, 0, 0, "NAME",
		  "who makes the mark (default: $TOUCHLINE_OPERATOR, else $USER)" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;
	int64_t pid;
	int replaced;

	cli_args(cli_current(), opts, argc, argv, pos, 1, 1);
	if (!session)
		cli_usage_fail("--session ID is required");
	if (!reason[0])
		cli_usage_fail("--reason TEXT is required (why the register is marked by hand)");
	attendance_operator(by, who, sizeof who);
	cli_begin(cli);
	pid = attendance_mark_target(cli, pos[0], session, &length);
	if (minutes > length)
		cli_fail("--minutes %ld is more than session %ld's %ld scheduled minutes", minutes,
		         session, length);
	st = cli_prepare(cli, "SELECT 1 FROM attendance_mark WHERE participant = ?1 AND session = ?2");
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_int64(st, 2, session);
	replaced = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	st = cli_prepare(cli, "INSERT OR REPLACE INTO attendance_mark (participant, session, minutes,"
	                      " reason, marked_by, marked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_int64(st, 2, session);
	if (minutes >= 0)
		sqlite3_bind_int64(st, 3, minutes);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, who, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (int64_t)time(NULL));
	cli_exec_stmt(cli, st);
	sqlite3_finalize(st);
	cli_attendance_participant(cli, pid);
	cli_commit(cli);
	printf("%s marked attended at session %ld by %s%s\n", pos[0], session, who,
	       replaced ? " (the earlier mark replaced)" : "");
	return 0;
}

/* Takes a manual mark back; the session then counts as the taps say. */
int cmd_attendance_unmark(struct cli *cli, int argc, char **argv)
{
	long session = 0;
	const struct tl_option opts[] = {
		{ NULL, "session", TL_OPT_INT, &session, 0, 1, LONG_MAX, "ID", "the session (required)" },
		TL_OPT_END,
	};
	char *pos[1];
	int64_t pid;

	cli_args(cli_current(), opts, argc, argv, pos, 1, 1);
	if (!session)
		cli_usage_fail("--session ID is required");
	cli_begin(cli);
	pid = cli_participant_id(cli, pos[0]);
	if (cli_run_int(cli, "DELETE FROM attendance_mark WHERE participant = ?1 AND session = ?2",
	                pid, session) == 0)
		cli_fail("%s has no mark at session %ld", pos[0], session);
	cli_attendance_participant(cli, pid);
	cli_commit(cli);
	printf("%s unmarked at session %ld\n", pos[0], session);
	return 0;
}

/* The manual marks, for checking a register: who, when, why. */
int cmd_attendance_marks(struct cli *cli, int argc, char **argv)
{
	char at[TL_TIME_LEN];
	sqlite3_stmt *st;

	cli_args(cli_current(), NULL, argc, argv, NULL, 0, 0);
	st = cli_prepare(cli, "SELECT coalesce(p.code, '(erased)'), m.session, s.local_date,"
	                      " coalesce(m.minutes, '-'), m.marked_by, m.marked_at, m.reason"
	                      " FROM attendance_mark m JOIN participant p ON p.id = m.participant"
	                      " JOIN session s ON s.id = m.session ORDER BY s.start_ts, m.session, p.code");
	printf("%-10s %-7s %-10s %-7s %-16s %-20s %s\n", "CODE", "SESSION", "DATE", "MINUTES", "BY",
	       "AT", "REASON");
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("%-10s %-7s %-10s %-7s %-16s %-20s %s\n", cli_text(st, 0), cli_text(st, 1),
		       cli_text(st, 2), cli_text(st, 3), cli_text(st, 4), cli_time(st, 5, at),
		       cli_text(st, 6));
	sqlite3_finalize(st);
	return 0;
}
