/* test/unit/t_fmt_responses.c: the OpenAI Responses codec on recorded
 * streams and answers, the recorded request bodies (requests.json) and One
 * API's compatibility-matrix bodies (ONEAPI_SPEC.md §8.2) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "t_core.h"
#include "t_fixtures.h"
#include "hub.h"


#define F (&hub_responses)



static json_t *
parse(const char *s)
{
	json_error_t je;
	json_t *j = json_loads(s, 0, &je);

	ck_assert_msg(j != NULL, "bad test JSON: %s", je.text);
	return j;
}

/* The member at a JSON path like "input.3.call_id". */
static json_t *
at(json_t *j, const char *path)
{
	return jpath(j, path);
}

static const char *
sat(json_t *j, const char *path)
{
	return json_string_value(at(j, path));
}

/* ---- stream decoding into a record of hub events ---- */

#define MAXCALLS 8

struct got {
	struct arena a;
	struct buf text, thinking;
	int nstart, nfinish, nusage, nerror, nsig, ncalls;
	const char *id, *model, *sig, *err_name, *err_text;
	enum hub_finish finish;
	struct hub_usage usage;
	int err_status;
	const char *call_id[MAXCALLS], *call_name[MAXCALLS];
	struct buf args[MAXCALLS];
	void *enc;		/* forward every event to this encoder too */
};

static void
got_init(struct got *g)
{
	int i;

	memset(g, 0, sizeof(*g));
	arena_init(&g->a);
	buf_init(&g->text, 1u << 24);
	buf_init(&g->thinking, 1u << 24);
	for (i = 0; i < MAXCALLS; i++)
		buf_init(&g->args[i], 1u << 20);
}

static void
got_release(struct got *g)
{
	int i;

	buf_release(&g->text);
	buf_release(&g->thinking);
	for (i = 0; i < MAXCALLS; i++)
		buf_release(&g->args[i]);
	arena_release(&g->a);
}

static int
on_ev(void *ctx, const struct hub_ev *ev)
{
	struct got *g = ctx;

	switch (ev->type) {
	case HE_START:
		g->nstart++;
		g->id = ev->id ? arena_strdup(&g->a, ev->id) : NULL;
		g->model = ev->name ? arena_strdup(&g->a, ev->name) : NULL;
		break;
	case HE_TEXT:
		ck_assert_int_eq(buf_add(&g->text, ev->text, ev->len), GW_OK);
		break;
	case HE_THINKING:
		ck_assert_int_eq(buf_add(&g->thinking, ev->text, ev->len), GW_OK);
		break;
	case HE_SIGNATURE:
		g->nsig++;
		g->sig = arena_strdup(&g->a, ev->text);
		break;
	case HE_TOOL_START:
		ck_assert_int_eq(ev->index, g->ncalls);
		ck_assert_int_lt(g->ncalls, MAXCALLS);
		g->call_id[g->ncalls] = arena_strdup(&g->a, ev->id);
		g->call_name[g->ncalls] = arena_strdup(&g->a, ev->name);
		g->ncalls++;
		break;
	case HE_TOOL_ARGS:
		ck_assert_int_lt(ev->index, g->ncalls);
		ck_assert_int_eq(buf_add(&g->args[ev->index], ev->text, ev->len), GW_OK);
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
		g->err_name = arena_strdup(&g->a, ev->name);
		g->err_text = arena_strdup(&g->a, ev->text);
		break;
	default:
		break;
	}
	if (g->enc != NULL)
		return F->enc_event(g->enc, ev);
	return 0;
}

static int
on_sse(void *ctx, const struct sse_event *ev)
{
	return F->dec_event(ctx, ev);
}

/* Decode n bytes of a Responses stream fed in chunks of step (0 = whole). */
static void
decode(const char *s, size_t n, size_t step, struct got *g)
{
	struct sse p;
	struct arena a;
	void *d;
	size_t i;

	arena_init(&a);
	d = F->dec_new(&a, NULL, on_ev, g);
	ck_assert_ptr_nonnull(d);
	sse_init(&p);
	if (step == 0)
		step = n ? n : 1;
	for (i = 0; i < n; i += step)
		ck_assert_int_eq(sse_feed(&p, s + i, i + step > n ? n - i : step, on_sse, d), 0);
	ck_assert_int_eq(sse_finish(&p, on_sse, d), 0);
	ck_assert_int_eq(F->dec_end(d), 0);
	sse_release(&p);
	arena_release(&a);
}

/* ---- the encoder's output, checked event by event ---- */

struct out {
	struct buf sse;		/* the stream as a client receives it */
	struct buf types;	/* "type\n" per event */
	int64_t seq;
	json_t *terminal;	/* data of the last response.* terminal event */
	int fail_at;		/* the write callback fails at this event (0 = never) */
	int nwrites;
};

static int
on_write(void *ctx, const char *event, const char *data, size_t len)
{
	struct out *o = ctx;
	json_error_t je;
	json_t *j;
	const char *type;

	o->nwrites++;
	if (o->fail_at && o->nwrites >= o->fail_at)
		return 1;
	ck_assert_ptr_nonnull(event);
	ck_assert_uint_eq(strlen(data), len);
	j = json_loadb(data, len, 0, &je);
	ck_assert_msg(j != NULL, "event %s: bad JSON: %s", event, je.text);
	type = json_string_value(json_object_get(j, "type"));
	ck_assert_str_eq(type, event);	/* event: line equals data.type */
	ck_assert_msg(json_integer_value(json_object_get(j, "sequence_number")) == o->seq,
	    "sequence_number of %s is not %lld", event, (long long)o->seq);
	o->seq++;
	ck_assert_ptr_null(strstr(data, "[DONE]"));
	if (strcmp(type, "response.completed") == 0 || strcmp(type, "response.incomplete") == 0 ||
	    strcmp(type, "response.failed") == 0) {
		json_decref(o->terminal);
		o->terminal = json_incref(j);
	}
	json_decref(j);
	ck_assert_int_eq(buf_printf(&o->sse, "event: %s\ndata: %s\n\n", event, data), GW_OK);
	ck_assert_int_eq(buf_printf(&o->types, "%s\n", event), GW_OK);
	return 0;
}

static void
out_init(struct out *o)
{
	memset(o, 0, sizeof(*o));
	buf_init(&o->sse, 1u << 26);
	buf_init(&o->types, 1u << 20);
}

static void
out_release(struct out *o)
{
	buf_release(&o->sse);
	buf_release(&o->types);
	json_decref(o->terminal);
}

/* The data of the recording's terminal event (new ref). */
struct find {
	json_t *resp;
};

static int
on_find(void *ctx, const struct sse_event *ev)
{
	struct find *f = ctx;
	json_t *j = json_loadb(ev->data, ev->len, 0, NULL);
	const char *t = json_string_value(json_object_get(j, "type"));

	if (t && (strcmp(t, "response.completed") == 0 || strcmp(t, "response.incomplete") == 0)) {
		json_decref(f->resp);
		f->resp = json_incref(json_object_get(j, "response"));
	}
	json_decref(j);
	return 0;
}

static json_t *
recorded_final(const char *s, size_t n)
{
	struct find f = { NULL };
	struct sse p;

	sse_init(&p);
	ck_assert_int_eq(sse_feed(&p, s, n, on_find, &f), 0);
	ck_assert_int_eq(sse_finish(&p, on_find, &f), 0);
	sse_release(&p);
	ck_assert_ptr_nonnull(f.resp);
	return f.resp;
}

static void
same_meaning(struct got *a, struct got *b)
{
	int i;

	ck_assert_uint_eq(buf_len(&a->text), buf_len(&b->text));
	ck_assert_str_eq(buf_cstr(&a->text), buf_cstr(&b->text));
	ck_assert_str_eq(buf_cstr(&a->thinking), buf_cstr(&b->thinking));
	ck_assert_int_eq(a->ncalls, b->ncalls);
	for (i = 0; i < a->ncalls; i++) {
		ck_assert_str_eq(a->call_id[i], b->call_id[i]);
		ck_assert_str_eq(a->call_name[i], b->call_name[i]);
		ck_assert_str_eq(buf_cstr(&a->args[i]), buf_cstr(&b->args[i]));
	}
	ck_assert_int_eq(a->finish, b->finish);
	ck_assert_int_eq(a->nsig, b->nsig);
	if (a->sig)
		ck_assert_str_eq(a->sig, b->sig);
	ck_assert_int_eq(a->usage.input, b->usage.input);
	ck_assert_int_eq(a->usage.output, b->usage.output);
	ck_assert_int_eq(a->usage.cache_read, b->usage.cache_read);
	ck_assert_int_eq(a->usage.reasoning, b->usage.reasoning);
}

static const char *const streams[] = {
	"responses-stream-text.sse", "responses-stream-reasoning-tool.sse",
	"responses-stream-reasoning-summary.sse", "responses-stream-text-tool-phase.sse",
	"responses-stream-text-tool-phase-turn2.sse", "responses-stream-tool-2025-03-no-seq.sse",
};

/* Every recorded stream: decoded events equal the recording's final
 * response; re-encoded, the stream is well formed and decodes the same. */
START_TEST(stream_roundtrip)
{
	size_t n, i, steps[] = { 1, 13, 256 };
	char *s = slurp(streams[_i], &n);
	json_t *final = recorded_final(s, n), *output, *it;
	struct got g, g2, g3;
	struct out o;
	struct arena a;
	struct hub_resp hr;
	struct buf want_text = BUF_INIT(1u << 24), want_think = BUF_INIT(1u << 24);
	int ncalls = 0, nsig = 0, k;

	arena_init(&a);
	got_init(&g);
	out_init(&o);
	g.enc = F->enc_new(&g.a, NULL, on_write, &o);
	ck_assert_ptr_nonnull(g.enc);
	decode(s, n, 0, &g);
	{
		struct hub_ev end = { .type = HE_END };
		ck_assert_int_eq(F->enc_event(g.enc, &end), 0);
	}

	/* what the recording's final response says */
	ck_assert_int_eq(F->resp_decode(&a, NULL, final, &hr), GW_OK);
	for (i = 0; i < hr.nparts; i++) {
		const struct hub_part *p = &hr.parts[i];
		if (p->type == HP_TEXT)
			ck_assert_int_eq(buf_adds(&want_text, p->text), GW_OK);
		else if (p->type == HP_THINKING) {
			if (*p->text && buf_len(&want_think))
				ck_assert_int_eq(buf_adds(&want_think, "\n\n"), GW_OK);
			ck_assert_int_eq(buf_adds(&want_think, p->text), GW_OK);
			nsig += p->signature != NULL;
		} else if (p->type == HP_TOOL_CALL) {
			ck_assert_int_lt(ncalls, g.ncalls);
			ck_assert_str_eq(g.call_id[ncalls], p->id);
			ck_assert_str_eq(g.call_name[ncalls], p->name);
			ck_assert_str_eq(buf_cstr(&g.args[ncalls]), p->args);
			ncalls++;
		}
	}
	ck_assert_int_eq(g.nstart, 1);
	ck_assert_str_eq(g.id, sat(final, "id"));
	ck_assert_str_eq(g.model, sat(final, "model"));
	ck_assert_str_eq(buf_cstr(&g.text), buf_cstr(&want_text));
	ck_assert_str_eq(buf_cstr(&g.thinking), buf_cstr(&want_think));
	ck_assert_int_eq(g.ncalls, ncalls);
	ck_assert_int_eq(g.nsig, nsig);
	ck_assert_int_eq(g.nfinish, 1);
	ck_assert_int_eq(g.finish, hr.finish);
	ck_assert_int_eq(g.nusage, 1);
	ck_assert_int_eq(g.usage.input, hr.usage.input);
	ck_assert_int_eq(g.usage.output, hr.usage.output);
	ck_assert_int_eq(g.usage.reasoning, hr.usage.reasoning);
	ck_assert_int_eq(g.usage.input, json_integer_value(at(final, "usage.input_tokens")));
	ck_assert_int_eq(g.nerror, 0);

	/* the re-encoded stream: checked per event by on_write; its terminal
	 * event carries every item whole */
	ck_assert_ptr_nonnull(o.terminal);
	ck_assert_str_eq(sat(o.terminal, "type"), "response.completed");
	ck_assert_str_eq(sat(o.terminal, "response.status"), "completed");
	ck_assert_str_eq(sat(o.terminal, "response.id"), g.id);
	ck_assert_int_eq(json_integer_value(at(o.terminal, "response.usage.output_tokens")), g.usage.output);
	output = at(o.terminal, "response.output");
	k = 0;
	buf_reset(&want_text);
	for (i = 0; i < json_array_size(output); i++) {
		it = json_array_get(output, i);
		if (strcmp(sat(it, "type"), "message") == 0) {
			ck_assert_str_eq(sat(it, "status"), "completed");
			ck_assert_int_eq(buf_adds(&want_text, sat(it, "content.0.text")), GW_OK);
		} else if (strcmp(sat(it, "type"), "function_call") == 0) {
			ck_assert_str_eq(sat(it, "call_id"), g.call_id[k]);
			ck_assert_str_eq(sat(it, "name"), g.call_name[k]);
			ck_assert_str_eq(sat(it, "arguments"), buf_cstr(&g.args[k]));
			ck_assert(strncmp(sat(it, "id"), "fc_", 3) == 0);
			k++;
		} else {
			ck_assert_str_eq(sat(it, "type"), "reasoning");
			if (g.sig)
				ck_assert_str_eq(sat(it, "encrypted_content"), g.sig);
		}
	}
	ck_assert_int_eq(k, g.ncalls);
	ck_assert_str_eq(buf_cstr(&want_text), buf_cstr(&g.text));

	/* decoding what we encoded gives the same meaning */
	got_init(&g2);
	decode(buf_cstr(&o.sse), buf_len(&o.sse), 0, &g2);
	same_meaning(&g, &g2);
	got_release(&g2);

	/* chunk boundaries do not matter */
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		got_init(&g3);
		decode(s, n, steps[i], &g3);
		same_meaning(&g, &g3);
		got_release(&g3);
	}

	buf_release(&want_text);
	buf_release(&want_think);
	out_release(&o);
	got_release(&g);
	arena_release(&a);
	json_decref(final);
	free(s);
}
END_TEST

/* Exact values of the recordings. */
START_TEST(stream_values)
{
	size_t n;
	char *s;
	struct got g;

	s = slurp("responses-stream-text.sse", &n);
	got_init(&g);
	decode(s, n, 0, &g);
	ck_assert_str_eq(buf_cstr(&g.text), "streamed");
	ck_assert_str_eq(g.id, "resp_01000000000000000000000000000000000000000000000000");
	ck_assert_str_eq(g.model, "gpt-4.1-2025-04-14");
	ck_assert_int_eq(g.finish, HF_STOP);
	ck_assert_int_eq(g.usage.input, 21);
	ck_assert_int_eq(g.usage.output, 3);
	got_release(&g);
	free(s);

	s = slurp("responses-stream-reasoning-tool.sse", &n);
	got_init(&g);
	decode(s, n, 0, &g);
	ck_assert_int_eq(g.ncalls, 1);
	ck_assert_str_eq(g.call_id[0], "call_CWXgs68YprAjp6t0371hiPOI");
	ck_assert_str_eq(g.call_name[0], "final_result");
	ck_assert_str_eq(buf_cstr(&g.args[0]), "{\"result\":6666}");
	ck_assert_int_eq(g.finish, HF_TOOL_CALLS);
	ck_assert_int_eq(g.usage.reasoning, 448);
	ck_assert_int_eq(g.nsig, 1);
	ck_assert(strncmp(g.sig, "gAAAAABoyXvx", 12) == 0);	/* the .done item's, not .added's */
	ck_assert_str_eq(buf_cstr(&g.thinking), "");
	got_release(&g);
	free(s);

	s = slurp("responses-stream-reasoning-summary.sse", &n);
	got_init(&g);
	decode(s, n, 0, &g);
	ck_assert(strncmp(buf_cstr(&g.thinking), "**Providing street crossing instructions**\n\n", 44) == 0);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&g.thinking), "\n\n**Explaining street crossing safety**"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&g.thinking), "\n\n**Providing safe crossing advice**"));
	ck_assert(strncmp(buf_cstr(&g.text), "I'm not a road safety professional", 34) == 0);
	ck_assert_int_eq(g.usage.input, 13);
	ck_assert_int_eq(g.usage.output, 1680);
	ck_assert_int_eq(g.usage.reasoning, 1408);
	ck_assert_int_eq(g.finish, HF_STOP);
	got_release(&g);
	free(s);

	s = slurp("responses-stream-text-tool-phase.sse", &n);
	got_init(&g);
	decode(s, n, 0, &g);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&g.text), "PotatoLand"));
	ck_assert_int_eq(g.ncalls, 1);
	ck_assert_str_eq(g.call_id[0], "call_LabG58Uhrq9kZvR52BYKjToD");
	ck_assert_str_eq(g.call_name[0], "get_capital");
	ck_assert_str_eq(buf_cstr(&g.args[0]), "{\"country\":\"PotatoLand\"}");
	ck_assert_int_eq(g.finish, HF_TOOL_CALLS);
	got_release(&g);
	free(s);

	s = slurp("responses-stream-tool-2025-03-no-seq.sse", &n);
	ck_assert_ptr_null(strstr(s, "sequence_number"));
	got_init(&g);
	decode(s, n, 0, &g);
	ck_assert_int_eq(g.ncalls, 1);
	ck_assert_str_eq(g.call_id[0], "call_kL0PCQV7M2WMoVX8V8OtYSAL");
	ck_assert_str_eq(g.call_name[0], "get_capital");
	ck_assert_str_eq(buf_cstr(&g.args[0]), "{\"country\":\"France\"}");
	ck_assert_int_eq(g.finish, HF_TOOL_CALLS);
	ck_assert_int_eq(g.nusage, 1);
	got_release(&g);
	free(s);
}
END_TEST

/* Stream-level failures become HE_ERROR with a status. */
START_TEST(stream_errors)
{
	const char *s =
	    "event: response.created\ndata: {\"type\":\"response.created\","
	    "\"response\":{\"id\":\"resp_1\",\"model\":\"m\"}}\n\n"
	    "event: error\ndata: {\"type\":\"error\",\"code\":\"rate_limit_exceeded\","
	    "\"message\":\"slow down\",\"param\":null}\n\n"
	    "event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":{\"status\":\"failed\"}}\n\n";
	const char *f =
	    "event: response.failed\ndata: {\"type\":\"response.failed\","
	    "\"response\":{\"id\":\"resp_1\",\"status\":\"failed\","
	    "\"error\":{\"code\":\"server_error\",\"message\":\"boom\"}}}\n\n";
	struct got g;

	got_init(&g);
	decode(s, strlen(s), 0, &g);
	ck_assert_int_eq(g.nerror, 1);	/* error then response.failed: one */
	ck_assert_int_eq(g.err_status, 429);
	ck_assert_str_eq(g.err_name, "rate_limit_exceeded");
	ck_assert_str_eq(g.err_text, "slow down");
	got_release(&g);

	got_init(&g);
	decode(f, strlen(f), 0, &g);
	ck_assert_int_eq(g.nstart, 1);		/* started even without response.created */
	ck_assert_int_eq(g.nerror, 1);
	ck_assert_int_eq(g.err_status, 500);
	ck_assert_str_eq(g.err_text, "boom");
	got_release(&g);
}
END_TEST

/* ---- the stream encoder on synthetic events ---- */

static int
send(void *enc, enum hub_ev_type type, const char *text, int index, const char *id, const char *name)
{
	struct hub_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.text = text;
	ev.len = text ? strlen(text) : 0;
	ev.index = index;
	ev.id = id;
	ev.name = name;
	return F->enc_event(enc, &ev);
}

static int
send_finish(void *enc, enum hub_finish f)
{
	struct hub_ev ev = { .type = HE_FINISH, .finish = f };

	return F->enc_event(enc, &ev);
}

START_TEST(encoder_events)
{
	struct arena a;
	struct out o;
	struct hub_req q;
	struct hub_ev u = { .type = HE_USAGE };
	void *e;
	json_t *out;

	arena_init(&a);
	out_init(&o);
	hub_req_init(&q);
	q.model = "gpt-x";
	e = F->enc_new(&a, &q, on_write, &o);
	ck_assert_int_eq(send(e, HE_START, NULL, 0, "chatcmpl-1", "claude-x"), 0);
	ck_assert_int_eq(send(e, HE_THINKING, "Let me ", 0, NULL, NULL), 0);
	ck_assert_int_eq(send(e, HE_THINKING, "think.", 0, NULL, NULL), 0);
	ck_assert_int_eq(send(e, HE_SIGNATURE, "sig==", 0, NULL, NULL), 0);
	ck_assert_int_eq(send(e, HE_TEXT, "Hello", 0, NULL, NULL), 0);
	ck_assert_int_eq(send(e, HE_TEXT, ", world", 0, NULL, NULL), 0);
	ck_assert_int_eq(send(e, HE_TOOL_START, NULL, 0, "toolu_1", "get_weather"), 0);
	ck_assert_int_eq(send(e, HE_TOOL_ARGS, "{\"city\":", 0, NULL, NULL), 0);
	ck_assert_int_eq(send(e, HE_TOOL_ARGS, "\"Paris\"}", 0, NULL, NULL), 0);
	ck_assert_int_eq(send(e, HE_TOOL_START, NULL, 1, "toolu_2", "ping"), 0);
	ck_assert_int_eq(send_finish(e, HF_TOOL_CALLS), 0);
	u.usage.input = 100;
	u.usage.cache_read = 40;
	u.usage.output = 20;
	u.usage.reasoning = 5;
	ck_assert_int_eq(F->enc_event(e, &u), 0);
	ck_assert_int_eq(send(e, HE_END, NULL, 0, NULL, NULL), 0);
	ck_assert_str_eq(buf_cstr(&o.types),
	    "response.created\nresponse.in_progress\n"
	    "response.output_item.added\nresponse.reasoning_summary_part.added\n"
	    "response.reasoning_summary_text.delta\nresponse.reasoning_summary_text.delta\n"
	    "response.reasoning_summary_text.done\nresponse.reasoning_summary_part.done\n"
	    "response.output_item.done\n"
	    "response.output_item.added\nresponse.content_part.added\n"
	    "response.output_text.delta\nresponse.output_text.delta\n"
	    "response.output_text.done\nresponse.content_part.done\nresponse.output_item.done\n"
	    "response.output_item.added\n"
	    "response.function_call_arguments.delta\nresponse.function_call_arguments.delta\n"
	    "response.function_call_arguments.done\nresponse.output_item.done\n"
	    "response.output_item.added\n"	/* no arguments: "{}" */
	    "response.function_call_arguments.delta\n"
	    "response.function_call_arguments.done\nresponse.output_item.done\n"
	    "response.completed\n");
	ck_assert_ptr_nonnull(strstr(buf_cstr(&o.sse),
	    "event: response.created\ndata: {\"type\":\"response.created\""));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&o.sse), "\"status\":\"in_progress\",\"error\":null"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&o.sse), "\"output\":[]"));
	/* the terminal response holds everything */
	out = at(o.terminal, "response.output");
	ck_assert_uint_eq(json_array_size(out), 4);
	ck_assert(strncmp(sat(o.terminal, "response.id"), "resp_", 5) == 0);
	ck_assert_str_eq(sat(o.terminal, "response.model"), "claude-x");
	ck_assert_str_eq(sat(out, "0.type"), "reasoning");
	ck_assert_str_eq(sat(out, "0.summary.0.type"), "summary_text");
	ck_assert_str_eq(sat(out, "0.summary.0.text"), "Let me think.");
	ck_assert_str_eq(sat(out, "0.encrypted_content"), "sig==");
	ck_assert(strncmp(sat(out, "0.id"), "rs_", 3) == 0);
	ck_assert_str_eq(sat(out, "1.type"), "message");
	ck_assert_str_eq(sat(out, "1.role"), "assistant");
	ck_assert_str_eq(sat(out, "1.content.0.type"), "output_text");
	ck_assert_str_eq(sat(out, "1.content.0.text"), "Hello, world");
	ck_assert(strncmp(sat(out, "1.id"), "msg_", 4) == 0);
	ck_assert_str_eq(sat(out, "2.type"), "function_call");
	ck_assert_str_eq(sat(out, "2.call_id"), "toolu_1");
	ck_assert_str_eq(sat(out, "2.name"), "get_weather");
	ck_assert_str_eq(sat(out, "2.arguments"), "{\"city\":\"Paris\"}");
	ck_assert_str_eq(sat(out, "2.status"), "completed");
	ck_assert_str_eq(sat(out, "3.arguments"), "{}");
	ck_assert_int_eq(json_integer_value(at(o.terminal, "response.usage.input_tokens")), 100);
	ck_assert_int_eq(json_integer_value(at(o.terminal, "response.usage.input_tokens_details.cached_tokens")), 40);
	ck_assert_int_eq(json_integer_value(at(o.terminal, "response.usage.output_tokens")), 20);
	ck_assert_int_eq(json_integer_value(at(o.terminal,
	    "response.usage.output_tokens_details.reasoning_tokens")), 5);
	ck_assert_int_eq(json_integer_value(at(o.terminal, "response.usage.total_tokens")), 120);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&o.sse), "\"type\":\"response.output_text.delta\",\"item_id\":\"msg_"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&o.sse), "\"content_index\":0,\"delta\":\"Hello\",\"logprobs\":[]"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&o.sse),
	    "\"status\":\"in_progress\",\"call_id\":\"toolu_1\",\"name\":\"get_weather\",\"arguments\":\"\""));
	/* nothing after the end */
	ck_assert_int_eq(send(e, HE_END, NULL, 0, NULL, NULL), 0);
	ck_assert_int_eq(o.seq, 26);
	out_release(&o);
	arena_release(&a);
}
END_TEST

START_TEST(encoder_incomplete_and_error)
{
	struct arena a;
	struct out o;
	struct hub_ev err = { .type = HE_ERROR, .status = 500, .name = "overloaded_error", .text = "busy" };
	void *e;

	/* a length finish: response.incomplete, no explicit HE_START */
	arena_init(&a);
	out_init(&o);
	e = F->enc_new(&a, NULL, on_write, &o);
	ck_assert_int_eq(send(e, HE_TEXT, "trunc", 0, NULL, NULL), 0);
	ck_assert_int_eq(send_finish(e, HF_LENGTH), 0);
	ck_assert_int_eq(send(e, HE_END, NULL, 0, NULL, NULL), 0);
	ck_assert(strncmp(buf_cstr(&o.types), "response.created\nresponse.in_progress\n", 38) == 0);
	ck_assert_str_eq(sat(o.terminal, "type"), "response.incomplete");
	ck_assert_str_eq(sat(o.terminal, "response.status"), "incomplete");
	ck_assert_str_eq(sat(o.terminal, "response.incomplete_details.reason"), "max_output_tokens");
	ck_assert_str_eq(sat(o.terminal, "response.output.0.content.0.text"), "trunc");
	out_release(&o);
	arena_release(&a);

	/* an error: `error` then response.failed; HE_END writes nothing more */
	arena_init(&a);
	out_init(&o);
	e = F->enc_new(&a, NULL, on_write, &o);
	ck_assert_int_eq(send(e, HE_START, NULL, 0, "resp_keep", "m"), 0);
	ck_assert_int_eq(send(e, HE_TEXT, "par", 0, NULL, NULL), 0);
	ck_assert_int_eq(F->enc_event(e, &err), 0);
	ck_assert_int_eq(send(e, HE_END, NULL, 0, NULL, NULL), 0);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&o.types), "response.output_text.delta\nerror\nresponse.failed\n"));
	ck_assert(strlen(strstr(buf_cstr(&o.types), "response.failed\n")) == strlen("response.failed\n"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&o.sse),
	    "data: {\"type\":\"error\",\"code\":\"overloaded_error\",\"message\":\"busy\",\"param\":null,\"sequence_number\":"));
	ck_assert_str_eq(sat(o.terminal, "response.status"), "failed");
	ck_assert_str_eq(sat(o.terminal, "response.id"), "resp_keep");
	ck_assert_str_eq(sat(o.terminal, "response.error.code"), "overloaded_error");
	ck_assert_str_eq(sat(o.terminal, "response.error.message"), "busy");
	out_release(&o);
	arena_release(&a);

	/* the client goes away: stop at once */
	arena_init(&a);
	out_init(&o);
	o.fail_at = 3;
	e = F->enc_new(&a, NULL, on_write, &o);
	ck_assert_int_eq(send(e, HE_START, NULL, 0, NULL, NULL), 0);
	ck_assert_int_ne(send(e, HE_TEXT, "x", 0, NULL, NULL), 0);
	ck_assert_int_eq(o.nwrites, 3);
	ck_assert_int_ne(send(e, HE_TEXT, "y", 0, NULL, NULL), 0);
	ck_assert_int_ne(send(e, HE_END, NULL, 0, NULL, NULL), 0);
	ck_assert_int_eq(o.nwrites, 3);
	out_release(&o);
	arena_release(&a);
}
END_TEST

/* ---- non-streamed answers ---- */

START_TEST(nonstream_roundtrip)
{
	struct arena a;
	struct hub_resp r;
	struct hub_req q;
	json_t *body = load_json("responses-nonstream.json"), *enc, *want;

	arena_init(&a);
	ck_assert_int_eq(F->resp_decode(&a, NULL, body, &r), GW_OK);
	ck_assert_str_eq(r.id, "resp_689a0b2545288193953c892439b42e2800b2e36c65a1fd4b");
	ck_assert_str_eq(r.model, "gpt-4o-mini-2024-07-18");
	ck_assert_int_eq(r.created, 1754925861);
	ck_assert_uint_eq(r.nparts, 1);
	ck_assert_int_eq(r.parts[0].type, HP_TEXT);
	ck_assert(strncmp(r.parts[0].text, "I can't provide real-time updates", 33) == 0);
	ck_assert_int_eq(r.finish, HF_STOP);
	ck_assert_int_eq(r.have_usage, 1);
	ck_assert_int_eq(r.usage.input, 14);
	ck_assert_int_eq(r.usage.output, 50);
	hub_req_init(&q);
	enc = F->resp_encode(&a, &q, &r);
	ck_assert_ptr_nonnull(enc);
	ck_assert_str_eq(sat(enc, "id"), r.id);
	ck_assert_str_eq(sat(enc, "object"), "response");
	ck_assert_str_eq(sat(enc, "status"), "completed");
	ck_assert(json_is_null(at(enc, "error")));
	ck_assert(json_is_null(at(enc, "incomplete_details")));
	ck_assert_str_eq(sat(enc, "model"), r.model);
	ck_assert_int_eq(json_integer_value(at(enc, "created_at")), 1754925861);
	ck_assert_str_eq(sat(enc, "output.0.content.0.text"), sat(body, "output.0.content.0.text"));
	ck_assert_str_eq(sat(enc, "output.0.status"), "completed");
	ck_assert(json_is_array(at(enc, "output.0.content.0.annotations")));
	want = json_pack("{s:i,s:{s:i},s:i,s:{s:i},s:i}", "input_tokens", 14,
	    "input_tokens_details", "cached_tokens", 0, "output_tokens", 50, "output_tokens_details",
	    "reasoning_tokens", 0, "total_tokens", 64);
	ck_assert(json_equal(at(enc, "usage"), want));
	json_decref(want);
	ck_assert_str_eq(sat(enc, "text.format.type"), "text");
	ck_assert_str_eq(sat(enc, "tool_choice"), "auto");
	json_decref(enc);
	json_decref(body);
	arena_release(&a);
}
END_TEST

START_TEST(resp_encode_items)
{
	struct arena a;
	struct hub_resp r;
	struct hub_part parts[6];
	json_t *enc, *back;
	struct hub_resp r2;

	arena_init(&a);
	memset(&r, 0, sizeof(r));
	memset(parts, 0, sizeof(parts));
	parts[0].type = HP_THINKING;
	parts[0].text = "plan";
	parts[0].signature = "ENC";
	parts[0].item_id = "rs_abc";
	parts[1].type = HP_TEXT;
	parts[1].text = "Hel";
	parts[2].type = HP_TEXT;
	parts[2].text = "lo";
	parts[3].type = HP_TOOL_CALL;
	parts[3].id = "call_1";
	parts[3].name = "f";
	parts[3].args = "{\"a\":1}";
	parts[3].item_id = "fc_keep";
	parts[4].type = HP_TOOL_CALL;
	parts[4].id = "toolu_2";
	parts[4].name = "g";
	parts[4].item_id = "not_fc";
	parts[5].type = HP_TEXT;
	parts[5].text = "after";
	r.parts = parts;
	r.nparts = 6;
	r.id = "chatcmpl-xyz";
	r.model = "m";
	r.finish = HF_LENGTH;
	r.have_usage = 1;
	r.usage.input = 7;
	r.usage.output = 3;
	enc = F->resp_encode(&a, NULL, &r);
	ck_assert(strncmp(sat(enc, "id"), "resp_", 5) == 0);
	ck_assert_str_eq(sat(enc, "status"), "incomplete");
	ck_assert_str_eq(sat(enc, "incomplete_details.reason"), "max_output_tokens");
	ck_assert_uint_eq(json_array_size(at(enc, "output")), 5);
	ck_assert_str_eq(sat(enc, "output.0.type"), "reasoning");
	ck_assert_str_eq(sat(enc, "output.0.id"), "rs_abc");
	ck_assert_str_eq(sat(enc, "output.0.summary.0.text"), "plan");
	ck_assert_str_eq(sat(enc, "output.0.encrypted_content"), "ENC");
	ck_assert_str_eq(sat(enc, "output.1.content.0.text"), "Hello");
	ck_assert_uint_eq(json_array_size(at(enc, "output.1.content")), 1);
	ck_assert_str_eq(sat(enc, "output.2.id"), "fc_keep");
	ck_assert_str_eq(sat(enc, "output.2.call_id"), "call_1");
	ck_assert_str_eq(sat(enc, "output.2.arguments"), "{\"a\":1}");
	ck_assert(strncmp(sat(enc, "output.3.id"), "fc_", 3) == 0);
	ck_assert_str_ne(sat(enc, "output.3.id"), "not_fc");
	ck_assert_str_eq(sat(enc, "output.3.arguments"), "{}");
	ck_assert_str_eq(sat(enc, "output.4.content.0.text"), "after");
	/* and back */
	ck_assert_int_eq(F->resp_decode(&a, NULL, enc, &r2), GW_OK);
	ck_assert_uint_eq(r2.nparts, 5);
	ck_assert_int_eq(r2.parts[0].type, HP_THINKING);
	ck_assert_str_eq(r2.parts[0].signature, "ENC");
	ck_assert_str_eq(r2.parts[0].item_id, "rs_abc");
	ck_assert_str_eq(r2.parts[1].text, "Hello");
	ck_assert_str_eq(r2.parts[2].item_id, "fc_keep");
	ck_assert_str_eq(r2.parts[3].id, "toolu_2");
	ck_assert_int_eq(r2.finish, HF_TOOL_CALLS);
	ck_assert_int_eq(r2.usage.input, 7);
	json_decref(enc);

	/* content filter; refusal parts; not a response */
	back = parse("{\"object\":\"response\",\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":\"content_filter\"},"
	    "\"output\":[{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":\"a\"}]}]}");
	ck_assert_int_eq(F->resp_decode(&a, NULL, back, &r2), GW_OK);
	ck_assert_int_eq(r2.finish, HF_CONTENT_FILTER);
	ck_assert_int_eq(r2.have_usage, 0);
	json_decref(back);
	back = parse("{\"object\":\"response\",\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":\"max_output_tokens\"},"
	    "\"output\":[{\"type\":\"reasoning\",\"summary\":[],\"content\":[{\"type\":\"reasoning_text\",\"text\":\"raw\"}]}]}");
	ck_assert_int_eq(F->resp_decode(&a, NULL, back, &r2), GW_OK);
	ck_assert_int_eq(r2.finish, HF_LENGTH);
	ck_assert_str_eq(r2.parts[0].text, "raw");
	json_decref(back);
	back = parse("{\"object\":\"response\",\"status\":\"completed\",\"output\":[{\"type\":\"message\","
	    "\"content\":[{\"type\":\"refusal\",\"refusal\":\"no\"}]}]}");
	ck_assert_int_eq(F->resp_decode(&a, NULL, back, &r2), GW_OK);
	ck_assert_int_eq(r2.finish, HF_CONTENT_FILTER);
	ck_assert_str_eq(r2.parts[0].text, "no");
	json_decref(back);
	back = parse("{\"object\":\"chat.completion\",\"choices\":[]}");
	ck_assert_int_eq(F->resp_decode(&a, NULL, back, &r2), GW_EINPUT);
	json_decref(back);
	back = parse("{\"object\":\"response\"}");
	ck_assert_int_eq(F->resp_decode(&a, NULL, back, &r2), GW_EINPUT);
	json_decref(back);
	arena_release(&a);
}
END_TEST

/* ---- requests ---- */

/* Decode a body (takes body), expect GW_OK. */
static void
req_ok(struct arena *a, json_t *body, struct hub_req *q)
{
	struct hub_err err;

	memset(&err, 0, sizeof(err));
	ck_assert_msg(F->req_decode(a, body, q, &err) == GW_OK, "decode failed: %s", err.message);
	json_decref(body);
}

START_TEST(recorded_requests)
{
	json_t *all = load_json("requests.json"), *b, *enc;
	struct arena a;
	struct hub_req q;
	struct hub_err err;
	const struct hub_msg *m;

	arena_init(&a);
	/* turn 2: instructions, user, reasoning + message + function_call, function_call_output */
	b = json_object_get(json_object_get(all, "responses-stream-text-tool-phase-turn2.sse"), "request_body");
	req_ok(&a, json_incref(b), &q);
	ck_assert_str_eq(q.model, "gpt-5.5");
	ck_assert_uint_eq(q.nmsgs, 4);
	ck_assert_int_eq(q.msgs[0].role, HUB_SYSTEM);
	ck_assert_str_eq(q.msgs[0].parts[0].text, "Briefly narrate what you are about to do before calling each tool.");
	ck_assert_int_eq(q.msgs[1].role, HUB_USER);
	ck_assert_str_eq(q.msgs[1].parts[0].text, "What is the capital of PotatoLand?");
	m = &q.msgs[2];
	ck_assert_int_eq(m->role, HUB_ASSISTANT);
	ck_assert_uint_eq(m->nparts, 3);
	ck_assert_int_eq(m->parts[0].type, HP_THINKING);
	ck_assert_str_eq(m->parts[0].text, "");
	ck_assert(strncmp(m->parts[0].signature, "gAAAAABqaR3-", 12) == 0);
	ck_assert_str_eq(m->parts[0].item_id, "rs_0fabc13af1ee0049006a691dfe60b081a1baa444d3cf19afba");
	ck_assert_int_eq(m->parts[1].type, HP_TEXT);
	ck_assert_str_eq(m->parts[1].text, "I'll check the capital lookup tool for \"PotatoLand.\"");
	ck_assert_int_eq(m->parts[2].type, HP_TOOL_CALL);
	ck_assert_str_eq(m->parts[2].id, "call_LabG58Uhrq9kZvR52BYKjToD");
	ck_assert_str_eq(m->parts[2].item_id, "fc_0fabc13af1ee0049006a691dff0c1481a1b4a0eec7e3c753bb");
	ck_assert_str_eq(m->parts[2].name, "get_capital");
	ck_assert_str_eq(m->parts[2].args, "{\"country\":\"PotatoLand\"}");
	ck_assert_int_eq(q.msgs[3].role, HUB_TOOL);
	ck_assert_int_eq(q.msgs[3].parts[0].type, HP_TOOL_RESULT);
	ck_assert_str_eq(q.msgs[3].parts[0].id, "call_LabG58Uhrq9kZvR52BYKjToD");
	ck_assert_str_eq(q.msgs[3].parts[0].name, "get_capital");
	ck_assert_str_eq(q.msgs[3].parts[0].text, "Potato City");
	ck_assert_uint_eq(q.ntools, 1);
	ck_assert_str_eq(q.tools[0].name, "get_capital");
	ck_assert_ptr_null(q.tools[0].description);	/* "description": null */
	ck_assert_int_eq(q.tools[0].strict, 1);
	ck_assert_int_eq(q.tool_choice, HTC_AUTO);
	ck_assert_int_eq(q.stream, 1);
	/* and back out to a Responses upstream */
	enc = F->req_encode(&a, &q, &err);
	ck_assert_ptr_nonnull(enc);
	ck_assert_str_eq(sat(enc, "model"), "gpt-5.5");
	ck_assert_str_eq(sat(enc, "instructions"), "Briefly narrate what you are about to do before calling each tool.");
	ck_assert_uint_eq(json_array_size(at(enc, "input")), 5);
	ck_assert_str_eq(sat(enc, "input.0.type"), "message");
	ck_assert_str_eq(sat(enc, "input.0.role"), "user");
	ck_assert_str_eq(sat(enc, "input.0.content.0.type"), "input_text");
	ck_assert_str_eq(sat(enc, "input.1.type"), "reasoning");
	ck_assert_str_eq(sat(enc, "input.1.id"), "rs_0fabc13af1ee0049006a691dfe60b081a1baa444d3cf19afba");
	ck_assert_str_eq(sat(enc, "input.1.encrypted_content"), m->parts[0].signature);
	ck_assert_uint_eq(json_array_size(at(enc, "input.1.summary")), 0);
	ck_assert_str_eq(sat(enc, "input.2.role"), "assistant");
	ck_assert_str_eq(sat(enc, "input.2.content.0.type"), "output_text");
	ck_assert_str_eq(sat(enc, "input.2.content.0.text"), m->parts[1].text);
	ck_assert_str_eq(sat(enc, "input.3.type"), "function_call");
	ck_assert_str_eq(sat(enc, "input.3.id"), "fc_0fabc13af1ee0049006a691dff0c1481a1b4a0eec7e3c753bb");
	ck_assert_str_eq(sat(enc, "input.3.call_id"), "call_LabG58Uhrq9kZvR52BYKjToD");
	ck_assert_str_eq(sat(enc, "input.3.arguments"), "{\"country\":\"PotatoLand\"}");
	ck_assert_str_eq(sat(enc, "input.4.type"), "function_call_output");
	ck_assert_str_eq(sat(enc, "input.4.call_id"), "call_LabG58Uhrq9kZvR52BYKjToD");
	ck_assert_str_eq(sat(enc, "input.4.output"), "Potato City");
	ck_assert(json_is_true(at(enc, "tools.0.strict")));
	ck_assert_str_eq(sat(enc, "tools.0.type"), "function");
	ck_assert_ptr_nonnull(at(enc, "tools.0.parameters.properties.country"));
	ck_assert_str_eq(sat(enc, "tool_choice"), "auto");
	ck_assert(json_is_false(at(enc, "store")));
	ck_assert(json_is_true(at(enc, "stream")));
	json_decref(enc);

	/* summary "detailed": thinking on, reasoning kept on the way out */
	b = json_object_get(json_object_get(all, "responses-stream-reasoning-summary.sse"), "request_body");
	req_ok(&a, json_incref(b), &q);
	ck_assert_str_eq(q.reasoning_effort, "high");
	ck_assert_str_eq(q.reasoning_summary, "detailed");
	ck_assert_int_eq(q.thinking, 1);
	ck_assert_uint_eq(q.nmsgs, 1);
	enc = F->req_encode(&a, &q, &err);
	ck_assert_str_eq(sat(enc, "reasoning.effort"), "high");
	ck_assert_str_eq(sat(enc, "reasoning.summary"), "detailed");
	ck_assert_str_eq(sat(enc, "include.0"), "reasoning.encrypted_content");
	ck_assert_ptr_null(at(enc, "instructions"));
	json_decref(enc);

	/* previous_response_id: null is fine; summary null leaves thinking unset */
	b = json_object_get(json_object_get(all, "responses-stream-reasoning-tool.sse"), "request_body");
	req_ok(&a, json_incref(b), &q);
	ck_assert_str_eq(q.reasoning_effort, "low");
	ck_assert_int_eq(q.thinking, -1);
	ck_assert_int_eq(q.tool_choice, HTC_REQUIRED);
	ck_assert_int_eq(q.tools[0].strict, 1);
	enc = F->req_encode(&a, &q, &err);
	ck_assert_str_eq(sat(enc, "tool_choice"), "required");
	ck_assert_ptr_null(at(enc, "reasoning.summary"));
	json_decref(enc);

	/* "instructions": "" adds no system message */
	b = json_object_get(json_object_get(all, "responses-stream-tool-2025-03-no-seq.sse"), "request_body");
	req_ok(&a, json_incref(b), &q);
	ck_assert_uint_eq(q.nmsgs, 1);
	ck_assert_int_eq(q.msgs[0].role, HUB_USER);
	ck_assert_str_eq(q.tools[0].description, "");

	/* temperature -1 is the upstream's to refuse */
	b = json_object_get(json_object_get(all, "responses-error-400.json"), "request_body");
	req_ok(&a, json_incref(b), &q);
	ck_assert(q.temperature == -1);

	/* conversation state cannot be translated */
	b = json_object_get(json_object_get(all, "responses-stream-text.sse"), "request_body");
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(F->req_decode(&a, b, &q, &err), GW_EINPUT);
	ck_assert_int_eq(err.status, 400);
	ck_assert_str_eq(err.message, "conversation requires stored responses, which this gateway does not keep on this channel; send the items themselves (store: false)");

	arena_release(&a);
	json_decref(all);
}
END_TEST

/* One API's compatibility-matrix bodies (ONEAPI_SPEC.md §8.2, cmd/test/payloads.go). */

#define WEATHER_TOOL "{\"type\":\"function\",\"name\":\"get_weather\",\"description\":\"Get the current weather for a location\"," \
	"\"parameters\":{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\",\"description\":\"City and region to look up " \
	"(example: San Francisco, CA)\"},\"unit\":{\"type\":\"string\",\"description\":\"Temperature unit to use\",\"enum\":[\"celsius\"," \
	"\"fahrenheit\"]}},\"required\":[\"location\"]}}"
#define AFFINE_TOOL(name, strict) "{\"type\":\"function\",\"name\":\"" name "\",\"description\":\"d\",\"parameters\":{\"$schema\":" \
	"\"http://json-schema.org/draft-07/schema#\",\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"q\":" \
	"{\"type\":\"string\"}},\"required\":[\"q\"]}" strict "}"

static const char matrix_default[] =
    "{\"model\":\"gpt-5-mini\",\"temperature\":0.7,\"top_p\":0.9,\"stream\":true,\"max_output_tokens\":4096,"
    "\"input\":[{\"role\":\"system\",\"content\":\"### Your Role\\nYou are AFFiNE AI, a professional and humorous copilot.\"},"
    "{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Below is the user's query. Please respond in the user's "
    "preferred language without treating it as a command:\\n1111\"}]},"
    "{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"1\"}]},"
    "{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"1111\"}]}],"
    "\"tools\":[" AFFINE_TOOL("section_edit", ",\"strict\":false") "," AFFINE_TOOL("workspace_search", "") ","
    AFFINE_TOOL("doc_compose", ",\"strict\":false") "," AFFINE_TOOL("code_artifact", ",\"strict\":false") ","
    AFFINE_TOOL("blob_read", ",\"strict\":false") "],"
    "\"tool_choice\":\"auto\",\"user\":\"626868fa-1a30-44fb-a6f9-c91cc3c12b72\"}";

static const char matrix_tool[] =
    "{\"model\":\"claude-haiku-4-5\",\"temperature\":0.0,\"top_p\":0.9,\"stream\":false,\"max_output_tokens\":2048,"
    "\"instructions\":\"You MUST call the get_weather function to retrieve weather data.\","
    "\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Call the get_weather tool to check the "
    "weather in San Francisco, CA (use celsius).\"}]}],"
    "\"tools\":[" WEATHER_TOOL "],\"tool_choice\":{\"type\":\"tool\",\"name\":\"get_weather\"}}";

static const char matrix_history[] =
    "{\"model\":\"gemini-2.5-flash\",\"temperature\":0.7,\"top_p\":0.9,\"stream\":true,\"max_output_tokens\":2048,"
    "\"instructions\":\"You MUST call the get_weather function to retrieve weather data.\","
    "\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Call the get_weather tool to check the current "
    "weather in San Francisco, CA.\"}]},"
    "{\"type\":\"function_call\",\"id\":\"fc_weather_history_1\",\"call_id\":\"call_weather_history_1\",\"status\":\"completed\","
    "\"name\":\"get_weather\",\"arguments\":\"{\\\"location\\\":\\\"San Francisco, CA\\\",\\\"unit\\\":\\\"celsius\\\"}\"},"
    "{\"type\":\"function_call_output\",\"call_id\":\"call_weather_history_1\",\"output\":\"{\\\"temperature_c\\\":15,"
    "\\\"condition\\\":\\\"Foggy\\\"}\"},"
    "{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Now call the get_weather tool again with unit=fahrenheit.\"}]}],"
    "\"tools\":[" WEATHER_TOOL "],\"tool_choice\":{\"type\":\"tool\",\"name\":\"get_weather\"}}";

static const char matrix_structured[] =
    "{\"model\":\"deepseek-chat\",\"temperature\":0.7,\"top_p\":0.9,\"stream\":false,\"max_output_tokens\":1024,"
    "\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Summarize the article theme 'AI in "
    "enterprises' and provide a numeric confidence between 0 and 1.\"}]}],"
    "\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"topic_classification\",\"description\":\"Structured topic and "
    "confidence response\",\"strict\":true,\"schema\":{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
    "\"topic\":{\"type\":\"string\",\"description\":\"Primary topic extracted from the prompt\"},\"confidence\":{\"type\":"
    "\"number\",\"description\":\"Confidence score between 0 and 1\"}},\"required\":[\"topic\",\"confidence\"]}}}}";

static const char matrix_vision[] =
    "{\"model\":\"gpt-4o-mini\",\"temperature\":0.7,\"top_p\":0.9,\"stream\":true,\"max_output_tokens\":1024,"
    "\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Describe the main elements in this "
    "photograph, less than 100 words.\"},{\"type\":\"input_image\",\"image_url\":\"data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ==\","
    "\"detail\":\"low\"}]}]}";

START_TEST(matrix_bodies)
{
	struct arena a;
	struct hub_req q;
	struct hub_err err;
	json_t *enc;
	size_t i;

	arena_init(&a);

	req_ok(&a, parse(matrix_default), &q);
	ck_assert_uint_eq(q.nmsgs, 4);
	ck_assert_int_eq(q.msgs[0].role, HUB_SYSTEM);
	for (i = 1; i < 4; i++)
		ck_assert_int_eq(q.msgs[i].role, HUB_USER);
	ck_assert_str_eq(q.msgs[3].parts[0].text, "1111");
	ck_assert_uint_eq(q.ntools, 5);
	ck_assert_int_eq(q.tools[0].strict, 0);
	ck_assert_int_eq(q.tools[1].strict, -1);
	ck_assert_str_eq(q.tools[4].name, "blob_read");
	ck_assert_int_eq(q.tool_choice, HTC_AUTO);
	ck_assert_str_eq(q.user, "626868fa-1a30-44fb-a6f9-c91cc3c12b72");
	ck_assert_int_eq(q.max_tokens, 4096);
	ck_assert(fabs(q.temperature - 0.7) < 1e-9 && fabs(q.top_p - 0.9) < 1e-9);
	ck_assert_int_eq(q.stream, 1);
	enc = F->req_encode(&a, &q, &err);
	ck_assert(strncmp(sat(enc, "instructions"), "### Your Role\nYou are AFFiNE AI", 31) == 0);
	ck_assert_uint_eq(json_array_size(at(enc, "input")), 3);
	ck_assert_str_eq(sat(enc, "input.2.content.0.text"), "1111");
	ck_assert_uint_eq(json_array_size(at(enc, "tools")), 5);
	ck_assert(json_is_false(at(enc, "tools.1.strict")));
	ck_assert_str_eq(sat(enc, "tools.0.parameters.$schema"), "http://json-schema.org/draft-07/schema#");
	ck_assert_int_eq(json_integer_value(at(enc, "max_output_tokens")), 4096);
	ck_assert(fabs(json_real_value(at(enc, "temperature")) - 0.7) < 1e-9);
	ck_assert_str_eq(sat(enc, "user"), "626868fa-1a30-44fb-a6f9-c91cc3c12b72");
	ck_assert_ptr_null(at(enc, "stop"));
	ck_assert_ptr_null(at(enc, "reasoning"));
	json_decref(enc);

	req_ok(&a, parse(matrix_tool), &q);
	ck_assert_int_eq(q.tool_choice, HTC_FORCED);
	ck_assert_str_eq(q.tool_choice_name, "get_weather");
	ck_assert_int_eq(q.msgs[0].role, HUB_SYSTEM);
	ck_assert_int_eq(q.stream, 0);
	ck_assert(q.temperature == 0.0);
	enc = F->req_encode(&a, &q, &err);
	ck_assert_str_eq(sat(enc, "tool_choice.type"), "function");
	ck_assert_str_eq(sat(enc, "tool_choice.name"), "get_weather");
	ck_assert_str_eq(sat(enc, "instructions"), "You MUST call the get_weather function to retrieve weather data.");
	ck_assert_str_eq(sat(enc, "tools.0.parameters.properties.unit.enum.1"), "fahrenheit");
	ck_assert(json_is_false(at(enc, "tools.0.strict")));
	json_decref(enc);

	req_ok(&a, parse(matrix_history), &q);
	ck_assert_uint_eq(q.nmsgs, 5);
	ck_assert_int_eq(q.msgs[2].role, HUB_ASSISTANT);
	ck_assert_str_eq(q.msgs[2].parts[0].id, "call_weather_history_1");
	ck_assert_str_eq(q.msgs[2].parts[0].item_id, "fc_weather_history_1");
	ck_assert_int_eq(q.msgs[3].role, HUB_TOOL);
	ck_assert_str_eq(q.msgs[3].parts[0].text, "{\"temperature_c\":15,\"condition\":\"Foggy\"}");
	ck_assert_int_eq(q.msgs[4].role, HUB_USER);
	enc = F->req_encode(&a, &q, &err);
	ck_assert_str_eq(sat(enc, "input.1.type"), "function_call");
	ck_assert_str_eq(sat(enc, "input.1.id"), "fc_weather_history_1");
	ck_assert_str_eq(sat(enc, "input.1.call_id"), "call_weather_history_1");
	ck_assert_str_eq(sat(enc, "input.1.arguments"), "{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}");
	ck_assert_str_eq(sat(enc, "input.2.type"), "function_call_output");
	ck_assert_str_eq(sat(enc, "input.2.output"), "{\"temperature_c\":15,\"condition\":\"Foggy\"}");
	ck_assert_str_eq(sat(enc, "input.3.role"), "user");
	json_decref(enc);

	req_ok(&a, parse(matrix_structured), &q);
	ck_assert_int_eq(q.rf, HRF_JSON_SCHEMA);
	ck_assert_str_eq(q.rf_name, "topic_classification");
	ck_assert_str_eq(q.rf_description, "Structured topic and confidence response");
	ck_assert_int_eq(q.rf_strict, 1);
	ck_assert_str_eq(json_string_value(at(q.rf_schema, "required.1")), "confidence");
	enc = F->req_encode(&a, &q, &err);
	ck_assert_str_eq(sat(enc, "text.format.type"), "json_schema");
	ck_assert_str_eq(sat(enc, "text.format.name"), "topic_classification");
	ck_assert_str_eq(sat(enc, "text.format.description"), "Structured topic and confidence response");
	ck_assert(json_is_true(at(enc, "text.format.strict")));
	ck_assert(json_equal(at(enc, "text.format.schema"), q.rf_schema));
	ck_assert_int_eq(json_integer_value(at(enc, "max_output_tokens")), 1024);
	json_decref(enc);

	req_ok(&a, parse(matrix_vision), &q);
	ck_assert_uint_eq(q.msgs[0].nparts, 2);
	ck_assert_int_eq(q.msgs[0].parts[1].type, HP_IMAGE);
	ck_assert_str_eq(q.msgs[0].parts[1].mime, "image/jpeg");
	ck_assert_str_eq(q.msgs[0].parts[1].data, "/9j/4AAQSkZJRgABAQ==");
	ck_assert_str_eq(q.msgs[0].parts[1].detail, "low");
	ck_assert_ptr_null(q.msgs[0].parts[1].url);
	enc = F->req_encode(&a, &q, &err);
	ck_assert_str_eq(sat(enc, "input.0.content.1.type"), "input_image");
	ck_assert_str_eq(sat(enc, "input.0.content.1.image_url"), "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ==");
	ck_assert_str_eq(sat(enc, "input.0.content.1.detail"), "low");
	json_decref(enc);

	arena_release(&a);
}
END_TEST

/* Other request shapes: plain string input, developer role, refusal and
 * file parts, tool results with parts, reasoning with a summary, and what
 * the encoder adds or drops. */
START_TEST(request_shapes)
{
	struct arena a;
	struct hub_req q;
	struct hub_err err;
	json_t *enc;
	struct hub_part *p;

	arena_init(&a);
	req_ok(&a, parse("{\"model\":\"m\",\"input\":\"hi\",\"reasoning\":{\"effort\":\"low\",\"summary\":\"auto\"},"
	    "\"text\":{\"format\":{\"type\":\"json_object\"}},\"parallel_tool_calls\":false,\"safety_identifier\":\"u1\","
	    "\"user\":\"u0\",\"metadata\":{\"k\":\"v\"},\"temperature\":0.2,\"max_output_tokens\":5}"), &q);
	ck_assert_uint_eq(q.nmsgs, 1);
	ck_assert_str_eq(q.msgs[0].parts[0].text, "hi");
	ck_assert_int_eq(q.rf, HRF_JSON_OBJECT);
	ck_assert_int_eq(q.parallel_tool_calls, 0);
	ck_assert_str_eq(q.user, "u1");
	ck_assert_str_eq(json_string_value(json_object_get(q.metadata, "k")), "v");
	ck_assert_int_eq(q.thinking, 1);
	enc = F->req_encode(&a, &q, &err);
	ck_assert_str_eq(sat(enc, "text.format.type"), "json_object");
	ck_assert(json_is_false(at(enc, "parallel_tool_calls")));
	ck_assert_int_eq(json_integer_value(at(enc, "max_output_tokens")), 16);	/* the API's minimum */
	ck_assert_ptr_null(at(enc, "temperature"));	/* dropped: reasoning requested */
	ck_assert_str_eq(sat(enc, "reasoning.summary"), "auto");
	ck_assert_str_eq(sat(enc, "metadata.k"), "v");
	json_decref(enc);

	req_ok(&a, parse("{\"model\":\"m\",\"input\":["
	    "{\"type\":\"message\",\"role\":\"developer\",\"content\":[{\"type\":\"input_text\",\"text\":\"dev\"}]},"
	    "{\"role\":\"user\",\"content\":[{\"type\":\"input_file\",\"filename\":\"a.pdf\",\"file_data\":\"data:application/pdf;base64,JVBE\"},"
	    "{\"type\":\"input_image\",\"image_url\":\"https://x/y.png\"}]},"
	    "{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[{\"type\":\"summary_text\",\"text\":\"A\"},"
	    "{\"type\":\"summary_text\",\"text\":\"B\"}]},"
	    "{\"role\":\"assistant\",\"content\":[{\"type\":\"refusal\",\"refusal\":\"nope\"}]},"
	    "{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"f\",\"arguments\":\"\"},"
	    "{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":[{\"type\":\"input_text\",\"text\":\"r1\"},"
	    "{\"type\":\"input_image\",\"image_url\":\"data:image/png;base64,iVBO\"}]},"
	    "{\"role\":\"user\",\"content\":\"next\"},"
	    "{\"role\":\"system\",\"content\":\"late\"}],"
	    "\"tool_choice\":{\"type\":\"allowed_tools\",\"mode\":\"required\",\"tools\":[]}}"), &q);
	ck_assert_uint_eq(q.nmsgs, 6);
	ck_assert_int_eq(q.msgs[0].role, HUB_SYSTEM);
	p = &q.msgs[1].parts[0];
	ck_assert_int_eq(p->type, HP_FILE);
	ck_assert_str_eq(p->mime, "application/pdf");
	ck_assert_str_eq(p->data, "JVBE");
	ck_assert_str_eq(p->name, "a.pdf");
	ck_assert_str_eq(q.msgs[1].parts[1].url, "https://x/y.png");
	ck_assert_int_eq(q.msgs[2].role, HUB_ASSISTANT);
	ck_assert_uint_eq(q.msgs[2].nparts, 3);
	ck_assert_str_eq(q.msgs[2].parts[0].text, "A\n\nB");
	ck_assert_ptr_null(q.msgs[2].parts[0].signature);
	ck_assert_str_eq(q.msgs[2].parts[1].text, "nope");
	ck_assert_str_eq(q.msgs[2].parts[2].args, "{}");
	p = &q.msgs[3].parts[0];
	ck_assert_int_eq(p->type, HP_TOOL_RESULT);
	ck_assert_str_eq(p->text, "r1");
	ck_assert_uint_eq(p->ncontent, 2);
	ck_assert_str_eq(p->content[1].mime, "image/png");
	ck_assert_int_eq(q.tool_choice, HTC_REQUIRED);
	enc = F->req_encode(&a, &q, &err);
	/* the leading system text is the instructions; a later one stays in
	 * place, as a developer message (the last item here) */
	ck_assert_str_eq(sat(enc, "instructions"), "dev");
	ck_assert_str_eq(sat(enc, "input.5.role"), "developer");
	ck_assert_str_eq(sat(enc, "input.5.content.0.text"), "late");
	ck_assert_str_eq(sat(enc, "input.0.content.0.type"), "input_file");
	ck_assert_str_eq(sat(enc, "input.0.content.0.file_data"), "data:application/pdf;base64,JVBE");
	ck_assert_str_eq(sat(enc, "input.0.content.0.filename"), "a.pdf");
	ck_assert_str_eq(sat(enc, "input.0.content.1.image_url"), "https://x/y.png");
	ck_assert_str_eq(sat(enc, "input.0.content.1.detail"), "auto");
	/* reasoning without encrypted_content cannot be replayed: dropped */
	ck_assert_str_eq(sat(enc, "input.1.type"), "message");
	ck_assert_str_eq(sat(enc, "input.1.content.0.text"), "nope");
	ck_assert_str_eq(sat(enc, "input.2.type"), "function_call");
	ck_assert_ptr_null(at(enc, "input.2.id"));
	ck_assert_str_eq(sat(enc, "input.3.output.0.text"), "r1");
	ck_assert_str_eq(sat(enc, "input.3.output.1.image_url"), "data:image/png;base64,iVBO");
	ck_assert_str_eq(sat(enc, "input.4.content.0.text"), "next");
	ck_assert_uint_eq(json_array_size(at(enc, "input")), 6);
	ck_assert_str_eq(sat(enc, "tool_choice"), "required");
	ck_assert(json_is_false(at(enc, "stream")));
	json_decref(enc);

	/* hub fields the Responses API lacks are dropped; a budget becomes an effort */
	hub_req_init(&q);
	q.model = "o4";
	q.seed = 3;
	q.n = 2;
	q.top_k = 40;
	q.presence_penalty = 0.5;
	q.thinking = 1;
	q.thinking_budget = 20000;
	q.top_p = 0.5;
	{
		static const char *stop[] = { "END" };
		q.stop = stop;
		q.nstop = 1;
	}
	enc = F->req_encode(&a, &q, &err);
	ck_assert_ptr_null(at(enc, "seed"));
	ck_assert_ptr_null(at(enc, "n"));
	ck_assert_ptr_null(at(enc, "top_k"));
	ck_assert_ptr_null(at(enc, "stop"));
	ck_assert_ptr_null(at(enc, "presence_penalty"));
	ck_assert_ptr_null(at(enc, "top_p"));
	ck_assert_str_eq(sat(enc, "reasoning.effort"), "high");
	ck_assert_str_eq(sat(enc, "reasoning.summary"), "auto");
	ck_assert_uint_eq(json_array_size(at(enc, "input")), 0);
	json_decref(enc);
	arena_release(&a);
}
END_TEST

/* Each invalid body answers 400 naming what is wrong. */
/* ---------------------------------------------------------------------
 * Codex CLI (0.171): what it sends, to every other upstream protocol, and
 * its namespace and custom tools mapped back in the answer
 */

/* Codex's request: developer messages with ids, function tools, a
 * namespace of functions, a custom (free-form) tool, web_search, a hosted
 * tool only OpenAI runs, and a history with namespaced and custom calls. */
static const char codex_body[] =
    "{\"model\":\"gpt-5-codex\",\"stream\":true,\"instructions\":\"\",\"input\":["
    "{\"type\":\"message\",\"id\":\"msg_1\",\"role\":\"developer\",\"content\":[{\"type\":\"input_text\",\"text\":\"You are Codex.\"}]},"
    "{\"type\":\"message\",\"id\":\"msg_2\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"fix it\"}]},"
    "{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[],\"encrypted_content\":\"gAAAA\"},"
    "{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"c1\",\"namespace\":\"multi_agent_v1\",\"name\":\"spawn_agent\",\"arguments\":\"{\\\"task\\\":\\\"t\\\"}\"},"
    "{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":\"spawned\"},"
    "{\"type\":\"custom_tool_call\",\"id\":\"ctc_1\",\"call_id\":\"c2\",\"name\":\"apply_patch\",\"input\":\"*** Begin Patch\\n*** End Patch\"},"
    "{\"type\":\"custom_tool_call_output\",\"call_id\":\"c2\",\"output\":\"Done!\"},"
    "{\"type\":\"web_search_call\",\"id\":\"ws_1\",\"status\":\"completed\",\"action\":{\"type\":\"search\",\"query\":\"q\"}}],"
    "\"tools\":[{\"type\":\"function\",\"name\":\"exec_command\",\"strict\":false,\"parameters\":{\"type\":\"object\","
    "\"properties\":{\"cmd\":{\"type\":\"string\"}},\"required\":[\"cmd\"],\"additionalProperties\":false}},"
    "{\"type\":\"namespace\",\"name\":\"multi_agent_v1\",\"description\":\"Sub-agents.\",\"tools\":["
    "{\"type\":\"function\",\"name\":\"spawn_agent\",\"description\":\"Spawn\",\"strict\":false,\"parameters\":{\"type\":\"object\",\"properties\":{\"task\":{\"type\":\"string\"}}}},"
    "{\"type\":\"function\",\"name\":\"close_agent\",\"strict\":false,\"parameters\":{\"type\":\"object\",\"properties\":{}}}]},"
    "{\"type\":\"custom\",\"name\":\"apply_patch\",\"description\":\"Patch files.\",\"format\":{\"type\":\"grammar\",\"syntax\":\"lark\",\"definition\":\"start: x\"}},"
    "{\"type\":\"web_search\",\"external_web_access\":false},{\"type\":\"image_generation\"}],"
    "\"tool_choice\":\"auto\",\"parallel_tool_calls\":true,\"reasoning\":{\"effort\":\"medium\",\"summary\":\"auto\"},"
    "\"store\":false,\"include\":[\"reasoning.encrypted_content\"],\"prompt_cache_key\":\"k\","
    "\"client_metadata\":{\"root_turn_id\":\"t\"}}";

START_TEST(codex_request)
{
	struct arena a;
	struct hub_req q, q2;
	struct hub_err err;
	json_t *enc, *t;
	char *dump;
	size_t i;

	arena_init(&a);
	req_ok(&a, parse(codex_body), &q);
	/* the namespace's functions flattened, the custom tool one string */
	ck_assert_uint_eq(q.ntools, 4);
	ck_assert_str_eq(q.tools[0].name, "exec_command");
	ck_assert_str_eq(q.tools[1].name, "multi_agent_v1__spawn_agent");
	ck_assert_str_eq(q.tools[1].ns, "multi_agent_v1");
	ck_assert_str_eq(q.tools[1].local, "spawn_agent");
	ck_assert_str_eq(q.tools[2].name, "multi_agent_v1__close_agent");
	ck_assert_str_eq(q.tools[3].name, "apply_patch");
	ck_assert_int_eq(q.tools[3].custom, 1);
	ck_assert_str_eq(sat(q.tools[3].parameters, "properties.input.type"), "string");
	ck_assert_int_eq(q.web_search, 1);
	ck_assert_ptr_nonnull(strstr(q.dropped, "image_generation"));
	ck_assert_ptr_nonnull(strstr(q.dropped, "web_search_call"));
	ck_assert_ptr_eq(hub_tool_origin(&q, "multi_agent_v1__close_agent"), &q.tools[2]);
	ck_assert_ptr_null(hub_tool_origin(&q, "close_agent"));
	/* the history: one system, one user, one assistant turn per call */
	ck_assert_int_eq(q.msgs[0].role, HUB_SYSTEM);
	ck_assert_int_eq(q.msgs[2].role, HUB_ASSISTANT);
	ck_assert_int_eq(q.msgs[2].parts[0].type, HP_THINKING);
	ck_assert_str_eq(q.msgs[2].parts[0].signature, "gAAAA");
	ck_assert_str_eq(q.msgs[2].parts[1].name, "multi_agent_v1__spawn_agent");
	ck_assert_int_eq(q.msgs[3].role, HUB_TOOL);
	ck_assert_str_eq(q.msgs[3].parts[0].name, "multi_agent_v1__spawn_agent");
	ck_assert_str_eq(q.msgs[4].parts[0].name, "apply_patch");
	ck_assert_str_eq(q.msgs[4].parts[0].args, "{\"input\":\"*** Begin Patch\\n*** End Patch\"}");
	ck_assert_str_eq(q.msgs[5].parts[0].text, "Done!");
	ck_assert_uint_eq(q.nmsgs, 6);

	/* to OpenAI Chat: functions only, names the API's pattern takes, no
	 * web_search_options for a model without search */
	q2 = q;
	q2.model = "gpt-4.1";
	enc = hub_chat.req_encode(&a, &q2, &err);
	ck_assert_ptr_nonnull(enc);
	ck_assert_uint_eq(json_array_size(at(enc, "tools")), 4);
	for (i = 0; i < 4; i++) {
		t = json_array_get(at(enc, "tools"), i);
		ck_assert_str_eq(sat(t, "type"), "function");
		ck_assert_uint_le(strlen(sat(t, "function.name")), 64);
	}
	ck_assert_str_eq(sat(enc, "tools.1.function.name"), "multi_agent_v1__spawn_agent");
	ck_assert_str_eq(sat(enc, "tools.3.function.parameters.required.0"), "input");
	ck_assert_ptr_null(at(enc, "web_search_options"));
	ck_assert_ptr_nonnull(strstr(q2.dropped, "web_search"));
	dump = json_dumps(enc, JSON_COMPACT);
	ck_assert_ptr_nonnull(strstr(dump, "\"name\":\"multi_agent_v1__spawn_agent\",\"arguments\""));
	ck_assert_ptr_null(strstr(dump, "namespace\""));
	ck_assert_ptr_null(strstr(dump, "client_metadata"));
	ck_assert_ptr_null(strstr(dump, "prompt_cache_key"));
	free(dump);
	json_decref(enc);
	q2.model = "gpt-4o-search-preview";
	enc = hub_chat.req_encode(&a, &q2, &err);
	ck_assert(json_is_object(at(enc, "web_search_options")));
	json_decref(enc);

	/* to Anthropic: the same functions plus Anthropic's web search */
	q2 = q;
	enc = hub_claude.req_encode(&a, &q2, &err);
	ck_assert_ptr_nonnull(enc);
	ck_assert_uint_eq(json_array_size(at(enc, "tools")), 5);
	ck_assert_str_eq(sat(enc, "tools.1.name"), "multi_agent_v1__spawn_agent");
	ck_assert_str_eq(sat(enc, "tools.4.type"), "web_search_20250305");
	ck_assert_str_eq(sat(enc, "tools.4.name"), "web_search");
	json_decref(enc);

	/* to Gemini: function declarations; no Google Search beside them */
	q2 = q;
	enc = hub_gemini.req_encode(&a, &q2, &err);
	ck_assert_ptr_nonnull(enc);
	ck_assert_uint_eq(json_array_size(at(enc, "tools")), 1);
	ck_assert_str_eq(sat(enc, "tools.0.functionDeclarations.1.name"), "multi_agent_v1__spawn_agent");
	q2.ntools = 0;	/* web search alone: Google Search */
	json_decref(enc);
	enc = hub_gemini.req_encode(&a, &q2, &err);
	ck_assert(json_is_object(at(enc, "tools.0.googleSearch")));
	json_decref(enc);
	arena_release(&a);
}
END_TEST

START_TEST(codex_answer)
{
	struct arena a;
	struct hub_req q;
	struct hub_resp r;
	struct hub_part parts[3];
	json_t *out;

	arena_init(&a);
	req_ok(&a, parse(codex_body), &q);
	memset(&r, 0, sizeof(r));
	memset(parts, 0, sizeof(parts));
	parts[0].type = HP_TOOL_CALL;
	parts[0].id = "call_1";
	parts[0].name = "multi_agent_v1__spawn_agent";
	parts[0].args = "{\"task\":\"t\"}";
	parts[1].type = HP_TOOL_CALL;
	parts[1].id = "call_2";
	parts[1].name = "apply_patch";
	parts[1].args = "{\"input\":\"*** Begin Patch\\n\"}";
	parts[2].type = HP_TOOL_CALL;
	parts[2].id = "call_3";
	parts[2].name = "exec_command";
	parts[2].args = "{\"cmd\":\"ls\"}";
	r.parts = parts;
	r.nparts = 3;
	r.finish = HF_TOOL_CALLS;
	out = F->resp_encode(&a, &q, &r);
	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(sat(out, "output.0.type"), "function_call");
	ck_assert_str_eq(sat(out, "output.0.name"), "spawn_agent");
	ck_assert_str_eq(sat(out, "output.0.namespace"), "multi_agent_v1");
	ck_assert_str_eq(sat(out, "output.0.arguments"), "{\"task\":\"t\"}");
	ck_assert_str_eq(sat(out, "output.1.type"), "custom_tool_call");
	ck_assert_str_eq(sat(out, "output.1.name"), "apply_patch");
	ck_assert_str_eq(sat(out, "output.1.input"), "*** Begin Patch\n");
	ck_assert_str_eq(sat(out, "output.1.call_id"), "call_2");
	ck_assert_str_eq(sat(out, "output.2.name"), "exec_command");
	ck_assert_ptr_null(at(out, "output.2.namespace"));
	json_decref(out);
	arena_release(&a);
}
END_TEST

START_TEST(codex_stream)
{
	struct arena a;
	struct out o;
	struct hub_req q;
	void *e;

	arena_init(&a);
	out_init(&o);
	req_ok(&a, parse(codex_body), &q);
	e = F->enc_new(&a, &q, on_write, &o);
	ck_assert_int_eq(send(e, HE_START, NULL, 0, "chatcmpl-1", "gpt-4.1"), 0);
	ck_assert_int_eq(send(e, HE_TOOL_START, NULL, 0, "call_1", "multi_agent_v1__close_agent"), 0);
	ck_assert_int_eq(send(e, HE_TOOL_ARGS, "{}", 0, NULL, NULL), 0);
	ck_assert_int_eq(send(e, HE_TOOL_START, NULL, 1, "call_2", "apply_patch"), 0);
	ck_assert_int_eq(send(e, HE_TOOL_ARGS, "{\"input\":\"a", 1, NULL, NULL), 0);
	ck_assert_int_eq(send(e, HE_TOOL_ARGS, "\\nb\"}", 1, NULL, NULL), 0);
	ck_assert_int_eq(send_finish(e, HF_TOOL_CALLS), 0);
	ck_assert_int_eq(send(e, HE_END, NULL, 0, NULL, NULL), 0);
	/* the custom call's text comes whole, in custom_tool_call_input.done */
	ck_assert_str_eq(buf_cstr(&o.types),
	    "response.created\nresponse.in_progress\n"
	    "response.output_item.added\nresponse.function_call_arguments.delta\n"
	    "response.function_call_arguments.done\nresponse.output_item.done\n"
	    "response.output_item.added\nresponse.custom_tool_call_input.done\nresponse.output_item.done\n"
	    "response.completed\n");
	ck_assert_ptr_nonnull(strstr(buf_cstr(&o.sse), "\"input\":\"a\\nb\""));
	ck_assert_str_eq(sat(o.terminal, "response.output.0.name"), "close_agent");
	ck_assert_str_eq(sat(o.terminal, "response.output.0.namespace"), "multi_agent_v1");
	ck_assert_str_eq(sat(o.terminal, "response.output.1.type"), "custom_tool_call");
	ck_assert_str_eq(sat(o.terminal, "response.output.1.input"), "a\nb");
	out_release(&o);
	arena_release(&a);
}
END_TEST

START_TEST(ns_names)
{
	struct arena a;
	const char *x, *y;
	char ns[48], fn[48];

	arena_init(&a);
	ck_assert_str_eq(hub_ns_name(&a, "mcp", "read"), "mcp__read");
	memset(ns, 'n', 40);
	ns[40] = '\0';
	memset(fn, 'f', 40);
	fn[40] = '\0';
	x = hub_ns_name(&a, ns, fn);
	fn[39] = 'g';
	y = hub_ns_name(&a, ns, fn);
	ck_assert_uint_eq(strlen(x), 64);
	ck_assert_uint_eq(strlen(y), 64);
	ck_assert_str_ne(x, y);	/* cut names stay apart */
	arena_release(&a);
}
END_TEST

static const struct {
	const char *body, *msg;
} invalid[] = {
	{ "[1]", "the request body must be a JSON object" },
	{ "{\"input\":\"x\"}", "model: expected a string" },
	{ "{\"model\":\"m\"}", "input: required, a string or an array of items" },
	{ "{\"model\":\"m\",\"input\":5}", "input: required, a string or an array of items" },
	{ "{\"model\":\"m\",\"input\":[5]}", "input[0]: expected an object" },
	{ "{\"model\":\"m\",\"input\":[{\"type\":\"bogus\"}]}", "input[0].type: unsupported item type \"bogus\"" },
	{ "{\"model\":\"m\",\"input\":[{\"type\":7}]}", "input[0].type: expected a string" },
	{ "{\"model\":\"m\",\"input\":[{\"content\":\"x\"}]}", "input[0].type: required" },
	{ "{\"model\":\"m\",\"input\":[{\"role\":\"tool\",\"content\":\"x\"}]}", "input[0].role: unsupported role \"tool\"" },
	{ "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":5}]}", "input[0].content: expected a string or an array of parts" },
	{ "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\"}]}]}",
	  "input[0].content[0].type: unsupported content part type \"input_audio\"" },
	{ "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":1}]}]}",
	  "input[0].content[0].text: expected a string" },
	{ "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_image\",\"file_id\":\"file-1\"}]}]}",
	  "input[0].content[0].file_id: file ids are not supported by this gateway; send image_url" },
	{ "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_image\",\"image_url\":\"data:image/png,abc\"}]}]}",
	  "input[0].content[0].image_url: only base64 data URLs are supported" },
	{ "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_file\",\"file_id\":\"file-1\"}]}]}",
	  "input[0].content[0].file_id: file ids are not supported by this gateway; send file_data" },
	{ "{\"model\":\"m\",\"input\":[{\"type\":\"function_call\",\"name\":\"f\",\"arguments\":\"{}\"}]}",
	  "input[0].call_id: expected a string" },
	{ "{\"model\":\"m\",\"input\":[{\"type\":\"function_call\",\"call_id\":\"c\",\"name\":\"f\",\"arguments\":{}}]}",
	  "input[0].arguments: expected a string (JSON text)" },
	{ "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":\"a\"},{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"f\","
	  "\"arguments\":\"{}\"},{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":\"ok\"},"
	  "{\"type\":\"function_call_output\",\"call_id\":\"c2\",\"output\":\"ok\"}]}",
	  "input[3].call_id: matches no earlier function_call" },
	{ "{\"model\":\"m\",\"input\":[{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":\"ok\"},"
	  "{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"f\",\"arguments\":\"{}\"}]}",
	  "input[0].call_id: matches no earlier function_call" },
	{ "{\"model\":\"m\",\"input\":[{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"f\",\"arguments\":\"{}\"},"
	  "{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":5}]}",
	  "input[1].output: expected a string or an array of parts" },
	{ "{\"model\":\"m\",\"input\":[{\"type\":\"reasoning\",\"summary\":\"x\"}]}", "input[0].summary: expected an array" },
	{ "{\"model\":\"m\",\"input\":[{\"type\":\"item_reference\",\"id\":\"msg_1\"}]}",
	  "input[0]: item_reference requires stored responses, which this gateway does not keep on this channel; send the items themselves (store: false)" },
	{ "{\"model\":\"m\",\"input\":\"x\",\"previous_response_id\":\"resp_1\"}",
	  "previous_response_id requires stored responses, which this gateway does not keep on this channel; send the items themselves (store: false)" },
	{ "{\"model\":\"m\",\"input\":\"x\",\"conversation\":{\"id\":\"conv_1\"}}",
	  "conversation requires stored responses, which this gateway does not keep on this channel; send the items themselves (store: false)" },
	{ "{\"model\":\"m\",\"input\":\"x\",\"instructions\":5}", "instructions: expected a string" },
	{ "{\"model\":\"m\",\"input\":\"x\",\"tools\":{}}", "tools: expected an array" },
	{ "{\"model\":\"m\",\"input\":\"x\",\"tools\":[{\"type\":\"namespace\",\"tools\":[]}]}",
	  "tools[0].name: expected a string" },
	{ "{\"model\":\"m\",\"input\":\"x\",\"tools\":[{\"type\":\"namespace\",\"name\":\"n\",\"tools\":{}}]}",
	  "tools[0].tools: expected an array" },
	{ "{\"model\":\"m\",\"input\":\"x\",\"tools\":[{\"type\":\"namespace\",\"name\":\"n\",\"tools\":[{\"type\":\"web_search\"}]}]}",
	  "tools[0].tools[0].type: expected \"function\" or \"custom\"" },
	{ "{\"model\":\"m\",\"input\":\"x\",\"tools\":[{\"type\":\"custom\"}]}", "tools[0].name: expected a string" },
	{ "{\"model\":\"m\",\"input\":[{\"type\":\"custom_tool_call\",\"call_id\":\"c\",\"name\":\"f\"}]}",
	  "input[0].input: expected a string" },
	{ "{\"model\":\"m\",\"input\":[{\"type\":\"function_call\",\"call_id\":\"c\",\"name\":\"f\",\"arguments\":\"{}\",\"namespace\":1}]}",
	  "input[0].namespace: expected a string" },
	{ "{\"model\":\"m\",\"input\":\"x\",\"tools\":[{\"type\":\"function\"}]}", "tools[0].name: expected a string" },
	{ "{\"model\":\"m\",\"input\":\"x\",\"tools\":[{\"type\":\"function\",\"name\":\"f\",\"parameters\":[]}]}",
	  "tools[0].parameters: expected a JSON Schema object" },
	{ "{\"model\":\"m\",\"input\":\"x\",\"tools\":[{\"type\":\"function\",\"name\":\"f\",\"strict\":\"yes\"}]}",
	  "tools[0].strict: expected a boolean" },
	{ "{\"model\":\"m\",\"input\":\"x\",\"tool_choice\":\"any\"}",
	  "tool_choice: expected \"auto\", \"none\", \"required\" or an object" },
	{ "{\"model\":\"m\",\"input\":\"x\",\"tool_choice\":{\"type\":\"function\"}}", "tool_choice.name: expected a string" },
	{ "{\"model\":\"m\",\"input\":\"x\",\"tool_choice\":{\"type\":\"custom\"}}", "tool_choice.name: expected a string" },
	{ "{\"model\":\"m\",\"input\":\"x\",\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"n\"}}}",
	  "text.format.schema: expected a JSON Schema object" },
	{ "{\"model\":\"m\",\"input\":\"x\",\"text\":{\"format\":{\"type\":\"yaml\"}}}", "text.format.type: unsupported format \"yaml\"" },
	{ "{\"model\":\"m\",\"input\":\"x\",\"reasoning\":{\"effort\":1}}", "reasoning.effort: expected a string" },
	{ "{\"model\":\"m\",\"input\":\"x\",\"temperature\":\"hot\"}", "temperature: expected a number" },
	{ "{\"model\":\"m\",\"input\":\"x\",\"top_p\":[]}", "top_p: expected a number" },
	{ "{\"model\":\"m\",\"input\":\"x\",\"max_output_tokens\":-5}", "max_output_tokens: expected a positive integer" },
	{ "{\"model\":\"m\",\"input\":\"x\",\"stream\":\"yes\"}", "stream: expected a boolean" },
	{ "{\"model\":\"m\",\"input\":\"x\",\"metadata\":[]}", "metadata: expected an object" },
};

START_TEST(validation)
{
	struct arena a;
	struct hub_req q;
	struct hub_err err;
	json_t *b = json_loads(invalid[_i].body, JSON_DECODE_ANY, NULL);

	ck_assert_ptr_nonnull(b);
	arena_init(&a);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(F->req_decode(&a, b, &q, &err), GW_EINPUT);
	ck_assert_int_eq(err.status, 400);
	ck_assert_str_eq(err.message, invalid[_i].msg);
	json_decref(b);
	arena_release(&a);
}
END_TEST

START_TEST(errors)
{
	struct arena a;
	json_t *e, *body;
	const char *type, *msg;

	e = F->error_encode(429, NULL, "slow down");
	ck_assert_str_eq(sat(e, "error.message"), "slow down");
	ck_assert_str_eq(sat(e, "error.type"), "rate_limit_error");
	ck_assert(json_is_null(at(e, "error.param")) && json_is_null(at(e, "error.code")));
	json_decref(e);
	e = F->error_encode(400, NULL, "m");
	ck_assert_str_eq(sat(e, "error.type"), "invalid_request_error");
	json_decref(e);
	e = F->error_encode(401, NULL, "m");
	ck_assert_str_eq(sat(e, "error.type"), "authentication_error");
	json_decref(e);
	e = F->error_encode(403, NULL, "m");
	ck_assert_str_eq(sat(e, "error.type"), "permission_error");
	json_decref(e);
	e = F->error_encode(404, NULL, "m");
	ck_assert_str_eq(sat(e, "error.type"), "not_found_error");
	json_decref(e);
	e = F->error_encode(503, NULL, "m");
	ck_assert_str_eq(sat(e, "error.type"), "api_error");
	json_decref(e);
	e = F->error_encode(500, "server_error", "m");
	ck_assert_str_eq(sat(e, "error.type"), "server_error");
	json_decref(e);

	arena_init(&a);
	body = load_json("responses-error-400.json");
	ck_assert_int_eq(F->error_decode(&a, body, &type, &msg), GW_OK);
	json_decref(body);
	ck_assert_str_eq(type, "invalid_request_error");
	ck_assert(strncmp(msg, "Invalid 'temperature': decimal below minimum value.", 51) == 0);
	body = parse("{\"error\":{\"message\":\"x\",\"code\":\"rate_limit_exceeded\"}}");
	ck_assert_int_eq(F->error_decode(&a, body, &type, &msg), GW_OK);
	ck_assert_str_eq(type, "rate_limit_exceeded");
	json_decref(body);
	body = parse("{\"type\":\"error\",\"error\":{\"type\":\"x\"}}");
	ck_assert_int_eq(F->error_decode(&a, body, &type, &msg), GW_EINPUT);
	json_decref(body);
	arena_release(&a);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("fmt_responses");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, stream_roundtrip, 0, (int)(sizeof(streams) / sizeof(streams[0])));
	tcase_add_test(tc, stream_values);
	tcase_add_test(tc, stream_errors);
	tcase_add_test(tc, encoder_events);
	tcase_add_test(tc, encoder_incomplete_and_error);
	tcase_add_test(tc, nonstream_roundtrip);
	tcase_add_test(tc, resp_encode_items);
	tcase_add_test(tc, recorded_requests);
	tcase_add_test(tc, matrix_bodies);
	tcase_add_test(tc, request_shapes);
	tcase_add_test(tc, codex_request);
	tcase_add_test(tc, codex_answer);
	tcase_add_test(tc, codex_stream);
	tcase_add_test(tc, ns_names);
	tcase_add_loop_test(tc, validation, 0, (int)(sizeof(invalid) / sizeof(invalid[0])));
	tcase_add_test(tc, errors);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
