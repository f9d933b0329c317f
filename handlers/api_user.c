/* handlers/api_user.c: stub */
#include "handlers.h"
int h_user_register(struct req *r) { return GW_ENOTFOUND; }
int h_user_login(struct req *r) { return GW_ENOTFOUND; }
int h_user_logout(struct req *r) { return GW_ENOTFOUND; }
int h_user_self_get(struct req *r) { return GW_ENOTFOUND; }
int h_user_self_put(struct req *r) { return GW_ENOTFOUND; }
int h_user_self_delete(struct req *r) { return GW_ENOTFOUND; }
int h_user_access_token(struct req *r) { return GW_ENOTFOUND; }
int h_user_aff(struct req *r) { return GW_ENOTFOUND; }
int h_user_list(struct req *r) { return GW_ENOTFOUND; }
int h_user_search(struct req *r) { return GW_ENOTFOUND; }
int h_user_get(struct req *r) { return GW_ENOTFOUND; }
int h_user_create(struct req *r) { return GW_ENOTFOUND; }
int h_user_manage(struct req *r) { return GW_ENOTFOUND; }
int h_user_update(struct req *r) { return GW_ENOTFOUND; }
int h_user_delete(struct req *r) { return GW_ENOTFOUND; }
