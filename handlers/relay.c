/* handlers/relay.c: stubs until the relay lands */
#include "handlers.h"
int h_relay(struct req *r) { return GW_ENOTFOUND; }
int h_models_list(struct req *r) { return GW_ENOTFOUND; }
int h_model_get(struct req *r) { return GW_ENOTFOUND; }
int h_billing_subscription(struct req *r) { return GW_ENOTFOUND; }
int h_billing_usage(struct req *r) { return GW_ENOTFOUND; }
int h_not_implemented(struct req *r) { return GW_ENOTFOUND; }
int h_cors_preflight(struct req *r) { return GW_ENOTFOUND; }
