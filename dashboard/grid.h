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
};

/* weeks_sql: the scope's ISO weeks in order (only the last max_weeks are
 * shown). cells_sql: participant id, code, name, iso_week, a, b ordered by
 * participant id. Rows end up sorted by a/b over all weeks, highest
 * first, then by code. */
void grid_load(struct grid *g, struct dash *d, const struct dash_scope *s, const char *weeks_sql,
               const char *cells_sql, int max_weeks);
void grid_free(struct grid *g);
/* The search box, and the table up to its body. */
void grid_head(FILE *f, struct dash *d, const struct grid *g, const char *id, const char *caption,
               const char *total1, const char *total2);
/* <tr>, the code and (with --names) the name. */
void grid_row_head(FILE *f, struct dash *d, const struct grid_row *r, const char *prefix);

#define GRID_MAX_WEEKS 26

#endif
