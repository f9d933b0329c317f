/* handlers/ui.c: admin page chrome (sign-in check, CSRF, rendering, error
 * pages, static files) and the login, logout and dashboard pages */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include "handlers.h"
#include "auth.h"
#include "ui.h"
#include "dispatch.h"
#include "options.h"
#include "session.h"
#include "tmpl.h"
#include "users.h"
#include "log.h"
#include "util.h"

#define CSRF_HEX (2 * 32)
#define HTML "text/html; charset=utf-8"

/* Flash messages a redirect may name with ?msg=; nothing else is shown. */
static const struct { const char *code, *text; } flashes[] = {
	{ "channel_created", "Channel created." },
	{ "channel_deleted", "Channel deleted." },
	{ "channel_enabled", "Channel enabled." },
	{ "channel_disabled", "Channel disabled." },
	{ "token_created", "Token created." },
	{ "token_deleted", "Token deleted." },
	{ "user_created", "User created." },
	{ "user_enabled", "User enabled." },
	{ "user_disabled", "User disabled." },
};

/* The per-page headers: never cached, never framed, scripts only from us. */
static void
page_headers(struct req *r)
{
	resp_header(r, "Cache-Control", "no-store");
	resp_header(r, "X-Content-Type-Options", "nosniff");
	resp_header(r, "X-Frame-Options", "DENY");
	resp_header(r, "Referrer-Policy", "same-origin");
	resp_header(r, "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
	    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'");
}

const char *
ui_role_name(int role)
{
	if (role >= ROLE_ROOT)
		return "root";
	if (role >= ROLE_ADMIN)
		return "admin";
	if (role >= ROLE_COMMON)
		return "common";
	return "guest";
}

/* Lowercase hex SHA-256 of "csrf:" + the session cookie into out. */
static int
csrf_token(const char *cookie, char out[CSRF_HEX + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok;

	if (c == NULL)
		return GW_ENOMEM;
	ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(c, "csrf:", 5) == 1 &&
	    EVP_DigestUpdate(c, cookie, strlen(cookie)) == 1 &&
	    EVP_DigestFinal_ex(c, md, &mdlen) == 1 && mdlen == 32;
	EVP_MD_CTX_free(c);
	if (!ok)
		return GW_EIO;
	hex_encode(out, md, 32);
	return GW_OK;
}

int
ui_error(struct req *r, int status)
{
	json_t *ctx = ui_ctx(r, NULL, NULL, http_reason(status));
	struct buf *b = &r->resp.body;
	const struct tmpl *t = tmpl_get("error");

	if (ctx) {
		json_object_del(ctx, "flash");
		json_object_set_new(ctx, "status", json_integer(status));
		json_object_set_new(ctx, "reason", json_string(http_reason(status)));
	}
	buf_reset(b);
	page_headers(r);
	r->resp.status = status;
	r->resp.ctype = HTML;
	if (ctx == NULL || t == NULL || tmpl_render(t, ctx, tmpl_resolve_embedded, NULL, b) != GW_OK) {
		char line[200];
		buf_reset(b);
		r->resp.ctype = "text/plain; charset=utf-8";
		snprintf(line, sizeof(line), "%d %s\nrequest id: %s\n", status, http_reason(status), r->id);
		if (buf_adds(b, line) != GW_OK)
			log_error("req=%s error page lost", r->id);
	}
	json_decref(ctx);
	return GW_OK;
}

int
ui_redirect(struct req *r, const char *to)
{
	static const char body[] = "<!doctype html><title>See Other</title><a href=\"/\">continue</a>\n";

	resp_header(r, "Location", to);
	page_headers(r);
	if (resp_body(r, 303, HTML, body, sizeof(body) - 1) != GW_OK)
		log_error("req=%s redirect body lost", r->id);
	return GW_OK;
}

/* The users row of id, through the users module. */
static int
load_user(struct req *r, int64_t id, struct ui_user *u)
{
	struct user row;
	int rc;

	if ((rc = users_get(r->db, &r->arena, id, &row)) != GW_OK)
		return rc;
	u->id = row.id;
	u->username = row.username ? row.username : "";
	u->display_name = row.display_name ? row.display_name : "";
	u->group = row.group ? row.group : "";
	u->role = (int)row.role;
	u->status = (int)row.status;
	u->quota = row.quota;
	u->used_quota = row.used_quota;
	u->request_count = row.request_count;
	return GW_OK;
}

int
ui_auth(struct req *r, int min_role, struct ui_user *u)
{
	int64_t id;
	int rc;

	memset(u, 0, sizeof(*u));
	if ((rc = session_user(r, &id)) != GW_OK) {
		if (rc != GW_EAUTH) {
			ui_error(r, 500);
			return rc;
		}
		if (req_cookie(r, "session") != NULL)
			session_clear(r);	/* revoked or forged: drop it */
		ui_redirect(r, "/login");
		return GW_EAUTH;
	}
	rc = load_user(r, id, u);
	if (rc == GW_ENOTFOUND || (rc == GW_OK && u->status != 1)) {
		session_clear(r);
		ui_redirect(r, "/login");
		return GW_EAUTH;
	}
	if (rc != GW_OK) {
		ui_error(r, 500);
		return rc;
	}
	/* the access log and anything downstream see who it was */
	r->user.id = u->id;
	r->user.role = u->role;
	r->user.status = u->status;
	r->user.username = u->username;
	r->user.group = u->group;
	r->authed = 1;
	if (u->role < min_role) {
		ui_error(r, 403);
		return GW_EFORBIDDEN;
	}
	return GW_OK;
}

int
ui_form(struct req *r, struct kvlist *form)
{
	const char *c = req_cookie(r, "session"), *got;
	char want[CSRF_HEX + 1];

	if (kv_parse_query(&r->arena, buf_cstr(&r->body), buf_len(&r->body), form) != GW_OK) {
		ui_error(r, 500);
		return GW_ENOMEM;
	}
	got = kv_get(form, "csrf");
	if (c == NULL || got == NULL || strlen(got) != CSRF_HEX ||
	    csrf_token(c, want) != GW_OK || !ct_equal(want, got, CSRF_HEX)) {
		log_warn("req=%s form without a valid CSRF token", r->id);
		ui_error(r, 403);
		return GW_EFORBIDDEN;
	}
	return GW_OK;
}

json_t *
ui_ctx(struct req *r, const struct ui_user *u, const char *nav, const char *title)
{
	const char *msg = req_query(r, "msg");
	char *sn = option_dup(&r->arena, "SystemName");
	char navkey[64], csrf[CSRF_HEX + 1];
	const char *c = req_cookie(r, "session");
	json_t *ctx;
	size_t i;

	ctx = json_pack("{s:s, s:s, s:s, s:s}", "system_name", sn && *sn ? sn : "One API",
	    "title", title, "request_id", r->id, "asset_v", tmpl_static_version());
	if (ctx == NULL)
		return NULL;
	if (u) {
		json_object_set_new(ctx, "me", json_pack("{s:I, s:s, s:s, s:s, s:b, s:b}",
		    "id", (json_int_t)u->id, "username", u->username,
		    "display_name", u->display_name, "role_name", ui_role_name(u->role),
		    "is_admin", u->role >= ROLE_ADMIN, "is_root", u->role >= ROLE_ROOT));
		if (c && csrf_token(c, csrf) == GW_OK)
			json_object_set_new(ctx, "csrf", json_string(csrf));
	}
	if (nav) {
		snprintf(navkey, sizeof(navkey), "nav_%s", nav);
		json_object_set_new(ctx, navkey, json_true());
	}
	for (i = 0; msg && i < sizeof(flashes) / sizeof(flashes[0]); i++)
		if (strcmp(msg, flashes[i].code) == 0)
			json_object_set_new(ctx, "flash", json_string(flashes[i].text));
	return ctx;
}

int
ui_render(struct req *r, int status, const char *name, json_t *ctx)
{
	const struct tmpl *t = tmpl_get(name);
	struct buf *b = &r->resp.body;
	int rc;

	if (ctx == NULL || t == NULL) {
		log_error("req=%s page %s: %s", r->id, name, ctx ? "no template" : "out of memory");
		json_decref(ctx);
		return ui_error(r, 500);
	}
	buf_reset(b);
	rc = tmpl_render(t, ctx, tmpl_resolve_embedded, NULL, b);
	json_decref(ctx);
	if (rc != GW_OK) {
		log_error("req=%s page %s: render failed: %s", r->id, name, gw_strerror(rc));
		return ui_error(r, 500);
	}
	r->resp.status = status;
	r->resp.ctype = HTML;
	page_headers(r);
	return GW_OK;
}

int64_t
ui_page(struct req *r)
{
	const char *p = req_query(r, "p");
	int64_t v;

	if (p == NULL || parse_i64(p, 0, 1000000, &v) != GW_OK)
		return 0;
	return v;
}

void
ui_pager(json_t *ctx, int64_t p, int has_next)
{
	json_t *pg = json_pack("{s:I}", "num", (json_int_t)(p + 1));

	if (pg == NULL)
		return;
	if (p > 0)
		json_object_set_new(pg, "prev", json_integer(p - 1));
	if (has_next)
		json_object_set_new(pg, "next", json_integer(p + 1));
	if (p > 0 || has_next)
		json_object_set_new(pg, "show", json_true());
	json_object_set_new(ctx, "page", pg);
}

int64_t
ui_path_id(struct req *r)
{
	int64_t id;

	return req_path_id(r, 1, INT64_MAX, &id) == GW_OK ? id : 0;
}

const char *
ui_money(struct req *r, int64_t quota)
{
	double per = option_real("QuotaPerUnit", 500000.0);

	char num[64], out[96];
	size_t n, i, o = 0, intlen;

	if (per <= 0)
		per = 500000.0;
	snprintf(num, sizeof(num), "%.2f", (double)quota / per);
	/* thousands separators on the integer part: $1,000,000.00 */
	n = strlen(num);
	i = num[0] == '-' ? 1 : 0;
	intlen = (size_t)(strchr(num, '.') ? strchr(num, '.') - num : (long)n) - i;
	if (i)
		out[o++] = '-';
	out[o++] = '$';
	for (; i < n && o + 2 < sizeof(out); i++) {
		out[o++] = num[i];
		if (intlen > 1 && num[i] != '.' && --intlen % 3 == 0 && num[i + 1] != '.')
			out[o++] = ',';
	}
	out[o] = '\0';
	return arena_strdup(&r->arena, out);
}

const char *
ui_time(struct req *r, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	char s[40];

	if (gmtime_r(&tt, &tm) == NULL || strftime(s, sizeof(s), "%Y-%m-%d %H:%M UTC", &tm) == 0)
		return arena_printf(&r->arena, "%" PRId64, t);
	return arena_strdup(&r->arena, s);
}

/* Pages. */

int
h_ui_home(struct req *r)
{
	struct ui_user u;
	json_t *ctx;

	if (ui_auth(r, ROLE_COMMON, &u) != GW_OK)
		return GW_OK;
	ctx = ui_ctx(r, &u, "dashboard", "Dashboard");
	if (ctx)
		json_object_set_new(ctx, "user", json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:s, s:I}",
		    "username", u.username, "display_name", u.display_name,
		    "role_name", ui_role_name(u.role), "group", u.group,
		    "quota", (json_int_t)u.quota, "quota_money", ui_money(r, u.quota),
		    "used_quota", (json_int_t)u.used_quota, "used_money", ui_money(r, u.used_quota),
		    "request_count", (json_int_t)u.request_count));
	return ui_render(r, 200, "dashboard", ctx);
}

/* The login form, with an optional fixed error text. */
static int
login_page(struct req *r, int status, const char *error, const char *username)
{
	json_t *ctx = ui_ctx(r, NULL, "login", "Sign in");

	if (ctx && error)
		json_object_set_new(ctx, "error", json_string(error));
	if (ctx && username)
		json_object_set_new(ctx, "username", json_string(username));
	if (ctx && !option_bool("PasswordLoginEnabled", 1))
		json_object_set_new(ctx, "login_disabled", json_true());
	return ui_render(r, status, "login", ctx);
}

int
h_ui_login_get(struct req *r)
{
	int64_t id;

	if (session_user(r, &id) == GW_OK)
		return ui_redirect(r, "/");
	return login_page(r, 200, NULL, NULL);
}

int
h_ui_login_post(struct req *r)
{
	struct kvlist f;
	const char *name, *pw;
	struct user u;
	int64_t retry = 0;
	char msg[128];
	int rc;

	if (auth_critical_limit(r, &retry) != GW_OK) {
		snprintf(msg, sizeof(msg), "Too many sign-in attempts. Try again in %lld s.", (long long)retry);
		return login_page(r, 429, msg, NULL);
	}
	if (kv_parse_query(&r->arena, buf_cstr(&r->body), buf_len(&r->body), &f) != GW_OK)
		return ui_error(r, 500);
	if (!option_bool("PasswordLoginEnabled", 1))
		return login_page(r, 403, "Password login is disabled by the administrator.", NULL);
	name = kv_get(&f, "username");
	pw = kv_get(&f, "password");
	if (name == NULL || pw == NULL || *name == '\0' || *pw == '\0')
		return login_page(r, 400, "Enter a username and a password.", name);
	/* the same checks as POST /api/user/login */
	rc = auth_password(r, name, pw, &u, &retry);
	if (rc == GW_ELIMIT) {
		snprintf(msg, sizeof(msg), "Too many failed sign-ins for this name. Try again in %lld s.",
		    (long long)retry);
		return login_page(r, 429, msg, name);
	}
	if (rc == GW_EAUTH)
		return login_page(r, 401, "Wrong username or password.", name);
	if (rc == GW_EFORBIDDEN)
		return login_page(r, 403, "This account is disabled.", name);
	if (rc != GW_OK || session_start(r, u.id) != GW_OK)
		return ui_error(r, 500);
	return ui_redirect(r, "/");
}

int
h_ui_logout(struct req *r)
{
	struct kvlist f;

	int64_t id;

	if (ui_form(r, &f) != GW_OK)
		return GW_OK;
	/* every session of the user ends, copies of this cookie included */
	if (session_user(r, &id) == GW_OK && session_revoke(r->db, id) != GW_OK)
		return ui_error(r, 500);
	session_clear(r);
	return ui_redirect(r, "/login");
}

int
h_ui_static(struct req *r)
{
	const char *name = r->npv ? r->pv[0] : "", *ext = strrchr(name, '.'), *ctype;
	const char *data;
	size_t len;

	data = tmpl_static(name, &len);
	if (data == NULL || ext == NULL)
		return ui_error(r, 404);
	if (strcmp(ext, ".css") == 0)
		ctype = "text/css; charset=utf-8";
	else if (strcmp(ext, ".js") == 0)
		ctype = "text/javascript; charset=utf-8";
	else
		ctype = "application/octet-stream";
	resp_header(r, "Cache-Control", "public, max-age=86400");
	resp_header(r, "X-Content-Type-Options", "nosniff");
	if (resp_body(r, 200, ctype, data, len) != GW_OK)
		return ui_error(r, 500);
	return GW_OK;
}
