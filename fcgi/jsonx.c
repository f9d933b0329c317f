/* fcgi/jsonx.c: JSON bodies in, JSON envelopes out */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jsonx.h"
#include "cfg.h"
#include "dispatch.h"
#include "hub.h"
#include "log.h"

int
resp_json(struct req *r, int status, json_t *j)
{
	char *s;
	int rc;

	if (j == NULL)
		return GW_ENOMEM;
	s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(j);
	if (s == NULL)
		return GW_ENOMEM;
	rc = resp_body(r, status, "application/json; charset=utf-8", s, strlen(s));
	free(s);
	return rc;
}

int
api_ok(struct req *r, json_t *data)
{
	json_t *j = json_pack("{s:b, s:s}", "success", 1, "message", "");

	if (j && data)
		json_object_set_new(j, "data", data);
	else if (data)
		json_decref(data);
	return resp_json(r, 200, j);
}

int
api_ok_total(struct req *r, json_t *data, int64_t total)
{
	return resp_json(r, 200, json_pack("{s:b, s:s, s:o, s:I}", "success", 1, "message", "",
	    "data", data, "total", (json_int_t)(total < 0 ? 0 : total)));
}

void
api_page(struct req *r, int64_t *offset, int64_t *limit)
{
	int64_t p = req_query_int(r, "p", 0), size = req_query_int(r, "size", API_PAGE_SIZE);
	int64_t max = cfg && cfg->max_items_per_page > 0 ? cfg->max_items_per_page : 100;

	if (p < 0)
		p = 0;
	if (size <= 0)
		size = API_PAGE_SIZE;
	if (size > max)
		size = max;
	if (p > INT64_MAX / size)
		p = INT64_MAX / size;
	*offset = p * size;
	*limit = size;
}

int
api_fail(struct req *r, int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return resp_json(r, status, json_pack("{s:b, s:s}", "success", 0, "message", msg));
}

int
oai_error(struct req *r, int status, const char *type, const char *code, const char *fmt, ...)
{
	char msg[1024], full[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "%s (request id: %s)", msg, r->id);
	/* hub_jstr: the message may hold a cut UTF-8 sequence (a long model
	 * name, a path that is not UTF-8), which json_pack's "s" refuses, and
	 * the error would be lost */
	if (r->route && (r->route->flags & R_CLAUDE))
		return resp_json(r, status, json_pack("{s:s, s:{s:s, s:o}, s:s}", "type", "error",
		    "error", "type", hub_claude_error_type(status), "message", hub_jstr(full), "request_id", r->id));
	return resp_json(r, status, json_pack("{s:{s:o, s:s, s:s, s:s}}", "error",
	    "message", hub_jstr(full), "type", type, "param", "", "code", code ? code : ""));
}

static void
decref(void *p)
{
	json_decref(p);
}

json_t *
req_keep(struct req *r, json_t *j)
{
	if (j)
		(void)arena_defer(&r->arena, decref, j);
	return j;
}

json_t *
jx_parse_object(const char *p, size_t n, char *why, size_t whysz)
{
	json_error_t e;
	json_t *j;

	if (n == 0) {
		snprintf(why, whysz, "request body is empty, expected a JSON object");
		return NULL;
	}
	j = json_loadb(p, n, 0, &e);
	if (j == NULL) {
		snprintf(why, whysz, "malformed JSON at line %d column %d: %s", e.line, e.column, e.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		snprintf(why, whysz, "expected a JSON object");
		return NULL;
	}
	return j;
}

json_t *
req_json_object(struct req *r)
{
	char why[300];
	json_t *j = jx_parse_object(buf_cstr(&r->body), buf_len(&r->body), why, sizeof(why));

	if (j == NULL) {
		api_fail(r, 200, "无效的参数: %s", why);
		return NULL;
	}
	return req_keep(r, j);
}

int
jx_str(json_t *o, const char *key, const char **out)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || json_is_null(v))
		return GW_ENOTFOUND;
	if (!json_is_string(v))
		return GW_EINPUT;
	*out = json_string_value(v);
	return GW_OK;
}

int
jx_int(json_t *o, const char *key, int64_t *out)
{
	json_t *v = json_object_get(o, key);
	double d;

	if (v == NULL || json_is_null(v))
		return GW_ENOTFOUND;
	if (json_is_integer(v)) {
		*out = (int64_t)json_integer_value(v);
		return GW_OK;
	}
	if (json_is_real(v)) {
		d = json_real_value(v);
		/* 1e3 and 100.0 are whole numbers too; 1.5 is not */
		if (d != floor(d) || d < -9.2e18 || d > 9.2e18)
			return GW_EINPUT;
		*out = (int64_t)d;
		return GW_OK;
	}
	return GW_EINPUT;
}

int
jx_bool(json_t *o, const char *key, int *out)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || json_is_null(v))
		return GW_ENOTFOUND;
	if (!json_is_boolean(v))
		return GW_EINPUT;
	*out = json_is_true(v);
	return GW_OK;
}
