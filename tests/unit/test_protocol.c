/* test_protocol.c - wire protocol v1: topics, taps, acks, status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "protocol.h"

#define NOW 1772561112 /* 2026-03-03T18:05:12Z */

static const char good_tap[] =
	"{\"v\":1,\"id\":\"6f1c2a3b-1d2e-4f3a-8b4c-5d6e7f8a9b0c\",\"site\":\"burnley\","
	"\"reader\":\"pitch-1\",\"card\":\"0123456789abcdef0123456789abcdef\","
	"\"ts\":\"2026-03-03T18:05:12Z\",\"seq\":1234}";

static struct tl_topic topic_of(const char *s)
{
	struct tl_topic t;
	assert_int_equal(tl_topic_parse(TL_DEFAULT_PREFIX, s, &t), TL_OK);
	return t;
}

static void test_topic_parse(void **state)
{
	struct tl_topic t;
	(void)state;
	t = topic_of("touchline/v1/burnley/pitch-1/tap");
	assert_string_equal(t.site, "burnley");
	assert_string_equal(t.reader, "pitch-1");
	assert_int_equal(t.kind, TL_KIND_TAP);
	assert_int_equal(topic_of("touchline/v1/a/b/status").kind, TL_KIND_STATUS);
	static const char *const bad[] = {
		"touchline/v1/burnley/pitch-1",         "touchline/v1/burnley/pitch-1/tap/x",
		"touchline/v2/burnley/pitch-1/tap",     "touchline/v1//pitch-1/tap",
		"touchline/v1/Burnley/pitch-1/tap",     "touchline/v1/burnley/pitch_1/tap",
		"touchline/v1/burnley/pitch-1/taps",    "touchline/v1",
		"touchline/v1/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/r/tap", /* 33 chars */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(tl_topic_parse(TL_DEFAULT_PREFIX, bad[i], &t), TL_R_BAD_TOPIC);
	/* A prefix with several levels. */
	assert_int_equal(tl_topic_parse("org/x/touchline", "org/x/touchline/s/r/ack", &t), TL_OK);
	assert_int_equal(t.kind, TL_KIND_ACK);
}

static void test_topic_build(void **state)
{
	char buf[64], small[10];
	(void)state;
	assert_int_equal(tl_topic_build(buf, sizeof buf, "touchline/v1", "s", "r", TL_KIND_ACK), 20);
	assert_string_equal(buf, "touchline/v1/s/r/ack");
	assert_int_equal(tl_topic_build(small, sizeof small, "touchline/v1", "s", "r", TL_KIND_ACK), -1);
}

static void test_tap_decode_good(void **state)
{
	struct tl_topic t = topic_of("touchline/v1/burnley/pitch-1/tap");
	struct tl_tap tap;
	char id[TL_UUID_LEN + 1];
	(void)state;
	assert_int_equal(tl_tap_decode(good_tap, strlen(good_tap), &t, NOW, &tap, id), TL_OK);
	assert_string_equal(tap.id, "6f1c2a3b-1d2e-4f3a-8b4c-5d6e7f8a9b0c");
	assert_string_equal(id, tap.id);
	assert_string_equal(tap.card, "0123456789abcdef0123456789abcdef");
	assert_int_equal(tap.ts, NOW);
	assert_int_equal(tap.seq, 1234);
}

/* Round trip: what we encode, we decode to the same tap. */
static void test_tap_roundtrip(void **state)
{
	struct tl_topic t = topic_of("touchline/v1/burnley/pitch-1/tap");
	struct tl_tap a, b;
	char buf[TL_MAX_PAYLOAD];
	int n;
	(void)state;
	assert_int_equal(tl_tap_decode(good_tap, strlen(good_tap), &t, NOW, &a, NULL), TL_OK);
	n = tl_tap_encode(&a, buf, sizeof buf);
	assert_true(n > 0);
	assert_string_equal(buf, good_tap);
	assert_int_equal(tl_tap_decode(buf, (size_t)n, &t, NOW, &b, NULL), TL_OK);
	assert_string_equal(a.id, b.id);
	assert_string_equal(a.card, b.card);
	assert_int_equal(a.ts, b.ts);
	assert_int_equal(a.seq, b.seq);
	assert_int_equal(tl_tap_encode(&a, buf, 20), -1);
}

/* Replaces the first occurrence of from in good_tap with to. */
static enum tl_reason decode_variant(const char *from, const char *to, char *id)
{
	struct tl_topic t = topic_of("touchline/v1/burnley/pitch-1/tap");
	struct tl_tap tap;
	char buf[2048];
	const char *p = strstr(good_tap, from);
	assert_non_null(p);
	snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - good_tap), good_tap, to, p + strlen(from));
	return tl_tap_decode(buf, strlen(buf), &t, NOW, &tap, id);
}

static void test_tap_decode_bad(void **state)
{
	char id[TL_UUID_LEN + 1];
	(void)state;
	assert_int_equal(decode_variant("\"v\":1", "\"v\":2", id), TL_R_BAD_VERSION);
	/* Rejected before the id is checked, but the id can be read. */
	assert_string_equal(id, "6f1c2a3b-1d2e-4f3a-8b4c-5d6e7f8a9b0c");
	assert_int_equal(decode_variant("4f3a", "1f3a", id), TL_R_BAD_ID);
	assert_string_equal(id, "");
	assert_int_equal(decode_variant("4f3a", "1f3a", id), TL_R_BAD_ID);
	assert_int_equal(decode_variant("\"burnley\"", "\"preston\"", id), TL_R_SITE_MISMATCH);
	/* The id was readable, so the reader can still be told. */
	assert_string_equal(id, "6f1c2a3b-1d2e-4f3a-8b4c-5d6e7f8a9b0c");
	assert_int_equal(decode_variant("\"pitch-1\"", "\"gym\"", id), TL_R_READER_MISMATCH);
	assert_int_equal(decode_variant("0123456789abcdef0123", "0123456789ABCDEF0123", id),
	                 TL_R_BAD_CARD);
	assert_int_equal(decode_variant("18:05:12Z", "18:05:12", id), TL_R_BAD_TS);
	assert_int_equal(decode_variant("18:05:12Z", "18:10:13Z", id), TL_R_TS_IN_FUTURE);
	assert_int_equal(decode_variant("18:05:12Z", "18:10:12Z", id), TL_OK); /* 5 min: fine */
	assert_int_equal(decode_variant("\"seq\":1234", "\"seq\":-1", id), TL_R_BAD_SEQ);
	assert_int_equal(decode_variant("\"seq\":1234", "\"seq\":9007199254740993", id), TL_R_BAD_SEQ);
	assert_int_equal(decode_variant("\"seq\"", "\"v\"", id), TL_R_DUPLICATE_KEY);
	assert_int_equal(decode_variant("}", "} ", id), TL_OK); /* trailing space */
	assert_int_equal(decode_variant("}", "}x", id), TL_R_BAD_JSON);
	assert_int_equal(decode_variant("{", "[{", id), TL_R_BAD_JSON);
	assert_int_equal(decode_variant("\"v\":1,", "\"v\":1,\"extra\":[1,{}],", id), TL_OK);
}

/* RFC 8259 to the letter, and whole numbers judged on their text. */
static void test_strict_json(void **state)
{
	struct tl_topic t = topic_of("touchline/v1/burnley/pitch-1/tap");
	struct tl_tap tap;
	char id[TL_UUID_LEN + 1];
	static const struct {
		const char *from, *to;
		enum tl_reason want;
	} v[] = {
		{ "\"seq\":1234", "\"seq\":01234", TL_R_BAD_JSON },      /* leading zero */
		{ "\"seq\":1234", "\"seq\":+1234", TL_R_BAD_JSON },
		{ "\"seq\":1234", "\"seq\":1234.", TL_R_BAD_JSON },
		{ "\"seq\":1234", "\"seq\":.5", TL_R_BAD_JSON },
		{ "\"seq\":1234", "\"seq\":1e", TL_R_BAD_JSON },
		{ "\"seq\":1234", "\"seq\":1234.0", TL_R_BAD_SEQ },      /* not integer text */
		{ "\"seq\":1234", "\"seq\":1234e0", TL_R_BAD_SEQ },
		{ "\"seq\":1234", "\"seq\":-0", TL_R_BAD_SEQ },
		{ "\"seq\":1234", "\"seq\":0", TL_OK },
		{ "\"seq\":1234", "\"seq\":4503599627370496.5", TL_R_BAD_SEQ },
		{ "\"seq\":1234", "\"seq\":9007199254740991", TL_OK },   /* 2^53 - 1 */
		{ "\"seq\":1234", "\"seq\":9007199254740992", TL_R_BAD_SEQ },
		{ "\"seq\":1234", "\"seq\":123456789012345678901234", TL_R_BAD_SEQ },
		{ "\"v\":1", "\"v\":1.0", TL_R_BAD_VERSION },
		{ "\"v\":1", "\"v\":1e0", TL_R_BAD_VERSION },
		{ "\"v\":1", "\"v\":-0", TL_R_BAD_VERSION },
		{ "pitch-1\"", "pitch-1\t\"", TL_R_BAD_JSON },             /* raw tab */
		{ "pitch-1\"", "pitch-1\n\"", TL_R_BAD_JSON },
		{ "\"v\":1,", "\"v\":1,\"x\":\"\\ud800\",", TL_R_BAD_JSON }, /* lone high */
		{ "\"v\":1,", "\"v\":1,\"x\":\"\\udc00\",", TL_R_BAD_JSON }, /* lone low */
		{ "\"v\":1,", "\"v\":1,\"x\":\"\\ud83c\\udfc3\",", TL_OK }, /* a pair */
		{ "\"v\":1,", "\"v\":1,\"x\":\"\\u00e9\\n\\/\",", TL_OK },
		{ "\"v\":1,", "\"v\":1,\"x\":\"\\x41\",", TL_R_BAD_JSON }, /* no \\x */
		{ "\"v\":1,", "\"v\":1,\"x\":{\"a\":1,\"a\":2},", TL_R_DUPLICATE_KEY },
		{ "\"v\":1,", "\"v\":1,\"x\":[{\"a\":1},{\"a\":2}],", TL_OK },
		{ "\"v\":1,", "\"v\":1,\"x\":tru,", TL_R_BAD_JSON },
		{ "\"v\":1,", "\"v\":1,\"x\":[1,],", TL_R_BAD_JSON },
		{ "\"v\":1,", "\"v\":1,,", TL_R_BAD_JSON },
		{ "\"v\":1,", "\"v\" : 1 ,\r\n", TL_OK },
		{ "\"v\":1,", "\"v\":1,\f", TL_R_BAD_JSON },              /* not JSON space */
		/* escaped NUL: the field's own reason, or bad_field elsewhere */
		{ "0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef\\u0000zz",
		  TL_R_BAD_CARD },
		{ "\"burnley\"", "\"burnley\\u0000x\"", TL_R_BAD_SITE },
		{ "\"pitch-1\"", "\"pitch-1\\u0000\"", TL_R_BAD_READER },
		{ "18:05:12Z", "18:05:12Z\\u0000", TL_R_BAD_TS },
		{ "\"v\":1,", "\"v\":1,\"x\":\"a\\u0000\",", TL_R_BAD_FIELD },
		{ "\"v\":1,", "\"v\":1,\"x\\u0000\":1,", TL_R_BAD_FIELD },
		{ "\"v\":1,", "\"v\":1,\"card\\u0000\":1,", TL_R_BAD_FIELD }, /* not a duplicate */
	};
	(void)state;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		enum tl_reason r = decode_variant(v[i].from, v[i].to, id);
		if (r != v[i].want)
			fail_msg("%s -> %s: got %s, expected %s", v[i].from, v[i].to, tl_reason_name(r),
			         tl_reason_name(v[i].want));
	}
	/* A byte-order mark; nesting 16 deep is fine, 17 is not. */
	char buf[2 * TL_MAX_PAYLOAD];
	snprintf(buf, sizeof buf, "\xef\xbb\xbf%s", good_tap);
	assert_int_equal(tl_tap_decode(buf, strlen(buf), &t, NOW, &tap, id), TL_R_BAD_JSON);
	assert_string_equal(id, "6f1c2a3b-1d2e-4f3a-8b4c-5d6e7f8a9b0c"); /* still answered */
	for (int depth = 16; depth <= 17; depth++) {
		int n = snprintf(buf, sizeof buf, "%.*s,\"x\":", (int)strlen(good_tap) - 1, good_tap);
		for (int k = 1; k < depth; k++)
			buf[n++] = '[';
		for (int k = 1; k < depth; k++)
			buf[n++] = ']';
		buf[n++] = '}';
		assert_int_equal(tl_tap_decode(buf, (size_t)n, &t, NOW, &tap, NULL),
		                 depth == 16 ? TL_OK : TL_R_BAD_JSON);
	}
	/* The id of a tap too large, or not UTF-8; none when two differ. */
	memset(buf, ' ', sizeof buf);
	memcpy(buf, good_tap, strlen(good_tap));
	assert_int_equal(tl_tap_decode(buf, TL_MAX_PAYLOAD + 1, &t, NOW, &tap, id), TL_R_TOO_LARGE);
	assert_string_equal(id, "6f1c2a3b-1d2e-4f3a-8b4c-5d6e7f8a9b0c");
	const char *two = "{\"id\":\"6f1c2a3b-1d2e-4f3a-8b4c-5d6e7f8a9b0c\",\"id\" : "
	                  "\"6F1C2A3B-1D2E-4F3A-8B4C-5D6E7F8A9B0D\"}";
	assert_int_equal(tl_tap_decode(two, strlen(two), &t, NOW, &tap, id), TL_R_DUPLICATE_KEY);
	assert_string_equal(id, "");
	const char *same = "{\"id\":\"6F1C2A3B-1D2E-4F3A-8B4C-5D6E7F8A9B0C\",\"x\":\"\xc3\x28\"}";
	assert_int_equal(tl_tap_decode(same, strlen(same), &t, NOW, &tap, id), TL_R_BAD_UTF8);
	assert_string_equal(id, "6f1c2a3b-1d2e-4f3a-8b4c-5d6e7f8a9b0c");
}

static void test_payload_limits(void **state)
{
	struct tl_topic t = topic_of("touchline/v1/burnley/pitch-1/tap");
	struct tl_tap tap;
	char big[TL_MAX_PAYLOAD + 2];
	(void)state;
	memset(big, ' ', sizeof big);
	memcpy(big, good_tap, strlen(good_tap));
	/* Exactly 1024 bytes (padding is whitespace) is allowed, 1025 is not. */
	assert_int_equal(tl_tap_decode(big, TL_MAX_PAYLOAD, &t, NOW, &tap, NULL), TL_OK);
	assert_int_equal(tl_tap_decode(big, TL_MAX_PAYLOAD + 1, &t, NOW, &tap, NULL), TL_R_TOO_LARGE);
	assert_int_equal(tl_tap_decode("", 0, &t, NOW, &tap, NULL), TL_R_BAD_JSON);
	assert_int_equal(tl_tap_decode("[]", 2, &t, NOW, &tap, NULL), TL_R_NOT_OBJECT);
}

static void test_utf8(void **state)
{
	(void)state;
	assert_true(tl_utf8_valid("plain", 5));
	assert_true(tl_utf8_valid("caf\xc3\xa9", 5));
	assert_true(tl_utf8_valid("\xf0\x9f\x8f\x83", 4)); /* runner emoji */
	assert_false(tl_utf8_valid("\xc3", 1));             /* truncated */
	assert_false(tl_utf8_valid("\xc0\xaf", 2));         /* overlong */
	assert_false(tl_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
	assert_false(tl_utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
	assert_false(tl_utf8_valid("a\0b", 3));
	assert_false(tl_utf8_valid("\xff", 1));
}

static void test_ids(void **state)
{
	(void)state;
	assert_true(tl_id_valid("a"));
	assert_true(tl_id_valid("pitch-1"));
	assert_true(tl_id_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	assert_false(tl_id_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	assert_false(tl_id_valid(""));
	assert_false(tl_id_valid("Pitch"));
	assert_false(tl_id_valid("a/b"));
	assert_false(tl_id_valid("a+"));
	assert_true(tl_token_valid("0123456789abcdef0123456789abcdef"));
	assert_false(tl_token_valid("0123456789abcdef0123456789abcde"));
	assert_false(tl_token_valid("0123456789abcdeg0123456789abcdef"));
	assert_true(tl_uuid_valid("6F1C2A3B-1D2E-4F3A-8B4C-5D6E7F8A9B0C", 1));
	assert_false(tl_uuid_valid("6f1c2a3b-1d2e-4f3a-cb4c-5d6e7f8a9b0c", 1)); /* variant */
	assert_false(tl_uuid_valid("6f1c2a3b1d2e-4f3a-8b4c-5d6e7f8a9b0c0", 1));
}

static void test_ack(void **state)
{
	struct tl_ack a = { .status = TL_ACK_RECORDED, .week_sessions = 2 }, b;
	char buf[256];
	(void)state;
	strcpy(a.id, "6f1c2a3b-1d2e-4f3a-8b4c-5d6e7f8a9b0c");
	strcpy(a.participant, "P-0042");
	assert_true(tl_ack_encode(&a, buf, sizeof buf) > 0);
	assert_string_equal(buf, "{\"v\":1,\"id\":\"6f1c2a3b-1d2e-4f3a-8b4c-5d6e7f8a9b0c\","
	                         "\"status\":\"recorded\",\"participant\":\"P-0042\","
	                         "\"week_sessions\":2}");
	assert_int_equal(tl_ack_decode(buf, strlen(buf), &b), TL_OK);
	assert_int_equal(b.status, TL_ACK_RECORDED);
	assert_string_equal(b.participant, "P-0042");
	assert_int_equal(b.week_sessions, 2);

	a.status = TL_ACK_REJECTED;
	a.reason = TL_R_BAD_CARD;
	assert_true(tl_ack_encode(&a, buf, sizeof buf) > 0);
	assert_non_null(strstr(buf, "\"status\":\"rejected\",\"reason\":\"bad_card\""));
	assert_null(strstr(buf, "participant"));
	assert_int_equal(tl_ack_decode(buf, strlen(buf), &b), TL_OK);
	assert_int_equal(b.reason, TL_R_BAD_CARD);
	assert_int_equal(tl_ack_decode("{\"v\":1,\"id\":\"x\"}", 16, &b), TL_R_BAD_ID);
	const char *odd = "{\"v\":1,\"id\":\"6f1c2a3b-1d2e-4f3a-8b4c-5d6e7f8a9b0c\",\"status\":\"maybe\"}";
	assert_int_equal(tl_ack_decode(odd, strlen(odd), &b), TL_R_BAD_FIELD);
}

/* The optional fields of v1: a tap's "random" and the ack's coach
 * answer, encoded and read back; a reader not knowing them ignores them. */
static void test_optional_fields(void **state)
{
	struct tl_topic t = { "burnley", "pitch-1", TL_KIND_TAP };
	struct tl_tap tap, got;
	struct tl_ack a = { .status = TL_ACK_RECORDED, .week_sessions = 1 }, b;
	char buf[512], id[TL_UUID_LEN + 1];
	static const uint8_t phone[4] = { 0x08, 1, 2, 3 }, card[4] = { 0x04, 1, 2, 3 };
	(void)state;

	assert_true(tl_uid_random(phone, 4));
	assert_false(tl_uid_random(card, 4));
	assert_false(tl_uid_random((const uint8_t *)"\x08\x01\x02\x03\x04\x05\x06", 7));
	memset(&tap, 0, sizeof tap);
	strcpy(tap.id, "6f1c2a3b-1d2e-4f3a-8b4c-5d6e7f8a9b0c");
	strcpy(tap.site, "burnley");
	strcpy(tap.reader, "pitch-1");
	strcpy(tap.card, "0123456789abcdef0123456789abcdef");
	tap.ts = 1772560000;
	tap.seq = 5;
	tap.random = 1;
	assert_true(tl_tap_encode(&tap, buf, sizeof buf) > 0);
	assert_non_null(strstr(buf, ",\"seq\":5,\"random\":true}"));
	assert_int_equal(tl_tap_decode(buf, strlen(buf), &t, tap.ts, &got, id), TL_OK);
	assert_int_equal(got.random, 1);
	tap.random = 0;
	assert_true(tl_tap_encode(&tap, buf, sizeof buf) > 0);
	assert_null(strstr(buf, "random"));
	assert_int_equal(tl_tap_decode(buf, strlen(buf), &t, tap.ts, &got, id), TL_OK);
	assert_int_equal(got.random, 0);
	/* any value but true is a real card's tap, never a rejection */
	const char *odd = "{\"v\":1,\"id\":\"6f1c2a3b-1d2e-4f3a-8b4c-5d6e7f8a9b0c\",\"site\":\"burnley\","
	                  "\"reader\":\"pitch-1\",\"card\":\"0123456789abcdef0123456789abcdef\","
	                  "\"ts\":\"2026-03-03T18:00:00Z\",\"seq\":1,\"random\":1}";
	assert_int_equal(tl_tap_decode(odd, strlen(odd), &t, 1772561000, &got, id), TL_OK);
	assert_int_equal(got.random, 0);

	strcpy(a.id, "6f1c2a3b-1d2e-4f3a-8b4c-5d6e7f8a9b0c");
	strcpy(a.participant, "P-7KQ4XM");
	strcpy(a.coach, TL_COACH_ENROLLED);
	strcpy(a.programme, "kick-off-2026");
	assert_true(tl_ack_encode(&a, buf, sizeof buf) > 0);
	assert_string_equal(buf, "{\"v\":1,\"id\":\"6f1c2a3b-1d2e-4f3a-8b4c-5d6e7f8a9b0c\","
	                         "\"status\":\"recorded\",\"participant\":\"P-7KQ4XM\","
	                         "\"week_sessions\":1,\"coach\":\"enrolled\",\"programme\":\"kick-off-2026\"}");
	assert_int_equal(tl_ack_decode(buf, strlen(buf), &b), TL_OK);
	assert_string_equal(b.coach, "enrolled");
	assert_string_equal(b.programme, "kick-off-2026");
	/* the longest ack fits the 300 bytes docs/protocol.md promises */
	memset(a.participant, 'X', 31);
	a.participant[31] = '\0';
	memset(a.programme, 'p', 32);
	a.programme[32] = '\0';
	strcpy(a.coach, TL_COACH_NO_PROGRAMME);
	a.week_sessions = 1000;
	assert_true(tl_ack_encode(&a, buf, sizeof buf) > 0);
	assert_true(strlen(buf) < 300);
	/* a coach word that is not one is not read */
	const char *bad = "{\"v\":1,\"id\":\"6f1c2a3b-1d2e-4f3a-8b4c-5d6e7f8a9b0c\",\"status\":\"recorded\","
	                  "\"coach\":\"<b>\"}";
	assert_int_equal(tl_ack_decode(bad, strlen(bad), &b), TL_OK);
	assert_string_equal(b.coach, "");
}

static void test_status(void **state)
{
	struct tl_status s = { .state = TL_STATE_ONLINE, .ts = NOW, .spooled = 12 }, d;
	char buf[256];
	(void)state;
	strcpy(s.version, "0.1.0 \"quoted\"");
	assert_true(tl_status_encode(&s, buf, sizeof buf) > 0);
	assert_int_equal(tl_status_decode(buf, strlen(buf), &d), TL_OK);
	assert_int_equal(d.state, TL_STATE_ONLINE);
	assert_int_equal(d.ts, NOW);
	assert_int_equal(d.spooled, 12);
	assert_string_equal(d.version, s.version);
	const char *offline = "{\"v\":1,\"state\":\"offline\"}";
	const char *asleep = "{\"v\":1,\"state\":\"asleep\"}";
	const char *half = "{\"v\":1,\"state\":\"online\",\"spooled\":1.5}";
	assert_int_equal(tl_status_decode(offline, strlen(offline), &d), TL_OK);
	assert_int_equal(d.spooled, -1);
	assert_int_equal(tl_status_decode(asleep, strlen(asleep), &d), TL_R_BAD_STATE);
	assert_int_equal(tl_status_decode(half, strlen(half), &d), TL_R_BAD_SPOOLED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_topic_parse),   cmocka_unit_test(test_topic_build),
		cmocka_unit_test(test_tap_decode_good), cmocka_unit_test(test_tap_roundtrip),
		cmocka_unit_test(test_tap_decode_bad), cmocka_unit_test(test_payload_limits),
		cmocka_unit_test(test_strict_json),
		cmocka_unit_test(test_utf8),          cmocka_unit_test(test_ids),
		cmocka_unit_test(test_ack),           cmocka_unit_test(test_status),
		cmocka_unit_test(test_optional_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
