/* providers/openai.c: OpenAI and every OpenAI-compatible channel type:
 * URL = base + request path, Authorization: Bearer <key>; Chat, or the
 * Responses API where OpenAI itself serves it */
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include "provider.h"
#include "channel_types.h"

int
prov_header(struct curl_slist **h, const char *name, const char *value)
{
	char line[8192];
	struct curl_slist *n;

	if (snprintf(line, sizeof(line), "%s: %s", name, value) >= (int)sizeof(line))
		return GW_EINPUT;
	if ((n = curl_slist_append(*h, line)) == NULL)
		return GW_ENOMEM;
	*h = n;
	return GW_OK;
}

/* One API's GetFullRequestURL: OpenAICompatible channels take the path
 * without its "/v1" (their base usually ends in /v1 already); Cloudflare's
 * AI Gateway likewise for OpenAI. */
static const char *
openai_url(struct arena *a, const struct upstream_target *t)
{
	const char *path = t->path;

	if ((t->ch->type == 50 || strncmp(t->base, "https://gateway.ai.cloudflare.com", 33) == 0) &&
	    strncmp(path, "/v1", 3) == 0)
		path += 3;
	return arena_printf(a, "%s%s", t->base, path);
}

static int
openai_headers(const struct upstream_target *t, struct curl_slist **h)
{
	char auth[4096];
	int rc;

	if (snprintf(auth, sizeof(auth), "Bearer %s", t->ch->key) >= (int)sizeof(auth))
		return GW_EINPUT;
	rc = prov_header(h, "Authorization", auth);
	/* OpenRouter ranks apps by these (One API sends them) */
	if (rc == GW_OK && t->ch->type == 20) {
		rc = prov_header(h, "HTTP-Referer", "https://github.com/songquanpeng/one-api");
		if (rc == GW_OK)
			rc = prov_header(h, "X-Title", "One API");
	}
	return rc;
}

/* Models OpenAI serves only through the Responses API. */
static int
responses_only(const char *model)
{
	static const char *const pre[] = { "o1-pro", "o3-pro", "o3-deep-research",
	    "o4-mini-deep-research", "codex-mini", "gpt-5-codex", "gpt-5-pro",
	    "computer-use-preview", NULL };
	size_t i;

	for (i = 0; pre[i]; i++)
		if (strncmp(model, pre[i], strlen(pre[i])) == 0)
			return 1;
	return 0;
}

/* The protocol a channel speaks for this request (One API's fork: OpenAI's
 * own endpoint takes Responses natively, a channel's config "api_format"
 * forces one, every other OpenAI-family channel speaks Chat). */
static const struct hub_format *
openai_protocol(const struct channel_pick *ch, const char *model, const struct hub_format *client)
{
	const char *fmt = NULL;
	json_t *c;
	int want_resp = 0, want_chat = 0;

	/* most configs are "{}" or lack the key: parse only when it may be there */
	if (strstr(ch->config, "api_format") && (c = json_loads(ch->config, 0, NULL)) != NULL) {
		fmt = json_string_value(json_object_get(c, "api_format"));
		want_resp = fmt && strcmp(fmt, "response") == 0;
		want_chat = fmt && strcmp(fmt, "chat_completion") == 0;
		json_decref(c);
	}
	if (want_resp)
		return &hub_responses;
	if (!want_chat && ch->type == 1 && (ch->base_url[0] == '\0' ||
	    strncmp(ch->base_url, "https://api.openai.com", 22) == 0) &&
	    (client == &hub_responses || responses_only(model)))
		return &hub_responses;
	return &hub_chat;
}

const struct provider provider_openai = {
	.name = "openai",
	.protocol = openai_protocol,
	.url = openai_url,
	.headers = openai_headers,
};
