/* providers/fmt_chat.c: OpenAI Chat Completions <-> hub (FORMATS.md §1, §7)
 *
 * Client side: a Chat request body into the hub (validated like OpenAI: a
 * 400 naming the field), the hub's answer as chat.completion JSON or as
 * chat.completion.chunk SSE. Upstream side: the hub as a Chat request for
 * any OpenAI-compatible vendor, its answer and chunk stream back into the
 * hub. Vendor reasoning fields (reasoning_content, reasoning, thinking) carry
 * thinking text where plain Chat has none.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hub.h"
#include "util.h"

#define CHAT_MAX_TOOLS	4096	/* tool call indexes tracked per stream */

static const char *const finish_names[] = {
	[HF_NONE] = "stop",
	[HF_STOP] = "stop",
	[HF_LENGTH] = "length",
	[HF_TOOL_CALLS] = "tool_calls",
	[HF_CONTENT_FILTER] = "content_filter",
};

/* The Chat message field reasoning text goes into: One API's
 * ?reasoning_format=, "reasoning_content" when unset, NULL (dropped) for any
 * other value. */
static const char *
reasoning_key(const struct hub_req *q)
{
	static const char *const keys[] = { "reasoning_content", "reasoning", "thinking" };
	size_t i;

	if (q == NULL || q->reasoning_format == NULL)
		return keys[0];
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(q->reasoning_format, keys[i]) == 0)
			return keys[i];
	return NULL;
}

static enum hub_finish
finish_parse(const char *s)
{
	if (s == NULL)
		return HF_NONE;
	if (strcmp(s, "length") == 0 || strcmp(s, "max_tokens") == 0)
		return HF_LENGTH;
	if (strcmp(s, "tool_calls") == 0 || strcmp(s, "function_call") == 0)
		return HF_TOOL_CALLS;
	if (strcmp(s, "content_filter") == 0)
		return HF_CONTENT_FILTER;
	return HF_STOP;
}

/* ------------------------------------------------------------------ */
/* Client request -> hub (FORMATS.md §1.1, §1.2)                        */

/* Decoding state: where strings go and where a 400 is written. path holds
 * the JSON path of the object being read ("messages[2]"), so messages name
 * the field like OpenAI's param. */
struct rd {
	struct arena *a;
	struct hub_err *err;
	struct hub_req *q;
};



/* A member, NULL when absent or JSON null (OpenAI treats both as unset). */
static json_t *
member(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_null(v) ? NULL : v;
}

static const char *
dot(const char *path)
{
	return *path ? "." : "";
}

/* Typed optional members. GW_OK with *out set (untouched when absent), or
 * GW_EINPUT with a 400 naming path.key. Strings are arena copies. */
static int
get_str(struct rd *r, json_t *o, const char *path, const char *key, const char **out)
{
	json_t *v = member(o, key);

	if (v == NULL)
		return GW_OK;
	if (!json_is_string(v))
		return hub_fail(r->err, "%s%s%s must be a string", path, dot(path), key);
	if ((*out = arena_strdup(r->a, json_string_value(v))) == NULL)
		return hub_nomem(r->err);
	return GW_OK;
}

static int
get_int(struct rd *r, json_t *o, const char *path, const char *key, int64_t min, int64_t *out)
{
	json_t *v = member(o, key);
	double d;

	if (v == NULL)
		return GW_OK;
	d = json_is_real(v) ? json_real_value(v) : 0.5;
	if (json_is_integer(v))
		*out = json_integer_value(v);
	else if (d == floor(d) && fabs(d) < 9e15)
		*out = (int64_t)d;	/* 100.0 is an integer to OpenAI too */
	else
		return hub_fail(r->err, "%s%s%s must be an integer", path, dot(path), key);
	if (*out < min)
		return hub_fail(r->err, "%s%s%s must be at least %lld", path, dot(path), key, (long long)min);
	return GW_OK;
}

static int
get_num(struct rd *r, json_t *o, const char *key, double *out)
{
	json_t *v = member(o, key);

	if (v == NULL)
		return GW_OK;
	if (!json_is_number(v))
		return hub_fail(r->err, "%s must be a number", key);
	*out = json_number_value(v);
	return GW_OK;
}

static int
get_bool(struct rd *r, json_t *o, const char *path, const char *key, int *out)
{
	json_t *v = member(o, key);

	if (v == NULL)
		return GW_OK;
	if (!json_is_boolean(v))
		return hub_fail(r->err, "%s%s%s must be a boolean", path, dot(path), key);
	*out = json_is_true(v);
	return GW_OK;
}

/* An object member that must be there. */
static int
need_obj(struct rd *r, json_t *o, const char *path, const char *key, json_t **out)
{
	if ((*out = member(o, key)) == NULL)
		return hub_fail(r->err, "%s%s%s is required", path, dot(path), key);
	if (!json_is_object(*out))
		return hub_fail(r->err, "%s%s%s must be an object", path, dot(path), key);
	return GW_OK;
}

static int
need_str(struct rd *r, json_t *o, const char *path, const char *key, const char **out)
{
	int rc;

	*out = NULL;
	if ((rc = get_str(r, o, path, key, out)) != GW_OK)
		return rc;
	if (*out == NULL)
		return hub_fail(r->err, "%s%s%s is required", path, dot(path), key);
	return GW_OK;
}

static struct hub_part *
add_part(struct rd *r, struct hub_msg *m, enum hub_part_type t)
{
	struct hub_part *p = hub_add_part(r->a, &m->parts, &m->nparts, t);

	if (p == NULL)
		(void)hub_nomem(r->err);
	return p;
}

/* image_url part: {url: https://... | data:<mime>;base64,..., detail?}.
 * A bare string url is accepted too (older clients). */
static int
rd_image(struct rd *r, json_t *part, const char *path, struct hub_msg *m)
{
	json_t *iu = member(part, "image_url");
	struct hub_part *p;
	const char *url = NULL;
	char sub[128];
	int rc;

	snprintf(sub, sizeof(sub), "%s.image_url", path);
	if (json_is_string(iu))
		url = json_string_value(iu);
	else if (json_is_object(iu)) {
		if ((rc = need_str(r, iu, sub, "url", &url)) != GW_OK)
			return rc;
	} else
		return hub_fail(r->err, "%s must be an object with a url", sub);
	if ((p = add_part(r, m, HP_IMAGE)) == NULL)
		return GW_ENOMEM;
	if (json_is_object(iu) && (rc = get_str(r, iu, sub, "detail", &p->detail)) != GW_OK)
		return rc;
	if (strncmp(url, "data:", 5) == 0) {
		if ((rc = hub_data_url(r->a, url, &p->mime, &p->data)) == GW_EINPUT)
			return hub_fail(r->err, "%s.url is not a base64 data URL", sub);
		return rc == GW_OK ? GW_OK : hub_nomem(r->err);
	}
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
		return hub_fail(r->err, "%s.url must be an http(s) URL or a data URL", sub);
	if ((p->url = arena_strdup(r->a, url)) == NULL)
		return hub_nomem(r->err);
	return GW_OK;
}

/* file part: {file_data: data URL, filename?}. file_id needs OpenAI's file
 * store, which no other upstream shares: refused. */
static int
rd_file(struct rd *r, json_t *part, const char *path, struct hub_msg *m)
{
	json_t *f;
	struct hub_part *p;
	const char *fd = NULL, *id = NULL;
	char sub[128];
	int rc;

	if ((rc = need_obj(r, part, path, "file", &f)) != GW_OK)
		return rc;
	snprintf(sub, sizeof(sub), "%s.file", path);
	if ((rc = get_str(r, f, sub, "file_data", &fd)) != GW_OK ||
	    (rc = get_str(r, f, sub, "file_id", &id)) != GW_OK)
		return rc;
	if (fd == NULL)
		return hub_fail(r->err, "%s.file_data is required (file_id is not supported)", sub);
	if ((p = add_part(r, m, HP_FILE)) == NULL)
		return GW_ENOMEM;
	if ((rc = get_str(r, f, sub, "filename", &p->name)) != GW_OK)
		return rc;
	if ((rc = hub_data_url(r->a, fd, &p->mime, &p->data)) == GW_EINPUT)
		return hub_fail(r->err, "%s.file_data is not a base64 data URL", sub);
	return rc == GW_OK ? GW_OK : hub_nomem(r->err);
}

/* Which part types a role may send (FORMATS.md §1.2). */
static int
part_allowed(enum hub_role role, const char *type)
{
	if (strcmp(type, "text") == 0)
		return 1;
	if (role == HUB_USER)
		return strcmp(type, "image_url") == 0 || strcmp(type, "file") == 0;
	if (role == HUB_ASSISTANT)
		return strcmp(type, "refusal") == 0;
	return 0;
}

static const char *const allowed_msg[] = {
	[HUB_SYSTEM] = "text",
	[HUB_USER] = "text, image_url or file",
	[HUB_ASSISTANT] = "text or refusal",
	[HUB_TOOL] = "text",
};

/* content: a string or an array of parts, into m's parts. Empty assistant
 * text is dropped (Claude rejects empty text blocks, pitfall 17). */
static int
rd_content(struct rd *r, json_t *c, const char *path, struct hub_msg *m)
{
	struct hub_part *p;
	json_t *part;
	const char *type, *text;
	char sub[96];
	size_t j;
	int rc;

	if (json_is_string(c)) {
		if (m->role == HUB_ASSISTANT && json_string_length(c) == 0)
			return GW_OK;
		if ((p = add_part(r, m, HP_TEXT)) == NULL)
			return GW_ENOMEM;
		return (p->text = arena_strdup(r->a, json_string_value(c))) ? GW_OK : hub_nomem(r->err);
	}
	if (!json_is_array(c))
		return hub_fail(r->err, "%s.content must be a string or an array of content parts", path);
	json_array_foreach(c, j, part) {
		snprintf(sub, sizeof(sub), "%s.content[%zu]", path, j);
		if (!json_is_object(part))
			return hub_fail(r->err, "%s must be an object", sub);
		if ((rc = need_str(r, part, sub, "type", &type)) != GW_OK)
			return rc;
		if (!part_allowed(m->role, type))
			return hub_fail(r->err, "%s.type must be %s for this role", sub, allowed_msg[m->role]);
		if (strcmp(type, "image_url") == 0)
			rc = rd_image(r, part, sub, m);
		else if (strcmp(type, "file") == 0)
			rc = rd_file(r, part, sub, m);
		else {
			if ((rc = need_str(r, part, sub, type, &text)) != GW_OK)
				return rc;
			if (m->role == HUB_ASSISTANT && *text == '\0')
				continue;
			if ((p = add_part(r, m, HP_TEXT)) == NULL)
				return GW_ENOMEM;
			p->text = text;
		}
		if (rc != GW_OK)
			return rc;
	}
	return GW_OK;
}

/* assistant tool_calls: [{id, type:"function", function:{name, arguments}}] */
static int
rd_tool_calls(struct rd *r, json_t *tcs, const char *path, struct hub_msg *m)
{
	struct hub_part *p;
	json_t *tc, *fn;
	const char *type;
	char sub[96];
	size_t j;
	int rc;

	if (!json_is_array(tcs))
		return hub_fail(r->err, "%s.tool_calls must be an array", path);
	json_array_foreach(tcs, j, tc) {
		snprintf(sub, sizeof(sub), "%s.tool_calls[%zu]", path, j);
		if (!json_is_object(tc))
			return hub_fail(r->err, "%s must be an object", sub);
		type = NULL;
		if ((rc = get_str(r, tc, sub, "type", &type)) != GW_OK)
			return rc;
		if (type && strcmp(type, "function") != 0)
			return hub_fail(r->err, "%s.type must be \"function\"", sub);
		if ((p = add_part(r, m, HP_TOOL_CALL)) == NULL)
			return GW_ENOMEM;
		if ((rc = need_str(r, tc, sub, "id", &p->id)) != GW_OK ||
		    (rc = need_obj(r, tc, sub, "function", &fn)) != GW_OK)
			return rc;
		snprintf(sub + strlen(sub), sizeof(sub) - strlen(sub), ".function");
		if ((rc = need_str(r, fn, sub, "name", &p->name)) != GW_OK ||
		    (rc = get_str(r, fn, sub, "arguments", &p->args)) != GW_OK)
			return rc;
		if (p->args == NULL || *p->args == '\0')
			p->args = "{}";
	}
	return GW_OK;
}

/* Vendor reasoning text echoed back in history. Not OpenAI fields, so a
 * non-string value is ignored rather than refused. */
static int
rd_reasoning(struct rd *r, json_t *msg, struct hub_msg *m)
{
	static const char *const keys[] = { "reasoning_content", "reasoning", "thinking" };
	struct hub_part *p;
	json_t *v;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v = member(msg, keys[i]);
		if (!json_is_string(v) || json_string_length(v) == 0)
			continue;
		if ((p = add_part(r, m, HP_THINKING)) == NULL)
			return GW_ENOMEM;
		return (p->text = arena_strdup(r->a, json_string_value(v))) ? GW_OK : hub_nomem(r->err);
	}
	return GW_OK;
}

/* Whether an earlier message made a tool call with this id. */
static int
has_call(const struct hub_req *q, const char *id)
{
	size_t i, j;

	for (i = 0; i < q->nmsgs; i++)
		for (j = 0; j < q->msgs[i].nparts; j++)
			if (q->msgs[i].parts[j].type == HP_TOOL_CALL &&
			    strcmp(q->msgs[i].parts[j].id, id) == 0)
				return 1;
	return 0;
}

/* role:"tool": one HP_TOOL_RESULT; array content is joined text. */
static int
rd_tool_msg(struct rd *r, json_t *msg, const char *path)
{
	struct hub_msg tmp = { .role = HUB_TOOL }, *m;
	struct hub_part *p;
	const char *id;
	json_t *c;
	int rc;

	if ((rc = need_str(r, msg, path, "tool_call_id", &id)) != GW_OK)
		return rc;
	if (!has_call(r->q, id))
		return hub_fail(r->err, "%s.tool_call_id does not answer an earlier assistant tool call "
		    "(no matching tool call)", path);
	if ((c = member(msg, "content")) == NULL)
		return hub_fail(r->err, "%s.content is required", path);
	if ((rc = rd_content(r, c, path, &tmp)) != GW_OK)
		return rc;
	if ((m = hub_add_msg(r->a, r->q, HUB_TOOL)) == NULL || (p = add_part(r, m, HP_TOOL_RESULT)) == NULL)
		return hub_nomem(r->err);
	p->id = id;
	p->name = hub_call_name(r->q, id);
	if ((p->text = hub_msg_text(r->a, &tmp)) == NULL)
		return hub_nomem(r->err);
	return GW_OK;
}

/* messages[i]: {role, content, name?} + assistant tool_calls and vendor
 * reasoning, or a tool result. developer is system to the hub. */
static int
rd_message(struct rd *r, json_t *msg, size_t i)
{
	static const struct {
		const char *name;
		enum hub_role role;
	} roles[] = {
		{ "system", HUB_SYSTEM }, { "developer", HUB_SYSTEM }, { "user", HUB_USER },
		{ "assistant", HUB_ASSISTANT }, { "tool", HUB_TOOL },
	};
	struct hub_msg *m;
	const char *role, *name = NULL;
	json_t *c, *tcs;
	char path[48];
	size_t k;
	int rc;

	snprintf(path, sizeof(path), "messages[%zu]", i);
	if (!json_is_object(msg))
		return hub_fail(r->err, "%s must be an object", path);
	if ((rc = need_str(r, msg, path, "role", &role)) != GW_OK)
		return rc;
	for (k = 0; k < sizeof(roles) / sizeof(roles[0]); k++)
		if (strcmp(role, roles[k].name) == 0)
			break;
	if (k == sizeof(roles) / sizeof(roles[0]))
		return hub_fail(r->err, "%s.role must be one of system, developer, user, assistant, tool", path);
	if (roles[k].role == HUB_TOOL)
		return rd_tool_msg(r, msg, path);
	if ((rc = get_str(r, msg, path, "name", &name)) != GW_OK)
		return rc;
	if ((m = hub_add_msg(r->a, r->q, roles[k].role)) == NULL)
		return hub_nomem(r->err);
	m->name = name;
	c = member(msg, "content");
	if (m->role == HUB_ASSISTANT) {
		if ((rc = rd_reasoning(r, msg, m)) != GW_OK)
			return rc;
		if (c && (rc = rd_content(r, c, path, m)) != GW_OK)
			return rc;
		if ((tcs = member(msg, "tool_calls")) != NULL)
			return rd_tool_calls(r, tcs, path, m);
		return GW_OK;
	}
	if (c == NULL)
		return hub_fail(r->err, "%s.content is required", path);
	return rd_content(r, c, path, m);
}

/* tools: [{type:"function", function:{name, description?, parameters?, strict?}}] */
static int
rd_tools(struct rd *r, json_t *tools)
{
	struct hub_tool *t;
	json_t *tool, *fn, *params;
	const char *type;
	char path[48];
	size_t i;
	int rc;

	if (!json_is_array(tools))
		return hub_fail(r->err, "tools must be an array");
	json_array_foreach(tools, i, tool) {
		snprintf(path, sizeof(path), "tools[%zu]", i);
		if (!json_is_object(tool))
			return hub_fail(r->err, "%s must be an object", path);
		type = NULL;
		if ((rc = get_str(r, tool, path, "type", &type)) != GW_OK)
			return rc;
		if (type == NULL || strcmp(type, "function") != 0)
			return hub_fail(r->err, "%s.type must be \"function\" (other tool types are not supported)", path);
		if ((rc = need_obj(r, tool, path, "function", &fn)) != GW_OK)
			return rc;
		if ((t = hub_add_tool(r->a, r->q)) == NULL)
			return hub_nomem(r->err);
		snprintf(path + strlen(path), sizeof(path) - strlen(path), ".function");
		if ((rc = need_str(r, fn, path, "name", &t->name)) != GW_OK ||
		    (rc = get_str(r, fn, path, "description", &t->description)) != GW_OK ||
		    (rc = get_bool(r, fn, path, "strict", &t->strict)) != GW_OK)
			return rc;
		if ((params = member(fn, "parameters")) != NULL) {
			if (!json_is_object(params))
				return hub_fail(r->err, "%s.parameters must be an object", path);
			t->parameters = hub_keep(r->a, json_incref(params));
		}
	}
	return GW_OK;
}

/* tool_choice: "auto"|"none"|"required" | {type:"function",function:{name}}
 * | {type:"allowed_tools", allowed_tools:{mode, tools}} (mode only). */
static int
rd_tool_choice(struct rd *r, json_t *tc)
{
	struct hub_req *q = r->q;
	const char *s = NULL, *mode = NULL;
	json_t *o;
	int rc;

	if (json_is_string(tc)) {
		s = json_string_value(tc);
		if (strcmp(s, "auto") == 0)
			q->tool_choice = HTC_AUTO;
		else if (strcmp(s, "none") == 0)
			q->tool_choice = HTC_NONE;
		else if (strcmp(s, "required") == 0)
			q->tool_choice = HTC_REQUIRED;
		else
			return hub_fail(r->err, "tool_choice must be \"auto\", \"none\", \"required\" or an object");
		return GW_OK;
	}
	if (!json_is_object(tc))
		return hub_fail(r->err, "tool_choice must be a string or an object");
	if ((rc = need_str(r, tc, "tool_choice", "type", &s)) != GW_OK)
		return rc;
	if (strcmp(s, "function") == 0) {
		if ((rc = need_obj(r, tc, "tool_choice", "function", &o)) != GW_OK ||
		    (rc = need_str(r, o, "tool_choice.function", "name", &q->tool_choice_name)) != GW_OK)
			return rc;
		q->tool_choice = HTC_FORCED;
		return GW_OK;
	}
	if (strcmp(s, "allowed_tools") == 0) {
		if ((rc = need_obj(r, tc, "tool_choice", "allowed_tools", &o)) != GW_OK ||
		    (rc = get_str(r, o, "tool_choice.allowed_tools", "mode", &mode)) != GW_OK)
			return rc;
		q->tool_choice = mode && strcmp(mode, "required") == 0 ? HTC_REQUIRED : HTC_AUTO;
		return GW_OK;
	}
	return hub_fail(r->err, "tool_choice.type must be \"function\" or \"allowed_tools\"");
}

/* response_format: {type:"text"|"json_object"} | {type:"json_schema",
 * json_schema:{name, description?, schema?, strict?}} */
static int
rd_response_format(struct rd *r, json_t *rf)
{
	struct hub_req *q = r->q;
	const char *type;
	json_t *js, *schema;
	int rc;

	if (!json_is_object(rf))
		return hub_fail(r->err, "response_format must be an object");
	if ((rc = need_str(r, rf, "response_format", "type", &type)) != GW_OK)
		return rc;
	if (strcmp(type, "text") == 0)
		q->rf = HRF_TEXT;
	else if (strcmp(type, "json_object") == 0)
		q->rf = HRF_JSON_OBJECT;
	else if (strcmp(type, "json_schema") == 0) {
		q->rf = HRF_JSON_SCHEMA;
		if ((rc = need_obj(r, rf, "response_format", "json_schema", &js)) != GW_OK ||
		    (rc = get_str(r, js, "response_format.json_schema", "name", &q->rf_name)) != GW_OK ||
		    (rc = get_str(r, js, "response_format.json_schema", "description", &q->rf_description)) != GW_OK ||
		    (rc = get_bool(r, js, "response_format.json_schema", "strict", &q->rf_strict)) != GW_OK)
			return rc;
		if (q->rf_name == NULL)
			q->rf_name = "response";
		if ((schema = member(js, "schema")) != NULL) {
			if (!json_is_object(schema))
				return hub_fail(r->err, "response_format.json_schema.schema must be an object");
			q->rf_schema = hub_keep(r->a, json_incref(schema));
		}
	} else
		return hub_fail(r->err, "response_format.type must be \"text\", \"json_object\" or \"json_schema\"");
	return GW_OK;
}

/* stop: a string or an array of strings (OpenAI allows up to 4; the
 * upstream enforces its own limit). */
static int
rd_stop(struct rd *r, json_t *stop)
{
	struct hub_req *q = r->q;
	json_t *s;
	size_t i;

	if (json_is_string(stop)) {
		if ((q->stop = arena_alloc(r->a, sizeof(*q->stop))) == NULL ||
		    (q->stop[0] = arena_strdup(r->a, json_string_value(stop))) == NULL)
			return hub_nomem(r->err);
		q->nstop = 1;
		return GW_OK;
	}
	if (!json_is_array(stop))
		return hub_fail(r->err, "stop must be a string or an array of strings");
	if ((q->stop = arena_alloc(r->a, (json_array_size(stop) + 1) * sizeof(*q->stop))) == NULL)
		return hub_nomem(r->err);
	json_array_foreach(stop, i, s) {
		if (!json_is_string(s))
			return hub_fail(r->err, "stop[%zu] must be a string", i);
		if ((q->stop[i] = arena_strdup(r->a, json_string_value(s))) == NULL)
			return hub_nomem(r->err);
	}
	q->nstop = json_array_size(stop);
	return GW_OK;
}

/* The scalar and small object fields of the request. */
static int
rd_params(struct rd *r, json_t *body)
{
	struct hub_req *q = r->q;
	json_t *v;
	int rc;

	if ((rc = get_int(r, body, "", "max_tokens", 0, &q->max_tokens)) != GW_OK ||
	    (rc = get_int(r, body, "", "max_completion_tokens", 0, &q->max_tokens)) != GW_OK ||
	    (rc = get_num(r, body, "temperature", &q->temperature)) != GW_OK ||
	    (rc = get_num(r, body, "top_p", &q->top_p)) != GW_OK ||
	    (rc = get_int(r, body, "", "top_k", 0, &q->top_k)) != GW_OK ||
	    (rc = get_int(r, body, "", "seed", INT64_MIN, &q->seed)) != GW_OK ||
	    (rc = get_int(r, body, "", "n", 1, &q->n)) != GW_OK ||
	    (rc = get_num(r, body, "presence_penalty", &q->presence_penalty)) != GW_OK ||
	    (rc = get_num(r, body, "frequency_penalty", &q->frequency_penalty)) != GW_OK ||
	    (rc = get_str(r, body, "", "reasoning_effort", &q->reasoning_effort)) != GW_OK ||
	    (rc = get_bool(r, body, "", "stream", &q->stream)) != GW_OK ||
	    (rc = get_bool(r, body, "", "parallel_tool_calls", &q->parallel_tool_calls)) != GW_OK ||
	    (rc = get_str(r, body, "", "safety_identifier", &q->user)) != GW_OK ||
	    (rc = get_str(r, body, "", "user", &q->user)) != GW_OK)
		return rc;
	if ((v = member(body, "stream_options")) != NULL) {
		if (!json_is_object(v))
			return hub_fail(r->err, "stream_options must be an object");
		if ((rc = get_bool(r, v, "stream_options", "include_usage", &q->include_usage)) != GW_OK)
			return rc;
		if (!q->stream)
			q->include_usage = 0;
	}
	if ((v = member(body, "stop")) != NULL && (rc = rd_stop(r, v)) != GW_OK)
		return rc;
	if ((v = member(body, "tools")) != NULL && (rc = rd_tools(r, v)) != GW_OK)
		return rc;
	if ((v = member(body, "tool_choice")) != NULL && (rc = rd_tool_choice(r, v)) != GW_OK)
		return rc;
	if ((v = member(body, "response_format")) != NULL && (rc = rd_response_format(r, v)) != GW_OK)
		return rc;
	if ((v = member(body, "metadata")) != NULL) {
		if (!json_is_object(v))
			return hub_fail(r->err, "metadata must be an object");
		q->metadata = hub_keep(r->a, json_incref(v));
	}
	return GW_OK;
}

/* Decode a client's Chat body (borrowed; what is kept is copied or
 * referenced into the arena). GW_OK, or GW_EINPUT with a 400 in err. */
static int
chat_req_decode(struct arena *a, json_t *body, struct hub_req *out, struct hub_err *err)
{
	struct rd r = { a, err, out };
	json_t *msgs, *msg;
	size_t i;
	int rc;

	hub_req_init(out);
	err->status = 400;
	err->message[0] = '\0';
	if (!json_is_object(body))
		return hub_fail(err, "the request body must be a JSON object");
	if ((rc = need_str(&r, body, "", "model", &out->model)) != GW_OK)
		return rc;
	msgs = member(body, "messages");
	if (!json_is_array(msgs) || json_array_size(msgs) == 0)
		return hub_fail(err, "messages must be a non-empty array");
	json_array_foreach(msgs, i, msg)
		if ((rc = rd_message(&r, msg, i)) != GW_OK)
			return rc;
	return rd_params(&r, body);
}

/* ------------------------------------------------------------------ */
/* Hub answer -> chat.completion (FORMATS.md §1.3)                       */

/* The joined text of one part type (answer text is one stream cut into
 * parts, so no separator). NULL when there is none. */
static const char *
join_parts(struct arena *a, const struct hub_part *parts, size_t n, enum hub_part_type t)
{
	size_t i, len = 0, k = 0, l;
	int any = 0;
	char *s;

	for (i = 0; i < n; i++)
		if (parts[i].type == t && parts[i].text) {
			len += strlen(parts[i].text);
			any = 1;
		}
	if (!any || (s = arena_alloc(a, len + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (parts[i].type == t && parts[i].text) {
			l = strlen(parts[i].text);
			memcpy(s + k, parts[i].text, l);
			k += l;
		}
	s[k] = '\0';
	return s;
}

static json_t *
tool_call_json(const char *id, const char *name, const char *args)
{
	json_t *tc = json_object(), *fn = json_object();
	int bad = 0;

	bad |= json_object_set_new(fn, "name", hub_jstr(name));
	bad |= json_object_set_new(fn, "arguments", hub_jstr(args ? args : "{}"));
	bad |= json_object_set_new(tc, "id", hub_jstr(id));
	bad |= json_object_set_new(tc, "type", json_string("function"));
	bad |= json_object_set_new(tc, "function", fn);
	if (bad) {
		json_decref(tc);
		return NULL;
	}
	return tc;
}

/* The hub's answer as a chat.completion (new ref; NULL on ENOMEM): one
 * choice; content null beside tool calls, as OpenAI sends it; reasoning in
 * the field ?reasoning_format= names; no id/created/model -> made up. */
static json_t *
chat_resp_encode(struct arena *a, const struct hub_req *req, const struct hub_resp *resp)
{
	json_t *o = json_object(), *choice = json_object(), *msg = json_object(), *tcs = json_array();
	const char *text, *think, *key = reasoning_key(req);
	enum hub_finish fin = resp->finish;
	size_t i;
	int bad = 0;

	text = join_parts(a, resp->parts, resp->nparts, HP_TEXT);
	think = join_parts(a, resp->parts, resp->nparts, HP_THINKING);
	for (i = 0; i < resp->nparts; i++)
		if (resp->parts[i].type == HP_TOOL_CALL)
			bad |= json_array_append_new(tcs, tool_call_json(resp->parts[i].id,
			    resp->parts[i].name, resp->parts[i].args));
	bad |= json_object_set_new(msg, "role", json_string("assistant"));
	bad |= json_object_set_new(msg, "content", text || json_array_size(tcs) == 0 ? hub_jstr(text) : json_null());
	if (think && key)
		bad |= json_object_set_new(msg, key, hub_jstr(think));
	bad |= json_object_set_new(msg, "refusal", json_null());
	if (json_array_size(tcs) > 0) {
		bad |= json_object_set(msg, "tool_calls", tcs);
		if (fin == HF_NONE)
			fin = HF_TOOL_CALLS;
	}
	json_decref(tcs);
	bad |= json_object_set_new(choice, "index", json_integer(0));
	bad |= json_object_set_new(choice, "message", msg);
	bad |= json_object_set_new(choice, "logprobs", json_null());
	bad |= json_object_set_new(choice, "finish_reason", json_string(finish_names[fin]));
	bad |= json_object_set_new(o, "id", resp->id ? hub_jstr(resp->id) : hub_jstr(hub_new_id(a, "chatcmpl-")));
	bad |= json_object_set_new(o, "object", json_string("chat.completion"));
	bad |= json_object_set_new(o, "created", json_integer(resp->created ? resp->created : now_sec()));
	bad |= json_object_set_new(o, "model", hub_jstr(resp->model ? resp->model : req ? req->model : ""));
	bad |= json_object_set_new(o, "choices", json_pack("[o]", choice));
	if (resp->have_usage)
		bad |= json_object_set_new(o, "usage", hub_usage_openai(&resp->usage));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ------------------------------------------------------------------ */
/* Hub events -> chat.completion.chunk SSE (FORMATS.md §1.4, pitfall 14) */

/* Streaming encoder. Chat has no block structure to open or close: every
 * event is one chunk, except finish and usage, which are held until HE_END
 * because usage may come after the finish (Claude's message_delta, Gemini's
 * last chunk) and the usage chunk must follow the finish chunk. */
struct enc {
	struct arena *a;
	const struct hub_req *req;
	hub_write_fn write;
	void *ctx;
	const char *id, *model;
	int64_t created;
	struct hub_usage usage;
	enum hub_finish finish;
	int started;		/* the role chunk is out */
	int have_usage;
	int tools;		/* a tool call was streamed */
	int failed;		/* HE_ERROR was written: no finish or usage */
	int done;		/* [DONE] written (or the client is gone) */
	int gone;		/* write failed: every later call fails */
};

/* Every write goes here: a failed write marks the client gone for good. */
static int
enc_write(struct enc *e, const char *data, size_t len)
{
	if (e->gone)
		return 1;
	if (e->write(e->ctx, NULL, data, len) != 0) {
		e->gone = e->done = 1;
		return 1;
	}
	return 0;
}

/* Serialise j (stolen) as one data event. */
static int
enc_json(struct enc *e, json_t *j)
{
	char *s;
	int rc;

	if (j == NULL || (s = json_dumps(j, JSON_COMPACT)) == NULL) {
		json_decref(j);
		e->gone = e->done = 1;	/* ENOMEM: nothing sane can follow */
		return 1;
	}
	json_decref(j);
	rc = enc_write(e, s, strlen(s));
	free(s);
	return rc;
}

/* A chunk around choices (stolen): the same id, created and model on all. */
static json_t *
chunk(struct enc *e, json_t *choices)
{
	json_t *c = json_object();
	int bad = 0;

	bad |= json_object_set_new(c, "id", hub_jstr(e->id));
	bad |= json_object_set_new(c, "object", json_string("chat.completion.chunk"));
	bad |= json_object_set_new(c, "created", json_integer(e->created));
	bad |= json_object_set_new(c, "model", hub_jstr(e->model));
	bad |= json_object_set_new(c, "choices", choices);
	if (bad) {
		json_decref(c);
		return NULL;
	}
	return c;
}

/* One choice-0 chunk with delta (stolen) and finish_reason (NULL = null).
 * With include_usage OpenAI puts "usage":null on every such chunk. */
static int
enc_delta(struct enc *e, json_t *delta, const char *finish)
{
	json_t *ch = json_object(), *c;
	int bad = 0;

	bad |= json_object_set_new(ch, "index", json_integer(0));
	bad |= json_object_set_new(ch, "delta", delta);
	bad |= json_object_set_new(ch, "logprobs", json_null());
	bad |= json_object_set_new(ch, "finish_reason", finish ? json_string(finish) : json_null());
	if (bad) {
		json_decref(ch);
		return enc_json(e, NULL);
	}
	c = chunk(e, json_pack("[o]", ch));
	if (c && e->req && e->req->include_usage && json_object_set_new(c, "usage", json_null()) != 0) {
		json_decref(c);
		c = NULL;
	}
	return enc_json(e, c);
}

/* The first chunk: role and empty content. */
static int
enc_start(struct enc *e)
{
	if (e->started)
		return 0;
	e->started = 1;
	if (e->id == NULL && (e->id = hub_new_id(e->a, "chatcmpl-")) == NULL)
		e->id = "chatcmpl-0";
	if (e->model == NULL)
		e->model = e->req && e->req->model ? e->req->model : "";
	return enc_delta(e, json_pack("{s:s, s:s}", "role", "assistant", "content", ""), NULL);
}

static int
enc_text(struct enc *e, const char *key, const struct hub_ev *ev)
{
	size_t n = ev->len ? ev->len : ev->text ? strlen(ev->text) : 0;
	json_t *d;

	if (n == 0 || key == NULL)
		return 0;
	d = json_object();
	if (json_object_set_new(d, key, hub_jstrn(ev->text, n)) != 0) {
		json_decref(d);
		d = NULL;
	}
	return d ? enc_delta(e, d, NULL) : enc_json(e, NULL);
}

/* A tool call opening (id, name, arguments "") or an arguments fragment. */
static int
enc_tool(struct enc *e, const struct hub_ev *ev)
{
	size_t n = ev->len ? ev->len : ev->text ? strlen(ev->text) : 0;
	json_t *tc, *fn = json_object();
	int bad = 0;

	if (ev->type == HE_TOOL_ARGS && n == 0) {
		json_decref(fn);
		return 0;
	}
	tc = json_pack("{s:i}", "index", ev->index);
	if (ev->type == HE_TOOL_START) {
		e->tools = 1;
		bad |= json_object_set_new(tc, "id", hub_jstr(ev->id ? ev->id : hub_new_id(e->a, "call_")));
		bad |= json_object_set_new(tc, "type", json_string("function"));
		bad |= json_object_set_new(fn, "name", hub_jstr(ev->name));
		bad |= json_object_set_new(fn, "arguments", json_string(""));
	} else
		bad |= json_object_set_new(fn, "arguments", hub_jstrn(ev->text, n));
	bad |= json_object_set_new(tc, "function", fn);
	if (bad) {
		json_decref(tc);
		return enc_json(e, NULL);
	}
	return enc_delta(e, json_pack("{s:[o]}", "tool_calls", tc), NULL);
}

/* HE_END: the finish chunk, the usage chunk when asked for, [DONE]. */
static int
enc_end(struct enc *e)
{
	enum hub_finish fin = e->finish;
	json_t *c;

	if (!e->failed) {
		if (enc_start(e) != 0)
			return 1;
		if (fin == HF_NONE && e->tools)
			fin = HF_TOOL_CALLS;
		if (enc_delta(e, json_object(), finish_names[fin]) != 0)
			return 1;
		if (e->req && e->req->include_usage && e->have_usage) {
			c = chunk(e, json_array());
			if (c && json_object_set_new(c, "usage", hub_usage_openai(&e->usage)) != 0) {
				json_decref(c);
				c = NULL;
			}
			if (enc_json(e, c) != 0)
				return 1;
		}
	}
	if (enc_write(e, "[DONE]", 6) != 0)
		return 1;
	e->done = 1;
	return 0;
}

static int
usage_known(const struct hub_usage *u)
{
	return u->input || u->output || u->cache_read || u->cache_write || u->reasoning;
}

/* A Chat encoder in the arena writing to write(ctx, NULL, data, len); req
 * (kept, not copied) gives include_usage, reasoning_format and the model. */
static void *
chat_enc_new(struct arena *a, const struct hub_req *req, hub_write_fn write, void *ctx)
{
	struct enc *e = arena_calloc(a, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->a = a;
	e->req = req;
	e->write = write;
	e->ctx = ctx;
	e->created = now_sec();
	return e;
}


/* Feed one hub event. Event strings are copied when kept. Returns non-zero
 * once a write failed (and for every call after); events after HE_END are
 * ignored. */
static int
chat_enc_event(void *enc, const struct hub_ev *ev)
{
	struct enc *e = enc;

	if (e->gone)
		return 1;
	if (e->done)
		return 0;
	switch (ev->type) {
	case HE_START:
		if (!e->started) {
			if (ev->id && (e->id = arena_strdup(e->a, ev->id)) == NULL)
				return enc_json(e, NULL);
			if (ev->name && (e->model = arena_strdup(e->a, ev->name)) == NULL)
				return enc_json(e, NULL);
		}
		if (usage_known(&ev->usage) && !e->have_usage) {
			e->usage = ev->usage;
			e->have_usage = 1;
		}
		return enc_start(e);
	case HE_TEXT:
		return enc_start(e) || enc_text(e, "content", ev);
	case HE_THINKING:
		return enc_start(e) || enc_text(e, reasoning_key(e->req), ev);
	case HE_TOOL_START:
	case HE_TOOL_ARGS:
		return enc_start(e) || enc_tool(e, ev);
	case HE_FINISH:
		e->finish = ev->finish;
		return 0;
	case HE_USAGE:
		e->usage = ev->usage;
		e->have_usage = 1;
		return 0;
	case HE_ERROR:
		e->failed = 1;
		return enc_json(e, hub_openai_error(ev->status, ev->name, ev->text));
	case HE_END:
		return enc_end(e);
	case HE_SIGNATURE:
	case HE_REDACTED:
		return 0;	/* no place for them in Chat */
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Errors (FORMATS.md §1.5)                                             */

/* {"error":{"message","type",...}}; a bare {"error":"text"} (some
 * OpenAI-compatible vendors) is taken too. Strings are arena copies. */
static int
chat_error_decode(struct arena *a, json_t *body, const char **type, const char **message)
{
	json_t *e = json_object_get(body, "error"), *m, *t;

	*type = *message = NULL;
	if (json_is_string(e)) {
		*message = arena_strdup(a, json_string_value(e));
		return *message ? GW_OK : GW_ENOMEM;
	}
	if (!json_is_object(e) || !json_is_string(m = json_object_get(e, "message")))
		return GW_EINPUT;
	if ((*message = arena_strdup(a, json_string_value(m))) == NULL)
		return GW_ENOMEM;
	if (json_is_string(t = json_object_get(e, "type")) && (*type = arena_strdup(a, json_string_value(t))) == NULL)
		return GW_ENOMEM;
	return GW_OK;
}

/* ------------------------------------------------------------------ */
/* Hub -> Chat request for an OpenAI-compatible upstream                 */

/* Encoding state: bad collects jansson failures (ENOMEM); pending holds
 * image parts of tool results, sent as a user message once the run of tool
 * messages ends (Chat tool messages carry text only, and OpenAI wants every
 * tool_call_id answered before any other message). */
struct wr {
	struct arena *a;
	struct hub_req *q;
	struct hub_err *err;
	json_t *msgs;
	json_t *pending;
	int bad;
};

/* An image part: {type:"image_url", image_url:{url, detail?}}. */
static json_t *
image_json(struct wr *w, const struct hub_part *p)
{
	json_t *iu = json_object();

	w->bad |= json_object_set_new(iu, "url", hub_jstr(p->url ? p->url : hub_make_data_url(w->a, p->mime, p->data)));
	if (p->detail)
		w->bad |= json_object_set_new(iu, "detail", hub_jstr(p->detail));
	return json_pack("{s:s, s:o}", "type", "image_url", "image_url", iu);
}

static int
flush_pending(struct wr *w)
{
	if (w->pending == NULL)
		return 0;
	w->bad |= json_array_append_new(w->msgs, json_pack("{s:s, s:o}", "role", "user", "content", w->pending));
	w->pending = NULL;
	return 0;
}

/* role:"tool" messages for the HP_TOOL_RESULT parts of m; returns how many. */
static size_t
wr_results(struct wr *w, const struct hub_msg *m)
{
	const struct hub_part *p;
	struct hub_msg tmp = { .role = HUB_TOOL };
	const char *text;
	size_t i, j, n = 0;

	for (i = 0; i < m->nparts; i++) {
		p = &m->parts[i];
		if (p->type != HP_TOOL_RESULT)
			continue;
		n++;
		tmp.parts = p->content;
		tmp.nparts = p->ncontent;
		text = p->text ? p->text : hub_msg_text(w->a, &tmp);
		w->bad |= json_array_append_new(w->msgs, json_pack("{s:s, s:o, s:o}", "role", "tool",
		    "tool_call_id", hub_jstr(p->id), "content", hub_jstr(text)));
		for (j = 0; j < p->ncontent; j++) {
			if (p->content[j].type != HP_IMAGE)
				continue;
			if (w->pending == NULL && (w->pending = json_array()) == NULL)
				w->bad = 1;
			w->bad |= json_array_append_new(w->pending, image_json(w, &p->content[j]));
		}
	}
	return n;
}

/* A user message: string content when it is text only, else parts. */
static json_t *
wr_user_content(struct wr *w, const struct hub_msg *m)
{
	const struct hub_part *p;
	json_t *parts, *f;
	size_t i;
	int rich = 0;

	for (i = 0; i < m->nparts; i++)
		rich |= m->parts[i].type == HP_IMAGE || m->parts[i].type == HP_FILE;
	if (!rich)
		return hub_jstr(hub_msg_text(w->a, m));
	parts = json_array();
	for (i = 0; i < m->nparts; i++) {
		p = &m->parts[i];
		if (p->type == HP_TEXT)
			w->bad |= json_array_append_new(parts, json_pack("{s:s, s:o}", "type", "text", "text", hub_jstr(p->text)));
		else if (p->type == HP_IMAGE)
			w->bad |= json_array_append_new(parts, image_json(w, p));
		else if (p->type == HP_FILE) {
			if (p->data == NULL) {
				(void)hub_fail(w->err, "a file given by URL cannot be sent to a Chat Completions upstream");
				json_decref(parts);
				return NULL;
			}
			f = json_pack("{s:o}", "file_data", hub_jstr(hub_make_data_url(w->a, p->mime, p->data)));
			if (p->name)
				w->bad |= json_object_set_new(f, "filename", hub_jstr(p->name));
			w->bad |= json_array_append_new(parts, json_pack("{s:s, s:o}", "type", "file", "file", f));
		}
	}
	return parts;
}

/* An assistant turn: text (or null beside tool calls) + tool_calls.
 * Thinking has no place in a Chat request and is dropped. */
static json_t *
wr_assistant(struct wr *w, const struct hub_msg *m)
{
	const char *text = hub_msg_text(w->a, m);
	json_t *o = json_object(), *tcs = json_array();
	size_t i;

	for (i = 0; i < m->nparts; i++)
		if (m->parts[i].type == HP_TOOL_CALL)
			w->bad |= json_array_append_new(tcs, tool_call_json(m->parts[i].id, m->parts[i].name,
			    m->parts[i].args));
	w->bad |= json_object_set_new(o, "role", json_string("assistant"));
	w->bad |= json_object_set_new(o, "content",
	    (text && *text) || json_array_size(tcs) == 0 ? hub_jstr(text) : json_null());
	if (json_array_size(tcs) > 0)
		w->bad |= json_object_set(o, "tool_calls", tcs);
	json_decref(tcs);
	return o;
}

static int
wr_message(struct wr *w, const struct hub_msg *m)
{
	json_t *o, *c;
	size_t nres;

	nres = wr_results(w, m);
	if (m->role == HUB_TOOL || (m->role == HUB_USER && nres > 0 && nres == m->nparts))
		return GW_OK;
	flush_pending(w);
	switch (m->role) {
	case HUB_SYSTEM:
		o = json_pack("{s:s, s:o}", "role", "system", "content", hub_jstr(hub_msg_text(w->a, m)));
		break;
	case HUB_ASSISTANT:
		o = wr_assistant(w, m);
		break;
	default:
		if ((c = wr_user_content(w, m)) == NULL)
			return GW_EINPUT;
		o = json_pack("{s:s, s:o}", "role", "user", "content", c);
		break;
	}
	if (o && m->name)
		w->bad |= json_object_set_new(o, "name", hub_jstr(m->name));
	w->bad |= json_array_append_new(w->msgs, o);
	return GW_OK;
}

static json_t *
wr_tools(struct wr *w)
{
	const struct hub_tool *t;
	json_t *tools = json_array(), *fn;
	size_t i;

	for (i = 0; i < w->q->ntools; i++) {
		t = &w->q->tools[i];
		fn = json_pack("{s:o}", "name", hub_jstr(t->name));
		if (t->description)
			w->bad |= json_object_set_new(fn, "description", hub_jstr(t->description));
		w->bad |= json_object_set_new(fn, "parameters", t->parameters ? json_incref(t->parameters) :
		    json_pack("{s:s, s:{}}", "type", "object", "properties"));
		if (t->strict != -1)
			w->bad |= json_object_set_new(fn, "strict", json_boolean(t->strict));
		w->bad |= json_array_append_new(tools, json_pack("{s:s, s:o}", "type", "function", "function", fn));
	}
	return tools;
}

static json_t *
wr_tool_choice(const struct hub_req *q)
{
	switch (q->tool_choice) {
	case HTC_AUTO: return json_string("auto");
	case HTC_NONE: return json_string("none");
	case HTC_REQUIRED: return json_string("required");
	case HTC_FORCED:
		return json_pack("{s:s, s:{s:o}}", "type", "function", "function", "name", hub_jstr(q->tool_choice_name));
	default: return NULL;
	}
}

static json_t *
wr_response_format(struct wr *w, const struct hub_req *q)
{
	json_t *js;

	switch (q->rf) {
	case HRF_TEXT: return json_pack("{s:s}", "type", "text");
	case HRF_JSON_OBJECT: return json_pack("{s:s}", "type", "json_object");
	case HRF_JSON_SCHEMA:
		js = json_pack("{s:o}", "name", hub_jstr(q->rf_name ? q->rf_name : "response"));
		if (q->rf_description)
			w->bad |= json_object_set_new(js, "description", hub_jstr(q->rf_description));
		if (q->rf_schema)
			w->bad |= json_object_set_new(js, "schema", json_incref(q->rf_schema));
		if (q->rf_strict != -1)
			w->bad |= json_object_set_new(js, "strict", json_boolean(q->rf_strict));
		return json_pack("{s:s, s:o}", "type", "json_schema", "json_schema", js);
	default: return NULL;
	}
}

/* o-series and GPT-5 refuse max_tokens (FORMATS.md §1.1). */
static int
wants_max_completion(const char *model)
{
	static const char *const pfx[] = { "o1", "o3", "o4", "gpt-5" };
	size_t i;

	for (i = 0; model && i < sizeof(pfx) / sizeof(pfx[0]); i++)
		if (strncmp(model, pfx[i], strlen(pfx[i])) == 0)
			return 1;
	return 0;
}

static const char *
wr_effort(const struct hub_req *q)
{
	if (q->reasoning_effort)
		return q->reasoning_effort;
	/* thinking off: say nothing; "none" is refused by models that do not
	 * reason, and those that do default to little */
	if (q->thinking == 0)
		return NULL;
	if (q->thinking_budget >= 0)
		return hub_budget_effort(q->thinking_budget);
	return NULL;
}

static void
wr_params(struct wr *w, json_t *o)
{
	const struct hub_req *q = w->q;
	const char *effort = wr_effort(q);
	json_t *v, *stop;
	size_t i;

	if (q->ntools > 0) {
		w->bad |= json_object_set_new(o, "tools", wr_tools(w));
		if (q->parallel_tool_calls != -1)
			w->bad |= json_object_set_new(o, "parallel_tool_calls", json_boolean(q->parallel_tool_calls));
	}
	if ((v = wr_tool_choice(q)) != NULL)
		w->bad |= json_object_set_new(o, "tool_choice", v);
	if ((v = wr_response_format(w, q)) != NULL)
		w->bad |= json_object_set_new(o, "response_format", v);
	if (q->max_tokens >= 0)
		w->bad |= json_object_set_new(o, wants_max_completion(q->model) ? "max_completion_tokens" : "max_tokens",
		    json_integer(q->max_tokens));
	if (!isnan(q->temperature))
		w->bad |= json_object_set_new(o, "temperature", json_real(q->temperature));
	if (!isnan(q->top_p))
		w->bad |= json_object_set_new(o, "top_p", json_real(q->top_p));
	if (q->seed != -1)
		w->bad |= json_object_set_new(o, "seed", json_integer(q->seed));
	if (q->n >= 0)
		w->bad |= json_object_set_new(o, "n", json_integer(q->n));
	if (!isnan(q->presence_penalty))
		w->bad |= json_object_set_new(o, "presence_penalty", json_real(q->presence_penalty));
	if (!isnan(q->frequency_penalty))
		w->bad |= json_object_set_new(o, "frequency_penalty", json_real(q->frequency_penalty));
	if (q->nstop > 0) {
		stop = json_array();
		for (i = 0; i < q->nstop; i++)
			w->bad |= json_array_append_new(stop, hub_jstr(q->stop[i]));
		w->bad |= json_object_set_new(o, "stop", stop);
	}
	if (effort)
		w->bad |= json_object_set_new(o, "reasoning_effort", hub_jstr(effort));
	w->bad |= json_object_set_new(o, "stream", json_boolean(q->stream));
	if (q->stream)	/* the gateway bills on the usage chunk */
		w->bad |= json_object_set_new(o, "stream_options", json_pack("{s:b}", "include_usage", 1));
	if (q->user)
		w->bad |= json_object_set_new(o, "user", hub_jstr(q->user));
}

/* The hub as a Chat body for an OpenAI-compatible upstream (new ref), or
 * NULL with err filled (400: a file by URL, which Chat cannot carry; 500:
 * ENOMEM). Lossy: thinking, signatures, is_error, top_k, metadata and
 * cache_control have no Chat field and are dropped. */
static json_t *
chat_req_encode(struct arena *a, struct hub_req *q, struct hub_err *err)
{
	struct wr w = { a, q, err, json_array(), NULL, 0 };
	json_t *o = json_object();
	size_t i;

	err->status = 400;
	err->message[0] = '\0';
	for (i = 0; i < q->nmsgs; i++)
		if (wr_message(&w, &q->msgs[i]) != GW_OK)
			goto fail;
	flush_pending(&w);
	/* web_search_options exists only on OpenAI's search models; any other
	 * model (and most compatible vendors) refuses it */
	if (q->web_search && q->model != NULL && strstr(q->model, "search") != NULL)
		w.bad |= json_object_set_new(o, "web_search_options", json_object());
	else if (q->web_search)
		hub_drop(a, q, "web_search");
	w.bad |= json_object_set_new(o, "model", hub_jstr(q->model));
	w.bad |= json_object_set(o, "messages", w.msgs);
	wr_params(&w, o);
	if (w.bad) {
		(void)hub_nomem(err);
		goto fail;
	}
	json_decref(w.msgs);
	return o;
fail:
	json_decref(w.pending);
	json_decref(w.msgs);
	json_decref(o);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* chat.completion -> hub                                               */

/* Append an answer part, text copied; *pp gets the part when pp != NULL. */
static int
add_resp_part(struct arena *a, struct hub_resp *out, enum hub_part_type t, const char *text,
    struct hub_part **pp)
{
	struct hub_part *p = hub_add_part(a, &out->parts, &out->nparts, t);

	if (p == NULL || (text && (p->text = arena_strdup(a, text)) == NULL))
		return GW_ENOMEM;
	if (pp)
		*pp = p;
	return GW_OK;
}

/* Reasoning text of a message or delta: the vendor fields, first found. */
static json_t *
reasoning_of(json_t *o)
{
	json_t *v = json_object_get(o, "reasoning_content");

	if (!json_is_string(v) || json_string_length(v) == 0)
		v = json_object_get(o, "reasoning");
	return json_is_string(v) && json_string_length(v) > 0 ? v : NULL;
}

static const char *
str_or(json_t *o, const char *key, const char *dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : dflt;
}

/* A chat.completion (borrowed) into out, strings copied to the arena.
 * Choice 0 only. GW_EINPUT when body is no object with a choices array. */
static int
chat_resp_decode(struct arena *a, const struct hub_req *req, json_t *body, struct hub_resp *out)
{
	json_t *choices = json_object_get(body, "choices"), *ch, *msg, *c, *v, *tc, *fn;
	struct hub_part *p;
	const char *args;
	size_t i;
	int rc = GW_OK;

	(void)req;
	memset(out, 0, sizeof(*out));
	if (!json_is_object(body) || !json_is_array(choices))
		return GW_EINPUT;
	if ((out->id = arena_strdup(a, str_or(body, "id", ""))) == NULL ||
	    (out->model = arena_strdup(a, str_or(body, "model", ""))) == NULL)
		return GW_ENOMEM;
	out->created = json_integer_value(json_object_get(body, "created"));
	if ((v = json_object_get(body, "usage")) != NULL && json_is_object(v)) {
		hub_usage_from_openai(v, &out->usage);
		out->have_usage = 1;
	}
	if ((ch = json_array_get(choices, 0)) == NULL)
		return GW_OK;
	if (!json_is_object(ch))
		return GW_EINPUT;
	out->finish = finish_parse(str_or(ch, "finish_reason", NULL));
	msg = json_object_get(ch, "message");
	if ((v = reasoning_of(msg)) != NULL)
		rc = add_resp_part(a, out, HP_THINKING, json_string_value(v), NULL);
	c = json_object_get(msg, "content");
	if (json_is_string(c) && json_string_length(c) > 0)
		rc |= add_resp_part(a, out, HP_TEXT, json_string_value(c), NULL);
	else if (json_is_array(c))
		json_array_foreach(c, i, v)
			if (json_is_string(json_object_get(v, "text")))
				rc |= add_resp_part(a, out, HP_TEXT, str_or(v, "text", ""), NULL);
	/* a refusal is the answer the client should see */
	if (!json_is_string(c) && json_is_string(v = json_object_get(msg, "refusal")))
		rc |= add_resp_part(a, out, HP_TEXT, json_string_value(v), NULL);
	json_array_foreach(json_object_get(msg, "tool_calls"), i, tc) {
		fn = json_object_get(tc, "function");
		if (!json_is_object(fn))
			continue;
		if ((rc |= add_resp_part(a, out, HP_TOOL_CALL, NULL, &p)) != GW_OK)
			break;
		args = str_or(fn, "arguments", "");
		p->id = arena_strdup(a, str_or(tc, "id", ""));
		p->name = arena_strdup(a, str_or(fn, "name", ""));
		p->args = *args ? arena_strdup(a, args) : "{}";
		if (!p->id || !p->name || !p->args)
			rc = GW_ENOMEM;
	}
	return rc ? GW_ENOMEM : GW_OK;
}

/* ------------------------------------------------------------------ */
/* chat.completion.chunk stream -> hub events                           */

/* A tool call seen in the stream: the upstream's index and id, and the hub
 * index it got (order of first appearance). */
struct dtool {
	json_int_t up;
	const char *id;
};

/* Streaming decoder (FORMATS.md §1.4). Chunks carry deltas of choice 0;
 * tool calls are keyed by their "index", which is not the hub's (a vendor
 * may reuse one index for several calls), hence the map. */
struct dec {
	struct arena *a;
	hub_emit_fn emit;
	void *ctx;
	struct dtool *tools;
	size_t ntools, cap;
	int started;
	int stopped;		/* emit returned non-zero */
};

static int
dec_emit(struct dec *d, const struct hub_ev *ev)
{
	int rc;

	if (d->stopped)
		return 1;
	if ((rc = d->emit(d->ctx, ev)) != 0)
		d->stopped = 1;
	return rc;
}

static int
emit_str(struct dec *d, enum hub_ev_type t, json_t *s)
{
	struct hub_ev ev = { .type = t };

	if (!json_is_string(s) || json_string_length(s) == 0)
		return 0;
	ev.text = json_string_value(s);
	ev.len = json_string_length(s);
	return dec_emit(d, &ev);
}

/* The hub index of a tool call fragment, opening the call (HE_TOOL_START)
 * on its first fragment. A known index with a different id is a new call
 * (vendors that send every call as index 0). -1 = ignore the fragment. */
static int
dec_tool_index(struct dec *d, json_t *tc, size_t pos, int *rc)
{
	json_t *ix = json_object_get(tc, "index"), *fn = json_object_get(tc, "function");
	json_int_t up = json_is_integer(ix) ? json_integer_value(ix) : (json_int_t)pos;
	const char *id = str_or(tc, "id", NULL);
	struct hub_ev ev = { .type = HE_TOOL_START };
	struct dtool *nt;
	size_t i;

	*rc = 0;
	for (i = d->ntools; i-- > 0;)
		if (d->tools[i].up == up) {
			if (id == NULL || *id == '\0' || strcmp(id, d->tools[i].id) == 0)
				return (int)i;
			break;
		}
	if (d->ntools >= CHAT_MAX_TOOLS)
		return -1;
	if (d->ntools == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		if ((nt = arena_alloc(d->a, d->cap * sizeof(*nt))) == NULL) {
			*rc = 1;
			return -1;
		}
		if (d->ntools)
			memcpy(nt, d->tools, d->ntools * sizeof(*nt));
		d->tools = nt;
	}
	if (id == NULL || *id == '\0')
		id = hub_new_id(d->a, "call_");
	if ((id = arena_strdup(d->a, id)) == NULL) {
		*rc = 1;
		return -1;
	}
	d->tools[d->ntools].up = up;
	d->tools[d->ntools].id = id;
	ev.index = (int)d->ntools;
	ev.id = id;
	ev.name = str_or(fn, "name", "");
	d->ntools++;
	*rc = dec_emit(d, &ev);
	return ev.index;
}

/* One choice's delta: reasoning first (it precedes the answer), then text,
 * then tool call fragments, each in the order given. */
static int
dec_delta(struct dec *d, json_t *delta)
{
	json_t *tc, *args;
	struct hub_ev ev = { .type = HE_TOOL_ARGS };
	size_t i;
	int rc, ix;

	if ((rc = emit_str(d, HE_THINKING, reasoning_of(delta))) != 0 ||
	    (rc = emit_str(d, HE_TEXT, json_object_get(delta, "content"))) != 0 ||
	    (rc = emit_str(d, HE_TEXT, json_object_get(delta, "refusal"))) != 0)
		return rc;
	json_array_foreach(json_object_get(delta, "tool_calls"), i, tc) {
		if (!json_is_object(tc))
			continue;
		if ((ix = dec_tool_index(d, tc, i, &rc)) < 0 || rc != 0) {
			if (rc)
				return rc;
			continue;
		}
		args = json_object_get(json_object_get(tc, "function"), "arguments");
		if (!json_is_string(args) || json_string_length(args) == 0)
			continue;
		ev.index = ix;
		ev.text = json_string_value(args);
		ev.len = json_string_length(args);
		if ((rc = dec_emit(d, &ev)) != 0)
			return rc;
	}
	return 0;
}

/* {"error":{message, type, code}} mid-stream */
static int
dec_error(struct dec *d, json_t *e)
{
	struct hub_ev ev = { .type = HE_ERROR, .status = 500 };
	json_t *code = json_object_get(e, "code");

	if (json_is_string(e))
		ev.text = json_string_value(e);
	else {
		ev.text = str_or(e, "message", "upstream error");
		ev.name = str_or(e, "type", NULL);
		if (json_is_integer(code) && json_integer_value(code) >= 400 && json_integer_value(code) < 600)
			ev.status = (int)json_integer_value(code);
	}
	ev.len = strlen(ev.text);
	return dec_emit(d, &ev);
}

/* One chunk: HE_START on the first, the deltas of choice 0, finish_reason
 * at once (the encoders hold it), and the usage object when present (the
 * include_usage chunk has choices:[]; usage:null elsewhere is skipped). */
static int
dec_chunk(struct dec *d, json_t *j)
{
	struct hub_ev ev = { .type = HE_START };
	json_t *v, *ch;
	size_t i;
	int rc;

	if ((v = json_object_get(j, "error")) != NULL && !json_is_null(v))
		return dec_error(d, v);
	if (!d->started) {
		d->started = 1;
		ev.id = str_or(j, "id", NULL);
		ev.name = str_or(j, "model", NULL);
		if ((rc = dec_emit(d, &ev)) != 0)
			return rc;
	}
	json_array_foreach(json_object_get(j, "choices"), i, ch) {
		v = json_object_get(ch, "index");
		if (v && json_integer_value(v) != 0)
			continue;	/* n > 1: the hub carries choice 0 */
		if ((rc = dec_delta(d, json_object_get(ch, "delta"))) != 0)
			return rc;
		if (json_is_string(v = json_object_get(ch, "finish_reason"))) {
			memset(&ev, 0, sizeof(ev));
			ev.type = HE_FINISH;
			ev.finish = finish_parse(json_string_value(v));
			if ((rc = dec_emit(d, &ev)) != 0)
				return rc;
		}
	}
	if (json_is_object(v = json_object_get(j, "usage"))) {
		memset(&ev, 0, sizeof(ev));
		ev.type = HE_USAGE;
		hub_usage_from_openai(v, &ev.usage);
		return dec_emit(d, &ev);
	}
	return 0;
}

/* A decoder in the arena emitting to emit(ctx, ev); event strings live
 * only during the call. */
static void *
chat_dec_new(struct arena *a, const struct hub_req *req, hub_emit_fn emit, void *ctx)
{
	struct dec *d = arena_calloc(a, sizeof(*d));

	(void)req;
	if (d == NULL)
		return NULL;
	d->a = a;
	d->emit = emit;
	d->ctx = ctx;
	return d;
}

/* One SSE event: [DONE] and data that is not a JSON object are ignored
 * (keep-alives, vendor noise). Non-zero = the consumer stopped. */
static int
chat_dec_event(void *dec, const struct sse_event *sev)
{
	struct dec *d = dec;
	json_t *j;
	int rc;

	if (d->stopped)
		return 1;
	if (sev->len == 6 && memcmp(sev->data, "[DONE]", 6) == 0)
		return 0;
	if ((j = json_loadb(sev->data, sev->len, 0, NULL)) == NULL)
		return 0;
	rc = json_is_object(j) ? dec_chunk(d, j) : 0;
	json_decref(j);
	return rc;
}

/* Chat states finish and usage as they come: nothing is ever pending. */
static int
chat_dec_end(void *dec)
{
	struct dec *d = dec;

	return d->stopped;
}

const struct hub_format hub_chat = {
	.name = "chat",
	.req_decode = chat_req_decode,
	.resp_encode = chat_resp_encode,
	.enc_new = chat_enc_new,
	.enc_event = chat_enc_event,
	.error_encode = hub_openai_error,
	.req_encode = chat_req_encode,
	.resp_decode = chat_resp_decode,
	.dec_new = chat_dec_new,
	.dec_event = chat_dec_event,
	.dec_end = chat_dec_end,
	.error_decode = chat_error_decode,
};
