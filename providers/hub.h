/* providers/hub.h: the one representation every wire format translates
 * through. A client's request is decoded from its format into a hub_req,
 * encoded into the upstream's protocol; the upstream's answer is decoded into
 * a hub_resp (or, streamed, into hub_ev events) and encoded into the client's
 * format. N formats need 2N codecs, not N*N converters. When the client's
 * format equals the upstream's protocol the relay passes bytes through and
 * uses a stream decoder only to observe usage.
 *
 * Memory: every string and array here lives in the arena given to the codec
 * (the request's arena); json_t fields are owned by the arena too (codecs
 * register json_decref with arena_defer). Nothing is freed by hand.
 *
 * Semantics are the hub's own, chosen to make every format a plain mapping:
 * usage.input counts ALL prompt tokens (cache reads and writes included, as
 * OpenAI and Gemini count), usage.output counts all output tokens (reasoning
 * included); tool call arguments are a JSON text (as OpenAI sends them).
 */
#ifndef GW_HUB_H
#define GW_HUB_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "arena.h"
#include "sse.h"

enum hub_role {
	HUB_SYSTEM,		/* system or developer text; Claude/Gemini hoist it */
	HUB_USER,
	HUB_ASSISTANT,
	HUB_TOOL,		/* one tool result (HP_TOOL_RESULT parts) */
};

enum hub_part_type {
	HP_TEXT,		/* text */
	HP_IMAGE,		/* url, or mime + data (base64) */
	HP_FILE,		/* a document: mime + data (base64), or url; name */
	HP_THINKING,		/* reasoning text; signature kept for round trips */
	HP_REDACTED_THINKING,	/* data (Claude redacted_thinking, echoed verbatim) */
	HP_TOOL_CALL,		/* id, name, args (JSON text) */
	HP_TOOL_RESULT,		/* id = the call's id; text; is_error; name when known */
};

struct hub_part {
	enum hub_part_type type;
	const char *text;	/* HP_TEXT, HP_THINKING, HP_TOOL_RESULT (the result as text) */
	/* HP_IMAGE / HP_FILE: either url ("https://...") or mime + data */
	const char *url;
	const char *mime;	/* "image/png" */
	const char *data;	/* base64, no "data:" prefix */
	const char *detail;	/* "low" | "high" | "auto" | NULL */
	/* HP_TOOL_CALL / HP_TOOL_RESULT */
	const char *id;		/* call id: Chat tool_call_id == Responses call_id == Claude tool_use id */
	const char *name;	/* function name (NULL on results unless the format carries it) */
	const char *args;	/* HP_TOOL_CALL: arguments as JSON text ("{}" when none) */
	int is_error;		/* HP_TOOL_RESULT */
	struct hub_part *content;	/* HP_TOOL_RESULT: the result's parts (text/image), when not plain text */
	size_t ncontent;
	/* HP_THINKING: Claude signature / Gemini thoughtSignature / Responses
	 * encrypted_content; Gemini also signs function calls and text parts */
	const char *signature;
	const char *item_id;	/* Responses reasoning/function_call item id ("rs_...", "fc_...") */
	json_t *cache_control;	/* Claude's, kept for Claude targets; NULL = none */
};

struct hub_msg {
	enum hub_role role;
	struct hub_part *parts;
	size_t nparts;
	const char *name;	/* Chat's optional participant name */
};

struct hub_tool {
	const char *name;		/* the name the upstream sees (flattened: see ns) */
	const char *description;	/* NULL = none */
	json_t *parameters;		/* JSON Schema object; NULL = {"type":"object","properties":{}} */
	int strict;			/* -1 unset, 0, 1 */
	json_t *cache_control;
	/* Responses tools that only a Responses upstream has, carried as plain
	 * functions: a function of a `namespace` tool is named ns + "__" +
	 * local (local = its name inside ns); a `custom` (free-form) tool takes
	 * one string, {"input": "..."}. hub_tool_origin() maps calls back. */
	const char *ns;			/* NULL = not in a namespace */
	const char *local;		/* the name inside ns (NULL when ns is NULL) */
	int custom;			/* 1 = a custom tool: args {"input": text} */
};

enum hub_tool_choice {
	HTC_UNSET,		/* not given: the format's default (auto when tools exist) */
	HTC_AUTO,
	HTC_NONE,
	HTC_REQUIRED,		/* some tool must be called (Claude "any", Gemini ANY) */
	HTC_FORCED,		/* tool_choice_name must be called */
};

enum hub_format_type {
	HRF_NONE,		/* not given */
	HRF_TEXT,
	HRF_JSON_OBJECT,	/* JSON mode without a schema */
	HRF_JSON_SCHEMA,	/* rf_schema */
};

enum hub_finish {
	HF_NONE,		/* not known (yet) */
	HF_STOP,		/* natural end (also Claude stop_sequence: see stop_sequence) */
	HF_LENGTH,		/* output token limit */
	HF_TOOL_CALLS,
	HF_CONTENT_FILTER,	/* safety / refusal */
};

struct hub_usage {
	int64_t input;		/* all prompt tokens, cache reads and writes included */
	int64_t output;		/* all output tokens, reasoning included */
	int64_t cache_read;	/* part of input */
	int64_t cache_write;	/* part of input */
	int64_t reasoning;	/* part of output */
};

struct hub_req {
	const char *model;
	struct hub_msg *msgs;
	size_t nmsgs;
	struct hub_tool *tools;
	size_t ntools;
	enum hub_tool_choice tool_choice;
	const char *tool_choice_name;	/* HTC_FORCED */
	/* Hosted web search asked for (Responses web_search*, Claude
	 * web_search_2025*): Claude targets get Anthropic's web search tool,
	 * Gemini targets google_search when there are no function tools, Chat
	 * targets nothing. */
	int web_search;
	/* What the client sent that the translation leaves out (hosted tools
	 * without an equivalent, ...): a ", "-joined list for the log, or NULL. */
	const char *dropped;
	int parallel_tool_calls;	/* -1 unset, 0, 1 */
	/* structured output */
	enum hub_format_type rf;
	const char *rf_name;		/* json_schema name ("response" when the client gave none) */
	const char *rf_description;
	json_t *rf_schema;
	int rf_strict;			/* -1 unset, 0, 1 */
	/* sampling; -1 / NAN when unset */
	int64_t max_tokens;		/* max_tokens | max_completion_tokens | max_output_tokens */
	double temperature;		/* NAN = unset */
	double top_p;			/* NAN = unset */
	int64_t top_k;			/* -1 = unset */
	int64_t seed;			/* -1 = unset (a seed of -1 is not kept) */
	int64_t n;			/* -1 = unset */
	double presence_penalty;	/* NAN = unset */
	double frequency_penalty;	/* NAN = unset */
	const char **stop;		/* stop sequences */
	size_t nstop;
	/* reasoning */
	const char *reasoning_effort;	/* "minimal" | "low" | "medium" | "high" | ... | NULL */
	int64_t thinking_budget;	/* Claude budget_tokens / Gemini thinkingBudget; -1 unset */
	int thinking;			/* -1 unset, 0 off, 1 on (Claude thinking.type, Gemini includeThoughts) */
	const char *reasoning_summary;	/* Responses reasoning.summary; NULL unset */
	/* streaming */
	int stream;
	int include_usage;		/* the client asked for stream usage (Chat stream_options) */
	/* where reasoning text goes in Chat answers: "reasoning_content",
	 * "reasoning" or "thinking" (One API's ?reasoning_format=) */
	const char *reasoning_format;
	const char *user;		/* end-user id (Chat user/safety_identifier, Claude metadata.user_id) */
	json_t *metadata;		/* Responses/Chat metadata object, passed where the target has one */
	/* Set by the encoder that turned rf into a forced tool (Claude targets
	 * without native structured output): its decoders turn that tool's call
	 * back into JSON text. NULL otherwise. */
	const char *rf_tool;
};

struct hub_resp {
	const char *id;
	const char *model;
	int64_t created;		/* unix seconds; 0 = now */
	struct hub_part *parts;		/* output in order: HP_THINKING, HP_TEXT, HP_TOOL_CALL... */
	size_t nparts;
	enum hub_finish finish;
	const char *stop_sequence;	/* the stop string that matched, when known */
	struct hub_usage usage;
	int have_usage;
};

/* Streamed answers: decoders turn upstream events into these; encoders turn
 * them into the client's events. Indexes count tool calls only (0, 1, ...),
 * whatever blocks precede them. Text and thinking may interleave with tool
 * calls; encoders open and close their own blocks. */
enum hub_ev_type {
	HE_START,	/* id, name = model; usage when the upstream knows input tokens now */
	HE_TEXT,	/* text, len: answer text delta */
	HE_THINKING,	/* text, len: reasoning text delta */
	HE_SIGNATURE,	/* text: the signature of the thinking just streamed; id: the
			 * Responses reasoning item id when known */
	HE_REDACTED,	/* text: a redacted thinking block's data */
	HE_TOOL_START,	/* index, id, name: a tool call begins (arguments follow) */
	HE_TOOL_ARGS,	/* index, text, len: a fragment of its arguments' JSON text */
	HE_FINISH,	/* finish (+ text = stop sequence when known) */
	HE_USAGE,	/* usage: totals so far; a later HE_USAGE replaces it */
	HE_ERROR,	/* status, name = error type, text = message: the upstream failed mid-stream */
	HE_END,		/* no more events: encoders write their closing events */
};

struct hub_ev {
	enum hub_ev_type type;
	const char *text;
	size_t len;
	int index;
	const char *id;
	const char *name;
	enum hub_finish finish;
	struct hub_usage usage;
	int status;
};

/* Where decoded stream events go; non-zero stops the stream (client gone). */
typedef int (*hub_emit_fn)(void *ctx, const struct hub_ev *ev);

/* Where encoded client events go: one SSE event (event may be NULL: no
 * "event:" line); data is the complete data value ("[DONE]" included).
 * Non-zero = the client is gone. */
typedef int (*hub_write_fn)(void *ctx, const char *event, const char *data, size_t len);

/* Why a request cannot be translated: a 4xx for the client, in its format. */
struct hub_err {
	int status;		/* 400 unless set */
	char message[256];
};

/* One wire format. A function is NULL where the format is never used that
 * way. */
struct hub_format {
	const char *name;	/* "chat", "claude", "responses", "gemini" */

	/* Client side: the client's body into the hub. GW_OK, or GW_EINPUT with
	 * err filled (status + message for the client). */
	int (*req_decode)(struct arena *a, json_t *body, struct hub_req *out, struct hub_err *err);
	/* Client side: the hub's answer as the client's JSON body (new ref). */
	json_t *(*resp_encode)(struct arena *a, const struct hub_req *req, const struct hub_resp *resp);
	/* Client side: a streaming encoder writing the client's events to write. */
	void *(*enc_new)(struct arena *a, const struct hub_req *req, hub_write_fn write, void *ctx);
	/* Feed one hub event; non-zero = the client is gone. */
	int (*enc_event)(void *enc, const struct hub_ev *ev);
	/* Client side: an error body in the client's format (new ref), and the
	 * type name it uses for that status. */
	json_t *(*error_encode)(int status, const char *type, const char *message);

	/* Upstream side: the hub as the upstream's JSON body (new ref), or NULL
	 * with err filled. May set req->rf_tool (hence not const). */
	json_t *(*req_encode)(struct arena *a, struct hub_req *req, struct hub_err *err);
	/* Upstream side: the upstream's JSON answer into the hub. GW_OK or
	 * GW_EINPUT (not this format's answer). */
	int (*resp_decode)(struct arena *a, const struct hub_req *req, json_t *body, struct hub_resp *out);
	/* Upstream side: a streaming decoder; feed it each SSE event, then
	 * dec_end once at the end of the stream (it emits HE_FINISH/HE_USAGE
	 * still pending but NOT HE_END: the relay sends HE_END itself). */
	void *(*dec_new)(struct arena *a, const struct hub_req *req, hub_emit_fn emit, void *ctx);
	int (*dec_event)(void *dec, const struct sse_event *ev);
	int (*dec_end)(void *dec);
	/* Upstream side: the message, type and status of an error answer body
	 * (any status), or GW_EINPUT when it is not this format's error shape. */
	int (*error_decode)(struct arena *a, json_t *body, const char **type, const char **message);
};

extern const struct hub_format hub_chat;	/* OpenAI Chat Completions */
extern const struct hub_format hub_claude;	/* Anthropic Messages */
extern const struct hub_format hub_responses;	/* OpenAI Responses */
extern const struct hub_format hub_gemini;	/* Google Gemini generateContent */

/* Helpers shared by the codecs (providers/hub.c). */

/* A JSON string of n bytes (s NULL gives ""); invalid UTF-8 bytes become
 * U+FFFD, since jansson refuses them and one stray byte must not lose a
 * whole answer. New ref; NULL only on ENOMEM. hub_jstr: strlen(s). */
json_t *hub_jstrn(const char *s, size_t n);
json_t *hub_jstr(const char *s);
/* The error type each API family names an HTTP status with (OpenAI's
 * "invalid_request_error"..., Anthropic's "overloaded_error"...). */
const char *hub_openai_error_type(int status);
const char *hub_claude_error_type(int status);
/* OpenAI's error body {"error":{"message","type","param":null,"code":null}}
 * (new ref); type NULL = by status. Chat's and Responses' error_encode. */
json_t *hub_openai_error(int status, const char *type, const char *message);
/* Fill err with a 400 and this message; returns GW_EINPUT. */
int hub_fail(struct hub_err *err, const char *fmt, ...) GW_FMT(2, 3);
/* Fill err with a 500 "out of memory"; returns GW_ENOMEM. */
int hub_nomem(struct hub_err *err);

/* A zeroed request with every "unset" marker set (-1 / NAN / HRF_NONE). */
void hub_req_init(struct hub_req *q);
/* Append a zeroed message / part / tool, growing the array in the arena;
 * NULL on ENOMEM. */
struct hub_msg *hub_add_msg(struct arena *a, struct hub_req *q, enum hub_role role);
struct hub_part *hub_add_part(struct arena *a, struct hub_part **parts, size_t *n, enum hub_part_type type);
struct hub_tool *hub_add_tool(struct arena *a, struct hub_req *q);
/* Keep a JSON value alive until the arena is released (takes the ref);
 * returns j. */
json_t *hub_keep(struct arena *a, json_t *j);
/* Split "data:image/png;base64,AAAA" into mime and data (arena copies).
 * GW_OK, or GW_EINPUT when url is not a base64 data URL. */
int hub_data_url(struct arena *a, const char *url, const char **mime, const char **data);
/* "data:<mime>;base64,<data>" in the arena. */
const char *hub_make_data_url(struct arena *a, const char *mime, const char *data);
/* The text of all HP_TEXT parts of a message, joined with "\n\n". */
const char *hub_msg_text(struct arena *a, const struct hub_msg *m);
/* The name of the tool call with this id in the request's history (Gemini
 * needs names on results), or NULL. */
const char *hub_call_name(const struct hub_req *q, const char *id);
/* Note in q->dropped that what was left out (arena copy; a note already
 * there is not repeated). */
void hub_drop(struct arena *a, struct hub_req *q, const char *what);
/* The tool (from q->tools) a call of upstream name `name` is for, or NULL
 * when q has none of that name. Responses encoders use it to give calls
 * of namespace and custom tools back their own shape. */
const struct hub_tool *hub_tool_origin(const struct hub_req *q, const char *name);
/* The flattened name of function `local` of namespace ns ("ns__local"; a
 * name over 64 bytes is cut and given a hash suffix so it stays unique
 * and fits OpenAI's pattern). Arena copy; NULL on ENOMEM. */
const char *hub_ns_name(struct arena *a, const char *ns, const char *local);
/* A compact JSON text of object v in the arena; "{}" when v is not an
 * object (or on ENOMEM): tool arguments from formats that send objects. */
const char *hub_obj_text(struct arena *a, json_t *v);
/* A fresh id: prefix + 24 random alphanumerics ("call_", "toolu_", "msg_"). */
const char *hub_new_id(struct arena *a, const char *prefix);
/* Default thinking budget for an effort when a target needs a number
 * (low 1024, medium 8192, high 24576, minimal 1024, others 8192), and the
 * effort for a budget (<= 2048 low, <= 12288 medium, else high). */
int64_t hub_effort_budget(const char *effort);
const char *hub_budget_effort(int64_t budget);
/* Write the hub's usage into an OpenAI usage object (new ref) and back. */
json_t *hub_usage_openai(const struct hub_usage *u);
void hub_usage_from_openai(json_t *u, struct hub_usage *out);

#endif
