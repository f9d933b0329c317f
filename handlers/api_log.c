/* handlers/api_log.c: /api/log/..., /api/user/dashboard, /api/topup and
 * /api/cost/request/:id (One API controller/log.go, model/log.go,
 * controller/user.go GetUserDashboard and AdminTopUp; the fork's cost lookup) */
#include <stdio.h>
#include <string.h>
#include "handlers.h"
#include "billing.h"
#include "auth.h"
#include "dispatch.h"
#include "jsonx.h"
#include "logs.h"
#include "util.h"

#define MSG_BAD_PARAM	"无效的参数"
#define MSG_DB		"数据库错误，请稍后重试"
#define MAX_RECENT_ITEMS 100	/* One API's config.MaxRecentItems (search results) */

/* The filters of the query string; user_id is the caller's for self routes. */
static void
read_filter(struct req *r, struct log_filter *f, int self)
{
	memset(f, 0, sizeof(*f));
	f->type = req_query_int(r, "type", 0);
	f->start = req_query_int(r, "start_timestamp", 0);
	f->end = req_query_int(r, "end_timestamp", 0);
	f->token_name = req_query(r, "token_name");
	f->model_name = req_query(r, "model_name");
	f->channel = req_query_int(r, "channel", 0);
	if (self)
		f->user_id = r->user.id;
	else
		f->username = req_query(r, "username");
}

/* A page of logs, newest first, with the fork's "total". */
static int
log_page(struct req *r, int self)
{
	struct log_filter f;
	int64_t off, lim, total = 0;
	json_t *rows;

	read_filter(r, &f, self);
	if (self)
		f.channel = 0;	/* GetUserLogs has no channel filter */
	api_page(r, &off, &lim);
	if ((rows = logs_page_json(r->db, &f, self, off, lim, &total)) == NULL)
		return api_fail(r, 200, MSG_DB);
	return api_ok_total(r, rows, total);
}

/* {"quota": sum of consume logs matching the filters} (SumUsedQuota: the
 * type parameter is ignored, only type 2 counts). */
static int
log_stat(struct req *r, int self)
{
	struct log_filter f;
	int64_t sum = 0;

	read_filter(r, &f, self);
	f.type = LOGT_CONSUME;
	if (logs_sum_quota(r->db, &f, &sum) != GW_OK)
		return api_fail(r, 200, MSG_DB);
	return api_ok(r, json_pack("{s:I}", "quota", (json_int_t)sum));
}

int
h_log_list(struct req *r)
{
	return log_page(r, 0);
}

int
h_log_self(struct req *r)
{
	return log_page(r, 1);
}

int
h_log_stat(struct req *r)
{
	return log_stat(r, 0);
}

int
h_log_self_stat(struct req *r)
{
	return log_stat(r, 1);
}

int
h_log_delete(struct req *r)
{
	int64_t ts = req_query_int(r, "target_timestamp", 0), n = 0;

	if (ts == 0)
		return api_fail(r, 200, "target timestamp is required");
	if (logs_delete_before(r->db, ts, &n) != GW_OK)
		return api_fail(r, 200, MSG_DB);
	return api_ok(r, json_integer(n));
}

/* SearchAllLogs: the keyword is a type number or a content prefix. */
int
h_log_search(struct req *r)
{
	const char *kw = req_query(r, "keyword");
	json_t *rows;

	if ((rows = logs_search_json(r->db, kw ? kw : "", MAX_RECENT_ITEMS)) == NULL)
		return api_fail(r, 200, MSG_DB);
	return api_ok(r, rows);
}

/* SearchUserLogs: the caller's logs of the type given as keyword. */
int
h_log_self_search(struct req *r)
{
	const char *kw = req_query(r, "keyword");
	json_t *rows;

	rows = logs_self_search_json(r->db, r->user.id, kw ? kw : "", MAX_RECENT_ITEMS);
	if (rows == NULL)
		return api_fail(r, 200, MSG_DB);
	return api_ok(r, rows);
}

static int
dashboard_row(void *ctx, const char *day, const char *model, const int64_t n[4])
{
	static const char *const names[][2] = {
		{ "day", "Day" }, { "model_name", "ModelName" }, { "request_count", "RequestCount" },
		{ "quota", "Quota" }, { "prompt_tokens", "PromptTokens" },
		{ "completion_tokens", "CompletionTokens" },
	};
	json_t *arr = ctx, *o, *v[6];
	size_t i;

	v[0] = json_string(day);
	v[1] = json_string(model);
	for (i = 2; i < 6; i++)
		v[i] = json_integer(n[i - 2]);
	o = json_object();
	for (i = 0; i < 6; i++) {
		json_object_set(o, names[i][0], v[i]);
		json_object_set(o, names[i][1], v[i]);
		json_decref(v[i]);
	}
	if (o == NULL || json_array_append_new(arr, o) != 0)
		return GW_ENOMEM;
	return GW_OK;
}

/*
 * The caller's consume logs of the last 7 UTC days by day and model
 * (SearchLogsByDayAndModel). One API's LogStatistic has no json tags, so it
 * answers with Go's field names (Day, ModelName, ...), which its dashboard
 * page reads; each row carries those and the snake_case names as well.
 */
int
h_user_dashboard(struct req *r)
{
	int64_t now = now_sec(), today = now - now % 86400;
	json_t *arr;
	int rc;

	if ((arr = json_array()) == NULL)
		return GW_ENOMEM;
	rc = logs_by_day_model(r->db, r->user.id, today - 6 * 86400, today + 86400 - 1,
	    dashboard_row, arr);
	if (rc != GW_OK) {
		json_decref(arr);
		return rc == GW_ENOMEM ? GW_ENOMEM : api_fail(r, 200, "无法获取统计信息");
	}
	return api_ok(r, arr);
}

/* AdminTopUp: {user_id, quota, remark} adds quota to the user and writes a
 * top-up log (type 1) carrying the quota, both or neither. */
int
h_topup(struct req *r)
{
	json_t *o = req_json_object(r);
	int64_t user_id = 0, quota = 0;
	const char *remark = NULL;
	char text[96];
	int rc;

	if (o == NULL)
		return GW_OK;
	if (jx_int(o, "user_id", &user_id) == GW_EINPUT)
		return api_fail(r, 200, MSG_BAD_PARAM ": field \"user_id\" must be an integer");
	if (jx_int(o, "quota", &quota) == GW_EINPUT)
		return api_fail(r, 200, MSG_BAD_PARAM ": field \"quota\" must be an integer");
	if (jx_str(o, "remark", &remark) == GW_EINPUT)
		return api_fail(r, 200, MSG_BAD_PARAM ": field \"remark\" must be a string");
	if (user_id <= 0)
		return api_fail(r, 200, MSG_BAD_PARAM ": user_id is required");
	if (quota < 0)
		return api_fail(r, 200, "quota 不能为负数！");
	if (quota > QUOTA_MAX)
		return api_fail(r, 200, MSG_BAD_PARAM ": quota must be at most %lld", (long long)QUOTA_MAX);
	if (remark == NULL || *remark == '\0') {
		char q[64];
		snprintf(text, sizeof(text), "通过 API 充值 %s", logs_quota_text(q, sizeof(q), quota));
		remark = text;
	}
	rc = billing_topup(r->db, user_id, quota, remark);
	if (rc == GW_ETOOBIG)
		return api_fail(r, 200, "充值后额度将超过上限 %lld (the balance would pass the limit)",
		    (long long)QUOTA_MAX);
	if (rc == GW_ENOTFOUND)
		return api_fail(r, 200, "用户不存在");
	if (rc != GW_OK)
		return api_fail(r, 200, MSG_DB);
	return api_ok(r, NULL);
}

/* Is s a plausible request id (letters, digits, '-', '_'; 1..64 bytes)? */
static int
request_id_ok(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0' || strlen(s) > 64)
		return 0;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

/* The fork's GET /api/cost/request/:request_id (no auth): the raw cost row
 * plus cost_usd = quota / 500000 for its owner or an admin; anyone else
 * (the id is all they need) gets request_id, quota and cost_usd only, not
 * whose request it was. Errors in One API's envelope. */
int
h_cost_request(struct req *r)
{
	const char *id = r->npv > 0 ? r->pv[0] : NULL;
	struct req_user who;
	json_t *o, *pub;
	int rc, known;

	if (!request_id_ok(id))
		return api_fail(r, 200, "record not found");
	if ((o = billing_request_cost_json(r->db, id, &rc)) == NULL)
		return rc == GW_ENOMEM ? GW_ENOMEM : api_fail(r, 200, rc == GW_ENOTFOUND ?
		    "record not found" : MSG_DB);
	known = auth_peek(r, &who) == GW_OK;
	if (!(known && (who.id == json_integer_value(json_object_get(o, "user_id")) ||
	    who.role >= ROLE_ADMIN))) {
		pub = json_pack("{s:O, s:O, s:O}", "request_id", json_object_get(o, "request_id"),
		    "quota", json_object_get(o, "quota"), "cost_usd", json_object_get(o, "cost_usd"));
		json_decref(o);
		if ((o = pub) == NULL)
			return GW_ENOMEM;
	}
	return resp_json(r, 200, o);
}
