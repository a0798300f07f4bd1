/*
 * analysis.h - Wireshark's TCP sequence analysis (tcp.analysis.*), per
 * connection and per packet.
 *
 * analysis_packet() follows packet-tcp.c's tcp_analyze_sequence_number()
 * check for check and in its order, on raw sequence numbers and raw
 * windows, so a packet gets the flags tshark gives it: retransmission
 * (also set with fast and spurious retransmissions, as Wireshark's field
 * is), out-of-order, lost segment, ACKed unseen segment, duplicate ACK
 * with its number and the frame it repeats, zero window and its probes,
 * window full, window update, keep-alive and its ACK, and the ACK RTT of
 * an ACK that acknowledges a data segment.
 *
 * It keeps, per direction, the segments not yet acknowledged (at most
 * ANALYSIS_MAX_UNACKED, Wireshark's TCP_MAX_UNACKED_SEGMENTS); that list
 * is the only memory it allocates.  It does not reassemble or look at
 * payload bytes.
 */
#ifndef TCPSIFT_ANALYSIS_H
#define TCPSIFT_ANALYSIS_H

#include <stdbool.h>
#include <stdint.h>

/* Flags of cache_pkt.analysis; the values are on disk (format-spec.md). */
enum {
	AN_RETRANSMISSION = 0x0001,	/* also set with FAST and SPURIOUS */
	AN_FAST_RETRANSMISSION = 0x0002,
	AN_SPURIOUS_RETRANSMISSION = 0x0004,
	AN_OUT_OF_ORDER = 0x0008,
	AN_LOST_SEGMENT = 0x0010,	/* previous segment not captured */
	AN_ACK_LOST_SEGMENT = 0x0020,	/* ACKed unseen segment */
	AN_DUPLICATE_ACK = 0x0040,
	AN_ZERO_WINDOW = 0x0080,
	AN_ZERO_WINDOW_PROBE = 0x0100,
	AN_ZERO_WINDOW_PROBE_ACK = 0x0200,
	AN_WINDOW_FULL = 0x0400,
	AN_WINDOW_UPDATE = 0x0800,
	AN_KEEP_ALIVE = 0x1000,
	AN_KEEP_ALIVE_ACK = 0x2000,
	AN_REUSED_PORTS = 0x4000	/* a SYN that started a new stream on a 4-tuple */
};

enum { ANALYSIS_NFLAGS = 15, ANALYSIS_MAX_UNACKED = 1000 };

struct analysis_seg {
	uint64_t frame;
	int64_t ts;		/* ns */
	uint32_t seq;		/* raw; trimmed as it is partly acknowledged */
	uint32_t nextseq;	/* raw, SYN and FIN count one */
};

/* One direction's state (Wireshark's tcp_flow_t and tcp_analyze_seq_info). */
struct analysis_side {
	uint32_t nextseq;	/* highest next sequence number seen, raw; 0 = none */
	uint64_t nextseqframe;
	int64_t nextseqtime;	/* ns */
	uint32_t maxseqtobeacked;
	uint32_t lastack;	/* raw ack of the last segment sent */
	int64_t lastacktime;	/* ns */
	uint64_t lastnondupack;	/* frame */
	uint32_t dupacknum;
	uint32_t window;	/* raw window of the last segment */
	uint32_t lastflags;	/* analysis flags of the last segment */
	struct analysis_seg *segs;	/* unacked segments, oldest first */
	uint32_t nsegs, capsegs;
};

struct analysis_conn {
	struct analysis_side side[2];	/* [0] client to server, [1] back */
	int64_t mru_syn;	/* ns of the most recent SYN */
	int64_t first_rtt;	/* ns, that SYN to the first ACK */
	bool has_mru_syn;
	bool has_first_rtt;
};

/* What analysis_packet() says of one packet. */
struct analysis_result {
	uint32_t flags;		/* AN_* */
	uint32_t dupack_num;	/* with AN_DUPLICATE_ACK */
	uint64_t dupack_frame;	/* the ACK it duplicates */
	uint64_t acked_frame;	/* the segment this ACKs, 0 = none */
	int64_t ack_rtt;	/* ns from that segment to this ACK */
};

void analysis_init(struct analysis_conn *a);

/*
 * After analysis_packet(), as dissect_tcp() does after the sequence
 * analysis: a SYN starts the handshake clock, the first pure ACK after it
 * stops it (the out-of-order threshold, tcp.analysis.initial_rtt).
 */
void analysis_handshake(struct analysis_conn *a, uint16_t flags, int64_t ts);
void analysis_release(struct analysis_conn *a);	/* frees the segment lists */

/*
 * One segment of direction dir (0 client to server).  seq, ack and the
 * window are raw; rev_wscale is the other direction's shift as the
 * tracker knows it (-1 unknown, -2 none).  Returns 0, or -1 when out of
 * memory (then the segment is not remembered, as when the list is full).
 */
int analysis_packet(struct analysis_conn *a, int dir, uint64_t frame,
		    int64_t ts, uint32_t seq, uint32_t ack, uint32_t seglen,
		    uint16_t flags, uint16_t win, int rev_wscale,
		    struct analysis_result *out);

/* "retransmission", "duplicate_ack", ... for bit i (0..ANALYSIS_NFLAGS-1). */
const char *analysis_flag_name(unsigned bit);

#endif
