/* handlers/ui_tokens.c: the tokens page: the signed-in user's API keys,
 * create and delete through tokens.h like /api/token */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "handlers.h"
#include "ui.h"
#include "billing.h"
#include "dispatch.h"
#include "log.h"
#include "options.h"
#include "tokens.h"
#include "util.h"

static const char *
status_name(int64_t s)
{
	switch (s) {
	case TOKEN_STATUS_ENABLED: return "enabled";
	case TOKEN_STATUS_DISABLED: return "disabled";
	case TOKEN_STATUS_EXPIRED: return "expired";
	case TOKEN_STATUS_EXHAUSTED: return "exhausted";
	default: return "unknown";
	}
}

/* One API's default quota of a new token: $1 at the default QuotaPerUnit. */
#define TOKEN_DEFAULT_QUOTA 500000

/* Decorate one API row for the page: sk- key, masked key, texts, the
 * ready-to-paste formats. */
static void
decorate(struct req *r, json_t *row, const char *server, const char *chat)
{
	const char *key = json_string_value(json_object_get(row, "key"));
	int64_t exp = json_integer_value(json_object_get(row, "expired_time"));
	int64_t st = json_integer_value(json_object_get(row, "status"));
	int unlimited = json_is_true(json_object_get(row, "unlimited_quota"));
	size_t n = key ? strlen(key) : 0;

	if (n >= 8) {
		json_object_set_new(row, "key_full", json_string(arena_printf(&r->arena, "sk-%s", key)));
		json_object_set_new(row, "key_masked", json_string(arena_printf(&r->arena,
		    "sk-%.4s\xe2\x80\xa6%s", key, key + n - 4)));
		json_object_set_new(row, "next_web", json_string(arena_printf(&r->arena,
		    "%s/#/?settings={\"key\":\"sk-%s\",\"url\":\"%s\"}", chat, key, server)));
	}
	json_object_del(row, "key");
	json_object_set_new(row, "status_name", json_string(status_name(st)));
	json_object_set_new(row, "status_text", json_string(ui_tr(r,
	    arena_printf(&r->arena, "st_%s", status_name(st)))));
	json_object_set_new(row, "enabled", json_boolean(st == TOKEN_STATUS_ENABLED));
	json_object_set_new(row, "expires", json_string(exp == -1 || exp == 0 ? ui_tr(r, "never") :
	    ui_time(r, exp)));
	json_object_set_new(row, "remain", json_string(unlimited ? ui_tr(r, "unlimited") :
	    ui_money(r, json_integer_value(json_object_get(row, "remain_quota")))));
	json_object_set_new(row, "used", json_string(ui_money(r,
	    json_integer_value(json_object_get(row, "used_quota")))));
	json_object_set_new(row, "created", json_string(ui_time(r,
	    json_integer_value(json_object_get(row, "created_time")))));
}

static int
tokens_page(struct req *r, const struct ui_user *u, int status, const char *error, json_t *form)
{
	json_t *ctx = ui_ctx(r, u, "tokens", "nav_tokens"), *rows, *row;
	const char *kw = req_query(r, "keyword"), *server = ui_server(r);
	char *chat = option_dup(&r->arena, "ChatLink");
	int64_t p = ui_page(r);
	size_t i;
	int more = 0;

	if (kw && *kw)
		rows = token_search_json(r->db, u->id, kw);
	else	/* one row more than a page tells whether there is a next page */
		rows = token_list_json(r->db, u->id, NULL, p * UI_PAGE_SIZE, UI_PAGE_SIZE + 1);
	if (ctx == NULL || rows == NULL) {
		json_decref(ctx);
		json_decref(rows);
		json_decref(form);
		return ui_error(r, 500);
	}
	if (!(kw && *kw) && (more = json_array_size(rows) > UI_PAGE_SIZE))
		json_array_remove(rows, UI_PAGE_SIZE);
	json_array_foreach(rows, i, row)
		decorate(r, row, server, chat && *chat ? chat : "https://app.nextchat.dev");
	json_object_set_new(ctx, "tokens", rows);
	json_object_set_new(ctx, "keyword", json_string(kw ? kw : ""));
	json_object_set_new(ctx, "server", json_string(server));
	json_object_set_new(ctx, "quota_per_unit",
	    json_integer((json_int_t)option_real("QuotaPerUnit", 500000.0)));
	if (error)
		json_object_set_new(ctx, "error", json_string(ui_tr(r, error)));
	json_object_set_new(ctx, "form", form ? form : json_pack("{s:I}", "remain_quota",
	    (json_int_t)TOKEN_DEFAULT_QUOTA));
	ui_pager(r, ctx, p, more);
	return ui_render(r, status, "tokens", ctx);
}

int
h_ui_tokens(struct req *r)
{
	struct ui_user u;

	if (ui_auth(r, ROLE_COMMON, &u) != GW_OK)
		return GW_OK;
	return tokens_page(r, &u, 200, NULL, NULL);
}

/* Exactly n digits of s at *i into *v. */
static int
digits(const char *s, size_t *i, int n, int *v)
{
	int k;

	*v = 0;
	for (k = 0; k < n; k++) {
		if (s[*i] < '0' || s[*i] > '9')
			return 0;
		*v = *v * 10 + (s[(*i)++] - '0');
	}
	return 1;
}

/* Skip c at s[*i]; 0 when it is not there. */
static int
expect(const char *s, size_t *i, char c)
{
	if (s[*i] != c)
		return 0;
	(*i)++;
	return 1;
}

/* The expiry field: "" = never (-1), epoch seconds, or an HTML
 * datetime-local "YYYY-MM-DDTHH:MM[:SS]" taken as UTC. */
static int
parse_expiry(const char *s, int64_t *out)
{
	struct tm tm;
	size_t i = 0;
	int y, mo, d, h, mi, sec = 0;
	time_t t;

	if (s == NULL || *s == '\0') {
		*out = -1;
		return GW_OK;
	}
	if (parse_i64(s, -1, INT32_MAX * 100LL, out) == GW_OK)
		return GW_OK;
	if (!digits(s, &i, 4, &y) || !expect(s, &i, '-') || !digits(s, &i, 2, &mo) ||
	    !expect(s, &i, '-') || !digits(s, &i, 2, &d) ||
	    !(expect(s, &i, 'T') || expect(s, &i, ' ')) ||
	    !digits(s, &i, 2, &h) || !expect(s, &i, ':') || !digits(s, &i, 2, &mi))
		return GW_EINPUT;
	if (expect(s, &i, ':') && !digits(s, &i, 2, &sec))
		return GW_EINPUT;
	if (s[i] != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
		return GW_EINPUT;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if ((t = timegm(&tm)) == (time_t)-1)
		return GW_EINPUT;
	*out = (int64_t)t;
	return GW_OK;
}

/* The form's token fields into *tf (strings borrowed from f); NULL or the
 * catalog key of the first problem. A new token's empty quota is One
 * API's default; an expiry must lie in the future. */
static const char *
read_token(struct kvlist *f, struct token_fields *tf)
{
	const char *quota = kv_get(f, "remain_quota"), *why = NULL;

	memset(tf, 0, sizeof(*tf));
	tf->name = kv_get(f, "name");
	tf->unlimited_quota = kv_get(f, "unlimited") != NULL;
	tf->models = kv_get(f, "models");
	tf->subnet = kv_get(f, "subnet");
	tf->remain_quota = TOKEN_DEFAULT_QUOTA;
	if (tf->models)
		str_trim((char *)tf->models);
	if (tf->subnet)
		str_trim((char *)tf->subnet);
	if (tf->name == NULL || *str_trim((char *)tf->name) == '\0')
		return "err_token_name";
	if (token_validate(tf->name, NULL, &why) != GW_OK)
		return "err_token_name_long";
	if (quota && *quota && parse_i64(quota, 0, QUOTA_MAX, &tf->remain_quota) != GW_OK)
		return "err_quota";
	if (parse_expiry(kv_get(f, "expired_time"), &tf->expired_time) != GW_OK)
		return "err_expiry";
	if (tf->expired_time != -1 && tf->expired_time <= now_sec())
		return "err_expiry_past";
	if (tf->subnet && *tf->subnet && !token_subnets_valid(tf->subnet))
		return "err_subnet";
	return NULL;
}

/* The fields to refill the form with after an error (new reference). */
static json_t *
refill(struct kvlist *f)
{
	const char *v[5] = { kv_get(f, "name"), kv_get(f, "remain_quota"), kv_get(f, "expired_time"),
	    kv_get(f, "models"), kv_get(f, "subnet") };

	return json_pack("{s:s, s:s, s:b, s:s, s:s, s:s}", "name", v[0] ? v[0] : "",
	    "remain_quota", v[1] ? v[1] : "", "unlimited", kv_get(f, "unlimited") != NULL,
	    "expired_time", v[2] ? v[2] : "", "models", v[3] ? v[3] : "", "subnet", v[4] ? v[4] : "");
}

int
h_ui_tokens_post(struct req *r)
{
	struct ui_user u;
	struct kvlist f;
	struct token_fields tf;
	const char *err;
	int rc;

	if (ui_auth(r, ROLE_COMMON, &u) != GW_OK || ui_form(r, &f) != GW_OK)
		return GW_OK;
	if ((err = read_token(&f, &tf)) == NULL) {
		rc = token_create(r->db, u.id, tf.name, NULL, tf.remain_quota, tf.unlimited_quota,
		    tf.expired_time, tf.models && *tf.models ? tf.models : NULL,
		    tf.subnet && *tf.subnet ? tf.subnet : NULL, NULL, NULL);
		if (rc == GW_OK)
			return ui_redirect(r, "/tokens?msg=token_created");
		log_error("req=%s token create failed: %s", r->id, gw_strerror(rc));
		return ui_error(r, 500);
	}
	return tokens_page(r, &u, 400, err, refill(&f));
}

/* "YYYY-MM-DDTHH:MM" (UTC) of epoch seconds for a datetime-local input. */
static const char *
local_time(struct req *r, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	char s[32];

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL || strftime(s, sizeof(s), "%Y-%m-%dT%H:%M", &tm) == 0)
		return "";
	return arena_strdup(&r->arena, s);
}

static int
edit_page(struct req *r, const struct ui_user *u, int64_t id, int status, const char *error,
    json_t *form)
{
	json_t *ctx, *row;
	int rc = GW_OK;

	if (form == NULL) {
		row = token_get_json(r->db, id, u->id, &rc);
		if (rc == GW_ENOTFOUND)
			return ui_error(r, 404);
		if (row == NULL)
			return ui_error(r, 500);
		form = json_pack("{s:O, s:O, s:b, s:s, s:s, s:s}", "name", json_object_get(row, "name"),
		    "remain_quota", json_object_get(row, "remain_quota"),
		    "unlimited", json_is_true(json_object_get(row, "unlimited_quota")),
		    "expired_time", local_time(r, json_integer_value(json_object_get(row, "expired_time"))),
		    "models", json_string_value(json_object_get(row, "models")) ?
		    json_string_value(json_object_get(row, "models")) : "",
		    "subnet", json_string_value(json_object_get(row, "subnet")) ?
		    json_string_value(json_object_get(row, "subnet")) : "");
		json_decref(row);
	}
	if ((ctx = ui_ctx(r, u, "tokens", "edit_token")) == NULL) {
		json_decref(form);
		return ui_error(r, 500);
	}
	json_object_set_new(ctx, "token_id", json_integer(id));
	json_object_set_new(ctx, "quota_per_unit",
	    json_integer((json_int_t)option_real("QuotaPerUnit", 500000.0)));
	if (error)
		json_object_set_new(ctx, "error", json_string(ui_tr(r, error)));
	json_object_set_new(ctx, "form", form ? form : json_object());
	return ui_render(r, status, "token_edit", ctx);
}

int
h_ui_token_edit(struct req *r)
{
	struct ui_user u;
	int64_t id;

	if (ui_auth(r, ROLE_COMMON, &u) != GW_OK)
		return GW_OK;
	if ((id = ui_path_id(r)) == 0)
		return ui_error(r, 404);
	return edit_page(r, &u, id, 200, NULL, NULL);
}

int
h_ui_token_edit_post(struct req *r)
{
	struct ui_user u;
	struct kvlist f;
	struct token_fields tf;
	const char *err;
	json_t *row;
	int64_t id;
	int rc;

	if (ui_auth(r, ROLE_COMMON, &u) != GW_OK || ui_form(r, &f) != GW_OK)
		return GW_OK;
	if ((id = ui_path_id(r)) == 0)
		return ui_error(r, 404);
	row = token_get_json(r->db, id, u.id, &rc);
	if (rc == GW_ENOTFOUND)
		return ui_error(r, 404);
	if (row == NULL)
		return ui_error(r, 500);
	if ((err = read_token(&f, &tf)) != NULL) {
		json_decref(row);
		return edit_page(r, &u, id, 400, err, refill(&f));
	}
	tf.status = json_integer_value(json_object_get(row, "status"));
	/* a new expiry or quota revives an expired or exhausted key, as One API's edit does */
	if (tf.status == TOKEN_STATUS_EXPIRED || tf.status == TOKEN_STATUS_EXHAUSTED)
		tf.status = TOKEN_STATUS_ENABLED;
	json_decref(row);
	if (tf.models && *tf.models == '\0')
		tf.models = NULL;
	if (tf.subnet && *tf.subnet == '\0')
		tf.subnet = NULL;
	rc = token_update(r->db, id, u.id, &tf);
	if (rc == GW_ENOTFOUND)
		return ui_error(r, 404);
	if (rc != GW_OK) {
		log_error("req=%s token update failed: %s", r->id, gw_strerror(rc));
		return ui_error(r, 500);
	}
	return ui_redirect(r, "/tokens?msg=token_saved");
}

int
h_ui_token_status(struct req *r)
{
	struct ui_user u;
	struct token_fields tf;
	json_t *row;
	int64_t id;
	int rc, on;

	if (ui_status_post(r, ROLE_COMMON, &u, &id, &on) != GW_OK)
		return GW_OK;
	row = token_get_json(r->db, id, u.id, &rc);
	if (rc == GW_ENOTFOUND)
		return ui_error(r, 404);
	if (row == NULL)
		return ui_error(r, 500);
	memset(&tf, 0, sizeof(tf));
	tf.name = json_string_value(json_object_get(row, "name"));
	tf.status = on ? TOKEN_STATUS_ENABLED : TOKEN_STATUS_DISABLED;
	tf.expired_time = json_integer_value(json_object_get(row, "expired_time"));
	tf.remain_quota = json_integer_value(json_object_get(row, "remain_quota"));
	tf.unlimited_quota = json_is_true(json_object_get(row, "unlimited_quota"));
	tf.models = json_string_value(json_object_get(row, "models"));
	tf.subnet = json_string_value(json_object_get(row, "subnet"));
	rc = token_update(r->db, id, u.id, &tf);
	json_decref(row);
	if (rc != GW_OK)
		return ui_error(r, rc == GW_ENOTFOUND ? 404 : 500);
	return ui_redirect(r, on ? "/tokens?msg=token_enabled" : "/tokens?msg=token_disabled");
}

int
h_ui_token_delete(struct req *r)
{
	struct ui_user u;
	struct kvlist f;
	int64_t id;
	int rc;

	if (ui_auth(r, ROLE_COMMON, &u) != GW_OK || ui_form(r, &f) != GW_OK)
		return GW_OK;
	if ((id = ui_path_id(r)) == 0)
		return ui_error(r, 404);
	rc = token_delete(r->db, id, u.id);
	if (rc == GW_ENOTFOUND)
		return ui_error(r, 404);
	if (rc != GW_OK)
		return ui_error(r, 500);
	return ui_redirect(r, "/tokens?msg=token_deleted");
}
