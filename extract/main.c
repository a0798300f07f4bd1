/*
 * tcpsift-extract - parse captures once into tcpsift caches.
 *
 * The front end: options, the read loop, progress, the summary and exit
 * codes.  Reading captures, decoding, tracking and the file format live
 * in common/.  On SIGINT/SIGTERM/SIGHUP the temporary cache is removed, so
 * no partial cache is ever left under the final name.
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
#include "capture.h"
#include "decode.h"
#include "err.h"
#include "flow.h"
#include "readahead.h"
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
/* The signals on_signal() handles, as a list and as a set (main() fills
 * it). */
static const int cleanup_sigs[] = { SIGINT, SIGTERM, SIGHUP };
static sigset_t cleanup_signals;

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

/* pos: bytes read of total (0: unknown) */
static void progress(uint64_t total, uint64_t pos, const struct counts *c,
		     int64_t start, bool final)
{
	double el = (double)(now_ns(CLOCK_MONOTONIC) - start) / 1e9;
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

/*
 * Where one capture's CPU time went, ns: the process's clocks read at the
 * start, and the reading thread's time (-1 when it is not known: reading
 * then counts as tracking).
 */
struct cpu_use {
	int64_t process0, main0;
	int64_t reader;
};

static void print_cpu(const struct cpu_use *u)
{
	/* threads joined: their time is in the process's clock */
	double total = (double)(now_ns(CLOCK_PROCESS_CPUTIME_ID) - u->process0) / 1e9;
	double track = (double)(now_ns(CLOCK_THREAD_CPUTIME_ID) - u->main0) / 1e9;
	double read = u->reader >= 0 ? (double)u->reader / 1e9 : 0;
	double comp = total > track + read ? total - track - read : 0;

	if (u->reader < 0)	/* no reading thread: this one read too */
		fprintf(stderr, "  CPU %.2f s: reading, decoding and tracking %.2f s, compressing and writing %.2f s\n",
			total, track, comp);
	else
		fprintf(stderr, "  CPU %.2f s: reading and decoding %.2f s, tracking and analysis %.2f s, compressing and writing %.2f s\n",
			total, read, track, comp);
}

static void print_summary(const char *in, const char *out, const struct counts *c,
			  const struct flow_stats *fs, uint64_t capsize,
			  int64_t start, const struct cpu_use *u)
{
	char cs[32], span[32], first[TIMEFMT_ISO_MAX];
	struct stat ost;
	uint64_t size = 0;
	double el = (double)(now_ns(CLOCK_MONOTONIC) - start) / 1e9;

	if (stat(out, &ost) == 0)
		size = (uint64_t)ost.st_size;
	human_size(cs, sizeof(cs), (double)size);
	timefmt_secs(span, sizeof(span), c->last_ts - c->first_ts, 6);
	timefmt_iso(first, sizeof(first), c->first_ts, false);
	fprintf(stderr, "%s -> %s\n", in, out);
	fprintf(stderr, "  %llu frames, %llu TCP packets, %llu connections (at most %llu open at once)\n",
		(unsigned long long)c->frames, (unsigned long long)c->tcp,
		(unsigned long long)fs->written, (unsigned long long)fs->max_open);
	fprintf(stderr, "  skipped: %llu filtered, %llu other link type, %llu not IP, %llu not TCP, %llu fragments, %llu malformed, %llu cut by snaplen\n",
		(unsigned long long)c->filtered,
		(unsigned long long)c->by_result[DECODE_LINKTYPE],
		(unsigned long long)c->by_result[DECODE_NOT_IP],
		(unsigned long long)c->by_result[DECODE_NOT_TCP],
		(unsigned long long)c->by_result[DECODE_FRAGMENT],
		(unsigned long long)c->by_result[DECODE_MALFORMED],
		(unsigned long long)c->by_result[DECODE_SHORT]);
	fprintf(stderr, "  time span %s s from %s\n", span, c->frames ? first : "-");
	fprintf(stderr, "  cache %s (%.2f%% of the capture, %.1f bytes/packet), %.2f s\n",
		cs, capsize ? 100.0 * (double)size / (double)capsize : 0.0,
		c->tcp ? (double)size / (double)c->tcp : 0.0, el);
	print_cpu(u);
}

static void fill_meta(struct cache_meta *m, const struct capture *cap,
		      const struct counts *c, const struct flow_stats *fs,
		      const char *in, const char *filter)
{
	uint16_t lts[4] = { 0xffff, 0xffff, 0xffff, 0xffff };

	capture_linktypes(cap, lts, 4);
	m->f.capture_size = capture_size(cap);
	m->f.capture_mtime = capture_mtime(cap);
	m->f.extract_time = now_ns(CLOCK_REALTIME);
	if (getenv("SOURCE_DATE_EPOCH"))	/* reproducible builds' convention */
		m->f.extract_time = strtoll(getenv("SOURCE_DATE_EPOCH"), NULL, 10) *
				    1000000000;
	m->f.first_ts = c->first_ts;
	m->f.last_ts = c->last_ts;
	m->f.frames = c->frames;
	m->f.filtered = c->filtered;
	m->f.tcp_packets = c->tcp;
	m->f.connections = fs->written;
	m->f.n_linktype = c->by_result[DECODE_LINKTYPE];
	m->f.n_not_ip = c->by_result[DECODE_NOT_IP];
	m->f.n_not_tcp = c->by_result[DECODE_NOT_TCP];
	m->f.n_fragment = c->by_result[DECODE_FRAGMENT];
	m->f.n_malformed = c->by_result[DECODE_MALFORMED];
	m->f.n_short = c->by_result[DECODE_SHORT];
	m->f.snaplen = capture_snaplen(cap);
	m->f.tsprec = (uint32_t)capture_tsprec(cap);
	if (m->f.tsprec == 9)
		m->f.flags |= CACHE_META_NSEC;
	m->f.linktype0 = lts[0];
	m->f.linktype1 = lts[1];
	m->f.linktype2 = lts[2];
	m->f.linktype3 = lts[3];
	snprintf(m->source, sizeof(m->source), "%s", in);
	snprintf(m->filter, sizeof(m->filter), "%s", filter ? filter : "");
	snprintf(m->tool, sizeof(m->tool), "tcpsift %s", TCPSIFT_VERSION);
}

static int extract_one(const char *in, const char *out, const struct opts *o,
		       struct err *e)
{
	struct capture *cap = NULL;
	struct cache_writer *w = NULL;
	struct flow_table *ft = NULL;
	struct readahead *ra = NULL;
	struct cache_meta meta;
	struct flow_stats fs;
	struct counts c = { 0 };
	const struct readahead_frame *fr;
	uint64_t capsize;
	int64_t start = now_ns(CLOCK_MONOTONIC), next_progress = 0;
	struct cpu_use cpu = { now_ns(CLOCK_PROCESS_CPUTIME_ID),
			       now_ns(CLOCK_THREAD_CPUTIME_ID), -1 };
	bool tty = !o->quiet && isatty(STDERR_FILENO), read_failed = false;
	sigset_t oldmask;
	int rc, nrc;

	memset(&meta, 0, sizeof(meta));
	if (strcmp(in, "-") != 0 && same_file(in, out))
		return err_set(e, ERR_USAGE, out, "output would overwrite its input");
	if ((rc = capture_open(&cap, in, e)))
		return rc;
	if (o->filter && (rc = capture_set_filter(cap, o->filter, e)))
		goto out_close;
	/*
	 * The temporary file exists from inside cache_writer_open(); a
	 * signal before tmp_path names it would leave it behind, so the
	 * signals wait until it does.  (The compression thread started in
	 * there keeps them blocked: they go to this thread or the reader.)
	 */
	pthread_sigmask(SIG_BLOCK, &cleanup_signals, &oldmask);
	rc = cache_writer_open(&w, out, o->level, e);
	if (!rc)
		snprintf(tmp_path, sizeof(tmp_path), "%s",
			 cache_writer_temp_path(w));
	pthread_sigmask(SIG_SETMASK, &oldmask, NULL);
	if (rc)
		goto out_close;
	if ((rc = flow_new(&ft, w, e)))
		goto out_abort;
	/* reading and decoding go on on another core from here */
	capsize = capture_size(cap);
	if ((rc = readahead_new(&ra, cap, tty, e)))
		goto out_abort;

	while ((nrc = readahead_next(ra, &fr, e)) == 1) {
		if (c.frames++ == 0)
			c.first_ts = fr->ts;
		c.last_ts = fr->ts;
		if (tty && (c.frames & 4095) == 0) {
			int64_t t = now_ns(CLOCK_MONOTONIC);
			if (t >= next_progress) {
				progress(capsize, fr->offset, &c, start, false);
				next_progress = t + 250000000;
			}
		}
		/* Unmatched TCP still goes to the tracker, unrecorded, so
		 * stream numbers stay those of the whole capture. */
		if (!fr->matched)
			c.filtered++;
		else
			c.by_result[fr->res]++;
		if (fr->res != DECODE_TCP)
			continue;
		if (fr->matched)
			c.tcp++;
		if ((rc = flow_packet(ft, c.frames, fr->ts, fr->wire_len, &fr->d,
				      fr->matched, e))) {
			e->where = ERR_AT_FRAME;
			e->at = c.frames;
			goto out_abort;
		}
	}
	cpu.reader = readahead_cpu_ns(ra);
	readahead_free(ra);	/* the capture is ours again */
	ra = NULL;
	if (tty)
		progress(capsize, 0, &c, start, true);
	if (nrc == ERR_USAGE) {		/* the filter, on a new link type */
		rc = nrc;
		goto out_abort;
	}
	if (nrc < 0) {
		/*
		 * Ended early.  A capture cut short (a copy still being
		 * written) is a warning; anything else we cannot read is an
		 * error.  Either way the cache keeps what was read and says
		 * it is incomplete.
		 */
		char buf[1200];

		err_format(e, buf, sizeof(buf));
		fprintf(stderr, "%s: %s%s; the cache holds the frames before it\n",
			prog, nrc == ERR_TRUNCATED ? "warning: " : "", buf);
		meta.f.flags |= CACHE_META_TRUNCATED;
		meta.f.truncated_at = e->at;
		read_failed = nrc != ERR_TRUNCATED;
		err_clear(e);
	}
	if ((rc = flow_finish(ft, e)))
		goto out_abort;
	flow_get_stats(ft, &fs);
	flow_free(ft);
	ft = NULL;
	fill_meta(&meta, cap, &c, &fs, in, o->filter);
	rc = cache_writer_close(w, &meta, e);
	w = NULL;
	tmp_path[0] = '\0';
	if (rc)
		goto out_close;
	if (!o->quiet) {
		print_summary(in, out, &c, &fs, capture_size(cap), start, &cpu);
		if (capture_is_fallback(cap))
			fprintf(stderr, "  (libpcap stopped at an interface of another link type or snaplen; read on with tcpsift's pcapng reader)\n");
	}
	if (read_failed)
		rc = ERR_FORMAT;	/* already reported */
	goto out_close;

out_abort:
	readahead_free(ra);
	flow_free(ft);
	cache_writer_abort(w);
	tmp_path[0] = '\0';
out_close:
	capture_close(cap);
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
	sigemptyset(&cleanup_signals);
	for (size_t i = 0; i < sizeof(cleanup_sigs) / sizeof(cleanup_sigs[0]); i++) {
		signal(cleanup_sigs[i], on_signal);
		sigaddset(&cleanup_signals, cleanup_sigs[i]);
	}
	signal(SIGPIPE, SIG_IGN);

	if (o.out && strcmp(o.out, "-") == 0) {
		fprintf(stderr, "%s: a cache cannot go to standard output (it is written aside and renamed into place); name a file with -o\n", prog);
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		char outbuf[4096];
		int rc;
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
		if ((rc = extract_one(argv[i], out, &o, &e)) != 0) {
			if (e.msg[0])
				print_err(&e);
			if (status != 2)
				status = rc == ERR_USAGE ? 2 : 1;
		}
	}
	return status;
}
