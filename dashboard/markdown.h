/* markdown.h - a small Markdown subset as HTML (markdown.c). */
#ifndef TL_DASH_MARKDOWN_H
#define TL_DASH_MARKDOWN_H

#include "esc.h"

/* Writes the HTML of the Markdown text src (a fragment: no document
 * around it). Every character of src is escaped; links are made only to
 * anchors within the fragment. */
void md_to_html(FILE *f, const char *src);

#endif
