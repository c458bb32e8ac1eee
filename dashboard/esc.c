/* esc.c - HTML escaping. Everything that comes from the database or a
 * document goes through here, in text and in attribute values alike. */
#include "esc.h"

static inline void esc1(FILE *f, char c)
{
	switch (c) {
	case '&': fputs("&amp;", f); break;
	case '<': fputs("&lt;", f); break;
	case '>': fputs("&gt;", f); break;
	case '"': fputs("&quot;", f); break;
	case '\'': fputs("&#39;", f); break;
	case '\0': fputs("&#65533;", f); break;
	default: fputc(c, f);
	}
}

void html_esc_n(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		esc1(f, s[i]);
}

void html_esc(FILE *f, const char *s)
{
	for (; s && *s; s++)
		esc1(f, *s);
}
