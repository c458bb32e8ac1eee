/* mqtt_conn.h - the one MQTT connection of every Touchline program that
 * talks to a broker (collector, bridge, bench tools).
 *
 * A thread of our own runs libmosquitto's loop and the connection's state
 * machine:
 *
 *     CONNECTING --CONNACK accepted--> CONNECTED --lost--> BACKOFF
 *         |                                                  |
 *         +--refused, unreachable, no CONNACK in 10 s--> BACKOFF
 *     BACKOFF --wait over--> CONNECTING        any state --stop--> STOPPED
 *
 * The wait before the next attempt starts at 0.5 s and doubles to 10 s
 * while attempts fail; a connection that reaches CONNECTED resets it. So
 * a program started before its broker, or whose broker restarts, is
 * connected at most 10 s (plus the connect itself) after the broker is
 * back, whatever the order things started in. Every change of state is
 * logged; tl_mqtt_conn_describe gives the state in words for a status.
 *
 * libmosquitto's own reconnection (mosquitto_loop_start/_forever) is not
 * used: its thread ends for good after a failed first connect. */
#ifndef TL_MQTT_CONN_H
#define TL_MQTT_CONN_H

#include <mosquitto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define TL_MQTT_BACKOFF_MIN_MS 500
#define TL_MQTT_BACKOFF_MAX_MS 10000
/* An attempt with no CONNACK after this long has failed. */
#define TL_MQTT_CONNECT_TIMEOUT_MS 10000

enum tl_mqtt_state {
	TL_MQTT_CONNECTING,
	TL_MQTT_CONNECTED,
	TL_MQTT_BACKOFF,
	TL_MQTT_STOPPED,
};

/* The program's side. Every hook runs on the connection's thread, with
 * libmosquitto's callback mutex held: a hook may call mosquitto_subscribe
 * or mosquitto_publish, and may take locks that are never held while
 * libmosquitto is called. Any hook may be NULL. */
struct tl_mqtt_hooks {
	/* CONNACK accepted: subscribe here (every time: after a broker
	 * restart a session may be gone). */
	void (*connected)(void *obj, struct mosquitto *mosq);
	/* A connection that had reached CONNECTED has ended. */
	void (*lost)(void *obj);
	void (*message)(void *obj, const struct mosquitto_message *msg);
	void (*published)(void *obj, int mid);
	void (*subscribed)(void *obj, int mid, int n, const int *granted);
};

struct tl_mqtt_conn {
	struct mosquitto *mosq; /* set options, TLS and the will on it before start */

	/* The rest is the connection's own. */
	char host[256];
	int port, keepalive;
	struct tl_mqtt_hooks hooks;
	void *obj;
	pthread_t thread;
	int running;
	atomic_int state;
	atomic_int stop;
	pthread_mutex_t call_lock; /* connect and disconnect never overlap */
	pthread_mutex_t lock;      /* a leaf: libmosquitto is never called with it held */
	pthread_cond_t wake;
	/* Under lock: */
	int got_connack;           /* in the current attempt */
	char reason[160];          /* why the last attempt or connection ended */
	long delay_ms;             /* the next wait */
	unsigned long connects;    /* connections made, ever */
	unsigned long attempts;    /* failed attempts since the last connection */
	int64_t since_ms;          /* monotonic: connected, or first failed, at */
	int64_t next_ms;           /* monotonic: next attempt at (BACKOFF) */
	int64_t warned_ms;         /* last "still cannot reach" line */
};

/* Creates the client (mosquitto_new with c as its user data: the hooks
 * get obj instead) without connecting. 0, or -1 (logged). */
int tl_mqtt_conn_init(struct tl_mqtt_conn *c, const char *client_id, int clean_session,
                      const char *host, long port, long keepalive,
                      const struct tl_mqtt_hooks *hooks, void *obj);
/* Starts the thread, which connects and stays connected until stop. */
int tl_mqtt_conn_start(struct tl_mqtt_conn *c);
/* Sends DISCONNECT after whatever was published before (when connected),
 * and ends the thread. */
void tl_mqtt_conn_stop(struct tl_mqtt_conn *c);
/* Stops if needed and frees the client. */
void tl_mqtt_conn_destroy(struct tl_mqtt_conn *c);

enum tl_mqtt_state tl_mqtt_conn_state(struct tl_mqtt_conn *c);
int tl_mqtt_conn_connected(struct tl_mqtt_conn *c);
/* Waits up to ms for CONNECTED; 0 once connected, -1 on time-out. */
int tl_mqtt_conn_wait(struct tl_mqtt_conn *c, long ms);
/* Connections made since start (1 after the first, 2 after a reconnect). */
unsigned long tl_mqtt_conn_connects(struct tl_mqtt_conn *c);
/* One line for a status or log, e.g. "connected to 127.0.0.1:1883 for
 * 12 s (connection 2)" or "not connected to 127.0.0.1:1883 for 25 s, 7
 * attempts, last: Connection refused; next in 10.0 s". */
void tl_mqtt_conn_describe(struct tl_mqtt_conn *c, char *buf, size_t len);
const char *tl_mqtt_state_name(enum tl_mqtt_state s);

#endif
