/*
 * unit-zeek.c - zeek.c's conn_state and history: hand-built segment
 * sequences for every conn_state value and history letter, then segments
 * taken from captures for which Zeek's own conn.log is the reference
 * (/work/shared/pcaps/reference/zeek-*.conn.log; tcpsift's copies of
 * Zeek's btest traces).
 *
 * Sequence numbers in the hand-built cases: the client's ISN is 1000, the
 * server's 5000, so the client's first data byte is 1001.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "unit.h"
#include "zeek.h"

/* One segment as the tracker would hand it over. */
struct seg {
	uint8_t from_client;	/* 1: sent by the tracker's client */
	uint16_t flags;		/* TCPF_* */
	uint32_t seq;		/* raw */
	uint32_t ack;		/* raw */
	uint32_t len;		/* payload bytes */
	uint16_t win;		/* raw window field */
};

#define SYN TCPF_SYN
#define ACK TCPF_ACK
#define FIN TCPF_FIN
#define RST TCPF_RST
#define PSH TCPF_PSH

#define C 1	/* from the client */
#define S 0	/* from the server */

static struct zeek_state z;

static void start(uint16_t client_port, uint16_t server_port)
{
	zeek_init(&z, client_port, server_port);
}

static void pkt(int from_client, uint16_t flags, uint32_t seq, uint32_t ack,
		uint32_t len)
{
	zeek_packet(&z, from_client, flags, seq, ack, len, 8192, false);
}

static void handshake(void)
{
	start(40000, 80);
	pkt(C, SYN, 1000, 0, 0);
	pkt(S, SYN | ACK, 5000, 1001, 0);
	pkt(C, ACK, 1001, 5001, 0);
}

static void replay(uint16_t client_port, uint16_t server_port,
		   const struct seg *s, size_t n)
{
	size_t i;

	start(client_port, server_port);
	for (i = 0; i < n; i++)
		zeek_packet(&z, s[i].from_client, s[i].flags, s[i].seq,
			    s[i].ack, s[i].len, s[i].win, false);
}

/* Checks the current connection against Zeek's values. */
#define EXPECT(state, hist)						\
	do {								\
		char h_[ZEEK_HISTORY_MAX];				\
		enum zeek_conn_state s_ = zeek_conn_state(&z);		\
									\
		zeek_history(&z, h_, sizeof(h_));			\
		CHECKF(s_ == (state) && strcmp(h_, (hist)) == 0,	\
		       "got %s %s, want %s %s",			\
		       zeek_conn_state_name(s_), h_,			\
		       zeek_conn_state_name(state), (hist));		\
	} while (0)

/* ---- conn_state, one case each ---- */

static void test_s0(void)
{
	start(40000, 80);
	pkt(C, SYN, 1000, 0, 0);
	pkt(C, SYN, 1000, 0, 0);	/* retransmitted SYN: no second S */
	EXPECT(ZEEK_S0, "S");
}

static void test_s1(void)
{
	handshake();
	EXPECT(ZEEK_S1, "ShA");
	pkt(C, ACK | PSH, 1001, 5001, 10);
	pkt(S, ACK | PSH, 5001, 1011, 20);
	EXPECT(ZEEK_S1, "ShADd");
	pkt(C, ACK, 1011, 5021, 0);
	EXPECT(ZEEK_S1, "ShADd");	/* A is written once per side */
}

static void test_sf(void)
{
	handshake();
	pkt(C, ACK | PSH, 1001, 5001, 10);
	pkt(S, ACK, 5001, 1011, 0);
	pkt(C, FIN | ACK, 1011, 5001, 0);
	pkt(S, FIN | ACK, 5001, 1012, 0);
	pkt(C, ACK, 1012, 5002, 0);
	EXPECT(ZEEK_SF, "ShADaFf");
	/* a RST after the FIN exchange changes nothing */
	pkt(S, RST, 5002, 0, 0);
	EXPECT(ZEEK_SF, "ShADaFfr");
}

static void test_rej(void)
{
	start(40000, 80);
	pkt(C, SYN, 1000, 0, 0);
	pkt(S, RST | ACK, 0, 1001, 0);
	EXPECT(ZEEK_REJ, "Sr");
}

static void test_s2_s3(void)
{
	handshake();
	pkt(C, FIN | ACK, 1001, 5001, 0);
	EXPECT(ZEEK_S2, "ShAF");
	handshake();
	pkt(S, FIN | ACK, 5001, 1001, 0);
	EXPECT(ZEEK_S3, "ShAf");
}

static void test_rsto_rstr(void)
{
	handshake();
	pkt(C, RST | ACK, 1001, 5001, 0);
	EXPECT(ZEEK_RSTO, "ShAR");
	handshake();
	pkt(S, RST | ACK, 5001, 1001, 0);
	EXPECT(ZEEK_RSTR, "ShAr");
	/* FIN, then the peer's RST: RSTR (zeek-ssh.pcap stream 4 is one) */
	handshake();
	pkt(C, FIN | ACK, 1001, 5001, 0);
	pkt(S, RST, 5001, 0, 0);
	EXPECT(ZEEK_RSTR, "ShAFr");
}

static void test_rstos0(void)
{
	start(40000, 80);
	pkt(C, SYN, 1000, 0, 0);
	pkt(C, RST, 1001, 0, 0);
	EXPECT(ZEEK_RSTOS0, "SR");
	/* a lone RST is no SYN-then-RST: OTH */
	start(40000, 80);
	pkt(C, RST, 1001, 0, 0);
	EXPECT(ZEEK_OTH, "R");
}

static void test_rstrh(void)
{
	start(40000, 80);
	pkt(S, SYN | ACK, 5000, 1001, 0);
	pkt(S, RST, 5001, 0, 0);
	EXPECT(ZEEK_RSTRH, "^hr");
}

static void test_sh_shr(void)
{
	start(40000, 80);
	pkt(C, SYN, 1000, 0, 0);
	pkt(C, FIN, 1001, 0, 0);
	EXPECT(ZEEK_SH, "SF");
	start(40000, 80);
	pkt(S, SYN | ACK, 5000, 1001, 0);
	pkt(S, FIN | ACK, 5001, 1001, 0);
	EXPECT(ZEEK_SHR, "^hf");
}

static void test_oth(void)
{
	/* mid-stream, client to a server port: not flipped */
	start(40000, 80);
	pkt(C, ACK | PSH, 1001, 5001, 10);
	EXPECT(ZEEK_OTH, "D");
	pkt(S, ACK | PSH, 5001, 1011, 10);
	EXPECT(ZEEK_OTH, "Dd");
	CHECK(!zeek_is_flipped(&z));
	CHECK(zeek_orig_is_client(&z));
	/* a pure ACK from the client after a SYN-ACK establishes both */
	start(40000, 80);
	pkt(S, SYN | ACK, 5000, 1001, 0);
	EXPECT(ZEEK_OTH, "^h");
	pkt(C, ACK, 1001, 5001, 0);
	EXPECT(ZEEK_S1, "^hA");
}

/* ---- history letters ---- */

static void test_retransmissions(void)
{
	int i;

	handshake();
	pkt(C, ACK | PSH, 1001, 5001, 10);
	for (i = 0; i < 10; i++)
		pkt(C, ACK | PSH, 1001, 5001, 10);
	EXPECT(ZEEK_S1, "ShADTT");	/* at 1 and 10 */
	for (i = 0; i < 89; i++)
		pkt(C, ACK | PSH, 1001, 5001, 10);
	EXPECT(ZEEK_S1, "ShADTT");
	pkt(C, ACK | PSH, 1001, 5001, 10);
	EXPECT(ZEEK_S1, "ShADTTT");	/* the 100th */
	/* a shorter resend inside data already seen counts too */
	pkt(S, ACK | PSH, 5001, 1011, 10);
	pkt(S, ACK | PSH, 5006, 1011, 5);
	EXPECT(ZEEK_S1, "ShADTTTdt");
}

static void test_zero_window(void)
{
	int i;

	handshake();
	for (i = 0; i < 10; i++)
		zeek_packet(&z, S, ACK, 5001, 1001, 0, 0, false);
	EXPECT(ZEEK_S1, "ShAaww");
	/* not with a RST */
	handshake();
	zeek_packet(&z, S, RST | ACK, 5001, 1001, 0, 0, false);
	EXPECT(ZEEK_RSTR, "ShAr");
	/* not once a side has closed */
	handshake();
	pkt(C, FIN | ACK, 1001, 5001, 0);
	zeek_packet(&z, S, ACK, 5001, 1002, 0, 0, false);
	EXPECT(ZEEK_S2, "ShAFa");
}

static void test_gaps(void)
{
	/* 1101-1200 never seen, then acked: the client's data has a gap */
	handshake();
	pkt(C, ACK | PSH, 1001, 5001, 100);
	pkt(C, ACK | PSH, 1201, 5001, 100);
	pkt(S, ACK, 5001, 1301, 0);
	EXPECT(ZEEK_S1, "ShADaG");
	/*
	 * the same, filled out of order before the ack: no gap, but Zeek
	 * calls the late segment a retransmission (it ends below last_seq)
	 */
	handshake();
	pkt(C, ACK | PSH, 1001, 5001, 100);
	pkt(C, ACK | PSH, 1201, 5001, 100);
	pkt(C, ACK | PSH, 1101, 5001, 100);
	pkt(S, ACK, 5001, 1301, 0);
	EXPECT(ZEEK_S1, "ShADTa");
	/* acked with the server's FIN: a gap at the end is not flagged */
	handshake();
	pkt(C, ACK | PSH, 1001, 5001, 100);
	pkt(S, FIN | ACK, 5001, 1301, 0);
	EXPECT(ZEEK_S3, "ShADf");
	/* the ack of a FIN is not an ack of data */
	handshake();
	pkt(C, ACK | PSH, 1001, 5001, 100);
	pkt(C, FIN | ACK, 1101, 5001, 0);
	pkt(S, ACK, 5001, 1102, 0);
	EXPECT(ZEEK_S2, "ShADFa");
	/* data acked beyond what was seen, ten times: g at 1 and 10 */
	{
		int i;

		handshake();
		for (i = 0; i < 10; i++) {
			pkt(S, ACK | PSH, 5001 + 200 * i, 1001, 100);
			pkt(C, ACK, 1001, 5201 + 200 * i, 0);
		}
		EXPECT(ZEEK_S1, "ShAdgg");
	}
}

static void test_checksums(void)
{
	int i;

	handshake();
	for (i = 0; i < 10; i++)
		zeek_packet(&z, S, ACK | PSH, 5001, 1001, 10, 8192, true);
	EXPECT(ZEEK_S1, "ShAcc");	/* and no d: the segments were dropped */
	/* a bad SYN still decides the originator, but changes no state */
	start(40000, 80);
	zeek_packet(&z, C, SYN, 1000, 0, 0, 8192, true);
	EXPECT(ZEEK_OTH, "C");
	CHECK(zeek_orig_is_client(&z));
}

static void test_odd_flags(void)
{
	handshake();
	pkt(C, FIN | RST | ACK, 1001, 5001, 0);
	pkt(C, FIN | RST | ACK, 1001, 5001, 0);
	EXPECT(ZEEK_RSTO, "ShAI");	/* once only */
	start(40000, 80);
	pkt(C, SYN | FIN, 1000, 0, 0);
	EXPECT(ZEEK_SH, "Q");
	start(40000, 80);
	pkt(C, SYN, 1000, 0, 0);
	/* the SYN half establishes both sides before the RST half resets */
	pkt(S, SYN | RST | ACK, 5000, 1001, 0);
	EXPECT(ZEEK_RSTR, "Sq");
}

static void test_repeated_fin(void)
{
	/* a FIN again at another sequence number is written again */
	handshake();
	pkt(C, FIN | ACK, 1001, 5001, 0);
	pkt(C, FIN | ACK, 1001, 5001, 0);	/* same place: not again */
	pkt(C, FIN | ACK | PSH, 1001, 5001, 10);
	EXPECT(ZEEK_S2, "ShAFF");
}

static void test_flips(void)
{
	/* mid-stream from a server port to a client port: flipped */
	start(40000, 80);
	pkt(S, ACK | PSH, 5001, 1001, 10);
	EXPECT(ZEEK_OTH, "^d");
	CHECK(zeek_is_flipped(&z));
	CHECK(zeek_orig_is_client(&z));
	/* neither port likely: the first sender is the originator */
	start(5000, 1000);
	pkt(S, ACK | PSH, 5001, 1001, 10);
	EXPECT(ZEEK_OTH, "D");
	CHECK(!zeek_is_flipped(&z));
	CHECK(!zeek_orig_is_client(&z));
	/* both likely: flipped only towards the lower port */
	start(443, 80);
	pkt(S, ACK, 5001, 1001, 0);
	EXPECT(ZEEK_OTH, "^a");
	start(443, 80);
	pkt(C, ACK, 1001, 5001, 0);
	EXPECT(ZEEK_OTH, "A");
	/* a SYN-ACK first is flipped even between two likely ports */
	start(6669, 80);
	pkt(S, SYN | ACK, 5000, 1001, 0);
	EXPECT(ZEEK_OTH, "^h");
	CHECK(zeek_orig_is_client(&z));
	/*
	 * SYN-ACK, then SYN from the other side: Zeek's SYN/SYN-ACK
	 * reversal swaps the roles late (a bad first SYN makes the
	 * client Zeek's originator without changing its state).
	 */
	start(40000, 80);
	zeek_packet(&z, C, SYN, 1000, 0, 0, 8192, true);
	pkt(C, SYN | ACK, 1000, 5001, 0);
	pkt(S, SYN, 5000, 0, 0);
	EXPECT(ZEEK_S1, "CHs^");
	CHECK(!zeek_orig_is_client(&z));
}

static void test_history_api(void)
{
	char buf[8];

	handshake();
	zeek_history(&z, buf, 3);
	CHECK(strcmp(buf, "Sh") == 0);
	buf[0] = 'x';
	zeek_history(&z, buf, 1);
	CHECK(buf[0] == '\0');
	zeek_history(&z, buf, 0);	/* writes nothing */
	CHECK(strcmp(zeek_conn_state_name(ZEEK_RSTOS0), "RSTOS0") == 0);
	CHECK(strcmp(zeek_conn_state_name(ZEEK_SHR), "SHR") == 0);
	CHECK(strcmp(zeek_conn_state_name((enum zeek_conn_state)99), "?") == 0);
}

/* ---- calibrated against Zeek's conn.log ---- */

/* zeek-miss_end_data.pcap, tcp.stream 0: client port 60648, server port 80 */
static const struct seg miss_end_data[] = {
	{ 1, 0x002, 3810936567u,          0u,    0,  8192 },	/* frame 1 */
	{ 0, 0x012, 1268090424u, 3810936568u,    0,  5840 },	/* frame 2 */
	{ 1, 0x010, 3810936568u, 1268090425u,    0, 16425 },	/* frame 3 */
	{ 1, 0x018, 3810936568u, 1268090425u,  538, 16425 },	/* frame 4 */
	{ 0, 0x010, 1268090425u, 3810937106u,    0,    14 },	/* frame 5 */
	{ 0, 0x011, 1268093327u, 3810937106u,    0,    14 },	/* frame 6 */
	{ 1, 0x010, 3810937106u, 1268093328u,    0, 16425 },	/* frame 7 */
	{ 1, 0x011, 3810937106u, 1268093328u,    0, 16425 },	/* frame 8 */
	{ 0, 0x010, 1268093328u, 3810937107u,    0,    14 },	/* frame 9 */
};

/* zeek-http-on-irc-port-missing-syn.pcapng, tcp.stream 0: client port 6669, server port 80 */
static const struct seg irc_port[] = {
	{ 0, 0x012, 2779762238u, 4263588411u,    0, 14480 },	/* frame 1 */
	{ 1, 0x010, 4263588411u, 2779762239u,    0,  8235 },	/* frame 2 */
	{ 1, 0x018, 4263588411u, 2779762239u,  136,  8235 },	/* frame 3 */
	{ 0, 0x010, 2779762239u, 4263588547u,    0,   122 },	/* frame 4 */
	{ 0, 0x010, 2779762239u, 4263588547u, 1448,   122 },	/* frame 5 */
	{ 0, 0x010, 2779763687u, 4263588547u, 1448,   122 },	/* frame 6 */
	{ 0, 0x010, 2779765135u, 4263588547u, 1448,   122 },	/* frame 7 */
	{ 0, 0x018, 2779766583u, 4263588547u,  663,   122 },	/* frame 8 */
	{ 1, 0x010, 4263588547u, 2779765135u,    0,  8054 },	/* frame 9 */
	{ 1, 0x010, 4263588547u, 2779767246u,    0,  7922 },	/* frame 10 */
	{ 1, 0x011, 4263588547u, 2779767246u,    0,  8192 },	/* frame 11 */
	{ 0, 0x011, 2779767246u, 4263588548u,    0,   122 },	/* frame 12 */
	{ 1, 0x010, 4263588548u, 2779767247u,    0,  8192 },	/* frame 13 */
};

/* zeek-missing-syn.pcap, tcp.stream 0: client port 56730, server port 80 */
static const struct seg missing_syn[] = {
	{ 0, 0x012, 2697137987u, 1512382794u,    0, 57344 },	/* frame 1 */
	{ 1, 0x010, 1512382794u, 2697137988u,    0,  1460 },	/* frame 2 */
	{ 1, 0x018, 1512382794u, 2697137988u,   98,  1460 },	/* frame 3 */
	{ 0, 0x010, 2697137988u, 1512382892u, 1448, 57920 },	/* frame 4 */
	{ 0, 0x010, 2697139436u, 1512382892u, 1448, 57920 },	/* frame 5 */
	{ 1, 0x010, 1512382892u, 2697139436u,    0,  2184 },	/* frame 6 */
	{ 1, 0x010, 1512382892u, 2697140884u,    0,  2908 },	/* frame 7 */
	{ 0, 0x010, 2697140884u, 1512382892u, 1448, 57920 },	/* frame 8 */
	{ 0, 0x010, 2697142332u, 1512382892u, 1448, 57920 },	/* frame 9 */
	{ 0, 0x010, 2697143780u, 1512382892u, 1448, 57920 },	/* frame 10 */
	{ 0, 0x010, 2697145228u, 1512382892u, 1448, 57920 },	/* frame 11 */
	{ 1, 0x010, 1512382892u, 2697142332u,    0,  3632 },	/* frame 12 */
	{ 1, 0x010, 1512382892u, 2697143780u,    0,  4356 },	/* frame 13 */
	{ 1, 0x010, 1512382892u, 2697145228u,    0,  5080 },	/* frame 14 */
	{ 1, 0x010, 1512382892u, 2697146676u,    0,  5804 },	/* frame 15 */
	{ 0, 0x018, 2697146676u, 1512382892u,  729, 57920 },	/* frame 16 */
	{ 1, 0x010, 1512382892u, 2697147405u,    0,  6528 },	/* frame 17 */
	{ 1, 0x011, 1512382892u, 2697147405u,    0,  6528 },	/* frame 18 */
	{ 0, 0x010, 2697147405u, 1512382893u,    0, 57920 },	/* frame 19 */
	{ 0, 0x011, 2697147405u, 1512382893u,    0, 57920 },	/* frame 20 */
	{ 1, 0x010, 1512382893u, 2697147406u,    0,  6528 },	/* frame 21 */
};

/* zeek-wikipedia.pcap, tcp.stream 0: client port 35634, server port 80 */
static const struct seg wiki_mid[] = {
	{ 1, 0x018, 1375720274u, 3103668877u,  463,    54 },	/* frame 6 */
	{ 0, 0x018, 3103668877u, 1375720737u,  350,    16 },	/* frame 7 */
	{ 1, 0x010, 1375720737u, 3103669227u,    0,    63 },	/* frame 8 */
};

/* zeek-wikipedia.pcap, tcp.stream 9: client port 6705, server port 80 */
static const struct seg wiki_synack[] = {
	{ 0, 0x012, 1385838722u, 3057737591u,    0, 16384 },	/* frame 113 */
};

/* zeek-ssh.pcap, tcp.stream 19: client port 51476, server port 8118 */
static const struct seg ssh_mid[] = {
	{ 1, 0x018,  617583990u, 2660308648u,   45,  4096 },	/* frame 904 */
	{ 0, 0x010, 2660308648u,  617584035u,    0,   153 },	/* frame 905 */
	{ 1, 0x018,  617584035u, 2660308648u,   31,  4096 },	/* frame 906 */
	{ 0, 0x010, 2660308648u,  617584066u,    0,   153 },	/* frame 907 */
	{ 1, 0x011,  617584066u, 2660308648u,    0,  4096 },	/* frame 908 */
	{ 0, 0x011, 2660308648u,  617584067u,    0,   153 },	/* frame 909 */
	{ 1, 0x011,  617584066u, 2660308648u,    0,  4096 },	/* frame 910 */
	{ 0, 0x010, 2660308649u,  617584067u,    0,   153 },	/* frame 911 */
	{ 1, 0x011,  617584066u, 2660308648u,    0,  4096 },	/* frame 912 */
	{ 0, 0x010, 2660308649u,  617584067u,    0,   153 },	/* frame 913 */
	{ 1, 0x010,  617584067u, 2660308649u,    0,  4096 },	/* frame 914 */
};

/* zeek-ssh.pcap, tcp.stream 4: client port 55179, server port 2200 */
static const struct seg ssh_rstr[] = {
	{ 1, 0x002, 3489937404u,          0u,    0, 65535 },	/* frame 200 */
	{ 0, 0x012, 2945483812u, 3489937405u,    0, 28960 },	/* frame 201 */
	{ 1, 0x010, 3489937405u, 2945483813u,    0,  4117 },	/* frame 202 */
	{ 1, 0x018, 3489937405u, 2945483813u,   21,  4117 },	/* frame 203 */
	{ 0, 0x010, 2945483813u, 3489937426u,    0,   227 },	/* frame 204 */
	{ 0, 0x018, 2945483813u, 3489937426u,   25,   227 },	/* frame 205 */
	{ 1, 0x010, 3489937426u, 2945483838u,    0,  4116 },	/* frame 206 */
	{ 1, 0x010, 3489937426u, 2945483838u, 1448,  4116 },	/* frame 207 */
	{ 1, 0x018, 3489938874u, 2945483838u,  144,  4116 },	/* frame 208 */
	{ 0, 0x010, 2945483838u, 3489939018u,    0,   272 },	/* frame 209 */
	{ 0, 0x018, 2945483838u, 3489939018u,  440,   272 },	/* frame 210 */
	{ 1, 0x010, 3489939018u, 2945484278u,    0,  4103 },	/* frame 211 */
	{ 1, 0x018, 3489939018u, 2945484278u,   24,  4103 },	/* frame 212 */
	{ 0, 0x018, 2945484278u, 3489939042u,  152,   272 },	/* frame 213 */
	{ 1, 0x010, 3489939042u, 2945484430u,    0,  4098 },	/* frame 214 */
	{ 1, 0x018, 3489939042u, 2945484430u,  144,  4098 },	/* frame 215 */
	{ 0, 0x018, 2945484430u, 3489939186u,  448,   295 },	/* frame 216 */
	{ 1, 0x010, 3489939186u, 2945484878u,    0,  4084 },	/* frame 217 */
	{ 0, 0x018, 2945484878u, 3489939186u,   16,   295 },	/* frame 218 */
	{ 1, 0x010, 3489939186u, 2945484894u,    0,  4095 },	/* frame 219 */
	{ 1, 0x018, 3489939186u, 2945484894u,   16,  4095 },	/* frame 220 */
	{ 0, 0x010, 2945484894u, 3489939202u,    0,   295 },	/* frame 221 */
	{ 1, 0x018, 3489939202u, 2945484894u,   48,  4096 },	/* frame 222 */
	{ 0, 0x010, 2945484894u, 3489939250u,    0,   295 },	/* frame 223 */
	{ 0, 0x018, 2945484894u, 3489939250u,   48,   295 },	/* frame 224 */
	{ 1, 0x010, 3489939250u, 2945484942u,    0,  4094 },	/* frame 225 */
	{ 1, 0x018, 3489939250u, 2945484942u,   64,  4096 },	/* frame 226 */
	{ 0, 0x018, 2945484942u, 3489939314u,   32,   295 },	/* frame 227 */
	{ 1, 0x010, 3489939314u, 2945484974u,    0,  4095 },	/* frame 228 */
	{ 1, 0x018, 3489939314u, 2945484974u,   64,  4096 },	/* frame 229 */
	{ 0, 0x018, 2945484974u, 3489939378u,   48,   295 },	/* frame 230 */
	{ 1, 0x010, 3489939378u, 2945485022u,    0,  4094 },	/* frame 231 */
	{ 1, 0x018, 3489939378u, 2945485022u,  448,  4096 },	/* frame 232 */
	{ 0, 0x018, 2945485022u, 3489939826u,   32,   317 },	/* frame 233 */
	{ 1, 0x010, 3489939826u, 2945485054u,    0,  4095 },	/* frame 234 */
	{ 0, 0x018, 2945485054u, 3489939826u,   32,   317 },	/* frame 235 */
	{ 1, 0x010, 3489939826u, 2945485086u,    0,  4095 },	/* frame 236 */
	{ 0, 0x018, 2945485086u, 3489939826u,   80,   317 },	/* frame 237 */
	{ 1, 0x010, 3489939826u, 2945485166u,    0,  4093 },	/* frame 238 */
	{ 0, 0x018, 2945485166u, 3489939826u,  112,   317 },	/* frame 239 */
	{ 1, 0x010, 3489939826u, 2945485278u,    0,  4092 },	/* frame 240 */
	{ 0, 0x018, 2945485278u, 3489939826u,   80,   317 },	/* frame 241 */
	{ 1, 0x010, 3489939826u, 2945485358u,    0,  4093 },	/* frame 242 */
	{ 0, 0x018, 2945485358u, 3489939826u,   48,   317 },	/* frame 243 */
	{ 1, 0x010, 3489939826u, 2945485406u,    0,  4094 },	/* frame 244 */
	{ 1, 0x018, 3489939826u, 2945485406u,   48,  4096 },	/* frame 245 */
	{ 0, 0x010, 2945485406u, 3489939874u,    0,   317 },	/* frame 246 */
	{ 1, 0x018, 3489939874u, 2945485406u,   48,  4096 },	/* frame 247 */
	{ 0, 0x010, 2945485406u, 3489939922u,    0,   317 },	/* frame 248 */
	{ 1, 0x018, 3489939922u, 2945485406u,   48,  4096 },	/* frame 249 */
	{ 0, 0x010, 2945485406u, 3489939970u,    0,   317 },	/* frame 250 */
	{ 1, 0x018, 3489939970u, 2945485406u,   48,  4096 },	/* frame 251 */
	{ 0, 0x010, 2945485406u, 3489940018u,    0,   317 },	/* frame 252 */
	{ 1, 0x018, 3489940018u, 2945485406u,   48,  4096 },	/* frame 253 */
	{ 0, 0x010, 2945485406u, 3489940066u,    0,   317 },	/* frame 254 */
	{ 0, 0x018, 2945485406u, 3489940066u,   64,   317 },	/* frame 255 */
	{ 1, 0x010, 3489940066u, 2945485470u,    0,  4094 },	/* frame 256 */
	{ 0, 0x018, 2945485470u, 3489940066u,   32,   317 },	/* frame 257 */
	{ 1, 0x010, 3489940066u, 2945485502u,    0,  4095 },	/* frame 258 */
	{ 0, 0x018, 2945485502u, 3489940066u,   32,   317 },	/* frame 259 */
	{ 1, 0x010, 3489940066u, 2945485534u,    0,  4095 },	/* frame 260 */
	{ 1, 0x018, 3489940066u, 2945485534u,   32,  4096 },	/* frame 261 */
	{ 1, 0x018, 3489940098u, 2945485534u,   64,  4096 },	/* frame 262 */
	{ 1, 0x011, 3489940162u, 2945485534u,    0,  4096 },	/* frame 263 */
	{ 0, 0x014, 2945485534u, 3489940162u,    0,   317 },	/* frame 264 */
	{ 0, 0x004, 2945485534u,          0u,    0,     0 },	/* frame 265 */
};

/*
 * zeek-pppoe-over-qinq.pcap, tcp.stream 0: client port 20394, server
 * port 443.  Frames 19, 33, 41, 47, 63 and 81 carry 6 bytes that the IP
 * total length counts but the PPPoE length does not; Wireshark shows
 * len 0, Zeek (which goes by the IP header) 6 bytes, and frame 47's
 * repeat of frame 41 is the server's 10th retransmission, the 't'
 * before "Ff".  Lengths here are Zeek's.
 */
static const struct seg pppoe[] = {
	{ 1, 0x002, 3618128213u,          0u,    0, 65535 },	/* frame 1 */
	{ 0, 0x012, 4237337342u, 3618128214u,    0,  8190 },	/* frame 2 */
	{ 1, 0x010, 3618128214u, 4237337343u,    0,  4096 },	/* frame 3 */
	{ 1, 0x018, 3618128214u, 4237337343u,  517,  4096 },	/* frame 4 */
	{ 0, 0x018, 4237337343u, 3618128731u, 1440,  2165 },	/* frame 5 */
	{ 0, 0x018, 4237338783u, 3618128731u, 1440,  2165 },	/* frame 6 */
	{ 0, 0x018, 4237340223u, 3618128731u,  456,  2165 },	/* frame 7 */
	{ 1, 0x010, 3618128731u, 4237338783u,    0,  4073 },	/* frame 8 */
	{ 1, 0x010, 3618128731u, 4237340223u,    0,  4051 },	/* frame 9 */
	{ 1, 0x010, 3618128731u, 4237340679u,    0,  4043 },	/* frame 10 */
	{ 1, 0x010, 3618128731u, 4237340679u,    0,  4088 },	/* frame 11 */
	{ 1, 0x018, 3618128731u, 4237340679u,  318,  4096 },	/* frame 12 */
	{ 0, 0x018, 4237337343u, 3618128731u, 1440,  2165 },	/* frame 13 */
	{ 1, 0x010, 3618129049u, 4237340679u,    0,  4096 },	/* frame 14 */
	{ 0, 0x018, 4237340223u, 3618128731u,  456,  2165 },	/* frame 15 */
	{ 0, 0x018, 4237338783u, 3618128731u, 1440,  2165 },	/* frame 16 */
	{ 1, 0x010, 3618129049u, 4237340679u,    0,  4096 },	/* frame 17 */
	{ 1, 0x010, 3618129049u, 4237340679u,    0,  4096 },	/* frame 18 */
	{ 0, 0x010, 4237340679u, 3618129049u,    6,  2146 },	/* frame 19 */
	{ 0, 0x018, 4237340679u, 3618129049u,   51,  2146 },	/* frame 20 */
	{ 1, 0x010, 3618129049u, 4237340730u,    0,  4095 },	/* frame 21 */
	{ 1, 0x010, 3618129049u, 4237340730u, 1440,  4096 },	/* frame 22 */
	{ 1, 0x018, 3618130489u, 4237340730u,  429,  4096 },	/* frame 23 */
	{ 1, 0x018, 3618130918u, 4237340730u,  764,  4096 },	/* frame 24 */
	{ 0, 0x018, 4237340679u, 3618129049u,   51,  2146 },	/* frame 25 */
	{ 1, 0x010, 3618131682u, 4237340730u,    0,  4096 },	/* frame 26 */
	{ 0, 0x010, 4237340730u, 3618129049u,    0,  2146 },	/* frame 27 */
	{ 1, 0x010, 3618129049u, 4237340730u, 1440,  4096 },	/* frame 28 */
	{ 1, 0x010, 3618129049u, 4237340730u, 1440,  4096 },	/* frame 29 */
	{ 0, 0x010, 4237340730u, 3618130489u,    0,  2056 },	/* frame 30 */
	{ 1, 0x010, 3618130489u, 4237340730u,  429,  4096 },	/* frame 31 */
	{ 1, 0x010, 3618130489u, 4237340730u, 1011,  4096 },	/* frame 32 */
	{ 0, 0x010, 4237340730u, 3618131682u,    6,  1981 },	/* frame 33 */
	{ 0, 0x010, 4237340730u, 3618130918u,    0,  2029 },	/* frame 34 */
	{ 0, 0x018, 4237340730u, 3618131682u,  522,  2480 },	/* frame 35 */
	{ 1, 0x010, 3618131682u, 4237341252u,    0,  4087 },	/* frame 36 */
	{ 1, 0x010, 3618131682u, 4237341252u, 1440,  4096 },	/* frame 37 */
	{ 1, 0x018, 3618133122u, 4237341252u,  428,  4096 },	/* frame 38 */
	{ 0, 0x018, 4237340730u, 3618131682u,  522,  2480 },	/* frame 39 */
	{ 1, 0x010, 3618133550u, 4237341252u, 1012,  4096 },	/* frame 40 */
	{ 0, 0x010, 4237341252u, 3618133550u,    6,  2443 },	/* frame 41 */
	{ 1, 0x010, 3618134562u, 4237341252u, 1440,  4096 },	/* frame 42 */
	{ 1, 0x018, 3618136002u, 4237341252u,  110,  4096 },	/* frame 43 */
	{ 0, 0x010, 4237341252u, 3618133550u,    0,  2601 },	/* frame 44 */
	{ 0, 0x010, 4237341252u, 3618133550u,    0,  2601 },	/* frame 45 */
	{ 1, 0x010, 3618133550u, 4237341252u, 1012,  4096 },	/* frame 46 */
	{ 0, 0x010, 4237341252u, 3618136112u,    6,  2441 },	/* frame 47 */
	{ 0, 0x018, 4237341252u, 3618136112u,  522,  2715 },	/* frame 48 */
	{ 1, 0x010, 3618136112u, 4237341774u,    0,  4087 },	/* frame 49 */
	{ 1, 0x010, 3618136112u, 4237341774u, 1440,  4096 },	/* frame 50 */
	{ 1, 0x018, 3618137552u, 4237341774u,  428,  4096 },	/* frame 51 */
	{ 0, 0x018, 4237341252u, 3618136112u,  522,  2715 },	/* frame 52 */
	{ 1, 0x010, 3618137980u, 4237341774u, 1012,  4096 },	/* frame 53 */
	{ 0, 0x010, 4237341774u, 3618136112u,    0,  2715 },	/* frame 54 */
	{ 0, 0x018, 4237341252u, 3618136112u,  522,  2715 },	/* frame 55 */
	{ 1, 0x018, 3618138992u, 4237341774u,  543,  4096 },	/* frame 56 */
	{ 1, 0x010, 3618136112u, 4237341774u, 1440,  4096 },	/* frame 57 */
	{ 1, 0x010, 3618137552u, 4237341774u,  428,  4096 },	/* frame 58 */
	{ 1, 0x018, 3618138992u, 4237341774u,  543,  4096 },	/* frame 59 */
	{ 0, 0x010, 4237341774u, 3618136112u,    0,  2715 },	/* frame 60 */
	{ 0, 0x010, 4237341774u, 3618137552u,    0,  2559 },	/* frame 61 */
	{ 0, 0x010, 4237341774u, 3618137980u,    0,  2533 },	/* frame 62 */
	{ 0, 0x010, 4237341774u, 3618139535u,    6,  2435 },	/* frame 63 */
	{ 0, 0x010, 4237341774u, 3618139535u,    0,  2655 },	/* frame 64 */
	{ 0, 0x018, 4237341774u, 3618139535u,  522,  2655 },	/* frame 65 */
	{ 0, 0x018, 4237341774u, 3618139535u,  522,  2655 },	/* frame 66 */
	{ 1, 0x010, 3618136112u, 4237341774u, 1440,  4096 },	/* frame 67 */
	{ 1, 0x010, 3618136112u, 4237341774u, 1440,  4096 },	/* frame 68 */
	{ 1, 0x010, 3618137552u, 4237341774u,  428,  4096 },	/* frame 69 */
	{ 1, 0x010, 3618137552u, 4237341774u, 1012,  4096 },	/* frame 70 */
	{ 1, 0x010, 3618139535u, 4237342296u,    0,  4087 },	/* frame 71 */
	{ 1, 0x010, 3618139535u, 4237342296u,    0,  4087 },	/* frame 72 */
	{ 0, 0x018, 4237341774u, 3618139535u,  522,  2655 },	/* frame 73 */
	{ 1, 0x010, 3618139535u, 4237342296u,    0,  4096 },	/* frame 74 */
	{ 0, 0x010, 4237342296u, 3618139535u,    0,  2655 },	/* frame 75 */
	{ 0, 0x010, 4237342296u, 3618139535u,    0,  2655 },	/* frame 76 */
	{ 0, 0x010, 4237342296u, 3618139535u,    0,  2655 },	/* frame 77 */
	{ 0, 0x010, 4237342296u, 3618139535u,    0,  2655 },	/* frame 78 */
	{ 1, 0x018, 3618139535u, 4237342296u,   31,  4096 },	/* frame 79 */
	{ 1, 0x011, 3618139566u, 4237342296u,    0,  4096 },	/* frame 80 */
	{ 0, 0x010, 4237342296u, 3618139566u,    6,  2557 },	/* frame 81 */
	{ 0, 0x011, 4237342296u, 3618139566u,   31,  2557 },	/* frame 82 */
	{ 0, 0x019, 4237342296u, 3618139566u,   31,  2557 },	/* frame 83 */
	{ 0, 0x019, 4237342296u, 3618139566u,   31,  2557 },	/* frame 84 */
	{ 0, 0x019, 4237342296u, 3618139566u,   31,  2557 },	/* frame 85 */
	{ 0, 0x019, 4237342296u, 3618139566u,   31,  2557 },	/* frame 86 */
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_zeek_baselines(void)
{
	/* zeek-miss_end_data.conn.log: SF ShADafgF */
	replay(60648, 80, miss_end_data, N(miss_end_data));
	EXPECT(ZEEK_SF, "ShADafgF");
	/* zeek-http-on-irc-port-missing-syn.conn.log: SF ^hADadFf */
	replay(6669, 80, irc_port, N(irc_port));
	EXPECT(ZEEK_SF, "^hADadFf");
	CHECK(zeek_orig_is_client(&z));
	/* zeek-missing-syn.conn.log: SF ^hADdFaf */
	replay(56730, 80, missing_syn, N(missing_syn));
	EXPECT(ZEEK_SF, "^hADdFaf");
	/* zeek-wikipedia.conn.log, 141.142.220.118:35634: OTH DdA */
	replay(35634, 80, wiki_mid, N(wiki_mid));
	EXPECT(ZEEK_OTH, "DdA");
	/* zeek-wikipedia.conn.log, 141.142.220.235:6705: OTH ^h */
	replay(6705, 80, wiki_synack, N(wiki_synack));
	EXPECT(ZEEK_OTH, "^h");
	/* zeek-ssh.conn.log, 192.168.1.31:51476 > :8118: SF DaFfA */
	replay(51476, 8118, ssh_mid, N(ssh_mid));
	EXPECT(ZEEK_SF, "DaFfA");
	/* zeek-ssh.conn.log, 192.168.2.1:55179 > :2200: RSTR ShADadFr */
	replay(55179, 2200, ssh_rstr, N(ssh_rstr));
	EXPECT(ZEEK_RSTR, "ShADadFr");
	/* zeek-pppoe-over-qinq.conn.log: SF ShADdtaTTtFf */
	replay(20394, 443, pppoe, N(pppoe));
	EXPECT(ZEEK_SF, "ShADdtaTTtFf");
}

int main(void)
{
	RUN(test_s0);
	RUN(test_s1);
	RUN(test_sf);
	RUN(test_rej);
	RUN(test_s2_s3);
	RUN(test_rsto_rstr);
	RUN(test_rstos0);
	RUN(test_rstrh);
	RUN(test_sh_shr);
	RUN(test_oth);
	RUN(test_retransmissions);
	RUN(test_zero_window);
	RUN(test_gaps);
	RUN(test_checksums);
	RUN(test_odd_flags);
	RUN(test_repeated_fin);
	RUN(test_flips);
	RUN(test_history_api);
	RUN(test_zeek_baselines);
	return unit_status();
}
