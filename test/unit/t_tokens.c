/* test/unit/t_tokens.c: token key format, validation and owner-scoped CRUD */
#include <ctype.h>
#include <string.h>
#include "t_core.h"
#include "t_mgmt.h"
#include "tokens.h"

START_TEST(key_format)
{
	static char seen[2000][TOKEN_KEY_LEN + 1];
	int n, i, upper_even = 0, digits_tail = 0;

	for (n = 0; n < 2000; n++) {
		char *k = seen[n];
		ck_assert_int_eq(token_generate_key(k), GW_OK);
		ck_assert_uint_eq(strlen(k), TOKEN_KEY_LEN);
		for (i = 0; i < 16; i++)
			ck_assert(isalnum((unsigned char)k[i]));
		for (i = 16; i < TOKEN_KEY_LEN; i++) {
			char c = k[i];
			int j = i - 16;
			ck_assert_msg(isdigit((unsigned char)c) || (c >= 'a' && c <= 'f') ||
			    (c >= 'A' && c <= 'F'), "non-hex %c in %s", c, k);
			/* letters at even UUID positions are upper case, at odd ones lower */
			if (j % 2 == 0)
				ck_assert_msg(!(c >= 'a' && c <= 'f'), "lower at even %d: %s", j, k);
			else
				ck_assert_msg(!(c >= 'A' && c <= 'F'), "upper at odd %d: %s", j, k);
			if (j % 2 == 0 && c >= 'A' && c <= 'F')
				upper_even++;
			if (isdigit((unsigned char)c))
				digits_tail++;
		}
		/* the UUID is version 4: its 13th hex digit is '4' */
		ck_assert_int_eq(k[16 + 12], '4');
	}
	ck_assert_int_gt(upper_even, 1000);
	ck_assert_int_gt(digits_tail, 1000);
	for (n = 1; n < 2000; n++)
		ck_assert_str_ne(seen[n], seen[0]);
}
END_TEST

START_TEST(validation)
{
	const char *why = NULL;

	ck_assert_int_eq(token_validate("123456789012345678901234567890", NULL, &why), GW_OK);
	ck_assert_int_eq(token_validate("1234567890123456789012345678901", NULL, &why), GW_EINPUT);
	ck_assert_str_eq(why, "参数错误：令牌名称过长");
	/* 11 CJK characters are 33 bytes: One API counts bytes */
	ck_assert_int_eq(token_validate("一二三四五六七八九十一", NULL, &why), GW_EINPUT);
	ck_assert_int_eq(token_validate("x", "", &why), GW_OK);
	ck_assert_int_eq(token_validate("x", "10.0.0.0/8", &why), GW_OK);
	ck_assert_int_eq(token_validate("x", "10.0.0.0/8, 192.168.1.0/24,::1/128", &why), GW_OK);
	ck_assert_int_eq(token_validate("x", "10.0.0.0", &why), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(why, "无效的网段"));
	ck_assert_int_eq(token_validate("x", "10.0.0.0/33", &why), GW_EINPUT);
	ck_assert_int_eq(token_validate("x", "10.0.0.0/8,", &why), GW_EINPUT);
	ck_assert_int_eq(token_validate("x", "300.0.0.0/8", &why), GW_EINPUT);
	ck_assert_int_eq(token_validate("x", "fe80::/10", &why), GW_OK);
	ck_assert_int_eq(token_validate("x", "fe80::/129", &why), GW_EINPUT);
	ck_assert_int_eq(token_validate("x", "1.2.3.4/-1", &why), GW_EINPUT);
}
END_TEST

START_TEST(crud_scoped_to_owner)
{
	struct db *db = t_mgmt_open();
	char key[TOKEN_KEY_LEN + 1];
	struct token_fields f;
	int64_t id, id2, n;
	json_t *j;
	int rc;

	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(token_create(db, 7, "alpha", NULL, 100, 0, 0, NULL, NULL, &id, key), GW_OK);
	ck_assert_int_eq(token_create(db, 8, "beta'; DROP TABLE tokens; --", NULL, 5, 1, -1,
	    "gpt-4", "10.0.0.0/8", &id2, NULL), GW_OK);
	ck_assert_uint_eq(strlen(key), TOKEN_KEY_LEN);

	j = token_get_json(db, id, 7, &rc);
	ck_assert_int_eq(rc, GW_OK);
	ck_assert_str_eq(json_string_value(json_object_get(j, "key")), key);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "status")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "expired_time")), -1);
	ck_assert(json_is_false(json_object_get(j, "unlimited_quota")));
	ck_assert(json_is_null(json_object_get(j, "models")));
	json_decref(j);

	/* another user's token is invisible */
	ck_assert_ptr_null(token_get_json(db, id2, 7, &rc));
	ck_assert_int_eq(rc, GW_ENOTFOUND);
	j = token_list_json(db, 7, NULL, 0, 10);
	ck_assert_int_eq(json_array_size(j), 1);
	json_decref(j);
	j = token_search_json(db, 8, "beta'");
	ck_assert_int_eq(json_array_size(j), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "name")),
	    "beta'; DROP TABLE tokens; --");
	json_decref(j);
	j = token_search_json(db, 8, "alpha");
	ck_assert_int_eq(json_array_size(j), 0);
	json_decref(j);
	/* by full key, with or without sk- */
	{
		char sk[TOKEN_KEY_LEN + 4] = "sk-";
		memcpy(sk + 3, key, TOKEN_KEY_LEN + 1);
		j = token_search_json(db, 7, sk);
		ck_assert_int_eq(json_array_size(j), 1);
		json_decref(j);
	}

	memset(&f, 0, sizeof(f));
	f.name = "renamed";
	f.status = TOKEN_STATUS_DISABLED;
	f.expired_time = -1;
	f.remain_quota = 42;
	ck_assert_int_eq(token_update(db, id, 8, &f), GW_ENOTFOUND);
	ck_assert_int_eq(token_update(db, id, 7, &f), GW_OK);
	j = token_get_json(db, id, 7, &rc);
	ck_assert_str_eq(json_string_value(json_object_get(j, "name")), "renamed");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "status")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "remain_quota")), 42);
	json_decref(j);

	ck_assert_int_eq(token_delete(db, id, 8), GW_ENOTFOUND);
	ck_assert_int_eq(token_delete(db, id, 7), GW_OK);
	ck_assert_int_eq(token_delete(db, id, 7), GW_ENOTFOUND);
	ck_assert_int_eq(db_scalar_int(db, &n, "SELECT COUNT(*) FROM tokens", DB_NOARGS), GW_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(token_count(db, 8), 1);
	t_mgmt_close(db);
}
END_TEST

static Suite *
tokens_suite(void)
{
	Suite *s = suite_create("tokens");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, key_format);
	tcase_add_test(tc, validation);
	tcase_add_test(tc, crud_scoped_to_owner);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(tokens_suite)
