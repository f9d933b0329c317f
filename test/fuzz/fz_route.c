/* test/fuzz/fz_route.c: libFuzzer target for path matching against the route table */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "dispatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *pv[ROUTE_MAX_PARAMS];
	struct arena a;
	char path[2048];
	size_t i;
	int n;

	if (size >= sizeof(path))
		size = sizeof(path) - 1;
	memcpy(path, data, size);
	path[size] = '\0';
	arena_init(&a);
	for (i = 0; i < nroutes; i++)
		if (route_match(routes[i].pattern, path, pv, &n, &a) && n > ROUTE_MAX_PARAMS)
			__builtin_trap();
	arena_release(&a);
	return 0;
}
