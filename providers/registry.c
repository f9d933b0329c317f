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
	case API_ANTHROPIC:
		return &provider_anthropic;
	case API_GEMINI:
		return &provider_gemini;
	default:
		return NULL;	/* a native protocol not spoken yet */
	}
}
