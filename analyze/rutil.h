/*
 * rutil.h - what several reports share: the connection selector behind
 * --stream/--host/--port/--client/--server/--from/--to, TCP flag letters,
 * analysis flag names and Wireshark's notes for them, the names of
 * connection end states, and small helpers for reports that collect
 * connections before they print (growing arrays, sorted percentiles,
 * fixed-point cells).  Nothing here prints except through out.h.
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

/* A cell holding an address (IPv4 or IPv6 by ipver). */
void rutil_out_addr(struct out *o, const struct addr16 *a, int ipver);

/*
 * Orders servers by IP version, address, then port; 0 when they are the
 * same server.  For grouping rows per server.
 */
int rutil_server_cmp(int va, const struct addr16 *a, unsigned pa,
		     int vb, const struct addr16 *b, unsigned pb);

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
