/* test/unit/t_channel_types.c: the channel type table matches One API's numbering */
#include <string.h>
#include "t_core.h"
#include "channel_types.h"

START_TEST(numbering)
{
	int i;

	for (i = 0; i < CHANNEL_TYPE_MAX; i++) {
		ck_assert_ptr_nonnull(channel_type(i));
		ck_assert_int_eq(channel_type(i)->id, i);	/* row i is type i */
	}
	ck_assert_ptr_null(channel_type(-1));
	ck_assert_ptr_null(channel_type(CHANNEL_TYPE_MAX));
	ck_assert_str_eq(channel_type(1)->base_url, "https://api.openai.com");
	ck_assert_int_eq(channel_type(3)->api, API_AZURE);
	ck_assert_int_eq(channel_type(14)->api, API_ANTHROPIC);
	ck_assert_int_eq(channel_type(24)->api, API_GEMINI);
	ck_assert_str_eq(channel_type(29)->base_url, "https://api.groq.com/openai");
	ck_assert_str_eq(channel_type(36)->name, "DeepSeek");
	ck_assert_str_eq(channel_type(50)->base_url, "");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("channel_types");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, numbering);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
