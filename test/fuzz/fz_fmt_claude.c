/* test/fuzz/fz_fmt_claude.c: libFuzzer target for the Anthropic Messages
 * codec. The first byte picks the mode and a chunk size; the rest is
 *   mode 0: a request body -> req_decode -> req_encode
 *   mode 1: an SSE stream, split into chunks -> decoder -> Claude encoder
 *   mode 2: a response body -> resp_decode -> resp_encode (+ error_decode)
 * Bit 2 of the first byte sets a structured-output tool name on the
 * request, so the rf_tool paths of the decoders run too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "hub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
on_write(void *ctx, const char *event, const char *data, size_t len)
{
	size_t *total = ctx;

	/* every event is named, and its data is a JSON object */
	if (event == NULL || len == 0 || data[0] != '{' || strlen(data) != len)
		__builtin_trap();
	*total += len;
	return 0;
}

static int
to_encoder(void *ctx, const struct hub_ev *ev)
{
	return hub_claude.enc_event(ctx, ev);
}

/* The encoded request must be serialisable and carry Claude's must-haves. */
static void
check_request(json_t *o)
{
	json_t *msgs = json_object_get(o, "messages");
	char *s;

	if (!json_is_integer(json_object_get(o, "max_tokens")) || json_array_size(msgs) == 0)
		__builtin_trap();
	if (strcmp(json_string_value(json_object_get(json_array_get(msgs, 0), "role")), "user") != 0)
		__builtin_trap();
	if ((s = json_dumps(o, JSON_COMPACT)) == NULL)
		__builtin_trap();
	free(s);
}

static void
fuzz_request(struct arena *a, const char *p, size_t n, struct hub_req *q)
{
	struct hub_err err;
	json_t *body, *o;

	if ((body = json_loadb(p, n, 0, NULL)) == NULL)
		return;
	if (hub_claude.req_decode(a, body, q, &err) == GW_OK) {
		if ((o = hub_claude.req_encode(a, q, &err)) == NULL)
			__builtin_trap();
		check_request(o);
		json_decref(o);
	} else if (err.status != 400 || err.message[0] == '\0')
		__builtin_trap();
	json_decref(body);
}

static void
fuzz_stream(struct arena *a, const char *p, size_t n, size_t step, const struct hub_req *q)
{
	struct hub_ev end;
	struct sse s;
	size_t total = 0, i;
	void *enc, *dec;

	enc = hub_claude.enc_new(a, q, on_write, &total);
	dec = hub_claude.dec_new(a, q, to_encoder, enc);
	if (enc == NULL || dec == NULL)
		return;
	sse_init(&s);
	for (i = 0; i < n; i += step)
		if (sse_feed(&s, p + i, i + step > n ? n - i : step, hub_claude.dec_event, dec) != 0)
			break;
	(void)sse_finish(&s, hub_claude.dec_event, dec);
	(void)hub_claude.dec_end(dec);
	memset(&end, 0, sizeof(end));
	end.type = HE_END;
	(void)hub_claude.enc_event(enc, &end);
	sse_release(&s);
}

static void
fuzz_response(struct arena *a, const char *p, size_t n, const struct hub_req *q)
{
	struct hub_resp r;
	const char *type, *msg;
	json_t *body, *o;

	if ((body = json_loadb(p, n, 0, NULL)) == NULL)
		return;
	if (hub_claude.resp_decode(a, q, body, &r) == GW_OK) {
		if ((o = hub_claude.resp_encode(a, q, &r)) == NULL)
			__builtin_trap();
		json_decref(o);
	}
	(void)hub_claude.error_decode(a, body, &type, &msg);
	json_decref(body);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hub_req q;
	struct arena a;
	const char *p;
	size_t n, step;
	int mode;

	if (size < 1)
		return 0;
	mode = data[0] % 3;
	step = (size_t)(data[0] >> 3) + 1;
	p = (const char *)data + 1;
	n = size - 1;
	arena_init(&a);
	hub_req_init(&q);
	if (data[0] & 4) {
		static struct hub_tool tool = { "get_weather", NULL, NULL, -1, NULL };

		q.rf_tool = "json_response";
		q.tools = &tool;
		q.ntools = 1;
	}
	if (mode == 0)
		fuzz_request(&a, p, n, &q);
	else if (mode == 1)
		fuzz_stream(&a, p, n, step, &q);
	else
		fuzz_response(&a, p, n, &q);
	arena_release(&a);
	return 0;
}
