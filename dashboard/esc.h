/* esc.h - HTML escaping (esc.c), the one way text reaches a page. */
#ifndef TL_DASH_ESC_H
#define TL_DASH_ESC_H

#include <stddef.h>
#include <stdio.h>

/* Writes s (NULL: nothing), or its first n bytes, with & < > " ' as
 * character references: safe in text and in quoted attribute values. */
void html_esc(FILE *f, const char *s);
void html_esc_n(FILE *f, const char *s, size_t n);

/* A table's scroll region: focusable and named, so a keyboard user can
 * scroll it and a screen reader says what it holds (label: literal text,
 * or a format such as "%s"). */
#define HTML_SCROLL_OPEN "<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\""
#define HTML_SCROLL(label) HTML_SCROLL_OPEN label "\">"

#endif
