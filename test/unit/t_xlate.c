/* test/unit/t_xlate.c: every recorded upstream answer, streamed and not,
 * decoded in its protocol and re-encoded in each client format (Chat,
 * Claude, Responses), then decoded again from that format: text, reasoning
 * text, tool calls (ids, names, arguments), finish and usage must survive
 * every pair. The codecs' own tests check each format alone; this one checks
 * that they agree on the hub's meaning. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "t_core.h"
#include "t_fixtures.h"
#include "hub.h"

#define MAXT 8

/* What an answer means, collected from hub events or a hub_resp. */
struct meaning {
	struct buf text;
	struct buf thinking;
	int ntools;
	char *tid[MAXT], *tname[MAXT];
	struct buf targs[MAXT];
	enum hub_finish finish;
	struct hub_usage usage;
	int have_usage;
};

static void
m_init(struct meaning *m)
{
	int i;

	memset(m, 0, sizeof(*m));
	buf_init(&m->text, 1u << 20);
	buf_init(&m->thinking, 1u << 20);
	for (i = 0; i < MAXT; i++)
		buf_init(&m->targs[i], 1u << 20);
}

static void
m_release(struct meaning *m)
{
	int i;

	buf_release(&m->text);
	buf_release(&m->thinking);
	for (i = 0; i < MAXT; i++) {
		buf_release(&m->targs[i]);
		free(m->tid[i]);
		free(m->tname[i]);
	}
}

static int
collect(void *ctx, const struct hub_ev *ev)
{
	struct meaning *m = ctx;

	switch (ev->type) {
	case HE_TEXT:
		ck_assert_int_eq(buf_add(&m->text, ev->text, ev->len), GW_OK);
		break;
	case HE_THINKING:
		ck_assert_int_eq(buf_add(&m->thinking, ev->text, ev->len), GW_OK);
		break;
	case HE_TOOL_START:
		ck_assert_int_lt(ev->index, MAXT);
		ck_assert_int_eq(ev->index, m->ntools);
		m->tid[ev->index] = strdup(ev->id ? ev->id : "");
		m->tname[ev->index] = strdup(ev->name ? ev->name : "");
		m->ntools++;
		break;
	case HE_TOOL_ARGS:
		ck_assert_int_lt(ev->index, m->ntools);
		ck_assert_int_eq(buf_add(&m->targs[ev->index], ev->text, ev->len), GW_OK);
		break;
	case HE_FINISH:
		m->finish = ev->finish;
		break;
	case HE_USAGE:
		m->usage = ev->usage;
		m->have_usage = 1;
		break;
	default:
		break;
	}
	return 0;
}

static void
from_resp(struct meaning *m, const struct hub_resp *r)
{
	size_t i;

	for (i = 0; i < r->nparts; i++) {
		const struct hub_part *p = &r->parts[i];
		if (p->type == HP_TEXT && p->text)
			ck_assert_int_eq(buf_adds(&m->text, p->text), GW_OK);
		else if (p->type == HP_THINKING && p->text) {
			/* several reasoning items read back as one text */
			if (buf_len(&m->thinking) && p->text[0])
				ck_assert_int_eq(buf_adds(&m->thinking, "\n\n"), GW_OK);
			ck_assert_int_eq(buf_adds(&m->thinking, p->text), GW_OK);
		} else if (p->type == HP_TOOL_CALL) {
			ck_assert_int_lt(m->ntools, MAXT);
			m->tid[m->ntools] = strdup(p->id ? p->id : "");
			m->tname[m->ntools] = strdup(p->name ? p->name : "");
			ck_assert_int_eq(buf_adds(&m->targs[m->ntools], p->args ? p->args : ""), GW_OK);
			m->ntools++;
		}
	}
	m->finish = r->finish;
	m->usage = r->usage;
	m->have_usage = r->have_usage;
}

/* Arguments compare as JSON values ("" and "{}" alike: no arguments). */
static void
same_args(const char *what, const char *a, const char *b)
{
	json_t *ja = json_loads(a[0] ? a : "{}", JSON_DECODE_ANY, NULL);
	json_t *jb = json_loads(b[0] ? b : "{}", JSON_DECODE_ANY, NULL);

	ck_assert_msg(ja && jb && json_equal(ja, jb), "%s: arguments %s became %s", what, a, b);
	json_decref(ja);
	json_decref(jb);
}

/* The finish a client format can express: Responses has none for a
 * natural end other than "completed", which decodes back as stop. */
static enum hub_finish
norm_finish(enum hub_finish f, int ntools)
{
	if (f == HF_NONE)
		return ntools ? HF_TOOL_CALLS : HF_STOP;
	return f;
}

static void
same(const char *what, struct meaning *a, struct meaning *b, int cmp_thinking)
{
	int i;

	ck_assert_msg(strcmp(buf_cstr(&a->text), buf_cstr(&b->text)) == 0, "%s: text \"%s\" became \"%s\"",
	    what, buf_cstr(&a->text), buf_cstr(&b->text));
	if (cmp_thinking)
		ck_assert_msg(strcmp(buf_cstr(&a->thinking), buf_cstr(&b->thinking)) == 0,
		    "%s: thinking \"%.80s\" became \"%.80s\"", what, buf_cstr(&a->thinking),
		    buf_cstr(&b->thinking));
	ck_assert_msg(a->ntools == b->ntools, "%s: %d tool calls became %d", what, a->ntools, b->ntools);
	for (i = 0; i < a->ntools; i++) {
		ck_assert_msg(strcmp(a->tid[i], b->tid[i]) == 0, "%s: id %s became %s", what, a->tid[i],
		    b->tid[i]);
		ck_assert_str_eq(a->tname[i], b->tname[i]);
		same_args(what, buf_cstr(&a->targs[i]), buf_cstr(&b->targs[i]));
	}
	ck_assert_msg(norm_finish(a->finish, a->ntools) == norm_finish(b->finish, b->ntools),
	    "%s: finish %d became %d", what, a->finish, b->finish);
	if (a->have_usage) {
		ck_assert_msg(b->have_usage, "%s: usage lost", what);
		ck_assert_msg(a->usage.input == b->usage.input && a->usage.output == b->usage.output,
		    "%s: usage %lld/%lld became %lld/%lld", what, (long long)a->usage.input,
		    (long long)a->usage.output, (long long)b->usage.input, (long long)b->usage.output);
		ck_assert_int_eq(a->usage.cache_read, b->usage.cache_read);
	}
}

/* ---- streams ------------------------------------------------------------ */

struct pipe {
	const struct hub_format *dec_fmt;
	void *dec;
};

static int
feed_dec(void *ctx, const struct sse_event *ev)
{
	struct pipe *p = ctx;

	return p->dec_fmt->dec_event(p->dec, ev);
}

/* Run SSE bytes through fmt's decoder into emit/ctx (then dec_end). */
static void
decode_stream(struct arena *a, const struct hub_format *fmt, const struct hub_req *q,
    const char *s, size_t n, hub_emit_fn emit, void *ctx)
{
	struct sse sse;
	struct pipe p = { fmt, fmt->dec_new(a, q, emit, ctx) };

	ck_assert_ptr_nonnull(p.dec);
	sse_init(&sse);
	ck_assert_int_eq(sse_feed(&sse, s, n, feed_dec, &p), 0);
	ck_assert_int_eq(sse_finish(&sse, feed_dec, &p), 0);
	sse_release(&sse);
	ck_assert_int_eq(fmt->dec_end(p.dec), 0);
}

static int
write_sse(void *ctx, const char *event, const char *data, size_t len)
{
	struct buf *b = ctx;

	if (event && buf_printf(b, "event: %s\n", event) != GW_OK)
		return 1;
	return buf_adds(b, "data: ") != GW_OK || buf_add(b, data, len) != GW_OK ||
	    buf_adds(b, "\n\n") != GW_OK;
}

struct tee {
	const struct hub_format *enc_fmt;
	void *enc;
	struct meaning *m;
};

static int
to_encoder(void *ctx, const struct hub_ev *ev)
{
	struct tee *t = ctx;

	(void)collect(t->m, ev);
	return t->enc_fmt->enc_event(t->enc, ev);
}

static const struct hub_format *const clients[] = { &hub_chat, &hub_claude, &hub_responses };

static void
stream_pairs(const struct hub_format *up, const char *file)
{
	size_t n, i;
	char *s = slurp(file, &n);

	for (i = 0; i < sizeof(clients) / sizeof(clients[0]); i++) {
		struct arena a;
		struct hub_req q;
		struct meaning orig, back;
		struct buf out = BUF_INIT(8u << 20);
		struct tee t;
		struct hub_ev end;
		char what[160];

		arena_init(&a);
		hub_req_init(&q);
		q.stream = 1;
		q.include_usage = 1;
		m_init(&orig);
		m_init(&back);
		t.enc_fmt = clients[i];
		t.enc = clients[i]->enc_new(&a, &q, write_sse, &out);
		t.m = &orig;
		ck_assert_ptr_nonnull(t.enc);
		decode_stream(&a, up, &q, s, n, to_encoder, &t);
		memset(&end, 0, sizeof(end));
		end.type = HE_END;
		ck_assert_int_eq(clients[i]->enc_event(t.enc, &end), 0);
		ck_assert_msg(buf_len(&orig.text) + buf_len(&orig.thinking) + (size_t)orig.ntools > 0,
		    "%s decoded to nothing", file);
		decode_stream(&a, clients[i], &q, buf_cstr(&out), buf_len(&out), collect, &back);
		snprintf(what, sizeof(what), "%s as %s stream", file, clients[i]->name);
		same(what, &orig, &back, 1);
		m_release(&orig);
		m_release(&back);
		buf_release(&out);
		arena_release(&a);
	}
	free(s);
}

START_TEST(streams)
{
	static const struct { const struct hub_format *up; const char *file; } f[] = {
		{ &hub_chat, "openai-chat-stream-text.sse" },
		{ &hub_chat, "openai-chat-stream-tools.sse" },
		{ &hub_chat, "openai-chat-stream-parallel-tools.sse" },
		{ &hub_chat, "openai-chat-stream-json-schema.sse" },
		{ &hub_chat, "openai-chat-stream-logprobs.sse" },
		{ &hub_claude, "anthropic-messages-stream-text.sse" },
		{ &hub_claude, "anthropic-messages-stream-tools.sse" },
		{ &hub_claude, "anthropic-messages-stream-thinking.sse" },
		{ &hub_claude, "anthropic-messages-stream-redacted-thinking.sse" },
		{ &hub_responses, "responses-stream-text.sse" },
		{ &hub_responses, "responses-stream-reasoning-tool.sse" },
		{ &hub_responses, "responses-stream-text-tool-phase.sse" },
		{ &hub_responses, "responses-stream-tool-2025-03-no-seq.sse" },
		{ &hub_gemini, "gemini-stream.sse" },
		{ &hub_gemini, "gemini-stream-tools.sse" },
		{ &hub_gemini, "gemini-stream-tools-turn2.sse" },
		{ &hub_gemini, "gemini-stream-thinking.sse" },
	};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		stream_pairs(f[i].up, f[i].file);
}
END_TEST

/* ---- answers ------------------------------------------------------------ */

static void
answer_pairs(const struct hub_format *up, const char *file)
{
	json_t *j = load_json(file);
	size_t i;

	for (i = 0; i < sizeof(clients) / sizeof(clients[0]); i++) {
		struct arena a;
		struct hub_req q;
		struct hub_resp r1, r2;
		struct meaning orig, back;
		json_t *enc;
		char what[160];

		arena_init(&a);
		hub_req_init(&q);
		memset(&r1, 0, sizeof(r1));
		memset(&r2, 0, sizeof(r2));
		m_init(&orig);
		m_init(&back);
		ck_assert_int_eq(up->resp_decode(&a, &q, j, &r1), GW_OK);
		from_resp(&orig, &r1);
		enc = clients[i]->resp_encode(&a, &q, &r1);
		ck_assert_ptr_nonnull(enc);
		hub_keep(&a, enc);
		ck_assert_int_eq(clients[i]->resp_decode(&a, &q, enc, &r2), GW_OK);
		from_resp(&back, &r2);
		snprintf(what, sizeof(what), "%s as %s answer", file, clients[i]->name);
		/* Chat keeps one reasoning text: compare thinking where the
		 * client format keeps items apart */
		same(what, &orig, &back, clients[i] != &hub_chat);
		m_release(&orig);
		m_release(&back);
		arena_release(&a);
	}
	json_decref(j);
}

START_TEST(answers)
{
	static const struct { const struct hub_format *up; const char *file; } f[] = {
		{ &hub_chat, "openai-chat-nonstream.json" },
		{ &hub_chat, "openai-chat-nonstream-parallel-tools.json" },
		{ &hub_chat, "openai-chat-nonstream-length.json" },
		{ &hub_chat, "openai-chat-nonstream-reasoning.json" },
		{ &hub_claude, "anthropic-messages-nonstream.json" },
		{ &hub_claude, "anthropic-messages-nonstream-cache-usage.json" },
		{ &hub_claude, "anthropic-messages-nonstream-thinking-tool.json" },
		{ &hub_claude, "anthropic-messages-nonstream-thinking-tool-turn2.json" },
		{ &hub_responses, "responses-nonstream.json" },
		{ &hub_gemini, "gemini-nonstream-tools.json" },
	};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		answer_pairs(f[i].up, f[i].file);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("xlate");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, streams);
	tcase_add_test(tc, answers);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
