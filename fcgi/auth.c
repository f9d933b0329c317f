/* fcgi/auth.c: stub */
#include "auth.h"
#include "jsonx.h"
int auth_user(struct req *r, int min_role) { api_fail(r, 401, "无权进行此操作，未登录且未提供 access token"); return GW_EAUTH; }
