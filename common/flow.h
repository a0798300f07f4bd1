/*
 * flow.h - TCP connection tracking, numbered and oriented as Wireshark does.
 *
 * flow_packet() takes decoded TCP segments in frame order, finds or starts
 * their connection, computes the per-packet fields Wireshark shows
 * (tcp.stream, relative seq/ack, calculated window) and hands the record to
 * the cache writer.  Connections are numbered from 0 in order of their
 * first packet; a SYN whose sequence number differs from the one its
 * sender started the connection with starts a new connection on the same
 * 4-tuple (Wireshark's port-reuse rule).
 *
 * Memory grows with the connections open at once: a connection closed by
 * FIN both ways or by RST is written out and released once it has been
 * idle for FLOW_CLOSED_IDLE_NS of capture time.
 */
#ifndef TCPSIFT_FLOW_H
#define TCPSIFT_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "cache.h"
#include "decode.h"
#include "err.h"

#define FLOW_CLOSED_IDLE_NS (120LL * 1000000000LL)

struct flow_table;

struct flow_stats {
	uint64_t conns;		/* connections started (stream numbers used) */
	uint64_t written;	/* connections with a record in the cache */
	uint64_t open;		/* held now */
	uint64_t max_open;	/* most held at once */
	uint64_t evicted;	/* released before the end of the capture */
};

int flow_new(struct flow_table **out, struct cache_writer *w, struct err *e);

/*
 * One TCP segment of frame `frame` captured at ts (ns), wire_len bytes.
 * Every TCP segment of the capture goes through here, so connection
 * numbers and relative numbers stay Wireshark's; only those with `record`
 * set (matching the user's filter) are written and counted.  A connection
 * none of whose packets is recorded gets no record, and its stream number
 * stays unused in the cache.
 */
int flow_packet(struct flow_table *t, uint64_t frame, int64_t ts,
		uint32_t wire_len, const struct decode_tcp *d, bool record,
		struct err *e);

/* Ends every connection still held (at the end of the capture). */
int flow_finish(struct flow_table *t, struct err *e);

/* Frees the table; call before cache_writer_abort/close. NULL is a no-op. */
void flow_free(struct flow_table *t);

void flow_get_stats(const struct flow_table *t, struct flow_stats *s);

#endif
