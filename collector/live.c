/* live.c - live attendance: after each committed batch, the derived
 * tables (attendance, programme activity, engagement and follow-up) are
 * brought forward in a transaction of their own, as a full rebuild would
 * write them (common/programme/attendance.h).
 *
 * The taps and their acks are already committed and sent: a failure here
 * (disk full, a lock held too long) costs nothing but freshness. The
 * derived tables record the last tap they took in, so the next update,
 * after a backoff, takes in everything missed; `touchline attendance
 * status` shows how far behind they are meanwhile. */
#include "collector.h"
#include "log.h"
#include "store.h"
#include "tl_time.h"

#include <time.h>

/* A few new messages are taken in at once: at an everyday rate an update
 * takes a millisecond or two and follows every batch. Under load (LIVE_FEW
 * or more since the last update) an update waits until the time since the
 * last one is at least LIVE_SHARE times what that one took (and
 * LIVE_BUSY_MS while more are queued): live attendance then takes at most
 * about a seventh of the writer's time, so taps are stored and acked at
 * close to the collector's full speed, and one update covers several
 * batches (a participant tapping again within them is recomputed once). */
#define LIVE_BUSY_MS 20
#define LIVE_SHARE 6
/* Fewer messages than this since the last update are taken in at once. */
#define LIVE_FEW 64
/* With nothing to take in, the instants that pass (a window opening, a
 * session ending, midnight) are looked at this often. */
#define LIVE_IDLE_MS 1000
#define LIVE_BACKOFF_MAX_MS 30000

long live_update(struct collector *c, int busy)
{
	struct tl_update_stats st;
	int64_t now = tl_monotonic_ms(), wait;
	char err[512], e2[256];
	int rc;

	if (!c->cfg.live_attendance || !c->engine)
		return -1;
	if (c->live_backoff_ms)
		wait = c->live_backoff_ms;
	else if (!c->live_pending)
		wait = LIVE_IDLE_MS;
	else if (c->live_pending < LIVE_FEW)
		wait = 0; /* a few taps: cheap, and someone may be waiting to see them */
	else
		wait = LIVE_SHARE * c->live_cost_ms;
	if (busy && c->live_pending >= LIVE_FEW && wait < LIVE_BUSY_MS)
		wait = LIVE_BUSY_MS;
	if (c->live_last_ms && now - c->live_last_ms < wait)
		return (long)(wait - (now - c->live_last_ms));
	/* Derived rows can always be derived again, so their commit need not
	 * wait for the disk: a power cut loses at most this update, which the
	 * next one redoes (the tables record the last tap taken in). The next
	 * batch of taps commits with synchronous=FULL and so syncs these
	 * pages too. */
	tl_store_exec(c->db, "PRAGMA synchronous = NORMAL", e2, sizeof e2);
	rc = tl_store_exec(c->db, "BEGIN IMMEDIATE", err, sizeof err) ||
	     tl_attendance_update(c->engine, (int64_t)time(NULL), &st, err, sizeof err) ||
	     tl_store_exec(c->db, "COMMIT", err, sizeof err);
	if (rc)
		tl_store_exec(c->db, "ROLLBACK", e2, sizeof e2);
	if (tl_store_exec(c->db, "PRAGMA synchronous = FULL", e2, sizeof e2))
		tl_error("database: cannot restore synchronous=FULL: %s", e2);
	if (rc) {
		c->live_backoff_ms = c->live_backoff_ms ? c->live_backoff_ms * 2 : 250;
		if (c->live_backoff_ms > LIVE_BACKOFF_MAX_MS)
			c->live_backoff_ms = LIVE_BACKOFF_MAX_MS;
		if (!c->live_behind)
			tl_warn("attendance not brought up to date (taps are stored and acked; "
			        "retrying): %s",
			        err);
		c->live_behind = 1;
		c->live_last_ms = tl_monotonic_ms();
		return c->live_backoff_ms;
	}
	c->live_cost_ms = tl_monotonic_ms() - now;
	c->live_last_ms = tl_monotonic_ms();
	if (c->live_acked_ms) {
		/* make bench reads these: ack to visible, for the worst tap */
		tl_debug("attendance current %lld ms after the ack (%ld taps, %ld participants)",
		         (long long)(tl_monotonic_ms() - c->live_acked_ms), st.taps, st.participants);
		c->live_acked_ms = 0;
	}
	if (c->live_behind)
		tl_info("attendance up to date again");
	if (st.rebuilt)
		tl_info("attendance rebuilt in full (the tables were marked stale)");
	c->live_behind = 0;
	c->live_backoff_ms = 0;
	c->live_pending = 0;
	return LIVE_IDLE_MS;
}
