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

/* One export, as CSV: what spreadsheets and statistics packages open
 * (JSON is `touchline export --format json`; at national scale it would
 * add 0.8 GB to every run's folder). */
static void downloads_export(struct dash *d, const char *kind)
{
	const struct tl_export_kind *k = tl_export_find(kind);
	struct tl_export_filter flt = { NULL, NULL, NULL, NULL, NULL, 0 };
	char csv[64], err[512];
	FILE *f;

	if (!k)
		dash_fail("no export '%s' in this build", kind);
	if (k->filters & TL_EXPORT_DATES) {
		flt.from = d->since[0] ? d->since : NULL;
		flt.to = d->today;
	}
	if ((k->filters & TL_EXPORT_PROGRAMME) && d->programme[0])
		flt.programme = d->programme;
	if ((k->filters & TL_EXPORT_SITE) && d->site[0])
		flt.site = d->site;
	snprintf(csv, sizeof csv, "downloads/%s.csv", k->name);
	f = site_open(d, csv);
	if (tl_export_write(d->db, k, TL_FMT_CSV, &flt, f, NULL, err, sizeof err))
		dash_fail("%s: %s", csv, err);
	site_close(f, csv);
}

/* The data dictionary, as its markdown source and as a page. */
static void downloads_dictionary(struct dash *d)
{
	FILE *f = site_open(d, "downloads/data-dictionary.md");

	fputs(dash_data_dictionary, f);
	site_close(f, "downloads/data-dictionary.md");
	f = site_open(d, "data-dictionary.html");
	html_dictionary(f);
	site_close(f, "data-dictionary.html");
}

/* Jobs 0 .. downloads_count - 1 are the exports, largest first
 * (attendance), then the dictionary. */
void downloads_work(struct dash *d, atomic_int *next)
{
	for (int job; (job = atomic_fetch_add(next, 1)) <= downloads_count;) {
		if (job < downloads_count)
			downloads_export(d, downloads_kinds[job]);
		else
			downloads_dictionary(d);
	}
}
