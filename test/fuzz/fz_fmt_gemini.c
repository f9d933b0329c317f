/* test/fuzz/fz_fmt_gemini.c: libFuzzer target for the Gemini codec. The
 * first byte picks the chunk size; the rest is fed (a) as an SSE stream
 * split at that size through the stream decoder, whose events are checked
 * for order and re-encoded as Gemini chunks (each must be JSON), (b) as a
 * response or error body, whose decoded answer is re-encoded, and (c) as a
 * client's GenerateContentRequest: decoded, then encoded for Gemini and
 * Chat upstreams (which must succeed or say why with a 4xx). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "hub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	void *dec;
	void *enc;		/* the events, re-encoded as Gemini chunks */
	int started, finished, errored, usages, ended;
	int ntools;
};

static int
on_ev(void *ctx, const struct hub_ev *ev)
{
	struct seen *s = ctx;

	/* HE_START first (an error may come instead) and once; nothing after
	 * HE_FINISH or HE_ERROR but HE_USAGE */
	if (ev->type == HE_START ? s->started : !s->started && ev->type != HE_ERROR)
		__builtin_trap();
	if ((s->finished || s->errored) && ev->type != HE_USAGE)
		__builtin_trap();
	if ((ev->type == HE_TEXT || ev->type == HE_THINKING || ev->type == HE_TOOL_ARGS) &&
	    (ev->text == NULL || ev->len == 0 || memchr(ev->text, '\0', ev->len) != NULL))
		__builtin_trap();
	switch (ev->type) {
	case HE_START:
		s->started = 1;
		if (ev->id == NULL)
			__builtin_trap();
		break;
	case HE_TOOL_START:
		if (ev->index != s->ntools || ev->id == NULL || ev->name == NULL)
			__builtin_trap();
		s->ntools++;
		break;
	case HE_TOOL_ARGS:
		/* arguments only for the call just started */
		if (s->ntools == 0 || ev->index != s->ntools - 1)
			__builtin_trap();
		break;
	case HE_FINISH:
		if (!s->ended || (s->ntools && ev->finish == HF_STOP))
			__builtin_trap();
		s->finished = 1;
		break;
	case HE_ERROR:
		if (ev->status < 400 || ev->status > 599 || ev->text == NULL)
			__builtin_trap();
		s->errored = 1;
		break;
	case HE_USAGE:
		if (!s->ended || s->usages++)
			__builtin_trap();
		break;
	case HE_END:
		__builtin_trap();	/* the relay's to send */
	default:
		break;
	}
	return s->enc ? hub_gemini.enc_event(s->enc, ev) : 0;
}

/* every chunk the encoder writes is a JSON object, without an event name */
static int
on_chunk(void *ctx, const char *event, const char *data, size_t len)
{
	json_t *j = json_loadb(data, len, 0, NULL);

	(void)ctx;
	if (event != NULL || !json_is_object(j))
		__builtin_trap();
	json_decref(j);
	return 0;
}

static int
on_sse(void *ctx, const struct sse_event *ev)
{
	struct seen *s = ctx;

	return hub_gemini.dec_event(s->dec, ev);
}

static void
stream(struct arena *a, const char *p, size_t n, size_t step)
{
	struct seen s;
	struct sse sp;
	size_t i;

	memset(&s, 0, sizeof(s));
	if ((s.dec = hub_gemini.dec_new(a, NULL, on_ev, &s)) == NULL)
		return;
	s.enc = hub_gemini.enc_new(a, NULL, on_chunk, NULL);
	sse_init(&sp);
	for (i = 0; i < n; i += step)
		if (sse_feed(&sp, p + i, i + step > n ? n - i : step, on_sse, &s) != 0)
			break;
	(void)sse_finish(&sp, on_sse, &s);
	sse_release(&sp);
	s.ended = 1;
	(void)hub_gemini.dec_end(s.dec);
	if (s.enc != NULL) {
		struct hub_ev end = { .type = HE_END };
		(void)hub_gemini.enc_event(s.enc, &end);
	}
}

static void
body(struct arena *a, const char *p, size_t n)
{
	struct hub_resp r;
	const char *type, *msg;
	json_t *j = json_loadb(p, n, JSON_DECODE_ANY, NULL), *args;
	size_t i;

	if (j == NULL)
		return;
	if (hub_gemini.resp_decode(a, NULL, j, &r) == GW_OK) {
		if (r.id == NULL)
			__builtin_trap();
		for (i = 0; i < r.nparts; i++) {
			const struct hub_part *hp = &r.parts[i];
			if ((hp->type == HP_TEXT || hp->type == HP_THINKING) && hp->text == NULL)
				__builtin_trap();
			if (hp->type != HP_TOOL_CALL)
				continue;
			if (hp->id == NULL || hp->name == NULL || hp->args == NULL)
				__builtin_trap();
			/* args is always a JSON object text */
			args = json_loads(hp->args, 0, NULL);
			if (!json_is_object(args))
				__builtin_trap();
			json_decref(args);
		}
	}
	if (hub_gemini.error_decode(a, j, &type, &msg) == GW_OK && (type == NULL || msg == NULL))
		__builtin_trap();
	json_decref(j);
}

/* (b) again, the other way: a decoded answer as the client's body. */
static void
reencode(struct arena *a, const char *p, size_t n)
{
	struct hub_resp r;
	json_t *j = json_loadb(p, n, JSON_DECODE_ANY, NULL), *out;

	if (j == NULL)
		return;
	if (hub_gemini.resp_decode(a, NULL, j, &r) == GW_OK) {
		if ((out = hub_gemini.resp_encode(a, NULL, &r)) == NULL ||
		    !json_is_array(json_object_get(out, "candidates")))
			__builtin_trap();
		json_decref(out);
	}
	json_decref(j);
}

/* (c) a client request */
static void
request(struct arena *a, const char *p, size_t n)
{
	struct hub_req q, q2;
	struct hub_err err;
	json_t *j = json_loadb(p, n, JSON_DECODE_ANY, NULL), *out;

	if (j == NULL)
		return;
	memset(&err, 0, sizeof(err));
	if (hub_gemini.req_decode(a, j, &q, &err) != GW_OK) {
		if (err.status != 400 && err.status != 500)
			__builtin_trap();
		json_decref(j);
		return;
	}
	q.model = "m";
	q2 = q;
	memset(&err, 0, sizeof(err));
	if ((out = hub_gemini.req_encode(a, &q2, &err)) == NULL && (err.status < 400 || err.status > 500))
		__builtin_trap();
	json_decref(out);
	q2 = q;
	memset(&err, 0, sizeof(err));
	if ((out = hub_chat.req_encode(a, &q2, &err)) == NULL && (err.status < 400 || err.status > 500))
		__builtin_trap();
	json_decref(out);
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	size_t step;

	if (size < 1)
		return 0;
	step = (size_t)data[0] % 17 + 1;
	if (data[0] & 0x80)
		step = size;	/* whole events too */
	data++;
	size--;
	arena_init(&a);
	stream(&a, (const char *)data, size, step);
	body(&a, (const char *)data, size);
	reencode(&a, (const char *)data, size);
	request(&a, (const char *)data, size);
	arena_release(&a);
	return 0;
}
