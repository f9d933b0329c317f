/* handlers/ui_settings.c: system settings (root): One API's options that
 * the gateway uses, in sections; each save checks every field first
 * (option_check) and then writes them (option_set) */
#include <stdlib.h>
#include <string.h>
#include "handlers.h"
#include "ui.h"
#include "dispatch.h"
#include "log.h"
#include "options.h"
#include "util.h"

enum field_kind { F_TEXT, F_AREA, F_BOOL, F_SECRET };

struct field {
	const char *key;
	enum field_kind kind;
};

struct section {
	const char *id;		/* form value and catalog key set_<id> */
	struct field fields[20];
};

static const struct section sections[] = {
	{ "general", {
		{ "SystemName", F_TEXT }, { "Logo", F_TEXT }, { "ServerAddress", F_TEXT },
		{ "Footer", F_TEXT }, { "TopUpLink", F_TEXT }, { "ChatLink", F_TEXT },
		{ "QuotaPerUnit", F_TEXT }, { "RetryTimes", F_TEXT },
		{ "DisplayInCurrencyEnabled", F_BOOL }, { "DisplayTokenStatEnabled", F_BOOL },
		{ "ApproximateTokenEnabled", F_BOOL }, { "LogConsumeEnabled", F_BOOL },
	} },
	{ "content", {
		{ "Notice", F_AREA }, { "About", F_AREA }, { "HomePageContent", F_AREA },
	} },
	{ "login", {
		{ "PasswordLoginEnabled", F_BOOL }, { "PasswordRegisterEnabled", F_BOOL },
		{ "RegisterEnabled", F_BOOL }, { "EmailVerificationEnabled", F_BOOL },
		{ "GitHubOAuthEnabled", F_BOOL }, { "OidcEnabled", F_BOOL },
		{ "TurnstileCheckEnabled", F_BOOL },
		{ "GitHubClientId", F_TEXT }, { "GitHubClientSecret", F_SECRET },
		{ "OidcClientId", F_TEXT }, { "OidcClientSecret", F_SECRET }, { "OidcWellKnown", F_TEXT },
		{ "OidcAuthorizationEndpoint", F_TEXT }, { "OidcTokenEndpoint", F_TEXT },
		{ "OidcUserinfoEndpoint", F_TEXT },
		{ "TurnstileSiteKey", F_TEXT }, { "TurnstileSecretKey", F_SECRET },
	} },
	{ "quota", {
		{ "QuotaForNewUser", F_TEXT }, { "QuotaForInviter", F_TEXT }, { "QuotaForInvitee", F_TEXT },
		{ "QuotaRemindThreshold", F_TEXT }, { "PreConsumedQuota", F_TEXT },
	} },
	{ "ratio", {
		{ "ModelRatio", F_AREA }, { "CompletionRatio", F_AREA }, { "GroupRatio", F_AREA },
	} },
	{ "monitor", {
		{ "ChannelDisableThreshold", F_TEXT }, { "AutomaticDisableChannelEnabled", F_BOOL },
		{ "AutomaticEnableChannelEnabled", F_BOOL },
	} },
	{ "smtp", {
		{ "SMTPServer", F_TEXT }, { "SMTPPort", F_TEXT }, { "SMTPAccount", F_TEXT },
		{ "SMTPFrom", F_TEXT }, { "SMTPToken", F_SECRET },
	} },
};
#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))
#define NFIELDS (sizeof(sections[0].fields) / sizeof(sections[0].fields[0]))

/* The label of an option: catalog "opt_<Key>", else the key. */
static const char *
label(struct req *r, const char *key)
{
	const char *k = arena_printf(&r->arena, "opt_%s", key);

	return k && ui_tr_has(k) ? ui_tr(r, k) : key;
}

/* A JSON option, indented for reading; the stored text when it is not JSON. */
static json_t *
pretty(const char *v)
{
	json_t *j = json_loads(v, 0, NULL);
	char *s;
	json_t *out;

	if (j == NULL)
		return json_string(v);
	s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	out = json_string(s ? s : v);
	free(s);
	return out;
}

static int
settings_page(struct req *r, const struct ui_user *u, int status, const char *error,
    const char *error_key)
{
	json_t *ctx = ui_ctx(r, u, "settings", "nav_settings"), *secs = json_array(), *fs, *o;
	size_t i, j;
	char *v;

	if (ctx == NULL || secs == NULL) {
		json_decref(ctx);
		json_decref(secs);
		return ui_error(r, 500);
	}
	for (i = 0; i < NSECTIONS; i++) {
		const struct section *s = &sections[i];
		fs = json_array();
		for (j = 0; fs && j < NFIELDS && s->fields[j].key; j++) {
			const struct field *f = &s->fields[j];
			v = option_dup(&r->arena, f->key);
			o = json_pack("{s:s, s:s}", "key", f->key, "label", label(r, f->key));
			if (o == NULL)
				continue;
			switch (f->kind) {
			case F_BOOL:
				json_object_set_new(o, "is_bool", json_true());
				json_object_set_new(o, "on", json_boolean(v && strcmp(v, "true") == 0));
				break;
			case F_AREA:
				json_object_set_new(o, "is_area", json_true());
				json_object_set_new(o, "value", strstr(f->key, "Ratio") ? pretty(v ? v : "") :
				    json_string(v ? v : ""));
				json_object_set_new(o, "rows", json_integer(strstr(f->key, "Ratio") ? 12 : 4));
				break;
			case F_SECRET:	/* never shown; empty keeps it */
				json_object_set_new(o, "is_text", json_true());
				json_object_set_new(o, "value", json_string(""));
				break;
			default:
				json_object_set_new(o, "is_text", json_true());
				json_object_set_new(o, "value", json_string(v ? v : ""));
			}
			json_array_append_new(fs, o);
		}
		json_array_append_new(secs, json_pack("{s:s, s:s, s:o}", "id", s->id, "title",
		    ui_tr(r, arena_printf(&r->arena, "set_%s", s->id)), "fields", fs ? fs : json_array()));
	}
	json_object_set_new(ctx, "sections", secs);
	if (error)
		json_object_set_new(ctx, "error", json_string(arena_printf(&r->arena, "%s: %s",
		    error_key ? label(r, error_key) : "", error)));
	return ui_render(r, status, "settings", ctx);
}

int
h_ui_settings(struct req *r)
{
	struct ui_user u;

	if (ui_auth(r, ROLE_ROOT, &u) != GW_OK)
		return GW_OK;
	return settings_page(r, &u, 200, NULL, NULL);
}

/* The value the form gives for f, or NULL to leave the option alone. */
static const char *
form_value(struct kvlist *kv, const struct field *f)
{
	const char *v = kv_get(kv, f->key);

	if (f->kind == F_BOOL)
		return v ? "true" : "false";
	if (v == NULL || (f->kind == F_SECRET && *v == '\0'))
		return NULL;
	if (f->kind == F_TEXT || f->kind == F_SECRET)
		str_trim((char *)v);
	return v;
}

int
h_ui_settings_post(struct req *r)
{
	struct ui_user u;
	struct kvlist kv;
	const struct section *s = NULL;
	const char *id, *v, *why = NULL;
	size_t i;
	int rc;

	if (ui_auth(r, ROLE_ROOT, &u) != GW_OK || ui_form(r, &kv) != GW_OK)
		return GW_OK;
	id = kv_get(&kv, "section");
	for (i = 0; id && i < NSECTIONS; i++)
		if (strcmp(sections[i].id, id) == 0)
			s = &sections[i];
	if (s == NULL)
		return ui_error(r, 400);
	/* all or nothing: check every field before writing one */
	for (i = 0; i < NFIELDS && s->fields[i].key; i++)
		if ((v = form_value(&kv, &s->fields[i])) != NULL &&
		    option_check(s->fields[i].key, v, &why) != GW_OK)
			return settings_page(r, &u, 400, why ? why : "invalid", s->fields[i].key);
	for (i = 0; i < NFIELDS && s->fields[i].key; i++) {
		if ((v = form_value(&kv, &s->fields[i])) == NULL)
			continue;
		if ((rc = option_set(r->db, s->fields[i].key, v, &why)) != GW_OK) {
			if (rc == GW_EINPUT)
				return settings_page(r, &u, 400, why ? why : "invalid", s->fields[i].key);
			log_error("req=%s option %s: %s", r->id, s->fields[i].key, gw_strerror(rc));
			return ui_error(r, 500);
		}
	}
	return ui_redirect(r, "/settings?msg=settings_saved");
}
