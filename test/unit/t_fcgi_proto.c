/* test/unit/t_fcgi_proto.c: FastCGI records as a web server sends them:
 * split anywhere, padded, with one- and four-byte name-value lengths */
#include <stdio.h>
#include <string.h>
#include "t_core.h"
#include "fcgi_proto.h"

struct pairs {
	char got[8][64];
	size_t n;
};

static int
collect(void *ctx, const char *name, size_t nl, const char *val, size_t vl)
{
	struct pairs *p = ctx;

	if (p->n < 8)
		snprintf(p->got[p->n++], 64, "%.*s=%.*s", (int)nl, name, (int)(vl > 40 ? 40 : vl), val);
	return 0;
}

START_TEST(records)
{
	struct buf b = BUF_INIT(1u << 20);
	struct fcgi_rec rec;
	size_t i;
	long k;

	ck_assert_int_eq(fcgi_put(&b, FCGI_STDIN, 258, "hello", 5), GW_OK);
	/* 8 header + 5 content + 3 padding */
	ck_assert_uint_eq(buf_len(&b), 16);
	ck_assert_int_eq((unsigned char)buf_cstr(&b)[6], 3);
	/* one byte short of the whole record: more is needed */
	for (i = 0; i < 16; i++)
		ck_assert_int_eq(fcgi_rec_parse(buf_cstr(&b), i, &rec), 0);
	k = fcgi_rec_parse(buf_cstr(&b), 16, &rec);
	ck_assert_int_eq(k, 16);
	ck_assert_int_eq(rec.type, FCGI_STDIN);
	ck_assert_uint_eq(rec.id, 258);
	ck_assert_uint_eq(rec.len, 5);
	ck_assert_int_eq(memcmp(rec.content, "hello", 5), 0);
	/* not version 1 */
	ck_assert_int_eq(fcgi_rec_parse("\2\5\0\1\0\0\0\0", 8, &rec), -1);
	/* a body larger than one record is split, each part parses */
	buf_reset(&b);
	{
		static char big[70000];
		memset(big, 'z', sizeof(big));
		ck_assert_int_eq(fcgi_put(&b, FCGI_STDOUT, 1, big, sizeof(big)), GW_OK);
		k = fcgi_rec_parse(buf_cstr(&b), buf_len(&b), &rec);
		ck_assert_int_eq(k, 8 + 65528);
		ck_assert_uint_eq(rec.len, 65528);
		k = fcgi_rec_parse(buf_cstr(&b) + k, buf_len(&b) - (size_t)k, &rec);
		ck_assert_uint_eq(rec.len, 70000 - 65528);
	}
	/* framing in place gives the same bytes as appending records */
	{
		static char big[140000], framed[150000];
		size_t sizes[] = { 1, 7, 8, 9, 65528, 65529, 131056, 140000 }, i2;
		for (i2 = 0; i2 < sizeof(sizes) / sizeof(sizes[0]); i2++) {
			memset(big, (int)('a' + i2), sizes[i2]);
			buf_reset(&b);
			ck_assert_int_eq(fcgi_put(&b, FCGI_STDOUT, 513, big, sizes[i2]), GW_OK);
			ck_assert_uint_eq(fcgi_frame_size(sizes[i2]), buf_len(&b));
			fcgi_frame(framed, FCGI_STDOUT, 513, big, sizes[i2]);
			ck_assert_int_eq(memcmp(framed, buf_cstr(&b), buf_len(&b)), 0);
		}
	}
	/* the end of a response: empty STDOUT, then END_REQUEST */
	buf_reset(&b);
	ck_assert_int_eq(fcgi_put_end(&b, 7, 0, FCGI_REQUEST_COMPLETE), GW_OK);
	ck_assert_uint_eq(buf_len(&b), 8 + 16);
	k = fcgi_rec_parse(buf_cstr(&b), buf_len(&b), &rec);
	ck_assert_int_eq(rec.type, FCGI_STDOUT);
	ck_assert_uint_eq(rec.len, 0);
	k = fcgi_rec_parse(buf_cstr(&b) + 8, buf_len(&b) - 8, &rec);
	ck_assert_int_eq(rec.type, FCGI_END_REQUEST);
	ck_assert_uint_eq(rec.len, 8);
	/* a refusal (multiplexing) has no STDOUT */
	buf_reset(&b);
	ck_assert_int_eq(fcgi_put_end(&b, 7, 0, FCGI_CANT_MPX_CONN), GW_OK);
	ck_assert_uint_eq(buf_len(&b), 16);
	ck_assert_int_eq(buf_cstr(&b)[8 + 4], FCGI_CANT_MPX_CONN);
	buf_release(&b);
}
END_TEST

START_TEST(name_values)
{
	struct buf b = BUF_INIT(1u << 20);
	struct pairs p;
	char long_val[300];

	memset(long_val, 'v', sizeof(long_val));
	ck_assert_int_eq(fcgi_nv_put(&b, "REQUEST_METHOD", 14, "POST", 4), GW_OK);
	/* a value of 300 bytes takes the four-byte length */
	ck_assert_int_eq(fcgi_nv_put(&b, "HTTP_X", 6, long_val, sizeof(long_val)), GW_OK);
	ck_assert_int_eq(fcgi_nv_put(&b, "EMPTY", 5, "", 0), GW_OK);
	ck_assert_uint_eq(buf_len(&b), 2 + 14 + 4 + 1 + 4 + 6 + 300 + 2 + 5);
	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(fcgi_nv_parse(buf_cstr(&b), buf_len(&b), collect, &p), 0);
	ck_assert_uint_eq(p.n, 3);
	ck_assert_str_eq(p.got[0], "REQUEST_METHOD=POST");
	ck_assert_uint_eq(strlen(p.got[1]), 7 + 40);
	ck_assert_str_eq(p.got[2], "EMPTY=");
	/* a length running past the end, by one byte */
	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(fcgi_nv_parse(buf_cstr(&b), buf_len(&b) - 1, collect, &p), -1);
	/* a four-byte length cut short */
	ck_assert_int_eq(fcgi_nv_parse("\x80\0", 2, collect, &p), -1);
	/* lengths near 2^31 cannot wrap the bounds check */
	ck_assert_int_eq(fcgi_nv_parse("\xff\xff\xff\xff\xff\xff\xff\xff", 8, collect, &p), -1);
	buf_release(&b);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("fcgi_proto");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, records);
	tcase_add_test(tc, name_values);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
