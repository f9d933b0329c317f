/* fcgi/err.h: the one error enum of the program, with its text and HTTP status */
#ifndef GW_ERR_H
#define GW_ERR_H

#define GW_WUR __attribute__((warn_unused_result))
#define GW_FMT(a, b) __attribute__((format(printf, a, b)))

enum gw_err {
	GW_OK = 0,
	GW_ENOMEM,	/* allocation failed */
	GW_ETOOBIG,	/* a capped buffer or body would grow past its cap */
	GW_EINPUT,	/* the caller sent something malformed */
	GW_EAUTH,	/* missing or bad credentials */
	GW_EFORBIDDEN,	/* authenticated, but not allowed */
	GW_ENOTFOUND,	/* no such object */
	GW_ECONFLICT,	/* unique key taken */
	GW_EUPSTREAM,	/* the upstream provider failed */
	GW_ETIMEOUT,
	GW_EDB,		/* the store failed */
	GW_ECACHE,
	GW_EIO,		/* client connection or file I/O */
	GW_ASYNC,	/* not an error: a handler finishes its request later (req_done) */
	GW_ELIMIT,	/* rate limited: try again later */
	GW__MAX
};

/* A fixed English text for an error code; never NULL. */
const char *gw_strerror(int err);
/* The HTTP status that best reports an error code (500 for the internal ones). */
int gw_http_status(int err);

#endif
