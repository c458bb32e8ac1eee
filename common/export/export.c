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
#include "outcomes.h"
#include "protocol.h"
#include "store.h"
#include "token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const char *const taps_cols[] = { "id", "site", "reader", "participant", "ts",
	                                 "received_at" };

static const char *const attendance_cols[] = {
	"participant",  "programme",     "site",       "activity",   "session_start",
	"session_end",  "attended",      "checkin_at", "checkout_at", "minutes",
	"minutes_estimated", "intensity", "programme_week", "iso_week", "session", "expected",
	"source"
};

/* An export set's taps and attendance: no tap ids, no seconds. A tap is
 * placed by the session it was used for and its offset from the start;
 * others by their UTC date alone. */
static const char *const set_taps_cols[] = { "participant", "site", "reader", "date", "session",
	                                     "offset_minutes", "used_as", "unmatched_reason" };

static const char *const set_attendance_cols[] = {
	"participant",  "programme",     "site",       "activity",   "session_start",
	"session_end",  "attended",      "checkin_offset_minutes", "checkout_offset_minutes",
	"minutes", "minutes_estimated", "intensity", "programme_week", "iso_week", "session",
	"expected", "source"
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

static const char *const outcomes_cols[] = {
	"participant", "programme", "instrument", "measure", "wave", "date", "in_enrolment",
	"raw", "value", "baseline_date", "change", "dose_sessions",
	"dose_moderate_equivalent_minutes"
};

static const char *const referrals_cols[] = {
	"participant", "programme", "source", "referred_on", "started", "start_date", "end_date",
	"withdrawn_on", "exit_reason", "good_exit", "status"
};

/* The outcomes export reads the distance-travelled rows that
 * tl_outcomes_build scores from the assessments. */
static int export_prepare_outcomes(sqlite3 *db, char *err, size_t errlen)
{
	return tl_outcomes_build(db, err, errlen);
}

/* SQL tl_exit_good(reason): 1 for a good exit (tl_exit_reason_good). */
static void export_sql_exit_good(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_int(ctx, tl_exit_reason_good((const char *)sqlite3_value_text(argv[0])));
}

static int export_prepare_referrals(sqlite3 *db, char *err, size_t errlen)
{
	if (sqlite3_create_function(db, "tl_exit_good", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
	                            export_sql_exit_good, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

#define TL_EXPORT_N(cols) ((int)(sizeof cols / sizeof cols[0]))

/* Erased participants (code NULL) are left out of every per-person
 * export; their attendance still counts in the sessions export. */
#define EXPORT_ATTENDANCE_SELECT                                                          \
	"SELECT tl_pseudonym(p.code), s.programme, s.site, s.activity,"                     \
	" tl_local_time(s.start_ts, g.tz), tl_local_time(s.end_ts, g.tz), a.attended,"      \
	" tl_local_time(a.checkin_at, g.tz), tl_local_time(a.checkout_at, g.tz), a.minutes," \
	" a.minutes_estimated, ac.intensity, a.programme_week, s.iso_week, s.id, a.expected," \
	" a.source"
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
	  NULL, set_taps_cols, TL_EXPORT_N(set_taps_cols),
	  /* A used tap is some attendance row's check-in or check-out. With
	   * --programme, only the taps used for its sessions. */
	  "WITH used(n, session, role) AS ("
	  "  SELECT checkin_tap, session, 'checkin' FROM attendance WHERE checkin_tap IS NOT NULL"
	  "  UNION ALL"
	  "  SELECT checkout_tap, session, 'checkout' FROM attendance WHERE checkout_tap IS NOT NULL)"
	  " SELECT tl_pseudonym(p.code), t.site, t.reader, date(t.ts, 'unixepoch'), s.id,"
	  " tl_offset_minutes(t.ts, s.start_ts), u.role, x.reason"
	  " FROM tap t LEFT JOIN participant p ON p.id = t.participant"
	  " LEFT JOIN used u ON u.n = t.n LEFT JOIN session s ON s.id = u.session"
	  " LEFT JOIN tap_unmatched x ON x.tap = t.n"
	  " WHERE (?1 IS NULL OR date(t.ts, 'unixepoch') >= ?1)"
	  " AND (?2 IS NULL OR date(t.ts, 'unixepoch') <= ?2)"
	  " AND (?4 IS NULL OR t.site = ?4) AND (?3 IS NULL OR s.programme = ?3)"
	  " ORDER BY t.ts, t.n", NULL },
	{ "attendance", attendance_cols, TL_EXPORT_N(attendance_cols),
	  TL_EXPORT_DATES | TL_EXPORT_PROGRAMME | TL_EXPORT_SITE,
	  EXPORT_ATTENDANCE_SELECT " FROM attendance a NOT INDEXED JOIN session s ON s.id = a.session"
	  EXPORT_ATTENDANCE_REST,
	  /* For one programme or site (tl_export_write picks it), the
	   * sessions come first: its few sessions, then their rows by
	   * attendance_session (1.4 s -> 0.05 s for one programme and site at
	   * 1.8M rows). With dates alone most rows pass, and reading the table
	   * in order and sorting beats a lookup per row. */
	  EXPORT_ATTENDANCE_SELECT " FROM session s CROSS JOIN attendance a ON a.session = s.id"
	  EXPORT_ATTENDANCE_REST,
	  set_attendance_cols, TL_EXPORT_N(set_attendance_cols),
	  "SELECT tl_pseudonym(p.code), s.programme, s.site, s.activity,"
	  " tl_local_time(s.start_ts, g.tz), tl_local_time(s.end_ts, g.tz), a.attended,"
	  " tl_offset_minutes(a.checkin_at, s.start_ts), tl_offset_minutes(a.checkout_at, s.start_ts),"
	  " a.minutes, a.minutes_estimated, ac.intensity, a.programme_week, s.iso_week, s.id,"
	  " a.expected, a.source FROM session s CROSS JOIN attendance a ON a.session = s.id"
	  EXPORT_ATTENDANCE_REST, NULL },
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
	  NULL, NULL, 0, NULL, NULL },
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
	  NULL, NULL, 0, NULL, NULL },
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
	  NULL, NULL, 0, NULL, NULL },
	{ "outcomes", outcomes_cols, TL_EXPORT_N(outcomes_cols), TL_EXPORT_DATES | TL_EXPORT_PROGRAMME,
	  "SELECT tl_pseudonym(p.code), r.programme, r.instrument, r.measure, r.wave, r.date,"
	  " r.in_enrolment, CAST(r.raw AS INTEGER), r.value, r.baseline_date, r.change, r.sessions,"
	  " r.me_minutes FROM temp.outcome_row r JOIN participant p ON p.id = r.participant"
	  " WHERE p.code IS NOT NULL AND (?1 IS NULL OR r.date >= ?1)"
	  " AND (?2 IS NULL OR r.date <= ?2) AND (?3 IS NULL OR r.programme = ?3) AND ?4 IS NULL"
	  " ORDER BY r.programme, r.instrument, 1, r.date, r.wave, r.measure_no",
	  NULL, NULL, 0, NULL, export_prepare_outcomes },
	{ "referrals", referrals_cols, TL_EXPORT_N(referrals_cols),
	  TL_EXPORT_DATES | TL_EXPORT_PROGRAMME,
	  /* Every referral and every enrolment: one never started has no
	   * start date; one enrolled without a referral has no source. */
	  "SELECT tl_pseudonym(p.code), x.programme, r.source, r.referred_on,"
	  " e.participant IS NOT NULL, e.start_date, e.end_date, e.withdrawn_on, e.exit_reason,"
	  " tl_exit_good(e.exit_reason),"
	  " CASE WHEN e.participant IS NULL THEN 'referred' ELSE g.status END"
	  " FROM (SELECT programme, participant FROM referral"
	  "       UNION SELECT programme, participant FROM enrolment) x"
	  " JOIN participant p ON p.id = x.participant"
	  " LEFT JOIN referral r ON r.programme = x.programme AND r.participant = x.participant"
	  " LEFT JOIN enrolment e ON e.programme = x.programme AND e.participant = x.participant"
	  " LEFT JOIN engagement g ON g.programme = x.programme AND g.participant = x.participant"
	  " WHERE p.code IS NOT NULL"
	  " AND (?1 IS NULL OR coalesce(e.end_date, r.referred_on) >= ?1)"
	  " AND (?2 IS NULL OR coalesce(r.referred_on, e.start_date) <= ?2)"
	  " AND (?3 IS NULL OR x.programme = ?3) AND ?4 IS NULL"
	  " ORDER BY x.programme, 1",
	  NULL, NULL, 0, NULL, export_prepare_referrals },
};

int tl_export_key_new(struct tl_export_key *k)
{
	return tl_random(k->key, sizeof k->key);
}

void tl_export_key_fingerprint(const struct tl_export_key *k, char *out)
{
	static const char label[] = "touchline export key fingerprint";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	out[0] = '\0';
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(ctx, label, sizeof label - 1) ||
	    !EVP_DigestUpdate(ctx, k->key, sizeof k->key) || !EVP_DigestFinal_ex(ctx, md, &mdlen) ||
	    mdlen < TL_EXPORT_FINGERPRINT_LEN / 2) {
		EVP_MD_CTX_free(ctx);
		return;
	}
	EVP_MD_CTX_free(ctx);
	for (int i = 0; i < TL_EXPORT_FINGERPRINT_LEN / 2; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

void tl_export_key_forget(struct tl_export_key *k)
{
	OPENSSL_cleanse(k->key, sizeof k->key);
}

/* SQL tl_pseudonym(code): the code itself, or under a key its pseudonym,
 * the same for every row and every file made with that key. */
static void export_sql_pseudonym(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct tl_export_key *k = sqlite3_user_data(ctx);
	const unsigned char *code = sqlite3_value_text(argv[0]);
	char mac[TL_TOKEN_LEN + 1], out[2 + TL_TOKEN_LEN / 2 + 1];

	(void)argc;
	if (!code) {
		sqlite3_result_null(ctx);
		return;
	}
	if (!k) {
		sqlite3_result_text(ctx, (const char *)code, -1, SQLITE_TRANSIENT);
		return;
	}
	if (tl_token_compute(k->key, code, (size_t)sqlite3_value_bytes(argv[0]), mac)) {
		sqlite3_result_error(ctx, "cannot rekey (HMAC failed)", -1);
		return;
	}
	snprintf(out, sizeof out, "R-%.*s", TL_TOKEN_LEN / 2, mac);
	sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

/* SQL tl_offset_minutes(ts, start): how long after start (before, if
 * negative) ts was, in whole minutes rounded down to a multiple of 5: the
 * times of an export set, coarse enough that they are not unique per tap
 * the way seconds are. NULL if either is NULL. */
#define EXPORT_OFFSET_STEP 300
static void export_sql_offset(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3_int64 d, r;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	d = sqlite3_value_int64(argv[0]) - sqlite3_value_int64(argv[1]);
	r = ((d % EXPORT_OFFSET_STEP) + EXPORT_OFFSET_STEP) % EXPORT_OFFSET_STEP;
	sqlite3_result_int64(ctx, (d - r) / 60);
}

/* Registers tl_local_time, tl_offset_minutes and tl_pseudonym (key NULL:
 * the code itself, so the function never outlives the key it points to). */
static int export_functions(sqlite3 *db, const struct tl_export_key *key)
{
	if (tl_zone_sql_register(db) != SQLITE_OK ||
	    sqlite3_create_function(db, "tl_offset_minutes", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
	                            NULL, export_sql_offset, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(db, "tl_pseudonym", 1, SQLITE_UTF8, (void *)key,
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

int tl_export_write(sqlite3 *db, const struct tl_export_kind *kind, enum tl_format fmt,
                    const struct tl_export_filter *f, FILE *out, long *nrows, char *err,
                    size_t errlen)
{
	struct tl_rows *rows = malloc(sizeof *rows); /* its buffer is too big for the stack */
	sqlite3_stmt *st = NULL;
	int rc = -1, fast, set = f->coarse && kind->set_sql;
	const char *const *cols = set ? kind->set_cols : kind->cols;
	int ncols = set ? kind->set_ncols : kind->ncols;

	if (!rows) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (kind->prepare && kind->prepare(db, err, errlen))
		goto done;
	if (export_functions(db, f->key) ||
	    sqlite3_prepare_v2(db,
	                       set ? kind->set_sql
	                       : (f->programme || f->site) && kind->sql_scoped ? kind->sql_scoped
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
	tl_rows_begin(rows, out, fmt, cols, ncols);
	fast = !set && strcmp(kind->name, "attendance") == 0 ? tl_export_attendance_fast(db, f, rows)
	                                                      : 1;
	if (fast < 0 || (fast > 0 && tl_rows_query(rows, st) != 0)) {
		snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
		goto done;
	}
	if (tl_rows_finish(rows)) {
		snprintf(err, errlen, "write failed");
		goto done;
	}
	if (nrows)
		*nrows = rows->nrows;
	rc = 0;
done:
	sqlite3_finalize(st);
	/* Back to plain codes: the function must not outlive the key. */
	if (f->key)
		export_functions(db, NULL);
	free(rows);
	return rc;
}
