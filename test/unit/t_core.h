/* test/unit/t_core.h: a main() for Check suites: run one suite, exit non-zero on failure */
#ifndef T_CORE_H
#define T_CORE_H

#include <check.h>
#include <stdlib.h>

#define T_MAIN(suite_fn) \
	int main(void) \
	{ \
		SRunner *sr = srunner_create(suite_fn()); \
		int nf; \
		srunner_run_all(sr, CK_NORMAL); \
		nf = srunner_ntests_failed(sr); \
		srunner_free(sr); \
		return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE; \
	}

#endif
