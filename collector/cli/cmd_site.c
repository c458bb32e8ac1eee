/* cmd_site.c - touchline site add|list. */
#include "cli.h"
#include "cmds.h"
#include "protocol.h"
#include "tl_time.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int cmd_site_add(struct cli *cli, int argc, char **argv)
{
	char name[256] = "", *pos[1];
	const struct tl_option opts[] = {
		{ NULL, "name", TL_OPT_STR, name, sizeof name, 0, 0, "NAME", "display name" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;

	cli_args(cli_current(), opts, argc, argv, pos, 1, 1);
	if (!tl_id_valid(pos[0]))
		cli_fail("site id '%s' must be 1 to 32 of a-z, 0-9 and -", pos[0]);
	st = cli_prepare(cli, "INSERT INTO site (id, name, created_at) VALUES (?1, ?2, ?3)"
	                      " ON CONFLICT DO NOTHING");
	sqlite3_bind_text(st, 1, pos[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name[0] ? name : pos[0], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)time(NULL));
	cli_exec_stmt(cli, st);
	sqlite3_finalize(st);
	if (sqlite3_changes(cli->db) == 0)
		cli_fail("site '%s' already exists", pos[0]);
	printf("site %s added\n", pos[0]);
	return 0;
}

int cmd_site_list(struct cli *cli, int argc, char **argv)
{
	sqlite3_stmt *st;

	cli_args(cli_current(), NULL, argc, argv, NULL, 0, 0);
	st = cli_prepare(cli, "SELECT s.id, s.name, count(r.id) FROM site s"
	                      " LEFT JOIN reader r ON r.site = s.id GROUP BY s.id ORDER BY s.id");
	printf("%-32s %-7s %s\n", "SITE", "READERS", "NAME");
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("%-32s %-7d %s\n", cli_text(st, 0), sqlite3_column_int(st, 2),
		       cli_text(st, 1));
	sqlite3_finalize(st);
	return 0;
}
