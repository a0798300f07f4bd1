/*
 * cache_block.c - block headers, index entries and the byte shuffle, the
 * pieces of the format both the writer and the reader need.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "bytes.h"
#include "cache_int.h"
#include "record.h"
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

/*
 * The transposes work in tiles of TILE records, so both the records read
 * and the planes written stay in the L1 cache (a plain double loop strides
 * one side by n or r bytes per byte, and was the writer's hottest spot).
 */
enum { TILE = 32 };

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

static bool is_little_endian(void)
{
	const uint16_t one = 1;
	uint8_t b;

	memcpy(&b, &one, 1);
	return b == 1;
}

/*
 * An 8x8 byte matrix in eight little-endian words, transposed in place:
 * byte m of x[k] moves to byte k of x[m] (three rounds of block swaps,
 * Hacker's Delight 7-3).
 */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void transpose8(uint64_t x[8])
{
	uint64_t x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
	uint64_t x4 = x[4], x5 = x[5], x6 = x[6], x7 = x[7], t;

#define SWAP(a, b, sh, m) \
	(t = (((a) >> (sh)) ^ (b)) & (m), (a) ^= t << (sh), (b) ^= t)
	SWAP(x0, x4, 32, 0x00000000ffffffffULL);
	SWAP(x1, x5, 32, 0x00000000ffffffffULL);
	SWAP(x2, x6, 32, 0x00000000ffffffffULL);
	SWAP(x3, x7, 32, 0x00000000ffffffffULL);
	SWAP(x0, x2, 16, 0x0000ffff0000ffffULL);
	SWAP(x1, x3, 16, 0x0000ffff0000ffffULL);
	SWAP(x4, x6, 16, 0x0000ffff0000ffffULL);
	SWAP(x5, x7, 16, 0x0000ffff0000ffffULL);
	SWAP(x0, x1, 8, 0x00ff00ff00ff00ffULL);
	SWAP(x2, x3, 8, 0x00ff00ff00ff00ffULL);
	SWAP(x4, x5, 8, 0x00ff00ff00ff00ffULL);
	SWAP(x6, x7, 8, 0x00ff00ff00ff00ffULL);
#undef SWAP
	x[0] = x0; x[1] = x1; x[2] = x2; x[3] = x3;
	x[4] = x4; x[5] = x5; x[6] = x6; x[7] = x7;
}

#if defined(__SSE2__)
#include <emmintrin.h>

/*
 * A 16x16 byte matrix in sixteen vectors, transposed: byte m of a[k] moves
 * to byte k of a[m].  Four rounds of interleaving rows k and k + 8 (a
 * perfect shuffle each) make the transpose.
 */
static inline void transpose16(__m128i a[16])
{
	for (int round = 0; round < 4; round++) {
		__m128i b[16];

		for (int k = 0; k < 8; k++) {
			b[2 * k] = _mm_unpacklo_epi8(a[k], a[k + 8]);
			b[2 * k + 1] = _mm_unpackhi_epi8(a[k], a[k + 8]);
		}
		for (int k = 0; k < 16; k++)
			a[k] = b[k];
	}
}

/* Records [i, end) in steps of 16 (r % 16 == 0); returns where it stopped. */
static size_t unshuffle16(uint8_t *dst, const uint8_t *src, size_t n,
			  size_t r, size_t first, size_t i, size_t end)
{
	for (; i + 16 <= end; i += 16) {
		uint8_t *rows = dst + (i - first) * r;

		for (size_t j = 0; j < r; j += 16) {
			__m128i a[16];

			for (int k = 0; k < 16; k++)
				a[k] = _mm_loadu_si128((const __m128i *)(src + (j + k) * n + i));
			transpose16(a);
			for (int k = 0; k < 16; k++)
				_mm_storeu_si128((__m128i *)(rows + k * r + j), a[k]);
		}
	}
	return i;
}

/* Records [0, n) rows to planes, as unshuffle16 the other way. */
static size_t shuffle16(uint8_t *dst, const uint8_t *src, size_t n, size_t r)
{
	size_t i = 0;

	for (; i + 16 <= n; i += 16) {
		const uint8_t *rows = src + i * r;

		for (size_t j = 0; j < r; j += 16) {
			__m128i a[16];

			for (int k = 0; k < 16; k++)
				a[k] = _mm_loadu_si128((const __m128i *)(rows + k * r + j));
			transpose16(a);
			for (int k = 0; k < 16; k++)
				_mm_storeu_si128((__m128i *)(dst + (j + k) * n + i), a[k]);
		}
	}
	return i;
}
#endif

void cache_unshuffle_rows(uint8_t *dst, const uint8_t *src, size_t n,
			  size_t r, size_t first, size_t count)
{
	size_t i = first, end = first + count;

#if defined(__SSE2__)
	if (r % 16 == 0)
		i = unshuffle16(dst, src, n, r, first, i, end);
#endif

	/*
	 * Eight records by eight planes at a time: eight 8-byte loads, a
	 * transpose, eight 8-byte stores, where the byte loop makes 64
	 * scattered stores.  Little-endian words; memcpy keeps it portable
	 * and the compiler makes it plain loads.
	 */
	if (r % 8 == 0 && is_little_endian()) {
		/* tiles of 64 records: each plane's cache line is used whole */
		for (; i + 64 <= end; i += 64) {
			uint8_t *tile = dst + (i - first) * r;

			for (size_t j = 0; j < r; j += 8) {
				for (int k = 0; k < 8; k++)
					PREFETCH(src + (j + k) * n + i + 64);
				for (size_t q = 0; q < 64; q += 8) {
					uint64_t x[8];

					for (int k = 0; k < 8; k++)
						memcpy(&x[k], src + (j + k) * n + i + q, 8);
					transpose8(x);
					for (int k = 0; k < 8; k++)
						memcpy(tile + (q + k) * r + j, &x[k], 8);
				}
			}
		}
	}
	for (size_t i0 = i; i0 < end; i0 += TILE) {
		size_t i1 = i0 + TILE < end ? i0 + TILE : end;
		for (size_t j = 0; j < r; j++) {
			const uint8_t *plane = src + j * n;
			for (size_t k = i0; k < i1; k++)
				dst[(k - first) * r + j] = plane[k];
		}
	}
}

void cache_unshuffle(uint8_t *dst, const uint8_t *src, size_t n, size_t r)
{
	cache_unshuffle_rows(dst, src, n, r, 0, n);
}

void cache_shuffle(uint8_t *dst, const uint8_t *src, size_t n, size_t r)
{
	size_t i = 0;

#if defined(__SSE2__)
	if (r % 16 == 0)
		i = shuffle16(dst, src, n, r);
#endif
	/* as cache_unshuffle_rows, the other way: rows in, planes out */
	if (r % 8 == 0 && is_little_endian()) {
		for (; i + 64 <= n; i += 64) {
			const uint8_t *tile = src + i * r;

			for (size_t j = 0; j < r; j += 8) {
				for (size_t q = 0; q < 64; q += 8) {
					uint64_t x[8];

					for (int k = 0; k < 8; k++)
						memcpy(&x[k], tile + (q + k) * r + j, 8);
					transpose8(x);
					for (int k = 0; k < 8; k++)
						memcpy(dst + (j + k) * n + i + q, &x[k], 8);
				}
			}
		}
	}
	for (size_t i0 = i; i0 < n; i0 += TILE) {
		size_t i1 = i0 + TILE < n ? i0 + TILE : n;
		for (size_t j = 0; j < r; j++) {
			uint8_t *d = dst + j * n;
			for (size_t k = i0; k < i1; k++)
				d[k] = src[k * r + j];
		}
	}
}


/*
 * The delta filter of PKT blocks: these fields grow slowly along a run of
 * one connection, so each is stored as its difference from the record
 * before it in the block (mod 2^width); zstd then sees small numbers.
 */
static const struct { unsigned off, size; } delta_fields[] = {
	{ offsetof(struct cache_pkt_layout, frame), 8 },
	{ offsetof(struct cache_pkt_layout, ts), 8 },
	{ offsetof(struct cache_pkt_layout, seq), 4 },
	{ offsetof(struct cache_pkt_layout, ack), 4 },
	{ offsetof(struct cache_pkt_layout, tsval), 4 },
	{ offsetof(struct cache_pkt_layout, tsecr), 4 },
	{ offsetof(struct cache_pkt_layout, ip_id), 2 },
};

static uint64_t get_n(const uint8_t *p, unsigned size)
{
	return size == 8 ? get_le64(p) : size == 4 ? get_le32(p) : get_le16(p);
}

static void put_n(uint8_t *p, unsigned size, uint64_t v)
{
	if (size == 8)
		put_le64(p, v);
	else if (size == 4)
		put_le32(p, (uint32_t)v);
	else
		put_le16(p, (uint16_t)v);
}

/*
 * Frame references (the segment an ACK acknowledges, the ACK a duplicate
 * repeats) are stored as their distance back from the record's own frame,
 * 0 staying 0: a reference is always to an earlier frame, so the distance
 * is never 0 otherwise, and it is small.  The mapping is its own inverse.
 */
static const unsigned backref_fields[] = {
	offsetof(struct cache_pkt_layout, acked_frame),
	offsetof(struct cache_pkt_layout, dupack_frame),
};

static void backref(uint8_t *rec)
{
	uint64_t frame = get_le64(rec + offsetof(struct cache_pkt_layout, frame));

	for (size_t k = 0; k < sizeof(backref_fields) / sizeof(backref_fields[0]); k++) {
		uint8_t *p = rec + backref_fields[k];
		uint64_t v = get_le64(p);
		if (v)
			put_le64(p, frame - v);
	}
}

void cache_delta_encode(uint8_t *recs, size_t n, size_t r, size_t restart)
{
	if (r >= sizeof(struct cache_pkt_layout))
		for (size_t i = 0; i < n; i++)
			backref(recs + i * r);
	for (size_t i = n; i-- > 1;) {
		uint8_t *cur = recs + i * r, *prev = cur - r;
		if (restart && i % restart == 0)
			continue;	/* stored as is: a place to start decoding */
		for (size_t k = 0; k < sizeof(delta_fields) / sizeof(delta_fields[0]); k++) {
			unsigned off = delta_fields[k].off, size = delta_fields[k].size;
			put_n(cur + off, size, get_n(cur + off, size) - get_n(prev + off, size));
		}
	}
}

void cache_delta_decode(uint8_t *recs, size_t n, size_t r, size_t restart)
{
	for (size_t i = 1; i < n; i++) {
		uint8_t *cur = recs + i * r, *prev = cur - r;
		if (restart && i % restart == 0)
			continue;
		for (size_t k = 0; k < sizeof(delta_fields) / sizeof(delta_fields[0]); k++) {
			unsigned off = delta_fields[k].off, size = delta_fields[k].size;
			put_n(cur + off, size, get_n(cur + off, size) + get_n(prev + off, size));
		}
	}
	/* after the frames are known again */
	if (r >= sizeof(struct cache_pkt_layout))
		for (size_t i = 0; i < n; i++)
			backref(recs + i * r);
}

const uint8_t cache_pkt_field_off[PKT_NFIELDS] = {
#define PKT_FIELD(type, name, doc) offsetof(struct cache_pkt_layout, name),
#include "pkt_fields.def"
#undef PKT_FIELD
};

const uint8_t cache_pkt_field_size[PKT_NFIELDS] = {
#define PKT_FIELD(type, name, doc) REC_SIZE_##type,
#include "pkt_fields.def"
#undef PKT_FIELD
};

uint32_t cache_pkt_columns_for(uint32_t fields, size_t r)
{
	for (unsigned f = 0; f < PKT_NFIELDS; f++) {
		uint32_t bit = UINT32_C(1) << f;

		if (!(fields & bit))
			continue;
		if (cache_pkt_field_off[f] + cache_pkt_field_size[f] > r)
			fields &= ~bit;
		for (size_t k = 0; k < sizeof(backref_fields) / sizeof(backref_fields[0]); k++)
			if (backref_fields[k] == cache_pkt_field_off[f] &&
			    r >= sizeof(struct cache_pkt_layout))
				fields |= PKT_BIT(frame);
	}
	return fields;
}

void cache_pkt_column(uint64_t *out, const uint8_t *planes, size_t n,
		      size_t r, unsigned f, const uint64_t *frames)
{
	unsigned off = cache_pkt_field_off[f], size = cache_pkt_field_size[f];
	uint64_t mask = size == 8 ? UINT64_MAX : (UINT64_C(1) << 8 * size) - 1;
	const uint8_t *p = planes + (size_t)off * n;
	bool delta = false, ref = false;

	switch (size) {	/* one pass over the planes, whatever the width */
	case 1:
		for (size_t i = 0; i < n; i++)
			out[i] = p[i];
		break;
	case 2:
		for (size_t i = 0; i < n; i++)
			out[i] = p[i] | (uint64_t)p[n + i] << 8;
		break;
	case 4:
		for (size_t i = 0; i < n; i++)
			out[i] = p[i] | (uint64_t)p[n + i] << 8 |
				 (uint64_t)p[2 * n + i] << 16 |
				 (uint64_t)p[3 * n + i] << 24;
		break;
	default:
		for (size_t i = 0; i < n; i++) {
			uint64_t v = 0;
			for (unsigned k = size; k-- > 0;)
				v = v << 8 | p[k * n + i];
			out[i] = v;
		}
	}
	for (size_t k = 0; k < sizeof(delta_fields) / sizeof(delta_fields[0]); k++)
		delta |= delta_fields[k].off == off;
	for (size_t k = 0; k < sizeof(backref_fields) / sizeof(backref_fields[0]); k++)
		ref |= backref_fields[k] == off && r >= sizeof(struct cache_pkt_layout);
	if (delta)
		for (size_t i = 1; i < n; i++)
			if (i % CACHE_DELTA_RESTART)
				out[i] = (out[i] + out[i - 1]) & mask;
	if (ref)
		for (size_t i = 0; i < n; i++)
			if (out[i])
				out[i] = frames[i] - out[i];
}
