/*
 * rutil.c - see rutil.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "rutil.h"
#include "timefmt.h"

void conn_sel_init(struct conn_sel *s)
{
	memset(s, 0, sizeof(*s));
	s->stream = -1;
	s->port = s->cport = s->sport = -1;
}

int conn_sel_option(struct conn_sel *s, int code, const char *arg,
		    struct err *e)
{
	char *end;
	long long v;
	int port;

	switch (code) {
	case SEL_OPT_STREAM:
		v = strtoll(arg, &end, 10);
		if (!*arg || *end || v < 0 || v > UINT32_MAX)
			return err_set(e, ERR_USAGE, NULL, "--stream takes a connection number, not '%s'", arg);
		s->stream = v;
		return 0;
	case SEL_OPT_PORT:
		v = strtoll(arg, &end, 10);
		if (!*arg || *end || v < 0 || v > 65535)
			return err_set(e, ERR_USAGE, NULL, "--port takes a port number, not '%s'", arg);
		s->port = (int)v;
		return 0;
	case SEL_OPT_HOST:
		if (!addr_parse(arg, &s->host, &s->host_v))
			return err_set(e, ERR_USAGE, NULL, "--host takes an IP address, not '%s'", arg);
		s->has_host = true;
		return 0;
	case SEL_OPT_CLIENT:
		if (!addr_parse_endpoint(arg, &s->client, &s->client_v, &port))
			return err_set(e, ERR_USAGE, NULL, "--client takes IP or IP:PORT, not '%s'", arg);
		s->has_client = true;
		s->cport = port;
		return 0;
	case SEL_OPT_SERVER:
		if (!addr_parse_endpoint(arg, &s->server, &s->server_v, &port))
			return err_set(e, ERR_USAGE, NULL, "--server takes IP or IP:PORT, not '%s'", arg);
		s->has_server = true;
		s->sport = port;
		return 0;
	case SEL_OPT_FROM:
	case SEL_OPT_TO:
		if (!timefmt_parse_duration(arg, code == SEL_OPT_FROM ? &s->from : &s->to))
			return err_set(e, ERR_USAGE, NULL, "--%s takes seconds (or a duration like 1.5s, 300ms), not '%s'",
				       code == SEL_OPT_FROM ? "from" : "to", arg);
		if (code == SEL_OPT_FROM)
			s->has_from = true;
		else
			s->has_to = true;
		return 0;
	default:
		return 1;
	}
}

bool conn_sel_match(const struct conn_sel *s, const struct cache_conn *c,
		    int64_t capture_start)
{
	if (s->stream >= 0 && c->stream != (uint64_t)s->stream)
		return false;
	if (s->has_host &&
	    !(c->ipver == s->host_v &&
	      (addr_is_equal(&c->client, &s->host) || addr_is_equal(&c->server, &s->host))))
		return false;
	if (s->port >= 0 && c->cport != s->port && c->sport != s->port)
		return false;
	if (s->has_client &&
	    (c->ipver != s->client_v || !addr_is_equal(&c->client, &s->client) ||
	     (s->cport >= 0 && c->cport != s->cport)))
		return false;
	if (s->has_server &&
	    (c->ipver != s->server_v || !addr_is_equal(&c->server, &s->server) ||
	     (s->sport >= 0 && c->sport != s->sport)))
		return false;
	if (s->has_from && c->last_ts - capture_start < s->from)
		return false;
	if (s->has_to && c->first_ts - capture_start > s->to)
		return false;
	return true;
}

bool conn_sel_is_one_stream(const struct conn_sel *s)
{
	return s->stream >= 0;
}

struct rutil_server rutil_server_of(const struct cache_conn *c)
{
	return (struct rutil_server){ c->server, c->sport, c->ipver };
}

int rutil_server_order(const void *pa, const void *pb)
{
	const struct rutil_server *a = pa, *b = pb;
	int d;

	if (a->ipver != b->ipver)
		return a->ipver < b->ipver ? -1 : 1;
	if ((d = memcmp(a->addr.b, b->addr.b, sizeof(a->addr.b))))
		return d;
	return (a->port > b->port) - (a->port < b->port);
}

size_t rutil_server_group_end(const void *rows, size_t n, size_t size,
			      size_t i)
{
	const char *base = rows;
	size_t j = i + 1;

	while (j < n && !rutil_server_order(base + j * size, base + i * size))
		j++;
	return j;
}

bool rutil_server_get(const struct rutil_server *k, int id,
		      struct filter_value *v)
{
	if (id == F_SERVERS_server)
		return field_value_addr(v, &k->addr, k->ipver);
	if (id == F_SERVERS_sport) {
		v->i = k->port;
		return true;
	}
	return false;
}

void rutil_out_fixed(struct out *o, int64_t v, int decimals)
{
	int64_t scale = 1;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	char b[64];

	if (decimals < 0 || decimals > 9)
		decimals = decimals < 0 ? 0 : 9;
	for (int i = 0; i < decimals; i++)
		scale *= 10;
	if (decimals > 0)
		snprintf(b, sizeof(b), "%s%llu.%0*llu", v < 0 ? "-" : "",
			 (unsigned long long)(u / (uint64_t)scale), decimals,
			 (unsigned long long)(u % (uint64_t)scale));
	else
		snprintf(b, sizeof(b), "%lld", (long long)v);
	out_str(o, b);	/* the column's type makes it a number cell */
}

int rutil_grow(void **p, size_t *cap, size_t need, size_t size,
	       struct err *e)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * size);
	if (!q)
		return err_set(e, ERR_NOMEM, NULL, "out of memory");
	*p = q;
	*cap = n;
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

void rutil_sort_i64(int64_t *v, size_t n)
{
	if (n)
		qsort(v, n, sizeof(*v), cmp_i64);
}

int64_t rutil_percentile(const int64_t *v, size_t n, unsigned pct)
{
	size_t rank = ((size_t)pct * n + 99) / 100;	/* ceil(pct% of n) */

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}
