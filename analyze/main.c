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

#include "fields.h"
#include "query.h"
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
"%s"
"\n"
"With several caches, a report runs over each and adds a `cache` column.\n"
"Exit status: 0 success, 1 bad cache or I/O error, 2 usage error.\n",
		query_help);
}

/* "  name          meaning...", the meaning wrapped at 78 columns. */
static void print_field(FILE *f, int id)
{
	const char *m = field_info[id].doc;
	int col = fprintf(f, "  %-14s", field_info[id].name);

	if (col > 16) {
		fputs("\n                ", f);
		col = 16;
	}
	while (*m) {
		size_t w = strcspn(m, " ");

		if (col + 1 + (int)w > 78 && col > 16) {
			fputs("\n                ", f);
			col = 16;
		}
		col += fprintf(f, " %.*s", (int)w, m);
		m += w;
		m += strspn(m, " ");
	}
	fputc('\n', f);
}

static void report_usage(FILE *f, const struct report *r, void *state)
{
	fprintf(f, "usage: tcpsift-analyze %s [--format table|csv|json] [--local] [OPTIONS] %s\n\n%s\n\n%s",
		r->name, r->all ? "..." : r->no_cache ? "" : "CACHE...",
		r->summary, r->help);
	if (r->spec) {
		const struct query_spec *sp = r->spec(state);

		fprintf(f, "\nColumns%s (any field of table %s: `tcpsift-analyze fields`):\n",
			sp->records ? ", by default" : "", field_table_name(sp->table));
		for (unsigned i = 0; i < sp->ncols; i++)
			print_field(f, sp->cols[i]);
		fprintf(f, "\n%s", query_help);
	}
}

static void print_err(const struct err *e)
{
	char buf[1200];

	err_format(e, buf, sizeof(buf));
	fprintf(stderr, "%s: %s\n", prog, buf);
}

enum {
	OPT_FORMAT = 900, OPT_LOCAL, OPT_HELP, OPT_WHERE, OPT_SORT, OPT_LIMIT,
	OPT_FIRST, OPT_COLUMNS
};

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
		   struct out *out, struct query *q, bool labelled, struct err *e)
{
	struct cache_reader *cr = NULL;
	struct report_run run;
	struct hook h = { rep, state, &run };
	int rc;

	if (path && (rc = cache_open(&cr, path, e)))
		return rc;
	run.cache = cr;
	run.meta = cr ? cache_meta(cr) : NULL;
	run.out = out;
	run.q = q;
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
	if (cr)
		cache_close(cr);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option common[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "local", no_argument, NULL, OPT_LOCAL },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "where", required_argument, NULL, OPT_WHERE },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "first", no_argument, NULL, OPT_FIRST },
		{ "columns", required_argument, NULL, OPT_COLUMNS },
	};
	enum { NCOMMON = sizeof(common) / sizeof(common[0]), MAXOPTS = 64 };
	struct option opts[MAXOPTS];
	const struct report *rep;
	enum out_format fmt = OUT_TABLE;
	bool local = false;
	struct query_opts qo = { 0 };
	struct query *q = NULL;
	struct out *out;
	void *state;
	struct err e;
	int n = 0, ch, rc, status = 0;
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
		case OPT_WHERE:
			qo.where = optarg;
			break;
		case OPT_SORT:
			qo.sort = optarg;
			break;
		case OPT_COLUMNS:
			qo.columns = optarg;
			break;
		case OPT_FIRST:
			qo.first = true;
			break;
		case OPT_LIMIT: {
			char *end;

			errno = 0;
			qo.limit = strtoull(optarg, &end, 10);
			if (!*optarg || *end || errno || *optarg == '-') {
				fprintf(stderr, "%s: --limit takes a number of rows, not '%s'\n",
					prog, optarg);
				status = 2;
				goto out_destroy;
			}
			qo.has_limit = true;
			break;
		}
		case 'h':
		case OPT_HELP:
			report_usage(stdout, rep, state);
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
	if (!rep->spec && (qo.where || qo.sort || qo.columns || qo.first ||
			   qo.has_limit)) {
		fprintf(stderr, "%s: %s takes no --where, --sort, --limit, --first or --columns%s\n",
			prog, rep->name,
			!strcmp(rep->name, "sql") ? "; say it in the query: WHERE, ORDER BY, LIMIT" : "");
		status = 2;
		goto out_destroy;
	}
	if (optind == argc && !rep->no_cache) {
		fprintf(stderr, "%s: no cache given; usage: tcpsift-analyze %s [OPTIONS] CACHE...\n",
			prog, rep->name);
		status = 2;
		goto out_destroy;
	}
	if (optind < argc && rep->no_cache) {
		fprintf(stderr, "%s: %s reads no cache ('%s')\n", prog, rep->name, argv[optind]);
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
	if (rep->spec && (rc = query_new(&q, &qo, rep->spec(state), out, &e))) {
		print_err(&e);
		status = rc == ERR_USAGE ? 2 : 1;
		goto out_free;
	}
	if (rep->all) {
		err_clear(&e);
		rc = rep->all(state, out, argv + optind, argc - optind, &e);
		if (rc < 0) {
			fflush(stdout);
			print_err(&e);
			status = rc == ERR_USAGE ? 2 : 1;
		}
	} else {
		/* once per cache; once with none for a report that reads none */
		int nrun = rep->no_cache ? 1 : argc - optind;

		for (int i = 0; i < nrun; i++) {
			err_clear(&e);
			if (run_one(rep, state, rep->no_cache ? NULL : argv[optind + i],
				    out, q, nrun > 1, &e) < 0) {
				fflush(stdout);
				print_err(&e);
				status = 1;
			}
		}
	}
out_free:
	query_free(q);
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
