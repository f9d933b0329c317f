/* handlers/relay_route.c: what each relay route speaks: its mode and the
 * client's codec (route rows point here), and the error body every relay
 * error on that route is written with, by that codec */
#include <string.h>
#include "handlers.h"
#include "dispatch.h"
#include "hub.h"
#include "relay_state.h"

/* The codec's OpenAI error, with One API's code and an empty param (what
 * One API's clients, and our tests, have always seen). */
static json_t *
openai_error_body(const struct req *r, int status, const char *type, const char *code,
    const char *message)
{
	json_t *j = hub_chat.error_encode(status, type, message);
	json_t *e = json_object_get(j, "error");

	(void)r;
	if (e == NULL) {
		json_decref(j);
		return NULL;
	}
	json_object_set_new(e, "param", json_string(""));
	json_object_set_new(e, "code", json_string(code ? code : ""));
	return j;
}

/* Anthropic's error shape, typed by status as Anthropic types them, with
 * the request id where Anthropic puts its own. */
static json_t *
claude_error_body(const struct req *r, int status, const char *type, const char *code,
    const char *message)
{
	json_t *j = hub_claude.error_encode(status, NULL, message);

	(void)type;
	(void)code;
	if (j != NULL)
		json_object_set_new(j, "request_id", json_string(r->id));
	return j;
}

static const struct relay_kind k_chat = { M_CHAT, &hub_chat };
static const struct relay_kind k_completions = { M_COMPLETIONS, NULL };
static const struct relay_kind k_embeddings = { M_EMBEDDINGS, NULL };
static const struct relay_kind k_moderations = { M_MODERATIONS, NULL };
static const struct relay_kind k_responses = { M_RESPONSES, &hub_responses };
static const struct relay_kind k_messages = { M_MESSAGES, &hub_claude };

const struct route_fmt relay_fmt_chat = { openai_error_body, &k_chat };
const struct route_fmt relay_fmt_completions = { openai_error_body, &k_completions };
const struct route_fmt relay_fmt_embeddings = { openai_error_body, &k_embeddings };
const struct route_fmt relay_fmt_moderations = { openai_error_body, &k_moderations };
const struct route_fmt relay_fmt_responses = { openai_error_body, &k_responses };
const struct route_fmt relay_fmt_messages = { claude_error_body, &k_messages };

const struct relay_kind *
relay_kind_of(const struct req *r)
{
	if (r->fmt == NULL || r->fmt->arg == NULL)
		return &k_chat;
	return r->fmt->arg;
}
