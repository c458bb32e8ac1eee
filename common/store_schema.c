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
};

const int tl_store_migration_count =
	(int)(sizeof tl_store_migrations / sizeof tl_store_migrations[0]);
