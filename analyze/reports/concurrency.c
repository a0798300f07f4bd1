/*
 * concurrency.c - how many connections were open: per time bucket over the
 * whole capture, or at one instant (with --list, which ones).
 *
 * A connection is open at t when first_ts <= t < last_ts (its first packet
 * at or before t, its last after t), as `resets` counts concurrency.
 * Buckets: the start and end times of the selected connections are
 * collected in one pass through the conn hook, sorted, and swept once
 * with the buckets, so the cost is O(n log n + buckets).  --at needs no
 * memory: each connection is tested as it passes.
 */
#include <stdlib.h>

#include "addr.h"
#include "report.h"
#include "rutil.h"
#include "timefmt.h"

/* More buckets than this is a mistake (a 1 ns bucket over an hour). */
enum { MAX_BUCKETS = 10000000 };

struct concurrency {
	struct conn_sel sel;
	bool has_at, list;
	int64_t at;		/* ns from the capture's first frame */
	int64_t bucket;		/* ns */
	int64_t t0, t1;		/* capture's first and last frame, ns */
	uint64_t n_at;		/* --at: connections open */
	int64_t *starts, *ends;	/* ns, one each per connection */
	size_t n, cap_s, cap_e;
};

enum { OPT_AT = 1, OPT_BUCKET, OPT_LIST };

static const struct option options[] = {
	CONN_SEL_LONGOPTS,
	{ "at", required_argument, NULL, OPT_AT },
	{ "bucket", required_argument, NULL, OPT_BUCKET },
	{ "list", no_argument, NULL, OPT_LIST },
	{ NULL, 0, NULL, 0 },
};

static const int bucket_cols[] = {
	F_BUCKETS_time, F_BUCKETS_rel, F_BUCKETS_open, F_BUCKETS_max_open,
	F_BUCKETS_new, F_BUCKETS_ended,
};

static const int list_cols[] = {
	F_CONNS_stream, F_CONNS_client, F_CONNS_cport, F_CONNS_server,
	F_CONNS_sport, F_CONNS_rel_start, F_CONNS_rel_last,
};

static const struct query_spec bucket_spec = {
	.table = TBL_BUCKETS, .cols = bucket_cols,
	.ncols = sizeof(bucket_cols) / sizeof(bucket_cols[0]),
	.records = false, .order = NULL, .time_field = F_BUCKETS_time,
};

/* --at: one bucket row, of the instant */
static const struct query_spec at_spec = {
	.table = TBL_BUCKETS, .cols = bucket_cols, .ncols = 3,
	.records = false, .order = NULL, .time_field = F_BUCKETS_time,
};

static const struct query_spec list_spec = {
	.table = TBL_CONNS, .cols = list_cols,
	.ncols = sizeof(list_cols) / sizeof(list_cols[0]),
	.records = true, .order = NULL, .time_field = F_CONNS_start,
};

/* One bucket row, for the query's getter. */
struct bucket {
	int64_t time, rel, open, max_open, new, ended;
};

static bool bucket_get(const void *xrow, int id, struct filter_value *v)
{
	const struct bucket *b = xrow;

	switch (id) {
	case F_BUCKETS_time: v->i = b->time; return true;
	case F_BUCKETS_rel: v->i = b->rel; return true;
	case F_BUCKETS_open: v->i = b->open; return true;
	case F_BUCKETS_max_open: v->i = b->max_open; return true;
	case F_BUCKETS_new: v->i = b->new; return true;
	case F_BUCKETS_ended: v->i = b->ended; return true;
	}
	return false;
}

static void *concurrency_create(void)
{
	struct concurrency *s = calloc(1, sizeof(*s));

	if (s) {
		conn_sel_init(&s->sel);
		s->bucket = 1000000000;
	}
	return s;
}

static void concurrency_destroy(void *state)
{
	struct concurrency *s = state;

	if (s) {
		free(s->starts);
		free(s->ends);
	}
	free(s);
}

static int concurrency_option(void *state, int code, const char *arg,
			      struct err *e)
{
	struct concurrency *s = state;

	switch (code) {
	case OPT_AT:
		if (!timefmt_parse_duration(arg, &s->at))
			return err_set(e, ERR_USAGE, NULL, "--at takes seconds from the capture's first frame (or 1.5s, 300ms), not '%s'", arg);
		s->has_at = true;
		return 0;
	case OPT_BUCKET:
		if (!timefmt_parse_duration(arg, &s->bucket) || s->bucket <= 0)
			return err_set(e, ERR_USAGE, NULL, "--bucket takes a duration above zero (1s, 100ms), not '%s'", arg);
		return 0;
	case OPT_LIST:
		s->list = true;
		return 0;
	}
	return conn_sel_option(&s->sel, code, arg, e) ? ERR_USAGE : 0;
}

static int concurrency_check(void *state, struct err *e)
{
	struct concurrency *s = state;

	if (s->list && !s->has_at)
		return err_set(e, ERR_USAGE, NULL, "--list needs --at TIME");
	return 0;
}

static const struct query_spec *concurrency_spec(void *state)
{
	struct concurrency *s = state;

	return s->list ? &list_spec : s->has_at ? &at_spec : &bucket_spec;
}

static int concurrency_begin(void *state, struct report_run *run)
{
	struct concurrency *s = state;

	s->t0 = run->meta->f.first_ts;
	s->t1 = run->meta->f.last_ts;
	s->n = 0;
	s->n_at = 0;
	if (!s->has_at && run->meta->f.frames &&
	    (s->t1 - s->t0) / s->bucket >= MAX_BUCKETS)
		return err_set(run->err, ERR_USAGE, NULL,
			       "--bucket is too small for this capture (more than %d buckets)",
			       (int)MAX_BUCKETS);
	return query_begin(run->q, run->label, run->err);
}

static int concurrency_conn(void *state, struct report_run *run,
			    const struct cache_conn *c)
{
	struct concurrency *s = state;
	int rc;

	if (!conn_sel_match(&s->sel, c, s->t0))
		return 0;
	if (s->has_at) {
		int64_t t = s->t0 + s->at;

		if (!(c->first_ts <= t && t < c->last_ts))
			return 0;
		s->n_at++;
		if (s->list) {
			struct field_row fr = { .conn = c, .t0 = s->t0 };
			rc = query_row(run->q, &fr, run->err);
			return rc < 0 ? rc : 0;
		}
		return 0;
	}
	if ((rc = rutil_grow((void **)&s->starts, &s->cap_s, s->n + 1, sizeof(int64_t), run->err)) ||
	    (rc = rutil_grow((void **)&s->ends, &s->cap_e, s->n + 1, sizeof(int64_t), run->err)))
		return rc;
	s->starts[s->n] = c->first_ts;
	s->ends[s->n] = c->last_ts;
	s->n++;
	return 0;
}

/* Number of v[0..n) <= t, v sorted, from position *i on (advanced). */
static size_t upto(const int64_t *v, size_t n, size_t *i, int64_t t)
{
	while (*i < n && v[*i] <= t)
		(*i)++;
	return *i;
}

static int buckets(struct concurrency *s, struct report_run *run)
{
	struct bucket bk;
	struct field_row fr = { .xget = bucket_get, .xrow = &bk };
	int rc;

	size_t is = 0, ie = 0, ns_lt = 0, ne_lt = 0;

	rutil_sort_i64(s->starts, s->n);
	rutil_sort_i64(s->ends, s->n);
	for (int64_t b = s->t0; b <= s->t1; b += s->bucket) {
		int64_t e = b + s->bucket;
		size_t ns0 = ns_lt, ne0 = ne_lt;
		int64_t open = (int64_t)upto(s->starts, s->n, &is, b) -
			       (int64_t)upto(s->ends, s->n, &ie, b);
		int64_t open_b = open, max = open;

		/* every instant in (b, e) where the count changes */
		for (;;) {
			int64_t t = INT64_MAX;

			if (is < s->n && s->starts[is] < t)
				t = s->starts[is];
			if (ie < s->n && s->ends[ie] < t)
				t = s->ends[ie];
			if (t >= e)
				break;
			open = (int64_t)upto(s->starts, s->n, &is, t) -
			       (int64_t)upto(s->ends, s->n, &ie, t);
			if (open > max)
				max = open;
		}
		while (ns_lt < s->n && s->starts[ns_lt] < e)
			ns_lt++;
		while (ne_lt < s->n && s->ends[ne_lt] < e)
			ne_lt++;
		bk = (struct bucket){ b, b - s->t0, open_b, max,
				      (int64_t)(ns_lt - ns0), (int64_t)(ne_lt - ne0) };
		if ((rc = query_row(run->q, &fr, run->err)))
			return rc < 0 ? rc : 0;
	}
	return 0;
}

static int concurrency_end(void *state, struct report_run *run)
{
	struct concurrency *s = state;
	int rc = 0;

	if (s->has_at && !s->list) {
		struct bucket bk = { s->t0 + s->at, s->at, (int64_t)s->n_at, 0, 0, 0 };
		struct field_row fr = { .xget = bucket_get, .xrow = &bk };

		rc = query_row(run->q, &fr, run->err);
	} else if (!s->has_at && run->meta->f.frames) {
		rc = buckets(s, run);
	}
	return rc < 0 ? rc : query_end(run->q, run->err);
}

const struct report report_concurrency = {
	.name = "concurrency",
	.summary = "connections open over time, or at one instant",
	.help =
"Counts open connections per time bucket from the capture's first frame to\n"
"its last, or at one instant.  A connection is open at t when its first\n"
"packet is at or before t and its last packet after t (first_ts <= t <\n"
"last_ts), as `resets` counts concurrency.\n"
"\n"
"Options:\n"
"  --bucket DURATION   bucket width (default 1s; 100ms, 2.5s, 1m)\n"
"  --at TIME           instead: the count at TIME, seconds from the\n"
"                      capture's first frame\n"
"  --list              with --at: the open connections, one row each\n"
"  selectors, e.g. --client IP for one client's connections:\n"
CONN_SEL_HELP
"\n"
"The columns below are the buckets'; `--at T --help` and `--at T --list\n"
"--help` show those of the other two modes.\n",
	.options = options,
	.create = concurrency_create,
	.option = concurrency_option,
	.check = concurrency_check,
	.spec = concurrency_spec,
	.begin = concurrency_begin,
	.conn = concurrency_conn,
	.end = concurrency_end,
	.destroy = concurrency_destroy,
};
