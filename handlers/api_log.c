/* handlers/api_log.c: /api/log/..., /api/user/dashboard, /api/topup and
 * /api/cost/request/:id (One API controller/log.go, model/log.go,
 * controller/user.go GetUserDashboard and AdminTopUp; the fork's cost lookup) */
#include <stdio.h>
#include <string.h>
#include "handlers.h"
#include "cache.h"
#include "db.h"
#include "jsonx.h"
#include "logs.h"
#include "util.h"

#define MSG_BAD_PARAM	"无效的参数"
#define MSG_DB		"数据库错误，请稍后重试"
#define MAX_RECENT_ITEMS 100	/* One API's config.MaxRecentItems (search results) */

/* One API's Log struct as JSON: channel_id is "channel". */
#define LOG_COLS "id, user_id, created_at, type, COALESCE(content, '') AS content, " \
	"COALESCE(username, '') AS username, COALESCE(token_name, '') AS token_name, " \
	"COALESCE(model_name, '') AS model_name, COALESCE(quota, 0) AS quota, " \
	"COALESCE(prompt_tokens, 0) AS prompt_tokens, " \
	"COALESCE(completion_tokens, 0) AS completion_tokens, COALESCE(channel_id, 0) AS channel, " \
	"COALESCE(request_id, '') AS request_id, COALESCE(elapsed_time, 0) AS elapsed_time, " \
	"COALESCE(is_stream, 0) AS is_stream, COALESCE(system_prompt_reset, 0) AS system_prompt_reset"
/* The user's own logs leave the id out (GetUserLogs: Omit("id")), so it reads 0. */
#define LOG_COLS_SELF "0 AS id, user_id, created_at, type, COALESCE(content, '') AS content, " \
	"COALESCE(username, '') AS username, COALESCE(token_name, '') AS token_name, " \
	"COALESCE(model_name, '') AS model_name, COALESCE(quota, 0) AS quota, " \
	"COALESCE(prompt_tokens, 0) AS prompt_tokens, " \
	"COALESCE(completion_tokens, 0) AS completion_tokens, COALESCE(channel_id, 0) AS channel, " \
	"COALESCE(request_id, '') AS request_id, COALESCE(elapsed_time, 0) AS elapsed_time, " \
	"COALESCE(is_stream, 0) AS is_stream, COALESCE(system_prompt_reset, 0) AS system_prompt_reset"

/* The filters of the query string; user_id is the caller's for self routes. */
static void
read_filter(struct req *r, struct logs_filter *f, int self)
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
	struct logs_filter f;
	struct db_arg args[LOGS_MAX_ARGS + 2];
	char where[512], sql[2048];
	int64_t off, lim, total = 0;
	size_t n;
	json_t *rows;

	read_filter(r, &f, self);
	if (self)
		f.channel = 0;	/* GetUserLogs has no channel filter */
	api_page(r, &off, &lim);
	n = logs_where(&f, where, sizeof(where), args);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM logs %s", where);
	if (db_scalar_int(r->db, &total, sql, args, n) != GW_OK)
		return api_fail(r, 200, MSG_DB);
	snprintf(sql, sizeof(sql), "SELECT %s FROM logs %s ORDER BY id DESC LIMIT ? OFFSET ?",
	    self ? LOG_COLS_SELF : LOG_COLS, where);
	args[n++] = DB_I(lim);
	args[n++] = DB_I(off);
	if ((rows = db_rows_json(r->db, sql, args, n)) == NULL)
		return api_fail(r, 200, MSG_DB);
	return api_ok_total(r, rows, total);
}

/* {"quota": sum of consume logs matching the filters} (SumUsedQuota: the
 * type parameter is ignored, only type 2 counts). */
static int
log_stat(struct req *r, int self)
{
	struct logs_filter f;
	struct db_arg args[LOGS_MAX_ARGS];
	char where[512], sql[1024];
	int64_t sum = 0;
	size_t n;

	read_filter(r, &f, self);
	f.type = LOGT_CONSUME;
	n = logs_where(&f, where, sizeof(where), args);
	snprintf(sql, sizeof(sql), "SELECT COALESCE(SUM(quota), 0) FROM logs %s", where);
	if (db_scalar_int(r->db, &sum, sql, args, n) != GW_OK)
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
	if (db_exec(r->db, "DELETE FROM logs WHERE created_at < ?", DB_ARGS(DB_I(ts)), &n) != GW_OK)
		return api_fail(r, 200, MSG_DB);
	return api_ok(r, json_integer(n));
}

/* SearchAllLogs: the keyword is a type number or a content prefix. */
int
h_log_search(struct req *r)
{
	const char *kw = req_query(r, "keyword");
	char *like;
	json_t *rows;

	if (kw == NULL)
		kw = "";
	if ((like = arena_printf(&r->arena, "%s%%", kw)) == NULL)
		return GW_ENOMEM;
	rows = db_rows_json(r->db, "SELECT " LOG_COLS " FROM logs WHERE type = ? OR content LIKE ? "
	    "ORDER BY id DESC LIMIT ?", DB_ARGS(DB_S(kw), DB_S(like), DB_I(MAX_RECENT_ITEMS)));
	if (rows == NULL)
		return api_fail(r, 200, MSG_DB);
	return api_ok(r, rows);
}

/* SearchUserLogs: the caller's logs of the type given as keyword. */
int
h_log_self_search(struct req *r)
{
	const char *kw = req_query(r, "keyword");
	json_t *rows;

	rows = db_rows_json(r->db, "SELECT " LOG_COLS_SELF " FROM logs WHERE user_id = ? AND type = ? "
	    "ORDER BY id DESC LIMIT ?",
	    DB_ARGS(DB_I(r->user.id), DB_S(kw ? kw : ""), DB_I(MAX_RECENT_ITEMS)));
	if (rows == NULL)
		return api_fail(r, 200, MSG_DB);
	return api_ok(r, rows);
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
	static const char *const names[][2] = {
		{ "day", "Day" }, { "model_name", "ModelName" }, { "request_count", "RequestCount" },
		{ "quota", "Quota" }, { "prompt_tokens", "PromptTokens" },
		{ "completion_tokens", "CompletionTokens" },
	};
	int64_t now = now_sec(), today = now - now % 86400;
	struct db_stmt *st;
	json_t *arr, *o;
	const char *sql;
	size_t i;
	int more;

	if (db_kind(r->db) == DB_MYSQL)
		sql = "SELECT DATE_FORMAT(FROM_UNIXTIME(created_at), '%Y-%m-%d') AS day, "
		    "model_name, COUNT(1), COALESCE(SUM(quota), 0), COALESCE(SUM(prompt_tokens), 0), "
		    "COALESCE(SUM(completion_tokens), 0) FROM logs "
		    "WHERE type = 2 AND user_id = ? AND created_at BETWEEN ? AND ? "
		    "GROUP BY day, model_name ORDER BY day, model_name";
	else
		sql = "SELECT strftime('%Y-%m-%d', created_at, 'unixepoch') AS day, "
		    "model_name, COUNT(1), COALESCE(SUM(quota), 0), COALESCE(SUM(prompt_tokens), 0), "
		    "COALESCE(SUM(completion_tokens), 0) FROM logs "
		    "WHERE type = 2 AND user_id = ? AND created_at BETWEEN ? AND ? "
		    "GROUP BY day, model_name ORDER BY day, model_name";
	if (db_query(r->db, &st, sql, DB_ARGS(DB_I(r->user.id), DB_I(today - 6 * 86400),
	    DB_I(today + 86400 - 1))) != GW_OK)
		return api_fail(r, 200, "无法获取统计信息");
	if ((arr = json_array()) == NULL) {
		db_done(st);
		return GW_ENOMEM;
	}
	while ((more = db_next(st)) == 1) {
		json_t *v[6];

		v[0] = json_string(db_text(st, 0));
		v[1] = json_string(db_text(st, 1));
		for (i = 2; i < 6; i++)
			v[i] = json_integer(db_int(st, (int)i));
		o = json_object();
		for (i = 0; i < 6; i++) {
			json_object_set(o, names[i][0], v[i]);
			json_object_set(o, names[i][1], v[i]);
			json_decref(v[i]);
		}
		if (o == NULL || json_array_append_new(arr, o) != 0) {
			db_done(st);
			json_decref(arr);
			return GW_ENOMEM;
		}
	}
	db_done(st);
	if (more < 0) {
		json_decref(arr);
		return api_fail(r, 200, "无法获取统计信息");
	}
	return api_ok(r, arr);
}

/* AdminTopUp: {user_id, quota, remark} adds quota to the user and writes a
 * top-up log (type 1) carrying the quota, both or neither. */
int
h_topup(struct req *r)
{
	json_t *o = req_json_object(r);
	int64_t user_id = 0, quota = 0, changed = 0;
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
	if (remark == NULL || *remark == '\0') {
		char q[64];
		snprintf(text, sizeof(text), "通过 API 充值 %s", logs_quota_text(q, sizeof(q), quota));
		remark = text;
	}
	if (db_begin(r->db) != GW_OK)
		return api_fail(r, 200, MSG_DB);
	/* the bound keeps quota inside int64 (SQLite would turn it into a real) */
	rc = db_exec(r->db, "UPDATE users SET quota = quota + ? WHERE id = ? AND quota <= ?",
	    DB_ARGS(DB_I(quota), DB_I(user_id), DB_I(INT64_MAX - quota)), &changed);
	cache_invalidate(r->db, CACHE_F(CACHE_USER));	/* at the commit */
	if (rc == GW_OK && changed != 1) {
		db_rollback(r->db);
		return api_fail(r, 200, "用户不存在");
	}
	if (rc == GW_OK)
		rc = db_exec(r->db, "INSERT INTO logs (user_id, created_at, type, content, username, quota) "
		    "VALUES (?, ?, ?, ?, COALESCE((SELECT username FROM users WHERE id = ?), ''), ?)",
		    DB_ARGS(DB_I(user_id), DB_I(now_sec()), DB_I(LOGT_TOPUP), DB_S(remark),
		    DB_I(user_id), DB_I(quota)), NULL);
	if (rc != GW_OK) {
		db_rollback(r->db);
		return api_fail(r, 200, MSG_DB);
	}
	if (db_commit(r->db) != GW_OK)
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
 * plus cost_usd = quota / 500000; errors in One API's envelope. */
int
h_cost_request(struct req *r)
{
	const char *id = r->npv > 0 ? r->pv[0] : NULL;
	struct db_stmt *st;
	json_t *o;
	int n;

	if (!request_id_ok(id))
		return api_fail(r, 200, "record not found");
	if (db_query(r->db, &st, "SELECT id, created_time, user_id, request_id, quota "
	    "FROM user_request_costs WHERE request_id = ?", DB_ARGS(DB_S(id))) != GW_OK)
		return api_fail(r, 200, MSG_DB);
	n = db_next(st);
	if (n != 1) {
		db_done(st);
		return api_fail(r, 200, n == 0 ? "record not found" : MSG_DB);
	}
	o = json_pack("{s:I, s:I, s:I, s:s, s:I, s:f}",
	    "id", (json_int_t)db_int(st, 0), "created_time", (json_int_t)db_int(st, 1),
	    "user_id", (json_int_t)db_int(st, 2), "request_id", db_text(st, 3),
	    "quota", (json_int_t)db_int(st, 4), "cost_usd", (double)db_int(st, 4) / 500000.0);
	db_done(st);
	if (o == NULL)
		return GW_ENOMEM;
	return resp_json(r, 200, o);
}
