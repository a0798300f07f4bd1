/*
 * cache_write.c - the cache writer.
 *
 * Packet records arrive in frame order and are held per connection
 * (struct cache_stream) until a connection has CACHE_CHUNK_MAX of them,
 * ends, or its oldest held record falls CACHE_LAG_MAX records behind the
 * newest; then they are appended as one run (chunk) to the current PKT
 * block.  The lag rule bounds both the writer's memory and the window a
 * frame-order reader must hold.  Connection, chunk and stream-directory
 * records are written as connections end; the stream directory (4 bytes
 * per connection) is the only state that grows with the total number of
 * connections.
 *
 * Held records live in fixed-size pages (struct pkt_page) that the writer
 * keeps on a free list and takes back when a stream is flushed, so once
 * the pending set has reached its largest, adding a record allocates
 * nothing and touches no fresh memory.
 *
 * Does not: sort, seek back, or keep packet records after they are
 * written.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
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

/* Records per page: most connections of a capture fit in one. */
enum { PAGE_RECS = 32 };

/* Encoded packet records of one stream, in order; part of a chain. */
struct pkt_page {
	struct pkt_page *next;
	uint8_t recs[PAGE_RECS * CACHE_PKT_SIZE];
};

struct cache_stream {
	uint32_t stream;
	uint32_t n;			/* records pending */
	struct pkt_page *first, *last;	/* their pages, NULL when n == 0 */
	uint64_t first_seq;		/* writer pkt_seq of the first record */
	struct cache_stream *prev, *next;	/* pending list, by first_seq */
	struct cache_chunk *chunks;	/* runs written so far */
	uint32_t nchunks, capchunks;
};

/* A block being filled: encoded records, flushed when full. */
struct blockbuf {
	uint8_t type;
	uint32_t rec_size;
	uint32_t max_recs;
	uint32_t n;
	uint64_t min_frame;
	uint8_t *recs;
};

/* A block handed to the compression thread; it owns raw. */
struct job {
	uint8_t type;
	uint8_t *raw;
	uint32_t nrecs, rec_size;
	uint64_t min_frame;
};

enum { QMAX = 4 };	/* blocks in flight: bounds the memory it costs */

struct cache_writer {
	char path[PATH_MAX];
	char tmp[PATH_MAX];
	int fd;
	uint64_t off;			/* bytes written */
	int level;
	ZSTD_CCtx *zc;
	uint8_t *shuf;			/* shuffle scratch, largest block */
	uint8_t *comp;			/* compression output */
	size_t comp_cap;

	struct blockbuf pkt, conn, chunk;
	uint64_t pkt_seq;		/* packet records received */
	uint32_t npktblocks;		/* PKT blocks written */
	uint64_t nconns, nchunks;	/* records written */
	struct cache_stream *head, *tail;	/* streams with pending records */
	struct pkt_page *free_pages;	/* pages no stream holds */

	struct cache_block *index;	/* every block written */
	uint32_t nindex, capindex;
	uint32_t *streamdir;		/* stream -> connection record number */
	uint32_t nstreamdir, capstreamdir;

	/*
	 * The compression thread: it shuffles, compresses and writes the
	 * blocks in the order they were submitted, while the caller goes on
	 * decoding.  Everything below the mutex, and (while it runs) fd,
	 * off, zc, shuf, comp and index, belong to it.
	 */
	bool threaded;
	bool mu_ready;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t nonempty, nonfull;
	struct job q[QMAX];
	unsigned qhead, qlen;
	bool done;			/* no more jobs will come */
	int werr;			/* the thread's first error, 0 if none */
	struct err wlast;		/* its message */
	uint8_t *spare[QMAX + 1];	/* PKT-sized buffers to reuse */
	unsigned nspare;
};

static int grow(void *pp, uint32_t *cap, uint32_t need, size_t elem)
{
	void **p = pp;
	uint32_t n = *cap ? *cap : 8;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, (size_t)n * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

static int write_all(struct cache_writer *w, const void *buf, size_t n,
		     struct err *e)
{
	const uint8_t *p = buf;

	while (n > 0) {
		ssize_t k = write(w->fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return err_set_at(e, ERR_IO, w->tmp, ERR_AT_OFFSET,
					  w->off, "write failed: %s",
					  strerror(errno));
		p += k;
		n -= (size_t)k;
		w->off += (uint64_t)k;
	}
	return 0;
}

/* The most bytes compress_columns() writes for n records. */
static size_t columns_bound(uint32_t n)
{
	size_t bound = CACHE_COLDIR_HEAD + PKT_NFIELDS * CACHE_COLDIR_ENTRY;

	for (unsigned f = 0; f < PKT_NFIELDS; f++)
		bound += ZSTD_compressBound((size_t)cache_pkt_field_size[f] * n);
	return bound;
}

/*
 * Filter 4: the shuffled PKT block `shuf` of n packet records as a column
 * directory and one zstd frame per field, into w->comp (sized by the
 * caller); the payload's size, or a zstd error code.  A scan then
 * decompresses only the fields it reads.
 */
static size_t compress_columns(struct cache_writer *w, const uint8_t *shuf,
			       uint32_t n)
{
	size_t pos = CACHE_COLDIR_HEAD + PKT_NFIELDS * CACHE_COLDIR_ENTRY;

	put_le32(w->comp, PKT_NFIELDS);
	for (unsigned f = 0; f < PKT_NFIELDS; f++) {
		size_t len = (size_t)cache_pkt_field_size[f] * n;
		size_t k = ZSTD_compressCCtx(w->zc, w->comp + pos,
					     w->comp_cap - pos,
					     shuf + (size_t)cache_pkt_field_off[f] * n,
					     len, w->level);
		uint8_t *d = w->comp + CACHE_COLDIR_HEAD + f * CACHE_COLDIR_ENTRY;

		if (ZSTD_isError(k))
			return k;
		put_le32(d, cache_pkt_field_size[f]);
		put_le32(d + 4, (uint32_t)k);
		pos += k;
	}
	return pos;
}

/*
 * Compresses n records of rec_size bytes (delta-coded and shuffled first
 * when they are records; raw is modified) and writes header + payload,
 * adding the block to the index.
 */
static int compress_write(struct cache_writer *w, uint8_t type, uint8_t *raw,
		       uint32_t nrecs, uint32_t rec_size, uint64_t min_frame,
		       struct err *e)
{
	size_t raw_size = (size_t)nrecs * rec_size;
	const uint8_t *src = raw;
	uint8_t hdr[CACHE_BLOCK_HEADER_SIZE];
	struct cache_block b = { 0 };
	size_t bound = type == CACHE_BLK_PKT ? columns_bound(nrecs) :
					       ZSTD_compressBound(raw_size);
	size_t clen;

	if (bound > w->comp_cap) {
		uint8_t *q = realloc(w->comp, bound);
		if (!q)
			return err_set(e, ERR_NOMEM, w->tmp, "out of memory");
		w->comp = q;
		w->comp_cap = bound;
	}
	b.filter = CACHE_FILTER_NONE;
	if (type == CACHE_BLK_PKT) {
		cache_delta_encode(raw, nrecs, rec_size, CACHE_DELTA_RESTART);
		cache_shuffle(w->shuf, raw, nrecs, rec_size);
		b.filter = CACHE_FILTER_COLUMNS;
		clen = compress_columns(w, w->shuf, nrecs);
	} else {
		if (rec_size > 1 && type != CACHE_BLK_META && type != CACHE_BLK_INDEX) {
			cache_shuffle(w->shuf, raw, nrecs, rec_size);
			src = w->shuf;
			b.filter = CACHE_FILTER_SHUFFLE;
		}
		clen = ZSTD_compressCCtx(w->zc, w->comp, w->comp_cap, src,
					 raw_size, w->level);
	}
	if (ZSTD_isError(clen))
		return err_set(e, ERR_IO, w->tmp, "zstd: %s",
			       ZSTD_getErrorName(clen));

	b.offset = w->off;
	b.type = type;
	b.codec = CACHE_CODEC_ZSTD;
	b.rec_size = rec_size;
	b.nrecs = nrecs;
	b.raw_size = (uint32_t)raw_size;
	b.comp_size = (uint32_t)clen;
	b.min_frame = min_frame;
	b.crc = crc32c(0, w->comp, clen);
	cache_block_header_encode(hdr, &b);

	if (grow(&w->index, &w->capindex, w->nindex + 1, sizeof(*w->index)))
		return err_set(e, ERR_NOMEM, w->tmp, "out of memory");
	w->index[w->nindex++] = b;
	if (write_all(w, hdr, sizeof(hdr), e) || write_all(w, w->comp, clen, e))
		return ERR_IO;
	return 0;
}

/* Returns a PKT-sized buffer to the spare list, or frees it. */
static void spare_put(struct cache_writer *w, uint8_t *buf, uint8_t type)
{
	pthread_mutex_lock(&w->mu);
	if (type == CACHE_BLK_PKT && w->nspare < QMAX + 1) {
		w->spare[w->nspare++] = buf;
		buf = NULL;
	}
	pthread_mutex_unlock(&w->mu);
	free(buf);
}

static uint8_t *spare_get(struct cache_writer *w, size_t size, uint8_t type)
{
	uint8_t *buf = NULL;

	if (type == CACHE_BLK_PKT && w->threaded) {
		pthread_mutex_lock(&w->mu);
		if (w->nspare)
			buf = w->spare[--w->nspare];
		pthread_mutex_unlock(&w->mu);
	}
	return buf ? buf : malloc(size);
}

static void *worker(void *arg)
{
	struct cache_writer *w = arg;

	for (;;) {
		struct job j;
		struct err e;
		int rc = 0;

		pthread_mutex_lock(&w->mu);
		while (w->qlen == 0 && !w->done)
			pthread_cond_wait(&w->nonempty, &w->mu);
		if (w->qlen == 0) {	/* done and drained */
			pthread_mutex_unlock(&w->mu);
			return NULL;
		}
		j = w->q[w->qhead];
		pthread_mutex_unlock(&w->mu);

		err_clear(&e);
		if (!w->werr)	/* after an error, only drain */
			rc = compress_write(w, j.type, j.raw, j.nrecs, j.rec_size,
					    j.min_frame, &e);
		spare_put(w, j.raw, j.type);

		pthread_mutex_lock(&w->mu);
		w->qhead = (w->qhead + 1) % QMAX;
		w->qlen--;
		if (rc && !w->werr) {
			w->werr = rc;
			w->wlast = e;
		}
		pthread_cond_signal(&w->nonfull);
		pthread_mutex_unlock(&w->mu);
	}
}

/*
 * Hands a block to the compression thread (which takes raw, a malloc'd
 * buffer), or compresses it here when there is no thread.  Reports an
 * earlier failure of the thread.
 */
static int submit_block(struct cache_writer *w, uint8_t type, uint8_t *raw,
			uint32_t nrecs, uint32_t rec_size, uint64_t min_frame,
			struct err *e)
{
	int rc;

	if (!w->threaded) {
		rc = compress_write(w, type, raw, nrecs, rec_size, min_frame, e);
		free(raw);
		return rc;
	}
	pthread_mutex_lock(&w->mu);
	while (w->qlen == QMAX)
		pthread_cond_wait(&w->nonfull, &w->mu);
	w->q[(w->qhead + w->qlen) % QMAX] = (struct job){ type, raw, nrecs,
							   rec_size, min_frame };
	w->qlen++;
	rc = w->werr;
	if (rc)
		*e = w->wlast;
	pthread_cond_signal(&w->nonempty);
	pthread_mutex_unlock(&w->mu);
	return rc;
}

/* Waits for the thread to write everything submitted; its error, if any. */
static int drain(struct cache_writer *w, struct err *e)
{
	if (!w->threaded)
		return 0;
	pthread_mutex_lock(&w->mu);
	w->done = true;
	pthread_cond_signal(&w->nonempty);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	w->threaded = false;
	if (w->werr)
		*e = w->wlast;
	return w->werr;
}

static int blockbuf_init(struct blockbuf *bb, uint8_t type, uint32_t rec_size,
			 uint32_t max_recs)
{
	bb->type = type;
	bb->rec_size = rec_size;
	bb->max_recs = max_recs;
	bb->n = 0;
	bb->min_frame = UINT64_MAX;
	bb->recs = malloc((size_t)rec_size * max_recs);
	return bb->recs ? 0 : -1;
}

static int blockbuf_flush(struct cache_writer *w, struct blockbuf *bb,
			  struct err *e)
{
	int rc;

	if (bb->n == 0)
		return 0;
	rc = submit_block(w, bb->type, bb->recs, bb->n, bb->rec_size,
			  bb->min_frame == UINT64_MAX ? 0 : bb->min_frame, e);
	if (bb->type == CACHE_BLK_PKT)
		w->npktblocks++;
	bb->n = 0;
	bb->min_frame = UINT64_MAX;
	bb->recs = spare_get(w, (size_t)bb->rec_size * bb->max_recs, bb->type);
	if (!rc && !bb->recs)
		rc = err_set(e, ERR_NOMEM, w->tmp, "out of memory");
	return rc;
}

/* Room for one more record in bb, flushing it first when full. */
static uint8_t *blockbuf_slot(struct cache_writer *w, struct blockbuf *bb,
			      struct err *e)
{
	if (bb->n == bb->max_recs && blockbuf_flush(w, bb, e))
		return NULL;
	return bb->recs + (size_t)bb->n++ * bb->rec_size;
}

int cache_writer_open(struct cache_writer **out, const char *path, int level,
		      struct err *e)
{
	struct cache_writer *w;
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path + 1) : 0;
	uint8_t hdr[CACHE_HEADER_SIZE] = { 0 };

	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return err_set(e, ERR_NOMEM, path, "out of memory");
	w->fd = -1;
	w->level = level;
	if (snprintf(w->path, sizeof(w->path), "%s", path) >= (int)sizeof(w->path) ||
	    snprintf(w->tmp, sizeof(w->tmp), "%.*s.%s.tmp-XXXXXX", dirlen, path,
		     path + dirlen) >= (int)sizeof(w->tmp)) {
		free(w);
		return err_set(e, ERR_USAGE, path, "path too long");
	}
	w->zc = ZSTD_createCCtx();
	w->shuf = malloc((size_t)CACHE_PKT_BLOCK_RECS * CACHE_PKT_SIZE >
			 (size_t)CACHE_CONN_BLOCK_RECS * CACHE_CONN_SIZE ?
			 (size_t)CACHE_PKT_BLOCK_RECS * CACHE_PKT_SIZE :
			 (size_t)CACHE_CONN_BLOCK_RECS * CACHE_CONN_SIZE);
	if (!w->zc || !w->shuf ||
	    blockbuf_init(&w->pkt, CACHE_BLK_PKT, CACHE_PKT_SIZE,
			  CACHE_PKT_BLOCK_RECS) ||
	    blockbuf_init(&w->conn, CACHE_BLK_CONN, CACHE_CONN_SIZE,
			  CACHE_CONN_BLOCK_RECS) ||
	    blockbuf_init(&w->chunk, CACHE_BLK_CHUNK, CACHE_CHUNK_SIZE,
			  CACHE_CHUNK_BLOCK_RECS)) {
		cache_writer_abort(w);
		return err_set(e, ERR_NOMEM, path, "out of memory");
	}
	w->fd = mkstemp(w->tmp);
	if (w->fd < 0) {
		int rc = err_set(e, ERR_IO, path, "cannot create %s: %s",
				 w->tmp, strerror(errno));
		w->tmp[0] = '\0';
		cache_writer_abort(w);
		return rc;
	}
	fchmod(w->fd, 0644);

	/* Header: sizes let a reader of a later minor version skip fields. */
	memcpy(hdr, CACHE_MAGIC, 8);
	put_le16(hdr + 8, CACHE_MAJOR);
	put_le16(hdr + 10, CACHE_MINOR);
	put_le32(hdr + 12, CACHE_HEADER_SIZE);
	put_le32(hdr + 16, CACHE_BLOCK_HEADER_SIZE);
	put_le32(hdr + 20, CACHE_PKT_SIZE);
	put_le32(hdr + 24, CACHE_CONN_SIZE);
	put_le32(hdr + 28, CACHE_CHUNK_SIZE);
	put_le32(hdr + 32, CACHE_STREAMDIR_SIZE);
	put_le32(hdr + 36, CACHE_META_FIXED_SIZE);
	put_le32(hdr + 40, CACHE_INDEX_ENTRY_SIZE);
	put_le32(hdr + 60, crc32c(0, hdr, 60));
	if (write_all(w, hdr, sizeof(hdr), e)) {
		cache_writer_abort(w);
		return ERR_IO;
	}
	if (pthread_mutex_init(&w->mu, NULL) == 0) {
		pthread_cond_init(&w->nonempty, NULL);
		pthread_cond_init(&w->nonfull, NULL);
		w->mu_ready = true;
		/* no thread (e.g. a limit on threads): compress inline */
		w->threaded = pthread_create(&w->thread, NULL, worker, w) == 0;
	}
	*out = w;
	return 0;
}

const char *cache_writer_temp_path(const struct cache_writer *w)
{
	return w->tmp;
}


struct cache_stream *cache_writer_stream_begin(struct cache_writer *w,
					       uint32_t stream)
{
	struct cache_stream *cs = calloc(1, sizeof(*cs));

	if (!cs)
		return NULL;
	cs->stream = stream;
	if (stream >= w->nstreamdir) {
		if (grow(&w->streamdir, &w->capstreamdir, stream + 1,
			 sizeof(*w->streamdir))) {
			free(cs);
			return NULL;
		}
		for (uint32_t i = w->nstreamdir; i <= stream; i++)
			w->streamdir[i] = UINT32_MAX;
		w->nstreamdir = stream + 1;
	}
	return cs;
}

static void pending_unlink(struct cache_writer *w, struct cache_stream *cs)
{
	if (cs->prev)
		cs->prev->next = cs->next;
	else
		w->head = cs->next;
	if (cs->next)
		cs->next->prev = cs->prev;
	else
		w->tail = cs->prev;
	cs->prev = cs->next = NULL;
}

/* Gives a stream's pages back to the free list. */
static void pages_put(struct cache_writer *w, struct cache_stream *cs)
{
	if (!cs->first)
		return;
	cs->last->next = w->free_pages;
	w->free_pages = cs->first;
	cs->first = cs->last = NULL;
}

/*
 * Moves cs's pending records into PKT blocks as one or more chunks and
 * returns its pages.  On an error cs stays pending, for stream_free.
 */
static int stream_flush(struct cache_writer *w, struct cache_stream *cs,
			struct err *e)
{
	const struct pkt_page *pg = cs->first;
	uint32_t done = 0, at = 0;	/* records moved; next one in pg */

	if (cs->n == 0)
		return 0;
	while (done < cs->n) {
		struct blockbuf *bb = &w->pkt;
		uint32_t take, room;
		struct cache_chunk *ch;

		if (bb->n == bb->max_recs && blockbuf_flush(w, bb, e))
			return ERR_IO;
		room = bb->max_recs - bb->n;
		take = cs->n - done < room ? cs->n - done : room;
		if (grow(&cs->chunks, &cs->capchunks, cs->nchunks + 1,
			 sizeof(*cs->chunks)))
			return err_set(e, ERR_NOMEM, w->tmp, "out of memory");
		ch = &cs->chunks[cs->nchunks++];
		ch->stream = cs->stream;
		ch->block = w->npktblocks;	/* ordinal of the PKT block being filled */
		ch->row = bb->n;
		ch->count = take;
		/* frame is field 0 */
		ch->first_frame = get_le64(pg->recs + (size_t)at * CACHE_PKT_SIZE);
		if (ch->first_frame < bb->min_frame)
			bb->min_frame = ch->first_frame;
		done += take;
		while (take > 0) {
			uint32_t k = PAGE_RECS - at < take ? PAGE_RECS - at : take;

			memcpy(bb->recs + (size_t)bb->n * CACHE_PKT_SIZE,
			       pg->recs + (size_t)at * CACHE_PKT_SIZE,
			       (size_t)k * CACHE_PKT_SIZE);
			bb->n += k;
			take -= k;
			at += k;
			if (at == PAGE_RECS) {
				pg = pg->next;
				at = 0;
			}
		}
	}
	pending_unlink(w, cs);
	pages_put(w, cs);
	cs->n = 0;
	return 0;
}

int cache_writer_pkt(struct cache_writer *w, struct cache_stream *cs,
		     const struct cache_pkt *p, struct err *e)
{
	uint32_t at = cs->n % PAGE_RECS;

	if (at == 0) {		/* the last page is full, or there is none */
		struct pkt_page *pg = w->free_pages;

		if (pg)
			w->free_pages = pg->next;
		else if (!(pg = malloc(sizeof(*pg))))
			return err_set(e, ERR_NOMEM, w->tmp, "out of memory");
		pg->next = NULL;
		if (cs->last)
			cs->last->next = pg;
		else
			cs->first = pg;
		cs->last = pg;
	}
	if (cs->n == 0) {	/* joins the pending list at its tail */
		cs->first_seq = w->pkt_seq;
		cs->prev = w->tail;
		cs->next = NULL;
		if (w->tail)
			w->tail->next = cs;
		else
			w->head = cs;
		w->tail = cs;
	}
	record_pkt_encode(cs->last->recs + (size_t)at * CACHE_PKT_SIZE, p);
	cs->n++;
	w->pkt_seq++;

	if (cs->n == CACHE_CHUNK_MAX && stream_flush(w, cs, e))
		return ERR_IO;
	while (w->head && w->pkt_seq - w->head->first_seq > CACHE_LAG_MAX)
		if (stream_flush(w, w->head, e))
			return ERR_IO;
	return 0;
}

static void stream_free(struct cache_writer *w, struct cache_stream *cs)
{
	if (cs->n)	/* still pending: dropped, or its flush failed */
		pending_unlink(w, cs);
	pages_put(w, cs);
	free(cs->chunks);
	free(cs);
}

int cache_writer_stream_end(struct cache_writer *w, struct cache_stream *cs,
			    struct cache_conn *c, struct err *e)
{
	uint8_t *slot;
	int rc = ERR_IO;

	if (stream_flush(w, cs, e))
		goto out_free;
	c->first_chunk = w->nchunks;
	c->n_chunks = cs->nchunks;
	for (uint32_t i = 0; i < cs->nchunks; i++) {
		slot = blockbuf_slot(w, &w->chunk, e);
		if (!slot)
			goto out_free;
		record_chunk_encode(slot, &cs->chunks[i]);
		w->nchunks++;
	}
	slot = blockbuf_slot(w, &w->conn, e);
	if (!slot)
		goto out_free;
	record_conn_encode(slot, c);
	w->streamdir[cs->stream] = (uint32_t)w->nconns++;
	rc = 0;
out_free:
	stream_free(w, cs);
	return rc;
}

void cache_writer_stream_drop(struct cache_writer *w, struct cache_stream *cs)
{
	if (cs)
		stream_free(w, cs);
}

static int write_meta(struct cache_writer *w, const struct cache_meta *m,
		      struct err *e)
{
	const char *strs[3] = { m->source, m->filter, m->tool };
	uint8_t buf[CACHE_META_FIXED_SIZE + 4 + 3 * (2 + 1024)];
	size_t n = 0;

	put_le32(buf, CACHE_META_FIXED_SIZE);
	n = 4;
	record_meta_encode(buf + n, &m->f);
	n += CACHE_META_FIXED_SIZE;
	for (int i = 0; i < 3; i++) {
		size_t len = strnlen(strs[i], 1023);
		put_le16(buf + n, (uint16_t)len);
		memcpy(buf + n + 2, strs[i], len);
		n += 2 + len;
	}
	{
		uint8_t *copy = malloc(n);
		if (!copy)
			return err_set(e, ERR_NOMEM, w->tmp, "out of memory");
		memcpy(copy, buf, n);
		return submit_block(w, CACHE_BLK_META, copy, 1, (uint32_t)n, 0, e);
	}
}

static int write_streamdir(struct cache_writer *w, struct err *e)
{
	int rc = 0;

	for (uint32_t i = 0; i < w->nstreamdir && !rc;
	     i += CACHE_STREAMDIR_BLOCK_RECS) {
		uint32_t n = w->nstreamdir - i;
		uint8_t *buf;

		if (n > CACHE_STREAMDIR_BLOCK_RECS)
			n = CACHE_STREAMDIR_BLOCK_RECS;
		buf = malloc((size_t)n * 4);
		if (!buf)
			return err_set(e, ERR_NOMEM, w->tmp, "out of memory");
		for (uint32_t k = 0; k < n; k++)
			put_le32(buf + 4 * k, w->streamdir[i + k]);
		rc = submit_block(w, CACHE_BLK_STREAMDIR, buf, n, 4, 0, e);
	}
	return rc;
}

static int write_index_footer(struct cache_writer *w, struct err *e)
{
	uint32_t n = w->nindex;
	uint8_t *buf = malloc((size_t)n * CACHE_INDEX_ENTRY_SIZE + 1);
	uint8_t foot[CACHE_FOOTER_SIZE] = { 0 };
	uint64_t index_off;
	int rc;

	if (!buf)
		return err_set(e, ERR_NOMEM, w->tmp, "out of memory");
	for (uint32_t i = 0; i < n; i++)
		cache_index_entry_encode(buf + (size_t)i * CACHE_INDEX_ENTRY_SIZE,
					 &w->index[i]);
	index_off = w->off;
	rc = compress_write(w, CACHE_BLK_INDEX, buf, n, CACHE_INDEX_ENTRY_SIZE, 0,
			    e);
	free(buf);
	if (rc)
		return rc;
	put_le64(foot, index_off);
	put_le64(foot + 8, w->off + CACHE_FOOTER_SIZE);
	memcpy(foot + 16, CACHE_FOOTER_MAGIC, 8);
	put_le32(foot + 28, crc32c(0, foot, 28));
	return write_all(w, foot, sizeof(foot), e);
}

int cache_writer_close(struct cache_writer *w, const struct cache_meta *m,
		       struct err *e)
{
	int rc;

	while (w->head)		/* callers end every stream; be safe anyway */
		if ((rc = stream_flush(w, w->head, e)))
			goto out_abort;
	if ((rc = blockbuf_flush(w, &w->pkt, e)) ||
	    (rc = blockbuf_flush(w, &w->chunk, e)) ||
	    (rc = blockbuf_flush(w, &w->conn, e)) ||
	    (rc = write_streamdir(w, e)) || (rc = write_meta(w, m, e)) ||
	    (rc = drain(w, e)) || (rc = write_index_footer(w, e)))
		goto out_abort;
	if (close(w->fd) != 0) {
		w->fd = -1;
		rc = err_set(e, ERR_IO, w->tmp, "close failed: %s",
			     strerror(errno));
		goto out_abort;
	}
	w->fd = -1;
	if (rename(w->tmp, w->path) != 0) {
		rc = err_set(e, ERR_IO, w->path, "cannot rename %s into place: %s",
			     w->tmp, strerror(errno));
		goto out_abort;
	}
	w->tmp[0] = '\0';
	cache_writer_abort(w);	/* frees; nothing left to remove */
	return 0;
out_abort:
	cache_writer_abort(w);
	return rc;
}

void cache_writer_abort(struct cache_writer *w)
{
	struct err ignored;

	if (!w)
		return;
	drain(w, &ignored);
	if (w->mu_ready) {
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->nonempty);
		pthread_cond_destroy(&w->nonfull);
	}
	for (unsigned i = 0; i < w->nspare; i++)
		free(w->spare[i]);
	if (w->fd >= 0)
		close(w->fd);
	if (w->tmp[0])
		unlink(w->tmp);
	/* streams still pending belong to the tracker: it drops them first */
	while (w->free_pages) {
		struct pkt_page *pg = w->free_pages;
		w->free_pages = pg->next;
		free(pg);
	}
	ZSTD_freeCCtx(w->zc);
	free(w->shuf);
	free(w->comp);
	free(w->pkt.recs);
	free(w->conn.recs);
	free(w->chunk.recs);
	free(w->index);
	free(w->streamdir);
	free(w);
}
