/* handlers/api_log.c: stubs until the logs API lands */
#include "handlers.h"
#include "jsonx.h"
int h_log_list(struct req *r) { return GW_ENOTFOUND; }
int h_log_delete(struct req *r) { return GW_ENOTFOUND; }
int h_log_stat(struct req *r) { return GW_ENOTFOUND; }
int h_log_search(struct req *r) { return GW_ENOTFOUND; }
int h_log_self(struct req *r) { return GW_ENOTFOUND; }
int h_log_self_stat(struct req *r) { return GW_ENOTFOUND; }
int h_log_self_search(struct req *r) { return GW_ENOTFOUND; }
int h_user_dashboard(struct req *r) { return GW_ENOTFOUND; }
int h_topup(struct req *r) { return GW_ENOTFOUND; }
int h_cost_request(struct req *r) { return GW_ENOTFOUND; }
