/* participant_code.c - see participant_code.h. */
#include "participant_code.h"
#include "token.h"

#include <string.h>

/* 26 letters and 10 digits less the 13 that are easily confused with
 * another one when handwritten or read aloud: 23 symbols, so six of them
 * give 148 million codes and a collision (retried by the caller) stays
 * rare for any programme's lifetime. */
static const char code_alphabet[] = "34679ACDEFGHJKMNPQRTWXY";

int tl_participant_code_new(char out[TL_CODE_LEN])
{
	unsigned char r[TL_CODE_RANDOM * 2];
	size_t n = sizeof code_alphabet - 1, i, k = 0;

	/* Rejection sampling keeps every symbol equally likely: a byte is
	 * used only below the largest multiple of n that fits in 256. */
	memcpy(out, "P-", 2);
	while (k < TL_CODE_RANDOM) {
		if (tl_random(r, sizeof r))
			return -1;
		for (i = 0; i < sizeof r && k < TL_CODE_RANDOM; i++)
			if (r[i] < 256 - 256 % n)
				out[2 + k++] = code_alphabet[r[i] % n];
	}
	out[2 + k] = '\0';
	return 0;
}

int tl_participant_code_valid(const char *code)
{
	size_t i, len = strlen(code);

	if (len < 6 || len > 14 || strncmp(code, "P-", 2))
		return 0;
	for (i = 2; i < len; i++)
		if (!((code[i] >= '0' && code[i] <= '9') || (code[i] >= 'A' && code[i] <= 'Z')))
			return 0;
	return 1;
}
