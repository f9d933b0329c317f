/* fcgi/logs.h: rows of One API's logs table written by management actions */
#ifndef GW_LOGS_H
#define GW_LOGS_H

#include <stddef.h>
#include <stdint.h>
#include "db.h"

/* One API's log types (model/log.go). */
enum log_type {
	LOGT_UNKNOWN = 0,
	LOGT_TOPUP = 1,
	LOGT_CONSUME = 2,
	LOGT_MANAGE = 3,
	LOGT_SYSTEM = 4,
	LOGT_TEST = 5,
};

/* Insert a log row {user_id, username, created_at = now, type, content},
 * every other column at its One API default. username NULL looks the name
 * up by user_id ("" when there is none). GW_OK or GW_EDB. */
int logs_record(struct db *db, int64_t user_id, const char *username, int type,
    const char *content) GW_WUR;

/* One API's common.LogQuota: "＄0.002000 额度" when DisplayInCurrencyEnabled
 * (quota / QuotaPerUnit), else "1000 点额度". Writes into out (always
 * NUL-terminated) and returns out. */
char *logs_quota_text(char *out, size_t outsz, int64_t quota);

#endif
