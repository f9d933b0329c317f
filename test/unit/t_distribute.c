/* test/unit/t_distribute.c: channel selection (tiers, weights, suspension,
 * exclusion, pinned ids), model mapping and the channel health actions */
#include <string.h>
#include "t_core.h"
#include "t_mgmt.h"
#include "arena.h"
#include "cache.h"
#include "channels.h"
#include "distribute.h"

/* A write behind this process's back, as another process sharing the
 * database makes it: seen once the cached rows expire (CACHE_TTL_SEC);
 * here at once. */
static void
outside(struct db *db, const char *sql, const struct db_arg *args, size_t nargs)
{
	ck_assert_int_eq(db_exec(db, sql, args, nargs, NULL), GW_OK);
	cache_bump(CACHE_F_ALL);
}

/* Create one channel serving model "m" for group "default"; its id. */
static int64_t
mk(struct db *db, const char *name, int64_t priority, int64_t weight, int status)
{
	struct channel_in c;
	int64_t id = 0;

	memset(&c, 0, sizeof(c));
	c.type = 1;
	c.key = "sk-upstream-secret-key-0123456789";
	c.name = name;
	c.models = "m,other";
	c.group = "default";
	c.status = status;
	c.has_priority = 1;
	c.priority = priority;
	c.has_weight = 1;
	c.weight = weight;
	c.model_mapping = "{\"m\":\"m-upstream\"}";
	c.system_prompt = "be brief";
	ck_assert_int_eq(channels_create(db, &c, 1700000000, NULL), GW_OK);
	ck_assert_int_eq(db_scalar_int(db, &id, "SELECT MAX(id) FROM channels", DB_NOARGS), GW_OK);
	return id;
}

/* Pick n times; counts[i] gets the picks of ids[i]; other ids fail. */
static void
pick_n(struct db *db, int n, const int64_t *exclude, size_t nex, int skip,
    const int64_t *ids, int *counts, size_t nids)
{
	struct arena a;
	struct channel_pick p;
	size_t j;
	int i;

	arena_init(&a);
	memset(counts, 0, nids * sizeof(*counts));
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(distribute_pick(db, &a, "default", "m", exclude, nex, skip, &p), GW_OK);
		for (j = 0; j < nids; j++)
			if (ids[j] == p.id)
				break;
		ck_assert_msg(j < nids, "picked unexpected channel %lld", (long long)p.id);
		counts[j]++;
		if (i % 64 == 63)
			arena_release(&a);
	}
	arena_release(&a);
}

START_TEST(tiers)
{
	struct db *db = t_mgmt_open();
	int64_t hi1, hi2, mid, lo, ids[4], ex[2];
	int counts[4];
	struct arena a;
	struct channel_pick p;

	ck_assert_ptr_nonnull(db);
	arena_init(&a);
	ck_assert_int_eq(distribute_pick(db, &a, "default", "m", NULL, 0, 0, &p), GW_ENOTFOUND);
	hi1 = mk(db, "hi1", 10, 0, 1);
	hi2 = mk(db, "hi2", 10, 0, 1);
	mid = mk(db, "mid", 5, 0, 1);
	lo = mk(db, "lo", 0, 0, 1);
	ids[0] = hi1, ids[1] = hi2, ids[2] = mid, ids[3] = lo;

	/* only the top tier, both of its channels */
	pick_n(db, 200, NULL, 0, 0, ids, counts, 4);
	ck_assert_int_gt(counts[0], 0);
	ck_assert_int_gt(counts[1], 0);
	ck_assert_int_eq(counts[2] + counts[3], 0);
	/* one tier lower, two lower, and past the end: back to the top */
	pick_n(db, 50, NULL, 0, 1, ids, counts, 4);
	ck_assert_int_eq(counts[2], 50);
	pick_n(db, 50, NULL, 0, 2, ids, counts, 4);
	ck_assert_int_eq(counts[3], 50);
	pick_n(db, 100, NULL, 0, 3, ids, counts, 4);
	ck_assert_int_eq(counts[0] + counts[1], 100);
	pick_n(db, 100, NULL, 0, 99, ids, counts, 4);
	ck_assert_int_eq(counts[0] + counts[1], 100);

	/* exclusion: the top tier without hi1, then with both gone */
	ex[0] = hi1;
	pick_n(db, 50, ex, 1, 0, ids, counts, 4);
	ck_assert_int_eq(counts[1], 50);
	ex[1] = hi2;
	pick_n(db, 50, ex, 2, 0, ids, counts, 4);
	ck_assert_int_eq(counts[2], 50);
	/* with the top tier excluded, skip 1 lands on "lo" */
	pick_n(db, 50, ex, 2, 1, ids, counts, 4);
	ck_assert_int_eq(counts[3], 50);

	/* the pick carries the channel's fields */
	ck_assert_int_eq(distribute_pick(db, &a, "default", "m", ex, 2, 0, &p), GW_OK);
	ck_assert_int_eq(p.id, mid);
	ck_assert_str_eq(p.name, "mid");
	ck_assert_str_eq(p.key, "sk-upstream-secret-key-0123456789");
	ck_assert_str_eq(p.base_url, "");
	ck_assert_str_eq(p.other, "");
	ck_assert_str_eq(p.config, "");
	ck_assert_str_eq(p.system_prompt, "be brief");
	ck_assert_str_eq(p.model_mapping, "{\"m\":\"m-upstream\"}");
	ck_assert_int_eq(p.priority, 5);
	ck_assert_int_eq(p.type, 1);

	/* another group or model, an exact (case-sensitive) model match */
	ck_assert_int_eq(distribute_pick(db, &a, "vip", "m", NULL, 0, 0, &p), GW_ENOTFOUND);
	ck_assert_int_eq(distribute_pick(db, &a, "default", "M", NULL, 0, 0, &p), GW_ENOTFOUND);
	ck_assert_int_eq(distribute_pick(db, &a, "default", "m%", NULL, 0, 0, &p), GW_ENOTFOUND);
	ck_assert_int_eq(distribute_pick(db, &a, "default", "other", NULL, 0, 0, &p), GW_OK);
	arena_release(&a);
	t_mgmt_close(db);
}
END_TEST

START_TEST(weights)
{
	struct db *db = t_mgmt_open();
	int64_t ids[3];
	int counts[3];

	ck_assert_ptr_nonnull(db);
	ids[0] = mk(db, "w1", 0, 1, 1);
	ids[1] = mk(db, "w3", 0, 3, 1);
	pick_n(db, 1000, NULL, 0, 0, ids, counts, 2);
	ck_assert_msg(counts[0] >= 200 && counts[0] <= 300, "weight 1: %d of 1000", counts[0]);
	ck_assert_msg(counts[1] >= 700 && counts[1] <= 800, "weight 3: %d of 1000", counts[1]);

	/* a zero weight never wins against a positive one */
	ids[2] = mk(db, "w0", 0, 0, 1);
	pick_n(db, 300, NULL, 0, 0, ids, counts, 3);
	ck_assert_int_eq(counts[2], 0);

	/* huge weights are clamped to 2^40 each: equal shares */
	outside(db, "UPDATE channels SET weight = ? WHERE id IN (?, ?)",
	    DB_ARGS(DB_I(INT64_MAX), DB_I(ids[0]), DB_I(ids[1])));
	pick_n(db, 1000, NULL, 0, 0, ids, counts, 3);
	ck_assert_msg(counts[0] >= 400 && counts[0] <= 600, "clamped: %d of 1000", counts[0]);
	ck_assert_int_eq(counts[2], 0);
	t_mgmt_close(db);
}
END_TEST

START_TEST(zero_weights_uniform)
{
	struct db *db = t_mgmt_open();
	int64_t ids[3];
	int counts[3], i;

	ck_assert_ptr_nonnull(db);
	ids[0] = mk(db, "a", 0, 0, 1);
	ids[1] = mk(db, "b", 0, 0, 1);
	ids[2] = mk(db, "c", 0, 0, 1);
	/* negative weights count as zero */
	outside(db, "UPDATE channels SET weight = -5 WHERE id = ?",
	    DB_ARGS(DB_I(ids[2])));
	pick_n(db, 1500, NULL, 0, 0, ids, counts, 3);
	for (i = 0; i < 3; i++)
		ck_assert_msg(counts[i] >= 400 && counts[i] <= 600, "uniform: %d of 1500", counts[i]);
	t_mgmt_close(db);
}
END_TEST

START_TEST(disabled_and_suspended)
{
	struct db *db = t_mgmt_open();
	int64_t a1, a2, off, lo, ids[4], n;
	int counts[4];
	struct arena a;
	struct channel_pick p;

	ck_assert_ptr_nonnull(db);
	arena_init(&a);
	a1 = mk(db, "a1", 10, 0, 1);
	a2 = mk(db, "a2", 10, 0, 1);
	off = mk(db, "off", 20, 0, 2);	/* manually disabled, higher priority */
	lo = mk(db, "lo", 0, 0, 1);
	ids[0] = a1, ids[1] = a2, ids[2] = off, ids[3] = lo;
	pick_n(db, 100, NULL, 0, 0, ids, counts, 4);
	ck_assert_int_eq(counts[2] + counts[3], 0);
	ck_assert_int_gt(counts[0], 0);

	/* suspend a1 for (default, m): a2 only; other models unaffected */
	ck_assert_int_eq(channel_suspend(db, "default", "m", a1, 60), GW_OK);
	ck_assert_int_eq(db_scalar_int(db, &n, "SELECT COUNT(*) FROM abilities WHERE channel_id = ? "
	    "AND suspend_until > datetime('now', '+50 seconds') "
	    "AND suspend_until <= datetime('now', '+61 seconds')", DB_ARGS(DB_I(a1))), GW_OK);
	ck_assert_int_eq(n, 1);
	pick_n(db, 50, NULL, 0, 0, ids, counts, 4);
	ck_assert_int_eq(counts[1], 50);
	/* both suspended: the lower tier serves */
	ck_assert_int_eq(channel_suspend(db, "default", "m", a2, 60), GW_OK);
	pick_n(db, 20, NULL, 0, 0, ids, counts, 4);
	ck_assert_int_eq(counts[3], 20);
	ck_assert_int_eq(distribute_pick(db, &a, "default", "other", NULL, 0, 0, &p), GW_OK);
	ck_assert(p.id == a1 || p.id == a2);

	/* a suspension in the past has expired, in our format and GORM's */
	outside(db, "UPDATE abilities SET suspend_until = datetime('now', '-1 seconds') "
	    "WHERE channel_id = ?", DB_ARGS(DB_I(a1)));
	outside(db, "UPDATE abilities SET suspend_until = "
	    "strftime('%Y-%m-%d %H:%M:%f+00:00', 'now', '-2 seconds') WHERE channel_id = ?",
	    DB_ARGS(DB_I(a2)));
	pick_n(db, 100, NULL, 0, 0, ids, counts, 4);
	ck_assert_int_gt(counts[0], 0);
	ck_assert_int_gt(counts[1], 0);
	/* GORM's future format still suspends */
	outside(db, "UPDATE abilities SET suspend_until = "
	    "strftime('%Y-%m-%d %H:%M:%f+00:00', 'now', '+30 seconds') WHERE channel_id = ?",
	    DB_ARGS(DB_I(a2)));
	pick_n(db, 30, NULL, 0, 0, ids, counts, 4);
	ck_assert_int_eq(counts[0], 30);
	/* seconds <= 0 lifts it */
	ck_assert_int_eq(channel_suspend(db, "default", "m", a2, 0), GW_OK);
	pick_n(db, 100, NULL, 0, 0, ids, counts, 4);
	ck_assert_int_gt(counts[1], 0);

	/* a channel disabled by status, abilities still enabled: skipped too */
	outside(db, "UPDATE channels SET status = 2 WHERE id = ?",
	    DB_ARGS(DB_I(a1)));
	pick_n(db, 30, NULL, 0, 0, ids, counts, 4);
	ck_assert_int_eq(counts[1], 30);
	arena_release(&a);
	t_mgmt_close(db);
}
END_TEST

START_TEST(pinned)
{
	struct db *db = t_mgmt_open();
	int64_t on, off, auto_off;
	struct arena a;
	struct channel_pick p;

	ck_assert_ptr_nonnull(db);
	arena_init(&a);
	on = mk(db, "on", 0, 0, 1);
	off = mk(db, "off", 0, 0, 2);
	auto_off = mk(db, "auto", 0, 0, 3);
	ck_assert_int_eq(distribute_get(db, &a, on, &p), GW_OK);
	ck_assert_int_eq(p.id, on);
	ck_assert_str_eq(p.name, "on");
	ck_assert_int_eq(distribute_get(db, &a, off, &p), GW_EFORBIDDEN);
	ck_assert_int_eq(distribute_get(db, &a, auto_off, &p), GW_EFORBIDDEN);
	ck_assert_int_eq(distribute_get(db, &a, 99999, &p), GW_ENOTFOUND);
	/* NULL text columns come back as "" */
	outside(db, "UPDATE channels SET base_url = NULL, model_mapping = NULL, "
	    "system_prompt = NULL, name = NULL WHERE id = ?", DB_ARGS(DB_I(on)));
	ck_assert_int_eq(distribute_get(db, &a, on, &p), GW_OK);
	ck_assert_str_eq(p.base_url, "");
	ck_assert_str_eq(p.model_mapping, "");
	ck_assert_str_eq(p.system_prompt, "");
	ck_assert_str_eq(p.name, "");
	arena_release(&a);
	t_mgmt_close(db);
}
END_TEST

START_TEST(mapping)
{
	struct arena a;
	const char *m = "gpt-4";

	arena_init(&a);
	ck_assert_str_eq(distribute_map_model(&a, "{\"gpt-4\":\"gpt-4o\"}", m), "gpt-4o");
	ck_assert_str_eq(distribute_map_model(&a, " { \"x\" : \"y\", \"gpt-4\" : \"z\" } ", m), "z");
	/* unmapped, empty, "{}", malformed: the model itself (same pointer) */
	ck_assert_ptr_eq(distribute_map_model(&a, "{\"gpt-3\":\"gpt-4o\"}", m), m);
	ck_assert_ptr_eq(distribute_map_model(&a, "", m), m);
	ck_assert_ptr_eq(distribute_map_model(&a, NULL, m), m);
	ck_assert_ptr_eq(distribute_map_model(&a, "{}", m), m);
	ck_assert_ptr_eq(distribute_map_model(&a, "{\"gpt-4\":", m), m);
	ck_assert_ptr_eq(distribute_map_model(&a, "not json", m), m);
	ck_assert_ptr_eq(distribute_map_model(&a, "[\"gpt-4\"]", m), m);
	ck_assert_ptr_eq(distribute_map_model(&a, "\"gpt-4\"", m), m);
	/* a mapped "" or null means unmapped */
	ck_assert_ptr_eq(distribute_map_model(&a, "{\"gpt-4\":\"\"}", m), m);
	ck_assert_ptr_eq(distribute_map_model(&a, "{\"gpt-4\":null}", m), m);
	ck_assert_str_eq(distribute_map_model(&a, "{\"a\":null,\"gpt-4\":\"b\"}", m), "b");
	/* Go's map[string]string: one non-string value voids the whole mapping */
	ck_assert_ptr_eq(distribute_map_model(&a, "{\"gpt-4\":\"b\",\"x\":1}", m), m);
	ck_assert_ptr_eq(distribute_map_model(&a, "{\"gpt-4\":{\"a\":\"b\"}}", m), m);
	/* exact keys; the last duplicate wins */
	ck_assert_ptr_eq(distribute_map_model(&a, "{\"GPT-4\":\"b\"}", m), m);
	ck_assert_str_eq(distribute_map_model(&a, "{\"gpt-4\":\"a\",\"gpt-4\":\"b\"}", m), "b");
	ck_assert_str_eq(distribute_map_model(&a, "{\"\xe6\xa8\xa1\":\"\xe5\x9e\x8b\"}", "\xe6\xa8\xa1"),
	    "\xe5\x9e\x8b");
	arena_release(&a);
}
END_TEST

START_TEST(should_disable)
{
	ck_assert_int_eq(channel_should_disable(401, NULL, NULL, NULL), 1);
	ck_assert_int_eq(channel_should_disable(401, "whatever", "x", "fine"), 1);
	ck_assert_int_eq(channel_should_disable(200, NULL, NULL, NULL), 0);
	ck_assert_int_eq(channel_should_disable(500, "server_error", NULL, "The server had an error"), 0);
	ck_assert_int_eq(channel_should_disable(429, "rate_limit_error", "rate_limit_exceeded",
	    "Rate limit reached for requests"), 0);
	ck_assert_int_eq(channel_should_disable(400, "invalid_request_error", NULL,
	    "Invalid 'messages': empty array"), 0);
	ck_assert_int_eq(channel_should_disable(403, "forbidden", NULL, NULL), 1);
	ck_assert_int_eq(channel_should_disable(429, "insufficient_quota", NULL, NULL), 1);
	ck_assert_int_eq(channel_should_disable(400, "authentication_error", NULL, NULL), 1);
	ck_assert_int_eq(channel_should_disable(403, "permission_error", NULL, NULL), 1);
	ck_assert_int_eq(channel_should_disable(400, NULL, "invalid_api_key", NULL), 1);
	ck_assert_int_eq(channel_should_disable(400, NULL, "account_deactivated", NULL), 1);
	ck_assert_int_eq(channel_should_disable(400, "Forbidden", "Invalid_Api_Key", NULL), 0);
	ck_assert_int_eq(channel_should_disable(403, NULL, NULL,
	    "Your access was terminated due to violation of our policies"), 1);
	ck_assert_int_eq(channel_should_disable(400, NULL, NULL, "Your CREDIT balance is too low"), 1);
	ck_assert_int_eq(channel_should_disable(400, NULL, NULL, "Organization has been disabled."), 1);
	ck_assert_int_eq(channel_should_disable(400, NULL, NULL, "organization has been restricted"), 1);
	ck_assert_int_eq(channel_should_disable(400, NULL, NULL, "API key not valid. Please pass"), 1);
	ck_assert_int_eq(channel_should_disable(400, NULL, NULL, "API key expired. Please renew"), 1);
	ck_assert_int_eq(channel_should_disable(400, NULL, NULL, "Permission denied"), 1);
	ck_assert_int_eq(channel_should_disable(402, NULL, NULL, "Insufficient Balance"), 1);
	ck_assert_int_eq(channel_should_disable(400, NULL, NULL, "账户已欠费"), 1);
	ck_assert_int_eq(channel_should_disable(400, NULL, NULL, "model not found"), 0);
	ck_assert_int_eq(channel_should_disable(400, "", "", ""), 0);
}
END_TEST

START_TEST(auto_disable)
{
	struct db *db = t_mgmt_open();
	int64_t c1, c2, n;
	struct arena a;
	struct channel_pick p;
	json_t *rows;
	const char *content;
	char want[64];

	ck_assert_ptr_nonnull(db);
	arena_init(&a);
	c1 = mk(db, "primary", 0, 0, 1);
	c2 = mk(db, "backup", 0, 0, 1);
	ck_assert_int_eq(channel_auto_disable(db, c1, "primary",
	    "Incorrect API key provided: sk-upstream-secret-key-0123456789.\nbye (key ...key-0123456789)"), GW_OK);
	ck_assert_int_eq(db_scalar_int(db, &n, "SELECT status FROM channels WHERE id = ?",
	    DB_ARGS(DB_I(c1))), GW_OK);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(db_scalar_int(db, &n, "SELECT COUNT(*) FROM abilities WHERE channel_id = ? "
	    "AND enabled = 1", DB_ARGS(DB_I(c1))), GW_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(db_scalar_int(db, &n, "SELECT COUNT(*) FROM abilities WHERE channel_id = ? "
	    "AND enabled = 1", DB_ARGS(DB_I(c2))), GW_OK);
	ck_assert_int_eq(n, 2);
	/* every pick is now the other channel */
	for (n = 0; n < 30; n++) {
		ck_assert_int_eq(distribute_pick(db, &a, "default", "m", NULL, 0, 0, &p), GW_OK);
		ck_assert_int_eq(p.id, c2);
	}
	/* one system log row naming the channel and reason, without the key */
	rows = db_rows_json(db, "SELECT content, user_id FROM logs WHERE type = 4", DB_NOARGS);
	ck_assert_ptr_nonnull(rows);
	ck_assert_int_eq((int)json_array_size(rows), 1);
	content = json_string_value(json_object_get(json_array_get(rows, 0), "content"));
	ck_assert_ptr_nonnull(strstr(content, "primary"));
	snprintf(want, sizeof(want), "（#%lld）", (long long)c1);
	ck_assert_ptr_nonnull(strstr(content, want));
	ck_assert_ptr_nonnull(strstr(content, "Incorrect API key provided: ***. bye"));
	ck_assert_ptr_null(strstr(content, "secret"));
	ck_assert_ptr_null(strstr(content, "0123456789"));	/* a piece of it either */
	ck_assert_ptr_nonnull(strstr(content, "(key ..."));
	json_decref(rows);

	/* again, or on a manually disabled channel: no change, no second log */
	ck_assert_int_eq(channel_auto_disable(db, c1, "primary", "again"), GW_OK);
	ck_assert_int_eq(channel_set_status(db, c2, 2), GW_OK);
	ck_assert_int_eq(channel_auto_disable(db, c2, "backup", "quota"), GW_OK);
	ck_assert_int_eq(db_scalar_int(db, &n, "SELECT status FROM channels WHERE id = ?",
	    DB_ARGS(DB_I(c2))), GW_OK);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(db_scalar_int(db, &n, "SELECT COUNT(*) FROM logs WHERE type = 4",
	    DB_NOARGS), GW_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(distribute_pick(db, &a, "default", "m", NULL, 0, 0, &p), GW_ENOTFOUND);
	/* a missing channel is no error */
	ck_assert_int_eq(channel_auto_disable(db, 424242, "ghost", NULL), GW_OK);
	arena_release(&a);
	t_mgmt_close(db);
}
END_TEST

/* The candidate lists and channel rows come from the process's cache:
 * writes through this process are seen by the next pick, others after the
 * TTL. */
START_TEST(cached_lists)
{
	struct db *db = t_mgmt_open();
	int64_t a1, a2, ids[2];
	int counts[2];
	struct arena a;
	struct channel_pick p;
	struct channel_in up;

	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(cache_enabled(), 1);
	arena_init(&a);
	a1 = mk(db, "a1", 0, 0, 1);
	a2 = mk(db, "a2", 0, 0, 1);
	ids[0] = a1, ids[1] = a2;
	pick_n(db, 100, NULL, 0, 0, ids, counts, 2);
	ck_assert_int_gt(counts[0], 0);
	/* behind the cache's back: still picked, with the old key */
	ck_assert_int_eq(db_exec(db, "UPDATE channels SET status = 2, `key` = 'sk-new' WHERE id = ?",
	    DB_ARGS(DB_I(a1)), NULL), GW_OK);
	pick_n(db, 100, NULL, 0, 0, ids, counts, 2);
	ck_assert_int_gt(counts[0], 0);
	ck_assert_int_eq(distribute_get(db, &a, a1, &p), GW_OK);
	ck_assert_str_eq(p.key, "sk-upstream-secret-key-0123456789");
	/* through channels.c: the next pick sees the new state */
	ck_assert_int_eq(channel_set_status(db, a1, 1), GW_OK);
	ck_assert_int_eq(distribute_get(db, &a, a1, &p), GW_OK);
	ck_assert_str_eq(p.key, "sk-new");
	memset(&up, 0, sizeof(up));
	up.id = a1;
	up.key = "sk-newer";
	up.model_mapping = "";
	ck_assert_int_eq(channel_update(db, &up), GW_OK);
	ck_assert_int_eq(distribute_pick(db, &a, "default", "m", &a2, 1, 0, &p), GW_OK);
	ck_assert_str_eq(p.key, "sk-newer");
	ck_assert_str_eq(p.model_mapping, "");
	ck_assert_int_eq(channel_set_status(db, a1, 2), GW_OK);
	pick_n(db, 50, NULL, 0, 0, ids, counts, 2);
	ck_assert_int_eq(counts[1], 50);
	ck_assert_int_eq(distribute_get(db, &a, a1, &p), GW_EFORBIDDEN);
	ck_assert_int_eq(channel_set_status(db, a1, 1), GW_OK);
	/* a suspension by this process: at once; and it ends by the clock */
	ck_assert_int_eq(channel_suspend(db, "default", "m", a2, 1), GW_OK);
	pick_n(db, 50, NULL, 0, 0, ids, counts, 2);
	ck_assert_int_eq(counts[0], 50);
	usleep(2100000);
	pick_n(db, 100, NULL, 0, 0, ids, counts, 2);
	ck_assert_int_gt(counts[1], 0);
	/* an automatic disable: at once */
	ck_assert_int_eq(channel_auto_disable(db, a2, "a2", "bad key"), GW_OK);
	pick_n(db, 50, NULL, 0, 0, ids, counts, 2);
	ck_assert_int_eq(counts[0], 50);
	/* a new channel: at once; no channel at all is cached as well */
	ck_assert_int_eq(distribute_pick(db, &a, "default", "nothing", NULL, 0, 0, &p), GW_ENOTFOUND);
	ck_assert_int_eq(distribute_pick(db, &a, "default", "nothing", NULL, 0, 0, &p), GW_ENOTFOUND);
	ck_assert_int_eq(channel_delete(db, a1, NULL), GW_OK);
	ck_assert_int_eq(distribute_pick(db, &a, "default", "m", NULL, 0, 0, &p), GW_ENOTFOUND);
	ids[0] = mk(db, "a3", 0, 0, 1);
	pick_n(db, 10, NULL, 0, 0, ids, counts, 1);
	ck_assert_int_eq(counts[0], 10);
	arena_release(&a);
	t_mgmt_close(db);
}
END_TEST

/* Issue 10: with every candidate suspended, the soonest-ending one serves */
START_TEST(all_suspended_soonest)
{
	struct db *db = t_mgmt_open();
	int64_t a1, a2, ids[2];
	int counts[2];
	struct arena a;
	struct channel_pick p;

	ck_assert_ptr_nonnull(db);
	arena_init(&a);
	a1 = mk(db, "s1", 0, 0, 1);
	ids[0] = a1;
	/* one channel, one timeout: it is still tried, not refused for 30 s */
	ck_assert_int_eq(channel_suspend(db, "default", "m", a1, 30), GW_OK);
	ck_assert_int_eq(distribute_pick(db, &a, "default", "m", NULL, 0, 0, &p), GW_OK);
	ck_assert_int_eq(p.id, a1);
	/* but a retry that already tried it finds nobody */
	ck_assert_int_eq(distribute_pick(db, &a, "default", "m", &a1, 1, 0, &p), GW_ENOTFOUND);
	/* two suspended: the one whose suspension ends first, every time */
	a2 = mk(db, "s2", 0, 0, 1);
	ids[1] = a2;
	ck_assert_int_eq(channel_suspend(db, "default", "m", a1, 300), GW_OK);
	ck_assert_int_eq(channel_suspend(db, "default", "m", a2, 20), GW_OK);
	pick_n(db, 30, NULL, 0, 0, ids, counts, 2);
	ck_assert_int_eq(counts[1], 30);
	/* a live channel still wins over any suspended one */
	ck_assert_int_eq(channel_suspend(db, "default", "m", a1, 0), GW_OK);
	pick_n(db, 30, NULL, 0, 0, ids, counts, 2);
	ck_assert_int_eq(counts[0], 30);
	arena_release(&a);
	t_mgmt_close(db);
}
END_TEST

static Suite *
distribute_suite(void)
{
	Suite *s = suite_create("distribute");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, tiers);
	tcase_add_test(tc, weights);
	tcase_add_test(tc, zero_weights_uniform);
	tcase_add_test(tc, disabled_and_suspended);
	tcase_add_test(tc, all_suspended_soonest);
	tcase_add_test(tc, pinned);
	tcase_add_test(tc, mapping);
	tcase_add_test(tc, should_disable);
	tcase_add_test(tc, auto_disable);
	tcase_add_test(tc, cached_lists);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(distribute_suite)
