/* export_attendance.c - the attendance export of a whole programme year
 * without SQL's sort.
 *
 * Every row of attendance, ordered by session start: in SQL that is a
 * join of each row with its session, programme, activity and participant
 * (four B-tree searches a row) and a sort of every finished output row,
 * which at national scale (1.8M rows) was most of the dashboard's time and
 * hundreds of megabytes of sorter. Here the few sessions and participants
 * are read into memory, attendance once in its own key order, and rows
 * are bucketed by session (sessions sorted by start time) and sorted by
 * code within their session: the same rows in the same order, each
 * session's local times formatted once. A row costs 40 bytes, twice
 * while sorting (72 MB and then 144 MB at 1.8M rows).
 *
 * It answers only for exports without --programme/--site (those read few
 * rows, and the planned SQL is fast) and without --rekey (pseudonyms are
 * drawn as SQL meets the rows); export.c runs the SQL otherwise, and when
 * a value is not of the type the schema promises. Rows of participants
 * erased (no code) are left out, as in SQL. */
#include "calendar.h"
#include "grow.h"
#include "export.h"
#include "sorted.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct xa_session {
	int64_t id, start;
	char *text[5];             /* programme, site, activity, intensity, iso_week */
	char *tz;
	char start_local[TL_LOCAL_LEN], end_local[TL_LOCAL_LEN];
};

struct xa_person {
	int64_t id;
	char *code;
	uint32_t rank;             /* position of code in code order */
};

struct xa_row {
	int64_t checkin, checkout;
	uint32_t session, person;  /* indexes (sessions by id, people by id) */
	int32_t minutes, week;
	int8_t attended, estimated, has_in, has_out, expected, manual;
};

struct xa {
	struct xa_session *ses;    /* sorted by id */
	uint32_t nses, *ses_order; /* position of each session in export order */
	int32_t *ses_by_id;        /* index of each session id, when ids are dense */
	int64_t max_id;
	struct xa_person *people;  /* sorted by id */
	uint32_t npeople;
	struct xa_row *rows;
	size_t nrows, cap;
};

static void xa_free(struct xa *x)
{
	for (uint32_t i = 0; i < x->nses; i++) {
		for (int j = 0; j < 5; j++)
			free(x->ses[i].text[j]);
		free(x->ses[i].tz);
	}
	for (uint32_t i = 0; i < x->npeople; i++)
		free(x->people[i].code);
	free(x->ses);
	free(x->ses_order);
	free(x->ses_by_id);
	free(x->people);
	free(x->rows);
}

/* Sessions within the dates, by id, with their local start and end. */
static int xa_sessions(sqlite3 *db, const struct tl_export_filter *f, struct xa *x)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(db,
	                       "SELECT s.id, s.start_ts, s.end_ts, s.programme, s.site, s.activity,"
	                       " ac.intensity, s.iso_week, g.tz FROM session s"
	                       " JOIN programme g ON g.id = s.programme"
	                       " JOIN activity ac ON ac.id = s.activity"
	                       " WHERE (?1 IS NULL OR s.local_date >= ?1)"
	                       " AND (?2 IS NULL OR s.local_date <= ?2) ORDER BY s.id",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, f->from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->to, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct xa_session *s;
		int bad = 0;
		if (tl_grow(&x->ses, &cap, x->nses, sizeof *x->ses))
			break;
		s = &x->ses[x->nses];
		memset(s, 0, sizeof *s);
		for (int j = 0; j < 9; j++)
			bad |= sqlite3_column_type(st, j) != (j < 3 ? SQLITE_INTEGER : SQLITE_TEXT);
		x->nses++;
		if (bad)
			break;
		s->id = sqlite3_column_int64(st, 0);
		s->start = sqlite3_column_int64(st, 1);
		for (int j = 0; j < 5; j++)
			s->text[j] = strdup((const char *)sqlite3_column_text(st, 3 + j));
		s->tz = strdup((const char *)sqlite3_column_text(st, 8));
		if (!s->text[0] || !s->text[1] || !s->text[2] || !s->text[3] || !s->text[4] || !s->tz)
			break;
		tl_zone_format(s->tz, s->start, s->start_local);
		tl_zone_format(s->tz, sqlite3_column_int64(st, 2), s->end_local);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : 1;
}

static int xa_code_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct xa_person *const *)a)->code,
	              (*(const struct xa_person *const *)b)->code);
}

/* Participants with a code, by id, and each code's rank in code order
 * (SQL's BINARY collation is strcmp for text without NULs). */
static int xa_people(sqlite3 *db, struct xa *x)
{
	sqlite3_stmt *st;
	struct xa_person **by_code;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT id, code FROM participant WHERE code IS NOT NULL"
	                           " ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct xa_person *p;
		if (sqlite3_column_type(st, 1) != SQLITE_TEXT ||
		    tl_grow(&x->people, &cap, x->npeople, sizeof *x->people))
			break;
		p = &x->people[x->npeople];
		p->id = sqlite3_column_int64(st, 0);
		if (!(p->code = strdup((const char *)sqlite3_column_text(st, 1))))
			break;
		x->npeople++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return 1;
	if (!(by_code = malloc(((size_t)x->npeople + 1) * sizeof *by_code)))
		return 1;
	for (uint32_t i = 0; i < x->npeople; i++)
		by_code[i] = &x->people[i];
	qsort(by_code, x->npeople, sizeof *by_code, xa_code_cmp);
	for (uint32_t i = 0; i < x->npeople; i++)
		by_code[i]->rank = i;
	free(by_code);
	return 0;
}

/* The session with this id: from a table by id when ids are dense (they
 * are, being SQLite rowids of one table), else by binary search. */
static long xa_session(struct xa *x, int64_t id)
{
	if (!x->ses_by_id && x->nses && x->ses[x->nses - 1].id >= 0 &&
	    x->ses[x->nses - 1].id <= 4 * (int64_t)x->nses + 65536 &&
	    (x->ses_by_id = malloc(((size_t)x->ses[x->nses - 1].id + 1) * sizeof *x->ses_by_id))) {
		x->max_id = x->ses[x->nses - 1].id;
		for (int64_t i = 0; i <= x->max_id; i++)
			x->ses_by_id[i] = -1;
		for (uint32_t i = 0; i < x->nses; i++)
			if (x->ses[i].id >= 0)
				x->ses_by_id[x->ses[i].id] = (int32_t)i;
	}
	if (x->ses_by_id)
		return id >= 0 && id <= x->max_id ? x->ses_by_id[id] : -1;
	return tl_sorted_find(x->ses, x->nses, sizeof *x->ses, id);
}

/* Every attendance row of those sessions and people, in the table's order.
 * 1 when a value is not what the schema promises (SQL then decides). */
static int xa_rows(sqlite3 *db, struct xa *x)
{
	sqlite3_stmt *st;
	int64_t last_id = INT64_MIN;
	long p = -1;
	int rc;

	if (sqlite3_prepare_v2(db,
	                       "SELECT participant, session, attended, checkin_at, checkout_at,"
	                       " minutes, minutes_estimated, programme_week, expected,"
	                       " source = 'manual' FROM attendance",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t pid = sqlite3_column_int64(st, 0);
		long s = xa_session(x, sqlite3_column_int64(st, 1));
		struct xa_row *r;
		int bad = 0;
		if (pid != last_id) { /* rows come by participant */
			last_id = pid;
			p = tl_sorted_find(x->people, x->npeople, sizeof *x->people, pid);
		}
		if (p < 0 || s < 0)
			continue;
		for (int j = 2; j < 9; j++)
			bad |= sqlite3_column_type(st, j) != SQLITE_INTEGER &&
			       !((j == 3 || j == 4) && sqlite3_column_type(st, j) == SQLITE_NULL);
		if (bad || tl_grow(&x->rows, &x->cap, x->nrows, sizeof *x->rows))
			break;
		r = &x->rows[x->nrows++];
		r->person = (uint32_t)p;
		r->session = (uint32_t)s;
		r->attended = (int8_t)sqlite3_column_int(st, 2);
		r->has_in = sqlite3_column_type(st, 3) != SQLITE_NULL;
		r->checkin = sqlite3_column_int64(st, 3);
		r->has_out = sqlite3_column_type(st, 4) != SQLITE_NULL;
		r->checkout = sqlite3_column_int64(st, 4);
		r->minutes = sqlite3_column_int(st, 5);
		r->estimated = (int8_t)sqlite3_column_int(st, 6);
		r->week = sqlite3_column_int(st, 7);
		r->expected = (int8_t)sqlite3_column_int(st, 8);
		r->manual = (int8_t)sqlite3_column_int(st, 9);
		/* values that do not survive the narrowing go to SQL */
		if (r->attended != sqlite3_column_int64(st, 2) ||
		    r->minutes != sqlite3_column_int64(st, 5) ||
		    r->estimated != sqlite3_column_int64(st, 6) || r->week != sqlite3_column_int64(st, 7) ||
		    r->expected != sqlite3_column_int64(st, 8))
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : 1;
}

static const struct xa *xa_sorting;

/* Sessions by start time, then id. */
static int xa_session_cmp(const void *a, const void *b)
{
	const struct xa_session *s = &xa_sorting->ses[*(const uint32_t *)a];
	const struct xa_session *t = &xa_sorting->ses[*(const uint32_t *)b];
	if (s->start != t->start)
		return s->start < t->start ? -1 : 1;
	return s->id < t->id ? -1 : s->id > t->id;
}

/* Rows of one session by their participant's code. */
static int xa_row_cmp(const void *a, const void *b)
{
	uint32_t p = xa_sorting->people[((const struct xa_row *)a)->person].rank;
	uint32_t q = xa_sorting->people[((const struct xa_row *)b)->person].rank;
	return p < q ? -1 : p > q;
}

/* Puts the rows in export order: moved into buckets by the session's
 * place in start order, then each bucket sorted by code. The rows
 * themselves move (not a permutation of them), so writing reads memory
 * in order: a permutation cost a cache miss a row. */
static int xa_order(struct xa *x)
{
	uint32_t *by_start = malloc(((size_t)x->nses + 1) * sizeof *by_start);
	size_t *first = calloc((size_t)x->nses + 2, sizeof *first);
	struct xa_row *sorted = malloc((x->nrows + 1) * sizeof *sorted);

	x->ses_order = malloc(((size_t)x->nses + 1) * sizeof *x->ses_order);
	if (!by_start || !first || !sorted || !x->ses_order) {
		free(by_start);
		free(first);
		free(sorted);
		return -1;
	}
	xa_sorting = x;
	for (uint32_t i = 0; i < x->nses; i++)
		by_start[i] = i;
	qsort(by_start, x->nses, sizeof *by_start, xa_session_cmp);
	for (uint32_t i = 0; i < x->nses; i++)
		x->ses_order[by_start[i]] = i;
	for (size_t i = 0; i < x->nrows; i++)
		first[x->ses_order[x->rows[i].session] + 1]++;
	for (uint32_t i = 0; i < x->nses; i++)
		first[i + 1] += first[i];
	for (size_t i = 0; i < x->nrows; i++)
		sorted[first[x->ses_order[x->rows[i].session]]++] = x->rows[i];
	for (size_t i = 0, from = 0; i < x->nses; i++) { /* first[i]: end of bucket i */
		qsort(sorted + from, first[i] - from, sizeof *sorted, xa_row_cmp);
		from = first[i];
	}
	free(x->rows);
	x->rows = sorted;
	free(by_start);
	free(first);
	return 0;
}

/* A row into one writer, cell by cell as SQL would give them. */
static void xa_emit(struct tl_rows *w, const struct xa *x, const struct xa_row *r)
{
	const struct xa_session *s = &x->ses[r->session];
	char t[TL_LOCAL_LEN];

	tl_rows_text(w, x->people[r->person].code);
	tl_rows_text(w, s->text[0]);
	tl_rows_text(w, s->text[1]);
	tl_rows_text(w, s->text[2]);
	tl_rows_text(w, s->start_local);
	tl_rows_text(w, s->end_local);
	tl_rows_int(w, r->attended);
	if (r->has_in)
		tl_zone_format(s->tz, r->checkin, t);
	tl_rows_text(w, r->has_in ? t : NULL);
	if (r->has_out)
		tl_zone_format(s->tz, r->checkout, t);
	tl_rows_text(w, r->has_out ? t : NULL);
	tl_rows_int(w, r->minutes);
	tl_rows_int(w, r->estimated);
	tl_rows_text(w, s->text[3]);
	tl_rows_int(w, r->week);
	tl_rows_text(w, s->text[4]);
	tl_rows_int(w, s->id);
	tl_rows_int(w, r->expected);
	tl_rows_text(w, r->manual ? "manual" : "tap");
	tl_rows_end_row(w);
}

int tl_export_attendance_fast(sqlite3 *db, const struct tl_export_filter *f,
                              struct tl_rows *w)
{
	struct xa x;
	int rc;

	if (f->programme || f->site || f->key || f->coarse)
		return 1;
	memset(&x, 0, sizeof x);
	if ((rc = xa_sessions(db, f, &x)) != 0 || (rc = xa_people(db, &x)) != 0 ||
	    (rc = xa_rows(db, &x)) != 0 || xa_order(&x) != 0) {
		xa_free(&x);
		return rc < 0 ? -1 : 1;
	}
	for (size_t i = 0; i < x.nrows; i++)
		xa_emit(w, &x, &x.rows[i]);
	xa_free(&x);
	return 0;
}
