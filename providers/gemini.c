/* providers/gemini.c: Google AI Studio (channel type 24):
 * {base}/v1beta/models/{model}:generateContent, or
 * :streamGenerateContent?alt=sse for streams (SSE instead of a JSON array);
 * the key in x-goog-api-key, not in the URL where logs would keep it */
#include <stdio.h>
#include <string.h>
#include "provider.h"

static const char *
gemini_url(struct arena *a, const struct upstream_target *t)
{
	const char *ver = "/v1beta";
	size_t bl = strlen(t->base);

	/* the model travels in the path: refuse one that would change it */
	if (t->model[0] == '\0' || strpbrk(t->model, "/?#% ") != NULL)
		return NULL;
	if ((bl >= 7 && strcmp(t->base + bl - 7, "/v1beta") == 0) ||
	    (bl >= 3 && strcmp(t->base + bl - 3, "/v1") == 0))
		ver = "";
	return arena_printf(a, "%s%s/models/%s:%s", t->base, ver, t->model,
	    t->stream ? "streamGenerateContent?alt=sse" : "generateContent");
}

static int
gemini_headers(const struct upstream_target *t, struct curl_slist **h)
{
	return prov_header(h, "x-goog-api-key", t->ch->key);
}

const struct provider provider_gemini = {
	.name = "gemini",
	.codec = &hub_gemini,
	.flags = PROV_INLINE_IMAGES,	/* Gemini takes no image URLs */
	.url = gemini_url,
	.headers = gemini_headers,
};
