/* query.c - the dashboard's access to the database: one way to prepare a
 * statement with the page's filters, so no section can forget one. */
#include "dashboard.h"
#include "tl_time.h"

#include <string.h>

void dash_bind(sqlite3_stmt *st, const char *name, const char *value)
{
	int i = sqlite3_bind_parameter_index(st, name);
	if (i > 0 && value && value[0])
		sqlite3_bind_text(st, i, value, -1, SQLITE_TRANSIENT);
}

sqlite3_stmt *dash_query(struct dash *d, const struct dash_scope *s, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK)
		dash_fail("database: %s: %s", sqlite3_errmsg(d->db), sql);
	if (s) {
		dash_bind(st, ":prog", s->programme);
		dash_bind(st, ":site", s->site);
	}
	dash_bind(st, ":since", d->since);
	dash_bind(st, ":today", d->today);
	dash_bind(st, ":week", d->this_week);
	dash_bind(st, ":lastweek", d->last_week);
	return st;
}

int dash_step(struct dash *d, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		dash_fail("database: %s", sqlite3_errmsg(d->db));
	return 0;
}

const char *dash_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t ? (const char *)t : "";
}

int dash_percent(long num, long den)
{
	if (den <= 0)
		return -1;
	return (int)((200 * num + den) / (2 * den));
}

const char *dash_utc(sqlite3_stmt *st, int col, char buf[32])
{
	char t[TL_TIME_LEN];

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return "never";
	tl_time_format(sqlite3_column_int64(st, col), t);
	/* "2026-04-14T17:00:00Z" -> "2026-04-14 17:00 UTC" */
	snprintf(buf, 32, "%.10s %.5s UTC", t, t + 11);
	return buf;
}
