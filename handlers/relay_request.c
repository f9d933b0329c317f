/* handlers/relay_request.c: the relay request read and checked as OpenAI/Anthropic
 * would, its prompt estimated (for the hold, and when the upstream is silent
 * about usage), and decoded into the hub when a channel needs translation */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "relay_state.h"
#include "jsonx.h"

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
int64_t
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
int
read_request(struct relay *x)
{
	struct req *r = x->r;
	char why[300];
	const char *s;
	int64_t n;
	int b, rc;
	json_t *so;

	x->body = jx_parse_body(r, why, sizeof(why));
	if (x->body == NULL)
		return bad_request(r, "invalid request body: %s", why), GW_EINPUT;
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
	if (x->max_tokens > BILLING_TOKENS_MAX)
		return bad_request(r, "max_tokens is past any model's limit%s", NULL), GW_EINPUT;
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
	return GW_OK;
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
int
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
