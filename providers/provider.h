/* providers/provider.h: what an upstream provider is: one struct per
 * provider (its wire protocol, URL, headers and quirks), and
 * providers/registry.c maps channel types to them. The relay asks these
 * questions and has no per-provider branch of its own. */
#ifndef GW_PROVIDER_H
#define GW_PROVIDER_H

#include <curl/curl.h>
#include "arena.h"
#include "distribute.h"
#include "hub.h"

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

/* Provider flags. */
#define PROV_NEEDS_MAX_TOKENS	0x01u	/* the protocol requires max_tokens: send DEFAULT_MAX_TOKEN */
#define PROV_INLINE_IMAGES	0x02u	/* image URLs must be fetched and sent inline */

struct provider {
	const char *name;
	/* The wire protocol it speaks, when it has only one. */
	const struct hub_format *codec;
	/* Or a choice per request (codec then ignored): the protocol for
	 * this channel, upstream model and client format (client NULL: an
	 * OpenAI-only task). NULL: none we speak. */
	const struct hub_format *(*protocol)(const struct channel_pick *ch, const char *model,
	    const struct hub_format *client);
	unsigned flags;
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
/* The protocol pv speaks for this request (see struct provider). */
const struct hub_format *prov_protocol(const struct provider *pv, const struct channel_pick *ch,
    const char *model, const struct hub_format *client);
/* The request path of a protocol's endpoint ("/v1/chat/completions"...);
 * task, when not NULL, is an OpenAI-only task's own path (embeddings...),
 * which only Chat speakers serve. "" when the URL does not use a path. */
const char *prov_task_path(const struct hub_format *up, const char *task);

/* Append "Name: value" to *h; GW_OK or GW_ENOMEM (the list is kept). */
int prov_header(struct curl_slist **h, const char *name, const char *value) GW_WUR;

#endif
