/* handlers/relay.c: the OpenAI-compatible relay (/v1/chat/completions,
 * /v1/completions, /v1/embeddings, /v1/moderations), /v1/models and the
 * billing emulation. One request: validate, pick a channel, hold quota,
 * call the upstream (retrying other channels while nothing was sent),
 * pass the answer through (streams event by event), settle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "handlers.h"
#include "billing.h"
#include "cfg.h"
#include "channel_types.h"
#include "distribute.h"
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

enum mode { M_CHAT, M_COMPLETIONS, M_EMBEDDINGS, M_MODERATIONS };

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
	struct channel_pick ch;
	struct price price;
	int64_t pre;
	int system_prompt_reset;
	/* attempt */
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

/* The prompt tokens, estimated (for the hold, and when the upstream is silent
 * about usage): One API's 3 per message + 3 priming, text at ~0.38/byte. */
static int64_t
estimate_prompt(struct relay *x)
{
	struct buf b = BUF_INIT(16u << 20);
	json_t *msgs, *m, *in;
	int64_t n = 0;
	size_t i;

	if (x->mode == M_CHAT && json_is_array(msgs = json_object_get(x->body, "messages"))) {
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
	x->stream = rc == GW_OK && b && (x->mode == M_CHAT || x->mode == M_COMPLETIONS);
	if (jx_int(x->body, "n", &n) == GW_EINPUT)
		return bad_request(r, "n must be an integer%s", NULL), GW_EINPUT;
	if ((rc = jx_int(x->body, "max_tokens", &x->max_tokens)) == GW_EINPUT ||
	    (rc != GW_OK && jx_int(x->body, "max_completion_tokens", &x->max_tokens) == GW_EINPUT))
		return bad_request(r, "max_tokens must be an integer%s", NULL), GW_EINPUT;
	if (x->max_tokens < 0)
		return bad_request(r, "max_tokens must not be negative%s", NULL), GW_EINPUT;
	if (x->mode == M_CHAT && !json_is_array(json_object_get(x->body, "messages")))
		return bad_request(r, "messages must be an array%s", NULL), GW_EINPUT;
	if (x->mode == M_COMPLETIONS && json_object_get(x->body, "prompt") == NULL)
		return bad_request(r, "prompt is required%s", NULL), GW_EINPUT;
	if (x->mode == M_EMBEDDINGS && json_object_get(x->body, "input") == NULL)
		return bad_request(r, "input is required%s", NULL), GW_EINPUT;
	so = json_object_get(x->body, "stream_options");
	x->client_usage = json_is_true(json_object_get(so, "include_usage"));
	return GW_OK;
}

/* The upstream body: the client's bytes when nothing changes, otherwise a
 * copy with the mapped model, the channel's system prompt and, for streams,
 * stream_options.include_usage (we bill on the upstream's count). */
static char *
upstream_body(struct relay *x, size_t *len, int *owned)
{
	const char *sp = x->ch.system_prompt;
	int mapped = strcmp(x->up_model, x->model) != 0;
	int need_sp = sp[0] && x->mode == M_CHAT;
	json_t *b, *msgs, *first, *so;
	char *s;

	*owned = 0;
	if (!mapped && !need_sp && !(x->stream && !x->client_usage) &&
	    json_object_get(x->body, "model") != NULL) {
		*len = buf_len(&x->r->body);
		return (char *)buf_cstr(&x->r->body);
	}
	if ((b = json_deep_copy(x->body)) == NULL)
		return NULL;
	json_object_set_new(b, "model", json_string(x->up_model));
	if (need_sp) {
		msgs = json_object_get(b, "messages");
		first = json_array_get(msgs, 0);
		if (first && json_is_string(json_object_get(first, "role")) &&
		    strcmp(json_string_value(json_object_get(first, "role")), "system") == 0)
			json_object_set_new(first, "content", json_string(sp));
		else
			json_array_insert_new(msgs, 0, json_pack("{s:s, s:s}", "role", "system",
			    "content", sp));
		x->system_prompt_reset = 1;
	}
	if (x->stream) {
		so = json_object_get(b, "stream_options");
		if (!json_is_object(so)) {
			so = json_object();
			json_object_set_new(b, "stream_options", so);
		}
		json_object_set_new(so, "include_usage", json_true());
	}
	s = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	if (s == NULL)
		return NULL;
	*owned = 1;
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

/* One upstream SSE event: note usage and text, drop what the client did not
 * ask for, pass the rest through byte for byte and flush it at once. */
static int
on_event(void *ctx, const struct sse_event *ev)
{
	struct relay *x = ctx;
	json_t *j, *choices;
	int drop = 0;

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
parse_up_error(const struct buf *b, struct up_error *e)
{
	json_t *err, *c;

	memset(e, 0, sizeof(*e));
	if ((e->root = json_loadb(buf_cstr(b), buf_len(b), 0, NULL)) == NULL)
		return;
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
	parse_up_error(&x->resp, &e);
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

enum outcome { OUT_DONE, OUT_RETRY, OUT_FAILED };

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
	const char *url;
	char *body;
	size_t blen;
	int owned = 0, rc, status;

	if (pv == NULL || ct == NULL) {
		oai_error(r, 501, "one_api_error", "channel_type_not_supported",
		    "channel type %d is not supported by the relay yet", x->ch.type);
		return OUT_FAILED;
	}
	x->up_model = distribute_map_model(&r->arena, x->ch.model_mapping, x->model);
	memset(&t, 0, sizeof(t));
	t.ch = &x->ch;
	t.base = x->ch.base_url[0] ? x->ch.base_url : ct->base_url;
	t.path = mode_path[x->mode];
	t.model = x->up_model;
	t.stream = x->stream;
	{
		/* no trailing '/' on the base */
		size_t bl = strlen(t.base);
		while (bl > 0 && t.base[bl - 1] == '/')
			bl--;
		t.base = arena_strndup(&r->arena, t.base, bl);
	}
	url = t.base ? pv->url(&r->arena, &t) : NULL;
	if (url == NULL) {
		oai_error(r, 500, "one_api_error", "channel_misconfigured",
		    "channel %lld has no usable base URL or API version", (long long)x->ch.id);
		return OUT_FAILED;
	}
	if ((body = upstream_body(x, &blen, &owned)) == NULL) {
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
		if (!x->client_gone && (rc != GW_OK || !x->is_sse)) {
			/* cut mid-stream, or an error after our heartbeats: tell
			 * the client in its own stream */
			char *msg = arena_printf(&r->arena, "{\"error\":{\"message\":\"upstream %s (request id: %s)\","
			    "\"type\":\"upstream_error\",\"param\":\"\",\"code\":\"%s\"}}",
			    rc != GW_OK ? "stream interrupted" : "returned an error", r->id,
			    rc != GW_OK ? "stream_interrupted" : "bad_response_status_code");
			if (msg)
				(void)send_event(x, NULL, msg, strlen(msg));
		}
		if (!x->client_gone && !x->done_sent)
			(void)send_event(x, NULL, "[DONE]", 6);
		if (!x->is_sse || (status != 0 && (status < 200 || status >= 300))) {
			parse_up_error(&x->resp, &e);
			channel_health(x, status, &e);
			json_decref(e.root);
			return OUT_FAILED;	/* nothing produced: nothing charged */
		}
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
		parse_up_error(&x->resp, &e);
		log_info("req=%s channel %lld answered %d", r->id, (long long)x->ch.id, status);
		channel_health(x, status, &e);
		json_decref(e.root);
		x->fail_status = status;
		if (!last && retryable(status) && !r->token->specific_channel)
			return OUT_RETRY;
		report_failure(x);
		return OUT_FAILED;
	}
	/* 2xx, not streamed: must be JSON */
	{
		json_t *j = json_loadb(buf_cstr(&x->resp), buf_len(&x->resp), 0, NULL);
		if (!json_is_object(j)) {
			json_decref(j);
			channel_health(x, 502, &e);
			x->fail_status = status;
			if (!last && !r->token->specific_channel)
				return OUT_RETRY;
			report_failure(x);
			return OUT_FAILED;
		}
		take_usage(x, json_object_get(j, "usage"));
		if (json_is_array(json_object_get(j, "choices")))
			take_text(x, json_object_get(j, "choices"));
		json_decref(j);
	}
	if (resp_body(r, status, "application/json", buf_cstr(&x->resp), buf_len(&x->resp)) != GW_OK)
		oai_error(r, 500, "one_api_error", "internal_error", "response too large");
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

/* Models the key may use: its group's enabled abilities, cut by the token's
 * allow-list. */
static json_t *
key_models(struct req *r, const char *only)
{
	struct db_stmt *st;
	json_t *list = json_array();
	const struct channel_type *ct;

	if (list == NULL || db_query(r->db, &st, "SELECT a.model, MIN(c.type) FROM abilities a "
	    "JOIN channels c ON c.id = a.channel_id WHERE a.`group` = ? AND a.enabled = 1 "
	    "GROUP BY a.model ORDER BY a.model", DB_ARGS(DB_S(r->token->group))) != GW_OK) {
		json_decref(list);
		return NULL;
	}
	while (db_next(st) > 0) {
		const char *m = db_text(st, 0);
		char owner[64];
		size_t i;
		if (only && strcmp(only, m) != 0)
			continue;
		if (!relay_token_allows(r->token, m))
			continue;
		ct = channel_type((int)db_int(st, 1));
		snprintf(owner, sizeof(owner), "%s", ct ? ct->name : "custom");
		for (i = 0; owner[i]; i++)
			owner[i] = (char)((owner[i] >= 'A' && owner[i] <= 'Z') ? owner[i] + 32 : owner[i]);
		json_array_append_new(list, json_pack("{s:s, s:s, s:i, s:s, s:[{s:s, s:s, s:i, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:s, s:n, s:b}], s:s, s:n}",
		    "id", m, "object", "model", "created", 1626777600, "owned_by", owner,
		    "permission", "id", "modelperm-LwHkVFn8AcMItP432fKKDIKJ", "object", "model_permission",
		    "created", 1626777600, "allow_create_engine", 1, "allow_sampling", 1,
		    "allow_logprobs", 1, "allow_search_indices", 0, "allow_view", 1,
		    "allow_fine_tuning", 0, "is_blocking", 0, "organization", "*", "group",
		    "is_blocking", 0, "root", m, "parent"));
	}
	db_done(st);
	return list;
}

int
h_models_list(struct req *r)
{
	json_t *list = key_models(r, NULL);

	if (list == NULL)
		return oai_error(r, 500, "one_api_error", NULL, "database error");
	return resp_json(r, 200, json_pack("{s:s, s:o}", "object", "list", "data", list));
}

int
h_model_get(struct req *r)
{
	json_t *list = key_models(r, r->npv ? r->pv[0] : "");
	json_t *one;

	if (list == NULL)
		return oai_error(r, 500, "one_api_error", NULL, "database error");
	if ((one = json_array_get(list, 0)) == NULL) {
		json_decref(list);
		return resp_json(r, 404, json_pack("{s:{s:s, s:s, s:s, s:s}}", "error", "message",
		    arena_printf(&r->arena, "The model '%s' does not exist", r->npv ? r->pv[0] : ""),
		    "type", "invalid_request_error", "param", "model", "code", "model_not_found"));
	}
	json_incref(one);
	json_decref(list);
	return resp_json(r, 200, one);
}

/* One API's billing emulation for clients that show a balance: amounts in
 * USD (quota / QuotaPerUnit) when DisplayInCurrencyEnabled, token-level when
 * DisplayTokenStatEnabled. */
static void
billing_amounts(struct req *r, double *limit, double *used, int64_t *expires)
{
	struct db_stmt *st;
	double per = option_real("QuotaPerUnit", 500000);
	int64_t remain = 0, usedq = 0;
	int token_level = option_bool("DisplayTokenStatEnabled", 1);

	*expires = 0;
	if (token_level) {
		if (db_query(r->db, &st, "SELECT remain_quota, used_quota, expired_time, unlimited_quota "
		    "FROM tokens WHERE id = ?", DB_ARGS(DB_I(r->token->id))) == GW_OK) {
			if (db_next(st) > 0) {
				remain = db_int(st, 0);
				usedq = db_int(st, 1);
				*expires = db_int(st, 2) > 0 ? db_int(st, 2) : 0;
				if (db_int(st, 3))
					remain = -1;
			}
			db_done(st);
		}
	} else if (db_query(r->db, &st, "SELECT quota, used_quota FROM users WHERE id = ?",
	    DB_ARGS(DB_I(r->token->user_id))) == GW_OK) {
		if (db_next(st) > 0) {
			remain = db_int(st, 0);
			usedq = db_int(st, 1);
		}
		db_done(st);
	}
	if (!option_bool("DisplayInCurrencyEnabled", 1) || per <= 0)
		per = 1;
	*limit = remain < 0 ? 100000000 : (double)(remain + usedq) / per;
	*used = (double)usedq / per;
}

int
h_billing_subscription(struct req *r)
{
	double limit, used;
	int64_t exp;

	billing_amounts(r, &limit, &used, &exp);
	return resp_json(r, 200, json_pack("{s:s, s:b, s:f, s:f, s:f, s:I}", "object",
	    "billing_subscription", "has_payment_method", 1, "soft_limit_usd", limit,
	    "hard_limit_usd", limit, "system_hard_limit_usd", limit, "access_until", (json_int_t)exp));
}

int
h_billing_usage(struct req *r)
{
	double limit, used;
	int64_t exp;

	billing_amounts(r, &limit, &used, &exp);
	return resp_json(r, 200, json_pack("{s:s, s:f}", "object", "list", "total_usage", used * 100));
}

int
h_not_implemented(struct req *r)
{
	return resp_json(r, 501, json_pack("{s:{s:s, s:s, s:s, s:s}}", "error", "message",
	    "API not implemented", "type", "one_api_error", "param", "", "code", "api_not_implemented"));
}

int
h_cors_preflight(struct req *r)
{
	resp_header(r, "Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
	resp_header(r, "Access-Control-Allow-Headers", "*");
	resp_header(r, "Access-Control-Max-Age", "43200");
	return resp_body(r, 204, NULL, "", 0);
}
