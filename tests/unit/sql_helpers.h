/* sql_helpers.h - for unit tests that set up and query a database with
 * printf-style SQL (sqlite3_vmprintf: %q quotes, %lld and so on). A
 * failing statement fails the test with its text and SQLite's message. */
#ifndef TL_TEST_SQL_HELPERS_H
#define TL_TEST_SQL_HELPERS_H

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

/* Removes a test database file and its WAL and shared-memory files. */
static inline void unlink_db(const char *path)
{
	char side[600];

	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

static inline void exec(sqlite3 *db, const char *fmt, ...)
{
	char *sql, *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_free(sql);
}

/* The first column of the first row as an integer: -1 if there is no
 * row, -2 if the value is NULL. */
static inline long long q_int(sqlite3 *db, const char *fmt, ...)
{
	sqlite3_stmt *st;
	char *sql;
	long long v = -1;
	va_list ap;
	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -2 : sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_free(sql);
	return v;
}

#endif
