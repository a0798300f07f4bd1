/*
 * tcpsift-extract - parse captures once into tcpsift caches.
 *
 * The front end: options, the libpcap read loop, progress, the summary and
 * exit codes.  Decoding, tracking and the file format live in common/.
 * The capture is read through our own stdio stream with a 1 MiB buffer
 * (libpcap's default stdio buffer makes the read loop several times
 * slower than the disk).  On SIGINT/SIGTERM the temporary cache is
 * removed, so no partial cache is ever left under the final name.
 */
#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "decode.h"
#include "err.h"
#include "flow.h"
#include "timefmt.h"
#include "version.h"

static const char *prog = "tcpsift-extract";

static void usage(FILE *f)
{
	fprintf(f,
"usage: tcpsift-extract [-q] [-o CACHE] [-f FILTER] [-z LEVEL] CAPTURE...\n"
"\n"
"Parse each pcap or pcapng CAPTURE once and write a tcpsift cache: one\n"
"record per TCP connection and one per TCP packet, zstd-compressed, for\n"
"tcpsift-analyze to answer questions from in milliseconds.\n"
"\n"
"  -o CACHE   output file (default: the capture's name with its extension\n"
"             replaced by .sift, in the same folder); only with one CAPTURE;\n"
"             required when CAPTURE is - (standard input)\n"
"  -f FILTER  keep only packets matching the BPF expression FILTER, as in\n"
"             tcpdump; frame numbers still count every packet of the capture\n"
"  -q         print only errors and warnings (no progress, no summary)\n"
"  -z LEVEL   zstd compression level, 1 to 19 (default 3)\n"
"  -h, --help      this text\n"
"  -V, --version   print the version\n"
"\n"
"Link types: Ethernet (802.1Q/802.1ad tags, PPPoE), Linux SLL and SLL2, raw\n"
"IP, NULL/LOOP, PPP, NFLOG.  Frames of other link types, non-IP and non-TCP\n"
"packets, IP fragments and malformed headers are counted, not recorded.\n"
"\n"
"Exit status: 0 success (also for a capture cut short, with a warning),\n"
"1 bad input or I/O error, 2 usage error.\n");
}

/* The temporary cache, for the signal handler to remove. */
static char tmp_path[4096];

static void on_signal(int sig)
{
	if (tmp_path[0])
		unlink(tmp_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int64_t now_ns(int clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void print_err(const struct err *e)
{
	char buf[1200];

	err_format(e, buf, sizeof(buf));
	fprintf(stderr, "%s: %s\n", prog, buf);
}

/* "dir/name.pcap" -> "dir/name.sift" */
static void default_output(const char *in, char *out, size_t size)
{
	const char *slash = strrchr(in, '/');
	const char *dot = strrchr(in, '.');

	if (dot && (!slash || dot > slash + 1))
		snprintf(out, size, "%.*s.sift", (int)(dot - in), in);
	else
		snprintf(out, size, "%s.sift", in);
}

struct opts {
	const char *out;
	const char *filter;
	bool quiet;
	int level;
};

struct counts {
	uint64_t frames, filtered, tcp;
	uint64_t by_result[DECODE_NRESULTS];
	int64_t first_ts, last_ts;
};

static void human_size(char *buf, size_t size, double n)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (n >= 1024 && u < 4) {
		n /= 1024;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", n, unit[u]);
}

static void progress(FILE *f, uint64_t total, const struct counts *c,
		     int64_t start, bool final)
{
	double el = (double)(now_ns(CLOCK_MONOTONIC) - start) / 1e9;
	long pos = ftell(f);
	double rate = el > 0 ? (double)c->frames / el : 0;

	if (final) {
		fprintf(stderr, "\r\033[K");
		return;
	}
	if (total > 0 && pos > 0) {
		double frac = (double)pos / (double)total;
		double eta = frac > 0 ? el / frac - el : 0;
		fprintf(stderr, "\r%5.1f%%  %llu frames  %.0f frames/s  ETA %d:%02d\033[K",
			100 * frac, (unsigned long long)c->frames, rate,
			(int)eta / 60, (int)eta % 60);
	} else {
		fprintf(stderr, "\r%llu frames  %.0f frames/s\033[K",
			(unsigned long long)c->frames, rate);
	}
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Maps libpcap's open errors onto one clear line. */
static int open_error(const char *path, const char *pcaperr, uint64_t size,
		      struct err *e)
{
	if (size == 0 && strcmp(path, "-") != 0)
		return err_set(e, ERR_FORMAT, path, "empty file, not a capture");
	if (strstr(pcaperr, "unknown file format"))
		return err_set(e, ERR_FORMAT, path,
			       "not a pcap or pcapng capture (unknown file format)");
	return err_set_at(e, ERR_FORMAT, path, ERR_AT_OFFSET, 0,
			  "cannot read capture: %s", pcaperr);
}

static int extract_one(const char *in, const char *out, const struct opts *o,
		       struct err *e)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	FILE *f = NULL;
	pcap_t *p = NULL;
	struct bpf_program bpf;
	bool have_bpf = false;
	struct cache_writer *w = NULL;
	struct flow_table *ft = NULL;
	struct cache_meta meta;
	struct counts c = { 0 };
	struct stat st = { 0 };
	uint8_t magic[4] = { 0 };
	bool is_pcap = false, is_stdin = strcmp(in, "-") == 0, tty;
	uint64_t offset = 24;	/* classic pcap: end of the last good record */
	int64_t start = now_ns(CLOCK_MONOTONIC), next_progress = 0;
	int linktype, rc = 0, nrc;
	bool read_failed = false;
	struct pcap_pkthdr *h;
	const u_char *data;
	uint16_t linktypes[4] = { 0xffff, 0xffff, 0xffff, 0xffff };

	memset(&meta, 0, sizeof(meta));
	if (!is_stdin && same_file(in, out))
		return err_set(e, ERR_USAGE, out, "output would overwrite its input");
	f = is_stdin ? stdin : fopen(in, "rb");
	if (!f)
		return err_set(e, ERR_IO, in, "cannot open: %s", strerror(errno));
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	if (!is_stdin) {
		if (fstat(fileno(f), &st) != 0 || S_ISDIR(st.st_mode)) {
			rc = err_set(e, ERR_IO, in, "not a file");
			goto out_close;
		}
		if (pread(fileno(f), magic, 4, 0) == 4) {
			uint32_t m = (uint32_t)magic[0] << 24 | magic[1] << 16 |
				     magic[2] << 8 | magic[3];
			is_pcap = m == 0xa1b2c3d4 || m == 0xd4c3b2a1 ||
				  m == 0xa1b23c4d || m == 0x4d3cb2a1;
			meta.f.tsprec = m == 0xa1b23c4d || m == 0x4d3cb2a1 ? 9 :
					is_pcap ? 6 : 0;
		}
	}
	p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO,
						     errbuf);
	if (!p) {
		rc = open_error(in, errbuf, (uint64_t)st.st_size, e);
		goto out_close;
	}
	f = NULL;	/* pcap_close closes it now */
	if (o->filter) {
		if (pcap_compile(p, &bpf, o->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			rc = err_set(e, ERR_USAGE, in, "bad filter '%s': %s",
				     o->filter, pcap_geterr(p));
			goto out_close;
		}
		have_bpf = true;
	}
	linktype = pcap_datalink(p);
	linktypes[0] = (uint16_t)linktype;

	if ((rc = cache_writer_open(&w, out, o->level, e)))
		goto out_close;
	snprintf(tmp_path, sizeof(tmp_path), "%s", cache_writer_temp_path(w));
	if ((rc = flow_new(&ft, w, e)))
		goto out_abort;

	tty = !o->quiet && isatty(STDERR_FILENO);
	while ((nrc = pcap_next_ex(p, &h, &data)) == 1) {
		struct decode_tcp d;
		enum decode_result res;
		int64_t ts = (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec;

		c.frames++;
		offset += 16 + h->caplen;
		if (c.frames == 1)
			c.first_ts = ts;
		c.last_ts = ts;
		if (tty && (c.frames & 4095) == 0) {
			int64_t t = now_ns(CLOCK_MONOTONIC);
			if (t >= next_progress) {
				progress(pcap_file(p), (uint64_t)st.st_size, &c,
					 start, false);
				next_progress = t + 250000000;
			}
		}
		if (have_bpf && !pcap_offline_filter(&bpf, h, data)) {
			c.filtered++;
			continue;
		}
		res = decode_frame(linktype, data, h->caplen, h->len, &d);
		c.by_result[res]++;
		if (res != DECODE_TCP)
			continue;
		c.tcp++;
		if ((rc = flow_packet(ft, c.frames, ts, h->len, &d, e))) {
			e->where = ERR_AT_FRAME;
			e->at = c.frames;
			goto out_abort;
		}
	}
	if (tty)
		progress(pcap_file(p), 0, &c, start, true);
	if (nrc == -1) {
		/*
		 * Ended early.  A capture cut short (a copy still being
		 * written) is a warning; anything else libpcap cannot read
		 * is an error.  Either way the cache keeps what was read and
		 * says it is incomplete.
		 */
		const char *why = pcap_geterr(p);
		uint64_t at = is_pcap ? offset : (uint64_t)ftell(pcap_file(p));
		bool cut = strstr(why, "truncated") != NULL;

		fprintf(stderr, "%s: %s%s:%llu: %s after frame %llu (%s); the cache holds the frames before it\n",
			prog, cut ? "warning: " : "", in, (unsigned long long)at,
			cut ? "capture ends early" : "cannot read further",
			(unsigned long long)c.frames, why);
		meta.f.flags |= CACHE_META_TRUNCATED;
		meta.f.truncated_at = at;
		if (!cut)
			read_failed = true;
	}
	if ((rc = flow_finish(ft, e)))
		goto out_abort;

	meta.f.capture_size = (uint64_t)st.st_size;
	meta.f.capture_mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 +
			       st.st_mtim.tv_nsec;
	meta.f.extract_time = now_ns(CLOCK_REALTIME);
	if (getenv("SOURCE_DATE_EPOCH"))	/* reproducible builds' convention */
		meta.f.extract_time = strtoll(getenv("SOURCE_DATE_EPOCH"), NULL, 10) *
				      1000000000;
	meta.f.first_ts = c.first_ts;
	meta.f.last_ts = c.last_ts;
	meta.f.frames = c.frames;
	meta.f.filtered = c.filtered;
	meta.f.tcp_packets = c.tcp;
	{
		struct flow_stats fs;
		flow_get_stats(ft, &fs);
		meta.f.connections = fs.conns;
	}
	meta.f.n_linktype = c.by_result[DECODE_LINKTYPE];
	meta.f.n_not_ip = c.by_result[DECODE_NOT_IP];
	meta.f.n_not_tcp = c.by_result[DECODE_NOT_TCP];
	meta.f.n_fragment = c.by_result[DECODE_FRAGMENT];
	meta.f.n_malformed = c.by_result[DECODE_MALFORMED];
	meta.f.n_short = c.by_result[DECODE_SHORT];
	meta.f.snaplen = (uint32_t)pcap_snapshot(p);
	if (meta.f.tsprec == 9)
		meta.f.flags |= CACHE_META_NSEC;
	meta.f.linktype0 = linktypes[0];
	meta.f.linktype1 = linktypes[1];
	meta.f.linktype2 = linktypes[2];
	meta.f.linktype3 = linktypes[3];
	snprintf(meta.source, sizeof(meta.source), "%s", in);
	snprintf(meta.filter, sizeof(meta.filter), "%s", o->filter ? o->filter : "");
	snprintf(meta.tool, sizeof(meta.tool), "tcpsift %s", TCPSIFT_VERSION);

	{
		struct flow_stats fs;
		uint64_t size;
		flow_get_stats(ft, &fs);
		flow_free(ft);
		ft = NULL;
		size = cache_writer_size(w) + 0;
		rc = cache_writer_close(w, &meta, e);
		w = NULL;
		tmp_path[0] = '\0';
		if (rc)
			goto out_close;
		if (!o->quiet) {
			char cs[32], span[32], first[TIMEFMT_ISO_MAX];
			struct stat ost;
			double el = (double)(now_ns(CLOCK_MONOTONIC) - start) / 1e9;

			if (stat(out, &ost) == 0)
				size = (uint64_t)ost.st_size;
			human_size(cs, sizeof(cs), (double)size);
			timefmt_secs(span, sizeof(span), c.last_ts - c.first_ts, 6);
			timefmt_iso(first, sizeof(first), c.first_ts, false);
			fprintf(stderr, "%s -> %s\n", in, out);
			fprintf(stderr, "  %llu frames, %llu TCP packets, %llu connections (at most %llu open at once)\n",
				(unsigned long long)c.frames, (unsigned long long)c.tcp,
				(unsigned long long)fs.conns,
				(unsigned long long)fs.max_open);
			fprintf(stderr, "  skipped: %llu filtered, %llu other link type, %llu not IP, %llu not TCP, %llu fragments, %llu malformed, %llu cut by snaplen\n",
				(unsigned long long)c.filtered,
				(unsigned long long)c.by_result[DECODE_LINKTYPE],
				(unsigned long long)c.by_result[DECODE_NOT_IP],
				(unsigned long long)c.by_result[DECODE_NOT_TCP],
				(unsigned long long)c.by_result[DECODE_FRAGMENT],
				(unsigned long long)c.by_result[DECODE_MALFORMED],
				(unsigned long long)c.by_result[DECODE_SHORT]);
			fprintf(stderr, "  time span %s s from %s\n", span,
				c.frames ? first : "-");
			fprintf(stderr, "  cache %s (%.2f%% of the capture, %.1f bytes/packet), %.2f s\n",
				cs, st.st_size ? 100.0 * (double)size / (double)st.st_size : 0.0,
				c.tcp ? (double)size / (double)c.tcp : 0.0, el);
		}
	}
	if (read_failed)
		rc = ERR_FORMAT;	/* already reported */
	goto out_close;

out_abort:
	flow_free(ft);
	cache_writer_abort(w);
	tmp_path[0] = '\0';
out_close:
	if (have_bpf)
		pcap_freecode(&bpf);
	if (p)
		pcap_close(p);
	if (f && f != stdin)
		fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { NULL, NULL, false, 3 };
	int ch, status = 0;

	while ((ch = getopt_long(argc, argv, "o:f:qz:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o': o.out = optarg; break;
		case 'f': o.filter = optarg; break;
		case 'q': o.quiet = true; break;
		case 'z':
			o.level = atoi(optarg);
			if (o.level < 1 || o.level > 19) {
				fprintf(stderr, "%s: -z takes a level from 1 to 19\n", prog);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("tcpsift-extract %s (%s)\n", TCPSIFT_VERSION,
				 pcap_lib_version());
			return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "%s: no capture given\n", prog);
		usage(stderr);
		return 2;
	}
	if (o.out && argc - optind > 1) {
		fprintf(stderr, "%s: -o takes one capture; give captures one at a time or drop -o\n", prog);
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN);

	for (int i = optind; i < argc; i++) {
		char outbuf[4096];
		const char *out = o.out;
		struct err e;

		err_clear(&e);
		if (strcmp(argv[i], "-") == 0 && !out) {
			fprintf(stderr, "%s: reading standard input needs -o CACHE\n", prog);
			return 2;
		}
		if (!out) {
			default_output(argv[i], outbuf, sizeof(outbuf));
			out = outbuf;
		}
		if (extract_one(argv[i], out, &o, &e) != 0) {
			if (e.msg[0])
				print_err(&e);
			status = 1;
		}
	}
	return status;
}
