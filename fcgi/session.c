/* fcgi/session.c: session cookies "session=<user id>.<expiry>.<hex HMAC-SHA256>" */
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "session.h"
#include "cfg.h"
#include "log.h"
#include "util.h"

#define SESSION_KEY_MAX		256	/* bytes of signing key we keep */
#define SESSION_SECRET_BYTES	32	/* a generated key: 32 random bytes, hex */
#define SESSION_MAC_HEX		64	/* hex of one SHA-256 */
#define SESSION_VALUE_MAX	128	/* "<id>.<expiry>.<mac>" */

/* Set once by session_init before threads start, read-only afterwards. */
static unsigned char session_key[SESSION_KEY_MAX];
static size_t session_keylen;

/* A key of our own in fcgi_meta: insert one if absent, then read back the
 * row, so racing processes all end up with whichever insert won. */
static int
load_db_secret(struct db *db)
{
	unsigned char raw[SESSION_SECRET_BYTES];
	char hex[2 * SESSION_SECRET_BYTES + 1];
	struct db_stmt *st = NULL;
	const char *v;
	int rc;

	if ((rc = rand_bytes(raw, sizeof(raw))) != GW_OK)
		return rc;
	hex_encode(hex, raw, sizeof(raw));
	explicit_bzero(raw, sizeof(raw));
	rc = db_exec(db, "INSERT INTO fcgi_meta (name, value) SELECT 'session_secret', ? "
	    "WHERE NOT EXISTS (SELECT 1 FROM fcgi_meta WHERE name = 'session_secret')",
	    DB_ARGS(DB_S(hex)), NULL);
	explicit_bzero(hex, sizeof(hex));
	if (rc != GW_OK && !db_last_was_conflict(db))
		return rc;
	if ((rc = db_query(db, &st, "SELECT value FROM fcgi_meta WHERE name = 'session_secret'",
	    DB_NOARGS)) != GW_OK)
		return rc;
	rc = GW_EDB;
	if (db_next(st) == 1) {
		v = db_text(st, 0);
		session_keylen = strlen(v);
		if (session_keylen >= 16 && session_keylen <= sizeof(session_key)) {
			memcpy(session_key, v, session_keylen);
			rc = GW_OK;
		}
	}
	db_done(st);
	return rc;
}

/* SESSION_SECRET wins (as One API: every node sets the same value); longer
 * secrets are first hashed down, as HMAC itself would do. */
int
session_init(struct db *db)
{
	const char *s = cfg->session_secret;
	unsigned int n = 0;
	size_t len;

	if (s != NULL && (len = strlen(s)) > 0) {
		if (len <= sizeof(session_key)) {
			memcpy(session_key, s, len);
			session_keylen = len;
		} else {
			if (!EVP_Digest(s, len, session_key, &n, EVP_sha256(), NULL))
				return GW_EINPUT;
			session_keylen = n;
		}
		return GW_OK;
	}
	if (load_db_secret(db) != GW_OK) {
		log_error("session: cannot load or store the session key (fcgi_meta)");
		return GW_EDB;
	}
	return GW_OK;
}

/* Hex HMAC-SHA256 of the first n bytes of msg into out (65 bytes). */
static int
sign(const char *msg, size_t n, char *out)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;

	if (session_keylen == 0)
		return GW_EAUTH;	/* session_init not run: refuse, never sign with "" */
	if (HMAC(EVP_sha256(), session_key, (int)session_keylen, (const unsigned char *)msg, n,
	    mac, &maclen) == NULL || maclen != SESSION_MAC_HEX / 2)
		return GW_EAUTH;
	hex_encode(out, mac, maclen);
	return GW_OK;
}

/* The value "<uid>.<expiry>.<mac>" for user uid valid until expiry. */
static int
make_value(int64_t uid, int64_t expiry, char *out, size_t outsz)
{
	char mac[SESSION_MAC_HEX + 1];
	int n;

	n = snprintf(out, outsz, "%lld.%lld", (long long)uid, (long long)expiry);
	if (n < 0 || (size_t)n >= outsz || sign(out, (size_t)n, mac) != GW_OK)
		return GW_EINPUT;
	if ((size_t)n + 1 + SESSION_MAC_HEX >= outsz)
		return GW_EINPUT;
	out[n] = '.';
	memcpy(out + n + 1, mac, SESSION_MAC_HEX + 1);
	return GW_OK;
}

static void
set_cookie(struct req *r, const char *value, int64_t maxage)
{
	char *c;

	c = arena_printf(&r->arena, "session=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Lax%s",
	    value, (long long)maxage, cfg->enable_cookie_secure ? "; Secure" : "");
	if (c != NULL)
		resp_header(r, "Set-Cookie", c);
}

void
session_set(struct req *r, int64_t user_id)
{
	char v[SESSION_VALUE_MAX];
	int64_t maxage = cfg->cookie_maxage_hours * 3600;

	if (make_value(user_id, now_sec() + maxage, v, sizeof(v)) != GW_OK) {
		log_error("session: cannot sign a cookie");
		return;
	}
	set_cookie(r, v, maxage);
}

void
session_clear(struct req *r)
{
	set_cookie(r, "", -1);
}

/* Strict parse: two decimal fields and 64 lowercase hex, nothing else. */
int
session_verify(const char *value, int64_t *user_id)
{
	char head[SESSION_VALUE_MAX], mac[SESSION_MAC_HEX + 1];
	const char *d1, *d2;
	int64_t uid, exp;
	size_t n;

	if (value == NULL || (d1 = strchr(value, '.')) == NULL || (d2 = strchr(d1 + 1, '.')) == NULL)
		return GW_EAUTH;
	n = (size_t)(d2 - value);
	if (n >= sizeof(head) || strlen(d2 + 1) != SESSION_MAC_HEX)
		return GW_EAUTH;
	memcpy(head, value, n);
	head[n] = '\0';
	if (sign(head, n, mac) != GW_OK || !ct_equal(mac, d2 + 1, SESSION_MAC_HEX))
		return GW_EAUTH;
	head[d1 - value] = '\0';
	if (parse_i64(head, 1, INT64_MAX, &uid) != GW_OK ||
	    parse_i64(head + (d1 - value) + 1, 0, INT64_MAX, &exp) != GW_OK)
		return GW_EAUTH;
	if (exp <= now_sec())
		return GW_EAUTH;
	*user_id = uid;
	return GW_OK;
}
