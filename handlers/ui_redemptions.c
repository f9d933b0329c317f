/* handlers/ui_redemptions.c: redemption codes (admin: list, batch create,
 * enable/disable, delete, CSV export) and the top-up page where a user
 * redeems one, through redemptions.h */
#include <string.h>
#include "handlers.h"
#include "ui.h"
#include "dispatch.h"
#include "log.h"
#include "options.h"
#include "redemptions.h"
#include "util.h"

static const char *
status_name(int64_t s)
{
	switch (s) {
	case REDEMPTION_ENABLED: return "enabled";
	case REDEMPTION_DISABLED: return "disabled";
	case REDEMPTION_USED: return "used";
	default: return "unknown";
	}
}

/* The list page; created (stolen, may be NULL) the codes just made. */
static int
codes_page(struct req *r, const struct ui_user *u, int status, const char *error, json_t *form,
    json_t *created)
{
	json_t *ctx = ui_ctx(r, u, "redemptions", "nav_redemptions"), *rows, *row, *k;
	const char *kw = req_query(r, "keyword");
	int64_t p = ui_page(r), total = 0, rt;
	struct buf text = BUF_INIT(8192);
	size_t i;

	rows = redemptions_page_json(r->db, kw, p * UI_PAGE_SIZE, UI_PAGE_SIZE, &total);
	if (ctx == NULL || rows == NULL) {
		json_decref(ctx);
		json_decref(rows);
		json_decref(form);
		json_decref(created);
		return ui_error(r, 500);
	}
	json_array_foreach(rows, i, row) {
		int64_t st = json_integer_value(json_object_get(row, "status"));
		json_object_set_new(row, "status_name", json_string(status_name(st)));
		json_object_set_new(row, "status_text", json_string(ui_tr(r,
		    arena_printf(&r->arena, "st_%s", status_name(st)))));
		json_object_set_new(row, "enabled", json_boolean(st == REDEMPTION_ENABLED));
		json_object_set_new(row, "used", json_boolean(st == REDEMPTION_USED));
		json_object_set_new(row, "money", json_string(ui_money(r,
		    json_integer_value(json_object_get(row, "quota")))));
		json_object_set_new(row, "created", json_string(ui_time(r,
		    json_integer_value(json_object_get(row, "created_time")))));
		rt = json_integer_value(json_object_get(row, "redeemed_time"));
		json_object_set_new(row, "redeemed", json_string(rt > 0 ? ui_time(r, rt) : ""));
	}
	json_object_set_new(ctx, "codes", rows);
	json_object_set_new(ctx, "total", json_integer(total));
	json_object_set_new(ctx, "keyword", json_string(kw ? kw : ""));
	json_object_set_new(ctx, "quota_per_unit",
	    json_integer((json_int_t)option_real("QuotaPerUnit", 500000.0)));
	if (created) {
		json_array_foreach(created, i, k)
			if (buf_adds(&text, json_string_value(k)) != GW_OK || buf_adds(&text, "\n") != GW_OK)
				break;
		json_object_set_new(ctx, "created_text", json_string(buf_len(&text) ? buf_cstr(&text) : ""));
		json_object_set_new(ctx, "created", created);
	}
	buf_release(&text);
	if (error)
		json_object_set_new(ctx, "error", json_string(ui_tr(r, error)));
	json_object_set_new(ctx, "form", form ? form : json_pack("{s:I, s:i}", "quota",
	    (json_int_t)option_real("QuotaPerUnit", 500000.0), "count", 1));
	ui_pager(r, ctx, p, (p + 1) * UI_PAGE_SIZE < total);
	return ui_render(r, status, "redemptions", ctx);
}

int
h_ui_redemptions(struct req *r)
{
	struct ui_user u;

	if (ui_auth(r, ROLE_ADMIN, &u) != GW_OK)
		return GW_OK;
	return codes_page(r, &u, 200, NULL, NULL, NULL);
}

int
h_ui_redemptions_post(struct req *r)
{
	struct ui_user u;
	struct kvlist f;
	const char *name, *qs, *cs, *err = NULL;
	int64_t quota = 0, count = 0;
	json_t *keys;
	int rc;

	if (ui_auth(r, ROLE_ADMIN, &u) != GW_OK || ui_form(r, &f) != GW_OK)
		return GW_OK;
	name = kv_get(&f, "name");
	qs = kv_get(&f, "quota");
	cs = kv_get(&f, "count");
	if (name)
		str_trim((char *)name);
	if (!redemption_name_ok(name))
		err = "err_code_name";
	else if (qs == NULL || parse_i64(qs, 0, INT64_MAX / 4, &quota) != GW_OK)
		err = "err_quota";
	else if (cs == NULL || parse_i64(cs, 1, REDEMPTION_BATCH_MAX, &count) != GW_OK)
		err = "err_code_count";
	if (err)
		return codes_page(r, &u, 400, err, json_pack("{s:s, s:s, s:s}", "name", name ? name : "",
		    "quota", qs ? qs : "", "count", cs ? cs : ""), NULL);
	if ((keys = json_array()) == NULL)
		return ui_error(r, 500);
	if ((rc = redemptions_create(r->db, u.id, name, quota, (int)count, keys)) != GW_OK) {
		log_error("req=%s redemption create failed: %s", r->id, gw_strerror(rc));
		json_decref(keys);
		return ui_error(r, 500);
	}
	return codes_page(r, &u, 200, NULL, NULL, keys);
}

int
h_ui_redemption_status(struct req *r)
{
	struct ui_user u;
	int64_t id;
	int on, rc;

	if (ui_status_post(r, ROLE_ADMIN, &u, &id, &on) != GW_OK)
		return GW_OK;
	rc = redemption_update(r->db, id, NULL, 0, on ? REDEMPTION_ENABLED : REDEMPTION_DISABLED, 1);
	if (rc != GW_OK)
		return ui_error(r, rc == GW_ENOTFOUND ? 404 : 500);
	return ui_redirect(r, on ? "/redemptions?msg=code_enabled" : "/redemptions?msg=code_disabled");
}

int
h_ui_redemption_delete(struct req *r)
{
	struct ui_user u;
	struct kvlist f;
	int64_t id;
	int rc;

	if (ui_auth(r, ROLE_ADMIN, &u) != GW_OK || ui_form(r, &f) != GW_OK)
		return GW_OK;
	if ((id = ui_path_id(r)) == 0)
		return ui_error(r, 404);
	rc = redemption_delete(r->db, id);
	if (rc != GW_OK)
		return ui_error(r, rc == GW_ENOTFOUND ? 404 : 500);
	return ui_redirect(r, "/redemptions?msg=code_deleted");
}

int
ui_csv_field(struct buf *b, const char *s)
{
	int rc;

	if (s == NULL)
		s = "";
	/* a leading = + - @ (or tab, CR) would be a formula in a spreadsheet */
	if ((rc = buf_addc(b, '"')) != GW_OK)
		return rc;
	if (strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0' && (rc = buf_addc(b, '\'')) != GW_OK)
		return rc;
	for (; *s; s++)
		if ((*s == '"' && (rc = buf_addc(b, '"')) != GW_OK) || (rc = buf_addc(b, *s)) != GW_OK)
			return rc;
	return buf_addc(b, '"');
}

/* GET /redemptions.csv?keyword=: every matching code (at most 10 000). */
int
h_ui_redemptions_csv(struct req *r)
{
	static const char *const cols[] = { "id", "name", "key", "status", "quota", "created_time",
	    "redeemed_time" };
	struct ui_user u;
	json_t *rows, *row, *v;
	struct buf b = BUF_INIT(4u << 20);
	size_t i, c;
	int rc = GW_OK;

	if (ui_auth(r, ROLE_ADMIN, &u) != GW_OK)
		return GW_OK;
	if ((rows = redemptions_page_json(r->db, req_query(r, "keyword"), 0, 10000, NULL)) == NULL)
		return ui_error(r, 500);
	for (c = 0; rc == GW_OK && c < sizeof(cols) / sizeof(cols[0]); c++)
		rc = buf_printf(&b, "%s%s", c ? "," : "", cols[c]);
	if (rc == GW_OK)
		rc = buf_adds(&b, "\r\n");
	json_array_foreach(rows, i, row) {
		for (c = 0; rc == GW_OK && c < sizeof(cols) / sizeof(cols[0]); c++) {
			v = json_object_get(row, cols[c]);
			if (c && (rc = buf_addc(&b, ',')) != GW_OK)
				break;
			rc = json_is_integer(v) ? buf_printf(&b, "%" JSON_INTEGER_FORMAT, json_integer_value(v)) :
			    ui_csv_field(&b, json_string_value(v));
		}
		if (rc == GW_OK)
			rc = buf_adds(&b, "\r\n");
		if (rc != GW_OK)
			break;
	}
	json_decref(rows);
	if (rc != GW_OK) {
		buf_release(&b);
		return ui_error(r, 500);
	}
	resp_header(r, "Cache-Control", "no-store");
	resp_header(r, "X-Content-Type-Options", "nosniff");
	resp_header(r, "Content-Disposition", "attachment; filename=\"redemptions.csv\"");
	rc = resp_body(r, 200, "text/csv; charset=utf-8", buf_cstr(&b), buf_len(&b));
	buf_release(&b);
	return rc == GW_OK ? GW_OK : ui_error(r, 500);
}

/* The top-up page. */
static int
topup_page(struct req *r, const struct ui_user *u, int status, const char *error, const char *key)
{
	json_t *ctx = ui_ctx(r, u, "topup", "nav_topup");
	char *link = option_dup(&r->arena, "TopUpLink");

	if (ctx == NULL)
		return ui_error(r, 500);
	json_object_set_new(ctx, "quota_money", json_string(ui_money(r, u->quota)));
	if (link && (strncmp(link, "https://", 8) == 0 || strncmp(link, "http://", 7) == 0))
		json_object_set_new(ctx, "topup_link", json_string(link));
	if (key)
		json_object_set_new(ctx, "key", json_string(key));
	if (error)
		json_object_set_new(ctx, "error", json_string(ui_tr(r, error)));
	return ui_render(r, status, "topup", ctx);
}

int
h_ui_topup(struct req *r)
{
	struct ui_user u;

	if (ui_auth(r, ROLE_COMMON, &u) != GW_OK)
		return GW_OK;
	return topup_page(r, &u, 200, NULL, NULL);
}

int
h_ui_topup_post(struct req *r)
{
	struct ui_user u;
	struct kvlist f;
	const char *key;
	int64_t quota = 0;
	int rc;

	if (ui_auth(r, ROLE_COMMON, &u) != GW_OK || ui_form(r, &f) != GW_OK)
		return GW_OK;
	key = kv_get(&f, "key");
	if (key)
		str_trim((char *)key);
	if (key == NULL || *key == '\0')
		return topup_page(r, &u, 400, "err_code_empty", NULL);
	rc = redemption_redeem(r->db, key, u.id, &quota);
	if (rc == GW_ENOTFOUND)
		return topup_page(r, &u, 400, "err_code_invalid", key);
	if (rc == GW_ECONFLICT)
		return topup_page(r, &u, 400, "err_code_used", key);
	if (rc != GW_OK) {
		log_error("req=%s redeem failed: %s", r->id, gw_strerror(rc));
		return ui_error(r, 500);
	}
	return ui_redirect(r, "/topup?msg=redeemed");
}
