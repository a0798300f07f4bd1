/*
 * pcapread.c - the bare libpcap read loop that bench/run.sh measures
 * tcpsift-extract against.
 *
 * It opens a capture with nanosecond timestamps, as tcpsift-extract does,
 * and calls pcap_next_ex() until the end, counting packets and captured
 * bytes; it never looks at a packet's contents.  That is the least work any
 * libpcap-based tool must do to see every packet, so "extract time / this
 * time" says what the decoding, tracking and cache writing cost on top.
 *
 *   pcapread FILE      pcap_open_offline_with_tstamp_precision(): libpcap's
 *                      own stdio stream, with its default buffer size
 *   pcapread -b FILE   fopen() + setvbuf() with a 1 MiB buffer, then
 *                      pcap_fopen_offline_with_tstamp_precision(), to show
 *                      what a larger stdio buffer buys
 *
 * Prints "packets N bytes M" (M = sum of caplen) on standard output.
 * Exit status: 0 success, 1 bad capture or I/O error, 2 usage error.
 *
 * Not part of tcpsift: it is built only by bench/run.sh, into build/bench/.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <pcap/pcap.h>

/*
 * The stdio buffer for -b.  It must be passed in: glibc's setvbuf() with a
 * NULL buffer ignores the size and keeps its default (st_blksize, 4 KiB).
 */
static char big_buffer[1 << 20];

static void usage(void)
{
	fprintf(stderr, "usage: pcapread [-b] CAPTURE\n");
	exit(2);
}

/* Opens path with libpcap's defaults, or through a 1 MiB stdio buffer. */
static pcap_t *open_capture(const char *path, int use_big_buffer, char *errbuf)
{
	FILE *f;
	pcap_t *p;

	if (!use_big_buffer)
		return pcap_open_offline_with_tstamp_precision(path,
		    PCAP_TSTAMP_PRECISION_NANO, errbuf);

	f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s: cannot open", path);
		return NULL;
	}
	if (setvbuf(f, big_buffer, _IOFBF, sizeof(big_buffer)) != 0) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s: setvbuf failed", path);
		fclose(f);
		return NULL;
	}
	/* On success pcap_close() closes f. */
	p = pcap_fopen_offline_with_tstamp_precision(f,
	    PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (p == NULL)
		fclose(f);
	return p;
}

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const unsigned char *data;
	uint64_t packets = 0;	/* frames read */
	uint64_t bytes = 0;	/* sum of caplen, bytes */
	int use_big_buffer = 0;
	pcap_t *p;
	int opt, rc;

	while ((opt = getopt(argc, argv, "b")) != -1) {
		switch (opt) {
		case 'b':
			use_big_buffer = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();

	p = open_capture(argv[optind], use_big_buffer, errbuf);
	if (p == NULL) {
		fprintf(stderr, "pcapread: %s\n", errbuf);
		return 1;
	}
	while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
		packets++;
		bytes += hdr->caplen;
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "pcapread: %s: %s\n", argv[optind],
		    pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	pcap_close(p);
	printf("packets %" PRIu64 " bytes %" PRIu64 "\n", packets, bytes);
	return 0;
}
