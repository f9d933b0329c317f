/* fcgi/auth.h: who is calling a management route */
#ifndef GW_AUTH_H
#define GW_AUTH_H

#include "http.h"
#include "users.h"

/* Resolve the caller from the session cookie or "Authorization: <access
 * token>" (a leading "Bearer " is removed) and require role >= min_role.
 * On success fills r->user, sets r->authed and returns GW_OK. Otherwise
 * writes One API's answer and returns the error:
 *  - neither cookie nor header: 401 {"success":false,"message":"无权进行此操作，未登录且未提供 access token"}
 *  - bad access token: 200 "无权进行此操作，access token 无效"
 *  - disabled/deleted user: 200 "用户已被封禁" (and the cookie is cleared)
 *  - role too low: 200 "无权进行此操作，权限不足"
 *  - a cookie whose session was revoked counts as no cookie (and is cleared)
 *  - a cookie-authenticated write (not GET/HEAD/OPTIONS) that is not
 *    Content-Type application/json, or whose Origin (else Referer) is
 *    another site: 403 (access-token callers are not checked) */
int auth_user(struct req *r, int min_role) GW_WUR;

/* The caller of a public route, if any, without answering anything:
 * GW_OK with u filled (an enabled user of a live session or access
 * token), else GW_EAUTH and u zeroed. */
int auth_peek(struct req *r, struct req_user *u) GW_WUR;

/* 1 when an Origin or Referer value v ("scheme://authority/...") names
 * this server: its authority is host (the Host header, any case), or it
 * starts with own (SERVER_ADDRESS, trailing slashes ignored) up to the
 * path. Either may be NULL. Pure (fuzzed). */
int auth_origin_matches(const char *v, const char *host, const char *own);

/* 1 when the browser says the request comes from another site:
 * Sec-Fetch-Site other than same-origin/none, or an Origin (else Referer)
 * that is not this server. 0 when nothing says so (scripts included). */
int auth_cross_site(struct req *r);

/* 1 when the browser says the request comes from this site: Sec-Fetch-Site
 * same-origin or none, and an Origin (else Referer) naming this host (Host
 * header or SERVER_ADDRESS); 0 when anything says otherwise or nothing
 * says anything. For cookie-authenticated GETs that change state. */
int auth_same_origin(struct req *r);

/* Count one sign-in request (login, register, password reset) from the
 * client address against CRITICAL_RATE_LIMIT per 20 minutes: GW_OK, or
 * GW_ELIMIT with *retry_s and a Retry-After header set (the caller answers
 * 429). */
int auth_critical_limit(struct req *r, int64_t *retry_s) GW_WUR;

/*
 * Check a password for name (a username, else an email) with a growing
 * delay after repeated failures for that name (ratelimit.h). GW_OK with u
 * filled; GW_EAUTH wrong name or password (the same bcrypt time either
 * way); GW_EFORBIDDEN right password of a disabled or deleted user;
 * GW_ELIMIT with *retry_s and Retry-After set, nothing checked; GW_EDB.
 */
int auth_password(struct req *r, const char *name, const char *pw, struct user *u,
    int64_t *retry_s) GW_WUR;

#endif
