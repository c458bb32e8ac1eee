/* cmd_activity.c - touchline activity add|list: what a session is (its
 * intensity and MET value feed programme activity levels). */
#include "cli.h"
#include "cmds.h"
#include "programme.h"
#include "protocol.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Adds an activity, or edits an existing one's name, intensity or MET
 * value (the defaults football and gym are editable this way). Derived
 * activity levels are rebuilt in the same transaction. */
int cmd_activity_add(struct cli *cli, int argc, char **argv)
{
	char name[128] = "", intensity[16] = "", met_text[32] = "", *pos[1], *end;
	const struct tl_option opts[] = {
		{ NULL, "name", TL_OPT_STR, name, sizeof name, 0, 0, "NAME", "display name" },
		{ NULL, "intensity", TL_OPT_STR, intensity, sizeof intensity, 0, 0,
		  "moderate|vigorous", "intensity (UK CMO guidelines)" },
		{ NULL, "met", TL_OPT_STR, met_text, sizeof met_text, 0, 0, "MET",
		  "metabolic equivalent, e.g. 7.0" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;
	double met = 0;
	int exists;

	cli_args(cli_current(), opts, argc, argv, pos, 1, 1);
	if (!tl_id_valid(pos[0]))
		cli_fail("activity id '%s' must be 1 to 32 of a-z, 0-9 and -", pos[0]);
	if (intensity[0] && strcmp(intensity, "moderate") != 0 && strcmp(intensity, "vigorous") != 0)
		cli_usage_fail("--intensity must be moderate or vigorous");
	if (met_text[0]) {
		met = strtod(met_text, &end);
		if (*end || !isfinite(met) || met <= 0 || met > 25)
			cli_usage_fail("--met must be a number above 0 and at most 25");
	}
	cli_begin(cli);
	st = cli_prepare(cli, "SELECT 1 FROM activity WHERE id = ?1");
	sqlite3_bind_text(st, 1, pos[0], -1, SQLITE_STATIC);
	exists = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (!exists && (!intensity[0] || !met_text[0]))
		cli_usage_fail("a new activity needs --intensity and --met");
	if (exists) {
		st = cli_prepare(cli, "UPDATE activity SET name = coalesce(?2, name),"
		                      " intensity = coalesce(?3, intensity), met = coalesce(?4, met)"
		                      " WHERE id = ?1");
	} else {
		st = cli_prepare(cli, "INSERT INTO activity (id, name, intensity, met, created_at)"
		                      " VALUES (?1, coalesce(?2, ?1), ?3, ?4, ?5)");
		sqlite3_bind_int64(st, 5, (int64_t)time(NULL));
	}
	sqlite3_bind_text(st, 1, pos[0], -1, SQLITE_STATIC);
	if (name[0])
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	if (intensity[0])
		sqlite3_bind_text(st, 3, intensity, -1, SQLITE_STATIC);
	if (met_text[0])
		sqlite3_bind_double(st, 4, met);
	cli_exec_stmt(cli, st);
	sqlite3_finalize(st);
	cli_attendance_refresh(cli);
	cli_commit(cli);
	printf("activity %s %s\n", pos[0], exists ? "updated" : "added");
	return 0;
}

int cmd_activity_list(struct cli *cli, int argc, char **argv)
{
	sqlite3_stmt *st;

	cli_args(cli_current(), NULL, argc, argv, NULL, 0, 0);
	st = cli_prepare(cli, "SELECT id, intensity, met, name FROM activity ORDER BY id");
	printf("%-32s %-9s %-5s %s\n", "ACTIVITY", "INTENSITY", "MET", "NAME");
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("%-32s %-9s %-5.1f %s\n", cli_text(st, 0), cli_text(st, 1),
		       sqlite3_column_double(st, 2), cli_text(st, 3));
	sqlite3_finalize(st);
	return 0;
}
