/* fcgi/kv.c: query-string, form and cookie parsers (fuzzed by test/fuzz/fz_kv.c) */
#include <string.h>
#include "kv.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
url_decode(struct arena *a, const char *s, size_t n, int plus)
{
	char *out = arena_alloc(a, n + 1), *o = out;
	size_t i;

	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		int h, l;
		if (s[i] == '%' && i + 2 < n &&
		    (h = hexval((unsigned char)s[i + 1])) >= 0 &&
		    (l = hexval((unsigned char)s[i + 2])) >= 0) {
			char c = (char)(h * 16 + l);
			*o++ = c ? c : '?';
			i += 2;
		} else if (s[i] == '+' && plus)
			*o++ = ' ';
		else
			*o++ = s[i] ? s[i] : '?';
	}
	*o = '\0';
	return out;
}

/* Split s on sep into pairs; decode when plus/url decoding is wanted. */
static int
parse(struct arena *a, const char *s, size_t n, char sep, int cookie, struct kvlist *out)
{
	size_t i = 0, cnt = 1, k;

	out->v = NULL;
	out->n = 0;
	if (s == NULL || n == 0)
		return GW_OK;
	for (k = 0; k < n; k++)
		if (s[k] == sep)
			cnt++;
	if (cnt > KV_MAX_PAIRS)
		cnt = KV_MAX_PAIRS;
	if ((out->v = arena_alloc(a, cnt * sizeof(*out->v))) == NULL)
		return GW_ENOMEM;
	while (i < n && out->n < cnt) {
		const char *p = s + i, *end = memchr(p, sep, n - i), *eq;
		size_t len = end ? (size_t)(end - p) : n - i;
		size_t klen, voff, vlen;

		i += len + 1;
		if (cookie)
			while (len && (*p == ' ' || *p == '\t')) {
				p++;
				len--;
			}
		if (len == 0)
			continue;
		eq = memchr(p, '=', len);
		klen = eq ? (size_t)(eq - p) : len;
		voff = eq ? klen + 1 : len;
		vlen = len - voff;
		if (cookie) {
			while (klen && (p[klen - 1] == ' ' || p[klen - 1] == '\t'))
				klen--;
			while (vlen && (p[voff] == ' ' || p[voff] == '\t')) {
				voff++;
				vlen--;
			}
			while (vlen && (p[voff + vlen - 1] == ' ' || p[voff + vlen - 1] == '\t'))
				vlen--;
			if (vlen >= 2 && p[voff] == '"' && p[voff + vlen - 1] == '"') {
				voff++;
				vlen -= 2;
			}
			if (klen == 0)
				continue;
			out->v[out->n].key = arena_strndup(a, p, klen);
			/* cookie values are not %-decoded (RFC 6265) */
			out->v[out->n].val = arena_strndup(a, p + voff, vlen);
		} else {
			out->v[out->n].key = url_decode(a, p, klen, 1);
			out->v[out->n].val = url_decode(a, p + voff, vlen, 1);
		}
		if (out->v[out->n].key == NULL || out->v[out->n].val == NULL)
			return GW_ENOMEM;
		out->n++;
	}
	return GW_OK;
}

int
kv_parse_query(struct arena *a, const char *s, size_t n, struct kvlist *out)
{
	return parse(a, s, n, '&', 0, out);
}

int
kv_parse_cookies(struct arena *a, const char *s, size_t n, struct kvlist *out)
{
	return parse(a, s, n, ';', 1, out);
}

const char *
kv_get(const struct kvlist *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			return l->v[i].val;
	return NULL;
}
