/*
 * fuzz-extract.c - libFuzzer target for the whole extraction path: the
 * input is a capture file (pcap or pcapng); it goes through capture.c
 * and decode.c on the read-ahead thread (readahead.c), as in
 * tcpsift-extract, then the tracker with Wireshark's analysis and Zeek's
 * state machine (flow.c, analysis.c, connstats.c, zeek.c) and the writer,
 * and the cache it makes is then read back in full.  Nothing may crash,
 * leak or fail to read back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "capture.h"
#include "decode.h"
#include "flow.h"
#include "readahead.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_conn(void *arg, const struct cache_conn *c)
{
	(void)c;
	++*(int *)arg;
	return 0;
}

static int count_pkt(void *arg, const struct cache_pkt *p)
{
	(void)p;
	++*(int *)arg;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[64], out[64];
	struct capture *cap = NULL;
	struct cache_writer *w = NULL;
	struct flow_table *ft = NULL;
	struct cache_reader *r = NULL;
	struct readahead *ra = NULL;
	const struct readahead_frame *fr;
	struct cache_meta meta;
	struct err e;
	uint64_t frame = 0;
	int n = 0, rc;
	FILE *f;

	snprintf(in, sizeof(in), "/tmp/fuzz-extract-%d.pcap", (int)getpid());
	snprintf(out, sizeof(out), "/tmp/fuzz-extract-%d.sift", (int)getpid());
	f = fopen(in, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	err_clear(&e);
	if (capture_open(&cap, in, &e))
		goto out;
	if (cache_writer_open(&w, out, 1, &e) || flow_new(&ft, w, &e) ||
	    readahead_new(&ra, cap, true, &e))
		goto out;
	while ((rc = readahead_next(ra, &fr, &e)) == 1) {
		frame++;
		if (fr->res != DECODE_TCP)
			continue;
		if (flow_packet(ft, frame, fr->ts, fr->wire_len, &fr->d, true, &e))
			goto out;
	}
	readahead_free(ra);
	ra = NULL;
	if (flow_finish(ft, &e))
		goto out;
	flow_free(ft);
	ft = NULL;
	memset(&meta, 0, sizeof(meta));
	rc = cache_writer_close(w, &meta, &e);
	w = NULL;
	if (rc)
		goto out;
	/* what we wrote must read back */
	if (cache_open(&r, out, &e) || cache_conns_each(r, count_conn, &n, &e) ||
	    cache_pkts_each(r, count_pkt, &n, &e))
		abort();
	for (uint32_t s = 0; s < cache_nstreams(r) && s < 64; s++) {
		struct cache_conn c;
		if (cache_conn_get(r, s, &c, &e) == 0 &&
		    cache_conn_pkts(r, &c, count_pkt, &n, &e))
			abort();
	}
out:
	readahead_free(ra);
	cache_close(r);
	flow_free(ft);
	cache_writer_abort(w);
	capture_close(cap);
	unlink(out);
	unlink(in);
	return 0;
}
