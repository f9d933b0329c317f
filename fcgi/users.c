/* fcgi/users.c: the users table: read, list, search, create, GORM-style update, soft delete */
#include <string.h>
#include "users.h"
#include "buf.h"
#include "cache.h"
#include "log.h"
#include "logs.h"
#include "options.h"
#include "password.h"
#include "session.h"
#include "tokens.h"
#include "util.h"

#define USER_COLS "id, username, password, display_name, role, status, email, github_id, " \
	"wechat_id, lark_id, oidc_id, access_token, quota, used_quota, request_count, `group`, " \
	"aff_code, inviter_id"
#define USER_TRIES	4	/* retries of a random access token / aff_code on a clash */
#define USER_SET_MAX	17	/* settable columns in users_update */

/* Characters of UTF-8 text, as Go's validator counts string length. */
static size_t
runes(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

int
user_validate(const struct user *u, const char **field, const char **tag)
{
	*field = *tag = NULL;
	if (u->username && runes(u->username) > USER_USERNAME_MAX)
		*field = "Username", *tag = "max";
	else if (u->password && u->password[0] && runes(u->password) < USER_PASSWORD_MIN)
		*field = "Password", *tag = "min";
	else if (u->password && runes(u->password) > USER_PASSWORD_MAX)
		*field = "Password", *tag = "max";
	else if (u->display_name && runes(u->display_name) > USER_DISPLAY_NAME_MAX)
		*field = "DisplayName", *tag = "max";
	else if (u->email && runes(u->email) > USER_EMAIL_MAX)
		*field = "Email", *tag = "max";
	return *field ? GW_EINPUT : GW_OK;
}

/* Column i as an arena string; NULL only on ENOMEM. */
static const char *
col_str(struct db_stmt *st, int i, struct arena *a)
{
	return arena_strdup(a, db_text(st, i));
}

/* The current row of a USER_COLS query into u. */
static int
row_user(struct db_stmt *st, struct arena *a, struct user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = db_int(st, 0);
	u->username = col_str(st, 1, a);
	u->password = col_str(st, 2, a);
	u->display_name = col_str(st, 3, a);
	u->role = db_int(st, 4);
	u->status = db_int(st, 5);
	u->email = col_str(st, 6, a);
	u->github_id = col_str(st, 7, a);
	u->wechat_id = col_str(st, 8, a);
	u->lark_id = col_str(st, 9, a);
	u->oidc_id = col_str(st, 10, a);
	u->access_token = col_str(st, 11, a);
	u->quota = db_int(st, 12);
	u->used_quota = db_int(st, 13);
	u->request_count = db_int(st, 14);
	u->group = col_str(st, 15, a);
	u->aff_code = col_str(st, 16, a);
	u->inviter_id = db_int(st, 17);
	if (!u->username || !u->password || !u->display_name || !u->email || !u->github_id ||
	    !u->wechat_id || !u->lark_id || !u->oidc_id || !u->access_token || !u->group ||
	    !u->aff_code)
		return GW_ENOMEM;
	return GW_OK;
}

/* Run a USER_COLS query with one argument and read its first row. */
static int
get_one(struct db *db, struct arena *a, struct user *u, const char *sql, struct db_arg arg)
{
	struct db_stmt *st = NULL;
	int rc;

	if ((rc = db_query(db, &st, sql, &arg, 1)) != GW_OK)
		return rc;
	switch (db_next(st)) {
	case 1:
		rc = row_user(st, a, u);
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

int
users_get(struct db *db, struct arena *a, int64_t id, struct user *u)
{
	return get_one(db, a, u, "SELECT " USER_COLS " FROM users WHERE id = ?", DB_I(id));
}

int
users_group(struct db *db, struct arena *a, int64_t id, const char **group)
{
	struct db_stmt *st;
	int rc, more;

	rc = db_query(db, &st, "SELECT COALESCE(`group`, 'default') FROM users WHERE id = ?",
	    DB_ARGS(DB_I(id)));
	if (rc != GW_OK)
		return GW_EDB;
	more = db_next(st);
	if (more == 1 && (*group = arena_strdup(a, db_text(st, 0))) == NULL)
		more = -1;
	db_done(st);
	return more == 1 ? GW_OK : more == 0 ? GW_ENOTFOUND : GW_EDB;
}

int
users_get_by_username(struct db *db, struct arena *a, const char *username, struct user *u)
{
	return get_one(db, a, u, "SELECT " USER_COLS " FROM users WHERE username = ? ORDER BY id LIMIT 1",
	    DB_S(username));
}

/* Username first, then email: One API checks the username first so that
 * nobody can take over an account by choosing its email as a username. */
int
users_get_for_login(struct db *db, struct arena *a, const char *name, struct user *u)
{
	int rc = users_get_by_username(db, a, name, u);

	if (rc != GW_ENOTFOUND || name[0] == '\0')
		return rc;
	return get_one(db, a, u, "SELECT " USER_COLS " FROM users WHERE email = ? ORDER BY id LIMIT 1",
	    DB_S(name));
}

json_t *
user_json(const struct user *u, int with_token)
{
#define S(x) ((x) ? (x) : "")
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:I, s:I, s:I, s:s, s:s, s:I}",
	    "id", (json_int_t)u->id, "username", S(u->username), "password", "",
	    "display_name", S(u->display_name), "role", (json_int_t)u->role,
	    "status", (json_int_t)u->status, "email", S(u->email), "github_id", S(u->github_id),
	    "wechat_id", S(u->wechat_id), "lark_id", S(u->lark_id), "oidc_id", S(u->oidc_id),
	    "verification_code", "", "access_token", with_token ? S(u->access_token) : "",
	    "quota", (json_int_t)u->quota, "used_quota", (json_int_t)u->used_quota,
	    "request_count", (json_int_t)u->request_count, "group", S(u->group),
	    "aff_code", S(u->aff_code), "inviter_id", (json_int_t)u->inviter_id);
#undef S
}

/* Every row of a USER_COLS query as user_json objects, without access
 * tokens: an admin who could read root's would be root. */
static json_t *
rows_json(struct db *db, const char *sql, const struct db_arg *args, size_t nargs)
{
	struct db_stmt *st = NULL;
	struct arena a;
	struct user u;
	json_t *arr = json_array(), *o;
	int step;

	if (arr == NULL || db_query(db, &st, sql, args, nargs) != GW_OK) {
		json_decref(arr);
		return NULL;
	}
	arena_init(&a);
	while ((step = db_next(st)) == 1) {
		if (row_user(st, &a, &u) != GW_OK || (o = user_json(&u, 0)) == NULL ||
		    json_array_append_new(arr, o) != 0) {
			step = -1;
			break;
		}
	}
	db_done(st);
	arena_release(&a);
	if (step < 0) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

json_t *
users_list_json(struct db *db, const char *order, int64_t offset, int64_t limit, int64_t *total)
{
	const char *sql;

	if (order && strcmp(order, "quota") == 0)
		sql = "SELECT " USER_COLS " FROM users WHERE status != 3 ORDER BY quota DESC LIMIT ? OFFSET ?";
	else if (order && strcmp(order, "used_quota") == 0)
		sql = "SELECT " USER_COLS " FROM users WHERE status != 3 ORDER BY used_quota DESC LIMIT ? OFFSET ?";
	else if (order && strcmp(order, "request_count") == 0)
		sql = "SELECT " USER_COLS " FROM users WHERE status != 3 ORDER BY request_count DESC LIMIT ? OFFSET ?";
	else
		sql = "SELECT " USER_COLS " FROM users WHERE status != 3 ORDER BY id DESC LIMIT ? OFFSET ?";
	if (total && db_scalar_int(db, total, "SELECT count(*) FROM users WHERE status != 3",
	    DB_NOARGS) != GW_OK)
		return NULL;
	return rows_json(db, sql, DB_ARGS(DB_I(limit), DB_I(offset)));
}

json_t *
users_search_json(struct db *db, const char *keyword)
{
	struct buf like;
	json_t *j;

	buf_init(&like, BUF_MAX_SMALL);
	if (buf_printf(&like, "%s%%", keyword) != GW_OK)
		return NULL;
	j = rows_json(db, "SELECT " USER_COLS " FROM users WHERE id = ? OR username LIKE ? "
	    "OR email LIKE ? OR display_name LIKE ? ORDER BY id",
	    DB_ARGS(DB_S(keyword), DB_S(buf_cstr(&like)), DB_S(buf_cstr(&like)), DB_S(buf_cstr(&like))));
	buf_release(&like);
	return j;
}

/* Taken by another user (not except_id), comparing as people read names:
 * "mallory", "MALLORY" and "mallory " are one name. */
static int
username_taken(struct db *db, const char *username, int64_t except_id)
{
	int64_t n = 0;

	return db_scalar_int(db, &n, "SELECT count(*) FROM users WHERE lower(trim(username)) = "
	    "lower(trim(?)) AND id != ?", DB_ARGS(DB_S(username), DB_I(except_id))) == GW_OK && n > 0;
}

int
user_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	const unsigned char *p;

	if (n == 0)
		return 0;
	for (p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return name[0] != ' ' && name[n - 1] != ' ';
}

/* System log lines of the sign-up gifts: "<prefix> ＄x 额度". */
static void
gift_log(struct db *db, int64_t user_id, const char *prefix, int64_t quota)
{
	char q[64], msg[160];

	snprintf(msg, sizeof(msg), "%s %s", prefix, logs_quota_text(q, sizeof(q), quota));
	if (logs_record(db, user_id, NULL, LOGT_SYSTEM, msg) != GW_OK)
		log_warn("users: cannot write the gift log of user %lld", (long long)user_id);
}

static int
add_quota(struct db *db, int64_t id, int64_t quota)
{
	int rc = db_exec(db, "UPDATE users SET quota = quota + ? WHERE id = ?",
	    DB_ARGS(DB_I(quota), DB_I(id)), NULL);

	cache_invalidate(db, CACHE_F(CACHE_USER));
	return rc;
}

int
users_create(struct db *db, const char *username, const char *password, const char *display_name,
    const char *email, int64_t inviter_id, int64_t *id_out)
{
	char hash[PASSWORD_HASH_MAX], access[33], aff[5];
	int64_t quota = option_int("QuotaForNewUser", 0), bonus, id;
	int rc = GW_ECONFLICT, i;

	if (username == NULL || password == NULL || !user_name_ok(username))
		return GW_EINPUT;
	if (username_taken(db, username, 0))
		return GW_ECONFLICT;
	if ((rc = password_hash(password, hash, sizeof(hash))) != GW_OK)
		return rc;
	for (i = 0; i < USER_TRIES; i++) {
		if ((rc = rand_uuid_hex(access)) != GW_OK || (rc = rand_alnum(aff, 4)) != GW_OK)
			break;
		rc = db_exec(db, "INSERT INTO users (username, password, display_name, role, status, "
		    "email, github_id, wechat_id, lark_id, oidc_id, access_token, quota, aff_code, "
		    "inviter_id) VALUES (?, ?, ?, 1, 1, ?, '', '', '', '', ?, ?, ?, ?)",
		    DB_ARGS(DB_S(username), DB_S(hash), DB_S(display_name ? display_name : ""),
		    DB_S(email ? email : ""), DB_S(access), DB_I(quota), DB_S(aff), DB_I(inviter_id)),
		    NULL);
		if (rc == GW_OK || !db_last_was_conflict(db))
			break;
		rc = GW_ECONFLICT;
		if (username_taken(db, username, 0))
			break;	/* lost a race for the name; else a clash of random values */
	}
	explicit_bzero(hash, sizeof(hash));
	if (rc != GW_OK)
		return rc;
	id = db_last_insert_id(db);
	if (id_out)
		*id_out = id;
	/* a token whose owner was missing may have cached "no such user" */
	cache_invalidate(db, CACHE_F(CACHE_USER));
	if (quota > 0)
		gift_log(db, id, "新用户注册赠送", quota);
	if (inviter_id != 0) {
		if ((bonus = option_int("QuotaForInvitee", 0)) > 0 && add_quota(db, id, bonus) == GW_OK)
			gift_log(db, id, "使用邀请码赠送", bonus);
		if ((bonus = option_int("QuotaForInviter", 0)) > 0 && add_quota(db, inviter_id, bonus) == GW_OK)
			gift_log(db, inviter_id, "邀请用户赠送", bonus);
	}
	if (token_create(db, id, "default", NULL, -1, 1, -1, NULL, NULL, NULL, NULL) != GW_OK)
		log_error("users: create default token for user %lld failed", (long long)id);
	return GW_OK;
}

/* Append "col = ?" with its argument when the string is set. */
static int
set_str(struct buf *sql, struct db_arg *args, size_t *n, const char *col, const char *v)
{
	if (v == NULL || v[0] == '\0')
		return GW_OK;
	args[(*n)++] = DB_S(v);
	return buf_printf(sql, "%s%s = ?", *n > 1 ? ", " : "", col);
}

static int
set_int(struct buf *sql, struct db_arg *args, size_t *n, const char *col, int64_t v)
{
	if (v == 0)
		return GW_OK;
	args[(*n)++] = DB_I(v);
	return buf_printf(sql, "%s%s = ?", *n > 1 ? ", " : "", col);
}

/* Does f change what a session may do (password, role, status)? 1 when
 * the sessions of user id must end; a row that cannot be read counts. */
static int
ends_sessions(struct db *db, int64_t id, const struct user *f)
{
	struct db_stmt *st = NULL;
	int yes = 1;

	if (f->password && f->password[0])
		return 1;
	if (f->role == 0 && f->status == 0)
		return 0;
	if (db_query(db, &st, "SELECT role, status FROM users WHERE id = ?", DB_ARGS(DB_I(id))) != GW_OK)
		return 1;
	if (db_next(st) == 1)
		yes = (f->role != 0 && f->role != db_int(st, 0)) ||
		    (f->status != 0 && f->status != db_int(st, 1));
	db_done(st);
	return yes;
}

int
users_update(struct db *db, int64_t id, const struct user *f)
{
	char hash[PASSWORD_HASH_MAX] = "";
	struct db_arg args[USER_SET_MAX + 1];
	struct buf sql;
	int64_t changes = 0;
	size_t n = 0;
	int rc, revoke;

	if (f->username && f->username[0] &&
	    (!user_name_ok(f->username) || username_taken(db, f->username, id)))
		return user_name_ok(f->username) ? GW_ECONFLICT : GW_EINPUT;
	if (f->password && f->password[0] &&
	    (rc = password_hash(f->password, hash, sizeof(hash))) != GW_OK)
		return rc;
	revoke = ends_sessions(db, id, f);
	buf_init(&sql, BUF_MAX_SMALL);
	if ((rc = buf_adds(&sql, "UPDATE users SET ")) != GW_OK ||
	    (rc = set_str(&sql, args, &n, "username", f->username)) != GW_OK ||
	    (rc = set_str(&sql, args, &n, "password", hash)) != GW_OK ||
	    (rc = set_str(&sql, args, &n, "display_name", f->display_name)) != GW_OK ||
	    (rc = set_int(&sql, args, &n, "role", f->role)) != GW_OK ||
	    (rc = set_int(&sql, args, &n, "status", f->status)) != GW_OK ||
	    (rc = set_str(&sql, args, &n, "email", f->email)) != GW_OK ||
	    (rc = set_str(&sql, args, &n, "github_id", f->github_id)) != GW_OK ||
	    (rc = set_str(&sql, args, &n, "wechat_id", f->wechat_id)) != GW_OK ||
	    (rc = set_str(&sql, args, &n, "lark_id", f->lark_id)) != GW_OK ||
	    (rc = set_str(&sql, args, &n, "oidc_id", f->oidc_id)) != GW_OK ||
	    (rc = set_str(&sql, args, &n, "access_token", f->access_token)) != GW_OK ||
	    (rc = set_int(&sql, args, &n, "quota", f->quota)) != GW_OK ||
	    (rc = set_int(&sql, args, &n, "used_quota", f->used_quota)) != GW_OK ||
	    (rc = set_int(&sql, args, &n, "request_count", f->request_count)) != GW_OK ||
	    (rc = set_str(&sql, args, &n, "`group`", f->group)) != GW_OK ||
	    (rc = set_str(&sql, args, &n, "aff_code", f->aff_code)) != GW_OK ||
	    (rc = set_int(&sql, args, &n, "inviter_id", f->inviter_id)) != GW_OK)
		goto out;
	if (n == 0)
		goto out;	/* GORM writes nothing for an all-zero struct */
	args[n++] = DB_I(id);
	if ((rc = buf_adds(&sql, " WHERE id = ?")) != GW_OK)
		goto out;
	rc = db_exec(db, buf_cstr(&sql), args, n, &changes);
	/* status, role, group, quota: the next relay request reads them again */
	cache_invalidate(db, CACHE_F(CACHE_USER));
	if (rc != GW_OK && db_last_was_conflict(db))
		rc = GW_ECONFLICT;
	else if (rc == GW_OK && changes == 0)
		rc = GW_ENOTFOUND;
	if (rc == GW_OK && revoke)
		rc = session_revoke(db, id);
out:
	explicit_bzero(hash, sizeof(hash));
	buf_release(&sql);
	return rc;
}

int
users_soft_delete(struct db *db, int64_t id)
{
	char uuid[33], name[48];
	int64_t changes = 0;
	int rc;

	if ((rc = rand_uuid_hex(uuid)) != GW_OK)
		return rc;
	snprintf(name, sizeof(name), "deleted_%s", uuid);
	rc = db_exec(db, "UPDATE users SET username = ?, status = 3 WHERE id = ?",
	    DB_ARGS(DB_S(name), DB_I(id)), &changes);
	cache_invalidate(db, CACHE_F(CACHE_USER));
	if (rc == GW_OK && changes == 0)
		rc = GW_ENOTFOUND;
	if (rc == GW_OK)
		rc = session_revoke(db, id);
	return rc;
}

int
users_new_access_token(struct db *db, int64_t id, char out[33])
{
	int64_t changes = 0;
	int rc = GW_ECONFLICT, i;

	for (i = 0; i < USER_TRIES; i++) {
		if ((rc = rand_uuid_hex(out)) != GW_OK)
			return rc;
		rc = db_exec(db, "UPDATE users SET access_token = ? WHERE id = ?",
		    DB_ARGS(DB_S(out), DB_I(id)), &changes);
		if (rc == GW_OK || !db_last_was_conflict(db))
			break;
		rc = GW_ECONFLICT;
	}
	if (rc == GW_OK && changes == 0)
		rc = GW_ENOTFOUND;
	return rc;
}

int
users_aff_code(struct db *db, struct arena *a, int64_t id, const char **out)
{
	struct user u;
	char code[5];
	int rc, i;

	if ((rc = users_get(db, a, id, &u)) != GW_OK)
		return rc;
	if (u.aff_code[0] != '\0') {
		*out = u.aff_code;
		return GW_OK;
	}
	for (i = 0; i < USER_TRIES; i++) {
		if ((rc = rand_alnum(code, 4)) != GW_OK)
			return rc;
		rc = db_exec(db, "UPDATE users SET aff_code = ? WHERE id = ?",
		    DB_ARGS(DB_S(code), DB_I(id)), NULL);
		if (rc == GW_OK || !db_last_was_conflict(db))
			break;
		rc = GW_ECONFLICT;
	}
	if (rc != GW_OK)
		return rc;
	*out = arena_strdup(a, code);
	return *out ? GW_OK : GW_ENOMEM;
}

int
users_id_by_aff_code(struct db *db, const char *code, int64_t *id)
{
	if (code == NULL || code[0] == '\0')
		return GW_ENOTFOUND;
	return db_scalar_int(db, id, "SELECT id FROM users WHERE aff_code = ? ORDER BY id LIMIT 1",
	    DB_ARGS(DB_S(code)));
}

int
users_set_quota(struct db *db, int64_t id, int64_t quota)
{
	int rc = db_exec(db, "UPDATE users SET quota = ? WHERE id = ?",
	    DB_ARGS(DB_I(quota), DB_I(id)), NULL);

	cache_invalidate(db, CACHE_F(CACHE_USER));
	return rc;
}

int
users_set_role(struct db *db, int64_t id, int64_t role)
{
	int rc = db_exec(db, "UPDATE users SET role = ? WHERE id = ?",
	    DB_ARGS(DB_I(role), DB_I(id)), NULL);

	cache_invalidate(db, CACHE_F(CACHE_USER));
	return rc;
}
