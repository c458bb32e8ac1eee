/* test_store_migrate.c - a database created by any earlier schema version
 * migrates to the latest with its data intact. For each version k, builds
 * a database at k, fills it with what version k can hold, migrates, and
 * checks the data and the new defaults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

static void exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

static long long q_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Data each version introduces, inserted when the database is at least at
 * that version. Index v-1 holds version v's data. */
static const char *const version_data[] = {
	/* 1 */
	"INSERT INTO site (id, name, created_at) VALUES ('burnley', 'Burnley', 1);"
	"INSERT INTO reader (site, id, created_at) VALUES ('burnley', 'pitch-1', 1);"
	"INSERT INTO participant (id, code, created_at) VALUES (1, 'P-0001', 1);"
	"INSERT INTO participant_name (participant, name) VALUES (1, 'A Person');"
	"INSERT INTO card (token, participant, enrolled_at) VALUES"
	"  ('0123456789abcdef0123456789abcdef', 1, 1);"
	"INSERT INTO tap (id, site, reader, card, participant, ts, seq, received_at) VALUES"
	"  ('t1', 'burnley', 'pitch-1', '0123456789abcdef0123456789abcdef', 1, 1772560200, 1,"
	"   1772560200);"
	"INSERT INTO deadletter (received_at, topic, payload, payload_size, reason) VALUES"
	"  (1772560200, 'touchline/v1/burnley/pitch-1/tap', 'x', 1, 'bad_json');",
	/* 2 */
	"INSERT INTO programme (id, name, created_at) VALUES ('kick', 'Kick', 1);"
	"INSERT INTO programme_site VALUES ('kick', 'burnley');"
	"INSERT INTO enrolment (programme, participant, start_date, end_date, created_at)"
	"  VALUES ('kick', 1, '2026-03-02', '2026-05-24', 1);"
	"INSERT INTO session (programme, site, activity, local_date, start_time, end_time,"
	"  start_ts, end_ts, iso_week, week_start, created_at) VALUES ('kick', 'burnley',"
	"  'football', '2026-03-03', '18:00', '19:30', 1772560800, 1772566200, '2026-W10',"
	"  '2026-03-02', 1);",
	/* 3 */
	"UPDATE reader SET clock_offset = -3600, clock_at = 1772560000;",
	/* 4 */
	"INSERT INTO tap (id, site, reader, card, participant, ts, seq, received_at) VALUES"
	"  ('t2', 'burnley', 'pitch-1', '0123456789abcdef0123456789abcdef', 1, 1772566000, 2,"
	"   1772566000);",
	/* 5 (in parentheses: one statement split over two lines, not two entries) */
	("INSERT INTO attendance (participant, session, programme, programme_week, attended,"
	 "  minutes, minutes_estimated) VALUES (1, 1, 'kick', 1, 1, 90, 0);"),
	/* 6 */
	("INSERT INTO expectation (programme, participant, from_date, sites, created_at)"
	 "  VALUES ('kick', 1, '2026-03-02', 'burnley', 1);"),
	/* 7 */
	("UPDATE tap SET suspect = 'seq_backwards' WHERE id = 't1';"
	 "INSERT INTO deadletter (received_at, topic, payload, payload_size, reason, retained)"
	 "  VALUES (1, 'touchline/v1/burnley/pitch-1/tap', 'x', 1, 'bad_json', 1);"),
	/* 8 */
	("INSERT INTO deadletter (received_at, topic, payload, payload_size, reason, site, reader)"
	 "  VALUES (1772560300, 'touchline/v1/burnley/pitch-1/tap', 'y', 1, 'bad_json', 'burnley',"
	 "  'pitch-1');"
	 "INSERT INTO deadletter_drop VALUES ('burnley', 'pitch-1', 'cap', 'bad_json', 3, 30,"
	 "  1772560000, 1772560100);"),
	/* 9 */
	("INSERT INTO instrument (id, name, definition, added_at) VALUES ('x', 'X', '', 1);"
	 "INSERT INTO assessment (participant, programme, instrument, wave, date, scores,"
	 "  created_at) VALUES (1, 'kick', 'x', 'intake', '2026-03-02', '3,4', 1);"
	 "INSERT INTO referral (programme, participant, source, referred_on, created_at)"
	 "  VALUES ('kick', 1, 'probation', '2026-02-20', 1);"
	 "UPDATE enrolment SET exit_reason = 'work_or_training';"),
	/* 10 */
	("INSERT INTO attendance_mark (participant, session, minutes, reason, marked_by, marked_at)"
	 "  VALUES (1, 1, 45, 'forgot card', 'coach', 1);"
	 "INSERT INTO staff (name, token, added_at) VALUES ('Coach', 'ffffffffffffffffffffffffffffffff', 1);"
	 "UPDATE attendance SET source = 'manual';"),
	/* 11 */
	"INSERT INTO reader_problem (site, reader, kind, start_at, worst)"
	"  VALUES ('burnley', 'pitch-1', 'clock', 1772560000, -3600);",
};

/* Checks version v's data survived. */
static void check_version_data(sqlite3 *db, int v)
{
	if (v >= 1) {
		assert_int_equal(q_int(db, "SELECT count(*) FROM tap WHERE participant = 1"),
		                 v >= 4 ? 2 : 1);
		assert_int_equal(q_int(db, "SELECT count(*) FROM card"), 1);
		assert_int_equal(q_int(db, "SELECT count(*) FROM participant_name"), 1);
		assert_int_equal(q_int(db, "SELECT count(*) FROM reader"), 1);
	}
	if (v >= 2) {
		assert_int_equal(q_int(db, "SELECT count(*) FROM enrolment"), 1);
		assert_int_equal(q_int(db, "SELECT count(*) FROM session"), 1);
	}
	if (v >= 3)
		assert_int_equal(q_int(db, "SELECT clock_offset FROM reader"), -3600);
	if (v >= 4)
		assert_int_equal(q_int(db, "SELECT count(*) FROM pragma_index_info('tap_participant')"),
		                 tl_store_version(db) >= 7 ? 5 : 3);
	if (v >= 5) {
		assert_int_equal(q_int(db, "SELECT count(*) FROM attendance WHERE attended"), 1);
		assert_int_equal(q_int(db, "SELECT count(*) FROM pragma_index_info('attendance_session')"),
		                 tl_store_version(db) >= 6 ? 3 : 2);
	}
	if (v >= 6) {
		/* existing rows keep today's meaning: expected at everything */
		assert_int_equal(q_int(db, "SELECT count(*) FROM attendance WHERE expected = 1"), 1);
		assert_int_equal(q_int(db, "SELECT count(*) FROM expectation"), 1);
		assert_int_equal(q_int(db, "SELECT strength FROM activity WHERE id = 'gym'"), 1);
		assert_int_equal(q_int(db, "SELECT strength FROM activity WHERE id = 'football'"), 0);
		assert_int_equal(q_int(db, "SELECT stale FROM attendance_build"), 1);
	}
	if (v >= 1 && tl_store_version(db) >= 7) {
		assert_int_equal(q_int(db, "SELECT count(*) FROM tap WHERE accepted_at IS NULL"),
		                 v >= 4 ? 2 : 1);
	}
	if (v >= 7) {
		assert_int_equal(q_int(db, "SELECT count(*) FROM tap WHERE suspect IS NOT NULL"), 1);
		assert_int_equal(q_int(db, "SELECT count(*) FROM deadletter WHERE retained = 1"), 1);
	}
	if (v >= 1) /* stored without a source (before migration 8, or naming none) */
		assert_int_equal(q_int(db, "SELECT count(*) FROM deadletter WHERE site IS NULL"),
		                 v >= 7 ? 2 : 1);
	if (v >= 8) {
		assert_int_equal(q_int(db, "SELECT count(*) FROM deadletter WHERE site = 'burnley'"), 1);
		assert_int_equal(q_int(db, "SELECT dropped FROM deadletter_drop"), 3);
	}
	if (v >= 9) {
		assert_int_equal(q_int(db, "SELECT count(*) FROM assessment"), 1);
		assert_int_equal(q_int(db, "SELECT count(*) FROM referral"), 1);
		assert_int_equal(q_int(db, "SELECT count(*) FROM referral_source"), 5);
	}
	if (v >= 10) {
		assert_int_equal(q_int(db, "SELECT minutes FROM attendance_mark"), 45);
		assert_int_equal(q_int(db, "SELECT count(*) FROM staff"), 1);
		assert_int_equal(q_int(db, "SELECT count(*) FROM attendance WHERE source = 'manual'"), 1);
	}
	if (v >= 11)
		assert_int_equal(q_int(db, "SELECT worst FROM reader_problem WHERE end_at IS NULL"),
		                 -3600);
	if (tl_store_version(db) >= 10 && v >= 1 && v < 10) {
		/* taps from before it are no staff's, no random UID's */
		assert_int_equal(q_int(db, "SELECT count(*) FROM tap WHERE staff IS NULL AND random = 0"),
		                 v >= 4 ? 2 : 1);
		if (v >= 5)
			assert_int_equal(q_int(db, "SELECT count(*) FROM attendance WHERE source = 'tap'"), 1);
	}
	if (tl_store_version(db) >= 9 && v < 9) {
		/* enrolments from before it have no exit reason; the default sources exist */
		assert_int_equal(q_int(db, "SELECT count(*) FROM enrolment WHERE exit_reason IS NULL"),
		                 v >= 2 ? 1 : 0);
		assert_int_equal(q_int(db, "SELECT count(*) FROM referral_source"), 5);
	}
}

/* Dead letters expired by age are deleted and counted by source, cause
 * and reason, adding to earlier counts; NULL sources count as "". */
static void test_deadletter_expire(void **state)
{
	char path[64], err[256];
	sqlite3 *db;
	int64_t dropped;
	int fd;
	(void)state;

	snprintf(path, sizeof path, "/tmp/tl-expire-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	db = tl_store_open(path, TL_STORE_CREATE, err, sizeof err);
	assert_non_null(db);
	exec(db, "INSERT INTO deadletter (received_at, topic, payload, payload_size, reason, site,"
	         " reader) VALUES (100, 't', 'a', 10, 'bad_json', 'burnley', 'pitch-1'),"
	         " (200, 't', 'b', 20, 'bad_json', 'burnley', 'pitch-1'),"
	         " (250, 't', 'c', 5, 'bad_ts', 'burnley', 'pitch-1'),"
	         " (260, 't', 'd', 7, 'bad_topic', NULL, NULL),"
	         " (900, 't', 'e', 30, 'bad_json', 'burnley', 'pitch-1')");
	assert_int_equal(tl_deadletter_expire(db, 300, "age", &dropped), 0);
	assert_int_equal(dropped, 4);
	assert_int_equal(q_int(db, "SELECT count(*) FROM deadletter"), 1);
	assert_int_equal(q_int(db, "SELECT dropped * 1000 + payload_bytes FROM deadletter_drop"
	                           " WHERE site = 'burnley' AND cause = 'age' AND reason = 'bad_json'"),
	                 2030);
	assert_int_equal(q_int(db, "SELECT first_at * 1000 + last_at FROM deadletter_drop"
	                           " WHERE site = 'burnley' AND reason = 'bad_json'"), 100200);
	assert_int_equal(q_int(db, "SELECT dropped FROM deadletter_drop WHERE site = ''"
	                           " AND reader = '' AND reason = 'bad_topic'"), 1);
	exec(db, "INSERT INTO deadletter (received_at, topic, payload, payload_size, reason, site,"
	         " reader) VALUES (50, 't', 'f', 1, 'bad_json', 'burnley', 'pitch-1')");
	assert_int_equal(tl_deadletter_expire(db, 300, "age", &dropped), 0);
	assert_int_equal(dropped, 1);
	assert_int_equal(q_int(db, "SELECT dropped * 1000 + payload_bytes FROM deadletter_drop"
	                           " WHERE site = 'burnley' AND cause = 'age' AND reason = 'bad_json'"),
	                 3031);
	assert_int_equal(q_int(db, "SELECT first_at FROM deadletter_drop"
	                           " WHERE site = 'burnley' AND reason = 'bad_json'"), 50);
	assert_int_equal(tl_deadletter_expire(db, 1000, "purge", &dropped), 0);
	assert_int_equal(dropped, 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM deadletter"), 0);
	assert_int_equal(q_int(db, "SELECT dropped FROM deadletter_drop WHERE cause = 'purge'"), 1);
	tl_store_close(db);
	unlink(path);
	snprintf(err, sizeof err, "%s-wal", path);
	unlink(err);
	snprintf(err, sizeof err, "%s-shm", path);
	unlink(err);
}

static void test_every_version(void **state)
{
	int latest = tl_store_latest_version();
	(void)state;

	assert_int_equal((int)(sizeof version_data / sizeof version_data[0]), latest);
	for (int k = 0; k < latest; k++) {
		char path[64], err[256], side[80];
		sqlite3 *db;
		int fd;

		snprintf(path, sizeof path, "/tmp/tl-migrate-XXXXXX");
		fd = mkstemp(path);
		assert_true(fd >= 0);
		close(fd);
		db = tl_store_open(path, TL_STORE_NOMIGRATE, err, sizeof err);
		assert_non_null(db);
		assert_int_equal(tl_store_migrate_to(db, k, err, sizeof err), 0);
		assert_int_equal(tl_store_version(db), k);
		for (int v = 1; v <= k; v++)
			exec(db, version_data[v - 1]);
		assert_int_equal(tl_store_migrate_to(db, latest, err, sizeof err), 0);
		assert_int_equal(tl_store_version(db), latest);
		check_version_data(db, k);
		if (k >= 1 && k < 7) {
			/* a reader's highest seq is found from the taps it had */
			assert_int_equal(q_int(db, "SELECT max_seq FROM reader"), k >= 4 ? 2 : 1);
			assert_int_equal(q_int(db, "SELECT max_seq_ts FROM reader"),
			                 k >= 4 ? 1772566000 : 1772560200);
		}
		/* Data of the versions it did not have can now be added. */
		for (int v = k + 1; v <= latest; v++)
			exec(db, version_data[v - 1]);
		check_version_data(db, latest);
		/* Defaults of migration 2. */
		assert_int_equal(q_int(db, "SELECT count(*) FROM activity WHERE id = 'football'"
		                           " AND intensity = 'vigorous' AND met = 7.0"), 1);
		assert_int_equal(q_int(db, "SELECT count(*) FROM activity WHERE id = 'gym'"
		                           " AND intensity = 'moderate' AND met = 5.0"), 1);
		assert_int_equal(q_int(db, "SELECT weeks FROM programme WHERE id = 'kick'"), 12);
		assert_int_equal(q_int(db, "SELECT count(*) FROM attendance_build"), 1);
		/* Migrating again does nothing. */
		assert_int_equal(tl_store_migrate_to(db, latest, err, sizeof err), 0);
		tl_store_close(db);
		unlink(path);
		snprintf(side, sizeof side, "%s-wal", path);
		unlink(side);
		snprintf(side, sizeof side, "%s-shm", path);
		unlink(side);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_version),
		cmocka_unit_test(test_deadletter_expire),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
