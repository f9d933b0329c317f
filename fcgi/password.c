/* fcgi/password.c: stub */
#include "password.h"
int password_hash(const char *pw, char *out, size_t n) { return GW_EINPUT; }
int password_verify(const char *pw, const char *h) { return 0; }
