/*
 * conns.c - one row per connection, in stream order, with a selector:
 * endpoints, times, end state, counts, handshake times, ack RTTs and the
 * TCP analysis counts, all from the connection records alone (no packet
 * is read).
 */
#include <stdlib.h>

#include "report.h"
#include "rutil.h"

struct conns {
	struct conn_sel sel;
	int64_t t0;		/* capture's first frame */
};

static const int cols[] = {
	F_CONNS_stream, F_CONNS_client, F_CONNS_cport, F_CONNS_server,
	F_CONNS_sport, F_CONNS_start, F_CONNS_rel_start, F_CONNS_duration,
	F_CONNS_state, F_CONNS_c2s_pkts, F_CONNS_s2c_pkts, F_CONNS_c2s_bytes,
	F_CONNS_s2c_bytes, F_CONNS_synack, F_CONNS_first_frame,
	F_CONNS_last_frame, F_CONNS_conn_state, F_CONNS_history,
	F_CONNS_ackrtt, F_CONNS_rtt_min, F_CONNS_rtt_med, F_CONNS_rtt_max,
	F_CONNS_retrans_c2s, F_CONNS_retrans_s2c, F_CONNS_dupack_c2s,
	F_CONNS_dupack_s2c, F_CONNS_zerowin_c2s, F_CONNS_zerowin_s2c,
	F_CONNS_rst_by, F_CONNS_rst_frame,
};

static const struct query_spec spec = {
	.table = TBL_CONNS, .cols = cols,
	.ncols = sizeof(cols) / sizeof(cols[0]),
	.records = true, .order = NULL, .time_field = F_CONNS_start,
};

static const struct option options[] = {
	CONN_SEL_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static void *conns_create(void)
{
	struct conns *s = calloc(1, sizeof(*s));
	if (s)
		conn_sel_init(&s->sel);
	return s;
}

static int conns_option(void *state, int code, const char *arg, struct err *e)
{
	struct conns *s = state;
	return conn_sel_option(&s->sel, code, arg, e) ? ERR_USAGE : 0;
}

static const struct query_spec *conns_spec(void *state)
{
	(void)state;
	return &spec;
}

static int conns_begin(void *state, struct report_run *run)
{
	struct conns *s = state;

	s->t0 = run->meta->f.first_ts;
	return query_begin(run->q, run->label, run->err);
}

static int conns_conn(void *state, struct report_run *run,
		      const struct cache_conn *c)
{
	struct conns *s = state;
	struct field_row r = { .conn = c, .t0 = s->t0 };

	if (!conn_sel_match(&s->sel, c, s->t0))
		return 0;
	return query_row(run->q, &r, run->err);
}

static int conns_end(void *state, struct report_run *run)
{
	(void)state;
	return query_end(run->q, run->err);
}

const struct report report_conns = {
	.name = "conns",
	.summary = "one row per TCP connection: endpoints, times, state, counts",
	.help =
"Options:\n"
CONN_SEL_HELP
,
	.options = options,
	.create = conns_create,
	.option = conns_option,
	.spec = conns_spec,
	.begin = conns_begin,
	.conn = conns_conn,
	.end = conns_end,
	.destroy = free,
};
