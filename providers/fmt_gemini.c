/* providers/fmt_gemini.c: Google Gemini generateContent /
 * streamGenerateContent?alt=sse <-> hub translation, upstream side only
 * (FORMATS.md §4 wire format, §7 translation map and pitfalls) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "hub.h"
#include "fmt_gemini.h"

/* Gemini 3 rejects function calls in history without a thoughtSignature;
 * this documented value skips the check (ai.google.dev "Thought
 * signatures", FAQ on histories from other models). */
#define GEM_DUMMY_SIG	"skip_thought_signature_validator"
#define GEM_MAX_STOP	5	/* generationConfig.stopSequences limit */
#define GEM_MAX_DEPTH	32	/* schema nesting we translate; deeper is cut */

/* One API's GEMINI_SAFETY_SETTING default: block nothing. */
static const char *const safety_categories[] = {
	"HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_HATE_SPEECH",
	"HARM_CATEGORY_SEXUALLY_EXPLICIT", "HARM_CATEGORY_DANGEROUS_CONTENT",
};

/* Schema keys Gemini's OpenAPI subset accepts (§4.2 Schema) that we keep;
 * everything else ($schema, $id, additionalProperties, strict, examples,
 * default, title, $ref ...) is an "Unknown name" or a rejected field on
 * some models. format is kept only where the API takes it (schema_format). */
static const char *const schema_scalar_keys[] = {
	"description", "nullable", "enum", "required",
	"minItems", "maxItems", "minimum", "maximum", "minLength", "maxLength",
	"pattern", "minProperties", "maxProperties", "propertyOrdering",
};

/* Set / append a new reference; -1 when v is NULL (an allocation failed)
 * or the insert fails. jansson drops v on failure. */
static int
oset(json_t *o, const char *k, json_t *v)
{
	return v == NULL || json_object_set_new(o, k, v) != 0 ? -1 : 0;
}

static int
apush(json_t *arr, json_t *v)
{
	return v == NULL || json_array_append_new(arr, v) != 0 ? -1 : 0;
}

static json_t *schema_clean(json_t *s, int depth);

/* "type": a string is kept; a JSON Schema type list ["string","null"]
 * becomes the first non-null type plus nullable:true. */
static int
schema_type(json_t *out, json_t *type)
{
	size_t i;
	json_t *v;
	const char *first = NULL;
	int null = 0;

	if (json_is_string(type))
		return oset(out, "type", json_copy(type));
	if (!json_is_array(type))
		return 0;
	json_array_foreach(type, i, v) {
		if (!json_is_string(v))
			continue;
		if (strcmp(json_string_value(v), "null") == 0)
			null = 1;
		else if (first == NULL)
			first = json_string_value(v);
	}
	if (first && oset(out, "type", json_string(first)) != 0)
		return -1;
	if (null && oset(out, "nullable", json_true()) != 0)
		return -1;
	return 0;
}

/* "format": the API rejects others ("only 'enum' and 'date-time' are
 * supported for STRING type"), so keep date-time/enum on strings and the
 * numeric widths on numbers; drop the rest (uri, email, date ...). */
static int
schema_format(json_t *out, json_t *format)
{
	static const struct {
		const char *type, *format;
	} ok[] = {
		{ "string", "date-time" }, { "string", "enum" },
		{ "integer", "int32" }, { "integer", "int64" },
		{ "number", "float" }, { "number", "double" },
		{ "number", "int32" }, { "number", "int64" },
	};
	const char *type = json_string_value(json_object_get(out, "type"));
	size_t i;

	if (type == NULL || !json_is_string(format))
		return 0;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcasecmp(type, ok[i].type) == 0 && strcmp(json_string_value(format), ok[i].format) == 0)
			return oset(out, "format", json_copy(format));
	return 0;
}

/* A JSON Schema cut down to Gemini's Schema: a new reference, or NULL
 * when s is not an object (or on ENOMEM). properties keeps every property
 * name; items, anyOf (oneOf as anyOf) and property values recurse. */
static json_t *
schema_clean(json_t *s, int depth)
{
	json_t *out, *v, *props, *sub;
	const char *k;
	size_t i;

	if (!json_is_object(s) || (out = json_object()) == NULL)
		return NULL;
	if (depth >= GEM_MAX_DEPTH)
		return out;
	if (schema_type(out, json_object_get(s, "type")) != 0 ||
	    schema_format(out, json_object_get(s, "format")) != 0)
		goto fail;
	for (i = 0; i < sizeof(schema_scalar_keys) / sizeof(schema_scalar_keys[0]); i++)
		if ((v = json_object_get(s, schema_scalar_keys[i])) != NULL &&
		    json_object_get(out, schema_scalar_keys[i]) == NULL &&
		    oset(out, schema_scalar_keys[i], json_deep_copy(v)) != 0)
			goto fail;
	/* const "x" is enum ["x"] in the subset */
	if ((v = json_object_get(s, "const")) != NULL && json_is_string(v) &&
	    json_object_get(out, "enum") == NULL &&
	    oset(out, "enum", json_pack("[O]", v)) != 0)
		goto fail;
	if (json_is_object(v = json_object_get(s, "properties"))) {
		if (oset(out, "properties", props = json_object()) != 0)
			goto fail;
		json_object_foreach(v, k, sub)
			if (json_is_object(sub) && oset(props, k, schema_clean(sub, depth + 1)) != 0)
				goto fail;
	}
	if (json_is_object(v = json_object_get(s, "items")) &&
	    oset(out, "items", schema_clean(v, depth + 1)) != 0)
		goto fail;
	if (!json_is_array(v = json_object_get(s, "anyOf")))
		v = json_object_get(s, "oneOf");
	if (json_is_array(v)) {
		json_t *any;
		if (oset(out, "anyOf", any = json_array()) != 0)
			goto fail;
		json_array_foreach(v, i, sub)
			if (json_is_object(sub) && apush(any, schema_clean(sub, depth + 1)) != 0)
				goto fail;
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

/* Request encoder state. contents grows; consecutive same-role contents
 * are merged into the last one (FORMATS.md §7.5 items 3, 4). */
struct genc {
	struct arena *a;
	struct hub_req *q;
	struct hub_err *err;
	json_t *contents;
	const char *last_role;	/* role of the last content, NULL = none */
};

/* The length of s cut to at most max bytes without splitting a UTF-8
 * sequence (error messages become JSON strings). */
static int
utf8_prefix(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return (int)n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return (int)n;
}

static json_t *
fail(struct hub_err *err, int status, const char *msg)
{
	err->status = status;
	snprintf(err->message, sizeof(err->message), "%s", msg);
	return NULL;
}

/* Append a content of this role, or merge parts into the previous one of
 * the same role. Takes parts; an empty parts array is dropped. */
static int
add_content(struct genc *e, const char *role, json_t *parts)
{
	json_t *last;
	int rc;

	if (json_array_size(parts) == 0) {
		json_decref(parts);
		return 0;
	}
	if (e->last_role && strcmp(e->last_role, role) == 0) {
		last = json_array_get(e->contents, json_array_size(e->contents) - 1);
		rc = json_array_extend(json_object_get(last, "parts"), parts);
		json_decref(parts);
		return rc;
	}
	e->last_role = role;
	return apush(e->contents, json_pack("{s:s, s:o}", "role", role, "parts", parts));
}

/* An image or file: inlineData when we hold the bytes. A url-only image
 * is an error (the relay inlines them first, image_inline.c); a url-only
 * file goes as fileData (Files API or gs:// URIs). */
static int
media_part(struct genc *e, const struct hub_part *p, json_t *parts)
{
	const char *mime = p->mime;

	if (p->data) {
		if (mime == NULL)
			mime = p->type == HP_IMAGE ? "image/jpeg" : "application/octet-stream";
		return apush(parts, json_pack("{s:{s:s, s:s}}", "inlineData",
		    "mimeType", mime, "data", p->data));
	}
	if (p->url == NULL)
		return 0;
	if (p->type == HP_IMAGE) {
		fail(e->err, 400, "image URLs must be fetched first");
		return -2;
	}
	if (mime)
		return apush(parts, json_pack("{s:{s:s, s:s}}", "fileData",
		    "mimeType", mime, "fileUri", p->url));
	return apush(parts, json_pack("{s:{s:s}}", "fileData", "fileUri", p->url));
}

/* A tool result as functionResponse. Gemini needs the function's name:
 * found from the call with the same id earlier in the history, else the
 * name the client format carried. response is the result when it is a
 * JSON object, else {"output": text} ({"error": text} for failures, as the
 * API documents). Images of the result follow as sibling parts. */
static int
tool_result_part(struct genc *e, const struct hub_part *p, json_t *parts)
{
	const char *name, *text = p->text;
	json_t *resp = NULL;
	size_t i;
	int rc;

	if ((name = hub_call_name(e->q, p->id)) == NULL && (name = p->name) == NULL) {
		e->err->status = 400;
		snprintf(e->err->message, sizeof(e->err->message),
		    "tool result for call %.*s has no matching tool call (Gemini needs its name)",
		    utf8_prefix(p->id ? p->id : "(no id)", 64), p->id ? p->id : "(no id)");
		return -2;
	}
	if (text == NULL && p->ncontent) {
		struct hub_msg m = { .parts = p->content, .nparts = p->ncontent };
		if ((text = hub_msg_text(e->a, &m)) == NULL)
			return -1;
	}
	if (text == NULL)
		text = "";
	if ((resp = json_loads(text, 0, NULL)) != NULL && !json_is_object(resp)) {
		json_decref(resp);
		resp = NULL;
	}
	if (resp == NULL && (resp = json_pack("{s:s}", p->is_error ? "error" : "output", text)) == NULL)
		return -1;
	if (apush(parts, json_pack("{s:{s:s, s:o}}", "functionResponse",
	    "name", name, "response", resp)) != 0)
		return -1;
	for (i = 0; i < p->ncontent; i++)
		if ((p->content[i].type == HP_IMAGE || p->content[i].type == HP_FILE) &&
		    (rc = media_part(e, &p->content[i], parts)) != 0)
			return rc;
	return 0;
}

static int
text_part(json_t *parts, const struct hub_part *p)
{
	json_t *o;

	if (p->text == NULL || p->text[0] == '\0')
		return 0;	/* Gemini rejects empty text parts */
	if ((o = json_pack("{s:s}", "text", p->text)) == NULL)
		return -1;
	if (p->signature && oset(o, "thoughtSignature", json_string(p->signature)) != 0) {
		json_decref(o);
		return -1;
	}
	return apush(parts, o);
}

/* Parts of a user message or of tool results (role "user"). */
static int
user_parts(struct genc *e, const struct hub_msg *m, json_t *parts)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < m->nparts && rc == 0; i++) {
		const struct hub_part *p = &m->parts[i];
		switch (p->type) {
		case HP_TEXT:
			rc = text_part(parts, p);
			break;
		case HP_IMAGE:
		case HP_FILE:
			rc = media_part(e, p, parts);
			break;
		case HP_TOOL_RESULT:
			rc = tool_result_part(e, p, parts);
			break;
		default:
			break;	/* thinking or calls do not belong to users */
		}
	}
	return rc;
}

/* A function call; args is the parsed object ({} when invalid). The id is
 * not sent: Gemini matches responses by name and order. */
static int
call_part(json_t *parts, const struct hub_part *p, const char *sig)
{
	json_t *args = p->args ? json_loads(p->args, 0, NULL) : NULL, *o;

	if (!json_is_object(args)) {
		json_decref(args);
		if ((args = json_object()) == NULL)
			return -1;
	}
	o = json_pack("{s:{s:s, s:o}}", "functionCall", "name", p->name ? p->name : "",
	    "args", args);
	if (o == NULL)
		return -1;
	if (sig && oset(o, "thoughtSignature", json_string(sig)) != 0) {
		json_decref(o);
		return -1;
	}
	return apush(parts, o);
}

/* Parts of an assistant message (role "model"). Thinking text is not sent
 * back; its signature rides on the next function call, as Gemini put it
 * there. A call without any signature gets the documented dummy unless an
 * earlier call of the message was signed (Gemini signs only the first of
 * parallel calls). */
static int
model_parts(struct genc *e, const struct hub_msg *m, json_t *parts)
{
	const char *think_sig = NULL, *sig;
	int signed_call = 0, rc = 0;
	size_t i;

	for (i = 0; i < m->nparts && rc == 0; i++) {
		const struct hub_part *p = &m->parts[i];
		switch (p->type) {
		case HP_THINKING:
			if (p->signature)
				think_sig = p->signature;
			break;
		case HP_TEXT:
			rc = text_part(parts, p);
			break;
		case HP_IMAGE:
		case HP_FILE:
			rc = media_part(e, p, parts);
			break;
		case HP_TOOL_CALL:
			if ((sig = p->signature) == NULL && think_sig) {
				sig = think_sig;
				think_sig = NULL;
			}
			if (sig)
				signed_call = 1;
			else if (!signed_call)
				sig = GEM_DUMMY_SIG;
			rc = call_part(parts, p, sig);
			break;
		default:
			break;	/* redacted thinking, results */
		}
	}
	return rc;
}

/* systemInstruction: every system message's text, joined. */
static int
encode_system(struct genc *e, json_t *body)
{
	struct hub_msg all = { .role = HUB_SYSTEM };
	struct hub_part *p;
	const char *text;
	size_t i;

	for (i = 0; i < e->q->nmsgs; i++) {
		const struct hub_msg *m = &e->q->msgs[i];
		if (m->role != HUB_SYSTEM)
			continue;
		if ((text = hub_msg_text(e->a, m)) == NULL)
			return -1;
		if (text[0] == '\0')
			continue;
		if ((p = hub_add_part(e->a, &all.parts, &all.nparts, HP_TEXT)) == NULL)
			return -1;
		p->text = text;
	}
	if (all.nparts == 0)
		return 0;
	if ((text = hub_msg_text(e->a, &all)) == NULL)
		return -1;
	return oset(body, "systemInstruction", json_pack("{s:[{s:s}]}", "parts", "text", text));
}

static int
encode_contents(struct genc *e, json_t *body)
{
	size_t i;
	int rc;

	if ((e->contents = json_array()) == NULL || oset(body, "contents", e->contents) != 0)
		return -1;
	for (i = 0; i < e->q->nmsgs; i++) {
		const struct hub_msg *m = &e->q->msgs[i];
		json_t *parts;
		if (m->role == HUB_SYSTEM)
			continue;
		if ((parts = json_array()) == NULL)
			return -1;
		rc = m->role == HUB_ASSISTANT ? model_parts(e, m, parts) : user_parts(e, m, parts);
		if (rc != 0) {
			json_decref(parts);
			return rc;
		}
		if (add_content(e, m->role == HUB_ASSISTANT ? "model" : "user", parts) != 0)
			return -1;
	}
	return 0;
}

/* tools -> one functionDeclarations entry; toolConfig only with tools. */
static int
encode_tools(struct genc *e, json_t *body)
{
	const struct hub_req *q = e->q;
	json_t *decls, *d, *cfg;
	const char *mode = NULL;
	size_t i;

	if (q->ntools == 0) {
		/* Google Search grounding; Gemini before 3 refuses it next to
		 * function declarations, so it goes only where there are none */
		if (q->web_search)
			return oset(body, "tools", json_pack("[{s:{}}]", "googleSearch"));
		return 0;
	}
	if (q->web_search)
		hub_drop(e->a, e->q, "web_search");
	if ((decls = json_array()) == NULL ||
	    oset(body, "tools", json_pack("[{s:o}]", "functionDeclarations", decls)) != 0)
		return -1;
	for (i = 0; i < q->ntools; i++) {
		const struct hub_tool *t = &q->tools[i];
		if (apush(decls, d = json_pack("{s:s}", "name", t->name ? t->name : "")) != 0)
			return -1;
		if (t->description && oset(d, "description", json_string(t->description)) != 0)
			return -1;
		if (json_is_object(t->parameters) &&
		    oset(d, "parameters", schema_clean(t->parameters, 0)) != 0)
			return -1;
	}
	switch (q->tool_choice) {
	case HTC_AUTO:
		mode = "AUTO";
		break;
	case HTC_NONE:
		mode = "NONE";
		break;
	case HTC_REQUIRED:
	case HTC_FORCED:
		mode = "ANY";
		break;
	default:
		return 0;
	}
	if ((cfg = json_pack("{s:s}", "mode", mode)) == NULL ||
	    oset(body, "toolConfig", json_pack("{s:o}", "functionCallingConfig", cfg)) != 0)
		return -1;
	if (q->tool_choice == HTC_FORCED && q->tool_choice_name &&
	    oset(cfg, "allowedFunctionNames", json_pack("[s]", q->tool_choice_name)) != 0)
		return -1;
	return 0;
}

/* thinkingConfig: thinking off is budget 0; on, a budget or an effort
 * sets thinkingBudget (effort "none" = 0) and asks for the thoughts. */
static int
encode_thinking(const struct hub_req *q, json_t *gc)
{
	json_t *tc;
	int64_t budget = -1;

	if (q->thinking == 0)
		return oset(gc, "thinkingConfig", json_pack("{s:I}", "thinkingBudget", (json_int_t)0));
	if (q->thinking != 1 && q->thinking_budget < 0 && q->reasoning_effort == NULL)
		return 0;
	if (q->thinking_budget >= 0)
		budget = q->thinking_budget;
	else if (q->reasoning_effort)
		budget = strcmp(q->reasoning_effort, "none") == 0 ? 0 :
		    hub_effort_budget(q->reasoning_effort);
	if ((tc = json_object()) == NULL || oset(gc, "thinkingConfig", tc) != 0)
		return -1;
	if (budget >= 0 && oset(tc, "thinkingBudget", json_integer(budget)) != 0)
		return -1;
	return oset(tc, "includeThoughts", json_boolean(budget != 0));
}

static int
encode_generation(const struct hub_req *q, json_t *body)
{
	json_t *gc = json_object(), *stops;
	size_t i;
	int rc = -1;

	if (gc == NULL)
		return -1;
	if (q->max_tokens >= 0 && oset(gc, "maxOutputTokens", json_integer(q->max_tokens)) != 0)
		goto out;
	if (!isnan(q->temperature) && oset(gc, "temperature", json_real(q->temperature)) != 0)
		goto out;
	if (!isnan(q->top_p) && oset(gc, "topP", json_real(q->top_p)) != 0)
		goto out;
	if (q->top_k >= 0 && oset(gc, "topK", json_integer(q->top_k)) != 0)
		goto out;
	if (q->nstop) {
		if (oset(gc, "stopSequences", stops = json_array()) != 0)
			goto out;
		for (i = 0; i < q->nstop && i < GEM_MAX_STOP; i++)
			if (q->stop[i] && apush(stops, json_string(q->stop[i])) != 0)
				goto out;
	}
	if (q->n >= 1 && oset(gc, "candidateCount", json_integer(q->n)) != 0)
		goto out;
	if (q->seed >= 0 && oset(gc, "seed", json_integer(q->seed)) != 0)
		goto out;
	if (!isnan(q->presence_penalty) &&
	    oset(gc, "presencePenalty", json_real(q->presence_penalty)) != 0)
		goto out;
	if (!isnan(q->frequency_penalty) &&
	    oset(gc, "frequencyPenalty", json_real(q->frequency_penalty)) != 0)
		goto out;
	if (q->rf == HRF_JSON_SCHEMA || q->rf == HRF_JSON_OBJECT) {
		if (oset(gc, "responseMimeType", json_string("application/json")) != 0)
			goto out;
		if (q->rf == HRF_JSON_SCHEMA && json_is_object(q->rf_schema) &&
		    oset(gc, "responseSchema", schema_clean(q->rf_schema, 0)) != 0)
			goto out;
	}
	if (encode_thinking(q, gc) != 0)
		goto out;
	rc = 0;
	if (json_object_size(gc))
		return oset(body, "generationConfig", gc);
out:
	json_decref(gc);
	return rc;
}

static int
encode_safety(json_t *body)
{
	json_t *arr = json_array();
	size_t i;

	if (oset(body, "safetySettings", arr) != 0)
		return -1;
	for (i = 0; i < sizeof(safety_categories) / sizeof(safety_categories[0]); i++)
		if (apush(arr, json_pack("{s:s, s:s}", "category", safety_categories[i],
		    "threshold", "BLOCK_NONE")) != 0)
			return -1;
	return 0;
}

/* hub -> GenerateContentRequest (§4.2). The model is not in the body: the
 * caller puts it in the URL. NULL with err filled: 400 for a request
 * Gemini cannot take (url-only image, tool result without a name), 500 on
 * ENOMEM. */
static json_t *
gem_req_encode(struct arena *a, struct hub_req *q, struct hub_err *err)
{
	struct genc e = { .a = a, .q = q, .err = err };
	json_t *body = json_object();
	int rc;

	err->status = 0;
	err->message[0] = '\0';
	if (body == NULL)
		return fail(err, 500, "out of memory");
	if ((rc = encode_contents(&e, body)) == 0 && (rc = encode_system(&e, body)) == 0 &&
	    (rc = encode_tools(&e, body)) == 0 && (rc = encode_generation(q, body)) == 0)
		rc = encode_safety(body);
	if (rc != 0) {
		json_decref(body);
		if (rc == -2)
			return NULL;	/* err already says why */
		return fail(err, 500, "out of memory");
	}
	return body;
}

/* ---- answers ---- */

static const char *
jstr(struct arena *a, json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? arena_strdup(a, json_string_value(v)) : NULL;
}

/* finishReason (§4.3, §7.3); unknown values are a natural stop. */
static enum hub_finish
map_finish(const char *r)
{
	static const char *const filtered[] = {
		"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII",
	};
	size_t i;

	if (r == NULL || r[0] == '\0')
		return HF_NONE;
	if (strcmp(r, "STOP") == 0)
		return HF_STOP;
	if (strcmp(r, "MAX_TOKENS") == 0)
		return HF_LENGTH;
	for (i = 0; i < sizeof(filtered) / sizeof(filtered[0]); i++)
		if (strcmp(r, filtered[i]) == 0)
			return HF_CONTENT_FILTER;
	if (strncmp(r, "IMAGE_", 6) == 0)
		return HF_CONTENT_FILTER;
	return HF_STOP;
}

/* Gemini says STOP for tool calls (§7.5 item 12): look at the parts. */
static enum hub_finish
finish_with_tools(enum hub_finish f, int ntools)
{
	if (ntools && (f == HF_STOP || f == HF_NONE))
		return HF_TOOL_CALLS;
	return f;
}

/* usageMetadata (§7.2): prompt counts include cache reads; output adds
 * the thoughts, which candidatesTokenCount leaves out. */
static void
usage_from(json_t *um, struct hub_usage *u)
{
	json_int_t thoughts = json_integer_value(json_object_get(um, "thoughtsTokenCount"));

	memset(u, 0, sizeof(*u));
	u->input = json_integer_value(json_object_get(um, "promptTokenCount")) +
	    json_integer_value(json_object_get(um, "toolUsePromptTokenCount"));
	u->output = json_integer_value(json_object_get(um, "candidatesTokenCount")) + thoughts;
	u->reasoning = thoughts;
	u->cache_read = json_integer_value(json_object_get(um, "cachedContentTokenCount"));
}

/* The candidate we translate: index 0 (candidateCount > 1 is lossy). */
static json_t *
first_candidate(json_t *body)
{
	json_t *cands = json_object_get(body, "candidates"), *c;
	size_t i;

	json_array_foreach(cands, i, c) {
		json_t *idx = json_object_get(c, "index");
		if (json_is_object(c) && (idx == NULL || json_integer_value(idx) == 0))
			return c;
	}
	return NULL;
}

static int
resp_part(struct arena *a, struct hub_resp *out, json_t *gp, int *ntools)
{
	struct hub_part *p = NULL;
	json_t *v, *fc = json_object_get(gp, "functionCall");
	const char *sig = jstr(a, gp, "thoughtSignature");

	if (json_is_object(fc)) {
		if ((p = hub_add_part(a, &out->parts, &out->nparts, HP_TOOL_CALL)) == NULL)
			return GW_ENOMEM;
		if ((p->id = jstr(a, fc, "id")) == NULL)
			p->id = hub_new_id(a, "call_");
		p->name = jstr(a, fc, "name");
		p->args = hub_obj_text(a, json_object_get(fc, "args"));
		if (p->name == NULL)
			p->name = "";
		(*ntools)++;
	} else if (json_is_string(v = json_object_get(gp, "text"))) {
		if (json_string_length(v) == 0) {
			/* Gemini 3 may close with {"text":"", "thoughtSignature"}:
			 * keep the signature on the part before */
			if (sig == NULL)
				return GW_OK;
			if (out->nparts && out->parts[out->nparts - 1].signature == NULL) {
				out->parts[out->nparts - 1].signature = sig;
				return GW_OK;
			}
		}
		if ((p = hub_add_part(a, &out->parts, &out->nparts,
		    json_is_true(json_object_get(gp, "thought")) || json_string_length(v) == 0 ?
		    HP_THINKING : HP_TEXT)) == NULL)
			return GW_ENOMEM;
		p->text = arena_strdup(a, json_string_value(v));
	} else if (json_is_object(v = json_object_get(gp, "inlineData"))) {
		/* image output models */
		if ((p = hub_add_part(a, &out->parts, &out->nparts, HP_IMAGE)) == NULL)
			return GW_ENOMEM;
		p->mime = jstr(a, v, "mimeType");
		p->data = jstr(a, v, "data");
	}
	if (p)
		p->signature = sig;
	return GW_OK;
}

/* GenerateContentResponse -> hub (§4.3). GW_EINPUT when body is not an
 * object with candidates or promptFeedback. */
static int
gem_resp_decode(struct arena *a, const struct hub_req *req, json_t *body, struct hub_resp *out)
{
	json_t *cand, *parts, *gp, *um;
	size_t i;
	int ntools = 0, rc;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(body) || (json_object_get(body, "candidates") == NULL &&
	    json_object_get(body, "promptFeedback") == NULL))
		return GW_EINPUT;
	if ((out->id = jstr(a, body, "responseId")) == NULL)
		out->id = hub_new_id(a, "resp_");
	if ((out->model = jstr(a, body, "modelVersion")) == NULL && req)
		out->model = req->model;
	if ((cand = first_candidate(body)) != NULL) {
		parts = json_object_get(json_object_get(cand, "content"), "parts");
		json_array_foreach(parts, i, gp)
			if (json_is_object(gp) && (rc = resp_part(a, out, gp, &ntools)) != GW_OK)
				return rc;
		out->finish = finish_with_tools(map_finish(json_string_value(
		    json_object_get(cand, "finishReason"))), ntools);
	} else if (json_object_get(json_object_get(body, "promptFeedback"), "blockReason")) {
		out->finish = HF_CONTENT_FILTER;
	}
	if (json_is_object(um = json_object_get(body, "usageMetadata"))) {
		usage_from(um, &out->usage);
		out->have_usage = 1;
	}
	return GW_OK;
}

/* ---- streams (§4.4): each chunk a GenerateContentResponse with only the
 * new parts; usage repeated (keep the last); finishReason at the end ---- */

struct gdec {
	struct arena *a;
	const struct hub_req *req;
	hub_emit_fn emit;
	void *ctx;
	int started;		/* HE_START sent */
	int ntools;
	int errored;		/* HE_ERROR sent */
	int ended;
	int have_usage;
	enum hub_finish finish;
	struct hub_usage usage;
};

static void *
gem_dec_new(struct arena *a, const struct hub_req *req, hub_emit_fn emit, void *ctx)
{
	struct gdec *d = arena_calloc(a, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->a = a;
	d->req = req;
	d->emit = emit;
	d->ctx = ctx;
	return d;
}

static int
emit_text(struct gdec *d, enum hub_ev_type type, const char *s, size_t len)
{
	struct hub_ev ev = { .type = type, .text = s, .len = len };

	return d->emit(d->ctx, &ev);
}

/* One streamed part: text, thought or a whole function call, then the
 * signature it carries. */
static int
dec_part(struct gdec *d, json_t *gp)
{
	json_t *v, *fc = json_object_get(gp, "functionCall");
	const char *sig;
	int rc = 0;

	if (json_is_object(fc)) {
		struct hub_ev ev = { .type = HE_TOOL_START, .index = d->ntools };
		const char *args = hub_obj_text(d->a, json_object_get(fc, "args"));
		if ((ev.id = jstr(d->a, fc, "id")) == NULL)
			ev.id = hub_new_id(d->a, "call_");
		if ((ev.name = jstr(d->a, fc, "name")) == NULL)
			ev.name = "";
		d->ntools++;
		if ((rc = d->emit(d->ctx, &ev)) != 0)
			return rc;
		memset(&ev, 0, sizeof(ev));
		ev.type = HE_TOOL_ARGS;
		ev.index = d->ntools - 1;
		ev.text = args;
		ev.len = strlen(args);
		if ((rc = d->emit(d->ctx, &ev)) != 0)
			return rc;
	} else if (json_is_string(v = json_object_get(gp, "text")) && json_string_length(v)) {
		rc = emit_text(d, json_is_true(json_object_get(gp, "thought")) ? HE_THINKING : HE_TEXT,
		    json_string_value(v), json_string_length(v));
		if (rc != 0)
			return rc;
	}
	if ((sig = jstr(d->a, gp, "thoughtSignature")) != NULL)
		rc = emit_text(d, HE_SIGNATURE, sig, strlen(sig));
	return rc;
}

/* The canonical status name of an HTTP code (§4.5), for errors without one. */
static const char *
status_name(json_int_t code)
{
	switch (code) {
	case 400: return "INVALID_ARGUMENT";
	case 401: return "UNAUTHENTICATED";
	case 403: return "PERMISSION_DENIED";
	case 404: return "NOT_FOUND";
	case 429: return "RESOURCE_EXHAUSTED";
	case 500: return "INTERNAL";
	case 503: return "UNAVAILABLE";
	case 504: return "DEADLINE_EXCEEDED";
	default: return "UNKNOWN";
	}
}

/* {"error":{code,message,status}} mid-stream. */
static int
dec_error(struct gdec *d, json_t *e)
{
	struct hub_ev ev = { .type = HE_ERROR };
	json_int_t code = json_integer_value(json_object_get(e, "code"));

	ev.status = code >= 400 && code <= 599 ? (int)code : 500;
	if ((ev.name = jstr(d->a, e, "status")) == NULL)
		ev.name = status_name(code);
	if ((ev.text = jstr(d->a, e, "message")) == NULL)
		ev.text = "";
	ev.len = strlen(ev.text);
	d->errored = 1;
	return d->emit(d->ctx, &ev);
}

static int
dec_chunk(struct gdec *d, json_t *j)
{
	json_t *cand, *parts, *gp, *um, *fr;
	size_t i;
	int rc;

	if (!d->started) {
		struct hub_ev ev = { .type = HE_START };
		if ((ev.id = jstr(d->a, j, "responseId")) == NULL)
			ev.id = hub_new_id(d->a, "resp_");
		if ((ev.name = jstr(d->a, j, "modelVersion")) == NULL && d->req)
			ev.name = d->req->model;
		if (json_is_object(um = json_object_get(j, "usageMetadata")))
			usage_from(um, &ev.usage);
		d->started = 1;
		if ((rc = d->emit(d->ctx, &ev)) != 0)
			return rc;
	}
	if ((cand = first_candidate(j)) != NULL) {
		parts = json_object_get(json_object_get(cand, "content"), "parts");
		json_array_foreach(parts, i, gp)
			if (json_is_object(gp) && (rc = dec_part(d, gp)) != 0)
				return rc;
		if (json_is_string(fr = json_object_get(cand, "finishReason")))
			d->finish = map_finish(json_string_value(fr));
	} else if (json_object_get(json_object_get(j, "promptFeedback"), "blockReason")) {
		d->finish = HF_CONTENT_FILTER;
	}
	if (json_is_object(um = json_object_get(j, "usageMetadata"))) {
		usage_from(um, &d->usage);
		d->have_usage = 1;
	}
	return 0;
}

/* One SSE event. Data that is not JSON, or JSON that is not an object, is
 * skipped (keep-alives, a proxy's noise); an error object becomes
 * HE_ERROR, which may come before any HE_START and ends the stream: later
 * events are ignored. Returns emit's non-zero value to stop. */
static int
gem_dec_event(void *dp, const struct sse_event *sev)
{
	struct gdec *d = dp;
	json_t *j, *e;
	int rc = 0;

	if (d->errored || sev->len == 0 || (j = json_loadb(sev->data, sev->len, 0, NULL)) == NULL)
		return 0;
	if (json_is_array(j) && json_array_size(j) == 1)
		e = json_object_get(json_array_get(j, 0), "error");
	else
		e = json_object_get(j, "error");
	if (json_is_object(e))
		rc = dec_error(d, e);
	else if (json_is_object(j))
		rc = dec_chunk(d, j);
	json_decref(j);
	return rc;
}

/* End of stream: HE_FINISH (unless an error ended it) and the last
 * usage, once, when any chunk arrived. */
static int
gem_dec_end(void *dp)
{
	struct gdec *d = dp;
	struct hub_ev ev = { .type = HE_FINISH };
	int rc;

	if (d->ended || !d->started)
		return 0;
	d->ended = 1;
	if (!d->errored) {
		ev.finish = finish_with_tools(d->finish, d->ntools);
		if ((rc = d->emit(d->ctx, &ev)) != 0)
			return rc;
	}
	if (!d->have_usage)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.type = HE_USAGE;
	ev.usage = d->usage;
	return d->emit(d->ctx, &ev);
}

/* ---- errors (§4.5) ---- */

/* {"error":{code,message,status}} or that object wrapped in an array:
 * type = status ("INVALID_ARGUMENT"; from code when absent), message.
 * Strings are arena copies. GW_EINPUT for any other shape. */
static int
gem_error_decode(struct arena *a, json_t *body, const char **type, const char **message)
{
	json_t *e;

	if (json_is_array(body))
		body = json_array_get(body, 0);
	if (!json_is_object(e = json_object_get(body, "error")))
		return GW_EINPUT;
	if ((*type = jstr(a, e, "status")) == NULL)
		*type = status_name(json_integer_value(json_object_get(e, "code")));
	if ((*message = jstr(a, e, "message")) == NULL)
		*message = "";
	return GW_OK;
}

const struct hub_format hub_gemini = {
	.name = "gemini",
	.req_decode = gem_req_decode,
	.resp_encode = gem_resp_encode,
	.enc_new = gem_enc_new,
	.enc_event = gem_enc_event,
	.error_encode = gem_error_encode,
	.req_encode = gem_req_encode,
	.resp_decode = gem_resp_decode,
	.dec_new = gem_dec_new,
	.dec_event = gem_dec_event,
	.dec_end = gem_dec_end,
	.error_decode = gem_error_decode,
};
