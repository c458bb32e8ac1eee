/* cmd_followup.c - touchline followup list: who a peer mentor should
 * reach out to. */
#include "cli.h"
#include "cmds.h"

#include <stdio.h>

int cmd_followup_list(struct cli *cli, int argc, char **argv)
{
	char programme[64] = "";
	int names = 0;
	const struct tl_option opts[] = {
		{ NULL, "programme", TL_OPT_STR, programme, sizeof programme, 0, 0, "P", "only P" },
		{ NULL, "names", TL_OPT_BOOL, &names, 0, 0, 0, NULL, "show names too" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;

	cli_args(cli_current(), opts, argc, argv, NULL, 0, 0);
	st = cli_prepare(cli, "SELECT p.code, g.programme, g.missed_run, coalesce(g.last_attended, '-'),"
	                      " g.sessions_attended, g.sessions_expected, coalesce(n.name, '')"
	                      " FROM engagement g JOIN participant p ON p.id = g.participant"
	                      " LEFT JOIN participant_name n ON n.participant = p.id"
	                      " WHERE g.followup AND (?1 IS NULL OR g.programme = ?1)"
	                      " ORDER BY g.missed_run DESC, g.programme, p.id");
	if (programme[0])
		sqlite3_bind_text(st, 1, programme, -1, SQLITE_STATIC);
	printf("%-10s %-20s %-6s %-13s %-8s%s\n", "CODE", "PROGRAMME", "MISSED", "LAST ATTENDED",
	       "ATTENDED", names ? " NAME" : "");
	while (sqlite3_step(st) == SQLITE_ROW) {
		char att[32];
		snprintf(att, sizeof att, "%d/%d", sqlite3_column_int(st, 4), sqlite3_column_int(st, 5));
		printf("%-10s %-20s %-6d %-13s %-8s", cli_text(st, 0),
		       cli_text(st, 1), sqlite3_column_int(st, 2),
		       cli_text(st, 3), att);
		if (names)
			printf(" %s", cli_text(st, 6));
		putchar('\n');
	}
	sqlite3_finalize(st);
	return 0;
}
