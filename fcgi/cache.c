/* fcgi/cache.c: a small fixed-size, set-associative hash table of database
 * rows, striped mutexes, generation counters and a TTL */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "cache.h"
#include "cfg.h"
#include "util.h"

/*
 * 2048 sets of 4 ways: 8192 entries, about 400 KiB of slots at most, enough
 * for the tokens, users and channel lists a busy process uses within a TTL.
 * A full set evicts a dead entry first, else the least recently used one.
 * Each stripe's mutex guards the sets whose index is equal modulo
 * CACHE_STRIPES; critical sections are a hash probe and one memcpy.
 */
#define CACHE_SETS 2048
#define CACHE_WAYS 4
#define CACHE_STRIPES 64

struct slot {
	unsigned char *mem;	/* key bytes, padding to 8, value; NULL = empty */
	uint64_t hash;
	uint64_t gen;		/* the kind's generation it was read under */
	int64_t expires_us;	/* monotonic */
	uint64_t used;		/* stripe clock at last use */
	uint32_t klen, vlen;
	unsigned char kind;
};

struct stripe {
	pthread_mutex_t mu;
	uint64_t clock;
	char pad[64 - sizeof(uint64_t)];	/* keep hot stripes apart */
};

static struct slot table[CACHE_SETS][CACHE_WAYS];
static struct stripe stripes[CACHE_STRIPES];
static pthread_once_t stripes_once = PTHREAD_ONCE_INIT;
static _Atomic uint64_t gens[CACHE__MAX];

static void
stripes_init(void)
{
	size_t i;

	for (i = 0; i < CACHE_STRIPES; i++)
		pthread_mutex_init(&stripes[i].mu, NULL);
}

/* The TTL in µs: CACHE_TTL_SEC capped by SYNC_FREQUENCY (One API's own
 * cache lives SYNC_FREQUENCY); 0 when off or not configured. */
static int64_t
ttl_us(void)
{
	int64_t s;

	if (cfg == NULL)
		return 0;
	s = cfg->cache_ttl_sec;
	if (cfg->sync_frequency > 0 && s > cfg->sync_frequency)
		s = cfg->sync_frequency;
	return s > 0 ? s * 1000000 : 0;
}

int
cache_enabled(void)
{
	return ttl_us() > 0;
}

uint64_t
cache_gen(enum cache_kind k)
{
	return atomic_load_explicit(&gens[k], memory_order_acquire);
}

void
cache_bump(unsigned kinds)
{
	int k;

	for (k = 0; k < CACHE__MAX; k++)
		if (kinds & CACHE_F(k))
			atomic_fetch_add_explicit(&gens[k], 1, memory_order_acq_rel);
}

/* FNV-1a over the kind and the key, then a 64-bit finalizer (murmur3's
 * fmix64): FNV alone spreads keys that differ in their last bytes badly
 * over the sets. */
static uint64_t
hash_of(enum cache_kind k, const void *key, size_t klen)
{
	const unsigned char *p = key;
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	h = (h ^ (unsigned char)k) * 1099511628211ULL;
	for (i = 0; i < klen; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static size_t
koff_value(uint32_t klen)
{
	return ((size_t)klen + 7) & ~(size_t)7;
}

static int
slot_live(const struct slot *s, int64_t now)
{
	return s->mem != NULL && s->gen == cache_gen((enum cache_kind)s->kind) && now < s->expires_us;
}

/* Entries hold channel keys: wiped before they are freed. */
static void
slot_free(struct slot *s)
{
	if (s->mem == NULL)
		return;
	explicit_bzero(s->mem, koff_value(s->klen) + s->vlen);
	free(s->mem);
	s->mem = NULL;
}

/* The set and stripe of a hash; locks the stripe. */
static struct slot *
lock_set(uint64_t h, struct stripe **st)
{
	size_t set = (size_t)(h >> 17) % CACHE_SETS;

	pthread_once(&stripes_once, stripes_init);
	*st = &stripes[set % CACHE_STRIPES];
	pthread_mutex_lock(&(*st)->mu);
	return table[set];
}

/* The live slot of key in set, or NULL; a dead slot with the key is freed. */
static struct slot *
find(struct slot *set, enum cache_kind k, uint64_t h, const void *key, size_t klen, int64_t now)
{
	int w;

	for (w = 0; w < CACHE_WAYS; w++) {
		struct slot *s = &set[w];
		if (s->mem == NULL || s->hash != h || s->kind != k || s->klen != klen ||
		    memcmp(s->mem, key, klen) != 0)
			continue;
		if (slot_live(s, now))
			return s;
		slot_free(s);
		return NULL;
	}
	return NULL;
}

/*
 * Value layout (8-byte aligned): uint32 ni, uint32 ns, int64 ints[ni],
 * uint32 lens[ns] (UINT32_MAX = NULL), then each string's bytes and a NUL.
 */
#define NULL_LEN UINT32_MAX

int
cache_get(enum cache_kind k, const void *key, size_t klen, struct arena *a, struct cache_rec *out)
{
	struct stripe *st;
	struct slot *set, *s;
	unsigned char *v = NULL;
	const char **strs;
	const uint32_t *lens;
	const char *p;
	uint32_t ni, ns, i;
	int64_t now;
	uint64_t h;

	memset(out, 0, sizeof(*out));
	if (!cache_enabled() || (uint64_t)klen > UINT32_MAX)
		return 0;
	now = mono_us();
	h = hash_of(k, key, klen);
	set = lock_set(h, &st);
	s = find(set, k, h, key, klen, now);
	if (s != NULL && (v = arena_alloc(a, s->vlen)) != NULL) {
		memcpy(v, s->mem + koff_value(s->klen), s->vlen);
		s->used = ++st->clock;
	}
	pthread_mutex_unlock(&st->mu);
	if (v == NULL)
		return 0;
	/* the arena copy is 16-aligned: the integers are read in place */
	memcpy(&ni, v, 4);
	memcpy(&ns, v + 4, 4);
	lens = (const uint32_t *)(v + 8 + 8 * (size_t)ni);
	if ((strs = arena_alloc(a, (ns ? ns : 1) * sizeof(*strs))) == NULL)
		return 0;
	p = (const char *)(lens + ns);
	for (i = 0; i < ns; i++) {
		if (lens[i] == NULL_LEN) {
			strs[i] = NULL;
			continue;
		}
		strs[i] = p;
		p += lens[i] + 1;
	}
	out->i = (const int64_t *)(v + 8);
	out->ni = ni;
	out->s = strs;
	out->ns = ns;
	return 1;
}

void
cache_put(enum cache_kind k, const void *key, size_t klen, uint64_t gen,
    const int64_t *ints, size_t ni, const char *const *strs, size_t ns)
{
	struct stripe *st;
	struct slot *set, *s, *victim = NULL;
	unsigned char *mem, *v;
	size_t vlen, i, off;
	uint32_t n32, len;
	int64_t now, ttl = ttl_us();
	uint64_t h;
	int w;

	if (ttl == 0 || gen != cache_gen(k) || klen > CACHE_VALUE_MAX || ni > CACHE_VALUE_MAX / 8 ||
	    ns > CACHE_VALUE_MAX / 4)
		return;
	vlen = 8 + 8 * ni + 4 * ns;
	for (i = 0; i < ns; i++)
		if (strs[i] != NULL && (vlen += strlen(strs[i]) + 1) > CACHE_VALUE_MAX)
			return;
	if (vlen > CACHE_VALUE_MAX)
		return;
	/* build the entry outside the lock */
	off = koff_value((uint32_t)klen);
	if ((mem = malloc(off + vlen)) == NULL)
		return;
	memcpy(mem, key, klen);
	v = mem + off;
	n32 = (uint32_t)ni;
	memcpy(v, &n32, 4);
	n32 = (uint32_t)ns;
	memcpy(v + 4, &n32, 4);
	if (ni)
		memcpy(v + 8, ints, 8 * ni);
	off = 8 + 8 * ni + 4 * ns;
	for (i = 0; i < ns; i++) {
		if (strs[i] == NULL) {
			len = NULL_LEN;
		} else {
			len = (uint32_t)strlen(strs[i]);
			memcpy(v + off, strs[i], (size_t)len + 1);
			off += (size_t)len + 1;
		}
		memcpy(v + 8 + 8 * ni + 4 * i, &len, 4);
	}

	now = mono_us();
	h = hash_of(k, key, klen);
	set = lock_set(h, &st);
	/* the same key, else an empty or dead way, else the least recently used */
	for (w = 0; w < CACHE_WAYS && victim == NULL; w++) {
		s = &set[w];
		if (s->mem && s->hash == h && s->kind == k && s->klen == klen &&
		    memcmp(s->mem, key, klen) == 0)
			victim = s;
	}
	for (w = 0; w < CACHE_WAYS && victim == NULL; w++)
		if (!slot_live(&set[w], now))
			victim = &set[w];
	if (victim == NULL) {
		victim = &set[0];
		for (w = 1; w < CACHE_WAYS; w++)
			if (set[w].used < victim->used)
				victim = &set[w];
	}
	slot_free(victim);
	victim->mem = mem;
	victim->hash = h;
	victim->gen = gen;
	victim->expires_us = now + ttl;
	victim->used = ++st->clock;
	victim->klen = (uint32_t)klen;
	victim->vlen = (uint32_t)vlen;
	victim->kind = (unsigned char)k;
	pthread_mutex_unlock(&st->mu);
}

/* Apply op to integer idx of key's live entry; 1 when there was one. */
static int
update_int(enum cache_kind k, const void *key, size_t klen, size_t idx, int64_t v, int add)
{
	struct stripe *st;
	struct slot *set, *s;
	unsigned char *p;
	uint32_t ni;
	int64_t x;
	uint64_t h;
	int found = 0;

	if (!cache_enabled())
		return 0;
	h = hash_of(k, key, klen);
	set = lock_set(h, &st);
	s = find(set, k, h, key, klen, mono_us());
	if (s != NULL) {
		p = s->mem + koff_value(s->klen);
		memcpy(&ni, p, 4);
		if (idx < ni) {
			p += 8 + 8 * idx;
			memcpy(&x, p, 8);
			/* quotas stay inside int64 (a wrap would read as plenty) */
			if (!add)
				x = v;
			else if (v > 0 && x > INT64_MAX - v)
				x = INT64_MAX;
			else if (v < 0 && x < INT64_MIN - v)
				x = INT64_MIN;
			else
				x += v;
			memcpy(p, &x, 8);
			found = 1;
		}
	}
	pthread_mutex_unlock(&st->mu);
	return found;
}

int
cache_add_int(enum cache_kind k, const void *key, size_t klen, size_t idx, int64_t delta)
{
	return update_int(k, key, klen, idx, delta, 1);
}

int
cache_set_int(enum cache_kind k, const void *key, size_t klen, size_t idx, int64_t v)
{
	return update_int(k, key, klen, idx, v, 0);
}

void
cache_drop(enum cache_kind k, const void *key, size_t klen)
{
	struct stripe *st;
	struct slot *set, *s;
	uint64_t h = hash_of(k, key, klen);

	set = lock_set(h, &st);
	if ((s = find(set, k, h, key, klen, mono_us())) != NULL)
		slot_free(s);
	pthread_mutex_unlock(&st->mu);
}

void
cache_invalidate(struct db *db, unsigned kinds)
{
	if (db == NULL || !db_defer_bump(db, kinds, cache_bump))
		cache_bump(kinds);
}

void
cache_clear(void)
{
	size_t i, w;

	for (i = 0; i < CACHE_SETS; i++)
		for (w = 0; w < CACHE_WAYS; w++)
			slot_free(&table[i][w]);
}
