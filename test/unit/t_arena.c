/* test/unit/t_arena.c: arena allocation, alignment, big blocks, deferred cleanup */
#include <stdint.h>
#include <string.h>
#include "t_core.h"
#include "arena.h"

static int ran;
static void bump(void *p) { ran += *(int *)p; }

START_TEST(alloc_align_and_release)
{
	struct arena a;
	int i, one = 1;
	char *big, *s;

	arena_init(&a);
	for (i = 0; i < 5000; i++) {
		void *p = arena_alloc(&a, (size_t)(i % 37) + 1);
		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq((uintptr_t)p % 16, 0);
		memset(p, 0xAB, (size_t)(i % 37) + 1);
	}
	big = arena_alloc(&a, 100000);
	ck_assert_ptr_nonnull(big);
	memset(big, 1, 100000);
	s = arena_printf(&a, "%s-%d", "x", 7);
	ck_assert_str_eq(s, "x-7");
	ck_assert_str_eq(arena_strndup(&a, "hello", 4), "hell");
	ck_assert_ptr_null(arena_strdup(&a, NULL));
	ck_assert_int_eq(arena_defer(&a, bump, &one), GW_OK);
	ck_assert_int_eq(arena_defer(&a, bump, &one), GW_OK);
	ran = 0;
	arena_release(&a);
	ck_assert_int_eq(ran, 2);
	ck_assert_uint_eq(a.used, 0);
	/* reusable after release */
	ck_assert_ptr_nonnull(arena_calloc(&a, 10));
	arena_release(&a);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("arena");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, alloc_align_and_release);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
