/* handle_tap.c - one tap, from raw payload to stored row and ack. */
#include "attendance.h"
#include "collector.h"
#include "log.h"
#include "store_schema.h"

#include <stdio.h>
#include <string.h>

/* Routes a message by its topic. Anything that is neither a tap nor a
 * status is dead-lettered, so nothing the broker hands us vanishes. */
int handle_message(struct collector *c, struct msg *m)
{
	struct tl_topic t;
	enum tl_reason r = tl_topic_parse(c->cfg.prefix, m->topic, &t);

	m->send_ack = 0;
	if (r == TL_OK && t.kind == TL_KIND_TAP)
		return handle_tap(c, m, &t);
	if (r == TL_OK && t.kind == TL_KIND_STATUS)
		return handle_status(c, m, &t);
	return handle_deadletter(c, m, TL_R_BAD_TOPIC, NULL);
}

/* Runs a statement that returns nothing; resets it either way. */
static int tap_step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int tap_reader_known(struct collector *c, const char *site, const char *reader);

/* Stores a rejected message with its reason, under the registered reader
 * its topic names ("" "" when it names none), within that reader's junk
 * rate and dead-letter cap (junk.c); beyond the rate it is counted, not
 * stored. Either way it is counted in the totals. */
int handle_deadletter(struct collector *c, struct msg *m, enum tl_reason r, const char *tap_id)
{
	sqlite3_stmt *st = c->sql.deadletter;
	size_t keep = m->len < TL_DEADLETTER_KEEP ? m->len : TL_DEADLETTER_KEEP;
	size_t tlen = strlen(m->topic);
	const char *site = "", *reader = "";
	struct tl_topic t;
	int known = 0;

	if (r != TL_R_BAD_TOPIC && r != TL_R_UNKNOWN_READER &&
	    tl_topic_parse(c->cfg.prefix, m->topic, &t) == TL_OK &&
	    (known = tap_reader_known(c, t.site, t.reader)) > 0) {
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
	sqlite3_bind_text(st, 7, site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, reader, -1, SQLITE_STATIC);
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

static int tap_reader_known(struct collector *c, const char *site, const char *reader)
{
	sqlite3_stmt *st = c->sql.reader_exists;
	int rc;

	sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, reader, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Finds the participant holding an active card; 0 if none, -1 on error. */
static int tap_card_owner(struct collector *c, const char *card, sqlite3_int64 *pid,
                          char *code, size_t codelen)
{
	sqlite3_stmt *st = c->sql.card_lookup;
	int rc;

	sqlite3_bind_text(st, 1, card, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*pid = sqlite3_column_int64(st, 0);
		snprintf(code, codelen, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* For a redelivered tap: who the stored copy belongs to. */
static int tap_stored_owner(struct collector *c, const char *id, char *code, size_t codelen)
{
	sqlite3_stmt *st = c->sql.tap_owner;
	int rc;

	code[0] = '\0';
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		snprintf(code, codelen, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Inserts the tap unless its id is already stored; 1 if new, 0 if a
 * duplicate, -1 on error. */
static int tap_insert(struct collector *c, const struct tl_tap *tap, sqlite3_int64 pid,
                      int64_t received_at)
{
	sqlite3_stmt *st = c->sql.tap_insert;
	int rc;

	sqlite3_bind_text(st, 1, tap->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, tap->site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, tap->reader, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, tap->card, -1, SQLITE_STATIC);
	if (pid > 0)
		sqlite3_bind_int64(st, 5, pid);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_int64(st, 6, tap->ts);
	sqlite3_bind_int64(st, 7, tap->seq);
	sqlite3_bind_int64(st, 8, received_at);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	return sqlite3_changes(c->db) > 0;
}

static int tap_touch_reader(struct collector *c, const struct tl_tap *tap, int64_t now)
{
	sqlite3_stmt *st = c->sql.reader_tap;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, tap->ts);
	sqlite3_bind_text(st, 3, tap->site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, tap->reader, -1, SQLITE_STATIC);
	return tap_step_done(st);
}

int handle_tap(struct collector *c, struct msg *m, const struct tl_topic *t)
{
	struct tl_tap tap;
	struct tl_ack ack;
	sqlite3_int64 pid = 0;
	enum tl_reason r;
	int known, fresh;

	memset(&ack, 0, sizeof ack);
	ack.week_sessions = -1;
	r = tl_tap_decode(m->payload, m->len, t, m->received_at, &tap, ack.id);
	if (r == TL_OK && (known = tap_reader_known(c, t->site, t->reader)) <= 0) {
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
	known = tap_card_owner(c, tap.card, &pid, ack.participant, sizeof ack.participant);
	if (known < 0 || (fresh = tap_insert(c, &tap, pid, m->received_at)) < 0)
		return -1;
	if (!fresh) {
		if (tap_stored_owner(c, tap.id, ack.participant, sizeof ack.participant))
			return -1;
		ack.status = TL_ACK_DUPLICATE;
	} else {
		ack.status = known ? TL_ACK_RECORDED : TL_ACK_UNKNOWN_CARD;
		if (tap_touch_reader(c, &tap, m->received_at))
			return -1;
		/* For the coach's feedback line: sessions attended this week,
		 * counting this tap, matched as 'attendance rebuild' would. */
		if (known && tl_attendance_week_count(c->engine, pid, tap.ts, &ack.week_sessions))
			return -1;
	}
	tap_set_ack(c, m, t, &ack);
	return 0;
}
