/* store.h - the SQLite database shared by the collector, the admin CLI and
 * the dashboard: opening it the same way everywhere, and its schema.
 *
 * The schema is versioned with PRAGMA user_version and only ever migrated
 * forward (store_schema.c). Every program opens the database in WAL mode
 * with a busy timeout, so readers never block the collector's writes. */
#ifndef TL_STORE_H
#define TL_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

enum {
	TL_STORE_CREATE = 1,   /* create the file (mode 0600) if missing */
	TL_STORE_READONLY = 2, /* open for reading only */
	TL_STORE_NOMIGRATE = 4, /* open as is; used by the migration tests */
	TL_STORE_PRIVATE = 8    /* refuse a file group or others can read */
};

#define TL_STORE_BUSY_MS 10000

/* Opens (and migrates) the database at path. Returns NULL with err set. */
sqlite3 *tl_store_open(const char *path, int flags, char *err, size_t errlen);
void tl_store_close(sqlite3 *db);

/* Number of the newest schema this build knows. */
int tl_store_latest_version(void);
int tl_store_version(sqlite3 *db);
/* Migrates forward to version target (<= latest), each step in its own
 * transaction. Refuses a database newer than this build. */
int tl_store_migrate_to(sqlite3 *db, int target, char *err, size_t errlen);

/* After erasing or purging personal data (committed): rewrites the whole
 * database (VACUUM), so no old copy of a deleted row survives in a free
 * page or in a page's unused space, then checkpoints the WAL into the file
 * and truncates it to nothing. With secure_delete (set on every writable
 * connection) a delete already zeroes what it frees; this also clears what
 * earlier versions left behind and the WAL's old frames. Waits (busy
 * timeout) for other connections' transactions; -1 with err set if the
 * WAL could not be emptied. */
int tl_store_scrub(sqlite3 *db, char *err, size_t errlen);

/* Runs SQL that returns no rows; returns 0 or -1 with err set. */
int tl_store_exec(sqlite3 *db, const char *sql, char *err, size_t errlen);
/* Prepares sql; logs and returns NULL on failure (a programming error). */
sqlite3_stmt *tl_store_prepare(sqlite3 *db, const char *sql);

/* Deletes the dead letters received before `before` (Unix seconds) and
 * adds them to the counts of dead letters not kept (deadletter_drop) under
 * cause ("age" or "purge"), in the caller's transaction; *dropped is how
 * many. Returns 0, or -1 on a database error (sqlite3_errmsg says). */
int tl_deadletter_expire(sqlite3 *db, int64_t before, const char *cause, int64_t *dropped);

/* Registers SQL functions on db for exports and reports:
 *   tl_local_time(ts, tz)  -> "2026-03-03T18:00:00+00:00" (NULL if ts NULL)
 *   tl_local_date(ts, tz)  -> "2026-03-03"
 * Returns SQLITE_OK or SQLite's code. */
int tl_zone_sql_register(sqlite3 *db);

#endif
