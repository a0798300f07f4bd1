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
	int64_t t0;
};

static const struct out_col cols[] = {
	{ "frame", OUT_T_NUM }, { "stream", OUT_T_NUM },
	{ "time", OUT_T_TIME }, { "rel", OUT_T_SECS },
	{ "dir", OUT_T_STR },   { "flags", OUT_T_STR },
	{ "seq", OUT_T_NUM },   { "ack", OUT_T_NUM },
	{ "len", OUT_T_NUM },   { "win", OUT_T_NUM },
	{ "win_raw", OUT_T_NUM },
	{ "analysis", OUT_T_STR }, { "ack_rtt", OUT_T_SECS },
	{ "dupack", OUT_T_NUM },
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
	if (s)
		free(s->want);
	free(s);
}

static int packets_option(void *state, int code, const char *arg, struct err *e)
{
	struct packets *s = state;
	s->any_sel = true;
	return conn_sel_option(&s->sel, code, arg, e) ? ERR_USAGE : 0;
}

static int emit(void *arg, const struct cache_pkt *p)
{
	struct report_run *run = ((void **)arg)[0];
	struct packets *s = ((void **)arg)[1];
	struct out *o = run->out;
	char fl[10], an[256];

	if (s->want && (p->stream >= s->nwant || !s->want[p->stream]))
		return 0;
	out_uint(o, p->frame);
	out_uint(o, p->stream);
	out_time(o, p->ts);
	out_secs(o, p->ts - s->t0);
	out_str(o, p->dir ? "s2c" : "c2s");
	tcpflags_str(fl, p->flags);
	out_str(o, fl);
	out_uint(o, p->seq);
	out_uint(o, p->ack);
	out_uint(o, p->len);
	out_uint(o, p->win);
	out_uint(o, p->win_raw);
	out_str(o, analysis_str(an, sizeof(an), p->analysis));
	if (p->acked_frame && p->ack_rtt)	/* as Wireshark shows it */
		out_secs(o, p->ack_rtt);
	else
		out_null(o);
	if (p->dupack_num)
		out_uint(o, p->dupack_num);
	else
		out_null(o);
	out_row_end(o);
	return 0;
}

static int mark(void *arg, const struct cache_conn *c)
{
	struct packets *s = arg;

	if (c->stream < s->nwant && conn_sel_match(&s->sel, c, s->t0))
		s->want[c->stream] = 1;
	return 0;
}

static int packets_run(void *state, struct report_run *run)
{
	struct packets *s = state;
	void *arg[2] = { run, s };
	int rc;

	s->t0 = run->meta->f.first_ts;
	out_begin(run->out, cols, sizeof(cols) / sizeof(cols[0]), run->label);
	free(s->want);
	s->want = NULL;
	if (conn_sel_is_one_stream(&s->sel)) {
		struct cache_conn c;
		if ((rc = cache_conn_get(run->cache, (uint32_t)s->sel.stream, &c, run->err)))
			return rc;
		if (conn_sel_match(&s->sel, &c, s->t0) &&
		    (rc = cache_conn_pkts(run->cache, &c, emit, arg, run->err)))
			return rc;
	} else {
		if (s->any_sel) {
			s->nwant = cache_nstreams(run->cache);
			s->want = calloc(s->nwant ? s->nwant : 1, 1);
			if (!s->want)
				return err_set(run->err, ERR_NOMEM, NULL, "out of memory");
			if ((rc = cache_conns_each(run->cache, mark, s, run->err)))
				return rc;
		}
		if ((rc = cache_pkts_each(run->cache, emit, arg, run->err)))
			return rc;
	}
	out_end(run->out);
	return 0;
}

const struct report report_packets = {
	.name = "packets",
	.summary = "one row per TCP packet, in frame order",
	.help =
"Options (select connections; default all):\n"
CONN_SEL_HELP
"\n"
"Columns (Wireshark field in brackets):\n"
"  frame    frame number [frame.number]\n"
"  stream   connection number [tcp.stream]\n"
"  time     capture time, ISO 8601 (UTC unless --local) [frame.time]\n"
"  rel      seconds since the capture's first frame [frame.time_relative]\n"
"  dir      c2s (client to server) or s2c\n"
"  flags    TCP flags as letters, in the order F S R P A U E C N:\n"
"           S, SA, A, PA, FA, R, RA ... [tcp.flags]\n"
"  seq, ack relative sequence and acknowledgment numbers [tcp.seq, tcp.ack]\n"
"  len      TCP payload bytes [tcp.len]\n"
"  win      calculated window, bytes [tcp.window_size]\n"
"  win_raw  window field as sent [tcp.window_size_value]\n"
"  analysis TCP analysis flags joined by '+', empty when none [tcp.analysis.*]:\n"
"           retransmission (also with fast_ and spurious_retransmission),\n"
"           fast_retransmission, spurious_retransmission, out_of_order,\n"
"           lost_segment, ack_lost_segment, duplicate_ack, zero_window,\n"
"           zero_window_probe, zero_window_probe_ack, window_full,\n"
"           window_update, keep_alive, keep_alive_ack, reused_ports\n"
"  ack_rtt  seconds from the segment this ACKs to this ACK [tcp.analysis.ack_rtt]\n"
"  dupack   a duplicate ACK's number [tcp.analysis.duplicate_ack_num]\n",
	.options = options,
	.create = packets_create,
	.option = packets_option,
	.run = packets_run,
	.destroy = packets_destroy,
};
