/* fcgi/channels.h: the channels table and its routing projection, abilities */
#ifndef GW_CHANNELS_H
#define GW_CHANNELS_H

#include <stdint.h>
#include <jansson.h>
#include "db.h"

/* One API's channel status values. */
enum channel_status {
	CHANNEL_STATUS_UNKNOWN = 0,
	CHANNEL_STATUS_ENABLED = 1,
	CHANNEL_STATUS_MANUALLY_DISABLED = 2,
	CHANNEL_STATUS_AUTO_DISABLED = 3,
};

/*
 * A channel as the management API sends it (One API's model.Channel).
 * Strings are borrowed. Fields that are pointers in One API (weight,
 * base_url, other, model_mapping, priority, system_prompt) are "absent"
 * when NULL / has_x == 0; the others are absent when zero or "".
 */
struct channel_in {
	int64_t id;
	int64_t type;
	const char *key;
	int64_t status;
	const char *name;
	int has_weight;
	int64_t weight;
	int64_t created_time;
	int64_t test_time;
	int64_t response_time;
	const char *base_url;
	const char *other;
	int has_balance;
	double balance;
	int64_t balance_updated_time;
	const char *models;
	const char *group;
	int64_t used_quota;
	const char *model_mapping;
	int has_priority;
	int64_t priority;
	const char *config;
	const char *system_prompt;
};

/* The next upstream key of a multi-line `key` field (One API's AddChannel
 * makes one channel per line): *p advances past the line; the key is the
 * line without surrounding white space (so "\r\n" works), *len its length.
 * Returns a pointer into the text, or NULL when no non-empty line is left. */
const char *channel_next_key(const char **p, size_t *len);

/* Insert one channel per non-empty line of c->key, with created_time = now,
 * and their abilities, in one transaction. Defaults as One API's columns:
 * status 0 -> 1, group "" -> "default", absent weight/priority -> 0,
 * absent base_url/model_mapping -> "". *count (may be NULL) gets the
 * number of channels. GW_EINPUT when c->key has no key at all. */
int channels_create(struct db *db, const struct channel_in *c, int64_t now, int *count) GW_WUR;

/* One API's PUT /api/channel/ (GORM Updates): write the fields of c that
 * are present (non-zero, or non-NULL for pointer fields) to channel c->id,
 * then rebuild its abilities from the stored row; one transaction.
 * GW_ENOTFOUND when there is no such channel. */
int channel_update(struct db *db, const struct channel_in *c) GW_WUR;

/* Set the status and the abilities' enabled flag together. */
int channel_set_status(struct db *db, int64_t id, int status) GW_WUR;

/* Delete a channel and its abilities. *deleted (may be NULL) gets 0 or 1;
 * a missing channel is not an error (One API answers success). */
int channel_delete(struct db *db, int64_t id, int64_t *deleted) GW_WUR;

/* Delete every channel with status 2 or 3, and their abilities; *rows gets
 * the number of channels deleted. */
int channels_delete_disabled(struct db *db, int64_t *rows) GW_WUR;

/* Delete the abilities of channel id and insert one row per distinct
 * trimmed model x distinct trimmed group of the stored channel, enabled =
 * (status == 1), priority = the channel's. Call inside a transaction.
 * GW_ENOTFOUND when the channel does not exist. */
int channel_rebuild_abilities(struct db *db, int64_t id) GW_WUR;

/* Channel rows as the API shows them: every One API field, with "key"
 * always "" (the secret is never read back). New references; NULL on a
 * store error. */
json_t *channel_list_json(struct db *db, int64_t offset, int64_t limit);
/* id equal to keyword (as an integer) or name LIKE 'keyword%'. */
json_t *channel_search_json(struct db *db, const char *keyword);
/* One channel; *rc is GW_OK, GW_ENOTFOUND or GW_EDB. */
json_t *channel_get_json(struct db *db, int64_t id, int *rc);
/* Number of channels (for "total"); -1 on error. */
int64_t channel_count(struct db *db);

/* The distinct models of enabled abilities of a group, sorted bytewise,
 * as a JSON array of strings (new reference), NULL on error. */
json_t *group_models_json(struct db *db, const char *group);
/* The models of a group's enabled abilities, sorted, each with the lowest
 * channel type serving it: fn(ctx, model, type) per model (model valid
 * during the call only). GW_OK or GW_EDB. */
int group_model_types(struct db *db, const char *group,
    void (*fn)(void *ctx, const char *model, int type), void *ctx) GW_WUR;

/* What the channels page lists: keyword "" / NULL for all, else id equal
 * to it, name starting with it or a model containing it; status and type
 * 0 for any; order "priority", "name", "used", "response" or anything
 * else for id desc. */
struct channel_filter {
	const char *keyword;
	const char *order;
	int64_t status;
	int64_t type;
};

/* One page of the channels matching f; *total (may be NULL) gets the
 * number of matches. Rows as channel_list_json; new reference, NULL on a
 * store error. */
json_t *channel_page_json(struct db *db, const struct channel_filter *f, int64_t offset,
    int64_t limit, int64_t *total);

/* Write the time of a channel test and its response time in ms. */
int channel_record_test(struct db *db, int64_t id, int64_t when, int64_t response_ms) GW_WUR;
/* Write a channel's balance (USD) and when it was read. */
int channel_record_balance(struct db *db, int64_t id, double balance, int64_t when) GW_WUR;

#endif
