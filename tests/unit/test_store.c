/* test_store.c - opening the database, and migrating to the newest schema
 * from every earlier version with data in it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "store.h"

/* Data written at each schema version (index = version), checked after
 * migrating to the newest. Add a row here with every new migration. */
static const char *const seeds[] = {
	NULL,
	"INSERT INTO site (id, name, created_at) VALUES ('burnley', 'Burnley', 1);"
	"INSERT INTO reader (site, id, created_at) VALUES ('burnley', 'pitch-1', 1);"
	"INSERT INTO participant (id, code, created_at) VALUES (1, 'P-0001', 1);"
	"INSERT INTO card (token, participant, enrolled_at)"
	"  VALUES ('0123456789abcdef0123456789abcdef', 1, 1);"
	"INSERT INTO tap (id, site, reader, card, participant, ts, seq, received_at) VALUES"
	"  ('6f1c2a3b-1d2e-4f3a-8b4c-5d6e7f8a9b0c', 'burnley', 'pitch-1',"
	"   '0123456789abcdef0123456789abcdef', 1, 1772561112, 1, 1772561113);",
};

static char path[64];

static int setup(void **state)
{
	(void)state;
	snprintf(path, sizeof path, "/tmp/tl-store-test-%d.db", (int)getpid());
	return 0;
}

static void remove_db(void)
{
	char p[80];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

static long long scalar(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = tl_store_prepare(db, sql);
	long long v = -1;
	assert_non_null(st);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_create_private(void **state)
{
	char err[256];
	struct stat sb;
	sqlite3 *db;
	(void)state;
	remove_db();
	umask(022);
	db = tl_store_open(path, TL_STORE_CREATE, err, sizeof err);
	assert_non_null(db);
	assert_int_equal(tl_store_version(db), tl_store_latest_version());
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	tl_store_close(db);
	remove_db();
	assert_null(tl_store_open(path, 0, err, sizeof err));
	assert_non_null(strstr(err, "touchline --db"));
}

static void test_migrate_from_every_version(void **state)
{
	int latest = tl_store_latest_version();
	char err[256];
	(void)state;
	assert_int_equal(latest + 1, (int)(sizeof seeds / sizeof seeds[0]));
	for (int from = 0; from < latest; from++) {
		sqlite3 *db;
		remove_db();
		db = tl_store_open(path, TL_STORE_CREATE | TL_STORE_NOMIGRATE, err, sizeof err);
		assert_non_null(db);
		assert_int_equal(tl_store_migrate_to(db, from, err, sizeof err), 0);
		assert_int_equal(tl_store_version(db), from);
		for (int v = 1; v <= from; v++) {
			/* Seeds of older versions must still apply at this one. */
			if (seeds[v] && v == from)
				assert_int_equal(tl_store_exec(db, seeds[v], err, sizeof err), 0);
		}
		tl_store_close(db);
		db = tl_store_open(path, 0, err, sizeof err);
		assert_non_null(db);
		assert_int_equal(tl_store_version(db), latest);
		if (from >= 1) {
			assert_int_equal(scalar(db, "SELECT count(*) FROM tap t JOIN participant p"
			                            " ON p.id = t.participant WHERE p.code = 'P-0001'"),
			                 1);
			assert_int_equal(scalar(db, "SELECT ts FROM tap"), 1772561112);
		}
		assert_int_equal(tl_store_exec(db, seeds[1], err, sizeof err) == 0, from < 1);
		assert_int_equal(scalar(db, "SELECT count(*) FROM pragma_integrity_check"
		                            " WHERE integrity_check = 'ok'"),
		                 1);
		tl_store_close(db);
	}
	remove_db();
}

static void test_refuse_newer(void **state)
{
	char err[256];
	sqlite3 *db;
	(void)state;
	remove_db();
	db = tl_store_open(path, TL_STORE_CREATE, err, sizeof err);
	assert_non_null(db);
	assert_int_equal(tl_store_exec(db, "PRAGMA user_version = 999", err, sizeof err), 0);
	tl_store_close(db);
	assert_null(tl_store_open(path, 0, err, sizeof err));
	assert_non_null(strstr(err, "newer than this build"));
	remove_db();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_private),
		cmocka_unit_test(test_migrate_from_every_version),
		cmocka_unit_test(test_refuse_newer),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
