/* handlers/relay_misc.c: the key-authenticated /v1 routes that call no
 * upstream: /v1/models, One API's billing emulation, 501s, CORS preflight */
#include <stdio.h>
#include <string.h>
#include "handlers.h"
#include "billing.h"
#include "channels.h"
#include "channel_types.h"
#include "jsonx.h"
#include "options.h"
#include "relay_auth.h"

struct key_models {
	struct req *r;
	const char *only;
	json_t *list;
};

static void
add_model(void *ctx, const char *m, int type)
{
	struct key_models *k = ctx;
	const struct channel_type *ct;
	char owner[64];
	size_t i;

	if (k->only && strcmp(k->only, m) != 0)
		return;
	if (!relay_token_allows(k->r->token, m))
		return;
	ct = channel_type(type);
	snprintf(owner, sizeof(owner), "%s", ct ? ct->name : "custom");
	for (i = 0; owner[i]; i++)
		owner[i] = (char)((owner[i] >= 'A' && owner[i] <= 'Z') ? owner[i] + 32 : owner[i]);
	json_array_append_new(k->list, json_pack("{s:s, s:s, s:i, s:s, s:[{s:s, s:s, s:i, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:s, s:n, s:b}], s:s, s:n}",
	    "id", m, "object", "model", "created", 1626777600, "owned_by", owner,
	    "permission", "id", "modelperm-LwHkVFn8AcMItP432fKKDIKJ", "object", "model_permission",
	    "created", 1626777600, "allow_create_engine", 1, "allow_sampling", 1,
	    "allow_logprobs", 1, "allow_search_indices", 0, "allow_view", 1,
	    "allow_fine_tuning", 0, "is_blocking", 0, "organization", "*", "group",
	    "is_blocking", 0, "root", m, "parent"));
}

/* Models the key may use: its group's enabled abilities, cut by the token's
 * allow-list. */
static json_t *
key_models(struct req *r, const char *only)
{
	struct key_models k = { r, only, json_array() };

	if (k.list == NULL || group_model_types(r->db, r->token->group, add_model, &k) != GW_OK) {
		json_decref(k.list);
		return NULL;
	}
	return k.list;
}

int
h_models_list(struct req *r)
{
	json_t *list = key_models(r, NULL);

	if (list == NULL)
		return oai_error(r, 500, "one_api_error", NULL, "database error");
	return resp_json(r, 200, json_pack("{s:s, s:o}", "object", "list", "data", list));
}

int
h_model_get(struct req *r)
{
	json_t *list = key_models(r, r->npv ? r->pv[0] : "");
	json_t *one;

	if (list == NULL)
		return oai_error(r, 500, "one_api_error", NULL, "database error");
	if ((one = json_array_get(list, 0)) == NULL) {
		json_decref(list);
		return resp_json(r, 404, json_pack("{s:{s:s, s:s, s:s, s:s}}", "error", "message",
		    arena_printf(&r->arena, "The model '%s' does not exist", r->npv ? r->pv[0] : ""),
		    "type", "invalid_request_error", "param", "model", "code", "model_not_found"));
	}
	json_incref(one);
	json_decref(list);
	return resp_json(r, 200, one);
}

/* One API's billing emulation for clients that show a balance: amounts in
 * USD (quota / QuotaPerUnit) when DisplayInCurrencyEnabled, token-level when
 * DisplayTokenStatEnabled. */
static void
billing_amounts(struct req *r, double *limit, double *used, int64_t *expires)
{
	double per = option_real("QuotaPerUnit", 500000);
	struct balance b;

	if (billing_balance(r->db, r->token, option_bool("DisplayTokenStatEnabled", 1), &b) != GW_OK)
		memset(&b, 0, sizeof(b));
	*expires = b.expires;
	if (!option_bool("DisplayInCurrencyEnabled", 1) || per <= 0)
		per = 1;
	*limit = b.remain < 0 ? 100000000 : (double)(b.remain + b.used) / per;
	*used = (double)b.used / per;
}

int
h_billing_subscription(struct req *r)
{
	double limit, used;
	int64_t exp;

	billing_amounts(r, &limit, &used, &exp);
	return resp_json(r, 200, json_pack("{s:s, s:b, s:f, s:f, s:f, s:I}", "object",
	    "billing_subscription", "has_payment_method", 1, "soft_limit_usd", limit,
	    "hard_limit_usd", limit, "system_hard_limit_usd", limit, "access_until", (json_int_t)exp));
}

int
h_billing_usage(struct req *r)
{
	double limit, used;
	int64_t exp;

	billing_amounts(r, &limit, &used, &exp);
	return resp_json(r, 200, json_pack("{s:s, s:f}", "object", "list", "total_usage", used * 100));
}

int
h_not_implemented(struct req *r)
{
	return resp_json(r, 501, json_pack("{s:{s:s, s:s, s:s, s:s}}", "error", "message",
	    "API not implemented", "type", "one_api_error", "param", "", "code", "api_not_implemented"));
}

int
h_cors_preflight(struct req *r)
{
	resp_header(r, "Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
	resp_header(r, "Access-Control-Allow-Headers", "*");
	resp_header(r, "Access-Control-Max-Age", "43200");
	return resp_body(r, 204, NULL, "", 0);
}
