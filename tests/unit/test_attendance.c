/* test_attendance.c - matching taps to sessions: check-in windows,
 * check-in/check-out pairing, estimated minutes, back-to-back sessions,
 * rolling intake, late enrolment and schedule changes, determinism,
 * activity levels at their boundaries, follow-up and week_sessions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attendance.h"
#include "calendar.h"
#include "session.h"
#include "sql_helpers.h"
#include "store.h"
#include "tl_time.h"

static char db_path[64];

static char *q_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	char *v = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v ? v : strdup("");
}

static int64_t utc(const char *text)
{
	int64_t t;
	assert_int_equal(tl_time_parse(text, &t), 0);
	return t;
}

/* A fresh database: site burnley (and padiham), programme kick in
 * Europe/London, participants 1 to 3 enrolled as a test needs. */
static int setup(void **state)
{
	char err[256];
	sqlite3 *db;
	int fd;

	snprintf(db_path, sizeof db_path, "/tmp/tl-att-XXXXXX");
	fd = mkstemp(db_path);
	if (fd < 0)
		return -1;
	close(fd);
	db = tl_store_open(db_path, TL_STORE_CREATE, err, sizeof err);
	if (!db)
		return -1;
	exec(db, "INSERT INTO site (id, created_at) VALUES ('burnley', 0), ('padiham', 0);"
	         "INSERT INTO programme (id, name, created_at) VALUES ('kick', 'Kick', 0);"
	         "INSERT INTO programme_site VALUES ('kick', 'burnley'), ('kick', 'padiham');"
	         "INSERT INTO participant (id, code, created_at) VALUES (1, 'P-0001', 0),"
	         " (2, 'P-0002', 0), (3, 'P-0003', 0);");
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	tl_store_close(*state);
	unlink_db(db_path);
	return 0;
}

/* Adds a session the way 'schedule add' does; returns its id. */
/* A session of programme kick, made as every session is. */
static long long session(sqlite3 *db, const char *site, const char *activity, const char *date,
                         const char *start, const char *end)
{
	struct tl_session_spec sp = { "kick", "Europe/London", site, activity, 0, 0, 0, 0, 0 };
	char err[256];
	int64_t id = 0;

	assert_int_equal(tl_cal_parse(date, &sp.day), 0);
	assert_int_equal(tl_cal_parse_hhmm(start, &sp.start_min), 0);
	assert_int_equal(tl_cal_parse_hhmm(end, &sp.end_min), 0);
	if (tl_session_insert(db, &sp, &id, err, sizeof err) != 1)
		fail_msg("session on %s: %s", date, err);
	return (long long)id;
}

static void enrol(sqlite3 *db, int pid, const char *start, const char *end)
{
	exec(db, "INSERT INTO enrolment (programme, participant, start_date, end_date, created_at)"
	         " VALUES ('kick', %d, %Q, %Q, 0)", pid, start, end);
}

static long long n_taps;

static void tap(sqlite3 *db, int pid, const char *site, const char *when)
{
	n_taps++;
	exec(db, "INSERT INTO tap (id, site, reader, card, participant, ts, seq, received_at)"
	         " VALUES ('tap-%lld', %Q, 'r1', 'card%d', %d, %lld, %lld, %lld)",
	     n_taps, site, pid, pid, (long long)utc(when), n_taps, (long long)utc(when));
}

static void rebuild(sqlite3 *db, const char *as_of)
{
	struct tl_rebuild_stats s;
	char err[256];
	if (tl_attendance_rebuild(db, utc(as_of), &s, err, sizeof err))
		fail_msg("rebuild: %s", err);
}

#define AS_OF "2026-12-31T00:00:00Z"

static char *dump(sqlite3 *db)
{
	return q_text(db, "SELECT group_concat(r, ';') FROM (SELECT participant || ',' || session"
	                  " || ',' || attended || ',' || coalesce(checkin_at, '') || ',' ||"
	                  " coalesce(checkout_at, '') || ',' || minutes || ',' || minutes_estimated"
	                  " || ',' || programme_week AS r FROM attendance ORDER BY participant,"
	                  " session) UNION ALL SELECT group_concat(tap || reason, ';') FROM"
	                  " (SELECT * FROM tap_unmatched ORDER BY tap)");
}

static void test_pairing(void **state)
{
	sqlite3 *db = *state;
	long long s = session(db, "burnley", "football", "2026-03-03", "18:00", "19:30");

	enrol(db, 1, "2026-03-02", "2026-05-24");
	tap(db, 1, "burnley", "2026-03-03T17:29:59Z"); /* before the window */
	tap(db, 1, "burnley", "2026-03-03T17:35:00Z"); /* check-in */
	tap(db, 1, "burnley", "2026-03-03T17:40:00Z"); /* duplicate: under 10 minutes */
	tap(db, 1, "padiham", "2026-03-03T18:40:00Z"); /* another site */
	tap(db, 1, "burnley", "2026-03-03T19:10:00Z");
	tap(db, 1, "burnley", "2026-03-03T19:40:00Z"); /* the last: check-out */
	rebuild(db, AS_OF);
	assert_int_equal(q_int(db, "SELECT attended FROM attendance WHERE session = %lld", s), 1);
	assert_int_equal(q_int(db, "SELECT checkin_at FROM attendance"), utc("2026-03-03T17:35:00Z"));
	assert_int_equal(q_int(db, "SELECT checkout_at FROM attendance"), utc("2026-03-03T19:40:00Z"));
	assert_int_equal(q_int(db, "SELECT minutes FROM attendance"), 90); /* clipped */
	assert_int_equal(q_int(db, "SELECT minutes_estimated FROM attendance"), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM tap_unmatched"), 2);
	assert_int_equal(q_int(db, "SELECT count(*) FROM tap_unmatched WHERE reason = 'no_session'"), 2);
}

static void test_window_edges(void **state)
{
	sqlite3 *db = *state;
	long long a = session(db, "burnley", "gym", "2026-03-03", "18:00", "19:00");
	long long b = session(db, "burnley", "gym", "2026-03-10", "18:00", "19:00");
	long long c = session(db, "burnley", "gym", "2026-03-17", "18:00", "19:00");
	long long d = session(db, "burnley", "gym", "2026-03-24", "18:00", "19:00");

	enrol(db, 1, "2026-03-02", "2026-05-24");
	tap(db, 1, "burnley", "2026-03-03T17:30:00Z"); /* exactly 30 minutes before: in */
	tap(db, 1, "burnley", "2026-03-10T19:00:00Z"); /* exactly at the end: in */
	tap(db, 1, "burnley", "2026-03-17T19:00:01Z"); /* a second late: out */
	tap(db, 1, "burnley", "2026-03-24T18:20:00Z"); /* in, late */
	tap(db, 1, "burnley", "2026-03-24T18:29:59Z"); /* 9:59 later: a duplicate */
	tap(db, 1, "burnley", "2026-03-24T19:00:00Z"); /* check-out */
	rebuild(db, AS_OF);
	assert_int_equal(q_int(db, "SELECT attended FROM attendance WHERE session = %lld", a), 1);
	assert_int_equal(q_int(db, "SELECT minutes_estimated FROM attendance WHERE session = %lld", a), 1);
	assert_int_equal(q_int(db, "SELECT minutes FROM attendance WHERE session = %lld", a), 60);
	assert_int_equal(q_int(db, "SELECT attended FROM attendance WHERE session = %lld", b), 1);
	assert_int_equal(q_int(db, "SELECT attended FROM attendance WHERE session = %lld", c), 0);
	assert_int_equal(q_int(db, "SELECT minutes FROM attendance WHERE session = %lld", d), 40);
	assert_int_equal(q_int(db, "SELECT checkout_at FROM attendance WHERE session = %lld", d),
	                 utc("2026-03-24T19:00:00Z"));
	assert_int_equal(q_int(db, "SELECT count(*) FROM tap_unmatched"), 1);
}

/* Two sessions back to back at one site: a tap before the second starts
 * checks out of the first; one after it checks in to the second. */
static void test_back_to_back(void **state)
{
	sqlite3 *db = *state;
	long long a = session(db, "burnley", "football", "2026-03-03", "18:00", "19:00");
	long long b = session(db, "burnley", "gym", "2026-03-03", "19:00", "20:00");

	enrol(db, 1, "2026-03-02", "2026-05-24");
	enrol(db, 2, "2026-03-02", "2026-05-24");
	tap(db, 1, "burnley", "2026-03-03T17:55:00Z");
	tap(db, 1, "burnley", "2026-03-03T18:58:00Z"); /* out of a */
	tap(db, 1, "burnley", "2026-03-03T19:02:00Z"); /* in to b */
	tap(db, 1, "burnley", "2026-03-03T20:05:00Z"); /* out of b */
	tap(db, 2, "burnley", "2026-03-03T19:05:00Z"); /* b only, no check-out */
	rebuild(db, AS_OF);
	assert_int_equal(q_int(db, "SELECT minutes FROM attendance WHERE participant = 1"
	                           " AND session = %lld", a), 58);
	assert_int_equal(q_int(db, "SELECT minutes FROM attendance WHERE participant = 1"
	                           " AND session = %lld", b), 58);
	assert_int_equal(q_int(db, "SELECT attended FROM attendance WHERE participant = 2"
	                           " AND session = %lld", a), 0); /* a's window shut at 19:00 */
	assert_int_equal(q_int(db, "SELECT minutes_estimated FROM attendance WHERE participant = 2"
	                           " AND session = %lld", b), 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM tap_unmatched"), 0);
}

/* Each participant's programme week counts from their own start, and
 * sessions before it are not theirs. */
static void test_rolling_intake(void **state)
{
	sqlite3 *db = *state;
	const char *dates[] = { "2026-03-03", "2026-03-10", "2026-03-17", "2026-03-24" };

	for (int i = 0; i < 4; i++)
		session(db, "burnley", "football", dates[i], "18:00", "19:30");
	enrol(db, 1, "2026-03-03", "2026-03-23"); /* three weeks */
	enrol(db, 2, "2026-03-16", "2026-06-07");
	tap(db, 2, "burnley", "2026-03-10T17:50:00Z"); /* before their start */
	tap(db, 2, "burnley", "2026-03-17T17:50:00Z");
	tap(db, 1, "burnley", "2026-03-24T17:50:00Z"); /* after their end */
	rebuild(db, AS_OF);
	assert_int_equal(q_int(db, "SELECT count(*) FROM attendance WHERE participant = 1"), 3);
	assert_int_equal(q_int(db, "SELECT count(*) FROM attendance WHERE participant = 2"), 2);
	assert_int_equal(q_int(db, "SELECT min(programme_week) FROM attendance a JOIN session s"
	                           " ON s.id = a.session WHERE participant = 2"
	                           " AND s.local_date = '2026-03-17'"), 1);
	assert_int_equal(q_int(db, "SELECT programme_week FROM attendance a JOIN session s"
	                           " ON s.id = a.session WHERE participant = 1"
	                           " AND s.local_date = '2026-03-17'"), 3);
	assert_int_equal(q_int(db, "SELECT count(*) FROM tap_unmatched WHERE reason = 'not_eligible'"),
	                 2);
	/* Withdrawal: from that date on, nothing is expected. */
	exec(db, "UPDATE enrolment SET withdrawn_on = '2026-03-24' WHERE participant = 2");
	rebuild(db, AS_OF);
	assert_int_equal(q_int(db, "SELECT count(*) FROM attendance WHERE participant = 2"), 1);
}

/* Taps are the truth: learning of a schedule or an enrolment late gives
 * exactly what knowing it from the start would have, and rebuilding twice
 * gives the same tables. */
static void test_late_knowledge_and_determinism(void **state)
{
	sqlite3 *db = *state;
	char *first, *again, *late;

	session(db, "burnley", "football", "2026-03-03", "18:00", "19:30");
	session(db, "padiham", "gym", "2026-03-05", "10:00", "11:00");
	enrol(db, 1, "2026-03-02", "2026-05-24");
	enrol(db, 2, "2026-03-02", "2026-05-24");
	tap(db, 1, "burnley", "2026-03-03T17:50:00Z");
	tap(db, 1, "burnley", "2026-03-03T19:31:00Z");
	tap(db, 2, "padiham", "2026-03-05T09:58:00Z");
	tap(db, 2, "padiham", "2026-03-05T10:02:00Z");
	tap(db, 1, "padiham", "2026-03-12T10:00:00Z"); /* no session (yet) */
	rebuild(db, AS_OF);
	first = dump(db);
	rebuild(db, AS_OF);
	again = dump(db);
	assert_string_equal(first, again);

	/* Forget enrolment 2 and the padiham session, rebuild, then learn them
	 * again (late), rebuild: same as the first time. */
	exec(db, "DELETE FROM enrolment WHERE participant = 2");
	rebuild(db, AS_OF);
	late = dump(db);
	assert_string_not_equal(late, first);
	free(late);
	enrol(db, 2, "2026-03-02", "2026-05-24");
	rebuild(db, AS_OF);
	late = dump(db);
	assert_string_equal(late, first);
	/* A schedule change: the 12 March session was held after all. */
	session(db, "padiham", "gym", "2026-03-12", "10:00", "11:00");
	rebuild(db, AS_OF);
	assert_int_equal(q_int(db, "SELECT count(*) FROM tap_unmatched"), 0);
	assert_int_equal(q_int(db, "SELECT attended FROM attendance a JOIN session s"
	                           " ON s.id = a.session WHERE participant = 1"
	                           " AND local_date = '2026-03-12'"), 1);
	free(first);
	free(again);
	free(late);
}

static void test_activity_levels(void **state)
{
	sqlite3 *db = *state;
	/* (moderate minutes, vigorous minutes, level) */
	static const struct { int mod, vig; const char *level; } cases[] = {
		{ 29, 0, "<30" }, { 30, 0, "30-149" }, { 149, 0, "30-149" },
		{ 150, 0, "150+" }, { 0, 14, "<30" }, { 0, 15, "30-149" },
		{ 0, 74, "30-149" }, { 0, 75, "150+" }, { 28, 1, "30-149" },
	};
	(void)db;
	assert_string_equal(tl_minutes_band(0), "<30");
	assert_string_equal(tl_minutes_band(29), "<30");
	assert_string_equal(tl_minutes_band(30), "30-149");
	assert_string_equal(tl_minutes_band(149), "30-149");
	assert_string_equal(tl_minutes_band(150), "150+");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_string_equal(tl_minutes_band(tl_moderate_equivalent(cases[i].mod, cases[i].vig)),
		                    cases[i].level);
}

/* The same boundaries through a rebuild: one gym (moderate, MET 5)
 * session a week, attended for 29, 30, 149 and 150 minutes, and football
 * (vigorous, MET 7) for 75 minutes. */
static void test_activity_weeks(void **state)
{
	sqlite3 *db = *state;
	static const struct { const char *date, *in, *out, *level; int mem; } w[] = {
		{ "2026-03-02", "2026-03-02T10:00:00Z", "2026-03-02T10:29:00Z", "<30", 29 },
		{ "2026-03-09", "2026-03-09T10:00:00Z", "2026-03-09T10:30:00Z", "30-149", 30 },
		{ "2026-03-16", "2026-03-16T10:00:00Z", "2026-03-16T12:29:00Z", "30-149", 149 },
		{ "2026-03-23", "2026-03-23T10:00:00Z", "2026-03-23T12:30:00Z", "150+", 150 },
	};
	enrol(db, 1, "2026-03-02", "2026-05-24");
	for (size_t i = 0; i < 4; i++) {
		session(db, "padiham", "gym", w[i].date, "10:00", "13:00");
		tap(db, 1, "padiham", w[i].in);
		tap(db, 1, "padiham", w[i].out);
	}
	session(db, "burnley", "football", "2026-03-31", "18:00", "19:15");
	tap(db, 1, "burnley", "2026-03-31T16:50:00Z"); /* 17:50 BST */
	tap(db, 1, "burnley", "2026-03-31T18:20:00Z");
	rebuild(db, AS_OF);
	for (size_t i = 0; i < 4; i++) {
		char *level;
		char sql[256];
		snprintf(sql, sizeof sql, "SELECT minutes_band FROM activity_week WHERE week_start ="
		                          " '%s'", w[i].date);
		level = q_text(db, sql);
		assert_string_equal(level, w[i].level);
		free(level);
		assert_int_equal(q_int(db, "SELECT moderate_equivalent_minutes FROM activity_week"
		                           " WHERE week_start = %Q", w[i].date), w[i].mem);
	}
	assert_int_equal(q_int(db, "SELECT moderate_equivalent_minutes FROM activity_week"
	                           " WHERE iso_week = '2026-W14'"), 150);
	assert_int_equal(q_int(db, "SELECT met_minutes FROM activity_week"
	                           " WHERE iso_week = '2026-W14'"), 75 * 7);
	assert_int_equal(q_int(db, "SELECT count(*) FROM activity_week"
	                           " WHERE iso_week = '2026-W14' AND minutes_band = '150+'"), 1);
}

static void test_followup_and_cancelled(void **state)
{
	sqlite3 *db = *state;
	const char *dates[] = { "2026-03-03", "2026-03-10", "2026-03-17", "2026-03-24", "2026-03-31" };
	long long last = 0;

	for (int i = 0; i < 5; i++)
		last = session(db, "burnley", "football", dates[i], "18:00", "19:30");
	enrol(db, 1, "2026-03-02", "2026-05-24");
	enrol(db, 2, "2026-03-02", "2026-05-24");
	tap(db, 1, "burnley", "2026-03-03T17:50:00Z");
	tap(db, 1, "burnley", "2026-03-10T17:50:00Z");
	tap(db, 1, "burnley", "2026-03-17T17:50:00Z");
	tap(db, 2, "burnley", "2026-03-03T17:50:00Z");
	tap(db, 2, "burnley", "2026-03-31T16:50:00Z");
	rebuild(db, "2026-03-25T00:00:00Z"); /* four sessions held */
	assert_int_equal(q_int(db, "SELECT missed_run FROM engagement WHERE participant = 1"), 1);
	assert_int_equal(q_int(db, "SELECT followup FROM engagement WHERE participant = 1"), 0);
	assert_int_equal(q_int(db, "SELECT missed_run FROM engagement WHERE participant = 2"), 3);
	assert_int_equal(q_int(db, "SELECT followup FROM engagement WHERE participant = 2"), 1);
	assert_int_equal(q_int(db, "SELECT sessions_expected FROM engagement WHERE participant = 2"), 4);
	assert_int_equal(q_int(db, "SELECT weeks_attended FROM engagement WHERE participant = 1"), 3);
	rebuild(db, "2026-04-01T00:00:00Z"); /* five held */
	assert_int_equal(q_int(db, "SELECT followup FROM engagement WHERE participant = 1"), 1);
	assert_int_equal(q_int(db, "SELECT missed_run FROM engagement WHERE participant = 2"), 0);
	/* Cancelling the last session: nobody missed it, the tap at it is kept. */
	exec(db, "UPDATE session SET cancelled_at = 1 WHERE id = %lld", last);
	rebuild(db, "2026-04-01T00:00:00Z");
	assert_int_equal(q_int(db, "SELECT missed_run FROM engagement WHERE participant = 1"), 1);
	assert_int_equal(q_int(db, "SELECT missed_run FROM engagement WHERE participant = 2"), 3);
	assert_int_equal(q_int(db, "SELECT count(*) FROM tap_unmatched"
	                           " WHERE reason = 'cancelled_session'"), 1);
	/* Withdrawn participants are not chased. */
	exec(db, "UPDATE enrolment SET withdrawn_on = '2026-03-20' WHERE participant = 2");
	rebuild(db, "2026-04-01T00:00:00Z");
	assert_int_equal(q_int(db, "SELECT followup FROM engagement WHERE participant = 2"), 0);
	/* After the programme has ended, nobody is chased either. */
	rebuild(db, AS_OF);
	assert_int_equal(q_int(db, "SELECT count(*) FROM engagement WHERE followup"), 0);
}

/* Sessions on Thursday 31 December 2026 and Saturday 2 January 2027 are
 * in the same ISO week, 2026-W53, and in one programme week. */
static void test_week_53(void **state)
{
	sqlite3 *db = *state;

	session(db, "padiham", "gym", "2026-12-28", "10:00", "11:00");
	session(db, "padiham", "gym", "2026-12-31", "10:00", "11:00");
	session(db, "burnley", "football", "2027-01-02", "11:00", "12:00");
	session(db, "burnley", "football", "2027-01-04", "11:00", "12:00");
	enrol(db, 1, "2026-12-29", "2027-03-22");
	tap(db, 1, "padiham", "2026-12-31T09:55:00Z");
	tap(db, 1, "padiham", "2026-12-31T11:00:00Z");
	tap(db, 1, "burnley", "2027-01-02T10:55:00Z");
	tap(db, 1, "burnley", "2027-01-02T12:00:00Z");
	tap(db, 1, "burnley", "2027-01-04T10:55:00Z");
	rebuild(db, "2027-02-01T00:00:00Z");
	assert_int_equal(q_int(db, "SELECT count(*) FROM activity_week"), 2);
	assert_int_equal(q_int(db, "SELECT sessions_attended FROM activity_week"
	                           " WHERE iso_week = '2026-W53' AND week_start = '2026-12-28'"), 2);
	assert_int_equal(q_int(db, "SELECT moderate_equivalent_minutes FROM activity_week"
	                           " WHERE iso_week = '2026-W53'"), 60 + 2 * 60);
	assert_int_equal(q_int(db, "SELECT sessions_attended FROM activity_week"
	                           " WHERE iso_week = '2027-W01'"), 1);
	assert_int_equal(q_int(db, "SELECT count(DISTINCT programme_week) FROM attendance a"
	                           " JOIN session s ON s.id = a.session"
	                           " WHERE s.iso_week = '2026-W53'"), 1);
	assert_int_equal(q_int(db, "SELECT weeks_attended FROM engagement"), 2);
}

/* week_sessions for the collector's ack, as each tap arrives. */
static void test_week_sessions(void **state)
{
	sqlite3 *db = *state;
	int n = -1;

	session(db, "burnley", "football", "2026-03-03", "18:00", "19:30"); /* Tue W10 */
	session(db, "padiham", "gym", "2026-03-05", "10:00", "11:00");     /* Thu W10 */
	session(db, "burnley", "football", "2026-03-10", "18:00", "19:30"); /* Tue W11 */
	enrol(db, 1, "2026-03-02", "2026-05-24");
	assert_int_equal(tl_attendance_week_sessions(db, 1, utc("2026-03-03T17:50:00Z"), &n), 0);
	assert_int_equal(n, 0);
	tap(db, 1, "burnley", "2026-03-03T17:50:00Z");
	assert_int_equal(tl_attendance_week_sessions(db, 1, utc("2026-03-03T17:50:00Z"), &n), 0);
	assert_int_equal(n, 1);
	tap(db, 1, "burnley", "2026-03-03T19:31:00Z"); /* check-out: still one */
	assert_int_equal(tl_attendance_week_sessions(db, 1, utc("2026-03-03T19:31:00Z"), &n), 0);
	assert_int_equal(n, 1);
	tap(db, 1, "padiham", "2026-03-05T09:55:00Z");
	assert_int_equal(tl_attendance_week_sessions(db, 1, utc("2026-03-05T09:55:00Z"), &n), 0);
	assert_int_equal(n, 2);
	tap(db, 1, "burnley", "2026-03-10T17:45:00Z");
	assert_int_equal(tl_attendance_week_sessions(db, 1, utc("2026-03-10T17:45:00Z"), &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(tl_attendance_week_sessions(db, 3, utc("2026-03-10T17:45:00Z"), &n), 0);
	assert_int_equal(n, -1); /* not enrolled: the ack leaves week_sessions out */
}

/* The rebuild suspends foreign key checks for speed (see
 * tl_attendance_rebuild): what it writes must still pass them, and they
 * must be back on afterwards, inside the caller's transaction or not. */
static void test_foreign_keys(void **state)
{
	sqlite3 *db = *state;
	long long s = session(db, "burnley", "football", "2026-03-03", "18:00", "19:30");

	session(db, "padiham", "gym", "2026-03-05", "10:00", "11:00");
	enrol(db, 1, "2026-03-02", "2026-05-24");
	enrol(db, 2, "2026-03-02", "2026-05-24");
	tap(db, 1, "burnley", "2026-03-03T17:50:00Z");
	tap(db, 3, "burnley", "2026-03-03T17:51:00Z"); /* not enrolled */
	exec(db, "BEGIN IMMEDIATE");
	rebuild(db, AS_OF);
	rebuild(db, AS_OF); /* replacing the rows, not filling empty tables */
	assert_int_equal(q_int(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO attendance (participant, session, programme,"
	                                  " programme_week, attended, minutes, minutes_estimated)"
	                                  " VALUES (1, 999, 'kick', 1, 0, 0, 0)",
	                              NULL, NULL, NULL),
	                 SQLITE_CONSTRAINT_FOREIGNKEY);
	exec(db, "COMMIT");
	rebuild(db, AS_OF);
	assert_int_equal(q_int(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM attendance"), 4);
	assert_int_equal(q_int(db, "SELECT attended FROM attendance WHERE participant = 1"
	                           " AND session = %lld", s), 1);
	/* A connection that had them off keeps them off. */
	exec(db, "PRAGMA foreign_keys = OFF");
	rebuild(db, AS_OF);
	assert_int_equal(q_int(db, "PRAGMA foreign_keys"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pairing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_back_to_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rolling_intake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_late_knowledge_and_determinism, setup, teardown),
		cmocka_unit_test_setup_teardown(test_activity_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_activity_weeks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_followup_and_cancelled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_week_53, setup, teardown),
		cmocka_unit_test_setup_teardown(test_week_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_keys, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
