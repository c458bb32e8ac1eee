/* cmd_erase.c - touchline participant erase: the right to erasure.
 *
 * Removes the name, the cards and the code (the link from exports back to
 * a person), the card tokens from their taps, rejected messages that
 * quote one of their tokens, their assessments, referrals and exit
 * reasons. The participant row and
 * their attendance stay, without a code, so anonymous counts (attendances
 * per session, unique participants) stay right; exports leave erased
 * participants out of every per-person table. Afterwards the database is
 * rewritten and its WAL emptied (tl_store_scrub), so nothing erased stays
 * readable in the file. */
#include "cli.h"
#include "cmds.h"
#include "programme.h"

#include <stdio.h>
#include <time.h>

/* In this order, each with ?1 the participant's row id (?2: now). */
static const char *const erase_sql[] = {
	/* Rejected messages may quote one of their card tokens, in any case. */
	"DELETE FROM deadletter WHERE EXISTS (SELECT 1 FROM card c WHERE c.participant = ?1"
	" AND instr(lower(CAST(deadletter.payload AS TEXT)), c.token) > 0)",
	"UPDATE tap SET card = NULL WHERE participant = ?1"
	" OR card IN (SELECT token FROM card WHERE participant = ?1)",
	"DELETE FROM card WHERE participant = ?1",
	"DELETE FROM participant_name WHERE participant = ?1",
	/* Outcome scores (health, drugs: special category), referrals (who
	 * referred them: probation, prison) and why they left. */
	"DELETE FROM assessment WHERE participant = ?1",
	"DELETE FROM referral WHERE participant = ?1",
	/* A manual mark's reason is free text: it goes; the mark stays, like
	 * the taps, so anonymous counts stay right. */
	"UPDATE attendance_mark SET reason = '', marked_by = '' WHERE participant = ?1",
	"UPDATE enrolment SET exit_reason = NULL WHERE participant = ?1",
	"UPDATE participant SET code = NULL, erased_at = ?2 WHERE id = ?1",
};

int cmd_participant_erase(struct cli *cli, int argc, char **argv)
{
	int yes = 0;
	const struct tl_option opts[] = {
		{ NULL, "yes", TL_OPT_BOOL, &yes, 0, 0, 0, NULL, "do not ask for confirmation" },
		TL_OPT_END,
	};
	char what[128], *pos[1];
	int64_t pid;

	cli_args(cli_current(), opts, argc, argv, pos, 1, 1);
	cli_participant_id(cli, pos[0]); /* fails on an unknown code before asking */
	snprintf(what, sizeof what, "Erasing %s", pos[0]);
	cli_confirm(what, yes);
	cli_begin(cli);
	pid = cli_participant_id(cli, pos[0]);
	for (size_t i = 0; i < sizeof erase_sql / sizeof erase_sql[0]; i++)
		cli_run_int(cli, erase_sql[i], pid, (int64_t)time(NULL));
	cli_attendance_refresh(cli);
	cli_commit(cli);
	cli_scrub(cli, pos[0]);
	printf("%s erased\n", pos[0]);
	return 0;
}
