/* fcgi/session.h: HMAC-signed session cookies */
#ifndef GW_SESSION_H
#define GW_SESSION_H

#include <stdint.h>
#include "db.h"
#include "http.h"

/* Pick the signing key: SESSION_SECRET, else one generated once and kept in
 * the database so every process and restart shares it. */
int session_init(struct db *db) GW_WUR;
/* Add Set-Cookie: session=<signed user id, generation, random nonce and
 * expiry>; HttpOnly; SameSite=Lax (Secure with ENABLE_COOKIE_SECURE),
 * Max-Age COOKIE_MAXAGE_HOURS. Every call makes a new session id. */
void session_set(struct req *r, int64_t user_id, int64_t gen);
/* session_set with the user's current generation read from r->db: GW_OK or
 * GW_EDB (nothing set). Call at login. */
int session_start(struct req *r, int64_t user_id) GW_WUR;
/* Add a Set-Cookie that removes the session cookie. */
void session_clear(struct req *r);
/* The user id and generation in a cookie value if its signature is good
 * and it has not expired: GW_OK, else GW_EAUTH (outputs untouched). Pure:
 * the generation is not compared here. */
int session_verify(const char *value, int64_t *user_id, int64_t *gen) GW_WUR;

/* The user's session generation (0 when never revoked): GW_OK or GW_EDB. */
int session_generation(struct db *db, int64_t user_id, int64_t *gen) GW_WUR;
/* End every session of the user (logout, password change, disable,
 * delete, role change): cookies signed with the old generation stop
 * verifying in every process at once. GW_OK or GW_EDB (logged). */
int session_revoke(struct db *db, int64_t user_id) GW_WUR;
/* The signed-in user of r's "session" cookie, whose generation is still
 * the user's: GW_OK, GW_EAUTH (none, forged, expired or revoked), GW_EDB. */
int session_user(struct req *r, int64_t *user_id) GW_WUR;

#endif
