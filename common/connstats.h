/*
 * connstats.h - the per-connection summary of its recorded packets that
 * the connection record carries from format 1.1: analysis flag counts per
 * direction, SYN retransmissions, the first RST and what was in flight
 * then, ack RTT minimum/median/maximum per direction, window extremes and
 * zero-window episodes.
 *
 * Medians are exact up to CONNSTATS_RTT_KEEP samples per direction; past
 * that a deterministic reservoir keeps a uniform sample.  That bounds the
 * memory one connection costs.
 */
#ifndef TCPSIFT_CONNSTATS_H
#define TCPSIFT_CONNSTATS_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis.h"
#include "record.h"

enum { CONNSTATS_RTT_KEEP = 4096 };

struct connstats_rtt {
	int64_t *v;		/* kept samples, ns */
	uint32_t n, cap;	/* kept / allocated */
	uint64_t seen;		/* all samples */
	int64_t min, max;	/* ns */
};

struct connstats {
	uint32_t nflag[ANALYSIS_NFLAGS][2];	/* [flag bit][dir] */
	uint32_t syns;		/* client SYNs */
	struct connstats_rtt rtt[2];	/* [dir of the data] */
	uint32_t win_min[2], win_max[2];	/* [sender], calculated */
	bool has_win[2];
	bool zw_open[2];
	int64_t zw_start[2];	/* ns */
	uint32_t zw_n[2];
	int64_t zw_time[2];	/* ns */
	uint8_t rst_by;		/* 0, 1 client, 2 server */
	uint64_t rst_frame;
	int64_t rst_ts;
	uint32_t rst_inflight[2];	/* [dir of the data], bytes */
	int64_t last_ts;	/* ns */
};

void connstats_init(struct connstats *s);
void connstats_release(struct connstats *s);

/*
 * One recorded packet of direction dir (0 client to server), after its
 * analysis: p carries the flags, window and ack RTT; a is the analysis
 * state after it (for bytes in flight).  Returns -1 when out of memory
 * (the RTT sample is then dropped).
 */
int connstats_packet(struct connstats *s, int dir, const struct cache_pkt *p,
		     const struct analysis_conn *a);

/* Fills the format 1.1 summary fields of r. */
void connstats_finish(struct connstats *s, struct cache_conn *r);

#endif
