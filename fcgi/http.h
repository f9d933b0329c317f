/* fcgi/http.h: one request and its response, independent of FastCGI or CGI */
#ifndef GW_HTTP_H
#define GW_HTTP_H

#include <stdint.h>
#include <stddef.h>
#include "arena.h"
#include "buf.h"
#include "kv.h"

struct route;
struct relay_token;
struct json_t;
struct req;

/* The client format a route speaks, as far as fcgi/ needs to know it: the
 * shape of its error bodies. fcgi/ knows no codec; the handlers that own
 * the format supply this (e.g. the relay's, pointing at its codec). A
 * route row points at one; dispatch copies it into the request. */
struct route_fmt {
	/* The error body (new ref, NULL on ENOMEM); message already ends with
	 * the request id. type and code are One API's (code NULL = none). */
	struct json_t *(*error)(const struct req *r, int status, const char *type,
	    const char *code, const char *message);
	const void *arg;	/* the handler's own descriptor (mode, codec) */
};
struct worker;
struct db;

/* How bytes move: FastCGI streams or CGI stdin/stdout (fcgi/worker.c). */
struct io {
	/* Read up to n bytes: count, 0 at end of body, -1 on error. */
	long (*read)(void *ctx, char *p, size_t n);
	/* Write all n bytes: 0, or -1 once the client is gone. */
	int (*write)(void *ctx, const char *p, size_t n);
	int (*flush)(void *ctx);
	/* A CGI/FastCGI parameter (REQUEST_METHOD, HTTP_COOKIE, ...) or NULL. */
	const char *(*param)(void *ctx, const char *name);
	/* Bytes written and not yet taken by the web server (0 for CGI). */
	size_t (*backlog)(void *ctx);
	/* The request is answered: the transport sends what is left and frees
	 * it (any thread; the request must not be touched afterwards). */
	void (*done)(void *ctx);
};

/* Set by a handler whose request waits on the loop (an upstream transfer);
 * the transport calls them on the loop's thread. */
struct req_hooks {
	void (*drain)(void *arg);	/* the backlog fell below OUTQ_LOW */
	void (*gone)(void *arg);	/* the client went away */
	void *arg;
};

#define ROUTE_MAX_PARAMS 4

/* The authenticated user of a management request (set by the dispatcher). */
struct req_user {
	int64_t id;
	int role;
	int status;
	const char *username;
	const char *group;
};

struct resp {
	int status;		/* 200 unless set */
	const char *ctype;	/* Content-Type; NULL = none */
	struct buf head;	/* extra header lines, "Name: value\r\n" each */
	struct buf body;
	int streaming;		/* headers already sent by resp_stream_begin */
	int failed;		/* a write to the client failed */
};

struct req {
	struct arena arena;		/* everything of this request; freed at its end */
	struct worker *w;
	struct db *db;			/* this thread's store connection */
	const struct io *io;
	void *ioctx;
	const char *method;
	const char *path;		/* without query string, not decoded */
	const char *query;		/* after '?', or "" */
	const char *remote_addr;
	char id[64];			/* X-Oneapi-Request-Id */
	int64_t t0_us;
	const struct route *route;
	const struct route_fmt *fmt;	/* the route's client format; NULL: OpenAI's errors */
	const char *pv[ROUTE_MAX_PARAMS];	/* path parameters, in pattern order */
	int npv;
	struct kvlist qs;
	int qs_done;
	struct kvlist cookies;
	int cookies_done;
	struct buf body;		/* request body */
	int body_ready;			/* the transport read the body (FastCGI) */
	int admitted;			/* route and credentials checked (dispatch_admit) */
	size_t body_cap;		/* the body limit admission chose */
	int gone;			/* the client went away (atomic: set by the loop) */
	struct req_hooks hooks;
	struct req_user user;		/* valid when authed */
	struct relay_token *token;	/* R_APIKEY routes: the API key's token */
	int authed;
	struct resp resp;
};

/* Set up r for one exchange on io/ctx; assigns the request id. */
void req_init(struct req *r, struct worker *w, const struct io *io, void *ctx);
/* Free everything of the request (arena, buffers). */
void req_release(struct req *r);

/* 1 once the client has gone away (any thread). */
int req_gone(const struct req *r);
/* Outgoing bytes not yet taken by the web server. */
size_t req_backlog(struct req *r);

/* A CGI parameter by its CGI name, or NULL. */
const char *req_env(struct req *r, const char *name);
/* A request header by its HTTP name ("Authorization"), or NULL. */
const char *req_header(struct req *r, const char *name);
/* A decoded query-string value, or NULL. */
const char *req_query(struct req *r, const char *key);
/* A decimal query parameter, or def when absent or not a number (One API
 * ignores strconv.Atoi errors). */
int64_t req_query_int(struct req *r, const char *key, int64_t def);
/* The first path parameter (":id") as an integer in [min, max]: GW_OK, or
 * GW_EINPUT (nothing written: callers answer in their own words). */
int req_path_id(struct req *r, int64_t min, int64_t max, int64_t *id) GW_WUR;
/* A cookie value, or NULL. */
const char *req_cookie(struct req *r, const char *name);
/* Read the whole body into r->body, at most max bytes (CGI: FastCGI bodies
 * are read by the loop). GW_ETOOBIG when CONTENT_LENGTH says more (nothing
 * is read) or the body runs past max. */
int req_read_body(struct req *r, size_t max) GW_WUR;

/* Response building. The dispatcher sends it once the handler returns. */
void resp_status(struct req *r, int status);
/* Add a header; CR/LF in name or value drop the header. */
void resp_header(struct req *r, const char *name, const char *value);
/* Replace the body. */
int resp_body(struct req *r, int status, const char *ctype, const void *p, size_t n);
/* Serialise and write the buffered response (not for streams). */
int resp_send(struct req *r);

/* Streaming (SSE relay): send the headers now, then write and flush pieces.
 * Each returns GW_OK or GW_EIO once the client has gone away. */
int resp_stream_begin(struct req *r, int status, const char *ctype) GW_WUR;
int resp_stream_write(struct req *r, const void *p, size_t n) GW_WUR;
int resp_stream_flush(struct req *r) GW_WUR;

/* The reason phrase of an HTTP status. */
const char *http_reason(int status);

#endif
