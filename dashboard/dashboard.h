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

#include "esc.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdatomic.h>
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
	long places, attended;   /* expected attendance rows, and those attended */
	long extras;             /* attended outside what was expected */
	int64_t start_ts, end_ts;
	int weekday;             /* ISO, 1 = Monday, of its local date */
	char date[11], time[6];  /* local date and start time */
	char *reason;            /* why cancelled, NULL if not given */
};
/* An enrolment (a participant in a programme), with its status from the
 * engagement table and what the pass over attendance found: its first
 * attendance and the last programme week attended. */
struct dash_enrol {
	int person;
	char programme[DASH_ID_MAX];
	char start[11], end[11], withdrawn[11]; /* withdrawn "" for none */
	char status[12];           /* engagement.status */
	int first_week, first_pair; /* facts week and pair of the first attendance, -1 */
	int last_pw;               /* last programme week attended, 0 for none */
};
/* Something a participant did in a week, at a pair: came for the first
 * time, or came back after a run of missed expected sessions long enough
 * for follow-up. */
enum { DASH_EV_FIRST, DASH_EV_BACK };
struct dash_event {
	int person, enrol, pair, week, kind;
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
	long *cell_first;          /* per person: its first cell; [npersons]: ncells */
	struct dash_enrol *enrol;  /* by participant id, then programme */
	long nenrols;
	long *enrol_first;         /* per person: its first enrolment; [npersons]: nenrols */
	int *enrol_pair;           /* per enrolment, from enrol_pair_first[k]: the pairs of */
	long *enrol_pair_first;    /* its programme it has cells in; [nenrols]: the end */
	struct dash_event *event;
	long nevents;
	struct dash_names misses;  /* programme id, its followup_misses */
};

/* The run: its options and what every page shares. */
struct dash {
	sqlite3 *db;
	int names;                 /* --names: the internal coach view */
	char today[11];            /* --today, "YYYY-MM-DD" */
	char this_week[9];         /* ISO week of today, "2026-W16" */
	char last_week[9];
	char week_before[9];       /* the week before last week */
	int weekday;               /* of today, ISO (1 = Monday) */
	char since[16];            /* --since, "" for none */
	char programme[DASH_ID_MAX]; /* --programme, "" for all */
	char site[DASH_ID_MAX];    /* --site, "" for all */
	int64_t as_of;             /* attendance_build.as_of, 0 if never built */
	char dir[DASH_PATH_MAX + 32]; /* the temporary directory being written */
	struct dash_facts facts;
	const struct dash_pages *pages; /* every page of the run */
	char zone[64];             /* the display zone (dash_zone_init) */
	int64_t *zone_at;          /* from zone_at[i] on, the offset is zone_off[i] */
	int *zone_off;
	size_t nzone, zone_cap;
};

/* Lists of participants (the follow-up list, the participant x week
 * grids) longer than this are not written on a page that covers more
 * than one site: it shows counts per site and links to the site pages
 * instead, so no page grows with the size of the whole dataset. */
#define DASH_LIST_MAX 500

/* One page: the run's filters narrowed to a programme and/or a site. */
struct dash_scope {
	const char *programme;     /* NULL: every programme */
	const char *site;          /* NULL: every site */
	char file[DASH_ID_MAX + 32]; /* "index.html", "programme-kick.html" */
	char title[300];           /* plain text; escaped when written */
	char sheet[DASH_ID_MAX + 32]; /* a site page's call sheet, "callsheet-burnley" */
};

/* The list of pages, for the navigation on each of them. */
struct dash_pages {
	struct dash_scope *v;
	int n;
};

/* A section of every page: its anchor, its name in the navigation and
 * the function that writes it. The list (main.c) is the one place that
 * says which sections a page has and in which order; adding one is a line
 * there. */
struct dash_section {
	const char *id, *heading;
	void (*write)(FILE *f, struct dash *d, const struct dash_scope *s);
};
extern const struct dash_section dash_sections[];
extern const int dash_nsections;

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
/* "Tuesday 14 April" (long) or "Tue 14 Apr" of a date "YYYY-MM-DD";
 * the date itself if it is not one. */
const char *dash_day(const char *date, int longer, char buf[32]);
/* "Monday" ... "Sunday" of an ISO weekday (1 to 7), "" otherwise. */
const char *dash_weekday_name(int weekday);
/* The zone local times are shown in (the run's programme's, or the one
 * most programmes have), its offsets read into d before any second
 * thread starts; dash_when and friends only look them up. */
void dash_zone_init(struct dash *d);
/* "Monday 20 April, 09:00" (with the year when it is not --today's) of a
 * UTC instant in the display zone; dash_when_col: "never" for NULL. */
const char *dash_when(const struct dash *d, int64_t t, char buf[48]);
const char *dash_when_col(const struct dash *d, sqlite3_stmt *st, int col, char buf[48]);
/* Its local date, "YYYY-MM-DD". */
const char *dash_local_date(const struct dash *d, int64_t t, char buf[11]);

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
/* Whether enrolment k belongs to a page of these pairs: its programme is
 * the page's, and on a site page the participant is expected there (or
 * not yet expected anywhere). */
int facts_enrol_in(const struct dash *d, const struct dash_scope *s, const char *pair_in, long k);
/* Index in facts.person of a participant id, or -1. */
int facts_person_index(const struct dash *d, int64_t id);
/* Whether site (an id) is one of the page's sites. */
int facts_site_in(const struct dash *d, const struct dash_scope *s, const char *site);
/* Index in facts.sites of a site id, or -1. */
int facts_site(const struct dash *d, const char *id);
/* Site (index in facts.sites) of a pair, or -1. */
int facts_pair_site(const struct dash *d, int pair);
/* Attended and places of a participant in a programme's pairs in facts
 * week w ("" programme: any). */
void facts_person_week(const struct dash *d, int person, const char *programme, int w,
                       long *attended, long *places);

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

/* html.c (html_esc: esc.h) */
void html_page_begin(FILE *f, struct dash *d, const struct dash_scope *s,
                     const struct dash_pages *pages);
void html_page_end(FILE *f);
/* A standalone document (call sheet, summary, data dictionary): the head
 * with the style sheet and <body>; kind is one of HTML_DOC_*. */
enum { HTML_DOC_SHEET = 1, HTML_DOC_SUMMARY, HTML_DOC_TEXT };
void html_doc_begin(FILE *f, const char *title, const char *scope, int kind);
void html_doc_end(FILE *f);
/* The site pages within page s, for a list too long for s: a table
 * with a row per site, its count from count(d, &sub, arg) (sub: s
 * narrowed to that site) and a link to its page's anchor. */
void html_site_links(FILE *f, struct dash *d, const struct dash_scope *s, const char *id,
                     const char *caption, const char *what, const char *anchor,
                     long (*count)(struct dash *d, const struct dash_scope *sub, void *arg),
                     void *arg);
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
/* svg_bars: marked (NULL for none) flags the bars to mark with a warning
 * sign above them; desc should say what the sign means. */
void svg_bars(FILE *f, const char *id, const char *title, const char *desc, int n,
              const char *const *labels, const double *values, int percent,
              const unsigned char *marked);
void svg_stacked(FILE *f, const char *id, const char *title, const char *desc, int n,
                 const char *const *labels, int k, const struct svg_series *series);
void svg_lines(FILE *f, const char *id, const char *title, const char *desc, int n,
               const char *const *labels, int k, const struct svg_series *series, int percent);
/* SVG <defs> for the fill patterns (in a hidden SVG once per page). */
void svg_defs(FILE *f);

/* page_*.c: the sections of a page. */
void page_briefing(FILE *f, struct dash *d, const struct dash_scope *s);
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
/* page_overview.c, shared with the summary. Totals over the sessions
 * dated from on ("": all) in the pairs marked. */
struct overview_total {
	long held, cancelled, places, came, extras, people;
};
void overview_total(const struct dash *d, const char *pair_in, const char *from,
                    struct overview_total *t);
/* Percentage of the enrolments w weeks or more into their programme who
 * came in programme week w or later; -1 when none. */
int overview_retention(struct dash *d, const struct dash_scope *s, const char *pair_in, int w);
/* The sites side by side (at most max rows; 0: all). */
void overview_sites(FILE *f, struct dash *d, const struct dash_scope *s, const char *pair_in,
                    int max);
/* page_summary.c: summary.html, one A4 page for a partnership meeting. */
void page_summary(struct dash *d, const struct dash_scope *s);
/* page_readers.c: a site's reader problems now (offline, clock off, as
 * its readers last reported), as a short marked text; nothing when none. */
void readers_marks(FILE *f, struct dash *d, const char *site);
/* The reader problems (reader_problem) during the sessions of the pairs
 * in pair_in in facts week `week`, as a short marked text (f NULL: only
 * counted); returns how many readers' problems there were. */
int readers_week_marks(FILE *f, struct dash *d, const char *pair_in, int week);
/* The same for one session (an index into the facts' sessions; f NULL:
 * only counted). */
int readers_session_marks(FILE *f, struct dash *d, int session);
/* page_followup.c: a site's call sheet (HTML and CSV), and the list kept
 * in the output folder to compare the next run's with: read from the old
 * site before it is replaced, written into the new one. */
void followup_callsheet(struct dash *d, const struct dash_scope *s, const char *site_name,
                        const struct dash_pages *pages);
void followup_state_read(struct dash *d, const char *out);
void followup_state_write(struct dash *d);

/* downloads.c: the evaluator exports and the data dictionary, one job at
 * a time from a list the threads share: each call claims the next job
 * from *next (shared by every thread writing the site, starting at 0)
 * until none is left, so the thread free first takes the next one. */
void downloads_work(struct dash *d, atomic_int *next);

#endif
