/* cmd_purge.c - touchline purge --before DATE: the retention limit.
 *
 * Deletes taps before DATE (00:00 UTC), the attendance of sessions
 * that started before it, assessments and referrals dated before it,
 * readers' problem stretches over before it, and dead letters received
 * before it (counted as purged in
 * deadletter_drop), and records DATE as the retention horizon so a
 * later rebuild does not recreate those sessions as missed. Sessions,
 * schedules and enrolments hold no taps and stay. The database is then
 * rewritten and its WAL emptied, so the purged data is not readable in the
 * file either. */
#include "calendar.h"
#include "cli.h"
#include "cmds.h"
#include "programme.h"
#include "store.h"

#include <stdio.h>

int cmd_purge(struct cli *cli, int argc, char **argv)
{
	char before[16] = "", what[96];
	int yes = 0;
	const struct tl_option opts[] = {
		{ NULL, "before", TL_OPT_STR, before, sizeof before, 0, 0, "DATE",
		  "delete taps, attendance and dead letters older than this date (required)" },
		{ NULL, "yes", TL_OPT_BOOL, &yes, 0, 0, 0, NULL, "do not ask for confirmation" },
		TL_OPT_END,
	};
	int64_t cutoff, letters;
	long taps, assessments;
	char day[TL_DATE_LEN];

	cli_args(cli_current(), opts, argc, argv, NULL, 0, 0);
	if (!before[0])
		cli_usage_fail("--before DATE is required");
	cutoff = cli_date("--before", before) * 86400;
	tl_cal_format(cutoff / 86400, day);
	snprintf(what, sizeof what, "Purging taps, attendance, dead letters, assessments and"
	         " referrals before %s", before);
	cli_confirm(what, yes);
	cli_begin(cli);
	taps = cli_run_int(cli, "DELETE FROM tap WHERE ts < ?1", cutoff, 0);
	cli_run_int(cli, "DELETE FROM attendance_mark WHERE session IN"
	                 " (SELECT id FROM session WHERE start_ts < ?1)", cutoff, 0);
	if (tl_deadletter_expire(cli->db, cutoff, "purge", &letters))
		cli_fail("purging dead letters: %s", sqlite3_errmsg(cli->db));
	/* Assessments and referrals dated before it go the same way. */
	assessments = cli_run_text(cli, "DELETE FROM assessment WHERE date < ?1", day);
	cli_run_text(cli, "DELETE FROM referral WHERE referred_on < ?1", day);
	/* and readers' problems over before it */
	cli_run_int(cli, "DELETE FROM reader_problem WHERE end_at < ?1", cutoff, 0);
	cli_run_int(cli, "UPDATE attendance_build SET purged_before = max(purged_before, ?1)"
	                 " WHERE id = 1", cutoff, 0);
	/* The rebuild drops attendance before the horizon with everything else. */
	cli_attendance_refresh(cli);
	cli_commit(cli);
	cli_scrub(cli, "the purged data");
	printf("purged %ld tap%s, %lld dead letter%s and %ld assessment%s before %s\n", taps,
	       taps == 1 ? "" : "s", (long long)letters, letters == 1 ? "" : "s", assessments,
	       assessments == 1 ? "" : "s", before);
	return 0;
}
