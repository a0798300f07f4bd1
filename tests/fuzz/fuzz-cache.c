/*
 * fuzz-cache.c - libFuzzer target for the cache reader.
 *
 * Writes a cache to a temporary file and reads it the way the reports do:
 * cache_open, every connection, every packet in frame order, the packets
 * a test on three fields passes, then connection 0 and its packets.  Any
 * return code is fine (a corrupt cache is ordinary input); a crash, a
 * sanitizer report, a leak or an error without a message is not.  The
 * callbacks touch every field so ASan and UBSan see uninitialised or
 * out-of-range values.
 *
 * Two input forms.  A cache as written (it starts with the magic 0x89)
 * is used as is: this tests the checksums, which stop almost every
 * mutation.  An "unpacked" cache, 'U' followed by the same layout but
 * with each block's payload uncompressed (records as decoded: not
 * shuffled, no deltas) and its comp_size field holding that raw length, is
 * packed here: payloads get the block's filter (delta, shuffle) and are
 * zstd-compressed, and every
 * checksum, block offset (in index entries and the footer, where they
 * named a block of the input), comp_size and the file size are set right.
 * So mutations reach the record decoding and the index logic behind the
 * checksums.  A filter 4 block's unpacked payload is its column directory
 * (frame sizes ignored) and then the records; the packer cuts the
 * columns by the directory's widths.  Fields the fuzzer controls stay as
 * it left them (raw_size, nrecs, rec_size, types, sizes in the header).
 * tests/fuzz/make-corpus.sh writes seeds of both forms.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "bytes.h"
#include "cache.h"
#include "cache_int.h"
#include "crc32c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint64_t sink;
static char path[64];		/* the temporary file, made on the first call */

static void remove_path(void)
{
	unlink(path);
}

/* Checks an error the reader returned: it must say something. */
static void check_err(int rc, const struct err *e)
{
	if (rc < 0 && rc != ERR_USAGE && e->msg[0] == '\0')
		abort();
}

/*
 * Checks an outcome; with FUZZ_CACHE_VERBOSE set also prints it with the
 * number of records seen, to check that the seeds read completely.
 */
static void report(const char *what, int rc, unsigned n, const struct err *e)
{
	char msg[1200];

	check_err(rc, e);
	if (!getenv("FUZZ_CACHE_VERBOSE"))
		return;
	err_format(e, msg, sizeof(msg));
	fprintf(stderr, "%s: %d, %u records%s%s\n", what, rc, n,
		rc ? ": " : "", rc ? msg : "");
}

/* Reads every byte of a record handed over, so sanitizers see them all. */
static void touch(const void *rec, size_t size)
{
	const unsigned char *p = rec;
	uint64_t s = 0;

	for (size_t i = 0; i < size; i++)
		s += p[i];
	sink += s;
}

static int on_conn(void *arg, const struct cache_conn *c)
{
	touch(c, sizeof(*c));
	return ++*(unsigned *)arg > 100000;	/* stop a huge scan early */
}

static int on_pkt(void *arg, const struct cache_pkt *pk)
{
	touch(pk, sizeof(*pk));
	return ++*(unsigned *)arg > 1000000;
}

/* A scan's test on a few fields (the columns path of format 2). */
static bool keep_some(void *arg, const struct cache_pkt *pk)
{
	(void)arg;
	touch(pk, sizeof(*pk));
	return (pk->win ^ pk->analysis ^ pk->acked_frame) & 1;
}

static const struct cache_pkt_filter pf = {
	PKT_BIT(win) | PKT_BIT(analysis) | PKT_BIT(acked_frame), keep_some, NULL
};

enum { MAX_BLOCKS = 1024, MAX_COLS = 4096 };

struct ublock {
	size_t old_off;		/* offset in the unpacked input */
	size_t len;		/* raw payload bytes in the input */
	uint64_t new_off;	/* offset in the packed cache */
	uint32_t comp;		/* compressed payload bytes */
};

/* The packed offset and size of the block at unpacked offset `off`. */
static const struct ublock *ublock_find(const struct ublock *b, size_t n,
					uint64_t off)
{
	for (size_t i = 0; i < n; i++)
		if (b[i].old_off == off)
			return &b[i];
	return NULL;
}

/* The column count of an unpacked filter 4 payload, or 0 when it has no
 * usable directory (it is then packed as one frame). */
static uint32_t ucols(const uint8_t *h, const uint8_t *payload, size_t len)
{
	uint32_t n;

	if (h[6] != CACHE_FILTER_COLUMNS || len < CACHE_COLDIR_HEAD)
		return 0;
	n = get_le32(payload);
	if (n == 0 || n > MAX_COLS ||
	    CACHE_COLDIR_HEAD + (size_t)n * CACHE_COLDIR_ENTRY > len)
		return 0;
	return n;
}

/*
 * Filter 4: the unpacked payload p (len bytes: the column directory, then
 * the records as decoded) as the writer lays it out, into o: the
 * directory with each column's frame size set, then the frames.  The
 * records are delta-coded and shuffled when they fill the block exactly;
 * columns are cut by the directory's widths, clamped to the bytes there
 * are.  Returns the bytes written.
 */
static size_t pack_columns(uint8_t *o, uint8_t *p, size_t len, uint32_t ncols,
			   uint32_t rec, uint32_t nrecs)
{
	size_t head = CACHE_COLDIR_HEAD + (size_t)ncols * CACHE_COLDIR_ENTRY;
	size_t rlen = len - head, at = 0, pos = head;
	uint8_t *recs = p + head, *stage = malloc(rlen + 1);

	if (!stage)
		abort();
	if (rec >= CACHE_PKT_SIZE_1_0 && (uint64_t)rec * nrecs == rlen) {
		cache_delta_encode(recs, nrecs, rec, CACHE_DELTA_RESTART);
		cache_shuffle(stage, recs, nrecs, rec);
	} else {
		memcpy(stage, recs, rlen);
	}
	memcpy(o, p, head);
	for (uint32_t k = 0; k < ncols; k++) {
		uint8_t *d = o + CACHE_COLDIR_HEAD + (size_t)k * CACHE_COLDIR_ENTRY;
		uint64_t want = (uint64_t)get_le32(d) * nrecs;
		size_t n = want < rlen - at ? (size_t)want : rlen - at;
		size_t c = ZSTD_compress(o + pos, ZSTD_compressBound(n), stage + at, n, 1);

		if (ZSTD_isError(c))
			abort();
		put_le32(d + 4, (uint32_t)c);
		pos += c;
		at += n;
	}
	free(stage);
	return pos;
}

/*
 * Packs an unpacked cache (see the top of the file) into *out, a malloc'd
 * buffer of *outn bytes; -1 when the input is too short to hold a header
 * and a footer.
 */
static int pack(const uint8_t *in, size_t n, uint8_t **out, size_t *outn)
{
	static struct ublock b[MAX_BLOCKS];
	size_t nb = 0, end, off, cap, pos, tcap = ZSTD_compressBound(n);
	uint8_t *o, *tmp;

	if (n < CACHE_HEADER_SIZE + CACHE_FOOTER_SIZE)
		return -1;
	end = n - CACHE_FOOTER_SIZE;
	cap = CACHE_HEADER_SIZE + CACHE_FOOTER_SIZE;
	for (off = CACHE_HEADER_SIZE;
	     off + CACHE_BLOCK_HEADER_SIZE <= end && nb < MAX_BLOCKS;) {
		size_t len = get_le32(in + off + 20);
		size_t room = end - off - CACHE_BLOCK_HEADER_SIZE;

		if (len > room)
			len = room;
		b[nb].old_off = off;
		b[nb].len = len;
		cap += CACHE_BLOCK_HEADER_SIZE + ZSTD_compressBound(len) +
		       (size_t)ucols(in + off, in + off + CACHE_BLOCK_HEADER_SIZE,
				     len) * ZSTD_compressBound(0);
		nb++;
		off += CACHE_BLOCK_HEADER_SIZE + len;
	}
	o = calloc(1, cap);
	tmp = malloc(tcap);
	if (!o || !tmp)
		abort();
	memcpy(o, in, CACHE_HEADER_SIZE);
	pos = CACHE_HEADER_SIZE;
	for (size_t i = 0; i < nb; i++) {
		const uint8_t *h = in + b[i].old_off;
		uint8_t *oh = o + pos;
		size_t len = b[i].len, clen;
		uint32_t rec = get_le32(h + 8), nrecs = get_le32(h + 12), ncols;

		memcpy(tmp, h + CACHE_BLOCK_HEADER_SIZE, len);
		if (h[4] == CACHE_BLK_INDEX) {
			/* Entries naming a block of the input follow it. */
			for (size_t k = 0; k + CACHE_INDEX_ENTRY_SIZE <= len;
			     k += CACHE_INDEX_ENTRY_SIZE) {
				const struct ublock *t =
					ublock_find(b, i, get_le64(tmp + k));
				if (t) {
					put_le64(tmp + k, t->new_off);
					put_le32(tmp + k + 16, t->comp);
				}
			}
		}
		if ((ncols = ucols(h, tmp, len)) != 0) {
			clen = pack_columns(oh + CACHE_BLOCK_HEADER_SIZE, tmp,
					    len, ncols, rec, nrecs);
			memcpy(oh, h, CACHE_BLOCK_HEADER_SIZE);
			goto sums;
		}
		/* The writer's filters, where the sizes allow them. */
		if ((h[6] == CACHE_FILTER_DELTA_SHUFFLE ||
		     h[6] == CACHE_FILTER_DELTA_RESTART_SHUFFLE) &&
		    rec >= CACHE_PKT_SIZE_1_0 && (uint64_t)rec * nrecs == len)
			cache_delta_encode(tmp, nrecs, rec,
					   h[6] == CACHE_FILTER_DELTA_RESTART_SHUFFLE ?
					   CACHE_DELTA_RESTART : 0);
		if ((h[6] == CACHE_FILTER_SHUFFLE ||
		     h[6] == CACHE_FILTER_DELTA_SHUFFLE ||
		     h[6] == CACHE_FILTER_DELTA_RESTART_SHUFFLE) && rec > 1 &&
		    (uint64_t)rec * nrecs == len)
			cache_shuffle(oh + CACHE_BLOCK_HEADER_SIZE, tmp, nrecs, rec);
		else
			memcpy(oh + CACHE_BLOCK_HEADER_SIZE, tmp, len);
		/* Compress from the staged bytes into tmp, then back. */
		clen = ZSTD_compress(tmp, tcap, oh + CACHE_BLOCK_HEADER_SIZE, len, 1);
		if (ZSTD_isError(clen) || clen > ZSTD_compressBound(len))
			abort();
		memcpy(oh, h, CACHE_BLOCK_HEADER_SIZE);
		memcpy(oh + CACHE_BLOCK_HEADER_SIZE, tmp, clen);
sums:
		put_le32(oh + 20, (uint32_t)clen);
		put_le32(oh + 32, crc32c(0, oh + CACHE_BLOCK_HEADER_SIZE, clen));
		put_le32(oh + 36, crc32c(0, oh, 36));
		b[i].new_off = pos;
		b[i].comp = (uint32_t)clen;
		pos += CACHE_BLOCK_HEADER_SIZE + clen;
	}
	{
		uint8_t *f = o + pos;
		const struct ublock *t;

		memcpy(f, in + end, CACHE_FOOTER_SIZE);
		t = ublock_find(b, nb, get_le64(f));
		if (t)
			put_le64(f, t->new_off);
		pos += CACHE_FOOTER_SIZE;
		put_le64(f + 8, pos);
		put_le32(f + 28, crc32c(0, f, 28));
	}
	put_le32(o + 60, crc32c(0, o, 60));
	free(tmp);
	*out = o;
	*outn = pos;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *packed = NULL;
	struct cache_reader *r;
	struct cache_conn c;
	struct err e;
	unsigned n;
	int fd, rc;
	FILE *f;

	if (!path[0]) {
		const char *dir = getenv("TMPDIR");

		snprintf(path, sizeof(path), "%s/fuzz-cache-XXXXXX",
			 dir && strlen(dir) < 40 ? dir : "/tmp");
		fd = mkstemp(path);
		if (fd < 0)
			abort();
		close(fd);
		atexit(remove_path);
	}
	if (size > 0 && data[0] == 'U') {
		if (pack(data + 1, size - 1, &packed, &size))
			return 0;
		data = packed;
	}
	f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	free(packed);

	err_clear(&e);
	rc = cache_open(&r, path, &e);
	check_err(rc, &e);
	report("cache_open", rc, 0, &e);
	if (rc)
		return 0;

	sink += cache_nconns(r) + cache_npkts(r) + cache_file_size(r);
	sink += strlen(cache_meta(r)->source) + strlen(cache_meta(r)->tool);

	n = 0;
	err_clear(&e);
	rc = cache_conns_each(r, on_conn, &n, &e);
	report("cache_conns_each", rc, n, &e);
	n = 0;
	err_clear(&e);
	rc = cache_pkts_each(r, on_pkt, &n, &e);
	report("cache_pkts_each", rc, n, &e);
	n = 0;
	err_clear(&e);
	rc = cache_pkts_scan(r, &pf, on_pkt, &n, &e);
	report("cache_pkts_scan", rc, n, &e);
	err_clear(&e);
	rc = cache_conn_get(r, 0, &c, &e);
	report("cache_conn_get", rc, 0, &e);
	if (rc == 0) {
		n = 0;
		err_clear(&e);
		rc = cache_conn_pkts(r, &c, on_pkt, &n, &e);
		report("cache_conn_pkts", rc, n, &e);
	}
	cache_close(r);
	return 0;
}
