/* fcgi/ratelimit.c: sliding-window limits and failure delays, in a bounded
 * set-associative table (least recently used entry evicted) */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "ratelimit.h"
#include "util.h"

#define RL_SETS	1024	/* power of two */
#define RL_WAYS	4	/* 4096 keys; a set's least recently used one goes first */

struct rl_entry {
	char key[RL_KEY_MAX];	/* "" = free */
	int64_t used;		/* last touch, ms: the eviction order */
	int64_t *ring;		/* event times, oldest at head; cap of them */
	int cap, n, head;
	int fails;		/* wrong passwords in a row */
	int64_t last_fail;
};

static struct rl_entry table[RL_SETS][RL_WAYS];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t seed_once = PTHREAD_ONCE_INIT;
static uint64_t seed;

/* A secret seed, so nobody can choose keys that share one set. */
static void
seed_init(void)
{
	if (rand_bytes(&seed, sizeof(seed)) != GW_OK)
		seed = (uint64_t)mono_us();
}

/* FNV-1a over the seed and the key. */
static uint64_t
hash(const char *k)
{
	uint64_t h = 1469598103934665603ULL ^ seed;

	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ULL;
	return h ^ (h >> 29);
}

static void
entry_reset(struct rl_entry *e)
{
	free(e->ring);
	memset(e, 0, sizeof(*e));
}

/* The entry of key (cut to RL_KEY_MAX - 1 bytes), claimed when create is
 * set, else NULL when absent. Called with mu held. */
static struct rl_entry *
find(const char *key, int create, int64_t now)
{
	char k[RL_KEY_MAX];
	struct rl_entry *set, *victim;
	size_t len = strlen(key);
	int i;

	if (len >= sizeof(k))
		len = sizeof(k) - 1;
	memcpy(k, key, len);
	k[len] = '\0';
	set = table[hash(k) & (RL_SETS - 1)];
	victim = &set[0];
	for (i = 0; i < RL_WAYS; i++) {
		if (set[i].key[0] != '\0' && strcmp(set[i].key, k) == 0) {
			set[i].used = now;
			return &set[i];
		}
		if (set[i].key[0] == '\0' || (victim->key[0] != '\0' && set[i].used < victim->used))
			victim = &set[i];
	}
	if (!create)
		return NULL;
	entry_reset(victim);
	memcpy(victim->key, k, len + 1);
	victim->used = now;
	return victim;
}

int
rl_allow(const char *key, int max, int64_t window_ms, int64_t now_ms, int64_t *retry_ms)
{
	struct rl_entry *e;
	int64_t oldest;
	int rc = GW_OK;

	if (max <= 0)
		return GW_OK;
	if (max > RL_EVENTS_MAX)
		max = RL_EVENTS_MAX;
	pthread_once(&seed_once, seed_init);
	pthread_mutex_lock(&mu);
	if ((e = find(key, 1, now_ms)) == NULL)
		goto out;
	if (e->cap != max) {
		free(e->ring);
		e->n = e->head = 0;
		/* no memory: let the request through rather than lock everyone out */
		if ((e->ring = calloc((size_t)max, sizeof(*e->ring))) == NULL) {
			e->cap = 0;
			goto out;
		}
		e->cap = max;
	}
	if (e->n < e->cap) {
		e->ring[(e->head + e->n++) % e->cap] = now_ms;
		goto out;
	}
	oldest = e->ring[e->head];
	if (now_ms - oldest >= window_ms) {
		e->ring[e->head] = now_ms;
		e->head = (e->head + 1) % e->cap;
		goto out;
	}
	rc = GW_ELIMIT;
	if (retry_ms)
		*retry_ms = oldest + window_ms - now_ms;
out:
	pthread_mutex_unlock(&mu);
	return rc;
}

/* The wait after the last failure once n failures are in a row. */
static int64_t
fail_delay(int n)
{
	int shift = n - RL_FREE_FAILURES;

	if (shift < 0)
		return 0;
	if (shift > 16)
		shift = 16;
	return (1000LL << shift) < RL_FAIL_DELAY_MAX_MS ? 1000LL << shift : RL_FAIL_DELAY_MAX_MS;
}

int
rl_fail_wait(const char *key, int64_t now_ms, int64_t *retry_ms)
{
	struct rl_entry *e;
	int64_t until;
	int rc = GW_OK;

	pthread_once(&seed_once, seed_init);
	pthread_mutex_lock(&mu);
	e = find(key, 0, now_ms);
	if (e == NULL || e->fails == 0 || now_ms - e->last_fail > RL_FAIL_FORGET_MS)
		goto out;
	until = e->last_fail + fail_delay(e->fails);
	if (now_ms < until) {
		rc = GW_ELIMIT;
		if (retry_ms)
			*retry_ms = until - now_ms;
	}
out:
	pthread_mutex_unlock(&mu);
	return rc;
}

void
rl_fail_note(const char *key, int64_t now_ms)
{
	struct rl_entry *e;

	pthread_once(&seed_once, seed_init);
	pthread_mutex_lock(&mu);
	if ((e = find(key, 1, now_ms)) != NULL) {
		if (now_ms - e->last_fail > RL_FAIL_FORGET_MS)
			e->fails = 0;
		if (e->fails < 1000)
			e->fails++;
		e->last_fail = now_ms;
	}
	pthread_mutex_unlock(&mu);
}

void
rl_fail_clear(const char *key)
{
	struct rl_entry *e;

	pthread_once(&seed_once, seed_init);
	pthread_mutex_lock(&mu);
	if ((e = find(key, 0, now_ms())) != NULL)
		e->fails = 0;
	pthread_mutex_unlock(&mu);
}

void
rl_reset(void)
{
	int i, j;

	pthread_mutex_lock(&mu);
	for (i = 0; i < RL_SETS; i++)
		for (j = 0; j < RL_WAYS; j++)
			entry_reset(&table[i][j]);
	pthread_mutex_unlock(&mu);
}
