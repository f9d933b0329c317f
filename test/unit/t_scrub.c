/* test/unit/t_scrub.c: a channel key echoed by an upstream never survives, whole or in pieces */
#include <string.h>
#include "t_core.h"
#include "scrub.h"

#define KEY "sk-proj-A1b2C3d4E5f6G7h8I9j0K1l2M3n4"

static const char *
scrubbed(char *buf, size_t sz, const char *text, const char *key, size_t *masked)
{
	size_t n = strlen(text);

	ck_assert_uint_lt(n, sz);
	memcpy(buf, text, n + 1);
	*masked = scrub_secret(buf, n, key);
	ck_assert_uint_eq(strlen(buf), n);	/* same length: JSON stays JSON */
	return buf;
}

START_TEST(echoed_keys)
{
	char b[512];
	size_t m;

	/* OpenAI's 401, with the key echoed whole */
	scrubbed(b, sizeof(b), "{\"error\":{\"message\":\"Incorrect API key provided: Bearer " KEY
	    ". You can find your API key at https://platform.openai.com/account/api-keys.\"}}", KEY, &m);
	ck_assert_ptr_null(strstr(b, KEY));
	ck_assert_ptr_null(strstr(b, "A1b2C3d4"));
	ck_assert_ptr_nonnull(strstr(b, "Incorrect API key provided: Bearer ***"));
	ck_assert_ptr_nonnull(strstr(b, "https://platform.openai.com"));
	ck_assert_uint_eq(m, strlen(KEY));
	/* the masked style: a prefix and a suffix of 8+ characters */
	scrubbed(b, sizeof(b), "key sk-proj-A1b2****************M3n4 and ...K1l2M3n4", KEY, &m);
	ck_assert_ptr_null(strstr(b, "sk-proj-A1b2"));
	ck_assert_ptr_null(strstr(b, "K1l2M3n4"));
	ck_assert_ptr_nonnull(strstr(b, "M3n4 and"));	/* 4 characters are no secret */
	/* a middle piece */
	scrubbed(b, sizeof(b), "got E5f6G7h8I9 in header", KEY, &m);
	ck_assert_str_eq(b, "got ********** in header");
	/* multi-part keys (AWS "ak|sk|region"): each part, short ones when whole */
	scrubbed(b, sizeof(b), "AKIAEXAMPLE1 / wJalrXUtnFEMI/K7MDENG / usw2 / usw", "AKIAEXAMPLE1|wJalrXUtnFEMI/K7MDENG|usw2", &m);
	ck_assert_str_eq(b, "************ / ********************* / **** / usw");
	/* nothing to hide */
	ck_assert_str_eq(scrubbed(b, sizeof(b), "rate limited", KEY, &m), "rate limited");
	ck_assert_uint_eq(m, 0);
	ck_assert_str_eq(scrubbed(b, sizeof(b), "rate limited", "", &m), "rate limited");
	ck_assert_uint_eq(scrub_secret(NULL, 0, KEY), 0);
	ck_assert_uint_eq(scrub_secret(b, strlen(b), NULL), 0);
	/* a repetitive key and text stay fast and fully masked */
	memset(b, 'a', 400);
	b[400] = '\0';
	ck_assert_uint_eq(scrub_secret(b, 400, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), 400);
	ck_assert_ptr_null(strchr(b, 'a'));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("scrub");
	TCase *tc = tcase_create("scrub");

	tcase_add_test(tc, echoed_keys);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
