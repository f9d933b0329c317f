/* fcgi/responses.c: the fcgi_responses table (see responses.h) */
#include "responses.h"
#include "util.h"

int
responses_remember(struct db *db, const char *id, int64_t channel_id, int64_t user_id)
{
	return db_upsert(db, "fcgi_responses", "response_id, channel_id, user_id, created_at",
	    "response_id", "channel_id, user_id, created_at",
	    DB_ARGS(DB_S(id), DB_I(channel_id), DB_I(user_id), DB_I(now_sec())));
}

int
responses_channel(struct db *db, const char *id, int64_t user_id, int64_t *channel_id)
{
	struct db_stmt *st;
	int rc;

	if ((rc = db_query(db, &st, "SELECT channel_id FROM fcgi_responses WHERE response_id = ? "
	    "AND user_id = ?", DB_ARGS(DB_S(id), DB_I(user_id)))) != GW_OK)
		return rc;
	rc = db_next(st);
	if (rc > 0)
		*channel_id = db_int(st, 0);
	db_done(st);
	return rc > 0 ? GW_OK : rc == 0 ? GW_ENOTFOUND : GW_EDB;
}

int
responses_forget(struct db *db, const char *id)
{
	return db_exec(db, "DELETE FROM fcgi_responses WHERE response_id = ?", DB_ARGS(DB_S(id)),
	    NULL);
}
