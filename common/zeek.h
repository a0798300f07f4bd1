/*
 * zeek.h - Zeek's conn.log `conn_state` and `history` for one TCP
 * connection, computed from its segments.
 *
 * The module replays, per segment, the parts of Zeek's TCP analyser
 * (TCPSessionAdapter, TCP_Endpoint, TCP_Reassembler) that decide those two
 * columns: the per-endpoint state machine (INACTIVE, SYN_SENT,
 * SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED, RESET), the history letters
 * and their once-per-direction or 1/10/100... repetition rules, and the
 * conn_state function of base/protocols/conn/main.zeek.
 *
 * Orientation.  Zeek's originator is the sender of the first segment the
 * module is given, except that Zeek flips the connection (history starts
 * with '^') when that segment is a SYN-ACK, or carries no SYN and its
 * source port is a "likely server port" (and the destination port is not,
 * or is higher and the segment is not a SYN-ACK).  The caller states each
 * segment's direction in its own terms (from_orig = sent by the tracker's
 * client); the module keeps Zeek's originator itself and says which of
 * the tracker's sides it is (zeek_orig_is_client).  Upper-case history
 * letters are Zeek's originator, which is not always the tracker's client.
 *
 * Invariant: the state is a fixed-size value (no heap, no pointers), so it
 * can be embedded in, copied with and freed with the tracker's connection.
 *
 * Does not: model Zeek's connection timeouts or its splitting of a
 * 4-tuple into several connections (the caller gives one connection's
 * segments), look at payload bytes, or know of snaplen-truncated payloads
 * (which Zeek does not reassemble, so it may report gaps).  Content gaps
 * ('g') come from a small reassembly model (ZEEK_OOO_BLOCKS out-of-order
 * ranges per side); see zeek.c for where it approximates Zeek.
 */
#ifndef TCPSIFT_ZEEK_H
#define TCPSIFT_ZEEK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest history kept, with its NUL; longer histories are cut. */
#define ZEEK_HISTORY_MAX 64

/* Out-of-order data ranges remembered per side for gap detection. */
#define ZEEK_OOO_BLOCKS 8

/* Zeek's conn_state values. */
/* Values are stored in the cache (conn_fields.def, conn_state): never renumber. */
enum zeek_conn_state {
	ZEEK_OTH = 0,
	ZEEK_S0,
	ZEEK_S1,
	ZEEK_SF,
	ZEEK_REJ,
	ZEEK_S2,
	ZEEK_S3,
	ZEEK_RSTO,
	ZEEK_RSTR,
	ZEEK_RSTOS0,
	ZEEK_RSTRH,
	ZEEK_SH,
	ZEEK_SHR
};

/* Zeek's TCP endpoint states (script names TCP_INACTIVE ... TCP_RESET). */
enum zeek_tcp_state {
	ZEEK_TCP_INACTIVE,
	ZEEK_TCP_SYN_SENT,
	ZEEK_TCP_SYN_ACK_SENT,	/* script: TCP_SYN_ACK_RCVD */
	ZEEK_TCP_PARTIAL,
	ZEEK_TCP_ESTABLISHED,
	ZEEK_TCP_CLOSED,
	ZEEK_TCP_RESET
};

/* A range of sequence space, relative to the endpoint's start. */
struct zeek_range {
	uint32_t lo;		/* first relative seq of the range */
	uint32_t hi;		/* one past its last relative seq */
};

/* A counter that writes its history letter at 1, 10, 100, ... */
struct zeek_scaled {
	uint32_t count;		/* events so far */
	uint32_t next;		/* count at which the letter is written again */
};

/* One side of the connection, as Zeek's TCP_Endpoint sees it. */
struct zeek_endpoint {
	bool sent;		/* this side has sent a segment */
	uint8_t state;		/* enum zeek_tcp_state */
	uint8_t prev_state;	/* state before the last change */
	uint32_t start_seq;	/* raw seq: ISN, or first seq - 1 without SYN */
	uint32_t last_seq;	/* raw seq one past the highest sent (SYN, FIN count 1) */
	uint32_t ack_seq;	/* raw seq: highest ack the peer sent for this side */
	uint32_t fin_cnt;	/* segments with FIN */
	uint32_t fin_rel;	/* relative seq one past the last FIN */
	uint32_t last_syn_rel;	/* relative seq of the last SYN (history) */
	uint32_t last_fin_rel;	/* relative seq of the last FIN's end (history) */
	uint32_t last_rst_rel;	/* relative seq of the last RST (history) */
	struct zeek_scaled chk;	/* bad checksums: 'C' */
	struct zeek_scaled gap;	/* content gaps: 'G' */
	struct zeek_scaled rxmt;	/* retransmitted payload: 'T' */
	struct zeek_scaled win0;	/* zero windows: 'W' */
	uint32_t reassem_seq;	/* relative seq: data seen contiguously up to here */
	uint8_t nblocks;	/* ranges used in blocks[] */
	struct zeek_range blocks[ZEEK_OOO_BLOCKS];	/* data seen above reassem_seq, sorted */
};

struct zeek_state {
	struct zeek_endpoint ep[2];	/* [0] the tracker's client, [1] its server */
	uint16_t client_port;	/* the tracker's client's port, host order */
	uint16_t server_port;	/* the tracker's server's port, host order */
	bool started;		/* a segment has been seen */
	bool orig_is_client;	/* Zeek's originator is the tracker's client */
	bool flipped;		/* Zeek swapped the roles ('^' in the history) */
	bool partial;		/* Zeek's is_partial: a side began without a plain SYN */
	uint32_t hist_seen;	/* once-only letters written: originator's in bits 0-15, responder's in 16-31 */
	uint8_t hist_len;	/* chars in history[], without the NUL */
	char history[ZEEK_HISTORY_MAX];	/* NUL-terminated */
};

/* Starts a connection between the tracker's client and server ports. */
void zeek_init(struct zeek_state *z, uint16_t client_port,
	       uint16_t server_port);

/*
 * One TCP segment, in capture order.  from_orig: sent by the tracker's
 * client.  flags: TCP flag bits as in decode.h (TCPF_*).  seq and ack are
 * the raw header fields, payload_len the TCP payload in bytes, win the raw
 * window field.  bad_checksum: the TCP checksum is known to be wrong (Zeek
 * then counts a 'c' and ignores the segment otherwise); pass false when
 * unverified, or to mimic `zeek -C`.
 */
void zeek_packet(struct zeek_state *z, bool from_orig, uint16_t flags,
		 uint32_t seq, uint32_t ack, uint32_t payload_len,
		 uint16_t win, bool bad_checksum);

/* conn_state as base/protocols/conn/main.zeek computes it now. */
enum zeek_conn_state zeek_conn_state(const struct zeek_state *z);

/* Copies the history into buf (always NUL-terminated when size > 0). */
void zeek_history(const struct zeek_state *z, char *buf, size_t size);

/* "SF", "S0", ...; "?" for a value outside the enum. */
const char *zeek_conn_state_name(enum zeek_conn_state s);

/* Zeek swapped originator and responder ('^' in the history). */
bool zeek_is_flipped(const struct zeek_state *z);

/* Zeek's originator is the tracker's client (true before any segment). */
bool zeek_orig_is_client(const struct zeek_state *z);

#endif
