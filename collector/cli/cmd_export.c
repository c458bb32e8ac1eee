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

#include "tl_time.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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
	struct tl_export_filter filter = { NULL, NULL, NULL, NULL, NULL, 0 };
	struct tl_export_key key;
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
		               " sessions, outcomes, referrals)", pos[0]);
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
	if (rekey_on) {
		if (tl_export_key_new(&key))
			cli_fail("no randomness from the kernel for --rekey");
		filter.key = &key;
	}
	if (output[0])
		out = export_open(output, tmp, sizeof tmp);
	/* One read transaction: the export is a consistent snapshot even while
	 * the collector keeps writing. */
	cli_exec(cli, TL_EXPORT_PRAGMAS "; BEGIN");
	rc = tl_export_write(cli->db, kind, fmt, &filter, out, &nrows, err, sizeof err);
	cli_exec(cli, "COMMIT");
	tl_export_key_forget(&key);
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

/* A set that failed halfway must not leave its files behind: cli_fail
 * exits, and this removes the unfinished folder on the way out. */
static char export_set_tmp[1100];

static void export_set_cleanup(void)
{
	DIR *d;
	struct dirent *e;
	char path[1400];

	if (!export_set_tmp[0] || !(d = opendir(export_set_tmp)))
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof path, "%s/%s", export_set_tmp, e->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(export_set_tmp);
}

/* The set's manifest: what it is, as of when, the filters, the key's
 * fingerprint (never the key) and each file's row count. */
static void export_set_manifest(const char *dir, cJSON *m)
{
	char path[1200], tmp[1300], *text = cJSON_Print(m);
	FILE *f;

	if (!text)
		cli_fail("out of memory");
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	f = export_open(path, tmp, sizeof tmp);
	fputs(text, f);
	fputc('\n', f);
	free(text);
	export_commit(f, tmp, path);
}

static cJSON *export_set_time(int64_t t)
{
	char buf[TL_TIME_LEN];

	tl_time_format(t, buf);
	return cJSON_CreateString(buf);
}

/* touchline export set DIR: every export under one fresh key, with coarse
 * times, into a new folder. The key joins the files within the set and
 * is forgotten when the command ends, so no set links to another. The
 * folder is built beside DIR (mode 0700, files 0600: the set is personal
 * data, if pseudonymous) and renamed into place when complete. */
int cmd_export_set(struct cli *cli, int argc, char **argv)
{
	static const char *const kinds[] = { "attendance", "activity", "participants", "sessions",
		                             "taps", "outcomes", "referrals" };
	char format[16] = "csv", from[16] = "", to[16] = "", programme[64] = "", *pos[1];
	char fd[TL_DATE_LEN], td[TL_DATE_LEN], tmpdir[1100], path[1200], tmp[1300], err[512];
	char fingerprint[TL_EXPORT_FINGERPRINT_LEN + 1];
	const struct tl_option opts[] = {
		{ NULL, "format", TL_OPT_STR, format, sizeof format, 0, 0, "csv|json",
		  "format of every file" },
		{ NULL, "from", TL_OPT_STR, from, sizeof from, 0, 0, "DATE",
		  "sessions (taps: UTC days) on or after DATE" },
		{ NULL, "to", TL_OPT_STR, to, sizeof to, 0, 0, "DATE", "on or before DATE" },
		{ NULL, "programme", TL_OPT_STR, programme, sizeof programme, 0, 0, "P",
		  "programme P only (taps: those used for its sessions)" },
		TL_OPT_END,
	};
	struct tl_export_filter filter = { NULL, NULL, NULL, NULL, NULL, 1 };
	struct tl_export_key key;
	enum tl_format fmt;
	cJSON *m, *files, *flt;
	sqlite3_stmt *st;
	struct stat sb;
	mode_t mask;

	cli_args(cli_current(), opts, argc, argv, pos, 1, 1);
	if (tl_format_parse(format, &fmt))
		cli_usage_fail("--format must be csv or json, not '%s'", format);
	filter.from = export_date("--from", from, fd);
	filter.to = export_date("--to", to, td);
	filter.programme = programme[0] ? programme : NULL;
	if (lstat(pos[0], &sb) == 0)
		cli_fail("%s exists: an export set goes into a new folder", pos[0]);
	if ((size_t)snprintf(tmpdir, sizeof tmpdir, "%s.tmp-XXXXXX", pos[0]) >= sizeof tmpdir)
		cli_fail("%s: path too long", pos[0]);
	if (tl_export_key_new(&key))
		cli_fail("no randomness from the kernel for the set's key");
	filter.key = &key;
	tl_export_key_fingerprint(&key, fingerprint);
	mask = umask(077);
	if (!mkdtemp(tmpdir))
		cli_fail("%s: cannot create: %s", tmpdir, strerror(errno));
	snprintf(export_set_tmp, sizeof export_set_tmp, "%s", tmpdir);
	atexit(export_set_cleanup);

	m = cJSON_CreateObject();
	files = cJSON_CreateArray();
	flt = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "format", "touchline export set");
	cJSON_AddNumberToObject(m, "format_version", 1);
	cJSON_AddStringToObject(m, "touchline_version", TOUCHLINE_VERSION);
	cJSON_AddItemToObject(m, "created_at", export_set_time((int64_t)time(NULL)));
	cJSON_AddStringToObject(m, "key_fingerprint", fingerprint);
	cJSON_AddStringToObject(m, "pseudonyms",
	                        "R- and 16 hex digits of HMAC-SHA256 under this set's own key,"
	                        " which was not kept");
	cJSON_AddStringToObject(m, "times", "offsets from the session's start in minutes,"
	                        " rounded down to a multiple of 5; tap dates in UTC; no seconds");
	cJSON_AddItemToObject(flt, "from", filter.from ? cJSON_CreateString(filter.from)
	                                               : cJSON_CreateNull());
	cJSON_AddItemToObject(flt, "to", filter.to ? cJSON_CreateString(filter.to)
	                                           : cJSON_CreateNull());
	cJSON_AddItemToObject(flt, "programme", filter.programme ? cJSON_CreateString(programme)
	                                                         : cJSON_CreateNull());
	cJSON_AddItemToObject(m, "filters", flt);

	/* One read transaction: every file is the same snapshot. */
	cli_exec(cli, TL_EXPORT_PRAGMAS "; BEGIN");
	st = cli_prepare(cli, "SELECT as_of FROM attendance_build WHERE id = 1");
	if (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddItemToObject(m, "as_of", export_set_time(sqlite3_column_int64(st, 0)));
	sqlite3_finalize(st);
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		const struct tl_export_kind *kind = tl_export_find(kinds[i]);
		cJSON *entry = cJSON_CreateObject();
		long nrows = 0;
		FILE *out;

		snprintf(path, sizeof path, "%s/%s.%s", tmpdir, kinds[i],
		         fmt == TL_FMT_JSON ? "json" : "csv");
		out = export_open(path, tmp, sizeof tmp);
		if (tl_export_write(cli->db, kind, fmt, &filter, out, &nrows, err, sizeof err)) {
			unlink(tmp);
			cli_fail("%s", err);
		}
		export_commit(out, tmp, path);
		cJSON_AddStringToObject(entry, "kind", kinds[i]);
		cJSON_AddStringToObject(entry, "file", strrchr(path, '/') + 1);
		cJSON_AddNumberToObject(entry, "rows", (double)nrows);
		cJSON_AddItemToArray(files, entry);
	}
	cli_exec(cli, "COMMIT");
	tl_export_key_forget(&key);
	cJSON_AddItemToObject(m, "files", files);
	export_set_manifest(tmpdir, m);
	cJSON_Delete(m);
	umask(mask);
	if (rename(tmpdir, pos[0]) != 0)
		cli_fail("%s: cannot move the set into place: %s", pos[0], strerror(errno));
	export_set_tmp[0] = '\0';
	fprintf(stderr, "export set written to %s (key fingerprint %s)\n", pos[0], fingerprint);
	return 0;
}
