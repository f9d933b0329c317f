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
#define R_CLAUDE 0x10u	/* Claude Messages route: oai_error answers in Anthropic's error shape */

#define BODY_API	(1u << 20)	/* management bodies: 1 MiB */
#define BODY_CFG	0		/* MAX_REQUEST_BODY_MB */

struct route {
	const char *method;
	const char *pattern;	/* "/api/user/:id": ":x" matches one segment */
	int (*fn)(struct req *r);
	int min_role;		/* 0 public; else the session/access-token user needs it */
	unsigned flags;
	size_t body_max;
};

/* The table, in handlers/routes.c. First match wins. */
extern const struct route routes[];
extern const size_t nroutes;

/* Serve one request end to end: match, check, run the handler, send the
 * response and log one line. Never exits. */
void dispatch(struct req *r);

/* Match path against pattern; fills pv/npv on success. Exposed for tests. */
int route_match(const char *pattern, const char *path, const char **pv, int *npv,
    struct arena *a);

#endif
