/* handlers/relay_state.h: the relay's state and the functions its files
 * share (handlers/relay*.c, and nothing else includes this). A request
 * (struct relay) lives from h_relay to req_done; an attempt (struct
 * attempt) is one channel tried, reset before each, released by
 * attempt_release on every path. */
#ifndef GW_RELAY_STATE_H
#define GW_RELAY_STATE_H

#include <jansson.h>
#include "http.h"
#include "billing.h"
#include "buf.h"
#include "channel_types.h"
#include "distribute.h"
#include "hub.h"
#include "pipeline.h"
#include "provider.h"
#include "relay.h"
#include "sse.h"

#define RELAY_MAX_RESPONSE	(64u << 20)	/* a non-stream upstream answer */
#define RELAY_MAX_ATTEMPTS	16

/* The client's API on a relay route. */
enum mode { M_CHAT, M_COMPLETIONS, M_EMBEDDINGS, M_MODERATIONS, M_MESSAGES, M_RESPONSES };

/* What a relay route speaks (struct route_fmt's arg). */
struct relay_kind {
	enum mode mode;
	/* the client's codec; NULL for the OpenAI-only modes (completions,
	 * embeddings, moderations), which only OpenAI-family channels serve */
	const struct hub_format *in;
};

/* One channel tried: everything here starts from zero for the next one. */
struct attempt {
	const struct provider *pv;	/* the channel's provider */
	const struct hub_format *up;	/* the protocol it speaks for this request */
	int pass;			/* the client's format is up's: bytes pass through */
	struct hub_req q;		/* translating: the request as sent upstream */
	long status;
	int is_sse;
	struct buf resp;		/* non-stream answer, or an error body */
	struct pipe pipe;		/* the answer on its way: observed, passed or translated */
	/* the running transfer: the engine calls back on the loop's thread */
	struct xfer *xf;
	struct curl_slist *up_headers;
	char *up_body;			/* owned when not the client's bytes */
	int up_body_owned;
	int paused;			/* the client's queue is full */
	int xrc;			/* the transfer's outcome */
	struct relay_result res;
};

/* One relay request. */
struct relay {
	struct req *r;
	enum mode mode;
	json_t *body;			/* the client's JSON (arena-owned) */
	const char *model;		/* as the client asked */
	const char *up_model;		/* after the channel's mapping */
	int stream;
	int client_usage;		/* the client asked for stream usage */
	int64_t max_tokens;
	int64_t prompt_est;
	const struct hub_format *in;	/* the client's codec (struct relay_kind) */
	struct hub_req hub;		/* the client's request in the hub, decoded when first needed */
	int hub_state;			/* 0 not yet, 1 decoded, -1 invalid (answered) */
	struct channel_pick ch;
	struct price price;
	int64_t pre;
	int system_prompt_reset;
	int began;			/* client SSE headers sent: no retry now */
	int client_gone;
	/* the last failed attempt, reported when no channel is left to try */
	int fail_status;		/* upstream status, 0 = no answer */
	const char *fail_msg;		/* no answer: why (arena) */
	int fail_timeout;
	struct attempt at;		/* the channel being tried */
	int64_t tried[RELAY_MAX_ATTEMPTS];
	size_t ntried;
	int64_t retries;
};

enum outcome { OUT_DONE, OUT_RETRY, OUT_FAILED, OUT_RUNNING };

/* Fields of an upstream error answer, if it is OpenAI-shaped. */
struct up_error {
	const char *message, *type, *code, *param;
	json_t *root;
};

/* relay_route.c: the request's route's kind (Chat when the route has none). */
const struct relay_kind *relay_kind_of(const struct req *r);

/* relay_request.c: validation, the prompt estimate, the hub decode. */
int64_t estimate_prompt(struct relay *x);
int read_request(struct relay *x);
int need_hub(struct relay *x);

/* relay_body.c: the body sent upstream (caller frees it when *owned / always). */
char *pass_body(struct relay *x, size_t *len, int *owned);
char *xlate_body(struct relay *x, size_t *len, struct hub_err *err);

/* relay_stream.c: the client's stream, the upstream's callbacks, answers. */
int begin_stream(struct relay *x);
int answer_json(struct relay *x, int status);
int stream_open(struct relay *x);
extern const struct relay_cb relay_cbs;		/* buffered calls */
extern const struct relay_cb stream_cbs;	/* attempts, on the loop */

/* relay_error.c: upstream errors, what they say to the client and about
 * the channel. */
void parse_up_error(struct relay *x, const struct buf *b, struct up_error *e);
void report_failure(struct relay *x);
void channel_health(struct relay *x, int status, const struct up_error *e);
int retryable(int status);

/* relay_attempt.c: one attempt after another. */
void attempt_reset(struct relay *x);
void attempt_release_transfer(struct attempt *a);
void attempt_release(struct attempt *a);
enum outcome attempt_begin(struct relay *x);
enum outcome attempt_end(struct relay *x, int last);
int run(struct relay *x);
enum outcome next_channel(struct relay *x);
struct worker;
void after_job(struct worker *w, void *arg);

/* relay_settle.c */
void settle(struct relay *x);
void relay_end(struct relay *x, enum outcome out);

/* relay.c */
const char *channel_base(struct arena *a, const struct channel_pick *ch,
    const struct channel_type *ct);
int call_buffered(struct relay *x, const struct provider *pv, const struct upstream_target *t,
    const char *method, const char *body, size_t blen, struct relay_result *res);

#endif
