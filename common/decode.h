/*
 * decode.h - from a captured frame to the TCP fields tcpsift records.
 *
 * decode_frame() walks the link layer (Ethernet with any number of
 * 802.1Q/802.1ad tags and PPPoE, Linux SLL and SLL2, raw IP, BSD NULL and
 * LOOP, PPP, NFLOG), IPv4 with options or IPv6 with extension headers, and
 * the TCP header with its options.  It reads only through a bounded span:
 * a frame that ends early is classified, never overrun.  It keeps no state
 * and knows nothing of connections (flow.c does).
 *
 * Lengths follow Wireshark: the payload length comes from the IP header,
 * so a snaplen-truncated frame still has its true payload length.
 */
#ifndef TCPSIFT_DECODE_H
#define TCPSIFT_DECODE_H

#include <stddef.h>
#include <stdint.h>

/* TCP header flags, in the header's bit positions (NS is the 9th bit). */
enum {
	TCPF_FIN = 0x001,
	TCPF_SYN = 0x002,
	TCPF_RST = 0x004,
	TCPF_PSH = 0x008,
	TCPF_ACK = 0x010,
	TCPF_URG = 0x020,
	TCPF_ECE = 0x040,
	TCPF_CWR = 0x080,
	TCPF_NS = 0x100
};

/* Which TCP options a segment carried (decode_tcp.opts). */
enum {
	TCPO_MSS = 0x01,
	TCPO_WSCALE = 0x02,
	TCPO_SACK_PERM = 0x04,
	TCPO_TIMESTAMP = 0x08,
	TCPO_SACK = 0x10,
	TCPO_TRUNCATED = 0x20	/* options run past the captured bytes */
};

/* Outcome of decoding one frame; the extractor counts each kind. */
enum decode_result {
	DECODE_TCP,		/* a TCP segment: all fields valid */
	DECODE_LINKTYPE,	/* link type we do not decode */
	DECODE_NOT_IP,		/* link payload is not IPv4/IPv6 */
	DECODE_NOT_TCP,		/* IP, another transport */
	DECODE_FRAGMENT,	/* IP fragment: counted, skipped */
	DECODE_MALFORMED,	/* bad header field or length */
	DECODE_SHORT,		/* headers cut by the snaplen */
	DECODE_NRESULTS
};

struct decode_tcp {
	uint8_t ipver;		/* 4 or 6 */
	uint8_t ttl;		/* TTL or hop limit */
	uint16_t ip_id;		/* IPv4 identification; 0 for IPv6 */
	uint8_t src[16];	/* IPv4 in the first 4 bytes, rest zero */
	uint8_t dst[16];
	uint16_t sport;		/* host order */
	uint16_t dport;
	uint32_t seq;		/* raw, host order */
	uint32_t ack;
	uint16_t flags;		/* TCPF_* */
	uint16_t win;		/* raw window field */
	uint16_t cksum;		/* TCP checksum field, not verified */
	uint8_t hlen;		/* TCP header length, bytes */
	uint32_t payload_len;	/* bytes, from the IP length fields */
	uint8_t opts;		/* TCPO_* */
	uint8_t wscale;		/* shift from the option, as sent */
	uint8_t sack_blocks;	/* number of SACK blocks */
	uint16_t mss;		/* bytes */
	uint32_t tsval;		/* TCP timestamps option */
	uint32_t tsecr;
};

/*
 * Decodes one frame of the given DLT_* link type.  caplen is the number of
 * captured bytes at data, wire_len the frame's length on the wire (IP
 * length fields claiming more than the wire carried are clamped to it, as
 * Wireshark does); returns DECODE_TCP and fills *out, or another result
 * saying why the frame is not a recordable TCP segment.
 */
enum decode_result decode_frame(int linktype, const uint8_t *data,
				size_t caplen, size_t wire_len,
				struct decode_tcp *out);

/* "not-ip", "fragment", ...: a stable name for counters and the cache. */
const char *decode_result_name(enum decode_result r);


#endif
