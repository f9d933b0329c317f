/* fcgi/tokens.h: the tokens table (API keys) */
#ifndef GW_TOKENS_H
#define GW_TOKENS_H

#include <stdint.h>
#include <jansson.h>
#include "db.h"

#define TOKEN_KEY_LEN 48
#define TOKEN_NAME_MAX 30	/* bytes, as One API's len(token.Name) */

/* One API's token status values. */
enum token_status {
	TOKEN_STATUS_ENABLED = 1,
	TOKEN_STATUS_DISABLED = 2,
	TOKEN_STATUS_EXPIRED = 3,
	TOKEN_STATUS_EXHAUSTED = 4,
};

/* A new key in One API's format (48 chars, stored without "sk-"):
 * 16 random [0-9a-zA-Z] + 32 hex of a random UUID whose letters at even
 * indexes are upper-cased. out has TOKEN_KEY_LEN + 1 bytes. */
int token_generate_key(char *out) GW_WUR;

/* Insert a token for user_id; key NULL generates one. *id_out and key_out
 * (TOKEN_KEY_LEN + 1 bytes) may be NULL. models/subnet may be NULL.
 * expired_time 0 is stored as -1 (never), like One API's column default. */
int token_create(struct db *db, int64_t user_id, const char *name, const char *key,
    int64_t remain_quota, int unlimited, int64_t expired_time, const char *models,
    const char *subnet, int64_t *id_out, char *key_out) GW_WUR;

/* One API's validateToken: name at most 30 bytes, subnet a comma list of
 * CIDRs (spaces around items allowed). GW_OK, or GW_EINPUT with a static
 * message in *why ("参数错误：..."). subnet may be NULL. */
int token_validate(const char *name, const char *subnet, const char **why) GW_WUR;
/* 1 when s is a comma list of valid CIDRs (Go net.ParseCIDR rules). */
int token_subnets_valid(const char *s);

/* Token rows as the API shows them (key included, without "sk-"):
 * id, user_id, key, status, name, created_time, accessed_time, expired_time,
 * remain_quota, unlimited_quota, used_quota, models, subnet.
 * All return a new reference, NULL on a store error. */
/* One page of user_id's tokens; order "remain_quota", "used_quota" or
 * anything else (id desc). */
json_t *token_list_json(struct db *db, int64_t user_id, const char *order,
    int64_t offset, int64_t limit);
/* Number of user_id's tokens (for "total"); -1 on error. */
int64_t token_count(struct db *db, int64_t user_id);
/* user_id's tokens whose name starts with keyword, or whose key equals it
 * (with or without "sk-"). */
json_t *token_search_json(struct db *db, int64_t user_id, const char *keyword);
/* One token of user_id; *rc is GW_OK, GW_ENOTFOUND or GW_EDB. */
json_t *token_get_json(struct db *db, int64_t id, int64_t user_id, int *rc);

/* The fields One API's UpdateToken writes (name, status, expired_time,
 * remain_quota, unlimited_quota, models, subnet); NULL models/subnet write
 * SQL NULL. GW_ENOTFOUND when user_id has no token id. */
struct token_fields {
	const char *name;
	int64_t status;
	int64_t expired_time;
	int64_t remain_quota;
	int unlimited_quota;
	const char *models;
	const char *subnet;
};
int token_update(struct db *db, int64_t id, int64_t user_id, const struct token_fields *f) GW_WUR;
/* Delete user_id's token id; GW_ENOTFOUND when there is none. */
int token_delete(struct db *db, int64_t id, int64_t user_id) GW_WUR;

#endif
