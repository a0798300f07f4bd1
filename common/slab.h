/*
 * slab.h - fixed-size objects carved from 2 MiB chunks that the kernel may
 * back with huge pages.
 *
 * The tracker touches a connection's state on every packet, in no order a
 * cache can predict; with tens of thousands of connections that state is
 * tens of megabytes.  On 4 KiB pages nearly every such touch also misses
 * the TLB, and every page costs a fault when it is first used.  Objects
 * taken from a slab lie in 2 MiB chunks aligned to 2 MiB and marked
 * MADV_HUGEPAGE, so where transparent huge pages are enabled ("always" or
 * "madvise") a chunk is one page: one fault, one TLB entry.  Where they are
 * not, a slab is a plain free-list allocator and costs nothing more.
 *
 * A slab keeps what it has taken from the system until slab_release():
 * a freed object goes on a free list for the next slab_get().
 *
 * Does not: zero objects, grow an object, or serve sizes above 64 KiB.
 */
#ifndef TCPSIFT_SLAB_H
#define TCPSIFT_SLAB_H

#include <stddef.h>

struct slab {
	size_t size;		/* object size, rounded up to 16 */
	void *free;		/* freed objects, linked through their first word */
	char *cur, *end;	/* the unused part of the newest chunk */
	void *chunks;		/* every chunk, linked through its first word */
};

/* An empty slab of objects of size bytes (1 to 64 KiB). */
void slab_init(struct slab *s, size_t size);

/* An object, not zeroed, aligned to 16; NULL when out of memory. */
void *slab_get(struct slab *s);

/* Gives p (from slab_get on s) back; NULL is a no-op. */
void slab_put(struct slab *s, void *p);

/* Frees every chunk: every object of s is gone.  s is empty again. */
void slab_release(struct slab *s);

/*
 * size bytes aligned to 2 MiB and marked for huge pages, for one large
 * buffer that is filled and read over and over; free() it.  NULL when out
 * of memory.
 */
void *slab_big_alloc(size_t size);

#endif
