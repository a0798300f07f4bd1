/*
 * handshake.c - how long servers took to answer SYNs: the connections
 * whose first SYN to first SYN-ACK time exceeds a threshold, in SYN time
 * order; or only the first of them; or those never answered; or, per
 * server, the distribution of that time.
 *
 * Reads only connection records (one pass through the conn hook), keeps a
 * small row per matching connection and sorts them at the end, so the
 * order is the SYN's time even when stream order differs.  One result set
 * per cache and format: the summary is a mode of its own (--summary), not
 * a second table.
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "report.h"
#include "rutil.h"
#include "timefmt.h"

/* What a row needs of one connection. */
struct hs_row {
	uint32_t stream;
	uint8_t ipver;
	uint16_t cport, sport;
	struct addr16 client, server;
	uint64_t syn_frame, synack_frame;	/* synack_frame 0: unanswered */
	int64_t syn_ts;		/* ns since the epoch */
	int64_t synack;		/* ns, first SYN to first SYN-ACK */
	uint32_t syn_retrans;	/* client SYNs after the first */
};

struct handshake {
	struct conn_sel sel;
	bool has_over;
	int64_t over;		/* ns: list only synack > over */
	bool first, unanswered, retransmitted, summary;
	struct hs_row *rows;
	size_t nrows, caprows;
	int64_t t0;		/* capture's first frame, ns */
};

enum {
	OPT_OVER = 1, OPT_FIRST, OPT_UNANSWERED, OPT_RETRANSMITTED, OPT_SUMMARY
};

static const struct option options[] = {
	CONN_SEL_LONGOPTS,
	{ "over", required_argument, NULL, OPT_OVER },
	{ "first", no_argument, NULL, OPT_FIRST },
	{ "unanswered", no_argument, NULL, OPT_UNANSWERED },
	{ "retransmitted", no_argument, NULL, OPT_RETRANSMITTED },
	{ "summary", no_argument, NULL, OPT_SUMMARY },
	{ NULL, 0, NULL, 0 },
};

static const struct out_col cols[] = {
	{ "stream", OUT_T_NUM },    { "client", OUT_T_STR },
	{ "cport", OUT_T_NUM },     { "server", OUT_T_STR },
	{ "sport", OUT_T_NUM },     { "syn_frame", OUT_T_NUM },
	{ "synack_frame", OUT_T_NUM }, { "syn_time", OUT_T_TIME },
	{ "syn_rel", OUT_T_SECS },  { "synack", OUT_T_SECS },
	{ "syn_retrans", OUT_T_NUM },
};

static const struct out_col sum_cols[] = {
	{ "server", OUT_T_STR }, { "sport", OUT_T_NUM },
	{ "count", OUT_T_NUM },  { "median", OUT_T_SECS },
	{ "p95", OUT_T_SECS },   { "p99", OUT_T_SECS },
	{ "max", OUT_T_SECS },
};

static void *handshake_create(void)
{
	struct handshake *s = calloc(1, sizeof(*s));
	if (s)
		conn_sel_init(&s->sel);
	return s;
}

static void handshake_destroy(void *state)
{
	struct handshake *s = state;
	if (s)
		free(s->rows);
	free(s);
}

static int handshake_option(void *state, int code, const char *arg,
			    struct err *e)
{
	struct handshake *s = state;

	switch (code) {
	case OPT_OVER:
		if (!timefmt_parse_duration(arg, &s->over) || s->over < 0)
			return err_set(e, ERR_USAGE, NULL, "--over takes a duration like 300ms or 1.5s, not '%s'", arg);
		s->has_over = true;
		return 0;
	case OPT_FIRST:
		s->first = true;
		return 0;
	case OPT_UNANSWERED:
		s->unanswered = true;
		return 0;
	case OPT_RETRANSMITTED:
		s->retransmitted = true;
		return 0;
	case OPT_SUMMARY:
		s->summary = true;
		return 0;
	}
	return conn_sel_option(&s->sel, code, arg, e) ? ERR_USAGE : 0;
}

static int handshake_check(void *state, struct err *e)
{
	struct handshake *s = state;

	if (s->unanswered && (s->has_over || s->summary))
		return err_set(e, ERR_USAGE, NULL, "--unanswered lists SYNs without a SYN-ACK; --over and --summary need one");
	if (s->summary && s->first)
		return err_set(e, ERR_USAGE, NULL, "--summary and --first do not go together");
	return 0;
}

static int handshake_begin(void *state, struct report_run *run)
{
	struct handshake *s = state;

	s->nrows = 0;
	s->t0 = run->meta->f.first_ts;
	return 0;
}

static int handshake_conn(void *state, struct report_run *run,
			  const struct cache_conn *c)
{
	struct handshake *s = state;
	struct hs_row *r;
	int rc;

	if (!c->syn_frame || !conn_sel_match(&s->sel, c, s->t0))
		return 0;
	if (s->unanswered ? c->synack_frame != 0 : c->synack_frame == 0)
		return 0;
	if (s->retransmitted && !c->syn_retrans)
		return 0;
	if (s->has_over && c->synack_ts - c->syn_ts <= s->over)
		return 0;
	if ((rc = rutil_grow((void **)&s->rows, &s->caprows, s->nrows + 1,
			     sizeof(*s->rows), run->err)))
		return rc;
	r = &s->rows[s->nrows++];
	r->stream = c->stream;
	r->ipver = c->ipver;
	r->cport = c->cport;
	r->sport = c->sport;
	r->client = c->client;
	r->server = c->server;
	r->syn_frame = c->syn_frame;
	r->synack_frame = c->synack_frame;
	r->syn_ts = c->syn_ts;
	r->synack = c->synack_frame ? c->synack_ts - c->syn_ts : 0;
	r->syn_retrans = c->syn_retrans;
	return 0;
}

static int by_syn_time(const void *a, const void *b)
{
	const struct hs_row *x = a, *y = b;

	if (x->syn_ts != y->syn_ts)
		return x->syn_ts < y->syn_ts ? -1 : 1;
	return (x->stream > y->stream) - (x->stream < y->stream);
}

/* Server address, then port, then synack: groups for the summary. */
static int by_server(const void *a, const void *b)
{
	const struct hs_row *x = a, *y = b;
	int d = rutil_server_cmp(x->ipver, &x->server, x->sport,
				 y->ipver, &y->server, y->sport);

	if (d)
		return d;
	return (x->synack > y->synack) - (x->synack < y->synack);
}

static void put_row(struct handshake *s, struct out *o, const struct hs_row *r)
{
	out_uint(o, r->stream);
	rutil_out_addr(o, &r->client, r->ipver);
	out_uint(o, r->cport);
	rutil_out_addr(o, &r->server, r->ipver);
	out_uint(o, r->sport);
	out_uint(o, r->syn_frame);
	if (r->synack_frame) {
		out_uint(o, r->synack_frame);
	} else {
		out_null(o);
	}
	out_time(o, r->syn_ts);
	out_secs(o, r->syn_ts - s->t0);
	if (r->synack_frame)
		out_secs(o, r->synack);
	else
		out_null(o);
	out_uint(o, r->syn_retrans);
	out_row_end(o);
}

static int summarize(struct handshake *s, struct report_run *run)
{
	struct out *o = run->out;
	int64_t *v;
	size_t i, j;

	v = malloc((s->nrows ? s->nrows : 1) * sizeof(*v));
	if (!v)
		return err_set(run->err, ERR_NOMEM, NULL, "out of memory");
	qsort(s->rows, s->nrows, sizeof(*s->rows), by_server);
	out_begin(o, sum_cols, sizeof(sum_cols) / sizeof(sum_cols[0]), run->label);
	for (i = 0; i < s->nrows; i = j) {
		const struct hs_row *r = &s->rows[i];
		size_t n = 0;

		for (j = i; j < s->nrows &&
		     !rutil_server_cmp(s->rows[j].ipver, &s->rows[j].server, s->rows[j].sport,
				       r->ipver, &r->server, r->sport); j++)
			v[n++] = s->rows[j].synack;	/* already sorted */
		rutil_out_addr(o, &r->server, r->ipver);
		out_uint(o, r->sport);
		out_uint(o, n);
		out_secs(o, rutil_percentile(v, n, 50));
		out_secs(o, rutil_percentile(v, n, 95));
		out_secs(o, rutil_percentile(v, n, 99));
		out_secs(o, v[n - 1]);
		out_row_end(o);
	}
	out_end(o);
	free(v);
	return 0;
}

static int handshake_end(void *state, struct report_run *run)
{
	struct handshake *s = state;
	struct out *o = run->out;
	size_t n;

	if (s->summary)
		return summarize(s, run);
	qsort(s->rows, s->nrows, sizeof(*s->rows), by_syn_time);
	n = s->first && s->nrows > 1 ? 1 : s->nrows;
	out_begin(o, cols, sizeof(cols) / sizeof(cols[0]), run->label);
	for (size_t i = 0; i < n; i++)
		put_row(s, o, &s->rows[i]);
	out_end(o);
	return 0;
}

const struct report report_handshake = {
	.name = "handshake",
	.summary = "SYN to SYN-ACK times: slow, first slow, unanswered, per server",
	.help =
"Lists connections whose server took longer than a threshold to answer the\n"
"client's SYN, in the order of the SYNs (default: every connection with a\n"
"SYN and a SYN-ACK).  The time is from the client's first SYN to the\n"
"server's first SYN-ACK, so a SYN that was lost and sent again counts with\n"
"the client's wait for the retransmission (see syn_retrans).\n"
"\n"
"Options:\n"
"  --over DURATION     only handshakes that took longer (300ms, 1.5s, 2)\n"
"  --first             only the first such connection (by SYN time)\n"
"  --retransmitted     only connections whose SYN was sent more than once\n"
"  --unanswered        instead: connections with a SYN and no SYN-ACK\n"
"                      (synack_frame and synack empty)\n"
"  --summary           instead: one row per server address and port over\n"
"                      the connections that would be listed\n"
"  selectors, e.g. --server IP[:PORT] for one server:\n"
CONN_SEL_HELP
"\n"
"Columns:\n"
"  stream, client, cport, server, sport   the connection (as in `conns`)\n"
"  syn_frame      the client's first SYN\n"
"  synack_frame   the server's first SYN-ACK\n"
"  syn_time       time of the first SYN (ISO 8601, UTC unless --local)\n"
"  syn_rel        the same, seconds from the capture's first frame\n"
"  synack         seconds from the first SYN to the first SYN-ACK\n"
"  syn_retrans    SYNs the client sent after the first\n"
"\n"
"Columns with --summary: server, sport, count, median, p95, p99, max\n"
"  (of synack, in seconds; percentiles by nearest rank)\n",
	.options = options,
	.create = handshake_create,
	.option = handshake_option,
	.check = handshake_check,
	.begin = handshake_begin,
	.conn = handshake_conn,
	.end = handshake_end,
	.destroy = handshake_destroy,
};
