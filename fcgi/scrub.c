/* fcgi/scrub.c: mask echoed key material, in place */
#include <string.h>
#include "scrub.h"

#define SCRUB_SEPS "|, \n\r\t"

/* The longest n such that buf[i..i+n) occurs in key (0 when under min). */
static size_t
longest_run(const char *buf, size_t len, size_t i, const char *key, size_t klen, size_t min)
{
	size_t best = 0, j, n;

	for (j = 0; j + min <= klen; j++) {
		if (key[j] != buf[i])
			continue;
		for (n = 1; i + n < len && j + n < klen && buf[i + n] == key[j + n]; n++)
			;
		if (n > best)
			best = n;
	}
	return best >= min ? best : 0;
}

/* Mask whole occurrences of part[0..plen) in buf. */
static size_t
mask_whole(char *buf, size_t len, const char *part, size_t plen)
{
	size_t i, masked = 0;

	for (i = 0; i + plen <= len; i++)
		if (memcmp(buf + i, part, plen) == 0) {
			memset(buf + i, '*', plen);
			masked += plen;
			i += plen - 1;
		}
	return masked;
}

size_t
scrub_secret(char *buf, size_t len, const char *key)
{
	size_t klen, i, n, masked = 0, plen;
	const char *p;

	if (buf == NULL || key == NULL || (klen = strlen(key)) == 0)
		return 0;
	/* short parts (a region, a short token) only when seen whole */
	for (p = key; *p; p += plen) {
		p += strspn(p, SCRUB_SEPS);
		plen = strcspn(p, SCRUB_SEPS);
		if (plen >= SCRUB_SHORT_MIN && plen < SCRUB_RUN_MIN)
			masked += mask_whole(buf, len, p, plen);
	}
	/* runs of the key: the whole key, a prefix, a suffix, a part; a run
	 * that is masked is skipped, so the scan stays linear in practice */
	for (i = 0; i + SCRUB_RUN_MIN <= len; i++) {
		if ((n = longest_run(buf, len, i, key, klen, SCRUB_RUN_MIN)) == 0)
			continue;
		memset(buf + i, '*', n);
		masked += n;
		i += n - 1;
	}
	return masked;
}
