/* fcgi/kv.h: parsers of key=value lists: query strings, form bodies, cookies */
#ifndef GW_KV_H
#define GW_KV_H

#include <stddef.h>
#include "arena.h"

#define KV_MAX_PAIRS 256	/* more pairs than this are ignored */

struct kv {
	const char *key;
	const char *val;
};

struct kvlist {
	struct kv *v;
	size_t n;
};

/* Parse "a=1&b=x%20y" (application/x-www-form-urlencoded: '+' is a space,
 * %XX decoded; a pair without '=' gets ""; invalid %-escapes are kept
 * literally). Keys and values are NUL-free copies in the arena.
 * Returns GW_OK or GW_ENOMEM; out is always valid. */
int kv_parse_query(struct arena *a, const char *s, size_t n, struct kvlist *out) GW_WUR;
/* Parse a Cookie header "a=1; b=2" (RFC 6265 5.4: pairs split on ';', names
 * trimmed, values taken verbatim with surrounding quotes removed, no decoding). */
int kv_parse_cookies(struct arena *a, const char *s, size_t n, struct kvlist *out) GW_WUR;
/* The value of the first pair named key, or NULL. */
const char *kv_get(const struct kvlist *l, const char *key);
/* Decode %XX (and '+' as space when plus is set) from s[0..n) into a new
 * arena string; a decoded NUL byte becomes '?' so C strings stay whole. */
char *url_decode(struct arena *a, const char *s, size_t n, int plus);

#endif
