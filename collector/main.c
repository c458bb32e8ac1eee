/* main.c - touchline-collector: records taps from readers over MQTT.
 *
 * Usage: touchline-collector [--config FILE] [--db FILE] [--host H] ...
 * See --help and docs/collector.md. */
#include "collector.h"
#include "config.h"
#include "log.h"
#include "store.h"
#include "watchdog.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct collector collector = {
	.cfg = {
		.host = "127.0.0.1",
		.port = 1883,
		.client_id = "touchline-collector",
		.prefix = TL_DEFAULT_PREFIX,
		.keepalive = 30,
		.db = "/var/lib/touchline/touchline.db",
		.batch_max = 512,
		.queue_max = 20000,
		.stats_interval = 60,
		.live_attendance = 1,
		.suspect_age = 3600,
		.deadletter_max = 1000,
		.deadletter_max_age = 30,
		.junk_rate = 10,
		.junk_burst = 100,
		.log_level = "info",
	},
};

#define STR(f) collector.cfg.f, sizeof collector.cfg.f
static const struct tl_option options[] = {
	{ "mqtt", "host", TL_OPT_STR, STR(host), 0, 0, "HOST", "broker host name or address" },
	{ "mqtt", "port", TL_OPT_INT, &collector.cfg.port, 0, 1, 65535, "PORT", "broker port" },
	{ "mqtt", "client-id", TL_OPT_STR, STR(client_id), 0, 0, "ID",
	  "MQTT client id; fixed, so the broker keeps our session while we are away" },
	{ "mqtt", "topic-prefix", TL_OPT_STR, STR(prefix), 0, 0, "PREFIX", "topic prefix" },
	{ "mqtt", "keepalive", TL_OPT_INT, &collector.cfg.keepalive, 0, 5, 3600, "SECONDS",
	  "MQTT keepalive" },
	TL_MQTT_AUTH_OPTIONS(collector.cfg.auth),
	{ "database", "db", TL_OPT_STR, STR(db), 0, 0, "FILE",
	  "SQLite database (created, mode 0600, if missing)" },
	{ "collector", "batch-max", TL_OPT_INT, &collector.cfg.batch_max, 0, 1, 100000, "N",
	  "most messages stored in one transaction" },
	{ "collector", "queue-max", TL_OPT_INT, &collector.cfg.queue_max, 0, 1, 10000000, "N",
	  "most messages held in memory before pushing back on the broker" },
	{ "collector", "stats-interval", TL_OPT_INT, &collector.cfg.stats_interval, 0, 0, 86400,
	  "SECONDS", "log totals this often (0: only at exit)" },
	{ "collector", "live-attendance", TL_OPT_INT, &collector.cfg.live_attendance, 0, 0, 1,
	  "0|1", "bring attendance, activity and follow-up up to date after every batch (1) or"
	  " leave them to 'touchline attendance rebuild' (0)" },
	{ "collector", "suspect-age", TL_OPT_INT, &collector.cfg.suspect_age, 0, 0, 31 * 86400,
	  "SECONDS", "a tap later than this can be held as suspect (0: never)" },
	{ "collector", "deadletter-max", TL_OPT_INT, &collector.cfg.deadletter_max, 0, 1, 10000000,
	  "N", "dead letters kept per reader (and for unattributable ones); the oldest beyond"
	  " it are dropped and counted" },
	{ "collector", "deadletter-max-age", TL_OPT_INT, &collector.cfg.deadletter_max_age, 0, 1,
	  36500, "DAYS", "dead letters older than this are dropped and counted" },
	{ "collector", "junk-rate", TL_OPT_INT, &collector.cfg.junk_rate, 0, 1, 1000000, "N",
	  "rejected messages stored per second per reader (and for unattributable ones);"
	  " beyond it they are counted, not stored" },
	{ "collector", "junk-burst", TL_OPT_INT, &collector.cfg.junk_burst, 0, 1, 10000000, "N",
	  "rejected messages a reader may send at once before junk-rate applies" },
	{ "collector", "log-level", TL_OPT_STR, STR(log_level), 0, 0, "LEVEL",
	  "debug, info, warn or error" },
	TL_OPT_END,
};

static void on_signal(int sig)
{
	(void)sig;
	collector.stop = 1;
}

/* Reads options; exits on --help, --version and any error. */
static void collector_configure(int argc, char **argv)
{
	static const struct tl_program program = {
		.name = "touchline-collector",
		.section = 8,
		.summary = "record NFC attendance taps from Touchline readers into SQLite",
		.usage = "[OPTIONS]",
		.about = "Records taps published by Touchline readers over MQTT into SQLite and\n"
		         "acknowledges each one after it is committed. It connects to the broker\n"
		         "whenever the broker is up, and again after every broker restart.\n\n"
		         "SIGTERM or SIGINT: it stores what it has taken, disconnects and exits 0.\n"
		         "Exit status 2: a bad option or setting.",
		.files = "/etc/touchline/collector.ini\tthe settings (as installed by the package)\n"
		         "/var/lib/touchline/touchline.db\tthe database (mode 0600)",
		.see_also = "touchline(1), touchline-bridge(8), touchline-dashboard(1), "
		            "touchline-protocol(7), mosquitto(8)",
	};
	int first = tl_program_parse(&program, options, argc, argv);

	if (first < argc) {
		fprintf(stderr, "touchline-collector: unexpected argument '%s'\n", argv[first]);
		exit(2);
	}
	if (!tl_prefix_valid(collector.cfg.prefix)) {
		fprintf(stderr, "touchline-collector: topic-prefix must not be empty or hold + or #\n");
		exit(2);
	}
	tl_program_log("touchline-collector", "collector", collector.cfg.log_level);
}

/* Opens the database. One that exists but cannot be written now (a
 * read-only or full file system) is waited for, not given up on: readers
 * keep their taps and the broker queues them meanwhile. Anything else
 * (a bad path, a database from a newer version) is fatal at once. */
static sqlite3 *collector_open_db(struct collector *c)
{
	char err[1024];
	struct stat sb;
	int waited = 0;

	for (;;) {
		sqlite3 *db = tl_store_open(c->cfg.db, TL_STORE_CREATE | TL_STORE_PRIVATE, err,
		                            sizeof err);
		if (db) {
			if (waited)
				tl_info("database %s is writable again", c->cfg.db);
			return db;
		}
		if (stat(c->cfg.db, &sb) != 0 || strstr(err, "newer than this build") ||
		    strstr(err, "must not be open to")) {
			tl_error("%s", err);
			return NULL;
		}
		if (!waited++)
			tl_error("%s: not writable; not connecting to the broker until it is "
			         "(retrying every 5 s)", err);
		for (int i = 0; i < 50 && !c->stop; i++)
			usleep(100000);
		if (c->stop)
			return NULL;
	}
}

int main(int argc, char **argv)
{
	struct collector *c = &collector;
	struct sigaction sa;
	int rc;

	collector_configure(argc, argv);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A file-size limit makes writes fail with EFBIG (a storage failure like
	 * any other: retried) instead of killing us. */
	signal(SIGXFSZ, SIG_IGN);

	c->db = collector_open_db(c);
	if (!c->db)
		return 1;
	if (writer_prepare(c) || queue_init(&c->queue, (size_t)c->cfg.queue_max) ||
	    mqtt_start(c)) {
		writer_finalize(c);
		tl_store_close(c->db);
		return 1;
	}
	tl_info("touchline-collector %s started, database %s", TOUCHLINE_VERSION, c->cfg.db);
	/* Ready, and watched, from here: opening the database (a migration, or
	 * waiting for it to be writable) may take any time before. */
	tl_watchdog_ready();
	rc = writer_run(c);
	tl_watchdog_stopping();
	writer_finalize(c);
	junk_free(c);
	tl_store_close(c->db);
	queue_destroy(&c->queue);
	tl_info("stopped");
	return rc == 0 ? 0 : 1;
}
