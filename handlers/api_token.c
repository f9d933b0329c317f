/* handlers/api_token.c: /api/token/... — the caller's own API keys (One API's controller/token.go) */
#include <string.h>
#include "handlers.h"
#include "tokens.h"
#include "billing.h"
#include "cfg.h"
#include "jsonx.h"
#include "util.h"


/* The writable fields of a token in a request body. */
struct token_body {
	int64_t id;
	int64_t status;
	const char *name;
	int64_t expired_time;
	int64_t remain_quota;
	int unlimited_quota;
	const char *models;	/* NULL: absent or null */
	const char *subnet;
};

/* Read the token fields of o; on a wrong type, answer and return GW_EINPUT. */
static int
read_token(struct req *r, json_t *o, struct token_body *t)
{
	static const char *const ints[] = { "id", "status", "expired_time", "remain_quota" };
	int64_t *const dst[] = { &t->id, &t->status, &t->expired_time, &t->remain_quota };
	static const char *const strs[] = { "name", "models", "subnet" };
	const char **const sdst[] = { &t->name, &t->models, &t->subnet };
	const char *bad = NULL, *want = NULL;
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]) && !bad; i++)
		if (jx_int(o, ints[i], dst[i]) == GW_EINPUT) {
			bad = ints[i];
			want = "an integer";
		}
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]) && !bad; i++)
		if (jx_str(o, strs[i], sdst[i]) == GW_EINPUT) {
			bad = strs[i];
			want = "a string";
		}
	if (!bad && jx_bool(o, "unlimited_quota", &t->unlimited_quota) == GW_EINPUT) {
		bad = "unlimited_quota";
		want = "true or false";
	}
	if (!bad && (t->remain_quota < 0 || t->remain_quota > QUOTA_MAX)) {
		bad = "remain_quota";
		want = "between 0 and 1000000000000000";
	}
	if (bad == NULL)
		return GW_OK;
	api_fail(r, 200, "无效的参数: field \"%s\" must be %s", bad, want);
	return GW_EINPUT;
}

/* The :id path parameter, or 0 after answering. */
static int64_t
path_id(struct req *r)
{
	int64_t id;

	if (req_path_id(r, 1, INT64_MAX, &id) != GW_OK) {
		api_fail(r, 200, "id 或 userId 为空！");
		return 0;
	}
	return id;
}

/* The answer for a token lookup that failed. */
static int
lookup_fail(struct req *r, int rc)
{
	return api_fail(r, 200, rc == GW_ENOTFOUND ? "record not found" : "database error");
}

int
h_token_list(struct req *r)
{
	int64_t off, lim;
	json_t *rows;

	api_page(r, &off, &lim);
	rows = token_list_json(r->db, r->user.id, req_query(r, "order"), off, lim);
	if (rows == NULL)
		return api_fail(r, 200, "database error");
	return api_ok_total(r, rows, token_count(r->db, r->user.id));
}

int
h_token_search(struct req *r)
{
	const char *kw = req_query(r, "keyword");
	json_t *rows = token_search_json(r->db, r->user.id, kw ? kw : "");

	if (rows == NULL)
		return api_fail(r, 200, "database error");
	return api_ok(r, rows);
}

int
h_token_get(struct req *r)
{
	int64_t id = path_id(r);
	json_t *j;
	int rc;

	if (id == 0)
		return GW_OK;
	if ((j = token_get_json(r->db, id, r->user.id, &rc)) == NULL)
		return lookup_fail(r, rc);
	return api_ok(r, j);
}

int
h_token_create(struct req *r)
{
	json_t *o = req_json_object(r), *j;
	struct token_body t;
	const char *why;
	int64_t id;
	int rc;

	if (o == NULL || read_token(r, o, &t) != GW_OK)
		return GW_OK;
	if (token_validate(t.name, t.subnet, &why) != GW_OK)
		return api_fail(r, 200, "%s", why);
	/* the server makes the key; id, status and quotas used are not the caller's */
	rc = token_create(r->db, r->user.id, t.name ? t.name : "", NULL, t.remain_quota,
	    t.unlimited_quota, t.expired_time, t.models, t.subnet, &id, NULL);
	if (rc != GW_OK)
		return api_fail(r, 200, "database error: the token was not saved");
	if ((j = token_get_json(r->db, id, r->user.id, &rc)) == NULL)
		return lookup_fail(r, rc);
	return api_ok(r, j);
}

int
h_token_update(struct req *r)
{
	json_t *o = req_json_object(r), *cur;
	const char *status_only = req_query(r, "status_only"), *why;
	struct token_fields f;
	struct token_body t;
	int64_t cur_status, cur_expired, cur_remain;
	int rc, cur_unlimited;

	if (o == NULL || read_token(r, o, &t) != GW_OK)
		return GW_OK;
	if (token_validate(t.name, t.subnet, &why) != GW_OK)
		return api_fail(r, 200, "%s", why);
	if (t.id == 0)
		return api_fail(r, 200, "id 或 userId 为空！");
	if ((cur = token_get_json(r->db, t.id, r->user.id, &rc)) == NULL)
		return lookup_fail(r, rc);
	req_keep(r, cur);
	cur_status = json_integer_value(json_object_get(cur, "status"));
	cur_expired = json_integer_value(json_object_get(cur, "expired_time"));
	cur_remain = json_integer_value(json_object_get(cur, "remain_quota"));
	cur_unlimited = json_is_true(json_object_get(cur, "unlimited_quota"));
	if (t.status == TOKEN_STATUS_ENABLED) {
		if (cur_status == TOKEN_STATUS_EXPIRED && cur_expired <= now_sec() && cur_expired != -1)
			return api_fail(r, 200, "令牌已过期，无法启用，请先修改令牌过期时间，或者设置为永不过期");
		if (cur_status == TOKEN_STATUS_EXHAUSTED && cur_remain <= 0 && !cur_unlimited)
			return api_fail(r, 200, "令牌可用额度已用尽，无法启用，请先修改令牌剩余额度，或者设置为无限额度");
	}
	/* start from the stored token, then take what this kind of update changes */
	f.name = json_string_value(json_object_get(cur, "name"));
	f.status = cur_status;
	f.expired_time = cur_expired;
	f.remain_quota = cur_remain;
	f.unlimited_quota = cur_unlimited;
	f.models = json_string_value(json_object_get(cur, "models"));
	f.subnet = json_string_value(json_object_get(cur, "subnet"));
	if (status_only && *status_only) {
		if (t.status < TOKEN_STATUS_ENABLED || t.status > TOKEN_STATUS_EXHAUSTED)
			return api_fail(r, 200, "无效的参数: status must be 1 (enabled) or 2 (disabled)");
		f.status = t.status;
	} else {
		f.name = t.name ? t.name : "";
		f.expired_time = t.expired_time;
		f.remain_quota = t.remain_quota;
		f.unlimited_quota = t.unlimited_quota;
		f.models = t.models;
		f.subnet = t.subnet;
	}
	rc = token_update(r->db, t.id, r->user.id, &f);
	if (rc != GW_OK)
		return rc == GW_ENOTFOUND ? lookup_fail(r, rc) :
		    api_fail(r, 200, "database error: the token was not saved");
	if ((cur = token_get_json(r->db, t.id, r->user.id, &rc)) == NULL)
		return lookup_fail(r, rc);
	return api_ok(r, cur);
}

int
h_token_delete(struct req *r)
{
	int64_t id = path_id(r);
	int rc;

	if (id == 0)
		return GW_OK;
	if ((rc = token_delete(r->db, id, r->user.id)) != GW_OK)
		return lookup_fail(r, rc);
	return api_ok(r, NULL);
}
