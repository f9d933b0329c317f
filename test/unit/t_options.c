/* test/unit/t_options.c: OptionMap defaults, typed reads, validation, upsert and reload */
#include <string.h>
#include "t_core.h"
#include "t_mgmt.h"
#include "arena.h"
#include "options.h"

START_TEST(defaults_and_types)
{
	struct db *db = t_mgmt_open();
	struct arena a;
	double d;

	ck_assert_ptr_nonnull(db);
	arena_init(&a);
	ck_assert_int_eq(options_load(db), GW_OK);
	ck_assert_int_eq(option_bool("PasswordLoginEnabled", 0), 1);
	ck_assert_int_eq(option_bool("EmailVerificationEnabled", 1), 0);
	ck_assert_int_eq(option_bool("NoSuchOption", 1), 1);
	ck_assert_int_eq(option_int("SMTPPort", 0), 587);
	ck_assert_int_eq(option_int("PreConsumedQuota", 0), 500);
	ck_assert(option_real("QuotaPerUnit", 0) == 500000.0);
	ck_assert(option_real("ChannelDisableThreshold", 0) == 5.0);
	ck_assert_str_eq(option_dup(&a, "SystemName"), "One API");
	ck_assert_str_eq(option_dup(&a, "Theme"), "default");
	ck_assert_str_eq(option_dup(&a, "GroupRatio"), "{\"default\":1,\"svip\":1,\"vip\":1}");
	ck_assert_ptr_null(option_dup(&a, "NoSuchOption"));
	ck_assert_int_eq(option_ratio("GroupRatio", "vip", &d), GW_OK);
	ck_assert(d == 1.0);
	ck_assert_int_eq(option_ratio("ModelRatio", "gpt-4", &d), GW_OK);
	ck_assert(d == 15.0);
	ck_assert_int_eq(option_ratio("GroupRatio", "nope", &d), GW_ENOTFOUND);
	arena_release(&a);
	t_mgmt_close(db);
}
END_TEST

START_TEST(set_validates)
{
	struct db *db = t_mgmt_open();
	const char *why = NULL;
	int64_t n;

	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(options_load(db), GW_OK);
	ck_assert_int_eq(option_set(db, "RegisterEnabled", "yes", &why), GW_EINPUT);
	ck_assert_ptr_nonnull(why);
	ck_assert_int_eq(option_set(db, "SomeNewFlagEnabled", "1", &why), GW_EINPUT);
	ck_assert_int_eq(option_set(db, "GroupRatio", "[1,2]", &why), GW_EINPUT);
	ck_assert_int_eq(option_set(db, "GroupRatio", "{\"a\":\"x\"}", &why), GW_EINPUT);
	ck_assert_int_eq(option_set(db, "GroupRatio", "{not json", &why), GW_EINPUT);
	ck_assert_int_eq(option_set(db, "ModelRatio", "", &why), GW_EINPUT);
	ck_assert_int_eq(option_set(db, "SMTPPort", "58x", &why), GW_EINPUT);
	ck_assert_int_eq(option_set(db, "QuotaPerUnit", "abc", &why), GW_EINPUT);
	ck_assert_int_eq(option_set(db, "Theme", "neon", &why), GW_EINPUT);
	ck_assert_str_eq(why, "无效的主题");
	ck_assert_int_eq(option_set(db, "GitHubOAuthEnabled", "true", &why), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(why, "GitHub"));
	ck_assert_int_eq(option_set(db, "TurnstileCheckEnabled", "true", &why), GW_EINPUT);
	ck_assert_int_eq(option_set(db, "WeChatAuthEnabled", "true", &why), GW_EINPUT);
	ck_assert_int_eq(option_set(db, "", "x", &why), GW_EINPUT);
	/* nothing was written */
	ck_assert_int_eq(db_scalar_int(db, &n, "SELECT COUNT(*) FROM options", DB_NOARGS), GW_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(option_bool("RegisterEnabled", 0), 1);

	ck_assert_int_eq(option_set(db, "GitHubClientId", "abc", &why), GW_OK);
	ck_assert_int_eq(option_set(db, "GitHubOAuthEnabled", "true", &why), GW_OK);
	ck_assert_int_eq(option_set(db, "Theme", "berry", &why), GW_OK);
	ck_assert_int_eq(option_set(db, "SMTPPort", "465", &why), GW_OK);
	ck_assert_int_eq(option_int("SMTPPort", 0), 465);
	ck_assert_int_eq(option_set(db, "SMTPPort", "25", &why), GW_OK);	/* upsert */
	ck_assert_int_eq(option_int("SMTPPort", 0), 25);
	ck_assert_int_eq(db_scalar_int(db, &n, "SELECT COUNT(*) FROM options WHERE `key` = 'SMTPPort'",
	    DB_NOARGS), GW_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(option_set(db, "Notice", "'); DROP TABLE options; --", &why), GW_OK);
	ck_assert_int_eq(db_scalar_int(db, &n, "SELECT COUNT(*) FROM options WHERE value = "
	    "'''); DROP TABLE options; --'", DB_NOARGS), GW_OK);
	ck_assert_int_eq(n, 1);
	t_mgmt_close(db);
}
END_TEST

START_TEST(reload_and_list)
{
	struct db *db = t_mgmt_open();
	const char *why = NULL;
	struct arena a;
	json_t *list, *e;
	size_t i;
	double d;
	int saw_secret = 0, saw_token = 0, saw_name = 0;

	ck_assert_ptr_nonnull(db);
	arena_init(&a);
	/* rows written behind our back (another node) show after a load;
	 * ModelRatio gets the default entries it lacks, like AddNewMissingRatio */
	ck_assert_int_eq(db_exec(db, "INSERT INTO options (`key`, value) VALUES "
	    "('SystemName', 'My Gate'), ('ModelRatio', '{\"my-model\":3}'), "
	    "('GroupRatio', '{\"default\":1,\"pro\":0.5}'), ('CustomThing', 'x'), "
	    "('CompletionRatio', 'garbage')", DB_NOARGS, NULL), GW_OK);
	ck_assert_int_eq(options_load(db), GW_OK);
	ck_assert_str_eq(option_dup(&a, "SystemName"), "My Gate");
	ck_assert_str_eq(option_dup(&a, "CustomThing"), "x");
	ck_assert_int_eq(option_ratio("ModelRatio", "my-model", &d), GW_OK);
	ck_assert(d == 3.0);
	ck_assert_int_eq(option_ratio("ModelRatio", "gpt-4", &d), GW_OK);
	ck_assert_int_eq(option_ratio("GroupRatio", "pro", &d), GW_OK);
	ck_assert(d == 0.5);
	ck_assert_int_eq(option_ratio("GroupRatio", "vip", &d), GW_ENOTFOUND);
	/* a malformed stored ratio keeps the default */
	ck_assert_int_eq(option_ratio("CompletionRatio", "whisper-1", &d), GW_OK);
	list = option_group_names();
	ck_assert_int_eq(json_array_size(list), 2);
	json_decref(list);

	ck_assert_int_eq(option_set(db, "SMTPToken", "secret-pass", &why), GW_OK);
	list = options_list_json();
	json_array_foreach(list, i, e) {
		const char *k = json_string_value(json_object_get(e, "key"));
		size_t n = strlen(k);
		if (n >= 6 && strcmp(k + n - 6, "Secret") == 0)
			saw_secret = 1;
		if (n >= 5 && strcmp(k + n - 5, "Token") == 0)
			saw_token = 1;
		if (strcmp(k, "SystemName") == 0)
			saw_name = 1;
		ck_assert(json_is_string(json_object_get(e, "value")));
	}
	ck_assert_int_eq(saw_secret, 0);
	ck_assert_int_eq(saw_token, 0);
	ck_assert_int_eq(saw_name, 1);
	json_decref(list);
	ck_assert_str_eq(option_dup(&a, "SMTPToken"), "secret-pass");
	arena_release(&a);
	t_mgmt_close(db);
}
END_TEST

static Suite *
options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, defaults_and_types);
	tcase_add_test(tc, set_validates);
	tcase_add_test(tc, reload_and_list);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(options_suite)
