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
	"   1772560200);",
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
	("INSERT INTO instrument (id, name, definition, added_at) VALUES ('x', 'X', '', 1);"
	 "INSERT INTO assessment (participant, programme, instrument, wave, date, scores,"
	 "  created_at) VALUES (1, 'kick', 'x', 'intake', '2026-03-02', '3,4', 1);"
	 "INSERT INTO referral (programme, participant, source, referred_on, created_at)"
	 "  VALUES ('kick', 1, 'probation', '2026-02-20', 1);"
	 "UPDATE enrolment SET exit_reason = 'work_or_training';"),
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
		                 3);
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
	if (v >= 7) {
		assert_int_equal(q_int(db, "SELECT count(*) FROM assessment"), 1);
		assert_int_equal(q_int(db, "SELECT count(*) FROM referral"), 1);
		assert_int_equal(q_int(db, "SELECT count(*) FROM referral_source"), 5);
	}
	if (tl_store_version(db) >= 7 && v < 7) {
		/* enrolments from before it have no exit reason; the default sources exist */
		assert_int_equal(q_int(db, "SELECT count(*) FROM enrolment WHERE exit_reason IS NULL"),
		                 v >= 2 ? 1 : 0);
		assert_int_equal(q_int(db, "SELECT count(*) FROM referral_source"), 5);
	}
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
