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

/* Decorate one API row for the page: sk- key, masked key, texts. */
static void
decorate(struct req *r, json_t *row)
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
	}
	json_object_del(row, "key");
	json_object_set_new(row, "status_name", json_string(status_name(st)));
	json_object_set_new(row, "enabled", json_boolean(st == TOKEN_STATUS_ENABLED));
	json_object_set_new(row, "expires", json_string(exp == -1 || exp == 0 ? "never" :
	    ui_time(r, exp)));
	json_object_set_new(row, "remain", json_string(unlimited ? "unlimited" :
	    ui_money(r, json_integer_value(json_object_get(row, "remain_quota")))));
	json_object_set_new(row, "used", json_string(ui_money(r,
	    json_integer_value(json_object_get(row, "used_quota")))));
	json_object_set_new(row, "created", json_string(ui_time(r,
	    json_integer_value(json_object_get(row, "created_time")))));
}

static int
tokens_page(struct req *r, const struct ui_user *u, int status, const char *error, json_t *form)
{
	json_t *ctx = ui_ctx(r, u, "tokens", "API keys"), *rows, *row;
	int64_t p = ui_page(r);
	size_t i;
	int more;

	/* one row more than a page tells whether there is a next page */
	rows = token_list_json(r->db, u->id, NULL, p * UI_PAGE_SIZE, UI_PAGE_SIZE + 1);
	if (ctx == NULL || rows == NULL) {
		json_decref(ctx);
		json_decref(rows);
		json_decref(form);
		return ui_error(r, 500);
	}
	more = json_array_size(rows) > UI_PAGE_SIZE;
	if (more)
		json_array_remove(rows, UI_PAGE_SIZE);
	json_array_foreach(rows, i, row)
		decorate(r, row);
	json_object_set_new(ctx, "tokens", rows);
	json_object_set_new(ctx, "quota_per_unit",
	    json_integer((json_int_t)option_real("QuotaPerUnit", 500000.0)));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	json_object_set_new(ctx, "form", form ? form : json_object());
	ui_pager(ctx, p, more);
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

int
h_ui_tokens_post(struct req *r)
{
	struct ui_user u;
	struct kvlist f;
	const char *name, *quota, *why = NULL, *err = NULL;
	int64_t remain = 0, exp = -1;
	int unlimited, rc;
	json_t *form;

	if (ui_auth(r, ROLE_COMMON, &u) != GW_OK || ui_form(r, &f) != GW_OK)
		return GW_OK;
	name = kv_get(&f, "name");
	quota = kv_get(&f, "remain_quota");
	unlimited = kv_get(&f, "unlimited") != NULL;
	if (name == NULL || *str_trim((char *)name) == '\0')
		err = "Give the key a name.";
	else if (token_validate(name, NULL, &why) != GW_OK)
		err = "The name is too long: at most 30 bytes.";
	else if (quota && *quota && parse_i64(quota, 0, QUOTA_MAX, &remain) != GW_OK)
		err = "Quota must be a whole number of 0 or more.";
	else if (parse_expiry(kv_get(&f, "expired_time"), &exp) != GW_OK)
		err = "Expiry must be a date and time, or empty for never.";
	if (err == NULL) {
		rc = token_create(r->db, u.id, name, NULL, remain, unlimited, exp, NULL, NULL, NULL, NULL);
		if (rc == GW_OK)
			return ui_redirect(r, "/tokens?msg=token_created");
		log_error("req=%s token create failed: %s", r->id, gw_strerror(rc));
		return ui_error(r, 500);
	}
	form = json_pack("{s:s, s:s, s:b, s:s}", "name", name ? name : "",
	    "remain_quota", quota ? quota : "", "unlimited", unlimited,
	    "expired_time", kv_get(&f, "expired_time") ? kv_get(&f, "expired_time") : "");
	return tokens_page(r, &u, 400, err, form);
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
