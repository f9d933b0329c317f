/* test/unit/t_fmt_chat.c: the Chat Completions codec (hub_chat) on recorded
 * OpenAI traffic: streams decoded into hub events and re-encoded, answers
 * decoded and re-encoded, request bodies decoded and encoded back, and the
 * 400s a client gets for malformed bodies */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "t_core.h"
#include "t_fixtures.h"
#include "hub.h"


#define MAXT	16		/* tool calls per answer in these tests */
#define MAXEV	2048		/* hub events kept for a replay */


static json_t *
load(const char *name)
{
	char path[512];
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	j = json_load_file(path, 0, NULL);
	ck_assert_msg(j != NULL, "cannot parse %s", path);
	return j;
}

/* json_equal, with two absent values equal too */
static int
same(json_t *x, json_t *y)
{
	return x == NULL ? y == NULL : json_equal(x, y);
}

static json_t *
parse(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);

	ck_assert_msg(j != NULL, "bad test JSON: %s", e.text);
	return j;
}

/* ---- what a stream means: the hub events, folded ---- */

struct meaning {
	struct arena *a;
	struct buf text, think;
	int ntools;
	const char *id[MAXT], *name[MAXT];
	struct buf args[MAXT];
	enum hub_finish finish;
	int nfinish, nstart, nerror, nend, have_usage;
	struct hub_usage usage;
	const char *start_id, *model, *err_type, *err_msg;
	struct hub_ev evs[MAXEV];	/* copies, for a replay into an encoder */
	int nev;
};

static struct meaning *
meaning_new(struct arena *a)
{
	struct meaning *m = calloc(1, sizeof(*m));
	int i;

	ck_assert_ptr_nonnull(m);
	m->a = a;
	buf_init(&m->text, 1u << 20);
	buf_init(&m->think, 1u << 20);
	for (i = 0; i < MAXT; i++)
		buf_init(&m->args[i], 1u << 20);
	return m;
}

static void
meaning_free(struct meaning *m)
{
	int i;

	buf_release(&m->text);
	buf_release(&m->think);
	for (i = 0; i < MAXT; i++)
		buf_release(&m->args[i]);
	free(m);
}

static const char *
dup(struct arena *a, const char *s, size_t n)
{
	return s ? arena_strndup(a, s, n) : NULL;
}

static int
collect(void *ctx, const struct hub_ev *ev)
{
	struct meaning *m = ctx;
	struct hub_ev *c;

	ck_assert_int_lt(m->nev, MAXEV);
	c = &m->evs[m->nev++];
	*c = *ev;
	c->text = dup(m->a, ev->text, ev->len);
	c->id = dup(m->a, ev->id, ev->id ? strlen(ev->id) : 0);
	c->name = dup(m->a, ev->name, ev->name ? strlen(ev->name) : 0);
	switch (ev->type) {
	case HE_START:
		ck_assert_int_eq(m->nstart, 0);
		m->nstart++;
		m->start_id = c->id;
		m->model = c->name;
		break;
	case HE_TEXT:
		ck_assert_int_gt(ev->len, 0);
		ck_assert_int_eq(buf_add(&m->text, ev->text, ev->len), GW_OK);
		break;
	case HE_THINKING:
		ck_assert_int_eq(buf_add(&m->think, ev->text, ev->len), GW_OK);
		break;
	case HE_TOOL_START:
		/* hub indexes count tool calls in order of appearance */
		ck_assert_int_eq(ev->index, m->ntools);
		ck_assert_int_lt(m->ntools, MAXT);
		m->id[m->ntools] = c->id;
		m->name[m->ntools] = c->name;
		m->ntools++;
		break;
	case HE_TOOL_ARGS:
		ck_assert_int_ge(ev->index, 0);
		ck_assert_int_lt(ev->index, m->ntools);
		ck_assert_int_eq(buf_add(&m->args[ev->index], ev->text, ev->len), GW_OK);
		break;
	case HE_FINISH:
		m->nfinish++;
		m->finish = ev->finish;
		break;
	case HE_USAGE:
		m->have_usage = 1;
		m->usage = ev->usage;
		break;
	case HE_ERROR:
		m->nerror++;
		m->err_type = c->name;
		m->err_msg = c->text;
		break;
	case HE_END:
		m->nend++;
		break;
	default:
		break;
	}
	return 0;
}

struct feed {
	void *dec;
};

static int
on_sse(void *ctx, const struct sse_event *ev)
{
	struct feed *f = ctx;

	return hub_chat.dec_event(f->dec, ev);
}

/* Decode an SSE byte stream fed in pieces of step bytes (0 = whole). */
static void
decode_stream(const struct hub_req *req, const char *s, size_t n, size_t step, struct meaning *m)
{
	struct sse p;
	struct feed f;
	size_t i;

	f.dec = hub_chat.dec_new(m->a, req, collect, m);
	ck_assert_ptr_nonnull(f.dec);
	sse_init(&p);
	if (step == 0)
		step = n ? n : 1;
	for (i = 0; i < n; i += step)
		ck_assert_int_eq(sse_feed(&p, s + i, i + step > n ? n - i : step, on_sse, &f), 0);
	ck_assert_int_eq(sse_finish(&p, on_sse, &f), 0);
	ck_assert_int_eq(hub_chat.dec_end(f.dec), 0);
	sse_release(&p);
}

static void
same_meaning(const struct meaning *x, const struct meaning *y, int usage_too)
{
	int i;

	ck_assert_str_eq(buf_cstr(&x->text), buf_cstr(&y->text));
	ck_assert_str_eq(buf_cstr(&x->think), buf_cstr(&y->think));
	ck_assert_int_eq(x->ntools, y->ntools);
	for (i = 0; i < x->ntools; i++) {
		ck_assert_str_eq(x->id[i], y->id[i]);
		ck_assert_str_eq(x->name[i], y->name[i]);
		ck_assert_str_eq(buf_cstr(&x->args[i]), buf_cstr(&y->args[i]));
	}
	ck_assert_int_eq(x->finish, y->finish);
	if (usage_too) {
		ck_assert_int_eq(x->have_usage, y->have_usage);
		ck_assert_int_eq(x->usage.input, y->usage.input);
		ck_assert_int_eq(x->usage.output, y->usage.output);
		ck_assert_int_eq(x->usage.cache_read, y->usage.cache_read);
		ck_assert_int_eq(x->usage.reasoning, y->usage.reasoning);
	}
}

/* ---- an encoder's output, captured ---- */

struct cap {
	struct buf sse;		/* "data: ...\n\n" per write */
	int n;			/* writes attempted */
	int ndone;		/* [DONE] seen */
	int after_done;		/* writes after [DONE]: must stay 0 */
	int fail_at;		/* the write number that fails (1-based), 0 = never */
};

static int
cap_write(void *ctx, const char *event, const char *data, size_t len)
{
	struct cap *c = ctx;

	c->n++;
	ck_assert_ptr_null(event);
	if (c->fail_at && c->n >= c->fail_at)
		return 1;
	if (c->ndone)
		c->after_done++;
	if (len == 6 && memcmp(data, "[DONE]", 6) == 0)
		c->ndone++;
	ck_assert_int_eq(strlen(data), len);
	ck_assert_int_eq(buf_adds(&c->sse, "data: "), GW_OK);
	ck_assert_int_eq(buf_add(&c->sse, data, len), GW_OK);
	ck_assert_int_eq(buf_adds(&c->sse, "\n\n"), GW_OK);
	return 0;
}

static int
on_chunk(void *ctx, const struct sse_event *ev)
{
	json_t *arr = ctx, *j = json_loadb(ev->data, ev->len, 0, NULL);

	json_array_append_new(arr, j ? j : json_stringn(ev->data, ev->len));
	return 0;
}

/* The data values of an SSE text: parsed JSON, or strings ("[DONE]"). */
static json_t *
chunks_of(const struct buf *b)
{
	json_t *arr = json_array();
	struct sse p;

	sse_init(&p);
	ck_assert_int_eq(sse_feed(&p, buf_cstr(b), buf_len(b), on_chunk, arr), 0);
	ck_assert_int_eq(sse_finish(&p, on_chunk, arr), 0);
	sse_release(&p);
	return arr;
}

/* Replay m's events (then HE_END) into a Chat encoder. */
static void
replay(struct arena *a, const struct hub_req *req, const struct meaning *m, struct cap *c)
{
	struct hub_ev end = { .type = HE_END };
	void *enc;
	int i;

	buf_init(&c->sse, 8u << 20);
	enc = hub_chat.enc_new(a, req, cap_write, c);
	ck_assert_ptr_nonnull(enc);
	for (i = 0; i < m->nev; i++)
		ck_assert_int_eq(hub_chat.enc_event(enc, &m->evs[i]), 0);
	ck_assert_int_eq(hub_chat.enc_event(enc, &end), 0);
	/* events after HE_END write nothing */
	ck_assert_int_eq(hub_chat.enc_event(enc, &m->evs[0]), 0);
	ck_assert_int_eq(hub_chat.enc_event(enc, &end), 0);
	ck_assert_int_eq(c->ndone, 1);
	ck_assert_int_eq(c->after_done, 0);
}

/* ---- the recorded streams ---- */

static const struct {
	const char *file;
	const char *id, *model, *text;
	int ntools;
	const char *tid[2], *tname[2], *targs[2];
	enum hub_finish finish;
	int64_t in, out;
} streams[] = {
	{ "openai-chat-stream-text.sse", "chatcmpl-Dx0Xq5Xx9rHB2ehcHZCRDsnuymUXc", "gpt-4o-mini-2024-07-18",
	  "The capital of the UK is London.", 0, { 0 }, { 0 }, { 0 }, HF_STOP, 78, 9 },
	{ "openai-chat-stream-tools.sse", "chatcmpl-Dx0XpqH8w09uBXwq1zFGYdETjtnEl", "gpt-4o-mini-2024-07-18",
	  "", 1, { "call_ZR5UUuTt3pf61kjwAJIYdVMj" }, { "get_capital" }, { "{\"country\":\"UK\"}" },
	  HF_TOOL_CALLS, 53, 15 },
	{ "openai-chat-stream-parallel-tools.sse", "chatcmpl-ABfwAwrNePHUgBBezonVC6MX3zd63", "gpt-4o-2024-08-06",
	  "", 2, { "call_JMW1whyEaYG438VE1OIflxA2", "call_DNYTawLBoN8fj3KN6qU9N1Ou" },
	  { "GetWeatherArgs", "get_stock_price" },
	  { "{\"city\": \"Edinburgh\", \"country\": \"GB\", \"units\": \"c\"}",
	    "{\"ticker\": \"AAPL\", \"exchange\": \"NASDAQ\"}" }, HF_TOOL_CALLS, 149, 60 },
	{ "openai-chat-stream-text-2024.sse", "chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL", "gpt-4o-2024-08-06",
	  "I'm unable to provide real-time weather updates. To get the current weather in San Francisco, "
	  "I recommend checking a reliable weather website or a weather app.", 0, { 0 }, { 0 }, { 0 },
	  HF_STOP, 14, 30 },
	{ "openai-chat-stream-json-schema.sse", "chatcmpl-ABfw1e5abtU8OwGr15vOreYVb2MiF", "gpt-4o-2024-08-06",
	  "{\"city\":\"San Francisco\",\"temperature\":61,\"units\":\"f\"}", 0, { 0 }, { 0 }, { 0 },
	  HF_STOP, 79, 14 },
	{ "openai-chat-stream-logprobs.sse", "chatcmpl-ABfw5EzoqmfXjnnsXY7Yd8OC6tb3c", "gpt-4o-2024-08-06",
	  "Foo!", 0, { 0 }, { 0 }, { 0 }, HF_STOP, 9, 2 },
};

START_TEST(stream_decode)
{
	struct arena a;
	struct hub_req req;
	struct meaning *m, *p;
	size_t n, steps[] = { 1, 3, 17, 200 }, k;
	char *s = slurp(streams[_i].file, &n);
	int i;

	arena_init(&a);
	hub_req_init(&req);
	m = meaning_new(&a);
	decode_stream(&req, s, n, 0, m);
	ck_assert_int_eq(m->nstart, 1);
	ck_assert_str_eq(m->start_id, streams[_i].id);
	ck_assert_str_eq(m->model, streams[_i].model);
	ck_assert_str_eq(buf_cstr(&m->text), streams[_i].text);
	ck_assert_int_eq(m->ntools, streams[_i].ntools);
	for (i = 0; i < m->ntools; i++) {
		ck_assert_str_eq(m->id[i], streams[_i].tid[i]);
		ck_assert_str_eq(m->name[i], streams[_i].tname[i]);
		ck_assert_str_eq(buf_cstr(&m->args[i]), streams[_i].targs[i]);
	}
	ck_assert_int_eq(m->nfinish, 1);
	ck_assert_int_eq(m->finish, streams[_i].finish);
	ck_assert_int_eq(m->have_usage, 1);
	ck_assert_int_eq(m->usage.input, streams[_i].in);
	ck_assert_int_eq(m->usage.output, streams[_i].out);
	ck_assert_int_eq(m->nerror, 0);
	ck_assert_int_eq(m->nend, 0);	/* the relay sends HE_END, not the decoder */
	/* the bytes may arrive cut anywhere */
	for (k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		p = meaning_new(&a);
		decode_stream(&req, s, n, steps[k], p);
		same_meaning(m, p, 1);
		meaning_free(p);
	}
	meaning_free(m);
	free(s);
	arena_release(&a);
}
END_TEST

/* Decoded, re-encoded as Chat chunks, decoded again: the same answer. */
START_TEST(stream_roundtrip)
{
	struct arena a;
	struct hub_req req;
	struct meaning *m, *back;
	struct cap c = { 0 };
	size_t n, i;
	char *s = slurp(streams[_i].file, &n);
	json_t *chunks, *ch, *first, *delta;
	const char *id;
	int nusage = 0, nfinish = 0;

	arena_init(&a);
	hub_req_init(&req);
	req.model = "asked-model";
	req.stream = 1;
	req.include_usage = 1;
	m = meaning_new(&a);
	decode_stream(&req, s, n, 0, m);
	replay(&a, &req, m, &c);
	back = meaning_new(&a);
	decode_stream(&req, buf_cstr(&c.sse), buf_len(&c.sse), 0, back);
	same_meaning(m, back, 1);
	ck_assert_str_eq(back->start_id, streams[_i].id);
	ck_assert_str_eq(back->model, streams[_i].model);

	chunks = chunks_of(&c.sse);
	ck_assert_str_eq(json_string_value(json_array_get(chunks, json_array_size(chunks) - 1)), "[DONE]");
	first = json_array_get(chunks, 0);
	delta = json_object_get(json_array_get(json_object_get(first, "choices"), 0), "delta");
	ck_assert_str_eq(json_string_value(json_object_get(delta, "role")), "assistant");
	ck_assert_str_eq(json_string_value(json_object_get(delta, "content")), "");
	id = json_string_value(json_object_get(first, "id"));
	for (i = 0; i + 1 < json_array_size(chunks); i++) {
		ch = json_array_get(chunks, i);
		ck_assert_str_eq(json_string_value(json_object_get(ch, "object")), "chat.completion.chunk");
		ck_assert_str_eq(json_string_value(json_object_get(ch, "id")), id);
		ck_assert_int_eq(json_integer_value(json_object_get(ch, "created")),
		    json_integer_value(json_object_get(first, "created")));
		if (json_array_size(json_object_get(ch, "choices")) == 0) {
			/* the usage chunk comes after the finish chunk, last before [DONE] */
			ck_assert_int_eq(nfinish, 1);
			ck_assert_uint_eq(i + 2, json_array_size(chunks));
			ck_assert(json_is_object(json_object_get(ch, "usage")));
			nusage++;
			continue;
		}
		ck_assert(json_is_null(json_object_get(ch, "usage")));
		delta = json_object_get(json_array_get(json_object_get(ch, "choices"), 0), "finish_reason");
		if (json_is_string(delta)) {
			/* finish in a chunk of its own with an empty delta */
			nfinish++;
			ck_assert_int_eq(json_object_size(json_object_get(json_array_get(
			    json_object_get(ch, "choices"), 0), "delta")), 0);
		}
	}
	ck_assert_int_eq(nfinish, 1);
	ck_assert_int_eq(nusage, 1);
	json_decref(chunks);
	buf_release(&c.sse);
	meaning_free(back);

	/* without include_usage: no usage key at all, [DONE] still last */
	req.include_usage = 0;
	memset(&c, 0, sizeof(c));
	replay(&a, &req, m, &c);
	ck_assert_ptr_null(strstr(buf_cstr(&c.sse), "\"usage\""));
	ck_assert_ptr_null(strstr(buf_cstr(&c.sse), "\"choices\":[]"));
	back = meaning_new(&a);
	decode_stream(&req, buf_cstr(&c.sse), buf_len(&c.sse), 0, back);
	same_meaning(m, back, 0);
	ck_assert_int_eq(back->have_usage, 0);
	chunks = chunks_of(&c.sse);
	ck_assert_str_eq(json_string_value(json_array_get(chunks, json_array_size(chunks) - 1)), "[DONE]");
	json_decref(chunks);
	buf_release(&c.sse);
	meaning_free(back);
	meaning_free(m);
	free(s);
	arena_release(&a);
}
END_TEST

/* The 2024 wire without its usage chunk (include_usage off upstream). */
START_TEST(stream_without_usage)
{
	struct arena a;
	struct hub_req req;
	struct meaning *m;
	struct cap c = { 0 };
	size_t n;
	char *s = slurp("openai-chat-stream-text-2024.sse", &n), *u;

	arena_init(&a);
	hub_req_init(&req);
	req.stream = req.include_usage = 1;
	/* cut the usage event out: from its "data:" to the blank line */
	u = strstr(s, "data: {\"id\":\"chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL\",\"object\":\"chat.completion.chunk\","
	    "\"created\":1727346168,\"model\":\"gpt-4o-2024-08-06\",\"system_fingerprint\":\"fp_5050236cbd\",\"choices\":[]");
	ck_assert_ptr_nonnull(u);
	memmove(u, strstr(u, "\n\n") + 2, strlen(strstr(u, "\n\n") + 2) + 1);
	m = meaning_new(&a);
	decode_stream(&req, s, strlen(s), 0, m);
	ck_assert_int_eq(m->have_usage, 0);
	ck_assert_int_eq(m->finish, HF_STOP);
	ck_assert_str_eq(buf_cstr(&m->text), streams[3].text);
	/* unknown usage is not invented as zeros */
	replay(&a, &req, m, &c);
	ck_assert_ptr_null(strstr(buf_cstr(&c.sse), "\"choices\":[]"));
	buf_release(&c.sse);
	meaning_free(m);
	free(s);
	arena_release(&a);
}
END_TEST

/* Vendor reasoning deltas, an n=2 stream, index-less and re-used tool
 * indexes, an error event, noise. */
START_TEST(stream_decode_vendor)
{
	static const char s[] =
	    ": keep-alive\n\n"
	    "data: {\"id\":\"x1\",\"model\":\"deepseek-reasoner\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\"Let me \"}}]}\n\n"
	    "data: {\"id\":\"x1\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"think.\"}},{\"index\":1,\"delta\":{\"content\":\"other choice\"}}]}\n\n"
	    "data: not json\n\n"
	    "data: {\"id\":\"x1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n"
	    "data: {\"id\":\"x1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"}}]}}]}\n\n"
	    "data: {\"id\":\"x1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c2\",\"type\":\"function\",\"function\":{\"name\":\"g\",\"arguments\":\"{}\"}}]}}]}\n\n"
	    "data: {\"id\":\"x1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
	    "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\",\"code\":null}}\n\n"
	    "data: [DONE]\n\n";
	struct arena a;
	struct hub_req req;
	struct meaning *m;

	arena_init(&a);
	hub_req_init(&req);
	m = meaning_new(&a);
	decode_stream(&req, s, sizeof(s) - 1, 0, m);
	ck_assert_str_eq(m->model, "deepseek-reasoner");
	ck_assert_str_eq(buf_cstr(&m->think), "Let me think.");
	ck_assert_str_eq(buf_cstr(&m->text), "Hi");
	ck_assert_int_eq(m->ntools, 2);
	ck_assert_str_eq(m->id[0], "c1");
	ck_assert_str_eq(m->name[0], "f");
	ck_assert_str_eq(buf_cstr(&m->args[0]), "{\"a\":1}");
	ck_assert_str_eq(m->id[1], "c2");
	ck_assert_str_eq(buf_cstr(&m->args[1]), "{}");
	ck_assert_int_eq(m->finish, HF_TOOL_CALLS);
	ck_assert_int_eq(m->nerror, 1);
	ck_assert_str_eq(m->err_type, "server_error");
	ck_assert_str_eq(m->err_msg, "overloaded");
	ck_assert_int_eq(m->evs[m->nev - 1].status, 500);
	ck_assert_int_eq(m->have_usage, 0);
	meaning_free(m);
	arena_release(&a);
}
END_TEST

/* ---- the encoder's own rules ---- */

static void *
enc_for(struct arena *a, const struct hub_req *req, struct cap *c)
{
	memset(c, 0, sizeof(*c));
	buf_init(&c->sse, 1u << 20);
	return hub_chat.enc_new(a, req, cap_write, c);
}

static int
ev(void *enc, enum hub_ev_type t, const char *text)
{
	struct hub_ev e = { .type = t, .text = text, .len = text ? strlen(text) : 0 };

	return hub_chat.enc_event(enc, &e);
}

START_TEST(encoder_rules)
{
	struct arena a;
	struct hub_req req;
	struct cap c;
	struct hub_ev e;
	void *enc;
	json_t *chunks, *d;
	const char *fmts[] = { NULL, "reasoning", "thinking", "bogus" };
	const char *keys[] = { "reasoning_content", "reasoning", "thinking", NULL };
	size_t i, k;

	arena_init(&a);
	hub_req_init(&req);
	req.model = "m";
	req.include_usage = 1;

	/* reasoning goes where ?reasoning_format= says; signatures are dropped */
	for (k = 0; k < 4; k++) {
		req.reasoning_format = fmts[k];
		enc = enc_for(&a, &req, &c);
		ck_assert_int_eq(ev(enc, HE_THINKING, "hmm"), 0);
		ck_assert_int_eq(ev(enc, HE_SIGNATURE, "sig"), 0);
		ck_assert_int_eq(ev(enc, HE_REDACTED, "opaque"), 0);
		ck_assert_int_eq(ev(enc, HE_TEXT, "ok"), 0);
		ck_assert_int_eq(ev(enc, HE_END, NULL), 0);
		chunks = chunks_of(&c.sse);
		ck_assert_ptr_null(strstr(buf_cstr(&c.sse), "sig"));
		ck_assert_ptr_null(strstr(buf_cstr(&c.sse), "opaque"));
		/* no HE_START: an id is made up, the request's model named */
		ck_assert_str_eq(json_string_value(json_object_get(json_array_get(chunks, 0), "model")), "m");
		ck_assert(strncmp(json_string_value(json_object_get(json_array_get(chunks, 0), "id")), "chatcmpl-", 9) == 0);
		d = json_object_get(json_array_get(json_object_get(json_array_get(chunks, 1), "choices"), 0), "delta");
		if (keys[k]) {
			ck_assert_str_eq(json_string_value(json_object_get(d, keys[k])), "hmm");
			ck_assert_uint_eq(json_object_size(d), 1);
			ck_assert_uint_eq(json_array_size(chunks), 5);	/* role, think, text, finish, [DONE] */
		} else {
			ck_assert_ptr_null(strstr(buf_cstr(&c.sse), "hmm"));
			ck_assert_str_eq(json_string_value(json_object_get(d, "content")), "ok");
			ck_assert_uint_eq(json_array_size(chunks), 4);
		}
		json_decref(chunks);
		buf_release(&c.sse);
	}
	req.reasoning_format = NULL;

	/* usage after finish; finish chunk, then usage, then [DONE] */
	enc = enc_for(&a, &req, &c);
	memset(&e, 0, sizeof(e));
	e.type = HE_START;
	e.id = "chatcmpl-abc";
	e.name = "up-model";
	ck_assert_int_eq(hub_chat.enc_event(enc, &e), 0);
	memset(&e, 0, sizeof(e));
	e.type = HE_TOOL_START;
	e.index = 0;
	e.id = "call_1";
	e.name = "get_weather";
	ck_assert_int_eq(hub_chat.enc_event(enc, &e), 0);
	e.type = HE_TOOL_ARGS;
	e.id = e.name = NULL;
	e.text = "{\"location\":\"SF\"}";
	e.len = strlen(e.text);
	ck_assert_int_eq(hub_chat.enc_event(enc, &e), 0);
	memset(&e, 0, sizeof(e));
	e.type = HE_FINISH;
	e.finish = HF_TOOL_CALLS;
	ck_assert_int_eq(hub_chat.enc_event(enc, &e), 0);
	e.type = HE_USAGE;
	e.usage.input = 10;
	e.usage.output = 5;
	e.usage.cache_read = 2;
	e.usage.reasoning = 1;
	ck_assert_int_eq(hub_chat.enc_event(enc, &e), 0);
	ck_assert_int_eq(ev(enc, HE_END, NULL), 0);
	chunks = chunks_of(&c.sse);
	ck_assert_uint_eq(json_array_size(chunks), 6);
	for (i = 0; i < 5; i++) {
		ck_assert_str_eq(json_string_value(json_object_get(json_array_get(chunks, i), "id")), "chatcmpl-abc");
		ck_assert_str_eq(json_string_value(json_object_get(json_array_get(chunks, i), "model")), "up-model");
	}
	d = json_object_get(json_array_get(json_object_get(json_array_get(chunks, 1), "choices"), 0), "delta");
	d = json_array_get(json_object_get(d, "tool_calls"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "index")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(d, "id")), "call_1");
	ck_assert_str_eq(json_string_value(json_object_get(d, "type")), "function");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(d, "function"), "name")), "get_weather");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(d, "function"), "arguments")), "");
	d = json_object_get(json_array_get(json_object_get(json_array_get(chunks, 2), "choices"), 0), "delta");
	d = json_array_get(json_object_get(d, "tool_calls"), 0);
	ck_assert_ptr_null(json_object_get(d, "id"));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(d, "function"), "arguments")),
	    "{\"location\":\"SF\"}");
	d = json_array_get(json_object_get(json_array_get(chunks, 3), "choices"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(d, "finish_reason")), "tool_calls");
	d = json_object_get(json_array_get(chunks, 4), "usage");
	ck_assert_int_eq(json_integer_value(json_object_get(d, "prompt_tokens")), 10);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "completion_tokens")), 5);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "total_tokens")), 15);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(d, "prompt_tokens_details"),
	    "cached_tokens")), 2);
	json_decref(chunks);
	buf_release(&c.sse);

	/* an error mid-stream: the error event, then [DONE] and nothing else */
	enc = enc_for(&a, &req, &c);
	ck_assert_int_eq(ev(enc, HE_TEXT, "partial"), 0);
	memset(&e, 0, sizeof(e));
	e.type = HE_ERROR;
	e.status = 429;
	e.text = "slow down";
	ck_assert_int_eq(hub_chat.enc_event(enc, &e), 0);
	ck_assert_int_eq(ev(enc, HE_FINISH, NULL), 0);
	ck_assert_int_eq(ev(enc, HE_END, NULL), 0);
	ck_assert_int_eq(ev(enc, HE_TEXT, "late"), 0);
	chunks = chunks_of(&c.sse);
	ck_assert_uint_eq(json_array_size(chunks), 4);
	d = json_object_get(json_array_get(chunks, 2), "error");
	ck_assert_str_eq(json_string_value(json_object_get(d, "message")), "slow down");
	ck_assert_str_eq(json_string_value(json_object_get(d, "type")), "rate_limit_error");
	ck_assert(json_is_null(json_object_get(d, "param")));
	ck_assert(json_is_null(json_object_get(d, "code")));
	ck_assert_str_eq(json_string_value(json_array_get(chunks, 3)), "[DONE]");
	ck_assert_ptr_null(strstr(buf_cstr(&c.sse), "late"));
	json_decref(chunks);
	buf_release(&c.sse);

	/* the client goes away at the 2nd write: stop at once, and stay stopped */
	enc = enc_for(&a, &req, &c);
	c.fail_at = 2;
	ck_assert_int_eq(ev(enc, HE_START, NULL), 0);
	ck_assert_int_ne(ev(enc, HE_TEXT, "a"), 0);
	ck_assert_int_ne(ev(enc, HE_TEXT, "b"), 0);
	ck_assert_int_ne(ev(enc, HE_END, NULL), 0);
	ck_assert_int_eq(c.n, 2);
	buf_release(&c.sse);

	/* invalid UTF-8 from a sloppy upstream still makes valid JSON */
	enc = enc_for(&a, &req, &c);
	ck_assert_int_eq(ev(enc, HE_TEXT, "ok\xff!"), 0);
	ck_assert_int_eq(ev(enc, HE_END, NULL), 0);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&c.sse), "ok\xef\xbf\xbd!"));
	buf_release(&c.sse);
	arena_release(&a);
}
END_TEST

/* ---- non-streamed answers ---- */

static const char *const answers[] = {
	"openai-chat-nonstream.json", "openai-chat-nonstream-parallel-tools.json",
	"openai-chat-nonstream-json-schema-n3.json", "openai-chat-nonstream-length.json",
	"openai-chat-nonstream-reasoning.json",
};

static void
check_resp_against(const struct hub_resp *r, json_t *body)
{
	json_t *msg = json_object_get(json_array_get(json_object_get(body, "choices"), 0), "message");
	json_t *tcs = json_object_get(msg, "tool_calls"), *u = json_object_get(body, "usage");
	const char *content = json_string_value(json_object_get(msg, "content"));
	size_t i, k = 0, ntext = 0;

	ck_assert_str_eq(r->id, json_string_value(json_object_get(body, "id")));
	ck_assert_str_eq(r->model, json_string_value(json_object_get(body, "model")));
	ck_assert_int_eq(r->created, json_integer_value(json_object_get(body, "created")));
	for (i = 0; i < r->nparts; i++) {
		if (r->parts[i].type == HP_TEXT) {
			ck_assert_str_eq(r->parts[i].text, content);
			ntext++;
		} else if (r->parts[i].type == HP_TOOL_CALL) {
			json_t *tc = json_array_get(tcs, k++), *fn = json_object_get(tc, "function");
			ck_assert_str_eq(r->parts[i].id, json_string_value(json_object_get(tc, "id")));
			ck_assert_str_eq(r->parts[i].name, json_string_value(json_object_get(fn, "name")));
			ck_assert_str_eq(r->parts[i].args, json_string_value(json_object_get(fn, "arguments")));
		}
	}
	ck_assert_uint_eq(ntext, content ? 1 : 0);
	ck_assert_uint_eq(k, json_array_size(tcs));
	ck_assert_int_eq(r->have_usage, 1);
	ck_assert_int_eq(r->usage.input, json_integer_value(json_object_get(u, "prompt_tokens")));
	ck_assert_int_eq(r->usage.output, json_integer_value(json_object_get(u, "completion_tokens")));
	ck_assert_int_eq(r->usage.reasoning, json_integer_value(json_object_get(
	    json_object_get(u, "completion_tokens_details"), "reasoning_tokens")));
}

START_TEST(resp_roundtrip)
{
	static const enum hub_finish fin[] = { HF_STOP, HF_TOOL_CALLS, HF_STOP, HF_LENGTH, HF_STOP };
	struct arena a;
	struct hub_req req;
	struct hub_resp r, back;
	json_t *body = load(answers[_i]), *enc, *msg, *ch;

	arena_init(&a);
	hub_req_init(&req);
	ck_assert_int_eq(hub_chat.resp_decode(&a, &req, body, &r), GW_OK);
	check_resp_against(&r, body);
	ck_assert_int_eq(r.finish, fin[_i]);
	if (_i == 4)
		ck_assert_int_eq(r.usage.reasoning, 64);

	enc = hub_chat.resp_encode(&a, &req, &r);
	ck_assert_ptr_nonnull(enc);
	ck_assert_str_eq(json_string_value(json_object_get(enc, "object")), "chat.completion");
	ch = json_array_get(json_object_get(enc, "choices"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(ch, "index")), 0);
	ck_assert(json_is_null(json_object_get(ch, "logprobs")));
	ck_assert_str_eq(json_string_value(json_object_get(ch, "finish_reason")),
	    json_string_value(json_object_get(json_array_get(json_object_get(body, "choices"), 0), "finish_reason")));
	msg = json_object_get(ch, "message");
	ck_assert_str_eq(json_string_value(json_object_get(msg, "role")), "assistant");
	ck_assert(json_is_null(json_object_get(msg, "refusal")));
	/* content null beside tool calls, as OpenAI sends it */
	ck_assert(json_equal(json_object_get(msg, "content"), json_object_get(json_object_get(
	    json_array_get(json_object_get(body, "choices"), 0), "message"), "content")));
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(enc, "usage"), "total_tokens")),
	    json_integer_value(json_object_get(json_object_get(body, "usage"), "total_tokens")));
	ck_assert_int_eq(hub_chat.resp_decode(&a, &req, enc, &back), GW_OK);
	check_resp_against(&back, body);
	ck_assert_int_eq(back.finish, r.finish);
	json_decref(enc);
	json_decref(body);
	arena_release(&a);
}
END_TEST

START_TEST(resp_reasoning_and_defaults)
{
	struct arena a;
	struct hub_req req;
	struct hub_resp r;
	json_t *body, *enc, *msg;
	const char *fmts[] = { NULL, "reasoning", "thinking", "none" };
	const char *keys[] = { "reasoning_content", "reasoning", "thinking", NULL };
	size_t k;

	arena_init(&a);
	hub_req_init(&req);
	req.model = "deepseek-reasoner";
	body = parse("{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":5,\"model\":\"dr\",\"choices\":[{\"index\":0,"
	    "\"message\":{\"role\":\"assistant\",\"content\":\"42\",\"reasoning_content\":\"6*7\"},\"finish_reason\":\"stop\"}]}");
	ck_assert_int_eq(hub_chat.resp_decode(&a, &req, body, &r), GW_OK);
	ck_assert_uint_eq(r.nparts, 2);
	ck_assert_int_eq(r.parts[0].type, HP_THINKING);
	ck_assert_str_eq(r.parts[0].text, "6*7");
	ck_assert_int_eq(r.parts[1].type, HP_TEXT);
	ck_assert_int_eq(r.have_usage, 0);
	json_decref(body);
	for (k = 0; k < 4; k++) {
		req.reasoning_format = fmts[k];
		enc = hub_chat.resp_encode(&a, &req, &r);
		msg = json_object_get(json_array_get(json_object_get(enc, "choices"), 0), "message");
		ck_assert_str_eq(json_string_value(json_object_get(msg, "content")), "42");
		if (keys[k])
			ck_assert_str_eq(json_string_value(json_object_get(msg, keys[k])), "6*7");
		else
			ck_assert_uint_eq(json_object_size(msg), 3);	/* role, content, refusal */
		ck_assert_ptr_null(json_object_get(enc, "usage"));
		json_decref(enc);
	}

	/* no id, no created, no model: made up */
	memset(&r, 0, sizeof(r));
	enc = hub_chat.resp_encode(&a, &req, &r);
	ck_assert(strncmp(json_string_value(json_object_get(enc, "id")), "chatcmpl-", 9) == 0);
	ck_assert_int_gt(json_integer_value(json_object_get(enc, "created")), 1700000000);
	ck_assert_str_eq(json_string_value(json_object_get(enc, "model")), "deepseek-reasoner");
	msg = json_object_get(json_array_get(json_object_get(enc, "choices"), 0), "message");
	ck_assert_str_eq(json_string_value(json_object_get(msg, "content")), "");
	json_decref(enc);

	/* not a chat.completion */
	body = parse("{\"type\":\"message\",\"content\":[]}");
	ck_assert_int_eq(hub_chat.resp_decode(&a, &req, body, &r), GW_EINPUT);
	json_decref(body);
	body = parse("[1]");
	ck_assert_int_eq(hub_chat.resp_decode(&a, &req, body, &r), GW_EINPUT);
	json_decref(body);
	arena_release(&a);
}
END_TEST

/* ---- errors ---- */

START_TEST(errors)
{
	static const struct {
		int status;
		const char *type;
	} map[] = {
		{ 400, "invalid_request_error" }, { 401, "authentication_error" }, { 403, "permission_error" },
		{ 404, "not_found_error" }, { 429, "rate_limit_error" }, { 500, "api_error" }, { 503, "api_error" },
	};
	struct arena a;
	json_t *e, *body;
	const char *type, *msg;
	size_t i;

	arena_init(&a);
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		e = hub_chat.error_encode(map[i].status, NULL, "m");
		ck_assert_str_eq(json_string_value(json_object_get(json_object_get(e, "error"), "type")), map[i].type);
		ck_assert_str_eq(json_string_value(json_object_get(json_object_get(e, "error"), "message")), "m");
		ck_assert(json_is_null(json_object_get(json_object_get(e, "error"), "param")));
		ck_assert(json_is_null(json_object_get(json_object_get(e, "error"), "code")));
		json_decref(e);
	}
	e = hub_chat.error_encode(400, "upstream_error", "x");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(e, "error"), "type")), "upstream_error");
	json_decref(e);

	body = load("openai-chat-error-400.json");
	ck_assert_int_eq(hub_chat.error_decode(&a, body, &type, &msg), GW_OK);
	ck_assert_str_eq(type, "invalid_request_error");
	ck_assert_str_eq(msg, "Unsupported value: 'messages[0].role' does not support 'developer' with this model.");
	json_decref(body);
	body = parse("{\"error\":{\"message\":\"no type\"}}");
	ck_assert_int_eq(hub_chat.error_decode(&a, body, &type, &msg), GW_OK);
	ck_assert_ptr_null(type);
	ck_assert_str_eq(msg, "no type");
	json_decref(body);
	body = load("openai-chat-nonstream.json");
	ck_assert_int_eq(hub_chat.error_decode(&a, body, &type, &msg), GW_EINPUT);
	json_decref(body);
	body = load("anthropic-error-400.json");	/* {"type":"error","error":{type,message}} parses too */
	ck_assert_int_eq(hub_chat.error_decode(&a, body, &type, &msg), GW_OK);
	ck_assert_str_eq(type, "invalid_request_error");
	json_decref(body);
	arena_release(&a);
}
END_TEST

/* ---- client requests ---- */

static json_t *
request_body(json_t *reqs, const char *file)
{
	json_t *b = json_object_get(json_object_get(reqs, file), "request_body");

	ck_assert_msg(json_is_object(b), "no request for %s", file);
	return b;
}

START_TEST(requests_recorded)
{
	struct arena a;
	struct hub_req q;
	struct hub_err err;
	json_t *reqs = load("requests.json"), *body, *enc, *v;
	const char *key;
	int nchat = 0;

	arena_init(&a);
	json_object_foreach(reqs, key, v) {
		if (strstr(json_string_value(json_object_get(v, "uri")), "/chat/completions") == NULL)
			continue;
		nchat++;
		body = json_object_get(v, "request_body");
		ck_assert_int_eq(hub_chat.req_decode(&a, body, &q, &err), GW_OK);
		ck_assert_str_eq(q.model, json_string_value(json_object_get(body, "model")));
		ck_assert_uint_eq(q.nmsgs, json_array_size(json_object_get(body, "messages")));
		enc = hub_chat.req_encode(&a, &q, &err);
		ck_assert_ptr_nonnull(enc);
		ck_assert(json_equal(json_object_get(enc, "stream"), json_object_get(body, "stream")));
		json_decref(enc);
	}
	ck_assert_int_eq(nchat, 4);

	/* the tool round trip: encoded back, the body is the recorded one */
	body = request_body(reqs, "openai-chat-stream-text.sse");
	ck_assert_int_eq(hub_chat.req_decode(&a, body, &q, &err), GW_OK);
	ck_assert_int_eq(q.msgs[1].role, HUB_ASSISTANT);
	ck_assert_uint_eq(q.msgs[1].nparts, 1);
	ck_assert_int_eq(q.msgs[1].parts[0].type, HP_TOOL_CALL);
	ck_assert_str_eq(q.msgs[1].parts[0].id, "call_ZR5UUuTt3pf61kjwAJIYdVMj");
	ck_assert_str_eq(q.msgs[1].parts[0].name, "get_capital");
	ck_assert_str_eq(q.msgs[1].parts[0].args, "{\"country\":\"UK\"}");
	ck_assert_int_eq(q.msgs[2].role, HUB_TOOL);
	ck_assert_int_eq(q.msgs[2].parts[0].type, HP_TOOL_RESULT);
	ck_assert_str_eq(q.msgs[2].parts[0].id, "call_ZR5UUuTt3pf61kjwAJIYdVMj");
	ck_assert_str_eq(q.msgs[2].parts[0].name, "get_capital");
	ck_assert_str_eq(q.msgs[2].parts[0].text, "London");
	ck_assert_uint_eq(q.ntools, 1);
	ck_assert_str_eq(q.tools[0].name, "get_capital");
	ck_assert_int_eq(q.tools[0].strict, 1);
	ck_assert(json_is_false(json_object_get(q.tools[0].parameters, "additionalProperties")));
	ck_assert_int_eq(q.tool_choice, HTC_AUTO);
	ck_assert_int_eq(q.stream, 1);
	ck_assert_int_eq(q.include_usage, 1);
	enc = hub_chat.req_encode(&a, &q, &err);
	ck_assert_msg(json_equal(enc, body), "re-encoded body differs");
	json_decref(enc);
	body = request_body(reqs, "openai-chat-stream-tools.sse");
	ck_assert_int_eq(hub_chat.req_decode(&a, body, &q, &err), GW_OK);
	enc = hub_chat.req_encode(&a, &q, &err);
	ck_assert_msg(json_equal(enc, body), "re-encoded body differs");
	json_decref(enc);

	/* developer -> system; o-series take max_completion_tokens */
	body = request_body(reqs, "openai-chat-error-400.json");
	ck_assert_int_eq(hub_chat.req_decode(&a, body, &q, &err), GW_OK);
	ck_assert_int_eq(q.msgs[0].role, HUB_SYSTEM);
	ck_assert_str_eq(q.msgs[0].parts[0].text, "You are a helpful assistant.");
	ck_assert_int_eq(q.n, 1);
	ck_assert_int_eq(q.stream, 0);
	enc = hub_chat.req_encode(&a, &q, &err);
	v = json_array_get(json_object_get(enc, "messages"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(v, "role")), "system");
	ck_assert_int_eq(json_integer_value(json_object_get(enc, "n")), 1);
	ck_assert_ptr_null(json_object_get(enc, "stream_options"));
	json_decref(enc);
	body = request_body(reqs, "openai-chat-nonstream-reasoning.json");
	ck_assert_int_eq(hub_chat.req_decode(&a, body, &q, &err), GW_OK);
	ck_assert_int_eq(q.max_tokens, 100);
	enc = hub_chat.req_encode(&a, &q, &err);
	ck_assert_int_eq(json_integer_value(json_object_get(enc, "max_completion_tokens")), 100);
	ck_assert_ptr_null(json_object_get(enc, "max_tokens"));
	json_decref(enc);
	json_decref(reqs);
	arena_release(&a);
}
END_TEST

#define WEATHER_TOOL "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":" \
	"\"Get the current weather for a location\",\"parameters\":{\"type\":\"object\",\"properties\":" \
	"{\"location\":{\"type\":\"string\",\"description\":\"City and region to look up (example: San Francisco, CA)\"}," \
	"\"unit\":{\"type\":\"string\",\"description\":\"Temperature unit to use\",\"enum\":[\"celsius\",\"fahrenheit\"]}}," \
	"\"required\":[\"location\"]}}}"
#define FORCED "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}"

/* ONEAPI_SPEC.md §8.2: the compatibility matrix's Chat bodies */
static const char *const matrix[] = {
	/* default */
	"{\"model\":\"gpt-4o-mini\",\"max_tokens\":2048,\"temperature\":0.7,\"top_p\":0.9,\"stream\":true,"
	"\"messages\":[{\"role\":\"user\",\"content\":\"Say hello in one sentence.\"}]}",
	/* tool */
	"{\"model\":\"gpt-4o-mini\",\"max_tokens\":2048,\"temperature\":0.0,\"top_p\":0.9,\"stream\":false,"
	"\"messages\":[{\"role\":\"system\",\"content\":\"You are a weather assistant. You MUST call the get_weather function.\"},"
	"{\"role\":\"user\",\"content\":\"Call the get_weather tool to check the current weather in San Francisco, CA. "
	"Do not respond with text - just invoke the tool.\"}],\"tools\":[" WEATHER_TOOL "],\"tool_choice\":" FORCED "}",
	/* tool history */
	"{\"model\":\"gpt-5-mini\",\"max_tokens\":2048,\"temperature\":0.7,\"top_p\":0.9,\"stream\":true,"
	"\"messages\":[{\"role\":\"system\",\"content\":\"You are a weather assistant. You MUST call the get_weather function.\"},"
	"{\"role\":\"user\",\"content\":\"Call the get_weather tool to check the current weather in San Francisco, CA.\"},"
	"{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"id\":\"call_weather_history_1\",\"type\":\"function\","
	"\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"location\\\":\\\"San Francisco, CA\\\",\\\"unit\\\":\\\"celsius\\\"}\"}}]},"
	"{\"role\":\"tool\",\"tool_call_id\":\"call_weather_history_1\",\"content\":\"{\\\"temperature_c\\\":15,\\\"condition\\\":\\\"Foggy\\\"}\"},"
	"{\"role\":\"user\",\"content\":\"Now call the get_weather tool again with unit=fahrenheit.\"}],"
	"\"tools\":[" WEATHER_TOOL "],\"tool_choice\":" FORCED "}",
	/* ping history (tool attempt 2) */
	"{\"model\":\"gpt-4o-mini\",\"max_tokens\":256,\"temperature\":0,\"top_p\":1.0,\"stream\":false,"
	"\"messages\":[{\"role\":\"system\",\"content\":\"You MUST call the ping function exactly once.\"},"
	"{\"role\":\"user\",\"content\":\"Call ping now.\"},"
	"{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"id\":\"call_ping_history_1\",\"type\":\"function\","
	"\"function\":{\"name\":\"ping\",\"arguments\":\"{}\"}}]},"
	"{\"role\":\"tool\",\"tool_call_id\":\"call_ping_history_1\",\"content\":\"{\\\"pong\\\":true}\"},"
	"{\"role\":\"user\",\"content\":\"Call ping again.\"}],"
	"\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"ping\",\"description\":\"Return a pong response.\","
	"\"parameters\":{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{}}}}],"
	"\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"ping\"}}}",
	/* structured */
	"{\"model\":\"gpt-4o-mini\",\"max_tokens\":512,\"temperature\":0.7,\"top_p\":0.9,\"stream\":false,"
	"\"messages\":[{\"role\":\"system\",\"content\":\"You extract topics from user requests. Always respond with JSON "
	"that follows the provided schema.\"},{\"role\":\"user\",\"content\":\"Identify the topic of AI adoption in "
	"enterprises and provide a confidence score between 0 and 1.\"}],"
	"\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"topic_classification\",\"strict\":true,"
	"\"schema\":{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"topic\":{\"type\":\"string\"},"
	"\"confidence\":{\"type\":\"number\"}},\"required\":[\"topic\",\"confidence\"]}}}}",
};

START_TEST(requests_matrix)
{
	struct arena a;
	struct hub_req q;
	struct hub_err err;
	json_t *body = parse(matrix[_i]), *enc, *m, *om;
	size_t i;

	arena_init(&a);
	ck_assert_int_eq(hub_chat.req_decode(&a, body, &q, &err), GW_OK);
	ck_assert_int_eq(q.max_tokens, json_integer_value(json_object_get(body, "max_tokens")));
	ck_assert(fabs(q.temperature - json_number_value(json_object_get(body, "temperature"))) < 1e-9);
	ck_assert(fabs(q.top_p - json_number_value(json_object_get(body, "top_p"))) < 1e-9);
	ck_assert_int_eq(q.stream, json_is_true(json_object_get(body, "stream")));
	ck_assert_int_eq(q.include_usage, 0);
	if (json_object_get(body, "tool_choice")) {
		ck_assert_int_eq(q.tool_choice, HTC_FORCED);
		ck_assert_str_eq(q.tool_choice_name, q.tools[0].name);
	}
	if (_i == 2 || _i == 3) {
		/* history: the empty assistant text is dropped, tool_call_id kept */
		ck_assert_uint_eq(q.msgs[2].nparts, 1);
		ck_assert_int_eq(q.msgs[2].parts[0].type, HP_TOOL_CALL);
		ck_assert_int_eq(q.msgs[3].role, HUB_TOOL);
		ck_assert_str_eq(q.msgs[3].parts[0].id, q.msgs[2].parts[0].id);
		ck_assert_str_eq(q.msgs[3].parts[0].name, q.msgs[2].parts[0].name);
	}
	if (_i == 4) {
		ck_assert_int_eq(q.rf, HRF_JSON_SCHEMA);
		ck_assert_str_eq(q.rf_name, "topic_classification");
		ck_assert_int_eq(q.rf_strict, 1);
		ck_assert_ptr_nonnull(json_object_get(q.rf_schema, "properties"));
	}

	enc = hub_chat.req_encode(&a, &q, &err);
	ck_assert_ptr_nonnull(enc);
	ck_assert(same(json_object_get(enc, "tools"), json_object_get(body, "tools")));
	ck_assert(same(json_object_get(enc, "tool_choice"), json_object_get(body, "tool_choice")));
	ck_assert(same(json_object_get(enc, "response_format"), json_object_get(body, "response_format")));
	ck_assert(json_number_value(json_object_get(enc, "temperature")) == json_number_value(json_object_get(body, "temperature")));
	ck_assert_ptr_null(json_object_get(enc, "top_k"));
	ck_assert_int_eq(json_integer_value(json_object_get(enc, strncmp(q.model, "gpt-5", 5) == 0 ?
	    "max_completion_tokens" : "max_tokens")), q.max_tokens);
	if (q.stream)
		ck_assert(json_is_true(json_object_get(json_object_get(enc, "stream_options"), "include_usage")));
	m = json_object_get(enc, "messages");
	om = json_object_get(body, "messages");
	ck_assert_uint_eq(json_array_size(m), json_array_size(om));
	for (i = 0; i < json_array_size(m); i++) {
		json_t *x = json_array_get(m, i), *y = json_array_get(om, i);
		if (json_string_length(json_object_get(y, "content")) == 0 && json_object_get(y, "tool_calls")) {
			/* content "" beside tool calls becomes null, the rest is equal */
			ck_assert(json_is_null(json_object_get(x, "content")));
			ck_assert(json_equal(json_object_get(x, "tool_calls"), json_object_get(y, "tool_calls")));
		} else
			ck_assert_msg(json_equal(x, y), "messages[%zu] differs", i);
	}
	json_decref(enc);
	json_decref(body);
	arena_release(&a);
}
END_TEST

/* What else a client may send, and that the body may go away at once. */
START_TEST(request_details)
{
	struct arena a;
	struct hub_req q;
	struct hub_err err;
	json_t *body;
	const struct hub_msg *m;

	arena_init(&a);
	body = parse("{\"model\":\"gpt-4o\",\"messages\":["
	    "{\"role\":\"developer\",\"content\":[{\"type\":\"text\",\"text\":\"be brief\"}]},"
	    "{\"role\":\"user\",\"name\":\"ann\",\"content\":[{\"type\":\"text\",\"text\":\"look\"},"
	    "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0K\",\"detail\":\"low\"}},"
	    "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.jpg\"}},"
	    "{\"type\":\"file\",\"file\":{\"file_data\":\"data:application/pdf;base64,JVBERi0=\",\"filename\":\"a.pdf\"}}]},"
	    "{\"role\":\"assistant\",\"reasoning_content\":\"hmm\",\"content\":[{\"type\":\"text\",\"text\":\"ok\"},"
	    "{\"type\":\"refusal\",\"refusal\":\"no\"}],\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\"}}]},"
	    "{\"role\":\"assistant\",\"thinking\":\"t2\",\"content\":null},"
	    "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"text\",\"text\":\"b\"}]}],"
	    "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],"
	    "\"tool_choice\":{\"type\":\"allowed_tools\",\"allowed_tools\":{\"mode\":\"required\",\"tools\":[]}},"
	    "\"parallel_tool_calls\":false,\"response_format\":{\"type\":\"json_object\"},"
	    "\"max_completion_tokens\":300,\"max_tokens\":100,\"top_k\":40,\"seed\":7,\"n\":2,"
	    "\"presence_penalty\":0.5,\"frequency_penalty\":-0.5,\"stop\":\"END\",\"reasoning_effort\":\"low\","
	    "\"stream\":true,\"stream_options\":{\"include_usage\":true},\"safety_identifier\":\"u1\","
	    "\"metadata\":{\"k\":\"v\"},\"logprobs\":null,\"temperature\":null}");
	ck_assert_int_eq(hub_chat.req_decode(&a, body, &q, &err), GW_OK);
	json_decref(body);	/* nothing decoded may point into it */

	ck_assert_uint_eq(q.nmsgs, 5);
	ck_assert_int_eq(q.msgs[0].role, HUB_SYSTEM);
	ck_assert_str_eq(q.msgs[0].parts[0].text, "be brief");
	m = &q.msgs[1];
	ck_assert_str_eq(m->name, "ann");
	ck_assert_uint_eq(m->nparts, 4);
	ck_assert_int_eq(m->parts[1].type, HP_IMAGE);
	ck_assert_str_eq(m->parts[1].mime, "image/png");
	ck_assert_str_eq(m->parts[1].data, "iVBORw0K");
	ck_assert_str_eq(m->parts[1].detail, "low");
	ck_assert_ptr_null(m->parts[1].url);
	ck_assert_str_eq(m->parts[2].url, "https://example.com/a.jpg");
	ck_assert_int_eq(m->parts[3].type, HP_FILE);
	ck_assert_str_eq(m->parts[3].mime, "application/pdf");
	ck_assert_str_eq(m->parts[3].data, "JVBERi0=");
	ck_assert_str_eq(m->parts[3].name, "a.pdf");
	m = &q.msgs[2];
	ck_assert_uint_eq(m->nparts, 4);
	ck_assert_int_eq(m->parts[0].type, HP_THINKING);	/* reasoning first */
	ck_assert_str_eq(m->parts[0].text, "hmm");
	ck_assert_str_eq(m->parts[1].text, "ok");
	ck_assert_str_eq(m->parts[2].text, "no");
	ck_assert_int_eq(m->parts[3].type, HP_TOOL_CALL);
	ck_assert_str_eq(m->parts[3].args, "{}");	/* no arguments */
	ck_assert_int_eq(q.msgs[3].parts[0].type, HP_THINKING);
	ck_assert_str_eq(q.msgs[3].parts[0].text, "t2");
	ck_assert_uint_eq(q.msgs[3].nparts, 1);
	ck_assert_str_eq(q.msgs[4].parts[0].text, "a\n\nb");
	ck_assert_int_eq(q.tool_choice, HTC_REQUIRED);
	ck_assert_int_eq(q.parallel_tool_calls, 0);
	ck_assert_int_eq(q.rf, HRF_JSON_OBJECT);
	ck_assert_int_eq(q.max_tokens, 300);
	ck_assert_int_eq(q.top_k, 40);
	ck_assert_int_eq(q.seed, 7);
	ck_assert_int_eq(q.n, 2);
	ck_assert(q.presence_penalty == 0.5 && q.frequency_penalty == -0.5);
	ck_assert(isnan(q.temperature));
	ck_assert(isnan(q.top_p));
	ck_assert_uint_eq(q.nstop, 1);
	ck_assert_str_eq(q.stop[0], "END");
	ck_assert_str_eq(q.reasoning_effort, "low");
	ck_assert_int_eq(q.include_usage, 1);
	ck_assert_str_eq(q.user, "u1");
	ck_assert_str_eq(json_string_value(json_object_get(q.metadata, "k")), "v");

	/* include_usage counts only when streaming */
	body = parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
	    "\"stream_options\":{\"include_usage\":true},\"user\":\"a\",\"safety_identifier\":\"b\",\"stop\":[\"x\",\"y\"]}");
	ck_assert_int_eq(hub_chat.req_decode(&a, body, &q, &err), GW_OK);
	ck_assert_int_eq(q.include_usage, 0);
	ck_assert_str_eq(q.user, "a");
	ck_assert_uint_eq(q.nstop, 2);
	ck_assert_str_eq(q.stop[1], "y");
	json_decref(body);
	arena_release(&a);
}
END_TEST

static const struct {
	const char *body, *msg;
} invalid[] = {
	{ "[]", "must be a JSON object" },
	{ "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "model is required" },
	{ "{\"model\":\"m\"}", "messages must be a non-empty array" },
	{ "{\"model\":\"m\",\"messages\":[]}", "messages must be a non-empty array" },
	{ "{\"model\":\"m\",\"messages\":\"hi\"}", "messages must be a non-empty array" },
	{ "{\"model\":\"m\",\"messages\":[1]}", "messages[0] must be an object" },
	{ "{\"model\":\"m\",\"messages\":[{\"content\":\"x\"}]}", "messages[0].role is required" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}", "messages[0].role must be one of" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]}", "messages[0].content is required" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":5}]}", "messages[0].content must be a string or an array" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\",\"input_audio\":{}}]}]}",
	  "messages[0].content[0].type must be text, image_url or file" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]}]}", "messages[0].content[0].type is required" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]}", "messages[0].content[0].text is required" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://a\"}}]}]}",
	  "messages[0].content[0].type must be text" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://a\"}}]}]}",
	  "messages[0].content[0].type must be text or refusal" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"ftp://a\"}}]}]}",
	  "messages[0].content[0].image_url.url must be an http(s) URL" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png,abc\"}}]}]}",
	  "messages[0].content[0].image_url.url is not a base64 data URL" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{}}]}]}",
	  "messages[0].content[0].image_url.url is required" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\",\"file\":{\"file_id\":\"file-1\"}}]}]}",
	  "messages[0].content[0].file.file_data is required" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"assistant\",\"content\":null,"
	  "\"tool_calls\":[{\"id\":\"a\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
	  "{\"role\":\"tool\",\"tool_call_id\":\"b\",\"content\":\"r\"}]}",
	  "messages[2].tool_call_id does not answer an earlier assistant tool call (no matching tool call)" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"tool\",\"tool_call_id\":\"a\",\"content\":\"r\"}]}", "messages[0].tool_call_id does not answer" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"tool\",\"content\":\"r\"}]}", "messages[0].tool_call_id is required" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]}]}",
	  "messages[0].tool_calls[0].id is required" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"a\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":{}}}]}]}",
	  "messages[0].tool_calls[0].function.arguments must be a string" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"a\",\"type\":\"function\"}]}]}",
	  "messages[0].tool_calls[0].function is required" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"tool_calls\":{}}]}", "messages[0].tool_calls must be an array" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"name\":1,\"content\":\"x\"}]}", "messages[0].name must be a string" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":\"100\"}", "max_tokens must be an integer" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_completion_tokens\":1.5}", "max_completion_tokens must be an integer" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":-1}", "max_tokens must be at least 0" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":\"hot\"}", "temperature must be a number" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"top_p\":true}", "top_p must be a number" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"seed\":1.5}", "seed must be an integer" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"n\":0}", "n must be at least 1" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stop\":5}", "stop must be a string or an array of strings" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stop\":[\"a\",1]}", "stop[1] must be a string" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":\"yes\"}", "stream must be a boolean" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream_options\":{\"include_usage\":1}}",
	  "stream_options.include_usage must be a boolean" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"parallel_tool_calls\":\"true\"}", "parallel_tool_calls must be a boolean" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"reasoning_effort\":2}", "reasoning_effort must be a string" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":{}}", "tools must be an array" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"function\",\"function\":{}}]}",
	  "tools[0].function.name is required" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"function\"}]}", "tools[0].function is required" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"custom\",\"custom\":{\"name\":\"x\"}}]}",
	  "tools[0].type must be \"function\"" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":[]}}]}",
	  "tools[0].function.parameters must be an object" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"strict\":\"no\"}}]}",
	  "tools[0].function.strict must be a boolean" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tool_choice\":\"always\"}", "tool_choice must be" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tool_choice\":{\"type\":\"function\"}}",
	  "tool_choice.function is required" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tool_choice\":{\"type\":\"function\",\"function\":{}}}",
	  "tool_choice.function.name is required" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tool_choice\":5}", "tool_choice must be a string or an object" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":{\"type\":\"xml\"}}", "response_format.type must be" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":\"json\"}", "response_format must be an object" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":{\"type\":\"json_schema\"}}",
	  "response_format.json_schema is required" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"n\",\"schema\":\"{}\"}}}",
	  "response_format.json_schema.schema must be an object" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"metadata\":[]}", "metadata must be an object" },
	{ "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"user\":5}", "user must be a string" },
};

START_TEST(request_invalid)
{
	struct arena a;
	struct hub_req q;
	struct hub_err err;
	json_t *body = parse(invalid[_i].body);

	arena_init(&a);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(hub_chat.req_decode(&a, body, &q, &err), GW_EINPUT);
	ck_assert_int_eq(err.status, 400);
	ck_assert_msg(strstr(err.message, invalid[_i].msg) != NULL, "case %d: got \"%s\", want \"%s\"",
	    _i, err.message, invalid[_i].msg);
	json_decref(body);
	arena_release(&a);
}
END_TEST

/* ---- the hub as an upstream Chat request ---- */

static struct hub_part *
part(struct arena *a, struct hub_msg *m, enum hub_part_type t, const char *text)
{
	struct hub_part *p = hub_add_part(a, &m->parts, &m->nparts, t);

	ck_assert_ptr_nonnull(p);
	p->text = text;
	return p;
}

START_TEST(request_encode)
{
	struct arena a;
	struct hub_req q;
	struct hub_err err;
	struct hub_msg *m;
	struct hub_part *p, *r;
	struct hub_tool *t;
	json_t *enc, *msgs, *x;

	arena_init(&a);
	hub_req_init(&q);
	q.model = "claude-via-chat";
	q.stream = 1;
	q.top_k = 40;
	q.thinking_budget = 20000;
	q.thinking = 1;
	q.tool_choice = HTC_REQUIRED;
	q.parallel_tool_calls = 0;
	q.rf = HRF_JSON_SCHEMA;
	q.rf_name = "out";
	q.rf_schema = hub_keep(&a, json_pack("{s:s}", "type", "object"));
	q.stop = arena_alloc(&a, sizeof(*q.stop));
	q.stop[0] = "STOP";
	q.nstop = 1;
	q.seed = 3;
	q.user = "u";
	t = hub_add_tool(&a, &q);
	t->name = "look";
	t->description = "Look at a thing";
	t->strict = 1;
	m = hub_add_msg(&a, &q, HUB_SYSTEM);
	part(&a, m, HP_TEXT, "sys1");
	part(&a, m, HP_TEXT, "sys2");
	m = hub_add_msg(&a, &q, HUB_USER);
	part(&a, m, HP_TEXT, "what is this?");
	p = part(&a, m, HP_IMAGE, NULL);
	p->mime = "image/jpeg";
	p->data = "/9j/";
	p->detail = "high";
	p = part(&a, m, HP_FILE, NULL);
	p->mime = "application/pdf";
	p->data = "JVBE";
	p->name = "doc.pdf";
	m = hub_add_msg(&a, &q, HUB_ASSISTANT);
	part(&a, m, HP_THINKING, "secret thoughts")->signature = "sig";
	part(&a, m, HP_REDACTED_THINKING, NULL)->data = "opaque";
	p = part(&a, m, HP_TOOL_CALL, NULL);
	p->id = "toolu_1";
	p->name = "look";
	p->args = "{\"at\":1}";
	p = part(&a, m, HP_TOOL_CALL, NULL);
	p->id = "toolu_2";
	p->name = "look";
	p->args = NULL;
	/* two tool results, the first with an image: the image follows both */
	m = hub_add_msg(&a, &q, HUB_TOOL);
	r = part(&a, m, HP_TOOL_RESULT, NULL);
	r->id = "toolu_1";
	p = hub_add_part(&a, &r->content, &r->ncontent, HP_TEXT);
	p->text = "it is a cat";
	p = hub_add_part(&a, &r->content, &r->ncontent, HP_IMAGE);
	p->url = "https://example.com/cat.png";
	m = hub_add_msg(&a, &q, HUB_TOOL);
	r = part(&a, m, HP_TOOL_RESULT, "second");
	r->id = "toolu_2";
	m = hub_add_msg(&a, &q, HUB_USER);
	part(&a, m, HP_TEXT, "thanks");

	enc = hub_chat.req_encode(&a, &q, &err);
	ck_assert_ptr_nonnull(enc);
	msgs = json_object_get(enc, "messages");
	ck_assert_uint_eq(json_array_size(msgs), 7);
	x = json_array_get(msgs, 0);
	ck_assert_str_eq(json_string_value(json_object_get(x, "role")), "system");
	ck_assert_str_eq(json_string_value(json_object_get(x, "content")), "sys1\n\nsys2");
	x = json_object_get(json_array_get(msgs, 1), "content");
	ck_assert_uint_eq(json_array_size(x), 3);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(x, 0), "text")), "what is this?");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_array_get(x, 1), "image_url"), "url")),
	    "data:image/jpeg;base64,/9j/");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_array_get(x, 1), "image_url"), "detail")), "high");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_array_get(x, 2), "file"), "file_data")),
	    "data:application/pdf;base64,JVBE");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_array_get(x, 2), "file"), "filename")), "doc.pdf");
	x = json_array_get(msgs, 2);
	ck_assert_str_eq(json_string_value(json_object_get(x, "role")), "assistant");
	ck_assert(json_is_null(json_object_get(x, "content")));
	ck_assert_uint_eq(json_array_size(json_object_get(x, "tool_calls")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_array_get(json_object_get(x, "tool_calls"), 1),
	    "function"), "arguments")), "{}");
	x = json_array_get(msgs, 3);
	ck_assert_str_eq(json_string_value(json_object_get(x, "role")), "tool");
	ck_assert_str_eq(json_string_value(json_object_get(x, "tool_call_id")), "toolu_1");
	ck_assert_str_eq(json_string_value(json_object_get(x, "content")), "it is a cat");
	x = json_array_get(msgs, 4);
	ck_assert_str_eq(json_string_value(json_object_get(x, "tool_call_id")), "toolu_2");
	ck_assert_str_eq(json_string_value(json_object_get(x, "content")), "second");
	x = json_array_get(msgs, 5);
	ck_assert_str_eq(json_string_value(json_object_get(x, "role")), "user");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_array_get(json_object_get(x, "content"), 0),
	    "image_url"), "url")), "https://example.com/cat.png");
	x = json_array_get(msgs, 6);
	ck_assert_str_eq(json_string_value(json_object_get(x, "content")), "thanks");

	x = json_array_get(json_object_get(enc, "tools"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(x, "type")), "function");
	x = json_object_get(x, "function");
	ck_assert_str_eq(json_string_value(json_object_get(x, "description")), "Look at a thing");
	ck_assert(json_is_true(json_object_get(x, "strict")));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(x, "parameters"), "type")), "object");
	ck_assert(json_is_object(json_object_get(json_object_get(x, "parameters"), "properties")));
	ck_assert_str_eq(json_string_value(json_object_get(enc, "tool_choice")), "required");
	ck_assert(json_is_false(json_object_get(enc, "parallel_tool_calls")));
	x = json_object_get(enc, "response_format");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(x, "json_schema"), "name")), "out");
	ck_assert_ptr_null(json_object_get(json_object_get(x, "json_schema"), "strict"));
	ck_assert_str_eq(json_string_value(json_object_get(enc, "reasoning_effort")), "high");
	ck_assert_ptr_null(json_object_get(enc, "top_k"));
	ck_assert_ptr_null(json_object_get(enc, "max_tokens"));
	ck_assert_ptr_null(json_object_get(enc, "temperature"));
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(enc, "stop"), 0)), "STOP");
	ck_assert_int_eq(json_integer_value(json_object_get(enc, "seed")), 3);
	ck_assert_str_eq(json_string_value(json_object_get(enc, "user")), "u");
	ck_assert(json_is_true(json_object_get(json_object_get(enc, "stream_options"), "include_usage")));
	/* thinking has no place in a Chat request */
	{
		char *s = json_dumps(enc, 0);
		ck_assert_ptr_null(strstr(s, "secret thoughts"));
		ck_assert_ptr_null(strstr(s, "opaque"));
		free(s);
	}
	json_decref(enc);

	/* thinking off -> no reasoning_effort (non-reasoning models refuse
	 * "none"); an explicit effort wins */
	q.thinking = 0;
	q.thinking_budget = -1;
	enc = hub_chat.req_encode(&a, &q, &err);
	ck_assert_ptr_null(json_object_get(enc, "reasoning_effort"));
	json_decref(enc);
	q.reasoning_effort = "minimal";
	enc = hub_chat.req_encode(&a, &q, &err);
	ck_assert_str_eq(json_string_value(json_object_get(enc, "reasoning_effort")), "minimal");
	json_decref(enc);

	/* a file given by URL cannot go to a Chat upstream */
	m = hub_add_msg(&a, &q, HUB_USER);
	part(&a, m, HP_FILE, NULL)->url = "https://example.com/a.pdf";
	ck_assert_ptr_null(hub_chat.req_encode(&a, &q, &err));
	ck_assert_int_eq(err.status, 400);
	ck_assert_ptr_nonnull(strstr(err.message, "file"));
	arena_release(&a);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("fmt_chat");
	TCase *tc = tcase_create("core");
	int nstreams = (int)(sizeof(streams) / sizeof(streams[0]));

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, stream_decode, 0, nstreams);
	tcase_add_loop_test(tc, stream_roundtrip, 0, nstreams);
	tcase_add_test(tc, stream_without_usage);
	tcase_add_test(tc, stream_decode_vendor);
	tcase_add_test(tc, encoder_rules);
	tcase_add_loop_test(tc, resp_roundtrip, 0, (int)(sizeof(answers) / sizeof(answers[0])));
	tcase_add_test(tc, resp_reasoning_and_defaults);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, requests_recorded);
	tcase_add_loop_test(tc, requests_matrix, 0, (int)(sizeof(matrix) / sizeof(matrix[0])));
	tcase_add_test(tc, request_details);
	tcase_add_loop_test(tc, request_invalid, 0, (int)(sizeof(invalid) / sizeof(invalid[0])));
	tcase_add_test(tc, request_encode);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
