/* test/unit/t_jsonx.c: JSON body parsing and typed member access */
#include <stdlib.h>
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

/* 4 MB of small numbers would take about 24 bytes of objects per byte of
 * text: refused within the budget; 4 MB of string text parses. */
START_TEST(parse_budget)
{
	size_t n = 4u << 20, i;
	char *p = malloc(n), why[300];
	json_t *j;

	ck_assert_ptr_nonnull(p);
	memcpy(p, "{\"a\":[", 6);
	for (i = 6; i < n - 2; i += 2)
		memcpy(p + i, "1,", 2);
	memcpy(p + i - 1, "1]}", 3);
	j = jx_parse_object(p, i + 2, why, sizeof(why));
	ck_assert_ptr_null(j);
	ck_assert_msg(strstr(why, "too complex") != NULL, "%s", why);
	memcpy(p, "{\"a\":\"", 6);
	memset(p + 6, 'x', n - 8);
	memcpy(p + n - 2, "\"}", 2);
	j = jx_parse_object(p, n, why, sizeof(why));
	ck_assert_ptr_nonnull(j);
	ck_assert_uint_eq(json_string_length(json_object_get(j, "a")), n - 8);
	json_decref(j);
	/* the budget is for the parse only: later allocations are free of it */
	j = json_pack("{s:[iiii]}", "a", 1, 2, 3, 4);
	ck_assert_ptr_nonnull(j);
	json_decref(j);
	free(p);
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
	tcase_add_test(tc, parse_budget);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
