/* attendance.h - attendance, programme activity and engagement, derived
 * from taps.
 *
 * Taps are the source of truth. tl_attendance_rebuild recomputes every
 * derived table (attendance, tap_unmatched, activity_week, engagement)
 * from taps, sessions and enrolments, so the result never depends on the
 * order in which schedules, enrolments or cards became known. Readers such
 * as the dashboard only read the derived tables.
 *
 * Matching, per participant, sessions in start order:
 *   check-in  the first unused tap at a reader of the session's site from
 *             checkin_before_min before the start to checkin_after_end_min
 *             after the end;
 *   check-out a later tap there at least checkout_gap_min after the
 *             check-in, after the start and at most checkout_grace_min
 *             after the end (and before the next session there starts):
 *             the last such tap, or the first when the next session's
 *             window overlaps;
 *   minutes   check-out minus check-in clipped to the session, or the
 *             scheduled length marked estimated when there is no check-out.
 * Taps between a check-in and the end of its check-out window are
 * duplicates; any other tap is listed in tap_unmatched with a reason. */
#ifndef TL_ATTENDANCE_H
#define TL_ATTENDANCE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* Sport England Active Lives bands, on moderate-equivalent minutes a week
 * (vigorous minutes count double, UK CMO guidelines). */
#define TL_LEVEL_FAIRLY_ACTIVE_MIN 30
#define TL_LEVEL_ACTIVE_MIN 150

/* "inactive" (< 30), "fairly_active" (30-149) or "active" (>= 150). */
const char *tl_activity_level(long moderate_equivalent_minutes);
/* Moderate-equivalent minutes: moderate + 2 x vigorous. */
long tl_moderate_equivalent(long moderate_minutes, long vigorous_minutes);

struct tl_rebuild_stats {
	long participants; /* participants with enrolments or taps */
	long rows;         /* attendance rows (participant x eligible session) */
	long attended;
	long estimated;    /* attended without a check-out */
	long unmatched;    /* taps listed in tap_unmatched */
};

/* Rebuilds every derived table as of the instant as_of (Unix seconds):
 * sessions count once their check-in window has opened by then. Runs in
 * the caller's transaction; returns 0, or -1 with err set. */
int tl_attendance_rebuild(sqlite3 *db, int64_t as_of, struct tl_rebuild_stats *stats,
                          char *err, size_t errlen);

/* For the collector's ack (week_sessions): the number of sessions the
 * participant has attended in the ISO week (local to the programme) of
 * their latest eligible session whose window had opened by ts, counting
 * taps up to ts, matched exactly as tl_attendance_rebuild does. Reads only
 * (no time zone calls, safe in any thread that owns db); call it inside the
 * transaction that inserted the tap. Returns 0 (count -1 when the
 * participant has no eligible session: the ack then leaves the field out)
 * or -1 on a database error. */
int tl_attendance_week_sessions(sqlite3 *db, int64_t participant, int64_t ts, int *count);

/* The statements tl_attendance_week_sessions runs, prepared once by a
 * caller that asks for every tap (the collector): preparing them per call
 * was 40 % of the collector's time at scale. */
struct tl_week_stmts {
	sqlite3_stmt *enrolments, *latest, *sessions, *taps;
};

/* Prepares w on db; returns 0, or -1 (with nothing left to finalize). */
int tl_attendance_week_prepare(sqlite3 *db, struct tl_week_stmts *w);
void tl_attendance_week_finalize(struct tl_week_stmts *w);
/* tl_attendance_week_sessions with w's statements (same result). */
int tl_attendance_week_count(struct tl_week_stmts *w, int64_t participant, int64_t ts,
                             int *count);

#endif
