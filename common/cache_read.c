/*
 * cache_read.c - the cache reader.
 *
 * Opening reads the header, the footer and the block index, and checks
 * them against each other and the file size; blocks are read on demand,
 * each checked (header checksum, payload checksum, exact decompressed
 * size) before a byte of it is used.  Every number taken from the file is
 * range-checked before it indexes anything: a corrupt cache is ordinary
 * input and yields an error naming the file and the byte offset.
 *
 * The frame-order scan (cache_pkts_scan) merges the per-connection runs of
 * the blocks it has loaded, loading the next block only when it might hold
 * a smaller frame (the suffix minimum of the blocks' smallest frames).
 * Because the writer bounds how late a record may be written, this holds
 * only a bounded window of blocks, whatever the capture's size.  Given a
 * test, it applies it per block before the merge, and in a format 2 block
 * reads only the columns the test needs until some record passes: a
 * question that picks few packets out of millions decompresses little
 * more than the fields it asks about.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "bytes.h"
#include "cache.h"
#include "cache_int.h"
#include "crc32c.h"

/* One decompressed block kept for reuse. */
struct slot {
	int64_t idx;		/* index entry number, -1 when empty */
	uint8_t *raw;
};

/* Filter 4: one column of a PKT block (bytes [at, at + width) of each
 * record), and where its zstd frame is in the payload. */
struct column {
	uint32_t at, width;
	size_t comp_off, comp_len;
	bool done;		/* decompressed already */
};

/* Blocks of one record type, with cumulative record counts. */
struct typelist {
	uint32_t *blk;		/* index entry numbers, in file order */
	uint64_t *first;	/* record number of each block's first record */
	uint32_t n;
	uint64_t total;		/* records in all of them */
	struct slot cache;
};

struct cache_reader {
	char path[1024];
	int fd;
	uint64_t size;
	unsigned major, minor;
	uint32_t pkt_size, conn_size, chunk_size, dir_size;
	struct cache_block *index;
	uint32_t nindex;
	struct typelist pkt, conn, chunk, dir;
	/* one connection's reads: a PKT block still filtered, and the rows
	 * of it decoded so far */
	int64_t rawidx;
	uint8_t *rawblk;
	struct cache_block rawhdr;
	uint8_t *rows;
	size_t rowscap;
	struct cache_meta meta;
	ZSTD_DCtx *zd;
	uint8_t *comp;
	size_t comp_cap;
	struct column *cols;	/* filter 4: the last block's columns */
	uint32_t ncols;
	size_t cols_cap;	/* bytes */
	/* frame-order scans: a block's planes, and a prefilter's columns */
	uint8_t *planes;
	size_t planes_cap;
	uint64_t *vals;
	size_t vals_cap;
};

static const char *block_type_name(unsigned t)
{
	static const char *const names[] = {
		"?", "meta", "packets", "connections", "chunks",
		"stream directory", "index",
	};
	return t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

static int read_at(struct cache_reader *r, void *buf, size_t n, uint64_t off,
		   struct err *e)
{
	uint8_t *p = buf;
	size_t done = 0;

	if (off > r->size || n > r->size - off)
		return err_set_at(e, ERR_TRUNCATED, r->path, ERR_AT_OFFSET, off,
				  "truncated cache (wanted %zu bytes, file ends at %llu)",
				  n, (unsigned long long)r->size);
	while (done < n) {
		ssize_t k = pread(r->fd, p + done, n - done, (off_t)(off + done));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return err_set_at(e, ERR_IO, r->path, ERR_AT_OFFSET,
					  off + done, "read failed: %s",
					  k < 0 ? strerror(errno) : "unexpected end of file");
		done += (size_t)k;
	}
	return 0;
}

/* Makes the buffer *pp (of *cap bytes) hold at least need bytes. */
static int grow_buf(struct cache_reader *r, void *pp, size_t *cap, size_t need,
		    struct err *e)
{
	void **p = pp;

	if (need > *cap) {
		void *q = realloc(*p, need);
		if (!q)
			return err_set(e, ERR_NOMEM, r->path, "out of memory");
		*p = q;
		*cap = need;
	}
	return 0;
}

static size_t delta_restart(unsigned filter)
{
	return filter >= CACHE_FILTER_DELTA_RESTART_SHUFFLE ? CACHE_DELTA_RESTART : 0;
}

/*
 * Filter 4's column directory at the start of r->comp, checked: the
 * columns' widths add up to the record, their frames to the payload.
 */
static int read_columns(struct cache_reader *r, const struct cache_block *b,
			struct err *e)
{
	uint32_t n, width = 0;
	size_t head, at;

	if (b->comp_size < CACHE_COLDIR_HEAD)
		goto bad;
	n = get_le32(r->comp);
	head = CACHE_COLDIR_HEAD + (size_t)n * CACHE_COLDIR_ENTRY;
	if (n == 0 || n > b->rec_size || head > b->comp_size)
		goto bad;
	if (grow_buf(r, &r->cols, &r->cols_cap, n * sizeof(*r->cols), e))
		return ERR_NOMEM;
	at = head;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *d = r->comp + CACHE_COLDIR_HEAD + (size_t)i * CACHE_COLDIR_ENTRY;
		struct column *c = &r->cols[i];

		c->at = width;
		c->width = get_le32(d);
		c->comp_len = get_le32(d + 4);
		c->comp_off = at;
		c->done = false;
		if (c->width == 0 || c->width > b->rec_size - width ||
		    c->comp_len > b->comp_size - at)
			goto bad;
		width += c->width;
		at += c->comp_len;
	}
	if (width != b->rec_size || at != b->comp_size)
		goto bad;
	r->ncols = n;
	return 0;
bad:
	return err_set_at(e, ERR_CORRUPT, r->path, ERR_AT_OFFSET, b->offset,
			  "bad column directory (packets block)");
}

/*
 * Reads block ie's header and payload (into r->comp) and checks them: the
 * header's own checksum, its agreement with the index entry (or, for the
 * index block itself, with ie), its sizes and filter, the payload's
 * checksum, and for filter 4 the column directory (into r->cols).
 */
static int read_block(struct cache_reader *r, const struct cache_block *ie,
		      unsigned want_type, struct cache_block *out,
		      struct err *e)
{
	uint8_t h[CACHE_BLOCK_HEADER_SIZE];
	struct cache_block b;
	int rc;

	if ((rc = read_at(r, h, sizeof(h), ie->offset, e)))
		return rc;
	if (cache_block_header_decode(h, &b))
		return err_set_at(e, ERR_CORRUPT, r->path, ERR_AT_OFFSET,
				  ie->offset, "bad block header (%s block)",
				  block_type_name(want_type));
	b.offset = ie->offset;
	if (b.type != want_type || b.codec != CACHE_CODEC_ZSTD ||
	    b.filter > CACHE_FILTER_COLUMNS ||
	    (b.filter >= CACHE_FILTER_DELTA_SHUFFLE &&
	     (b.type != CACHE_BLK_PKT || b.rec_size < CACHE_PKT_SIZE_1_0)) ||
	    (want_type != CACHE_BLK_INDEX &&
	     (b.nrecs != ie->nrecs || b.comp_size != ie->comp_size ||
	      b.raw_size != ie->raw_size || b.min_frame != ie->min_frame)))
		return err_set_at(e, ERR_CORRUPT, r->path, ERR_AT_OFFSET,
				  ie->offset,
				  "block header disagrees with the index (%s block)",
				  block_type_name(want_type));
	if (b.raw_size > CACHE_BLOCK_RAW_MAX ||
	    (uint64_t)b.nrecs * b.rec_size != b.raw_size ||
	    (b.filter != CACHE_FILTER_NONE && b.rec_size == 0))
		return err_set_at(e, ERR_CORRUPT, r->path, ERR_AT_OFFSET,
				  ie->offset, "bad block sizes (%u records of %u bytes, %u bytes)",
				  b.nrecs, b.rec_size, b.raw_size);
	if ((rc = grow_buf(r, &r->comp, &r->comp_cap, b.comp_size, e)) ||
	    (rc = read_at(r, r->comp, b.comp_size,
			  ie->offset + CACHE_BLOCK_HEADER_SIZE, e)))
		return rc;
	if (crc32c(0, r->comp, b.comp_size) != b.crc)
		return err_set_at(e, ERR_CORRUPT, r->path, ERR_AT_OFFSET,
				  ie->offset, "checksum mismatch in %s block",
				  block_type_name(want_type));
	if (b.filter == CACHE_FILTER_COLUMNS && (rc = read_columns(r, &b, e)))
		return rc;
	*out = b;
	return 0;
}

/*
 * Decompresses block b's payload (in r->comp, from read_block) into dst,
 * raw_size bytes, still filtered.  With filter 4, only the columns that
 * hold a byte of a field in `need` (PKT_BIT set; ~0: every column), and
 * of those only the ones not decompressed yet.
 */
static int inflate_block(struct cache_reader *r, const struct cache_block *b,
			 uint8_t *dst, uint32_t need, struct err *e)
{
	const uint8_t *src = r->comp;
	size_t got, want = b->raw_size, len = b->comp_size;

	if (b->filter != CACHE_FILTER_COLUMNS) {
		got = ZSTD_decompressDCtx(r->zd, dst, want, src, len);
		goto check;
	}
	for (uint32_t i = 0; i < r->ncols; i++) {
		struct column *c = &r->cols[i];
		bool wanted = need == UINT32_MAX;

		for (unsigned f = 0; f < PKT_NFIELDS && !wanted; f++)
			wanted = (need >> f & 1) &&
				 cache_pkt_field_off[f] < c->at + c->width &&
				 c->at < cache_pkt_field_off[f] + cache_pkt_field_size[f];
		if (!wanted || c->done)
			continue;
		want = (size_t)c->width * b->nrecs;
		got = ZSTD_decompressDCtx(r->zd, dst + (size_t)c->at * b->nrecs,
					  want, src + c->comp_off, c->comp_len);
		if (ZSTD_isError(got) || got != want)
			goto check;
		c->done = true;
	}
	return 0;
check:
	if (ZSTD_isError(got) || got != want)
		return err_set_at(e, ERR_CORRUPT, r->path, ERR_AT_OFFSET,
				  b->offset, "cannot decompress %s block: %s",
				  block_type_name(b->type),
				  ZSTD_isError(got) ? ZSTD_getErrorName(got) :
						      "wrong size");
	return 0;
}

/*
 * Reads, checks and decompresses index entry ie's block (or the index
 * block itself); returns a malloc'd buffer of b->raw_size bytes, still
 * filtered.
 */
static int load_block_raw(struct cache_reader *r, const struct cache_block *ie,
			  unsigned want_type, uint8_t **out,
			  struct cache_block *hdr, struct err *e)
{
	struct cache_block b;
	uint8_t *raw;
	int rc;

	*out = NULL;
	if ((rc = read_block(r, ie, want_type, &b, e)))
		return rc;
	if (!(raw = malloc(b.raw_size ? b.raw_size : 1)))
		return err_set(e, ERR_NOMEM, r->path, "out of memory");
	if ((rc = inflate_block(r, &b, raw, UINT32_MAX, e))) {
		free(raw);
		return rc;
	}
	*out = raw;
	if (hdr)
		*hdr = b;
	return 0;
}

/* Undoes block b's filter: its decompressed bytes `raw` into recs, the
 * records as the writer encoded them. */
static void unfilter(uint8_t *recs, const uint8_t *raw, const struct cache_block *b)
{
	if (b->filter == CACHE_FILTER_NONE) {
		memcpy(recs, raw, b->raw_size);
		return;
	}
	cache_unshuffle(recs, raw, b->nrecs, b->rec_size);
	if (b->filter >= CACHE_FILTER_DELTA_SHUFFLE)
		cache_delta_decode(recs, b->nrecs, b->rec_size,
				   delta_restart(b->filter));
}

/*
 * Reads, checks and decompresses a block (load_block_raw), then undoes
 * its filter: the records as the writer encoded them.
 */
static int load_block(struct cache_reader *r, const struct cache_block *ie,
		      unsigned want_type, uint8_t **out, struct cache_block *hdr,
		      struct err *e)
{
	struct cache_block b;
	uint8_t *raw, *recs;
	int rc;

	if ((rc = load_block_raw(r, ie, want_type, &raw, &b, e)))
		return rc;
	if (b.filter != CACHE_FILTER_NONE) {
		recs = malloc(b.raw_size ? b.raw_size : 1);
		if (!recs) {
			free(raw);
			return err_set(e, ERR_NOMEM, r->path, "out of memory");
		}
		unfilter(recs, raw, &b);
		free(raw);
		raw = recs;
	}
	*out = raw;
	if (hdr)
		*hdr = b;
	return 0;
}

static int typelist_add(struct typelist *t, uint32_t idx, uint32_t nrecs)
{
	uint32_t *b = realloc(t->blk, (t->n + 1) * sizeof(*b));
	uint64_t *f;

	if (!b)
		return -1;
	t->blk = b;
	f = realloc(t->first, (t->n + 1) * sizeof(*f));
	if (!f)
		return -1;
	t->first = f;
	t->blk[t->n] = idx;
	t->first[t->n] = t->total;
	t->total += nrecs;
	t->n++;
	return 0;
}

/* The block of t holding record number `rec`, and the row within it. */
static int typelist_find(const struct typelist *t, uint64_t rec, uint32_t *k,
			 uint32_t *row)
{
	uint32_t lo = 0, hi = t->n;

	if (rec >= t->total)
		return -1;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (t->first[mid] <= rec)
			lo = mid;
		else
			hi = mid;
	}
	*k = lo;
	*row = (uint32_t)(rec - t->first[lo]);
	return 0;
}

/* Block k of t, decompressed, through t's one-block cache. */
static int typelist_load(struct cache_reader *r, struct typelist *t,
			 unsigned type, uint32_t k, const uint8_t **raw,
			 struct err *e)
{
	uint32_t idx = t->blk[k];
	uint8_t *buf;
	int rc;

	if (t->cache.idx != idx) {
		if ((rc = load_block(r, &r->index[idx], type, &buf, NULL, e)))
			return rc;
		free(t->cache.raw);
		t->cache.raw = buf;
		t->cache.idx = idx;
	}
	*raw = t->cache.raw;
	return 0;
}

static int check_rec_size(struct cache_reader *r, const struct cache_block *b,
			  uint32_t want, struct err *e)
{
	if (b->nrecs && b->raw_size / b->nrecs != want)
		return err_set_at(e, ERR_CORRUPT, r->path, ERR_AT_OFFSET,
				  b->offset,
				  "bad record size in %s block (expected %u, got %u)",
				  block_type_name(b->type), want,
				  b->raw_size / b->nrecs);
	return 0;
}

static int read_meta(struct cache_reader *r, uint32_t idx, struct err *e)
{
	uint8_t *raw;
	struct cache_block hb;
	struct { const uint8_t *p; size_t n, off; } s;	/* cursor over raw */
	char *dst[3] = { r->meta.source, r->meta.filter, r->meta.tool };
	size_t cap[3] = { sizeof(r->meta.source), sizeof(r->meta.filter),
			  sizeof(r->meta.tool) };
	uint32_t fixed;
	int rc;

	if ((rc = load_block(r, &r->index[idx], CACHE_BLK_META, &raw, &hb, e)))
		return rc;
	s.p = raw;
	s.n = hb.raw_size;
	rc = err_set_at(e, ERR_CORRUPT, r->path, ERR_AT_OFFSET, hb.offset,
			"bad provenance record");
	if (s.n < 4)
		goto out_free;
	fixed = get_le32(raw);
	if (fixed < CACHE_META_FIXED_SIZE || fixed > s.n - 4)
		goto out_free;
	record_meta_decode(raw + 4, &r->meta.f);
	s.off = 4 + (size_t)fixed;
	for (int i = 0; i < 3; i++) {
		size_t len;
		if (s.n - s.off < 2)
			goto out_free;
		len = get_le16(s.p + s.off);
		s.off += 2;
		if (len > s.n - s.off || len >= cap[i])
			goto out_free;
		memcpy(dst[i], s.p + s.off, len);
		dst[i][len] = '\0';
		s.off += len;
	}
	rc = 0;
	err_clear(e);
out_free:
	free(raw);
	return rc;
}

static int open_index(struct cache_reader *r, struct err *e)
{
	uint8_t h[CACHE_HEADER_SIZE], f[CACHE_FOOTER_SIZE];
	struct cache_block ie = { 0 }, hb;
	uint8_t *raw;
	uint64_t index_off, data_end;
	int64_t meta_idx = -1;
	int rc;

	memset(h, 0, sizeof(h));
	if (r->size > 0 &&
	    (rc = read_at(r, h, r->size < sizeof(h) ? r->size : sizeof(h), 0, e)))
		return rc;
	if (r->size < 8 || memcmp(h, CACHE_MAGIC, 8) != 0)
		return err_set_at(e, ERR_FORMAT, r->path, ERR_AT_OFFSET, 0,
				  "not a tcpsift cache (bad magic)");
	if (r->size < CACHE_HEADER_SIZE)
		return err_set_at(e, ERR_TRUNCATED, r->path, ERR_AT_OFFSET,
				  r->size, "truncated cache (header cut short)");
	r->major = get_le16(h + 8);
	r->minor = get_le16(h + 10);
	if (r->major < 1 || r->major > CACHE_MAJOR)
		return err_set_at(e, ERR_FORMAT, r->path, ERR_AT_OFFSET, 8,
				  "cache format %u.%u is not supported (this tcpsift reads 1.x to %u.x)",
				  r->major, r->minor, CACHE_MAJOR);
	if (get_le32(h + 60) != crc32c(0, h, 60))
		return err_set_at(e, ERR_CORRUPT, r->path, ERR_AT_OFFSET, 60,
				  "header checksum mismatch");
	r->pkt_size = get_le32(h + 20);
	r->conn_size = get_le32(h + 24);
	r->chunk_size = get_le32(h + 28);
	r->dir_size = get_le32(h + 32);
	if (get_le32(h + 12) != CACHE_HEADER_SIZE ||
	    get_le32(h + 16) != CACHE_BLOCK_HEADER_SIZE ||
	    get_le32(h + 40) != CACHE_INDEX_ENTRY_SIZE)
		return err_set_at(e, ERR_CORRUPT, r->path, ERR_AT_OFFSET, 12,
				  "bad header sizes");
	if (r->pkt_size < CACHE_PKT_SIZE_1_0 || r->conn_size < CACHE_CONN_SIZE_1_0 ||
	    r->chunk_size < CACHE_CHUNK_SIZE || r->dir_size < CACHE_STREAMDIR_SIZE ||
	    get_le32(h + 36) < CACHE_META_FIXED_SIZE)
		return err_set_at(e, ERR_CORRUPT, r->path, ERR_AT_OFFSET, 20,
				  "bad record size (expected at least %d, got %u)",
				  CACHE_PKT_SIZE_1_0, r->pkt_size);

	if (r->size < CACHE_HEADER_SIZE + CACHE_FOOTER_SIZE)
		return err_set_at(e, ERR_TRUNCATED, r->path, ERR_AT_OFFSET,
				  r->size, "truncated cache (no footer)");
	if ((rc = read_at(r, f, sizeof(f), r->size - CACHE_FOOTER_SIZE, e)))
		return rc;
	if (memcmp(f + 16, CACHE_FOOTER_MAGIC, 8) != 0 ||
	    get_le32(f + 28) != crc32c(0, f, 28) || get_le64(f + 8) != r->size)
		return err_set_at(e, ERR_TRUNCATED, r->path, ERR_AT_OFFSET,
				  r->size - CACHE_FOOTER_SIZE,
				  "truncated or incomplete cache (no valid footer at the end)");
	index_off = get_le64(f);
	data_end = r->size - CACHE_FOOTER_SIZE;
	if (index_off < CACHE_HEADER_SIZE ||
	    index_off > data_end - CACHE_BLOCK_HEADER_SIZE)
		return err_set_at(e, ERR_CORRUPT, r->path, ERR_AT_OFFSET,
				  r->size - CACHE_FOOTER_SIZE,
				  "bad index offset %llu",
				  (unsigned long long)index_off);
	ie.offset = index_off;
	if ((rc = load_block(r, &ie, CACHE_BLK_INDEX, &raw, &hb, e)))
		return rc;
	if (hb.rec_size != CACHE_INDEX_ENTRY_SIZE ||
	    index_off + CACHE_BLOCK_HEADER_SIZE + hb.comp_size != data_end) {
		free(raw);
		return err_set_at(e, ERR_CORRUPT, r->path, ERR_AT_OFFSET,
				  index_off, "bad index block");
	}
	r->nindex = hb.nrecs;
	r->index = calloc(r->nindex ? r->nindex : 1, sizeof(*r->index));
	if (!r->index) {
		free(raw);
		return err_set(e, ERR_NOMEM, r->path, "out of memory");
	}
	rc = 0;
	for (uint32_t i = 0; i < r->nindex && !rc; i++) {
		struct cache_block *b = &r->index[i];
		struct typelist *t = NULL;

		cache_index_entry_decode(raw + (size_t)i * CACHE_INDEX_ENTRY_SIZE, b);
		if (b->offset < CACHE_HEADER_SIZE ||
		    b->offset > index_off - CACHE_BLOCK_HEADER_SIZE ||
		    b->comp_size > index_off - CACHE_BLOCK_HEADER_SIZE - b->offset) {
			rc = err_set_at(e, ERR_CORRUPT, r->path, ERR_AT_OFFSET,
					index_off, "index entry %u out of range", i);
			break;
		}
		switch (b->type) {
		case CACHE_BLK_PKT: t = &r->pkt; rc = check_rec_size(r, b, r->pkt_size, e); break;
		case CACHE_BLK_CONN: t = &r->conn; rc = check_rec_size(r, b, r->conn_size, e); break;
		case CACHE_BLK_CHUNK: t = &r->chunk; rc = check_rec_size(r, b, r->chunk_size, e); break;
		case CACHE_BLK_STREAMDIR: t = &r->dir; rc = check_rec_size(r, b, r->dir_size, e); break;
		case CACHE_BLK_META: meta_idx = i; break;
		default: break;	/* a later minor version's block: skip */
		}
		if (!rc && t && typelist_add(t, i, b->nrecs))
			rc = err_set(e, ERR_NOMEM, r->path, "out of memory");
	}
	free(raw);
	if (rc)
		return rc;
	if (meta_idx < 0)
		return err_set_at(e, ERR_CORRUPT, r->path, ERR_AT_OFFSET,
				  index_off, "no provenance block");
	if (r->dir.total < r->conn.total || r->dir.total > UINT32_MAX)
		return err_set_at(e, ERR_CORRUPT, r->path, ERR_AT_OFFSET,
				  index_off,
				  "stream directory and connections disagree (%llu, %llu)",
				  (unsigned long long)r->dir.total,
				  (unsigned long long)r->conn.total);
	return read_meta(r, (uint32_t)meta_idx, e);
}

int cache_open(struct cache_reader **out, const char *path, struct err *e)
{
	struct cache_reader *r;
	struct stat st;
	int rc;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return err_set(e, ERR_NOMEM, path, "out of memory");
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->pkt.cache.idx = r->conn.cache.idx = r->chunk.cache.idx =
		r->dir.cache.idx = -1;
	r->rawidx = -1;
	r->fd = open(path, O_RDONLY);
	if (r->fd < 0) {
		rc = err_set(e, ERR_IO, path, "cannot open: %s", strerror(errno));
		goto out_free;
	}
	if (fstat(r->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = err_set(e, ERR_IO, path, "not a regular file");
		goto out_free;
	}
	r->size = (uint64_t)st.st_size;
	r->zd = ZSTD_createDCtx();
	if (!r->zd) {
		rc = err_set(e, ERR_NOMEM, path, "out of memory");
		goto out_free;
	}
	if ((rc = open_index(r, e)))
		goto out_free;
	*out = r;
	return 0;
out_free:
	cache_close(r);
	return rc;
}

static void typelist_release(struct typelist *t)
{
	free(t->blk);
	free(t->first);
	free(t->cache.raw);
}

void cache_close(struct cache_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	typelist_release(&r->pkt);
	typelist_release(&r->conn);
	typelist_release(&r->chunk);
	typelist_release(&r->dir);
	free(r->rawblk);
	free(r->rows);
	ZSTD_freeDCtx(r->zd);
	free(r->index);
	free(r->comp);
	free(r->cols);
	free(r->planes);
	free(r->vals);
	free(r);
}

const char *cache_path(const struct cache_reader *r) { return r->path; }
const struct cache_meta *cache_meta(const struct cache_reader *r) { return &r->meta; }
uint64_t cache_file_size(const struct cache_reader *r) { return r->size; }
uint32_t cache_nconns(const struct cache_reader *r) { return (uint32_t)r->conn.total; }
uint32_t cache_nstreams(const struct cache_reader *r) { return (uint32_t)r->dir.total; }
uint64_t cache_npkts(const struct cache_reader *r) { return r->pkt.total; }

void cache_version(const struct cache_reader *r, unsigned *major,
		   unsigned *minor)
{
	*major = r->major;
	*minor = r->minor;
}

/*
 * Records of an older minor version are shorter: decode them through a
 * zero-filled copy (tmp, want bytes), so the fields they lack read as zero.
 */
static const uint8_t *padded(const uint8_t *p, size_t have, uint8_t *tmp,
			     size_t want)
{
	if (have >= want)
		return p;
	memset(tmp, 0, want);
	memcpy(tmp, p, have);
	return tmp;
}

static void pkt_decode(const struct cache_reader *r, const uint8_t *p,
		       struct cache_pkt *out)
{
	uint8_t tmp[CACHE_PKT_SIZE];

	record_pkt_decode(padded(p, r->pkt_size, tmp, sizeof(tmp)), out);
}

static void conn_decode(const struct cache_reader *r, const uint8_t *p,
			struct cache_conn *out)
{
	uint8_t tmp[CACHE_CONN_SIZE];

	record_conn_decode(padded(p, r->conn_size, tmp, sizeof(tmp)), out);
}

static int corrupt_rec(struct cache_reader *r, struct typelist *t, uint32_t k,
		       const char *what, struct err *e)
{
	return err_set_at(e, ERR_CORRUPT, r->path, ERR_AT_OFFSET,
			  r->index[t->blk[k]].offset, "%s", what);
}

int cache_conn_get(struct cache_reader *r, uint32_t stream,
		   struct cache_conn *out, struct err *e)
{
	const uint8_t *raw;
	uint32_t k = 0, row = 0, connno;
	int rc;

	if (typelist_find(&r->dir, stream, &k, &row))
		return err_set(e, ERR_USAGE, r->path, "no stream %u (the cache has %llu)",
			       stream, (unsigned long long)r->dir.total);
	if ((rc = typelist_load(r, &r->dir, CACHE_BLK_STREAMDIR, k, &raw, e)))
		return rc;
	connno = get_le32(raw + (size_t)row * r->dir_size);
	if (connno == UINT32_MAX)
		return err_set(e, ERR_USAGE, r->path,
			       "stream %u has no packets in this cache (all filtered out at extraction)",
			       stream);
	if (typelist_find(&r->conn, connno, &k, &row))
		return corrupt_rec(r, &r->dir, k, "stream directory entry out of range", e);
	if ((rc = typelist_load(r, &r->conn, CACHE_BLK_CONN, k, &raw, e)))
		return rc;
	conn_decode(r, raw + (size_t)row * r->conn_size, out);
	if (out->stream != stream)
		return corrupt_rec(r, &r->conn, k, "connection record has the wrong stream", e);
	return 0;
}

int cache_conns_load(struct cache_reader *r, struct cache_conn **out,
		     size_t *count, struct err *e)
{
	uint64_t n = r->dir.total;	/* streams; some may have no record */
	struct cache_conn *all = calloc(n ? n : 1, sizeof(*all));
	uint8_t *seen = calloc(n ? n : 1, 1);
	size_t kept = 0;
	int rc = 0;

	*out = NULL;
	*count = 0;
	if (!all || !seen) {
		rc = err_set(e, ERR_NOMEM, r->path, "out of memory");
		goto out_free;
	}
	for (uint32_t k = 0; k < r->conn.n && !rc; k++) {
		const uint8_t *raw;
		uint32_t nrecs = r->index[r->conn.blk[k]].nrecs;

		if ((rc = typelist_load(r, &r->conn, CACHE_BLK_CONN, k, &raw, e)))
			break;
		for (uint32_t i = 0; i < nrecs; i++) {
			struct cache_conn c;
			conn_decode(r, raw + (size_t)i * r->conn_size, &c);
			if (c.stream >= n || seen[c.stream]) {
				rc = corrupt_rec(r, &r->conn, k,
						 "connection record with a bad or repeated stream", e);
				break;
			}
			seen[c.stream] = 1;
			all[c.stream] = c;
		}
	}
	if (rc)
		goto out_free;
	for (uint64_t i = 0; i < n; i++)	/* close the filtered-out gaps */
		if (seen[i])
			all[kept++] = all[i];
	*out = all;
	*count = kept;
	all = NULL;
out_free:
	free(all);
	free(seen);
	return rc;
}

int cache_conns_each(struct cache_reader *r, cache_conn_fn fn, void *arg,
		     struct err *e)
{
	struct cache_conn *all;
	size_t n;
	int rc;

	if ((rc = cache_conns_load(r, &all, &n, e)))
		return rc;
	for (size_t i = 0; i < n && !rc; i++)
		rc = fn(arg, &all[i]);
	free(all);
	return rc < 0 ? rc : 0;
}

/*
 * Rows [row, row + count) of PKT block k, decoded: only those rows are
 * unshuffled (and delta-decoded from the restart point before them), so
 * reading one connection does not decode whole blocks of others.
 */
static int chunk_rows(struct cache_reader *r, uint32_t k, uint32_t row,
		      uint32_t count, const uint8_t **out, struct err *e)
{
	uint32_t idx = r->pkt.blk[k], first = row, n;
	size_t stride = r->pkt_size, need;
	int rc;

	if (r->rawidx != idx) {
		free(r->rawblk);
		r->rawblk = NULL;
		r->rawidx = -1;
		if ((rc = load_block_raw(r, &r->index[idx], CACHE_BLK_PKT,
					 &r->rawblk, &r->rawhdr, e)))
			return rc;
		r->rawidx = idx;
	}
	if (r->rawhdr.filter == CACHE_FILTER_NONE) {
		*out = r->rawblk + (size_t)row * stride;
		return 0;
	}
	if (r->rawhdr.filter == CACHE_FILTER_DELTA_SHUFFLE)
		first = 0;	/* no restart points: decode from the top */
	else	/* filters 3 and 4 */
		first = row - row % CACHE_DELTA_RESTART;
	n = row + count - first;
	need = (size_t)n * stride;
	if ((rc = grow_buf(r, &r->rows, &r->rowscap, need ? need : 1, e)))
		return rc;
	cache_unshuffle_rows(r->rows, r->rawblk, r->rawhdr.nrecs, stride, first, n);
	if (r->rawhdr.filter >= CACHE_FILTER_DELTA_SHUFFLE)
		cache_delta_decode(r->rows, n, stride,
				   delta_restart(r->rawhdr.filter));
	*out = r->rows + (size_t)(row - first) * stride;
	return 0;
}

int cache_conn_pkts(struct cache_reader *r, const struct cache_conn *c,
		    cache_pkt_fn fn, void *arg, struct err *e)
{
	uint64_t last_frame = 0;
	int rc = 0;

	if (c->n_chunks > r->chunk.total ||
	    c->first_chunk > r->chunk.total - c->n_chunks)
		return err_set(e, ERR_CORRUPT, r->path,
			       "stream %u: chunk range out of bounds", c->stream);
	for (uint64_t i = 0; i < c->n_chunks && !rc; i++) {
		const uint8_t *raw;
		struct cache_chunk ch;
		uint32_t k = 0, row = 0;
		const struct cache_block *pb;

		if (typelist_find(&r->chunk, c->first_chunk + i, &k, &row))
			return err_set(e, ERR_CORRUPT, r->path,
				       "stream %u: chunk out of range", c->stream);
		if ((rc = typelist_load(r, &r->chunk, CACHE_BLK_CHUNK, k, &raw, e)))
			return rc;
		record_chunk_decode(raw + (size_t)row * r->chunk_size, &ch);
		if (ch.stream != c->stream || ch.block >= r->pkt.n)
			return corrupt_rec(r, &r->chunk, k, "bad chunk record", e);
		pb = &r->index[r->pkt.blk[ch.block]];
		if (ch.row > pb->nrecs || ch.count > pb->nrecs - ch.row)
			return corrupt_rec(r, &r->chunk, k, "chunk record out of range", e);
		if ((rc = chunk_rows(r, ch.block, ch.row, ch.count, &raw, e)))
			return rc;
		for (uint32_t j = 0; j < ch.count && !rc; j++) {
			struct cache_pkt p;
			pkt_decode(r, raw + (size_t)j * r->pkt_size, &p);
			if (p.stream != c->stream || p.frame <= last_frame)
				return corrupt_rec(r, &r->pkt, ch.block,
						   "packet record out of place", e);
			last_frame = p.frame;
			rc = fn(arg, &p);
		}
	}
	return rc < 0 ? rc : 0;
}

int cache_blocks_each(struct cache_reader *r, cache_block_fn fn, void *arg,
		      struct err *e)
{
	int rc = 0;

	for (uint32_t i = 0; i < r->nindex && !rc; i++) {
		struct cache_block hb;
		uint8_t *raw;

		if ((rc = load_block(r, &r->index[i], r->index[i].type, &raw, &hb, e)))
			break;
		rc = fn(arg, hb.type, hb.filter, hb.nrecs, hb.rec_size, raw);
		free(raw);
	}
	return rc < 0 ? rc : 0;
}

/* --- frame-order merge --------------------------------------------------- */

struct lblock {
	uint8_t *raw;		/* decoded records, n of them */
	uint32_t n;
	uint32_t refs;		/* runs not yet exhausted */
};

struct run {
	struct lblock *b;
	uint32_t pos, end;	/* rows [pos, end) left */
	uint64_t frame;		/* frame at pos */
};

struct heap {
	struct run *v;
	size_t n, cap;
};

static int heap_push(struct heap *h, struct run x)
{
	size_t i;

	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		struct run *q = realloc(h->v, cap * sizeof(*q));
		if (!q)
			return -1;
		h->v = q;
		h->cap = cap;
	}
	i = h->n++;
	while (i > 0 && h->v[(i - 1) / 2].frame > x.frame) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = x;
	return 0;
}

/* Replaces the top with x (or removes it when x is NULL) and sifts down. */
static void heap_replace_top(struct heap *h, const struct run *x)
{
	struct run last;
	size_t i = 0;

	if (x) {
		last = *x;
	} else {
		last = h->v[--h->n];
		if (h->n == 0)
			return;
	}
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1].frame < h->v[c].frame)
			c++;
		if (h->v[c].frame >= last.frame)
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	h->v[i] = last;
}

/*
 * Tests every record of filter 4 block b with pf->keep, decoding only the
 * fields pf->need names (from the columns that hold them), into match[];
 * the number kept.
 */
static int prefilter_columns(struct cache_reader *r, const struct cache_block *b,
			     const struct cache_pkt_filter *pf, uint8_t *match,
			     uint32_t *kept, struct err *e)
{
	uint32_t need = cache_pkt_columns_for(pf->need, b->rec_size);
	uint32_t n = b->nrecs, k = 0;
	const uint64_t *col[PKT_NFIELDS] = { 0 };
	unsigned fields[PKT_NFIELDS], nfields = 0;
	struct cache_pkt p = { 0 };	/* the fields not set stay 0 */
	int rc;

	for (uint32_t m = need; m; m &= m - 1)
		k++;
	if ((rc = grow_buf(r, &r->vals, &r->vals_cap, (size_t)k * n * 8 + 8, e)) ||
	    (rc = inflate_block(r, b, r->planes, need, e)))
		return rc;
	k = 0;
	for (unsigned f = 0; f < PKT_NFIELDS; f++)	/* frame comes first */
		if (need >> f & 1) {
			uint64_t *v = r->vals + (size_t)k++ * n;
			cache_pkt_column(v, r->planes, n, b->rec_size, f,
					 col[PKT_FI_frame]);
			col[f] = v;
			fields[nfields++] = f;
		}
	k = 0;
	for (uint32_t i = 0; i < n; i++) {
		for (unsigned j = 0; j < nfields; j++)
			switch (fields[j]) {
#define PKT_FIELD(type, name, doc) \
			case PKT_FI_##name: \
				p.name = (REC_CTYPE_##type)col[PKT_FI_##name][i]; \
				break;
#include "pkt_fields.def"
#undef PKT_FIELD
			}
		match[i] = pf->keep(pf->arg, &p);
		k += match[i];
	}
	*kept = k;
	return 0;
}

/*
 * Block ie's records for a frame-order scan, decoded, into lb: all of
 * them, or with pf only those pf->keep passes (lb->n may then be 0).  A
 * filter 4 block is tested on the columns pf needs and decoded whole only
 * when some record passes.
 */
static int load_scan_block(struct cache_reader *r, const struct cache_block *ie,
			   const struct cache_pkt_filter *pf, struct lblock *lb,
			   struct err *e)
{
	struct cache_block b;
	size_t stride;
	uint8_t *recs = NULL, *match = NULL;
	uint32_t kept = 0;
	int rc;

	if ((rc = read_block(r, ie, CACHE_BLK_PKT, &b, e)) ||
	    (rc = grow_buf(r, &r->planes, &r->planes_cap, (size_t)b.raw_size + 1, e)))
		return rc;
	stride = b.rec_size;
	if (pf && !(match = malloc(b.nrecs + 1)))
		return err_set(e, ERR_NOMEM, r->path, "out of memory");
	if (pf && b.filter == CACHE_FILTER_COLUMNS) {
		if ((rc = prefilter_columns(r, &b, pf, match, &kept, e)))
			goto out;
		if (kept == 0)
			goto out;
	}
	if ((rc = inflate_block(r, &b, r->planes, UINT32_MAX, e)))
		goto out;
	if (!(recs = malloc(b.raw_size + 1))) {
		rc = err_set(e, ERR_NOMEM, r->path, "out of memory");
		goto out;
	}
	unfilter(recs, r->planes, &b);
	if (pf && b.filter != CACHE_FILTER_COLUMNS)
		for (uint32_t i = 0; i < b.nrecs; i++) {
			struct cache_pkt p;
			pkt_decode(r, recs + i * stride, &p);
			match[i] = pf->keep(pf->arg, &p);
			kept += match[i];
		}
	if (pf) {	/* keep the passing records, in block order */
		uint32_t j = 0;
		uint8_t *q;

		for (uint32_t i = 0; i < b.nrecs; i++)
			if (match[i])
				memmove(recs + j++ * stride, recs + i * stride, stride);
		if (kept && (q = realloc(recs, kept * stride)))
			recs = q;	/* held until merged: no more than needed */
	} else {
		kept = b.nrecs;
	}
out:
	free(match);
	if (rc || kept == 0) {
		free(recs);
		recs = NULL;
		kept = 0;
	}
	lb->raw = recs;
	lb->n = kept;
	return rc;
}

int cache_pkts_each(struct cache_reader *r, cache_pkt_fn fn, void *arg,
		    struct err *e)
{
	return cache_pkts_scan(r, NULL, fn, arg, e);
}

int cache_pkts_scan(struct cache_reader *r, const struct cache_pkt_filter *pf,
		    cache_pkt_fn fn, void *arg, struct err *e)
{
	uint32_t nb = r->pkt.n, next = 0;
	uint64_t *suffix_min = malloc(((size_t)nb + 1) * sizeof(*suffix_min));
	struct heap h = { 0 };
	uint64_t last_frame = 0;
	int rc = 0;

	if (!suffix_min)
		return err_set(e, ERR_NOMEM, r->path, "out of memory");
	suffix_min[nb] = UINT64_MAX;
	for (uint32_t k = nb; k-- > 0;) {
		uint64_t m = r->index[r->pkt.blk[k]].min_frame;
		suffix_min[k] = m < suffix_min[k + 1] ? m : suffix_min[k + 1];
	}
	for (;;) {
		struct run *top;
		struct cache_pkt p;

		while (next < nb && (h.n == 0 || h.v[0].frame >= suffix_min[next])) {
			const struct cache_block *ib = &r->index[r->pkt.blk[next]];
			struct lblock *lb = calloc(1, sizeof(*lb));
			uint32_t start = 0;

			if (!lb) {
				rc = err_set(e, ERR_NOMEM, r->path, "out of memory");
				goto out_free;
			}
			if ((rc = load_scan_block(r, ib, pf, lb, e))) {
				free(lb);
				goto out_free;
			}
			/* split into ascending runs */
			for (uint32_t i = 1; i <= lb->n; i++) {
				if (i < lb->n &&
				    get_le64(lb->raw + (size_t)i * r->pkt_size) >
				    get_le64(lb->raw + (size_t)(i - 1) * r->pkt_size))
					continue;
				struct run x = { lb, start, i,
						 get_le64(lb->raw + (size_t)start * r->pkt_size) };
				if (heap_push(&h, x)) {
					rc = err_set(e, ERR_NOMEM, r->path, "out of memory");
					goto out_free;
				}
				lb->refs++;
				start = i;
			}
			if (lb->refs == 0) {
				free(lb->raw);
				free(lb);
			}
			next++;
		}
		if (h.n == 0)
			break;
		top = &h.v[0];
		pkt_decode(r, top->b->raw + (size_t)top->pos * r->pkt_size, &p);
		if (p.frame <= last_frame) {
			rc = err_set(e, ERR_CORRUPT, r->path,
				     "packet records out of order (frame %llu after %llu)",
				     (unsigned long long)p.frame,
				     (unsigned long long)last_frame);
			goto out_free;
		}
		last_frame = p.frame;
		if ((rc = fn(arg, &p)) != 0)
			goto out_free;
		if (++top->pos < top->end) {
			struct run x = *top;
			x.frame = get_le64(x.b->raw + (size_t)x.pos * r->pkt_size);
			heap_replace_top(&h, &x);
		} else {
			struct lblock *lb = top->b;
			heap_replace_top(&h, NULL);
			if (--lb->refs == 0) {
				free(lb->raw);
				free(lb);
			}
		}
	}
out_free:
	/* free blocks still referenced by runs left in the heap */
	for (size_t i = 0; i < h.n; i++) {
		struct lblock *lb = h.v[i].b;
		if (--lb->refs == 0) {
			free(lb->raw);
			free(lb);
		}
	}
	free(h.v);
	free(suffix_min);
	return rc < 0 ? rc : 0;
}
