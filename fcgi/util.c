/* fcgi/util.c: strict number parsing, randomness, time, string helpers */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include "util.h"

int
parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	int neg = 0;
	uint64_t v = 0, lim;

	if (s == NULL || *s == '\0')
		return GW_EINPUT;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (!isdigit((unsigned char)*s))
		return GW_EINPUT;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (lim - d) / 10)
			return GW_EINPUT;
		v = v * 10 + d;
	}
	if (*s != '\0')
		return GW_EINPUT;
	{
		int64_t r = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
		if (r < min || r > max)
			return GW_EINPUT;
		*out = r;
	}
	return GW_OK;
}

int
parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "true", "1", "yes", "on" };
	static const char *const no[] = { "false", "0", "no", "off" };
	size_t i;

	if (s == NULL)
		return GW_EINPUT;
	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return GW_OK;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return GW_OK;
		}
	}
	return GW_EINPUT;
}

/*
 * Each RAND_bytes call costs a DRBG run and, in OpenSSL 3, a write lock
 * shared by every thread (RAND_get_rand_method): about 3% of a relay
 * request, for its id. Small requests are served from a per-thread pool of
 * CSPRNG output fetched in one call; bytes handed out are wiped from the
 * pool. The process never forks, so no two processes share a pool.
 */
#define RAND_POOL 512
static _Thread_local unsigned char rand_pool[RAND_POOL];
static _Thread_local size_t rand_left;

int
rand_bytes(void *p, size_t n)
{
	unsigned char *src;

	if (n > RAND_POOL / 8)
		return RAND_bytes(p, (int)n) == 1 ? GW_OK : GW_EIO;
	if (rand_left < n) {
		if (RAND_bytes(rand_pool, RAND_POOL) != 1) {
			rand_left = 0;
			return GW_EIO;
		}
		rand_left = RAND_POOL;
	}
	src = rand_pool + RAND_POOL - rand_left;
	memcpy(p, src, n);
	explicit_bzero(src, n);
	rand_left -= n;
	return GW_OK;
}

uint64_t
rand_below(uint64_t n)
{
	uint64_t x, lim;

	if (n <= 1)
		return 0;
	lim = UINT64_MAX - UINT64_MAX % n;	/* reject the biased tail */
	do {
		if (rand_bytes(&x, sizeof(x)) != GW_OK)
			x = (uint64_t)mono_us() * 6364136223846793005ULL;
	} while (x >= lim);
	return x % n;
}

int
rand_alnum(char *out, size_t n)
{
	static const char set[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = set[rand_below(sizeof(set) - 1)];
	out[n] = '\0';
	return GW_OK;
}

int
rand_uuid_hex(char *out)
{
	unsigned char u[16];

	if (rand_bytes(u, sizeof(u)) != GW_OK)
		return GW_EIO;
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
	hex_encode(out, u, sizeof(u));
	return GW_OK;
}

void
hex_encode(char *out, const void *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = '\0';
}

int64_t
now_sec(void)
{
	return (int64_t)time(NULL);
}

int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int
ct_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

/* The length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no
 * surrogates, at most U+10FFFF), or 0. */
static size_t
utf8_len(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f))
			return 0;
		return 3;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80 ||
		    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

void
str_utf8_fix(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t l;

	/* a NUL stops every continuation check, so reads stay in the string */
	while (*p) {
		if ((l = utf8_len(p)) == 0) {
			*p++ = '?';
			continue;
		}
		p += l;
	}
}

char *
str_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
str_iprefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}
