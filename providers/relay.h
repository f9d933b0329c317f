/* providers/relay.h: the libcurl engine that sends upstream requests and
 * hands their responses to the caller as they arrive. Streams run on the
 * event loop (libcurl's multi interface), so no thread waits on them. */
#ifndef GW_RELAY_H
#define GW_RELAY_H

#include <stddef.h>
#include <curl/curl.h>
#include "err.h"

struct relay_req {
	const char *method;		/* "POST" unless set */
	const char *url;
	struct curl_slist *headers;	/* borrowed: valid until on_done */
	const char *body;		/* may be NULL; borrowed likewise */
	size_t body_len;
	long timeout_ms;		/* whole transfer; 0 = none (RELAY_TIMEOUT) */
	long connect_timeout_ms;	/* 0 = 10 s */
	const char *proxy;		/* RELAY_PROXY; NULL or "" = none */
	long idle_ms;			/* call on_idle after this much upstream silence; 0 = never */
};

struct relay_result {
	long status;		/* HTTP status, 0 when none arrived */
	CURLcode curl;		/* CURLE_OK, or why the transfer failed */
	int aborted;		/* a callback or relay_cancel stopped it */
	double total_s;		/* whole transfer time */
	double ttfb_s;		/* time to the first response byte */
	char error[CURL_ERROR_SIZE];
};

/* on_data's answer when the client's queue is full: the same bytes come
 * again after relay_resume. */
#define RELAY_PAUSE 2

/* Callbacks; on_head, on_data and on_idle return 0 to go on, 1 to abort
 * the transfer (for example when the client has gone away). */
struct relay_cb {
	/* Once, when the status line and headers are in; content_type may be "". */
	int (*on_head)(void *ctx, long status, const char *content_type);
	/* Body bytes as they arrive (any split); or RELAY_PAUSE. */
	int (*on_data)(void *ctx, const char *p, size_t n);
	/* The upstream has been silent for idle_ms (heartbeat time). May be NULL. */
	int (*on_idle)(void *ctx);
	/* relay_start only: on the loop as the transfer starts; non-zero
	 * aborts it at once (the client already left). May be NULL. */
	int (*on_start)(void *ctx);
	/* relay_start only: once, when the transfer is over. rc: GW_OK when an
	 * HTTP response arrived (any status), GW_ETIMEOUT, GW_EIO when aborted,
	 * GW_EUPSTREAM for network errors (res->error says what). */
	void (*on_done)(void *ctx, int rc, const struct relay_result *res);
};

struct xfer;

/* Start rq on the loop; any thread. The callbacks then run on the loop's
 * thread. GW_OK, or an error with nothing started and no on_done. */
int relay_start(const struct relay_req *rq, const struct relay_cb *cb, void *ctx,
    struct xfer **out) GW_WUR;
/* Loop only, never inside a callback of the same transfer: stop it now;
 * on_done follows at once (aborted). */
void relay_cancel(struct xfer *x);
/* Loop only: deliver again what a RELAY_PAUSE refused. */
void relay_resume(struct xfer *x);
/* Transfers running (for the benchmark and tests of the drain). */
size_t relay_running(void);

/* A short exchange performed on the calling worker thread (count_tokens,
 * response retrieval): same callbacks, no on_done, no pause. */
int relay_perform(const struct relay_req *rq, const struct relay_cb *cb, void *ctx,
    struct relay_result *res) GW_WUR;

#endif
