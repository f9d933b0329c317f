/* test/fuzz/fz_session.c: libFuzzer target for the session cookie value
 * parser: nothing but a value we signed may ever verify */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cfg.h"
#include "session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cfg fcfg;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char v[512];
	int64_t uid, gen;

	if (cfg == NULL) {
		fcfg.session_secret = "fuzzing-secret-0123456789";
		fcfg.cookie_maxage_hours = 1;
		cfg = &fcfg;
		if (session_init(NULL) != GW_OK)
			abort();
	}
	if (size >= sizeof(v))
		size = sizeof(v) - 1;
	memcpy(v, data, size);
	v[size] = '\0';
	/* a forged value verifies only by guessing an HMAC-SHA256 */
	if (session_verify(v, &uid, &gen) == GW_OK)
		__builtin_trap();
	return 0;
}
