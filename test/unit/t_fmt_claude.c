/* test/unit/t_fmt_claude.c: the Anthropic Messages codec on recorded
 * traffic (streams, answers, request bodies), on the compatibility matrix's
 * Claude bodies and on hand-built hubs that break Anthropic's rules */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "t_core.h"
#include "t_fixtures.h"
#include "hub.h"




/* Equal JSON, or both absent. */
static int
same(json_t *a, json_t *b)
{
	return (a == NULL && b == NULL) || json_equal(a, b);
}

static json_t *
parse(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);

	ck_assert_msg(j != NULL, "bad test JSON: %s", e.text);
	return j;
}

/* ---------------------------------------------------------------------
 * Hub events, collected (with copies, for replay)
 */

#define MAXEV 4096

struct tool {
	char id[128];
	char name[128];
	struct buf args;
};

struct got {
	struct buf text, thinking, sig;
	char *redacted[8];
	int nred;
	struct tool tools[8];
	int ntools;
	char id[128], model[128];
	enum hub_finish finish;
	char stop_seq[64];
	struct hub_usage start, usage;
	int nstart, nusage, nfinish, nerror, error_status;
	struct hub_ev evs[MAXEV];	/* strings malloc'ed */
	int nev;
};

static void
got_init(struct got *g)
{
	int i;

	memset(g, 0, sizeof(*g));
	buf_init(&g->text, 1u << 24);
	buf_init(&g->thinking, 1u << 24);
	buf_init(&g->sig, 1u << 24);
	for (i = 0; i < 8; i++)
		buf_init(&g->tools[i].args, 1u << 24);
}

static void
got_free(struct got *g)
{
	int i;

	buf_release(&g->text);
	buf_release(&g->thinking);
	buf_release(&g->sig);
	for (i = 0; i < 8; i++)
		buf_release(&g->tools[i].args);
	for (i = 0; i < g->nred; i++)
		free(g->redacted[i]);
	for (i = 0; i < g->nev; i++) {
		free((char *)g->evs[i].text);
		free((char *)g->evs[i].id);
		free((char *)g->evs[i].name);
	}
}

static char *
dupn(const char *s, size_t n)
{
	char *t;

	if (s == NULL)
		return NULL;
	t = malloc(n + 1);
	memcpy(t, s, n);
	t[n] = '\0';
	return t;
}

static int
collect(void *ctx, const struct hub_ev *ev)
{
	struct got *g = ctx;
	struct hub_ev *c;
	size_t n = ev->text ? (ev->len ? ev->len : strlen(ev->text)) : 0;

	ck_assert_int_lt(g->nev, MAXEV);
	c = &g->evs[g->nev++];
	*c = *ev;
	c->text = dupn(ev->text, n);
	c->len = n;
	c->id = ev->id ? dupn(ev->id, strlen(ev->id)) : NULL;
	c->name = ev->name ? dupn(ev->name, strlen(ev->name)) : NULL;
	switch (ev->type) {
	case HE_START:
		g->nstart++;
		snprintf(g->id, sizeof(g->id), "%s", ev->id ? ev->id : "");
		snprintf(g->model, sizeof(g->model), "%s", ev->name ? ev->name : "");
		g->start = ev->usage;
		g->usage = ev->usage;
		break;
	case HE_TEXT:
		ck_assert_uint_gt(n, 0);
		ck_assert_int_eq(buf_add(&g->text, ev->text, n), GW_OK);
		break;
	case HE_THINKING:
		ck_assert_uint_gt(n, 0);
		ck_assert_int_eq(buf_add(&g->thinking, ev->text, n), GW_OK);
		break;
	case HE_SIGNATURE:
		ck_assert_int_eq(buf_add(&g->sig, ev->text, n), GW_OK);
		break;
	case HE_REDACTED:
		ck_assert_int_lt(g->nred, 8);
		g->redacted[g->nred++] = dupn(ev->text, n);
		break;
	case HE_TOOL_START:
		ck_assert_int_eq(ev->index, g->ntools);
		ck_assert_int_lt(g->ntools, 8);
		snprintf(g->tools[g->ntools].id, 128, "%s", ev->id ? ev->id : "");
		snprintf(g->tools[g->ntools].name, 128, "%s", ev->name ? ev->name : "");
		g->ntools++;
		break;
	case HE_TOOL_ARGS:
		ck_assert_int_lt(ev->index, g->ntools);
		ck_assert_uint_gt(n, 0);
		ck_assert_int_eq(buf_add(&g->tools[ev->index].args, ev->text, n), GW_OK);
		break;
	case HE_FINISH:
		g->nfinish++;
		g->finish = ev->finish;
		snprintf(g->stop_seq, sizeof(g->stop_seq), "%s", ev->text ? ev->text : "");
		break;
	case HE_USAGE:
		g->nusage++;
		g->usage = ev->usage;
		break;
	case HE_ERROR:
		g->nerror++;
		g->error_status = ev->status;
		break;
	default:
		break;
	}
	return 0;
}

/* Decode an Anthropic stream fed in chunks of step bytes (0 = whole). */
static void
decode_stream(const char *s, size_t n, size_t step, const struct hub_req *req, struct got *g)
{
	struct arena a;
	struct sse p;
	void *d;
	size_t i;

	arena_init(&a);
	got_init(g);
	d = hub_claude.dec_new(&a, req, collect, g);
	ck_assert_ptr_nonnull(d);
	sse_init(&p);
	if (step == 0)
		step = n ? n : 1;
	for (i = 0; i < n; i += step)
		ck_assert_int_eq(sse_feed(&p, s + i, i + step > n ? n - i : step, hub_claude.dec_event, d), 0);
	ck_assert_int_eq(sse_finish(&p, hub_claude.dec_event, d), 0);
	ck_assert_int_eq(hub_claude.dec_end(d), 0);
	sse_release(&p);
	arena_release(&a);
}

/* ---------------------------------------------------------------------
 * The recording's own meaning, read line by line (the oracle)
 */

struct oracle {
	struct buf text, thinking, sig;
	char *args[8];		/* per tool, concatenated partial_json */
	char ids[8][128], names[8][128];
	int ntools;
	char *redacted[8];
	int nred;
	char stop[32];
};

static void
oracle_read(const char *s, struct oracle *o)
{
	const char *line = s, *nl;
	int tool_at[64];
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < 64; i++)
		tool_at[i] = -1;
	buf_init(&o->text, 1u << 24);
	buf_init(&o->thinking, 1u << 24);
	buf_init(&o->sig, 1u << 24);
	for (; *line; line = nl + 1) {
		json_t *j, *cb, *d;
		const char *type, *dt;
		int idx;

		nl = strchr(line, '\n');
		if (nl == NULL)
			nl = line + strlen(line) - 1;
		if (strncmp(line, "data: ", 6) != 0)
			continue;
		j = json_loadb(line + 6, (size_t)(nl - line - 5), 0, NULL);
		ck_assert_ptr_nonnull(j);
		type = json_string_value(json_object_get(j, "type"));
		idx = (int)json_integer_value(json_object_get(j, "index"));
		cb = json_object_get(j, "content_block");
		d = json_object_get(j, "delta");
		dt = json_string_value(json_object_get(d ? d : cb, "type"));
		if (strcmp(type, "content_block_start") == 0 && strcmp(dt, "tool_use") == 0) {
			tool_at[idx] = o->ntools;
			snprintf(o->ids[o->ntools], 128, "%s", json_string_value(json_object_get(cb, "id")));
			snprintf(o->names[o->ntools], 128, "%s", json_string_value(json_object_get(cb, "name")));
			o->args[o->ntools++] = strdup("");
		} else if (strcmp(type, "content_block_start") == 0 && strcmp(dt, "redacted_thinking") == 0)
			o->redacted[o->nred++] = strdup(json_string_value(json_object_get(cb, "data")));
		else if (strcmp(type, "content_block_delta") == 0) {
			if (strcmp(dt, "text_delta") == 0)
				ck_assert_int_eq(buf_adds(&o->text, json_string_value(json_object_get(d, "text"))), GW_OK);
			else if (strcmp(dt, "thinking_delta") == 0)
				ck_assert_int_eq(buf_adds(&o->thinking, json_string_value(json_object_get(d, "thinking"))), GW_OK);
			else if (strcmp(dt, "signature_delta") == 0)
				ck_assert_int_eq(buf_adds(&o->sig, json_string_value(json_object_get(d, "signature"))), GW_OK);
			else if (strcmp(dt, "input_json_delta") == 0) {
				int t = tool_at[idx];
				const char *pj = json_string_value(json_object_get(d, "partial_json"));
				size_t la = strlen(o->args[t]), lp = strlen(pj);
				char *c = malloc(la + lp + 1);
				memcpy(c, o->args[t], la);
				memcpy(c + la, pj, lp + 1);
				free(o->args[t]);
				o->args[t] = c;
			}
		} else if (strcmp(type, "message_delta") == 0)
			snprintf(o->stop, sizeof(o->stop), "%s",
			    json_string_value(json_object_get(d, "stop_reason")));
		json_decref(j);
		if (*nl == '\0')
			break;
	}
}

static void
oracle_free(struct oracle *o)
{
	int i;

	buf_release(&o->text);
	buf_release(&o->thinking);
	buf_release(&o->sig);
	for (i = 0; i < o->ntools; i++)
		free(o->args[i]);
	for (i = 0; i < o->nred; i++)
		free(o->redacted[i]);
}

/* Tool arguments mean the same JSON ("" = {}). */
static void
assert_same_args(const char *a, const char *b)
{
	json_t *ja = json_loads(*a ? a : "{}", 0, NULL), *jb = json_loads(*b ? b : "{}", 0, NULL);

	ck_assert_msg(ja && jb && json_equal(ja, jb), "args differ: '%s' vs '%s'", a, b);
	json_decref(ja);
	json_decref(jb);
}

/* Two decodings carry the same meaning. */
static void
assert_same(struct got *a, struct got *b)
{
	int i;

	ck_assert_str_eq(buf_cstr(&a->text), buf_cstr(&b->text));
	ck_assert_str_eq(buf_cstr(&a->thinking), buf_cstr(&b->thinking));
	ck_assert_str_eq(buf_cstr(&a->sig), buf_cstr(&b->sig));
	ck_assert_int_eq(a->nred, b->nred);
	for (i = 0; i < a->nred; i++)
		ck_assert_str_eq(a->redacted[i], b->redacted[i]);
	ck_assert_int_eq(a->ntools, b->ntools);
	for (i = 0; i < a->ntools; i++) {
		ck_assert_str_eq(a->tools[i].id, b->tools[i].id);
		ck_assert_str_eq(a->tools[i].name, b->tools[i].name);
		assert_same_args(buf_cstr(&a->tools[i].args), buf_cstr(&b->tools[i].args));
	}
	ck_assert_int_eq(a->finish, b->finish);
	ck_assert_str_eq(a->id, b->id);
	ck_assert_str_eq(a->model, b->model);
	ck_assert_int_eq(a->usage.input, b->usage.input);
	ck_assert_int_eq(a->usage.output, b->usage.output);
	ck_assert_int_eq(a->usage.cache_read, b->usage.cache_read);
	ck_assert_int_eq(a->usage.cache_write, b->usage.cache_write);
}

/* ---------------------------------------------------------------------
 * Client stream capture and its structure check
 */

struct cap {
	struct buf out;		/* the SSE text written */
	int n;			/* writes */
	int fail_at;		/* answer non-zero to this write (1-based), 0 never */
};

static int
cap_write(void *ctx, const char *event, const char *data, size_t len)
{
	struct cap *c = ctx;
	json_t *j;

	c->n++;
	if (c->fail_at && c->n >= c->fail_at)
		return 1;
	ck_assert_ptr_nonnull(event);
	j = json_loadb(data, len, 0, NULL);
	ck_assert_msg(j != NULL, "encoder wrote bad JSON: %.*s", (int)len, data);
	/* Every event has its event: line, equal to data.type. */
	ck_assert_str_eq(json_string_value(json_object_get(j, "type")), event);
	json_decref(j);
	ck_assert_int_eq(buf_printf(&c->out, "event: %s\ndata: ", event), GW_OK);
	ck_assert_int_eq(buf_add(&c->out, data, len), GW_OK);
	ck_assert_int_eq(buf_adds(&c->out, "\n\n"), GW_OK);
	return 0;
}

struct seq {
	int started, stopped, delta, open, next, cur, n;
	char first[32];
};

/* message_start first; blocks strictly sequential from 0; every delta in
 * the open block; message_delta then message_stop last. */
static int
seq_check(void *ctx, const struct sse_event *ev)
{
	struct seq *s = ctx;
	json_t *j = json_loadb(ev->data, ev->len, 0, NULL);
	int idx = (int)json_integer_value(json_object_get(j, "index"));

	ck_assert_ptr_nonnull(j);
	if (s->n++ == 0)
		snprintf(s->first, sizeof(s->first), "%s", ev->event);
	ck_assert_int_eq(s->stopped, 0);
	if (strcmp(ev->event, "message_start") == 0) {
		ck_assert_int_eq(s->started, 0);
		s->started = 1;
	} else if (strcmp(ev->event, "content_block_start") == 0) {
		ck_assert(s->started && !s->open && !s->delta);
		ck_assert_int_eq(idx, s->next);
		s->cur = s->next++;
		s->open = 1;
	} else if (strcmp(ev->event, "content_block_delta") == 0) {
		ck_assert(s->open);
		ck_assert_int_eq(idx, s->cur);
	} else if (strcmp(ev->event, "content_block_stop") == 0) {
		ck_assert(s->open);
		ck_assert_int_eq(idx, s->cur);
		s->open = 0;
	} else if (strcmp(ev->event, "message_delta") == 0) {
		ck_assert(s->started && !s->open);
		s->delta = 1;
	} else if (strcmp(ev->event, "message_stop") == 0) {
		ck_assert(s->delta);
		s->stopped = 1;
	}
	json_decref(j);
	return 0;
}

static void
check_structure(const struct buf *out, struct seq *s)
{
	struct sse p;

	memset(s, 0, sizeof(*s));
	sse_init(&p);
	ck_assert_int_eq(sse_feed(&p, buf_cstr(out), buf_len(out), seq_check, s), 0);
	ck_assert_int_eq(sse_finish(&p, seq_check, s), 0);
	sse_release(&p);
	ck_assert_str_eq(s->first, "message_start");
	ck_assert(s->stopped);
}

/* Feed the collected events (plus HE_END) to the Claude encoder. */
static void
encode_events(struct got *g, const struct hub_req *req, struct cap *c)
{
	struct arena a;
	struct hub_ev end;
	void *e;
	int i;

	arena_init(&a);
	memset(c, 0, sizeof(*c));
	buf_init(&c->out, 1u << 26);
	e = hub_claude.enc_new(&a, req, cap_write, c);
	ck_assert_ptr_nonnull(e);
	for (i = 0; i < g->nev; i++)
		ck_assert_int_eq(hub_claude.enc_event(e, &g->evs[i]), 0);
	memset(&end, 0, sizeof(end));
	end.type = HE_END;
	ck_assert_int_eq(hub_claude.enc_event(e, &end), 0);
	ck_assert_int_eq(hub_claude.enc_event(e, &end), 0);	/* after the end: nothing */
	arena_release(&a);
}

/* ---------------------------------------------------------------------
 * Recorded streams
 */

static void
check_stream(const char *file, int64_t in, int64_t out, enum hub_finish fin)
{
	static const size_t steps[] = { 0, 1, 7, 64 };
	struct oracle o;
	struct got g, g2;
	struct cap c;
	struct seq s;
	size_t n, k;
	char *raw = slurp(file, &n);
	int i;

	oracle_read(raw, &o);
	for (k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		decode_stream(raw, n, steps[k], NULL, &g);
		ck_assert_int_eq(g.nstart, 1);
		ck_assert_str_eq(buf_cstr(&g.text), buf_cstr(&o.text));
		ck_assert_str_eq(buf_cstr(&g.thinking), buf_cstr(&o.thinking));
		ck_assert_str_eq(buf_cstr(&g.sig), buf_cstr(&o.sig));
		ck_assert_int_eq(g.nred, o.nred);
		for (i = 0; i < o.nred; i++)
			ck_assert_str_eq(g.redacted[i], o.redacted[i]);
		ck_assert_int_eq(g.ntools, o.ntools);
		for (i = 0; i < o.ntools; i++) {
			ck_assert_str_eq(g.tools[i].id, o.ids[i]);
			ck_assert_str_eq(g.tools[i].name, o.names[i]);
			assert_same_args(buf_cstr(&g.tools[i].args), o.args[i]);
		}
		ck_assert_int_eq(g.nfinish, 1);
		ck_assert_int_eq(g.finish, fin);
		ck_assert_int_eq(g.usage.input, in);
		ck_assert_int_eq(g.usage.output, out);
		ck_assert_int_eq(g.start.input, in);
		ck_assert_int_eq(g.nerror, 0);
		if (k == 0) {
			/* re-encode for a Claude client, then decode that */
			encode_events(&g, NULL, &c);
			check_structure(&c.out, &s);
			decode_stream(buf_cstr(&c.out), buf_len(&c.out), 5, NULL, &g2);
			assert_same(&g, &g2);
			got_free(&g2);
			buf_release(&c.out);
		}
		got_free(&g);
	}
	oracle_free(&o);
	free(raw);
}

START_TEST(stream_text)
{
	struct got g;
	size_t n;
	char *raw = slurp("anthropic-messages-stream-text.sse", &n);

	check_stream("anthropic-messages-stream-text.sse", 20, 5, HF_STOP);
	decode_stream(raw, n, 0, NULL, &g);
	ck_assert_str_eq(buf_cstr(&g.text), "2");
	ck_assert_str_eq(g.id, "msg_018E1hg8GoVTGEKQY3ovMcSJ");
	ck_assert_str_eq(g.model, "claude-sonnet-4-5-20250929");
	ck_assert_int_eq(g.nusage, 1);
	got_free(&g);
	free(raw);
}
END_TEST

START_TEST(stream_tools)
{
	struct got g;
	size_t n;
	char *raw = slurp("anthropic-messages-stream-tools.sse", &n);

	check_stream("anthropic-messages-stream-tools.sse", 377, 65, HF_TOOL_CALLS);
	decode_stream(raw, n, 3, NULL, &g);
	ck_assert_str_eq(buf_cstr(&g.text), "I'll check the current weather in Paris for you.");
	ck_assert_int_eq(g.ntools, 1);
	ck_assert_str_eq(g.tools[0].id, "toolu_01NRLabsLyVHZPKxbKvkfSMn");
	ck_assert_str_eq(g.tools[0].name, "get_weather");
	ck_assert_str_eq(buf_cstr(&g.tools[0].args), "{\"location\": \"Paris\"}");
	got_free(&g);
	free(raw);
}
END_TEST

START_TEST(stream_thinking)
{
	struct got g;
	size_t n;
	char *raw = slurp("anthropic-messages-stream-thinking.sse", &n);

	check_stream("anthropic-messages-stream-thinking.sse", 43, 282, HF_STOP);
	decode_stream(raw, n, 0, NULL, &g);
	ck_assert(strncmp(buf_cstr(&g.thinking), "This is a straightforward question", 34) == 0);
	ck_assert(strncmp(buf_cstr(&g.sig), "EvMCCkYICxgCKkCHP2cSuEdc", 24) == 0);
	ck_assert(strncmp(buf_cstr(&g.text), "Here are the basic steps", 24) == 0);
	got_free(&g);
	free(raw);
}
END_TEST

START_TEST(stream_redacted)
{
	struct got g;
	size_t n;
	char *raw = slurp("anthropic-messages-stream-redacted-thinking.sse", &n);

	check_stream("anthropic-messages-stream-redacted-thinking.sse", 92, 189, HF_STOP);
	decode_stream(raw, n, 0, NULL, &g);
	ck_assert_int_eq(g.nred, 2);
	ck_assert(strncmp(g.redacted[0], "EqkECkYIBxgC", 12) == 0);
	ck_assert(strncmp(g.redacted[1], "EtgBCkYIBxgC", 12) == 0);
	got_free(&g);
	free(raw);
}
END_TEST

/* Cache usage across message_start and message_delta; an error event; a
 * stream cut before message_delta still reports message_start's input. */
START_TEST(stream_usage_error_cut)
{
	static const char cache[] =
	    "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"m\","
	    "\"usage\":{\"input_tokens\":3,\"cache_creation_input_tokens\":418,\"cache_read_input_tokens\":1111,\"output_tokens\":1}}}\n\n"
	    "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"stop_sequence\",\"stop_sequence\":\"END\"},"
	    "\"usage\":{\"output_tokens\":33,\"output_tokens_details\":{\"thinking_tokens\":7}}}\n\n";
	static const char err[] =
	    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"usage\":{\"input_tokens\":9}}}\n\n"
	    "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
	static const char cut[] =
	    "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_3\",\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n"
	    "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
	    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n";
	struct got g;
	struct cap c;

	decode_stream(cache, sizeof(cache) - 1, 0, NULL, &g);
	ck_assert_int_eq(g.usage.input, 3 + 418 + 1111);
	ck_assert_int_eq(g.usage.cache_read, 1111);
	ck_assert_int_eq(g.usage.cache_write, 418);
	ck_assert_int_eq(g.usage.output, 33);
	ck_assert_int_eq(g.usage.reasoning, 7);
	ck_assert_int_eq(g.finish, HF_STOP);
	ck_assert_str_eq(g.stop_seq, "END");
	/* back to a Claude client: input_tokens excludes the cache again */
	encode_events(&g, NULL, &c);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&c.out), "\"input_tokens\":3,"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&c.out), "\"cache_read_input_tokens\":1111"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&c.out), "\"stop_reason\":\"stop_sequence\",\"stop_sequence\":\"END\""));
	buf_release(&c.out);
	got_free(&g);

	decode_stream(err, sizeof(err) - 1, 2, NULL, &g);
	ck_assert_int_eq(g.nerror, 1);
	ck_assert_int_eq(g.error_status, 529);
	ck_assert_int_eq(g.nusage, 0);
	encode_events(&g, NULL, &c);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&c.out),
	    "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"));
	/* nothing after the error: the HE_END wrote no message_stop */
	ck_assert_ptr_null(strstr(buf_cstr(&c.out), "message_stop"));
	buf_release(&c.out);
	got_free(&g);

	decode_stream(cut, sizeof(cut) - 1, 0, NULL, &g);
	ck_assert_str_eq(buf_cstr(&g.text), "Hi");
	ck_assert_int_eq(g.nfinish, 0);
	ck_assert_int_eq(g.nusage, 1);
	ck_assert_int_eq(g.usage.input, 12);
	got_free(&g);
}
END_TEST

/* ---------------------------------------------------------------------
 * Encoder behaviour on hand-made events
 */

static struct hub_ev
ev_make(enum hub_ev_type t, const char *text)
{
	struct hub_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = t;
	ev.text = text;
	ev.len = text ? strlen(text) : 0;
	return ev;
}

START_TEST(encoder_rules)
{
	struct arena a;
	struct cap c;
	struct seq s;
	struct hub_ev ev;
	const char *o;
	void *e;
	struct got g;

	arena_init(&a);
	memset(&c, 0, sizeof(c));
	buf_init(&c.out, 1u << 20);
	e = hub_claude.enc_new(&a, NULL, cap_write, &c);
	/* content before any HE_START: message_start comes first */
	ev = ev_make(HE_THINKING, "hmm");
	ck_assert_int_eq(hub_claude.enc_event(e, &ev), 0);
	ev = ev_make(HE_SIGNATURE, "SIG1");
	ck_assert_int_eq(hub_claude.enc_event(e, &ev), 0);
	ev = ev_make(HE_THINKING, "more");	/* after a signature: a new block */
	ck_assert_int_eq(hub_claude.enc_event(e, &ev), 0);
	ev = ev_make(HE_TEXT, "");		/* never an empty text block */
	ck_assert_int_eq(hub_claude.enc_event(e, &ev), 0);
	ev = ev_make(HE_REDACTED, "RED");
	ck_assert_int_eq(hub_claude.enc_event(e, &ev), 0);
	ev = ev_make(HE_TEXT, "Hello \xff world");	/* bad UTF-8 still goes out */
	ck_assert_int_eq(hub_claude.enc_event(e, &ev), 0);
	ev = ev_make(HE_TOOL_START, NULL);
	ev.id = "call_abc";
	ev.name = "get_weather";
	ck_assert_int_eq(hub_claude.enc_event(e, &ev), 0);
	ev = ev_make(HE_TOOL_ARGS, "{\"a\":");
	ck_assert_int_eq(hub_claude.enc_event(e, &ev), 0);
	ev = ev_make(HE_TOOL_ARGS, "1}");
	ck_assert_int_eq(hub_claude.enc_event(e, &ev), 0);
	ev = ev_make(HE_TOOL_ARGS, "{}");
	ev.index = 5;				/* not the open tool: dropped */
	ck_assert_int_eq(hub_claude.enc_event(e, &ev), 0);
	ev = ev_make(HE_USAGE, NULL);
	ev.usage.input = 100;
	ev.usage.cache_read = 60;
	ev.usage.cache_write = 50;		/* more than input: clamp at 0 */
	ev.usage.output = 9;
	ck_assert_int_eq(hub_claude.enc_event(e, &ev), 0);
	ev = ev_make(HE_END, NULL);
	ck_assert_int_eq(hub_claude.enc_event(e, &ev), 0);
	ev = ev_make(HE_TEXT, "late");
	ck_assert_int_eq(hub_claude.enc_event(e, &ev), 0);
	check_structure(&c.out, &s);
	ck_assert_int_eq(s.next, 5);	/* thinking, thinking, redacted, text, tool_use */
	o = buf_cstr(&c.out);
	ck_assert_ptr_null(strstr(o, "late"));
	ck_assert_ptr_null(strstr(o, "\"text\":\"\"}}\n\nevent: content_block_stop"));
	ck_assert_ptr_nonnull(strstr(o, "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}"));
	ck_assert_ptr_nonnull(strstr(o, "{\"type\":\"signature_delta\",\"signature\":\"SIG1\"}"));
	ck_assert_ptr_nonnull(strstr(o, "\"content_block\":{\"type\":\"redacted_thinking\",\"data\":\"RED\"}"));
	ck_assert_ptr_nonnull(strstr(o, "\"content_block\":{\"type\":\"tool_use\",\"id\":\"call_abc\",\"name\":\"get_weather\",\"input\":{}}"));
	ck_assert_ptr_nonnull(strstr(o, "\"stop_reason\":\"tool_use\""));	/* tool calls, no finish */
	ck_assert_ptr_nonnull(strstr(o, "\"usage\":{\"output_tokens\":9,\"input_tokens\":0,"));
	ck_assert_ptr_nonnull(strstr(o, "\"id\":\"msg_"));
	/* and it decodes back */
	decode_stream(o, strlen(o), 0, NULL, &g);
	ck_assert_str_eq(buf_cstr(&g.thinking), "hmmmore");
	ck_assert_str_eq(buf_cstr(&g.sig), "SIG1");
	ck_assert_str_eq(buf_cstr(&g.text), "Hello \xef\xbf\xbd world");
	ck_assert_int_eq(g.nred, 1);
	ck_assert_str_eq(buf_cstr(&g.tools[0].args), "{\"a\":1}");
	ck_assert_int_eq(g.finish, HF_TOOL_CALLS);
	got_free(&g);
	buf_release(&c.out);
	arena_release(&a);

	/* the client leaves: the encoder says so and writes no more */
	arena_init(&a);
	memset(&c, 0, sizeof(c));
	buf_init(&c.out, 1u << 20);
	c.fail_at = 2;
	e = hub_claude.enc_new(&a, NULL, cap_write, &c);
	ev = ev_make(HE_START, NULL);
	ev.id = "chatcmpl-1";
	ck_assert_int_eq(hub_claude.enc_event(e, &ev), 0);
	ev = ev_make(HE_TEXT, "a");
	ck_assert_int_ne(hub_claude.enc_event(e, &ev), 0);
	ck_assert_int_ne(hub_claude.enc_event(e, &ev), 0);
	ev = ev_make(HE_END, NULL);
	ck_assert_int_ne(hub_claude.enc_event(e, &ev), 0);
	ck_assert_int_eq(c.n, 2);
	buf_release(&c.out);
	arena_release(&a);

	/* HE_FINISH with a stop sequence, HE_START with no content */
	arena_init(&a);
	memset(&c, 0, sizeof(c));
	buf_init(&c.out, 1u << 20);
	e = hub_claude.enc_new(&a, NULL, cap_write, &c);
	ev = ev_make(HE_START, NULL);
	ev.id = "msg_keep";
	ev.name = "claude-x";
	ev.usage.input = 10;
	ev.usage.cache_read = 4;
	ck_assert_int_eq(hub_claude.enc_event(e, &ev), 0);
	ev = ev_make(HE_FINISH, "STOP");
	ev.finish = HF_STOP;
	ck_assert_int_eq(hub_claude.enc_event(e, &ev), 0);
	ev = ev_make(HE_END, NULL);
	ck_assert_int_eq(hub_claude.enc_event(e, &ev), 0);
	o = buf_cstr(&c.out);
	ck_assert_ptr_nonnull(strstr(o, "\"id\":\"msg_keep\""));
	ck_assert_ptr_nonnull(strstr(o, "\"usage\":{\"input_tokens\":6,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":4,\"output_tokens\":0}"));
	ck_assert_ptr_nonnull(strstr(o, "\"stop_reason\":\"stop_sequence\",\"stop_sequence\":\"STOP\""));
	check_structure(&c.out, &s);
	ck_assert_int_eq(s.next, 0);
	buf_release(&c.out);
	arena_release(&a);
}
END_TEST

START_TEST(errors)
{
	static const struct { int status; const char *type; } map[] = {
		{ 400, "invalid_request_error" }, { 401, "authentication_error" },
		{ 402, "billing_error" }, { 403, "permission_error" }, { 404, "not_found_error" },
		{ 413, "request_too_large" }, { 429, "rate_limit_error" }, { 500, "api_error" },
		{ 503, "overloaded_error" }, { 529, "overloaded_error" }, { 504, "timeout_error" },
		{ 502, "api_error" },
	};
	struct arena a;
	const char *type, *msg;
	json_t *j;
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		j = hub_claude.error_encode(map[i].status, NULL, "boom");
		ck_assert_str_eq(json_string_value(json_object_get(j, "type")), "error");
		ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "type")), map[i].type);
		ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "message")), "boom");
		json_decref(j);
	}
	j = hub_claude.error_encode(400, "custom_error", NULL);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "type")), "custom_error");
	json_decref(j);

	arena_init(&a);
	j = load_json("anthropic-error-400.json");
	ck_assert_int_eq(hub_claude.error_decode(&a, j, &type, &msg), GW_OK);
	json_decref(j);
	ck_assert_str_eq(type, "invalid_request_error");
	ck_assert_str_eq(msg, "This model does not support effort level 'xhigh'. Supported levels: high, low, max, medium.");
	j = load_json("anthropic-count-tokens-error-404.json");
	ck_assert_int_eq(hub_claude.error_decode(&a, j, &type, &msg), GW_OK);
	ck_assert_str_eq(type, "not_found_error");
	json_decref(j);
	/* Claude-compatible hosts that answer {"error":{type,message}} */
	j = load_json("openai-chat-error-400.json");
	ck_assert_int_eq(hub_claude.error_decode(&a, j, &type, &msg), GW_OK);
	ck_assert_str_eq(type, "invalid_request_error");
	json_decref(j);
	j = parse("{\"type\":\"message\",\"error\":{\"type\":\"x\"}}");
	ck_assert_int_eq(hub_claude.error_decode(&a, j, &type, &msg), GW_EINPUT);
	json_decref(j);
	j = load_json("anthropic-messages-nonstream.json");
	ck_assert_int_eq(hub_claude.error_decode(&a, j, &type, &msg), GW_EINPUT);
	json_decref(j);
	arena_release(&a);
}
END_TEST

/* ---------------------------------------------------------------------
 * Non-stream answers
 */

START_TEST(nonstream_fixtures)
{
	static const struct {
		const char *file;
		int64_t in, cr, cw, out;
		enum hub_finish fin;
		int nparts;
	} fx[] = {
		{ "anthropic-messages-nonstream.json", 12, 0, 0, 29, HF_STOP, 1 },
		{ "anthropic-messages-nonstream-cache-usage.json", 3 + 418 + 1111, 1111, 418, 33, HF_STOP, 1 },
		{ "anthropic-messages-nonstream-thinking-tool.json", 398, 0, 0, 155, HF_TOOL_CALLS, 3 },
		{ "anthropic-messages-nonstream-thinking-tool-turn2.json", 566, 0, 0, 126, HF_STOP, 1 },
		{ "bedrock-invoke-claude-nonstream.json", -1, -1, -1, -1, HF_STOP, 1 },
	};
	struct hub_resp r;
	struct arena a;
	json_t *j, *back, *u, *ju;
	size_t i;

	for (i = 0; i < sizeof(fx) / sizeof(fx[0]); i++) {
		arena_init(&a);
		j = load_json(fx[i].file);
		ck_assert_int_eq(hub_claude.resp_decode(&a, NULL, j, &r), GW_OK);
		ck_assert_int_eq(r.finish, fx[i].fin);
		ck_assert_int_eq((int)r.nparts, fx[i].nparts);
		ck_assert(r.have_usage);
		ju = json_object_get(j, "usage");
		if (fx[i].in >= 0) {
			ck_assert_int_eq(r.usage.input, fx[i].in);
			ck_assert_int_eq(r.usage.cache_read, fx[i].cr);
			ck_assert_int_eq(r.usage.cache_write, fx[i].cw);
			ck_assert_int_eq(r.usage.output, fx[i].out);
		} else
			ck_assert_int_eq(r.usage.input,
			    json_integer_value(json_object_get(ju, "input_tokens")) +
			    json_integer_value(json_object_get(ju, "cache_creation_input_tokens")) +
			    json_integer_value(json_object_get(ju, "cache_read_input_tokens")));
		back = hub_claude.resp_encode(&a, NULL, &r);
		ck_assert_ptr_nonnull(back);
		/* the same content blocks, stop and usage in Claude's terms */
		ck_assert(json_equal(json_object_get(back, "content"), json_object_get(j, "content")));
		ck_assert(json_equal(json_object_get(back, "stop_reason"), json_object_get(j, "stop_reason")));
		ck_assert(json_is_null(json_object_get(back, "stop_sequence")));
		ck_assert_str_eq(json_string_value(json_object_get(back, "type")), "message");
		ck_assert_str_eq(json_string_value(json_object_get(back, "role")), "assistant");
		ck_assert(json_equal(json_object_get(back, "model"), json_object_get(j, "model")));
		u = json_object_get(back, "usage");
		ck_assert(json_equal(json_object_get(u, "input_tokens"), json_object_get(ju, "input_tokens")));
		ck_assert(json_equal(json_object_get(u, "output_tokens"), json_object_get(ju, "output_tokens")));
		ck_assert(json_equal(json_object_get(u, "cache_read_input_tokens"), json_object_get(ju, "cache_read_input_tokens")));
		ck_assert(json_equal(json_object_get(u, "cache_creation_input_tokens"), json_object_get(ju, "cache_creation_input_tokens")));
		/* Bedrock's msg_bdrk_ ids start with msg_ too: all kept */
		ck_assert(json_equal(json_object_get(back, "id"), json_object_get(j, "id")));
		json_decref(back);
		json_decref(j);
		arena_release(&a);
	}

	arena_init(&a);
	j = load_json("anthropic-messages-nonstream-thinking-tool.json");
	ck_assert_int_eq(hub_claude.resp_decode(&a, NULL, j, &r), GW_OK);
	json_decref(j);		/* the hub keeps what it needs */
	ck_assert_int_eq(r.parts[0].type, HP_THINKING);
	ck_assert(strncmp(r.parts[0].signature, "EqEECkYICxgCKkAo3UA4", 20) == 0);
	ck_assert(strncmp(r.parts[0].text, "The user is asking", 18) == 0);
	ck_assert_int_eq(r.parts[1].type, HP_TEXT);
	ck_assert_int_eq(r.parts[2].type, HP_TOOL_CALL);
	ck_assert_str_eq(r.parts[2].id, "toolu_01YGzqpRE16Vricda3Aqcejo");
	ck_assert_str_eq(r.parts[2].name, "get_user_country");
	ck_assert_str_eq(r.parts[2].args, "{}");
	ck_assert_str_eq(r.id, "msg_01WvueFjZVbHcj4H4zUzeGv2");
	j = load_json("openai-chat-nonstream.json");
	ck_assert_int_eq(hub_claude.resp_decode(&a, NULL, j, &r), GW_EINPUT);
	json_decref(j);
	arena_release(&a);
}
END_TEST

/* A foreign answer: ids get msg_, tool input parsed, no empty text. */
START_TEST(resp_encode_foreign)
{
	struct hub_resp r;
	struct hub_part *p;
	struct arena a;
	json_t *o, *c;

	arena_init(&a);
	memset(&r, 0, sizeof(r));
	r.id = "chatcmpl-123";
	r.model = "gpt-x";
	p = hub_add_part(&a, &r.parts, &r.nparts, HP_THINKING);
	p->text = "why";
	p = hub_add_part(&a, &r.parts, &r.nparts, HP_TEXT);
	p->text = "";
	p = hub_add_part(&a, &r.parts, &r.nparts, HP_TOOL_CALL);
	p->id = "call_1";
	p->name = "f";
	p->args = "{\"x\":[1,2]}";
	p = hub_add_part(&a, &r.parts, &r.nparts, HP_TOOL_CALL);
	p->id = "call_2";
	p->name = "g";
	p->args = "not json";
	r.finish = HF_LENGTH;
	r.usage.input = 5;
	r.usage.cache_read = 9;
	r.have_usage = 1;
	o = hub_claude.resp_encode(&a, NULL, &r);
	c = json_object_get(o, "content");
	ck_assert(strncmp(json_string_value(json_object_get(o, "id")), "msg_", 4) == 0);
	ck_assert_uint_eq(json_array_size(c), 3);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(c, 0), "signature")), "");
	{
		json_t *want = parse("{\"x\":[1,2]}");
		ck_assert(json_equal(json_object_get(json_array_get(c, 1), "input"), want));
		json_decref(want);
	}
	ck_assert_uint_eq(json_object_size(json_object_get(json_array_get(c, 2), "input")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(o, "stop_reason")), "max_tokens");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o, "usage"), "input_tokens")), 0);
	json_decref(o);
	r.finish = HF_CONTENT_FILTER;
	o = hub_claude.resp_encode(&a, NULL, &r);
	ck_assert_str_eq(json_string_value(json_object_get(o, "stop_reason")), "refusal");
	json_decref(o);
	arena_release(&a);
}
END_TEST

/* ---------------------------------------------------------------------
 * Requests: Anthropic's rules for what req_encode sends
 */

static int
id_ok(const char *s)
{
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > 64)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

static void
check_rules(json_t *o)
{
	json_t *msgs = json_object_get(o, "messages"), *m, *b, *th, *tc;
	json_t *prev_uses = NULL;
	size_t i, j;
	const char *prev = NULL;

	ck_assert(json_is_integer(json_object_get(o, "max_tokens")));
	ck_assert_int_ge(json_integer_value(json_object_get(o, "max_tokens")), 1);
	ck_assert(json_is_array(msgs) && json_array_size(msgs) > 0);
	json_array_foreach(msgs, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		json_t *c = json_object_get(m, "content");
		json_t *uses = json_object();
		int past_results = 0;

		ck_assert_ptr_nonnull(role);
		ck_assert_msg(strcmp(role, "user") == 0 || strcmp(role, "assistant") == 0, "role %s", role);
		if (i == 0)
			ck_assert_str_eq(role, "user");
		else
			ck_assert_str_ne(role, prev);	/* alternation */
		ck_assert(json_is_array(c) && json_array_size(c) > 0);
		json_array_foreach(c, j, b) {
			const char *t = json_string_value(json_object_get(b, "type"));
			ck_assert_ptr_nonnull(t);
			if (strcmp(t, "text") == 0)
				ck_assert_uint_gt(strlen(json_string_value(json_object_get(b, "text"))), 0);
			if (strcmp(t, "tool_result") == 0) {
				const char *id = json_string_value(json_object_get(b, "tool_use_id"));
				ck_assert_str_eq(role, "user");
				ck_assert_msg(!past_results, "tool_result after other blocks");
				ck_assert(id_ok(id));
				ck_assert_msg(json_object_get(prev_uses, id) != NULL, "result %s answers no tool_use", id);
				json_object_del(prev_uses, id);
			} else
				past_results = 1;
			if (strcmp(t, "tool_use") == 0) {
				ck_assert_str_eq(role, "assistant");
				ck_assert(id_ok(json_string_value(json_object_get(b, "id"))));
				ck_assert(id_ok(json_string_value(json_object_get(b, "name"))));
				ck_assert(json_is_object(json_object_get(b, "input")));
				json_object_set_new(uses, json_string_value(json_object_get(b, "id")), json_true());
			}
			if (strcmp(t, "thinking") == 0)
				ck_assert_uint_gt(strlen(json_string_value(json_object_get(b, "signature"))), 0);
		}
		/* every tool_use is answered in the next (user) message */
		if (prev_uses != NULL && strcmp(role, "user") == 0)
			ck_assert_msg(json_object_size(prev_uses) == 0, "unanswered tool_use");
		json_decref(prev_uses);
		prev_uses = uses;
		prev = role;
	}
	json_decref(prev_uses);
	if (json_object_get(o, "system") != NULL) {
		ck_assert(json_is_array(json_object_get(o, "system")));
		json_array_foreach(json_object_get(o, "system"), j, b) {
			ck_assert_str_eq(json_string_value(json_object_get(b, "type")), "text");
			ck_assert_uint_gt(strlen(json_string_value(json_object_get(b, "text"))), 0);
		}
	}
	tc = json_object_get(o, "tool_choice");
	if (tc != NULL)
		ck_assert_uint_gt(json_array_size(json_object_get(o, "tools")), 0);
	json_array_foreach(json_object_get(o, "tools"), j, b) {
		ck_assert(id_ok(json_string_value(json_object_get(b, "name"))));
		ck_assert_str_eq(json_string_value(json_object_get(json_object_get(b, "input_schema"), "type")), "object");
		ck_assert_ptr_null(json_object_get(b, "strict"));
	}
	if (json_object_get(o, "temperature") != NULL) {
		double t = json_number_value(json_object_get(o, "temperature"));
		ck_assert(t >= 0 && t <= 1);
		ck_assert_ptr_null(json_object_get(o, "top_p"));
	}
	th = json_object_get(o, "thinking");
	if (th != NULL && strcmp(json_string_value(json_object_get(th, "type")), "enabled") == 0) {
		int64_t bud = json_integer_value(json_object_get(th, "budget_tokens"));
		ck_assert_int_ge(bud, 1024);
		ck_assert_int_lt(bud, json_integer_value(json_object_get(o, "max_tokens")));
		ck_assert_ptr_null(json_object_get(o, "temperature"));
		ck_assert_ptr_null(json_object_get(o, "top_p"));
		ck_assert_ptr_null(json_object_get(o, "top_k"));
		if (tc != NULL) {
			const char *t = json_string_value(json_object_get(tc, "type"));
			ck_assert(strcmp(t, "auto") == 0 || strcmp(t, "none") == 0);
		}
	}
}

/* Decode a Claude body, encode it back, check the rules; returns the
 * encoded request (new ref). */
static json_t *
roundtrip(struct arena *a, json_t *body, struct hub_req *q)
{
	struct hub_err err;
	json_t *o;

	memset(&err, 0, sizeof(err));
	ck_assert_msg(hub_claude.req_decode(a, body, q, &err) == GW_OK, "decode: %s", err.message);
	o = hub_claude.req_encode(a, q, &err);
	ck_assert_msg(o != NULL, "encode: %s", err.message);
	check_rules(o);
	return o;
}

START_TEST(recorded_requests)
{
	json_t *all = load_json("requests.json"), *v, *o, *body;
	const char *key;
	struct hub_req q;
	struct arena a;
	int n = 0;

	json_object_foreach(all, key, v) {
		const char *uri = json_string_value(json_object_get(v, "uri"));

		if (strstr(uri, "api.anthropic.com/v1/messages") == NULL && strstr(key, "bedrock-invoke") == NULL)
			continue;
		n++;
		arena_init(&a);
		body = json_deep_copy(json_object_get(v, "request_body"));
		o = roundtrip(&a, body, &q);
		/* what the client said survives */
		if (json_object_get(body, "model"))
			ck_assert(json_equal(json_object_get(o, "model"), json_object_get(body, "model")));
		if (json_object_get(body, "output_config") != NULL) {
			/* effort alone turns thinking on, with room for its budget */
			ck_assert_str_eq(q.reasoning_effort, "xhigh");
			ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o, "thinking"), "budget_tokens")), 32000);
			ck_assert_int_eq(json_integer_value(json_object_get(o, "max_tokens")), 32000 + 1024);
		} else if (json_object_get(body, "max_tokens"))
			ck_assert(json_equal(json_object_get(o, "max_tokens"), json_object_get(body, "max_tokens")));
		else
			ck_assert_int_eq(json_integer_value(json_object_get(o, "max_tokens")), 4096);
		if (json_object_get(body, "output_config") == NULL)
			ck_assert(same(json_object_get(o, "thinking"), json_object_get(body, "thinking")));
		ck_assert(same(json_object_get(o, "tool_choice"), json_object_get(body, "tool_choice")));
		ck_assert(same(json_object_get(o, "tools"), json_object_get(body, "tools")));
		if (json_object_get(body, "stream"))
			ck_assert_int_eq(json_is_true(json_object_get(o, "stream")), json_is_true(json_object_get(body, "stream")));
		if (strcmp(key, "anthropic-messages-nonstream-thinking-tool-turn2.json") == 0) {
			json_t *m1 = json_array_get(json_object_get(body, "messages"), 1);
			json_t *m2 = json_array_get(json_object_get(body, "messages"), 2);
			json_t *e2;

			ck_assert_int_eq((int)q.nmsgs, 3);
			ck_assert_int_eq(q.msgs[0].role, HUB_USER);
			ck_assert_int_eq(q.msgs[1].role, HUB_ASSISTANT);
			ck_assert_int_eq((int)q.msgs[1].nparts, 3);
			ck_assert_int_eq(q.msgs[1].parts[0].type, HP_THINKING);
			ck_assert(strncmp(q.msgs[1].parts[0].signature, "EqEECkYI", 8) == 0);
			ck_assert_int_eq(q.msgs[1].parts[2].type, HP_TOOL_CALL);
			ck_assert_str_eq(q.msgs[1].parts[2].args, "{}");
			ck_assert_int_eq(q.msgs[2].role, HUB_TOOL);
			ck_assert_str_eq(q.msgs[2].parts[0].id, "toolu_01YGzqpRE16Vricda3Aqcejo");
			ck_assert_str_eq(q.msgs[2].parts[0].name, "get_user_country");
			ck_assert_str_eq(q.msgs[2].parts[0].text, "Mexico");
			ck_assert_int_eq(q.msgs[2].parts[0].is_error, 0);
			ck_assert_int_eq(q.thinking, 1);
			ck_assert_int_eq(q.thinking_budget, 3000);
			ck_assert_int_eq(q.tool_choice, HTC_AUTO);
			/* the assistant turn goes back byte-for-byte in meaning */
			ck_assert(json_equal(json_array_get(json_object_get(o, "messages"), 1), m1));
			e2 = json_array_get(json_object_get(json_array_get(json_object_get(o, "messages"), 2), "content"), 0);
			ck_assert(json_equal(json_object_get(e2, "tool_use_id"),
			    json_object_get(json_array_get(json_object_get(m2, "content"), 0), "tool_use_id")));
			ck_assert_str_eq(json_string_value(json_object_get(e2, "content")), "Mexico");
		}
		if (strcmp(key, "anthropic-messages-nonstream-cache-usage.json") == 0) {
			ck_assert_int_eq(q.msgs[0].role, HUB_SYSTEM);
			ck_assert_str_eq(q.msgs[0].parts[0].text, "You are a helpful assistant.");
			ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(o, "system"), 0), "text")),
			    "You are a helpful assistant.");
			ck_assert(json_equal(json_object_get(o, "messages"), json_object_get(body, "messages")));
		}
		if (strcmp(key, "bedrock-invoke-claude-nonstream.json") == 0) {
			/* cache_control on a block is kept */
			json_t *m = json_array_get(json_object_get(o, "messages"), 2);
			json_t *cc = json_object_get(json_array_get(json_object_get(m, "content"), 0), "cache_control");
			ck_assert_str_eq(json_string_value(json_object_get(cc, "ttl")), "5m");
		}
		json_decref(o);
		json_decref(body);
		arena_release(&a);
	}
	ck_assert_int_ge(n, 8);
	json_decref(all);
}
END_TEST

/* ONEAPI_SPEC §8.2: the matrix's Claude bodies */
#define WEATHER_TOOL "{\"name\":\"get_weather\",\"description\":\"Get the current weather for a location\"," \
	"\"input_schema\":{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\",\"description\":" \
	"\"City and region to look up (example: San Francisco, CA)\"},\"unit\":{\"type\":\"string\",\"description\":" \
	"\"Temperature unit to use\",\"enum\":[\"celsius\",\"fahrenheit\"]}},\"required\":[\"location\"]}}"
#define PING_TOOL "{\"name\":\"ping\",\"description\":\"Return a pong response.\",\"input_schema\":" \
	"{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{}}}"
#define TOPIC_SCHEMA "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"topic\":{\"type\":\"string\"}," \
	"\"confidence\":{\"type\":\"number\"}},\"required\":[\"topic\",\"confidence\"]}"

static const char *matrix[] = {
	/* default */
	"{\"model\":\"claude-haiku-4-5\",\"max_tokens\":2048,\"temperature\":0.7,\"top_p\":0.9,\"top_k\":40,\"stream\":true,"
	"\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Say hello in one sentence.\"}]}]}",
	/* tool */
	"{\"model\":\"claude-haiku-4-5\",\"max_tokens\":2048,\"temperature\":0.0,\"top_p\":0.9,\"top_k\":40,\"stream\":false,"
	"\"system\":\"You are a weather assistant. You MUST call the get_weather function.\","
	"\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Call the get_weather tool to check the current weather in San Francisco, CA.\"}]}],"
	"\"tools\":[" WEATHER_TOOL "],\"tool_choice\":{\"type\":\"tool\",\"name\":\"get_weather\"}}",
	/* tool history */
	"{\"model\":\"claude-haiku-4-5\",\"max_tokens\":2048,\"temperature\":0.7,\"top_p\":0.9,\"top_k\":40,\"stream\":false,"
	"\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Call the get_weather tool to check the current weather in San Francisco, CA.\"}]},"
	"{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_weather_history_1\",\"name\":\"get_weather\","
	"\"input\":{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}}]},"
	"{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_weather_history_1\","
	"\"content\":[{\"type\":\"text\",\"text\":\"{\\\"temperature_c\\\":15,\\\"condition\\\":\\\"Foggy\\\"}\"}]},"
	"{\"type\":\"text\",\"text\":\"Now call the get_weather tool again with unit=fahrenheit.\"}]}],"
	"\"tools\":[" WEATHER_TOOL "],\"tool_choice\":{\"type\":\"tool\",\"name\":\"get_weather\"}}",
	/* structured */
	"{\"model\":\"claude-haiku-4-5\",\"max_tokens\":512,\"temperature\":0.7,\"top_p\":0.9,\"top_k\":40,\"stream\":true,"
	"\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Provide a JSON object with fields topic and confidence (0-1) describing AI adoption in enterprises.\"}]}],"
	"\"tools\":[{\"name\":\"topic_classifier\",\"description\":\"Return structured topic and confidence data\",\"input_schema\":" TOPIC_SCHEMA "}],"
	"\"tool_choice\":{\"type\":\"tool\",\"name\":\"topic_classifier\"}}",
	/* ping forced, history */
	"{\"model\":\"claude-haiku-4-5\",\"max_tokens\":256,\"temperature\":0,\"top_p\":1.0,\"stream\":true,"
	"\"system\":\"You MUST call the ping function exactly once.\","
	"\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Call ping now.\"}]},"
	"{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_ping_history_1\",\"name\":\"ping\",\"input\":{}}]},"
	"{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_ping_history_1\",\"content\":\"{\\\"pong\\\":true}\"},"
	"{\"type\":\"text\",\"text\":\"Call ping again.\"}]}],"
	"\"tools\":[" PING_TOOL "],\"tool_choice\":{\"type\":\"tool\",\"name\":\"ping\"}}",
	/* ping auto (Claude: no tool_choice) */
	"{\"model\":\"claude-haiku-4-5\",\"max_tokens\":128,\"messages\":[{\"role\":\"user\",\"content\":"
	"\"If you can call tools, call ping. Otherwise reply with the single word: pong.\"}],\"tools\":[" PING_TOOL "]}",
};

START_TEST(matrix_bodies)
{
	struct hub_req q;
	struct arena a;
	json_t *body, *o, *m, *c;
	size_t i;

	for (i = 0; i < sizeof(matrix) / sizeof(matrix[0]); i++) {
		arena_init(&a);
		body = parse(matrix[i]);
		o = roundtrip(&a, body, &q);
		ck_assert(same(json_object_get(o, "tools"), json_object_get(body, "tools")));
		ck_assert(same(json_object_get(o, "tool_choice"), json_object_get(body, "tool_choice")));
		if (json_object_get(body, "temperature") != NULL)
			ck_assert(json_equal(json_object_get(o, "temperature"), json_object_get(body, "temperature")) ||
			    json_number_value(json_object_get(o, "temperature")) == json_number_value(json_object_get(body, "temperature")));
		ck_assert(same(json_object_get(o, "top_k"), json_object_get(body, "top_k")));
		json_decref(o);
		json_decref(body);
		arena_release(&a);
	}

	/* the history body in detail */
	arena_init(&a);
	body = parse(matrix[2]);
	o = roundtrip(&a, body, &q);
	ck_assert_int_eq((int)q.nmsgs, 4);
	ck_assert_int_eq(q.msgs[1].role, HUB_ASSISTANT);
	ck_assert_str_eq(q.msgs[1].parts[0].id, "toolu_weather_history_1");
	assert_same_args(q.msgs[1].parts[0].args, "{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}");
	/* the tool result comes before the text of its user message */
	ck_assert_int_eq(q.msgs[2].role, HUB_TOOL);
	ck_assert_str_eq(q.msgs[2].parts[0].id, "toolu_weather_history_1");
	ck_assert_str_eq(q.msgs[2].parts[0].text, "{\"temperature_c\":15,\"condition\":\"Foggy\"}");
	ck_assert_ptr_null(q.msgs[2].parts[0].content);
	ck_assert_int_eq(q.msgs[3].role, HUB_USER);
	ck_assert_str_eq(q.msgs[3].parts[0].text, "Now call the get_weather tool again with unit=fahrenheit.");
	ck_assert_int_eq(q.tool_choice, HTC_FORCED);
	ck_assert_str_eq(q.tool_choice_name, "get_weather");
	ck_assert_int_eq(q.top_k, 40);
	ck_assert(fabs(q.temperature - 0.7) < 1e-9);
	ck_assert(fabs(q.top_p - 0.9) < 1e-9);
	m = json_array_get(json_object_get(o, "messages"), 2);
	c = json_object_get(m, "content");
	ck_assert_uint_eq(json_array_size(c), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(c, 0), "type")), "tool_result");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(c, 0), "tool_use_id")), "toolu_weather_history_1");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(c, 1), "type")), "text");
	ck_assert(json_equal(json_object_get(json_array_get(json_object_get(o, "messages"), 1), "content"),
	    json_object_get(json_array_get(json_object_get(body, "messages"), 1), "content")));
	/* newer Claude models refuse temperature with top_p: temperature wins */
	ck_assert_ptr_null(json_object_get(o, "top_p"));
	json_decref(o);
	json_decref(body);
	arena_release(&a);
}
END_TEST

/* Images, documents, thinking, structured output and metadata decode. */
START_TEST(decode_fields)
{
	static const char body[] =
	    "{\"model\":\"c\",\"system\":[{\"type\":\"text\",\"text\":\"S1\",\"cache_control\":{\"type\":\"ephemeral\"}},"
	    "{\"type\":\"text\",\"text\":\"S2\"}],"
	    "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"look\"},"
	    "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBORw0K\"}},"
	    "{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"https://x.test/a.jpg\"}},"
	    "{\"type\":\"document\",\"title\":\"doc\",\"source\":{\"type\":\"base64\",\"media_type\":\"application/pdf\",\"data\":\"JVBERi0\"}}]},"
	    "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"t\",\"signature\":\"s\"},"
	    "{\"type\":\"redacted_thinking\",\"data\":\"R\"},{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"f\",\"input\":{\"b\":[1, 2]}},"
	    "{\"type\":\"tool_use\",\"id\":\"toolu_2\",\"name\":\"g\",\"input\":{}}]},"
	    "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_2\",\"is_error\":true,"
	    "\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/gif\",\"data\":\"R0lG\"}},"
	    "{\"type\":\"text\",\"text\":\"b\"}]},"
	    "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\"}]}],"
	    "\"tool_choice\":{\"type\":\"any\",\"disable_parallel_tool_use\":true},"
	    "\"tools\":[{\"type\":\"custom\",\"name\":\"f\",\"input_schema\":{\"type\":\"object\"},\"strict\":true},{\"name\":\"g\"}],"
	    "\"thinking\":{\"type\":\"adaptive\"},\"output_config\":{\"effort\":\"high\",\"format\":{\"type\":\"json_schema\",\"schema\":" TOPIC_SCHEMA "}},"
	    "\"stop_sequences\":[\"END\",\"STOP\"],\"metadata\":{\"user_id\":\"u-1\"},\"stream\":true}";
	struct hub_req q;
	struct hub_err err;
	struct arena a;
	const struct hub_part *p;
	json_t *j;

	arena_init(&a);
	j = parse(body);
	ck_assert_int_eq(hub_claude.req_decode(&a, j, &q, &err), GW_OK);
	json_decref(j);		/* the hub keeps the body alive */
	ck_assert_str_eq(q.model, "c");
	ck_assert_int_eq((int)q.nmsgs, 5);
	ck_assert_int_eq(q.msgs[0].role, HUB_SYSTEM);
	ck_assert_int_eq((int)q.msgs[0].nparts, 2);
	ck_assert_ptr_nonnull(q.msgs[0].parts[0].cache_control);
	ck_assert_ptr_null(q.msgs[0].parts[1].cache_control);
	p = q.msgs[1].parts;
	ck_assert_int_eq((int)q.msgs[1].nparts, 4);
	ck_assert_int_eq(p[1].type, HP_IMAGE);
	ck_assert_str_eq(p[1].mime, "image/png");
	ck_assert_str_eq(p[1].data, "iVBORw0K");
	ck_assert_str_eq(p[2].url, "https://x.test/a.jpg");
	ck_assert_int_eq(p[3].type, HP_FILE);
	ck_assert_str_eq(p[3].mime, "application/pdf");
	ck_assert_str_eq(p[3].name, "doc");
	p = q.msgs[2].parts;
	ck_assert_int_eq(p[0].type, HP_THINKING);
	ck_assert_str_eq(p[0].signature, "s");
	ck_assert_int_eq(p[1].type, HP_REDACTED_THINKING);
	ck_assert_str_eq(p[1].text, "R");
	ck_assert_str_eq(p[2].args, "{\"b\":[1,2]}");
	/* the two results, in their order, and no user message after them */
	ck_assert_int_eq(q.msgs[3].role, HUB_TOOL);
	ck_assert_str_eq(q.msgs[3].parts[0].id, "toolu_2");
	ck_assert_str_eq(q.msgs[3].parts[0].name, "g");
	ck_assert_int_eq(q.msgs[3].parts[0].is_error, 1);
	ck_assert_str_eq(q.msgs[3].parts[0].text, "a\n\nb");
	ck_assert_int_eq((int)q.msgs[3].parts[0].ncontent, 3);
	ck_assert_int_eq(q.msgs[3].parts[0].content[1].type, HP_IMAGE);
	ck_assert_str_eq(q.msgs[3].parts[0].content[1].mime, "image/gif");
	ck_assert_int_eq(q.msgs[4].role, HUB_TOOL);
	ck_assert_str_eq(q.msgs[4].parts[0].text, "");
	ck_assert_int_eq(q.tool_choice, HTC_REQUIRED);
	ck_assert_int_eq(q.parallel_tool_calls, 0);
	ck_assert_int_eq((int)q.ntools, 2);
	ck_assert_int_eq(q.tools[0].strict, 1);
	ck_assert_ptr_null(q.tools[1].parameters);
	ck_assert_int_eq(q.thinking, 1);
	ck_assert_int_eq(q.thinking_budget, -1);
	ck_assert_str_eq(q.reasoning_effort, "high");
	ck_assert_int_eq(q.rf, HRF_JSON_SCHEMA);
	ck_assert_str_eq(q.rf_name, "response");
	ck_assert_str_eq(json_string_value(json_object_get(q.rf_schema, "type")), "object");
	ck_assert_int_eq((int)q.nstop, 2);
	ck_assert_str_eq(q.stop[1], "STOP");
	ck_assert_str_eq(q.user, "u-1");
	ck_assert_int_eq(q.stream, 1);
	ck_assert_int_eq(q.max_tokens, -1);

	/* and back: results merge into one user turn, images keep base64 */
	j = hub_claude.req_encode(&a, &q, &err);
	ck_assert_ptr_nonnull(j);
	check_rules(j);
	{
		json_t *msgs = json_object_get(j, "messages");
		json_t *u = json_object_get(json_array_get(msgs, 2), "content");
		json_t *r0 = json_array_get(u, 0);

		ck_assert_uint_eq(json_array_size(msgs), 3);
		ck_assert_uint_eq(json_array_size(u), 2);
		ck_assert(json_is_true(json_object_get(r0, "is_error")));
		ck_assert_uint_eq(json_array_size(json_object_get(r0, "content")), 3);
		ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_array_get(json_object_get(r0, "content"), 1),
		    "source"), "media_type")), "image/gif");
		ck_assert_ptr_null(json_object_get(json_array_get(u, 1), "content"));
		ck_assert_ptr_nonnull(json_object_get(json_array_get(json_object_get(j, "system"), 0), "cache_control"));
		ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "metadata"), "user_id")), "u-1");
		ck_assert_uint_eq(json_array_size(json_object_get(j, "stop_sequences")), 2);
		/* thinking on (signed history fits): auto, parallel off */
		ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "tool_choice"), "type")), "auto");
		ck_assert(json_is_true(json_object_get(json_object_get(j, "tool_choice"), "disable_parallel_tool_use")));
		ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "thinking"), "budget_tokens")), 24576);
		ck_assert_str_eq(q.rf_tool, "response");
	}
	json_decref(j);
	arena_release(&a);
}
END_TEST

/* ---------------------------------------------------------------------
 * req_encode from hand-built hubs
 */

static struct hub_part *
add(struct arena *a, struct hub_req *q, enum hub_role role, enum hub_part_type t, const char *text)
{
	struct hub_msg *m = hub_add_msg(a, q, role);
	struct hub_part *p = hub_add_part(a, &m->parts, &m->nparts, t);

	p->text = text;
	return p;
}

static struct hub_part *
more(struct arena *a, struct hub_req *q, enum hub_part_type t, const char *text)
{
	struct hub_msg *m = &q->msgs[q->nmsgs - 1];
	struct hub_part *p = hub_add_part(a, &m->parts, &m->nparts, t);

	p->text = text;
	return p;
}

static const char *
type_at(json_t *content, size_t i)
{
	return json_string_value(json_object_get(json_array_get(content, i), "type"));
}

START_TEST(encode_history)
{
	struct hub_req q;
	struct hub_err err;
	struct arena a;
	struct hub_part *p;
	json_t *o, *msgs, *c, *sys;

	arena_init(&a);
	hub_req_init(&q);
	q.model = "claude-sonnet-4-5";
	add(&a, &q, HUB_SYSTEM, HP_TEXT, "sys A");
	add(&a, &q, HUB_USER, HP_TEXT, "weather in Paris and a ping?");
	add(&a, &q, HUB_ASSISTANT, HP_TEXT, "");	/* Chat's content:"" with tool_calls */
	p = more(&a, &q, HP_TOOL_CALL, NULL);
	p->id = "call.1/x";
	p->name = "get.weather";
	p->args = "{\"location\":\"Paris\"}";
	p = more(&a, &q, HP_TOOL_CALL, NULL);
	p->id = "call_2";
	p->name = "ping";
	p->args = "";
	p = add(&a, &q, HUB_TOOL, HP_TOOL_RESULT, "15C");
	p->id = "call.1/x";
	add(&a, &q, HUB_SYSTEM, HP_TEXT, "sys B");	/* mid-conversation */
	p = add(&a, &q, HUB_TOOL, HP_TOOL_RESULT, "pong");
	p->id = "call_2";
	add(&a, &q, HUB_USER, HP_TEXT, "thanks");
	add(&a, &q, HUB_USER, HP_TEXT, "and tomorrow?");	/* same role twice */
	q.tools = NULL;
	{
		struct hub_tool *t = hub_add_tool(&a, &q);
		t->name = "get.weather";
		t->strict = 1;
		t = hub_add_tool(&a, &q);
		t->name = "ping";
		t->parameters = hub_keep(&a, json_pack("{s:{}}", "properties"));
	}
	q.tool_choice = HTC_FORCED;
	q.tool_choice_name = "get.weather";
	q.parallel_tool_calls = 0;
	q.temperature = 1.7;
	q.top_p = 0.5;
	q.top_k = 0;
	q.stop = (const char *[]){ "END", "  " };
	q.nstop = 2;
	o = hub_claude.req_encode(&a, &q, &err);
	ck_assert_ptr_nonnull(o);
	check_rules(o);
	sys = json_object_get(o, "system");
	ck_assert_uint_eq(json_array_size(sys), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(sys, 1), "text")), "sys B");
	msgs = json_object_get(o, "messages");
	ck_assert_uint_eq(json_array_size(msgs), 3);
	c = json_object_get(json_array_get(msgs, 1), "content");
	ck_assert_uint_eq(json_array_size(c), 2);	/* no empty text block */
	ck_assert_str_eq(type_at(c, 0), "tool_use");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(c, 0), "id")), "call_1_x");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(c, 0), "name")), "get_weather");
	ck_assert_uint_eq(json_object_size(json_object_get(json_array_get(c, 1), "input")), 0);
	c = json_object_get(json_array_get(msgs, 2), "content");
	ck_assert_uint_eq(json_array_size(c), 4);	/* 2 results first, then 2 texts */
	ck_assert_str_eq(type_at(c, 0), "tool_result");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(c, 0), "tool_use_id")), "call_1_x");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(c, 0), "content")), "15C");
	ck_assert_str_eq(type_at(c, 1), "tool_result");
	ck_assert_str_eq(type_at(c, 2), "text");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(c, 3), "text")), "and tomorrow?");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(o, "tools"), 0), "name")), "get_weather");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_array_get(json_object_get(o, "tools"), 1),
	    "input_schema"), "type")), "object");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "tool_choice"), "type")), "tool");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "tool_choice"), "name")), "get_weather");
	ck_assert(json_is_true(json_object_get(json_object_get(o, "tool_choice"), "disable_parallel_tool_use")));
	ck_assert(json_number_value(json_object_get(o, "temperature")) == 1.0);
	ck_assert_ptr_null(json_object_get(o, "top_p"));
	ck_assert_ptr_null(json_object_get(o, "top_k"));
	ck_assert_uint_eq(json_array_size(json_object_get(o, "stop_sequences")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "max_tokens")), 4096);
	ck_assert_ptr_null(json_object_get(o, "thinking"));
	ck_assert_ptr_null(q.rf_tool);
	json_decref(o);

	/* the answer's tool name maps back to the client's */
	{
		struct hub_resp r;
		json_t *ans = parse("{\"type\":\"message\",\"id\":\"msg_1\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_9\","
		    "\"name\":\"get_weather\",\"input\":{\"location\":\"Nice\"}}],\"stop_reason\":\"tool_use\"}");
		ck_assert_int_eq(hub_claude.resp_decode(&a, &q, ans, &r), GW_OK);
		ck_assert_str_eq(r.parts[0].name, "get.weather");
		ck_assert_str_eq(r.parts[0].args, "{\"location\":\"Nice\"}");
		ck_assert_int_eq(r.finish, HF_TOOL_CALLS);
		ck_assert_int_eq(r.have_usage, 0);
		json_decref(ans);
	}
	arena_release(&a);
}
END_TEST

START_TEST(encode_first_and_prefill)
{
	struct hub_req q;
	struct hub_err err;
	struct arena a;
	struct hub_part *p;
	json_t *o, *msgs;

	/* an assistant greeting first: a user turn goes before it; the final
	 * assistant message is a prefill without trailing whitespace */
	arena_init(&a);
	hub_req_init(&q);
	add(&a, &q, HUB_SYSTEM, HP_TEXT, "be brief");
	add(&a, &q, HUB_ASSISTANT, HP_TEXT, "Hi! How can I help?");
	add(&a, &q, HUB_USER, HP_TEXT, "Write JSON");
	add(&a, &q, HUB_ASSISTANT, HP_TEXT, "{ \n");
	o = hub_claude.req_encode(&a, &q, &err);
	check_rules(o);
	msgs = json_object_get(o, "messages");
	ck_assert_uint_eq(json_array_size(msgs), 4);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(json_array_get(msgs, 0), "content"), 0),
	    "text")), "(continue)");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(json_array_get(msgs, 3), "content"), 0),
	    "text")), "{");
	ck_assert_ptr_null(json_object_get(o, "model"));
	json_decref(o);
	arena_release(&a);

	/* only a system prompt */
	arena_init(&a);
	hub_req_init(&q);
	add(&a, &q, HUB_SYSTEM, HP_TEXT, "say hi");
	o = hub_claude.req_encode(&a, &q, &err);
	check_rules(o);
	ck_assert_uint_eq(json_array_size(json_object_get(o, "messages")), 1);
	json_decref(o);
	arena_release(&a);

	/* images and files */
	arena_init(&a);
	hub_req_init(&q);
	p = add(&a, &q, HUB_USER, HP_IMAGE, NULL);
	p->url = "data:image/webp;base64,UklGRgAA";
	p = more(&a, &q, HP_IMAGE, NULL);
	p->url = "https://x.test/cat.png";
	p = more(&a, &q, HP_IMAGE, NULL);
	p->data = "/9j/4AAQ";
	p = more(&a, &q, HP_FILE, NULL);
	p->data = "JVBERi0";
	p->name = "report.pdf";
	o = hub_claude.req_encode(&a, &q, &err);
	check_rules(o);
	{
		json_t *c = json_object_get(json_array_get(json_object_get(o, "messages"), 0), "content");
		json_t *s0 = json_object_get(json_array_get(c, 0), "source");
		json_t *s1 = json_object_get(json_array_get(c, 1), "source");
		json_t *s2 = json_object_get(json_array_get(c, 2), "source");
		json_t *s3 = json_object_get(json_array_get(c, 3), "source");

		ck_assert_str_eq(json_string_value(json_object_get(s0, "type")), "base64");
		ck_assert_str_eq(json_string_value(json_object_get(s0, "media_type")), "image/webp");
		ck_assert_str_eq(json_string_value(json_object_get(s0, "data")), "UklGRgAA");
		ck_assert_str_eq(json_string_value(json_object_get(s1, "type")), "url");
		ck_assert_str_eq(json_string_value(json_object_get(s1, "url")), "https://x.test/cat.png");
		ck_assert_str_eq(json_string_value(json_object_get(s2, "media_type")), "image/jpeg");
		ck_assert_str_eq(type_at(c, 3), "document");
		ck_assert_str_eq(json_string_value(json_object_get(s3, "media_type")), "application/pdf");
		ck_assert_str_eq(json_string_value(json_object_get(json_array_get(c, 3), "title")), "report.pdf");
	}
	json_decref(o);
	arena_release(&a);
}
END_TEST

START_TEST(encode_thinking)
{
	struct hub_req q;
	struct hub_err err;
	struct arena a;
	struct hub_part *p;
	json_t *o, *th;

	/* reasoning_effort with temperature, a required tool */
	arena_init(&a);
	hub_req_init(&q);
	add(&a, &q, HUB_USER, HP_TEXT, "think");
	hub_add_tool(&a, &q)->name = "f";
	q.tool_choice = HTC_REQUIRED;
	q.reasoning_effort = "high";
	q.temperature = 0.5;
	q.top_k = 10;
	q.max_tokens = 1000;
	o = hub_claude.req_encode(&a, &q, &err);
	check_rules(o);
	th = json_object_get(o, "thinking");
	ck_assert_str_eq(json_string_value(json_object_get(th, "type")), "enabled");
	ck_assert_int_eq(json_integer_value(json_object_get(th, "budget_tokens")), 24576);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "max_tokens")), 24576 + 1024);
	ck_assert_ptr_null(json_object_get(o, "temperature"));
	ck_assert_ptr_null(json_object_get(o, "top_k"));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "tool_choice"), "type")), "auto");
	json_decref(o);

	/* a small budget is raised to 1024; a big max_tokens is kept */
	q.reasoning_effort = NULL;
	q.thinking_budget = 100;
	q.max_tokens = 8000;
	o = hub_claude.req_encode(&a, &q, &err);
	check_rules(o);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o, "thinking"), "budget_tokens")), 1024);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "max_tokens")), 8000);
	json_decref(o);

	/* minimal / none efforts and thinking=0 mean no thinking */
	q.thinking_budget = -1;
	q.reasoning_effort = "minimal";
	o = hub_claude.req_encode(&a, &q, &err);
	ck_assert_ptr_null(json_object_get(o, "thinking"));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "tool_choice"), "type")), "any");
	json_decref(o);
	q.reasoning_effort = "high";
	q.thinking = 0;
	o = hub_claude.req_encode(&a, &q, &err);
	ck_assert_ptr_null(json_object_get(o, "thinking"));
	json_decref(o);
	arena_release(&a);

	/* a tool loop from Chat (no signed thinking) cannot carry thinking:
	 * it is left off; with the signed block it stays on */
	arena_init(&a);
	hub_req_init(&q);
	add(&a, &q, HUB_USER, HP_TEXT, "country?");
	p = add(&a, &q, HUB_ASSISTANT, HP_THINKING, "let me call");
	p = more(&a, &q, HP_TOOL_CALL, NULL);
	p->id = "toolu_1";
	p->name = "get_user_country";
	p = add(&a, &q, HUB_TOOL, HP_TOOL_RESULT, "Mexico");
	p->id = "toolu_1";
	q.thinking = 1;
	o = hub_claude.req_encode(&a, &q, &err);
	check_rules(o);
	ck_assert_ptr_null(json_object_get(o, "thinking"));
	ck_assert_uint_eq(json_array_size(json_object_get(json_array_get(json_object_get(o, "messages"), 1), "content")), 1);
	json_decref(o);
	q.msgs[1].parts[0].signature = "SIG";
	o = hub_claude.req_encode(&a, &q, &err);
	check_rules(o);
	ck_assert_ptr_nonnull(json_object_get(o, "thinking"));
	ck_assert_str_eq(type_at(json_object_get(json_array_get(json_object_get(o, "messages"), 1), "content"), 0), "thinking");
	json_decref(o);
	arena_release(&a);
}
END_TEST

START_TEST(encode_structured)
{
	static const char sse[] =
	    "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_s\",\"model\":\"m\",\"usage\":{\"input_tokens\":50,\"output_tokens\":1}}}\n\n"
	    "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\","
	    "\"id\":\"toolu_s\",\"name\":\"topic_classification_\",\"input\":{}}}\n\n"
	    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}\n\n"
	    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"topic\\\": \\\"AI\\\",\"}}\n\n"
	    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\" \\\"confidence\\\": 0.9}\"}}\n\n"
	    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
	    "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":20}}\n\n"
	    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
	struct hub_req q;
	struct hub_err err;
	struct hub_resp r;
	struct arena a;
	struct got g;
	json_t *o, *schema = parse(TOPIC_SCHEMA), *t, *ans;

	arena_init(&a);
	hub_req_init(&q);
	add(&a, &q, HUB_SYSTEM, HP_TEXT, "You extract topics.");
	add(&a, &q, HUB_USER, HP_TEXT, "Identify the topic of AI adoption.");
	q.rf = HRF_JSON_SCHEMA;
	q.rf_name = "topic classification!";
	q.rf_schema = hub_keep(&a, schema);
	q.max_tokens = 512;
	o = hub_claude.req_encode(&a, &q, &err);
	check_rules(o);
	ck_assert_str_eq(q.rf_tool, "topic_classification_");
	t = json_array_get(json_object_get(o, "tools"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(t, "name")), "topic_classification_");
	ck_assert(json_equal(json_object_get(t, "input_schema"), schema));
	ck_assert_str_eq(json_string_value(json_object_get(t, "description")), "Respond with a JSON object matching this schema");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "tool_choice"), "type")), "tool");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "tool_choice"), "name")), "topic_classification_");
	json_decref(o);

	/* the forced tool's call comes back as the answer text */
	ans = parse("{\"type\":\"message\",\"id\":\"msg_1\",\"model\":\"m\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_9\","
	    "\"name\":\"topic_classification_\",\"input\":{\"topic\":\"AI\",\"confidence\":0.9}}],\"stop_reason\":\"tool_use\","
	    "\"usage\":{\"input_tokens\":50,\"output_tokens\":20}}");
	ck_assert_int_eq(hub_claude.resp_decode(&a, &q, ans, &r), GW_OK);
	json_decref(ans);
	ck_assert_int_eq((int)r.nparts, 1);
	ck_assert_int_eq(r.parts[0].type, HP_TEXT);
	ck_assert_str_eq(r.parts[0].text, "{\"topic\":\"AI\",\"confidence\":0.9}");
	ck_assert_int_eq(r.finish, HF_STOP);
	/* streamed too */
	decode_stream(sse, sizeof(sse) - 1, 11, &q, &g);
	ck_assert_int_eq(g.ntools, 0);
	ck_assert_str_eq(buf_cstr(&g.text), "{\"topic\": \"AI\", \"confidence\": 0.9}");
	ck_assert_int_eq(g.finish, HF_STOP);
	ck_assert_int_eq(g.usage.output, 20);
	got_free(&g);

	/* with the client's own tools: "any" of them or the answer tool */
	hub_add_tool(&a, &q)->name = "search";
	o = hub_claude.req_encode(&a, &q, &err);
	check_rules(o);
	ck_assert_uint_eq(json_array_size(json_object_get(o, "tools")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "tool_choice"), "type")), "any");
	json_decref(o);

	/* with thinking: auto, and a system line asks for the tool */
	q.thinking = 1;
	o = hub_claude.req_encode(&a, &q, &err);
	check_rules(o);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "tool_choice"), "type")), "auto");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_array_get(json_object_get(o, "system"), 1), "text")),
	    "topic_classification_"));
	json_decref(o);

	/* JSON mode without a schema: a system line */
	q.thinking = -1;
	q.rf = HRF_JSON_OBJECT;
	q.ntools = 0;
	o = hub_claude.req_encode(&a, &q, &err);
	check_rules(o);
	ck_assert_ptr_null(q.rf_tool);
	ck_assert_ptr_null(json_object_get(o, "tools"));
	ck_assert_ptr_null(json_object_get(o, "tool_choice"));
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(o, "system"), 1), "text")),
	    "Respond only with a valid JSON object.");
	json_decref(o);
	arena_release(&a);
}
END_TEST

/* ---------------------------------------------------------------------
 * Claude Code (2.1): what it sends, to every other upstream protocol
 */

/* Claude Code's request: system blocks with cache_control, a tool loop, a
 * system turn inside messages, adaptive thinking with an effort,
 * context_management, cache_control on tools, and server tools. */
static const char cc_body[] =
    "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":32000,\"stream\":true,"
    "\"system\":[{\"type\":\"text\",\"text\":\"x-anthropic-billing-header: cc_version=2.1\"},"
    "{\"type\":\"text\",\"text\":\"You are Claude Code.\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
    "\"messages\":["
    "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"<system-reminder>ctx</system-reminder>\"},{\"type\":\"text\",\"text\":\"list files\"}]},"
    "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"hm\",\"signature\":\"sig\"},"
    "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"Bash\",\"input\":{\"command\":\"ls\"}}]},"
    "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":[{\"type\":\"text\",\"text\":\"a.c\"}],"
    "\"cache_control\":{\"type\":\"ephemeral\"}}]},"
    "{\"role\":\"system\",\"content\":\"The user switched to plan mode.\"},"
    "{\"role\":\"user\",\"content\":\"go on\"}],"
    "\"tools\":[{\"name\":\"Bash\",\"description\":\"Run bash\",\"input_schema\":{\"type\":\"object\",\"properties\":{\"command\":{\"type\":\"string\"}},"
    "\"required\":[\"command\"]},\"cache_control\":{\"type\":\"ephemeral\"}},"
    "{\"type\":\"web_search_20250305\",\"name\":\"web_search\",\"max_uses\":5},"
    "{\"type\":\"code_execution_20250825\",\"name\":\"code_execution\"}],"
    "\"metadata\":{\"user_id\":\"{\\\"device_id\\\":\\\"d\\\"}\"},"
    "\"thinking\":{\"type\":\"adaptive\"},\"output_config\":{\"effort\":\"high\"},"
    "\"context_management\":{\"edits\":[{\"type\":\"clear_thinking_20251015\",\"keep\":\"all\"}]}}";

START_TEST(claude_code_request)
{
	struct hub_req q, q2;
	struct hub_err err;
	struct arena a;
	json_t *j, *enc;
	char *dump;

	arena_init(&a);
	j = parse(cc_body);
	memset(&err, 0, sizeof(err));
	ck_assert_msg(hub_claude.req_decode(&a, j, &q, &err) == GW_OK, "%s", err.message);
	ck_assert_int_eq(q.thinking, 1);
	ck_assert_str_eq(q.reasoning_effort, "high");
	ck_assert_int_eq(q.web_search, 1);
	ck_assert_str_eq(q.dropped, "code_execution_20250825");
	ck_assert_uint_eq(q.ntools, 1);
	/* the system turn stays where it was: after the tool result */
	ck_assert_int_eq(q.msgs[0].role, HUB_SYSTEM);
	ck_assert_int_eq(q.msgs[q.nmsgs - 2].role, HUB_SYSTEM);
	ck_assert_str_eq(q.msgs[q.nmsgs - 2].parts[0].text, "The user switched to plan mode.");

	/* to OpenAI Chat: the system turn in place, effort as reasoning_effort,
	 * nothing Anthropic-only left */
	q2 = q;
	q2.model = "gpt-4.1";
	enc = hub_chat.req_encode(&a, &q2, &err);
	ck_assert_ptr_nonnull(enc);
	ck_assert_str_eq(jpath_str(enc, "messages.0.role"), "system");
	ck_assert_str_eq(jpath_str(enc, "messages.2.tool_calls.0.function.name"), "Bash");
	ck_assert_str_eq(jpath_str(enc, "messages.3.role"), "tool");
	ck_assert_str_eq(jpath_str(enc, "messages.4.role"), "system");
	ck_assert_str_eq(jpath_str(enc, "messages.4.content"), "The user switched to plan mode.");
	ck_assert_str_eq(jpath_str(enc, "messages.5.role"), "user");
	ck_assert_str_eq(jpath_str(enc, "reasoning_effort"), "high");
	ck_assert_uint_eq(json_array_size(jpath(enc, "tools")), 1);
	dump = json_dumps(enc, JSON_COMPACT);
	ck_assert_ptr_null(strstr(dump, "cache_control"));
	ck_assert_ptr_null(strstr(dump, "context_management"));
	ck_assert_ptr_null(strstr(dump, "web_search"));
	ck_assert_ptr_null(strstr(dump, "code_execution"));
	free(dump);
	json_decref(enc);

	/* to OpenAI Responses: the leading system text as instructions, the
	 * system turn a developer message in place */
	q2 = q;
	enc = hub_responses.req_encode(&a, &q2, &err);
	ck_assert_ptr_nonnull(enc);
	ck_assert_ptr_nonnull(strstr(jpath_str(enc, "instructions"), "You are Claude Code."));
	ck_assert_ptr_null(strstr(jpath_str(enc, "instructions"), "plan mode"));
	ck_assert_str_eq(jpath_str(enc, "input.2.type"), "function_call_output");
	ck_assert_str_eq(jpath_str(enc, "input.3.role"), "developer");
	ck_assert_str_eq(jpath_str(enc, "input.3.content.0.text"), "The user switched to plan mode.");
	ck_assert_str_eq(jpath_str(enc, "reasoning.effort"), "high");
	dump = json_dumps(enc, JSON_COMPACT);
	ck_assert_ptr_null(strstr(dump, "cache_control"));
	free(dump);
	json_decref(enc);

	/* to Gemini: one systemInstruction with both, contents user/model only */
	q2 = q;
	enc = hub_gemini.req_encode(&a, &q2, &err);
	ck_assert_ptr_nonnull(enc);
	ck_assert_ptr_nonnull(strstr(jpath_str(enc, "systemInstruction.parts.0.text"), "plan mode"));
	ck_assert_ptr_nonnull(strstr(jpath_str(enc, "systemInstruction.parts.0.text"), "You are Claude Code."));
	ck_assert(json_is_object(jpath(enc, "generationConfig.thinkingConfig")));
	dump = json_dumps(enc, JSON_COMPACT);
	ck_assert_ptr_null(strstr(dump, "\"system\""));
	ck_assert_ptr_null(strstr(dump, "cache_control"));
	free(dump);
	json_decref(enc);

	/* back to Anthropic (a Chat client's history): one top-level system */
	q2 = q;
	enc = hub_claude.req_encode(&a, &q2, &err);
	ck_assert_ptr_nonnull(enc);
	dump = json_dumps(jpath(enc, "messages"), JSON_COMPACT);
	ck_assert_ptr_null(strstr(dump, "\"role\":\"system\""));
	free(dump);
	ck_assert_str_eq(jpath_str(enc, "tools.1.type"), "web_search_20250305");
	json_decref(enc);
	json_decref(j);
	arena_release(&a);
}
END_TEST

/* ---------------------------------------------------------------------
 * Validation: each bad body is a 400 naming the problem
 */

START_TEST(validation)
{
	static const struct { const char *body, *msg; } bad[] = {
		{ "[]", "JSON object" },
		{ "{\"model\":\"c\"}", "messages: Field required" },
		{ "{\"messages\":{}}", "messages: Input should be a valid list" },
		{ "{\"messages\":[]}", "messages: at least one message" },
		{ "{\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}", "messages: Unexpected role \"tool\"" },
		{ "{\"messages\":[{\"role\":\"system\",\"content\":5}]}", "messages.0.content: Input should be" },
		{ "{\"messages\":[{\"role\":\"system\",\"content\":[{\"type\":\"image\"}]}]}", "messages.0.content.0.type" },
		{ "{\"messages\":[{\"role\":\"user\"}]}", "messages.0.content: Field required" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":5}]}", "messages.0.content: Input should be" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"video\"}]}]}",
		  "messages.0.content.0.type: unknown content block type 'video'" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":[\"x\"]}]}", "messages.0.content.0: Input should be a valid dictionary" },
		{ "{\"messages\":[{\"role\":\"assistant\",\"content\":[{\"type\":\"server_tool_use\",\"id\":\"s\",\"name\":\"web_search\",\"input\":{}}]}]}",
		  "messages.0.content.0: 'server_tool_use' blocks (server tools) are not supported" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"web_search_tool_result\"}]}]}", "not supported" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"x\",\"content\":\"r\"}]}]}",
		  "messages.0.content.0: tool_result tool_use_id 'x' has no matching tool_use" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"a\",\"name\":\"f\",\"input\":{}}]},"
		  "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"b\"}]}]}",
		  "messages.2.content.0: tool_result tool_use_id 'b' has no matching tool_use" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_use\",\"id\":\"a\",\"name\":\"f\",\"input\":{}}]}]}",
		  "only allowed in assistant messages" },
		{ "{\"messages\":[{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"a\",\"name\":\"f\",\"input\":[]}]}]}",
		  "messages.0.content.0.input: Input should be a valid dictionary" },
		{ "{\"messages\":[{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"name\":\"f\"}]}]}",
		  "messages.0.content.0.id: Field required" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":3}]}]}",
		  "messages.0.content.0.text: Input should be a valid string" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":{\"type\":\"file\",\"file_id\":\"f\"}}]}]}",
		  "messages.0.content.0.source.type: 'file' sources are not supported" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\"}]}]}", "messages.0.content.0.source: Field required" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"tools\":[{\"description\":\"x\"}]}", "tools.0.name: Field required" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"tools\":[{\"name\":\"f\",\"input_schema\":\"x\"}]}",
		  "tools.0.input_schema: Input should be a valid dictionary" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"temperature\":\"hot\"}", "temperature: Input should be a valid number" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"max_tokens\":\"9\"}", "max_tokens: Input should be a valid integer" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"max_tokens\":0}", "max_tokens: Input should be greater" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"stream\":\"yes\"}", "stream: Input should be a valid boolean" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"system\":5}", "system: Input should be" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"system\":[{\"type\":\"image\"}]}", "system.0.type" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"tool_choice\":{\"type\":\"tool\"}}", "tool_choice.name: Field required" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"tool_choice\":{\"type\":\"sometimes\"}}", "tool_choice.type" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"thinking\":{\"type\":\"maybe\"}}", "thinking.type" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":\"x\"}}",
		  "thinking.budget_tokens: Input should be a valid integer" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"stop_sequences\":[1]}", "stop_sequences.0: Input should be a valid string" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"metadata\":{\"user_id\":1}}", "metadata.user_id: Input should be a valid string" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"output_config\":{\"format\":{\"type\":\"json_schema\"}}}",
		  "output_config.format.schema: Field required" },
		{ "{\"model\":7,\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}", "model: Input should be a valid string" },
	};
	struct hub_req q;
	struct hub_err err;
	struct arena a;
	json_t *j;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		arena_init(&a);
		j = parse(bad[i].body);
		memset(&err, 0, sizeof(err));
		ck_assert_int_eq(hub_claude.req_decode(&a, j, &q, &err), GW_EINPUT);
		ck_assert_int_eq(err.status, 400);
		ck_assert_msg(strstr(err.message, bad[i].msg) != NULL, "case %zu: got '%s', want '%s'",
		    i, err.message, bad[i].msg);
		json_decref(j);
		arena_release(&a);
	}
}
END_TEST

static Suite *
fmt_claude_suite(void)
{
	Suite *s = suite_create("fmt_claude");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, stream_text);
	tcase_add_test(tc, stream_tools);
	tcase_add_test(tc, stream_thinking);
	tcase_add_test(tc, stream_redacted);
	tcase_add_test(tc, stream_usage_error_cut);
	tcase_add_test(tc, encoder_rules);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, nonstream_fixtures);
	tcase_add_test(tc, resp_encode_foreign);
	tcase_add_test(tc, recorded_requests);
	tcase_add_test(tc, matrix_bodies);
	tcase_add_test(tc, decode_fields);
	tcase_add_test(tc, encode_history);
	tcase_add_test(tc, encode_first_and_prefill);
	tcase_add_test(tc, encode_thinking);
	tcase_add_test(tc, encode_structured);
	tcase_add_test(tc, validation);
	tcase_add_test(tc, claude_code_request);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(fmt_claude_suite)
