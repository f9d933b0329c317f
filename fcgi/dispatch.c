/* fcgi/dispatch.c: route lookup, shared checks, error responses, access log */
#include <stdio.h>
#include <string.h>
#include "dispatch.h"
#include "auth.h"
#include "relay_auth.h"
#include "cfg.h"
#include "jsonx.h"
#include "log.h"
#include "options.h"
#include "caps.h"
#include "util.h"

int
route_match(const char *pat, const char *path, const char **pv, int *npv, struct arena *a)
{
	size_t pl = strlen(pat), ql = strlen(path);

	*npv = 0;
	/* a trailing slash is optional on both sides, as gin redirects it */
	while (pl > 1 && pat[pl - 1] == '/')
		pl--;
	while (ql > 1 && path[ql - 1] == '/')
		ql--;
	while (pl && ql) {
		const char *ps = memchr(pat, '/', pl), *qs = memchr(path, '/', ql);
		size_t pn, qn;

		if (*pat == '/' && *path == '/') {
			pat++, pl--, path++, ql--;
			continue;
		}
		if (*pat == '/' || *path == '/')
			return 0;
		pn = ps ? (size_t)(ps - pat) : pl;
		qn = qs ? (size_t)(qs - path) : ql;
		if (*pat == ':') {
			if (qn == 0 || *npv >= ROUTE_MAX_PARAMS)
				return 0;
			if ((pv[(*npv)++] = url_decode(a, path, qn, 0)) == NULL)
				return 0;
		} else if (pn != qn || memcmp(pat, path, pn) != 0)
			return 0;
		pat += pn, pl -= pn, path += qn, ql -= qn;
	}
	return pl == 0 && ql == 0;
}

/* A page error: status, reason and request id only, never the input. */
static void
html_error(struct req *r, int status)
{
	struct buf b = BUF_INIT(4096);

	if (buf_printf(&b, "<!doctype html><html><head><meta charset=\"utf-8\"><title>%d %s</title>"
	    "</head><body><h1>%d %s</h1><p>Request id: %s</p><p><a href=\"/\">Home</a></p>"
	    "</body></html>\n", status, http_reason(status), status, http_reason(status), r->id) == GW_OK)
		(void)resp_body(r, status, "text/html; charset=utf-8", buf_cstr(&b), buf_len(&b));
	buf_release(&b);
}

/* Error in the route's shape: the JSON envelope for /api, OpenAI's for the
 * relay, a page for the admin UI. */
static void
fail(struct req *r, unsigned flags, int status, const char *msg)
{
	if (flags & R_API)
		api_fail(r, status, "%s", msg);
	else if (flags & R_RELAY)
		oai_error(r, status, status == 404 || status == 405 ? "invalid_request_error" :
		    "one_api_error", NULL, "%s", msg);
	else
		html_error(r, status);
}

/* 404, or 405 with an Allow header naming the methods the path has. */
static void
not_found(struct req *r, const char *allow)
{
	char msg[512];
	int status = allow[0] ? 405 : 404;

	/* One API's message; path is cut so a long one cannot flood the body */
	snprintf(msg, sizeof(msg), "Invalid URL (%.16s %.300s)", r->method, r->path);
	resp_json(r, status, json_pack("{s:{s:s, s:s, s:s, s:s}}", "error", "message", msg,
	    "type", "invalid_request_error", "param", "", "code", ""));
	if (status == 405)
		resp_header(r, "Allow", allow);
}

/* The route for method + path. When only the method is wrong, allow gets
 * the methods the path does have ("GET, PUT"). */
static const struct route *
find_route(struct req *r, char *allow, size_t allowsz)
{
	const char *pv[ROUTE_MAX_PARAMS];
	size_t i, o = 0;
	int npv;

	allow[0] = '\0';
	for (i = 0; i < nroutes; i++) {
		const struct route *rt = &routes[i];
		if (!route_match(rt->pattern, r->path, pv, &npv, &r->arena))
			continue;
		if (strcmp(rt->method, r->method) != 0 &&
		    !(strcmp(r->method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0)) {
			if (strstr(allow, rt->method) == NULL && o + strlen(rt->method) + 3 < allowsz)
				o += (size_t)snprintf(allow + o, allowsz - o, "%s%s", o ? ", " : "",
				    rt->method);
			continue;
		}
		memcpy(r->pv, pv, sizeof(pv));
		r->npv = npv;
		return rt;
	}
	return NULL;
}

/* Split REQUEST_URI / PATH_INFO into path and query. */
static void
read_target(struct req *r)
{
	const char *pi = req_env(r, "PATH_INFO"), *uri = req_env(r, "REQUEST_URI");
	const char *q = req_env(r, "QUERY_STRING"), *qm;

	r->method = req_env(r, "REQUEST_METHOD");
	if (r->method == NULL || *r->method == '\0')
		r->method = "GET";
	r->remote_addr = req_env(r, "REMOTE_ADDR");
	if (r->remote_addr == NULL)
		r->remote_addr = "";
	if (pi && *pi)
		r->path = pi;
	else if (uri && *uri) {
		qm = strchr(uri, '?');
		r->path = qm ? arena_strndup(&r->arena, uri, (size_t)(qm - uri)) : uri;
		if ((q == NULL || *q == '\0') && qm)
			q = qm + 1;
	}
	if (r->path == NULL || *r->path == '\0')
		r->path = "/";
	r->query = q ? q : "";
}

/* The route and its caller, from the headers alone (before any body byte is
 * read): returns the body limit for the request, or -1 once an answer is
 * written (404, 405, 401, 403). Anonymous callers get a small limit. */
long
dispatch_admit(struct req *r)
{
	const struct route *rt;
	char allow[64];
	size_t cap = 0;

	r->admitted = 1;
	read_target(r);
	if ((rt = find_route(r, allow, sizeof(allow))) == NULL) {
		not_found(r, allow);
		return -1;
	}
	r->route = rt;
	r->fmt = rt->fmt;
	/* One API answers every origin (gin-contrib/cors AllowAllOrigins) */
	if (rt->flags & R_RELAY)
		resp_header(r, "Access-Control-Allow-Origin", "*");
	if (rt->min_role > 0 && auth_user(r, rt->min_role) != GW_OK)
		return -1;	/* auth_user wrote One API's answer */
	if (rt->flags & R_APIKEY) {
		if ((r->token = arena_calloc(&r->arena, sizeof(*r->token))) == NULL) {
			fail(r, rt->flags, 500, "out of memory");
			return -1;
		}
		if (relay_auth(r, r->token) != GW_OK)
			return -1;	/* relay_auth wrote the OpenAI-shaped error */
	}
	if (rt->flags & R_BODY) {
		cap = rt->body_max ? rt->body_max : (size_t)cfg->max_request_body_mb << 20;
		if (cap > (size_t)cfg->max_request_body_mb << 20)
			cap = (size_t)cfg->max_request_body_mb << 20;
		if (!r->authed && !(rt->flags & R_APIKEY) && cap > ANON_BODY_MAX)
			cap = ANON_BODY_MAX;
	}
	r->body_cap = cap;
	return (long)cap;
}

void
dispatch_refuse(struct req *r, int status, const char *msg)
{
	char allow[64];

	if (r->route == NULL) {
		read_target(r);
		r->route = find_route(r, allow, sizeof(allow));
		r->fmt = r->route ? r->route->fmt : NULL;
	}
	fail(r, r->route ? r->route->flags : R_RELAY, status, msg);
}

void
dispatch(struct req *r)
{
	const struct route *rt;
	char msg[128];
	int rc;

	if (!r->admitted && dispatch_admit(r) < 0)
		goto done;
	rt = r->route;
	if (rt->flags & R_BODY) {
		if (r->body_ready)
			rc = buf_len(&r->body) > r->body_cap ? GW_ETOOBIG : GW_OK;
		else
			rc = req_read_body(r, r->body_cap);
		if (rc == GW_ETOOBIG) {
			snprintf(msg, sizeof(msg), "request body too large: the limit is %zu bytes",
			    r->body_cap);
			fail(r, rt->flags, 413, msg);
			goto done;
		}
		if (rc != GW_OK) {
			fail(r, rt->flags, 400, "could not read the request body");
			goto done;
		}
	}
	/* options changed by another process show up within SYNC_FREQUENCY;
	 * between reloads this is one clock read under a read lock */
	options_maybe_reload(r->db);
	rc = rt->fn(r);
	if (rc == GW_ASYNC)
		return;		/* the handler calls req_done */
	if (rc != GW_OK && buf_len(&r->resp.body) == 0) {
		int st = gw_http_status(rc);
		fail(r, rt->flags, st, st >= 500 ? "internal error" : gw_strerror(rc));
	}
done:
	req_done(r);
}

void
req_done(struct req *r)
{
	if (!r->resp.streaming)
		(void)resp_send(r);
	log_info("req=%s %s %.200s %d %.1fms%s", r->id, r->method ? r->method : "-",
	    r->path ? r->path : "-", r->resp.status, (double)(mono_us() - r->t0_us) / 1000.0,
	    r->resp.failed || req_gone(r) ? " client-gone" : "");
	r->io->done(r->ioctx);
}
