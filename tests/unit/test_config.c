/* test_config.c - one option table for INI files, flags and help. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"

static char host[32];
static long port;
static int verbose;

static const struct tl_option opts[] = {
	{ "mqtt", "host", TL_OPT_STR, host, sizeof host, 0, 0, "HOST", "broker" },
	{ "mqtt", "port", TL_OPT_INT, &port, 0, 1, 65535, "PORT", "port" },
	{ "log", "verbose", TL_OPT_BOOL, &verbose, 0, 0, 0, NULL, "chatty" },
	TL_OPT_END,
};

static void reset(void)
{
	strcpy(host, "localhost");
	port = 1883;
	verbose = 0;
}

/* Writes text to a temporary INI file and returns its path. */
static const char *ini(const char *text)
{
	static char path[64];
	FILE *f;
	strcpy(path, "/tmp/tl-config-test.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static enum tl_parse_result parse(int argc, char **argv, int *first, char *err)
{
	reset();
	return tl_options_parse(opts, argc, argv, first, err, 256);
}

static void test_flags(void **state)
{
	char err[256];
	int first;
	char *argv[] = { "prog", "--host", "broker.example", "--port=8883", "--verbose", "keygen", "k" };
	(void)state;
	assert_int_equal(parse(7, argv, &first, err), TL_PARSE_OK);
	assert_string_equal(host, "broker.example");
	assert_int_equal(port, 8883);
	assert_int_equal(verbose, 1);
	assert_int_equal(first, 5);
}

static void test_flag_errors(void **state)
{
	char err[256];
	int first;
	char *a1[] = { "prog", "--port", "0" };
	char *a2[] = { "prog", "--port", "80x" };
	char *a3[] = { "prog", "--nope" };
	char *a4[] = { "prog", "--host" };
	char *a5[] = { "prog", "--host", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
	char *a6[] = { "prog", "--verbose=maybe" };
	char *a7[] = { "prog", "--help" };
	(void)state;
	assert_int_equal(parse(3, a1, &first, err), TL_PARSE_ERROR);
	assert_non_null(strstr(err, "from 1 to 65535"));
	assert_int_equal(parse(3, a2, &first, err), TL_PARSE_ERROR);
	assert_int_equal(parse(2, a3, &first, err), TL_PARSE_ERROR);
	assert_non_null(strstr(err, "unknown option '--nope'"));
	assert_int_equal(parse(2, a4, &first, err), TL_PARSE_ERROR);
	assert_non_null(strstr(err, "needs a value"));
	assert_int_equal(parse(3, a5, &first, err), TL_PARSE_ERROR);
	assert_non_null(strstr(err, "too long"));
	assert_int_equal(parse(2, a6, &first, err), TL_PARSE_ERROR);
	assert_int_equal(parse(2, a7, &first, err), TL_PARSE_HELP);
}

static void test_file_then_flags(void **state)
{
	char err[256];
	int first;
	const char *path = ini("; comment\n[mqtt]\nhost = central\nport = 1884\n[log]\nverbose = yes\n");
	char *argv[] = { "prog", "--port", "1885", "--config", (char *)path };
	(void)state;
	assert_int_equal(parse(5, argv, &first, err), TL_PARSE_OK);
	assert_string_equal(host, "central");
	assert_int_equal(port, 1885); /* the flag wins, even before --config */
	assert_int_equal(verbose, 1);
	unlink(path);
}

static void test_file_errors(void **state)
{
	char err[256];
	int first;
	const char *p1 = ini("[mqtt]\nhost = a\nbogus = 1\n");
	const char *p2;
	char *a1[] = { "prog", "--config", (char *)p1 };
	char *a3[] = { "prog", "--config", "/nonexistent/touchline.ini" };
	(void)state;
	assert_int_equal(parse(3, a1, &first, err), TL_PARSE_ERROR);
	assert_non_null(strstr(err, ":3: unknown setting [mqtt] bogus"));
	unlink(p1);
	p2 = ini("[log]\nhost = a\n"); /* right key, wrong section */
	char *a2[] = { "prog", "--config", (char *)p2 };
	assert_int_equal(parse(3, a2, &first, err), TL_PARSE_ERROR);
	unlink(p2);
	p2 = ini("[mqtt\nport = 1\n");
	a2[2] = (char *)p2;
	assert_int_equal(parse(3, a2, &first, err), TL_PARSE_ERROR);
	unlink(p2);
	p2 = ini("[mqtt]\nport = 99999\n");
	a2[2] = (char *)p2;
	assert_int_equal(parse(3, a2, &first, err), TL_PARSE_ERROR);
	assert_non_null(strstr(err, ":2:"));
	unlink(p2);
	assert_int_equal(parse(3, a3, &first, err), TL_PARSE_ERROR);
	assert_non_null(strstr(err, "cannot open"));
}

static void test_args_positional(void **state)
{
	char err[256], *pos[2];
	int n;
	char *argv[] = { "burnley", "--host", "x", "pitch-1" };
	char *extra[] = { "a", "b", "c" };
	(void)state;
	reset();
	assert_int_equal(tl_args_parse(opts, 4, argv, pos, 2, &n, err, sizeof err), TL_PARSE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(pos[0], "burnley");
	assert_string_equal(pos[1], "pitch-1");
	assert_string_equal(host, "x");
	assert_int_equal(tl_args_parse(opts, 3, extra, pos, 2, &n, err, sizeof err), TL_PARSE_ERROR);
	assert_non_null(strstr(err, "unexpected argument 'c'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_flag_errors),
		cmocka_unit_test(test_file_then_flags),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_args_positional),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
