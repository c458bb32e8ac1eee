/* test_bridge_spool.c - the bridge's spool: seq that survives restarts,
 * ack removal, oldest-first resend order, in-flight counting, and the
 * bound's policy (same-day repeats first, then the oldest, counted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "bridge.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char spool_path[256];

static int setup(void **state)
{
	(void)state;
	snprintf(spool_path, sizeof spool_path, "/tmp/tl-spool-test-%d.db", (int)getpid());
	unlink(spool_path);
	tl_log_init("test", TL_LOG_ERROR);
	return 0;
}

static int teardown(void **state)
{
	char p[300];
	(void)state;
	unlink(spool_path);
	snprintf(p, sizeof p, "%s-wal", spool_path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", spool_path);
	unlink(p);
	return 0;
}

/* A tap of card c (one letter, repeated) at time ts. */
static struct tl_tap mk(const char *id, char c, int64_t ts)
{
	struct tl_tap t;
	memset(&t, 0, sizeof t);
	snprintf(t.id, sizeof t.id, "%s", id);
	snprintf(t.site, sizeof t.site, "burnley");
	snprintf(t.reader, sizeof t.reader, "pitch-1");
	memset(t.card, c, TL_TOKEN_LEN);
	t.ts = ts;
	return t;
}

static void add(struct spool *s, const char *id, char c, int64_t ts, enum spool_evict expect,
                const char *victim)
{
	struct tl_tap t = mk(id, c, ts), v;
	enum spool_evict e;
	assert_int_equal(spool_add(s, &t, &e, &v), 0);
	assert_int_equal(e, expect);
	if (victim)
		assert_string_equal(v.id, victim);
}

static void test_seq_persists(void **state)
{
	struct spool s;
	struct stat sb;
	(void)state;

	assert_int_equal(spool_open(&s, spool_path, 100), 0);
	assert_int_equal(stat(spool_path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	add(&s, "a", 'a', 1000, SPOOL_KEPT_ALL, NULL);
	add(&s, "b", 'b', 1001, SPOOL_KEPT_ALL, NULL);
	assert_int_equal(spool_count(&s), 2);
	assert_int_equal(spool_remove(&s, "a"), 1);
	assert_int_equal(spool_remove(&s, "a"), 0);
	spool_close(&s);

	assert_int_equal(spool_open(&s, spool_path, 100), 0);
	assert_int_equal(spool_count(&s), 1);
	struct tl_tap t = mk("c", 'c', 1002);
	enum spool_evict e;
	assert_int_equal(spool_add(&s, &t, &e, &t), 0);
	assert_int_equal(t.seq, 3); /* never reused, even after a restart */
	spool_close(&s);
}

static void test_due_order_and_inflight(void **state)
{
	struct spool s;
	struct tl_tap due[10];
	(void)state;

	assert_int_equal(spool_open(&s, spool_path, 100), 0);
	add(&s, "a", 'a', 1000, SPOOL_KEPT_ALL, NULL);
	add(&s, "b", 'b', 1001, SPOOL_KEPT_ALL, NULL);
	add(&s, "c", 'c', 1002, SPOOL_KEPT_ALL, NULL);
	assert_int_equal(spool_due(&s, 500, due, 10), 3);
	assert_string_equal(due[0].id, "a");
	assert_string_equal(due[2].id, "c");
	assert_int_equal(spool_mark_sent(&s, "a", 1000), 0);
	assert_int_equal(spool_inflight(&s, 900), 1);
	assert_int_equal(spool_due(&s, 500, due, 10), 2); /* a is in flight */
	assert_string_equal(due[0].id, "b");
	assert_int_equal(spool_due(&s, 1000, due, 1), 1); /* a is due again: oldest */
	assert_string_equal(due[0].id, "a");
	spool_close(&s);
	/* A restart forgets send times. */
	assert_int_equal(spool_open(&s, spool_path, 100), 0);
	assert_int_equal(spool_inflight(&s, 0), 0);
	spool_close(&s);
}

static void test_bound_policy(void **state)
{
	struct spool s;
	(void)state;

	assert_int_equal(spool_open(&s, spool_path, 3), 0);
	add(&s, "a1", 'a', 86400 * 10 + 100, SPOOL_KEPT_ALL, NULL);
	add(&s, "b1", 'b', 86400 * 10 + 200, SPOOL_KEPT_ALL, NULL);
	add(&s, "a2", 'a', 86400 * 10 + 300, SPOOL_KEPT_ALL, NULL);
	/* Full: a2 repeats a1 the same day, so it goes, not the oldest. */
	add(&s, "c1", 'c', 86400 * 10 + 400, SPOOL_EVICT_REPEAT, "a2");
	assert_int_equal(spool_count(&s), 3);
	/* No repeats left: the oldest goes. */
	add(&s, "d1", 'd', 86400 * 10 + 500, SPOOL_EVICT_OLDEST, "a1");
	/* The same card on another day is not a repeat. */
	add(&s, "b2", 'b', 86400 * 11 + 10, SPOOL_EVICT_OLDEST, "b1");
	assert_int_equal(s.dropped, 3);
	spool_close(&s);
	assert_int_equal(spool_open(&s, spool_path, 3), 0);
	assert_int_equal(s.dropped, 3);
	assert_int_equal(spool_count(&s), 3);
	spool_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_seq_persists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_due_order_and_inflight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bound_policy, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
