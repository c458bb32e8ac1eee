/* tl_time.c - see tl_time.h. Strict parsing: every digit position is
 * checked, ranges are checked, and nothing is read past the string. */
#include "tl_time.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

/* Reads exactly n digits from s into *out; returns -1 if any is not one. */
static int time_digits(const char *s, int n, int *out)
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

static int time_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil), valid for any year we accept. */
static int64_t time_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const int64_t yoe = y - era * 400;
	const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Parses "YYYY-MM-DD" at s, checking the day exists. */
static int time_parse_date(const char *s, int64_t *days)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (time_digits(s, 4, &y) || s[4] != '-' || time_digits(s + 5, 2, &m) ||
	    s[7] != '-' || time_digits(s + 8, 2, &d))
		return -1;
	if (y < 1970 || m < 1 || m > 12 || d < 1)
		return -1;
	if (d > mdays[m - 1] + (m == 2 && time_is_leap(y)))
		return -1;
	*days = time_days_from_civil(y, m, d);
	return 0;
}

int tl_date_parse(const char *text, int64_t *days)
{
	if (strlen(text) != 10)
		return -1;
	return time_parse_date(text, days);
}

int tl_time_parse(const char *text, int64_t *out)
{
	int64_t days;
	int hh, mm, ss;
	const char *p;

	if (strlen(text) < 20 || time_parse_date(text, &days))
		return -1;
	if (text[10] != 'T' || time_digits(text + 11, 2, &hh) || text[13] != ':' ||
	    time_digits(text + 14, 2, &mm) || text[16] != ':' ||
	    time_digits(text + 17, 2, &ss))
		return -1;
	if (hh > 23 || mm > 59 || ss > 59) /* no leap seconds on the wire */
		return -1;
	p = text + 19;
	if (*p == '.') {
		const char *f = ++p;
		while (isdigit((unsigned char)*p))
			p++;
		if (p == f || p - f > 9)
			return -1;
	}
	if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
		return -1;
	*out = days * 86400 + hh * 3600 + mm * 60 + ss;
	return 0;
}

void tl_time_format(int64_t t, char buf[TL_TIME_LEN])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!gmtime_r(&tt, &tm) ||
	    strftime(buf, TL_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		strcpy(buf, "1970-01-01T00:00:00Z");
}
