/* fcgi/server.c: FastCGI connections on the event loop, and CGI mode.
 *
 * The loop accepts web-server connections, reads FastCGI records and each
 * request's body without blocking, and writes responses from a per-
 * connection queue. A request's headers are judged before its body is read
 * (dispatch_admit) when the body is larger than an anonymous caller may
 * send; handlers run on worker threads; a request waiting on an upstream
 * or a slow client holds no thread. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include "server.h"
#include "billing.h"
#include "cfg.h"
#include "db.h"
#include "dispatch.h"
#include "fcgi_proto.h"
#include "jsonx.h"
#include "caps.h"
#include "log.h"
#include "loop.h"
#include "util.h"
#include "worker.h"

struct conn;

enum fx_state {
	FX_PARAMS,	/* reading CGI parameters (loop) */
	FX_ADMIT,	/* a worker judges the headers (reading paused) */
	FX_BODY,	/* reading the body (loop) */
	FX_RUN,		/* the handler has it (worker, or the loop for an upstream) */
};

/* One FastCGI request. */
struct fx {
	struct req r;		/* first: handlers see only this */
	struct conn *c;		/* NULL once the connection is gone (loop-owned) */
	unsigned id;
	enum fx_state st;
	struct buf params;	/* the raw PARAMS stream */
	const char **env;	/* name, value, name, value, ... (arena) */
	size_t nenv;
	int64_t want;		/* CONTENT_LENGTH, -1 = until the empty STDIN */
	int64_t deadline_us;	/* the body must be in by then */
	int stdin_eof;
	int gone_posted;	/* fx_gone is queued: it frees x if x ended meanwhile */
	int free_pending;
	struct buf pend;	/* response bytes not yet framed in records */
};

struct conn {
	struct watch w;
	unsigned char *in;	/* unparsed input */
	size_t inlen, incap;
	char *out;		/* framed output not yet written */
	size_t outlen, outoff, outcap;
	struct fx *fx;		/* the request on this connection (one at a time) */
	int keep;		/* FCGI_KEEP_CONN */
	int closing;		/* close once the output is out */
	int lingering;		/* output out, write side shut: discard input until EOF */
	int unread;		/* a request ended before its input did */
	unsigned skip_id;	/* ... and its remaining records are ignored */
	int64_t stall_us;	/* output waiting since, or last progress */
	int64_t linger_until;
	struct conn *prev, *next;
};

static struct watch lw;		/* the listen socket */
static int listening;
static struct watch sigw;
static struct conn *conns;
static size_t nconns, nrequests;
static int draining;
static int64_t drain_deadline;
static struct tick conn_tick;

static void conn_kill(struct conn *c);
static void conn_input(struct conn *c);
static void conn_settle(struct conn *c);
static void fx_free(struct fx *x);

/* ---- the request's io ---------------------------------------------- */

static long
fx_read(void *ctx, char *p, size_t n)
{
	(void)ctx, (void)p, (void)n;
	return 0;	/* the loop read the body already */
}

/* Output goes to pend; the loop frames it in records when it flushes. */
static int
fx_write(void *ctx, const char *p, size_t n)
{
	struct fx *x = ctx;

	if (req_gone(&x->r) || buf_add(&x->pend, p, n) != GW_OK)
		return -1;
	return 0;
}

/* Room for n more bytes at the end of the queue; NULL on ENOMEM. */
static char *
conn_reserve(struct conn *c, size_t n)
{
	size_t need;
	char *q;

	if (c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	else if (c->outoff > 0 && c->outoff >= c->outcap / 2) {
		memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
		c->outlen -= c->outoff;
		c->outoff = 0;
	}
	need = c->outlen + n;
	if (need > c->outcap) {
		size_t cap = c->outcap ? c->outcap : 4096;
		while (cap < need)
			cap *= 2;
		if ((q = realloc(c->out, cap)) == NULL)
			return NULL;
		c->out = q;
		c->outcap = cap;
	}
	if (c->outlen == c->outoff)
		c->stall_us = mono_us();
	c->outlen += n;
	return c->out + c->outlen - n;
}

static int
conn_append(struct conn *c, const void *p, size_t n)
{
	char *q = conn_reserve(c, n);

	if (q == NULL)
		return GW_ENOMEM;
	memcpy(q, p, n);
	return GW_OK;
}

/* Write what the socket takes; wait for EPOLLOUT for the rest. */
static int
conn_write(struct conn *c)
{
	ssize_t k;
	uint32_t ev;

	while (c->outoff < c->outlen) {
		k = write(c->w.fd, c->out + c->outoff, c->outlen - c->outoff);
		if (k > 0) {
			c->outoff += (size_t)k;
			c->stall_us = mono_us();
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN)
			break;
		return -1;	/* EPIPE, ECONNRESET: the web server dropped us */
	}
	if (c->outoff == c->outlen) {
		c->outoff = c->outlen = 0;
		if (c->outcap > 65536) {	/* a big answer's buffer goes back */
			free(c->out);
			c->out = NULL;
			c->outcap = 0;
		}
	}
	ev = EPOLLRDHUP | (c->outlen ? EPOLLOUT : 0) |
	    (c->fx && c->fx->st == FX_ADMIT ? 0 : EPOLLIN);
	return loop_rewatch(&c->w, ev) == GW_OK ? 0 : -1;
}

/* Frame pend as STDOUT records straight into the connection's queue (loop
 * only): one copy per event. */
static int
fx_frame(struct fx *x)
{
	size_t n = buf_len(&x->pend);
	char *q;

	if (n == 0)
		return GW_OK;
	if ((q = conn_reserve(x->c, fcgi_frame_size(n))) == NULL)
		return GW_ENOMEM;
	fcgi_frame(q, FCGI_STDOUT, x->id, buf_cstr(&x->pend), n);
	buf_trim(&x->pend, 65536);
	return GW_OK;
}

static int
fx_flush(void *ctx)
{
	struct fx *x = ctx;

	if (req_gone(&x->r))
		return -1;
	if (!loop_in_thread())
		return 0;	/* a worker's output leaves when it hands the request back */
	if (x->c == NULL)
		return -1;
	if (fx_frame(x) != GW_OK || conn_write(x->c) != 0) {
		conn_kill(x->c);
		return -1;
	}
	return 0;
}

static const char *
fx_param(void *ctx, const char *name)
{
	struct fx *x = ctx;
	size_t i;

	for (i = 0; i < x->nenv; i++)
		if (strcmp(x->env[2 * i], name) == 0)
			return x->env[2 * i + 1];
	return NULL;
}

static size_t
fx_backlog(void *ctx)
{
	struct fx *x = ctx;

	/* only meaningful on the loop's thread, where it is asked */
	return x->c ? x->c->outlen - x->c->outoff : 0;
}

static void fx_complete(void *arg);

/* Always through the loop's inbox, even from the loop: never nested in a
 * parse or a callback, and after any "gone" message posted before it. */
static void
fx_done(void *ctx)
{
	if (loop_post(fx_complete, ctx) != GW_OK)
		log_error("cannot hand a finished request to the loop: out of memory");
}

static const struct io fx_io = { fx_read, fx_write, fx_flush, fx_param, fx_backlog, fx_done };

/* ---- requests ------------------------------------------------------ */

static void
fx_free(struct fx *x)
{
	int64_t big = (int64_t)buf_len(&x->r.body);

	if (x->gone_posted) {
		x->free_pending = 1;	/* fx_gone, still queued, frees it */
		return;
	}
	if (x->c && x->c->fx == x)
		x->c->fx = NULL;
	buf_release(&x->params);
	buf_release(&x->pend);
	req_release(&x->r);
	free(x);
	nrequests--;
	/* the heap a large request grew is handed back to the system */
	if (big >= (int64_t)TRIM_AFTER_BODY)
		malloc_trim(0);
}

/* The request is answered (loop): frame the rest, end it, and close the
 * connection unless the web server keeps it. */
static void
fx_complete(void *arg)
{
	struct fx *x = arg;
	struct conn *c = x->c;
	struct buf end = BUF_INIT(64);

	if (c == NULL) {
		fx_free(x);
		return;
	}
	if (fx_frame(x) != GW_OK || fcgi_put_end(&end, x->id, 0, FCGI_REQUEST_COMPLETE) != GW_OK ||
	    conn_append(c, buf_cstr(&end), buf_len(&end)) != GW_OK) {
		buf_release(&end);
		fx_free(x);
		conn_kill(c);
		return;
	}
	buf_release(&end);
	/* input of this request still on its way (its empty STDIN, or a body
	 * that was refused): skip it; closing at once could lose the answer */
	if (!x->stdin_eof) {
		c->unread = 1;
		c->skip_id = x->id;
	}
	if (!c->keep || draining)
		c->closing = 1;
	fx_free(x);
	if (conn_write(c) != 0) {
		conn_kill(c);
		return;
	}
	conn_settle(c);
	if (c->w.fd >= 0 && c->inlen && !c->closing)
		conn_input(c);	/* the next request is already here */
}

/* Answer before the handler ran (too large, too slow), from the loop. */
static void
fx_refuse(struct fx *x, int status, const char *msg)
{
	struct conn *c = x->c;

	x->st = FX_RUN;
	c->closing = 1;		/* the rest of the body is not read */
	dispatch_refuse(&x->r, status, msg);
	req_done(&x->r);
}

static void
job_run(struct worker *w, void *arg)
{
	struct fx *x = arg;

	x->r.w = w;
	if (w->db == NULL && db_open(&w->db) != GW_OK) {
		w->db = NULL;
		oai_error(&x->r, 503, "one_api_error", "database_unavailable", "database unavailable");
		log_error("req=%s database unavailable", x->r.id);
		req_done(&x->r);
		return;
	}
	x->r.db = w->db;
	dispatch(&x->r);
}

static void fx_admitted(void *arg);

/* The headers of a large body: judged by a worker, then back to the loop. */
static void
job_admit(struct worker *w, void *arg)
{
	struct fx *x = arg;

	x->r.w = w;
	if (w->db == NULL && db_open(&w->db) != GW_OK)
		w->db = NULL;
	x->r.db = w->db;
	if (x->r.db == NULL) {
		oai_error(&x->r, 503, "one_api_error", "database_unavailable", "database unavailable");
		x->r.route = NULL;
	} else if (dispatch_admit(&x->r) >= 0) {
		if (loop_post(fx_admitted, x) == GW_OK)
			return;
		oai_error(&x->r, 500, "one_api_error", NULL, "out of memory");
	}
	/* refused: the rest of the body is not wanted */
	x->r.route = NULL;
	if (loop_post(fx_admitted, x) != GW_OK)
		log_error("req=%s lost: out of memory", x->r.id);
}

static void
fx_start(struct fx *x)
{
	x->st = FX_RUN;
	x->r.body_ready = 1;
	if (pool_submit(job_run, x) != GW_OK) {
		oai_error(&x->r, 503, "one_api_error", NULL, "out of memory");
		req_done(&x->r);
	}
}

/* The body is complete when the web server says so, or at CONTENT_LENGTH. */
static void
fx_body_maybe_done(struct fx *x)
{
	if (x->st == FX_BODY && (x->stdin_eof ||
	    (x->want >= 0 && (int64_t)buf_len(&x->r.body) >= x->want)))
		fx_start(x);
}

static void
fx_admitted(void *arg)
{
	struct fx *x = arg;
	struct conn *c = x->c;

	if (c == NULL) {
		fx_free(x);
		return;
	}
	if (x->r.route == NULL || !x->r.admitted) {
		x->st = FX_RUN;
		c->closing = 1;
		req_done(&x->r);	/* the refusal admission wrote */
		return;
	}
	if (x->want > (int64_t)x->r.body_cap) {
		char msg[128];
		snprintf(msg, sizeof(msg), "request body too large: the limit is %zu bytes",
		    x->r.body_cap);
		fx_refuse(x, 413, msg);
		return;
	}
	buf_release(&x->r.body);
	buf_init(&x->r.body, x->r.body_cap);
	x->st = FX_BODY;
	if (conn_write(c) != 0) {	/* reading again */
		conn_kill(c);
		return;
	}
	fx_body_maybe_done(x);
	if (c->inlen)
		conn_input(c);
}

static int
env_add(void *ctx, const char *name, size_t nl, const char *val, size_t vl)
{
	struct fx *x = ctx;
	const char **e;
	size_t cap = x->nenv ? x->nenv : 16;

	if ((x->nenv & (x->nenv - 1)) == 0 && x->nenv >= 16)
		cap = x->nenv * 2;
	if (x->nenv == 0 || cap != x->nenv) {
		if ((e = arena_alloc(&x->r.arena, 2 * cap * sizeof(*e))) == NULL)
			return GW_ENOMEM;
		if (x->nenv)
			memcpy(e, x->env, 2 * x->nenv * sizeof(*e));
		x->env = e;
	}
	x->env[2 * x->nenv] = arena_strndup(&x->r.arena, name, nl);
	x->env[2 * x->nenv + 1] = arena_strndup(&x->r.arena, val, vl);
	if (x->env[2 * x->nenv] == NULL || x->env[2 * x->nenv + 1] == NULL)
		return GW_ENOMEM;
	x->nenv++;
	return 0;
}

/* All parameters are in: small bodies are read at once, larger ones only
 * after the headers were judged. */
static void
fx_params_done(struct fx *x)
{
	const char *cl = fx_param(x, "CONTENT_LENGTH");

	x->want = -1;
	if (cl && *cl && parse_i64(cl, 0, INT64_MAX, &x->want) != GW_OK) {
		fx_refuse(x, 400, "invalid Content-Length");
		return;
	}
	if (x->want < 0 && fx_param(x, "HTTP_TRANSFER_ENCODING") == NULL) {
		const char *m = fx_param(x, "REQUEST_METHOD");
		/* GET, HEAD: no body unless announced */
		if (m && (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 ||
		    strcmp(m, "DELETE") == 0 || strcmp(m, "OPTIONS") == 0))
			x->want = 0;
	}
	if (x->want >= 0 && x->want <= (int64_t)ANON_BODY_MAX) {
		buf_init(&x->r.body, ANON_BODY_MAX);
		x->st = FX_BODY;
		fx_body_maybe_done(x);
		return;
	}
	x->st = FX_ADMIT;
	if (pool_submit(job_admit, x) != GW_OK)
		fx_refuse(x, 503, "out of memory");
	else if (conn_write(x->c) != 0)	/* stop reading until judged */
		conn_kill(x->c);
}

static struct fx *
fx_new(struct conn *c, unsigned id)
{
	struct fx *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return NULL;
	req_init(&x->r, NULL, &fx_io, x);
	x->c = c;
	x->id = id;
	x->st = FX_PARAMS;
	x->deadline_us = mono_us() + cfg->request_read_timeout * 1000000;
	buf_init(&x->params, FCGI_MAX_PARAMS_BYTES);
	buf_init(&x->pend, BUF_MAX_RESPONSE);
	nrequests++;
	return x;
}

/* ---- connections --------------------------------------------------- */

static int
put_values(void *ctx, const char *name, size_t nl, const char *val, size_t vl)
{
	struct buf *b = ctx;
	const char *v = NULL;

	(void)val, (void)vl;
	if (nl == 14 && memcmp(name, "FCGI_MAX_CONNS", 14) == 0)
		v = "8192";
	else if (nl == 13 && memcmp(name, "FCGI_MAX_REQS", 13) == 0)
		v = "8192";
	else if (nl == 15 && memcmp(name, "FCGI_MPXS_CONNS", 15) == 0)
		v = "0";
	if (v && fcgi_nv_put(b, name, nl, v, strlen(v)) != GW_OK)
		return -1;
	return 0;
}

/* A record with request id 0. */
static int
conn_management(struct conn *c, const struct fcgi_rec *rec)
{
	struct buf vals = BUF_INIT(4096), out = BUF_INIT(4096 + 64);
	unsigned char t[8] = { 0 };
	int rc;

	if (rec->type == FCGI_GET_VALUES) {
		rc = fcgi_nv_parse(rec->content, rec->len, put_values, &vals) == 0 ? GW_OK : GW_EINPUT;
		if (rc == GW_OK)
			rc = fcgi_put(&out, FCGI_GET_VALUES_RESULT, 0, buf_cstr(&vals), buf_len(&vals));
	} else {
		t[0] = (unsigned char)rec->type;
		rc = fcgi_put(&out, FCGI_UNKNOWN_TYPE, 0, t, sizeof(t));
	}
	if (rc == GW_OK)
		rc = conn_append(c, buf_cstr(&out), buf_len(&out));
	buf_release(&vals);
	buf_release(&out);
	return rc;
}

static int
conn_reject(struct conn *c, unsigned id, int proto_status)
{
	struct buf b = BUF_INIT(64);
	int rc = fcgi_put_end(&b, id, 0, proto_status);

	if (rc == GW_OK)
		rc = conn_append(c, buf_cstr(&b), buf_len(&b));
	buf_release(&b);
	return rc;
}

/* One record. Returns 0 to go on, 1 to stop parsing for now (the request
 * was handed over or refused), -1 to drop the connection. */
static int
conn_record(struct conn *c, const struct fcgi_rec *rec)
{
	struct fx *x = c->fx;
	int role, flags;

	if (rec->id == 0)
		return conn_management(c, rec) == GW_OK ? 0 : -1;
	if (rec->type == FCGI_BEGIN_REQUEST) {
		if (fcgi_begin_parse(rec, &role, &flags) != 0)
			return -1;
		if (x != NULL)		/* we said FCGI_MPXS_CONNS=0 */
			return conn_reject(c, rec->id, FCGI_CANT_MPX_CONN) == GW_OK ? 0 : -1;
		if (role != FCGI_RESPONDER)
			return conn_reject(c, rec->id, FCGI_UNKNOWN_ROLE) == GW_OK ? 0 : -1;
		c->keep = (flags & FCGI_KEEP_CONN) != 0;
		if (draining)
			c->keep = 0;
		if ((c->fx = fx_new(c, rec->id)) == NULL)
			return -1;
		return 0;
	}
	if (x == NULL || rec->id != x->id) {
		/* a record of a request that is over */
		if (rec->id == c->skip_id && rec->type == FCGI_STDIN && rec->len == 0)
			c->unread = 0, c->skip_id = 0;
		return 0;
	}
	switch (rec->type) {
	case FCGI_ABORT_REQUEST:
		return -1;	/* the client left: same as a closed connection */
	case FCGI_PARAMS:
		if (x->st != FX_PARAMS)
			return -1;
		if (rec->len == 0) {
			if (fcgi_nv_parse(buf_cstr(&x->params), buf_len(&x->params), env_add, x) != 0)
				return -1;
			buf_release(&x->params);
			fx_params_done(x);
			return x->st == FX_ADMIT ? 1 : 0;
		}
		if (buf_add(&x->params, rec->content, rec->len) != GW_OK)
			return -1;
		return 0;
	case FCGI_STDIN:
		if (rec->len == 0) {
			x->stdin_eof = 1;
			fx_body_maybe_done(x);
			return 0;
		}
		if (x->st != FX_BODY)
			return 0;	/* past CONTENT_LENGTH, or after a refusal */
		if (buf_add(&x->r.body, rec->content, rec->len) != GW_OK) {
			char msg[128];
			snprintf(msg, sizeof(msg), "request body too large: the limit is %zu bytes",
			    x->r.admitted ? x->r.body_cap : (size_t)ANON_BODY_MAX);
			if (!x->r.admitted) {
				/* no CONTENT_LENGTH: judge the headers, then refuse */
				x->want = INT64_MAX;
			}
			fx_refuse(x, 413, msg);
			return 0;
		}
		fx_body_maybe_done(x);
		return 0;
	default:
		return 0;	/* FCGI_DATA is for the filter role */
	}
}

/* Parse what is buffered, as far as the request's state allows. */
static void
conn_input(struct conn *c)
{
	size_t off = 0;
	struct fcgi_rec rec;
	long k;
	int rc = 0;

	while (off < c->inlen && !c->lingering) {
		if (c->fx && c->fx->st == FX_ADMIT)
			break;
		if ((k = fcgi_rec_parse(c->in + off, c->inlen - off, &rec)) == 0)
			break;
		if (k < 0) {
			rc = -1;
			break;
		}
		off += (size_t)k;
		if ((rc = conn_record(c, &rec)) != 0 || c->w.fd < 0)
			break;
	}
	if (c->w.fd < 0)
		return;
	if (rc < 0) {
		conn_kill(c);
		return;
	}
	if (off) {
		memmove(c->in, c->in + off, c->inlen - off);
		c->inlen -= off;
	}
	if (c->outlen > c->outoff && conn_write(c) != 0)
		conn_kill(c);
}

static void
conn_free(void *p)
{
	struct conn *c = p;

	free(c->in);
	free(c->out);
	free(c);
}

/* The client's departure reaches the handler from the inbox: never inside
 * a libcurl callback, where its transfer may not be removed. */
static void
fx_gone(void *arg)
{
	struct fx *x = arg;

	x->gone_posted = 0;
	if (x->free_pending)
		fx_free(x);
	else if (x->r.hooks.gone)
		x->r.hooks.gone(x->r.hooks.arg);
}

/* Unlink and close; the request, if a worker or an upstream holds it, is
 * told and freed when it comes back. The memory goes after this epoll
 * round. */
static void
conn_kill(struct conn *c)
{
	struct fx *x = c->fx;

	if (c->w.fd < 0)
		return;
	loop_unwatch(&c->w);
	close(c->w.fd);
	c->w.fd = -1;
	if (c->prev)
		c->prev->next = c->next;
	else
		conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	nconns--;
	if (x) {
		x->c = NULL;
		c->fx = NULL;
		__atomic_store_n(&x->r.gone, 1, __ATOMIC_RELEASE);
		if (x->st == FX_PARAMS || x->st == FX_BODY)
			fx_free(x);
		else if (x->r.hooks.gone) {
			/* an upstream transfer runs: stop it, from the inbox */
			if (loop_post(fx_gone, x) == GW_OK)
				x->gone_posted = 1;
			else
				log_error("req=%s: cannot tell the handler that its client left", x->r.id);
		}
	}
	loop_defer_free(conn_free, c);
}

/* The close after a response whose request body we did not read: shut our
 * side, then read and drop the rest for a while, as libfcgi's linger does,
 * so the web server sees the answer rather than a reset. */
static void
conn_linger(struct conn *c)
{
	c->lingering = 1;
	c->linger_until = mono_us() + 2000000;
	(void)shutdown(c->w.fd, SHUT_WR);
}

/* Nothing left to write and no request: close, linger or wait. */
static void
conn_settle(struct conn *c)
{
	if (c->w.fd < 0 || c->fx || !c->closing || c->outlen || c->lingering)
		return;
	if (c->unread)
		conn_linger(c);
	else
		conn_kill(c);
}

static void
on_conn(struct watch *w, uint32_t ev)
{
	struct conn *c = w->arg;
	ssize_t k;

	if (ev & EPOLLOUT) {
		if (conn_write(c) != 0) {
			conn_kill(c);
			return;
		}
		if (c->fx && c->fx->st == FX_RUN && c->fx->r.hooks.drain &&
		    c->outlen - c->outoff < OUTQ_LOW)
			c->fx->r.hooks.drain(c->fx->r.hooks.arg);
		if (c->w.fd >= 0)
			conn_settle(c);
		if (c->w.fd < 0)
			return;
	}
	if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
		for (;;) {
			if (c->lingering) {
				char sink[16384];
				k = read(c->w.fd, sink, sizeof(sink));
				if (k > 0)
					continue;
			} else {
				if (c->fx && c->fx->st == FX_ADMIT && !(ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
					break;
				if (c->incap - c->inlen < FCGI_READ_CHUNK / 2) {
					size_t cap = c->inlen + FCGI_READ_CHUNK;
					unsigned char *q = realloc(c->in, cap);
					if (q == NULL) {
						conn_kill(c);
						return;
					}
					c->in = q;
					c->incap = cap;
				}
				k = read(c->w.fd, c->in + c->inlen, c->incap - c->inlen);
				if (k > 0) {
					c->inlen += (size_t)k;
					conn_input(c);
					if (c->w.fd < 0)
						return;
					/* paused, or enough for one round: let others run */
					if ((c->fx && c->fx->st == FX_ADMIT) || c->inlen >= FCGI_READ_CHUNK)
						break;
					continue;
				}
			}
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0 && errno == EAGAIN)
				break;
			conn_kill(c);	/* EOF or error: the web server is gone */
			return;
		}
	}
}

/* FCGI_WEB_SERVER_ADDRS: the addresses a TCP peer may have (as libfcgi). */
static int
peer_allowed(int fd)
{
	const char *list = getenv("FCGI_WEB_SERVER_ADDRS");
	struct sockaddr_storage sa;
	socklen_t sl = sizeof(sa);
	char ip[INET6_ADDRSTRLEN], *copy, *tok, *save;
	int ok = 0;

	if (list == NULL || *list == '\0')
		return 1;
	if (getpeername(fd, (struct sockaddr *)&sa, &sl) != 0)
		return 0;
	if (sa.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&sa)->sin_addr, ip, sizeof(ip));
	else if (sa.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&sa)->sin6_addr, ip, sizeof(ip));
	else
		return 1;	/* unix sockets: the file mode decides */
	if ((copy = strdup(list)) == NULL)
		return 0;
	for (tok = strtok_r(copy, ", ", &save); tok && !ok; tok = strtok_r(NULL, ", ", &save))
		ok = strcmp(tok, ip) == 0;
	free(copy);
	return ok;
}

static void
on_listen(struct watch *w, uint32_t ev)
{
	struct conn *c;
	int fd, n = 0;

	(void)ev;
	while (n++ < 64) {
		if (nconns >= FCGI_MAX_CONNS || pool_queued() > FCGI_MAX_CONNS) {
			/* push back: the web server's connections wait in the
			 * kernel's backlog until we have room (see the tick) */
			loop_unwatch(&lw);
			listening = 0;
			return;
		}
		fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_warn("accept: %s", strerror(errno));
			return;
		}
		if (!peer_allowed(fd) || (c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			continue;
		}
		c->w.fn = on_conn;
		c->w.arg = c;
		if (loop_watch(&c->w, fd, EPOLLIN | EPOLLRDHUP) != GW_OK) {
			close(fd);
			free(c);
			continue;
		}
		c->next = conns;
		if (conns)
			conns->prev = c;
		conns = c;
		nconns++;
	}
}

static void
begin_drain(int sig)
{
	struct conn *c, *next;

	log_info("signal %d: stop accepting, finishing requests in flight (up to %llds)", sig,
	    (long long)cfg->shutdown_timeout_sec);
	draining = 1;
	drain_deadline = mono_us() + cfg->shutdown_timeout_sec * 1000000;
	if (listening)
		loop_unwatch(&lw);
	listening = 0;
	/* idle kept-alive connections carry nothing: close them now */
	for (c = conns; c; c = next) {
		next = c->next;
		if (c->fx == NULL && c->outlen == 0)
			conn_kill(c);
	}
	if (nrequests == 0)
		loop_stop();
}

static void
on_signal(struct watch *w, uint32_t ev)
{
	struct signalfd_siginfo si;

	(void)ev;
	while (read(w->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			log_info("SIGHUP ignored: restart the process to reload the environment");
			continue;
		}
		if (si.ssi_signo == SIGUSR1)
			continue;
		if (!draining)
			begin_drain((int)si.ssi_signo);
	}
}

/* Once a second: deadlines of slow bodies and of clients that stopped
 * reading, lingering closes, accepting again, and the end of a drain. */
static void
on_tick(void *arg)
{
	struct conn *c, *next;
	int64_t now = mono_us(), wdl = cfg->stream_write_timeout_sec * 1000000;

	(void)arg;
	for (c = conns; c; c = next) {
		next = c->next;
		if (c->lingering && now >= c->linger_until) {
			conn_kill(c);
			continue;
		}
		if (c->outlen > c->outoff && now - c->stall_us >= wdl) {
			log_warn("req=%s the web server took nothing for %llds; connection cut",
			    c->fx ? c->fx->r.id : "-", (long long)cfg->stream_write_timeout_sec);
			conn_kill(c);
			continue;
		}
		if (c->fx && (c->fx->st == FX_PARAMS || c->fx->st == FX_BODY) &&
		    now >= c->fx->deadline_us) {
			log_warn("req=%s body not complete after %llds; cut", c->fx->r.id,
			    (long long)cfg->request_read_timeout);
			fx_refuse(c->fx, 408, "request body not received in time");
		}
	}
	if (!listening && !draining && nconns < FCGI_MAX_CONNS * 9 / 10 &&
	    pool_queued() < FCGI_MAX_CONNS / 2 && loop_watch(&lw, lw.fd, EPOLLIN) == GW_OK)
		listening = 1;
	if (draining && (nrequests == 0 || now >= drain_deadline))
		loop_stop();
}

int
serve_fcgi(int fd, int threads)
{
	sigset_t set;
	int sfd, rc = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	/* blocked before the threads start, so every thread inherits it */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (loop_init() != GW_OK || (sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		log_error("cannot set up the event loop: %s", strerror(errno));
		return -1;
	}
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	lw.fn = on_listen;
	sigw.fn = on_signal;
	if (loop_watch(&lw, fd, EPOLLIN) != GW_OK || loop_watch(&sigw, sfd, EPOLLIN) != GW_OK) {
		log_error("cannot watch the listen socket");
		return -1;
	}
	listening = 1;
	conn_tick.fn = on_tick;
	loop_tick(&conn_tick);
	if (billing_queue_start() != GW_OK)
		log_warn("no settlement writer thread: requests settle one by one");
	if (pool_start(threads) != GW_OK) {
		log_error("cannot start worker threads");
		return -1;
	}
	log_info("serving FastCGI with %d threads (pid %d)", threads, (int)getpid());
	loop_run(NULL);
	if (nrequests > 0) {
		log_warn("%zu requests still running after %llds; exiting anyway", nrequests,
		    (long long)cfg->shutdown_timeout_sec);
		billing_queue_flush();	/* what finished is charged */
		return 0;		/* the threads die with the process */
	}
	pool_stop();
	billing_queue_stop();
	log_info("stopped");
	return rc;
}

/* ---- CGI ------------------------------------------------------------ */

static volatile int cgi_finished;

static long
c_read(void *ctx, char *p, size_t n)
{
	size_t got = fread(p, 1, n, stdin);

	(void)ctx;
	return got == 0 && ferror(stdin) ? -1 : (long)got;
}

static int
c_write(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

static int
c_flush(void *ctx)
{
	(void)ctx;
	return fflush(stdout) == 0 ? 0 : -1;
}

static const char *
c_param(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

static size_t
c_backlog(void *ctx)
{
	(void)ctx;
	return 0;
}

static void
c_done(void *ctx)
{
	(void)ctx;
	cgi_finished = 1;
}

static const struct io cgi_io = { c_read, c_write, c_flush, c_param, c_backlog, c_done };

int
serve_cgi(void)
{
	struct worker *w = pool_inline_worker();
	struct req r;

	if (loop_init() != GW_OK) {
		log_error("cannot set up the event loop");
		return 1;
	}
	req_init(&r, w, &cgi_io, NULL);
	if (db_open(&w->db) != GW_OK) {
		w->db = NULL;
		oai_error(&r, 503, "one_api_error", "database_unavailable", "database unavailable");
		req_done(&r);
	} else {
		r.db = w->db;
		dispatch(&r);
		/* an upstream exchange runs on the loop, in this thread */
		if (!cgi_finished)
			loop_run(&cgi_finished);
	}
	fflush(stdout);
	req_release(&r);
	db_close(w->db);
	w->db = NULL;
	billing_queue_flush();
	loop_free();
	return 0;
}
