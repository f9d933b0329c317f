/* test/unit/t_buf.c: struct buf caps, growth, take, printf */
#include <string.h>
#include <stdlib.h>
#include "t_core.h"
#include "buf.h"

START_TEST(grows_and_terminates)
{
	struct buf b = BUF_INIT(1 << 20);
	int i;

	ck_assert_str_eq(buf_cstr(&b), "");
	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(buf_adds(&b, "abc"), GW_OK);
	ck_assert_uint_eq(buf_len(&b), 3000);
	ck_assert_uint_eq(strlen(buf_cstr(&b)), 3000);
	ck_assert_int_eq(buf_printf(&b, "%d-%s", 42, "x"), GW_OK);
	ck_assert_str_eq(buf_cstr(&b) + 3000, "42-x");
	buf_release(&b);
	ck_assert_uint_eq(buf_len(&b), 0);
}
END_TEST

START_TEST(cap_frees_on_overflow)
{
	struct buf b = BUF_INIT(10);

	ck_assert_int_eq(buf_adds(&b, "0123456789"), GW_OK);
	ck_assert_int_eq(buf_addc(&b, 'x'), GW_ETOOBIG);
	/* the buffer was freed: empty, reusable */
	ck_assert_uint_eq(buf_len(&b), 0);
	ck_assert_str_eq(buf_cstr(&b), "");
	ck_assert_int_eq(buf_printf(&b, "%s", "0123456789abc"), GW_ETOOBIG);
	ck_assert_int_eq(buf_adds(&b, "ok"), GW_OK);
	buf_release(&b);
}
END_TEST

START_TEST(take_hands_over)
{
	struct buf b = BUF_INIT(100);
	size_t n;
	char *p;

	ck_assert_int_eq(buf_add(&b, "a\0b", 3), GW_OK);
	p = buf_take(&b, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(memcmp(p, "a\0b", 3), 0);
	ck_assert_uint_eq(buf_len(&b), 0);
	free(p);
	ck_assert_ptr_null(buf_take(&b, NULL));
}
END_TEST

START_TEST(reset_keeps_cap)
{
	struct buf b = BUF_INIT(4);

	ck_assert_int_eq(buf_adds(&b, "abcd"), GW_OK);
	buf_reset(&b);
	ck_assert_str_eq(buf_cstr(&b), "");
	ck_assert_int_eq(buf_adds(&b, "wxyz"), GW_OK);
	ck_assert_int_eq(buf_adds(&b, "!"), GW_ETOOBIG);
	buf_release(&b);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, grows_and_terminates);
	tcase_add_test(tc, cap_frees_on_overflow);
	tcase_add_test(tc, take_hands_over);
	tcase_add_test(tc, reset_keeps_cap);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
