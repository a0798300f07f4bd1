/*
 * slab.c - see slab.h.
 *
 * A chunk's first 16 bytes link it into s->chunks; objects follow.  Under
 * AddressSanitizer every object not handed out is poisoned, so a use
 * after slab_put() is caught as it would be after free().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "slab.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLAB_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SLAB_ASAN 1
#endif
#ifdef SLAB_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

enum { CHUNK = 2 << 20, CHUNK_HEAD = 16, MAX_SIZE = 64 << 10 };

void *slab_big_alloc(size_t size)
{
	void *p;

	size = (size + CHUNK - 1) / CHUNK * CHUNK;
	if (size == 0 || posix_memalign(&p, CHUNK, size) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, size, MADV_HUGEPAGE);	/* a hint: failure is fine */
#endif
	return p;
}

void slab_init(struct slab *s, size_t size)
{
	memset(s, 0, sizeof(*s));
	if (size < sizeof(void *))
		size = sizeof(void *);
	s->size = (size + 15) & ~(size_t)15;
}

void *slab_get(struct slab *s)
{
	void *p = s->free;

	if (p) {
		UNPOISON(p, s->size);
		memcpy(&s->free, p, sizeof(void *));
		return p;
	}
	if (s->size > MAX_SIZE)
		return NULL;
	if ((size_t)(s->end - s->cur) < s->size) {
		char *c = slab_big_alloc(CHUNK);

		if (!c)
			return NULL;
		memcpy(c, &s->chunks, sizeof(void *));
		s->chunks = c;
		s->cur = c + CHUNK_HEAD;
		s->end = c + CHUNK;
		POISON(s->cur, (size_t)(s->end - s->cur));
	}
	p = s->cur;
	UNPOISON(p, s->size);
	s->cur += s->size;
	return p;
}

void slab_put(struct slab *s, void *p)
{
	if (!p)
		return;
	memcpy(p, &s->free, sizeof(void *));
	s->free = p;
	POISON(p, s->size);
}

void slab_release(struct slab *s)
{
	while (s->chunks) {
		void *c = s->chunks;

		UNPOISON(c, CHUNK);
		memcpy(&s->chunks, c, sizeof(void *));
		free(c);
	}
	slab_init(s, s->size);
}
