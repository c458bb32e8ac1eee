/* test_live.c - the property that makes live attendance trustworthy: after
 * any stream of events, the derived tables that live updates kept equal,
 * byte for byte, what a full rebuild as of the same instant writes.
 *
 * Each seed builds two programmes over three sites (one site shared, so
 * sessions of both programmes follow each other there), participants with
 * rolling intake, some expected only at one site or one schedule, and then
 * walks simulated time forward in steps, with taps arriving as a reader
 * would send them: on time, late (spooled for up to two days), resent,
 * slightly in the future, from unknown cards later enrolled; with
 * enrolments, expectation changes and withdrawals in between. After each
 * step the live update runs; at the end the tables are dumped, rebuilt in
 * full, dumped again and compared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attendance.h"
#include "calendar.h"
#include "session.h"
#include "sql_helpers.h"
#include "store.h"

/* Seeds per run: TL_LIVE_SEEDS, default 12 (the suite's share; a longer
 * hunt: TL_LIVE_SEEDS=500). */
#define SEEDS_DEFAULT 12
static unsigned seeds(void)
{
	const char *e = getenv("TL_LIVE_SEEDS");
	long n = e ? strtol(e, NULL, 10) : 0;
	return n > 0 && n < 100000 ? (unsigned)n : SEEDS_DEFAULT;
}
#define PEOPLE 14
#define DAYS 42

static unsigned rnd_state;

static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

/* Every derived table, ordered by its key, as one string. */
static char *dump(sqlite3 *db)
{
	static const char *const sql[] = {
		"SELECT * FROM attendance ORDER BY participant, session",
		"SELECT * FROM tap_unmatched ORDER BY tap",
		"SELECT * FROM activity_week ORDER BY participant, programme, iso_week",
		"SELECT * FROM engagement ORDER BY participant, programme",
		"SELECT as_of, tap_n FROM attendance_build",
	};
	size_t len = 0, cap = 1 << 16;
	char *out = malloc(cap);

	assert_non_null(out);
	for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		sqlite3_stmt *st;
		assert_int_equal(sqlite3_prepare_v2(db, sql[i], -1, &st, NULL), SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(st); c++) {
				const char *v = (const char *)sqlite3_column_text(st, c);
				size_t n = strlen(v ? v : "NULL") + 2;
				if (len + n + 1 > cap) {
					cap *= 2;
					out = realloc(out, cap);
					assert_non_null(out);
				}
				len += (size_t)snprintf(out + len, cap - len, "%s%c", v ? v : "NULL",
				                        c + 1 < sqlite3_column_count(st) ? '|' : '\n');
			}
		}
		sqlite3_finalize(st);
		if (len + 4 > cap)
			out = realloc(out, cap *= 2);
		len += (size_t)snprintf(out + len, cap - len, "--\n");
	}
	return out;
}

static void add_session(sqlite3 *db, const char *prog, const char *site, const char *act,
                        int64_t sched, int64_t day, int start, int end)
{
	const struct tl_session_spec sp = { prog, "Europe/London", site, act, sched, day,
		                            start, end, 0 };
	char err[256];
	assert_true(tl_session_insert(db, &sp, NULL, err, sizeof err) >= 0);
}

/* Two programmes; "shared" hosts both, back to back on Tuesdays. */
static void setup_programmes(sqlite3 *db, int64_t day0)
{
	exec(db, "INSERT INTO site (id, created_at) VALUES ('north', 0), ('south', 0),"
	         " ('shared', 0);"
	         "INSERT INTO programme (id, name, created_at) VALUES ('kick', 'Kick', 0),"
	         " ('lift', 'Lift', 0);"
	         "INSERT INTO programme_site VALUES ('kick', 'north'), ('kick', 'shared'),"
	         " ('lift', 'south'), ('lift', 'shared');"
	         "INSERT INTO schedule (id, programme, site, activity, weekday, start_time,"
	         " end_time, first_date, last_date, created_at) VALUES"
	         " (1, 'kick', 'north', 'football', 2, '18:00', '19:30', 'x', 'x', 0),"
	         " (2, 'kick', 'shared', 'football', 2, '17:00', '18:00', 'x', 'x', 0),"
	         " (3, 'lift', 'shared', 'gym', 2, '18:10', '19:00', 'x', 'x', 0),"
	         " (4, 'lift', 'south', 'gym', 4, '10:00', '11:00', 'x', 'x', 0)");
	for (int64_t d = day0; d < day0 + DAYS; d++) {
		int wd = tl_cal_weekday(d);
		if (wd == 2) {
			add_session(db, "kick", "north", "football", 1, d, 18 * 60, 19 * 60 + 30);
			add_session(db, "kick", "shared", "football", 2, d, 17 * 60, 18 * 60);
			add_session(db, "lift", "shared", "gym", 3, d, 18 * 60 + 10, 19 * 60);
		} else if (wd == 4) {
			add_session(db, "lift", "south", "gym", 4, d, 10 * 60, 11 * 60);
		} else if (wd == 6 && rnd(2)) { /* a one-off, sometimes a drop-in */
			const struct tl_session_spec sp = { "kick", "Europe/London", "north", "football",
				                            0, d, 11 * 60, 12 * 60, (int)rnd(2) };
			char err[256];
			assert_true(tl_session_insert(db, &sp, NULL, err, sizeof err) >= 0);
		}
	}
	exec(db, "UPDATE session SET cancelled_at = 1 WHERE id %% 17 = 5");
}

static void rebuild(sqlite3 *db, int64_t as_of)
{
	struct tl_rebuild_stats s;
	char err[256];
	assert_int_equal(tl_attendance_rebuild(db, as_of, &s, err, sizeof err), 0);
}

static void enrol(sqlite3 *db, int p, int64_t day)
{
	static const char *const progs[] = { "kick", "lift" };
	char start[TL_DATE_LEN], end[TL_DATE_LEN];
	const char *prog = progs[p % 2];

	tl_cal_format(day, start);
	tl_cal_format(day + 27, end);
	exec(db, "INSERT OR IGNORE INTO enrolment (programme, participant, start_date, end_date,"
	         " created_at) VALUES (%Q, %d, %Q, %Q, 0)", prog, p, start, end);
	switch (p % 4) {
	case 1: /* lift at shared only */
		exec(db, "INSERT OR IGNORE INTO expectation (programme, participant, from_date, sites,"
		         " created_at) VALUES ('lift', %d, %Q, 'shared', 0)", p, start);
		break;
	case 2: /* kick, schedule 1 (north) only, and one-offs at north */
		exec(db, "INSERT OR IGNORE INTO expectation (programme, participant, from_date,"
		         " schedules, created_at) VALUES ('kick', %d, %Q, '1', 0)", p, start);
		break;
	default:
		break;
	}
}

/* Dumps the live tables, rebuilds at their instant, dumps again, and
 * fails unless the two are the same; returns the dump. */
static char *compare(sqlite3 *db, unsigned seed)
{
	struct tl_attendance_state st;
	char *live = dump(db), *full;

	assert_int_equal(tl_attendance_state(db, &st), 0);
	assert_int_equal(st.taps_behind, 0);
	rebuild(db, st.as_of);
	full = dump(db);
	if (strcmp(live, full) != 0) {
		size_t i = 0;
		while (live[i] && live[i] == full[i])
			i++;
		while (i > 0 && live[i - 1] != '\n')
			i--;
		fail_msg("seed %u: live tables differ from a rebuild at\nlive: %.300s\nfull: %.300s",
		         seed, live + i, full + i);
	}
	free(full);
	return live;
}

static const char *const sites[] = { "north", "south", "shared" };

static int seeds_with_marks;

static void one_seed(unsigned seed)
{
	char path[80], err[256];
	sqlite3 *db;
	struct tl_engine *g;
	int64_t day0, t, end, taps = 0;
	int fd, enrolled[PEOPLE + 1] = { 0 };
	char *live;

	rnd_state = seed;
	snprintf(path, sizeof path, "/tmp/tl-live-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	db = tl_store_open(path, TL_STORE_CREATE, err, sizeof err);
	assert_non_null(db);
	exec(db, "PRAGMA synchronous = OFF"); /* a test file: no fsync per step */
	assert_int_equal(tl_cal_parse("2026-03-02", &day0), 0);
	setup_programmes(db, day0);
	for (int p = 1; p <= PEOPLE; p++)
		exec(db, "INSERT INTO participant (id, code, created_at) VALUES (%d, 'P-%04d', 0)", p, p);
	t = day0 * 86400;
	end = (day0 + DAYS) * 86400;
	rebuild(db, t);
	g = tl_engine_open(db, err, sizeof err);
	assert_non_null(g);
	while (t < end) {
		struct tl_update_stats us;
		int n = (int)rnd(6);

		t += 600 + rnd(4 * 3600);
		/* administrative changes: a rebuild, as the CLI does */
		if (rnd(10) == 0) {
			int p = 1 + (int)rnd(PEOPLE);
			if (!enrolled[p]) {
				enrol(db, p, t / 86400 - rnd(10));
				enrolled[p] = 1;
				rebuild(db, t);
			} else if (rnd(3) == 0) {
				char d[TL_DATE_LEN];
				tl_cal_format(t / 86400 + rnd(5), d); /* maybe not yet happened */
				exec(db, "UPDATE enrolment SET withdrawn_on = %Q WHERE participant = %d", d, p);
				rebuild(db, t);
			} else {
				char d[TL_DATE_LEN];
				tl_cal_format(t / 86400, d);
				exec(db, "INSERT OR REPLACE INTO expectation (programme, participant,"
				         " from_date, sites, created_at) SELECT programme, participant, %Q,"
				         " %Q, 0 FROM enrolment WHERE participant = %d"
				         " AND start_date <= %Q AND end_date >= %Q",
				     d, rnd(2) ? "north" : "shared", p, d, d);
				assert_int_equal(tl_attendance_participant(g, p, err, sizeof err), 0);
			}
		}
		/* a manual register mark made or taken back, recomputed as the
		 * CLI does: a mark is an input like a tap */
		if (rnd(8) == 0) {
			int p = 1 + (int)rnd(PEOPLE);
			if (rnd(3) == 0)
				exec(db, "DELETE FROM attendance_mark WHERE participant = %d", p);
			else
				exec(db, "INSERT OR REPLACE INTO attendance_mark (participant, session,"
				         " minutes, reason, marked_by, marked_at) SELECT %d, s.id, %s,"
				         " 'forgot card', 'test', 0 FROM session s WHERE s.start_ts <= %lld"
				         " ORDER BY s.start_ts DESC LIMIT 1 OFFSET %d",
				     p, rnd(2) ? "NULL" : "25", (long long)t, (int)rnd(4));
			assert_int_equal(tl_attendance_participant(g, p, err, sizeof err), 0);
		}
		/* an unknown card's taps become someone's */
		if (rnd(12) == 0) {
			int p = 1 + (int)rnd(PEOPLE);
			exec(db, "UPDATE tap SET participant = %d WHERE participant IS NULL AND card = 'c%d'",
			     p, p);
			assert_int_equal(tl_attendance_participant(g, p, err, sizeof err), 0);
		}
		for (int k = 0; k < n; k++) {
			int p = 1 + (int)rnd(PEOPLE);
			int64_t ts = t - (int64_t)rnd(1800);
			unsigned how = rnd(20);
			char pv[16] = "NULL";
			if (rnd(8) != 0)
				snprintf(pv, sizeof pv, "%d", p);
			if (how == 0)
				ts = t - (int64_t)rnd(2 * 86400); /* late: spooled offline */
			else if (how == 1)
				ts = t + (int64_t)rnd(300); /* a clock slightly ahead */
			taps++;
			exec(db, "INSERT OR IGNORE INTO tap (id, site, reader, card, participant, ts, seq,"
			         " received_at) VALUES ('t%lld', %Q, 'r', 'c%d', %s, %lld, 1, %lld)",
			     (long long)(how == 2 && taps > 1 ? taps - 1 : taps), sites[rnd(3)], p,
			     pv, (long long)ts, (long long)t);
			/* a burst around a real session at its site */
			if (rnd(3) == 0)
				exec(db, "INSERT INTO tap (id, site, reader, card, participant, ts, seq,"
				         " received_at) SELECT 'u' || %lld, s.site, 'r', 'c%d', %d,"
				         " s.start_ts - 600 + %d, 1, %lld FROM session s WHERE s.start_ts"
				         " <= %lld ORDER BY s.start_ts DESC LIMIT 1",
				     (long long)taps, p, p, (int)rnd(7200), (long long)t, (long long)t);
		}
		assert_int_equal(tl_attendance_update(g, t, &us, err, sizeof err), 0);
		if (rnd(6) == 0) /* a checkpoint: the same as a rebuild now? */
			free(compare(db, seed));
	}
	live = compare(db, seed);
	assert_true(strlen(live) > 1000); /* the stream made real rows */
	seeds_with_marks += strstr(live, "|manual\n") != NULL; /* marks counted */
	free(live);
	tl_engine_close(g);
	tl_store_close(db);
	unlink_db(path);
}

static void test_live_equals_rebuild(void **state)
{
	(void)state;
	unsigned n = seeds();

	for (unsigned s = 1; s <= n; s++)
		one_seed(s);
	assert_true(seeds_with_marks > (int)n / 4); /* manual marks were exercised */
}

/* One participant with a long history (hundreds of rows, more than any
 * buffer starts with): recomputed alone, and through an update after a
 * late tap, the rows equal a rebuild's. */
static void test_long_history(void **state)
{
	char path[80] = "/tmp/tl-live-long-XXXXXX", err[256];
	struct tl_engine *g;
	struct tl_update_stats us;
	sqlite3 *db;
	int64_t day0, t;
	char *before, *after;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	db = tl_store_open(path, TL_STORE_CREATE, err, sizeof err);
	assert_non_null(db);
	exec(db, "PRAGMA synchronous = OFF");
	assert_int_equal(tl_cal_parse("2026-01-05", &day0), 0);
	exec(db, "INSERT INTO site (id, created_at) VALUES ('north', 0);"
	         "INSERT INTO programme (id, name, weeks, created_at) VALUES ('kick', 'Kick', 52, 0);"
	         "INSERT INTO programme_site VALUES ('kick', 'north');"
	         "INSERT INTO participant (id, code, created_at) VALUES (1, 'P-0001', 0);"
	         "INSERT INTO enrolment (programme, participant, start_date, end_date, created_at)"
	         " VALUES ('kick', 1, '2026-01-05', '2026-12-31', 0)");
	exec(db, "BEGIN");
	for (int64_t d = day0; d < day0 + 300; d++) {
		add_session(db, "kick", "north", "football", 0, d, 10 * 60, 11 * 60);
		add_session(db, "kick", "north", "gym", 0, d, 18 * 60, 19 * 60);
		if (d % 3)
			exec(db, "INSERT INTO tap (id, site, reader, card, participant, ts, seq,"
			         " received_at) SELECT 'a' || id, 'north', 'r', 'c', 1, start_ts - 300, 1,"
			         " start_ts FROM session WHERE local_date = date(%lld * 86400,"
			         " 'unixepoch')",
			     (long long)d);
	}
	exec(db, "COMMIT");
	t = (day0 + 310) * 86400;
	rebuild(db, t);
	assert_true(q_int(db, "SELECT count(*) FROM attendance") >= 600);
	before = dump(db);
	g = tl_engine_open(db, err, sizeof err);
	assert_non_null(g);
	assert_int_equal(tl_attendance_participant(g, 1, err, sizeof err), 0);
	after = dump(db);
	assert_string_equal(before, after);
	free(after);
	/* a late tap early in the year: everything from there is redone */
	exec(db, "INSERT INTO tap (id, site, reader, card, participant, ts, seq, received_at)"
	         " SELECT 'late', 'north', 'r', 'c', 1, start_ts + 600, 1, %lld FROM session"
	         " WHERE local_date = '2026-01-06' AND start_time = '10:00'", (long long)t);
	assert_int_equal(tl_attendance_update(g, t + 60, &us, err, sizeof err), 0);
	free(before);
	before = dump(db);
	rebuild(db, t + 60);
	after = dump(db);
	assert_string_equal(before, after);
	free(before);
	free(after);
	tl_engine_close(g);
	tl_store_close(db);
	unlink_db(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_equals_rebuild),
		cmocka_unit_test(test_long_history),
	};
	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
