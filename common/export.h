/* export.h - the evaluator exports (taps, attendance, activity,
 * participants, sessions), shared by 'touchline export' and the
 * dashboard's downloads so both write exactly the same files.
 * docs/data-dictionary.md describes every column.
 *
 * Exports carry pseudonymous codes only: never names, never card tokens
 * (rekey replaces even the codes). Rows are streamed through tl_rows. */
#ifndef TL_EXPORT_H
#define TL_EXPORT_H

#include "rows.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>

/* Filters a kind accepts. */
enum { TL_EXPORT_DATES = 1, TL_EXPORT_PROGRAMME = 2, TL_EXPORT_SITE = 4 };

struct tl_export_kind {
	const char *name;
	const char *const *cols;
	int ncols;
	int filters;
	const char *sql; /* ?1 from, ?2 to (local dates), ?3 programme, ?4 site */
};

extern const struct tl_export_kind tl_export_kinds[];
extern const int tl_export_kind_count;

/* The kind called name, or NULL. */
const struct tl_export_kind *tl_export_find(const char *name);

/* NULL (or "") for a filter not given; dates canonical "YYYY-MM-DD". The
 * caller refuses filters the kind does not accept (k->filters). */
struct tl_export_filter {
	const char *from, *to, *programme, *site;
	int rekey; /* replace codes with random pseudonyms for this export */
};

/* Writes every row of kind k to out in fmt, inside the caller's read
 * transaction (for a consistent snapshot). Returns 0, or -1 with err set;
 * *nrows receives the number of rows. */
int tl_export_write(sqlite3 *db, const struct tl_export_kind *k, const struct tl_export_filter *f,
                    enum tl_format fmt, FILE *out, long *nrows, char *err, size_t errlen);

#endif
