/* handlers/api_channel.c: /api/channel/... and /api/user/available_models (One API's controller/channel.go, model.go) */
#include <stddef.h>
#include <string.h>
#include "handlers.h"
#include "users.h"
#include "channels.h"
#include "cfg.h"
#include "jsonx.h"
#include "util.h"


enum ftype { FT_INT, FT_UINT, FT_REAL, FT_STR };

/* The JSON fields of a channel, their type and where they go. has_off is
 * the presence flag of the fields that are pointers in One API. */
struct cfield {
	const char *name;
	enum ftype type;
	size_t off;
	ptrdiff_t has_off;
};
#define CF(n, t, m) { n, t, offsetof(struct channel_in, m), -1 }
#define CFH(n, t, m, h) { n, t, offsetof(struct channel_in, m), (ptrdiff_t)offsetof(struct channel_in, h) }

static const struct cfield cfields[] = {
	CF("id", FT_INT, id),
	CF("type", FT_INT, type),
	CF("key", FT_STR, key),
	CF("status", FT_INT, status),
	CF("name", FT_STR, name),
	CFH("weight", FT_UINT, weight, has_weight),
	CF("created_time", FT_INT, created_time),
	CF("test_time", FT_INT, test_time),
	CF("response_time", FT_INT, response_time),
	CF("base_url", FT_STR, base_url),
	CF("other", FT_STR, other),
	CFH("balance", FT_REAL, balance, has_balance),
	CF("balance_updated_time", FT_INT, balance_updated_time),
	CF("models", FT_STR, models),
	CF("group", FT_STR, group),
	CF("used_quota", FT_INT, used_quota),
	CF("model_mapping", FT_STR, model_mapping),
	CFH("priority", FT_INT, priority, has_priority),
	CF("config", FT_STR, config),
	CF("system_prompt", FT_STR, system_prompt),
};

static const char *const ftype_text[] = {
	[FT_INT] = "an integer",
	[FT_UINT] = "a non-negative integer",
	[FT_REAL] = "a number",
	[FT_STR] = "a string",
};

/* Is s empty, or a JSON object (whose members are strings when
 * strings_only)? */
static int
json_object_text(const char *s, int strings_only)
{
	json_t *j, *v;
	const char *k;
	int ok;

	if (s == NULL || *s == '\0')
		return 1;
	if ((j = json_loads(s, 0, NULL)) == NULL)
		return 0;
	ok = json_is_object(j);
	if (ok && strings_only)
		json_object_foreach(j, k, v)
			ok = ok && json_is_string(v);
	json_decref(j);
	return ok;
}

/* Fill c from the JSON body. On a bad field, writes the answer and
 * returns GW_EINPUT. */
static int
read_channel(struct req *r, json_t *o, struct channel_in *c)
{
	size_t i;
	int rc = GW_OK;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < sizeof(cfields) / sizeof(cfields[0]); i++) {
		const struct cfield *f = &cfields[i];
		char *dst = (char *)c + f->off;
		int64_t iv = 0;
		json_t *v;

		switch (f->type) {
		case FT_INT:
		case FT_UINT:
			rc = jx_int(o, f->name, &iv);
			if (rc == GW_OK && f->type == FT_UINT && iv < 0)
				rc = GW_EINPUT;
			if (rc == GW_OK)
				memcpy(dst, &iv, sizeof(iv));
			break;
		case FT_REAL:
			v = json_object_get(o, f->name);
			if (v == NULL || json_is_null(v)) {
				rc = GW_ENOTFOUND;
			} else if (!json_is_number(v)) {
				rc = GW_EINPUT;
			} else {
				double d = json_number_value(v);
				memcpy(dst, &d, sizeof(d));
				rc = GW_OK;
			}
			break;
		case FT_STR: {
			const char *s = NULL;
			rc = jx_str(o, f->name, &s);
			if (rc == GW_OK)
				memcpy(dst, &s, sizeof(s));
			break;
		}
		}
		if (rc == GW_EINPUT) {
			api_fail(r, 200, "无效的参数: field \"%s\" must be %s", f->name, ftype_text[f->type]);
			return GW_EINPUT;
		}
		if (rc == GW_OK && f->has_off >= 0)
			*((int *)((char *)c + f->has_off)) = 1;
	}
	if (!json_object_text(c->model_mapping, 1)) {
		api_fail(r, 200, "无效的参数: model_mapping must be a JSON object of model names");
		return GW_EINPUT;
	}
	if (!json_object_text(c->config, 0)) {
		api_fail(r, 200, "无效的参数: config must be a JSON object");
		return GW_EINPUT;
	}
	return GW_OK;
}

/* The :id path parameter, or 0 after answering. */
static int64_t
path_id(struct req *r)
{
	int64_t id;

	if (req_path_id(r, 1, INT64_MAX, &id) != GW_OK) {
		api_fail(r, 200, "无效的参数: id must be a positive integer");
		return 0;
	}
	return id;
}

int
h_channel_list(struct req *r)
{
	int64_t off, lim;
	json_t *rows;

	api_page(r, &off, &lim);
	if ((rows = channel_list_json(r->db, off, lim)) == NULL)
		return api_fail(r, 200, "database error");
	return api_ok_total(r, rows, channel_count(r->db));
}

int
h_channel_search(struct req *r)
{
	const char *kw = req_query(r, "keyword");
	json_t *rows = channel_search_json(r->db, kw ? kw : "");

	if (rows == NULL)
		return api_fail(r, 200, "database error");
	return api_ok(r, rows);
}

int
h_channel_get(struct req *r)
{
	int64_t id = path_id(r);
	json_t *j;
	int rc;

	if (id == 0)
		return GW_OK;
	j = channel_get_json(r->db, id, &rc);
	if (j == NULL)
		return api_fail(r, 200, rc == GW_ENOTFOUND ? "record not found" : "database error");
	return api_ok(r, j);
}

int
h_channel_create(struct req *r)
{
	struct channel_in c;
	json_t *o = req_json_object(r);
	int rc, n;

	if (o == NULL)
		return GW_OK;
	if (read_channel(r, o, &c) != GW_OK)
		return GW_OK;
	rc = channels_create(r->db, &c, now_sec(), &n);
	if (rc == GW_EINPUT)
		return api_fail(r, 200, "无效的参数: key is required (one upstream key per line)");
	if (rc != GW_OK)
		return api_fail(r, 200, "database error: the channel was not saved");
	return api_ok(r, NULL);
}

int
h_channel_update(struct req *r)
{
	struct channel_in c;
	json_t *o = req_json_object(r), *j;
	int rc;

	if (o == NULL)
		return GW_OK;
	if (read_channel(r, o, &c) != GW_OK)
		return GW_OK;
	if (c.id <= 0)
		return api_fail(r, 200, "无效的参数: id is required");
	rc = channel_update(r->db, &c);
	if (rc == GW_ENOTFOUND)
		return api_fail(r, 200, "record not found");
	if (rc != GW_OK)
		return api_fail(r, 200, "database error: the channel was not saved");
	/* One API answers with the stored channel; we leave the key out */
	j = channel_get_json(r->db, c.id, &rc);
	if (j == NULL)
		return api_fail(r, 200, "database error");
	return api_ok(r, j);
}

int
h_channel_delete_disabled(struct req *r)
{
	int64_t rows = 0;

	if (channels_delete_disabled(r->db, &rows) != GW_OK)
		return api_fail(r, 200, "database error");
	return api_ok(r, json_integer(rows));
}

int
h_channel_delete(struct req *r)
{
	int64_t id = path_id(r);

	if (id == 0)
		return GW_OK;
	if (channel_delete(r->db, id, NULL) != GW_OK)
		return api_fail(r, 200, "database error");
	return api_ok(r, NULL);
}

int
h_user_available_models(struct req *r)
{
	const char *group = NULL;
	json_t *models;
	int rc;

	rc = users_group(r->db, &r->arena, r->user.id, &group);
	if (rc != GW_OK)
		return api_fail(r, 200, rc == GW_ENOTFOUND ? "record not found" : "database error");
	if ((models = group_models_json(r->db, group)) == NULL)
		return api_fail(r, 200, "database error");
	return api_ok(r, models);
}

/*
 * GET /api/channel/models: One API's ListAllModels, the models its adaptors
 * know, without the envelope. A short list per provider until the relay
 * lands with the full tables (the constants.go of each relay adaptor upstream).
 */
static const struct {
	const char *owner;
	const char *const *models;
} model_lists[] = {
	{ "openai", (const char *const[]){
		"gpt-3.5-turbo", "gpt-3.5-turbo-0125", "gpt-3.5-turbo-1106", "gpt-3.5-turbo-16k",
		"gpt-3.5-turbo-instruct", "gpt-4", "gpt-4-turbo", "gpt-4-turbo-2024-04-09",
		"gpt-4o", "gpt-4o-2024-05-13", "gpt-4o-2024-08-06", "gpt-4o-2024-11-20",
		"chatgpt-4o-latest", "gpt-4o-mini", "gpt-4o-mini-2024-07-18",
		"text-embedding-ada-002", "text-embedding-3-small", "text-embedding-3-large",
		"text-moderation-latest", "dall-e-2", "dall-e-3", "whisper-1", "tts-1", "tts-1-hd",
		"o1", "o1-2024-12-17", "o1-mini", "o3-mini", NULL } },
	{ "anthropic", (const char *const[]){
		"claude-3-haiku-20240307", "claude-3-5-haiku-20241022", "claude-3-5-haiku-latest",
		"claude-3-sonnet-20240229", "claude-3-opus-20240229", "claude-3-5-sonnet-20240620",
		"claude-3-5-sonnet-20241022", "claude-3-5-sonnet-latest", NULL } },
	{ "google gemini", (const char *const[]){
		"gemini-pro", "gemini-1.0-pro", "gemini-1.5-flash", "gemini-1.5-flash-8b",
		"gemini-1.5-pro", "text-embedding-004", "gemini-2.0-flash", "gemini-2.0-flash-exp",
		NULL } },
	{ "deepseek", (const char *const[]){ "deepseek-chat", "deepseek-reasoner", NULL } },
};

int
h_channel_models(struct req *r)
{
	json_t *data = json_array(), *perm, *m;
	size_t i, k;

	if (data == NULL)
		return GW_ENOMEM;
	for (i = 0; i < sizeof(model_lists) / sizeof(model_lists[0]); i++) {
		for (k = 0; model_lists[i].models[k]; k++) {
			const char *id = model_lists[i].models[k];
			perm = json_pack("[{s:s, s:s, s:i, s:b, s:b, s:b, s:b, s:b, s:b, s:s, s:n, s:b}]",
			    "id", "modelperm-LwHkVFn8AcMItP432fKKDIKJ", "object", "model_permission",
			    "created", 1626777600, "allow_create_engine", 1, "allow_sampling", 1,
			    "allow_logprobs", 1, "allow_search_indices", 0, "allow_view", 1,
			    "allow_fine_tuning", 0, "organization", "*", "group", "is_blocking", 0);
			m = json_pack("{s:s, s:s, s:i, s:s, s:o, s:s, s:n}", "id", id, "object", "model",
			    "created", 1626777600, "owned_by", model_lists[i].owner, "permission", perm,
			    "root", id, "parent");
			if (m == NULL || json_array_append_new(data, m) != 0) {
				json_decref(data);
				return GW_ENOMEM;
			}
		}
	}
	return resp_json(r, 200, json_pack("{s:s, s:o}", "object", "list", "data", data));
}
