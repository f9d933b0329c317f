/* test/unit/t_cache.c: the in-process row cache: values, generations, TTL,
 * in-place updates, eviction, transactions, threads */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "t_core.h"
#include "t_mgmt.h"
#include "cache.h"

/* A configuration with CACHE_TTL_SEC = ttl (and SYNC_FREQUENCY = sync). */
static void
config(const char *ttl, const char *sync)
{
	struct cfg *c;

	unsetenv("SQL_DSN");
	setenv("SQLITE_PATH", "/tmp/t_cache-unused.db", 1);
	setenv("CACHE_TTL_SEC", ttl, 1);
	if (sync)
		setenv("SYNC_FREQUENCY", sync, 1);
	else
		unsetenv("SYNC_FREQUENCY");
	c = cfg_load(stderr);
	ck_assert_ptr_nonnull(c);
	if (cfg)
		cfg_free((struct cfg *)cfg);
	cfg = c;
	cache_clear();
}

static void
put3(enum cache_kind k, const char *key, int64_t a, int64_t b, const char *s0, const char *s1)
{
	const int64_t ints[] = { a, b };
	const char *strs[] = { s0, s1 };

	cache_put(k, key, strlen(key), cache_gen(k), ints, 2, strs, 2);
}

START_TEST(put_get_roundtrip)
{
	struct arena a;
	struct cache_rec r;
	const int64_t big[] = { INT64_MIN, -1, 0, INT64_MAX };
	const char *none[1] = { NULL };

	config("5", NULL);
	arena_init(&a);
	ck_assert_int_eq(cache_enabled(), 1);
	ck_assert_int_eq(cache_get(CACHE_TOKEN, "k1", 2, &a, &r), 0);
	put3(CACHE_TOKEN, "k1", 7, -3, "name", NULL);
	ck_assert_int_eq(cache_get(CACHE_TOKEN, "k1", 2, &a, &r), 1);
	ck_assert_uint_eq(r.ni, 2);
	ck_assert_uint_eq(r.ns, 2);
	ck_assert_int_eq(r.i[0], 7);
	ck_assert_int_eq(r.i[1], -3);
	ck_assert_str_eq(r.s[0], "name");
	ck_assert_ptr_null(r.s[1]);
	/* kinds are separate name spaces; keys are exact bytes */
	ck_assert_int_eq(cache_get(CACHE_USER, "k1", 2, &a, &r), 0);
	ck_assert_int_eq(cache_get(CACHE_TOKEN, "k1\0", 3, &a, &r), 0);
	ck_assert_int_eq(cache_get(CACHE_TOKEN, "k", 1, &a, &r), 0);
	/* a replacement wins; integers only, strings only, empty */
	put3(CACHE_TOKEN, "k1", 8, 9, "", "x");
	ck_assert_int_eq(cache_get(CACHE_TOKEN, "k1", 2, &a, &r), 1);
	ck_assert_int_eq(r.i[0], 8);
	ck_assert_str_eq(r.s[0], "");
	ck_assert_str_eq(r.s[1], "x");
	cache_put(CACHE_ABILITY, "g\0m", 3, cache_gen(CACHE_ABILITY), big, 4, NULL, 0);
	ck_assert_int_eq(cache_get(CACHE_ABILITY, "g\0m", 3, &a, &r), 1);
	ck_assert_uint_eq(r.ns, 0);
	ck_assert_int_eq(r.i[0], INT64_MIN);
	ck_assert_int_eq(r.i[3], INT64_MAX);
	cache_put(CACHE_ABILITY, "empty", 5, cache_gen(CACHE_ABILITY), NULL, 0, none, 1);
	ck_assert_int_eq(cache_get(CACHE_ABILITY, "empty", 5, &a, &r), 1);
	ck_assert_uint_eq(r.ni, 0);
	ck_assert_ptr_null(r.s[0]);
	cache_drop(CACHE_TOKEN, "k1", 2);
	ck_assert_int_eq(cache_get(CACHE_TOKEN, "k1", 2, &a, &r), 0);
	arena_release(&a);
}
END_TEST

START_TEST(copies_outlive_entries)
{
	struct arena a;
	struct cache_rec r;

	config("5", NULL);
	arena_init(&a);
	put3(CACHE_USER, "u", 1, 2, "alice", "default");
	ck_assert_int_eq(cache_get(CACHE_USER, "u", 1, &a, &r), 1);
	/* the caller's copy stays valid after the entry is replaced or dropped */
	put3(CACHE_USER, "u", 3, 4, "bob", "vip");
	cache_drop(CACHE_USER, "u", 1);
	ck_assert_str_eq(r.s[0], "alice");
	ck_assert_int_eq(r.i[1], 2);
	arena_release(&a);
}
END_TEST

START_TEST(generation_kills_entries_of_its_kind)
{
	struct arena a;
	struct cache_rec r;
	uint64_t g;

	config("5", NULL);
	arena_init(&a);
	put3(CACHE_TOKEN, "t", 1, 1, "x", "y");
	put3(CACHE_CHANNEL, "c", 1, 1, "x", "y");
	cache_bump(CACHE_F(CACHE_TOKEN));
	ck_assert_int_eq(cache_get(CACHE_TOKEN, "t", 1, &a, &r), 0);
	ck_assert_int_eq(cache_get(CACHE_CHANNEL, "c", 1, &a, &r), 1);
	/* a value read before a bump is never stored under the new generation */
	g = cache_gen(CACHE_CHANNEL);
	cache_bump(CACHE_F(CACHE_CHANNEL) | CACHE_F(CACHE_ABILITY));
	cache_put(CACHE_CHANNEL, "late", 4, g, NULL, 0, NULL, 0);
	ck_assert_int_eq(cache_get(CACHE_CHANNEL, "late", 4, &a, &r), 0);
	ck_assert_int_eq(cache_get(CACHE_CHANNEL, "c", 1, &a, &r), 0);
	arena_release(&a);
}
END_TEST

START_TEST(ttl_expires_and_zero_disables)
{
	struct arena a;
	struct cache_rec r;

	config("1", NULL);
	arena_init(&a);
	put3(CACHE_USER, "u", 1, 2, "a", "b");
	ck_assert_int_eq(cache_get(CACHE_USER, "u", 1, &a, &r), 1);
	usleep(1100000);
	ck_assert_int_eq(cache_get(CACHE_USER, "u", 1, &a, &r), 0);
	ck_assert_int_eq(cache_add_int(CACHE_USER, "u", 1, 0, 1), 0);

	/* SYNC_FREQUENCY caps the TTL */
	config("600", "1");
	put3(CACHE_USER, "u", 1, 2, "a", "b");
	ck_assert_int_eq(cache_get(CACHE_USER, "u", 1, &a, &r), 1);
	usleep(1100000);
	ck_assert_int_eq(cache_get(CACHE_USER, "u", 1, &a, &r), 0);

	config("0", NULL);
	ck_assert_int_eq(cache_enabled(), 0);
	put3(CACHE_USER, "u", 1, 2, "a", "b");
	ck_assert_int_eq(cache_get(CACHE_USER, "u", 1, &a, &r), 0);
	arena_release(&a);
}
END_TEST

START_TEST(integers_change_in_place)
{
	struct arena a;
	struct cache_rec r;

	config("5", NULL);
	arena_init(&a);
	put3(CACHE_USER, "u", 100, INT64_MAX - 1, "a", "b");
	ck_assert_int_eq(cache_add_int(CACHE_USER, "u", 1, 0, -30), 1);
	ck_assert_int_eq(cache_add_int(CACHE_USER, "u", 1, 1, 5), 1);	/* saturates */
	ck_assert_int_eq(cache_add_int(CACHE_USER, "u", 1, 2, 5), 0);	/* no such integer */
	ck_assert_int_eq(cache_add_int(CACHE_USER, "nobody", 6, 0, 5), 0);
	ck_assert_int_eq(cache_get(CACHE_USER, "u", 1, &a, &r), 1);
	ck_assert_int_eq(r.i[0], 70);
	ck_assert_int_eq(r.i[1], INT64_MAX);
	ck_assert_str_eq(r.s[1], "b");
	ck_assert_int_eq(cache_set_int(CACHE_USER, "u", 1, 0, -4), 1);
	ck_assert_int_eq(cache_get(CACHE_USER, "u", 1, &a, &r), 1);
	ck_assert_int_eq(r.i[0], -4);
	/* a dead entry is not updated */
	cache_bump(CACHE_F(CACHE_USER));
	ck_assert_int_eq(cache_set_int(CACHE_USER, "u", 1, 0, 1), 0);
	arena_release(&a);
}
END_TEST

START_TEST(full_table_evicts)
{
	struct arena a;
	struct cache_rec r;
	char key[32];
	int i, hits = 0;

	config("5", NULL);
	arena_init(&a);
	/* four times the capacity: every put succeeds, the newest are there */
	for (i = 0; i < 32768; i++) {
		int64_t v = i;
		snprintf(key, sizeof(key), "key-%d", i);
		cache_put(CACHE_TOKEN, key, strlen(key), cache_gen(CACHE_TOKEN), &v, 1, NULL, 0);
	}
	for (i = 32768 - 256; i < 32768; i++) {
		snprintf(key, sizeof(key), "key-%d", i);
		if (cache_get(CACHE_TOKEN, key, strlen(key), &a, &r) == 1) {
			ck_assert_int_eq(r.i[0], i);
			hits++;
		}
	}
	ck_assert_int_ge(hits, 200);
	/* a recently used entry survives newer puts into its set */
	put3(CACHE_USER, "hot", 1, 1, "a", "b");
	for (i = 0; i < 4096; i++) {
		int64_t v = i;
		ck_assert_int_eq(cache_get(CACHE_USER, "hot", 3, &a, &r), 1);
		snprintf(key, sizeof(key), "cold-%d", i);
		cache_put(CACHE_USER, key, strlen(key), cache_gen(CACHE_USER), &v, 1, NULL, 0);
	}
	arena_release(&a);
	cache_clear();
}
END_TEST

START_TEST(too_big_is_not_cached)
{
	struct arena a;
	struct cache_rec r;
	char *huge = malloc(CACHE_VALUE_MAX + 1);
	const char *strs[1] = { huge };

	config("5", NULL);
	arena_init(&a);
	memset(huge, 'x', CACHE_VALUE_MAX);
	huge[CACHE_VALUE_MAX] = '\0';
	cache_put(CACHE_CHANNEL, "big", 3, cache_gen(CACHE_CHANNEL), NULL, 0, strs, 1);
	ck_assert_int_eq(cache_get(CACHE_CHANNEL, "big", 3, &a, &r), 0);
	free(huge);
	arena_release(&a);
}
END_TEST

/* A write inside a transaction bumps when the transaction ends, not before. */
START_TEST(invalidate_waits_for_commit)
{
	struct db *db = t_mgmt_open();
	uint64_t g;

	ck_assert_ptr_nonnull(db);
	config("5", NULL);
	g = cache_gen(CACHE_TOKEN);
	cache_invalidate(db, CACHE_F(CACHE_TOKEN));
	ck_assert_uint_eq(cache_gen(CACHE_TOKEN), g + 1);	/* no transaction: now */
	ck_assert_int_eq(db_begin(db), GW_OK);
	g = cache_gen(CACHE_TOKEN);
	cache_invalidate(db, CACHE_F(CACHE_TOKEN) | CACHE_F(CACHE_USER));
	ck_assert_uint_eq(cache_gen(CACHE_TOKEN), g);
	ck_assert_int_eq(db_commit(db), GW_OK);
	ck_assert_uint_eq(cache_gen(CACHE_TOKEN), g + 1);
	/* a rollback bumps too, and once only */
	ck_assert_int_eq(db_begin(db), GW_OK);
	cache_invalidate(db, CACHE_F(CACHE_USER));
	g = cache_gen(CACHE_USER);
	db_rollback(db);
	ck_assert_uint_eq(cache_gen(CACHE_USER), g + 1);
	ck_assert_int_eq(db_begin(db), GW_OK);
	ck_assert_int_eq(db_commit(db), GW_OK);
	ck_assert_uint_eq(cache_gen(CACHE_USER), g + 1);
	t_mgmt_close(db);
}
END_TEST

/* Threads hammering the same keys: every hit is a whole, consistent value. */
static void *
hammer(void *arg)
{
	struct arena a;
	struct cache_rec r;
	char key[16];
	long id = (long)arg;
	int i, bad = 0;

	arena_init(&a);
	for (i = 0; i < 20000; i++) {
		int64_t v[2] = { i, -i };
		snprintf(key, sizeof(key), "k%d", i % 64);
		if (i % 3 == 0) {
			char s[24];
			const char *strs[1] = { s };
			snprintf(s, sizeof(s), "%d", i);
			cache_put(CACHE_TOKEN, key, strlen(key), cache_gen(CACHE_TOKEN), v, 2, strs, 1);
		} else if (cache_get(CACHE_TOKEN, key, strlen(key), &a, &r)) {
			if (r.ni != 2 || r.ns != 1 || r.i[0] != -r.i[1] || atoll(r.s[0]) != r.i[0])
				bad++;
		}
		if (i % 1000 == 0 && id == 0)
			cache_bump(CACHE_F(CACHE_TOKEN));
		if (i % 512 == 0) {
			arena_release(&a);
			arena_init(&a);
		}
	}
	arena_release(&a);
	return (void *)(long)bad;
}

START_TEST(threads_see_whole_values)
{
	pthread_t th[4];
	void *bad;
	long i;

	config("5", NULL);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, hammer, (void *)i), 0);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(th[i], &bad), 0);
		ck_assert_int_eq((long)bad, 0);
	}
	cache_clear();
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("cache");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, put_get_roundtrip);
	tcase_add_test(tc, copies_outlive_entries);
	tcase_add_test(tc, generation_kills_entries_of_its_kind);
	tcase_add_test(tc, ttl_expires_and_zero_disables);
	tcase_add_test(tc, integers_change_in_place);
	tcase_add_test(tc, full_table_evicts);
	tcase_add_test(tc, too_big_is_not_cached);
	tcase_add_test(tc, invalidate_waits_for_commit);
	tcase_add_test(tc, threads_see_whole_values);
	suite_add_tcase(s, tc);
	return s;
}

T_MAIN(suite)
