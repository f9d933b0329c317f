/* fcgi/relay_auth.c: API-key authentication of /v1 requests (One API's
 * middleware.TokenAuth and model.ValidateUserToken) */
#include <arpa/inet.h>
#include <string.h>
#include "relay_auth.h"
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

/* Mark the token expired or exhausted, as ValidateUserToken does (without
 * Redis); a failure is logged only, the request is refused either way. */
static void
mark_token(struct db *db, int64_t id, int status)
{
	if (db_exec(db, "UPDATE tokens SET status = ? WHERE id = ? AND status = ?",
	    DB_ARGS(DB_I(status), DB_I(id), DB_I(TOKEN_ENABLED)), NULL) != GW_OK)
		log_error("relay_auth: cannot mark token %lld status %d", (long long)id, status);
}

int
relay_auth(struct req *r, struct relay_token *t)
{
	struct db_stmt *st = NULL;
	char *key, *suffix;
	const char *subnet = NULL, *ip;
	int64_t status, expired, accessed, now = now_sec();
	int rc, ustatus;

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

	if (db_query(r->db, &st, "SELECT id, user_id, status, name, expired_time, remain_quota, "
	    "unlimited_quota, models, subnet, accessed_time FROM tokens WHERE `key` = ?",
	    DB_ARGS(DB_S(key))) != GW_OK)
		return fail(r, 500, GW_EDB, "令牌验证失败");
	rc = db_next(st);
	if (rc <= 0) {
		db_done(st);
		if (rc < 0)
			return fail(r, 500, GW_EDB, "令牌验证失败");
		return fail(r, 401, GW_EAUTH, "无效的令牌");
	}
	t->id = db_int(st, 0);
	t->user_id = db_int(st, 1);
	status = db_int(st, 2);
	t->name = arena_strdup(&r->arena, db_text(st, 3));
	expired = db_isnull(st, 4) ? -1 : db_int(st, 4);
	t->remain_quota = db_int(st, 5);
	t->unlimited = db_int(st, 6) != 0;
	t->models = db_isnull(st, 7) ? NULL : arena_strdup(&r->arena, db_text(st, 7));
	if (!db_isnull(st, 8) && *db_text(st, 8) != '\0')
		subnet = arena_strdup(&r->arena, db_text(st, 8));
	accessed = db_int(st, 9);
	db_done(st);
	if (t->name == NULL)
		return fail(r, 500, GW_ENOMEM, "out of memory");

	/* ValidateUserToken, in its order */
	if (status == TOKEN_EXHAUSTED) {
		(void)oai_error(r, 401, ONE_API_ERR, NULL, "令牌 %s（#%lld）额度已用尽", t->name,
		    (long long)t->id);
		return GW_EAUTH;
	}
	if (status == TOKEN_EXPIRED)
		return fail(r, 401, GW_EAUTH, "该令牌已过期");
	if (status != TOKEN_ENABLED)
		return fail(r, 401, GW_EAUTH, "该令牌状态不可用");
	if (expired != -1 && expired < now) {
		mark_token(r->db, t->id, TOKEN_EXPIRED);
		return fail(r, 401, GW_EAUTH, "该令牌已过期");
	}
	if (!t->unlimited && t->remain_quota <= 0) {
		mark_token(r->db, t->id, TOKEN_EXHAUSTED);
		return fail(r, 401, GW_EAUTH, "该令牌额度已用尽");
	}

	/* the client address as the web server saw it (never X-Forwarded-For) */
	if (subnet != NULL) {
		ip = r->remote_addr && *r->remote_addr ? r->remote_addr : req_env(r, "REMOTE_ADDR");
		if (ip == NULL)
			ip = "";
		if (!relay_ip_in_subnets(ip, subnet)) {
			(void)oai_error(r, 403, ONE_API_ERR, NULL, "该令牌只能在指定网段使用：%s，当前 ip：%s",
			    subnet, ip);
			return GW_EFORBIDDEN;
		}
	}

	/* the owner: a missing user reads as disabled (IsUserEnabled finds status 0) */
	if (db_query(r->db, &st, "SELECT username, role, status, `group`, quota FROM users WHERE id = ?",
	    DB_ARGS(DB_I(t->user_id))) != GW_OK)
		return fail(r, 500, GW_EDB, "internal error");
	rc = db_next(st);
	if (rc < 0) {
		db_done(st);
		return fail(r, 500, GW_EDB, "internal error");
	}
	ustatus = 0;
	if (rc > 0) {
		t->username = arena_strdup(&r->arena, db_text(st, 0));
		t->role = (int)db_int(st, 1);
		ustatus = (int)db_int(st, 2);
		t->group = arena_strdup(&r->arena, db_text(st, 3));
		t->user_quota = db_int(st, 4);
	}
	db_done(st);
	if (ustatus != USER_ENABLED)
		return fail(r, 403, GW_EFORBIDDEN, "用户已被封禁");
	if (t->username == NULL || t->group == NULL)
		return fail(r, 500, GW_ENOMEM, "out of memory");

	if (suffix != NULL) {
		if (t->role < ROLE_ADMIN)
			return fail(r, 403, GW_EFORBIDDEN, "普通用户不支持指定渠道");
		/* Distribute's strconv.Atoi of the suffix */
		if (parse_i64(suffix, 1, INT64_MAX, &t->specific_channel) != GW_OK)
			return fail(r, 400, GW_EINPUT, "无效的渠道 Id");
	}

	/* accessed_time, written at most once a second per token */
	if (accessed < now && db_exec(r->db, "UPDATE tokens SET accessed_time = ? WHERE id = ?",
	    DB_ARGS(DB_I(now), DB_I(t->id)), NULL) != GW_OK)
		log_warn("relay_auth: cannot update accessed_time of token %lld", (long long)t->id);
	return GW_OK;
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
