/* fcgi/jsonx.h: JSON request reading, typed field access, and the response
 * envelopes: One API's {success,message,data} and OpenAI's {error:{...}} */
#ifndef GW_JSONX_H
#define GW_JSONX_H

#include <stdint.h>
#include <jansson.h>
#include "http.h"

/* Serialise j (reference stolen) as the body, Content-Type application/json. */
int resp_json(struct req *r, int status, json_t *j);
/* {"success":true,"message":"","data":data}, HTTP 200. data is stolen and
 * may be NULL (then "data" is omitted). */
int api_ok(struct req *r, json_t *data);
/* {"success":true,"message":"","data":data,"total":total}: One API's list
 * envelope plus the maintained fork's "total". data is stolen. */
int api_ok_total(struct req *r, json_t *data, int64_t total);

#define API_PAGE_SIZE 10	/* One API's config.ItemsPerPage */

/* One API's paging from the query: p (0-based page) and the fork's size
 * (default API_PAGE_SIZE, at most MAX_ITEMS_PER_PAGE). */
void api_page(struct req *r, int64_t *offset, int64_t *limit);

/* {"success":false,"message":<msg>} with the given HTTP status (One API
 * answers most business errors with 200). */
int api_fail(struct req *r, int status, const char *fmt, ...) GW_FMT(3, 4);
/* {"error":{"message":"<msg> (request id: <id>)","type":type,"param":"","code":code}}
 * code NULL gives "". */
/* On a request whose route has a format (r->fmt, struct route_fmt) its
 * error encoder writes the body instead, e.g. Anthropic's shape on the
 * Claude routes. */
int oai_error(struct req *r, int status, const char *type, const char *code,
    const char *fmt, ...) GW_FMT(5, 6);

/* Parse n bytes as a JSON object (pure; fuzzed). On failure returns NULL
 * and writes a one-line reason into why. New reference. */
json_t *jx_parse_object(const char *p, size_t n, char *why, size_t whysz);
/* The same for the request body, kept in the request's arena (borrowed);
 * the tree of a body of TRIM_AFTER_BODY or more lives in memory of its own,
 * returned to the system when the request ends. */
json_t *jx_parse_body(struct req *r, char *why, size_t whysz);
/* Parse the request body as a JSON object. On failure writes a clear
 * api_fail (malformed JSON / not an object) and returns NULL. The object is
 * borrowed: the request's arena drops it. */
json_t *req_json_object(struct req *r);

/* Typed members. Each returns GW_OK (out set), GW_ENOTFOUND (absent or
 * null, out untouched) or GW_EINPUT (present with the wrong type). */
int jx_str(json_t *o, const char *key, const char **out) GW_WUR;
int jx_int(json_t *o, const char *key, int64_t *out) GW_WUR;	/* integral numbers only */
int jx_bool(json_t *o, const char *key, int *out) GW_WUR;
/* Borrow j into the request arena (json_decref at request end); returns j. */
json_t *req_keep(struct req *r, json_t *j);

#endif
