/* fcgi/logs.c: manage/system log rows (One API model/log.go RecordLog) */
#include <stdio.h>
#include "logs.h"
#include "options.h"
#include "util.h"

int
logs_record(struct db *db, int64_t user_id, const char *username, int type, const char *content)
{
	if (username != NULL)
		return db_exec(db, "INSERT INTO logs (user_id, created_at, type, content, username) "
		    "VALUES (?, ?, ?, ?, ?)",
		    DB_ARGS(DB_I(user_id), DB_I(now_sec()), DB_I(type), DB_S(content), DB_S(username)),
		    NULL);
	return db_exec(db, "INSERT INTO logs (user_id, created_at, type, content, username) "
	    "VALUES (?, ?, ?, ?, COALESCE((SELECT username FROM users WHERE id = ?), ''))",
	    DB_ARGS(DB_I(user_id), DB_I(now_sec()), DB_I(type), DB_S(content), DB_I(user_id)), NULL);
}

char *
logs_quota_text(char *out, size_t outsz, int64_t quota)
{
	double per = option_real("QuotaPerUnit", 500000);

	if (outsz == 0)
		return out;
	if (option_bool("DisplayInCurrencyEnabled", 1) && per != 0)
		snprintf(out, outsz, "\xef\xbc\x84%.6f 额度", (double)quota / per);
	else
		snprintf(out, outsz, "%lld 点额度", (long long)quota);
	return out;
}
