/* providers/fmt_responses.c: OpenAI Responses API <-> hub translation, as a
 * client format and as an upstream protocol (FORMATS.md §2, §7) */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hub.h"
#include "buf.h"
#include "util.h"

#define STORED_MSG "requires stored responses, which this gateway does not keep on this channel; " \
	"send the items themselves (store: false)"

/* ---------------------------------------------------------------------
 * Small helpers
 */

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* A member that is present and not null, or NULL. */
static json_t *
jopt(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_null(v) ? NULL : v;
}

static int
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static int
prefixed(const char *s, const char *p)
{
	return s != NULL && strncmp(s, p, strlen(p)) == 0;
}



/* Fill err with a 400 and return GW_EINPUT. */


/* The "text" members of arr's elements joined with "\n\n" (skipping empty
 * ones), in the arena; "" when none, NULL on ENOMEM. */
static const char *
join_texts(struct arena *a, json_t *arr)
{
	size_t i, len = 0, k = 0, l;
	const char *t;
	char *s;

	for (i = 0; i < json_array_size(arr); i++)
		if ((t = jstr(json_array_get(arr, i), "text")) != NULL)
			len += strlen(t) + 2;
	if ((s = arena_alloc(a, len + 1)) == NULL)
		return NULL;
	for (i = 0; i < json_array_size(arr); i++) {
		if ((t = jstr(json_array_get(arr, i), "text")) == NULL || *t == '\0')
			continue;
		if (k) {
			memcpy(s + k, "\n\n", 2);
			k += 2;
		}
		l = strlen(t);
		memcpy(s + k, t, l);
		k += l;
	}
	s[k] = '\0';
	return s;
}

/* The hub's usage as a Responses usage object (new ref). */
static json_t *
usage_json(const struct hub_usage *u)
{
	return json_pack("{s:I, s:{s:I}, s:I, s:{s:I}, s:I}",
	    "input_tokens", (json_int_t)u->input,
	    "input_tokens_details", "cached_tokens", (json_int_t)u->cache_read,
	    "output_tokens", (json_int_t)u->output,
	    "output_tokens_details", "reasoning_tokens", (json_int_t)u->reasoning,
	    "total_tokens", (json_int_t)(u->input + u->output));
}

/* A Responses usage object into the hub (§7.2: input_tokens already counts
 * cached tokens). */
static void
usage_from(json_t *u, struct hub_usage *out)
{
	json_t *d;

	memset(out, 0, sizeof(*out));
	out->input = json_integer_value(json_object_get(u, "input_tokens"));
	out->output = json_integer_value(json_object_get(u, "output_tokens"));
	d = json_object_get(u, "input_tokens_details");
	out->cache_read = json_integer_value(json_object_get(d, "cached_tokens"));
	out->cache_write = json_integer_value(json_object_get(d, "cache_write_tokens"));
	d = json_object_get(u, "output_tokens_details");
	out->reasoning = json_integer_value(json_object_get(d, "reasoning_tokens"));
}

/* Responses has no finish_reason (§7.3): derive it from the response's
 * status and what its output held. */
static enum hub_finish
finish_of(json_t *r, size_t ncalls, int refusal)
{
	const char *reason = jstr(json_object_get(r, "incomplete_details"), "reason");

	if (ncalls > 0)
		return HF_TOOL_CALLS;
	if (streq(jstr(r, "status"), "incomplete"))
		return streq(reason, "content_filter") ? HF_CONTENT_FILTER : HF_LENGTH;
	return refusal ? HF_CONTENT_FILTER : HF_STOP;
}

/* text.format for the request's rf (new ref); {type:"text"} when unset. */
static json_t *
format_json(const struct hub_req *q)
{
	json_t *f;
	int fail = 0;

	switch (q->rf) {
	case HRF_JSON_OBJECT:
		return json_pack("{s:s}", "type", "json_object");
	case HRF_JSON_SCHEMA:
		f = json_pack("{s:s}", "type", "json_schema");
		fail |= json_object_set_new(f, "name", hub_jstr(q->rf_name ? q->rf_name : "response"));
		if (q->rf_description)
			fail |= json_object_set_new(f, "description", hub_jstr(q->rf_description));
		fail |= json_object_set_new(f, "schema", q->rf_schema ? json_incref(q->rf_schema) : json_object());
		if (q->rf_strict != -1)
			fail |= json_object_set_new(f, "strict", json_boolean(q->rf_strict));
		if (fail) {
			json_decref(f);
			return NULL;
		}
		return f;
	default:
		return json_pack("{s:s}", "type", "text");
	}
}

static json_t *
tool_choice_json(const struct hub_req *q)
{
	switch (q->tool_choice) {
	case HTC_NONE:
		return json_string("none");
	case HTC_REQUIRED:
		return json_string("required");
	case HTC_FORCED:
		return json_pack("{s:s, s:o}", "type", "function", "name", hub_jstr(q->tool_choice_name));
	default:
		return json_string("auto");
	}
}

/* ---------------------------------------------------------------------
 * Client side: request body -> hub (FORMATS.md §2.1, §2.2)
 */

struct rq {
	struct arena *a;
	struct hub_req *q;
	struct hub_err *err;
	size_t asst;		/* 1 + index of the assistant message being filled; 0 = none */
};

/* Consecutive assistant message, function_call and reasoning items form
 * one hub message (one turn). */
static struct hub_msg *
rq_assistant(struct rq *r)
{
	if (r->asst == 0) {
		if (hub_add_msg(r->a, r->q, HUB_ASSISTANT) == NULL)
			return NULL;
		r->asst = r->q->nmsgs;
	}
	return &r->q->msgs[r->asst - 1];
}

static struct hub_msg *
rq_new_msg(struct rq *r, enum hub_role role)
{
	r->asst = 0;
	return hub_add_msg(r->a, r->q, role);
}

static int
rq_image(struct rq *r, json_t *p, const char *path, struct hub_part *hp)
{
	json_t *u = jopt(p, "image_url"), *d = jopt(p, "detail");
	const char *url;

	if (jopt(p, "file_id") != NULL)
		return hub_fail(r->err, "%s.file_id: file ids are not supported by this gateway; send image_url", path);
	if (!json_is_string(u))
		return hub_fail(r->err, "%s.image_url: expected a string", path);
	if (d != NULL && !json_is_string(d))
		return hub_fail(r->err, "%s.detail: expected a string", path);
	url = json_string_value(u);
	hp->detail = json_string_value(d);
	if (prefixed(url, "data:")) {
		if (hub_data_url(r->a, url, &hp->mime, &hp->data) != GW_OK)
			return hub_fail(r->err, "%s.image_url: only base64 data URLs are supported", path);
	} else
		hp->url = url;
	return GW_OK;
}

static int
rq_file(struct rq *r, json_t *p, const char *path, struct hub_part *hp)
{
	json_t *fd = jopt(p, "file_data"), *fu = jopt(p, "file_url"), *fn = jopt(p, "filename");
	const char *s;

	if (jopt(p, "file_id") != NULL)
		return hub_fail(r->err, "%s.file_id: file ids are not supported by this gateway; send file_data", path);
	if (fn != NULL && !json_is_string(fn))
		return hub_fail(r->err, "%s.filename: expected a string", path);
	hp->name = json_string_value(fn);
	if (json_is_string(fd)) {
		s = json_string_value(fd);
		if (!prefixed(s, "data:")) {
			/* bare base64; OpenAI only takes PDFs this way */
			hp->mime = "application/pdf";
			hp->data = s;
		} else if (hub_data_url(r->a, s, &hp->mime, &hp->data) != GW_OK)
			return hub_fail(r->err, "%s.file_data: only base64 data URLs are supported", path);
		return GW_OK;
	}
	if (json_is_string(fu)) {
		hp->url = json_string_value(fu);
		return GW_OK;
	}
	return hub_fail(r->err, "%s: file_data (a data URL) or file_url required", path);
}

/* One content part (message content or function_call_output output). */
static int
rq_part(struct rq *r, json_t *p, const char *path, struct hub_part **parts, size_t *n)
{
	const char *type = jstr(p, "type"), *k, *s;
	struct hub_part *hp;

	if (!json_is_object(p))
		return hub_fail(r->err, "%s: expected an object", path);
	if (type == NULL)
		return hub_fail(r->err, "%s.type: expected a string", path);
	if (streq(type, "input_text") || streq(type, "output_text") || streq(type, "refusal")) {
		k = streq(type, "refusal") ? "refusal" : "text";
		if ((s = jstr(p, k)) == NULL)
			return hub_fail(r->err, "%s.%s: expected a string", path, k);
		if ((hp = hub_add_part(r->a, parts, n, HP_TEXT)) == NULL)
			return hub_nomem(r->err);
		hp->text = s;
		return GW_OK;
	}
	if (streq(type, "input_image")) {
		if ((hp = hub_add_part(r->a, parts, n, HP_IMAGE)) == NULL)
			return hub_nomem(r->err);
		return rq_image(r, p, path, hp);
	}
	if (streq(type, "input_file")) {
		if ((hp = hub_add_part(r->a, parts, n, HP_FILE)) == NULL)
			return hub_nomem(r->err);
		return rq_file(r, p, path, hp);
	}
	return hub_fail(r->err, "%s.type: unsupported content part type \"%.40s\"", path, type);
}

static int
rq_message(struct rq *r, json_t *it, const char *path)
{
	const char *role = jstr(it, "role");
	json_t *c = json_object_get(it, "content");
	struct hub_msg *m;
	struct hub_part *hp;
	char sub[96];
	size_t j;
	int rc;

	if (role == NULL)
		return hub_fail(r->err, "%s.role: expected a string", path);
	if (streq(role, "assistant"))
		m = rq_assistant(r);
	else if (streq(role, "user"))
		m = rq_new_msg(r, HUB_USER);
	else if (streq(role, "system") || streq(role, "developer"))
		m = rq_new_msg(r, HUB_SYSTEM);
	else
		return hub_fail(r->err, "%s.role: unsupported role \"%.20s\"", path, role);
	if (m == NULL)
		return hub_nomem(r->err);
	if (json_is_string(c)) {
		if ((hp = hub_add_part(r->a, &m->parts, &m->nparts, HP_TEXT)) == NULL)
			return hub_nomem(r->err);
		hp->text = json_string_value(c);
		return GW_OK;
	}
	if (!json_is_array(c))
		return hub_fail(r->err, "%s.content: expected a string or an array of parts", path);
	for (j = 0; j < json_array_size(c); j++) {
		snprintf(sub, sizeof(sub), "%s.content[%zu]", path, j);
		if ((rc = rq_part(r, json_array_get(c, j), sub, &m->parts, &m->nparts)) != GW_OK)
			return rc;
	}
	return GW_OK;
}

static int
rq_function_call(struct rq *r, json_t *it, const char *path)
{
	const char *call_id = jstr(it, "call_id"), *name = jstr(it, "name");
	const char *args = jstr(it, "arguments");
	json_t *id = jopt(it, "id"), *v;
	struct hub_msg *m;
	struct hub_part *hp;

	if (call_id == NULL)
		return hub_fail(r->err, "%s.call_id: expected a string", path);
	if (name == NULL)
		return hub_fail(r->err, "%s.name: expected a string", path);
	if (args == NULL)
		return hub_fail(r->err, "%s.arguments: expected a string (JSON text)", path);
	if (id != NULL && !json_is_string(id))
		return hub_fail(r->err, "%s.id: expected a string", path);
	if ((v = jopt(it, "namespace")) != NULL && !json_is_string(v))
		return hub_fail(r->err, "%s.namespace: expected a string", path);
	if (v != NULL && (name = hub_ns_name(r->a, json_string_value(v), name)) == NULL)
		return hub_nomem(r->err);
	if ((m = rq_assistant(r)) == NULL ||
	    (hp = hub_add_part(r->a, &m->parts, &m->nparts, HP_TOOL_CALL)) == NULL)
		return hub_nomem(r->err);
	hp->id = call_id;
	hp->name = name;
	hp->args = *args ? args : "{}";
	hp->item_id = json_string_value(id);
	return GW_OK;
}

/* A custom (free-form) tool call: a call of the function the custom tool
 * became, its text as {"input": text}. */
static int
rq_custom_call(struct rq *r, json_t *it, const char *path)
{
	const char *call_id = jstr(it, "call_id"), *name = jstr(it, "name");
	const char *input = jstr(it, "input");
	json_t *ns = jopt(it, "namespace"), *o;
	struct hub_msg *m;
	struct hub_part *hp;
	char *s;

	if (call_id == NULL)
		return hub_fail(r->err, "%s.call_id: expected a string", path);
	if (name == NULL)
		return hub_fail(r->err, "%s.name: expected a string", path);
	if (input == NULL)
		return hub_fail(r->err, "%s.input: expected a string", path);
	if (ns != NULL && !json_is_string(ns))
		return hub_fail(r->err, "%s.namespace: expected a string", path);
	if (ns != NULL && (name = hub_ns_name(r->a, json_string_value(ns), name)) == NULL)
		return hub_nomem(r->err);
	if ((o = json_pack("{s:o}", "input", hub_jstr(input))) == NULL)
		return hub_nomem(r->err);
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (s == NULL)
		return hub_nomem(r->err);
	if ((m = rq_assistant(r)) == NULL ||
	    (hp = hub_add_part(r->a, &m->parts, &m->nparts, HP_TOOL_CALL)) == NULL ||
	    (hp->args = arena_strdup(r->a, s)) == NULL) {
		free(s);
		return hub_nomem(r->err);
	}
	free(s);
	hp->id = call_id;
	hp->name = name;
	hp->item_id = jstr(it, "id");
	return GW_OK;
}

static int
rq_reasoning(struct rq *r, json_t *it, const char *path)
{
	json_t *sum = jopt(it, "summary"), *con = jopt(it, "content");
	json_t *id = jopt(it, "id"), *enc = jopt(it, "encrypted_content");
	const char *text;
	struct hub_msg *m;
	struct hub_part *hp;
	size_t j;

	if (sum != NULL && !json_is_array(sum))
		return hub_fail(r->err, "%s.summary: expected an array", path);
	if (con != NULL && !json_is_array(con))
		return hub_fail(r->err, "%s.content: expected an array", path);
	for (j = 0; j < json_array_size(sum); j++)
		if (jstr(json_array_get(sum, j), "text") == NULL)
			return hub_fail(r->err, "%s.summary[%zu].text: expected a string", path, j);
	for (j = 0; j < json_array_size(con); j++)
		if (jstr(json_array_get(con, j), "text") == NULL)
			return hub_fail(r->err, "%s.content[%zu].text: expected a string", path, j);
	if (id != NULL && !json_is_string(id))
		return hub_fail(r->err, "%s.id: expected a string", path);
	if (enc != NULL && !json_is_string(enc))
		return hub_fail(r->err, "%s.encrypted_content: expected a string", path);
	if ((text = join_texts(r->a, sum)) != NULL && *text == '\0')
		text = join_texts(r->a, con);
	if (text == NULL || (m = rq_assistant(r)) == NULL ||
	    (hp = hub_add_part(r->a, &m->parts, &m->nparts, HP_THINKING)) == NULL)
		return hub_nomem(r->err);
	hp->text = text;
	hp->signature = json_string_value(enc);
	hp->item_id = json_string_value(id);
	return GW_OK;
}

static int
rq_call_output(struct rq *r, json_t *it, const char *path)
{
	const char *call_id = jstr(it, "call_id"), *name;
	json_t *out = json_object_get(it, "output");
	struct hub_msg *m, tmp;
	struct hub_part *hp;
	char sub[96];
	size_t j;
	int rc, plain = 1;

	if (call_id == NULL)
		return hub_fail(r->err, "%s.call_id: expected a string", path);
	if ((name = hub_call_name(r->q, call_id)) == NULL)
		return hub_fail(r->err, "%s.call_id: matches no earlier function_call", path);
	if ((m = rq_new_msg(r, HUB_TOOL)) == NULL ||
	    (hp = hub_add_part(r->a, &m->parts, &m->nparts, HP_TOOL_RESULT)) == NULL)
		return hub_nomem(r->err);
	hp->id = call_id;
	hp->name = name;
	if (json_is_string(out)) {
		hp->text = json_string_value(out);
		return GW_OK;
	}
	if (!json_is_array(out))
		return hub_fail(r->err, "%s.output: expected a string or an array of parts", path);
	for (j = 0; j < json_array_size(out); j++) {
		snprintf(sub, sizeof(sub), "%s.output[%zu]", path, j);
		if ((rc = rq_part(r, json_array_get(out, j), sub, &hp->content, &hp->ncontent)) != GW_OK)
			return rc;
		if (hp->content[hp->ncontent - 1].type != HP_TEXT)
			plain = 0;
	}
	memset(&tmp, 0, sizeof(tmp));
	tmp.parts = hp->content;
	tmp.nparts = hp->ncontent;
	if ((hp->text = hub_msg_text(r->a, &tmp)) == NULL)
		return hub_nomem(r->err);
	if (plain) {
		hp->content = NULL;
		hp->ncontent = 0;
	}
	return GW_OK;
}

/* Items of hosted tools (FORMATS.md §2.3), and Codex's compaction summary
 * (encrypted for OpenAI only): history a translated request leaves out. */
static int
hosted_item(const char *type)
{
	static const char *const hosted[] = {
		"web_search_call", "file_search_call", "code_interpreter_call", "image_generation_call",
		"computer_call", "computer_call_output", "mcp_call", "mcp_list_tools",
		"mcp_approval_request", "mcp_approval_response", "compaction", "tool_search_call",
		"tool_search_output",
	};
	size_t i;

	for (i = 0; i < sizeof(hosted) / sizeof(hosted[0]); i++)
		if (streq(type, hosted[i]))
			return 1;
	return 0;
}

static int
rq_input(struct rq *r, json_t *input)
{
	json_t *it, *tv;
	struct hub_msg *m;
	struct hub_part *hp;
	const char *type;
	char path[48];
	size_t i;
	int rc;

	if (json_is_string(input)) {
		if ((m = rq_new_msg(r, HUB_USER)) == NULL ||
		    (hp = hub_add_part(r->a, &m->parts, &m->nparts, HP_TEXT)) == NULL)
			return hub_nomem(r->err);
		hp->text = json_string_value(input);
		return GW_OK;
	}
	if (!json_is_array(input))
		return hub_fail(r->err, "input: required, a string or an array of items");
	for (i = 0; i < json_array_size(input); i++) {
		it = json_array_get(input, i);
		snprintf(path, sizeof(path), "input[%zu]", i);
		if (!json_is_object(it))
			return hub_fail(r->err, "%s: expected an object", path);
		tv = jopt(it, "type");
		if (tv != NULL && !json_is_string(tv))
			return hub_fail(r->err, "%s.type: expected a string", path);
		type = json_string_value(tv);
		if (type == NULL && json_object_get(it, "role") == NULL)
			return hub_fail(r->err, "%s.type: required", path);
		if (type == NULL || streq(type, "message"))
			rc = rq_message(r, it, path);
		else if (streq(type, "function_call"))
			rc = rq_function_call(r, it, path);
		else if (streq(type, "function_call_output") || streq(type, "custom_tool_call_output"))
			rc = rq_call_output(r, it, path);
		else if (streq(type, "custom_tool_call"))
			rc = rq_custom_call(r, it, path);
		else if (streq(type, "reasoning"))
			rc = rq_reasoning(r, it, path);
		else if (streq(type, "item_reference"))
			rc = hub_fail(r->err, "%s: item_reference " STORED_MSG, path);
		else if (hosted_item(type)) {
			/* a hosted tool's call (and its result) ran upstream; a
			 * target without that tool has nothing to replay it as */
			hub_drop(r->a, r->q, type);
			rc = GW_OK;
		} else
			rc = hub_fail(r->err, "%s.type: unsupported item type \"%.40s\"", path, type);
		if (rc != GW_OK)
			return rc;
	}
	return GW_OK;
}

/* One function or custom tool (t, at path) into the hub, inside
 * namespace ns (NULL = none). */
static int
rq_function_tool(struct rq *r, json_t *t, const char *path, const char *ns)
{
	const char *type = jstr(t, "type"), *name;
	struct hub_tool *ht;
	json_t *v;

	if ((name = jstr(t, "name")) == NULL)
		return hub_fail(r->err, "%s.name: expected a string", path);
	if ((v = jopt(t, "description")) != NULL && !json_is_string(v))
		return hub_fail(r->err, "%s.description: expected a string", path);
	if ((ht = hub_add_tool(r->a, r->q)) == NULL)
		return hub_nomem(r->err);
	ht->description = json_string_value(v);
	ht->name = name;
	if (ns != NULL) {
		ht->ns = ns;
		ht->local = name;
		if ((ht->name = hub_ns_name(r->a, ns, name)) == NULL)
			return hub_nomem(r->err);
	}
	if (streq(type, "custom")) {
		/* free-form text in; the grammar (format) cannot be enforced
		 * by a function schema and is left to the description */
		ht->custom = 1;
		ht->parameters = hub_keep(r->a, json_pack("{s:s, s:{s:{s:s, s:s}}, s:[s], s:b}",
		    "type", "object", "properties", "input", "type", "string", "description",
		    "The raw input of the tool, as free-form text", "required", "input",
		    "additionalProperties", 0));
		if (ht->parameters == NULL)
			return hub_nomem(r->err);
		return GW_OK;
	}
	if ((v = jopt(t, "parameters")) != NULL && !json_is_object(v))
		return hub_fail(r->err, "%s.parameters: expected a JSON Schema object", path);
	ht->parameters = v;
	if ((v = jopt(t, "strict")) != NULL && !json_is_boolean(v))
		return hub_fail(r->err, "%s.strict: expected a boolean", path);
	ht->strict = v ? json_is_true(v) : -1;
	return GW_OK;
}

/*
 * tools: functions as they are; a namespace's functions flattened into
 * "ns__name" functions; custom tools as functions of one string; web search
 * noted in q->web_search; other hosted tools (file search, code
 * interpreter, image generation, computer use, MCP, local shell...) have
 * no equivalent elsewhere and are left out (q->dropped).
 */
static int
rq_tools(struct rq *r, json_t *tools)
{
	json_t *t, *inner;
	const char *type, *ns;
	char path[64];
	size_t i, j;
	int rc;

	if (tools == NULL)
		return GW_OK;
	if (!json_is_array(tools))
		return hub_fail(r->err, "tools: expected an array");
	for (i = 0; i < json_array_size(tools); i++) {
		t = json_array_get(tools, i);
		snprintf(path, sizeof(path), "tools[%zu]", i);
		if ((type = jstr(t, "type")) == NULL)
			return hub_fail(r->err, "%s.type: expected a string", path);
		if (streq(type, "function") || streq(type, "custom")) {
			if ((rc = rq_function_tool(r, t, path, NULL)) != GW_OK)
				return rc;
		} else if (streq(type, "namespace")) {
			if ((ns = jstr(t, "name")) == NULL)
				return hub_fail(r->err, "%s.name: expected a string", path);
			inner = json_object_get(t, "tools");
			if (!json_is_array(inner))
				return hub_fail(r->err, "%s.tools: expected an array", path);
			for (j = 0; j < json_array_size(inner); j++) {
				snprintf(path, sizeof(path), "tools[%zu].tools[%zu]", i, j);
				type = jstr(json_array_get(inner, j), "type");
				if (!streq(type, "function") && !streq(type, "custom"))
					return hub_fail(r->err, "%s.type: expected \"function\" or \"custom\"", path);
				if ((rc = rq_function_tool(r, json_array_get(inner, j), path, ns)) != GW_OK)
					return rc;
			}
		} else if (prefixed(type, "web_search"))
			r->q->web_search = 1;
		else
			hub_drop(r->a, r->q, type);
	}
	return GW_OK;
}

static int
rq_tool_choice(struct rq *r, json_t *tc)
{
	const char *s, *type;

	if (tc == NULL)
		return GW_OK;
	if ((s = json_string_value(tc)) != NULL) {
		if (streq(s, "auto"))
			r->q->tool_choice = HTC_AUTO;
		else if (streq(s, "none"))
			r->q->tool_choice = HTC_NONE;
		else if (streq(s, "required"))
			r->q->tool_choice = HTC_REQUIRED;
		else
			return hub_fail(r->err, "tool_choice: expected \"auto\", \"none\", \"required\" or an object");
		return GW_OK;
	}
	if ((type = jstr(tc, "type")) == NULL)
		return hub_fail(r->err, "tool_choice.type: expected a string");
	/* {type:"tool"} is Claude's spelling; One API's harness sends it here */
	if (streq(type, "function") || streq(type, "tool")) {
		if ((r->q->tool_choice_name = jstr(tc, "name")) == NULL)
			return hub_fail(r->err, "tool_choice.name: expected a string");
		if ((s = jstr(tc, "namespace")) != NULL &&
		    (r->q->tool_choice_name = hub_ns_name(r->a, s, r->q->tool_choice_name)) == NULL)
			return hub_nomem(r->err);
		r->q->tool_choice = HTC_FORCED;
		return GW_OK;
	}
	if (streq(type, "allowed_tools")) {
		/* the allowed subset is lost: the hub has no such list */
		s = jstr(tc, "mode");
		if (streq(s, "required"))
			r->q->tool_choice = HTC_REQUIRED;
		else if (s == NULL || streq(s, "auto"))
			r->q->tool_choice = HTC_AUTO;
		else
			return hub_fail(r->err, "tool_choice.mode: expected \"auto\" or \"required\"");
		return GW_OK;
	}
	if (streq(type, "custom")) {
		if ((s = jstr(tc, "name")) == NULL)
			return hub_fail(r->err, "tool_choice.name: expected a string");
		r->q->tool_choice_name = s;
		r->q->tool_choice = HTC_FORCED;
		return GW_OK;
	}
	/* a hosted tool forced: left to the model, like the tool itself */
	hub_drop(r->a, r->q, "tool_choice");
	r->q->tool_choice = HTC_AUTO;
	return GW_OK;
}

static int
rq_text(struct rq *r, json_t *text)
{
	json_t *f, *v;
	const char *type;

	if (text == NULL)
		return GW_OK;
	if (!json_is_object(text))
		return hub_fail(r->err, "text: expected an object");
	if ((f = jopt(text, "format")) == NULL)
		return GW_OK;
	if ((type = jstr(f, "type")) == NULL)
		return hub_fail(r->err, "text.format.type: expected a string");
	if (streq(type, "text")) {
		r->q->rf = HRF_TEXT;
		return GW_OK;
	}
	if (streq(type, "json_object")) {
		r->q->rf = HRF_JSON_OBJECT;
		return GW_OK;
	}
	if (!streq(type, "json_schema"))
		return hub_fail(r->err, "text.format.type: unsupported format \"%.40s\"", type);
	r->q->rf = HRF_JSON_SCHEMA;
	if ((v = jopt(f, "schema")) == NULL || !json_is_object(v))
		return hub_fail(r->err, "text.format.schema: expected a JSON Schema object");
	r->q->rf_schema = v;
	if ((v = jopt(f, "name")) != NULL && !json_is_string(v))
		return hub_fail(r->err, "text.format.name: expected a string");
	r->q->rf_name = v ? json_string_value(v) : "response";
	if ((v = jopt(f, "description")) != NULL && !json_is_string(v))
		return hub_fail(r->err, "text.format.description: expected a string");
	r->q->rf_description = json_string_value(v);
	if ((v = jopt(f, "strict")) != NULL && !json_is_boolean(v))
		return hub_fail(r->err, "text.format.strict: expected a boolean");
	r->q->rf_strict = v ? json_is_true(v) : -1;
	return GW_OK;
}

static int
rq_reasoning_cfg(struct rq *r, json_t *re)
{
	json_t *v;

	if (re == NULL)
		return GW_OK;
	if (!json_is_object(re))
		return hub_fail(r->err, "reasoning: expected an object");
	if ((v = jopt(re, "effort")) != NULL && !json_is_string(v))
		return hub_fail(r->err, "reasoning.effort: expected a string");
	r->q->reasoning_effort = json_string_value(v);
	/* generate_summary is the March-2025 name */
	if ((v = jopt(re, "summary")) == NULL)
		v = jopt(re, "generate_summary");
	if (v != NULL && !json_is_string(v))
		return hub_fail(r->err, "reasoning.summary: expected a string");
	if ((r->q->reasoning_summary = json_string_value(v)) != NULL)
		r->q->thinking = 1;
	return GW_OK;
}

static int
rq_scalars(struct rq *r, json_t *b)
{
	struct hub_req *q = r->q;
	json_t *v;

	if ((v = jopt(b, "max_output_tokens")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return hub_fail(r->err, "max_output_tokens: expected a positive integer");
		q->max_tokens = json_integer_value(v);
	}
	if ((v = jopt(b, "temperature")) != NULL) {
		if (!json_is_number(v))
			return hub_fail(r->err, "temperature: expected a number");
		q->temperature = json_number_value(v);
	}
	if ((v = jopt(b, "top_p")) != NULL) {
		if (!json_is_number(v))
			return hub_fail(r->err, "top_p: expected a number");
		q->top_p = json_number_value(v);
	}
	if ((v = jopt(b, "stream")) != NULL) {
		if (!json_is_boolean(v))
			return hub_fail(r->err, "stream: expected a boolean");
		q->stream = json_is_true(v);
	}
	if ((v = jopt(b, "parallel_tool_calls")) != NULL) {
		if (!json_is_boolean(v))
			return hub_fail(r->err, "parallel_tool_calls: expected a boolean");
		q->parallel_tool_calls = json_is_true(v);
	}
	if ((v = jopt(b, "user")) != NULL && !json_is_string(v))
		return hub_fail(r->err, "user: expected a string");
	q->user = json_string_value(v);
	if ((v = jopt(b, "safety_identifier")) != NULL) {
		if (!json_is_string(v))
			return hub_fail(r->err, "safety_identifier: expected a string");
		q->user = json_string_value(v);
	}
	if ((v = jopt(b, "metadata")) != NULL && !json_is_object(v))
		return hub_fail(r->err, "metadata: expected an object");
	q->metadata = v;
	return GW_OK;
}

/*
 * The client's Responses body into q. Strings point into body, which the
 * arena keeps alive (one reference taken). Stateful features
 * (previous_response_id, conversation, item_reference) are refused: the
 * relay passes Responses-to-Responses traffic through untouched, so this
 * only runs when translating.
 */
static int
resp_req_decode(struct arena *a, json_t *body, struct hub_req *q, struct hub_err *err)
{
	struct rq r = { a, q, err, 0 };
	struct hub_msg *m;
	struct hub_part *hp;
	json_t *v;
	int rc;

	hub_req_init(q);
	if (!json_is_object(body))
		return hub_fail(err, "the request body must be a JSON object");
	hub_keep(a, json_incref(body));
	if ((q->model = jstr(body, "model")) == NULL)
		return hub_fail(err, "model: expected a string");
	if (jopt(body, "previous_response_id") != NULL)
		return hub_fail(err, "previous_response_id " STORED_MSG);
	if (jopt(body, "conversation") != NULL)
		return hub_fail(err, "conversation " STORED_MSG);
	if ((v = jopt(body, "instructions")) != NULL) {
		if (!json_is_string(v))
			return hub_fail(err, "instructions: expected a string");
		if (*json_string_value(v) != '\0') {
			if ((m = rq_new_msg(&r, HUB_SYSTEM)) == NULL ||
			    (hp = hub_add_part(a, &m->parts, &m->nparts, HP_TEXT)) == NULL)
				return hub_nomem(err);
			hp->text = json_string_value(v);
		}
	}
	if ((rc = rq_input(&r, jopt(body, "input"))) != GW_OK ||
	    (rc = rq_tools(&r, jopt(body, "tools"))) != GW_OK ||
	    (rc = rq_tool_choice(&r, jopt(body, "tool_choice"))) != GW_OK ||
	    (rc = rq_text(&r, jopt(body, "text"))) != GW_OK ||
	    (rc = rq_reasoning_cfg(&r, jopt(body, "reasoning"))) != GW_OK ||
	    (rc = rq_scalars(&r, body)) != GW_OK)
		return rc;
	return GW_OK;
}

/* ---------------------------------------------------------------------
 * Output items, shared by resp_encode and the stream encoder (§2.3)
 */

static json_t *
item_reasoning(const char *id, const char *text, int has_part, const char *sig)
{
	json_t *it, *sum;
	int fail = 0;

	it = json_pack("{s:o, s:s, s:[]}", "id", hub_jstr(id), "type", "reasoning", "summary");
	if (it == NULL)
		return NULL;
	sum = json_object_get(it, "summary");
	if (has_part)
		fail |= json_array_append_new(sum, json_pack("{s:s, s:o}", "type", "summary_text",
		    "text", hub_jstr(text)));
	if (sig)
		fail |= json_object_set_new(it, "encrypted_content", hub_jstr(sig));
	if (fail) {
		json_decref(it);
		return NULL;
	}
	return it;
}

static json_t *
text_part(const char *text, size_t len)
{
	return json_pack("{s:s, s:[], s:[], s:o}", "type", "output_text", "annotations", "logprobs",
	    "text", hub_jstrn(text, len));
}

/* A message item; text NULL = no content yet (output_item.added). */
static json_t *
item_message(const char *id, const char *text, size_t len, const char *status)
{
	json_t *it;

	it = json_pack("{s:o, s:s, s:s, s:[], s:s}", "id", hub_jstr(id), "type", "message",
	    "status", status, "content", "role", "assistant");
	if (it != NULL && text != NULL &&
	    json_array_append_new(json_object_get(it, "content"), text_part(text, len)) != 0) {
		json_decref(it);
		return NULL;
	}
	return it;
}

/* The "input" text of a custom tool call's {"input": text} arguments (the
 * arguments themselves when they are not that), in the arena. */
static const char *
custom_input(struct arena *a, const char *args)
{
	json_t *j = json_loads(args ? args : "", 0, NULL);
	const char *s = json_is_object(j) ? jstr(j, "input") : NULL;

	s = s ? arena_strdup(a, s) : (args ? args : "");
	json_decref(j);
	return s;
}

/*
 * A function_call item of upstream tool name `name` (new ref), as the
 * client declared the tool: a function of a namespace gets its own name
 * and `namespace` back; a custom tool's call is a custom_tool_call whose
 * input is the text (args NULL: the empty input of an item just added).
 */
static json_t *
item_call(struct arena *a, const struct hub_req *q, const char *id, const char *call_id,
    const char *name, const char *args, const char *status)
{
	const struct hub_tool *t = q ? hub_tool_origin(q, name) : NULL;
	json_t *it;

	if (t != NULL && t->custom)
		it = json_pack("{s:o, s:s, s:s, s:o, s:o, s:o}", "id", hub_jstr(id), "type", "custom_tool_call",
		    "status", status, "call_id", hub_jstr(call_id), "name", hub_jstr(t->local ? t->local : name),
		    "input", hub_jstr(args ? custom_input(a, args) : ""));
	else
		it = json_pack("{s:o, s:s, s:s, s:o, s:o, s:o}", "id", hub_jstr(id), "type", "function_call",
		    "status", status, "call_id", hub_jstr(call_id), "name", hub_jstr(t && t->local ? t->local : name),
		    "arguments", hub_jstr(args ? args : ""));
	if (it != NULL && t != NULL && t->ns != NULL &&
	    json_object_set_new(it, "namespace", hub_jstr(t->ns)) != 0) {
		json_decref(it);
		return NULL;
	}
	return it;
}

/* The response object (new ref); takes output, usage and error. */
static json_t *
resp_object(const struct hub_req *q, const char *id, const char *model, int64_t created,
    enum hub_finish finish, const char *status, json_t *output, json_t *usage, json_t *error)
{
	json_t *r, *inc = json_null();
	int fail = 0;

	if (streq(status, "completed") && (finish == HF_LENGTH || finish == HF_CONTENT_FILTER)) {
		status = "incomplete";
		inc = json_pack("{s:s}", "reason",
		    finish == HF_LENGTH ? "max_output_tokens" : "content_filter");
	}
	r = json_pack("{s:o, s:s, s:I, s:s, s:o, s:o, s:o}", "id", hub_jstr(id), "object", "response",
	    "created_at", (json_int_t)created, "status", status,
	    "error", error ? error : json_null(), "incomplete_details", inc, "model", hub_jstr(model));
	if (r == NULL) {
		json_decref(output);
		json_decref(usage);
		return NULL;
	}
	fail |= json_object_set_new(r, "output", output ? output : json_array());
	fail |= json_object_set_new(r, "parallel_tool_calls", json_boolean(q->parallel_tool_calls != 0));
	fail |= json_object_set_new(r, "tool_choice", tool_choice_json(q));
	fail |= json_object_set_new(r, "tools", json_array());
	fail |= json_object_set_new(r, "text", json_pack("{s:o}", "format", format_json(q)));
	fail |= json_object_set_new(r, "max_output_tokens",
	    q->max_tokens >= 0 ? json_integer(q->max_tokens) : json_null());
	fail |= json_object_set_new(r, "usage", usage ? usage : json_null());
	fail |= json_object_set_new(r, "metadata", q->metadata ? json_incref(q->metadata) : json_object());
	if (fail) {
		json_decref(r);
		return NULL;
	}
	return r;
}

static const char *
resp_id(struct arena *a, const char *id)
{
	return prefixed(id, "resp_") ? id : hub_new_id(a, "resp_");
}

/*
 * Client side: the hub's answer as a Responses object (new ref), output
 * items in the order of resp->parts; consecutive text parts form one message
 * item. Redacted thinking has no Responses form and is dropped.
 */
static json_t *
resp_resp_encode(struct arena *a, const struct hub_req *req, const struct hub_resp *resp)
{
	struct hub_req dflt;
	struct buf text = BUF_INIT(BUF_MAX_RESPONSE);
	json_t *out, *it;
	const struct hub_part *p;
	size_t i;
	int fail = 0;

	if (req == NULL) {
		hub_req_init(&dflt);
		req = &dflt;
	}
	if ((out = json_array()) == NULL)
		return NULL;
	for (i = 0; i < resp->nparts && !fail; i++) {
		p = &resp->parts[i];
		switch (p->type) {
		case HP_TEXT:
			if (p->text && buf_adds(&text, p->text) != GW_OK)
				fail = 1;
			if (i + 1 < resp->nparts && resp->parts[i + 1].type == HP_TEXT)
				continue;
			it = item_message(hub_new_id(a, "msg_"), buf_cstr(&text), buf_len(&text), "completed");
			buf_reset(&text);
			break;
		case HP_THINKING:
			it = item_reasoning(prefixed(p->item_id, "rs_") ? p->item_id : hub_new_id(a, "rs_"),
			    p->text, p->text && *p->text, p->signature);
			break;
		case HP_TOOL_CALL:
			it = item_call(a, req, prefixed(p->item_id, "fc_") ? p->item_id : hub_new_id(a, "fc_"),
			    p->id ? p->id : hub_new_id(a, "call_"), p->name,
			    p->args && *p->args ? p->args : "{}", "completed");
			break;
		default:
			continue;
		}
		fail |= json_array_append_new(out, it);
	}
	buf_release(&text);
	if (fail) {
		json_decref(out);
		return NULL;
	}
	return resp_object(req, resp_id(a, resp->id), resp->model ? resp->model : req->model,
	    resp->created ? resp->created : now_sec(), resp->finish, "completed", out,
	    resp->have_usage ? usage_json(&resp->usage) : NULL, NULL);
}

/* ---------------------------------------------------------------------
 * Client side: hub events -> Responses SSE (§2.4, §7.5 pitfall 15)
 */

enum item_kind { IT_NONE, IT_REASONING, IT_MESSAGE, IT_CALL };

struct renc {
	struct arena *a;
	const struct hub_req *req;
	hub_write_fn write;
	void *ctx;
	int64_t seq;			/* the next sequence_number */
	int started, ended, gone;
	const char *id, *model;
	int64_t created;
	json_t *output;			/* closed items, for the terminal response */
	int nitems;			/* output_index of the next item */
	/* the open item */
	enum item_kind open;
	int out_index;
	const char *item_id;
	struct buf acc;			/* its text, summary text or arguments so far */
	int has_part;			/* reasoning: a summary part is open */
	const char *sig;		/* reasoning: encrypted_content */
	const char *call_id, *name;
	int tool_index;
	int custom;			/* the open call is a custom tool's: no argument deltas */
	/* remembered for the end */
	enum hub_finish finish;
	struct hub_usage usage;
	int have_usage;
};

static void
renc_free(void *p)
{
	struct renc *e = p;

	buf_release(&e->acc);
	json_decref(e->output);
}

static json_t *
ev_new(const char *type)
{
	return json_pack("{s:s}", "type", type);
}

/* Write one event (takes o): `event: type`, data with sequence_number. */
static int
ev_write(struct renc *e, const char *type, json_t *o)
{
	char *s;
	int rc;

	if (e->gone) {
		json_decref(o);
		return 1;
	}
	if (o == NULL || json_object_set_new(o, "sequence_number", json_integer(e->seq)) != 0) {
		json_decref(o);
		e->gone = 1;
		return 1;
	}
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (s == NULL) {
		e->gone = 1;
		return 1;
	}
	rc = e->write(e->ctx, type, s, strlen(s));
	free(s);
	e->seq++;
	if (rc != 0)
		e->gone = 1;
	return e->gone;
}

/* A new event of this type with the open item's item_id and output_index. */
static json_t *
ev_item(struct renc *e, const char *type)
{
	json_t *o = ev_new(type);

	if (o != NULL && (json_object_set_new(o, "item_id", hub_jstr(e->item_id)) != 0 ||
	    json_object_set_new(o, "output_index", json_integer(e->out_index)) != 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
ev_with(json_t *o, const char *k, json_t *v)
{
	if (o != NULL && json_object_set_new(o, k, v) != 0) {
		json_decref(o);
		return NULL;
	}
	if (o == NULL)
		json_decref(v);
	return o;
}

static int
enc_start(struct renc *e)
{
	json_t *r;

	if (e->started)
		return e->gone;
	e->started = 1;
	if (e->id == NULL)
		e->id = hub_new_id(e->a, "resp_");
	if (e->model == NULL)
		e->model = e->req->model;
	r = resp_object(e->req, e->id, e->model, e->created, HF_NONE, "in_progress", NULL, NULL, NULL);
	if (ev_write(e, "response.created", ev_with(ev_new("response.created"), "response", r)))
		return 1;
	r = resp_object(e->req, e->id, e->model, e->created, HF_NONE, "in_progress", NULL, NULL, NULL);
	return ev_write(e, "response.in_progress", ev_with(ev_new("response.in_progress"), "response", r));
}

static int
enc_added(struct renc *e, json_t *item)
{
	json_t *o = ev_with(ev_new("response.output_item.added"), "output_index",
	    json_integer(e->out_index));

	return ev_write(e, "response.output_item.added", ev_with(o, "item", item));
}

/* Close the open item: its .done events, and keep it for the end. */
static int
enc_close(struct renc *e)
{
	const char *t = buf_cstr(&e->acc);
	size_t n = buf_len(&e->acc);
	json_t *o, *item = NULL;
	enum item_kind k = e->open;

	e->open = IT_NONE;
	switch (k) {
	case IT_NONE:
		return e->gone;
	case IT_REASONING:
		if (e->has_part) {
			o = ev_with(ev_item(e, "response.reasoning_summary_text.done"), "summary_index",
			    json_integer(0));
			if (ev_write(e, "response.reasoning_summary_text.done", ev_with(o, "text", hub_jstrn(t, n))))
				return 1;
			o = ev_with(ev_item(e, "response.reasoning_summary_part.done"), "summary_index",
			    json_integer(0));
			o = ev_with(o, "part", json_pack("{s:s, s:o}", "type", "summary_text", "text", hub_jstrn(t, n)));
			if (ev_write(e, "response.reasoning_summary_part.done", o))
				return 1;
		}
		item = item_reasoning(e->item_id, t, e->has_part, e->sig);
		break;
	case IT_MESSAGE:
		o = ev_with(ev_item(e, "response.output_text.done"), "content_index", json_integer(0));
		o = ev_with(o, "text", hub_jstrn(t, n));
		if (ev_write(e, "response.output_text.done", ev_with(o, "logprobs", json_array())))
			return 1;
		o = ev_with(ev_item(e, "response.content_part.done"), "content_index", json_integer(0));
		if (ev_write(e, "response.content_part.done", ev_with(o, "part", text_part(t, n))))
			return 1;
		item = item_message(e->item_id, t, n, "completed");
		break;
	case IT_CALL:
		if (e->custom) {
			/* the text is known once the arguments are complete */
			item = item_call(e->a, e->req, e->item_id, e->call_id, e->name, n ? t : "{}", "completed");
			o = ev_item(e, "response.custom_tool_call_input.done");
			if (item == NULL || ev_write(e, "response.custom_tool_call_input.done",
			    ev_with(o, "input", json_incref(json_object_get(item, "input"))))) {
				json_decref(item);
				return 1;
			}
			break;
		}
		/* a call without arguments still gets a JSON text, in the
		 * deltas too for clients that only add those up */
		if (n == 0) {
			t = "{}";
			o = ev_item(e, "response.function_call_arguments.delta");
			if (ev_write(e, "response.function_call_arguments.delta", ev_with(o, "delta", hub_jstr(t))))
				return 1;
		}
		o = ev_item(e, "response.function_call_arguments.done");
		if (ev_write(e, "response.function_call_arguments.done", ev_with(o, "arguments", hub_jstr(t))))
			return 1;
		item = item_call(e->a, e->req, e->item_id, e->call_id, e->name, t, "completed");
		break;
	}
	if (item == NULL || json_array_append(e->output, item) != 0) {
		json_decref(item);
		e->gone = 1;
		return 1;
	}
	buf_reset(&e->acc);
	o = ev_with(ev_new("response.output_item.done"), "output_index", json_integer(e->out_index));
	return ev_write(e, "response.output_item.done", ev_with(o, "item", item));
}

/* Close what is open and open an item of kind k with the given id. */
static int
enc_open(struct renc *e, enum item_kind k, const char *prefix)
{
	if (enc_start(e) || enc_close(e))
		return 1;
	e->open = k;
	e->out_index = e->nitems++;
	e->item_id = hub_new_id(e->a, prefix);
	e->has_part = 0;
	e->sig = NULL;
	buf_reset(&e->acc);
	return e->item_id == NULL ? (e->gone = 1) : 0;
}

static int
enc_acc(struct renc *e, const char *s, size_t n)
{
	if (buf_add(&e->acc, s, n) != GW_OK)
		e->gone = 1;
	return e->gone;
}

static int
enc_thinking(struct renc *e, const char *s, size_t n)
{
	json_t *o;

	if (e->open != IT_REASONING) {
		if (enc_open(e, IT_REASONING, "rs_") ||
		    enc_added(e, item_reasoning(e->item_id, NULL, 0, NULL)))
			return 1;
	}
	if (!e->has_part) {
		e->has_part = 1;
		o = ev_with(ev_item(e, "response.reasoning_summary_part.added"), "summary_index", json_integer(0));
		o = ev_with(o, "part", json_pack("{s:s, s:s}", "type", "summary_text", "text", ""));
		if (ev_write(e, "response.reasoning_summary_part.added", o))
			return 1;
	}
	if (n == 0)
		return 0;
	if (enc_acc(e, s, n))
		return 1;
	o = ev_with(ev_item(e, "response.reasoning_summary_text.delta"), "summary_index", json_integer(0));
	return ev_write(e, "response.reasoning_summary_text.delta", ev_with(o, "delta", hub_jstrn(s, n)));
}

/* The signature of the thinking just streamed; a signature alone (encrypted
 * reasoning without summary) still makes a reasoning item. */
static int
enc_signature(struct renc *e, const char *s)
{
	if (e->open != IT_REASONING) {
		if (enc_open(e, IT_REASONING, "rs_") ||
		    enc_added(e, item_reasoning(e->item_id, NULL, 0, NULL)))
			return 1;
	}
	if ((e->sig = arena_strdup(e->a, s ? s : "")) == NULL)
		e->gone = 1;
	return e->gone;
}

static int
enc_text(struct renc *e, const char *s, size_t n)
{
	json_t *o;

	if (e->open != IT_MESSAGE) {
		if (enc_open(e, IT_MESSAGE, "msg_") ||
		    enc_added(e, item_message(e->item_id, NULL, 0, "in_progress")))
			return 1;
		o = ev_with(ev_item(e, "response.content_part.added"), "content_index", json_integer(0));
		if (ev_write(e, "response.content_part.added", ev_with(o, "part", text_part("", 0))))
			return 1;
	}
	if (n == 0)
		return 0;
	if (enc_acc(e, s, n))
		return 1;
	o = ev_with(ev_item(e, "response.output_text.delta"), "content_index", json_integer(0));
	o = ev_with(o, "delta", hub_jstrn(s, n));
	return ev_write(e, "response.output_text.delta", ev_with(o, "logprobs", json_array()));
}

static int
enc_tool_start(struct renc *e, const struct hub_ev *ev)
{
	if (enc_open(e, IT_CALL, "fc_"))
		return 1;
	e->tool_index = ev->index;
	e->call_id = arena_strdup(e->a, ev->id ? ev->id : hub_new_id(e->a, "call_"));
	e->name = arena_strdup(e->a, ev->name ? ev->name : "");
	if (e->call_id == NULL || e->name == NULL)
		return e->gone = 1;
	e->custom = hub_tool_origin(e->req, e->name) != NULL && hub_tool_origin(e->req, e->name)->custom;
	return enc_added(e, item_call(e->a, e->req, e->item_id, e->call_id, e->name, NULL, "in_progress"));
}

static int
enc_tool_args(struct renc *e, const struct hub_ev *ev, const char *s, size_t n)
{
	/* arguments of a call already closed cannot be reopened: upstreams
	 * stream calls one after the other */
	if (e->open != IT_CALL || ev->index != e->tool_index || n == 0)
		return 0;
	if (enc_acc(e, s, n) || e->custom)
		return e->gone;
	return ev_write(e, "response.function_call_arguments.delta",
	    ev_with(ev_item(e, "response.function_call_arguments.delta"), "delta", hub_jstrn(s, n)));
}

static int
enc_end(struct renc *e)
{
	const char *type;
	json_t *r;
	enum hub_finish f = e->finish;

	if (e->ended)
		return e->gone;
	if (enc_start(e) || enc_close(e))
		return 1;
	e->ended = 1;
	type = f == HF_LENGTH || f == HF_CONTENT_FILTER ? "response.incomplete" : "response.completed";
	r = resp_object(e->req, e->id, e->model, e->created, f, "completed", json_incref(e->output),
	    e->have_usage ? usage_json(&e->usage) : NULL, NULL);
	return ev_write(e, type, ev_with(ev_new(type), "response", r));
}

/* An upstream failure mid-stream: `error`, then response.failed. */
static int
enc_error(struct renc *e, const struct hub_ev *ev)
{
	const char *code = ev->name ? ev->name : "server_error";
	const char *msg = ev->text ? ev->text : "upstream error";
	json_t *o, *r;

	if (e->ended)
		return e->gone;
	if (enc_start(e))
		return 1;
	e->ended = 1;
	o = ev_with(ev_new("error"), "code", hub_jstr(code));
	o = ev_with(o, "message", hub_jstr(msg));
	if (ev_write(e, "error", ev_with(o, "param", json_null())))
		return 1;
	r = resp_object(e->req, e->id, e->model, e->created, HF_NONE, "failed", json_incref(e->output),
	    e->have_usage ? usage_json(&e->usage) : NULL,
	    json_pack("{s:o, s:o}", "code", hub_jstr(code), "message", hub_jstr(msg)));
	return ev_write(e, "response.failed", ev_with(ev_new("response.failed"), "response", r));
}

static int
resp_enc_event(void *p, const struct hub_ev *ev)
{
	struct renc *e = p;
	size_t n = ev->len ? ev->len : (ev->text ? strlen(ev->text) : 0);

	if (e->gone)
		return 1;
	if (e->ended && ev->type != HE_END)
		return 0;
	switch (ev->type) {
	case HE_START:
		if (!e->started) {
			if (prefixed(ev->id, "resp_"))
				e->id = arena_strdup(e->a, ev->id);
			if (ev->name)
				e->model = arena_strdup(e->a, ev->name);
		}
		if (ev->usage.input) {
			e->usage = ev->usage;
			e->have_usage = 1;
		}
		return enc_start(e);
	case HE_TEXT:
		return enc_text(e, ev->text, n);
	case HE_THINKING:
		return enc_thinking(e, ev->text, n);
	case HE_SIGNATURE:
		return enc_signature(e, ev->text);
	case HE_TOOL_START:
		return enc_tool_start(e, ev);
	case HE_TOOL_ARGS:
		return enc_tool_args(e, ev, ev->text, n);
	case HE_FINISH:
		e->finish = ev->finish;
		return 0;
	case HE_USAGE:
		e->usage = ev->usage;
		e->have_usage = 1;
		return 0;
	case HE_ERROR:
		return enc_error(e, ev);
	case HE_END:
		return enc_end(e);
	case HE_REDACTED:	/* Claude's opaque data has no Responses form */
	default:
		return 0;
	}
}

static void *
resp_enc_new(struct arena *a, const struct hub_req *req, hub_write_fn write, void *ctx)
{
	struct hub_req *dflt;
	struct renc *e;

	if ((e = arena_calloc(a, sizeof(*e))) == NULL)
		return NULL;
	if (req == NULL) {
		if ((dflt = arena_alloc(a, sizeof(*dflt))) == NULL)
			return NULL;
		hub_req_init(dflt);
		req = dflt;
	}
	e->a = a;
	e->req = req;
	e->write = write;
	e->ctx = ctx;
	e->created = now_sec();
	buf_init(&e->acc, BUF_MAX_RESPONSE);
	if ((e->output = json_array()) == NULL)
		return NULL;
	if (arena_defer(a, renc_free, e) != GW_OK)
		return NULL;
	return e;
}

/* ---------------------------------------------------------------------
 * Errors
 */

static int
resp_error_decode(struct arena *a, json_t *body, const char **type, const char **message)
{
	json_t *e = json_object_get(body, "error");
	const char *m = jstr(e, "message"), *t = jstr(e, "type");

	if (m == NULL)
		return GW_EINPUT;
	if (t == NULL)
		t = jstr(e, "code");
	*message = arena_strdup(a, m);
	*type = arena_strdup(a, t ? t : "api_error");
	return *message && *type ? GW_OK : GW_ENOMEM;
}

/* ---------------------------------------------------------------------
 * Upstream side: hub -> Responses request (§2.1, §2.2)
 */

static json_t *
re_input_part(struct arena *a, const struct hub_part *p)
{
	const char *url;

	switch (p->type) {
	case HP_TEXT:
		return json_pack("{s:s, s:o}", "type", "input_text", "text", hub_jstr(p->text));
	case HP_IMAGE:
		url = p->url ? p->url : hub_make_data_url(a, p->mime, p->data);
		return json_pack("{s:s, s:o, s:o}", "type", "input_image", "image_url", hub_jstr(url),
		    "detail", hub_jstr(p->detail ? p->detail : "auto"));
	case HP_FILE:
		if (p->url && !p->data)
			return json_pack("{s:s, s:o}", "type", "input_file", "file_url", hub_jstr(p->url));
		return json_pack("{s:s, s:o, s:o}", "type", "input_file",
		    "file_data", hub_jstr(hub_make_data_url(a, p->mime, p->data)),
		    "filename", hub_jstr(p->name ? p->name : "file"));
	default:
		return NULL;
	}
}

/* A function_call_output: text, or parts when the result holds images. */
static json_t *
re_call_output(struct arena *a, const struct hub_part *p)
{
	json_t *out = NULL;
	size_t i;
	int rich = 0, fail = 0;

	for (i = 0; i < p->ncontent; i++)
		if (p->content[i].type == HP_IMAGE || p->content[i].type == HP_FILE)
			rich = 1;
	if (rich) {
		out = json_array();
		for (i = 0; i < p->ncontent; i++)
			if (p->content[i].type == HP_TEXT || p->content[i].type == HP_IMAGE ||
			    p->content[i].type == HP_FILE)
				fail |= json_array_append_new(out, re_input_part(a, &p->content[i]));
	} else if (p->text == NULL && p->ncontent) {
		struct hub_msg tmp = { HUB_TOOL, p->content, p->ncontent, NULL };
		out = hub_jstr(hub_msg_text(a, &tmp));
	} else
		out = hub_jstr(p->text);
	if (fail) {
		json_decref(out);
		out = NULL;
	}
	return json_pack("{s:s, s:o, s:o}", "type", "function_call_output",
	    "call_id", hub_jstr(p->id), "output", out);
}

/* A user or tool message: its tool results first, then the rest as one
 * user message. */
static int
re_user(struct arena *a, const struct hub_msg *m, json_t *input)
{
	json_t *content = json_array(), *it;
	const struct hub_part *p;
	size_t i;
	int fail = 0;

	for (i = 0; i < m->nparts; i++) {
		p = &m->parts[i];
		if (p->type == HP_TOOL_RESULT)
			fail |= json_array_append_new(input, re_call_output(a, p));
		else if ((m->role == HUB_USER || (m->role == HUB_SYSTEM && p->type == HP_TEXT)) &&
		    (it = re_input_part(a, p)) != NULL)
			fail |= json_array_append_new(content, it);
	}
	if (json_array_size(content) == 0) {
		json_decref(content);
		return fail;
	}
	return fail | json_array_append_new(input, json_pack("{s:s, s:s, s:o}", "type", "message",
	    "role", m->role == HUB_SYSTEM ? "developer" : "user", "content", content));
}

/* The number of system messages before the first other one: they become
 * `instructions`; later ones stay in place as developer messages. */
static size_t
leading_system(const struct hub_req *q)
{
	size_t i = 0;

	while (i < q->nmsgs && q->msgs[i].role == HUB_SYSTEM)
		i++;
	return i;
}

/* An assistant turn: reasoning items that can be replayed (signature and
 * id), text as message items, tool calls as function_call items. */
static int
re_assistant(const struct hub_msg *m, json_t *input)
{
	json_t *text = NULL, *it;
	const struct hub_part *p;
	size_t i;
	int fail = 0, dropped = 0;

	/* a function_call item id without its reasoning item is refused */
	for (i = 0; i < m->nparts; i++)
		if (m->parts[i].type == HP_THINKING && !(m->parts[i].signature && m->parts[i].item_id))
			dropped = 1;
	for (i = 0; i < m->nparts; i++) {
		p = &m->parts[i];
		if (p->type != HP_TEXT)
			text = NULL;
		switch (p->type) {
		case HP_THINKING:
			if (!p->signature || !p->item_id)
				continue;
			it = json_pack("{s:s, s:o, s:[], s:o}", "type", "reasoning", "id", hub_jstr(p->item_id),
			    "summary", "encrypted_content", hub_jstr(p->signature));
			if (it && p->text && *p->text)
				fail |= json_array_append_new(json_object_get(it, "summary"),
				    json_pack("{s:s, s:o}", "type", "summary_text", "text", hub_jstr(p->text)));
			break;
		case HP_TEXT:
			if (text == NULL) {
				it = json_pack("{s:s, s:s, s:[]}", "type", "message", "role", "assistant", "content");
				if ((fail |= json_array_append_new(input, it)) != 0)
					return fail;
				text = json_object_get(it, "content");
			}
			fail |= json_array_append_new(text, json_pack("{s:s, s:o, s:[]}", "type", "output_text",
			    "text", hub_jstr(p->text), "annotations"));
			continue;
		case HP_TOOL_CALL:
			it = json_pack("{s:s, s:o, s:o, s:o}", "type", "function_call", "call_id", hub_jstr(p->id),
			    "name", hub_jstr(p->name), "arguments", hub_jstr(p->args && *p->args ? p->args : "{}"));
			if (it && prefixed(p->item_id, "fc_") && !dropped)
				fail |= json_object_set_new(it, "id", hub_jstr(p->item_id));
			break;
		default:
			continue;
		}
		fail |= json_array_append_new(input, it);
	}
	return fail;
}

static json_t *
re_tools(const struct hub_req *q)
{
	json_t *arr = json_array(), *t;
	const struct hub_tool *ht;
	size_t i;
	int fail = 0;

	for (i = 0; i < q->ntools; i++) {
		ht = &q->tools[i];
		t = json_pack("{s:s, s:o}", "type", "function", "name", hub_jstr(ht->name));
		if (ht->description)
			fail |= json_object_set_new(t, "description", hub_jstr(ht->description));
		fail |= json_object_set_new(t, "parameters", ht->parameters ? json_incref(ht->parameters) :
		    json_pack("{s:s, s:{}}", "type", "object", "properties"));
		fail |= json_object_set_new(t, "strict", json_boolean(ht->strict == 1));
		fail |= json_array_append_new(arr, t);
	}
	if (q->web_search)
		fail |= json_array_append_new(arr, json_pack("{s:s}", "type", "web_search"));
	if (fail) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

/* reasoning {effort, summary}, or NULL when the request asks for none. */
static json_t *
re_reasoning(const struct hub_req *q)
{
	const char *effort = q->reasoning_effort, *summary = q->reasoning_summary;
	json_t *r;
	int fail = 0;

	if (effort == NULL && q->thinking_budget > 0 && q->thinking != 0)
		effort = hub_budget_effort(q->thinking_budget);
	if (summary == NULL && q->thinking == 1)
		summary = "auto";
	if (effort == NULL && summary == NULL)
		return NULL;
	r = json_object();
	if (effort)
		fail |= json_object_set_new(r, "effort", hub_jstr(effort));
	if (summary)
		fail |= json_object_set_new(r, "summary", hub_jstr(summary));
	if (fail) {
		json_decref(r);
		return NULL;
	}
	return r;
}

static json_t *
re_instructions(struct arena *a, const struct hub_req *q)
{
	struct buf b = BUF_INIT(BUF_MAX_RESPONSE);
	const char *t;
	json_t *j;
	size_t i;

	for (i = 0; i < leading_system(q); i++) {
		if ((t = hub_msg_text(a, &q->msgs[i])) == NULL)
			goto fail;
		if (*t == '\0')
			continue;
		if ((buf_len(&b) && buf_adds(&b, "\n\n") != GW_OK) || buf_adds(&b, t) != GW_OK)
			goto fail;
	}
	j = buf_len(&b) ? hub_jstrn(buf_cstr(&b), buf_len(&b)) : json_null();
	buf_release(&b);
	return j;
fail:
	buf_release(&b);
	return NULL;
}

/*
 * Upstream side: the hub as a Responses request body (new ref). Leading
 * system messages become `instructions`, later ones developer messages in
 * place; store:false, so reasoning is replayed with
 * encrypted_content. The Responses API has no stop, seed, n, penalties or
 * top_k: they are dropped.
 */
static json_t *
resp_req_encode(struct arena *a, struct hub_req *q, struct hub_err *err)
{
	json_t *b, *input, *v;
	size_t i;
	int fail = 0, reasoning;

	if ((b = json_pack("{s:o}", "model", hub_jstr(q->model))) == NULL || (input = json_array()) == NULL) {
		json_decref(b);
		hub_nomem(err);
		return NULL;
	}
	if ((v = re_instructions(a, q)) == NULL)
		fail = 1;
	else if (json_is_null(v))
		json_decref(v);
	else
		fail |= json_object_set_new(b, "instructions", v);
	for (i = 0; i < q->nmsgs && !fail; i++) {
		switch (q->msgs[i].role) {
		case HUB_ASSISTANT:
			fail |= re_assistant(&q->msgs[i], input);
			break;
		case HUB_USER:
		case HUB_TOOL:
			fail |= re_user(a, &q->msgs[i], input);
			break;
		case HUB_SYSTEM:
			if (i >= leading_system(q))
				fail |= re_user(a, &q->msgs[i], input);
			break;
		}
	}
	fail |= json_object_set_new(b, "input", input);
	if (q->ntools || q->web_search)
		fail |= json_object_set_new(b, "tools", re_tools(q));
	if (q->tool_choice != HTC_UNSET)
		fail |= json_object_set_new(b, "tool_choice", tool_choice_json(q));
	if (q->parallel_tool_calls != -1)
		fail |= json_object_set_new(b, "parallel_tool_calls", json_boolean(q->parallel_tool_calls));
	if (q->rf != HRF_NONE)
		fail |= json_object_set_new(b, "text", json_pack("{s:o}", "format", format_json(q)));
	if ((v = re_reasoning(q)) != NULL) {
		fail |= json_object_set_new(b, "reasoning", v);
		fail |= json_object_set_new(b, "include", json_pack("[s]", "reasoning.encrypted_content"));
	}
	/* reasoning models refuse sampling parameters */
	reasoning = v != NULL;
	if (q->max_tokens >= 0)
		fail |= json_object_set_new(b, "max_output_tokens",
		    json_integer(q->max_tokens < 16 ? 16 : q->max_tokens));
	if (!reasoning && !isnan(q->temperature))
		fail |= json_object_set_new(b, "temperature", json_real(q->temperature));
	if (!reasoning && !isnan(q->top_p))
		fail |= json_object_set_new(b, "top_p", json_real(q->top_p));
	fail |= json_object_set_new(b, "store", json_false());
	fail |= json_object_set_new(b, "stream", json_boolean(q->stream));
	if (q->user)
		fail |= json_object_set_new(b, "user", hub_jstr(q->user));
	if (json_is_object(q->metadata))
		fail |= json_object_set(b, "metadata", q->metadata);
	if (fail) {
		json_decref(b);
		hub_nomem(err);
		return NULL;
	}
	return b;
}

/* ---------------------------------------------------------------------
 * Upstream side: response object -> hub (§2.3)
 */

static int
rd_item(struct arena *a, json_t *it, struct hub_resp *out, size_t *ncalls, int *refusal)
{
	const char *type = jstr(it, "type"), *t;
	json_t *c;
	struct hub_part *p;
	size_t j;

	if (streq(type, "reasoning")) {
		if ((t = join_texts(a, json_object_get(it, "summary"))) != NULL && *t == '\0')
			t = join_texts(a, json_object_get(it, "content"));
		if (t == NULL)
			return GW_ENOMEM;
		if (*t == '\0' && jstr(it, "encrypted_content") == NULL)
			return GW_OK;
		if ((p = hub_add_part(a, &out->parts, &out->nparts, HP_THINKING)) == NULL)
			return GW_ENOMEM;
		p->text = t;
		p->signature = jstr(it, "encrypted_content");
		p->item_id = jstr(it, "id");
	} else if (streq(type, "message")) {
		c = json_object_get(it, "content");
		for (j = 0; j < json_array_size(c); j++) {
			json_t *cp = json_array_get(c, j);
			if (streq(jstr(cp, "type"), "refusal")) {
				t = jstr(cp, "refusal");
				*refusal = 1;
			} else
				t = jstr(cp, "text");
			if (t == NULL)
				continue;
			if ((p = hub_add_part(a, &out->parts, &out->nparts, HP_TEXT)) == NULL)
				return GW_ENOMEM;
			p->text = t;
		}
	} else if (streq(type, "function_call")) {
		if ((p = hub_add_part(a, &out->parts, &out->nparts, HP_TOOL_CALL)) == NULL)
			return GW_ENOMEM;
		p->id = jstr(it, "call_id");
		p->name = jstr(it, "name");
		t = jstr(it, "arguments");
		p->args = t && *t ? t : "{}";
		p->item_id = jstr(it, "id");
		if (p->id == NULL)
			p->id = hub_new_id(a, "call_");
		(*ncalls)++;
	}
	/* built-in tool items (web_search_call ...) have no hub form */
	return GW_OK;
}

static int
resp_resp_decode(struct arena *a, const struct hub_req *req, json_t *body, struct hub_resp *out)
{
	json_t *output = json_object_get(body, "output"), *u;
	size_t i, ncalls = 0;
	int refusal = 0, rc;

	(void)req;
	memset(out, 0, sizeof(*out));
	if (!streq(jstr(body, "object"), "response") || !json_is_array(output))
		return GW_EINPUT;
	hub_keep(a, json_incref(body));
	out->id = jstr(body, "id");
	out->model = jstr(body, "model");
	out->created = json_integer_value(json_object_get(body, "created_at"));
	for (i = 0; i < json_array_size(output); i++)
		if ((rc = rd_item(a, json_array_get(output, i), out, &ncalls, &refusal)) != GW_OK)
			return rc;
	out->finish = finish_of(body, ncalls, refusal);
	if (json_is_object(u = json_object_get(body, "usage"))) {
		usage_from(u, &out->usage);
		out->have_usage = 1;
	}
	return GW_OK;
}

/* ---------------------------------------------------------------------
 * Upstream side: Responses SSE -> hub events (§2.4). Dispatch on data.type;
 * sequence_number is optional (absent in March-2025 streams).
 */

struct rcall {
	const char *item_id;	/* "fc_..." */
	int64_t out_index;
	int index;		/* hub tool index */
	int got_args;
};

struct rdec {
	struct arena *a;
	const struct hub_req *req;
	hub_emit_fn emit;
	void *ctx;
	int started;
	struct rcall *calls;
	size_t ncalls;
	const char *think_item;	/* the reasoning item whose text was last emitted */
	int64_t think_idx;	/* and its summary (content) index */
	int got_think, got_text;	/* deltas seen in the current item */
	int refusal, errored;
};

static int
dec_emit(struct rdec *d, struct hub_ev *ev)
{
	struct hub_ev st;

	if (!d->started) {
		d->started = 1;
		memset(&st, 0, sizeof(st));
		st.type = HE_START;
		st.name = d->req ? d->req->model : NULL;
		if (d->emit(d->ctx, &st) != 0)
			return 1;
	}
	return d->emit(d->ctx, ev);
}

static int
dec_delta(struct rdec *d, enum hub_ev_type type, const char *s, size_t n, int index)
{
	struct hub_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.text = s;
	ev.len = n;
	ev.index = index;
	return dec_emit(d, &ev);
}

static struct rcall *
dec_call(struct rdec *d, const char *item_id, json_t *out_index)
{
	size_t i;

	for (i = 0; i < d->ncalls; i++)
		if (streq(d->calls[i].item_id, item_id))
			return &d->calls[i];
	if (item_id == NULL && json_is_integer(out_index))
		for (i = 0; i < d->ncalls; i++)
			if (d->calls[i].out_index == json_integer_value(out_index))
				return &d->calls[i];
	return NULL;
}

/* A function_call item begins: HE_TOOL_START, index = calls so far. */
static struct rcall *
dec_call_start(struct rdec *d, json_t *item, json_t *out_index)
{
	struct hub_ev ev;
	struct rcall *c, *arr;
	const char *id = jstr(item, "call_id"), *name = jstr(item, "name");

	if (d->ncalls == 0 || (d->ncalls >= 4 && (d->ncalls & (d->ncalls - 1)) == 0)) {
		if ((arr = arena_alloc(d->a, (d->ncalls ? d->ncalls * 2 : 4) * sizeof(*arr))) == NULL)
			return NULL;
		if (d->ncalls)
			memcpy(arr, d->calls, d->ncalls * sizeof(*arr));
		d->calls = arr;
	}
	c = &d->calls[d->ncalls];
	memset(c, 0, sizeof(*c));
	c->index = (int)d->ncalls++;
	c->out_index = json_is_integer(out_index) ? json_integer_value(out_index) : -1;
	if (jstr(item, "id") && (c->item_id = arena_strdup(d->a, jstr(item, "id"))) == NULL)
		return NULL;
	memset(&ev, 0, sizeof(ev));
	ev.type = HE_TOOL_START;
	ev.index = c->index;
	ev.id = arena_strdup(d->a, id ? id : hub_new_id(d->a, "call_"));
	ev.name = arena_strdup(d->a, name ? name : "");
	if (ev.id == NULL || ev.name == NULL || dec_emit(d, &ev) != 0)
		return NULL;
	return c;
}

static int
dec_call_args(struct rdec *d, struct rcall *c, const char *s)
{
	if (c == NULL || c->got_args || s == NULL || *s == '\0')
		return 0;
	c->got_args = 1;
	return dec_delta(d, HE_TOOL_ARGS, s, strlen(s), c->index);
}

static int
dec_item_added(struct rdec *d, json_t *o)
{
	json_t *item = json_object_get(o, "item");
	struct rcall *c;

	if (streq(jstr(item, "type"), "message"))
		d->got_text = 0;
	if (streq(jstr(item, "type"), "reasoning"))
		d->got_think = 0;
	if (!streq(jstr(item, "type"), "function_call"))
		return 0;
	if ((c = dec_call_start(d, item, json_object_get(o, "output_index"))) == NULL)
		return 1;
	/* some compatible servers send the arguments whole, without deltas */
	return dec_call_args(d, c, jstr(item, "arguments"));
}

/* output_item.done: the signature of a reasoning item, and whatever an
 * upstream that skipped the deltas only sends complete. */
static int
dec_item_done(struct rdec *d, json_t *o)
{
	json_t *item = json_object_get(o, "item"), *c;
	const char *type = jstr(item, "type"), *id = jstr(item, "id"), *t;
	struct rcall *call;
	struct hub_ev ev;
	size_t j;

	if (streq(type, "reasoning")) {
		if (!d->got_think) {
			if ((t = join_texts(d->a, json_object_get(item, "summary"))) != NULL && *t == '\0')
				t = join_texts(d->a, json_object_get(item, "content"));
			if (t && *t && dec_delta(d, HE_THINKING, t, strlen(t), 0))
				return 1;
		}
		d->got_think = 0;
		if ((t = jstr(item, "encrypted_content")) == NULL)
			return 0;
		memset(&ev, 0, sizeof(ev));
		ev.type = HE_SIGNATURE;
		ev.text = arena_strdup(d->a, t);
		ev.len = strlen(t);
		/* the "rs_" item id, for encoders that replay it */
		ev.id = id ? arena_strdup(d->a, id) : NULL;
		if (ev.text == NULL)
			return 1;
		return dec_emit(d, &ev);
	}
	if (streq(type, "message")) {
		if (d->got_text) {
			d->got_text = 0;
			return 0;
		}
		c = json_object_get(item, "content");
		for (j = 0; j < json_array_size(c); j++) {
			json_t *cp = json_array_get(c, j);
			if (streq(jstr(cp, "type"), "refusal")) {
				d->refusal = 1;
				t = jstr(cp, "refusal");
			} else
				t = jstr(cp, "text");
			if (t && *t && dec_delta(d, HE_TEXT, t, strlen(t), 0))
				return 1;
		}
		return 0;
	}
	if (streq(type, "function_call")) {
		call = dec_call(d, id, json_object_get(o, "output_index"));
		if (call == NULL && (call = dec_call_start(d, item, json_object_get(o, "output_index"))) == NULL)
			return 1;
		return dec_call_args(d, call, jstr(item, "arguments"));
	}
	return 0;
}

static int
dec_text(struct rdec *d, json_t *o, int refusal)
{
	const char *s = jstr(o, "delta");

	if (refusal)
		d->refusal = 1;
	if (s == NULL || *s == '\0')
		return 0;
	d->got_text = 1;
	return dec_delta(d, HE_TEXT, s, json_string_length(json_object_get(o, "delta")), 0);
}

/* Summary (or raw reasoning) text; "\n\n" between the parts of one item,
 * as resp_decode joins them. */
static int
dec_thinking(struct rdec *d, json_t *o, const char *idx_key)
{
	json_t *dv = json_object_get(o, "delta");
	const char *s = json_string_value(dv), *id = jstr(o, "item_id");
	int64_t idx = json_integer_value(json_object_get(o, idx_key));

	if (s == NULL || *s == '\0')
		return 0;
	if (d->think_item != NULL && streq(d->think_item, id) && d->think_idx != idx &&
	    dec_delta(d, HE_THINKING, "\n\n", 2, 0))
		return 1;
	if (id && !streq(d->think_item, id) && (d->think_item = arena_strdup(d->a, id)) == NULL)
		return 1;
	d->think_idx = idx;
	d->got_think = 1;
	return dec_delta(d, HE_THINKING, s, json_string_length(dv), 0);
}

static int
dec_terminal(struct rdec *d, json_t *r)
{
	struct hub_ev ev;
	json_t *u = json_object_get(r, "usage");

	memset(&ev, 0, sizeof(ev));
	ev.type = HE_FINISH;
	ev.finish = finish_of(r, d->ncalls, d->refusal);
	if (dec_emit(d, &ev) != 0)
		return 1;
	if (!json_is_object(u))
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.type = HE_USAGE;
	usage_from(u, &ev.usage);
	return dec_emit(d, &ev);
}

static int
dec_error(struct rdec *d, json_t *e)
{
	struct hub_ev ev;
	const char *code = jstr(e, "code"), *type = jstr(e, "type");

	/* `error` is followed by response.failed: one HE_ERROR */
	if (d->errored)
		return 0;
	d->errored = 1;
	/* {"error":{"type":"rate_limit_error",...}} names it by type */
	if (code == NULL && type && !streq(type, "error") && !prefixed(type, "response."))
		code = type;
	memset(&ev, 0, sizeof(ev));
	ev.type = HE_ERROR;
	ev.status = code && strstr(code, "rate_limit") ? 429 : 500;
	ev.name = code ? code : "server_error";
	ev.text = jstr(e, "message");
	if (ev.text == NULL)
		ev.text = "the upstream response failed";
	ev.len = strlen(ev.text);
	return dec_emit(d, &ev);
}

static int
resp_dec_event(void *p, const struct sse_event *sev)
{
	struct rdec *d = p;
	json_t *o, *r;
	const char *type;
	struct hub_ev ev;
	int rc = 0;

	if ((o = json_loadb(sev->data, sev->len, JSON_DECODE_ANY, NULL)) == NULL)
		return 0;	/* not JSON: nothing this decoder knows */
	if ((type = jstr(o, "type")) == NULL && sev->event && *sev->event)
		type = sev->event;
	if (type == NULL)
		;
	else if (streq(type, "response.created") || streq(type, "response.in_progress") ||
	    streq(type, "response.queued")) {
		if (!d->started) {
			r = json_object_get(o, "response");
			d->started = 1;
			memset(&ev, 0, sizeof(ev));
			ev.type = HE_START;
			ev.id = jstr(r, "id") ? arena_strdup(d->a, jstr(r, "id")) : NULL;
			ev.name = arena_strdup(d->a, jstr(r, "model") ? jstr(r, "model") :
			    d->req && d->req->model ? d->req->model : "");
			rc = d->emit(d->ctx, &ev);
		}
	} else if (streq(type, "response.output_text.delta"))
		rc = dec_text(d, o, 0);
	else if (streq(type, "response.refusal.delta"))
		rc = dec_text(d, o, 1);
	else if (streq(type, "response.reasoning_summary_text.delta"))
		rc = dec_thinking(d, o, "summary_index");
	else if (streq(type, "response.reasoning_text.delta"))
		rc = dec_thinking(d, o, "content_index");
	else if (streq(type, "response.output_item.added"))
		rc = dec_item_added(d, o);
	else if (streq(type, "response.output_item.done"))
		rc = dec_item_done(d, o);
	else if (streq(type, "response.function_call_arguments.delta")) {
		struct rcall *c = dec_call(d, jstr(o, "item_id"), json_object_get(o, "output_index"));
		const char *s = jstr(o, "delta");
		if (c != NULL && s != NULL && *s != '\0') {
			c->got_args = 1;
			rc = dec_delta(d, HE_TOOL_ARGS, s, json_string_length(json_object_get(o, "delta")), c->index);
		}
	} else if (streq(type, "response.function_call_arguments.done"))
		rc = dec_call_args(d, dec_call(d, jstr(o, "item_id"), json_object_get(o, "output_index")),
		    jstr(o, "arguments"));
	else if (streq(type, "response.completed") || streq(type, "response.incomplete"))
		rc = dec_terminal(d, json_object_get(o, "response"));
	else if (streq(type, "response.failed")) {
		r = json_object_get(json_object_get(o, "response"), "error");
		rc = dec_error(d, json_is_object(r) ? r : o);
	} else if (streq(type, "error"))
		rc = dec_error(d, json_is_object(json_object_get(o, "error")) ? json_object_get(o, "error") : o);
	json_decref(o);
	return rc;
}

/* Nothing is pending: a Responses stream carries its finish and usage in
 * its terminal event; a stream cut before it is the relay's to report. */
static int
resp_dec_end(void *p)
{
	(void)p;
	return 0;
}

static void *
resp_dec_new(struct arena *a, const struct hub_req *req, hub_emit_fn emit, void *ctx)
{
	struct rdec *d;

	if ((d = arena_calloc(a, sizeof(*d))) == NULL)
		return NULL;
	d->a = a;
	d->req = req;
	d->emit = emit;
	d->ctx = ctx;
	return d;
}

/* OpenAI Responses, both as a client format and as an upstream protocol. */
const struct hub_format hub_responses = {
	.name = "responses",
	.req_decode = resp_req_decode,
	.resp_encode = resp_resp_encode,
	.enc_new = resp_enc_new,
	.enc_event = resp_enc_event,
	.error_encode = hub_openai_error,
	.req_encode = resp_req_encode,
	.resp_decode = resp_resp_decode,
	.dec_new = resp_dec_new,
	.dec_event = resp_dec_event,
	.dec_end = resp_dec_end,
	.error_decode = resp_error_decode,
};
