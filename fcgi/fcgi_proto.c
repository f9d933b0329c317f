/* fcgi/fcgi_proto.c: FastCGI 1.0 records (the FastCGI Specification,
 * Open Market, 1996: section 3.3 records, 3.4 name-value pairs, 5 roles) */
#include <string.h>
#include "fcgi_proto.h"

long
fcgi_rec_parse(const void *p, size_t n, struct fcgi_rec *rec)
{
	const unsigned char *h = p;
	size_t clen, total;

	if (n < FCGI_HEADER_LEN)
		return 0;
	if (h[0] != 1)
		return -1;
	clen = (size_t)h[4] << 8 | h[5];
	total = FCGI_HEADER_LEN + clen + h[6];
	if (n < total)
		return 0;
	rec->type = h[1];
	rec->id = (unsigned)h[2] << 8 | h[3];
	rec->content = h + FCGI_HEADER_LEN;
	rec->len = clen;
	return (long)total;
}

int
fcgi_begin_parse(const struct fcgi_rec *rec, int *role, int *flags)
{
	if (rec->len < 8)
		return -1;
	*role = rec->content[0] << 8 | rec->content[1];
	*flags = rec->content[2];
	return 0;
}

/* A length: one byte below 128, else four with the top bit set. */
static int
nv_len(const unsigned char **p, const unsigned char *end, size_t *len)
{
	const unsigned char *q = *p;

	if (q >= end)
		return -1;
	if (*q < 0x80) {
		*len = *q;
		*p = q + 1;
		return 0;
	}
	if (end - q < 4)
		return -1;
	*len = (size_t)(q[0] & 0x7f) << 24 | (size_t)q[1] << 16 | (size_t)q[2] << 8 | q[3];
	*p = q + 4;
	return 0;
}

int
fcgi_nv_parse(const void *buf, size_t n, fcgi_nv_fn fn, void *ctx)
{
	const unsigned char *p = buf, *end = p + n;
	size_t nl, vl;
	int rc;

	while (p < end) {
		if (nv_len(&p, end, &nl) != 0 || nv_len(&p, end, &vl) != 0)
			return -1;
		/* compared to what is left, so no sum can overflow */
		if (nl > (size_t)(end - p) || vl > (size_t)(end - p) - nl)
			return -1;
		if ((rc = fn(ctx, (const char *)p, nl, (const char *)p + nl, vl)) != 0)
			return rc;
		p += nl + vl;
	}
	return 0;
}

static int
put_len(struct buf *b, size_t n)
{
	unsigned char l[4];

	if (n < 0x80) {
		l[0] = (unsigned char)n;
		return buf_add(b, l, 1);
	}
	if (n > 0x7fffffff)
		return GW_ETOOBIG;
	l[0] = (unsigned char)(n >> 24 | 0x80);
	l[1] = (unsigned char)(n >> 16);
	l[2] = (unsigned char)(n >> 8);
	l[3] = (unsigned char)n;
	return buf_add(b, l, 4);
}

int
fcgi_nv_put(struct buf *b, const char *name, size_t nlen, const char *val, size_t vlen)
{
	int rc;

	if ((rc = put_len(b, nlen)) == GW_OK && (rc = put_len(b, vlen)) == GW_OK &&
	    (rc = buf_add(b, name, nlen)) == GW_OK)
		rc = buf_add(b, val, vlen);
	return rc;
}

static int
put_one(struct buf *b, int type, unsigned id, const void *p, size_t n)
{
	/* content padded to 8 bytes, as the spec recommends */
	static const unsigned char zero[8];
	unsigned char h[FCGI_HEADER_LEN];
	size_t pad = (8 - n % 8) % 8;
	int rc;

	h[0] = 1;
	h[1] = (unsigned char)type;
	h[2] = (unsigned char)(id >> 8);
	h[3] = (unsigned char)id;
	h[4] = (unsigned char)(n >> 8);
	h[5] = (unsigned char)n;
	h[6] = (unsigned char)pad;
	h[7] = 0;
	if ((rc = buf_add(b, h, sizeof(h))) == GW_OK && n)
		rc = buf_add(b, p, n);
	if (rc == GW_OK && pad)
		rc = buf_add(b, zero, pad);
	return rc;
}

int
fcgi_put(struct buf *b, int type, unsigned id, const void *p, size_t n)
{
	const char *s = p;
	int rc;

	if (n == 0)
		return put_one(b, type, id, NULL, 0);
	while (n > 0) {
		/* 65528: the largest multiple of 8 that fits, so no padding */
		size_t k = n > 65528 ? 65528 : n;
		if ((rc = put_one(b, type, id, s, k)) != GW_OK)
			return rc;
		s += k;
		n -= k;
	}
	return GW_OK;
}

size_t
fcgi_frame_size(size_t n)
{
	size_t full = n / 65528, rest = n % 65528;

	return full * (FCGI_HEADER_LEN + 65528) + (rest ? FCGI_HEADER_LEN + rest + (8 - rest % 8) % 8 : 0);
}

void
fcgi_frame(char *out, int type, unsigned id, const void *p, size_t n)
{
	const char *s = p;

	while (n > 0) {
		size_t k = n > 65528 ? 65528 : n, pad = (8 - k % 8) % 8;
		unsigned char *h = (unsigned char *)out;
		h[0] = 1;
		h[1] = (unsigned char)type;
		h[2] = (unsigned char)(id >> 8);
		h[3] = (unsigned char)id;
		h[4] = (unsigned char)(k >> 8);
		h[5] = (unsigned char)k;
		h[6] = (unsigned char)pad;
		h[7] = 0;
		memcpy(out + FCGI_HEADER_LEN, s, k);
		memset(out + FCGI_HEADER_LEN + k, 0, pad);
		out += FCGI_HEADER_LEN + k + pad;
		s += k;
		n -= k;
	}
}

int
fcgi_put_end(struct buf *b, unsigned id, uint32_t app_status, int proto_status)
{
	unsigned char body[8];
	int rc;

	body[0] = (unsigned char)(app_status >> 24);
	body[1] = (unsigned char)(app_status >> 16);
	body[2] = (unsigned char)(app_status >> 8);
	body[3] = (unsigned char)app_status;
	body[4] = (unsigned char)proto_status;
	body[5] = body[6] = body[7] = 0;
	if (proto_status == FCGI_REQUEST_COMPLETE &&
	    (rc = put_one(b, FCGI_STDOUT, id, NULL, 0)) != GW_OK)
		return rc;
	return put_one(b, FCGI_END_REQUEST, id, body, sizeof(body));
}
