/* test/unit/t_origin.c: which Origin/Referer values name this server (cross-site write checks) */
#include "t_core.h"
#include "auth.h"

START_TEST(origins)
{
	const char *own = "https://gw.example.com/";

	/* the Host header's authority, any case, any path */
	ck_assert_int_eq(auth_origin_matches("http://127.0.0.1:3000", "127.0.0.1:3000", NULL), 1);
	ck_assert_int_eq(auth_origin_matches("http://127.0.0.1:3000/panel?x=1", "127.0.0.1:3000", NULL), 1);
	ck_assert_int_eq(auth_origin_matches("https://GW.example.com", "gw.example.com", NULL), 1);
	/* other sites, look-alikes and tricks */
	ck_assert_int_eq(auth_origin_matches("https://evil.example", "127.0.0.1:3000", NULL), 0);
	ck_assert_int_eq(auth_origin_matches("http://127.0.0.1:3001", "127.0.0.1:3000", NULL), 0);
	ck_assert_int_eq(auth_origin_matches("http://127.0.0.1:3000.evil.example", "127.0.0.1:3000", NULL), 0);
	ck_assert_int_eq(auth_origin_matches("http://127.0.0.1:3000@evil.example", "127.0.0.1:3000", NULL), 0);
	ck_assert_int_eq(auth_origin_matches("http://evil.example/127.0.0.1:3000", "127.0.0.1:3000", NULL), 0);
	ck_assert_int_eq(auth_origin_matches("null", "127.0.0.1:3000", NULL), 0);
	ck_assert_int_eq(auth_origin_matches("127.0.0.1:3000", "127.0.0.1:3000", NULL), 0);
	ck_assert_int_eq(auth_origin_matches("http://", "", NULL), 0);
	ck_assert_int_eq(auth_origin_matches(NULL, "127.0.0.1:3000", NULL), 0);
	/* behind a proxy that rewrites Host: SERVER_ADDRESS */
	ck_assert_int_eq(auth_origin_matches("https://gw.example.com", "10.0.0.5:9000", own), 1);
	ck_assert_int_eq(auth_origin_matches("https://gw.example.com/x", NULL, own), 1);
	ck_assert_int_eq(auth_origin_matches("http://gw.example.com", NULL, own), 0);
	ck_assert_int_eq(auth_origin_matches("https://gw.example.com.evil.example", NULL, own), 0);
	ck_assert_int_eq(auth_origin_matches("https://gw.example.com", NULL, ""), 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("origin");
	TCase *tc = tcase_create("origin");

	tcase_add_test(tc, origins);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
