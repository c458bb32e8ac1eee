/* cmd_card.c - touchline card enrol|revoke. */
#include "cli.h"
#include "enrolment.h"
#include "cmds.h"
#include "programme.h"
#include "protocol.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* The token of the newest unknown-card tap at one registered reader (not
 * a staff card's, not a random UID's: those can never be enrolled). */
void cli_last_unknown(struct cli *cli, const char *spec, char *token)
{
	char site[TL_ID_MAX + 1], reader[TL_ID_MAX + 1];
	const char *slash = strchr(spec, '/');
	sqlite3_stmt *st;

	if (!slash || slash - spec > TL_ID_MAX) {
		cli_usage_fail("--reader takes SITE/READER, e.g. burnley/pitch-1");
	}
	memcpy(site, spec, (size_t)(slash - spec));
	site[slash - spec] = '\0';
	snprintf(reader, sizeof reader, "%s", slash + 1);
	st = cli_prepare(cli, "SELECT 1 FROM reader WHERE site = ?1 AND id = ?2");
	sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, reader, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		cli_fail("no reader %s (register it with 'touchline reader add')", spec);
	sqlite3_finalize(st);
	st = cli_prepare(cli, "SELECT card FROM tap WHERE participant IS NULL AND card IS NOT NULL"
	                      " AND staff IS NULL AND NOT random"
	                      " AND site = ?1 AND reader = ?2 ORDER BY received_at DESC, n DESC"
	                      " LIMIT 1");
	sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, reader, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		cli_fail("no unknown card has been tapped at %s", spec);
	snprintf(token, TL_TOKEN_LEN + 1, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

void cli_card_check(int last_unknown, const char *token, const char *reader)
{
	if (last_unknown == !!token[0])
		cli_usage_fail("give exactly one of --token HEX or --last-unknown --reader SITE/READER");
	if (last_unknown && !reader[0])
		cli_usage_fail("--last-unknown needs --reader SITE/READER");
}

void cli_card_token(struct cli *cli, int last_unknown, const char *reader, char *token)
{
	if (last_unknown)
		cli_last_unknown(cli, reader, token);
	else if (!tl_token_valid(token))
		cli_fail("token '%s' is not 32 lowercase hex digits", token);
}

/* Links a card token to a participant. A token already held by someone
 * is refused; a revoked token may be enrolled again. Taps the card made
 * while unknown (since any revocation) are credited to the participant,
 * so the session they were tapped at still counts. */
int cmd_card_enrol(struct cli *cli, int argc, char **argv)
{
	char token[64] = "", reader[80] = "", *pos[1];
	int last_unknown = 0;
	const struct tl_option opts[] = {
		CLI_CARD_OPTIONS(token, last_unknown, reader),
		TL_OPT_END,
	};
	sqlite3_stmt *st;
	char err[256];
	int64_t pid;
	long credited;

	cli_args(cli_current(), opts, argc, argv, pos, 1, 1);
	cli_card_check(last_unknown, token, reader);
	cli_begin(cli);
	pid = cli_participant_id(cli, pos[0]);
	cli_card_token(cli, last_unknown, reader, token);

	st = cli_prepare(cli, "SELECT p.code, c.revoked_at FROM card c"
	                      " JOIN participant p ON p.id = c.participant WHERE c.token = ?1");
	sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 1) == SQLITE_NULL)
		cli_fail("card %s is already enrolled to %s (revoke it first)", token,
		         sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0)
		                                    : "an erased participant");
	sqlite3_finalize(st);
	st = cli_prepare(cli, "SELECT name FROM staff WHERE token = ?1 AND revoked_at IS NULL");
	sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		cli_fail("card %s is %s's staff card (staff revoke it first)", token,
		         (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (tl_card_link(cli->db, token, pid, (int64_t)time(NULL), &credited, err, sizeof err))
		cli_fail("%s", err);
	if (credited)
		cli_attendance_participant(cli, pid);
	cli_commit(cli);
	printf("card %s enrolled to %s", token, pos[0]);
	if (credited)
		printf(" (%ld earlier tap%s credited)", credited, credited == 1 ? "" : "s");
	putchar('\n');
	return 0;
}

int cmd_card_revoke(struct cli *cli, int argc, char **argv)
{
	return cli_revoke_token(cli, argc, argv,
	                        "UPDATE card SET revoked_at = ?1 WHERE token = ?2"
	                        " AND revoked_at IS NULL",
	                        "card");
}
