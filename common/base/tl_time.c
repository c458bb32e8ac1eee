/* tl_time.c - see tl_time.h. Strict parsing: every digit position is
 * checked, ranges are checked, and nothing is read past the string. */
#include "tl_time.h"
#include "calendar.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

int tl_time_parse(const char *text, int64_t *out)
{
	int64_t days;
	int hh, mm, ss;
	const char *p;

	if (strlen(text) < 20 || tl_cal_parse_prefix(text, &days))
		return -1;
	if (text[10] != 'T' || tl_cal_digits(text + 11, 2, &hh) || text[13] != ':' ||
	    tl_cal_digits(text + 14, 2, &mm) || text[16] != ':' ||
	    tl_cal_digits(text + 17, 2, &ss))
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

int64_t tl_monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
