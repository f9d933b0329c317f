/* fcgi/relay_auth.c: API-key authentication of /v1 requests (One API's
 * middleware.TokenAuth and model.ValidateUserToken) */
#include <arpa/inet.h>
#include <string.h>
#include "relay_auth.h"
#include "cache.h"
#include "db.h"
#include "jsonx.h"
#include "log.h"
#include "util.h"

/* One API's token and user status values (model/token.go, model/user.go). */
enum {
	TOKEN_ENABLED = 1,
	TOKEN_EXPIRED = 3,
	TOKEN_EXHAUSTED = 4,
	USER_ENABLED = 1,
	ROLE_ADMIN = 10,
};

#define KEY_MAX 256	/* longer credentials cannot be ours (keys are 48 chars) */
#define ONE_API_ERR "one_api_error"

/* Go's strings.TrimSpace for the ASCII white space a header can carry. */
static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * Parse an IP address (Go net.ParseIP: dotted IPv4 or IPv6, no zone) into
 * its 16-byte form, IPv4 as ::ffff:a.b.c.d. n bytes of s; 1 on success.
 */
static int
ip_parse(const char *s, size_t n, unsigned char out[16])
{
	char tmp[INET6_ADDRSTRLEN + 1];
	unsigned char v4[4];

	if (n == 0 || n >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, v4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, v4, 4);
		return 1;
	}
	return inet_pton(AF_INET6, tmp, out) == 1;
}

/* Is a 16-byte address an IPv4 (Go's To4() != nil)? */
static int
ip_is4(const unsigned char a[16])
{
	static const unsigned char pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(a, pfx, sizeof(pfx)) == 0;
}

/* Do a and b agree in their first bits bits? */
static int
prefix_equal(const unsigned char *a, const unsigned char *b, int bits)
{
	int full = bits / 8, rest = bits % 8;
	unsigned char m;

	if (memcmp(a, b, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	m = (unsigned char)(0xff << (8 - rest));
	return (a[full] & m) == (b[full] & m);
}

/*
 * Does the 16-byte ip lie inside one CIDR "addr/bits" (n bytes, trimmed)?
 * Go's net.ParseCIDR + IPNet.Contains: bits is decimal up to 32 (IPv4) or
 * 128 (IPv6); an IPv4-mapped IPv6 network is compared as IPv4 with the
 * low 32 bits of its mask; an IPv4 address never matches an IPv6 network
 * and vice versa. Malformed CIDRs never match.
 */
static int
cidr_contains(const char *s, size_t n, const unsigned char ip[16])
{
	unsigned char net[16];
	const char *slash = memchr(s, '/', n);
	size_t alen, i, blen;
	int bits = 0, v4text;

	if (slash == NULL)
		return 0;
	alen = (size_t)(slash - s);
	blen = n - alen - 1;
	if (alen == 0 || blen == 0 || blen > 3)
		return 0;
	for (i = 0; i < blen; i++) {
		char c = slash[1 + i];
		if (c < '0' || c > '9')
			return 0;
		bits = bits * 10 + (c - '0');
	}
	if (!ip_parse(s, alen, net))
		return 0;
	v4text = memchr(s, ':', alen) == NULL;
	if (bits > (v4text ? 32 : 128))
		return 0;
	if (ip_is4(net)) {
		if (!v4text)
			bits = bits > 96 ? bits - 96 : 0;
		return ip_is4(ip) && prefix_equal(net + 12, ip + 12, bits);
	}
	return !ip_is4(ip) && prefix_equal(net, ip, bits);
}

int
relay_ip_in_subnets(const char *ip, const char *subnets)
{
	unsigned char addr[16];
	const char *p, *a, *b, *comma;

	if (ip == NULL || subnets == NULL)
		return 0;
	a = ip;
	b = ip + strlen(ip);
	while (a < b && is_space(*a))
		a++;
	while (b > a && is_space(b[-1]))
		b--;
	if (!ip_parse(a, (size_t)(b - a), addr))
		return 0;
	/* network.IsIpInSubnets: split on ",", trim, any entry may match */
	for (p = subnets;; p = comma + 1) {
		comma = strchr(p, ',');
		a = p;
		b = comma ? comma : p + strlen(p);
		while (a < b && is_space(*a))
			a++;
		while (b > a && is_space(b[-1]))
			b--;
		if (cidr_contains(a, (size_t)(b - a), addr))
			return 1;
		if (comma == NULL)
			return 0;
	}
}

/* The credential: Authorization, else X-Api-Key, else Api-Key (LK order);
 * white space trimmed, "Bearer " (any case) and "sk-" stripped. Arena copy
 * or "" when there is none. */
static char *
read_credential(struct req *r)
{
	static const char *const hdrs[] = { "Authorization", "X-Api-Key", "Api-Key" };
	const char *v = NULL, *e;
	size_t i;

	for (i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
		v = req_header(r, hdrs[i]);
		if (v != NULL) {
			while (is_space(*v))
				v++;
			if (*v != '\0')
				break;
		}
		v = NULL;
	}
	if (v == NULL)
		return arena_strdup(&r->arena, "");
	if (str_iprefix(v, "Bearer "))
		v += 7;
	while (is_space(*v))
		v++;
	if (strncmp(v, "sk-", 3) == 0)
		v += 3;
	e = v + strlen(v);
	while (e > v && is_space(e[-1]))
		e--;
	return arena_strndup(&r->arena, v, (size_t)(e - v));
}

/* Write One API's middleware abort (fixed message) and return rc. */
static int
fail(struct req *r, int status, int rc, const char *msg)
{
	(void)oai_error(r, status, ONE_API_ERR, NULL, "%s", msg);
	return rc;
}

/* The token row as relay_auth reads it (tokens WHERE key = ?). */
struct token_row {
	int64_t id, user_id, status, expired, remain, unlimited, accessed;
	const char *name, *models, *subnet;	/* models, subnet may be NULL */
};

/* The owner's row (users WHERE id = ?); found 0 = no such user. */
struct user_row {
	int64_t found, role, status, quota;
	const char *username, *group;
};

/* Their places in a cached value (cache.h), integers then strings. */
enum { TI_ID, TI_USER, TI_STATUS, TI_EXPIRED, TI_REMAIN, TI_UNLIMITED, TI_ACCESSED, TI__MAX };
enum { TS_NAME, TS_MODELS, TS_SUBNET, TS__MAX };
enum { UI_FOUND, UI_ROLE, UI_STATUS, UI_QUOTA, UI__MAX };
enum { US_NAME, US_GROUP, US__MAX };

/*
 * The token row of key: from the cache unless fresh is set, else from the
 * database (and then cached). *cached says which. Strings in the arena.
 * GW_OK, GW_ENOTFOUND (unknown keys are not cached), GW_EDB, GW_ENOMEM.
 */
static int
token_row(struct req *r, const char *key, int fresh, struct token_row *t, int *cached)
{
	struct cache_rec c;
	struct db_stmt *st;
	size_t klen = strlen(key);
	uint64_t gen;
	int rc;

	*cached = 0;
	if (fresh)
		cache_drop(CACHE_TOKEN, key, klen);
	else if (cache_get(CACHE_TOKEN, key, klen, &r->arena, &c) && c.ni == TI__MAX && c.ns == TS__MAX) {
		t->id = c.i[TI_ID];
		t->user_id = c.i[TI_USER];
		t->status = c.i[TI_STATUS];
		t->expired = c.i[TI_EXPIRED];
		t->remain = c.i[TI_REMAIN];
		t->unlimited = c.i[TI_UNLIMITED];
		t->accessed = c.i[TI_ACCESSED];
		t->name = c.s[TS_NAME] ? c.s[TS_NAME] : "";
		t->models = c.s[TS_MODELS];
		t->subnet = c.s[TS_SUBNET];
		*cached = 1;
		return GW_OK;
	}
	gen = cache_gen(CACHE_TOKEN);	/* before the read: a write meanwhile wins */
	if (db_query(r->db, &st, "SELECT id, user_id, status, name, expired_time, remain_quota, "
	    "unlimited_quota, models, subnet, accessed_time FROM tokens WHERE `key` = ?",
	    DB_ARGS(DB_S(key))) != GW_OK)
		return GW_EDB;
	rc = db_next(st);
	if (rc <= 0) {
		db_done(st);
		return rc < 0 ? GW_EDB : GW_ENOTFOUND;
	}
	t->id = db_int(st, 0);
	t->user_id = db_int(st, 1);
	t->status = db_int(st, 2);
	t->name = arena_strdup(&r->arena, db_text(st, 3));
	t->expired = db_isnull(st, 4) ? -1 : db_int(st, 4);
	t->remain = db_int(st, 5);
	t->unlimited = db_int(st, 6) != 0;
	t->models = db_isnull(st, 7) ? NULL : arena_strdup(&r->arena, db_text(st, 7));
	t->subnet = db_isnull(st, 8) || *db_text(st, 8) == '\0' ? NULL :
	    arena_strdup(&r->arena, db_text(st, 8));
	t->accessed = db_int(st, 9);
	rc = t->name == NULL || (t->models == NULL && !db_isnull(st, 7)) ||
	    (t->subnet == NULL && !db_isnull(st, 8) && *db_text(st, 8) != '\0') ? GW_ENOMEM : GW_OK;
	db_done(st);
	if (rc == GW_OK) {
		const int64_t ints[TI__MAX] = { t->id, t->user_id, t->status, t->expired, t->remain,
			t->unlimited, t->accessed };
		const char *strs[TS__MAX] = { t->name, t->models, t->subnet };
		cache_put(CACHE_TOKEN, key, klen, gen, ints, TI__MAX, strs, TS__MAX);
	}
	return rc;
}

/* The owner's row, like token_row; a missing user is a row with found 0
 * (and is cached as such). GW_OK, GW_EDB, GW_ENOMEM. */
static int
user_row(struct req *r, int64_t id, int fresh, struct user_row *u, int *cached)
{
	struct cache_rec c;
	struct db_stmt *st;
	uint64_t gen;
	int rc;

	*cached = 0;
	memset(u, 0, sizeof(*u));
	if (fresh)
		cache_drop(CACHE_USER, &id, sizeof(id));
	else if (cache_get(CACHE_USER, &id, sizeof(id), &r->arena, &c) && c.ni == UI__MAX &&
	    c.ns == US__MAX) {
		u->found = c.i[UI_FOUND];
		u->role = c.i[UI_ROLE];
		u->status = c.i[UI_STATUS];
		u->quota = c.i[UI_QUOTA];
		u->username = c.s[US_NAME] ? c.s[US_NAME] : "";
		u->group = c.s[US_GROUP] ? c.s[US_GROUP] : "";
		*cached = 1;
		return GW_OK;
	}
	gen = cache_gen(CACHE_USER);
	if (db_query(r->db, &st, "SELECT username, role, status, `group`, quota FROM users WHERE id = ?",
	    DB_ARGS(DB_I(id))) != GW_OK)
		return GW_EDB;
	rc = db_next(st);
	if (rc < 0) {
		db_done(st);
		return GW_EDB;
	}
	u->username = "";
	u->group = "";
	if (rc > 0) {
		u->found = 1;
		u->username = arena_strdup(&r->arena, db_text(st, 0));
		u->role = db_int(st, 1);
		u->status = db_int(st, 2);
		u->group = arena_strdup(&r->arena, db_text(st, 3));
		u->quota = db_int(st, 4);
	}
	db_done(st);
	if (u->username == NULL || u->group == NULL)
		return GW_ENOMEM;
	{
		const int64_t ints[UI__MAX] = { u->found, u->role, u->status, u->quota };
		const char *strs[US__MAX] = { u->username, u->group };
		cache_put(CACHE_USER, &id, sizeof(id), gen, ints, UI__MAX, strs, US__MAX);
	}
	return GW_OK;
}

/* What ValidateUserToken and TokenAuth make of the rows, in their order. */
enum verdict {
	V_OK,
	V_EXHAUSTED,		/* status 4 */
	V_EXPIRED,		/* status 3 */
	V_UNAVAILABLE,		/* any other status but 1 */
	V_EXPIRED_NOW,		/* expired_time passed: mark 3 */
	V_NO_QUOTA,		/* nothing left, not unlimited: mark 4 */
	V_SUBNET,		/* client outside the token's subnets */
	V_USER_OFF,		/* owner missing or not enabled */
	V_NO_PIN,		/* channel suffix from a non-admin */
};

static enum verdict
judge(const struct token_row *t, const struct user_row *u, const char *ip, int pinned, int64_t now)
{
	if (t->status == TOKEN_EXHAUSTED)
		return V_EXHAUSTED;
	if (t->status == TOKEN_EXPIRED)
		return V_EXPIRED;
	if (t->status != TOKEN_ENABLED)
		return V_UNAVAILABLE;
	if (t->expired != -1 && t->expired < now)
		return V_EXPIRED_NOW;
	if (!t->unlimited && t->remain <= 0)
		return V_NO_QUOTA;
	if (t->subnet != NULL && !relay_ip_in_subnets(ip, t->subnet))
		return V_SUBNET;
	if (u == NULL)
		return V_OK;	/* not read yet */
	if (!u->found || u->status != USER_ENABLED)
		return V_USER_OFF;
	if (pinned && u->role < ROLE_ADMIN)
		return V_NO_PIN;
	return V_OK;
}

/* Mark the token expired or exhausted, as ValidateUserToken does (without
 * Redis), and forget its cached row; a failure is logged only, the request
 * is refused either way. */
static void
mark_token(struct db *db, const char *key, int64_t id, int status)
{
	if (db_exec(db, "UPDATE tokens SET status = ? WHERE id = ? AND status = ?",
	    DB_ARGS(DB_I(status), DB_I(id), DB_I(TOKEN_ENABLED)), NULL) != GW_OK)
		log_error("relay_auth: cannot mark token %lld status %d", (long long)id, status);
	cache_drop(CACHE_TOKEN, key, strlen(key));
}

int
relay_auth(struct req *r, struct relay_token *t)
{
	struct token_row tr;
	struct user_row ur;
	enum verdict v;
	char *key, *suffix;
	const char *ip;
	int64_t now = now_sec();
	int rc, fresh, tcached, ucached;

	memset(t, 0, sizeof(*t));
	key = read_credential(r);
	if (key == NULL)
		return fail(r, 500, GW_ENOMEM, "out of memory");
	/* "KEY-CHANNEL": parts[0] is the key, parts[1] a pinned channel */
	suffix = strchr(key, '-');
	if (suffix != NULL) {
		*suffix++ = '\0';
		suffix[strcspn(suffix, "-")] = '\0';
	}
	if (*key == '\0')
		return fail(r, 401, GW_EAUTH, "未提供令牌");
	if (strlen(key) > KEY_MAX)
		return fail(r, 401, GW_EAUTH, "无效的令牌");
	/* the client address as the web server saw it (never X-Forwarded-For) */
	ip = r->remote_addr && *r->remote_addr ? r->remote_addr : req_env(r, "REMOTE_ADDR");
	if (ip == NULL)
		ip = "";

	/* cached rows first; anything that would refuse is read again */
	for (fresh = 0;; fresh = 1) {
		rc = token_row(r, key, fresh, &tr, &tcached);
		if (rc == GW_ENOTFOUND)
			return fail(r, 401, GW_EAUTH, "无效的令牌");
		if (rc != GW_OK)
			return fail(r, 500, rc, rc == GW_ENOMEM ? "out of memory" : "令牌验证失败");
		v = judge(&tr, NULL, ip, suffix != NULL, now);
		ucached = 0;
		if (v == V_OK) {
			if ((rc = user_row(r, tr.user_id, fresh, &ur, &ucached)) != GW_OK)
				return fail(r, 500, rc, rc == GW_ENOMEM ? "out of memory" : "internal error");
			v = judge(&tr, &ur, ip, suffix != NULL, now);
		}
		if (fresh || (!tcached && !ucached))
			break;
		/* a cached user quota at or below zero is not trusted either */
		if (v == V_OK && !(ucached && ur.quota <= 0))
			break;
	}

	switch (v) {
	case V_OK:
		break;
	case V_EXHAUSTED:
		(void)oai_error(r, 401, ONE_API_ERR, NULL, "令牌 %s（#%lld）额度已用尽", tr.name,
		    (long long)tr.id);
		return GW_EAUTH;
	case V_EXPIRED:
		return fail(r, 401, GW_EAUTH, "该令牌已过期");
	case V_UNAVAILABLE:
		return fail(r, 401, GW_EAUTH, "该令牌状态不可用");
	case V_EXPIRED_NOW:
		mark_token(r->db, key, tr.id, TOKEN_EXPIRED);
		return fail(r, 401, GW_EAUTH, "该令牌已过期");
	case V_NO_QUOTA:
		mark_token(r->db, key, tr.id, TOKEN_EXHAUSTED);
		return fail(r, 401, GW_EAUTH, "该令牌额度已用尽");
	case V_SUBNET:
		(void)oai_error(r, 403, ONE_API_ERR, NULL, "该令牌只能在指定网段使用：%s，当前 ip：%s",
		    tr.subnet, ip);
		return GW_EFORBIDDEN;
	case V_USER_OFF:
		/* a missing user reads as disabled (IsUserEnabled finds status 0) */
		return fail(r, 403, GW_EFORBIDDEN, "用户已被封禁");
	case V_NO_PIN:
		return fail(r, 403, GW_EFORBIDDEN, "普通用户不支持指定渠道");
	}

	t->key = key;
	t->id = tr.id;
	t->user_id = tr.user_id;
	t->name = tr.name;
	t->unlimited = tr.unlimited != 0;
	t->remain_quota = tr.remain;
	t->models = tr.models;
	t->username = ur.username;
	t->role = (int)ur.role;
	t->group = ur.group;
	t->user_quota = ur.quota;
	/* Distribute's strconv.Atoi of the suffix */
	if (suffix != NULL && parse_i64(suffix, 1, INT64_MAX, &t->specific_channel) != GW_OK) {
		memset(t, 0, sizeof(*t));
		return fail(r, 400, GW_EINPUT, "无效的渠道 Id");
	}

	/* accessed_time, written at most once a second per token */
	if (tr.accessed < now) {
		if (db_exec(r->db, "UPDATE tokens SET accessed_time = ? WHERE id = ?",
		    DB_ARGS(DB_I(now), DB_I(tr.id)), NULL) != GW_OK)
			log_warn("relay_auth: cannot update accessed_time of token %lld", (long long)tr.id);
		else
			(void)cache_set_int(CACHE_TOKEN, key, strlen(key), TI_ACCESSED, now);
	}
	return GW_OK;
}

void
relay_auth_quota_moved(const struct relay_token *t, int64_t amount)
{
	if (t == NULL || amount == 0)
		return;
	if (!t->unlimited && t->key != NULL)
		(void)cache_add_int(CACHE_TOKEN, t->key, strlen(t->key), TI_REMAIN, -amount);
	(void)cache_add_int(CACHE_USER, &t->user_id, sizeof(t->user_id), UI_QUOTA, -amount);
}

void
relay_auth_forget(const struct relay_token *t)
{
	if (t == NULL)
		return;
	if (t->key != NULL)
		cache_drop(CACHE_TOKEN, t->key, strlen(t->key));
	cache_drop(CACHE_USER, &t->user_id, sizeof(t->user_id));
}

int
relay_token_allows(const struct relay_token *t, const char *model)
{
	const char *p, *e;
	size_t n;

	/* isModelInList: split on ",", exact match, no trimming */
	if (t->models == NULL || *t->models == '\0' || model == NULL || *model == '\0')
		return 1;
	n = strlen(model);
	for (p = t->models;; p = e + 1) {
		e = strchr(p, ',');
		if ((e ? (size_t)(e - p) : strlen(p)) == n && memcmp(p, model, n) == 0)
			return 1;
		if (e == NULL)
			break;
	}
	return 0;
}

int
relay_auth_model(struct req *r, const struct relay_token *t, const char *model)
{
	if (relay_token_allows(t, model))
		return GW_OK;
	(void)oai_error(r, 403, ONE_API_ERR, NULL, "该令牌无权使用模型：%s", model);
	return GW_EFORBIDDEN;
}
