/* handlers/ui_reset.c: password reset by email (One API's
 * /api/reset_password and /api/user/reset, and the /reset pages). The
 * emailed token is "<expiry>.<hex>", the hex a SHA-256 over the user id,
 * the expiry and the user's current password hash: nothing is stored, a
 * token dies with its expiry or as soon as the password changes. */
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include "handlers.h"
#include "ui.h"
#include "dispatch.h"
#include "jsonx.h"
#include "log.h"
#include "mail.h"
#include "options.h"
#include "users.h"
#include "util.h"

#define RESET_TTL	(15 * 60)	/* seconds a link works; One API's codes last 15 minutes */
#define RESET_HEX	32		/* hex chars of the digest in a token */

/* The token of user u expiring at exp into out (>= 24 + RESET_HEX bytes). */
static int
reset_token(const struct user *u, int64_t exp, char *out, size_t outsz)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char head[64], hex[65];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok;

	snprintf(head, sizeof(head), "reset:%lld:%lld:", (long long)u->id, (long long)exp);
	ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(c, head, strlen(head)) == 1 &&
	    EVP_DigestUpdate(c, u->password, strlen(u->password)) == 1 &&
	    EVP_DigestFinal_ex(c, md, &n) == 1 && n == 32;
	EVP_MD_CTX_free(c);
	if (!ok)
		return GW_EIO;
	hex_encode(hex, md, RESET_HEX / 2);
	hex[RESET_HEX] = '\0';
	snprintf(out, outsz, "%lld.%.32s", (long long)exp, hex);
	return GW_OK;
}

/* The enabled user whose email is email; GW_ENOTFOUND otherwise. */
static int
user_by_email(struct req *r, const char *email, struct user *u)
{
	int rc;

	if (email == NULL || *email == '\0' || strchr(email, '@') == NULL)
		return GW_ENOTFOUND;
	rc = users_get_for_login(r->db, &r->arena, email, u);
	if (rc == GW_OK && (u->email == NULL || strcmp(u->email, email) != 0 ||
	    u->status != USER_STATUS_ENABLED))
		rc = GW_ENOTFOUND;
	return rc;
}

/* Is token good for the user of email? *u gets the user. */
static int
token_ok(struct req *r, const char *email, const char *token, struct user *u)
{
	char want[96];
	int64_t exp;
	const char *dot = token ? strchr(token, '.') : NULL;

	if (dot == NULL || user_by_email(r, email, u) != GW_OK)
		return 0;
	if (parse_i64(arena_strndup(&r->arena, token, (size_t)(dot - token)), 1, INT64_MAX, &exp) != GW_OK ||
	    exp < now_sec() || reset_token(u, exp, want, sizeof(want)) != GW_OK)
		return 0;
	return strlen(token) == strlen(want) && ct_equal(token, want, strlen(want));
}

/* Mail the reset link to the user of email. GW_ENOTFOUND when no user has
 * it, GW_EINPUT when no SMTP server is set. */
static int
send_link(struct req *r, const char *email)
{
	struct user u;
	char tok[96];
	const char *link, *sn = option_dup(&r->arena, "SystemName");
	int rc;

	if (!mail_configured())
		return GW_EINPUT;
	if ((rc = user_by_email(r, email, &u)) != GW_OK)
		return rc;
	if ((rc = reset_token(&u, now_sec() + RESET_TTL, tok, sizeof(tok))) != GW_OK)
		return rc;
	link = arena_printf(&r->arena, "%s/reset/confirm?email=%s&token=%s", ui_server(r),
	    ui_url_encode(r, email), tok);
	if (link == NULL)
		return GW_ENOMEM;
	return mail_send(&r->arena, email, arena_printf(&r->arena, "%s password reset",
	    sn && *sn ? sn : "One API"), arena_printf(&r->arena,
	    "Hello %s,\n\nOpen this link within 15 minutes to choose a new password:\n\n%s\n\n"
	    "If you did not ask for it, ignore this email.\n", u.username, link));
}

/* GET /api/reset_password?email=: One API's answer shapes. */
int
h_reset_password_email(struct req *r)
{
	int rc = send_link(r, req_query(r, "email"));

	if (rc == GW_ENOTFOUND)
		return api_fail(r, 200, "该邮箱地址未注册");
	if (rc == GW_EINPUT)
		return api_fail(r, 200, "SMTP 服务器未配置");
	if (rc != GW_OK)
		return api_fail(r, 200, "邮件发送失败");
	return api_ok(r, NULL);
}

/* POST /api/user/reset {email, token}: a new random password in data. */
int
h_user_reset(struct req *r)
{
	json_t *o = req_json_object(r);
	const char *email = NULL, *token = NULL;
	struct user u, upd;
	char pw[13];

	if (o == NULL)
		return GW_OK;
	if (jx_str(o, "email", &email) == GW_EINPUT || jx_str(o, "token", &token) == GW_EINPUT)
		return api_fail(r, 200, "无效的参数");
	if (!token_ok(r, email, token, &u))
		return api_fail(r, 200, "重置链接非法或已过期");
	if (rand_alnum(pw, 12) != GW_OK)
		return GW_EIO;
	pw[12] = '\0';
	memset(&upd, 0, sizeof(upd));
	upd.password = pw;
	if (users_update(r->db, u.id, &upd) != GW_OK)
		return api_fail(r, 200, "数据库错误，请稍后重试");
	return api_ok(r, json_string(pw));
}

/* The pages. */

static int
reset_page(struct req *r, int status, const char *error, const char *flash, json_t *confirm)
{
	json_t *ctx = ui_ctx(r, NULL, "reset", "reset_password");

	if (ctx == NULL) {
		json_decref(confirm);
		return ui_error(r, 500);
	}
	if (!mail_configured())
		json_object_set_new(ctx, "no_mail", json_true());
	if (error)
		json_object_set_new(ctx, "error", json_string(ui_tr(r, error)));
	if (flash)
		json_object_set_new(ctx, "flash", json_string(ui_tr(r, flash)));
	if (confirm)
		json_object_set_new(ctx, "confirm", confirm);
	return ui_render(r, status, "reset", ctx);
}

int
h_ui_reset_get(struct req *r)
{
	return reset_page(r, 200, NULL, NULL, NULL);
}

int
h_ui_reset_post(struct req *r)
{
	struct kvlist f;
	int rc;

	if (kv_parse_query(&r->arena, buf_cstr(&r->body), buf_len(&r->body), &f) != GW_OK)
		return ui_error(r, 500);
	rc = send_link(r, kv_get(&f, "email"));
	if (rc != GW_OK && rc != GW_ENOTFOUND)
		log_warn("req=%s reset mail not sent: %s", r->id, gw_strerror(rc));
	if (rc == GW_EINPUT)
		return reset_page(r, 503, "err_no_mail", NULL, NULL);
	/* the same answer whether or not the address is known */
	return reset_page(r, 200, NULL, "flash_reset_sent", NULL);
}

int
h_ui_reset_confirm_get(struct req *r)
{
	const char *email = req_query(r, "email"), *token = req_query(r, "token");
	struct user u;

	if (!token_ok(r, email, token, &u))
		return reset_page(r, 400, "err_reset_link", NULL, NULL);
	return reset_page(r, 200, NULL, NULL, json_pack("{s:s, s:s}", "email", email, "token", token));
}

int
h_ui_reset_confirm_post(struct req *r)
{
	struct kvlist f;
	struct user u, upd;
	const char *email, *token, *pw, *pw2, *field = NULL, *tag = NULL;

	if (kv_parse_query(&r->arena, buf_cstr(&r->body), buf_len(&r->body), &f) != GW_OK)
		return ui_error(r, 500);
	email = kv_get(&f, "email");
	token = kv_get(&f, "token");
	pw = kv_get(&f, "password");
	pw2 = kv_get(&f, "password2");
	if (!token_ok(r, email, token, &u))
		return reset_page(r, 400, "err_reset_link", NULL, NULL);
	memset(&upd, 0, sizeof(upd));
	upd.password = pw;
	if (pw == NULL || pw2 == NULL || strcmp(pw, pw2) != 0)
		return reset_page(r, 400, "err_password_mismatch", NULL,
		    json_pack("{s:s, s:s}", "email", email, "token", token));
	if (*pw == '\0' || user_validate(&upd, &field, &tag) != GW_OK)
		return reset_page(r, 400, "err_password", NULL,
		    json_pack("{s:s, s:s}", "email", email, "token", token));
	if (users_update(r->db, u.id, &upd) != GW_OK)
		return ui_error(r, 500);
	return ui_redirect(r, "/login?msg=password_reset");
}
