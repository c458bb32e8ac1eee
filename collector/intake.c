/* intake.c - see intake.h. */
#include "intake.h"
#include "calendar.h"
#include "enrolment.h"
#include "log.h"
#include "store.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const intake_sql[] = {
	"SELECT state = 'online', online_since, max_seq, max_seq_ts FROM reader"
	" WHERE site = ?1 AND id = ?2",
	"SELECT p.id, p.code FROM card c JOIN participant p ON p.id = c.participant"
	" WHERE c.token = ?1 AND c.revoked_at IS NULL AND p.code IS NOT NULL",
	"INSERT INTO tap (id, site, reader, card, participant, ts, seq, received_at, suspect,"
	" staff, random, coach)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (id) DO NOTHING",
	"SELECT p.code, t.coach FROM tap t LEFT JOIN participant p ON p.id = t.participant"
	" WHERE t.id = ?1",
	"UPDATE reader SET last_seen = max(coalesce(last_seen, 0), ?1),"
	" last_tap = max(coalesce(last_tap, 0), ?2),"
	" max_seq_ts = CASE WHEN max_seq IS NULL OR ?5 > max_seq THEN ?2 ELSE max_seq_ts END,"
	" max_seq = max(coalesce(max_seq, -1), ?5)"
	" WHERE site = ?3 AND id = ?4",
	"SELECT id FROM staff WHERE token = ?1 AND revoked_at IS NULL",
	/* the reader's tap just before this one, in tap order (ts, then seq) */
	"SELECT staff, coach, ts FROM tap WHERE site = ?1 AND reader = ?2"
	" AND (ts < ?3 OR (ts = ?3 AND seq < ?4)) ORDER BY ts DESC, seq DESC LIMIT 1",
	"INSERT INTO expectation (programme, participant, from_date, sites, schedules, created_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
};

int intake_open(struct intake *in, sqlite3 *db, struct tl_engine *engine)
{
	sqlite3_stmt **slots[] = { &in->reader_info, &in->card_lookup, &in->tap_insert,
		                   &in->tap_owner, &in->reader_tap, &in->staff_lookup,
		                   &in->prev_tap, &in->expect_insert };

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
	sqlite3_finalize(in->staff_lookup);
	sqlite3_finalize(in->prev_tap);
	sqlite3_finalize(in->expect_insert);
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

/* For a redelivered tap: whether it is stored (1, 0; -1 on error), who
 * the stored copy belongs to and what a coach card did with it. */
static int intake_stored(struct intake *in, const char *id, struct tl_ack *ack)
{
	sqlite3_stmt *st = in->tap_owner;
	int rc;

	ack->participant[0] = '\0';
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		snprintf(ack->participant, sizeof ack->participant, "%s",
		         (const char *)sqlite3_column_text(st, 0));
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 1) != SQLITE_NULL)
		snprintf(ack->coach, sizeof ack->coach, "%s", (const char *)sqlite3_column_text(st, 1));
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* The active staff card with this token: its id, 0 if none, -1 on error. */
static int64_t intake_staff(struct intake *in, const char *card)
{
	sqlite3_stmt *st = in->staff_lookup;
	int64_t id = 0;
	int rc;

	sqlite3_bind_text(st, 1, card, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? id : -1;
}

/* Whether the reader's previous tap (in ts, seq order) opened a coach
 * window that tap is inside: 1, 0, -1 on error. */
static int intake_coach_window(struct intake *in, const struct tl_tap *tap)
{
	sqlite3_stmt *st = in->prev_tap;
	int rc, open = 0;

	sqlite3_bind_text(st, 1, tap->site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, tap->reader, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, tap->ts);
	sqlite3_bind_int64(st, 4, tap->seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		open = sqlite3_column_type(st, 0) != SQLITE_NULL && sqlite3_column_text(st, 1) &&
		       strcmp((const char *)sqlite3_column_text(st, 1), TL_COACH_OPEN) == 0 &&
		       tap->ts - sqlite3_column_int64(st, 2) <= TL_COACH_WINDOW;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? open : -1;
}

/* A coach's new card: a new participant holding it, enrolled in the
 * programme of the session running at the site (from that session's date,
 * for the programme's length, expected at that session's schedule, or at
 * the site for a one-off). 1 done (pid, code, programme filled), 0 no
 * session runs there now, -1 on error. */
static int intake_coach_enrol(struct intake *in, const struct tl_tap *tap, int64_t now,
                              sqlite3_int64 *pid, struct tl_ack *ack)
{
	struct tl_session_at at;
	char err[256], code[TL_CODE_LEN], from[TL_DATE_LEN], sched[24];
	int64_t id, end;
	long credited;
	sqlite3_stmt *st = in->expect_insert;
	int rc = tl_attendance_session_at(in->engine, tap->site, tap->ts, &at);

	if (rc <= 0)
		return rc;
	end = tl_enrolment_default_end(in->db, at.programme, at.day);
	if (end < 0 || tl_participant_new(in->db, now, code, &id, err, sizeof err) ||
	    tl_card_link(in->db, tap->card, id, now, &credited, err, sizeof err) ||
	    tl_enrolment_insert(in->db, at.programme, id, at.day, end, now, err, sizeof err) != 1) {
		tl_error("coach card at %s/%s: cannot enrol the new card: %s", tap->site, tap->reader,
		         end < 0 ? "no programme" : err);
		return -1;
	}
	tl_cal_format(at.day, from);
	snprintf(sched, sizeof sched, "%lld", (long long)at.schedule);
	sqlite3_bind_text(st, 1, at.programme, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, from, -1, SQLITE_STATIC);
	if (at.schedule) {
		sqlite3_bind_null(st, 4);
		sqlite3_bind_text(st, 5, sched, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_text(st, 4, tap->site, -1, SQLITE_STATIC);
		sqlite3_bind_null(st, 5);
	}
	sqlite3_bind_int64(st, 6, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	*pid = id;
	snprintf(ack->participant, sizeof ack->participant, "%s", code);
	snprintf(ack->programme, sizeof ack->programme, "%s", at.programme);
	tl_info("coach card at %s/%s: new participant %s enrolled in %s from %s", tap->site,
	        tap->reader, code, at.programme, from);
	return 1;
}

/* Inserts the tap unless its id is already stored; 1 if new, 0 if a
 * duplicate, -1 on error. */
static int intake_insert(struct intake *in, const struct tl_tap *tap, sqlite3_int64 pid,
                         int64_t received_at, const char *suspect, int64_t staff,
                         const char *coach)
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
	if (staff > 0)
		sqlite3_bind_int64(st, 10, staff);
	else
		sqlite3_bind_null(st, 10);
	sqlite3_bind_int(st, 11, tap->random);
	if (coach && coach[0])
		sqlite3_bind_text(st, 12, coach, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 12);
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
	int64_t staff;
	int known, fresh, window;

	if ((fresh = intake_stored(in, tap->id, ack)) != 0) {
		ack->status = TL_ACK_DUPLICATE;
		return fresh < 0 ? -1 : 0;
	}
	ack->coach[0] = '\0';
	known = intake_card_owner(in, tap->card, &pid, ack->participant, sizeof ack->participant);
	staff = known || tap->random ? 0 : intake_staff(in, tap->card);
	if (known < 0 || staff < 0 || (window = intake_coach_window(in, tap)) < 0)
		return -1;
	if (staff)
		snprintf(ack->coach, sizeof ack->coach, "%s", window ? TL_COACH_CANCEL : TL_COACH_OPEN);
	else if (window && tap->random)
		snprintf(ack->coach, sizeof ack->coach, "%s", TL_COACH_RANDOM);
	else if (window && known)
		snprintf(ack->coach, sizeof ack->coach, "%s", TL_COACH_KNOWN);
	else if (window) {
		int r = intake_coach_enrol(in, tap, received_at, &pid, ack);
		if (r < 0)
			return -1;
		known = r;
		snprintf(ack->coach, sizeof ack->coach, "%s",
		         r ? TL_COACH_ENROLLED : TL_COACH_NO_PROGRAMME);
	}
	if ((fresh = intake_insert(in, tap, pid, received_at, suspect, staff, ack->coach)) < 0)
		return -1;
	if (!fresh) { /* cannot be: looked for above, in this transaction */
		ack->status = TL_ACK_DUPLICATE;
		return 0;
	}
	if (strcmp(ack->coach, TL_COACH_ENROLLED) == 0) {
		char err[256];
		if (tl_attendance_participant(in->engine, pid, err, sizeof err)) {
			tl_error("coach card: %s", err);
			return -1;
		}
	}
	ack->status = known || staff ? TL_ACK_RECORDED : TL_ACK_UNKNOWN_CARD;
	if (intake_touch_reader(in, tap, received_at))
		return -1;
	/* For the coach's feedback line: sessions attended this week,
	 * counting this tap, matched as 'attendance rebuild' would (a
	 * suspect tap is not counted, as there). */
	if (known && tl_attendance_week_count(in->engine, pid, tap->ts, &ack->week_sessions))
		return -1;
	return 0;
}
