/* handlers/api_option.c: stub */
#include "handlers.h"
int h_option_list(struct req *r) { return GW_ENOTFOUND; }
int h_option_update(struct req *r) { return GW_ENOTFOUND; }
int h_group_list(struct req *r) { return GW_ENOTFOUND; }
int h_notice(struct req *r) { return GW_ENOTFOUND; }
int h_about(struct req *r) { return GW_ENOTFOUND; }
int h_home_page_content(struct req *r) { return GW_ENOTFOUND; }
