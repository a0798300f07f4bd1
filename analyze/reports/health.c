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

/* What the per-server rows need of one connection: its conns fields. */
struct hl_row {
	struct rutil_server srv;	/* first: rutil_server_order */
	int64_t pkts, retrans, dupacks, zerowin;
	bool has_rtt;
	int64_t rtt_med;	/* ns */
};

/* One server's sums, for the query's getter. */
struct hl_server {
	const struct rutil_server *srv;
	int64_t conns, pkts, re, du, zw, zwc;
	bool has_rtt;
	int64_t rtt_med;
};

struct health {
	struct conn_sel sel;
	uint64_t top;		/* 0 = all */
	bool by_server;
	int64_t t0;
	struct hl_row *rows;
	size_t nrows, caprows;
	struct query_spec spec;	/* connections: limited to --top */
};

enum { OPT_TOP = 1, OPT_BY_SERVER };

static const struct option options[] = {
	CONN_SEL_LONGOPTS,
	{ "top", required_argument, NULL, OPT_TOP },
	{ "by-server", no_argument, NULL, OPT_BY_SERVER },
	{ NULL, 0, NULL, 0 },
};

static const int cols[] = {
	F_CONNS_stream, F_CONNS_client, F_CONNS_server, F_CONNS_sport,
	F_CONNS_pkts, F_CONNS_retrans, F_CONNS_retrans_pct, F_CONNS_dupacks,
	F_CONNS_zerowin, F_CONNS_rtt_med, F_CONNS_score,
};

static const int srv_cols[] = {
	F_SERVERS_server, F_SERVERS_sport, F_SERVERS_conns, F_SERVERS_pkts,
	F_SERVERS_retrans, F_SERVERS_retrans_pct, F_SERVERS_dupacks,
	F_SERVERS_zerowin, F_SERVERS_zerowin_conns, F_SERVERS_rtt_med,
};

static const struct query_spec srv_spec = {
	.table = TBL_SERVERS, .cols = srv_cols,
	.ncols = sizeof(srv_cols) / sizeof(srv_cols[0]),
	.records = false, .order = NULL, .time_field = -1,
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

static const struct query_spec *health_spec(void *state)
{
	struct health *s = state;

	if (s->by_server)
		return &srv_spec;
	s->spec = (struct query_spec){
		.table = TBL_CONNS, .cols = cols,
		.ncols = sizeof(cols) / sizeof(cols[0]),
		.records = true, .order = "-score,stream",
		.time_field = F_CONNS_start, .limit = s->top,
	};
	return &s->spec;
}

static int health_begin(void *state, struct report_run *run)
{
	struct health *s = state;

	s->t0 = run->meta->f.first_ts;
	s->nrows = 0;
	return s->by_server ? 0 : query_begin(run->q, run->label, run->err);
}

static int health_conn(void *state, struct report_run *run,
		       const struct cache_conn *c)
{
	struct health *s = state;
	struct hl_row *r;
	int rc;

	if (!conn_sel_match(&s->sel, c, s->t0))
		return 0;
	if (!s->by_server) {
		struct field_row fr = { .conn = c, .t0 = s->t0 };
		rc = query_row(run->q, &fr, run->err);
		return rc < 0 ? rc : 0;
	}
	if ((rc = rutil_grow((void **)&s->rows, &s->caprows, s->nrows + 1,
			     sizeof(*s->rows), run->err)))
		return rc;
	r = &s->rows[s->nrows++];
	r->srv = rutil_server_of(c);
	field_conn_int(c, F_CONNS_pkts, &r->pkts);
	field_conn_int(c, F_CONNS_retrans, &r->retrans);
	field_conn_int(c, F_CONNS_dupacks, &r->dupacks);
	field_conn_int(c, F_CONNS_zerowin, &r->zerowin);
	r->has_rtt = field_conn_int(c, F_CONNS_rtt_med, &r->rtt_med);
	return 0;
}

static bool server_get(const void *xrow, int id, struct filter_value *v)
{
	const struct hl_server *g = xrow;

	switch (id) {
	case F_SERVERS_conns: v->i = g->conns; return true;
	case F_SERVERS_pkts: v->i = g->pkts; return true;
	case F_SERVERS_retrans: v->i = g->re; return true;
	case F_SERVERS_retrans_pct: v->i = field_pct((uint64_t)g->re, (uint64_t)g->pkts); return true;
	case F_SERVERS_dupacks: v->i = g->du; return true;
	case F_SERVERS_zerowin: v->i = g->zw; return true;
	case F_SERVERS_zerowin_conns: v->i = g->zwc; return true;
	case F_SERVERS_rtt_med: v->i = g->rtt_med; return g->has_rtt;
	}
	return rutil_server_get(g->srv, id, v);
}

static int per_server(struct health *s, struct report_run *run)
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
		struct hl_server g = { .srv = &s->rows[i].srv };
		struct field_row fr = { .xget = server_get, .xrow = &g };
		size_t nrtt = 0;

		j = rutil_server_group_end(s->rows, s->nrows, sizeof(*s->rows), i);
		for (size_t k = i; k < j; k++) {
			const struct hl_row *q = &s->rows[k];

			g.pkts += q->pkts;
			g.re += q->retrans;
			g.du += q->dupacks;
			g.zw += q->zerowin;
			g.zwc += q->zerowin > 0;
			if (q->has_rtt)
				v[nrtt++] = q->rtt_med;
		}
		g.conns = (int64_t)(j - i);
		if ((g.has_rtt = nrtt > 0)) {
			rutil_sort_i64(v, nrtt);
			g.rtt_med = rutil_percentile(v, nrtt, 50);
		}
		if ((rc = query_row(run->q, &fr, run->err)) < 0)
			break;
	}
	free(v);
	return rc < 0 ? rc : query_end(run->q, run->err);
}

static int health_end(void *state, struct report_run *run)
{
	struct health *s = state;

	if (s->by_server)
		return per_server(s, run);
	return query_end(run->q, run->err);
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
,
	.options = options,
	.create = health_create,
	.option = health_option,
	.spec = health_spec,
	.begin = health_begin,
	.conn = health_conn,
	.end = health_end,
	.destroy = health_destroy,
};
