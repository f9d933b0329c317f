/* fcgi/relay_auth.c: stub until API-key auth lands */
#include "relay_auth.h"
#include "jsonx.h"
int relay_auth(struct req *r, struct relay_token *t) { oai_error(r, 401, "one_api_error", NULL, "无效的令牌"); return GW_EAUTH; }
int relay_auth_model(struct req *r, const struct relay_token *t, const char *model) { return GW_OK; }
int relay_ip_in_subnets(const char *ip, const char *subnets) { return 0; }
