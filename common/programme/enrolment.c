/* enrolment.c - see enrolment.h. */
#include "enrolment.h"
#include "calendar.h"

#include <stdio.h>

/* Runs a prepared statement to its end; 0, or -1 with err set. */
static int enr_run(sqlite3 *db, sqlite3_stmt *st, char *err, size_t errlen, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
	return -1;
}

static sqlite3_stmt *enr_prepare(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
		return NULL;
	}
	return st;
}

int tl_participant_new(sqlite3 *db, int64_t now, char code[TL_CODE_LEN], int64_t *id, char *err,
                       size_t errlen)
{
	sqlite3_stmt *st = enr_prepare(db, "INSERT INTO participant (code, created_at) VALUES (?1, ?2)",
	                               err, errlen);
	int rc = SQLITE_ERROR;

	if (!st)
		return -1;
	for (int tries = 0; tries < 20; tries++) {
		if (tl_participant_code_new(code)) {
			sqlite3_finalize(st);
			snprintf(err, errlen, "no randomness from the kernel for a participant code");
			return -1;
		}
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, now);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_CONSTRAINT_UNIQUE && rc != SQLITE_CONSTRAINT)
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT
		                      ? "no free participant code after 20 tries"
		                      : "cannot add a participant: %s", sqlite3_errmsg(db));
		return -1;
	}
	*id = sqlite3_last_insert_rowid(db);
	return 0;
}

int tl_card_link(sqlite3 *db, const char *token, int64_t pid, int64_t now, long *credited,
                 char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int64_t since = 0;

	*credited = 0;
	if (!(st = enr_prepare(db, "SELECT revoked_at FROM card WHERE token = ?1", err, errlen)))
		return -1;
	sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		since = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (!(st = enr_prepare(db, "INSERT INTO card (token, participant, enrolled_at) VALUES (?1, ?2, ?3)"
	                           " ON CONFLICT (token) DO UPDATE SET participant = ?2,"
	                           " enrolled_at = ?3, revoked_at = NULL", err, errlen)))
		return -1;
	sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, pid);
	sqlite3_bind_int64(st, 3, now);
	if (enr_run(db, st, err, errlen, "enrolling the card"))
		return -1;
	if (!(st = enr_prepare(db, "UPDATE tap SET participant = ?1 WHERE card = ?2"
	                           " AND participant IS NULL AND staff IS NULL AND NOT random"
	                           " AND received_at >= ?3", err, errlen)))
		return -1;
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_text(st, 2, token, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, since);
	if (enr_run(db, st, err, errlen, "crediting the card's taps"))
		return -1;
	*credited = sqlite3_changes(db);
	return 0;
}

int64_t tl_enrolment_default_end(sqlite3 *db, const char *programme, int64_t start_day)
{
	sqlite3_stmt *st = NULL;
	int64_t end = -1;

	if (sqlite3_prepare_v2(db, "SELECT weeks FROM programme WHERE id = ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, programme, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		end = start_day + 7 * sqlite3_column_int64(st, 0) - 1;
	sqlite3_finalize(st);
	return end;
}

int tl_enrolment_insert(sqlite3 *db, const char *programme, int64_t pid, int64_t start_day,
                        int64_t end_day, int64_t now, char *err, size_t errlen)
{
	char sd[TL_DATE_LEN], ed[TL_DATE_LEN];
	sqlite3_stmt *st = enr_prepare(db, "INSERT INTO enrolment (programme, participant,"
	                                   " start_date, end_date, created_at)"
	                                   " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
	                               err, errlen);

	if (!st)
		return -1;
	tl_cal_format(start_day, sd);
	tl_cal_format(end_day, ed);
	sqlite3_bind_text(st, 1, programme, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, pid);
	sqlite3_bind_text(st, 3, sd, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ed, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	if (enr_run(db, st, err, errlen, "enrolling"))
		return -1;
	return sqlite3_changes(db) > 0;
}
