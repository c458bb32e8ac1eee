/* fuzz_config.c - libFuzzer harness for INI settings: any file content is
 * either applied within each option's bounds or refused with a message. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char host[64];
static long port;
static int flag;

static const struct tl_option opts[] = {
	{ "mqtt", "host", TL_OPT_STR, host, sizeof host, 0, 0, "HOST", "" },
	{ "mqtt", "port", TL_OPT_INT, &port, 0, 1, 65535, "PORT", "" },
	{ "bridge", "flag", TL_OPT_BOOL, &flag, 0, 0, 0, NULL, "" },
	TL_OPT_END,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512], *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	port = 1883;
	if (tl_config_load_string(opts, text, err, sizeof err) == 0 &&
	    (port < 1 || port > 65535 || strlen(host) >= sizeof host))
		abort();
	if (strlen(err) >= sizeof err)
		abort();
	free(text);
	return 0;
}
