/* fcgi/fcgi_proto.h: FastCGI 1.0 records, parsed and built without I/O, so
 * that one event loop can speak to many web-server connections at once
 * (libfcgi's streams block; see the README's architecture section). */
#ifndef GW_FCGI_PROTO_H
#define GW_FCGI_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"

enum fcgi_type {
	FCGI_BEGIN_REQUEST = 1,
	FCGI_ABORT_REQUEST = 2,
	FCGI_END_REQUEST = 3,
	FCGI_PARAMS = 4,
	FCGI_STDIN = 5,
	FCGI_STDOUT = 6,
	FCGI_STDERR = 7,
	FCGI_DATA = 8,
	FCGI_GET_VALUES = 9,
	FCGI_GET_VALUES_RESULT = 10,
	FCGI_UNKNOWN_TYPE = 11
};

#define FCGI_HEADER_LEN		8
#define FCGI_MAX_CONTENT	65535
#define FCGI_RESPONDER		1
#define FCGI_KEEP_CONN		1
/* END_REQUEST protocol status */
#define FCGI_REQUEST_COMPLETE	0
#define FCGI_CANT_MPX_CONN	1
#define FCGI_UNKNOWN_ROLE	3

struct fcgi_rec {
	int type;
	unsigned id;			/* request id, 0 for management records */
	const unsigned char *content;	/* points into the parsed bytes */
	size_t len;
};

/* One record from p[0..n): the bytes it takes (header, content, padding)
 * when it is all there, 0 when more bytes are needed, -1 when it is not a
 * FastCGI 1.0 record. */
long fcgi_rec_parse(const void *p, size_t n, struct fcgi_rec *rec);

/* BEGIN_REQUEST content: role and flags; -1 when malformed. */
int fcgi_begin_parse(const struct fcgi_rec *rec, int *role, int *flags);

/* Name-value pairs of a whole PARAMS (or GET_VALUES) stream: fn is called
 * for each; returns 0, -1 when malformed (a length past the end), or what
 * fn returned when non-zero. */
typedef int (*fcgi_nv_fn)(void *ctx, const char *name, size_t nlen, const char *val, size_t vlen);
int fcgi_nv_parse(const void *p, size_t n, fcgi_nv_fn fn, void *ctx);
/* Append one name-value pair in the wire encoding (tests, GET_VALUES_RESULT). */
int fcgi_nv_put(struct buf *b, const char *name, size_t nlen, const char *val, size_t vlen) GW_WUR;

/* Append records of type with id carrying p[0..n) (split at 65535 bytes;
 * n = 0 appends the empty record that ends a stream). */
int fcgi_put(struct buf *b, int type, unsigned id, const void *p, size_t n) GW_WUR;
/* Bytes fcgi_frame writes for n content bytes (headers and padding too). */
size_t fcgi_frame_size(size_t n);
/* Write the records of type/id carrying p[0..n) into out, which holds
 * fcgi_frame_size(n) bytes; n > 0. */
void fcgi_frame(char *out, int type, unsigned id, const void *p, size_t n);
/* Append the end of a response: the empty STDOUT and END_REQUEST. */
int fcgi_put_end(struct buf *b, unsigned id, uint32_t app_status, int proto_status) GW_WUR;

#endif
