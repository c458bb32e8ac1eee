/* cli_csv.h - the one CSV reader of the CLI's imports (touchline import
 * assessments|participants|enrolments|schedules): RFC 4180 records, one
 * per line (no line break inside a field), a header naming the columns,
 * a spreadsheet's byte order mark and CRLF line ends taken, blank lines
 * skipped. Every bad line is reported on stderr as "FILE line N: why" and
 * counted, so an import can report them all and then store nothing. */
#ifndef TL_CLI_CSV_H
#define TL_CLI_CSV_H

#include <stdio.h>

#define CLI_CSV_LINE 4096
#define CLI_CSV_FIELDS 16

struct cli_csv {
	FILE *in;
	const char *path;
	int lineno;
	int header_done;
	long bad;                       /* lines reported */
	char line[CLI_CSV_LINE + 2];
	char *f[CLI_CSV_FIELDS];        /* the record's fields, into line */
	int nf;
	int col_need;                   /* fields every record must have */
};

/* Opens path for reading; fails the command if it cannot. */
void cli_csv_open(struct cli_csv *c, const char *path);
/* Reads the next record into f/nf: 1 if there is one, 0 at the end (or
 * after a bad header line: nothing can be read without a header). Bad
 * lines are reported, counted and skipped. Fails the command on a read
 * error. Closes the file at the end. */
int cli_csv_next(struct cli_csv *c);
/* Reports a bad line (the current one) and counts it. */
void cli_csv_bad(struct cli_csv *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Maps the header record (just read) onto n column names: col[i] gets
 * the field index of names[i] or -1. Reports unknown columns (with
 * columns_help, the list to choose from), columns twice and missing
 * required ones (required[i] nonzero). Returns 0 if the header is good. */
int cli_csv_header(struct cli_csv *c, const char *const *names, const int *required, int n,
                   int *col, const char *columns_help);
/* 0 if the record has as many fields as the header needs, else reports it. */
int cli_csv_width(struct cli_csv *c);

#endif
