/* test_token.c - card tokens (the protocol's test vector), UIDs, keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "protocol.h"
#include "token.h"

static void test_vector(void **state)
{
	uint8_t key[TL_KEY_LEN], uid[TL_UID_MAX];
	size_t n;
	char tok[TL_TOKEN_LEN + 1];
	(void)state;
	for (int i = 0; i < TL_KEY_LEN; i++)
		key[i] = (uint8_t)i;
	assert_int_equal(tl_uid_parse("04:A2:2B:6A:3C:5E:80", uid, &n), 0);
	assert_int_equal(n, 7);
	assert_int_equal(tl_token_compute(key, uid, n, tok), 0);
	/* docs/protocol.md, "The card token" */
	assert_string_equal(tok, "6b4f932b264667447ba8ccd5ce746170");
	assert_true(tl_token_valid(tok));
}

static void test_uid_parse(void **state)
{
	uint8_t uid[TL_UID_MAX];
	size_t n;
	(void)state;
	assert_int_equal(tl_uid_parse("04a1b2c3", uid, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(tl_uid_parse("04 a1 b2 c3 d4 e5 f6 07 08 09", uid, &n), 0);
	assert_int_equal(n, 10);
	assert_int_equal(tl_uid_parse("04a1b2", uid, &n), -1);     /* 3 bytes */
	assert_int_equal(tl_uid_parse("04a1b2c3d", uid, &n), -1);  /* odd digit */
	assert_int_equal(tl_uid_parse("04a1b2cg", uid, &n), -1);
	assert_int_equal(tl_uid_parse("04a1b2c3d4e5f60708090a", uid, &n), -1); /* 11 */
	assert_int_equal(tl_uid_parse("", uid, &n), -1);
}

static void test_keyfile(void **state)
{
	char path[] = "/tmp/tl-key-test.XXXXXX", err[256];
	uint8_t key[TL_KEY_LEN], again[TL_KEY_LEN];
	int fd = mkstemp(path);
	(void)state;
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	assert_int_equal(tl_key_generate(path, err, sizeof err), 0);
	assert_int_equal(tl_key_generate(path, err, sizeof err), -1);
	assert_non_null(strstr(err, "refusing to overwrite"));
	assert_int_equal(tl_key_load(path, key, err, sizeof err), 0);
	assert_int_equal(tl_key_load(path, again, err, sizeof err), 0);
	assert_memory_equal(key, again, sizeof key);
	chmod(path, 0640);
	assert_int_equal(tl_key_load(path, key, err, sizeof err), -1);
	assert_non_null(strstr(err, "must not be readable by group or others"));
	chmod(path, 0600);
	assert_int_equal(truncate(path, 10), 0);
	assert_int_equal(tl_key_load(path, key, err, sizeof err), -1);
	assert_non_null(strstr(err, "expected 64 hex digits"));
	unlink(path);
	assert_int_equal(tl_key_load(path, key, err, sizeof err), -1);
}

/* tl_random: fills exactly what it is asked to, differently each time,
 * and a buffer larger than one getrandom call may return. */
static void test_random(void **state)
{
	enum { BIG = 40 << 20 }; /* getrandom returns at most 32 MiB a call */
	uint8_t a[32], b[32], guard[40];
	uint8_t *big = malloc(BIG);
	size_t zeros = 0;
	(void)state;

	memset(guard, 0xa5, sizeof guard);
	assert_int_equal(tl_random(guard, 32), 0);
	for (int i = 32; i < 40; i++)
		assert_int_equal(guard[i], 0xa5);
	assert_int_equal(tl_random(a, sizeof a), 0);
	assert_int_equal(tl_random(b, sizeof b), 0);
	assert_memory_not_equal(a, b, sizeof a);
	assert_int_equal(tl_random(a, 0), 0);
	assert_non_null(big);
	memset(big, 0, BIG);
	assert_int_equal(tl_random(big, BIG), 0);
	for (size_t i = BIG - (1 << 20); i < BIG; i++) /* the tail: after the first call */
		zeros += big[i] == 0;
	assert_in_range(zeros, 3000, 5200); /* about 1 MiB / 256 = 4096 */
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector),
		cmocka_unit_test(test_uid_parse),
		cmocka_unit_test(test_keyfile),
		cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
