/* test/unit/t_route.c: route patterns and the route table's order */
#include <string.h>
#include "t_core.h"
#include "dispatch.h"

static int
m(const char *pat, const char *path, const char **pv, int *npv, struct arena *a)
{
	return route_match(pat, path, pv, npv, a);
}

START_TEST(patterns)
{
	struct arena a;
	const char *pv[ROUTE_MAX_PARAMS];
	int n;

	arena_init(&a);
	ck_assert(m("/api/status", "/api/status", pv, &n, &a));
	ck_assert(m("/api/user/", "/api/user", pv, &n, &a));
	ck_assert(m("/api/user/", "/api/user/", pv, &n, &a));
	ck_assert(m("/api/status", "/api/status/", pv, &n, &a));
	ck_assert(!m("/api/status", "/api/statusx", pv, &n, &a));
	ck_assert(!m("/api/status", "/api", pv, &n, &a));
	ck_assert(!m("/api/user/:id", "/api/user", pv, &n, &a));
	ck_assert(!m("/api/user/:id", "/api/user/1/2", pv, &n, &a));
	ck_assert(m("/api/user/:id", "/api/user/42", pv, &n, &a));
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(pv[0], "42");
	ck_assert(m("/api/user/:id", "/api/user/a%2Fb", pv, &n, &a));
	ck_assert_str_eq(pv[0], "a/b");
	ck_assert(m("/", "/", pv, &n, &a));
	ck_assert(!m("/", "/x", pv, &n, &a));
	arena_release(&a);
}
END_TEST

/* Fixed paths must win over ":id" rows that come after them. */
START_TEST(table_order)
{
	struct arena a;
	const char *pv[ROUTE_MAX_PARAMS];
	const char *fixed[] = { "/api/user/search", "/api/user/self", "/api/channel/models",
		"/api/channel/search", "/api/token/search" };
	size_t i, k;
	int n;

	arena_init(&a);
	for (k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++) {
		for (i = 0; i < nroutes; i++)
			if (strcmp(routes[i].method, "GET") == 0 &&
			    m(routes[i].pattern, fixed[k], pv, &n, &a))
				break;
		ck_assert_uint_lt(i, nroutes);
		ck_assert_msg(strchr(routes[i].pattern, ':') == NULL, "%s matched %s", fixed[k],
		    routes[i].pattern);
	}
	/* every /api route is enveloped (but /api/v1/v1/messages, a Claude
	 * Code alias of the relay); every body route has its own cap but the
	 * relay's, which take MAX_REQUEST_BODY_MB (body_max 0) */
	for (i = 0; i < nroutes; i++) {
		if (strncmp(routes[i].pattern, "/api/", 5) == 0)
			ck_assert((routes[i].flags & R_API) ||
			    strcmp(routes[i].pattern, "/api/v1/v1/messages") == 0);
		if (routes[i].flags & R_BODY)
			ck_assert(routes[i].body_max > 0 || (routes[i].flags & R_RELAY));
		if (strncmp(routes[i].pattern, "/v1/", 4) == 0)
			ck_assert(routes[i].flags & R_RELAY);
	}
	arena_release(&a);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("route");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, patterns);
	tcase_add_test(tc, table_order);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
