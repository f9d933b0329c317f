/* test/fuzz/fz_ui.c: libFuzzer target for the admin pages' input helpers:
 * CSV export fields (the output must parse back to the input, and never
 * start a formula) and the redirect-target check (what passes must be a
 * same-site path). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "handlers/ui.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct buf b = BUF_INIT(1u << 20);
	const char *o;
	size_t n, i, j = 0;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (ui_csv_field(&b, s) == GW_OK) {
		o = buf_cstr(&b);
		n = buf_len(&b);
		if (n < 2 || o[0] != '"' || o[n - 1] != '"')
			abort();
		i = 1;
		if (strchr("=+-@\t\r", s[0]) && s[0] != '\0') {
			if (o[1] != '\'')
				abort();
			i = 2;
		}
		/* undo the quoting: doubled quotes only, and the text comes back */
		for (; i + 1 < n; i++, j++) {
			if (o[i] == '"' && o[++i] != '"')
				abort();
			if (o[i] != s[j])
				abort();
		}
		if (s[j] != '\0')
			abort();
	}
	buf_release(&b);
	if (ui_local_path(s) && (s[0] != '/' || s[1] == '/' || strchr(s, '\\') || strpbrk(s, " \r\n")))
		abort();
	free(s);
	return 0;
}
