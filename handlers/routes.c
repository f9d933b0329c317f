/* handlers/routes.c: the one route table. First match wins, so fixed paths
 * come before ":id" patterns. Trailing slashes are optional. */
#include "dispatch.h"
#include "handlers.h"

#define API R_API
#define APIB (R_API | R_BODY)
#define RELAY (R_RELAY | R_APIKEY)
#define RELAYB (R_RELAY | R_APIKEY | R_BODY)
#define CLAUDEB (R_RELAY | R_APIKEY | R_BODY | R_CLAUDE)

const struct route routes[] = {
	/* public */
	{ "GET", "/api/status", h_status, 0, API, 0 },
	{ "GET", "/api/notice", h_notice, 0, API, 0 },
	{ "GET", "/api/about", h_about, 0, API, 0 },
	{ "GET", "/api/home_page_content", h_home_page_content, 0, API, 0 },
	{ "POST", "/api/user/register", h_user_register, 0, APIB, BODY_API },
	{ "POST", "/api/user/login", h_user_login, 0, APIB, BODY_API },
	{ "GET", "/api/user/logout", h_user_logout, 0, API, 0 },

	/* the signed-in user */
	{ "GET", "/api/user/self", h_user_self_get, ROLE_COMMON, API, 0 },
	{ "PUT", "/api/user/self", h_user_self_put, ROLE_COMMON, APIB, BODY_API },
	{ "DELETE", "/api/user/self", h_user_self_delete, ROLE_COMMON, API, 0 },
	{ "GET", "/api/user/token", h_user_access_token, ROLE_COMMON, API, 0 },
	{ "GET", "/api/user/aff", h_user_aff, ROLE_COMMON, API, 0 },
	{ "GET", "/api/user/available_models", h_user_available_models, ROLE_COMMON, API, 0 },
	{ "GET", "/api/user/dashboard", h_user_dashboard, ROLE_COMMON, API, 0 },

	/* user administration */
	{ "GET", "/api/user/", h_user_list, ROLE_ADMIN, API, 0 },
	{ "GET", "/api/user/search", h_user_search, ROLE_ADMIN, API, 0 },
	{ "POST", "/api/user/manage", h_user_manage, ROLE_ADMIN, APIB, BODY_API },
	{ "GET", "/api/user/:id", h_user_get, ROLE_ADMIN, API, 0 },
	{ "POST", "/api/user/", h_user_create, ROLE_ADMIN, APIB, BODY_API },
	{ "PUT", "/api/user/", h_user_update, ROLE_ADMIN, APIB, BODY_API },
	{ "DELETE", "/api/user/:id", h_user_delete, ROLE_ADMIN, API, 0 },

	/* options and groups */
	{ "GET", "/api/option/", h_option_list, ROLE_ROOT, API, 0 },
	{ "PUT", "/api/option/", h_option_update, ROLE_ROOT, APIB, BODY_API },
	{ "GET", "/api/group/", h_group_list, ROLE_ADMIN, API, 0 },

	/* channels */
	{ "GET", "/api/channel/", h_channel_list, ROLE_ADMIN, API, 0 },
	{ "GET", "/api/channel/search", h_channel_search, ROLE_ADMIN, API, 0 },
	{ "GET", "/api/channel/models", h_channel_models, ROLE_ADMIN, API, 0 },
	{ "GET", "/api/channel/:id", h_channel_get, ROLE_ADMIN, API, 0 },
	{ "POST", "/api/channel/", h_channel_create, ROLE_ADMIN, APIB, BODY_API },
	{ "PUT", "/api/channel/", h_channel_update, ROLE_ADMIN, APIB, BODY_API },
	{ "DELETE", "/api/channel/disabled", h_channel_delete_disabled, ROLE_ADMIN, API, 0 },
	{ "DELETE", "/api/channel/:id", h_channel_delete, ROLE_ADMIN, API, 0 },

	/* API keys of the signed-in user */
	{ "GET", "/api/token/", h_token_list, ROLE_COMMON, API, 0 },
	{ "GET", "/api/token/search", h_token_search, ROLE_COMMON, API, 0 },
	{ "GET", "/api/token/:id", h_token_get, ROLE_COMMON, API, 0 },
	{ "POST", "/api/token/", h_token_create, ROLE_COMMON, APIB, BODY_API },
	{ "PUT", "/api/token/", h_token_update, ROLE_COMMON, APIB, BODY_API },
	{ "DELETE", "/api/token/:id", h_token_delete, ROLE_COMMON, API, 0 },

	/* logs, statistics, top-up, request cost */
	{ "GET", "/api/log/", h_log_list, ROLE_ADMIN, API, 0 },
	{ "DELETE", "/api/log/", h_log_delete, ROLE_ADMIN, API, 0 },
	{ "GET", "/api/log/stat", h_log_stat, ROLE_ADMIN, API, 0 },
	{ "GET", "/api/log/search", h_log_search, ROLE_ADMIN, API, 0 },
	{ "GET", "/api/log/self", h_log_self, ROLE_COMMON, API, 0 },
	{ "GET", "/api/log/self/stat", h_log_self_stat, ROLE_COMMON, API, 0 },
	{ "GET", "/api/log/self/search", h_log_self_search, ROLE_COMMON, API, 0 },
	{ "POST", "/api/topup", h_topup, ROLE_ADMIN, APIB, BODY_API },
	{ "GET", "/api/cost/request/:request_id", h_cost_request, 0, API, 0 },

	/* relay (OpenAI-compatible): API-key auth, OpenAI-shaped errors */
	{ "POST", "/v1/chat/completions", h_relay, 0, RELAYB, BODY_CFG },
	{ "POST", "/v1/completions", h_relay, 0, RELAYB, BODY_CFG },
	{ "POST", "/v1/embeddings", h_relay, 0, RELAYB, BODY_CFG },
	{ "POST", "/v1/engines/:model/embeddings", h_relay, 0, RELAYB, BODY_CFG },
	{ "POST", "/v1/moderations", h_relay, 0, RELAYB, BODY_CFG },
	{ "POST", "/v1/responses", h_relay, 0, RELAYB, BODY_CFG },
	{ "GET", "/v1/responses/:id", h_response_item, 0, RELAY, 0 },
	{ "DELETE", "/v1/responses/:id", h_response_item, 0, RELAY, 0 },
	{ "POST", "/v1/responses/:id/cancel", h_response_item, 0, RELAYB, BODY_CFG },
	/* Claude Messages, Anthropic-shaped errors; the aliases are the paths
	 * Claude Code builds from base URLs ending in /v1, /openai/v1 ... */
	{ "POST", "/v1/messages", h_relay, 0, CLAUDEB, BODY_CFG },
	{ "POST", "/v1/messages/count_tokens", h_count_tokens, 0, CLAUDEB, BODY_CFG },
	{ "POST", "/v1/v1/messages", h_relay, 0, CLAUDEB, BODY_CFG },
	{ "POST", "/v1/v1/messages/count_tokens", h_count_tokens, 0, CLAUDEB, BODY_CFG },
	{ "POST", "/openai/v1/messages", h_relay, 0, CLAUDEB, BODY_CFG },
	{ "POST", "/openai/v1/v1/messages", h_relay, 0, CLAUDEB, BODY_CFG },
	{ "POST", "/api/v1/v1/messages", h_relay, 0, CLAUDEB, BODY_CFG },
	{ "GET", "/v1/models", h_models_list, 0, RELAY, 0 },
	{ "GET", "/v1/models/:model", h_model_get, 0, RELAY, 0 },
	{ "GET", "/v1/dashboard/billing/subscription", h_billing_subscription, 0, RELAY, 0 },
	{ "GET", "/dashboard/billing/subscription", h_billing_subscription, 0, RELAY, 0 },
	{ "GET", "/v1/dashboard/billing/usage", h_billing_usage, 0, RELAY, 0 },
	{ "GET", "/dashboard/billing/usage", h_billing_usage, 0, RELAY, 0 },
	{ "POST", "/v1/images/variations", h_not_implemented, 0, R_RELAY, 0 },
	{ "GET", "/v1/files", h_not_implemented, 0, R_RELAY, 0 },
	{ "POST", "/v1/files", h_not_implemented, 0, R_RELAY, 0 },
	{ "DELETE", "/v1/files/:id", h_not_implemented, 0, R_RELAY, 0 },
	{ "GET", "/v1/files/:id", h_not_implemented, 0, R_RELAY, 0 },
	{ "GET", "/v1/files/:id/content", h_not_implemented, 0, R_RELAY, 0 },
	{ "POST", "/v1/fine_tuning/jobs", h_not_implemented, 0, R_RELAY, 0 },
	{ "GET", "/v1/fine_tuning/jobs", h_not_implemented, 0, R_RELAY, 0 },
	{ "GET", "/v1/fine_tuning/jobs/:id", h_not_implemented, 0, R_RELAY, 0 },
	{ "POST", "/v1/fine_tuning/jobs/:id/cancel", h_not_implemented, 0, R_RELAY, 0 },
	{ "GET", "/v1/fine_tuning/jobs/:id/events", h_not_implemented, 0, R_RELAY, 0 },
	{ "DELETE", "/v1/models/:model", h_not_implemented, 0, R_RELAY, 0 },
	{ "POST", "/v1/assistants", h_not_implemented, 0, R_RELAY, 0 },
	{ "GET", "/v1/assistants", h_not_implemented, 0, R_RELAY, 0 },
	{ "GET", "/v1/assistants/:id", h_not_implemented, 0, R_RELAY, 0 },
	{ "POST", "/v1/assistants/:id", h_not_implemented, 0, R_RELAY, 0 },
	{ "DELETE", "/v1/assistants/:id", h_not_implemented, 0, R_RELAY, 0 },
	{ "POST", "/v1/threads", h_not_implemented, 0, R_RELAY, 0 },
	{ "GET", "/v1/threads/:id", h_not_implemented, 0, R_RELAY, 0 },
	{ "POST", "/v1/threads/:id", h_not_implemented, 0, R_RELAY, 0 },
	{ "DELETE", "/v1/threads/:id", h_not_implemented, 0, R_RELAY, 0 },
	{ "POST", "/v1/threads/:id/messages", h_not_implemented, 0, R_RELAY, 0 },
	{ "GET", "/v1/threads/:id/messages", h_not_implemented, 0, R_RELAY, 0 },
	{ "POST", "/v1/threads/:id/runs", h_not_implemented, 0, R_RELAY, 0 },
	{ "GET", "/v1/threads/:id/runs", h_not_implemented, 0, R_RELAY, 0 },
	{ "OPTIONS", "/v1/chat/completions", h_cors_preflight, 0, R_RELAY, 0 },
	{ "OPTIONS", "/v1/completions", h_cors_preflight, 0, R_RELAY, 0 },
	{ "OPTIONS", "/v1/embeddings", h_cors_preflight, 0, R_RELAY, 0 },
	{ "OPTIONS", "/v1/moderations", h_cors_preflight, 0, R_RELAY, 0 },
	{ "OPTIONS", "/v1/responses", h_cors_preflight, 0, R_RELAY, 0 },
	{ "OPTIONS", "/v1/messages", h_cors_preflight, 0, R_RELAY, 0 },
	{ "OPTIONS", "/v1/messages/count_tokens", h_cors_preflight, 0, R_RELAY, 0 },
	{ "OPTIONS", "/v1/models", h_cors_preflight, 0, R_RELAY, 0 },

	/* admin UI (HTML): flags 0 so errors are pages; min_role 0 because the
	 * page handlers check the session, redirect to /login and check CSRF */
	{ "GET", "/", h_ui_home, 0, 0, 0 },
	{ "GET", "/login", h_ui_login_get, 0, 0, 0 },
	{ "POST", "/login", h_ui_login_post, 0, R_BODY, BODY_API },
	{ "POST", "/logout", h_ui_logout, 0, R_BODY, BODY_API },
	{ "GET", "/static/:file", h_ui_static, 0, 0, 0 },
	{ "GET", "/channels", h_ui_channels, 0, 0, 0 },
	{ "POST", "/channels", h_ui_channels_post, 0, R_BODY, BODY_API },
	{ "POST", "/channels/:id/delete", h_ui_channel_delete, 0, R_BODY, BODY_API },
	{ "POST", "/channels/:id/status", h_ui_channel_status, 0, R_BODY, BODY_API },
	{ "GET", "/tokens", h_ui_tokens, 0, 0, 0 },
	{ "POST", "/tokens", h_ui_tokens_post, 0, R_BODY, BODY_API },
	{ "POST", "/tokens/:id/delete", h_ui_token_delete, 0, R_BODY, BODY_API },
	{ "GET", "/users", h_ui_users, 0, 0, 0 },
	{ "POST", "/users", h_ui_users_post, 0, R_BODY, BODY_API },
	{ "POST", "/users/:id/status", h_ui_user_status, 0, R_BODY, BODY_API },
	{ "GET", "/favicon.ico", h_ui_favicon, 0, 0, 0 },
	{ "GET", "/lang/:code", h_ui_lang, 0, 0, 0 },
	{ "POST", "/channels/delete-disabled", h_ui_channels_delete_disabled, 0, R_BODY, BODY_API },
	{ "GET", "/channels/:id/edit", h_ui_channel_edit, 0, 0, 0 },
	{ "POST", "/channels/:id/edit", h_ui_channel_edit_post, 0, R_BODY, BODY_API },
	{ "GET", "/tokens/:id/edit", h_ui_token_edit, 0, 0, 0 },
	{ "POST", "/tokens/:id/edit", h_ui_token_edit_post, 0, R_BODY, BODY_API },
	{ "POST", "/tokens/:id/status", h_ui_token_status, 0, R_BODY, BODY_API },
	{ "GET", "/users/:id/edit", h_ui_user_edit, 0, 0, 0 },
	{ "POST", "/users/:id/edit", h_ui_user_edit_post, 0, R_BODY, BODY_API },
	{ "POST", "/users/:id/role", h_ui_user_role, 0, R_BODY, BODY_API },
	{ "POST", "/users/:id/delete", h_ui_user_delete, 0, R_BODY, BODY_API },
	{ "GET", "/logs", h_ui_logs, 0, 0, 0 },
	{ "GET", "/profile", h_ui_profile, 0, 0, 0 },
	{ "POST", "/profile", h_ui_profile_post, 0, R_BODY, BODY_API },
	{ "GET", "/about", h_ui_about, 0, 0, 0 },
	{ "GET", "/settings", h_ui_settings, 0, 0, 0 },
	{ "POST", "/settings", h_ui_settings_post, 0, R_BODY, BODY_API },
	/* last: any other GET is the HTML 404 page (JSON under /api and /v1,
	 * 405 when another method has the path); one row per depth */
	{ "GET", "/:a", h_ui_not_found, 0, 0, 0 },
	{ "GET", "/:a/:b", h_ui_not_found, 0, 0, 0 },
	{ "GET", "/:a/:b/:c", h_ui_not_found, 0, 0, 0 },
	{ "GET", "/:a/:b/:c/:d", h_ui_not_found, 0, 0, 0 },
};

const size_t nroutes = sizeof(routes) / sizeof(routes[0]);
