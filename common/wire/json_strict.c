/* json_strict.c - the strict JSON pass every wire message goes through
 * before cJSON sees it (docs/protocol.md, "JSON").
 *
 * cJSON is lenient (leading zeros, raw control characters, lone
 * surrogates, \u0000 silently ending a string, numbers only as doubles),
 * so the raw bytes are checked here against the RFC 8259 grammar and
 * copied into the text cJSON parses, with two rewrites that carry what
 * cJSON would lose:
 *   - an escaped NUL (\u0000) becomes the byte 0xFF, which no valid UTF-8
 *     text (checked before this pass) and no other escape can produce, so
 *     tl_json_has_nul finds it in any decoded string;
 *   - a number that is not in plain integer form (a fraction, an
 *     exponent, -0, or more than 20 characters) becomes null, because
 *     every number of protocol v1 is a whole number written as one: so a
 *     whole-number field is checked on its text, never on a double. */
#include "json_strict.h"

#include <string.h>

struct js {
	const unsigned char *p, *end;
	char *o, *oend;
	int depth;
};

static int js_emit(struct js *j, const void *s, size_t n)
{
	if ((size_t)(j->oend - j->o) < n)
		return -1;
	memcpy(j->o, s, n);
	j->o += n;
	return 0;
}

static void js_ws(struct js *j)
{
	while (j->p < j->end &&
	       (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) {
		j->p++;
	}
}

static int js_hex4(const unsigned char *s, const unsigned char *end, unsigned *out)
{
	unsigned v = 0;

	if (end - s < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		unsigned char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* A string, at its opening quote. Raw bytes are valid UTF-8 already. */
static int js_string(struct js *j)
{
	if (js_emit(j, "\"", 1))
		return -1;
	j->p++;
	while (j->p < j->end) {
		unsigned char c = *j->p;
		unsigned u, lo;

		if (c == '"') {
			j->p++;
			return js_emit(j, "\"", 1);
		}
		if (c < 0x20)
			return -1; /* raw control characters must be escaped */
		if (c != '\\') {
			if (js_emit(j, j->p++, 1))
				return -1;
			continue;
		}
		if (j->end - j->p < 2)
			return -1;
		c = j->p[1];
		if (c && strchr("\"\\/bfnrt", c)) {
			if (js_emit(j, j->p, 2))
				return -1;
			j->p += 2;
			continue;
		}
		if (c != 'u' || js_hex4(j->p + 2, j->end, &u))
			return -1;
		if (u == 0) {
			if (js_emit(j, "\xff", 1))
				return -1;
			j->p += 6;
			continue;
		}
		if (u >= 0xDC00 && u <= 0xDFFF)
			return -1; /* a low surrogate with no high one before it */
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (j->end - j->p < 12 || j->p[6] != '\\' || j->p[7] != 'u' ||
			    js_hex4(j->p + 8, j->end, &lo) || lo < 0xDC00 || lo > 0xDFFF)
				return -1; /* a high surrogate with no low one after it */
			if (js_emit(j, j->p, 12))
				return -1;
			j->p += 12;
			continue;
		}
		if (js_emit(j, j->p, 6))
			return -1;
		j->p += 6;
	}
	return -1;
}

static int js_digits(struct js *j)
{
	const unsigned char *s = j->p;
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s ? 0 : -1;
}

static int js_number(struct js *j)
{
	const unsigned char *s = j->p;
	int plain = 1;

	if (*j->p == '-')
		j->p++;
	if (j->p >= j->end)
		return -1;
	if (*j->p == '0')
		j->p++;
	else if (js_digits(j))
		return -1;
	if (j->p < j->end && *j->p == '.') {
		plain = 0;
		j->p++;
		if (js_digits(j))
			return -1;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		plain = 0;
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (js_digits(j))
			return -1;
	}
	if ((j->p - s == 2 && s[0] == '-' && s[1] == '0') || j->p - s > 20)
		plain = 0;
	return plain ? js_emit(j, s, (size_t)(j->p - s)) : js_emit(j, "null", 4);
}

static int js_literal(struct js *j, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
		return -1;
	j->p += n;
	return js_emit(j, word, n);
}

static int js_value(struct js *j);

/* An object or an array, at its opening bracket. */
static int js_container(struct js *j, int object)
{
	const char close = object ? '}' : ']';

	if (++j->depth > TL_JSON_MAX_DEPTH || js_emit(j, j->p, 1))
		return -1;
	j->p++;
	js_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return js_emit(j, &close, 1);
	}
	for (;;) {
		if (object) {
			if (j->p >= j->end || *j->p != '"' || js_string(j))
				return -1;
			js_ws(j);
			if (j->p >= j->end || *j->p != ':' || js_emit(j, ":", 1))
				return -1;
			j->p++;
			js_ws(j);
		}
		if (js_value(j))
			return -1;
		js_ws(j);
		if (j->p >= j->end)
			return -1;
		if (*j->p == close) {
			j->p++;
			j->depth--;
			return js_emit(j, &close, 1);
		}
		if (*j->p != ',' || js_emit(j, ",", 1))
			return -1;
		j->p++;
		js_ws(j);
	}
}

static int js_value(struct js *j)
{
	if (j->p >= j->end)
		return -1;
	switch (*j->p) {
	case '{':
		return js_container(j, 1);
	case '[':
		return js_container(j, 0);
	case '"':
		return js_string(j);
	case 't':
		return js_literal(j, "true");
	case 'f':
		return js_literal(j, "false");
	case 'n':
		return js_literal(j, "null");
	default:
		return (*j->p == '-' || (*j->p >= '0' && *j->p <= '9')) ? js_number(j) : -1;
	}
}

int tl_json_prepare(const void *in, size_t len, char *out, size_t size, size_t *outlen)
{
	struct js j = { in, (const unsigned char *)in + len, out, out + (size ? size - 1 : 0), 0 };

	if (!size)
		return -1;
	js_ws(&j);
	if (js_value(&j))
		return -1;
	js_ws(&j);
	if (j.p != j.end)
		return -1;
	*j.o = '\0';
	*outlen = (size_t)(j.o - out);
	return 0;
}

int tl_json_has_nul(const char *s)
{
	return s && strchr(s, '\xff') != NULL;
}
