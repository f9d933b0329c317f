/* handlers/relay_error.c: an upstream's failure: its error body read, the client
 * told in its own format, and the channel suspended or disabled (One API
 * 3.2/3.3) */
#include <stdio.h>
#include <string.h>
#include "relay_state.h"
#include "cfg.h"
#include "channels.h"
#include "jsonx.h"
#include "log.h"
#include "options.h"

void
parse_up_error(struct relay *x, const struct buf *b, struct up_error *e)
{
	json_t *err, *c;

	memset(e, 0, sizeof(*e));
	if ((e->root = json_loadb(buf_cstr(b), buf_len(b), 0, NULL)) == NULL)
		return;
	if (x->at.up != NULL && x->at.up != &hub_chat && x->at.up->error_decode != NULL) {
		/* Anthropic's or Gemini's error shape */
		if (x->at.up->error_decode(&x->r->arena, e->root, &e->type, &e->message) == GW_OK)
			return;
	}
	err = json_object_get(e->root, "error");
	if (!json_is_object(err))
		return;
	e->message = json_string_value(json_object_get(err, "message"));
	e->type = json_string_value(json_object_get(err, "type"));
	c = json_object_get(err, "code");
	e->code = json_string_value(c);
	e->param = json_string_value(json_object_get(err, "param"));
}

/* Answer the client with the upstream's error: its own fields when it sent
 * OpenAI's shape (re-serialised, with our request id), else a wrapper. */
static void
send_upstream_error(struct relay *x, int status, const struct up_error *e)
{
	struct req *r = x->r;
	char code[32];

	if (status == 429)
		oai_error(r, 429, e->type ? e->type : "upstream_error", e->code,
		    "当前分组上游负载已饱和，请稍后再试");
	else if (e->message)
		oai_error(r, status, e->type ? e->type : "upstream_error", e->code, "%s", e->message);
	else if (x->mode == M_MESSAGES)
		oai_error(r, status, "upstream_error", "bad_response_status_code",
		    "bad response status code %d", status);
	else {
		snprintf(code, sizeof(code), "%d", status);
		resp_json(r, status, json_pack("{s:{s:s, s:s, s:s, s:s}}", "error", "message",
		    arena_printf(&r->arena, "bad response status code %d (request id: %s)", status,
		    r->id), "type", "upstream_error", "param", code, "code",
		    "bad_response_status_code"));
	}
}

/* Tell the client why the last attempt failed (its error body is in x->at.resp). */
void
report_failure(struct relay *x)
{
	struct up_error e;

	if (x->fail_status == 0) {
		oai_error(x->r, x->fail_timeout ? 504 : 502, "upstream_error", "do_request_failed",
		    "upstream request failed: %s", x->fail_msg ? x->fail_msg : "no answer");
		return;
	}
	if (x->fail_status >= 200 && x->fail_status < 300) {
		oai_error(x->r, 502, "upstream_error", "bad_response",
		    "the upstream answered %d with a body that is not JSON", x->fail_status);
		return;
	}
	parse_up_error(x, &x->at.resp, &e);
	send_upstream_error(x, x->fail_status, &e);
	json_decref(e.root);
}

/* What the failure of one attempt means for the channel (One API 3.2/3.3). */
void
channel_health(struct relay *x, int status, const struct up_error *e)
{
	struct req *r = x->r;
	const char *group = r->token->group;
	int64_t secs = 0;

	if (status == 429)
		secs = cfg->suspend_429;
	else if (status >= 500 || status == 0)
		secs = cfg->suspend_5xx;
	else if (status == 401 || status == 403)
		secs = cfg->suspend_auth;
	if (secs > 0 && !r->token->specific_channel &&
	    channel_suspend(r->db, group, x->model, x->ch.id, secs) != GW_OK)
		log_warn("req=%s could not suspend channel %lld", r->id, (long long)x->ch.id);
	if (option_bool("AutomaticDisableChannelEnabled", 0) &&
	    channel_should_disable(status, e->type, e->code, e->message)) {
		if (channel_auto_disable(r->db, x->ch.id, x->ch.name, e->message ? e->message :
		    "authentication failed") == GW_OK)
			log_warn("req=%s channel %lld (%s) disabled automatically after status %d",
			    r->id, (long long)x->ch.id, x->ch.name, status);
	}
}

/* One API's shouldRetry: 429, 5xx and network errors yes, 400 no, other 4xx yes. */
int
retryable(int status)
{
	if (status == 0 || status == 429 || status >= 500)
		return 1;
	if (status == 400 || (status >= 200 && status < 300))
		return 0;
	return 1;
}
