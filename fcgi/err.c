/* fcgi/err.c: texts and statuses of enum gw_err */
#include "err.h"

static const struct {
	const char *text;
	int status;
} errs[GW__MAX] = {
	[GW_OK] = { "ok", 200 },
	[GW_ENOMEM] = { "out of memory", 500 },
	[GW_ETOOBIG] = { "request entity too large", 413 },
	[GW_EINPUT] = { "invalid request", 400 },
	[GW_EAUTH] = { "unauthorized", 401 },
	[GW_EFORBIDDEN] = { "forbidden", 403 },
	[GW_ENOTFOUND] = { "not found", 404 },
	[GW_ECONFLICT] = { "already exists", 409 },
	[GW_EUPSTREAM] = { "upstream error", 502 },
	[GW_ETIMEOUT] = { "timeout", 504 },
	[GW_EDB] = { "database error", 500 },
	[GW_ECACHE] = { "cache error", 500 },
	[GW_EIO] = { "i/o error", 500 },
	[GW_ASYNC] = { "in progress", 200 },
	[GW_ELIMIT] = { "too many requests", 429 },
};

const char *
gw_strerror(int err)
{
	if (err < 0 || err >= GW__MAX)
		return "unknown error";
	return errs[err].text;
}

int
gw_http_status(int err)
{
	if (err < 0 || err >= GW__MAX)
		return 500;
	return errs[err].status;
}
