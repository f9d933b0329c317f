/* test/fuzz/fz_json.c: libFuzzer target for the JSON body reader and typed getters */
#include <stddef.h>
#include <stdint.h>
#include "jsonx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[300];
	json_t *o = jx_parse_object((const char *)data, size, why, sizeof(why));
	const char *key, *s;
	json_t *v;
	int64_t i;
	int b;

	if (o == NULL)
		return 0;
	json_object_foreach(o, key, v) {
		(void)jx_str(o, key, &s);
		(void)jx_int(o, key, &i);
		(void)jx_bool(o, key, &b);
	}
	json_decref(o);
	return 0;
}
