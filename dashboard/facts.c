/* facts.c - the run's facts: attendance aggregated once, before any page.
 *
 * Every page (index, one per programme, one per site) shows the same few
 * aggregates of attendance x session for its own scope. Computed per page
 * in SQL they cost a scan of attendance each, over a minute for the 76
 * pages at national scale. Instead one pass over attendance, in its own
 * key order, groups it in memory by programme and site ("pair") and ISO
 * week (struct dash_facts in dashboard.h), and each page sums the groups
 * of its scope: work in proportion to the groups, not to the rows.
 *
 * The facts hold what the run covers: its --programme, --site, --since
 * and --today (DASH_SESSION_WHERE of the index page). The facts better
 * said in SQL go to TEMP tables (in memory, gone with the connection):
 * fact_unmatched and fact_unknown, the taps the data-quality section
 * counts per site; fact_followup (and the sites each was seen at,
 * fact_followup_site) and fact_intake, for the follow-up list and the
 * retention curves. */
#include "dashboard.h"
#include "calendar.h"
#include "grow.h"
#include "sorted.h"

#include <stdlib.h>
#include <string.h>

/* Room for element n of an array grown 1024 elements at a time. */
static void *facts_grow(void *v, long n, size_t size)
{
	if (n % 1024 == 0) {
		v = realloc(v, (size_t)(n + 1024) * size);
		if (!v)
			dash_fail("out of memory");
	}
	return v;
}

/* Index of (a, b), added if new. The tables are small (sites,
 * activities, programme x site pairs, ISO weeks: tens to hundreds), so a
 * search from the most recent entry is enough; attendance rows never come
 * here (sessions carry their indexes). */
int facts_name(struct dash_names *t, const char *a, const char *b)
{
	for (int i = t->n - 1; i >= 0; i--)
		if (strcmp(t->v[i][0], a) == 0 && strcmp(t->v[i][1], b) == 0)
			return i;
	t->v = facts_grow(t->v, t->n, sizeof *t->v);
	snprintf(t->v[t->n][0], sizeof t->v[0][0], "%s", a);
	snprintf(t->v[t->n][1], sizeof t->v[0][1], "%s", b);
	return t->n++;
}

/* Index of id in column 0 of t, or -1. */
static int facts_find_name(const struct dash_names *t, const char *id)
{
	for (int i = 0; i < t->n; i++)
		if (strcmp(t->v[i][0], id) == 0)
			return i;
	return -1;
}

/* Rows of sql (two text columns) into t, in the query's order. */
static void facts_names(struct dash *d, const char *sql, struct dash_names *t)
{
	sqlite3_stmt *st = dash_query(d, NULL, sql);

	while (dash_step(d, st))
		facts_name(t, dash_text(st, 0), dash_text(st, 1));
	sqlite3_finalize(st);
}

/* Every participant, by id: the code (or "" once erased) and, only with
 * --names, the name. */
static void facts_people(struct dash *d, struct dash_facts *x)
{
	sqlite3_stmt *st = dash_query(d, NULL,
	                              "SELECT p.id, p.code, n.name FROM participant p"
	                              " LEFT JOIN participant_name n ON n.participant = p.id"
	                              " ORDER BY p.id");

	while (dash_step(d, st)) {
		struct dash_person *p;
		x->person = facts_grow(x->person, x->npersons, sizeof *x->person);
		p = &x->person[x->npersons++];
		p->id = sqlite3_column_int64(st, 0);
		snprintf(p->code, sizeof p->code, "%s", dash_text(st, 1));
		p->name = NULL;
		if (d->names && sqlite3_column_type(st, 2) != SQLITE_NULL &&
		    !(p->name = strdup(dash_text(st, 2))))
			dash_fail("out of memory");
	}
	sqlite3_finalize(st);
}

/* Index of the participant with this id (people are sorted by id), or -1. */
static int facts_person(const struct dash_facts *x, int64_t id)
{
	return (int)tl_sorted_find(x->person, (size_t)x->npersons, sizeof *x->person, id);
}

int facts_person_index(const struct dash *d, int64_t id)
{
	return facts_person(&d->facts, id);
}

/* The run's sessions, sorted by id (ids kept aside for the pass). */
static int64_t *facts_sessions(struct dash *d, const struct dash_scope *run, struct dash_facts *x)
{
	sqlite3_stmt *st = dash_query(d, run,
	                              "SELECT s.id, s.programme, s.site, s.activity, s.iso_week,"
	                              " s.week_start, s.cancelled_at IS NOT NULL, s.local_date,"
	                              " s.start_time, s.start_ts, s.cancel_reason, s.end_ts"
	                              " FROM session s"
	                              " WHERE" DASH_SESSION_WHERE " ORDER BY s.id");
	int64_t *ids = NULL;

	while (dash_step(d, st)) {
		struct dash_session *s;
		x->session = facts_grow(x->session, x->nsessions, sizeof *x->session);
		ids = facts_grow(ids, x->nsessions, sizeof *ids);
		ids[x->nsessions] = sqlite3_column_int64(st, 0);
		s = &x->session[x->nsessions++];
		memset(s, 0, sizeof *s);
		s->pair = facts_name(&x->pairs, dash_text(st, 1), dash_text(st, 2));
		s->activity = facts_find_name(&x->activities, dash_text(st, 3));
		s->week = facts_name(&x->weeks, dash_text(st, 4), dash_text(st, 5));
		s->cancelled = sqlite3_column_int(st, 6);
		snprintf(s->date, sizeof s->date, "%s", dash_text(st, 7));
		snprintf(s->time, sizeof s->time, "%s", dash_text(st, 8));
		s->start_ts = sqlite3_column_int64(st, 9);
		s->end_ts = sqlite3_column_int64(st, 11);
		{
			int64_t day;
			s->weekday = tl_cal_parse(s->date, &day) ? 0 : tl_cal_weekday(day);
		}
		if (sqlite3_column_type(st, 10) != SQLITE_NULL && dash_text(st, 10)[0] &&
		    !(s->reason = strdup(dash_text(st, 10))))
			dash_fail("out of memory");
	}
	sqlite3_finalize(st);
	return ids;
}

/* The run's activity weeks (by participant, as activity_week is keyed). */
static void facts_minutes(struct dash *d, const struct dash_scope *run, struct dash_facts *x)
{
	sqlite3_stmt *st = dash_query(
		d, run,
		"SELECT w.participant, w.programme, w.iso_week, w.week_start,"
		" w.moderate_equivalent_minutes, w.minutes_band FROM activity_week w WHERE"
		DASH_PROGRAMME_WHERE("w.programme")
		" AND (:since IS NULL OR w.week_start >= date(:since, '-6 days', 'weekday 1'))"
		" AND w.week_start <= :today");

	while (dash_step(d, st)) {
		struct dash_minutes *m;
		const char *level = dash_text(st, 5);
		int p = facts_person(x, sqlite3_column_int64(st, 0));
		if (p < 0)
			continue;
		x->minutes = facts_grow(x->minutes, x->nminutes, sizeof *x->minutes);
		m = &x->minutes[x->nminutes++];
		m->person = p;
		m->programme = facts_name(&x->programmes, dash_text(st, 1), "");
		m->week = facts_name(&x->weeks, dash_text(st, 2), dash_text(st, 3));
		m->minutes = sqlite3_column_int64(st, 4);
		m->level = strcmp(level, "150+") == 0 ? 2 : strcmp(level, "30-149") == 0 ? 1 : 0;
	}
	sqlite3_finalize(st);
}

struct facts_week_order {
	const char *name;
	int old;
};

static int facts_week_cmp(const void *a, const void *b)
{
	return strcmp(((const struct facts_week_order *)a)->name,
	              ((const struct facts_week_order *)b)->name);
}

/* Sorts the weeks (ISO week names sort as text) and renumbers whatever
 * refers to them, so a page can walk weeks in order. */
static void facts_sort_weeks(struct dash_facts *x)
{
	int n = x->weeks.n, *to = malloc((size_t)(n ? n : 1) * sizeof *to);
	struct facts_week_order *order = malloc((size_t)(n ? n : 1) * sizeof *order);
	struct dash_names sorted = { NULL, 0 };

	if (!to || !order)
		dash_fail("out of memory");
	for (int i = 0; i < n; i++) {
		order[i].name = x->weeks.v[i][0];
		order[i].old = i;
	}
	qsort(order, (size_t)n, sizeof *order, facts_week_cmp);
	for (int i = 0; i < n; i++)
		to[order[i].old] = facts_name(&sorted, x->weeks.v[order[i].old][0],
		                              x->weeks.v[order[i].old][1]);
	for (int i = 0; i < x->nsessions; i++)
		x->session[i].week = to[x->session[i].week];
	for (long i = 0; i < x->nminutes; i++)
		x->minutes[i].week = to[x->minutes[i].week];
	free(x->weeks.v);
	x->weeks = sorted;
	free(to);
	free(order);
}

/* Appends one participant's cells (the touched pair x week counters) and
 * clears the counters. */
static void facts_flush(struct dash_facts *x, long *count, int *touched, int *ntouched,
                        int person)
{
	for (int i = 0; i < *ntouched; i++) {
		int c = touched[i];
		struct dash_cell *e;
		x->cell = facts_grow(x->cell, x->ncells, sizeof *x->cell);
		e = &x->cell[x->ncells++];
		e->person = person;
		e->pair = c / x->weeks.n;
		e->week = c % x->weeks.n;
		e->places = count[2 * c];
		e->attended = count[2 * c + 1];
		count[2 * c] = count[2 * c + 1] = 0;
	}
	*ntouched = 0;
}

/* The run's enrolments (by participant id, then programme) with their
 * status from the engagement table, and each programme's follow-up
 * setting, for the briefing, the context tables and the events. */
static void facts_enrolments(struct dash *d, const struct dash_scope *run, struct dash_facts *x)
{
	sqlite3_stmt *st = dash_query(
		d, run,
		"SELECT e.participant, e.programme, e.start_date, e.end_date,"
		" coalesce(e.withdrawn_on, ''), coalesce(g.status, '') FROM enrolment e"
		" LEFT JOIN engagement g ON g.participant = e.participant AND g.programme = e.programme"
		" WHERE" DASH_PROGRAMME_WHERE("e.programme") " ORDER BY e.participant, e.programme");
	size_t cap = 0;

	while (dash_step(d, st)) {
		struct dash_enrol *e;
		int p = facts_person(x, sqlite3_column_int64(st, 0));
		if (p < 0)
			continue;
		if (tl_grow(&x->enrol, &cap, (size_t)x->nenrols, sizeof *x->enrol))
			dash_fail("out of memory");
		e = &x->enrol[x->nenrols++];
		memset(e, 0, sizeof *e);
		e->person = p;
		snprintf(e->programme, sizeof e->programme, "%s", dash_text(st, 1));
		snprintf(e->start, sizeof e->start, "%s", dash_text(st, 2));
		snprintf(e->end, sizeof e->end, "%s", dash_text(st, 3));
		snprintf(e->withdrawn, sizeof e->withdrawn, "%s", dash_text(st, 4));
		snprintf(e->status, sizeof e->status, "%s", dash_text(st, 5));
		e->first_week = e->first_pair = -1;
	}
	sqlite3_finalize(st);
	x->enrol_first = calloc((size_t)x->npersons + 1, sizeof *x->enrol_first);
	if (!x->enrol_first)
		dash_fail("out of memory");
	for (long i = 0, p = 0; p <= x->npersons; p++) {
		while (i < x->nenrols && x->enrol[i].person < p)
			i++;
		x->enrol_first[p] = i;
	}
	facts_names(d, "SELECT id, followup_misses FROM programme ORDER BY id", &x->misses);
}

/* One attendance row of the participant being read. */
struct facts_row {
	int session, attended, expected, pw;
};

static int facts_row_cmp_ctx(const struct dash_facts *x, const struct facts_row *a,
                             const struct facts_row *b)
{
	const struct dash_session *s = &x->session[a->session], *t = &x->session[b->session];
	if (s->start_ts != t->start_ts)
		return s->start_ts < t->start_ts ? -1 : 1;
	if (a->expected != b->expected)
		return a->expected ? -1 : 1;
	return a->session < b->session ? -1 : a->session > b->session;
}

static const struct dash_facts *facts_sorting;

static int facts_row_cmp(const void *a, const void *b)
{
	return facts_row_cmp_ctx(facts_sorting, a, b);
}

/* A programme's followup_misses (2 when unknown). */
static int facts_misses(const struct dash_facts *x, const char *programme)
{
	int i = facts_find_name(&x->misses, programme);
	return i < 0 ? 2 : atoi(x->misses.v[i][1]);
}

/* The participant's events, from their rows in time order, per
 * enrolment: the first session attended, and each attendance after a run
 * of missed expected sessions as long as the programme's follow-up
 * setting (they would have been on the follow-up list, and came back).
 * Also the last programme week attended, for retention. */
static void facts_events(struct dash_facts *x, int person, struct facts_row *r, size_t n,
                         size_t *cap)
{
	facts_sorting = x;
	qsort(r, n, sizeof *r, facts_row_cmp);
	for (long k = x->enrol_first[person]; k < x->enrol_first[person + 1]; k++) {
		struct dash_enrol *e = &x->enrol[k];
		int misses = facts_misses(x, e->programme), seen = 0;
		long run = 0;
		for (size_t i = 0; i < n; i++) {
			const struct dash_session *s = &x->session[r[i].session];
			int kind = -1;
			if (strcmp(x->pairs.v[s->pair][0], e->programme) != 0)
				continue;
			if (!r[i].attended) {
				run += r[i].expected;
				continue;
			}
			if (!seen) {
				kind = DASH_EV_FIRST;
				e->first_week = s->week;
				e->first_pair = s->pair;
			} else if (run >= misses) {
				kind = DASH_EV_BACK;
			}
			seen = 1;
			run = 0;
			if (r[i].pw > e->last_pw)
				e->last_pw = r[i].pw;
			if (kind >= 0) {
				struct dash_event *v;
				if (tl_grow(&x->event, cap, (size_t)x->nevents, sizeof *x->event))
					dash_fail("out of memory");
				v = &x->event[x->nevents++];
				v->person = person;
				v->enrol = (int)k;
				v->pair = s->pair;
				v->week = s->week;
				v->kind = kind;
			}
		}
	}
}

/* The pass: every attendance row of the run once, by participant,
 * counted into its session, its programme week and its participant's
 * cell, and kept until the participant's rows are all read for their
 * events. A run for one programme or site reads its sessions' rows (and
 * sorts those few); a run for all reads the table in its own order. */
static void facts_scan(struct dash *d, const struct dash_scope *run, struct dash_facts *x,
                       const int64_t *ids)
{
	sqlite3_stmt *st = dash_query(
		d, run,
		run->programme || run->site
			? "SELECT a.participant, a.session, a.attended, a.programme_week, a.expected"
			  " FROM session s CROSS JOIN attendance a ON a.session = s.id"
			  " WHERE" DASH_SESSION_WHERE " ORDER BY a.participant"
			: "SELECT participant, session, attended, programme_week, expected FROM attendance");
	size_t ncount = (size_t)x->pairs.n * (size_t)x->weeks.n + 1, rcap = 0, ecap = 0, nrows = 0;
	long *count = calloc(ncount * 2, sizeof *count);
	int *touched = calloc(ncount, sizeof *touched), ntouched = 0, person = -1;
	int64_t last = 0;
	struct facts_row *rows = NULL;

	x->progweek = calloc((size_t)x->pairs.n + 1, sizeof *x->progweek);
	x->cell_first = calloc((size_t)x->npersons + 1, sizeof *x->cell_first);
	if (!count || !touched || !x->progweek || !x->cell_first)
		dash_fail("out of memory");
	while (dash_step(d, st)) {
		int64_t pid = sqlite3_column_int64(st, 0);
		int i = (int)tl_sorted_find(ids, (size_t)x->nsessions, sizeof *ids,
		                             sqlite3_column_int64(st, 1));
		int att = sqlite3_column_int(st, 2) != 0, pw = sqlite3_column_int(st, 3), c;
		int exp = sqlite3_column_int(st, 4) != 0;
		struct dash_session *s;
		if (i < 0)
			continue;
		if (pid != last || person < 0) {
			if (person >= 0) {
				facts_flush(x, count, touched, &ntouched, person);
				facts_events(x, person, rows, nrows, &ecap);
			}
			if ((person = facts_person(x, pid)) < 0)
				dash_fail("attendance of participant %lld, who does not exist",
				          (long long)pid);
			last = pid;
			nrows = 0;
		}
		if (tl_grow(&rows, &rcap, nrows, sizeof *rows))
			dash_fail("out of memory");
		rows[nrows++] = (struct facts_row){ i, att, exp, pw };
		s = &x->session[i];
		/* places and rates count expected sessions only; an extra
		 * (attended outside them) is no missed place */
		if (!exp) {
			s->extras += att;
			continue;
		}
		s->places++;
		s->attended += att;
		if (pw >= 1 && pw <= 52) {
			x->progweek[s->pair][0][pw]++;
			x->progweek[s->pair][1][pw] += att;
		}
		c = s->pair * x->weeks.n + s->week;
		if (count[2 * c] == 0)
			touched[ntouched++] = c;
		count[2 * c]++;
		count[2 * c + 1] += att;
	}
	if (person >= 0) {
		facts_flush(x, count, touched, &ntouched, person);
		facts_events(x, person, rows, nrows, &ecap);
	}
	sqlite3_finalize(st);
	free(count);
	free(touched);
	free(rows);
	/* cells come grouped by person, in person order */
	for (long i = 0, p = 0; p <= x->npersons; p++) {
		while (i < x->ncells && x->cell[i].person < p)
			i++;
		x->cell_first[p] = i;
	}
}

/* The taps the data-quality section counts, per site. */
static void facts_taps(struct dash *d, const struct dash_scope *run)
{
	static const char *const sql[] = {
		"CREATE TEMP TABLE fact_unmatched (site TEXT, reason TEXT, n INTEGER, last INTEGER)",
		"CREATE TEMP TABLE fact_unknown (site TEXT, card TEXT, n INTEGER, last INTEGER)",
		/* From the few unmatched taps, not every tap at the site. */
		"INSERT INTO temp.fact_unmatched SELECT t.site, u.reason, count(*), max(t.ts)"
		" FROM tap_unmatched u CROSS JOIN tap t ON t.n = u.tap WHERE" DASH_TAP_WHERE
		" GROUP BY t.site, u.reason",
		"INSERT INTO temp.fact_unknown SELECT t.site, t.card, count(*), max(t.ts)"
		" FROM tap t WHERE t.participant IS NULL AND" DASH_TAP_WHERE
		" GROUP BY t.site, t.card",
	};

	for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		sqlite3_stmt *st = dash_query(d, run, sql[i]);
		dash_step(d, st);
		sqlite3_finalize(st);
	}
}

/* The follow-up list and the retention intakes need a participant's whole
 * attendance (correlated subqueries): run once for the run, into TEMP
 * tables a page only filters. */
static void facts_followup(struct dash *d, const struct dash_scope *run)
{
	static const char *const sql[] = {
		"CREATE TEMP TABLE fact_followup AS"
		" SELECT e.participant, e.programme, p.code, CASE WHEN :names THEN n.name END AS name,"
		" e.missed_run, e.last_attended,"
		" (SELECT min(s.local_date) FROM attendance a JOIN session s ON s.id = a.session"
		"  WHERE a.participant = e.participant AND a.programme = e.programme"
		"  AND a.attended = 0 AND s.local_date > coalesce(e.last_attended, '')) AS since,"
		" (SELECT group_concat(x, ', ') FROM (SELECT DISTINCT coalesce(nullif(t.name, ''),"
		"  t.id) AS x FROM attendance a JOIN session s ON s.id = a.session"
		"  JOIN site t ON t.id = s.site WHERE a.participant = e.participant"
		"  AND a.programme = e.programme AND a.attended = 0"
		"  AND s.local_date > coalesce(e.last_attended, '') ORDER BY 1)) AS missed_at,"
		" (SELECT coalesce(nullif(t.name, ''), t.id) FROM attendance a"
		"  JOIN session s ON s.id = a.session JOIN site t ON t.id = s.site"
		"  WHERE a.participant = e.participant AND a.programme = e.programme AND a.attended"
		"  ORDER BY s.start_ts DESC LIMIT 1) AS last_site,"
		" e.sessions_attended, e.sessions_expected, g.followup_misses,"
		/* the sessions they come to most (or, never having come, are
		 * expected at most): weekday, activity and site */
		" (SELECT group_concat(u, '; ') FROM (SELECT CASE strftime('%w', s.local_date)"
		"  WHEN '0' THEN 'Sunday' WHEN '1' THEN 'Monday' WHEN '2' THEN 'Tuesday'"
		"  WHEN '3' THEN 'Wednesday' WHEN '4' THEN 'Thursday' WHEN '5' THEN 'Friday'"
		"  ELSE 'Saturday' END || ' ' || s.start_time || ' ' || lower(v.name) || ' at ' ||"
		"  coalesce(nullif(t.name, ''), t.id) AS u FROM attendance a"
		"  JOIN session s ON s.id = a.session JOIN site t ON t.id = s.site"
		"  JOIN activity v ON v.id = s.activity WHERE a.participant = e.participant"
		"  AND a.programme = e.programme GROUP BY s.site, s.activity,"
		"  strftime('%w', s.local_date), s.start_time"
		"  ORDER BY sum(a.attended) DESC, count(*) DESC, 1 LIMIT 2)) AS usual"
		" FROM engagement e JOIN participant p ON p.id = e.participant"
		" JOIN programme g ON g.id = e.programme"
		" LEFT JOIN participant_name n ON n.participant = p.id"
		" WHERE" DASH_FOLLOWUP_WHERE,
		"CREATE TEMP TABLE fact_followup_site AS SELECT DISTINCT a.participant, a.programme,"
		" s.site FROM temp.fact_followup f CROSS JOIN attendance a ON a.participant = f.participant"
		" AND a.programme = f.programme CROSS JOIN session s ON s.id = a.session",
		/* each follow-up row looks its sites up: by key, not a scan */
		"CREATE INDEX temp.fact_followup_site_key ON fact_followup_site(participant, programme,"
		" site)",
		"CREATE TEMP TABLE fact_intake AS SELECT e.programme, e.start_date,"
		" (SELECT max(a.programme_week) FROM attendance a WHERE a.participant = e.participant"
		"  AND a.programme = e.programme AND a.attended) AS last,"
		" min(g.weeks, CAST((julianday(:today) - julianday(e.start_date)) / 7 AS INTEGER))"
		"  AS weeks"
		" FROM enrolment e JOIN programme g ON g.id = e.programme"
		" WHERE" DASH_PROGRAMME_WHERE("e.programme")
		" AND (:since IS NULL OR e.end_date >= :since) AND e.start_date <= :today",
	};

	for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		sqlite3_stmt *st = dash_query(d, run, sql[i]);
		sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":names"), d->names);
		dash_step(d, st);
		sqlite3_finalize(st);
	}
}

/* Per enrolment, the pairs of its programme where its participant has
 * cells (places or attendances), so a site page's question "is this
 * enrolment here?" is a look at a list or two long rather than a walk
 * over the participant's cells with text compares. */
static void facts_enrol_pairs(struct dash_facts *x)
{
	size_t cap = 0, n = 0;
	char *seen = calloc((size_t)x->pairs.n + 1, 1);
	char *same = calloc((size_t)x->pairs.n + 1, 1);

	x->enrol_pair_first = calloc((size_t)x->nenrols + 1, sizeof *x->enrol_pair_first);
	if (!seen || !same || !x->enrol_pair_first)
		dash_fail("out of memory");
	for (long k = 0; k < x->nenrols; k++) {
		const struct dash_enrol *e = &x->enrol[k];
		size_t first = n;
		x->enrol_pair_first[k] = (long)n;
		for (int p = 0; p < x->pairs.n; p++)
			same[p] = strcmp(x->pairs.v[p][0], e->programme) == 0;
		for (long i = x->cell_first[e->person]; i < x->cell_first[e->person + 1]; i++) {
			int p = x->cell[i].pair;
			if (!same[p] || seen[p])
				continue;
			seen[p] = 1;
			if (tl_grow(&x->enrol_pair, &cap, n, sizeof *x->enrol_pair))
				dash_fail("out of memory");
			x->enrol_pair[n++] = p;
		}
		for (size_t i = first; i < n; i++)
			seen[x->enrol_pair[i]] = 0;
	}
	x->enrol_pair_first[x->nenrols] = (long)n;
	free(seen);
	free(same);
}

void facts_build(struct dash *d)
{
	struct dash_scope run = { d->programme[0] ? d->programme : NULL,
		                  d->site[0] ? d->site : NULL, "", "", "" };
	struct dash_facts *x = &d->facts;
	int64_t *ids;

	facts_names(d, "SELECT id, coalesce(nullif(name, ''), id) FROM site ORDER BY id", &x->sites);
	facts_names(d, "SELECT id, name FROM activity ORDER BY id", &x->activities);
	facts_names(d, "SELECT programme, site FROM programme_site", &x->programme_sites);
	facts_people(d, x);
	ids = facts_sessions(d, &run, x);
	facts_minutes(d, &run, x);
	facts_sort_weeks(x);
	facts_enrolments(d, &run, x);
	facts_scan(d, &run, x, ids);
	free(ids);
	facts_enrol_pairs(x);
	facts_taps(d, &run);
	facts_followup(d, &run);
}

void facts_free(struct dash *d)
{
	struct dash_facts *x = &d->facts;

	for (int i = 0; i < x->npersons; i++)
		free(x->person[i].name);
	free(x->person);
	for (int i = 0; i < x->nsessions; i++)
		free(x->session[i].reason);
	free(x->session);
	free(x->cell_first);
	free(x->enrol);
	free(x->enrol_first);
	free(x->enrol_pair);
	free(x->enrol_pair_first);
	free(x->event);
	free(x->misses.v);
	free(x->cell);
	free(x->minutes);
	free(x->progweek);
	free(x->pairs.v);
	free(x->weeks.v);
	free(x->sites.v);
	free(x->activities.v);
	free(x->programmes.v);
	free(x->programme_sites.v);
	memset(x, 0, sizeof *x);
}

char *facts_pairs_in(const struct dash *d, const struct dash_scope *s)
{
	const struct dash_names *p = &d->facts.pairs;
	char *in = calloc((size_t)p->n + 1, 1);

	if (!in)
		dash_fail("out of memory");
	for (int i = 0; i < p->n; i++)
		in[i] = (!s->programme || strcmp(p->v[i][0], s->programme) == 0) &&
		        (!s->site || strcmp(p->v[i][1], s->site) == 0);
	return in;
}

char *facts_programmes_in(const struct dash *d, const struct dash_scope *s)
{
	const struct dash_facts *x = &d->facts;
	char *in = calloc((size_t)x->programmes.n + 1, 1);

	if (!in)
		dash_fail("out of memory");
	for (int i = 0; i < x->programmes.n; i++) {
		const char *id = x->programmes.v[i][0];
		in[i] = !s->programme || strcmp(id, s->programme) == 0;
		if (in[i] && s->site) {
			in[i] = 0;
			for (int j = 0; j < x->programme_sites.n; j++)
				if (strcmp(x->programme_sites.v[j][0], id) == 0 &&
				    strcmp(x->programme_sites.v[j][1], s->site) == 0)
					in[i] = 1;
		}
	}
	return in;
}

int facts_week(const struct dash *d, const char *week)
{
	int lo = 0, hi = d->facts.weeks.n - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2, c = strcmp(d->facts.weeks.v[mid][0], week);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

void facts_people_per_week(const struct dash *d, const char *pair_in, long *people)
{
	const struct dash_facts *x = &d->facts;
	int *seen = malloc((size_t)(x->weeks.n + 1) * sizeof *seen);

	if (!seen)
		dash_fail("out of memory");
	for (int w = 0; w < x->weeks.n; w++) {
		seen[w] = -1;
		people[w] = 0;
	}
	for (long i = 0; i < x->ncells; i++) {
		const struct dash_cell *c = &x->cell[i];
		if (pair_in[c->pair] && c->attended && seen[c->week] != c->person) {
			seen[c->week] = c->person;
			people[c->week]++;
		}
	}
	free(seen);
}

int facts_enrol_in(const struct dash *d, const struct dash_scope *s, const char *pair_in, long k)
{
	const struct dash_facts *x = &d->facts;
	const struct dash_enrol *e = &x->enrol[k];

	if (s->programme && strcmp(s->programme, e->programme) != 0)
		return 0;
	if (!s->site)
		return 1;
	for (long i = x->enrol_pair_first[k]; i < x->enrol_pair_first[k + 1]; i++)
		if (pair_in[x->enrol_pair[i]])
			return 1;
	if (x->enrol_pair_first[k] < x->enrol_pair_first[k + 1])
		return 0;
	/* not yet expected anywhere: on every site page of the programme */
	for (int j = 0; j < x->programme_sites.n; j++)
		if (strcmp(x->programme_sites.v[j][0], e->programme) == 0 &&
		    strcmp(x->programme_sites.v[j][1], s->site) == 0)
			return 1;
	return 0;
}

int facts_site_in(const struct dash *d, const struct dash_scope *s, const char *site)
{
	if (s->site)
		return strcmp(s->site, site) == 0;
	if (!s->programme)
		return 1;
	for (int j = 0; j < d->facts.programme_sites.n; j++)
		if (strcmp(d->facts.programme_sites.v[j][0], s->programme) == 0 &&
		    strcmp(d->facts.programme_sites.v[j][1], site) == 0)
			return 1;
	return 0;
}

int facts_pair_site(const struct dash *d, int pair)
{
	return facts_find_name(&d->facts.sites, d->facts.pairs.v[pair][1]);
}

void facts_person_week(const struct dash *d, int person, const char *programme, int w,
                       long *attended, long *places)
{
	const struct dash_facts *x = &d->facts;

	*attended = *places = 0;
	for (long i = x->cell_first[person]; i < x->cell_first[person + 1]; i++) {
		const struct dash_cell *c = &x->cell[i];
		if (c->week != w || (programme[0] && strcmp(x->pairs.v[c->pair][0], programme) != 0))
			continue;
		*attended += c->attended;
		*places += c->places;
	}
}

int facts_site(const struct dash *d, const char *id)
{
	return facts_find_name(&d->facts.sites, id);
}
