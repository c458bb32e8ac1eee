/* cli_util.c - see cli.h. */
#include "cli.h"
#include "tl_time.h"
#include "protocol.h"
#include "store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const struct cli_command *current;
/* Set while an import runs one of its rows as a command (cli_trap). */
static jmp_buf *trap;
static char *trap_msg;
static size_t trap_len;
static int trap_deferred; /* a row asked for an attendance rebuild */
static int trap_code;     /* the trapped failure's exit status */

const struct cli_command *cli_current(void)
{
	return current;
}

void cli_set_current(const struct cli_command *cmd)
{
	current = cmd;
}

__attribute__((format(printf, 2, 0), noreturn))
static void cli_vfail(int code, const char *fmt, va_list ap)
{
	if (trap) {
		jmp_buf *to = trap;
		vsnprintf(trap_msg, trap_len, fmt, ap);
		trap = NULL;
		trap_code = code;
		longjmp(*to, 1);
	}
	fputs("touchline: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	if (code == 2 && current)
		fprintf(stderr, "usage: touchline [--db FILE] %s %s %s\n", current->noun,
		        current->verb ? current->verb : "", current->args);
	exit(code);
}

void cli_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_vfail(1, fmt, ap);
}

void cli_usage_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_vfail(2, fmt, ap);
}

void cli_args(const struct cli_command *cmd, const struct tl_option *opts, int argc, char **argv,
              char **pos, int min, int max)
{
	static const struct tl_option none[] = { TL_OPT_END };
	char err[512];
	int n;

	switch (tl_args_parse(opts ? opts : none, argc, argv, pos, max, &n, err, sizeof err)) {
	case TL_PARSE_OK:
		break;
	case TL_PARSE_HELP:
		printf("usage: touchline [--db FILE] %s %s %s\n\n%s\n", cmd->noun,
		       cmd->verb ? cmd->verb : "", cmd->args, cmd->help);
		if (opts && opts[0].name) {
			printf("\noptions:\n");
			tl_options_usage(stdout, opts);
		}
		exit(0);
	case TL_PARSE_MAN:
		/* The manual's entry for this command (see cli_manual). */
		if (opts && opts[0].name)
			tl_manual_options(stdout, opts, 0);
		fflush(stdout);
		exit(0);
	default:
		cli_usage_fail("%s", err);
	}
	if (n < min)
		cli_usage_fail("missing argument");
}

sqlite3_stmt *cli_prepare(struct cli *cli, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(cli->db, sql, -1, &st, NULL) != SQLITE_OK)
		cli_fail("database: %s", sqlite3_errmsg(cli->db));
	return st;
}

void cli_exec_stmt(struct cli *cli, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		cli_fail("database: %s", sqlite3_errmsg(cli->db));
	sqlite3_reset(st);
}

void cli_exec(struct cli *cli, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(cli->db, sql, NULL, NULL, &msg) != SQLITE_OK)
		cli_fail("database: %s", msg ? msg : sqlite3_errmsg(cli->db));
}

long cli_run_int(struct cli *cli, const char *sql, int64_t a, int64_t b)
{
	sqlite3_stmt *st = cli_prepare(cli, sql);

	sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, b);
	cli_exec_stmt(cli, st);
	sqlite3_finalize(st);
	return (long)sqlite3_changes(cli->db);
}

long cli_run_text(struct cli *cli, const char *sql, const char *text)
{
	sqlite3_stmt *st = cli_prepare(cli, sql);

	sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
	cli_exec_stmt(cli, st);
	sqlite3_finalize(st);
	return (long)sqlite3_changes(cli->db);
}

void cli_begin(struct cli *cli)
{
	cli_exec(cli, trap ? "SAVEPOINT cmd" : "BEGIN IMMEDIATE");
}

void cli_commit(struct cli *cli)
{
	cli_exec(cli, trap ? "RELEASE cmd" : "COMMIT");
}

int cli_trap(struct cli *cli, const struct cli_command *cmd, int argc, char **argv, char *msg,
             size_t msglen)
{
	jmp_buf here;
	const struct cli_command *was = current;
	volatile int rc = 0;
	sqlite3_stmt *st;

	msg[0] = '\0';
	cli_exec(cli, "SAVEPOINT row");
	if (setjmp(here) == 0) {
		trap = &here;
		trap_msg = msg;
		trap_len = msglen;
		current = cmd;
		cmd->run(cli, argc, argv);
		trap = NULL;
	} else {
		rc = trap_code;
		/* the command's statements are left open where it stopped */
		while ((st = sqlite3_next_stmt(cli->db, NULL)))
			sqlite3_finalize(st);
		cli_exec(cli, "ROLLBACK TO row");
	}
	current = was;
	cli_exec(cli, "RELEASE row");
	return rc;
}

int cli_trapped(void)
{
	return trap != NULL;
}

void cli_defer_rebuild(void)
{
	trap_deferred = 1;
}

int cli_rebuild_deferred(void)
{
	int d = trap_deferred;
	trap_deferred = 0;
	return d;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if none:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t cli_utf8_len(const unsigned char *p, size_t n, unsigned *cp)
{
	size_t len = p[0] < 0x80 ? 1 : (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3
	           : (p[0] & 0xf8) == 0xf0 ? 4 : 0;
	unsigned c;

	if (!len || len > n)
		return 0;
	c = len == 1 ? p[0] : p[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return len;
}

/* Shown as escapes: controls, and the characters that reorder text
 * (bidi embeddings, overrides and isolates). */
static int cli_unsafe(unsigned c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f || c == 0x061c;
}

void cli_escape(const unsigned char *p, size_t n, char *out, size_t size)
{
	size_t o = 0, i = 0;

	if (size < 4) {
		out[0] = '\0';
		return;
	}
	while (i < n) {
		unsigned c = 0;
		size_t len = cli_utf8_len(p + i, n - i, &c), need = len && !cli_unsafe(c)
		                                                        ? (c == '\\' ? 2 : len)
		                                                        : 4 * (len ? len : 1);
		/* Room is kept for "..." and the NUL: o + 4 <= size holds here. */
		if (o + need + 4 > size) {
			memcpy(out + o, "...", 4);
			return;
		}
		if (len && !cli_unsafe(c)) {
			if (c == '\\')
				out[o++] = '\\';
			memcpy(out + o, p + i, len);
			o += len;
		} else {
			for (size_t k = 0; k < (len ? len : 1); k++)
				o += (size_t)snprintf(out + o, size - o, "\\x%02x", p[i + k]);
		}
		i += len ? len : 1;
	}
	out[o] = '\0';
}

const char *cli_text(sqlite3_stmt *st, int col)
{
	static char ring[CLI_TEXT_RING][512];
	static unsigned next;
	char *out = ring[next++ % CLI_TEXT_RING];
	const unsigned char *p = sqlite3_column_text(st, col);

	if (!p)
		return "-";
	cli_escape(p, (size_t)sqlite3_column_bytes(st, col), out, sizeof ring[0]);
	return out;
}

int cli_revoke_token(struct cli *cli, int argc, char **argv, const char *update_sql,
                     const char *what)
{
	char *pos[1];
	sqlite3_stmt *st;

	cli_args(cli_current(), NULL, argc, argv, pos, 1, 1);
	if (!tl_token_valid(pos[0]))
		cli_fail("token '%s' is not 32 lowercase hex digits", pos[0]);
	st = cli_prepare(cli, update_sql);
	sqlite3_bind_int64(st, 1, (int64_t)time(NULL));
	sqlite3_bind_text(st, 2, pos[0], -1, SQLITE_STATIC);
	cli_exec_stmt(cli, st);
	sqlite3_finalize(st);
	if (sqlite3_changes(cli->db) == 0)
		cli_fail("no active %s with token %s", what, pos[0]);
	printf("%s %s revoked\n", what, pos[0]);
	return 0;
}

void cli_scrub(struct cli *cli, const char *what)
{
	char err[512];

	if (tl_store_scrub(cli->db, err, sizeof err))
		cli_fail("%s is gone from the tables, but old copies may remain in the database"
		         " file: %s", what, err);
}

int64_t cli_participant_id(struct cli *cli, const char *code)
{
	sqlite3_stmt *st = cli_prepare(cli, "SELECT id FROM participant WHERE code = ?1");
	int64_t id;

	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW)
		cli_fail("no participant with code '%s'", code);
	id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

void cli_confirm(const char *what, int assume_yes)
{
	char line[16];

	if (assume_yes)
		return;
	if (!isatty(STDIN_FILENO))
		cli_fail("%s cannot be undone: add --yes to confirm", what);
	fprintf(stderr, "%s cannot be undone. Type yes to go on: ", what);
	if (!fgets(line, sizeof line, stdin) || strcmp(line, "yes\n") != 0)
		cli_fail("not confirmed; nothing changed");
}

const char *cli_time(sqlite3_stmt *st, int col, char *buf)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return "-";
	tl_time_format(sqlite3_column_int64(st, col), buf);
	return buf;
}
