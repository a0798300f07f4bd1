/*
 * health.c - connections ranked by trouble: retransmissions, duplicate
 * ACKs, zero windows and round-trip time folded into one score; or the
 * same per server.
 *
 * Reads only connection records (the analysis counts and the median ack
 * RTT the cache keeps per connection), one pass through the conn hook,
 * then sorts.  The score is a plain sum so a reader can redo it by hand;
 * it ranks, it does not diagnose.
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "report.h"
#include "rutil.h"

/* What a row needs of one connection. */
struct hl_row {
	uint32_t stream;
	uint8_t ipver;
	uint16_t sport;
	struct addr16 client, server;
	uint64_t pkts;		/* both directions */
	uint64_t retrans, dupacks, zerowin;	/* packets flagged */
	bool has_rtt;
	int64_t rtt_med;	/* ns */
	int64_t score;		/* hundredths */
};

struct health {
	struct conn_sel sel;
	uint64_t top;		/* 0 = all */
	bool by_server;
	int64_t t0;
	struct hl_row *rows;
	size_t nrows, caprows;
};

enum { OPT_TOP = 1, OPT_BY_SERVER };

static const struct option options[] = {
	CONN_SEL_LONGOPTS,
	{ "top", required_argument, NULL, OPT_TOP },
	{ "by-server", no_argument, NULL, OPT_BY_SERVER },
	{ NULL, 0, NULL, 0 },
};

static const struct out_col cols[] = {
	{ "stream", OUT_T_NUM },  { "client", OUT_T_STR },
	{ "server", OUT_T_STR },  { "sport", OUT_T_NUM },
	{ "pkts", OUT_T_NUM },    { "retrans", OUT_T_NUM },
	{ "retrans_pct", OUT_T_NUM }, { "dupacks", OUT_T_NUM },
	{ "zerowin", OUT_T_NUM }, { "rtt_med", OUT_T_SECS },
	{ "score", OUT_T_NUM },
};

static const struct out_col srv_cols[] = {
	{ "server", OUT_T_STR },  { "sport", OUT_T_NUM },
	{ "conns", OUT_T_NUM },   { "pkts", OUT_T_NUM },
	{ "retrans", OUT_T_NUM }, { "retrans_pct", OUT_T_NUM },
	{ "dupacks", OUT_T_NUM }, { "zerowin", OUT_T_NUM },
	{ "zerowin_conns", OUT_T_NUM }, { "rtt_med", OUT_T_SECS },
};

static void *health_create(void)
{
	struct health *s = calloc(1, sizeof(*s));

	if (s) {
		conn_sel_init(&s->sel);
		s->top = 20;
	}
	return s;
}

static void health_destroy(void *state)
{
	struct health *s = state;
	if (s)
		free(s->rows);
	free(s);
}

static int health_option(void *state, int code, const char *arg,
			 struct err *e)
{
	struct health *s = state;
	char *end;

	switch (code) {
	case OPT_TOP:
		s->top = strtoull(arg, &end, 10);
		if (!*arg || *end || *arg == '-')
			return err_set(e, ERR_USAGE, NULL, "--top takes a number of connections (0 = all), not '%s'", arg);
		return 0;
	case OPT_BY_SERVER:
		s->by_server = true;
		return 0;
	}
	return conn_sel_option(&s->sel, code, arg, e) ? ERR_USAGE : 0;
}

static int health_begin(void *state, struct report_run *run)
{
	struct health *s = state;

	s->t0 = run->meta->f.first_ts;
	s->nrows = 0;
	return 0;
}

/* Hundredths of a percent of part in whole (0 when whole is 0). */
static int64_t pct100(uint64_t part, uint64_t whole)
{
	return whole ? (int64_t)(part * 10000 / whole) : 0;
}

static int health_conn(void *state, struct report_run *run,
		       const struct cache_conn *c)
{
	struct health *s = state;
	struct hl_row *r;
	uint64_t zw;
	int rc;

	if (!conn_sel_match(&s->sel, c, s->t0))
		return 0;
	if ((rc = rutil_grow((void **)&s->rows, &s->caprows, s->nrows + 1,
			     sizeof(*s->rows), run->err)))
		return rc;
	r = &s->rows[s->nrows++];
	r->stream = c->stream;
	r->ipver = c->ipver;
	r->sport = c->sport;
	r->client = c->client;
	r->server = c->server;
	r->pkts = c->pkts_c2s + c->pkts_s2c;
	r->retrans = (uint64_t)c->n_retransmission_c2s + c->n_retransmission_s2c;
	r->dupacks = (uint64_t)c->n_duplicate_ack_c2s + c->n_duplicate_ack_s2c;
	r->zerowin = (uint64_t)c->n_zero_window_c2s + c->n_zero_window_s2c;
	r->has_rtt = c->rtt_n_c2s || c->rtt_n_s2c;
	r->rtt_med = r->has_rtt ? c->rtt_med : 0;
	zw = r->zerowin < 25 ? r->zerowin : 25;
	r->score = pct100(r->retrans, r->pkts) + pct100(r->dupacks, r->pkts) / 2 +
		   (int64_t)zw * 200 + r->rtt_med / 1000000;
	return 0;
}

static int by_score(const void *a, const void *b)
{
	const struct hl_row *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return (x->stream > y->stream) - (x->stream < y->stream);
}

static int by_server_key(const void *a, const void *b)
{
	const struct hl_row *x = a, *y = b;
	int d = rutil_server_cmp(x->ipver, &x->server, x->sport,
				 y->ipver, &y->server, y->sport);

	if (d)
		return d;
	return (x->stream > y->stream) - (x->stream < y->stream);
}

static int per_server(struct health *s, struct report_run *run)
{
	struct out *o = run->out;
	int64_t *v = malloc((s->nrows ? s->nrows : 1) * sizeof(*v));
	size_t i, j;

	if (!v)
		return err_set(run->err, ERR_NOMEM, NULL, "out of memory");
	qsort(s->rows, s->nrows, sizeof(*s->rows), by_server_key);
	out_begin(o, srv_cols, sizeof(srv_cols) / sizeof(srv_cols[0]), run->label);
	for (i = 0; i < s->nrows; i = j) {
		const struct hl_row *r = &s->rows[i];
		uint64_t pkts = 0, re = 0, du = 0, zw = 0, zwc = 0;
		size_t nrtt = 0;

		for (j = i; j < s->nrows &&
		     !rutil_server_cmp(s->rows[j].ipver, &s->rows[j].server, s->rows[j].sport,
				       r->ipver, &r->server, r->sport); j++) {
			const struct hl_row *q = &s->rows[j];

			pkts += q->pkts;
			re += q->retrans;
			du += q->dupacks;
			zw += q->zerowin;
			zwc += q->zerowin > 0;
			if (q->has_rtt)
				v[nrtt++] = q->rtt_med;
		}
		rutil_out_addr(o, &r->server, r->ipver);
		out_uint(o, r->sport);
		out_uint(o, j - i);
		out_uint(o, pkts);
		out_uint(o, re);
		rutil_out_fixed(o, pct100(re, pkts), 2);
		out_uint(o, du);
		out_uint(o, zw);
		out_uint(o, zwc);
		if (nrtt) {
			rutil_sort_i64(v, nrtt);
			out_secs(o, rutil_percentile(v, nrtt, 50));
		} else {
			out_null(o);
		}
		out_row_end(o);
	}
	out_end(o);
	free(v);
	return 0;
}

static int health_end(void *state, struct report_run *run)
{
	struct health *s = state;
	struct out *o = run->out;
	size_t n = s->nrows;

	if (s->by_server)
		return per_server(s, run);
	qsort(s->rows, s->nrows, sizeof(*s->rows), by_score);
	if (s->top && s->top < n)
		n = s->top;
	out_begin(o, cols, sizeof(cols) / sizeof(cols[0]), run->label);
	for (size_t i = 0; i < n; i++) {
		const struct hl_row *r = &s->rows[i];

		out_uint(o, r->stream);
		rutil_out_addr(o, &r->client, r->ipver);
		rutil_out_addr(o, &r->server, r->ipver);
		out_uint(o, r->sport);
		out_uint(o, r->pkts);
		out_uint(o, r->retrans);
		rutil_out_fixed(o, pct100(r->retrans, r->pkts), 2);
		out_uint(o, r->dupacks);
		out_uint(o, r->zerowin);
		if (r->has_rtt)
			out_secs(o, r->rtt_med);
		else
			out_null(o);
		rutil_out_fixed(o, r->score, 2);
		out_row_end(o);
	}
	out_end(o);
	return 0;
}

const struct report report_health = {
	.name = "health",
	.summary = "connections ranked by trouble: retransmissions, dup ACKs, RTT",
	.help =
"Ranks connections by a trouble score, highest first (ties by stream):\n"
"\n"
"  score = retrans_pct + dupack_pct / 2 + 2 * min(zerowin, 25)\n"
"          + rtt_med in milliseconds / 100\n"
"\n"
"where dupack_pct is 100 * dupacks / pkts.  So 1% of packets retransmitted\n"
"weighs as much as 2% duplicate ACKs, half a zero-window packet, or 100 ms\n"
"of median RTT.\n"
"\n"
"Options:\n"
"  --top N             the N highest (default 20; 0 = all)\n"
"  --by-server         instead: one row per server address and port, in\n"
"                      address order\n"
CONN_SEL_HELP
"\n"
"Columns:\n"
"  stream, client, server, sport   the connection (as in `conns`)\n"
"  pkts         packets, both directions\n"
"  retrans      packets flagged as retransmissions (fast and spurious\n"
"               included), both directions\n"
"  retrans_pct  100 * retrans / pkts, two decimals\n"
"  dupacks      packets flagged as duplicate ACKs\n"
"  zerowin      packets flagged as zero window\n"
"  rtt_med      median ack RTT of both directions, seconds; empty when no\n"
"               ACK acknowledged data\n"
"  score        as above, two decimals\n"
"\n"
"Columns with --by-server: server, sport, conns, pkts, retrans,\n"
"retrans_pct, dupacks, zerowin (sums over the connections),\n"
"zerowin_conns (connections with a zero window), rtt_med (median of the\n"
"connections' rtt_med, nearest rank)\n",
	.options = options,
	.create = health_create,
	.option = health_option,
	.begin = health_begin,
	.conn = health_conn,
	.end = health_end,
	.destroy = health_destroy,
};
