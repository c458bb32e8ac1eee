/* markdown.c - the small subset of Markdown the project's docs use, as
 * HTML: ATX headings (with ids, as GitHub makes them), paragraphs,
 * bulleted and numbered lists (items continued by indented lines, one
 * level of nesting), pipe tables, fenced code blocks, code spans, links,
 * *emphasis* and **strong**. Anything else is text. Every character of
 * the input reaches the output through html_esc_n, so no input, however
 * hostile, can make markup: raw HTML is shown as text, and a link only
 * becomes one when it points within the page (#anchor); any other target
 * is written out as text, so the page never links or fetches elsewhere. */
#include "markdown.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* How far ahead a closing delimiter (of a code span, emphasis or link)
 * is looked for: far more than any real one, and a bound on the work a
 * hostile text of unclosed delimiters can cause (linear, not quadratic). */
#define MD_REACH 4096

struct md {
	FILE *f;
	char (*ids)[64];     /* heading ids given so far, to keep them unique */
	int nids, capids;
	char label[128];     /* the last heading, as text: names the next table */
	int tables;
};

/* The inline markup of s[0..n): code spans first (their content is
 * literal), then links and emphasis; depth bounds the nesting. */
static void md_inline(struct md *m, const char *s, size_t n, int depth);

/* Index of the first occurrence of the delimiter d (len 1 or 2) in
 * s[from..n) that closes an emphasis (not after a space), skipping code
 * spans; n if none. */
static size_t md_close(const char *s, size_t n, size_t from, const char *d, size_t len)
{
	size_t stop = n - from > MD_REACH ? from + MD_REACH : n;

	for (size_t i = from; i + len <= stop; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			i++;
			continue;
		}
		if (s[i] == '`') {
			size_t j = i + 1;
			while (j < stop && s[j] != '`')
				j++;
			if (j >= stop)
				return n;
			i = j;
			continue;
		}
		if (memcmp(s + i, d, len) == 0 && i > from && !isspace((unsigned char)s[i - 1]) &&
		    (len == 2 || i + 1 >= n || s[i + 1] != '*'))
			return i;
	}
	return n;
}

/* GitHub's heading id: lower case, spaces to '-', other punctuation but
 * '-' and '_' dropped; "-1", "-2" ... on a repeat. */
static void md_slug(const char *s, size_t n, char out[64])
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < 56; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || c == '-' || c == '_')
			out[k++] = (char)tolower(c);
		else if (c == ' ')
			out[k++] = '-';
	}
	out[k] = '\0';
	if (!k)
		snprintf(out, 64, "section");
}

static void md_unique(struct md *m, char id[64])
{
	char base[64];
	int dup = 0;

	snprintf(base, sizeof base, "%s", id);
	for (int again = 1; again;) {
		again = 0;
		for (int i = 0; i < m->nids; i++)
			if (strcmp(m->ids[i], id) == 0) {
				snprintf(id, 64, "%.50s-%d", base, ++dup & 0xffff);
				again = 1;
				break;
			}
	}
	if (m->nids == m->capids) {
		m->capids = m->capids ? 2 * m->capids : 32;
		m->ids = realloc(m->ids, (size_t)m->capids * sizeof *m->ids);
		if (!m->ids) {
			m->nids = m->capids = 0;
			return;
		}
	}
	snprintf(m->ids[m->nids++], 64, "%s", id);
}

static void md_inline(struct md *m, const char *s, size_t n, int depth)
{
	size_t i = 0, run = 0; /* s[run..i) is plain text not yet written */

	while (i < n) {
		char c = s[i];
		if (c == '\\' && i + 1 < n && ispunct((unsigned char)s[i + 1])) {
			html_esc_n(m->f, s + run, i - run);
			run = ++i; /* the escaped character is written as text */
			i++;
			continue;
		}
		if (c == '`') {
			size_t ticks = 0, j, k, stop;
			while (i + ticks < n && s[i + ticks] == '`')
				ticks++;
			stop = n - i > MD_REACH ? i + MD_REACH : n;
			for (j = i + ticks; j < stop; j++) {
				for (k = 0; j + k < n && s[j + k] == '`'; k++)
					;
				if (k == ticks)
					break;
				j += k ? k - 1 : 0;
			}
			if (j >= stop) { /* no closing run: the backticks are text */
				i += ticks;
				continue;
			}
			html_esc_n(m->f, s + run, i - run);
			fputs("<code>", m->f);
			for (size_t p = i + ticks; p < j; p++) /* line ends inside become spaces */
				html_esc_n(m->f, s[p] == '\n' ? " " : s + p, 1);
			fputs("</code>", m->f);
			i = run = j + ticks;
			continue;
		}
		if (c == '*' && depth < 8) {
			size_t len = i + 1 < n && s[i + 1] == '*' ? 2 : 1;
			size_t e = i + len < n && !isspace((unsigned char)s[i + len])
			                   ? md_close(s, n, i + len, len == 2 ? "**" : "*", len)
			                   : n;
			if (e < n) {
				html_esc_n(m->f, s + run, i - run);
				fputs(len == 2 ? "<strong>" : "<em>", m->f);
				md_inline(m, s + i + len, e - i - len, depth + 1);
				fputs(len == 2 ? "</strong>" : "</em>", m->f);
				i = run = e + len;
				continue;
			}
			i += len;
			continue;
		}
		if (c == '[' && depth < 8) {
			size_t close = i + 1, end, stop = n - i > MD_REACH ? i + MD_REACH : n;
			int level = 1;
			for (; close < stop && level; close++)
				level += s[close] == '[' ? 1 : s[close] == ']' ? -1 : 0;
			close--; /* at the matching ']' if level is 0 */
			if (level == 0 && close + 1 < n && s[close + 1] == '(') {
				for (end = close + 2; end < stop && s[end] != ')' && s[end] != '\n' &&
				                      s[end] != ' ';
				     end++)
					;
				if (end < stop && s[end] == ')') {
					const char *url = s + close + 2;
					size_t ulen = end - close - 2;
					html_esc_n(m->f, s + run, i - run);
					if (ulen > 1 && url[0] == '#') {
						char id[64];
						md_slug(url + 1, ulen - 1, id);
						fprintf(m->f, "<a href=\"#%s\">", id);
						md_inline(m, s + i + 1, close - i - 1, depth + 1);
						fputs("</a>", m->f);
					} else {
						/* elsewhere: the text, and the target as text
						 * (once, when they are the same) */
						md_inline(m, s + i + 1, close - i - 1, depth + 1);
						if (ulen != close - i - 1 || memcmp(url, s + i + 1, ulen)) {
							fputs(" (", m->f);
							html_esc_n(m->f, url, ulen);
							fputc(')', m->f);
						}
					}
					i = run = end + 1;
					continue;
				}
			}
		}
		i++;
	}
	html_esc_n(m->f, s + run, n - run);
}

/* A line: its start and length without the line end. */
struct md_line {
	const char *s;
	size_t n;
	size_t indent;       /* leading spaces */
};

static int md_blank(const struct md_line *l)
{
	return l->indent == l->n;
}

/* Length of a list marker ("- ", "* ", "12. ") at the line's indent, 0 if none. */
static size_t md_bullet(const struct md_line *l, int *ordered)
{
	const char *s = l->s + l->indent;
	size_t n = l->n - l->indent, k = 0;

	if (n >= 2 && (s[0] == '-' || s[0] == '*' || s[0] == '+') && s[1] == ' ') {
		*ordered = 0;
		return 2;
	}
	while (k < n && k < 9 && isdigit((unsigned char)s[k]))
		k++;
	if (k && k + 1 < n && (s[k] == '.' || s[k] == ')') && s[k + 1] == ' ') {
		*ordered = 1;
		return k + 2;
	}
	return 0;
}

static size_t md_heading(const struct md_line *l)
{
	size_t k = 0;

	if (l->indent > 3)
		return 0;
	while (l->indent + k < l->n && l->s[l->indent + k] == '#')
		k++;
	if (k < 1 || k > 6 || (l->indent + k < l->n && l->s[l->indent + k] != ' '))
		return 0;
	return k;
}

static int md_fence(const struct md_line *l)
{
	return l->indent <= 3 && l->n - l->indent >= 3 && strncmp(l->s + l->indent, "```", 3) == 0;
}

static int md_table_row(const struct md_line *l)
{
	return l->indent <= 3 && l->n > l->indent && l->s[l->indent] == '|';
}

/* A table's separator row: |---|:--:|... */
static int md_table_rule(const struct md_line *l)
{
	int dash = 0;

	if (!md_table_row(l))
		return 0;
	for (size_t i = l->indent; i < l->n; i++) {
		char c = l->s[i];
		if (c == '-')
			dash = 1;
		else if (c != '|' && c != ':' && c != ' ')
			return 0;
	}
	return dash;
}

/* The cells of a table row: split at '|' outside code spans, each
 * trimmed; written as th (header) or td. */
static void md_table_cells(struct md *m, const struct md_line *l, int head)
{
	const char *s = l->s + l->indent + 1, *end = l->s + l->n;
	int code = 0;

	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end > s && end[-1] == '|' && (end - 1 == s || end[-2] != '\\'))
		end--;
	fputs("<tr>", m->f);
	for (const char *p = s, *c = s;; p++) {
		if (p < end && *p == '\\' && p + 1 < end) {
			p++;
			continue;
		}
		if (p < end && *p == '`')
			code = !code;
		if (p == end || (*p == '|' && !code)) {
			const char *a = c, *b = p;
			while (a < b && *a == ' ')
				a++;
			while (b > a && b[-1] == ' ')
				b--;
			fputs(head ? "<th scope=\"col\">" : "<td>", m->f);
			md_inline(m, a, (size_t)(b - a), 0);
			fputs(head ? "</th>" : "</td>", m->f);
			if (p == end)
				break;
			c = p + 1;
		}
	}
	fputs("</tr>\n", m->f);
}

/* Appends the text of lines [from, to) to a buffer, joined by '\n', each
 * without the first skip[i] characters. */
static char *md_join(const struct md_line *v, int from, int to, const size_t *skip, size_t *len)
{
	size_t n = 0, k = 0;
	char *buf;

	for (int i = from; i < to; i++)
		n += v[i].n + 1;
	buf = malloc(n + 1);
	if (!buf)
		return NULL;
	for (int i = from; i < to; i++) {
		size_t sk = skip ? skip[i - from] : v[i].indent;
		if (sk > v[i].n)
			sk = v[i].n;
		if (k)
			buf[k++] = '\n';
		memcpy(buf + k, v[i].s + sk, v[i].n - sk);
		k += v[i].n - sk;
	}
	buf[k] = '\0';
	*len = k;
	return buf;
}

static void md_text(struct md *m, const struct md_line *v, int from, int to)
{
	size_t len;
	char *buf = md_join(v, from, to, NULL, &len);

	if (buf)
		md_inline(m, buf, len, 0);
	free(buf);
}

/* Whether line l starts a block other than a paragraph. */
static int md_starts_block(const struct md_line *l)
{
	int ord;
	return md_heading(l) || md_fence(l) || md_table_row(l) || md_bullet(l, &ord);
}

/* A list starting at line i, its items at indent; returns the line
 * after it. Nested lists are items more indented than this one's text. */
static int md_list(struct md *m, const struct md_line *v, int n, int i, size_t indent, int depth)
{
	int ordered, ord2;
	size_t mark = md_bullet(&v[i], &ordered);

	fputs(ordered ? "<ol>\n" : "<ul>\n", m->f);
	while (i < n && v[i].indent == indent && md_bullet(&v[i], &ord2) && ord2 == ordered) {
		int j = i + 1;
		size_t text = indent + md_bullet(&v[i], &ord2);
		fputs("<li>", m->f);
		/* the item's own lines: continuation lines indented past the marker
		 * (or lazily, any non-blank line that starts no block) */
		while (j < n && !md_blank(&v[j]) &&
		       (v[j].indent >= text ? !md_bullet(&v[j], &ord2) : !md_starts_block(&v[j])))
			j++;
		{
			size_t *skip = malloc((size_t)(j - i) * sizeof *skip), len;
			char *buf;
			if (skip) {
				skip[0] = text;
				for (int k = i + 1; k < j; k++)
					skip[k - i] = v[k].indent;
				buf = md_join(v, i, j, skip, &len);
				if (buf)
					md_inline(m, buf, len, 0);
				free(buf);
				free(skip);
			}
		}
		i = j;
		if (i < n && v[i].indent > indent && md_bullet(&v[i], &ord2) && depth < 4) {
			fputc('\n', m->f);
			i = md_list(m, v, n, i, v[i].indent, depth + 1);
		}
		fputs("</li>\n", m->f);
		/* a blank line between items keeps the list going */
		if (i + 1 < n && md_blank(&v[i]) && v[i + 1].indent == indent &&
		    md_bullet(&v[i + 1], &ord2) && ord2 == ordered)
			i++;
	}
	fputs(ordered ? "</ol>\n" : "</ul>\n", m->f);
	(void)mark;
	return i;
}

void md_to_html(FILE *f, const char *src)
{
	struct md m;
	struct md_line *v = NULL;
	int n = 0, cap = 0;

	memset(&m, 0, sizeof m);
	m.f = f;
	for (const char *p = src; p && *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		struct md_line l = { p, len, 0 };
		if (l.n && l.s[l.n - 1] == '\r')
			l.n--;
		while (l.indent < l.n && (l.s[l.indent] == ' ' || l.s[l.indent] == '\t'))
			l.indent++;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			v = realloc(v, (size_t)cap * sizeof *v);
			if (!v)
				return;
		}
		v[n++] = l;
		p = e ? e + 1 : p + len;
	}
	for (int i = 0; i < n;) {
		size_t h;
		if (md_blank(&v[i])) {
			i++;
		} else if ((h = md_heading(&v[i])) != 0) {
			const char *t = v[i].s + v[i].indent + h;
			size_t tn = v[i].n - v[i].indent - h;
			char id[64];
			while (tn && *t == ' ')
				t++, tn--;
			while (tn && (t[tn - 1] == '#' || t[tn - 1] == ' '))
				tn--;
			md_slug(t, tn, id);
			md_unique(&m, id);
			snprintf(m.label, sizeof m.label, "%.*s", (int)(tn < 120 ? tn : 120), t);
			fprintf(f, "<h%zu id=\"%s\">", h, id);
			md_inline(&m, t, tn, 0);
			fprintf(f, "</h%zu>\n", h);
			i++;
		} else if (md_fence(&v[i])) {
			fputs("<pre><code>", f);
			for (i++; i < n && !md_fence(&v[i]); i++) {
				html_esc_n(f, v[i].s, v[i].n);
				fputc('\n', f);
			}
			fputs("</code></pre>\n", f);
			i += i < n; /* the closing fence */
		} else if (md_table_row(&v[i]) && i + 1 < n && md_table_rule(&v[i + 1])) {
			fputs(HTML_SCROLL_OPEN, f);
			html_esc(f, m.label[0] ? m.label : "Table");
			fprintf(f, " (table %d)\"><table>\n<thead>", ++m.tables);
			md_table_cells(&m, &v[i], 1);
			fputs("</thead>\n<tbody>\n", f);
			for (i += 2; i < n && md_table_row(&v[i]); i++)
				md_table_cells(&m, &v[i], 0);
			fputs("</tbody>\n</table></div>\n", f);
		} else if (v[i].indent <= 3 && md_bullet(&v[i], &(int){ 0 })) {
			i = md_list(&m, v, n, i, v[i].indent, 0);
		} else {
			int j = i + 1;
			while (j < n && !md_blank(&v[j]) && !md_starts_block(&v[j]))
				j++;
			fputs("<p>", f);
			md_text(&m, v, i, j);
			fputs("</p>\n", f);
			i = j;
		}
	}
	free(v);
	free(m.ids);
}
