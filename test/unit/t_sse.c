/* test/unit/t_sse.c: the SSE parser on recorded provider streams, whole and
 * split at every possible chunk size */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "t_core.h"
#include "sse.h"

#ifndef FIXTURES
#define FIXTURES "test/fixtures/recorded"
#endif

struct collect {
	struct buf all;		/* "event\x01data\x02" per event */
	int n;
};

static int
on_event(void *ctx, const struct sse_event *ev)
{
	struct collect *c = ctx;

	c->n++;
	if (buf_printf(&c->all, "%s\x01", ev->event) != GW_OK ||
	    buf_add(&c->all, ev->data, ev->len) != GW_OK || buf_addc(&c->all, '\x02') != GW_OK)
		return 1;
	return 0;
}

static char *
slurp(const char *name, size_t *n)
{
	char path[512];
	FILE *f;
	char *p;
	long sz;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)sz + 1);
	ck_assert_uint_eq(fread(p, 1, (size_t)sz, f), (size_t)sz);
	fclose(f);
	p[sz] = '\0';
	*n = (size_t)sz;
	return p;
}

/* Parse s in chunks of size step (0 = whole). */
static void
parse(const char *s, size_t n, size_t step, struct collect *c)
{
	struct sse p;
	size_t i;

	sse_init(&p);
	buf_init(&c->all, 64u << 20);
	c->n = 0;
	if (step == 0)
		step = n ? n : 1;
	for (i = 0; i < n; i += step)
		ck_assert_int_eq(sse_feed(&p, s + i, i + step > n ? n - i : step, on_event, c), 0);
	ck_assert_int_eq(sse_finish(&p, on_event, c), 0);
	sse_release(&p);
}

static int
count(const char *s, const char *needle)
{
	int n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s++;
	}
	return n;
}

static const char *const streams[] = {
	"openai-chat-stream-text.sse", "openai-chat-stream-tools.sse",
	"openai-chat-stream-parallel-tools.sse", "openai-chat-stream-logprobs.sse",
	"anthropic-messages-stream-text.sse", "anthropic-messages-stream-tools.sse",
	"anthropic-messages-stream-thinking.sse", "gemini-stream.sse", "gemini-stream-tools.sse",
	"responses-stream-text.sse", "responses-stream-reasoning-tool.sse",
};

START_TEST(chunking_does_not_matter)
{
	size_t n, steps[] = { 1, 2, 3, 7, 64, 1000 }, k;
	char *s = slurp(streams[_i], &n);
	struct collect whole, part;

	parse(s, n, 0, &whole);
	/* every event of these streams has exactly one data line */
	ck_assert_int_eq(whole.n, count(s, "data:"));
	ck_assert_int_gt(whole.n, 0);
	for (k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		parse(s, n, steps[k], &part);
		ck_assert_int_eq(part.n, whole.n);
		ck_assert_uint_eq(buf_len(&part.all), buf_len(&whole.all));
		ck_assert_int_eq(memcmp(buf_cstr(&part.all), buf_cstr(&whole.all), buf_len(&whole.all)), 0);
		buf_release(&part.all);
	}
	buf_release(&whole.all);
	free(s);
}
END_TEST

START_TEST(wire_quirks)
{
	size_t n;
	char *s;
	struct collect c;

	/* Chat: last event is [DONE], no event names */
	s = slurp("openai-chat-stream-text.sse", &n);
	parse(s, n, 0, &c);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&c.all), "\x01[DONE]\x02"));
	ck_assert_int_eq(buf_cstr(&c.all)[0], '\x01');
	buf_release(&c.all);
	free(s);
	/* Anthropic tools: ends without the blank line; the last event still arrives */
	s = slurp("anthropic-messages-stream-tools.sse", &n);
	parse(s, n, 0, &c);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&c.all), "message_stop\x01"));
	buf_release(&c.all);
	free(s);
	/* Gemini: CRLF line ends */
	s = slurp("gemini-stream.sse", &n);
	ck_assert_ptr_nonnull(strstr(s, "\r\n\r\n"));
	parse(s, n, 0, &c);
	ck_assert_ptr_null(strchr(buf_cstr(&c.all), '\r'));
	buf_release(&c.all);
	free(s);
}
END_TEST

START_TEST(spec_cases)
{
	struct collect c;
	const char *s = ": ping\n\ndata:a\ndata: b\nevent: x\nid: 7\nretry: 5\nunknown\n\n"
	    "data\n\n" "event: only-no-data\n\n" "data:  two spaces\r\rdata: cr\r\n\r\n";

	parse(s, strlen(s), 0, &c);
	ck_assert_int_eq(c.n, 4);
	ck_assert_int_eq(memcmp(buf_cstr(&c.all), "x\x01" "a\nb\x02" "\x01\x02" "\x01 two spaces\x02" "\x01" "cr\x02",
	    buf_len(&c.all)), 0);
	buf_release(&c.all);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("sse");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, chunking_does_not_matter, 0, (int)(sizeof(streams) / sizeof(streams[0])));
	tcase_add_test(tc, wire_quirks);
	tcase_add_test(tc, spec_cases);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
