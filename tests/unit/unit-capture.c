/*
 * unit-capture.c - capture_next() against a plain libpcap loop.
 *
 * capture.c reads plain classic pcap records itself (its direct path) and
 * leaves every other record to libpcap.  Whichever path took a record,
 * the frame must be the one libpcap returns: the same count, time, both
 * lengths, link type and bytes, and the same end (the end of the file, or
 * an error after the same frame).  Checked on hand-made files that take
 * each turn between the paths (byte orders, bogus times, records over the
 * snapshot length or the buffer, older versions, files cut short), on
 * every capture in samples/, and on ../shared/pcaps when it is there.
 */
#include <dirent.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bytes.h"
#include "capture.h"
#include "unit.h"

static char path[64];

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static bool direct;	/* whether compare_file's capture read directly */

/*
 * Reads file both ways.  Returns the frames read; *err says whether the
 * read ended in an error (at the same frame both ways, or it is a FAIL).
 */
static uint64_t compare_file(const char *file, bool *err)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct capture *c = NULL;
	struct err e;
	pcap_t *p;
	uint64_t n = 0;
	int rc1, rc2;

	*err = false;
	direct = false;
	p = pcap_open_offline_with_tstamp_precision(file,
			PCAP_TSTAMP_PRECISION_NANO, errbuf);
	rc1 = capture_open(&c, file, &e);
	/* capture_open refuses some headers libpcap takes (t-badinput) */
	CHECKF(p || rc1, "%s: libpcap cannot open it (%s), capture_open can",
	       file, errbuf);
	if (!p || rc1) {
		if (p)
			pcap_close(p);
		capture_close(c);
		return 0;
	}
	direct = capture_is_direct(c);
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *data;
		struct capture_frame f;

		rc1 = pcap_next_ex(p, &h, &data);
		rc2 = capture_next(c, &f, &e);
		if (rc1 != 1 || rc2 != 1)
			break;
		n++;
		CHECKF(f.ts == (int64_t)h->ts.tv_sec * 1000000000 +
			       (uint32_t)h->ts.tv_usec &&
		       f.caplen == h->caplen && f.wire_len == h->len &&
		       f.linktype == pcap_datalink(p) &&
		       memcmp(f.data, data, h->caplen) == 0,
		       "%s: frame %llu differs: ts %lld/%lld caplen %u/%u len %u/%u",
		       file, (unsigned long long)n, (long long)f.ts,
		       (long long)((int64_t)h->ts.tv_sec * 1000000000 +
				   (uint32_t)h->ts.tv_usec),
		       f.caplen, h->caplen, f.wire_len, h->len);
		if (unit_failed_now)
			break;
	}
	/* the end: libpcap's -2 (end) is our 0, its -1 (error) our < 0 */
	CHECKF((rc1 == PCAP_ERROR_BREAK && rc2 == 0) ||
	       (rc1 == PCAP_ERROR && rc2 < 0) || unit_failed_now,
	       "%s: after frame %llu libpcap says %d (%s), capture_next %d (%s)",
	       file, (unsigned long long)n, rc1,
	       rc1 == PCAP_ERROR ? pcap_geterr(p) : "", rc2,
	       rc2 < 0 ? e.msg : "");
	*err = rc2 < 0;
	pcap_close(p);
	capture_close(c);
	return n;
}

/* ---- hand-made files ---- */

struct rec {
	uint32_t sec, frac, caplen, len;
};

/*
 * A classic pcap: magic (native or swapped), version, snaplen, link type,
 * and the records; each record's bytes are a pattern of its number.
 * cut > 0 cuts the file to that many bytes.
 */
static void write_pcap(uint32_t magic, bool be, uint16_t minor,
		       uint32_t snaplen, uint32_t linktype,
		       const struct rec *r, unsigned n, long cut)
{
	FILE *fp = fopen(path, "wb");
	uint8_t h[24] = { 0 };
	void (*put32)(uint8_t *, uint32_t) = be ? put_be32 : put_le32;
	static uint8_t data[300000];

	put32(h, magic);
	if (be) {
		h[4] = 0, h[5] = 2, h[6] = 0, h[7] = (uint8_t)minor;
	} else {
		put_le16(h + 4, 2);
		put_le16(h + 6, minor);
	}
	put32(h + 16, snaplen);
	put32(h + 20, linktype);
	fwrite(h, 1, sizeof(h), fp);
	for (unsigned i = 0; i < n; i++) {
		uint8_t rh[16];

		put32(rh, r[i].sec);
		put32(rh + 4, r[i].frac);
		put32(rh + 8, r[i].caplen);
		put32(rh + 12, r[i].len);
		fwrite(rh, 1, sizeof(rh), fp);
		for (uint32_t k = 0; k < r[i].caplen && k < sizeof(data); k++)
			data[k] = (uint8_t)(i * 31 + k);
		fwrite(data, 1, r[i].caplen, fp);
	}
	fclose(fp);
	if (cut)
		CHECK(truncate(path, cut) == 0);
}

/* Many ordinary records, so the buffer refills mid-record many times. */
static unsigned ordinary(struct rec *r, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		r[i] = (struct rec){ 1700000000 + i, i * 7919 % 1000000,
				     60 + i * 37 % 1400, 60 + i * 37 % 1400 + 4 };
	return n;
}

static void test_byte_orders_and_times(void)
{
	static struct rec r[3000];
	unsigned n = ordinary(r, 3000);
	bool err;

	/* bogus fractions (over a second, over 2^31) and a time past 2038 */
	r[10].frac = 1000000;
	r[11].frac = 0x80000001u;
	r[12].sec = 0xfffffff0u;
	for (int be = 0; be < 2; be++) {
		write_pcap(0xa1b2c3d4, be, 4, 65535, 1, r, n, 0);	/* us */
		CHECK(compare_file(path, &err) == n && !err && direct);
		write_pcap(0xa1b23c4d, be, 4, 65535, 1, r, n, 0);	/* ns */
		CHECK(compare_file(path, &err) == n && !err && direct);
	}
}

static void test_records_libpcap_reads(void)
{
	static struct rec r[400];
	unsigned n = ordinary(r, 400);
	bool err;

	/* over the snapshot length, caplen over len, and bigger than the
	 * direct path's buffer, among ordinary records */
	r[5].caplen = 2000, r[5].len = 2000;
	r[50].caplen = 100, r[50].len = 90;
	r[100].caplen = 262144, r[100].len = 262144;
	write_pcap(0xa1b2c3d4, false, 4, 262144, 1, r, n, 0);
	CHECK(compare_file(path, &err) == n && !err && direct);
	write_pcap(0xa1b2c3d4, false, 4, 1500, 1, r, n, 0);
	compare_file(path, &err);	/* libpcap's call; the same both ways */
	/* the older versions, whose lengths may be swapped */
	for (uint16_t minor = 2; minor <= 3; minor++) {
		write_pcap(0xa1b2c3d4, false, minor, 65535, 1, r, n, 0);
		compare_file(path, &err);
		CHECK(!direct);
	}
	/* link types libpcap rewrites, swapped or not */
	for (int be = 0; be < 2; be++) {
		const uint16_t one = 1;
		bool swapped = be != (*(const uint8_t *)&one == 0);

		write_pcap(0xa1b2c3d4, be, 4, 65535, 113, r, n, 0);	/* SLL */
		compare_file(path, &err);
		CHECK(direct == !swapped);
		write_pcap(0xa1b2c3d4, be, 4, 65535, 189, r, n, 0);	/* USB */
		compare_file(path, &err);
		CHECK(!direct);
	}
}

static void test_cut_short(void)
{
	static struct rec r[200];
	unsigned n = ordinary(r, 200);
	long size = 24;
	bool err;

	for (unsigned i = 0; i < 150; i++)
		size += 16 + (long)r[i].caplen;
	/* at a record's end, inside its header, inside its bytes */
	write_pcap(0xa1b2c3d4, false, 4, 65535, 1, r, n, size);
	CHECK(compare_file(path, &err) == 150 && !err && direct);
	write_pcap(0xa1b2c3d4, false, 4, 65535, 1, r, n, size + 9);
	CHECK(compare_file(path, &err) == 150 && err);
	write_pcap(0xa1b2c3d4, false, 4, 65535, 1, r, n, size + 40);
	CHECK(compare_file(path, &err) == 150 && err);
}

/* ---- real captures ---- */

static unsigned nfiles, ndirect;

/* pcapng files are unit-pcapng's: the direct path never reads them */
static bool is_classic_pcap(const char *file)
{
	FILE *fp = fopen(file, "rb");
	uint8_t m[4];
	bool yes = false;

	if (fp && fread(m, 1, 4, fp) == 4) {
		uint32_t v = get_be32(m);
		yes = v == 0xa1b2c3d4 || v == 0xd4c3b2a1 ||
		      v == 0xa1b23c4d || v == 0x4d3cb2a1;
	}
	if (fp)
		fclose(fp);
	return yes;
}

static void compare_dir(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char p[1024];
		struct stat st;
		bool err;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (stat(p, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < 4)
			compare_dir(p, depth + 1);
		else if (S_ISREG(st.st_mode) && is_classic_pcap(p)) {
			compare_file(p, &err);
			nfiles++;
			ndirect += direct;
		}
	}
	closedir(d);
}

static void test_samples(void)
{
	nfiles = ndirect = 0;
	compare_dir("samples", 0);
	/* all of them Ethernet, recorded by tcpdump: all read directly */
	CHECKF(nfiles > 0 && ndirect == nfiles, "%u of %u read directly",
	       ndirect, nfiles);
}

static void test_shared_captures(void)
{
	nfiles = ndirect = 0;
	compare_dir("../shared/pcaps", 0);
	printf("shared: %u classic pcap files, %u read directly\n", nfiles,
	       ndirect);
	CHECKF(nfiles > 0, "no captures in ../shared/pcaps");
}

int main(void)
{
	snprintf(path, sizeof(path), "/tmp/unit-capture-%d.pcap", (int)getpid());
	RUN(test_byte_orders_and_times);
	RUN(test_records_libpcap_reads);
	RUN(test_cut_short);
	RUN(test_samples);
	if (access("../shared/pcaps", R_OK) == 0)
		RUN(test_shared_captures);
	else
		printf("SKIP test_shared_captures: ../shared/pcaps is not there\n");
	unlink(path);
	return unit_status();
}
