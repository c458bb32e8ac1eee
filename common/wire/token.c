/* token.c - see token.h. HMAC comes from OpenSSL, randomness from the
 * kernel. */
#include "token.h"
#include "protocol.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

static const char hexdigits[] = "0123456789abcdef";

int tl_token_compute(const uint8_t key[TL_KEY_LEN], const uint8_t *uid, size_t uidlen,
                     char *out)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;

	if (!HMAC(EVP_sha256(), key, TL_KEY_LEN, uid, uidlen, mac, &maclen) || maclen < 16)
		return -1;
	for (int i = 0; i < 16; i++) {
		out[2 * i] = hexdigits[mac[i] >> 4];
		out[2 * i + 1] = hexdigits[mac[i] & 15];
	}
	out[TL_TOKEN_LEN] = '\0';
	return 0;
}

static int token_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int tl_uid_parse(const char *text, uint8_t *uid, size_t *uidlen)
{
	size_t n = 0;
	const char *p = text;

	while (*p) {
		int hi, lo;
		if (*p == ':' || *p == ' ') {
			p++;
			continue;
		}
		hi = token_hexval(p[0]);
		lo = hi < 0 ? -1 : token_hexval(p[1]);
		if (lo < 0 || n == TL_UID_MAX)
			return -1;
		uid[n++] = (uint8_t)(hi << 4 | lo);
		p += 2;
	}
	if (n != 4 && n != 7 && n != 10)
		return -1;
	*uidlen = n;
	return 0;
}

int tl_key_load(const char *path, uint8_t key[TL_KEY_LEN], char *err, size_t errlen)
{
	char text[2 * TL_KEY_LEN + 4];
	struct stat sb;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		snprintf(err, errlen, "key file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "key file %s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen,
		         "key file %s has mode %03o: it must not be readable by group or others "
		         "(run: chmod 600 %s)",
		         path, (unsigned)(sb.st_mode & 0777), path);
		close(fd);
		return -1;
	}
	n = read(fd, text, sizeof text - 1);
	close(fd);
	if (n < 0)
		n = 0;
	text[n] = '\0';
	text[strcspn(text, "\r\n")] = '\0';
	if (strlen(text) != 2 * TL_KEY_LEN) {
		snprintf(err, errlen, "key file %s: expected %d hex digits", path, 2 * TL_KEY_LEN);
		return -1;
	}
	for (int i = 0; i < TL_KEY_LEN; i++) {
		int hi = token_hexval(text[2 * i]), lo = token_hexval(text[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			snprintf(err, errlen, "key file %s: not hex", path);
			return -1;
		}
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int tl_key_generate(const char *path, char *err, size_t errlen)
{
	uint8_t key[TL_KEY_LEN];
	char text[2 * TL_KEY_LEN + 1];
	int fd;

	if (tl_random(key, sizeof key)) {
		snprintf(err, errlen, "no randomness available: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < TL_KEY_LEN; i++) {
		text[2 * i] = hexdigits[key[i] >> 4];
		text[2 * i + 1] = hexdigits[key[i] & 15];
	}
	text[2 * TL_KEY_LEN] = '\n';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path,
		         errno == EEXIST ? "already exists (refusing to overwrite a key)"
		                         : strerror(errno));
		return -1;
	}
	if (write(fd, text, sizeof text) != (ssize_t)sizeof text || fsync(fd) != 0) {
		snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

/* getrandom(2) is the source OpenSSL's RAND_bytes seeds from, without
 * setting up a DRBG first (0.15 MB more resident in the bridge). It blocks
 * only until the kernel's pool is first seeded at boot. */
int tl_random(void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n > 0) {
		ssize_t r = getrandom(p, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}
