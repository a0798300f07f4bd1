/*
 * sqlvt.c - the SQLite virtual table module behind sqlvt.h.
 *
 * Three ways a table reads one cache:
 *   - conns, every row: cache_conns_load() once, an array kept per cache
 *     for the connection's life; later scans and lookups reuse it.
 *   - conns or packets with `stream = N`: the per-connection index
 *     (cache_conn_get, cache_conn_pkts into a per-cursor buffer): one
 *     connection's blocks, never a scan.  Once a cache has served many
 *     point lookups (a join), its connection array is loaded instead,
 *     since each cache_conn_get may decompress a block of its own.
 *   - packets, every row: the reader is callback-based and SQLite's xNext
 *     pulls, so cache_pkts_each() runs in a thread of its own, on a reader
 *     of its own, and hands packets over in batches through two buffers
 *     (a bounded queue: memory is the reader's window plus 2 * SCAN_BATCH
 *     records, whatever the capture's size).  Reading one connection
 *     after another instead would decompress a block per connection
 *     (100 times slower on a 36k-connection cache, measured); the thread
 *     also keeps frame order and overlaps decompression with the query.
 *     Closing a cursor early (LIMIT) stops the thread at its next batch.
 *
 * Key invariant: every value goes through field_get(); SQLite sees only
 * copies (SQLITE_TRANSIENT), never a pointer into a reader's buffers.
 * The tables are read-only.  Not here: writes, constraints other than
 * equality on stream and cache (SQLite filters the rows it is handed).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cache.h"
#include "fields.h"
#include "provenance.h"
#include "sqlvt.h"
#include "timefmt.h"

enum {
	SCAN_BATCH = 4096,	/* packets per hand-over of a packet scan */
	COL_CACHE = 0,		/* conns and packets: the hidden column */
	IDX_CACHE = 1,		/* xBestIndex: cache = ? is an argument */
	IDX_STREAM = 2		/* stream = ? is an argument */
};

/* One cache and what the tables learned of it. */
struct vcache {
	struct cache_reader *r;	/* shared by the cursors of the main thread */
	int64_t t0;		/* capture's first frame, ns */
	struct cache_conn *conns;	/* every connection, stream order; NULL
					   until loaded */
	size_t nconns;
	uint64_t lookups;	/* point lookups through cache_conn_get */
};

struct sqlvt {
	struct vcache *c;
	int n;
	uint64_t nconns, npkts;	/* over all caches, for the planner */
	int rc;			/* first cache error of a statement; 0 none */
	struct err err;
};

/* ---- the caches table: id, path and the `info` items ---- */

static const char *const prov_sql_type[] = {
	[PROV_TEXT] = "TEXT", [PROV_INT] = "INTEGER", [PROV_YESNO] = "INTEGER",
	[PROV_TIME] = "TEXT", [PROV_SECS] = "REAL",
};

static void result_time(sqlite3_context *ctx, int64_t ns)
{
	char b[TIMEFMT_ISO_MAX];

	timefmt_iso(b, sizeof(b), ns, false);
	sqlite3_result_text(ctx, b, -1, SQLITE_TRANSIENT);
}

/* Column col of cache ci's row: 0 id, 1 path, then provenance item col - 2. */
static void cache_column(sqlite3_context *ctx, struct sqlvt *v, int ci,
			 int col)
{
	struct prov_value pv;

	if (col == 0) {
		sqlite3_result_int(ctx, ci);
		return;
	}
	if (col == 1) {
		sqlite3_result_text(ctx, cache_path(v->c[ci].r), -1, SQLITE_TRANSIENT);
		return;
	}
	provenance_get(v->c[ci].r, (unsigned)col - 2, &pv);
	if (!pv.present)
		return;		/* NULL, as info leaves the row out */
	switch (provenance_items[col - 2].type) {
	case PROV_TEXT:
		sqlite3_result_text(ctx, pv.s, -1, SQLITE_TRANSIENT);
		break;
	case PROV_INT:
	case PROV_YESNO:
		sqlite3_result_int64(ctx, pv.i);
		break;
	case PROV_TIME:
		result_time(ctx, pv.i);
		break;
	case PROV_SECS:
		sqlite3_result_double(ctx, (double)pv.i / 1e9);
		break;
	}
}

/* ---- columns ---- */

static const char *const table_names[SQLVT_NTABLES] = {
	[SQLVT_CONNS] = "conns", [SQLVT_PACKETS] = "packets",
	[SQLVT_CACHES] = "caches",
};

const char *sqlvt_sql_type(enum filter_type t)
{
	switch (t) {
	case FT_INT: case FT_PORT: case FT_BOOL: return "INTEGER";
	case FT_SECS: case FT_REAL: return "REAL";
	case FT_TIME: case FT_ADDR: case FT_FLAGS: case FT_STR: return "TEXT";
	}
	return "TEXT";
}

/* The catalog fields of a record table, in catalog order; returns how many. */
static int table_fields(enum sqlvt_table t, int *ids)
{
	enum field_table ft = t == SQLVT_CONNS ? TBL_CONNS : TBL_PACKETS;
	int n = 0;

	for (int id = 0; id < F_COUNT; id++)
		if (field_info[id].table == ft && field_info[id].computed)
			ids[n++] = id;
	return n;
}

char *sqlvt_columns(enum sqlvt_table t, bool hidden)
{
	sqlite3_str *s = sqlite3_str_new(NULL);
	int ids[F_COUNT], n;

	if (t == SQLVT_CACHES) {
		sqlite3_str_appendall(s, "id INTEGER, path TEXT");
		for (int i = 0; i < PROV_NITEMS; i++)
			sqlite3_str_appendf(s, ", \"%w\" %s", provenance_items[i].name,
					    prov_sql_type[provenance_items[i].type]);
		return sqlite3_str_finish(s);
	}
	sqlite3_str_appendf(s, "cache INTEGER%s", hidden ? " HIDDEN" : "");
	n = table_fields(t, ids);
	for (int i = 0; i < n; i++)
		sqlite3_str_appendf(s, ", \"%w\" %s", field_info[ids[i]].name,
				    sqlvt_sql_type(field_info[ids[i]].type));
	return sqlite3_str_finish(s);
}

/* ---- caches and their connections ---- */

int sqlvt_open(struct sqlvt **out, char *const *paths, int npaths,
	       struct err *e)
{
	struct sqlvt *v = calloc(1, sizeof(*v));
	int rc;

	*out = NULL;
	if (!v || !(v->c = calloc(npaths > 0 ? (size_t)npaths : 1, sizeof(*v->c)))) {
		free(v);
		return err_set(e, ERR_NOMEM, NULL, "out of memory");
	}
	for (; v->n < npaths; v->n++) {
		struct vcache *vc = &v->c[v->n];

		if ((rc = cache_open(&vc->r, paths[v->n], e))) {
			sqlvt_close(v);
			return rc;
		}
		vc->t0 = cache_meta(vc->r)->f.first_ts;
		v->nconns += cache_nconns(vc->r);
		v->npkts += cache_npkts(vc->r);
	}
	*out = v;
	return 0;
}

void sqlvt_close(struct sqlvt *v)
{
	if (!v)
		return;
	for (int i = 0; i < v->n; i++) {
		cache_close(v->c[i].r);
		free(v->c[i].conns);
	}
	free(v->c);
	free(v);
}

int sqlvt_error(struct sqlvt *v, struct err *e)
{
	int rc = v->rc;

	if (rc)
		*e = v->err;
	v->rc = 0;
	return rc;
}

/* Loads every connection of vc once; 0 or ERR_*. */
static int conns_load(struct vcache *vc, struct err *e)
{
	return vc->conns ? 0 : cache_conns_load(vc->r, &vc->conns, &vc->nconns, e);
}

/*
 * Connection `stream` of vc into *out (pointing into vc's array or at buf):
 * 0, 1 when the cache has no such connection, or ERR_* with e set.
 */
static int conn_find(struct vcache *vc, int64_t stream, struct cache_conn *buf,
		     const struct cache_conn **out, struct err *e)
{
	int rc;

	/* a lookup may decompress a block; past about a scan's worth, scan */
	if (!vc->conns && ++vc->lookups > cache_nconns(vc->r) / 128 &&
	    (rc = conns_load(vc, e)))
		return rc;
	if (vc->conns) {
		size_t lo = 0, hi = vc->nconns;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (vc->conns[mid].stream < stream)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == vc->nconns || vc->conns[lo].stream != stream)
			return 1;
		*out = &vc->conns[lo];
		return 0;
	}
	if (stream < 0 || stream > UINT32_MAX)
		return 1;
	rc = cache_conn_get(vc->r, (uint32_t)stream, buf, e);
	if (rc == ERR_USAGE)	/* no such stream, or filtered out */
		return 1;
	if (rc)
		return rc;
	*out = buf;
	return 0;
}

/* ---- the packet scan thread ---- */

struct pktscan {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct cache_reader *r;		/* the thread's own reader */
	struct cache_pkt *buf[2];	/* SCAN_BATCH records each */
	unsigned n[2];			/* records in buf[i] */
	bool full[2];			/* buf[i] handed to the consumer */
	unsigned w;			/* producer's buffer */
	unsigned rd;			/* consumer's buffer */
	bool reading;			/* consumer holds buf[rd] */
	bool stop;			/* consumer: quit at the next batch */
	bool done;			/* producer: no more batches */
	int rc;				/* producer's outcome, once done */
	struct err err;
};

/* Producer: hands buf[w] over and waits for the other one; > 0 to stop. */
static int scan_publish(struct pktscan *s)
{
	int stop;

	pthread_mutex_lock(&s->mu);
	s->full[s->w] = true;
	pthread_cond_broadcast(&s->cv);
	s->w ^= 1;
	while (s->full[s->w] && !s->stop)
		pthread_cond_wait(&s->cv, &s->mu);
	stop = s->stop;
	pthread_mutex_unlock(&s->mu);
	s->n[s->w] = 0;
	return stop;
}

static int scan_pkt(void *arg, const struct cache_pkt *p)
{
	struct pktscan *s = arg;

	s->buf[s->w][s->n[s->w]++] = *p;
	return s->n[s->w] == SCAN_BATCH ? scan_publish(s) : 0;
}

static void *scan_main(void *arg)
{
	struct pktscan *s = arg;
	int rc = cache_pkts_each(s->r, scan_pkt, s, &s->err);

	pthread_mutex_lock(&s->mu);
	if (rc == 0 && !s->stop && s->n[s->w] > 0)	/* the last, partial batch */
		s->full[s->w] = true;
	s->rc = rc;
	s->done = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Stops and frees a scan (NULL ok); the thread ends at its next batch. */
static void scan_free(struct pktscan *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	cache_close(s->r);
	free(s->buf[0]);
	free(s->buf[1]);
	free(s);
}

/* Starts a frame-order scan of the cache at path. */
static int scan_new(struct pktscan **out, const char *path, struct err *e)
{
	struct pktscan *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s)
		return err_set(e, ERR_NOMEM, path, "out of memory");
	s->buf[0] = malloc(SCAN_BATCH * sizeof(struct cache_pkt));
	s->buf[1] = malloc(SCAN_BATCH * sizeof(struct cache_pkt));
	if (!s->buf[0] || !s->buf[1]) {
		rc = err_set(e, ERR_NOMEM, path, "out of memory");
		goto out_free;
	}
	if ((rc = cache_open(&s->r, path, e)))
		goto out_free;
	err_clear(&s->err);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (pthread_create(&s->thread, NULL, scan_main, s)) {
		rc = err_set(e, ERR_NOMEM, path, "cannot start a thread");
		pthread_cond_destroy(&s->cv);
		pthread_mutex_destroy(&s->mu);
		cache_close(s->r);
		goto out_free;
	}
	*out = s;
	return 0;
out_free:
	free(s->buf[0]);
	free(s->buf[1]);
	free(s);
	return rc;
}

/*
 * Consumer: releases the batch it held and takes the next one: its
 * records and count (0 at the end), or the producer's error.
 */
static int scan_next(struct pktscan *s, const struct cache_pkt **pkts,
		     unsigned *n, struct err *e)
{
	int rc = 0;

	pthread_mutex_lock(&s->mu);
	if (s->reading) {
		s->full[s->rd] = false;
		s->rd ^= 1;
		pthread_cond_broadcast(&s->cv);
	}
	while (!s->full[s->rd] && !s->done)
		pthread_cond_wait(&s->cv, &s->mu);
	s->reading = s->full[s->rd];
	*pkts = s->buf[s->rd];
	*n = s->reading ? s->n[s->rd] : 0;
	if (!s->reading && s->rc < 0) {
		rc = s->rc;
		*e = s->err;
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

/* ---- the module ---- */

struct vtab {
	sqlite3_vtab base;
	struct sqlvt *v;
	enum sqlvt_table kind;
	int ids[F_COUNT];	/* column i >= 1 is field ids[i - 1] */
	int nids;
	int stream_col;		/* column of `stream`; -1 for caches */
	int order_col;		/* column the scan's order follows; -1 none */
};

struct cursor {
	sqlite3_vtab_cursor base;
	struct vtab *t;
	int ci;			/* cache being read */
	int cend;		/* one past the last cache to read */
	bool by_stream;		/* only connection `stream` */
	int64_t stream;
	bool eof;
	size_t pos;		/* current row within the rows below */
	size_t n;		/* rows of the current cache (or batch) */
	/* what the rows come from, per mode */
	const struct cache_conn *conns;	/* conns: array of n */
	struct cache_conn one;		/* a connection read by itself */
	struct cache_pkt *pkts;		/* packets by stream: n of them */
	size_t pkts_cap;
	struct pktscan *scan;		/* packets, full scan */
	const struct cache_pkt *batch;	/* its current batch of n */
	/* the current row */
	struct field_row row;
	const struct cache_conn *memo;	/* last connection found for a packet */
	char scratch[FIELD_SCRATCH];
};

/* Fails the statement with a cache error, keeping it for sqlvt_error. */
static int vt_fail(struct vtab *t, int rc, const struct err *e)
{
	char buf[1200];

	if (!t->v->rc) {
		t->v->rc = rc;
		t->v->err = *e;
	}
	err_format(e, buf, sizeof(buf));
	sqlite3_free(t->base.zErrMsg);
	t->base.zErrMsg = sqlite3_mprintf("%s", buf);
	return SQLITE_ERROR;
}

static int vt_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
		      sqlite3_vtab **out, char **errmsg)
{
	struct vtab *t;
	char *cols, *sql;
	int kind = -1, rc;

	for (int i = 0; argc == 4 && i < SQLVT_NTABLES; i++)
		if (!strcmp(argv[3], table_names[i]))
			kind = i;
	if (kind < 0) {
		*errmsg = sqlite3_mprintf("tcpsift: give one table: conns, packets or caches");
		return SQLITE_ERROR;
	}
	t = sqlite3_malloc(sizeof(*t));
	if (!t)
		return SQLITE_NOMEM;
	memset(t, 0, sizeof(*t));
	t->v = aux;
	t->kind = (enum sqlvt_table)kind;
	t->stream_col = t->order_col = -1;
	if (kind != SQLVT_CACHES) {
		t->nids = table_fields(t->kind, t->ids);
		for (int i = 0; i < t->nids; i++) {
			if (t->ids[i] == F_CONNS_stream || t->ids[i] == F_PACKETS_stream)
				t->stream_col = i + 1;
			if (t->ids[i] == (kind == SQLVT_CONNS ? F_CONNS_stream : F_PACKETS_frame))
				t->order_col = i + 1;
		}
	}
	cols = sqlvt_columns(t->kind, true);
	sql = cols ? sqlite3_mprintf("CREATE TABLE x(%s)", cols) : NULL;
	rc = sql ? sqlite3_declare_vtab(db, sql) : SQLITE_NOMEM;
	sqlite3_free(sql);
	sqlite3_free(cols);
	if (rc != SQLITE_OK) {
		sqlite3_free(t);
		return rc;
	}
	*out = &t->base;
	return SQLITE_OK;
}

static int vt_disconnect(sqlite3_vtab *vt)
{
	sqlite3_free(vt);
	return SQLITE_OK;
}

/*
 * Plans: an equality on cache narrows the caches read, one on stream
 * reads one connection through the index.  Costs are in packet-record
 * reads: a connection record costs about 10 in a scan, a point lookup
 * about a block's decompression (5000, or half a small cache), so SQLite
 * runs a join of all packets with conns as a packet scan with connection
 * lookups, and a join on one connection through the index.
 */
static int vt_best_index(sqlite3_vtab *vt, sqlite3_index_info *ii)
{
	struct vtab *t = (struct vtab *)vt;
	int cache_i = -1, stream_i = -1, argv = 0, idx = 0;
	double ncache = t->v->n ? t->v->n : 1, share;

	if (t->kind == SQLVT_CACHES) {
		ii->estimatedRows = t->v->n;
		ii->estimatedCost = t->v->n;
		return SQLITE_OK;
	}
	for (int i = 0; i < ii->nConstraint; i++) {
		const struct sqlite3_index_constraint *k = &ii->aConstraint[i];

		if (!k->usable || k->op != SQLITE_INDEX_CONSTRAINT_EQ)
			continue;
		if (k->iColumn == COL_CACHE)
			cache_i = i;
		else if (k->iColumn == t->stream_col)
			stream_i = i;
	}
	share = 1;
	if (cache_i >= 0) {
		ii->aConstraintUsage[cache_i].argvIndex = ++argv;
		idx |= IDX_CACHE;
		share = 1 / ncache;
		ncache = 1;
	}
	if (stream_i >= 0) {
		ii->aConstraintUsage[stream_i].argvIndex = ++argv;
		idx |= IDX_STREAM;
	}
	ii->idxNum = idx;
	ii->idxStr = (char *)(idx == (IDX_CACHE | IDX_STREAM) ? "cache,stream" :
			      idx == IDX_STREAM ? "stream" : idx ? "cache" : "scan");
	if (t->kind == SQLVT_CONNS && stream_i >= 0) {
		ii->estimatedRows = (sqlite3_int64)ncache;
		ii->estimatedCost = 10 * ncache;
		if (ncache == 1)
			ii->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
	} else if (t->kind == SQLVT_CONNS) {
		ii->estimatedRows = (sqlite3_int64)((double)t->v->nconns * share) + 1;
		ii->estimatedCost = 10.0 * (double)ii->estimatedRows;
	} else if (stream_i >= 0) {
		/* a small cache is a block or two: still cheaper than a scan */
		double per = (double)t->v->npkts / (t->v->n ? t->v->n : 1) / 2;

		ii->estimatedRows = (sqlite3_int64)(ncache * (double)t->v->npkts /
						    (double)(t->v->nconns + 1)) + 1;
		ii->estimatedCost = ncache * (per < 5000 ? per : 5000) +
				    (double)ii->estimatedRows;
	} else {
		ii->estimatedRows = (sqlite3_int64)((double)t->v->npkts * share) + 1;
		ii->estimatedCost = (double)ii->estimatedRows;
	}
	/* one cache scanned whole comes in stream (conns) or frame order */
	if (ii->nOrderBy == 1 && ii->aOrderBy[0].iColumn == t->order_col &&
	    !ii->aOrderBy[0].desc && t->v->n == 1 && stream_i < 0)
		ii->orderByConsumed = 1;
	return SQLITE_OK;
}

static int vt_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
	struct cursor *c = sqlite3_malloc(sizeof(*c));

	if (!c)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof(*c));
	c->t = (struct vtab *)vt;
	c->row.scratch = c->scratch;
	c->eof = true;
	*out = &c->base;
	return SQLITE_OK;
}

/* Forgets the rows of the current cache. */
static void cur_drop(struct cursor *c)
{
	scan_free(c->scan);
	c->scan = NULL;
	c->conns = NULL;
	c->memo = NULL;
	c->n = c->pos = 0;
}

static int vt_close(sqlite3_vtab_cursor *vc)
{
	struct cursor *c = (struct cursor *)vc;

	cur_drop(c);
	free(c->pkts);
	sqlite3_free(c);
	return SQLITE_OK;
}

static int pkts_add(void *arg, const struct cache_pkt *p)
{
	struct cursor *c = arg;

	if (c->n == c->pkts_cap) {
		size_t cap = c->pkts_cap ? 2 * c->pkts_cap : 256;
		struct cache_pkt *q = realloc(c->pkts, cap * sizeof(*q));
		if (!q)
			return ERR_NOMEM;
		c->pkts = q;
		c->pkts_cap = cap;
	}
	c->pkts[c->n++] = *p;
	return 0;
}

/* Makes the row at pos the current one. */
static void cur_row(struct cursor *c)
{
	struct field_row *r = &c->row;

	r->t0 = c->t->v->c[c->ci].t0;
	if (c->t->kind == SQLVT_CACHES)	/* its columns read the meta */
		return;
	if (c->t->kind == SQLVT_CONNS) {
		r->conn = &c->conns[c->pos];
		return;
	}
	r->pkt = c->scan ? &c->batch[c->pos] : &c->pkts[c->pos];
	if (!c->scan)	/* by stream: the connection is known */
		return;
	/* the packet's connection, found when a column asks (vt_column) */
	r->conn = c->memo && c->memo->stream == r->pkt->stream ? c->memo : NULL;
}

/* Reads (or starts reading) the rows of cache ci: sets n and pos = 0. */
static int cur_begin(struct cursor *c, struct err *e)
{
	struct vcache *vc = &c->t->v->c[c->ci];
	const struct cache_conn *cp;
	unsigned n;
	int rc;

	c->n = c->pos = 0;
	if (c->t->kind == SQLVT_CACHES) {
		c->n = 1;
		return 0;
	}
	if (c->by_stream) {
		if ((rc = conn_find(vc, c->stream, &c->one, &cp, e)))
			return rc > 0 ? 0 : rc;
		if (c->t->kind == SQLVT_CONNS) {
			c->conns = cp;
			c->n = 1;
			return 0;
		}
		c->row.conn = cp;
		rc = cache_conn_pkts(vc->r, cp, pkts_add, c, e);
		if (rc == ERR_NOMEM)	/* pkts_add's: e not set */
			rc = err_set(e, rc, cache_path(vc->r), "out of memory");
		return rc;
	}
	if (c->t->kind == SQLVT_CONNS) {
		if ((rc = conns_load(vc, e)))
			return rc;
		c->conns = vc->conns;
		c->n = vc->nconns;
		return 0;
	}
	if ((rc = scan_new(&c->scan, cache_path(vc->r), e)) ||
	    (rc = scan_next(c->scan, &c->batch, &n, e)))
		return rc;
	c->n = n;
	return 0;
}

/*
 * Moves to the next row, across caches (first: to the first row from
 * cache ci on); c->eof when there is none.
 */
static int cur_advance(struct cursor *c, bool first)
{
	struct err e;
	unsigned n;
	int rc;

	err_clear(&e);
	if (!first && ++c->pos < c->n)
		goto out_row;
	if (!first && c->scan) {
		if ((rc = scan_next(c->scan, &c->batch, &n, &e)))
			return vt_fail(c->t, rc, &e);
		c->n = n;
		c->pos = 0;
		if (n)
			goto out_row;
	}
	for (;; first = false) {
		if (!first) {
			cur_drop(c);
			c->ci++;
		}
		if (c->ci >= c->cend) {
			c->eof = true;
			return SQLITE_OK;
		}
		if ((rc = cur_begin(c, &e)))
			return vt_fail(c->t, rc, &e);
		if (c->n)
			break;
	}
out_row:
	cur_row(c);
	return SQLITE_OK;
}

/* An equality's value as an integer: false when no integer equals it. */
static bool value_int(sqlite3_value *x, int64_t *out)
{
	double d;

	switch (sqlite3_value_numeric_type(x)) {	/* '5' becomes 5 */
	case SQLITE_INTEGER:
		*out = sqlite3_value_int64(x);
		return true;
	case SQLITE_FLOAT:
		d = sqlite3_value_double(x);
		*out = d >= -9e18 && d <= 9e18 ? (int64_t)d : 0;
		return (double)*out == d;
	}
	return false;	/* NULL, text, blob */
}

/* argv: cache if IDX_CACHE, then stream if IDX_STREAM (vt_best_index). */
static int vt_filter(sqlite3_vtab_cursor *vc, int idx, const char *idxstr,
		     int argc, sqlite3_value **argv)
{
	struct cursor *c = (struct cursor *)vc;
	int a = 0;

	(void)idxstr;
	(void)argc;
	cur_drop(c);
	c->row.conn = NULL;
	c->row.pkt = NULL;
	c->eof = false;
	c->ci = 0;
	c->cend = c->t->v->n;
	c->by_stream = false;
	if (idx & IDX_CACHE) {
		int64_t ci;

		if (!value_int(argv[a++], &ci) || ci < 0 || ci >= c->t->v->n) {
			c->eof = true;	/* no such cache: no rows */
			return SQLITE_OK;
		}
		c->ci = (int)ci;
		c->cend = (int)ci + 1;
	}
	if (idx & IDX_STREAM) {
		if (!value_int(argv[a++], &c->stream)) {
			c->eof = true;	/* NULL, 'x', 1.5: no stream equals it */
			return SQLITE_OK;
		}
		c->by_stream = true;
	}
	return cur_advance(c, true);
}

static int vt_next(sqlite3_vtab_cursor *vc)
{
	return cur_advance((struct cursor *)vc, false);
}

static int vt_eof(sqlite3_vtab_cursor *vc)
{
	return ((struct cursor *)vc)->eof;
}

static int vt_column(sqlite3_vtab_cursor *vc, sqlite3_context *ctx, int col)
{
	struct cursor *c = (struct cursor *)vc;
	struct filter_value v;
	char b[ADDR_STR_MAX];	/* an address or flag letters */
	struct addr16 a;
	int id, rc;

	if (c->t->kind == SQLVT_CACHES) {
		cache_column(ctx, c->t->v, c->ci, col);
		return SQLITE_OK;
	}
	if (col == COL_CACHE) {
		sqlite3_result_int(ctx, c->ci);
		return SQLITE_OK;
	}
	if (col < 1 || col > c->t->nids)
		return SQLITE_OK;
	id = c->t->ids[col - 1];
	if (c->row.pkt && !c->row.conn && field_needs_conn(id)) {
		struct err e;
		const struct cache_conn *cp;

		err_clear(&e);
		rc = conn_find(&c->t->v->c[c->ci], c->row.pkt->stream, &c->one, &cp, &e);
		if (rc < 0) {
			vt_fail(c->t, rc, &e);
			sqlite3_result_error(ctx, c->t->base.zErrMsg, -1);
			return SQLITE_ERROR;
		}
		if (rc == 0)
			c->row.conn = c->memo = cp;
	}
	if (!field_get(&c->row, id, &v))
		return SQLITE_OK;	/* absent: NULL */
	switch (field_info[id].type) {
	case FT_INT: case FT_PORT: case FT_BOOL:
		sqlite3_result_int64(ctx, v.i);
		break;
	case FT_SECS: case FT_REAL:
		sqlite3_result_double(ctx, (double)v.i / 1e9);
		break;
	case FT_TIME:
		result_time(ctx, v.i);
		break;
	case FT_ADDR:
		memcpy(a.b, v.addr, sizeof(a.b));
		addr_format(b, sizeof(b), &a, v.ipver);
		sqlite3_result_text(ctx, b, -1, SQLITE_TRANSIENT);
		break;
	case FT_FLAGS:
		tcpflags_str(b, (uint16_t)v.i);
		sqlite3_result_text(ctx, b, -1, SQLITE_TRANSIENT);
		break;
	case FT_STR:
		sqlite3_result_text(ctx, v.s, (int)v.len, SQLITE_TRANSIENT);
		break;
	}
	return SQLITE_OK;
}

static int vt_rowid(sqlite3_vtab_cursor *vc, sqlite3_int64 *rowid)
{
	struct cursor *c = (struct cursor *)vc;
	int64_t ci = c->ci;

	if (c->t->kind == SQLVT_CACHES)
		*rowid = ci;
	else if (c->t->kind == SQLVT_CONNS)
		*rowid = ci << 32 | c->row.conn->stream;
	else
		*rowid = ci << 40 | (int64_t)c->row.pkt->frame;
	return SQLITE_OK;
}

static const sqlite3_module module = {
	.iVersion = 1,
	.xCreate = vt_connect,
	.xConnect = vt_connect,
	.xBestIndex = vt_best_index,
	.xDisconnect = vt_disconnect,
	.xDestroy = vt_disconnect,
	.xOpen = vt_open,
	.xClose = vt_close,
	.xFilter = vt_filter,
	.xNext = vt_next,
	.xEof = vt_eof,
	.xColumn = vt_column,
	.xRowid = vt_rowid,
};

int sqlvt_attach(struct sqlvt *v, sqlite3 *db, const char *prefix,
		 struct err *e)
{
	int rc = sqlite3_create_module_v2(db, "tcpsift", &module, v, NULL);

	for (int i = 0; i < SQLVT_NTABLES && rc == SQLITE_OK; i++) {
		char *sql = sqlite3_mprintf("CREATE VIRTUAL TABLE temp.\"%w%w\" USING tcpsift(%s)",
					    prefix, table_names[i], table_names[i]);
		rc = sql ? sqlite3_exec(db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;
		sqlite3_free(sql);
	}
	if (rc != SQLITE_OK)
		return err_set(e, rc == SQLITE_NOMEM ? ERR_NOMEM : ERR_IO, NULL,
			       "sqlite: %s", sqlite3_errmsg(db));
	return 0;
}
