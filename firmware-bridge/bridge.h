/* bridge.h - touchline-bridge: shared state of the reader program.
 *
 * Three threads:
 *  - the reader thread (reader_nfc.c or reader_sim.c) waits for cards and
 *    hands each UID to tap_seen() (tap.c), which debounces it, turns it into
 *    a token and writes the tap to the spool (spool.c) before anything else,
 *    then publishes it;
 *  - the network thread (mqtt.c on common/mqtt_conn.c) connects and
 *    reconnects, queues acks and notes connection changes;
 *  - the main thread (main.c) applies acks to the spool, gives the coach
 *    feedback (feedback.c), resends unacked taps and sends the heartbeat.
 * One mutex (b->lock) guards everything the threads share, spool included. */
#ifndef TL_BRIDGE_H
#define TL_BRIDGE_H

#include <mosquitto.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <stdint.h>

#include "feedback_pattern.h"
#include "mqtt_auth.h"
#include "mqtt_conn.h"
#include "protocol.h"
#include "token.h"

/* Cards remembered for the debounce (the least recently seen is forgotten). */
#define BRIDGE_RECENT 32

struct bridge_config {
	char reader[1024];    /* "nfc", "nfc:CONNSTRING" or "sim:PATH" */
	char host[256];
	long port;
	char prefix[128];
	long keepalive;
	char site[TL_ID_MAX + 1];
	char id[TL_ID_MAX + 1];
	char key_file[1024];
	char spool[1024];
	long spool_max;
	long debounce;        /* seconds */
	long ack_wait;        /* milliseconds before "stored offline" */
	long resend;          /* seconds before an unacked tap is resent */
	long window;          /* most taps in flight at once */
	long heartbeat;       /* seconds */
	char hook[1024];
	char gpio_chip[256];  /* [feedback] chip: "" for no lights or buzzer */
	long gpio_pins[FB_LINES]; /* green, red, buzzer line offsets; -1: none */
	char log_level[16];
	struct tl_mqtt_auth auth; /* TLS and credentials, as the collector's */
};

/* The local store of taps not yet acknowledged (spool.c). */
struct spool {
	sqlite3 *db;
	long max;
	int64_t next_seq;
	int64_t dropped;      /* taps evicted by the bound, ever */
	long depth;           /* taps in the spool now */
	int lock_fd;          /* holds the flock: one bridge per spool */
	int light;            /* inside spool_light_begin/end */
	sqlite3_stmt *insert, *remove, *due, *mark, *count, *retime, *overdue;
	char boot[40];        /* this boot's id, for re-timing taps */
};

/* What spool_add had to do to stay within its bound. */
enum spool_evict { SPOOL_KEPT_ALL, SPOOL_EVICT_REPEAT, SPOOL_EVICT_OLDEST };

/* A tap waiting for its feedback line, or for a follow-up line. */
struct pending {
	char id[TL_UUID_LEN + 1];
	int64_t ts;
	int64_t deadline_ms;  /* monotonic; "stored offline" after it */
	int offline_told;     /* said "stored offline"; a follow-up may come */
	int unsent;           /* not handed to the broker at tap time */
	int64_t sent_ms;      /* monotonic; when sent live, 0 once due again */
	int random;           /* a random UID (a phone): the coach is told */
	struct pending *next;
};

/* An ack taken off the wire by the network thread. */
struct ack_item {
	struct tl_ack ack;
	int removed;              /* spool_remove's answer */
	struct pending *pending;  /* its feedback entry, if any */
	struct ack_item *next;
};

struct bridge {
	struct bridge_config cfg;
	uint8_t key[TL_KEY_LEN];
	struct spool spool;
	struct tl_mqtt_conn conn;    /* the network thread (common/mqtt_conn.c) */
	struct mosquitto *mosq;      /* conn.mosq */
	char tap_topic[256], ack_topic[256], status_topic[256];

	pthread_mutex_t lock;        /* spool, feedback list, fault, debounce */
	struct pending *pending;     /* oldest first */
	int npending;
	/* Events for the main thread, under ev_lock. ev_lock is a leaf: nothing
	 * else is locked, and libmosquitto is not called, while it is held, as
	 * libmosquitto calls our callbacks with its own mutexes held (the order
	 * is always lock -> libmosquitto -> ev_lock). */
	pthread_mutex_t ev_lock;
	pthread_cond_t ev_wake;
	int ev_pending;              /* something for the main loop to look at */
	struct ack_item *acks, **acks_tail;
	int reconnected;             /* main thread must resend everything */
	int published[8];            /* mids the broker acknowledged lately */
	unsigned npublished;
	atomic_int connected;
	atomic_int status_dirty;     /* publish a status soon */
	char fault[256];             /* reader fault, "" when healthy */
	int clock_warned;
	long spool_errors;           /* taps that could not be spooled */
	/* Resends (main thread, under lock): a tap unacknowledged after
	 * resend_ms is sent again; while no ack at all arrives, resend_ms
	 * doubles (at most once per resend_ms) up to ten times --resend; any
	 * ack sets it back. */
	int64_t resend_ms;
	int64_t last_ack_ms;         /* monotonic; the start until the first ack */
	int64_t resend_doubled_ms;   /* when resend_ms last doubled */
	long status_spooled;         /* spool depth in the last status */
	/* Debounce: the cards seen lately and when (monotonic ms). */
	struct {
		uint8_t uid[TL_UID_MAX];
		size_t len;
		int64_t seen_ms;
	} recent[BRIDGE_RECENT];

	/* The reader thread's signs of life (monotonic ms, lock-free): its
	 * last, and when the libnfc command it is in began (0: none). The main
	 * loop pings systemd's watchdog only while the reader is alive, and
	 * aborts a command the chip never answers (reader_silent then). */
	atomic_llong reader_alive_ms;
	atomic_llong reader_busy_ms;
	atomic_int reader_silent;
	atomic_int stop;             /* set by the signal handler; lock-free */
	void *reader_state;          /* the driver's own, for abort */
};

/* main.c */
int64_t bridge_now_ms(void);
/* Sets or clears (NULL) the reader fault shown in the status message. */
void bridge_set_fault(struct bridge *b, const char *fault);
/* Wakes the main loop (any thread; takes only ev_lock). */
void bridge_wake(struct bridge *b);
/* Sleeps up to ms, returning early (nonzero) when the bridge is stopping. */
int bridge_sleep(struct bridge *b, int64_t ms);

/* spool.c */
int spool_open(struct spool *s, const char *path, long max);
void spool_close(struct spool *s);
/* Stores a new tap (id, seq assigned here) durably; *evicted tells whether
 * the bound made it drop another tap, whose id is copied to evicted_id. */
int spool_add(struct spool *s, struct tl_tap *tap, enum spool_evict *evicted,
              struct tl_tap *evicted_tap);
/* Deletes the tap with this id; 1 if it was there, 0 if not, -1 on error. */
int spool_remove(struct spool *s, const char *id);
/* Up to max taps last sent at or before before_ms, oldest first; taps of
 * this boot made while the clock was wrong get the corrected time. */
int spool_due(struct spool *s, int64_t before_ms, struct tl_tap *out, int max);
int spool_mark_sent(struct spool *s, const char *id, int64_t when_ms);
/* Brackets writes that a crash may lose harmlessly (send times, deleting
 * acknowledged taps: at worst a tap is sent again and acked "duplicate")
 * in one transaction without fsync. Taps themselves are always FULL. */
void spool_light_begin(struct spool *s);
void spool_light_end(struct spool *s);
/* Forgets every send time: all taps are due again. */
int spool_reset_sent(struct spool *s);
long spool_count(struct spool *s);
/* Taps sent after since_ms (in flight). */
long spool_inflight(struct spool *s, int64_t since_ms);
/* Taps sent, but at or before before_ms (overdue for a resend). */
long spool_overdue(struct spool *s, int64_t before_ms);

/* tap.c */
/* A reader saw this UID: debounce, token, spool, publish, queue feedback.
 * Returns 1 if it made a tap, 0 if it was debounced or lost. */
int tap_seen(struct bridge *b, const uint8_t *uid, size_t uidlen);
/* False for a tap stamped by a never-set clock while it is still unset. */
int tap_sendable(const struct tl_tap *tap);
/* Fills a random UUID v4 (lowercase) into out (TL_UUID_LEN + 1 bytes). */
int tap_uuid(char *out);

/* feedback.c */
enum feedback_outcome {
	FB_RECORDED, FB_DUPLICATE, FB_UNKNOWN_CARD, FB_REJECTED, FB_OFFLINE
};
/* The coach's line for a tap and the hook; later != 0 for a follow-up. */
void feedback_tap(struct bridge *b, const struct pending *p, enum feedback_outcome o,
                  const struct tl_ack *ack, int later);
/* Reaps finished hook processes and kills those running too long. */
void feedback_reap(void);
const char *feedback_outcome_name(enum feedback_outcome o);

/* feedback_gpio.c (main thread): LEDs and buzzer through libgpiod. */
/* Claims the lines; -1 (logged) if the chip or every line is unavailable. */
int feedback_gpio_open(const char *chip, const long pins[FB_LINES]);
/* Starts a pattern (replacing any playing); never waits. */
void feedback_gpio_play(enum fb_pattern_id id, int64_t now_ms);
/* Sets the lines for now; ms until the next change, -1 if idle. */
int64_t feedback_gpio_tick(int64_t now_ms);
void feedback_gpio_close(void);

/* mqtt.c */
int mqtt_start(struct bridge *b);
void mqtt_stop(struct bridge *b);
/* Publishes one tap at QoS 1; 0 if handed to libmosquitto. */
int mqtt_publish_tap(struct bridge *b, const struct tl_tap *tap);
/* Publishes the retained status; online or the clean-exit offline. The
 * message id goes to *mid if mid is not NULL. */
int mqtt_publish_status(struct bridge *b, int online, int *mid);
/* Subscribes to the ack topics of taps spooled under another identity.
 * Main thread, b->lock held. */
void mqtt_subscribe_others(struct bridge *b);

/* reader_sim.c, reader_nfc.c: each runs until b->stop. */
int reader_sim_run(struct bridge *b, const char *path);
int reader_nfc_run(struct bridge *b, const char *connstring);
/* Called from the main thread on stop: interrupts a blocking poll. */
void reader_nfc_abort(struct bridge *b);
/* Main thread: aborts a libnfc command the chip has not answered in time. */
void reader_nfc_check_stuck(struct bridge *b, int64_t now);
/* Checks the CONNSTRING of nfc:CONNSTRING; -1 with the reason in err. */
int reader_nfc_check(const char *connstring, char *err, size_t errlen);

#endif
