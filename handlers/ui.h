/* handlers/ui.h: what the admin pages share: the signed-in user, CSRF
 * checks, page context and rendering (handlers/ui.c) */
#ifndef GW_UI_H
#define GW_UI_H

#include <stdint.h>
#include <jansson.h>
#include "http.h"
#include "kv.h"

#define UI_PAGE_SIZE 20		/* rows per page of the list pages */

/* The signed-in user of a page; strings live in the request arena. */
struct ui_user {
	int64_t id;
	const char *username;
	const char *display_name;
	const char *group;
	int role;
	int status;
	int64_t quota;
	int64_t used_quota;
	int64_t request_count;
};

/* Who is signed in (the `session` cookie, checked with session_user: signed
 * and of a session not revoked since, and
 * the users row). GW_OK with *u filled when the user is enabled and has at
 * least min_role. Otherwise the answer is written and a non-OK code is
 * returned; the handler then returns GW_OK: not signed in -> 303 /login,
 * disabled or deleted user -> the cookie is cleared and 303 /login,
 * role too low -> the 403 page. */
int ui_auth(struct req *r, int min_role, struct ui_user *u) GW_WUR;

/* Parse the form body into *form and check its `csrf` field against the
 * session cookie. GW_OK, or the 403 page is written and GW_EFORBIDDEN is
 * returned. Call after ui_auth. */
int ui_form(struct req *r, struct kvlist *form) GW_WUR;

/* The context every page gets (new reference): system_name, title (a
 * catalog key, translated), lang, t (every catalog text in the page's
 * language), me (username, role name, is_admin, is_root), csrf,
 * nav_<nav>: true, here (the path, for the language switch), the request
 * id and the flash message named by ?msg= (catalog key "flash_<msg>" only).
 * u NULL with r->authed set (an error after ui_auth) still shows the menu. */
json_t *ui_ctx(struct req *r, const struct ui_user *u, const char *nav, const char *title);

/* Render templates/<name>.html with ctx (reference stolen) as the text/html
 * body with the given status, and no-store caching. A render failure
 * becomes the 500 page. Returns GW_OK. */
int ui_render(struct req *r, int status, const char *name, json_t *ctx);

/* The error page: status, reason and request id, nothing from the request.
 * Returns GW_OK. */
int ui_error(struct req *r, int status);

/* 303 See Other to a fixed local path (with an optional ?msg= code from
 * the flash table). Returns GW_OK. */
int ui_redirect(struct req *r, const char *to);

/* The 0-based page number of ?p= (0 when absent or malformed). */
int64_t ui_page(struct req *r);
/* Add "page": {"num": p+1, "prev_url" (when p > 0), "next_url" (when
 * has_next), "show"} to ctx; the URLs are this path with this query string
 * (filters kept) and p replaced. */
void ui_pager(struct req *r, json_t *ctx, int64_t p, int has_next);

/* The start of every POST /<things>/:id/status handler: ui_auth, ui_form,
 * the path id and the form's status ("1" enable -> *on = 1, "2" disable).
 * GW_OK, or the answer (redirect, 403, 404, 400) is written. */
int ui_status_post(struct req *r, int min_role, struct ui_user *u, int64_t *id, int *on) GW_WUR;

/* Path parameter 0 as a positive id, or 0. */
int64_t ui_path_id(struct req *r);
/* "$1.23"-style money text of a quota (QuotaPerUnit; 6 decimals below one
 * cent, so a small charge is not "$0.00"), or the plain number "1,000"
 * when DisplayInCurrencyEnabled is off (One API's renderQuota), in the
 * arena. */
const char *ui_money(struct req *r, int64_t quota);
/* ui_money with 0..6 decimals (One API's logs show 6). */
const char *ui_money_prec(struct req *r, int64_t quota, int digits);
/* "2024-05-01 12:30 UTC" of epoch seconds, in the arena. */
const char *ui_time(struct req *r, int64_t t);
/* One API's role name: "root", "admin", "common", "guest". */
const char *ui_role_name(int role);

/* The server's address for copy-paste snippets: the ServerAddress option,
 * else the scheme and Host of this request (arena or static). */
const char *ui_server(struct req *r);

/* Append s as one double-quoted CSV field (RFC 4180: quotes doubled);
 * a leading = + - @ tab or CR gets a ' so spreadsheets do not run it as a
 * formula. GW_OK or the buf error. */
int ui_csv_field(struct buf *b, const char *s) GW_WUR;

/* Test channel id (handlers/ui_channel_test.c): GW_OK when it answered
 * 2xx; *ms the response time, *why a short reason on failure. */
int ui_channel_test(struct req *r, int64_t id, int64_t *ms, const char **why) GW_WUR;

/* Read and record the balance of an OpenAI-style channel (USD). */
int ui_channel_balance(struct req *r, int64_t id, double *balance, const char **why) GW_WUR;

/* Languages of the pages (handlers/ui_i18n.c). */
enum ui_lang { UI_EN, UI_ZH, UI_LANG__MAX };

/* The page language: the `lang` cookie ("en", "zh"), else the first
 * Accept-Language tag (zh* -> Chinese), else English. */
int ui_lang(struct req *r);
/* The text of catalog key in lang; the key itself when it is unknown
 * (static storage). */
const char *ui_tr_lang(int lang, const char *key);
/* ui_tr_lang(ui_lang(r), key). */
const char *ui_tr(struct req *r, const char *key);
/* 1 when key is in the catalog. */
int ui_tr_has(const char *key);
/* Every catalog text of lang as a JSON object {key: text} (new reference). */
json_t *ui_tr_json(int lang);
/* "xx" code of a language. */
const char *ui_lang_code(int lang);

/* s percent-encoded for a query value (letters, digits and "/-_." kept),
 * in the arena; NULL on ENOMEM. */
const char *ui_url_encode(struct req *r, const char *s);

/* 1 when s is a safe local redirect target: starts with one '/', not "//"
 * or "/\", printable ASCII without spaces, at most 512 bytes. */
int ui_local_path(const char *s);

#endif
