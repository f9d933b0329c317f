/* test/unit/t_fmt_gemini.c: the Gemini codec on recorded streams and
 * answers, and its request bodies against recorded ones (requests.json) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "t_core.h"
#include "t_fixtures.h"
#include "hub.h"




/* The recorded request body behind a fixture (borrowed from *all). */
static json_t *
recorded_request(json_t **all, const char *fixture)
{
	json_t *b;

	*all = load_json("requests.json");
	b = json_object_get(json_object_get(*all, fixture), "request_body");
	ck_assert_ptr_nonnull(b);
	return b;
}

/* ---- stream decoding ---- */

#define MAXTOOLS 8

struct got {
	struct arena *a;
	struct buf text, thinking, order;	/* order: one letter per event */
	int nstart, nfinish, nusage, nerror;
	const char *id, *model;
	enum hub_finish finish;
	struct hub_usage usage;
	int ntools;
	const char *tool_id[MAXTOOLS], *tool_name[MAXTOOLS];
	struct buf tool_args[MAXTOOLS];
	const char *signature;
	int err_status;
	const char *err_type, *err_text;
};

static int
on_ev(void *ctx, const struct hub_ev *ev)
{
	struct got *g = ctx;
	static const char letters[] = "SXTGRCAFUEZ";

	ck_assert_int_eq(buf_addc(&g->order, letters[ev->type]), GW_OK);
	switch (ev->type) {
	case HE_START:
		g->nstart++;
		g->id = ev->id;
		g->model = ev->name;
		break;
	case HE_TEXT:
		ck_assert_int_eq(buf_add(&g->text, ev->text, ev->len), GW_OK);
		break;
	case HE_THINKING:
		ck_assert_int_eq(buf_add(&g->thinking, ev->text, ev->len), GW_OK);
		break;
	case HE_SIGNATURE:
		g->signature = arena_strdup(g->a, ev->text);
		break;
	case HE_TOOL_START:
		ck_assert_int_eq(ev->index, g->ntools);
		ck_assert_int_lt(g->ntools, MAXTOOLS);
		g->tool_id[g->ntools] = arena_strdup(g->a, ev->id);
		g->tool_name[g->ntools] = arena_strdup(g->a, ev->name);
		buf_init(&g->tool_args[g->ntools], 1 << 20);
		g->ntools++;
		break;
	case HE_TOOL_ARGS:
		ck_assert_int_lt(ev->index, g->ntools);
		ck_assert_int_eq(buf_add(&g->tool_args[ev->index], ev->text, ev->len), GW_OK);
		break;
	case HE_FINISH:
		g->nfinish++;
		g->finish = ev->finish;
		break;
	case HE_USAGE:
		g->nusage++;
		g->usage = ev->usage;
		break;
	case HE_ERROR:
		g->nerror++;
		g->err_status = ev->status;
		g->err_type = arena_strdup(g->a, ev->name);
		g->err_text = arena_strdup(g->a, ev->text);
		break;
	default:
		break;
	}
	return 0;
}

static int
on_sse(void *ctx, const struct sse_event *ev)
{
	return hub_gemini.dec_event(ctx, ev);
}

/* Decode an SSE body in chunks of step bytes (0 = whole) through sse.h. */
static void
decode_stream(struct arena *a, const char *s, size_t n, size_t step, struct got *g)
{
	struct sse p;
	void *dec;
	size_t i;

	memset(g, 0, sizeof(*g));
	g->a = a;
	buf_init(&g->text, 1 << 20);
	buf_init(&g->thinking, 1 << 20);
	buf_init(&g->order, 1 << 16);
	dec = hub_gemini.dec_new(a, NULL, on_ev, g);
	ck_assert_ptr_nonnull(dec);
	sse_init(&p);
	if (step == 0)
		step = n ? n : 1;
	for (i = 0; i < n; i += step)
		ck_assert_int_eq(sse_feed(&p, s + i, i + step > n ? n - i : step, on_sse, dec), 0);
	ck_assert_int_eq(sse_finish(&p, on_sse, dec), 0);
	sse_release(&p);
	ck_assert_int_eq(hub_gemini.dec_end(dec), 0);
	ck_assert_int_eq(hub_gemini.dec_end(dec), 0);	/* idempotent */
}

static void
got_release(struct got *g)
{
	int i;

	buf_release(&g->text);
	buf_release(&g->thinking);
	buf_release(&g->order);
	for (i = 0; i < g->ntools; i++)
		buf_release(&g->tool_args[i]);
}

static void
decode_file(struct arena *a, const char *name, size_t step, struct got *g)
{
	size_t n;
	char *s = slurp(name, &n);

	decode_stream(a, s, n, step, g);
	free(s);
}

static const size_t steps[] = { 0, 1, 7, 333 };

START_TEST(stream_text)
{
	struct arena a;
	struct got g;

	arena_init(&a);
	decode_file(&a, "gemini-stream.sse", steps[_i], &g);
	ck_assert_str_eq(buf_cstr(&g.text), "The capital of France is Paris.\n");
	ck_assert_uint_eq(buf_len(&g.thinking), 0);
	ck_assert_str_eq(g.id, "w1peaMz6INOvnvgPgYfPiQY");
	ck_assert_str_eq(g.model, "gemini-2.0-flash-exp");
	ck_assert_str_eq(buf_cstr(&g.order), "SXXXFU");
	ck_assert_int_eq(g.finish, HF_STOP);
	/* the last chunk's usage wins */
	ck_assert_int_eq(g.usage.input, 13);
	ck_assert_int_eq(g.usage.output, 8);
	ck_assert_int_eq(g.usage.reasoning, 0);
	got_release(&g);
	arena_release(&a);
}
END_TEST

START_TEST(stream_tools)
{
	struct arena a;
	struct got g;

	arena_init(&a);
	decode_file(&a, "gemini-stream-tools.sse", steps[_i], &g);
	ck_assert_int_eq(g.ntools, 1);
	ck_assert_str_eq(g.tool_name[0], "get_country");
	ck_assert_str_eq(buf_cstr(&g.tool_args[0]), "{}");
	/* Gemini sent no id: a fresh one */
	ck_assert_int_eq(strncmp(g.tool_id[0], "call_", 5), 0);
	ck_assert_uint_eq(strlen(g.tool_id[0]), 29);
	ck_assert_ptr_nonnull(g.signature);
	ck_assert_int_eq(strncmp(g.signature, "EpwICpkIAXLI2nxl", 16), 0);
	ck_assert_int_eq(g.signature[strlen(g.signature) - 1], '=');
	/* start, tool, args, signature after them, empty text skipped */
	ck_assert_str_eq(buf_cstr(&g.order), "SCAGFU");
	ck_assert_uint_eq(buf_len(&g.text), 0);
	ck_assert_int_eq(g.finish, HF_TOOL_CALLS);
	ck_assert_int_eq(g.usage.input, 29);
	ck_assert_int_eq(g.usage.output, 10 + 202);
	ck_assert_int_eq(g.usage.reasoning, 202);
	ck_assert_str_eq(g.model, "gemini-3-pro-preview");
	got_release(&g);
	arena_release(&a);
}
END_TEST

START_TEST(stream_tools_turn2)
{
	struct arena a;
	struct got g;

	arena_init(&a);
	decode_file(&a, "gemini-stream-tools-turn2.sse", steps[_i], &g);
	ck_assert_str_eq(buf_cstr(&g.text), "The capital of Mexico is Mexico City.");
	ck_assert_str_eq(buf_cstr(&g.order), "SXXFU");
	ck_assert_int_eq(g.ntools, 0);
	ck_assert_int_eq(g.finish, HF_STOP);
	ck_assert_int_eq(g.usage.input, 257);
	ck_assert_int_eq(g.usage.output, 8);
	ck_assert_str_eq(g.id, "REVVabaiCdq4qtsPnZu96Qo");
	got_release(&g);
	arena_release(&a);
}
END_TEST

START_TEST(stream_thinking)
{
	struct arena a;
	struct got g;
	const char *order, *t;
	size_t n;
	char *s = slurp("gemini-stream-thinking.sse", &n);

	/* CRLF framing: every event ends "}\r\n\r\n" */
	ck_assert_ptr_nonnull(strstr(s, "}\r\n\r\ndata: "));
	free(s);
	arena_init(&a);
	decode_file(&a, "gemini-stream-thinking.sse", steps[_i], &g);
	t = buf_cstr(&g.thinking);
	ck_assert_int_eq(strncmp(t, "**Clarifying User Goals**\n\n", 27), 0);
	ck_assert_ptr_nonnull(strstr(t, "**Crafting Safe Instructions**"));
	ck_assert_ptr_null(strchr(t, '\r'));
	t = buf_cstr(&g.text);
	ck_assert_int_eq(strncmp(t, "This is a great question! Safely crossing", 41), 0);
	n = strlen(t);
	ck_assert_str_eq(t + n - 41, "Always assume a driver might not see you.");
	/* 4 thought chunks, then text whose first part carries the signature */
	order = buf_cstr(&g.order);
	ck_assert_int_eq(strncmp(order, "STTTTXG", 7), 0);
	ck_assert_ptr_null(strchr(order + 7, 'G'));
	ck_assert_ptr_null(strchr(order + 5, 'T'));
	ck_assert_int_eq(strncmp(g.signature, "CiIB0e2Kb6Syj1a9", 16), 0);
	ck_assert_int_eq(g.nfinish, 1);
	ck_assert_int_eq(g.nusage, 1);
	ck_assert_int_eq(g.finish, HF_STOP);
	/* recorded total 1290 = 34 + 469 + 787 */
	ck_assert_int_eq(g.usage.input, 34);
	ck_assert_int_eq(g.usage.output, 469 + 787);
	ck_assert_int_eq(g.usage.reasoning, 787);
	ck_assert_int_eq(g.usage.input + g.usage.output, 1290);
	got_release(&g);
	arena_release(&a);
}
END_TEST

START_TEST(stream_error_and_block)
{
	struct arena a;
	struct got g;
	const char *s1 = "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hi\"}],"
	    "\"role\": \"model\"}}],\"usageMetadata\": {\"promptTokenCount\": 4,"
	    "\"candidatesTokenCount\": 1,\"cachedContentTokenCount\": 2,\"toolUsePromptTokenCount\": 3}}\r\n\r\n"
	    ": keep-alive\r\n\r\ndata: not json\r\n\r\n"
	    "data: {\"error\": {\"code\": 429, \"message\": \"Quota exceeded\", \"status\": \"RESOURCE_EXHAUSTED\"}}\r\n\r\n"
	    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"late\"}]}}]}\r\n\r\n";
	const char *s2 = "data: {\"promptFeedback\": {\"blockReason\": \"SAFETY\"},"
	    "\"usageMetadata\": {\"promptTokenCount\": 9},\"responseId\": \"r1\"}\r\n\r\n";
	const char *s3 = "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"long\"}]},"
	    "\"finishReason\": \"MAX_TOKENS\"}]}\n\n";

	arena_init(&a);
	decode_stream(&a, s1, strlen(s1), 0, &g);
	/* the error ends the stream: no later text, no finish; usage stays */
	ck_assert_str_eq(buf_cstr(&g.order), "SXEU");
	ck_assert_int_eq(g.err_status, 429);
	ck_assert_str_eq(g.err_type, "RESOURCE_EXHAUSTED");
	ck_assert_str_eq(g.err_text, "Quota exceeded");
	ck_assert_int_eq(g.usage.input, 4 + 3);
	ck_assert_int_eq(g.usage.cache_read, 2);
	ck_assert_int_eq(strncmp(g.id, "resp_", 5), 0);
	got_release(&g);

	decode_stream(&a, s2, strlen(s2), 0, &g);
	ck_assert_str_eq(buf_cstr(&g.order), "SFU");
	ck_assert_int_eq(g.finish, HF_CONTENT_FILTER);
	ck_assert_str_eq(g.id, "r1");
	got_release(&g);

	decode_stream(&a, s3, strlen(s3), 0, &g);
	ck_assert_str_eq(buf_cstr(&g.order), "SXF");	/* no usage known: none sent */
	ck_assert_int_eq(g.finish, HF_LENGTH);
	got_release(&g);

	/* an error before anything else: only the error */
	s3 = "data: [{\"error\": {\"code\": 503, \"message\": \"busy\"}}]\r\n\r\n";
	decode_stream(&a, s3, strlen(s3), 0, &g);
	ck_assert_str_eq(buf_cstr(&g.order), "E");
	ck_assert_int_eq(g.err_status, 503);
	ck_assert_str_eq(g.err_type, "UNAVAILABLE");	/* from the code */
	ck_assert_str_eq(g.err_text, "busy");
	got_release(&g);

	decode_stream(&a, "", 0, 0, &g);
	ck_assert_str_eq(buf_cstr(&g.order), "");	/* nothing received, nothing sent */
	got_release(&g);
	arena_release(&a);
}
END_TEST

/* ---- non-streamed answers ---- */

START_TEST(resp_nonstream_tools)
{
	struct arena a;
	struct hub_resp r;
	json_t *body = load_json("gemini-nonstream-tools.json");

	arena_init(&a);
	ck_assert_int_eq(hub_gemini.resp_decode(&a, NULL, body, &r), GW_OK);
	json_decref(body);
	ck_assert_uint_eq(r.nparts, 1);
	ck_assert_int_eq(r.parts[0].type, HP_TOOL_CALL);
	ck_assert_str_eq(r.parts[0].name, "get_capital");
	ck_assert_str_eq(r.parts[0].args, "{\"country\":\"France\"}");
	ck_assert_int_eq(strncmp(r.parts[0].id, "call_", 5), 0);
	ck_assert_ptr_null(r.parts[0].signature);
	ck_assert_int_eq(r.finish, HF_TOOL_CALLS);
	ck_assert_str_eq(r.model, "gemini-2.0-flash-exp");
	ck_assert_int_eq(r.have_usage, 1);
	ck_assert_int_eq(r.usage.input, 23);
	ck_assert_int_eq(r.usage.output, 5);
	arena_release(&a);
}
END_TEST

START_TEST(resp_shapes)
{
	struct arena a;
	struct hub_resp r;
	json_t *b;

	arena_init(&a);
	b = json_loads("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":["
	    "{\"text\":\"plan\",\"thought\":true},{\"text\":\"\"},{\"text\":\"Answer\",\"thoughtSignature\":\"U0lH\"},"
	    "{\"functionCall\":{\"id\":\"fc1\",\"name\":\"f\",\"args\":{\"a\":[1,\"é\"]}}},"
	    "{\"text\":\"\",\"thoughtSignature\":\"TEFTVA==\"}]},\"finishReason\":\"MAX_TOKENS\"}],"
	    "\"usageMetadata\":{\"promptTokenCount\":10,\"candidatesTokenCount\":5,\"thoughtsTokenCount\":7,"
	    "\"cachedContentTokenCount\":4},\"responseId\":\"rid\",\"modelVersion\":\"gemini-2.5-flash\"}", 0, NULL);
	ck_assert_int_eq(hub_gemini.resp_decode(&a, NULL, b, &r), GW_OK);
	json_decref(b);
	ck_assert_uint_eq(r.nparts, 3);
	ck_assert_int_eq(r.parts[0].type, HP_THINKING);
	ck_assert_str_eq(r.parts[0].text, "plan");
	ck_assert_int_eq(r.parts[1].type, HP_TEXT);
	ck_assert_str_eq(r.parts[1].text, "Answer");
	ck_assert_str_eq(r.parts[1].signature, "U0lH");
	ck_assert_int_eq(r.parts[2].type, HP_TOOL_CALL);
	ck_assert_str_eq(r.parts[2].id, "fc1");
	ck_assert_str_eq(r.parts[2].args, "{\"a\":[1,\"é\"]}");
	/* the trailing empty part's signature lands on the call before it */
	ck_assert_str_eq(r.parts[2].signature, "TEFTVA==");
	ck_assert_int_eq(r.finish, HF_LENGTH);	/* a length cut stays a length cut */
	ck_assert_str_eq(r.id, "rid");
	ck_assert_int_eq(r.usage.input, 10);
	ck_assert_int_eq(r.usage.output, 12);
	ck_assert_int_eq(r.usage.reasoning, 7);
	ck_assert_int_eq(r.usage.cache_read, 4);

	b = json_loads("{\"promptFeedback\":{\"blockReason\":\"PROHIBITED_CONTENT\"}}", 0, NULL);
	ck_assert_int_eq(hub_gemini.resp_decode(&a, NULL, b, &r), GW_OK);
	json_decref(b);
	ck_assert_uint_eq(r.nparts, 0);
	ck_assert_int_eq(r.finish, HF_CONTENT_FILTER);
	ck_assert_int_eq(r.have_usage, 0);

	b = json_loads("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"x\"}]},\"finishReason\":\"RECITATION\"}]}",
	    0, NULL);
	ck_assert_int_eq(hub_gemini.resp_decode(&a, NULL, b, &r), GW_OK);
	json_decref(b);
	ck_assert_int_eq(r.finish, HF_CONTENT_FILTER);

	b = json_loads("{\"choices\":[]}", 0, NULL);
	ck_assert_int_eq(hub_gemini.resp_decode(&a, NULL, b, &r), GW_EINPUT);
	json_decref(b);
	b = json_loads("[1]", 0, NULL);
	ck_assert_int_eq(hub_gemini.resp_decode(&a, NULL, b, &r), GW_EINPUT);
	json_decref(b);
	arena_release(&a);
}
END_TEST

/* ---- request bodies ---- */

static struct hub_msg *
msg_text(struct arena *a, struct hub_req *q, enum hub_role role, const char *text)
{
	struct hub_msg *m = hub_add_msg(a, q, role);
	struct hub_part *p = hub_add_part(a, &m->parts, &m->nparts, HP_TEXT);

	p->text = text;
	return m;
}

static json_t *
encode_ok(struct arena *a, struct hub_req *q)
{
	struct hub_err err;
	json_t *b = hub_gemini.req_encode(a, q, &err);

	ck_assert_msg(b != NULL, "req_encode: %d %s", err.status, err.message);
	return hub_keep(a, b);
}

static void
assert_json(json_t *got, const char *want)
{
	json_t *w = json_loads(want, 0, NULL);
	char *g;

	ck_assert_msg(w != NULL, "bad expected JSON %s", want);
	g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_msg(json_equal(got, w), "got %s\nwant %s", g ? g : "(null)", want);
	free(g);
	json_decref(w);
}

START_TEST(req_system_and_roles)
{
	struct arena a;
	struct hub_req q;
	json_t *b, *all, *rec, *ss;

	arena_init(&a);
	hub_req_init(&q);
	q.model = "gemini-2.0-flash-exp";
	q.temperature = 0.0;
	msg_text(&a, &q, HUB_SYSTEM, "You are a helpful chatbot.");
	msg_text(&a, &q, HUB_USER, "What is the capital of France?");
	b = encode_ok(&a, &q);
	/* same as the recorded body, minus its optional systemInstruction.role */
	rec = recorded_request(&all, "gemini-stream.sse");
	ck_assert(json_equal(json_object_get(b, "contents"), json_object_get(rec, "contents")));
	ck_assert(json_equal(json_object_get(json_object_get(b, "systemInstruction"), "parts"),
	    json_object_get(json_object_get(rec, "systemInstruction"), "parts")));
	ck_assert(json_equal(json_object_get(b, "generationConfig"), json_object_get(rec, "generationConfig")));
	json_decref(all);
	ck_assert_ptr_null(json_object_get(b, "model"));
	ck_assert_ptr_null(json_object_get(b, "tools"));
	ck_assert_ptr_null(json_object_get(b, "toolConfig"));
	ss = json_object_get(b, "safetySettings");
	ck_assert_uint_eq(json_array_size(ss), 4);
	assert_json(json_array_get(ss, 3), "{\"category\":\"HARM_CATEGORY_DANGEROUS_CONTENT\",\"threshold\":\"BLOCK_NONE\"}");

	/* system messages anywhere are hoisted and joined; same roles merge;
	 * empty texts are never sent */
	hub_req_init(&q);
	msg_text(&a, &q, HUB_SYSTEM, "A");
	msg_text(&a, &q, HUB_USER, "1");
	msg_text(&a, &q, HUB_SYSTEM, "B");
	msg_text(&a, &q, HUB_USER, "2");
	msg_text(&a, &q, HUB_ASSISTANT, "x");
	msg_text(&a, &q, HUB_ASSISTANT, "");
	msg_text(&a, &q, HUB_ASSISTANT, "y");
	msg_text(&a, &q, HUB_USER, "");
	b = encode_ok(&a, &q);
	assert_json(json_object_get(b, "systemInstruction"), "{\"parts\":[{\"text\":\"A\\n\\nB\"}]}");
	assert_json(json_object_get(b, "contents"),
	    "[{\"role\":\"user\",\"parts\":[{\"text\":\"1\"},{\"text\":\"2\"}]},"
	    "{\"role\":\"model\",\"parts\":[{\"text\":\"x\"},{\"text\":\"y\"}]}]");
	ck_assert_ptr_null(json_object_get(b, "generationConfig"));
	arena_release(&a);
}
END_TEST

static struct hub_part *
add_call(struct arena *a, struct hub_msg *m, const char *id, const char *name, const char *args)
{
	struct hub_part *p = hub_add_part(a, &m->parts, &m->nparts, HP_TOOL_CALL);

	p->id = id;
	p->name = name;
	p->args = args;
	return p;
}

static struct hub_part *
add_result(struct arena *a, struct hub_req *q, const char *id, const char *text)
{
	struct hub_msg *m = hub_add_msg(a, q, HUB_TOOL);
	struct hub_part *p = hub_add_part(a, &m->parts, &m->nparts, HP_TOOL_RESULT);

	p->id = id;
	p->text = text;
	return p;
}

/* Delete "id" keys of functionCall/functionResponse parts (we omit them). */
static void
strip_ids(json_t *contents)
{
	size_t i, j;
	json_t *c, *p;

	json_array_foreach(contents, i, c)
		json_array_foreach(json_object_get(c, "parts"), j, p) {
			json_object_del(json_object_get(p, "functionCall"), "id");
			json_object_del(json_object_get(p, "functionResponse"), "id");
		}
}

START_TEST(req_tool_history)
{
	struct arena a;
	struct hub_req q;
	struct hub_msg *m;
	struct hub_tool *t;
	struct hub_err err;
	json_t *b, *all, *rec, *want;
	const char *sig;

	/* recorded turn 2: the call echoed with its signature, the result
	 * named from the call found by id */
	arena_init(&a);
	rec = recorded_request(&all, "gemini-stream-tools-turn2.sse");
	sig = json_string_value(json_object_get(json_array_get(json_object_get(
	    json_array_get(json_object_get(rec, "contents"), 1), "parts"), 0), "thoughtSignature"));
	hub_req_init(&q);
	msg_text(&a, &q, HUB_USER, "What is the capital of the user country? Call the tool");
	m = hub_add_msg(&a, &q, HUB_ASSISTANT);
	add_call(&a, m, "pyd_ai_29bf73b69e02448588e15893d47a3e7e", "get_country", "{}")->signature = sig;
	add_result(&a, &q, "pyd_ai_29bf73b69e02448588e15893d47a3e7e", "{\"return_value\": \"Mexico\"}");
	t = hub_add_tool(&a, &q);
	t->name = "get_country";
	t->description = "";
	t->parameters = hub_keep(&a, json_loads("{\"additionalProperties\":false,\"properties\":{},"
	    "\"type\":\"object\"}", 0, NULL));
	b = encode_ok(&a, &q);
	want = json_deep_copy(json_object_get(rec, "contents"));
	strip_ids(want);
	ck_assert(json_equal(json_object_get(b, "contents"), want));
	json_decref(want);
	/* the recording sent the raw schema as parameters_json_schema; ours is
	 * the cleaned one as parameters */
	want = json_deep_copy(json_array_get(json_object_get(json_array_get(json_object_get(rec, "tools"), 0),
	    "functionDeclarations"), 0));
	json_object_del(json_object_get(want, "parameters_json_schema"), "additionalProperties");
	json_object_set(want, "parameters", json_object_get(want, "parameters_json_schema"));
	json_object_del(want, "parameters_json_schema");
	ck_assert(json_equal(json_array_get(json_object_get(json_array_get(json_object_get(b, "tools"), 0),
	    "functionDeclarations"), 0), want));
	json_decref(want);
	json_decref(all);

	/* parallel calls, a thinking signature, plain-text and error results
	 * merged into one user content */
	hub_req_init(&q);
	msg_text(&a, &q, HUB_USER, "go");
	m = hub_add_msg(&a, &q, HUB_ASSISTANT);
	hub_add_part(&a, &m->parts, &m->nparts, HP_THINKING)->signature = "THINKSIG";
	m->parts[0].text = "hmm";
	add_call(&a, m, "c1", "a", "{\"x\":1}");
	add_call(&a, m, "c2", "b", "not json");
	add_result(&a, &q, "c1", "plain");
	add_result(&a, &q, "c2", "boom")->is_error = 1;
	msg_text(&a, &q, HUB_USER, "next");
	m = hub_add_msg(&a, &q, HUB_ASSISTANT);
	add_call(&a, m, "c3", "a", "{}");
	add_call(&a, m, "c4", "b", "{}");
	add_result(&a, &q, "c3", "[1,2]");
	add_result(&a, &q, "zz", "{\"ok\":true}")->name = "named_by_client";
	b = encode_ok(&a, &q);
	assert_json(json_object_get(b, "contents"),
	    "[{\"role\":\"user\",\"parts\":[{\"text\":\"go\"}]},"
	    "{\"role\":\"model\",\"parts\":["
	    "{\"functionCall\":{\"name\":\"a\",\"args\":{\"x\":1}},\"thoughtSignature\":\"THINKSIG\"},"
	    "{\"functionCall\":{\"name\":\"b\",\"args\":{}}}]},"
	    "{\"role\":\"user\",\"parts\":["
	    "{\"functionResponse\":{\"name\":\"a\",\"response\":{\"output\":\"plain\"}}},"
	    "{\"functionResponse\":{\"name\":\"b\",\"response\":{\"error\":\"boom\"}}},{\"text\":\"next\"}]},"
	    "{\"role\":\"model\",\"parts\":["
	    "{\"functionCall\":{\"name\":\"a\",\"args\":{}},\"thoughtSignature\":\"skip_thought_signature_validator\"},"
	    "{\"functionCall\":{\"name\":\"b\",\"args\":{}},\"thoughtSignature\":\"skip_thought_signature_validator\"}]},"
	    "{\"role\":\"user\",\"parts\":["
	    "{\"functionResponse\":{\"name\":\"a\",\"response\":{\"output\":\"[1,2]\"}}},"
	    "{\"functionResponse\":{\"name\":\"named_by_client\",\"response\":{\"ok\":true}}}]}]");

	/* a result whose call is unknown and that carries no name */
	hub_req_init(&q);
	msg_text(&a, &q, HUB_USER, "go");
	add_result(&a, &q, "call_lost", "x");
	ck_assert_ptr_null(hub_gemini.req_encode(&a, &q, &err));
	ck_assert_int_eq(err.status, 400);
	ck_assert_ptr_nonnull(strstr(err.message, "call_lost"));
	arena_release(&a);
}
END_TEST

START_TEST(req_images)
{
	struct arena a;
	struct hub_req q;
	struct hub_msg *m;
	struct hub_part *p, *r;
	struct hub_err err;
	json_t *b;

	arena_init(&a);
	hub_req_init(&q);
	m = msg_text(&a, &q, HUB_USER, "Describe");
	p = hub_add_part(&a, &m->parts, &m->nparts, HP_IMAGE);
	p->mime = "image/png";
	p->data = "iVBORw0KGgo=";
	p = hub_add_part(&a, &m->parts, &m->nparts, HP_FILE);
	p->mime = "application/pdf";
	p->data = "JVBERi0=";
	m = hub_add_msg(&a, &q, HUB_ASSISTANT);
	add_call(&a, m, "c1", "shot", "{}")->signature = "S";
	r = add_result(&a, &q, "c1", NULL);
	p = hub_add_part(&a, &r->content, &r->ncontent, HP_TEXT);
	p->text = "here";
	p = hub_add_part(&a, &r->content, &r->ncontent, HP_IMAGE);
	p->mime = "image/jpeg";
	p->data = "/9j/";
	b = encode_ok(&a, &q);
	assert_json(json_object_get(b, "contents"),
	    "[{\"role\":\"user\",\"parts\":[{\"text\":\"Describe\"},"
	    "{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}},"
	    "{\"inlineData\":{\"mimeType\":\"application/pdf\",\"data\":\"JVBERi0=\"}}]},"
	    "{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"shot\",\"args\":{}},\"thoughtSignature\":\"S\"}]},"
	    "{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"shot\",\"response\":{\"output\":\"here\"}}},"
	    "{\"inlineData\":{\"mimeType\":\"image/jpeg\",\"data\":\"/9j/\"}}]}]");

	/* an image still as a URL: the relay must inline it first */
	hub_req_init(&q);
	m = msg_text(&a, &q, HUB_USER, "Describe");
	hub_add_part(&a, &m->parts, &m->nparts, HP_IMAGE)->url = "https://example.com/a.png";
	ck_assert_ptr_null(hub_gemini.req_encode(&a, &q, &err));
	ck_assert_int_eq(err.status, 400);
	ck_assert_str_eq(err.message, "image URLs must be fetched first");
	arena_release(&a);
}
END_TEST

static const char weather_schema[] =
    "{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\",\"description\":"
    "\"City and region to look up (example: San Francisco, CA)\"},\"unit\":{\"type\":\"string\","
    "\"description\":\"Temperature unit to use\",\"enum\":[\"celsius\",\"fahrenheit\"]}},"
    "\"required\":[\"location\"]}";

START_TEST(req_tools_choice)
{
	struct arena a;
	struct hub_req q;
	struct hub_tool *t;
	json_t *b, *all, *rec;

	arena_init(&a);
	hub_req_init(&q);
	msg_text(&a, &q, HUB_USER, "What is the capital of France?");
	t = hub_add_tool(&a, &q);
	t->name = "get_capital";
	t->description = "Get the capital of a country.";
	t->parameters = hub_keep(&a, json_loads("{\"$schema\":\"http://json-schema.org/draft-07/schema#\","
	    "\"additionalProperties\":false,\"properties\":{\"country\":{\"description\":\"The country name.\","
	    "\"type\":\"string\",\"examples\":[\"France\"],\"default\":\"France\"}},\"required\":[\"country\"],"
	    "\"type\":\"object\",\"strict\":true}", 0, NULL));
	t = hub_add_tool(&a, &q);
	t->name = "ping";
	q.tool_choice = HTC_FORCED;
	q.tool_choice_name = "get_capital";
	b = encode_ok(&a, &q);
	/* the recorded declaration (snake_case there) equals ours once cleaned */
	rec = recorded_request(&all, "gemini-nonstream-tools.json");
	ck_assert(json_equal(json_object_get(b, "contents"), json_object_get(rec, "contents")));
	ck_assert(json_equal(json_array_get(json_object_get(json_array_get(json_object_get(b, "tools"), 0),
	    "functionDeclarations"), 0),
	    json_array_get(json_object_get(json_object_get(rec, "tools"), "function_declarations"), 0)));
	json_decref(all);
	assert_json(json_array_get(json_object_get(json_array_get(json_object_get(b, "tools"), 0),
	    "functionDeclarations"), 1), "{\"name\":\"ping\"}");
	assert_json(json_object_get(b, "toolConfig"),
	    "{\"functionCallingConfig\":{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"get_capital\"]}}");

	q.tool_choice = HTC_REQUIRED;
	assert_json(json_object_get(encode_ok(&a, &q), "toolConfig"), "{\"functionCallingConfig\":{\"mode\":\"ANY\"}}");
	q.tool_choice = HTC_NONE;
	assert_json(json_object_get(encode_ok(&a, &q), "toolConfig"), "{\"functionCallingConfig\":{\"mode\":\"NONE\"}}");
	q.tool_choice = HTC_AUTO;
	assert_json(json_object_get(encode_ok(&a, &q), "toolConfig"), "{\"functionCallingConfig\":{\"mode\":\"AUTO\"}}");
	q.tool_choice = HTC_UNSET;
	ck_assert_ptr_null(json_object_get(encode_ok(&a, &q), "toolConfig"));

	/* the compatibility matrix's get_weather passes through unchanged */
	hub_req_init(&q);
	msg_text(&a, &q, HUB_USER, "weather?");
	t = hub_add_tool(&a, &q);
	t->name = "get_weather";
	t->parameters = hub_keep(&a, json_loads(weather_schema, 0, NULL));
	b = encode_ok(&a, &q);
	assert_json(json_object_get(json_array_get(json_object_get(json_array_get(json_object_get(b, "tools"), 0),
	    "functionDeclarations"), 0), "parameters"), weather_schema);
	arena_release(&a);
}
END_TEST

START_TEST(req_structured)
{
	struct arena a;
	struct hub_req q;
	json_t *gc;
	char *dump;

	arena_init(&a);
	hub_req_init(&q);
	msg_text(&a, &q, HUB_USER, "Identify the topic");
	q.rf = HRF_JSON_SCHEMA;
	q.rf_name = "topic_classification";
	q.rf_schema = hub_keep(&a, json_loads("{\"type\":\"object\",\"additionalProperties\":false,"
	    "\"$id\":\"x\",\"$comment\":\"c\",\"properties\":{\"topic\":{\"type\":\"string\",\"description\":\"t\"},"
	    "\"confidence\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1},"
	    "\"tags\":{\"type\":\"array\",\"title\":\"Tags\",\"items\":{\"type\":\"object\",\"additionalProperties\":false,"
	    "\"properties\":{\"default\":{\"type\":[\"string\",\"null\"],\"format\":\"uri\"},"
	    "\"when\":{\"type\":\"STRING\",\"format\":\"date-time\"}}}},"
	    "\"kind\":{\"anyOf\":[{\"type\":\"string\",\"const\":\"a\"},{\"type\":\"integer\",\"format\":\"int32\"}]}},"
	    "\"required\":[\"topic\",\"confidence\"]}", 0, NULL));
	gc = json_object_get(encode_ok(&a, &q), "generationConfig");
	assert_json(gc, "{\"responseMimeType\":\"application/json\",\"responseSchema\":"
	    "{\"type\":\"object\",\"properties\":{\"topic\":{\"type\":\"string\",\"description\":\"t\"},"
	    "\"confidence\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1},"
	    "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
	    "\"properties\":{\"default\":{\"type\":\"string\",\"nullable\":true},"
	    "\"when\":{\"type\":\"STRING\",\"format\":\"date-time\"}}}},"
	    "\"kind\":{\"anyOf\":[{\"type\":\"string\",\"enum\":[\"a\"]},{\"type\":\"integer\",\"format\":\"int32\"}]}},"
	    "\"required\":[\"topic\",\"confidence\"]}}");
	dump = json_dumps(gc, 0);
	ck_assert_ptr_null(strstr(dump, "additionalProperties"));
	free(dump);

	q.rf = HRF_JSON_OBJECT;
	assert_json(json_object_get(encode_ok(&a, &q), "generationConfig"),
	    "{\"responseMimeType\":\"application/json\"}");
	arena_release(&a);
}
END_TEST

START_TEST(req_generation_and_thinking)
{
	static const char *stops[] = { "1", "2", "3", "4", "5", "6" };
	struct arena a;
	struct hub_req q;
	json_t *all, *rec;

	arena_init(&a);
	hub_req_init(&q);
	msg_text(&a, &q, HUB_USER, "hi");
	q.max_tokens = 2048;
	q.temperature = 0.5;
	q.top_p = 0.25;
	q.top_k = 40;
	q.stop = stops;
	q.nstop = 6;
	q.n = 2;
	q.seed = 7;
	q.presence_penalty = 0.5;
	q.frequency_penalty = -0.5;
	q.reasoning_effort = "high";
	assert_json(json_object_get(encode_ok(&a, &q), "generationConfig"),
	    "{\"maxOutputTokens\":2048,\"temperature\":0.5,\"topP\":0.25,\"topK\":40,"
	    "\"stopSequences\":[\"1\",\"2\",\"3\",\"4\",\"5\"],\"candidateCount\":2,\"seed\":7,"
	    "\"presencePenalty\":0.5,\"frequencyPenalty\":-0.5,"
	    "\"thinkingConfig\":{\"thinkingBudget\":24576,\"includeThoughts\":true}}");

	hub_req_init(&q);
	msg_text(&a, &q, HUB_USER, "hi");
	q.reasoning_effort = "low";
	assert_json(json_object_get(encode_ok(&a, &q), "generationConfig"),
	    "{\"thinkingConfig\":{\"thinkingBudget\":1024,\"includeThoughts\":true}}");
	q.reasoning_effort = "none";
	assert_json(json_object_get(encode_ok(&a, &q), "generationConfig"),
	    "{\"thinkingConfig\":{\"thinkingBudget\":0,\"includeThoughts\":false}}");
	q.reasoning_effort = "medium";
	q.thinking_budget = 2000;	/* an explicit budget wins */
	assert_json(json_object_get(encode_ok(&a, &q), "generationConfig"),
	    "{\"thinkingConfig\":{\"thinkingBudget\":2000,\"includeThoughts\":true}}");
	q.thinking = 0;
	assert_json(json_object_get(encode_ok(&a, &q), "generationConfig"),
	    "{\"thinkingConfig\":{\"thinkingBudget\":0}}");

	/* thinking on without a budget: the recorded includeThoughts body */
	hub_req_init(&q);
	msg_text(&a, &q, HUB_USER, "How do I cross the street?");
	q.thinking = 1;
	rec = recorded_request(&all, "gemini-stream-thinking.sse");
	ck_assert(json_equal(json_object_get(encode_ok(&a, &q), "generationConfig"),
	    json_object_get(rec, "generationConfig")));
	json_decref(all);
	arena_release(&a);
}
END_TEST

/* ---- errors ---- */

START_TEST(error_bodies)
{
	struct arena a;
	const char *type, *msg;
	json_t *b = load_json("vertex-error-400.json");

	arena_init(&a);
	ck_assert_int_eq(hub_gemini.error_decode(&a, b, &type, &msg), GW_OK);
	ck_assert_str_eq(type, "INVALID_ARGUMENT");
	ck_assert_int_eq(strncmp(msg, "Cannot fetch content from the provided URL.", 43), 0);
	ck_assert_ptr_nonnull(strstr(msg, "URL_ROBOTED-ROBOTED_DENIED"));
	json_decref(b);

	b = json_loads("[{\"error\":{\"code\":429,\"message\":\"slow down\",\"status\":\"RESOURCE_EXHAUSTED\"}}]", 0, NULL);
	ck_assert_int_eq(hub_gemini.error_decode(&a, b, &type, &msg), GW_OK);
	ck_assert_str_eq(type, "RESOURCE_EXHAUSTED");
	ck_assert_str_eq(msg, "slow down");
	json_decref(b);

	b = json_loads("{\"error\":{\"code\":503,\"message\":\"overloaded\"}}", 0, NULL);
	ck_assert_int_eq(hub_gemini.error_decode(&a, b, &type, &msg), GW_OK);
	ck_assert_str_eq(type, "UNAVAILABLE");
	json_decref(b);

	b = json_loads("{\"error\":\"nope\"}", 0, NULL);
	ck_assert_int_eq(hub_gemini.error_decode(&a, b, &type, &msg), GW_EINPUT);
	json_decref(b);
	b = json_loads("{\"type\":\"error\",\"message\":\"x\"}", 0, NULL);
	ck_assert_int_eq(hub_gemini.error_decode(&a, b, &type, &msg), GW_EINPUT);
	json_decref(b);
	/* a client format too (fmt_gemini_client.c) */
	ck_assert_ptr_nonnull(hub_gemini.req_decode);
	ck_assert_ptr_nonnull(hub_gemini.resp_encode);
	ck_assert_ptr_nonnull(hub_gemini.enc_new);
	ck_assert_ptr_nonnull(hub_gemini.error_encode);
	ck_assert_str_eq(hub_gemini.name, "gemini");
	arena_release(&a);
}
END_TEST

/* ---------------------------------------------------------------------
 * Gemini as a client format (@google/genai, Gemini CLI)
 */

/* What @google/genai sends for a function-calling turn 2 (camelCase; the
 * Python SDK's snake_case for the declarations). */
static const char genai_body[] =
    "{\"contents\":["
    "{\"role\":\"user\",\"parts\":[{\"text\":\"Weather in Paris?\"}]},"
    "{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}},"
    "\"thoughtSignature\":\"c2ln\"}]},"
    "{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"get_weather\",\"response\":{\"output\":\"18C\"}}}]}],"
    "\"systemInstruction\":{\"parts\":[{\"text\":\"Be brief.\"}]},"
    "\"tools\":[{\"function_declarations\":[{\"name\":\"get_weather\",\"description\":\"Weather\","
    "\"parameters\":{\"type\":\"OBJECT\",\"properties\":{\"city\":{\"type\":\"STRING\",\"nullable\":true}},\"required\":[\"city\"]}},"
    "{\"name\":\"ping\",\"parametersJsonSchema\":{\"type\":\"object\",\"properties\":{}}}]},"
    "{\"googleSearch\":{}},{\"codeExecution\":{}}],"
    "\"toolConfig\":{\"functionCallingConfig\":{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"get_weather\"]}},"
    "\"generationConfig\":{\"temperature\":0.5,\"maxOutputTokens\":256,\"stopSequences\":[\"END\"],"
    "\"responseMimeType\":\"application/json\",\"responseSchema\":{\"type\":\"OBJECT\",\"properties\":{\"t\":{\"type\":\"NUMBER\"}}},"
    "\"thinkingConfig\":{\"thinkingBudget\":1024,\"includeThoughts\":true}}}";

START_TEST(client_request)
{
	struct arena a;
	struct hub_req q, q2;
	struct hub_err err;
	json_t *b = json_loads(genai_body, 0, NULL), *enc;

	arena_init(&a);
	ck_assert_ptr_nonnull(b);
	memset(&err, 0, sizeof(err));
	ck_assert_msg(hub_gemini.req_decode(&a, b, &q, &err) == GW_OK, "%s", err.message);
	json_decref(b);
	ck_assert_ptr_null(q.model);	/* in the URL */
	ck_assert_uint_eq(q.nmsgs, 4);
	ck_assert_int_eq(q.msgs[0].role, HUB_SYSTEM);
	ck_assert_int_eq(q.msgs[2].role, HUB_ASSISTANT);
	ck_assert_str_eq(q.msgs[2].parts[0].name, "get_weather");
	ck_assert_str_eq(q.msgs[2].parts[0].args, "{\"city\":\"Paris\"}");
	ck_assert_str_eq(q.msgs[2].parts[0].signature, "c2ln");
	ck_assert_int_eq(q.msgs[3].role, HUB_TOOL);
	ck_assert_str_eq(q.msgs[3].parts[0].id, q.msgs[2].parts[0].id);	/* matched by name */
	ck_assert_str_eq(q.msgs[3].parts[0].text, "18C");
	ck_assert_uint_eq(q.ntools, 2);
	ck_assert_str_eq(jpath_str(q.tools[0].parameters, "type"), "object");
	ck_assert_str_eq(jpath_str(q.tools[0].parameters, "properties.city.type.0"), "string");
	ck_assert_str_eq(jpath_str(q.tools[0].parameters, "properties.city.type.1"), "null");
	ck_assert_int_eq(q.web_search, 1);
	ck_assert_str_eq(q.dropped, "codeExecution");
	ck_assert_int_eq(q.tool_choice, HTC_FORCED);
	ck_assert_str_eq(q.tool_choice_name, "get_weather");
	ck_assert_int_eq(q.rf, HRF_JSON_SCHEMA);
	ck_assert_str_eq(jpath_str(q.rf_schema, "properties.t.type"), "number");
	ck_assert_int_eq(q.max_tokens, 256);
	ck_assert_str_eq(q.stop[0], "END");
	ck_assert_int_eq(q.thinking, 1);
	ck_assert_int_eq(q.thinking_budget, 1024);

	/* to OpenAI Chat: a valid tool loop */
	q2 = q;
	q2.model = "gpt-4.1";
	enc = hub_chat.req_encode(&a, &q2, &err);
	ck_assert_ptr_nonnull(enc);
	ck_assert_str_eq(jpath_str(enc, "messages.0.role"), "system");
	ck_assert_str_eq(jpath_str(enc, "messages.2.tool_calls.0.function.name"), "get_weather");
	ck_assert_str_eq(jpath_str(enc, "messages.3.tool_call_id"), jpath_str(enc, "messages.2.tool_calls.0.id"));
	ck_assert_str_eq(jpath_str(enc, "tools.0.function.parameters.type"), "object");
	json_decref(enc);

	/* and back to Gemini (pass-through does not decode, but a round trip
	 * keeps the turns) */
	q2 = q;
	enc = hub_gemini.req_encode(&a, &q2, &err);
	ck_assert_ptr_nonnull(enc);
	ck_assert_uint_eq(json_array_size(jpath(enc, "contents")), 3);
	ck_assert_str_eq(jpath_str(enc, "contents.2.parts.0.functionResponse.name"), "get_weather");
	json_decref(enc);
	arena_release(&a);
}
END_TEST

START_TEST(client_request_errors)
{
	static const struct { const char *body, *msg; } bad[] = {
		{ "[]", "Expected an object" },
		{ "{}", "contents is not specified" },
		{ "{\"contents\":[{\"role\":\"system\",\"parts\":[]}]}", "contents[0].role: Please use a valid role" },
		{ "{\"contents\":[{\"role\":\"user\"}]}", "contents[0].parts: required" },
		{ "{\"contents\":[{\"parts\":[{\"functionCall\":{\"name\":\"f\"}}]}]}", "function calls come from the model" },
		{ "{\"contents\":[{\"parts\":[{\"functionResponse\":{\"name\":\"f\",\"response\":{}}}]}]}",
		  "no earlier functionCall named f" },
		{ "{\"contents\":[{\"parts\":[{\"video\":1}]}]}", "a part needs text" },
		{ "{\"contents\":[{\"parts\":[{\"text\":\"x\"}]}],\"toolConfig\":{\"functionCallingConfig\":{\"mode\":\"SOMETIMES\"}}}",
		  "functionCallingConfig.mode" },
		{ "{\"contents\":[{\"parts\":[{\"text\":\"x\"}]}],\"generationConfig\":{\"temperature\":\"hot\"}}",
		  "generationConfig.temperature: expected a number" },
	};
	struct arena a;
	struct hub_req q;
	struct hub_err err;
	json_t *b;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		arena_init(&a);
		b = json_loads(bad[i].body, JSON_DECODE_ANY, NULL);
		memset(&err, 0, sizeof(err));
		ck_assert_int_eq(hub_gemini.req_decode(&a, b, &q, &err), GW_EINPUT);
		ck_assert_int_eq(err.status, 400);
		ck_assert_msg(strstr(err.message, bad[i].msg) != NULL, "case %zu: '%s'", i, err.message);
		json_decref(b);
		arena_release(&a);
	}
}
END_TEST

struct chunks {
	json_t *all;
};

static int
on_chunk(void *ctx, const char *event, const char *data, size_t len)
{
	struct chunks *c = ctx;
	json_t *j = json_loadb(data, len, 0, NULL);

	ck_assert_ptr_null(event);	/* Gemini SSE has data: lines only */
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(json_array_append_new(c->all, j), 0);
	return 0;
}

START_TEST(client_answers)
{
	struct arena a;
	struct hub_req q;
	struct hub_resp r;
	struct hub_part parts[3];
	struct chunks c = { json_array() };
	struct hub_ev ev;
	json_t *o;
	void *e;

	arena_init(&a);
	hub_req_init(&q);
	q.model = "gemini-2.5-flash";
	memset(&r, 0, sizeof(r));
	memset(parts, 0, sizeof(parts));
	parts[0].type = HP_THINKING;
	parts[0].text = "hm";
	parts[1].type = HP_TEXT;
	parts[1].text = "Calling.";
	parts[2].type = HP_TOOL_CALL;
	parts[2].id = "call_1";
	parts[2].name = "get_weather";
	parts[2].args = "{\"city\":\"Paris\"}";
	parts[2].signature = "sig";
	r.parts = parts;
	r.nparts = 3;
	r.finish = HF_TOOL_CALLS;
	r.have_usage = 1;
	r.usage.input = 10;
	r.usage.output = 30;
	r.usage.reasoning = 12;
	o = hub_gemini.resp_encode(&a, &q, &r);
	assert_json(jpath(o, "candidates.0.content"), "{\"role\":\"model\",\"parts\":[{\"text\":\"hm\",\"thought\":true},"
	    "{\"text\":\"Calling.\"},{\"functionCall\":{\"id\":\"call_1\",\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}},"
	    "\"thoughtSignature\":\"sig\"}]}");
	ck_assert_str_eq(jpath_str(o, "candidates.0.finishReason"), "STOP");
	assert_json(jpath(o, "usageMetadata"), "{\"promptTokenCount\":10,\"candidatesTokenCount\":18,"
	    "\"thoughtsTokenCount\":12,\"totalTokenCount\":40}");
	ck_assert_str_eq(jpath_str(o, "modelVersion"), "gemini-2.5-flash");
	json_decref(o);

	/* streamed: text as it comes, the call whole, finish and usage last */
	e = hub_gemini.enc_new(&a, &q, on_chunk, &c);
	memset(&ev, 0, sizeof(ev));
	ev.type = HE_START;
	ev.id = "resp_1";
	ck_assert_int_eq(hub_gemini.enc_event(e, &ev), 0);
	ev.type = HE_TEXT;
	ev.text = "Call";
	ev.len = 4;
	ck_assert_int_eq(hub_gemini.enc_event(e, &ev), 0);
	ev.type = HE_TOOL_START;
	ev.id = "call_9";
	ev.name = "ping";
	ev.text = NULL;
	ev.len = 0;
	ck_assert_int_eq(hub_gemini.enc_event(e, &ev), 0);
	ev.type = HE_TOOL_ARGS;
	ev.text = "{\"a\":";
	ev.len = 5;
	ck_assert_int_eq(hub_gemini.enc_event(e, &ev), 0);
	ev.text = "1}";
	ev.len = 2;
	ck_assert_int_eq(hub_gemini.enc_event(e, &ev), 0);
	memset(&ev, 0, sizeof(ev));
	ev.type = HE_FINISH;
	ev.finish = HF_TOOL_CALLS;
	ck_assert_int_eq(hub_gemini.enc_event(e, &ev), 0);
	ev.type = HE_USAGE;
	ev.usage.input = 5;
	ev.usage.output = 7;
	ck_assert_int_eq(hub_gemini.enc_event(e, &ev), 0);
	ev.type = HE_END;
	ck_assert_int_eq(hub_gemini.enc_event(e, &ev), 0);
	ck_assert_uint_eq(json_array_size(c.all), 3);
	ck_assert_str_eq(jpath_str(c.all, "0.candidates.0.content.parts.0.text"), "Call");
	ck_assert_str_eq(jpath_str(c.all, "0.responseId"), "resp_1");
	assert_json(jpath(c.all, "1.candidates.0.content.parts.0.functionCall"),
	    "{\"id\":\"call_9\",\"name\":\"ping\",\"args\":{\"a\":1}}");
	ck_assert_str_eq(jpath_str(c.all, "2.candidates.0.finishReason"), "STOP");
	ck_assert_int_eq(json_integer_value(jpath(c.all, "2.usageMetadata.totalTokenCount")), 12);
	json_decref(c.all);

	o = hub_gemini.error_encode(429, "rate_limit_error", "slow down");
	assert_json(o, "{\"error\":{\"code\":429,\"message\":\"slow down\",\"status\":\"RESOURCE_EXHAUSTED\"}}");
	json_decref(o);
	o = hub_gemini.error_encode(400, "INVALID_ARGUMENT", "bad");
	ck_assert_str_eq(jpath_str(o, "error.status"), "INVALID_ARGUMENT");
	json_decref(o);
	arena_release(&a);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("fmt_gemini");
	TCase *tc = tcase_create("core");
	int nsteps = (int)(sizeof(steps) / sizeof(steps[0]));

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, stream_text, 0, nsteps);
	tcase_add_loop_test(tc, stream_tools, 0, nsteps);
	tcase_add_loop_test(tc, stream_tools_turn2, 0, nsteps);
	tcase_add_loop_test(tc, stream_thinking, 0, nsteps);
	tcase_add_test(tc, stream_error_and_block);
	tcase_add_test(tc, resp_nonstream_tools);
	tcase_add_test(tc, resp_shapes);
	tcase_add_test(tc, req_system_and_roles);
	tcase_add_test(tc, req_tool_history);
	tcase_add_test(tc, req_images);
	tcase_add_test(tc, req_tools_choice);
	tcase_add_test(tc, req_structured);
	tcase_add_test(tc, req_generation_and_thinking);
	tcase_add_test(tc, error_bodies);
	tcase_add_test(tc, client_request);
	tcase_add_test(tc, client_request_errors);
	tcase_add_test(tc, client_answers);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
