/* loadgen.c - publishes realistic v1 taps from many readers and measures
 * how fast they are acknowledged, end to end.
 *
 *   tl-loadgen --port P --taps N [--readers 200] [--rate R] [--window W]
 *              [--replay FILE]
 *
 * With --rate 0 it publishes as fast as the acks allow, keeping at most W
 * taps unacknowledged (a closed loop, so the broker's queues stay small
 * and the figure is the slowest stage's throughput). With --rate R it
 * publishes R taps per second (open loop) and reports latency. The tap's
 * index is carried in the last 12 hex digits of its UUID, so an ack maps
 * back to its send time without a table lookup. Prints one line of
 * key=value results. With --replay it publishes the first N taps of a
 * CSV file written by tl-gen-national instead of generating them. Like
 * every Touchline client it connects through common/mqtt_conn.c, so it
 * may be started before its broker and rides out a broker restart. */
#include "log.h"
#include "mqtt_conn.h"
#include "protocol.h"

#include <mosquitto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* One tap of a --replay file. */
struct lg_replay {
	char id[TL_UUID_LEN + 1], site[TL_ID_MAX + 1], reader[TL_ID_MAX + 1];
	char card[TL_TOKEN_LEN + 1];
	long long ts, seq;
};

struct lg {
	struct lg_replay *replay;
	long taps, readers, rate, window, port, cards;
	char host[64], prefix[64], replay_path[512];
	double *sent;          /* send time per tap, seconds */
	double *lat;           /* ack latency per tap */
	unsigned char *acked;
	long nacked, ndup, nrecorded, nother;
	double first_sent, last_ack;
	atomic_int subscribed;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static double lg_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The ack's id ends in the tap index (hex). */
static void lg_on_ack(void *obj, const struct mosquitto_message *msg)
{
	struct lg *g = obj;
	struct tl_ack ack;
	long i;

	if (tl_ack_decode(msg->payload, (size_t)msg->payloadlen, &ack) != TL_OK)
		return;
	i = strtol(ack.id + 24, NULL, 16);
	if (i < 0 || i >= g->taps)
		return;
	pthread_mutex_lock(&g->lock);
	if (!g->acked[i]) {
		g->acked[i] = 1;
		g->last_ack = lg_now();
		g->lat[i] = g->last_ack - g->sent[i];
		g->nacked++;
		if (ack.status == TL_ACK_RECORDED || ack.status == TL_ACK_UNKNOWN_CARD)
			g->nrecorded++;
		else
			g->nother++;
		pthread_cond_broadcast(&g->cond);
	} else
		g->ndup++;
	pthread_mutex_unlock(&g->lock);
}

static int lg_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Builds tap i: the i-th of the --replay file, or else reader i % readers
 * and a card from a pool of g->cards. */
static int lg_tap(struct lg *g, long i, char *topic, size_t tsz, char *buf, size_t bsz)
{
	struct tl_tap t;
	char site[TL_ID_MAX + 1], reader[TL_ID_MAX + 1];
	long r = i % g->readers;

	if (g->replay) {
		const struct lg_replay *p = &g->replay[i];
		memcpy(t.id, p->id, sizeof t.id);
		memcpy(t.site, p->site, sizeof t.site);
		memcpy(t.reader, p->reader, sizeof t.reader);
		memcpy(t.card, p->card, sizeof t.card);
		t.ts = p->ts;
		t.seq = p->seq;
		tl_topic_build(topic, tsz, g->prefix, p->site, p->reader, TL_KIND_TAP);
		return tl_tap_encode(&t, buf, bsz);
	}
	snprintf(site, sizeof site, "site-%02ld", r / 4);
	snprintf(reader, sizeof reader, "reader-%ld", r % 4);
	char id[64];
	snprintf(id, sizeof id, "%08x-0000-4000-8000-%012llx", (unsigned)getpid(),
	         (unsigned long long)i & 0xffffffffffffULL);
	memcpy(t.id, id, TL_UUID_LEN);
	t.id[TL_UUID_LEN] = '\0';
	memcpy(t.site, site, sizeof site);
	memcpy(t.reader, reader, sizeof reader);
	snprintf(t.card, sizeof t.card, "%032lx", (i * 7919) % g->cards + 1);
	t.ts = (int64_t)time(NULL) - 60;
	t.seq = i / g->readers;
	tl_topic_build(topic, tsz, g->prefix, site, reader, TL_KIND_TAP);
	return tl_tap_encode(&t, buf, bsz);
}

/* Reads the first g->taps taps of a tl-gen-national CSV file (fewer if it
 * is shorter: g->taps becomes the number read). */
static void lg_read_replay(struct lg *g, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	long n = 0;

	g->replay = calloc((size_t)g->taps, sizeof *g->replay);
	if (!f || !g->replay || !fgets(line, sizeof line, f)) {
		fprintf(stderr, "tl-loadgen: cannot read %s\n", path);
		exit(1);
	}
	while (n < g->taps && fgets(line, sizeof line, f)) {
		struct lg_replay *p = &g->replay[n];
		if (sscanf(line, "%36[^,],%32[^,],%32[^,],%32[^,],%lld,%lld", p->id, p->site,
		           p->reader, p->card, &p->ts, &p->seq) != 6) {
			fprintf(stderr, "tl-loadgen: %s: bad line %ld\n", path, n + 2);
			exit(1);
		}
		n++;
	}
	fclose(f);
	g->taps = n;
}

static void lg_usage(void)
{
	fprintf(stderr, "usage: tl-loadgen --port P --taps N [--readers R] [--rate TAPS/S]"
	                " [--window W] [--cards C] [--host H]"
	                " [--replay FILE]\n");
	exit(2);
}

static void lg_args(struct lg *g, int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (!strcmp(k, "--port")) g->port = atol(v);
		else if (!strcmp(k, "--taps")) g->taps = atol(v);
		else if (!strcmp(k, "--readers")) g->readers = atol(v);
		else if (!strcmp(k, "--rate")) g->rate = atol(v);
		else if (!strcmp(k, "--window")) g->window = atol(v);
		else if (!strcmp(k, "--cards")) g->cards = atol(v);
		else if (!strcmp(k, "--host")) snprintf(g->host, sizeof g->host, "%s", v);
		else if (!strcmp(k, "--replay")) snprintf(g->replay_path, sizeof g->replay_path, "%s", v);
		else lg_usage();
	}
	if (argc % 2 == 0 || g->port <= 0 || g->taps <= 0 || g->readers <= 0 || g->cards <= 0)
		lg_usage();
}

/* The ack subscriber subscribes on every connection (clean session). */
static void lg_sub_connected(void *obj, struct mosquitto *m)
{
	struct lg *g = obj;
	char ackt[128];

	snprintf(ackt, sizeof ackt, "%s/+/+/ack", g->prefix);
	mosquitto_subscribe(m, NULL, ackt, 1);
}

static void lg_subscribed(void *obj, int mid, int n, const int *granted)
{
	struct lg *g = obj;
	(void)mid;
	(void)n;
	(void)granted;
	g->subscribed = 1;
}

/* Starts a client and waits (up to a minute) for its first connection. */
static void lg_connect(struct lg *g, struct tl_mqtt_conn *c, const struct tl_mqtt_hooks *h)
{
	if (tl_mqtt_conn_init(c, NULL, 1, g->host, g->port, 60, h, g))
		exit(1);
	mosquitto_max_inflight_messages_set(c->mosq, 0);
	/* Taps and acks are tiny: send each at once, not after Nagle's wait. */
	mosquitto_int_option(c->mosq, MOSQ_OPT_TCP_NODELAY, 1);
	if (tl_mqtt_conn_start(c) || tl_mqtt_conn_wait(c, 60000)) {
		fprintf(stderr, "tl-loadgen: cannot connect to %s:%ld\n", g->host, g->port);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	struct lg g = { .readers = 200, .window = 2000, .cards = 10000,
		        .host = "127.0.0.1", .prefix = TL_DEFAULT_PREFIX };
	static const struct tl_mqtt_hooks sub_hooks = {
		.connected = lg_sub_connected,
		.message = lg_on_ack,
		.subscribed = lg_subscribed,
	};
	struct tl_mqtt_conn sub, pub;
	char topic[128], payload[TL_MAX_PAYLOAD];
	double t0, deadline;
	long i;
	int stalled = 0;

	lg_args(&g, argc, argv);
	if (g.replay_path[0])
		lg_read_replay(&g, g.replay_path);
	g.sent = calloc((size_t)g.taps, sizeof(double));
	g.lat = calloc((size_t)g.taps, sizeof(double));
	g.acked = calloc((size_t)g.taps, 1);
	pthread_mutex_init(&g.lock, NULL);
	pthread_cond_init(&g.cond, NULL);
	tl_log_init("tl-loadgen", TL_LOG_WARN);
	lg_connect(&g, &sub, &sub_hooks);
	lg_connect(&g, &pub, NULL);
	for (int w = 0; !g.subscribed && w < 6000; w++)
		usleep(10000);

	t0 = lg_now();
	for (i = 0; i < g.taps; i++) {
		int n = lg_tap(&g, i, topic, sizeof topic, payload, sizeof payload);
		pthread_mutex_lock(&g.lock);
		if (g.rate > 0) {
			double due = t0 + (double)i / (double)g.rate;
			pthread_mutex_unlock(&g.lock);
			while (lg_now() < due)
				usleep(100);
			pthread_mutex_lock(&g.lock);
		} else {
			double waiting = lg_now();
			while (i - g.nacked >= g.window && !stalled) {
				struct timespec ts;
				clock_gettime(CLOCK_REALTIME, &ts);
				ts.tv_sec += 1;
				pthread_cond_timedwait(&g.cond, &g.lock, &ts);
				/* No ack for a minute (the broker or the consumer is
				 * gone for good): report what there is. */
				stalled = lg_now() - (g.last_ack > waiting ? g.last_ack : waiting) > 60;
			}
			if (stalled) {
				pthread_mutex_unlock(&g.lock);
				fprintf(stderr, "tl-loadgen: no ack for 60 s; giving up after %ld taps\n", i);
				break;
			}
		}
		g.sent[i] = lg_now();
		if (i == 0)
			g.first_sent = g.sent[0];
		pthread_mutex_unlock(&g.lock);
		mosquitto_publish(pub.mosq, NULL, topic, n, payload, 1, false);
	}
	deadline = lg_now() + (stalled ? 0 : 60);
	pthread_mutex_lock(&g.lock);
	while (g.nacked < g.taps && lg_now() < deadline) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&g.cond, &g.lock, &ts);
	}
	pthread_mutex_unlock(&g.lock);

	{
		long n = g.nacked;
		double span = g.last_ack - g.first_sent;
		double *l = malloc(sizeof(double) * (size_t)(n ? n : 1));
		long k = 0;
		for (i = 0; i < g.taps; i++)
			if (g.acked[i])
				l[k++] = g.lat[i];
		qsort(l, (size_t)k, sizeof(double), lg_cmp);
		printf("taps=%ld acked=%ld recorded=%ld other=%ld dup_acks=%ld seconds=%.3f "
		       "rate=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
		       g.taps, n, g.nrecorded, g.nother, g.ndup, span, span > 0 ? (double)n / span : 0,
		       k ? l[k / 2] * 1e3 : 0, k ? l[(k * 99) / 100] * 1e3 : 0, k ? l[k - 1] * 1e3 : 0);
		free(l);
	}
	tl_mqtt_conn_destroy(&pub);
	tl_mqtt_conn_destroy(&sub);
	free(g.sent);
	free(g.lat);
	free(g.acked);
	free(g.replay);
	return g.nacked == g.taps ? 0 : 1;
}
