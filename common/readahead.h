/*
 * readahead.h - a capture's frames read and decoded ahead, on a thread.
 *
 * readahead_new() hands a capture to a thread that calls capture_next()
 * and decode_frame() for frame after frame and queues what they return in
 * batches, so that reading (the kernel's copy and libpcap's) runs on one
 * core while the caller tracks connections on another.  readahead_next()
 * gives the frames back one at a time, in capture order, and then the
 * same end as capture_next(): 0, or its error code with its message.  A
 * loop over readahead_next() therefore sees exactly what a loop over
 * capture_next() and decode_frame() would.  When no thread can be
 * started it is that loop.
 *
 * From readahead_new() to readahead_free() the capture belongs to the
 * reader: call no capture_* function on it in between.
 *
 * Does not: copy packet bytes (only what decode_frame() made of them), or
 * read more than 65536 frames ahead of the caller.
 */
#ifndef TCPSIFT_READAHEAD_H
#define TCPSIFT_READAHEAD_H

#include <stdbool.h>
#include <stdint.h>

#include "capture.h"
#include "decode.h"
#include "err.h"

struct readahead;

/* One frame as the caller sees it. */
struct readahead_frame {
	int64_t ts;			/* ns since the Unix epoch */
	uint32_t wire_len;		/* length on the wire, bytes */
	bool matched;			/* passes the filter (true without one) */
	enum decode_result res;		/* what decode_frame() said */
	uint64_t offset;		/* capture_offset() after this frame,
					   bytes; 0 unless asked for */
	struct decode_tcp d;		/* valid when res is DECODE_TCP */
};

/*
 * Starts reading cap ahead.  With offsets, each frame carries the
 * capture's byte offset after it (for a progress line; it costs an
 * ftell() per frame on pcapng).  0, or ERR_NOMEM.
 */
int readahead_new(struct readahead **out, struct capture *cap, bool offsets,
		  struct err *e);

/*
 * The next frame: 1 and *f, valid until the next call; 0 at the end of
 * the capture; < 0 as capture_next() failed, with e filled as it filled
 * it.  After 0 or an error every later call returns the same.
 */
int readahead_next(struct readahead *r, const struct readahead_frame **f,
		   struct err *e);

/*
 * The CPU time the reading thread used, ns, once readahead_next() has
 * returned the end or an error; -1 before that, and when there is no
 * thread (the caller's own time then includes the reading).
 */
int64_t readahead_cpu_ns(const struct readahead *r);

/* Stops the thread and frees r; the capture is the caller's again.  NULL
 * is a no-op. */
void readahead_free(struct readahead *r);

#endif
