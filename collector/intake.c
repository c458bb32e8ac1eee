/* intake.c - see intake.h. */
#include "intake.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

static const char *const intake_sql[] = {
	"SELECT state = 'online', online_since, max_seq, max_seq_ts FROM reader"
	" WHERE site = ?1 AND id = ?2",
	"SELECT p.id, p.code FROM card c JOIN participant p ON p.id = c.participant"
	" WHERE c.token = ?1 AND c.revoked_at IS NULL AND p.code IS NOT NULL",
	"INSERT INTO tap (id, site, reader, card, participant, ts, seq, received_at, suspect)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (id) DO NOTHING",
	"SELECT p.code FROM tap t LEFT JOIN participant p ON p.id = t.participant"
	" WHERE t.id = ?1",
	"UPDATE reader SET last_seen = max(coalesce(last_seen, 0), ?1),"
	" last_tap = max(coalesce(last_tap, 0), ?2),"
	" max_seq_ts = CASE WHEN max_seq IS NULL OR ?5 > max_seq THEN ?2 ELSE max_seq_ts END,"
	" max_seq = max(coalesce(max_seq, -1), ?5)"
	" WHERE site = ?3 AND id = ?4",
};

int intake_open(struct intake *in, sqlite3 *db, struct tl_engine *engine)
{
	sqlite3_stmt **slots[] = { &in->reader_info, &in->card_lookup, &in->tap_insert,
		                   &in->tap_owner, &in->reader_tap };

	_Static_assert(sizeof intake_sql / sizeof intake_sql[0] == sizeof slots / sizeof slots[0],
	               "one SQL text per statement");
	memset(in, 0, sizeof *in);
	in->db = db;
	in->engine = engine;
	for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
		if (!(*slots[i] = tl_store_prepare(db, intake_sql[i])))
			return -1;
	return 0;
}

void intake_close(struct intake *in)
{
	sqlite3_finalize(in->reader_info);
	sqlite3_finalize(in->card_lookup);
	sqlite3_finalize(in->tap_insert);
	sqlite3_finalize(in->tap_owner);
	sqlite3_finalize(in->reader_tap);
	memset(in, 0, sizeof *in);
}

int intake_reader(struct intake *in, const char *site, const char *reader,
                  struct intake_reader *r)
{
	sqlite3_stmt *st = in->reader_info;
	int rc;

	memset(r, 0, sizeof *r);
	sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, reader, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r->online = sqlite3_column_int(st, 0) && sqlite3_column_type(st, 1) != SQLITE_NULL;
		r->online_since = sqlite3_column_int64(st, 1);
		r->has_seq = sqlite3_column_type(st, 2) != SQLITE_NULL;
		r->max_seq = sqlite3_column_int64(st, 2);
		r->max_seq_ts = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Finds the participant holding an active card; 0 if none, -1 on error. */
static int intake_card_owner(struct intake *in, const char *card, sqlite3_int64 *pid,
                             char *code, size_t codelen)
{
	sqlite3_stmt *st = in->card_lookup;
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
static int intake_stored_owner(struct intake *in, const char *id, char *code, size_t codelen)
{
	sqlite3_stmt *st = in->tap_owner;
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
static int intake_insert(struct intake *in, const struct tl_tap *tap, sqlite3_int64 pid,
                         int64_t received_at, const char *suspect)
{
	sqlite3_stmt *st = in->tap_insert;
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
	if (suspect)
		sqlite3_bind_text(st, 9, suspect, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 9);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	return sqlite3_changes(in->db) > 0;
}

static int intake_touch_reader(struct intake *in, const struct tl_tap *tap, int64_t now)
{
	sqlite3_stmt *st = in->reader_tap;
	int rc;

	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, tap->ts);
	sqlite3_bind_text(st, 3, tap->site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, tap->reader, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, tap->seq);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int intake_store(struct intake *in, const struct tl_tap *tap, int64_t received_at,
                 const char *suspect, struct tl_ack *ack)
{
	sqlite3_int64 pid = 0;
	int known, fresh;

	known = intake_card_owner(in, tap->card, &pid, ack->participant, sizeof ack->participant);
	if (known < 0 || (fresh = intake_insert(in, tap, pid, received_at, suspect)) < 0)
		return -1;
	if (!fresh) {
		ack->status = TL_ACK_DUPLICATE;
		return intake_stored_owner(in, tap->id, ack->participant, sizeof ack->participant);
	}
	ack->status = known ? TL_ACK_RECORDED : TL_ACK_UNKNOWN_CARD;
	if (intake_touch_reader(in, tap, received_at))
		return -1;
	/* For the coach's feedback line: sessions attended this week,
	 * counting this tap, matched as 'attendance rebuild' would (a
	 * suspect tap is not counted, as there). */
	if (known && tl_attendance_week_count(in->engine, pid, tap->ts, &ack->week_sessions))
		return -1;
	return 0;
}
