/* handlers/ui_account.c: personal settings (display name, password,
 * access token, invitation link, delete the account) and the about page */
#include <string.h>
#include "handlers.h"
#include "billing.h"
#include "channels.h"
#include "ui.h"
#include "dispatch.h"
#include "log.h"
#include "options.h"
#include "password.h"
#include "session.h"
#include "users.h"
#include "util.h"

/* The personal settings page; error a catalog key, token a freshly
 * generated access token to show once (may be NULL). */
static int
profile_page(struct req *r, const struct ui_user *u, int status, const char *error,
    const char *token, const char *flash)
{
	json_t *ctx = ui_ctx(r, u, "profile", "nav_profile");
	const char *aff = NULL;

	if (ctx == NULL)
		return ui_error(r, 500);
	if (users_aff_code(r->db, &r->arena, u->id, &aff) != GW_OK)
		aff = NULL;
	json_object_set_new(ctx, "display_name", json_string(u->display_name));
	json_object_set_new(ctx, "is_root_user", json_boolean(u->role >= ROLE_ROOT));
	if (aff)
		json_object_set_new(ctx, "aff_link", json_string(arena_printf(&r->arena,
		    "%s/register?aff=%s", ui_server(r), aff)));
	json_object_set_new(ctx, "invitee_reward", json_string(ui_money(r, option_int("QuotaForInvitee", 0))));
	json_object_set_new(ctx, "inviter_reward", json_string(ui_money(r, option_int("QuotaForInviter", 0))));
	if (token)
		json_object_set_new(ctx, "access_token", json_string(token));
	if (flash)
		json_object_set_new(ctx, "flash", json_string(ui_tr(r, flash)));
	if (error)
		json_object_set_new(ctx, "error", json_string(ui_tr(r, error)));
	return ui_render(r, status, "profile", ctx);
}

int
h_ui_profile(struct req *r)
{
	struct ui_user u;

	if (ui_auth(r, ROLE_COMMON, &u) != GW_OK)
		return GW_OK;
	return profile_page(r, &u, 200, NULL, NULL, NULL);
}

/* Change the password after checking the current one. */
static int
change_password(struct req *r, struct ui_user *u, struct kvlist *f)
{
	const char *old = kv_get(f, "old_password"), *pw = kv_get(f, "password");
	const char *pw2 = kv_get(f, "password2"), *field = NULL, *tag = NULL;
	struct user row, upd;
	int rc;

	if ((rc = users_get(r->db, &r->arena, u->id, &row)) != GW_OK)
		return ui_error(r, 500);
	if (old == NULL || !password_verify(old, row.password))
		return profile_page(r, u, 400, "err_wrong_password", NULL, NULL);
	if (pw == NULL || pw2 == NULL || strcmp(pw, pw2) != 0)
		return profile_page(r, u, 400, "err_password_mismatch", NULL, NULL);
	memset(&upd, 0, sizeof(upd));
	upd.password = pw;
	if (*pw == '\0' || user_validate(&upd, &field, &tag) != GW_OK)
		return profile_page(r, u, 400, "err_password", NULL, NULL);
	if ((rc = users_update(r->db, u->id, &upd)) != GW_OK) {
		log_error("req=%s password change failed: %s", r->id, gw_strerror(rc));
		return ui_error(r, 500);
	}
	/* every other session ends; this browser gets a fresh cookie */
	if (session_revoke(r->db, u->id) != GW_OK || session_start(r, u->id) != GW_OK)
		return ui_error(r, 500);
	return ui_redirect(r, "/profile?msg=password_changed");
}

int
h_ui_profile_post(struct req *r)
{
	struct ui_user u;
	struct kvlist f;
	struct user upd;
	const char *a, *v, *field = NULL, *tag = NULL;
	char tok[33];
	int rc;

	if (ui_auth(r, ROLE_COMMON, &u) != GW_OK || ui_form(r, &f) != GW_OK)
		return GW_OK;
	a = kv_get(&f, "action");
	if (a == NULL)
		return ui_error(r, 400);
	memset(&upd, 0, sizeof(upd));
	if (strcmp(a, "name") == 0) {
		v = kv_get(&f, "display_name");
		upd.display_name = v && *v ? v : u.username;
		if (user_validate(&upd, &field, &tag) != GW_OK)
			return profile_page(r, &u, 400, "err_display_name", NULL, NULL);
		rc = users_update(r->db, u.id, &upd);
		if (rc != GW_OK && rc != GW_ENOTFOUND)	/* unchanged is fine */
			return ui_error(r, 500);
		return ui_redirect(r, "/profile?msg=profile_saved");
	}
	if (strcmp(a, "password") == 0)
		return change_password(r, &u, &f);
	if (strcmp(a, "access_token") == 0) {
		if (users_new_access_token(r->db, u.id, tok) != GW_OK)
			return ui_error(r, 500);
		rc = profile_page(r, &u, 200, NULL, tok, "flash_access_token");
		explicit_bzero(tok, sizeof(tok));
		return rc;
	}
	if (strcmp(a, "delete") == 0) {
		v = kv_get(&f, "confirm");
		if (u.role >= ROLE_ROOT)
			return profile_page(r, &u, 403, "err_root_delete", NULL, NULL);
		if (v == NULL || strcmp(v, u.username) != 0)
			return profile_page(r, &u, 400, "err_confirm_username", NULL, NULL);
		if (users_soft_delete(r->db, u.id) != GW_OK)
			return ui_error(r, 500);
		session_clear(r);
		return ui_redirect(r, "/login");
	}
	return ui_error(r, 400);
}

int
h_ui_about(struct req *r)
{
	struct ui_user u;
	char *about;
	json_t *ctx;

	if (ui_auth(r, ROLE_COMMON, &u) != GW_OK)
		return GW_OK;
	if ((ctx = ui_ctx(r, &u, "about", "nav_about")) == NULL)
		return ui_error(r, 500);
	about = option_dup(&r->arena, "About");
	if (about)
		str_trim(about);
	/* One API shows a URL in an iframe; our CSP forbids framing, so a link */
	if (about && (strncmp(about, "https://", 8) == 0 || strncmp(about, "http://", 7) == 0) &&
	    strpbrk(about, " \t\r\n\"'<>") == NULL)
		json_object_set_new(ctx, "about_url", json_string(about));
	else if (about && *about)
		json_object_set_new(ctx, "about", json_string(about));
	return ui_render(r, 200, "about", ctx);
}

/* GET /models: the models of the user's group and their prices per
 * million tokens (ratio 1 = $0.002 per 1K tokens, One API's unit). */
int
h_ui_models(struct req *r)
{
	struct ui_user u;
	struct price pr;
	json_t *ctx, *names, *rows, *v;
	size_t i;

	if (ui_auth(r, ROLE_COMMON, &u) != GW_OK)
		return GW_OK;
	names = group_models_json(r->db, u.group);
	ctx = ui_ctx(r, &u, "models", "nav_models");
	rows = json_array();
	if (names == NULL || ctx == NULL || rows == NULL) {
		json_decref(names);
		json_decref(ctx);
		json_decref(rows);
		return ui_error(r, 500);
	}
	json_array_foreach(names, i, v) {
		double in;
		billing_price(json_string_value(v), 0, u.group, &pr);
		in = pr.model_ratio * pr.group_ratio * 2.0;
		json_array_append_new(rows, json_pack("{s:O, s:s, s:s, s:s}", "name", v,
		    "input", arena_printf(&r->arena, "$%.4g", in),
		    "output", arena_printf(&r->arena, "$%.4g", in * pr.completion_ratio),
		    "ratio", arena_printf(&r->arena, "%.4g", pr.model_ratio)));
	}
	json_decref(names);
	json_object_set_new(ctx, "models", rows);
	json_object_set_new(ctx, "group", json_string(u.group));
	return ui_render(r, 200, "models", ctx);
}
