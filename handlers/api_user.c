/* handlers/api_user.c: /api/user/... login, sessions, self service, user administration (One API controller/user.go) */
#include <string.h>
#include "handlers.h"
#include "billing.h"
#include "auth.h"
#include "cfg.h"
#include "dispatch.h"
#include "jsonx.h"
#include "logs.h"
#include "options.h"
#include "session.h"
#include "users.h"
#include "util.h"


#define MSG_BAD_PARAM	"无效的参数"
#define MSG_BAD_INPUT	"无效的输入，请检查您的输入"
#define MSG_NO_USER	"用户不存在"
#define MSG_NAME_TAKEN	"用户名已存在"
#define MSG_DB		"数据库错误，请稍后重试"
#define MSG_LOGIN	"用户名或密码错误，或用户已被封禁"
#define MSG_LIMIT	"请求过于频繁，请 %lld 秒后再试 (too many attempts: retry in %lld s)"

/* The fields of One API's User struct a request body may carry, plus
 * verification_code (not a column). Absent or null leaves the zero value,
 * like Go's json.Decode. */
struct user_body {
	struct user u;
	const char *verification_code;
};

/* Read o into b. A member of the wrong type answers "无效的参数: ..." and
 * returns GW_EINPUT (nothing is written by the caller then). */
static int
read_user_body(struct req *r, json_t *o, struct user_body *b)
{
	struct user *u = &b->u;
	const char *const ints[] = { "id", "role", "status", "quota", "used_quota",
	    "request_count", "inviter_id" };
	int64_t *const idst[] = { &u->id, &u->role, &u->status, &u->quota, &u->used_quota,
	    &u->request_count, &u->inviter_id };
	const char *const strs[] = { "username", "password", "display_name", "email", "github_id",
	    "wechat_id", "lark_id", "oidc_id", "access_token", "group", "aff_code",
	    "verification_code" };
	const char **const sdst[] = { &u->username, &u->password, &u->display_name, &u->email,
	    &u->github_id, &u->wechat_id, &u->lark_id, &u->oidc_id, &u->access_token, &u->group,
	    &u->aff_code, &b->verification_code };
	size_t i;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		if (jx_int(o, ints[i], idst[i]) == GW_EINPUT) {
			api_fail(r, 200, MSG_BAD_PARAM ": field \"%s\" must be an integer", ints[i]);
			return GW_EINPUT;
		}
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (jx_str(o, strs[i], sdst[i]) == GW_EINPUT) {
			api_fail(r, 200, MSG_BAD_PARAM ": field \"%s\" must be a string", strs[i]);
			return GW_EINPUT;
		}
	return GW_OK;
}

/* The body as a user_body, or GW_EINPUT after answering. */
static int
body_user(struct req *r, struct user_body *b)
{
	json_t *o = req_json_object(r);

	if (o == NULL)
		return GW_EINPUT;
	return read_user_body(r, o, b);
}

/* The :id path parameter, or 0 after answering. */
static int64_t
path_id(struct req *r)
{
	int64_t id;

	if (req_path_id(r, INT64_MIN, INT64_MAX, &id) != GW_OK) {
		api_fail(r, 200, MSG_BAD_PARAM ": the user id must be an integer");
		return 0;
	}
	if (id == 0)
		api_fail(r, 200, "id 为空！");
	return id;
}

/* Answer a failed users_get/users_update; returns GW_OK for the handler. */
static int
fail_rc(struct req *r, int rc)
{
	switch (rc) {
	case GW_ENOTFOUND:
		return api_fail(r, 200, MSG_NO_USER);
	case GW_ECONFLICT:
		return api_fail(r, 200, MSG_NAME_TAKEN);
	case GW_EINPUT:
		return api_fail(r, 200, MSG_BAD_INPUT);
	default:
		return api_fail(r, 500, MSG_DB);
	}
}

/* The 429 of a rate-limited sign-in route. */
static int
limited(struct req *r, int64_t retry_s)
{
	return api_fail(r, 429, MSG_LIMIT, (long long)retry_s, (long long)retry_s);
}

/* POST /api/user/login {username, password}: username may be an email. */
int
h_user_login(struct req *r)
{
	const char *name = NULL, *pw = NULL;
	struct user u, clean;
	int64_t retry = 0;
	json_t *o;
	int rc;

	if (auth_critical_limit(r, &retry) != GW_OK)
		return limited(r, retry);
	if (!option_bool("PasswordLoginEnabled", 1))
		return api_fail(r, 200, "管理员关闭了密码登录");
	if ((o = req_json_object(r)) == NULL)
		return GW_OK;
	if (jx_str(o, "username", &name) == GW_EINPUT || jx_str(o, "password", &pw) == GW_EINPUT)
		return api_fail(r, 200, MSG_BAD_PARAM ": username and password must be strings");
	if (name == NULL || pw == NULL || name[0] == '\0' || pw[0] == '\0')
		return api_fail(r, 200, MSG_BAD_PARAM);
	rc = auth_password(r, name, pw, &u, &retry);
	if (rc == GW_ELIMIT)
		return limited(r, retry);
	if (rc == GW_EAUTH || rc == GW_EFORBIDDEN)
		return api_fail(r, 200, MSG_LOGIN);
	if (rc != GW_OK || session_start(r, u.id) != GW_OK)
		return fail_rc(r, rc != GW_OK ? rc : GW_EDB);
	memset(&clean, 0, sizeof(clean));
	clean.id = u.id;
	clean.username = u.username;
	clean.display_name = u.display_name;
	clean.role = u.role;
	clean.status = u.status;
	return api_ok(r, user_json(&clean, 0));
}

/* GET /api/user/logout: ends every session of the user, not just this
 * cookie, so a copied cookie dies with it. A link on another site (this is
 * a GET) only drops this browser's cookie, as One API does. */
int
h_user_logout(struct req *r)
{
	int64_t id;

	if (!auth_cross_site(r) && session_user(r, &id) == GW_OK && session_revoke(r->db, id) != GW_OK)
		return api_fail(r, 500, MSG_DB);
	session_clear(r);
	return api_ok(r, NULL);
}

/* POST /api/user/register {username, password, email?, verification_code?, aff_code?} */
int
h_user_register(struct req *r)
{
	struct user_body b;
	const char *field, *tag;
	int64_t inviter = 0, retry = 0;
	int rc;

	if (auth_critical_limit(r, &retry) != GW_OK)
		return limited(r, retry);
	if (!option_bool("RegisterEnabled", 1))
		return api_fail(r, 200, "管理员关闭了新用户注册");
	if (!option_bool("PasswordRegisterEnabled", 1))
		return api_fail(r, 200, "管理员关闭了通过密码进行注册，请使用第三方账户验证的形式进行注册");
	if (body_user(r, &b) != GW_OK)
		return GW_OK;
	/* One API lets validator judge: password "" fails min=8; we also
	 * refuse an empty username, which One API would store */
	if (user_validate(&b.u, &field, &tag) != GW_OK || b.u.username == NULL ||
	    b.u.username[0] == '\0' || b.u.password == NULL || b.u.password[0] == '\0')
		return api_fail(r, 200, MSG_BAD_INPUT);
	if (option_bool("EmailVerificationEnabled", 0)) {
		if (b.u.email == NULL || b.u.email[0] == '\0' || b.verification_code == NULL ||
		    b.verification_code[0] == '\0')
			return api_fail(r, 200, "管理员开启了邮箱验证，请输入邮箱地址和验证码");
		/* no verification codes are ever sent by this build */
		return api_fail(r, 200, "验证码错误或已过期");
	}
	if (users_id_by_aff_code(r->db, b.u.aff_code, &inviter) != GW_OK)
		inviter = 0;
	rc = users_create(r->db, b.u.username, b.u.password, b.u.username, NULL, inviter, NULL);
	if (rc != GW_OK)
		return fail_rc(r, rc);
	return api_ok(r, NULL);
}

/* GET /api/user/self: without password and access token. */
int
h_user_self_get(struct req *r)
{
	struct user u;
	int rc;

	if ((rc = users_get(r->db, &r->arena, r->user.id, &u)) != GW_OK)
		return fail_rc(r, rc);
	return api_ok(r, user_json(&u, 0));
}

/* PUT /api/user/self {username, display_name, password}: "" leaves a field. */
int
h_user_self_put(struct req *r)
{
	struct user_body b;
	struct user f;
	const char *field, *tag;
	int rc;

	if (body_user(r, &b) != GW_OK)
		return GW_OK;
	if (user_validate(&b.u, &field, &tag) != GW_OK)
		return api_fail(r, 200, "输入不合法 Key: 'User.%s' Error:Field validation for '%s' "
		    "failed on the '%s' tag", field, field, tag);
	memset(&f, 0, sizeof(f));
	f.username = b.u.username;
	f.password = b.u.password;
	f.display_name = b.u.display_name;
	if ((rc = users_update(r->db, r->user.id, &f)) != GW_OK)
		return fail_rc(r, rc);
	/* a new password ended every session: this one goes on with a new id */
	if (f.password && f.password[0] && req_header(r, "Authorization") == NULL &&
	    session_start(r, r->user.id) != GW_OK)
		return api_fail(r, 500, MSG_DB);
	return api_ok(r, NULL);
}

/* DELETE /api/user/self: soft delete; the root user cannot leave. */
int
h_user_self_delete(struct req *r)
{
	int rc;

	if (r->user.role == ROLE_ROOT)
		return api_fail(r, 200, "不能删除超级管理员账户");
	if ((rc = users_soft_delete(r->db, r->user.id)) != GW_OK)
		return fail_rc(r, rc);
	return api_ok(r, NULL);
}

/* GET /api/user/token: a new access token, returned once. It changes
 * state, so a cookie alone (which any site's link carries) is not enough:
 * the browser must say the request comes from our own pages. */
int
h_user_access_token(struct req *r)
{
	const char *authz = req_header(r, "Authorization");
	char tok[33];
	int rc;

	if ((authz == NULL || authz[0] == '\0') && !auth_same_origin(r))
		return api_fail(r, 403, "跨站请求被拒绝 (cross-site request refused: call this from the "
		    "site's own pages)");
	if ((rc = users_new_access_token(r->db, r->user.id, tok)) != GW_OK)
		return fail_rc(r, rc);
	return api_ok(r, json_string(tok));
}

/* GET /api/user/aff: the caller's invitation code (made on first use). */
int
h_user_aff(struct req *r)
{
	const char *code;
	int rc;

	if ((rc = users_aff_code(r->db, &r->arena, r->user.id, &code)) != GW_OK)
		return fail_rc(r, rc);
	return api_ok(r, json_string(code));
}

/* GET /api/user/?p=&order=&size=: users that are not deleted, page size 10
 * (LK: size up to MAX_ITEMS_PER_PAGE). */
int
h_user_list(struct req *r)
{
	int64_t off, lim, total = 0;
	json_t *arr;

	api_page(r, &off, &lim);
	arr = users_list_json(r->db, req_query(r, "order"), off, lim, &total);
	if (arr == NULL)
		return api_fail(r, 500, MSG_DB);
	return api_ok_total(r, arr, total);
}

/* GET /api/user/search?keyword= */
int
h_user_search(struct req *r)
{
	const char *kw = req_query(r, "keyword");
	json_t *arr = users_search_json(r->db, kw ? kw : "");

	if (arr == NULL)
		return api_fail(r, 500, MSG_DB);
	return api_ok(r, arr);
}

/* GET /api/user/:id: not for users of equal or higher role (root sees all). */
int
h_user_get(struct req *r)
{
	int64_t id = path_id(r);
	struct user u;
	int rc;

	if (id == 0)
		return GW_OK;
	if ((rc = users_get(r->db, &r->arena, id, &u)) != GW_OK)
		return fail_rc(r, rc);
	if (r->user.role <= u.role && r->user.role != ROLE_ROOT)
		return api_fail(r, 200, "无权获取同级或更高等级用户的信息");
	return api_ok(r, user_json(&u, 0));
}

/* POST /api/user/ {username, password, display_name}: always a common user. */
int
h_user_create(struct req *r)
{
	struct user_body b;
	const char *field, *tag, *display;
	int rc;

	if (body_user(r, &b) != GW_OK)
		return GW_OK;
	if (b.u.username == NULL || b.u.username[0] == '\0' || b.u.password == NULL ||
	    b.u.password[0] == '\0')
		return api_fail(r, 200, MSG_BAD_PARAM);
	if (user_validate(&b.u, &field, &tag) != GW_OK)
		return api_fail(r, 200, MSG_BAD_INPUT);
	display = b.u.display_name && b.u.display_name[0] ? b.u.display_name : b.u.username;
	if (b.u.role >= r->user.role)
		return api_fail(r, 200, "无法创建权限大于等于自己的用户");
	if ((rc = users_create(r->db, b.u.username, b.u.password, display, NULL, 0, NULL)) != GW_OK)
		return fail_rc(r, rc);
	return api_ok(r, NULL);
}

/* The action of POST /api/user/manage on user u, into f (role/status):
 * NULL, or the message refusing it. */
static const char *
manage_action(struct req *r, const char *action, const struct user *u, struct user *f)
{
	if (strcmp(action, "disable") == 0) {
		if (u->role == ROLE_ROOT)
			return "无法禁用超级管理员用户";
		f->status = USER_STATUS_DISABLED;
	} else if (strcmp(action, "enable") == 0) {
		f->status = USER_STATUS_ENABLED;
	} else if (strcmp(action, "delete") == 0) {
		if (u->role == ROLE_ROOT)
			return "无法删除超级管理员用户";
		f->status = USER_STATUS_DELETED;
	} else if (strcmp(action, "promote") == 0) {
		if (r->user.role != ROLE_ROOT)
			return "普通管理员用户无法提升其他用户为管理员";
		if (u->role >= ROLE_ADMIN)
			return "该用户已经是管理员";
		f->role = ROLE_ADMIN;
	} else if (strcmp(action, "demote") == 0) {
		if (u->role == ROLE_ROOT)
			return "无法降级超级管理员用户";
		if (u->role == ROLE_COMMON)
			return "该用户已经是普通用户";
		f->role = ROLE_COMMON;
	} else {
		return MSG_BAD_PARAM ": action must be disable, enable, delete, promote or demote";
	}
	return NULL;
}

/* POST /api/user/manage {username, action}; data = {role, status} in the
 * shape of a User (other fields zero), as One API answers. */
int
h_user_manage(struct req *r)
{
	const char *name = NULL, *action = NULL, *why;
	struct user u, f, out;
	json_t *o;
	int rc;

	if ((o = req_json_object(r)) == NULL)
		return GW_OK;
	if (jx_str(o, "username", &name) == GW_EINPUT || jx_str(o, "action", &action) == GW_EINPUT)
		return api_fail(r, 200, MSG_BAD_PARAM ": username and action must be strings");
	if (name == NULL || name[0] == '\0')
		return api_fail(r, 200, MSG_NO_USER);
	rc = users_get_by_username(r->db, &r->arena, name, &u);
	if (rc != GW_OK)
		return fail_rc(r, rc);
	if (r->user.role <= u.role && r->user.role != ROLE_ROOT)
		return api_fail(r, 200, "无权更新同权限等级或更高权限等级的用户信息");
	memset(&f, 0, sizeof(f));
	if ((why = manage_action(r, action ? action : "", &u, &f)) != NULL)
		return api_fail(r, 200, "%s", why);
	if (f.status == USER_STATUS_DELETED)
		rc = users_soft_delete(r->db, u.id);
	else
		rc = users_update(r->db, u.id, &f);
	if (rc != GW_OK)
		return fail_rc(r, rc);
	memset(&out, 0, sizeof(out));
	out.role = f.role ? f.role : u.role;
	out.status = f.status ? f.status : u.status;
	return api_ok(r, user_json(&out, 0));
}

/* PUT /api/user/: GORM Updates(struct) of every non-zero field sent;
 * password "" = unchanged. A quota change writes a manage log. */
int
h_user_update(struct req *r)
{
	char from[64], to[64], msg[192];
	struct user_body b;
	struct user origin;
	const char *field, *tag;
	int my = r->user.role, rc;

	if (body_user(r, &b) != GW_OK)
		return GW_OK;
	if (b.u.id == 0)
		return api_fail(r, 200, MSG_BAD_PARAM);
	if (user_validate(&b.u, &field, &tag) != GW_OK)
		return api_fail(r, 200, MSG_BAD_INPUT);
	if (b.u.quota < 0 || b.u.quota > QUOTA_MAX || b.u.used_quota < 0 ||
	    b.u.used_quota > QUOTA_MAX || b.u.request_count < 0)
		return api_fail(r, 200, MSG_BAD_INPUT ": quota must be between 0 and %lld",
		    (long long)QUOTA_MAX);
	if ((rc = users_get(r->db, &r->arena, b.u.id, &origin)) != GW_OK)
		return fail_rc(r, rc);
	if (my <= origin.role && my != ROLE_ROOT)
		return api_fail(r, 200, "无权更新同权限等级或更高权限等级的用户信息");
	if (my <= b.u.role && my != ROLE_ROOT)
		return api_fail(r, 200, "无权将其他用户权限等级提升到大于等于自己的权限等级");
	/* beyond One API: the root account cannot be disabled or demoted here either */
	if (origin.role == ROLE_ROOT && b.u.status != 0 && b.u.status != USER_STATUS_ENABLED)
		return api_fail(r, 200, "无法禁用超级管理员用户");
	if (origin.role == ROLE_ROOT && b.u.role != 0 && b.u.role != ROLE_ROOT)
		return api_fail(r, 200, "无法降级超级管理员用户");
	if ((rc = users_update(r->db, b.u.id, &b.u)) != GW_OK)
		return fail_rc(r, rc);
	/* One API logs whenever the numbers differ, even when quota was not
	 * sent (0); we log only a quota that was sent and changed */
	if (b.u.quota != 0 && b.u.quota != origin.quota) {
		snprintf(msg, sizeof(msg), "管理员将用户额度从 %s修改为 %s",
		    logs_quota_text(from, sizeof(from), origin.quota),
		    logs_quota_text(to, sizeof(to), b.u.quota));
		if (logs_record(r->db, origin.id, NULL, LOGT_MANAGE, msg) != GW_OK)
			return api_fail(r, 500, MSG_DB);
	}
	return api_ok(r, NULL);
}

/* DELETE /api/user/:id: soft delete of a user of lower role. */
int
h_user_delete(struct req *r)
{
	int64_t id = path_id(r);
	struct user u;
	int rc;

	if (id == 0)
		return GW_OK;
	if ((rc = users_get(r->db, &r->arena, id, &u)) != GW_OK)
		return fail_rc(r, rc);
	if (r->user.role <= u.role)
		return api_fail(r, 200, "无权删除同权限等级或更高权限等级的用户");
	if ((rc = users_soft_delete(r->db, id)) != GW_OK)
		return fail_rc(r, rc);
	return api_ok(r, NULL);
}
