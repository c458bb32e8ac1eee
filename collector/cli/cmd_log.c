/* cmd_log.c - touchline unknown list, deadletter list: what the collector
 * received but could not credit to anyone. */
#include "cli.h"
#include "cmds.h"
#include "tl_time.h"

#include <stdio.h>

/* Unknown cards, newest first: a coach enrols one right after it is
 * tapped with 'card enrol CODE --last-unknown --reader SITE/READER'. */
int cmd_unknown_list(struct cli *cli, int argc, char **argv)
{
	char first[TL_TIME_LEN], last[TL_TIME_LEN];
	sqlite3_stmt *st;

	cli_args(cli_current(), NULL, argc, argv, NULL, 0, 0);
	st = cli_prepare(cli, "SELECT card, site || '/' || reader, count(*), min(ts), max(ts)"
	                      " FROM tap WHERE participant IS NULL AND card IS NOT NULL"
	                      " GROUP BY card, site, reader ORDER BY max(received_at) DESC");
	printf("%-32s %-40s %-5s %-20s %s\n", "TOKEN", "READER", "TAPS", "FIRST", "LAST");
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("%-32s %-40s %-5d %-20s %s\n", sqlite3_column_text(st, 0),
		       sqlite3_column_text(st, 1), sqlite3_column_int(st, 2), cli_time(st, 3, first),
		       cli_time(st, 4, last));
	sqlite3_finalize(st);
	return 0;
}

/* Prints at most max bytes of a payload, escaping anything unprintable. */
static void deadletter_print_payload(const unsigned char *p, int n, int max)
{
	for (int i = 0; i < n && i < max; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			putchar(p[i]);
		else
			printf("\\x%02x", p[i]);
	}
	if (n > max)
		fputs("...", stdout);
}

/* The dead letters not kept (rate limit, cap, age, purge), counted by
 * source, cause and reason: what the list above does not show. */
static void deadletter_print_dropped(struct cli *cli)
{
	char last[TL_TIME_LEN];
	sqlite3_stmt *st = cli_prepare(cli, "SELECT CASE WHEN site = '' THEN '(unattributable)'"
	                                    " ELSE site || '/' || reader END, cause, reason, dropped,"
	                                    " payload_bytes, last_at FROM deadletter_drop"
	                                    " ORDER BY site, reader, cause, reason");
	int n = 0;

	while (sqlite3_step(st) == SQLITE_ROW) {
		if (!n++)
			printf("\nNot kept (counted):\n%-40s %-10s %-16s %10s %12s %s\n", "SOURCE",
			       "CAUSE", "REASON", "DROPPED", "BYTES", "LAST");
		printf("%-40s %-10s %-16s %10lld %12lld %s\n", sqlite3_column_text(st, 0),
		       sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
		       sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4), cli_time(st, 5, last));
	}
	sqlite3_finalize(st);
}

int cmd_deadletter_list(struct cli *cli, int argc, char **argv)
{
	char when[TL_TIME_LEN];
	long limit = 100;
	const struct tl_option opts[] = {
		{ NULL, "limit", TL_OPT_INT, &limit, 0, 1, 1000000, "N", "newest N only" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;

	cli_args(cli_current(), opts, argc, argv, NULL, 0, 0);
	st = cli_prepare(cli, "SELECT received_at, reason, topic, payload, payload_size"
	                      " FROM deadletter ORDER BY n DESC LIMIT ?1");
	sqlite3_bind_int64(st, 1, limit);
	printf("%-20s %-16s %-48s %s\n", "RECEIVED", "REASON", "TOPIC", "PAYLOAD");
	while (sqlite3_step(st) == SQLITE_ROW) {
		printf("%-20s %-16s %-48s ", cli_time(st, 0, when), sqlite3_column_text(st, 1),
		       sqlite3_column_text(st, 2));
		deadletter_print_payload(sqlite3_column_blob(st, 3), sqlite3_column_bytes(st, 3), 120);
		if (sqlite3_column_int(st, 4) > sqlite3_column_bytes(st, 3))
			printf(" (%d bytes)", sqlite3_column_int(st, 4));
		putchar('\n');
	}
	sqlite3_finalize(st);
	deadletter_print_dropped(cli);
	return 0;
}
