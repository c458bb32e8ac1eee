/* cmd_reader.c - touchline reader add|list|acl: the readers of each site,
 * their MQTT credentials and the broker ACL that confines each of them to
 * its own topics. */
#include "cli.h"
#include "cmds.h"
#include "protocol.h"
#include "tl_time.h"
#include "token.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* MQTT user names. Each kind of client has its own shape, so that no
 * site or reader id can give one client another's name: ids hold only
 * a-z, 0-9 and '-', so "SITE.READER" (one dot) is always a reader and
 * "venue@SITE" always a venue broker, and the collector's user (checked by
 * reader_check_collector_user) has neither '.' nor '@'. None holds ':'
 * (the password file's separator) or '/', '+', '#' (which mosquitto's
 * pattern ACLs refuse in a user name or client id). */
static void reader_user(char *buf, size_t n, const char *site, const char *reader)
{
	snprintf(buf, n, "%s.%s", site, reader);
}

static void venue_user(char *buf, size_t n, const char *site)
{
	snprintf(buf, n, "venue@%s", site);
}

/* The collector's user name must be of neither reader nor venue shape,
 * and safe in a password file, an ACL and as a client id. */
static void reader_check_collector_user(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 64 || strspn(name, "abcdefghijklmnopqrstuvwxyz"
	                                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != n)
		cli_fail("collector user '%s' must be 1 to 64 of A-Z, a-z, 0-9, _ and - (no '.' "
		         "or '@', which mark reader and venue users)", name);
}

/* Writes a fresh random password for a reader's user to path, which must
 * not exist yet: created 0600, so only its owner can read it. The password
 * is never printed: commands name the file. */
static void reader_write_password(const char *path)
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789"; /* 32: 5 bits each */
	unsigned char raw[26]; /* 130 bits */
	char password[sizeof raw + 2];
	int fd, ok;

	if (tl_random(raw, sizeof raw))
		cli_fail("no randomness available for a password");
	for (size_t i = 0; i < sizeof raw; i++)
		password[i] = alphabet[raw[i] & 31];
	password[sizeof raw] = '\n';
	password[sizeof raw + 1] = '\0';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		cli_fail("cannot create password file %s: %s%s", path, strerror(errno),
		         errno == EEXIST ? " (refusing to overwrite it)" : "");
	ok = fchmod(fd, 0600) == 0 && write(fd, password, sizeof raw + 1) == (ssize_t)(sizeof raw + 1) &&
	     fsync(fd) == 0;
	memset(password, 0, sizeof password);
	if (close(fd) != 0 || !ok) {
		int e = errno;
		unlink(path);
		cli_fail("cannot write password file %s: %s", path, strerror(e));
	}
}

/* Prints what installing a reader needs: its MQTT user, the broker-side
 * commands (which read the password from its file) and the reader's
 * settings. */
static void reader_print_credentials(const char *site, const char *reader, const char *host,
                                     long port, const char *pwfile)
{
	char user[80];

	reader_user(user, sizeof user, site, reader);
	printf("\n# MQTT user for reader %s/%s: %s\n", site, reader, user);
	printf("# Its password is in %s (mode 600); nothing else holds it.\n", pwfile);
	printf("# 1. On the broker (as root; mosquitto_passwd reads the password twice):\n");
	printf("cat '%s' '%s' | mosquitto_passwd /etc/mosquitto/touchline/passwd %s\n", pwfile,
	       pwfile, user);
	printf("touchline reader acl > /etc/mosquitto/touchline/acl && systemctl reload mosquitto\n");
	printf("# 2. On the reader: the password file, then the settings.\n");
	printf("install -m 600 -o touchline-bridge '%s' /etc/touchline/mqtt-password\n", pwfile);
	printf("cat > /etc/touchline/bridge.ini <<'EOF'\n");
	printf("[mqtt]\nhost = %s\nport = %ld\ncafile = /etc/touchline/ca.crt\n", host, port);
	printf("username = %s\npassword-file = /etc/touchline/mqtt-password\n", user);
	printf("\n[bridge]\nsite = %s\nid = %s\n", site, reader);
	printf("key-file = /etc/touchline/bridge.key\nspool = /var/lib/touchline-bridge/spool.db\n");
	printf("EOF\n# 3. Copy ca.crt and the deployment key to /etc/touchline/ (bridge.key, mode 600),\n"
	       "#    then delete %s.\n", pwfile);
}

int cmd_reader_add(struct cli *cli, int argc, char **argv)
{
	char *pos[2], host[256] = "broker.example.org", pwfile[1024] = "";
	int credentials = 0;
	long port = 8883;
	const struct tl_option opts[] = {
		{ NULL, "credentials", TL_OPT_BOOL, &credentials, 0, 0, 0, NULL,
		  "print a new MQTT password, the broker commands and a ready reader config" },
		{ NULL, "broker-host", TL_OPT_STR, host, sizeof host, 0, 0, "HOST",
		  "the broker the reader connects to (with --credentials)" },
		{ NULL, "broker-port", TL_OPT_INT, &port, 0, 1, 65535, "PORT",
		  "its TLS port (with --credentials)" },
		{ NULL, "password-out", TL_OPT_STR, pwfile, sizeof pwfile, 0, 0, "FILE",
		  "write the new password here, mode 600, never over an existing file (with"
		  " --credentials; default SITE.READER.password in the current directory)" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;

	cli_args(cli_current(), opts, argc, argv, pos, 2, 2);
	if (!tl_id_valid(pos[1]))
		cli_fail("reader id '%s' must be 1 to 32 of a-z, 0-9 and -", pos[1]);
	if (!credentials && (pwfile[0] || strcmp(host, "broker.example.org") || port != 8883))
		cli_usage_fail("--password-out, --broker-host and --broker-port go with --credentials");
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
	/* The file first: if it cannot be made, the reader is not added. */
	if (credentials) {
		if (!pwfile[0]) {
			char user[80];
			reader_user(user, sizeof user, pos[0], pos[1]);
			snprintf(pwfile, sizeof pwfile, "%s.password", user);
		}
		reader_write_password(pwfile);
	}
	cli_commit(cli);
	printf("reader %s/%s added\n", pos[0], pos[1]);
	if (credentials)
		reader_print_credentials(pos[0], pos[1], host, port, pwfile);
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
	                      "  ELSE printf('%+ds', clock_offset) END,"
	                      " (SELECT count(*) FROM deadletter d WHERE d.site = r.site"
	                      "  AND d.reader = r.id),"
	                      " (SELECT coalesce(sum(dropped), 0) FROM deadletter_drop x"
	                      "  WHERE x.site = r.site AND x.reader = r.id)"
	                      " FROM reader r ORDER BY site, id");
	sqlite3_bind_int(st, 1, TL_CLOCK_TOLERANCE);
	printf("%-40s %-10s %-20s %-20s %-7s %-12s %-8s %-8s %s\n", "READER", "STATE",
	       "LAST SEEN", "LAST TAP", "SPOOLED", "CLOCK", "REJECTED", "DROPPED", "VERSION");
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("%-40s %-10s %-20s %-20s %-7d %-12s %-8lld %-8lld %s\n",
		       cli_text(st, 0), cli_text(st, 1), cli_time(st, 2, seen),
		       cli_time(st, 3, tap), sqlite3_column_int(st, 4), cli_text(st, 6),
		       sqlite3_column_int64(st, 7), sqlite3_column_int64(st, 8),
		       cli_text(st, 5));
	sqlite3_finalize(st);
	return 0;
}

/* The mosquitto ACL for every registered reader: each may publish only
 * its own tap and status and read only its own acks; a site's venue broker
 * (user venue@SITE) may do the same for every reader of its site; the
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
	reader_check_collector_user(collector);
	printf("# mosquitto ACL made by 'touchline reader acl'; do not edit by hand.\n\n");
	/* The collector reads everything under the prefix, so that a message
	 * on a malformed topic reaches it and is dead-lettered (bad_topic). */
	printf("user %s\ntopic read %s/#\ntopic write %s/+/+/ack\n", collector, prefix, prefix);
	/* A venue broker bridging all of a site's readers (venue.conf). */
	st = cli_prepare(cli, "SELECT id FROM site ORDER BY id");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		char user[64];
		venue_user(user, sizeof user, s);
		printf("\nuser %s\n", user);
		printf("topic write %s/%s/+/tap\n", prefix, s);
		printf("topic write %s/%s/+/status\n", prefix, s);
		printf("topic read %s/%s/+/ack\n", prefix, s);
	}
	sqlite3_finalize(st);
	st = cli_prepare(cli, "SELECT site, id FROM reader ORDER BY site, id");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		const char *r = (const char *)sqlite3_column_text(st, 1);
		char user[80];
		reader_user(user, sizeof user, s, r);
		printf("\nuser %s\n", user);
		printf("topic write %s/%s/%s/tap\n", prefix, s, r);
		printf("topic write %s/%s/%s/status\n", prefix, s, r);
		printf("topic read %s/%s/%s/ack\n", prefix, s, r);
	}
	sqlite3_finalize(st);
	return 0;
}
