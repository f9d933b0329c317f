/* test/unit/t_image_inline.c: image URLs fetched from a small HTTP/1.1
 * server on loopback and inlined as base64, and every way a fetch fails */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include "t_core.h"
#include "image_inline.h"

#define LIMIT	(1u << 20)

static int lfd = -1, port;
static unsigned char binary[3000];	/* /bin.webp: every byte value */

static void
put(int fd, const void *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return;
		p = (const char *)p + w;
		n -= (size_t)w;
	}
}

static void
head(int fd, const char *status, const char *ctype, long len, const char *extra)
{
	char h[512];

	if (len >= 0)
		snprintf(h, sizeof(h), "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %ld\r\n%s"
		    "Connection: close\r\n\r\n", status, ctype, len, extra);
	else
		snprintf(h, sizeof(h), "HTTP/1.1 %s\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n%s"
		    "Connection: close\r\n\r\n", status, ctype, extra);
	put(fd, h, strlen(h));
}

/* Paths match with or without a proxy's absolute form ("GET http://h/x"). */
static int
is(const char *req, const char *path)
{
	char pat[64];

	snprintf(pat, sizeof(pat), "%s HTTP/1.1", path);
	return strstr(req, pat) != NULL;
}

/* One request per connection. */
static void
serve_conn(int fd)
{
	static char big[LIMIT + 10];
	char req[4096];
	size_t n = 0;
	ssize_t r;

	while (n < sizeof(req) - 1 && (r = read(fd, req + n, sizeof(req) - 1 - n)) > 0) {
		n += (size_t)r;
		req[n] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	req[n] = '\0';
	if (is(req, "/ok.png")) {
		head(fd, "200 OK", "image/png", 13, "");
		put(fd, "\x89PNG\r\n\x1a\nhello", 13);
	} else if (is(req, "/param.jpg")) {
		head(fd, "200 OK", "IMAGE/JPEG; charset=binary", 5, "");
		put(fd, "\xff\xd8\xff\xe0x", 5);
	} else if (is(req, "/bin.webp")) {
		head(fd, "200 OK", "image/webp", (long)sizeof(binary), "");
		put(fd, binary, sizeof(binary));
	} else if (is(req, "/big")) {
		head(fd, "200 OK", "image/png", (long)sizeof(big), "");
		put(fd, big, sizeof(big));
	} else if (is(req, "/bigchunked")) {
		/* no length announced: the cap must stop the transfer itself */
		size_t off;
		head(fd, "200 OK", "image/png", -1, "");
		for (off = 0; off < sizeof(big); off += 65536) {
			char c[16];
			size_t len = sizeof(big) - off < 65536 ? sizeof(big) - off : 65536;
			snprintf(c, sizeof(c), "%zx\r\n", len);
			put(fd, c, strlen(c));
			put(fd, big + off, len);
			put(fd, "\r\n", 2);
		}
		put(fd, "0\r\n\r\n", 5);
	} else if (is(req, "/html")) {
		head(fd, "200 OK", "text/html; charset=utf-8", 13, "");
		put(fd, "<p>hello</p>\n", 13);
	} else if (is(req, "/svg")) {
		head(fd, "200 OK", "image/svg+xml", 6, "");
		put(fd, "<svg/>", 6);
	} else if (is(req, "/empty")) {
		head(fd, "200 OK", "image/png", 0, "");
	} else if (is(req, "/redir")) {
		head(fd, "302 Found", "text/plain", 0, "Location: /ok.png\r\n");
	} else if (is(req, "/loop")) {
		head(fd, "302 Found", "text/plain", 0, "Location: /loop\r\n");
	} else if (is(req, "/to-file")) {
		head(fd, "302 Found", "text/plain", 0, "Location: file:///etc/passwd\r\n");
	} else if (is(req, "/slow")) {
		usleep(1500000);
		head(fd, "200 OK", "image/png", 1, "");
		put(fd, "x", 1);
	} else {
		head(fd, "404 Not Found", "text/plain", 5, "");
		put(fd, "nope\n", 5);
	}
}

static void *
server(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			return NULL;
		serve_conn(fd);
		close(fd);
	}
}

/* Checked fixture: runs in the test's (forked) process. */
static void
start_server(void)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	pthread_t th;
	int one = 1;
	size_t i;

	for (i = 0; i < sizeof(binary); i++)
		binary[i] = (unsigned char)(i * 7);
	/* the fetches must go straight to loopback */
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(lfd, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(lfd, 16), 0);
	getsockname(lfd, (struct sockaddr *)&a, &al);
	port = ntohs(a.sin_port);
	ck_assert_int_eq(pthread_create(&th, NULL, server, NULL), 0);
	pthread_detach(th);
}

static void
stop_server(void)
{
	shutdown(lfd, SHUT_RDWR);	/* wakes accept() */
	close(lfd);
	lfd = -1;
}

static const char *
url(struct arena *a, const char *path)
{
	return arena_printf(a, "http://127.0.0.1:%d%s", port, path);
}

/* A request with one user message holding one image URL. */
static struct hub_part *
one_image(struct arena *a, struct hub_req *q, const char *u)
{
	struct hub_msg *m;
	struct hub_part *p;

	hub_req_init(q);
	m = hub_add_msg(a, q, HUB_USER);
	p = hub_add_part(a, &m->parts, &m->nparts, HP_TEXT);
	p->text = "what is this?";
	p = hub_add_part(a, &m->parts, &m->nparts, HP_IMAGE);
	p->url = u;
	return p;
}

static const struct image_inline_opts opts = { LIMIT, 5000, NULL, 0, 1 };

/* Fetch u expecting failure; the message must contain want and the url. */
static void
expect_fail(const char *u, const struct image_inline_opts *o, const char *want)
{
	struct arena a;
	struct hub_req q;
	struct hub_err err;
	struct hub_part *p;

	arena_init(&a);
	p = one_image(&a, &q, u);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(hub_inline_images(&a, &q, o, &err), GW_EINPUT);
	ck_assert_int_eq(err.status, 400);
	ck_assert_msg(strstr(err.message, want) != NULL, "message \"%s\" lacks \"%s\"", err.message, want);
	ck_assert_msg(strstr(err.message, u) != NULL, "message \"%s\" lacks the url", err.message);
	/* the part is left as it was */
	ck_assert_str_eq(p->url, u);
	ck_assert_ptr_null(p->data);
	arena_release(&a);
}

START_TEST(fetch_ok)
{
	struct arena a;
	struct hub_req q;
	struct hub_err err;
	struct hub_part *p, *r, *img2, *kept;
	struct hub_msg *m;
	unsigned char dec[4000];
	int n;

	arena_init(&a);
	p = one_image(&a, &q, url(&a, "/ok.png"));
	/* a second image already inline, and one inside a tool result */
	m = &q.msgs[0];
	kept = hub_add_part(&a, &m->parts, &m->nparts, HP_IMAGE);
	kept->mime = "image/gif";
	kept->data = "R0lGODlh";
	kept->url = "https://ignored.invalid/x.gif";
	m = hub_add_msg(&a, &q, HUB_TOOL);
	r = hub_add_part(&a, &m->parts, &m->nparts, HP_TOOL_RESULT);
	r->id = "call_1";
	img2 = hub_add_part(&a, &r->content, &r->ncontent, HP_IMAGE);
	img2->url = url(&a, "/bin.webp");
	ck_assert_int_eq(hub_inline_images(&a, &q, &opts, &err), GW_OK);
	p = &q.msgs[0].parts[1];
	ck_assert_ptr_null(p->url);
	ck_assert_str_eq(p->mime, "image/png");
	ck_assert_str_eq(p->data, "iVBORw0KGgpoZWxsbw==");
	ck_assert_str_eq(kept->data, "R0lGODlh");	/* untouched */
	ck_assert_str_eq(kept->mime, "image/gif");
	ck_assert_ptr_null(img2->url);
	ck_assert_str_eq(img2->mime, "image/webp");
	ck_assert_uint_eq(strlen(img2->data), 4000);	/* 3000 bytes, no newlines */
	ck_assert_ptr_null(strchr(img2->data, '\n'));
	n = EVP_DecodeBlock(dec, (const unsigned char *)img2->data, 4000);
	ck_assert_int_eq(n, 3000);
	ck_assert_int_eq(memcmp(dec, binary, 3000), 0);

	/* parameters cut, case folded; redirects followed */
	p = one_image(&a, &q, url(&a, "/param.jpg"));
	ck_assert_int_eq(hub_inline_images(&a, &q, &opts, &err), GW_OK);
	ck_assert_str_eq(p->mime, "image/jpeg");
	ck_assert_str_eq(p->data, "/9j/4Hg=");
	p = one_image(&a, &q, url(&a, "/redir"));
	ck_assert_int_eq(hub_inline_images(&a, &q, &opts, &err), GW_OK);
	ck_assert_str_eq(p->data, "iVBORw0KGgpoZWxsbw==");
	/* data URLs left by a lenient decoder are split, not fetched */
	p = one_image(&a, &q, "data:image/png;base64,AAAA");
	ck_assert_int_eq(hub_inline_images(&a, &q, NULL, &err), GW_OK);
	ck_assert_str_eq(p->mime, "image/png");
	ck_assert_str_eq(p->data, "AAAA");
	ck_assert_ptr_null(p->url);
	arena_release(&a);
}
END_TEST

/* Two 3000-byte images: a total of 6000 takes both, 5999 refuses the second. */
START_TEST(total_cap)
{
	struct arena a;
	struct hub_req q;
	struct hub_err err;
	struct hub_part *p2;
	struct hub_msg *m;
	struct image_inline_opts o = { LIMIT, 5000, NULL, 6000, 1 };

	arena_init(&a);
	(void)one_image(&a, &q, url(&a, "/bin.webp"));
	m = &q.msgs[0];
	p2 = hub_add_part(&a, &m->parts, &m->nparts, HP_IMAGE);
	p2->url = url(&a, "/bin.webp");
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(hub_inline_images(&a, &q, &o, &err), GW_OK);
	ck_assert_ptr_null(p2->url);

	(void)one_image(&a, &q, url(&a, "/bin.webp"));
	m = &q.msgs[0];
	p2 = hub_add_part(&a, &m->parts, &m->nparts, HP_IMAGE);
	p2->url = url(&a, "/bin.webp");
	o.total_bytes = 5999;
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(hub_inline_images(&a, &q, &o, &err), GW_EINPUT);
	ck_assert_int_eq(err.status, 400);
	ck_assert_msg(strstr(err.message, "past 5999 bytes in total") != NULL, "%s", err.message);
	ck_assert_ptr_null(q.msgs[0].parts[1].url);	/* the first one went in */
	ck_assert_str_eq(p2->url, url(&a, "/bin.webp"));
	arena_release(&a);
}
END_TEST

START_TEST(fetch_through_proxy)
{
	struct arena a;
	struct hub_req q;
	struct hub_err err;
	struct hub_part *p;
	struct image_inline_opts o = { LIMIT, 5000, NULL, 0, 1 };

	/* our server answers the absolute-form request a proxy gets */
	arena_init(&a);
	o.proxy = url(&a, "");
	p = one_image(&a, &q, "http://images.example.invalid/ok.png");
	ck_assert_int_eq(hub_inline_images(&a, &q, &o, &err), GW_OK);
	ck_assert_str_eq(p->data, "iVBORw0KGgpoZWxsbw==");
	arena_release(&a);
}
END_TEST

START_TEST(fetch_refused)
{
	struct arena a;
	struct image_inline_opts fast = { LIMIT, 300, NULL, 0, 1 };
	int s, dead;
	struct sockaddr_in sa;
	socklen_t al = sizeof(sa);

	arena_init(&a);
	expect_fail(url(&a, "/big"), &opts, "is larger than 1 MB");
	expect_fail(url(&a, "/bigchunked"), &opts, "is larger than 1 MB");
	expect_fail(url(&a, "/html"), &opts, "HTTP status 200 with Content-Type text/html, not an image");
	expect_fail(url(&a, "/svg"), &opts, "image/svg+xml");
	expect_fail(url(&a, "/404"), &opts, "cannot fetch image");
	expect_fail(url(&a, "/404"), &opts, "HTTP status 404");
	expect_fail(url(&a, "/empty"), &opts, "empty answer");
	expect_fail(url(&a, "/loop"), &opts, "cannot fetch image");
	expect_fail(url(&a, "/loop"), &opts, "redirects");
	expect_fail(url(&a, "/to-file"), &opts, "cannot fetch image");
	expect_fail(url(&a, "/slow"), &fast, "cannot fetch image");
	expect_fail(url(&a, "/slow"), &fast, "timed out");
	expect_fail("ftp://127.0.0.1/a.png", &opts, "only http and https URLs are allowed");
	expect_fail("file:///etc/passwd", &opts, "only http and https URLs are allowed");
	expect_fail("gopher://127.0.0.1:70/", &opts, "only http and https URLs are allowed");
	/* nothing listens: a network failure */
	s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	getsockname(s, (struct sockaddr *)&sa, &al);
	dead = ntohs(sa.sin_port);
	close(s);
	expect_fail(arena_printf(&a, "http://127.0.0.1:%d/ok.png", dead), &opts, "cannot fetch image");
	arena_release(&a);
}
END_TEST

START_TEST(small_limit_and_long_url)
{
	struct arena a;
	struct hub_req q;
	struct hub_err err;
	struct image_inline_opts tiny = { 2000, 5000, NULL, 0, 1 };
	const char *u;
	char longpath[400];

	arena_init(&a);
	expect_fail(url(&a, "/bin.webp"), &tiny, "is larger than 2000 bytes");
	/* a long URL is cut in the message, never past the buffer */
	memset(longpath, 'a', sizeof(longpath));
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	u = url(&a, longpath);
	one_image(&a, &q, u);
	ck_assert_int_eq(hub_inline_images(&a, &q, &opts, &err), GW_EINPUT);
	ck_assert_int_eq(err.status, 400);
	ck_assert_int_eq(strncmp(err.message, "cannot fetch image http://127.0.0.1:", 36), 0);
	ck_assert_ptr_nonnull(strstr(err.message, ": HTTP status 404"));
	arena_release(&a);
}
END_TEST

/* The guard on by default: loopback, private, link-local and metadata
 * addresses refused, however the URL spells them, redirects included. */
START_TEST(private_addresses)
{
	static const char *const v4_bad[] = {
		"127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
		"169.254.169.254", "100.100.100.200", "0.0.0.0", "224.0.0.1", "255.255.255.255",
	};
	static const char *const v4_ok[] = { "8.8.8.8", "172.32.0.1", "192.169.0.1", "1.1.1.1" };
	static const char *const v6_bad[] = {
		"::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254", "ff02::1", "::ffff:127.0.0.1",
		"::ffff:10.1.2.3", "64:ff9b::a9fe:a9fe",
	};
	static const char *const v6_ok[] = { "2001:4860:4860::8888", "::ffff:8.8.8.8" };
	struct image_inline_opts strict = { LIMIT, 5000, NULL, 0, 0 };
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	struct arena a;
	const char *u;
	size_t i;

	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	for (i = 0; i < sizeof(v4_bad) / sizeof(v4_bad[0]); i++) {
		ck_assert_int_eq(inet_pton(AF_INET, v4_bad[i], &s4.sin_addr), 1);
		ck_assert_msg(!image_addr_allowed((struct sockaddr *)&s4), "%s allowed", v4_bad[i]);
	}
	for (i = 0; i < sizeof(v4_ok) / sizeof(v4_ok[0]); i++) {
		ck_assert_int_eq(inet_pton(AF_INET, v4_ok[i], &s4.sin_addr), 1);
		ck_assert_msg(image_addr_allowed((struct sockaddr *)&s4), "%s refused", v4_ok[i]);
	}
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	for (i = 0; i < sizeof(v6_bad) / sizeof(v6_bad[0]); i++) {
		ck_assert_int_eq(inet_pton(AF_INET6, v6_bad[i], &s6.sin6_addr), 1);
		ck_assert_msg(!image_addr_allowed((struct sockaddr *)&s6), "%s allowed", v6_bad[i]);
	}
	for (i = 0; i < sizeof(v6_ok) / sizeof(v6_ok[0]); i++) {
		ck_assert_int_eq(inet_pton(AF_INET6, v6_ok[i], &s6.sin6_addr), 1);
		ck_assert_msg(image_addr_allowed((struct sockaddr *)&s6), "%s refused", v6_ok[i]);
	}

	/* fetches: our server is on loopback, so every spelling of it is refused */
	arena_init(&a);
	u = url(&a, "/ok.png");
	expect_fail(u, &strict, "loopback, private or link-local address");
	expect_fail(u, &strict, "USER_CONTENT_ALLOW_PRIVATE");
	expect_fail(arena_printf(&a, "http://2130706433:%d/ok.png", port), &strict, "link-local address");
	expect_fail(arena_printf(&a, "http://0x7f000001:%d/ok.png", port), &strict, "link-local address");
	expect_fail(arena_printf(&a, "http://localhost:%d/ok.png", port), &strict, "link-local address");
	expect_fail("http://[::1]:9/ok.png", &strict, "link-local address");
	expect_fail("http://10.255.255.1/x.png", &strict, "link-local address");
	expect_fail("http://169.254.169.254/latest/meta-data/", &strict, "link-local address");
	arena_release(&a);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("image_inline");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, start_server, stop_server);
	tcase_add_test(tc, fetch_ok);
	tcase_add_test(tc, fetch_through_proxy);
	tcase_add_test(tc, total_cap);
	tcase_add_test(tc, fetch_refused);
	tcase_add_test(tc, private_addresses);
	tcase_add_test(tc, small_limit_and_long_url);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
