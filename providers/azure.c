/* providers/azure.c: Azure OpenAI: {base}/openai/deployments/{model without
 * dots}/{task}?api-version={config.api_version or other}, header api-key */
#include <string.h>
#include <jansson.h>
#include "provider.h"

/* The api-version: ChannelConfig.api_version, else the legacy `other`. */
static const char *
api_version(struct arena *a, const struct channel_pick *ch)
{
	const char *v = NULL;
	json_t *cfgj;

	if (ch->config[0] && (cfgj = json_loads(ch->config, 0, NULL)) != NULL) {
		json_t *x = json_object_get(cfgj, "api_version");
		if (json_is_string(x) && json_string_length(x) > 0)
			v = arena_strdup(a, json_string_value(x));
		json_decref(cfgj);
	}
	if (v == NULL && ch->other[0])
		v = ch->other;
	return v;
}

static const char *
azure_url(struct arena *a, const struct upstream_target *t)
{
	const char *ver = api_version(a, t->ch), *task = t->path;
	char *model, *o;
	const char *p;

	if (ver == NULL || t->base[0] == '\0')
		return NULL;
	if (strncmp(task, "/v1/", 4) == 0)
		task += 4;
	/* Azure deployment names cannot hold dots: gpt-3.5-turbo -> gpt-35-turbo */
	if ((model = arena_alloc(a, strlen(t->model) + 1)) == NULL)
		return NULL;
	for (p = t->model, o = model; *p; p++)
		if (*p != '.')
			*o++ = *p;
	*o = '\0';
	return arena_printf(a, "%s/openai/deployments/%s/%s?api-version=%s", t->base, model, task, ver);
}

static int
azure_headers(const struct upstream_target *t, struct curl_slist **h)
{
	return prov_header(h, "api-key", t->ch->key);
}

const struct provider provider_azure = {
	.name = "azure",
	.codec = &hub_chat,
	.url = azure_url,
	.headers = azure_headers,
};
