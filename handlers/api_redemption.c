/* handlers/api_redemption.c: /api/redemption/... (admin) and POST
 * /api/user/topup (redeem a code), as One API's controller/redemption.go */
#include <string.h>
#include "handlers.h"
#include "jsonx.h"
#include "log.h"
#include "redemptions.h"
#include "util.h"

#define MSG_DB	"数据库错误，请稍后重试"

int
h_redemption_list(struct req *r)
{
	int64_t off, lim;
	json_t *rows;

	api_page(r, &off, &lim);
	if ((rows = redemptions_page_json(r->db, NULL, off, lim, NULL)) == NULL)
		return api_fail(r, 200, MSG_DB);
	return api_ok(r, rows);
}

int
h_redemption_search(struct req *r)
{
	const char *kw = req_query(r, "keyword");
	json_t *rows = redemptions_page_json(r->db, kw ? kw : "", 0, 100, NULL);

	return rows ? api_ok(r, rows) : api_fail(r, 200, MSG_DB);
}

int
h_redemption_get(struct req *r)
{
	int64_t id;
	int rc;
	json_t *row;

	if (req_path_id(r, 1, INT64_MAX, &id) != GW_OK)
		return api_fail(r, 200, "无效的参数");
	row = redemption_get_json(r->db, id, &rc);
	if (row == NULL)
		return api_fail(r, 200, rc == GW_ENOTFOUND ? "record not found" : MSG_DB);
	return api_ok(r, row);
}

int
h_redemption_create(struct req *r)
{
	json_t *o = req_json_object(r), *keys;
	const char *name = NULL;
	int64_t quota = 0, count = 0;

	if (o == NULL)
		return GW_OK;
	if (jx_str(o, "name", &name) == GW_EINPUT || jx_int(o, "quota", &quota) == GW_EINPUT ||
	    jx_int(o, "count", &count) == GW_EINPUT)
		return api_fail(r, 200, "无效的参数");
	if (!redemption_name_ok(name))
		return api_fail(r, 200, "兑换码名称长度必须在1-20之间");
	if (count <= 0)
		return api_fail(r, 200, "兑换码个数必须大于0");
	if (count > REDEMPTION_BATCH_MAX)
		return api_fail(r, 200, "一次兑换码批量生成的个数不能大于 100");
	if (quota < 0)
		return api_fail(r, 200, "无效的参数");
	if ((keys = json_array()) == NULL)
		return GW_ENOMEM;
	if (redemptions_create(r->db, r->user.id, name, quota, (int)count, keys) != GW_OK) {
		json_decref(keys);
		return api_fail(r, 200, MSG_DB);
	}
	return api_ok(r, keys);
}

int
h_redemption_update(struct req *r)
{
	json_t *o = req_json_object(r);
	const char *name = NULL, *so = req_query(r, "status_only");
	int64_t id = 0, quota = 0, status = 0;
	int rc, status_only = so && *so;

	if (o == NULL)
		return GW_OK;
	if (jx_int(o, "id", &id) == GW_EINPUT || jx_str(o, "name", &name) == GW_EINPUT ||
	    jx_int(o, "quota", &quota) == GW_EINPUT || jx_int(o, "status", &status) == GW_EINPUT)
		return api_fail(r, 200, "无效的参数");
	if (status_only && (status < REDEMPTION_ENABLED || status > REDEMPTION_USED))
		return api_fail(r, 200, "无效的参数");
	rc = redemption_update(r->db, id, name ? name : "", quota, status, status_only);
	if (rc == GW_ENOTFOUND)
		return api_fail(r, 200, "record not found");
	if (rc != GW_OK)
		return api_fail(r, 200, MSG_DB);
	rc = GW_OK;
	return api_ok(r, redemption_get_json(r->db, id, &rc));
}

int
h_redemption_delete(struct req *r)
{
	int64_t id;
	int rc;

	if (req_path_id(r, 1, INT64_MAX, &id) != GW_OK)
		return api_fail(r, 200, "无效的参数");
	rc = redemption_delete(r->db, id);
	if (rc == GW_ENOTFOUND)
		return api_fail(r, 200, "record not found");
	return rc == GW_OK ? api_ok(r, NULL) : api_fail(r, 200, MSG_DB);
}

int
h_user_topup(struct req *r)
{
	json_t *o = req_json_object(r);
	const char *key = NULL;
	int64_t quota = 0;
	int rc;

	if (o == NULL)
		return GW_OK;
	if (jx_str(o, "key", &key) == GW_EINPUT || key == NULL || *key == '\0')
		return api_fail(r, 200, "未提供兑换码");
	rc = redemption_redeem(r->db, key, r->user.id, &quota);
	if (rc == GW_ENOTFOUND)
		return api_fail(r, 200, "无效的兑换码");
	if (rc == GW_ECONFLICT)
		return api_fail(r, 200, "该兑换码已被使用");
	if (rc != GW_OK) {
		log_error("req=%s redeem failed: %s", r->id, gw_strerror(rc));
		return api_fail(r, 200, "兑换失败");
	}
	return api_ok(r, json_integer(quota));
}
