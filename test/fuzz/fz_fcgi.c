/* test/fuzz/fz_fcgi.c: libFuzzer target for the FastCGI record and
 * name-value parsers: records are parsed from the input as a web server's
 * stream; every PARAMS or GET_VALUES content is parsed as pairs, each pair
 * re-encoded and parsed back to the same bytes */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "fcgi_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct want {
	const char *name, *val;
	size_t nl, vl;
	int same;
};

static int
same(void *ctx, const char *name, size_t nl, const char *val, size_t vl)
{
	struct want *w = ctx;

	w->same = nl == w->nl && vl == w->vl && memcmp(name, w->name, nl) == 0 &&
	    memcmp(val, w->val, vl) == 0;
	return 0;
}

static int
check_pair(void *ctx, const char *name, size_t nl, const char *val, size_t vl)
{
	struct buf b = BUF_INIT(1u << 20);
	struct want w = { name, val, nl, vl, 0 };
	const char *end = ctx;

	if (name + nl > end || val + vl > end)
		__builtin_trap();
	if (fcgi_nv_put(&b, name, nl, val, vl) == GW_OK &&
	    (fcgi_nv_parse(buf_cstr(&b), buf_len(&b), same, &w) != 0 || !w.same))
		__builtin_trap();
	buf_release(&b);
	return 0;
}

static int
count(void *ctx, const char *name, size_t nl, const char *val, size_t vl)
{
	(void)name, (void)val, (void)nl, (void)vl;
	(*(size_t *)ctx)++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0, n;
	struct fcgi_rec rec;
	struct buf out = BUF_INIT(1u << 20);
	long k;
	int role, flags;

	while (off < size && (k = fcgi_rec_parse(data + off, size - off, &rec)) > 0) {
		if (rec.content + rec.len > data + size)
			__builtin_trap();
		if (rec.type == FCGI_BEGIN_REQUEST)
			(void)fcgi_begin_parse(&rec, &role, &flags);
		if (rec.type == FCGI_PARAMS || rec.type == FCGI_GET_VALUES) {
			(void)fcgi_nv_parse(rec.content, rec.len, check_pair, (void *)(data + size));
			/* what parses re-encodes to records that parse the same */
			n = 0;
			if (fcgi_nv_parse(rec.content, rec.len, count, &n) == 0 &&
			    fcgi_put(&out, rec.type, rec.id, rec.content, rec.len) == GW_OK) {
				struct fcgi_rec again;
				if (fcgi_rec_parse(buf_cstr(&out), buf_len(&out), &again) <= 0 ||
				    again.len != rec.len || memcmp(again.content, rec.content, rec.len) != 0)
					__builtin_trap();
			}
			buf_reset(&out);
		}
		off += (size_t)k;
	}
	buf_release(&out);
	return 0;
}
