/* test/unit/t_schema.c: schema on an empty and on a One API (GORM) database, first-run root, the users model */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "t_core.h"
#include "arena.h"
#include "buf.h"
#include "cfg.h"
#include "db.h"
#include "password.h"
#include "schema.h"
#include "users.h"

static char dir[64], dbpath[128];

/* A fresh temp dir; cfg points SQLITE_PATH at dir/one-api.db. */
static void
fresh(const char *root_token, const char *root_access)
{
	struct cfg *c;

	snprintf(dir, sizeof(dir), "/tmp/t_schema.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/one-api.db", dir);
	unsetenv("SQL_DSN");
	setenv("SQLITE_PATH", dbpath, 1);
	if (root_token)
		setenv("INITIAL_ROOT_TOKEN", root_token, 1);
	else
		unsetenv("INITIAL_ROOT_TOKEN");
	if (root_access)
		setenv("INITIAL_ROOT_ACCESS_TOKEN", root_access, 1);
	else
		unsetenv("INITIAL_ROOT_ACCESS_TOKEN");
	c = cfg_load(stderr);
	ck_assert_ptr_nonnull(c);
	cfg = c;
}

static void
cleanup(void)
{
	char p[160];

	(void)unlink(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	(void)unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	(void)unlink(p);
	(void)rmdir(dir);
}

static int64_t
count(struct db *db, const char *sql)
{
	int64_t n = -1;

	ck_assert_int_eq(db_scalar_int(db, &n, sql, DB_NOARGS), GW_OK);
	return n;
}

/* Every table/index definition, concatenated: to compare before/after. */
static char *
snapshot(struct db *db)
{
	struct db_stmt *st = NULL;
	struct buf b;

	buf_init(&b, 1u << 20);
	ck_assert_int_eq(db_query(db, &st, "SELECT type || ' ' || name || ' ' || COALESCE(sql, '') "
	    "FROM sqlite_master ORDER BY type, name", DB_NOARGS), GW_OK);
	while (db_next(st) == 1)
		ck_assert_int_eq(buf_printf(&b, "%s\n", db_text(st, 0)), GW_OK);
	db_done(st);
	return buf_take(&b, NULL);
}

static const char *const columns[][2] = {
	{ "users", "username" }, { "users", "password" }, { "users", "access_token" },
	{ "users", "aff_code" }, { "users", "inviter_id" }, { "users", "group" },
	{ "users", "lark_id" }, { "users", "oidc_id" },
	{ "tokens", "key" }, { "tokens", "subnet" }, { "tokens", "models" },
	{ "channels", "model_mapping" }, { "channels", "system_prompt" }, { "channels", "config" },
	{ "abilities", "priority" }, { "logs", "system_prompt_reset" }, { "logs", "request_id" },
	{ "redemptions", "redeemed_time" }, { "options", "value" },
	{ "fcgi_meta", "value" }, { "fcgi_migrations", "applied_at" },
};

START_TEST(empty_database)
{
	struct db *db = NULL;
	struct arena a;
	struct user u;
	size_t i;
	char *s1, *s2;

	fresh("sk-InitialRootTokenForTheUnitTest0123456789abcdef", "0123456789abcdef0123456789abcdef");
	ck_assert_int_eq(db_open(&db), GW_OK);
	ck_assert_int_eq(schema_migrate(db), GW_OK);
	for (i = 0; i < sizeof(columns) / sizeof(columns[0]); i++)
		ck_assert_msg(db_has_column(db, columns[i][0], columns[i][1]), "%s.%s",
		    columns[i][0], columns[i][1]);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM sqlite_master WHERE type='index' AND name IN "
	    "('idx_users_git_hub_id','idx_users_we_chat_id','idx_tokens_key','idx_created_at_type',"
	    "'index_username_model_name','idx_abilities_channel_id','idx_users_access_token')"), 7);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM fcgi_migrations WHERE version = 1"), 1);

	ck_assert_int_eq(schema_bootstrap(db), GW_OK);
	ck_assert_int_eq(schema_bootstrap(db), GW_OK);	/* users exist: nothing */
	ck_assert_int_eq(count(db, "SELECT count(*) FROM users"), 1);
	arena_init(&a);
	ck_assert_int_eq(users_get_by_username(db, &a, "root", &u), GW_OK);
	ck_assert_int_eq(u.role, 100);
	ck_assert_int_eq(u.status, 1);
	ck_assert_str_eq(u.display_name, "Root User");
	ck_assert(u.quota == 500000000000000LL);
	ck_assert_str_eq(u.access_token, "0123456789abcdef0123456789abcdef");
	ck_assert_str_eq(u.group, "default");
	ck_assert_uint_eq(strlen(u.aff_code), 4);
	ck_assert_int_eq(password_verify("123456", u.password), 1);
	arena_release(&a);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM tokens WHERE id = 1 AND user_id = 1 AND "
	    "`key` = 'InitialRootTokenForTheUnitTest0123456789abcdef' AND name = 'Initial Root Token' "
	    "AND unlimited_quota = 1 AND expired_time = -1 AND status = 1"), 1);

	/* migrating again changes nothing */
	s1 = snapshot(db);
	ck_assert_int_eq(schema_migrate(db), GW_OK);
	s2 = snapshot(db);
	ck_assert_str_eq(s1, s2);
	free(s1);
	free(s2);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM fcgi_migrations"), 1);
	db_close(db);
	cleanup();
}
END_TEST

/* What an older One API (GORM, before lark_id/oidc_id and
 * system_prompt) plus the Laisky fork leave behind: inline UNIQUE, extra
 * columns and tables we do not know. */
static const char *const gorm_db[] = {
	"CREATE TABLE `users` (`id` integer,`username` text UNIQUE,`password` text NOT NULL,"
	"`display_name` text,`role` int DEFAULT 1,`status` int DEFAULT 1,`email` text,"
	"`github_id` text,`wechat_id` text,`access_token` char(32),`quota` integer DEFAULT 0,"
	"`used_quota` integer DEFAULT 0,`request_count` int DEFAULT 0,"
	"`group` varchar(32) DEFAULT 'default',`aff_code` varchar(32),`inviter_id` int,"
	"`created_at` integer,`metadata` text,PRIMARY KEY (`id`))",
	"CREATE INDEX `idx_users_username` ON `users`(`username`)",
	"CREATE UNIQUE INDEX `idx_users_access_token` ON `users`(`access_token`)",
	"CREATE TABLE `tokens` (`id` integer,`user_id` integer,`key` char(48),`status` integer DEFAULT 1,"
	"`name` text,`created_time` integer,`accessed_time` integer,`expired_time` integer DEFAULT -1,"
	"`remain_quota` integer DEFAULT 0,`unlimited_quota` numeric DEFAULT false,"
	"`used_quota` integer DEFAULT 0,`models` text,`subnet` text DEFAULT '',`uuid` char(36),"
	"PRIMARY KEY (`id`))",
	"CREATE UNIQUE INDEX `idx_tokens_key` ON `tokens`(`key`)",
	"CREATE TABLE `channels` (`id` integer,`type` integer DEFAULT 0,`key` text,"
	"`status` integer DEFAULT 1,`name` text,`weight` integer DEFAULT 0,`created_time` integer,"
	"`test_time` integer,`response_time` integer,`base_url` text DEFAULT '',`other` text,"
	"`balance` real,`balance_updated_time` integer,`models` text,`group` varchar(32) DEFAULT 'default',"
	"`used_quota` integer DEFAULT 0,`model_mapping` varchar(1024) DEFAULT '',"
	"`priority` integer DEFAULT 0,`config` text,`ratelimit` integer DEFAULT 0,PRIMARY KEY (`id`))",
	"CREATE TABLE `options` (`key` text,`value` text,PRIMARY KEY (`key`))",
	"CREATE TABLE `traces` (`id` integer,`trace_id` varchar(64) NOT NULL,PRIMARY KEY (`id`))",
	"INSERT INTO users (id, username, password, display_name, role, status, access_token, quota, "
	"aff_code, created_at, metadata) VALUES (1, 'root', "
	"'$2a$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga', 'Root User', 100, 1, "
	"'abcdefabcdefabcdefabcdefabcdefab', 123, 'Ab12', 1700000000000, '{\"k\":1}')",
	"INSERT INTO tokens (id, user_id, `key`, name, remain_quota, uuid) VALUES "
	"(7, 1, 'k7k7k7k7k7k7k7k7k7k7k7k7k7k7k7k7k7k7k7k7k7k7k7k7', 'old', 5, 'u-u-i-d')",
	"INSERT INTO channels (id, type, `key`, name, models, ratelimit) VALUES (3, 1, 'sk-up', 'c3', 'gpt-4o', 9)",
	"INSERT INTO options (`key`, value) VALUES ('QuotaForNewUser', '77')",
	"INSERT INTO traces (id, trace_id) VALUES (1, 't1')",
};

START_TEST(gorm_database)
{
	struct db *db = NULL;
	struct arena a;
	struct user u;
	size_t i;
	char *s1, *s2;

	fresh(NULL, NULL);
	ck_assert_int_eq(db_open(&db), GW_OK);
	for (i = 0; i < sizeof(gorm_db) / sizeof(gorm_db[0]); i++)
		ck_assert_msg(db_exec(db, gorm_db[i], DB_NOARGS, NULL) == GW_OK, "%s", gorm_db[i]);
	ck_assert(!db_has_column(db, "users", "oidc_id"));

	ck_assert_int_eq(schema_migrate(db), GW_OK);
	for (i = 0; i < sizeof(columns) / sizeof(columns[0]); i++)
		ck_assert_msg(db_has_column(db, columns[i][0], columns[i][1]), "%s.%s",
		    columns[i][0], columns[i][1]);
	ck_assert(db_has_column(db, "channels", "system_prompt"));
	/* the fork's columns, tables and our rows survive untouched */
	ck_assert(db_has_column(db, "users", "metadata"));
	ck_assert(db_has_column(db, "channels", "ratelimit"));
	ck_assert_int_eq(count(db, "SELECT count(*) FROM traces"), 1);
	ck_assert_int_eq(count(db, "SELECT ratelimit FROM channels WHERE id = 3"), 9);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM users WHERE metadata = '{\"k\":1}' "
	    "AND created_at = 1700000000000 AND lark_id IS NULL"), 1);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM tokens WHERE uuid = 'u-u-i-d'"), 1);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM abilities"), 0);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM logs"), 0);

	/* nobody is created when users exist; the old hash still logs in */
	ck_assert_int_eq(schema_bootstrap(db), GW_OK);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM users"), 1);
	arena_init(&a);
	ck_assert_int_eq(users_get_for_login(db, &a, "root", &u), GW_OK);
	ck_assert_int_eq(password_verify("allmine", u.password), 1);
	ck_assert_str_eq(u.lark_id, "");	/* NULL reads as "" */
	arena_release(&a);

	/* twice: idempotent */
	s1 = snapshot(db);
	ck_assert_int_eq(schema_migrate(db), GW_OK);
	s2 = snapshot(db);
	ck_assert_str_eq(s1, s2);
	free(s1);
	free(s2);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM fcgi_migrations"), 1);
	db_close(db);
	cleanup();
}
END_TEST

static void *
starter(void *arg)
{
	struct db *db = NULL;
	int rc;

	(void)arg;
	if ((rc = db_open(&db)) != GW_OK)
		return (void *)(intptr_t)rc;
	if ((rc = schema_migrate(db)) == GW_OK)
		rc = schema_bootstrap(db);
	db_close(db);
	return (void *)(intptr_t)rc;
}

/* Several processes starting on one new file: one schema, one root. */
START_TEST(concurrent_start)
{
	pthread_t t[4];
	struct db *db = NULL;
	void *res;
	int i;

	fresh("InitialRootTokenForTheUnitTest0123456789abcdefX", NULL);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, starter, NULL), 0);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], &res), 0);
		ck_assert_int_eq((int)(intptr_t)res, GW_OK);
	}
	ck_assert_int_eq(db_open(&db), GW_OK);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM users"), 1);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM tokens"), 1);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM fcgi_migrations"), 1);
	db_close(db);
	cleanup();
}
END_TEST

START_TEST(users_model)
{
	struct db *db = NULL;
	struct arena a;
	struct user u, f;
	int64_t id = 0, id2 = 0, total = 0;
	json_t *j;
	const char *field, *tag;

	fresh(NULL, NULL);
	ck_assert_int_eq(db_open(&db), GW_OK);
	ck_assert_int_eq(schema_migrate(db), GW_OK);
	ck_assert_int_eq(schema_bootstrap(db), GW_OK);
	arena_init(&a);

	ck_assert_int_eq(users_create(db, "alice", "alice-pass", "Alice", NULL, 0, &id), GW_OK);
	ck_assert_int_eq(users_create(db, "alice", "other-pass", NULL, NULL, 0, &id2), GW_ECONFLICT);
	ck_assert_int_eq(users_create(db, "bob'; DROP TABLE users; --", "bob-pass-1", NULL, NULL, id, &id2), GW_OK);
	ck_assert_int_eq(users_get(db, &a, id2, &u), GW_OK);
	ck_assert_str_eq(u.username, "bob'; DROP TABLE users; --");
	ck_assert_int_eq(u.inviter_id, id);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM tokens WHERE name = 'default' AND "
	    "unlimited_quota = 1 AND remain_quota = -1 AND expired_time = -1"), 2);

	ck_assert_int_eq(users_get(db, &a, id, &u), GW_OK);
	ck_assert_int_eq(u.role, 1);
	ck_assert_int_eq(password_verify("alice-pass", u.password), 1);
	ck_assert_uint_eq(strlen(u.access_token), 32);

	/* GORM Updates: zero fields are left alone */
	memset(&f, 0, sizeof(f));
	f.display_name = "Alice B";
	f.quota = 1000;
	ck_assert_int_eq(users_update(db, id, &f), GW_OK);
	ck_assert_int_eq(users_get(db, &a, id, &u), GW_OK);
	ck_assert_str_eq(u.display_name, "Alice B");
	ck_assert_str_eq(u.username, "alice");
	ck_assert_int_eq(u.quota, 1000);
	ck_assert_int_eq(password_verify("alice-pass", u.password), 1);
	memset(&f, 0, sizeof(f));
	f.username = "root";
	ck_assert_int_eq(users_update(db, id, &f), GW_ECONFLICT);
	f.username = "alice2";
	ck_assert_int_eq(users_update(db, 9999, &f), GW_ENOTFOUND);

	j = users_list_json(db, NULL, 0, 10, &total);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(total, 3);
	ck_assert_int_eq((int)json_integer_value(json_object_get(json_array_get(j, 0), "id")), (int)id2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "password")), "");
	json_decref(j);
	j = users_search_json(db, "ali");
	ck_assert_uint_eq(json_array_size(j), 1);
	json_decref(j);

	ck_assert_int_eq(users_soft_delete(db, id), GW_OK);
	ck_assert_int_eq(users_get(db, &a, id, &u), GW_OK);
	ck_assert_int_eq(u.status, 3);
	ck_assert(strncmp(u.username, "deleted_", 8) == 0);
	j = users_list_json(db, "quota", 0, 10, &total);
	ck_assert_int_eq(total, 2);
	json_decref(j);

	memset(&u, 0, sizeof(u));
	u.username = "abcdefghijkl";		/* 12 */
	u.display_name = "二十个字二十个字二十个字二十个字二十个字";	/* 20 characters, 60 bytes */
	ck_assert_int_eq(user_validate(&u, &field, &tag), GW_OK);
	u.username = "abcdefghijklm";
	ck_assert_int_eq(user_validate(&u, &field, &tag), GW_EINPUT);
	ck_assert_str_eq(field, "Username");
	u.username = NULL;
	u.password = "short";
	ck_assert_int_eq(user_validate(&u, &field, &tag), GW_EINPUT);
	ck_assert_str_eq(tag, "min");

	arena_release(&a);
	db_close(db);
	cleanup();
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("schema");
	TCase *tc = tcase_create("schema");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, empty_database);
	tcase_add_test(tc, gorm_database);
	tcase_add_test(tc, concurrent_start);
	tcase_add_test(tc, users_model);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
