/* providers/relay.c: the upstream engine. One libcurl multi handle on the
 * event loop (curl_multi_socket_action with epoll) carries every transfer,
 * and its connection cache keeps upstream connections alive across
 * requests; a per-thread easy handle serves the few short blocking calls. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include "relay.h"
#include "caps.h"
#include "log.h"
#include "loop.h"
#include "util.h"

struct xfer {
	CURL *easy;
	struct relay_req rq;
	const struct relay_cb *cb;
	void *ctx;
	long status;
	int head_done;
	int aborted;
	int paused;
	int added;		/* in the multi handle */
	char ctype[128];
	int64_t last_us;	/* last upstream byte, or the start */
	struct relay_result res;
	struct xfer *prev, *next;
};

static CURLM *multi;
static struct xfer *running;
static size_t nrunning;
static struct tick idle_tick;
static CURL *spare[64];		/* reset easy handles, for the next transfer */
static size_t nspare;
static pthread_mutex_t spare_mu = PTHREAD_MUTEX_INITIALIZER;

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
head_once(struct xfer *x)
{
	if (x->head_done)
		return 0;
	x->head_done = 1;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
	if (x->cb->on_head && x->cb->on_head(x->ctx, x->status, x->ctype) != 0) {
		x->aborted = 1;
		return -1;
	}
	return 0;
}

static size_t
on_write(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;
	int rc;

	x->last_us = mono_us();
	if (head_once(x) != 0)
		return 0;
	if (len == 0 || x->cb->on_data == NULL)
		return len;
	rc = x->cb->on_data(x->ctx, p, len);
	if (rc == RELAY_PAUSE && x->added) {
		x->paused = 1;
		return CURL_WRITEFUNC_PAUSE;
	}
	if (rc != 0) {
		x->aborted = 1;
		return 0;	/* CURLE_WRITE_ERROR ends the transfer */
	}
	return len;
}

static CURL *
easy_get(void)
{
	CURL *e = NULL;

	pthread_mutex_lock(&spare_mu);
	if (nspare)
		e = spare[--nspare];
	pthread_mutex_unlock(&spare_mu);
	return e ? e : curl_easy_init();
}

static void
easy_put(CURL *e)
{
	curl_easy_reset(e);
	pthread_mutex_lock(&spare_mu);
	if (nspare < sizeof(spare) / sizeof(spare[0])) {
		spare[nspare++] = e;
		e = NULL;
	}
	pthread_mutex_unlock(&spare_mu);
	if (e)
		curl_easy_cleanup(e);
}

/* The options of one request on easy handle e. */
static void
setup(CURL *e, const struct relay_req *rq, struct xfer *x, char *errbuf)
{
	curl_easy_setopt(e, CURLOPT_URL, rq->url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, rq->headers);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_BUFFERSIZE, UPSTREAM_RECV_BUFFER);
	curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, UPSTREAM_RECV_BUFFER);
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
}

/* What the caller learns of a finished transfer. */
static int
result(struct xfer *x, CURLcode rc)
{
	struct relay_result *res = &x->res;

	/* a body-less response (204, or an empty error) still has a head */
	if (rc == CURLE_OK)
		(void)head_once(x);
	res->curl = rc;
	res->status = x->status;
	res->aborted = x->aborted;
	curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME, &res->total_s);
	curl_easy_getinfo(x->easy, CURLINFO_STARTTRANSFER_TIME, &res->ttfb_s);
	if (x->aborted)
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

/* ---- on the loop ---------------------------------------------------- */

static void
finish(struct xfer *x, CURLcode code)
{
	int rc;

	if (x->added) {
		curl_multi_remove_handle(multi, x->easy);
		x->added = 0;
		if (x->prev)
			x->prev->next = x->next;
		else
			running = x->next;
		if (x->next)
			x->next->prev = x->prev;
		nrunning--;
	}
	rc = result(x, code);
	x->cb->on_done(x->ctx, rc, &x->res);
	easy_put(x->easy);
	free(x);
}

static void
check_done(void)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(multi, &left)) != NULL) {
		struct xfer *x = NULL;
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (x)
			finish(x, m->data.result);
	}
}

static void
on_sock(struct watch *w, uint32_t ev)
{
	int flags = 0, still;

	if (ev & (EPOLLIN | EPOLLHUP | EPOLLRDHUP))
		flags |= CURL_CSELECT_IN;
	if (ev & EPOLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (ev & EPOLLERR)
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(multi, w->fd, flags, &still);
	check_done();
}

static void
free_watch(void *p)
{
	free(p);
}

static int
sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *sockp)
{
	struct watch *w = sockp;
	uint32_t ev = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);

	(void)e, (void)userp;
	if (what == CURL_POLL_REMOVE) {
		if (w) {
			loop_unwatch(w);
			w->fd = -1;
			loop_defer_free(free_watch, w);
			curl_multi_assign(multi, s, NULL);
		}
		return 0;
	}
	if (w == NULL) {
		if ((w = calloc(1, sizeof(*w))) == NULL)
			return -1;
		w->fn = on_sock;
		if (loop_watch(w, s, ev) != GW_OK) {
			free(w);
			return -1;
		}
		curl_multi_assign(multi, s, w);
		return 0;
	}
	return loop_rewatch(w, ev) == GW_OK ? 0 : -1;
}

static void
on_timeout(void *arg)
{
	int still;

	(void)arg;
	curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &still);
	check_done();
}

static int
timer_cb(CURLM *m, long ms, void *userp)
{
	(void)m, (void)userp;
	loop_timer(ms, on_timeout, NULL);
	return 0;
}

/* Once a second: heartbeats for streams whose upstream is silent. */
static void
on_idle_tick(void *arg)
{
	struct xfer *x, *next;
	int64_t now = mono_us();

	(void)arg;
	for (x = running; x; x = next) {
		next = x->next;
		if (x->rq.idle_ms <= 0 || x->cb->on_idle == NULL || x->paused ||
		    now - x->last_us < (int64_t)x->rq.idle_ms * 1000)
			continue;
		x->last_us = now;
		if (x->cb->on_idle(x->ctx) != 0) {
			x->aborted = 1;
			finish(x, CURLE_ABORTED_BY_CALLBACK);
		}
	}
}

static int
engine_init(void)
{
	if (multi)
		return GW_OK;
	if ((multi = curl_multi_init()) == NULL)
		return GW_ENOMEM;
	curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	idle_tick.fn = on_idle_tick;
	loop_tick(&idle_tick);
	return GW_OK;
}

static void
add(void *arg)
{
	struct xfer *x = arg;
	CURLMcode mc;

	if (x->cb->on_start && x->cb->on_start(x->ctx) != 0) {
		x->aborted = 1;
		finish(x, CURLE_ABORTED_BY_CALLBACK);
		return;
	}
	if (engine_init() != GW_OK ||
	    (mc = curl_multi_add_handle(multi, x->easy)) != CURLM_OK) {
		snprintf(x->res.error, sizeof(x->res.error), "cannot start the upstream transfer");
		finish(x, CURLE_FAILED_INIT);
		return;
	}
	x->added = 1;
	x->last_us = mono_us();
	x->next = running;
	if (running)
		running->prev = x;
	running = x;
	nrunning++;
	/* libcurl asks for a 0 ms timer through timer_cb: the loop starts it */
}

int
relay_start(const struct relay_req *rq, const struct relay_cb *cb, void *ctx, struct xfer **out)
{
	struct xfer *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return GW_ENOMEM;
	if ((x->easy = easy_get()) == NULL) {
		free(x);
		return GW_ENOMEM;
	}
	x->rq = *rq;
	x->cb = cb;
	x->ctx = ctx;
	setup(x->easy, rq, x, x->res.error);
	if (out)
		*out = x;
	if (loop_in_thread())
		add(x);
	else if (loop_post(add, x) != GW_OK) {
		easy_put(x->easy);
		free(x);
		return GW_ENOMEM;
	}
	return GW_OK;
}

void
relay_cancel(struct xfer *x)
{
	x->aborted = 1;
	finish(x, CURLE_ABORTED_BY_CALLBACK);
}

void
relay_resume(struct xfer *x)
{
	if (!x->paused)
		return;
	x->paused = 0;
	/* may deliver the held bytes at once, and pause again */
	curl_easy_pause(x->easy, CURLPAUSE_CONT);
}

size_t
relay_running(void)
{
	return nrunning;
}

/* ---- blocking, on a worker ------------------------------------------ */

static pthread_key_t tl_key;
static pthread_once_t tl_once = PTHREAD_ONCE_INIT;

static void
tl_free(void *p)
{
	curl_easy_cleanup(p);
}

static void
tl_init(void)
{
	(void)pthread_key_create(&tl_key, tl_free);
}

int
relay_perform(const struct relay_req *rq, const struct relay_cb *cb, void *ctx,
    struct relay_result *res)
{
	struct xfer x;
	CURLcode code;
	int rc;

	pthread_once(&tl_once, tl_init);
	memset(&x, 0, sizeof(x));
	/* the thread's own handle keeps its connections alive between calls */
	if ((x.easy = pthread_getspecific(tl_key)) == NULL) {
		if ((x.easy = curl_easy_init()) == NULL)
			return GW_ENOMEM;
		(void)pthread_setspecific(tl_key, x.easy);
	}
	curl_easy_reset(x.easy);
	x.rq = *rq;
	x.cb = cb;
	x.ctx = ctx;
	x.last_us = mono_us();
	setup(x.easy, rq, &x, x.res.error);
	code = curl_easy_perform(x.easy);
	rc = result(&x, code);
	*res = x.res;
	return rc;
}
