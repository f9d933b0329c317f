/* fcgi/arena.h: per-request memory, freed all at once when the request ends */
#ifndef GW_ARENA_H
#define GW_ARENA_H

#include <stddef.h>
#include <stdarg.h>
#include "err.h"

struct arena_chunk;
struct arena_defer;

struct arena {
	struct arena_chunk *head;
	struct arena_defer *defers;	/* cleanups run by arena_release, newest first */
	size_t used;			/* bytes handed out, for the high-water mark */
};

/* An empty arena; no allocation until the first arena_alloc. */
void arena_init(struct arena *a);
/* n bytes aligned for any type, owned by the arena; NULL on ENOMEM. */
void *arena_alloc(struct arena *a, size_t n);
void *arena_calloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) GW_FMT(2, 3);
/* Run fn(p) when the arena is released (e.g. json_decref of a response tree).
 * Returns GW_ENOMEM (and runs fn(p) at once) when it cannot register. */
int arena_defer(struct arena *a, void (*fn)(void *), void *p);
/* Run the deferred cleanups and free every chunk; the arena is empty again. */
void arena_release(struct arena *a);

#endif
