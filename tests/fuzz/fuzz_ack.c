/* fuzz_ack.c - libFuzzer harness for the messages a reader decodes (acks)
 * and the collector decodes besides taps (status), and for topics. */
#include "protocol.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tl_ack ack;
	struct tl_status st;
	struct tl_topic t;
	char buf[512], *topic;

	if (tl_ack_decode(data, size, &ack) == TL_OK && ack.status != TL_ACK_REJECTED &&
	    tl_ack_encode(&ack, buf, sizeof buf) < 0)
		abort();
	if (tl_status_decode(data, size, &st) == TL_OK && tl_status_encode(&st, buf, sizeof buf) < 0)
		abort();
	topic = malloc(size + 1);
	if (!topic)
		return 0;
	memcpy(topic, data, size);
	topic[size] = '\0';
	if (tl_topic_parse(TL_DEFAULT_PREFIX, topic, &t) == TL_OK &&
	    (!tl_id_valid(t.site) || !tl_id_valid(t.reader)))
		abort();
	free(topic);
	return 0;
}
