/* test/unit/t_pipeline.c: the answer's pipeline (providers/pipeline.c):
 * what reaches the writer and what the usage observer notes, passing
 * through and translating */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "t_core.h"
#include "t_fixtures.h"
#include "pipeline.h"

/* The writer: every event as "event|data\n". */
struct out {
	struct buf all;
	int begun, n;
};

static int
w_begin(void *ctx)
{
	((struct out *)ctx)->begun = 1;
	return 0;
}

static int
w_event(void *ctx, const char *event, const char *data, size_t len)
{
	struct out *o = ctx;

	o->n++;
	if (buf_printf(&o->all, "%s|%.*s\n", event ? event : "", (int)len, data) != GW_OK)
		return 1;
	return 0;
}

static const char chat_sse[] =
	"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n"
	"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}\n\n"
	"data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":2,"
	"\"prompt_tokens_details\":{\"cached_tokens\":3}}}\n\n"
	"data: [DONE]\n\n";

START_TEST(chat_through)
{
	struct arena a;
	struct out o;
	struct pipe p;
	struct pipe_writer w = { w_begin, w_event, &o };
	size_t i;

	arena_init(&a);
	memset(&o, 0, sizeof(o));
	buf_init(&o.all, 1u << 20);
	pipe_init(&p, &a, &hub_chat, &hub_chat, NULL, 0, "rid", &w);
	ck_assert_int_eq(p.pass, 1);
	ck_assert_int_eq(pipe_open(&p), GW_OK);
	/* split anywhere: byte by byte */
	for (i = 0; i < sizeof(chat_sse) - 1; i++)
		ck_assert_int_eq(pipe_feed(&p, chat_sse + i, 1), 0);
	pipe_flush(&p);
	pipe_end(&p, 0, 1);
	/* the usage chunk we asked for on the client's behalf is dropped; one [DONE] */
	ck_assert_int_eq(o.n, 3);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&o.all), "|[DONE]\n"));
	ck_assert_ptr_null(strstr(buf_cstr(&o.all), "usage"));
	ck_assert_int_eq(p.have_usage, 1);
	ck_assert_int_eq(p.usage.input, 7);
	ck_assert_int_eq(p.usage.output, 2);
	ck_assert_int_eq(p.usage.cache_read, 3);
	ck_assert_str_eq(buf_cstr(&p.text), "Hello");
	pipe_release(&p);
	buf_release(&o.all);
	arena_release(&a);
}
END_TEST

START_TEST(chat_cut)
{
	struct arena a;
	struct out o;
	struct pipe p;
	struct pipe_writer w = { w_begin, w_event, &o };

	arena_init(&a);
	memset(&o, 0, sizeof(o));
	buf_init(&o.all, 1u << 20);
	pipe_init(&p, &a, &hub_chat, NULL, NULL, 1, "rid", &w);
	ck_assert_int_eq(pipe_open(&p), GW_OK);
	ck_assert_int_eq(pipe_feed(&p, chat_sse, 30), 0);	/* part of the first event */
	pipe_end(&p, 1, 1);
	/* the error in Chat's stream shape, then [DONE] */
	ck_assert_int_eq(o.n, 2);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&o.all), "stream_interrupted"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&o.all), "request id: rid"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&o.all), "|[DONE]\n"));
	ck_assert_int_eq(p.have_usage, 0);
	pipe_release(&p);
	buf_release(&o.all);
	arena_release(&a);
}
END_TEST

/* Claude's stream to a Chat client: translated events only, usage noted. */
START_TEST(claude_to_chat)
{
	struct arena a;
	struct out o;
	struct pipe p;
	struct pipe_writer w = { w_begin, w_event, &o };
	struct hub_req q;
	size_t n;
	char *s = slurp("anthropic-messages-stream-text.sse", &n);

	arena_init(&a);
	memset(&o, 0, sizeof(o));
	buf_init(&o.all, 1u << 20);
	hub_req_init(&q);
	q.model = "claude-sonnet-4-5";
	q.stream = 1;
	pipe_init(&p, &a, &hub_claude, &hub_chat, &q, 0, "rid", &w);
	ck_assert_int_eq(p.pass, 0);
	ck_assert_int_eq(pipe_open(&p), GW_OK);
	ck_assert_int_eq(pipe_feed(&p, s, n), 0);
	pipe_flush(&p);
	pipe_end(&p, 0, 1);
	ck_assert_int_gt(o.n, 2);
	ck_assert_ptr_null(strstr(buf_cstr(&o.all), "message_start"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&o.all), "chat.completion.chunk"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&o.all), "|[DONE]\n"));
	ck_assert_int_eq(p.have_usage, 1);
	ck_assert_int_gt(p.usage.input, 0);
	ck_assert_int_gt(buf_len(&p.text), 0);
	pipe_release(&p);
	buf_release(&o.all);
	arena_release(&a);
	free(s);
}
END_TEST

/* A non-stream Chat answer passed through: observed, bytes kept. */
START_TEST(answer_through)
{
	static const char body[] = "{\"choices\":[{\"message\":{\"content\":\"Hi\"}}],"
	    "\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":1}}";
	struct arena a;
	struct out o;
	struct pipe p;
	struct pipe_writer w = { w_begin, w_event, &o };
	json_t *out = NULL;

	arena_init(&a);
	memset(&o, 0, sizeof(o));
	pipe_init(&p, &a, &hub_chat, &hub_chat, NULL, 0, "rid", &w);
	ck_assert_int_eq(pipe_answer(&p, body, sizeof(body) - 1, "m", &out), GW_OK);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(p.usage.input, 4);
	ck_assert_str_eq(buf_cstr(&p.text), "Hi");
	ck_assert_int_eq(pipe_answer(&p, "[1]", 3, "m", &out), GW_EINPUT);
	ck_assert_int_eq(o.n, 0);
	pipe_release(&p);
	arena_release(&a);
}
END_TEST

static Suite *
pipeline_suite(void)
{
	Suite *s = suite_create("pipeline");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, chat_through);
	tcase_add_test(tc, chat_cut);
	tcase_add_test(tc, claude_to_chat);
	tcase_add_test(tc, answer_through);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(pipeline_suite)
