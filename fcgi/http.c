/* fcgi/http.c: request accessors and response serialisation */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "http.h"
#include "util.h"
#include "log.h"

/* One API's id: YYYYMMDDhhmmss + (nanoseconds % 1e9) + 8 random digits. */
static void
make_request_id(char *out, size_t n)
{
	/* localtime_r takes glibc's time zone lock: once a second per thread */
	static _Thread_local time_t last_sec = -1;
	static _Thread_local char stamp[32];
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != last_sec) {
		localtime_r(&ts.tv_sec, &tm);
		snprintf(stamp, sizeof(stamp), "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		last_sec = ts.tv_sec;
	}
	snprintf(out, n, "%s%ld%08llu", stamp, ts.tv_nsec % 1000000000L,
	    (unsigned long long)rand_below(100000000ULL));
}

void
req_init(struct req *r, struct worker *w, const struct io *io, void *ctx)
{
	memset(r, 0, sizeof(*r));
	arena_init(&r->arena);
	r->w = w;
	r->io = io;
	r->ioctx = ctx;
	r->t0_us = mono_us();
	make_request_id(r->id, sizeof(r->id));
	buf_init(&r->body, BUF_MAX_API_BODY);
	buf_init(&r->resp.head, BUF_MAX_HEADERS);
	buf_init(&r->resp.body, BUF_MAX_RESPONSE);
	r->resp.status = 200;
}

void
req_release(struct req *r)
{
	buf_release(&r->body);
	buf_release(&r->resp.head);
	buf_release(&r->resp.body);
	arena_release(&r->arena);
}

const char *
req_env(struct req *r, const char *name)
{
	return r->io->param(r->ioctx, name);
}

const char *
req_header(struct req *r, const char *name)
{
	char env[128];
	size_t i, o = 0;

	if (strcasecmp(name, "Content-Type") == 0)
		return req_env(r, "CONTENT_TYPE");
	if (strcasecmp(name, "Content-Length") == 0)
		return req_env(r, "CONTENT_LENGTH");
	memcpy(env, "HTTP_", 5);
	o = 5;
	for (i = 0; name[i] && o < sizeof(env) - 1; i++)
		env[o++] = name[i] == '-' ? '_' : (char)toupper((unsigned char)name[i]);
	env[o] = '\0';
	return req_env(r, env);
}

const char *
req_query(struct req *r, const char *key)
{
	if (!r->qs_done) {
		r->qs_done = 1;
		if (kv_parse_query(&r->arena, r->query, strlen(r->query), &r->qs) != GW_OK)
			r->qs.n = 0;
	}
	return kv_get(&r->qs, key);
}

int64_t
req_query_int(struct req *r, const char *key, int64_t def)
{
	const char *s = req_query(r, key);
	int64_t v;

	if (s == NULL || parse_i64(s, INT64_MIN, INT64_MAX, &v) != GW_OK)
		return def;
	return v;
}

int
req_path_id(struct req *r, int64_t min, int64_t max, int64_t *id)
{
	if (r->npv < 1 || parse_i64(r->pv[0], min, max, id) != GW_OK)
		return GW_EINPUT;
	return GW_OK;
}

const char *
req_cookie(struct req *r, const char *name)
{
	if (!r->cookies_done) {
		const char *c = req_env(r, "HTTP_COOKIE");
		r->cookies_done = 1;
		if (c && kv_parse_cookies(&r->arena, c, strlen(c), &r->cookies) != GW_OK)
			r->cookies.n = 0;
	}
	return kv_get(&r->cookies, name);
}

int
req_read_body(struct req *r, size_t max)
{
	const char *cl = req_env(r, "CONTENT_LENGTH");
	int64_t want = -1;
	char chunk[16384];
	int rc;

	buf_release(&r->body);
	buf_init(&r->body, max);
	/* An empty CONTENT_LENGTH means a chunked body (nginx with request
	 * buffering off): read to the end. */
	if (cl && *cl) {
		if (parse_i64(cl, 0, INT64_MAX, &want) != GW_OK)
			return GW_EINPUT;
		if ((uint64_t)want > max)
			return GW_ETOOBIG;
	}
	while (want < 0 || (int64_t)buf_len(&r->body) < want) {
		size_t ask = sizeof(chunk);
		long got;

		if (want >= 0 && (int64_t)ask > want - (int64_t)buf_len(&r->body))
			ask = (size_t)(want - (int64_t)buf_len(&r->body));
		got = r->io->read(r->ioctx, chunk, ask);
		if (got < 0)
			return GW_EIO;
		if (got == 0)
			break;
		if ((rc = buf_add(&r->body, chunk, (size_t)got)) != GW_OK)
			return rc;
	}
	r->body_ready = 1;
	return GW_OK;
}

int
req_gone(const struct req *r)
{
	return __atomic_load_n(&r->gone, __ATOMIC_ACQUIRE);
}

size_t
req_backlog(struct req *r)
{
	return r->io->backlog(r->ioctx);
}

void
resp_status(struct req *r, int status)
{
	r->resp.status = status;
}

static int
has_crlf(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

void
resp_header(struct req *r, const char *name, const char *value)
{
	if (has_crlf(name) || has_crlf(value)) {
		log_warn("req=%s dropped a response header with CR/LF", r->id);
		return;
	}
	if (buf_printf(&r->resp.head, "%s: %s\r\n", name, value) != GW_OK)
		log_error("req=%s response headers too large", r->id);
}

int
resp_body(struct req *r, int status, const char *ctype, const void *p, size_t n)
{
	r->resp.status = status;
	r->resp.ctype = ctype;
	buf_reset(&r->resp.body);
	return buf_add(&r->resp.body, p, n);
}

const char *
http_reason(int s)
{
	switch (s) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Unknown";
	}
}

/* The status line and headers every response carries. */
static int
write_head(struct req *r, int status, const char *ctype, int64_t clen)
{
	struct buf h = BUF_INIT(BUF_MAX_HEADERS + 1024);
	int rc;

	rc = buf_printf(&h, "Status: %d %s\r\n", status, http_reason(status));
	if (rc == GW_OK && ctype)
		rc = buf_printf(&h, "Content-Type: %s\r\n", ctype);
	if (rc == GW_OK && clen >= 0)
		rc = buf_printf(&h, "Content-Length: %lld\r\n", (long long)clen);
	if (rc == GW_OK)
		rc = buf_printf(&h, "X-Oneapi-Request-Id: %s\r\n", r->id);
	if (rc == GW_OK)
		rc = buf_add(&h, buf_cstr(&r->resp.head), buf_len(&r->resp.head));
	if (rc == GW_OK)
		rc = buf_adds(&h, "\r\n");
	if (rc == GW_OK && r->io->write(r->ioctx, buf_cstr(&h), buf_len(&h)) != 0)
		rc = GW_EIO;
	buf_release(&h);
	return rc;
}

int
resp_send(struct req *r)
{
	struct resp *s = &r->resp;
	int rc;

	if (s->streaming)
		return resp_stream_flush(r);
	rc = write_head(r, s->status, s->ctype, (int64_t)buf_len(&s->body));
	if (rc == GW_OK && buf_len(&s->body) && strcmp(r->method, "HEAD") != 0 &&
	    r->io->write(r->ioctx, buf_cstr(&s->body), buf_len(&s->body)) != 0)
		rc = GW_EIO;
	if (rc != GW_OK)
		s->failed = 1;
	return rc;
}

int
resp_stream_begin(struct req *r, int status, const char *ctype)
{
	int rc;

	r->resp.status = status;
	r->resp.streaming = 1;
	rc = write_head(r, status, ctype, -1);
	if (rc == GW_OK)
		rc = resp_stream_flush(r);
	if (rc != GW_OK)
		r->resp.failed = 1;
	return rc;
}

int
resp_stream_write(struct req *r, const void *p, size_t n)
{
	if (r->resp.failed || r->io->write(r->ioctx, p, n) != 0) {
		r->resp.failed = 1;
		return GW_EIO;
	}
	return GW_OK;
}

int
resp_stream_flush(struct req *r)
{
	if (r->resp.failed || r->io->flush(r->ioctx) != 0) {
		r->resp.failed = 1;
		return GW_EIO;
	}
	return GW_OK;
}
