/* handlers/ui.c: admin page chrome (sign-in check, CSRF, rendering, error
 * pages, static files) and the login, logout and dashboard pages */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include "handlers.h"
#include "auth.h"
#include "ui.h"
#include "dispatch.h"
#include "jsonx.h"
#include "options.h"
#include "session.h"
#include "tmpl.h"
#include "users.h"
#include "log.h"
#include "logs.h"
#include "util.h"

#define CSRF_HEX (2 * 32)
#define HTML "text/html; charset=utf-8"


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
	char key[32];
	const char *reason;
	json_t *ctx;
	struct buf *b = &r->resp.body;
	const struct tmpl *t = tmpl_get("error");

	/* the catalog's reason in the page's language, else the HTTP one */
	snprintf(key, sizeof(key), "http_%d", status);
	reason = ui_tr_has(key) ? ui_tr(r, key) : http_reason(status);
	ctx = ui_ctx(r, NULL, NULL, reason);
	if (ctx) {
		json_object_del(ctx, "flash");
		/* nothing of the request on an error page, not even its path */
		json_object_set_new(ctx, "here", json_string("/"));
		json_object_set_new(ctx, "status", json_integer(status));
		json_object_set_new(ctx, "reason", json_string(reason));
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
ui_local_path(const char *s)
{
	size_t i;

	if (s == NULL || s[0] != '/' || s[1] == '/' || s[1] == '\\')
		return 0;
	for (i = 0; s[i]; i++)
		if (i >= 512 || (unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f || s[i] == '\\')
			return 0;
	return 1;
}

const char *
ui_url_encode(struct req *r, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = BUF_INIT(4096);
	const char *out = NULL;
	int rc = GW_OK;
	size_t i;

	for (i = 0; rc == GW_OK && s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == '/' || ch == '-' || ch == '_' || ch == '.';
		rc = ok ? buf_addc(&b, (char)ch) : buf_printf(&b, "%%%c%c", hex[ch >> 4], hex[ch & 15]);
	}
	if (rc == GW_OK)
		out = arena_strdup(&r->arena, buf_cstr(&b));
	buf_release(&b);
	return out;
}

/* "/login?next=<this GET page, percent-encoded>", or "/login". */
static const char *
login_url(struct req *r)
{
	const char *target, *enc;

	if (strcmp(r->method, "GET") != 0 || strcmp(r->path, "/") == 0)
		return "/login";
	target = r->query && *r->query ? arena_printf(&r->arena, "%s?%s", r->path, r->query) : r->path;
	if (target == NULL || !ui_local_path(target) || (enc = ui_url_encode(r, target)) == NULL)
		return "/login";
	return arena_printf(&r->arena, "/login?next=%s", enc);
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
		ui_redirect(r, login_url(r));
		return GW_EAUTH;
	}
	rc = load_user(r, id, u);
	if (rc == GW_ENOTFOUND || (rc == GW_OK && u->status != 1)) {
		session_clear(r);
		ui_redirect(r, login_url(r));
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
	char *logo = option_dup(&r->arena, "Logo");
	char *footer = option_dup(&r->arena, "Footer");
	char navkey[64], csrf[CSRF_HEX + 1], fk[96];
	const char *c = req_cookie(r, "session");
	int lang = ui_lang(r);
	json_t *ctx;

	ctx = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s}", "system_name", sn && *sn ? sn : "One API",
	    "title", ui_tr_lang(lang, title), "request_id", r->id, "asset_v", tmpl_static_version(),
	    "lang", ui_lang_code(lang), "t", ui_tr_json(lang),
	    "here", ui_local_path(r->path) ? r->path : "/");
	if (ctx == NULL)
		return NULL;
	json_object_set_new(ctx, lang == UI_ZH ? "lang_zh" : "lang_en", json_true());
	if (logo && *logo)
		json_object_set_new(ctx, "logo", json_string(logo));
	if (footer && *footer)
		json_object_set_new(ctx, "footer", json_string(footer));
	if (u || r->authed) {
		int role = u ? u->role : r->user.role;
		json_object_set_new(ctx, "me", json_pack("{s:I, s:s, s:s, s:s, s:b, s:b}",
		    "id", (json_int_t)(u ? u->id : r->user.id),
		    "username", u ? u->username : (r->user.username ? r->user.username : ""),
		    "display_name", u ? u->display_name : "", "role_name",
		    ui_tr_lang(lang, arena_printf(&r->arena, "role_%s", ui_role_name(role))),
		    "is_admin", role >= ROLE_ADMIN, "is_root", role >= ROLE_ROOT));
		if (c && csrf_token(c, csrf) == GW_OK)
			json_object_set_new(ctx, "csrf", json_string(csrf));
	}
	if (nav) {
		snprintf(navkey, sizeof(navkey), "nav_%s", nav);
		json_object_set_new(ctx, navkey, json_true());
	}
	if (msg && strlen(msg) < 64) {
		snprintf(fk, sizeof(fk), "flash_%s", msg);
		if (ui_tr_has(fk))
			json_object_set_new(ctx, "flash", json_string(ui_tr_lang(lang, fk)));
	}
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

/* path?<query without p= and msg=>&p=n, in the arena. */
static const char *
page_url(struct req *r, int64_t n)
{
	const char *q = r->query, *e;
	struct buf b = BUF_INIT(2048);
	const char *out = NULL;
	size_t len;

	if (buf_adds(&b, r->path) != GW_OK || buf_adds(&b, "?") != GW_OK)
		return NULL;
	for (; q && *q; q = *e ? e + 1 : e) {
		e = strchr(q, '&');
		if (e == NULL)
			e = q + strlen(q);
		len = (size_t)(e - q);
		if (len == 0 || (len >= 2 && memcmp(q, "p=", 2) == 0) || (len >= 4 && memcmp(q, "msg=", 4) == 0))
			continue;
		if (buf_add(&b, q, len) != GW_OK || buf_adds(&b, "&") != GW_OK)
			return NULL;
	}
	if (buf_printf(&b, "p=%" PRId64, n) == GW_OK)
		out = arena_strdup(&r->arena, buf_cstr(&b));
	buf_release(&b);
	return out;
}

void
ui_pager(struct req *r, json_t *ctx, int64_t p, int has_next)
{
	json_t *pg = json_pack("{s:I}", "num", (json_int_t)(p + 1));
	const char *u;

	if (pg == NULL)
		return;
	if (p > 0 && (u = page_url(r, p - 1)) != NULL)
		json_object_set_new(pg, "prev_url", json_string(u));
	if (has_next && (u = page_url(r, p + 1)) != NULL)
		json_object_set_new(pg, "next_url", json_string(u));
	if (p > 0 || has_next)
		json_object_set_new(pg, "show", json_true());
	json_object_set_new(ctx, "page", pg);
}

int
ui_status_post(struct req *r, int min_role, struct ui_user *u, int64_t *id, int *on)
{
	struct kvlist f;
	const char *s;

	if (ui_auth(r, min_role, u) != GW_OK || ui_form(r, &f) != GW_OK)
		return GW_EAUTH;
	if ((*id = ui_path_id(r)) == 0) {
		ui_error(r, 404);
		return GW_ENOTFOUND;
	}
	s = kv_get(&f, "status");
	if (s == NULL || (strcmp(s, "1") != 0 && strcmp(s, "2") != 0)) {
		ui_error(r, 400);
		return GW_EINPUT;
	}
	*on = s[0] == '1';
	return GW_OK;
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

	/* a few thousandths of a dollar are not $0.00 */
	if (quota != 0 && per > 0 && (double)llabs(quota) / per < 0.01)
		return ui_money_prec(r, quota, 6);
	return ui_money_prec(r, quota, 2);
}

const char *
ui_money_prec(struct req *r, int64_t quota, int digits)
{
	double per = option_real("QuotaPerUnit", 500000.0);
	int cur = option_bool("DisplayInCurrencyEnabled", 1);
	char num[64], out[96];
	size_t n, i, o = 0, intlen;

	if (per <= 0)
		per = 500000.0;
	if (digits < 0 || digits > 6)
		digits = 2;
	if (cur)
		snprintf(num, sizeof(num), "%.*f", digits, (double)quota / per);
	else
		snprintf(num, sizeof(num), "%" PRId64, quota);
	/* thousands separators on the integer part: $1,000,000.00 */
	n = strlen(num);
	i = num[0] == '-' ? 1 : 0;
	intlen = (size_t)(strchr(num, '.') ? strchr(num, '.') - num : (long)n) - i;
	if (i)
		out[o++] = '-';
	if (cur)
		out[o++] = '$';
	for (; i < n && o + 2 < sizeof(out); i++) {
		out[o++] = num[i];
		if (intlen > 1 && num[i] != '.' && --intlen % 3 == 0 && num[i + 1] != '.' && num[i + 1])
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

const char *
ui_server(struct req *r)
{
	char *opt = option_dup(&r->arena, "ServerAddress");
	const char *host = req_header(r, "Host"), *https = req_env(r, "HTTPS");
	size_t i;

	if (opt && *opt) {
		for (i = strlen(opt); i > 0 && opt[i - 1] == '/'; i--)
			opt[i - 1] = '\0';
		return opt;
	}
	if (host == NULL || *host == '\0' || strpbrk(host, " \t\r\n\"'<>\\/") != NULL)
		host = "localhost";
	return arena_printf(&r->arena, "%s://%s", https && strcmp(https, "on") == 0 ? "https" : "http", host);
}

/* Pages. */

#define CHART_W 720
#define CHART_H 220
#define CHART_BASE 190	/* y of the axis; labels below it */

/* The usage chart of the last `days` UTC days (today included) as bars
 * whose geometry is computed here, and the per-model table. NULL on a
 * store error. */
static json_t *
usage_chart(struct req *r, int64_t user_id, int days)
{
	int64_t now = now_sec(), today = now - now % 86400, since = today - (int64_t)(days - 1) * 86400;
	int64_t quota[31] = { 0 }, count[31] = { 0 }, max = 0, tq = 0, tc = 0, tt = 0;
	json_t *rows = logs_usage_json(r->db, user_id, since, 0), *models, *row, *bars, *chart;
	size_t i;
	int d, slot = CHART_W / days, w = slot * 7 / 10;

	if (rows == NULL)
		return NULL;
	json_array_foreach(rows, i, row) {
		int64_t day = json_integer_value(json_object_get(row, "day"));
		d = (int)((day - since) / 86400);
		if (d < 0 || d >= days)
			continue;
		quota[d] = json_integer_value(json_object_get(row, "quota"));
		count[d] = json_integer_value(json_object_get(row, "count"));
		tq += quota[d];
		tc += count[d];
		tt += json_integer_value(json_object_get(row, "tokens"));
	}
	json_decref(rows);
	for (d = 0; d < days; d++)
		if (quota[d] > max)
			max = quota[d];
	bars = json_array();
	for (d = 0; bars && d < days; d++) {
		int h = max > 0 ? (int)((double)quota[d] / (double)max * (CHART_BASE - 10)) : 0;
		const char *day = ui_time(r, since + (int64_t)d * 86400);
		json_t *b;
		if (quota[d] > 0 && h < 2)
			h = 2;
		b = json_pack("{s:i, s:i, s:i, s:i, s:s, s:s, s:I}", "x", d * slot + (slot - w) / 2,
		    "y", CHART_BASE - h, "w", w, "h", h, "day", arena_strndup(&r->arena, day, 10),
		    "money", ui_money(r, quota[d]), "count", (json_int_t)count[d]);
		/* a date under every bar for a week, every fifth for a month */
		if (b && (days <= 7 || d % 5 == 0 || d == days - 1)) {
			json_object_set_new(b, "label", json_string(arena_strndup(&r->arena, day + 5, 5)));
			json_object_set_new(b, "tx", json_integer(d * slot + slot / 2));
			json_object_set_new(b, "ty", json_integer(CHART_BASE + 18));
		}
		json_array_append_new(bars, b);
	}
	models = logs_usage_json(r->db, user_id, since, 1);
	json_array_foreach(models, i, row)
		json_object_set_new(row, "money", json_string(ui_money(r,
		    json_integer_value(json_object_get(row, "quota")))));
	chart = json_pack("{s:i, s:i, s:i, s:i, s:b, s:b, s:o, s:s, s:I, s:I}", "width", CHART_W,
	    "height", CHART_H, "base", CHART_BASE, "days", days, "d7", days == 7, "d30", days == 30,
	    "bars", bars ? bars : json_array(), "total_money", ui_money(r, tq),
	    "total_count", (json_int_t)tc, "total_tokens", (json_int_t)tt);
	if (chart)
		json_object_set_new(chart, "models", models ? models : json_array());
	else
		json_decref(models);
	return chart;
}

int
h_ui_home(struct req *r)
{
	struct ui_user u;
	const char *dq = req_query(r, "days");
	char *notice, *home;
	json_t *ctx;
	int days = dq && strcmp(dq, "30") == 0 ? 30 : 7;

	if (ui_auth(r, ROLE_COMMON, &u) != GW_OK)
		return GW_OK;
	ctx = ui_ctx(r, &u, "dashboard", "nav_dashboard");
	if (ctx == NULL)
		return ui_error(r, 500);
	json_object_set_new(ctx, "user", json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:s, s:I}",
	    "username", u.username, "display_name", u.display_name,
	    "role_name", ui_tr(r, u.role >= ROLE_ROOT ? "role_root" : u.role >= ROLE_ADMIN ?
	    "role_admin" : "role_common"), "group", u.group,
	    "quota", (json_int_t)u.quota, "quota_money", ui_money(r, u.quota),
	    "used_quota", (json_int_t)u.used_quota, "used_money", ui_money(r, u.used_quota),
	    "request_count", (json_int_t)u.request_count));
	json_object_set_new(ctx, "chart", usage_chart(r, u.id, days));
	json_object_set_new(ctx, "server", json_string(ui_server(r)));
	/* the five latest requests of this user */
	{
		struct logs_filter f;
		json_t *recent, *row;
		size_t i;
		memset(&f, 0, sizeof(f));
		f.user_id = u.id;
		f.type = LOGT_CONSUME;
		if ((recent = logs_rows_json(r->db, &f, 0, 5, NULL, NULL)) != NULL) {
			json_array_foreach(recent, i, row) {
				json_object_set_new(row, "time", json_string(ui_time(r,
				    json_integer_value(json_object_get(row, "created_at")))));
				json_object_set_new(row, "money", json_string(ui_money_prec(r,
				    json_integer_value(json_object_get(row, "quota")), 6)));
			}
			json_object_set_new(ctx, "recent", recent);
		}
	}
	home = option_dup(&r->arena, "HomePageContent");
	if (home && *str_trim(home)) {
		if ((strncmp(home, "https://", 8) == 0 || strncmp(home, "http://", 7) == 0) &&
		    strpbrk(home, " \t\r\n\"'<>") == NULL)
			json_object_set_new(ctx, "home_url", json_string(home));
		else
			json_object_set_new(ctx, "home", json_string(home));
	}
	notice = option_dup(&r->arena, "Notice");
	if (notice && *str_trim(notice))
		json_object_set_new(ctx, "notice", json_string(notice));
	return ui_render(r, 200, "dashboard", ctx);
}

/* The login form, with an optional error (a catalog key). */
static int
login_page(struct req *r, int status, const char *error, const char *username, const char *next)
{
	json_t *ctx = ui_ctx(r, NULL, "login", "sign_in");

	if (ctx && error)
		json_object_set_new(ctx, "error", json_string(ui_tr(r, error)));
	if (ctx && username)
		json_object_set_new(ctx, "username", json_string(username));
	if (ctx && ui_local_path(next))
		json_object_set_new(ctx, "next", json_string(next));
	if (ctx && option_bool("RegisterEnabled", 1) && option_bool("PasswordRegisterEnabled", 1))
		json_object_set_new(ctx, "register_enabled", json_true());
	if (ctx && !option_bool("PasswordLoginEnabled", 1))
		json_object_set_new(ctx, "login_disabled", json_true());
	return ui_render(r, status, "login", ctx);
}

int
h_ui_login_get(struct req *r)
{
	int64_t id;

	const char *next = req_query(r, "next");

	if (session_user(r, &id) == GW_OK)
		return ui_redirect(r, ui_local_path(next) ? next : "/");
	return login_page(r, 200, NULL, NULL, next);
}

int
h_ui_login_post(struct req *r)
{
	struct kvlist f;
	const char *name, *pw, *next;
	struct user u;
	int64_t retry = 0;
	char msg[128];
	int rc;

	if (auth_critical_limit(r, &retry) != GW_OK) {
		snprintf(msg, sizeof(msg), "Too many sign-in attempts. Try again in %lld s.", (long long)retry);
		return login_page(r, 429, msg, NULL, NULL);
	}
	if (kv_parse_query(&r->arena, buf_cstr(&r->body), buf_len(&r->body), &f) != GW_OK)
		return ui_error(r, 500);
	next = kv_get(&f, "next");
	if (!ui_local_path(next))
		next = NULL;
	if (!option_bool("PasswordLoginEnabled", 1))
		return login_page(r, 403, "err_login_disabled", NULL, next);
	name = kv_get(&f, "username");
	pw = kv_get(&f, "password");
	if (name == NULL || pw == NULL || *name == '\0' || *pw == '\0')
		return login_page(r, 400, "err_login_empty", name, next);
	/* the same checks as POST /api/user/login */
	rc = auth_password(r, name, pw, &u, &retry);
	if (rc == GW_ELIMIT) {
		snprintf(msg, sizeof(msg), "Too many failed sign-ins for this name. Try again in %lld s.",
		    (long long)retry);
		return login_page(r, 429, msg, name, next);
	}
	if (rc == GW_EAUTH)
		return login_page(r, 401, "err_login_wrong", name, next);
	if (rc == GW_EFORBIDDEN)
		return login_page(r, 403, "err_login_disabled_user", name, next);
	if (rc != GW_OK || session_start(r, u.id) != GW_OK)
		return ui_error(r, 500);
	return ui_redirect(r, next ? next : "/");
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
	else if (strcmp(ext, ".svg") == 0)
		ctype = "image/svg+xml";
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

/* GET /favicon.ico: the SVG icon (browsers go by Content-Type). */
int
h_ui_favicon(struct req *r)
{
	size_t len;
	const char *data = tmpl_static("favicon.svg", &len);

	if (data == NULL)
		return ui_error(r, 404);
	resp_header(r, "Cache-Control", "public, max-age=86400");
	resp_header(r, "X-Content-Type-Options", "nosniff");
	return resp_body(r, 200, "image/svg+xml", data, len) == GW_OK ? GW_OK : ui_error(r, 500);
}

/* GET /lang/:code?next=/path: remember the language for a year. */
int
h_ui_lang(struct req *r)
{
	const char *code = r->npv ? r->pv[0] : "", *next = req_query(r, "next");

	if (strcmp(code, "en") != 0 && strcmp(code, "zh") != 0)
		return ui_error(r, 404);
	resp_header(r, "Set-Cookie", strcmp(code, "zh") == 0 ?
	    "lang=zh; Path=/; Max-Age=31536000; SameSite=Lax" :
	    "lang=en; Path=/; Max-Age=31536000; SameSite=Lax");
	return ui_redirect(r, ui_local_path(next) ? next : "/");
}

/* Paths the pages do not own answer as the dispatcher does for them:
 * One API's JSON "Invalid URL" (405 with Allow when another method has
 * the path). */
static int
api_path(const char *p)
{
	static const char *const pre[] = { "/api", "/v1", "/v1beta", "/openai", "/dashboard" };
	size_t i, n;

	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		n = strlen(pre[i]);
		if (strncmp(p, pre[i], n) == 0 && (p[n] == '/' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

/* The methods other routes have for this path ("POST, OPTIONS"), skipping
 * the catch-all rows of this handler. */
static void
other_methods(struct req *r, char *allow, size_t allowsz)
{
	const char *pv[ROUTE_MAX_PARAMS];
	size_t i, o = 0;
	int npv;

	allow[0] = '\0';
	for (i = 0; i < nroutes; i++) {
		if (routes[i].fn == h_ui_not_found || strcmp(routes[i].method, "GET") == 0 ||
		    !route_match(routes[i].pattern, r->path, pv, &npv, &r->arena))
			continue;
		if (strstr(allow, routes[i].method) == NULL && o + strlen(routes[i].method) + 3 < allowsz)
			o += (size_t)snprintf(allow + o, allowsz - o, "%s%s", o ? ", " : "", routes[i].method);
	}
}

int
h_ui_not_found(struct req *r)
{
	char allow[64], msg[512];
	int status;

	other_methods(r, allow, sizeof(allow));
	status = allow[0] ? 405 : 404;
	if (!api_path(r->path)) {
		int64_t id;
		struct ui_user u;

		/* signed in: the page with the menu */
		if (session_user(r, &id) == GW_OK && load_user(r, id, &u) == GW_OK &&
		    u.status == USER_STATUS_ENABLED) {
			r->user.id = u.id;
			r->user.role = u.role;
			r->user.username = u.username;
			r->authed = 1;
		}
		if (status == 405)
			resp_header(r, "Allow", allow);
		return ui_error(r, status);
	}
	snprintf(msg, sizeof(msg), "Invalid URL (%.16s %.300s)", r->method, r->path);
	resp_json(r, status, json_pack("{s:{s:s, s:s, s:s, s:s}}", "error", "message", msg,
	    "type", "invalid_request_error", "param", "", "code", ""));
	if (status == 405)
		resp_header(r, "Allow", allow);
	return GW_OK;
}

/* The register form; error a catalog key. */
static int
register_page(struct req *r, int status, const char *error, const char *username, const char *aff)
{
	json_t *ctx = ui_ctx(r, NULL, "register", "register");

	if (ctx == NULL)
		return ui_error(r, 500);
	/* no mail is sent from here: with email verification on, sign-up is
	 * through the JSON API (POST /api/user/register) */
	if (!option_bool("RegisterEnabled", 1) || !option_bool("PasswordRegisterEnabled", 1) ||
	    option_bool("EmailVerificationEnabled", 0))
		json_object_set_new(ctx, "closed", json_true());
	if (error)
		json_object_set_new(ctx, "error", json_string(ui_tr(r, error)));
	json_object_set_new(ctx, "username", json_string(username ? username : ""));
	json_object_set_new(ctx, "aff", json_string(aff ? aff : ""));
	return ui_render(r, status, "register", ctx);
}

int
h_ui_register_get(struct req *r)
{
	return register_page(r, 200, NULL, NULL, req_query(r, "aff"));
}

int
h_ui_register_post(struct req *r)
{
	struct kvlist f;
	struct user nu;
	const char *pw2, *aff, *field = NULL, *tag = NULL;
	int64_t inviter = 0;
	int rc;

	if (kv_parse_query(&r->arena, buf_cstr(&r->body), buf_len(&r->body), &f) != GW_OK)
		return ui_error(r, 500);
	memset(&nu, 0, sizeof(nu));
	nu.username = kv_get(&f, "username");
	nu.password = kv_get(&f, "password");
	pw2 = kv_get(&f, "password2");
	aff = kv_get(&f, "aff");
	if (!option_bool("RegisterEnabled", 1) || !option_bool("PasswordRegisterEnabled", 1) ||
	    option_bool("EmailVerificationEnabled", 0))
		return register_page(r, 403, NULL, NULL, NULL);
	if (nu.username)
		str_trim((char *)nu.username);
	if (nu.username == NULL || *nu.username == '\0' || nu.password == NULL || *nu.password == '\0')
		return register_page(r, 400, "err_user_fields", nu.username, aff);
	if (pw2 == NULL || strcmp(pw2, nu.password) != 0)
		return register_page(r, 400, "err_password_mismatch", nu.username, aff);
	if (user_validate(&nu, &field, &tag) != GW_OK)
		return register_page(r, 400, field && strcmp(field, "Username") == 0 ? "err_username" :
		    "err_password", nu.username, aff);
	if (aff && *aff && users_id_by_aff_code(r->db, aff, &inviter) != GW_OK)
		inviter = 0;
	rc = users_create(r->db, nu.username, nu.password, nu.username, NULL, inviter, NULL);
	if (rc == GW_ECONFLICT)
		return register_page(r, 400, "err_username_taken", nu.username, aff);
	if (rc != GW_OK) {
		log_error("req=%s register failed: %s", r->id, gw_strerror(rc));
		return ui_error(r, 500);
	}
	return ui_redirect(r, "/login?msg=registered");
}
