/* cli_csv.c - see cli_csv.h. */
#include "cli_csv.h"
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

void cli_csv_open(struct cli_csv *c, const char *path)
{
	memset(c, 0, sizeof *c);
	c->path = path;
	c->in = fopen(path, "rb");
	if (!c->in)
		cli_fail("%s: %s", path, strerror(errno));
}

void cli_csv_bad(struct cli_csv *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "touchline: %s line %d: ", c->path, c->lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	c->bad++;
}

/* Splits one CSV record (RFC 4180 quoting, no line breaks inside a
 * field) in place. Returns the number of fields, or -1 with why. */
static int csv_split(char *line, char **f, const char **why)
{
	int n = 0;
	char *p = line, *w;

	for (;;) {
		if (n == CLI_CSV_FIELDS) {
			*why = "more than 16 fields";
			return -1;
		}
		f[n++] = w = p;
		if (*p == '"') {
			p++;
			for (;;) {
				if (!*p) {
					*why = "a quoted field is not closed (a field cannot span lines)";
					return -1;
				}
				if (*p == '"' && p[1] == '"') {
					*w++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					*w++ = *p++;
				}
			}
			if (*p && *p != ',') {
				*why = "text after a closing quote";
				return -1;
			}
		} else {
			while (*p && *p != ',') {
				if (*p == '"') {
					*why = "a quote inside an unquoted field";
					return -1;
				}
				*w++ = *p++;
			}
		}
		if (!*p) {
			*w = '\0';
			return n;
		}
		*w = '\0';
		p++;
	}
}

/* The end of the file: a read error fails the command. */
static int csv_end(struct cli_csv *c)
{
	if (c->in) {
		if (ferror(c->in))
			cli_fail("%s: cannot read: %s", c->path, strerror(errno));
		fclose(c->in);
		c->in = NULL;
	}
	return 0;
}

int cli_csv_next(struct cli_csv *c)
{
	while (c->in && fgets(c->line, sizeof c->line, c->in)) {
		size_t len = strlen(c->line);
		char *p = c->line;
		const char *why;

		c->lineno++;
		if (len == sizeof c->line - 1 && c->line[len - 1] != '\n' && !feof(c->in)) {
			int ch;
			while ((ch = fgetc(c->in)) != EOF && ch != '\n')
				;
			cli_csv_bad(c, "longer than %d bytes", CLI_CSV_LINE);
			if (!c->header_done)
				return csv_end(c);
			continue;
		}
		if (memchr(c->line, '\0', len) || strlen(c->line) != len) {
			cli_csv_bad(c, "contains a NUL byte");
			continue;
		}
		while (len && (c->line[len - 1] == '\n' || c->line[len - 1] == '\r'))
			c->line[--len] = '\0';
		if (c->lineno == 1 && !strncmp(p, "\xef\xbb\xbf", 3))
			p += 3; /* a spreadsheet's byte order mark */
		if (!*p && c->header_done)
			continue; /* a blank line */
		c->nf = csv_split(p, c->f, &why);
		if (c->nf < 0) {
			cli_csv_bad(c, "%s", why);
			if (!c->header_done)
				return csv_end(c);
			continue;
		}
		return 1;
	}
	return csv_end(c);
}

int cli_csv_header(struct cli_csv *c, const char *const *names, const int *required, int n,
                   int *col, const char *columns_help)
{
	long before = c->bad;

	c->header_done = 1;
	for (int k = 0; k < n; k++)
		col[k] = -1;
	for (int i = 0; i < c->nf; i++) {
		int known = 0;
		for (int k = 0; k < n; k++)
			if (!strcmp(c->f[i], names[k])) {
				if (col[k] >= 0)
					cli_csv_bad(c, "column %s twice", names[k]);
				col[k] = i;
				known = 1;
			}
		if (!known)
			cli_csv_bad(c, "unknown column '%s' (columns: %s)", c->f[i], columns_help);
	}
	for (int k = 0; k < n; k++)
		if (col[k] < 0 && required[k])
			cli_csv_bad(c, "no %s column", names[k]);
	c->col_need = 0;
	for (int k = 0; k < n; k++)
		if (col[k] + 1 > c->col_need)
			c->col_need = col[k] + 1;
	if (c->bad > before && c->in) {
		fclose(c->in); /* nothing can be read under a bad header */
		c->in = NULL;
	}
	return c->bad > before ? -1 : 0;
}

int cli_csv_width(struct cli_csv *c)
{
	if (c->nf == c->col_need)
		return 0;
	cli_csv_bad(c, "%d fields, the header has %d", c->nf, c->col_need);
	return -1;
}
