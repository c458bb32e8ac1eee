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

void downloads_write(struct dash *d, unsigned mask)
{
	FILE *f;

	for (int i = 0; i < downloads_count; i++) {
		const struct tl_export_kind *k = tl_export_find(downloads_kinds[i]);
		if (!(mask & (1u << i)))
			continue;
		struct tl_export_filter flt = { NULL, NULL, NULL, NULL, NULL, 0 };
		struct tl_export_out out[2] = { { NULL, TL_FMT_CSV }, { NULL, TL_FMT_JSON } };
		char csv[64], json[64], err[512];
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
		/* CSV and JSON from one pass over the query */
		snprintf(csv, sizeof csv, "downloads/%s.csv", k->name);
		snprintf(json, sizeof json, "downloads/%s.json", k->name);
		out[0].file = site_open(d, csv);
		out[1].file = site_open(d, json);
		if (tl_export_write_multi(d->db, k, &flt, out, 2, &n, err, sizeof err))
			dash_fail("%s: %s", csv, err);
		site_close(out[0].file, csv);
		site_close(out[1].file, json);
	}
	if (!(mask & DOWNLOADS_DICTIONARY))
		return;
	f = site_open(d, "downloads/data-dictionary.md");
	fputs(dash_data_dictionary, f);
	site_close(f, "downloads/data-dictionary.md");
	f = site_open(d, "data-dictionary.html");
	html_dictionary(f);
	site_close(f, "data-dictionary.html");
}
