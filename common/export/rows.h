/* rows.h - streaming tabular output as RFC 4180 CSV or a JSON array.
 *
 * Exports are written row by row as the query steps, never built in memory,
 * so an export takes constant memory. In CSV, text cells that
 * a spreadsheet would run as a formula (leading = + - @ tab or CR) are
 * prefixed with a single quote. */
#ifndef TL_ROWS_H
#define TL_ROWS_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

enum tl_format { TL_FMT_CSV, TL_FMT_JSON };

#define TL_ROWS_BUF 65536

/* Cells are formatted by hand into buf and written to out in large
 * blocks: at a million rows, stdio's printf per cell was most of an
 * export's time. */
struct tl_rows {
	FILE *out;
	enum tl_format fmt;
	const char *const *cols;
	int ncols;
	int col;    /* next cell in the current row */
	long nrows;
	int failed; /* a write failed */
	size_t len;
	char buf[TL_ROWS_BUF];
};

int tl_format_parse(const char *name, enum tl_format *out);

void tl_rows_begin(struct tl_rows *r, FILE *out, enum tl_format fmt, const char *const *cols,
                   int ncols);
void tl_rows_text(struct tl_rows *r, const char *s); /* NULL: empty / null */
void tl_rows_int(struct tl_rows *r, long long v);
void tl_rows_real(struct tl_rows *r, double v);
void tl_rows_null(struct tl_rows *r);
void tl_rows_end_row(struct tl_rows *r);
/* Writes every row of a prepared statement, one cell per column, by the
 * column's SQLite type. Returns 0 or the failing sqlite3_step code. */
int tl_rows_query(struct tl_rows *r, sqlite3_stmt *st);
/* Closes the JSON array and flushes; returns -1 if any write failed. */
int tl_rows_finish(struct tl_rows *r);

#endif
