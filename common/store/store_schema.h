/* store_schema.h - internal to store.c and the migration tests. */
#ifndef TL_STORE_SCHEMA_H
#define TL_STORE_SCHEMA_H

#define TL_DEADLETTER_KEEP 2048 /* bytes of a rejected payload kept */

extern const char *const tl_store_migrations[];
extern const int tl_store_migration_count;

#endif
