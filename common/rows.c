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

void tl_rows_begin(struct tl_rows *r, FILE *out, enum tl_format fmt, const char *const *cols,
                   int ncols)
{
	r->out = out;
	r->fmt = fmt;
	r->cols = cols;
	r->ncols = ncols;
	r->col = 0;
	r->nrows = 0;
	if (fmt == TL_FMT_JSON) {
		fputc('[', out);
		return;
	}
	for (int i = 0; i < ncols; i++)
		fprintf(out, "%s%s", i ? "," : "", cols[i]);
	fputs("\r\n", out);
}

/* Opens a cell: the separator, and in JSON the object brace and key. */
static void rows_cell(struct tl_rows *r)
{
	if (r->fmt == TL_FMT_CSV) {
		if (r->col)
			fputc(',', r->out);
	} else {
		if (r->col == 0)
			fputs(r->nrows ? ",\n{" : "\n{", r->out);
		else
			fputc(',', r->out);
		fprintf(r->out, "\"%s\":", r->cols[r->col]);
	}
	r->col++;
}

static void rows_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

/* RFC 4180 quoting, plus formula neutralisation for spreadsheets. */
static void rows_csv_string(FILE *out, const char *s)
{
	int formula = strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0';
	int quote = formula || strpbrk(s, ",\"\r\n") != NULL;

	if (!quote) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	if (formula)
		fputc('\'', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

void tl_rows_text(struct tl_rows *r, const char *s)
{
	if (!s) {
		tl_rows_null(r);
		return;
	}
	rows_cell(r);
	if (r->fmt == TL_FMT_CSV)
		rows_csv_string(r->out, s);
	else
		rows_json_string(r->out, s);
}

void tl_rows_int(struct tl_rows *r, long long v)
{
	rows_cell(r);
	fprintf(r->out, "%lld", v);
}

void tl_rows_real(struct tl_rows *r, double v)
{
	rows_cell(r);
	fprintf(r->out, "%.10g", v);
}

void tl_rows_null(struct tl_rows *r)
{
	rows_cell(r);
	if (r->fmt == TL_FMT_JSON)
		fputs("null", r->out);
}

void tl_rows_end_row(struct tl_rows *r)
{
	if (r->fmt == TL_FMT_CSV)
		fputs("\r\n", r->out);
	else
		fputc('}', r->out);
	r->col = 0;
	r->nrows++;
}

int tl_rows_query(struct tl_rows *r, sqlite3_stmt *st)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < r->ncols; i++) {
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_INTEGER: tl_rows_int(r, sqlite3_column_int64(st, i)); break;
			case SQLITE_FLOAT: tl_rows_real(r, sqlite3_column_double(st, i)); break;
			case SQLITE_NULL: tl_rows_null(r); break;
			default: tl_rows_text(r, (const char *)sqlite3_column_text(st, i)); break;
			}
		}
		tl_rows_end_row(r);
	}
	return rc == SQLITE_DONE ? 0 : rc;
}

int tl_rows_finish(struct tl_rows *r)
{
	if (r->fmt == TL_FMT_JSON)
		fputs(r->nrows ? "\n]\n" : "]\n", r->out);
	return (fflush(r->out) != 0 || ferror(r->out)) ? -1 : 0;
}
