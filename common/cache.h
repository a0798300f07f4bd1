/*
 * cache.h - writing and reading tcpsift cache files (.sift).
 *
 * format-spec.md is the authority on the bytes; this header is the API.
 * A cache is a header, a sequence of checksummed blocks (each zstd
 * compressed, each decompressible on its own), a block index and a
 * footer.  Packet records are grouped by connection into runs ("chunks")
 * so one connection's packets are read without touching the others; a
 * frame-order scan merges the runs back, holding only a bounded window.
 *
 * The writer is used once, front to back, from one thread; a thread of its
 * own compresses and writes the blocks.  It writes to a temporary file in
 * the destination folder and renames it into place in cache_writer_close,
 * so an interrupted run never leaves a partial cache under the final name.
 * The reader treats the file as untrusted input: any inconsistency is an
 * error naming the file and the byte offset, never a crash.
 */
#ifndef TCPSIFT_CACHE_H
#define TCPSIFT_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "record.h"

#define CACHE_MAJOR 2
#define CACHE_MINOR 0

enum cache_block_type {
	CACHE_BLK_META = 1,
	CACHE_BLK_PKT = 2,
	CACHE_BLK_CONN = 3,
	CACHE_BLK_CHUNK = 4,
	CACHE_BLK_STREAMDIR = 5,
	CACHE_BLK_INDEX = 6
};

enum {
	CACHE_META_TRUNCATED = 0x1,	/* cache_meta.f.flags */
	CACHE_META_NSEC = 0x2
};

/* Provenance: the fixed record plus three strings. */
struct cache_meta {
	struct cache_meta_fixed f;
	char source[1024];	/* capture path as given ("-" for stdin) */
	char filter[1024];	/* BPF expression, "" when none */
	char tool[64];		/* "tcpsift 0.1.0" */
};

/* --- writer ------------------------------------------------------------ */

struct cache_writer;
struct cache_stream;		/* one connection's pending records */

/* Creates PATH's temporary sibling; level is the zstd level (1..19). */
int cache_writer_open(struct cache_writer **out, const char *path, int level,
		      struct err *e);

/* Starts buffering for connection `stream`; NULL when out of memory. */
struct cache_stream *cache_writer_stream_begin(struct cache_writer *w,
					       uint32_t stream);

/* Adds one packet record of cs (frames must ascend per connection). */
int cache_writer_pkt(struct cache_writer *w, struct cache_stream *cs,
		     const struct cache_pkt *p, struct err *e);

/*
 * Ends a connection: writes its remaining packets, its chunk records and
 * its connection record c (whose first_chunk/n_chunks are filled here),
 * and frees cs.
 */
int cache_writer_stream_end(struct cache_writer *w, struct cache_stream *cs,
			    struct cache_conn *c, struct err *e);

/* Forgets cs and its pending records (on an error path); NULL is a no-op. */
void cache_writer_stream_drop(struct cache_writer *w, struct cache_stream *cs);

/* Writes the trailer and renames the file into place; frees w. */
int cache_writer_close(struct cache_writer *w, const struct cache_meta *m,
		       struct err *e);

/* Removes the temporary file; frees w.  NULL is a no-op. */
void cache_writer_abort(struct cache_writer *w);

/* The temporary file's path, for a signal handler to unlink(2). */
const char *cache_writer_temp_path(const struct cache_writer *w);


/* --- reader ------------------------------------------------------------ */

struct cache_reader;

/* Callbacks return 0 to go on, > 0 to stop early, < 0 for an error. */
typedef int (*cache_conn_fn)(void *arg, const struct cache_conn *c);
typedef int (*cache_pkt_fn)(void *arg, const struct cache_pkt *p);

int cache_open(struct cache_reader **out, const char *path, struct err *e);
void cache_close(struct cache_reader *r);

const char *cache_path(const struct cache_reader *r);
const struct cache_meta *cache_meta(const struct cache_reader *r);
void cache_version(const struct cache_reader *r, unsigned *major,
		   unsigned *minor);
uint64_t cache_file_size(const struct cache_reader *r);
/* Connection records; streams numbers run below cache_nstreams, which is
 * larger when a filter at extraction left some connections out. */
uint32_t cache_nconns(const struct cache_reader *r);
uint32_t cache_nstreams(const struct cache_reader *r);
uint64_t cache_npkts(const struct cache_reader *r);

/* Connection `stream`; ERR_USAGE when there is no such stream. */
int cache_conn_get(struct cache_reader *r, uint32_t stream,
		   struct cache_conn *out, struct err *e);

/* Every connection, in stream order. */
int cache_conns_each(struct cache_reader *r, cache_conn_fn fn, void *arg,
		     struct err *e);
/* The same as one array of *count records the caller frees (NULL and 0
 * on an error). */
int cache_conns_load(struct cache_reader *r, struct cache_conn **out,
		     size_t *count, struct err *e);

/* The packets of one connection, in frame order. */
int cache_conn_pkts(struct cache_reader *r, const struct cache_conn *c,
		    cache_pkt_fn fn, void *arg, struct err *e);

/*
 * Every block in file order, decompressed and unshuffled (the INDEX block
 * excluded): for format tests and dumps.
 */
typedef int (*cache_block_fn)(void *arg, unsigned type, unsigned filter,
			      uint32_t nrecs, uint32_t rec_size,
			      const uint8_t *raw);
int cache_blocks_each(struct cache_reader *r, cache_block_fn fn, void *arg,
		      struct err *e);

/* Every packet, in frame order. */
int cache_pkts_each(struct cache_reader *r, cache_pkt_fn fn, void *arg,
		    struct err *e);

/*
 * A test a frame-order scan applies before it decodes a record whole:
 * keep() sees a record whose fields outside `need` (a set of PKT_BIT)
 * read as 0.  In a format 2 cache only the columns of those fields are
 * decompressed, and a block in which keep() passes nothing is skipped.
 */
struct cache_pkt_filter {
	uint32_t need;
	bool (*keep)(void *arg, const struct cache_pkt *p);
	void *arg;
};

/* The packets pf passes (every packet when pf is NULL), in frame order. */
int cache_pkts_scan(struct cache_reader *r, const struct cache_pkt_filter *pf,
		    cache_pkt_fn fn, void *arg, struct err *e);

#endif
