/* handlers/api_misc.c: GET /api/status */
#include <string.h>
#include "handlers.h"
#include "jsonx.h"
#include "options.h"
#include "cfg.h"
#include "util.h"

enum kind { K_STR, K_BOOL, K_REAL };

/* /api/status fields as One API names them, and the option behind each. */
static const struct {
	const char *field, *option;
	enum kind kind;
} status_fields[] = {
	{ "email_verification", "EmailVerificationEnabled", K_BOOL },
	{ "github_oauth", "GitHubOAuthEnabled", K_BOOL },
	{ "github_client_id", "GitHubClientId", K_STR },
	{ "lark_client_id", "LarkClientId", K_STR },
	{ "system_name", "SystemName", K_STR },
	{ "logo", "Logo", K_STR },
	{ "footer_html", "Footer", K_STR },
	{ "wechat_qrcode", "WeChatAccountQRCodeImageURL", K_STR },
	{ "wechat_login", "WeChatAuthEnabled", K_BOOL },
	{ "server_address", "ServerAddress", K_STR },
	{ "turnstile_check", "TurnstileCheckEnabled", K_BOOL },
	{ "turnstile_site_key", "TurnstileSiteKey", K_STR },
	{ "top_up_link", "TopUpLink", K_STR },
	{ "chat_link", "ChatLink", K_STR },
	{ "quota_per_unit", "QuotaPerUnit", K_REAL },
	{ "display_in_currency", "DisplayInCurrencyEnabled", K_BOOL },
	{ "oidc", "OidcEnabled", K_BOOL },
	{ "oidc_client_id", "OidcClientId", K_STR },
	{ "oidc_well_known", "OidcWellKnown", K_STR },
	{ "oidc_authorization_endpoint", "OidcAuthorizationEndpoint", K_STR },
	{ "oidc_token_endpoint", "OidcTokenEndpoint", K_STR },
	{ "oidc_userinfo_endpoint", "OidcUserinfoEndpoint", K_STR },
};

int
h_status(struct req *r)
{
	json_t *d = json_object();
	size_t i;

	if (d == NULL)
		return GW_ENOMEM;
	json_object_set_new(d, "version", json_string("v" PACKAGE_VERSION));
	json_object_set_new(d, "start_time", json_integer(gw_start_time));
	for (i = 0; i < sizeof(status_fields) / sizeof(status_fields[0]); i++) {
		const char *opt = status_fields[i].option;
		json_t *v;
		switch (status_fields[i].kind) {
		case K_BOOL:
			v = json_boolean(option_bool(opt, 0));
			break;
		case K_REAL: {
			/* Go prints a whole float64 without ".0" */
			double x = option_real(opt, 500000);
			v = x == (double)(int64_t)x ? json_integer((int64_t)x) : json_real(x);
			break;
		}
		default: {
			const char *s = option_dup(&r->arena, opt);
			v = json_string(s ? s : "");
			break;
		}
		}
		json_object_set_new(d, status_fields[i].field, v ? v : json_string(""));
	}
	return api_ok(r, d);
}
