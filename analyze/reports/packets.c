/*
 * packets.c - one row per TCP packet, in frame order, for all or selected
 * connections.  One stream is read through the cache's index; any other
 * selection marks the matching streams first, then scans in frame order.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "rutil.h"

struct packets {
	struct conn_sel sel;
	bool any_sel;
	uint8_t *want;		/* per stream: selected */
	uint32_t nwant;
	struct cache_conn *conns;	/* per stream, when the query needs them */
	int64_t t0;
};

static const int cols[] = {
	F_PACKETS_frame, F_PACKETS_stream, F_PACKETS_time, F_PACKETS_rel,
	F_PACKETS_dir, F_PACKETS_flags, F_PACKETS_seq, F_PACKETS_ack,
	F_PACKETS_len, F_PACKETS_win, F_PACKETS_win_raw, F_PACKETS_analysis,
	F_PACKETS_ack_rtt, F_PACKETS_dupack,
};

static const struct query_spec spec = {
	.table = TBL_PACKETS, .cols = cols,
	.ncols = sizeof(cols) / sizeof(cols[0]),
	.records = true, .order = NULL, .time_field = F_PACKETS_frame,
};

static const struct option options[] = {
	CONN_SEL_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static void *packets_create(void)
{
	struct packets *s = calloc(1, sizeof(*s));
	if (s)
		conn_sel_init(&s->sel);
	return s;
}

static void packets_destroy(void *state)
{
	struct packets *s = state;
	if (s) {
		free(s->want);
		free(s->conns);
	}
	free(s);
}

static int packets_option(void *state, int code, const char *arg, struct err *e)
{
	struct packets *s = state;
	s->any_sel = true;
	return conn_sel_option(&s->sel, code, arg, e) ? ERR_USAGE : 0;
}

static const struct query_spec *packets_spec(void *state)
{
	(void)state;
	return &spec;
}

/*
 * Packet p's row (with its connection, when the query needs it); false
 * when the connection selection leaves p out.  arg: run, state, and the
 * one connection being read (or NULL).
 */
static bool row_of(void **arg, const struct cache_pkt *p, struct field_row *r)
{
	struct packets *s = arg[1];
	const struct cache_conn *c = arg[2];

	if (s->want && (p->stream >= s->nwant || !s->want[p->stream]))
		return false;
	if (s->conns && p->stream < s->nwant)
		c = &s->conns[p->stream];
	*r = (struct field_row){ .pkt = p, .conn = c, .t0 = s->t0 };
	return true;
}

static int emit(void *arg, const struct cache_pkt *p)
{
	struct report_run *run = ((void **)arg)[0];
	struct field_row r;

	return row_of(arg, p, &r) ? query_row(run->q, &r, run->err) : 0;
}

/* The scan's test before a record is decoded whole: the selection and
 * --where (see cache_pkts_scan). */
static bool keep(void *arg, const struct cache_pkt *p)
{
	struct report_run *run = ((void **)arg)[0];
	struct field_row r;

	return row_of(arg, p, &r) && query_where(run->q, &r);
}

static int mark(void *arg, const struct cache_conn *c)
{
	struct packets *s = arg;

	if (c->stream >= s->nwant)
		return 0;
	if (s->want && conn_sel_match(&s->sel, c, s->t0))
		s->want[c->stream] = 1;
	if (s->conns)
		s->conns[c->stream] = *c;
	return 0;
}

static int packets_run(void *state, struct report_run *run)
{
	struct packets *s = state;
	struct cache_conn c;
	void *arg[3] = { run, s, NULL };
	struct cache_pkt_filter pf;
	int rc;

	s->t0 = run->meta->f.first_ts;
	if ((rc = query_begin(run->q, run->label, run->err)))
		return rc;
	free(s->want);
	free(s->conns);
	s->want = NULL;
	s->conns = NULL;
	if (conn_sel_is_one_stream(&s->sel)) {
		if ((rc = cache_conn_get(run->cache, (uint32_t)s->sel.stream, &c, run->err)))
			return rc;
		arg[2] = &c;
		if (conn_sel_match(&s->sel, &c, s->t0) &&
		    (rc = cache_conn_pkts(run->cache, &c, emit, arg, run->err)) < 0)
			return rc;
	} else {
		s->nwant = cache_nstreams(run->cache);
		if (s->any_sel && !(s->want = calloc(s->nwant ? s->nwant : 1, 1)))
			return err_set(run->err, ERR_NOMEM, NULL, "out of memory");
		if (query_needs_conn(run->q) &&
		    !(s->conns = calloc(s->nwant ? s->nwant : 1, sizeof(*s->conns))))
			return err_set(run->err, ERR_NOMEM, NULL, "out of memory");
		if ((s->want || s->conns) &&
		    (rc = cache_conns_each(run->cache, mark, s, run->err)))
			return rc;
		pf.need = query_pkt_reads(run->q);
		if (s->want || s->conns)
			pf.need |= PKT_BIT(stream);
		pf.keep = keep;
		pf.arg = arg;
		if ((rc = cache_pkts_scan(run->cache, pf.need ? &pf : NULL,
					  emit, arg, run->err)) < 0)
			return rc;
	}
	return query_end(run->q, run->err);
}

const struct report report_packets = {
	.name = "packets",
	.summary = "one row per TCP packet, in frame order",
	.help =
"Options (select connections; default all):\n"
CONN_SEL_HELP
,
	.options = options,
	.create = packets_create,
	.option = packets_option,
	.spec = packets_spec,
	.run = packets_run,
	.destroy = packets_destroy,
};
