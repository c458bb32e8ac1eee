/* dashboard.h - touchline-dashboard: a static, self-contained HTML site of
 * a programme's attendance, read from the Touchline database (issue 5).
 *
 * The program only reads: attendance, activity and engagement come from
 * the tables tl_attendance_rebuild derives (common/attendance.h); the
 * dashboard aggregates them for display and never matches taps itself.
 * Every page is written into a temporary directory that replaces --out in
 * one rename (site_writer.c). Nothing depends on the wall clock but the
 * default of --today, so an unchanged database gives identical bytes. */
#ifndef TL_DASHBOARD_H
#define TL_DASHBOARD_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#define DASH_ID_MAX 64
#define DASH_PATH_MAX 1024

/* The run: its options and what every page shares. */
struct dash {
	sqlite3 *db;
	int names;                 /* --names: the internal coach view */
	char today[11];            /* --today, "YYYY-MM-DD" */
	char this_week[9];         /* ISO week of today, "2026-W16" */
	char last_week[9];
	char since[16];            /* --since, "" for none */
	char programme[DASH_ID_MAX]; /* --programme, "" for all */
	char site[DASH_ID_MAX];    /* --site, "" for all */
	int64_t as_of;             /* attendance_build.as_of, 0 if never built */
	char dir[DASH_PATH_MAX + 32]; /* the temporary directory being written */
};

/* One page: the run's filters narrowed to a programme and/or a site. */
struct dash_scope {
	const char *programme;     /* NULL: every programme */
	const char *site;          /* NULL: every site */
	char file[DASH_ID_MAX + 32]; /* "index.html", "programme-kick.html" */
	char title[300];           /* plain text; escaped when written */
};

/* The list of pages, for the navigation on each of them. */
struct dash_pages {
	struct dash_scope *v;
	int n;
};

/* main.c */
void dash_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* query.c: statements with the scope's filters bound by name (:prog,
 * :site, :since, :today, :week, :lastweek) wherever the SQL uses them. */
sqlite3_stmt *dash_query(struct dash *d, const struct dash_scope *s, const char *sql);
void dash_bind(sqlite3_stmt *st, const char *name, const char *value);
/* Steps st; 1 on a row, 0 when done; fails the run on an error. */
int dash_step(struct dash *d, sqlite3_stmt *st);
/* Column text, never NULL ("" for NULL). */
const char *dash_text(sqlite3_stmt *st, int col);
/* Integer percentage num/den rounded half up; -1 when den is 0. */
int dash_percent(long num, long den);
/* "2026-04-14 17:00 UTC" or "never" for a NULL time column. */
const char *dash_utc(sqlite3_stmt *st, int col, char buf[32]);

/* Session filter of a scope, for SQL on "session s". */
#define DASH_SESSION_WHERE                                                        \
	" (:prog IS NULL OR s.programme = :prog) AND (:site IS NULL OR s.site = :site)" \
	" AND (:since IS NULL OR s.local_date >= :since) AND s.local_date <= :today "
/* Programme filter of a scope for per-programme tables (alias in macro
 * argument): on a site page, the programmes running at that site. */
#define DASH_PROGRAMME_WHERE(col)                                             \
	" (:prog IS NULL OR " col " = :prog) AND (:site IS NULL OR " col            \
	" IN (SELECT ps.programme FROM programme_site ps WHERE ps.site = :site)) "

/* Participants flagged for follow-up in a scope (engagement e): on a site
 * page, those with eligible sessions at that site. */
#define DASH_FOLLOWUP_WHERE                                                          \
	" e.followup AND" DASH_PROGRAMME_WHERE("e.programme")                           \
	" AND (:site IS NULL OR EXISTS (SELECT 1 FROM attendance a2 JOIN session s2"    \
	" ON s2.id = a2.session WHERE a2.participant = e.participant"                   \
	" AND a2.programme = e.programme AND s2.site = :site)) "
/* Readers in a scope (reader r): of the site, or of the programme's sites. */
#define DASH_READER_WHERE                                                            \
	" (:site IS NULL OR r.site = :site) AND (:prog IS NULL OR r.site IN"            \
	" (SELECT ps.site FROM programme_site ps WHERE ps.programme = :prog)) "

/* site_writer.c */
/* Creates the temporary directory beside out (refusing an out that exists
 * and was not written by this program) into d->dir. */
void site_begin(struct dash *d, const char *out);
/* Opens d->dir/name (subdirectories made as needed) for writing. */
FILE *site_open(struct dash *d, const char *name);
/* Closes f, failing the run on any write error. */
void site_close(FILE *f, const char *name);
/* Replaces out with the finished directory in one rename. */
void site_commit(struct dash *d, const char *out);
/* Removes the temporary directory (on failure; safe to call twice). */
void site_abort(void);

/* html.c */
void html_esc(FILE *f, const char *s);
void html_page_begin(FILE *f, struct dash *d, const struct dash_scope *s,
                     const struct dash_pages *pages);
void html_page_end(FILE *f);
/* <section> with an id and a heading. */
void html_section(FILE *f, const char *id, const char *heading);
void html_section_end(FILE *f);
/* A number cell, or "–" for a missing percentage. */
void html_pct(FILE *f, int pct);
/* The standalone data-dictionary page. */
void html_dictionary(FILE *f);

/* svg.c: inline charts with <title>, <desc> and role="img"; each caller
 * prints a data table beside the chart. values < 0 are "no value". */
struct svg_series {
	const char *name;
	const double *v;
};
void svg_bars(FILE *f, const char *id, const char *title, const char *desc, int n,
              const char *const *labels, const double *values, int percent);
void svg_stacked(FILE *f, const char *id, const char *title, const char *desc, int n,
                 const char *const *labels, int k, const struct svg_series *series);
void svg_lines(FILE *f, const char *id, const char *title, const char *desc, int n,
               const char *const *labels, int k, const struct svg_series *series, int percent);
/* SVG <defs> for the fill patterns (in a hidden SVG once per page). */
void svg_defs(FILE *f);

/* page_*.c: the sections of a page. */
void page_overview(FILE *f, struct dash *d, const struct dash_scope *s);
void page_attendance(FILE *f, struct dash *d, const struct dash_scope *s);
void page_heatmap(FILE *f, struct dash *d, const struct dash_scope *s);
void page_activity(FILE *f, struct dash *d, const struct dash_scope *s);
void page_retention(FILE *f, struct dash *d, const struct dash_scope *s);
void page_followup(FILE *f, struct dash *d, const struct dash_scope *s);
void page_readers(FILE *f, struct dash *d, const struct dash_scope *s);
void page_quality(FILE *f, struct dash *d, const struct dash_scope *s);
void page_downloads(FILE *f, struct dash *d, const struct dash_scope *s);

/* downloads.c: the evaluator exports and the data dictionary. */
void downloads_write(struct dash *d);

#endif
