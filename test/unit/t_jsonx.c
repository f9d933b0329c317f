/* test/unit/t_jsonx.c: JSON body parsing and typed member access */
#include <string.h>
#include "t_core.h"
#include "jsonx.h"

START_TEST(parse_object)
{
	char why[300];
	json_t *j;

	j = jx_parse_object("{\"a\":1}", 7, why, sizeof(why));
	ck_assert_ptr_nonnull(j);
	json_decref(j);
	ck_assert_ptr_null(jx_parse_object("", 0, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "empty"));
	ck_assert_ptr_null(jx_parse_object("{\"a\":", 5, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "malformed JSON"));
	ck_assert_ptr_null(jx_parse_object("[1,2]", 5, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "expected a JSON object"));
	ck_assert_ptr_null(jx_parse_object("{\"a\":\"\\u0000\"}", 14, why, sizeof(why)));
}
END_TEST

START_TEST(typed_members)
{
	json_t *o = json_loads("{\"s\":\"x\",\"i\":5,\"r\":1e3,\"h\":1.5,\"b\":true,\"n\":null}", 0, NULL);
	const char *s;
	int64_t i;
	int b;

	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(jx_str(o, "s", &s), GW_OK);
	ck_assert_str_eq(s, "x");
	ck_assert_int_eq(jx_str(o, "i", &s), GW_EINPUT);
	ck_assert_int_eq(jx_str(o, "n", &s), GW_ENOTFOUND);
	ck_assert_int_eq(jx_str(o, "zz", &s), GW_ENOTFOUND);
	ck_assert_int_eq(jx_int(o, "i", &i), GW_OK);
	ck_assert_int_eq(i, 5);
	ck_assert_int_eq(jx_int(o, "r", &i), GW_OK);
	ck_assert_int_eq(i, 1000);
	ck_assert_int_eq(jx_int(o, "h", &i), GW_EINPUT);
	ck_assert_int_eq(jx_int(o, "s", &i), GW_EINPUT);
	ck_assert_int_eq(jx_bool(o, "b", &b), GW_OK);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(jx_bool(o, "i", &b), GW_EINPUT);
	json_decref(o);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("jsonx");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, parse_object);
	tcase_add_test(tc, typed_members);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
