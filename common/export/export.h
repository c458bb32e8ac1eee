/* export.h - the evaluator exports (attendance, activity, participants,
 * sessions, taps, outcomes, referrals) as CSV or JSON, for 'touchline export' and the
 * dashboard's downloads. */
#ifndef TL_EXPORT_H
#define TL_EXPORT_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "rows.h"
#include "token.h"

/* Filters a kind accepts; its SQL reads them as ?1 from, ?2 to (local
 * dates), ?3 programme and ?4 site, NULL when not given. */
enum { TL_EXPORT_DATES = 1, TL_EXPORT_PROGRAMME = 2, TL_EXPORT_SITE = 4 };

struct tl_export_kind {
	const char *name;
	const char *const *cols;
	int ncols;
	int filters;
	const char *sql;
	const char *sql_scoped; /* the same rows, planned for a filter; or NULL */
	/* In an export set (coarse times): other columns and SQL, or NULL when
	 * the kind holds no time finer than the session's own. */
	const char *const *set_cols;
	int set_ncols;
	const char *set_sql;
	/* Run on the connection before the query (the outcomes' TEMP tables,
	 * SQL functions the kind calls); or NULL. 0, or -1 with err set. */
	int (*prepare)(sqlite3 *db, char *err, size_t errlen);
};

/* A rekeying key: pseudonym = "R-" and the first 16 hex digits of
 * HMAC-SHA256(key, code). Made fresh for each rekeyed export or export set
 * and never stored, so its pseudonyms link to nothing outside it. */
struct tl_export_key {
	uint8_t key[TL_KEY_LEN];
};
#define TL_EXPORT_FINGERPRINT_LEN 16 /* hex digits */

/* A new random key; -1 if the kernel gave no randomness. */
int tl_export_key_new(struct tl_export_key *k);
/* A fingerprint that names the key without revealing it: the first 8
 * bytes of SHA-256 over a label and the key, as hex (out: 17 bytes). */
void tl_export_key_fingerprint(const struct tl_export_key *k, char *out);
/* Wipes the key from memory. */
void tl_export_key_forget(struct tl_export_key *k);

struct tl_export_filter {
	const char *from, *to;     /* canonical local dates "YYYY-MM-DD", or NULL */
	const char *programme, *site;
	const struct tl_export_key *key; /* pseudonyms instead of codes; or NULL */
	int coarse;                /* an export set's columns (set_cols/set_sql) */
};

/* For a connection about to export: an export reads every row once, in
 * index order and by lookups, far beyond SQLite's default 2 MB page
 * cache; mapping the file reads it without a copy per page (an export
 * of 1.8M rows spent half its time in pread), and sorts stay in memory. */
#define TL_EXPORT_PRAGMAS "PRAGMA mmap_size = 1073741824; PRAGMA temp_store = MEMORY"

extern const struct tl_export_kind tl_export_kinds[];
extern const int tl_export_kind_count;

const struct tl_export_kind *tl_export_find(const char *name);
/* Writes one export to out, streaming. Run it inside a read transaction
 * for a consistent snapshot. Returns 0, or -1 with err set. */
int tl_export_write(sqlite3 *db, const struct tl_export_kind *kind, enum tl_format fmt,
                    const struct tl_export_filter *f, FILE *out, long *nrows, char *err,
                    size_t errlen);

/* export_attendance.c: the attendance export of every programme and site
 * in memory instead of SQL's join and sort (used by tl_export_write).
 * 0 when written, 1 when it does not apply (nothing written: run the
 * SQL), -1 on a database error. */
int tl_export_attendance_fast(sqlite3 *db, const struct tl_export_filter *f,
                              struct tl_rows *w);

#endif
