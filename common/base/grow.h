/* grow.h - the growable array every module uses: a pointer, a count kept
 * by the caller and a capacity kept here, doubled as needed (amortised
 * O(1) appends, at most twice the memory in use). */
#ifndef TL_GROW_H
#define TL_GROW_H

#include <stddef.h>

/* Makes room in *arrayp (a pointer to the array's pointer) for element n,
 * that is n + 1 elements of size bytes; *cap is the capacity in elements
 * (0 for a new array). Returns 0, or -1 with the array unchanged when
 * memory runs out or the size would overflow. */
int tl_grow(void *arrayp, size_t *cap, size_t n, size_t size);

#endif
