/* test_store.c - opening the database: created private, refused when
 * newer than this build. (Migrations: test_store_migrate.c.) */
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
		cmocka_unit_test(test_refuse_newer),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
