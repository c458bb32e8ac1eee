/* mqtt.c - the collector's MQTT side, on libmosquitto's threaded loop.
 *
 * Persistent session (fixed client id, clean session off), so the broker
 * queues taps for us while we are away. on_message only copies the message
 * into the queue: the broker has had its PUBACK by then, so the guarantee
 * that nothing is lost is the end-to-end ack that the writer publishes
 * after COMMIT (docs/protocol.md, "Delivery"). */
#include "collector.h"
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void mqtt_on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	struct collector *c = obj;
	char tap[256], status[256];

	if (rc != 0) {
		tl_error("broker refused connection: %s", mosquitto_connack_string(rc));
		return;
	}
	snprintf(tap, sizeof tap, "%s/+/+/tap", c->cfg.prefix);
	snprintf(status, sizeof status, "%s/+/+/status", c->cfg.prefix);
	char *subs[] = { tap, status };
	rc = mosquitto_subscribe_multiple(mosq, NULL, 2, subs, 1, 0, NULL);
	if (rc != MOSQ_ERR_SUCCESS)
		tl_error("subscribe failed: %s", mosquitto_strerror(rc));
	else
		tl_info("connected to %s:%ld, subscribed to %s and %s", c->cfg.host, c->cfg.port,
		        tap, status);
}

static void mqtt_on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
	(void)mosq;
	(void)obj;
	if (rc != 0)
		tl_warn("lost connection to broker (%s); reconnecting", mosquitto_strerror(rc));
}

static void mqtt_on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
	struct collector *c = obj;
	(void)mosq;
	if (queue_push(&c->queue, msg->topic, msg->payload, (size_t)msg->payloadlen,
	               (int64_t)time(NULL)) != 0)
		tl_error("out of memory: message on %s not queued; its reader will resend",
		         msg->topic);
}

int mqtt_start(struct collector *c)
{
	char err[512];
	int rc;

	mosquitto_lib_init();
	c->mosq = mosquitto_new(c->cfg.client_id, false, c);
	if (!c->mosq) {
		tl_error("cannot create MQTT client");
		return -1;
	}
	if (tl_mqtt_auth_apply(c->mosq, &c->cfg.auth, c->cfg.host, err, sizeof err)) {
		tl_error("%s", err);
		return -1;
	}
	mosquitto_connect_callback_set(c->mosq, mqtt_on_connect);
	mosquitto_disconnect_callback_set(c->mosq, mqtt_on_disconnect);
	mosquitto_message_callback_set(c->mosq, mqtt_on_message);
	mosquitto_reconnect_delay_set(c->mosq, 1, 30, true);
	/* Ack publishes are QoS 1: let many be in flight at once. */
	mosquitto_max_inflight_messages_set(c->mosq, 0);
	/* Taps and acks are tiny: send each at once, not after Nagle's wait. */
	mosquitto_int_option(c->mosq, MOSQ_OPT_TCP_NODELAY, 1);
	rc = mosquitto_connect_async(c->mosq, c->cfg.host, (int)c->cfg.port, (int)c->cfg.keepalive);
	if (rc != MOSQ_ERR_SUCCESS)
		tl_warn("cannot reach broker %s:%ld yet (%s); will keep trying", c->cfg.host,
		        c->cfg.port, mosquitto_strerror(rc));
	rc = mosquitto_loop_start(c->mosq);
	if (rc != MOSQ_ERR_SUCCESS) {
		tl_error("cannot start MQTT thread: %s", mosquitto_strerror(rc));
		return -1;
	}
	return 0;
}

void mqtt_stop(struct collector *c)
{
	if (!c->mosq)
		return;
	queue_unbound(&c->queue);
	mosquitto_disconnect(c->mosq);
	mosquitto_loop_stop(c->mosq, false);
	mosquitto_destroy(c->mosq);
	c->mosq = NULL;
	mosquitto_lib_cleanup();
}

/* Publishes the acks of a committed batch. A failed publish is logged and
 * not retried: the reader resends the tap and gets "duplicate". */
void mqtt_publish_acks(struct collector *c, struct msg *batch)
{
	for (struct msg *m = batch; m; m = m->next) {
		int rc;
		if (!m->send_ack)
			continue;
		rc = mosquitto_publish(c->mosq, NULL, m->ack_topic, (int)strlen(m->ack), m->ack, 1,
		                       false);
		if (rc != MOSQ_ERR_SUCCESS)
			tl_warn("ack on %s not sent (%s); the reader will resend", m->ack_topic,
			        mosquitto_strerror(rc));
	}
}
