/* handlers/ui_users.c: the users page (admin): list, create, enable/disable,
 * through users.h with the rules of /api/user/ and /api/user/manage */
#include <string.h>
#include "handlers.h"
#include "ui.h"
#include "dispatch.h"
#include "log.h"
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

static int
users_page(struct req *r, const struct ui_user *u, int status, const char *error, json_t *form)
{
	json_t *ctx = ui_ctx(r, u, "users", "Users"), *rows, *row;
	int64_t p = ui_page(r), total = 0;
	size_t i;

	rows = users_list_json(r->db, NULL, p * UI_PAGE_SIZE, UI_PAGE_SIZE, &total);
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
		json_object_set_new(row, "status_name", json_string(status_name(st)));
		json_object_set_new(row, "enabled", json_boolean(st == USER_STATUS_ENABLED));
		json_object_set_new(row, "manageable", json_boolean(may_manage(u, role)));
		json_object_set_new(row, "quota_money", json_string(ui_money(r,
		    json_integer_value(json_object_get(row, "quota")))));
		json_object_set_new(row, "used_money", json_string(ui_money(r,
		    json_integer_value(json_object_get(row, "used_quota")))));
	}
	json_object_set_new(ctx, "users", rows);
	json_object_set_new(ctx, "total", json_integer(total));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	json_object_set_new(ctx, "form", form ? form : json_object());
	ui_pager(ctx, p, (p + 1) * UI_PAGE_SIZE < total);
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
		return "The username must be 1 to 12 characters.";
	if (field && strcmp(field, "Password") == 0)
		return "The password must be 8 to 20 characters.";
	if (field && strcmp(field, "DisplayName") == 0)
		return "The display name must be at most 20 characters.";
	return "Check the fields and try again.";
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
		err = "Enter a username and a password.";
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
		    "That username is taken.";
	}
	form = json_pack("{s:s, s:s}", "username", nu.username ? nu.username : "",
	    "display_name", nu.display_name ? nu.display_name : "");
	return users_page(r, &me, 400, err, form);
}

int
h_ui_user_status(struct req *r)
{
	struct ui_user me;
	struct kvlist f;
	struct user target, upd;
	const char *s;
	int64_t id;
	int rc, on;

	if (ui_auth(r, ROLE_ADMIN, &me) != GW_OK || ui_form(r, &f) != GW_OK)
		return GW_OK;
	if ((id = ui_path_id(r)) == 0)
		return ui_error(r, 404);
	s = kv_get(&f, "status");
	if (s == NULL || (strcmp(s, "1") != 0 && strcmp(s, "2") != 0))
		return ui_error(r, 400);
	on = s[0] == '1';
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
	return ui_redirect(r, on ? "/users?msg=user_enabled" : "/users?msg=user_disabled");
}
