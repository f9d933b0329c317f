/* fcgi/tokens.c: the tokens table (stub until the token API lands) */
#include "tokens.h"
int token_generate_key(char *out) { return GW_EINPUT; }
int token_create(struct db *db, int64_t user_id, const char *name, const char *key,
    int64_t remain_quota, int unlimited, int64_t expired_time, const char *models,
    const char *subnet, int64_t *id_out, char *key_out) { return GW_EINPUT; }
