/* fcgi/users.h: the users table (One API model/user.go) */
#ifndef GW_USERS_H
#define GW_USERS_H

#include <stdint.h>
#include <jansson.h>
#include "arena.h"
#include "db.h"

/* One API's validate tags on User, in characters (runes). */
#define USER_USERNAME_MAX	12
#define USER_PASSWORD_MIN	8
#define USER_PASSWORD_MAX	20
#define USER_DISPLAY_NAME_MAX	20
#define USER_EMAIL_MAX		50

enum user_status {
	USER_STATUS_ENABLED = 1,
	USER_STATUS_DISABLED = 2,
	USER_STATUS_DELETED = 3,
};

/*
 * One user row. Read functions fill every field (NULL columns become "" or
 * 0; strings live in the caller's arena). users_update() reads it the way
 * GORM's Updates(struct) does: NULL or "" strings and 0 numbers are "not
 * set". password is the bcrypt hash when read, the plain text when written.
 */
struct user {
	int64_t id;
	const char *username;
	const char *password;
	const char *display_name;
	int64_t role;
	int64_t status;
	const char *email;
	const char *github_id;
	const char *wechat_id;
	const char *lark_id;
	const char *oidc_id;
	const char *access_token;
	int64_t quota;
	int64_t used_quota;
	int64_t request_count;
	const char *group;
	const char *aff_code;
	int64_t inviter_id;
};

/* One API's validator on the fields that carry tags (username, password,
 * display_name, email; password skipped when NULL or ""). GW_OK, or
 * GW_EINPUT with the Go field name ("Username") and tag ("max") that
 * failed. */
int user_validate(const struct user *u, const char **field, const char **tag) GW_WUR;

/* A username we accept: not empty, no control characters, no leading or
 * trailing space (names are unique ignoring case and such spaces). */
int user_name_ok(const char *name);

/* Load by id / by exact username / for login (username, else email).
 * GW_OK, GW_ENOTFOUND or GW_EDB (GW_ENOMEM). */
int users_get(struct db *db, struct arena *a, int64_t id, struct user *u) GW_WUR;
/* The group of user id ("default" when NULL), in a. GW_OK, GW_ENOTFOUND
 * or GW_EDB. */
int users_group(struct db *db, struct arena *a, int64_t id, const char **group) GW_WUR;
int users_get_by_username(struct db *db, struct arena *a, const char *username,
    struct user *u) GW_WUR;
int users_get_for_login(struct db *db, struct arena *a, const char *name, struct user *u) GW_WUR;

/* The JSON object One API sends for a User: every field of the Go struct
 * (id, username, password, display_name, role, status, email, github_id,
 * wechat_id, lark_id, oidc_id, verification_code, access_token, quota,
 * used_quota, request_count, group, aff_code, inviter_id). password and
 * verification_code are always ""; access_token is "" unless with_token.
 * u may have NULL strings (shown as ""). New reference, NULL on ENOMEM. */
json_t *user_json(const struct user *u, int with_token);

/* One page of users that are not deleted, as One API's GetAllUsers (with
 * access tokens, without passwords). order: "quota", "used_quota",
 * "request_count" or anything else for id desc. *total (may be NULL) gets
 * the number of such users. New reference, NULL on a store error. */
json_t *users_list_json(struct db *db, const char *order, int64_t offset, int64_t limit,
    int64_t *total);
/* One API's SearchUsers: id equal to keyword, or username/email/display_name
 * starting with it (deleted users included). New reference or NULL. */
json_t *users_search_json(struct db *db, const char *keyword);

/* One API's User.Insert: hash password, quota = QuotaForNewUser, fresh
 * access token and aff_code, then the system logs of the gifts, the
 * invitee/inviter bonuses (QuotaForInvitee/QuotaForInviter) when inviter_id
 * is not 0, and a token named "default" (unlimited, never expires; its
 * failure is only logged). display_name/email may be NULL (stored "").
 * GW_ECONFLICT when the username is taken (ignoring case and surrounding
 * spaces), GW_EINPUT when !user_name_ok; *id_out may be NULL. */
int users_create(struct db *db, const char *username, const char *password,
    const char *display_name, const char *email, int64_t inviter_id, int64_t *id_out) GW_WUR;

/* GORM Updates(struct) on user id: write only the set fields of f (f->id is
 * ignored); a set password is hashed first. GW_ECONFLICT when the new
 * username (ignoring case and spaces), access token or aff_code is taken,
 * GW_EINPUT for a username !user_name_ok, GW_ENOTFOUND when no such user,
 * GW_OK when nothing was set. A new password, role or status ends every
 * session of the user (session_revoke). */
int users_update(struct db *db, int64_t id, const struct user *f) GW_WUR;

/* One API's User.Delete: username becomes "deleted_<uuid hex>", status 3;
 * every session of the user ends. */
int users_soft_delete(struct db *db, int64_t id) GW_WUR;

/* A new random access token for user id, written and copied to out. */
int users_new_access_token(struct db *db, int64_t id, char out[33]) GW_WUR;

/* The aff_code of user id, creating a random one when empty. *out is in a. */
int users_aff_code(struct db *db, struct arena *a, int64_t id, const char **out) GW_WUR;

/* The id of the user with aff_code code: GW_OK or GW_ENOTFOUND ("" never matches). */
int users_id_by_aff_code(struct db *db, const char *code, int64_t *id) GW_WUR;

/* Set the quota / role of user id, zero included (users_update skips
 * zeros). GW_OK or GW_EDB. */
int users_set_quota(struct db *db, int64_t id, int64_t quota) GW_WUR;
int users_set_role(struct db *db, int64_t id, int64_t role) GW_WUR;

#endif
