/* test/fuzz/fz_scrub.c: libFuzzer target for scrub_secret: the first line
 * is the key, the rest the upstream's text; after scrubbing, no run of
 * SCRUB_RUN_MIN key bytes is left and the length is unchanged */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "scrub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	char key[256], *text;
	size_t klen, tlen, i, j;

	if (nl == NULL || (klen = (size_t)(nl - data)) >= sizeof(key) || size > 1 << 16)
		return 0;
	memcpy(key, data, klen);
	key[klen] = '\0';
	klen = strlen(key);	/* a NUL in the key ends it */
	tlen = size - (size_t)(nl - data) - 1;
	if ((text = malloc(tlen + 1)) == NULL)
		return 0;
	memcpy(text, nl + 1, tlen);
	text[tlen] = '\0';
	(void)scrub_secret(text, tlen, key);
	for (i = 0; i + SCRUB_RUN_MIN <= tlen; i++)
		for (j = 0; j + SCRUB_RUN_MIN <= klen; j++)
			if (memcmp(text + i, key + j, SCRUB_RUN_MIN) == 0 &&
			    memchr(key + j, '*', SCRUB_RUN_MIN) == NULL)
				__builtin_trap();
	free(text);
	return 0;
}
