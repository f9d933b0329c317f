/* test/unit/t_session.c: session cookies: sign, verify, expiry, tampering, the shared key */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "t_core.h"
#include "cfg.h"
#include "db.h"
#include "http.h"
#include "schema.h"
#include "session.h"
#include "util.h"

static void
use_env(const char *secret, const char *dbpath)
{
	struct cfg *c;

	unsetenv("SQL_DSN");
	if (secret)
		setenv("SESSION_SECRET", secret, 1);
	else
		unsetenv("SESSION_SECRET");
	setenv("SQLITE_PATH", dbpath ? dbpath : "/tmp/t_session-unused.db", 1);
	setenv("COOKIE_MAXAGE_HOURS", "2", 1);
	c = cfg_load(stderr);
	ck_assert_ptr_nonnull(c);
	cfg = c;
}

/* The session value of the Set-Cookie header session_set wrote, or NULL. */
static char *
cookie_of(struct req *r, char *out, size_t outsz)
{
	const char *h = strstr(buf_cstr(&r->resp.head), "Set-Cookie: session="), *e;

	if (h == NULL)
		return NULL;
	h += strlen("Set-Cookie: session=");
	e = strchr(h, ';');
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_lt((size_t)(e - h), outsz);
	memcpy(out, h, (size_t)(e - h));
	out[e - h] = '\0';
	return out;
}

/* "<uid>.<gen>.<nonce>.<exp>.<hex hmac>" computed here, independently of
 * session.c; generation 0. */
static void
forge_gen(char *out, size_t outsz, const char *secret, long long uid, long long gen,
    const char *nonce, long long exp)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char head[96], hex[2 * EVP_MAX_MD_SIZE + 1];

	snprintf(head, sizeof(head), "%lld.%lld.%s.%lld", uid, gen, nonce, exp);
	HMAC(EVP_sha256(), secret, (int)strlen(secret), (unsigned char *)head, strlen(head), mac, &n);
	hex_encode(hex, mac, n);
	snprintf(out, outsz, "%s.%s", head, hex);
}

static void
forge(char *out, size_t outsz, const char *secret, long long uid, long long exp)
{
	forge_gen(out, outsz, secret, uid, 0, "0123456789abcdef", exp);
}

/* Remove dir/one-api.db (which must exist), its -wal and -shm, then dir. */
static void
rm_db_dir(const char *dir)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	char path[128];
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/one-api.db%s", dir, sfx[i]);
		if (i == 0)
			ck_assert_int_eq(unlink(path), 0);
		else
			(void)unlink(path);
	}
	ck_assert_int_eq(rmdir(dir), 0);
}

START_TEST(sign_and_verify)
{
	struct req r;
	char v[256], v2[256];
	int64_t uid = 0, gen = -1;
	const char *h;

	use_env("unit-test-secret", NULL);
	ck_assert_int_eq(session_init(NULL), GW_OK);
	req_init(&r, NULL, NULL, NULL);
	session_set(&r, 42, 0);
	h = buf_cstr(&r.resp.head);
	ck_assert_ptr_nonnull(strstr(h, "; Path=/"));
	ck_assert_ptr_nonnull(strstr(h, "; Max-Age=7200"));
	ck_assert_ptr_nonnull(strstr(h, "; HttpOnly"));
	ck_assert_ptr_nonnull(strstr(h, "; SameSite=Lax"));
	ck_assert_ptr_null(strstr(h, "Secure;"));
	ck_assert_ptr_nonnull(cookie_of(&r, v, sizeof(v)));
	ck_assert_int_eq(session_verify(v, &uid, &gen), GW_OK);
	ck_assert_int_eq(uid, 42);
	ck_assert_int_eq(gen, 0);
	req_release(&r);

	/* each sign-in is a new session id: same user, another value */
	req_init(&r, NULL, NULL, NULL);
	session_set(&r, 42, 7);
	ck_assert_ptr_nonnull(cookie_of(&r, v2, sizeof(v2)));
	ck_assert_str_ne(v, v2);
	ck_assert_int_eq(session_verify(v2, &uid, &gen), GW_OK);
	ck_assert_int_eq(gen, 7);
	req_release(&r);

	/* a value made by hand with the same key verifies too */
	forge(v, sizeof(v), "unit-test-secret", 7, (long long)now_sec() + 60);
	ck_assert_int_eq(session_verify(v, &uid, &gen), GW_OK);
	ck_assert_int_eq(uid, 7);

	req_init(&r, NULL, NULL, NULL);
	session_clear(&r);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&r.resp.head), "Set-Cookie: session=; Path=/; Max-Age=-1"));
	req_release(&r);
}
END_TEST

START_TEST(tamper_and_expiry)
{
	char v[256], w[256];
	int64_t uid = 99, gen = 0;
	long long later = (long long)now_sec() + 3600;

	use_env("unit-test-secret", NULL);
	ck_assert_int_eq(session_init(NULL), GW_OK);
	forge(v, sizeof(v), "unit-test-secret", 5, later);
	ck_assert_int_eq(session_verify(v, &uid, &gen), GW_OK);

	/* another user id with the old signature */
	memcpy(w, v, sizeof(w));
	w[0] = '6';
	ck_assert_int_eq(session_verify(w, &uid, &gen), GW_EAUTH);
	/* one flipped hex digit of the signature */
	memcpy(w, v, sizeof(w));
	w[strlen(w) - 1] = w[strlen(w) - 1] == '0' ? '1' : '0';
	ck_assert_int_eq(session_verify(w, &uid, &gen), GW_EAUTH);
	/* signed with another key */
	forge(w, sizeof(w), "other-secret", 5, later);
	ck_assert_int_eq(session_verify(w, &uid, &gen), GW_EAUTH);
	/* expired */
	forge(w, sizeof(w), "unit-test-secret", 5, (long long)now_sec() - 1);
	ck_assert_int_eq(session_verify(w, &uid, &gen), GW_EAUTH);
	/* malformed */
	ck_assert_int_eq(session_verify("", &uid, &gen), GW_EAUTH);
	ck_assert_int_eq(session_verify("5", &uid, &gen), GW_EAUTH);
	ck_assert_int_eq(session_verify("5.1.", &uid, &gen), GW_EAUTH);
	/* the old three-field format, even when signed right, is refused */
	{
		unsigned char mac[EVP_MAX_MD_SIZE];
		unsigned int n = 0;
		char head[64], hex[2 * EVP_MAX_MD_SIZE + 1];

		snprintf(head, sizeof(head), "5.%lld", later);
		HMAC(EVP_sha256(), "unit-test-secret", 16, (unsigned char *)head, strlen(head), mac, &n);
		hex_encode(hex, mac, n);
		snprintf(w, sizeof(w), "%s.%s", head, hex);
		ck_assert_int_eq(session_verify(w, &uid, &gen), GW_EAUTH);
	}
	/* a nonce that is not 16 lowercase hex, or a negative generation */
	forge_gen(w, sizeof(w), "unit-test-secret", 5, 0, "0123456789ABCDEF", later);
	ck_assert_int_eq(session_verify(w, &uid, &gen), GW_EAUTH);
	forge_gen(w, sizeof(w), "unit-test-secret", 5, 0, "0123456789abcde", later);
	ck_assert_int_eq(session_verify(w, &uid, &gen), GW_EAUTH);
	forge_gen(w, sizeof(w), "unit-test-secret", 5, -1, "0123456789abcdef", later);
	ck_assert_int_eq(session_verify(w, &uid, &gen), GW_EAUTH);
	ck_assert_int_eq(session_verify(NULL, &uid, &gen), GW_EAUTH);
	forge(w, sizeof(w), "unit-test-secret", 0, later);	/* no user 0 */
	ck_assert_int_eq(session_verify(w, &uid, &gen), GW_EAUTH);
	forge(w, sizeof(w), "unit-test-secret", -3, later);
	ck_assert_int_eq(session_verify(w, &uid, &gen), GW_EAUTH);
	ck_assert_int_eq(uid, 5);	/* untouched by failures */
}
END_TEST

START_TEST(shared_db_key)
{
	char dir[] = "/tmp/t_session.XXXXXX", path[128], v[256];
	struct db *a = NULL, *b = NULL;
	struct req r;
	int64_t uid = 0, n = 0, gen = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/one-api.db", dir);
	use_env(NULL, path);
	ck_assert_int_eq(db_open(&a), GW_OK);
	ck_assert_int_eq(schema_migrate(a), GW_OK);
	ck_assert_int_eq(session_init(a), GW_OK);
	req_init(&r, NULL, NULL, NULL);
	session_set(&r, 3, 0);
	ck_assert_ptr_nonnull(cookie_of(&r, v, sizeof(v)));
	req_release(&r);

	/* a second process (connection) picks up the same stored key */
	ck_assert_int_eq(db_open(&b), GW_OK);
	ck_assert_int_eq(session_init(b), GW_OK);
	ck_assert_int_eq(session_verify(v, &uid, &gen), GW_OK);
	ck_assert_int_eq(uid, 3);
	ck_assert_int_eq(db_scalar_int(b, &n, "SELECT count(*) FROM fcgi_meta WHERE name = 'session_secret'",
	    DB_NOARGS), GW_OK);
	ck_assert_int_eq(n, 1);
	db_close(a);
	db_close(b);
	rm_db_dir(dir);
}
END_TEST

START_TEST(revoke_bumps_generation)
{
	char dir[] = "/tmp/t_session.XXXXXX", path[128];
	struct db *a = NULL;
	int64_t gen = -1;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/one-api.db", dir);
	use_env("unit-test-secret", path);
	ck_assert_int_eq(db_open(&a), GW_OK);
	ck_assert_int_eq(schema_migrate(a), GW_OK);
	ck_assert_int_eq(session_generation(a, 9, &gen), GW_OK);
	ck_assert_int_eq(gen, 0);	/* never revoked */
	ck_assert_int_eq(session_revoke(a, 9), GW_OK);
	ck_assert_int_eq(session_generation(a, 9, &gen), GW_OK);
	ck_assert_int_eq(gen, 1);
	ck_assert_int_eq(session_revoke(a, 9), GW_OK);
	ck_assert_int_eq(session_generation(a, 9, &gen), GW_OK);
	ck_assert_int_eq(gen, 2);
	ck_assert_int_eq(session_generation(a, 10, &gen), GW_OK);
	ck_assert_int_eq(gen, 0);	/* another user untouched */
	db_close(a);
	rm_db_dir(dir);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("cookie");

	tcase_add_test(tc, sign_and_verify);
	tcase_add_test(tc, tamper_and_expiry);
	tcase_add_test(tc, shared_db_key);
	tcase_add_test(tc, revoke_bumps_generation);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
