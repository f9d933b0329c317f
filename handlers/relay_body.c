/* handlers/relay_body.c: the body an attempt sends upstream: the client's bytes,
 * rewritten for pass-through (mapped model, channel system prompt, usage
 * requested), or translated from the hub into the channel's protocol */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "relay_state.h"
#include "log.h"
#include "cfg.h"
#include "image_inline.h"

/* The pass-through body: the client's bytes when nothing changes, otherwise
 * a copy with the mapped model, the channel's system prompt (Chat's first
 * system message, Claude's system, Responses' instructions) and, for OpenAI
 * streams, stream_options.include_usage (we bill on the upstream's count). */
char *
pass_body(struct relay *x, size_t *len, int *owned)
{
	const char *sp = x->ch.system_prompt;
	int mapped = strcmp(x->up_model, x->model) != 0;
	int need_sp = sp[0] && (x->mode == M_CHAT || x->mode == M_MESSAGES || x->mode == M_RESPONSES);
	int need_usage = x->stream && (x->mode == M_CHAT || x->mode == M_COMPLETIONS);
	json_t *b, *msgs, *first, *so, *tc;
	const char *tct;
	char *s;
	/* {"type":"tool","name":...} is One API's test harness's (and Claude's)
	 * spelling of a forced function; OpenAI's Responses API rejects it */
	int fix_tc = x->mode == M_RESPONSES &&
	    (tct = json_string_value(json_object_get(json_object_get(x->body, "tool_choice"), "type"))) &&
	    strcmp(tct, "tool") == 0;

	*owned = 0;
	if (!mapped && !need_sp && !fix_tc && !(need_usage && !x->client_usage) &&
	    json_object_get(x->body, "model") != NULL) {
		*len = buf_len(&x->r->body);
		return (char *)buf_cstr(&x->r->body);
	}
	if ((b = json_deep_copy(x->body)) == NULL)
		return NULL;
	json_object_set_new(b, "model", json_string(x->up_model));
	if (need_sp && x->mode == M_MESSAGES)
		json_object_set_new(b, "system", json_string(sp));
	else if (need_sp && x->mode == M_RESPONSES)
		json_object_set_new(b, "instructions", json_string(sp));
	else if (need_sp) {
		msgs = json_object_get(b, "messages");
		first = json_array_get(msgs, 0);
		if (first && json_is_string(json_object_get(first, "role")) &&
		    strcmp(json_string_value(json_object_get(first, "role")), "system") == 0)
			json_object_set_new(first, "content", json_string(sp));
		else
			json_array_insert_new(msgs, 0, json_pack("{s:s, s:s}", "role", "system",
			    "content", sp));
	}
	x->system_prompt_reset = need_sp;
	if (fix_tc && json_is_object(tc = json_object_get(b, "tool_choice")))
		json_object_set_new(tc, "type", json_string("function"));
	if (need_usage) {
		so = json_object_get(b, "stream_options");
		if (!json_is_object(so)) {
			so = json_object();
			json_object_set_new(b, "stream_options", so);
		}
		json_object_set_new(so, "include_usage", json_true());
	}
	s = json_dumps(b, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(b);
	if (s == NULL)
		return NULL;
	*owned = 1;
	*len = strlen(s);
	return s;
}

/* The translated body for this attempt's channel (x->at.q keeps the request
 * as sent, for the answer's decoders). NULL with err filled when the
 * request cannot be expressed upstream. */
char *
xlate_body(struct relay *x, size_t *len, struct hub_err *err)
{
	struct req *r = x->r;
	struct hub_req *q = &x->at.q;
	const char *sp = x->ch.system_prompt;
	json_t *j;
	char *s;

	*q = x->hub;
	q->model = x->up_model;
	q->stream = x->stream;
	q->rf_tool = NULL;
	if (q->max_tokens < 0 && (x->at.pv->flags & PROV_NEEDS_MAX_TOKENS))
		q->max_tokens = cfg->default_max_token;
	if (sp[0]) {
		/* the channel's system prompt replaces the client's first one */
		int keep = q->nmsgs > 0 && q->msgs[0].role == HUB_SYSTEM;
		struct hub_msg *m = arena_calloc(&r->arena, (q->nmsgs + 1) * sizeof(*m));
		struct hub_part *p = arena_calloc(&r->arena, sizeof(*p));
		if (m == NULL || p == NULL)
			return NULL;
		p->type = HP_TEXT;
		p->text = sp;
		m[0].role = HUB_SYSTEM;
		m[0].parts = p;
		m[0].nparts = 1;
		memcpy(m + 1, q->msgs + keep, (q->nmsgs - keep) * sizeof(*m));
		q->msgs = m;
		q->nmsgs = q->nmsgs - keep + 1;
		x->system_prompt_reset = 1;
	}
	if (x->at.pv->flags & PROV_INLINE_IMAGES) {
		struct image_inline_opts o;
		o.max_bytes = (size_t)cfg->max_inline_image_mb << 20;
		o.timeout_ms = cfg->user_content_timeout * 1000;
		o.proxy = cfg->user_content_proxy;
		o.allow_private = cfg->user_content_allow_private;
		o.total_bytes = (size_t)cfg->max_inline_images_total_mb << 20;
		if (hub_inline_images(&r->arena, q, &o, err) != GW_OK)
			return NULL;
	}
	if ((j = x->at.up->req_encode(&r->arena, q, err)) == NULL)
		return NULL;
	if (q->dropped != NULL)	/* hosted tools and the like the target has no form for */
		log_msg(LOG_INFO, "req=%s not translated for %s: %s", r->id, x->at.up->name, q->dropped);
	s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(j);
	if (s == NULL) {
		snprintf(err->message, sizeof(err->message), "out of memory");
		err->status = 500;
		return NULL;
	}
	*len = strlen(s);
	return s;
}
