/* query.c - the dashboard's access to the database: one way to prepare a
 * statement with the page's filters, so no section can forget one. */
#include "dashboard.h"
#include "calendar.h"
#include "grow.h"
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

/* The display zone's UTC offset at t, from tl_zone_format's "+hh:mm". */
static int zone_probe(const char *tz, int64_t t)
{
	char buf[TL_LOCAL_LEN];
	int h, m;

	tl_zone_format(tz, t, buf);
	if (strlen(buf) < 25 || tl_cal_digits(buf + 20, 2, &h) || tl_cal_digits(buf + 23, 2, &m))
		return 0;
	return (buf[19] == '-' ? -1 : 1) * (h * 3600 + m * 60);
}

/* The zone's offsets from 2000 to 2100 as a list of changes, found by a
 * probe a week and a bisection at each change: the zone functions set
 * the process's TZ, which only one thread may do, and the downloads
 * thread does; so the pages look their local times up in this list. */
void dash_zone_init(struct dash *d)
{
	sqlite3_stmt *st = dash_query(d, NULL,
	                              "SELECT tz FROM programme WHERE (:prog IS NULL OR id = :prog)"
	                              " GROUP BY tz ORDER BY count(*) DESC, tz LIMIT 1");
	int64_t t, end = 4102444800; /* 2100-01-01 */
	int off;
	size_t cap = 0;

	snprintf(d->zone, sizeof d->zone, "%s", "Europe/London");
	if (dash_step(d, st))
		snprintf(d->zone, sizeof d->zone, "%s", dash_text(st, 0));
	sqlite3_finalize(st);
	d->nzone = 0;
	t = 946684800; /* 2000-01-01 */
	off = zone_probe(d->zone, t);
	for (;;) {
		if (tl_grow(&d->zone_at, &cap, d->nzone, sizeof *d->zone_at) ||
		    tl_grow(&d->zone_off, &d->zone_cap, d->nzone, sizeof *d->zone_off))
			dash_fail("out of memory");
		d->zone_at[d->nzone] = t;
		d->zone_off[d->nzone++] = off;
		for (;;) {
			int64_t next = t + 7 * 86400, lo = t, hi;
			int o;
			if (next >= end)
				return;
			if ((o = zone_probe(d->zone, next)) == off) {
				t = next;
				continue;
			}
			for (hi = next; hi - lo > 1;) { /* off at lo, o at hi */
				int64_t mid = lo + (hi - lo) / 2;
				if (zone_probe(d->zone, mid) == off)
					lo = mid;
				else
					hi = mid;
			}
			t = hi;
			off = zone_probe(d->zone, hi);
			break;
		}
	}
}

/* The local date (YYYY-MM-DD) and minutes after midnight of t. */
static void zone_local(const struct dash *d, int64_t t, char date[TL_DATE_LEN], int *minute)
{
	size_t lo = 0, hi = d->nzone;
	int64_t lt, days;

	while (hi - lo > 1) { /* the last change at or before t */
		size_t mid = lo + (hi - lo) / 2;
		if (d->zone_at[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	lt = t + (d->nzone && d->zone_at[0] <= t ? d->zone_off[lo] : 0);
	days = lt >= 0 ? lt / 86400 : -((-lt + 86399) / 86400);
	tl_cal_format(days, date);
	*minute = (int)((lt - days * 86400) / 60);
}

const char *dash_when(const struct dash *d, int64_t t, char buf[48])
{
	char date[TL_DATE_LEN], day[32];
	int minute;

	zone_local(d, t, date, &minute);
	dash_day(date, 1, day);
	minute = minute < 0 ? 0 : minute % 1440;
	if (strncmp(date, d->today, 4) != 0)
		snprintf(buf, 48, "%.24s %.4s, %02u:%02u", day, date, (unsigned)minute / 60,
		         (unsigned)minute % 60);
	else
		snprintf(buf, 48, "%.24s, %02u:%02u", day, (unsigned)minute / 60, (unsigned)minute % 60);
	return buf;
}

const char *dash_when_col(const struct dash *d, sqlite3_stmt *st, int col, char buf[48])
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return "never";
	return dash_when(d, sqlite3_column_int64(st, col), buf);
}

const char *dash_local_date(const struct dash *d, int64_t t, char buf[TL_DATE_LEN])
{
	int minute;

	zone_local(d, t, buf, &minute);
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
