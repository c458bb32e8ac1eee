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

/* Updates the reader's row. A status from an unregistered reader or with
 * a bad payload is dead-lettered; an empty payload (a retained message
 * being cleared) carries nothing and is only counted. */
int handle_status(struct collector *c, struct msg *m, const struct tl_topic *t)
{
	sqlite3_stmt *st = c->sql.reader_status;
	struct tl_status s;
	enum tl_reason r;
	int rc;

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
	sqlite3_bind_int(st, 8, status_fresh(c, m, &s));
	sqlite3_bind_int(st, 9, m->retained);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (sqlite3_changes(c->db) == 0)
		return handle_deadletter(c, m, TL_R_UNKNOWN_READER, NULL);
	c->counts.status++;
	return 0;
}
