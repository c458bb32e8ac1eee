/* outcomes.h - outcome instruments, their scoring, exits, and distance
 * travelled (docs/outcomes.md states every rule in words).
 *
 * An instrument is data: a small INI definition (id, items and their
 * ranges, how a total is made, the missing-item rule, a published
 * meaningful change). This file is the only place that reads one and
 * scores it: the CLI, the exports and the dashboard all call it. An
 * instrument with a total (sum, or a conversion table) has one measure,
 * "total"; one reported item by item ("none") has a measure per item. */
#ifndef TL_OUTCOMES_H
#define TL_OUTCOMES_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define TL_OUT_ID 33          /* ids: 1 to 32 of a-z, 0-9, _ and - */
#define TL_OUT_MAX_ITEMS 32
#define TL_OUT_MAX_RAW 1000   /* item scores are 0..1000 */
#define TL_OUT_MISSING (-1)   /* an item not answered */
#define TL_OUT_TEXT 400       /* names and sources */

enum tl_out_total { TL_OUT_SUM, TL_OUT_TABLE, TL_OUT_NONE };

struct tl_out_item {
	char id[TL_OUT_ID];
	char name[TL_OUT_TEXT];
	int min, max;
	int higher_is_better;
	double meaningful_change; /* 0: none published (measures of NONE instruments) */
};

struct tl_instrument {
	char id[TL_OUT_ID];
	char name[TL_OUT_TEXT];
	char source[TL_OUT_TEXT];
	enum tl_out_total total;
	int max_missing;          /* items that may be missing from one assessment */
	int higher_is_better;     /* of the total */
	double meaningful_change; /* of the total; 0: none published */
	char change_source[TL_OUT_TEXT];
	int min_pairs;            /* the authors' minimum measured twice; 0: none */
	char min_pairs_source[TL_OUT_TEXT];
	int decimals;             /* of reported values */
	int nitems;
	struct tl_out_item item[TL_OUT_MAX_ITEMS];
	int table_lo, table_hi;   /* TABLE: raw totals table_lo..table_hi */
	double table[TL_OUT_MAX_ITEMS * TL_OUT_MAX_RAW + 1];
};

/* Reads a definition (the text of an instrument file). 0, or -1 with err
 * naming the line and what is wrong. The instrument is large: allocate it. */
int tl_instrument_parse(const char *text, struct tl_instrument *in, char *err, size_t errlen);

/* Reads item scores "4,3,5,,2" (',' or ';' between them; an empty place
 * or "-" for a missing item): exactly one per item, whole numbers in each
 * item's range, no more missing than the instrument allows. 0, or -1 with
 * err saying which item and why. */
int tl_out_scores_parse(const struct tl_instrument *in, const char *text, int *scores,
                        char *err, size_t errlen);
/* The canonical form stored: "4,3,5,,2". */
void tl_out_scores_format(const struct tl_instrument *in, const int *scores, char *buf,
                          size_t size);

/* Measures: 1 with a total, else one per item. */
int tl_out_measures(const struct tl_instrument *in);
const char *tl_out_measure_id(const struct tl_instrument *in, int m);
int tl_out_measure_higher_is_better(const struct tl_instrument *in, int m);
double tl_out_measure_threshold(const struct tl_instrument *in, int m);
/* Value of measure m: 1 with *value (reported) and *raw (the sum before
 * conversion; the item score), 0 when missing (a missing item). A total
 * with missing items (as many as allowed) is prorated: the sum of the
 * answered items times items / answered, rounded half up, then converted. */
int tl_out_measure_value(const struct tl_instrument *in, const int *scores, int m,
                         double *value, double *raw);
/* Direction of a change in measure m: 1 better, 0 none, -1 worse. */
int tl_out_direction(const struct tl_instrument *in, int m, double change);
/* 1 if the change is an improvement by at least the published meaningful
 * change, 0 if not, -1 when none is published. */
int tl_out_meaningful(const struct tl_instrument *in, int m, double change);

/* Waves: intake, mid, exit, followup or a name of the same form as an id. */
int tl_out_wave_valid(const char *wave);
/* Ids of instruments and items. */
int tl_out_id_valid(const char *id);

/* Exit reasons, in the order reports list them. */
extern const char *const tl_exit_reasons[];
extern const int tl_exit_reason_count;
int tl_exit_reason_valid(const char *reason);
/* A good exit: left early for work or training, not a drop-out. */
int tl_exit_reason_good(const char *reason);

/* Loads instrument id from the database (NULL if none; the caller frees). */
struct tl_instrument *tl_instrument_load(sqlite3 *db, const char *id, char *err, size_t errlen);

/* Distance travelled, into TEMP tables of db (replaced on each call), for
 * every assessment of a participant who is not erased:
 *   temp.outcome_row: one row per assessment and measure with a value:
 *     assessment, participant, programme, instrument, measure, measure_no,
 *     wave, date, in_enrolment, raw, value, baseline_date, change,
 *     sessions, me_minutes (the dose from the baseline's date to this
 *     date: change, sessions and me_minutes are NULL on the baseline);
 *   temp.outcome_change: per participant, programme, instrument and
 *     measure measured at two dates or more: baseline_date, latest_date,
 *     baseline, latest, change, direction (1, 0, -1), meaningful (1, 0 or
 *     NULL), sessions, me_minutes, higher_is_better, threshold.
 * The baseline is the first assessment (by date, then wave order) with a
 * value for the measure; the latest is the last. The dose counts attended
 * attendance rows (expected or extra) of that programme on local dates
 * from the baseline's date up to, not including, the later date, and
 * their moderate-equivalent minutes (tl_moderate_equivalent). 0 or -1. */
int tl_outcomes_build(sqlite3 *db, char *err, size_t errlen);

/* The distribution of changes in one measure (sorted in place). */
struct tl_out_summary {
	long n, better, same, worse;
	long meaningful;          /* improved by the threshold; -1 without one */
	double min, q1, median, q3, max, mean;
};
/* Quartiles by linear interpolation between order statistics (R's type 7,
 * a spreadsheet's QUARTILE.INC). */
void tl_out_summarise(const struct tl_instrument *in, int m, double *changes, size_t n,
                      struct tl_out_summary *out);
/* Dose bands for "dose against change": sessions attended between the
 * two dates, 0-3, 4-7, 8-11 and 12 or more. */
#define TL_OUT_DOSE_BANDS 4
int tl_out_dose_band(long sessions);
const char *tl_out_dose_band_name(int band);
/* p-th quantile (0..1) of sorted values. */
double tl_out_quantile(const double *sorted, size_t n, double p);

#endif
