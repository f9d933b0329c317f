/* fcgi/options.h: One API's options table (key -> string value), in memory */
#ifndef GW_OPTIONS_H
#define GW_OPTIONS_H

#include <stdint.h>
#include "arena.h"
#include "db.h"
#include <jansson.h>

/* Defaults first, then the rows of the options table. Call at start and
 * every SYNC_FREQUENCY seconds; thread-safe. */
int options_load(struct db *db) GW_WUR;
/* Reload from the database if SYNC_FREQUENCY has passed since the last load. */
void options_maybe_reload(struct db *db);
/* One API's default price tables (JSON objects); a stored ModelRatio or
 * CompletionRatio replaces them, so billing falls back to these. */
extern const char options_default_model_ratio[];
extern const char options_default_completion_ratio[];

/* A copy of the value in the arena, or NULL for an unknown key. */
char *option_dup(struct arena *a, const char *key);
/* Typed reads with a fallback for unknown or malformed values. */
int option_bool(const char *key, int fallback);
int64_t option_int(const char *key, int64_t fallback);
double option_real(const char *key, double fallback);
/* A number of a ratio map option (ModelRatio, CompletionRatio, GroupRatio)
 * by name: GW_OK with *out set, or GW_ENOTFOUND. */
int option_ratio(const char *map_key, const char *name, double *out) GW_WUR;
/* The group names of GroupRatio as a JSON array of strings (new reference),
 * NULL on ENOMEM. */
json_t *option_group_names(void);
/* Every option except keys ending in "Token" or "Secret", as One API's
 * GET /api/option/ lists them: [{"key":..,"value":..}] (new reference). */
json_t *options_list_json(void);
/* The checks of option_set without writing: GW_OK, or GW_EINPUT with a
 * static message in *why. */
int option_check(const char *key, const char *value, const char **why) GW_WUR;
/* Validate, upsert into the table and update memory. GW_EINPUT with a
 * message in *why (static text) when the value is refused. */
int option_set(struct db *db, const char *key, const char *value, const char **why) GW_WUR;

#endif
