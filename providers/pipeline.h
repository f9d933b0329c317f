/* providers/pipeline.h: one upstream answer on its way to the client:
 * upstream decoder -> usage observer -> client encoder -> writer. The
 * handler supplies the writer (struct pipe_writer) and feeds bytes; the
 * events never leave providers/ until they are the client's bytes. */
#ifndef GW_PIPELINE_H
#define GW_PIPELINE_H

#include <jansson.h>
#include "arena.h"
#include "buf.h"
#include "hub.h"
#include "sse.h"

#define PIPE_MAX_TEXT	(1u << 20)	/* produced text kept for a usage estimate */

/* Where the client's stream goes: the handler's side. */
struct pipe_writer {
	/* Send the stream's head now (before the first event, or for a
	 * heartbeat); idempotent. 0, or non-zero when the client is gone. */
	int (*begin)(void *ctx);
	/* One SSE event (event NULL = no "event:" line), flushed at once.
	 * 0, or non-zero when the client is gone. */
	int (*event)(void *ctx, const char *event, const char *data, size_t len);
	void *ctx;
};

struct pipe {
	struct arena *a;
	const struct hub_format *up;	/* the upstream's protocol */
	const struct hub_format *in;	/* the client's codec (up when passing through) */
	int pass;			/* bytes pass through (observed, not translated) */
	int client_usage;		/* Chat through: the client asked for the usage chunk */
	const struct hub_req *q;	/* the request as sent upstream (translating) */
	const char *req_id;		/* for the errors we write into the stream */
	struct pipe_writer w;
	struct sse sse;
	void *dec;			/* up's stream decoder (observes pass-through too) */
	void *enc;			/* translating: the client's stream encoder */
	int gone;			/* the writer said the client is gone */
	int done_sent;			/* Chat through: the upstream's [DONE] went out */
	/* what the usage observer saw */
	struct hub_usage usage;
	int have_usage;			/* a usage of zeros is none (One API #1391) */
	struct buf text;		/* produced text, for an estimate */
	const char *resp_id;		/* the answer's id (Responses: kept for GET/DELETE) */
	int up_error;			/* the upstream's stream reported an error */
};

/* Set up p for one answer; no allocation. in NULL (an OpenAI-only task)
 * or in == up pass the bytes through. q is kept (the arena's). */
void pipe_init(struct pipe *p, struct arena *a, const struct hub_format *up,
    const struct hub_format *in, const struct hub_req *q, int client_usage, const char *req_id,
    const struct pipe_writer *w);
/* Streams: create the decoder (and encoder). GW_OK or GW_ENOMEM. */
int pipe_open(struct pipe *p) GW_WUR;
/* Feed n bytes of the upstream's SSE, split anywhere. 0, or non-zero to
 * stop the transfer (client gone, or a broken stream). */
int pipe_feed(struct pipe *p, const char *data, size_t n);
/* The upstream's stream ended: its last event, if unterminated. */
void pipe_flush(struct pipe *p);
/* Finish the client's stream, whatever happened upstream: interrupted =
 * the transfer failed midway; was_sse = the upstream answered with a
 * stream (else an error came after our heartbeats). Either failure is told
 * in the client's own event grammar; translating, the encoder then writes
 * its closing events; Chat passed through gets its [DONE]. */
void pipe_end(struct pipe *p, int interrupted, int was_sse);
/* A 2xx non-stream answer: usage and text observed; *out = the client's
 * JSON body (new ref), or NULL to send the upstream's bytes as they are.
 * GW_EINPUT when body is not the protocol's answer, GW_ENOMEM. model is
 * what the translated answer names when the upstream names none. */
int pipe_answer(struct pipe *p, const char *body, size_t len, const char *model, json_t **out) GW_WUR;
/* Free the parser and the text. */
void pipe_release(struct pipe *p);

#endif
