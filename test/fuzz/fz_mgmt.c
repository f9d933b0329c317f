/* test/fuzz/fz_mgmt.c: libFuzzer target for the management API's small
 * parsers: channel key lines, token subnet lists, option values */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "channels.h"
#include "options.h"
#include "tokens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Option keys whose values are parsed: booleans, numbers, JSON maps. */
static const char *const keys[] = { "RegisterEnabled", "QuotaForNewUser", "GroupRatio",
	"ModelRatio", "CompletionRatio", "Theme", "RetryTimes", "QuotaPerUnit" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[4096];
	const char *p, *k, *why;
	size_t len, total = 0;

	if (size < 1)
		return 0;
	if (size >= sizeof(s))
		size = sizeof(s) - 1;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	p = s;
	while ((k = channel_next_key(&p, &len)) != NULL) {
		if (len == 0 || k < s || k + len > s + size)
			__builtin_trap();
		total += len;
	}
	if (total > size)
		__builtin_trap();
	(void)token_subnets_valid(s);
	(void)token_validate(s, s, &why);
	(void)option_check(keys[data[0] % (sizeof(keys) / sizeof(keys[0]))], s, &why);
	return 0;
}
