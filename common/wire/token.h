/* token.h - keyed pseudonymous card tokens and the deployment key.
 *
 * token = first 16 bytes of HMAC-SHA256(key, raw UID bytes), lowercase hex.
 * The key file holds 32 random bytes as 64 hex digits and must not be
 * readable by group or others: anyone with it can link a card to a token. */
#ifndef TL_TOKEN_H
#define TL_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define TL_KEY_LEN 32
#define TL_UID_MAX 10 /* ISO 14443A UIDs are 4, 7 or 10 bytes */

/* Computes the token of a UID into out (TL_TOKEN_LEN + 1 bytes). */
int tl_token_compute(const uint8_t key[TL_KEY_LEN], const uint8_t *uid, size_t uidlen,
                     char *out);
/* Reads a key file, refusing one that group or others can read. */
int tl_key_load(const char *path, uint8_t key[TL_KEY_LEN], char *err, size_t errlen);
/* Writes a new random key to path (mode 0600), refusing to overwrite. */
int tl_key_generate(const char *path, char *err, size_t errlen);
/* Parses a UID written as hex (":" or " " between bytes allowed). */
int tl_uid_parse(const char *text, uint8_t *uid, size_t *uidlen);
/* Fills buf with n random bytes from the kernel (getrandom): keys, tap ids
 * and export pseudonyms all come from here. 0, or -1 with errno. */
int tl_random(void *buf, size_t n);

#endif
