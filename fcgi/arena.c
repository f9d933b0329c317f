/* fcgi/arena.c: chunked bump allocator, one per request */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "arena.h"

#define ARENA_CHUNK	8192
#define ARENA_ALIGN	16

struct arena_chunk {
	struct arena_chunk *next;
	size_t size, off;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena_defer {
	struct arena_defer *next;
	void (*fn)(void *);
	void *p;
};

void
arena_init(struct arena *a)
{
	a->head = NULL;
	a->defers = NULL;
	a->used = 0;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	size_t sz;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (c == NULL || c->size - c->off < n) {
		sz = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		c = malloc(sizeof(*c) + sz);
		if (c == NULL)
			return NULL;
		c->size = sz;
		c->off = 0;
		/* a big one-off block goes behind the current chunk so the
		 * current chunk's free space stays usable */
		if (a->head && n > ARENA_CHUNK) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	c->off += n;
	a->used += n;
	return c->data + c->off - n;
}

void *
arena_calloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);

	if (p)
		memset(p, 0, n);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (p = arena_alloc(a, (size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

int
arena_defer(struct arena *a, void (*fn)(void *), void *p)
{
	struct arena_defer *d = malloc(sizeof(*d));

	if (d == NULL) {
		fn(p);
		return GW_ENOMEM;
	}
	d->fn = fn;
	d->p = p;
	d->next = a->defers;
	a->defers = d;
	return GW_OK;
}

void
arena_release(struct arena *a)
{
	struct arena_defer *d;
	struct arena_chunk *c;

	while ((d = a->defers) != NULL) {
		a->defers = d->next;
		d->fn(d->p);
		free(d);
	}
	while ((c = a->head) != NULL) {
		a->head = c->next;
		free(c);
	}
	a->used = 0;
}
