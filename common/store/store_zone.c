/* store_zone.c - local times in SQL, for exports and reports (see
 * store.h), from the calendar's zone rules. */
#include "store.h"

#include "calendar.h"

static void zone_sql_time(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char buf[TL_LOCAL_LEN];
	const char *tz = (const char *)sqlite3_value_text(argv[1]);

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL || !tz) {
		sqlite3_result_null(ctx);
		return;
	}
	tl_zone_format(tz, sqlite3_value_int64(argv[0]), buf);
	sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

static void zone_sql_date(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char buf[TL_DATE_LEN];
	const char *tz = (const char *)sqlite3_value_text(argv[1]);

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL || !tz) {
		sqlite3_result_null(ctx);
		return;
	}
	tl_cal_format(tl_zone_local_days(tz, sqlite3_value_int64(argv[0])), buf);
	sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

int tl_zone_sql_register(sqlite3 *db)
{
	int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
	int rc = sqlite3_create_function(db, "tl_local_time", 2, flags, NULL, zone_sql_time, NULL,
	                                 NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "tl_local_date", 2, flags, NULL, zone_sql_date, NULL,
		                             NULL);
	return rc;
}
