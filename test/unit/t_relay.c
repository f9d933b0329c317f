/* test/unit/t_relay.c: the libcurl engine against a small HTTP server on
 * loopback: on the event loop (keep-alive reuse, streamed chunks, heartbeats
 * on silence, abort, pause and resume) and blocking on a worker */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "t_core.h"
#include "relay.h"
#include "buf.h"
#include "loop.h"

static int lfd, port, accepted;

/* Serve requests on one connection until the client closes it. The path
 * picks the answer: /slow (3 chunks, the first after 1.5 s of
 * silence: libcurl calls the progress hook about once a second), /big. */
static void
serve_conn(int fd)
{
	char req[8192];
	ssize_t n;

	while ((n = read(fd, req, sizeof(req) - 1)) > 0) {
		req[n] = '\0';
		if (strstr(req, "GET /slow") || strstr(req, "POST /slow")) {
			const char *h = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
			    "Transfer-Encoding: chunked\r\n\r\n";
			int i;
			if (write(fd, h, strlen(h)) < 0)
				return;
			for (i = 0; i < 3; i++) {
				const char *c = "c\r\ndata: tick\n\n\r\n";
				usleep(i == 0 ? 1500000 : 200000);
				if (write(fd, c, strlen(c)) < 0)
					return;
			}
			if (write(fd, "0\r\n\r\n", 5) < 0)
				return;
		} else if (strstr(req, " /big")) {
			static char big[200000];
			char h[128];
			memset(big, 'x', sizeof(big));
			snprintf(h, sizeof(h), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", sizeof(big));
			if (write(fd, h, strlen(h)) < 0 || write(fd, big, sizeof(big)) < 0)
				return;
		} else {
			const char *r = "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n"
			    "Content-Length: 11\r\n\r\n{\"e\":\"429\"}";
			if (write(fd, r, strlen(r)) < 0)
				return;
		}
	}
}

static void *
conn_main(void *arg)
{
	int fd = (int)(intptr_t)arg;

	serve_conn(fd);
	close(fd);
	return NULL;
}

/* A thread per connection: the loop's multi handle keeps its connection
 * open while the blocking call opens another. */
static void *
server(void *arg)
{
	pthread_t th;

	(void)arg;
	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			return NULL;
		__atomic_add_fetch(&accepted, 1, __ATOMIC_SEQ_CST);
		pthread_create(&th, NULL, conn_main, (void *)(intptr_t)fd);
		pthread_detach(th);
	}
}

static void
start_server(void)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	pthread_t th;
	int one = 1;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(lfd, 8), 0);
	getsockname(lfd, (struct sockaddr *)&a, &al);
	port = ntohs(a.sin_port);
	pthread_create(&th, NULL, server, NULL);
	pthread_detach(th);
}

struct sink {
	struct buf body;
	long status;
	char ctype[64];
	int idles, events;
	int abort_after;	/* abort in on_data after this many bytes; 0 = never */
	int pause_first;	/* answer the first data with RELAY_PAUSE */
	int paused, resumed;
	struct xfer *xf;
	int done, rc;
	struct relay_result res;
};

static void
resume_msg(void *arg)
{
	struct sink *s = arg;

	s->resumed++;
	relay_resume(s->xf);
}

static int
s_head(void *ctx, long status, const char *ct)
{
	struct sink *s = ctx;

	s->status = status;
	snprintf(s->ctype, sizeof(s->ctype), "%s", ct);
	return 0;
}

static int
s_data(void *ctx, const char *p, size_t n)
{
	struct sink *s = ctx;

	if (s->pause_first && !s->paused) {
		/* the bytes come again after the resume, which runs outside
		 * this callback */
		s->paused = 1;
		ck_assert_int_eq(loop_post(resume_msg, s), GW_OK);
		return RELAY_PAUSE;
	}
	s->events++;
	if (buf_add(&s->body, p, n) != GW_OK)
		return 1;
	return s->abort_after && buf_len(&s->body) >= (size_t)s->abort_after;
}

static int
s_idle(void *ctx)
{
	((struct sink *)ctx)->idles++;
	return 0;
}

static void
s_done(void *ctx, int rc, const struct relay_result *res)
{
	struct sink *s = ctx;

	s->rc = rc;
	s->res = *res;
	s->done = 1;
}

static const struct relay_cb cbs = { s_head, s_data, s_idle, NULL, s_done };

/* One transfer on the loop, run here until it is over. */
static int
run(const char *path, struct sink *s, long idle_ms, struct relay_result *res)
{
	char url[128];
	struct relay_req rq = { 0 };

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	memset(s->ctype, 0, sizeof(s->ctype));
	buf_init(&s->body, 1 << 20);
	rq.url = url;
	rq.body = "{}";
	rq.body_len = 2;
	rq.idle_ms = idle_ms;
	s->done = 0;
	ck_assert_int_eq(relay_start(&rq, &cbs, s, &s->xf), GW_OK);
	loop_run(&s->done);
	*res = s->res;
	return s->rc;
}

START_TEST(engine)
{
	struct relay_result res;
	struct sink s;
	int before;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	ck_assert_int_eq(loop_init(), GW_OK);
	start_server();

	/* an error status is a response, not a failure */
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(run("/err", &s, 0, &res), GW_OK);
	ck_assert_int_eq(res.status, 429);
	ck_assert_int_eq(s.status, 429);
	ck_assert_str_eq(s.ctype, "application/json");
	ck_assert_str_eq(buf_cstr(&s.body), "{\"e\":\"429\"}");
	buf_release(&s.body);

	/* the second request reuses the kept-alive connection */
	before = accepted;
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(run("/err", &s, 0, &res), GW_OK);
	ck_assert_int_eq(accepted, before);
	buf_release(&s.body);

	/* a slow stream: chunks arrive one by one, heartbeats while silent */
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(run("/slow", &s, 300, &res), GW_OK);
	ck_assert_int_eq(res.status, 200);
	ck_assert_str_eq(s.ctype, "text/event-stream");
	ck_assert_str_eq(buf_cstr(&s.body), "data: tick\n\ndata: tick\n\ndata: tick\n\n");
	ck_assert_int_ge(s.events, 3);
	ck_assert_int_ge(s.idles, 1);
	buf_release(&s.body);

	/* paused by a full client queue, resumed: every byte, once, in order */
	memset(&s, 0, sizeof(s));
	s.pause_first = 1;
	ck_assert_int_eq(run("/big", &s, 0, &res), GW_OK);
	ck_assert_int_eq(s.resumed, 1);
	ck_assert_uint_eq(buf_len(&s.body), 200000);
	buf_release(&s.body);

	/* a callback that stops the transfer (client gone) aborts it */
	memset(&s, 0, sizeof(s));
	s.abort_after = 1000;
	ck_assert_int_eq(run("/big", &s, 0, &res), GW_EIO);
	ck_assert_int_eq(res.aborted, 1);
	ck_assert_uint_lt(buf_len(&s.body), 200000);
	buf_release(&s.body);

	/* nothing listening: a network error with a reason */
	{
		struct relay_req rq = { 0 };
		rq.url = "http://127.0.0.1:1/x";
		memset(&s, 0, sizeof(s));
		buf_init(&s.body, 100);
		s.done = 0;
		ck_assert_int_eq(relay_start(&rq, &cbs, &s, &s.xf), GW_OK);
		loop_run(&s.done);
		ck_assert_int_eq(s.rc, GW_EUPSTREAM);
		ck_assert_int_eq(s.res.status, 0);
		ck_assert_uint_gt(strlen(s.res.error), 0);
		buf_release(&s.body);
	}

	/* blocking, as count_tokens uses it on a worker */
	memset(&s, 0, sizeof(s));
	buf_init(&s.body, 1 << 20);
	{
		char url[128];
		struct relay_req rq = { 0 };
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/err", port);
		rq.url = url;
		ck_assert_int_eq(relay_perform(&rq, &cbs, &s, &res), GW_OK);
		ck_assert_int_eq(res.status, 429);
		ck_assert_str_eq(buf_cstr(&s.body), "{\"e\":\"429\"}");
	}
	buf_release(&s.body);
	close(lfd);
	loop_free();
	curl_global_cleanup();
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("relay");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, engine);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
