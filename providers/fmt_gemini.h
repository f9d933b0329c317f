/* providers/fmt_gemini.h: the client side of the Gemini codec
 * (fmt_gemini_client.c), put into hub_gemini by fmt_gemini.c; see hub.h
 * struct hub_format for each function's contract. */
#ifndef GW_FMT_GEMINI_H
#define GW_FMT_GEMINI_H

#include "hub.h"

int gem_req_decode(struct arena *a, json_t *body, struct hub_req *q, struct hub_err *err);
json_t *gem_resp_encode(struct arena *a, const struct hub_req *req, const struct hub_resp *resp);
void *gem_enc_new(struct arena *a, const struct hub_req *req, hub_write_fn write, void *ctx);
int gem_enc_event(void *enc, const struct hub_ev *ev);
json_t *gem_error_encode(int status, const char *type, const char *message);

#endif
