/* handlers/relay.c: the relay endpoints: OpenAI's /v1/chat/completions,
 * /v1/completions, /v1/embeddings, /v1/moderations, /v1/responses and
 * Claude's /v1/messages. One request: validate, pick a channel, hold quota,
 * call the upstream (retrying other channels while nothing was sent),
 * answer, settle. The answer passes through byte for byte when the client's
 * format is the channel's protocol; otherwise request, answer and stream
 * are translated through the hub (providers/hub.h), stream event by event.
 * The steps live in handlers/relay_*.c (see relay_state.h); this file holds
 * the entry points. */
#include <stdlib.h>
#include <string.h>
#include "handlers.h"
#include "relay_state.h"
#include "cfg.h"
#include "jsonx.h"
#include "log.h"
#include "options.h"
#include "relay_auth.h"
#include "responses.h"

/* The channel's base URL (its own, else its type's default) without a
 * trailing '/'; NULL on ENOMEM. */
const char *
channel_base(struct arena *a, const struct channel_pick *ch, const struct channel_type *ct)
{
	const char *b = ch->base_url[0] ? ch->base_url : ct->base_url;
	size_t bl = strlen(b);

	while (bl > 0 && b[bl - 1] == '/')
		bl--;
	return arena_strndup(a, b, bl);
}

/* One upstream call whose answer is kept whole in x->at.resp (x->at.status):
 * count_tokens, response retrieval. GW_OK when an answer arrived. */
int
call_buffered(struct relay *x, const struct provider *pv, const struct upstream_target *t,
    const char *method, const char *body, size_t blen, struct relay_result *res)
{
	struct req *r = x->r;
	struct curl_slist *h = NULL;
	struct relay_req rq;
	int rc = GW_OK;

	if (body != NULL)
		rc = prov_header(&h, "Content-Type", "application/json");
	if (rc == GW_OK)
		rc = pv->headers(t, &h);
	if (rc == GW_OK) {
		memset(&rq, 0, sizeof(rq));
		rq.method = method;
		rq.url = pv->url(&r->arena, t);
		rq.headers = h;
		rq.body = body;
		rq.body_len = blen;
		rq.timeout_ms = cfg->relay_timeout * 1000;
		rq.proxy = cfg->relay_proxy;
		rc = rq.url ? relay_perform(&rq, &relay_cbs, x, res) : GW_EINPUT;
	}
	curl_slist_free_all(h);
	return rc;
}

int
h_relay(struct req *r)
{
	struct relay *x;
	const char *why = NULL;
	int64_t user_quota;
	int rc;

	if ((x = arena_calloc(&r->arena, sizeof(*x))) == NULL)
		return GW_ENOMEM;
	x->r = r;
	x->mode = relay_kind_of(r)->mode;
	x->in = relay_kind_of(r)->in;
	attempt_reset(x);
	if (read_request(x) != GW_OK)
		goto out;
	if (relay_auth_model(r, r->token, x->model) != GW_OK)
		goto out;
	if (r->token->specific_channel) {
		rc = distribute_get(r->db, &r->arena, r->token->specific_channel, &x->ch);
		if (rc == GW_ENOTFOUND) {
			oai_error(r, 400, "one_api_error", NULL, "无效的渠道 Id");
			goto out;
		}
		if (rc == GW_EFORBIDDEN) {
			oai_error(r, 403, "one_api_error", NULL, "该渠道已被禁用");
			goto out;
		}
	} else
		rc = distribute_pick(r->db, &r->arena, r->token->group, x->model, NULL, 0, 0, &x->ch);
	if (rc == GW_ENOTFOUND) {
		oai_error(r, 503, "one_api_error", NULL, "当前分组 %s 下对于模型 %s 无可用渠道",
		    r->token->group, x->model);
		goto out;
	}
	if (rc != GW_OK) {
		oai_error(r, 500, "one_api_error", NULL, "database error");
		goto out;
	}
	/* hold quota: One API holds nothing for users far above the cost */
	x->up_model = distribute_map_model(&r->arena, x->ch.model_mapping, x->model);
	billing_price(x->up_model, x->ch.type, r->token->group, &x->price);
	x->prompt_est = estimate_prompt(x);
	x->pre = billing_pre_amount(&x->price, x->prompt_est, x->max_tokens);
	user_quota = r->token->user_quota;
	if (x->pre > 0 && user_quota > 100 * x->pre &&
	    (r->token->unlimited || r->token->remain_quota > 100 * x->pre))
		x->pre = 0;
	if (user_quota <= 0 || user_quota < x->pre) {
		/* the quota may be a cached one: the next request reads it anew
		 * (a top-up made by another process shows at once) */
		relay_auth_forget(r->token);
		oai_error(r, 403, "one_api_error", "insufficient_user_quota", "用户额度不足");
		goto out;
	}
	if ((rc = billing_preconsume(r->db, r->token, x->pre, &why)) == GW_EDB) {
		oai_error(r, 500, "one_api_error", "pre_consume_failed", "database error");
		goto out;
	}
	if (rc != GW_OK) {
		oai_error(r, 403, "one_api_error", why && strstr(why, "令牌") ?
		    "pre_consume_token_quota_failed" : "insufficient_user_quota", "%s",
		    why ? why : "额度不足");
		goto out;
	}
	x->retries = r->token->specific_channel ? 0 : option_int("RetryTimes", 0);
	if (x->retries > RELAY_MAX_ATTEMPTS - 1)
		x->retries = RELAY_MAX_ATTEMPTS - 1;
	return run(x);
out:
	attempt_release(&x->at);
	return GW_OK;
}

/* POST /v1/messages/count_tokens: Anthropic's own count when the key's
 * channel for the model is an Anthropic one, else our estimate (nothing is
 * charged either way, as with Anthropic). */
int
h_count_tokens(struct req *r)
{
	struct relay x;
	const struct channel_type *ct;
	const struct provider *pv;
	struct upstream_target t;
	struct relay_result res;
	char *body;
	size_t blen;
	int owned = 0, rc;

	memset(&x, 0, sizeof(x));
	memset(&res, 0, sizeof(res));
	x.r = r;
	x.mode = M_MESSAGES;
	x.in = &hub_claude;
	attempt_reset(&x);
	if (read_request(&x) != GW_OK || relay_auth_model(r, r->token, x.model) != GW_OK)
		goto out;
	x.stream = 0;
	rc = distribute_pick(r->db, &r->arena, r->token->group, x.model, NULL, 0, 0, &x.ch);
	ct = rc == GW_OK ? channel_type(x.ch.type) : NULL;
	/* a channel that speaks Messages natively counts for itself */
	pv = ct ? provider_for(x.ch.type) : NULL;
	if (pv != NULL && prov_protocol(pv, &x.ch, x.model, &hub_claude) != &hub_claude)
		pv = NULL;
	if (pv != NULL) {
		x.at.up = &hub_claude;
		x.at.pass = 1;
		x.up_model = distribute_map_model(&r->arena, x.ch.model_mapping, x.model);
		memset(&t, 0, sizeof(t));
		t.ch = &x.ch;
		t.base = channel_base(&r->arena, &x.ch, ct);
		t.path = "/v1/messages/count_tokens";
		t.model = x.up_model;
		t.anthropic_version = req_header(r, "anthropic-version");
		t.anthropic_beta = req_header(r, "anthropic-beta");
		body = t.base ? pass_body(&x, &blen, &owned) : NULL;
		rc = body ? call_buffered(&x, pv, &t, "POST", body, blen, &res) : GW_ENOMEM;
		if (owned)
			free(body);
		/* Anthropic's answer, success or error, as it came */
		if (rc == GW_OK && x.at.status >= 200 && x.at.status < 500) {
			(void)resp_body(r, (int)x.at.status, "application/json", buf_cstr(&x.at.resp),
			    buf_len(&x.at.resp));
			goto out;
		}
		log_warn("req=%s count_tokens on channel %lld failed; estimating", r->id,
		    (long long)x.ch.id);
	}
	resp_json(r, 200, json_pack("{s:I}", "input_tokens", (json_int_t)estimate_prompt(&x)));
out:
	attempt_release(&x.at);
	return GW_OK;
}

/* GET/DELETE /v1/responses/{id} and POST /v1/responses/{id}/cancel: sent to
 * the channel that produced that response (recorded when it passed through
 * us to an OpenAI Responses upstream), for its owner only. */
int
h_response_item(struct req *r)
{
	struct relay x;
	const struct channel_type *ct;
	const struct provider *pv;
	struct upstream_target t;
	struct relay_result res;
	const char *id = r->npv > 0 ? r->pv[0] : "";
	int64_t chid = 0;
	int rc;

	memset(&x, 0, sizeof(x));
	memset(&res, 0, sizeof(res));
	x.r = r;
	x.mode = M_RESPONSES;
	attempt_reset(&x);
	if (responses_channel(r->db, id, r->token->user_id, &chid) != GW_OK || chid == 0 || distribute_get(r->db, &r->arena, chid, &x.ch) != GW_OK ||
	    (ct = channel_type(x.ch.type)) == NULL || (pv = provider_for(x.ch.type)) == NULL) {
		resp_json(r, 404, json_pack("{s:{s:s, s:s, s:s, s:s}}", "error", "message",
		    arena_printf(&r->arena, "No response found with id '%s'.", id), "type",
		    "invalid_request_error", "param", "response_id", "code", "not_found"));
		goto out;
	}
	memset(&t, 0, sizeof(t));
	t.ch = &x.ch;
	t.base = channel_base(&r->arena, &x.ch, ct);
	t.path = strstr(r->path, "/cancel") ? arena_printf(&r->arena, "/v1/responses/%s/cancel", id) :
	    arena_printf(&r->arena, "/v1/responses/%s", id);
	t.model = "";
	rc = t.base && t.path ? call_buffered(&x, pv, &t, r->method, NULL, 0, &res) : GW_ENOMEM;
	if (rc != GW_OK || x.at.status == 0) {
		oai_error(r, 502, "upstream_error", "do_request_failed", "upstream request failed: %s",
		    res.error[0] ? res.error : gw_strerror(rc));
		goto out;
	}
	if (strcmp(r->method, "DELETE") == 0 && x.at.status >= 200 && x.at.status < 300 &&
	    responses_forget(r->db, id) != GW_OK)
		log_warn("req=%s could not forget response %s", r->id, id);
	(void)resp_body(r, (int)x.at.status, "application/json", buf_cstr(&x.at.resp), buf_len(&x.at.resp));
out:
	attempt_release(&x.at);
	return GW_OK;
}
