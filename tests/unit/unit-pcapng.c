/*
 * unit-pcapng.c - the pcapng reader on files built in memory (both byte
 * orders, several sections, timestamp resolutions, every packet block type,
 * skipped blocks), on corrupt ones (bad lengths, unknown interfaces,
 * options overrunning their block), on every prefix of a small file (which
 * must end cleanly or fail with "truncated", never read out of bounds: run
 * under ASan), and, when ../shared/pcaps is there, on four real files
 * compared with tshark.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pcapng.h"
#include "unit.h"

/* ---- building pcapng files ---- */

struct fb {
	uint8_t b[8192];	/* the file */
	size_t n;		/* bytes in it */
	bool be;		/* byte order of the current section */
	size_t ends[64];	/* offsets where a block ends */
	unsigned n_ends;
};

static void fb_u8(struct fb *f, uint8_t v)
{
	if (f->n < sizeof(f->b))
		f->b[f->n++] = v;
}

static void fb_u16(struct fb *f, uint16_t v)
{
	fb_u8(f, f->be ? (uint8_t)(v >> 8) : (uint8_t)v);
	fb_u8(f, f->be ? (uint8_t)v : (uint8_t)(v >> 8));
}

static void fb_u32(struct fb *f, uint32_t v)
{
	fb_u16(f, f->be ? (uint16_t)(v >> 16) : (uint16_t)v);
	fb_u16(f, f->be ? (uint16_t)v : (uint16_t)(v >> 16));
}

static void fb_u64(struct fb *f, uint64_t v)
{
	fb_u32(f, f->be ? (uint32_t)(v >> 32) : (uint32_t)v);
	fb_u32(f, f->be ? (uint32_t)v : (uint32_t)(v >> 32));
}

static void fb_bytes(struct fb *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fb_u8(f, p[i]);
}

static void fb_pad(struct fb *f)
{
	while (f->n % 4)
		fb_u8(f, 0);
}

static size_t fb_begin(struct fb *f, uint32_t type)
{
	size_t at = f->n;

	fb_u32(f, type);
	fb_u32(f, 0);		/* patched by fb_end */
	return at;
}

static void fb_end(struct fb *f, size_t at)
{
	size_t n, save;

	fb_pad(f);
	n = f->n - at + 4;
	fb_u32(f, (uint32_t)n);
	save = f->n;
	f->n = at + 4;
	fb_u32(f, (uint32_t)n);
	f->n = save;
	if (f->n_ends < 64)
		f->ends[f->n_ends++] = f->n;
}

static void fb_shb(struct fb *f, bool be, uint16_t major, uint16_t minor)
{
	size_t at;

	f->be = be;
	at = fb_begin(f, 0x0A0D0D0A);
	fb_u32(f, 0x1A2B3C4D);
	fb_u16(f, major);
	fb_u16(f, minor);
	fb_u64(f, UINT64_MAX);	/* section length unknown */
	fb_u16(f, 4);		/* shb_userappl */
	fb_u16(f, 5);
	fb_bytes(f, (const uint8_t *)"unitt", 5);
	fb_pad(f);
	fb_u32(f, 0);		/* opt_endofopt */
	fb_end(f, at);
}

/* tsresol < 0: none; tsoffset written when nonzero */
static void fb_idb(struct fb *f, uint16_t lt, uint32_t snaplen, int tsresol,
		   int64_t tsoffset)
{
	size_t at = fb_begin(f, 1);

	fb_u16(f, lt);
	fb_u16(f, 0);
	fb_u32(f, snaplen);
	fb_u16(f, 2);		/* if_name */
	fb_u16(f, 3);
	fb_bytes(f, (const uint8_t *)"et0", 3);
	fb_pad(f);
	if (tsresol >= 0) {
		fb_u16(f, 9);
		fb_u16(f, 1);
		fb_u8(f, (uint8_t)tsresol);
		fb_pad(f);
	}
	if (tsoffset) {
		fb_u16(f, 14);
		fb_u16(f, 8);
		fb_u64(f, (uint64_t)tsoffset);
	}
	fb_u32(f, 0);
	fb_end(f, at);
}

static const uint8_t payload[64] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa,
	0xbb, 0xcc, 0xdd, 0xee, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
};

static void fb_epb(struct fb *f, uint32_t id, uint64_t ticks,
		   uint32_t caplen, uint32_t len)
{
	size_t at = fb_begin(f, 6);

	fb_u32(f, id);
	fb_u32(f, (uint32_t)(ticks >> 32));
	fb_u32(f, (uint32_t)ticks);
	fb_u32(f, caplen);
	fb_u32(f, len);
	fb_bytes(f, payload, caplen);
	fb_pad(f);
	fb_u16(f, 1);		/* opt_comment */
	fb_u16(f, 2);
	fb_bytes(f, (const uint8_t *)"hi", 2);
	fb_pad(f);
	fb_u32(f, 0);
	fb_end(f, at);
}

static void fb_pb(struct fb *f, uint16_t id, uint64_t ticks,
		  uint32_t caplen, uint32_t len)
{
	size_t at = fb_begin(f, 2);

	fb_u16(f, id);
	fb_u16(f, 0);		/* drops */
	fb_u32(f, (uint32_t)(ticks >> 32));
	fb_u32(f, (uint32_t)ticks);
	fb_u32(f, caplen);
	fb_u32(f, len);
	fb_bytes(f, payload, caplen);
	fb_end(f, at);
}

/* stored: bytes written (the block's room) */
static void fb_spb(struct fb *f, uint32_t len, uint32_t stored)
{
	size_t at = fb_begin(f, 3);

	fb_u32(f, len);
	fb_bytes(f, payload, stored);
	fb_end(f, at);
}

static void fb_other(struct fb *f, uint32_t type, size_t body)
{
	size_t at = fb_begin(f, type);

	for (size_t i = 0; i < body; i++)
		fb_u8(f, (uint8_t)(0xa0 + i));
	fb_end(f, at);
}

/* ---- reading them ---- */

static FILE *open_mem(const uint8_t *p, size_t n)
{
	FILE *f;

	if (n == 0)
		return tmpfile();	/* fmemopen may refuse size 0 */
	f = fmemopen((void *)p, n, "rb");
	return f;
}

#define MAX_FRAMES 16

struct got {
	int open_rc;			/* pcapng_open's */
	int rc;				/* pcapng_next's last */
	unsigned n;			/* frames */
	struct pcapng_frame fr[MAX_FRAMES];
	uint8_t first_byte[MAX_FRAMES];	/* data[0], or 0 */
	uint16_t lts[8];
	unsigned n_lts;
	uint64_t end_off;		/* pcapng_offset at the end */
	struct err e;
};

static void read_all(const uint8_t *p, size_t n, struct got *g)
{
	struct pcapng_reader *r = NULL;
	struct pcapng_frame fr;
	FILE *f = open_mem(p, n);

	memset(g, 0, sizeof(*g));
	err_clear(&g->e);
	if (!f) {
		g->open_rc = -100;
		return;
	}
	g->open_rc = pcapng_open(&r, f, "mem.pcapng", &g->e);
	if (g->open_rc == 0) {
		while ((g->rc = pcapng_next(r, &fr, &g->e)) == 1) {
			/* touch every byte, so ASan checks the range */
			unsigned sum = 0;

			for (uint32_t i = 0; i < fr.caplen; i++)
				sum += fr.data[i];
			(void)sum;
			if (g->n < MAX_FRAMES) {
				g->fr[g->n] = fr;
				g->first_byte[g->n] = fr.caplen ? fr.data[0] : 0;
			}
			g->n++;
		}
		g->n_lts = pcapng_linktypes(r, g->lts, 8);
		g->end_off = pcapng_offset(r);
	}
	pcapng_close(r);
	fclose(f);
}

static bool has(const struct err *e, const char *word)
{
	return strstr(e->msg, word) != NULL;
}

/* ---- files ---- */

/*
 * Section 1, little-endian: IDB Ethernet snaplen 96 (tsresol 10^-9),
 * custom block, EPB caplen 40 < len 314, NRB, ISB, SPB (len 50, stored 52),
 * PB; IDB NULL snaplen 0 (default microseconds), EPB on it.
 * Section 2, big-endian: IDB raw (LINKTYPE 101) snaplen 30 with 2^-20 and
 * tsoffset 100 s, SPB cut to the snaplen, EPB.
 */
static void build_good(struct fb *f)
{
	memset(f, 0, sizeof(*f));
	fb_shb(f, false, 1, 0);
	fb_idb(f, 1, 96, 9, 0);
	fb_other(f, 0x00000BAD, 10);
	fb_epb(f, 0, 1500000000123456789ull, 40, 314);
	fb_other(f, 4, 16);
	fb_other(f, 5, 20);
	fb_spb(f, 50, 52);
	fb_pb(f, 0, 1500000001000000000ull, 20, 20);
	fb_idb(f, 0, 0, -1, 0);
	fb_epb(f, 1, 1500000002000001ull, 24, 24);
	fb_shb(f, true, 1, 0);
	fb_idb(f, 101, 30, 0x80 | 20, 100);
	fb_spb(f, 60, 60);
	fb_epb(f, 0, (1000ull << 20) | (1u << 19), 16, 60);
}

static void test_good_file(void)
{
	static struct fb f;
	struct got g;

	build_good(&f);
	read_all(f.b, f.n, &g);
	CHECKF(g.open_rc == 0, "open %d: %s", g.open_rc, g.e.msg);
	CHECKF(g.rc == 0, "next %d: %s", g.rc, g.e.msg);
	CHECK(g.n == 6);
	CHECK(g.end_off == f.n);
	if (g.n != 6)
		return;
	/* EPB, caplen < len, nanosecond resolution */
	CHECK(g.fr[0].caplen == 40 && g.fr[0].wire_len == 314);
	CHECK(g.fr[0].ts == 1500000000123456789ll);
	CHECK(g.fr[0].linktype == 1 && g.fr[0].snaplen == 96);
	CHECK(g.fr[0].interface == 0 && g.first_byte[0] == 0x00);
	/* SPB: min(len 50, snaplen 96, room 52); no timestamp of its own */
	CHECK(g.fr[1].caplen == 50 && g.fr[1].wire_len == 50);
	CHECK(g.fr[1].ts == g.fr[0].ts && g.fr[1].interface == 0);
	/* obsolete PB */
	CHECK(g.fr[2].caplen == 20 && g.fr[2].ts == 1500000001000000000ll);
	/* second interface, default microseconds */
	CHECK(g.fr[3].interface == 1 && g.fr[3].linktype == 0);
	CHECK(g.fr[3].ts == 1500000002000001000ll && g.fr[3].snaplen == 0);
	/* big-endian section: interfaces reset, LINKTYPE_RAW -> DLT_RAW */
	CHECK(g.fr[4].interface == 0 && g.fr[4].linktype == 12);
	CHECK(g.fr[4].caplen == 30 && g.fr[4].wire_len == 60);
	CHECK(g.fr[4].snaplen == 30);
	/* 2^-20 resolution: 1000.5 s, plus if_tsoffset 100 s */
	CHECK(g.fr[5].ts == 1100500000000ll);
	CHECK(g.fr[5].caplen == 16 && g.fr[5].wire_len == 60);
	CHECK(g.n_lts == 3 && g.lts[0] == 1 && g.lts[1] == 0 && g.lts[2] == 12);
}

/* One section of one interface with resolution tsresol and an EPB. */
static int one_ts(int tsresol, int64_t tsoffset, uint64_t ticks, int64_t *ts,
		  struct err *e)
{
	static struct fb f;
	struct got g;

	memset(&f, 0, sizeof(f));
	fb_shb(&f, true, 1, 0);
	fb_idb(&f, 1, 0, tsresol, tsoffset);
	fb_epb(&f, 0, ticks, 4, 4);
	read_all(f.b, f.n, &g);
	*e = g.e;
	if (g.open_rc)
		return g.open_rc;
	if (g.n != 1)
		return g.rc ? g.rc : -99;
	*ts = g.fr[0].ts;
	return 0;
}

static void test_timestamps(void)
{
	struct err e;
	int64_t ts = 0;

	/* seconds */
	CHECK(one_ts(0, 0, 1234567890, &ts, &e) == 0 && ts == 1234567890000000000ll);
	/* milliseconds and picoseconds */
	CHECK(one_ts(3, 0, 1234567890123ull, &ts, &e) == 0 &&
	      ts == 1234567890123000000ll);
	CHECK(one_ts(12, 0, 1234567890123456789ull, &ts, &e) == 0 &&
	      ts == 1234567890123456ll);
	/* 10^-19: the largest power of ten a uint64 holds */
	CHECK(one_ts(19, 0, 12345678901234567890ull, &ts, &e) == 0 &&
	      ts == 1234567890ll);
	/* 2^-40 (the > 32 bits path): 3 s + 1/4 + 2^-40 (below 1 ns) */
	CHECK(one_ts(0x80 | 40, 0, (3ull << 40) | (1ull << 38) | 1, &ts, &e) == 0 &&
	      ts == 3250000000ll);
	/* 2^-33: the low 32 bits of the fraction count too */
	CHECK(one_ts(0x80 | 33, 0, (5ull << 33) | 0xffffffffu, &ts, &e) == 0 &&
	      ts == 5499999999ll);
	/* 2^-63: the fraction is all but the top bit */
	CHECK(one_ts(0x80 | 63, 0, (1ull << 63) | (1ull << 62), &ts, &e) == 0 &&
	      ts == 1500000000ll);
	/* 2^-30: 1 tick is 0.93 ns */
	CHECK(one_ts(0x80 | 30, 0, 3, &ts, &e) == 0 && ts == 2);
	/* negative offset, before the epoch */
	CHECK(one_ts(6, -10, 1500000, &ts, &e) == 0 && ts == -8500000000ll);
	/* too late for int64 ns: error, not overflow */
	CHECK(one_ts(0, 0, 10000000000ull, &ts, &e) == ERR_CORRUPT &&
	      has(&e, "out of range"));
	CHECK(one_ts(6, INT64_MAX, 1, &ts, &e) == ERR_CORRUPT);
	CHECK(one_ts(6, INT64_MIN, 1, &ts, &e) == ERR_CORRUPT);
	/* unsupported resolutions */
	CHECK(one_ts(20, 0, 1, &ts, &e) == ERR_FORMAT && has(&e, "if_tsresol"));
	CHECK(one_ts(0x80 | 64, 0, 1, &ts, &e) == ERR_FORMAT);
}

static void test_skips_and_empty_sections(void)
{
	static struct fb f;
	struct got g;

	memset(&f, 0, sizeof(f));
	fb_shb(&f, false, 1, 0);
	fb_idb(&f, 1, 96, -1, 0);
	fb_shb(&f, true, 1, 2);		/* any minor version */
	fb_other(&f, 0x40000BAD, 0);	/* custom, empty body */
	fb_idb(&f, 0, 0, -1, 0);
	fb_other(&f, 10, 40);		/* decryption secrets */
	fb_other(&f, 0x12345678, 4);	/* unknown */
	read_all(f.b, f.n, &g);
	CHECKF(g.open_rc == 0 && g.rc == 0, "%d %d %s", g.open_rc, g.rc,
	       g.e.msg);
	CHECK(g.n == 0 && g.end_off == f.n);
	CHECK(g.n_lts == 2 && g.lts[0] == 1 && g.lts[1] == 0);
}

/* An SPB on an interface without a snaplen holds what its block holds. */
static void test_spb_room(void)
{
	static struct fb f;
	struct got g;

	memset(&f, 0, sizeof(f));
	fb_shb(&f, true, 1, 0);
	fb_idb(&f, 1, 0, -1, 0);
	fb_spb(&f, 1514, 20);
	fb_idb(&f, 1, 0, -1, 0);
	fb_spb(&f, 0, 8);
	read_all(f.b, f.n, &g);
	CHECKF(g.open_rc == 0 && g.rc == 0, "%d %d %s", g.open_rc, g.rc,
	       g.e.msg);
	CHECK(g.n == 2);
	CHECK(g.fr[0].caplen == 20 && g.fr[0].wire_len == 1514);
	CHECK(g.fr[0].snaplen == 0 && g.fr[0].ts == 0);
	CHECK(g.fr[1].caplen == 0 && g.fr[1].wire_len == 0);
}

/* Reads f and expects error code at byte offset at with word in it. */
static void expect_error(const struct fb *f, int code, uint64_t at,
			 const char *word, const char *what)
{
	struct got g;
	int rc;

	read_all(f->b, f->n, &g);
	rc = g.open_rc ? g.open_rc : g.rc;
	CHECKF(rc == code, "%s: rc %d, expected %d (%s)", what, rc, code,
	       g.e.msg);
	CHECKF(g.e.where == ERR_AT_OFFSET && g.e.at == at,
	       "%s: at %llu, expected %llu", what, (unsigned long long)g.e.at,
	       (unsigned long long)at);
	CHECKF(has(&g.e, word), "%s: '%s' lacks '%s'", what, g.e.msg, word);
	CHECKF(strcmp(g.e.path, "mem.pcapng") == 0, "%s: path '%s'", what,
	       g.e.path);
	if (g.open_rc == 0)
		CHECKF(g.end_off == at, "%s: offset %llu", what,
		       (unsigned long long)g.end_off);
}

/* SHB + IDB; returns the offset where the next block starts */
static size_t base(struct fb *f, bool be)
{
	memset(f, 0, sizeof(*f));
	fb_shb(f, be, 1, 0);
	fb_idb(f, 1, 0, -1, 0);
	return f->n;
}

static void put32(struct fb *f, size_t at, uint32_t v)
{
	size_t save = f->n;

	f->n = at;
	fb_u32(f, v);
	f->n = save;
}

static void test_corrupt(void)
{
	static struct fb f;
	size_t at;

	for (int be = 0; be <= 1; be++) {
		at = base(&f, be);
		fb_epb(&f, 0, 1, 8, 8);
		put32(&f, f.n - 4, 48);
		expect_error(&f, ERR_CORRUPT, at, "trailing", "bad trailer");

		at = base(&f, be);
		fb_epb(&f, 0, 1, 8, 8);
		put32(&f, at + 4, 46);
		expect_error(&f, ERR_CORRUPT, at, "multiple of 4", "len % 4");

		at = base(&f, be);
		fb_epb(&f, 0, 1, 8, 8);
		put32(&f, at + 4, 8);
		expect_error(&f, ERR_CORRUPT, at, "too short", "len 8");

		at = base(&f, be);
		fb_epb(&f, 0, 1, 8, 8);
		put32(&f, at + 4, (64u << 20) + 4);
		expect_error(&f, ERR_CORRUPT, at, "64 MiB", "huge block");

		at = base(&f, be);
		fb_epb(&f, 0, 1, 8, 8);
		put32(&f, at + 20, 21);	/* caplen beyond the block */
		expect_error(&f, ERR_CORRUPT, at, "does not fit", "caplen");

		at = base(&f, be);
		fb_epb(&f, 0, 1, 8, 8);
		put32(&f, at + 20, UINT32_MAX);
		expect_error(&f, ERR_CORRUPT, at, "does not fit", "caplen max");

		at = base(&f, be);
		fb_epb(&f, 1, 1, 8, 8);
		expect_error(&f, ERR_CORRUPT, at, "unknown interface", "if 1");

		at = base(&f, be);
		fb_pb(&f, 7, 1, 8, 8);
		expect_error(&f, ERR_CORRUPT, at, "unknown interface", "pb if 7");

		/* a new section forgets the interfaces of the last */
		base(&f, be);
		at = f.n;
		fb_shb(&f, !be, 1, 0);
		at = f.n;
		fb_spb(&f, 8, 8);
		expect_error(&f, ERR_CORRUPT, at, "unknown interface", "spb");

		/* EPB too short for its fixed fields */
		at = base(&f, be);
		fb_other(&f, 6, 12);
		expect_error(&f, ERR_CORRUPT, at, "too short", "short epb");

		/* IDB option overrunning the block */
		memset(&f, 0, sizeof(f));
		fb_shb(&f, be, 1, 0);
		at = f.n;
		fb_idb(&f, 1, 0, 6, 0);
		put32(&f, at + 16, be ? 0x00020030u : 0x00300002u);
		expect_error(&f, ERR_CORRUPT, at, "overruns", "idb option");

		/* if_tsresol of the wrong length */
		memset(&f, 0, sizeof(f));
		fb_shb(&f, be, 1, 0);
		at = f.n;
		fb_idb(&f, 1, 0, 6, 0);
		put32(&f, at + 24, be ? 0x00090002u : 0x00020009u);
		expect_error(&f, ERR_CORRUPT, at, "if_tsresol", "tsresol len");

		/* versions */
		memset(&f, 0, sizeof(f));
		fb_shb(&f, be, 2, 0);
		expect_error(&f, ERR_FORMAT, 0, "unsupported pcapng version 2.0",
			     "v2.0");
		memset(&f, 0, sizeof(f));
		fb_shb(&f, be, 0, 1);
		expect_error(&f, ERR_FORMAT, 0, "unsupported pcapng version 0.1",
			     "v0.1");
		at = base(&f, be);
		fb_shb(&f, be, 3, 7);
		expect_error(&f, ERR_FORMAT, at, "unsupported pcapng version 3.7",
			     "v3.7 in section 2");

		/* SHB option overrunning (libpcap's shb-option-too-long) */
		memset(&f, 0, sizeof(f));
		fb_shb(&f, be, 1, 0);
		put32(&f, 24, be ? 0x00043030u : 0x30300004u);
		expect_error(&f, ERR_CORRUPT, 0, "overruns", "shb option");
	}

	/* bad byte-order magic */
	base(&f, false);
	f.b[8] = 0x4e;
	expect_error(&f, ERR_FORMAT, 0, "byte-order magic", "bom");

	/* not pcapng at all: a classic pcap header */
	memset(&f, 0, sizeof(f));
	fb_u32(&f, 0xa1b2c3d4);
	fb_u32(&f, 0x00040002);
	fb_u64(&f, 0);
	fb_u64(&f, 0);
	expect_error(&f, ERR_FORMAT, 0, "not a pcapng", "classic pcap");

	/* a second SHB with a bad magic in the middle */
	at = base(&f, false);
	fb_shb(&f, true, 1, 0);
	f.b[at + 9] = 0;
	expect_error(&f, ERR_FORMAT, at, "byte-order magic", "bom 2");
}

/* Errors are final: the next call says the same. */
static void test_sticky_error(void)
{
	static struct fb f;
	struct pcapng_reader *r;
	struct pcapng_frame fr;
	struct err e, e2;
	FILE *fp;
	size_t at;

	at = base(&f, false);
	fb_epb(&f, 0, 1, 8, 8);
	fb_epb(&f, 5, 1, 8, 8);
	fb_epb(&f, 0, 1, 8, 8);
	fp = open_mem(f.b, f.n);
	CHECK(fp && pcapng_open(&r, fp, "x", &e) == 0);
	if (!fp)
		return;
	CHECK(pcapng_offset(r) == f.ends[0]);
	CHECK(pcapng_next(r, &fr, &e) == 1);
	CHECK(pcapng_offset(r) == f.ends[2]);
	CHECK(pcapng_next(r, &fr, &e) == ERR_CORRUPT);
	err_clear(&e2);
	CHECK(pcapng_next(r, &fr, &e2) == ERR_CORRUPT);
	CHECK(strcmp(e.msg, e2.msg) == 0 && e2.at == e.at && e.at == f.ends[2]);
	CHECK(pcapng_offset(r) == f.ends[2]);
	(void)at;
	pcapng_close(r);
	pcapng_close(NULL);
	fclose(fp);
}

/* Every prefix of the good file: a clean end at block boundaries with the
 * frames before it, "truncated" at the start of the cut block otherwise. */
static void test_every_prefix(void)
{
	static struct fb f;
	struct got g;

	build_good(&f);
	for (size_t n = 0; n < f.n; n++) {
		unsigned k = 0;	/* blocks wholly inside the prefix */
		size_t block_start;

		while (k < f.n_ends && f.ends[k] <= n)
			k++;
		block_start = k ? f.ends[k - 1] : 0;
		read_all(f.b, n, &g);
		if (n == 0) {
			CHECKF(g.open_rc == ERR_FORMAT, "empty: %d", g.open_rc);
			continue;
		}
		if (k == 0) {
			CHECKF(g.open_rc == ERR_TRUNCATED && has(&g.e, "truncated"),
			       "n %zu: open %d '%s'", n, g.open_rc, g.e.msg);
			continue;
		}
		CHECKF(g.open_rc == 0, "n %zu: open %d", n, g.open_rc);
		if (n == block_start) {
			CHECKF(g.rc == 0, "n %zu: rc %d '%s'", n, g.rc, g.e.msg);
		} else {
			CHECKF(g.rc == ERR_TRUNCATED && has(&g.e, "truncated") &&
			       g.e.at == block_start && g.end_off == block_start,
			       "n %zu: rc %d at %llu '%s'", n, g.rc,
			       (unsigned long long)g.e.at, g.e.msg);
		}
	}
}

/* ---- the shared captures, compared with tshark ---- */

struct real {
	const char *name;
	unsigned frames;
	int64_t first_ts;		/* ns */
	uint32_t first_caplen, first_len;
	unsigned n_lts;			/* distinct DLT_* values */
	uint16_t lts[4];
	/* (interface, linktype, caplen, wire_len) of every frame, when few */
	unsigned n_detail;
	uint32_t detail[8][4];
};

/*
 * From tshark 3.x/4.x: tshark -r F -T fields -e frame.number
 * -e frame.interface_id -e frame.encap_type -e frame.len -e frame.cap_len
 * -e frame.time_epoch, and capinfos for the interface list.  tshark also
 * numbers the Custom and Decryption Secrets Blocks of test202 as frames
 * (1, 7, 10, "data"); they carry no packet and are skipped here.
 * encap_type 1 = Ethernet (DLT 1), 15 = NULL (DLT 0).  A Simple Packet
 * Block has no time (empty in tshark): we repeat the previous frame's.
 */
static const struct real reals[] = {
	{ "pcapplusplus-many_interfaces-1.pcapng", 64,
	  1439753725701607000ll, 178, 178,
	  /* 11 IDBs: Ethernet, NULL (if 4, 10), LINKTYPE 12 (if 8) */
	  3, { 1, 0, 12 }, 0, { { 0 } } },
	{ "pcapngtest-be-test202.pcapng", 8,
	  1340954905298858000ll, 96, 314, 2, { 1, 0 }, 8, {
		{ 0, 1, 96, 314 }, { 0, 1, 96, 342 }, { 1, 0, 168, 168 },
		{ 0, 1, 128, 314 }, { 0, 1, 128, 342 }, { 0, 1, 128, 314 },
		{ 0, 1, 128, 342 }, { 1, 0, 168, 168 } } },
	{ "pcapngtest-le-test101.pcapng", 4,
	  1340954905298858000ll, 96, 314, 2, { 1, 0 }, 4, {
		{ 0, 1, 96, 314 }, { 2, 1, 128, 342 }, { 0, 1, 96, 314 },
		{ 1, 0, 168, 168 } } },
	{ "pcapngtest-le-test200.pcapng", 0, 0, 0, 0, 2, { 1, 0 }, 0,
	  { { 0 } } },
};

static void check_real(const struct real *x, FILE *fp)
{
	struct pcapng_reader *r;
	struct pcapng_frame fr;
	struct err e;
	unsigned n = 0, n_null = 0, n_eth = 0;
	uint16_t lts[8];
	unsigned n_lts;
	int rc;

	rc = pcapng_open(&r, fp, x->name, &e);
	CHECKF(rc == 0, "%s: open %d '%s'", x->name, rc, e.msg);
	if (rc)
		return;
	while ((rc = pcapng_next(r, &fr, &e)) == 1) {
		if (n == 0)
			CHECKF(fr.ts == x->first_ts && fr.caplen == x->first_caplen &&
			       fr.wire_len == x->first_len,
			       "%s: first %lld %u %u", x->name, (long long)fr.ts,
			       fr.caplen, fr.wire_len);
		if (n < x->n_detail) {
			const uint32_t *d = x->detail[n];

			CHECKF(fr.interface == d[0] && fr.linktype == (int)d[1] &&
			       fr.caplen == d[2] && fr.wire_len == d[3],
			       "%s: frame %u: if %u lt %d cap %u len %u", x->name,
			       n + 1, fr.interface, fr.linktype, fr.caplen,
			       fr.wire_len);
		}
		if (fr.linktype == 0)
			n_null++;
		if (fr.linktype == 1)
			n_eth++;
		n++;
	}
	CHECKF(rc == 0, "%s: next %d '%s'", x->name, rc, e.msg);
	CHECKF(n == x->frames, "%s: %u frames", x->name, n);
	n_lts = pcapng_linktypes(r, lts, 8);
	CHECKF(n_lts == x->n_lts, "%s: %u link types", x->name, n_lts);
	for (unsigned i = 0; i < n_lts && i < x->n_lts; i++)
		CHECKF(lts[i] == x->lts[i], "%s: link type %u is %u", x->name,
		       i, lts[i]);
	if (strcmp(x->name, "pcapplusplus-many_interfaces-1.pcapng") == 0)
		/* frames 3 and 4 on interface 10 (NULL), the rest Ethernet */
		CHECKF(n_null == 2 && n_eth == 62, "%s: %u null %u eth",
		       x->name, n_null, n_eth);
	pcapng_close(r);
}

static void test_shared_captures(void)
{
	const char *dir = "../shared/pcaps";
	char path[512];
	FILE *fp;

	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, reals[i].name);
		fp = fopen(path, "rb");
		if (!fp) {
			printf("SKIP %s: %s not found\n", reals[i].name, path);
			continue;
		}
		check_real(&reals[i], fp);
		fclose(fp);
	}
}

int main(void)
{
	RUN(test_good_file);
	RUN(test_timestamps);
	RUN(test_skips_and_empty_sections);
	RUN(test_spb_room);
	RUN(test_corrupt);
	RUN(test_sticky_error);
	RUN(test_every_prefix);
	RUN(test_shared_captures);
	return unit_status();
}
