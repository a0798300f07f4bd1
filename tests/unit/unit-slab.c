/*
 * unit-slab.c - slab.c: objects are distinct, aligned and whole; a freed
 * object comes back before fresh memory is taken; many objects span
 * several chunks; a released slab serves again; big buffers are aligned.
 * (A use after slab_put is caught by AddressSanitizer in the sanitizer
 * build: the object is poisoned.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "slab.h"
#include "unit.h"

enum { N = 5000, SIZE = 1000 };	/* about 2.4 chunks of 2 MiB */

static void test_distinct_aligned_whole(void)
{
	static unsigned char *p[N];
	struct slab s;
	int i;

	slab_init(&s, SIZE);
	for (i = 0; i < N; i++) {
		p[i] = slab_get(&s);
		CHECK(p[i] != NULL);
		if (!p[i])
			return;
		CHECKF((uintptr_t)p[i] % 16 == 0, "object %d", i);
		memset(p[i], i & 0xff, SIZE);	/* ASan: all of it is ours */
	}
	for (i = 0; i < N; i++) {	/* no object overlaps another */
		size_t k;

		for (k = 0; k < SIZE && p[i][k] == (unsigned char)(i & 0xff); k++)
			;
		CHECKF(k == SIZE, "object %d overwritten at byte %zu", i, k);
	}
	slab_release(&s);
}

static void test_reuse_first(void)
{
	struct slab s;
	void *a, *b, *c;

	slab_init(&s, 24);
	a = slab_get(&s);
	b = slab_get(&s);
	CHECK(a && b && a != b);
	slab_put(&s, a);
	slab_put(&s, NULL);		/* a no-op */
	c = slab_get(&s);
	CHECK(c == a);			/* the freed one, not fresh memory */
	slab_put(&s, b);
	slab_put(&s, c);
	CHECK(slab_get(&s) == c);	/* last in, first out */
	CHECK(slab_get(&s) == b);
	slab_release(&s);
	a = slab_get(&s);		/* serves again after a release */
	CHECK(a != NULL);
	slab_release(&s);
}

static void test_tiny_and_too_big(void)
{
	struct slab s;
	void *a, *b;

	slab_init(&s, 1);		/* at least a pointer, rounded to 16 */
	a = slab_get(&s);
	b = slab_get(&s);
	CHECK(a && b && (char *)b - (char *)a == 16);
	slab_release(&s);
	slab_init(&s, (64 << 10) + 1);
	CHECK(slab_get(&s) == NULL);
	slab_release(&s);
}

static void test_big_alloc(void)
{
	unsigned char *p = slab_big_alloc(3 << 20);

	CHECK(p != NULL);
	if (!p)
		return;
	CHECK((uintptr_t)p % (2 << 20) == 0);
	memset(p, 0xa5, 3 << 20);
	CHECK(p[(3 << 20) - 1] == 0xa5);
	free(p);
	CHECK(slab_big_alloc(0) == NULL);
}

int main(void)
{
	RUN(test_distinct_aligned_whole);
	RUN(test_reuse_first);
	RUN(test_tiny_and_too_big);
	RUN(test_big_alloc);
	return unit_status();
}
