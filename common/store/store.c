/* store.c - see store.h. */
#include "store.h"
#include "log.h"
#include "store_schema.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int tl_store_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *tl_store_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		tl_error("sql prepare failed: %s: %s", sqlite3_errmsg(db), sql);
		return NULL;
	}
	return st;
}

int tl_store_latest_version(void)
{
	return tl_store_migration_count;
}

int tl_store_version(sqlite3 *db)
{
	sqlite3_stmt *st = tl_store_prepare(db, "PRAGMA user_version");
	int v = -1;
	if (st && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

int tl_store_migrate_to(sqlite3 *db, int target, char *err, size_t errlen)
{
	int v = tl_store_version(db);
	char why[512], sql[64];

	if (v < 0) {
		snprintf(err, errlen, "cannot read schema version: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (v > tl_store_migration_count) {
		snprintf(err, errlen,
		         "database schema version %d is newer than this build (%d): upgrade Touchline",
		         v, tl_store_migration_count);
		return -1;
	}
	for (; v < target; v++) {
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		if (tl_store_exec(db, "BEGIN IMMEDIATE", why, sizeof why) ||
		    tl_store_exec(db, tl_store_migrations[v], why, sizeof why) ||
		    tl_store_exec(db, sql, why, sizeof why) ||
		    tl_store_exec(db, "COMMIT", why, sizeof why)) {
			tl_store_exec(db, "ROLLBACK", sql, sizeof sql);
			snprintf(err, errlen, "migration to schema %d failed: %s", v + 1, why);
			return -1;
		}
		tl_debug("database migrated to schema %d", v + 1);
	}
	return 0;
}

int tl_store_scrub(sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int busy = -1, tries;

	if (tl_store_exec(db, "VACUUM", err, errlen))
		return -1;
	/* TRUNCATE waits for readers through the busy handler; a reader that
	 * outlasts it leaves frames in the WAL, so try a few times. */
	for (tries = 0; tries < 3 && busy != 0; tries++) {
		st = tl_store_prepare(db, "PRAGMA wal_checkpoint(TRUNCATE)");
		if (!st) {
			snprintf(err, errlen, "checkpoint: %s", sqlite3_errmsg(db));
			return -1;
		}
		busy = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
		sqlite3_finalize(st);
	}
	if (busy != 0) {
		snprintf(err, errlen, "the write-ahead log could not be emptied (another program"
		         " kept reading the database): run the command again");
		return -1;
	}
	return 0;
}

/* Creates the file with mode 0600 before SQLite does, so the database (and
 * its -wal and -shm files, which SQLite gives the same mode) is never
 * readable by others, whatever the umask. */
static int store_create_private(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
		return -1;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

sqlite3 *tl_store_open(const char *path, int flags, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	int oflags = (flags & TL_STORE_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	struct stat sb;
	char why[512];

	if ((flags & TL_STORE_CREATE) && store_create_private(path, err, errlen))
		return NULL;
	if (stat(path, &sb) != 0) {
		snprintf(err, errlen, "%s: %s (create it with 'touchline --db %s init')", path,
		         strerror(errno), path);
		return NULL;
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		if (flags & TL_STORE_PRIVATE) {
			snprintf(err, errlen, "%s has mode %03o: it holds personal data and must not be "
			         "open to group or others (run: chmod 600 %s)", path,
			         (unsigned)(sb.st_mode & 0777), path);
			return NULL;
		}
		tl_warn("%s is open to group or others (mode %03o): run chmod 600 on it", path,
		        (unsigned)(sb.st_mode & 0777));
	}
	if (sqlite3_open_v2(path, &db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, TL_STORE_BUSY_MS);
	sqlite3_extended_result_codes(db, 1);
	if (tl_store_exec(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;"
	                  " PRAGMA secure_delete = ON", why, sizeof why) ||
	    (!(flags & TL_STORE_READONLY) &&
	     tl_store_exec(db, "PRAGMA journal_mode = WAL", why, sizeof why)) ||
	    (!(flags & (TL_STORE_READONLY | TL_STORE_NOMIGRATE)) &&
	     tl_store_migrate_to(db, tl_store_migration_count, why, sizeof why))) {
		snprintf(err, errlen, "%s: %s", path, why);
		sqlite3_close(db);
		return NULL;
	}
	if ((flags & TL_STORE_READONLY) && tl_store_version(db) != tl_store_migration_count) {
		snprintf(err, errlen, "%s: schema version %d, this build needs %d: run 'touchline init'",
		         path, tl_store_version(db), tl_store_migration_count);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

void tl_store_close(sqlite3 *db)
{
	sqlite3_close(db);
}
