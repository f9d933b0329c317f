/* fcgi/caps.h: the engine's fixed limits in one place (the tunable ones
 * are environment variables, see cfg.c) */
#ifndef GW_CAPS_H
#define GW_CAPS_H

/* FastCGI side */
#define FCGI_MAX_PARAMS_BYTES	(64u << 10)	/* all CGI parameters of one request */
#define FCGI_MAX_CONNS		8192		/* web-server connections held at once */
#define FCGI_READ_CHUNK		(64u << 10)	/* one read(2) from the web server */
#define ANON_BODY_MAX		(64u << 10)	/* body of a request with no key or session */

/* Per-stream output queue: above HIGH the upstream is paused, below LOW it
 * resumes. A stream's queue thus stays around one upstream read above HIGH. */
#define OUTQ_HIGH		(32u << 10)
#define OUTQ_LOW		(8u << 10)

/* JSON bodies: the parser may allocate at most this many bytes per byte of
 * input, plus JSON_BUDGET_BASE; more is refused as too large. */
#define JSON_BUDGET_FACTOR	8
#define JSON_BUDGET_BASE	(8u << 20)

/* After a request whose body was this large, hand freed heap back to the
 * system (malloc_trim). */
#define TRIM_AFTER_BODY		(4u << 20)

/* Settlements waiting for the writer thread; past this a request settles
 * on its own thread (push back, not growth). */
#define SETTLE_QUEUE_MAX	8192

/* Upstream side */
#define UPSTREAM_RECV_BUFFER	(16L << 10)	/* CURLOPT_BUFFERSIZE per transfer */

#endif
