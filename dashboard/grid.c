/* grid.c - a participant x week table loaded from the derived tables, for
 * the attendance heatmap and the activity minutes: one row per
 * participant (pseudonymous code; the name only with --names), one cell
 * per ISO week, in a bounded number of most recent weeks. */
#include "grid.h"

#include <stdlib.h>
#include <string.h>

static int grid_week_index(const struct grid *g, const char *week)
{
	int lo = 0, hi = g->nweeks - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2, c = strcmp(g->weeks[mid], week);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Highest mean first (ta/tb, compared without division), then code. */
static int grid_cmp(const void *x, const void *y)
{
	const struct grid_row *a = x, *b = y;
	long double l = (long double)a->ta * (b->tb ? b->tb : 1);
	long double r = (long double)b->ta * (a->tb ? a->tb : 1);
	if (!a->tb != !b->tb)
		return a->tb ? -1 : 1;
	if (l != r)
		return l > r ? -1 : 1;
	return strcmp(a->code, b->code);
}

void grid_load(struct grid *g, struct dash *d, const struct dash_scope *s, const char *weeks_sql,
               const char *cells_sql, int max_weeks)
{
	sqlite3_stmt *st = dash_query(d, s, weeks_sql);
	int64_t last = -1;
	int all = 0;

	memset(g, 0, sizeof *g);
	while (dash_step(d, st)) {
		g->weeks = realloc(g->weeks, (size_t)(all + 1) * sizeof *g->weeks);
		if (!g->weeks)
			dash_fail("out of memory");
		snprintf(g->weeks[all++], sizeof g->weeks[0], "%s", dash_text(st, 0));
	}
	sqlite3_finalize(st);
	g->dropped = all > max_weeks ? all - max_weeks : 0;
	g->nweeks = all - g->dropped;
	if (g->dropped)
		memmove(g->weeks, g->weeks + g->dropped, (size_t)g->nweeks * sizeof *g->weeks);
	st = dash_query(d, s, cells_sql);
	while (dash_step(d, st)) {
		int64_t pid = sqlite3_column_int64(st, 0);
		struct grid_row *r;
		int i;
		if (pid != last) {
			g->rows = realloc(g->rows, (size_t)(g->nrows + 1) * sizeof *g->rows);
			if (!g->rows)
				dash_fail("out of memory");
			r = &g->rows[g->nrows++];
			memset(r, 0, sizeof *r);
			snprintf(r->code, sizeof r->code, "%s", dash_text(st, 1));
			if (sqlite3_column_type(st, 2) != SQLITE_NULL)
				r->name = strdup(dash_text(st, 2));
			r->a = calloc((size_t)(g->nweeks ? g->nweeks : 1), sizeof *r->a);
			r->b = calloc((size_t)(g->nweeks ? g->nweeks : 1), sizeof *r->b);
			if (!r->a || !r->b)
				dash_fail("out of memory");
			last = pid;
		}
		r = &g->rows[g->nrows - 1];
		r->ta += sqlite3_column_int64(st, 4);
		r->tb += sqlite3_column_int64(st, 5);
		i = grid_week_index(g, dash_text(st, 3));
		if (i >= 0) {
			r->a[i] = sqlite3_column_int64(st, 4);
			r->b[i] = sqlite3_column_int64(st, 5);
		}
	}
	sqlite3_finalize(st);
	if (g->nrows > 1)
		qsort(g->rows, (size_t)g->nrows, sizeof *g->rows, grid_cmp);
}

void grid_free(struct grid *g)
{
	for (int i = 0; i < g->nrows; i++) {
		free(g->rows[i].name);
		free(g->rows[i].a);
		free(g->rows[i].b);
	}
	free(g->rows);
	free(g->weeks);
}

void grid_head(FILE *f, struct dash *d, const struct grid *g, const char *id, const char *caption,
               const char *total1, const char *total2)
{
	fprintf(f, "<p class=\"js-only\" hidden><label>Find a participant: <input type=\"search\" "
	           "data-filter=\"%s\"></label></p>\n<div class=\"scroll\"><table class=\"hm sortable\" "
	           "id=\"%s\">\n<caption>%s</caption>\n<thead><tr><th scope=\"col\" data-sort=\"text\">"
	           "Participant</th>",
	        id, id, caption);
	if (d->names)
		fputs("<th scope=\"col\" data-sort=\"text\">Name</th>", f);
	fprintf(f, "<th scope=\"col\" class=\"num\" data-sort=\"num\">%s</th><th scope=\"col\" "
	           "class=\"num\" data-sort=\"num\">%s</th>",
	        total1, total2);
	for (int i = 0; i < g->nweeks; i++)
		fprintf(f, "<th scope=\"col\" class=\"num\" data-sort=\"num\">%s</th>", g->weeks[i]);
	fputs("</tr></thead>\n<tbody>\n", f);
}

void grid_row_head(FILE *f, struct dash *d, const struct grid_row *r, const char *prefix)
{
	fprintf(f, "<tr id=\"%s-", prefix);
	html_esc(f, r->code);
	fputs("\"><th scope=\"row\">", f);
	html_esc(f, r->code);
	fputs("</th>", f);
	if (d->names) {
		fputs("<td>", f);
		html_esc(f, r->name ? r->name : "");
		fputs("</td>", f);
	}
}
