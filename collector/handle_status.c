/* handle_status.c - a reader's retained status or Last Will. */
#include "collector.h"
#include "log.h"

#include <stdatomic.h>
#include <string.h>

/* True if status s, received as m, measures the reader's clock: it carries
 * a ts, it is not the broker's retained copy, and it cannot have waited at
 * the broker or in our queue (a status queued while the collector was
 * away would show a right clock as late by the length of the outage):
 * by its own ts it was sent after prompt_since, or it arrived more than
 * TL_STATUS_SETTLE seconds after it, when what the broker held for us has
 * been handed over. */
static int status_fresh(struct collector *c, const struct msg *m, const struct tl_status *s)
{
	int64_t since = atomic_load(&c->prompt_since);
	return s->ts > 0 && !m->retained && (s->ts >= since || m->received_at - since > TL_STATUS_SETTLE);
}

/* Steps a statement made for one call and resets it: 0 or -1. */
static int status_step(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Binds a problem statement's key: ?1 site, ?2 reader, ?3 kind. */
static sqlite3_stmt *status_key(sqlite3_stmt *st, const struct tl_topic *t, const char *kind)
{
	sqlite3_bind_text(st, 1, t->site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->reader, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	return st;
}

/* Opens (open) or closes one kind of stretch in the reader's problem
 * history at time at; worst is a clock offset (NULL for offline). */
static int status_problem(struct collector *c, const struct tl_topic *t, const char *kind,
                          int open, int64_t at, const int64_t *worst)
{
	sqlite3_stmt *st[3];

	if (!open) {
		st[0] = status_key(c->sql.problem_close, t, kind);
		sqlite3_bind_int64(st[0], 4, at);
		return status_step(st[0]);
	}
	st[0] = status_key(c->sql.problem_continue, t, kind);
	st[1] = status_key(c->sql.problem_open, t, kind);
	st[2] = status_key(c->sql.problem_trim, t, kind);
	sqlite3_bind_int64(st[0], 4, at);
	sqlite3_bind_int(st[0], 5, COLLECTOR_PROBLEM_MERGE);
	if (worst)
		sqlite3_bind_int64(st[0], 6, *worst);
	else
		sqlite3_bind_null(st[0], 6);
	if (status_step(st[0]))
		return -1;
	if (sqlite3_changes(c->db) > 0)
		return 0;
	sqlite3_bind_int64(st[1], 4, at);
	if (worst)
		sqlite3_bind_int64(st[1], 5, *worst);
	else
		sqlite3_bind_null(st[1], 5);
	sqlite3_bind_int(st[2], 4, COLLECTOR_PROBLEMS_MAX);
	return status_step(st[1]) || status_step(st[2]) ? -1 : 0;
}

/* The reader's problem history from one status (docs/collector.md,
 * "Reader problems"). Offline: from a status saying so (its Last Will),
 * at its arrival, or for the broker's retained copy, from when we last
 * heard from the reader; it ends at the next online status (a retained
 * one: at the time it gives, if earlier). Clock: from a fresh status
 * measuring it off by more than TL_CLOCK_TOLERANCE to one measuring it
 * right. */
static int status_history(struct collector *c, const struct msg *m, const struct tl_topic *t,
                          const struct tl_status *s, sqlite3_stmt *row, int fresh)
{
	int64_t at = m->received_at, offset;

	if (s->state == TL_STATE_ONLINE) {
		if (m->retained && s->ts > 0 && s->ts < at)
			at = s->ts;
		if (status_problem(c, t, "offline", 0, at, NULL))
			return -1;
	} else {
		if (m->retained && sqlite3_column_type(row, 0) != SQLITE_NULL)
			at = sqlite3_column_int64(row, 0);
		if (status_problem(c, t, "offline", 1, at, NULL))
			return -1;
	}
	if (!fresh || sqlite3_column_type(row, 1) == SQLITE_NULL)
		return 0;
	offset = sqlite3_column_int64(row, 1);
	if (tl_clock_off(offset))
		return status_problem(c, t, "clock", 1, m->received_at, &offset);
	return status_problem(c, t, "clock", 0, m->received_at, NULL);
}

/* Updates the reader's row. A status from an unregistered reader or with
 * a bad payload is dead-lettered; an empty payload (a retained message
 * being cleared) carries nothing and is only counted. */
int handle_status(struct collector *c, struct msg *m, const struct tl_topic *t)
{
	sqlite3_stmt *st = c->sql.reader_status;
	struct tl_status s;
	enum tl_reason r;
	int rc, fresh;

	if (m->len == 0) {
		c->counts.ignored++;
		return 0;
	}
	r = tl_status_decode(m->payload, m->len, &s);
	if (r != TL_OK)
		return handle_deadletter(c, m, r, NULL);
	sqlite3_bind_text(st, 1, s.state == TL_STATE_ONLINE ? "online" : "offline", -1,
	                  SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, m->received_at);
	if (s.ts > 0)
		sqlite3_bind_int64(st, 3, s.ts);
	else
		sqlite3_bind_null(st, 3);
	if (s.spooled >= 0)
		sqlite3_bind_int64(st, 4, s.spooled);
	else
		sqlite3_bind_null(st, 4);
	if (s.version[0])
		sqlite3_bind_text(st, 5, s.version, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_text(st, 6, t->site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, t->reader, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, fresh = status_fresh(c, m, &s));
	sqlite3_bind_int(st, 9, m->retained);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return handle_deadletter(c, m, TL_R_UNKNOWN_READER, NULL);
	}
	rc = rc == SQLITE_ROW ? status_history(c, m, t, &s, st, fresh) : -1;
	sqlite3_reset(st);
	if (rc)
		return -1;
	c->counts.status++;
	return 0;
}
