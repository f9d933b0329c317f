/* test/fuzz/fz_kv.c: libFuzzer target for the query-string/form and cookie parsers */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "kv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct kvlist l;
	size_t i;

	arena_init(&a);
	if (kv_parse_query(&a, (const char *)data, size, &l) == GW_OK)
		for (i = 0; i < l.n; i++)
			if (strlen(l.v[i].key) > size || strlen(l.v[i].val) > size)
				__builtin_trap();	/* decoding never grows */
	if (kv_parse_cookies(&a, (const char *)data, size, &l) == GW_OK)
		for (i = 0; i < l.n; i++)
			(void)kv_get(&l, l.v[i].key);
	arena_release(&a);
	return 0;
}
