/* providers/relay.h: the libcurl engine that sends one upstream request and
 * hands the response to the caller as it arrives */
#ifndef GW_RELAY_H
#define GW_RELAY_H

#include <stddef.h>
#include <curl/curl.h>
#include "err.h"

/* One per worker thread: the easy handle keeps upstream connections alive
 * between requests (and its DNS cache and TLS sessions). */
struct relay_conn {
	CURL *easy;
};

struct relay_req {
	const char *method;		/* "POST" unless set */
	const char *url;
	struct curl_slist *headers;	/* borrowed */
	const char *body;		/* may be NULL */
	size_t body_len;
	long timeout_ms;		/* whole transfer; 0 = none (RELAY_TIMEOUT) */
	long connect_timeout_ms;	/* 0 = 10 s */
	const char *proxy;		/* RELAY_PROXY; NULL or "" = none */
	long idle_ms;			/* call on_idle after this much upstream silence; 0 = never */
};

/* Callbacks; each returns 0 to go on, non-zero to abort the transfer (for
 * example when the client has gone away). */
struct relay_cb {
	/* Once, when the status line and headers are in; content_type may be "". */
	int (*on_head)(void *ctx, long status, const char *content_type);
	/* Body bytes as they arrive (any split). */
	int (*on_data)(void *ctx, const char *p, size_t n);
	/* The upstream has been silent for idle_ms (heartbeat time). May be NULL. */
	int (*on_idle)(void *ctx);
};

struct relay_result {
	long status;		/* HTTP status, 0 when none arrived */
	CURLcode curl;		/* CURLE_OK, or why the transfer failed */
	int aborted;		/* a callback asked to stop */
	double total_s;		/* whole transfer time */
	double ttfb_s;		/* time to the first response byte */
	char error[CURL_ERROR_SIZE];
};

int relay_conn_init(struct relay_conn *c) GW_WUR;
void relay_conn_release(struct relay_conn *c);
/* Perform rq on c, feeding cb. GW_OK when an HTTP response arrived (any
 * status, see res->status), GW_ETIMEOUT, GW_EIO when a callback aborted,
 * GW_EUPSTREAM for network errors (res->error says what). */
int relay_perform(struct relay_conn *c, const struct relay_req *rq, const struct relay_cb *cb,
    void *ctx, struct relay_result *res) GW_WUR;

#endif
