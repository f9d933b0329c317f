/* handlers/relay_settle.c: the end of a relay request: charge what was produced
 * (usage from the upstream, else estimated) or refund the hold */
#include <string.h>
#include "relay_state.h"
#include "log.h"
#include "responses.h"
#include "util.h"

/* Charge what was produced. */
void
settle(struct relay *x)
{
	struct req *r = x->r;
	const struct pipe *pp = &x->at.pipe;
	struct settle s;
	struct usage u;

	memset(&u, 0, sizeof(u));
	if (pp->have_usage) {
		u.prompt = pp->usage.input;
		u.completion = pp->usage.output;
		u.cached = pp->usage.cache_read;
		u.reasoning = pp->usage.reasoning;
	} else {
		u.prompt = x->prompt_est;
		u.completion = x->mode == M_CHAT || x->mode == M_COMPLETIONS ?
		    billing_estimate_tokens(buf_cstr(&pp->text), buf_len(&pp->text)) : 0;
		u.estimated = 1;
	}
	memset(&s, 0, sizeof(s));
	s.token = r->token;
	s.channel_id = x->ch.id;
	s.channel_type = x->ch.type;
	s.model = x->up_model;
	s.request_id = r->id;
	s.is_stream = x->stream;
	s.system_prompt_reset = x->system_prompt_reset;
	s.elapsed_ms = (mono_us() - r->t0_us) / 1000;
	s.pre = x->pre;
	s.usage = u;
	s.price = x->price;
	if (billing_settle_later(r->db, &s) != GW_OK)
		log_error("req=%s settlement failed (pre-consumed %lld kept)", r->id, (long long)x->pre);
	/* a Responses answer the upstream may have stored: remember where */
	if (x->at.up == &hub_responses && x->at.pass && pp->resp_id && pp->resp_id[0] &&
	    responses_remember(r->db, pp->resp_id, x->ch.id, r->token->user_id) != GW_OK)
		log_warn("req=%s could not record response %s", r->id, pp->resp_id);
}

/* Settle or refund, once per request. A stream the client left midway is
 * OUT_DONE too: charged for what was produced; a failure costs nothing. */
void
relay_end(struct relay *x, enum outcome out)
{
	struct req *r = x->r;

	if (out == OUT_DONE)
		settle(x);
	else if (billing_refund(r->db, r->token, x->pre) != GW_OK)
		log_error("req=%s refund of %lld failed", r->id, (long long)x->pre);
	attempt_release(&x->at);
}
