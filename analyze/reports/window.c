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

static const int cols[] = {
	F_PACKETS_frame, F_PACKETS_conn_rel, F_PACKETS_rel, F_PACKETS_flags,
	F_PACKETS_ack, F_PACKETS_win, F_PACKETS_analysis,
};

static const int ep_cols[] = {
	F_EPISODES_episode, F_EPISODES_start_frame, F_EPISODES_end_frame,
	F_EPISODES_start_rel, F_EPISODES_end_rel, F_EPISODES_duration,
	F_EPISODES_zero_pkts, F_EPISODES_peer_pkts,
};

static const struct query_spec spec = {
	.table = TBL_PACKETS, .cols = cols,
	.ncols = sizeof(cols) / sizeof(cols[0]),
	.records = true, .order = NULL, .time_field = F_PACKETS_frame,
};

static const struct query_spec ep_spec = {
	.table = TBL_EPISODES, .cols = ep_cols,
	.ncols = sizeof(ep_cols) / sizeof(ep_cols[0]),
	.records = false, .order = NULL, .time_field = F_EPISODES_start_frame,
};

/* One episode row, for the query's getter. */
struct episode {
	const struct window *s;
	uint64_t end_frame;	/* 0: still zero at the end */
	int64_t end_ts;
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

static const struct query_spec *window_spec(void *state)
{
	struct window *s = state;
	return s->episodes ? &ep_spec : &spec;
}

static bool episode_get(const void *xrow, int id, struct filter_value *v)
{
	const struct episode *ep = xrow;
	const struct window *s = ep->s;

	switch (id) {
	case F_EPISODES_episode: v->i = s->n_ep; return true;
	case F_EPISODES_start_frame: v->i = (int64_t)s->ep_frame; return true;
	case F_EPISODES_end_frame: v->i = (int64_t)ep->end_frame; return ep->end_frame;
	case F_EPISODES_start_rel: v->i = s->ep_ts - s->t0; return true;
	case F_EPISODES_end_rel: v->i = ep->end_ts - s->t0; return ep->end_frame;
	case F_EPISODES_duration: v->i = ep->end_ts - s->ep_ts; return true;
	case F_EPISODES_zero_pkts: v->i = (int64_t)s->ep_zero; return true;
	case F_EPISODES_peer_pkts: v->i = (int64_t)s->ep_peer; return true;
	}
	return false;
}

static int episode_row(struct window *s, struct report_run *run,
		       uint64_t end_frame, int64_t end_ts)
{
	struct episode ep = { s, end_frame, end_ts };
	struct field_row fr = { .xget = episode_get, .xrow = &ep };

	return query_row(run->q, &fr, run->err);
}

/*
 * An episode is as the cache's zw_n_* counts it: from the side's first
 * packet advertising a zero window to its next packet advertising more
 * (SYN and RST segments are not looked at).
 */
static int episode_pkt(struct window *s, struct report_run *run,
		       const struct cache_pkt *p)
{
	if (p->dir != s->side) {
		if (s->open)
			s->ep_peer++;
		return 0;
	}
	if (p->flags & (TCPF_SYN | TCPF_RST))
		return 0;
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
		return episode_row(s, run, p->frame, p->ts);
	}
	return 0;
}

static int pkt(void *arg, const struct cache_pkt *p)
{
	struct report_run *run = ((void **)arg)[0];
	struct window *s = ((void **)arg)[1];
	struct field_row fr = { .pkt = p, .conn = &s->c, .t0 = s->t0 };

	if (s->episodes)
		return episode_pkt(s, run, p);
	if (p->dir != s->side)
		return 0;
	if (s->has_below && p->win >= s->below)
		return 0;
	if (s->has_after && p->ts - s->t0 <= s->after)
		return 0;
	return query_row(run->q, &fr, run->err);
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
	if ((rc = query_begin(run->q, run->label, run->err)))
		return rc;
	if ((rc = cache_conn_pkts(run->cache, &s->c, pkt, arg, run->err)) < 0)
		return rc;
	if (s->open && !rc &&	/* still zero at the connection's last packet */
	    (rc = episode_row(s, run, 0, s->c.last_ts)) < 0)
		return rc;
	return query_end(run->q, run->err);
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
"                      first frame (rel > SECONDS; 21, 1.5s, 300ms)\n"
"  --episodes          instead: one row per zero-window episode: from the\n"
"                      side's first packet advertising 0 to its next packet\n"
"                      advertising more (SYN and RST segments not counted;\n"
"                      the cache's zw_n and zw_time count the same)\n"
"\n"
"The columns below are the packets'; `--episodes --help` shows the\n"
"episodes'.\n",
	.options = options,
	.create = window_create,
	.option = window_option,
	.check = window_check,
	.spec = window_spec,
	.run = window_run,
	.destroy = free,
};
