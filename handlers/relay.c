/* handlers/relay.c: the relay endpoints: OpenAI's /v1/chat/completions,
 * /v1/completions, /v1/embeddings, /v1/moderations, /v1/responses and
 * Claude's /v1/messages. One request: validate, pick a channel, hold quota,
 * call the upstream (retrying other channels while nothing was sent),
 * answer, settle. The answer passes through byte for byte when the client's
 * format is the channel's protocol; otherwise request, answer and stream
 * are translated through the hub (providers/hub.h), stream event by event. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "handlers.h"
#include "billing.h"
#include "cfg.h"
#include "channel_types.h"
#include "distribute.h"
#include "hub.h"
#include "image_inline.h"
#include "jsonx.h"
#include "log.h"
#include "options.h"
#include "provider.h"
#include "relay.h"
#include "relay_auth.h"
#include "sse.h"
#include "util.h"
#include "worker.h"

#define RELAY_MAX_RESPONSE	(64u << 20)	/* a non-stream upstream answer */
#define RELAY_MAX_TEXT		(1u << 20)	/* streamed text kept for a usage estimate */
#define RELAY_MAX_ATTEMPTS	16

enum mode { M_CHAT, M_COMPLETIONS, M_EMBEDDINGS, M_MODERATIONS, M_MESSAGES, M_RESPONSES };

/* One relay request. The attempt fields are reset for every channel tried. */
struct relay {
	struct req *r;
	enum mode mode;
	json_t *body;			/* the client's JSON (arena-owned) */
	const char *model;		/* as the client asked */
	const char *up_model;		/* after the channel's mapping */
	int stream;
	int client_usage;		/* the client asked for stream usage */
	int64_t max_tokens;
	int64_t prompt_est;
	/* the client's format; NULL for the OpenAI-only modes (completions,
	 * embeddings, moderations), which only OpenAI-family channels serve */
	const struct hub_format *in;
	struct hub_req hub;		/* the client's request in the hub, decoded when first needed */
	int hub_state;			/* 0 not yet, 1 decoded, -1 invalid (answered) */
	struct channel_pick ch;
	struct price price;
	int64_t pre;
	int system_prompt_reset;
	/* attempt */
	const struct hub_format *up;	/* the channel's protocol */
	int pass;			/* the client's format is up's: bytes pass through */
	struct hub_req q;		/* translating: the request as sent upstream */
	void *dec;			/* up's stream decoder (also observes pass-through usage) */
	void *enc;			/* translating: the client's stream encoder */
	int up_error;			/* the upstream stream reported an error */
	const char *resp_id;		/* the upstream's answer id (Responses: kept for GET/DELETE) */
	long status;
	int is_sse;
	int began;			/* client SSE headers sent: no retry now */
	int done_sent;
	int client_gone;
	struct buf resp;		/* non-stream answer, or an error body */
	struct sse sse;
	struct usage usage;
	int have_usage;
	struct buf text;		/* streamed completion text */
	/* the last failed attempt, reported when no channel is left to try */
	int fail_status;		/* upstream status, 0 = no answer */
	const char *fail_msg;		/* no answer: why (arena) */
	int fail_timeout;
};

static const char *const mode_path[] = {
	[M_CHAT] = "/v1/chat/completions",
	[M_COMPLETIONS] = "/v1/completions",
	[M_EMBEDDINGS] = "/v1/embeddings",
	[M_MODERATIONS] = "/v1/moderations",
	[M_MESSAGES] = "/v1/messages",
	[M_RESPONSES] = "/v1/responses",
};

/* An OpenAI-shaped error of ours: "invalid_text_request" for bad input. */
static int
bad_request(struct req *r, const char *fmt, const char *arg)
{
	return oai_error(r, 400, "one_api_error", "invalid_text_request", fmt, arg ? arg : "");
}

/* Append to a buffer that only feeds an estimate: a full one just stops
 * growing (it was released by buf_add and restarts empty, so keep the cap
 * well above what estimates need). */
static void
keep_text(struct buf *b, const char *p, size_t n)
{
	if (buf_add(b, p, n) != GW_OK)
		return;
}

/* Append the text of a chat content (string, or parts with "text"). */
static void
add_content_text(struct buf *b, json_t *c)
{
	size_t i;
	json_t *part;

	if (json_is_string(c)) {
		keep_text(b, json_string_value(c), json_string_length(c));
		return;
	}
	json_array_foreach(c, i, part) {
		json_t *t = json_object_get(part, "text");
		if (json_is_string(t))
			keep_text(b, json_string_value(t), json_string_length(t));
	}
}

/* Text of a Claude/Responses body for the estimate: every string value but
 * identifiers, enums and base64 payloads (depth-capped). */
static void
add_json_text(struct buf *b, json_t *j, int depth)
{
	const char *k;
	json_t *v;
	size_t i;

	if (depth > 32)
		return;
	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			add_json_text(b, v, depth + 1);
		return;
	}
	json_object_foreach(j, k, v) {
		if (json_is_string(v)) {
			const char *s = json_string_value(v);
			if (strcmp(k, "type") == 0 || strcmp(k, "role") == 0 || strcmp(k, "model") == 0 ||
			    strcmp(k, "id") == 0 || strcmp(k, "data") == 0 || strcmp(k, "signature") == 0 ||
			    strcmp(k, "encrypted_content") == 0 || strcmp(k, "media_type") == 0 ||
			    strncmp(s, "data:", 5) == 0)
				continue;
			keep_text(b, s, json_string_length(v));
		} else if (json_is_object(v) || json_is_array(v))
			add_json_text(b, v, depth + 1);
	}
}

/* The prompt tokens, estimated (for the hold, and when the upstream is silent
 * about usage): One API's 3 per message + 3 priming, text at ~0.38/byte. */
static int64_t
estimate_prompt(struct relay *x)
{
	struct buf b = BUF_INIT(16u << 20);
	json_t *msgs, *m, *in;
	int64_t n = 0;
	size_t i;

	if (x->mode == M_MESSAGES || x->mode == M_RESPONSES) {
		msgs = json_object_get(x->body, x->mode == M_MESSAGES ? "messages" : "input");
		n = 3 + 3 * (int64_t)json_array_size(msgs);
		add_json_text(&b, x->body, 0);
	} else if (x->mode == M_CHAT && json_is_array(msgs = json_object_get(x->body, "messages"))) {
		json_array_foreach(msgs, i, m) {
			add_content_text(&b, json_object_get(m, "content"));
			n += 3;
		}
		n += 3;
	} else {
		in = json_object_get(x->body, x->mode == M_COMPLETIONS ? "prompt" : "input");
		if (json_is_array(in)) {
			json_array_foreach(in, i, m)
				if (json_is_string(m))
					keep_text(&b, json_string_value(m), json_string_length(m));
		} else if (json_is_string(in))
			keep_text(&b, json_string_value(in), json_string_length(in));
	}
	n += billing_estimate_tokens(buf_cstr(&b), buf_len(&b));
	buf_release(&b);
	return n;
}

/* Validate the body as OpenAI would, with One API's defaults for a missing
 * model. Writes the 400 and returns non-zero on bad input. */
static int
read_request(struct relay *x)
{
	struct req *r = x->r;
	char why[300];
	const char *s;
	int64_t n;
	int b, rc;
	json_t *so;

	x->body = jx_parse_object(buf_cstr(&r->body), buf_len(&r->body), why, sizeof(why));
	if (x->body == NULL)
		return bad_request(r, "invalid request body: %s", why), GW_EINPUT;
	req_keep(r, x->body);
	rc = jx_str(x->body, "model", &s);
	if (rc == GW_EINPUT)
		return bad_request(r, "model must be a string%s", NULL), GW_EINPUT;
	if (rc == GW_OK && s[0])
		x->model = s;
	else if (x->mode == M_MODERATIONS)
		x->model = "text-moderation-stable";
	else if (x->mode == M_EMBEDDINGS && r->npv > 0)
		x->model = r->pv[0];	/* /v1/engines/:model/embeddings */
	else
		return bad_request(r, "model is required%s", NULL), GW_EINPUT;
	if ((rc = jx_bool(x->body, "stream", &b)) == GW_EINPUT)
		return bad_request(r, "stream must be a boolean%s", NULL), GW_EINPUT;
	x->stream = rc == GW_OK && b && x->mode != M_EMBEDDINGS && x->mode != M_MODERATIONS;
	if (jx_int(x->body, "n", &n) == GW_EINPUT)
		return bad_request(r, "n must be an integer%s", NULL), GW_EINPUT;
	if (x->mode == M_RESPONSES) {
		if (jx_int(x->body, "max_output_tokens", &x->max_tokens) == GW_EINPUT)
			return bad_request(r, "max_output_tokens must be an integer%s", NULL), GW_EINPUT;
	} else if ((rc = jx_int(x->body, "max_tokens", &x->max_tokens)) == GW_EINPUT ||
	    (rc != GW_OK && jx_int(x->body, "max_completion_tokens", &x->max_tokens) == GW_EINPUT))
		return bad_request(r, "max_tokens must be an integer%s", NULL), GW_EINPUT;
	if (x->max_tokens < 0)
		return bad_request(r, "max_tokens must not be negative%s", NULL), GW_EINPUT;
	if ((x->mode == M_CHAT || x->mode == M_MESSAGES) &&
	    !json_is_array(json_object_get(x->body, "messages")))
		return bad_request(r, "messages must be an array%s", NULL), GW_EINPUT;
	if (x->mode == M_RESPONSES && !json_is_array(json_object_get(x->body, "input")) &&
	    !json_is_string(json_object_get(x->body, "input")))
		return bad_request(r, "input must be a string or an array%s", NULL), GW_EINPUT;
	if (x->mode == M_COMPLETIONS && json_object_get(x->body, "prompt") == NULL)
		return bad_request(r, "prompt is required%s", NULL), GW_EINPUT;
	if (x->mode == M_EMBEDDINGS && json_object_get(x->body, "input") == NULL)
		return bad_request(r, "input is required%s", NULL), GW_EINPUT;
	so = json_object_get(x->body, "stream_options");
	x->client_usage = json_is_true(json_object_get(so, "include_usage"));
	x->in = x->mode == M_CHAT ? &hub_chat : x->mode == M_MESSAGES ? &hub_claude :
	    x->mode == M_RESPONSES ? &hub_responses : NULL;
	return GW_OK;
}

/* The pass-through body: the client's bytes when nothing changes, otherwise
 * a copy with the mapped model, the channel's system prompt (Chat's first
 * system message, Claude's system, Responses' instructions) and, for OpenAI
 * streams, stream_options.include_usage (we bill on the upstream's count). */
static char *
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

/* One API's URL parameters (?thinking=, ?reasoning_effort=,
 * ?reasoning_format=) applied to a translated request. */
static void
url_params(struct relay *x)
{
	struct req *r = x->r;
	const char *t = req_query(r, "thinking"), *e = req_query(r, "reasoning_effort");
	const char *f = req_query(r, "reasoning_format");

	if (f && f[0])
		x->hub.reasoning_format = f;
	if (t && (strcmp(t, "1") == 0 || strcasecmp(t, "true") == 0 || strcasecmp(t, "yes") == 0 ||
	    strcasecmp(t, "on") == 0)) {
		x->hub.thinking = 1;
		if (x->hub.reasoning_effort == NULL && x->hub.thinking_budget < 0)
			x->hub.reasoning_effort = e && e[0] ? e : "medium";
	} else if (t && (strcmp(t, "0") == 0 || strcasecmp(t, "false") == 0 ||
	    strcasecmp(t, "no") == 0 || strcasecmp(t, "off") == 0)) {
		x->hub.thinking = 0;
		x->hub.reasoning_effort = NULL;
		x->hub.thinking_budget = -1;
	}
}

/* The client's request in the hub, decoded once; GW_EINPUT after writing
 * the 400 in the client's format. Lazy: a pass-through never needs it (and
 * passes on what only the upstream understands, e.g. server tools). */
static int
need_hub(struct relay *x)
{
	struct hub_err err;

	if (x->hub_state != 0)
		return x->hub_state > 0 ? GW_OK : GW_EINPUT;
	memset(&err, 0, sizeof(err));
	hub_req_init(&x->hub);
	if (x->in->req_decode(&x->r->arena, x->body, &x->hub, &err) != GW_OK) {
		x->hub_state = -1;
		oai_error(x->r, err.status >= 400 ? err.status : 400, "invalid_request_error",
		    "invalid_request", "%s", err.message[0] ? err.message : "invalid request");
		return GW_EINPUT;
	}
	url_params(x);
	x->hub_state = 1;
	return GW_OK;
}

/* The translated body for this attempt's channel (x->q keeps the request
 * as sent, for the answer's decoders). NULL with err filled when the
 * request cannot be expressed upstream. */
static char *
xlate_body(struct relay *x, size_t *len, struct hub_err *err)
{
	struct req *r = x->r;
	struct hub_req *q = &x->q;
	const char *sp = x->ch.system_prompt;
	json_t *j;
	char *s;

	*q = x->hub;
	q->model = x->up_model;
	q->stream = x->stream;
	q->rf_tool = NULL;
	if (q->max_tokens < 0 && x->up == &hub_claude)
		q->max_tokens = cfg->default_max_token;	/* Anthropic requires one */
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
	if (x->up == &hub_gemini) {
		struct image_inline_opts o;
		o.max_bytes = (size_t)cfg->max_inline_image_mb << 20;
		o.timeout_ms = cfg->user_content_timeout * 1000;
		o.proxy = cfg->user_content_proxy;
		o.allow_private = cfg->user_content_allow_private;
		if (hub_inline_images(&r->arena, q, &o, err) != GW_OK)
			return NULL;
	}
	if ((j = x->up->req_encode(&r->arena, q, err)) == NULL)
		return NULL;
	if (q->dropped != NULL)	/* hosted tools and the like the target has no form for */
		log_msg(LOG_INFO, "request %s: not translated for %s: %s", r->id, x->up->name, q->dropped);
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

/* usage{} of an OpenAI answer or chunk into x->usage. */
static void
take_usage(struct relay *x, json_t *u)
{
	json_t *d;

	if (!json_is_object(u))
		return;
	x->usage.prompt = json_integer_value(json_object_get(u, "prompt_tokens"));
	x->usage.completion = json_integer_value(json_object_get(u, "completion_tokens"));
	d = json_object_get(u, "prompt_tokens_details");
	x->usage.cached = json_integer_value(json_object_get(d, "cached_tokens"));
	d = json_object_get(u, "completion_tokens_details");
	x->usage.reasoning = json_integer_value(json_object_get(d, "reasoning_tokens"));
	/* a usage of zeros is no usage (One API #1391): count it ourselves */
	x->have_usage = x->usage.prompt + x->usage.completion > 0;
}

/* Text the model produced, from a chunk or an answer's choices. */
static void
take_text(struct relay *x, json_t *choices)
{
	size_t i;
	json_t *c, *t;

	json_array_foreach(choices, i, c) {
		t = json_object_get(json_object_get(c, "delta"), "content");
		if (!json_is_string(t))
			t = json_object_get(json_object_get(c, "message"), "content");
		if (!json_is_string(t))
			t = json_object_get(c, "text");
		if (json_is_string(t) && buf_len(&x->text) + json_string_length(t) < RELAY_MAX_TEXT)
			keep_text(&x->text, json_string_value(t), json_string_length(t));
	}
}

/* Send the client's SSE head now (first event, or a heartbeat). */
static int
begin_stream(struct relay *x)
{
	struct req *r = x->r;

	if (x->began)
		return GW_OK;
	x->began = 1;
	resp_header(r, "Cache-Control", "no-cache");
	resp_header(r, "X-Accel-Buffering", "no");
	if (resp_stream_begin(r, 200, "text/event-stream") != GW_OK) {
		x->client_gone = 1;
		return GW_EIO;
	}
	return GW_OK;
}

static int
send_event(struct relay *x, const char *event, const char *data, size_t len)
{
	struct req *r = x->r;
	int rc = GW_OK;

	if (begin_stream(x) != GW_OK)
		return GW_EIO;
	if (event && event[0]) {
		rc = resp_stream_write(r, "event: ", 7);
		if (rc == GW_OK)
			rc = resp_stream_write(r, event, strlen(event));
		if (rc == GW_OK)
			rc = resp_stream_write(r, "\n", 1);
	}
	if (rc == GW_OK)
		rc = resp_stream_write(r, "data: ", 6);
	if (rc == GW_OK)
		rc = resp_stream_write(r, data, len);
	if (rc == GW_OK)
		rc = resp_stream_write(r, "\n\n", 2);
	if (rc == GW_OK)
		rc = resp_stream_flush(r);
	if (rc != GW_OK)
		x->client_gone = 1;
	return rc;
}

/* The hub's usage into the billing's. */
static void
take_hub_usage(struct relay *x, const struct hub_usage *u)
{
	x->usage.prompt = u->input;
	x->usage.completion = u->output;
	x->usage.cached = u->cache_read;
	x->usage.reasoning = u->reasoning;
	x->have_usage = u->input + u->output > 0;
}

/* Where the upstream's stream decoder sends hub events: note usage and
 * text, then (translating) hand them to the client's encoder. */
static int
hub_sink(void *ctx, const struct hub_ev *ev)
{
	struct relay *x = ctx;

	switch (ev->type) {
	case HE_START:
		if (ev->id && x->resp_id == NULL)
			x->resp_id = arena_strdup(&x->r->arena, ev->id);
		break;
	case HE_USAGE:
		take_hub_usage(x, &ev->usage);
		break;
	case HE_TEXT:
	case HE_THINKING:
	case HE_TOOL_ARGS:
		if (buf_len(&x->text) + ev->len < RELAY_MAX_TEXT)
			keep_text(&x->text, ev->text, ev->len);
		break;
	case HE_ERROR:
		x->up_error = 1;
		break;
	default:
		break;
	}
	if (x->enc == NULL || x->client_gone)
		return x->client_gone;
	if (x->in->enc_event(x->enc, ev) != 0)
		x->client_gone = 1;
	return x->client_gone;
}

/* Where the client's stream encoder writes. */
static int
enc_write(void *ctx, const char *event, const char *data, size_t len)
{
	return send_event(ctx, event, data, len) == GW_OK ? 0 : 1;
}

static int
sink_end(struct relay *x)
{
	struct hub_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = HE_END;
	return hub_sink(x, &ev);
}

static int
sink_error(struct relay *x, int status, const char *msg)
{
	struct hub_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = HE_ERROR;
	ev.status = status;
	ev.name = "api_error";
	ev.text = msg;
	ev.len = strlen(msg);
	return hub_sink(x, &ev);
}

/* One upstream SSE event: note usage and text, drop what the client did not
 * ask for, pass the rest through byte for byte and flush it at once. */
static int
on_event(void *ctx, const struct sse_event *ev)
{
	struct relay *x = ctx;
	json_t *j, *choices;
	int drop = 0;

	if (!x->pass)		/* translating: decoder -> hub -> client's encoder */
		return x->up->dec_event(x->dec, ev) != 0 || x->client_gone;
	if (x->up != &hub_chat) {
		/* Claude or Responses through: observe usage, forward as is */
		(void)x->up->dec_event(x->dec, ev);
		return send_event(x, ev->event, ev->data, ev->len) == GW_OK ? 0 : 1;
	}
	if (ev->len == 6 && memcmp(ev->data, "[DONE]", 6) == 0) {
		x->done_sent = 1;
		return send_event(x, ev->event, ev->data, ev->len) == GW_OK ? 0 : 1;
	}
	if ((j = json_loadb(ev->data, ev->len, 0, NULL)) != NULL) {
		if (json_is_object(json_object_get(j, "usage")))
			take_usage(x, json_object_get(j, "usage"));
		choices = json_object_get(j, "choices");
		if (json_is_array(choices)) {
			take_text(x, choices);
			/* the usage chunk we asked for on the client's behalf, and
			 * Azure's empty keep-alive chunks */
			if (json_array_size(choices) == 0 &&
			    (!x->client_usage || !json_is_object(json_object_get(j, "usage"))))
				drop = 1;
		}
		json_decref(j);
	}
	if (drop)
		return 0;
	return send_event(x, ev->event, ev->data, ev->len) == GW_OK ? 0 : 1;
}

static int
on_head(void *ctx, long status, const char *ctype)
{
	struct relay *x = ctx;

	x->status = status;
	x->is_sse = x->stream && status >= 200 && status < 300 &&
	    strncasecmp(ctype, "text/event-stream", 17) == 0;
	return 0;
}

static int
on_data(void *ctx, const char *p, size_t n)
{
	struct relay *x = ctx;

	if (x->is_sse)
		return sse_feed(&x->sse, p, n, on_event, x) != 0;
	return buf_add(&x->resp, p, n) != GW_OK;	/* too big: abort */
}

/* Upstream silent: keep proxies and the client's connection alive with an
 * SSE comment (streams only), and learn whether the client is still there. */
static int
on_idle(void *ctx)
{
	struct relay *x = ctx;
	struct req *r = x->r;

	if (!x->stream)
		return 0;
	if (begin_stream(x) != GW_OK || resp_stream_write(r, ": keep-alive\n\n", 14) != GW_OK ||
	    resp_stream_flush(r) != GW_OK) {
		x->client_gone = 1;
		return 1;
	}
	return 0;
}

static const struct relay_cb relay_cbs = { on_head, on_data, on_idle };

/* Fields of an upstream error answer, if it is OpenAI-shaped. */
struct up_error {
	const char *message, *type, *code, *param;
	json_t *root;
};

static void
parse_up_error(struct relay *x, const struct buf *b, struct up_error *e)
{
	json_t *err, *c;

	memset(e, 0, sizeof(*e));
	if ((e->root = json_loadb(buf_cstr(b), buf_len(b), 0, NULL)) == NULL)
		return;
	if (x->up != NULL && x->up != &hub_chat && x->up->error_decode != NULL) {
		/* Anthropic's or Gemini's error shape */
		if (x->up->error_decode(&x->r->arena, e->root, &e->type, &e->message) == GW_OK)
			return;
	}
	err = json_object_get(e->root, "error");
	if (!json_is_object(err))
		return;
	e->message = json_string_value(json_object_get(err, "message"));
	e->type = json_string_value(json_object_get(err, "type"));
	c = json_object_get(err, "code");
	e->code = json_string_value(c);
	e->param = json_string_value(json_object_get(err, "param"));
}

/* Answer the client with the upstream's error: its own fields when it sent
 * OpenAI's shape (re-serialised, with our request id), else a wrapper. */
static void
send_upstream_error(struct relay *x, int status, const struct up_error *e)
{
	struct req *r = x->r;
	char code[32];

	if (status == 429)
		oai_error(r, 429, e->type ? e->type : "upstream_error", e->code,
		    "当前分组上游负载已饱和，请稍后再试");
	else if (e->message)
		oai_error(r, status, e->type ? e->type : "upstream_error", e->code, "%s", e->message);
	else if (x->mode == M_MESSAGES)
		oai_error(r, status, "upstream_error", "bad_response_status_code",
		    "bad response status code %d", status);
	else {
		snprintf(code, sizeof(code), "%d", status);
		resp_json(r, status, json_pack("{s:{s:s, s:s, s:s, s:s}}", "error", "message",
		    arena_printf(&r->arena, "bad response status code %d (request id: %s)", status,
		    r->id), "type", "upstream_error", "param", code, "code",
		    "bad_response_status_code"));
	}
}

/* Tell the client why the last attempt failed (its error body is in x->resp). */
static void
report_failure(struct relay *x)
{
	struct up_error e;

	if (x->fail_status == 0) {
		oai_error(x->r, x->fail_timeout ? 504 : 502, "upstream_error", "do_request_failed",
		    "upstream request failed: %s", x->fail_msg ? x->fail_msg : "no answer");
		return;
	}
	if (x->fail_status >= 200 && x->fail_status < 300) {
		oai_error(x->r, 502, "upstream_error", "bad_response",
		    "the upstream answered %d with a body that is not JSON", x->fail_status);
		return;
	}
	parse_up_error(x, &x->resp, &e);
	send_upstream_error(x, x->fail_status, &e);
	json_decref(e.root);
}

/* What the failure of one attempt means for the channel (One API 3.2/3.3). */
static void
channel_health(struct relay *x, int status, const struct up_error *e)
{
	struct req *r = x->r;
	const char *group = r->token->group;
	int64_t secs = 0;

	if (status == 429)
		secs = cfg->suspend_429;
	else if (status >= 500 || status == 0)
		secs = cfg->suspend_5xx;
	else if (status == 401 || status == 403)
		secs = cfg->suspend_auth;
	if (secs > 0 && !r->token->specific_channel &&
	    channel_suspend(r->db, group, x->model, x->ch.id, secs) != GW_OK)
		log_warn("req=%s could not suspend channel %lld", r->id, (long long)x->ch.id);
	if (option_bool("AutomaticDisableChannelEnabled", 0) &&
	    channel_should_disable(status, e->type, e->code, e->message)) {
		if (channel_auto_disable(r->db, x->ch.id, x->ch.name, e->message ? e->message :
		    "authentication failed") == GW_OK)
			log_warn("req=%s channel %lld (%s) disabled automatically after status %d",
			    r->id, (long long)x->ch.id, x->ch.name, status);
	}
}

/* One API's shouldRetry: 429, 5xx and network errors yes, 400 no, other 4xx yes. */
static int
retryable(int status)
{
	if (status == 0 || status == 429 || status >= 500)
		return 1;
	if (status == 400 || (status >= 200 && status < 300))
		return 0;
	return 1;
}

/* The channel's base URL (its own, else its type's default) without a
 * trailing '/'; NULL on ENOMEM. */
static const char *
channel_base(struct arena *a, const struct channel_pick *ch, const struct channel_type *ct)
{
	const char *b = ch->base_url[0] ? ch->base_url : ct->base_url;
	size_t bl = strlen(b);

	while (bl > 0 && b[bl - 1] == '/')
		bl--;
	return arena_strndup(a, b, bl);
}

/* One upstream call whose answer is kept whole in x->resp (x->status):
 * count_tokens, response retrieval. GW_OK when an answer arrived. */
static int
call_buffered(struct relay *x, const struct provider *pv, const struct upstream_target *t,
    const char *method, const char *body, size_t blen, struct relay_result *res)
{
	struct req *r = x->r;
	struct curl_slist *h = NULL;
	struct relay_req rq;
	int rc = GW_OK;

	if (body != NULL)
		rc = prov_header(&h, "Content-Type", "application/json");
	if (rc == GW_OK)
		rc = pv->headers(t, &h);
	if (rc == GW_OK && r->w->relay.easy == NULL)
		rc = relay_conn_init(&r->w->relay);
	if (rc == GW_OK) {
		memset(&rq, 0, sizeof(rq));
		rq.method = method;
		rq.url = pv->url(&r->arena, t);
		rq.headers = h;
		rq.body = body;
		rq.body_len = blen;
		rq.timeout_ms = cfg->relay_timeout * 1000;
		rq.proxy = cfg->relay_proxy;
		rc = rq.url ? relay_perform(&r->w->relay, &rq, &relay_cbs, x, res) : GW_EINPUT;
	}
	curl_slist_free_all(h);
	return rc;
}

enum outcome { OUT_DONE, OUT_RETRY, OUT_FAILED };

/* Models OpenAI serves only through the Responses API. */
static int
responses_only(const char *model)
{
	static const char *const pre[] = { "o1-pro", "o3-pro", "o3-deep-research",
	    "o4-mini-deep-research", "codex-mini", "gpt-5-codex", "gpt-5-pro",
	    "computer-use-preview", NULL };
	size_t i;

	for (i = 0; pre[i]; i++)
		if (strncmp(model, pre[i], strlen(pre[i])) == 0)
			return 1;
	return 0;
}

/* The protocol a channel speaks for this request (One API's fork: OpenAI's
 * own endpoint takes Responses natively, a channel's config "api_format"
 * forces one, every other OpenAI-family channel speaks Chat). NULL: none we
 * speak. */
static const struct hub_format *
channel_protocol(const struct relay *x, const struct channel_type *ct)
{
	const char *fmt = NULL;
	json_t *c;
	int want_resp = 0, want_chat = 0;

	switch (ct->api) {
	case API_ANTHROPIC:
		return &hub_claude;
	case API_GEMINI:
		return &hub_gemini;
	case API_AZURE:
		return &hub_chat;
	case API_OPENAI:
		break;
	default:
		return NULL;
	}
	/* most configs are "{}" or lack the key: parse only when it may be there */
	if (strstr(x->ch.config, "api_format") && (c = json_loads(x->ch.config, 0, NULL)) != NULL) {
		fmt = json_string_value(json_object_get(c, "api_format"));
		want_resp = fmt && strcmp(fmt, "response") == 0;
		want_chat = fmt && strcmp(fmt, "chat_completion") == 0;
		json_decref(c);
	}
	if (want_resp)
		return &hub_responses;
	if (!want_chat && x->ch.type == 1 && (x->ch.base_url[0] == '\0' ||
	    strncmp(x->ch.base_url, "https://api.openai.com", 22) == 0) &&
	    (x->mode == M_RESPONSES || responses_only(x->up_model)))
		return &hub_responses;
	return &hub_chat;
}

/* A Claude or Responses stream passed through was cut: say so in its own
 * event grammar. */
static void
pass_stream_error(struct relay *x, const char *why)
{
	struct req *r = x->r;
	char *msg;

	if (x->up == &hub_claude)
		msg = arena_printf(&r->arena, "{\"type\":\"error\",\"error\":{\"type\":\"api_error\","
		    "\"message\":\"upstream %s (request id: %s)\"}}", why, r->id);
	else
		msg = arena_printf(&r->arena, "{\"type\":\"error\",\"code\":\"stream_interrupted\","
		    "\"message\":\"upstream %s (request id: %s)\",\"param\":null}", why, r->id);
	if (msg)
		(void)send_event(x, "error", msg, strlen(msg));
}

/* A 2xx non-stream answer: usage and text noted, then passed through or
 * translated. GW_EINPUT when it is not the protocol's answer. */
static int
answer_json(struct relay *x, int status)
{
	struct req *r = x->r;
	struct hub_resp hr;
	json_t *j, *out;
	size_t i;

	j = json_loadb(buf_cstr(&x->resp), buf_len(&x->resp), 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return GW_EINPUT;
	}
	if (x->pass && x->up == &hub_chat) {
		take_usage(x, json_object_get(j, "usage"));
		if (json_is_array(json_object_get(j, "choices")))
			take_text(x, json_object_get(j, "choices"));
		json_decref(j);
		goto through;
	}
	hub_keep(&r->arena, j);		/* the decoded strings may point into it */
	memset(&hr, 0, sizeof(hr));
	if (x->up->resp_decode(&r->arena, &x->q, j, &hr) != GW_OK)
		return GW_EINPUT;
	x->resp_id = hr.id;
	if (hr.have_usage)
		take_hub_usage(x, &hr.usage);
	for (i = 0; i < hr.nparts; i++) {
		const struct hub_part *p = &hr.parts[i];
		const char *t = p->type == HP_TOOL_CALL ? p->args : p->text;
		if (t && buf_len(&x->text) + strlen(t) < RELAY_MAX_TEXT)
			keep_text(&x->text, t, strlen(t));
	}
	if (x->pass)
		goto through;
	if (hr.model == NULL)
		hr.model = x->model;
	if ((out = x->in->resp_encode(&r->arena, &x->q, &hr)) == NULL) {
		oai_error(r, 500, "one_api_error", "convert_response_failed", "out of memory");
		return GW_OK;
	}
	/* the client sees the model it asked for, as with pass-through */
	if (resp_json(r, status, out) != GW_OK)
		oai_error(r, 500, "one_api_error", "internal_error", "response too large");
	return GW_OK;
through:
	if (resp_body(r, status, "application/json", buf_cstr(&x->resp), buf_len(&x->resp)) != GW_OK)
		oai_error(r, 500, "one_api_error", "internal_error", "response too large");
	return GW_OK;
}

/* Finish a stream that reached the client, whatever happened upstream. */
static void
end_stream(struct relay *x, int rc)
{
	struct req *r = x->r;
	const char *why = rc != GW_OK ? "stream interrupted" : "returned an error";

	if (x->client_gone)
		return;
	if (!x->pass) {
		if (x->is_sse && rc == GW_OK)
			(void)x->up->dec_end(x->dec);	/* pending finish and usage */
		if (rc != GW_OK || !x->is_sse) {
			char *msg = arena_printf(&r->arena, "upstream %s (request id: %s)", why, r->id);
			(void)sink_error(x, 502, msg ? msg : "upstream error");
		}
		(void)sink_end(x);
		return;
	}
	if (x->up != &hub_chat) {
		if (x->is_sse && rc == GW_OK)
			(void)x->up->dec_end(x->dec);
		if (rc != GW_OK || !x->is_sse)
			pass_stream_error(x, why);
		return;
	}
	if (rc != GW_OK || !x->is_sse) {
		/* cut mid-stream, or an error after our heartbeats: tell the
		 * client in its own stream */
		char *msg = arena_printf(&r->arena, "{\"error\":{\"message\":\"upstream %s (request id: %s)\","
		    "\"type\":\"upstream_error\",\"param\":\"\",\"code\":\"%s\"}}", why, r->id,
		    rc != GW_OK ? "stream_interrupted" : "bad_response_status_code");
		if (msg)
			(void)send_event(x, NULL, msg, strlen(msg));
	}
	if (!x->client_gone && !x->done_sent)
		(void)send_event(x, NULL, "[DONE]", 6);
}

/* Call the chosen channel once. OUT_DONE: the client got its answer
 * (success, or a final error already written). */
static enum outcome
attempt(struct relay *x, int last)
{
	struct req *r = x->r;
	const struct provider *pv = provider_for(x->ch.type);
	const struct channel_type *ct = channel_type(x->ch.type);
	struct upstream_target t;
	struct relay_req rq;
	struct relay_result res;
	struct curl_slist *h = NULL;
	struct up_error e = { 0 };
	struct hub_err herr;
	const char *url;
	char *body;
	size_t blen;
	int owned = 0, rc, status;

	x->up_model = distribute_map_model(&r->arena, x->ch.model_mapping, x->model);
	x->up = ct ? channel_protocol(x, ct) : NULL;
	if (pv == NULL || x->up == NULL) {
		oai_error(r, 501, "one_api_error", "channel_type_not_supported",
		    "channel type %d is not supported by the relay yet", x->ch.type);
		return OUT_FAILED;
	}
	if (x->in == NULL && x->up != &hub_chat) {
		oai_error(r, 501, "one_api_error", "channel_type_not_supported",
		    "channel type %d does not serve %s", x->ch.type, mode_path[x->mode]);
		return OUT_FAILED;
	}
	x->pass = x->in == NULL || x->in == x->up;
	if (!x->pass && need_hub(x) != GW_OK)
		return OUT_FAILED;
	memset(&t, 0, sizeof(t));
	t.ch = &x->ch;
	t.base = channel_base(&r->arena, &x->ch, ct);
	t.path = x->up == &hub_chat ? (x->in ? "/v1/chat/completions" : mode_path[x->mode]) :
	    x->up == &hub_responses ? "/v1/responses" : x->up == &hub_claude ? "/v1/messages" : "";
	t.model = x->up_model;
	t.stream = x->stream;
	if (x->in == &hub_claude) {
		t.anthropic_version = req_header(r, "anthropic-version");
		t.anthropic_beta = req_header(r, "anthropic-beta");
	}
	url = t.base ? pv->url(&r->arena, &t) : NULL;
	if (url == NULL) {
		oai_error(r, 500, "one_api_error", "channel_misconfigured",
		    "channel %lld has no usable base URL or API version", (long long)x->ch.id);
		return OUT_FAILED;
	}
	hub_req_init(&x->q);
	memset(&herr, 0, sizeof(herr));
	if (x->pass)
		body = pass_body(x, &blen, &owned);
	else if ((body = xlate_body(x, &blen, &herr)) != NULL)
		owned = 1;
	if (body == NULL) {
		if (herr.message[0])
			oai_error(r, herr.status >= 400 ? herr.status : 400, "invalid_request_error",
			    "convert_request_failed", "%s", herr.message);
		else
			oai_error(r, 500, "one_api_error", "convert_request_failed", "out of memory");
		return OUT_FAILED;
	}
	rc = prov_header(&h, "Content-Type", "application/json");
	if (rc == GW_OK)
		rc = prov_header(&h, "Accept", x->stream ? "text/event-stream" : "application/json");
	if (rc == GW_OK)
		rc = pv->headers(&t, &h);
	/* no "Expect: 100-continue" round trip on big prompts */
	if (rc == GW_OK)
		rc = prov_header(&h, "Expect", "");
	if (rc != GW_OK) {
		curl_slist_free_all(h);
		if (owned)
			free(body);
		oai_error(r, 500, "one_api_error", "convert_request_failed", "cannot build the upstream request");
		return OUT_FAILED;
	}
	/* per-attempt state */
	x->status = 0;
	x->is_sse = 0;
	x->done_sent = 0;
	x->have_usage = 0;
	memset(&x->usage, 0, sizeof(x->usage));
	buf_release(&x->resp);
	buf_init(&x->resp, RELAY_MAX_RESPONSE);
	buf_release(&x->text);
	buf_init(&x->text, RELAY_MAX_TEXT);
	sse_init(&x->sse);
	x->up_error = 0;
	x->dec = x->enc = NULL;
	if (x->stream && !(x->pass && x->up == &hub_chat)) {
		x->dec = x->up->dec_new(&r->arena, &x->q, hub_sink, x);
		if (!x->pass)
			x->enc = x->in->enc_new(&r->arena, &x->q, enc_write, x);
		if (x->dec == NULL || (!x->pass && x->enc == NULL)) {
			curl_slist_free_all(h);
			if (owned)
				free(body);
			oai_error(r, 500, "one_api_error", "do_request_failed", "out of memory");
			return OUT_FAILED;
		}
	}

	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.url = url;
	rq.headers = h;
	rq.body = body;
	rq.body_len = blen;
	rq.timeout_ms = cfg->relay_timeout * 1000;
	rq.proxy = cfg->relay_proxy;
	rq.idle_ms = x->stream ? cfg->stream_heartbeat * 1000 : 0;
	if (r->w->relay.easy == NULL && relay_conn_init(&r->w->relay) != GW_OK) {
		curl_slist_free_all(h);
		if (owned)
			free(body);
		oai_error(r, 500, "one_api_error", "do_request_failed", "out of memory");
		return OUT_FAILED;
	}
	rc = relay_perform(&r->w->relay, &rq, &relay_cbs, x, &res);
	curl_slist_free_all(h);
	if (owned)
		free(body);
	if (x->is_sse && !x->client_gone)
		(void)sse_finish(&x->sse, on_event, x);
	sse_release(&x->sse);
	status = (int)x->status;

	/* A stream that reached the client: finish it, whatever happened. */
	if (x->began) {
		end_stream(x, rc);
		if (!x->is_sse || (status != 0 && (status < 200 || status >= 300))) {
			parse_up_error(x, &x->resp, &e);
			channel_health(x, status, &e);
			json_decref(e.root);
			return OUT_FAILED;	/* nothing produced: nothing charged */
		}
		/* an upstream that only said "error" produced nothing */
		if (x->up_error && !x->have_usage && buf_len(&x->text) == 0)
			return OUT_FAILED;
		return OUT_DONE;
	}
	if (rc == GW_EIO && x->client_gone)
		return OUT_FAILED;
	if (rc != GW_OK || status == 0) {
		/* network error, timeout, or an answer too big to hold */
		log_warn("req=%s channel %lld: %s", r->id, (long long)x->ch.id, res.error[0] ? res.error :
		    gw_strerror(rc));
		channel_health(x, 0, &e);
		x->fail_status = 0;
		x->fail_timeout = rc == GW_ETIMEOUT;
		x->fail_msg = arena_strdup(&r->arena, res.error[0] ? res.error : gw_strerror(rc));
		if (!last && !r->token->specific_channel)
			return OUT_RETRY;
		report_failure(x);
		return OUT_FAILED;
	}
	if (status < 200 || status >= 300) {
		parse_up_error(x, &x->resp, &e);
		log_info("req=%s channel %lld answered %d", r->id, (long long)x->ch.id, status);
		channel_health(x, status, &e);
		json_decref(e.root);
		x->fail_status = status;
		if (!last && retryable(status) && !r->token->specific_channel)
			return OUT_RETRY;
		report_failure(x);
		return OUT_FAILED;
	}
	/* 2xx, not streamed: must be the protocol's JSON answer */
	if (answer_json(x, status) != GW_OK) {
		channel_health(x, 502, &e);
		x->fail_status = status;
		if (!last && !r->token->specific_channel)
			return OUT_RETRY;
		report_failure(x);
		return OUT_FAILED;
	}
	return OUT_DONE;
}

/* Charge what was produced. */
static void
settle(struct relay *x)
{
	struct req *r = x->r;
	struct settle s;

	if (!x->have_usage) {
		x->usage.prompt = x->prompt_est;
		x->usage.completion = x->mode == M_CHAT || x->mode == M_COMPLETIONS ?
		    billing_estimate_tokens(buf_cstr(&x->text), buf_len(&x->text)) : 0;
		x->usage.estimated = 1;
	}
	memset(&s, 0, sizeof(s));
	s.token = r->token;
	s.channel_id = x->ch.id;
	s.channel_type = x->ch.type;
	s.model = x->up_model;
	s.request_id = r->id;
	s.is_stream = x->stream;
	s.system_prompt_reset = x->system_prompt_reset;
	s.elapsed_ms = (mono_us() - r->t0_us) / 1000;
	s.pre = x->pre;
	s.usage = x->usage;
	s.price = x->price;
	if (billing_settle_later(r->db, &s) != GW_OK)
		log_error("req=%s settlement failed (pre-consumed %lld kept)", r->id, (long long)x->pre);
	/* a Responses answer the upstream may have stored: remember where */
	if (x->up == &hub_responses && x->pass && x->resp_id && x->resp_id[0] &&
	    db_exec(r->db, "INSERT OR REPLACE INTO fcgi_responses (response_id, channel_id, user_id, "
	    "created_at) VALUES (?, ?, ?, ?)", DB_ARGS(DB_S(x->resp_id), DB_I(x->ch.id),
	    DB_I(r->token->user_id), DB_I(now_sec())), NULL) != GW_OK)
		log_warn("req=%s could not record response %s", r->id, x->resp_id);
}

static enum mode
mode_of(const char *path)
{
	if (strstr(path, "/chat/completions"))
		return M_CHAT;
	if (strstr(path, "/completions"))
		return M_COMPLETIONS;
	if (strstr(path, "/moderations"))
		return M_MODERATIONS;
	if (strstr(path, "/messages"))
		return M_MESSAGES;
	if (strstr(path, "/responses"))
		return M_RESPONSES;
	return M_EMBEDDINGS;
}

int
h_relay(struct req *r)
{
	struct relay x;
	struct channel_pick next;
	const char *why = NULL;
	int64_t tried[RELAY_MAX_ATTEMPTS];
	int64_t retries, user_quota;
	size_t ntried = 0;
	enum outcome out = OUT_FAILED;
	int rc;

	memset(&x, 0, sizeof(x));
	x.r = r;
	x.mode = mode_of(r->path);
	buf_init(&x.resp, RELAY_MAX_RESPONSE);
	buf_init(&x.text, RELAY_MAX_TEXT);
	if (read_request(&x) != GW_OK)
		goto out;
	if (relay_auth_model(r, r->token, x.model) != GW_OK)
		goto out;
	if (r->token->specific_channel) {
		rc = distribute_get(r->db, &r->arena, r->token->specific_channel, &x.ch);
		if (rc == GW_ENOTFOUND) {
			oai_error(r, 400, "one_api_error", NULL, "无效的渠道 Id");
			goto out;
		}
		if (rc == GW_EFORBIDDEN) {
			oai_error(r, 403, "one_api_error", NULL, "该渠道已被禁用");
			goto out;
		}
	} else
		rc = distribute_pick(r->db, &r->arena, r->token->group, x.model, NULL, 0, 0, &x.ch);
	if (rc == GW_ENOTFOUND) {
		oai_error(r, 503, "one_api_error", NULL, "当前分组 %s 下对于模型 %s 无可用渠道",
		    r->token->group, x.model);
		goto out;
	}
	if (rc != GW_OK) {
		oai_error(r, 500, "one_api_error", NULL, "database error");
		goto out;
	}
	/* hold quota: One API holds nothing for users far above the cost */
	x.up_model = distribute_map_model(&r->arena, x.ch.model_mapping, x.model);
	billing_price(x.up_model, x.ch.type, r->token->group, &x.price);
	x.prompt_est = estimate_prompt(&x);
	x.pre = billing_pre_amount(&x.price, x.prompt_est, x.max_tokens);
	user_quota = r->token->user_quota;
	if (x.pre > 0 && user_quota > 100 * x.pre &&
	    (r->token->unlimited || r->token->remain_quota > 100 * x.pre))
		x.pre = 0;
	if (user_quota <= 0 || user_quota < x.pre) {
		/* the quota may be a cached one: the next request reads it anew
		 * (a top-up made by another process shows at once) */
		relay_auth_forget(r->token);
		oai_error(r, 403, "one_api_error", "insufficient_user_quota", "用户额度不足");
		goto out;
	}
	if ((rc = billing_preconsume(r->db, r->token, x.pre, &why)) == GW_EDB) {
		oai_error(r, 500, "one_api_error", "pre_consume_failed", "database error");
		goto out;
	}
	if (rc != GW_OK) {
		oai_error(r, 403, "one_api_error", why && strstr(why, "令牌") ?
		    "pre_consume_token_quota_failed" : "insufficient_user_quota", "%s",
		    why ? why : "额度不足");
		goto out;
	}
	retries = r->token->specific_channel ? 0 : option_int("RetryTimes", 0);
	if (retries > RELAY_MAX_ATTEMPTS - 1)
		retries = RELAY_MAX_ATTEMPTS - 1;
	for (;;) {
		tried[ntried++] = x.ch.id;
		out = attempt(&x, (int64_t)ntried > retries);
		if (out != OUT_RETRY)
			break;
		rc = distribute_pick(r->db, &r->arena, r->token->group, x.model, tried, ntried, 0, &next);
		if (rc != GW_OK) {
			/* nobody left to try: report the last failure */
			report_failure(&x);
			out = OUT_FAILED;
			break;
		}
		x.ch = next;
		log_info("req=%s retrying on channel %lld", r->id, (long long)x.ch.id);
		billing_price(distribute_map_model(&r->arena, x.ch.model_mapping, x.model), x.ch.type,
		    r->token->group, &x.price);
	}
	/* a stream the client left midway is OUT_DONE too: charged for what
	 * was produced; a failure costs nothing */
	if (out == OUT_DONE)
		settle(&x);
	else if (billing_refund(r->db, r->token, x.pre) != GW_OK)
		log_error("req=%s refund of %lld failed", r->id, (long long)x.pre);
out:
	buf_release(&x.resp);
	buf_release(&x.text);
	return GW_OK;
}


/* POST /v1/messages/count_tokens: Anthropic's own count when the key's
 * channel for the model is an Anthropic one, else our estimate (nothing is
 * charged either way, as with Anthropic). */
int
h_count_tokens(struct req *r)
{
	struct relay x;
	const struct channel_type *ct;
	const struct provider *pv;
	struct upstream_target t;
	struct relay_result res;
	char *body;
	size_t blen;
	int owned = 0, rc;

	memset(&x, 0, sizeof(x));
	memset(&res, 0, sizeof(res));
	x.r = r;
	x.mode = M_MESSAGES;
	buf_init(&x.resp, RELAY_MAX_RESPONSE);
	buf_init(&x.text, RELAY_MAX_TEXT);
	if (read_request(&x) != GW_OK || relay_auth_model(r, r->token, x.model) != GW_OK)
		goto out;
	x.stream = 0;
	rc = distribute_pick(r->db, &r->arena, r->token->group, x.model, NULL, 0, 0, &x.ch);
	ct = rc == GW_OK ? channel_type(x.ch.type) : NULL;
	pv = ct && ct->api == API_ANTHROPIC ? provider_for(x.ch.type) : NULL;
	if (pv != NULL) {
		x.up = &hub_claude;
		x.pass = 1;
		x.up_model = distribute_map_model(&r->arena, x.ch.model_mapping, x.model);
		memset(&t, 0, sizeof(t));
		t.ch = &x.ch;
		t.base = channel_base(&r->arena, &x.ch, ct);
		t.path = "/v1/messages/count_tokens";
		t.model = x.up_model;
		t.anthropic_version = req_header(r, "anthropic-version");
		t.anthropic_beta = req_header(r, "anthropic-beta");
		body = t.base ? pass_body(&x, &blen, &owned) : NULL;
		rc = body ? call_buffered(&x, pv, &t, "POST", body, blen, &res) : GW_ENOMEM;
		if (owned)
			free(body);
		/* Anthropic's answer, success or error, as it came */
		if (rc == GW_OK && x.status >= 200 && x.status < 500) {
			(void)resp_body(r, (int)x.status, "application/json", buf_cstr(&x.resp),
			    buf_len(&x.resp));
			goto out;
		}
		log_warn("req=%s count_tokens on channel %lld failed; estimating", r->id,
		    (long long)x.ch.id);
	}
	resp_json(r, 200, json_pack("{s:I}", "input_tokens", (json_int_t)estimate_prompt(&x)));
out:
	buf_release(&x.resp);
	buf_release(&x.text);
	return GW_OK;
}

/* GET/DELETE /v1/responses/{id} and POST /v1/responses/{id}/cancel: sent to
 * the channel that produced that response (recorded when it passed through
 * us to an OpenAI Responses upstream), for its owner only. */
int
h_response_item(struct req *r)
{
	struct relay x;
	const struct channel_type *ct;
	const struct provider *pv;
	struct upstream_target t;
	struct relay_result res;
	struct db_stmt *st;
	const char *id = r->npv > 0 ? r->pv[0] : "";
	int64_t chid = 0;
	int rc;

	memset(&x, 0, sizeof(x));
	memset(&res, 0, sizeof(res));
	x.r = r;
	x.mode = M_RESPONSES;
	buf_init(&x.resp, RELAY_MAX_RESPONSE);
	buf_init(&x.text, RELAY_MAX_TEXT);
	if (db_query(r->db, &st, "SELECT channel_id FROM fcgi_responses WHERE response_id = ? AND "
	    "user_id = ?", DB_ARGS(DB_S(id), DB_I(r->token->user_id))) == GW_OK) {
		if (db_next(st) > 0)
			chid = db_int(st, 0);
		db_done(st);
	}
	if (chid == 0 || distribute_get(r->db, &r->arena, chid, &x.ch) != GW_OK ||
	    (ct = channel_type(x.ch.type)) == NULL || (pv = provider_for(x.ch.type)) == NULL) {
		resp_json(r, 404, json_pack("{s:{s:s, s:s, s:s, s:s}}", "error", "message",
		    arena_printf(&r->arena, "No response found with id '%s'.", id), "type",
		    "invalid_request_error", "param", "response_id", "code", "not_found"));
		goto out;
	}
	memset(&t, 0, sizeof(t));
	t.ch = &x.ch;
	t.base = channel_base(&r->arena, &x.ch, ct);
	t.path = strstr(r->path, "/cancel") ? arena_printf(&r->arena, "/v1/responses/%s/cancel", id) :
	    arena_printf(&r->arena, "/v1/responses/%s", id);
	t.model = "";
	rc = t.base && t.path ? call_buffered(&x, pv, &t, r->method, NULL, 0, &res) : GW_ENOMEM;
	if (rc != GW_OK || x.status == 0) {
		oai_error(r, 502, "upstream_error", "do_request_failed", "upstream request failed: %s",
		    res.error[0] ? res.error : gw_strerror(rc));
		goto out;
	}
	if (strcmp(r->method, "DELETE") == 0 && x.status >= 200 && x.status < 300 &&
	    db_exec(r->db, "DELETE FROM fcgi_responses WHERE response_id = ?",
	    DB_ARGS(DB_S(id)), NULL) != GW_OK)
		log_warn("req=%s could not forget response %s", r->id, id);
	(void)resp_body(r, (int)x.status, "application/json", buf_cstr(&x.resp), buf_len(&x.resp));
out:
	buf_release(&x.resp);
	buf_release(&x.text);
	return GW_OK;
}
