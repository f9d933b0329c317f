/* providers/fmt_claude.c: Anthropic Messages <-> hub, as a client format and
 * as an upstream protocol (Messages API, anthropic-version 2023-06-01;
 * FORMATS.md §3 wire format, §7 translation map and §7.5 pitfalls) */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hub.h"

#define CL_MAX_TOKENS	4096	/* when the hub has none (the relay normally fills one) */
#define CL_MIN_BUDGET	1024	/* Anthropic's smallest thinking.budget_tokens */
#define CL_ID_MAX	64	/* tool ids and names: [A-Za-z0-9_-]{1,64} */
#define CL_PLACEHOLDER	"(continue)"

/* ---------------------------------------------------------------------
 * Small JSON helpers
 */



/* Set o[k] = v (stolen); a NULL v or a failed set marks *oom. */
static void
put(json_t *o, const char *k, json_t *v, int *oom)
{
	if (v == NULL || json_object_set_new(o, k, v) != 0)
		*oom = 1;
}

static void
push(json_t *arr, json_t *v, int *oom)
{
	if (v == NULL || json_array_append_new(arr, v) != 0)
		*oom = 1;
}

/* j as compact JSON text in the arena; NULL on ENOMEM. Reals are written
 * with 15 digits (0.9, not 0.90000000000000002) unless that changes a
 * value, then with jansson's exact 17. */
static const char *
dump_arena(struct arena *a, json_t *j)
{
	size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
	json_t *back;
	char *s;
	const char *r;

	if ((s = json_dumps(j, flags | JSON_REAL_PRECISION(15))) == NULL)
		return NULL;
	back = json_loads(s, JSON_DECODE_ANY, NULL);
	if (!json_equal(back, j)) {
		free(s);
		if ((s = json_dumps(j, flags)) == NULL) {
			json_decref(back);
			return NULL;
		}
	}
	json_decref(back);
	r = arena_strdup(a, s);
	free(s);
	return r;
}

/* args (JSON text) as a Claude tool input: the object, or {} when the text
 * is empty, invalid or not an object (pitfall 5). New reference. */
static json_t *
input_object(const char *args)
{
	json_t *j;

	if (args != NULL && *args != '\0' &&
	    (j = json_loads(args, 0, NULL)) != NULL) {
		if (json_is_object(j))
			return j;
		json_decref(j);
	}
	return json_object();
}


/* The status behind an in-stream error type (the reverse of hub_claude_error_type). */
static int
err_status(const char *type)
{
	static const struct { const char *type; int status; } map[] = {
		{ "invalid_request_error", 400 }, { "authentication_error", 401 },
		{ "billing_error", 402 }, { "permission_error", 403 },
		{ "not_found_error", 404 }, { "request_too_large", 413 },
		{ "rate_limit_error", 429 }, { "api_error", 500 },
		{ "timeout_error", 504 }, { "overloaded_error", 529 },
	};
	size_t i;

	for (i = 0; type != NULL && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(type, map[i].type) == 0)
			return map[i].status;
	return 500;
}

static int
idchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* s limited to [A-Za-z0-9_-] and CL_ID_MAX bytes, as Anthropic wants tool
 * ids and names (pitfalls 6, 7); s itself when already fine. */
static const char *
sanitize(struct arena *a, const char *s)
{
	size_t i, n;
	char *t;

	if (s == NULL || *s == '\0')
		return s;
	n = strlen(s);
	if (n > CL_ID_MAX)
		n = CL_ID_MAX;
	for (i = 0; i < n && idchar((unsigned char)s[i]); i++)
		;
	if (i == n && s[n] == '\0')
		return s;
	if ((t = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		t[i] = idchar((unsigned char)s[i]) ? s[i] : '_';
	t[n] = '\0';
	return t;
}

/* Whether sanitize(orig) gives s, without allocating. */
static int
sanitized_eq(const char *orig, const char *s)
{
	size_t i;

	for (i = 0; i < CL_ID_MAX && orig[i] != '\0'; i++)
		if (s[i] != (idchar((unsigned char)orig[i]) ? orig[i] : '_'))
			return 0;
	return s[i] == '\0';
}

/* The client's name of a tool the model called: names were sanitized on
 * the way up, so map them back through the request's tool list. */
static const char *
tool_name(const struct hub_req *req, const char *name)
{
	size_t i;

	if (req == NULL || name == NULL)
		return name;
	for (i = 0; i < req->ntools; i++)
		if (req->tools[i].name && strcmp(req->tools[i].name, name) == 0)
			return name;
	for (i = 0; i < req->ntools; i++)
		if (req->tools[i].name && sanitized_eq(req->tools[i].name, name))
			return req->tools[i].name;
	return name;
}

/* Claude counts input_tokens without the cache (§7.2); the hub with it. */
static int64_t
excl_input(const struct hub_usage *u)
{
	int64_t v = u->input - u->cache_read - u->cache_write;

	return v < 0 ? 0 : v;
}

static const char *
msg_id(struct arena *a, const char *id)
{
	if (id != NULL && strncmp(id, "msg_", 4) == 0)
		return id;
	return hub_new_id(a, "msg_");
}

/* §7.3: hub finish -> stop_reason. A stop with tool calls written is a
 * tool_use for Claude clients, whose agent loops key on it. */
static const char *
stop_reason(enum hub_finish f, const char *seq, int tools)
{
	switch (f) {
	case HF_LENGTH: return "max_tokens";
	case HF_TOOL_CALLS: return "tool_use";
	case HF_CONTENT_FILTER: return "refusal";
	default:
		if (tools)
			return "tool_use";
		return seq ? "stop_sequence" : "end_turn";
	}
}

static enum hub_finish
finish_of(const char *reason)
{
	if (reason == NULL)
		return HF_NONE;
	if (strcmp(reason, "max_tokens") == 0 ||
	    strcmp(reason, "model_context_window_exceeded") == 0)
		return HF_LENGTH;
	if (strcmp(reason, "tool_use") == 0)
		return HF_TOOL_CALLS;
	if (strcmp(reason, "refusal") == 0)
		return HF_CONTENT_FILTER;
	return HF_STOP;	/* end_turn, stop_sequence, pause_turn, future values */
}

/* A Claude usage object's fields into *in, *cw, *cr, *out, *think; fields
 * absent from u leave their value alone. */
static void
usage_fields(json_t *u, int64_t *in, int64_t *cw, int64_t *cr, int64_t *out, int64_t *think)
{
	json_t *v;

	if (!json_is_object(u))
		return;
	if (json_is_integer(v = json_object_get(u, "input_tokens")))
		*in = json_integer_value(v);
	if (json_is_integer(v = json_object_get(u, "cache_creation_input_tokens")))
		*cw = json_integer_value(v);
	if (json_is_integer(v = json_object_get(u, "cache_read_input_tokens")))
		*cr = json_integer_value(v);
	if (json_is_integer(v = json_object_get(u, "output_tokens")))
		*out = json_integer_value(v);
	v = json_object_get(json_object_get(u, "output_tokens_details"), "thinking_tokens");
	if (json_is_integer(v))
		*think = json_integer_value(v);
}

static void
hub_usage_set(struct hub_usage *h, int64_t in, int64_t cw, int64_t cr, int64_t out, int64_t think)
{
	h->input = in + cw + cr;
	h->cache_write = cw;
	h->cache_read = cr;
	h->output = out;
	h->reasoning = think;
}

static json_t *
usage_json(const struct hub_usage *u)
{
	return json_pack("{s:I, s:I, s:I, s:I}",
	    "input_tokens", (json_int_t)excl_input(u),
	    "cache_creation_input_tokens", (json_int_t)u->cache_write,
	    "cache_read_input_tokens", (json_int_t)u->cache_read,
	    "output_tokens", (json_int_t)u->output);
}

/* ---------------------------------------------------------------------
 * req_decode: a client's Messages body into the hub (§3.1)
 */

struct rd {
	struct arena *a;
	struct hub_req *q;
	struct hub_err *err;
	json_t *calls;		/* tool_use id -> name, for tool_result checks */
};




/* "path.key", or "key" at the top level. */
#define PK(path) (path), *(path) ? "." : ""

/* o[key] as a string: GW_OK with *out (NULL when absent or null), or a 400
 * naming the field. need: absent is a 400 too. */
static int
get_str(struct hub_err *err, json_t *o, const char *path, const char *key, int need, const char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return need ? hub_fail(err, "%s%s%s: Field required", PK(path), key) : GW_OK;
	if (!json_is_string(v))
		return hub_fail(err, "%s%s%s: Input should be a valid string", PK(path), key);
	*out = json_string_value(v);
	return GW_OK;
}

static int
get_int(struct hub_err *err, json_t *o, const char *path, const char *key, int64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || json_is_null(v))
		return GW_OK;
	if (!json_is_integer(v))
		return hub_fail(err, "%s%s%s: Input should be a valid integer", PK(path), key);
	*out = json_integer_value(v);
	return GW_OK;
}

static int
get_num(struct hub_err *err, json_t *o, const char *key, double *out)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || json_is_null(v))
		return GW_OK;
	if (!json_is_number(v))
		return hub_fail(err, "%s: Input should be a valid number", key);
	*out = json_number_value(v);
	return GW_OK;
}

/* -1 absent, else 0/1. */
static int
get_bool(struct hub_err *err, json_t *o, const char *path, const char *key, int *out)
{
	json_t *v = json_object_get(o, key);

	*out = -1;
	if (v == NULL || json_is_null(v))
		return GW_OK;
	if (!json_is_boolean(v))
		return hub_fail(err, "%s%s%s: Input should be a valid boolean", PK(path), key);
	*out = json_is_true(v);
	return GW_OK;
}

/* o[key] as an object (NULL when absent or null). */
static int
get_obj(struct hub_err *err, json_t *o, const char *path, const char *key, json_t **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return GW_OK;
	if (!json_is_object(v))
		return hub_fail(err, "%s%s%s: Input should be a valid dictionary", PK(path), key);
	*out = v;
	return GW_OK;
}

/* The block's cache_control, kept alive by the arena. */
static json_t *
keep_cc(struct arena *a, json_t *b)
{
	json_t *cc = json_object_get(b, "cache_control");

	return json_is_object(cc) ? hub_keep(a, json_incref(cc)) : NULL;
}

/* Blocks Anthropic runs on its side: nothing on another provider can stand
 * in for them. */
static int
server_block(const char *type)
{
	size_t n = strlen(type);

	return strcmp(type, "server_tool_use") == 0 || strcmp(type, "mcp_tool_use") == 0 ||
	    strcmp(type, "container_upload") == 0 || strcmp(type, "search_result") == 0 ||
	    (n > 12 && strcmp(type + n - 12, "_tool_result") == 0);
}

/* image/document source (§3.1 Blocks) into p: base64 -> mime + data, url
 * -> url; a plain-text document becomes text. */
static int
decode_source(struct rd *r, json_t *b, const char *path, struct hub_part *p)
{
	char sp[96];
	const char *type;
	json_t *src;
	int rc;

	if ((rc = get_obj(r->err, b, path, "source", &src)) != GW_OK)
		return rc;
	if (src == NULL)
		return hub_fail(r->err, "%s.source: Field required", path);
	snprintf(sp, sizeof(sp), "%s.source", path);
	if ((rc = get_str(r->err, src, sp, "type", 1, &type)) != GW_OK)
		return rc;
	if (strcmp(type, "base64") == 0) {
		if ((rc = get_str(r->err, src, sp, "media_type", 1, &p->mime)) != GW_OK)
			return rc;
		return get_str(r->err, src, sp, "data", 1, &p->data);
	}
	if (strcmp(type, "url") == 0)
		return get_str(r->err, src, sp, "url", 1, &p->url);
	if (strcmp(type, "text") == 0 && p->type == HP_FILE) {
		p->type = HP_TEXT;
		return get_str(r->err, src, sp, "data", 1, &p->text);
	}
	return hub_fail(r->err, "%s.type: '%.32s' sources are not supported when translating to this provider",
	    sp, type);
}

/* A tool_result's content blocks (text, image, document) into parts. */
static int
decode_result_content(struct rd *r, json_t *arr, const char *path, struct hub_part **parts, size_t *n)
{
	char bp[96];
	const char *type;
	struct hub_part *p;
	json_t *b;
	size_t i;
	int rc;

	json_array_foreach(arr, i, b) {
		snprintf(bp, sizeof(bp), "%s.content.%zu", path, i);
		if (!json_is_object(b))
			return hub_fail(r->err, "%s: Input should be a valid dictionary", bp);
		if ((rc = get_str(r->err, b, bp, "type", 1, &type)) != GW_OK)
			return rc;
		if (strcmp(type, "text") == 0) {
			if ((p = hub_add_part(r->a, parts, n, HP_TEXT)) == NULL)
				return hub_nomem(r->err);
			rc = get_str(r->err, b, bp, "text", 1, &p->text);
		} else if (strcmp(type, "image") == 0 || strcmp(type, "document") == 0) {
			p = hub_add_part(r->a, parts, n, type[0] == 'i' ? HP_IMAGE : HP_FILE);
			if (p == NULL)
				return hub_nomem(r->err);
			rc = decode_source(r, b, bp, p);
		} else
			return hub_fail(r->err, "%s: '%.32s' blocks in tool_result are not supported when translating to this provider",
			    bp, type);
		if (rc != GW_OK)
			return rc;
		p->cache_control = keep_cc(r->a, b);
	}
	return GW_OK;
}

/* A tool_result block: its own HUB_TOOL message (placed before the rest of
 * the user message by the caller's order of appends). */
static int
decode_tool_result(struct rd *r, json_t *b, const char *path)
{
	struct hub_part *parts = NULL, *p;
	struct hub_msg tmp, *m;
	const char *id, *name, *text = "";
	size_t n = 0, i;
	int rc, is_error, rich = 0;
	json_t *c;

	if ((rc = get_str(r->err, b, path, "tool_use_id", 1, &id)) != GW_OK ||
	    (rc = get_bool(r->err, b, path, "is_error", &is_error)) != GW_OK)
		return rc;
	if ((name = json_string_value(json_object_get(r->calls, id))) == NULL)
		return hub_fail(r->err, "%s: tool_result tool_use_id '%.64s' has no matching tool_use", path, id);
	c = json_object_get(b, "content");
	if (json_is_string(c))
		text = json_string_value(c);
	else if (json_is_array(c)) {
		if ((rc = decode_result_content(r, c, path, &parts, &n)) != GW_OK)
			return rc;
		memset(&tmp, 0, sizeof(tmp));
		tmp.parts = parts;
		tmp.nparts = n;
		if ((text = hub_msg_text(r->a, &tmp)) == NULL)
			return hub_nomem(r->err);
		for (i = 0; i < n; i++)
			rich |= parts[i].type != HP_TEXT;
	} else if (c != NULL && !json_is_null(c))
		return hub_fail(r->err, "%s.content: Input should be a valid string or list", path);
	if ((m = hub_add_msg(r->a, r->q, HUB_TOOL)) == NULL ||
	    (p = hub_add_part(r->a, &m->parts, &m->nparts, HP_TOOL_RESULT)) == NULL)
		return hub_nomem(r->err);
	p->id = id;
	p->name = name;
	p->text = text;
	p->is_error = is_error == 1;
	if (rich) {
		p->content = parts;
		p->ncontent = n;
	}
	p->cache_control = keep_cc(r->a, b);
	return GW_OK;
}

static int
decode_tool_use(struct rd *r, json_t *b, const char *path, struct hub_part *p)
{
	json_t *in = json_object_get(b, "input");
	json_t *s;
	int rc;

	if ((rc = get_str(r->err, b, path, "id", 1, &p->id)) != GW_OK ||
	    (rc = get_str(r->err, b, path, "name", 1, &p->name)) != GW_OK)
		return rc;
	if (in == NULL || json_is_null(in))
		p->args = "{}";
	else if (!json_is_object(in))
		return hub_fail(r->err, "%s.input: Input should be a valid dictionary", path);
	else if ((p->args = dump_arena(r->a, in)) == NULL)
		return hub_nomem(r->err);
	if ((s = json_string(p->name)) == NULL || json_object_set_new(r->calls, p->id, s) != 0)
		return hub_nomem(r->err);
	return GW_OK;
}

/* One content block of message role into parts (tool results go to their
 * own messages). */
static int
decode_block(struct rd *r, json_t *b, enum hub_role role, const char *path,
    struct hub_part **parts, size_t *n)
{
	static const struct { const char *type; enum hub_part_type pt; int role; } kinds[] = {
		{ "text", HP_TEXT, -1 },
		{ "image", HP_IMAGE, -1 },
		{ "document", HP_FILE, -1 },
		{ "tool_use", HP_TOOL_CALL, HUB_ASSISTANT },
		{ "thinking", HP_THINKING, HUB_ASSISTANT },
		{ "redacted_thinking", HP_REDACTED_THINKING, HUB_ASSISTANT },
		{ "tool_result", HP_TOOL_RESULT, HUB_USER },
	};
	const char *type;
	struct hub_part *p;
	size_t k;
	int rc;

	if (!json_is_object(b))
		return hub_fail(r->err, "%s: Input should be a valid dictionary", path);
	if ((rc = get_str(r->err, b, path, "type", 1, &type)) != GW_OK)
		return rc;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (strcmp(type, kinds[k].type) == 0)
			break;
	if (k == sizeof(kinds) / sizeof(kinds[0])) {
		if (server_block(type))
			return hub_fail(r->err, "%s: '%.40s' blocks (server tools) are not supported when translating to this provider",
			    path, type);
		return hub_fail(r->err, "%s.type: unknown content block type '%.40s'", path, type);
	}
	if (kinds[k].role >= 0 && (int)role != kinds[k].role)
		return hub_fail(r->err, "%s: %s blocks are only allowed in %s messages", path, type,
		    kinds[k].role == HUB_USER ? "user" : "assistant");
	if (kinds[k].pt == HP_TOOL_RESULT)
		return decode_tool_result(r, b, path);
	if ((p = hub_add_part(r->a, parts, n, kinds[k].pt)) == NULL)
		return hub_nomem(r->err);
	p->cache_control = keep_cc(r->a, b);
	switch (kinds[k].pt) {
	case HP_TEXT:
		return get_str(r->err, b, path, "text", 1, &p->text);
	case HP_IMAGE:
		return decode_source(r, b, path, p);
	case HP_FILE:
		if ((rc = get_str(r->err, b, path, "title", 0, &p->name)) != GW_OK)
			return rc;
		return decode_source(r, b, path, p);
	case HP_TOOL_CALL:
		return decode_tool_use(r, b, path, p);
	case HP_THINKING:
		if ((rc = get_str(r->err, b, path, "thinking", 1, &p->text)) != GW_OK)
			return rc;
		return get_str(r->err, b, path, "signature", 0, &p->signature);
	case HP_REDACTED_THINKING:
		return get_str(r->err, b, path, "data", 1, &p->text);
	default:
		return GW_OK;
	}
}

/* A string or text blocks (system prompt, system turn) into parts: empty
 * strings give none; block paths are prefix + "." + index. */
static int
decode_text_blocks(struct rd *r, json_t *c, const char *prefix, struct hub_part **parts, size_t *n)
{
	struct hub_part *p;
	const char *type;
	char path[64];
	size_t i;
	json_t *b;
	int rc;

	if (json_is_string(c)) {
		if (json_string_length(c) == 0)
			return GW_OK;
		if ((p = hub_add_part(r->a, parts, n, HP_TEXT)) == NULL)
			return hub_nomem(r->err);
		p->text = json_string_value(c);
		return GW_OK;
	}
	if (!json_is_array(c))
		return hub_fail(r->err, "%s: Input should be a valid string or list of text blocks", prefix);
	json_array_foreach(c, i, b) {
		snprintf(path, sizeof(path), "%s.%zu", prefix, i);
		if (!json_is_object(b))
			return hub_fail(r->err, "%s: Input should be a valid dictionary", path);
		if ((rc = get_str(r->err, b, path, "type", 1, &type)) != GW_OK)
			return rc;
		if (strcmp(type, "text") != 0)
			return hub_fail(r->err, "%s.type: system text takes blocks of type 'text' only", path);
		if ((p = hub_add_part(r->a, parts, n, HP_TEXT)) == NULL)
			return hub_nomem(r->err);
		if ((rc = get_str(r->err, b, path, "text", 1, &p->text)) != GW_OK)
			return rc;
		p->cache_control = keep_cc(r->a, b);
	}
	return GW_OK;
}

/* parts as one HUB_SYSTEM message (none when empty). */
static int
add_system(struct rd *r, struct hub_part *parts, size_t n)
{
	struct hub_msg *m;

	if (n == 0)
		return GW_OK;
	if ((m = hub_add_msg(r->a, r->q, HUB_SYSTEM)) == NULL)
		return hub_nomem(r->err);
	m->parts = parts;
	m->nparts = n;
	return GW_OK;
}

/*
 * A system turn inside messages (Claude Code sends them, beta
 * "mid-conversation-system"): content a string or text blocks, kept as a
 * HUB_SYSTEM message at its place; each encoder puts it where its target
 * takes system text (Chat and Responses in place, Claude and Gemini in the
 * top-level system).
 */
static int
decode_mid_system(struct rd *r, json_t *m, const char *path)
{
	struct hub_part *parts = NULL;
	char cp[48];
	size_t n = 0;
	int rc;

	snprintf(cp, sizeof(cp), "%s.content", path);
	if ((rc = decode_text_blocks(r, json_object_get(m, "content"), cp, &parts, &n)) != GW_OK)
		return rc;
	return add_system(r, parts, n);
}

static int
decode_message(struct rd *r, json_t *m, size_t i)
{
	struct hub_part *parts = NULL, *p;
	struct hub_msg *msg;
	enum hub_role role;
	const char *rs;
	char path[32], bp[64];
	size_t n = 0, j;
	json_t *c, *b;
	int rc;

	snprintf(path, sizeof(path), "messages.%zu", i);
	if (!json_is_object(m))
		return hub_fail(r->err, "%s: Input should be a valid dictionary", path);
	if ((rc = get_str(r->err, m, path, "role", 1, &rs)) != GW_OK)
		return rc;
	if (strcmp(rs, "user") == 0)
		role = HUB_USER;
	else if (strcmp(rs, "assistant") == 0)
		role = HUB_ASSISTANT;
	else if (strcmp(rs, "system") == 0)
		return decode_mid_system(r, m, path);
	else
		return hub_fail(r->err, "messages: Unexpected role \"%.32s\" (%s.role); roles are \"user\", "
		    "\"assistant\" and \"system\"", rs, path);
	c = json_object_get(m, "content");
	if (json_is_string(c)) {
		if ((p = hub_add_part(r->a, &parts, &n, HP_TEXT)) == NULL)
			return hub_nomem(r->err);
		p->text = json_string_value(c);
	} else if (json_is_array(c)) {
		json_array_foreach(c, j, b) {
			snprintf(bp, sizeof(bp), "%s.content.%zu", path, j);
			if ((rc = decode_block(r, b, role, bp, &parts, &n)) != GW_OK)
				return rc;
		}
	} else if (c == NULL || json_is_null(c))
		return hub_fail(r->err, "%s.content: Field required", path);
	else
		return hub_fail(r->err, "%s.content: Input should be a valid string or list of content blocks", path);
	if (n == 0)
		return GW_OK;	/* only tool results, or nothing */
	if ((msg = hub_add_msg(r->a, r->q, role)) == NULL)
		return hub_nomem(r->err);
	msg->parts = parts;
	msg->nparts = n;
	return GW_OK;
}

/* system: a string or text blocks -> one HUB_SYSTEM message. */
static int
decode_system(struct rd *r, json_t *sys)
{
	struct hub_part *parts = NULL;
	size_t n = 0;
	int rc;

	if (sys == NULL || json_is_null(sys))
		return GW_OK;
	if ((rc = decode_text_blocks(r, sys, "system", &parts, &n)) != GW_OK)
		return rc;
	return add_system(r, parts, n);
}

static int
decode_tools(struct rd *r, json_t *tools)
{
	struct hub_tool *t;
	const char *type;
	char path[32];
	json_t *o;
	size_t i;
	int rc, strict;

	if (tools == NULL || json_is_null(tools))
		return GW_OK;
	if (!json_is_array(tools))
		return hub_fail(r->err, "tools: Input should be a valid list");
	json_array_foreach(tools, i, o) {
		snprintf(path, sizeof(path), "tools.%zu", i);
		if (!json_is_object(o))
			return hub_fail(r->err, "%s: Input should be a valid dictionary", path);
		if ((rc = get_str(r->err, o, path, "type", 0, &type)) != GW_OK)
			return rc;
		if (type != NULL && strncmp(type, "web_search_", 11) == 0) {
			r->q->web_search = 1;	/* the target's own search, where it has one */
			continue;
		}
		if (type != NULL && strcmp(type, "custom") != 0) {
			/* bash, text editor, code execution, web fetch...: run by
			 * Anthropic, nothing elsewhere stands in for them */
			hub_drop(r->a, r->q, type);
			continue;
		}
		if ((t = hub_add_tool(r->a, r->q)) == NULL)
			return hub_nomem(r->err);
		if ((rc = get_str(r->err, o, path, "name", 1, &t->name)) != GW_OK ||
		    (rc = get_str(r->err, o, path, "description", 0, &t->description)) != GW_OK ||
		    (rc = get_obj(r->err, o, path, "input_schema", &t->parameters)) != GW_OK ||
		    (rc = get_bool(r->err, o, path, "strict", &strict)) != GW_OK)
			return rc;
		t->strict = strict;
		hub_keep(r->a, json_incref(t->parameters));
		t->cache_control = keep_cc(r->a, o);
	}
	return GW_OK;
}

static int
decode_tool_choice(struct rd *r, json_t *body)
{
	struct hub_req *q = r->q;
	const char *type;
	json_t *tc;
	int rc, dis;

	if ((rc = get_obj(r->err, body, "", "tool_choice", &tc)) != GW_OK || tc == NULL)
		return rc;
	if ((rc = get_str(r->err, tc, "tool_choice", "type", 1, &type)) != GW_OK ||
	    (rc = get_bool(r->err, tc, "tool_choice", "disable_parallel_tool_use", &dis)) != GW_OK)
		return rc;
	if (strcmp(type, "auto") == 0)
		q->tool_choice = HTC_AUTO;
	else if (strcmp(type, "any") == 0)
		q->tool_choice = HTC_REQUIRED;
	else if (strcmp(type, "none") == 0)
		q->tool_choice = HTC_NONE;
	else if (strcmp(type, "tool") == 0) {
		q->tool_choice = HTC_FORCED;
		if ((rc = get_str(r->err, tc, "tool_choice", "name", 1, &q->tool_choice_name)) != GW_OK)
			return rc;
	} else
		return hub_fail(r->err, "tool_choice.type: expected 'auto', 'any', 'tool' or 'none'");
	if (dis >= 0)
		q->parallel_tool_calls = !dis;
	return GW_OK;
}

/* thinking and output_config (effort, structured output). */
static int
decode_reasoning(struct rd *r, json_t *body)
{
	struct hub_req *q = r->q;
	const char *type;
	json_t *th, *oc, *fmt, *schema;
	int rc;

	if ((rc = get_obj(r->err, body, "", "thinking", &th)) != GW_OK)
		return rc;
	if (th != NULL) {
		if ((rc = get_str(r->err, th, "thinking", "type", 1, &type)) != GW_OK)
			return rc;
		if (strcmp(type, "enabled") == 0) {
			q->thinking = 1;
			if ((rc = get_int(r->err, th, "thinking", "budget_tokens", &q->thinking_budget)) != GW_OK)
				return rc;
			if (json_object_get(th, "budget_tokens") != NULL && q->thinking_budget < 1)
				return hub_fail(r->err, "thinking.budget_tokens: Input should be greater than or equal to 1");
		} else if (strcmp(type, "adaptive") == 0)
			q->thinking = 1;
		else if (strcmp(type, "disabled") == 0)
			q->thinking = 0;
		else
			return hub_fail(r->err, "thinking.type: expected 'enabled', 'adaptive' or 'disabled'");
	}
	if ((rc = get_obj(r->err, body, "", "output_config", &oc)) != GW_OK || oc == NULL)
		return rc;
	if ((rc = get_str(r->err, oc, "output_config", "effort", 0, &q->reasoning_effort)) != GW_OK ||
	    (rc = get_obj(r->err, oc, "output_config", "format", &fmt)) != GW_OK || fmt == NULL)
		return rc;
	if ((rc = get_str(r->err, fmt, "output_config.format", "type", 1, &type)) != GW_OK)
		return rc;
	if (strcmp(type, "json_schema") != 0)
		return hub_fail(r->err, "output_config.format.type: expected 'json_schema'");
	if ((rc = get_obj(r->err, fmt, "output_config.format", "schema", &schema)) != GW_OK)
		return rc;
	if (schema == NULL)
		return hub_fail(r->err, "output_config.format.schema: Field required");
	q->rf = HRF_JSON_SCHEMA;
	q->rf_name = "response";
	q->rf_schema = hub_keep(r->a, json_incref(schema));
	return GW_OK;
}

static int
decode_sampling(struct rd *r, json_t *body)
{
	struct hub_req *q = r->q;
	json_t *ss, *v, *md;
	size_t i;
	int rc, stream;

	if ((rc = get_str(r->err, body, "", "model", 0, &q->model)) != GW_OK ||
	    (rc = get_int(r->err, body, "", "max_tokens", &q->max_tokens)) != GW_OK ||
	    (rc = get_num(r->err, body, "temperature", &q->temperature)) != GW_OK ||
	    (rc = get_num(r->err, body, "top_p", &q->top_p)) != GW_OK ||
	    (rc = get_int(r->err, body, "", "top_k", &q->top_k)) != GW_OK ||
	    (rc = get_bool(r->err, body, "", "stream", &stream)) != GW_OK ||
	    (rc = get_obj(r->err, body, "", "metadata", &md)) != GW_OK ||
	    (rc = get_str(r->err, md, "metadata", "user_id", 0, &q->user)) != GW_OK)
		return rc;
	if (q->max_tokens != -1 && q->max_tokens < 1)
		return hub_fail(r->err, "max_tokens: Input should be greater than or equal to 1");
	q->stream = stream == 1;
	ss = json_object_get(body, "stop_sequences");
	if (ss == NULL || json_is_null(ss))
		return GW_OK;
	if (!json_is_array(ss))
		return hub_fail(r->err, "stop_sequences: Input should be a valid list");
	if ((q->stop = arena_alloc(r->a, (json_array_size(ss) + 1) * sizeof(*q->stop))) == NULL)
		return hub_nomem(r->err);
	json_array_foreach(ss, i, v) {
		if (!json_is_string(v))
			return hub_fail(r->err, "stop_sequences.%zu: Input should be a valid string", i);
		q->stop[q->nstop++] = json_string_value(v);
	}
	return GW_OK;
}

/* Claude client body -> hub. The body is kept alive by the arena, so the
 * hub's strings point into it. */
static int
claude_req_decode(struct arena *a, json_t *body, struct hub_req *q, struct hub_err *err)
{
	struct rd r = { a, q, err, NULL };
	json_t *msgs, *m;
	size_t i;
	int rc;

	hub_req_init(q);
	err->status = 400;
	err->message[0] = '\0';
	if (!json_is_object(body))
		return hub_fail(err, "the request body must be a JSON object");
	hub_keep(a, json_incref(body));
	if ((r.calls = hub_keep(a, json_object())) == NULL)
		return hub_nomem(err);
	if ((rc = decode_sampling(&r, body)) != GW_OK ||
	    (rc = decode_system(&r, json_object_get(body, "system"))) != GW_OK)
		return rc;
	msgs = json_object_get(body, "messages");
	if (msgs == NULL || json_is_null(msgs))
		return hub_fail(err, "messages: Field required");
	if (!json_is_array(msgs))
		return hub_fail(err, "messages: Input should be a valid list");
	if (json_array_size(msgs) == 0)
		return hub_fail(err, "messages: at least one message is required");
	json_array_foreach(msgs, i, m)
		if ((rc = decode_message(&r, m, i)) != GW_OK)
			return rc;
	if ((rc = decode_tools(&r, json_object_get(body, "tools"))) != GW_OK ||
	    (rc = decode_tool_choice(&r, body)) != GW_OK ||
	    (rc = decode_reasoning(&r, body)) != GW_OK)
		return rc;
	return GW_OK;
}

/* ---------------------------------------------------------------------
 * resp_encode: the hub's answer as a Messages response (§3.2)
 */

/* A response content block for p; NULL when p has nothing to say. */
static json_t *
out_block(struct arena *a, const struct hub_part *p, int *oom)
{
	json_t *b;

	switch (p->type) {
	case HP_TEXT:
		if (p->text == NULL || *p->text == '\0')
			return NULL;
		b = json_pack("{s:s, s:o}", "type", "text", "text", hub_jstr(p->text));
		break;
	case HP_THINKING:
		b = json_pack("{s:s, s:o, s:o}", "type", "thinking", "thinking", hub_jstr(p->text),
		    "signature", hub_jstr(p->signature ? p->signature : ""));
		break;
	case HP_REDACTED_THINKING:
		b = json_pack("{s:s, s:o}", "type", "redacted_thinking", "data", hub_jstr(p->text));
		break;
	case HP_TOOL_CALL:
		b = json_pack("{s:s, s:o, s:o, s:o}", "type", "tool_use",
		    "id", hub_jstr(p->id ? p->id : hub_new_id(a, "toolu_")),
		    "name", hub_jstr(p->name), "input", input_object(p->args));
		break;
	default:
		return NULL;
	}
	if (b == NULL)
		*oom = 1;
	return b;
}

static json_t *
claude_resp_encode(struct arena *a, const struct hub_req *req, const struct hub_resp *resp)
{
	const char *model = resp->model ? resp->model : req ? req->model : NULL;
	json_t *o, *content, *b;
	size_t i;
	int oom = 0, tools = 0;

	if ((o = json_object()) == NULL)
		return NULL;
	content = json_array();
	for (i = 0; i < resp->nparts; i++) {
		if ((b = out_block(a, &resp->parts[i], &oom)) == NULL)
			continue;
		tools |= resp->parts[i].type == HP_TOOL_CALL;
		push(content, b, &oom);
	}
	put(o, "id", hub_jstr(msg_id(a, resp->id)), &oom);
	put(o, "type", json_string("message"), &oom);
	put(o, "role", json_string("assistant"), &oom);
	put(o, "model", hub_jstr(model ? model : ""), &oom);
	put(o, "content", content, &oom);
	put(o, "stop_reason", json_string(stop_reason(resp->finish, resp->stop_sequence, tools)), &oom);
	put(o, "stop_sequence", resp->stop_sequence ? hub_jstr(resp->stop_sequence) : json_null(), &oom);
	put(o, "usage", usage_json(&resp->usage), &oom);
	if (oom) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---------------------------------------------------------------------
 * Stream encoder: hub events -> Claude SSE (§3.3, pitfall 13)
 */

enum eblk { EB_NONE, EB_TEXT, EB_THINKING, EB_TOOL };

struct enc {
	struct arena *a;
	const struct hub_req *req;
	hub_write_fn write;
	void *ctx;
	int gone;		/* a write failed: the client left */
	int started;		/* message_start written */
	int ended;		/* message_stop or error written */
	enum eblk open;		/* the open block */
	int cur;		/* its index */
	int next;		/* index of the next block */
	int sealed;		/* the open thinking block has its signature */
	int tool;		/* hub index of the open tool_use block */
	int tools;		/* tool_use blocks written */
	struct hub_usage usage;	/* HE_START's, then HE_USAGE's */
	enum hub_finish finish;
	const char *stop_seq;
};

static size_t
evlen(const struct hub_ev *ev)
{
	return ev->len ? ev->len : ev->text ? strlen(ev->text) : 0;
}

/* {"type":type} to be filled; type comes first as Anthropic writes it. */
static json_t *
ev_obj(const char *type)
{
	return json_pack("{s:s}", "type", type);
}

/* Write one event (data stolen) named after its type. */
static int
send_ev(struct enc *e, json_t *data, int oom)
{
	char *s;

	if (e->gone)
		return e->gone;
	if (data == NULL || oom || (s = json_dumps(data, JSON_COMPACT)) == NULL) {
		json_decref(data);
		return e->gone = -1;
	}
	e->gone = e->write(e->ctx, json_string_value(json_object_get(data, "type")), s, strlen(s));
	free(s);
	json_decref(data);
	return e->gone;
}

static int
enc_start(struct enc *e, const char *id, const char *model)
{
	json_t *d = ev_obj("message_start"), *m = json_object(), *u;
	int oom = 0;

	e->started = 1;
	if (model == NULL)
		model = e->req && e->req->model ? e->req->model : "";
	u = usage_json(&e->usage);
	put(u, "output_tokens", json_integer(0), &oom);
	put(m, "id", hub_jstr(msg_id(e->a, id)), &oom);
	put(m, "type", json_string("message"), &oom);
	put(m, "role", json_string("assistant"), &oom);
	put(m, "model", hub_jstr(model), &oom);
	put(m, "content", json_array(), &oom);
	put(m, "stop_reason", json_null(), &oom);
	put(m, "stop_sequence", json_null(), &oom);
	put(m, "usage", u, &oom);
	put(d, "message", m, &oom);
	return send_ev(e, d, oom);
}

static int
enc_close(struct enc *e)
{
	json_t *d;
	int oom = 0;

	if (e->open == EB_NONE)
		return 0;
	e->open = EB_NONE;
	d = ev_obj("content_block_stop");
	put(d, "index", json_integer(e->cur), &oom);
	return send_ev(e, d, oom);
}

/* Close the open block and open kind with content_block cb (stolen). */
static int
enc_open(struct enc *e, enum eblk kind, json_t *cb)
{
	json_t *d;
	int oom = 0;

	if (enc_close(e) != 0) {
		json_decref(cb);
		return e->gone;
	}
	e->open = kind;
	e->cur = e->next++;
	e->sealed = 0;
	d = ev_obj("content_block_start");
	put(d, "index", json_integer(e->cur), &oom);
	put(d, "content_block", cb, &oom);
	return send_ev(e, d, oom);
}

/* content_block_delta {type:dtype, key:text} in the open block. */
static int
enc_delta(struct enc *e, const char *dtype, const char *key, const char *s, size_t n)
{
	json_t *d = ev_obj("content_block_delta"), *dl = ev_obj(dtype);
	int oom = 0;

	put(dl, key, hub_jstrn(s, n), &oom);
	put(d, "index", json_integer(e->cur), &oom);
	put(d, "delta", dl, &oom);
	return send_ev(e, d, oom);
}

static int
enc_thinking_block(struct enc *e)
{
	if (e->open == EB_THINKING && !e->sealed)
		return 0;
	return enc_open(e, EB_THINKING, json_pack("{s:s, s:s, s:s}",
	    "type", "thinking", "thinking", "", "signature", ""));
}

static int
enc_end(struct enc *e)
{
	const struct hub_usage *u = &e->usage;
	json_t *d, *dl;
	int oom = 0;

	if (enc_close(e) != 0)
		return e->gone;
	e->ended = 1;
	d = ev_obj("message_delta");
	dl = json_object();
	put(dl, "stop_reason", json_string(stop_reason(e->finish, e->stop_seq, e->tools)), &oom);
	put(dl, "stop_sequence", e->stop_seq ? hub_jstr(e->stop_seq) : json_null(), &oom);
	put(d, "delta", dl, &oom);
	put(d, "usage", json_pack("{s:I, s:I, s:I, s:I}",
	    "output_tokens", (json_int_t)u->output,
	    "input_tokens", (json_int_t)excl_input(u),
	    "cache_creation_input_tokens", (json_int_t)u->cache_write,
	    "cache_read_input_tokens", (json_int_t)u->cache_read), &oom);
	if (send_ev(e, d, oom) != 0)
		return e->gone;
	return send_ev(e, ev_obj("message_stop"), 0);
}

static int
enc_error(struct enc *e, const struct hub_ev *ev)
{
	int status = ev->status ? ev->status : 500;
	json_t *d = ev_obj("error");
	int oom = 0;

	e->ended = 1;
	put(d, "error", json_pack("{s:s, s:o}", "type", hub_claude_error_type(status),
	    "message", ev->text ? hub_jstrn(ev->text, evlen(ev)) : json_string("upstream error")), &oom);
	return send_ev(e, d, oom);
}

static int
claude_enc_event(void *p, const struct hub_ev *ev)
{
	struct enc *e = p;
	json_t *cb;

	if (e->gone)
		return e->gone;
	if (e->ended)
		return 0;
	if (ev->type == HE_START) {
		if (e->started)
			return 0;
		e->usage = ev->usage;
		return enc_start(e, ev->id, ev->name);
	}
	if (ev->type == HE_FINISH) {
		e->finish = ev->finish;
		if (ev->text != NULL && *ev->text != '\0')
			e->stop_seq = arena_strndup(e->a, ev->text, evlen(ev));
		return 0;
	}
	if (ev->type == HE_USAGE) {
		e->usage = ev->usage;
		return 0;
	}
	if (ev->type == HE_ERROR)
		return enc_error(e, ev);
	if (!e->started && enc_start(e, NULL, NULL) != 0)
		return e->gone;
	switch (ev->type) {
	case HE_TEXT:
		if (evlen(ev) == 0)
			return 0;	/* never an empty text block */
		if (e->open != EB_TEXT &&
		    enc_open(e, EB_TEXT, json_pack("{s:s, s:s}", "type", "text", "text", "")) != 0)
			return e->gone;
		return enc_delta(e, "text_delta", "text", ev->text, evlen(ev));
	case HE_THINKING:
		if (evlen(ev) == 0)
			return 0;
		if (enc_thinking_block(e) != 0)
			return e->gone;
		return enc_delta(e, "thinking_delta", "thinking", ev->text, evlen(ev));
	case HE_SIGNATURE:
		if (evlen(ev) == 0 || enc_thinking_block(e) != 0)
			return e->gone;
		e->sealed = 1;
		return enc_delta(e, "signature_delta", "signature", ev->text, evlen(ev));
	case HE_REDACTED:
		/* a whole block: start and stop at once */
		cb = json_pack("{s:s, s:o}", "type", "redacted_thinking", "data", hub_jstrn(ev->text, evlen(ev)));
		if (enc_open(e, EB_THINKING, cb) != 0)
			return e->gone;
		return enc_close(e);
	case HE_TOOL_START:
		cb = json_pack("{s:s, s:o, s:o, s:{}}", "type", "tool_use",
		    "id", hub_jstr(ev->id ? ev->id : hub_new_id(e->a, "toolu_")),
		    "name", hub_jstr(ev->name ? ev->name : ""), "input");
		if (enc_open(e, EB_TOOL, cb) != 0)
			return e->gone;
		e->tool = ev->index;
		e->tools++;
		return 0;
	case HE_TOOL_ARGS:
		/* A closed block cannot reopen: arguments of a call that is
		 * no longer the open block are dropped (upstreams stream one
		 * call after another). */
		if (e->open != EB_TOOL || ev->index != e->tool || evlen(ev) == 0)
			return 0;
		return enc_delta(e, "input_json_delta", "partial_json", ev->text, evlen(ev));
	case HE_END:
		return enc_end(e);
	default:
		return 0;
	}
}

static void *
claude_enc_new(struct arena *a, const struct hub_req *req, hub_write_fn write, void *ctx)
{
	struct enc *e = arena_calloc(a, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->a = a;
	e->req = req;
	e->write = write;
	e->ctx = ctx;
	e->tool = -1;
	return e;
}

static json_t *
claude_error_encode(int status, const char *type, const char *message)
{
	return json_pack("{s:s, s:{s:s, s:o}}", "type", "error", "error",
	    "type", type ? type : hub_claude_error_type(status), "message", hub_jstr(message ? message : ""));
}

/* ---------------------------------------------------------------------
 * req_encode: the hub as a request Anthropic accepts (§3.1; pitfalls 1-6,
 * 17, 19)
 */

struct re {
	struct arena *a;
	json_t *msgs;		/* the messages array */
	json_t *cur;		/* content of its last message */
	int cur_role;		/* HUB_USER / HUB_ASSISTANT of cur, -1 none */
	size_t nres;		/* tool_result blocks at the head of cur */
	int oom;
};

/* Most base64 images carry their type in the first bytes. */
static const char *
guess_image(const char *data)
{
	if (data == NULL)
		return "image/png";
	if (strncmp(data, "/9j/", 4) == 0)
		return "image/jpeg";
	if (strncmp(data, "R0lGOD", 6) == 0)
		return "image/gif";
	if (strncmp(data, "UklGR", 5) == 0)
		return "image/webp";
	return "image/png";
}

/* An image/document source: base64 (data: URLs are split) or url. */
static json_t *
source_json(struct re *st, const struct hub_part *p)
{
	const char *mime = p->mime, *data = p->data;

	if (data == NULL && p->url != NULL &&
	    hub_data_url(st->a, p->url, &mime, &data) != GW_OK)
		return json_pack("{s:s, s:o}", "type", "url", "url", hub_jstr(p->url));
	if (mime == NULL)
		mime = p->type == HP_FILE ? "application/pdf" : guess_image(data);
	return json_pack("{s:s, s:o, s:o}", "type", "base64", "media_type", hub_jstr(mime),
	    "data", hub_jstr(data ? data : ""));
}

static json_t *part_block(struct re *st, const struct hub_part *p, enum hub_role role);

static json_t *
result_block(struct re *st, const struct hub_part *p)
{
	json_t *b = json_pack("{s:s, s:o}", "type", "tool_result",
	    "tool_use_id", hub_jstr(sanitize(st->a, p->id ? p->id : "")));
	json_t *c;
	size_t i;

	if (b == NULL)
		return NULL;
	if (p->content != NULL && p->ncontent > 0) {
		c = json_array();
		for (i = 0; i < p->ncontent; i++)
			if (p->content[i].type == HP_TEXT || p->content[i].type == HP_IMAGE ||
			    p->content[i].type == HP_FILE)
				push(c, part_block(st, &p->content[i], HUB_USER), &st->oom);
		if (json_array_size(c) > 0)
			put(b, "content", c, &st->oom);
		else
			json_decref(c);
	}
	/* Empty content is left out rather than sent as "" (pitfall 17). */
	if (json_object_get(b, "content") == NULL && p->text != NULL && *p->text != '\0')
		put(b, "content", hub_jstr(p->text), &st->oom);
	if (p->is_error)
		put(b, "is_error", json_true(), &st->oom);
	return b;
}

/* The Claude block for part p of a role message; NULL = dropped. */
static json_t *
part_block(struct re *st, const struct hub_part *p, enum hub_role role)
{
	json_t *b = NULL;

	switch (p->type) {
	case HP_TEXT:
		if (p->text != NULL && *p->text != '\0')	/* pitfall 17 */
			b = json_pack("{s:s, s:o}", "type", "text", "text", hub_jstr(p->text));
		break;
	case HP_IMAGE:
		b = json_pack("{s:s, s:o}", "type", "image", "source", source_json(st, p));
		break;
	case HP_FILE:
		b = json_pack("{s:s, s:o}", "type", "document", "source", source_json(st, p));
		if (b != NULL && p->name != NULL)
			put(b, "title", hub_jstr(p->name), &st->oom);
		break;
	case HP_THINKING:
		/* Unsigned reasoning (another provider's) cannot be verified
		 * by Anthropic: drop it (pitfall 10). */
		if (role == HUB_ASSISTANT && p->signature != NULL && *p->signature != '\0')
			b = json_pack("{s:s, s:o, s:o}", "type", "thinking",
			    "thinking", hub_jstr(p->text), "signature", hub_jstr(p->signature));
		break;
	case HP_REDACTED_THINKING:
		if (role == HUB_ASSISTANT && p->text != NULL)
			b = json_pack("{s:s, s:o}", "type", "redacted_thinking", "data", hub_jstr(p->text));
		break;
	case HP_TOOL_CALL:
		if (role == HUB_ASSISTANT)
			b = json_pack("{s:s, s:o, s:o, s:o}", "type", "tool_use",
			    "id", hub_jstr(p->id ? sanitize(st->a, p->id) : hub_new_id(st->a, "toolu_")),
			    "name", hub_jstr(sanitize(st->a, p->name ? p->name : "")),
			    "input", input_object(p->args));
		break;
	case HP_TOOL_RESULT:
		b = result_block(st, p);
		break;
	}
	if (b != NULL && json_is_object(p->cache_control))
		json_object_set(b, "cache_control", p->cache_control);
	return b;
}

/* The content array of the last message when it has this role, else of a
 * new message: consecutive same-role messages merge (pitfall 3). */
static json_t *
turn(struct re *st, int role)
{
	json_t *m, *c;

	if (st->cur != NULL && st->cur_role == role)
		return st->cur;
	c = json_array();
	m = json_pack("{s:s, s:o}", "role", role == HUB_ASSISTANT ? "assistant" : "user", "content", c);
	push(st->msgs, m, &st->oom);
	st->cur = c;
	st->cur_role = role;
	st->nres = 0;
	return c;
}

/* Append block b (stolen) to a role turn; tool results go after the turn's
 * earlier results but before anything else (pitfall 4). */
static void
add_block(struct re *st, int role, json_t *b, int is_result)
{
	json_t *c;

	if (b == NULL)
		return;
	c = turn(st, role);
	if (is_result) {
		if (json_array_insert_new(c, st->nres++, b) != 0)
			st->oom = 1;
	} else
		push(c, b, &st->oom);
}

static int
block_is(json_t *b, const char *type)
{
	const char *t = json_string_value(json_object_get(b, "type"));

	return t != NULL && strcmp(t, type) == 0;
}

/* A final assistant message is a prefill (pitfall 19), and Anthropic
 * refuses one that ends in whitespace: trim it, dropping what empties. */
static void
trim_prefill(json_t *msgs)
{
	json_t *m = json_array_get(msgs, json_array_size(msgs) - 1);
	json_t *c = json_object_get(m, "content"), *last;
	const char *role = json_string_value(json_object_get(m, "role")), *s;
	size_t n;

	if (role == NULL || strcmp(role, "assistant") != 0)
		return;
	while ((n = json_array_size(c)) > 0) {
		last = json_array_get(c, n - 1);
		if (!block_is(last, "text"))
			return;
		s = json_string_value(json_object_get(last, "text"));
		n = s ? strlen(s) : 0;
		while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL)
			n--;
		if (n > 0) {
			if (s[n] != '\0')
				json_object_set_new(last, "text", json_stringn(s, n));
			return;
		}
		json_array_remove(c, json_array_size(c) - 1);
	}
	json_array_remove(msgs, json_array_size(msgs) - 1);
}

/* With thinking on, Anthropic wants the assistant turn that ends the
 * conversation, or whose tool calls the final user turn answers, to start
 * with a (signed) thinking block. History from a format without signatures
 * cannot give one. */
static int
thinking_fits(json_t *msgs)
{
	size_t n = json_array_size(msgs);
	json_t *last = json_array_get(msgs, n - 1), *a = NULL, *first;
	const char *role = json_string_value(json_object_get(last, "role"));

	if (role != NULL && strcmp(role, "assistant") == 0)
		a = last;
	else if (n >= 2 && block_is(json_array_get(json_object_get(last, "content"), 0), "tool_result"))
		a = json_array_get(msgs, n - 2);
	if (a == NULL)
		return 1;
	first = json_array_get(json_object_get(a, "content"), 0);
	return block_is(first, "thinking") || block_is(first, "redacted_thinking");
}

static json_t *
encode_messages(struct re *st, const struct hub_req *q)
{
	const struct hub_msg *m;
	json_t *first;
	const char *role;
	size_t i, j;

	for (i = 0; i < q->nmsgs; i++) {
		m = &q->msgs[i];
		if (m->role == HUB_SYSTEM)
			continue;	/* hoisted into system (pitfall 2) */
		for (j = 0; j < m->nparts; j++) {
			const struct hub_part *p = &m->parts[j];
			int res = p->type == HP_TOOL_RESULT;
			int to = m->role == HUB_ASSISTANT && !res ? HUB_ASSISTANT : HUB_USER;
			add_block(st, to, part_block(st, p, m->role == HUB_TOOL ? HUB_USER : m->role), res);
		}
	}
	trim_prefill(st->msgs);
	/* Anthropic answered 400 "messages: first message must use the "user"
	 * role" (observed 2024), and Bedrock's Claude still does (pitfall 3):
	 * OpenAI-style histories that open with an assistant greeting, or
	 * carry only a system prompt, get a neutral user turn first. */
	first = json_array_get(st->msgs, 0);
	role = json_string_value(json_object_get(first, "role"));
	if (role == NULL || strcmp(role, "user") != 0) {
		json_t *u = json_pack("{s:s, s:[{s:s, s:s}]}", "role", "user", "content",
		    "type", "text", "text", CL_PLACEHOLDER);
		if (u == NULL || json_array_insert_new(st->msgs, 0, u) != 0)
			st->oom = 1;
	}
	return st->msgs;
}

static json_t *
encode_system(struct re *st, const struct hub_req *q)
{
	json_t *sys = json_array(), *b;
	size_t i, j;

	for (i = 0; i < q->nmsgs; i++) {
		if (q->msgs[i].role != HUB_SYSTEM)
			continue;
		for (j = 0; j < q->msgs[i].nparts; j++)
			if (q->msgs[i].parts[j].type == HP_TEXT &&
			    (b = part_block(st, &q->msgs[i].parts[j], HUB_SYSTEM)) != NULL)
				push(sys, b, &st->oom);
	}
	return sys;
}

static void
sys_line(json_t *sys, const char *text, int *oom)
{
	if (text == NULL)
		*oom = 1;
	else
		push(sys, json_pack("{s:s, s:o}", "type", "text", "text", hub_jstr(text)), oom);
}

/* A tool's input_schema: Anthropic needs an object schema with "type". */
static json_t *
schema_json(json_t *params)
{
	json_t *s;

	if (!json_is_object(params))
		return json_pack("{s:s, s:{}}", "type", "object", "properties");
	if (json_object_get(params, "type") != NULL)
		return json_incref(params);
	if ((s = json_copy(params)) != NULL)
		json_object_set_new(s, "type", json_string("object"));
	return s;
}

static json_t *
encode_tools(struct re *st, const struct hub_req *q)
{
	json_t *tools = json_array(), *t;
	size_t i;

	for (i = 0; i < q->ntools; i++) {
		const struct hub_tool *h = &q->tools[i];
		t = json_pack("{s:o, s:o}", "name", hub_jstr(sanitize(st->a, h->name ? h->name : "")),
		    "input_schema", schema_json(h->parameters));
		if (t != NULL && h->description != NULL)
			put(t, "description", hub_jstr(h->description), &st->oom);
		if (t != NULL && json_is_object(h->cache_control))
			json_object_set(t, "cache_control", h->cache_control);
		push(tools, t, &st->oom);	/* "strict" is not sent */
	}
	if (q->web_search)	/* Anthropic's own web search, run on its side */
		push(tools, json_pack("{s:s, s:s}", "type", "web_search_20250305", "name", "web_search"),
		    &st->oom);
	return tools;
}

static int
effort_on(const char *effort)
{
	return effort != NULL && strcmp(effort, "none") != 0 && strcmp(effort, "minimal") != 0;
}

static json_t *
claude_req_encode(struct arena *a, struct hub_req *q, struct hub_err *err)
{
	struct re st = { a, NULL, NULL, -1, 0, 0 };
	json_t *o, *sys, *tools, *tc = NULL, *ss;
	const char *forced = NULL;
	int64_t max, budget;
	size_t i;
	int think;

	q->rf_tool = NULL;
	if ((o = json_object()) == NULL || (st.msgs = json_array()) == NULL) {
		json_decref(o);
		hub_nomem(err);
		return NULL;
	}
	if (q->model != NULL)
		put(o, "model", hub_jstr(q->model), &st.oom);
	encode_messages(&st, q);
	sys = encode_system(&st, q);
	tools = encode_tools(&st, q);

	/* Reasoning: a budget of 0 means off (Gemini's thinkingBudget). */
	think = q->thinking != 0 && q->thinking_budget != 0 &&
	    (q->thinking == 1 || q->thinking_budget > 0 || effort_on(q->reasoning_effort));
	/* Rather than a 400, answer without thinking when the history cannot
	 * carry it (a prefill, or a tool loop from a signature-less format). */
	if (think && !thinking_fits(st.msgs))
		think = 0;
	budget = q->thinking_budget > 0 ? q->thinking_budget : hub_effort_budget(q->reasoning_effort);
	if (budget < CL_MIN_BUDGET)
		budget = CL_MIN_BUDGET;
	max = q->max_tokens > 0 ? q->max_tokens : CL_MAX_TOKENS;
	if (think && max <= budget)
		max = budget + CL_MIN_BUDGET;	/* budget_tokens < max_tokens (pitfall 1) */
	put(o, "max_tokens", json_integer(max), &st.oom);

	/* Structured output as a forced tool whose input is the answer. */
	if (q->rf == HRF_JSON_SCHEMA && json_is_object(q->rf_schema)) {
		const char *name = q->rf_name && *q->rf_name ? sanitize(a, q->rf_name) : "json_response";
		json_t *t = json_pack("{s:o, s:s, s:o}", "name", hub_jstr(name),
		    "description", "Respond with a JSON object matching this schema",
		    "input_schema", schema_json(q->rf_schema));
		push(tools, t, &st.oom);
		q->rf_tool = name;
		if (think)	/* the choice becomes auto below */
			sys_line(sys, arena_printf(a, "Give your final answer by calling the %s tool "
			    "with it as the input.", name), &st.oom);
		if (q->tool_choice != HTC_FORCED)
			forced = name;
	} else if (q->rf == HRF_JSON_OBJECT || q->rf == HRF_JSON_SCHEMA)
		sys_line(sys, "Respond only with a valid JSON object.", &st.oom);
	if (json_array_size(sys) > 0)
		put(o, "system", sys, &st.oom);
	else
		json_decref(sys);
	put(o, "messages", st.msgs, &st.oom);

	if (json_array_size(tools) > 0) {
		enum hub_tool_choice c = q->tool_choice;
		const char *cname = q->tool_choice_name;

		if (forced != NULL) {
			/* The client's own tools stay callable: "any" lets the
			 * model pick one of them or the answer tool. */
			c = q->ntools > 0 && c != HTC_NONE ? HTC_REQUIRED : HTC_FORCED;
			cname = forced;
		}
		if (think && (c == HTC_REQUIRED || c == HTC_FORCED))
			c = HTC_AUTO;	/* thinking allows auto/none only (pitfall 1) */
		if (c == HTC_FORCED && cname != NULL)
			tc = json_pack("{s:s, s:o}", "type", "tool", "name", hub_jstr(sanitize(a, cname)));
		else if (c == HTC_REQUIRED)
			tc = json_pack("{s:s}", "type", "any");
		else if (c == HTC_NONE)
			tc = json_pack("{s:s}", "type", "none");
		else if (c == HTC_AUTO || q->parallel_tool_calls == 0)
			tc = json_pack("{s:s}", "type", "auto");
		if (tc != NULL && c != HTC_NONE && q->parallel_tool_calls == 0)
			put(tc, "disable_parallel_tool_use", json_true(), &st.oom);
		put(o, "tools", tools, &st.oom);
		if (tc != NULL)
			put(o, "tool_choice", tc, &st.oom);
	} else
		json_decref(tools);	/* no tool_choice without tools */

	if (q->nstop > 0) {
		ss = json_array();
		for (i = 0; i < q->nstop; i++)
			if (q->stop[i] != NULL && q->stop[i][strspn(q->stop[i], " \t\r\n")] != '\0')
				push(ss, hub_jstr(q->stop[i]), &st.oom);
		if (json_array_size(ss) > 0)
			put(o, "stop_sequences", ss, &st.oom);
		else
			json_decref(ss);
	}
	if (think)
		put(o, "thinking", json_pack("{s:s, s:I}", "type", "enabled",
		    "budget_tokens", (json_int_t)budget), &st.oom);
	else {
		/* Sampling is refused with thinking. Newer models also refuse
		 * temperature together with top_p: temperature wins. */
		if (!isnan(q->temperature))
			put(o, "temperature", json_real(q->temperature < 0 ? 0 :
			    q->temperature > 1 ? 1 : q->temperature), &st.oom);
		else if (!isnan(q->top_p))
			put(o, "top_p", json_real(q->top_p < 0 ? 0 : q->top_p > 1 ? 1 : q->top_p), &st.oom);
		if (q->top_k > 0)
			put(o, "top_k", json_integer(q->top_k), &st.oom);
	}
	if (q->user != NULL)
		put(o, "metadata", json_pack("{s:o}", "user_id", hub_jstr(q->user)), &st.oom);
	if (q->stream)
		put(o, "stream", json_true(), &st.oom);
	if (st.oom) {
		json_decref(o);
		hub_nomem(err);
		return NULL;
	}
	return o;
}

/* ---------------------------------------------------------------------
 * resp_decode: a Messages response into the hub (§3.2)
 */

static int
claude_resp_decode(struct arena *a, const struct hub_req *req, json_t *body, struct hub_resp *out)
{
	const char *type = json_string_value(json_object_get(body, "type"));
	const char *rf = req ? req->rf_tool : NULL;
	int64_t in = 0, cw = 0, cr = 0, outt = 0, think = 0;
	struct hub_part *p;
	json_t *b, *u;
	size_t i;
	int calls = 0, rf_hit = 0;

	memset(out, 0, sizeof(*out));
	if (type == NULL || strcmp(type, "message") != 0)
		return GW_EINPUT;
	hub_keep(a, json_incref(body));
	out->id = json_string_value(json_object_get(body, "id"));
	out->model = json_string_value(json_object_get(body, "model"));
	json_array_foreach(json_object_get(body, "content"), i, b) {
		const char *bt = json_string_value(json_object_get(b, "type"));
		const char *name = json_string_value(json_object_get(b, "name"));

		if (bt == NULL)
			continue;
		if (strcmp(bt, "text") == 0) {
			if (!json_is_string(json_object_get(b, "text")))
				continue;
			if ((p = hub_add_part(a, &out->parts, &out->nparts, HP_TEXT)) == NULL)
				return GW_ENOMEM;
			p->text = json_string_value(json_object_get(b, "text"));
		} else if (strcmp(bt, "thinking") == 0) {
			if ((p = hub_add_part(a, &out->parts, &out->nparts, HP_THINKING)) == NULL)
				return GW_ENOMEM;
			p->text = json_string_value(json_object_get(b, "thinking"));
			p->signature = json_string_value(json_object_get(b, "signature"));
		} else if (strcmp(bt, "redacted_thinking") == 0) {
			if ((p = hub_add_part(a, &out->parts, &out->nparts, HP_REDACTED_THINKING)) == NULL)
				return GW_ENOMEM;
			p->text = json_string_value(json_object_get(b, "data"));
		} else if (strcmp(bt, "tool_use") == 0) {
			json_t *in_ = json_object_get(b, "input");
			int is_rf = rf != NULL && name != NULL && strcmp(name, rf) == 0;

			p = hub_add_part(a, &out->parts, &out->nparts, is_rf ? HP_TEXT : HP_TOOL_CALL);
			if (p == NULL)
				return GW_ENOMEM;
			if (json_is_null(in_) || in_ == NULL)
				p->text = "{}";
			else if ((p->text = dump_arena(a, in_)) == NULL)
				return GW_ENOMEM;
			if (is_rf) {
				rf_hit = 1;
				continue;
			}
			p->args = p->text;
			p->text = NULL;
			p->id = json_string_value(json_object_get(b, "id"));
			p->name = tool_name(req, name);
			calls++;
		}
		/* server tool blocks and future types: nothing in the hub */
	}
	out->finish = finish_of(json_string_value(json_object_get(body, "stop_reason")));
	if (rf_hit && calls == 0 && out->finish == HF_TOOL_CALLS)
		out->finish = HF_STOP;
	out->stop_sequence = json_string_value(json_object_get(body, "stop_sequence"));
	u = json_object_get(body, "usage");
	if (json_is_object(u)) {
		usage_fields(u, &in, &cw, &cr, &outt, &think);
		hub_usage_set(&out->usage, in, cw, cr, outt, think);
		out->have_usage = 1;
	}
	return GW_OK;
}

/* ---------------------------------------------------------------------
 * Stream decoder: Anthropic SSE -> hub events (§3.3)
 */

enum dblk { DB_NONE, DB_TEXT, DB_THINKING, DB_TOOL, DB_RF, DB_OTHER };

struct dec {
	struct arena *a;
	const struct hub_req *req;
	hub_emit_fn emit;
	void *ctx;
	int stop;		/* emit's non-zero answer: nothing more is sent */
	enum dblk blk;		/* the open upstream block */
	int tool;		/* hub index of the open tool_use block */
	int ntools;		/* tool_use blocks so far */
	int args;		/* the open tool block sent argument text */
	int rf;			/* the rf_tool was called */
	int done;		/* message_delta or error seen */
	int started;
	int64_t in, cw, cr, out, think;	/* message_start usage, Claude's fields */
};

static int
dec_emit(struct dec *d, struct hub_ev *ev)
{
	if (d->stop == 0)
		d->stop = d->emit(d->ctx, ev);
	return d->stop;
}

static int
dec_text(struct dec *d, enum hub_ev_type type, const char *s, size_t n)
{
	struct hub_ev ev;

	if (s == NULL || n == 0)
		return d->stop;
	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.text = s;
	ev.len = n;
	ev.index = d->tool;
	return dec_emit(d, &ev);
}

static int
dec_jtext(struct dec *d, enum hub_ev_type type, json_t *s)
{
	return dec_text(d, type, json_string_value(s), json_string_length(s));
}

static int
on_message_start(struct dec *d, json_t *data)
{
	json_t *m = json_object_get(data, "message");
	const char *id = json_string_value(json_object_get(m, "id"));
	const char *model = json_string_value(json_object_get(m, "model"));
	struct hub_ev ev;

	if (d->started)
		return 0;
	d->started = 1;
	usage_fields(json_object_get(m, "usage"), &d->in, &d->cw, &d->cr, &d->out, &d->think);
	memset(&ev, 0, sizeof(ev));
	ev.type = HE_START;
	ev.id = id ? arena_strdup(d->a, id) : NULL;
	ev.name = model ? arena_strdup(d->a, model) : NULL;
	hub_usage_set(&ev.usage, d->in, d->cw, d->cr, d->out, d->think);
	return dec_emit(d, &ev);
}

static int
on_block_start(struct dec *d, json_t *data)
{
	json_t *cb = json_object_get(data, "content_block"), *in;
	const char *type = json_string_value(json_object_get(cb, "type"));
	const char *name = json_string_value(json_object_get(cb, "name"));
	const char *id = json_string_value(json_object_get(cb, "id"));
	const char *rf = d->req ? d->req->rf_tool : NULL;
	const char *s;
	struct hub_ev ev;

	d->blk = DB_OTHER;
	d->args = 0;
	if (type == NULL)
		return 0;
	if (strcmp(type, "text") == 0) {
		d->blk = DB_TEXT;
		return dec_jtext(d, HE_TEXT, json_object_get(cb, "text"));
	}
	if (strcmp(type, "thinking") == 0) {
		d->blk = DB_THINKING;
		if (dec_jtext(d, HE_THINKING, json_object_get(cb, "thinking")) != 0)
			return d->stop;
		return dec_jtext(d, HE_SIGNATURE, json_object_get(cb, "signature"));
	}
	if (strcmp(type, "redacted_thinking") == 0) {
		s = json_string_value(json_object_get(cb, "data"));
		return dec_text(d, HE_REDACTED, s ? s : "", s ? strlen(s) : 0);
	}
	if (strcmp(type, "tool_use") != 0)
		return 0;	/* server tool blocks: not in the hub */
	if (rf != NULL && name != NULL && strcmp(name, rf) == 0) {
		d->blk = DB_RF;
		d->rf = 1;
	} else {
		d->blk = DB_TOOL;
		memset(&ev, 0, sizeof(ev));
		ev.type = HE_TOOL_START;
		ev.index = d->tool = d->ntools++;
		ev.id = id ? arena_strdup(d->a, id) : NULL;
		name = tool_name(d->req, name);
		ev.name = name ? arena_strdup(d->a, name) : NULL;
		if (dec_emit(d, &ev) != 0)
			return d->stop;
	}
	/* The start carries input:{}; a non-empty one (other hosts) counts. */
	in = json_object_get(cb, "input");
	if (json_is_object(in) && json_object_size(in) > 0) {
		char *j = json_dumps(in, JSON_COMPACT);
		int rc = 0;

		if (j != NULL) {
			d->args = 1;
			rc = dec_text(d, d->blk == DB_RF ? HE_TEXT : HE_TOOL_ARGS, j, strlen(j));
			free(j);
		}
		return rc;
	}
	return 0;
}

static int
on_block_delta(struct dec *d, json_t *data)
{
	json_t *dl = json_object_get(data, "delta");
	const char *type = json_string_value(json_object_get(dl, "type"));
	json_t *s;

	if (type == NULL)
		return 0;
	if (strcmp(type, "text_delta") == 0)
		return dec_jtext(d, HE_TEXT, json_object_get(dl, "text"));
	if (strcmp(type, "thinking_delta") == 0)
		return dec_jtext(d, HE_THINKING, json_object_get(dl, "thinking"));
	if (strcmp(type, "signature_delta") == 0)
		return dec_jtext(d, HE_SIGNATURE, json_object_get(dl, "signature"));
	if (strcmp(type, "input_json_delta") == 0 && (d->blk == DB_TOOL || d->blk == DB_RF)) {
		s = json_object_get(dl, "partial_json");
		if (json_string_length(s) > 0)
			d->args = 1;
		return dec_jtext(d, d->blk == DB_RF ? HE_TEXT : HE_TOOL_ARGS, s);
	}
	return 0;	/* citations_delta, server tool input */
}

static int
on_block_stop(struct dec *d)
{
	int rc = 0;

	/* All fragments empty means no arguments: say {} so that formats
	 * with argument strings get valid JSON (§3.3). */
	if ((d->blk == DB_TOOL || d->blk == DB_RF) && !d->args)
		rc = dec_text(d, d->blk == DB_RF ? HE_TEXT : HE_TOOL_ARGS, "{}", 2);
	d->blk = DB_NONE;
	return rc;
}

static int
on_message_delta(struct dec *d, json_t *data)
{
	json_t *dl = json_object_get(data, "delta");
	const char *reason = json_string_value(json_object_get(dl, "stop_reason"));
	const char *seq = json_string_value(json_object_get(dl, "stop_sequence"));
	int64_t in = d->in, cw = d->cw, cr = d->cr, out = d->out, think = d->think;
	struct hub_ev ev;

	d->done = 1;
	memset(&ev, 0, sizeof(ev));
	if (reason != NULL) {
		ev.type = HE_FINISH;
		ev.finish = finish_of(reason);
		if (d->rf && d->ntools == 0 && ev.finish == HF_TOOL_CALLS)
			ev.finish = HF_STOP;
		if (seq != NULL)
			ev.text = arena_strdup(d->a, seq);
		if (dec_emit(d, &ev) != 0)
			return d->stop;
	}
	/* output_tokens is cumulative; input fields, when present, replace
	 * message_start's (§3.3). */
	usage_fields(json_object_get(data, "usage"), &in, &cw, &cr, &out, &think);
	memset(&ev, 0, sizeof(ev));
	ev.type = HE_USAGE;
	hub_usage_set(&ev.usage, in, cw, cr, out, think);
	return dec_emit(d, &ev);
}

static int
on_error(struct dec *d, json_t *data)
{
	json_t *e = json_object_get(data, "error");
	const char *type = json_string_value(json_object_get(e, "type"));
	const char *msg = json_string_value(json_object_get(e, "message"));
	struct hub_ev ev;

	d->done = 1;
	memset(&ev, 0, sizeof(ev));
	ev.type = HE_ERROR;
	ev.status = err_status(type);
	ev.name = arena_strdup(d->a, type ? type : "api_error");
	ev.text = arena_strdup(d->a, msg ? msg : "upstream error");
	ev.len = ev.text ? strlen(ev.text) : 0;
	return dec_emit(d, &ev);
}

static int
claude_dec_event(void *p, const struct sse_event *sev)
{
	struct dec *d = p;
	const char *name;
	json_t *data;
	int rc = 0;

	if (d->stop)
		return d->stop;
	/* Anthropic pads data with spaces after the JSON: the parser skips
	 * trailing whitespace. Unparsable data (ping variants) is ignored. */
	if ((data = json_loadb(sev->data, sev->len, 0, NULL)) == NULL)
		return 0;
	name = sev->event != NULL && *sev->event != '\0' ? sev->event :
	    json_string_value(json_object_get(data, "type"));
	if (name == NULL || !json_is_object(data))
		;
	else if (strcmp(name, "message_start") == 0)
		rc = on_message_start(d, data);
	else if (strcmp(name, "content_block_start") == 0)
		rc = on_block_start(d, data);
	else if (strcmp(name, "content_block_delta") == 0)
		rc = on_block_delta(d, data);
	else if (strcmp(name, "content_block_stop") == 0)
		rc = on_block_stop(d);
	else if (strcmp(name, "message_delta") == 0)
		rc = on_message_delta(d, data);
	else if (strcmp(name, "error") == 0)
		rc = on_error(d, data);
	/* ping, message_stop and unknown events carry nothing for the hub */
	json_decref(data);
	return rc;
}

/* A stream cut before message_delta still bills message_start's input. */
static int
claude_dec_end(void *p)
{
	struct dec *d = p;
	struct hub_ev ev;

	if (d->stop || d->done || !d->started)
		return d->stop;
	memset(&ev, 0, sizeof(ev));
	ev.type = HE_USAGE;
	hub_usage_set(&ev.usage, d->in, d->cw, d->cr, d->out, d->think);
	return dec_emit(d, &ev);
}

static void *
claude_dec_new(struct arena *a, const struct hub_req *req, hub_emit_fn emit, void *ctx)
{
	struct dec *d = arena_calloc(a, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->a = a;
	d->req = req;
	d->emit = emit;
	d->ctx = ctx;
	d->tool = -1;
	return d;
}

/* {"type":"error","error":{"type","message"}} (§3.4); the strings are
 * copied into the arena. */
static int
claude_error_decode(struct arena *a, json_t *body, const char **type, const char **message)
{
	json_t *e = json_object_get(body, "error");
	const char *top = json_string_value(json_object_get(body, "type"));
	const char *t = json_string_value(json_object_get(e, "type"));
	const char *m = json_string_value(json_object_get(e, "message"));

	if (!json_is_object(e) || (top != NULL && strcmp(top, "error") != 0) || (t == NULL && m == NULL))
		return GW_EINPUT;
	*type = arena_strdup(a, t ? t : "api_error");
	*message = arena_strdup(a, m ? m : "");
	return *type && *message ? GW_OK : GW_ENOMEM;
}

const struct hub_format hub_claude = {
	.name = "claude",
	.req_decode = claude_req_decode,
	.resp_encode = claude_resp_encode,
	.enc_new = claude_enc_new,
	.enc_event = claude_enc_event,
	.error_encode = claude_error_encode,
	.req_encode = claude_req_encode,
	.resp_decode = claude_resp_decode,
	.dec_new = claude_dec_new,
	.dec_event = claude_dec_event,
	.dec_end = claude_dec_end,
	.error_decode = claude_error_decode,
};
