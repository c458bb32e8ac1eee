/* cmd_staff.c - touchline staff add|list|revoke: coach (staff) cards.
 * A staff card's taps are never attendance; at a reader, a staff card
 * and then an unknown card enrol that card as a new participant
 * (docs/protocol.md, "Coach cards"). */
#include "cli.h"
#include "cmds.h"
#include "programme.h"
#include "protocol.h"
#include "tl_time.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Registers a staff card by token, or as the unknown card just tapped at
 * a reader. A token someone holds as a participant's card, or another
 * active staff card, is refused. Its earlier taps become a staff card's
 * (out of the unknown list; attendance is rebuilt for their reason). */
int cmd_staff_add(struct cli *cli, int argc, char **argv)
{
	char token[64] = "", reader[80] = "", *pos[1];
	int last_unknown = 0;
	const struct tl_option opts[] = {
		CLI_CARD_OPTIONS(token, last_unknown, reader),
		TL_OPT_END,
	};
	sqlite3_stmt *st;
	int64_t id;

	cli_args(cli_current(), opts, argc, argv, pos, 1, 1);
	cli_card_check(last_unknown, token, reader);
	if (!pos[0][0] || strlen(pos[0]) > 64)
		cli_usage_fail("a staff name is 1 to 64 bytes");
	cli_begin(cli);
	cli_card_token(cli, last_unknown, reader, token);
	st = cli_prepare(cli, "SELECT coalesce(p.code, 'an erased participant') FROM card c"
	                      " JOIN participant p ON p.id = c.participant"
	                      " WHERE c.token = ?1 AND c.revoked_at IS NULL");
	sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		cli_fail("card %s is %s's participant card (card revoke it first)", token,
		         (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	st = cli_prepare(cli, "INSERT INTO staff (name, token, added_at) VALUES (?1, ?2, ?3)"
	                      " ON CONFLICT (token) DO UPDATE SET name = ?1, added_at = ?3,"
	                      " revoked_at = NULL WHERE revoked_at IS NOT NULL");
	sqlite3_bind_text(st, 1, pos[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, token, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)time(NULL));
	cli_exec_stmt(cli, st);
	sqlite3_finalize(st);
	if (sqlite3_changes(cli->db) == 0)
		cli_fail("card %s is already a staff card", token);
	st = cli_prepare(cli, "SELECT id FROM staff WHERE token = ?1");
	sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
	sqlite3_step(st);
	id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = cli_prepare(cli, "UPDATE tap SET staff = ?1 WHERE card = ?2 AND participant IS NULL"
	                      " AND staff IS NULL");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, token, -1, SQLITE_STATIC);
	cli_exec_stmt(cli, st);
	sqlite3_finalize(st);
	if (sqlite3_changes(cli->db))
		cli_attendance_refresh(cli);
	cli_commit(cli);
	printf("staff card %s added for %s\n", token, pos[0]);
	return 0;
}

int cmd_staff_list(struct cli *cli, int argc, char **argv)
{
	char added[TL_TIME_LEN], revoked[TL_TIME_LEN];
	sqlite3_stmt *st;

	cli_args(cli_current(), NULL, argc, argv, NULL, 0, 0);
	st = cli_prepare(cli, "SELECT s.name, s.token, s.added_at, s.revoked_at,"
	                      " (SELECT count(*) FROM tap t WHERE t.staff = s.id)"
	                      " FROM staff s ORDER BY s.id");
	printf("%-20s %-32s %-20s %-20s %s\n", "NAME", "TOKEN", "ADDED", "REVOKED", "TAPS");
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("%-20s %-32s %-20s %-20s %d\n", cli_text(st, 0), cli_text(st, 1),
		       cli_time(st, 2, added), cli_time(st, 3, revoked), sqlite3_column_int(st, 4));
	sqlite3_finalize(st);
	return 0;
}

/* A lost staff card: its later taps are an unknown card's. */
int cmd_staff_revoke(struct cli *cli, int argc, char **argv)
{
	return cli_revoke_token(cli, argc, argv,
	                        "UPDATE staff SET revoked_at = ?1 WHERE token = ?2"
	                        " AND revoked_at IS NULL",
	                        "staff card");
}
