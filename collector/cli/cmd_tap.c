/* cmd_tap.c - touchline tap suspect list, tap accept: taps the collector
 * stored but holds out of attendance because they arrived suspiciously
 * late (docs/protocol.md, "Suspect taps"), and an admin's word that they
 * are genuine. */
#include "cli.h"
#include "cmds.h"
#include "programme.h"
#include "protocol.h"
#include "tl_time.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int cmd_tap_suspect_list(struct cli *cli, int argc, char **argv)
{
	char ts[TL_TIME_LEN], got[TL_TIME_LEN], ok[TL_TIME_LEN];
	int all = 0;
	const struct tl_option opts[] = {
		{ NULL, "all", TL_OPT_BOOL, &all, 0, 0, 0, NULL, "accepted ones too" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;
	char *pos[1] = { NULL };

	cli_args(cli_current(), opts, argc, argv, pos, 0, 1);
	if (pos[0] && strcmp(pos[0], "list") != 0)
		cli_usage_fail("unknown argument '%s'", pos[0]);
	st = cli_prepare(cli, "SELECT t.id, t.site || '/' || t.reader, coalesce(p.code, '-'), t.ts,"
	                      " t.received_at, t.received_at - t.ts, t.suspect, t.accepted_at"
	                      " FROM tap t LEFT JOIN participant p ON p.id = t.participant"
	                      " WHERE t.suspect IS NOT NULL AND (?1 OR t.accepted_at IS NULL)"
	                      " ORDER BY t.site, t.reader, t.ts");
	sqlite3_bind_int(st, 1, all);
	printf("%-36s %-40s %-12s %-20s %-20s %-9s %-18s %s\n", "TAP", "READER", "PARTICIPANT",
	       "TS", "RECEIVED", "LATE (S)", "REASON", "ACCEPTED");
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("%-36s %-40s %-12s %-20s %-20s %-9lld %-18s %s\n", cli_text(st, 0),
		       cli_text(st, 1), cli_text(st, 2), cli_time(st, 3, ts),
		       cli_time(st, 4, got), (long long)sqlite3_column_int64(st, 5),
		       cli_text(st, 6), cli_time(st, 7, ok));
	sqlite3_finalize(st);
	return 0;
}

/* Marks the chosen suspect taps accepted, then recomputes each of their
 * participants, as crediting a card's earlier taps does: an accepted tap
 * is older than the derived tables' watermark, so the live update alone
 * would never take it in. */
int cmd_tap_accept(struct cli *cli, int argc, char **argv)
{
	char from[80] = "", *pos[1] = { NULL }, *slash;
	const struct tl_option opts[] = {
		{ NULL, "all-from", TL_OPT_STR, from, sizeof from, 0, 0, "SITE/READER",
		  "every suspect tap of one reader" },
		TL_OPT_END,
	};
	const char *site = "", *reader = "";
	sqlite3_stmt *st;
	int64_t pids[64];
	long n = 0, np = 0, more = 0;

	cli_args(cli_current(), opts, argc, argv, pos, 0, 1);
	if (!pos[0] == !from[0])
		cli_usage_fail("give exactly one of a tap id and --all-from SITE/READER");
	if (from[0]) {
		if (!(slash = strchr(from, '/')))
			cli_usage_fail("--all-from '%s' is not SITE/READER", from);
		*slash = '\0';
		site = from;
		reader = slash + 1;
	}
	cli_begin(cli);
	st = cli_prepare(cli, "SELECT DISTINCT participant FROM tap WHERE suspect IS NOT NULL"
	                      " AND accepted_at IS NULL AND participant IS NOT NULL"
	                      " AND (lower(id) = lower(?1) OR (site = ?2 AND reader = ?3))");
	sqlite3_bind_text(st, 1, pos[0] ? pos[0] : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, reader, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (np < (long)(sizeof pids / sizeof pids[0]))
			pids[np++] = sqlite3_column_int64(st, 0);
		else
			more = 1;
	}
	sqlite3_finalize(st);
	st = cli_prepare(cli, "UPDATE tap SET accepted_at = ?4 WHERE suspect IS NOT NULL"
	                      " AND accepted_at IS NULL"
	                      " AND (lower(id) = lower(?1) OR (site = ?2 AND reader = ?3))");
	sqlite3_bind_text(st, 1, pos[0] ? pos[0] : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, reader, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	cli_exec_stmt(cli, st);
	n = sqlite3_changes(cli->db);
	sqlite3_finalize(st);
	if (n == 0)
		cli_fail("no suspect tap waiting for acceptance matches '%s'", pos[0] ? pos[0] : from);
	if (more)
		cli_attendance_refresh(cli); /* many participants: one rebuild */
	else
		for (long i = 0; i < np; i++)
			cli_attendance_participant(cli, pids[i]);
	cli_commit(cli);
	printf("%ld suspect tap(s) accepted; attendance recomputed for %ld participant(s)\n", n,
	       np);
	return 0;
}
