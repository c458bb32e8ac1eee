/* fuzz_tap.c - libFuzzer harness for tap decoding: no input may crash it,
 * and a tap it accepts must survive an encode/decode round trip intact. */
#include "protocol.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tl_topic topic = { "burnley", "pitch-1", TL_KIND_TAP };
	struct tl_tap a, b;
	char id[TL_UUID_LEN + 1], buf[TL_MAX_PAYLOAD * 2];
	int n;

	if (tl_tap_decode(data, size, &topic, 1772561112, &a, id) != TL_OK)
		return 0;
	n = tl_tap_encode(&a, buf, sizeof buf);
	if (n < 0 || tl_tap_decode(buf, (size_t)n, &topic, 1772561112, &b, NULL) != TL_OK ||
	    strcmp(a.id, b.id) || strcmp(a.card, b.card) || a.ts != b.ts || a.seq != b.seq)
		abort();
	return 0;
}
