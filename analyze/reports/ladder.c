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

static const int cols[] = {
	F_PACKETS_frame, F_PACKETS_conn_rel, F_PACKETS_dir, F_PACKETS_flags,
	F_PACKETS_seq, F_PACKETS_ack, F_PACKETS_len, F_PACKETS_win,
	F_PACKETS_analysis, F_PACKETS_ack_rtt,
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

static const struct query_spec *ladder_spec(void *state)
{
	(void)state;
	return &spec;
}

/* The arrows, or (another format, or chosen columns) rows. */
static bool draws(const struct report_run *run)
{
	return out_format(run->out) == OUT_TABLE && !query_shaped(run->q);
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
	struct field_row fr = { .pkt = p, .conn = &s->c,
				.t0 = run->meta->f.first_ts };
	char fl[10], rel[32], frame[24], an[512];

	if (!draws(run))
		return query_row(run->q, &fr, run->err);
	if (!query_take(run->q, &fr))
		return 0;
	tcpflags_str(fl, p->flags);
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
	if (draws(run)) {
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
	} else if ((rc = query_begin(run->q, run->label, run->err))) {
		return rc;
	}
	if ((rc = cache_conn_pkts(run->cache, &s->c, line, arg, run->err)) < 0)
		return rc;
	return draws(run) ? 0 : query_end(run->q, run->err);
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
"--where, --limit and --first pick the lines; with --columns or --sort, or\n"
"--format csv|json, the ladder is a plain table of the columns below.\n",
	.options = options,
	.create = ladder_create,
	.option = ladder_option,
	.check = ladder_check,
	.spec = ladder_spec,
	.run = ladder_run,
	.destroy = free,
};
