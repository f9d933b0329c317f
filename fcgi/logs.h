/* fcgi/logs.h: rows of One API's logs table written by management actions */
#ifndef GW_LOGS_H
#define GW_LOGS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "db.h"

/* One API's log types (model/log.go). */
enum log_type {
	LOGT_UNKNOWN = 0,
	LOGT_TOPUP = 1,
	LOGT_CONSUME = 2,
	LOGT_MANAGE = 3,
	LOGT_SYSTEM = 4,
	LOGT_TEST = 5,
};

/* Insert a log row {user_id, username, created_at = now, type, content},
 * every other column at its One API default. username NULL looks the name
 * up by user_id ("" when there is none). GW_OK or GW_EDB. */
int logs_record(struct db *db, int64_t user_id, const char *username, int type,
    const char *content) GW_WUR;

/* One API's common.LogQuota: "＄0.002000 额度" when DisplayInCurrencyEnabled
 * (quota / QuotaPerUnit), else "1000 点额度". Writes into out (always
 * NUL-terminated) and returns out. */
char *logs_quota_text(char *out, size_t outsz, int64_t quota);

/* The filters of the log list and sum (One API's query parameters; numbers
 * that do not parse count as 0 = no filter, as strconv.Atoi errors do). */
struct log_filter {
	int64_t user_id;	/* 0: anyone */
	int64_t type;		/* 0: every type */
	int64_t start, end;	/* created_at bounds, inclusive; 0: open */
	const char *username, *token_name, *model_name;
	int64_t channel;
};

/* A page of logs matching f, newest first, as One API's Log JSON (self:
 * without ids, as GetUserLogs answers), and the count of all that match
 * into *total. New reference, NULL on a database error. */
json_t *logs_page_json(struct db *db, const struct log_filter *f, int self, int64_t offset,
    int64_t limit, int64_t *total);
/* The sum of the quota of the logs matching f. GW_OK or GW_EDB. */
int logs_sum_quota(struct db *db, const struct log_filter *f, int64_t *sum) GW_WUR;
/* Delete the logs older than ts; *n gets how many. GW_OK or GW_EDB. */
int logs_delete_before(struct db *db, int64_t ts, int64_t *n) GW_WUR;
/* SearchAllLogs: the newest limit logs whose type is kw or whose content
 * starts with kw. New reference, NULL on a database error. */
json_t *logs_search_json(struct db *db, const char *kw, int64_t limit);
/* SearchUserLogs: user_id's newest limit logs of type kw (without ids). */
json_t *logs_self_search_json(struct db *db, int64_t user_id, const char *kw, int64_t limit);
/* user_id's consume logs created in [from, to], summed by UTC day and
 * model: fn(ctx, day "YYYY-MM-DD", model, count, quota, prompt, completion)
 * per row, ordered by day and model. GW_OK or GW_EDB. */
int logs_by_day_model(struct db *db, int64_t user_id, int64_t from, int64_t to,
    int (*fn)(void *ctx, const char *day, const char *model, const int64_t v[4]), void *ctx) GW_WUR;

/* The filters of the log pages; 0 / NULL / "" = no filter. */
struct logs_filter {
	int64_t user_id;
	int64_t type;
	int64_t start, end;		/* created_at bounds, inclusive */
	const char *username, *token_name, *model_name;
	int64_t channel;
};

#define LOGS_MAX_ARGS 10	/* arguments logs_where may bind */

/* The WHERE clause of f ("WHERE 1 = 1 AND ...": fixed SQL text, values
 * bound) into sql and its arguments into args (LOGS_MAX_ARGS); returns the
 * argument count. */
size_t logs_where(const struct logs_filter *f, char *sql, size_t sqlsz, struct db_arg *args);

/* One page of logs matching f, newest first (id, user_id, created_at, type,
 * content, username, token_name, model_name, quota, prompt_tokens,
 * completion_tokens, channel, request_id, elapsed_time, is_stream).
 * *total (may be NULL) gets the number of matches, *sum (may be NULL) the
 * quota of the matching consume rows. New reference, NULL on a store error. */
json_t *logs_rows_json(struct db *db, const struct logs_filter *f, int64_t offset, int64_t limit,
    int64_t *total, int64_t *sum);

/* user_id's consume logs since `since` summed by UTC day ({day: epoch of
 * the day, count, quota, tokens}, oldest first) or, with by_model, by
 * model ({model, count, quota, tokens}, the 20 costliest). New reference,
 * NULL on a store error. */
json_t *logs_usage_json(struct db *db, int64_t user_id, int64_t since, int by_model);

#endif
