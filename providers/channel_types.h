/* providers/channel_types.h: One API's channel types (channels.type), their
 * default base URLs and the upstream protocol each speaks */
#ifndef GW_CHANNEL_TYPES_H
#define GW_CHANNEL_TYPES_H

/* The upstream protocol (One API's "API type"). */
enum api_type {
	API_OPENAI,		/* OpenAI Chat/Completions/Embeddings, and compatibles */
	API_AZURE,		/* OpenAI on Azure: deployment path, api-version, api-key */
	API_ANTHROPIC,		/* Anthropic Messages */
	API_GEMINI,		/* Google AI Studio generateContent */
	API_OTHER,		/* a native protocol not spoken yet */
	API__MAX
};

struct channel_type {
	int id;			/* channels.type */
	const char *name;
	const char *base_url;	/* default when channels.base_url is empty; "" = user must set */
	enum api_type api;
};

#define CHANNEL_TYPE_MAX 58	/* ids 0..57, as One API and its maintained fork number them */

/* The type with this id, or NULL for an unknown id. */
const struct channel_type *channel_type(int id);

#endif
