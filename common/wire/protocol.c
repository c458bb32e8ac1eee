/* protocol.c - encoding and strict validation of wire protocol v1.
 *
 * Decoders share one shape: size and UTF-8 checks on the raw bytes, the
 * strict JSON pass (json_strict.c) and a cJSON parse of its output, a
 * duplicate-key check at every depth, then one check per field in a fixed
 * order so the first fault found is reported, and last, no escaped NUL in
 * any other string. */
#include "protocol.h"
#include "json_strict.h"
#include "tl_time.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const reason_names[TL_R_COUNT] = {
	[TL_OK] = "ok",
	[TL_R_BAD_TOPIC] = "bad_topic",
	[TL_R_TOO_LARGE] = "too_large",
	[TL_R_BAD_UTF8] = "bad_utf8",
	[TL_R_BAD_JSON] = "bad_json",
	[TL_R_NOT_OBJECT] = "not_object",
	[TL_R_DUPLICATE_KEY] = "duplicate_key",
	[TL_R_BAD_VERSION] = "bad_version",
	[TL_R_BAD_ID] = "bad_id",
	[TL_R_BAD_SITE] = "bad_site",
	[TL_R_BAD_READER] = "bad_reader",
	[TL_R_SITE_MISMATCH] = "site_mismatch",
	[TL_R_READER_MISMATCH] = "reader_mismatch",
	[TL_R_BAD_CARD] = "bad_card",
	[TL_R_BAD_TS] = "bad_ts",
	[TL_R_TS_IN_FUTURE] = "ts_in_future",
	[TL_R_BAD_SEQ] = "bad_seq",
	[TL_R_BAD_STATE] = "bad_state",
	[TL_R_BAD_SPOOLED] = "bad_spooled",
	[TL_R_BAD_FIELD] = "bad_field",
	[TL_R_UNKNOWN_READER] = "unknown_reader",
	[TL_R_TS_IMPLAUSIBLE] = "ts_implausible",
};

static const char *const ack_names[] = { "recorded", "duplicate", "unknown_card", "rejected" };
static const char *const kind_names[] = { "tap", "ack", "status" };

const char *tl_reason_name(enum tl_reason r)
{
	return (r >= 0 && r < TL_R_COUNT) ? reason_names[r] : "unknown";
}

const char *tl_ack_status_name(enum tl_ack_status s)
{
	return ack_names[s];
}

int tl_ack_status_parse(const char *name, enum tl_ack_status *out)
{
	for (int i = 0; i <= TL_ACK_REJECTED; i++) {
		if (strcmp(name, ack_names[i]) == 0) {
			*out = (enum tl_ack_status)i;
			return 0;
		}
	}
	return -1;
}

int tl_id_valid(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++) {
		char c = s[n];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
	}
	return n >= 1 && n <= TL_ID_MAX;
}

int tl_id_valid_word(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++) {
		char c = s[n];
		if (!((c >= 'a' && c <= 'z') || c == '_'))
			return 0;
	}
	return n >= 1 && n <= TL_ID_MAX;
}

int tl_prefix_valid(const char *s)
{
	return s[0] && !strchr(s, '+') && !strchr(s, '#');
}

static int proto_is_hex(char c, int lower_only)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (!lower_only && c >= 'A' && c <= 'F');
}

int tl_token_valid(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!proto_is_hex(s[n], 1))
			return 0;
	return n == TL_TOKEN_LEN;
}

int tl_uuid_valid(const char *s, int v4)
{
	if (strlen(s) != TL_UUID_LEN)
		return 0;
	for (int i = 0; i < TL_UUID_LEN; i++) {
		int dash = (i == 8 || i == 13 || i == 18 || i == 23);
		if (dash ? s[i] != '-' : !proto_is_hex(s[i], 0))
			return 0;
	}
	if (v4 && (s[14] != '4' || !strchr("89abAB", s[19])))
		return 0;
	return 1;
}

/* Checks UTF-8 by the table in RFC 3629 section 4: no overlong forms,
 * no surrogates, nothing above U+10FFFF. NUL is refused too. */
int tl_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		unsigned char lo = 0x80, hi = 0xBF;

		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			n = 1;
		else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			if (c == 0xE0)
				lo = 0xA0;
			if (c == 0xED)
				hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			if (c == 0xF0)
				lo = 0x90;
			if (c == 0xF4)
				hi = 0x8F;
		} else
			return 0;
		if (i + n >= len)
			return 0;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (size_t k = 2; k <= n; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xBF)
				return 0;
		i += n + 1;
	}
	return 1;
}

enum tl_reason tl_topic_parse(const char *prefix, const char *topic, struct tl_topic *out)
{
	size_t plen = strlen(prefix);
	const char *p, *slash;
	size_t n;

	if (strncmp(topic, prefix, plen) != 0 || topic[plen] != '/')
		return TL_R_BAD_TOPIC;
	p = topic + plen + 1;
	for (int part = 0; part < 2; part++) {
		char *dst = part == 0 ? out->site : out->reader;
		slash = strchr(p, '/');
		if (!slash || (n = (size_t)(slash - p)) == 0 || n > TL_ID_MAX)
			return TL_R_BAD_TOPIC;
		memcpy(dst, p, n);
		dst[n] = '\0';
		if (!tl_id_valid(dst))
			return TL_R_BAD_TOPIC;
		p = slash + 1;
	}
	for (int k = 0; k <= TL_KIND_STATUS; k++) {
		if (strcmp(p, kind_names[k]) == 0) {
			out->kind = (enum tl_kind)k;
			return TL_OK;
		}
	}
	return TL_R_BAD_TOPIC;
}

int tl_topic_build(char *buf, size_t size, const char *prefix, const char *site,
                   const char *reader, enum tl_kind kind)
{
	int n = snprintf(buf, size, "%s/%s/%s/%s", prefix, site, reader, kind_names[kind]);
	return (n < 0 || (size_t)n >= size) ? -1 : n;
}

/* True if some object at or under o has a key twice. */
static int proto_dup_keys(const cJSON *o)
{
	for (const cJSON *a = o ? o->child : NULL; a; a = a->next) {
		if (cJSON_IsObject(o))
			for (const cJSON *b = a->next; b; b = b->next)
				if (strcmp(a->string, b->string) == 0)
					return 1;
		if ((cJSON_IsObject(a) || cJSON_IsArray(a)) && proto_dup_keys(a))
			return 1;
	}
	return 0;
}

/* True if any key or string value at or under o held an escaped NUL. */
static int proto_any_nul(const cJSON *o)
{
	for (const cJSON *a = o ? o->child : NULL; a; a = a->next) {
		if (tl_json_has_nul(a->string) || (cJSON_IsString(a) && tl_json_has_nul(a->valuestring)))
			return 1;
		if ((cJSON_IsObject(a) || cJSON_IsArray(a)) && proto_any_nul(a))
			return 1;
	}
	return 0;
}

/* Parses payload into a JSON object, applying the checks every message
 * shares. On success *root must be freed with cJSON_Delete. */
static enum tl_reason proto_parse_object(const void *payload, size_t len, cJSON **root)
{
	char text[2 * TL_MAX_PAYLOAD + 1];
	const char *end = NULL;
	size_t n;
	cJSON *obj;

	*root = NULL;
	if (len > TL_MAX_PAYLOAD)
		return TL_R_TOO_LARGE;
	if (!tl_utf8_valid(payload, len))
		return TL_R_BAD_UTF8;
	if (tl_json_prepare(payload, len, text, sizeof text, &n))
		return TL_R_BAD_JSON;
	obj = cJSON_ParseWithLengthOpts(text, n, &end, 0);
	if (!obj)
		return TL_R_BAD_JSON;
	if (!end || (size_t)(end - text) != n) {
		cJSON_Delete(obj);
		return TL_R_BAD_JSON;
	}
	if (!cJSON_IsObject(obj)) {
		cJSON_Delete(obj);
		return TL_R_NOT_OBJECT;
	}
	if (proto_dup_keys(obj)) {
		cJSON_Delete(obj);
		return TL_R_DUPLICATE_KEY;
	}
	*root = obj;
	return TL_OK;
}

/* Reads a JSON number that is a whole value in [min, max]. The strict
 * pass has turned every number not written as a plain integer into null,
 * so the double here came from integer text; integers up to 2^53 are
 * exact in it, and larger text gives a double above any max we use. */
static int proto_get_int(const cJSON *obj, const char *key, int64_t min, int64_t max,
                         int64_t *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	double d;

	if (!cJSON_IsNumber(it))
		return -1;
	d = it->valuedouble;
	if (!isfinite(d) || floor(d) != d || d < (double)min || d > (double)max)
		return -1;
	*out = (int64_t)d;
	return 0;
}

/* Returns the string value of key, or NULL if absent or not a string. */
static const char *proto_get_str(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(it) && !tl_json_has_nul(it->valuestring) ? it->valuestring : NULL;
}

static enum tl_reason proto_check_version(const cJSON *obj)
{
	int64_t v;
	if (proto_get_int(obj, "v", 0, 1000, &v) || v != TL_PROTOCOL_VERSION)
		return TL_R_BAD_VERSION;
	return TL_OK;
}

/* Copies a validated string field; the validator bounds its length. */
static void proto_copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

static void proto_lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* The per-field checks of a tap, in the order documented in protocol.md. */
static enum tl_reason proto_tap_fields(const cJSON *obj, const struct tl_topic *t, int64_t now,
                                       struct tl_tap *out, char *id_out)
{
	const char *s;
	enum tl_reason r;

	if ((r = proto_check_version(obj)) != TL_OK)
		return r;
	s = proto_get_str(obj, "id");
	if (!s || !tl_uuid_valid(s, 1))
		return TL_R_BAD_ID;
	proto_copy(out->id, sizeof out->id, s);
	proto_lower(out->id);
	if (id_out)
		memcpy(id_out, out->id, sizeof out->id);
	s = proto_get_str(obj, "site");
	if (!s || !tl_id_valid(s))
		return TL_R_BAD_SITE;
	if (strcmp(s, t->site) != 0)
		return TL_R_SITE_MISMATCH;
	proto_copy(out->site, sizeof out->site, s);
	s = proto_get_str(obj, "reader");
	if (!s || !tl_id_valid(s))
		return TL_R_BAD_READER;
	if (strcmp(s, t->reader) != 0)
		return TL_R_READER_MISMATCH;
	proto_copy(out->reader, sizeof out->reader, s);
	s = proto_get_str(obj, "card");
	if (!s || !tl_token_valid(s))
		return TL_R_BAD_CARD;
	proto_copy(out->card, sizeof out->card, s);
	s = proto_get_str(obj, "ts");
	if (!s || tl_time_parse(s, &out->ts))
		return TL_R_BAD_TS;
	if (out->ts > now + TL_MAX_FUTURE)
		return TL_R_TS_IN_FUTURE;
	if (out->ts < TL_MIN_TS)
		return TL_R_TS_IMPLAUSIBLE;
	if (proto_get_int(obj, "seq", 0, ((int64_t)1 << 53) - 1, &out->seq))
		return TL_R_BAD_SEQ;
	/* optional: only true marks it (any other value is read as absent) */
	out->random = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, "random"));
	if (proto_any_nul(obj))
		return TL_R_BAD_FIELD;
	return TL_OK;
}

/* For a tap rejected before its id was checked: the id, if the raw bytes
 * hold exactly one "id" member with a version 4 UUID (in any case, and
 * any white space around the colon), written in lower case to id_out.
 * A bounded scan of bytes that need not be JSON or UTF-8; two different
 * such ids give none, so the ack can never name a tap it is not about. */
static void proto_scan_id(const char *p, size_t len, char *id_out)
{
	char found[TL_UUID_LEN + 1] = "";

	for (size_t i = 0; i + 4 <= len; i++) {
		size_t k = i + 4;
		char cand[TL_UUID_LEN + 1];

		if (memcmp(p + i, "\"id\"", 4) != 0)
			continue;
		while (k < len && strchr(" \t\r\n", p[k]) && p[k])
			k++;
		if (k >= len || p[k++] != ':')
			continue;
		while (k < len && strchr(" \t\r\n", p[k]) && p[k])
			k++;
		if (k + TL_UUID_LEN + 2 > len || p[k] != '"' || p[k + 1 + TL_UUID_LEN] != '"')
			continue;
		memcpy(cand, p + k + 1, TL_UUID_LEN);
		cand[TL_UUID_LEN] = '\0';
		if (memchr(cand, '\0', TL_UUID_LEN) || !tl_uuid_valid(cand, 1))
			continue;
		proto_lower(cand);
		if (found[0] && strcmp(found, cand) != 0)
			return; /* two ids: answer neither */
		memcpy(found, cand, sizeof found);
	}
	memcpy(id_out, found, sizeof found);
}

enum tl_reason tl_tap_decode(const void *payload, size_t len, const struct tl_topic *t,
                             int64_t now, struct tl_tap *out, char *id_out)
{
	cJSON *obj;
	enum tl_reason r;

	if (id_out)
		id_out[0] = '\0';
	if ((r = proto_parse_object(payload, len, &obj)) != TL_OK) {
		if (id_out)
			proto_scan_id(payload, len, id_out);
		return r;
	}
	r = proto_tap_fields(obj, t, now, out, id_out);
	if (r == TL_R_BAD_VERSION && id_out)
		proto_scan_id(payload, len, id_out);
	cJSON_Delete(obj);
	return r;
}

int tl_tap_shift_ts(const void *payload, size_t len, int64_t offset, char *out, size_t size)
{
	cJSON *obj;
	const char *s;
	char ts[TL_TIME_LEN];
	int64_t t;
	int rc = -1;

	if (proto_parse_object(payload, len, &obj) != TL_OK)
		return -1;
	s = proto_get_str(obj, "ts");
	if (s && tl_time_parse(s, &t) == 0) {
		tl_time_format(t + offset, ts);
		if (cJSON_ReplaceItemInObjectCaseSensitive(obj, "ts", cJSON_CreateString(ts)) &&
		    cJSON_PrintPreallocated(obj, out, (int)size, 0))
			rc = (int)strlen(out);
	}
	cJSON_Delete(obj);
	return rc;
}

int tl_uid_random(const uint8_t *uid, size_t len)
{
	return len == 4 && uid[0] == 0x08;
}

int tl_tap_encode(const struct tl_tap *tap, char *buf, size_t size)
{
	char ts[TL_TIME_LEN];
	int n;

	tl_time_format(tap->ts, ts);
	n = snprintf(buf, size,
	             "{\"v\":1,\"id\":\"%s\",\"site\":\"%s\",\"reader\":\"%s\","
	             "\"card\":\"%s\",\"ts\":\"%s\",\"seq\":%lld%s}",
	             tap->id, tap->site, tap->reader, tap->card, ts, (long long)tap->seq,
	             tap->random ? ",\"random\":true" : "");
	return (n < 0 || (size_t)n >= size) ? -1 : n;
}

/* Participant codes are generated by the collector (P-0001) but checked
 * here too, because they are copied into JSON without escaping. */
static int proto_code_valid(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++) {
		char c = s[n];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return n >= 1 && n < 32;
}

int tl_ack_encode(const struct tl_ack *ack, char *buf, size_t size)
{
	char extra[192] = "";
	size_t n = 0;
	int r;

	if (ack->status == TL_ACK_REJECTED)
		snprintf(extra, sizeof extra, ",\"reason\":\"%s\"", tl_reason_name(ack->reason));
	else if (ack->participant[0] && proto_code_valid(ack->participant)) {
		n = (size_t)snprintf(extra, sizeof extra, ",\"participant\":\"%s\"",
		                     ack->participant);
		if (ack->week_sessions >= 0)
			n += (size_t)snprintf(extra + n, sizeof extra - n, ",\"week_sessions\":%d",
			                      ack->week_sessions);
	}
	/* ids and coach words are [a-z0-9_-]: no escaping needed */
	if (ack->status != TL_ACK_REJECTED && ack->coach[0] && tl_id_valid_word(ack->coach)) {
		n += (size_t)snprintf(extra + n, sizeof extra - n, ",\"coach\":\"%s\"", ack->coach);
		if (ack->programme[0] && tl_id_valid(ack->programme))
			snprintf(extra + n, sizeof extra - n, ",\"programme\":\"%s\"", ack->programme);
	}
	r = snprintf(buf, size, "{\"v\":1,\"id\":\"%s\",\"status\":\"%s\"%s}", ack->id,
	             tl_ack_status_name(ack->status), extra);
	return (r < 0 || (size_t)r >= size) ? -1 : r;
}

enum tl_reason tl_ack_decode(const void *payload, size_t len, struct tl_ack *out)
{
	cJSON *obj;
	enum tl_reason r;
	const char *s;
	int64_t ws;

	memset(out, 0, sizeof *out);
	out->week_sessions = -1;
	if ((r = proto_parse_object(payload, len, &obj)) != TL_OK)
		return r;
	if ((r = proto_check_version(obj)) != TL_OK)
		goto done;
	r = TL_R_BAD_ID;
	s = proto_get_str(obj, "id");
	if (!s || !tl_uuid_valid(s, 0))
		goto done;
	proto_copy(out->id, sizeof out->id, s);
	proto_lower(out->id);
	r = TL_R_BAD_FIELD;
	s = proto_get_str(obj, "status");
	if (!s || tl_ack_status_parse(s, &out->status))
		goto done;
	s = proto_get_str(obj, "participant");
	if (s && proto_code_valid(s))
		proto_copy(out->participant, sizeof out->participant, s);
	if (proto_get_int(obj, "week_sessions", 0, 1000, &ws) == 0)
		out->week_sessions = (int)ws;
	s = proto_get_str(obj, "coach");
	if (s && strlen(s) < sizeof out->coach && tl_id_valid_word(s))
		proto_copy(out->coach, sizeof out->coach, s);
	s = proto_get_str(obj, "programme");
	if (s && tl_id_valid(s))
		proto_copy(out->programme, sizeof out->programme, s);
	out->reason = TL_R_COUNT;
	s = proto_get_str(obj, "reason");
	for (int i = 1; s && i < TL_R_COUNT; i++)
		if (strcmp(s, reason_names[i]) == 0)
			out->reason = (enum tl_reason)i;
	if (proto_any_nul(obj))
		goto done;
	r = TL_OK;
done:
	cJSON_Delete(obj);
	return r;
}

enum tl_reason tl_status_decode(const void *payload, size_t len, struct tl_status *out)
{
	cJSON *obj;
	enum tl_reason r;
	const char *s;
	const cJSON *it;

	memset(out, 0, sizeof *out);
	out->spooled = -1;
	if ((r = proto_parse_object(payload, len, &obj)) != TL_OK)
		return r;
	if ((r = proto_check_version(obj)) != TL_OK)
		goto done;
	r = TL_R_BAD_STATE;
	s = proto_get_str(obj, "state");
	if (!s || (strcmp(s, "online") && strcmp(s, "offline")))
		goto done;
	out->state = strcmp(s, "online") == 0 ? TL_STATE_ONLINE : TL_STATE_OFFLINE;
	r = TL_R_BAD_TS;
	it = cJSON_GetObjectItemCaseSensitive(obj, "ts");
	if (it && (!cJSON_IsString(it) || tl_time_parse(it->valuestring, &out->ts)))
		goto done;
	r = TL_R_BAD_SPOOLED;
	if (cJSON_GetObjectItemCaseSensitive(obj, "spooled") &&
	    proto_get_int(obj, "spooled", 0, ((int64_t)1 << 53) - 1, &out->spooled))
		goto done;
	r = TL_R_BAD_FIELD;
	it = cJSON_GetObjectItemCaseSensitive(obj, "version");
	if (it && (!cJSON_IsString(it) || strlen(it->valuestring) > TL_VERSION_MAX ||
	           !tl_utf8_valid(it->valuestring, strlen(it->valuestring))))
		goto done;
	if (it)
		proto_copy(out->version, sizeof out->version, it->valuestring);
	if (proto_any_nul(obj))
		goto done;
	r = TL_OK;
done:
	cJSON_Delete(obj);
	return r;
}

int tl_status_encode(const struct tl_status *st, char *buf, size_t size)
{
	cJSON *o = cJSON_CreateObject();
	char ts[TL_TIME_LEN];
	int ok, n = -1;

	if (!o)
		return -1;
	cJSON_AddNumberToObject(o, "v", TL_PROTOCOL_VERSION);
	cJSON_AddStringToObject(o, "state", st->state == TL_STATE_ONLINE ? "online" : "offline");
	if (st->ts > 0) {
		tl_time_format(st->ts, ts);
		cJSON_AddStringToObject(o, "ts", ts);
	}
	if (st->spooled >= 0)
		cJSON_AddNumberToObject(o, "spooled", (double)st->spooled);
	if (st->version[0])
		cJSON_AddStringToObject(o, "version", st->version);
	ok = cJSON_PrintPreallocated(o, buf, (int)size, 0);
	if (ok)
		n = (int)strlen(buf);
	cJSON_Delete(o);
	return n;
}
