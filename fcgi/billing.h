/* fcgi/billing.h: prices, pre-consumption and settlement of relay requests
 * (ONEAPI_SPEC.md 4), and the consume log */
#ifndef GW_BILLING_H
#define GW_BILLING_H

#include <stdint.h>
#include <jansson.h>
#include "db.h"
#include "relay_auth.h"

/* Bounds on numbers from clients and upstreams. A balance, top-up or token
 * quota above QUOTA_MAX (2 billion USD at 500000 per USD) is refused, and
 * every computed quota is clamped to it, so stored quotas stay integers
 * that SUM can add. A token count above BILLING_TOKENS_MAX in a request or
 * a usage report is garbage. */
#define QUOTA_MAX		INT64_C(1000000000000000)
#define BILLING_TOKENS_MAX	INT64_C(100000000)

/* Ratios for one request. quota = ceil((prompt + completion * completion_ratio)
 * * model_ratio * group_ratio); cached prompt tokens use cached_ratio when > 0. */
struct price {
	double model_ratio;
	double completion_ratio;
	double group_ratio;
	double cached_ratio;	/* a cached prompt token's price relative to a normal
				 * one (option CachedInputRatio); 0 = same price */
};

struct usage {
	int64_t prompt;
	int64_t completion;
	int64_t cached;		/* prompt tokens served from the provider's cache */
	int64_t reasoning;	/* part of completion, for the log only */
	int estimated;		/* 1 when counted here, not reported by the upstream */
};

/* The price of model (the upstream name after mapping) on a channel type for
 * a user group: options ModelRatio ("name(type)" then "name"), One API's
 * defaults, else 30 (logged once); CompletionRatio then One API's built-in
 * heuristics; GroupRatio (missing group = 1). */
void billing_price(const char *model, int channel_type, const char *group, struct price *p);

/* Is every count of u in [0, BILLING_TOKENS_MAX]? */
int billing_usage_sane(const struct usage *u);

/* Quota of a finished request (One API's formula; at least 1 when the ratio
 * is not 0 and tokens were used; 0 for no tokens or insane usage), at most
 * QUOTA_MAX. Settlement charges the hold instead when the usage is not
 * sane, and logs it. */
int64_t billing_quota(const struct price *p, const struct usage *u);

/* What to hold before the call: (PreConsumedQuota + prompt + max_tokens) *
 * ratio, as One API does; max_tokens 0 = unknown. Computed without integer
 * overflow and clamped to [0, QUOTA_MAX]. */
int64_t billing_pre_amount(const struct price *p, int64_t prompt_tokens, int64_t max_tokens);

/* The most a request can cost: prompt_tokens and max_tokens completion
 * tokens at their prices (billing_quota of that usage), QUOTA_MAX when
 * either count is above BILLING_TOKENS_MAX. A hold of this much can never
 * be overrun by an answer of at most max_tokens. */
int64_t billing_worst_case(const struct price *p, int64_t prompt_tokens, int64_t max_tokens);

/* The largest max_tokens whose worst case (with prompt_tokens) balance
 * pays: 0 when it does not even pay the prompt, BILLING_TOKENS_MAX when
 * the model is free. For a request without max_tokens: send this upstream
 * (when below what the model allows) and hold its worst case. */
int64_t billing_affordable_tokens(const struct price *p, int64_t prompt_tokens, int64_t balance);

/* A rough token count when the upstream reports none (bytes * 0.38, One
 * API's ApproximateTokenEnabled rule, at least 1 for non-empty text). */
int64_t billing_estimate_tokens(const char *text, size_t len);

/*
 * Hold amount from the token (unless unlimited) and the user, each in one
 * statement that cannot go below zero, both in one transaction. GW_OK, or
 * GW_EFORBIDDEN with *why set to One API's message: the user's quota is
 * short ("用户额度不足" — 403 insufficient_user_quota) or the token's
 * ("令牌额度不足" — 403 pre_consume_token_quota_failed). amount 0 holds
 * nothing and succeeds. These statements, not the cached balances
 * relay_auth read, decide: a refusal drops the cached rows of the token and
 * user, a hold moves them along.
 */
int billing_preconsume(struct db *db, const struct relay_token *t, int64_t amount,
    const char **why) GW_WUR;

/* Give a held amount back (failed request, or a retry on another channel). */
int billing_refund(struct db *db, const struct relay_token *t, int64_t amount) GW_WUR;

/* Everything that settles one finished request. */
struct settle {
	const struct relay_token *token;
	int64_t channel_id;
	int channel_type;
	const char *model;		/* logs.model_name: the upstream (mapped) name */
	const char *request_id;
	int is_stream;
	int system_prompt_reset;
	int64_t elapsed_ms;
	int64_t pre;			/* what billing_preconsume held */
	struct usage usage;
	struct price price;
};

/*
 * Charge the real cost and release the rest of the hold, in one
 * transaction: token remain/used quota and user quota moved by
 * (quota - pre), never below zero (an overrun takes what is left);
 * users.used_quota += quota, request_count += 1; channels.used_quota +=
 * quota; a consume log row (type 2, when the LogConsumeEnabled option is
 * on) with prompt/completion tokens, quota, model, token name, channel,
 * elapsed time, is_stream and request id, content "倍率：%.2f × %.2f × %.2f"
 * style text as One API writes; and the user_request_costs row for
 * GET /api/cost/request/:id. *quota_out (may be NULL) gets the charged quota.
 */
int billing_settle(struct db *db, const struct settle *s, int64_t *quota_out) GW_WUR;

/* The same settlement, handed to the process's writer thread, which commits
 * queued settlements in batches (one transaction for many requests). The
 * settlement is copied; the cached balances (relay_auth_quota_moved) move at
 * once. Without a running writer (CGI mode, tests), or past SETTLE_QUEUE_MAX
 * queued, it is settled at once on db; db may be NULL when
 * billing_queue_room() said yes (GW_EDB if the writer is gone). */
int billing_settle_later(struct db *db, const struct settle *s) GW_WUR;
/* 1 when a settlement can be queued without a database at hand. */
int billing_queue_room(void);
/* Start the writer thread (FastCGI mode, before the workers). */
int billing_queue_start(void) GW_WUR;
/* Wait until everything queued so far is committed. */
void billing_queue_flush(void);
/* Commit what is queued and stop the writer (shutdown). */
void billing_queue_stop(void);

/* What One API's billing emulation shows: the token's remaining and used
 * quota and expiry (token_level), else the user's. remain is -1 for an
 * unlimited token. GW_OK (zeros when the row is gone) or GW_EDB. */
struct balance {
	int64_t remain, used, expires;
};
int billing_balance(struct db *db, const struct relay_token *t, int token_level,
    struct balance *out) GW_WUR;

/* AdminTopUp: add quota to user_id and write a top-up log carrying it,
 * both or neither. GW_OK, GW_ENOTFOUND (no such user), GW_ETOOBIG (the
 * balance would pass QUOTA_MAX) or GW_EDB. */
int billing_topup(struct db *db, int64_t user_id, int64_t quota, const char *remark) GW_WUR;
/* The fork's user_request_costs row of request id as JSON, plus cost_usd
 * (quota / 500000). NULL with *rc = GW_ENOTFOUND, GW_EDB or GW_ENOMEM. */
json_t *billing_request_cost_json(struct db *db, const char *id, int *rc);

#endif
