/* fcgi/redemptions.c: One API's redemption codes: batch creation, listing,
 * changes and the redeem transaction that turns a code into user quota */
#include <stdio.h>
#include <string.h>
#include "redemptions.h"
#include "cache.h"
#include "logs.h"
#include "util.h"

#define REDEMPTION_COLS "id, COALESCE(user_id, 0) AS user_id, COALESCE(`key`, '') AS `key`, " \
	"COALESCE(status, 1) AS status, COALESCE(name, '') AS name, COALESCE(quota, 0) AS quota, " \
	"COALESCE(created_time, 0) AS created_time, COALESCE(redeemed_time, 0) AS redeemed_time"

int
redemption_name_ok(const char *name)
{
	size_t n = 0;

	for (; name && *name; name++)
		if (((unsigned char)*name & 0xc0) != 0x80)
			n++;
	return n >= 1 && n <= REDEMPTION_NAME_MAX;
}

int
redemptions_create(struct db *db, int64_t user_id, const char *name, int64_t quota, int count,
    json_t *keys)
{
	char key[33];
	int64_t now = now_sec();
	int i, rc;

	if ((rc = db_begin(db)) != GW_OK)
		return rc;
	for (i = 0; i < count; i++) {
		if ((rc = rand_uuid_hex(key)) != GW_OK)
			goto fail;
		rc = db_exec(db, "INSERT INTO redemptions (user_id, `key`, status, name, quota, "
		    "created_time, redeemed_time) VALUES (?, ?, 1, ?, ?, ?, 0)",
		    DB_ARGS(DB_I(user_id), DB_S(key), DB_S(name), DB_I(quota), DB_I(now)), NULL);
		if (rc != GW_OK)
			goto fail;
		if (json_array_append_new(keys, json_string(key)) != 0) {
			rc = GW_ENOMEM;
			goto fail;
		}
	}
	return db_commit(db);
fail:
	db_rollback(db);
	json_array_clear(keys);
	return rc;
}

json_t *
redemptions_page_json(struct db *db, const char *keyword, int64_t offset, int64_t limit,
    int64_t *total)
{
	char like[256];
	int64_t id = 0;

	if (keyword == NULL || *keyword == '\0') {
		if (total && db_scalar_int(db, total, "SELECT COUNT(*) FROM redemptions", DB_NOARGS) != GW_OK)
			return NULL;
		return db_rows_json(db, "SELECT " REDEMPTION_COLS " FROM redemptions ORDER BY id DESC "
		    "LIMIT ? OFFSET ?", DB_ARGS(DB_I(limit), DB_I(offset)));
	}
	if (parse_i64(keyword, 1, INT64_MAX, &id) != GW_OK)
		id = 0;
	snprintf(like, sizeof(like), "%.200s%%", keyword);
	if (total && db_scalar_int(db, total, "SELECT COUNT(*) FROM redemptions WHERE id = ? OR name LIKE ?",
	    DB_ARGS(DB_I(id), DB_S(like))) != GW_OK)
		return NULL;
	return db_rows_json(db, "SELECT " REDEMPTION_COLS " FROM redemptions WHERE id = ? OR name LIKE ? "
	    "ORDER BY id DESC LIMIT ? OFFSET ?", DB_ARGS(DB_I(id), DB_S(like), DB_I(limit), DB_I(offset)));
}

json_t *
redemption_get_json(struct db *db, int64_t id, int *rc)
{
	json_t *rows = db_rows_json(db, "SELECT " REDEMPTION_COLS " FROM redemptions WHERE id = ?",
	    DB_ARGS(DB_I(id)));
	json_t *row;

	if (rows == NULL) {
		*rc = GW_EDB;
		return NULL;
	}
	row = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	*rc = row ? GW_OK : GW_ENOTFOUND;
	return row;
}

int
redemption_update(struct db *db, int64_t id, const char *name, int64_t quota, int64_t status,
    int status_only)
{
	int64_t found;
	int rc;

	rc = db_scalar_int(db, &found, "SELECT id FROM redemptions WHERE id = ?", DB_ARGS(DB_I(id)));
	if (rc != GW_OK)
		return rc;
	if (status_only)
		return db_exec(db, "UPDATE redemptions SET status = ? WHERE id = ?",
		    DB_ARGS(DB_I(status), DB_I(id)), NULL);
	return db_exec(db, "UPDATE redemptions SET name = ?, quota = ? WHERE id = ?",
	    DB_ARGS(DB_S(name), DB_I(quota), DB_I(id)), NULL);
}

int
redemption_delete(struct db *db, int64_t id)
{
	int64_t n = 0;
	int rc = db_exec(db, "DELETE FROM redemptions WHERE id = ?", DB_ARGS(DB_I(id)), &n);

	return rc == GW_OK && n == 0 ? GW_ENOTFOUND : rc;
}

int
redemption_redeem(struct db *db, const char *key, int64_t user_id, int64_t *quota)
{
	int64_t n = 0, status = 0;
	char text[128], q[64];
	int rc;

	*quota = 0;
	if ((rc = db_begin(db)) != GW_OK)
		return rc;
	/* the conditional UPDATE claims the code: of two concurrent redeems
	 * only one changes a row (no SELECT ... FOR UPDATE needed) */
	rc = db_exec(db, "UPDATE redemptions SET status = 3, redeemed_time = ? WHERE `key` = ? AND status = 1",
	    DB_ARGS(DB_I(now_sec()), DB_S(key)), &n);
	if (rc == GW_OK && n != 1) {
		rc = db_scalar_int(db, &status, "SELECT status FROM redemptions WHERE `key` = ?",
		    DB_ARGS(DB_S(key)));
		if (rc == GW_OK)
			rc = GW_ECONFLICT;
		goto fail;
	}
	if (rc == GW_OK)
		rc = db_scalar_int(db, quota, "SELECT COALESCE(quota, 0) FROM redemptions WHERE `key` = ?",
		    DB_ARGS(DB_S(key)));
	if (rc == GW_OK)
		rc = db_exec(db, "UPDATE users SET quota = quota + ? WHERE id = ?",
		    DB_ARGS(DB_I(*quota), DB_I(user_id)), NULL);
	cache_invalidate(db, CACHE_F(CACHE_USER));
	if (rc == GW_OK) {
		snprintf(text, sizeof(text), "通过兑换码充值 %s", logs_quota_text(q, sizeof(q), *quota));
		rc = logs_record(db, user_id, NULL, LOGT_TOPUP, text);
	}
	if (rc != GW_OK)
		goto fail;
	return db_commit(db);
fail:
	db_rollback(db);
	return rc;
}
