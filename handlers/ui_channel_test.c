/* handlers/ui_channel_test.c: the probes of a channel's upstream (One API's
 * controller/channel-test.go and channel-billing.go): a tiny chat request,
 * timed and recorded, with the automatic disable/enable rules, and the
 * balance of OpenAI-style keys; as GET /api/channel/test[/:id] and
 * /api/channel/update_balance[/:id] and as buttons of the channels page */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "handlers.h"
#include "ui.h"
#include "channels.h"
#include "channel_types.h"
#include "dispatch.h"
#include "distribute.h"
#include "jsonx.h"
#include "log.h"
#include "options.h"
#include "provider.h"
#include "relay.h"
#include "cfg.h"
#include "worker.h"
#include "util.h"

#define TEST_BODY_MAX (64u << 10)	/* what we keep of the upstream's answer */

struct test_sink {
	struct buf body;
};

static int
on_head(void *ctx, long status, const char *ctype)
{
	(void)ctx, (void)status, (void)ctype;
	return 0;
}

static int
on_data(void *ctx, const char *p, size_t n)
{
	struct test_sink *s = ctx;

	/* past the cap the rest is dropped, the status still counts */
	if (buf_len(&s->body) + n <= TEST_BODY_MAX && buf_add(&s->body, p, n) != GW_OK)
		return 1;
	return 0;
}

static const struct relay_cb test_cbs = { on_head, on_data, NULL, NULL, NULL };

/* Address channel ch: *t gets its base URL (the type's default when
 * empty, no trailing '/'). NULL, or why it cannot be probed. */
static const char *
target_of(struct req *r, const struct channel_pick *ch, struct upstream_target *t)
{
	const struct channel_type *ct = ch->type >= 0 && ch->type < CHANNEL_TYPE_MAX ?
	    channel_type(ch->type) : NULL;
	const char *b;
	size_t n;

	memset(t, 0, sizeof(*t));
	t->ch = ch;
	t->model = "";
	if (ct == NULL)
		return "unknown channel type";
	b = ch->base_url[0] ? ch->base_url : ct->base_url;
	for (n = strlen(b); n > 0 && b[n - 1] == '/'; n--)
		;
	t->base = arena_strndup(&r->arena, b, n);
	return t->base ? NULL : "out of memory";
}

/* The first model of a comma list, in the arena ("gpt-3.5-turbo" when none). */
static const char *
first_model(struct arena *a, const char *models)
{
	const char *e;

	while (models && (*models == ' ' || *models == ','))
		models++;
	if (models == NULL || *models == '\0')
		return "gpt-3.5-turbo";
	e = strchr(models, ',');
	return e ? arena_strndup(a, models, (size_t)(e - models)) : models;
}

/* The upstream's error message of a failed answer (OpenAI's or Anthropic's
 * {"error": {...}}), or NULL; *type and *code too. */
static const char *
error_of(struct req *r, const struct buf *b, const char **type, const char **code)
{
	json_t *j = json_loadb(buf_cstr(b), buf_len(b), 0, NULL), *e;
	const char *m = NULL;

	*type = *code = NULL;
	e = json_object_get(j, "error");
	if (json_is_object(e)) {
		if (json_string_value(json_object_get(e, "message")))
			m = arena_strdup(&r->arena, json_string_value(json_object_get(e, "message")));
		if (json_string_value(json_object_get(e, "type")))
			*type = arena_strdup(&r->arena, json_string_value(json_object_get(e, "type")));
		if (json_string_value(json_object_get(e, "code")))
			*code = arena_strdup(&r->arena, json_string_value(json_object_get(e, "code")));
	}
	json_decref(j);
	return m;
}

/*
 * Test channel id: POST a one-message chat to its first model (after its
 * model mapping) in the protocol of its type, record test_time and the
 * response time, then apply AutomaticDisableChannelEnabled (a dead key
 * disables it) and AutomaticEnableChannelEnabled (an auto-disabled channel
 * that answers is enabled again). GW_OK when the upstream answered 2xx;
 * otherwise a non-OK code and *why (a short text, never the key).
 */
int
ui_channel_test(struct req *r, int64_t id, int64_t *ms, const char **why)
{
	struct channel_pick ch;
	const struct provider *pv;
	struct upstream_target t;
	struct curl_slist *h = NULL;
	struct relay_req rq;
	struct relay_result res;
	struct test_sink sink;
	const char *model, *type, *code, *msg;
	json_t *row, *body;
	char *text = NULL;
	int64_t status = 0;
	int rc;

	*ms = 0;
	*why = "";
	row = channel_get_json(r->db, id, &rc);
	if (row == NULL)
		return rc;
	status = json_integer_value(json_object_get(row, "status"));
	model = first_model(&r->arena, json_string_value(json_object_get(row, "models")));
	model = arena_strdup(&r->arena, model);
	json_decref(row);
	rc = distribute_get(r->db, &r->arena, id, &ch);	/* fills ch when disabled too */
	if (rc != GW_OK && rc != GW_EFORBIDDEN)
		return rc;
	pv = provider_for(ch.type);
	if (pv == NULL || pv == &provider_gemini) {
		*why = "this channel type has no test yet";
		return GW_EINPUT;
	}
	if ((*why = target_of(r, &ch, &t)) != NULL)
		return GW_EINPUT;
	*why = "";
	t.model = distribute_map_model(&r->arena, ch.model_mapping, model);
	t.path = pv == &provider_anthropic ? "/v1/messages" : "/v1/chat/completions";
	body = pv == &provider_anthropic ?
	    json_pack("{s:s, s:i, s:[{s:s, s:s}]}", "model", t.model, "max_tokens", 16,
	    "messages", "role", "user", "content", "hi") :
	    json_pack("{s:s, s:[{s:s, s:s}]}", "model", t.model,
	    "messages", "role", "user", "content", "hi");
	if (body == NULL || t.base == NULL || (text = json_dumps(body, JSON_COMPACT)) == NULL) {
		json_decref(body);
		return GW_ENOMEM;
	}
	json_decref(body);
	buf_init(&sink.body, TEST_BODY_MAX + 1);
	rc = prov_header(&h, "Content-Type", "application/json");
	if (rc == GW_OK)
		rc = pv->headers(&t, &h);
	memset(&res, 0, sizeof(res));
	if (rc == GW_OK) {
		memset(&rq, 0, sizeof(rq));
		rq.method = "POST";
		rq.url = pv->url(&r->arena, &t);
		rq.headers = h;
		rq.body = text;
		rq.body_len = strlen(text);
		rq.timeout_ms = cfg->relay_timeout > 0 ? cfg->relay_timeout * 1000L : 60000L;
		rq.proxy = cfg->relay_proxy;
		rc = rq.url ? relay_perform(&rq, &test_cbs, &sink, &res) : GW_EINPUT;
	}
	curl_slist_free_all(h);
	free(text);
	*ms = (int64_t)(res.total_s * 1000.0 + 0.5);
	if (rc == GW_OK && (res.status < 200 || res.status > 299)) {
		msg = error_of(r, &sink.body, &type, &code);
		*why = arena_printf(&r->arena, "status %ld%s%.200s", res.status, msg ? ": " : "",
		    msg ? msg : "");
		if (option_bool("AutomaticDisableChannelEnabled", 0) &&
		    channel_should_disable((int)res.status, type, code, msg) &&
		    channel_auto_disable(r->db, id, ch.name, msg ? msg : "channel test failed") != GW_OK)
			log_warn("req=%s channel %lld: auto-disable failed", r->id, (long long)id);
		rc = GW_EUPSTREAM;
	} else if (rc != GW_OK) {
		*why = arena_printf(&r->arena, "%.200s", res.error[0] ? res.error : gw_strerror(rc));
	} else if (status == CHANNEL_STATUS_AUTO_DISABLED && option_bool("AutomaticEnableChannelEnabled", 0)) {
		if (channel_set_status(r->db, id, CHANNEL_STATUS_ENABLED) != GW_OK)
			log_warn("req=%s channel %lld: auto-enable failed", r->id, (long long)id);
	}
	buf_release(&sink.body);
	if (channel_record_test(r->db, id, now_sec(), *ms) != GW_OK)
		log_warn("req=%s channel %lld: test time not written", r->id, (long long)id);
	return rc;
}

/* GET base+path with the channel's auth into sink: the HTTP status, or 0. */
static long
probe_get(struct req *r, const struct provider *pv, const struct upstream_target *t, const char *path,
    struct test_sink *sink)
{
	struct upstream_target u = *t;
	struct curl_slist *h = NULL;
	struct relay_req rq;
	struct relay_result res;
	int rc;

	u.path = path;
	buf_reset(&sink->body);
	memset(&res, 0, sizeof(res));
	rc = pv->headers(&u, &h);
	if (rc == GW_OK) {
		memset(&rq, 0, sizeof(rq));
		rq.method = "GET";
		rq.url = arena_printf(&r->arena, "%s%s", u.base, path);
		rq.headers = h;
		rq.timeout_ms = 30000;
		rq.proxy = cfg->relay_proxy;
		rc = rq.url ? relay_perform(&rq, &test_cbs, sink, &res) : GW_ENOMEM;
	}
	curl_slist_free_all(h);
	return rc == GW_OK ? res.status : 0;
}

/*
 * The balance of channel id as One API's updateChannelBalance reads it for
 * OpenAI-style upstreams: hard_limit_usd of /v1/dashboard/billing/subscription
 * minus total_usage / 100 of /v1/dashboard/billing/usage (this month, or
 * the last 100 days without a payment method); written with its time.
 * GW_OK and *balance, or a non-OK code and *why.
 */
int
ui_channel_balance(struct req *r, int64_t id, double *balance, const char **why)
{
	struct channel_pick ch;
	struct upstream_target t;
	struct test_sink sink;
	json_t *j;
	double limit = 0, used = 0;
	int pay = 0, rc;
	int64_t now = now_sec(), from;
	char start[16], end[16];
	time_t tt;
	struct tm tm;

	*balance = 0;
	*why = "";
	rc = distribute_get(r->db, &r->arena, id, &ch);
	if (rc != GW_OK && rc != GW_EFORBIDDEN)
		return rc;
	if (provider_for(ch.type) != &provider_openai) {
		*why = "this channel type has no balance API";
		return GW_EINPUT;
	}
	if ((*why = target_of(r, &ch, &t)) != NULL)
		return GW_EINPUT;
	*why = "";
	buf_init(&sink.body, TEST_BODY_MAX + 1);
	if (probe_get(r, &provider_openai, &t, "/v1/dashboard/billing/subscription", &sink) != 200 ||
	    (j = json_loadb(buf_cstr(&sink.body), buf_len(&sink.body), 0, NULL)) == NULL) {
		*why = "the subscription query failed";
		rc = GW_EUPSTREAM;
		goto out;
	}
	limit = json_number_value(json_object_get(j, "hard_limit_usd"));
	pay = json_is_true(json_object_get(j, "has_payment_method"));
	json_decref(j);
	tt = (time_t)now;
	gmtime_r(&tt, &tm);
	strftime(end, sizeof(end), "%Y-%m-%d", &tm);
	if (pay)
		strftime(start, sizeof(start), "%Y-%m-01", &tm);
	else {
		from = now - 100 * 86400;
		tt = (time_t)from;
		gmtime_r(&tt, &tm);
		strftime(start, sizeof(start), "%Y-%m-%d", &tm);
	}
	if (probe_get(r, &provider_openai, &t, arena_printf(&r->arena,
	    "/v1/dashboard/billing/usage?start_date=%s&end_date=%s", start, end), &sink) != 200 ||
	    (j = json_loadb(buf_cstr(&sink.body), buf_len(&sink.body), 0, NULL)) == NULL) {
		*why = "the usage query failed";
		rc = GW_EUPSTREAM;
		goto out;
	}
	used = json_number_value(json_object_get(j, "total_usage")) / 100.0;
	json_decref(j);
	*balance = limit - used;
	rc = channel_record_balance(r->db, id, *balance, now);
out:
	buf_release(&sink.body);
	return rc;
}

enum probe { PROBE_TEST, PROBE_BALANCE };

/* Run one probe on channel id; *ms / *bal get what it measured. */
static int
run_probe(struct req *r, enum probe kind, int64_t id, int64_t *ms, double *bal, const char **why)
{
	*ms = 0;
	*bal = 0;
	return kind == PROBE_TEST ? ui_channel_test(r, id, ms, why) : ui_channel_balance(r, id, bal, why);
}

/* GET /api/channel/{test,update_balance}: every enabled channel the probe
 * applies to, one after the other; failures are logged. */
static int
probe_all(struct req *r, enum probe kind)
{
	struct channel_filter all = { NULL, NULL, CHANNEL_STATUS_ENABLED, 0 };
	json_t *rows = channel_page_json(r->db, &all, 0, 10000, NULL), *row;
	const char *why;
	int64_t ms, id;
	double bal;
	size_t i;

	if (rows == NULL)
		return api_fail(r, 200, "数据库错误，请稍后重试");
	json_array_foreach(rows, i, row) {
		id = json_integer_value(json_object_get(row, "id"));
		if (json_integer_value(json_object_get(row, "status")) != CHANNEL_STATUS_ENABLED ||
		    (kind == PROBE_BALANCE && provider_for((int)json_integer_value(json_object_get(row,
		    "type"))) != &provider_openai))
			continue;
		if (run_probe(r, kind, id, &ms, &bal, &why) != GW_OK)
			log_warn("req=%s channel %lld: %s: %s", r->id, (long long)id,
			    kind == PROBE_TEST ? "test" : "balance", why);
	}
	json_decref(rows);
	return api_ok(r, NULL);
}

/* GET /api/channel/{test,update_balance}/:id: One API's answers
 * {success, message, time (seconds)} and {success, message, balance}. */
static int
probe_one(struct req *r, enum probe kind)
{
	const char *why = "";
	double bal = 0;
	int64_t id, ms = 0;
	int rc;

	if (req_path_id(r, 1, INT64_MAX, &id) != GW_OK)
		return api_fail(r, 200, "无效的参数");
	rc = run_probe(r, kind, id, &ms, &bal, &why);
	if (rc == GW_ENOTFOUND)
		return api_fail(r, 200, "record not found");
	if (kind == PROBE_BALANCE && rc != GW_OK)
		return api_fail(r, 200, "%s", why);
	if (kind == PROBE_BALANCE)
		return resp_json(r, 200, json_pack("{s:b, s:s, s:f}", "success", 1, "message", "",
		    "balance", bal));
	return resp_json(r, 200, json_pack("{s:b, s:s, s:f}", "success", rc == GW_OK,
	    "message", rc == GW_OK ? "" : why, "time", (double)ms / 1000.0));
}

/* POST /channels/:id/{test,balance}: probe, then back to the list with the
 * outcome as a fixed message. */
static int
probe_page(struct req *r, enum probe kind)
{
	struct ui_user u;
	struct kvlist f;
	const char *why = "";
	double bal;
	int64_t id, ms;
	int rc;

	if (ui_auth(r, ROLE_ADMIN, &u) != GW_OK || ui_form(r, &f) != GW_OK)
		return GW_OK;
	if ((id = ui_path_id(r)) == 0)
		return ui_error(r, 404);
	rc = run_probe(r, kind, id, &ms, &bal, &why);
	if (rc == GW_ENOTFOUND)
		return ui_error(r, 404);
	if (kind == PROBE_BALANCE)
		return ui_redirect(r, rc == GW_OK ? "/channels?msg=balance_ok" : "/channels?msg=balance_failed");
	return ui_redirect(r, rc == GW_OK ? "/channels?msg=channel_test_ok" :
	    "/channels?msg=channel_test_failed");
}

int
h_channel_test(struct req *r)
{
	return probe_one(r, PROBE_TEST);
}

int
h_channel_test_all(struct req *r)
{
	return probe_all(r, PROBE_TEST);
}

int
h_ui_channel_test(struct req *r)
{
	return probe_page(r, PROBE_TEST);
}

int
h_channel_update_balance(struct req *r)
{
	return probe_one(r, PROBE_BALANCE);
}

int
h_channel_update_balance_all(struct req *r)
{
	return probe_all(r, PROBE_BALANCE);
}

int
h_ui_channel_balance(struct req *r)
{
	return probe_page(r, PROBE_BALANCE);
}

