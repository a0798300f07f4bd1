/*
 * ladder.c - one connection as the arrow diagram network engineers draw:
 * client-to-server lines start with "-->", server-to-client lines are
 * indented and start with "<--".  Times are relative to the connection's
 * first packet.  After a line come Wireshark's notes on the packet
 * ("[TCP Retransmission]", "[TCP Dup ACK 412#2]" ...), from the analysis
 * flags stored in the cache.  --format csv/json give the same packets as
 * rows, with the flags and the ACK RTT as columns.
 */
#include <stdio.h>
#include <stdlib.h>

#include "addr.h"
#include "report.h"
#include "rutil.h"
#include "timefmt.h"

struct ladder {
	struct conn_sel sel;
	struct cache_conn c;
};

static const struct out_col cols[] = {
	{ "frame", OUT_T_NUM }, { "rel", OUT_T_SECS },
	{ "dir", OUT_T_STR },   { "flags", OUT_T_STR },
	{ "seq", OUT_T_NUM },   { "ack", OUT_T_NUM },
	{ "len", OUT_T_NUM },   { "win", OUT_T_NUM },
	{ "analysis", OUT_T_STR }, { "ack_rtt", OUT_T_SECS },
};

static const struct option options[] = {
	CONN_SEL_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static void *ladder_create(void)
{
	struct ladder *s = calloc(1, sizeof(*s));
	if (s)
		conn_sel_init(&s->sel);
	return s;
}

static int ladder_option(void *state, int code, const char *arg, struct err *e)
{
	struct ladder *s = state;
	return conn_sel_option(&s->sel, code, arg, e) ? ERR_USAGE : 0;
}

static int ladder_check(void *state, struct err *e)
{
	struct ladder *s = state;

	if (s->sel.stream < 0 && !s->sel.has_client && !s->sel.has_server)
		return err_set(e, ERR_USAGE, NULL,
			       "ladder needs a connection: --stream N, or --client IP:PORT --server IP:PORT");
	return 0;
}

static int find_first(void *arg, const struct cache_conn *c)
{
	struct ladder *s = arg;

	if (!conn_sel_match(&s->sel, c, 0))
		return 0;
	s->c = *c;
	return 1;	/* stop: the first match */
}

static int line(void *arg, const struct cache_pkt *p)
{
	struct report_run *run = ((void **)arg)[0];
	struct ladder *s = ((void **)arg)[1];
	struct out *o = run->out;
	char fl[10], rel[32], frame[24], an[512];

	tcpflags_str(fl, p->flags);
	if (out_format(o) != OUT_TABLE) {
		out_uint(o, p->frame);
		out_secs(o, p->ts - s->c.first_ts);
		out_str(o, p->dir ? "s2c" : "c2s");
		out_str(o, fl);
		out_uint(o, p->seq);
		out_uint(o, p->ack);
		out_uint(o, p->len);
		out_uint(o, p->win);
		out_str(o, analysis_str(an, sizeof(an), p->analysis));
		if (p->acked_frame && p->ack_rtt)
			out_secs(o, p->ack_rtt);
		else
			out_null(o);
		out_row_end(o);
		return 0;
	}
	timefmt_secs(rel, sizeof(rel), p->ts - s->c.first_ts, 6);
	snprintf(frame, sizeof(frame), "[%llu]", (unsigned long long)p->frame);
	analysis_notes(an, sizeof(an), p);
	fprintf(out_file(o), "%s%s %-9s %11s  %-4s seq=%-10u ack=%-10u len=%-5u win=%u%s%s\n",
		p->dir ? "        " : "", p->dir ? "<--" : "-->", frame, rel, fl,
		p->seq, p->ack, p->len, p->win, an[0] ? "  " : "", an);
	return 0;
}

static int ladder_run(void *state, struct report_run *run)
{
	struct ladder *s = state;
	void *arg[2] = { run, s };
	struct out *o = run->out;
	int rc;

	s->c.stream = UINT32_MAX;
	if (s->sel.stream >= 0) {
		if ((rc = cache_conn_get(run->cache, (uint32_t)s->sel.stream, &s->c, run->err)))
			return rc;
	} else {
		rc = cache_conns_each(run->cache, find_first, s, run->err);
		if (rc < 0)
			return rc;
		if (s->c.stream == UINT32_MAX)
			return err_set(run->err, ERR_USAGE, cache_path(run->cache),
				       "no connection matches --client/--server");
	}
	if (out_format(o) == OUT_TABLE) {
		char ca[ADDR_STR_MAX], sa[ADDR_STR_MAX];
		char t1[TIMEFMT_ISO_MAX], t2[TIMEFMT_ISO_MAX];
		FILE *f = out_file(o);

		addr_format(ca, sizeof(ca), &s->c.client, s->c.ipver);
		addr_format(sa, sizeof(sa), &s->c.server, s->c.ipver);
		timefmt_iso(t1, sizeof(t1), s->c.first_ts, out_is_local(o));
		timefmt_iso(t2, sizeof(t2), s->c.last_ts, out_is_local(o));
		if (run->label)
			fprintf(f, "cache %s\n", run->label);
		fprintf(f, "stream %u: client %s%s%s:%u  -->  server %s%s%s:%u  (%s)\n",
			s->c.stream, s->c.ipver == 6 ? "[" : "", ca,
			s->c.ipver == 6 ? "]" : "", s->c.cport,
			s->c.ipver == 6 ? "[" : "", sa, s->c.ipver == 6 ? "]" : "",
			s->c.sport, conn_state_name(&s->c));
		fprintf(f, "first frame %llu at %s\nlast frame  %llu at %s\n\n",
			(unsigned long long)s->c.first_frame, t1,
			(unsigned long long)s->c.last_frame, t2);
	} else {
		out_begin(o, cols, sizeof(cols) / sizeof(cols[0]), run->label);
	}
	if ((rc = cache_conn_pkts(run->cache, &s->c, line, arg, run->err)))
		return rc;
	if (out_format(o) != OUT_TABLE)
		out_end(o);
	return 0;
}

const struct report report_ladder = {
	.name = "ladder",
	.summary = "one connection as an arrow diagram (client left, server right)",
	.help =
"Options (one connection; with --client/--server the first that matches):\n"
"  --stream N          connection N (Wireshark's tcp.stream)\n"
"  --client IP:PORT    the client's end\n"
"  --server IP:PORT    the server's end\n"
"\n"
"Lines: client-to-server packets start with -->, server-to-client packets\n"
"are indented and start with <--, then [frame], seconds since the\n"
"connection's first packet, flags (F S R P A U E C N), relative seq and ack,\n"
"payload length and calculated window, then Wireshark's notes on the packet\n"
"as its Info column shows them: [TCP Retransmission], [TCP Fast\n"
"Retransmission], [TCP Spurious Retransmission], [TCP Out-Of-Order], [TCP\n"
"Previous segment not captured], [TCP ACKed unseen segment], [TCP Dup ACK\n"
"F#N] (the Nth duplicate of the ACK in frame F), [TCP ZeroWindow], [TCP\n"
"ZeroWindowProbe], [TCP ZeroWindowProbeAck], [TCP Window Full], [TCP Window\n"
"Update], [TCP Keep-Alive], [TCP Keep-Alive ACK], [TCP Port numbers reused].\n"
"A header names the client and server and the first and last frame with\n"
"their absolute times.\n"
"\n"
"Columns with --format csv|json: frame, rel, dir, flags, seq, ack, len, win,\n"
"analysis (flag names joined by '+', as in `packets`), ack_rtt (seconds from\n"
"the segment this ACKs to this ACK, tcp.analysis.ack_rtt; empty when none)\n",
	.options = options,
	.create = ladder_create,
	.option = ladder_option,
	.check = ladder_check,
	.run = ladder_run,
	.destroy = free,
};
