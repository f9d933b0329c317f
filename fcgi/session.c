/* fcgi/session.c: session cookies "session=<user id>.<generation>.<nonce>.<expiry>.<hex HMAC-SHA256>",
 * revoked on the server by bumping the user's generation in fcgi_sessions */
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
#define SESSION_NONCE_HEX	16	/* hex of 8 random bytes: a new session id per login */
#define SESSION_VALUE_MAX	160	/* "<id>.<gen>.<nonce>.<expiry>.<mac>" */
#define SESSION_TRIES		4	/* bump retries when two writers race on a new row */

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

/* The value "<uid>.<gen>.<nonce>.<expiry>.<mac>" with a fresh nonce. */
static int
make_value(int64_t uid, int64_t gen, int64_t expiry, char *out, size_t outsz)
{
	char mac[SESSION_MAC_HEX + 1], nonce[SESSION_NONCE_HEX + 1];
	unsigned char raw[SESSION_NONCE_HEX / 2];
	int n;

	if (rand_bytes(raw, sizeof(raw)) != GW_OK)
		return GW_EIO;
	hex_encode(nonce, raw, sizeof(raw));
	n = snprintf(out, outsz, "%lld.%lld.%s.%lld", (long long)uid, (long long)gen, nonce,
	    (long long)expiry);
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
session_set(struct req *r, int64_t user_id, int64_t gen)
{
	char v[SESSION_VALUE_MAX];
	int64_t maxage = cfg->cookie_maxage_hours * 3600;

	if (make_value(user_id, gen, now_sec() + maxage, v, sizeof(v)) != GW_OK) {
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

/* Length of the run of lowercase hex digits at s. */
static size_t
hex_run(const char *s)
{
	size_t n = 0;

	while ((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f'))
		n++;
	return n;
}

/* Strict parse: uid, gen, 16 hex, expiry, 64 hex, nothing else. The MAC is
 * checked before any field is trusted. */
int
session_verify(const char *value, int64_t *user_id, int64_t *gen)
{
	char head[SESSION_VALUE_MAX], mac[SESSION_MAC_HEX + 1];
	char *f[4], *p;
	const char *m;
	int64_t uid, g, exp;
	size_t n;
	int i;

	if (value == NULL || (m = strrchr(value, '.')) == NULL)
		return GW_EAUTH;
	n = (size_t)(m - value);
	if (n >= sizeof(head) || strlen(m + 1) != SESSION_MAC_HEX)
		return GW_EAUTH;
	memcpy(head, value, n);
	head[n] = '\0';
	if (sign(head, n, mac) != GW_OK || !ct_equal(mac, m + 1, SESSION_MAC_HEX))
		return GW_EAUTH;
	for (i = 0, p = head; i < 4; i++) {
		f[i] = p;
		if ((p = strchr(p, '.')) != NULL)
			*p++ = '\0';
		else if (i < 3)
			return GW_EAUTH;
	}
	if (p != NULL || strlen(f[2]) != SESSION_NONCE_HEX || hex_run(f[2]) != SESSION_NONCE_HEX)
		return GW_EAUTH;
	if (parse_i64(f[0], 1, INT64_MAX, &uid) != GW_OK ||
	    parse_i64(f[1], 0, INT64_MAX, &g) != GW_OK ||
	    parse_i64(f[3], 0, INT64_MAX, &exp) != GW_OK)
		return GW_EAUTH;
	if (exp <= now_sec())
		return GW_EAUTH;
	*user_id = uid;
	*gen = g;
	return GW_OK;
}

int
session_generation(struct db *db, int64_t user_id, int64_t *gen)
{
	int rc;

	*gen = 0;
	rc = db_scalar_int(db, gen, "SELECT generation FROM fcgi_sessions WHERE user_id = ?",
	    DB_ARGS(DB_I(user_id)));
	if (rc == GW_ENOTFOUND) {
		*gen = 0;	/* never revoked */
		rc = GW_OK;
	}
	return rc;
}

/* UPDATE first, INSERT when there was no row; an INSERT that loses a race
 * to another writer finds the row on the next round. */
int
session_revoke(struct db *db, int64_t user_id)
{
	int64_t changes = 0;
	int rc = GW_EDB, i;

	for (i = 0; i < SESSION_TRIES; i++) {
		rc = db_exec(db, "UPDATE fcgi_sessions SET generation = generation + 1 WHERE user_id = ?",
		    DB_ARGS(DB_I(user_id)), &changes);
		if (rc != GW_OK || changes > 0)
			break;
		rc = db_exec(db, "INSERT INTO fcgi_sessions (user_id, generation) VALUES (?, 1)",
		    DB_ARGS(DB_I(user_id)), NULL);
		if (rc == GW_OK || !db_last_was_conflict(db))
			break;
	}
	if (rc != GW_OK)
		log_error("session: cannot revoke the sessions of user %lld", (long long)user_id);
	return rc;
}

int
session_user(struct req *r, int64_t *user_id)
{
	const char *c = req_cookie(r, "session");
	int64_t uid, gen, cur;
	int rc;

	if (c == NULL || session_verify(c, &uid, &gen) != GW_OK)
		return GW_EAUTH;
	if ((rc = session_generation(r->db, uid, &cur)) != GW_OK)
		return rc;
	if (gen != cur)
		return GW_EAUTH;	/* logged out, password changed, disabled ... */
	*user_id = uid;
	return GW_OK;
}

int
session_start(struct req *r, int64_t user_id)
{
	int64_t gen;
	int rc;

	if ((rc = session_generation(r->db, user_id, &gen)) != GW_OK)
		return rc;
	session_set(r, user_id, gen);
	return GW_OK;
}
