/* attendance.c - see attendance.h. */
#include "attendance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ATT_SITE_MAX 40
/* Page cache while matching (negative: KiB), see tl_attendance_rebuild. */
#define ATT_CACHE_KIB (-65536)

enum { TAP_FREE, TAP_USED, TAP_DUPLICATE };
enum { ATT_MODERATE = 1, ATT_VIGOROUS };

struct att_session {
	int64_t id, start, end;
	char site[ATT_SITE_MAX], programme[ATT_SITE_MAX];
	char iso_week[16], local_date[16], week_start[16];
	int intensity; /* ATT_MODERATE, ATT_VIGOROUS, or 0 for no such activity */
	double met;
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
	struct att_enrol *e; /* the rebuild's: the participant's enrolments */
	size_t ne, cap_e;
};

/* The rebuild's statements, prepared once and reused for every
 * participant (preparing them per participant cost more than running
 * them). */
struct att_stmts {
	sqlite3_stmt *taps, *enrolments, *ins, *unm, *eng, *week;
};

/* One enrolment of the participant being rebuilt. */
struct att_enrol {
	char programme[ATT_SITE_MAX], start[16], end[16], withdrawn[16];
	double start_jd; /* julianday(start_date) */
};

/* Every live session that had opened by as_of and is not before the
 * horizon, sorted by (programme, local_date), loaded once per rebuild:
 * looking them up per participant was 1.8M index-then-table lookups. */
struct att_catalog {
	struct att_session *s;
	double *jd; /* julianday(local_date) per session */
	size_t n, cap, cap_jd;
};

/* Every session's check-in window with its site, sorted by (site, lo),
 * for classifying unmatched taps without a query per tap. */
struct att_window {
	char site[ATT_SITE_MAX];
	int64_t lo, hi;
	int live; /* not cancelled */
};

struct att_windows {
	struct att_window *w;
	size_t n, cap;
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
	free(a->e);
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

static void att_copy_n(char *dst, size_t size, const unsigned char *src)
{
	snprintf(dst, size, "%s", src ? (const char *)src : "");
}
/* Every destination is a char array: bounded by its own size, as the dates
 * are shorter than a site (with _FORTIFY_SOURCE a larger bound aborts). */
#define att_copy(dst, src) att_copy_n((dst), sizeof(dst), (src))

/* The sessions a participant was eligible for: enrolled in the session's
 * programme on its local date, not cancelled, check-in window open by
 * as_of, not before the retention horizon, in one ISO week (for the
 * ack; the rebuild selects the same from its catalog, att_eligible).
 * Without statistics the planner preferred the date range of
 * session_programme_date, a whole enrolment's sessions per tap. */
static const char att_sessions_sql[] =
	"SELECT s.id, s.site, s.programme, s.start_ts, s.end_ts,"
	" CAST(julianday(s.local_date) - julianday(e.start_date) AS INTEGER) / 7 + 1,"
	" 60 * p.checkin_before_min, 60 * p.checkin_after_end_min,"
	" 60 * p.checkout_gap_min, 60 * p.checkout_grace_min, s.iso_week, s.local_date"
	" FROM enrolment e JOIN programme p ON p.id = e.programme"
	" JOIN session s INDEXED BY session_week ON s.programme = e.programme"
	" WHERE e.participant = ?1 AND s.cancelled_at IS NULL"
	" AND s.local_date >= e.start_date AND s.local_date <= e.end_date"
	" AND (e.withdrawn_on IS NULL OR s.local_date < e.withdrawn_on)"
	" AND s.start_ts - 60 * p.checkin_before_min <= ?2 AND s.start_ts >= ?3"
	" AND s.iso_week = ?4"
	" ORDER BY s.start_ts, s.id";

static int att_load_taps(sqlite3_stmt *st, int64_t pid, int64_t tap_lo, int64_t tap_hi,
                         struct att_set *a);

static const char att_taps_sql[] =
	"SELECT n, site, ts FROM tap WHERE participant = ?1"
	" AND ts >= ?2 AND ts <= ?3 ORDER BY ts, n";

/* Fills s from a session row whose columns 0-4 and 6-11 are, in order:
 * id, site, programme, start, end, (5: the caller's), check-in minutes
 * before and after as seconds, check-out gap, grace, ISO week, local date.
 * Both session queries (per participant, and the catalog) share them. */
static void att_session_row(struct att_session *s, sqlite3_stmt *st)
{
	memset(s, 0, sizeof *s);
	s->id = sqlite3_column_int64(st, 0);
	att_copy(s->site, sqlite3_column_text(st, 1));
	att_copy(s->programme, sqlite3_column_text(st, 2));
	s->start = sqlite3_column_int64(st, 3);
	s->end = sqlite3_column_int64(st, 4);
	s->win_lo = s->start - sqlite3_column_int64(st, 6);
	s->win_hi = s->end + sqlite3_column_int64(st, 7);
	s->gap = sqlite3_column_int64(st, 8);
	s->grace = sqlite3_column_int64(st, 9);
	snprintf(s->iso_week, sizeof s->iso_week, "%s",
	         (const char *)sqlite3_column_text(st, 10));
	snprintf(s->local_date, sizeof s->local_date, "%s",
	         (const char *)sqlite3_column_text(st, 11));
	s->ci = s->co = -1;
}

/* Loads one participant's sessions and taps with the prepared
 * att_sessions_sql (st) and att_taps_sql (tt), leaving both reset. */
static int att_load(sqlite3_stmt *st, sqlite3_stmt *tt, int64_t pid, int64_t as_of,
                    int64_t horizon, const char *week, int64_t tap_lo, int64_t tap_hi,
                    struct att_set *a)
{
	int rc;

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
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
		att_session_row(s, st);
		s->programme_week = sqlite3_column_int(st, 5);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	return att_load_taps(tt, pid, tap_lo, tap_hi, a);
fail:
	sqlite3_reset(st);
	return -1;
}

/* Appends a participant's taps from ts tap_lo to tap_hi, in (ts, n) order,
 * with the prepared att_taps_sql (st), leaving it reset. */
static int att_load_taps(sqlite3_stmt *st, int64_t pid, int64_t tap_lo, int64_t tap_hi,
                         struct att_set *a)
{
	int rc;

	sqlite3_reset(st);
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
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
fail:
	sqlite3_reset(st);
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

/* Why a tap matched nothing: at a session its holder was not eligible
 * for (a live session's check-in window at its site holds it), at a
 * cancelled session, or at no session at all. Windows are from
 * att_windows_sql; was one UPDATE per reason with a join per tap. */
static const char att_windows_sql[] =
	"SELECT s.site, s.start_ts - 60 * p.checkin_before_min,"
	" s.end_ts + 60 * p.checkin_after_end_min, s.cancelled_at IS NULL"
	" FROM session s JOIN programme p ON p.id = s.programme";

/* Orders windows by (site, opening) for att_reason's binary search. */
static int att_window_cmp(const void *x, const void *y)
{
	const struct att_window *a = x, *b = y;
	int c = strcmp(a->site, b->site);
	if (c)
		return c;
	return (a->lo > b->lo) - (a->lo < b->lo);
}

/* Loads every session's window, sorted for att_reason. */
static int att_windows_load(sqlite3 *db, struct att_windows *w)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, att_windows_sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct att_window *x;
		if (att_grow((void **)&w->w, &w->cap, w->n, sizeof *w->w)) {
			rc = SQLITE_NOMEM;
			break;
		}
		x = &w->w[w->n++];
		att_copy(x->site, sqlite3_column_text(st, 0));
		x->lo = sqlite3_column_int64(st, 1);
		x->hi = sqlite3_column_int64(st, 2);
		x->live = sqlite3_column_int(st, 3);
	}
	sqlite3_finalize(st);
	if (w->n)
		qsort(w->w, w->n, sizeof *w->w, att_window_cmp);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The reason an unmatched tap is listed with (see att_windows_sql). */
static const char *att_reason(const struct att_windows *w, const struct att_tap *t)
{
	size_t lo = 0, hi = w->n;
	int cancelled = 0;

	while (lo < hi) { /* the first window at the tap's site */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(w->w[mid].site, t->site) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < w->n && w->w[i].lo <= t->ts && strcmp(w->w[i].site, t->site) == 0;
	     i++) {
		if (w->w[i].hi < t->ts)
			continue;
		if (w->w[i].live)
			return "not_eligible";
		cancelled = 1;
	}
	return cancelled ? "cancelled_session" : "no_session";
}

/* The catalog's sessions (see struct att_catalog): the session part of
 * att_sessions_sql, without the enrolment. */
static const char att_catalog_sql[] =
	"SELECT s.id, s.site, s.programme, s.start_ts, s.end_ts, julianday(s.local_date),"
	" 60 * p.checkin_before_min, 60 * p.checkin_after_end_min,"
	" 60 * p.checkout_gap_min, 60 * p.checkout_grace_min, s.iso_week, s.local_date,"
	" s.week_start, CASE ac.intensity WHEN 'moderate' THEN 1 WHEN 'vigorous' THEN 2 ELSE 0 END,"
	" ac.met"
	" FROM session s JOIN programme p ON p.id = s.programme"
	" LEFT JOIN activity ac ON ac.id = s.activity"
	" WHERE s.cancelled_at IS NULL"
	" AND s.start_ts - 60 * p.checkin_before_min <= ?1 AND s.start_ts >= ?2"
	" ORDER BY s.programme, s.local_date";

/* Loads the catalog (see struct att_catalog) for as_of and horizon. */
static int att_catalog_load(sqlite3 *db, int64_t as_of, int64_t horizon, struct att_catalog *c)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, att_catalog_sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, as_of);
	sqlite3_bind_int64(st, 2, horizon);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct att_session *s;
		if (att_grow((void **)&c->s, &c->cap, c->n, sizeof *c->s) ||
		    att_grow((void **)&c->jd, &c->cap_jd, c->n, sizeof *c->jd)) {
			rc = SQLITE_NOMEM;
			break;
		}
		s = &c->s[c->n];
		att_session_row(s, st);
		c->jd[c->n] = sqlite3_column_double(st, 5);
		att_copy(s->week_start, sqlite3_column_text(st, 12));
		s->intensity = sqlite3_column_type(st, 14) == SQLITE_NULL ? 0 :
		               sqlite3_column_int(st, 13);
		s->met = sqlite3_column_double(st, 14);
		c->n++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* A participant's enrolments, into a->e. */
static int att_enrolments(sqlite3_stmt *st, int64_t pid, struct att_set *a)
{
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, pid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct att_enrol *e;
		if (att_grow((void **)&a->e, &a->cap_e, a->ne, sizeof *a->e)) {
			rc = SQLITE_NOMEM;
			break;
		}
		e = &a->e[a->ne++];
		att_copy(e->programme, sqlite3_column_text(st, 0));
		snprintf(e->start, sizeof e->start, "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(e->end, sizeof e->end, "%s", (const char *)sqlite3_column_text(st, 2));
		att_copy(e->withdrawn, sqlite3_column_text(st, 3));
		e->start_jd = sqlite3_column_double(st, 4);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Sessions in (start, id) order, as att_sessions_sql's ORDER BY. */
static int att_session_cmp(const void *x, const void *y)
{
	const struct att_session *a = x, *b = y;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

/* The sessions a participant was eligible for, as att_sessions_sql selects
 * them (same filters, same programme week, same order), from the catalog. */
static int att_eligible(const struct att_catalog *c, const struct att_enrol *en, size_t nen,
                        struct att_set *a)
{
	for (size_t e = 0; e < nen; e++) {
		size_t lo = 0, hi = c->n;
		while (lo < hi) { /* the programme's first session on or after start */
			size_t mid = lo + (hi - lo) / 2;
			int k = strcmp(c->s[mid].programme, en[e].programme);
			if (k < 0 || (k == 0 && strcmp(c->s[mid].local_date, en[e].start) < 0))
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t i = lo; i < c->n && strcmp(c->s[i].programme, en[e].programme) == 0 &&
		                    strcmp(c->s[i].local_date, en[e].end) <= 0;
		     i++) {
			struct att_session *s;
			if (en[e].withdrawn[0] && strcmp(c->s[i].local_date, en[e].withdrawn) >= 0)
				continue;
			if (att_grow((void **)&a->s, &a->cap_s, a->ns, sizeof *a->s))
				return -1;
			s = &a->s[a->ns++];
			*s = c->s[i];
			s->programme_week = (int)((int64_t)(c->jd[i] - en[e].start_jd) / 7 + 1);
		}
	}
	if (a->ns > 1)
		qsort(a->s, a->ns, sizeof *a->s, att_session_cmp);
	return 0;
}

/* Distinct ISO weeks, for weeks_attended. */
static int att_week_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Engagement per enrolment, from the participant's matched sessions:
 * counts, rate, distinct weeks attended, the run of eligible sessions
 * missed (ended by as_of) since the last attended one, and the last date
 * attended. Was one SQL statement with correlated subqueries per
 * enrolment, 20 s of a 44 s rebuild at 10 000 participants. */
static int att_write_engagement(const struct att_stmts *q, int64_t pid, int64_t as_of,
                                const struct att_set *a, const struct att_enrol *en,
                                size_t nen, const char **weeks)
{
	sqlite3_stmt *st = q->eng;

	for (size_t e = 0; e < nen; e++) {
		const char *prog = en[e].programme;
		const char *last = NULL;
		long eligible = 0, attended = 0, missed = 0, nweeks = 0, distinct = 0;
		int64_t last_start = -1;

		for (size_t i = 0; i < a->ns; i++) {
			const struct att_session *s = &a->s[i];
			if (strcmp(s->programme, prog) != 0)
				continue;
			eligible++;
			if (s->ci < 0)
				continue;
			attended++;
			if (s->start > last_start)
				last_start = s->start;
			if (!last || strcmp(s->local_date, last) > 0)
				last = s->local_date;
			weeks[nweeks++] = s->iso_week;
		}
		for (size_t i = 0; i < a->ns; i++) {
			const struct att_session *s = &a->s[i];
			if (s->ci < 0 && s->end <= as_of && s->start > last_start &&
			    strcmp(s->programme, prog) == 0)
				missed++;
		}
		qsort(weeks, (size_t)nweeks, sizeof *weeks, att_week_cmp);
		for (long k = 0; k < nweeks; k++)
			distinct += k == 0 || strcmp(weeks[k], weeks[k - 1]) != 0;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, pid);
		sqlite3_bind_text(st, 2, prog, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, eligible);
		sqlite3_bind_int64(st, 4, attended);
		sqlite3_bind_int64(st, 5, distinct);
		sqlite3_bind_int64(st, 6, missed);
		if (last)
			sqlite3_bind_text(st, 7, last, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(st, 7);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	return 0;
}

/* Groups sessions by (programme, ISO week), in start order within. */
static int att_week_group_cmp(const void *x, const void *y)
{
	const struct att_session *a = *(const struct att_session *const *)x;
	const struct att_session *b = *(const struct att_session *const *)y;
	int c = strcmp(a->programme, b->programme);

	if (c)
		return c;
	if ((c = strcmp(a->iso_week, b->iso_week)) != 0)
		return c;
	return att_session_cmp(a, b);
}

/* Programme activity per programme and ISO week of the participant's
 * eligible sessions (of a known activity), as the SQL aggregate over
 * attendance did: 2.4 s of sorting 1.8M rows at 2M taps. met_minutes is
 * rounded by SQLite's round() in the insert, as before. */
static int att_write_activity(const struct att_stmts *q, int64_t pid, const struct att_set *a,
                              const struct att_session **g)
{
	sqlite3_stmt *st = q->week;
	size_t n = 0;

	for (size_t i = 0; i < a->ns; i++)
		if (a->s[i].intensity)
			g[n++] = &a->s[i];
	qsort(g, n, sizeof *g, att_week_group_cmp);
	for (size_t i = 0, j; i < n; i = j) {
		long eligible = 0, attended = 0, minutes = 0, moderate = 0, vigorous = 0;
		const char *week_start = g[i]->week_start;
		double met = 0;

		for (j = i; j < n && strcmp(g[j]->programme, g[i]->programme) == 0 &&
		            strcmp(g[j]->iso_week, g[i]->iso_week) == 0;
		     j++) {
			int est;
			long m = att_minutes(a, g[j], &est);
			eligible++;
			attended += g[j]->ci >= 0;
			minutes += m;
			if (g[j]->intensity == ATT_VIGOROUS)
				vigorous += m;
			else
				moderate += m;
			met += (double)m * g[j]->met;
			if (strcmp(g[j]->week_start, week_start) < 0)
				week_start = g[j]->week_start;
		}
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, pid);
		sqlite3_bind_text(st, 2, g[i]->programme, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, g[i]->iso_week, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, week_start, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, eligible);
		sqlite3_bind_int64(st, 6, attended);
		sqlite3_bind_int64(st, 7, minutes);
		sqlite3_bind_int64(st, 8, moderate);
		sqlite3_bind_int64(st, 9, vigorous);
		sqlite3_bind_int64(st, 10, tl_moderate_equivalent(moderate, vigorous));
		sqlite3_bind_double(st, 11, met);
		sqlite3_bind_text(st, 12, tl_activity_level(tl_moderate_equivalent(moderate, vigorous)),
		                  -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	return 0;
}

/* Matches one participant and writes their attendance, unmatched taps,
 * programme activity and engagement. */
static int att_write_participant(const struct att_stmts *q, const struct att_windows *w,
                                 const struct att_catalog *cat, int64_t pid, int64_t as_of,
                                 struct att_set *a, struct tl_rebuild_stats *stats)
{
	sqlite3_stmt *ins = q->ins, *unm = q->unm;
	const char **weeks;
	int rc = 0;

	a->ns = a->nt = a->ne = 0;
	if (att_enrolments(q->enrolments, pid, a) || att_eligible(cat, a->e, a->ne, a) ||
	    att_load_taps(q->taps, pid, INT64_MIN, INT64_MAX, a))
		return -1;
	att_match(a);
	for (size_t i = 0; i < a->ns && rc == 0; i++) {
		const struct att_session *s = &a->s[i];
		int est;
		long minutes = att_minutes(a, s, &est);

		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, pid);
		sqlite3_bind_int64(ins, 2, s->id);
		sqlite3_bind_text(ins, 3, s->programme, -1, SQLITE_STATIC);
		sqlite3_bind_int(ins, 4, s->programme_week);
		sqlite3_bind_int(ins, 5, s->ci >= 0);
		for (int k = 0; k < 2; k++) {
			long j = k ? s->co : s->ci;
			if (j >= 0) {
				sqlite3_bind_int64(ins, 6 + k, a->t[j].n);
				sqlite3_bind_int64(ins, 8 + k, a->t[j].ts);
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
	sqlite3_reset(ins);
	for (size_t j = 0; j < a->nt && rc == 0; j++) {
		if (a->t[j].state != TAP_FREE)
			continue;
		sqlite3_reset(unm);
		sqlite3_bind_int64(unm, 1, a->t[j].n);
		sqlite3_bind_text(unm, 2, att_reason(w, &a->t[j]), -1, SQLITE_STATIC);
		if (sqlite3_step(unm) != SQLITE_DONE)
			rc = -1;
	}
	sqlite3_reset(unm);
	if (rc)
		return rc;
	/* Scratch for both: as many pointers as sessions. */
	weeks = malloc((a->ns ? a->ns : 1) * sizeof(void *));
	if (!weeks)
		return -1;
	rc = att_write_activity(q, pid, a, (const struct att_session **)(void *)weeks) ||
	     att_write_engagement(q, pid, as_of, a, a->e, a->ne, weeks);
	free(weeks);
	return rc;
}

/* Flagged for a peer mentor: enough misses in a row, still enrolled, and
 * still someone (not erased). */
static const char att_followup_sql[] =
	"UPDATE engagement SET followup = 1 WHERE missed_run >="
	" (SELECT followup_misses FROM programme p WHERE p.id = engagement.programme)"
	" AND EXISTS (SELECT 1 FROM enrolment e JOIN participant pa ON pa.id = e.participant"
	"   WHERE e.programme = engagement.programme AND e.participant = engagement.participant"
	"   AND e.withdrawn_on IS NULL AND e.end_date >= date(?1, 'unixepoch')"
	"   AND pa.code IS NOT NULL)";

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

/* Reads a numeric pragma, or sets it when sql has a '?' (pragmas take no
 * bound parameters, so the value is spliced in as a number). */
static int64_t att_pragma(sqlite3 *db, const char *sql, int64_t value)
{
	char buf[128];
	const char *q = strchr(sql, '?');
	sqlite3_stmt *st = NULL;
	int64_t v = 0;

	if (q)
		snprintf(buf, sizeof buf, "%.*s%lld", (int)(q - sql), sql, (long long)value);
	else
		snprintf(buf, sizeof buf, "%s", sql);
	if (sqlite3_prepare_v2(db, buf, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Finalizes whatever att_stmts_prepare made. */
static void att_stmts_finalize(struct att_stmts *q)
{
	sqlite3_finalize(q->taps);
	sqlite3_finalize(q->enrolments);
	sqlite3_finalize(q->ins);
	sqlite3_finalize(q->unm);
	sqlite3_finalize(q->eng);
	sqlite3_finalize(q->week);
	memset(q, 0, sizeof *q);
}

/* Prepares the rebuild's statements once (see struct att_stmts). */
static int att_stmts_prepare(sqlite3 *db, struct att_stmts *q)
{
	memset(q, 0, sizeof *q);
	if (sqlite3_prepare_v2(db, att_taps_sql, -1, &q->taps, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
	                       "SELECT programme, start_date, end_date, withdrawn_on,"
	                       " julianday(start_date) FROM enrolment WHERE participant = ?1",
	                       -1, &q->enrolments, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
	                       "INSERT INTO attendance (participant, session, programme,"
	                       " programme_week, attended, checkin_tap, checkout_tap, checkin_at,"
	                       " checkout_at, minutes, minutes_estimated)"
	                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	                       -1, &q->ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO tap_unmatched (tap, reason) VALUES (?1, ?2)", -1,
	                       &q->unm, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
	                       "INSERT INTO engagement (participant, programme, sessions_eligible,"
	                       " sessions_attended, attendance_rate, weeks_attended, missed_run,"
	                       " last_attended, followup) VALUES (?1, ?2, ?3, ?4,"
	                       " CASE WHEN ?3 > 0 THEN round(1.0 * ?4 / ?3, 4) END, ?5, ?6, ?7, 0)",
	                       -1, &q->eng, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
	                       "INSERT INTO activity_week (participant, programme, iso_week,"
	                       " week_start, sessions_eligible, sessions_attended, minutes,"
	                       " moderate_minutes, vigorous_minutes, moderate_equivalent_minutes,"
	                       " met_minutes, activity_level) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	                       " ?8, ?9, ?10, round(?11, 1), ?12)",
	                       -1, &q->week, NULL) != SQLITE_OK) {
		att_stmts_finalize(q);
		return -1;
	}
	return 0;
}

/* Matches every participant with enrolments or taps, in id order. */
static int att_match_all(sqlite3 *db, int64_t as_of, int64_t horizon,
                         struct tl_rebuild_stats *stats, char *err, size_t errlen)
{
	struct att_stmts q;
	struct att_windows w = { NULL, 0, 0 };
	struct att_catalog cat = { NULL, NULL, 0, 0, 0 };
	struct att_set a;
	sqlite3_stmt *ids = NULL;
	int rc = -1, step;

	memset(&a, 0, sizeof a);
	if (att_stmts_prepare(db, &q) ||
	    sqlite3_prepare_v2(db,
	                       "SELECT participant FROM enrolment UNION"
	                       " SELECT participant FROM tap WHERE participant IS NOT NULL"
	                       " ORDER BY 1",
	                       -1, &ids, NULL) != SQLITE_OK) {
		att_fail(db, err, errlen, "preparing the rebuild");
		goto out;
	}
	if (att_windows_load(db, &w) || att_catalog_load(db, as_of, horizon, &cat)) {
		att_fail(db, err, errlen, "loading sessions");
		goto out;
	}
	while ((step = sqlite3_step(ids)) == SQLITE_ROW) {
		stats->participants++;
		if (att_write_participant(&q, &w, &cat, sqlite3_column_int64(ids, 0), as_of, &a,
		                          stats)) {
			att_fail(db, err, errlen, "matching taps to sessions");
			goto out;
		}
	}
	if (step != SQLITE_DONE) {
		att_fail(db, err, errlen, "listing participants");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(ids);
	att_stmts_finalize(&q);
	att_set_free(&a);
	free(w.w);
	free(cat.s);
	free(cat.jd);
	return rc;
}

/* The rebuild proper; see tl_attendance_rebuild. */
static int att_rebuild(sqlite3 *db, int64_t as_of, struct tl_rebuild_stats *stats, char *err,
                       size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int64_t horizon = 0;
	int rc;

	/* Filling attendance and then indexing it by session (a sort) is
	 * twice as fast as keeping the index up to date row by row. */
	if (att_exec(db, "DROP INDEX IF EXISTS attendance_session", 0, 0, NULL))
		return att_fail(db, err, errlen, "clearing derived tables");
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

	if (att_match_all(db, as_of, horizon, stats, err, errlen))
		return -1;
	if (att_exec(db, "CREATE INDEX attendance_session ON attendance(session, attended)", 0, 0, NULL))
		return att_fail(db, err, errlen, "indexing attendance");
	if (att_exec(db,
	             "INSERT INTO tap_unmatched (tap, reason)"
	             " SELECT n, 'unknown_card' FROM tap WHERE participant IS NULL",
	             0, 0, NULL))
		return att_fail(db, err, errlen, "classifying unmatched taps");
	if (att_exec(db, att_followup_sql, as_of, 0, NULL))
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
}

/* See attendance.h; sizes the page cache and suspends foreign key
 * checks around the rebuild, restoring both whatever happens. */
int tl_attendance_rebuild(sqlite3 *db, int64_t as_of, struct tl_rebuild_stats *stats,
                          char *err, size_t errlen)
{
	int64_t cache = att_pragma(db, "PRAGMA cache_size", 0);
	int fk = 0, rc;

	memset(stats, 0, sizeof *stats);
	/* The default 2 MB page cache made the rebuild re-read the tap index
	 * and derived tables from the OS (a third of its time at 2M taps). */
	att_pragma(db, "PRAGMA cache_size = ?", ATT_CACHE_KIB);
	/* attendance's foreign keys (participant, session) made SQLite delete
	 * its rows one by one instead of truncating, and look up both parents
	 * for every row inserted: 3 s of a 7.4 s rebuild at 2M taps. The
	 * rebuild writes only ids it has just read from enrolment, tap and
	 * session in this same transaction, so the checks cannot fail; the
	 * tests run PRAGMA foreign_key_check after it. sqlite3_db_config, unlike
	 * the pragma, takes effect inside the caller's transaction. */
	if (sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &fk) != SQLITE_OK ||
	    (fk && sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, 0, NULL) != SQLITE_OK))
		return att_fail(db, err, errlen, "preparing the rebuild");
	rc = att_rebuild(db, as_of, stats, err, errlen);
	if (fk && sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, 1, NULL) != SQLITE_OK && !rc)
		rc = att_fail(db, err, errlen, "restoring foreign key checks");
	att_pragma(db, "PRAGMA cache_size = ?", cache);
	return rc;
}

/* The ISO week (into week) of the participant's latest eligible session
 * whose check-in window had opened by ts: 0, or 1 if there is none, or
 * -1 on an error. One walk back from ts along session_programme_start per
 * enrolment; a single join over enrolments sorted every session of the
 * enrolment for each tap (the collector managed 2 500 taps/s at scale). */
static int att_latest_week(struct tl_week_stmts *w, int64_t participant, int64_t ts,
                           char *week, size_t size)
{
	sqlite3_stmt *en = w->enrolments, *st = w->latest;
	int64_t best_start = 0, best_id = 0;
	int rc, found = 0;

	sqlite3_reset(en);
	sqlite3_bind_int64(en, 1, participant);
	while ((rc = sqlite3_step(en)) == SQLITE_ROW) {
		int srow;
		sqlite3_reset(st);
		for (int k = 0; k < 4; k++)
			sqlite3_bind_value(st, k + 1, sqlite3_column_value(en, k));
		/* start - before <= ts, as start <= ts + before: sargable */
		sqlite3_bind_int64(st, 5, ts + sqlite3_column_int64(en, 4));
		srow = sqlite3_step(st);
		if (srow == SQLITE_ROW) {
			int64_t start = sqlite3_column_int64(st, 1), id = sqlite3_column_int64(st, 2);
			if (!found || start > best_start || (start == best_start && id > best_id)) {
				snprintf(week, size, "%s", (const char *)sqlite3_column_text(st, 0));
				best_start = start;
				best_id = id;
				found = 1;
			}
		} else if (srow != SQLITE_DONE) {
			rc = srow;
			break;
		}
	}
	sqlite3_reset(st);
	sqlite3_reset(en);
	if (rc != SQLITE_DONE)
		return -1;
	return found ? 0 : 1;
}

/* See attendance.h: the collector's per-tap statements, made once. */
int tl_attendance_week_prepare(sqlite3 *db, struct tl_week_stmts *w)
{
	memset(w, 0, sizeof *w);
	if (sqlite3_prepare_v3(db,
	                       "SELECT e.programme, e.start_date, e.end_date, e.withdrawn_on,"
	                       " 60 * p.checkin_before_min FROM enrolment e"
	                       " JOIN programme p ON p.id = e.programme WHERE e.participant = ?1",
	                       -1, SQLITE_PREPARE_PERSISTENT, &w->enrolments, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(db,
	                       "SELECT s.iso_week, s.start_ts, s.id FROM session s"
	                       " WHERE s.programme = ?1 AND s.cancelled_at IS NULL"
	                       " AND s.local_date >= ?2 AND s.local_date <= ?3"
	                       " AND (?4 IS NULL OR s.local_date < ?4) AND s.start_ts <= ?5"
	                       " ORDER BY s.start_ts DESC, s.id DESC LIMIT 1",
	                       -1, SQLITE_PREPARE_PERSISTENT, &w->latest, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(db, att_sessions_sql, -1, SQLITE_PREPARE_PERSISTENT, &w->sessions,
	                       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(db, att_taps_sql, -1, SQLITE_PREPARE_PERSISTENT, &w->taps, NULL) !=
	        SQLITE_OK) {
		tl_attendance_week_finalize(w);
		return -1;
	}
	return 0;
}

/* See attendance.h. */
void tl_attendance_week_finalize(struct tl_week_stmts *w)
{
	sqlite3_finalize(w->enrolments);
	sqlite3_finalize(w->latest);
	sqlite3_finalize(w->sessions);
	sqlite3_finalize(w->taps);
	memset(w, 0, sizeof *w);
}

/* See attendance.h: the ack's count with prepared statements. */
int tl_attendance_week_count(struct tl_week_stmts *w, int64_t participant, int64_t ts,
                             int *count)
{
	char week[16] = "";
	struct att_set a;
	int rc;

	*count = 0;
	rc = att_latest_week(w, participant, ts, week, sizeof week);
	if (rc > 0)
		*count = -1; /* on no programme now: the ack says nothing */
	if (rc)
		return rc < 0 ? -1 : 0;
	memset(&a, 0, sizeof a);
	/* Taps more than 9 days old cannot match a session of this week. */
	if (att_load(w->sessions, w->taps, participant, ts, 0, week, ts - 9 * 86400, ts, &a)) {
		att_set_free(&a);
		return -1;
	}
	att_match(&a);
	for (size_t i = 0; i < a.ns; i++)
		*count += a.s[i].ci >= 0;
	att_set_free(&a);
	return 0;
}

/* See attendance.h: one-off callers prepare and finalize each time. */
int tl_attendance_week_sessions(sqlite3 *db, int64_t participant, int64_t ts, int *count)
{
	struct tl_week_stmts w;
	int rc;

	*count = 0;
	if (tl_attendance_week_prepare(db, &w))
		return -1;
	rc = tl_attendance_week_count(&w, participant, ts, count);
	tl_attendance_week_finalize(&w);
	return rc;
}
