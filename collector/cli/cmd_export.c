/* cmd_export.c - touchline export: tidy tables for evaluators.
 *
 * Exports carry pseudonymous codes only: never names, never card tokens
 * (--rekey replaces even the codes). Times are local to the programme's
 * zone with their offset. docs/data-dictionary.md describes every column.
 * With --output the file is written beside its target and renamed into
 * place, so a reader of FILE never sees half an export. */
#include "calendar.h"
#include "cli.h"
#include "cmds.h"
#include "programme.h"
#include "rows.h"

#include <openssl/rand.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Filters a kind accepts; its SQL reads them as ?1 from, ?2 to (local
 * dates), ?3 programme and ?4 site, NULL when not given. */
enum { EXPORT_DATES = 1, EXPORT_PROGRAMME = 2, EXPORT_SITE = 4 };

struct export_kind {
	const char *name;
	const char *const *cols;
	int ncols;
	int filters;
	const char *sql;
};

static const char *const taps_cols[] = { "id", "site", "reader", "participant", "ts",
	                                 "received_at" };

static const char *const attendance_cols[] = {
	"participant",  "programme",     "site",       "activity",   "session_start",
	"session_end",  "attended",      "checkin_at", "checkout_at", "minutes",
	"minutes_estimated", "intensity", "programme_week", "iso_week", "session"
};

static const char *const activity_cols[] = {
	"participant", "programme", "iso_week", "sessions_attended", "minutes",
	"moderate_equivalent_minutes", "met_minutes", "activity_level", "week_start",
	"sessions_eligible", "moderate_minutes", "vigorous_minutes"
};

static const char *const participants_cols[] = {
	"participant", "programme", "start_date", "end_date", "withdrawn_on", "status",
	"sessions_eligible", "sessions_attended", "attendance_rate", "weeks_attended",
	"missed_run", "followup"
};

static const char *const sessions_cols[] = {
	"session", "programme", "site", "activity", "intensity", "met", "local_date",
	"session_start", "session_end", "iso_week", "kind", "cancelled",
	"participants_eligible", "participants_attended"
};

#define EXPORT_N(cols) ((int)(sizeof cols / sizeof cols[0]))

/* Erased participants (code NULL) are left out of every per-person
 * export; their attendance still counts in the sessions export. */
static const struct export_kind export_kinds[] = {
	{ "taps", taps_cols, EXPORT_N(taps_cols), EXPORT_DATES | EXPORT_SITE,
	  "SELECT t.id, t.site, t.reader, tl_pseudonym(p.code),"
	  " strftime('%Y-%m-%dT%H:%M:%SZ', t.ts, 'unixepoch'),"
	  " strftime('%Y-%m-%dT%H:%M:%SZ', t.received_at, 'unixepoch')"
	  " FROM tap t LEFT JOIN participant p ON p.id = t.participant"
	  " WHERE (?1 IS NULL OR date(t.ts, 'unixepoch') >= ?1)"
	  " AND (?2 IS NULL OR date(t.ts, 'unixepoch') <= ?2)"
	  " AND (?4 IS NULL OR t.site = ?4) AND ?3 IS NULL"
	  " ORDER BY t.ts, t.n" },
	{ "attendance", attendance_cols, EXPORT_N(attendance_cols),
	  EXPORT_DATES | EXPORT_PROGRAMME | EXPORT_SITE,
	  "SELECT tl_pseudonym(p.code), s.programme, s.site, s.activity,"
	  " tl_local_time(s.start_ts, g.tz), tl_local_time(s.end_ts, g.tz), a.attended,"
	  " tl_local_time(a.checkin_at, g.tz), tl_local_time(a.checkout_at, g.tz), a.minutes,"
	  " a.minutes_estimated, ac.intensity, a.programme_week, s.iso_week, s.id"
	  " FROM attendance a JOIN session s ON s.id = a.session"
	  " JOIN programme g ON g.id = s.programme JOIN activity ac ON ac.id = s.activity"
	  " JOIN participant p ON p.id = a.participant"
	  " WHERE p.code IS NOT NULL AND (?1 IS NULL OR s.local_date >= ?1)"
	  " AND (?2 IS NULL OR s.local_date <= ?2) AND (?3 IS NULL OR s.programme = ?3)"
	  " AND (?4 IS NULL OR s.site = ?4)"
	  " ORDER BY s.start_ts, s.id, 1" },
	{ "activity", activity_cols, EXPORT_N(activity_cols), EXPORT_DATES | EXPORT_PROGRAMME,
	  "SELECT tl_pseudonym(p.code), w.programme, w.iso_week, w.sessions_attended, w.minutes,"
	  " w.moderate_equivalent_minutes, w.met_minutes, w.activity_level, w.week_start,"
	  " w.sessions_eligible, w.moderate_minutes, w.vigorous_minutes"
	  " FROM activity_week w JOIN participant p ON p.id = w.participant"
	  " WHERE p.code IS NOT NULL"
	  " AND (?1 IS NULL OR w.week_start >= date(?1, '-6 days', 'weekday 1'))"
	  " AND (?2 IS NULL OR w.week_start <= ?2) AND (?3 IS NULL OR w.programme = ?3)"
	  " AND ?4 IS NULL"
	  " ORDER BY w.programme, w.iso_week, 1" },
	{ "participants", participants_cols, EXPORT_N(participants_cols),
	  EXPORT_DATES | EXPORT_PROGRAMME,
	  "SELECT tl_pseudonym(p.code), e.programme, e.start_date, e.end_date, e.withdrawn_on,"
	  " CASE WHEN e.withdrawn_on IS NOT NULL THEN 'withdrawn'"
	  "  WHEN e.start_date > date(b.as_of, 'unixepoch') THEN 'not_started'"
	  "  WHEN e.end_date < date(b.as_of, 'unixepoch') THEN 'completed' ELSE 'active' END,"
	  " coalesce(g.sessions_eligible, 0), coalesce(g.sessions_attended, 0),"
	  " g.attendance_rate, coalesce(g.weeks_attended, 0), coalesce(g.missed_run, 0),"
	  " coalesce(g.followup, 0)"
	  " FROM enrolment e JOIN participant p ON p.id = e.participant"
	  " JOIN attendance_build b ON b.id = 1"
	  " LEFT JOIN engagement g ON g.participant = e.participant AND g.programme = e.programme"
	  " WHERE p.code IS NOT NULL AND (?1 IS NULL OR e.end_date >= ?1)"
	  " AND (?2 IS NULL OR e.start_date <= ?2) AND (?3 IS NULL OR e.programme = ?3)"
	  " AND ?4 IS NULL"
	  " ORDER BY e.programme, 1" },
	{ "sessions", sessions_cols, EXPORT_N(sessions_cols),
	  EXPORT_DATES | EXPORT_PROGRAMME | EXPORT_SITE,
	  "SELECT s.id, s.programme, s.site, s.activity, ac.intensity, ac.met, s.local_date,"
	  " tl_local_time(s.start_ts, g.tz), tl_local_time(s.end_ts, g.tz), s.iso_week,"
	  " CASE WHEN s.schedule IS NULL THEN 'one-off' ELSE 'scheduled' END,"
	  " s.cancelled_at IS NOT NULL,"
	  " (SELECT count(*) FROM attendance a WHERE a.session = s.id),"
	  " (SELECT count(*) FROM attendance a WHERE a.session = s.id AND a.attended)"
	  " FROM session s JOIN programme g ON g.id = s.programme"
	  " JOIN activity ac ON ac.id = s.activity"
	  " WHERE (?1 IS NULL OR s.local_date >= ?1) AND (?2 IS NULL OR s.local_date <= ?2)"
	  " AND (?3 IS NULL OR s.programme = ?3) AND (?4 IS NULL OR s.site = ?4)"
	  " ORDER BY s.start_ts, s.id" },
};

/* --rekey: each code becomes a random pseudonym, the same one for every
 * row of this export and unrelated to any other export. The map holds one
 * entry per participant, never rows. */
struct export_rekey {
	int on;
	size_t n, cap;
	char (*codes)[32];
	char (*pseudonyms)[24];
};

static const char *export_rekey_lookup(struct export_rekey *k, const char *code)
{
	unsigned char rnd[8];
	size_t h = 5381, i;

	for (const char *c = code; *c; c++)
		h = h * 33 + (unsigned char)*c;
	if (k->n * 2 >= k->cap) { /* grow and rehash into a table twice the size */
		struct export_rekey bigger = { 1, 0, k->cap ? k->cap * 2 : 256, NULL, NULL };
		bigger.codes = calloc(bigger.cap, sizeof *bigger.codes);
		bigger.pseudonyms = calloc(bigger.cap, sizeof *bigger.pseudonyms);
		if (!bigger.codes || !bigger.pseudonyms)
			cli_fail("out of memory");
		for (i = 0; i < k->cap; i++) {
			size_t g = 5381, j;
			if (!k->codes[i][0])
				continue;
			for (const char *c = k->codes[i]; *c; c++)
				g = g * 33 + (unsigned char)*c;
			for (j = g % bigger.cap; bigger.codes[j][0]; j = (j + 1) % bigger.cap)
				;
			memcpy(bigger.codes[j], k->codes[i], sizeof bigger.codes[j]);
			memcpy(bigger.pseudonyms[j], k->pseudonyms[i], sizeof bigger.pseudonyms[j]);
			bigger.n++;
		}
		free(k->codes);
		free(k->pseudonyms);
		*k = bigger;
	}
	for (i = h % k->cap; k->codes[i][0]; i = (i + 1) % k->cap)
		if (strcmp(k->codes[i], code) == 0)
			return k->pseudonyms[i];
	if (RAND_bytes(rnd, sizeof rnd) != 1)
		cli_fail("no randomness for --rekey");
	snprintf(k->codes[i], sizeof k->codes[i], "%s", code);
	snprintf(k->pseudonyms[i], sizeof k->pseudonyms[i], "R-%02x%02x%02x%02x%02x%02x%02x%02x",
	         rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	k->n++;
	return k->pseudonyms[i];
}

/* SQL tl_pseudonym(code): the code itself, or its --rekey pseudonym. */
static void export_sql_pseudonym(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct export_rekey *k = sqlite3_user_data(ctx);
	const char *code = (const char *)sqlite3_value_text(argv[0]);

	(void)argc;
	if (!code) {
		sqlite3_result_null(ctx);
		return;
	}
	if (strlen(code) >= sizeof k->codes[0])
		cli_fail("participant code too long to rekey");
	sqlite3_result_text(ctx, k->on ? export_rekey_lookup(k, code) : code, -1,
	                    SQLITE_TRANSIENT);
}

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

/* Binds the date filter as a canonical local date, checking it. */
static void export_bind_date(sqlite3_stmt *st, int i, const char *flag, const char *text,
                             char buf[TL_DATE_LEN])
{
	if (!text[0])
		return;
	tl_cal_format(cli_date(flag, text), buf);
	sqlite3_bind_text(st, i, buf, -1, SQLITE_STATIC);
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
	struct export_rekey rekey = { 0, 0, 0, NULL, NULL };
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
		cli_usage_fail("unknown export '%s' (taps, attendance, activity, participants,"
		               " sessions)", pos[0]);
	if (tl_format_parse(format, &fmt))
		cli_usage_fail("--format must be csv or json, not '%s'", format);
	if ((from[0] || to[0]) && !(kind->filters & EXPORT_DATES))
		cli_usage_fail("export %s takes no --from or --to", kind->name);
	if (programme[0] && !(kind->filters & EXPORT_PROGRAMME))
		cli_usage_fail("export %s takes no --programme", kind->name);
	if (site[0] && !(kind->filters & EXPORT_SITE))
		cli_usage_fail("export %s takes no --site (it is per participant, across sites)",
		               kind->name);
	rekey.on = rekey_on;
	if (tl_zone_sql_register(cli->db) ||
	    sqlite3_create_function(cli->db, "tl_pseudonym", 1, SQLITE_UTF8, &rekey,
	                            export_sql_pseudonym, NULL, NULL) != SQLITE_OK)
		cli_fail("database: %s", sqlite3_errmsg(cli->db));
	/* One read transaction: the export is a consistent snapshot even while
	 * the collector keeps writing. */
	cli_exec(cli, "BEGIN");
	st = cli_prepare(cli, kind->sql);
	export_bind_date(st, 1, "--from", from, fd);
	export_bind_date(st, 2, "--to", to, td);
	if (programme[0])
		sqlite3_bind_text(st, 3, programme, -1, SQLITE_STATIC);
	if (site[0])
		sqlite3_bind_text(st, 4, site, -1, SQLITE_STATIC);
	if (output[0])
		out = export_open(output, tmp, sizeof tmp);
	tl_rows_begin(&rows, out, fmt, kind->cols, kind->ncols);
	rc = tl_rows_query(&rows, st);
	sqlite3_finalize(st);
	cli_exec(cli, "COMMIT");
	free(rekey.codes);
	free(rekey.pseudonyms);
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
