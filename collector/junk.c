/* junk.c - what a reader sending rejected messages ("junk") can make the
 * collector store is bounded: a token bucket per source limits the rate
 * at which dead letters are stored, each source keeps at most
 * deadletter-max of them (the oldest go), and none is kept past
 * deadletter-max-age days. Every dead letter not kept is counted in
 * deadletter_drop, by source, cause and reason: bounded, never silent.
 *
 * A source is a registered reader (site, reader), or "" "" for messages
 * that cannot be attributed to one (a bad topic, an unregistered reader):
 * those share one bucket and one cap, as do readers beyond
 * JUNK_READERS_MAX, so the buckets' memory is bounded whatever arrives. */
#include "collector.h"
#include "grow.h"
#include "log.h"
#include "store.h"
#include "tl_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define JUNK_READERS_MAX 1024
#define JUNK_LOG_EVERY_MS 60000 /* at most one line per source per minute */
#define JUNK_EXPIRE_EVERY_MS 60000

/* The bucket of a source; the shared one for "" "" and when full. */
static struct junk_bucket *junk_bucket(struct collector *c, const char *site,
                                       const char *reader)
{
	struct junk *j = &c->junk;
	struct junk_bucket *b;

	if (!site[0])
		return &j->shared;
	for (size_t i = 0; i < j->n; i++)
		if (strcmp(j->b[i].site, site) == 0 && strcmp(j->b[i].reader, reader) == 0)
			return &j->b[i];
	if (j->n >= JUNK_READERS_MAX || tl_grow(&j->b, &j->cap, j->n, sizeof *j->b))
		return &j->shared;
	b = &j->b[j->n++];
	memset(b, 0, sizeof *b);
	snprintf(b->site, sizeof b->site, "%s", site);
	snprintf(b->reader, sizeof b->reader, "%s", reader);
	b->tokens = (double)c->cfg.junk_burst;
	b->at_ms = tl_monotonic_ms();
	return b;
}

/* Logs what the rate limit dropped from one source, at most once a
 * minute per source (force: now, if anything is unlogged). */
static void junk_log(struct junk_bucket *b, int64_t now, long rate, int force)
{
	if (!b->unlogged || (!force && b->logged_ms && now - b->logged_ms < JUNK_LOG_EVERY_MS))
		return;
	if (b->site[0])
		tl_warn("rejected messages from %s/%s beyond %ld/s: %lu not stored (counted: "
		        "touchline deadletter list)", b->site, b->reader, rate, b->unlogged);
	else
		tl_warn("rejected messages from unattributable sources beyond %ld/s: %lu not "
		        "stored (counted: touchline deadletter list)", rate, b->unlogged);
	b->unlogged = 0;
	b->logged_ms = now;
}

/* Counts one dead letter not stored (cause rate_limit). */
static int junk_count_drop(struct collector *c, const struct msg *m, enum tl_reason r,
                           const char *site, const char *reader)
{
	sqlite3_stmt *st = c->sql.deadletter_drop;
	int rc;

	sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, reader, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, "rate_limit", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, tl_reason_name(r), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)m->len);
	sqlite3_bind_int64(st, 6, m->received_at);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int junk_admit(struct collector *c, const struct msg *m, enum tl_reason r, const char *site,
               const char *reader)
{
	struct junk_bucket *b = junk_bucket(c, site, reader);
	int64_t now = tl_monotonic_ms();

	b->tokens += (double)(now - b->at_ms) * (double)c->cfg.junk_rate / 1000.0;
	if (b->tokens > (double)c->cfg.junk_burst)
		b->tokens = (double)c->cfg.junk_burst;
	b->at_ms = now;
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		return 1;
	}
	if (junk_count_drop(c, m, r, site, reader))
		return -1;
	c->counts.junk_dropped++;
	b->unlogged++;
	junk_log(b, now, c->cfg.junk_rate, 0);
	return 0;
}

int junk_make_room(struct collector *c, const char *site, const char *reader)
{
	sqlite3_stmt *st = c->sql.deadletter_nth;
	sqlite3_int64 nth;
	int rc;

	/* The n of the source's deadletter-max-th newest: it and everything
	 * older go, leaving room for one more. */
	sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, reader, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, c->cfg.deadletter_max - 1);
	rc = sqlite3_step(st);
	nth = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -1;
	for (int i = 0; i < 2; i++) {
		st = i == 0 ? c->sql.deadletter_cap : c->sql.deadletter_trim;
		sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, reader, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, nth);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

void junk_tick(struct collector *c, int force)
{
	struct junk *j = &c->junk;
	int64_t now = tl_monotonic_ms(), dropped;
	char err[256];

	if (!force && j->expired_ms && now - j->expired_ms < JUNK_EXPIRE_EVERY_MS)
		return;
	j->expired_ms = now;
	for (size_t i = 0; i < j->n; i++)
		junk_log(&j->b[i], now, c->cfg.junk_rate, force);
	junk_log(&j->shared, now, c->cfg.junk_rate, force);
	if (tl_store_exec(c->db, "BEGIN IMMEDIATE", err, sizeof err)) {
		tl_warn("dead letters not expired now (will retry): %s", err);
		return;
	}
	if (tl_deadletter_expire(c->db, (int64_t)time(NULL) - c->cfg.deadletter_max_age * 86400,
	                         "age", &dropped) ||
	    tl_store_exec(c->db, "COMMIT", err, sizeof err)) {
		tl_warn("dead letters not expired now (will retry): %s", sqlite3_errmsg(c->db));
		tl_store_exec(c->db, "ROLLBACK", err, sizeof err);
		return;
	}
	if (dropped)
		tl_info("%lld dead letter%s older than %ld days dropped (counted)", (long long)dropped,
		        dropped == 1 ? "" : "s", c->cfg.deadletter_max_age);
}

void junk_free(struct collector *c)
{
	free(c->junk.b);
	c->junk.b = NULL;
	c->junk.n = c->junk.cap = 0;
}
