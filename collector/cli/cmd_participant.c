/* cmd_participant.c - touchline participant add|list. */
#include "cli.h"
#include "cmds.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Codes are P- and the row id, at least four digits: short enough to
 * read out at a session, and they say nothing about the person. */
int cmd_participant_add(struct cli *cli, int argc, char **argv)
{
	char name[256] = "", code[32];
	const struct tl_option opts[] = {
		{ NULL, "name", TL_OPT_STR, name, sizeof name, 0, 0, "NAME",
		  "name, kept apart from everything exported" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;
	int64_t id;

	cli_args(cli_current(), opts, argc, argv, NULL, 0, 0);
	cli_begin(cli);
	st = cli_prepare(cli, "INSERT INTO participant (created_at) VALUES (?1)");
	sqlite3_bind_int64(st, 1, (int64_t)time(NULL));
	cli_exec_stmt(cli, st);
	sqlite3_finalize(st);
	id = sqlite3_last_insert_rowid(cli->db);
	snprintf(code, sizeof code, "P-%04lld", (long long)id);
	st = cli_prepare(cli, "UPDATE participant SET code = ?1 WHERE id = ?2");
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	cli_exec_stmt(cli, st);
	sqlite3_finalize(st);
	if (name[0]) {
		st = cli_prepare(cli, "INSERT INTO participant_name (participant, name) VALUES (?1, ?2)");
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
		cli_exec_stmt(cli, st);
		sqlite3_finalize(st);
	}
	cli_commit(cli);
	printf("%s\n", code);
	return 0;
}

int cmd_participant_list(struct cli *cli, int argc, char **argv)
{
	int names = 0;
	const struct tl_option opts[] = {
		{ NULL, "names", TL_OPT_BOOL, &names, 0, 0, 0, NULL, "show names too" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;

	cli_args(cli_current(), opts, argc, argv, NULL, 0, 0);
	st = cli_prepare(cli, "SELECT p.code,"
	                      " (SELECT count(*) FROM card c WHERE c.participant = p.id"
	                      "   AND c.revoked_at IS NULL),"
	                      " (SELECT count(*) FROM tap t WHERE t.participant = p.id),"
	                      " coalesce(n.name, '')"
	                      " FROM participant p LEFT JOIN participant_name n ON n.participant = p.id"
	                      " WHERE p.code IS NOT NULL ORDER BY p.id");
	printf("%-10s %-5s %-6s%s\n", "CODE", "CARDS", "TAPS", names ? " NAME" : "");
	while (sqlite3_step(st) == SQLITE_ROW) {
		printf("%-10s %-5d %-6d", sqlite3_column_text(st, 0), sqlite3_column_int(st, 1),
		       sqlite3_column_int(st, 2));
		if (names)
			printf(" %s", sqlite3_column_text(st, 3));
		putchar('\n');
	}
	sqlite3_finalize(st);
	return 0;
}
