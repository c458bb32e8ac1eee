/* query.c - the dashboard's access to the database: one way to prepare a
 * statement with the page's filters, so no section can forget one. */
#include "dashboard.h"
#include "calendar.h"
#include "tl_time.h"

#include <stdlib.h>
#include <string.h>

/* Rewrites every "(:name IS NULL OR cond)" of sql in place: to "(1)" when
 * the filter is not given, to "(cond)" when it is. The values stay bound
 * parameters; the rewrite only lets SQLite plan with the filters a page
 * really has (an index on session(site, ...) for a site page) instead of
 * one plan for every page. */
static void query_simplify(char *sql, const char *name, int given)
{
	char pat[32];
	char *p;
	size_t plen;

	snprintf(pat, sizeof pat, "(%s IS NULL OR ", name);
	plen = strlen(pat);
	while ((p = strstr(sql, pat)) != NULL) {
		char *q = p + plen;
		int depth = 1;
		while (*q && depth) { /* find the matching ')' */
			if (*q == '(')
				depth++;
			else if (*q == ')')
				depth--;
			q++;
		}
		if (depth)
			return;
		if (given) {
			memmove(p + 1, p + plen, strlen(p + plen) + 1); /* "(cond)" */
		} else {
			memmove(p + 1, q - 1, strlen(q - 1) + 1); /* "()" */
			memmove(p + 2, p + 1, strlen(p + 1) + 1); /* "(1)" */
			p[1] = '1';
		}
	}
}

void dash_bind(sqlite3_stmt *st, const char *name, const char *value)
{
	int i = sqlite3_bind_parameter_index(st, name);
	if (i > 0 && value && value[0])
		sqlite3_bind_text(st, i, value, -1, SQLITE_TRANSIENT);
}

sqlite3_stmt *dash_query(struct dash *d, const struct dash_scope *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	char *text = strdup(sql);

	if (!text)
		dash_fail("out of memory");
	query_simplify(text, ":prog", s && s->programme);
	query_simplify(text, ":site", s && s->site);
	query_simplify(text, ":since", d->since[0] != '\0');
	if (sqlite3_prepare_v2(d->db, text, -1, &st, NULL) != SQLITE_OK)
		dash_fail("database: %s: %s", sqlite3_errmsg(d->db), text);
	free(text);
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

const char *dash_weekday_name(int weekday)
{
	static const char *const names[] = { "",         "Monday", "Tuesday", "Wednesday",
		                             "Thursday", "Friday", "Saturday", "Sunday" };
	return weekday >= 1 && weekday <= 7 ? names[weekday] : "";
}

const char *dash_day(const char *date, int longer, char buf[32])
{
	static const char *const months[] = { "January", "February", "March",     "April",
		                              "May",     "June",     "July",      "August",
		                              "September", "October", "November", "December" };
	int64_t days;
	int y, m, dd;

	if (tl_cal_parse(date, &days)) {
		snprintf(buf, 32, "%.20s", date);
		return buf;
	}
	tl_cal_civil(days, &y, &m, &dd);
	if (longer)
		snprintf(buf, 32, "%s %d %s", dash_weekday_name(tl_cal_weekday(days)), dd,
		         months[m - 1]);
	else
		snprintf(buf, 32, "%.3s %d %.3s", dash_weekday_name(tl_cal_weekday(days)), dd,
		         months[m - 1]);
	return buf;
}
