/* fcgi/cache.h: the in-process cache of the rows every relay request reads
 * (token by key, user by id, channel candidates by group + model, channel
 * by id), shared by the worker threads of one process */
#ifndef GW_CACHE_H
#define GW_CACHE_H

#include <stdint.h>
#include <stddef.h>
#include "arena.h"
#include "db.h"

/*
 * What the cache holds. Each kind has a generation counter: a write to the
 * table behind it bumps the counter, and every entry filled before the bump
 * is dead at once. Entries also die CACHE_TTL_SEC after they were read from
 * the database (capped by SYNC_FREQUENCY): that bounds how long a change
 * made by another process sharing the database can go unseen.
 */
enum cache_kind {
	CACHE_TOKEN,	/* tokens row by key */
	CACHE_USER,	/* users row by id */
	CACHE_ABILITY,	/* the channel candidates of (group, model) */
	CACHE_CHANNEL,	/* channels row by id */
	CACHE__MAX
};
#define CACHE_F(k) (1u << (k))
#define CACHE_F_ALL ((1u << CACHE__MAX) - 1)

/* A cached value: integers and strings (a string may be NULL). On a hit
 * the arrays and strings are copies in the caller's arena. */
struct cache_rec {
	const int64_t *i;
	size_t ni;
	const char *const *s;
	size_t ns;
};

/* The most a value may hold; bigger ones are not cached. */
#define CACHE_VALUE_MAX (256 * 1024)

/* Is the cache on (CACHE_TTL_SEC > 0 in the configuration in force)? */
int cache_enabled(void);

/* The generation of kind now. Read it before the database query whose
 * result you will cache_put, so a write that lands meanwhile wins. */
uint64_t cache_gen(enum cache_kind k);

/* Look up key (klen bytes, any bytes) of kind: 1 and *out filled (arena
 * copies) when a live entry is there, 0 otherwise. */
int cache_get(enum cache_kind k, const void *key, size_t klen, struct arena *a,
    struct cache_rec *out);

/* Store a copy of the value for key, read from the database while the
 * generation was gen; nothing is stored when the generation has moved
 * since, when the cache is off, or when the value is too big. Replaces an
 * entry with the same key; may evict another one. */
void cache_put(enum cache_kind k, const void *key, size_t klen, uint64_t gen,
    const int64_t *ints, size_t ni, const char *const *strs, size_t ns);

/* Add delta to integer idx of key's live entry (a quota moved by this
 * process). 1 when there was such an entry, 0 otherwise. */
int cache_add_int(enum cache_kind k, const void *key, size_t klen, size_t idx, int64_t delta);
/* Set integer idx of key's live entry; 1 when there was one. */
int cache_set_int(enum cache_kind k, const void *key, size_t klen, size_t idx, int64_t v);

/* Forget key's entry. */
void cache_drop(enum cache_kind k, const void *key, size_t klen);

/* Kill every entry of the kinds in the mask (CACHE_F(...) bits). */
void cache_bump(unsigned kinds);

/* After a write to a cached table through db: bump the kinds now, or, when
 * db is inside a transaction, when that transaction ends (so a reader can
 * never cache what it read before the commit under the new generation). */
void cache_invalidate(struct db *db, unsigned kinds);

/* Free every entry (tests, shutdown). Not safe while other threads use the
 * cache. */
void cache_clear(void);

#endif
