/* handlers/api_token.c: stub */
#include "handlers.h"
int h_token_list(struct req *r) { return GW_ENOTFOUND; }
int h_token_search(struct req *r) { return GW_ENOTFOUND; }
int h_token_get(struct req *r) { return GW_ENOTFOUND; }
int h_token_create(struct req *r) { return GW_ENOTFOUND; }
int h_token_update(struct req *r) { return GW_ENOTFOUND; }
int h_token_delete(struct req *r) { return GW_ENOTFOUND; }
