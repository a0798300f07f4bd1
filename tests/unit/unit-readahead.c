/*
 * unit-readahead.c - readahead.c against the loop it replaces.
 *
 * A capture of more frames than the reader's ring holds (so it wraps
 * several times) is read twice: once with capture_next() and
 * decode_frame(), once through readahead_next().  Every frame, the
 * offsets, the end code and the error message must be the same, with and
 * without a BPF filter and for a capture cut short inside a record.
 * Stopping early (the extractor's error path) must stop the thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "capture.h"
#include "readahead.h"
#include "unit.h"

enum { NFRAMES = 150000 };

static char path[64];

/* Ethernet + IPv4 + TCP; every 97th frame UDP, every 89th not IP. */
static size_t make_frame(uint8_t *f, uint32_t i)
{
	memset(f, 0, 54);
	f[12] = i % 89 == 0 ? 0x88 : 0x08;	/* 0x88cc (LLDP) or IPv4 */
	f[13] = i % 89 == 0 ? 0xcc : 0x00;
	f[14] = 0x45;
	f[17] = 40;				/* total length */
	f[22] = 64;				/* TTL */
	f[23] = i % 97 == 0 ? 17 : 6;		/* UDP or TCP */
	f[26] = 198, f[27] = 51, f[28] = 100, f[29] = (uint8_t)(i % 7);
	f[30] = 203, f[31] = 0, f[32] = 113, f[33] = 10;
	f[34] = (uint8_t)((40000 + i % 5) >> 8);
	f[35] = (uint8_t)(40000 + i % 5);
	f[37] = i % 3 ? 80 : 443;		/* destination port */
	f[38] = (uint8_t)(i >> 24), f[39] = (uint8_t)(i >> 16);
	f[40] = (uint8_t)(i >> 8), f[41] = (uint8_t)i;	/* seq */
	f[46] = 0x50;				/* header length 20 */
	f[47] = 0x10;				/* ACK */
	f[48] = 0x20;				/* window */
	return 54;
}

/* A classic pcap of NFRAMES frames, cut to `cut` bytes when non-zero. */
static void write_capture(long cut)
{
	FILE *fp = fopen(path, "wb");
	uint8_t h[24] = { 0 }, rec[16], frame[64];

	put_le32(h, 0xa1b2c3d4);
	put_le16(h + 4, 2);
	put_le16(h + 6, 4);
	put_le32(h + 16, 65535);
	put_le32(h + 20, 1);			/* Ethernet */
	fwrite(h, 1, sizeof(h), fp);
	for (uint32_t i = 0; i < NFRAMES; i++) {
		size_t n = make_frame(frame, i);
		put_le32(rec, 1700000000 + i / 1000);
		put_le32(rec + 4, i % 1000 * 1000);
		put_le32(rec + 8, (uint32_t)n);
		put_le32(rec + 12, (uint32_t)n + 6);	/* a trailer not captured */
		fwrite(rec, 1, sizeof(rec), fp);
		fwrite(frame, 1, n, fp);
	}
	fclose(fp);
	if (cut)
		CHECK(truncate(path, cut) == 0);
}

static bool same_tcp(const struct decode_tcp *a, const struct decode_tcp *b)
{
	return a->ipver == b->ipver && a->ttl == b->ttl && a->ip_id == b->ip_id &&
	       memcmp(a->src, b->src, 16) == 0 && memcmp(a->dst, b->dst, 16) == 0 &&
	       a->sport == b->sport && a->dport == b->dport && a->seq == b->seq &&
	       a->ack == b->ack && a->flags == b->flags && a->win == b->win &&
	       a->cksum == b->cksum && a->hlen == b->hlen &&
	       a->payload_len == b->payload_len && a->opts == b->opts;
}

/*
 * Reads path both ways and compares; the direct loop must end with
 * `expect` after `frames` frames, `unmatched` of them filtered out.
 * stop_after > 0 abandons both after that many.
 */
static void compare(const char *filter, uint64_t stop_after, int expect,
		    uint64_t frames, uint64_t unmatched, const char *what)
{
	struct capture *c1 = NULL, *c2 = NULL;
	struct readahead *ra = NULL;
	struct err e1, e2;
	uint64_t n = 0, nf = 0;
	int rc1, rc2;

	err_clear(&e1);
	err_clear(&e2);
	CHECK(capture_open(&c1, path, &e1) == 0);
	CHECK(capture_open(&c2, path, &e2) == 0);
	if (!c1 || !c2)
		goto out;
	if (filter) {
		CHECK(capture_set_filter(c1, filter, &e1) == 0);
		CHECK(capture_set_filter(c2, filter, &e2) == 0);
	}
	CHECK(readahead_new(&ra, c2, true, &e2) == 0);
	for (;;) {
		struct capture_frame fr;
		struct decode_tcp d;
		const struct readahead_frame *f;
		enum decode_result res;

		rc1 = capture_next(c1, &fr, &e1);
		rc2 = readahead_next(ra, &f, &e2);
		if (rc1 != 1 || rc2 != 1)
			break;
		n++;
		nf += !fr.matched;
		res = decode_frame(fr.linktype, fr.data, fr.caplen, fr.wire_len, &d);
		CHECKF(f->ts == fr.ts && f->wire_len == fr.wire_len &&
		       f->matched == fr.matched && f->res == res &&
		       f->offset == capture_offset(c1) &&
		       (res != DECODE_TCP || same_tcp(&f->d, &d)),
		       "%s: frame %llu differs", what, (unsigned long long)n);
		if (stop_after && n == stop_after)
			goto out;
	}
	CHECKF(rc1 == expect && n == frames && nf == unmatched,
	       "%s: %d after %llu frames, %llu filtered out", what, rc1,
	       (unsigned long long)n, (unsigned long long)nf);
	CHECKF(rc1 == rc2, "%s: ends %d, readahead %d", what, rc1, rc2);
	CHECKF(strcmp(e1.msg, e2.msg) == 0 && strcmp(e1.path, e2.path) == 0 &&
	       e1.where == e2.where && e1.at == e2.at,
	       "%s: '%s' at %llu, readahead '%s' at %llu", what, e1.msg,
	       (unsigned long long)e1.at, e2.msg, (unsigned long long)e2.at);
	/* and again: the end stays the end */
	{
		const struct readahead_frame *f;
		CHECK(readahead_next(ra, &f, &e2) == rc1);
	}
out:
	readahead_free(ra);
	capture_close(c1);
	capture_close(c2);
}

static void test_whole_capture(void)
{
	uint64_t not_80 = 0;

	for (uint32_t i = 0; i < NFRAMES; i++)
		not_80 += i % 89 == 0 || i % 97 == 0 || i % 3 == 0;
	write_capture(0);
	compare(NULL, 0, 0, NFRAMES, 0, "whole");
	compare("tcp port 80", 0, 0, NFRAMES, not_80, "filtered");
}

static void test_cut_short(void)
{
	long full = 24 + (long)NFRAMES * (16 + 54);

	uint64_t not_tcp = 0;

	for (uint32_t i = 0; i < NFRAMES - 33333; i++)
		not_tcp += i % 89 == 0 || i % 97 == 0;
	write_capture(full - 70 * 1000 - 30);	/* inside a frame's bytes */
	compare(NULL, 0, ERR_TRUNCATED, NFRAMES - 1001, 0, "cut in a frame");
	write_capture(full - 70 * 33333 + 7);	/* inside a record header */
	compare("tcp", 0, ERR_TRUNCATED, NFRAMES - 33333, not_tcp,
		"cut in a header, filtered");
}

static void test_stop_early(void)
{
	write_capture(0);
	compare(NULL, 1, 0, 0, 0, "stop after 1");	/* (no end to check) */
	compare(NULL, 70000, 0, 0, 0, "stop after 70000");
}

int main(void)
{
	snprintf(path, sizeof(path), "/tmp/unit-readahead-%d.pcap", (int)getpid());
	RUN(test_whole_capture);
	RUN(test_cut_short);
	RUN(test_stop_early);
	unlink(path);
	return unit_status();
}
