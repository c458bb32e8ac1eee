/* writer.c - the collector's main loop: batches of messages, one
 * transaction each, acks only after COMMIT returns.
 *
 * If the database cannot be written (disk full, read-only, I/O error) the
 * batch is rolled back and retried with backoff; nothing is acked until it
 * commits, so readers keep their taps meanwhile. */
#include "collector.h"
#include "log.h"
#include "store.h"
#include "store_schema.h"
#include "tl_time.h"
#include "watchdog.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const writer_sql[] = {
	/* A reader's status. The clock is measured (?8) only from a fresh
	 * status (handle_status.c); a retained one (?9) is the broker's
	 * memory, not a message the reader just sent, so it is not "seen". */
	"UPDATE reader SET state = ?1,"
	" last_seen = CASE WHEN ?9 THEN last_seen ELSE ?2 END,"
	" status_ts = coalesce(?3, status_ts),"
	" spooled = coalesce(?4, spooled), version = coalesce(?5, version),"
	" clock_offset = CASE WHEN ?8 THEN ?3 - ?2 ELSE clock_offset END,"
	" clock_at = CASE WHEN ?8 THEN ?2 ELSE clock_at END,"
	" online_since = CASE WHEN ?1 <> 'online' THEN NULL"
	"   WHEN state = 'online' AND online_since IS NOT NULL THEN online_since ELSE ?2 END"
	" WHERE site = ?6 AND id = ?7 RETURNING last_seen, clock_offset",
	"INSERT INTO deadletter (received_at, topic, payload, payload_size, reason, tap_id,"
	" retained, site, reader) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	"SELECT 1 FROM deadletter WHERE topic = ?1 AND payload_size = ?2 AND payload = ?3",
	"SELECT n FROM deadletter WHERE site = ?1 AND reader = ?2 ORDER BY n DESC LIMIT 1 OFFSET ?3",
	"INSERT INTO deadletter_drop (site, reader, cause, reason, dropped, payload_bytes, first_at,"
	" last_at) SELECT site, reader, 'cap', reason, count(*), sum(payload_size), min(received_at),"
	" max(received_at) FROM deadletter WHERE site = ?1 AND reader = ?2 AND n <= ?3"
	" GROUP BY reason" TL_DEADLETTER_DROP_UPSERT,
	"DELETE FROM deadletter WHERE site = ?1 AND reader = ?2 AND n <= ?3",
	"INSERT INTO deadletter_drop (site, reader, cause, reason, dropped, payload_bytes, first_at,"
	" last_at) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?6)" TL_DEADLETTER_DROP_UPSERT,
	/* The reader's problem history, one kind (?3) at a time: the newest
	 * stretch continues if it is open or ended less than ?5 s before ?4;
	 * ?6: a clock offset, kept if it is the worst yet. */
	"UPDATE reader_problem SET end_at = NULL,"
	" worst = CASE WHEN ?6 IS NOT NULL AND (worst IS NULL OR abs(?6) > abs(worst)) THEN ?6"
	"   ELSE worst END"
	" WHERE site = ?1 AND reader = ?2 AND kind = ?3 AND (end_at IS NULL OR end_at >= ?4 - ?5)"
	" AND start_at = (SELECT max(start_at) FROM reader_problem"
	"   WHERE site = ?1 AND reader = ?2 AND kind = ?3)",
	"INSERT OR IGNORE INTO reader_problem (site, reader, kind, start_at, worst)"
	" VALUES (?1, ?2, ?3, ?4, ?5)",
	"DELETE FROM reader_problem WHERE site = ?1 AND reader = ?2 AND kind = ?3"
	" AND start_at <= (SELECT start_at FROM reader_problem"
	"   WHERE site = ?1 AND reader = ?2 AND kind = ?3 ORDER BY start_at DESC LIMIT 1 OFFSET ?4)",
	/* ?4: when it ended; never before it started */
	"UPDATE reader_problem SET end_at = max(start_at, ?4)"
	" WHERE site = ?1 AND reader = ?2 AND kind = ?3 AND end_at IS NULL",
};

int writer_prepare(struct collector *c)
{
	sqlite3_stmt **slots = (sqlite3_stmt **)&c->sql;
	size_t n = sizeof c->sql / sizeof(sqlite3_stmt *);
	char err[256];

	_Static_assert(sizeof writer_sql / sizeof writer_sql[0] ==
	                   sizeof(struct collector_sql) / sizeof(sqlite3_stmt *),
	               "one SQL text per statement slot");
	for (size_t i = 0; i < n; i++)
		if (!(slots[i] = tl_store_prepare(c->db, writer_sql[i])))
			return -1;
	if (!(c->engine = tl_engine_open(c->db, err, sizeof err))) {
		tl_error("attendance: %s", err);
		return -1;
	}
	return intake_open(&c->intake, c->db, c->engine);
}

void writer_finalize(struct collector *c)
{
	sqlite3_stmt **slots = (sqlite3_stmt **)&c->sql;
	for (size_t i = 0; i < sizeof c->sql / sizeof(sqlite3_stmt *); i++)
		sqlite3_finalize(slots[i]);
	intake_close(&c->intake);
	tl_engine_close(c->engine);
	c->engine = NULL;
}

/* Handles every message of the batch in one transaction. On failure the
 * transaction and the counters are rolled back and -1 is returned. */
static int writer_commit_batch(struct collector *c, struct msg *batch)
{
	struct collector_counts before = c->counts;
	char err[256];

	if (tl_store_exec(c->db, "BEGIN IMMEDIATE", err, sizeof err)) {
		tl_error("database: cannot begin: %s", err);
		return -1;
	}
	if (tl_engine_refresh(c->engine)) {
		snprintf(err, sizeof err, "loading sessions: %s", sqlite3_errmsg(c->db));
		goto fail;
	}
	for (struct msg *m = batch; m; m = m->next) {
		if (handle_message(c, m)) {
			snprintf(err, sizeof err, "%s", sqlite3_errmsg(c->db));
			goto fail;
		}
	}
	if (tl_store_exec(c->db, "COMMIT", err, sizeof err) == 0)
		return 0;
fail:
	atomic_store(&c->prompt_since, (int64_t)time(NULL)); /* messages wait from now on */
	tl_error("database write failed, nothing acked: %s", err);
	tl_store_exec(c->db, "ROLLBACK", err, sizeof err);
	c->counts = before;
	return -1;
}

static void writer_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Commits a batch, retrying with backoff until it works or we are told to
 * stop. Returns -1 only if stopping with the batch still uncommitted. */
static int writer_store(struct collector *c, struct msg *batch, size_t n)
{
	long backoff = 250;

	while (writer_commit_batch(c, batch)) {
		if (c->stop) {
			tl_error("stopping with %zu received messages not stored; their readers "
			         "will resend them", n);
			return -1;
		}
		tl_warn("retrying %zu messages in %ld ms", n, backoff);
		writer_sleep_ms(backoff);
		tl_watchdog_ping(tl_monotonic_ms()); /* retrying is working, not wedged */
		backoff = backoff < 16000 ? backoff * 2 : 30000;
	}
	if (backoff > 250)
		tl_info("database writable again: %zu messages stored", n);
	c->live_pending += n; /* for live.c */
	return 0;
}

static void writer_log_counts(struct collector *c)
{
	const struct collector_counts *k = &c->counts;
	unsigned long rejected = 0;
	for (int i = 1; i < TL_R_COUNT; i++)
		rejected += k->reasons[i];
	tl_info("totals: recorded %lu, duplicate %lu, unknown card %lu, rejected %lu (of which "
	        "not stored, over the junk rate: %lu), status %lu, retained junk seen again %lu",
	        k->acks[TL_ACK_RECORDED], k->acks[TL_ACK_DUPLICATE], k->acks[TL_ACK_UNKNOWN_CARD],
	        rejected, k->junk_dropped, k->status, k->retained_again);
	for (int i = 1; i < TL_R_COUNT; i++)
		if (k->reasons[i])
			tl_info("  dead-lettered %s: %lu", tl_reason_name(i), k->reasons[i]);
	mqtt_log_state(c);
}

/* Drains whatever is queued; with acks off once disconnected. */
static int writer_drain(struct collector *c, int ack)
{
	struct msg *batch;
	size_t n;

	while ((n = queue_pop_batch(&c->queue, (size_t)c->cfg.batch_max, 0, &batch)) > 0) {
		int rc = writer_store(c, batch, n);
		if (rc == 0 && ack)
			mqtt_publish_acks(c, batch);
		msg_free_list(batch);
		if (rc)
			return -1;
	}
	return 0;
}

/* The longest the writer waits for messages before looking at the time. */
#define WRITER_WAIT_MS 200

int writer_run(struct collector *c)
{
	long next_ms = WRITER_WAIT_MS;
	time_t last_stats = time(NULL);
	int rc = 0;

	while (!c->stop) {
		struct msg *batch;
		size_t n = queue_pop_batch(&c->queue, (size_t)c->cfg.batch_max, next_ms, &batch);

		tl_watchdog_ping(tl_monotonic_ms());
		if (n > 0) {
			if (writer_store(c, batch, n) == 0) {
				mqtt_publish_acks(c, batch);
				if (!c->live_acked_ms)
					c->live_acked_ms = tl_monotonic_ms();
			} else {
				rc = -1;
			}
			msg_free_list(batch);
		}
		next_ms = live_update(c, n > 0 && queue_length(&c->queue) > 0);
		junk_tick(c, 0);
		if (next_ms < 1 || next_ms > WRITER_WAIT_MS)
			next_ms = WRITER_WAIT_MS;
		if (c->cfg.stats_interval > 0 && time(NULL) - last_stats >= c->cfg.stats_interval) {
			writer_log_counts(c);
			last_stats = time(NULL);
		}
	}
	/* Stopping: store what is queued and ack it while still connected,
	 * then disconnect and store anything that arrived in between. */
	tl_info("stopping: storing queued messages");
	if (rc == 0 && writer_drain(c, 1))
		rc = -1;
	mqtt_stop(c);
	if (rc == 0 && writer_drain(c, 0))
		rc = -1;
	c->live_last_ms = 0; /* now, whatever the last update cost */
	live_update(c, 0);
	junk_tick(c, 1);
	writer_log_counts(c);
	return rc;
}
