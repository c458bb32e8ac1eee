/* store_schema.c - the database schema as a list of forward migrations.
 *
 * Migration N (1-based) takes user_version N-1 to N. Never edit a migration
 * that has shipped: add a new one. Times are INTEGER Unix seconds, UTC. */
#include "store_schema.h"

const char *const tl_store_migrations[] = {
	/* 1: sites, readers, participants, cards, taps, dead letters */
	"CREATE TABLE site ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL DEFAULT '',"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE reader ("
	"  site TEXT NOT NULL REFERENCES site(id),"
	"  id TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'never_seen'"
	"    CHECK (state IN ('never_seen', 'online', 'offline')),"
	"  last_seen INTEGER," /* receive time of its last message */
	"  status_ts INTEGER," /* the time its last status claimed */
	"  spooled INTEGER,"
	"  version TEXT,"
	"  last_tap INTEGER,"
	"  PRIMARY KEY (site, id)) WITHOUT ROWID;"
	/* code is NULL once a participant is erased; the row stays so that
	 * anonymous counts (unique participants, attendances) stay right. */
	"CREATE TABLE participant ("
	"  id INTEGER PRIMARY KEY,"
	"  code TEXT UNIQUE,"
	"  created_at INTEGER NOT NULL,"
	"  erased_at INTEGER);"
	/* Names live apart from everything that is ever exported. */
	"CREATE TABLE participant_name ("
	"  participant INTEGER PRIMARY KEY REFERENCES participant(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL);"
	"CREATE TABLE card ("
	"  token TEXT PRIMARY KEY,"
	"  participant INTEGER NOT NULL REFERENCES participant(id),"
	"  enrolled_at INTEGER NOT NULL,"
	"  revoked_at INTEGER);"
	/* Every valid tap, known card or not; participant is NULL for a card
	 * that was unknown when it was tapped (the unknown-card log). */
	"CREATE TABLE tap ("
	"  n INTEGER PRIMARY KEY,"
	"  id TEXT NOT NULL UNIQUE,"
	"  site TEXT NOT NULL,"
	"  reader TEXT NOT NULL,"
	"  card TEXT,"
	"  participant INTEGER REFERENCES participant(id),"
	"  ts INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  received_at INTEGER NOT NULL);"
	"CREATE INDEX tap_ts ON tap(ts);"
	"CREATE INDEX tap_card ON tap(card) WHERE participant IS NULL;"
	"CREATE INDEX tap_participant ON tap(participant, ts);"
	"CREATE TABLE deadletter ("
	"  n INTEGER PRIMARY KEY,"
	"  received_at INTEGER NOT NULL,"
	"  topic TEXT NOT NULL,"
	"  payload BLOB NOT NULL," /* the first TL_DEADLETTER_KEEP bytes */
	"  payload_size INTEGER NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  tap_id TEXT);"
	"CREATE INDEX deadletter_reason ON deadletter(reason);",
	/* 2: the programme model. Inputs: activities, programmes and their
	 * sites, enrolments, schedules and sessions. Derived (rebuilt from taps
	 * by tl_attendance_rebuild, never edited by hand): attendance,
	 * tap_unmatched, activity_week, engagement, attendance_build. Dates are
	 * local calendar dates of the programme's zone, "YYYY-MM-DD". */
	"CREATE TABLE activity ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  intensity TEXT NOT NULL CHECK (intensity IN ('moderate', 'vigorous')),"
	"  met REAL NOT NULL CHECK (met > 0 AND met <= 25),"
	"  created_at INTEGER NOT NULL);"
	"INSERT INTO activity (id, name, intensity, met, created_at) VALUES"
	"  ('football', 'Football', 'vigorous', 7.0, 0),"
	"  ('gym', 'Gym', 'moderate', 5.0, 0);"
	"CREATE TABLE programme ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  weeks INTEGER NOT NULL DEFAULT 12 CHECK (weeks BETWEEN 1 AND 520),"
	"  tz TEXT NOT NULL DEFAULT 'Europe/London',"
	"  checkin_before_min INTEGER NOT NULL DEFAULT 30,"  /* window opens before start */
	"  checkin_after_end_min INTEGER NOT NULL DEFAULT 0," /* and closes after the end */
	"  checkout_gap_min INTEGER NOT NULL DEFAULT 10,"    /* check-out at least this later */
	"  checkout_grace_min INTEGER NOT NULL DEFAULT 60,"  /* and at most this after the end */
	"  followup_misses INTEGER NOT NULL DEFAULT 2,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE programme_site ("
	"  programme TEXT NOT NULL REFERENCES programme(id),"
	"  site TEXT NOT NULL REFERENCES site(id),"
	"  PRIMARY KEY (programme, site)) WITHOUT ROWID;"
	/* Rolling intake: each participant's weeks count from their start.
	 * Eligible for sessions dated start_date..end_date (inclusive) and
	 * before withdrawn_on. */
	"CREATE TABLE enrolment ("
	"  programme TEXT NOT NULL REFERENCES programme(id),"
	"  participant INTEGER NOT NULL REFERENCES participant(id),"
	"  start_date TEXT NOT NULL,"
	"  end_date TEXT NOT NULL,"
	"  withdrawn_on TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (programme, participant)) WITHOUT ROWID;"
	"CREATE INDEX enrolment_participant ON enrolment(participant);"
	"CREATE TABLE schedule ("
	"  id INTEGER PRIMARY KEY,"
	"  programme TEXT NOT NULL REFERENCES programme(id),"
	"  site TEXT NOT NULL REFERENCES site(id),"
	"  activity TEXT NOT NULL REFERENCES activity(id),"
	"  weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7)," /* ISO, 1 = Monday */
	"  start_time TEXT NOT NULL," /* local HH:MM */
	"  end_time TEXT NOT NULL,"
	"  first_date TEXT NOT NULL,"
	"  last_date TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	/* One occurrence: local date and times as scheduled, and the UTC
	 * instants they meant in the programme's zone on that date. */
	"CREATE TABLE session ("
	"  id INTEGER PRIMARY KEY,"
	"  programme TEXT NOT NULL REFERENCES programme(id),"
	"  site TEXT NOT NULL REFERENCES site(id),"
	"  activity TEXT NOT NULL REFERENCES activity(id),"
	"  schedule INTEGER REFERENCES schedule(id)," /* NULL: a one-off session */
	"  local_date TEXT NOT NULL,"
	"  start_time TEXT NOT NULL,"
	"  end_time TEXT NOT NULL,"
	"  start_ts INTEGER NOT NULL,"
	"  end_ts INTEGER NOT NULL CHECK (end_ts > start_ts),"
	"  iso_week TEXT NOT NULL," /* of local_date, e.g. 2026-W10 */
	"  week_start TEXT NOT NULL," /* Monday of that ISO week */
	"  cancelled_at INTEGER,"
	"  cancel_reason TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  UNIQUE (programme, site, activity, local_date, start_time));"
	"CREATE INDEX session_site_time ON session(site, start_ts);"
	"CREATE INDEX session_programme_date ON session(programme, local_date);"
	"CREATE INDEX session_week ON session(programme, iso_week);"
	/* One row per participant per eligible session that has started. */
	"CREATE TABLE attendance ("
	"  participant INTEGER NOT NULL REFERENCES participant(id),"
	"  session INTEGER NOT NULL REFERENCES session(id),"
	"  programme TEXT NOT NULL,"
	"  programme_week INTEGER NOT NULL,"
	"  attended INTEGER NOT NULL,"
	"  checkin_tap INTEGER," /* tap.n */
	"  checkout_tap INTEGER,"
	"  checkin_at INTEGER,"
	"  checkout_at INTEGER,"
	"  minutes INTEGER NOT NULL,"
	"  minutes_estimated INTEGER NOT NULL,"
	"  PRIMARY KEY (participant, session)) WITHOUT ROWID;"
	"CREATE INDEX attendance_session ON attendance(session);"
	/* Taps that matched no eligible session: kept, listed, never lost. */
	"CREATE TABLE tap_unmatched ("
	"  tap INTEGER PRIMARY KEY," /* tap.n */
	"  reason TEXT NOT NULL);"
	/* Programme activity (programme sessions only, not total activity),
	 * per participant, programme and ISO week with an eligible session. */
	"CREATE TABLE activity_week ("
	"  participant INTEGER NOT NULL,"
	"  programme TEXT NOT NULL,"
	"  iso_week TEXT NOT NULL,"
	"  week_start TEXT NOT NULL,"
	"  sessions_eligible INTEGER NOT NULL,"
	"  sessions_attended INTEGER NOT NULL,"
	"  minutes INTEGER NOT NULL,"
	"  moderate_minutes INTEGER NOT NULL,"
	"  vigorous_minutes INTEGER NOT NULL,"
	"  moderate_equivalent_minutes INTEGER NOT NULL,"
	"  met_minutes REAL NOT NULL,"
	"  activity_level TEXT NOT NULL,"
	"  PRIMARY KEY (participant, programme, iso_week)) WITHOUT ROWID;"
	"CREATE TABLE engagement ("
	"  participant INTEGER NOT NULL,"
	"  programme TEXT NOT NULL,"
	"  sessions_eligible INTEGER NOT NULL,"
	"  sessions_attended INTEGER NOT NULL,"
	"  attendance_rate REAL," /* NULL before the first eligible session */
	"  weeks_attended INTEGER NOT NULL,"
	"  missed_run INTEGER NOT NULL," /* eligible sessions missed since the last attended */
	"  last_attended TEXT,"
	"  followup INTEGER NOT NULL,"
	"  PRIMARY KEY (participant, programme)) WITHOUT ROWID;"
	/* When the derived tables were built, for which instant, and the
	 * retention horizon: sessions before purged_before are not rebuilt. */
	"CREATE TABLE attendance_build ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  built_at INTEGER NOT NULL,"
	"  as_of INTEGER NOT NULL,"
	"  purged_before INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO attendance_build (id, built_at, as_of) VALUES (1, 0, 0);",

	/* 3: reader clocks. clock_offset is the reader's clock minus ours, in
	 * seconds, measured from its last status that carried a ts (statuses
	 * are never spooled, so they arrive at once); clock_at is when. */
	("ALTER TABLE reader ADD COLUMN clock_offset INTEGER;"
	 "ALTER TABLE reader ADD COLUMN clock_at INTEGER;"),

	/* 4: for the scale benchmark (bench/results). tap_participant covers
	 * site, so matching a participant's taps (the rebuild, the ack's
	 * week_sessions) reads the index alone instead of looking up each tap
	 * in the table: 2M lookups, 2.8 s of the rebuild at 2M taps. */
	"DROP INDEX tap_participant;"
	"CREATE INDEX tap_participant ON tap(participant, ts, site);"
	/* The ack's latest eligible session: a walk back in time along one
	 * programme's sessions. */
	"CREATE INDEX session_programme_start ON session(programme, start_ts);",

	/* 5: attendance_session covers attended, so counting a session's
	 * places and attendances (the sessions export, the dashboard's
	 * follow-up) reads the index alone: 1.8 s -> 0.3 s for every session
	 * at 1.8M rows. The rebuild creates it the same way. */
	"DROP INDEX attendance_session;"
	"CREATE INDEX attendance_session ON attendance(session, attended);",
	/* 6: who is expected where, and live attendance.
	 * expectation: from from_date on (local date), an enrolment expects
	 * the participant at the sessions of the listed sites, or of the
	 * listed schedules (comma-separated ids; both NULL: every session, the
	 * meaning of every enrolment before this migration, which has no
	 * expectation row). session.expected_of: a one-off session is expected
	 * of everyone enrolled at its site ('site') or of nobody ('none').
	 * activity.strength: a muscle-strengthening activity (gym).
	 * attendance.expected is 0 for an attended session outside the
	 * expectation ("extra"). attendance_build.tap_n: the last tap the
	 * derived tables have taken in; generation counts full rebuilds;
	 * stale asks for one (set here: the derived tables change meaning). */
	"CREATE TABLE expectation ("
	"  programme TEXT NOT NULL,"
	"  participant INTEGER NOT NULL,"
	"  from_date TEXT NOT NULL,"
	"  sites TEXT,"
	"  schedules TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (participant, programme, from_date),"
	"  FOREIGN KEY (programme, participant) REFERENCES enrolment(programme, participant)"
	"    ON DELETE CASCADE) WITHOUT ROWID;"
	"ALTER TABLE session ADD COLUMN expected_of TEXT NOT NULL DEFAULT 'site'"
	"  CHECK (expected_of IN ('site', 'none'));"
	"ALTER TABLE activity ADD COLUMN strength INTEGER NOT NULL DEFAULT 0;"
	"UPDATE activity SET strength = 1 WHERE id = 'gym';"
	"ALTER TABLE attendance ADD COLUMN expected INTEGER NOT NULL DEFAULT 1;"
	/* counting a session's places, attendances and extras reads it alone */
	"DROP INDEX attendance_session;"
	"CREATE INDEX attendance_session ON attendance(session, attended, expected);"
	"ALTER TABLE engagement RENAME COLUMN sessions_eligible TO sessions_expected;"
	"ALTER TABLE engagement ADD COLUMN sessions_extra INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE engagement ADD COLUMN status TEXT NOT NULL DEFAULT 'active';"
	"ALTER TABLE activity_week RENAME COLUMN sessions_eligible TO sessions_expected;"
	"ALTER TABLE activity_week RENAME COLUMN activity_level TO minutes_band;"
	"ALTER TABLE activity_week ADD COLUMN sessions_extra INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE activity_week ADD COLUMN strength_days INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE activity_week ADD COLUMN estimated_minutes INTEGER NOT NULL DEFAULT 0;"
	"UPDATE activity_week SET minutes_band = CASE minutes_band WHEN 'inactive' THEN '<30'"
	"  WHEN 'fairly_active' THEN '30-149' ELSE '150+' END;"
	"ALTER TABLE attendance_build ADD COLUMN tap_n INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE attendance_build ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE attendance_build ADD COLUMN stale INTEGER NOT NULL DEFAULT 1;",
	/* 7: suspicious taps, fresh reader statuses, retained junk.
	 * tap.suspect: why a stored tap looked wrong when it arrived (NULL:
	 * nothing); it counts for attendance only once accepted_at is set
	 * (touchline tap accept). tap_participant covers both, so the
	 * attendance engine's one tap query still reads the index alone.
	 * reader.online_since: receive time of the status that brought it
	 * online (NULL while not online); max_seq, max_seq_ts: its highest
	 * stored seq and that tap's ts. deadletter.retained: the message came
	 * as a retained one (the broker resends it on every subscribe; one
	 * already kept under its topic is not kept again: deadletter_topic). */
	"ALTER TABLE tap ADD COLUMN suspect TEXT;"
	"ALTER TABLE tap ADD COLUMN accepted_at INTEGER;"
	"DROP INDEX tap_participant;"
	"CREATE INDEX tap_participant ON tap(participant, ts, site, suspect, accepted_at);"
	"CREATE INDEX tap_suspect ON tap(site, reader, ts) WHERE suspect IS NOT NULL;"
	"ALTER TABLE reader ADD COLUMN online_since INTEGER;"
	"ALTER TABLE reader ADD COLUMN max_seq INTEGER;"
	"ALTER TABLE reader ADD COLUMN max_seq_ts INTEGER;"
	"CREATE TEMP TABLE reader_max_seq AS"
	"  SELECT site, reader, max(seq) AS seq, ts FROM tap GROUP BY site, reader;"
	"UPDATE reader SET (max_seq, max_seq_ts) = (SELECT m.seq, m.ts FROM reader_max_seq m"
	"  WHERE m.site = reader.site AND m.reader = reader.id);"
	"DROP TABLE reader_max_seq;"
	"ALTER TABLE deadletter ADD COLUMN retained INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX deadletter_topic ON deadletter(topic);",

	/* 8: bounded dead letters. deadletter.site and .reader name the
	 * registered reader a dead letter came from, both '' when it cannot be
	 * attributed to one (a bad topic, an unregistered reader), both NULL
	 * for rows stored before this migration. deadletter_drop counts every
	 * dead letter not kept, by source (site, reader; '' '' unattributable),
	 * cause (rate_limit: over the junk rate, never stored; cap: the oldest
	 * beyond a source's cap; age: older than the age limit; purge:
	 * 'touchline purge') and reason. */
	"ALTER TABLE deadletter ADD COLUMN site TEXT;"
	"ALTER TABLE deadletter ADD COLUMN reader TEXT;"
	"CREATE INDEX deadletter_source ON deadletter(site, reader, n);"
	"CREATE INDEX deadletter_received ON deadletter(received_at);"
	"CREATE TABLE deadletter_drop ("
	"  site TEXT NOT NULL,"
	"  reader TEXT NOT NULL,"
	"  cause TEXT NOT NULL CHECK (cause IN ('rate_limit', 'cap', 'age', 'purge')),"
	"  reason TEXT NOT NULL,"
	"  dropped INTEGER NOT NULL,"
	"  payload_bytes INTEGER NOT NULL," /* their sizes as received */
	"  first_at INTEGER NOT NULL," /* received_at of the first and last dropped */
	"  last_at INTEGER NOT NULL,"
	"  PRIMARY KEY (site, reader, cause, reason)) WITHOUT ROWID;",
	/* 9: outcomes. instrument: a definition file as added (parsed and
	 * scored by common/programme/outcomes.c, never by SQL). assessment:
	 * one instrument's item scores for a participant in a programme at a
	 * wave; scores are whole numbers separated by commas, an empty place
	 * for a missing item; no free text. in_enrolment is 0 for one recorded
	 * on purpose outside the enrolment's dates. referral_source: the
	 * deployment's list. referral: a participant referred to a programme,
	 * enrolled or not (an enrolment with the same key is its start).
	 * enrolment.exit_reason: why they left (outcomes.c lists the reasons). */
	"CREATE TABLE instrument ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  definition TEXT NOT NULL,"
	"  added_at INTEGER NOT NULL);"
	"CREATE TABLE assessment ("
	"  id INTEGER PRIMARY KEY,"
	"  participant INTEGER NOT NULL REFERENCES participant(id),"
	"  programme TEXT NOT NULL REFERENCES programme(id),"
	"  instrument TEXT NOT NULL REFERENCES instrument(id),"
	"  wave TEXT NOT NULL,"
	"  date TEXT NOT NULL,"
	"  scores TEXT NOT NULL,"
	"  in_enrolment INTEGER NOT NULL DEFAULT 1,"
	"  created_at INTEGER NOT NULL,"
	"  UNIQUE (participant, programme, instrument, wave));"
	"CREATE INDEX assessment_date ON assessment(date);"
	"CREATE TABLE referral_source ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"INSERT INTO referral_source (id, name, created_at) VALUES"
	"  ('probation', 'Probation', 0), ('prison', 'Prison', 0), ('self', 'Self-referral', 0),"
	"  ('agency', 'Another agency', 0), ('other', 'Other', 0);"
	"CREATE TABLE referral ("
	"  programme TEXT NOT NULL REFERENCES programme(id),"
	"  participant INTEGER NOT NULL REFERENCES participant(id),"
	"  source TEXT NOT NULL REFERENCES referral_source(id),"
	"  referred_on TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (programme, participant)) WITHOUT ROWID;"
	"CREATE INDEX referral_participant ON referral(participant);"
	"ALTER TABLE enrolment ADD COLUMN exit_reason TEXT;",
	/* 10: at the session. attendance_mark: a manual register mark (a
	 * forgotten card, a paper register), an input of the attendance engine
	 * like a tap: who made it (marked_by), when and why; minutes NULL: the
	 * taps' or the scheduled length. attendance.source: 'manual' for a row
	 * a mark made attended. staff: coach cards (their taps are never
	 * attendance). tap.staff: the staff card a tap was made with; .random:
	 * the reader saw a random UID (a phone), never offered for enrolment;
	 * .coach: what the coach card did with the tap (docs/protocol.md, the
	 * ack's "coach"); tap_reader: a reader's taps in tap order, for the
	 * coach window. */
	"CREATE TABLE attendance_mark ("
	"  participant INTEGER NOT NULL REFERENCES participant(id),"
	"  session INTEGER NOT NULL REFERENCES session(id),"
	"  minutes INTEGER,"
	"  reason TEXT NOT NULL,"
	"  marked_by TEXT NOT NULL,"
	"  marked_at INTEGER NOT NULL,"
	"  PRIMARY KEY (participant, session)) WITHOUT ROWID;"
	"CREATE INDEX attendance_mark_session ON attendance_mark(session);"
	"ALTER TABLE attendance ADD COLUMN source TEXT NOT NULL DEFAULT 'tap'"
	"  CHECK (source IN ('tap', 'manual'));"
	"CREATE TABLE staff ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  token TEXT NOT NULL UNIQUE,"
	"  added_at INTEGER NOT NULL,"
	"  revoked_at INTEGER);"
	"ALTER TABLE tap ADD COLUMN staff INTEGER REFERENCES staff(id);"
	"ALTER TABLE tap ADD COLUMN random INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE tap ADD COLUMN coach TEXT;"
	"CREATE INDEX tap_reader ON tap(site, reader, ts, seq);",
	/* 11: readers' problem history. reader_problem: a stretch of time a
	 * reader was offline, or its clock off by more than
	 * TL_CLOCK_TOLERANCE, from its statuses (collector/handle_status.c):
	 * start_at and end_at UTC, end_at NULL while it lasts; worst: the
	 * largest clock offset measured in it (seconds, the reader's clock
	 * minus ours), NULL for offline. */
	"CREATE TABLE reader_problem ("
	"  site TEXT NOT NULL,"
	"  reader TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('offline', 'clock')),"
	"  start_at INTEGER NOT NULL,"
	"  end_at INTEGER,"
	"  worst INTEGER,"
	"  PRIMARY KEY (site, reader, kind, start_at)) WITHOUT ROWID;",
};

const int tl_store_migration_count =
	(int)(sizeof tl_store_migrations / sizeof tl_store_migrations[0]);
