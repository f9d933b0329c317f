/* fcgi/password.h: bcrypt password hashes compatible with One API ($2a$, cost 10) */
#ifndef GW_PASSWORD_H
#define GW_PASSWORD_H

#include <stddef.h>
#include "err.h"

#define PASSWORD_HASH_MAX 128

/* Hash pw with bcrypt cost 10 into out (PASSWORD_HASH_MAX bytes). */
int password_hash(const char *pw, char *out, size_t outsz) GW_WUR;
/* 1 if pw matches a $2a$/$2b$/$2y$ hash, else 0. */
int password_verify(const char *pw, const char *hash);

#endif
