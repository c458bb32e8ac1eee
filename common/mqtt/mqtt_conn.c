/* mqtt_conn.c - the connection state machine of mqtt_conn.h.
 *
 * The thread runs mosquitto_loop itself (mosquitto_threaded_set: other
 * threads' publishes are queued and wake it), so it decides when to
 * connect again. Connects are non-blocking (mosquitto_connect_async), so
 * an unreachable host never holds up a stop; only the name lookup blocks.
 * Locks: call_lock is held only around mosquitto_connect_async and
 * mosquitto_disconnect, so the two never run at once; lock is a leaf,
 * taken by the hooks' callers (libmosquitto's callback mutex held) and by
 * any thread asking for the state, never held while libmosquitto is
 * called. */
#include "mqtt_conn.h"
#include "tl_time.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *tl_mqtt_state_name(enum tl_mqtt_state s)
{
	switch (s) {
	case TL_MQTT_CONNECTING:
		return "connecting";
	case TL_MQTT_CONNECTED:
		return "connected";
	case TL_MQTT_BACKOFF:
		return "waiting to reconnect";
	case TL_MQTT_STOPPED:
		break;
	}
	return "stopped";
}

/* Words for a libmosquitto result; errno for MOSQ_ERR_ERRNO. */
static void conn_reason(struct tl_mqtt_conn *c, int rc, int err)
{
	const char *why = rc == MOSQ_ERR_ERRNO ? strerror(err)
	                  : rc == MOSQ_ERR_TIMEOUT ? "no answer from the broker"
	                                           : mosquitto_strerror(rc);
	pthread_mutex_lock(&c->lock);
	snprintf(c->reason, sizeof c->reason, "%s", why);
	pthread_mutex_unlock(&c->lock);
}

static void conn_on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	struct tl_mqtt_conn *c = obj;
	int64_t now = tl_monotonic_ms();

	if (rc != 0) {
		/* libmosquitto closes the socket next: a failed attempt. */
		pthread_mutex_lock(&c->lock);
		snprintf(c->reason, sizeof c->reason, "refused: %s", mosquitto_connack_string(rc));
		pthread_mutex_unlock(&c->lock);
		return;
	}
	pthread_mutex_lock(&c->lock);
	c->got_connack = 1;
	c->connects++;
	if (c->attempts)
		tl_info("connected to broker %s:%d (connection %lu, after %lu failed attempt%s over "
		        "%.1f s)", c->host, c->port, c->connects, c->attempts,
		        c->attempts == 1 ? "" : "s", (double)(now - c->since_ms) / 1000);
	else
		tl_info("connected to broker %s:%d (connection %lu)", c->host, c->port, c->connects);
	c->attempts = 0;
	c->since_ms = now;
	c->delay_ms = TL_MQTT_BACKOFF_MIN_MS;
	c->reason[0] = '\0';
	pthread_mutex_unlock(&c->lock);
	c->state = TL_MQTT_CONNECTED;
	if (c->hooks.connected)
		c->hooks.connected(c->obj, mosq);
}

static void conn_on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *m)
{
	struct tl_mqtt_conn *c = obj;
	(void)mosq;
	if (c->hooks.message)
		c->hooks.message(c->obj, m);
}

static void conn_on_publish(struct mosquitto *mosq, void *obj, int mid)
{
	struct tl_mqtt_conn *c = obj;
	(void)mosq;
	if (c->hooks.published)
		c->hooks.published(c->obj, mid);
}

static void conn_on_subscribe(struct mosquitto *mosq, void *obj, int mid, int n,
                              const int *granted)
{
	struct tl_mqtt_conn *c = obj;
	(void)mosq;
	if (c->hooks.subscribed)
		c->hooks.subscribed(c->obj, mid, n, granted);
}

int tl_mqtt_conn_init(struct tl_mqtt_conn *c, const char *client_id, int clean_session,
                      const char *host, long port, long keepalive,
                      const struct tl_mqtt_hooks *hooks, void *obj)
{
	memset(c, 0, sizeof *c);
	snprintf(c->host, sizeof c->host, "%s", host);
	c->port = (int)port;
	c->keepalive = (int)keepalive;
	if (hooks)
		c->hooks = *hooks;
	c->obj = obj;
	c->state = TL_MQTT_STOPPED;
	c->delay_ms = TL_MQTT_BACKOFF_MIN_MS;
	pthread_mutex_init(&c->call_lock, NULL);
	pthread_mutex_init(&c->lock, NULL);
	{
		pthread_condattr_t ca;
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&c->wake, &ca);
		pthread_condattr_destroy(&ca);
	}
	mosquitto_lib_init();
	c->mosq = mosquitto_new(client_id, clean_session != 0, c);
	if (!c->mosq) {
		tl_error("cannot create MQTT client: %s", strerror(errno));
		mosquitto_lib_cleanup();
		return -1;
	}
	mosquitto_threaded_set(c->mosq, true);
	mosquitto_connect_callback_set(c->mosq, conn_on_connect);
	mosquitto_message_callback_set(c->mosq, conn_on_message);
	mosquitto_publish_callback_set(c->mosq, conn_on_publish);
	mosquitto_subscribe_callback_set(c->mosq, conn_on_subscribe);
	return 0;
}

/* Runs the loop until the connection or attempt ends, or stop. Returns
 * the libmosquitto result that ended it (MOSQ_ERR_TIMEOUT: no CONNACK). */
static int conn_run(struct tl_mqtt_conn *c, int64_t started)
{
	int64_t stop_by = 0;

	for (;;) {
		int connected = c->state == TL_MQTT_CONNECTED;
		int rc = mosquitto_loop(c->mosq, connected ? 1000 : 100, 1);
		int64_t now = tl_monotonic_ms();

		if (rc != MOSQ_ERR_SUCCESS)
			return rc;
		if (c->stop) {
			/* Connected: let the DISCONNECT (queued after everything
			 * published before it) go out; it closes the socket. */
			if (!connected)
				return MOSQ_ERR_SUCCESS;
			if (!stop_by)
				stop_by = now + 2000;
			else if (now > stop_by)
				return MOSQ_ERR_SUCCESS;
		}
		if (!connected && now - started > TL_MQTT_CONNECT_TIMEOUT_MS)
			return MOSQ_ERR_TIMEOUT;
	}
}

/* An attempt or a connection has ended: log it, choose the wait. */
static int64_t conn_ended(struct tl_mqtt_conn *c, int was_connected)
{
	int64_t now = tl_monotonic_ms(), wait;

	/* since_ms: when the connection was made, then when it was lost (or
	 * the program started); attempts count from there. */

	pthread_mutex_lock(&c->lock);
	wait = c->delay_ms;
	c->delay_ms = c->delay_ms * 2 < TL_MQTT_BACKOFF_MAX_MS ? c->delay_ms * 2
	                                                       : TL_MQTT_BACKOFF_MAX_MS;
	if (was_connected) {
		tl_warn("lost connection to broker %s:%d (%s) after %.0f s; reconnecting in %.1f s",
		        c->host, c->port, c->reason[0] ? c->reason : "closed",
		        (double)(now - c->since_ms) / 1000, (double)wait / 1000);
		c->since_ms = now;
		c->warned_ms = now;
	} else if (++c->attempts == 1) {
		c->warned_ms = now;
		tl_warn("cannot reach broker %s:%d (%s); trying again in %.1f s, then every %.0f s at "
		        "most", c->host, c->port, c->reason, (double)wait / 1000,
		        (double)TL_MQTT_BACKOFF_MAX_MS / 1000);
	} else if (now - c->warned_ms >= 60000) {
		c->warned_ms = now;
		tl_warn("still cannot reach broker %s:%d after %lu attempts over %.0f s (%s); trying "
		        "again in %.1f s", c->host, c->port, c->attempts,
		        (double)(now - c->since_ms) / 1000, c->reason, (double)wait / 1000);
	} else {
		tl_debug("attempt %lu to reach broker %s:%d failed (%s); next in %.1f s", c->attempts,
		         c->host, c->port, c->reason, (double)wait / 1000);
	}
	c->next_ms = now + wait;
	pthread_mutex_unlock(&c->lock);
	return wait;
}

/* Sleeps until the next attempt is due or stop. */
static void conn_backoff(struct tl_mqtt_conn *c, int64_t wait_ms)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&c->lock);
	while (!c->stop && pthread_cond_timedwait(&c->wake, &c->lock, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&c->lock);
}

static void *conn_thread(void *arg)
{
	struct tl_mqtt_conn *c = arg;

	while (!c->stop) {
		int64_t started = tl_monotonic_ms();
		int rc, err, was_connected;

		pthread_mutex_lock(&c->lock);
		c->got_connack = 0;
		c->reason[0] = '\0';
		pthread_mutex_unlock(&c->lock);
		c->state = TL_MQTT_CONNECTING;
		pthread_mutex_lock(&c->call_lock);
		rc = c->stop ? MOSQ_ERR_SUCCESS
		             : mosquitto_connect_async(c->mosq, c->host, c->port, c->keepalive);
		err = errno;
		pthread_mutex_unlock(&c->call_lock);
		if (rc == MOSQ_ERR_SUCCESS && !c->stop) {
			rc = conn_run(c, started);
			err = errno;
		}
		if (c->stop)
			break;
		pthread_mutex_lock(&c->lock);
		was_connected = c->got_connack;
		int have_reason = c->reason[0] != '\0';
		pthread_mutex_unlock(&c->lock);
		if (!have_reason)
			conn_reason(c, rc, err);
		c->state = TL_MQTT_BACKOFF;
		if (was_connected && c->hooks.lost)
			c->hooks.lost(c->obj);
		conn_backoff(c, conn_ended(c, was_connected));
	}
	if (c->state == TL_MQTT_CONNECTED && c->hooks.lost)
		c->hooks.lost(c->obj);
	c->state = TL_MQTT_STOPPED;
	return NULL;
}

int tl_mqtt_conn_start(struct tl_mqtt_conn *c)
{
	c->stop = 0;
	c->state = TL_MQTT_CONNECTING;
	c->since_ms = tl_monotonic_ms();
	tl_info("connecting to broker %s:%d (retrying every 0.5 s doubling to %.0f s while it "
	        "cannot be reached)", c->host, c->port, (double)TL_MQTT_BACKOFF_MAX_MS / 1000);
	if (pthread_create(&c->thread, NULL, conn_thread, c) != 0) {
		tl_error("cannot start the MQTT thread");
		c->state = TL_MQTT_STOPPED;
		return -1;
	}
	c->running = 1;
	return 0;
}

void tl_mqtt_conn_stop(struct tl_mqtt_conn *c)
{
	if (!c->running)
		return;
	pthread_mutex_lock(&c->call_lock);
	c->stop = 1;
	if (c->state == TL_MQTT_CONNECTED)
		mosquitto_disconnect(c->mosq);
	pthread_mutex_unlock(&c->call_lock);
	pthread_mutex_lock(&c->lock);
	pthread_cond_broadcast(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	c->running = 0;
}

void tl_mqtt_conn_destroy(struct tl_mqtt_conn *c)
{
	if (!c->mosq)
		return;
	tl_mqtt_conn_stop(c);
	mosquitto_destroy(c->mosq);
	c->mosq = NULL;
	mosquitto_lib_cleanup();
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->call_lock);
}

enum tl_mqtt_state tl_mqtt_conn_state(struct tl_mqtt_conn *c)
{
	return (enum tl_mqtt_state)c->state;
}

int tl_mqtt_conn_connected(struct tl_mqtt_conn *c)
{
	return c->state == TL_MQTT_CONNECTED;
}

int tl_mqtt_conn_wait(struct tl_mqtt_conn *c, long ms)
{
	struct timespec step = { 0, 10 * 1000 * 1000 };

	for (long waited = 0; !tl_mqtt_conn_connected(c); waited += 10) {
		if (waited >= ms)
			return -1;
		nanosleep(&step, NULL);
	}
	return 0;
}

unsigned long tl_mqtt_conn_connects(struct tl_mqtt_conn *c)
{
	unsigned long n;
	pthread_mutex_lock(&c->lock);
	n = c->connects;
	pthread_mutex_unlock(&c->lock);
	return n;
}

void tl_mqtt_conn_describe(struct tl_mqtt_conn *c, char *buf, size_t len)
{
	enum tl_mqtt_state s = tl_mqtt_conn_state(c);
	int64_t now = tl_monotonic_ms();

	pthread_mutex_lock(&c->lock);
	if (s == TL_MQTT_CONNECTED)
		snprintf(buf, len, "connected to %s:%d for %.0f s (connection %lu)", c->host, c->port,
		         (double)(now - c->since_ms) / 1000, c->connects);
	else if (s == TL_MQTT_STOPPED)
		snprintf(buf, len, "not connected to %s:%d (stopped)", c->host, c->port);
	else if (!c->attempts && !c->connects)
		snprintf(buf, len, "connecting to %s:%d", c->host, c->port);
	else if (!c->attempts)
		snprintf(buf, len, "not connected to %s:%d for %.0f s (lost: %s); reconnecting",
		         c->host, c->port, (double)(now - c->since_ms) / 1000, c->reason);
	else
		snprintf(buf, len, "not connected to %s:%d for %.0f s, %lu failed attempt%s%s%s; %s",
		         c->host, c->port, (double)(now - c->since_ms) / 1000, c->attempts,
		         c->attempts == 1 ? "" : "s", c->reason[0] ? ", last: " : "", c->reason,
		         s == TL_MQTT_CONNECTING ? "connecting now" : "waiting to retry");
	pthread_mutex_unlock(&c->lock);
}
