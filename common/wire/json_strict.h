/* json_strict.h - RFC 8259 JSON, strictly, before cJSON (json_strict.c). */
#ifndef TL_JSON_STRICT_H
#define TL_JSON_STRICT_H

#include <stddef.h>

/* Objects and arrays nest at most this deep (the top-level object is 1). */
#define TL_JSON_MAX_DEPTH 16

/* Checks the len bytes at in (valid UTF-8 already) as one JSON text with
 * nothing but white space around it, no byte-order mark, no raw control
 * characters in strings, no lone surrogates and nesting at most
 * TL_JSON_MAX_DEPTH; writes the text cJSON is to parse into out (size at
 * least 2 * len + 1; see json_strict.c for its two rewrites). Returns 0,
 * or -1 if the input is not such JSON. */
int tl_json_prepare(const void *in, size_t len, char *out, size_t size, size_t *outlen);

/* True if a string cJSON decoded from tl_json_prepare's output held an
 * escaped NUL. */
int tl_json_has_nul(const char *s);

#endif
