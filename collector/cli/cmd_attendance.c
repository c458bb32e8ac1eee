/* cmd_attendance.c - touchline attendance rebuild|unmatched. */
#include "attendance.h"
#include "cli.h"
#include "cmds.h"
#include "programme.h"
#include "tl_time.h"

#include <stdio.h>
#include <string.h>

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
