/* cmd_outcomes.c - touchline instrument add|list, assessment add|list|
 * remove, import assessments, source add|list, outcomes report.
 *
 * Scores only: an assessment holds whole numbers per item, never text.
 * Every check and every score comes from common/programme/outcomes.c;
 * this file finds the participant's enrolment and stores what it says. A
 * failed command (or any bad row of an import) stores nothing. */
#include "calendar.h"
#include "cli.h"
#include "cli_csv.h"
#include "cmds.h"
#include "grow.h"
#include "outcomes.h"
#include "programme.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OUT_DEF_MAX (256 * 1024)

/* Reads an instrument file whole; fails on anything but a small text. */
static char *out_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f)
		cli_fail("%s: %s", path, strerror(errno));
	buf = malloc(OUT_DEF_MAX + 1);
	if (!buf)
		cli_fail("out of memory");
	n = fread(buf, 1, OUT_DEF_MAX + 1, f);
	if (ferror(f))
		cli_fail("%s: cannot read: %s", path, strerror(errno));
	fclose(f);
	if (n > OUT_DEF_MAX)
		cli_fail("%s: larger than %d bytes: not an instrument definition", path, OUT_DEF_MAX);
	if (memchr(buf, '\0', n))
		cli_fail("%s: contains a NUL byte: not a text file", path);
	buf[n] = '\0';
	return buf;
}

/* touchline instrument add FILE: checks the definition and stores it; an
 * instrument with assessments may only be replaced by one with the same
 * items, ranges and scoring, so stored scores keep their meaning. */
int cmd_instrument_add(struct cli *cli, int argc, char **argv)
{
	char *pos[1], err[512], *text;
	struct tl_instrument *in = malloc(sizeof *in), *old;
	sqlite3_stmt *st;
	long used;

	cli_args(cli_current(), NULL, argc, argv, pos, 1, 1);
	if (!in)
		cli_fail("out of memory");
	text = out_read_file(pos[0]);
	if (tl_instrument_parse(text, in, err, sizeof err))
		cli_fail("%s: %s", pos[0], err);
	cli_begin(cli);
	st = cli_prepare(cli, "SELECT count(*) FROM assessment WHERE instrument = ?1");
	sqlite3_bind_text(st, 1, in->id, -1, SQLITE_STATIC);
	sqlite3_step(st);
	used = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (used) {
		old = tl_instrument_load(cli->db, in->id, err, sizeof err);
		if (old) {
			int same = old->nitems == in->nitems && old->total == in->total &&
			           old->max_missing == in->max_missing &&
			           (in->total != TL_OUT_TABLE ||
			            memcmp(old->table + old->table_lo, in->table + in->table_lo,
			                   sizeof(double) * (size_t)(in->table_hi - in->table_lo + 1)) == 0);
			for (int i = 0; same && i < in->nitems; i++)
				same = old->item[i].min == in->item[i].min &&
				       old->item[i].max == in->item[i].max &&
				       !strcmp(old->item[i].id, in->item[i].id);
			free(old);
			if (!same)
				cli_fail("instrument %s has %ld assessment%s: a new definition may change its"
				         " names, sources and thresholds, not its items, ranges or scoring",
				         in->id, used, used == 1 ? "" : "s");
		}
	}
	st = cli_prepare(cli, "INSERT INTO instrument (id, name, definition, added_at)"
	                      " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (id) DO UPDATE SET"
	                      " name = excluded.name, definition = excluded.definition,"
	                      " added_at = excluded.added_at");
	sqlite3_bind_text(st, 1, in->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, in->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (int64_t)time(NULL));
	cli_exec_stmt(cli, st);
	sqlite3_finalize(st);
	cli_commit(cli);
	printf("instrument %s: %d item%s, %s\n", in->id, in->nitems, in->nitems == 1 ? "" : "s",
	       in->total == TL_OUT_TABLE ? "total converted by its table"
	       : in->total == TL_OUT_SUM ? "total the sum of the items"
	                                 : "items reported separately");
	free(text);
	free(in);
	return 0;
}

/* Lists the stored instruments, each read by the same parser that scores. */
int cmd_instrument_list(struct cli *cli, int argc, char **argv)
{
	sqlite3_stmt *st;
	char err[512];

	cli_args(cli_current(), NULL, argc, argv, NULL, 0, 0);
	st = cli_prepare(cli, "SELECT i.id, (SELECT count(*) FROM assessment a"
	                      " WHERE a.instrument = i.id) FROM instrument i ORDER BY i.id");
	printf("%-16s %-6s %-6s %-9s %-10s %-11s %s\n", "INSTRUMENT", "ITEMS", "TOTAL", "MISSING",
	       "MEANINGFUL", "ASSESSMENTS", "NAME");
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct tl_instrument *in = tl_instrument_load(cli->db, (const char *)sqlite3_column_text(st, 0),
		                                              err, sizeof err);
		char mc[32] = "-";
		if (!in) {
			printf("%-16s (%s)\n", cli_text(st, 0), err);
			continue;
		}
		if (in->total != TL_OUT_NONE && in->meaningful_change > 0)
			snprintf(mc, sizeof mc, "%g", in->meaningful_change);
		printf("%-16s %-6d %-6s %-9d %-10s %-11d %s\n", cli_text(st, 0), in->nitems,
		       in->total == TL_OUT_TABLE ? "table" : in->total == TL_OUT_SUM ? "sum" : "none",
		       in->max_missing, mc, sqlite3_column_int(st, 1), in->name);
		free(in);
	}
	sqlite3_finalize(st);
	return 0;
}

/* --- Recording -------------------------------------------------------- */

/* One assessment to record, as the CLI or an import row gives it. */
struct out_req {
	const char *code, *programme, *instrument, *date, *wave, *scores;
	int replace, outside;
};

/* A small cache of loaded instruments, for an import's many rows. */
struct out_cache {
	struct tl_instrument *in[16];
	int n;
};

static struct tl_instrument *out_cached(struct cli *cli, struct out_cache *c, const char *id,
                                        char *err, size_t errlen)
{
	struct tl_instrument *in;

	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->in[i]->id, id))
			return c->in[i];
	in = tl_instrument_load(cli->db, id, err, errlen);
	if (in && c->n < 16)
		c->in[c->n++] = in;
	return in; /* beyond 16, leaked until exit: an import of many instruments */
}

/* Frees the cached instruments. */
static void out_cache_free(struct out_cache *c)
{
	for (int i = 0; i < c->n; i++)
		free(c->in[i]);
	c->n = 0;
}

/* Records one assessment inside the caller's transaction. 0, or -1 with
 * err saying why (nothing stored). */
static int out_record(struct cli *cli, struct out_cache *cache, const struct out_req *r,
                      int64_t *id_out, char *err, size_t errlen)
{
	struct tl_instrument *in;
	int scores[TL_OUT_MAX_ITEMS], nprog = 0, found = 0;
	char stored[256], programme[48] = "", wave[TL_OUT_ID], why[300], dd[TL_DATE_LEN];
	char window[64] = "";
	int64_t pid, day, lo = 0, hi = 0, today = 0;
	sqlite3_stmt *st;

	st = cli_prepare(cli, "SELECT id FROM participant WHERE code = ?1");
	sqlite3_bind_text(st, 1, r->code, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		snprintf(err, errlen, "no participant with code '%s'", r->code);
		return -1;
	}
	pid = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (!r->instrument[0]) {
		snprintf(err, errlen, "no instrument given");
		return -1;
	}
	in = out_cached(cli, cache, r->instrument, err, errlen);
	if (!in)
		return -1;
	if (tl_cal_parse(r->date, &day)) {
		snprintf(err, errlen, "date '%s' is not a date YYYY-MM-DD", r->date);
		return -1;
	}
	tl_cal_format(day, dd);
	if (r->wave[0] && !tl_out_wave_valid(r->wave)) {
		snprintf(err, errlen, "wave '%s' must be intake, mid, exit, followup or a name of"
		         " 1 to 32 of a-z, 0-9, _ and -", r->wave);
		return -1;
	}
	if (tl_out_scores_parse(in, r->scores, scores, why, sizeof why)) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	/* The enrolment: the one given, or the only one, or the one whose
	 * dates hold the assessment's. From the referral (or the start) to
	 * the end or the day before a withdrawal; a follow-up has no end. */
	st = cli_prepare(cli, "SELECT e.programme, e.start_date, e.end_date, e.withdrawn_on,"
	                      " r.referred_on, g.tz FROM enrolment e JOIN programme g ON g.id = e.programme"
	                      " LEFT JOIN referral r ON r.programme = e.programme"
	                      " AND r.participant = e.participant"
	                      " WHERE e.participant = ?1 AND (?2 IS NULL OR e.programme = ?2)"
	                      " ORDER BY e.start_date, e.programme");
	sqlite3_bind_int64(st, 1, pid);
	if (r->programme && r->programme[0])
		sqlite3_bind_text(st, 2, r->programme, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t s, e, w, ref;
		const char *wave_now = r->wave[0] ? r->wave : "intake";
		tl_cal_parse((const char *)sqlite3_column_text(st, 1), &s);
		tl_cal_parse((const char *)sqlite3_column_text(st, 2), &e);
		if (sqlite3_column_type(st, 3) != SQLITE_NULL &&
		    !tl_cal_parse((const char *)sqlite3_column_text(st, 3), &w) && w - 1 < e)
			e = w - 1;
		if (sqlite3_column_type(st, 4) != SQLITE_NULL &&
		    !tl_cal_parse((const char *)sqlite3_column_text(st, 4), &ref) && ref < s)
			s = ref;
		if (!strcmp(wave_now, "followup"))
			e = INT64_MAX / 2;
		nprog++;
		if ((day >= s && day <= e) || nprog == 1) {
			if (found && day >= s && day <= e) {
				found = 2; /* held by two enrolments */
				continue;
			}
			if (!found || (day >= s && day <= e)) {
				snprintf(programme, sizeof programme, "%s",
				         (const char *)sqlite3_column_text(st, 0));
				lo = s;
				hi = e;
				today = tl_zone_local_days((const char *)sqlite3_column_text(st, 5),
				                           cli_as_of());
				found = day >= s && day <= e ? 1 : found;
			}
		}
	}
	sqlite3_finalize(st);
	if (nprog == 0) {
		if (r->programme && r->programme[0])
			snprintf(err, errlen, "%s is not enrolled in %s", r->code, r->programme);
		else
			snprintf(err, errlen, "%s is not enrolled in any programme", r->code);
		return -1;
	}
	if (found == 2 || (nprog > 1 && !found)) {
		snprintf(err, errlen, "%s is enrolled in %d programmes: give the programme", r->code,
		         nprog);
		return -1;
	}
	if (day > today) {
		snprintf(err, errlen, "date %s is in the future", dd);
		return -1;
	}
	if (day < lo || day > hi) {
		char a[TL_DATE_LEN], b[TL_DATE_LEN];
		tl_cal_format(lo, a);
		tl_cal_format(hi, b);
		snprintf(window, sizeof window, "%s to %s", a, b);
		if (!r->outside) {
			snprintf(err, errlen, "date %s is outside %s's enrolment in %s (%s): record it"
			         " flagged with --outside-enrolment, or as wave followup", dd, r->code,
			         programme, window);
			return -1;
		}
	}
	/* The wave: as given, or intake for the first of this instrument. */
	if (r->wave[0]) {
		snprintf(wave, sizeof wave, "%s", r->wave);
	} else {
		st = cli_prepare(cli, "SELECT count(*) FROM assessment WHERE participant = ?1"
		                      " AND programme = ?2 AND instrument = ?3");
		sqlite3_bind_int64(st, 1, pid);
		sqlite3_bind_text(st, 2, programme, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, in->id, -1, SQLITE_STATIC);
		sqlite3_step(st);
		if (sqlite3_column_int64(st, 0)) {
			sqlite3_finalize(st);
			snprintf(err, errlen, "%s already has a %s assessment in %s: give the wave",
			         r->code, in->id, programme);
			return -1;
		}
		sqlite3_finalize(st);
		snprintf(wave, sizeof wave, "intake");
	}
	st = cli_prepare(cli, "SELECT id FROM assessment WHERE participant = ?1 AND programme = ?2"
	                      " AND instrument = ?3 AND wave = ?4");
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_text(st, 2, programme, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, in->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, wave, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		int64_t old = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (!r->replace) {
			snprintf(err, errlen, "%s already has a %s assessment at wave %s in %s (id %lld):"
			         " replace it with --replace", r->code, in->id, wave, programme,
			         (long long)old);
			return -1;
		}
		st = cli_prepare(cli, "DELETE FROM assessment WHERE id = ?1");
		sqlite3_bind_int64(st, 1, old);
		cli_exec_stmt(cli, st);
	}
	sqlite3_finalize(st);
	tl_out_scores_format(in, scores, stored, sizeof stored);
	st = cli_prepare(cli, "INSERT INTO assessment (participant, programme, instrument, wave,"
	                      " date, scores, in_enrolment, created_at)"
	                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_text(st, 2, programme, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, in->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, wave, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, dd, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, stored, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, window[0] ? 0 : 1);
	sqlite3_bind_int64(st, 8, (int64_t)time(NULL));
	cli_exec_stmt(cli, st);
	sqlite3_finalize(st);
	if (id_out)
		*id_out = sqlite3_last_insert_rowid(cli->db);
	return 0;
}

/* touchline assessment add: one assessment, checked by out_record. */
int cmd_assessment_add(struct cli *cli, int argc, char **argv)
{
	char instrument[64] = "", date[16] = "", scores[256] = "", wave[64] = "";
	char programme[64] = "", err[600], *pos[1];
	int replace = 0, outside = 0;
	const struct tl_option opts[] = {
		{ NULL, "instrument", TL_OPT_STR, instrument, sizeof instrument, 0, 0, "ID",
		  "instrument (see 'touchline instrument list'; required)" },
		{ NULL, "date", TL_OPT_STR, date, sizeof date, 0, 0, "DATE",
		  "the day it was taken (required)" },
		{ NULL, "scores", TL_OPT_STR, scores, sizeof scores, 0, 0, "N,N,...",
		  "one whole number per item in order; empty for a missing item (required)" },
		{ NULL, "wave", TL_OPT_STR, wave, sizeof wave, 0, 0, "WAVE",
		  "intake, mid, exit, followup or a name (default: intake for the first)" },
		{ NULL, "programme", TL_OPT_STR, programme, sizeof programme, 0, 0, "P",
		  "the enrolment's programme (default: the one holding the date)" },
		{ NULL, "replace", TL_OPT_BOOL, &replace, 0, 0, 0, NULL,
		  "replace an assessment already recorded at this wave" },
		{ NULL, "outside-enrolment", TL_OPT_BOOL, &outside, 0, 0, 0, NULL,
		  "record a date outside the enrolment, flagged as such" },
		TL_OPT_END,
	};
	struct out_req r;
	struct out_cache cache = { { NULL }, 0 };
	int64_t id = 0;

	cli_args(cli_current(), opts, argc, argv, pos, 1, 1);
	if (!instrument[0] || !date[0] || !scores[0])
		cli_usage_fail("--instrument, --date and --scores are required");
	r = (struct out_req){ pos[0], programme, instrument, date, wave, scores, replace, outside };
	cli_begin(cli);
	if (out_record(cli, &cache, &r, &id, err, sizeof err))
		cli_fail("%s", err);
	cli_commit(cli);
	out_cache_free(&cache);
	printf("assessment %lld: %s %s %s\n", (long long)id, pos[0], instrument,
	       wave[0] ? wave : "intake");
	return 0;
}

/* Lists a participant's assessments with each measure's value. */
int cmd_assessment_list(struct cli *cli, int argc, char **argv)
{
	char *pos[1], err[512];
	sqlite3_stmt *st;
	int64_t pid;

	cli_args(cli_current(), NULL, argc, argv, pos, 1, 1);
	pid = cli_participant_id(cli, pos[0]);
	st = cli_prepare(cli, "SELECT id, programme, instrument, wave, date, scores, in_enrolment"
	                      " FROM assessment WHERE participant = ?1"
	                      " ORDER BY programme, instrument, date, id");
	sqlite3_bind_int64(st, 1, pid);
	printf("%-6s %-16s %-12s %-10s %-10s %-22s %s\n", "ID", "PROGRAMME", "INSTRUMENT", "WAVE",
	       "DATE", "SCORES", "VALUE");
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct tl_instrument *in = tl_instrument_load(cli->db, (const char *)sqlite3_column_text(st, 2),
		                                              err, sizeof err);
		int s[TL_OUT_MAX_ITEMS];
		char value[64] = "-";
		double v, raw;
		if (in && !tl_out_scores_parse(in, (const char *)sqlite3_column_text(st, 5), s, err,
		                               sizeof err) &&
		    in->total != TL_OUT_NONE && tl_out_measure_value(in, s, 0, &v, &raw))
			snprintf(value, sizeof value, "%.*f", in->decimals, v);
		printf("%-6lld %-16s %-12s %-10s %-10s %-22s %s%s\n",
		       (long long)sqlite3_column_int64(st, 0), cli_text(st, 1), cli_text(st, 2),
		       cli_text(st, 3), cli_text(st, 4), cli_text(st, 5), value,
		       sqlite3_column_int(st, 6) ? "" : " (outside the enrolment)");
		free(in);
	}
	sqlite3_finalize(st);
	return 0;
}

/* Removes one assessment by id (a mistaken entry). */
int cmd_assessment_remove(struct cli *cli, int argc, char **argv)
{
	char *pos[1], *end;
	long long id;
	sqlite3_stmt *st;

	cli_args(cli_current(), NULL, argc, argv, pos, 1, 1);
	errno = 0;
	id = strtoll(pos[0], &end, 10);
	if (errno || !*pos[0] || *end || id <= 0)
		cli_usage_fail("'%s' is not an assessment id", pos[0]);
	cli_begin(cli);
	st = cli_prepare(cli, "DELETE FROM assessment WHERE id = ?1");
	sqlite3_bind_int64(st, 1, id);
	cli_exec_stmt(cli, st);
	sqlite3_finalize(st);
	if (sqlite3_changes(cli->db) == 0)
		cli_fail("no assessment %lld", id);
	cli_commit(cli);
	printf("assessment %lld removed\n", id);
	return 0;
}

/* --- Import ----------------------------------------------------------- */

/* touchline import assessments FILE: a CSV with a header naming its
 * columns (participant, instrument, date, scores; optional programme,
 * wave), read by the CLI's one CSV reader (cli_csv.c). All or nothing:
 * every bad row is reported with its line and why, and then nothing is
 * stored. */
int cmd_import_assessments(struct cli *cli, int argc, char **argv)
{
	enum { C_PART, C_PROG, C_INST, C_WAVE, C_DATE, C_SCORES, C_N };
	static const char *const names[C_N] = { "participant", "programme", "instrument",
		                                "wave", "date", "scores" };
	static const int required[C_N] = { 1, 0, 1, 0, 1, 1 };
	char *pos[1], err[600];
	int col[C_N] = { 0 }, replace = 0, header = 1;
	long rows = 0;
	const struct tl_option opts[] = {
		{ NULL, "replace", TL_OPT_BOOL, &replace, 0, 0, 0, NULL,
		  "replace assessments already recorded at the same waves" },
		TL_OPT_END,
	};
	struct out_cache cache = { { NULL }, 0 };
	struct cli_csv csv;

	cli_args(cli_current(), opts, argc, argv, pos, 1, 1);
	cli_csv_open(&csv, pos[0]);
	cli_begin(cli);
	while (cli_csv_next(&csv)) {
		char **f = csv.f;
		if (header) {
			header = 0;
			if (cli_csv_header(&csv, names, required, C_N, col,
			                   "participant, programme, instrument, wave, date, scores;"
			                   " no free text"))
				break;
			continue;
		}
		if (cli_csv_width(&csv))
			continue;
		{
			struct out_req r = { f[col[C_PART]], col[C_PROG] >= 0 ? f[col[C_PROG]] : "",
				             f[col[C_INST]], f[col[C_DATE]],
				             col[C_WAVE] >= 0 ? f[col[C_WAVE]] : "", f[col[C_SCORES]],
				             replace, 0 };
			cli_exec(cli, "SAVEPOINT row");
			if (out_record(cli, &cache, &r, NULL, err, sizeof err)) {
				cli_csv_bad(&csv, "%s", err);
				cli_exec(cli, "ROLLBACK TO row");
			}
			cli_exec(cli, "RELEASE row");
			rows++;
		}
	}
	out_cache_free(&cache);
	if (header && !csv.bad)
		cli_fail("%s: empty: no header line", pos[0]);
	if (csv.bad) {
		cli_exec(cli, "ROLLBACK");
		cli_fail("%s: %ld bad line%s: nothing imported", pos[0], csv.bad,
		         csv.bad == 1 ? "" : "s");
	}
	cli_commit(cli);
	printf("%ld assessment%s imported from %s\n", rows, rows == 1 ? "" : "s", pos[0]);
	return 0;
}

/* --- Referral sources ------------------------------------------------- */

/* Adds (or renames) a referral source of the deployment's list. */
int cmd_source_add(struct cli *cli, int argc, char **argv)
{
	char name[128] = "", *pos[1];
	const struct tl_option opts[] = {
		{ NULL, "name", TL_OPT_STR, name, sizeof name, 0, 0, "NAME", "name to show" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;

	cli_args(cli_current(), opts, argc, argv, pos, 1, 1);
	if (!tl_out_id_valid(pos[0]))
		cli_fail("referral source '%s' must be 1 to 32 of a-z, 0-9, _ and -", pos[0]);
	cli_begin(cli);
	st = cli_prepare(cli, "INSERT INTO referral_source (id, name, created_at) VALUES (?1, ?2, ?3)"
	                      " ON CONFLICT (id) DO UPDATE SET name = excluded.name");
	sqlite3_bind_text(st, 1, pos[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name[0] ? name : pos[0], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)time(NULL));
	cli_exec_stmt(cli, st);
	sqlite3_finalize(st);
	cli_commit(cli);
	printf("referral source %s\n", pos[0]);
	return 0;
}

/* Lists referral sources with their number of referrals. */
int cmd_source_list(struct cli *cli, int argc, char **argv)
{
	sqlite3_stmt *st;

	cli_args(cli_current(), NULL, argc, argv, NULL, 0, 0);
	st = cli_prepare(cli, "SELECT s.id, (SELECT count(*) FROM referral r WHERE r.source = s.id),"
	                      " s.name FROM referral_source s ORDER BY s.id");
	printf("%-16s %-9s %s\n", "SOURCE", "REFERRALS", "NAME");
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("%-16s %-9d %s\n", cli_text(st, 0), sqlite3_column_int(st, 1), cli_text(st, 2));
	sqlite3_finalize(st);
	return 0;
}

/* --- Report ----------------------------------------------------------- */

/* One programme's part of the report: referrals, exits, the change per
 * measure (tl_out_summarise) and change by dose band. */
static void out_report_programme(struct cli *cli, const char *programme)
{
	sqlite3_stmt *st, *ch;
	char err[512];

	printf("Programme %s\n", programme);
	st = cli_prepare(cli, "SELECT count(*), count(e.participant),"
	                      " count(*) - count(e.participant) FROM referral r"
	                      " LEFT JOIN enrolment e ON e.programme = r.programme"
	                      " AND e.participant = r.participant WHERE r.programme = ?1");
	sqlite3_bind_text(st, 1, programme, -1, SQLITE_STATIC);
	sqlite3_step(st);
	printf("  Referrals: %d, of whom started %d, never started %d\n", sqlite3_column_int(st, 0),
	       sqlite3_column_int(st, 1), sqlite3_column_int(st, 2));
	sqlite3_finalize(st);
	st = cli_prepare(cli, "SELECT source, count(*) FROM referral WHERE programme = ?1"
	                      " GROUP BY source ORDER BY source");
	sqlite3_bind_text(st, 1, programme, -1, SQLITE_STATIC);
	printf("  By source:");
	while (sqlite3_step(st) == SQLITE_ROW)
		printf(" %s %d", cli_text(st, 0), sqlite3_column_int(st, 1));
	printf("\n");
	sqlite3_finalize(st);
	st = cli_prepare(cli, "SELECT coalesce(exit_reason, '-'), count(*) FROM enrolment"
	                      " WHERE programme = ?1 AND (exit_reason IS NOT NULL"
	                      " OR withdrawn_on IS NOT NULL) GROUP BY 1 ORDER BY 1");
	sqlite3_bind_text(st, 1, programme, -1, SQLITE_STATIC);
	printf("  Exits:");
	while (sqlite3_step(st) == SQLITE_ROW)
		printf(" %s %d%s", strcmp(cli_text(st, 0), "-") ? cli_text(st, 0) : "no_reason",
		       sqlite3_column_int(st, 1),
		       tl_exit_reason_good((const char *)sqlite3_column_text(st, 0)) ? " (good exits)" : "");
	printf("\n\n");
	sqlite3_finalize(st);

	printf("  %-10s %-18s %5s %5s %6s %4s %5s %7s %7s %7s %7s %7s %7s %s\n", "INSTRUMENT",
	       "MEASURE", "ONCE+", "TWICE", "BETTER", "SAME", "WORSE", "MIN", "Q1", "MEDIAN", "Q3",
	       "MAX", "MEAN", "IMPROVED BY THRESHOLD");
	st = cli_prepare(cli, "SELECT r.instrument, r.measure, r.measure_no,"
	                      " count(DISTINCT r.participant) FROM temp.outcome_row r"
	                      " WHERE r.programme = ?1 GROUP BY r.instrument, r.measure_no"
	                      " ORDER BY r.instrument, r.measure_no");
	sqlite3_bind_text(st, 1, programme, -1, SQLITE_STATIC);
	ch = cli_prepare(cli, "SELECT change FROM temp.outcome_change WHERE programme = ?1"
	                      " AND instrument = ?2 AND measure_no = ?3");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *iid = (const char *)sqlite3_column_text(st, 0);
		struct tl_instrument *in = tl_instrument_load(cli->db, iid, err, sizeof err);
		int m = sqlite3_column_int(st, 2) - 1;
		double *c = NULL;
		size_t n = 0, cap = 0;
		struct tl_out_summary s;
		char thr[64] = "no published threshold";
		if (!in)
			cli_fail("%s", err);
		sqlite3_reset(ch);
		sqlite3_bind_text(ch, 1, programme, -1, SQLITE_STATIC);
		sqlite3_bind_text(ch, 2, iid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(ch, 3, m + 1);
		while (sqlite3_step(ch) == SQLITE_ROW) {
			if (n == cap && !(c = realloc(c, (cap = cap ? 2 * cap : 64) * sizeof *c)))
				cli_fail("out of memory");
			c[n++] = sqlite3_column_double(ch, 0);
		}
		tl_out_summarise(in, m, c, n, &s);
		if (s.meaningful >= 0)
			snprintf(thr, sizeof thr, "%ld of %ld (%s %g)", s.meaningful, s.n,
			         tl_out_measure_higher_is_better(in, m) ? "+" : "-",
			         tl_out_measure_threshold(in, m));
		if (n)
			printf("  %-10s %-18s %5d %5ld %6ld %4ld %5ld %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f %s\n",
			       iid, cli_text(st, 1), sqlite3_column_int(st, 3), s.n, s.better, s.same,
			       s.worse, s.min, s.q1, s.median, s.q3, s.max, s.mean, thr);
		else
			printf("  %-10s %-18s %5d %5d %6s %4s %5s %7s %7s %7s %7s %7s %7s %s\n", iid,
			       cli_text(st, 1), sqlite3_column_int(st, 3), 0, "-", "-", "-", "-", "-",
			       "-", "-", "-", "-", thr);
		if (in->min_pairs && s.n < in->min_pairs)
			printf("  warning: only %ld measured twice on %s; its authors recommend at least"
			       " %d before drawing conclusions\n", s.n, iid, in->min_pairs);
		free(c);
		free(in);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(ch);

	/* Dose against change: by sessions attended between the two dates. */
	printf("\n  Dose (sessions attended from baseline to latest) against median change:\n");
	printf("  %-10s %-18s", "INSTRUMENT", "MEASURE");
	for (int b = 0; b < TL_OUT_DOSE_BANDS; b++)
		printf(" %14s", tl_out_dose_band_name(b));
	printf("\n");
	st = cli_prepare(cli, "SELECT DISTINCT instrument, measure, measure_no FROM"
	                      " temp.outcome_change WHERE programme = ?1 ORDER BY 1, 3");
	sqlite3_bind_text(st, 1, programme, -1, SQLITE_STATIC);
	ch = cli_prepare(cli, "SELECT change, sessions FROM temp.outcome_change"
	                      " WHERE programme = ?1 AND instrument = ?2 AND measure_no = ?3");
	while (sqlite3_step(st) == SQLITE_ROW) {
		double *v[TL_OUT_DOSE_BANDS] = { NULL };
		size_t n[TL_OUT_DOSE_BANDS] = { 0 }, cap[TL_OUT_DOSE_BANDS] = { 0 };
		struct tl_instrument *in = tl_instrument_load(cli->db, (const char *)sqlite3_column_text(st, 0),
		                                              err, sizeof err);
		if (!in)
			cli_fail("%s", err);
		sqlite3_reset(ch);
		sqlite3_bind_text(ch, 1, programme, -1, SQLITE_STATIC);
		sqlite3_bind_text(ch, 2, in->id, -1, SQLITE_STATIC);
		sqlite3_bind_int(ch, 3, sqlite3_column_int(st, 2));
		while (sqlite3_step(ch) == SQLITE_ROW) {
			int b = tl_out_dose_band(sqlite3_column_int64(ch, 1));
			if (tl_grow(&v[b], &cap[b], n[b], sizeof *v[b]))
				cli_fail("out of memory");
			v[b][n[b]++] = sqlite3_column_double(ch, 0);
		}
		printf("  %-10s %-18s", cli_text(st, 0), cli_text(st, 1));
		for (int b = 0; b < TL_OUT_DOSE_BANDS; b++) {
			struct tl_out_summary s;
			char cell[32] = "-";
			tl_out_summarise(in, sqlite3_column_int(st, 2) - 1, v[b], n[b], &s);
			if (n[b])
				snprintf(cell, sizeof cell, "%+.2f (n=%zu)", s.median, n[b]);
			printf(" %14s", cell);
			free(v[b]);
		}
		printf("\n");
		free(in);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(ch);
	printf("\n");
}

/* touchline outcomes report [--programme P]: referrals, exits and
 * distance travelled per programme, from tl_outcomes_build. */
int cmd_outcomes_report(struct cli *cli, int argc, char **argv)
{
	char programme[64] = "", err[512];
	const struct tl_option opts[] = {
		{ NULL, "programme", TL_OPT_STR, programme, sizeof programme, 0, 0, "P",
		  "programme P only" },
		TL_OPT_END,
	};
	sqlite3_stmt *st;
	int any = 0;

	cli_args(cli_current(), opts, argc, argv, NULL, 0, 0);
	cli_exec(cli, "BEGIN");
	if (tl_outcomes_build(cli->db, err, sizeof err))
		cli_fail("%s", err);
	st = cli_prepare(cli, "SELECT id FROM programme WHERE ?1 IS NULL OR id = ?1 ORDER BY id");
	if (programme[0])
		sqlite3_bind_text(st, 1, programme, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char id[64];
		snprintf(id, sizeof id, "%s", (const char *)sqlite3_column_text(st, 0));
		out_report_programme(cli, id);
		any = 1;
	}
	sqlite3_finalize(st);
	cli_exec(cli, "COMMIT");
	if (!any && programme[0])
		cli_fail("no programme '%s'", programme);
	printf("Change is latest minus baseline (first) per participant; quartiles by linear"
	       " interpolation.\nFor a measure where lower is better (ons4 anxiety) a fall is"
	       " better. Thresholds and\nminimum numbers come from each instrument's definition"
	       " (docs/outcomes.md).\n");
	return 0;
}
