/* test/unit/t_password.c: bcrypt hashes we write and hashes Go and others wrote */
#include <string.h>
#include "t_core.h"
#include "password.h"

START_TEST(roundtrip)
{
	char h1[PASSWORD_HASH_MAX], h2[PASSWORD_HASH_MAX];

	ck_assert_int_eq(password_hash("123456", h1, sizeof(h1)), GW_OK);
	ck_assert_int_eq(password_hash("123456", h2, sizeof(h2)), GW_OK);
	ck_assert(strncmp(h1, "$2a$10$", 7) == 0);	/* what Go's bcrypt.DefaultCost writes */
	ck_assert_uint_eq(strlen(h1), 60);
	ck_assert_str_ne(h1, h2);			/* fresh salt each time */
	ck_assert_int_eq(password_verify("123456", h1), 1);
	ck_assert_int_eq(password_verify("123456", h2), 1);
	ck_assert_int_eq(password_verify("1234567", h1), 0);
	ck_assert_int_eq(password_verify("", h1), 0);
}
END_TEST

START_TEST(foreign_hashes)
{
	/* golang.org/x/crypto/bcrypt TestBcryptingIsCorrect vector */
	static const char go[] = "$2a$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga";
	/* htpasswd -nbB -C 10 (apache2-utils), "$2y$" */
	static const char apache[] = "$2y$10$EMrJIoaeRERugbX.k3MuiOHfyi/pwWflVW3UuGeB3P5zs7R1c.IOK";
	/* the same, rewritten to "$2a$" as Go would store it (test/fixtures/oneapi-gorm.sql) */
	static const char root[] = "$2a$10$9Y9ZC1Z3J1ZyHHa2CHMHc.32STUuZVETZmUek0xdy1WKJXQtP4sSu";

	ck_assert_int_eq(password_verify("allmine", go), 1);
	ck_assert_int_eq(password_verify("allminE", go), 0);
	ck_assert_int_eq(password_verify("alice-pass-2024", apache), 1);
	ck_assert_int_eq(password_verify("alice-pass-2025", apache), 0);
	ck_assert_int_eq(password_verify("OldRootPass1", root), 1);
}
END_TEST

START_TEST(not_bcrypt)
{
	char h[PASSWORD_HASH_MAX];

	ck_assert_int_eq(password_verify("x", "x"), 0);
	ck_assert_int_eq(password_verify("", ""), 0);
	ck_assert_int_eq(password_verify("123456", "123456"), 0);
	ck_assert_int_eq(password_verify("a", "$1$saltsalt$//251epTQaKpm7/bnAD.Z."), 0);
	ck_assert_int_eq(password_verify("allmine", "$2a$10$XajjQvNhvvRt5GSeFk1xFe"), 0);
	ck_assert_int_eq(password_verify(NULL, "$2a$10$x"), 0);
	ck_assert_int_eq(password_verify("x", NULL), 0);
	/* bcrypt reads 72 bytes: longer passwords are refused, as Go does */
	memset(h, 'a', 73);
	h[73] = '\0';
	ck_assert_int_eq(password_hash(h, h, sizeof(h)), GW_EINPUT);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("password");
	TCase *tc = tcase_create("bcrypt");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, roundtrip);
	tcase_add_test(tc, foreign_hashes);
	tcase_add_test(tc, not_bcrypt);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
