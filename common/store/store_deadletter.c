/* store_deadletter.c - dropping dead letters by age, counted: the
 * collector's age limit and 'touchline purge' share it. */
#include "store.h"
#include "store_schema.h"

#include <stdio.h>

int tl_deadletter_expire(sqlite3 *db, int64_t before, const char *cause, int64_t *dropped)
{
	static const char *const sql[] = {
		"INSERT INTO deadletter_drop (site, reader, cause, reason, dropped, payload_bytes,"
		" first_at, last_at)"
		" SELECT coalesce(site, ''), coalesce(reader, ''), ?2, reason, count(*),"
		"  sum(payload_size), min(received_at), max(received_at)"
		" FROM deadletter WHERE received_at < ?1 GROUP BY 1, 2, 4" TL_DEADLETTER_DROP_UPSERT,
		"DELETE FROM deadletter WHERE received_at < ?1",
	};
	int rc = 0;

	*dropped = 0;
	for (size_t i = 0; i < sizeof sql / sizeof sql[0] && rc == 0; i++) {
		sqlite3_stmt *st = tl_store_prepare(db, sql[i]);
		if (!st)
			return -1;
		sqlite3_bind_int64(st, 1, before);
		if (i == 0)
			sqlite3_bind_text(st, 2, cause, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		if (rc == 0 && i == 1)
			*dropped = sqlite3_changes(db);
		sqlite3_finalize(st);
	}
	return rc;
}
