/* cmd_participant.c - touchline participant add|list. */
#include "cli.h"
#include "cmds.h"
#include "enrolment.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* A new participant gets a random code (participant_code.h), or the one
 * given with --code when a programme moves its paper register over and
 * keeps the codes its people already know. A random code that is already
 * taken is drawn again. */
int cmd_participant_add(struct cli *cli, int argc, char **argv)
{
	char name[256] = "", given[TL_CODE_LEN] = "", code[TL_CODE_LEN];
	const struct tl_option opts[] = {
		{ NULL, "name", TL_OPT_STR, name, sizeof name, 0, 0, "NAME",
		  "name, kept apart from everything exported" },
		{ NULL, "code", TL_OPT_STR, given, sizeof given, 0, 0, "CODE",
		  "use this code (P- and 4 to 12 capital letters or digits) instead of a random one" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;
	int64_t id;
	char err[256];
	int rc;

	cli_args(cli_current(), opts, argc, argv, NULL, 0, 0);
	if (given[0] && !tl_participant_code_valid(given))
		cli_usage_fail("--code '%s' is not a participant code: P- and 4 to 12 capital letters"
		               " or digits, e.g. P-0042", given);
	cli_begin(cli);
	if (given[0]) {
		st = cli_prepare(cli, "INSERT INTO participant (code, created_at) VALUES (?1, ?2)");
		sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
		snprintf(code, sizeof code, "%s", given);
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT)
			cli_fail("participant %s already exists", given);
		if (rc != SQLITE_DONE)
			cli_fail("cannot add a participant: %s", sqlite3_errmsg(cli->db));
		id = sqlite3_last_insert_rowid(cli->db);
	} else if (tl_participant_new(cli->db, (int64_t)time(NULL), code, &id, err, sizeof err)) {
		cli_fail("%s", err);
	}
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
		printf("%-10s %-5d %-6d", cli_text(st, 0), sqlite3_column_int(st, 1),
		       sqlite3_column_int(st, 2));
		if (names)
			printf(" %s", cli_text(st, 3));
		putchar('\n');
	}
	sqlite3_finalize(st);
	return 0;
}
