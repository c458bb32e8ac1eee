/* test_matching.c - runs every case in tests/cases/matching (see its
 * README): sessions and taps of one participant, and the attendance the
 * matching must derive from them. One cmocka test per case file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attendance.h"
#include "calendar.h"
#include "sql_helpers.h"
#include "store.h"
#include "tl_time.h"

#ifndef TL_CASES_DIR
#error "TL_CASES_DIR must name tests/cases/matching"
#endif

#define CASE_AS_OF "2027-06-01T00:00:00Z"

struct mcase {
	char path[512];
	char db[64];
	sqlite3 *h;
};

static int64_t utc(const char *where, const char *text)
{
	int64_t t;
	if (tl_time_parse(text, &t))
		fail_msg("%s: bad time '%s'", where, text);
	return t;
}

static int case_setup(void **state)
{
	struct mcase *c = *state;
	char err[256];
	int fd;

	snprintf(c->db, sizeof c->db, "/tmp/tl-match-XXXXXX");
	fd = mkstemp(c->db);
	if (fd < 0)
		return -1;
	close(fd);
	c->h = tl_store_open(c->db, TL_STORE_CREATE, err, sizeof err);
	if (!c->h)
		return -1;
	exec(c->h, "INSERT INTO site (id, created_at) VALUES ('burnley', 0), ('padiham', 0);"
	           "INSERT INTO programme (id, name, created_at) VALUES ('kick', 'Kick', 0);"
	           "INSERT INTO programme_site VALUES ('kick', 'burnley'), ('kick', 'padiham');"
	           "INSERT INTO participant (id, code, created_at) VALUES (1, 'P-0001', 0);"
	           "INSERT INTO enrolment (programme, participant, start_date, end_date,"
	           " created_at) VALUES ('kick', 1, '2026-01-05', '2026-12-27', 0);"
	           "CREATE TEMP TABLE names (name TEXT PRIMARY KEY, session INTEGER);");
	return 0;
}

static int case_teardown(void **state)
{
	struct mcase *c = *state;
	char side[80];
	tl_store_close(c->h);
	unlink(c->db);
	snprintf(side, sizeof side, "%s-wal", c->db);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", c->db);
	unlink(side);
	return 0;
}

static void case_session(sqlite3 *db, const char *where, char **f, int n)
{
	char week[TL_ISOWEEK_LEN], monday[TL_DATE_LEN];
	int64_t d = 0, s = 0, e = 0; /* fail_msg does not return, but is not marked so */
	int sm, em;

	if (n != 7 || tl_cal_parse(f[4], &d) || tl_cal_parse_hhmm(f[5], &sm) ||
	    tl_cal_parse_hhmm(f[6], &em) || tl_zone_to_utc("Europe/London", d, sm, &s) ||
	    tl_zone_to_utc("Europe/London", d, em, &e))
		fail_msg("%s: session NAME SITE ACTIVITY DATE HH:MM HH:MM", where);
	tl_cal_iso_week_format(d, week);
	tl_cal_format(tl_cal_week_monday(d), monday);
	exec(db, "INSERT INTO session (programme, site, activity, local_date, start_time, end_time,"
	         " start_ts, end_ts, iso_week, week_start, created_at) VALUES"
	         " ('kick', %Q, %Q, %Q, %Q, %Q, %lld, %lld, %Q, %Q, 0)",
	     f[2], f[3], f[4], f[5], f[6], (long long)s, (long long)e, week, monday);
	exec(db, "INSERT INTO names VALUES (%Q, %lld)", f[1],
	     (long long)sqlite3_last_insert_rowid(db));
}

/* Checks one "expect NAME key=value..." line against the attendance row. */
static void case_expect(sqlite3 *db, const char *where, char **f, int n)
{
	static const struct { const char *key, *col; int is_time; } keys[] = {
		{ "attended", "attended", 0 }, { "minutes", "minutes", 0 },
		{ "estimated", "minutes_estimated", 0 }, { "checkin", "checkin_at", 1 },
		{ "checkout", "checkout_at", 1 },
	};
	if (n < 3)
		fail_msg("%s: expect NAME key=value...", where);
	if (q_int(db, "SELECT count(*) FROM attendance a JOIN names m ON m.session = a.session"
	              " WHERE m.name = %Q", f[1]) != 1)
		fail_msg("%s: no attendance row for session %s", where, f[1]);
	for (int i = 2; i < n; i++) {
		char *eq = strchr(f[i], '=');
		size_t k;
		long long want, got;
		if (!eq)
			fail_msg("%s: '%s' is not key=value", where, f[i]);
		*eq = '\0';
		for (k = 0; k < sizeof keys / sizeof keys[0] && strcmp(keys[k].key, f[i]); k++)
			;
		if (k == sizeof keys / sizeof keys[0])
			fail_msg("%s: unknown key '%s'", where, f[i]);
		if (strcmp(eq + 1, "-") == 0)
			want = -2;
		else if (keys[k].is_time)
			want = utc(where, eq + 1);
		else
			want = atoll(eq + 1);
		got = q_int(db, "SELECT a.%s FROM attendance a JOIN names m ON m.session = a.session"
		                " WHERE m.name = %Q", keys[k].col, f[1]);
		if (got != want)
			fail_msg("%s: session %s %s: got %lld, expected %lld", where, f[1], f[i], got,
			         want);
	}
}

static void case_run(void **state)
{
	struct mcase *c = *state;
	FILE *in = fopen(c->path, "r");
	char line[512], where[600];
	int lineno = 0, taps = 0, built = 0;

	if (!in)
		fail_msg("cannot open %s", c->path);
	while (fgets(line, sizeof line, in)) {
		char *f[16], *save = NULL;
		int n = 0;
		lineno++;
		snprintf(where, sizeof where, "%s:%d", c->path, lineno);
		for (char *t = strtok_r(line, " \t\r\n", &save); t && n < 16;
		     t = strtok_r(NULL, " \t\r\n", &save))
			f[n++] = t;
		if (n == 0 || f[0][0] == '#')
			continue;
		if (strcmp(f[0], "enrol") == 0 && n == 3) {
			exec(c->h, "UPDATE enrolment SET start_date = %Q, end_date = %Q", f[1], f[2]);
		} else if (strcmp(f[0], "session") == 0) {
			case_session(c->h, where, f, n);
		} else if (strcmp(f[0], "cancel") == 0 && n == 2) {
			exec(c->h, "UPDATE session SET cancelled_at = 1 WHERE id ="
			           " (SELECT session FROM names WHERE name = %Q)", f[1]);
		} else if (strcmp(f[0], "tap") == 0 && n == 3) {
			long long ts = (long long)utc(where, f[2]);
			taps++;
			exec(c->h, "INSERT INTO tap (id, site, reader, card, participant, ts, seq,"
			           " received_at) VALUES ('tap-%d', %Q, 'r', 'c', 1, %lld, %d, %lld)",
			     taps, f[1], ts, taps, ts);
		} else if (strcmp(f[0], "week_sessions") == 0 && n == 3) {
			int got = -1;
			if (tl_attendance_week_sessions(c->h, 1, utc(where, f[1]), &got))
				fail_msg("%s: week_sessions failed", where);
			if (got != atoi(f[2]))
				fail_msg("%s: week_sessions %d, expected %s", where, got, f[2]);
		} else if (strcmp(f[0], "expect") == 0 || strcmp(f[0], "unmatched") == 0) {
			if (!built) {
				struct tl_rebuild_stats s;
				char err[256];
				if (tl_attendance_rebuild(c->h, utc(where, CASE_AS_OF), &s, err, sizeof err))
					fail_msg("%s: rebuild: %s", where, err);
				built = 1;
			}
			if (f[0][0] == 'e') {
				case_expect(c->h, where, f, n);
			} else {
				long long got = n > 2 ? q_int(c->h, "SELECT count(*) FROM tap_unmatched"
				                                     " WHERE reason = %Q", f[2])
				                      : q_int(c->h, "SELECT count(*) FROM tap_unmatched");
				if (got != atoll(f[1]))
					fail_msg("%s: %lld unmatched, expected %s", where, got, f[1]);
			}
		} else {
			fail_msg("%s: cannot read this line", where);
		}
	}
	fclose(in);
}

static int case_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct CMUnitTest *)a)->name, ((const struct CMUnitTest *)b)->name);
}

int main(void)
{
	struct CMUnitTest tests[128];
	struct mcase cases[128];
	DIR *d = opendir(TL_CASES_DIR);
	struct dirent *e;
	size_t n = 0;

	if (!d) {
		fprintf(stderr, "cannot open %s\n", TL_CASES_DIR);
		return 1;
	}
	while ((e = readdir(d)) && n < 128) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".case") != 0)
			continue;
		memset(&cases[n], 0, sizeof cases[n]);
		snprintf(cases[n].path, sizeof cases[n].path, "%s/%s", TL_CASES_DIR, e->d_name);
		tests[n] = (struct CMUnitTest){ strdup(e->d_name), case_run, case_setup, case_teardown,
			                        &cases[n] };
		n++;
	}
	closedir(d);
	qsort(tests, n, sizeof tests[0], case_name_cmp);
	int rc = _cmocka_run_group_tests("matching cases", tests, n, NULL, NULL);
	for (size_t i = 0; i < n; i++)
		free((char *)tests[i].name);
	return rc;
}
