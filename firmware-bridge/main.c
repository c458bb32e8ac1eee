/* main.c - touchline-bridge: the reader program at a pitch or gym.
 *
 * Usage: touchline-bridge [OPTIONS]            run the reader
 *        touchline-bridge keygen FILE          make a deployment key
 * See --help and docs/bridge.md. */
#include "bridge.h"
#include "config.h"
#include "log.h"
#include "tl_time.h"
#include "watchdog.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Most taps (re)sent per pass of the main loop. */
#define MAIN_SEND_BATCH 64
/* Least time between two status messages sent for a spool depth change. */
#define MAIN_STATUS_MIN_MS 2000
/* A reader thread with no sign of life for this long is wedged: the main
 * loop stops pinging systemd's watchdog, which then restarts us. */
#define MAIN_READER_WEDGED_MS 10000

static struct bridge bridge = {
	.cfg = {
		.reader = "nfc",
		.host = "127.0.0.1",
		.port = 1883,
		.prefix = TL_DEFAULT_PREFIX,
		.keepalive = 30,
		.key_file = "/etc/touchline/bridge.key",
		.spool = "/var/lib/touchline-bridge/spool.db",
		.spool_max = 100000,
		.debounce = 3,
		.ack_wait = 2000,
		.resend = 30,
		.window = 100,
		.heartbeat = 60,
		.log_level = "info",
		.gpio_pins = { -1, -1, -1 },
	},
};

#define STR(f) bridge.cfg.f, sizeof bridge.cfg.f
static const struct tl_option options[] = {
	{ "reader", "reader", TL_OPT_STR, STR(reader), 0, 0, "DRIVER",
	  "nfc, nfc:CONNSTRING (libnfc, e.g. pn532_uart:/dev/ttyS0 or acr122_usb), or "
	  "sim:PATH (UIDs in hex, one per line, from a file or FIFO; - for stdin)" },
	{ "reader", "debounce", TL_OPT_INT, &bridge.cfg.debounce, 0, 0, 3600, "SECONDS",
	  "the same card seen again within this long of last being seen is one tap" },
	{ "reader", "hook", TL_OPT_STR, STR(hook), 0, 0, "PROGRAM",
	  "run as PROGRAM OUTCOME CODE after each tap (no shell; never waited for)" },
	{ "feedback", "chip", TL_OPT_STR, STR(gpio_chip), 0, 0, "CHIP",
	  "GPIO chip for the LEDs and buzzer (gpiochip0, or a path or label); none if unset" },
	{ "feedback", "green", TL_OPT_INT, &bridge.cfg.gpio_pins[FB_GREEN], 0, -1, 1023, "LINE",
	  "GPIO line of the green LED (-1: none)" },
	{ "feedback", "red", TL_OPT_INT, &bridge.cfg.gpio_pins[FB_RED], 0, -1, 1023, "LINE",
	  "GPIO line of the red LED (-1: none)" },
	{ "feedback", "buzzer", TL_OPT_INT, &bridge.cfg.gpio_pins[FB_BUZZER], 0, -1, 1023, "LINE",
	  "GPIO line of the buzzer (-1: none)" },
	{ "bridge", "site", TL_OPT_STR, STR(site), 0, 0, "SITE", "site id, e.g. burnley (required)" },
	{ "bridge", "id", TL_OPT_STR, STR(id), 0, 0, "READER",
	  "this reader's id, e.g. pitch-1 (required)" },
	{ "bridge", "key-file", TL_OPT_STR, STR(key_file), 0, 0, "FILE",
	  "deployment key (mode 0600; make one with: touchline-bridge keygen FILE)" },
	{ "bridge", "spool", TL_OPT_STR, STR(spool), 0, 0, "FILE",
	  "SQLite spool of taps not yet acknowledged (created, mode 0600)" },
	{ "bridge", "spool-max", TL_OPT_INT, &bridge.cfg.spool_max, 0, 1, 100000000, "N",
	  "most taps kept in the spool; beyond it same-day repeats, then the oldest, are dropped "
	  "(logged)" },
	{ "bridge", "ack-wait", TL_OPT_INT, &bridge.cfg.ack_wait, 0, 0, 60000, "MS",
	  "say \"stored offline, will send\" if no ack comes within this long" },
	{ "bridge", "resend", TL_OPT_INT, &bridge.cfg.resend, 0, 1, 86400, "SECONDS",
	  "resend a tap not acknowledged within this long; while no ack at all arrives, this "
	  "doubles up to ten times as long" },
	{ "bridge", "window", TL_OPT_INT, &bridge.cfg.window, 0, 1, 100000, "N",
	  "most spooled taps sent and not yet acknowledged at once (live taps are sent at once, "
	  "beyond it)" },
	{ "bridge", "heartbeat", TL_OPT_INT, &bridge.cfg.heartbeat, 0, 1, 86400, "SECONDS",
	  "publish the status (with spool depth) this often" },
	{ "bridge", "log-level", TL_OPT_STR, STR(log_level), 0, 0, "LEVEL",
	  "debug, info, warn or error" },
	{ "mqtt", "host", TL_OPT_STR, STR(host), 0, 0, "HOST", "broker host name or address" },
	{ "mqtt", "port", TL_OPT_INT, &bridge.cfg.port, 0, 1, 65535, "PORT", "broker port" },
	{ "mqtt", "topic-prefix", TL_OPT_STR, STR(prefix), 0, 0, "PREFIX", "topic prefix" },
	{ "mqtt", "keepalive", TL_OPT_INT, &bridge.cfg.keepalive, 0, 5, 3600, "SECONDS",
	  "MQTT keepalive" },
	TL_MQTT_AUTH_OPTIONS(bridge.cfg.auth),
	TL_OPT_END,
};

/* Monotonic milliseconds: debounce, ack waits and resends must not jump
 * with the wall clock (which may be set late at a venue with no network). */
int64_t bridge_now_ms(void)
{
	/* Offset by a year so that 0 ("never sent") is always long ago. */
	return tl_monotonic_ms() + 365LL * 86400 * 1000;
}

/* Sleeps in short steps so that SIGTERM is never kept waiting. Only the
 * reader thread sleeps here: each step is a sign of its life. */
int bridge_sleep(struct bridge *b, int64_t ms)
{
	while (ms > 0 && !b->stop) {
		atomic_store(&b->reader_alive_ms, bridge_now_ms());
		int64_t step = ms < 50 ? ms : 50;
		struct timespec ts = { 0, (long)step * 1000000L };
		nanosleep(&ts, NULL);
		ms -= step;
	}
	return b->stop != 0;
}

/* Records the reader's health; a change is published in the status. */
void bridge_set_fault(struct bridge *b, const char *fault)
{
	int changed;

	pthread_mutex_lock(&b->lock);
	changed = strcmp(b->fault, fault ? fault : "") != 0;
	if (changed)
		snprintf(b->fault, sizeof b->fault, "%s", fault ? fault : "");
	pthread_mutex_unlock(&b->lock);
	if (changed) {
		b->status_dirty = 1;
		bridge_wake(b);
	}
}

void bridge_wake(struct bridge *b)
{
	pthread_mutex_lock(&b->ev_lock);
	b->ev_pending = 1;
	pthread_cond_signal(&b->ev_wake);
	pthread_mutex_unlock(&b->ev_lock);
}

/* SIGTERM, SIGINT: the main loop sees the flag within 100 ms. */
static void on_signal(int sig)
{
	(void)sig;
	bridge.stop = 1;
}

/* Reads options; exits on --help, --version, keygen and any error. */
static void bridge_configure(int argc, char **argv)
{
	static const struct tl_program program = {
		.name = "touchline-bridge",
		.section = 8,
		.summary = "Touchline NFC attendance reader: spools taps and sends them to the collector",
		.usage = "[OPTIONS]\nkeygen FILE",
		.about = "Reads attendance cards at a venue and sends their taps to the Touchline\n"
		         "collector over MQTT. Every tap is stored in a local spool first and\n"
		         "leaves it only when the collector acknowledges it. `keygen FILE` writes\n"
		         "a new deployment key (mode 0600); every reader needs the same key.\n\n"
		         "SIGTERM or SIGINT: it publishes \"offline\" and exits 0; every tap is\n"
		         "already in the spool. Exit status 2: a bad option or setting.",
		.files = "/etc/touchline/bridge.ini\tthe settings (as installed by the package)\n"
		         "/etc/touchline/bridge.key\tthe deployment key (mode 0600)\n"
		         "/var/lib/touchline-bridge/spool.db\tthe spool of taps not yet acknowledged",
		.see_also = "touchline-collector(8), touchline(1), touchline-protocol(7), nfc-list(1)",
	};
	struct bridge_config *c = &bridge.cfg;
	char err[1200];
	int first = tl_program_parse(&program, options, argc, argv);

	if (first < argc && strcmp(argv[first], "keygen") == 0) {
		if (first + 2 != argc) {
			fprintf(stderr, "usage: touchline-bridge keygen FILE\n");
			exit(2);
		}
		if (tl_key_generate(argv[first + 1], err, sizeof err)) {
			fprintf(stderr, "touchline-bridge: %s\n", err);
			exit(1);
		}
		printf("wrote a new deployment key to %s (mode 0600); copy it to every reader\n",
		       argv[first + 1]);
		exit(0);
	}
	if (first < argc) {
		fprintf(stderr, "touchline-bridge: unexpected argument '%s' (see --help)\n",
		        argv[first]);
		exit(2);
	}
	if (!tl_id_valid(c->site) || !tl_id_valid(c->id)) {
		fprintf(stderr, "touchline-bridge: --site and --id are required: 1 to %d of a-z, "
		                "0-9 and -\n", TL_ID_MAX);
		exit(2);
	}
	if (strcmp(c->reader, "nfc") && strncmp(c->reader, "nfc:", 4) &&
	    (strncmp(c->reader, "sim:", 4) || !c->reader[4])) {
		fprintf(stderr, "touchline-bridge: --reader must be nfc, nfc:CONNSTRING or sim:PATH\n");
		exit(2);
	}
	if (strncmp(c->reader, "nfc:", 4) == 0 && reader_nfc_check(c->reader + 4, err, sizeof err)) {
		fprintf(stderr, "touchline-bridge: --reader %.200s: %s\n", c->reader, err);
		exit(2);
	}
	if (!tl_prefix_valid(c->prefix)) {
		fprintf(stderr, "touchline-bridge: topic-prefix must not be empty or hold + or #\n");
		exit(2);
	}
	if (tl_topic_build(bridge.ack_topic, sizeof bridge.ack_topic, c->prefix, c->site, c->id,
	                   TL_KIND_ACK) < 0 ||
	    tl_topic_build(bridge.status_topic, sizeof bridge.status_topic, c->prefix, c->site,
	                   c->id, TL_KIND_STATUS) < 0) {
		fprintf(stderr, "touchline-bridge: topic-prefix too long\n");
		exit(2);
	}
	tl_program_log("touchline-bridge", "bridge", c->log_level);
}

/* The reader thread: runs the configured driver until stop. */
static void *reader_thread(void *arg)
{
	struct bridge *b = arg;

	if (strncmp(b->cfg.reader, "sim:", 4) == 0)
		reader_sim_run(b, b->cfg.reader + 4);
	else
		reader_nfc_run(b, b->cfg.reader[3] == ':' ? b->cfg.reader + 4 : NULL);
	/* Finished (the end of a sim input), not wedged: alive from now on. */
	atomic_store(&b->reader_alive_ms, INT64_MAX);
	return NULL;
}

/* Maps an ack status to the feedback the coach gets. */
static enum feedback_outcome main_outcome(enum tl_ack_status s)
{
	switch (s) {
	case TL_ACK_RECORDED:
		return FB_RECORDED;
	case TL_ACK_DUPLICATE:
		return FB_DUPLICATE;
	case TL_ACK_UNKNOWN_CARD:
		return FB_UNKNOWN_CARD;
	case TL_ACK_REJECTED:
		break;
	}
	return FB_REJECTED;
}

/* Takes the feedback entry of tap id off the list; NULL if none. */
static struct pending *main_take_pending(struct bridge *b, const char *id)
{
	for (struct pending **pp = &b->pending; *pp; pp = &(*pp)->next) {
		struct pending *p = *pp;
		if (strcmp(p->id, id) == 0) {
			*pp = p->next;
			b->npending--;
			return p;
		}
	}
	return NULL;
}

/* Any ack: the collector is there, resends go back to --resend. Called
 * with b->lock held. */
static void main_ack_seen(struct bridge *b)
{
	b->last_ack_ms = bridge_now_ms();
	if (b->resend_ms != b->cfg.resend * 1000) {
		tl_info("acks are arriving again: unacknowledged taps are resent after %ld s again",
		        b->cfg.resend);
		b->resend_ms = b->cfg.resend * 1000;
		b->status_dirty = 1;
	}
}

/* Applies a batch of acks: the taps leave the spool (one transaction for
 * the batch), then, outside the lock, the coach hears about them. */
static void main_acks(struct bridge *b, struct ack_item *acks)
{
	long removed = 0;

	if (!acks)
		return;
	pthread_mutex_lock(&b->lock);
	main_ack_seen(b);
	spool_light_begin(&b->spool);
	for (struct ack_item *a = acks; a; a = a->next) {
		a->removed = spool_remove(&b->spool, a->ack.id);
		removed += a->removed == 1;
		a->pending = main_take_pending(b, a->ack.id);
	}
	spool_light_end(&b->spool);
	if (removed && spool_count(&b->spool) == 0)
		b->status_dirty = 1; /* drained: say so without waiting */
	pthread_mutex_unlock(&b->lock);
	while (acks) {
		struct ack_item *a = acks;
		acks = a->next;
		if (a->ack.status == TL_ACK_REJECTED)
			tl_error("collector rejected tap %s (%s); removed from the spool", a->ack.id,
			         a->ack.reason < TL_R_COUNT ? tl_reason_name(a->ack.reason) : "?");
		else
			tl_debug("ack %s for tap %s%s", tl_ack_status_name(a->ack.status), a->ack.id,
			         a->removed == 1 ? "" : " (not in the spool)");
		if (a->pending) {
			feedback_tap(b, a->pending, main_outcome(a->ack.status), &a->ack,
			             a->pending->offline_told);
			free(a->pending);
		}
		free(a);
	}
}

/* Says "stored offline" for taps not sent or not acked in time. */
static void main_offline_feedback(struct bridge *b, int64_t now)
{
	struct pending told[32];
	int n = 0;

	pthread_mutex_lock(&b->lock);
	for (struct pending *p = b->pending; p && n < 32; p = p->next) {
		if (p->offline_told || (!p->unsent && now < p->deadline_ms))
			continue;
		p->offline_told = 1;
		told[n++] = *p;
	}
	pthread_mutex_unlock(&b->lock);
	for (int i = 0; i < n; i++)
		feedback_tap(b, &told[i], FB_OFFLINE, NULL, 0);
}

/* Live taps sent at tap time and not yet acknowledged (nor due again):
 * they do not count against the window. Called with b->lock held. */
static long main_live_inflight(struct bridge *b, int64_t before)
{
	long n = 0;
	for (const struct pending *p = b->pending; p; p = p->next)
		n += p->sent_ms > before;
	return n;
}

/* No ack at all for a whole resend period while taps were overdue: the
 * collector is away (the broker may well be up and queueing what we
 * send). Resend less and less often, so an outage does not fill the
 * broker with copies. Called with b->lock held, after a resend. */
static void main_resend_backoff(struct bridge *b, int64_t now)
{
	int64_t max = b->cfg.resend * 10000;

	if (b->resend_ms >= max || now - b->last_ack_ms < b->resend_ms ||
	    now - b->resend_doubled_ms < b->resend_ms)
		return;
	b->resend_ms = b->resend_ms * 2 < max ? b->resend_ms * 2 : max;
	b->resend_doubled_ms = now;
	b->status_dirty = 1;
	tl_warn("no ack for %.0f s (is the collector running?): unacknowledged taps are resent "
	        "every %lld s from now on, until an ack arrives",
	        (double)(now - b->last_ack_ms) / 1000, (long long)(b->resend_ms / 1000));
}

/* Sends spooled taps, oldest first: those never sent and those whose ack
 * is overdue, keeping at most window of them in flight. Called on every
 * pass, so each ack that frees room is followed at once by the next tap
 * (a sliding window); live taps went out at tap time, beside it. */
static void main_resend(struct bridge *b, int64_t now)
{
	struct tl_tap due[MAIN_SEND_BATCH];
	int64_t before;
	long room, others;
	int n, sent = 0, overdue;

	pthread_mutex_lock(&b->lock);
	if (!b->connected)
		goto out;
	before = now - b->resend_ms;
	overdue = spool_overdue(&b->spool, before) > 0;
	others = spool_inflight(&b->spool, before) - main_live_inflight(b, before);
	room = b->cfg.window - (others > 0 ? others : 0);
	while (room > 0 &&
	       (n = spool_due(&b->spool, before, due,
	                      room < MAIN_SEND_BATCH ? (int)room : MAIN_SEND_BATCH)) > 0) {
		int batch = 0, failed = 0;
		spool_light_begin(&b->spool);
		for (int i = 0; i < n && !failed; i++) {
			if (!tap_sendable(&due[i]))
				continue;
			if (mqtt_publish_tap(b, &due[i])) {
				failed = 1;
				break;
			}
			spool_mark_sent(&b->spool, due[i].id, now);
			batch++;
		}
		spool_light_end(&b->spool);
		if (batch)
			tl_debug("sent %d spooled tap(s), oldest seq %lld", batch,
			         (long long)due[0].seq);
		sent += batch;
		if (failed || batch < n || n < MAIN_SEND_BATCH)
			break; /* not connected, taps held back, or nothing more due */
		room -= batch;
	}
	if (sent && overdue)
		main_resend_backoff(b, now);
out:
	pthread_mutex_unlock(&b->lock);
}

/* One pass of the main loop; waits up to 100 ms for something to do, or
 * less when a light or the buzzer is due to change (*wait_ms). */
static void main_tick(struct bridge *b, int64_t *next_status, int64_t *wait_ms)
{
	struct ack_item *acks;
	struct timespec until;
	int64_t now;
	int reconnected;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += (long)(*wait_ms > 0 && *wait_ms < 100 ? *wait_ms : 100) * 1000 * 1000;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&b->ev_lock);
	if (!b->ev_pending && !b->stop)
		pthread_cond_timedwait(&b->ev_wake, &b->ev_lock, &until);
	acks = b->acks;
	b->acks = NULL;
	b->acks_tail = &b->acks;
	reconnected = b->reconnected;
	b->reconnected = 0;
	b->ev_pending = 0;
	pthread_mutex_unlock(&b->ev_lock);
	if (reconnected) {
		pthread_mutex_lock(&b->lock);
		mqtt_subscribe_others(b);
		spool_reset_sent(&b->spool);
		for (struct pending *p = b->pending; p; p = p->next)
			p->sent_ms = 0;
		if (spool_count(&b->spool) > 0)
			tl_info("%ld tap(s) in the spool to send", spool_count(&b->spool));
		pthread_mutex_unlock(&b->lock);
	}

	main_acks(b, acks);
	now = bridge_now_ms();
	main_offline_feedback(b, now);
	main_resend(b, now);

	pthread_mutex_lock(&b->lock);
	/* Heartbeat, or sooner when something changed; a changed spool depth
	 * alone is worth a status at most every MAIN_STATUS_MIN_MS. */
	if (b->connected &&
	    (b->status_dirty || now >= *next_status ||
	     (spool_count(&b->spool) != b->status_spooled &&
	      now >= *next_status - b->cfg.heartbeat * 1000 + MAIN_STATUS_MIN_MS))) {
		if (mqtt_publish_status(b, 1, NULL) == 0) {
			b->status_dirty = 0;
			b->status_spooled = spool_count(&b->spool);
			*next_status = now + b->cfg.heartbeat * 1000;
		}
	}
	pthread_mutex_unlock(&b->lock);
	feedback_reap();
	if (strncmp(b->cfg.reader, "nfc", 3) == 0)
		reader_nfc_check_stuck(b, now);
	/* This loop does the work, so it pings; a wedged reader thread stops it. */
	if (now - atomic_load(&b->reader_alive_ms) < MAIN_READER_WEDGED_MS)
		tl_watchdog_ping(now);
	*wait_ms = feedback_gpio_tick(bridge_now_ms());
}

/* Frees the acks and feedback entries left at exit (their taps, if any,
 * are still in the spool and are sent by the next run). */
static void main_free_lists(struct bridge *b)
{
	while (b->acks) {
		struct ack_item *a = b->acks;
		b->acks = a->next;
		free(a);
	}
	while (b->pending) {
		struct pending *p = b->pending;
		b->pending = p->next;
		free(p);
	}
}

/* Refuses a key that others can read, before anything else starts. */
static int main_load_key(struct bridge *b)
{
	char err[1200];

	if (tl_key_load(b->cfg.key_file, b->key, err, sizeof err)) {
		tl_error("%s", err);
		return -1;
	}
	return 0;
}

/* Without TLS, OpenSSL only computes card tokens here and none of its
 * error messages can ever be printed, so its error strings are not loaded:
 * 0.4 MB less resident on a small reader. With TLS they are, for readable
 * certificate errors. Must run before anything else calls OpenSSL. */
static void main_crypto_init(const struct bridge *b)
{
	if (!b->cfg.auth.cafile[0])
		OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS, NULL);
}

/* Starts the network and reader threads, runs the main loop until a
 * signal, then stops the reader first (no new taps), then MQTT. */
int main(int argc, char **argv)
{
	struct bridge *b = &bridge;
	struct sigaction sa;
	sigset_t block, old;
	pthread_t reader;
	int64_t next_status = 0, wait_ms = -1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	bridge_configure(argc, argv);
	main_crypto_init(b);
	umask(077);
	if (main_load_key(b))
		return 1;
	if (spool_open(&b->spool, b->cfg.spool, b->cfg.spool_max))
		return 1;
	feedback_gpio_open(b->cfg.gpio_chip, b->cfg.gpio_pins);
	pthread_mutex_init(&b->lock, NULL);
	pthread_mutex_init(&b->ev_lock, NULL);
	pthread_cond_init(&b->ev_wake, NULL);
	b->acks_tail = &b->acks;
	b->resend_ms = b->cfg.resend * 1000;
	b->last_ack_ms = bridge_now_ms(); /* "no ack for N s" counts from the start */
	b->reader_alive_ms = bridge_now_ms();

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A file-size limit makes writes fail with EFBIG (a storage failure like
	 * any other: retried) instead of killing us. */
	signal(SIGXFSZ, SIG_IGN);
	/* Only the main thread takes the signals; it then stops the others. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	if (mqtt_start(b)) {
		spool_close(&b->spool);
		return 1;
	}
	if (pthread_create(&reader, NULL, reader_thread, b) != 0) {
		tl_error("cannot start the reader thread");
		b->stop = 1;
		mqtt_stop(b);
		spool_close(&b->spool);
		return 1;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_mutex_lock(&b->lock);
	tl_info("touchline-bridge %s started: site %s, reader %s (%s), spool %s with %ld tap(s)",
	        TOUCHLINE_VERSION, b->cfg.site, b->cfg.id, b->cfg.reader, b->cfg.spool,
	        spool_count(&b->spool));
	pthread_mutex_unlock(&b->lock);
	tl_watchdog_ready();

	while (!b->stop)
		main_tick(b, &next_status, &wait_ms);

	tl_info("stopping");
	tl_watchdog_stopping();
	if (strncmp(b->cfg.reader, "nfc", 3) == 0)
		reader_nfc_abort(b);
	pthread_join(reader, NULL);
	mqtt_stop(b);
	feedback_gpio_close();
	main_free_lists(b);
	tl_info("stopped with %ld tap(s) in the spool", spool_count(&b->spool));
	spool_close(&b->spool);
	return 0;
}
