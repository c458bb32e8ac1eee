/* cmd_export.c - touchline export: tidy tables for evaluators.
 *
 * Exports carry pseudonymous codes only: never names, never card tokens
 * (--rekey replaces even the codes). Times are local to the programme's
 * zone with their offset. docs/data-dictionary.md describes every column.
 * With --output the file is written beside its target and renamed into
 * place, so a reader of FILE never sees half an export. The kinds and the
 * writing are in common/export.c, shared with the dashboard. */
#include "calendar.h"
#include "cli.h"
#include "cmds.h"
#include "programme.h"
#include "export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* The date filter as a canonical local date (checked), or NULL. */
static const char *export_date(const char *flag, const char *text, char buf[TL_DATE_LEN])
{
	if (!text[0])
		return NULL;
	tl_cal_format(cli_date(flag, text), buf);
	return buf;
}

int cmd_export(struct cli *cli, int argc, char **argv)
{
	char format[16] = "csv", output[1024] = "", tmp[1100], *pos[1];
	char from[16] = "", to[16] = "", programme[64] = "", site[64] = "";
	char fd[TL_DATE_LEN], td[TL_DATE_LEN];
	int rekey_on = 0;
	const struct tl_option opts[] = {
		{ NULL, "format", TL_OPT_STR, format, sizeof format, 0, 0, "csv|json", "output format" },
		{ NULL, "output", TL_OPT_STR, output, sizeof output, 0, 0, "FILE",
		  "write to FILE (atomically) instead of standard output" },
		{ NULL, "from", TL_OPT_STR, from, sizeof from, 0, 0, "DATE",
		  "sessions (taps: UTC days) on or after DATE" },
		{ NULL, "to", TL_OPT_STR, to, sizeof to, 0, 0, "DATE", "on or before DATE" },
		{ NULL, "programme", TL_OPT_STR, programme, sizeof programme, 0, 0, "P",
		  "programme P only" },
		{ NULL, "site", TL_OPT_STR, site, sizeof site, 0, 0, "SITE", "site SITE only" },
		{ NULL, "rekey", TL_OPT_BOOL, &rekey_on, 0, 0, 0, NULL,
		  "replace codes with random pseudonyms for this export only" },
		TL_OPT_END,
	};
	struct tl_export_filter filter = { NULL, NULL, NULL, NULL, 0 };
	const struct tl_export_kind *kind;
	enum tl_format fmt;
	FILE *out = stdout;
	char err[512];
	long nrows = 0;
	int rc;

	cli_args(cli_current(), opts, argc, argv, pos, 1, 1);
	kind = tl_export_find(pos[0]);
	if (!kind)
		cli_usage_fail("unknown export '%s' (taps, attendance, activity, participants,"
		               " sessions)", pos[0]);
	if (tl_format_parse(format, &fmt))
		cli_usage_fail("--format must be csv or json, not '%s'", format);
	if ((from[0] || to[0]) && !(kind->filters & TL_EXPORT_DATES))
		cli_usage_fail("export %s takes no --from or --to", kind->name);
	if (programme[0] && !(kind->filters & TL_EXPORT_PROGRAMME))
		cli_usage_fail("export %s takes no --programme", kind->name);
	if (site[0] && !(kind->filters & TL_EXPORT_SITE))
		cli_usage_fail("export %s takes no --site (it is per participant, across sites)",
		               kind->name);
	filter.from = export_date("--from", from, fd);
	filter.to = export_date("--to", to, td);
	filter.programme = programme[0] ? programme : NULL;
	filter.site = site[0] ? site : NULL;
	filter.rekey = rekey_on;
	if (output[0])
		out = export_open(output, tmp, sizeof tmp);
	/* One read transaction: the export is a consistent snapshot even while
	 * the collector keeps writing. */
	cli_exec(cli, TL_EXPORT_PRAGMAS "; BEGIN");
	rc = tl_export_write(cli->db, kind, fmt, &filter, out, &nrows, err, sizeof err);
	cli_exec(cli, "COMMIT");
	if (rc) {
		if (output[0])
			unlink(tmp);
		cli_fail("%s", err);
	}
	if (output[0]) {
		export_commit(out, tmp, output);
		fprintf(stderr, "%ld rows written to %s\n", nrows, output);
	}
	return 0;
}
