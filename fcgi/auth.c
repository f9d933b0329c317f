/* fcgi/auth.c: management-route caller: session cookie, else access token (One API middleware/auth.go) */
#include <string.h>
#include "auth.h"
#include "jsonx.h"
#include "session.h"

/* The user row for by_id (id) or else by access token: GW_OK with u
 * filled (strings in the arena), GW_ENOTFOUND, GW_EDB. */
static int
load_user(struct req *r, int64_t id, const char *access_token, struct req_user *u)
{
	struct db_stmt *st = NULL;
	int rc;

	if (access_token == NULL)
		rc = db_query(r->db, &st, "SELECT id, username, role, status, `group` FROM users WHERE id = ?",
		    DB_ARGS(DB_I(id)));
	else
		rc = db_query(r->db, &st, "SELECT id, username, role, status, `group` FROM users "
		    "WHERE access_token = ? LIMIT 1", DB_ARGS(DB_S(access_token)));
	if (rc != GW_OK)
		return rc;
	switch (db_next(st)) {
	case 1:
		u->id = db_int(st, 0);
		u->username = arena_strdup(&r->arena, db_text(st, 1));
		u->role = (int)db_int(st, 2);
		u->status = (int)db_int(st, 3);
		u->group = arena_strdup(&r->arena, db_text(st, 4));
		rc = u->username && u->group ? GW_OK : GW_ENOMEM;
		/* One API: a user row without a username is no user */
		if (rc == GW_OK && u->username[0] == '\0')
			rc = GW_ENOTFOUND;
		break;
	case 0:
		rc = GW_ENOTFOUND;
		break;
	default:
		rc = GW_EDB;
	}
	db_done(st);
	return rc;
}

/* The user is read from the database on every request, so a role change,
 * a ban or a deletion takes effect at once (One API only sees bans). */
int
auth_user(struct req *r, int min_role)
{
	struct req_user u = { 0 };
	const char *cookie, *hdr;
	int64_t id;
	int rc = GW_ENOTFOUND;

	cookie = req_cookie(r, "session");
	if (cookie != NULL && session_verify(cookie, &id) == GW_OK)
		rc = load_user(r, id, NULL, &u);
	if (rc == GW_EDB || rc == GW_ENOMEM) {
		api_fail(r, 500, "数据库错误");
		return rc;
	}
	if (rc == GW_ENOTFOUND) {
		hdr = req_header(r, "Authorization");
		if (hdr == NULL || hdr[0] == '\0') {
			api_fail(r, 401, "无权进行此操作，未登录且未提供 access token");
			return GW_EAUTH;
		}
		if (strncmp(hdr, "Bearer ", 7) == 0)
			hdr += 7;
		rc = hdr[0] ? load_user(r, 0, hdr, &u) : GW_ENOTFOUND;
		if (rc == GW_EDB || rc == GW_ENOMEM) {
			api_fail(r, 500, "数据库错误");
			return rc;
		}
		if (rc != GW_OK) {
			api_fail(r, 200, "无权进行此操作，access token 无效");
			return GW_EAUTH;
		}
	}
	if (u.status != 1) {
		api_fail(r, 200, "用户已被封禁");
		if (cookie != NULL)
			session_clear(r);
		return GW_EFORBIDDEN;
	}
	if (u.role < min_role) {
		api_fail(r, 200, "无权进行此操作，权限不足");
		return GW_EFORBIDDEN;
	}
	r->user = u;
	r->authed = 1;
	return GW_OK;
}
