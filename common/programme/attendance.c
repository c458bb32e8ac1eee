/* attendance.c - see attendance.h. SQL here only loads and stores rows;
 * every decision is a call into rules.c. */
#include "attendance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "grow.h"
#include "sorted.h"

/* Page cache while rebuilding (negative: KiB): the default 2 MB made the
 * rebuild re-read the tap index and derived tables from the OS. */
#define ATT_CACHE_KIB (-65536)
#define ATT_ALL INT64_MIN  /* derive every session of a participant */
#define ATT_NONE INT64_MAX /* only the rows that depend on the instant */

static void att_copy(char *dst, size_t size, const unsigned char *src)
{
	snprintf(dst, size, "%s", src ? (const char *)src : "");
}

/* Every session's check-in window (cancelled ones too) by (site, lo), for
 * the reason an unmatched tap is listed with. */
struct att_window {
	char site[TL_RULE_ID];
	int64_t lo, hi;
	int live;
};

/* The catalog: every programme and every live session not before the
 * retention horizon, loaded once per rebuild (and per generation in the
 * collector). sessions is in (programme, day, start, id) order; by_id and
 * by_open/by_end index it for row read-back and the update's instants. */
struct att_catalog {
	struct tl_programme *p;
	size_t np, cap_p;
	struct tl_session *s;
	size_t ns, cap_s;
	const struct tl_session **by_id, **by_open, **by_end;
	struct att_window *w;
	size_t nw, cap_w;
	struct { int64_t id; char site[TL_RULE_ID]; } *sched;
	size_t nsched, cap_sched;
	int64_t generation;
	int64_t today_as_of;  /* the instant today[] was computed for */
	int64_t *today;       /* each programme's local date then */
};

/* An attendance row as stored, or as the matching would store it: the
 * columns that can differ between two derivations. */
struct att_stored { /* begins with its id, for tl_sorted_find */
	int64_t session, ci_tap, co_tap, ci_at, co_at; /* -1: NULL */
	long minutes;
	int expected, attended, estimated, week, manual;
};

/* One participant's working set, reused from one to the next. */
struct att_set {
	struct tl_enrolment *e;
	size_t ne, cap_e;
	struct tl_expect *x;
	size_t nx, cap_x;
	struct tl_cand *c;
	size_t nc, cap_c;
	struct tl_match_tap *t;
	size_t nt, cap_t;
	struct tl_row *r;
	size_t nr, cap_r;
	const void **scratch;
	size_t cap_scratch;
	struct att_stored *old; /* the stored rows (an update) */
	size_t nold, cap_old;
	const struct tl_session **weeks; /* a session of each week with a changed row */
	size_t nweeks, cap_weeks;
	int64_t *ids;
	size_t cap_ids;
	int erased;
};

/* Q_INS, Q_UNM and Q_ENG replace a stored row; their _NEW twins, used
 * into emptied tables, only insert (no probe for a row to replace, which
 * cost a seek per row of a rebuild). */
enum {
	Q_ENROL, Q_EXPECT, Q_TAPS, Q_INS, Q_DEL, Q_UNM, Q_UNM_DEL, Q_ENG, Q_WEEK, Q_WEEK_DEL,
	Q_ROWS, Q_BUILD, Q_INS_NEW, Q_UNM_NEW, Q_ENG_NEW, Q_MARKS, Q_COUNT
};

#define ATT_INS_SQL                                                                      \
	" INTO attendance (participant, session, programme, programme_week, attended,"      \
	" checkin_tap, checkout_tap, checkin_at, checkout_at, minutes, minutes_estimated,"  \
	" expected, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
#define ATT_UNM_SQL " INTO tap_unmatched (tap, reason) VALUES (?1, ?2)"
#define ATT_ENG_SQL                                                                      \
	" INTO engagement (participant, programme, sessions_expected, sessions_attended,"   \
	" attendance_rate, weeks_attended, missed_run, last_attended, followup,"            \
	" sessions_extra, status) VALUES (?1, ?2, ?3, ?4,"                                  \
	" CASE WHEN ?3 > 0 THEN round(1.0 * ?4 / ?3, 4) END, ?5, ?6, ?7, ?8, ?9, ?10)"

static const char *const att_sql[Q_COUNT] = {
	[Q_ENROL] = "SELECT e.programme, e.start_date, e.end_date, e.withdrawn_on, p.code IS NULL"
	            " FROM enrolment e JOIN participant p ON p.id = e.participant"
	            " WHERE e.participant = ?1 ORDER BY e.programme",
	[Q_EXPECT] = "SELECT programme, from_date, sites, schedules FROM expectation"
	             " WHERE participant = ?1 ORDER BY programme, from_date",
	/* In the covering index's order: ts, then site and n. Only taps at
	 * one site compete for a session, so this matches as (ts, n) does,
	 * without sorting each participant's taps. A suspect tap counts only
	 * once an admin has accepted it (TL_TAP_COUNTS in attendance.h). */
	[Q_TAPS] = "SELECT n, site, ts FROM tap WHERE participant = ?1"
	           " AND ts >= ?2 AND ts <= ?3 AND " TL_TAP_COUNTS " ORDER BY ts, site, n",
	[Q_INS] = "INSERT OR REPLACE" ATT_INS_SQL,
	[Q_INS_NEW] = "INSERT" ATT_INS_SQL,
	[Q_DEL] = "DELETE FROM attendance WHERE participant = ?1 AND session = ?2",
	[Q_UNM] = "INSERT OR REPLACE" ATT_UNM_SQL,
	[Q_UNM_NEW] = "INSERT" ATT_UNM_SQL,
	[Q_UNM_DEL] = "DELETE FROM tap_unmatched WHERE tap = ?1",
	[Q_ENG] = "INSERT OR REPLACE" ATT_ENG_SQL,
	[Q_ENG_NEW] = "INSERT" ATT_ENG_SQL,
	[Q_WEEK] = "INSERT INTO activity_week (participant, programme, iso_week, week_start,"
	           " sessions_expected, sessions_attended, minutes, moderate_minutes,"
	           " vigorous_minutes, moderate_equivalent_minutes, met_minutes, minutes_band,"
	           " sessions_extra, strength_days, estimated_minutes) VALUES (?1, ?2, ?3, ?4,"
	           " ?5, ?6, ?7, ?8, ?9, ?10, round(?11, 1), ?12, ?13, ?14, ?15)",
	[Q_WEEK_DEL] = "DELETE FROM activity_week WHERE participant = ?1 AND programme = ?2"
	               " AND iso_week = ?3",
	[Q_ROWS] = "SELECT session, expected, attended, minutes, minutes_estimated, checkin_tap,"
	           " checkout_tap, checkin_at, checkout_at, programme_week, source = 'manual'"
	           " FROM attendance WHERE participant = ?1 ORDER BY session",
	/* Manual register marks: inputs like taps (attendance mark). */
	[Q_MARKS] = "SELECT session, coalesce(minutes, -1) FROM attendance_mark"
	            " WHERE participant = ?1",
	[Q_BUILD] = "SELECT as_of, tap_n, generation, stale, purged_before FROM attendance_build"
	            " WHERE id = 1",
};

struct tl_engine {
	sqlite3 *db;
	sqlite3_stmt *q[Q_COUNT];
	struct att_catalog cat;
	struct att_set set;
	int loaded;
};

static int att_fail(sqlite3 *db, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
	return -1;
}

/* Runs one statement without rows, binding ?1 and ?2 as integers. */
static int att_exec(sqlite3 *db, const char *sql, int64_t a1, int64_t a2)
{
	sqlite3_stmt *st = NULL;
	int rc, np;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	np = sqlite3_bind_parameter_count(st);
	if (np >= 1)
		sqlite3_bind_int64(st, 1, a1);
	if (np >= 2)
		sqlite3_bind_int64(st, 2, a2);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* A local date column as a day number; -1 on a bad value. */
static int64_t att_day(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	int64_t d;

	return t && tl_cal_parse((const char *)t, &d) == 0 ? d : -1;
}

/* ------------------------------------------------------------------ */
/* The catalog                                                         */

static void att_catalog_free(struct att_catalog *c)
{
	free(c->p);
	free(c->s);
	free(c->by_id);
	free(c->by_open);
	free(c->by_end);
	free(c->w);
	free(c->sched);
	free(c->today);
	memset(c, 0, sizeof *c);
}

static int att_prog_index(const struct att_catalog *c, const char *id)
{
	size_t lo = 0, hi = c->np;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int k = strcmp(c->p[mid].id, id);
		if (k == 0)
			return (int)mid;
		if (k < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int att_site_cmp(const void *x, const void *y)
{
	const struct tl_session *a = x, *b = y;
	int k = strcmp(a->site, b->site);

	if (k)
		return k;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

static int att_prog_cmp(const void *x, const void *y)
{
	const struct tl_session *a = x, *b = y;

	if (a->prog != b->prog)
		return a->prog < b->prog ? -1 : 1;
	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

static int att_id_cmp(const void *x, const void *y)
{
	const struct tl_session *a = *(const struct tl_session *const *)x;
	const struct tl_session *b = *(const struct tl_session *const *)y;
	return (a->id > b->id) - (a->id < b->id);
}

static int att_open_cmp(const void *x, const void *y)
{
	const struct tl_session *a = *(const struct tl_session *const *)x;
	const struct tl_session *b = *(const struct tl_session *const *)y;
	return (a->win_lo > b->win_lo) - (a->win_lo < b->win_lo);
}

static int att_end_cmp(const void *x, const void *y)
{
	const struct tl_session *a = *(const struct tl_session *const *)x;
	const struct tl_session *b = *(const struct tl_session *const *)y;
	return (a->end > b->end) - (a->end < b->end);
}

static int att_window_cmp(const void *x, const void *y)
{
	const struct att_window *a = x, *b = y;
	int c = strcmp(a->site, b->site);
	if (c)
		return c;
	return (a->lo > b->lo) - (a->lo < b->lo);
}

/* Loads programmes, schedules, every session's window, and the live
 * sessions from the horizon on; orders and indexes them. */
static int att_catalog_load(sqlite3 *db, int64_t horizon, int64_t generation,
                            struct att_catalog *c)
{
	sqlite3_stmt *st = NULL;
	int rc;

	att_catalog_free(c);
	c->generation = generation;
	c->today_as_of = INT64_MIN;
	if (sqlite3_prepare_v2(db,
	                       "SELECT id, tz, 60 * checkin_before_min, 60 * checkin_after_end_min,"
	                       " 60 * checkout_gap_min, 60 * checkout_grace_min, followup_misses"
	                       " FROM programme ORDER BY id",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tl_programme *p;
		if (tl_grow(&c->p, &c->cap_p, c->np, sizeof *c->p)) {
			rc = SQLITE_NOMEM;
			break;
		}
		p = &c->p[c->np++];
		att_copy(p->id, sizeof p->id, sqlite3_column_text(st, 0));
		att_copy(p->tz, sizeof p->tz, sqlite3_column_text(st, 1));
		p->before = sqlite3_column_int64(st, 2);
		p->after = sqlite3_column_int64(st, 3);
		p->gap = sqlite3_column_int64(st, 4);
		p->grace = sqlite3_column_int64(st, 5);
		p->followup_misses = sqlite3_column_int(st, 6);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	c->today = calloc(c->np ? c->np : 1, sizeof *c->today);
	if (!c->today)
		return -1;

	if (sqlite3_prepare_v2(db, "SELECT id, site FROM schedule ORDER BY id", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (tl_grow(&c->sched, &c->cap_sched, c->nsched, sizeof *c->sched)) {
			rc = SQLITE_NOMEM;
			break;
		}
		c->sched[c->nsched].id = sqlite3_column_int64(st, 0);
		att_copy(c->sched[c->nsched].site, TL_RULE_ID, sqlite3_column_text(st, 1));
		c->nsched++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;

	if (sqlite3_prepare_v2(db,
	                       "SELECT s.site, s.start_ts - 60 * p.checkin_before_min,"
	                       " s.end_ts + 60 * p.checkin_after_end_min, s.cancelled_at IS NULL"
	                       " FROM session s JOIN programme p ON p.id = s.programme",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct att_window *w;
		if (tl_grow(&c->w, &c->cap_w, c->nw, sizeof *c->w)) {
			rc = SQLITE_NOMEM;
			break;
		}
		w = &c->w[c->nw++];
		att_copy(w->site, sizeof w->site, sqlite3_column_text(st, 0));
		w->lo = sqlite3_column_int64(st, 1);
		w->hi = sqlite3_column_int64(st, 2);
		w->live = sqlite3_column_int(st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (c->nw)
		qsort(c->w, c->nw, sizeof *c->w, att_window_cmp);

	if (sqlite3_prepare_v2(db,
	                       "SELECT s.id, s.programme, s.site, s.start_ts, s.end_ts, s.local_date,"
	                       " s.iso_week, s.week_start, s.schedule, s.expected_of = 'none',"
	                       " CASE ac.intensity WHEN 'moderate' THEN 1 WHEN 'vigorous' THEN 2"
	                       " ELSE 0 END, ac.met, ac.strength"
	                       " FROM session s LEFT JOIN activity ac ON ac.id = s.activity"
	                       " WHERE s.cancelled_at IS NULL AND s.start_ts >= ?1",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, horizon);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tl_session *s;
		const struct tl_programme *p;
		int prog = att_prog_index(c, (const char *)sqlite3_column_text(st, 1));

		if (prog < 0)
			continue;
		if (tl_grow(&c->s, &c->cap_s, c->ns, sizeof *c->s)) {
			rc = SQLITE_NOMEM;
			break;
		}
		p = &c->p[prog];
		s = &c->s[c->ns++];
		memset(s, 0, sizeof *s);
		s->id = sqlite3_column_int64(st, 0);
		s->prog = prog;
		att_copy(s->site, sizeof s->site, sqlite3_column_text(st, 2));
		s->start = sqlite3_column_int64(st, 3);
		s->end = sqlite3_column_int64(st, 4);
		att_copy(s->local_date, sizeof s->local_date, sqlite3_column_text(st, 5));
		s->day = att_day(st, 5);
		att_copy(s->iso_week, sizeof s->iso_week, sqlite3_column_text(st, 6));
		att_copy(s->week_start, sizeof s->week_start, sqlite3_column_text(st, 7));
		s->schedule = sqlite3_column_int64(st, 8);
		s->expected_of_none = sqlite3_column_int(st, 9);
		s->intensity = sqlite3_column_int(st, 10);
		s->met = sqlite3_column_double(st, 11);
		s->strength = sqlite3_column_int(st, 12);
		s->win_lo = s->start - p->before;
		s->win_hi = s->end + p->after;
		s->gap = p->gap;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (c->ns) {
		qsort(c->s, c->ns, sizeof *c->s, att_site_cmp);
		tl_rules_site_windows(c->s, c->ns, c->p);
		qsort(c->s, c->ns, sizeof *c->s, att_prog_cmp);
	}
	c->by_id = malloc((c->ns ? c->ns : 1) * sizeof *c->by_id);
	c->by_open = malloc((c->ns ? c->ns : 1) * sizeof *c->by_open);
	c->by_end = malloc((c->ns ? c->ns : 1) * sizeof *c->by_end);
	if (!c->by_id || !c->by_open || !c->by_end)
		return -1;
	for (size_t i = 0; i < c->ns; i++)
		c->by_id[i] = c->by_open[i] = c->by_end[i] = &c->s[i];
	qsort(c->by_id, c->ns, sizeof *c->by_id, att_id_cmp);
	qsort(c->by_open, c->ns, sizeof *c->by_open, att_open_cmp);
	qsort(c->by_end, c->ns, sizeof *c->by_end, att_end_cmp);
	return 0;
}

static const struct tl_session *att_session_by_id(const struct att_catalog *c, int64_t id)
{
	size_t lo = 0, hi = c->ns;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->by_id[mid]->id == id)
			return c->by_id[mid];
		if (c->by_id[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Each programme's local date at as_of (the only time-zone calls). */
static void att_catalog_today(struct att_catalog *c, int64_t as_of)
{
	if (c->today_as_of == as_of)
		return;
	for (size_t i = 0; i < c->np; i++)
		c->today[i] = tl_zone_local_days(c->p[i].tz, as_of);
	c->today_as_of = as_of;
}

/* The reason an unmatched tap is listed with: a live session's check-in
 * window at its site holds it (the holder was not enrolled for it), only
 * a cancelled one does, or none. */
static const char *att_reason(const struct att_catalog *c, const struct tl_match_tap *t)
{
	size_t lo = 0, hi = c->nw;
	int cancelled = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(c->w[mid].site, t->site) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < c->nw && c->w[i].lo <= t->ts && strcmp(c->w[i].site, t->site) == 0;
	     i++) {
		if (c->w[i].hi < t->ts)
			continue;
		if (c->w[i].live)
			return "not_eligible";
		cancelled = 1;
	}
	return cancelled ? "cancelled_session" : "no_session";
}

/* ------------------------------------------------------------------ */
/* One participant                                                     */

static void att_set_clear_expect(struct att_set *a)
{
	for (size_t i = 0; i < a->nx; i++) {
		free(a->x[i].sites);
		free(a->x[i].schedules);
		free(a->x[i].oneoff_sites);
	}
	a->nx = 0;
}

static void att_set_free(struct att_set *a)
{
	att_set_clear_expect(a);
	free(a->e);
	free(a->x);
	free(a->c);
	free(a->t);
	free(a->r);
	free(a->scratch);
	free(a->old);
	free(a->weeks);
	free(a->ids);
	memset(a, 0, sizeof *a);
}

static char *att_strdup(const unsigned char *s)
{
	char *d;
	size_t n;

	if (!s)
		return NULL;
	n = strlen((const char *)s) + 1;
	if ((d = malloc(n)) != NULL)
		memcpy(d, s, n);
	return d;
}

/* The sites of the listed schedules, for one-off sessions under a
 * schedules expectation. */
static char *att_oneoff_sites(const struct att_catalog *c, const char *schedules)
{
	size_t len = 1;
	char *out;

	for (size_t i = 0; i < c->nsched; i++)
		len += strlen(c->sched[i].site) + 1;
	if (!(out = calloc(1, len)))
		return NULL;
	for (const char *p = schedules; p && *p;) {
		long long id = strtoll(p, NULL, 10);
		const char *e = strchr(p, ',');
		for (size_t i = 0; i < c->nsched; i++)
			if (c->sched[i].id == id) {
				if (out[0])
					strcat(out, ",");
				strcat(out, c->sched[i].site);
			}
		p = e ? e + 1 : NULL;
	}
	return out;
}

/* Loads the participant's enrolments and their expectations. */
static int att_load_enrolments(struct tl_engine *g, int64_t pid)
{
	struct att_set *a = &g->set;
	sqlite3_stmt *st = g->q[Q_ENROL], *xt = g->q[Q_EXPECT];
	int rc;

	a->ne = 0;
	a->erased = 0;
	att_set_clear_expect(a);
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, pid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tl_enrolment *e;
		if (tl_grow(&a->e, &a->cap_e, a->ne, sizeof *a->e)) {
			rc = SQLITE_NOMEM;
			break;
		}
		e = &a->e[a->ne++];
		memset(e, 0, sizeof *e);
		e->prog = att_prog_index(&g->cat, (const char *)sqlite3_column_text(st, 0));
		e->start = att_day(st, 1);
		e->end = att_day(st, 2);
		e->withdrawn = sqlite3_column_type(st, 3) == SQLITE_NULL ? INT64_MAX : att_day(st, 3);
		a->erased = sqlite3_column_int(st, 4);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	sqlite3_reset(xt);
	sqlite3_bind_int64(xt, 1, pid);
	while ((rc = sqlite3_step(xt)) == SQLITE_ROW) {
		struct tl_expect *x;
		if (tl_grow(&a->x, &a->cap_x, a->nx, sizeof *a->x)) {
			rc = SQLITE_NOMEM;
			break;
		}
		x = &a->x[a->nx++];
		memset(x, 0, sizeof *x);
		x->prog = att_prog_index(&g->cat, (const char *)sqlite3_column_text(xt, 0));
		x->from = att_day(xt, 1);
		x->sites = att_strdup(sqlite3_column_text(xt, 2));
		x->schedules = att_strdup(sqlite3_column_text(xt, 3));
		if (x->schedules && !(x->oneoff_sites = att_oneoff_sites(&g->cat, x->schedules)))
			rc = SQLITE_NOMEM;
		if ((sqlite3_column_type(xt, 2) != SQLITE_NULL && !x->sites) ||
		    (sqlite3_column_type(xt, 3) != SQLITE_NULL && !x->schedules))
			rc = SQLITE_NOMEM;
		if (rc == SQLITE_NOMEM)
			break;
	}
	sqlite3_reset(xt);
	if (rc != SQLITE_DONE)
		return -1;
	/* Both lists are in programme order: hand each enrolment its run. */
	for (size_t k = 0, i = 0; k < a->ne; k++) {
		while (i < a->nx && a->x[i].prog < a->e[k].prog)
			i++;
		a->e[k].x = &a->x[i];
		a->e[k].nx = 0;
		while (i + a->e[k].nx < a->nx && a->x[i + a->e[k].nx].prog == a->e[k].prog)
			a->e[k].nx++;
		i += a->e[k].nx;
	}
	return 0;
}

/* Lists the participant's candidates (their eligible sessions as of
 * as_of, from local day from_day on) in matching order. Expectations are in (programme, from) order
 * as are enrolments, so each enrolment's run of them is found in turn. */
static int att_candidates(struct tl_engine *g, int64_t as_of, int64_t from_day)
{
	struct att_set *a = &g->set;
	const struct att_catalog *c = &g->cat;
	/* no session of a later local day can have opened by as_of (a window
	 * opens at most 12 h before the start, zones are within 14 h of UTC) */
	int64_t last_day = as_of / 86400 + 2;

	a->nc = 0;
	for (size_t k = 0; k < a->ne; k++) {
		struct tl_enrolment *e = &a->e[k];
		int64_t first = e->start > from_day ? e->start : from_day;
		size_t lo = 0, hi = c->ns;

		if (e->prog < 0 || e->start < 0 || e->end < 0)
			continue;
		while (lo < hi) { /* the programme's first session on or after first */
			size_t mid = lo + (hi - lo) / 2;
			const struct tl_session *s = &c->s[mid];
			if (s->prog < e->prog || (s->prog == e->prog && s->day < first))
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t i = lo; i < c->ns && c->s[i].prog == e->prog && c->s[i].day <= e->end &&
		                    c->s[i].day <= last_day;
		     i++) {
			struct tl_cand *cd;
			if (!tl_rules_eligible(e, &c->s[i], as_of))
				continue;
			if (tl_grow(&a->c, &a->cap_c, a->nc, sizeof *a->c))
				return -1;
			cd = &a->c[a->nc++];
			cd->s = &c->s[i];
			cd->expected = tl_rules_expected(e, &c->s[i]);
			cd->programme_week = tl_rules_programme_week(e, &c->s[i]);
			cd->ci = cd->co = -1;
			cd->marked = 0;
			cd->mark_minutes = -1;
		}
	}
	for (size_t i = 1; i < a->nc; i++) /* one enrolment's are in order already */
		if (tl_rules_cand_cmp(&a->c[i - 1], &a->c[i]) > 0) {
			qsort(a->c, a->nc, sizeof *a->c, tl_rules_cand_cmp);
			break;
		}
	return 0;
}

/* Loads the participant's taps from lo to as_of, in (ts, site, n) order. */
static int att_load_taps(struct tl_engine *g, int64_t pid, int64_t lo, int64_t as_of)
{
	struct att_set *a = &g->set;
	sqlite3_stmt *st = g->q[Q_TAPS];
	int rc;

	a->nt = 0;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, as_of);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tl_match_tap *t;
		if (tl_grow(&a->t, &a->cap_t, a->nt, sizeof *a->t)) {
			rc = SQLITE_NOMEM;
			break;
		}
		t = &a->t[a->nt++];
		t->n = sqlite3_column_int64(st, 0);
		att_copy(t->site, sizeof t->site, sqlite3_column_text(st, 1));
		t->ts = sqlite3_column_int64(st, 2);
		t->state = TL_TAP_FREE;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Applies the participant's manual register marks to their candidates
 * (a mark of a session that is not a candidate, not eligible, counts for
 * nothing). Marks are few: each is looked for among the candidates. */
static int att_apply_marks(struct tl_engine *g, int64_t pid)
{
	struct att_set *a = &g->set;
	sqlite3_stmt *st = g->q[Q_MARKS];
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, pid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t session = sqlite3_column_int64(st, 0);
		for (size_t i = 0; i < a->nc; i++)
			if (a->c[i].s->id == session) {
				a->c[i].marked = 1;
				a->c[i].mark_minutes = (long)sqlite3_column_int64(st, 1);
			}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Keeps the candidates whose matching can see an instant from since on,
 * and returns the first instant they look at. A candidate that ends
 * looking before that instant shares no tap with them: the fixpoint
 * makes the kept ones match exactly as among all candidates. */
static int64_t att_affected(struct att_set *a, int64_t since)
{
	int64_t lo = since;
	size_t n;

	if (since == ATT_ALL)
		return ATT_ALL;
	for (;;) {
		int64_t next = lo;
		n = 0;
		for (size_t i = 0; i < a->nc; i++)
			if (tl_rules_cand_hi(a->c[i].s) >= lo) {
				if (a->c[i].s->win_lo < next)
					next = a->c[i].s->win_lo;
				n++;
			}
		if (next == lo)
			break;
		lo = next;
	}
	for (size_t i = 0, k = 0; i < a->nc; i++)
		if (tl_rules_cand_hi(a->c[i].s) >= lo)
			a->c[k++] = a->c[i];
	a->nc = n;
	return lo;
}

/* Days of candidates loaded before the first instant that changed: a
 * session starting on an earlier day ends looking for taps (its check-out
 * window) within two days, so the candidates that matter are among them
 * unless the affected ones reach further back, which is then retried
 * with every candidate. */
#define ATT_SINCE_DAYS 3
#define ATT_WEEK_DAYS 14

/* The candidates affected from since on (see att_affected), into a->c,
 * loading only recent ones where that is enough; *lo gets the first
 * instant they look at. loaded_from: the first day of candidates already
 * in a->c (INT64_MAX: none loaded yet). */
static int att_affected_candidates(struct tl_engine *g, int64_t as_of, int64_t since,
                                   int64_t loaded_from, int64_t *lo)
{
	struct att_set *a = &g->set;
	int64_t from = loaded_from;

	if (since == ATT_NONE) {
		a->nc = 0;
		*lo = ATT_NONE;
		return 0;
	}
	if (from == INT64_MAX) {
		from = since == ATT_ALL ? INT64_MIN : since / 86400 - ATT_SINCE_DAYS;
		if (att_candidates(g, as_of, from))
			return -1;
	}
	for (;;) {
		*lo = att_affected(a, since);
		if (from == INT64_MIN || *lo >= (from + ATT_SINCE_DAYS) * 86400)
			return 0;
		from = INT64_MIN;
		if (att_candidates(g, as_of, from))
			return -1;
	}
}

static int att_step(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The row a matched candidate makes, or 0 if it makes none (an extra
 * candidate not attended). */
static int att_cand_row(const struct att_set *a, const struct tl_cand *c, struct att_stored *r)
{
	if (!c->expected && !tl_rules_attended(c))
		return 0;
	r->session = c->s->id;
	r->expected = c->expected;
	r->attended = tl_rules_attended(c);
	r->manual = c->marked;
	r->ci_tap = c->ci >= 0 ? a->t[c->ci].n : -1;
	r->ci_at = c->ci >= 0 ? a->t[c->ci].ts : -1;
	r->co_tap = c->co >= 0 ? a->t[c->co].n : -1;
	r->co_at = c->co >= 0 ? a->t[c->co].ts : -1;
	r->minutes = tl_rules_minutes(c, a->t, &r->estimated);
	r->week = c->programme_week;
	return 1;
}

static int att_stored_same(const struct att_stored *x, const struct att_stored *y)
{
	return x->session == y->session && x->ci_tap == y->ci_tap && x->co_tap == y->co_tap &&
	       x->ci_at == y->ci_at && x->co_at == y->co_at && x->minutes == y->minutes &&
	       x->expected == y->expected && x->attended == y->attended &&
	       x->estimated == y->estimated && x->week == y->week && x->manual == y->manual;
}

static int64_t att_col_or(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, col);
}

/* Reads the participant's stored rows, in session order. */
static int att_read_stored(struct tl_engine *g, int64_t pid)
{
	struct att_set *a = &g->set;
	sqlite3_stmt *st = g->q[Q_ROWS];
	int rc;

	a->nold = 0;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, pid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct att_stored *r;
		if (tl_grow(&a->old, &a->cap_old, a->nold, sizeof *a->old)) {
			rc = SQLITE_NOMEM;
			break;
		}
		r = &a->old[a->nold++];
		r->session = sqlite3_column_int64(st, 0);
		r->expected = sqlite3_column_int(st, 1);
		r->attended = sqlite3_column_int(st, 2);
		r->minutes = sqlite3_column_int64(st, 3);
		r->estimated = sqlite3_column_int(st, 4);
		r->ci_tap = att_col_or(st, 5);
		r->co_tap = att_col_or(st, 6);
		r->ci_at = att_col_or(st, 7);
		r->co_at = att_col_or(st, 8);
		r->week = sqlite3_column_int(st, 9);
		r->manual = sqlite3_column_int(st, 10);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The stored row of a session (a->old is in session order, and each row
 * begins with its session id), or NULL. */
static const struct att_stored *att_find_stored(const struct att_set *a, int64_t session)
{
	long i = tl_sorted_find(a->old, a->nold, sizeof *a->old, session);
	return i < 0 ? NULL : &a->old[i];
}

static void att_bind_or_null(sqlite3_stmt *st, int i, int64_t v)
{
	if (v < 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

static int att_insert(struct tl_engine *g, int64_t pid, const struct tl_cand *c,
                      const struct att_stored *r, int fresh)
{
	sqlite3_stmt *ins = g->q[fresh ? Q_INS_NEW : Q_INS];

	sqlite3_bind_int64(ins, 1, pid);
	sqlite3_bind_int64(ins, 2, r->session);
	sqlite3_bind_text(ins, 3, g->cat.p[c->s->prog].id, -1, SQLITE_STATIC);
	sqlite3_bind_int(ins, 4, r->week);
	sqlite3_bind_int(ins, 5, r->attended);
	att_bind_or_null(ins, 6, r->ci_tap);
	att_bind_or_null(ins, 7, r->co_tap);
	att_bind_or_null(ins, 8, r->ci_at);
	att_bind_or_null(ins, 9, r->co_at);
	sqlite3_bind_int64(ins, 10, r->minutes);
	sqlite3_bind_int(ins, 11, r->estimated);
	sqlite3_bind_int(ins, 12, r->expected);
	sqlite3_bind_text(ins, 13, r->manual ? "manual" : "tap", -1, SQLITE_STATIC);
	return att_step(ins);
}

/* Notes that an ISO week of a programme has a changed row, so its
 * activity_week row is rewritten. */
static int att_week_changed(struct att_set *a, const struct tl_session *s)
{
	for (size_t i = 0; i < a->nweeks; i++)
		if (a->weeks[i]->prog == s->prog && strcmp(a->weeks[i]->iso_week, s->iso_week) == 0)
			return 0;
	if (tl_grow(&a->weeks, &a->cap_weeks, a->nweeks, sizeof *a->weeks))
		return -1;
	a->weeks[a->nweeks++] = s;
	return 0;
}

/* Writes the matched candidates' attendance rows and the free taps'
 * reasons. Into emptied tables (fresh) every row is inserted; otherwise
 * each candidate's row is compared with the stored one and only what
 * differs is written, and the changed weeks are noted. */
static int att_write_rows(struct tl_engine *g, int64_t pid, int fresh,
                          struct tl_rebuild_stats *stats)
{
	struct att_set *a = &g->set;

	a->nweeks = 0;
	for (size_t i = 0; i < a->nc; i++) {
		const struct tl_cand *c = &a->c[i];
		const struct att_stored *old = fresh ? NULL : att_find_stored(a, c->s->id);
		struct att_stored r;
		int has = att_cand_row(a, c, &r);

		if (has && stats) {
			stats->rows++;
			stats->attended += r.attended;
			stats->extra += r.attended && !r.expected;
			stats->estimated += r.estimated;
		}
		if (has && old && att_stored_same(&r, old))
			continue;
		if (!has && !old)
			continue;
		if (!fresh && att_week_changed(a, c->s))
			return -1;
		if (has) {
			if (att_insert(g, pid, c, &r, fresh))
				return -1;
		} else {
			sqlite3_stmt *del = g->q[Q_DEL];
			sqlite3_bind_int64(del, 1, pid);
			sqlite3_bind_int64(del, 2, c->s->id);
			if (att_step(del))
				return -1;
		}
	}
	for (size_t j = 0; j < a->nt; j++) {
		sqlite3_stmt *st = g->q[a->t[j].state != TL_TAP_FREE ? Q_UNM_DEL
		                        : fresh                      ? Q_UNM_NEW
		                                                     : Q_UNM];
		if (a->t[j].state != TL_TAP_FREE && fresh)
			continue;
		sqlite3_bind_int64(st, 1, a->t[j].n);
		if (a->t[j].state == TL_TAP_FREE)
			sqlite3_bind_text(st, 2, att_reason(&g->cat, &a->t[j]), -1, SQLITE_STATIC);
		if (att_step(st))
			return -1;
		if (stats && a->t[j].state == TL_TAP_FREE)
			stats->unmatched++;
	}
	return 0;
}


static int att_i64_cmp(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

static int att_add_row(struct att_set *a, const struct tl_session *s, const struct att_stored *r)
{
	struct tl_row *row;

	if (tl_grow(&a->r, &a->cap_r, a->nr, sizeof *a->r))
		return -1;
	row = &a->r[a->nr++];
	row->s = s;
	row->expected = r->expected;
	row->attended = r->attended;
	row->minutes = r->minutes;
	row->estimated = r->estimated;
	return 0;
}

/* The participant's rows after the write, for the aggregates: the stored
 * rows of sessions not matched now, and the matched candidates' rows. */
static int att_rows(struct tl_engine *g, int fresh)
{
	struct att_set *a = &g->set;
	int64_t *ids;

	a->nr = 0;
	if (!fresh) {
		if (tl_grow(&a->ids, &a->cap_ids, a->nc + 1, sizeof *a->ids))
			return -1;
		ids = a->ids;
		for (size_t i = 0; i < a->nc; i++)
			ids[i] = a->c[i].s->id;
		qsort(ids, a->nc, sizeof *ids, att_i64_cmp);
		for (size_t i = 0; i < a->nold; i++) {
			const struct tl_session *s;
			if (tl_sorted_find(ids, a->nc, sizeof *ids, a->old[i].session) >= 0)
				continue;
			if ((s = att_session_by_id(&g->cat, a->old[i].session)) &&
			    att_add_row(a, s, &a->old[i]))
				return -1;
		}
	}
	for (size_t i = 0; i < a->nc; i++) {
		struct att_stored r;
		if (att_cand_row(a, &a->c[i], &r) && att_add_row(a, a->c[i].s, &r))
			return -1;
	}
	return 0;
}

/* Rows grouped by (programme, ISO week, date). */
static int att_row_week_cmp(const void *x, const void *y)
{
	const struct tl_row *a = *(const struct tl_row *const *)x;
	const struct tl_row *b = *(const struct tl_row *const *)y;
	int c;

	if (a->s->prog != b->s->prog)
		return a->s->prog < b->s->prog ? -1 : 1;
	if ((c = strcmp(a->s->iso_week, b->s->iso_week)) != 0)
		return c;
	if ((c = strcmp(a->s->local_date, b->s->local_date)) != 0)
		return c;
	return (a->s->id > b->s->id) - (a->s->id < b->s->id);
}

/* Whether an ISO week of a programme has a changed row. */
static int att_week_touched(const struct att_set *a, int prog, const char *week)
{
	for (size_t i = 0; i < a->nweeks; i++)
		if (a->weeks[i]->prog == prog && strcmp(a->weeks[i]->iso_week, week) == 0)
			return 1;
	return 0;
}

static int att_write_week(struct tl_engine *g, int64_t pid, const struct tl_row *const *rows,
                          size_t n)
{
	sqlite3_stmt *st = g->q[Q_WEEK];
	struct tl_week w;
	long mem;

	tl_rules_week(rows, n, &w);
	mem = tl_moderate_equivalent(w.moderate, w.vigorous);
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_text(st, 2, g->cat.p[rows[0]->s->prog].id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, rows[0]->s->iso_week, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, w.week_start, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, w.expected);
	sqlite3_bind_int64(st, 6, w.attended);
	sqlite3_bind_int64(st, 7, w.minutes);
	sqlite3_bind_int64(st, 8, w.moderate);
	sqlite3_bind_int64(st, 9, w.vigorous);
	sqlite3_bind_int64(st, 10, mem);
	sqlite3_bind_double(st, 11, w.met_minutes);
	sqlite3_bind_text(st, 12, tl_minutes_band(mem), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 13, w.extra);
	sqlite3_bind_int64(st, 14, w.strength_days);
	sqlite3_bind_int64(st, 15, w.estimated_minutes);
	return att_step(st);
}

/* Programme activity per (programme, ISO week) with a row of a known
 * activity, and engagement per enrolment, from the participant's rows.
 * replace: rewrite only the weeks with a changed row. */
static int att_write_aggregates(struct tl_engine *g, int64_t pid, int64_t as_of, int replace)
{
	struct att_set *a = &g->set;
	const struct tl_row **rows;
	size_t n = 0;

	if (tl_grow(&a->scratch, &a->cap_scratch, a->nr + 1, sizeof *a->scratch))
		return -1;
	rows = (const struct tl_row **)a->scratch;
	if (replace) {
		for (size_t i = 0; i < a->nweeks; i++) {
			const struct tl_session *s = a->weeks[i];
			sqlite3_stmt *del = g->q[Q_WEEK_DEL];
			sqlite3_bind_int64(del, 1, pid);
			sqlite3_bind_text(del, 2, g->cat.p[s->prog].id, -1, SQLITE_STATIC);
			sqlite3_bind_text(del, 3, s->iso_week, -1, SQLITE_STATIC);
			if (att_step(del))
				return -1;
		}
	}
	for (size_t i = 0; i < a->nr; i++)
		if (a->r[i].s->intensity &&
		    (!replace || att_week_touched(a, a->r[i].s->prog, a->r[i].s->iso_week)))
			rows[n++] = &a->r[i];
	qsort(rows, n, sizeof *rows, att_row_week_cmp);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && rows[j]->s->prog == rows[i]->s->prog &&
		            strcmp(rows[j]->s->iso_week, rows[i]->s->iso_week) == 0;
		     j++)
			;
		if (att_write_week(g, pid, rows + i, j - i))
			return -1;
	}

	att_catalog_today(&g->cat, as_of);
	for (size_t k = 0; k < a->ne; k++) {
		const struct tl_enrolment *e = &a->e[k];
		struct tl_row *mine;
		struct tl_engagement en;
		const char *status;
		sqlite3_stmt *st = g->q[replace ? Q_ENG : Q_ENG_NEW];
		size_t m = 0;

		if (e->prog < 0)
			continue;
		/* this enrolment's rows, gathered at the front of a->r */
		for (size_t i = 0; i < a->nr; i++)
			if (a->r[i].s->prog == e->prog) {
				struct tl_row t = a->r[m];
				a->r[m++] = a->r[i];
				a->r[i] = t;
			}
		mine = a->r;
		tl_rules_engagement(mine, m, as_of, &en, (const char **)a->scratch);
		status = tl_rules_status(e, g->cat.today[e->prog]);
		sqlite3_bind_int64(st, 1, pid);
		sqlite3_bind_text(st, 2, g->cat.p[e->prog].id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, en.expected);
		sqlite3_bind_int64(st, 4, en.attended);
		sqlite3_bind_int64(st, 5, en.weeks);
		sqlite3_bind_int64(st, 6, en.missed_run);
		if (en.last_attended)
			sqlite3_bind_text(st, 7, en.last_attended, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(st, 7);
		sqlite3_bind_int(st, 8, tl_rules_followup(&g->cat.p[e->prog], status, en.missed_run,
		                                          a->erased));
		sqlite3_bind_int64(st, 9, en.extra);
		sqlite3_bind_text(st, 10, status, -1, SQLITE_STATIC);
		if (att_step(st))
			return -1;
	}
	return 0;
}

/* Derives one participant as of as_of for what changed from since on
 * (ATT_ALL: everything; ATT_NONE: only what depends on the instant).
 * fresh: the derived tables were emptied (the rebuild). */
static int att_derive(struct tl_engine *g, int64_t pid, int64_t as_of, int64_t since, int fresh,
                      struct tl_rebuild_stats *stats)
{
	struct att_set *a = &g->set;
	int64_t lo;

	if (att_load_enrolments(g, pid))
		return -1;
	if (att_affected_candidates(g, as_of, since, INT64_MAX, &lo))
		return -1;
	a->nt = 0;
	if (lo != ATT_NONE && att_load_taps(g, pid, lo, as_of))
		return -1;
	tl_rules_match(a->c, a->nc, a->t, a->nt);
	if (att_apply_marks(g, pid))
		return -1;
	if ((!fresh && att_read_stored(g, pid)) || att_write_rows(g, pid, fresh, stats) ||
	    att_rows(g, fresh))
		return -1;
	return att_write_aggregates(g, pid, as_of, !fresh);
}

/* ------------------------------------------------------------------ */
/* The engine                                                          */

struct att_build {
	int64_t as_of, tap_n, generation, horizon;
	int stale;
};

static int att_build_read(struct tl_engine *g, struct att_build *b)
{
	sqlite3_stmt *st = g->q[Q_BUILD];
	int rc;

	memset(b, 0, sizeof *b);
	sqlite3_reset(st);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		b->as_of = sqlite3_column_int64(st, 0);
		b->tap_n = sqlite3_column_int64(st, 1);
		b->generation = sqlite3_column_int64(st, 2);
		b->stale = sqlite3_column_int(st, 3);
		b->horizon = sqlite3_column_int64(st, 4);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int tl_engine_refresh(struct tl_engine *g)
{
	struct att_build b;

	if (att_build_read(g, &b))
		return -1;
	if (g->loaded && b.generation == g->cat.generation)
		return 0;
	g->loaded = 0;
	if (att_catalog_load(g->db, b.horizon, b.generation, &g->cat))
		return -1;
	g->loaded = 1;
	return 0;
}

void tl_engine_close(struct tl_engine *g)
{
	if (!g)
		return;
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(g->q[i]);
	att_catalog_free(&g->cat);
	att_set_free(&g->set);
	free(g);
}

struct tl_engine *tl_engine_open(sqlite3 *db, char *err, size_t errlen)
{
	struct tl_engine *g = calloc(1, sizeof *g);

	if (!g) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	g->db = db;
	for (int i = 0; i < Q_COUNT; i++)
		if (sqlite3_prepare_v3(db, att_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &g->q[i], NULL) !=
		    SQLITE_OK) {
			att_fail(db, err, errlen, "preparing attendance");
			tl_engine_close(g);
			return NULL;
		}
	if (tl_engine_refresh(g)) {
		att_fail(db, err, errlen, "loading sessions");
		tl_engine_close(g);
		return NULL;
	}
	return g;
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

/* The rebuild proper, on an engine whose catalog it reloads. */
static int att_rebuild(struct tl_engine *g, int64_t as_of, struct tl_rebuild_stats *stats,
                       char *err, size_t errlen)
{
	sqlite3 *db = g->db;
	sqlite3_stmt *ids = NULL;
	int64_t tap_n = 0;
	int step;

	/* Filling attendance and then indexing it by session (a sort) is
	 * twice as fast as keeping the index up to date row by row. */
	if (att_exec(db, "DROP INDEX IF EXISTS attendance_session", 0, 0) ||
	    att_exec(db, "DELETE FROM attendance", 0, 0) ||
	    att_exec(db, "DELETE FROM tap_unmatched", 0, 0) ||
	    att_exec(db, "DELETE FROM activity_week", 0, 0) ||
	    att_exec(db, "DELETE FROM engagement", 0, 0))
		return att_fail(db, err, errlen, "clearing derived tables");
	/* A new generation: every engine reloads its catalog. */
	if (att_exec(db, "UPDATE attendance_build SET generation = generation + 1 WHERE id = 1", 0,
	             0))
		return att_fail(db, err, errlen, "recording the build");
	g->loaded = 0;
	if (tl_engine_refresh(g))
		return att_fail(db, err, errlen, "loading sessions");
	/* Every participant, in id order (the order of every derived table's
	 * key): one with neither enrolments nor taps writes nothing. Was the
	 * distinct participants of enrolment and tap, a scan of the whole tap
	 * index into a temporary b-tree. */
	if (sqlite3_prepare_v2(db, "SELECT id FROM participant ORDER BY id", -1, &ids, NULL) !=
	    SQLITE_OK)
		return att_fail(db, err, errlen, "listing participants");
	while ((step = sqlite3_step(ids)) == SQLITE_ROW) {
		if (att_derive(g, sqlite3_column_int64(ids, 0), as_of, ATT_ALL, 1, stats)) {
			sqlite3_finalize(ids);
			return att_fail(db, err, errlen, "matching taps to sessions");
		}
		stats->participants += g->set.ne > 0 || g->set.nt > 0;
	}
	sqlite3_finalize(ids);
	if (step != SQLITE_DONE)
		return att_fail(db, err, errlen, "listing participants");
	if (att_exec(db, "CREATE INDEX attendance_session ON attendance(session, attended, expected)", 0, 0))
		return att_fail(db, err, errlen, "indexing attendance");
	if (att_exec(db,
	             "INSERT INTO tap_unmatched (tap, reason)"
	             " SELECT n, " TL_TAP_HOLDERLESS " FROM tap WHERE participant IS NULL AND ts <= ?1",
	             as_of, 0))
		return att_fail(db, err, errlen, "classifying unmatched taps");
	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(n), 0) FROM tap", -1, &ids, NULL) ==
	    SQLITE_OK && sqlite3_step(ids) == SQLITE_ROW)
		tap_n = sqlite3_column_int64(ids, 0);
	sqlite3_finalize(ids);
	if (att_exec(db,
	             "UPDATE attendance_build SET built_at = strftime('%s', 'now'), as_of = ?1,"
	             " tap_n = ?2, stale = 0 WHERE id = 1",
	             as_of, tap_n))
		return att_fail(db, err, errlen, "recording the build");
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM tap_unmatched", -1, &ids, NULL) ==
	    SQLITE_OK && sqlite3_step(ids) == SQLITE_ROW)
		stats->unmatched = sqlite3_column_int64(ids, 0);
	sqlite3_finalize(ids);
	return 0;
}

/* Sizes the page cache and suspends foreign key checks around a rebuild,
 * restoring both whatever happens. attendance's foreign keys made SQLite
 * delete its rows one by one instead of truncating, and look up both
 * parents for every row inserted: 3 s of a 7.4 s rebuild at 2M taps. The
 * rebuild writes only ids it has just read in this same transaction, so
 * the checks cannot fail (the tests run foreign_key_check after it);
 * sqlite3_db_config, unlike the pragma, works inside a transaction. */
static int att_rebuild_guarded(struct tl_engine *g, int64_t as_of,
                               struct tl_rebuild_stats *stats, char *err, size_t errlen)
{
	int64_t cache = att_pragma(g->db, "PRAGMA cache_size", 0), threads;
	int fk = 0, rc;

	memset(stats, 0, sizeof *stats);
	att_pragma(g->db, "PRAGMA cache_size = ?", ATT_CACHE_KIB);
	threads = att_pragma(g->db, "PRAGMA threads", 0);
	att_pragma(g->db, "PRAGMA threads = ?", 2);
	if (sqlite3_db_config(g->db, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &fk) != SQLITE_OK ||
	    (fk && sqlite3_db_config(g->db, SQLITE_DBCONFIG_ENABLE_FKEY, 0, NULL) != SQLITE_OK))
		return att_fail(g->db, err, errlen, "preparing the rebuild");
	rc = att_rebuild(g, as_of, stats, err, errlen);
	if (fk && sqlite3_db_config(g->db, SQLITE_DBCONFIG_ENABLE_FKEY, 1, NULL) != SQLITE_OK && !rc)
		rc = att_fail(g->db, err, errlen, "restoring foreign key checks");
	att_pragma(g->db, "PRAGMA cache_size = ?", cache);
	att_pragma(g->db, "PRAGMA threads = ?", threads);
	return rc;
}

int tl_attendance_rebuild(sqlite3 *db, int64_t as_of, struct tl_rebuild_stats *stats,
                          char *err, size_t errlen)
{
	struct tl_engine *g = tl_engine_open(db, err, errlen);
	int rc;

	memset(stats, 0, sizeof *stats);
	if (!g)
		return -1;
	rc = att_rebuild_guarded(g, as_of, stats, err, errlen);
	tl_engine_close(g);
	return rc;
}

/* Participants to recompute, each from the first instant that changed. */
struct att_dirty {
	struct { int64_t pid, since; } *d;
	size_t n, cap;
};

static int att_dirty_add(struct att_dirty *d, int64_t pid, int64_t since)
{
	if (tl_grow(&d->d, &d->cap, d->n, sizeof *d->d))
		return -1;
	d->d[d->n].pid = pid;
	d->d[d->n].since = since;
	d->n++;
	return 0;
}

static int att_dirty_cmp(const void *x, const void *y)
{
	const int64_t *a = x, *b = y; /* pid, then since */
	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return (a[1] > b[1]) - (a[1] < b[1]);
}

/* Adds every participant an enrolment of programme prog covers on local
 * day `day` (the rules decide the rest when they are derived). */
static int att_dirty_enrolled(sqlite3 *db, struct att_dirty *d, const char *prog, int64_t day,
                              int64_t day_hi, int64_t since)
{
	char lo[TL_DATE_LEN], hi[TL_DATE_LEN];
	sqlite3_stmt *st = NULL;
	int rc;

	tl_cal_format(day, lo);
	tl_cal_format(day_hi, hi);
	/* an enrolment with any of its dates in [lo, hi], or spanning it */
	if (sqlite3_prepare_v2(db,
	                       "SELECT participant FROM enrolment WHERE programme = ?1"
	                       " AND start_date <= ?3 AND (end_date >= ?2"
	                       "  OR (withdrawn_on >= ?2 AND withdrawn_on <= ?3))",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, prog, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hi, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (att_dirty_add(d, sqlite3_column_int64(st, 0), since)) {
			rc = SQLITE_NOMEM;
			break;
		}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The first index of a session index (by win_lo or end) past t. */
static size_t att_after(const struct tl_session *const *idx, size_t n, int64_t t, int by_end)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int64_t v = by_end ? idx[mid]->end : idx[mid]->win_lo;
		if (v <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Collects what changed between the tables' as_of (prev) and as_of:
 * taps not yet taken in, taps whose ts has now passed, check-in windows
 * that opened, sessions that ended, and local dates that turned over. */
static int att_collect(struct tl_engine *g, const struct att_build *b, int64_t as_of,
                       struct att_dirty *d, int64_t *tap_n, long *taps)
{
	sqlite3 *db = g->db;
	struct att_catalog *c = &g->cat;
	sqlite3_stmt *st = NULL;
	int64_t *prev;
	int rc;

	*tap_n = b->tap_n;
	if (sqlite3_prepare_v2(db,
	                       "SELECT n, participant, ts, " TL_TAP_HOLDERLESS " FROM tap WHERE n > ?1"
	                       " UNION ALL SELECT n, participant, ts, " TL_TAP_HOLDERLESS
	                       " FROM tap INDEXED BY tap_ts"
	                       " WHERE ts > ?2 AND ts <= ?3 AND n <= ?1",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, b->tap_n);
	sqlite3_bind_int64(st, 2, b->as_of);
	sqlite3_bind_int64(st, 3, as_of);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t n = sqlite3_column_int64(st, 0), ts = sqlite3_column_int64(st, 2);
		if (n > *tap_n) {
			*tap_n = n;
			(*taps)++;
		}
		if (ts > as_of)
			continue; /* taken in once its time has come */
		if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
			sqlite3_stmt *unm = g->q[Q_UNM];
			sqlite3_bind_int64(unm, 1, n);
			sqlite3_bind_text(unm, 2, (const char *)sqlite3_column_text(st, 3), -1,
			                  SQLITE_TRANSIENT);
			if (att_step(unm)) {
				rc = SQLITE_ERROR;
				break;
			}
		} else if (att_dirty_add(d, sqlite3_column_int64(st, 1), ts)) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (as_of <= b->as_of)
		return 0;
	for (size_t i = att_after(c->by_open, c->ns, b->as_of, 0);
	     i < c->ns && c->by_open[i]->win_lo <= as_of; i++) {
		const struct tl_session *s = c->by_open[i];
		if (att_dirty_enrolled(db, d, c->p[s->prog].id, s->day, s->day, s->win_lo))
			return -1;
	}
	for (size_t i = att_after(c->by_end, c->ns, b->as_of, 1);
	     i < c->ns && c->by_end[i]->end <= as_of; i++) {
		const struct tl_session *s = c->by_end[i];
		if (att_dirty_enrolled(db, d, c->p[s->prog].id, s->day, s->day, ATT_NONE))
			return -1;
	}
	/* Each programme's local date then and now: the catalog remembers the
	 * dates of the last instant asked (usually the previous update's), and
	 * keeps now's for the participants' statuses. */
	if (!(prev = malloc((c->np ? c->np : 1) * sizeof *prev)))
		return -1;
	att_catalog_today(c, b->as_of);
	memcpy(prev, c->today, c->np * sizeof *prev);
	att_catalog_today(c, as_of);
	for (size_t i = 0; i < c->np && rc == SQLITE_DONE; i++)
		/* status turns on the day after an end date, and on a start or
		 * withdrawal date */
		if (c->today[i] > prev[i] &&
		    att_dirty_enrolled(db, d, c->p[i].id, prev[i], c->today[i], ATT_NONE))
			rc = SQLITE_ERROR;
	free(prev);
	return rc == SQLITE_DONE ? 0 : -1;
}

int tl_attendance_update(struct tl_engine *g, int64_t now, struct tl_update_stats *stats,
                         char *err, size_t errlen)
{
	struct att_build b;
	struct att_dirty d = { NULL, 0, 0 };
	int64_t as_of, tap_n;
	int rc = -1;

	memset(stats, 0, sizeof *stats);
	if (tl_engine_refresh(g) || att_build_read(g, &b))
		return att_fail(g->db, err, errlen, "reading the derived tables' state");
	as_of = now > b.as_of ? now : b.as_of;
	if (b.stale) {
		struct tl_rebuild_stats rs;
		stats->rebuilt = 1;
		return att_rebuild_guarded(g, as_of, &rs, err, errlen);
	}
	if (att_collect(g, &b, as_of, &d, &tap_n, &stats->taps)) {
		att_fail(g->db, err, errlen, "collecting changes");
		goto out;
	}
	if (d.n > 1)
		qsort(d.d, d.n, sizeof *d.d, att_dirty_cmp);
	for (size_t i = 0; i < d.n; i++) {
		if (i > 0 && d.d[i].pid == d.d[i - 1].pid)
			continue; /* the first has the earliest since */
		stats->participants++;
		if (att_derive(g, d.d[i].pid, as_of, d.d[i].since, 0, NULL)) {
			att_fail(g->db, err, errlen, "matching taps to sessions");
			goto out;
		}
	}
	if (att_exec(g->db,
	             "UPDATE attendance_build SET built_at = strftime('%s', 'now'), as_of = ?1,"
	             " tap_n = ?2 WHERE id = 1",
	             as_of, tap_n)) {
		att_fail(g->db, err, errlen, "recording the update");
		goto out;
	}
	rc = 0;
out:
	free(d.d);
	return rc;
}

int tl_attendance_participant(struct tl_engine *g, int64_t pid, char *err, size_t errlen)
{
	struct att_build b;

	if (tl_engine_refresh(g) || att_build_read(g, &b))
		return att_fail(g->db, err, errlen, "reading the derived tables' state");
	if (att_derive(g, pid, b.as_of, ATT_ALL, 0, NULL))
		return att_fail(g->db, err, errlen, "matching taps to sessions");
	return 0;
}

int tl_attendance_week_count(struct tl_engine *g, int64_t pid, int64_t ts, int *count)
{
	struct att_set *a = &g->set;
	const struct tl_cand *latest;
	char week[16];
	int64_t lo, wlo = INT64_MAX, from = ts / 86400 - ATT_WEEK_DAYS;

	*count = -1;
	if (att_load_enrolments(g, pid) || att_candidates(g, ts, from))
		return -1;
	if (!a->nc && att_candidates(g, ts, from = INT64_MIN)) /* the latest is older */
		return -1;
	if (!a->nc)
		return 0;
	latest = &a->c[a->nc - 1]; /* in start order: the last opened */
	snprintf(week, sizeof week, "%s", latest->s->iso_week);
	for (size_t i = 0; i < a->nc; i++)
		if (strcmp(a->c[i].s->iso_week, week) == 0 && a->c[i].s->win_lo < wlo)
			wlo = a->c[i].s->win_lo;
	if (att_affected_candidates(g, ts, wlo, from, &lo))
		return -1;
	if (att_load_taps(g, pid, lo, ts))
		return -1;
	tl_rules_match(a->c, a->nc, a->t, a->nt);
	if (att_apply_marks(g, pid))
		return -1;
	*count = 0;
	for (size_t i = 0; i < a->nc; i++)
		*count += tl_rules_attended(&a->c[i]) && strcmp(a->c[i].s->iso_week, week) == 0;
	return 0;
}

int tl_attendance_session_at(struct tl_engine *g, const char *site, int64_t ts,
                             struct tl_session_at *out)
{
	const struct tl_session *best = NULL;

	if (tl_engine_refresh(g))
		return -1;
	for (size_t i = 0; i < g->cat.ns; i++) {
		const struct tl_session *s = &g->cat.s[i];
		if (ts < s->win_lo || ts > s->win_hi || strcmp(s->site, site) != 0)
			continue;
		if (!best || s->start < best->start || (s->start == best->start && s->id < best->id))
			best = s;
	}
	if (!best)
		return 0;
	out->id = best->id;
	out->schedule = best->schedule;
	out->day = best->day;
	snprintf(out->programme, sizeof out->programme, "%s", g->cat.p[best->prog].id);
	return 1;
}

int tl_attendance_eligible(struct tl_engine *g, int64_t pid, int64_t session, int64_t as_of)
{
	struct att_set *a = &g->set;

	if (tl_engine_refresh(g) || att_load_enrolments(g, pid) || att_candidates(g, as_of, INT64_MIN))
		return -1;
	for (size_t i = 0; i < a->nc; i++)
		if (a->c[i].s->id == session)
			return 1;
	return 0;
}

int tl_attendance_state(sqlite3 *db, struct tl_attendance_state *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	if (sqlite3_prepare_v2(db,
	                       "SELECT as_of, built_at, tap_n, generation, stale,"
	                       " (SELECT count(*) FROM tap WHERE n > b.tap_n)"
	                       " FROM attendance_build b WHERE id = 1",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->as_of = sqlite3_column_int64(st, 0);
		out->built_at = sqlite3_column_int64(st, 1);
		out->tap_n = sqlite3_column_int64(st, 2);
		out->generation = sqlite3_column_int64(st, 3);
		out->stale = sqlite3_column_int(st, 4);
		out->taps_behind = sqlite3_column_int64(st, 5);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int tl_attendance_week_sessions(sqlite3 *db, int64_t participant, int64_t ts, int *count)
{
	char err[256];
	struct tl_engine *g = tl_engine_open(db, err, sizeof err);
	int rc;

	*count = -1;
	if (!g)
		return -1;
	rc = tl_attendance_week_count(g, participant, ts, count);
	tl_engine_close(g);
	return rc;
}
