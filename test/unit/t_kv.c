/* test/unit/t_kv.c: query string, form and cookie parsing */
#include <string.h>
#include "t_core.h"
#include "kv.h"

START_TEST(query_decodes)
{
	struct arena a;
	struct kvlist l;
	const char *q = "p=2&keyword=a%20b+c&empty=&flag&x=%zz&nul=%00end";

	arena_init(&a);
	ck_assert_int_eq(kv_parse_query(&a, q, strlen(q), &l), GW_OK);
	ck_assert_str_eq(kv_get(&l, "p"), "2");
	ck_assert_str_eq(kv_get(&l, "keyword"), "a b c");
	ck_assert_str_eq(kv_get(&l, "empty"), "");
	ck_assert_str_eq(kv_get(&l, "flag"), "");
	ck_assert_str_eq(kv_get(&l, "x"), "%zz");	/* bad escapes kept literally */
	ck_assert_str_eq(kv_get(&l, "nul"), "?end");	/* no embedded NUL */
	ck_assert_ptr_null(kv_get(&l, "missing"));
	ck_assert_int_eq(kv_parse_query(&a, "", 0, &l), GW_OK);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_int_eq(kv_parse_query(&a, "&&&", 3, &l), GW_OK);
	ck_assert_uint_eq(l.n, 0);
	arena_release(&a);
}
END_TEST

START_TEST(query_caps_pairs)
{
	struct arena a;
	struct kvlist l;
	char q[4000];
	size_t i, o = 0;

	arena_init(&a);
	for (i = 0; i < 1000 && o + 4 < sizeof(q); i++) {
		memcpy(q + o, "a=1&", 4);
		o += 4;
	}
	ck_assert_int_eq(kv_parse_query(&a, q, o, &l), GW_OK);
	ck_assert_uint_eq(l.n, KV_MAX_PAIRS);
	arena_release(&a);
}
END_TEST

START_TEST(cookies)
{
	struct arena a;
	struct kvlist l;
	const char *c = " session=abc.123.def ;theme=\"dark\"; a%20b=x%20y;;=nokey; last = v ";

	arena_init(&a);
	ck_assert_int_eq(kv_parse_cookies(&a, c, strlen(c), &l), GW_OK);
	ck_assert_str_eq(kv_get(&l, "session"), "abc.123.def");
	ck_assert_str_eq(kv_get(&l, "theme"), "dark");
	ck_assert_str_eq(kv_get(&l, "a%20b"), "x%20y");	/* cookies are not decoded */
	ck_assert_str_eq(kv_get(&l, "last"), "v");
	ck_assert_ptr_null(kv_get(&l, ""));
	arena_release(&a);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("kv");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, query_decodes);
	tcase_add_test(tc, query_caps_pairs);
	tcase_add_test(tc, cookies);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
