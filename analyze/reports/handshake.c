/*
 * handshake.c - how long servers took to answer SYNs: the connections
 * whose first SYN to first SYN-ACK time exceeds a threshold, in SYN time
 * order; or those never answered; or, per server, the distribution of
 * that time.
 *
 * Reads only connection records (one pass through the conn hook).  The
 * connection rows go straight to the query, whose default order is the
 * SYN's time (so --first is the first slow SYN even when stream order
 * differs); the summary keeps a small row per connection and groups them
 * at the end.  One result set per cache and format: the summary is a mode
 * of its own (--summary), not a second table.
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "report.h"
#include "rutil.h"
#include "timefmt.h"

/* What the summary needs of one connection. */
struct hs_row {
	struct rutil_server srv;	/* first: rutil_server_order */
	int64_t synack;		/* ns, first SYN to first SYN-ACK */
};

/* One summary row, for the query's getter. */
struct hs_server {
	const struct rutil_server *srv;
	size_t n;
	const int64_t *v;	/* the n synack times, ascending */
};

struct handshake {
	struct conn_sel sel;
	bool has_over;
	int64_t over;		/* ns: list only synack > over */
	bool unanswered, retransmitted, summary;
	struct hs_row *rows;
	size_t nrows, caprows;
	int64_t t0;		/* capture's first frame, ns */
};

enum { OPT_OVER = 1, OPT_UNANSWERED, OPT_RETRANSMITTED, OPT_SUMMARY };

static const struct option options[] = {
	CONN_SEL_LONGOPTS,
	{ "over", required_argument, NULL, OPT_OVER },
	{ "unanswered", no_argument, NULL, OPT_UNANSWERED },
	{ "retransmitted", no_argument, NULL, OPT_RETRANSMITTED },
	{ "summary", no_argument, NULL, OPT_SUMMARY },
	{ NULL, 0, NULL, 0 },
};

static const int cols[] = {
	F_CONNS_stream, F_CONNS_client, F_CONNS_cport, F_CONNS_server,
	F_CONNS_sport, F_CONNS_syn_frame, F_CONNS_synack_frame,
	F_CONNS_syn_time, F_CONNS_syn_rel, F_CONNS_synack, F_CONNS_syn_retrans,
};

static const int sum_cols[] = {
	F_SERVERS_server, F_SERVERS_sport, F_SERVERS_conns,
	F_SERVERS_synack_med, F_SERVERS_synack_p95, F_SERVERS_synack_p99,
	F_SERVERS_synack_max,
};

static const struct query_spec spec = {
	.table = TBL_CONNS, .cols = cols,
	.ncols = sizeof(cols) / sizeof(cols[0]),
	.records = true, .order = "syn_time,stream", .time_field = F_CONNS_syn_time,
};

static const struct query_spec sum_spec = {
	.table = TBL_SERVERS, .cols = sum_cols,
	.ncols = sizeof(sum_cols) / sizeof(sum_cols[0]),
	.records = false, .order = NULL, .time_field = -1,
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
	return 0;
}

static const struct query_spec *handshake_spec(void *state)
{
	struct handshake *s = state;
	return s->summary ? &sum_spec : &spec;
}

static int handshake_begin(void *state, struct report_run *run)
{
	struct handshake *s = state;

	s->nrows = 0;
	s->t0 = run->meta->f.first_ts;
	return s->summary ? 0 : query_begin(run->q, run->label, run->err);
}

static int handshake_conn(void *state, struct report_run *run,
			  const struct cache_conn *c)
{
	struct handshake *s = state;
	struct hs_row *r;
	int64_t synack;
	int rc;

	if (!c->syn_frame || !conn_sel_match(&s->sel, c, s->t0))
		return 0;
	if (s->unanswered ? c->synack_frame != 0 : c->synack_frame == 0)
		return 0;
	if (s->retransmitted && !c->syn_retrans)
		return 0;
	field_conn_int(c, F_CONNS_synack, &synack);
	if (s->has_over && synack <= s->over)
		return 0;
	if (!s->summary) {
		struct field_row fr = { .conn = c, .t0 = s->t0 };
		rc = query_row(run->q, &fr, run->err);
		return rc < 0 ? rc : 0;
	}
	if ((rc = rutil_grow((void **)&s->rows, &s->caprows, s->nrows + 1,
			     sizeof(*s->rows), run->err)))
		return rc;
	r = &s->rows[s->nrows++];
	r->srv = rutil_server_of(c);
	r->synack = synack;
	return 0;
}

static bool server_get(const void *xrow, int id, struct filter_value *v)
{
	const struct hs_server *g = xrow;

	switch (id) {
	case F_SERVERS_conns: v->i = (int64_t)g->n; return true;
	case F_SERVERS_synack_med: v->i = rutil_percentile(g->v, g->n, 50); return true;
	case F_SERVERS_synack_p95: v->i = rutil_percentile(g->v, g->n, 95); return true;
	case F_SERVERS_synack_p99: v->i = rutil_percentile(g->v, g->n, 99); return true;
	case F_SERVERS_synack_max: v->i = g->v[g->n - 1]; return true;
	}
	return rutil_server_get(g->srv, id, v);
}

static int summarize(struct handshake *s, struct report_run *run)
{
	int64_t *v = malloc((s->nrows ? s->nrows : 1) * sizeof(*v));
	size_t i, j;
	int rc;

	if (!v)
		return err_set(run->err, ERR_NOMEM, NULL, "out of memory");
	if ((rc = query_begin(run->q, run->label, run->err))) {
		free(v);
		return rc;
	}
	qsort(s->rows, s->nrows, sizeof(*s->rows), rutil_server_order);
	for (i = 0; i < s->nrows; i = j) {
		struct hs_server g = { &s->rows[i].srv, 0, v };
		struct field_row fr = { .xget = server_get, .xrow = &g };

		j = rutil_server_group_end(s->rows, s->nrows, sizeof(*s->rows), i);
		for (size_t k = i; k < j; k++)
			v[g.n++] = s->rows[k].synack;
		rutil_sort_i64(v, g.n);
		if ((rc = query_row(run->q, &fr, run->err)) < 0)
			break;
	}
	free(v);
	return rc < 0 ? rc : query_end(run->q, run->err);
}

static int handshake_end(void *state, struct report_run *run)
{
	struct handshake *s = state;

	if (s->summary)
		return summarize(s, run);
	return query_end(run->q, run->err);
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
"  --retransmitted     only connections whose SYN was sent more than once\n"
"  --unanswered        instead: connections with a SYN and no SYN-ACK\n"
"                      (synack_frame and synack empty)\n"
"  --summary           instead: one row per server address and port over\n"
"                      the connections that would be listed\n"
"  selectors, e.g. --server IP[:PORT] for one server:\n"
CONN_SEL_HELP
"\n"
"--first (a row option) gives the first such connection by SYN time.\n",
	.options = options,
	.create = handshake_create,
	.option = handshake_option,
	.check = handshake_check,
	.spec = handshake_spec,
	.begin = handshake_begin,
	.conn = handshake_conn,
	.end = handshake_end,
	.destroy = handshake_destroy,
};
