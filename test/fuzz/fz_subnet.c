/* test/fuzz/fz_subnet.c: libFuzzer target for the relay's client-IP subnet
 * matcher and the channel model-mapping reader. Input: "IP\nSUBNETS" (the
 * whole input is also tried as a mapping, the IP line as the model). */
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "arena.h"
#include "distribute.h"
#include "relay_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[4096], list[4200], *nl, *subnets;
	const char *ip, *m;
	struct arena a;
	int in;

	if (size >= sizeof(s))
		size = sizeof(s) - 1;
	memcpy(s, data, size);
	s[size] = '\0';
	size = strlen(s);

	/* the mapping first, while s is whole */
	arena_init(&a);
	nl = strchr(s, '\n');
	ip = nl ? "" : s;
	m = distribute_map_model(&a, s, nl ? "gpt-4" : s);
	if (m == NULL || (m != s && strcmp(m, "gpt-4") != 0 && *m == '\0'))
		__builtin_trap();
	arena_release(&a);

	subnets = "";
	if (nl != NULL) {
		*nl = '\0';
		ip = s;
		subnets = nl + 1;
	}
	in = relay_ip_in_subnets(ip, subnets);
	if (in != 0 && in != 1)
		__builtin_trap();
	/* adding entries to a list never loses a match */
	snprintf(list, sizeof(list), "300.1.1.1/8,%s", subnets);
	if (relay_ip_in_subnets(ip, list) != in)
		__builtin_trap();
	snprintf(list, sizeof(list), "%s, 0.0.0.0/0, ::/0", subnets);
	if (in && !relay_ip_in_subnets(ip, list))
		__builtin_trap();
	return 0;
}
