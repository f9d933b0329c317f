/* providers/fmt_gemini_client.c: Gemini's generateContent as a client format
 * (@google/genai, Gemini CLI): GenerateContentRequest -> hub, and the hub's
 * answers back as GenerateContentResponse bodies and stream chunks
 * (FORMATS.md §4.2-§4.5). The upstream side is in fmt_gemini.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hub.h"
#include "fmt_gemini.h"
#include "buf.h"
#include "util.h"

/* ---------------------------------------------------------------------
 * Requests (§4.2). The proto JSON parser takes camelCase and snake_case
 * alike (observed: the Python SDK sends function_declarations), so every
 * member is looked up both ways.
 */

struct gd {
	struct arena *a;
	struct hub_req *q;
	struct hub_err *err;
	int ncalls;			/* calls so far, for synthesized ids */
};

/* member k of o, by its camelCase name or the snake_case spelling; NULL
 * when absent or null */
static json_t *
member(json_t *o, const char *k)
{
	char snake[64];
	size_t i, n = 0;
	json_t *v;

	if (!json_is_object(o))
		return NULL;
	if ((v = json_object_get(o, k)) == NULL) {
		for (i = 0; k[i] && n + 2 < sizeof(snake); i++) {
			if (k[i] >= 'A' && k[i] <= 'Z') {
				snake[n++] = '_';
				snake[n++] = (char)(k[i] - 'A' + 'a');
			} else
				snake[n++] = k[i];
		}
		snake[n] = '\0';
		v = json_object_get(o, snake);
	}
	return json_is_null(v) ? NULL : v;
}

static const char *
mstr(json_t *o, const char *k)
{
	return json_string_value(member(o, k));
}

/*
 * A Gemini (OpenAPI subset) schema as JSON Schema: type names in lower
 * case ("OBJECT" -> "object"), nullable as a type list, everything else
 * kept. New ref; NULL on ENOMEM.
 */
static json_t *
schema_json(json_t *s, int depth)
{
	json_t *out, *v;
	const char *k;
	char low[24];
	size_t i;

	if (!json_is_object(s) || depth > 32)
		return json_is_object(s) ? json_object() : json_incref(s);
	if ((out = json_object()) == NULL)
		return NULL;
	json_object_foreach(s, k, v) {
		json_t *c = NULL;
		if (strcmp(k, "type") == 0 && json_is_string(v) && json_string_length(v) < sizeof(low)) {
			for (i = 0; i <= json_string_length(v); i++) {
				char ch = json_string_value(v)[i];
				low[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
			}
			c = strcmp(low, "type_unspecified") == 0 ? NULL : json_string(low);
			if (c == NULL)
				continue;
		} else if (strcmp(k, "properties") == 0 && json_is_object(v)) {
			const char *pk;
			json_t *pv;
			c = json_object();
			json_object_foreach(v, pk, pv)
				if (c != NULL && json_object_set_new(c, pk, schema_json(pv, depth + 1)) != 0) {
					json_decref(c);
					c = NULL;
				}
		} else if ((strcmp(k, "items") == 0 || strcmp(k, "additionalProperties") == 0) && json_is_object(v))
			c = schema_json(v, depth + 1);
		else if ((strcmp(k, "anyOf") == 0 || strcmp(k, "any_of") == 0) && json_is_array(v)) {
			json_t *e;
			c = json_array();
			json_array_foreach(v, i, e)
				if (c != NULL && json_array_append_new(c, schema_json(e, depth + 1)) != 0) {
					json_decref(c);
					c = NULL;
				}
			k = "anyOf";
		} else
			c = json_incref(v);
		if (c == NULL || json_object_set_new(out, k, c) != 0) {
			json_decref(out);
			return NULL;
		}
	}
	if (json_is_true(json_object_get(out, "nullable")) && json_is_string(v = json_object_get(out, "type"))) {
		json_t *t = json_pack("[O, s]", v, "null");
		(void)json_object_del(out, "nullable");
		if (t == NULL || json_object_set_new(out, "type", t) != 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/* The id of the earliest call named name that no result answers yet. */
static const char *
open_call(const struct hub_req *q, const char *name)
{
	size_t i, j, k, l;

	for (i = 0; i < q->nmsgs; i++)
		for (j = 0; j < q->msgs[i].nparts; j++) {
			const struct hub_part *c = &q->msgs[i].parts[j];
			int answered = 0;
			if (c->type != HP_TOOL_CALL || c->name == NULL || strcmp(c->name, name) != 0)
				continue;
			for (k = i + 1; k < q->nmsgs && !answered; k++)
				for (l = 0; l < q->msgs[k].nparts; l++)
					if (q->msgs[k].parts[l].type == HP_TOOL_RESULT && q->msgs[k].parts[l].id &&
					    c->id && strcmp(q->msgs[k].parts[l].id, c->id) == 0)
						answered = 1;
			if (!answered)
				return c->id;
		}
	return NULL;
}

/* inlineData / fileData into an image or file part. */
static int
media(struct gd *g, json_t *gp, const char *path, struct hub_part **parts, size_t *n)
{
	json_t *in = member(gp, "inlineData"), *fd = member(gp, "fileData");
	const char *mime = mstr(in ? in : fd, "mimeType");
	struct hub_part *p;

	if (in != NULL && mstr(in, "data") == NULL)
		return hub_fail(g->err, "%s.inlineData.data: required", path);
	if (fd != NULL && mstr(fd, "fileUri") == NULL)
		return hub_fail(g->err, "%s.fileData.fileUri: required", path);
	if ((p = hub_add_part(g->a, parts, n, mime && strncmp(mime, "image/", 6) == 0 ? HP_IMAGE : HP_FILE)) == NULL)
		return hub_nomem(g->err);
	p->mime = mime;
	if (in != NULL)
		p->data = mstr(in, "data");
	else
		p->url = mstr(fd, "fileUri");
	return GW_OK;
}

/* A functionResponse as a tool result: its call found by id, else by name
 * (the earliest unanswered call of that name, as Gemini matches them). */
static int
fn_response(struct gd *g, json_t *fr, const char *path)
{
	const char *name = mstr(fr, "name"), *id = mstr(fr, "id");
	json_t *resp = member(fr, "response"), *v;
	struct hub_msg *m;
	struct hub_part *p;

	if (name == NULL)
		return hub_fail(g->err, "%s.functionResponse.name: required", path);
	if (id == NULL || hub_call_name(g->q, id) == NULL)
		id = open_call(g->q, name);
	if (id == NULL)
		return hub_fail(g->err, "%s.functionResponse: no earlier functionCall named %.64s", path, name);
	if ((m = hub_add_msg(g->a, g->q, HUB_TOOL)) == NULL ||
	    (p = hub_add_part(g->a, &m->parts, &m->nparts, HP_TOOL_RESULT)) == NULL)
		return hub_nomem(g->err);
	p->id = id;
	p->name = name;
	/* {"output": text} / {"error": text} are the documented shapes */
	if ((v = member(resp, "output")) != NULL && json_is_string(v))
		p->text = json_string_value(v);
	else if ((v = member(resp, "error")) != NULL && json_is_string(v)) {
		p->text = json_string_value(v);
		p->is_error = 1;
	} else
		p->text = hub_obj_text(g->a, resp);
	return GW_OK;
}

/* One content: a user or model turn. Function responses become tool
 * messages; the rest of a user turn follows them as one user message. */
static int
content(struct gd *g, json_t *c, size_t i)
{
	const char *role = mstr(c, "role"), *t;
	json_t *parts = member(c, "parts"), *gp, *fc, *v;
	struct hub_part *hp = NULL, *ps = NULL;
	struct hub_msg *m;
	char path[64];
	size_t j, n = 0;
	int model, rc;

	snprintf(path, sizeof(path), "contents[%zu]", i);
	if (!json_is_object(c))
		return hub_fail(g->err, "%s: expected an object", path);
	if (role != NULL && strcmp(role, "user") != 0 && strcmp(role, "model") != 0)
		return hub_fail(g->err, "%s.role: Please use a valid role: user, model.", path);
	model = role != NULL && strcmp(role, "model") == 0;
	if (!json_is_array(parts))
		return hub_fail(g->err, "%s.parts: required, an array", path);
	json_array_foreach(parts, j, gp) {
		snprintf(path, sizeof(path), "contents[%zu].parts[%zu]", i, j);
		if (!json_is_object(gp))
			return hub_fail(g->err, "%s: expected an object", path);
		hp = NULL;
		if ((fc = member(gp, "functionCall")) != NULL) {
			if (!model)
				return hub_fail(g->err, "%s: function calls come from the model (role \"model\")", path);
			if ((t = mstr(fc, "name")) == NULL)
				return hub_fail(g->err, "%s.functionCall.name: required", path);
			if ((hp = hub_add_part(g->a, &ps, &n, HP_TOOL_CALL)) == NULL)
				return hub_nomem(g->err);
			hp->name = t;
			hp->args = hub_obj_text(g->a, member(fc, "args"));
			if ((hp->id = mstr(fc, "id")) == NULL)
				hp->id = arena_printf(g->a, "call_gemini_%d", g->ncalls);
			g->ncalls++;
		} else if ((v = member(gp, "functionResponse")) != NULL) {
			if (model)
				return hub_fail(g->err, "%s: function responses come from the user", path);
			/* results go before the turn's other parts */
			if ((rc = fn_response(g, v, path)) != GW_OK)
				return rc;
		} else if (member(gp, "inlineData") != NULL || member(gp, "fileData") != NULL) {
			if ((rc = media(g, gp, path, &ps, &n)) != GW_OK)
				return rc;
		} else if ((v = member(gp, "text")) != NULL) {
			if (!json_is_string(v))
				return hub_fail(g->err, "%s.text: expected a string", path);
			if (json_string_length(v) == 0 && mstr(gp, "thoughtSignature") == NULL)
				continue;
			if ((hp = hub_add_part(g->a, &ps, &n,
			    model && json_is_true(member(gp, "thought")) ? HP_THINKING : HP_TEXT)) == NULL)
				return hub_nomem(g->err);
			hp->text = json_string_value(v);
		} else if (member(gp, "executableCode") != NULL || member(gp, "codeExecutionResult") != NULL)
			hub_drop(g->a, g->q, "codeExecution");
		else
			return hub_fail(g->err, "%s: a part needs text, inlineData, fileData, functionCall or "
			    "functionResponse", path);
		if (hp != NULL && (t = mstr(gp, "thoughtSignature")) != NULL)
			hp->signature = t;
	}
	if (n == 0)
		return GW_OK;
	if ((m = hub_add_msg(g->a, g->q, model ? HUB_ASSISTANT : HUB_USER)) == NULL)
		return hub_nomem(g->err);
	m->parts = ps;
	m->nparts = n;
	return GW_OK;
}

static int
system_instruction(struct gd *g, json_t *si)
{
	json_t *parts, *gp;
	struct hub_msg *m;
	struct hub_part *p;
	size_t i;

	if (si == NULL)
		return GW_OK;
	if (json_is_string(si)) {
		if ((m = hub_add_msg(g->a, g->q, HUB_SYSTEM)) == NULL ||
		    (p = hub_add_part(g->a, &m->parts, &m->nparts, HP_TEXT)) == NULL)
			return hub_nomem(g->err);
		p->text = json_string_value(si);
		return GW_OK;
	}
	if (!json_is_array(parts = member(si, "parts")))
		return hub_fail(g->err, "systemInstruction.parts: required, an array");
	if ((m = hub_add_msg(g->a, g->q, HUB_SYSTEM)) == NULL)
		return hub_nomem(g->err);
	json_array_foreach(parts, i, gp) {
		if (mstr(gp, "text") == NULL)
			return hub_fail(g->err, "systemInstruction.parts[%zu].text: expected a string", i);
		if ((p = hub_add_part(g->a, &m->parts, &m->nparts, HP_TEXT)) == NULL)
			return hub_nomem(g->err);
		p->text = mstr(gp, "text");
	}
	return GW_OK;
}

/* tools: function declarations; googleSearch as web search; the other
 * Google-run tools (code execution, URL context, file search, maps) have
 * no equivalent elsewhere and are left out. */
static int
tools(struct gd *g, json_t *arr)
{
	json_t *t, *decls, *d, *ps;
	struct hub_tool *ht;
	const char *k;
	json_t *v;
	size_t i, j;

	if (arr == NULL)
		return GW_OK;
	if (!json_is_array(arr))
		return hub_fail(g->err, "tools: expected an array");
	json_array_foreach(arr, i, t) {
		if (!json_is_object(t))
			return hub_fail(g->err, "tools[%zu]: expected an object", i);
		json_object_foreach(t, k, v) {
			if (strcmp(k, "functionDeclarations") == 0 || strcmp(k, "function_declarations") == 0)
				continue;
			if (strcmp(k, "googleSearch") == 0 || strcmp(k, "google_search") == 0 ||
			    strcmp(k, "googleSearchRetrieval") == 0 || strcmp(k, "google_search_retrieval") == 0)
				g->q->web_search = 1;
			else
				hub_drop(g->a, g->q, k);
		}
		decls = member(t, "functionDeclarations");
		if (decls != NULL && !json_is_array(decls))
			return hub_fail(g->err, "tools[%zu].functionDeclarations: expected an array", i);
		json_array_foreach(decls, j, d) {
			if ((ht = hub_add_tool(g->a, g->q)) == NULL)
				return hub_nomem(g->err);
			if ((ht->name = mstr(d, "name")) == NULL)
				return hub_fail(g->err, "tools[%zu].functionDeclarations[%zu].name: required", i, j);
			ht->description = mstr(d, "description");
			if ((ps = member(d, "parametersJsonSchema")) != NULL && json_is_object(ps))
				ht->parameters = ps;
			else if ((ps = member(d, "parameters")) != NULL && json_is_object(ps)) {
				if ((ht->parameters = hub_keep(g->a, schema_json(ps, 0))) == NULL)
					return hub_nomem(g->err);
			} else if (ps != NULL)
				return hub_fail(g->err, "tools[%zu].functionDeclarations[%zu].parameters: expected "
				    "an object", i, j);
		}
	}
	return GW_OK;
}

static int
tool_config(struct gd *g, json_t *tc)
{
	json_t *fcc = member(tc, "functionCallingConfig"), *allowed;
	const char *mode = mstr(fcc, "mode");

	if (mode == NULL || strcmp(mode, "AUTO") == 0 || strcmp(mode, "MODE_UNSPECIFIED") == 0)
		g->q->tool_choice = mode ? HTC_AUTO : HTC_UNSET;
	else if (strcmp(mode, "NONE") == 0)
		g->q->tool_choice = HTC_NONE;
	else if (strcmp(mode, "ANY") == 0 || strcmp(mode, "VALIDATED") == 0) {
		allowed = member(fcc, "allowedFunctionNames");
		g->q->tool_choice = HTC_REQUIRED;
		if (json_array_size(allowed) == 1 && json_is_string(json_array_get(allowed, 0))) {
			g->q->tool_choice = HTC_FORCED;
			g->q->tool_choice_name = json_string_value(json_array_get(allowed, 0));
		}
	} else
		return hub_fail(g->err, "toolConfig.functionCallingConfig.mode: expected AUTO, ANY, NONE or VALIDATED");
	return GW_OK;
}

static int
num(struct gd *g, json_t *o, const char *k, double *out)
{
	json_t *v = member(o, k);

	if (v == NULL)
		return GW_OK;
	if (!json_is_number(v))
		return hub_fail(g->err, "generationConfig.%s: expected a number", k);
	*out = json_number_value(v);
	return GW_OK;
}

static int
integer(struct gd *g, json_t *o, const char *k, int64_t *out)
{
	json_t *v = member(o, k);

	if (v == NULL)
		return GW_OK;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return hub_fail(g->err, "generationConfig.%s: expected a non-negative integer", k);
	*out = json_integer_value(v);
	return GW_OK;
}

static int
generation(struct gd *g, json_t *gc)
{
	struct hub_req *q = g->q;
	json_t *v, *th;
	const char *mime, *lvl;
	size_t i;
	int rc;

	if (gc == NULL)
		return GW_OK;
	if (!json_is_object(gc))
		return hub_fail(g->err, "generationConfig: expected an object");
	if ((rc = num(g, gc, "temperature", &q->temperature)) != GW_OK ||
	    (rc = num(g, gc, "topP", &q->top_p)) != GW_OK ||
	    (rc = num(g, gc, "presencePenalty", &q->presence_penalty)) != GW_OK ||
	    (rc = num(g, gc, "frequencyPenalty", &q->frequency_penalty)) != GW_OK ||
	    (rc = integer(g, gc, "topK", &q->top_k)) != GW_OK ||
	    (rc = integer(g, gc, "maxOutputTokens", &q->max_tokens)) != GW_OK ||
	    (rc = integer(g, gc, "candidateCount", &q->n)) != GW_OK ||
	    (rc = integer(g, gc, "seed", &q->seed)) != GW_OK)
		return rc;
	if ((v = member(gc, "stopSequences")) != NULL) {
		if (!json_is_array(v))
			return hub_fail(g->err, "generationConfig.stopSequences: expected an array");
		if ((q->stop = arena_alloc(g->a, (json_array_size(v) + 1) * sizeof(*q->stop))) == NULL)
			return hub_nomem(g->err);
		for (i = 0; i < json_array_size(v); i++) {
			if (!json_is_string(json_array_get(v, i)))
				return hub_fail(g->err, "generationConfig.stopSequences[%zu]: expected a string", i);
			q->stop[q->nstop++] = json_string_value(json_array_get(v, i));
		}
	}
	mime = mstr(gc, "responseMimeType");
	if (mime != NULL && strcmp(mime, "application/json") == 0) {
		q->rf = HRF_JSON_OBJECT;
		if ((v = member(gc, "responseJsonSchema")) != NULL && json_is_object(v))
			q->rf_schema = v;
		else if ((v = member(gc, "responseSchema")) != NULL && json_is_object(v) &&
		    (q->rf_schema = hub_keep(g->a, schema_json(v, 0))) == NULL)
			return hub_nomem(g->err);
		if (q->rf_schema != NULL) {
			q->rf = HRF_JSON_SCHEMA;
			q->rf_name = "response";
		}
	}
	if ((th = member(gc, "thinkingConfig")) != NULL) {
		if ((v = member(th, "thinkingBudget")) != NULL) {
			if (!json_is_integer(v))
				return hub_fail(g->err, "generationConfig.thinkingConfig.thinkingBudget: expected an integer");
			/* -1 is "dynamic": thinking on, the model's budget */
			q->thinking_budget = json_integer_value(v) >= 0 ? json_integer_value(v) : -1;
			q->thinking = json_integer_value(v) != 0;
		}
		if ((lvl = mstr(th, "thinkingLevel")) != NULL) {
			q->reasoning_effort = strcmp(lvl, "LOW") == 0 || strcmp(lvl, "low") == 0 ? "low" :
			    strcmp(lvl, "MINIMAL") == 0 || strcmp(lvl, "minimal") == 0 ? "minimal" :
			    strcmp(lvl, "MEDIUM") == 0 || strcmp(lvl, "medium") == 0 ? "medium" : "high";
			q->thinking = 1;
		}
		if (json_is_true(member(th, "includeThoughts")))
			q->thinking = 1;
	}
	return GW_OK;
}

/*
 * Client side: a GenerateContentRequest into q. The model is in the URL,
 * not the body: q->model stays NULL for the caller to set (as does
 * q->stream, which the method name decides). GW_OK, or GW_EINPUT with err
 * filled (Gemini's own wording where it has one).
 */
int
gem_req_decode(struct arena *a, json_t *body, struct hub_req *q, struct hub_err *err)
{
	struct gd g = { a, q, err, 0 };
	json_t *cs, *c;
	size_t i;
	int rc;

	hub_req_init(q);
	if (!json_is_object(body))
		return hub_fail(err, "Invalid JSON payload received. Expected an object.");
	hub_keep(a, json_incref(body));
	q->model = mstr(body, "model");
	if ((rc = system_instruction(&g, member(body, "systemInstruction"))) != GW_OK)
		return rc;
	cs = member(body, "contents");
	if (!json_is_array(cs) || json_array_size(cs) == 0)
		return hub_fail(err, "* GenerateContentRequest.contents: contents is not specified");
	json_array_foreach(cs, i, c)
		if ((rc = content(&g, c, i)) != GW_OK)
			return rc;
	if ((rc = tools(&g, member(body, "tools"))) != GW_OK ||
	    (rc = tool_config(&g, member(body, "toolConfig"))) != GW_OK ||
	    (rc = generation(&g, member(body, "generationConfig"))) != GW_OK)
		return rc;
	if (member(body, "cachedContent") != NULL)
		hub_drop(a, q, "cachedContent");
	return GW_OK;
}

/* ---------------------------------------------------------------------
 * Answers (§4.3)
 */

static const char *
finish_name(enum hub_finish f)
{
	switch (f) {
	case HF_LENGTH: return "MAX_TOKENS";
	case HF_CONTENT_FILTER: return "SAFETY";
	default: return "STOP";	/* tool calls too: Gemini says STOP */
	}
}

/* usageMetadata; candidatesTokenCount leaves the thoughts out. */
static json_t *
usage_meta(const struct hub_usage *u)
{
	json_t *o = json_pack("{s:I, s:I, s:I}", "promptTokenCount", (json_int_t)u->input,
	    "candidatesTokenCount", (json_int_t)(u->output - u->reasoning),
	    "totalTokenCount", (json_int_t)(u->input + u->output));

	if (o != NULL && u->reasoning &&
	    json_object_set_new(o, "thoughtsTokenCount", json_integer(u->reasoning)) != 0) {
		json_decref(o);
		return NULL;
	}
	if (o != NULL && u->cache_read &&
	    json_object_set_new(o, "cachedContentTokenCount", json_integer(u->cache_read)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* One hub output part as a Gemini part (new ref); NULL = none/ENOMEM. */
static json_t *
out_part(const struct hub_part *p)
{
	json_t *o = NULL, *args;

	switch (p->type) {
	case HP_TEXT:
		o = json_pack("{s:o}", "text", hub_jstr(p->text));
		break;
	case HP_THINKING:
		o = json_pack("{s:o, s:b}", "text", hub_jstr(p->text), "thought", 1);
		break;
	case HP_TOOL_CALL:
		args = p->args ? json_loads(p->args, 0, NULL) : NULL;
		if (!json_is_object(args)) {
			json_decref(args);
			args = json_object();
		}
		o = json_pack("{s:{s:o, s:o, s:o}}", "functionCall", "id", hub_jstr(p->id), "name",
		    hub_jstr(p->name), "args", args);
		break;
	case HP_IMAGE:
		if (p->data)
			o = json_pack("{s:{s:s, s:o}}", "inlineData", "mimeType", p->mime ? p->mime : "image/png",
			    "data", hub_jstr(p->data));
		break;
	default:
		break;
	}
	if (o != NULL && p->signature != NULL &&
	    json_object_set_new(o, "thoughtSignature", hub_jstr(p->signature)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* A response (new ref) of these parts (taken), finish and usage. */
static json_t *
response(json_t *parts, const char *finish, const struct hub_usage *u, const char *model,
    const char *id)
{
	json_t *cand, *r;

	cand = parts ? json_pack("{s:{s:s, s:o}, s:i}", "content", "role", "model", "parts", parts, "index", 0) :
	    json_pack("{s:i}", "index", 0);
	if (cand != NULL && finish != NULL && json_object_set_new(cand, "finishReason", json_string(finish)) != 0) {
		json_decref(cand);
		cand = NULL;
	}
	r = json_pack("{s:[o], s:o, s:o}", "candidates", cand, "modelVersion", hub_jstr(model),
	    "responseId", hub_jstr(id));
	if (r != NULL && u != NULL && json_object_set_new(r, "usageMetadata", usage_meta(u)) != 0) {
		json_decref(r);
		return NULL;
	}
	return r;
}

/* Client side: the hub's answer as a GenerateContentResponse (new ref). */
json_t *
gem_resp_encode(struct arena *a, const struct hub_req *req, const struct hub_resp *resp)
{
	json_t *parts = json_array(), *p;
	struct hub_usage zero;
	size_t i;

	if (parts == NULL)
		return NULL;
	for (i = 0; i < resp->nparts; i++)
		if ((p = out_part(&resp->parts[i])) != NULL && json_array_append_new(parts, p) != 0) {
			json_decref(parts);
			return NULL;
		}
	memset(&zero, 0, sizeof(zero));
	return response(parts, finish_name(resp->finish), resp->have_usage ? &resp->usage : &zero,
	    resp->model ? resp->model : req ? req->model : NULL,
	    resp->id ? resp->id : hub_new_id(a, ""));
}

/* ---------------------------------------------------------------------
 * Streams (§4.4): each chunk a GenerateContentResponse with the new parts;
 * function calls whole (Gemini never splits them), so a call is held
 * until its arguments are complete; finishReason and usage in the last.
 */

struct genc_out {
	struct arena *a;
	const struct hub_req *req;
	hub_write_fn write;
	void *ctx;
	const char *id, *model;
	int gone, ended;
	/* the call being assembled: */
	int call_open;
	const char *call_id, *call_name;
	struct buf args;
	const char *sig;		/* a signature waiting for the next part */
	enum hub_finish finish;
	struct hub_usage usage;
	int have_usage;
};

static void
genc_free(void *p)
{
	struct genc_out *e = p;

	buf_release(&e->args);
}

/* Write one chunk (takes o). */
static int
chunk(struct genc_out *e, json_t *o)
{
	char *s;

	if (e->gone || o == NULL) {
		json_decref(o);
		return e->gone = 1;
	}
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (s == NULL)
		return e->gone = 1;
	if (e->write(e->ctx, NULL, s, strlen(s)) != 0)
		e->gone = 1;
	free(s);
	return e->gone;
}

/* A chunk of one part (p borrowed). */
static int
part_chunk(struct genc_out *e, struct hub_part *p)
{
	json_t *gp;

	if (e->sig != NULL && p->signature == NULL) {
		p->signature = e->sig;
		e->sig = NULL;
	}
	if ((gp = out_part(p)) == NULL)
		return e->gone = 1;
	return chunk(e, response(json_pack("[o]", gp), NULL, NULL, e->model, e->id));
}

static int
flush_call(struct genc_out *e)
{
	struct hub_part p;

	if (!e->call_open)
		return e->gone;
	e->call_open = 0;
	memset(&p, 0, sizeof(p));
	p.type = HP_TOOL_CALL;
	p.id = e->call_id;
	p.name = e->call_name;
	p.args = buf_len(&e->args) ? buf_cstr(&e->args) : "{}";
	return part_chunk(e, &p);
}

void *
gem_enc_new(struct arena *a, const struct hub_req *req, hub_write_fn write, void *ctx)
{
	struct genc_out *e = arena_calloc(a, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->a = a;
	e->req = req;
	e->write = write;
	e->ctx = ctx;
	e->model = req ? req->model : NULL;
	buf_init(&e->args, BUF_MAX_RESPONSE);
	if (arena_defer(a, genc_free, e) != GW_OK) {
		buf_release(&e->args);
		return NULL;
	}
	return e;
}

int
gem_enc_event(void *ep, const struct hub_ev *ev)
{
	struct genc_out *e = ep;
	struct hub_part p;
	json_t *o;

	if (e->gone || e->ended)
		return e->gone;
	memset(&p, 0, sizeof(p));
	switch (ev->type) {
	case HE_START:
		if (ev->id)
			e->id = arena_strdup(e->a, ev->id);
		if (ev->name)
			e->model = arena_strdup(e->a, ev->name);
		return 0;
	case HE_TEXT:
	case HE_THINKING:
		if (flush_call(e) || ev->len == 0)
			return e->gone;
		p.type = ev->type == HE_TEXT ? HP_TEXT : HP_THINKING;
		if ((p.text = arena_strndup(e->a, ev->text, ev->len)) == NULL)
			return e->gone = 1;
		return part_chunk(e, &p);
	case HE_SIGNATURE:
		if (ev->text && (e->sig = arena_strdup(e->a, ev->text)) == NULL)
			return e->gone = 1;
		return 0;
	case HE_TOOL_START:
		if (flush_call(e))
			return 1;
		e->call_open = 1;
		e->call_id = arena_strdup(e->a, ev->id ? ev->id : hub_new_id(e->a, "call_"));
		e->call_name = arena_strdup(e->a, ev->name ? ev->name : "");
		buf_reset(&e->args);
		return e->call_id == NULL || e->call_name == NULL ? (e->gone = 1) : 0;
	case HE_TOOL_ARGS:
		if (e->call_open && ev->len && buf_add(&e->args, ev->text, ev->len) != GW_OK)
			e->gone = 1;
		return e->gone;
	case HE_FINISH:
		e->finish = ev->finish;
		return flush_call(e);
	case HE_USAGE:
		e->usage = ev->usage;
		e->have_usage = 1;
		return 0;
	case HE_ERROR:
		if (flush_call(e))
			return 1;
		e->ended = 1;
		o = gem_error_encode(ev->status ? ev->status : 500, ev->name,
		    ev->text ? arena_strndup(e->a, ev->text, ev->len) : "");
		return chunk(e, o);
	case HE_REDACTED:
		return 0;
	case HE_END:
		if (flush_call(e))
			return 1;
		e->ended = 1;
		return chunk(e, response(NULL, finish_name(e->finish), e->have_usage ? &e->usage : NULL,
		    e->model, e->id ? e->id : hub_new_id(e->a, "")));
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Errors (§4.5)
 */

static const char *
status_of(int status)
{
	switch (status) {
	case 400: return "INVALID_ARGUMENT";
	case 401: return "UNAUTHENTICATED";
	case 403: return "PERMISSION_DENIED";
	case 404: return "NOT_FOUND";
	case 413: return "INVALID_ARGUMENT";
	case 429: return "RESOURCE_EXHAUSTED";
	case 501: return "UNIMPLEMENTED";
	case 503: case 529: return "UNAVAILABLE";
	case 504: return "DEADLINE_EXCEEDED";
	default: return status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
	}
}

/* {"error":{"code","message","status"}} (new ref); type is used as the
 * status when it is already a Google status name (upper case). */
json_t *
gem_error_encode(int status, const char *type, const char *message)
{
	const char *st = status_of(status), *c;

	if (type != NULL && *type) {
		for (c = type; *c && ((*c >= 'A' && *c <= 'Z') || *c == '_'); c++)
			;
		if (*c == '\0')
			st = type;
	}
	return json_pack("{s:{s:i, s:o, s:s}}", "error", "code", status, "message", hub_jstr(message),
	    "status", st);
}
