/* grow.c - see grow.h. */
#include "grow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int tl_grow(void *arrayp, size_t *cap, size_t n, size_t size)
{
	void *p, *q;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap : 64;
	while (c <= n) {
		if (c > SIZE_MAX / 2)
			return -1;
		c *= 2;
	}
	if (size && c > SIZE_MAX / size)
		return -1;
	memcpy(&p, arrayp, sizeof p);
	if (!(q = realloc(p, c * size)))
		return -1;
	memcpy(arrayp, &q, sizeof q);
	*cap = c;
	return 0;
}
