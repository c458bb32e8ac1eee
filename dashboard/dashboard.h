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
#define DASH_NAME_MAX 128
#define DASH_PATH_MAX 1024

/* A small table of (id, name) or (programme, site) pairs, looked up by
 * position (facts_name in facts.c). */
struct dash_names {
	char (*v)[2][DASH_NAME_MAX];
	int n;
};

/* The run's facts (facts.c): attendance counted once, grouped by
 * programme and site ("pair") and ISO week, which every page sums over its
 * own scope. Weeks are sorted; everything refers to them by index. */
struct dash_session {
	int pair, week, activity, cancelled;
	long places, attended;   /* attendance rows, and those attended */
};
struct dash_cell {             /* a participant's places in a pair and week */
	int person, pair, week;
	long places, attended;
};
struct dash_minutes {          /* a row of activity_week */
	int person, programme, week, level; /* level: 0 inactive, 1 fairly, 2 active */
	long minutes;              /* moderate-equivalent */
};
struct dash_person {
	int64_t id;
	char code[32];             /* "" once erased */
	char *name;                /* only with --names */
};
struct dash_facts {
	struct dash_names pairs;   /* programme, site */
	struct dash_names weeks;   /* iso_week, its Monday */
	struct dash_names sites;   /* id, name to show */
	struct dash_names activities; /* id, name */
	struct dash_names programmes; /* id of those with activity weeks */
	struct dash_names programme_sites;
	struct dash_session *session;
	int nsessions;
	struct dash_person *person; /* by id */
	int npersons;
	struct dash_cell *cell;    /* grouped by person, in id order */
	long ncells;
	struct dash_minutes *minutes; /* grouped by person */
	long nminutes;
	long (*progweek)[2][53];   /* per pair: places, attended by programme week */
};

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
	struct dash_facts facts;
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

/* Taps in a scope (tap t): at the site, or at the programme's sites. */
#define DASH_TAP_WHERE                                                                \
	" (:site IS NULL OR t.site = :site) AND (:prog IS NULL OR t.site IN"             \
	" (SELECT ps.site FROM programme_site ps WHERE ps.programme = :prog))"           \
	" AND (:since IS NULL OR t.ts >= strftime('%s', :since)) "
/* A page's scope on facts kept per site (fact_unmatched, fact_unknown). */
#define DASH_FACT_SITE_WHERE(x)                                                       \
	" (:site IS NULL OR " x ".site = :site) AND (:prog IS NULL OR " x ".site IN"     \
	" (SELECT ps.site FROM programme_site ps WHERE ps.programme = :prog)) "

/* Participants flagged for follow-up in a scope (engagement e): on a site
 * page, those with eligible sessions at that site. */
#define DASH_FOLLOWUP_WHERE                                                          \
	" e.followup AND" DASH_PROGRAMME_WHERE("e.programme")                           \
	" AND (:site IS NULL OR EXISTS (SELECT 1 FROM attendance a2 JOIN session s2"    \
	" ON s2.id = a2.session WHERE a2.participant = e.participant"                   \
	" AND a2.programme = e.programme AND s2.site = :site)) "
/* The same on the run's fact_followup (e): on a site page, those seen
 * there. */
#define DASH_FOLLOWUP_FACT_WHERE                                                     \
	DASH_PROGRAMME_WHERE("e.programme")                                             \
	" AND (:site IS NULL OR EXISTS (SELECT 1 FROM temp.fact_followup_site x"        \
	" WHERE x.participant = e.participant AND x.programme = e.programme"            \
	" AND x.site = :site)) "
/* Readers in a scope (reader r): of the site, or of the programme's sites. */
#define DASH_READER_WHERE                                                            \
	" (:site IS NULL OR r.site = :site) AND (:prog IS NULL OR r.site IN"            \
	" (SELECT ps.site FROM programme_site ps WHERE ps.programme = :prog)) "

/* facts.c: d->facts, in one pass over attendance (inside the run's read
 * transaction), and the TEMP tables fact_unmatched and fact_unknown. */
void facts_build(struct dash *d);
void facts_free(struct dash *d);
/* Index of (a, b) in t, added if new. */
int facts_name(struct dash_names *t, const char *a, const char *b);
/* Per pair (per programme with activity), 1 if the page covers it; the
 * caller frees. Programmes follow DASH_PROGRAMME_WHERE. */
char *facts_pairs_in(const struct dash *d, const struct dash_scope *s);
char *facts_programmes_in(const struct dash *d, const struct dash_scope *s);
/* Index of an ISO week in the facts, or -1. */
int facts_week(const struct dash *d, const char *week);
/* people[w]: participants who attended in week w, in the pairs marked. */
void facts_people_per_week(const struct dash *d, const char *pair_in, long *people);

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
void page_outcomes(FILE *f, struct dash *d, const struct dash_scope *s);
void page_followup(FILE *f, struct dash *d, const struct dash_scope *s);
void page_readers(FILE *f, struct dash *d, const struct dash_scope *s);
void page_quality(FILE *f, struct dash *d, const struct dash_scope *s);
void page_downloads(FILE *f, struct dash *d, const struct dash_scope *s);

/* downloads.c: the evaluator exports and the data dictionary, those in
 * mask (so two threads can share them out). */
enum {
	DOWNLOADS_ATTENDANCE = 1, /* bit i: downloads_kinds[i] */
	DOWNLOADS_ACTIVITY = 2,
	DOWNLOADS_PARTICIPANTS = 4,
	DOWNLOADS_SESSIONS = 8,
	DOWNLOADS_DICTIONARY = 16,
	DOWNLOADS_ALL = 31
};
void downloads_write(struct dash *d, unsigned mask);

#endif
