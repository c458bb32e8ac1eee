/* gen_national.c - a national programme's year, for the scale benchmark.
 *
 *   tl-gen-national --db FILE --taps-out FILE [--seed N] [--participants N]
 *                   [--sites N] [--weeks N] [--from YYYY-MM-DD]
 *
 * Writes the set-up into a new database through the shared schema (sites,
 * three readers each, regional programmes of two sites, weekly schedules
 * and their sessions with a few cancelled, participants with cards and
 * rolling enrolments, some withdrawn), and the year's taps, sorted by
 * time, as CSV (id,site,reader,card,ts,seq,received_at) for the benchmark
 * to load through the collector or the sqlite3 shell. Attendance follows
 * profiles: regulars, patchy attenders, improvers, drop-outs (told the
 * coach and withdrawn, or silent); check-in taps, most with a check-out,
 * some double taps, visitors with unknown cards and stray taps. The same
 * seed gives the same bytes. Prints the counts and the as-of instant
 * (the end of the last week) as key=value. */
#include "calendar.h"
#include "grow.h"
#include "session.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEN_TZ "Europe/London"
#define GEN_PROGRAMME_WEEKS 39 /* a nine-month order */
#define GEN_UNKNOWN_CARDS 3000
#define GEN_SCHEDULES 4 /* weekly sessions per site */

struct gen_cfg {
	const char *db, *taps_out, *from;
	unsigned long long seed;
	long participants, sites, weeks;
};

struct gen_session {
	int64_t start, end, days;
	int site, activity, cancelled; /* activity 0 football, 1 gym */
};

struct gen_tap {
	int64_t ts;
	int site, reader;
	long card; /* participant id, or -(unknown card index + 1) */
};

struct gen_taps {
	struct gen_tap *t;
	size_t n, cap;
};

static unsigned long long gen_state;

/* splitmix64: small, fast, and the same on every platform. */
static unsigned long long gen_rand(void)
{
	unsigned long long z = (gen_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double gen_unit(void)
{
	return (double)(gen_rand() >> 11) / 9007199254740992.0;
}

/* Uniform in 0 .. n-1. */
static long gen_below(long n)
{
	return (long)(gen_unit() * (double)n);
}

/* Fatal: the generator has no partial output worth keeping. */
static void gen_die(const char *what, sqlite3 *db)
{
	fprintf(stderr, "tl-gen-national: %s%s%s\n", what, db ? ": " : "",
	        db ? sqlite3_errmsg(db) : "");
	exit(1);
}

/* Runs SQL that returns nothing, or dies. */
static void gen_exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		gen_die(sql, db);
}

/* Prepares a statement, or dies. */
static sqlite3_stmt *gen_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		gen_die(sql, db);
	return st;
}

/* Runs an insert and resets it for the next row, or dies. */
static void gen_step(sqlite3 *db, sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		gen_die("insert", db);
	sqlite3_reset(st);
}

/* Prints the usage line and exits 2. */
static void gen_usage(void)
{
	fprintf(stderr, "usage: tl-gen-national --db FILE --taps-out FILE [--seed N]"
	                " [--participants N] [--sites N] [--weeks N] [--from YYYY-MM-DD]\n");
	exit(2);
}

/* Reads the command line into c. */
static void gen_args(struct gen_cfg *c, int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (!strcmp(k, "--db")) c->db = v;
		else if (!strcmp(k, "--taps-out")) c->taps_out = v;
		else if (!strcmp(k, "--from")) c->from = v;
		else if (!strcmp(k, "--seed")) c->seed = strtoull(v, NULL, 10);
		else if (!strcmp(k, "--participants")) c->participants = atol(v);
		else if (!strcmp(k, "--sites")) c->sites = atol(v);
		else if (!strcmp(k, "--weeks")) c->weeks = atol(v);
		else gen_usage();
	}
	if (argc % 2 == 0 || !c->db || !c->taps_out || c->participants < 1 || c->sites < 2 ||
	    c->weeks < 1)
		gen_usage();
}

/* Sites, three readers each, and programmes of two neighbouring sites
 * (a club's pitch and a leisure centre's gym). */
static void gen_sites(sqlite3 *db, const struct gen_cfg *c, long programmes)
{
	sqlite3_stmt *site = gen_prepare(db, "INSERT INTO site (id, name, created_at)"
	                                     " VALUES (?1, ?2, 0)");
	sqlite3_stmt *reader = gen_prepare(db, "INSERT INTO reader (site, id, created_at)"
	                                       " VALUES (?1, ?2, 0)");
	sqlite3_stmt *prog = gen_prepare(db, "INSERT INTO programme (id, name, weeks, tz,"
	                                     " created_at) VALUES (?1, ?2, ?3, ?4, 0)");
	sqlite3_stmt *ps = gen_prepare(db, "INSERT INTO programme_site VALUES (?1, ?2)");
	static const char *const readers[] = { "door-1", "door-2", "kiosk" };
	char id[32], name[64];

	for (long p = 0; p < programmes; p++) {
		snprintf(id, sizeof id, "region-%02ld", p + 1);
		snprintf(name, sizeof name, "Region %ld", p + 1);
		sqlite3_bind_text(prog, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(prog, 2, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(prog, 3, GEN_PROGRAMME_WEEKS);
		sqlite3_bind_text(prog, 4, GEN_TZ, -1, SQLITE_STATIC);
		gen_step(db, prog);
	}
	for (long s = 0; s < c->sites; s++) {
		snprintf(id, sizeof id, "site-%02ld", s + 1);
		snprintf(name, sizeof name, "%s %ld", s % 2 ? "Leisure Centre" : "Community Club",
		         s + 1);
		sqlite3_bind_text(site, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(site, 2, name, -1, SQLITE_TRANSIENT);
		gen_step(db, site);
		for (int r = 0; r < 3; r++) {
			sqlite3_bind_text(reader, 1, id, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(reader, 2, readers[r], -1, SQLITE_STATIC);
			gen_step(db, reader);
		}
		snprintf(name, sizeof name, "region-%02ld", (s / 2) % programmes + 1);
		sqlite3_bind_text(ps, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ps, 2, id, -1, SQLITE_TRANSIENT);
		gen_step(db, ps);
	}
	sqlite3_finalize(site);
	sqlite3_finalize(reader);
	sqlite3_finalize(prog);
	sqlite3_finalize(ps);
}

/* GEN_SCHEDULES weekly schedules per site and their sessions, each as the CLI's
 * 'schedule add' stores them; about 1 in 80 is cancelled. Fills ss
 * (sessions in (site, time) order) and returns their number. */
static size_t gen_sessions(sqlite3 *db, const struct gen_cfg *c, long programmes, int64_t from,
                           struct gen_session *ss)
{
	sqlite3_stmt *sch = gen_prepare(db,
		"INSERT INTO schedule (id, programme, site, activity, weekday, start_time, end_time,"
		" first_date, last_date, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0)");
	/* Sessions are made as the CLI makes them (tl_session_insert); their
	 * instants are read back for the taps. */
	sqlite3_stmt *ses = gen_prepare(db, "SELECT start_ts, end_ts FROM session WHERE id = ?1");
	sqlite3_stmt *cancel = gen_prepare(db,
		"UPDATE session SET cancelled_at = ?1, cancel_reason = 'pitch waterlogged'"
		" WHERE id = ?2");
	static const char *const acts[] = { "football", "gym" };
	char prog[32], site[32], date[TL_DATE_LEN], last[TL_DATE_LEN], hs[16], he[16];

	size_t n = 0;
	long sid = 0;

	tl_cal_format(from + 7 * c->weeks - 1, last);
	for (long s = 0; s < c->sites; s++) {
		int act = (int)(s % 2);
		snprintf(site, sizeof site, "site-%02ld", s + 1);
		snprintf(prog, sizeof prog, "region-%02ld", (s / 2) % programmes + 1);
		for (int k = 0; k < GEN_SCHEDULES; k++) {
			/* Football on weekday evenings and weekend mornings; gym on
			 * weekdays, mornings or evenings by site. */
			static const int fwd[] = { 2, 4, 6, 7 }, fst[] = { 1080, 1080, 660, 600 };
			static const int gwd[] = { 1, 3, 5, 2 }, gst[] = { 600, 1110, 600, 1110 };
			int wd = act ? gwd[k] : fwd[k];
			int start = act ? gst[(k + (int)(s / 2)) % 4] : fst[k];
			int end = start + (act ? 60 : 90);
			long sched = s * GEN_SCHEDULES + k + 1;

			snprintf(hs, sizeof hs, "%02d:%02d", start / 60, start % 60);
			snprintf(he, sizeof he, "%02d:%02d", end / 60, end % 60);
			tl_cal_format(from, date);
			sqlite3_bind_int64(sch, 1, sched);
			sqlite3_bind_text(sch, 2, prog, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(sch, 3, site, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(sch, 4, acts[act], -1, SQLITE_STATIC);
			sqlite3_bind_int(sch, 5, wd);
			sqlite3_bind_text(sch, 6, hs, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(sch, 7, he, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(sch, 8, date, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(sch, 9, last, -1, SQLITE_TRANSIENT);
			gen_step(db, sch);
			for (long w = 0; w < c->weeks; w++) {
				struct gen_session *g = &ss[n++];
				g->days = from + 7 * w + wd - 1;
				g->site = (int)s;
				g->activity = act;
				g->cancelled = gen_below(80) == 0;
				{
					const struct tl_session_spec sp = { prog, GEN_TZ, site, acts[act],
						                            sched, g->days, start, end, 0 };
					char err[256];
					int64_t id = 0;
					if (tl_session_insert(db, &sp, &id, err, sizeof err) != 1)
						gen_die(err, NULL);
					sid = (long)id;
					g->start = 0;
					sqlite3_bind_int64(ses, 1, id);
					if (sqlite3_step(ses) != SQLITE_ROW)
						gen_die("reading a session", db);
					g->start = sqlite3_column_int64(ses, 0);
					g->end = sqlite3_column_int64(ses, 1);
					sqlite3_reset(ses);
				}
				if (g->cancelled) {
					sqlite3_bind_int64(cancel, 1, g->start - 86400);
					sqlite3_bind_int64(cancel, 2, sid);
					gen_step(db, cancel);
				}
			}
		}
	}
	sqlite3_finalize(sch);
	sqlite3_finalize(ses);
	sqlite3_finalize(cancel);
	return n;
}

/* Appends a tap to the year's list, growing it by doubling. */
static void gen_add_tap(struct gen_taps *tt, int64_t ts, int site, int reader, long card)
{
	if (tl_grow(&tt->t, &tt->cap, tt->n, sizeof *tt->t))
		gen_die("out of memory", NULL);
	tt->t[tt->n++] = (struct gen_tap){ ts, site, reader, card };
}

/* The chance that a participant of profile prof attends in programme week
 * w (0-based) of theirs; drop-outs stop after week drop. */
static double gen_chance(int prof, long w, long drop)
{
	switch (prof) {
	case 0: return 0.85;               /* regular */
	case 1: return 0.5;                /* patchy */
	case 2: return w < 6 ? 0.3 : 0.8;  /* improves */
	default: return w < drop ? 0.8 : 0; /* drops out (3 withdrawn, 4 silent) */
	}
}

/* Participants, cards, rolling enrolments (a new intake every four
 * weeks, some already running when the year starts) and their taps. */
static void gen_people(sqlite3 *db, const struct gen_cfg *c, long programmes, int64_t from,
                       const struct gen_session *ss, size_t nss, struct gen_taps *tt)
{
	sqlite3_stmt *par = gen_prepare(db, "INSERT INTO participant (id, code, created_at)"
	                                    " VALUES (?1, ?2, 0)");
	sqlite3_stmt *card = gen_prepare(db, "INSERT INTO card (token, participant, enrolled_at)"
	                                     " VALUES (printf('%032x', ?1 * 2654435761 % 4294967291"
	                                     " + ?1 * 4294967296), ?1, 0)");
	sqlite3_stmt *enr = gen_prepare(db, "INSERT INTO enrolment (programme, participant,"
	                                    " start_date, end_date, withdrawn_on, created_at)"
	                                    " VALUES (?1, ?2, ?3, ?4, ?5, 0)");
	long per_site = (long)(nss / (size_t)c->sites);
	char code[32], prog[32], sd[TL_DATE_LEN], ed[TL_DATE_LEN], wd[TL_DATE_LEN];

	for (long p = 1; p <= c->participants; p++) {
		long pr = (p - 1) % programmes;
		int prof = (int)gen_below(100);
		long intake = 4 * (gen_below((c->weeks + GEN_PROGRAMME_WEEKS - 8) / 4)) -
		              (GEN_PROGRAMME_WEEKS - 8);
		int64_t start = from + 7 * intake, end = start + 7 * GEN_PROGRAMME_WEEKS - 1;
		long drop = 3 + gen_below(12);
		int64_t withdrawn = 0;
		int home = (int)gen_below(2); /* prefers football (0) or the gym (1) */

		prof = prof < 40 ? 0 : prof < 62 ? 1 : prof < 77 ? 2 : prof < 87 ? 3 : 4;
		if (prof == 3)
			withdrawn = start + 7 * drop + 2;
		snprintf(code, sizeof code, "P-%05ld", p);
		snprintf(prog, sizeof prog, "region-%02ld", pr + 1);
		sqlite3_bind_int64(par, 1, p);
		sqlite3_bind_text(par, 2, code, -1, SQLITE_TRANSIENT);
		gen_step(db, par);
		sqlite3_bind_int64(card, 1, p);
		gen_step(db, card);
		tl_cal_format(start, sd);
		tl_cal_format(end, ed);
		sqlite3_bind_text(enr, 1, prog, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(enr, 2, p);
		sqlite3_bind_text(enr, 3, sd, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(enr, 4, ed, -1, SQLITE_TRANSIENT);
		if (withdrawn) {
			tl_cal_format(withdrawn, wd);
			sqlite3_bind_text(enr, 5, wd, -1, SQLITE_TRANSIENT);
		} else {
			sqlite3_bind_null(enr, 5);
		}
		gen_step(db, enr);

		/* The programme's two sites' sessions. */
		for (long s = 2 * pr; s < 2 * pr + 2 && s < c->sites; s++) {
			for (long k = s * per_site; k < (s + 1) * per_site; k++) {
				const struct gen_session *g = &ss[k];
				double pa;
				int64_t ci;

				if (g->days < start || g->days > end)
					continue;
				pa = gen_chance(prof, (g->days - start) / 7, drop);
				if (g->activity != home)
					pa *= 0.75;
				if (gen_unit() >= pa)
					continue;
				if (g->cancelled && gen_unit() >= 0.2)
					continue; /* most heard it was off */
				ci = g->start - 60 * gen_below(25) + 60 * (long)(10 * gen_unit() * gen_unit());
				gen_add_tap(tt, ci, g->site, (int)gen_below(2), p);
				if (gen_unit() < 0.08) /* tapped twice to be sure */
					gen_add_tap(tt, ci + 30 + gen_below(60), g->site, (int)gen_below(2), p);
				if (gen_unit() < 0.85)
					gen_add_tap(tt, g->end + 60 * (gen_below(25) - 10), g->site,
					            (int)gen_below(3), p);
				if (gen_unit() < 0.01) /* came by at lunchtime to ask something */
					gen_add_tap(tt, g->start - 5 * 3600, g->site, 2, p);
			}
		}
	}
	/* Visitors and new starters whose cards nobody has enrolled yet. */
	for (size_t k = 0; k < nss; k++)
			if (!ss[k].cancelled && gen_unit() < 0.5)
				gen_add_tap(tt, ss[k].start - 60 * gen_below(20), ss[k].site, 0,
				            -1 - gen_below(GEN_UNKNOWN_CARDS));
	sqlite3_finalize(par);
	sqlite3_finalize(card);
	sqlite3_finalize(enr);
}

/* Taps in time order, ties broken by site, reader and card so the
 * order is the same on every platform. */
static int gen_tap_cmp(const void *a, const void *b)
{
	const struct gen_tap *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->site != y->site)
		return x->site < y->site ? -1 : 1;
	if (x->reader != y->reader)
		return x->reader < y->reader ? -1 : 1;
	return (x->card > y->card) - (x->card < y->card);
}

/* The taps in time order, numbered per reader, as the readers would send
 * them; the tap's index is the UUID's last 12 hex digits (tl-loadgen
 * --replay maps acks back by it). */
static void gen_write_taps(const struct gen_cfg *c, struct gen_taps *tt, sqlite3 *db)
{
	static const char *const readers[] = { "door-1", "door-2", "kiosk" };
	long *seq = calloc((size_t)c->sites * 3, sizeof *seq);
	sqlite3_stmt *tok = gen_prepare(db, "SELECT token FROM card WHERE participant = ?1");
	FILE *f = fopen(c->taps_out, "w");
	char (*tokens)[40] = calloc((size_t)c->participants + 1, sizeof *tokens);

	if (!f || !seq || !tokens)
		gen_die(c->taps_out, NULL);
	for (long p = 1; p <= c->participants; p++) {
		sqlite3_bind_int64(tok, 1, p);
		if (sqlite3_step(tok) != SQLITE_ROW)
			gen_die("card", db);
		snprintf(tokens[p], sizeof tokens[p], "%s", (const char *)sqlite3_column_text(tok, 0));
		sqlite3_reset(tok);
	}
	sqlite3_finalize(tok);
	qsort(tt->t, tt->n, sizeof *tt->t, gen_tap_cmp);
	fputs("id,site,reader,card,ts,seq,received_at\n", f);
	for (size_t i = 0; i < tt->n; i++) {
		const struct gen_tap *t = &tt->t[i];
		char card[40];
		if (t->card > 0)
			snprintf(card, sizeof card, "%s", tokens[t->card]);
		else
			snprintf(card, sizeof card, "ee%030lx", -t->card);
		fprintf(f, "%08llx-0000-4000-8000-%012zx,site-%02d,%s,%s,%lld,%ld,%lld\n",
		        c->seed & 0xffffffffULL, i, t->site + 1, readers[t->reader], card,
		        (long long)t->ts, ++seq[t->site * 3 + t->reader],
		        (long long)(t->ts + (long long)(i % 4)));
	}
	if (fclose(f))
		gen_die(c->taps_out, NULL);
	free(seq);
	free(tokens);
}

int main(int argc, char **argv)
{
	struct gen_cfg c = { .from = "2025-01-06", .seed = 2026, .participants = 10000,
		             .sites = 50, .weeks = 52 };
	struct gen_taps tt = { NULL, 0, 0 };
	struct gen_session *ss;
	char err[256];
	int64_t from;
	long programmes;
	size_t nss;
	sqlite3 *db;

	gen_args(&c, argc, argv);
	if (tl_cal_parse(c.from, &from) || tl_cal_weekday(from) != 1)
		gen_die("--from must be a Monday YYYY-MM-DD", NULL);
	gen_state = c.seed;
	programmes = (c.sites + 1) / 2;
	remove(c.db);
	db = tl_store_open(c.db, TL_STORE_CREATE, err, sizeof err);
	if (!db) {
		fprintf(stderr, "tl-gen-national: %s\n", err);
		return 1;
	}
	gen_exec(db, "PRAGMA synchronous = OFF; BEGIN");
	ss = calloc((size_t)c.sites * GEN_SCHEDULES * (size_t)c.weeks, sizeof *ss);
	if (!ss)
		gen_die("out of memory", NULL);
	gen_sites(db, &c, programmes);
	nss = gen_sessions(db, &c, programmes, from, ss);
	gen_people(db, &c, programmes, from, ss, nss, &tt);
	gen_exec(db, "COMMIT");
	gen_write_taps(&c, &tt, db);
	printf("sites=%ld readers=%ld programmes=%ld participants=%ld sessions=%zu taps=%zu"
	       " as_of=%lld\n",
	       c.sites, c.sites * 3, programmes, c.participants, nss, tt.n,
	       (long long)((from + 7 * c.weeks) * 86400));
	tl_store_close(db);
	free(ss);
	free(tt.t);
	return 0;
}
