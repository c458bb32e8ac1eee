/* collector.h - touchline-collector: shared state of the daemon.
 *
 * Two threads: the network thread (mqtt.c on common/mqtt/mqtt_conn.c)
 * copies each message into the queue; the main thread (writer.c) takes
 * batches, handles each message inside one transaction (handle_tap.c,
 * handle_status.c), commits, and only then publishes the acks; then, in a
 * second transaction, it brings the derived attendance tables forward
 * (live.c), so a failure there never costs a tap or an ack. */
#ifndef TL_COLLECTOR_H
#define TL_COLLECTOR_H

#include <mosquitto.h>
#include <signal.h>
#include <stdatomic.h>
#include <sqlite3.h>

#include "attendance.h"
#include "intake.h"
#include "mqtt_auth.h"
#include "mqtt_conn.h"
#include "protocol.h"
#include "queue.h"

struct collector_config {
	char host[256];
	long port;
	char client_id[128];
	char prefix[128];
	long keepalive;
	char db[1024];
	long batch_max;
	long queue_max;
	long stats_interval;
	long live_attendance; /* 1: derived tables follow every batch */
	long suspect_age;     /* seconds late a tap may be before it can be suspect (0: never) */
	long deadletter_max;     /* dead letters kept per source */
	long deadletter_max_age; /* days */
	long junk_rate;          /* rejected messages per second per source */
	long junk_burst;
	char log_level[16];
	struct tl_mqtt_auth auth;
};

/* Prepared statements, made once and reused for every message. */
struct collector_sql {
	sqlite3_stmt *reader_status;
	sqlite3_stmt *deadletter;
	sqlite3_stmt *deadletter_retained;
	sqlite3_stmt *deadletter_nth;  /* the n of a source's cap-th newest */
	sqlite3_stmt *deadletter_cap;  /* counts a source's oldest as dropped */
	sqlite3_stmt *deadletter_trim; /* and deletes them */
	sqlite3_stmt *deadletter_drop; /* counts one dead letter not stored */
	sqlite3_stmt *problem_continue; /* a reader's open or recent stretch goes on */
	sqlite3_stmt *problem_open;     /* or a new one starts */
	sqlite3_stmt *problem_trim;     /* keeping the newest COLLECTOR_PROBLEMS_MAX */
	sqlite3_stmt *problem_close;    /* the open one ends */
};

/* A reader's problem history (handle_status.c): a stretch starting within
 * COLLECTOR_PROBLEM_MERGE seconds of the last one's end continues it, and
 * each reader keeps its newest COLLECTOR_PROBLEMS_MAX of each kind, so a
 * flapping connection cannot grow it without bound. */
#define COLLECTOR_PROBLEM_MERGE 900
#define COLLECTOR_PROBLEMS_MAX 2000

/* One source's token bucket for junk (junk.c). */
struct junk_bucket {
	char site[TL_ID_MAX + 1], reader[TL_ID_MAX + 1]; /* "" "": unattributable */
	double tokens;
	int64_t at_ms;            /* when tokens was last brought forward */
	unsigned long unlogged;   /* dropped since the last log line */
	int64_t logged_ms;        /* when that line was written (0: never) */
};

/* The buckets of the registered readers seen sending junk, at most
 * JUNK_READERS_MAX; the unattributable ones, and any beyond that, share
 * one. */
struct junk {
	struct junk_bucket *b;
	size_t n, cap;
	struct junk_bucket shared;
	int64_t expired_ms; /* when dead letters were last expired by age */
};

/* What happened to each message, for the periodic log line. */
struct collector_counts {
	unsigned long acks[TL_ACK_REJECTED + 1];
	unsigned long reasons[TL_R_COUNT];
	unsigned long status;
	unsigned long ignored;
	unsigned long retained_again; /* retained junk already dead-lettered */
	unsigned long junk_dropped; /* over the junk rate: counted, not stored */
};

struct collector {
	struct collector_config cfg;
	struct tl_mqtt_conn conn;
	struct mosquitto *mosq;      /* conn.mosq */
	sqlite3 *db;
	struct collector_sql sql;
	struct intake intake;     /* the statements that store a tap */
	/* Since when messages have reached us as they were sent: the start of
	 * the current broker connection, or the last failed commit, whichever
	 * is later. Before it, a message may have waited (at the broker, or in
	 * our queue), so it says nothing about a reader's clock or lateness.
	 * Written by both threads. */
	_Atomic int64_t prompt_since;
	struct tl_engine *engine; /* attendance: the ack's week_sessions, live updates */
	int64_t live_last_ms;     /* when the derived tables were last brought forward */
	int64_t live_cost_ms;     /* how long that took */
	long live_backoff_ms;     /* after a failed update: wait this long (0: none) */
	int live_behind;          /* the last update failed */
	size_t live_pending;      /* messages stored since the last update (0: none) */
	int64_t live_acked_ms;    /* when the first ack not yet covered went out */
	struct queue queue;
	struct collector_counts counts;
	struct junk junk;
	volatile sig_atomic_t stop;
};

/* mqtt.c */
int mqtt_start(struct collector *c);
void mqtt_stop(struct collector *c);
/* Logs the broker connection's state (with the periodic totals). */
void mqtt_log_state(struct collector *c);
void mqtt_publish_acks(struct collector *c, struct msg *batch);

/* writer.c */
int writer_prepare(struct collector *c);
void writer_finalize(struct collector *c);
int writer_run(struct collector *c);

/* live.c: brings the derived tables forward after a batch (busy: more is
 * queued) or when idle, when its time has come; returns the milliseconds
 * until it next wants to run (-1: live attendance is off). */
long live_update(struct collector *c, int busy);

/* junk.c: bounds on what rejected messages can make us store.
 * junk_admit: whether a rejected message from the source site/reader
 * ("" "": unattributable) may be stored under the junk rate; if not it is
 * counted as dropped (1: store it, 0: dropped, -1: database error).
 * junk_make_room: drops (counting) the source's oldest dead letters so one
 * more fits under deadletter-max. Both run in the writer's transaction.
 * junk_tick: now and then, drops dead letters older than the age limit
 * (its own transaction) and logs what the rate limit dropped (force: now).
 * junk_free: frees the buckets, at exit. */
int junk_admit(struct collector *c, const struct msg *m, enum tl_reason r, const char *site,
               const char *reader);
int junk_make_room(struct collector *c, const char *site, const char *reader);
void junk_tick(struct collector *c, int force);
void junk_free(struct collector *c);

/* handle_tap.c, handle_status.c: run inside the writer's transaction.
 * Return 0, or -1 on a database error (the batch is then retried). */
int handle_message(struct collector *c, struct msg *m);
int handle_tap(struct collector *c, struct msg *m, const struct tl_topic *t);
int handle_status(struct collector *c, struct msg *m, const struct tl_topic *t);
int handle_deadletter(struct collector *c, struct msg *m, enum tl_reason r, const char *tap_id);

#endif
