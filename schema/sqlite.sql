-- schema/sqlite.sql: One API's tables as GORM (v1.25) creates them on SQLite,
-- then our own bookkeeping tables (fcgi_*).
-- One statement per ';'. fcgi/schema.c reads the CREATE TABLE column lists of
-- this file to add missing columns to an existing One API database, so keep
-- one column per line and every column starting with a backquoted name.
-- Column order and types follow the Go structs (model/*.go): int/int64 ->
-- integer, bool -> numeric, float64 -> real, string -> text, explicit
-- type: tags as written. Only users.password is NOT NULL.

CREATE TABLE IF NOT EXISTS `channels` (
`id` integer,
`type` integer DEFAULT 0,
`key` text,
`status` integer DEFAULT 1,
`name` text,
`weight` integer DEFAULT 0,
`created_time` integer,
`test_time` integer,
`response_time` integer,
`base_url` text DEFAULT '',
`other` text,
`balance` real,
`balance_updated_time` integer,
`models` text,
`group` varchar(32) DEFAULT 'default',
`used_quota` integer DEFAULT 0,
`model_mapping` varchar(1024) DEFAULT '',
`priority` integer DEFAULT 0,
`config` text,
`system_prompt` text,
PRIMARY KEY (`id`)
);
CREATE INDEX IF NOT EXISTS `idx_channels_name` ON `channels`(`name`);

CREATE TABLE IF NOT EXISTS `tokens` (
`id` integer,
`user_id` integer,
`key` char(48),
`status` integer DEFAULT 1,
`name` text,
`created_time` integer,
`accessed_time` integer,
`expired_time` integer DEFAULT -1,
`remain_quota` integer DEFAULT 0,
`unlimited_quota` numeric DEFAULT false,
`used_quota` integer DEFAULT 0,
`models` text,
`subnet` text DEFAULT '',
PRIMARY KEY (`id`)
);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_tokens_key` ON `tokens`(`key`);
CREATE INDEX IF NOT EXISTS `idx_tokens_name` ON `tokens`(`name`);

CREATE TABLE IF NOT EXISTS `users` (
`id` integer,
`username` text,
`password` text NOT NULL,
`display_name` text,
`role` int DEFAULT 1,
`status` int DEFAULT 1,
`email` text,
`github_id` text,
`wechat_id` text,
`lark_id` text,
`oidc_id` text,
`access_token` char(32),
`quota` integer DEFAULT 0,
`used_quota` integer DEFAULT 0,
`request_count` int DEFAULT 0,
`group` varchar(32) DEFAULT 'default',
`aff_code` varchar(32),
`inviter_id` int,
PRIMARY KEY (`id`),
CONSTRAINT `uni_users_username` UNIQUE (`username`)
);
CREATE INDEX IF NOT EXISTS `idx_users_username` ON `users`(`username`);
CREATE INDEX IF NOT EXISTS `idx_users_display_name` ON `users`(`display_name`);
CREATE INDEX IF NOT EXISTS `idx_users_email` ON `users`(`email`);
CREATE INDEX IF NOT EXISTS `idx_users_git_hub_id` ON `users`(`github_id`);
CREATE INDEX IF NOT EXISTS `idx_users_we_chat_id` ON `users`(`wechat_id`);
CREATE INDEX IF NOT EXISTS `idx_users_lark_id` ON `users`(`lark_id`);
CREATE INDEX IF NOT EXISTS `idx_users_oidc_id` ON `users`(`oidc_id`);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_users_access_token` ON `users`(`access_token`);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_users_aff_code` ON `users`(`aff_code`);
CREATE INDEX IF NOT EXISTS `idx_users_inviter_id` ON `users`(`inviter_id`);

CREATE TABLE IF NOT EXISTS `options` (
`key` text,
`value` text,
PRIMARY KEY (`key`)
);

CREATE TABLE IF NOT EXISTS `redemptions` (
`id` integer,
`user_id` integer,
`key` char(32),
`status` integer DEFAULT 1,
`name` text,
`quota` integer DEFAULT 100,
`created_time` integer,
`redeemed_time` integer,
PRIMARY KEY (`id`)
);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_redemptions_key` ON `redemptions`(`key`);
CREATE INDEX IF NOT EXISTS `idx_redemptions_name` ON `redemptions`(`name`);

CREATE TABLE IF NOT EXISTS `abilities` (
`group` varchar(32),
`model` text,
`channel_id` integer,
`enabled` numeric,
`priority` integer DEFAULT 0,
`suspend_until` datetime,
PRIMARY KEY (`group`,`model`,`channel_id`)
);
CREATE INDEX IF NOT EXISTS `idx_abilities_channel_id` ON `abilities`(`channel_id`);
CREATE INDEX IF NOT EXISTS `idx_abilities_priority` ON `abilities`(`priority`);
CREATE INDEX IF NOT EXISTS `idx_abilities_suspend_until` ON `abilities`(`suspend_until`);

CREATE TABLE IF NOT EXISTS `logs` (
`id` integer,
`user_id` integer,
`created_at` integer,
`type` integer,
`content` text,
`username` text DEFAULT '',
`token_name` text DEFAULT '',
`model_name` text DEFAULT '',
`quota` integer DEFAULT 0,
`prompt_tokens` integer DEFAULT 0,
`completion_tokens` integer DEFAULT 0,
`channel_id` integer,
`request_id` text DEFAULT '',
`elapsed_time` integer DEFAULT 0,
`is_stream` numeric DEFAULT false,
`system_prompt_reset` numeric DEFAULT false,
PRIMARY KEY (`id`)
);
CREATE INDEX IF NOT EXISTS `idx_logs_user_id` ON `logs`(`user_id`);
CREATE INDEX IF NOT EXISTS `idx_created_at_type` ON `logs`(`created_at`,`type`);
CREATE INDEX IF NOT EXISTS `index_username_model_name` ON `logs`(`model_name`,`username`);
CREATE INDEX IF NOT EXISTS `idx_logs_token_name` ON `logs`(`token_name`);
CREATE INDEX IF NOT EXISTS `idx_logs_model_name` ON `logs`(`model_name`);
CREATE INDEX IF NOT EXISTS `idx_logs_channel_id` ON `logs`(`channel_id`);

-- The Laisky fork's per-request cost table (GET /api/cost/request/:id).
CREATE TABLE IF NOT EXISTS `user_request_costs` (
`id` integer,
`created_time` integer,
`user_id` integer,
`request_id` varchar(32),
`quota` integer,
PRIMARY KEY (`id`)
);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_user_request_costs_request_id` ON `user_request_costs`(`request_id`);
CREATE INDEX IF NOT EXISTS `idx_user_request_costs_user_id` ON `user_request_costs`(`user_id`);

-- Ours: small shared values (the generated session key) and applied migrations.
CREATE TABLE IF NOT EXISTS `fcgi_meta` (
`name` varchar(64),
`value` text,
PRIMARY KEY (`name`)
);

CREATE TABLE IF NOT EXISTS `fcgi_migrations` (
`version` integer,
`name` varchar(191),
`applied_at` integer,
PRIMARY KEY (`version`)
);

-- Ours: which channel answered a Responses API call, so that
-- GET/DELETE /v1/responses/{id} and /cancel reach the upstream that stored it.
CREATE TABLE IF NOT EXISTS `fcgi_responses` (
`response_id` varchar(191),
`channel_id` integer,
`user_id` integer,
`created_at` integer,
PRIMARY KEY (`response_id`)
);
CREATE INDEX IF NOT EXISTS `idx_fcgi_responses_created_at` ON `fcgi_responses`(`created_at`);

-- Ours: each user's session generation. A session cookie carries the
-- generation it was signed with; logout, a password or role change, a ban or
-- a deletion bump it, so every older cookie stops working at once.
CREATE TABLE IF NOT EXISTS `fcgi_sessions` (
`user_id` integer,
`generation` integer NOT NULL DEFAULT 0,
PRIMARY KEY (`user_id`)
);
