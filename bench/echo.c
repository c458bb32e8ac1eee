/* echo.c - the ceiling: the collector without its database. Like the
 * collector, the network thread only queues each tap (collector/queue.c)
 * and a second thread takes whole batches, decodes and checks each tap
 * exactly as the collector does, and publishes its ack; it stores
 * nothing. What it reaches is the most the broker, the protocol and the
 * collector's threading allow on this machine. (A single-threaded echo
 * that answered inside the message callback was slower than the
 * collector in one run, so it was no ceiling.)
 *
 * It connects through common/mqtt_conn.c, as the collector does.
 *
 *   tl-echo --port P */
#include "log.h"
#include "mqtt_conn.h"
#include "protocol.h"
#include "queue.h"

#include <mosquitto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The collector's defaults (collector/main.c). */
#define ECHO_BATCH_MAX 512
#define ECHO_QUEUE_MAX 20000

static volatile sig_atomic_t echo_stop;
static struct queue echo_queue;

static void echo_on_signal(int sig)
{
	(void)sig;
	echo_stop = 1;
}

/* The network thread: queue the tap, as mqtt_on_message does. */
static void echo_on_tap(void *obj, const struct mosquitto_message *msg)
{
	(void)obj;
	if (queue_push(&echo_queue, msg->topic, msg->payload, (size_t)msg->payloadlen, msg->retain,
	               (int64_t)time(NULL)))
		fprintf(stderr, "tl-echo: out of memory\n");
}

/* Decodes one queued tap and publishes its ack; bad ones get none. */
static void echo_answer(struct mosquitto *m, const struct msg *q)
{
	struct tl_topic t;
	struct tl_tap tap;
	struct tl_ack ack = { .status = TL_ACK_RECORDED, .week_sessions = -1 };
	char topic[256], buf[256];
	int n;

	if (tl_topic_parse(TL_DEFAULT_PREFIX, q->topic, &t) != TL_OK ||
	    tl_tap_decode(q->payload, q->len, &t, q->received_at, &tap, ack.id) != TL_OK)
		return;
	tl_topic_build(topic, sizeof topic, TL_DEFAULT_PREFIX, t.site, t.reader, TL_KIND_ACK);
	n = tl_ack_encode(&ack, buf, sizeof buf);
	mosquitto_publish(m, NULL, topic, n, buf, 1, false);
}

static void echo_connected(void *obj, struct mosquitto *m)
{
	(void)obj;
	mosquitto_subscribe(m, NULL, TL_DEFAULT_PREFIX "/+/+/tap", 1);
}

static void echo_subscribed(void *obj, int mid, int n, const int *granted)
{
	(void)obj;
	(void)mid;
	(void)n;
	(void)granted;
	fprintf(stderr, "tl-echo: subscribed\n");
}

int main(int argc, char **argv)
{
	static const struct tl_mqtt_hooks hooks = {
		.connected = echo_connected,
		.message = echo_on_tap,
		.subscribed = echo_subscribed,
	};
	struct tl_mqtt_conn conn;
	struct mosquitto *m;
	int port = argc == 3 && !strcmp(argv[1], "--port") ? atoi(argv[2]) : 0;

	if (port <= 0) {
		fprintf(stderr, "usage: tl-echo --port P\n");
		return 2;
	}
	signal(SIGTERM, echo_on_signal);
	signal(SIGINT, echo_on_signal);
	if (queue_init(&echo_queue, ECHO_QUEUE_MAX))
		return 1;
	tl_log_init("tl-echo", TL_LOG_WARN);
	if (tl_mqtt_conn_init(&conn, "tl-echo", 1, "127.0.0.1", port, 60, &hooks, NULL))
		return 1;
	m = conn.mosq;
	mosquitto_max_inflight_messages_set(m, 0);
	/* Taps and acks are tiny: send each at once, not after Nagle's wait. */
	mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
	if (tl_mqtt_conn_start(&conn))
		return 1;
	while (!echo_stop) {
		struct msg *batch;
		if (queue_pop_batch(&echo_queue, ECHO_BATCH_MAX, 200, &batch) == 0)
			continue;
		for (const struct msg *q = batch; q; q = q->next)
			echo_answer(m, q);
		msg_free_list(batch);
	}
	queue_unbound(&echo_queue);
	tl_mqtt_conn_destroy(&conn);
	queue_destroy(&echo_queue);
	return 0;
}
