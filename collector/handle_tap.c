/* handle_tap.c - one tap, from raw payload to stored row and ack. */
#include "attendance.h"
#include "collector.h"
#include "log.h"
#include "store_schema.h"

#include <stdatomic.h>

#include <stdio.h>
#include <string.h>

/* Routes a message by its topic. The collector subscribes to everything
 * under the prefix, so a topic of the wrong shape is seen and
 * dead-lettered (bad_topic) before its payload is looked at; acks are
 * ours, not input (mqtt.c leaves them out already). */
int handle_message(struct collector *c, struct msg *m)
{
	struct tl_topic t;
	enum tl_reason r = tl_topic_parse(c->cfg.prefix, m->topic, &t);

	m->send_ack = 0;
	if (r == TL_OK && t.kind == TL_KIND_TAP)
		return handle_tap(c, m, &t);
	if (r == TL_OK && t.kind == TL_KIND_STATUS)
		return handle_status(c, m, &t);
	if (r == TL_OK && t.kind == TL_KIND_ACK) {
		c->counts.ignored++;
		return 0;
	}
	return handle_deadletter(c, m, TL_R_BAD_TOPIC, NULL);
}

/* Runs a statement that returns nothing; resets it either way. */
static int tap_step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* True (1) if m is a retained message already kept as a dead letter (the
 * same topic and payload, whether that one came retained or live): the
 * broker hands a retained message over again on every subscribe, and it
 * is the same junk each time. 0 if not, -1 on error. */
static int tap_retained_seen(struct collector *c, struct msg *m, size_t keep)
{
	sqlite3_stmt *st = c->sql.deadletter_retained;
	int rc;

	if (!m->retained)
		return 0;
	sqlite3_bind_text(st, 1, m->topic, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)m->len);
	sqlite3_bind_blob(st, 3, m->payload, (int)keep, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Stores a rejected message with its reason, under the registered reader
 * its topic names ("" "" when it names none), within that reader's junk
 * rate and dead-letter cap (junk.c); beyond the rate it is counted, not
 * stored. Either way it is counted in the totals; retained junk already
 * kept (tap_retained_seen) is only counted as seen again. */
int handle_deadletter(struct collector *c, struct msg *m, enum tl_reason r, const char *tap_id)
{
	sqlite3_stmt *st = c->sql.deadletter;
	size_t keep = m->len < TL_DEADLETTER_KEEP ? m->len : TL_DEADLETTER_KEEP;
	size_t tlen = strlen(m->topic);
	const char *site = "", *reader = "";
	struct tl_topic t;
	struct intake_reader rd;
	int known = 0;
	int seen = tap_retained_seen(c, m, keep);

	if (seen) {
		if (seen > 0)
			c->counts.retained_again++;
		return seen > 0 ? 0 : -1;
	}
	if (r != TL_R_BAD_TOPIC && r != TL_R_UNKNOWN_READER &&
	    tl_topic_parse(c->cfg.prefix, m->topic, &t) == TL_OK &&
	    (known = intake_reader(&c->intake, t.site, t.reader, &rd)) > 0) {
		site = t.site;
		reader = t.reader;
	}
	if (known < 0)
		return -1;
	c->counts.reasons[r]++;
	switch (junk_admit(c, m, r, site, reader)) {
	case 0:
		return 0;
	case 1:
		break;
	default:
		return -1;
	}
	if (junk_make_room(c, site, reader))
		return -1;
	sqlite3_bind_int64(st, 1, m->received_at);
	sqlite3_bind_text(st, 2, m->topic, (int)(tlen < 256 ? tlen : 256), SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, m->payload, (int)keep, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)m->len);
	sqlite3_bind_text(st, 5, tl_reason_name(r), -1, SQLITE_STATIC);
	if (tap_id && tap_id[0])
		sqlite3_bind_text(st, 6, tap_id, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 6);
	sqlite3_bind_int(st, 7, m->retained);
	sqlite3_bind_text(st, 8, site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, reader, -1, SQLITE_STATIC);
	tl_debug("dead letter on %.*s: %s", 200, m->topic, tl_reason_name(r));
	return tap_step_done(st);
}

/* Prepares the ack for m; the writer sends it after the commit. */
static void tap_set_ack(struct collector *c, struct msg *m, const struct tl_topic *t,
                        const struct tl_ack *ack)
{
	if (tl_topic_build(m->ack_topic, sizeof m->ack_topic, c->cfg.prefix, t->site, t->reader,
	                   TL_KIND_ACK) < 0 ||
	    tl_ack_encode(ack, m->ack, sizeof m->ack) < 0)
		return;
	m->send_ack = 1;
	c->counts.acks[ack->status]++;
}

/* Why a valid tap that arrived at received_at should not count until an
 * admin accepts it, or NULL: it is older than suspect_age with no reason
 * to be. Late taps are normal when they waited somewhere (a reader
 * offline, the collector away from the broker or its disk), so a late tap
 * is suspect only when its seq went back below the reader's highest
 * stored seq while its ts is later than that tap's (seq_backwards: a
 * reset, a replay or a forgery; a lower seq with an earlier ts is just
 * an older tap of the spool arriving after a newer one), or
 * when the reader had been online and the collector taking messages in
 * since before its ts, so nothing was holding it (late_while_online). */
static const char *tap_suspect(const struct collector *c, const struct tl_tap *tap,
                               int64_t received_at, const struct intake_reader *r)
{
	int64_t prompt_since = atomic_load(&c->prompt_since);

	if (c->cfg.suspect_age <= 0 || received_at - tap->ts <= c->cfg.suspect_age)
		return NULL;
	if (r->has_seq && tap->seq < r->max_seq && tap->ts > r->max_seq_ts)
		return "seq_backwards";
	if (r->online && r->online_since <= tap->ts && prompt_since <= tap->ts)
		return "late_while_online";
	return NULL;
}

int handle_tap(struct collector *c, struct msg *m, const struct tl_topic *t)
{
	struct tl_tap tap;
	struct tl_ack ack;
	struct intake_reader rd;
	enum tl_reason r;
	int known;

	memset(&ack, 0, sizeof ack);
	ack.week_sessions = -1;
	r = tl_tap_decode(m->payload, m->len, t, m->received_at, &tap, ack.id);
	if (r == TL_OK && (known = intake_reader(&c->intake, t->site, t->reader, &rd)) <= 0) {
		if (known < 0)
			return -1;
		r = TL_R_UNKNOWN_READER;
	}
	if (r != TL_OK) {
		if (handle_deadletter(c, m, r, ack.id))
			return -1;
		if (ack.id[0]) {
			ack.status = TL_ACK_REJECTED;
			ack.reason = r;
			tap_set_ack(c, m, t, &ack);
		}
		return 0;
	}
	if (intake_store(&c->intake, &tap, m->received_at, tap_suspect(c, &tap, m->received_at, &rd),
	                 &ack))
		return -1;
	tap_set_ack(c, m, t, &ack);
	return 0;
}
