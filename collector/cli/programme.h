/* programme.h - helpers shared by the programme-model commands (activity,
 * programme, schedule, session, attendance, followup, report, erase,
 * purge). */
#ifndef TL_CLI_PROGRAMME_H
#define TL_CLI_PROGRAMME_H

#include "cli.h"

#include <stddef.h>
#include <stdint.h>

/* The instant attendance is computed for: $TOUCHLINE_AS_OF (RFC 3339 UTC,
 * for reproducible tests and demos) or now. */
int64_t cli_as_of(void);
/* Rebuilds the derived attendance tables inside the caller's transaction,
 * so every command that changes an input leaves them consistent. */
void cli_attendance_refresh(struct cli *cli);
/* Recomputes one participant's derived rows (their earlier taps were just
 * credited), inside the caller's transaction. */
void cli_attendance_participant(struct cli *cli, int64_t participant);
/* A date argument "YYYY-MM-DD" as a day number; a usage error if not. */
int64_t cli_date(const char *flag, const char *text);
/* The programme's time zone into tz; fails if there is no such programme. */
void cli_programme_tz(struct cli *cli, const char *programme, char *tz, size_t size);
/* Fails unless site is one of the programme's sites and activity exists. */
void cli_check_site_activity(struct cli *cli, const char *programme, const char *site,
                             const char *activity);
/* Adds one session (tl_session_insert); schedule 0 for a one-off, which
 * expected_of_none makes a drop-in. Returns 1 if added, 0 if the same
 * session already existed; fails on an error. */
int cli_session_create(struct cli *cli, const char *programme, const char *tz, const char *site,
                       const char *activity, int64_t schedule, int64_t days, int start_min,
                       int end_min, int expected_of_none);

#endif
