/* page_downloads.c - links to the exports and the data dictionary, so an
 * evaluator takes the numbers away in a tidy form. */
#include "dashboard.h"

extern const char *const downloads_kinds[];
extern const int downloads_count;

void page_downloads(FILE *f, struct dash *d, const struct dash_scope *s)
{
	(void)s;
	html_section(f, "downloads", "Downloads");
	fputs("<p>Tidy tables for evaluators, with pseudonymous codes only (never names or card "
	      "tokens), as <code>touchline export</code> writes them",
	      f);
	if (d->programme[0] || d->site[0] || d->since[0])
		fputs(" for this dashboard's selection", f);
	fprintf(f, ", sessions up to %s. Every column is described in the "
	           "<a href=\"data-dictionary.html\">data dictionary</a> "
	           "(<a href=\"downloads/data-dictionary.md\">as text</a>).</p>\n<ul>\n",
	        d->today);
	for (int i = 0; i < downloads_count; i++)
		fprintf(f, "<li><a href=\"downloads/%s.csv\" download>%s</a> (CSV)</li>\n",
		        downloads_kinds[i], downloads_kinds[i]);
	fputs("</ul>\n", f);
	html_section_end(f);
}
