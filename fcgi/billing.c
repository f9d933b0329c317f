/* fcgi/billing.c: One API's prices (relay/billing/ratio), quota formula,
 * pre-consumption, refund and settlement of relay requests (ONEAPI_SPEC.md 4) */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "billing.h"
#include "cache.h"
#include "caps.h"
#include "log.h"
#include "logs.h"
#include "options.h"
#include "util.h"

/* One API's default tables, defined in fcgi/options.c (the JSON the options
 * ModelRatio / CompletionRatio start from). */

#define UNKNOWN_MODEL_RATIO 30.0	/* One API's GetModelRatio fallback */
#define NAME_MAX_LEN 256		/* longer model names match nothing */

/* The default tables parsed once; read-only afterwards (jansson lookups do
 * not touch reference counts, so threads may share them). */
static pthread_once_t defaults_once = PTHREAD_ONCE_INIT;
static json_t *def_model, *def_completion;

static void
defaults_parse(void)
{
	def_model = json_loads(options_default_model_ratio, 0, NULL);
	def_completion = json_loads(options_default_completion_ratio, 0, NULL);
	if (def_model == NULL || def_completion == NULL)
		log_error("billing: the built-in ratio tables do not parse");
}

/* name in the option map_key, then in the defaults: GW_OK or GW_ENOTFOUND. */
static int
ratio_of(const char *map_key, json_t *defs, const char *name, double *out)
{
	json_t *v;

	if (option_ratio(map_key, name, out) == GW_OK)
		return GW_OK;
	if (defs && (v = json_object_get(defs, name)) != NULL && json_is_number(v)) {
		*out = json_number_value(v);
		return GW_OK;
	}
	return GW_ENOTFOUND;
}

/* One API's lookup order: "name(channelType)" then "name", each in the
 * stored option first and the defaults second. */
static int
lookup(const char *map_key, json_t *defs, const char *name, int channel_type, double *out)
{
	char keyed[NAME_MAX_LEN + 16];

	snprintf(keyed, sizeof(keyed), "%s(%d)", name, channel_type);
	if (ratio_of(map_key, defs, keyed, out) == GW_OK)
		return GW_OK;
	return ratio_of(map_key, defs, name, out);
}

static int
has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static int
has_suffix(const char *s, const char *p)
{
	size_t n = strlen(s), m = strlen(p);

	return n >= m && strcmp(s + n - m, p) == 0;
}

/* Copy name into out, without "-internet" when it starts with one of the
 * prefixes (One API prices qwen-*-internet like qwen-*). */
static void
strip_internet(char *out, size_t outsz, const char *name, int also_command)
{
	size_t n;

	snprintf(out, outsz, "%s", name);
	if ((has_prefix(out, "qwen-") || (also_command && has_prefix(out, "command-"))) &&
	    has_suffix(out, "-internet")) {
		n = strlen(out) - strlen("-internet");
		out[n] = '\0';
	}
}

/* Models warned about as unpriced, so the log says it once per name (up to
 * a bound; after that, nothing more is logged). */
#define UNKNOWN_SEEN_MAX 64
static pthread_mutex_t unknown_mu = PTHREAD_MUTEX_INITIALIZER;
static char unknown_seen[UNKNOWN_SEEN_MAX][64];
static size_t unknown_n;

static void
warn_unknown(const char *name)
{
	size_t i;
	int fresh = 1;

	pthread_mutex_lock(&unknown_mu);
	for (i = 0; i < unknown_n; i++)
		if (strncmp(unknown_seen[i], name, sizeof(unknown_seen[i]) - 1) == 0) {
			fresh = 0;
			break;
		}
	if (fresh && unknown_n < UNKNOWN_SEEN_MAX)
		snprintf(unknown_seen[unknown_n++], sizeof(unknown_seen[0]), "%.*s",
		    (int)sizeof(unknown_seen[0]) - 1, name);
	else
		fresh = 0;
	pthread_mutex_unlock(&unknown_mu);
	if (fresh)
		log_warn("billing: model ratio not found: %s (charged as %.0f)", name, UNKNOWN_MODEL_RATIO);
}

/* One API's GetCompletionRatio: exact names after the prefix rules (Go's
 * constant quotients such as 0.79 / 0.59 written out as their float64). */
static const struct {
	const char *name;
	double ratio;
} completion_names[] = {
	{ "llama2-70b-4096", 1.25 },
	{ "llama3-8b-8192", 2 },
	{ "llama3-70b-8192", 1.3389830508474576 },
	{ "command", 2 },
	{ "command-light", 2 },
	{ "command-nightly", 2 },
	{ "command-light-nightly", 2 },
	{ "command-r", 3 },
	{ "command-r-plus", 5 },
	{ "grok-beta", 3 },
	/* Replicate models */
	{ "ibm-granite/granite-20b-code-instruct-8k", 5 },
	{ "ibm-granite/granite-3.0-2b-instruct", 8.333333333333334 },
	{ "ibm-granite/granite-3.0-8b-instruct", 5 },
	{ "ibm-granite/granite-8b-code-instruct-128k", 5 },
	{ "meta/llama-2-13b", 5 },
	{ "meta/llama-2-13b-chat", 5 },
	{ "meta/llama-2-7b", 5 },
	{ "meta/llama-2-7b-chat", 5 },
	{ "meta/meta-llama-3-8b", 5 },
	{ "meta/meta-llama-3-8b-instruct", 5 },
	{ "meta/llama-2-70b", 4.230769230769231 },
	{ "meta/llama-2-70b-chat", 4.230769230769231 },
	{ "meta/meta-llama-3-70b", 4.230769230769231 },
	{ "meta/meta-llama-3-70b-instruct", 4.230769230769231 },
	{ "meta/meta-llama-3.1-405b-instruct", 1 },
	{ "mistralai/mistral-7b-instruct-v0.2", 5 },
	{ "mistralai/mistral-7b-v0.1", 5 },
	{ "mistralai/mixtral-8x7b-instruct-v0.1", 3.3333333333333335 },
};

/* One API's GetCompletionRatio heuristics for a name no table prices. */
static double
completion_heuristic(const char *name)
{
	size_t i;

	if (has_prefix(name, "gpt-3.5")) {
		if (strcmp(name, "gpt-3.5-turbo") == 0 || has_suffix(name, "0125"))
			return 3;
		if (has_suffix(name, "1106"))
			return 2;
		return 4.0 / 3.0;
	}
	if (has_prefix(name, "gpt-4")) {
		if (has_prefix(name, "gpt-4o"))
			return strcmp(name, "gpt-4o-2024-05-13") == 0 ? 3 : 4;
		if (has_prefix(name, "gpt-4-turbo") || has_suffix(name, "preview"))
			return 3;
		return 2;
	}
	if (has_prefix(name, "o1"))
		return 4;
	if (strcmp(name, "chatgpt-4o-latest") == 0)
		return 3;
	if (has_prefix(name, "claude-3"))
		return 5;
	if (has_prefix(name, "claude-"))
		return 3;
	if (has_prefix(name, "mistral-") || has_prefix(name, "gemini-"))
		return 3;
	if (has_prefix(name, "deepseek-"))
		return 2;
	for (i = 0; i < sizeof(completion_names) / sizeof(completion_names[0]); i++)
		if (strcmp(name, completion_names[i].name) == 0)
			return completion_names[i].ratio;
	return 1;
}

void
billing_price(const char *model, int channel_type, const char *group, struct price *p)
{
	char name[NAME_MAX_LEN];

	pthread_once(&defaults_once, defaults_parse);
	if (model == NULL)
		model = "";
	/* model ratio: -internet dropped for qwen-* and command-* */
	strip_internet(name, sizeof(name), model, 1);
	if (strlen(model) >= sizeof(name) ||
	    lookup("ModelRatio", def_model, name, channel_type, &p->model_ratio) != GW_OK) {
		warn_unknown(name);
		p->model_ratio = UNKNOWN_MODEL_RATIO;
	}
	/* completion ratio: -internet dropped for qwen-* only */
	strip_internet(name, sizeof(name), model, 0);
	if (strlen(model) >= sizeof(name) ||
	    lookup("CompletionRatio", def_completion, name, channel_type, &p->completion_ratio) != GW_OK)
		p->completion_ratio = completion_heuristic(name);
	if (option_ratio("GroupRatio", group ? group : "", &p->group_ratio) != GW_OK)
		p->group_ratio = 1;
	/* cached prompt tokens: the CachedInputRatio option (ours), by the
	 * model's name or its name without a -YYYY-MM-DD snapshot date; 0 =
	 * priced like any prompt token, as One API does */
	p->cached_ratio = 0;
	if (option_ratio("CachedInputRatio", model, &p->cached_ratio) != GW_OK) {
		size_t n = strlen(model);
		if (n > 11 && n < sizeof(name) && model[n - 11] == '-' && model[n - 6] == '-' &&
		    model[n - 3] == '-') {
			memcpy(name, model, n - 11);
			name[n - 11] = '\0';
			if (option_ratio("CachedInputRatio", name, &p->cached_ratio) != GW_OK)
				p->cached_ratio = 0;
		} else
			p->cached_ratio = 0;
	}
	if (p->cached_ratio < 0)
		p->cached_ratio = 0;
}

/* A double as a quota in [0, QUOTA_MAX]: stored quotas stay integers that
 * a SUM over many rows can add (SQLite turns an overflowing integer into a
 * REAL, and SUM over such rows fails). */
static int64_t
clamp_quota(double q)
{
	if (q != q || q <= 0)
		return 0;
	if (q >= (double)QUOTA_MAX)
		return QUOTA_MAX;
	return (int64_t)q;
}

int
billing_usage_sane(const struct usage *u)
{
	return u->prompt >= 0 && u->prompt <= BILLING_TOKENS_MAX &&
	    u->completion >= 0 && u->completion <= BILLING_TOKENS_MAX &&
	    u->cached >= 0 && u->cached <= BILLING_TOKENS_MAX &&
	    u->reasoning >= 0 && u->reasoning <= BILLING_TOKENS_MAX;
}

int64_t
billing_quota(const struct price *p, const struct usage *u)
{
	double ratio = p->model_ratio * p->group_ratio, tokens;
	int64_t cached = u->cached, q;

	if (!billing_usage_sane(u))
		return 0;	/* callers charge their estimate instead (settle_quota) */
	if (u->prompt + u->completion == 0)
		return 0;	/* One API: some error happened upstream */
	if (cached > u->prompt)
		cached = u->prompt;
	if (cached > 0 && p->cached_ratio > 0)
		tokens = (double)(u->prompt - cached) + (double)cached * p->cached_ratio +
		    (double)u->completion * p->completion_ratio;
	else
		tokens = (double)u->prompt + (double)u->completion * p->completion_ratio;
	q = clamp_quota(ceil(tokens * ratio));
	if (ratio != 0 && q <= 0)
		q = 1;
	return q;
}

/* What a finished request is charged: its quota, or the hold when the
 * upstream's usage is garbage (logged; the numbers are not stored). */
static int64_t
settle_quota(const struct settle *s)
{
	if (billing_usage_sane(&s->usage))
		return billing_quota(&s->price, &s->usage);
	log_warn("req=%s absurd usage from channel %lld (prompt %lld, completion %lld, cached %lld): "
	    "charged the estimate %lld", s->request_id ? s->request_id : "-", (long long)s->channel_id,
	    (long long)s->usage.prompt, (long long)s->usage.completion, (long long)s->usage.cached,
	    (long long)s->pre);
	return s->pre;
}

/* A token count fit for the log, 0 when it is garbage. */
static int64_t
log_tokens(int64_t n)
{
	return n >= 0 && n <= BILLING_TOKENS_MAX ? n : 0;
}

int64_t
billing_pre_amount(const struct price *p, int64_t prompt_tokens, int64_t max_tokens)
{
	double ratio = p->model_ratio * p->group_ratio;
	double tokens = (double)option_int("PreConsumedQuota", 500);

	/* in double: int64 sums of client numbers overflow (9e18 max_tokens) */
	if (prompt_tokens > 0)
		tokens += (double)prompt_tokens;
	if (max_tokens > 0)
		tokens += (double)max_tokens;
	/* One API truncates here (int64(float64(tokens) * ratio)) */
	return clamp_quota(tokens * ratio);
}

int64_t
billing_worst_case(const struct price *p, int64_t prompt_tokens, int64_t max_tokens)
{
	struct usage u = { 0 };

	u.prompt = prompt_tokens < 0 ? 0 : prompt_tokens > BILLING_TOKENS_MAX ? BILLING_TOKENS_MAX :
	    prompt_tokens;
	u.completion = max_tokens < 0 ? 0 : max_tokens > BILLING_TOKENS_MAX ? BILLING_TOKENS_MAX :
	    max_tokens;
	if (prompt_tokens > BILLING_TOKENS_MAX || max_tokens > BILLING_TOKENS_MAX)
		return QUOTA_MAX;	/* no balance pays for garbage */
	return billing_quota(p, &u);
}

int64_t
billing_affordable_tokens(const struct price *p, int64_t prompt_tokens, int64_t balance)
{
	double ratio = p->model_ratio * p->group_ratio, per, left;
	int64_t n;

	if (ratio <= 0 || p->completion_ratio <= 0)
		return BILLING_TOKENS_MAX;	/* free (or One API's negative ratio): no bound */
	if (prompt_tokens < 0)
		prompt_tokens = 0;
	/* what the balance buys, less the prompt, in completion tokens */
	left = (double)balance / ratio - (double)prompt_tokens;
	per = p->completion_ratio;
	if (left <= 0)
		return 0;
	n = left / per >= (double)BILLING_TOKENS_MAX ? BILLING_TOKENS_MAX : (int64_t)(left / per);
	/* floating point may be a token generous: step down until it pays */
	while (n > 0 && billing_worst_case(p, prompt_tokens, n) > balance)
		n--;
	return n;
}

int64_t
billing_estimate_tokens(const char *text, size_t len)
{
	int64_t n;

	if (text == NULL || len == 0)
		return 0;
	n = (int64_t)((double)len * 0.38);
	return n < 1 ? 1 : n;
}

/* Move amount from (amount > 0) or back to (amount < 0) token t (not
 * unlimited), inside the caller's transaction. With strict set, a balance
 * that cannot cover amount refuses (GW_EFORBIDDEN, *why set); otherwise an
 * overrun empties the balance. used_quota moves by the full amount. */
static int
move_token(struct db *db, int64_t id, int64_t amount, int strict, const char **why)
{
	int64_t ch = 0, now = now_sec();
	int rc;

	if (amount < 0)
		rc = db_exec(db, "UPDATE tokens SET remain_quota = remain_quota + ?, "
		    "used_quota = used_quota - ?, accessed_time = ? WHERE id = ?",
		    DB_ARGS(DB_I(-amount), DB_I(-amount), DB_I(now), DB_I(id)), &ch);
	else if (strict)
		rc = db_exec(db, "UPDATE tokens SET remain_quota = remain_quota - ?, "
		    "used_quota = used_quota + ?, accessed_time = ? "
		    "WHERE id = ? AND remain_quota >= ?",
		    DB_ARGS(DB_I(amount), DB_I(amount), DB_I(now), DB_I(id), DB_I(amount)), &ch);
	else
		rc = db_exec(db, "UPDATE tokens SET remain_quota = CASE WHEN remain_quota > ? "
		    "THEN remain_quota - ? ELSE 0 END, used_quota = used_quota + ?, "
		    "accessed_time = ? WHERE id = ?",
		    DB_ARGS(DB_I(amount), DB_I(amount), DB_I(amount), DB_I(now), DB_I(id)), &ch);
	if (rc != GW_OK)
		return rc;
	if (strict && amount > 0 && ch != 1) {
		*why = "令牌额度不足";
		return GW_EFORBIDDEN;
	}
	return GW_OK;
}

/* The same for user id's quota ("用户额度不足"). */
static int
move_user(struct db *db, int64_t id, int64_t amount, int strict, const char **why)
{
	int64_t ch = 0;
	int rc;

	if (amount < 0)
		rc = db_exec(db, "UPDATE users SET quota = quota + ? WHERE id = ?",
		    DB_ARGS(DB_I(-amount), DB_I(id)), &ch);
	else if (strict)
		rc = db_exec(db, "UPDATE users SET quota = quota - ? WHERE id = ? AND quota >= ?",
		    DB_ARGS(DB_I(amount), DB_I(id), DB_I(amount)), &ch);
	else
		rc = db_exec(db, "UPDATE users SET quota = CASE WHEN quota > ? THEN quota - ? ELSE 0 END "
		    "WHERE id = ?", DB_ARGS(DB_I(amount), DB_I(amount), DB_I(id)), &ch);
	if (rc != GW_OK)
		return rc;
	if (strict && amount > 0 && ch != 1) {
		*why = "用户额度不足";
		return GW_EFORBIDDEN;
	}
	return GW_OK;
}

/* Move amount from (amount > 0) or back to (amount < 0) the token, unless
 * unlimited, and the user, inside the caller's transaction (see
 * move_token). */
static int
move_quota(struct db *db, const struct relay_token *t, int64_t amount, int strict, const char **why)
{
	int rc;

	if (!t->unlimited && (rc = move_token(db, t->id, amount, strict, why)) != GW_OK)
		return rc;
	return move_user(db, t->user_id, amount, strict, why);
}

int
billing_preconsume(struct db *db, const struct relay_token *t, int64_t amount, const char **why)
{
	const char *dummy;
	int rc;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (amount == 0)
		return GW_OK;
	if (amount < 0) {
		*why = "quota 不能为负数！";
		return GW_EINPUT;
	}
	if (db_begin(db) != GW_OK) {
		*why = "database error";
		return GW_EDB;
	}
	rc = move_quota(db, t, amount, 1, why);
	if (rc != GW_OK) {
		db_rollback(db);
		if (rc != GW_EFORBIDDEN)
			*why = "database error";
		else	/* the cached balances were too high: read them again */
			relay_auth_forget(t);
		return rc;
	}
	if (db_commit(db) != GW_OK) {
		*why = "database error";
		return GW_EDB;
	}
	relay_auth_quota_moved(t, amount);
	return GW_OK;
}

int
billing_refund(struct db *db, const struct relay_token *t, int64_t amount)
{
	int rc;

	if (amount <= 0)
		return GW_OK;
	if ((rc = db_begin(db)) != GW_OK)
		return rc;
	if ((rc = move_quota(db, t, -amount, 0, NULL)) != GW_OK) {
		db_rollback(db);
		return rc;
	}
	if ((rc = db_commit(db)) == GW_OK)
		relay_auth_quota_moved(t, -amount);
	return rc;
}

/* The consume log row (One API's RecordConsumeLog; request_id as its
 * recordLogHelper adds it). */
static int
consume_log(struct db *db, const struct settle *s, int64_t quota)
{
	const struct relay_token *t = s->token;
	char content[160];

	snprintf(content, sizeof(content), "倍率：%.2f × %.2f × %.2f",
	    s->price.model_ratio, s->price.group_ratio, s->price.completion_ratio);
	return db_exec(db, "INSERT INTO logs (user_id, created_at, type, content, username, "
	    "token_name, model_name, quota, prompt_tokens, completion_tokens, channel_id, "
	    "request_id, elapsed_time, is_stream, system_prompt_reset) "
	    "VALUES (?, ?, ?, ?, COALESCE(?, (SELECT username FROM users WHERE id = ?), ''), "
	    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    DB_ARGS(DB_I(t->user_id), DB_I(now_sec()), DB_I(LOGT_CONSUME), DB_S(content),
	    DB_S(t->username), DB_I(t->user_id), DB_S(t->name ? t->name : ""),
	    DB_S(s->model ? s->model : ""), DB_I(quota), DB_I(log_tokens(s->usage.prompt)),
	    DB_I(log_tokens(s->usage.completion)), DB_I(s->channel_id), DB_S(s->request_id ? s->request_id : ""),
	    DB_I(s->elapsed_ms), DB_I(s->is_stream ? 1 : 0), DB_I(s->system_prompt_reset ? 1 : 0)),
	    NULL);
}

/* The fork's user_request_costs row for GET /api/cost/request/:id; a
 * second settlement of the same request id overwrites the quota. */
static int
cost_row(struct db *db, const struct settle *s, int64_t quota)
{
	if (s->request_id == NULL || *s->request_id == '\0')
		return GW_OK;
	return db_upsert(db, "user_request_costs", "created_time, user_id, request_id, quota",
	    "request_id", "quota", DB_ARGS(DB_I(now_sec()), DB_I(s->token->user_id),
	    DB_S(s->request_id), DB_I(quota)));
}

/* The writes of one settlement, inside the caller's transaction. */
static int
settle_rows(struct db *db, const struct settle *s, int64_t *quota_out)
{
	int64_t quota, delta;
	int rc;

	quota = settle_quota(s);
	delta = quota - s->pre;
	if (delta != 0 && (rc = move_quota(db, s->token, delta, 0, NULL)) != GW_OK)
		goto fail;
	if (delta == 0 && !s->token->unlimited &&
	    (rc = db_exec(db, "UPDATE tokens SET accessed_time = ? WHERE id = ?",
	    DB_ARGS(DB_I(now_sec()), DB_I(s->token->id)), NULL)) != GW_OK)
		goto fail;
	if ((rc = db_exec(db, "UPDATE users SET used_quota = used_quota + ?, "
	    "request_count = request_count + 1 WHERE id = ?",
	    DB_ARGS(DB_I(quota), DB_I(s->token->user_id)), NULL)) != GW_OK)
		goto fail;
	if (s->channel_id > 0 && (rc = db_exec(db, "UPDATE channels SET used_quota = used_quota + ? "
	    "WHERE id = ?", DB_ARGS(DB_I(quota), DB_I(s->channel_id)), NULL)) != GW_OK)
		goto fail;
	if (option_bool("LogConsumeEnabled", 1) && (rc = consume_log(db, s, quota)) != GW_OK)
		goto fail;
	if ((rc = cost_row(db, s, quota)) != GW_OK)
		goto fail;
	if (quota_out)
		*quota_out = quota;
	return GW_OK;
fail:
	return rc;
}

/* One settlement in a transaction of its own. */
static int
settle_tx(struct db *db, const struct settle *s, int64_t *quota_out)
{
	int rc;

	if ((rc = db_begin(db)) != GW_OK)
		return rc;
	if ((rc = settle_rows(db, s, quota_out)) != GW_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

int
billing_settle(struct db *db, const struct settle *s, int64_t *quota_out)
{
	int64_t quota = 0;
	int rc;

	if (s == NULL || s->token == NULL)
		return GW_EINPUT;
	if ((rc = settle_tx(db, s, &quota)) == GW_OK) {
		relay_auth_quota_moved(s->token, quota - s->pre);
		if (quota_out)
			*quota_out = quota;
	}
	return rc;
}

/*
 * The settlement queue: one writer thread per process commits queued
 * settlements in batches, so a relay request costs a share of one write
 * transaction instead of one of its own (One API settles in a goroutine
 * too). A queued settlement is a deep copy in one allocation; the writer
 * owns it. A small batch waits SETTLE_LINGER_US for company: under load
 * that makes batches of dozens, whose balance and counter updates are
 * summed per token, user and channel (commit_batch), and spares the
 * writer a wake-up per request; a lone request is charged that much
 * later, which nobody sees.
 */
#define SETTLE_BATCH 256
#define SETTLE_LINGER_US 2000

struct qitem {
	struct qitem *next;
	struct settle s;
	struct relay_token tok;
	int64_t quota;		/* billing_quota of the settlement */
	char strs[];		/* model, request id, token name, username */
};

static pthread_mutex_t q_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t q_idle = PTHREAD_COND_INITIALIZER;
static struct qitem *q_head, *q_tail;
static size_t q_len;
static int q_running, q_stop, q_busy, q_flushers, q_sleeping;
static pthread_t q_thread;

/* Sums of one batch for one token, user or channel. */
struct tally {
	int64_t id;
	int64_t sum;		/* quota moved (balances) or charged (counters) */
	int64_t count;
	int pos, neg;		/* moves > 0 and < 0 seen */
};

/* The tally of id in t[0..*n), added when missing. */
static struct tally *
tally_of(struct tally *t, size_t *n, int64_t id)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (t[i].id == id)
			return &t[i];
	memset(&t[*n], 0, sizeof(t[0]));
	t[*n].id = id;
	return &t[(*n)++];
}

/*
 * The writes of a batch, inside the caller's transaction, with the same
 * result as settle_rows one by one. Counters (users.used_quota,
 * request_count, channels.used_quota) are sums: one UPDATE per user and
 * channel. A balance gets one UPDATE with the summed move when all its
 * moves in the batch go the same way (an overrun clamps at zero alike);
 * mixed ways are replayed one by one, in order.
 */
static int
settle_batch(struct db *db, struct qitem *list, size_t n)
{
	struct tally *tt = calloc(4 * (n ? n : 1), sizeof(*tt)), *ut, *ct, *uc, *x;
	size_t nt = 0, nu = 0, nc = 0, nuc = 0, i;
	int log_on = option_bool("LogConsumeEnabled", 1), rc = GW_OK;
	struct qitem *q;
	int64_t d;

	if (tt == NULL)
		return GW_ENOMEM;
	ut = tt + n;
	ct = ut + n;
	uc = ct + n;
	for (q = list; q; q = q->next) {
		d = q->quota - q->s.pre;
		if (!q->tok.unlimited) {
			x = tally_of(tt, &nt, q->tok.id);
			x->sum += d;
			x->pos |= d > 0;
			x->neg |= d < 0;
		}
		x = tally_of(ut, &nu, q->tok.user_id);
		x->sum += d;
		x->pos |= d > 0;
		x->neg |= d < 0;
		x = tally_of(uc, &nuc, q->tok.user_id);
		x->sum += q->quota;
		x->count++;
		if (q->s.channel_id > 0)
			tally_of(ct, &nc, q->s.channel_id)->sum += q->quota;
	}
	/* balances: summed, or replayed in order when moves go both ways */
	for (i = 0; rc == GW_OK && i < nt; i++) {
		if (!(tt[i].pos && tt[i].neg)) {
			if (tt[i].sum != 0)
				rc = move_token(db, tt[i].id, tt[i].sum, 0, NULL);
			else	/* nothing moved: settle_rows still notes the access */
				rc = db_exec(db, "UPDATE tokens SET accessed_time = ? WHERE id = ?",
				    DB_ARGS(DB_I(now_sec()), DB_I(tt[i].id)), NULL);
			continue;
		}
		for (q = list; rc == GW_OK && q; q = q->next)
			if (!q->tok.unlimited && q->tok.id == tt[i].id && (d = q->quota - q->s.pre) != 0)
				rc = move_token(db, tt[i].id, d, 0, NULL);
	}
	for (i = 0; rc == GW_OK && i < nu; i++) {
		if (!(ut[i].pos && ut[i].neg)) {
			if (ut[i].sum != 0)
				rc = move_user(db, ut[i].id, ut[i].sum, 0, NULL);
			continue;
		}
		for (q = list; rc == GW_OK && q; q = q->next)
			if (q->tok.user_id == ut[i].id && (d = q->quota - q->s.pre) != 0)
				rc = move_user(db, ut[i].id, d, 0, NULL);
	}
	for (i = 0; rc == GW_OK && i < nuc; i++)
		rc = db_exec(db, "UPDATE users SET used_quota = used_quota + ?, "
		    "request_count = request_count + ? WHERE id = ?",
		    DB_ARGS(DB_I(uc[i].sum), DB_I(uc[i].count), DB_I(uc[i].id)), NULL);
	for (i = 0; rc == GW_OK && i < nc; i++)
		rc = db_exec(db, "UPDATE channels SET used_quota = used_quota + ? WHERE id = ?",
		    DB_ARGS(DB_I(ct[i].sum), DB_I(ct[i].id)), NULL);
	/* and a log row and a cost row each */
	for (q = list; rc == GW_OK && q; q = q->next) {
		if (log_on)
			rc = consume_log(db, &q->s, q->quota);
		if (rc == GW_OK)
			rc = cost_row(db, &q->s, q->quota);
	}
	free(tt);
	return rc;
}

/* Commit a batch; when the batch fails as a whole, settle its items one by
 * one so one bad row cannot lose the others' charges. */
static void
commit_batch(struct db *db, struct qitem *list, size_t n)
{
	struct qitem *q;
	int rc = db_begin(db);

	if (rc == GW_OK)
		rc = settle_batch(db, list, n);
	if (rc == GW_OK)
		rc = db_commit(db);
	else
		db_rollback(db);
	if (rc != GW_OK)
		for (q = list; q; q = q->next)
			if (settle_tx(db, &q->s, NULL) != GW_OK)
				log_error("billing: settlement of request %s failed (quota %lld held)",
				    q->s.request_id, (long long)q->s.pre);
}

static void *
writer_main(void *arg)
{
	struct db *db = NULL;
	struct qitem *list, *q, **tail;
	struct timespec dl;
	size_t n;

	(void)arg;
	pthread_mutex_lock(&q_mu);
	for (;;) {
		while (q_head == NULL && !q_stop) {
			q_sleeping = 1;
			pthread_cond_wait(&q_cv, &q_mu);
			q_sleeping = 0;
		}
		if (q_head == NULL && q_stop)
			break;
		/* a small batch waits a little for company (enqueuers do not
		 * wake us meanwhile, only a full batch, a flush or a stop) */
		if (q_len < SETTLE_BATCH && !q_stop && !q_flushers) {
			clock_gettime(CLOCK_REALTIME, &dl);
			dl.tv_nsec += SETTLE_LINGER_US * 1000L;
			if (dl.tv_nsec >= 1000000000L) {
				dl.tv_sec++;
				dl.tv_nsec -= 1000000000L;
			}
			while (q_len < SETTLE_BATCH && !q_stop && !q_flushers)
				if (pthread_cond_timedwait(&q_cv, &q_mu, &dl) != 0)
					break;
		}
		/* take up to a batch */
		list = q_head;
		tail = &list;
		for (n = 0, q = q_head; q && n < SETTLE_BATCH; q = q->next, n++)
			tail = &q->next;
		q_head = *tail;
		*tail = NULL;
		if (q_head == NULL)
			q_tail = NULL;
		q_len -= n;
		q_busy = 1;
		pthread_mutex_unlock(&q_mu);
		if (db == NULL && db_open(&db) != GW_OK) {
			log_error("billing: the settlement writer cannot open the database");
			db = NULL;
		}
		if (db)
			commit_batch(db, list, n);
		while ((q = list) != NULL) {
			list = q->next;
			free(q);
		}
		pthread_mutex_lock(&q_mu);
		q_busy = 0;
		pthread_cond_broadcast(&q_idle);
	}
	pthread_mutex_unlock(&q_mu);
	db_close(db);
	return NULL;
}

int
billing_queue_room(void)
{
	int room;

	pthread_mutex_lock(&q_mu);
	room = q_running && q_len < SETTLE_QUEUE_MAX;
	pthread_mutex_unlock(&q_mu);
	return room;
}

int
billing_queue_start(void)
{
	pthread_mutex_lock(&q_mu);
	if (!q_running && pthread_create(&q_thread, NULL, writer_main, NULL) == 0)
		q_running = 1;
	pthread_mutex_unlock(&q_mu);
	return q_running ? GW_OK : GW_ENOMEM;
}

void
billing_queue_flush(void)
{
	pthread_mutex_lock(&q_mu);
	q_flushers++;
	pthread_cond_signal(&q_cv);	/* cut a linger short */
	while (q_running && (q_head != NULL || q_busy))
		pthread_cond_wait(&q_idle, &q_mu);
	q_flushers--;
	pthread_mutex_unlock(&q_mu);
}

void
billing_queue_stop(void)
{
	pthread_mutex_lock(&q_mu);
	if (!q_running) {
		pthread_mutex_unlock(&q_mu);
		return;
	}
	q_stop = 1;
	pthread_cond_signal(&q_cv);
	pthread_mutex_unlock(&q_mu);
	pthread_join(q_thread, NULL);
	q_running = 0;
	q_stop = 0;
}

/* Copy s into p (NULL: "") and return the byte after its NUL. */
static char *
put_str(char *p, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	memcpy(p, s ? s : "", n);
	p[n] = '\0';
	return p + n + 1;
}

int
billing_settle_later(struct db *db, const struct settle *s)
{
	const struct relay_token *t;
	struct qitem *q;
	size_t len;
	char *p;

	if (s == NULL || s->token == NULL)
		return GW_EINPUT;
	t = s->token;
	pthread_mutex_lock(&q_mu);
	/* no writer (CGI, tests), or a writer that cannot keep up: settle
	 * now, on this thread, rather than let the queue grow; without a db
	 * (the event loop, which asked billing_queue_room first) it queues */
	if (!q_running || (q_len >= SETTLE_QUEUE_MAX && db != NULL)) {
		pthread_mutex_unlock(&q_mu);
		return db ? billing_settle(db, s, NULL) : GW_EDB;
	}
	pthread_mutex_unlock(&q_mu);
	len = (s->model ? strlen(s->model) : 0) + (s->request_id ? strlen(s->request_id) : 0) +
	    (t->name ? strlen(t->name) : 0) + (t->username ? strlen(t->username) : 0) + 4;
	if ((q = malloc(sizeof(*q) + len)) == NULL)
		return billing_settle(db, s, NULL);
	memset(q, 0, sizeof(*q));
	q->s = *s;
	q->tok = *t;
	q->quota = settle_quota(s);
	p = q->strs;
	q->s.model = p;
	p = put_str(p, s->model);
	q->s.request_id = p;
	p = put_str(p, s->request_id);
	q->tok.name = p;
	p = put_str(p, t->name);
	q->tok.username = t->username ? p : NULL;	/* NULL: the log looks it up */
	(void)put_str(p, t->username);
	q->tok.key = NULL;
	q->tok.group = NULL;
	q->tok.models = NULL;
	q->s.token = &q->tok;
	/* the cached balances move now; the database when the batch commits */
	relay_auth_quota_moved(t, q->quota - s->pre);
	pthread_mutex_lock(&q_mu);
	if (q_tail)
		q_tail->next = q;
	else
		q_head = q;
	q_tail = q;
	/* wake the writer only when it sleeps or a batch is full: while it
	 * lingers, the queue just grows */
	q_len++;
	if (q_sleeping || q_len >= SETTLE_BATCH)
		pthread_cond_signal(&q_cv);
	pthread_mutex_unlock(&q_mu);
	return GW_OK;
}

int
billing_balance(struct db *db, const struct relay_token *t, int token_level, struct balance *out)
{
	struct db_stmt *st;
	int rc, more;

	memset(out, 0, sizeof(*out));
	if (token_level)
		rc = db_query(db, &st, "SELECT remain_quota, used_quota, expired_time, unlimited_quota "
		    "FROM tokens WHERE id = ?", DB_ARGS(DB_I(t->id)));
	else
		rc = db_query(db, &st, "SELECT quota, used_quota FROM users WHERE id = ?",
		    DB_ARGS(DB_I(t->user_id)));
	if (rc != GW_OK)
		return rc;
	if ((more = db_next(st)) > 0) {
		out->remain = db_int(st, 0);
		out->used = db_int(st, 1);
		if (token_level) {
			out->expires = db_int(st, 2) > 0 ? db_int(st, 2) : 0;
			if (db_int(st, 3))
				out->remain = -1;
		}
	}
	db_done(st);
	return more < 0 ? GW_EDB : GW_OK;
}

int
billing_topup(struct db *db, int64_t user_id, int64_t quota, const char *remark)
{
	int64_t changed = 0;
	int rc;

	if (db_begin(db) != GW_OK)
		return GW_EDB;
	/* the bound keeps quota a summable integer (SQLite would turn an
	 * overflow into a real) */
	rc = db_exec(db, "UPDATE users SET quota = quota + ? WHERE id = ? AND quota <= ?",
	    DB_ARGS(DB_I(quota), DB_I(user_id), DB_I(QUOTA_MAX - quota)), &changed);
	cache_invalidate(db, CACHE_F(CACHE_USER));	/* at the commit */
	if (rc == GW_OK && changed != 1) {
		int64_t n = 0;
		db_rollback(db);
		if (db_scalar_int(db, &n, "SELECT count(*) FROM users WHERE id = ?",
		    DB_ARGS(DB_I(user_id))) == GW_OK && n > 0)
			return GW_ETOOBIG;	/* the balance would pass QUOTA_MAX */
		return GW_ENOTFOUND;
	}
	if (rc == GW_OK)
		rc = db_exec(db, "INSERT INTO logs (user_id, created_at, type, content, username, quota) "
		    "VALUES (?, ?, ?, ?, COALESCE((SELECT username FROM users WHERE id = ?), ''), ?)",
		    DB_ARGS(DB_I(user_id), DB_I(now_sec()), DB_I(LOGT_TOPUP), DB_S(remark),
		    DB_I(user_id), DB_I(quota)), NULL);
	if (rc != GW_OK) {
		db_rollback(db);
		return GW_EDB;
	}
	return db_commit(db) == GW_OK ? GW_OK : GW_EDB;
}

json_t *
billing_request_cost_json(struct db *db, const char *id, int *rc)
{
	struct db_stmt *st;
	json_t *o;
	int n;

	if (db_query(db, &st, "SELECT id, created_time, user_id, request_id, quota "
	    "FROM user_request_costs WHERE request_id = ?", DB_ARGS(DB_S(id))) != GW_OK) {
		*rc = GW_EDB;
		return NULL;
	}
	n = db_next(st);
	if (n != 1) {
		db_done(st);
		*rc = n == 0 ? GW_ENOTFOUND : GW_EDB;
		return NULL;
	}
	o = json_pack("{s:I, s:I, s:I, s:s, s:I, s:f}",
	    "id", (json_int_t)db_int(st, 0), "created_time", (json_int_t)db_int(st, 1),
	    "user_id", (json_int_t)db_int(st, 2), "request_id", db_text(st, 3),
	    "quota", (json_int_t)db_int(st, 4), "cost_usd", (double)db_int(st, 4) / 500000.0);
	db_done(st);
	*rc = o ? GW_OK : GW_ENOMEM;
	return o;
}
