/* cmd_reader.c - touchline reader add|list|acl: the readers of each site,
 * their MQTT credentials and the broker ACL that confines each of them to
 * its own topics. */
#include "cli.h"
#include "cmds.h"
#include "protocol.h"
#include "tl_time.h"
#include "token.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Prints what installing a reader needs: its MQTT user and a fresh random
 * password (stored nowhere by Touchline: the broker keeps only its hash),
 * the broker-side commands, and the reader's settings. */
static void reader_print_credentials(const char *site, const char *reader, const char *host,
                                     long port)
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789"; /* 32: 5 bits each */
	unsigned char raw[26]; /* 130 bits */
	char password[sizeof raw + 1];

	if (tl_random(raw, sizeof raw))
		cli_fail("no randomness available for a password");
	for (size_t i = 0; i < sizeof raw; i++)
		password[i] = alphabet[raw[i] & 31];
	password[sizeof raw] = '\0';
	printf("\n# MQTT user for reader %s/%s: %s.%s\n", site, reader, site, reader);
	printf("# 1. On the broker (as root):\n");
	printf("mosquitto_passwd -b /etc/mosquitto/touchline/passwd %s.%s %s\n", site, reader,
	       password);
	printf("touchline reader acl > /etc/mosquitto/touchline/acl && systemctl reload mosquitto\n");
	printf("# 2. On the reader: the password, then the settings.\n");
	printf("install -m 600 /dev/null /etc/touchline/mqtt-password && "
	       "echo '%s' > /etc/touchline/mqtt-password\n", password);
	printf("cat > /etc/touchline/bridge.ini <<'EOF'\n");
	printf("[mqtt]\nhost = %s\nport = %ld\ncafile = /etc/touchline/ca.crt\n", host, port);
	printf("username = %s.%s\npassword-file = /etc/touchline/mqtt-password\n", site, reader);
	printf("\n[bridge]\nsite = %s\nid = %s\n", site, reader);
	printf("key-file = /etc/touchline/bridge.key\nspool = /var/lib/touchline-bridge/spool.db\n");
	printf("EOF\n# 3. Copy ca.crt and the deployment key to /etc/touchline/ (bridge.key, mode 600).\n");
	memset(password, 0, sizeof password);
}

int cmd_reader_add(struct cli *cli, int argc, char **argv)
{
	char *pos[2], host[256] = "broker.example.org";
	int credentials = 0;
	long port = 8883;
	const struct tl_option opts[] = {
		{ NULL, "credentials", TL_OPT_BOOL, &credentials, 0, 0, 0, NULL,
		  "print a new MQTT password, the broker commands and a ready reader config" },
		{ NULL, "broker-host", TL_OPT_STR, host, sizeof host, 0, 0, "HOST",
		  "the broker the reader connects to (with --credentials)" },
		{ NULL, "broker-port", TL_OPT_INT, &port, 0, 1, 65535, "PORT",
		  "its TLS port (with --credentials)" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;

	cli_args(cli_current(), opts, argc, argv, pos, 2, 2);
	if (!tl_id_valid(pos[1]))
		cli_fail("reader id '%s' must be 1 to 32 of a-z, 0-9 and -", pos[1]);
	cli_begin(cli);
	st = cli_prepare(cli, "SELECT 1 FROM site WHERE id = ?1");
	sqlite3_bind_text(st, 1, pos[0], -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		cli_fail("no site '%s' (add it with 'touchline site add %s')", pos[0], pos[0]);
	sqlite3_finalize(st);
	st = cli_prepare(cli, "INSERT INTO reader (site, id, created_at) VALUES (?1, ?2, ?3)"
	                      " ON CONFLICT DO NOTHING");
	sqlite3_bind_text(st, 1, pos[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pos[1], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)time(NULL));
	cli_exec_stmt(cli, st);
	sqlite3_finalize(st);
	if (sqlite3_changes(cli->db) == 0)
		cli_fail("reader %s/%s already exists", pos[0], pos[1]);
	cli_commit(cli);
	printf("reader %s/%s added\n", pos[0], pos[1]);
	if (credentials)
		reader_print_credentials(pos[0], pos[1], host, port);
	return 0;
}

int cmd_reader_list(struct cli *cli, int argc, char **argv)
{
	char seen[TL_TIME_LEN], tap[TL_TIME_LEN];
	sqlite3_stmt *st;

	cli_args(cli_current(), NULL, argc, argv, NULL, 0, 0);
	st = cli_prepare(cli, "SELECT site || '/' || id, state, last_seen, last_tap,"
	                      " coalesce(spooled, 0), coalesce(version, '-'),"
	                      " CASE WHEN clock_offset IS NULL THEN '-'"
	                      "  WHEN abs(clock_offset) > ?1 THEN printf('%+ds OFF', clock_offset)"
	                      "  ELSE printf('%+ds', clock_offset) END"
	                      " FROM reader ORDER BY site, id");
	sqlite3_bind_int(st, 1, TL_CLOCK_TOLERANCE);
	printf("%-40s %-10s %-20s %-20s %-7s %-12s %s\n", "READER", "STATE", "LAST SEEN",
	       "LAST TAP", "SPOOLED", "CLOCK", "VERSION");
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("%-40s %-10s %-20s %-20s %-7d %-12s %s\n", cli_text(st, 0),
		       cli_text(st, 1), cli_time(st, 2, seen), cli_time(st, 3, tap),
		       sqlite3_column_int(st, 4), cli_text(st, 6),
		       cli_text(st, 5));
	sqlite3_finalize(st);
	return 0;
}

/* The mosquitto ACL for every registered reader: each may publish only
 * its own tap and status and read only its own acks; a site's venue broker
 * (user venue.SITE) may do the same for every reader of its site; the
 * collector reads every topic under the prefix and writes acks. */
int cmd_reader_acl(struct cli *cli, int argc, char **argv)
{
	char prefix[128] = TL_DEFAULT_PREFIX, collector[128] = "touchline-collector";
	const struct tl_option opts[] = {
		{ NULL, "topic-prefix", TL_OPT_STR, prefix, sizeof prefix, 0, 0, "PREFIX",
		  "topic prefix" },
		{ NULL, "collector-user", TL_OPT_STR, collector, sizeof collector, 0, 0, "NAME",
		  "the collector's MQTT user" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;

	cli_args(cli_current(), opts, argc, argv, NULL, 0, 0);
	printf("# mosquitto ACL made by 'touchline reader acl'; do not edit by hand.\n\n");
	/* The collector reads everything under the prefix, so that a message
	 * on a malformed topic reaches it and is dead-lettered (bad_topic). */
	printf("user %s\ntopic read %s/#\ntopic write %s/+/+/ack\n", collector, prefix, prefix);
	/* A venue broker bridging all of a site's readers (venue.conf). */
	st = cli_prepare(cli, "SELECT id FROM site ORDER BY id");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		printf("\nuser venue.%s\n", s);
		printf("topic write %s/%s/+/tap\n", prefix, s);
		printf("topic write %s/%s/+/status\n", prefix, s);
		printf("topic read %s/%s/+/ack\n", prefix, s);
	}
	sqlite3_finalize(st);
	st = cli_prepare(cli, "SELECT site, id FROM reader ORDER BY site, id");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		const char *r = (const char *)sqlite3_column_text(st, 1);
		printf("\nuser %s.%s\n", s, r);
		printf("topic write %s/%s/%s/tap\n", prefix, s, r);
		printf("topic write %s/%s/%s/status\n", prefix, s, r);
		printf("topic read %s/%s/%s/ack\n", prefix, s, r);
	}
	sqlite3_finalize(st);
	return 0;
}
