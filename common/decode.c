/*
 * decode.c - link layer, IP and TCP header decoding.
 *
 * Invariant: every byte is read through a struct span, so a frame shorter
 * than its headers claim yields DECODE_SHORT or DECODE_MALFORMED, never an
 * out-of-bounds read.  Link types are dispatched by DLT_* value; the
 * numbers are libpcap's and are written here as constants so the decoder
 * does not depend on pcap.h.
 */
#include <string.h>

#include "decode.h"
#include "span.h"

enum {
	DLT_NULL_ = 0, DLT_EN10MB_ = 1, DLT_PPP_ = 9, DLT_RAW_ = 12,
	DLT_RAW_OPENBSD_ = 14, DLT_RAW_LINKTYPE_ = 101, DLT_LOOP_ = 108,
	DLT_LINUX_SLL_ = 113, DLT_NFLOG_ = 239, DLT_IPV4_ = 228,
	DLT_IPV6_ = 229, DLT_LINUX_SLL2_ = 276
};

enum {
	ETH_IPV4 = 0x0800, ETH_IPV6 = 0x86dd, ETH_VLAN = 0x8100,
	ETH_QINQ = 0x88a8, ETH_QINQ_OLD = 0x9100, ETH_PPPOE = 0x8864
};

enum { IPPROTO_TCP_ = 6 };

/* How deep the decoder follows nested tags or extension headers. */
enum { MAX_TAGS = 16, MAX_EXTHDRS = 16 };

static enum decode_result decode_tcp(struct span *s, uint32_t tcp_len,
				     struct decode_tcp *out)
{
	uint16_t off_flags;
	uint8_t b;
	struct span o;

	if (!span_be16(s, &out->sport) || !span_be16(s, &out->dport) ||
	    !span_be32(s, &out->seq) || !span_be32(s, &out->ack) ||
	    !span_be16(s, &off_flags) || !span_be16(s, &out->win) ||
	    !span_be16(s, &out->cksum) || !span_skip(s, 2))
		return tcp_len < 20 ? DECODE_MALFORMED : DECODE_SHORT;

	out->hlen = (uint8_t)((off_flags >> 12) * 4);
	out->flags = off_flags & 0x1ff;
	if (out->hlen < 20 || out->hlen > tcp_len)
		return DECODE_MALFORMED;
	out->payload_len = tcp_len - out->hlen;

	/* Options: stop quietly where the capture stops. */
	out->opts = 0;
	out->wscale = 0;
	out->sack_blocks = 0;
	out->mss = 0;
	out->tsval = 0;
	out->tsecr = 0;
	o = span_sub(s, out->hlen - 20u);
	if (span_left(&o) < out->hlen - 20u)
		out->opts |= TCPO_TRUNCATED;
	while (span_u8(&o, &b)) {
		uint8_t len;
		struct span v;

		if (b == 0)		/* end of option list */
			break;
		if (b == 1)		/* no-operation */
			continue;
		if (!span_u8(&o, &len))
			break;
		if (len < 2)
			break;		/* bogus length: the rest is noise */
		if (!span_has(&o, len - 2u)) {
			out->opts |= TCPO_TRUNCATED;
			break;
		}
		v = span_sub(&o, len - 2u);
		span_skip(&o, len - 2u);
		switch (b) {
		case 2:
			if (len == 4 && span_be16(&v, &out->mss))
				out->opts |= TCPO_MSS;
			break;
		case 3:
			if (len == 3 && span_u8(&v, &out->wscale))
				out->opts |= TCPO_WSCALE;
			break;
		case 4:
			if (len == 2)
				out->opts |= TCPO_SACK_PERM;
			break;
		case 5:
			if (len >= 10 && (len - 2) % 8 == 0) {
				out->opts |= TCPO_SACK;
				out->sack_blocks = (uint8_t)((len - 2) / 8);
			}
			break;
		case 8:
			if (len == 10 && span_be32(&v, &out->tsval) &&
			    span_be32(&v, &out->tsecr))
				out->opts |= TCPO_TIMESTAMP;
			break;
		default:
			break;
		}
	}
	return DECODE_TCP;
}

/*
 * IPv4 source-route options (LSRR 131, SSRR 137) name the final
 * destination last; Wireshark shows that one as ip.dst, and so do we.
 */
static void ipv4_final_dst(struct span opts, uint8_t dst[4])
{
	uint8_t type, len;

	while (span_u8(&opts, &type)) {
		if (type == 0)
			break;
		if (type == 1)
			continue;
		if (!span_u8(&opts, &len) || len < 2 || !span_has(&opts, len - 2u))
			break;
		if ((type == 131 || type == 137) && len >= 7 && (len - 3) % 4 == 0)
			memcpy(dst, span_cur(&opts) + len - 2 - 4, 4);
		span_skip(&opts, len - 2u);
	}
}

/*
 * `reported` is how many bytes of the packet, from the start of the IP
 * header, were on the wire (captured or not).  Like Wireshark, a length
 * field claiming more than that is clamped to it.
 */
static enum decode_result decode_ipv4(struct span *s, size_t reported,
				      struct decode_tcp *out)
{
	uint8_t vihl, tos, ttl, proto;
	uint16_t total, id, frag;
	size_t ihl, len;
	struct span opts;

	if (!span_u8(s, &vihl))
		return DECODE_SHORT;
	if (vihl >> 4 != 4)
		return DECODE_MALFORMED;
	ihl = (size_t)(vihl & 0x0f) * 4;
	if (ihl < 20)
		return DECODE_MALFORMED;
	if (!span_u8(s, &tos) || !span_be16(s, &total) || !span_be16(s, &id) ||
	    !span_be16(s, &frag) || !span_u8(s, &ttl) || !span_u8(s, &proto) ||
	    !span_skip(s, 2) || !span_copy(s, out->src, 4) ||
	    !span_copy(s, out->dst, 4))
		return DECODE_SHORT;
	len = total < reported ? total : reported;
	if (len < ihl)
		return DECODE_MALFORMED;
	opts = span_sub(s, ihl - 20);
	if (!span_skip(s, ihl - 20))
		return DECODE_SHORT;
	if (proto != IPPROTO_TCP_)
		return DECODE_NOT_TCP;
	if (frag & 0x3fff)	/* more-fragments flag or an offset */
		return DECODE_FRAGMENT;
	ipv4_final_dst(opts, out->dst);
	memset(out->src + 4, 0, 12);
	memset(out->dst + 4, 0, 12);
	out->ipver = 4;
	out->ttl = ttl;
	out->ip_id = id;
	return decode_tcp(s, (uint32_t)(len - ihl), out);
}

static int is_ipv6_exthdr(uint8_t nh)
{
	/* hop-by-hop, routing, destination options, mobility, HIP, shim6 */
	return nh == 0 || nh == 43 || nh == 60 || nh == 135 || nh == 139 ||
	       nh == 140;
}

static enum decode_result decode_ipv6(struct span *s, size_t reported,
				      struct decode_tcp *out)
{
	uint32_t vtcfl;
	uint16_t plen;
	uint8_t nh, hlim;

	if (!span_be32(s, &vtcfl))
		return DECODE_SHORT;
	if (vtcfl >> 28 != 6)
		return DECODE_MALFORMED;
	if (!span_be16(s, &plen) || !span_u8(s, &nh) || !span_u8(s, &hlim) ||
	    !span_copy(s, out->src, 16) || !span_copy(s, out->dst, 16))
		return DECODE_SHORT;
	if (reported < 40)
		return DECODE_MALFORMED;
	if (plen > reported - 40)
		plen = (uint16_t)(reported - 40);

	for (int i = 0; i < MAX_EXTHDRS && nh != IPPROTO_TCP_; i++) {
		uint8_t next, len8;
		size_t len;

		if (nh == 44)		/* fragment header */
			return DECODE_FRAGMENT;
		if (!is_ipv6_exthdr(nh))
			return DECODE_NOT_TCP;
		if (!span_u8(s, &next) || !span_u8(s, &len8))
			return DECODE_SHORT;
		len = ((size_t)len8 + 1) * 8;
		if (len > plen)
			return DECODE_MALFORMED;
		plen = (uint16_t)(plen - len);
		if (!span_skip(s, len - 2))
			return DECODE_SHORT;
		nh = next;
	}
	if (nh != IPPROTO_TCP_)
		return DECODE_NOT_TCP;
	out->ipver = 6;
	out->ttl = hlim;
	out->ip_id = 0;
	return decode_tcp(s, plen, out);
}

static enum decode_result decode_ip_version(struct span *s, size_t reported,
					    struct decode_tcp *out)
{
	if (!span_has(s, 1))
		return DECODE_SHORT;
	switch (span_cur(s)[0] >> 4) {
	case 4:
		return decode_ipv4(s, reported, out);
	case 6:
		return decode_ipv6(s, reported, out);
	default:
		return DECODE_NOT_IP;
	}
}

/*
 * The PPP protocol field: two bytes, or one when compressed (RFC 1661
 * section 6.5: an odd first byte is the whole field).
 */
static enum decode_result decode_ppp(struct span *s, size_t reported,
				     struct decode_tcp *out)
{
	uint8_t b;
	uint16_t proto;

	if (!span_u8(s, &b))
		return DECODE_SHORT;
	proto = b;
	if (!(b & 1)) {
		uint8_t lo;
		if (!span_u8(s, &lo))
			return DECODE_SHORT;
		proto = (uint16_t)(b << 8 | lo);
		reported = reported >= 2 ? reported - 2 : 0;
	} else {
		reported = reported >= 1 ? reported - 1 : 0;
	}
	if (proto == 0x0021)
		return decode_ipv4(s, reported, out);
	if (proto == 0x0057)
		return decode_ipv6(s, reported, out);
	return DECODE_NOT_IP;
}

/* Bytes of the frame from the cursor on that were on the wire. */
static size_t reported_left(const struct span *s, size_t wire_len)
{
	return wire_len > s->off ? wire_len - s->off : 0;
}

static enum decode_result decode_ethertype(struct span *s, uint16_t type,
					   size_t wire_len,
					   struct decode_tcp *out)
{
	for (int i = 0; i < MAX_TAGS; i++) {
		uint16_t plen;
		size_t rep;

		switch (type) {
		case ETH_IPV4:
			return decode_ipv4(s, reported_left(s, wire_len), out);
		case ETH_IPV6:
			return decode_ipv6(s, reported_left(s, wire_len), out);
		case ETH_VLAN:
		case ETH_QINQ:
		case ETH_QINQ_OLD:
			if (!span_skip(s, 2) || !span_be16(s, &type))
				return DECODE_SHORT;
			break;
		case ETH_PPPOE:
			/* ver/type, code, session id, then the PPP payload's
			 * length, which bounds it as Wireshark does */
			if (!span_skip(s, 4) || !span_be16(s, &plen))
				return DECODE_SHORT;
			rep = reported_left(s, wire_len);
			return decode_ppp(s, plen < rep ? plen : rep, out);
		default:
			return DECODE_NOT_IP;
		}
	}
	return DECODE_MALFORMED;	/* more tags than any real network */
}

static enum decode_result decode_null(struct span *s, int big_endian,
				      size_t wire_len, struct decode_tcp *out)
{
	uint8_t b[4];
	uint32_t af;

	if (!span_copy(s, b, 4))
		return DECODE_SHORT;
	if (big_endian) {
		af = get_be32(b);
	} else {
		/* DLT_NULL is in the capturing host's order: guess it. */
		af = get_le32(b);
		if (af > 0xffff)
			af = get_be32(b);
	}
	switch (af) {
	case 2:
		return decode_ipv4(s, reported_left(s, wire_len), out);
	case 10: case 24: case 28: case 30:
		return decode_ipv6(s, reported_left(s, wire_len), out);
	default:
		return DECODE_NOT_IP;
	}
}

static enum decode_result decode_nflog(struct span *s, struct decode_tcp *out)
{
	uint8_t family;

	if (!span_u8(s, &family) || !span_skip(s, 3))
		return DECODE_SHORT;
	/* TLVs: little-endian length (includes the 4-byte TLV header), type */
	for (int i = 0; i < 64; i++) {
		uint16_t len, type;
		size_t padded;

		if (!span_le16(s, &len) || !span_le16(s, &type))
			return DECODE_SHORT;
		if (len < 4)
			return DECODE_MALFORMED;
		if ((type & 0x7fff) == 9) {	/* NFULA_PAYLOAD */
			struct span p = span_sub(s, len - 4u);
			if (family == 2)
				return decode_ipv4(&p, len - 4u, out);
			if (family == 10)
				return decode_ipv6(&p, len - 4u, out);
			return decode_ip_version(&p, len - 4u, out);
		}
		padded = ((size_t)len + 3) & ~(size_t)3;
		if (!span_skip(s, padded - 4))
			return DECODE_SHORT;
	}
	return DECODE_MALFORMED;
}

enum decode_result decode_frame(int linktype, const uint8_t *data,
				size_t caplen, size_t wire_len,
				struct decode_tcp *out)
{
	struct span s = span_make(data, caplen);
	uint16_t type;

	if (wire_len < caplen)
		wire_len = caplen;

	switch (linktype) {
	case DLT_EN10MB_:
		if (!span_skip(&s, 12) || !span_be16(&s, &type))
			return DECODE_SHORT;
		return decode_ethertype(&s, type, wire_len, out);
	case DLT_LINUX_SLL_:
		if (!span_skip(&s, 14) || !span_be16(&s, &type))
			return DECODE_SHORT;
		return decode_ethertype(&s, type, wire_len, out);
	case DLT_LINUX_SLL2_:
		if (!span_be16(&s, &type) || !span_skip(&s, 18))
			return DECODE_SHORT;
		return decode_ethertype(&s, type, wire_len, out);
	case DLT_RAW_:
	case DLT_RAW_OPENBSD_:
	case DLT_RAW_LINKTYPE_:
		return decode_ip_version(&s, wire_len, out);
	case DLT_IPV4_:
		return decode_ipv4(&s, wire_len, out);
	case DLT_IPV6_:
		return decode_ipv6(&s, wire_len, out);
	case DLT_NULL_:
		return decode_null(&s, 0, wire_len, out);
	case DLT_LOOP_:
		return decode_null(&s, 1, wire_len, out);
	case DLT_PPP_:
		if (span_has(&s, 2) && span_cur(&s)[0] == 0xff &&
		    span_cur(&s)[1] == 0x03)
			span_skip(&s, 2);
		return decode_ppp(&s, reported_left(&s, wire_len), out);
	case DLT_NFLOG_:
		return decode_nflog(&s, out);
	default:
		return DECODE_LINKTYPE;
	}
}

const char *decode_result_name(enum decode_result r)
{
	static const char *const names[DECODE_NRESULTS] = {
		[DECODE_TCP] = "tcp",
		[DECODE_LINKTYPE] = "other-linktype",
		[DECODE_NOT_IP] = "not-ip",
		[DECODE_NOT_TCP] = "not-tcp",
		[DECODE_FRAGMENT] = "fragment",
		[DECODE_MALFORMED] = "malformed",
		[DECODE_SHORT] = "truncated",
	};
	return (unsigned)r < DECODE_NRESULTS ? names[r] : "?";
}
