/* outcomes.c - see outcomes.h. Definitions are INI, read by inih. */
#include "outcomes.h"
#include "log.h"
#include "grow.h"
#include "rules.h"

#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const tl_exit_reasons[] = { "completed",  "work_or_training", "moved_away",
	                                "custody",    "disengaged",       "other" };
const int tl_exit_reason_count = (int)(sizeof tl_exit_reasons / sizeof tl_exit_reasons[0]);

int tl_exit_reason_valid(const char *reason)
{
	for (int i = 0; i < tl_exit_reason_count; i++)
		if (strcmp(reason, tl_exit_reasons[i]) == 0)
			return 1;
	return 0;
}

int tl_exit_reason_good(const char *reason)
{
	return reason && strcmp(reason, "work_or_training") == 0;
}

int tl_out_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n < 1 || n > TL_OUT_ID - 1)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') ||
		      id[i] == '_' || id[i] == '-'))
			return 0;
	return 1;
}

int tl_out_wave_valid(const char *wave)
{
	return tl_out_id_valid(wave);
}

/* The standard waves come in this order; others after them, by name. */
static int out_wave_rank(const char *wave)
{
	static const char *const w[] = { "intake", "mid", "exit", "followup" };
	for (int i = 0; i < 4; i++)
		if (strcmp(wave, w[i]) == 0)
			return i;
	return 4;
}

#ifdef INI_MAX_LINE
#define OUT_MAX_LINE INI_MAX_LINE
#else
#define OUT_MAX_LINE 200
#endif

/* --- Definitions ------------------------------------------------------ */

struct out_parse {
	struct tl_instrument *in;
	const char *next;     /* the text not read yet */
	int lines, long_line; /* lines read; the first too long for inih, 0 if none */
	char why[300];
	unsigned seen;        /* [instrument] keys given, by bit */
	int item_seen[TL_OUT_MAX_ITEMS];
	int table_seen;
	unsigned char *table_has; /* per raw total */
};

/* Keeps the first error of a parse; returns 0 (inih: stop). */
__attribute__((format(printf, 2, 3)))
static int out_fail(struct out_parse *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->why[0]) {
		va_start(ap, fmt);
		vsnprintf(p->why, sizeof p->why, fmt, ap);
		va_end(ap);
	}
	return 0;
}

/* Strict whole number in lo..hi; -1 if not. */
static int out_int(const char *v, long lo, long hi, long *out)
{
	char *end;
	long x;

	errno = 0;
	x = strtol(v, &end, 10);
	if (errno || end == v || *end || x < lo || x > hi)
		return -1;
	*out = x;
	return 0;
}

/* Strict finite number in lo..hi; -1 if not. */
static int out_num(const char *v, double lo, double hi, double *out)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(v, &end);
	if (errno || end == v || *end || !isfinite(x) || x < lo || x > hi)
		return -1;
	*out = x;
	return 0;
}

/* yes/no, true/false, 1/0. */
static int out_bool(const char *v, int *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
		return (*out = 1), 0;
	if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
		return (*out = 0), 0;
	return -1;
}

/* Copies a text value; -1 if too long. */
static int out_text(char *dst, const char *v)
{
	if (strlen(v) >= TL_OUT_TEXT)
		return -1;
	snprintf(dst, TL_OUT_TEXT, "%s", v);
	return 0;
}

static const char *const out_keys[] = { "id", "name", "source", "total", "max_missing",
	                                "higher_is_better", "meaningful_change",
	                                "meaningful_change_source", "min_pairs",
	                                "min_pairs_source", "decimals" };

/* One key of [instrument]; 1 to go on, 0 on an error (inih). */
static int out_instrument_key(struct out_parse *p, const char *name, const char *v)
{
	struct tl_instrument *in = p->in;
	int k = -1;
	long x;

	for (int i = 0; i < (int)(sizeof out_keys / sizeof out_keys[0]); i++)
		if (!strcmp(name, out_keys[i]))
			k = i;
	if (k < 0)
		return out_fail(p, "unknown key '%s' in [instrument]", name);
	if (p->seen & (1u << k))
		return out_fail(p, "'%s' given twice", name);
	p->seen |= 1u << k;
	switch (k) {
	case 0:
		if (!tl_out_id_valid(v))
			return out_fail(p, "id '%s' must be 1 to 32 of a-z, 0-9, _ and -", v);
		snprintf(in->id, sizeof in->id, "%s", v);
		return 1;
	case 1:
		return out_text(in->name, v) ? out_fail(p, "name too long") : 1;
	case 2:
		return out_text(in->source, v) ? out_fail(p, "source too long") : 1;
	case 3:
		if (!strcmp(v, "sum"))
			in->total = TL_OUT_SUM;
		else if (!strcmp(v, "table"))
			in->total = TL_OUT_TABLE;
		else if (!strcmp(v, "none"))
			in->total = TL_OUT_NONE;
		else
			return out_fail(p, "total '%s' must be sum, table or none", v);
		return 1;
	case 4:
		if (out_int(v, 0, TL_OUT_MAX_ITEMS, &x))
			return out_fail(p, "max_missing '%s' is not a whole number 0 to 32", v);
		in->max_missing = (int)x;
		return 1;
	case 5:
		return out_bool(v, &in->higher_is_better)
		               ? out_fail(p, "higher_is_better '%s' must be yes or no", v)
		               : 1;
	case 6:
		return out_num(v, 0, 1e6, &in->meaningful_change)
		               ? out_fail(p, "meaningful_change '%s' is not a number >= 0", v)
		               : 1;
	case 7:
		return out_text(in->change_source, v) ? out_fail(p, "source too long")
		                                      : 1;
	case 8:
		if (out_int(v, 0, 100000, &x))
			return out_fail(p, "min_pairs '%s' is not a whole number >= 0", v);
		in->min_pairs = (int)x;
		return 1;
	case 9:
		return out_text(in->min_pairs_source, v) ? out_fail(p, "source too long")
		                                         : 1;
	default:
		if (out_int(v, 0, 6, &x))
			return out_fail(p, "decimals '%s' is not a whole number 0 to 6", v);
		in->decimals = (int)x;
		return 1;
	}
}

/* One key of [item ID]: the item is made at its first key. */
static int out_item_key(struct out_parse *p, const char *item, const char *name, const char *v)
{
	struct tl_instrument *in = p->in;
	struct tl_out_item *it = NULL;
	int i;
	long x;

	for (i = 0; i < in->nitems && !it; i++)
		if (!strcmp(in->item[i].id, item))
			it = &in->item[i];
	if (it) {
		i--;
	} else {
		if (!tl_out_id_valid(item))
			return out_fail(p, "item id '%s' must be 1 to 32 of a-z, 0-9, _ and -", item);
		if (in->nitems == TL_OUT_MAX_ITEMS)
			return out_fail(p, "more than 32 items");
		it = &in->item[in->nitems];
		i = in->nitems++;
		memset(it, 0, sizeof *it);
		snprintf(it->id, sizeof it->id, "%s", item);
		it->min = it->max = -1;
		it->higher_is_better = -1; /* the instrument's, unless given */
	}
	if (!strcmp(name, "name")) {
		if (p->item_seen[i] & 1)
			return out_fail(p, "'%s' given twice in [item %s]", name, item);
		p->item_seen[i] |= 1;
		return out_text(it->name, v) ? out_fail(p, "name too long") : 1;
	}
	if (!strcmp(name, "min") || !strcmp(name, "max")) {
		int bit = name[1] == 'i' ? 2 : 4;
		if (p->item_seen[i] & bit)
			return out_fail(p, "'%s' given twice in [item %s]", name, item);
		p->item_seen[i] |= bit;
		if (out_int(v, 0, TL_OUT_MAX_RAW, &x))
			return out_fail(p, "'%s' is not a whole number 0 to 1000 (item %s)", v, item);
		*(bit == 2 ? &it->min : &it->max) = (int)x;
		return 1;
	}
	if (!strcmp(name, "higher_is_better"))
		return out_bool(v, &it->higher_is_better)
		               ? out_fail(p, "higher_is_better '%s' must be yes or no (item %s)", v, item)
		               : 1;
	if (!strcmp(name, "meaningful_change"))
		return out_num(v, 0, 1e6, &it->meaningful_change)
		               ? out_fail(p, "meaningful_change '%s' is not a number >= 0 (item %s)", v,
		                          item)
		               : 1;
	return out_fail(p, "unknown key '%s' in [item %s]", name, item);
}

/* One row of [table]: raw total = converted value. */
static int out_table_key(struct out_parse *p, const char *name, const char *v)
{
	long raw;
	double x;

	if (out_int(name, 0, TL_OUT_MAX_ITEMS * TL_OUT_MAX_RAW, &raw))
		return out_fail(p, "table key '%s' is not a raw total", name);
	if (out_num(v, -1e6, 1e6, &x))
		return out_fail(p, "table value '%s' for %s is not a number", v, name);
	if (p->table_has[raw])
		return out_fail(p, "raw total %s given twice in [table]", name);
	p->table_has[raw] = 1;
	p->in->table[raw] = x;
	p->table_seen = 1;
	return 1;
}

/* inih's reader: a line longer than inih's buffer would be split into a
 * confusing second line, so it is refused (as config.c does). */
static char *out_reader(char *str, int num, void *user)
{
	struct out_parse *p = user;
	const char *nl;
	size_t len;

	if (!*p->next)
		return NULL;
	nl = strchr(p->next, '\n');
	len = nl ? (size_t)(nl - p->next) + 1 : strlen(p->next);
	p->lines++;
	if (len > (size_t)num - 2) {
		if (!p->long_line)
			p->long_line = p->lines;
		str[0] = '\0';
	} else {
		memcpy(str, p->next, len);
		str[len] = '\0';
	}
	p->next += len;
	return str;
}

/* inih handler: routes each key to its section. */
static int out_handler(void *user, const char *section, const char *name, const char *value)
{
	struct out_parse *p = user;

	if (p->why[0])
		return 0;
	if (!strcmp(section, "instrument"))
		return out_instrument_key(p, name, value);
	if (!strncmp(section, "item ", 5))
		return out_item_key(p, section + 5, name, value);
	if (!strcmp(section, "table"))
		return out_table_key(p, name, value);
	return out_fail(p, "unknown section [%s]", section);
}

/* Checks a parsed definition as a whole. */
static int out_check(struct out_parse *p, char *err, size_t errlen)
{
	struct tl_instrument *in = p->in;
	int lo = 0, hi = 0;

	if (!(p->seen & 1) || !(p->seen & 2) || !(p->seen & 8)) {
		snprintf(err, errlen, "[instrument] needs id, name and total");
		return -1;
	}
	if (in->nitems == 0) {
		snprintf(err, errlen, "no items ([item ID] sections)");
		return -1;
	}
	for (int i = 0; i < in->nitems; i++) {
		struct tl_out_item *it = &in->item[i];
		if (it->min < 0 || it->max < 0 || it->min >= it->max) {
			snprintf(err, errlen, "item %s needs min and max, min below max", it->id);
			return -1;
		}
		if (it->higher_is_better < 0)
			it->higher_is_better = in->higher_is_better;
		if (!it->name[0])
			memcpy(it->name, it->id, strlen(it->id) + 1); /* ids are shorter than names */
		lo += it->min;
		hi += it->max;
	}
	if (in->max_missing >= in->nitems) {
		snprintf(err, errlen, "max_missing %d leaves no item to answer", in->max_missing);
		return -1;
	}
	if (in->total == TL_OUT_TABLE) {
		for (int r = lo; r <= hi; r++)
			if (!p->table_has[r]) {
				snprintf(err, errlen, "[table] has no row for raw total %d (it needs %d to %d)",
				         r, lo, hi);
				return -1;
			}
		for (int r = 0; r <= TL_OUT_MAX_ITEMS * TL_OUT_MAX_RAW; r++)
			if (p->table_has[r] && (r < lo || r > hi)) {
				snprintf(err, errlen, "[table] row %d is outside the raw totals %d to %d", r,
				         lo, hi);
				return -1;
			}
		in->table_lo = lo;
		in->table_hi = hi;
	} else if (p->table_seen) {
		snprintf(err, errlen, "a [table] needs total = table");
		return -1;
	}
	if (in->total == TL_OUT_NONE && (p->seen & (1u << 6))) {
		snprintf(err, errlen, "total = none: give meaningful_change per item");
		return -1;
	}
	return 0;
}

int tl_instrument_parse(const char *text, struct tl_instrument *in, char *err, size_t errlen)
{
	struct out_parse p;
	int line;

	memset(in, 0, sizeof *in);
	in->higher_is_better = 1;
	in->decimals = 2;
	memset(&p, 0, sizeof p);
	p.in = in;
	p.table_has = calloc(TL_OUT_MAX_ITEMS * TL_OUT_MAX_RAW + 1, 1);
	if (!p.table_has) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p.next = text;
	line = ini_parse_stream(out_reader, &p, out_handler, &p);
	if (p.long_line && (line == 0 || p.long_line < line)) {
		snprintf(err, errlen, "line %d: too long (at most %d bytes)", p.long_line,
		         OUT_MAX_LINE - 2);
		free(p.table_has);
		return -1;
	}
	if (line != 0 || p.why[0]) {
		if (line > 0)
			snprintf(err, errlen, "line %d: %s", line, p.why[0] ? p.why : "not key = value");
		else
			snprintf(err, errlen, "%s", p.why[0] ? p.why : "cannot read the definition");
		free(p.table_has);
		return -1;
	}
	line = out_check(&p, err, errlen);
	free(p.table_has);
	return line;
}

struct tl_instrument *tl_instrument_load(sqlite3 *db, const char *id, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	struct tl_instrument *in = NULL;

	if (sqlite3_prepare_v2(db, "SELECT definition FROM instrument WHERE id = ?1", -1, &st,
	                       NULL) != SQLITE_OK) {
		snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
		return NULL;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		snprintf(err, errlen, "no instrument '%s' (see 'touchline instrument list')", id);
	} else if (!(in = malloc(sizeof *in))) {
		snprintf(err, errlen, "out of memory");
	} else if (tl_instrument_parse((const char *)sqlite3_column_text(st, 0), in, err, errlen)) {
		free(in);
		in = NULL;
	}
	sqlite3_finalize(st);
	return in;
}

/* --- Scores ----------------------------------------------------------- */

int tl_out_scores_parse(const struct tl_instrument *in, const char *text, int *scores,
                        char *err, size_t errlen)
{
	const char *p = text;
	int n = 0, missing = 0, fields = 1;

	for (const char *q = text; *q; q++)
		if (*q == ',' || *q == ';')
			fields++;
	if (fields != in->nitems) {
		snprintf(err, errlen, "%d score%s given, %s has %d items (leave a missing item empty:"
		         " 4,,5)", fields, fields == 1 ? "" : "s", in->id, in->nitems);
		return -1;
	}
	for (;;) {
		const char *end = p;
		char field[16];
		size_t len;

		while (*end && *end != ',' && *end != ';')
			end++;
		len = (size_t)(end - p);
		while (len && *p == ' ')
			p++, len--;
		while (len && p[len - 1] == ' ')
			len--;
		if (len == 0 || (len == 1 && *p == '-')) {
			scores[n] = TL_OUT_MISSING;
			missing++;
		} else {
			long v;
			if (len >= sizeof field) {
				snprintf(err, errlen, "item %d (%s): not a whole number", n + 1,
				         in->item[n].id);
				return -1;
			}
			memcpy(field, p, len);
			field[len] = '\0';
			if (out_int(field, -1000000, 1000000, &v)) {
				snprintf(err, errlen, "item %d (%s): '%s' is not a whole number", n + 1,
				         in->item[n].id, field);
				return -1;
			}
			if (v < in->item[n].min || v > in->item[n].max) {
				snprintf(err, errlen, "item %d (%s): %ld is outside its range %d to %d", n + 1,
				         in->item[n].id, v, in->item[n].min, in->item[n].max);
				return -1;
			}
			scores[n] = (int)v;
		}
		n++;
		if (!*end)
			break;
		p = end + 1;
	}
	if (missing > in->max_missing) {
		if (in->max_missing == 0)
			snprintf(err, errlen, "%d item%s missing: %s needs every item answered", missing,
			         missing == 1 ? "" : "s", in->id);
		else
			snprintf(err, errlen, "%d items missing: %s allows at most %d", missing, in->id,
			         in->max_missing);
		return -1;
	}
	return 0;
}

void tl_out_scores_format(const struct tl_instrument *in, const int *scores, char *buf,
                          size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < in->nitems && off < size; i++) {
		int w = scores[i] == TL_OUT_MISSING
		                ? snprintf(buf + off, size - off, "%s", i ? "," : "")
		                : snprintf(buf + off, size - off, "%s%d", i ? "," : "", scores[i]);
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

int tl_out_measures(const struct tl_instrument *in)
{
	return in->total == TL_OUT_NONE ? in->nitems : 1;
}

const char *tl_out_measure_id(const struct tl_instrument *in, int m)
{
	return in->total == TL_OUT_NONE ? in->item[m].id : "total";
}

int tl_out_measure_higher_is_better(const struct tl_instrument *in, int m)
{
	return in->total == TL_OUT_NONE ? in->item[m].higher_is_better : in->higher_is_better;
}

double tl_out_measure_threshold(const struct tl_instrument *in, int m)
{
	return in->total == TL_OUT_NONE ? in->item[m].meaningful_change : in->meaningful_change;
}

int tl_out_measure_value(const struct tl_instrument *in, const int *scores, int m,
                         double *value, double *raw)
{
	long sum = 0;
	int answered = 0;

	if (in->total == TL_OUT_NONE) {
		if (scores[m] == TL_OUT_MISSING)
			return 0;
		*value = *raw = scores[m];
		return 1;
	}
	for (int i = 0; i < in->nitems; i++)
		if (scores[i] != TL_OUT_MISSING) {
			sum += scores[i];
			answered++;
		}
	if (answered == 0)
		return 0;
	if (answered < in->nitems) /* prorated, half up */
		sum = (2 * sum * in->nitems + answered) / (2 * answered);
	*raw = (double)sum;
	if (in->total == TL_OUT_TABLE) {
		if (sum < in->table_lo || sum > in->table_hi)
			return 0;
		*value = in->table[sum];
	} else {
		*value = (double)sum;
	}
	return 1;
}

/* Changes are compared after rounding to the reported decimals, so a
 * difference of two table values is not judged on binary noise. */
static double out_round(const struct tl_instrument *in, double v)
{
	double f = pow(10, in->decimals);
	return round(v * f) / f;
}

int tl_out_direction(const struct tl_instrument *in, int m, double change)
{
	double c = out_round(in, change);

	if (c == 0)
		return 0;
	return (c > 0) == !!tl_out_measure_higher_is_better(in, m) ? 1 : -1;
}

int tl_out_meaningful(const struct tl_instrument *in, int m, double change)
{
	double t = tl_out_measure_threshold(in, m);
	double c = out_round(in, change);

	if (t <= 0)
		return -1;
	if (!tl_out_measure_higher_is_better(in, m))
		c = -c;
	return c >= t - 1e-9;
}

/* --- Distribution ----------------------------------------------------- */

/* qsort order of doubles. */
static int out_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double tl_out_quantile(const double *sorted, size_t n, double p)
{
	double h;
	size_t lo;

	if (n == 0)
		return 0;
	h = (double)(n - 1) * p;
	lo = (size_t)floor(h);
	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

void tl_out_summarise(const struct tl_instrument *in, int m, double *changes, size_t n,
                      struct tl_out_summary *out)
{
	double sum = 0;

	memset(out, 0, sizeof *out);
	out->n = (long)n;
	out->meaningful = tl_out_measure_threshold(in, m) > 0 ? 0 : -1;
	if (n == 0)
		return;
	qsort(changes, n, sizeof *changes, out_cmp_double);
	for (size_t i = 0; i < n; i++) {
		int d = tl_out_direction(in, m, changes[i]);
		sum += changes[i];
		if (d > 0)
			out->better++;
		else if (d < 0)
			out->worse++;
		else
			out->same++;
		if (out->meaningful >= 0 && tl_out_meaningful(in, m, changes[i]) == 1)
			out->meaningful++;
	}
	out->min = changes[0];
	out->max = changes[n - 1];
	out->q1 = tl_out_quantile(changes, n, 0.25);
	out->median = tl_out_quantile(changes, n, 0.5);
	out->q3 = tl_out_quantile(changes, n, 0.75);
	out->mean = sum / (double)n;
}

int tl_out_dose_band(long sessions)
{
	return sessions < 4 ? 0 : sessions < 8 ? 1 : sessions < 12 ? 2 : 3;
}

const char *tl_out_dose_band_name(int band)
{
	static const char *const names[TL_OUT_DOSE_BANDS] = { "0-3 sessions", "4-7 sessions",
		                                              "8-11 sessions", "12+ sessions" };
	return band >= 0 && band < TL_OUT_DOSE_BANDS ? names[band] : "?";
}

/* --- Distance travelled ----------------------------------------------- */

struct out_inst {
	char id[TL_OUT_ID];
	struct tl_instrument *in; /* NULL: the stored definition no longer reads */
};

/* The loaded instrument with id, or NULL. */
static struct tl_instrument *out_find(struct out_inst *v, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].id, id))
			return v[i].in;
	return NULL;
}

/* Sessions attended and moderate-equivalent minutes of a participant in
 * a programme on local dates from..to (to excluded). The attendance rows
 * say what was attended and for how long; the rule for intensity is
 * tl_moderate_equivalent's. */
static int out_dose(sqlite3_stmt *st, int64_t participant, const char *programme,
                    const char *from, const char *to, long *sessions, long *me)
{
	long moderate = 0, vigorous = 0;
	int rc;

	*sessions = 0;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, participant);
	sqlite3_bind_text(st, 2, programme, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, to, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *intensity = (const char *)sqlite3_column_text(st, 0);
		*sessions += sqlite3_column_int64(st, 1);
		if (intensity && !strcmp(intensity, "vigorous"))
			vigorous += sqlite3_column_int64(st, 2);
		else
			moderate += sqlite3_column_int64(st, 2);
	}
	*me = tl_moderate_equivalent(moderate, vigorous);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* One assessment as loaded, in (participant, programme, instrument, date,
 * wave order) order. */
struct out_assess {
	int64_t id, participant;
	char programme[48], instrument[TL_OUT_ID], wave[TL_OUT_ID], date[16];
	int in_enrolment, rank;
	int scores[TL_OUT_MAX_ITEMS];
};

/* Groups assessments and orders each group by date, then wave. */
static int out_assess_cmp(const void *a, const void *b)
{
	const struct out_assess *x = a, *y = b;
	int c;

	if (x->participant != y->participant)
		return x->participant < y->participant ? -1 : 1;
	if ((c = strcmp(x->programme, y->programme)) || (c = strcmp(x->instrument, y->instrument)) ||
	    (c = strcmp(x->date, y->date)))
		return c;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	if ((c = strcmp(x->wave, y->wave)))
		return c;
	return (x->id > y->id) - (x->id < y->id);
}

static const char out_tables_sql[] =
	"DROP TABLE IF EXISTS temp.outcome_row; DROP TABLE IF EXISTS temp.outcome_change;"
	"CREATE TEMP TABLE outcome_row (assessment INTEGER, participant INTEGER,"
	" programme TEXT, instrument TEXT, measure TEXT, measure_no INTEGER, wave TEXT,"
	" date TEXT, in_enrolment INTEGER, raw REAL, value REAL, baseline_date TEXT,"
	" change REAL, sessions INTEGER, me_minutes INTEGER);"
	"CREATE TEMP TABLE outcome_change (participant INTEGER, programme TEXT,"
	" instrument TEXT, measure TEXT, measure_no INTEGER, baseline_date TEXT,"
	" latest_date TEXT, baseline REAL, latest REAL, change REAL, direction INTEGER,"
	" meaningful INTEGER, sessions INTEGER, me_minutes INTEGER,"
	" higher_is_better INTEGER, threshold REAL);";

int tl_outcomes_build(sqlite3 *db, char *err, size_t errlen)
{
	struct out_inst *inst = NULL;
	struct out_assess *a = NULL;
	size_t ninst = 0, capi = 0, na = 0, capa = 0;
	sqlite3_stmt *st = NULL, *dose = NULL, *row = NULL, *chg = NULL;
	int rc = -1;

	if (sqlite3_exec(db, out_tables_sql, NULL, NULL, NULL) != SQLITE_OK)
		goto dberr;
	if (sqlite3_prepare_v2(db, "SELECT id, definition FROM instrument ORDER BY id", -1, &st,
	                       NULL) != SQLITE_OK)
		goto dberr;
	while (sqlite3_step(st) == SQLITE_ROW) {
		char why[300];
		if (tl_grow(&inst, &capi, ninst, sizeof *inst))
			goto oom;
		snprintf(inst[ninst].id, sizeof inst[ninst].id, "%s",
		         (const char *)sqlite3_column_text(st, 0));
		inst[ninst].in = malloc(sizeof *inst[ninst].in);
		if (!inst[ninst].in)
			goto oom;
		if (tl_instrument_parse((const char *)sqlite3_column_text(st, 1), inst[ninst].in, why,
		                        sizeof why)) {
			tl_warn("instrument %s: %s: its assessments are left out", inst[ninst].id, why);
			free(inst[ninst].in);
			inst[ninst].in = NULL;
		}
		ninst++;
	}
	sqlite3_finalize(st);
	st = NULL;
	/* Erased participants are left out: their scores are gone anyway. */
	if (sqlite3_prepare_v2(db, "SELECT a.id, a.participant, a.programme, a.instrument, a.wave,"
	                           " a.date, a.in_enrolment, a.scores FROM assessment a"
	                           " JOIN participant p ON p.id = a.participant"
	                           " WHERE p.code IS NOT NULL", -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct tl_instrument *in = out_find(inst, ninst, (const char *)sqlite3_column_text(st, 3));
		struct out_assess *x;
		char why[300];
		if (!in)
			continue;
		if (tl_grow(&a, &capa, na, sizeof *a))
			goto oom;
		x = &a[na];
		x->id = sqlite3_column_int64(st, 0);
		x->participant = sqlite3_column_int64(st, 1);
		snprintf(x->programme, sizeof x->programme, "%s", (const char *)sqlite3_column_text(st, 2));
		snprintf(x->instrument, sizeof x->instrument, "%s", in->id);
		snprintf(x->wave, sizeof x->wave, "%s", (const char *)sqlite3_column_text(st, 4));
		snprintf(x->date, sizeof x->date, "%s", (const char *)sqlite3_column_text(st, 5));
		x->in_enrolment = sqlite3_column_int(st, 6);
		x->rank = out_wave_rank(x->wave);
		if (tl_out_scores_parse(in, (const char *)sqlite3_column_text(st, 7), x->scores, why,
		                        sizeof why)) {
			tl_warn("assessment %lld: %s: left out", (long long)x->id, why);
			continue;
		}
		na++;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (na)
		qsort(a, na, sizeof *a, out_assess_cmp);

	if (sqlite3_prepare_v2(db, "SELECT ac.intensity, count(*), sum(t.minutes) FROM attendance t"
	                           " JOIN session s ON s.id = t.session"
	                           " JOIN activity ac ON ac.id = s.activity"
	                           " WHERE t.participant = ?1 AND t.programme = ?2 AND t.attended"
	                           " AND s.local_date >= ?3 AND s.local_date < ?4"
	                           " GROUP BY ac.intensity", -1, &dose, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO temp.outcome_row VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
	                           " ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)", -1, &row,
	                       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO temp.outcome_change VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
	                           " ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)", -1, &chg,
	                       NULL) != SQLITE_OK)
		goto dberr;

	/* Each group: one participant, programme and instrument, by date. */
	for (size_t g = 0, e; g < na; g = e) {
		struct tl_instrument *in = out_find(inst, ninst, a[g].instrument);
		for (e = g + 1; e < na && a[e].participant == a[g].participant &&
		                !strcmp(a[e].programme, a[g].programme) &&
		                !strcmp(a[e].instrument, a[g].instrument);
		     e++)
			;
		for (int m = 0; m < tl_out_measures(in); m++) {
			size_t base = e, last = e;
			double bval = 0, lval = 0, v, raw;
			long sessions = 0, me = 0;
			for (size_t i = g; i < e; i++) {
				if (!tl_out_measure_value(in, a[i].scores, m, &v, &raw))
					continue;
				sqlite3_reset(row);
				sqlite3_clear_bindings(row);
				sqlite3_bind_int64(row, 1, a[i].id);
				sqlite3_bind_int64(row, 2, a[i].participant);
				sqlite3_bind_text(row, 3, a[i].programme, -1, SQLITE_STATIC);
				sqlite3_bind_text(row, 4, in->id, -1, SQLITE_STATIC);
				sqlite3_bind_text(row, 5, tl_out_measure_id(in, m), -1, SQLITE_STATIC);
				sqlite3_bind_int(row, 6, m + 1);
				sqlite3_bind_text(row, 7, a[i].wave, -1, SQLITE_STATIC);
				sqlite3_bind_text(row, 8, a[i].date, -1, SQLITE_STATIC);
				sqlite3_bind_int(row, 9, a[i].in_enrolment);
				sqlite3_bind_double(row, 10, raw);
				sqlite3_bind_double(row, 11, out_round(in, v));
				if (base == e) {
					base = i;
					bval = v;
					sqlite3_bind_text(row, 12, a[i].date, -1, SQLITE_STATIC);
				} else {
					if (out_dose(dose, a[i].participant, a[i].programme, a[base].date,
					             a[i].date, &sessions, &me))
						goto dberr;
					sqlite3_bind_text(row, 12, a[base].date, -1, SQLITE_STATIC);
					sqlite3_bind_double(row, 13, out_round(in, v - bval));
					sqlite3_bind_int64(row, 14, sessions);
					sqlite3_bind_int64(row, 15, me);
					last = i;
					lval = v;
				}
				if (sqlite3_step(row) != SQLITE_DONE)
					goto dberr;
			}
			/* Measured at two dates: a second assessment the same day is
			 * not distance travelled. */
			if (last == e || !strcmp(a[last].date, a[base].date))
				continue;
			sqlite3_reset(chg);
			sqlite3_bind_int64(chg, 1, a[g].participant);
			sqlite3_bind_text(chg, 2, a[g].programme, -1, SQLITE_STATIC);
			sqlite3_bind_text(chg, 3, in->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(chg, 4, tl_out_measure_id(in, m), -1, SQLITE_STATIC);
			sqlite3_bind_int(chg, 5, m + 1);
			sqlite3_bind_text(chg, 6, a[base].date, -1, SQLITE_STATIC);
			sqlite3_bind_text(chg, 7, a[last].date, -1, SQLITE_STATIC);
			sqlite3_bind_double(chg, 8, out_round(in, bval));
			sqlite3_bind_double(chg, 9, out_round(in, lval));
			sqlite3_bind_double(chg, 10, out_round(in, lval - bval));
			sqlite3_bind_int(chg, 11, tl_out_direction(in, m, lval - bval));
			if (tl_out_meaningful(in, m, lval - bval) < 0)
				sqlite3_bind_null(chg, 12);
			else
				sqlite3_bind_int(chg, 12, tl_out_meaningful(in, m, lval - bval));
			sqlite3_bind_int64(chg, 13, sessions);
			sqlite3_bind_int64(chg, 14, me);
			sqlite3_bind_int(chg, 15, tl_out_measure_higher_is_better(in, m));
			if (tl_out_measure_threshold(in, m) > 0)
				sqlite3_bind_double(chg, 16, tl_out_measure_threshold(in, m));
			else
				sqlite3_bind_null(chg, 16);
			if (sqlite3_step(chg) != SQLITE_DONE)
				goto dberr;
		}
	}
	rc = 0;
	goto done;
oom:
	snprintf(err, errlen, "out of memory");
	goto done;
dberr:
	snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
done:
	sqlite3_finalize(st);
	sqlite3_finalize(dose);
	sqlite3_finalize(row);
	sqlite3_finalize(chg);
	for (size_t i = 0; i < ninst; i++)
		free(inst[i].in);
	free(inst);
	free(a);
	return rc;
}
