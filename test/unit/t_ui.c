/* test/unit/t_ui.c: admin page helpers: CSV fields, local redirect targets,
 * the text catalog (every {{t.key}} of every template exists in both
 * languages), redemption code names */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "t_core.h"
#include "handlers/ui.h"
#include "redemptions.h"

static char *
csv(const char *s)
{
	struct buf b = BUF_INIT(4096);
	char *out;

	ck_assert_int_eq(ui_csv_field(&b, s), GW_OK);
	out = strdup(buf_cstr(&b));
	buf_release(&b);
	return out;
}

START_TEST(csv_fields)
{
	static const char *const cases[][2] = {
		{ "abc", "\"abc\"" },
		{ "", "\"\"" },
		{ "a\"b", "\"a\"\"b\"" },
		{ "a,b\nc", "\"a,b\nc\"" },
		{ "=1+1", "\"'=1+1\"" },
		{ "+x", "\"'+x\"" },
		{ "-x", "\"'-x\"" },
		{ "@SUM(A1)", "\"'@SUM(A1)\"" },
		{ "x=1", "\"x=1\"" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = csv(cases[i][0]);
		ck_assert_str_eq(got, cases[i][1]);
		free(got);
	}
	{
		char *got = csv(NULL);
		ck_assert_str_eq(got, "\"\"");
		free(got);
	}
}
END_TEST

START_TEST(local_paths)
{
	ck_assert(ui_local_path("/"));
	ck_assert(ui_local_path("/channels?order=priority&p=2"));
	ck_assert(!ui_local_path(NULL));
	ck_assert(!ui_local_path(""));
	ck_assert(!ui_local_path("channels"));
	ck_assert(!ui_local_path("//evil.example/"));
	ck_assert(!ui_local_path("/\\evil.example/"));
	ck_assert(!ui_local_path("/a\\b"));
	ck_assert(!ui_local_path("https://evil.example/"));
	ck_assert(!ui_local_path("/a b"));
	ck_assert(!ui_local_path("/a\r\nSet-Cookie: x=1"));
	ck_assert(!ui_local_path("/caf\xc3\xa9"));
}
END_TEST

/* Check every "t.<key>" of one template file. */
static void
check_template(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text, *p, key[128];
	long n;
	size_t k;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	ck_assert(text != NULL);
	ck_assert_int_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	for (p = text; (p = strstr(p, "{{t.")) != NULL; p += 4) {
		for (k = 0; k + 1 < sizeof(key) && (p[4 + k] == '_' || (p[4 + k] >= 'a' && p[4 + k] <= 'z') ||
		    (p[4 + k] >= '0' && p[4 + k] <= '9')); k++)
			key[k] = p[4 + k];
		key[k] = '\0';
		ck_assert_msg(ui_tr_has(key), "%s: {{t.%s}} is not in handlers/ui_i18n.c", path, key);
	}
	free(text);
}

START_TEST(catalog_covers_templates)
{
	const char *src = getenv("srcdir");
	char dir[1024], path[2048];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/templates", src && *src ? src : ".");
	d = opendir(dir);
	ck_assert_msg(d != NULL, "no %s", dir);
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l < 6 || strcmp(e->d_name + l - 5, ".html") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		check_template(path);
		n++;
	}
	closedir(d);
	ck_assert_int_gt(n, 10);
}
END_TEST

START_TEST(catalog_has_both_languages)
{
	json_t *en = ui_tr_json(UI_EN), *zh = ui_tr_json(UI_ZH), *v;
	const char *k;

	ck_assert(en && zh);
	ck_assert_int_eq(json_object_size(en), json_object_size(zh));
	json_object_foreach(en, k, v) {
		ck_assert_msg(json_string_length(v) > 0, "%s: no English", k);
		ck_assert_msg(json_string_length(json_object_get(zh, k)) > 0, "%s: no Chinese", k);
	}
	ck_assert_str_eq(ui_tr_lang(UI_ZH, "nav_channels"), "渠道");
	ck_assert_str_eq(ui_tr_lang(UI_EN, "nav_channels"), "Channels");
	ck_assert_str_eq(ui_tr_lang(UI_EN, "no such key"), "no such key");
	ck_assert_str_eq(ui_lang_code(UI_ZH), "zh");
	json_decref(en);
	json_decref(zh);
}
END_TEST

START_TEST(redemption_names)
{
	ck_assert(!redemption_name_ok(NULL));
	ck_assert(!redemption_name_ok(""));
	ck_assert(redemption_name_ok("gift"));
	ck_assert(redemption_name_ok("12345678901234567890"));
	ck_assert(!redemption_name_ok("123456789012345678901"));
	/* 20 Chinese characters are 60 bytes but 20 runes */
	ck_assert(redemption_name_ok("兑换码兑换码兑换码兑换码兑换码兑换码兑换"));
	ck_assert(!redemption_name_ok("兑换码兑换码兑换码兑换码兑换码兑换码兑换码"));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("ui");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, csv_fields);
	tcase_add_test(tc, local_paths);
	tcase_add_test(tc, catalog_covers_templates);
	tcase_add_test(tc, catalog_has_both_languages);
	tcase_add_test(tc, redemption_names);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
