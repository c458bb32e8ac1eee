/* cli.h - the touchline admin CLI: shared helpers for its commands.
 *
 * Error convention: a command that cannot do what was asked prints
 * "touchline: <why>" and exits 1 (2 for a usage error) before committing,
 * so a failed command never leaves anything half-written. */
#ifndef TL_CLI_H
#define TL_CLI_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct cli {
	sqlite3 *db;
	const char *db_path;
};

/* One "noun verb" command. argv[0] is the first argument after the verb. */
struct cli_command {
	const char *noun, *verb;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *args;  /* shown in usage */
	const char *help;
	int needs_db;      /* 0: the command opens the database itself */
};

extern const struct cli_command cli_commands[];

void cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void cli_usage_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Parses a command's flags (from opts) and between min and max
 * positional arguments; fails with a usage error otherwise. */
void cli_args(const struct cli_command *cmd, const struct tl_option *opts, int argc, char **argv,
              char **pos, int min, int max);
/* The command being run, set by main before it runs. */
const struct cli_command *cli_current(void);
void cli_set_current(const struct cli_command *cmd);

/* Runs one command for an import row, inside the caller's transaction
 * (its begin and commit become a savepoint): if it fails (cli_fail,
 * cli_usage_fail), its changes are rolled back, its message goes to msg
 * and its exit status (1 or 2) is returned instead of exiting; 0 if it
 * succeeded. A trapped command defers attendance rebuilds to the caller
 * (cli_rebuild_deferred). */
int cli_trap(struct cli *cli, const struct cli_command *cmd, int argc, char **argv, char *msg,
             size_t msglen);
/* True while a trapped command runs. */
int cli_trapped(void);
/* Notes that a trapped command needs attendance rebuilt. */
void cli_defer_rebuild(void);
/* Whether a trapped command asked for a rebuild since the last call. */
int cli_rebuild_deferred(void);

sqlite3_stmt *cli_prepare(struct cli *cli, const char *sql);
/* Steps a statement expected to return no rows, failing loudly if not. */
void cli_exec_stmt(struct cli *cli, sqlite3_stmt *st);
void cli_exec(struct cli *cli, const char *sql);
/* Runs sql (no rows) with ?1 = a and, if it has one, ?2 = b; returns the
 * rows it changed. cli_run_text: ?1 = text. */
long cli_run_int(struct cli *cli, const char *sql, int64_t a, int64_t b);
long cli_run_text(struct cli *cli, const char *sql, const char *text);
void cli_begin(struct cli *cli);
void cli_commit(struct cli *cli);
/* The token of the newest tap of an unknown card at a registered reader
 * SITE/READER (not a staff card, not a random UID), into token
 * (TL_TOKEN_LEN + 1 bytes); fails if there is none. */
void cli_last_unknown(struct cli *cli, const char *spec, char *token);
/* The card a command names: --token HEX, or --last-unknown --reader
 * SITE/READER. CLI_CARD_OPTIONS goes in the command's option table;
 * cli_card_check fails with a usage error unless exactly one was given
 * (call it before the transaction); cli_card_token then fills token
 * (64 bytes) with the checked token, inside it. */
#define CLI_CARD_OPTIONS(token, last_unknown, reader)                                    \
	{ NULL, "token", TL_OPT_STR, token, sizeof token, 0, 0, "HEX", "the card's token" },   \
	{ NULL, "last-unknown", TL_OPT_BOOL, &last_unknown, 0, 0, 0, NULL,                    \
	  "the unknown card tapped last at --reader" },                                         \
	{ NULL, "reader", TL_OPT_STR, reader, sizeof reader, 0, 0, "SITE/READER",              \
	  "with --last-unknown" }
void cli_card_check(int last_unknown, const char *token, const char *reader);
void cli_card_token(struct cli *cli, int last_unknown, const char *reader, char *token);
/* Resolves a participant code (not erased) to its row id, or fails. */
int64_t cli_participant_id(struct cli *cli, const char *code);
/* card revoke, staff revoke: runs update_sql (?1 now, ?2 the token given
 * as the one argument) and says so; fails if no active row held it. what
 * names the row in messages ("card", "staff card"). */
int cli_revoke_token(struct cli *cli, int argc, char **argv, const char *update_sql,
                     const char *what);
/* After a committed erase or purge: tl_store_scrub, failing with what was
 * done (what) and what remains if the file could not be cleaned. */
void cli_scrub(struct cli *cli, const char *what);
/* Asks "type yes" on a terminal unless assume_yes; fails otherwise. */
void cli_confirm(const char *what, int assume_yes);
/* Writes bytes p[0..n) to out (size > 0, always terminated) made safe for a
 * terminal: valid UTF-8 passes, except control characters (C0, DEL, C1)
 * and the bidirectional overrides that reorder what is shown, which become
 * \xNN per byte, as does any byte that is not valid UTF-8; a backslash is
 * doubled. Output that does not fit ends in "...". */
void cli_escape(const unsigned char *p, size_t n, char *out, size_t size);
/* Column col of a row as text for a listing, escaped by cli_escape ("-"
 * for NULL). The result lives in one of a ring of buffers, so a printf
 * may take up to CLI_TEXT_RING of them at once. */
#define CLI_TEXT_RING 16
const char *cli_text(sqlite3_stmt *st, int col);
/* Formats Unix seconds as RFC 3339 UTC, or "-" for NULL. */
const char *cli_time(sqlite3_stmt *st, int col, char *buf);

#endif
