/* cmd_log.c - touchline unknown list, deadletter list: what the collector
 * received but could not credit to anyone. */
#include "cli.h"
#include "cmds.h"
#include "intake.h"
#include "store_schema.h"
#include "tl_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Unknown cards, newest first: a coach enrols one right after it is
 * tapped with 'card enrol CODE --last-unknown --reader SITE/READER'. */
int cmd_unknown_list(struct cli *cli, int argc, char **argv)
{
	char first[TL_TIME_LEN], last[TL_TIME_LEN];
	sqlite3_stmt *st;

	cli_args(cli_current(), NULL, argc, argv, NULL, 0, 0);
	st = cli_prepare(cli, "SELECT card, site || '/' || reader, count(*), min(ts), max(ts)"
	                      " FROM tap WHERE participant IS NULL AND card IS NOT NULL"
	                      " AND staff IS NULL AND NOT random"
	                      " GROUP BY card, site, reader ORDER BY max(received_at) DESC");
	printf("%-32s %-40s %-5s %-20s %s\n", "TOKEN", "READER", "TAPS", "FIRST", "LAST");
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("%-32s %-40s %-5d %-20s %s\n", cli_text(st, 0),
		       cli_text(st, 1), sqlite3_column_int(st, 2), cli_time(st, 3, first),
		       cli_time(st, 4, last));
	sqlite3_finalize(st);
	return 0;
}

/* Prints at most max bytes of a payload, escaped (cli_escape). */
static void deadletter_print_payload(const unsigned char *p, int n, int max)
{
	size_t len = (size_t)(n < max ? n : max), size = 4 * len + 8;
	char *buf = malloc(size);

	if (!buf)
		cli_fail("out of memory");
	cli_escape(p, len, buf, size);
	fputs(buf, stdout);
	free(buf);
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
	st = cli_prepare(cli, "SELECT received_at, reason, topic, payload, payload_size, n"
	                      " FROM deadletter ORDER BY n DESC LIMIT ?1");
	sqlite3_bind_int64(st, 1, limit);
	printf("%-8s %-20s %-16s %-48s %s\n", "N", "RECEIVED", "REASON", "TOPIC", "PAYLOAD");
	while (sqlite3_step(st) == SQLITE_ROW) {
		printf("%-8lld %-20s %-16s %-48s ", (long long)sqlite3_column_int64(st, 5),
		       cli_time(st, 0, when), cli_text(st, 1), cli_text(st, 2));
		deadletter_print_payload(sqlite3_column_blob(st, 3), sqlite3_column_bytes(st, 3), 120);
		if (sqlite3_column_int(st, 4) > sqlite3_column_bytes(st, 3))
			printf(" (%d bytes)", sqlite3_column_int(st, 4));
		putchar('\n');
	}
	sqlite3_finalize(st);
	deadletter_print_dropped(cli);
	return 0;
}

/* Loads dead letter n (its columns as in the SELECT below) or fails. */
static sqlite3_stmt *deadletter_get(struct cli *cli, const char *arg)
{
	char *end;
	long long n = strtoll(arg, &end, 10);
	sqlite3_stmt *st;

	if (!*arg || *end || n <= 0)
		cli_usage_fail("'%s' is not a dead letter number (see 'deadletter list')", arg);
	st = cli_prepare(cli, "SELECT received_at, reason, topic, payload, payload_size, tap_id,"
	                      " retained FROM deadletter WHERE n = ?1");
	sqlite3_bind_int64(st, 1, n);
	if (sqlite3_step(st) != SQLITE_ROW)
		cli_fail("no dead letter %lld", n);
	return st;
}

/* One dead letter in full: every byte kept, anything unprintable escaped
 * (\xNN), so what a reader sent can be read exactly. */
int cmd_deadletter_show(struct cli *cli, int argc, char **argv)
{
	char when[TL_TIME_LEN], *pos[1];
	sqlite3_stmt *st;
	int kept;

	cli_args(cli_current(), NULL, argc, argv, pos, 1, 1);
	st = deadletter_get(cli, pos[0]);
	kept = sqlite3_column_bytes(st, 3);
	printf("received  %s%s\n", cli_time(st, 0, when),
	       sqlite3_column_int(st, 6) ? " (a retained message)" : "");
	printf("reason    %s\n", cli_text(st, 1));
	printf("topic     ");
	deadletter_print_payload(sqlite3_column_text(st, 2), sqlite3_column_bytes(st, 2), 1 << 20);
	printf("\ntap id    %s\n", cli_text(st, 5));
	printf("size      %d bytes%s\n", sqlite3_column_int(st, 4),
	       sqlite3_column_int(st, 4) > kept ? " (only the first ones kept)" : "");
	printf("payload   ");
	deadletter_print_payload(sqlite3_column_blob(st, 3), kept, kept);
	putchar('\n');
	sqlite3_finalize(st);
	return 0;
}

/* Re-enters a dead-lettered tap, its ts moved by --ts-offset if the
 * reader's clock was wrong: the payload goes through the same decoding
 * (tl_tap_decode, at the present time) and the same storing (intake.c)
 * as a tap from the broker, and the dead letter is removed in the same
 * transaction. Nothing changes if it is rejected again. The tap is not
 * judged suspect: an admin is vouching for it. Attendance takes it in as
 * any new tap (the collector's live update, or 'attendance rebuild'). */
int cmd_deadletter_retry(struct cli *cli, int argc, char **argv)
{
	char prefix[128] = TL_DEFAULT_PREFIX, *pos[1], buf[2 * TL_MAX_PAYLOAD + 1];
	char id[TL_UUID_LEN + 1];
	long offset = 0;
	const struct tl_option opts[] = {
		{ NULL, "ts-offset", TL_OPT_INT, &offset, 0, -20L * 366 * 86400, 20L * 366 * 86400,
		  "SECONDS", "add this to the tap's ts (the reader's clock error, negated)" },
		{ NULL, "topic-prefix", TL_OPT_STR, prefix, sizeof prefix, 0, 0, "PREFIX",
		  "topic prefix" },
		TL_OPT_END,
	};
	const unsigned char *payload;
	struct tl_topic t;
	struct tl_tap tap;
	struct tl_ack ack;
	struct intake_reader rd;
	struct intake in;
	struct tl_engine *engine;
	sqlite3_stmt *st, *del;
	enum tl_reason r;
	int len, known;
	char err[256];
	int64_t now = (int64_t)time(NULL);

	cli_args(cli_current(), opts, argc, argv, pos, 1, 1);
	cli_begin(cli);
	st = deadletter_get(cli, pos[0]);
	payload = sqlite3_column_blob(st, 3);
	len = sqlite3_column_bytes(st, 3);
	if (tl_topic_parse(prefix, (const char *)sqlite3_column_text(st, 2), &t) != TL_OK ||
	    t.kind != TL_KIND_TAP)
		cli_fail("dead letter %s is not on a tap topic under %s", pos[0], prefix);
	if (sqlite3_column_int(st, 4) > len)
		cli_fail("dead letter %s was cut to its first %d bytes; it cannot be re-entered",
		         pos[0], TL_DEADLETTER_KEEP);
	if (offset) {
		len = tl_tap_shift_ts(payload, (size_t)len, offset, buf, sizeof buf);
		if (len < 0)
			cli_fail("dead letter %s has no readable ts to move", pos[0]);
	} else {
		memcpy(buf, payload, (size_t)len);
	}
	sqlite3_finalize(st);
	r = tl_tap_decode(buf, (size_t)len, &t, now, &tap, id);
	if (r != TL_OK)
		cli_fail("dead letter %s is still rejected: %s", pos[0], tl_reason_name(r));
	if (!(engine = tl_engine_open(cli->db, err, sizeof err)))
		cli_fail("attendance: %s", err);
	if (intake_open(&in, cli->db, engine))
		cli_fail("database: %s", sqlite3_errmsg(cli->db));
	if ((known = intake_reader(&in, tap.site, tap.reader, &rd)) <= 0)
		cli_fail(known ? "database: %s" : "dead letter %s is still rejected: unknown_reader",
		         known ? sqlite3_errmsg(cli->db) : pos[0]);
	memset(&ack, 0, sizeof ack);
	ack.week_sessions = -1;
	if (intake_store(&in, &tap, now, NULL, &ack))
		cli_fail("database: %s", sqlite3_errmsg(cli->db));
	intake_close(&in);
	tl_engine_close(engine);
	del = cli_prepare(cli, "DELETE FROM deadletter WHERE n = ?1");
	sqlite3_bind_int64(del, 1, strtoll(pos[0], NULL, 10));
	cli_exec_stmt(cli, del);
	sqlite3_finalize(del);
	cli_commit(cli);
	printf("dead letter %s re-entered as tap %s: %s%s%s\n", pos[0], tap.id,
	       tl_ack_status_name(ack.status), ack.participant[0] ? " " : "", ack.participant);
	return 0;
}
