/* intake.h - storing one decoded tap: the part of a tap's way in that the
 * collector (handle_tap.c) and the admin's re-entry of a dead letter
 * (touchline deadletter retry) share, so both store and answer a tap by
 * the same code. Runs in the caller's transaction. */
#ifndef TL_INTAKE_H
#define TL_INTAKE_H

#include <sqlite3.h>
#include <stdint.h>

#include "attendance.h"
#include "protocol.h"

struct intake {
	sqlite3 *db;
	struct tl_engine *engine; /* for the ack's week_sessions */
	sqlite3_stmt *reader_info, *card_lookup, *tap_insert, *tap_owner, *reader_tap;
	sqlite3_stmt *staff_lookup, *prev_tap, *expect_insert;
};

/* What the collector knows of a registered reader. */
struct intake_reader {
	int online;            /* its last status said online */
	int64_t online_since;  /* receive time of the status that said so */
	int has_seq;           /* it has stored taps: */
	int64_t max_seq, max_seq_ts; /* its highest seq, and that tap's ts */
};

int intake_open(struct intake *in, sqlite3 *db, struct tl_engine *engine);
void intake_close(struct intake *in);

/* Looks up a reader: 1 if registered (r filled), 0 if not, -1 on error. */
int intake_reader(struct intake *in, const char *site, const char *reader,
                  struct intake_reader *r);

/* Stores tap (its reader registered) as received at received_at, marked
 * with suspect unless that is NULL, and fills the ack's status,
 * participant, week_sessions and coach. A staff (coach) card's tap is
 * stored for nobody; the card a reader reads next, within
 * TL_COACH_WINDOW of it by the taps' ts, is the coach's: an unknown one
 * becomes a new participant enrolled in the programme running at the site
 * (docs/protocol.md, "Coach cards"). Returns 0, or -1 on a database
 * error. */
int intake_store(struct intake *in, const struct tl_tap *tap, int64_t received_at,
                 const char *suspect, struct tl_ack *ack);

#endif
