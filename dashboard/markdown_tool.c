/* markdown_tool.c - tl-markdown FILE: the HTML of a Markdown file on
 * standard output. The build runs it on docs/data-dictionary.md for the
 * dashboard's data-dictionary page; the tests run it on hostile input. */
#include "markdown.h"

#include <stdlib.h>

int main(int argc, char **argv)
{
	FILE *in;
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (argc != 2) {
		fputs("usage: tl-markdown FILE\n", stderr);
		return 2;
	}
	if (!(in = fopen(argv[1], "rb"))) {
		perror(argv[1]);
		return 1;
	}
	do {
		if (n + 4096 + 1 > cap) {
			char *b = realloc(buf, cap = 2 * cap + 4096 + 1);
			if (!b) {
				fputs("tl-markdown: out of memory\n", stderr);
				return 1;
			}
			buf = b;
		}
		got = fread(buf + n, 1, cap - n - 1, in);
		n += got;
	} while (got);
	fclose(in);
	buf[n] = '\0';
	md_to_html(stdout, buf);
	free(buf);
	return fflush(stdout) || ferror(stdout) ? 1 : 0;
}
