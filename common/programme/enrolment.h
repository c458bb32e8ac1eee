/* enrolment.h - the writes that make someone a participant: a new
 * participant with a random code, a card linked to them, an enrolment in
 * a programme. Shared by the admin CLI (participant add, card enrol,
 * programme enrol) and the collector (a coach card enrolling a new card
 * at the session), so both do them the same way. Each runs in the
 * caller's transaction and returns 0, or -1 with err set. */
#ifndef TL_ENROLMENT_H
#define TL_ENROLMENT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "participant_code.h"

/* Adds a participant with a new random code (drawn again if taken) into
 * code; *id gets its row id. */
int tl_participant_new(sqlite3 *db, int64_t now, char code[TL_CODE_LEN], int64_t *id, char *err,
                       size_t errlen);

/* Links token to participant pid (a token never held, or held by a card
 * since revoked: the caller checks it is not active) and credits the
 * taps the card made while unknown since then (not staff cards' taps,
 * not random UIDs'); *credited gets how many. */
int tl_card_link(sqlite3 *db, const char *token, int64_t pid, int64_t now, long *credited,
                 char *err, size_t errlen);

/* The default last day of an enrolment starting on start_day: the
 * programme's length in weeks. -1 if there is no such programme. */
int64_t tl_enrolment_default_end(sqlite3 *db, const char *programme, int64_t start_day);

/* Inserts the enrolment (start_day..end_day, local day numbers); 1 if
 * added, 0 if the participant is already enrolled in the programme. */
int tl_enrolment_insert(sqlite3 *db, const char *programme, int64_t pid, int64_t start_day,
                        int64_t end_day, int64_t now, char *err, size_t errlen);

#endif
