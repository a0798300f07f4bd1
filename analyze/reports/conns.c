/*
 * conns.c - one row per connection, in stream order, with a selector:
 * endpoints, times, end state, counts, handshake times, ack RTTs and the
 * TCP analysis counts, all from the connection records alone (no packet
 * is read).
 */
#include <stdlib.h>

#include "addr.h"
#include "report.h"
#include "rutil.h"

struct conns {
	struct conn_sel sel;
	int64_t t0;		/* capture's first frame */
};

static const struct out_col cols[] = {
	{ "stream", OUT_T_NUM },     { "client", OUT_T_STR },
	{ "cport", OUT_T_NUM },      { "server", OUT_T_STR },
	{ "sport", OUT_T_NUM },      { "start", OUT_T_TIME },
	{ "rel_start", OUT_T_SECS }, { "duration", OUT_T_SECS },
	{ "state", OUT_T_STR },      { "c2s_pkts", OUT_T_NUM },
	{ "s2c_pkts", OUT_T_NUM },   { "c2s_bytes", OUT_T_NUM },
	{ "s2c_bytes", OUT_T_NUM },  { "synack", OUT_T_SECS },
	{ "first_frame", OUT_T_NUM }, { "last_frame", OUT_T_NUM },
	{ "conn_state", OUT_T_STR }, { "history", OUT_T_STR },
	{ "ackrtt", OUT_T_SECS },    { "rtt_min", OUT_T_SECS },
	{ "rtt_med", OUT_T_SECS },   { "rtt_max", OUT_T_SECS },
	{ "retrans_c2s", OUT_T_NUM }, { "retrans_s2c", OUT_T_NUM },
	{ "dupack_c2s", OUT_T_NUM }, { "dupack_s2c", OUT_T_NUM },
	{ "zerowin_c2s", OUT_T_NUM }, { "zerowin_s2c", OUT_T_NUM },
	{ "rst_by", OUT_T_STR },     { "rst_frame", OUT_T_NUM },
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

static int conns_begin(void *state, struct report_run *run)
{
	struct conns *s = state;

	s->t0 = run->meta->f.first_ts;
	return out_begin(run->out, cols, sizeof(cols) / sizeof(cols[0]), run->label);
}

static int conns_conn(void *state, struct report_run *run,
		      const struct cache_conn *c)
{
	struct conns *s = state;
	struct out *o = run->out;
	const char *zs = rutil_zeek_state(c);
	char a[ADDR_STR_MAX];
	int64_t rtt;

	if (!conn_sel_match(&s->sel, c, s->t0))
		return 0;
	out_uint(o, c->stream);
	addr_format(a, sizeof(a), &c->client, c->ipver);
	out_str(o, a);
	out_uint(o, c->cport);
	addr_format(a, sizeof(a), &c->server, c->ipver);
	out_str(o, a);
	out_uint(o, c->sport);
	out_time(o, c->first_ts);
	out_secs(o, c->first_ts - s->t0);
	out_secs(o, c->last_ts - c->first_ts);
	out_str(o, conn_state_name(c));
	out_uint(o, c->pkts_c2s);
	out_uint(o, c->pkts_s2c);
	out_uint(o, c->bytes_c2s);
	out_uint(o, c->bytes_s2c);
	if (c->syn_frame && c->synack_frame)
		out_secs(o, c->synack_ts - c->syn_ts);
	else
		out_null(o);
	out_uint(o, c->first_frame);
	out_uint(o, c->last_frame);
	out_str(o, zs ? zs : "");
	out_str(o, c->history.s);
	if (c->synack_frame && c->ack_frame)
		out_secs(o, c->ack_ts - c->synack_ts);
	else
		out_null(o);
	if (rutil_rtt_min(c, &rtt))
		out_secs(o, rtt);
	else
		out_null(o);
	if (c->rtt_n_c2s || c->rtt_n_s2c)
		out_secs(o, c->rtt_med);
	else
		out_null(o);
	if (rutil_rtt_max(c, &rtt))
		out_secs(o, rtt);
	else
		out_null(o);
	out_uint(o, c->n_retransmission_c2s);
	out_uint(o, c->n_retransmission_s2c);
	out_uint(o, c->n_duplicate_ack_c2s);
	out_uint(o, c->n_duplicate_ack_s2c);
	out_uint(o, c->n_zero_window_c2s);
	out_uint(o, c->n_zero_window_s2c);
	out_str(o, c->rst_by == 1 ? "client" : c->rst_by == 2 ? "server" : "");
	if (c->rst_frame)
		out_uint(o, c->rst_frame);
	else
		out_null(o);
	out_row_end(o);
	return 0;
}

static int conns_end(void *state, struct report_run *run)
{
	(void)state;
	out_end(run->out);
	return 0;
}

const struct report report_conns = {
	.name = "conns",
	.summary = "one row per TCP connection: endpoints, times, state, counts",
	.help =
"Options:\n"
CONN_SEL_HELP
"\n"
"Columns:\n"
"  stream       connection number, as Wireshark's tcp.stream\n"
"  client, cport, server, sport\n"
"               endpoints; the client sent the SYN (see README for the rule\n"
"               when the handshake was not captured)\n"
"  start        time of the first packet (ISO 8601, UTC unless --local)\n"
"  rel_start    seconds from the capture's first frame\n"
"  duration     seconds from the first to the last packet\n"
"  state        open, fin (both ways), fin_client, fin_server, rst_client or\n"
"               rst_server (who sent the first RST)\n"
"  c2s_pkts, s2c_pkts, c2s_bytes, s2c_bytes\n"
"               packets and TCP payload bytes per direction\n"
"  synack       seconds from the client's first SYN to the server's first\n"
"               SYN-ACK; empty when either was not captured\n"
"  first_frame, last_frame   frame numbers, as Wireshark's frame.number\n"
"  conn_state   Zeek's conn.log conn_state (S0, S1, SF, REJ, S2, S3, RSTO,\n"
"               RSTR, RSTOS0, RSTRH, SH, SHR, OTH); empty when the cache does\n"
"               not carry it\n"
"  history      Zeek's conn.log history letters (upper case: the originator,\n"
"               which Zeek may choose differently from our client)\n"
"  ackrtt       seconds from the server's first SYN-ACK to the client's ACK\n"
"               completing the handshake; empty when either is missing\n"
"  rtt_min, rtt_med, rtt_max\n"
"               ack RTTs (tcp.analysis.ack_rtt) of both directions: the\n"
"               smallest, the median of all samples, the largest; empty when\n"
"               no ACK acknowledged data\n"
"  retrans_c2s, retrans_s2c\n"
"               packets flagged as retransmissions (fast and spurious ones\n"
"               included), sent by the client / by the server\n"
"  dupack_c2s, dupack_s2c     packets flagged as duplicate ACKs\n"
"  zerowin_c2s, zerowin_s2c   packets flagged as zero window (the sender's\n"
"               receive window was full)\n"
"  rst_by       who sent the first RST: client, server, or empty\n"
"  rst_frame    frame of the first RST; empty when none\n",
	.options = options,
	.create = conns_create,
	.option = conns_option,
	.begin = conns_begin,
	.conn = conns_conn,
	.end = conns_end,
	.destroy = free,
};
