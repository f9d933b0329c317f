/* handlers/relay_stream.c: the transfer's callbacks on the loop and the
 * writer side of the answer's pipeline (providers/pipeline.h): the client's
 * SSE head and events, heartbeats, back-pressure, a client that leaves;
 * and a non-stream answer, passed through or translated */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "relay_state.h"
#include "billing.h"
#include "caps.h"
#include "jsonx.h"
#include "dispatch.h"
#include "log.h"
#include "worker.h"

/* Send the client's SSE head now (first event, or a heartbeat). */
int
begin_stream(struct relay *x)
{
	struct req *r = x->r;

	if (x->began)
		return GW_OK;
	x->began = 1;
	resp_header(r, "Cache-Control", "no-cache");
	resp_header(r, "X-Accel-Buffering", "no");
	if (resp_stream_begin(r, 200, "text/event-stream") != GW_OK) {
		x->client_gone = 1;
		return GW_EIO;
	}
	return GW_OK;
}

/* The pipeline's writer: one SSE event, flushed. */
static int
send_event(void *ctx, const char *event, const char *data, size_t len)
{
	struct relay *x = ctx;
	struct req *r = x->r;
	int rc = GW_OK;

	if (begin_stream(x) != GW_OK)
		return 1;
	if (event && event[0]) {
		rc = resp_stream_write(r, "event: ", 7);
		if (rc == GW_OK)
			rc = resp_stream_write(r, event, strlen(event));
		if (rc == GW_OK)
			rc = resp_stream_write(r, "\n", 1);
	}
	if (rc == GW_OK)
		rc = resp_stream_write(r, "data: ", 6);
	if (rc == GW_OK)
		rc = resp_stream_write(r, data, len);
	if (rc == GW_OK)
		rc = resp_stream_write(r, "\n\n", 2);
	if (rc == GW_OK)
		rc = resp_stream_flush(r);
	if (rc != GW_OK)
		x->client_gone = 1;
	return rc != GW_OK;
}

static int
begin_cb(void *ctx)
{
	return begin_stream(ctx) != GW_OK;
}

/* This attempt's pipeline, writing to the client through us. */
int
stream_open(struct relay *x)
{
	struct pipe_writer w = { begin_cb, send_event, x };

	pipe_init(&x->at.pipe, &x->r->arena, x->at.up, x->in, &x->at.q, x->client_usage, x->r->id, &w);
	if (x->stream && pipe_open(&x->at.pipe) != GW_OK)
		return GW_ENOMEM;
	return GW_OK;
}

/* A 2xx non-stream answer: usage and text noted, then passed through or
 * translated. GW_EINPUT when it is not the protocol's answer. */
int
answer_json(struct relay *x, int status)
{
	struct req *r = x->r;
	json_t *out;
	int rc;

	rc = pipe_answer(&x->at.pipe, buf_cstr(&x->at.resp), buf_len(&x->at.resp), x->model, &out);
	if (rc == GW_EINPUT)
		return rc;
	if (rc != GW_OK) {
		oai_error(r, 500, "one_api_error", "convert_response_failed", "out of memory");
		return GW_OK;
	}
	if (out != NULL)
		rc = resp_json(r, status, out);
	else
		rc = resp_body(r, status, "application/json", buf_cstr(&x->at.resp), buf_len(&x->at.resp));
	if (rc != GW_OK)
		oai_error(r, 500, "one_api_error", "internal_error", "response too large");
	return GW_OK;
}

static int
on_head(void *ctx, long status, const char *ctype)
{
	struct relay *x = ctx;

	x->at.status = status;
	x->at.is_sse = x->stream && status >= 200 && status < 300 &&
	    strncasecmp(ctype, "text/event-stream", 17) == 0;
	return 0;
}

static int
on_data(void *ctx, const char *p, size_t n)
{
	struct relay *x = ctx;

	if (x->client_gone || req_gone(x->r))
		return 1;
	if (x->at.is_sse) {
		/* the client's queue is full: hold the upstream until it drains */
		if (x->at.xf && req_backlog(x->r) > OUTQ_HIGH) {
			x->at.paused = 1;
			return RELAY_PAUSE;
		}
		return pipe_feed(&x->at.pipe, p, n);
	}
	return buf_add(&x->at.resp, p, n) != GW_OK;	/* too big: abort */
}

/* Upstream silent: keep proxies and the client's connection alive with an
 * SSE comment (streams only), and learn whether the client is still there. */
static int
on_idle(void *ctx)
{
	struct relay *x = ctx;
	struct req *r = x->r;

	if (req_gone(r)) {		/* streaming or not: stop the upstream */
		x->client_gone = 1;
		return 1;
	}
	if (!x->stream)
		return 0;
	if (begin_stream(x) != GW_OK || resp_stream_write(r, ": keep-alive\n\n", 14) != GW_OK ||
	    resp_stream_flush(r) != GW_OK) {
		x->client_gone = 1;
		return 1;
	}
	return 0;
}

/* The client's queue drained: let the upstream go on. */
static void
on_drain(void *arg)
{
	struct relay *x = arg;

	if (x->at.xf && x->at.paused) {
		x->at.paused = 0;
		relay_resume(x->at.xf);
	}
}

/* The client left: stop the upstream now. */
static void
on_gone(void *arg)
{
	struct relay *x = arg;

	x->client_gone = 1;
	if (x->at.xf)
		relay_cancel(x->at.xf);
}

/* On the loop, as the transfer enters the engine. */
static int
on_start(void *ctx)
{
	struct relay *x = ctx;

	x->r->hooks.drain = on_drain;
	x->r->hooks.gone = on_gone;
	x->r->hooks.arg = x;
	return req_gone(x->r);
}

/*
 * The common end needs no database: a 2xx answer (a finished stream, or a
 * JSON answer that decodes) is settled through the writer thread's queue
 * right here on the loop, which spares the request two thread hand-offs.
 * Anything else (a failure to refund, a retry, channel health, a Responses
 * id to record) is a worker's. 1 when the request was ended here.
 */
static int
finish_on_loop(struct relay *x)
{
	int status = (int)x->at.status;

	if (!billing_queue_room() || (x->at.up == &hub_responses && x->at.pass))
		return 0;
	if (x->at.xrc != GW_OK || status < 200 || status >= 300)
		return 0;
	if (x->began) {
		if (!x->at.is_sse || (x->at.pipe.up_error && !x->at.pipe.have_usage &&
		    buf_len(&x->at.pipe.text) == 0))
			return 0;
	} else if (answer_json(x, status) != GW_OK)
		return 0;	/* not the protocol's answer: retried by a worker */
	x->r->db = NULL;	/* a worker's; settle() only queues */
	relay_end(x, OUT_DONE);
	req_done(x->r);
	return 1;
}

/* On the loop: the transfer is over. A stream that reached the client is
 * ended here, where its bytes go out; a plain success ends here too;
 * the rest (channel health, retries, refunds) is database work for a
 * worker. */
static void
on_done(void *ctx, int rc, const struct relay_result *res)
{
	struct relay *x = ctx;

	memset(&x->r->hooks, 0, sizeof(x->r->hooks));
	x->at.xf = NULL;
	x->at.xrc = rc;
	x->at.res = *res;
	if (x->at.is_sse && !x->client_gone)
		pipe_flush(&x->at.pipe);
	attempt_release_transfer(&x->at);
	if (x->began && !x->client_gone)
		pipe_end(&x->at.pipe, rc != GW_OK, x->at.is_sse);
	if (finish_on_loop(x))
		return;
	if (pool_submit(after_job, x) != GW_OK)
		log_error("req=%s lost after its upstream call: out of memory", x->r->id);
}

const struct relay_cb relay_cbs = { on_head, on_data, on_idle, NULL, NULL };
const struct relay_cb stream_cbs = { on_head, on_data, on_idle, on_start, on_done };
