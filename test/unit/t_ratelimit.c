/* test/unit/t_ratelimit.c: One API's sliding window at its edges, the failure delay, eviction */
#include <stdio.h>
#include "t_core.h"
#include "ratelimit.h"

#define WIN (20 * 60 * 1000LL)

START_TEST(window_edges)
{
	int64_t t0 = 1000000, retry = 0;
	int i;

	rl_reset();
	/* 20 in the window pass, the 21st is refused with the wait to the oldest's end */
	for (i = 0; i < 20; i++)
		ck_assert_int_eq(rl_allow("ip:10.0.0.1", 20, WIN, t0 + i, &retry), GW_OK);
	ck_assert_int_eq(rl_allow("ip:10.0.0.1", 20, WIN, t0 + 20, &retry), GW_ELIMIT);
	ck_assert_int_eq(retry, WIN - 20);
	/* a refused try is not counted: still refused 1 ms before the window ends */
	ck_assert_int_eq(rl_allow("ip:10.0.0.1", 20, WIN, t0 + WIN - 1, &retry), GW_ELIMIT);
	ck_assert_int_eq(retry, 1);
	/* another address is not affected */
	ck_assert_int_eq(rl_allow("ip:10.0.0.2", 20, WIN, t0 + 20, &retry), GW_OK);
	/* when the oldest is a window old, exactly one more passes */
	ck_assert_int_eq(rl_allow("ip:10.0.0.1", 20, WIN, t0 + WIN, &retry), GW_OK);
	ck_assert_int_eq(rl_allow("ip:10.0.0.1", 20, WIN, t0 + WIN, &retry), GW_ELIMIT);
	ck_assert_int_eq(rl_allow("ip:10.0.0.1", 20, WIN, t0 + WIN + 1, &retry), GW_OK);
	/* 0 = no limit */
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(rl_allow("ip:10.0.0.3", 0, WIN, t0, NULL), GW_OK);
}
END_TEST

START_TEST(failure_delay)
{
	int64_t t = 5000000, retry = 0;
	int i;

	rl_reset();
	for (i = 0; i < RL_FREE_FAILURES; i++) {
		ck_assert_int_eq(rl_fail_wait("user:bob", t, &retry), GW_OK);
		rl_fail_note("user:bob", t);
	}
	/* the 6th try right away waits 1 s */
	ck_assert_int_eq(rl_fail_wait("user:bob", t, &retry), GW_ELIMIT);
	ck_assert_int_eq(retry, 1000);
	ck_assert_int_eq(rl_fail_wait("user:bob", t + 1000, &retry), GW_OK);
	rl_fail_note("user:bob", t + 1000);
	/* then 2 s, 4 s ... */
	ck_assert_int_eq(rl_fail_wait("user:bob", t + 2999, &retry), GW_ELIMIT);
	ck_assert_int_eq(retry, 1);
	ck_assert_int_eq(rl_fail_wait("user:bob", t + 3000, &retry), GW_OK);
	for (i = 0; i < 20; i++)
		rl_fail_note("user:bob", t + 3000);
	/* capped */
	ck_assert_int_eq(rl_fail_wait("user:bob", t + 3000, &retry), GW_ELIMIT);
	ck_assert_int_eq(retry, RL_FAIL_DELAY_MAX_MS);
	/* other names are free; a success forgets */
	ck_assert_int_eq(rl_fail_wait("user:alice", t + 3000, &retry), GW_OK);
	rl_fail_clear("user:bob");
	ck_assert_int_eq(rl_fail_wait("user:bob", t + 3000, &retry), GW_OK);
	/* failures long ago are forgotten */
	for (i = 0; i < 10; i++)
		rl_fail_note("user:carol", t);
	ck_assert_int_eq(rl_fail_wait("user:carol", t + RL_FAIL_FORGET_MS + 1, &retry), GW_OK);
}
END_TEST

START_TEST(bounded_table)
{
	char key[64];
	int64_t t = 1, retry = 0;
	int i;

	rl_reset();
	ck_assert_int_eq(rl_allow("ip:victim", 1, WIN, t, &retry), GW_OK);
	/* a flood of other keys fits in a fixed table, evicting the least recent */
	for (i = 0; i < 20000; i++) {	/* 5 x the table; quick under ASan too */
		snprintf(key, sizeof(key), "ip:flood-%d", i);
		ck_assert_int_eq(rl_allow(key, 1, WIN, t + 1 + i, NULL), GW_OK);
	}
	/* a long key is cut, still one bucket */
	ck_assert_int_eq(rl_allow("ip:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    1, WIN, t, NULL), GW_OK);
	ck_assert_int_eq(rl_allow("ip:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
	    1, WIN, t, NULL), GW_ELIMIT);
	rl_reset();
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *tc = tcase_create("ratelimit");

	tcase_add_test(tc, window_edges);
	tcase_add_test(tc, failure_delay);
	tcase_add_test(tc, bounded_table);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
