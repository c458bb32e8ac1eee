/* mqtt.c - the collector's MQTT side, on the shared connection
 * (common/mqtt_conn.h), which connects from any start order and again
 * after every broker restart.
 *
 * Persistent session (fixed client id, clean session off), so the broker
 * queues taps for us while we are away. on_message only copies the message
 * into the queue: the broker has had its PUBACK by then, so the guarantee
 * that nothing is lost is the end-to-end ack that the writer publishes
 * after COMMIT (docs/protocol.md, "Delivery"). */
#include "collector.h"
#include "log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Connected (first time or again): subscribe. The session is persistent,
 * but a broker that lost it (no persistence, or its file) must hear the
 * subscription again. Everything under the prefix, so that a message on a
 * topic of the wrong shape is seen and dead-lettered, not lost. What the
 * broker hands over first may have waited there: prompt_since says so. */
static void mqtt_connected(void *obj, struct mosquitto *mosq)
{
	struct collector *c = obj;
	char all[256];
	int rc;

	atomic_store(&c->prompt_since, (int64_t)time(NULL));
	snprintf(all, sizeof all, "%s/#", c->cfg.prefix);
	rc = mosquitto_subscribe(mosq, NULL, all, 1);
	if (rc != MOSQ_ERR_SUCCESS)
		tl_error("subscribe failed: %s", mosquitto_strerror(rc));
	else
		tl_info("subscribed to %s", all);
}

/* Queues a message for the writer. Acks on well-formed ack topics are the
 * ones we publish ourselves (MQTT 3.1.1 sends a subscriber its own
 * messages): they are left out here, before they cost a queue slot. */
static void mqtt_on_message(void *obj, const struct mosquitto_message *msg)
{
	struct collector *c = obj;
	struct tl_topic t;

	if (tl_topic_parse(c->cfg.prefix, msg->topic, &t) == TL_OK && t.kind == TL_KIND_ACK)
		return;
	if (queue_push(&c->queue, msg->topic, msg->payload, (size_t)msg->payloadlen, msg->retain,
	               (int64_t)time(NULL)) != 0)
		tl_error("out of memory: message on %s not queued; its reader will resend",
		         msg->topic);
}

int mqtt_start(struct collector *c)
{
	static const struct tl_mqtt_hooks hooks = {
		.connected = mqtt_connected,
		.message = mqtt_on_message,
	};
	char err[512];

	if (tl_mqtt_conn_init(&c->conn, c->cfg.client_id, 0, c->cfg.host, c->cfg.port,
	                      c->cfg.keepalive, &hooks, c))
		return -1;
	c->mosq = c->conn.mosq;
	if (tl_mqtt_auth_apply(c->mosq, &c->cfg.auth, c->cfg.host, err, sizeof err)) {
		tl_error("%s", err);
		mqtt_stop(c);
		return -1;
	}
	/* Ack publishes are QoS 1: let many be in flight at once. */
	mosquitto_max_inflight_messages_set(c->mosq, 0);
	/* Taps and acks are tiny: send each at once, not after Nagle's wait. */
	mosquitto_int_option(c->mosq, MOSQ_OPT_TCP_NODELAY, 1);
	if (tl_mqtt_conn_start(&c->conn)) {
		mqtt_stop(c);
		return -1;
	}
	return 0;
}

void mqtt_log_state(struct collector *c)
{
	char state[512];

	if (!c->mosq)
		return;
	tl_mqtt_conn_describe(&c->conn, state, sizeof state);
	tl_info("broker: %s", state);
}

void mqtt_stop(struct collector *c)
{
	if (!c->mosq)
		return;
	queue_unbound(&c->queue);
	tl_mqtt_conn_destroy(&c->conn);
	c->mosq = NULL;
}

/* Publishes the acks of a committed batch. While the broker is away,
 * libmosquitto keeps them (QoS 1, persistent session) and sends them
 * when it is back; any other failure is not retried: the reader resends
 * the tap and gets "duplicate". One line per batch, not per ack. */
void mqtt_publish_acks(struct collector *c, struct msg *batch)
{
	unsigned long offline = 0, failed = 0;
	int first_rc = MOSQ_ERR_SUCCESS;

	for (struct msg *m = batch; m; m = m->next) {
		int rc;
		if (!m->send_ack)
			continue;
		rc = mosquitto_publish(c->mosq, NULL, m->ack_topic, (int)strlen(m->ack), m->ack, 1,
		                       false);
		if (rc == MOSQ_ERR_NO_CONN)
			offline++;
		else if (rc != MOSQ_ERR_SUCCESS && !failed++)
			first_rc = rc;
	}
	if (offline)
		tl_info("%lu ack(s) kept until the broker is back (not connected)", offline);
	if (failed)
		tl_warn("%lu ack(s) not sent (%s); their readers will resend", failed,
		        mosquitto_strerror(first_rc));
}
