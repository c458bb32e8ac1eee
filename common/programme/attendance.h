/* attendance.h - attendance, programme activity and engagement, derived
 * from taps by the rules in rules.h.
 *
 * Taps are the source of truth. The derived tables (attendance,
 * tap_unmatched, activity_week, engagement) always equal what a full
 * rebuild as of attendance_build.as_of would write:
 *
 *   tl_attendance_rebuild   recomputes everything (after a change to
 *                           schedules, enrolments or settings; repair);
 *   tl_attendance_update    brings them forward to now for what changed
 *                           since: taps not yet taken in (tap.n above
 *                           attendance_build.tap_n) and the instants that
 *                           passed (check-in windows opening, sessions
 *                           ending, local dates turning over);
 *   tl_attendance_participant  recomputes one participant (a card's
 *                           earlier taps credited).
 *
 * All of them run in the caller's transaction. Each participant is
 * derived on its own: their enrolments and expectations, their eligible
 * sessions from an in-memory catalog of every live session, their taps
 * (from the covering index tap_participant). An update recomputes only
 * the sessions whose windows reach the first changed instant, and the
 * rows they feed (tl_attendance_participant and the rebuild: all). */
#ifndef TL_ATTENDANCE_H
#define TL_ATTENDANCE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "rules.h"

/* Which stored taps count for attendance, as an SQL condition on tap: all
 * but the suspect ones no admin has accepted (touchline tap accept). The
 * engine's one tap query uses it; nothing else decides it. */
#define TL_TAP_COUNTS "(suspect IS NULL OR accepted_at IS NOT NULL)"

/* Why a tap nobody holds is listed in tap_unmatched, as an SQL expression
 * on tap: made with a staff (coach) card, a random UID (a phone), or an
 * unknown card. Both places that list such taps use it. */
#define TL_TAP_HOLDERLESS                                                    \
	"(CASE WHEN staff IS NOT NULL THEN 'staff_card' WHEN random THEN"     \
	" 'random_uid' ELSE 'unknown_card' END)"

/* The catalog and prepared statements over one connection. */
struct tl_engine;

/* Opens an engine on db (loads the catalog). NULL with err set. */
struct tl_engine *tl_engine_open(sqlite3 *db, char *err, size_t errlen);
void tl_engine_close(struct tl_engine *e);
/* Reloads the catalog if a rebuild has happened since it was loaded
 * (every change to sessions, programmes or activities rebuilds). Call it
 * inside each transaction before the others. Returns 0 or -1. */
int tl_engine_refresh(struct tl_engine *e);

struct tl_rebuild_stats {
	long participants; /* participants with enrolments or taps */
	long rows;         /* attendance rows (expected sessions and extras) */
	long attended;
	long extra;        /* attended outside what was expected */
	long estimated;    /* attended without a check-out */
	long unmatched;    /* taps listed in tap_unmatched */
};

/* Rebuilds every derived table as of as_of (Unix seconds): sessions count
 * once their check-in window has opened by then, and taps after it are
 * left out. Returns 0, or -1 with err set. */
int tl_attendance_rebuild(sqlite3 *db, int64_t as_of, struct tl_rebuild_stats *stats,
                          char *err, size_t errlen);

struct tl_update_stats {
	long taps;         /* taps taken in */
	long participants; /* participants recomputed */
	int rebuilt;       /* a full rebuild was asked for (stale) and done */
};

/* Brings the derived tables forward to max(now, their as_of): see above.
 * Returns 0, or -1 with err set (the caller rolls back; nothing is lost:
 * the next update takes the same taps in). */
int tl_attendance_update(struct tl_engine *e, int64_t now, struct tl_update_stats *stats,
                         char *err, size_t errlen);

/* Recomputes one participant's rows at the tables' as_of. */
int tl_attendance_participant(struct tl_engine *e, int64_t participant, char *err,
                              size_t errlen);

/* For the collector's ack (week_sessions): sessions attended (expected or
 * not) in the ISO week of the participant's latest eligible session whose
 * window had opened by ts, counting their taps up to ts, matched by the
 * same rules. count is -1 when there is no such session (the ack leaves
 * the field out). Makes no time-zone calls. Returns 0 or -1. */
int tl_attendance_week_count(struct tl_engine *e, int64_t participant, int64_t ts, int *count);

/* Whether session is one the participant may be credited with as of
 * as_of: eligible by one of their enrolments (rules.h), as the matching
 * sees it. For a manual register mark. 1, 0, or -1 on error. */
int tl_attendance_eligible(struct tl_engine *e, int64_t participant, int64_t session,
                           int64_t as_of);

/* The session running at a site at instant ts: a live session there
 * whose check-in window holds ts, the earliest starting (then the lowest
 * id) if several do. For a coach card enrolling a new card "in the
 * programme running here now". */
struct tl_session_at {
	int64_t id, schedule, day; /* schedule 0: a one-off; day: its local date */
	char programme[TL_RULE_ID];
};
/* 1 with out filled, 0 if none, -1 on error. */
int tl_attendance_session_at(struct tl_engine *e, const char *site, int64_t ts,
                             struct tl_session_at *out);

/* tl_attendance_week_count for one-off callers (an engine per call). */
int tl_attendance_week_sessions(sqlite3 *db, int64_t participant, int64_t ts, int *count);

/* Where the derived tables stand. */
struct tl_attendance_state {
	int64_t as_of, built_at;
	int64_t tap_n, taps_behind; /* taps stored but not yet taken in */
	int64_t generation;
	int stale;                  /* a full rebuild is due */
};
int tl_attendance_state(sqlite3 *db, struct tl_attendance_state *st);

#endif
