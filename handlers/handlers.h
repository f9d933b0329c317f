/* handlers/handlers.h: every route handler. A handler reads a request and
 * fills r->resp; it returns GW_OK, or an error the dispatcher turns into a
 * generic answer when the handler wrote none. Auth is already checked. */
#ifndef GW_HANDLERS_H
#define GW_HANDLERS_H

#include "http.h"

/* api_misc.c */
int h_status(struct req *r);

/* api_user.c: login, sessions, self service, admin user management */
int h_user_register(struct req *r);
int h_user_login(struct req *r);
int h_user_logout(struct req *r);
int h_user_self_get(struct req *r);
int h_user_self_put(struct req *r);
int h_user_self_delete(struct req *r);
int h_user_access_token(struct req *r);
int h_user_aff(struct req *r);
int h_user_list(struct req *r);
int h_user_search(struct req *r);
int h_user_get(struct req *r);
int h_user_create(struct req *r);
int h_user_manage(struct req *r);
int h_user_update(struct req *r);
int h_user_delete(struct req *r);

/* api_channel.c */
int h_channel_list(struct req *r);
int h_channel_search(struct req *r);
int h_channel_models(struct req *r);
int h_channel_get(struct req *r);
int h_channel_create(struct req *r);
int h_channel_update(struct req *r);
int h_channel_delete_disabled(struct req *r);
int h_channel_delete(struct req *r);
int h_user_available_models(struct req *r);

/* api_token.c */
int h_token_list(struct req *r);
int h_token_search(struct req *r);
int h_token_get(struct req *r);
int h_token_create(struct req *r);
int h_token_update(struct req *r);
int h_token_delete(struct req *r);

/* api_option.c: options, groups and the public option pages */
int h_option_list(struct req *r);
int h_option_update(struct req *r);
int h_group_list(struct req *r);
int h_notice(struct req *r);
int h_about(struct req *r);
int h_home_page_content(struct req *r);

/* api_log.c: logs, usage statistics, top-up, request cost */
int h_log_list(struct req *r);
int h_log_delete(struct req *r);
int h_log_stat(struct req *r);
int h_log_search(struct req *r);
int h_log_self(struct req *r);
int h_log_self_stat(struct req *r);
int h_log_self_search(struct req *r);
int h_user_dashboard(struct req *r);
int h_topup(struct req *r);
int h_cost_request(struct req *r);

/* relay.c: the OpenAI-compatible /v1 endpoints (API-key auth) */
int h_relay(struct req *r);
/* relay_route.c: what each relay route row speaks (its mode, its codec and
 * its error shape) */
struct route_fmt;
extern const struct route_fmt relay_fmt_chat, relay_fmt_completions, relay_fmt_embeddings,
    relay_fmt_moderations, relay_fmt_responses, relay_fmt_messages;
int h_count_tokens(struct req *r);
int h_response_item(struct req *r);
int h_models_list(struct req *r);
int h_model_get(struct req *r);
int h_billing_subscription(struct req *r);
int h_billing_usage(struct req *r);
int h_not_implemented(struct req *r);
int h_cors_preflight(struct req *r);

/* ui: the admin pages (handlers/ui*.c); each checks the session itself */
int h_ui_home(struct req *r);
int h_ui_login_get(struct req *r);
int h_ui_login_post(struct req *r);
int h_ui_logout(struct req *r);
int h_ui_static(struct req *r);
int h_ui_channels(struct req *r);
int h_ui_channels_post(struct req *r);
int h_ui_channel_delete(struct req *r);
int h_ui_channel_status(struct req *r);
int h_ui_tokens(struct req *r);
int h_ui_tokens_post(struct req *r);
int h_ui_token_delete(struct req *r);
int h_ui_users(struct req *r);
int h_ui_users_post(struct req *r);
int h_ui_user_status(struct req *r);
int h_ui_user_edit(struct req *r);
int h_ui_user_edit_post(struct req *r);
int h_ui_user_role(struct req *r);
int h_ui_user_delete(struct req *r);
int h_ui_channel_edit(struct req *r);
int h_ui_channel_edit_post(struct req *r);
int h_ui_channels_delete_disabled(struct req *r);
int h_ui_token_edit(struct req *r);
int h_ui_token_edit_post(struct req *r);
int h_ui_token_status(struct req *r);
int h_ui_logs(struct req *r);
int h_ui_profile(struct req *r);
int h_ui_profile_post(struct req *r);
int h_ui_about(struct req *r);
int h_ui_settings(struct req *r);
int h_ui_settings_post(struct req *r);
int h_ui_favicon(struct req *r);
int h_ui_lang(struct req *r);
int h_ui_redemptions(struct req *r);
int h_ui_redemptions_post(struct req *r);
int h_ui_redemption_status(struct req *r);
int h_ui_redemption_delete(struct req *r);
int h_ui_redemptions_csv(struct req *r);
int h_ui_topup(struct req *r);
int h_ui_topup_post(struct req *r);
/* /api/redemption/ and POST /api/user/topup (handlers/api_redemption.c) */
int h_redemption_list(struct req *r);
int h_redemption_search(struct req *r);
int h_redemption_get(struct req *r);
int h_redemption_create(struct req *r);
int h_redemption_update(struct req *r);
int h_redemption_delete(struct req *r);
int h_user_topup(struct req *r);
int h_ui_channel_test(struct req *r);
int h_ui_models(struct req *r);
int h_ui_register_get(struct req *r);
int h_ui_register_post(struct req *r);
int h_ui_reset_get(struct req *r);
int h_ui_reset_post(struct req *r);
int h_ui_reset_confirm_get(struct req *r);
int h_ui_reset_confirm_post(struct req *r);
int h_reset_password_email(struct req *r);
int h_user_reset(struct req *r);
int h_channel_test(struct req *r);
int h_channel_test_all(struct req *r);
int h_channel_update_balance(struct req *r);
int h_channel_update_balance_all(struct req *r);
int h_ui_channel_balance(struct req *r);
/* GET of any other path: the HTML 404 page (One API's JSON for /api, /v1) */
int h_ui_not_found(struct req *r);

#endif
