/* test/unit/t_cfg.c: configuration from the environment */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "t_core.h"
#include "cfg.h"

START_TEST(defaults_and_overrides)
{
	struct cfg *c;

	unsetenv("THREADS");
	unsetenv("SQL_DSN");
	setenv("SQLITE_PATH", "/tmp/x.db", 1);
	setenv("DEBUG", "true", 1);
	c = cfg_load(NULL);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->threads, 4);
	ck_assert_int_eq(c->max_request_body_mb, 64);
	ck_assert_int_eq(c->cookie_maxage_hours, 168);
	ck_assert_str_eq(c->sqlite_path, "/tmp/x.db");
	ck_assert_int_eq(c->debug, 1);
	ck_assert_int_eq(cfg_set(c, "THREADS", "8", NULL), 0);
	ck_assert_int_eq(c->threads, 8);
	ck_assert_int_eq(cfg_set(c, "THREADS", "0", NULL), -1);
	ck_assert_int_eq(c->threads, 8);
	cfg_free(c);
	unsetenv("DEBUG");
}
END_TEST

START_TEST(bad_values_rejected)
{
	char out[512] = "";
	FILE *f = fmemopen(out, sizeof(out), "w");

	setenv("THREADS", "abc", 1);
	setenv("DEBUG", "perhaps", 1);
	ck_assert_ptr_null(cfg_load(f));
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "THREADS"));
	ck_assert_ptr_nonnull(strstr(out, "DEBUG"));
	unsetenv("THREADS");
	unsetenv("DEBUG");
}
END_TEST

START_TEST(secrets_hidden)
{
	char out[8192] = "";
	FILE *f;
	struct cfg *c;

	setenv("SESSION_SECRET", "supersecretvalue", 1);
	c = cfg_load(NULL);
	ck_assert_ptr_nonnull(c);
	f = fmemopen(out, sizeof(out), "w");
	cfg_dump(c, f);
	fclose(f);
	ck_assert_ptr_null(strstr(out, "supersecretvalue"));
	ck_assert_ptr_nonnull(strstr(out, "SESSION_SECRET=(set, hidden)"));
	cfg_free(c);
	unsetenv("SESSION_SECRET");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("cfg");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, defaults_and_overrides);
	tcase_add_test(tc, bad_values_rejected);
	tcase_add_test(tc, secrets_hidden);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
