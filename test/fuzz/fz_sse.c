/* test/fuzz/fz_sse.c: libFuzzer target for the SSE parser; the first byte
 * picks the chunk size, so events split at arbitrary boundaries */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "sse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
on_event(void *ctx, const struct sse_event *ev)
{
	size_t *total = ctx;

	if (strlen(ev->data) > ev->len)
		__builtin_trap();
	*total += ev->len;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sse p;
	size_t step, i, total = 0;

	if (size < 1)
		return 0;
	step = (size_t)data[0] % 17 + 1;
	data++;
	size--;
	sse_init(&p);
	for (i = 0; i < size; i += step)
		if (sse_feed(&p, (const char *)data + i, i + step > size ? size - i : step, on_event, &total) != 0)
			break;
	(void)sse_finish(&p, on_event, &total);
	if (total > size)
		__builtin_trap();
	sse_release(&p);
	return 0;
}
