/* attendance.c - see attendance.h. */
#include "attendance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ATT_SITE_MAX 40

enum { TAP_FREE, TAP_USED, TAP_DUPLICATE };

struct att_session {
	int64_t id, start, end;
	char site[ATT_SITE_MAX], programme[ATT_SITE_MAX];
	int programme_week;
	int64_t win_lo, win_hi, gap, grace, co_hi;
	long ci, co; /* tap indexes, -1 if none */
};

struct att_tap {
	int64_t n, ts;
	char site[ATT_SITE_MAX];
	int state;
};

/* One participant's eligible sessions and taps, and the matching result. */
struct att_set {
	struct att_session *s;
	size_t ns, cap_s;
	struct att_tap *t;
	size_t nt, cap_t;
};

const char *tl_activity_level(long mem)
{
	if (mem < TL_LEVEL_FAIRLY_ACTIVE_MIN)
		return "inactive";
	if (mem < TL_LEVEL_ACTIVE_MIN)
		return "fairly_active";
	return "active";
}

long tl_moderate_equivalent(long moderate_minutes, long vigorous_minutes)
{
	return moderate_minutes + 2 * vigorous_minutes;
}

static void att_set_free(struct att_set *a)
{
	free(a->s);
	free(a->t);
	memset(a, 0, sizeof *a);
}

/* Grows an array by doubling; returns -1 when memory runs out. */
static int att_grow(void **p, size_t *cap, size_t n, size_t size)
{
	void *q;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 64;
	q = realloc(*p, c * size);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

static void att_copy(char *dst, const unsigned char *src)
{
	snprintf(dst, ATT_SITE_MAX, "%s", src ? (const char *)src : "");
}

/* The sessions a participant was eligible for: enrolled in the session's
 * programme on its local date, not cancelled, check-in window open by
 * as_of, not before the retention horizon, optionally in one ISO week. */
static const char att_sessions_sql[] =
	"SELECT s.id, s.site, s.programme, s.start_ts, s.end_ts,"
	" CAST(julianday(s.local_date) - julianday(e.start_date) AS INTEGER) / 7 + 1,"
	" 60 * p.checkin_before_min, 60 * p.checkin_after_end_min,"
	" 60 * p.checkout_gap_min, 60 * p.checkout_grace_min"
	" FROM enrolment e JOIN programme p ON p.id = e.programme"
	" JOIN session s ON s.programme = e.programme"
	" WHERE e.participant = ?1 AND s.cancelled_at IS NULL"
	" AND s.local_date >= e.start_date AND s.local_date <= e.end_date"
	" AND (e.withdrawn_on IS NULL OR s.local_date < e.withdrawn_on)"
	" AND s.start_ts - 60 * p.checkin_before_min <= ?2 AND s.start_ts >= ?3"
	" AND (?4 IS NULL OR s.iso_week = ?4)"
	" ORDER BY s.start_ts, s.id";

static int att_load(sqlite3 *db, int64_t pid, int64_t as_of, int64_t horizon, const char *week,
                    int64_t tap_lo, int64_t tap_hi, struct att_set *a)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, att_sessions_sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_int64(st, 2, as_of);
	sqlite3_bind_int64(st, 3, horizon);
	if (week)
		sqlite3_bind_text(st, 4, week, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct att_session *s;
		if (att_grow((void **)&a->s, &a->cap_s, a->ns, sizeof *a->s))
			goto fail;
		s = &a->s[a->ns++];
		memset(s, 0, sizeof *s);
		s->id = sqlite3_column_int64(st, 0);
		att_copy(s->site, sqlite3_column_text(st, 1));
		att_copy(s->programme, sqlite3_column_text(st, 2));
		s->start = sqlite3_column_int64(st, 3);
		s->end = sqlite3_column_int64(st, 4);
		s->programme_week = sqlite3_column_int(st, 5);
		s->win_lo = s->start - sqlite3_column_int64(st, 6);
		s->win_hi = s->end + sqlite3_column_int64(st, 7);
		s->gap = sqlite3_column_int64(st, 8);
		s->grace = sqlite3_column_int64(st, 9);
		s->ci = s->co = -1;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);

	if (sqlite3_prepare_v2(db,
	                       "SELECT n, site, ts FROM tap WHERE participant = ?1"
	                       " AND ts >= ?2 AND ts <= ?3 ORDER BY ts, n",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_int64(st, 2, tap_lo);
	sqlite3_bind_int64(st, 3, tap_hi);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct att_tap *t;
		if (att_grow((void **)&a->t, &a->cap_t, a->nt, sizeof *a->t))
			goto fail;
		t = &a->t[a->nt++];
		t->n = sqlite3_column_int64(st, 0);
		att_copy(t->site, sqlite3_column_text(st, 1));
		t->ts = sqlite3_column_int64(st, 2);
		t->state = TAP_FREE;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	return 0;
fail:
	sqlite3_finalize(st);
	return -1;
}

/* Pairs taps with sessions (see attendance.h). Deterministic: sessions in
 * (start, id) order, taps in (ts, n) order, each tap used at most once. */
static void att_match(struct att_set *a)
{
	for (size_t i = 0; i < a->ns; i++) {
		struct att_session *s = &a->s[i];
		int overlap = 0;
		long ci = -1, co = -1;

		s->co_hi = s->end + s->grace;
		for (size_t k = i + 1; k < a->ns; k++) {
			if (a->s[k].start > s->start && strcmp(a->s[k].site, s->site) == 0) {
				if (a->s[k].start - 1 < s->co_hi)
					s->co_hi = a->s[k].start - 1;
				overlap = a->s[k].win_lo <= s->co_hi;
				break;
			}
		}
		for (size_t j = 0; j < a->nt && ci < 0; j++) {
			const struct att_tap *t = &a->t[j];
			if (t->state == TAP_FREE && t->ts >= s->win_lo && t->ts <= s->win_hi &&
			    strcmp(t->site, s->site) == 0)
				ci = (long)j;
		}
		if (ci < 0)
			continue;
		a->t[ci].state = TAP_USED;
		for (size_t j = (size_t)ci + 1; j < a->nt; j++) {
			const struct att_tap *t = &a->t[j];
			if (t->ts > s->co_hi)
				break;
			if (t->state != TAP_FREE || strcmp(t->site, s->site) != 0 ||
			    t->ts < a->t[ci].ts + s->gap || t->ts <= s->start)
				continue;
			co = (long)j;
			if (overlap)
				break; /* the first, leaving later taps to the next session */
		}
		if (co >= 0)
			a->t[co].state = TAP_USED;
		s->ci = ci;
		s->co = co;
	}
	/* Leftover taps inside an attended session's span are duplicates. */
	for (size_t i = 0; i < a->ns; i++) {
		const struct att_session *s = &a->s[i];
		int64_t hi;
		if (s->ci < 0)
			continue;
		hi = s->co >= 0 ? a->t[s->co].ts : s->co_hi;
		for (size_t j = (size_t)s->ci; j < a->nt && a->t[j].ts <= hi; j++)
			if (a->t[j].state == TAP_FREE && strcmp(a->t[j].site, s->site) == 0)
				a->t[j].state = TAP_DUPLICATE;
	}
}

/* Minutes credited for a session, and whether they are an estimate. */
static long att_minutes(const struct att_set *a, const struct att_session *s, int *estimated)
{
	int64_t lo, hi;

	*estimated = 0;
	if (s->ci < 0)
		return 0;
	if (s->co < 0) {
		*estimated = 1;
		return (long)((s->end - s->start) / 60);
	}
	lo = a->t[s->ci].ts > s->start ? a->t[s->ci].ts : s->start;
	hi = a->t[s->co].ts < s->end ? a->t[s->co].ts : s->end;
	return hi > lo ? (long)((hi - lo) / 60) : 0;
}

static int att_fail(sqlite3 *db, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
	return -1;
}

/* Matches one participant and writes their attendance and unmatched taps. */
static int att_write_participant(sqlite3 *db, int64_t pid, int64_t as_of, int64_t horizon,
                                 sqlite3_stmt *ins, sqlite3_stmt *unm,
                                 struct tl_rebuild_stats *stats)
{
	struct att_set a;
	int rc = 0;

	memset(&a, 0, sizeof a);
	if (att_load(db, pid, as_of, horizon, NULL, INT64_MIN, INT64_MAX, &a)) {
		att_set_free(&a);
		return -1;
	}
	att_match(&a);
	for (size_t i = 0; i < a.ns && rc == 0; i++) {
		const struct att_session *s = &a.s[i];
		int est;
		long minutes = att_minutes(&a, s, &est);

		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, pid);
		sqlite3_bind_int64(ins, 2, s->id);
		sqlite3_bind_text(ins, 3, s->programme, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(ins, 4, s->programme_week);
		sqlite3_bind_int(ins, 5, s->ci >= 0);
		for (int k = 0; k < 2; k++) {
			long j = k ? s->co : s->ci;
			if (j >= 0) {
				sqlite3_bind_int64(ins, 6 + k, a.t[j].n);
				sqlite3_bind_int64(ins, 8 + k, a.t[j].ts);
			} else {
				sqlite3_bind_null(ins, 6 + k);
				sqlite3_bind_null(ins, 8 + k);
			}
		}
		sqlite3_bind_int64(ins, 10, minutes);
		sqlite3_bind_int(ins, 11, est);
		if (sqlite3_step(ins) != SQLITE_DONE)
			rc = -1;
		stats->rows++;
		stats->attended += s->ci >= 0;
		stats->estimated += est;
	}
	for (size_t j = 0; j < a.nt && rc == 0; j++) {
		if (a.t[j].state != TAP_FREE)
			continue;
		sqlite3_reset(unm);
		sqlite3_bind_int64(unm, 1, a.t[j].n);
		if (sqlite3_step(unm) != SQLITE_DONE)
			rc = -1;
	}
	att_set_free(&a);
	return rc;
}

/* Derived tables that only aggregate attendance are plain SQL. */
static const char att_activity_sql[] =
	"INSERT INTO activity_week (participant, programme, iso_week, week_start,"
	" sessions_eligible, sessions_attended, minutes, moderate_minutes, vigorous_minutes,"
	" moderate_equivalent_minutes, met_minutes, activity_level)"
	" SELECT a.participant, a.programme, s.iso_week, min(s.week_start), count(*),"
	" sum(a.attended), sum(a.minutes),"
	" sum(CASE WHEN ac.intensity = 'moderate' THEN a.minutes ELSE 0 END),"
	" sum(CASE WHEN ac.intensity = 'vigorous' THEN a.minutes ELSE 0 END),"
	" sum(CASE WHEN ac.intensity = 'vigorous' THEN 2 * a.minutes ELSE a.minutes END),"
	" round(sum(a.minutes * ac.met), 1), ''"
	" FROM attendance a JOIN session s ON s.id = a.session"
	" JOIN activity ac ON ac.id = s.activity"
	" GROUP BY a.participant, a.programme, s.iso_week";

static const char att_level_sql[] =
	"UPDATE activity_week SET activity_level = CASE"
	" WHEN moderate_equivalent_minutes < ?1 THEN 'inactive'"
	" WHEN moderate_equivalent_minutes < ?2 THEN 'fairly_active' ELSE 'active' END";

/* Engagement per enrolment. The missed run counts eligible sessions that
 * have ended since the last attended one. */
static const char att_engagement_sql[] =
	"INSERT INTO engagement (participant, programme, sessions_eligible, sessions_attended,"
	" attendance_rate, weeks_attended, missed_run, last_attended, followup)"
	" SELECT e.participant, e.programme, count(a.session), coalesce(sum(a.attended), 0),"
	" CASE WHEN count(a.session) > 0"
	"   THEN round(1.0 * sum(a.attended) / count(a.session), 4) END,"
	" count(DISTINCT CASE WHEN a.attended THEN s.iso_week END),"
	" (SELECT count(*) FROM attendance a3 JOIN session s3 ON s3.id = a3.session"
	"   WHERE a3.participant = e.participant AND a3.programme = e.programme"
	"   AND a3.attended = 0 AND s3.end_ts <= ?1 AND s3.start_ts > coalesce("
	"   (SELECT max(s2.start_ts) FROM attendance a2 JOIN session s2 ON s2.id = a2.session"
	"    WHERE a2.participant = e.participant AND a2.programme = e.programme"
	"    AND a2.attended = 1), -1)),"
	" max(CASE WHEN a.attended THEN s.local_date END), 0"
	" FROM enrolment e"
	" LEFT JOIN attendance a ON a.participant = e.participant AND a.programme = e.programme"
	" LEFT JOIN session s ON s.id = a.session"
	" GROUP BY e.participant, e.programme";

/* Flagged for a peer mentor: enough misses in a row, still enrolled, and
 * still someone (not erased). */
static const char att_followup_sql[] =
	"UPDATE engagement SET followup = 1 WHERE missed_run >="
	" (SELECT followup_misses FROM programme p WHERE p.id = engagement.programme)"
	" AND EXISTS (SELECT 1 FROM enrolment e JOIN participant pa ON pa.id = e.participant"
	"   WHERE e.programme = engagement.programme AND e.participant = engagement.participant"
	"   AND e.withdrawn_on IS NULL AND e.end_date >= date(?1, 'unixepoch')"
	"   AND pa.code IS NOT NULL)";

/* Why a tap matched nothing: at a session its holder was not eligible
 * for, at a cancelled session, or at no session at all. */
static const char att_reason_sql[] =
	"UPDATE tap_unmatched SET reason = ?1 WHERE reason = 'no_session' AND EXISTS ("
	" SELECT 1 FROM tap t JOIN session s ON s.site = t.site"
	" JOIN programme p ON p.id = s.programme"
	" WHERE t.n = tap_unmatched.tap AND (s.cancelled_at IS NULL) = ?2"
	" AND t.ts BETWEEN s.start_ts - 60 * p.checkin_before_min"
	"   AND s.end_ts + 60 * p.checkin_after_end_min)";

static int att_exec(sqlite3 *db, const char *sql, int64_t a1, int64_t a2, const char *t1)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (t1)
		sqlite3_bind_text(st, 1, t1, -1, SQLITE_STATIC);
	else if (sqlite3_bind_parameter_count(st) >= 1)
		sqlite3_bind_int64(st, 1, a1);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, a2);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int tl_attendance_rebuild(sqlite3 *db, int64_t as_of, struct tl_rebuild_stats *stats,
                          char *err, size_t errlen)
{
	sqlite3_stmt *ids = NULL, *ins = NULL, *unm = NULL, *st = NULL;
	int64_t horizon = 0;
	int rc;

	memset(stats, 0, sizeof *stats);
	if (att_exec(db, "DELETE FROM attendance", 0, 0, NULL) ||
	    att_exec(db, "DELETE FROM tap_unmatched", 0, 0, NULL) ||
	    att_exec(db, "DELETE FROM activity_week", 0, 0, NULL) ||
	    att_exec(db, "DELETE FROM engagement", 0, 0, NULL))
		return att_fail(db, err, errlen, "clearing derived tables");
	if (sqlite3_prepare_v2(db, "SELECT purged_before FROM attendance_build WHERE id = 1", -1,
	                       &st, NULL) != SQLITE_OK)
		return att_fail(db, err, errlen, "reading the retention horizon");
	if (sqlite3_step(st) == SQLITE_ROW)
		horizon = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);

	if (sqlite3_prepare_v2(db,
	                       "SELECT participant FROM enrolment UNION"
	                       " SELECT participant FROM tap WHERE participant IS NOT NULL"
	                       " ORDER BY 1",
	                       -1, &ids, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
	                       "INSERT INTO attendance (participant, session, programme,"
	                       " programme_week, attended, checkin_tap, checkout_tap, checkin_at,"
	                       " checkout_at, minutes, minutes_estimated)"
	                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	                       -1, &ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO tap_unmatched (tap, reason) VALUES (?1, 'no_session')",
	                       -1, &unm, NULL) != SQLITE_OK) {
		att_fail(db, err, errlen, "preparing the rebuild");
		goto fail;
	}
	while ((rc = sqlite3_step(ids)) == SQLITE_ROW) {
		stats->participants++;
		if (att_write_participant(db, sqlite3_column_int64(ids, 0), as_of, horizon, ins, unm,
		                          stats)) {
			att_fail(db, err, errlen, "matching taps to sessions");
			goto fail;
		}
	}
	if (rc != SQLITE_DONE) {
		att_fail(db, err, errlen, "listing participants");
		goto fail;
	}
	sqlite3_finalize(ids);
	sqlite3_finalize(ins);
	sqlite3_finalize(unm);
	ids = ins = unm = NULL;

	if (att_exec(db, att_reason_sql, 0, 1, "not_eligible") ||
	    att_exec(db, att_reason_sql, 0, 0, "cancelled_session") ||
	    att_exec(db,
	             "INSERT INTO tap_unmatched (tap, reason)"
	             " SELECT n, 'unknown_card' FROM tap WHERE participant IS NULL",
	             0, 0, NULL))
		return att_fail(db, err, errlen, "classifying unmatched taps");
	if (att_exec(db, att_activity_sql, 0, 0, NULL) ||
	    att_exec(db, att_level_sql, TL_LEVEL_FAIRLY_ACTIVE_MIN, TL_LEVEL_ACTIVE_MIN, NULL))
		return att_fail(db, err, errlen, "computing programme activity");
	if (att_exec(db, att_engagement_sql, as_of, 0, NULL) ||
	    att_exec(db, att_followup_sql, as_of, 0, NULL))
		return att_fail(db, err, errlen, "computing engagement");
	if (sqlite3_prepare_v2(db,
	                       "UPDATE attendance_build SET built_at = strftime('%s', 'now'),"
	                       " as_of = ?1 WHERE id = 1",
	                       -1, &st, NULL) != SQLITE_OK)
		return att_fail(db, err, errlen, "recording the build");
	sqlite3_bind_int64(st, 1, as_of);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return att_fail(db, err, errlen, "recording the build");
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM tap_unmatched", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		stats->unmatched = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
fail:
	sqlite3_finalize(ids);
	sqlite3_finalize(ins);
	sqlite3_finalize(unm);
	return -1;
}

int tl_attendance_week_sessions(sqlite3 *db, int64_t participant, int64_t ts, int *count)
{
	sqlite3_stmt *st = NULL;
	char week[16] = "";
	struct att_set a;
	int rc, found = 0;

	*count = 0;
	if (sqlite3_prepare_v2(db,
	                       "SELECT s.iso_week FROM enrolment e"
	                       " JOIN programme p ON p.id = e.programme"
	                       " JOIN session s ON s.programme = e.programme"
	                       " WHERE e.participant = ?1 AND s.cancelled_at IS NULL"
	                       " AND s.local_date >= e.start_date AND s.local_date <= e.end_date"
	                       " AND (e.withdrawn_on IS NULL OR s.local_date < e.withdrawn_on)"
	                       " AND s.start_ts - 60 * p.checkin_before_min <= ?2"
	                       " ORDER BY s.start_ts DESC, s.id DESC LIMIT 1",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, participant);
	sqlite3_bind_int64(st, 2, ts);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(week, sizeof week, "%s", (const char *)sqlite3_column_text(st, 0));
		found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (!found)
		return 0;
	memset(&a, 0, sizeof a);
	/* Taps more than 9 days old cannot match a session of this week. */
	if (att_load(db, participant, ts, 0, week, ts - 9 * 86400, ts, &a)) {
		att_set_free(&a);
		return -1;
	}
	att_match(&a);
	for (size_t i = 0; i < a.ns; i++)
		*count += a.s[i].ci >= 0;
	att_set_free(&a);
	return 0;
}
