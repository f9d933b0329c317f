/* handlers/relay_attempt.c: the attempt state machine: pick the protocol, build
 * and start a call (worker), judge its outcome and retry the next channel
 * (worker, after the loop finished the transfer) */
#include <stdlib.h>
#include <string.h>
#include "relay_state.h"
#include "scrub.h"
#include "cfg.h"
#include "dispatch.h"
#include "jsonx.h"
#include "log.h"
#include "worker.h"

static const char *const mode_path[] = {
	[M_CHAT] = "/v1/chat/completions",
	[M_COMPLETIONS] = "/v1/completions",
	[M_EMBEDDINGS] = "/v1/embeddings",
	[M_MODERATIONS] = "/v1/moderations",
	[M_MESSAGES] = "/v1/messages",
	[M_RESPONSES] = "/v1/responses",
};

/* Free what a transfer needed (headers, body): on the loop
 * once it is over, or when it could not start. The answer stays. */
void
attempt_release_transfer(struct attempt *a)
{
	curl_slist_free_all(a->up_headers);
	a->up_headers = NULL;
	if (a->up_body_owned)
		free(a->up_body);
	a->up_body = NULL;
	a->up_body_owned = 0;
}

/* Everything an attempt holds: the one cleanup path, for every outcome. */
void
attempt_release(struct attempt *a)
{
	attempt_release_transfer(a);
	buf_release(&a->resp);
	pipe_release(&a->pipe);
}

/* A fresh attempt: the last one's answer and counters dropped. */
void
attempt_reset(struct relay *x)
{
	attempt_release(&x->at);
	memset(&x->at, 0, sizeof(x->at));
	buf_init(&x->at.resp, RELAY_MAX_RESPONSE);
	hub_req_init(&x->at.q);
}

/* Start a call of the chosen channel: OUT_RUNNING while the engine has it
 * (attempt_end follows), or OUT_FAILED with the error written. */
enum outcome
attempt_begin(struct relay *x)
{
	struct req *r = x->r;
	const struct provider *pv = provider_for(x->ch.type);
	const struct channel_type *ct = channel_type(x->ch.type);
	struct upstream_target t;
	struct relay_req rq;
	struct hub_err herr;
	const char *url;
	char *body;
	size_t blen;
	int owned = 0, rc;

	attempt_reset(x);
	x->up_model = distribute_map_model(&r->arena, x->ch.model_mapping, x->model);
	x->at.pv = pv;
	x->at.up = prov_protocol(pv, &x->ch, x->up_model, x->in);
	if (ct == NULL || x->at.up == NULL) {
		oai_error(r, 501, "one_api_error", "channel_type_not_supported",
		    "channel type %d is not supported by the relay yet", x->ch.type);
		return OUT_FAILED;
	}
	if (x->in == NULL && x->at.up != &hub_chat) {
		oai_error(r, 501, "one_api_error", "channel_type_not_supported",
		    "channel type %d does not serve %s", x->ch.type, mode_path[x->mode]);
		return OUT_FAILED;
	}
	x->at.pass = x->in == NULL || x->in == x->at.up;
	if (!x->at.pass && need_hub(x) != GW_OK)
		return OUT_FAILED;
	memset(&t, 0, sizeof(t));
	t.ch = &x->ch;
	t.base = channel_base(&r->arena, &x->ch, ct);
	t.path = prov_task_path(x->at.up, x->in ? NULL : mode_path[x->mode]);
	t.model = x->up_model;
	t.stream = x->stream;
	if (x->in == &hub_claude) {
		t.anthropic_version = req_header(r, "anthropic-version");
		t.anthropic_beta = req_header(r, "anthropic-beta");
	}
	url = t.base ? pv->url(&r->arena, &t) : NULL;
	if (url == NULL) {
		oai_error(r, 500, "one_api_error", "channel_misconfigured",
		    "channel %lld has no usable base URL or API version", (long long)x->ch.id);
		return OUT_FAILED;
	}
	memset(&herr, 0, sizeof(herr));
	if (x->at.pass)
		body = pass_body(x, &blen, &owned);
	else if ((body = xlate_body(x, &blen, &herr)) != NULL)
		owned = 1;
	if (body == NULL) {
		if (herr.message[0])
			oai_error(r, herr.status >= 400 ? herr.status : 400, "invalid_request_error",
			    "convert_request_failed", "%s", herr.message);
		else
			oai_error(r, 500, "one_api_error", "convert_request_failed", "out of memory");
		return OUT_FAILED;
	}
	/* from here on the attempt owns what it built: attempt_release frees it */
	x->at.up_body = body;
	x->at.up_body_owned = owned;
	rc = prov_header(&x->at.up_headers, "Content-Type", "application/json");
	if (rc == GW_OK)
		rc = prov_header(&x->at.up_headers, "Accept", x->stream ? "text/event-stream" :
		    "application/json");
	if (rc == GW_OK)
		rc = pv->headers(&t, &x->at.up_headers);
	/* no "Expect: 100-continue" round trip on big prompts */
	if (rc == GW_OK)
		rc = prov_header(&x->at.up_headers, "Expect", "");
	if (rc != GW_OK) {
		oai_error(r, 500, "one_api_error", "convert_request_failed", "cannot build the upstream request");
		goto fail;
	}
	if (stream_open(x) != GW_OK) {
		oai_error(r, 500, "one_api_error", "do_request_failed", "out of memory");
		goto fail;
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.url = url;
	rq.headers = x->at.up_headers;
	rq.body = body;
	rq.body_len = blen;
	rq.timeout_ms = cfg->relay_timeout * 1000;
	rq.proxy = cfg->relay_proxy;
	/* streams: heartbeats; every request: a client that left is noticed
	 * within a second */
	rq.idle_ms = x->stream && cfg->stream_heartbeat > 0 ? cfg->stream_heartbeat * 1000 : 1000;
	if (relay_start(&rq, &stream_cbs, x, &x->at.xf) != GW_OK) {
		x->at.xf = NULL;
		oai_error(r, 500, "one_api_error", "do_request_failed", "out of memory");
		goto fail;
	}
	return OUT_RUNNING;
fail:
	attempt_release_transfer(&x->at);
	return OUT_FAILED;
}

/* What the finished transfer means: OUT_DONE when the client got its
 * answer (success, or a final error already written). */
enum outcome
attempt_end(struct relay *x, int last)
{
	struct req *r = x->r;
	struct up_error e = { 0 };
	int rc = x->at.xrc, status = (int)x->at.status;

	/* an upstream that echoes the channel's key in its error must not
	 * hand it to the client (or to our logs) */
	if ((status < 200 || status >= 300) && buf_len(&x->at.resp) > 0)
		(void)scrub_secret((char *)buf_cstr(&x->at.resp), buf_len(&x->at.resp), x->ch.key);

	/* A stream that reached the client was finished by on_done. */
	if (x->began) {
		if (!x->at.is_sse || (status != 0 && (status < 200 || status >= 300))) {
			parse_up_error(x, &x->at.resp, &e);
			channel_health(x, status, &e);
			json_decref(e.root);
			return OUT_FAILED;	/* nothing produced: nothing charged */
		}
		/* an upstream that only said "error" produced nothing */
		if (x->at.pipe.up_error && !x->at.pipe.have_usage && buf_len(&x->at.pipe.text) == 0)
			return OUT_FAILED;
		return OUT_DONE;
	}
	if (rc == GW_EIO && (x->client_gone || req_gone(r)))
		return OUT_FAILED;
	if (rc != GW_OK || status == 0) {
		/* network error, timeout, or an answer too big to hold */
		log_warn("req=%s channel %lld: %s", r->id, (long long)x->ch.id, x->at.res.error[0] ?
		    x->at.res.error : gw_strerror(rc));
		channel_health(x, 0, &e);
		x->fail_status = 0;
		x->fail_timeout = rc == GW_ETIMEOUT;
		x->fail_msg = arena_strdup(&r->arena, x->at.res.error[0] ? x->at.res.error : gw_strerror(rc));
		if (!last && !r->token->specific_channel)
			return OUT_RETRY;
		report_failure(x);
		return OUT_FAILED;
	}
	if (status < 200 || status >= 300) {
		parse_up_error(x, &x->at.resp, &e);
		log_info("req=%s channel %lld answered %d", r->id, (long long)x->ch.id, status);
		channel_health(x, status, &e);
		json_decref(e.root);
		x->fail_status = status;
		if (!last && retryable(status) && !r->token->specific_channel)
			return OUT_RETRY;
		report_failure(x);
		return OUT_FAILED;
	}
	/* 2xx, not streamed: must be the protocol's JSON answer */
	if (answer_json(x, status) != GW_OK) {
		channel_health(x, 502, &e);
		x->fail_status = status;
		if (!last && !r->token->specific_channel)
			return OUT_RETRY;
		report_failure(x);
		return OUT_FAILED;
	}
	return OUT_DONE;
}

/* Try x->ch and, on a retryable failure, the next channels: GW_ASYNC while
 * a transfer runs, GW_OK once the answer is written and settled. */
int
run(struct relay *x)
{
	enum outcome out;

	x->tried[x->ntried++] = x->ch.id;
	out = attempt_begin(x);
	if (out == OUT_RUNNING)
		return GW_ASYNC;
	relay_end(x, out);
	return GW_OK;
}

/* The next channel after a retryable failure: OUT_RETRY when there is one. */
enum outcome
next_channel(struct relay *x)
{
	struct req *r = x->r;
	struct channel_pick next;

	if (distribute_pick(r->db, &r->arena, r->token->group, x->model, x->tried, x->ntried, 0,
	    &next) != GW_OK) {
		/* nobody left to try: report the last failure */
		report_failure(x);
		return OUT_FAILED;
	}
	x->ch = next;
	log_info("req=%s retrying on channel %lld", r->id, (long long)x->ch.id);
	billing_price(distribute_map_model(&r->arena, x->ch.model_mapping, x->model), x->ch.type,
	    r->token->group, &x->price);
	return OUT_RETRY;
}

/* On a worker: what the finished transfer means, then a retry or the end. */
void
after_job(struct worker *w, void *arg)
{
	struct relay *x = arg;
	struct req *r = x->r;
	enum outcome out;

	r->w = w;
	if (w->db == NULL && db_open(&w->db) != GW_OK)
		w->db = NULL;
	r->db = w->db;
	if (r->db == NULL) {
		/* the settlement below cannot run either: say so, keep the hold */
		log_error("req=%s database unavailable after the upstream call", r->id);
		if (!x->began)
			oai_error(r, 503, "one_api_error", "database_unavailable", "database unavailable");
		attempt_release(&x->at);
		req_done(r);
		return;
	}
	out = attempt_end(x, (int64_t)x->ntried > x->retries);
	if (out == OUT_RETRY)
		out = next_channel(x);
	if (out == OUT_RETRY && run(x) == GW_ASYNC)
		return;
	if (out != OUT_RETRY)
		relay_end(x, out);
	req_done(r);
}
