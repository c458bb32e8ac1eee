/* main.c - touchline-dashboard --db FILE --out DIR [--today DATE] ...
 *
 * Reads the database in one read transaction (a consistent snapshot while
 * the collector writes) and writes index.html, one page per programme and
 * per site, the downloads and the data dictionary. */
#include "calendar.h"
#include "config.h"
#include "dashboard.h"
#include "export.h"
#include "log.h"
#include "outcomes.h"
#include "protocol.h"
#include "store.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct dash dash;

/* Either thread may fail the run: the first removes the temporary
 * directory and exits; a second waits here for that exit. */
void dash_fail(const char *fmt, ...)
{
	static pthread_mutex_t once = PTHREAD_MUTEX_INITIALIZER;
	char msg[1024];
	va_list ap;

	pthread_mutex_lock(&once);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	tl_error("%s", msg);
	site_abort();
	exit(1);
}

/* --today defaults to the local date now; everything else is data. */
static void main_dates(struct dash *d)
{
	int64_t days;

	if (!d->today[0]) {
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(d->today, sizeof d->today, "%Y-%m-%d", &tm);
	}
	if (tl_cal_parse(d->today, &days))
		dash_fail("--today: '%s' is not a date YYYY-MM-DD", d->today);
	tl_cal_iso_week_format(days, d->this_week);
	tl_cal_iso_week_format(days - 7, d->last_week);
	tl_cal_iso_week_format(days - 14, d->week_before);
	d->weekday = tl_cal_weekday(days);
	if (d->since[0]) {
		int64_t s;
		if (tl_cal_parse(d->since, &s))
			dash_fail("--since: '%s' is not a date YYYY-MM-DD", d->since);
	}
}

/* Fails early on a --programme or --site that does not exist, rather than
 * writing a dashboard of nothing. */
static void main_check_filter(struct dash *d, const char *table, const char *id)
{
	char sql[128];
	sqlite3_stmt *st;

	if (!id[0])
		return;
	snprintf(sql, sizeof sql, "SELECT 1 FROM %s WHERE id = ?1", table);
	st = dash_query(d, NULL, sql);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (!dash_step(d, st))
		dash_fail("no %s '%s'", table, id);
	sqlite3_finalize(st);
}

/* Adds a page for one programme or site, its file named after its id
 * (ids are [a-z0-9-]; anything else stored by other means gets a
 * numbered name, so no id can name a path). */
static void main_add_page(struct dash_pages *p, const char *kind, const char *programme,
                          const char *site, const char *name)
{
	struct dash_scope *s;
	const char *id;

	p->v = realloc(p->v, (size_t)(p->n + 1) * sizeof *p->v);
	if (!p->v)
		dash_fail("out of memory");
	s = &p->v[p->n++];
	memset(s, 0, sizeof *s);
	s->programme = programme ? strdup(programme) : NULL;
	s->site = site ? strdup(site) : NULL;
	id = kind[0] == 'p' ? programme : site;
	if (id && tl_id_valid(id))
		snprintf(s->file, sizeof s->file, "%s-%s.html", kind, id);
	else
		snprintf(s->file, sizeof s->file, "%s-%d.html", kind, p->n);
	snprintf(s->title, sizeof s->title, "%s", name);
	if (site && tl_id_valid(site))
		snprintf(s->sheet, sizeof s->sheet, "callsheet-%s", site);
	else if (site)
		snprintf(s->sheet, sizeof s->sheet, "callsheet-%d", p->n);
}

/* index.html (the run's filters), then each programme and each site
 * within them, by id. */
static void main_pages(struct dash *d, struct dash_pages *p)
{
	const char *prog = d->programme[0] ? d->programme : NULL;
	const char *site = d->site[0] ? d->site : NULL;
	sqlite3_stmt *st;

	main_add_page(p, "x", prog, site, "");
	snprintf(p->v[0].file, sizeof p->v[0].file, "index.html");
	snprintf(p->v[0].title, sizeof p->v[0].title, "%s",
	         prog || site ? "This dashboard's selection" : "All programmes and sites");
	st = dash_query(d, &p->v[0],
	                "SELECT g.id, g.name FROM programme g WHERE " DASH_PROGRAMME_WHERE("g.id")
	                " ORDER BY g.id");
	while (dash_step(d, st)) {
		char title[300];
		snprintf(title, sizeof title, "Programme: %s", dash_text(st, 1));
		if (!prog)
			main_add_page(p, "programme", dash_text(st, 0), site, title);
		else
			snprintf(p->v[0].title, sizeof p->v[0].title, "%s", title);
	}
	sqlite3_finalize(st);
	st = dash_query(d, &p->v[0],
	                "SELECT t.id, t.name FROM site t WHERE (:site IS NULL OR t.id = :site)"
	                " AND (:prog IS NULL OR t.id IN (SELECT ps.site FROM programme_site ps"
	                " WHERE ps.programme = :prog)) ORDER BY t.id");
	while (dash_step(d, st)) {
		char title[300];
		snprintf(title, sizeof title, "Site: %s", dash_text(st, 1)[0] ? dash_text(st, 1)
		                                                                : dash_text(st, 0));
		if (!site)
			main_add_page(p, "site", prog, dash_text(st, 0), title);
		else if (!prog)
			snprintf(p->v[0].title, sizeof p->v[0].title, "%s", title);
	}
	sqlite3_finalize(st);
}

/* Every page's sections, in the order a lead reads them. */
const struct dash_section dash_sections[] = {
	{ "briefing", "Briefing", page_briefing },
	{ "overview", "Overview", page_overview },
	{ "followup", "Follow-up", page_followup },
	{ "attendance", "Weekly attendance", page_attendance },
	{ "heatmap", "Participants by week", page_heatmap },
	{ "activity", "Programme activity", page_activity },
	{ "retention", "Retention", page_retention },
	{ "outcomes", "Outcomes", page_outcomes },
	{ "readers", "Readers", page_readers },
	{ "quality", "Data quality", page_quality },
	{ "downloads", "Downloads", page_downloads },
};
const int dash_nsections = (int)(sizeof dash_sections / sizeof dash_sections[0]);

/* Writes one page: every section of dash_sections. */
static void main_write_page(struct dash *d, const struct dash_scope *s,
                            const struct dash_pages *pages)
{
	FILE *f = site_open(d, s->file);

	html_page_begin(f, d, s, pages);
	for (int i = 0; i < dash_nsections; i++)
		dash_sections[i].write(f, d, s);
	html_page_end(f);
	site_close(f, s->file);
}

/* Runs sql; 0 or -1. */
static int main_exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Reads the database (starting the snapshot inside a transaction, or
 * refreshing the connection's view outside one) and its data_version. */
static int main_version(sqlite3 *db, int64_t *v)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (main_exec(db, "SELECT count(*) FROM attendance_build") ||
	    sqlite3_prepare_v2(db, "PRAGMA data_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (v)
			*v = sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* A read-only connection set up for reading whole tables: the file
 * mapped, sorts in memory (TL_EXPORT_PRAGMAS). */
static sqlite3 *main_open(const char *path)
{
	char err[1024];
	sqlite3 *db = tl_store_open(path, TL_STORE_READONLY, err, sizeof err);

	if (!db)
		dash_fail("%s", err);
	if (tl_zone_sql_register(db) != SQLITE_OK ||
	    tl_store_exec(db, TL_EXPORT_PRAGMAS, err, sizeof err))
		dash_fail("database: %s", sqlite3_errmsg(db));
	return db;
}

/* Starts the read transactions of both connections on one snapshot, so
 * the downloads show exactly what the pages show. SQLite has no call to
 * share a snapshot here, so: twin reads (learning the database's version,
 * PRAGMA data_version), the main connection begins, twin begins; if
 * twin's version did not change, nobody committed in between and both
 * began on the same state. A few tries (the window is microseconds, but
 * the collector commits often), then twin is closed and the downloads
 * are written on the main connection. */
static void main_snapshot(struct dash *d, sqlite3 **twin)
{
	for (int try = 0; try < 5; try++) {
		int64_t v0, v1;
		if (main_version(*twin, &v0) || main_exec(d->db, "BEGIN") ||
		    main_version(d->db, NULL) || main_exec(*twin, "BEGIN") ||
		    main_version(*twin, &v1))
			break;
		if (v0 == v1)
			return;
		main_exec(d->db, "ROLLBACK");
		main_exec(*twin, "ROLLBACK");
	}
	tl_store_close(*twin);
	*twin = NULL;
	sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL); /* none, or a failed try's */
	if (main_exec(d->db, "BEGIN") || main_version(d->db, NULL))
		dash_fail("database: %s", sqlite3_errmsg(d->db));
}

/* The second thread: downloads from the shared list, the largest
 * (attendance) first, while the main thread builds the pages. */
static atomic_int main_next_download;

static void *main_downloads(void *d)
{
	downloads_work(d, &main_next_download);
	return NULL;
}

int main(int argc, char **argv)
{
	char db_path[DASH_PATH_MAX] = "/var/lib/touchline/touchline.db", out[DASH_PATH_MAX] = "";
	char err[1024];
	const struct tl_option opts[] = {
		{ "database", "db", TL_OPT_STR, db_path, sizeof db_path, 0, 0, "FILE",
		  "SQLite database (opened read-only)" },
		{ "dashboard", "out", TL_OPT_STR, out, sizeof out, 0, 0, "DIR",
		  "write the site to DIR (replaced as a whole when done)" },
		{ "dashboard", "today", TL_OPT_STR, dash.today, sizeof dash.today, 0, 0, "DATE",
		  "the day whose week is 'this week' (default: today's local date)" },
		{ "dashboard", "since", TL_OPT_STR, dash.since, sizeof dash.since, 0, 0, "DATE",
		  "only sessions, taps and weeks from DATE on" },
		{ "dashboard", "programme", TL_OPT_STR, dash.programme, sizeof dash.programme, 0, 0,
		  "P", "only programme P" },
		{ "dashboard", "site", TL_OPT_STR, dash.site, sizeof dash.site, 0, 0, "SITE",
		  "only site SITE" },
		{ "dashboard", "names", TL_OPT_BOOL, &dash.names, 0, 0, 0, NULL,
		  "include participant names (internal coach view; says so on every page)" },
		TL_OPT_END,
	};
	static const struct tl_program program = {
		.name = "touchline-dashboard",
		.section = 1,
		.summary = "write Touchline's static HTML dashboard",
		.usage = "--db FILE --out DIR [OPTIONS]",
		.about = "Writes a self-contained static HTML dashboard of attendance, activity,\n"
		         "retention, follow-up, readers and data quality. Open DIR/index.html;\n"
		         "it makes no network request. DIR is replaced as a whole when done.",
		.files = "/etc/touchline/dashboard.ini\tthe settings the package's timer uses\n"
		         "/var/lib/touchline/touchline.db\tthe database (read only)",
		.see_also = "touchline(1), touchline-collector(8)",
	};
	struct dash_pages pages = { NULL, 0 };
	struct dash dl;
	pthread_t downloads;
	sqlite3 *twin;
	int first, threaded = 0;

	tl_log_init("touchline-dashboard", TL_LOG_WARN);
	first = tl_program_parse(&program, opts, argc, argv);
	if (first < argc) {
		fprintf(stderr, "touchline-dashboard: unexpected argument '%s' (see --help)\n",
		        argv[first]);
		return 2;
	}
	if (!out[0]) {
		fprintf(stderr, "touchline-dashboard: --out DIR is required (see --help)\n");
		return 2;
	}
	main_dates(&dash);
	dash.db = main_open(db_path);
	twin = main_open(db_path);
	main_snapshot(&dash, &twin);
	main_check_filter(&dash, "programme", dash.programme);
	main_check_filter(&dash, "site", dash.site);
	{
		sqlite3_stmt *st = dash_query(&dash, NULL, "SELECT as_of FROM attendance_build");
		if (dash_step(&dash, st))
			dash.as_of = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	main_pages(&dash, &pages);
	dash.pages = &pages;
	dash_zone_init(&dash); /* before the second thread: it sets TZ */
	followup_state_read(&dash, out);
	site_begin(&dash, out);
	/* Downloads in a second thread, on its own connection at the same
	 * snapshot, while this one builds the pages and then joins in (at
	 * national scale, 8 s -> 4 s on two cores). */
	dl = dash;
	if (twin) {
		dl.db = twin;
		threaded = pthread_create(&downloads, NULL, main_downloads, &dl) == 0;
	}
	facts_build(&dash);
	if (tl_outcomes_build(dash.db, err, sizeof err))
		dash_fail("outcomes: %s", err);
	for (int i = 0; i < pages.n; i++)
		main_write_page(&dash, &pages.v[i], &pages);
	for (int i = 0; i < pages.n; i++) {
		const struct dash_scope *s = &pages.v[i];
		int j = s->site ? facts_site(&dash, s->site) : -1;
		if (s->site)
			followup_callsheet(&dash, s, j < 0 ? s->site : dash.facts.sites.v[j][1], &pages);
	}
	followup_state_write(&dash);
	page_summary(&dash, &pages.v[0]);
	downloads_work(&dash, &main_next_download); /* what the other has not taken */
	if (threaded)
		pthread_join(downloads, NULL);
	if (twin) {
		tl_store_exec(twin, "COMMIT", err, sizeof err);
		tl_store_close(twin);
	}
	tl_store_exec(dash.db, "COMMIT", err, sizeof err);
	tl_store_close(dash.db);
	facts_free(&dash);
	free(dash.zone_at);
	free(dash.zone_off);
	site_commit(&dash, out);
	for (int i = 0; i < pages.n; i++) {
		free((char *)pages.v[i].programme);
		free((char *)pages.v[i].site);
	}
	free(pages.v);
	printf("%s/index.html\n", out);
	return 0;
}
