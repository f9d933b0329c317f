/* fcgi/buf.h: one growable byte buffer with a hard cap, used everywhere */
#ifndef GW_BUF_H
#define GW_BUF_H

#include <stddef.h>
#include <stdarg.h>
#include "err.h"

/* Caps, in one place. */
#define BUF_MAX_API_BODY	(1u << 20)	/* management API request bodies */
#define BUF_MAX_RESPONSE	(64u << 20)	/* one rendered response */
#define BUF_MAX_HEADERS		(64u << 10)	/* response headers */
#define BUF_MAX_SMALL		(16u << 10)	/* log lines, cookies, keys */

/* Fields are private: use the functions. The data is always NUL-terminated
 * once anything was added, and buf_cstr() never returns NULL. */
struct buf {
	char *p;
	size_t len;
	size_t cap;
	size_t max;
};

#define BUF_INIT(m) { NULL, 0, 0, (m) }

/* Set up an empty buffer that may hold at most max bytes. No allocation. */
void buf_init(struct buf *b, size_t max);
/* Append n bytes. On GW_ETOOBIG or GW_ENOMEM the buffer is freed (empty). */
int buf_add(struct buf *b, const void *p, size_t n) GW_WUR;
int buf_adds(struct buf *b, const char *s) GW_WUR;
int buf_addc(struct buf *b, char c) GW_WUR;
int buf_printf(struct buf *b, const char *fmt, ...) GW_WUR GW_FMT(2, 3);
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) GW_WUR GW_FMT(2, 0);
/* The contents as a C string ("" when empty); valid until the next change. */
const char *buf_cstr(const struct buf *b);
size_t buf_len(const struct buf *b);
/* Forget the contents, keep the memory. */
void buf_reset(struct buf *b);
/* Forget the contents; free the memory too when it is more than keep
 * bytes (a buffer that once held a large answer does not stay large). */
void buf_trim(struct buf *b, size_t keep);
/* Free the contents; the buffer is empty and reusable with the same cap. */
void buf_release(struct buf *b);
/* Hand the bytes to the caller, who frees them with free(); the buffer is
 * left empty. Returns NULL when empty. *len may be NULL. */
char *buf_take(struct buf *b, size_t *len);

#endif
