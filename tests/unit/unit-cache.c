/*
 * unit-cache.c - the tracker, the writer and the reader together: stream
 * numbering (port reuse, mid-stream starts), relative numbers and window
 * scaling, runs spread over many blocks read back per connection and in
 * frame order, version handling, and a flipped byte anywhere in a cache.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "cache.h"
#include "crc32c.h"
#include "flow.h"
#include "unit.h"

static char path[64];

static struct decode_tcp seg(int from_client, uint16_t cport, uint32_t seq,
			     uint32_t ack, uint16_t flags, uint16_t win)
{
	struct decode_tcp d;

	memset(&d, 0, sizeof(d));
	d.ipver = 4;
	d.src[0] = from_client ? 198 : 203;
	d.dst[0] = from_client ? 203 : 198;
	d.sport = from_client ? cport : 80;
	d.dport = from_client ? 80 : cport;
	d.seq = seq;
	d.ack = ack;
	d.flags = flags;
	d.win = win;
	d.hlen = 20;
	return d;
}

struct feed {
	struct cache_writer *w;
	struct flow_table *t;
	uint64_t frame;
	int64_t ts;
	struct err e;
};

static void feed_open(struct feed *f)
{
	memset(f, 0, sizeof(*f));
	CHECK(cache_writer_open(&f->w, path, 3, &f->e) == 0);
	CHECK(flow_new(&f->t, f->w, &f->e) == 0);
	f->ts = 1000000000000000000LL;
}

static void feed(struct feed *f, struct decode_tcp d, int64_t dt)
{
	f->ts += dt;
	CHECK(flow_packet(f->t, ++f->frame, f->ts, 60, &d, true, &f->e) == 0);
}

static void feed_close(struct feed *f)
{
	struct cache_meta m;

	memset(&m, 0, sizeof(m));
	CHECK(flow_finish(f->t, &f->e) == 0);
	flow_free(f->t);
	CHECK(cache_writer_close(f->w, &m, &f->e) == 0);
}

static struct cache_pkt got[400000];
static size_t ngot;

static int collect(void *arg, const struct cache_pkt *p)
{
	(void)arg;
	if (ngot < sizeof(got) / sizeof(got[0]))
		got[ngot++] = *p;
	return 0;
}

static void test_streams_and_relative_numbers(void)
{
	struct feed f;
	struct cache_reader *r;
	struct cache_conn c;
	struct err e;
	const uint16_t S = TCPF_SYN, A = TCPF_ACK, SA = TCPF_SYN | TCPF_ACK;
	struct decode_tcp d;

	feed_open(&f);
	/* stream 0: handshake with window scaling both ways */
	d = seg(1, 40000, 1000, 0, S, 64240); d.opts = TCPO_WSCALE; d.wscale = 7;
	feed(&f, d, 0);
	d = seg(0, 40000, 5000, 1001, SA, 65160); d.opts = TCPO_WSCALE; d.wscale = 9;
	feed(&f, d, 300000000);
	feed(&f, seg(1, 40000, 1001, 5001, A, 502), 1000);
	/* stream 1: seen mid-flow, no handshake */
	feed(&f, seg(0, 40001, 77777, 1234, A | TCPF_PSH, 100), 1000);
	/* stream 0 again, then a FIN-less RST, then a reuse with a new ISN */
	feed(&f, seg(0, 40000, 5001, 1001, A, 128), 1000);
	feed(&f, seg(1, 40000, 1001, 5001, TCPF_RST, 0), 1000);
	feed(&f, seg(1, 40000, 9000, 0, S, 64240), 1000);
	/* same ISN again: a retransmission, same stream */
	feed(&f, seg(1, 40000, 9000, 0, S, 64240), 1000);
	feed_close(&f);

	CHECK(cache_open(&r, path, &e) == 0);
	if (!r)
		return;
	CHECK(cache_nconns(r) == 3);
	ngot = 0;
	CHECK(cache_pkts_each(r, collect, NULL, &e) == 0);
	CHECK(ngot == 8);
	CHECK(got[0].stream == 0 && got[0].seq == 0 && got[0].win == 64240);
	CHECK(got[1].stream == 0 && got[1].dir == 1 && got[1].seq == 0 && got[1].ack == 1);
	CHECK(got[1].win == 65160);			/* SYN-ACK: never scaled */
	CHECK(got[2].win == 502u << 7);			/* client's shift */
	CHECK(got[3].stream == 1 && got[3].seq == 1 && got[3].ack == 1);
	CHECK(got[3].win == 100);			/* unknown scale: as sent */
	CHECK(got[4].win == 128u << 9);
	CHECK(got[6].stream == 2 && got[6].seq == 0);	/* port reuse */
	CHECK(got[7].stream == 2);
	CHECK(cache_conn_get(r, 0, &c, &e) == 0);
	CHECK(c.syn_frame == 1 && c.synack_frame == 2 && c.ack_frame == 3);
	CHECK(c.synack_ts - c.syn_ts == 300000000);
	CHECK(c.wscale_c == 7 && c.wscale_s == 9 && c.ws_c == 7 && c.ws_s == 9);
	CHECK(c.end == CONN_END_RST_C && c.end_frame == 6);
	CHECK(c.base_c == 1000 && c.base_s == 5000);
	CHECK(cache_conn_get(r, 1, &c, &e) == 0);
	CHECK(c.client_rule == 3 && c.cport == 40001 && c.sport == 80);
	CHECK(c.pkts_s2c == 1 && c.pkts_c2s == 0);
	CHECK(cache_conn_get(r, 3, &c, &e) == ERR_USAGE);
	cache_close(r);
	unlink(path);
}

/* Many interleaved connections and one long idle one: runs over many
 * blocks, the lag rule, and both read paths. */
static void test_runs_across_blocks(void)
{
	enum { N = 300000, CONNS = 7 };	/* N > CACHE_LAG_MAX */
	struct feed f;
	struct cache_reader *r;
	struct err e;
	uint64_t per[CONNS + 1] = { 0 };

	feed_open(&f);
	feed(&f, seg(1, 50000, 1, 0, TCPF_SYN, 1000), 0);	/* the idle one */
	for (int i = 0; i < N; i++) {
		int k = (i * 7 + i / 1000) % CONNS;	/* uneven interleaving */
		feed(&f, seg(1, (uint16_t)(41000 + k), (uint32_t)i, 0, TCPF_ACK, 1000), 10);
	}
	feed(&f, seg(1, 50000, 2, 0, TCPF_ACK, 1000), 10);	/* idle one wakes */
	feed_close(&f);

	CHECK(cache_open(&r, path, &e) == 0);
	if (!r)
		return;
	CHECK(cache_npkts(r) == N + 2);
	ngot = 0;
	CHECK(cache_pkts_each(r, collect, NULL, &e) == 0);
	CHECK(ngot == N + 2);
	for (size_t i = 0; i < ngot; i++) {
		CHECKF(got[i].frame == i + 1, "position %zu holds frame %llu", i,
		       (unsigned long long)got[i].frame);
		if (got[i].frame != i + 1)
			break;
		per[got[i].stream]++;
	}
	for (uint32_t s = 0; s < cache_nconns(r); s++) {
		struct cache_conn c;
		uint64_t last = 0;
		int ok = 1;

		CHECK(cache_conn_get(r, s, &c, &e) == 0);
		ngot = 0;
		CHECK(cache_conn_pkts(r, &c, collect, NULL, &e) == 0);
		CHECKF(ngot == per[s], "stream %u: %zu packets, frame order had %llu",
		       s, ngot, (unsigned long long)per[s]);
		for (size_t i = 0; i < ngot; i++) {
			ok &= got[i].stream == s && got[i].frame > last;
			last = got[i].frame;
		}
		CHECKF(ok, "stream %u's packets out of order", s);
		if (s == 0)
			CHECK(ngot == 2 && got[1].frame == N + 2 && c.n_chunks == 2);
	}
	cache_close(r);
	unlink(path);
}

static void small_cache(void)
{
	struct feed f;

	feed_open(&f);
	feed(&f, seg(1, 40000, 1000, 0, TCPF_SYN, 64240), 0);
	feed(&f, seg(0, 40000, 5000, 1001, TCPF_SYN | TCPF_ACK, 65160), 1000);
	feed(&f, seg(1, 40000, 1001, 5001, TCPF_ACK, 502), 1000);
	feed(&f, seg(1, 40001, 1, 0, TCPF_SYN, 64240), 1000);
	feed_close(&f);
}

static uint8_t *read_all(size_t *n)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = malloc(1 << 16);

	*n = fread(buf, 1, 1 << 16, fp);
	fclose(fp);
	return buf;
}

static void write_all(const uint8_t *buf, size_t n)
{
	FILE *fp = fopen(path, "wb");
	fwrite(buf, 1, n, fp);
	fclose(fp);
}

static int count_pkts(void *arg, const struct cache_pkt *p)
{
	(void)p;
	++*(int *)arg;
	return 0;
}

static int count_conns(void *arg, const struct cache_conn *c)
{
	(void)c;
	++*(int *)arg;
	return 0;
}

/* 0 when the whole cache reads, else the error code */
static int read_everything(struct err *e)
{
	struct cache_reader *r;
	struct cache_conn c;
	int n = 0, rc;

	err_clear(e);
	if ((rc = cache_open(&r, path, e)))
		return rc;
	if (!(rc = cache_conns_each(r, count_conns, &n, e)) &&
	    !(rc = cache_pkts_each(r, count_pkts, &n, e)) &&
	    !(rc = cache_conn_get(r, 0, &c, e)))
		rc = cache_conn_pkts(r, &c, count_pkts, &n, e);
	cache_close(r);
	return rc;
}

static void test_versions(void)
{
	size_t n;
	uint8_t *buf;
	struct err e;

	small_cache();
	buf = read_all(&n);
	put_le16(buf + 10, 7);			/* a later minor: fine */
	put_le32(buf + 60, crc32c(0, buf, 60));
	write_all(buf, n);
	CHECK(read_everything(&e) == 0);
	put_le16(buf + 8, 3);			/* a later major: refused */
	put_le32(buf + 60, crc32c(0, buf, 60));
	write_all(buf, n);
	CHECK(read_everything(&e) == ERR_FORMAT);
	CHECK(strstr(e.msg, "3.7") && strstr(e.msg, "not supported"));
	free(buf);
	unlink(path);
}

/* Every single flipped byte is caught by a checksum, and every cut is
 * caught as truncation: never a crash, never a silent wrong answer. */
static void test_every_flip_and_cut_is_an_error(void)
{
	size_t n;
	uint8_t *buf;
	struct err e;
	size_t missed = 0;

	small_cache();
	buf = read_all(&n);
	CHECK(n > 200);
	for (size_t i = 0; i < n; i++) {
		buf[i] ^= 0x20;
		write_all(buf, n);
		if (read_everything(&e) == 0)
			missed++;
		CHECKF(e.path[0] || e.msg[0] == '\0', "byte %zu: error without a path", i);
		buf[i] ^= 0x20;
	}
	CHECKF(missed == 0, "%zu flipped bytes went unnoticed", missed);
	for (size_t cut = 0; cut < n; cut++) {
		write_all(buf, cut);
		CHECKF(read_everything(&e) != 0, "a cut at %zu bytes read fine", cut);
	}
	write_all(buf, n);
	CHECK(read_everything(&e) == 0);
	free(buf);
	unlink(path);
}

/* The CPU's CRC-32C and the table's agree, at every length and start. */
static void test_crc32c(void)
{
	uint8_t buf[300];
	uint32_t x = 12345;

	CHECK(crc32c(0, "123456789", 9) == 0xE3069283u);
	CHECK(crc32c_sw(0, "123456789", 9) == 0xE3069283u);
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n + off <= sizeof(buf); n++)
			CHECKF(crc32c(7, buf + off, n) == crc32c_sw(7, buf + off, n),
			       "offset %zu, length %zu", off, n);
}

int main(void)
{
	snprintf(path, sizeof(path), "/tmp/unit-cache-%d.sift", (int)getpid());
	RUN(test_streams_and_relative_numbers);
	RUN(test_runs_across_blocks);
	RUN(test_versions);
	RUN(test_every_flip_and_cut_is_an_error);
	RUN(test_crc32c);
	return unit_status();
}
