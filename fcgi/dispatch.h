/* fcgi/dispatch.h: the route row and the dispatcher that runs every shared
 * check (method, body cap, auth) before a handler */
#ifndef GW_DISPATCH_H
#define GW_DISPATCH_H

#include <stddef.h>
#include "http.h"

/* Roles of One API users. */
enum role { ROLE_GUEST = 0, ROLE_COMMON = 1, ROLE_ADMIN = 10, ROLE_ROOT = 100 };

/* Route flags. */
#define R_API	0x01u	/* /api management route: {success,message} errors */
#define R_RELAY	0x02u	/* /v1 relay route: OpenAI-shaped errors; neither flag = an HTML page */
#define R_BODY	0x04u	/* reads a request body (capped by body_max) */
#define R_APIKEY 0x08u	/* API-key auth (relay_auth) before the handler: r->token */

#define BODY_API	(1u << 20)	/* management bodies: 1 MiB */
#define BODY_CFG	0		/* MAX_REQUEST_BODY_MB */

struct route {
	const char *method;
	const char *pattern;	/* "/api/user/:id": ":x" matches one segment */
	int (*fn)(struct req *r);
	int min_role;		/* 0 public; else the session/access-token user needs it */
	unsigned flags;
	size_t body_max;
	const struct route_fmt *fmt;	/* NULL: OpenAI's error shape on R_RELAY routes */
};

/* The table, in handlers/routes.c. First match wins. */
extern const struct route routes[];
extern const size_t nroutes;

/* Route and check the caller's credentials from the headers alone, before
 * the body is read: the body limit, or -1 once an answer is written (the
 * caller then ends the request with req_done). */
long dispatch_admit(struct req *r);
/* Serve one request: admission unless done, the body limit, the handler,
 * then req_done, unless the handler returned GW_ASYNC (it calls req_done
 * itself when its upstream exchange is over). */
void dispatch(struct req *r);
/* Answer with an error in the route's shape before the handler ran (body
 * too large, too slow); the route is looked up if need be. */
void dispatch_refuse(struct req *r, int status, const char *msg);
/* Send the buffered response (streams are already out), log one line, and
 * hand the request back to its transport. Any thread; r is gone after. */
void req_done(struct req *r);

/* Match path against pattern; fills pv/npv on success. Exposed for tests. */
int route_match(const char *pattern, const char *path, const char **pv, int *npv,
    struct arena *a);

#endif
