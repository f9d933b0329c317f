/* providers/relay.c: libcurl easy-handle engine: keep-alive, timeouts, proxy,
 * streaming callbacks, heartbeats on silence, abort on client disconnect */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "relay.h"
#include "util.h"

struct xfer {
	const struct relay_req *rq;
	const struct relay_cb *cb;
	void *ctx;
	long status;
	int head_done;
	int aborted;
	char ctype[128];
	int64_t last_us;	/* last upstream byte, or the start */
};

int
relay_conn_init(struct relay_conn *c)
{
	c->easy = curl_easy_init();
	return c->easy ? GW_OK : GW_ENOMEM;
}

void
relay_conn_release(struct relay_conn *c)
{
	if (c->easy)
		curl_easy_cleanup(c->easy);
	c->easy = NULL;
}

/* Header lines: remember the status of the final response and its type.
 * Interim 1xx responses (100 Continue) reset nothing of value. */
static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;

	x->last_us = mono_us();
	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		x->ctype[0] = '\0';
		return len;
	}
	if (len > 13 && strncasecmp(p, "content-type:", 13) == 0) {
		size_t i = 13, o = 0;
		while (i < len && (p[i] == ' ' || p[i] == '\t'))
			i++;
		while (i < len && p[i] != '\r' && p[i] != '\n' && o < sizeof(x->ctype) - 1)
			x->ctype[o++] = p[i++];
		x->ctype[o] = '\0';
	}
	return len;
}

static int
head_once(struct xfer *x, CURL *easy)
{
	if (x->head_done)
		return 0;
	x->head_done = 1;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &x->status);
	if (x->cb->on_head && x->cb->on_head(x->ctx, x->status, x->ctype) != 0) {
		x->aborted = 1;
		return -1;
	}
	return 0;
}

struct wctx {
	struct xfer *x;
	CURL *easy;
};

static size_t
on_write(char *p, size_t size, size_t n, void *arg)
{
	struct wctx *w = arg;
	size_t len = size * n;

	w->x->last_us = mono_us();
	if (head_once(w->x, w->easy) != 0)
		return 0;
	if (len && w->x->cb->on_data && w->x->cb->on_data(w->x->ctx, p, len) != 0) {
		w->x->aborted = 1;
		return 0;	/* CURLE_WRITE_ERROR ends the transfer */
	}
	return len;
}

/* Called by libcurl at least once a second: heartbeats while silent. */
static int
on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct xfer *x = arg;
	int64_t now;

	if (x->rq->idle_ms <= 0 || x->cb->on_idle == NULL)
		return 0;
	now = mono_us();
	if (now - x->last_us < (int64_t)x->rq->idle_ms * 1000)
		return 0;
	x->last_us = now;
	if (x->cb->on_idle(x->ctx) != 0) {
		x->aborted = 1;
		return 1;
	}
	return 0;
}

int
relay_perform(struct relay_conn *c, const struct relay_req *rq, const struct relay_cb *cb,
    void *ctx, struct relay_result *res)
{
	struct xfer x;
	struct wctx w;
	CURL *e = c->easy;
	CURLcode rc;

	memset(&x, 0, sizeof(x));
	memset(res, 0, sizeof(*res));
	x.rq = rq;
	x.cb = cb;
	x.ctx = ctx;
	x.last_us = mono_us();
	w.x = &x;
	w.easy = e;
	/* reset options but keep the connection cache of the handle */
	curl_easy_reset(e);
	curl_easy_setopt(e, CURLOPT_URL, rq->url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, rq->headers);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, res->error);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &w);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, &x);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	/* pass bytes through as sent: no transparent decompression */
	curl_easy_setopt(e, CURLOPT_HTTP_CONTENT_DECODING, 0L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    rq->connect_timeout_ms > 0 ? rq->connect_timeout_ms : 10000L);
	if (rq->timeout_ms > 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, rq->timeout_ms);
	if (rq->proxy && rq->proxy[0])
		curl_easy_setopt(e, CURLOPT_PROXY, rq->proxy);
	if (rq->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, rq->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
	}
	if (rq->method && strcmp(rq->method, "POST") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, rq->method);
	else if (!rq->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
	}
	if (rq->method && strcmp(rq->method, "GET") == 0)
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	rc = curl_easy_perform(e);
	/* a body-less response (204, or an empty error) still has a head */
	if (rc == CURLE_OK)
		(void)head_once(&x, e);
	res->curl = rc;
	res->status = x.status;
	res->aborted = x.aborted;
	curl_easy_getinfo(e, CURLINFO_TOTAL_TIME, &res->total_s);
	curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME, &res->ttfb_s);
	if (x.aborted)
		return GW_EIO;
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return GW_ETIMEOUT;
	if (rc != CURLE_OK) {
		if (res->error[0] == '\0')
			snprintf(res->error, sizeof(res->error), "%s", curl_easy_strerror(rc));
		return GW_EUPSTREAM;
	}
	return GW_OK;
}
