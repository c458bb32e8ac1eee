/* mqtt.c - the bridge's MQTT side, on the shared connection
 * (common/mqtt_conn.h): connects whatever was started first, and again
 * after every broker restart or uplink cut.
 *
 * Persistent session (client id touchline-bridge-<site>-<reader>, clean
 * session off) subscribed at QoS 1 to our own ack topic, so acks published
 * while we are away wait at the broker. Retained status "online" on
 * connect, Last Will "offline". Hooks run on the network thread: they
 * only queue acks and flip flags for the main thread (main.c). */
#include "bridge.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MQTT_OFFLINE_WAIT_MS 2000

static const char mqtt_will[] = "{\"v\":1,\"state\":\"offline\"}";

/* Taps spooled under another site or reader id (the configuration was
 * changed with taps still unsent) are sent as they were recorded; listen
 * for their acks too, or they would be resent for ever. */
void mqtt_subscribe_others(struct bridge *b)
{
	sqlite3_stmt *st;
	char topic[256];

	if (sqlite3_prepare_v2(b->spool.db, "SELECT DISTINCT site, reader FROM tap", -1, &st,
	                       NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *site = (const char *)sqlite3_column_text(st, 0);
		const char *reader = (const char *)sqlite3_column_text(st, 1);
		if (tl_topic_build(topic, sizeof topic, b->cfg.prefix, site, reader,
		                   TL_KIND_ACK) < 0 ||
		    strcmp(topic, b->ack_topic) == 0)
			continue;
		tl_warn("the spool holds taps recorded as %s/%s; sending them as such", site, reader);
		mosquitto_subscribe(b->mosq, NULL, topic, 1);
	}
	sqlite3_finalize(st);
}

/* (Re)connected: listen for acks, and have the main thread publish
 * "online" and resend everything unacknowledged. */
static void mqtt_connected(void *obj, struct mosquitto *mosq)
{
	struct bridge *b = obj;
	int rc = mosquitto_subscribe(mosq, NULL, b->ack_topic, 1);

	if (rc != MOSQ_ERR_SUCCESS)
		tl_error("subscribe to %s failed: %s", b->ack_topic, mosquitto_strerror(rc));
	else
		tl_info("subscribed to %s", b->ack_topic);
	b->connected = 1;
	b->status_dirty = 1;
	pthread_mutex_lock(&b->ev_lock);
	b->reconnected = 1;
	b->ev_pending = 1;
	pthread_cond_signal(&b->ev_wake);
	pthread_mutex_unlock(&b->ev_lock);
}

/* A refused subscription (an ACL without our ack topic) would mean no ack
 * ever arrives and every tap is resent for ever: say so loudly. */
static void mqtt_on_subscribe(void *obj, int mid, int n, const int *granted)
{
	(void)obj;
	(void)mid;
	for (int i = 0; i < n; i++)
		if (granted[i] == 0x80)
			tl_error("the broker refused our ack subscription (check its ACL): no tap "
			         "can be acknowledged, all stay spooled");
}

/* Offline from now: taps are spooled and told "stored offline" at once. */
static void mqtt_lost(void *obj)
{
	struct bridge *b = obj;
	b->connected = 0;
}

/* Queues a well-formed ack for the main thread; anything else is logged. */
static void mqtt_on_message(void *obj, const struct mosquitto_message *msg)
{
	struct bridge *b = obj;
	struct ack_item *a;
	enum tl_reason r;

	struct tl_topic t;
	if (tl_topic_parse(b->cfg.prefix, msg->topic, &t) != TL_OK || t.kind != TL_KIND_ACK) {
		tl_debug("ignoring message on %s", msg->topic);
		return;
	}
	a = calloc(1, sizeof *a);
	if (!a) {
		tl_error("out of memory: ack dropped; the tap will be resent");
		return;
	}
	r = tl_ack_decode(msg->payload, (size_t)msg->payloadlen, &a->ack);
	if (r != TL_OK) {
		tl_warn("bad ack on %s: %s", msg->topic, tl_reason_name(r));
		free(a);
		return;
	}
	pthread_mutex_lock(&b->ev_lock);
	*b->acks_tail = a;
	b->acks_tail = &a->next;
	b->ev_pending = 1;
	pthread_cond_signal(&b->ev_wake);
	pthread_mutex_unlock(&b->ev_lock);
}

/* Notes which messages the broker has taken, so that mqtt_stop can wait
 * for the clean-exit "offline" status. */
static void mqtt_on_publish(void *obj, int mid)
{
	struct bridge *b = obj;
	pthread_mutex_lock(&b->ev_lock);
	b->published[b->npublished++ % 8] = mid;
	pthread_mutex_unlock(&b->ev_lock);
}

/* True once the broker has acknowledged message mid (seen lately). */
static int mqtt_was_published(struct bridge *b, int mid)
{
	int found = 0;
	pthread_mutex_lock(&b->ev_lock);
	for (unsigned i = 0; i < 8 && i < b->npublished; i++)
		found |= b->published[i] == mid;
	pthread_mutex_unlock(&b->ev_lock);
	return found;
}

/* Creates the client (persistent session, Last Will) and its thread. */
int mqtt_start(struct bridge *b)
{
	static const struct tl_mqtt_hooks hooks = {
		.connected = mqtt_connected,
		.lost = mqtt_lost,
		.message = mqtt_on_message,
		.published = mqtt_on_publish,
		.subscribed = mqtt_on_subscribe,
	};
	char client_id[128], err[512];
	int rc;

	snprintf(client_id, sizeof client_id, "touchline-bridge-%s-%s", b->cfg.site, b->cfg.id);
	if (tl_mqtt_conn_init(&b->conn, client_id, 0, b->cfg.host, b->cfg.port, b->cfg.keepalive,
	                      &hooks, b))
		return -1;
	b->mosq = b->conn.mosq;
	if (tl_mqtt_auth_apply(b->mosq, &b->cfg.auth, b->cfg.host, err, sizeof err)) {
		tl_error("%s", err);
		goto fail;
	}
	mosquitto_max_inflight_messages_set(b->mosq, 0);
	/* Taps and acks are tiny: send each at once, not after Nagle's wait. */
	mosquitto_int_option(b->mosq, MOSQ_OPT_TCP_NODELAY, 1);
	rc = mosquitto_will_set(b->mosq, b->status_topic, (int)strlen(mqtt_will), mqtt_will, 1, true);
	if (rc != MOSQ_ERR_SUCCESS) {
		tl_error("cannot set last will: %s", mosquitto_strerror(rc));
		goto fail;
	}
	if (tl_mqtt_conn_start(&b->conn) == 0)
		return 0;
fail:
	tl_mqtt_conn_destroy(&b->conn);
	b->mosq = NULL;
	return -1;
}

/* Sends the clean-exit "offline" (a clean disconnect does not fire the
 * Last Will) and waits up to MQTT_OFFLINE_WAIT_MS for the broker to have
 * it. Called after b->stop is set. */
void mqtt_stop(struct bridge *b)
{
	if (!b->mosq)
		return;
	int mid = 0;
	if (b->connected && mqtt_publish_status(b, 0, &mid) == 0) {
		for (int i = 0; i < MQTT_OFFLINE_WAIT_MS / 20; i++) {
			struct timespec ts = { 0, 20 * 1000 * 1000 };
			if (mqtt_was_published(b, mid) || !b->connected)
				break;
			nanosleep(&ts, NULL);
		}
	}
	tl_mqtt_conn_destroy(&b->conn);
	b->mosq = NULL;
}

/* Hands one tap to libmosquitto at QoS 1; the spool keeps it until the
 * collector's ack, whatever the MQTT layer says. */
int mqtt_publish_tap(struct bridge *b, const struct tl_tap *tap)
{
	char topic[256], payload[TL_MAX_PAYLOAD];
	int n, rc;

	if (tl_topic_build(topic, sizeof topic, b->cfg.prefix, tap->site, tap->reader,
	                   TL_KIND_TAP) < 0 ||
	    (n = tl_tap_encode(tap, payload, sizeof payload)) < 0)
		return -1;
	rc = mosquitto_publish(b->mosq, NULL, topic, n, payload, 1, false);
	if (rc != MOSQ_ERR_SUCCESS) {
		tl_debug("tap %s not published (%s); it stays spooled", tap->id,
		         mosquitto_strerror(rc));
		return -1;
	}
	return 0;
}

/* Status = the protocol's fields plus ours (unknown fields are ignored by
 * the collector): the reader fault and how many taps the bound dropped.
 * "online" is sent with b->lock held (main loop), "offline" without it
 * (mqtt_stop, once the reader thread is gone). */
int mqtt_publish_status(struct bridge *b, int online, int *mid)
{
	struct tl_status st;
	char payload[TL_MAX_PAYLOAD], extra[400];
	int n, rc;

	memset(&st, 0, sizeof st);
	st.state = online ? TL_STATE_ONLINE : TL_STATE_OFFLINE;
	st.ts = (int64_t)time(NULL);
	st.spooled = spool_count(&b->spool);
	snprintf(st.version, sizeof st.version, "%s", TOUCHLINE_VERSION);
	n = tl_status_encode(&st, payload, sizeof payload);
	if (n < 2)
		return -1;
	/* The fault text comes from libnfc or us: keep it JSON-safe. */
	char fault[sizeof b->fault];
	size_t j = 0;
	for (size_t i = 0; b->fault[i] && j + 1 < sizeof fault; i++) {
		unsigned char c = (unsigned char)b->fault[i];
		fault[j++] = (c < 0x20 || c == '"' || c == '\\' || c > 0x7e) ? ' ' : (char)c;
	}
	fault[j] = '\0';
	snprintf(extra, sizeof extra,
	         ",\"reader_ok\":%s%s%s%s,\"dropped\":%lld,\"spool_errors\":%ld,"
	         "\"resend_s\":%lld,\"connects\":%lu}",
	         fault[0] ? "false" : "true", fault[0] ? ",\"fault\":\"" : "", fault,
	         fault[0] ? "\"" : "", (long long)b->spool.dropped, b->spool_errors,
	         (long long)(b->resend_ms / 1000), tl_mqtt_conn_connects(&b->conn));
	if ((size_t)n - 1 + strlen(extra) >= sizeof payload)
		return -1;
	memcpy(payload + n - 1, extra, strlen(extra) + 1);
	n = (int)strlen(payload);
	rc = mosquitto_publish(b->mosq, mid, b->status_topic, n, payload, 1, true);
	if (rc != MOSQ_ERR_SUCCESS) {
		tl_debug("status not published: %s", mosquitto_strerror(rc));
		return -1;
	}
	return 0;
}
