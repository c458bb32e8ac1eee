/* rows.c - see rows.h. */
#include "rows.h"

#include <string.h>

int tl_format_parse(const char *name, enum tl_format *out)
{
	if (strcmp(name, "csv") == 0)
		*out = TL_FMT_CSV;
	else if (strcmp(name, "json") == 0)
		*out = TL_FMT_JSON;
	else
		return -1;
	return 0;
}

/* Writes out what the buffer holds. */
static void rows_flush(struct tl_rows *r)
{
	if (r->len && fwrite(r->buf, 1, r->len, r->out) != r->len)
		r->failed = 1;
	r->len = 0;
}

/* Appends n bytes, through the buffer (or straight out when larger). */
static void rows_put(struct tl_rows *r, const char *s, size_t n)
{
	if (r->len + n > sizeof r->buf) {
		rows_flush(r);
		if (n > sizeof r->buf) {
			if (fwrite(s, 1, n, r->out) != n)
				r->failed = 1;
			return;
		}
	}
	memcpy(r->buf + r->len, s, n);
	r->len += n;
}

static void rows_str(struct tl_rows *r, const char *s)
{
	rows_put(r, s, strlen(s));
}

static void rows_char(struct tl_rows *r, char c)
{
	if (r->len == sizeof r->buf)
		rows_flush(r);
	r->buf[r->len++] = c;
}

void tl_rows_begin(struct tl_rows *r, FILE *out, enum tl_format fmt, const char *const *cols,
                   int ncols)
{
	r->out = out;
	r->fmt = fmt;
	r->cols = cols;
	r->ncols = ncols;
	r->col = 0;
	r->nrows = 0;
	r->failed = 0;
	r->len = 0;
	if (fmt == TL_FMT_JSON) {
		rows_char(r, '[');
		return;
	}
	for (int i = 0; i < ncols; i++) {
		if (i)
			rows_char(r, ',');
		rows_str(r, cols[i]);
	}
	rows_put(r, "\r\n", 2);
}

/* Opens a cell: the separator, and in JSON the object brace and key. */
static void rows_cell(struct tl_rows *r)
{
	if (r->fmt == TL_FMT_CSV) {
		if (r->col)
			rows_char(r, ',');
	} else {
		if (r->col == 0)
			rows_str(r, r->nrows ? ",\n{" : "\n{");
		else
			rows_char(r, ',');
		rows_char(r, '"');
		rows_str(r, r->cols[r->col]);
		rows_put(r, "\":", 2);
	}
	r->col++;
}

/* JSON string: runs of plain bytes copied at once, the rest escaped. */
static void rows_json_string(struct tl_rows *r, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *run = p;

	rows_char(r, '"');
	for (; *p; p++) {
		char esc[7] = "\\u00";
		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		rows_put(r, (const char *)run, (size_t)(p - run));
		run = p + 1;
		switch (*p) {
		case '"': rows_put(r, "\\\"", 2); break;
		case '\\': rows_put(r, "\\\\", 2); break;
		case '\n': rows_put(r, "\\n", 2); break;
		case '\r': rows_put(r, "\\r", 2); break;
		case '\t': rows_put(r, "\\t", 2); break;
		default:
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			rows_put(r, esc, 6);
		}
	}
	rows_put(r, (const char *)run, (size_t)(p - run));
	rows_char(r, '"');
}

/* RFC 4180 quoting, plus formula neutralisation for spreadsheets. */
static void rows_csv_string(struct tl_rows *r, const char *s)
{
	int formula = s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
	size_t n = strcspn(s, ",\"\r\n");

	if (!formula && s[n] == '\0') {
		rows_put(r, s, n);
		return;
	}
	rows_char(r, '"');
	if (formula)
		rows_char(r, '\'');
	for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) {
		rows_put(r, s, (size_t)(q - s) + 1); /* up to and with the quote */
		rows_char(r, '"');                    /* doubled */
	}
	rows_str(r, s);
	rows_char(r, '"');
}

void tl_rows_text(struct tl_rows *r, const char *s)
{
	if (!s) {
		tl_rows_null(r);
		return;
	}
	rows_cell(r);
	if (r->fmt == TL_FMT_CSV)
		rows_csv_string(r, s);
	else
		rows_json_string(r, s);
}

void tl_rows_int(struct tl_rows *r, long long v)
{
	char tmp[24], *p = tmp + sizeof tmp;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	rows_cell(r);
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	rows_put(r, p, (size_t)(tmp + sizeof tmp - p));
}

void tl_rows_real(struct tl_rows *r, double v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof tmp, "%.10g", v);

	rows_cell(r);
	rows_put(r, tmp, (size_t)n);
}

void tl_rows_null(struct tl_rows *r)
{
	rows_cell(r);
	if (r->fmt == TL_FMT_JSON)
		rows_put(r, "null", 4);
}

void tl_rows_end_row(struct tl_rows *r)
{
	if (r->fmt == TL_FMT_CSV)
		rows_put(r, "\r\n", 2);
	else
		rows_char(r, '}');
	r->col = 0;
	r->nrows++;
}

/* One column of the current row into one writer, by its SQLite type. */
static void rows_column(struct tl_rows *r, sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER: tl_rows_int(r, sqlite3_column_int64(st, i)); break;
	case SQLITE_FLOAT: tl_rows_real(r, sqlite3_column_double(st, i)); break;
	case SQLITE_NULL: tl_rows_null(r); break;
	default: tl_rows_text(r, (const char *)sqlite3_column_text(st, i)); break;
	}
}

int tl_rows_query(struct tl_rows *r, sqlite3_stmt *st)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < r->ncols; i++)
			rows_column(r, st, i);
		tl_rows_end_row(r);
	}
	return rc == SQLITE_DONE ? 0 : rc;
}

int tl_rows_finish(struct tl_rows *r)
{
	if (r->fmt == TL_FMT_JSON)
		rows_str(r, r->nrows ? "\n]\n" : "]\n");
	rows_flush(r);
	return (r->failed || fflush(r->out) != 0 || ferror(r->out)) ? -1 : 0;
}
