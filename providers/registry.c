/* providers/registry.c: channel type -> provider (one row per upstream
 * protocol family: channel_types.c names each type's family), and the
 * questions the relay asks of one */
#include <stddef.h>
#include "provider.h"
#include "channel_types.h"

static const struct provider *const by_api[API__MAX] = {
	[API_OPENAI] = &provider_openai,
	[API_AZURE] = &provider_azure,
	[API_ANTHROPIC] = &provider_anthropic,
	[API_GEMINI] = &provider_gemini,
	[API_OTHER] = NULL,	/* a native protocol not spoken yet */
};

const struct provider *
provider_for(int type)
{
	const struct channel_type *ct = channel_type(type);

	if (ct == NULL || ct->api < 0 || ct->api >= API__MAX)
		return NULL;
	return by_api[ct->api];
}

const struct hub_format *
prov_protocol(const struct provider *pv, const struct channel_pick *ch, const char *model,
    const struct hub_format *client)
{
	if (pv == NULL)
		return NULL;
	return pv->protocol ? pv->protocol(ch, model, client) : pv->codec;
}

const char *
prov_task_path(const struct hub_format *up, const char *task)
{
	if (up == &hub_chat)
		return task ? task : "/v1/chat/completions";
	if (up == &hub_responses)
		return "/v1/responses";
	if (up == &hub_claude)
		return "/v1/messages";
	return "";
}
