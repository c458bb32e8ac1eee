/* echo.c - the ceiling: a minimal client that takes each tap, decodes and
 * checks it exactly as the collector does, and publishes its ack without
 * storing anything. What it reaches is the most the broker and the
 * protocol allow on this machine.
 *
 *   tl-echo --port P */
#include "protocol.h"

#include <mosquitto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t echo_stop;

static void echo_on_signal(int sig)
{
	(void)sig;
	echo_stop = 1;
}

static void echo_on_tap(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	struct tl_topic t;
	struct tl_tap tap;
	struct tl_ack ack = { .status = TL_ACK_RECORDED, .week_sessions = -1 };
	char topic[256], buf[256];
	int n;
	(void)obj;

	if (tl_topic_parse(TL_DEFAULT_PREFIX, msg->topic, &t) != TL_OK ||
	    tl_tap_decode(msg->payload, (size_t)msg->payloadlen, &t, (int64_t)time(NULL), &tap,
	                  ack.id) != TL_OK)
		return;
	tl_topic_build(topic, sizeof topic, TL_DEFAULT_PREFIX, t.site, t.reader, TL_KIND_ACK);
	n = tl_ack_encode(&ack, buf, sizeof buf);
	mosquitto_publish(m, NULL, topic, n, buf, 1, false);
}

int main(int argc, char **argv)
{
	struct mosquitto *m;
	int port = argc == 3 && !strcmp(argv[1], "--port") ? atoi(argv[2]) : 0;

	if (port <= 0) {
		fprintf(stderr, "usage: tl-echo --port P\n");
		return 2;
	}
	signal(SIGTERM, echo_on_signal);
	signal(SIGINT, echo_on_signal);
	mosquitto_lib_init();
	m = mosquitto_new("tl-echo", true, NULL);
	mosquitto_message_callback_set(m, echo_on_tap);
	mosquitto_max_inflight_messages_set(m, 0);
	/* Taps and acks are tiny: send each at once, not after Nagle's wait. */
	mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
	if (mosquitto_connect(m, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "tl-echo: cannot connect\n");
		return 1;
	}
	mosquitto_subscribe(m, NULL, TL_DEFAULT_PREFIX "/+/+/tap", 1);
	mosquitto_loop_start(m);
	fprintf(stderr, "tl-echo: subscribed\n");
	while (!echo_stop)
		usleep(100000);
	mosquitto_disconnect(m);
	mosquitto_loop_stop(m, false);
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();
	return 0;
}
