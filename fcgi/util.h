/* fcgi/util.h: strict number parsing, randomness, time, small string helpers */
#ifndef GW_UTIL_H
#define GW_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"

/* Parse a whole decimal string into [min, max]. Leading/trailing garbage,
 * empty strings and overflow are GW_EINPUT. Like OpenBSD strtonum. */
int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out) GW_WUR;
/* Parse "true"/"false"/"1"/"0"/"yes"/"no"/"on"/"off" (case-insensitive). */
int parse_bool(const char *s, int *out) GW_WUR;

/* Cryptographically secure random bytes (OpenSSL RAND_bytes); GW_OK or GW_EIO. */
int rand_bytes(void *p, size_t n) GW_WUR;
/* n random chars of [0-9a-zA-Z] into out (n+1 bytes). */
int rand_alnum(char *out, size_t n) GW_WUR;
/* 32 lowercase hex chars of a random (v4) UUID without dashes into out[33]. */
int rand_uuid_hex(char *out) GW_WUR;
/* Uniform random integer in [0, n), n > 0. */
uint64_t rand_below(uint64_t n);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void hex_encode(char *out, const void *p, size_t n);

int64_t now_sec(void);
int64_t now_ms(void);
int64_t mono_us(void);

/* Constant-time comparison of two equal-length byte strings; 1 if equal. */
int ct_equal(const void *a, const void *b, size_t n);

/* Trim ASCII white space in place; returns s. */
char *str_trim(char *s);
/* Make s valid UTF-8 in place: each byte of a broken or cut sequence
 * becomes '?'. */
void str_utf8_fix(char *s);
/* Case-insensitive prefix test; 1 if s starts with prefix. */
int str_iprefix(const char *s, const char *prefix);

#endif
