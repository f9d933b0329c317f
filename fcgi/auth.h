/* fcgi/auth.h: who is calling a management route */
#ifndef GW_AUTH_H
#define GW_AUTH_H

#include "http.h"

/* Resolve the caller from the session cookie or "Authorization: <access
 * token>" (a leading "Bearer " is removed) and require role >= min_role.
 * On success fills r->user, sets r->authed and returns GW_OK. Otherwise
 * writes One API's answer and returns the error:
 *  - neither cookie nor header: 401 {"success":false,"message":"无权进行此操作，未登录且未提供 access token"}
 *  - bad access token: 200 "无权进行此操作，access token 无效"
 *  - disabled/deleted user: 200 "用户已被封禁" (and the cookie is cleared)
 *  - role too low: 200 "无权进行此操作，权限不足" */
int auth_user(struct req *r, int min_role) GW_WUR;

#endif
