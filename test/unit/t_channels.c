/* test/unit/t_channels.c: channel key splitting and the abilities kept in step with channels */
#include <string.h>
#include "t_core.h"
#include "t_mgmt.h"
#include "channels.h"

static int64_t
count(struct db *db, const char *sql, int64_t id)
{
	int64_t n = -1;

	ck_assert_int_eq(db_scalar_int(db, &n, sql, DB_ARGS(DB_I(id))), GW_OK);
	return n;
}

START_TEST(key_splitting)
{
	const char *p = "sk-a\nsk-b\r\n\n   \n  sk-c  \n", *k;
	size_t len;

	k = channel_next_key(&p, &len);
	ck_assert_int_eq((int)len, 4);
	ck_assert_int_eq(strncmp(k, "sk-a", len), 0);
	k = channel_next_key(&p, &len);
	ck_assert_int_eq(strncmp(k, "sk-b", len), 0);
	ck_assert_int_eq((int)len, 4);
	k = channel_next_key(&p, &len);
	ck_assert_int_eq(strncmp(k, "sk-c", len), 0);
	ck_assert_int_eq((int)len, 4);
	ck_assert_ptr_null(channel_next_key(&p, &len));
	p = "";
	ck_assert_ptr_null(channel_next_key(&p, &len));
	p = "\n \r\n";
	ck_assert_ptr_null(channel_next_key(&p, &len));
	p = "single";
	k = channel_next_key(&p, &len);
	ck_assert_int_eq(strncmp(k, "single", len), 0);
	ck_assert_ptr_null(channel_next_key(&p, &len));
}
END_TEST

START_TEST(abilities_follow_channels)
{
	struct db *db = t_mgmt_open();
	struct channel_in c;
	int64_t n, id1, id2, deleted;
	json_t *j;
	int created, rc;

	ck_assert_ptr_nonnull(db);
	memset(&c, 0, sizeof(c));
	c.type = 1;
	c.key = "sk-one\nsk-two\n";
	c.name = "ch'); DELETE FROM channels; --";
	c.models = " gpt-4 , gpt-3.5-turbo,gpt-4,, ";
	c.group = "default, vip";
	c.has_priority = 1;
	c.priority = 5;
	ck_assert_int_eq(channels_create(db, &c, 1700000000, &created), GW_OK);
	ck_assert_int_eq(created, 2);
	ck_assert_int_eq(count(db, "SELECT COUNT(*) FROM channels WHERE id > ?", 0), 2);
	ck_assert_int_eq(db_scalar_int(db, &id1, "SELECT MIN(id) FROM channels", DB_NOARGS), GW_OK);
	ck_assert_int_eq(db_scalar_int(db, &id2, "SELECT MAX(id) FROM channels", DB_NOARGS), GW_OK);
	/* 2 distinct models x 2 groups per channel, enabled, priority copied */
	ck_assert_int_eq(count(db, "SELECT COUNT(*) FROM abilities WHERE channel_id = ?", id1), 4);
	ck_assert_int_eq(count(db, "SELECT COUNT(*) FROM abilities WHERE channel_id = ?", id2), 4);
	ck_assert_int_eq(count(db, "SELECT COUNT(*) FROM abilities WHERE channel_id = ? AND enabled = 1 "
	    "AND priority = 5 AND `group` IN ('default', 'vip') AND model IN ('gpt-4', 'gpt-3.5-turbo')",
	    id1), 4);
	ck_assert_int_eq(count(db, "SELECT COUNT(*) FROM channels WHERE id = ? AND `key` = 'sk-one' "
	    "AND status = 1 AND created_time = 1700000000 AND base_url = '' AND weight = 0", id1), 1);

	/* the key never comes back */
	j = channel_get_json(db, id1, &rc);
	ck_assert_int_eq(rc, GW_OK);
	ck_assert_str_eq(json_string_value(json_object_get(j, "key")), "");
	ck_assert_str_eq(json_string_value(json_object_get(j, "name")), "ch'); DELETE FROM channels; --");
	ck_assert_str_eq(json_string_value(json_object_get(j, "group")), "default, vip");
	ck_assert(json_is_integer(json_object_get(j, "balance")));
	json_decref(j);
	j = channel_list_json(db, 0, 10);
	ck_assert_int_eq(json_array_size(j), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(j, 0), "id")), id2);
	json_decref(j);
	j = channel_search_json(db, "ch'");
	ck_assert_int_eq(json_array_size(j), 2);
	json_decref(j);

	/* update: models changed, abilities rebuilt; absent fields kept */
	memset(&c, 0, sizeof(c));
	c.id = id1;
	c.models = "claude-3-5-sonnet-latest";
	c.key = "";
	ck_assert_int_eq(channel_update(db, &c), GW_OK);
	ck_assert_int_eq(count(db, "SELECT COUNT(*) FROM abilities WHERE channel_id = ?", id1), 2);
	ck_assert_int_eq(count(db, "SELECT COUNT(*) FROM abilities WHERE channel_id = ? "
	    "AND model = 'claude-3-5-sonnet-latest' AND priority = 5", id1), 2);
	ck_assert_int_eq(count(db, "SELECT COUNT(*) FROM channels WHERE id = ? AND `key` = 'sk-one' "
	    "AND type = 1", id1), 1);
	/* status through update: abilities disabled; priority 0 is written (a pointer field) */
	memset(&c, 0, sizeof(c));
	c.id = id1;
	c.status = CHANNEL_STATUS_MANUALLY_DISABLED;
	c.has_priority = 1;
	c.priority = 0;
	ck_assert_int_eq(channel_update(db, &c), GW_OK);
	ck_assert_int_eq(count(db, "SELECT COUNT(*) FROM abilities WHERE channel_id = ? AND enabled = 0 "
	    "AND priority = 0", id1), 2);
	c.id = 999;
	ck_assert_int_eq(channel_update(db, &c), GW_ENOTFOUND);

	j = group_models_json(db, "vip");
	ck_assert_int_eq(json_array_size(j), 2);
	ck_assert_str_eq(json_string_value(json_array_get(j, 0)), "gpt-3.5-turbo");
	ck_assert_str_eq(json_string_value(json_array_get(j, 1)), "gpt-4");
	json_decref(j);

	ck_assert_int_eq(channel_set_status(db, id1, CHANNEL_STATUS_ENABLED), GW_OK);
	ck_assert_int_eq(count(db, "SELECT COUNT(*) FROM abilities WHERE channel_id = ? AND enabled = 1", id1), 2);
	ck_assert_int_eq(channel_set_status(db, id1, CHANNEL_STATUS_AUTO_DISABLED), GW_OK);

	/* delete disabled: channel 1 and its abilities go */
	ck_assert_int_eq(channels_delete_disabled(db, &n), GW_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(count(db, "SELECT COUNT(*) FROM abilities WHERE channel_id = ?", id1), 0);
	ck_assert_int_eq(channel_delete(db, id2, &deleted), GW_OK);
	ck_assert_int_eq(deleted, 1);
	ck_assert_int_eq(count(db, "SELECT COUNT(*) FROM abilities WHERE channel_id >= ?", 0), 0);
	ck_assert_int_eq(channel_delete(db, id2, &deleted), GW_OK);
	ck_assert_int_eq(deleted, 0);

	/* no key at all: nothing written */
	memset(&c, 0, sizeof(c));
	c.key = "\n  \n";
	c.models = "gpt-4";
	ck_assert_int_eq(channels_create(db, &c, 1, &created), GW_EINPUT);
	ck_assert_int_eq(count(db, "SELECT COUNT(*) FROM channels WHERE id >= ?", 0), 0);
	/* defaults: status 0 -> 1, group "" -> default */
	c.key = "k";
	ck_assert_int_eq(channels_create(db, &c, 1, &created), GW_OK);
	ck_assert_int_eq(count(db, "SELECT COUNT(*) FROM abilities WHERE `group` = 'default' AND enabled = ?", 1), 1);
	t_mgmt_close(db);
}
END_TEST

static Suite *
channels_suite(void)
{
	Suite *s = suite_create("channels");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, key_splitting);
	tcase_add_test(tc, abilities_follow_channels);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(channels_suite)
