/*
 * cache_int.h - layout constants and helpers shared by cache_write.c and
 * cache_read.c.  Not part of the API; format-spec.md documents every
 * number here.
 */
#ifndef TCPSIFT_CACHE_INT_H
#define TCPSIFT_CACHE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define CACHE_MAGIC "\x89SIFT\r\n\x1a"	/* 8 bytes, PNG-style */
#define CACHE_BLOCK_MAGIC "SBLK"
#define CACHE_FOOTER_MAGIC "SIFTEND\n"

enum {
	CACHE_HEADER_SIZE = 64,
	CACHE_BLOCK_HEADER_SIZE = 40,
	CACHE_FOOTER_SIZE = 32,
	CACHE_INDEX_ENTRY_SIZE = 32,
	CACHE_STREAMDIR_SIZE = 4,

	CACHE_CODEC_NONE = 0,
	CACHE_CODEC_ZSTD = 1,
	CACHE_FILTER_NONE = 0,
	CACHE_FILTER_SHUFFLE = 1,
	CACHE_FILTER_DELTA_SHUFFLE = 2,	/* PKT blocks: delta, then shuffle */
	CACHE_FILTER_DELTA_RESTART_SHUFFLE = 3,	/* the same, restarting every
						   CACHE_DELTA_RESTART records */
	CACHE_FILTER_COLUMNS = 4,	/* PKT blocks: filter 3, then one zstd
					   frame per field (format 2) */

	/* Writer tuning: records per block, per chunk, and the lag bound. */
	CACHE_PKT_BLOCK_RECS = 16384,
	CACHE_CONN_BLOCK_RECS = 2048,
	CACHE_CHUNK_BLOCK_RECS = 8192,
	CACHE_STREAMDIR_BLOCK_RECS = 16384,
	CACHE_CHUNK_MAX = 4096,
	CACHE_LAG_MAX = 1 << 18,

	/* The delta filter stores every 256th record as is, so a reader
	 * can decode a few rows without the whole block. */
	CACHE_DELTA_RESTART = 256,

	/* Filter 4's column directory: a u32 count, then per column its
	 * width in bytes of a record and its compressed size. */
	CACHE_COLDIR_HEAD = 4,
	CACHE_COLDIR_ENTRY = 8,

	/* Reader's refusal limit for one block's decompressed size. */
	CACHE_BLOCK_RAW_MAX = 64 << 20
};

/* A decoded block header; also an index entry's content. */
struct cache_block {
	uint64_t offset;	/* of the block header, bytes from file start */
	uint8_t type;		/* enum cache_block_type */
	uint8_t codec;
	uint8_t filter;
	uint32_t rec_size;	/* bytes per record (stride) */
	uint32_t nrecs;
	uint32_t raw_size;	/* bytes after decompression */
	uint32_t comp_size;	/* payload bytes after the header */
	uint64_t min_frame;	/* PKT blocks: smallest frame, else 0 */
	uint32_t crc;		/* CRC-32C of the payload */
};

void cache_block_header_encode(uint8_t *p, const struct cache_block *b);
/* 0, or -1 when the header's own checksum or magic is wrong. */
int cache_block_header_decode(const uint8_t *p, struct cache_block *b);

void cache_index_entry_encode(uint8_t *p, const struct cache_block *b);
void cache_index_entry_decode(const uint8_t *p, struct cache_block *b);

/* Byte shuffle (transpose n records of size r into r planes of n bytes). */
void cache_shuffle(uint8_t *dst, const uint8_t *src, size_t n, size_t r);
void cache_unshuffle(uint8_t *dst, const uint8_t *src, size_t n, size_t r);
/* Rows [first, first + count) only, into dst from its start. */
void cache_unshuffle_rows(uint8_t *dst, const uint8_t *src, size_t n,
			  size_t r, size_t first, size_t count);

/*
 * The PKT delta filter, in place on n encoded packet records of stride r;
 * with restart > 0 every restart-th record is stored as is, and decoding
 * may start at any of them (filter 3); restart 0 is filter 2.
 */
void cache_delta_encode(uint8_t *recs, size_t n, size_t r, size_t restart);
void cache_delta_decode(uint8_t *recs, size_t n, size_t r, size_t restart);

/* Offset and size of each packet-record field (PKT_FI_*) in a record. */
extern const uint8_t cache_pkt_field_off[PKT_NFIELDS];
extern const uint8_t cache_pkt_field_size[PKT_NFIELDS];

/*
 * The fields (a set of PKT_BIT) to decode with cache_pkt_column() so as to
 * have those in `fields`, for records of r bytes: with `frame` when a
 * frame reference is asked for (it is stored relative to it), without
 * the fields that lie beyond the record (they read as 0).
 */
uint32_t cache_pkt_columns_for(uint32_t fields, size_t r);

/*
 * Field f (PKT_FI_*) of the n records of a filter 3 or 4 PKT block of
 * stride r, straight from its decompressed, still shuffled bytes `planes`
 * (only the field's own planes are read), into out[0..n): the delta and
 * frame-reference filters undone.  `frames` holds the block's decoded
 * frame numbers; only the two frame-reference fields read it.  The field
 * must lie inside the record (off + size <= r).
 */
void cache_pkt_column(uint64_t *out, const uint8_t *planes, size_t n,
		      size_t r, unsigned f, const uint64_t *frames);

#endif
