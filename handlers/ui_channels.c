/* handlers/ui_channels.c: the channels page (admin): list, add, delete,
 * enable/disable, through the same channels.h functions as /api/channel */
#include <string.h>
#include "handlers.h"
#include "ui.h"
#include "channels.h"
#include "channel_types.h"
#include "dispatch.h"
#include "log.h"
#include "provider.h"
#include "util.h"

/* The channel types offered first in the add form, most used first; the
 * others follow in id order. Names come from providers/channel_types.c. */
static const int common_types[] = { 1, 3, 14, 24, 36, 29, 28, 25, 45, 20, 44, 30, 50, 8 };
#define NCOMMON (sizeof(common_types) / sizeof(common_types[0]))

static int
is_common(int id)
{
	size_t i;

	for (i = 0; i < NCOMMON; i++)
		if (common_types[i] == id)
			return 1;
	return 0;
}

static const char *
type_name(int64_t id)
{
	const struct channel_type *t = id >= 0 && id < CHANNEL_TYPE_MAX ? channel_type((int)id) : NULL;

	return t ? t->name : "Unknown";
}

static const char *
status_name(int64_t s)
{
	switch (s) {
	case CHANNEL_STATUS_ENABLED: return "enabled";
	case CHANNEL_STATUS_MANUALLY_DISABLED: return "disabled";
	case CHANNEL_STATUS_AUTO_DISABLED: return "auto-disabled";
	default: return "unknown";
	}
}

static const char *
status_key(int64_t s)
{
	switch (s) {
	case CHANNEL_STATUS_ENABLED: return "st_enabled";
	case CHANNEL_STATUS_MANUALLY_DISABLED: return "st_disabled";
	case CHANNEL_STATUS_AUTO_DISABLED: return "st_auto_disabled";
	default: return "st_unknown";
	}
}

/* The trimmed, non-empty items of a comma list as a JSON array of strings. */
static json_t *
csv_list(const char *s)
{
	json_t *a = json_array();
	const char *e;
	size_t n;

	while (a && s && *s) {
		e = strchr(s, ',');
		n = e ? (size_t)(e - s) : strlen(s);
		while (n && (*s == ' ' || *s == '\t'))
			s++, n--;
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n)
			json_array_append_new(a, json_stringn(s, n));
		s = e ? e + 1 : "";
	}
	return a;
}

static int
add_option(json_t *a, int id, int64_t selected)
{
	const struct channel_type *t = channel_type(id);

	if (t == NULL)
		return GW_OK;
	return json_array_append_new(a, json_pack("{s:i, s:s, s:b}", "value", id, "name", t->name,
	    "selected", id == selected)) == 0 ? GW_OK : GW_ENOMEM;
}

/* [{value, name, selected}] for the type select: the common types, or the
 * others (without 0, Unknown). */
static json_t *
type_options(int common, int64_t selected)
{
	json_t *a = json_array();
	size_t i;
	int id;

	if (common)
		for (i = 0; a && i < NCOMMON; i++)
			(void)add_option(a, common_types[i], selected);
	else
		for (id = 1; a && id < CHANNEL_TYPE_MAX; id++)
			if (!is_common(id))
				(void)add_option(a, id, selected);
	return a;
}

/* The select, the type choice and the page-wide parts of the channel form
 * into ctx; form (stolen) refills the fields. */
static void
form_ctx(struct req *r, json_t *ctx, json_t *form)
{
	int64_t sel = 1;

	if (form && json_is_integer(json_object_get(form, "type")))
		sel = json_integer_value(json_object_get(form, "type"));
	json_object_set_new(ctx, "types_common", type_options(1, sel));
	json_object_set_new(ctx, "types_other", type_options(0, sel));
	json_object_set_new(ctx, "known_models", group_models_json(r->db, "default"));
	json_object_set_new(ctx, "form", form ? form : json_pack("{s:s, s:i}", "group", "default",
	    "priority", 0));
}

/* The list page; error is a catalog key, form the fields to refill (stolen). */
static int
channels_page(struct req *r, const struct ui_user *u, int status, const char *error, json_t *form)
{
	static const char *const orders[] = { "id", "priority", "name", "used", "response" };
	json_t *ctx = ui_ctx(r, u, "channels", "nav_channels"), *rows, *row, *ol;
	const char *kw = req_query(r, "keyword"), *order = req_query(r, "order");
	struct channel_filter cf = { kw, order, 0, 0 };
	int64_t p = ui_page(r), total = 0;
	size_t i;

	if (parse_i64(req_query(r, "status") ? req_query(r, "status") : "", 1, 3, &cf.status) != GW_OK)
		cf.status = 0;
	if (parse_i64(req_query(r, "type") ? req_query(r, "type") : "", 1, CHANNEL_TYPE_MAX - 1,
	    &cf.type) != GW_OK)
		cf.type = 0;
	rows = channel_page_json(r->db, &cf, p * UI_PAGE_SIZE, UI_PAGE_SIZE, &total);
	if (ctx == NULL || rows == NULL) {
		json_decref(ctx);
		json_decref(rows);
		json_decref(form);
		return ui_error(r, 500);
	}
	json_array_foreach(rows, i, row) {
		int64_t t = json_integer_value(json_object_get(row, "type"));
		int64_t s = json_integer_value(json_object_get(row, "status"));
		int64_t tt = json_integer_value(json_object_get(row, "test_time"));
		json_object_del(row, "key");	/* never on a page, not even empty */
		json_object_set_new(row, "type_name", json_string(type_name(t)));
		json_object_set_new(row, "status_name", json_string(status_name(s)));
		json_object_set_new(row, "status_text", json_string(ui_tr(r, status_key(s))));
		json_object_set_new(row, "enabled", json_boolean(s == CHANNEL_STATUS_ENABLED));
		json_object_set_new(row, "model_list",
		    csv_list(json_string_value(json_object_get(row, "models"))));
		json_object_set_new(row, "used_money", json_string(ui_money(r,
		    json_integer_value(json_object_get(row, "used_quota")))));
		if (tt > 0)
			json_object_set_new(row, "tested", json_string(ui_time(r, tt)));
		{
			int64_t bt = json_integer_value(json_object_get(row, "balance_updated_time"));
			json_object_set_new(row, "has_balance_api", json_boolean(provider_for((int)t) ==
			    &provider_openai));
			if (bt > 0) {
				json_object_set_new(row, "balance_text", json_string(arena_printf(&r->arena,
				    "$%.2f", json_number_value(json_object_get(row, "balance")))));
				json_object_set_new(row, "balance_time", json_string(ui_time(r, bt)));
			}
		}
	}
	ol = json_array();
	for (i = 0; ol && i < sizeof(orders) / sizeof(orders[0]); i++)
		json_array_append_new(ol, json_pack("{s:s, s:s, s:b}", "value", orders[i],
		    "label", ui_tr(r, arena_printf(&r->arena, "order_%s", orders[i])),
		    "selected", order ? strcmp(order, orders[i]) == 0 : i == 0));
	json_object_set_new(ctx, "orders", ol);
	ol = json_array();
	for (i = 0; ol && i <= 3; i++)
		json_array_append_new(ol, json_pack("{s:i, s:s, s:b}", "value", (int)i, "label",
		    ui_tr(r, i == 0 ? "any_status" : status_key((int64_t)i)), "selected", cf.status == (int64_t)i));
	json_object_set_new(ctx, "statuses", ol);
	json_object_set_new(ctx, "filter_types", type_options(1, cf.type));
	json_object_set_new(ctx, "filter_types_other", type_options(0, cf.type));
	json_object_set_new(ctx, "keyword", json_string(kw ? kw : ""));
	json_object_set_new(ctx, "channels", rows);
	json_object_set_new(ctx, "total", json_integer(total));
	if (error)
		json_object_set_new(ctx, "error", json_string(ui_tr(r, error)));
	form_ctx(r, ctx, form);
	ui_pager(r, ctx, p, (p + 1) * UI_PAGE_SIZE < total);
	return ui_render(r, status, "channels", ctx);
}

int
h_ui_channels(struct req *r)
{
	struct ui_user u;

	if (ui_auth(r, ROLE_ADMIN, &u) != GW_OK)
		return GW_OK;
	return channels_page(r, &u, 200, NULL, NULL);
}

/* An optional integer field: absent or empty is *has = 0. */
static int
opt_int(const struct kvlist *f, const char *k, int64_t min, int64_t max, int *has, int64_t *v)
{
	const char *s = kv_get(f, k);

	*has = 0;
	if (s == NULL || *s == '\0')
		return GW_OK;
	if (parse_i64(s, min, max, v) != GW_OK)
		return GW_EINPUT;
	*has = 1;
	return GW_OK;
}

/* s empty, or a JSON object (whose values are strings when strings_only). */
static int
json_object_text_ok(const char *s, int strings_only)
{
	json_t *o, *v;
	const char *k;
	int ok;

	if (s == NULL || *s == '\0')
		return 1;
	o = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
	ok = json_is_object(o);
	if (ok && strings_only)
		json_object_foreach(o, k, v)
			if (!json_is_string(v))
				ok = 0;
	json_decref(o);
	return ok;
}

/* Read and check the form's channel fields into c (strings borrowed from f);
 * NULL, or the catalog key of the first problem. */
static const char *
read_channel(struct kvlist *f, struct channel_in *c)
{
	int has_type;

	memset(c, 0, sizeof(*c));
	c->name = kv_get(f, "name");
	c->key = kv_get(f, "key");
	c->base_url = kv_get(f, "base_url");
	c->models = kv_get(f, "models");
	c->group = kv_get(f, "group");
	c->other = kv_get(f, "other");
	c->model_mapping = kv_get(f, "model_mapping");
	c->system_prompt = kv_get(f, "system_prompt");
	c->config = kv_get(f, "config");
	if (c->base_url)
		str_trim((char *)c->base_url);
	if (c->other)
		str_trim((char *)c->other);
	if (c->model_mapping)
		str_trim((char *)c->model_mapping);
	if (c->config)
		str_trim((char *)c->config);
	if (opt_int(f, "type", 0, 1000, &has_type, &c->type) != GW_OK || !has_type)
		return "err_channel_type";
	if (opt_int(f, "priority", INT32_MIN, INT32_MAX, &c->has_priority, &c->priority) != GW_OK)
		return "err_priority";
	if (opt_int(f, "weight", 0, INT32_MAX, &c->has_weight, &c->weight) != GW_OK)
		return "err_weight";
	if (c->name == NULL || *str_trim((char *)c->name) == '\0')
		return "err_channel_name";
	if (c->models == NULL || *str_trim((char *)c->models) == '\0')
		return "err_channel_models";
	if (!json_object_text_ok(c->model_mapping, 1))
		return "err_model_mapping";
	if (!json_object_text_ok(c->config, 0))
		return "err_config";
	return NULL;
}

/* The fields of c to refill the form with, the pasted key included (the
 * admin's own input, on a no-store page). New reference. */
static json_t *
refill(const struct channel_in *c, int with_key)
{
	json_t *form = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "name", c->name ? c->name : "", "type", (json_int_t)c->type,
	    "base_url", c->base_url ? c->base_url : "", "models", c->models ? c->models : "",
	    "group", c->group ? c->group : "", "other", c->other ? c->other : "",
	    "model_mapping", c->model_mapping ? c->model_mapping : "",
	    "system_prompt", c->system_prompt ? c->system_prompt : "",
	    "config", c->config ? c->config : "");

	if (form && c->has_priority)
		json_object_set_new(form, "priority", json_integer(c->priority));
	if (form && c->has_weight)
		json_object_set_new(form, "weight", json_integer(c->weight));
	if (form && with_key && c->key)
		json_object_set_new(form, "key", json_string(c->key));
	return form;
}

int
h_ui_channels_post(struct req *r)
{
	struct ui_user u;
	struct kvlist f;
	struct channel_in c;
	const char *err;
	int n = 0, rc;

	if (ui_auth(r, ROLE_ADMIN, &u) != GW_OK || ui_form(r, &f) != GW_OK)
		return GW_OK;
	err = read_channel(&f, &c);
	if (err == NULL) {
		rc = channels_create(r->db, &c, now_sec(), &n);
		if (rc == GW_OK)
			return ui_redirect(r, "/channels?msg=channel_created");
		if (rc == GW_EINPUT)
			err = "err_channel_key";
		else {
			log_error("req=%s channel create failed: %s", r->id, gw_strerror(rc));
			return ui_error(r, 500);
		}
	}
	return channels_page(r, &u, 400, err, refill(&c, 1));
}

/* The edit page of channel id; form NULL fills it from the stored row. */
static int
edit_page(struct req *r, const struct ui_user *u, int64_t id, int status, const char *error,
    json_t *form)
{
	json_t *ctx, *row = NULL, *v;
	int rc = GW_OK;
	const char *k;

	if (form == NULL) {
		row = channel_get_json(r->db, id, &rc);
		if (rc == GW_ENOTFOUND)
			return ui_error(r, 404);
		if (row == NULL)
			return ui_error(r, 500);
		json_object_del(row, "key");
		/* nulls (absent pointer fields) show as empty inputs */
		json_object_foreach(row, k, v)
			if (json_is_null(v))
				json_object_set_new(row, k, json_string(""));
		form = row;
	}
	if ((ctx = ui_ctx(r, u, "channels", "edit_channel")) == NULL) {
		json_decref(form);
		return ui_error(r, 500);
	}
	json_object_set_new(ctx, "channel_id", json_integer(id));
	json_object_set_new(ctx, "editing", json_true());
	if (error)
		json_object_set_new(ctx, "error", json_string(ui_tr(r, error)));
	form_ctx(r, ctx, form);
	return ui_render(r, status, "channel_edit", ctx);
}

int
h_ui_channel_edit(struct req *r)
{
	struct ui_user u;
	int64_t id;

	if (ui_auth(r, ROLE_ADMIN, &u) != GW_OK)
		return GW_OK;
	if ((id = ui_path_id(r)) == 0)
		return ui_error(r, 404);
	return edit_page(r, &u, id, 200, NULL, NULL);
}

int
h_ui_channel_edit_post(struct req *r)
{
	struct ui_user u;
	struct kvlist f;
	struct channel_in c;
	const char *err;
	int64_t id;
	int rc;

	if (ui_auth(r, ROLE_ADMIN, &u) != GW_OK || ui_form(r, &f) != GW_OK)
		return GW_OK;
	if ((id = ui_path_id(r)) == 0)
		return ui_error(r, 404);
	err = read_channel(&f, &c);
	if (err == NULL) {
		c.id = id;
		if (c.key)
			str_trim((char *)c.key);	/* "" keeps the stored key */
		/* present-but-empty text fields clear the column */
		if (c.base_url == NULL)
			c.base_url = "";
		if (c.model_mapping == NULL)
			c.model_mapping = "";
		if (c.system_prompt == NULL)
			c.system_prompt = "";
		if (!c.has_priority)
			c.has_priority = 1, c.priority = 0;
		if (!c.has_weight)
			c.has_weight = 1, c.weight = 0;
		rc = channel_update(r->db, &c);
		if (rc == GW_OK)
			return ui_redirect(r, "/channels?msg=channel_saved");
		if (rc == GW_ENOTFOUND)
			return ui_error(r, 404);
		log_error("req=%s channel update failed: %s", r->id, gw_strerror(rc));
		return ui_error(r, 500);
	}
	return edit_page(r, &u, id, 400, err, refill(&c, 1));
}

int
h_ui_channel_delete(struct req *r)
{
	struct ui_user u;
	struct kvlist f;
	int64_t id;

	if (ui_auth(r, ROLE_ADMIN, &u) != GW_OK || ui_form(r, &f) != GW_OK)
		return GW_OK;
	if ((id = ui_path_id(r)) == 0)
		return ui_error(r, 404);
	if (channel_delete(r->db, id, NULL) != GW_OK)
		return ui_error(r, 500);
	return ui_redirect(r, "/channels?msg=channel_deleted");
}

int
h_ui_channels_delete_disabled(struct req *r)
{
	struct ui_user u;
	struct kvlist f;
	int64_t n = 0;

	if (ui_auth(r, ROLE_ADMIN, &u) != GW_OK || ui_form(r, &f) != GW_OK)
		return GW_OK;
	if (channels_delete_disabled(r->db, &n) != GW_OK)
		return ui_error(r, 500);
	return ui_redirect(r, "/channels?msg=channels_deleted");
}

int
h_ui_channel_status(struct req *r)
{
	struct ui_user u;
	int64_t id;
	int rc, on;

	if (ui_status_post(r, ROLE_ADMIN, &u, &id, &on) != GW_OK)
		return GW_OK;
	rc = channel_set_status(r->db, id, on ? CHANNEL_STATUS_ENABLED :
	    CHANNEL_STATUS_MANUALLY_DISABLED);
	if (rc == GW_ENOTFOUND)
		return ui_error(r, 404);
	if (rc != GW_OK)
		return ui_error(r, 500);
	return ui_redirect(r, on ? "/channels?msg=channel_enabled" : "/channels?msg=channel_disabled");
}
