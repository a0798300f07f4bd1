/*
 * sift-dump - a cache's content, independent of how zstd compressed it:
 * the header's version and sizes, then per block its type, record count,
 * record size and the CRC-32C of its decompressed bytes.  The golden-cache
 * test compares these dumps, so a new zstd release that compresses the
 * same records differently does not fail it, while any change to the
 * records does.
 */
#include <stdio.h>

#include "cache.h"
#include "crc32c.h"

static int block(void *arg, unsigned type, unsigned filter, uint32_t nrecs,
		 uint32_t rec_size, const uint8_t *raw)
{
	unsigned *i = arg;

	printf("block %u type %u filter %u records %u size %u crc32c %08x\n",
	       (*i)++, type, filter, nrecs, rec_size,
	       crc32c(0, raw, (size_t)nrecs * rec_size));
	return 0;
}

int main(int argc, char **argv)
{
	struct cache_reader *r;
	struct err e;
	unsigned major, minor, i = 0;
	char buf[1200];

	if (argc != 2) {
		fprintf(stderr, "usage: sift-dump CACHE\n");
		return 2;
	}
	err_clear(&e);
	if (cache_open(&r, argv[1], &e) || cache_blocks_each(r, block, &i, &e)) {
		err_format(&e, buf, sizeof(buf));
		fprintf(stderr, "sift-dump: %s\n", buf);
		return 1;
	}
	cache_version(r, &major, &minor);
	printf("format %u.%u connections %u packets %llu\n", major, minor,
	       cache_nconns(r), (unsigned long long)cache_npkts(r));
	cache_close(r);
	return 0;
}
