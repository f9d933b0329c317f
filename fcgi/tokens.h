/* fcgi/tokens.h: the tokens table (API keys) */
#ifndef GW_TOKENS_H
#define GW_TOKENS_H

#include <stdint.h>
#include "db.h"

#define TOKEN_KEY_LEN 48

/* A new key in One API's format (48 chars, stored without "sk-"):
 * 16 random [0-9a-zA-Z] + 32 hex of a random UUID whose letters at even
 * indexes are upper-cased. out has TOKEN_KEY_LEN + 1 bytes. */
int token_generate_key(char *out) GW_WUR;

/* Insert a token for user_id; key NULL generates one. *id_out and key_out
 * (TOKEN_KEY_LEN + 1 bytes) may be NULL. models/subnet may be NULL. */
int token_create(struct db *db, int64_t user_id, const char *name, const char *key,
    int64_t remain_quota, int unlimited, int64_t expired_time, const char *models,
    const char *subnet, int64_t *id_out, char *key_out) GW_WUR;

#endif
