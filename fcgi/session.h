/* fcgi/session.h: HMAC-signed session cookies */
#ifndef GW_SESSION_H
#define GW_SESSION_H

#include <stdint.h>
#include "db.h"
#include "http.h"

/* Pick the signing key: SESSION_SECRET, else one generated once and kept in
 * the database so every process and restart shares it. */
int session_init(struct db *db) GW_WUR;
/* Add Set-Cookie: session=<signed user id and expiry>; HttpOnly; SameSite=Lax
 * (Secure with ENABLE_COOKIE_SECURE), Max-Age COOKIE_MAXAGE_HOURS. */
void session_set(struct req *r, int64_t user_id);
/* Add a Set-Cookie that removes the session cookie. */
void session_clear(struct req *r);
/* The user id in a cookie value if its signature is good and it has not
 * expired: GW_OK, else GW_EAUTH. */
int session_verify(const char *value, int64_t *user_id) GW_WUR;

#endif
