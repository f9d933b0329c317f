/* providers/sse.h: incremental Server-Sent Events parser (WHATWG HTML,
 * "Server-sent events", 9.2.6 Interpreting an event stream) */
#ifndef GW_SSE_H
#define GW_SSE_H

#include <stddef.h>
#include "buf.h"

#define SSE_MAX_EVENT (8u << 20)	/* one event's data; larger is an error */

/* One dispatched event. Strings are NUL-terminated and valid only during
 * the callback. event is "" when the stream sent no "event:" line. */
struct sse_event {
	const char *event;
	const char *data;	/* "data:" lines joined with '\n' */
	size_t len;
	const char *id;
};

/* Called per event; a non-zero return stops parsing and is returned by
 * sse_feed/sse_finish. */
typedef int (*sse_cb)(void *ctx, const struct sse_event *ev);

struct sse {
	struct buf line;	/* the current, unfinished line */
	struct buf data;
	struct buf event;
	struct buf id;
	int cr;			/* last byte was CR: a following LF is the same line end */
	int has_data;
	size_t comments;	/* ":" lines seen (upstream heartbeats) */
};

/* An empty parser; no allocation until input arrives. */
void sse_init(struct sse *p);
/* Feed n bytes of the stream, split anywhere. Lines may end in LF, CRLF or
 * CR. "data:" and "data: " are both accepted (one space is stripped).
 * Returns 0, the callback's non-zero value, or -1 when a line or an event
 * exceeds SSE_MAX_EVENT (the parser is then unusable). */
int sse_feed(struct sse *p, const char *s, size_t n, sse_cb cb, void *ctx);
/* End of stream: dispatch a pending event that lacked its blank line
 * (Anthropic's streams may end so). */
int sse_finish(struct sse *p, sse_cb cb, void *ctx);
/* Free the buffers; the parser may be initialised again. */
void sse_release(struct sse *p);

#endif
