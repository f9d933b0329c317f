/* fcgi/auth.c: management-route caller: session cookie, else access token
 * (One API middleware/auth.go); cross-site checks of cookie writes; the
 * rate-limited password check of the sign-in routes */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "auth.h"
#include "cfg.h"
#include "jsonx.h"
#include "log.h"
#include "password.h"
#include "ratelimit.h"
#include "session.h"
#include "util.h"

/* A cost-10 bcrypt hash (of "123456") checked for unknown users, so a wrong
 * name takes as long as a wrong password; the result is ignored. */
#define TIMING_HASH	"$2a$10$ZpYfx5rH2TUwcgIiDEWi3eVB/JMdYJUAdJetpn6K3edXP88kE./TK"
#define CRITICAL_WINDOW_MS	(20 * 60 * 1000LL)	/* One API's CRITICAL_RATE_LIMIT window */

/* The user row for by_id (id) or else by access token: GW_OK with u
 * filled (strings in the arena), GW_ENOTFOUND, GW_EDB. */
static int
load_user(struct req *r, int64_t id, const char *access_token, struct req_user *u)
{
	struct db_stmt *st = NULL;
	int rc;

	if (access_token == NULL)
		rc = db_query(r->db, &st, "SELECT id, username, role, status, `group` FROM users WHERE id = ?",
		    DB_ARGS(DB_I(id)));
	else
		rc = db_query(r->db, &st, "SELECT id, username, role, status, `group` FROM users "
		    "WHERE access_token = ? LIMIT 1", DB_ARGS(DB_S(access_token)));
	if (rc != GW_OK)
		return rc;
	switch (db_next(st)) {
	case 1:
		u->id = db_int(st, 0);
		u->username = arena_strdup(&r->arena, db_text(st, 1));
		u->role = (int)db_int(st, 2);
		u->status = (int)db_int(st, 3);
		u->group = arena_strdup(&r->arena, db_text(st, 4));
		rc = u->username && u->group ? GW_OK : GW_ENOMEM;
		/* One API: a user row without a username is no user */
		if (rc == GW_OK && u->username[0] == '\0')
			rc = GW_ENOTFOUND;
		break;
	case 0:
		rc = GW_ENOTFOUND;
		break;
	default:
		rc = GW_EDB;
	}
	db_done(st);
	return rc;
}

int
auth_origin_matches(const char *v, const char *host, const char *own)
{
	const char *p, *e;
	size_t n, ol;

	if (v == NULL || (p = strstr(v, "://")) == NULL)
		return 0;
	p += 3;
	e = p + strcspn(p, "/?#");
	n = (size_t)(e - p);
	if (host != NULL && n > 0 && strlen(host) == n && strncasecmp(p, host, n) == 0)
		return 1;
	/* behind a proxy that rewrites Host: the configured public address */
	if (own == NULL)
		return 0;
	ol = strcspn(own, "?#");
	while (ol > 0 && own[ol - 1] == '/')
		ol--;
	return ol > 0 && (size_t)(e - v) == ol && strncasecmp(v, own, ol) == 0;
}

/* Does an Origin or Referer value name this server? */
static int
same_origin(struct req *r, const char *v)
{
	return auth_origin_matches(v, req_header(r, "Host"), cfg->server_address);
}

int
auth_cross_site(struct req *r)
{
	const char *o = req_header(r, "Origin"), *ref = req_header(r, "Referer");
	const char *site = req_header(r, "Sec-Fetch-Site");

	if (site != NULL && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
		return 1;
	if (o != NULL && o[0] != '\0')
		return !same_origin(r, o);
	return ref != NULL && ref[0] != '\0' && !same_origin(r, ref);
}

int
auth_same_origin(struct req *r)
{
	const char *o = req_header(r, "Origin"), *ref = req_header(r, "Referer");

	if (auth_cross_site(r))
		return 0;
	/* only a browser's own word is evidence */
	return (o != NULL && o[0] != '\0') || (ref != NULL && ref[0] != '\0') ||
	    req_header(r, "Sec-Fetch-Site") != NULL;
}

/* Content-Type application/json (any parameters, any case). */
static int
is_json(struct req *r)
{
	const char *ct = req_env(r, "CONTENT_TYPE");
	size_t n = strlen("application/json");

	if (ct == NULL)
		return 0;
	while (*ct == ' ')
		ct++;
	return strncasecmp(ct, "application/json", n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* A cookie carries itself to cross-site requests; a script's token does
 * not. Writes under /api/ that ride on the cookie must therefore be JSON
 * (an HTML form or a no-CORS fetch cannot send that; a body-less DELETE or
 * PUT needs a CORS preflight we never grant) and, when the browser says
 * where they come from, come from here. */
static int
cookie_write_ok(struct req *r)
{
	const char *o = req_header(r, "Origin"), *ref = req_header(r, "Referer");
	const char *len = req_env(r, "CONTENT_LENGTH");
	int body = len != NULL && len[0] != '\0' && strcmp(len, "0") != 0;

	if (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0 ||
	    strcmp(r->method, "OPTIONS") == 0)
		return 1;
	if ((strcmp(r->method, "POST") == 0 || body) && !is_json(r))
		return 0;
	if (o != NULL && o[0] != '\0' && strcmp(o, "null") != 0)
		return same_origin(r, o);
	if (o != NULL && strcmp(o, "null") == 0)
		return 0;
	if (ref != NULL && ref[0] != '\0')
		return same_origin(r, ref);
	return 1;
}

/* Who is calling: the cookie's user when its session is live, else the
 * access token's. GW_OK (u filled, *by_cookie set), GW_EAUTH (no header
 * either), GW_ENOTFOUND (a header that names nobody), GW_EDB/GW_ENOMEM. */
static int
resolve(struct req *r, struct req_user *u, int *by_cookie)
{
	const char *hdr;
	int64_t id;
	int rc = GW_ENOTFOUND;

	*by_cookie = 0;
	if (req_cookie(r, "session") != NULL) {
		rc = session_user(r, &id);
		if (rc == GW_OK)
			rc = load_user(r, id, NULL, u);
		else if (rc == GW_EAUTH)
			rc = GW_ENOTFOUND;
		if (rc != GW_ENOTFOUND) {
			*by_cookie = rc == GW_OK;
			return rc;
		}
	}
	hdr = req_header(r, "Authorization");
	if (hdr == NULL || hdr[0] == '\0')
		return GW_EAUTH;
	if (strncmp(hdr, "Bearer ", 7) == 0)
		hdr += 7;
	return hdr[0] ? load_user(r, 0, hdr, u) : GW_ENOTFOUND;
}

/* The user is read from the database on every request, so a role change,
 * a ban or a deletion takes effect at once; the cookie must also carry the
 * user's current session generation. */
int
auth_user(struct req *r, int min_role)
{
	struct req_user u = { 0 };
	int by_cookie, rc, cookie = req_cookie(r, "session") != NULL;

	rc = resolve(r, &u, &by_cookie);
	if (rc == GW_EDB || rc == GW_ENOMEM) {
		api_fail(r, 500, "数据库错误");
		return rc;
	}
	if (rc == GW_EAUTH) {
		if (cookie)
			session_clear(r);	/* revoked or forged: drop it */
		api_fail(r, 401, "无权进行此操作，未登录且未提供 access token");
		return GW_EAUTH;
	}
	if (rc != GW_OK) {
		api_fail(r, 200, "无权进行此操作，access token 无效");
		return GW_EAUTH;
	}
	if (u.status != 1) {
		api_fail(r, 200, "用户已被封禁");
		if (cookie)
			session_clear(r);
		return GW_EFORBIDDEN;
	}
	if (u.role < min_role) {
		api_fail(r, 200, "无权进行此操作，权限不足");
		return GW_EFORBIDDEN;
	}
	if (by_cookie && !cookie_write_ok(r)) {
		log_warn("req=%s cross-site or non-JSON cookie write refused", r->id);
		api_fail(r, 403, "跨站请求被拒绝 (cross-site request refused: send JSON from this site, "
		    "or use an access token)");
		return GW_EFORBIDDEN;
	}
	r->user = u;
	r->authed = 1;
	return GW_OK;
}

int
auth_peek(struct req *r, struct req_user *u)
{
	int by_cookie;

	memset(u, 0, sizeof(*u));
	if (resolve(r, u, &by_cookie) != GW_OK || u->status != 1) {
		memset(u, 0, sizeof(*u));
		return GW_EAUTH;
	}
	return GW_OK;
}

/* Seconds to wait, rounded up, at least 1. */
static int64_t
retry_sec(int64_t ms)
{
	return ms <= 0 ? 1 : (ms + 999) / 1000;
}

/* "ip:" + the address; an IPv6 address by its /64, which one customer
 * usually gets whole (so rotating inside it gains nothing). */
static void
client_key(char *key, size_t n, const char *addr)
{
	unsigned char a6[16];
	char hex[17];

	if (strchr(addr, ':') != NULL && inet_pton(AF_INET6, addr, a6) == 1 &&
	    !(memcmp(a6, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)) {
		hex_encode(hex, a6, 8);
		snprintf(key, n, "ip6:%s", hex);
		return;
	}
	snprintf(key, n, "ip:%s", addr);
}

int
auth_critical_limit(struct req *r, int64_t *retry_s)
{
	char key[RL_KEY_MAX];
	int64_t ms = 0;

	client_key(key, sizeof(key), r->remote_addr ? r->remote_addr : "");
	if (rl_allow(key, (int)cfg->critical_rate_limit, CRITICAL_WINDOW_MS, now_ms(), &ms) == GW_OK)
		return GW_OK;
	*retry_s = retry_sec(ms);
	resp_header(r, "Retry-After", arena_printf(&r->arena, "%lld", (long long)*retry_s));
	log_warn("req=%s %s: too many sign-in requests from this address", r->id, r->path);
	return GW_ELIMIT;
}

/* "user:" + the name trimmed and lowercased, as usernames compare. */
static void
fail_key(char *key, size_t n, const char *name)
{
	size_t i, o = 5;

	memcpy(key, "user:", 5);
	while (*name == ' ' || *name == '\t')
		name++;
	for (i = 0; name[i] && o + 1 < n; i++)
		key[o++] = (char)tolower((unsigned char)name[i]);
	while (o > 5 && (key[o - 1] == ' ' || key[o - 1] == '\t'))
		o--;
	key[o] = '\0';
}

int
auth_password(struct req *r, const char *name, const char *pw, struct user *u, int64_t *retry_s)
{
	char key[RL_KEY_MAX];
	int64_t ms = 0;
	int rc;

	fail_key(key, sizeof(key), name);
	if (rl_fail_wait(key, now_ms(), &ms) != GW_OK) {
		*retry_s = retry_sec(ms);
		resp_header(r, "Retry-After", arena_printf(&r->arena, "%lld", (long long)*retry_s));
		log_warn("req=%s sign-in for a name with repeated failures: slowed down", r->id);
		return GW_ELIMIT;
	}
	rc = users_get_for_login(r->db, &r->arena, name, u);
	if (rc == GW_ENOTFOUND) {
		(void)password_verify(pw, TIMING_HASH);
		rl_fail_note(key, now_ms());
		return GW_EAUTH;
	}
	if (rc != GW_OK)
		return rc;
	if (!password_verify(pw, u->password)) {
		rl_fail_note(key, now_ms());
		return GW_EAUTH;
	}
	rl_fail_clear(key);
	return u->status == USER_STATUS_ENABLED ? GW_OK : GW_EFORBIDDEN;
}
