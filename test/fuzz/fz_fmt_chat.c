/* test/fuzz/fz_fmt_chat.c: libFuzzer target for the Chat Completions codec.
 * First byte even: the rest is a request body (req_decode, req_encode, and
 * the encoded body must decode again) and an answer body (resp_decode,
 * resp_encode, error_decode). Odd: the second byte picks a chunk size and
 * the rest is an upstream SSE stream, decoded into hub events, encoded as
 * Chat chunks, and decoded again: text and tool calls must survive, every
 * chunk must be JSON, and nothing may follow [DONE]. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "hub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP	(4u << 20)

struct side {
	struct buf text;	/* HE_TEXT + HE_THINKING, tagged */
	struct buf tools;	/* per call: index, id, name; then argument fragments */
	int errors;
};

struct run {
	void *enc;		/* encoder fed by the first decoder, or NULL */
	struct side *side;
	struct buf out;		/* the encoder's SSE bytes */
	int done, after_done, ended;
};

static void
side_init(struct side *s)
{
	buf_init(&s->text, CAP);
	buf_init(&s->tools, CAP);
	s->errors = 0;
}

static void
side_release(struct side *s)
{
	buf_release(&s->text);
	buf_release(&s->tools);
}

static int
note(struct side *s, const struct hub_ev *ev)
{
	int rc = 0;

	switch (ev->type) {
	case HE_TEXT:
		rc = buf_addc(&s->text, 'T') || buf_add(&s->text, ev->text, ev->len);
		break;
	case HE_THINKING:
		rc = buf_addc(&s->text, 'R') || buf_add(&s->text, ev->text, ev->len);
		break;
	case HE_TOOL_START:
		rc = buf_printf(&s->tools, "|%d:%s:%s|", ev->index, ev->id, ev->name);
		break;
	case HE_TOOL_ARGS:
		rc = buf_printf(&s->tools, "%d=", ev->index) || buf_add(&s->tools, ev->text, ev->len);
		break;
	case HE_ERROR:
		s->errors++;
		break;
	default:
		break;
	}
	(void)rc;	/* a full buffer only weakens the comparison */
	return 0;
}

static int
on_hub(void *ctx, const struct hub_ev *ev)
{
	struct run *r = ctx;

	note(r->side, ev);
	return r->enc ? hub_chat.enc_event(r->enc, ev) : 0;
}

static int
on_write(void *ctx, const char *event, const char *data, size_t len)
{
	struct run *r = ctx;
	json_t *j;

	if (event != NULL || strlen(data) != len)
		__builtin_trap();
	if (r->done)
		r->after_done++;
	if (len == 6 && memcmp(data, "[DONE]", 6) == 0)
		r->done++;
	else if ((j = json_loadb(data, len, 0, NULL)) == NULL)
		__builtin_trap();	/* every chunk is JSON */
	else
		json_decref(j);
	if (buf_adds(&r->out, "data: ") || buf_add(&r->out, data, len) || buf_adds(&r->out, "\n\n"))
		return 1;
	return 0;
}

static int
on_sse(void *ctx, const struct sse_event *ev)
{
	return hub_chat.dec_event(ctx, ev);
}

/* Decode n bytes of SSE in pieces of step through a fresh decoder. */
static void
decode(struct arena *a, const struct hub_req *q, const char *s, size_t n, size_t step, struct run *r)
{
	struct sse p;
	void *dec = hub_chat.dec_new(a, q, on_hub, r);
	size_t i;

	sse_init(&p);
	for (i = 0; i < n; i += step)
		if (sse_feed(&p, s + i, i + step > n ? n - i : step, on_sse, dec) != 0)
			break;
	(void)sse_finish(&p, on_sse, dec);
	(void)hub_chat.dec_end(dec);
	sse_release(&p);
}

static void
stream(const uint8_t *data, size_t size)
{
	struct arena a;
	struct hub_req q;
	struct side first, second;
	struct run r1 = { 0 }, r2 = { 0 };
	struct hub_ev end = { .type = HE_END };
	size_t step;

	if (size < 1)
		return;
	step = (size_t)data[0] % 23 + 1;
	arena_init(&a);
	hub_req_init(&q);
	q.model = "m";
	q.stream = 1;
	q.include_usage = data[0] & 1;
	side_init(&first);
	side_init(&second);
	buf_init(&r1.out, CAP);
	r1.side = &first;
	r1.enc = hub_chat.enc_new(&a, &q, on_write, &r1);
	decode(&a, &q, (const char *)data + 1, size - 1, step, &r1);
	(void)hub_chat.enc_event(r1.enc, &end);
	(void)hub_chat.enc_event(r1.enc, &end);
	if (buf_len(&r1.out) > 0 && (r1.done != 1 || r1.after_done != 0))
		__builtin_trap();
	/* what was encoded decodes to the same text and tool calls */
	r2.side = &second;
	decode(&a, &q, buf_cstr(&r1.out), buf_len(&r1.out), buf_len(&r1.out) + 1, &r2);
	if (buf_len(&r1.out) > 0 && buf_len(&first.text) < CAP / 2 && buf_len(&first.tools) < CAP / 2 &&
	    (buf_len(&first.text) != buf_len(&second.text) ||
	    memcmp(buf_cstr(&first.text), buf_cstr(&second.text), buf_len(&first.text)) != 0 ||
	    buf_len(&first.tools) != buf_len(&second.tools) ||
	    memcmp(buf_cstr(&first.tools), buf_cstr(&second.tools), buf_len(&first.tools)) != 0 ||
	    first.errors != second.errors))
		__builtin_trap();
	buf_release(&r1.out);
	side_release(&first);
	side_release(&second);
	arena_release(&a);
}

static void
bodies(const uint8_t *data, size_t size)
{
	struct arena a;
	struct hub_req q, q2;
	struct hub_resp resp;
	struct hub_err err;
	const char *type, *msg;
	json_t *body, *enc;
	int rc;

	if ((body = json_loadb((const char *)data, size, 0, NULL)) == NULL)
		return;
	arena_init(&a);
	rc = hub_chat.req_decode(&a, body, &q, &err);
	if (rc == GW_EINPUT && (err.status != 400 || err.message[0] == '\0'))
		__builtin_trap();
	if (rc == GW_OK) {
		if ((enc = hub_chat.req_encode(&a, &q, &err)) == NULL)
			__builtin_trap();
		/* what we send upstream is a valid Chat body itself */
		if (hub_chat.req_decode(&a, enc, &q2, &err) != GW_OK || q2.nmsgs < q.nmsgs)
			__builtin_trap();
		json_decref(enc);
	}
	if (hub_chat.resp_decode(&a, &q, body, &resp) == GW_OK) {
		q.reasoning_format = NULL;
		enc = hub_chat.resp_encode(&a, &q, &resp);
		if (enc == NULL || hub_chat.resp_decode(&a, &q, enc, &resp) != GW_OK)
			__builtin_trap();
		json_decref(enc);
	}
	(void)hub_chat.error_decode(&a, body, &type, &msg);
	json_decref(body);
	arena_release(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		stream(data + 1, size - 1);
	else
		bodies(data + 1, size - 1);
	return 0;
}
