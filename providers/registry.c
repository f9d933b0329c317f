/* providers/registry.c: channel type -> adaptor */
#include <stddef.h>
#include "provider.h"
#include "channel_types.h"

const struct provider *
provider_for(int type)
{
	const struct channel_type *ct = channel_type(type);

	if (ct == NULL)
		return NULL;
	switch (ct->api) {
	case API_OPENAI:
		return &provider_openai;
	case API_AZURE:
		return &provider_azure;
	default:
		return NULL;	/* Anthropic, Gemini, ...: the format-translation issue */
	}
}
