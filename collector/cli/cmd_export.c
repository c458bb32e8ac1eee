/* cmd_export.c - touchline export: tidy tables for evaluators.
 *
 * Exports carry pseudonymous codes only: never names, never card tokens.
 * With --output the file is written beside its target and renamed into
 * place, so a reader of FILE never sees half an export. */
#include "cli.h"
#include "cmds.h"
#include "rows.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct export_kind {
	const char *name;
	const char *const *cols;
	int ncols;
	const char *sql;
};

static const char *const taps_cols[] = { "id", "site", "reader", "participant", "ts",
	                                 "received_at" };

static const struct export_kind export_kinds[] = {
	{ "taps", taps_cols, 6,
	  "SELECT t.id, t.site, t.reader, p.code,"
	  " strftime('%Y-%m-%dT%H:%M:%SZ', t.ts, 'unixepoch'),"
	  " strftime('%Y-%m-%dT%H:%M:%SZ', t.received_at, 'unixepoch')"
	  " FROM tap t LEFT JOIN participant p ON p.id = t.participant ORDER BY t.ts, t.n" },
};

/* Opens a temporary file next to path; *tmp receives its name. */
static FILE *export_open(const char *path, char *tmp, size_t size)
{
	int fd;
	FILE *f;

	if ((size_t)snprintf(tmp, size, "%s.XXXXXX", path) >= size)
		cli_fail("%s: path too long", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		cli_fail("%s: cannot create: %s", path, strerror(errno));
	f = fdopen(fd, "w");
	if (!f)
		cli_fail("%s: %s", path, strerror(errno));
	return f;
}

static void export_commit(FILE *f, const char *tmp, const char *path)
{
	if (fflush(f) || fsync(fileno(f)) || fclose(f) || rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		cli_fail("%s: write failed: %s", path, strerror(e));
	}
}

int cmd_export(struct cli *cli, int argc, char **argv)
{
	char format[16] = "csv", output[1024] = "", tmp[1100], *pos[1];
	const struct tl_option opts[] = {
		{ NULL, "format", TL_OPT_STR, format, sizeof format, 0, 0, "csv|json", "output format" },
		{ NULL, "output", TL_OPT_STR, output, sizeof output, 0, 0, "FILE",
		  "write to FILE (atomically) instead of standard output" },
		TL_OPT_END,
	};
	const struct export_kind *kind = NULL;
	enum tl_format fmt;
	struct tl_rows rows;
	sqlite3_stmt *st;
	FILE *out = stdout;
	int rc;

	cli_args(cli_current(), opts, argc, argv, pos, 1, 1);
	for (size_t i = 0; i < sizeof export_kinds / sizeof export_kinds[0]; i++)
		if (strcmp(pos[0], export_kinds[i].name) == 0)
			kind = &export_kinds[i];
	if (!kind)
		cli_usage_fail("unknown export '%s'", pos[0]);
	if (tl_format_parse(format, &fmt))
		cli_usage_fail("--format must be csv or json, not '%s'", format);
	if (output[0])
		out = export_open(output, tmp, sizeof tmp);
	/* One read transaction: the export is a consistent snapshot even while
	 * the collector keeps writing. */
	cli_exec(cli, "BEGIN");
	st = cli_prepare(cli, kind->sql);
	tl_rows_begin(&rows, out, fmt, kind->cols, kind->ncols);
	rc = tl_rows_query(&rows, st);
	sqlite3_finalize(st);
	cli_exec(cli, "COMMIT");
	if (rc) {
		if (output[0])
			unlink(tmp);
		cli_fail("database: %s", sqlite3_errstr(rc));
	}
	if (tl_rows_finish(&rows)) {
		if (output[0])
			unlink(tmp);
		cli_fail("write failed: %s", strerror(errno));
	}
	if (output[0]) {
		export_commit(out, tmp, output);
		fprintf(stderr, "%ld rows written to %s\n", rows.nrows, output);
	}
	return 0;
}
