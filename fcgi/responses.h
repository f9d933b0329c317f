/* fcgi/responses.h: the fcgi_responses table: which channel produced a
 * Responses API answer, so GET/DELETE /v1/responses/{id} reach it again */
#ifndef GW_RESPONSES_H
#define GW_RESPONSES_H

#include <stdint.h>
#include "db.h"

/* Remember (or move) response id as stored by channel_id for user_id.
 * GW_OK or GW_EDB. */
int responses_remember(struct db *db, const char *id, int64_t channel_id, int64_t user_id) GW_WUR;
/* The channel that holds response id, if user_id owns it: GW_OK with
 * *channel_id set, GW_ENOTFOUND, or GW_EDB. */
int responses_channel(struct db *db, const char *id, int64_t user_id, int64_t *channel_id) GW_WUR;
/* Forget response id (deleted upstream). GW_OK or GW_EDB. */
int responses_forget(struct db *db, const char *id) GW_WUR;

#endif
