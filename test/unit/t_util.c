/* test/unit/t_util.c: strict numbers, booleans, random strings */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include "t_core.h"
#include "util.h"

START_TEST(numbers)
{
	int64_t v = 0;

	ck_assert_int_eq(parse_i64("42", 0, 100, &v), GW_OK);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(parse_i64("-7", -10, 10, &v), GW_OK);
	ck_assert_int_eq(v, -7);
	ck_assert_int_eq(parse_i64("9223372036854775807", INT64_MIN, INT64_MAX, &v), GW_OK);
	ck_assert(v == INT64_MAX);
	ck_assert_int_eq(parse_i64("-9223372036854775808", INT64_MIN, INT64_MAX, &v), GW_OK);
	ck_assert(v == INT64_MIN);
	ck_assert_int_eq(parse_i64("9223372036854775808", INT64_MIN, INT64_MAX, &v), GW_EINPUT);
	ck_assert_int_eq(parse_i64("101", 0, 100, &v), GW_EINPUT);
	ck_assert_int_eq(parse_i64("", 0, 100, &v), GW_EINPUT);
	ck_assert_int_eq(parse_i64("12abc", 0, 100, &v), GW_EINPUT);
	ck_assert_int_eq(parse_i64(" 1", 0, 100, &v), GW_EINPUT);
	ck_assert_int_eq(parse_i64("-", 0, 100, &v), GW_EINPUT);
	ck_assert_int_eq(parse_i64(NULL, 0, 100, &v), GW_EINPUT);
}
END_TEST

START_TEST(booleans)
{
	int b = -1;

	ck_assert_int_eq(parse_bool("TRUE", &b), GW_OK);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(parse_bool("off", &b), GW_OK);
	ck_assert_int_eq(b, 0);
	ck_assert_int_eq(parse_bool("maybe", &b), GW_EINPUT);
}
END_TEST

START_TEST(randomness)
{
	char a[33], b[33], s[17];
	int i;

	ck_assert_int_eq(rand_uuid_hex(a), GW_OK);
	ck_assert_int_eq(rand_uuid_hex(b), GW_OK);
	ck_assert_uint_eq(strlen(a), 32);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(a[12], '4');	/* version nibble */
	ck_assert_int_eq(rand_alnum(s, 16), GW_OK);
	ck_assert_uint_eq(strlen(s), 16);
	for (i = 0; i < 16; i++)
		ck_assert(isalnum((unsigned char)s[i]));
	for (i = 0; i < 1000; i++)
		ck_assert_uint_lt(rand_below(7), 7);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, numbers);
	tcase_add_test(tc, booleans);
	tcase_add_test(tc, randomness);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
