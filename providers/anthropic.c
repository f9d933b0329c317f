/* providers/anthropic.c: Anthropic Messages (channel type 14):
 * {base}/v1/messages, x-api-key, anthropic-version; the client's
 * anthropic-beta flags are forwarded so betas keep working through us */
#include <stdio.h>
#include <string.h>
#include "provider.h"

#define ANTHROPIC_VERSION "2023-06-01"

/* t->path is the inbound path; Anthropic has one endpoint per task, and
 * count_tokens is the only other one we call. */
static const char *
anthropic_url(struct arena *a, const struct upstream_target *t)
{
	const char *task = strstr(t->path, "/count_tokens") ? "/v1/messages/count_tokens" :
	    "/v1/messages";
	size_t bl = strlen(t->base);

	/* a base that already ends in /v1 (common in copied configs) */
	if (bl >= 3 && strcmp(t->base + bl - 3, "/v1") == 0)
		return arena_printf(a, "%.*s%s", (int)(bl - 3), t->base, task);
	return arena_printf(a, "%s%s", t->base, task);
}

static int
anthropic_headers(const struct upstream_target *t, struct curl_slist **h)
{
	int rc;

	rc = prov_header(h, "x-api-key", t->ch->key);
	if (rc == GW_OK)
		rc = prov_header(h, "anthropic-version", t->anthropic_version &&
		    t->anthropic_version[0] ? t->anthropic_version : ANTHROPIC_VERSION);
	if (rc == GW_OK && t->anthropic_beta && t->anthropic_beta[0])
		rc = prov_header(h, "anthropic-beta", t->anthropic_beta);
	return rc;
}

const struct provider provider_anthropic = {
	.name = "anthropic",
	.codec = &hub_claude,
	.flags = PROV_NEEDS_MAX_TOKENS,	/* Anthropic requires one */
	.url = anthropic_url,
	.headers = anthropic_headers,
};
