/*
 * query.h - what stands between a report's rows and the output: the
 * user's --where, --sort, --limit, --first and --columns, the same for
 * every report.
 *
 * A report describes its result set once (struct query_spec: a table of
 * the catalog, the default columns and order) and hands over rows
 * (struct field_row); the query filters each with the compiled --where,
 * then prints it at once, or, when an order is asked, keeps just the
 * cells it needs and prints them sorted at the end.  Values come from
 * field_get(), so a column, a --where test and a sort key of one name are
 * one computation.  Key invariant: with no order to apply, query_row()
 * neither allocates nor buffers, and it says when --limit has been
 * reached, so a scan can stop early.
 */
#ifndef TCPSIFT_QUERY_H
#define TCPSIFT_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "fields.h"
#include "out.h"

/* The user's options, as given (NULL: not given). */
struct query_opts {
	const char *where;
	const char *sort;	/* "synack,-stream" */
	const char *columns;	/* "stream,synack", or "all" */
	bool has_limit;
	uint64_t limit;
	bool first;		/* --limit 1 after ordering by time */
};

/* A report's result set. */
struct query_spec {
	enum field_table table;
	const int *cols;	/* default columns (F_* ids), in order */
	unsigned ncols;
	/*
	 * Rows carry their records (a connection; a packet and, when asked,
	 * its connection), so every FIELD of the table can be shown, tested
	 * and sorted on, and a packet row's "conn." fields too; false: only
	 * `cols` exist.
	 */
	bool records;
	const char *order;	/* default order as for --sort; NULL: as handed */
	int time_field;		/* --first orders by it; -1: as handed */
	uint64_t limit;		/* default --limit; 0: none */
};

struct query;

/*
 * Compiles the user's options against `spec`: ERR_USAGE with e set (for
 * --where, e->msg holds the message, the expression and a caret line).
 */
int query_new(struct query **out, const struct query_opts *u,
	      const struct query_spec *spec, struct out *o, struct err *e);
void query_free(struct query *q);

/* True when some field the query reads needs a packet's connection. */
bool query_needs_conn(const struct query *q);

/* True when the user chose columns or an order (a drawing report then
 * prints a plain table instead). */
bool query_shaped(const struct query *q);

/*
 * Starts one result set (per cache; label: see out_begin).  `spec` must
 * be the one query_new compiled; 0 or an error.
 */
int query_begin(struct query *q, const char *label, struct err *e);

/*
 * One row: 0 go on, 1 the limit is reached (later rows would be dropped:
 * stop when the order is the report's own), < 0 error (out of memory).
 */
int query_row(struct query *q, const struct field_row *r, struct err *e);

/*
 * For a report that draws rows itself (the ladder): true when row r
 * passes --where and --limit, counting it; the caller prints it.
 */
bool query_take(struct query *q, const struct field_row *r);

/*
 * For a scan that tests packets before decoding them whole (see
 * cache_pkts_scan): the packet-record fields --where reads (a set of
 * PKT_BIT; 0 without --where), and whether row r passes --where alone,
 * not counted toward --limit.  query_row() tests the rows again.
 */
uint32_t query_pkt_reads(const struct query *q);
bool query_where(struct query *q, const struct field_row *r);

/* Ends the result set: sorts and prints what was held. */
int query_end(struct query *q, struct err *e);

/* The common options' help text, for the driver's usage. */
extern const char query_help[];

#endif
