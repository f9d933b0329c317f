/* providers/openai.c: OpenAI and every OpenAI-compatible channel type:
 * URL = base + request path, Authorization: Bearer <key> */
#include <stdio.h>
#include <string.h>
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

const struct provider provider_openai = {
	.name = "openai",
	.url = openai_url,
	.headers = openai_headers,
};
