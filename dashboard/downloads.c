/* downloads.c - the evaluator exports, written by the same code as
 * 'touchline export' (common/export.c), and the data dictionary. They
 * follow the run's --programme, --site and --since (and stop at --today),
 * where the export accepts that filter. */
#include "dashboard.h"
#include "export.h"

#include <string.h>

const char *const downloads_kinds[] = { "attendance", "activity", "participants", "sessions" };
const int downloads_count = 4;

extern const char dash_data_dictionary[];

void downloads_write(struct dash *d)
{
	FILE *f;

	for (int i = 0; i < downloads_count; i++) {
		const struct tl_export_kind *k = tl_export_find(downloads_kinds[i]);
		for (int j = 0; j < 2; j++) {
			struct tl_export_filter flt = { NULL, NULL, NULL, NULL, 0 };
			char name[64], err[512];
			long n;
			if (!k)
				dash_fail("no export '%s' in this build", downloads_kinds[i]);
			if (k->filters & TL_EXPORT_DATES) {
				flt.from = d->since[0] ? d->since : NULL;
				flt.to = d->today;
			}
			if ((k->filters & TL_EXPORT_PROGRAMME) && d->programme[0])
				flt.programme = d->programme;
			if ((k->filters & TL_EXPORT_SITE) && d->site[0])
				flt.site = d->site;
			snprintf(name, sizeof name, "downloads/%s.%s", k->name, j ? "json" : "csv");
			f = site_open(d, name);
			if (tl_export_write(d->db, k, j ? TL_FMT_JSON : TL_FMT_CSV, &flt, f, &n, err,
			                    sizeof err))
				dash_fail("%s: %s", name, err);
			site_close(f, name);
		}
	}
	f = site_open(d, "downloads/data-dictionary.md");
	fputs(dash_data_dictionary, f);
	site_close(f, "downloads/data-dictionary.md");
	f = site_open(d, "data-dictionary.html");
	html_dictionary(f);
	site_close(f, "data-dictionary.html");
}
