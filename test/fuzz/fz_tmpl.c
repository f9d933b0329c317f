/* test/fuzz/fz_tmpl.c: libFuzzer target for the template compiler and renderer.
 * Input: template text, a NUL byte, then a JSON context (optional). Every
 * partial name resolves to the template itself, so partial recursion,
 * nesting, the step budget and the output cap are all reachable. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct tmpl *
self(void *arg, const char *name)
{
	(void)name;
	return arg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	const char *nul = memchr(p, '\0', size);
	size_t tn = nul ? (size_t)(nul - p) : size;
	struct tmpl *t;
	struct buf out = BUF_INIT(1u << 20);
	json_t *ctx = NULL;
	char err[128];
	size_t i;

	if (nul)
		ctx = json_loadb(nul + 1, size - tn - 1, 0, NULL);
	if (tmpl_parse(p, tn, &t, err, sizeof(err)) == GW_OK) {
		if (tmpl_render(t, ctx, self, t, &out) == GW_OK) {
			/* escaped output of a template without raw tags has no quote
			 * or angle bracket that was not in the template text */
			if (memmem(p, tn, "{{{", 3) == NULL) {
				const char *s = buf_cstr(&out);
				for (i = 0; i < buf_len(&out); i++)
					if ((s[i] == '<' || s[i] == '"' || s[i] == '\'') &&
					    memchr(p, s[i], tn) == NULL)
						__builtin_trap();
			}
		}
		tmpl_free(t);
	} else if (err[0] == '\0') {
		__builtin_trap();	/* every failure says why */
	}
	buf_release(&out);
	json_decref(ctx);
	return 0;
}
