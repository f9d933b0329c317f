/* fcgi/logs.c: manage/system log rows (One API model/log.go RecordLog) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "logs.h"
#include "options.h"
#include "util.h"

int
logs_record(struct db *db, int64_t user_id, const char *username, int type, const char *content)
{
	if (username != NULL)
		return db_exec(db, "INSERT INTO logs (user_id, created_at, type, content, username) "
		    "VALUES (?, ?, ?, ?, ?)",
		    DB_ARGS(DB_I(user_id), DB_I(now_sec()), DB_I(type), DB_S(content), DB_S(username)),
		    NULL);
	return db_exec(db, "INSERT INTO logs (user_id, created_at, type, content, username) "
	    "VALUES (?, ?, ?, ?, COALESCE((SELECT username FROM users WHERE id = ?), ''))",
	    DB_ARGS(DB_I(user_id), DB_I(now_sec()), DB_I(type), DB_S(content), DB_I(user_id)), NULL);
}

char *
logs_quota_text(char *out, size_t outsz, int64_t quota)
{
	double per = option_real("QuotaPerUnit", 500000);

	if (outsz == 0)
		return out;
	if (option_bool("DisplayInCurrencyEnabled", 1) && per != 0)
		snprintf(out, outsz, "\xef\xbc\x84%.6f 额度", (double)quota / per);
	else
		snprintf(out, outsz, "%lld 点额度", (long long)quota);
	return out;
}

/* One API's Log struct as JSON: channel_id is "channel". */
#define LOG_COLS_BUT_ID "user_id, created_at, type, COALESCE(content, '') AS content, " \
	"COALESCE(username, '') AS username, COALESCE(token_name, '') AS token_name, " \
	"COALESCE(model_name, '') AS model_name, COALESCE(quota, 0) AS quota, " \
	"COALESCE(prompt_tokens, 0) AS prompt_tokens, " \
	"COALESCE(completion_tokens, 0) AS completion_tokens, COALESCE(channel_id, 0) AS channel, " \
	"COALESCE(request_id, '') AS request_id, COALESCE(elapsed_time, 0) AS elapsed_time, " \
	"COALESCE(is_stream, 0) AS is_stream, COALESCE(system_prompt_reset, 0) AS system_prompt_reset"
#define LOG_COLS "id, " LOG_COLS_BUT_ID
/* The user's own logs leave the id out (GetUserLogs: Omit("id")), so it reads 0. */
#define LOG_COLS_SELF "0 AS id, " LOG_COLS_BUT_ID

#define FILTER_MAX_ARGS 10

/* The WHERE clause of f (fixed SQL text, values bound) into sql, its
 * arguments into args; returns the argument count. */
static size_t
filter_sql(const struct log_filter *f, char *sql, size_t sqlsz, struct db_arg *args)
{
	size_t n = 0;

	snprintf(sql, sqlsz, "WHERE 1 = 1");
#define ADD(cond, text, arg) do { \
		if (cond) { \
			strncat(sql, text, sqlsz - strlen(sql) - 1); \
			args[n++] = arg; \
		} \
	} while (0)
	ADD(f->user_id != 0, " AND user_id = ?", DB_I(f->user_id));
	ADD(f->type != 0, " AND type = ?", DB_I(f->type));
	ADD(f->model_name && *f->model_name, " AND model_name = ?", DB_S(f->model_name));
	ADD(f->username && *f->username, " AND username = ?", DB_S(f->username));
	ADD(f->token_name && *f->token_name, " AND token_name = ?", DB_S(f->token_name));
	ADD(f->start != 0, " AND created_at >= ?", DB_I(f->start));
	ADD(f->end != 0, " AND created_at <= ?", DB_I(f->end));
	ADD(f->channel != 0, " AND channel_id = ?", DB_I(f->channel));
#undef ADD
	return n;
}


json_t *
logs_page_json(struct db *db, const struct log_filter *f, int self, int64_t offset,
    int64_t limit, int64_t *total)
{
	struct db_arg args[FILTER_MAX_ARGS + 2];
	char where[512], sql[2048];
	size_t n;

	n = filter_sql(f, where, sizeof(where), args);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM logs %s", where);
	if (db_scalar_int(db, total, sql, args, n) != GW_OK)
		return NULL;
	snprintf(sql, sizeof(sql), "SELECT %s FROM logs %s ORDER BY id DESC LIMIT ? OFFSET ?",
	    self ? LOG_COLS_SELF : LOG_COLS, where);
	args[n++] = DB_I(limit);
	args[n++] = DB_I(offset);
	return db_rows_json(db, sql, args, n);
}

int
logs_sum_quota(struct db *db, const struct log_filter *f, int64_t *sum)
{
	struct db_arg args[FILTER_MAX_ARGS];
	char where[512], sql[1024];
	size_t n;

	n = filter_sql(f, where, sizeof(where), args);
	snprintf(sql, sizeof(sql), "SELECT COALESCE(SUM(quota), 0) FROM logs %s", where);
	return db_scalar_int(db, sum, sql, args, n);
}

int
logs_delete_before(struct db *db, int64_t ts, int64_t *n)
{
	return db_exec(db, "DELETE FROM logs WHERE created_at < ?", DB_ARGS(DB_I(ts)), n);
}

json_t *
logs_search_json(struct db *db, const char *kw, int64_t limit)
{
	size_t kl = strlen(kw);
	char *like = malloc(kl + 2);
	json_t *rows;

	if (like == NULL)
		return NULL;
	memcpy(like, kw, kl);
	memcpy(like + kl, "%", 2);
	rows = db_rows_json(db, "SELECT " LOG_COLS " FROM logs WHERE type = ? OR content LIKE ? "
	    "ORDER BY id DESC LIMIT ?", DB_ARGS(DB_S(kw), DB_S(like), DB_I(limit)));
	free(like);
	return rows;
}

json_t *
logs_self_search_json(struct db *db, int64_t user_id, const char *kw, int64_t limit)
{
	return db_rows_json(db, "SELECT " LOG_COLS_SELF " FROM logs WHERE user_id = ? AND type = ? "
	    "ORDER BY id DESC LIMIT ?", DB_ARGS(DB_I(user_id), DB_S(kw), DB_I(limit)));
}

int
logs_by_day_model(struct db *db, int64_t user_id, int64_t from, int64_t to,
    int (*fn)(void *ctx, const char *day, const char *model, const int64_t v[4]), void *ctx)
{
	struct db_stmt *st;
	const char *sql;
	int64_t v[4];
	int more, i, rc = GW_OK;

	/* the one query whose date function differs by dialect */
	if (db_kind(db) == DB_MYSQL)
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
	if (db_query(db, &st, sql, DB_ARGS(DB_I(user_id), DB_I(from), DB_I(to))) != GW_OK)
		return GW_EDB;
	while (rc == GW_OK && (more = db_next(st)) == 1) {
		for (i = 0; i < 4; i++)
			v[i] = db_int(st, i + 2);
		rc = fn(ctx, db_text(st, 0), db_text(st, 1), v);
	}
	db_done(st);
	if (rc != GW_OK)
		return rc;
	return more < 0 ? GW_EDB : GW_OK;
}

/* The admin pages' queries (handlers/ui_logs.c, the dashboard). */

size_t
logs_where(const struct logs_filter *f, char *sql, size_t sqlsz, struct db_arg *args)
{
	size_t n = 0;

	snprintf(sql, sqlsz, "WHERE 1 = 1");
#define ADD(cond, text, arg) do { \
		if (cond) { \
			strncat(sql, text, sqlsz - strlen(sql) - 1); \
			args[n++] = arg; \
		} \
	} while (0)
	ADD(f->user_id != 0, " AND user_id = ?", DB_I(f->user_id));
	ADD(f->type != 0, " AND type = ?", DB_I(f->type));
	ADD(f->model_name && *f->model_name, " AND model_name = ?", DB_S(f->model_name));
	ADD(f->username && *f->username, " AND username = ?", DB_S(f->username));
	ADD(f->token_name && *f->token_name, " AND token_name = ?", DB_S(f->token_name));
	ADD(f->start != 0, " AND created_at >= ?", DB_I(f->start));
	ADD(f->end != 0, " AND created_at <= ?", DB_I(f->end));
	ADD(f->channel != 0, " AND channel_id = ?", DB_I(f->channel));
#undef ADD
	return n;
}

json_t *
logs_rows_json(struct db *db, const struct logs_filter *f, int64_t offset, int64_t limit,
    int64_t *total, int64_t *sum)
{
	struct db_arg args[LOGS_MAX_ARGS + 2];
	char where[512], sql[1536];
	size_t n = logs_where(f, where, sizeof(where), args);

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM logs %s", where);
	if (total && db_scalar_int(db, total, sql, args, n) != GW_OK)
		return NULL;
	/* the sum counts consume rows only, as One API's SumUsedQuota */
	snprintf(sql, sizeof(sql), "SELECT COALESCE(SUM(quota), 0) FROM logs %s%s", where,
	    f->type == 0 ? " AND type = 2" : "");
	if (sum && db_scalar_int(db, sum, sql, args, n) != GW_OK)
		return NULL;
	snprintf(sql, sizeof(sql), "SELECT id, user_id, created_at, type, COALESCE(content, '') AS content, "
	    "COALESCE(username, '') AS username, COALESCE(token_name, '') AS token_name, "
	    "COALESCE(model_name, '') AS model_name, COALESCE(quota, 0) AS quota, "
	    "COALESCE(prompt_tokens, 0) AS prompt_tokens, "
	    "COALESCE(completion_tokens, 0) AS completion_tokens, COALESCE(channel_id, 0) AS channel, "
	    "COALESCE(request_id, '') AS request_id, COALESCE(elapsed_time, 0) AS elapsed_time, "
	    "COALESCE(is_stream, 0) AS is_stream FROM logs %s ORDER BY id DESC LIMIT ? OFFSET ?", where);
	args[n++] = DB_I(limit);
	args[n++] = DB_I(offset);
	return db_rows_json(db, sql, args, n);
}

json_t *
logs_usage_json(struct db *db, int64_t user_id, int64_t since, int by_model)
{
	/* created_at - created_at % 86400: the UTC day, the same in both dialects */
	if (by_model)
		return db_rows_json(db, "SELECT COALESCE(model_name, '') AS model, COUNT(1) AS count, "
		    "COALESCE(SUM(quota), 0) AS quota, "
		    "COALESCE(SUM(prompt_tokens), 0) + COALESCE(SUM(completion_tokens), 0) AS tokens "
		    "FROM logs WHERE type = 2 AND user_id = ? AND created_at >= ? "
		    "GROUP BY model_name ORDER BY quota DESC, model LIMIT 20",
		    DB_ARGS(DB_I(user_id), DB_I(since)));
	return db_rows_json(db, "SELECT created_at - created_at % 86400 AS day, COUNT(1) AS count, "
	    "COALESCE(SUM(quota), 0) AS quota, "
	    "COALESCE(SUM(prompt_tokens), 0) + COALESCE(SUM(completion_tokens), 0) AS tokens "
	    "FROM logs WHERE type = 2 AND user_id = ? AND created_at >= ? "
	    "GROUP BY created_at - created_at % 86400 ORDER BY day", DB_ARGS(DB_I(user_id), DB_I(since)));
}
