/* providers/provider.h: what an upstream adaptor provides (one vtable per
 * protocol; providers/registry.c maps channel types to them) */
#ifndef GW_PROVIDER_H
#define GW_PROVIDER_H

#include <curl/curl.h>
#include "arena.h"
#include "distribute.h"

/* What the relay knows when it asks an adaptor to address the upstream. */
struct upstream_target {
	const struct channel_pick *ch;
	const char *base;	/* channel base_url, or the type's default; no trailing '/' */
	const char *path;	/* the client's request path: "/v1/chat/completions" */
	const char *model;	/* the upstream model (after mapping) */
	int stream;
	/* the client's Anthropic headers, forwarded to Anthropic upstreams
	 * (NULL = not sent: the adaptor's defaults) */
	const char *anthropic_version;
	const char *anthropic_beta;
};

struct provider {
	const char *name;
	/* The full upstream URL, in the arena; NULL when the channel's config
	 * cannot address one (e.g. Azure without an api-version). */
	const char *(*url)(struct arena *a, const struct upstream_target *t);
	/* Append the auth and protocol headers. GW_OK or GW_ENOMEM. */
	int (*headers)(const struct upstream_target *t, struct curl_slist **h);
};

extern const struct provider provider_openai;
extern const struct provider provider_azure;
extern const struct provider provider_anthropic;
extern const struct provider provider_gemini;

/* The adaptor for a channel type, or NULL when its protocol is not spoken
 * yet (the relay answers 501 for such a channel). */
const struct provider *provider_for(int channel_type);

/* Append "Name: value" to *h; GW_OK or GW_ENOMEM (the list is kept). */
int prov_header(struct curl_slist **h, const char *name, const char *value) GW_WUR;

#endif
