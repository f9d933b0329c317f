/* test/unit/t_mgmt.h: a temp SQLite store with One API's tables for the management-model tests */
#ifndef T_MGMT_H
#define T_MGMT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cfg.h"
#include "db.h"
#include "schema.h"

/* One API's SQLite DDL (GORM output) for the tables these tests touch,
 * used only where schema_migrate did not create them. */
static const char *const t_mgmt_ddl[] = {
	"CREATE TABLE IF NOT EXISTS `tokens` (`id` integer,`user_id` integer,`key` char(48),"
	"`status` integer DEFAULT 1,`name` text,`created_time` integer,`accessed_time` integer,"
	"`expired_time` integer DEFAULT -1,`remain_quota` integer DEFAULT 0,"
	"`unlimited_quota` numeric DEFAULT false,`used_quota` integer DEFAULT 0,`models` text,"
	"`subnet` text DEFAULT '',PRIMARY KEY (`id`))",
	"CREATE UNIQUE INDEX IF NOT EXISTS `idx_tokens_key` ON `tokens`(`key`)",
	"CREATE TABLE IF NOT EXISTS `channels` (`id` integer,`type` integer DEFAULT 0,`key` text,"
	"`status` integer DEFAULT 1,`name` text,`weight` integer DEFAULT 0,`created_time` integer,"
	"`test_time` integer,`response_time` integer,`base_url` text DEFAULT '',`other` text,"
	"`balance` real,`balance_updated_time` integer,`models` text,"
	"`group` varchar(32) DEFAULT 'default',`used_quota` integer DEFAULT 0,"
	"`model_mapping` varchar(1024) DEFAULT '',`priority` integer DEFAULT 0,`config` text,"
	"`system_prompt` text,PRIMARY KEY (`id`))",
	"CREATE TABLE IF NOT EXISTS `abilities` (`group` varchar(32),`model` text,`channel_id` integer,"
	"`enabled` numeric,`priority` integer DEFAULT 0,PRIMARY KEY (`group`,`model`,`channel_id`))",
	"CREATE TABLE IF NOT EXISTS `options` (`key` text,`value` text,PRIMARY KEY (`key`))",
};

static char t_mgmt_dir[64];

/* Open a fresh store in a temp dir; the process-wide cfg points at it. */
static struct db *
t_mgmt_open(void)
{
	static char path[128];
	struct db *db = NULL;
	struct cfg *c;
	size_t i;

	snprintf(t_mgmt_dir, sizeof(t_mgmt_dir), "/tmp/t_mgmt.XXXXXX");
	if (mkdtemp(t_mgmt_dir) == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/one-api.db", t_mgmt_dir);
	unsetenv("SQL_DSN");
	setenv("SQLITE_PATH", path, 1);
	if ((c = cfg_load(stderr)) == NULL)
		return NULL;
	cfg = c;
	if (db_open(&db) != GW_OK)
		return NULL;
	if (schema_migrate(db) != GW_OK)
		return NULL;
	for (i = 0; i < sizeof(t_mgmt_ddl) / sizeof(t_mgmt_ddl[0]); i++)
		if (db_exec(db, t_mgmt_ddl[i], DB_NOARGS, NULL) != GW_OK)
			return NULL;
	return db;
}

static void
t_mgmt_close(struct db *db)
{
	char path[160];

	db_close(db);
	snprintf(path, sizeof(path), "%s/one-api.db", t_mgmt_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/one-api.db-wal", t_mgmt_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/one-api.db-shm", t_mgmt_dir);
	unlink(path);
	rmdir(t_mgmt_dir);
}

#endif
