/* fcgi/redemptions.h: One API's redemption codes (model/redemption.go) */
#ifndef GW_REDEMPTIONS_H
#define GW_REDEMPTIONS_H

#include <stdint.h>
#include <jansson.h>
#include "db.h"

enum redemption_status {
	REDEMPTION_ENABLED = 1,
	REDEMPTION_DISABLED = 2,
	REDEMPTION_USED = 3,
};

#define REDEMPTION_NAME_MAX	20	/* characters, as One API's check */
#define REDEMPTION_BATCH_MAX	100	/* codes one POST may make */

/* 1 when name has 1 to REDEMPTION_NAME_MAX characters (UTF-8 runes). */
int redemption_name_ok(const char *name);

/* Insert count codes named name worth quota each, created by user_id; the
 * new keys (32 hex chars) are appended to keys (a JSON array). One
 * transaction: all or none. */
int redemptions_create(struct db *db, int64_t user_id, const char *name, int64_t quota,
    int count, json_t *keys) GW_WUR;

/* One page, newest first: keyword "" / NULL for all, else id equal to it
 * or name starting with it. Rows: id, user_id, key, status, name, quota,
 * created_time, redeemed_time. *total (may be NULL) gets the number of
 * matches. New reference, NULL on a store error. */
json_t *redemptions_page_json(struct db *db, const char *keyword, int64_t offset, int64_t limit,
    int64_t *total);

/* One code; *rc is GW_OK, GW_ENOTFOUND or GW_EDB. */
json_t *redemption_get_json(struct db *db, int64_t id, int *rc);

/* Write name and quota (status_only: only status) of code id.
 * GW_ENOTFOUND when there is none. */
int redemption_update(struct db *db, int64_t id, const char *name, int64_t quota, int64_t status,
    int status_only) GW_WUR;

/* Delete code id; GW_ENOTFOUND when there is none. */
int redemption_delete(struct db *db, int64_t id) GW_WUR;

/* Redeem key for user_id in one transaction: the code goes from enabled
 * to used, the user's quota grows by its quota, and a top-up log row says
 * so. *quota gets the amount. GW_ENOTFOUND: no such key; GW_ECONFLICT:
 * used or disabled. */
int redemption_redeem(struct db *db, const char *key, int64_t user_id, int64_t *quota) GW_WUR;

#endif
