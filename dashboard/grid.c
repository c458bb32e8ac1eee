/* grid.c - a participant x week table built from the run's facts, for
 * the attendance heatmap and the activity minutes: one row per
 * participant (pseudonymous code; the name only with --names), one cell
 * per ISO week, in a bounded number of most recent weeks. */
#include "grid.h"

#include <stdlib.h>
#include <string.h>

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

void grid_begin(struct grid *g, const struct dash *d, const char *present, int max_weeks,
                int presence)
{
	int nf = d->facts.weeks.n, all = 0;

	memset(g, 0, sizeof *g);
	g->d = d;
	g->presence = presence;
	g->person = -1;
	g->col = malloc((size_t)(nf + 1) * sizeof *g->col);
	g->weeks = malloc((size_t)(nf + 1) * sizeof *g->weeks);
	g->acc = calloc(2 * ((size_t)nf + 1), sizeof *g->acc);
	g->touched = malloc((size_t)(nf + 1) * sizeof *g->touched);
	if (!g->col || !g->weeks || !g->acc || !g->touched)
		dash_fail("out of memory");
	for (int w = 0; w < nf; w++)
		all += present[w] != 0;
	g->dropped = all > max_weeks ? all - max_weeks : 0;
	all = 0;
	for (int w = 0; w < nf; w++) {
		g->col[w] = -1;
		if (!present[w] || all++ < g->dropped)
			continue;
		g->col[w] = g->nweeks;
		snprintf(g->weeks[g->nweeks++], sizeof g->weeks[0], "%.8s", d->facts.weeks.v[w][0]);
	}
}

/* The current participant's weeks become a row (unless erased: no code). */
static void grid_flush(struct grid *g)
{
	const struct dash_person *p;
	struct grid_row *r;

	if (g->person < 0)
		return;
	p = &g->d->facts.person[g->person];
	if (p->code[0]) {
		g->rows = realloc(g->rows, (size_t)(g->nrows + 1) * sizeof *g->rows);
		if (!g->rows)
			dash_fail("out of memory");
		r = &g->rows[g->nrows++];
		memset(r, 0, sizeof *r);
		snprintf(r->code, sizeof r->code, "%s", p->code);
		if (p->name && !(r->name = strdup(p->name)))
			dash_fail("out of memory");
		r->a = calloc((size_t)(g->nweeks ? g->nweeks : 1), sizeof *r->a);
		r->b = calloc((size_t)(g->nweeks ? g->nweeks : 1), sizeof *r->b);
		if (!r->a || !r->b)
			dash_fail("out of memory");
		for (int i = 0; i < g->ntouched; i++) {
			int w = g->touched[i], c = g->col[w];
			long a = g->acc[2 * w], b = g->presence ? 1 : g->acc[2 * w + 1];
			r->ta += a;
			r->tb += b;
			if (c >= 0) {
				r->a[c] = a;
				r->b[c] = b;
			}
		}
	}
	for (int i = 0; i < g->ntouched; i++)
		g->acc[2 * g->touched[i]] = g->acc[2 * g->touched[i] + 1] = 0;
	g->ntouched = 0;
}

void grid_put(struct grid *g, int person, int week, long a, long b)
{
	if (person != g->person) {
		grid_flush(g);
		g->person = person;
	}
	if (!g->acc[2 * week + 1])
		g->touched[g->ntouched++] = week;
	g->acc[2 * week] += a;
	g->acc[2 * week + 1] += b; /* b > 0: marks the week as present */
}

void grid_end(struct grid *g)
{
	grid_flush(g);
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
	free(g->col);
	free(g->acc);
	free(g->touched);
}

int grid_head(FILE *f, struct dash *d, const struct grid *g, const char *id, const char *caption,
              const char *total1, const char *total2, const char *pair_in)
{
	int marked = 0;
	int *fact = malloc(((size_t)g->nweeks + 1) * sizeof *fact);

	if (!fact)
		dash_fail("out of memory");
	for (int w = 0; w < d->facts.weeks.n; w++)
		if (g->col[w] >= 0)
			fact[g->col[w]] = w;
	fprintf(f, "<p class=\"js-only\" hidden><label>Find a participant: <input type=\"search\" "
	           "data-filter=\"%s\"></label></p>\n" HTML_SCROLL("%s") "<table class=\"hm sortable\" "
	           "id=\"%s\">\n<caption>%s</caption>\n<thead><tr><th scope=\"col\" data-sort=\"text\">"
	           "Participant</th>",
	        id, caption, id, caption);
	if (d->names)
		fputs("<th scope=\"col\" data-sort=\"text\">Name</th>", f);
	fprintf(f, "<th scope=\"col\" class=\"num\" data-sort=\"num\">%s</th><th scope=\"col\" "
	           "class=\"num\" data-sort=\"num\">%s</th>",
	        total1, total2);
	for (int i = g->nweeks - 1; i >= 0; i--) {
		int m = pair_in && readers_week_marks(NULL, d, pair_in, fact[i]) > 0;
		fprintf(f, "<th scope=\"col\" class=\"num\" data-sort=\"num\">%s%s</th>", g->weeks[i],
		        m ? " <span class=\"mark\">&#9888;</span>" : "");
		marked += m;
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	free(fact);
	return marked;
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
