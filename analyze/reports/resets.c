/*
 * resets.c - connections ended by an RST: who sent the first one, the
 * bytes in flight at that moment, and how many other connections the same
 * client had in progress then (to other servers, and to any server).
 *
 * "In progress at t" is first_ts <= t < last_ts (first and last packet of
 * the connection), the definition samples/aborts.truth uses.  The counts
 * come from sorted start and end times per client and per client-server
 * pair: the connections of a group in progress at t are those started at
 * or before t less those whose last packet is at or before t, two binary
 * searches per RST, so 100k connections cost O(n log n), never O(n^2).
 * One pass through the conn hook collects what is needed; `end` prints.
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "report.h"
#include "rutil.h"

/* A group key: ip version, client address, server address (or zeros). */
enum { KEY_LEN = 1 + 16 + 16 };

/* One start or end time of a connection, under its group's key. */
struct rs_edge {
	uint8_t key[KEY_LEN];
	int64_t ts;		/* ns */
};

/* A row's values only this report knows. */
struct rs_counts {
	uint64_t concurrent, concurrent_any;
};

struct resets {
	unsigned by;		/* 0 any, 1 client, 2 server */
	struct conn_sel sel;
	int64_t t0;		/* capture's first frame */
	struct cache_conn *rows;	/* the connections ended by an RST */
	size_t nrows, caprows;
	/* per client; per client and server address */
	struct rs_edge *cs, *ce, *ps, *pe;
	size_t nedge, capedge[4];
};

enum { OPT_BY = 1 };

static const struct option options[] = {
	CONN_SEL_LONGOPTS,
	{ "by", required_argument, NULL, OPT_BY },
	{ NULL, 0, NULL, 0 },
};

static const int cols[] = {
	F_CONNS_stream, F_CONNS_client, F_CONNS_cport, F_CONNS_server,
	F_CONNS_sport, F_CONNS_rst_frame, F_CONNS_rst_time, F_CONNS_rst_rel,
	F_CONNS_rst_by, F_CONNS_inflight_c2s, F_CONNS_inflight_s2c,
	F_CONNS_concurrent, F_CONNS_concurrent_any,
};

static const struct query_spec spec = {
	.table = TBL_CONNS, .cols = cols,
	.ncols = sizeof(cols) / sizeof(cols[0]),
	.records = true, .order = NULL, .time_field = F_CONNS_rst_time,
};

static const struct query_spec *resets_spec(void *state)
{
	(void)state;
	return &spec;
}

static bool counts_get(const void *xrow, int id, struct filter_value *v)
{
	const struct rs_counts *k = xrow;

	if (id == F_CONNS_concurrent)
		v->i = (int64_t)k->concurrent;
	else if (id == F_CONNS_concurrent_any)
		v->i = (int64_t)k->concurrent_any;
	else
		return false;
	return true;
}

static void *resets_create(void)
{
	struct resets *s = calloc(1, sizeof(*s));
	if (s)
		conn_sel_init(&s->sel);
	return s;
}

static void resets_destroy(void *state)
{
	struct resets *s = state;

	if (!s)
		return;
	free(s->rows);
	free(s->cs);
	free(s->ce);
	free(s->ps);
	free(s->pe);
	free(s);
}

static int resets_option(void *state, int code, const char *arg,
			 struct err *e)
{
	struct resets *s = state;

	if (code == OPT_BY) {
		if (!strcmp(arg, "client"))
			s->by = 1;
		else if (!strcmp(arg, "server"))
			s->by = 2;
		else if (!strcmp(arg, "any"))
			s->by = 0;
		else
			return err_set(e, ERR_USAGE, NULL, "--by takes client, server or any, not '%s'", arg);
		return 0;
	}
	return conn_sel_option(&s->sel, code, arg, e) ? ERR_USAGE : 0;
}

static int resets_begin(void *state, struct report_run *run)
{
	struct resets *s = state;

	s->t0 = run->meta->f.first_ts;
	s->nrows = 0;
	s->nedge = 0;
	return 0;
}

static void make_key(uint8_t *key, int ipver, const struct addr16 *client,
		     const struct addr16 *server)
{
	key[0] = (uint8_t)ipver;
	memcpy(key + 1, client->b, 16);
	if (server)
		memcpy(key + 17, server->b, 16);
	else
		memset(key + 17, 0, 16);
}

static int resets_conn(void *state, struct report_run *run,
		       const struct cache_conn *c)
{
	struct resets *s = state;
	struct rs_edge **arr[4] = { &s->cs, &s->ce, &s->ps, &s->pe };
	int rc;

	/* every connection counts as concurrent; only selected ones are rows */
	for (int i = 0; i < 4; i++) {
		struct rs_edge *ed;

		if ((rc = rutil_grow((void **)arr[i], &s->capedge[i], s->nedge + 1,
				     sizeof(**arr[i]), run->err)))
			return rc;
		ed = &(*arr[i])[s->nedge];
		make_key(ed->key, c->ipver, &c->client, i < 2 ? NULL : &c->server);
		ed->ts = i % 2 ? c->last_ts : c->first_ts;
	}
	s->nedge++;
	if (!c->rst_frame || (s->by && c->rst_by != s->by) ||
	    !conn_sel_match(&s->sel, c, s->t0))
		return 0;
	if ((rc = rutil_grow((void **)&s->rows, &s->caprows, s->nrows + 1,
			     sizeof(*s->rows), run->err)))
		return rc;
	s->rows[s->nrows++] = *c;
	return 0;
}

static int edge_cmp(const void *a, const void *b)
{
	const struct rs_edge *x = a, *y = b;
	int d = memcmp(x->key, y->key, KEY_LEN);

	if (d)
		return d;
	return (x->ts > y->ts) - (x->ts < y->ts);
}

/* Edges of v (sorted) with this key and ts <= t. */
static size_t count_le(const struct rs_edge *v, size_t n, const uint8_t *key,
		       int64_t t)
{
	struct rs_edge lo_k, hi_k;
	size_t lo = 0, hi = n, a, b;

	memcpy(lo_k.key, key, KEY_LEN);
	lo_k.ts = INT64_MIN;
	hi_k = lo_k;
	hi_k.ts = t;
	while (lo < hi) {	/* first edge >= (key, -inf) */
		size_t m = lo + (hi - lo) / 2;
		if (edge_cmp(&v[m], &lo_k) < 0)
			lo = m + 1;
		else
			hi = m;
	}
	a = lo;
	hi = n;
	while (lo < hi) {	/* first edge > (key, t) */
		size_t m = lo + (hi - lo) / 2;
		if (edge_cmp(&v[m], &hi_k) <= 0)
			lo = m + 1;
		else
			hi = m;
	}
	b = lo;
	return b - a;
}

/* Connections of the group `key` in progress at t (first <= t < last). */
static size_t in_progress(const struct rs_edge *st, const struct rs_edge *en,
			  size_t n, const uint8_t *key, int64_t t)
{
	return count_le(st, n, key, t) - count_le(en, n, key, t);
}

static int resets_end(void *state, struct report_run *run)
{
	struct resets *s = state;
	size_t n = s->nedge;
	int rc;

	qsort(s->cs, n, sizeof(*s->cs), edge_cmp);
	qsort(s->ce, n, sizeof(*s->ce), edge_cmp);
	qsort(s->ps, n, sizeof(*s->ps), edge_cmp);
	qsort(s->pe, n, sizeof(*s->pe), edge_cmp);
	if ((rc = query_begin(run->q, run->label, run->err)))
		return rc;
	for (size_t i = 0; i < s->nrows; i++) {
		const struct cache_conn *c = &s->rows[i];
		struct rs_counts k;
		struct field_row fr = { .conn = c, .t0 = s->t0,
					.xget = counts_get, .xrow = &k };
		uint8_t key[KEY_LEN];
		size_t any, same;
		/* the connection itself, when still in progress at its RST */
		size_t self = c->first_ts <= c->rst_ts && c->rst_ts < c->last_ts;

		make_key(key, c->ipver, &c->client, NULL);
		any = in_progress(s->cs, s->ce, n, key, c->rst_ts) - self;
		make_key(key, c->ipver, &c->client, &c->server);
		same = in_progress(s->ps, s->pe, n, key, c->rst_ts) - self;
		k.concurrent = any - same;
		k.concurrent_any = any;
		if ((rc = query_row(run->q, &fr, run->err)) < 0)
			return rc;
	}
	return query_end(run->q, run->err);
}

const struct report report_resets = {
	.name = "resets",
	.summary = "connections ended by an RST, with what else the client had open",
	.help =
"Lists every connection with an RST (the first RST ends it), in stream\n"
"order, with the bytes in flight at that RST and the client's other\n"
"connections in progress at that instant.\n"
"\n"
"Options:\n"
"  --by client|server|any   only RSTs sent first by this side (default any)\n"
"  selectors (which resets to list; every connection in the cache still\n"
"  counts as concurrent):\n"
CONN_SEL_HELP
"\n"
"A connection is in progress at time t when its first packet is at or\n"
"before t and its last packet after t: first_ts <= t < last_ts.  The reset\n"
"connection itself is never counted.\n",
	.options = options,
	.create = resets_create,
	.option = resets_option,
	.spec = resets_spec,
	.begin = resets_begin,
	.conn = resets_conn,
	.end = resets_end,
	.destroy = resets_destroy,
};
