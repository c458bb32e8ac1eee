/* spool.c - the bridge's local SQLite store of unacknowledged taps.
 *
 * A tap is committed here (synchronous=FULL, so it survives a power cut)
 * before it is published or shown to the coach, and deleted only when the
 * collector's ack for its id arrives. The schema is tiny and versioned with
 * PRAGMA user_version; it is not the collector's database.
 *
 * Bound (docs/bridge.md, "Spool policy"): when the spool holds spool_max
 * taps the new tap is still stored; to make room we first drop a repeat,
 * i.e. a tap of a card that already has an earlier tap in the spool on the
 * same UTC day at the same reader, which carries no attendance the first
 * one does not. Only if there is no repeat is the oldest tap dropped. Every
 * drop is logged with the whole tap and counted in the status message. */
#include "bridge.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SPOOL_SCHEMA_VERSION 2
/* Clock steps smaller than this are not worth re-timing a tap for. */
#define SPOOL_RETIME_S 60
/* Most taps one spool_due call returns. */
#define SPOOL_DUE_MAX 256

static const char spool_schema[] =
	"CREATE TABLE IF NOT EXISTS tap ("
	" id TEXT PRIMARY KEY,"
	" seq INTEGER NOT NULL UNIQUE,"
	" site TEXT NOT NULL,"
	" reader TEXT NOT NULL,"
	" card TEXT NOT NULL,"
	" ts INTEGER NOT NULL,"
	" sent_ms INTEGER NOT NULL DEFAULT 0,"
	" boot TEXT NOT NULL DEFAULT '',"      /* the boot it was made in ... */
	" mono_ms INTEGER NOT NULL DEFAULT 0);" /* ... and CLOCK_BOOTTIME then */
	"CREATE INDEX IF NOT EXISTS tap_card ON tap(card, ts);"
	"CREATE INDEX IF NOT EXISTS tap_sent ON tap(sent_ms);"
	"CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	"INSERT OR IGNORE INTO meta VALUES ('next_seq', 1), ('dropped', 0);"
	"PRAGMA user_version = 1;";
/* 2: whether a tap's UID was random (sent as "random":true). */
static const char spool_schema_2[] =
	"ALTER TABLE tap ADD COLUMN random INTEGER NOT NULL DEFAULT 0;"
	"PRAGMA user_version = 2;";

/* Runs SQL without rows, logging the failure. */
static int spool_exec(struct spool *s, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		tl_error("spool: %s: %s", sql, msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Reads a counter kept in the spool (next_seq, dropped); -1 if absent. */
static int64_t spool_meta_get(struct spool *s, const char *name)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE name = ?", -1, &st, NULL))
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Updates such a counter, inside the caller's transaction. */
static int spool_meta_set(struct spool *s, const char *name, int64_t v)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "UPDATE meta SET value = ? WHERE name = ?", -1, &st, NULL))
		return -1;
	sqlite3_bind_int64(st, 1, v);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* This boot's id: CLOCK_BOOTTIME readings only compare within one boot. */
static void spool_boot_id(char *out, size_t size)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	out[0] = '\0';
	if (f) {
		if (fgets(out, (int)size, f))
			out[strcspn(out, "\n")] = '\0';
		fclose(f);
	}
}

/* Milliseconds since boot, suspend included; never stepped like the clock. */
static int64_t spool_boottime_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A board with no RTC and no network at the venue may tap with a wrong
 * clock (unset, or fake-hwclock's last shutdown time) that is corrected
 * later (NTP once the link is up). A tap made in this boot knows exactly
 * how long ago it happened, so before it is sent its time is recomputed
 * from the clock now; if that differs from the stored time by more than
 * SPOOL_RETIME_S, the clock was stepped since and the tap gets the
 * corrected time (logged). Taps from an earlier boot keep their time.
 * Returns 1 if the tap's ts was changed. */
static int spool_retime(struct spool *s, struct tl_tap *tap, const char *boot, int64_t mono_ms)
{
	int64_t now_ms = spool_boottime_ms(), when;

	if (!boot || !s->boot[0] || strcmp(boot, s->boot) != 0 || mono_ms <= 0 || mono_ms > now_ms)
		return 0;
	when = (int64_t)time(NULL) - (now_ms - mono_ms) / 1000;
	if (when - tap->ts <= SPOOL_RETIME_S && tap->ts - when <= SPOOL_RETIME_S)
		return 0;
	tl_warn("the clock was off by %lld s when tap %s was made (it has been set since); "
	        "sending it with the corrected time",
	        (long long)(when - tap->ts), tap->id);
	tap->ts = when;
	return 1;
}

/* Creates the file 0600 before SQLite does, and refuses one that group or
 * others can read: it holds card tokens and times. The file stays open
 * with an flock (independent of SQLite's own fcntl locks) so that a second
 * bridge on the same spool is refused instead of fighting over it. */
static int spool_create_file(struct spool *s, const char *path)
{
	struct stat sb;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		tl_error("spool %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		tl_error("spool %s is in use by another touchline-bridge (%s)", path,
		         strerror(errno));
		close(fd);
		return -1;
	}
	if (fstat(fd, &sb) == 0 && (sb.st_mode & (S_IRWXG | S_IRWXO))) {
		tl_warn("spool %s had mode %03o; setting 0600", path, (unsigned)(sb.st_mode & 0777));
		if (fchmod(fd, 0600) != 0) {
			tl_error("spool %s: chmod: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
	}
	s->lock_fd = fd;
	return 0;
}

/* Prepares a statement, logging the failure (a programming error). */
static sqlite3_stmt *spool_prepare(struct spool *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		tl_error("spool: cannot prepare %s: %s", sql, sqlite3_errmsg(s->db));
	return st;
}

/* Opens (creating, locking, migrating) the spool; durable writes. */
int spool_open(struct spool *s, const char *path, long max)
{
	int version;
	sqlite3_stmt *st;

	memset(s, 0, sizeof *s);
	s->max = max;
	s->lock_fd = -1;
	if (spool_create_file(s, path))
		return -1;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL)) {
		tl_error("spool %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
		sqlite3_close(s->db);
		s->db = NULL;
		return -1;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if (spool_exec(s, "PRAGMA journal_mode = WAL") ||
	    spool_exec(s, "PRAGMA synchronous = FULL"))
		goto fail;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL))
		goto fail;
	version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (version > SPOOL_SCHEMA_VERSION || version < 0) {
		tl_error("spool %s has schema version %d; this bridge knows up to %d", path, version,
		         SPOOL_SCHEMA_VERSION);
		goto fail;
	}
	if (version < SPOOL_SCHEMA_VERSION &&
	    (spool_exec(s, "BEGIN IMMEDIATE") || (version < 1 && spool_exec(s, spool_schema)) ||
	     spool_exec(s, spool_schema_2) || spool_exec(s, "COMMIT")))
		goto fail;
	s->next_seq = spool_meta_get(s, "next_seq");
	s->dropped = spool_meta_get(s, "dropped");
	s->insert = spool_prepare(s, "INSERT INTO tap (id, seq, site, reader, card, ts, boot, "
	                             "mono_ms, random) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	s->remove = spool_prepare(s, "DELETE FROM tap WHERE id = ?");
	s->due = spool_prepare(s, "SELECT id, seq, site, reader, card, ts, boot, mono_ms, random FROM tap "
	                          "WHERE sent_ms <= ? ORDER BY seq LIMIT ?");
	s->retime = spool_prepare(s, "UPDATE tap SET ts = ? WHERE id = ?");
	spool_boot_id(s->boot, sizeof s->boot);
	s->mark = spool_prepare(s, "UPDATE tap SET sent_ms = ? WHERE id = ?");
	s->count = spool_prepare(s, "SELECT count(*) FROM tap WHERE sent_ms > ?");
	s->overdue = spool_prepare(s, "SELECT count(*) FROM tap WHERE sent_ms > 0 AND sent_ms <= ?");
	if (s->next_seq < 1 || s->dropped < 0 || !s->insert || !s->remove || !s->due ||
	    !s->mark || !s->count || !s->retime || !s->overdue)
		goto fail;
	/* Send times are of the previous run: everything is due again. */
	if (spool_reset_sent(s) || (s->depth = spool_inflight(s, INT64_MIN)) < 0)
		goto fail;
	return 0;
fail:
	spool_close(s);
	return -1;
}

/* Releases statements, the database and the lock. */
void spool_close(struct spool *s)
{
	sqlite3_finalize(s->insert);
	sqlite3_finalize(s->remove);
	sqlite3_finalize(s->due);
	sqlite3_finalize(s->mark);
	sqlite3_finalize(s->count);
	sqlite3_finalize(s->overdue);
	sqlite3_finalize(s->retime);
	sqlite3_close(s->db);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	memset(s, 0, sizeof *s);
	s->lock_fd = -1;
}

/* Reads a tap row (id, seq, site, reader, card, ts) into out. */
static void spool_row(sqlite3_stmt *st, struct tl_tap *out)
{
	snprintf(out->id, sizeof out->id, "%s", (const char *)sqlite3_column_text(st, 0));
	out->seq = sqlite3_column_int64(st, 1);
	snprintf(out->site, sizeof out->site, "%s", (const char *)sqlite3_column_text(st, 2));
	snprintf(out->reader, sizeof out->reader, "%s", (const char *)sqlite3_column_text(st, 3));
	snprintf(out->card, sizeof out->card, "%s", (const char *)sqlite3_column_text(st, 4));
	out->ts = sqlite3_column_int64(st, 5);
}

/* Drops one tap to keep the bound: the oldest repeat, else the oldest. */
static int spool_evict_one(struct spool *s, enum spool_evict *evicted, struct tl_tap *victim)
{
	static const char *const pick[] = {
		"SELECT id, seq, site, reader, card, ts FROM tap b WHERE EXISTS ("
		" SELECT 1 FROM tap a WHERE a.card = b.card AND a.site = b.site"
		" AND a.reader = b.reader AND a.seq < b.seq AND a.ts / 86400 = b.ts / 86400)"
		" ORDER BY seq LIMIT 1",
		"SELECT id, seq, site, reader, card, ts FROM tap ORDER BY seq LIMIT 1",
	};
	for (int i = 0; i < 2; i++) {
		sqlite3_stmt *st = spool_prepare(s, pick[i]);
		int rc;
		if (!st)
			return -1;
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			spool_row(st, victim);
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			continue;
		if (rc != SQLITE_ROW)
			return -1;
		*evicted = i == 0 ? SPOOL_EVICT_REPEAT : SPOOL_EVICT_OLDEST;
		return spool_remove(s, victim->id) < 0 ? -1 : 0;
	}
	return 0;
}

/* One transaction: the tap, the next seq, and any eviction the bound
 * needs, so a crash leaves either all of it or none. */
int spool_add(struct spool *s, struct tl_tap *tap, enum spool_evict *evicted,
              struct tl_tap *evicted_tap)
{
	int rc;

	*evicted = SPOOL_KEPT_ALL;
	if (spool_exec(s, "BEGIN IMMEDIATE"))
		return -1;
	tap->seq = s->next_seq;
	sqlite3_bind_text(s->insert, 1, tap->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->insert, 2, tap->seq);
	sqlite3_bind_text(s->insert, 3, tap->site, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->insert, 4, tap->reader, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->insert, 5, tap->card, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->insert, 6, tap->ts);
	sqlite3_bind_text(s->insert, 7, s->boot, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->insert, 8, spool_boottime_ms());
	sqlite3_bind_int(s->insert, 9, tap->random);
	rc = sqlite3_step(s->insert);
	sqlite3_reset(s->insert);
	if (rc != SQLITE_DONE) {
		tl_error("spool: cannot store tap: %s", sqlite3_errmsg(s->db));
		goto fail;
	}
	if (spool_meta_set(s, "next_seq", tap->seq + 1))
		goto fail;
	if (++s->depth > s->max) {
		if (spool_evict_one(s, evicted, evicted_tap))
			goto fail;
		if (*evicted != SPOOL_KEPT_ALL && spool_meta_set(s, "dropped", s->dropped + 1))
			goto fail;
	}
	if (spool_exec(s, "COMMIT"))
		goto fail;
	s->next_seq = tap->seq + 1;
	if (*evicted != SPOOL_KEPT_ALL)
		s->dropped++;
	return 0;
fail:
	spool_exec(s, "ROLLBACK");
	*evicted = SPOOL_KEPT_ALL;
	s->next_seq = tap->seq + 1; /* not reused in this run, at least */
	s->depth = spool_inflight(s, INT64_MIN);
	return -1;
}

/* The ack for id arrived: the tap is the collector's now. */
int spool_remove(struct spool *s, const char *id)
{
	int rc;

	sqlite3_bind_text(s->remove, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s->remove);
	sqlite3_reset(s->remove);
	if (rc != SQLITE_DONE) {
		tl_error("spool: cannot delete tap %s: %s", id, sqlite3_errmsg(s->db));
		return -1;
	}
	if (sqlite3_changes(s->db) == 0)
		return 0;
	s->depth--;
	return 1;
}

/* Taps to (re)send, oldest first. */
int spool_due(struct spool *s, int64_t before_ms, struct tl_tap *out, int max)
{
	int n = 0, rc;
	char retimed[SPOOL_DUE_MAX];

	if (max > SPOOL_DUE_MAX)
		max = SPOOL_DUE_MAX;
	sqlite3_bind_int64(s->due, 1, before_ms);
	sqlite3_bind_int(s->due, 2, max);
	while (n < max && (rc = sqlite3_step(s->due)) == SQLITE_ROW) {
		spool_row(s->due, &out[n]);
		out[n].random = sqlite3_column_int(s->due, 8);
		retimed[n] = (char)spool_retime(s, &out[n], (const char *)sqlite3_column_text(s->due, 6),
		                                sqlite3_column_int64(s->due, 7));
		n++;
	}
	sqlite3_reset(s->due);
	for (int i = 0; i < n; i++) {
		if (!retimed[i])
			continue;
		sqlite3_bind_int64(s->retime, 1, out[i].ts);
		sqlite3_bind_text(s->retime, 2, out[i].id, -1, SQLITE_STATIC);
		if (sqlite3_step(s->retime) != SQLITE_DONE)
			tl_warn("spool: cannot store the corrected time of tap %s", out[i].id);
		sqlite3_reset(s->retime);
	}
	return n;
}

/* Remembers when a tap went out, for the resend timeout and window. */
int spool_mark_sent(struct spool *s, const char *id, int64_t when_ms)
{
	int rc;

	sqlite3_bind_int64(s->mark, 1, when_ms);
	sqlite3_bind_text(s->mark, 2, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s->mark);
	sqlite3_reset(s->mark);
	return rc == SQLITE_DONE ? 0 : -1;
}

void spool_light_begin(struct spool *s)
{
	spool_exec(s, "PRAGMA synchronous = OFF");
	s->light = spool_exec(s, "BEGIN IMMEDIATE") == 0;
}

void spool_light_end(struct spool *s)
{
	if (s->light && spool_exec(s, "COMMIT"))
		spool_exec(s, "ROLLBACK");
	s->light = 0;
	spool_exec(s, "PRAGMA synchronous = FULL");
}

/* After a (re)connection everything unacknowledged is due at once. */
int spool_reset_sent(struct spool *s)
{
	return spool_exec(s, "UPDATE tap SET sent_ms = 0 WHERE sent_ms <> 0");
}

/* Runs a prepared count(*) with one time bound; -1 on an error. */
static long spool_count_bound(sqlite3_stmt *st, int64_t ms)
{
	long n = -1;

	sqlite3_bind_int64(st, 1, ms);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

/* Counts taps sent after since_ms and not yet acknowledged. */
long spool_inflight(struct spool *s, int64_t since_ms)
{
	return spool_count_bound(s->count, since_ms);
}

/* Counts taps sent at or before before_ms and not yet acknowledged. */
long spool_overdue(struct spool *s, int64_t before_ms)
{
	return spool_count_bound(s->overdue, before_ms);
}

/* Spool depth, kept in memory (the status reports it often). */
long spool_count(struct spool *s)
{
	return s->depth;
}
