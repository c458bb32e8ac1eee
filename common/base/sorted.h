/* sorted.h - finding a row by id in an array sorted by id, for the
 * in-memory passes over a table (the dashboard's facts, the attendance
 * export): each element begins with its int64_t id. */
#ifndef TL_SORTED_H
#define TL_SORTED_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Index of the element whose id is id among n elements of size bytes,
 * or -1. */
static inline long tl_sorted_find(const void *base, size_t n, size_t size, int64_t id)
{
	long lo = 0, hi = (long)n - 1;

	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;
		int64_t m;
		memcpy(&m, (const char *)base + (size_t)mid * size, sizeof m);
		if (m == id)
			return mid;
		if (m < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

#endif
