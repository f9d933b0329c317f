/* handlers/ui_users.c: the users page (admin): list, create, enable/disable,
 * through users.h with the rules of /api/user/ and /api/user/manage */
#include <string.h>
#include "handlers.h"
#include "ui.h"
#include "billing.h"
#include "session.h"
#include "dispatch.h"
#include "log.h"
#include "options.h"
#include "users.h"
#include "util.h"

static const char *
status_name(int64_t s)
{
	switch (s) {
	case USER_STATUS_ENABLED: return "enabled";
	case USER_STATUS_DISABLED: return "disabled";
	case USER_STATUS_DELETED: return "deleted";
	default: return "unknown";
	}
}

/* One API's manage rule: a lower role than mine, or I am root; and the
 * root user is never disabled. */
static int
may_manage(const struct ui_user *me, int64_t role)
{
	return role != ROLE_ROOT && (role < me->role || me->role == ROLE_ROOT);
}

/* The catalog key of a role's name. */
static const char *
role_key(int64_t role)
{
	return role >= ROLE_ROOT ? "role_root" : role >= ROLE_ADMIN ? "role_admin" :
	    role >= ROLE_COMMON ? "role_common" : "role_guest";
}

/* The sort choices of the list (users_list_json's orders). */
static json_t *
sort_options(struct req *r)
{
	static const char *const v[][2] = { { "", "order_id" }, { "quota", "order_quota" },
	    { "used_quota", "order_used" }, { "request_count", "order_requests" } };
	const char *o = req_query(r, "order");
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < sizeof(v) / sizeof(v[0]); i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "value", v[i][0], "label",
		    ui_tr(r, v[i][1]), "selected", o ? strcmp(o, v[i][0]) == 0 : i == 0));
	return a;
}

static int
users_page(struct req *r, const struct ui_user *u, int status, const char *error, json_t *form)
{
	json_t *ctx = ui_ctx(r, u, "users", "nav_users"), *rows, *row;
	const char *kw = req_query(r, "keyword");
	int64_t p = ui_page(r), total = 0;
	size_t i;

	if (kw && *kw) {
		p = 0;
		rows = users_search_json(r->db, kw);
		total = rows ? (int64_t)json_array_size(rows) : 0;
	} else
		rows = users_list_json(r->db, req_query(r, "order"), p * UI_PAGE_SIZE, UI_PAGE_SIZE, &total);
	if (ctx == NULL || rows == NULL) {
		json_decref(ctx);
		json_decref(rows);
		json_decref(form);
		return ui_error(r, 500);
	}
	json_array_foreach(rows, i, row) {
		int64_t role = json_integer_value(json_object_get(row, "role"));
		int64_t st = json_integer_value(json_object_get(row, "status"));
		/* secrets never reach a page */
		json_object_del(row, "access_token");
		json_object_del(row, "password");
		json_object_set_new(row, "role_name", json_string(ui_role_name((int)role)));
		json_object_set_new(row, "role_text", json_string(ui_tr(r, role_key(role))));
		json_object_set_new(row, "status_name", json_string(status_name(st)));
		json_object_set_new(row, "status_text", json_string(ui_tr(r,
		    arena_printf(&r->arena, "st_%s", status_name(st)))));
		json_object_set_new(row, "enabled", json_boolean(st == USER_STATUS_ENABLED));
		json_object_set_new(row, "manageable", json_boolean(may_manage(u, role)));
		json_object_set_new(row, "quota_money", json_string(ui_money(r,
		    json_integer_value(json_object_get(row, "quota")))));
		json_object_set_new(row, "used_money", json_string(ui_money(r,
		    json_integer_value(json_object_get(row, "used_quota")))));
	}
	json_object_set_new(ctx, "users", rows);
	json_object_set_new(ctx, "keyword", json_string(kw ? kw : ""));
	json_object_set_new(ctx, "orders", sort_options(r));
	json_object_set_new(ctx, "total", json_integer(total));
	if (error)
		json_object_set_new(ctx, "error", json_string(ui_tr(r, error)));
	json_object_set_new(ctx, "form", form ? form : json_object());
	ui_pager(r, ctx, p, !(kw && *kw) && (p + 1) * UI_PAGE_SIZE < total);
	return ui_render(r, status, "users", ctx);
}

int
h_ui_users(struct req *r)
{
	struct ui_user u;

	if (ui_auth(r, ROLE_ADMIN, &u) != GW_OK)
		return GW_OK;
	return users_page(r, &u, 200, NULL, NULL);
}

/* A fixed message for a field that failed One API's validator. */
static const char *
invalid_text(const char *field)
{
	if (field && strcmp(field, "Username") == 0)
		return "err_username";
	if (field && strcmp(field, "Password") == 0)
		return "err_password";
	if (field && strcmp(field, "DisplayName") == 0)
		return "err_display_name";
	return "err_check_fields";
}

int
h_ui_users_post(struct req *r)
{
	struct ui_user me;
	struct kvlist f;
	struct user nu;
	const char *field = NULL, *tag = NULL, *err = NULL, *display;
	json_t *form;
	int rc;

	if (ui_auth(r, ROLE_ADMIN, &me) != GW_OK || ui_form(r, &f) != GW_OK)
		return GW_OK;
	memset(&nu, 0, sizeof(nu));
	nu.username = kv_get(&f, "username");
	nu.password = kv_get(&f, "password");
	nu.display_name = kv_get(&f, "display_name");
	if (nu.username)
		str_trim((char *)nu.username);
	/* the checks of POST /api/user/ (a new user is common, below any admin) */
	if (nu.username == NULL || *nu.username == '\0' || nu.password == NULL || *nu.password == '\0')
		err = "err_user_fields";
	else if (user_validate(&nu, &field, &tag) != GW_OK)
		err = invalid_text(field);
	if (err == NULL) {
		display = nu.display_name && *nu.display_name ? nu.display_name : nu.username;
		rc = users_create(r->db, nu.username, nu.password, display, NULL, 0, NULL);
		if (rc == GW_OK)
			return ui_redirect(r, "/users?msg=user_created");
		if (rc != GW_ECONFLICT && rc != GW_EINPUT) {
			log_error("req=%s user create failed: %s", r->id, gw_strerror(rc));
			return ui_error(r, 500);
		}
		err = rc == GW_EINPUT ? "Usernames cannot hold control characters." :
		    "err_username_taken";
	}
	form = json_pack("{s:s, s:s}", "username", nu.username ? nu.username : "",
	    "display_name", nu.display_name ? nu.display_name : "");
	return users_page(r, &me, 400, err, form);
}

int
h_ui_user_status(struct req *r)
{
	struct ui_user me;
	struct user target, upd;
	int64_t id;
	int rc, on;

	if (ui_status_post(r, ROLE_ADMIN, &me, &id, &on) != GW_OK)
		return GW_OK;
	rc = users_get(r->db, &r->arena, id, &target);
	if (rc == GW_ENOTFOUND || (rc == GW_OK && target.status == USER_STATUS_DELETED))
		return ui_error(r, 404);
	if (rc != GW_OK)
		return ui_error(r, 500);
	if (!may_manage(&me, target.role))
		return ui_error(r, 403);
	memset(&upd, 0, sizeof(upd));
	upd.status = on ? USER_STATUS_ENABLED : USER_STATUS_DISABLED;
	if ((rc = users_update(r->db, id, &upd)) != GW_OK) {
		log_error("req=%s user status failed: %s", r->id, gw_strerror(rc));
		return ui_error(r, rc == GW_ENOTFOUND ? 404 : 500);
	}
	/* a disabled user's sessions end now */
	if (!on && session_revoke(r->db, id) != GW_OK)
		return ui_error(r, 500);
	return ui_redirect(r, on ? "/users?msg=user_enabled" : "/users?msg=user_disabled");
}

/* The target of an edit: loaded, not deleted, manageable by me. GW_OK, or
 * the error page is written. */
static int
load_target(struct req *r, const struct ui_user *me, int64_t id, struct user *t)
{
	int rc = id ? users_get(r->db, &r->arena, id, t) : GW_ENOTFOUND;

	if (rc == GW_ENOTFOUND || (rc == GW_OK && t->status == USER_STATUS_DELETED)) {
		ui_error(r, 404);
		return GW_ENOTFOUND;
	}
	if (rc != GW_OK) {
		ui_error(r, 500);
		return rc;
	}
	if (!may_manage(me, t->role)) {
		ui_error(r, 403);
		return GW_EFORBIDDEN;
	}
	return GW_OK;
}

static int
edit_page(struct req *r, const struct ui_user *me, const struct user *t, int status,
    const char *error, json_t *form)
{
	json_t *ctx = ui_ctx(r, me, "users", "edit_user");

	if (ctx == NULL) {
		json_decref(form);
		return ui_error(r, 500);
	}
	if (form == NULL)
		form = json_pack("{s:s, s:s, s:s, s:I}", "username", t->username,
		    "display_name", t->display_name, "group", t->group, "quota", (json_int_t)t->quota);
	json_object_set_new(ctx, "user_id", json_integer(t->id));
	json_object_set_new(ctx, "quota_money", json_string(ui_money(r, t->quota)));
	json_object_set_new(ctx, "groups", option_group_names());
	json_object_set_new(ctx, "role_text", json_string(ui_tr(r, role_key(t->role))));
	json_object_set_new(ctx, "can_role", json_boolean(me->role >= ROLE_ROOT && t->role < ROLE_ROOT));
	json_object_set_new(ctx, "is_common", json_boolean(t->role < ROLE_ADMIN));
	if (error)
		json_object_set_new(ctx, "error", json_string(ui_tr(r, error)));
	json_object_set_new(ctx, "form", form ? form : json_object());
	return ui_render(r, status, "user_edit", ctx);
}

int
h_ui_user_edit(struct req *r)
{
	struct ui_user me;
	struct user t;

	if (ui_auth(r, ROLE_ADMIN, &me) != GW_OK || load_target(r, &me, ui_path_id(r), &t) != GW_OK)
		return GW_OK;
	return edit_page(r, &me, &t, 200, NULL, NULL);
}

int
h_ui_user_edit_post(struct req *r)
{
	struct ui_user me;
	struct kvlist f;
	struct user t, upd;
	const char *field = NULL, *tag = NULL, *err = NULL, *quota;
	int64_t q = 0;
	int rc;

	if (ui_auth(r, ROLE_ADMIN, &me) != GW_OK || ui_form(r, &f) != GW_OK ||
	    load_target(r, &me, ui_path_id(r), &t) != GW_OK)
		return GW_OK;
	memset(&upd, 0, sizeof(upd));
	upd.username = kv_get(&f, "username");
	upd.display_name = kv_get(&f, "display_name");
	upd.password = kv_get(&f, "password");
	upd.group = kv_get(&f, "group");
	quota = kv_get(&f, "quota");
	if (upd.username)
		str_trim((char *)upd.username);
	if (upd.group)
		str_trim((char *)upd.group);
	if (upd.username == NULL || *upd.username == '\0')
		err = "err_username";
	else if (user_validate(&upd, &field, &tag) != GW_OK)
		err = invalid_text(field);
	else if (quota == NULL || parse_i64(quota, 0, QUOTA_MAX, &q) != GW_OK)
		err = "err_quota";
	if (err == NULL) {
		upd.quota = q;
		rc = users_update(r->db, t.id, &upd);
		/* GORM skips a zero quota: write it on its own */
		if (rc == GW_OK && q == 0 && t.quota != 0)
			rc = users_set_quota(r->db, t.id, 0);
		/* a new password ends the user's sessions */
		if (rc == GW_OK && upd.password && *upd.password)
			rc = session_revoke(r->db, t.id);
		if (rc == GW_OK)
			return ui_redirect(r, "/users?msg=user_saved");
		if (rc != GW_ECONFLICT) {
			log_error("req=%s user update failed: %s", r->id, gw_strerror(rc));
			return ui_error(r, 500);
		}
		err = "err_username_taken";
	}
	return edit_page(r, &me, &t, 400, err, json_pack("{s:s, s:s, s:s, s:s}",
	    "username", upd.username ? upd.username : "", "display_name",
	    upd.display_name ? upd.display_name : "", "group", upd.group ? upd.group : "",
	    "quota", quota ? quota : ""));
}

/* POST /users/:id/role {action: promote|demote} (root only, as One API). */
int
h_ui_user_role(struct req *r)
{
	struct ui_user me;
	struct kvlist f;
	struct user t;
	const char *a;
	int promote, rc;

	if (ui_auth(r, ROLE_ROOT, &me) != GW_OK || ui_form(r, &f) != GW_OK ||
	    load_target(r, &me, ui_path_id(r), &t) != GW_OK)
		return GW_OK;
	a = kv_get(&f, "action");
	if (a == NULL || (strcmp(a, "promote") != 0 && strcmp(a, "demote") != 0))
		return ui_error(r, 400);
	promote = strcmp(a, "promote") == 0;
	rc = users_set_role(r->db, t.id, promote ? ROLE_ADMIN : ROLE_COMMON);
	/* a role change ends the user's sessions */
	if (rc == GW_OK)
		rc = session_revoke(r->db, t.id);
	if (rc != GW_OK)
		return ui_error(r, 500);
	return ui_redirect(r, promote ? "/users?msg=user_promoted" : "/users?msg=user_demoted");
}

int
h_ui_user_delete(struct req *r)
{
	struct ui_user me;
	struct kvlist f;
	struct user t;

	if (ui_auth(r, ROLE_ADMIN, &me) != GW_OK || ui_form(r, &f) != GW_OK ||
	    load_target(r, &me, ui_path_id(r), &t) != GW_OK)
		return GW_OK;
	if (users_soft_delete(r->db, t.id) != GW_OK || session_revoke(r->db, t.id) != GW_OK)
		return ui_error(r, 500);
	return ui_redirect(r, "/users?msg=user_deleted");
}
