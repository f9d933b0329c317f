/* providers/pipeline.c: an upstream answer to the client: decoder, usage
 * observer, encoder, writer (see pipeline.h). Passing through, the
 * upstream's events go out byte for byte and are only observed; Chat is
 * observed by reading its chunks (it needs no decoder), the other
 * protocols by their decoder. */
#include <string.h>
#include "pipeline.h"
#include "billing.h"

/* Append to the estimate's text: a full buffer just stops growing (it was
 * released by buf_add and restarts empty, so the cap is well above what
 * estimates need). */
static void
keep(struct pipe *p, const char *s, size_t n)
{
	if (buf_len(&p->text) + n >= PIPE_MAX_TEXT)
		return;
	if (buf_add(&p->text, s, n) != GW_OK)
		return;
}

/* One event to the client; non-zero once the client is gone. */
static int
send(struct pipe *p, const char *event, const char *data, size_t len)
{
	if (!p->gone && p->w.event(p->w.ctx, event, data, len) != 0)
		p->gone = 1;
	return p->gone;
}

static int
count_sane(int64_t n)
{
	return n >= 0 && n <= BILLING_TOKENS_MAX;
}

/* Counts past BILLING_TOKENS_MAX are an upstream's garbage: kept as they
 * came, so settlement charges the hold (billing_usage_sane), and never
 * summed here, where they could overflow. */
static void
take_hub_usage(struct pipe *p, const struct hub_usage *u)
{
	int sane = count_sane(u->input) && count_sane(u->output) && count_sane(u->cache_read) &&
	    count_sane(u->cache_write) && count_sane(u->reasoning);

	p->usage = *u;
	p->have_usage = !sane || u->input + u->output > 0;
}

/* usage{} of an OpenAI answer or chunk. */
static void
take_usage(struct pipe *p, json_t *u)
{
	struct hub_usage h;
	json_t *d;

	if (!json_is_object(u))
		return;
	memset(&h, 0, sizeof(h));
	h.input = json_integer_value(json_object_get(u, "prompt_tokens"));
	h.output = json_integer_value(json_object_get(u, "completion_tokens"));
	d = json_object_get(u, "prompt_tokens_details");
	h.cache_read = json_integer_value(json_object_get(d, "cached_tokens"));
	d = json_object_get(u, "completion_tokens_details");
	h.reasoning = json_integer_value(json_object_get(d, "reasoning_tokens"));
	take_hub_usage(p, &h);
}

/* Text the model produced, from a Chat chunk's or answer's choices. */
static void
take_text(struct pipe *p, json_t *choices)
{
	size_t i;
	json_t *c, *t;

	json_array_foreach(choices, i, c) {
		t = json_object_get(json_object_get(c, "delta"), "content");
		if (!json_is_string(t))
			t = json_object_get(json_object_get(c, "message"), "content");
		if (!json_is_string(t))
			t = json_object_get(c, "text");
		if (json_is_string(t))
			keep(p, json_string_value(t), json_string_length(t));
	}
}

/* Where the decoder sends hub events: observe usage and text, then
 * (translating) hand them to the client's encoder. */
static int
sink(void *ctx, const struct hub_ev *ev)
{
	struct pipe *p = ctx;

	switch (ev->type) {
	case HE_START:
		if (ev->id && p->resp_id == NULL)
			p->resp_id = arena_strdup(p->a, ev->id);
		break;
	case HE_USAGE:
		take_hub_usage(p, &ev->usage);
		break;
	case HE_TEXT:
	case HE_THINKING:
	case HE_TOOL_ARGS:
		keep(p, ev->text, ev->len);
		break;
	case HE_ERROR:
		p->up_error = 1;
		break;
	default:
		break;
	}
	if (p->enc == NULL || p->gone)
		return p->gone;
	if (p->in->enc_event(p->enc, ev) != 0)
		p->gone = 1;
	return p->gone;
}

/* Where the client's encoder writes. */
static int
enc_write(void *ctx, const char *event, const char *data, size_t len)
{
	return send(ctx, event, data, len);
}

/* One upstream SSE event: translated, or observed and passed through
 * (Chat: minus what the client did not ask for). */
static int
on_event(void *ctx, const struct sse_event *ev)
{
	struct pipe *p = ctx;
	json_t *j, *choices;
	int drop = 0;

	if (!p->pass)
		return p->up->dec_event(p->dec, ev) != 0 || p->gone;
	if (p->up != &hub_chat) {
		(void)p->up->dec_event(p->dec, ev);
		return send(p, ev->event, ev->data, ev->len);
	}
	if (ev->len == 6 && memcmp(ev->data, "[DONE]", 6) == 0) {
		p->done_sent = 1;
		return send(p, ev->event, ev->data, ev->len);
	}
	if ((j = json_loadb(ev->data, ev->len, 0, NULL)) != NULL) {
		if (json_is_object(json_object_get(j, "usage")))
			take_usage(p, json_object_get(j, "usage"));
		choices = json_object_get(j, "choices");
		if (json_is_array(choices)) {
			take_text(p, choices);
			/* the usage chunk we asked for on the client's behalf, and
			 * Azure's empty keep-alive chunks */
			if (json_array_size(choices) == 0 &&
			    (!p->client_usage || !json_is_object(json_object_get(j, "usage"))))
				drop = 1;
		}
		json_decref(j);
	}
	if (drop)
		return 0;
	return send(p, ev->event, ev->data, ev->len);
}

void
pipe_init(struct pipe *p, struct arena *a, const struct hub_format *up,
    const struct hub_format *in, const struct hub_req *q, int client_usage, const char *req_id,
    const struct pipe_writer *w)
{
	memset(p, 0, sizeof(*p));
	p->a = a;
	p->up = up;
	p->in = in ? in : up;
	p->pass = in == NULL || in == up;
	p->q = q;
	p->client_usage = client_usage;
	p->req_id = req_id;
	p->w = *w;
	sse_init(&p->sse);
	buf_init(&p->text, PIPE_MAX_TEXT);
}

int
pipe_open(struct pipe *p)
{
	if (p->pass && p->up == &hub_chat)
		return GW_OK;		/* read chunk by chunk in on_event */
	p->dec = p->up->dec_new(p->a, p->q, sink, p);
	if (!p->pass)
		p->enc = p->in->enc_new(p->a, p->q, enc_write, p);
	if (p->dec == NULL || (!p->pass && p->enc == NULL))
		return GW_ENOMEM;
	return GW_OK;
}

int
pipe_feed(struct pipe *p, const char *data, size_t n)
{
	return sse_feed(&p->sse, data, n, on_event, p) != 0;
}

void
pipe_flush(struct pipe *p)
{
	(void)sse_finish(&p->sse, on_event, p);
}

/* A stream passed through was cut: say so in its own event grammar. */
static void
pass_error(struct pipe *p, const char *why, int interrupted)
{
	char *msg;

	if (p->up == &hub_claude)
		msg = arena_printf(p->a, "{\"type\":\"error\",\"error\":{\"type\":\"api_error\","
		    "\"message\":\"upstream %s (request id: %s)\"}}", why, p->req_id);
	else if (p->up == &hub_chat)
		msg = arena_printf(p->a, "{\"error\":{\"message\":\"upstream %s (request id: %s)\","
		    "\"type\":\"upstream_error\",\"param\":\"\",\"code\":\"%s\"}}", why, p->req_id,
		    interrupted ? "stream_interrupted" : "bad_response_status_code");
	else
		msg = arena_printf(p->a, "{\"type\":\"error\",\"code\":\"stream_interrupted\","
		    "\"message\":\"upstream %s (request id: %s)\",\"param\":null}", why, p->req_id);
	if (msg)
		(void)send(p, p->up == &hub_chat ? NULL : "error", msg, strlen(msg));
}

void
pipe_end(struct pipe *p, int interrupted, int was_sse)
{
	const char *why = interrupted ? "stream interrupted" : "returned an error";
	struct hub_ev ev;

	if (p->gone)
		return;
	if (!p->pass) {
		if (was_sse && !interrupted)
			(void)p->up->dec_end(p->dec);	/* pending finish and usage */
		memset(&ev, 0, sizeof(ev));
		if (interrupted || !was_sse) {
			char *msg = arena_printf(p->a, "upstream %s (request id: %s)", why, p->req_id);
			ev.type = HE_ERROR;
			ev.status = 502;
			ev.name = "api_error";
			ev.text = msg ? msg : "upstream error";
			ev.len = strlen(ev.text);
			(void)sink(p, &ev);
			memset(&ev, 0, sizeof(ev));
		}
		ev.type = HE_END;
		(void)sink(p, &ev);
		return;
	}
	if (p->up != &hub_chat && was_sse && !interrupted)
		(void)p->up->dec_end(p->dec);
	if (interrupted || !was_sse)
		pass_error(p, why, interrupted);
	if (p->up == &hub_chat && !p->gone && !p->done_sent)
		(void)send(p, NULL, "[DONE]", 6);
}

int
pipe_answer(struct pipe *p, const char *body, size_t len, const char *model, json_t **out)
{
	struct hub_resp hr;
	json_t *j;
	size_t i;

	*out = NULL;
	j = json_loadb(body, len, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return GW_EINPUT;
	}
	if (p->pass && p->up == &hub_chat) {
		take_usage(p, json_object_get(j, "usage"));
		if (json_is_array(json_object_get(j, "choices")))
			take_text(p, json_object_get(j, "choices"));
		json_decref(j);
		return GW_OK;
	}
	hub_keep(p->a, j);		/* the decoded strings may point into it */
	memset(&hr, 0, sizeof(hr));
	if (p->up->resp_decode(p->a, p->q, j, &hr) != GW_OK)
		return GW_EINPUT;
	p->resp_id = hr.id;
	if (hr.have_usage)
		take_hub_usage(p, &hr.usage);
	for (i = 0; i < hr.nparts; i++) {
		const struct hub_part *pt = &hr.parts[i];
		const char *t = pt->type == HP_TOOL_CALL ? pt->args : pt->text;
		if (t)
			keep(p, t, strlen(t));
	}
	if (p->pass)
		return GW_OK;
	/* the client sees the model it asked for, as with pass-through */
	if (hr.model == NULL)
		hr.model = model;
	if ((*out = p->in->resp_encode(p->a, p->q, &hr)) == NULL)
		return GW_ENOMEM;
	return GW_OK;
}

void
pipe_release(struct pipe *p)
{
	sse_release(&p->sse);
	buf_release(&p->text);
}
