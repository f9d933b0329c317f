/* handlers/ui_channels.c: the channels page (admin): list, add, delete,
 * enable/disable, through the same channels.h functions as /api/channel */
#include <string.h>
#include "handlers.h"
#include "ui.h"
#include "channels.h"
#include "channel_types.h"
#include "dispatch.h"
#include "log.h"
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

/* The page; error is a fixed text, form the fields to refill (stolen; the
 * key is never refilled). */
static int
channels_page(struct req *r, const struct ui_user *u, int status, const char *error, json_t *form)
{
	json_t *ctx = ui_ctx(r, u, "channels", "Channels"), *rows, *row;
	int64_t p = ui_page(r), total = channel_count(r->db), sel = 1;
	size_t i;

	rows = channel_list_json(r->db, p * UI_PAGE_SIZE, UI_PAGE_SIZE);
	if (ctx == NULL || rows == NULL || total < 0) {
		json_decref(ctx);
		json_decref(rows);
		json_decref(form);
		return ui_error(r, 500);
	}
	json_array_foreach(rows, i, row) {
		int64_t t = json_integer_value(json_object_get(row, "type"));
		int64_t s = json_integer_value(json_object_get(row, "status"));
		json_object_del(row, "key");	/* never on a page, not even empty */
		const struct channel_type *ct = t >= 0 && t < CHANNEL_TYPE_MAX ? channel_type((int)t) : NULL;
		json_object_set_new(row, "type_name", json_string(type_name(t)));
		if (ct && ct->base_url[0])
			json_object_set_new(row, "default_url", json_string(ct->base_url));
		json_object_set_new(row, "status_name", json_string(status_name(s)));
		json_object_set_new(row, "enabled", json_boolean(s == CHANNEL_STATUS_ENABLED));
		json_object_set_new(row, "model_list",
		    csv_list(json_string_value(json_object_get(row, "models"))));
	}
	json_object_set_new(ctx, "channels", rows);
	json_object_set_new(ctx, "total", json_integer(total));
	if (form && json_is_integer(json_object_get(form, "type")))
		sel = json_integer_value(json_object_get(form, "type"));
	json_object_set_new(ctx, "types_common", type_options(1, sel));
	json_object_set_new(ctx, "types_other", type_options(0, sel));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	json_object_set_new(ctx, "form", form ? form : json_pack("{s:s, s:i}", "group", "default",
	    "priority", 0));
	ui_pager(ctx, p, (p + 1) * UI_PAGE_SIZE < total);
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

int
h_ui_channels_post(struct req *r)
{
	struct ui_user u;
	struct kvlist f;
	struct channel_in c;
	const char *err = NULL;
	json_t *form;
	int has_type, n = 0, rc;

	if (ui_auth(r, ROLE_ADMIN, &u) != GW_OK || ui_form(r, &f) != GW_OK)
		return GW_OK;
	memset(&c, 0, sizeof(c));
	c.name = kv_get(&f, "name");
	c.key = kv_get(&f, "key");
	c.base_url = kv_get(&f, "base_url");
	c.models = kv_get(&f, "models");
	c.group = kv_get(&f, "group");
	if (opt_int(&f, "type", 0, 1000, &has_type, &c.type) != GW_OK || !has_type)
		err = "Choose a channel type.";
	else if (opt_int(&f, "priority", INT32_MIN, INT32_MAX, &c.has_priority, &c.priority) != GW_OK)
		err = "Priority must be a whole number.";
	else if (opt_int(&f, "weight", 0, INT32_MAX, &c.has_weight, &c.weight) != GW_OK)
		err = "Weight must be a whole number of 0 or more.";
	else if (c.name == NULL || *str_trim((char *)c.name) == '\0')
		err = "Give the channel a name.";
	else if (c.models == NULL || *str_trim((char *)c.models) == '\0')
		err = "List the models of the channel, separated by commas.";
	if (c.base_url)
		str_trim((char *)c.base_url);
	if (err == NULL) {
		rc = channels_create(r->db, &c, now_sec(), &n);
		if (rc == GW_OK)
			return ui_redirect(r, "/channels?msg=channel_created");
		if (rc == GW_EINPUT)
			err = "Enter at least one key: one upstream key per line, one channel per key.";
		else {
			log_error("req=%s channel create failed: %s", r->id, gw_strerror(rc));
			return ui_error(r, 500);
		}
	}
	form = json_pack("{s:s, s:I, s:s, s:s, s:s}", "name", c.name ? c.name : "",
	    "type", (json_int_t)c.type, "base_url", c.base_url ? c.base_url : "",
	    "models", c.models ? c.models : "", "group", c.group ? c.group : "");
	if (form && c.has_priority)
		json_object_set_new(form, "priority", json_integer(c.priority));
	if (form && c.has_weight)
		json_object_set_new(form, "weight", json_integer(c.weight));
	return channels_page(r, &u, 400, err, form);
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
h_ui_channel_status(struct req *r)
{
	struct ui_user u;
	struct kvlist f;
	const char *s;
	int64_t id;
	int rc, on;

	if (ui_auth(r, ROLE_ADMIN, &u) != GW_OK || ui_form(r, &f) != GW_OK)
		return GW_OK;
	if ((id = ui_path_id(r)) == 0)
		return ui_error(r, 404);
	s = kv_get(&f, "status");
	if (s == NULL || (strcmp(s, "1") != 0 && strcmp(s, "2") != 0))
		return ui_error(r, 400);
	on = s[0] == '1';
	rc = channel_set_status(r->db, id, on ? CHANNEL_STATUS_ENABLED :
	    CHANNEL_STATUS_MANUALLY_DISABLED);
	if (rc == GW_ENOTFOUND)
		return ui_error(r, 404);
	if (rc != GW_OK)
		return ui_error(r, 500);
	return ui_redirect(r, on ? "/channels?msg=channel_enabled" : "/channels?msg=channel_disabled");
}
