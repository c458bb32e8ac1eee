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
#include "session.h"
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
	           "INSERT INTO programme (id, name, created_at) VALUES ('other', 'Other', 0);"
	           "INSERT INTO programme_site VALUES ('other', 'burnley');"
	           "INSERT INTO participant (id, code, created_at) VALUES (1, 'P-0001', 0);"
	           "INSERT INTO enrolment (programme, participant, start_date, end_date,"
	           " created_at) VALUES ('kick', 1, '2026-01-05', '2026-12-27', 0);"
	           "CREATE TEMP TABLE names (name TEXT PRIMARY KEY, session INTEGER);");
	return 0;
}

static int case_teardown(void **state)
{
	struct mcase *c = *state;
	tl_store_close(c->h);
	unlink_db(c->db);
	return 0;
}

/* "session NAME SITE ACTIVITY DATE HH:MM HH:MM [programme=P] [schedule=N]
 * [dropin]", made as every session is (tl_session_insert). */
static void case_session(sqlite3 *db, const char *where, char **f, int n)
{
	struct tl_session_spec sp = { "kick", "Europe/London", NULL, NULL, 0, 0, 0, 0, 0 };
	char err[256];
	int64_t id = 0;

	if (n < 7 || tl_cal_parse(f[4], &sp.day) || tl_cal_parse_hhmm(f[5], &sp.start_min) ||
	    tl_cal_parse_hhmm(f[6], &sp.end_min))
		fail_msg("%s: session NAME SITE ACTIVITY DATE HH:MM HH:MM [programme=P]"
		         " [schedule=N] [dropin]", where);
	sp.site = f[2];
	sp.activity = f[3];
	for (int i = 7; i < n; i++) {
		if (strncmp(f[i], "programme=", 10) == 0)
			sp.programme = f[i] + 10;
		else if (strncmp(f[i], "schedule=", 9) == 0)
			sp.schedule = atoll(f[i] + 9);
		else if (strcmp(f[i], "dropin") == 0)
			sp.expected_of_none = 1;
		else
			fail_msg("%s: unknown session option '%s'", where, f[i]);
	}
	if (sp.schedule)
		exec(db, "INSERT OR IGNORE INTO schedule (id, programme, site, activity, weekday,"
		         " start_time, end_time, first_date, last_date, created_at) VALUES"
		         " (%lld, %Q, %Q, %Q, 1, %Q, %Q, %Q, %Q, 0)",
		     (long long)sp.schedule, sp.programme, sp.site, sp.activity, f[5], f[6], f[4], f[4]);
	if (tl_session_insert(db, &sp, &id, err, sizeof err) != 1)
		fail_msg("%s: %s", where, err);
	exec(db, "INSERT INTO names VALUES (%Q, %lld)", f[1], (long long)id);
}

/* Checks "engagement key=value..." against the enrolment's engagement. */
static void case_engagement(sqlite3 *db, const char *where, char **f, int n)
{
	static const char *const keys[] = { "expected", "sessions_expected", "attended",
		                            "sessions_attended", "extra", "sessions_extra",
		                            "missed_run", "missed_run", "followup", "followup" };
	for (int i = 1; i < n; i++) {
		char *eq = strchr(f[i], '=');
		size_t k;
		if (!eq)
			fail_msg("%s: '%s' is not key=value", where, f[i]);
		*eq = '\0';
		if (strcmp(f[i], "status") == 0) {
			char *got = NULL;
			sqlite3_stmt *st;
			if (sqlite3_prepare_v2(db, "SELECT status FROM engagement WHERE programme = 'kick'",
			                       -1, &st, NULL) == SQLITE_OK &&
			    sqlite3_step(st) == SQLITE_ROW)
				got = strdup((const char *)sqlite3_column_text(st, 0));
			sqlite3_finalize(st);
			if (!got || strcmp(got, eq + 1) != 0)
				fail_msg("%s: status %s, expected %s", where, got ? got : "(none)", eq + 1);
			free(got);
			continue;
		}
		for (k = 0; k < sizeof keys / sizeof keys[0] && strcmp(keys[k], f[i]); k += 2)
			;
		if (k >= sizeof keys / sizeof keys[0])
			fail_msg("%s: unknown key '%s'", where, f[i]);
		if (q_int(db, "SELECT %s FROM engagement WHERE programme = 'kick'", keys[k + 1]) !=
		    atoll(eq + 1))
			fail_msg("%s: %s is %lld, expected %s", where, f[i],
			         q_int(db, "SELECT %s FROM engagement WHERE programme = 'kick'",
			               keys[k + 1]),
			         eq + 1);
	}
}

/* Checks one "expect NAME key=value..." line against the attendance row. */
static void case_expect(sqlite3 *db, const char *where, char **f, int n)
{
	static const struct { const char *key, *col; int is_time; } keys[] = {
		{ "attended", "attended", 0 }, { "minutes", "minutes", 0 },
		{ "estimated", "minutes_estimated", 0 }, { "checkin", "checkin_at", 1 },
		{ "checkout", "checkout_at", 1 }, { "expected", "expected", 0 },
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
	int64_t as_of = utc(c->path, CASE_AS_OF);

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
		} else if (strcmp(f[0], "as_of") == 0 && n == 2) {
			as_of = utc(where, f[1]);
		} else if (strcmp(f[0], "withdraw") == 0 && n == 2) {
			exec(c->h, "UPDATE enrolment SET withdrawn_on = %Q", f[1]);
		} else if (strcmp(f[0], "expectation") == 0 && n == 3) {
			const char *v = strchr(f[2], '=');
			exec(c->h, "INSERT INTO expectation (programme, participant, from_date, sites,"
			           " schedules, created_at) VALUES ('kick', 1, %Q, %Q, %Q, 0)",
			     f[1], strncmp(f[2], "sites=", 6) == 0 ? v + 1 : NULL,
			     strncmp(f[2], "schedules=", 10) == 0 ? v + 1 : NULL);
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
		} else if (strcmp(f[0], "expect") == 0 || strcmp(f[0], "unmatched") == 0 ||
		           strcmp(f[0], "engagement") == 0 || strcmp(f[0], "norow") == 0) {
			if (!built) {
				struct tl_rebuild_stats s;
				char err[256];
				if (tl_attendance_rebuild(c->h, as_of, &s, err, sizeof err))
					fail_msg("%s: rebuild: %s", where, err);
				built = 1;
			}
			if (strcmp(f[0], "expect") == 0) {
				case_expect(c->h, where, f, n);
			} else if (strcmp(f[0], "engagement") == 0) {
				case_engagement(c->h, where, f, n);
			} else if (strcmp(f[0], "norow") == 0 && n == 2) {
				if (q_int(c->h, "SELECT count(*) FROM attendance a JOIN names m"
				                " ON m.session = a.session WHERE m.name = %Q", f[1]) != 0)
					fail_msg("%s: session %s has an attendance row", where, f[1]);
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
