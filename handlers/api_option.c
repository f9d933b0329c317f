/* handlers/api_option.c: /api/option/, /api/group/ and the public option pages (One API's controller/option.go, group.go, misc.go) */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "handlers.h"
#include "options.h"
#include "jsonx.h"

int
h_option_list(struct req *r)
{
	json_t *list;

	options_maybe_reload(r->db);
	if ((list = options_list_json()) == NULL)
		return GW_ENOMEM;
	return api_ok(r, list);
}

/* The option value as text: One API takes a JSON string; we also take
 * true/false, numbers and null (""). NULL for any other JSON type. */
static const char *
value_text(struct req *r, json_t *v)
{
	char num[64];
	double d;

	if (v == NULL || json_is_null(v))
		return "";
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%" PRId64, (int64_t)json_integer_value(v));
		return arena_strdup(&r->arena, num);
	}
	if (json_is_real(v)) {
		d = json_real_value(v);
		/* the shortest text that reads back the same, as Go prints floats */
		snprintf(num, sizeof(num), "%.15g", d);
		if (strtod(num, NULL) != d)
			snprintf(num, sizeof(num), "%.17g", d);
		return arena_strdup(&r->arena, num);
	}
	return NULL;
}

int
h_option_update(struct req *r)
{
	const char *key = NULL, *value, *why = NULL;
	char err[300];
	json_t *o;
	int rc;

	/* One API answers a body it cannot decode with HTTP 400 */
	o = jx_parse_object(buf_cstr(&r->body), buf_len(&r->body), err, sizeof(err));
	if (o == NULL)
		return api_fail(r, 400, "无效的参数: %s", err);
	req_keep(r, o);
	if (jx_str(o, "key", &key) != GW_OK || *key == '\0')
		return api_fail(r, 400, "无效的参数: key must be a non-empty string");
	if ((value = value_text(r, json_object_get(o, "value"))) == NULL)
		return api_fail(r, 400, "无效的参数: value must be a string");
	rc = option_set(r->db, key, value, &why);
	if (rc != GW_OK)
		return api_fail(r, 200, "%s", why ? why : "保存设置失败");
	return api_ok(r, NULL);
}

int
h_group_list(struct req *r)
{
	json_t *names;

	options_maybe_reload(r->db);
	if ((names = option_group_names()) == NULL)
		return GW_ENOMEM;
	return api_ok(r, names);
}

/* data = the value of one option ("" when unset). */
static int
option_page(struct req *r, const char *key)
{
	const char *v;

	options_maybe_reload(r->db);
	v = option_dup(&r->arena, key);
	return api_ok(r, json_string(v ? v : ""));
}

int
h_notice(struct req *r)
{
	return option_page(r, "Notice");
}

int
h_about(struct req *r)
{
	return option_page(r, "About");
}

int
h_home_page_content(struct req *r)
{
	return option_page(r, "HomePageContent");
}
