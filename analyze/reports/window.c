/*
 * window.c - the receive window one side of one connection advertised,
 * packet by packet; the packets where it was below a threshold after a
 * given time; or its zero-window episodes.
 *
 * A one-connection report: it reads only that connection's packets
 * through the cache's index.  Times after --after are seconds from the
 * capture's first frame (as `packets` shows in `rel`), so "which packets
 * advertised less than 10 kB after 21 s" is asked as it is said; rel is
 * from the connection's first packet, as in `ladder`.
 */
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "report.h"
#include "rutil.h"
#include "timefmt.h"

struct window {
	struct conn_sel sel;
	int side;		/* 0 client, 1 server */
	bool has_below, has_after, episodes;
	uint64_t below;		/* bytes: list win < below */
	int64_t after;		/* ns from the capture's first frame */
	int64_t t0;		/* capture's first frame, ns */
	struct cache_conn c;
	/* an episode, while it is open */
	bool open;
	unsigned n_ep;
	uint64_t ep_frame;
	int64_t ep_ts;
	uint64_t ep_zero, ep_peer;	/* packets */
};

enum { OPT_SIDE = 1, OPT_BELOW, OPT_AFTER, OPT_EPISODES };

static const struct option options[] = {
	{ "stream", required_argument, NULL, SEL_OPT_STREAM },
	{ "side", required_argument, NULL, OPT_SIDE },
	{ "below", required_argument, NULL, OPT_BELOW },
	{ "after", required_argument, NULL, OPT_AFTER },
	{ "episodes", no_argument, NULL, OPT_EPISODES },
	{ NULL, 0, NULL, 0 },
};

static const struct out_col cols[] = {
	{ "frame", OUT_T_NUM },  { "rel", OUT_T_SECS },
	{ "rel_capture", OUT_T_SECS }, { "flags", OUT_T_STR },
	{ "ack", OUT_T_NUM },    { "win", OUT_T_NUM },
	{ "analysis", OUT_T_STR },
};

static const struct out_col ep_cols[] = {
	{ "episode", OUT_T_NUM },     { "start_frame", OUT_T_NUM },
	{ "end_frame", OUT_T_NUM },   { "start_rel", OUT_T_SECS },
	{ "end_rel", OUT_T_SECS },    { "duration", OUT_T_SECS },
	{ "zero_pkts", OUT_T_NUM },   { "peer_pkts", OUT_T_NUM },
};

static void *window_create(void)
{
	struct window *s = calloc(1, sizeof(*s));
	if (s)
		conn_sel_init(&s->sel);
	return s;
}

static int window_option(void *state, int code, const char *arg,
			 struct err *e)
{
	struct window *s = state;
	char *end;

	switch (code) {
	case OPT_SIDE:
		if (!strcmp(arg, "client"))
			s->side = 0;
		else if (!strcmp(arg, "server"))
			s->side = 1;
		else
			return err_set(e, ERR_USAGE, NULL, "--side takes client or server, not '%s'", arg);
		return 0;
	case OPT_BELOW:
		s->below = strtoull(arg, &end, 10);
		if (!*arg || *end || *arg == '-')
			return err_set(e, ERR_USAGE, NULL, "--below takes a window in bytes, not '%s'", arg);
		s->has_below = true;
		return 0;
	case OPT_AFTER:
		if (!timefmt_parse_duration(arg, &s->after))
			return err_set(e, ERR_USAGE, NULL, "--after takes seconds from the capture's first frame (or 1.5s, 300ms), not '%s'", arg);
		s->has_after = true;
		return 0;
	case OPT_EPISODES:
		s->episodes = true;
		return 0;
	}
	return conn_sel_option(&s->sel, code, arg, e) ? ERR_USAGE : 0;
}

static int window_check(void *state, struct err *e)
{
	struct window *s = state;

	if (s->sel.stream < 0)
		return err_set(e, ERR_USAGE, NULL, "window needs a connection: --stream N");
	if (s->episodes && (s->has_below || s->has_after))
		return err_set(e, ERR_USAGE, NULL, "--episodes does not take --below or --after");
	return 0;
}

static void episode_row(struct window *s, struct out *o, uint64_t end_frame,
			int64_t end_ts)
{
	out_uint(o, s->n_ep);
	out_uint(o, s->ep_frame);
	if (end_frame)
		out_uint(o, end_frame);
	else
		out_null(o);
	out_secs(o, s->ep_ts - s->t0);
	if (end_frame)
		out_secs(o, end_ts - s->t0);
	else
		out_null(o);
	out_secs(o, end_ts - s->ep_ts);
	out_uint(o, s->ep_zero);
	out_uint(o, s->ep_peer);
	out_row_end(o);
}

/*
 * An episode is as the cache's zw_n_* counts it: from the side's first
 * packet advertising a zero window to its next packet advertising more
 * (SYN and RST segments are not looked at).
 */
static void episode_pkt(struct window *s, struct out *o,
			const struct cache_pkt *p)
{
	if (p->dir != s->side) {
		if (s->open)
			s->ep_peer++;
		return;
	}
	if (p->flags & (TCPF_SYN | TCPF_RST))
		return;
	if (p->win == 0) {
		if (!s->open) {
			s->open = true;
			s->n_ep++;
			s->ep_frame = p->frame;
			s->ep_ts = p->ts;
			s->ep_zero = s->ep_peer = 0;
		}
		s->ep_zero++;
	} else if (s->open) {
		s->open = false;
		episode_row(s, o, p->frame, p->ts);
	}
}

static int pkt(void *arg, const struct cache_pkt *p)
{
	struct report_run *run = ((void **)arg)[0];
	struct window *s = ((void **)arg)[1];
	struct out *o = run->out;
	char fl[10], an[256];

	if (s->episodes) {
		episode_pkt(s, o, p);
		return 0;
	}
	if (p->dir != s->side)
		return 0;
	if (s->has_below && p->win >= s->below)
		return 0;
	if (s->has_after && p->ts - s->t0 <= s->after)
		return 0;
	out_uint(o, p->frame);
	out_secs(o, p->ts - s->c.first_ts);
	out_secs(o, p->ts - s->t0);
	tcpflags_str(fl, p->flags);
	out_str(o, fl);
	out_uint(o, p->ack);
	out_uint(o, p->win);
	out_str(o, analysis_str(an, sizeof(an), p->analysis));
	out_row_end(o);
	return 0;
}

static int window_run(void *state, struct report_run *run)
{
	struct window *s = state;
	void *arg[2] = { run, s };
	int rc;

	s->t0 = run->meta->f.first_ts;
	s->open = false;
	s->n_ep = 0;
	if ((rc = cache_conn_get(run->cache, (uint32_t)s->sel.stream, &s->c, run->err)))
		return rc;
	if (s->episodes)
		out_begin(run->out, ep_cols, sizeof(ep_cols) / sizeof(ep_cols[0]), run->label);
	else
		out_begin(run->out, cols, sizeof(cols) / sizeof(cols[0]), run->label);
	if ((rc = cache_conn_pkts(run->cache, &s->c, pkt, arg, run->err)))
		return rc;
	if (s->open)	/* still zero at the connection's last packet */
		episode_row(s, run->out, 0, s->c.last_ts);
	out_end(run->out);
	return 0;
}

const struct report report_window = {
	.name = "window",
	.summary = "the window one side advertised; low windows; zero-window spells",
	.help =
"Shows the receive window that one side of connection N advertised, one\n"
"row per packet it sent (every packet, SYN and RST included), or its\n"
"zero-window episodes.\n"
"\n"
"Options:\n"
"  --stream N          the connection (required)\n"
"  --side client|server  whose window (default client)\n"
"  --below BYTES       only packets advertising a window under BYTES\n"
"  --after SECONDS     only packets later than SECONDS after the capture's\n"
"                      first frame (rel_capture > SECONDS; 21, 1.5s, 300ms)\n"
"  --episodes          instead: one row per zero-window episode: from the\n"
"                      side's first packet advertising 0 to its next packet\n"
"                      advertising more (SYN and RST segments not counted;\n"
"                      the cache's zw_n and zw_time count the same)\n"
"\n"
"Columns:\n"
"  frame        frame number\n"
"  rel          seconds from the connection's first packet\n"
"  rel_capture  seconds from the capture's first frame (as `packets` rel)\n"
"  flags        TCP flags (F S R P A U E C N)\n"
"  ack          relative acknowledgment number\n"
"  win          calculated window, bytes (tcp.window_size)\n"
"  analysis     TCP analysis flags, as in `packets`\n"
"\n"
"Columns with --episodes:\n"
"  episode      1, 2, ... in time order\n"
"  start_frame  the first packet advertising a zero window\n"
"  end_frame    the packet that opened the window again; empty when the\n"
"               window was still zero at the connection's last packet\n"
"  start_rel, end_rel   their times, seconds from the capture's first frame\n"
"  duration     seconds from start to end (or to the connection's last\n"
"               packet)\n"
"  zero_pkts    packets of the side advertising zero in the episode\n"
"  peer_pkts    packets the other side sent during it (probes, mostly)\n",
	.options = options,
	.create = window_create,
	.option = window_option,
	.check = window_check,
	.run = window_run,
	.destroy = free,
};
