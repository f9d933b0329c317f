/* providers/hub.c: helpers shared by the format codecs */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "hub.h"
#include "util.h"

int
hub_fail(struct hub_err *err, const char *fmt, ...)
{
	va_list ap;

	err->status = 400;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return GW_EINPUT;
}

int
hub_nomem(struct hub_err *err)
{
	err->status = 500;
	snprintf(err->message, sizeof(err->message), "out of memory");
	return GW_ENOMEM;
}

void
hub_req_init(struct hub_req *q)
{
	memset(q, 0, sizeof(*q));
	q->parallel_tool_calls = -1;
	q->rf_strict = -1;
	q->max_tokens = -1;
	q->temperature = NAN;
	q->top_p = NAN;
	q->top_k = -1;
	q->seed = -1;
	q->n = -1;
	q->presence_penalty = NAN;
	q->frequency_penalty = NAN;
	q->thinking_budget = -1;
	q->thinking = -1;
}

/* Make room for element n of an arena array. Capacity is 4, then doubles:
 * growth is due when n is 0 or a power of two >= 4. The old copy stays in
 * the arena (requests are small). */
static void *
grow_for(struct arena *a, void *arr, size_t n, size_t sz)
{
	void *p;

	if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
		return arr;
	if ((p = arena_alloc(a, (n ? n * 2 : 4) * sz)) == NULL)
		return NULL;
	if (n)
		memcpy(p, arr, n * sz);
	return p;
}

struct hub_msg *
hub_add_msg(struct arena *a, struct hub_req *q, enum hub_role role)
{
	struct hub_msg *m, *arr = grow_for(a, q->msgs, q->nmsgs, sizeof(*m));

	if (arr == NULL)
		return NULL;
	q->msgs = arr;
	m = &arr[q->nmsgs++];
	memset(m, 0, sizeof(*m));
	m->role = role;
	return m;
}

struct hub_part *
hub_add_part(struct arena *a, struct hub_part **parts, size_t *n, enum hub_part_type type)
{
	struct hub_part *p, *arr = grow_for(a, *parts, *n, sizeof(*p));

	if (arr == NULL)
		return NULL;
	*parts = arr;
	p = &arr[(*n)++];
	memset(p, 0, sizeof(*p));
	p->type = type;
	return p;
}

struct hub_tool *
hub_add_tool(struct arena *a, struct hub_req *q)
{
	struct hub_tool *t, *arr = grow_for(a, q->tools, q->ntools, sizeof(*t));

	if (arr == NULL)
		return NULL;
	q->tools = arr;
	t = &arr[q->ntools++];
	memset(t, 0, sizeof(*t));
	t->strict = -1;
	return t;
}

static void
decref(void *p)
{
	json_decref(p);
}

json_t *
hub_keep(struct arena *a, json_t *j)
{
	if (j != NULL)
		(void)arena_defer(a, decref, j);
	return j;
}

int
hub_data_url(struct arena *a, const char *url, const char **mime, const char **data)
{
	const char *semi, *comma;

	if (url == NULL || strncmp(url, "data:", 5) != 0)
		return GW_EINPUT;
	comma = strchr(url, ',');
	semi = strstr(url, ";base64,");
	if (comma == NULL || semi == NULL || semi + 7 != comma)
		return GW_EINPUT;
	*mime = semi > url + 5 ? arena_strndup(a, url + 5, (size_t)(semi - url - 5)) : "application/octet-stream";
	*data = arena_strdup(a, comma + 1);
	return *mime && *data ? GW_OK : GW_ENOMEM;
}

const char *
hub_make_data_url(struct arena *a, const char *mime, const char *data)
{
	return arena_printf(a, "data:%s;base64,%s", mime ? mime : "application/octet-stream",
	    data ? data : "");
}

const char *
hub_msg_text(struct arena *a, const struct hub_msg *m)
{
	size_t i, len = 0, k = 0;
	char *s;

	for (i = 0; i < m->nparts; i++)
		if (m->parts[i].type == HP_TEXT && m->parts[i].text)
			len += strlen(m->parts[i].text) + 2;
	if ((s = arena_alloc(a, len + 1)) == NULL)
		return NULL;
	for (i = 0; i < m->nparts; i++) {
		size_t l;
		if (m->parts[i].type != HP_TEXT || m->parts[i].text == NULL)
			continue;
		if (k) {
			memcpy(s + k, "\n\n", 2);
			k += 2;
		}
		l = strlen(m->parts[i].text);
		memcpy(s + k, m->parts[i].text, l);
		k += l;
	}
	s[k] = '\0';
	return s;
}

const char *
hub_call_name(const struct hub_req *q, const char *id)
{
	size_t i, j;

	if (id == NULL)
		return NULL;
	for (i = 0; i < q->nmsgs; i++)
		for (j = 0; j < q->msgs[i].nparts; j++) {
			const struct hub_part *p = &q->msgs[i].parts[j];
			if (p->type == HP_TOOL_CALL && p->id && strcmp(p->id, id) == 0)
				return p->name;
		}
	return NULL;
}

void
hub_drop(struct arena *a, struct hub_req *q, const char *what)
{
	const char *d = q->dropped, *hit;
	size_t n = strlen(what);

	for (hit = d ? strstr(d, what) : NULL; hit != NULL; hit = strstr(hit + 1, what))
		if ((hit == d || hit[-1] == ' ') && (hit[n] == '\0' || hit[n] == ','))
			return;
	d = d ? arena_printf(a, "%s, %s", d, what) : arena_strdup(a, what);
	if (d != NULL)
		q->dropped = d;
}

const struct hub_tool *
hub_tool_origin(const struct hub_req *q, const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < q->ntools; i++)
		if (q->tools[i].name && strcmp(q->tools[i].name, name) == 0)
			return &q->tools[i];
	return NULL;
}

/* OpenAI and Anthropic take function names up to 64 bytes. */
#define HUB_NAME_MAX	64

const char *
hub_ns_name(struct arena *a, const char *ns, const char *local)
{
	const char *s = arena_printf(a, "%s__%s", ns, local);
	uint32_t h = 2166136261u;	/* FNV-1a of the whole name */
	const char *p;

	if (s == NULL || strlen(s) <= HUB_NAME_MAX)
		return s;
	for (p = s; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return arena_printf(a, "%.*s_%08x", HUB_NAME_MAX - 9, s, (unsigned)h);
}

const char *
hub_obj_text(struct arena *a, json_t *v)
{
	char *s;
	const char *r;

	if (!json_is_object(v) || (s = json_dumps(v, JSON_COMPACT)) == NULL)
		return "{}";
	r = arena_strdup(a, s);
	free(s);
	return r ? r : "{}";
}

const char *
hub_new_id(struct arena *a, const char *prefix)
{
	char r[25];

	if (rand_alnum(r, 24) != GW_OK)
		snprintf(r, sizeof(r), "%024lld", (long long)now_ms());
	r[24] = '\0';
	return arena_printf(a, "%s%s", prefix, r);
}

int64_t
hub_effort_budget(const char *effort)
{
	if (effort == NULL)
		return 8192;
	if (strcmp(effort, "minimal") == 0 || strcmp(effort, "low") == 0)
		return 1024;
	if (strcmp(effort, "high") == 0)
		return 24576;
	if (strcmp(effort, "xhigh") == 0 || strcmp(effort, "max") == 0)
		return 32000;
	return 8192;
}

const char *
hub_budget_effort(int64_t budget)
{
	if (budget <= 2048)
		return "low";
	if (budget <= 12288)
		return "medium";
	return "high";
}

json_t *
hub_usage_openai(const struct hub_usage *u)
{
	return json_pack("{s:I, s:I, s:I, s:{s:I}, s:{s:I}}",
	    "prompt_tokens", (json_int_t)u->input,
	    "completion_tokens", (json_int_t)u->output,
	    "total_tokens", (json_int_t)(u->input + u->output),
	    "prompt_tokens_details", "cached_tokens", (json_int_t)u->cache_read,
	    "completion_tokens_details", "reasoning_tokens", (json_int_t)u->reasoning);
}

void
hub_usage_from_openai(json_t *u, struct hub_usage *out)
{
	json_t *d;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(u))
		return;
	out->input = json_integer_value(json_object_get(u, "prompt_tokens"));
	out->output = json_integer_value(json_object_get(u, "completion_tokens"));
	d = json_object_get(u, "prompt_tokens_details");
	out->cache_read = json_integer_value(json_object_get(d, "cached_tokens"));
	out->cache_write = json_integer_value(json_object_get(d, "cache_write_tokens"));
	d = json_object_get(u, "completion_tokens_details");
	out->reasoning = json_integer_value(json_object_get(d, "reasoning_tokens"));
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid
 * (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* A JSON string of n bytes (new ref; NULL only on ENOMEM). jansson refuses
 * invalid UTF-8, and one stray byte must not lose a whole answer, so such
 * bytes become U+FFFD. s NULL gives "". */
json_t *
hub_jstrn(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	json_t *j;
	char *o;
	size_t i, k = 0, l;

	if (s == NULL)
		return json_string("");
	if ((j = json_stringn(s, n)) != NULL || n > SIZE_MAX / 3)
		return j;
	if ((o = malloc(n * 3 + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i += l) {
		if ((l = utf8_seq(u + i, n - i)) == 0) {
			memcpy(o + k, "\xef\xbf\xbd", 3);
			k += 3;
			l = 1;
			continue;
		}
		memcpy(o + k, s + i, l);
		k += l;
	}
	j = json_stringn(o, k);
	free(o);
	return j;
}

json_t *
hub_jstr(const char *s)
{
	return hub_jstrn(s, s ? strlen(s) : 0);
}

const char *
hub_openai_error_type(int status)
{
	switch (status) {
	case 400: return "invalid_request_error";
	case 401: return "authentication_error";
	case 403: return "permission_error";
	case 404: return "not_found_error";
	case 429: return "rate_limit_error";
	default: return "api_error";
	}
}

const char *
hub_claude_error_type(int status)
{
	switch (status) {
	case 400: return "invalid_request_error";
	case 401: return "authentication_error";
	case 402: return "billing_error";
	case 403: return "permission_error";
	case 404: return "not_found_error";
	case 413: return "request_too_large";
	case 429: return "rate_limit_error";
	case 503: case 529: return "overloaded_error";
	case 504: return "timeout_error";
	default: return "api_error";
	}
}

json_t *
hub_openai_error(int status, const char *type, const char *message)
{
	return json_pack("{s:{s:o, s:o, s:n, s:n}}", "error", "message",
	    hub_jstr(message ? message : ""), "type",
	    hub_jstr(type ? type : hub_openai_error_type(status)), "param", "code");
}
