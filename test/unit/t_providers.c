/* test/unit/t_providers.c: upstream URLs and headers of the OpenAI-family, Azure,
 * Anthropic and Gemini adaptors */
#include <string.h>
#include "t_core.h"
#include "provider.h"
#include "channel_types.h"

static struct channel_pick
chan(int type, const char *config, const char *other)
{
	struct channel_pick c;

	memset(&c, 0, sizeof(c));
	c.id = 1;
	c.type = type;
	c.name = "c";
	c.key = "sk-upstream";
	c.base_url = "";
	c.other = other;
	c.config = config;
	c.model_mapping = "";
	c.system_prompt = "";
	return c;
}

static const char *
url(struct arena *a, const struct channel_pick *c, const char *base, const char *path, const char *model)
{
	struct upstream_target t = { c, base, path, model, 0, NULL, NULL };

	return provider_for(c->type)->url(a, &t);
}

static int
has_header(struct curl_slist *h, const char *line)
{
	for (; h; h = h->next)
		if (strcmp(h->data, line) == 0)
			return 1;
	return 0;
}

START_TEST(urls)
{
	struct arena a;
	struct channel_pick c;

	arena_init(&a);
	c = chan(1, "", "");
	ck_assert_str_eq(url(&a, &c, "https://api.openai.com", "/v1/chat/completions", "gpt-4o"),
	    "https://api.openai.com/v1/chat/completions");
	/* OpenAICompatible: the base carries the version, the path drops "/v1" */
	c = chan(50, "", "");
	ck_assert_str_eq(url(&a, &c, "https://example.test/api/v1", "/v1/embeddings", "m"),
	    "https://example.test/api/v1/embeddings");
	/* Azure: deployment without dots, api-version from config, else `other` */
	c = chan(3, "{\"api_version\":\"2024-06-01\"}", "");
	ck_assert_str_eq(url(&a, &c, "https://r.openai.azure.com", "/v1/chat/completions", "gpt-3.5-turbo"),
	    "https://r.openai.azure.com/openai/deployments/gpt-35-turbo/chat/completions?api-version=2024-06-01");
	c = chan(3, "", "2023-05-15");
	ck_assert_str_eq(url(&a, &c, "https://r.openai.azure.com", "/v1/embeddings", "text-embedding-3-small"),
	    "https://r.openai.azure.com/openai/deployments/text-embedding-3-small/embeddings?api-version=2023-05-15");
	/* no api-version, or no endpoint: no URL */
	c = chan(3, "", "");
	ck_assert_ptr_null(url(&a, &c, "https://r.openai.azure.com", "/v1/chat/completions", "gpt-4o"));
	c = chan(3, "{\"api_version\":\"x\"}", "");
	ck_assert_ptr_null(url(&a, &c, "", "/v1/chat/completions", "gpt-4o"));
	/* Anthropic: one endpoint per task; a base ending in /v1 is tolerated */
	c = chan(14, "", "");
	ck_assert_ptr_eq(provider_for(14), &provider_anthropic);
	ck_assert_str_eq(url(&a, &c, "https://api.anthropic.com", "/v1/chat/completions", "claude-x"),
	    "https://api.anthropic.com/v1/messages");
	ck_assert_str_eq(url(&a, &c, "https://proxy.test/v1", "/v1/messages/count_tokens", "claude-x"),
	    "https://proxy.test/v1/messages/count_tokens");
	/* Gemini: the model in the path, SSE for streams; a model that would
	 * change the path has no URL */
	c = chan(24, "", "");
	ck_assert_ptr_eq(provider_for(24), &provider_gemini);
	ck_assert_str_eq(url(&a, &c, "https://generativelanguage.googleapis.com", "", "gemini-2.5-flash"),
	    "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent");
	{
		struct upstream_target t = { &c, "https://g.test/v1beta", "", "gemini-2.5-pro", 1, NULL, NULL };
		ck_assert_str_eq(provider_gemini.url(&a, &t),
		    "https://g.test/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse");
	}
	ck_assert_ptr_null(url(&a, &c, "https://g.test", "", "../../x"));
	ck_assert_ptr_null(url(&a, &c, "https://g.test", "", "m?key=1"));
	/* types whose protocol is not spoken yet have no adaptor */
	ck_assert_ptr_null(provider_for(33));	/* AWS */
	ck_assert_ptr_null(provider_for(999));
	ck_assert_ptr_eq(provider_for(36), &provider_openai);
	arena_release(&a);
}
END_TEST

START_TEST(headers)
{
	struct channel_pick c = chan(1, "", "");
	struct upstream_target t = { &c, "https://api.openai.com", "/v1/chat/completions", "m", 0, NULL, NULL };
	struct curl_slist *h = NULL;

	ck_assert_int_eq(provider_openai.headers(&t, &h), GW_OK);
	ck_assert(has_header(h, "Authorization: Bearer sk-upstream"));
	ck_assert(!has_header(h, "X-Title: One API"));
	curl_slist_free_all(h);
	h = NULL;
	c = chan(20, "", "");	/* OpenRouter */
	ck_assert_int_eq(provider_openai.headers(&t, &h), GW_OK);
	ck_assert(has_header(h, "X-Title: One API"));
	curl_slist_free_all(h);
	h = NULL;
	c = chan(3, "", "v");	/* Azure: api-key, no Authorization */
	ck_assert_int_eq(provider_azure.headers(&t, &h), GW_OK);
	ck_assert(has_header(h, "api-key: sk-upstream"));
	ck_assert(!has_header(h, "Authorization: Bearer sk-upstream"));
	curl_slist_free_all(h);
	h = NULL;
	/* Anthropic: x-api-key, a default version, the client's betas */
	c = chan(14, "", "");
	ck_assert_int_eq(provider_anthropic.headers(&t, &h), GW_OK);
	ck_assert(has_header(h, "x-api-key: sk-upstream"));
	ck_assert(has_header(h, "anthropic-version: 2023-06-01"));
	ck_assert(!has_header(h, "Authorization: Bearer sk-upstream"));
	curl_slist_free_all(h);
	h = NULL;
	t.anthropic_version = "2023-01-01";
	t.anthropic_beta = "claude-code-20250219,interleaved-thinking-2025-05-14";
	ck_assert_int_eq(provider_anthropic.headers(&t, &h), GW_OK);
	ck_assert(has_header(h, "anthropic-version: 2023-01-01"));
	ck_assert(has_header(h, "anthropic-beta: claude-code-20250219,interleaved-thinking-2025-05-14"));
	curl_slist_free_all(h);
	h = NULL;
	/* Gemini: the key in a header, never in the URL */
	c = chan(24, "", "");
	ck_assert_int_eq(provider_gemini.headers(&t, &h), GW_OK);
	ck_assert(has_header(h, "x-goog-api-key: sk-upstream"));
	curl_slist_free_all(h);
}
END_TEST

/* Which protocol each provider speaks for a request, and its quirks. */
START_TEST(protocols)
{
	struct channel_pick oa = chan(1, "{}", ""), ds = chan(36, "{}", "");
	struct channel_pick forced = chan(36, "{\"api_format\":\"response\"}", "");
	struct channel_pick chatonly = chan(1, "{\"api_format\":\"chat_completion\"}", "");
	struct channel_pick an = chan(14, "{}", ""), ge = chan(24, "{}", ""), az = chan(3, "{}", "");

	ck_assert_ptr_eq(prov_protocol(provider_for(1), &oa, "gpt-4o", &hub_chat), &hub_chat);
	ck_assert_ptr_eq(prov_protocol(provider_for(1), &oa, "gpt-4o", &hub_responses), &hub_responses);
	ck_assert_ptr_eq(prov_protocol(provider_for(1), &oa, "o3-pro", &hub_chat), &hub_responses);
	ck_assert_ptr_eq(prov_protocol(provider_for(1), &chatonly, "o3-pro", &hub_responses), &hub_chat);
	ck_assert_ptr_eq(prov_protocol(provider_for(36), &ds, "o3-pro", &hub_responses), &hub_chat);
	ck_assert_ptr_eq(prov_protocol(provider_for(36), &forced, "x", &hub_chat), &hub_responses);
	ck_assert_ptr_eq(prov_protocol(provider_for(14), &an, "claude", &hub_chat), &hub_claude);
	ck_assert_ptr_eq(prov_protocol(provider_for(24), &ge, "gemini", NULL), &hub_gemini);
	ck_assert_ptr_eq(prov_protocol(provider_for(3), &az, "gpt-4o", &hub_claude), &hub_chat);
	ck_assert_ptr_null(prov_protocol(provider_for(33), &an, "x", &hub_chat));
	ck_assert_uint_eq(provider_for(14)->flags & PROV_NEEDS_MAX_TOKENS, PROV_NEEDS_MAX_TOKENS);
	ck_assert_uint_eq(provider_for(24)->flags & PROV_INLINE_IMAGES, PROV_INLINE_IMAGES);
	ck_assert_uint_eq(provider_for(1)->flags, 0);
	ck_assert_str_eq(prov_task_path(&hub_chat, NULL), "/v1/chat/completions");
	ck_assert_str_eq(prov_task_path(&hub_chat, "/v1/embeddings"), "/v1/embeddings");
	ck_assert_str_eq(prov_task_path(&hub_responses, NULL), "/v1/responses");
	ck_assert_str_eq(prov_task_path(&hub_claude, NULL), "/v1/messages");
	ck_assert_str_eq(prov_task_path(&hub_gemini, NULL), "");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("providers");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, urls);
	tcase_add_test(tc, headers);
	tcase_add_test(tc, protocols);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
