/* fcgi/jsonx.c: JSON bodies in, JSON envelopes out */
#include <math.h>
#include <pthread.h>
#include <sys/mman.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jsonx.h"
#include "caps.h"
#include "cfg.h"
#include "log.h"
#include "util.h"

int
resp_json(struct req *r, int status, json_t *j)
{
	char *s;
	int rc;

	if (j == NULL)
		return GW_ENOMEM;
	s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(j);
	if (s == NULL)
		return GW_ENOMEM;
	rc = resp_body(r, status, "application/json; charset=utf-8", s, strlen(s));
	free(s);
	return rc;
}

int
api_ok(struct req *r, json_t *data)
{
	json_t *j = json_pack("{s:b, s:s}", "success", 1, "message", "");

	if (j && data)
		json_object_set_new(j, "data", data);
	else if (data)
		json_decref(data);
	return resp_json(r, 200, j);
}

int
api_ok_total(struct req *r, json_t *data, int64_t total)
{
	return resp_json(r, 200, json_pack("{s:b, s:s, s:o, s:I}", "success", 1, "message", "",
	    "data", data, "total", (json_int_t)(total < 0 ? 0 : total)));
}

void
api_page(struct req *r, int64_t *offset, int64_t *limit)
{
	int64_t p = req_query_int(r, "p", 0), size = req_query_int(r, "size", API_PAGE_SIZE);
	int64_t max = cfg && cfg->max_items_per_page > 0 ? cfg->max_items_per_page : 100;

	if (p < 0)
		p = 0;
	if (size <= 0)
		size = API_PAGE_SIZE;
	if (size > max)
		size = max;
	if (p > INT64_MAX / size)
		p = INT64_MAX / size;
	*offset = p * size;
	*limit = size;
}

int
api_fail(struct req *r, int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return resp_json(r, status, json_pack("{s:b, s:s}", "success", 0, "message", msg));
}

int
oai_error(struct req *r, int status, const char *type, const char *code, const char *fmt, ...)
{
	char msg[1024], full[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "%s (request id: %s)", msg, r->id);
	/* the message may hold a cut UTF-8 sequence (a long model name, a
	 * path that is not UTF-8), which json_pack's "s" refuses, and the
	 * error would be lost */
	str_utf8_fix(full);
	if (r->fmt && r->fmt->error)
		return resp_json(r, status, r->fmt->error(r, status, type, code, full));
	return resp_json(r, status, json_pack("{s:{s:s, s:s, s:s, s:s}}", "error",
	    "message", full, "type", type, "param", "", "code", code ? code : ""));
}

static void
decref(void *p)
{
	json_decref(p);
}

json_t *
req_keep(struct req *r, json_t *j)
{
	if (j)
		(void)arena_defer(&r->arena, decref, j);
	return j;
}

/*
 * A memory budget for parsing request bodies: a small JSON text can expand
 * twentyfold in jansson's objects (a 60 MB array of small numbers took
 * 1.25 GB), so the parse may allocate at most JSON_BUDGET_FACTOR bytes per
 * byte of input plus JSON_BUDGET_BASE. The count is per thread and only
 * while a parse runs; every other allocation goes straight to malloc.
 *
 * A large body's tree is allocated from a region of its own (one mmap,
 * the budget's size, pages taken as touched) and unmapped when the request
 * ends: its million small objects would otherwise stay behind in the
 * heap, which malloc_trim cannot shrink past a live chunk. Frees of region
 * memory are no-ops; the region list is only looked at while one exists.
 */
struct region {
	char *base;
	size_t size, used;
};

static _Thread_local size_t budget_left;
static _Thread_local int budget_on, budget_hit;
static _Thread_local struct region *tl_region;
static pthread_once_t budget_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t regions_mu = PTHREAD_MUTEX_INITIALIZER;
static struct region *regions[64];
static int nregions;

static void *
budget_malloc(size_t n)
{
	struct region *g = budget_on ? tl_region : NULL;
	size_t cost;

	if (g) {
		cost = (n + 15) & ~(size_t)15;
		if (cost < n || cost > g->size - g->used) {
			budget_hit = 1;
			return NULL;
		}
		g->used += cost;
		return g->base + g->used - cost;
	}
	if (budget_on) {
		cost = n + 16;	/* malloc's own header, roughly */
		if (cost > budget_left) {
			budget_hit = 1;
			return NULL;
		}
		budget_left -= cost;
	}
	return malloc(n);
}

static void
budget_free(void *p)
{
	int i;

	if (p && __atomic_load_n(&nregions, __ATOMIC_ACQUIRE) > 0) {
		pthread_mutex_lock(&regions_mu);
		for (i = 0; i < nregions; i++)
			if ((char *)p >= regions[i]->base && (char *)p < regions[i]->base + regions[i]->size)
				break;
		pthread_mutex_unlock(&regions_mu);
		if (i < nregions)
			return;	/* the region goes as a whole */
	}
	free(p);
}

static void
budget_init(void)
{
	json_set_alloc_funcs(budget_malloc, budget_free);
}

static void
region_drop(void *p)
{
	struct region *g = p;
	int i;

	pthread_mutex_lock(&regions_mu);
	for (i = 0; i < nregions; i++)
		if (regions[i] == g) {
			regions[i] = regions[--nregions];
			break;
		}
	pthread_mutex_unlock(&regions_mu);
	munmap(g->base, g->size);
	free(g);
}

/* A region for a parse of budget bytes, dropped with the arena (after the
 * tree, which is kept later and so released first); NULL: use the heap. */
static struct region *
region_new(struct arena *a, size_t budget)
{
	struct region *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return NULL;
	g->size = budget;
	g->base = mmap(NULL, budget, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
	    MAP_NORESERVE, -1, 0);
	if (g->base == MAP_FAILED) {
		free(g);
		return NULL;
	}
	pthread_mutex_lock(&regions_mu);
	if (nregions == (int)(sizeof(regions) / sizeof(regions[0]))) {
		pthread_mutex_unlock(&regions_mu);
		munmap(g->base, g->size);
		free(g);
		return NULL;
	}
	regions[nregions] = g;
	__atomic_store_n(&nregions, nregions + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&regions_mu);
	if (arena_defer(a, region_drop, g) != GW_OK)
		return NULL;	/* dropped at once by arena_defer */
	return g;
}

static json_t *
parse(const char *p, size_t n, struct arena *a, char *why, size_t whysz)
{
	size_t budget;
	json_error_t e;
	json_t *j;

	if (n == 0) {
		snprintf(why, whysz, "request body is empty, expected a JSON object");
		return NULL;
	}
	pthread_once(&budget_once, budget_init);
	budget = n > (SIZE_MAX - JSON_BUDGET_BASE) / JSON_BUDGET_FACTOR ? SIZE_MAX :
	    n * JSON_BUDGET_FACTOR + JSON_BUDGET_BASE;
	budget_left = budget;
	budget_hit = 0;
	tl_region = a && n >= TRIM_AFTER_BODY ? region_new(a, budget) : NULL;
	budget_on = 1;
	j = json_loadb(p, n, 0, &e);
	budget_on = 0;
	tl_region = NULL;
	if (j == NULL && budget_hit) {
		snprintf(why, whysz, "request body too complex: parsing it would take more than %zu MB",
		    budget >> 20);
		return NULL;
	}
	if (j == NULL) {
		snprintf(why, whysz, "malformed JSON at line %d column %d: %s", e.line, e.column, e.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		snprintf(why, whysz, "expected a JSON object");
		return NULL;
	}
	return j;
}

json_t *
jx_parse_object(const char *p, size_t n, char *why, size_t whysz)
{
	return parse(p, n, NULL, why, whysz);
}

json_t *
jx_parse_body(struct req *r, char *why, size_t whysz)
{
	return req_keep(r, parse(buf_cstr(&r->body), buf_len(&r->body), &r->arena, why, whysz));
}

json_t *
req_json_object(struct req *r)
{
	char why[300];
	json_t *j = jx_parse_body(r, why, sizeof(why));

	if (j == NULL)
		api_fail(r, 200, "无效的参数: %s", why);
	return j;
}

int
jx_str(json_t *o, const char *key, const char **out)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || json_is_null(v))
		return GW_ENOTFOUND;
	if (!json_is_string(v))
		return GW_EINPUT;
	*out = json_string_value(v);
	return GW_OK;
}

int
jx_int(json_t *o, const char *key, int64_t *out)
{
	json_t *v = json_object_get(o, key);
	double d;

	if (v == NULL || json_is_null(v))
		return GW_ENOTFOUND;
	if (json_is_integer(v)) {
		*out = (int64_t)json_integer_value(v);
		return GW_OK;
	}
	if (json_is_real(v)) {
		d = json_real_value(v);
		/* 1e3 and 100.0 are whole numbers too; 1.5 is not */
		if (d != floor(d) || d < -9.2e18 || d > 9.2e18)
			return GW_EINPUT;
		*out = (int64_t)d;
		return GW_OK;
	}
	return GW_EINPUT;
}

int
jx_bool(json_t *o, const char *key, int *out)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || json_is_null(v))
		return GW_ENOTFOUND;
	if (!json_is_boolean(v))
		return GW_EINPUT;
	*out = json_is_true(v);
	return GW_OK;
}
