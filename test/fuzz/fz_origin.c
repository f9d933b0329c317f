/* test/fuzz/fz_origin.c: libFuzzer target for auth_origin_matches: value,
 * Host and SERVER_ADDRESS split at NUL bytes; a match must really name the
 * Host's authority or start with the address */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *v, *host, *own;
	const char *p;
	size_t ol;

	if ((buf = malloc(size + 3)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = buf[size + 2] = '\0';
	v = buf;
	host = v + strlen(v) + 1;
	own = host + strlen(host) + 1;
	/* a match needs a scheme, and the Host text or the address's prefix */
	if (auth_origin_matches(v, host[0] ? host : NULL, own[0] ? own : NULL)) {
		if ((p = strstr(v, "://")) == NULL)
			__builtin_trap();
		ol = strcspn(own, "?#");
		while (ol > 0 && own[ol - 1] == '/')
			ol--;
		if (!(host[0] && strncasecmp(p + 3, host, strlen(host)) == 0) &&
		    !(ol > 0 && strncasecmp(v, own, ol) == 0))
			__builtin_trap();
	}
	free(buf);
	return 0;
}
