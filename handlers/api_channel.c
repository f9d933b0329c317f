/* handlers/api_channel.c: stub */
#include "handlers.h"
int h_channel_list(struct req *r) { return GW_ENOTFOUND; }
int h_channel_search(struct req *r) { return GW_ENOTFOUND; }
int h_channel_models(struct req *r) { return GW_ENOTFOUND; }
int h_channel_get(struct req *r) { return GW_ENOTFOUND; }
int h_channel_create(struct req *r) { return GW_ENOTFOUND; }
int h_channel_update(struct req *r) { return GW_ENOTFOUND; }
int h_channel_delete_disabled(struct req *r) { return GW_ENOTFOUND; }
int h_channel_delete(struct req *r) { return GW_ENOTFOUND; }
int h_user_available_models(struct req *r) { return GW_ENOTFOUND; }
