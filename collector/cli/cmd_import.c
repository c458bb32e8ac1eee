/* cmd_import.c - touchline import participants|enrolments|schedules FILE
 * [--dry-run]: bulk set-up from a spreadsheet's CSV (templates in
 * docs/import.md).
 *
 * Each row is run as the command an admin would type for it (participant
 * add, programme enrol, schedule add), through cli_trap, so a row is
 * checked by exactly the code that checks the command: one rule in one
 * place. All rows run in one transaction; a row that fails is reported
 * with its line and the command's reason, and after the last row either
 * everything is committed or (any bad row, or --dry-run) nothing is. */
#include "cli.h"
#include "cli_csv.h"
#include "cmds.h"
#include "programme.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IMPORT_COLS 8
#define IMPORT_ARGS (2 * IMPORT_COLS + 4)

/* One kind of import: its columns, which are required, which are
 * positional arguments of the command (in order) and which become
 * --column=value flags (named by flag, or the column name). */
struct import_kind {
	const char *name, *noun, *verb, *what;
	int ncols;
	const char *cols[IMPORT_COLS];
	int required[IMPORT_COLS];
	int positional[IMPORT_COLS]; /* 1-based place among the positionals, 0: a flag */
	const char *flag[IMPORT_COLS];
	int list[IMPORT_COLS];       /* a list: ';' between items becomes ',' */
};

static const struct import_kind import_kinds[] = {
	{ "participants", "participant", "add", "participant", 2,
	  { "code", "name" }, { 0, 0 }, { 0, 0 }, { "code", "name" }, { 0, 0 } },
	{ "enrolments", "programme", "enrol", "enrolment", 6,
	  { "programme", "participant", "start", "end", "sites", "schedules" },
	  { 1, 1, 1, 0, 0, 0 }, { 1, 2, 0, 0, 0, 0 },
	  { NULL, NULL, "start", "end", "sites", "schedules" }, { 0, 0, 0, 0, 1, 1 } },
	{ "schedules", "schedule", "add", "schedule", 8,
	  { "programme", "site", "activity", "weekday", "start", "end", "from", "to" },
	  { 1, 1, 1, 1, 1, 1, 1, 1 }, { 1, 0, 0, 0, 0, 0, 0, 0 },
	  { NULL, "site", "activity", "weekday", "start", "end", "from", "to" },
	  { 0, 0, 0, 0, 0, 0, 0, 0 } },
};

static const struct cli_command *import_command(const char *noun, const char *verb)
{
	for (const struct cli_command *c = cli_commands; c->noun; c++)
		if (!strcmp(c->noun, noun) && c->verb && !strcmp(c->verb, verb))
			return c;
	cli_fail("internal: no command %s %s", noun, verb);
}

/* The command line of one row: flags as --name=value (a value may start
 * with '-'), then "--" and the positionals. Empty optional cells are left
 * out. argbuf holds the flags' text. */
static int import_argv(const struct import_kind *k, const int *col, char **f, char **argv,
                       char *argbuf, size_t buflen)
{
	int argc = 0, npos = 0;
	char *pos[IMPORT_COLS];
	size_t used = 0;

	for (int i = 0; i < k->ncols; i++) {
		char *v = col[i] >= 0 ? f[col[i]] : NULL;
		if (!v || (!v[0] && !k->required[i]))
			continue;
		if (k->list[i])
			for (char *p = v; *p; p++)
				if (*p == ';')
					*p = ',';
		if (k->positional[i]) {
			pos[k->positional[i] - 1] = v;
			npos = k->positional[i] > npos ? k->positional[i] : npos;
		} else {
			int n = snprintf(argbuf + used, buflen - used, "--%s=%s", k->flag[i], v);
			if (n < 0 || (size_t)n >= buflen - used)
				return -1;
			argv[argc++] = argbuf + used;
			used += (size_t)n + 1;
		}
	}
	argv[argc++] = (char *)"--";
	for (int i = 0; i < npos; i++)
		argv[argc++] = pos[i];
	argv[argc] = NULL;
	return argc;
}

/* Runs one row's command with its stdout captured into out (what it
 * printed: the new participant code, the schedule id). Returns the
 * command's status as cli_trap does. */
static int import_row(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
                      FILE *cap, char *msg, size_t msglen, char *out, size_t outlen)
{
	int saved, rc;
	size_t n;

	fflush(stdout);
	if (ftruncate(fileno(cap), 0) || fseek(cap, 0, SEEK_SET) || (saved = dup(1)) < 0 ||
	    dup2(fileno(cap), 1) < 0)
		cli_fail("cannot capture a row's output: %s", strerror(errno));
	rc = cli_trap(cli, cmd, argc, argv, msg, msglen);
	fflush(stdout);
	if (dup2(saved, 1) < 0)
		cli_fail("cannot restore the output: %s", strerror(errno));
	close(saved);
	rewind(cap);
	n = fread(out, 1, outlen - 1, cap);
	out[n] = '\0';
	while (n && out[n - 1] == '\n')
		out[--n] = '\0';
	return rc;
}

static int cmd_import_rows(struct cli *cli, int argc, char **argv, const char *kind)
{
	const struct import_kind *k = NULL;
	const struct cli_command *cmd;
	char *pos[1], *rargv[IMPORT_ARGS], argbuf[2 * CLI_CSV_LINE], msg[600], out[1024], help[256];
	int col[IMPORT_COLS], dry = 0, header = 1;
	long rows = 0;
	const struct tl_option opts[] = {
		{ NULL, "dry-run", TL_OPT_BOOL, &dry, 0, 0, 0, NULL,
		  "check every row and report, but store nothing" },
		TL_OPT_END,
	};
	struct cli_csv csv;
	FILE *cap, *done;
	char *report = NULL;
	size_t reportlen = 0;

	for (size_t i = 0; i < sizeof import_kinds / sizeof import_kinds[0]; i++)
		if (!strcmp(import_kinds[i].name, kind))
			k = &import_kinds[i];
	if (!k)
		cli_fail("internal: no import of %s", kind);
	cli_args(cli_current(), opts, argc, argv, pos, 1, 1);
	cmd = import_command(k->noun, k->verb);
	help[0] = '\0';
	for (int i = 0; i < k->ncols; i++)
		snprintf(help + strlen(help), sizeof help - strlen(help), "%s%s%s", i ? ", " : "",
		         k->cols[i], k->required[i] ? "" : " (optional)");
	cli_csv_open(&csv, pos[0]);
	if (!(cap = tmpfile()) || !(done = open_memstream(&report, &reportlen)))
		cli_fail("cannot make a temporary file: %s", strerror(errno));
	cli_begin(cli);
	while (cli_csv_next(&csv)) {
		int n;
		if (header) {
			header = 0;
			if (cli_csv_header(&csv, k->cols, k->required, k->ncols, col, help))
				break;
			continue;
		}
		if (cli_csv_width(&csv))
			continue;
		n = import_argv(k, col, csv.f, rargv, argbuf, sizeof argbuf);
		if (n < 0) {
			cli_csv_bad(&csv, "too long");
			continue;
		}
		if (import_row(cli, cmd, n, rargv, cap, msg, sizeof msg, out, sizeof out))
			cli_csv_bad(&csv, "%s", msg);
		else
			fprintf(done, "line %d: %s\n", csv.lineno, out);
		rows++;
	}
	fclose(cap);
	fclose(done);
	if (header && !csv.bad) {
		free(report);
		cli_fail("%s: empty: no header line", pos[0]);
	}
	if (!csv.bad && !rows) {
		free(report);
		cli_fail("%s: a header and no %ss: nothing imported", pos[0], k->what);
	}
	if (csv.bad) {
		free(report);
		cli_exec(cli, "ROLLBACK");
		cli_fail("%s: %ld bad line%s: nothing imported", pos[0], csv.bad,
		         csv.bad == 1 ? "" : "s");
	}
	if (cli_rebuild_deferred())
		cli_attendance_refresh(cli);
	if (dry) {
		cli_exec(cli, "ROLLBACK");
		printf("%s%s: dry run: %ld %s%s would be imported; nothing was\n",
		       report ? report : "", pos[0], rows, k->what, rows == 1 ? "" : "s");
	} else {
		cli_commit(cli);
		printf("%s%ld %s%s imported from %s\n", report ? report : "", rows, k->what,
		       rows == 1 ? "" : "s", pos[0]);
	}
	free(report);
	return 0;
}

int cmd_import_participants(struct cli *cli, int argc, char **argv)
{
	return cmd_import_rows(cli, argc, argv, "participants");
}

int cmd_import_enrolments(struct cli *cli, int argc, char **argv)
{
	return cmd_import_rows(cli, argc, argv, "enrolments");
}

int cmd_import_schedules(struct cli *cli, int argc, char **argv)
{
	return cmd_import_rows(cli, argc, argv, "schedules");
}
