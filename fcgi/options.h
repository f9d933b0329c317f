/* fcgi/options.h: One API's options table (key -> string value), in memory */
#ifndef GW_OPTIONS_H
#define GW_OPTIONS_H

#include <stdint.h>
#include "arena.h"
#include "db.h"

/* Defaults first, then the rows of the options table. Call at start and
 * every SYNC_FREQUENCY seconds; thread-safe. */
int options_load(struct db *db) GW_WUR;
/* Reload from the database if SYNC_FREQUENCY has passed since the last load. */
void options_maybe_reload(struct db *db);
/* A copy of the value in the arena, or NULL for an unknown key. */
char *option_dup(struct arena *a, const char *key);
/* Typed reads with a fallback for unknown or malformed values. */
int option_bool(const char *key, int fallback);
int64_t option_int(const char *key, int64_t fallback);
double option_real(const char *key, double fallback);
/* Validate, upsert into the table and update memory. GW_EINPUT with a
 * message in *why (static text) when the value is refused. */
int option_set(struct db *db, const char *key, const char *value, const char **why) GW_WUR;

#endif
