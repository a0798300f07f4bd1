/*
 * unit-decode.c - the frame decoder on hand-built frames: every link type,
 * IPv4 options, IPv6 extension headers, fragments, malformed lengths, and
 * every prefix of every frame (which must never read past its end: run
 * under ASan to make that bite).
 */
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "unit.h"

/* IPv4 198.51.100.1:40000 -> 203.0.113.2:80, SYN, MSS 1460, WS 7, TS. */
static const uint8_t ipv4_syn[] = {
	0x45, 0x00, 0x00, 0x3c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
	198, 51, 100, 1, 203, 0, 113, 2,
	0x9c, 0x40, 0x00, 0x50, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00,
	0xa0, 0x02, 0xfa, 0xf0, 0xab, 0xcd, 0x00, 0x00,
	0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};

/* IPv6 2001:db8::1 -> 2001:db8::2, hop-by-hop header, then TCP ACK + 5 bytes */
static const uint8_t ipv6_data[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x25, 0x00, 0x40,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	0x06, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,	/* hop-by-hop, 8 bytes */
	0x00, 0x50, 0x9c, 0x40, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x20,
	0x50, 0x18, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	'h', 'e', 'l', 'l', 'o',
};

static uint8_t frame[256];

/* link header + IP packet into frame; returns the frame length */
static size_t build(const uint8_t *hdr, size_t hlen, const uint8_t *ip,
		    size_t iplen)
{
	if (hlen)
		memcpy(frame, hdr, hlen);
	memcpy(frame + hlen, ip, iplen);
	return hlen + iplen;
}

static void check_syn(const struct decode_tcp *d)
{
	CHECK(d->ipver == 4);
	CHECK(d->sport == 40000 && d->dport == 80);
	CHECK(d->seq == 1000 && d->flags == TCPF_SYN);
	CHECK(d->win == 64240 && d->hlen == 40 && d->payload_len == 0);
	CHECK(d->ip_id == 0x1234 && d->ttl == 64 && d->cksum == 0xabcd);
	CHECK(d->opts == (TCPO_MSS | TCPO_SACK_PERM | TCPO_WSCALE | TCPO_TIMESTAMP));
	CHECK(d->mss == 1460 && d->wscale == 7 && d->tsval == 1);
	CHECK(d->src[0] == 198 && d->dst[3] == 2 && d->dst[4] == 0);
}

/* Every shorter prefix must decode to something other than TCP, or (for
 * cuts inside options or payload) to TCP with the same header. */
static void check_prefixes(int linktype, size_t len)
{
	for (size_t n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		struct decode_tcp d;
		enum decode_result r;

		memcpy(copy, frame, n);
		r = decode_frame(linktype, copy, n, len, &d);
		CHECKF(r != DECODE_LINKTYPE, "linktype %d, %zu bytes", linktype, n);
		free(copy);
	}
}

static void test_ethernet_vlan_qinq(void)
{
	static const uint8_t eth[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00 };
	static const uint8_t qinq[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
		0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x14, 0x81, 0x00, 0x00, 0x1e, 0x08, 0x00 };
	struct decode_tcp d;
	size_t n;

	n = build(eth, sizeof(eth), ipv4_syn, sizeof(ipv4_syn));
	CHECK(decode_frame(1, frame, n, n, &d) == DECODE_TCP);
	check_syn(&d);
	check_prefixes(1, n);
	n = build(qinq, sizeof(qinq), ipv4_syn, sizeof(ipv4_syn));
	CHECK(decode_frame(1, frame, n, n, &d) == DECODE_TCP);
	check_syn(&d);
	check_prefixes(1, n);
}

static void test_pppoe_compressed_protocol(void)
{
	static const uint8_t pppoe[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
		0x88, 0x64, 0x11, 0x00, 0x00, 0x2d, 0x00, 0x3d, 0x21 };
	struct decode_tcp d;
	size_t n = build(pppoe, sizeof(pppoe), ipv4_syn, sizeof(ipv4_syn));

	CHECK(decode_frame(1, frame, n, n, &d) == DECODE_TCP);
	check_syn(&d);
	frame[20] = 0x00;	/* two-byte protocol 0x0021 would need one more byte */
	CHECK(decode_frame(1, frame, n, n, &d) != DECODE_TCP || d.sport != 40000);
}

static void test_sll_sll2_raw_null_loop_ppp(void)
{
	uint8_t sll[16] = { 0 }, sll2[20] = { 0 };
	static const uint8_t null_le[] = { 2, 0, 0, 0 }, null_be[] = { 0, 0, 0, 2 };
	static const uint8_t loop[] = { 0, 0, 0, 2 }, ppp[] = { 0xff, 0x03, 0x00, 0x21 };
	struct decode_tcp d;
	size_t n;

	sll[14] = 0x08;
	n = build(sll, sizeof(sll), ipv4_syn, sizeof(ipv4_syn));
	CHECK(decode_frame(113, frame, n, n, &d) == DECODE_TCP);
	check_syn(&d);
	check_prefixes(113, n);
	sll2[0] = 0x08;
	n = build(sll2, sizeof(sll2), ipv4_syn, sizeof(ipv4_syn));
	CHECK(decode_frame(276, frame, n, n, &d) == DECODE_TCP);
	check_syn(&d);
	for (int lt = 12; lt <= 228; lt += 216) {	/* DLT_RAW, LINKTYPE_IPV4 */
		n = build(NULL, 0, ipv4_syn, sizeof(ipv4_syn));
		CHECK(decode_frame(lt, frame, n, n, &d) == DECODE_TCP);
		check_syn(&d);
	}
	n = build(null_le, 4, ipv4_syn, sizeof(ipv4_syn));
	CHECK(decode_frame(0, frame, n, n, &d) == DECODE_TCP);
	n = build(null_be, 4, ipv4_syn, sizeof(ipv4_syn));
	CHECK(decode_frame(0, frame, n, n, &d) == DECODE_TCP);
	n = build(loop, 4, ipv4_syn, sizeof(ipv4_syn));
	CHECK(decode_frame(108, frame, n, n, &d) == DECODE_TCP);
	n = build(ppp, 4, ipv4_syn, sizeof(ipv4_syn));
	CHECK(decode_frame(9, frame, n, n, &d) == DECODE_TCP);
	check_syn(&d);
	CHECK(decode_frame(147, frame, n, n, &d) == DECODE_LINKTYPE);
}

static void test_ipv6_extension_headers(void)
{
	static const uint8_t eth6[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x86, 0xdd };
	struct decode_tcp d;
	size_t n = build(eth6, sizeof(eth6), ipv6_data, sizeof(ipv6_data));

	CHECK(decode_frame(1, frame, n, n, &d) == DECODE_TCP);
	CHECK(d.ipver == 6 && d.sport == 80 && d.dport == 40000);
	CHECK(d.seq == 16 && d.ack == 32 && d.flags == (TCPF_PSH | TCPF_ACK));
	CHECK(d.payload_len == 5 && d.ttl == 64 && d.ip_id == 0);
	CHECK(d.src[15] == 1 && d.dst[15] == 2);
	check_prefixes(1, n);
	frame[14 + 40] = 44;	/* hop-by-hop's next header: fragment */
	CHECK(decode_frame(1, frame, n, n, &d) == DECODE_FRAGMENT);
}

static void test_ipv4_options_fragments_malformed(void)
{
	uint8_t ip[sizeof(ipv4_syn) + 8];
	struct decode_tcp d;

	/* IHL 7: 8 bytes of options (a loose source route to 192.0.2.9) */
	memcpy(ip, ipv4_syn, 20);
	ip[0] = 0x47;
	ip[3] = 0x44;
	ip[20] = 131; ip[21] = 7; ip[22] = 4; ip[23] = 192; ip[24] = 0; ip[25] = 2; ip[26] = 9; ip[27] = 0;
	memcpy(ip + 28, ipv4_syn + 20, sizeof(ipv4_syn) - 20);
	CHECK(decode_frame(12, ip, sizeof(ip), sizeof(ip), &d) == DECODE_TCP);
	CHECK(d.sport == 40000 && d.dst[0] == 192 && d.dst[3] == 9);

	memcpy(ip, ipv4_syn, sizeof(ipv4_syn));
	ip[6] = 0x20;	/* more fragments */
	CHECK(decode_frame(12, ip, sizeof(ipv4_syn), sizeof(ipv4_syn), &d) == DECODE_FRAGMENT);
	ip[6] = 0x00; ip[7] = 0x10;	/* an offset */
	CHECK(decode_frame(12, ip, sizeof(ipv4_syn), sizeof(ipv4_syn), &d) == DECODE_FRAGMENT);
	ip[7] = 0;
	ip[9] = 17;	/* UDP */
	CHECK(decode_frame(12, ip, sizeof(ipv4_syn), sizeof(ipv4_syn), &d) == DECODE_NOT_TCP);
	ip[9] = 6;
	ip[0] = 0x44;	/* IHL 4 */
	CHECK(decode_frame(12, ip, sizeof(ipv4_syn), sizeof(ipv4_syn), &d) == DECODE_MALFORMED);
	ip[0] = 0x45;
	ip[32] = 0x40;	/* TCP data offset 4 */
	CHECK(decode_frame(12, ip, sizeof(ipv4_syn), sizeof(ipv4_syn), &d) == DECODE_MALFORMED);
	ip[32] = 0xf0;	/* data offset 15: 60 bytes, more than the packet */
	CHECK(decode_frame(12, ip, sizeof(ipv4_syn), sizeof(ipv4_syn), &d) == DECODE_MALFORMED);
}

static void test_lengths_follow_ip_and_wire(void)
{
	uint8_t ip[sizeof(ipv4_syn)];
	struct decode_tcp d;

	/* snaplen cut: captured 54 of 1500 bytes, IP says 1500 */
	memcpy(ip, ipv4_syn, sizeof(ip));
	ip[2] = 0x05; ip[3] = 0xdc;
	CHECK(decode_frame(12, ip, 54, 1500, &d) == DECODE_TCP);
	CHECK(d.payload_len == 1500 - 20 - 40);
	CHECK(d.opts & TCPO_TRUNCATED);
	/* IP claims more than the wire carried: clamp, as Wireshark does */
	CHECK(decode_frame(12, ip, sizeof(ip), sizeof(ip), &d) == DECODE_TCP);
	CHECK(d.payload_len == 0);
}

int main(void)
{
	RUN(test_ethernet_vlan_qinq);
	RUN(test_pppoe_compressed_protocol);
	RUN(test_sll_sll2_raw_null_loop_ppp);
	RUN(test_ipv6_extension_headers);
	RUN(test_ipv4_options_fragments_malformed);
	RUN(test_lengths_follow_ip_and_wire);
	return unit_status();
}
