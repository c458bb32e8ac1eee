/* test_mqtt_conn.c - the connection state machine against a port where
 * nothing listens (backoff, stop) and a minimal broker of our own that
 * accepts one connection, then drops it (connect, lost, reconnect). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "mqtt_conn.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* A loopback listening socket on a free port (listening: backlog 4). */
static int listener(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	assert_int_equal(listen(fd, 4), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

struct counts {
	int connected, lost;
};

static void on_connected(void *obj, struct mosquitto *mosq)
{
	(void)mosq;
	((struct counts *)obj)->connected++;
}

static void on_lost(void *obj)
{
	((struct counts *)obj)->lost++;
}

static const struct tl_mqtt_hooks hooks = { .connected = on_connected, .lost = on_lost };

/* Nothing listens: attempts at 0, 0.5, 1.5 s (then 3.5 s), and a stop
 * in the middle of a wait returns at once. */
static void test_backoff_and_stop(void **state)
{
	struct tl_mqtt_conn c;
	struct counts k = { 0, 0 };
	char text[512];
	int port, fd = listener(&port);
	int64_t t;
	(void)state;

	close(fd); /* now nothing listens there */
	assert_int_equal(tl_mqtt_conn_init(&c, "test", 1, "127.0.0.1", port, 30, &hooks, &k), 0);
	assert_int_equal(tl_mqtt_conn_start(&c), 0);
	sleep_ms(1800);
	pthread_mutex_lock(&c.lock);
	assert_int_equal(c.attempts, 3);
	assert_int_equal(c.delay_ms, 4000);
	pthread_mutex_unlock(&c.lock);
	assert_int_equal(tl_mqtt_conn_state(&c), TL_MQTT_BACKOFF);
	tl_mqtt_conn_describe(&c, text, sizeof text);
	assert_non_null(strstr(text, "not connected to 127.0.0.1"));
	assert_non_null(strstr(text, "3 failed attempts"));
	assert_non_null(strstr(text, "Connection refused"));
	t = now_ms();
	tl_mqtt_conn_destroy(&c);
	assert_true(now_ms() - t < 300);
	assert_int_equal(k.connected, 0);
	assert_int_equal(k.lost, 0);
}

/* Accepts one client, answers its CONNECT with CONNACK (accepted). */
static int broker_accept(int lfd)
{
	static const unsigned char connack[] = { 0x20, 0x02, 0x00, 0x00 };
	unsigned char buf[512];
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int fd;

	assert_int_equal(poll(&p, 1, 5000), 1);
	fd = accept(lfd, NULL, NULL);
	assert_true(fd >= 0);
	p.fd = fd;
	assert_int_equal(poll(&p, 1, 5000), 1);
	assert_true(read(fd, buf, sizeof buf) > 0);
	assert_int_equal(buf[0], 0x10); /* CONNECT */
	assert_int_equal(write(fd, connack, sizeof connack), (ssize_t)sizeof connack);
	return fd;
}

/* Connected, the broker drops us, connected again 0.5 s later. */
static void test_connect_lose_reconnect(void **state)
{
	struct tl_mqtt_conn c;
	struct counts k = { 0, 0 };
	int port, lfd = listener(&port), fd;
	int64_t t;
	(void)state;

	assert_int_equal(tl_mqtt_conn_init(&c, "test", 1, "127.0.0.1", port, 30, &hooks, &k), 0);
	assert_int_equal(tl_mqtt_conn_start(&c), 0);
	fd = broker_accept(lfd);
	assert_int_equal(tl_mqtt_conn_wait(&c, 2000), 0);
	assert_int_equal(k.connected, 1);
	assert_int_equal(tl_mqtt_conn_connects(&c), 1);
	close(fd);
	t = now_ms();
	fd = broker_accept(lfd);
	/* Lost at once, tried again after the shortest wait. */
	assert_true(now_ms() - t >= 400 && now_ms() - t < 1500);
	assert_int_equal(tl_mqtt_conn_wait(&c, 2000), 0);
	assert_int_equal(k.lost, 1);
	assert_int_equal(k.connected, 2);
	assert_int_equal(tl_mqtt_conn_connects(&c), 2);
	tl_mqtt_conn_destroy(&c);
	assert_int_equal(k.lost, 2); /* the stop ends the second one */
	close(fd);
	close(lfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_and_stop),
		cmocka_unit_test(test_connect_lose_reconnect),
	};
	tl_log_init("test_mqtt_conn", TL_LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
