/* store_schema.h - internal to store.c and the migration tests. */
#ifndef TL_STORE_SCHEMA_H
#define TL_STORE_SCHEMA_H

#define TL_DEADLETTER_KEEP 2048 /* bytes of a rejected payload kept */

/* Adds rows (site, reader, cause, reason, dropped, payload_bytes, first_at,
 * last_at) to the counts of dead letters not kept: the one way every
 * statement that drops dead letters counts them. Appended to an INSERT
 * INTO deadletter_drop ... VALUES or ... SELECT ... WHERE. */
#define TL_DEADLETTER_DROP_UPSERT                                                       \
	" ON CONFLICT (site, reader, cause, reason) DO UPDATE SET"                          \
	" dropped = dropped + excluded.dropped,"                                            \
	" payload_bytes = payload_bytes + excluded.payload_bytes,"                          \
	" first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)"

extern const char *const tl_store_migrations[];
extern const int tl_store_migration_count;

#endif
