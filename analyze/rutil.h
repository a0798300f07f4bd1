/*
 * rutil.h - what several reports share: the connection selector behind
 * --stream/--host/--port/--client/--server/--from/--to, and small helpers
 * for reports that collect connections before they print (growing arrays,
 * sorted percentiles, per-server groups, fixed-point cells).  The record
 * helpers (flag letters, analysis names and notes, end states) are in
 * fields.h, with the getters that use them.  Nothing here prints except
 * through out.h.
 */
#ifndef TCPSIFT_RUTIL_H
#define TCPSIFT_RUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "out.h"
#include "fields.h"
#include "record.h"

/* A connection selector; zeroed = everything. */
struct conn_sel {
	int64_t stream;		/* -1 any */
	bool has_host, has_client, has_server;
	struct addr16 host, client, server;
	int host_v, client_v, server_v;
	int port;		/* either side, -1 any */
	int cport, sport;	/* -1 any */
	bool has_from, has_to;
	int64_t from, to;	/* ns relative to the capture's first frame */
};

void conn_sel_init(struct conn_sel *s);

/*
 * Options shared by the selecting reports; returns 0 when handled, 1 when
 * `code` is not a selector option, ERR_USAGE with e set on a bad value.
 */
enum {
	SEL_OPT_STREAM = 1000, SEL_OPT_HOST, SEL_OPT_PORT, SEL_OPT_CLIENT,
	SEL_OPT_SERVER, SEL_OPT_FROM, SEL_OPT_TO
};
int conn_sel_option(struct conn_sel *s, int code, const char *arg,
		    struct err *e);

#define CONN_SEL_LONGOPTS \
	{ "stream", required_argument, NULL, SEL_OPT_STREAM }, \
	{ "host", required_argument, NULL, SEL_OPT_HOST }, \
	{ "port", required_argument, NULL, SEL_OPT_PORT }, \
	{ "client", required_argument, NULL, SEL_OPT_CLIENT }, \
	{ "server", required_argument, NULL, SEL_OPT_SERVER }, \
	{ "from", required_argument, NULL, SEL_OPT_FROM }, \
	{ "to", required_argument, NULL, SEL_OPT_TO }

#define CONN_SEL_HELP \
"  --stream N          only connection N (Wireshark's tcp.stream)\n" \
"  --host IP           connections with IP on either side\n" \
"  --port N            connections with port N on either side\n" \
"  --client IP[:PORT]  connections from this client\n" \
"  --server IP[:PORT]  connections to this server\n" \
"  --from T, --to T    connections active between T and T (seconds from\n" \
"                      the capture's first frame; units ns us ms s m h)\n"

/* true when c matches; capture_start is the capture's first frame time. */
bool conn_sel_match(const struct conn_sel *s, const struct cache_conn *c,
		    int64_t capture_start);

/* True when the selector pins exactly one stream. */
bool conn_sel_is_one_stream(const struct conn_sel *s);

/*
 * Per-server rows (handshake --summary, health --by-server): a report's
 * row struct starts with this key, is sorted with rutil_server_order and
 * walked group by group with rutil_server_group_end.
 */
struct rutil_server {
	struct addr16 addr;
	uint16_t port;
	uint8_t ipver;
};

/* The server of connection c. */
struct rutil_server rutil_server_of(const struct cache_conn *c);

/* qsort order of rows starting with a struct rutil_server: IP version,
 * address, then port. */
int rutil_server_order(const void *a, const void *b);

/* The first row after row i (of n rows of `size` bytes, sorted) with
 * another server: row i's group is [i, end). */
size_t rutil_server_group_end(const void *rows, size_t n, size_t size,
			      size_t i);

/* A server field (F_SERVERS_server or _sport) of k into *v; false for
 * any other id. */
bool rutil_server_get(const struct rutil_server *k, int id,
		      struct filter_value *v);

/* A number cell v / 10^decimals with that many decimals ("12.50"). */
void rutil_out_fixed(struct out *o, int64_t v, int decimals);

/*
 * Makes room for `need` elements of `size` bytes in *p (capacity *cap,
 * grown by doubling); 0, or ERR_NOMEM with e set (then *p is unchanged).
 */
int rutil_grow(void **p, size_t *cap, size_t need, size_t size,
	       struct err *e);

/* Sorts v ascending. */
void rutil_sort_i64(int64_t *v, size_t n);

/* The pct-th percentile (0..100) of sorted v (n > 0), by nearest rank:
 * the smallest value with at least pct% of the values at or below it. */
int64_t rutil_percentile(const int64_t *v, size_t n, unsigned pct);

#endif
