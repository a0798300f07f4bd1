/*
 * cache_block.c - block headers, index entries and the byte shuffle, the
 * pieces of the format both the writer and the reader need.
 */
#include <string.h>

#include "bytes.h"
#include "cache_int.h"
#include "crc32c.h"

void cache_block_header_encode(uint8_t *p, const struct cache_block *b)
{
	memcpy(p, CACHE_BLOCK_MAGIC, 4);
	p[4] = b->type;
	p[5] = b->codec;
	p[6] = b->filter;
	p[7] = 0;
	put_le32(p + 8, b->rec_size);
	put_le32(p + 12, b->nrecs);
	put_le32(p + 16, b->raw_size);
	put_le32(p + 20, b->comp_size);
	put_le64(p + 24, b->min_frame);
	put_le32(p + 32, b->crc);
	put_le32(p + 36, crc32c(0, p, 36));
}

int cache_block_header_decode(const uint8_t *p, struct cache_block *b)
{
	if (memcmp(p, CACHE_BLOCK_MAGIC, 4) != 0 ||
	    get_le32(p + 36) != crc32c(0, p, 36))
		return -1;
	b->type = p[4];
	b->codec = p[5];
	b->filter = p[6];
	b->rec_size = get_le32(p + 8);
	b->nrecs = get_le32(p + 12);
	b->raw_size = get_le32(p + 16);
	b->comp_size = get_le32(p + 20);
	b->min_frame = get_le64(p + 24);
	b->crc = get_le32(p + 32);
	return 0;
}

void cache_index_entry_encode(uint8_t *p, const struct cache_block *b)
{
	put_le64(p, b->offset);
	p[8] = b->type;
	p[9] = p[10] = p[11] = 0;
	put_le32(p + 12, b->nrecs);
	put_le32(p + 16, b->comp_size);
	put_le32(p + 20, b->raw_size);
	put_le64(p + 24, b->min_frame);
}

void cache_index_entry_decode(const uint8_t *p, struct cache_block *b)
{
	memset(b, 0, sizeof(*b));
	b->offset = get_le64(p);
	b->type = p[8];
	b->nrecs = get_le32(p + 12);
	b->comp_size = get_le32(p + 16);
	b->raw_size = get_le32(p + 20);
	b->min_frame = get_le64(p + 24);
}

void cache_shuffle(uint8_t *dst, const uint8_t *src, size_t n, size_t r)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < r; j++)
			dst[j * n + i] = src[i * r + j];
}

void cache_unshuffle(uint8_t *dst, const uint8_t *src, size_t n, size_t r)
{
	for (size_t j = 0; j < r; j++) {
		const uint8_t *plane = src + j * n;
		for (size_t i = 0; i < n; i++)
			dst[i * r + j] = plane[i];
	}
}
