/* handlers/ui_logs.c: the logs page: filters, totals and one page of rows;
 * admins see everyone's, other users their own (through logs.h) */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "handlers.h"
#include "ui.h"
#include "dispatch.h"
#include "log.h"
#include "logs.h"
#include "util.h"

/* n digits of s as a number, or -1. */
static int
num(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DD" as the epoch of that UTC day's first second (with end, its
 * last); 0 when empty or malformed. */
static int64_t
parse_day(const char *s, int end)
{
	struct tm tm;
	int y, m, d;
	time_t t;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	if ((t = timegm(&tm)) == (time_t)-1)
		return 0;
	return (int64_t)t + (end ? 86399 : 0);
}

/* A query value, or "". */
static const char *
q(struct req *r, const char *k)
{
	const char *v = req_query(r, k);

	return v ? v : "";
}

int
h_ui_logs(struct req *r)
{
	struct ui_user u;
	struct logs_filter f;
	json_t *ctx, *rows, *row, *types;
	int64_t p = ui_page(r), total = 0, sum = 0, ch = 0;
	int admin, i;
	size_t k;

	if (ui_auth(r, ROLE_COMMON, &u) != GW_OK)
		return GW_OK;
	admin = u.role >= ROLE_ADMIN;
	memset(&f, 0, sizeof(f));
	if (parse_i64(q(r, "type"), 0, 5, &f.type) != GW_OK)
		f.type = 0;
	f.start = parse_day(req_query(r, "from"), 0);
	f.end = parse_day(req_query(r, "to"), 1);
	f.model_name = q(r, "model_name");
	f.token_name = q(r, "token_name");
	if (admin) {
		f.username = q(r, "username");
		if (parse_i64(q(r, "channel"), 0, INT64_MAX, &ch) == GW_OK)
			f.channel = ch;
	} else
		f.user_id = u.id;
	rows = logs_rows_json(r->db, &f, p * UI_PAGE_SIZE, UI_PAGE_SIZE, &total, &sum);
	ctx = ui_ctx(r, &u, "logs", "nav_logs");
	if (ctx == NULL || rows == NULL) {
		json_decref(ctx);
		json_decref(rows);
		return ui_error(r, 500);
	}
	json_array_foreach(rows, k, row) {
		int64_t t = json_integer_value(json_object_get(row, "type"));
		json_object_set_new(row, "time", json_string(ui_time(r,
		    json_integer_value(json_object_get(row, "created_at")))));
		json_object_set_new(row, "type_text", json_string(ui_tr(r,
		    arena_printf(&r->arena, "log_%d", t >= 0 && t <= 5 ? (int)t : 0))));
		json_object_set_new(row, "money", json_string(ui_money_prec(r,
		    json_integer_value(json_object_get(row, "quota")), 6)));
	}
	types = json_array();
	for (i = 0; types && i <= 5; i++)
		json_array_append_new(types, json_pack("{s:i, s:s, s:b}", "value", i,
		    "label", ui_tr(r, i == 0 ? "log_all" : arena_printf(&r->arena, "log_%d", i)),
		    "selected", f.type == i));
	json_object_set_new(ctx, "types", types);
	json_object_set_new(ctx, "f", json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "from", q(r, "from"),
	    "to", q(r, "to"), "model_name", f.model_name, "token_name", f.token_name,
	    "username", q(r, "username"), "channel", q(r, "channel")));
	json_object_set_new(ctx, "admin_view", json_boolean(admin));
	json_object_set_new(ctx, "logs", rows);
	json_object_set_new(ctx, "total", json_integer(total));
	json_object_set_new(ctx, "sum_money", json_string(ui_money_prec(r, sum, 6)));
	ui_pager(r, ctx, p, (p + 1) * UI_PAGE_SIZE < total);
	return ui_render(r, 200, "logs", ctx);
}
