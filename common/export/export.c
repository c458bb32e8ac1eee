/* export.c - the evaluator exports, shared by 'touchline export' and the
 * dashboard's downloads: one table of kinds, one way of writing them.
 *
 * Exports carry pseudonymous codes only: never names, never card tokens
 * (rekey replaces even the codes). Times are local to the programme's
 * zone with their offset. docs/data-dictionary.md describes every column.
 * Rows are streamed from the query to the writer, never held in memory,
 * but for the whole attendance export (export_attendance.c says why). */
#include "export.h"
#include "calendar.h"
#include "store.h"
#include "token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const char *const taps_cols[] = { "id", "site", "reader", "participant", "ts",
	                                 "received_at" };

static const char *const attendance_cols[] = {
	"participant",  "programme",     "site",       "activity",   "session_start",
	"session_end",  "attended",      "checkin_at", "checkout_at", "minutes",
	"minutes_estimated", "intensity", "programme_week", "iso_week", "session", "expected"
};

static const char *const activity_cols[] = {
	"participant", "programme", "iso_week", "sessions_attended", "minutes",
	"moderate_equivalent_minutes", "met_minutes", "minutes_band", "week_start",
	"sessions_expected", "moderate_minutes", "vigorous_minutes", "sessions_extra",
	"strength_days", "estimated_minutes"
};

static const char *const participants_cols[] = {
	"participant", "programme", "start_date", "end_date", "withdrawn_on", "status",
	"sessions_expected", "sessions_attended", "attendance_rate", "weeks_attended",
	"missed_run", "followup", "sessions_extra"
};

static const char *const sessions_cols[] = {
	"session", "programme", "site", "activity", "intensity", "met", "local_date",
	"session_start", "session_end", "iso_week", "kind", "cancelled",
	"participants_expected", "participants_attended", "participants_extra"
};

#define TL_EXPORT_N(cols) ((int)(sizeof cols / sizeof cols[0]))

/* Erased participants (code NULL) are left out of every per-person
 * export; their attendance still counts in the sessions export. */
#define EXPORT_ATTENDANCE_SELECT                                                          \
	"SELECT tl_pseudonym(p.code), s.programme, s.site, s.activity,"                     \
	" tl_local_time(s.start_ts, g.tz), tl_local_time(s.end_ts, g.tz), a.attended,"      \
	" tl_local_time(a.checkin_at, g.tz), tl_local_time(a.checkout_at, g.tz), a.minutes," \
	" a.minutes_estimated, ac.intensity, a.programme_week, s.iso_week, s.id, a.expected"
#define EXPORT_ATTENDANCE_REST                                                            \
	" JOIN programme g ON g.id = s.programme JOIN activity ac ON ac.id = s.activity"     \
	" JOIN participant p ON p.id = a.participant"                                        \
	" WHERE p.code IS NOT NULL AND (?1 IS NULL OR s.local_date >= ?1)"                   \
	" AND (?2 IS NULL OR s.local_date <= ?2) AND (?3 IS NULL OR s.programme = ?3)"       \
	" AND (?4 IS NULL OR s.site = ?4)"                                                   \
	" ORDER BY s.start_ts, s.id, 1"

const struct tl_export_kind tl_export_kinds[] = {
	{ "taps", taps_cols, TL_EXPORT_N(taps_cols), TL_EXPORT_DATES | TL_EXPORT_SITE,
	  "SELECT t.id, t.site, t.reader, tl_pseudonym(p.code),"
	  " strftime('%Y-%m-%dT%H:%M:%SZ', t.ts, 'unixepoch'),"
	  " strftime('%Y-%m-%dT%H:%M:%SZ', t.received_at, 'unixepoch')"
	  " FROM tap t LEFT JOIN participant p ON p.id = t.participant"
	  " WHERE (?1 IS NULL OR date(t.ts, 'unixepoch') >= ?1)"
	  " AND (?2 IS NULL OR date(t.ts, 'unixepoch') <= ?2)"
	  " AND (?4 IS NULL OR t.site = ?4) AND ?3 IS NULL"
	  " ORDER BY t.ts, t.n",
	  NULL },
	{ "attendance", attendance_cols, TL_EXPORT_N(attendance_cols),
	  TL_EXPORT_DATES | TL_EXPORT_PROGRAMME | TL_EXPORT_SITE,
	  EXPORT_ATTENDANCE_SELECT " FROM attendance a NOT INDEXED JOIN session s ON s.id = a.session"
	  EXPORT_ATTENDANCE_REST,
	  /* For one programme or site (tl_export_write_multi picks it), the
	   * sessions come first: its few sessions, then their rows by
	   * attendance_session (1.4 s -> 0.05 s for one programme and site at
	   * 1.8M rows). With dates alone most rows pass, and reading the table
	   * in order and sorting beats a lookup per row. */
	  EXPORT_ATTENDANCE_SELECT " FROM session s CROSS JOIN attendance a ON a.session = s.id"
	  EXPORT_ATTENDANCE_REST },
	{ "activity", activity_cols, TL_EXPORT_N(activity_cols), TL_EXPORT_DATES | TL_EXPORT_PROGRAMME,
	  "SELECT tl_pseudonym(p.code), w.programme, w.iso_week, w.sessions_attended, w.minutes,"
	  " w.moderate_equivalent_minutes, w.met_minutes, w.minutes_band, w.week_start,"
	  " w.sessions_expected, w.moderate_minutes, w.vigorous_minutes, w.sessions_extra,"
	  " w.strength_days, w.estimated_minutes"
	  " FROM activity_week w JOIN participant p ON p.id = w.participant"
	  " WHERE p.code IS NOT NULL"
	  " AND (?1 IS NULL OR w.week_start >= date(?1, '-6 days', 'weekday 1'))"
	  " AND (?2 IS NULL OR w.week_start <= ?2) AND (?3 IS NULL OR w.programme = ?3)"
	  " AND ?4 IS NULL"
	  " ORDER BY w.programme, w.iso_week, 1",
	  NULL },
	{ "participants", participants_cols, TL_EXPORT_N(participants_cols),
	  TL_EXPORT_DATES | TL_EXPORT_PROGRAMME,
	  "SELECT tl_pseudonym(p.code), e.programme, e.start_date, e.end_date, e.withdrawn_on,"
	  " g.status, coalesce(g.sessions_expected, 0), coalesce(g.sessions_attended, 0),"
	  " g.attendance_rate, coalesce(g.weeks_attended, 0), coalesce(g.missed_run, 0),"
	  " coalesce(g.followup, 0), coalesce(g.sessions_extra, 0)"
	  " FROM enrolment e JOIN participant p ON p.id = e.participant"
	  " LEFT JOIN engagement g ON g.participant = e.participant AND g.programme = e.programme"
	  " WHERE p.code IS NOT NULL AND (?1 IS NULL OR e.end_date >= ?1)"
	  " AND (?2 IS NULL OR e.start_date <= ?2) AND (?3 IS NULL OR e.programme = ?3)"
	  " AND ?4 IS NULL"
	  " ORDER BY e.programme, 1",
	  NULL },
	{ "sessions", sessions_cols, TL_EXPORT_N(sessions_cols),
	  TL_EXPORT_DATES | TL_EXPORT_PROGRAMME | TL_EXPORT_SITE,
	  /* The counts read attendance_session alone (it covers both flags). */
	  "SELECT s.id, s.programme, s.site, s.activity, ac.intensity, ac.met, s.local_date,"
	  " tl_local_time(s.start_ts, g.tz), tl_local_time(s.end_ts, g.tz), s.iso_week,"
	  " CASE WHEN s.schedule IS NULL THEN 'one-off' ELSE 'scheduled' END,"
	  " s.cancelled_at IS NOT NULL,"
	  " (SELECT count(*) FROM attendance a WHERE a.session = s.id AND a.expected),"
	  " (SELECT count(*) FROM attendance a WHERE a.session = s.id AND a.attended"
	  "   AND a.expected),"
	  " (SELECT count(*) FROM attendance a WHERE a.session = s.id AND a.attended"
	  "   AND NOT a.expected)"
	  " FROM session s JOIN programme g ON g.id = s.programme"
	  " JOIN activity ac ON ac.id = s.activity"
	  " WHERE (?1 IS NULL OR s.local_date >= ?1) AND (?2 IS NULL OR s.local_date <= ?2)"
	  " AND (?3 IS NULL OR s.programme = ?3) AND (?4 IS NULL OR s.site = ?4)"
	  " ORDER BY s.start_ts, s.id",
	  NULL },
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
		if (!bigger.codes || !bigger.pseudonyms) {
			free(bigger.codes);
			free(bigger.pseudonyms);
			return NULL;
		}
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
	if (tl_random(rnd, sizeof rnd))
		return NULL;
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
	if (!k || !k->on) {
		sqlite3_result_text(ctx, code, -1, SQLITE_TRANSIENT);
		return;
	}
	if (strlen(code) >= sizeof k->codes[0] || !(code = export_rekey_lookup(k, code))) {
		sqlite3_result_error(ctx, "cannot rekey (out of memory or randomness)", -1);
		return;
	}
	sqlite3_result_text(ctx, code, -1, SQLITE_TRANSIENT);
}

/* Registers tl_local_time and tl_pseudonym (rekey NULL: the code itself,
 * so the function never outlives the map it points to). */
static int export_functions(sqlite3 *db, struct export_rekey *rekey)
{
	if (tl_zone_sql_register(db) != SQLITE_OK ||
	    sqlite3_create_function(db, "tl_pseudonym", 1, SQLITE_UTF8, rekey,
	                            export_sql_pseudonym, NULL, NULL) != SQLITE_OK)
		return -1;
	return 0;
}

const int tl_export_kind_count = (int)(sizeof tl_export_kinds / sizeof tl_export_kinds[0]);

const struct tl_export_kind *tl_export_find(const char *name)
{
	for (int i = 0; i < tl_export_kind_count; i++)
		if (strcmp(name, tl_export_kinds[i].name) == 0)
			return &tl_export_kinds[i];
	return NULL;
}

int tl_export_write_multi(sqlite3 *db, const struct tl_export_kind *kind,
                          const struct tl_export_filter *f, const struct tl_export_out *outs,
                          int nouts, long *nrows, char *err, size_t errlen)
{
	struct export_rekey rekey = { f->rekey, 0, 0, NULL, NULL };
	struct tl_rows *rows[TL_EXPORT_MAX_OUTS] = { NULL };
	sqlite3_stmt *st = NULL;
	int rc = -1, fast;

	if (nouts < 1 || nouts > TL_EXPORT_MAX_OUTS) {
		snprintf(err, errlen, "export: %d outputs", nouts);
		return -1;
	}
	for (int i = 0; i < nouts; i++)
		if (!(rows[i] = malloc(sizeof *rows[i]))) {
			snprintf(err, errlen, "out of memory");
			goto done;
		}
	if (export_functions(db, f->rekey ? &rekey : NULL) ||
	    sqlite3_prepare_v2(db,
	                       (f->programme || f->site) && kind->sql_scoped
	                           ? kind->sql_scoped
	                           : kind->sql,
	                       -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
		goto done;
	}
	if (f->from)
		sqlite3_bind_text(st, 1, f->from, -1, SQLITE_STATIC);
	if (f->to)
		sqlite3_bind_text(st, 2, f->to, -1, SQLITE_STATIC);
	if (f->programme)
		sqlite3_bind_text(st, 3, f->programme, -1, SQLITE_STATIC);
	if (f->site)
		sqlite3_bind_text(st, 4, f->site, -1, SQLITE_STATIC);
	for (int i = 0; i < nouts; i++)
		tl_rows_begin(rows[i], outs[i].file, outs[i].fmt, kind->cols, kind->ncols);
	fast = strcmp(kind->name, "attendance") == 0 ? tl_export_attendance_fast(db, f, rows, nouts)
	                                              : 1;
	if (fast < 0 || (fast > 0 && tl_rows_query_multi(rows, nouts, st) != 0)) {
		snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
		goto done;
	}
	for (int i = 0; i < nouts; i++)
		if (tl_rows_finish(rows[i])) {
			snprintf(err, errlen, "write failed");
			goto done;
		}
	if (nrows)
		*nrows = rows[0]->nrows;
	rc = 0;
done:
	sqlite3_finalize(st);
	/* The rekey map dies here: back to plain codes. */
	if (f->rekey)
		export_functions(db, NULL);
	free(rekey.codes);
	free(rekey.pseudonyms);
	for (int i = 0; i < nouts; i++)
		free(rows[i]);
	return rc;
}

int tl_export_write(sqlite3 *db, const struct tl_export_kind *kind, enum tl_format fmt,
                    const struct tl_export_filter *f, FILE *out, long *nrows, char *err,
                    size_t errlen)
{
	struct tl_export_out o = { out, fmt };

	return tl_export_write_multi(db, kind, f, &o, 1, nrows, err, errlen);
}
