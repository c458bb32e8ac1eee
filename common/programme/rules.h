/* rules.h - the programme's rules, each written once (docs/programme.md
 * states them in words): who is eligible for and expected at a session,
 * how a participant's taps are paired with sessions, the minutes credited,
 * an enrolment's status and follow-up flag, and the programme minutes band.
 *
 * Pure functions on arrays: attendance.c loads rows from SQLite and writes
 * the results, and every path (the full rebuild, the collector's live
 * update, the ack's week count) goes through these and nothing else. Times
 * are UTC Unix seconds; dates are local day numbers (calendar.h) of the
 * programme's zone. */
#ifndef TL_RULES_H
#define TL_RULES_H

#include <stddef.h>
#include <stdint.h>

#define TL_RULE_ID 40 /* site, programme and activity ids (32) and their NUL */

enum { TL_MODERATE = 1, TL_VIGOROUS = 2 };
enum { TL_TAP_FREE, TL_TAP_USED, TL_TAP_DUPLICATE };

/* Sport England's thresholds, applied here to programme minutes only
 * (moderate-equivalent minutes of programme sessions in one ISO week). */
#define TL_BAND_LOW_MIN 30
#define TL_BAND_HIGH_MIN 150

/* A programme's settings, in seconds where the schema keeps minutes. */
struct tl_programme {
	char id[TL_RULE_ID];
	char tz[80];
	int64_t before, after, gap, grace; /* check-in and check-out windows */
	int followup_misses;
};

/* A live (not cancelled) session as the rules see it. co_hi and overlap
 * come from the next live session at the same site, whatever programme it
 * belongs to (tl_rules_site_windows). */
struct tl_session {
	int64_t id, start, end;
	int64_t win_lo, win_hi; /* check-in window */
	int64_t gap;            /* a check-out at least this long after the check-in */
	int64_t co_hi;          /* last instant a check-out may have */
	int overlap;            /* the next session there opens by co_hi */
	int64_t day;            /* local date */
	int64_t schedule;       /* 0 for a one-off */
	int expected_of_none;   /* a one-off expected of nobody */
	int prog;               /* index of its struct tl_programme */
	int intensity;          /* TL_MODERATE, TL_VIGOROUS, 0: no such activity */
	int strength;           /* a muscle-strengthening activity */
	double met;
	char site[TL_RULE_ID], iso_week[16], local_date[16], week_start[16];
};

/* From one local date on, what an enrolment expects the participant at:
 * the sessions at sites (comma-separated ids), or of schedules (their
 * ids) together with one-offs at those schedules' sites (oneoff_sites);
 * all NULL: every session. */
struct tl_expect {
	int prog; /* its programme (for the loader) */
	int64_t from;
	char *sites, *schedules, *oneoff_sites;
};

struct tl_enrolment {
	int prog;                     /* index of its programme */
	int64_t start, end, withdrawn; /* withdrawn: INT64_MAX when none */
	struct tl_expect *x;          /* in from order */
	size_t nx;
};

/* A session a participant may be credited with: eligible by enrolment.
 * Holds its matching result (tap indexes, -1 if none). */
struct tl_cand {
	const struct tl_session *s;
	int expected;
	int programme_week;
	long ci, co;
	int marked;        /* a manual register mark (attendance mark) for it */
	long mark_minutes; /* the minutes the mark gives, -1: none given */
};

struct tl_match_tap {
	int64_t n, ts;
	char site[TL_RULE_ID];
	int state; /* TL_TAP_FREE, TL_TAP_USED, TL_TAP_DUPLICATE */
};

/* Fills co_hi and overlap of every session, given them sorted by (site,
 * start, id) and the programmes they point to. */
void tl_rules_site_windows(struct tl_session *s, size_t n, const struct tl_programme *p);

/* Whether the enrolment makes the participant eligible for s (its date
 * inside the enrolment, before any withdrawal) as of as_of (its check-in
 * window has opened). */
int tl_rules_eligible(const struct tl_enrolment *e, const struct tl_session *s, int64_t as_of);
/* Whether an eligible s is expected of the participant. */
int tl_rules_expected(const struct tl_enrolment *e, const struct tl_session *s);
/* Programme week (1 = the 7 days from the start) of s's date. */
int tl_rules_programme_week(const struct tl_enrolment *e, const struct tl_session *s);

/* Orders candidates for matching: by start, expected first, then id. */
int tl_rules_cand_cmp(const void *a, const void *b);
/* Pairs taps (in ts order, taps at one site with equal ts in n order; all
 * FREE) with candidates (in
 * tl_rules_cand_cmp order); sets each candidate's ci and co and each
 * tap's state. */
void tl_rules_match(struct tl_cand *c, size_t nc, struct tl_match_tap *t, size_t nt);
/* The widest span a candidate's matching looks at: its check-in window
 * and check-out window. */
int64_t tl_rules_cand_hi(const struct tl_session *s);
/* Whether a candidate was attended: a check-in tap, or a manual register
 * mark (a mark is an input like a tap; it never moves a tap). */
int tl_rules_attended(const struct tl_cand *c);
/* Minutes credited for a matched candidate, and whether estimated. A
 * marked one gets the mark's minutes if it gives them, else its taps'
 * minutes if it has a check-in, else the scheduled length, estimated. */
long tl_rules_minutes(const struct tl_cand *c, const struct tl_match_tap *t, int *estimated);

/* One attendance row: an expected session (attended or not) or an
 * attended extra, with its credited minutes. */
struct tl_row {
	const struct tl_session *s;
	int expected, attended, estimated;
	long minutes;
};

/* An enrolment's engagement, from its programme's rows. */
struct tl_engagement {
	long expected, attended, extra; /* attended: expected sessions attended */
	long weeks;                     /* distinct ISO weeks with any attendance */
	long missed_run; /* expected sessions ended by as_of, unattended, since the last attended */
	const char *last_attended;      /* local date, or NULL */
};

/* Engagement from rows (any order) of one programme; scratch holds n
 * pointers. */
void tl_rules_engagement(const struct tl_row *r, size_t n, int64_t as_of,
                         struct tl_engagement *out, const char **scratch);

/* Programme activity of one ISO week, from that week's rows. */
struct tl_week {
	long expected, attended, extra;
	long minutes, moderate, vigorous, estimated_minutes, strength_days;
	double met_minutes;
	const char *week_start;
};
/* rows: one programme's rows of one ISO week, in date order. */
void tl_rules_week(const struct tl_row *const *rows, size_t n, struct tl_week *out);

/* Moderate-equivalent minutes: moderate + 2 x vigorous (UK CMO). */
long tl_moderate_equivalent(long moderate_minutes, long vigorous_minutes);
/* The programme minutes band of a week's moderate-equivalent minutes:
 * "<30", "30-149" or "150+". */
const char *tl_minutes_band(long moderate_equivalent_minutes);

/* An enrolment's status on local date today: "withdrawn" (withdrawal
 * dated today or before), "not_started", "completed" (ended before
 * today) or "active". */
const char *tl_rules_status(const struct tl_enrolment *e, int64_t today);
/* The follow-up flag: a run of missed expected sessions of at least the
 * programme's followup_misses, while active and not erased. */
int tl_rules_followup(const struct tl_programme *p, const char *status, long missed_run,
                      int erased);

#endif
