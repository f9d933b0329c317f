/* test/fuzz/fz_fmt_responses.c: libFuzzer target for the OpenAI Responses
 * codec. The first byte picks the mode (mod 3):
 * 0: the rest is a client request body: req_decode, req_encode; the encoded
 *    body must decode again and encode to the same JSON.
 * 1: the second byte picks a chunk size and the rest is an upstream SSE
 *    stream: decoded into hub events, encoded as Responses events (each must
 *    be JSON with data.type == event and sequence_number 0, 1, 2 ...), and
 *    decoded again: text, reasoning text and tool calls must survive.
 * 2: the rest is an upstream answer body: resp_decode, resp_encode (must
 *    decode again), error_decode. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "hub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define F	(&hub_responses)
#define CAP	(16u << 20)

/* ---- mode 0: requests ---- */

static void
fuzz_request(const char *s, size_t n)
{
	struct arena a;
	struct hub_req q, q2;
	struct hub_err err;
	json_t *body, *enc, *enc2;

	if ((body = json_loadb(s, n, JSON_DECODE_ANY, NULL)) == NULL)
		return;
	arena_init(&a);
	memset(&err, 0, sizeof(err));
	if (F->req_decode(&a, body, &q, &err) != GW_OK) {
		if (err.status != 400 && err.status != 500)
			__builtin_trap();
		goto out;
	}
	if ((enc = F->req_encode(&a, &q, &err)) == NULL)
		__builtin_trap();
	hub_keep(&a, enc);
	/* what we send upstream is itself a valid Responses request */
	if (F->req_decode(&a, enc, &q2, &err) != GW_OK)
		__builtin_trap();
	if ((enc2 = F->req_encode(&a, &q2, &err)) == NULL)
		__builtin_trap();
	if (!json_equal(enc, enc2))
		__builtin_trap();
	json_decref(enc2);
out:
	json_decref(body);
	arena_release(&a);
}

/* ---- mode 1: streams ---- */

struct side {
	struct buf text;	/* 'T' text, 'R' reasoning, per event */
	struct buf calls;	/* index, id, name per call */
	struct buf *args;	/* per call, its arguments */
	int ncalls, last_call, interleaved, errors;
};

struct run {
	struct side *side;
	void *enc;		/* encoder fed by the decoder, or NULL */
	struct buf out;		/* the encoder's SSE bytes */
	int64_t seq;
	int terminal;		/* a terminal event was written */
};

static void
side_init(struct side *s)
{
	memset(s, 0, sizeof(*s));
	buf_init(&s->text, CAP);
	buf_init(&s->calls, CAP);
	s->last_call = -1;
}

static void
side_release(struct side *s)
{
	buf_release(&s->text);
	int i;

	buf_release(&s->calls);
	for (i = 0; i < s->ncalls; i++)
		buf_release(&s->args[i]);
	free(s->args);
}

/* Record what must survive re-encoding: everything before the first error
 * (the encoder ends the stream there). */
static void
note(struct side *s, const struct hub_ev *ev)
{
	int rc = 0;

	if (s->errors)
		return;
	switch (ev->type) {
	case HE_TEXT:
	case HE_THINKING:
		rc = buf_add(&s->text, ev->text, ev->len);
		/* FALLTHROUGH */
	case HE_SIGNATURE:
		s->last_call = -1;	/* the encoder closed the call */
		break;
	case HE_TOOL_START:
		if (ev->index != s->ncalls)
			__builtin_trap();
		if ((s->args = realloc(s->args, (size_t)(s->ncalls + 1) * sizeof(*s->args))) == NULL)
			__builtin_trap();
		buf_init(&s->args[s->ncalls++], CAP);
		s->last_call = ev->index;
		rc = buf_printf(&s->calls, "|%d:%s:%s", ev->index, ev->id, ev->name);
		break;
	case HE_TOOL_ARGS:
		if (ev->index < 0 || ev->index >= s->ncalls)
			__builtin_trap();
		if (ev->index != s->last_call)
			s->interleaved = 1;
		rc = buf_add(&s->args[ev->index], ev->text, ev->len);
		break;
	case HE_ERROR:
		s->errors++;
		break;
	default:
		break;
	}
	if (rc != 0)
		__builtin_trap();
}

static int
on_ev(void *ctx, const struct hub_ev *ev)
{
	struct run *r = ctx;

	if ((ev->type == HE_TEXT || ev->type == HE_THINKING || ev->type == HE_TOOL_ARGS ||
	    ev->type == HE_SIGNATURE) && ev->text == NULL)
		__builtin_trap();
	note(r->side, ev);
	return r->enc ? F->enc_event(r->enc, ev) : 0;
}

static int
on_write(void *ctx, const char *event, const char *data, size_t len)
{
	struct run *r = ctx;
	json_t *j;
	const char *type;

	if (event == NULL || r->terminal || strlen(data) != len)
		__builtin_trap();
	if ((j = json_loadb(data, len, 0, NULL)) == NULL)
		__builtin_trap();
	type = json_string_value(json_object_get(j, "type"));
	if (type == NULL || strcmp(type, event) != 0 ||
	    json_integer_value(json_object_get(j, "sequence_number")) != r->seq++)
		__builtin_trap();
	if (strcmp(type, "response.completed") == 0 || strcmp(type, "response.incomplete") == 0 ||
	    strcmp(type, "response.failed") == 0)
		r->terminal = 1;
	json_decref(j);
	if (buf_printf(&r->out, "event: %s\ndata: %s\n\n", event, data) != GW_OK)
		__builtin_trap();
	return 0;
}

static int
on_sse(void *ctx, const struct sse_event *ev)
{
	return F->dec_event(ctx, ev);
}

static void
run_stream(struct arena *a, struct run *r, const char *s, size_t n, size_t step)
{
	struct sse p;
	void *d;
	size_t i;

	if ((d = F->dec_new(a, NULL, on_ev, r)) == NULL)
		__builtin_trap();
	sse_init(&p);
	for (i = 0; i < n; i += step)
		if (sse_feed(&p, s + i, i + step > n ? n - i : step, on_sse, d) != 0)
			break;
	(void)sse_finish(&p, on_sse, d);
	(void)F->dec_end(d);
	sse_release(&p);
}

static void
fuzz_stream(const char *s, size_t n, size_t step)
{
	struct arena a;
	struct side s1, s2;
	struct run r1, r2;
	struct hub_ev end = { .type = HE_END };
	int i;

	arena_init(&a);
	side_init(&s1);
	side_init(&s2);
	memset(&r1, 0, sizeof(r1));
	memset(&r2, 0, sizeof(r2));
	buf_init(&r1.out, CAP);
	buf_init(&r2.out, CAP);
	r1.side = &s1;
	r2.side = &s2;
	if ((r1.enc = F->enc_new(&a, NULL, on_write, &r1)) == NULL)
		__builtin_trap();
	run_stream(&a, &r1, s, n, step);
	if (F->enc_event(r1.enc, &end) != 0 || !r1.terminal)
		__builtin_trap();
	/* what the client got decodes to the same text and calls */
	run_stream(&a, &r2, buf_cstr(&r1.out), buf_len(&r1.out), 4096);
	if (buf_len(&s1.text) != buf_len(&s2.text) ||
	    memcmp(buf_cstr(&s1.text), buf_cstr(&s2.text), buf_len(&s1.text)) != 0)
		__builtin_trap();
	if (strcmp(buf_cstr(&s1.calls), buf_cstr(&s2.calls)) != 0)
		__builtin_trap();
	/* the same arguments, "{}" for none; those of a call already closed
	 * cannot be re-sent (documented) */
	for (i = 0; i < s1.ncalls && !s1.interleaved; i++)
		if (strcmp(buf_cstr(&s1.args[i]), buf_cstr(&s2.args[i])) != 0 &&
		    (buf_len(&s1.args[i]) != 0 || strcmp(buf_cstr(&s2.args[i]), "{}") != 0))
			__builtin_trap();
	if ((s1.errors != 0) != (s2.errors != 0))
		__builtin_trap();
	buf_release(&r1.out);
	buf_release(&r2.out);
	side_release(&s1);
	side_release(&s2);
	arena_release(&a);
}

/* ---- mode 2: answers ---- */

static void
fuzz_answer(const char *s, size_t n)
{
	struct arena a;
	struct hub_resp r, r2;
	const char *type, *msg;
	json_t *body, *enc, *e;

	if ((body = json_loadb(s, n, JSON_DECODE_ANY, NULL)) == NULL)
		return;
	arena_init(&a);
	if (F->resp_decode(&a, NULL, body, &r) == GW_OK) {
		if ((enc = F->resp_encode(&a, NULL, &r)) == NULL)
			__builtin_trap();
		if (F->resp_decode(&a, NULL, enc, &r2) != GW_OK || r2.have_usage != r.have_usage ||
		    r2.usage.input != r.usage.input)
			__builtin_trap();
		json_decref(enc);
	}
	if (F->error_decode(&a, body, &type, &msg) == GW_OK) {
		if (type == NULL || msg == NULL || (e = F->error_encode(502, NULL, msg)) == NULL)
			__builtin_trap();
		json_decref(e);
	}
	json_decref(body);
	arena_release(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_request((const char *)data + 1, size - 1);
		break;
	case 1:
		fuzz_stream((const char *)data + 2, size - 2, (size_t)data[1] % 64 + 1);
		break;
	default:
		fuzz_answer((const char *)data + 1, size - 1);
		break;
	}
	return 0;
}
