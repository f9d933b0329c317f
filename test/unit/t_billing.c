/* test/unit/t_billing.c: prices, the quota formula, pre-consumption under
 * concurrency, refund and settlement (fcgi/billing.c against One API's rules) */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "t_core.h"
#include "t_mgmt.h"
#include "billing.h"
#include "options.h"

static struct db *
open_store(void)
{
	struct db *db = t_mgmt_open();

	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(options_load(db), GW_OK);
	return db;
}

static int64_t
scalar(struct db *db, const char *sql, int64_t id)
{
	int64_t n = -1;

	ck_assert_int_eq(db_scalar_int(db, &n, sql, DB_ARGS(DB_I(id))), GW_OK);
	return n;
}

/* A user with quota and a token with remain (unlimited when remain < 0). */
static void
seed(struct db *db, int64_t uid, int64_t quota, int64_t tid, int64_t remain, struct relay_token *t)
{
	ck_assert_int_eq(db_exec(db, "INSERT INTO users (id, username, password, quota, `group`) "
	    "VALUES (?, ?, 'x', ?, 'default')",
	    DB_ARGS(DB_I(uid), DB_S(uid == 1 ? "alice" : uid == 2 ? "bob" : "carol"), DB_I(quota)),
	    NULL), GW_OK);
	ck_assert_int_eq(db_exec(db, "INSERT INTO tokens (id, user_id, `key`, name, remain_quota, "
	    "unlimited_quota, used_quota) VALUES (?, ?, ?, 'tok', ?, ?, 0)",
	    DB_ARGS(DB_I(tid), DB_I(uid), DB_I(tid * 1000), DB_I(remain < 0 ? 0 : remain),
	    DB_I(remain < 0 ? 1 : 0)), NULL), GW_OK);
	memset(t, 0, sizeof(*t));
	t->id = tid;
	t->user_id = uid;
	t->name = "tok";
	t->unlimited = remain < 0;
	t->remain_quota = remain < 0 ? 0 : remain;
	t->username = uid == 1 ? "alice" : uid == 2 ? "bob" : "carol";
	t->group = "default";
	t->user_quota = quota;
}

#define CK_REAL(a, b) ck_assert_msg(fabs((a) - (b)) < 1e-9, "%s = %.12g, want %.12g", #a, (double)(a), (double)(b))

START_TEST(default_prices)
{
	struct db *db = open_store();
	struct price p;

	billing_price("gpt-3.5-turbo", 1, "default", &p);
	CK_REAL(p.model_ratio, 0.25);
	CK_REAL(p.completion_ratio, 3);
	CK_REAL(p.group_ratio, 1);
	CK_REAL(p.cached_ratio, 0);
	/* cached input: the CachedInputRatio defaults, snapshot dates ignored */
	billing_price("gpt-4o-mini", 1, "default", &p);
	CK_REAL(p.cached_ratio, 0.5);
	billing_price("gpt-4o-mini-2024-07-18", 1, "default", &p);
	CK_REAL(p.cached_ratio, 0.5);
	billing_price("gpt-4.1-2025-04-14", 1, "default", &p);
	CK_REAL(p.cached_ratio, 0.25);
	billing_price("gpt-3.5-turbo-1106", 1, "default", &p);
	CK_REAL(p.cached_ratio, 0);
	CK_REAL(p.model_ratio, 0.5);
	CK_REAL(p.completion_ratio, 2);
	billing_price("gpt-3.5-turbo-16k", 1, "default", &p);
	CK_REAL(p.completion_ratio, 4.0 / 3.0);
	billing_price("gpt-4", 1, "default", &p);
	CK_REAL(p.model_ratio, 15);
	CK_REAL(p.completion_ratio, 2);
	billing_price("gpt-4o", 1, "default", &p);
	CK_REAL(p.model_ratio, 2.5);
	CK_REAL(p.completion_ratio, 4);
	billing_price("gpt-4o-2024-05-13", 1, "default", &p);
	CK_REAL(p.completion_ratio, 3);
	billing_price("gpt-4-turbo", 1, "default", &p);
	CK_REAL(p.model_ratio, 5);
	CK_REAL(p.completion_ratio, 3);
	billing_price("gpt-4-1106-preview", 1, "default", &p);
	CK_REAL(p.completion_ratio, 3);
	billing_price("o1-mini", 1, "default", &p);
	CK_REAL(p.model_ratio, 1.5);
	CK_REAL(p.completion_ratio, 4);
	billing_price("o3-mini", 1, "default", &p);
	CK_REAL(p.model_ratio, 1.5);
	CK_REAL(p.completion_ratio, 1);
	billing_price("claude-3-haiku-20240307", 14, "default", &p);
	CK_REAL(p.model_ratio, 0.125);
	CK_REAL(p.completion_ratio, 5);
	billing_price("claude-2.1", 14, "default", &p);
	CK_REAL(p.model_ratio, 4);
	CK_REAL(p.completion_ratio, 3);
	billing_price("deepseek-chat", 36, "default", &p);
	CK_REAL(p.model_ratio, 0.07);
	CK_REAL(p.completion_ratio, 2);
	billing_price("deepseek-reasoner", 36, "default", &p);
	CK_REAL(p.completion_ratio, 2.19 / 0.55);
	billing_price("gemini-1.5-flash", 24, "default", &p);
	CK_REAL(p.model_ratio, 0.0375);
	CK_REAL(p.completion_ratio, 3);
	billing_price("whisper-1", 1, "default", &p);
	CK_REAL(p.model_ratio, 15);
	CK_REAL(p.completion_ratio, 0);
	billing_price("command-r-plus", 1, "default", &p);
	CK_REAL(p.completion_ratio, 5);
	billing_price("meta/llama-2-70b-chat", 1, "default", &p);
	CK_REAL(p.completion_ratio, 2.75 / 0.65);
	/* Go's integer constant RMB = 500 / 7 = 71 */
	billing_price("glm-4", 16, "default", &p);
	CK_REAL(p.model_ratio, 7.1);
	/* "name(channelType)" first: AWS llama3 has its own price */
	billing_price("llama3-8b-8192", 33, "default", &p);
	CK_REAL(p.model_ratio, 0.15);
	CK_REAL(p.completion_ratio, 2);
	billing_price("llama3-8b-8192", 29, "default", &p);
	CK_REAL(p.model_ratio, 0.000025);
	billing_price("llama3-70b-8192", 29, "default", &p);
	CK_REAL(p.completion_ratio, 0.79 / 0.59);
	/* -internet priced as the base model (qwen-*, command-*) */
	billing_price("qwen-turbo-internet", 17, "default", &p);
	CK_REAL(p.model_ratio, 0.0003 * 71);
	billing_price("command-r-internet", 1, "default", &p);
	CK_REAL(p.model_ratio, 0.25);
	/* unknown: 30, completion 1 */
	billing_price("no-such-model", 1, "default", &p);
	CK_REAL(p.model_ratio, 30);
	CK_REAL(p.completion_ratio, 1);
	billing_price(NULL, 1, NULL, &p);
	CK_REAL(p.model_ratio, 30);
	CK_REAL(p.group_ratio, 1);
	t_mgmt_close(db);
}
END_TEST

START_TEST(option_precedence)
{
	struct db *db = open_store();
	const char *why;
	struct price p;

	ck_assert_int_eq(option_set(db, "ModelRatio",
	    "{\"gpt-4\":1,\"gpt-4(3)\":2,\"llama3-8b-8192\":7,\"my-model\":0.5}", &why), GW_OK);
	ck_assert_int_eq(option_set(db, "CompletionRatio", "{\"gpt-4\":9,\"my-model(8)\":6}", &why), GW_OK);
	ck_assert_int_eq(option_set(db, "GroupRatio", "{\"default\":1,\"vip\":2.5}", &why), GW_OK);
	billing_price("gpt-4", 3, "vip", &p);
	CK_REAL(p.model_ratio, 2);
	CK_REAL(p.completion_ratio, 9);
	CK_REAL(p.group_ratio, 2.5);
	billing_price("gpt-4", 1, "svip", &p);	/* svip no longer in GroupRatio */
	CK_REAL(p.model_ratio, 1);
	CK_REAL(p.group_ratio, 1);
	/* a keyed default beats the option's plain name */
	billing_price("llama3-8b-8192", 33, "default", &p);
	CK_REAL(p.model_ratio, 0.15);
	billing_price("llama3-8b-8192", 1, "default", &p);
	CK_REAL(p.model_ratio, 7);
	/* defaults stay behind a stored table that lacks a name */
	billing_price("gpt-3.5-turbo", 1, "default", &p);
	CK_REAL(p.model_ratio, 0.25);
	billing_price("deepseek-chat", 1, "default", &p);
	CK_REAL(p.completion_ratio, 2);
	billing_price("my-model", 8, "default", &p);
	CK_REAL(p.model_ratio, 0.5);
	CK_REAL(p.completion_ratio, 6);
	billing_price("my-model", 1, "default", &p);
	CK_REAL(p.completion_ratio, 1);
	/* the pre-consumed buffer option */
	p.model_ratio = 1;
	p.group_ratio = 1;
	ck_assert_int_eq(option_set(db, "PreConsumedQuota", "100", &why), GW_OK);
	ck_assert_int_eq(billing_pre_amount(&p, 10, 0), 110);
	t_mgmt_close(db);
}
END_TEST

START_TEST(formula)
{
	struct db *db = open_store();
	struct price p = { 0.25, 3, 1, 0 };
	struct usage u = { 100, 50, 0, 0, 0 };

	/* (100 + 50 * 3) * 0.25 = 62.5 -> 63 */
	ck_assert_int_eq(billing_quota(&p, &u), 63);
	p.group_ratio = 2;
	ck_assert_int_eq(billing_quota(&p, &u), 125);
	/* at least 1 when priced and tokens were used */
	p = (struct price){ 0.000025, 1, 1, 0 };
	u = (struct usage){ 1, 0, 0, 0, 0 };
	ck_assert_int_eq(billing_quota(&p, &u), 1);
	/* nothing used: nothing charged */
	u = (struct usage){ 0, 0, 0, 0, 0 };
	ck_assert_int_eq(billing_quota(&p, &u), 0);
	/* a free model stays free */
	p = (struct price){ 0, 1, 1, 0 };
	u = (struct usage){ 1000, 1000, 0, 0, 0 };
	ck_assert_int_eq(billing_quota(&p, &u), 0);
	/* One API's negative ratio (openrouter/auto) still charges 1 */
	p = (struct price){ -500000, 1, 1, 0 };
	ck_assert_int_eq(billing_quota(&p, &u), 1);
	/* cached tokens: priced with cached_ratio when it is set */
	p = (struct price){ 1, 2, 1, 0.5 };
	u = (struct usage){ 100, 10, 40, 0, 0 };
	ck_assert_int_eq(billing_quota(&p, &u), 60 + 20 + 20);
	p.cached_ratio = 0;
	ck_assert_int_eq(billing_quota(&p, &u), 120);
	p.cached_ratio = 0.5;
	u.cached = 500;	/* more than the prompt: capped */
	ck_assert_int_eq(billing_quota(&p, &u), 50 + 20);
	/* pre-consumption: (500 + prompt + max_tokens) * ratio, truncated */
	p = (struct price){ 0.25, 3, 1, 0 };
	ck_assert_int_eq(billing_pre_amount(&p, 100, 200), 200);
	ck_assert_int_eq(billing_pre_amount(&p, 100, 0), 150);
	p.model_ratio = 0.3;
	ck_assert_int_eq(billing_pre_amount(&p, 1, 0), 150);	/* 150.3 */
	p.model_ratio = -1;
	ck_assert_int_eq(billing_pre_amount(&p, 1, 0), 0);
	/* estimate: bytes * 0.38, at least 1 */
	ck_assert_int_eq(billing_estimate_tokens("", 0), 0);
	ck_assert_int_eq(billing_estimate_tokens("a", 1), 1);
	ck_assert_int_eq(billing_estimate_tokens("0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789012345678901234567890123456789", 180), 68);
	t_mgmt_close(db);
}
END_TEST

START_TEST(preconsume_refund)
{
	struct db *db = open_store();
	struct relay_token t, u;
	const char *why;

	seed(db, 1, 1000, 10, 300, &t);
	ck_assert_int_eq(billing_preconsume(db, &t, 0, &why), GW_OK);
	ck_assert_int_eq(billing_preconsume(db, &t, 200, &why), GW_OK);
	ck_assert_int_eq(scalar(db, "SELECT remain_quota FROM tokens WHERE id = ?", 10), 100);
	ck_assert_int_eq(scalar(db, "SELECT used_quota FROM tokens WHERE id = ?", 10), 200);
	ck_assert_int_eq(scalar(db, "SELECT quota FROM users WHERE id = ?", 1), 800);
	/* the token is short: nothing moves */
	ck_assert_int_eq(billing_preconsume(db, &t, 101, &why), GW_EFORBIDDEN);
	ck_assert_str_eq(why, "令牌额度不足");
	ck_assert_int_eq(scalar(db, "SELECT remain_quota FROM tokens WHERE id = ?", 10), 100);
	ck_assert_int_eq(scalar(db, "SELECT quota FROM users WHERE id = ?", 1), 800);
	ck_assert_int_eq(billing_preconsume(db, &t, -1, &why), GW_EINPUT);
	/* refund */
	ck_assert_int_eq(billing_refund(db, &t, 200), GW_OK);
	ck_assert_int_eq(billing_refund(db, &t, 0), GW_OK);
	ck_assert_int_eq(scalar(db, "SELECT remain_quota FROM tokens WHERE id = ?", 10), 300);
	ck_assert_int_eq(scalar(db, "SELECT used_quota FROM tokens WHERE id = ?", 10), 0);
	ck_assert_int_eq(scalar(db, "SELECT quota FROM users WHERE id = ?", 1), 1000);
	/* unlimited token: only the user pays; the user is short -> refused, and
	 * the token row is untouched either way */
	seed(db, 2, 500, 20, -1, &u);
	ck_assert_int_eq(billing_preconsume(db, &u, 400, &why), GW_OK);
	ck_assert_int_eq(scalar(db, "SELECT quota FROM users WHERE id = ?", 2), 100);
	ck_assert_int_eq(scalar(db, "SELECT used_quota FROM tokens WHERE id = ?", 20), 0);
	ck_assert_int_eq(billing_preconsume(db, &u, 101, &why), GW_EFORBIDDEN);
	ck_assert_str_eq(why, "用户额度不足");
	ck_assert_int_eq(scalar(db, "SELECT quota FROM users WHERE id = ?", 2), 100);
	ck_assert_int_eq(billing_refund(db, &u, 400), GW_OK);
	ck_assert_int_eq(scalar(db, "SELECT quota FROM users WHERE id = ?", 2), 500);
	ck_assert_int_eq(scalar(db, "SELECT remain_quota FROM tokens WHERE id = ?", 20), 0);
	/* a limited token with room but a user without: token untouched too */
	ck_assert_int_eq(db_exec(db, "UPDATE users SET quota = 50 WHERE id = 1", DB_NOARGS, NULL), GW_OK);
	ck_assert_int_eq(billing_preconsume(db, &t, 100, &why), GW_EFORBIDDEN);
	ck_assert_str_eq(why, "用户额度不足");
	ck_assert_int_eq(scalar(db, "SELECT remain_quota FROM tokens WHERE id = ?", 10), 300);
	ck_assert_int_eq(scalar(db, "SELECT used_quota FROM tokens WHERE id = ?", 10), 0);
	t_mgmt_close(db);
}
END_TEST

/* Concurrency: threads race to hold quota; each has its own connection. */
#define NTHREADS 8
#define ATTEMPTS 60
#define HOLD 100

struct racer {
	const struct relay_token *t;
	int ok, refused, failed;
	int refund_half;	/* give every second successful hold back */
};

static void *
race(void *arg)
{
	struct racer *x = arg;
	struct db *db = NULL;
	const char *why;
	int i, rc;

	if (db_open(&db) != GW_OK) {
		x->failed = ATTEMPTS;
		return NULL;
	}
	for (i = 0; i < ATTEMPTS; i++) {
		rc = billing_preconsume(db, x->t, HOLD, &why);
		if (rc == GW_OK) {
			x->ok++;
			if (x->refund_half && x->ok % 2 == 0 && billing_refund(db, x->t, HOLD) != GW_OK)
				x->failed++;
		} else if (rc == GW_EFORBIDDEN)
			x->refused++;
		else
			x->failed++;
	}
	db_close(db);
	return NULL;
}

static int
run_race(const struct relay_token *t, int refund_half, int *refunded)
{
	pthread_t th[NTHREADS];
	struct racer x[NTHREADS];
	int i, ok = 0;

	*refunded = 0;
	for (i = 0; i < NTHREADS; i++) {
		memset(&x[i], 0, sizeof(x[i]));
		x[i].t = t;
		x[i].refund_half = refund_half;
		ck_assert_int_eq(pthread_create(&th[i], NULL, race, &x[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(x[i].failed, 0);
		ck_assert_int_eq(x[i].ok + x[i].refused, ATTEMPTS);
		ok += x[i].ok;
		*refunded += refund_half ? x[i].ok / 2 : 0;
	}
	return ok;
}

START_TEST(preconsume_race)
{
	struct db *db = open_store();
	struct relay_token t, u;
	int ok, refunded;

	/* the token covers 50 holds; the user far more */
	seed(db, 1, 1000000, 10, 50 * HOLD, &t);
	ok = run_race(&t, 0, &refunded);
	ck_assert_int_eq(ok, 50);
	ck_assert_int_eq(scalar(db, "SELECT remain_quota FROM tokens WHERE id = ?", 10), 0);
	ck_assert_int_eq(scalar(db, "SELECT used_quota FROM tokens WHERE id = ?", 10), 50 * HOLD);
	ck_assert_int_eq(scalar(db, "SELECT quota FROM users WHERE id = ?", 1), 1000000 - 50 * HOLD);
	/* the user covers 50 holds behind an unlimited token, with refunds mixed in */
	seed(db, 2, 50 * HOLD, 20, -1, &u);
	ok = run_race(&u, 1, &refunded);
	ck_assert_int_ge(ok, 50);
	ck_assert_int_eq(ok - refunded, 50);
	ck_assert_int_eq(scalar(db, "SELECT quota FROM users WHERE id = ?", 2), 0);
	ck_assert_int_eq(scalar(db, "SELECT used_quota FROM tokens WHERE id = ?", 20), 0);
	t_mgmt_close(db);
}
END_TEST

START_TEST(settle)
{
	struct db *db = open_store();
	struct relay_token t;
	struct settle s;
	int64_t q = -1;
	const char *why;
	json_t *rows, *row;

	seed(db, 1, 10000, 10, 1000, &t);
	ck_assert_int_eq(db_exec(db, "INSERT INTO channels (id, type, name, used_quota) "
	    "VALUES (7, 1, 'c', 5)", DB_NOARGS, NULL), GW_OK);
	ck_assert_int_eq(billing_preconsume(db, &t, 200, &why), GW_OK);
	memset(&s, 0, sizeof(s));
	s.token = &t;
	s.channel_id = 7;
	s.channel_type = 1;
	s.model = "gpt-3.5-turbo";
	s.request_id = "2025010112000012345678987654321";
	s.is_stream = 1;
	s.elapsed_ms = 1234;
	s.pre = 200;
	s.usage = (struct usage){ 100, 50, 0, 0, 0 };
	billing_price("gpt-3.5-turbo", 1, "default", &s.price);
	ck_assert_int_eq(billing_settle(db, &s, &q), GW_OK);
	ck_assert_int_eq(q, 63);
	ck_assert_int_eq(scalar(db, "SELECT remain_quota FROM tokens WHERE id = ?", 10), 1000 - 63);
	ck_assert_int_eq(scalar(db, "SELECT used_quota FROM tokens WHERE id = ?", 10), 63);
	ck_assert_int_eq(scalar(db, "SELECT quota FROM users WHERE id = ?", 1), 10000 - 63);
	ck_assert_int_eq(scalar(db, "SELECT used_quota FROM users WHERE id = ?", 1), 63);
	ck_assert_int_eq(scalar(db, "SELECT request_count FROM users WHERE id = ?", 1), 1);
	ck_assert_int_eq(scalar(db, "SELECT used_quota FROM channels WHERE id = ?", 7), 5 + 63);
	ck_assert_int_gt(scalar(db, "SELECT accessed_time FROM tokens WHERE id = ?", 10), 0);
	rows = db_rows_json(db, "SELECT * FROM logs WHERE user_id = 1", DB_NOARGS);
	ck_assert_ptr_nonnull(rows);
	ck_assert_int_eq((int)json_array_size(rows), 1);
	row = json_array_get(rows, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(row, "type")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(row, "content")), "倍率：0.25 × 1.00 × 3.00");
	ck_assert_str_eq(json_string_value(json_object_get(row, "username")), "alice");
	ck_assert_str_eq(json_string_value(json_object_get(row, "token_name")), "tok");
	ck_assert_str_eq(json_string_value(json_object_get(row, "model_name")), "gpt-3.5-turbo");
	ck_assert_str_eq(json_string_value(json_object_get(row, "request_id")), s.request_id);
	ck_assert_int_eq(json_integer_value(json_object_get(row, "quota")), 63);
	ck_assert_int_eq(json_integer_value(json_object_get(row, "prompt_tokens")), 100);
	ck_assert_int_eq(json_integer_value(json_object_get(row, "completion_tokens")), 50);
	ck_assert_int_eq(json_integer_value(json_object_get(row, "channel_id")), 7);
	ck_assert_int_eq(json_integer_value(json_object_get(row, "elapsed_time")), 1234);
	ck_assert(json_is_true(json_object_get(row, "is_stream")));
	ck_assert(json_is_false(json_object_get(row, "system_prompt_reset")));
	json_decref(rows);
	ck_assert_int_eq(db_scalar_int(db, &q, "SELECT quota FROM user_request_costs WHERE request_id = ?",
	    DB_ARGS(DB_S(s.request_id))), GW_OK);
	ck_assert_int_eq(q, 63);

	/* an overrun with nothing held takes what is left, never below zero */
	s.pre = 0;
	s.request_id = "r2";
	s.usage = (struct usage){ 10000, 0, 0, 0, 0 };
	s.price = (struct price){ 1, 1, 1, 0 };
	ck_assert_int_eq(billing_settle(db, &s, &q), GW_OK);
	ck_assert_int_eq(q, 10000);
	ck_assert_int_eq(scalar(db, "SELECT remain_quota FROM tokens WHERE id = ?", 10), 0);
	ck_assert_int_eq(scalar(db, "SELECT used_quota FROM tokens WHERE id = ?", 10), 10063);
	ck_assert_int_eq(scalar(db, "SELECT quota FROM users WHERE id = ?", 1), 0);
	ck_assert_int_eq(scalar(db, "SELECT used_quota FROM users WHERE id = ?", 1), 10063);
	ck_assert_int_eq(scalar(db, "SELECT request_count FROM users WHERE id = ?", 1), 2);

	/* LogConsumeEnabled = false: no log row, the rest still settles */
	ck_assert_int_eq(option_set(db, "LogConsumeEnabled", "false", &why), GW_OK);
	ck_assert_int_eq(db_exec(db, "UPDATE users SET quota = 1000 WHERE id = 1", DB_NOARGS, NULL), GW_OK);
	s.request_id = "r3";
	s.pre = 0;
	s.usage = (struct usage){ 0, 0, 0, 0, 0 };	/* nothing used: free */
	ck_assert_int_eq(billing_settle(db, &s, &q), GW_OK);
	ck_assert_int_eq(q, 0);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM logs WHERE user_id = ?", 1), 2);
	ck_assert_int_eq(scalar(db, "SELECT quota FROM users WHERE id = ?", 1), 1000);
	ck_assert_int_eq(scalar(db, "SELECT request_count FROM users WHERE id = ?", 1), 3);
	ck_assert_int_eq(scalar(db, "SELECT COUNT(*) FROM user_request_costs WHERE user_id = ?", 1), 3);

	/* a refund through settlement: held 500, used 20 */
	ck_assert_int_eq(db_exec(db, "UPDATE tokens SET remain_quota = 1000 WHERE id = 10",
	    DB_NOARGS, NULL), GW_OK);
	ck_assert_int_eq(billing_preconsume(db, &t, 500, &why), GW_OK);
	s.request_id = "r4";
	s.pre = 500;
	s.usage = (struct usage){ 20, 0, 0, 0, 0 };
	ck_assert_int_eq(billing_settle(db, &s, &q), GW_OK);
	ck_assert_int_eq(q, 20);
	ck_assert_int_eq(scalar(db, "SELECT remain_quota FROM tokens WHERE id = ?", 10), 980);
	ck_assert_int_eq(scalar(db, "SELECT quota FROM users WHERE id = ?", 1), 980);
	t_mgmt_close(db);
}
END_TEST

/* The plan of settle_batched: token (by seed id), pre, quota, channel. */
static const struct {
	int64_t tid, pre, quota, channel;
} plan[] = {
	{ 10, 0, 100, 7 }, { 20, 0, 30, 7 }, { 10, 500, 20, 8 }, { 30, 0, 5, 7 },
	{ 20, 0, 40, 8 }, { 11, 10, 10, 7 }, { 10, 0, 30, 0 }, { 30, 0, 0, 8 },
	{ 20, 100, 10, 7 },
};

/* Seed the store of settle_batched; tokens 10, 11 (user 1), 20 (user 2,
 * will overrun), 30 (user 3, unlimited). */
static void
seed_batch(struct db *db, struct relay_token *t)
{
	static const char *const sql[] = {
		"DELETE FROM users", "DELETE FROM tokens", "DELETE FROM channels", "DELETE FROM logs",
		"DELETE FROM user_request_costs",
		"INSERT INTO channels (id, type, name, used_quota) VALUES (7, 1, 'c7', 0), (8, 1, 'c8', 1)",
		"INSERT INTO tokens (id, user_id, `key`, name, remain_quota, unlimited_quota, used_quota, "
		"accessed_time) VALUES (11, 1, 'k11', 'tok11', 100, 0, 0, 0)",
	};
	size_t i;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]) - 1; i++)
		ck_assert_int_eq(db_exec(db, sql[i], DB_NOARGS, NULL), GW_OK);
	seed(db, 1, 10000, 10, 1000, &t[0]);
	seed(db, 2, 40, 20, 50, &t[2]);
	seed(db, 3, 1000, 30, -1, &t[3]);
	ck_assert_int_eq(db_exec(db, sql[i], DB_NOARGS, NULL), GW_OK);
	t[1] = t[0];
	t[1].id = 11;
}

/* Every balance, counter and log total the plan touches. */
static void
snapshot(struct db *db, int64_t out[17])
{
	static const char *const sql[] = {
		"SELECT remain_quota FROM tokens WHERE id = 10", "SELECT used_quota FROM tokens WHERE id = 10",
		"SELECT remain_quota FROM tokens WHERE id = 11", "SELECT used_quota FROM tokens WHERE id = 11",
		"SELECT remain_quota FROM tokens WHERE id = 20", "SELECT used_quota FROM tokens WHERE id = 20",
		"SELECT used_quota FROM tokens WHERE id = 30",
		"SELECT quota * 1000000 + used_quota * 100 + request_count FROM users WHERE id = 1",
		"SELECT quota * 1000000 + used_quota * 100 + request_count FROM users WHERE id = 2",
		"SELECT quota * 1000000 + used_quota * 100 + request_count FROM users WHERE id = 3",
		"SELECT used_quota FROM channels WHERE id = 7", "SELECT used_quota FROM channels WHERE id = 8",
		"SELECT COUNT(*) FROM logs WHERE type = 2", "SELECT SUM(quota) FROM logs WHERE type = 2",
		"SELECT COUNT(*) FROM user_request_costs", "SELECT SUM(quota) FROM user_request_costs",
		"SELECT accessed_time > 0 FROM tokens WHERE id = 11",
	};
	size_t i;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++)
		ck_assert_int_eq(db_scalar_int(db, &out[i], sql[i], DB_NOARGS), GW_OK);
}

/* The writer thread's batches end where settlements one by one end:
 * summed moves where they all go one way, replayed ones where they mix,
 * overruns clamped alike, counters and rows the same. */
START_TEST(settle_batched)
{
	struct db *db = open_store();
	struct relay_token t[4];
	struct settle s;
	char rid[32];
	int64_t one[17], batched[17];
	size_t i, k;
	int round;

	for (round = 0; round < 2; round++) {
		seed_batch(db, t);
		if (round == 1)
			ck_assert_int_eq(billing_queue_start(), GW_OK);
		for (i = 0; i < sizeof(plan) / sizeof(plan[0]); i++) {
			k = plan[i].tid == 10 ? 0 : plan[i].tid == 11 ? 1 : plan[i].tid == 20 ? 2 : 3;
			memset(&s, 0, sizeof(s));
			snprintf(rid, sizeof(rid), "req-%zu", i);
			s.token = &t[k];
			s.channel_id = plan[i].channel;
			s.channel_type = 1;
			s.model = "m";
			s.request_id = rid;
			s.pre = plan[i].pre;
			s.usage = (struct usage){ plan[i].quota, 0, 0, 0, 0 };
			s.price = (struct price){ 1, 1, 1, 0 };
			if (round == 0)
				ck_assert_int_eq(billing_settle(db, &s, NULL), GW_OK);
			else
				ck_assert_int_eq(billing_settle_later(db, &s), GW_OK);
		}
		if (round == 1) {
			billing_queue_flush();
			billing_queue_stop();
		}
		snapshot(db, round == 0 ? one : batched);
	}
	for (i = 0; i < 17; i++)
		ck_assert_msg(one[i] == batched[i], "value %zu: one by one %lld, batched %lld", i,
		    (long long)one[i], (long long)batched[i]);
	/* and what that is: token 10 +100 -480 +30 from 1000; token 20 (and
	 * user 2) overran to 0 before 90 came back: a summed move would say 70 */
	ck_assert_int_eq(one[0], 1350);
	ck_assert_int_eq(one[4], 90);
	ck_assert_int_eq(one[5], -20);
	ck_assert_int_eq(one[8], 90 * 1000000 + 80 * 100 + 3);
	ck_assert_int_eq(one[12], 9);
	t_mgmt_close(db);
}
END_TEST

/* Issue 10: client and upstream numbers that would overflow int64 */
START_TEST(overflow_bounds)
{
	struct db *db = open_store();
	struct relay_token t;
	struct settle s;
	struct price p = { 15, 4, 1, 0 };
	struct usage u = { INT64_MAX, INT64_MAX, 0, 0, 0 };
	int64_t q = -1, n = -1;
	const char *why;

	/* max_tokens 9e18: a hold no balance covers, not a wrapped one */
	ck_assert_int_eq(billing_pre_amount(&p, 10, INT64_C(9000000000000000000)), QUOTA_MAX);
	ck_assert_int_eq(billing_pre_amount(&p, INT64_MAX, INT64_MAX), QUOTA_MAX);
	/* 100 x the hold (One API's "rich user" test) cannot wrap either */
	ck_assert_int_gt(100 * billing_pre_amount(&p, INT64_MAX, INT64_MAX), 0);
	ck_assert_int_eq(billing_usage_sane(&u), 0);
	ck_assert_int_eq(billing_quota(&p, &u), 0);
	u = (struct usage){ BILLING_TOKENS_MAX, BILLING_TOKENS_MAX, 0, 0, 0 };
	ck_assert_int_eq(billing_usage_sane(&u), 1);
	p.model_ratio = 1e12;	/* an absurd price still gives a summable quota */
	ck_assert_int_eq(billing_quota(&p, &u), QUOTA_MAX);

	/* an upstream reporting 2^63 tokens: charged the hold, logged as 0 */
	seed(db, 1, 100000, 10, 50000, &t);
	ck_assert_int_eq(billing_preconsume(db, &t, 300, &why), GW_OK);
	memset(&s, 0, sizeof(s));
	s.token = &t;
	s.model = "gpt-4o";
	s.request_id = "absurd-usage";
	s.pre = 300;
	s.usage = (struct usage){ INT64_MAX, INT64_MAX, INT64_MIN, -1, 0 };
	billing_price("gpt-4o", 1, "default", &s.price);
	ck_assert_int_eq(billing_settle(db, &s, &q), GW_OK);
	ck_assert_int_eq(q, 300);
	ck_assert_int_eq(scalar(db, "SELECT quota FROM users WHERE id = ?", 1), 100000 - 300);
	ck_assert_int_eq(scalar(db, "SELECT used_quota FROM users WHERE id = ?", 1), 300);
	ck_assert_int_eq(db_scalar_int(db, &n, "SELECT count(*) FROM users WHERE typeof(used_quota) != "
	    "'integer' OR typeof(quota) != 'integer'", DB_NOARGS), GW_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(db_scalar_int(db, &n, "SELECT prompt_tokens + completion_tokens FROM logs "
	    "WHERE request_id = 'absurd-usage'", DB_NOARGS), GW_OK);
	ck_assert_int_eq(n, 0);
	/* statistics still add up */
	ck_assert_int_eq(db_scalar_int(db, &n, "SELECT SUM(quota) FROM logs", DB_NOARGS), GW_OK);
	ck_assert_int_eq(n, 300);
	t_mgmt_close(db);
}
END_TEST

/* Issue 10: a hold of the worst case is never overrun, and the affordable
 * budget is the most the balance pays */
START_TEST(worst_case_holds)
{
	struct price prices[] = { { 1, 1, 1, 0 }, { 2.5, 4, 1, 0 }, { 0.075, 3, 1.5, 0 },
	    { 15, 5, 0.3, 0 } };
	struct usage u = { 0 };
	int64_t balances[] = { 0, 1, 999, 150000, 1600000, 123456789 };
	int64_t prompt, max, pr, c, n, w;
	size_t i, j;

	for (i = 0; i < sizeof(prices) / sizeof(prices[0]); i++) {
		const struct price *p = &prices[i];

		/* every usage inside the budget costs at most the worst case */
		for (prompt = 0; prompt <= 300; prompt += 37)
			for (max = 0; max <= 500; max += 53) {
				w = billing_worst_case(p, prompt, max);
				for (pr = 0; pr <= prompt; pr += 11)
					for (c = 0; c <= max; c += 7) {
						u.prompt = pr;
						u.completion = c;
						ck_assert_int_le(billing_quota(p, &u), w);
					}
			}
		/* the budget is paid, and one token more is not */
		for (j = 0; j < sizeof(balances) / sizeof(balances[0]); j++) {
			n = billing_affordable_tokens(p, 100, balances[j]);
			ck_assert_int_ge(n, 0);
			if (n > 0)
				ck_assert_int_le(billing_worst_case(p, 100, n), balances[j]);
			if (n < BILLING_TOKENS_MAX)
				ck_assert_int_gt(billing_worst_case(p, 100, n + 1), balances[j]);
		}
	}
	/* garbage never fits a balance; a free model has no bound */
	ck_assert_int_eq(billing_worst_case(&prices[0], 10, INT64_MAX), QUOTA_MAX);
	ck_assert_int_eq(billing_worst_case(&prices[0], INT64_MAX, 10), QUOTA_MAX);
	prices[0].model_ratio = 0;
	ck_assert_int_eq(billing_affordable_tokens(&prices[0], 100, 0), BILLING_TOKENS_MAX);
	/* the case: 1.6 M quota, 150 k per answer at ratio 1, 100-token prompts */
	prices[0].model_ratio = 1;
	ck_assert_int_eq(billing_affordable_tokens(&prices[0], 100, 1600000), 1599900);
	ck_assert_int_eq(billing_worst_case(&prices[0], 100, 149900), 150000);
}
END_TEST

static Suite *
billing_suite(void)
{
	Suite *s = suite_create("billing");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, default_prices);
	tcase_add_test(tc, option_precedence);
	tcase_add_test(tc, formula);
	tcase_add_test(tc, preconsume_refund);
	tcase_add_test(tc, preconsume_race);
	tcase_add_test(tc, settle);
	tcase_add_test(tc, overflow_bounds);
	tcase_add_test(tc, worst_case_holds);
	tcase_add_test(tc, settle_batched);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(billing_suite)
