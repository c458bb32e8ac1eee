/* grid.h - participant x week tables (grid.c). */
#ifndef TL_DASH_GRID_H
#define TL_DASH_GRID_H

#include "dashboard.h"

struct grid_row {
	char code[32];
	char *name;       /* NULL unless --names and the participant has one */
	long *a, *b;      /* per week: the two numbers of the cell */
	long ta, tb;      /* over every week of the scope, shown or not */
};

struct grid {
	int nweeks, dropped; /* weeks shown; older weeks left out */
	char (*weeks)[9];
	int nrows;
	struct grid_row *rows;
	/* while building */
	const struct dash *d;
	int presence;       /* b is 1 for a week with any value, not a sum */
	int *col;           /* per facts week: its column, or -1 */
	int person, ntouched, *touched;
	long *acc;          /* per facts week: the current participant's a, b */
};

/* Starts a grid of the facts' weeks marked in present (only the last
 * max_weeks shown). */
void grid_begin(struct grid *g, const struct dash *d, const char *present, int max_weeks,
                int presence);
/* Adds a and b (b > 0) to a participant's week (a person index of the
 * facts); calls come grouped by participant. */
void grid_put(struct grid *g, int person, int week, long a, long b);
/* Rows end up sorted by a/b over all weeks, shown or not, highest first,
 * then by code. */
void grid_end(struct grid *g);
void grid_free(struct grid *g);
/* The search box, and the table up to its body; with pair_in (the
 * page's pairs, or NULL), a week whose sessions there a reader problem
 * touched has a warning sign in its heading. Returns how many have. */
int grid_head(FILE *f, struct dash *d, const struct grid *g, const char *id, const char *caption,
              const char *total1, const char *total2, const char *pair_in);
/* <tr>, the code and (with --names) the name. */
void grid_row_head(FILE *f, struct dash *d, const struct grid_row *r, const char *prefix);

#define GRID_MAX_WEEKS 26

#endif
