/* test/unit/t_relay_auth.c: API-key auth of /v1 requests against a temp
 * store, through a fake CGI parameter source, and the subnet matcher */
#include <string.h>
#include "t_core.h"
#include "t_mgmt.h"
#include "http.h"
#include "relay_auth.h"
#include "billing.h"
#include "cache.h"
#include "tokens.h"
#include "users.h"
#include "util.h"

/* A fake request: NULL-terminated name/value pairs of CGI parameters. */
struct fake {
	const char *const *params;
};

static const char *
fake_param(void *ctx, const char *name)
{
	const struct fake *f = ctx;
	size_t i;

	for (i = 0; f->params[i] != NULL; i += 2)
		if (strcmp(f->params[i], name) == 0)
			return f->params[i + 1];
	return NULL;
}

static long
fake_read(void *ctx, char *p, size_t n)
{
	(void)ctx, (void)p, (void)n;
	return 0;
}

static int
fake_write(void *ctx, const char *p, size_t n)
{
	(void)ctx, (void)p, (void)n;
	return 0;
}

static int
fake_flush(void *ctx)
{
	(void)ctx;
	return 0;
}

static size_t
fake_backlog(void *ctx)
{
	(void)ctx;
	return 0;
}

static void
fake_done(void *ctx)
{
	(void)ctx;
}

static const struct io fake_io = { fake_read, fake_write, fake_flush, fake_param, fake_backlog,
    fake_done };

static struct db *db;

/* Users 1 (admin, group vip), 2 (common), 3 (disabled); tokens of each. */
static void
setup(void)
{
	static const char *const sql[] = {
		"INSERT INTO users (id, username, password, role, status, `group`, quota) "
		"VALUES (1, 'admin', 'x', 10, 1, 'vip', 1000)",
		"INSERT INTO users (id, username, password, role, status, `group`, quota) "
		"VALUES (2, 'alice', 'x', 1, 1, 'default', 500)",
		"INSERT INTO users (id, username, password, role, status, `group`, quota) "
		"VALUES (3, 'banned', 'x', 1, 2, 'default', 500)",
		"INSERT INTO tokens (id, user_id, `key`, status, name, expired_time, remain_quota, "
		"unlimited_quota, models, subnet, accessed_time) VALUES "
		"(1, 1, 'adminkey0000000000000000000000000000000000000001', 1, 'adm', -1, 0, 1, NULL, '', 0),"
		"(2, 2, 'alicekey000000000000000000000000000000000000002', 1, 'ali', -1, 100, 0, "
		"'gpt-4,gpt-3.5-turbo', NULL, 0),"
		"(3, 2, 'disabledkey0000000000000000000000000000000003', 2, 'off', -1, 100, 0, NULL, '', 0),"
		"(4, 2, 'expiredstatus00000000000000000000000000000004', 3, 'exp', -1, 100, 0, NULL, '', 0),"
		"(5, 2, 'exhaustedstatus000000000000000000000000000005', 4, 'used up', -1, 100, 0, NULL, '', 0),"
		"(6, 2, 'pastexpiry0000000000000000000000000000000006', 1, 'old', 1000, 100, 0, NULL, '', 0),"
		"(7, 2, 'noquota000000000000000000000000000000000007', 1, 'dry', -1, 0, 0, NULL, '', 0),"
		"(8, 2, 'subnetkey0000000000000000000000000000000008', 1, 'net', -1, 100, 0, NULL, "
		"' 10.0.0.0/8 , 2001:db8::/32', 0),"
		"(9, 3, 'bannedkey0000000000000000000000000000000009', 1, 'ban', -1, 100, 0, NULL, '', 0),"
		"(10, 99, 'orphankey000000000000000000000000000000010', 1, 'orphan', -1, 100, 0, NULL, '', 0),"
		"(11, 2, 'futureexpiry00000000000000000000000000000011', 1, 'fut', 4000000000, 5, 0, NULL, '', 0)",
	};
	size_t i;

	db = t_mgmt_open();
	ck_assert_ptr_nonnull(db);
	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++)
		ck_assert_int_eq(db_exec(db, sql[i], DB_NOARGS, NULL), GW_OK);
}

static void
teardown(void)
{
	t_mgmt_close(db);
	db = NULL;
}

/* Authenticate with the given CGI parameters. On failure checks the status
 * and that the OpenAI-shaped message starts with want; returns the code. */
static int
auth(const char *const *params, struct relay_token *t, int want_status, const char *want)
{
	struct fake f = { params };
	struct req r;
	json_t *j, *e;
	const char *msg;
	int rc;

	req_init(&r, NULL, &fake_io, &f);
	r.db = db;
	rc = relay_auth(&r, t);
	if (rc == GW_OK) {
		ck_assert_int_eq(r.resp.status, 200);
		ck_assert_int_eq((int)buf_len(&r.resp.body), 0);
		/* keep the strings past the request: copy what tests read */
		t->name = t->name ? strdup(t->name) : NULL;
		t->group = t->group ? strdup(t->group) : NULL;
		t->username = t->username ? strdup(t->username) : NULL;
		t->models = t->models ? strdup(t->models) : NULL;
	} else {
		ck_assert_int_eq(r.resp.status, want_status);
		j = json_loads(buf_cstr(&r.resp.body), 0, NULL);
		ck_assert_ptr_nonnull(j);
		e = json_object_get(j, "error");
		ck_assert_str_eq(json_string_value(json_object_get(e, "type")), "one_api_error");
		msg = json_string_value(json_object_get(e, "message"));
		ck_assert_ptr_nonnull(msg);
		ck_assert_msg(strncmp(msg, want, strlen(want)) == 0, "message %s, want %s", msg, want);
		ck_assert_ptr_nonnull(strstr(msg, " (request id: "));
		ck_assert_ptr_nonnull(strstr(msg, r.id));
		json_decref(j);
		memset(t, 0, sizeof(*t));
	}
	req_release(&r);
	return rc;
}

static void
tfree(struct relay_token *t)
{
	free((void *)t->name);
	free((void *)t->group);
	free((void *)t->username);
	free((void *)t->models);
	memset(t, 0, sizeof(*t));
}

static int64_t
token_status(int64_t id)
{
	int64_t s = -1;

	ck_assert_int_eq(db_scalar_int(db, &s, "SELECT status FROM tokens WHERE id = ?",
	    DB_ARGS(DB_I(id))), GW_OK);
	return s;
}

#define P(...) ((const char *const[]){ __VA_ARGS__, NULL })

START_TEST(valid_keys)
{
	struct relay_token t;
	int64_t at;

	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION",
	    "Bearer sk-alicekey000000000000000000000000000000000000002", "REMOTE_ADDR", "1.2.3.4"),
	    &t, 0, NULL), GW_OK);
	ck_assert_int_eq(t.id, 2);
	ck_assert_int_eq(t.user_id, 2);
	ck_assert_str_eq(t.name, "ali");
	ck_assert_int_eq(t.unlimited, 0);
	ck_assert_int_eq(t.remain_quota, 100);
	ck_assert_str_eq(t.models, "gpt-4,gpt-3.5-turbo");
	ck_assert_int_eq(t.specific_channel, 0);
	ck_assert_str_eq(t.username, "alice");
	ck_assert_int_eq(t.role, 1);
	ck_assert_str_eq(t.group, "default");
	ck_assert_int_eq(t.user_quota, 500);
	tfree(&t);
	/* accessed_time moved to now */
	ck_assert_int_eq(db_scalar_int(db, &at, "SELECT accessed_time FROM tokens WHERE id = 2",
	    DB_NOARGS), GW_OK);
	ck_assert_int_ge(at, now_sec() - 5);

	/* "bearer" in any case, no "sk-", surrounding blanks */
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION",
	    "  bEaReR   alicekey000000000000000000000000000000000000002  "), &t, 0, NULL), GW_OK);
	ck_assert_int_eq(t.id, 2);
	tfree(&t);
	/* x-api-key, then api-key; Authorization wins when present */
	ck_assert_int_eq(auth(P("HTTP_X_API_KEY", "sk-alicekey000000000000000000000000000000000000002"),
	    &t, 0, NULL), GW_OK);
	ck_assert_int_eq(t.id, 2);
	tfree(&t);
	ck_assert_int_eq(auth(P("HTTP_API_KEY", "alicekey000000000000000000000000000000000000002"),
	    &t, 0, NULL), GW_OK);
	ck_assert_int_eq(t.id, 2);
	tfree(&t);
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-adminkey0000000000000000000000000000000000000001",
	    "HTTP_X_API_KEY", "sk-alicekey000000000000000000000000000000000000002"), &t, 0, NULL), GW_OK);
	ck_assert_int_eq(t.id, 1);
	ck_assert_int_eq(t.unlimited, 1);
	ck_assert_int_eq(t.role, 10);
	ck_assert_str_eq(t.group, "vip");
	ck_assert_ptr_null(t.models);
	tfree(&t);
	/* an empty Authorization falls through to x-api-key */
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "", "HTTP_X_API_KEY",
	    "alicekey000000000000000000000000000000000000002"), &t, 0, NULL), GW_OK);
	tfree(&t);
	/* a future expiry and some quota left */
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-futureexpiry00000000000000000000000000000011"),
	    &t, 0, NULL), GW_OK);
	tfree(&t);
}
END_TEST

START_TEST(refused_keys)
{
	struct relay_token t;

	ck_assert_int_eq(auth(P("REMOTE_ADDR", "1.2.3.4"), &t, 401, "未提供令牌"), GW_EAUTH);
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-"), &t, 401, "未提供令牌"), GW_EAUTH);
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-nosuchkey"), &t, 401, "无效的令牌"),
	    GW_EAUTH);
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-' OR 1=1 --"), &t, 401, "无效的令牌"),
	    GW_EAUTH);
	/* the key of another header does not rescue a bad Authorization */
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-nosuchkey", "HTTP_X_API_KEY",
	    "alicekey000000000000000000000000000000000000002"), &t, 401, "无效的令牌"), GW_EAUTH);

	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-disabledkey0000000000000000000000000000000003"),
	    &t, 401, "该令牌状态不可用"), GW_EAUTH);
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-expiredstatus00000000000000000000000000000004"),
	    &t, 401, "该令牌已过期"), GW_EAUTH);
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-exhaustedstatus000000000000000000000000000005"),
	    &t, 401, "令牌 used up（#5）额度已用尽"), GW_EAUTH);

	/* expired by time: marked 3; no quota: marked 4 */
	ck_assert_int_eq(token_status(6), 1);
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-pastexpiry0000000000000000000000000000000006"),
	    &t, 401, "该令牌已过期"), GW_EAUTH);
	ck_assert_int_eq(token_status(6), 3);
	ck_assert_int_eq(token_status(7), 1);
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-noquota000000000000000000000000000000000007"),
	    &t, 401, "该令牌额度已用尽"), GW_EAUTH);
	ck_assert_int_eq(token_status(7), 4);
	/* and the next time by status */
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-noquota000000000000000000000000000000000007"),
	    &t, 401, "令牌 dry（#7）额度已用尽"), GW_EAUTH);

	/* owner disabled, owner missing */
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-bannedkey0000000000000000000000000000000009"),
	    &t, 403, "用户已被封禁"), GW_EFORBIDDEN);
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-orphankey000000000000000000000000000000010"),
	    &t, 403, "用户已被封禁"), GW_EFORBIDDEN);
}
END_TEST

START_TEST(subnets)
{
	struct relay_token t;

	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-subnetkey0000000000000000000000000000000008",
	    "REMOTE_ADDR", "10.1.2.3"), &t, 0, NULL), GW_OK);
	tfree(&t);
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-subnetkey0000000000000000000000000000000008",
	    "REMOTE_ADDR", "2001:db8:1::5"), &t, 0, NULL), GW_OK);
	tfree(&t);
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-subnetkey0000000000000000000000000000000008",
	    "REMOTE_ADDR", "11.1.2.3"), &t, 403,
	    "该令牌只能在指定网段使用： 10.0.0.0/8 , 2001:db8::/32，当前 ip：11.1.2.3"), GW_EFORBIDDEN);
	/* no client address at all */
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-subnetkey0000000000000000000000000000000008"),
	    &t, 403, "该令牌只能在指定网段使用"), GW_EFORBIDDEN);
	/* X-Forwarded-For is not the client address */
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-subnetkey0000000000000000000000000000000008",
	    "REMOTE_ADDR", "192.168.0.1", "HTTP_X_FORWARDED_FOR", "10.0.0.1"), &t, 403,
	    "该令牌只能在指定网段使用"), GW_EFORBIDDEN);
	/* a NULL subnet (token 2) allows everything */
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-alicekey000000000000000000000000000000000000002",
	    "REMOTE_ADDR", "8.8.8.8"), &t, 0, NULL), GW_OK);
	tfree(&t);
}
END_TEST

START_TEST(channel_suffix)
{
	struct relay_token t;

	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-adminkey0000000000000000000000000000000000000001-7"),
	    &t, 0, NULL), GW_OK);
	ck_assert_int_eq(t.specific_channel, 7);
	tfree(&t);
	/* parts[1] only */
	ck_assert_int_eq(auth(P("HTTP_X_API_KEY", "adminkey0000000000000000000000000000000000000001-12-5"),
	    &t, 0, NULL), GW_OK);
	ck_assert_int_eq(t.specific_channel, 12);
	tfree(&t);
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-adminkey0000000000000000000000000000000000000001-x"),
	    &t, 400, "无效的渠道 Id"), GW_EINPUT);
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-adminkey0000000000000000000000000000000000000001-"),
	    &t, 400, "无效的渠道 Id"), GW_EINPUT);
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-alicekey000000000000000000000000000000000000002-7"),
	    &t, 403, "普通用户不支持指定渠道"), GW_EFORBIDDEN);
	/* the key is checked before the suffix */
	ck_assert_int_eq(auth(P("HTTP_AUTHORIZATION", "Bearer sk-nosuchkey-7"), &t, 401, "无效的令牌"),
	    GW_EAUTH);
}
END_TEST

/* Rows come from the process's cache: a change behind its back (another
 * process) waits for the TTL, a write through this process is seen at
 * once, and a refusal is only decided on rows read again. */
START_TEST(cached_rows)
{
	static const char alice_key[] = "alicekey000000000000000000000000000000000000002";
	const char *const *alice = P("HTTP_AUTHORIZATION", "Bearer sk-alicekey000000000000000000000000000000000000002");
	struct token_fields tf = { "ali2", 1, -1, 80, 0, "gpt-4", NULL };
	struct user uf;
	struct relay_token t;
	const char *why;

	ck_assert_int_eq(cache_enabled(), 1);
	ck_assert_int_eq(auth(alice, &t, 0, NULL), GW_OK);
	ck_assert_int_eq(t.remain_quota, 100);
	tfree(&t);
	/* behind the cache's back: the cached rows are served */
	ck_assert_int_eq(db_exec(db, "UPDATE tokens SET name = 'renamed', remain_quota = 90 WHERE id = 2",
	    DB_NOARGS, NULL), GW_OK);
	ck_assert_int_eq(db_exec(db, "UPDATE users SET status = 2 WHERE id = 2", DB_NOARGS, NULL), GW_OK);
	ck_assert_int_eq(auth(alice, &t, 0, NULL), GW_OK);
	ck_assert_str_eq(t.name, "ali");
	ck_assert_int_eq(t.remain_quota, 100);
	tfree(&t);
	/* through tokens.c and users.c: seen by the next request */
	ck_assert_int_eq(token_update(db, 2, 2, &tf), GW_OK);
	ck_assert_int_eq(auth(alice, &t, 0, NULL), GW_OK);
	ck_assert_str_eq(t.name, "ali2");
	ck_assert_int_eq(t.remain_quota, 80);
	ck_assert_str_eq(t.models, "gpt-4");
	tfree(&t);
	memset(&uf, 0, sizeof(uf));
	uf.quota = 700;
	ck_assert_int_eq(users_update(db, 2, &uf), GW_OK);
	ck_assert_int_eq(auth(alice, &t, 403, "用户已被封禁"), GW_EFORBIDDEN);
	uf.status = 1;
	ck_assert_int_eq(users_update(db, 2, &uf), GW_OK);
	ck_assert_int_eq(auth(alice, &t, 0, NULL), GW_OK);
	ck_assert_int_eq(t.user_quota, 700);
	tfree(&t);

	/* quota this process holds moves the cached balances along */
	t.key = alice_key;
	t.id = 2;
	t.user_id = 2;
	ck_assert_int_eq(billing_preconsume(db, &t, 30, &why), GW_OK);
	ck_assert_int_eq(auth(alice, &t, 0, NULL), GW_OK);
	ck_assert_int_eq(t.remain_quota, 50);
	ck_assert_int_eq(t.user_quota, 670);
	tfree(&t);
	/* a cached balance of zero is read again before refusing: the token
	 * is neither refused nor marked exhausted (another process topped it up) */
	t.key = alice_key;
	t.id = 2;
	t.user_id = 2;
	relay_auth_quota_moved(&t, 50);
	ck_assert_int_eq(auth(alice, &t, 0, NULL), GW_OK);
	ck_assert_int_eq(t.remain_quota, 50);
	ck_assert_int_eq(token_status(2), 1);
	tfree(&t);
	/* the same for a cached user quota of zero */
	t.key = alice_key;
	t.id = 2;
	t.user_id = 2;
	t.unlimited = 1;
	relay_auth_quota_moved(&t, 670);
	ck_assert_int_eq(auth(alice, &t, 0, NULL), GW_OK);
	ck_assert_int_eq(t.user_quota, 670);
	tfree(&t);
	/* a refused hold forgets the cached rows: the next request reads them */
	ck_assert_int_eq(db_exec(db, "UPDATE tokens SET remain_quota = 10 WHERE id = 2", DB_NOARGS, NULL),
	    GW_OK);
	t.key = alice_key;
	t.id = 2;
	t.user_id = 2;
	ck_assert_int_eq(billing_preconsume(db, &t, 20, &why), GW_EFORBIDDEN);
	ck_assert_int_eq(auth(alice, &t, 0, NULL), GW_OK);
	ck_assert_int_eq(t.remain_quota, 10);
	tfree(&t);
	/* marked expired on fresh rows only, and forgotten */
	ck_assert_int_eq(db_exec(db, "UPDATE tokens SET expired_time = 1000 WHERE id = 2", DB_NOARGS, NULL),
	    GW_OK);
	ck_assert_int_eq(auth(alice, &t, 0, NULL), GW_OK);	/* cached: not yet seen */
	tfree(&t);
	cache_bump(CACHE_F(CACHE_TOKEN));	/* the TTL, in short */
	ck_assert_int_eq(auth(alice, &t, 401, "该令牌已过期"), GW_EAUTH);
	ck_assert_int_eq(token_status(2), 3);
	ck_assert_int_eq(auth(alice, &t, 401, "该令牌已过期"), GW_EAUTH);
}
END_TEST

/* CACHE_TTL_SEC=0: every request reads the database. */
START_TEST(no_cache)
{
	const char *const *alice = P("HTTP_AUTHORIZATION", "Bearer sk-alicekey000000000000000000000000000000000000002");
	struct relay_token t;

	((struct cfg *)cfg)->cache_ttl_sec = 0;
	ck_assert_int_eq(cache_enabled(), 0);
	ck_assert_int_eq(auth(alice, &t, 0, NULL), GW_OK);
	tfree(&t);
	ck_assert_int_eq(db_exec(db, "UPDATE tokens SET name = 'renamed' WHERE id = 2", DB_NOARGS, NULL),
	    GW_OK);
	ck_assert_int_eq(auth(alice, &t, 0, NULL), GW_OK);
	ck_assert_str_eq(t.name, "renamed");
	tfree(&t);
}
END_TEST

START_TEST(model_allow_list)
{
	struct relay_token t;
	struct fake f = { P("REMOTE_ADDR", "1.2.3.4") };
	struct req r;

	memset(&t, 0, sizeof(t));
	req_init(&r, NULL, &fake_io, &f);
	t.models = NULL;
	ck_assert_int_eq(relay_auth_model(&r, &t, "anything"), GW_OK);
	t.models = "";
	ck_assert_int_eq(relay_auth_model(&r, &t, "anything"), GW_OK);
	t.models = "gpt-4,gpt-3.5-turbo";
	ck_assert_int_eq(relay_auth_model(&r, &t, "gpt-4"), GW_OK);
	ck_assert_int_eq(relay_auth_model(&r, &t, "gpt-3.5-turbo"), GW_OK);
	ck_assert_int_eq(relay_auth_model(&r, &t, ""), GW_OK);
	ck_assert_int_eq((int)buf_len(&r.resp.body), 0);
	ck_assert_int_eq(relay_auth_model(&r, &t, "gpt-4o"), GW_EFORBIDDEN);
	ck_assert_int_eq(r.resp.status, 403);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&r.resp.body), "该令牌无权使用模型：gpt-4o"));
	ck_assert_int_eq(relay_auth_model(&r, &t, "gpt"), GW_EFORBIDDEN);
	t.models = "gpt-4, gpt-3.5-turbo";
	ck_assert_int_eq(relay_auth_model(&r, &t, "gpt-3.5-turbo"), GW_EFORBIDDEN);
	req_release(&r);
}
END_TEST

START_TEST(ip_in_subnets)
{
	ck_assert_int_eq(relay_ip_in_subnets("10.1.2.3", "10.0.0.0/8"), 1);
	ck_assert_int_eq(relay_ip_in_subnets("11.1.2.3", "10.0.0.0/8"), 0);
	ck_assert_int_eq(relay_ip_in_subnets("192.168.1.77", "192.168.1.0/24"), 1);
	ck_assert_int_eq(relay_ip_in_subnets("192.168.2.1", "192.168.1.0/24"), 0);
	ck_assert_int_eq(relay_ip_in_subnets("192.168.1.200", "192.168.1.128/25"), 1);
	ck_assert_int_eq(relay_ip_in_subnets("192.168.1.100", "192.168.1.128/25"), 0);
	/* host bits set in the network are masked, as Go does */
	ck_assert_int_eq(relay_ip_in_subnets("10.9.9.9", "10.1.2.3/8"), 1);
	/* /32 and /0 */
	ck_assert_int_eq(relay_ip_in_subnets("1.2.3.4", "1.2.3.4/32"), 1);
	ck_assert_int_eq(relay_ip_in_subnets("1.2.3.5", "1.2.3.4/32"), 0);
	ck_assert_int_eq(relay_ip_in_subnets("8.8.8.8", "0.0.0.0/0"), 1);
	ck_assert_int_eq(relay_ip_in_subnets("2001:db8::1", "0.0.0.0/0"), 0);
	ck_assert_int_eq(relay_ip_in_subnets("2001:db8::1", "::/0"), 1);
	ck_assert_int_eq(relay_ip_in_subnets("8.8.8.8", "::/0"), 0);
	/* IPv6 */
	ck_assert_int_eq(relay_ip_in_subnets("2001:db8:abcd::1", "2001:db8::/32"), 1);
	ck_assert_int_eq(relay_ip_in_subnets("2001:db9::1", "2001:db8::/32"), 0);
	ck_assert_int_eq(relay_ip_in_subnets("::1", "::1/128"), 1);
	ck_assert_int_eq(relay_ip_in_subnets("::2", "::1/128"), 0);
	ck_assert_int_eq(relay_ip_in_subnets("fe80::1:2", "fe80::/10"), 1);
	ck_assert_int_eq(relay_ip_in_subnets("fec0::1", "fe80::/10"), 0);
	ck_assert_int_eq(relay_ip_in_subnets("2001:DB8::1", "2001:db8::/127"), 1);
	/* IPv4-mapped addresses count as IPv4, both ways */
	ck_assert_int_eq(relay_ip_in_subnets("::ffff:10.1.2.3", "10.0.0.0/8"), 1);
	ck_assert_int_eq(relay_ip_in_subnets("10.1.2.3", "::ffff:10.0.0.0/104"), 1);
	ck_assert_int_eq(relay_ip_in_subnets("11.1.2.3", "::ffff:10.0.0.0/104"), 0);
	/* lists, spaces, the first matching entry wins */
	ck_assert_int_eq(relay_ip_in_subnets("172.16.5.4", "10.0.0.0/8, 172.16.0.0/12"), 1);
	ck_assert_int_eq(relay_ip_in_subnets("172.16.5.4", "  10.0.0.0/8 ,\t172.16.0.0/12  "), 1);
	ck_assert_int_eq(relay_ip_in_subnets(" 172.16.5.4 ", "172.16.0.0/12"), 1);
	ck_assert_int_eq(relay_ip_in_subnets("2001:db8::1", "10.0.0.0/8,2001:db8::/32"), 1);
	/* malformed entries never match, but the others still do */
	ck_assert_int_eq(relay_ip_in_subnets("10.1.2.3", "10.0.0.0"), 0);
	ck_assert_int_eq(relay_ip_in_subnets("10.1.2.3", "10.0.0.0/"), 0);
	ck_assert_int_eq(relay_ip_in_subnets("10.1.2.3", "10.0.0.0/33"), 0);
	ck_assert_int_eq(relay_ip_in_subnets("10.1.2.3", "10.0.0.0/-8"), 0);
	ck_assert_int_eq(relay_ip_in_subnets("10.1.2.3", "10.0.0.0/8a"), 0);
	ck_assert_int_eq(relay_ip_in_subnets("10.1.2.3", "10.0.0/8"), 0);
	ck_assert_int_eq(relay_ip_in_subnets("10.1.2.3", "/8"), 0);
	ck_assert_int_eq(relay_ip_in_subnets("10.1.2.3", "010.0.0.0/8"), 0);
	ck_assert_int_eq(relay_ip_in_subnets("10.1.2.3", "10.0.0.0/0008"), 0);
	ck_assert_int_eq(relay_ip_in_subnets("::1", "::1/129"), 0);
	ck_assert_int_eq(relay_ip_in_subnets("10.1.2.3", "garbage, ,,10.0.0.0/8"), 1);
	ck_assert_int_eq(relay_ip_in_subnets("10.1.2.3", ""), 0);
	ck_assert_int_eq(relay_ip_in_subnets("10.1.2.3", ","), 0);
	/* bad client addresses never match */
	ck_assert_int_eq(relay_ip_in_subnets("", "0.0.0.0/0"), 0);
	ck_assert_int_eq(relay_ip_in_subnets("not an ip", "0.0.0.0/0"), 0);
	ck_assert_int_eq(relay_ip_in_subnets("10.1.2", "0.0.0.0/0"), 0);
	ck_assert_int_eq(relay_ip_in_subnets("fe80::1%eth0", "::/0"), 0);
	ck_assert_int_eq(relay_ip_in_subnets("10.1.2.3/8", "0.0.0.0/0"), 0);
	ck_assert_int_eq(relay_ip_in_subnets(NULL, "0.0.0.0/0"), 0);
	ck_assert_int_eq(relay_ip_in_subnets("10.1.2.3", NULL), 0);
}
END_TEST

static Suite *
relay_auth_suite(void)
{
	Suite *s = suite_create("relay_auth");
	TCase *db_tc = tcase_create("db"), *pure = tcase_create("pure");

	tcase_add_checked_fixture(db_tc, setup, teardown);
	tcase_add_test(db_tc, valid_keys);
	tcase_add_test(db_tc, refused_keys);
	tcase_add_test(db_tc, subnets);
	tcase_add_test(db_tc, channel_suffix);
	tcase_add_test(db_tc, cached_rows);
	tcase_add_test(db_tc, no_cache);
	tcase_add_test(pure, model_allow_list);
	tcase_add_test(pure, ip_in_subnets);
	suite_add_tcase(s, db_tc);
	suite_add_tcase(s, pure);
	return s;
}

T_MAIN(relay_auth_suite)
