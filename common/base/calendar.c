/* calendar.c - see calendar.h. */
#include "calendar.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

/* Howard Hinnant's days_from_civil: proleptic Gregorian, any year. */
int64_t tl_cal_days(int y, int m, int d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const int64_t yoe = y - era * 400;
	const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse (civil_from_days). */
void tl_cal_civil(int64_t days, int *y, int *m, int *d)
{
	days += 719468;
	const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	const int64_t doe = days - era * 146097;
	const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Copies a formatted value into its fixed-size field (years past 9999
 * cannot occur: parsing refuses them). */
static void cal_copy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int tl_cal_digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* The one strict date parser: "YYYY-MM-DD" at the start of text, from
 * 1970, a day that exists. Timestamps (tl_time.c) use it too. */
int tl_cal_parse_prefix(const char *text, int64_t *days)
{
	int y, m, d, yy, mm, dd;

	if (strnlen(text, 10) != 10 || tl_cal_digits(text, 4, &y) || text[4] != '-' ||
	    tl_cal_digits(text + 5, 2, &m) || text[7] != '-' || tl_cal_digits(text + 8, 2, &d))
		return -1;
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	*days = tl_cal_days(y, m, d);
	tl_cal_civil(*days, &yy, &mm, &dd); /* catches 2026-02-30 */
	return (yy == y && mm == m && dd == d) ? 0 : -1;
}

int tl_cal_parse(const char *text, int64_t *days)
{
	return strlen(text) == 10 ? tl_cal_parse_prefix(text, days) : -1;
}

void tl_cal_format(int64_t days, char buf[TL_DATE_LEN])
{
	char tmp[48];
	int y, m, d;
	tl_cal_civil(days, &y, &m, &d);
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
	cal_copy(buf, tmp, TL_DATE_LEN);
}

int tl_cal_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday (4). */
	int64_t r = (days + 3) % 7;
	if (r < 0)
		r += 7;
	return (int)r + 1;
}

int64_t tl_cal_week_monday(int64_t days)
{
	return days - (tl_cal_weekday(days) - 1);
}

/* ISO weeks belong to the year of their Thursday. */
void tl_cal_iso_week(int64_t days, int *year, int *week)
{
	int64_t thursday = tl_cal_week_monday(days) + 3;
	int m, d;

	tl_cal_civil(thursday, year, &m, &d);
	*week = (int)((thursday - tl_cal_days(*year, 1, 1)) / 7) + 1;
}

void tl_cal_iso_week_format(int64_t days, char buf[TL_ISOWEEK_LEN])
{
	char tmp[48];
	int y, w;
	tl_cal_iso_week(days, &y, &w);
	snprintf(tmp, sizeof tmp, "%04d-W%02d", y, w);
	cal_copy(buf, tmp, TL_ISOWEEK_LEN);
}

int tl_cal_parse_hhmm(const char *text, int *minutes)
{
	int h, m;
	if (strlen(text) != 5 || tl_cal_digits(text, 2, &h) || text[2] != ':' ||
	    tl_cal_digits(text + 3, 2, &m) || h > 23 || m > 59)
		return -1;
	*minutes = h * 60 + m;
	return 0;
}

int tl_cal_parse_weekday(const char *text, int *weekday)
{
	static const char *const names[] = { "monday", "tuesday", "wednesday", "thursday",
		                             "friday", "saturday", "sunday" };
	size_t n = strlen(text);

	if (n == 1 && text[0] >= '1' && text[0] <= '7') {
		*weekday = text[0] - '0';
		return 0;
	}
	for (int i = 0; i < 7 && n >= 3; i++)
		if (n <= strlen(names[i]) && strncasecmp(text, names[i], n) == 0) {
			*weekday = i + 1;
			return 0;
		}
	return -1;
}

int tl_zone_valid(const char *tz)
{
	const char *dir = getenv("TZDIR");
	char path[512];
	struct stat sb;

	if (!tz[0] || tz[0] == '/' || strstr(tz, "..") || strlen(tz) > 64)
		return 0;
	for (const char *p = tz; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return 0;
	snprintf(path, sizeof path, "%s/%s", dir && dir[0] ? dir : "/usr/share/zoneinfo", tz);
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* The process has one TZ: whoever switches it and reads the clock holds
 * this, so threads (the dashboard's two) never read each other's zone. */
static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;

/* Switches the process to tz, skipping the reload when it is current.
 * Called with zone_lock held. */
static void zone_use(const char *tz)
{
	static char current[80];
	if (strcmp(current, tz) == 0)
		return;
	snprintf(current, sizeof current, "%s", tz);
	setenv("TZ", tz, 1);
	tzset();
}

int tl_zone_to_utc(const char *tz, int64_t days, int minute_of_day, int64_t *out)
{
	struct tm tm;
	time_t t;
	int y, m, d;

	tl_cal_civil(days, &y, &m, &d);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = minute_of_day / 60;
	tm.tm_min = minute_of_day % 60;
	tm.tm_isdst = -1;
	pthread_mutex_lock(&zone_lock);
	zone_use(tz);
	t = mktime(&tm);
	pthread_mutex_unlock(&zone_lock);
	if (t == (time_t)-1)
		return -1;
	*out = (int64_t)t;
	return 0;
}

/* The UTC offset of tz through one UTC hour, remembered for the next call:
 * exports format millions of times that fall in few hours. Only an hour
 * whose start and end have the same offset is remembered (a zone changes
 * its offset at most once an hour), so no time crosses a transition. */
struct zone_hour {
	char tz[80];
	int64_t hour;
	long off;
};

static int zone_hour_offset(const char *tz, int64_t t, long *off)
{
	static _Thread_local struct zone_hour cache[2]; /* per thread: no lock */
	static _Thread_local int next;
	int64_t hour = t >= 0 ? t / 3600 : -((-t + 3599) / 3600);
	struct tm a, b;
	time_t t0, t1;
	int ok;

	for (int i = 0; i < 2; i++)
		if (cache[i].hour == hour && cache[i].tz[0] && strcmp(cache[i].tz, tz) == 0) {
			*off = cache[i].off;
			return 0;
		}
	t0 = (time_t)(hour * 3600);
	t1 = t0 + 3599;
	pthread_mutex_lock(&zone_lock);
	zone_use(tz);
	ok = localtime_r(&t0, &a) && localtime_r(&t1, &b);
	pthread_mutex_unlock(&zone_lock);
	if (!ok || a.tm_gmtoff != b.tm_gmtoff)
		return -1;
	snprintf(cache[next].tz, sizeof cache[next].tz, "%s", tz);
	cache[next].hour = hour;
	cache[next].off = a.tm_gmtoff;
	next ^= 1;
	*off = a.tm_gmtoff;
	return 0;
}

/* n digits of v, zero-padded, at p. */
static char *zone_digits(char *p, long v, int n)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + n;
}

/* "YYYY-MM-DDTHH:MM:SS+hh:mm" of UTC time t at offset off, by hand. */
static void zone_format_offset(int64_t t, long off, char buf[TL_LOCAL_LEN])
{
	int64_t local = t + off, days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	long sec = (long)(local - days * 86400), aoff = labs(off);
	int y, m, d;
	char *p = buf;

	tl_cal_civil(days, &y, &m, &d);
	p = zone_digits(p, y, 4);
	*p++ = '-';
	p = zone_digits(p, m, 2);
	*p++ = '-';
	p = zone_digits(p, d, 2);
	*p++ = 'T';
	p = zone_digits(p, sec / 3600, 2);
	*p++ = ':';
	p = zone_digits(p, sec / 60 % 60, 2);
	*p++ = ':';
	p = zone_digits(p, sec % 60, 2);
	*p++ = off < 0 ? '-' : '+';
	p = zone_digits(p, aoff / 3600, 2);
	*p++ = ':';
	p = zone_digits(p, aoff % 3600 / 60, 2);
	*p = '\0';
}

/* The same through localtime_r: years outside 1..9999, and the hours in
 * which the zone changes its offset. */
static void zone_format_slow(const char *tz, int64_t t, char buf[TL_LOCAL_LEN])
{
	struct tm tm;
	time_t tt = (time_t)t;
	char tmp[96];
	long off;
	int ok;

	pthread_mutex_lock(&zone_lock);
	zone_use(tz);
	ok = localtime_r(&tt, &tm) != NULL;
	pthread_mutex_unlock(&zone_lock);
	if (!ok) {
		snprintf(buf, TL_LOCAL_LEN, "1970-01-01T00:00:00+00:00");
		return;
	}
	off = tm.tm_gmtoff;
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
	         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	         tm.tm_sec, off < 0 ? '-' : '+', labs(off) / 3600, labs(off) % 3600 / 60);
	cal_copy(buf, tmp, TL_LOCAL_LEN);
}

void tl_zone_format(const char *tz, int64_t t, char buf[TL_LOCAL_LEN])
{
	long off;

	/* 0001-01-02 .. 9999-12-30 UTC: four-digit years whatever the offset */
	if (t > -62135510400LL && t < 253402041600LL && zone_hour_offset(tz, t, &off) == 0 &&
	    labs(off) < 100 * 3600)
		zone_format_offset(t, off, buf);
	else
		zone_format_slow(tz, t, buf);
}

int64_t tl_zone_local_days(const char *tz, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	int ok;

	pthread_mutex_lock(&zone_lock);
	zone_use(tz);
	ok = localtime_r(&tt, &tm) != NULL;
	pthread_mutex_unlock(&zone_lock);
	if (!ok)
		return t / 86400;
	return tl_cal_days(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}
