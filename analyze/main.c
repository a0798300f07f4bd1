/*
 * tcpsift-analyze - answer questions from tcpsift caches.
 *
 * The driver: picks the report from the registry, parses the common
 * options and the report's own, and runs the report over each cache,
 * owning the loops over connection and packet records.  It prints
 * library errors once and chooses the exit code (0 ok, 1 data or I/O
 * error, 2 usage).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "version.h"

static const char *prog = "tcpsift-analyze";

static void usage(FILE *f)
{
	fprintf(f,
"usage: tcpsift-analyze REPORT [--format table|csv|json] [--local] [OPTIONS] CACHE...\n"
"       tcpsift-analyze help\n"
"       tcpsift-analyze REPORT --help\n"
"\n"
"Answer questions about the TCP connections of a capture from the cache\n"
"that tcpsift-extract wrote, without reading the capture again.\n"
"\n"
"Reports:\n");
	for (unsigned i = 0; i < report_count; i++)
		fprintf(f, "  %-12s %s\n", report_list[i]->name,
			report_list[i]->summary);
	fprintf(f,
"\n"
"Common options:\n"
"  --format table|csv|json  aligned table for people (default), CSV with a\n"
"                           header row, or one JSON object per line\n"
"  --local                  absolute times in local time, not UTC\n"
"  -h, --help               the report's options and columns\n"
"\n"
"With several caches, a report runs over each and adds a `cache` column.\n"
"Exit status: 0 success, 1 bad cache or I/O error, 2 usage error.\n");
}

static void report_usage(FILE *f, const struct report *r)
{
	fprintf(f, "usage: tcpsift-analyze %s [--format table|csv|json] [--local] [OPTIONS] CACHE...\n\n%s\n\n%s",
		r->name, r->summary, r->help);
}

static void print_err(const struct err *e)
{
	char buf[1200];

	err_format(e, buf, sizeof(buf));
	fprintf(stderr, "%s: %s\n", prog, buf);
}

enum { OPT_FORMAT = 900, OPT_LOCAL, OPT_HELP };

/* Binds a report's hook to its state for the reader's callbacks. */
struct hook {
	const struct report *rep;
	void *state;
	struct report_run *run;
};

static int conn_hook(void *arg, const struct cache_conn *c)
{
	struct hook *h = arg;
	return h->rep->conn(h->state, h->run, c);
}

static int pkt_hook(void *arg, const struct cache_pkt *p)
{
	struct hook *h = arg;
	return h->rep->pkt(h->state, h->run, p);
}

static int run_one(const struct report *rep, void *state, const char *path,
		   struct out *out, bool labelled, struct err *e)
{
	struct cache_reader *cr;
	struct report_run run;
	struct hook h = { rep, state, &run };
	int rc;

	if ((rc = cache_open(&cr, path, e)))
		return rc;
	run.cache = cr;
	run.meta = cache_meta(cr);
	run.out = out;
	run.label = labelled ? path : NULL;
	run.err = e;
	if (rep->begin && (rc = rep->begin(state, &run)))
		goto out_close;
	if (rep->conn && (rc = cache_conns_each(cr, conn_hook, &h, e)))
		goto out_close;
	if (rep->pkt && (rc = cache_pkts_each(cr, pkt_hook, &h, e)))
		goto out_close;
	if (rep->run && (rc = rep->run(state, &run)))
		goto out_close;
	if (rep->end)
		rc = rep->end(state, &run);
out_close:
	cache_close(cr);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option common[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "local", no_argument, NULL, OPT_LOCAL },
		{ "help", no_argument, NULL, OPT_HELP },
	};
	enum { NCOMMON = sizeof(common) / sizeof(common[0]), MAXOPTS = 64 };
	struct option opts[MAXOPTS];
	const struct report *rep;
	enum out_format fmt = OUT_TABLE;
	bool local = false;
	struct out *out;
	void *state;
	struct err e;
	int n = 0, ch, status = 0;
	static char outbuf[1 << 16];

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("tcpsift-analyze %s (cache format %d.%d)\n",
		       TCPSIFT_VERSION, CACHE_MAJOR, CACHE_MINOR);
		return 0;
	}
	rep = report_find(argv[1]);
	if (!rep) {
		fprintf(stderr, "%s: unknown report '%s'; `tcpsift-analyze help` lists them\n",
			prog, argv[1]);
		return 2;
	}
	for (int i = 0; i < NCOMMON; i++)
		opts[n++] = common[i];
	for (const struct option *o = rep->options; o && o->name && n < MAXOPTS - 1; o++)
		opts[n++] = *o;
	opts[n] = (struct option){ NULL, 0, NULL, 0 };

	state = rep->create ? rep->create() : NULL;
	if (rep->create && !state) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	err_clear(&e);
	argv[1] = argv[0];	/* getopt starts after the report name */
	argc--;
	argv++;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_FORMAT:
			if (!out_parse_format(optarg, &fmt)) {
				fprintf(stderr, "%s: --format takes table, csv or json, not '%s'\n",
					prog, optarg);
				status = 2;
				goto out_destroy;
			}
			break;
		case OPT_LOCAL:
			local = true;
			break;
		case 'h':
		case OPT_HELP:
			report_usage(stdout, rep);
			goto out_destroy;
		case '?':
			fprintf(stderr, "%s: try `tcpsift-analyze %s --help`\n", prog, rep->name);
			status = 2;
			goto out_destroy;
		default:
			if (!rep->option || rep->option(state, ch, optarg, &e)) {
				print_err(&e);
				status = 2;
				goto out_destroy;
			}
		}
	}
	if (rep->check && rep->check(state, &e)) {
		print_err(&e);
		status = 2;
		goto out_destroy;
	}
	if (optind == argc) {
		fprintf(stderr, "%s: no cache given; usage: tcpsift-analyze %s [OPTIONS] CACHE...\n",
			prog, rep->name);
		status = 2;
		goto out_destroy;
	}
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	out = out_new(stdout, fmt, local);
	if (!out) {
		fprintf(stderr, "%s: out of memory\n", prog);
		status = 1;
		goto out_destroy;
	}
	for (int i = optind; i < argc; i++) {
		err_clear(&e);
		if (run_one(rep, state, argv[i], out, argc - optind > 1, &e) < 0) {
			fflush(stdout);
			print_err(&e);
			status = 1;
		}
	}
	out_free(out);
	if (fflush(stdout) != 0 && errno != EPIPE) {
		fprintf(stderr, "%s: cannot write output: %s\n", prog, strerror(errno));
		status = 1;
	}
out_destroy:
	if (rep->destroy)
		rep->destroy(state);
	return status;
}
