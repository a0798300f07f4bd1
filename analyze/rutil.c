/*
 * rutil.c - see rutil.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "analysis.h"
#include "decode.h"
#include "rutil.h"
#include "timefmt.h"
#include "zeek.h"

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

void tcpflags_str(char *buf, uint16_t flags)
{
	static const char letters[] = "FSRPAUECN";
	size_t n = 0;

	for (int i = 0; i < 9; i++)
		if (flags & (1u << i))
			buf[n++] = letters[i];
	buf[n] = '\0';
}

const char *conn_state_name(const struct cache_conn *c)
{
	unsigned fin = c->end & (CONN_END_FIN_C | CONN_END_FIN_S);

	if (c->end & (CONN_END_RST_C | CONN_END_RST_S))	/* who reset first */
		return c->end & CONN_END_RST_FIRST_S ? "rst_server" : "rst_client";
	if (fin == (CONN_END_FIN_C | CONN_END_FIN_S))
		return "fin";
	if (fin == CONN_END_FIN_C)
		return "fin_client";
	if (fin == CONN_END_FIN_S)
		return "fin_server";
	return "open";
}

int rutil_server_cmp(int va, const struct addr16 *a, unsigned pa,
		     int vb, const struct addr16 *b, unsigned pb)
{
	int d;

	if (va != vb)
		return va < vb ? -1 : 1;
	if ((d = memcmp(a->b, b->b, sizeof(a->b))))
		return d;
	return (pa > pb) - (pa < pb);
}

char *analysis_str(char *buf, size_t size, uint32_t flags)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned b = 0; b < ANALYSIS_NFLAGS; b++) {
		const char *name = analysis_flag_name(b);
		size_t len = strlen(name);

		if (!(flags & (1u << b)))
			continue;
		if (n + len + 2 > size)
			break;
		if (n)
			buf[n++] = '+';
		memcpy(buf + n, name, len + 1);
		n += len;
	}
	return buf;
}

/*
 * Wireshark prepends each note to the Info column as it tests the flags,
 * so the column shows them in the reverse of packet-tcp.c's order; this
 * table is in the order shown.  Fast and spurious retransmissions carry
 * AN_RETRANSMISSION too but show only their own note.
 */
static const struct {
	uint32_t flag;
	const char *text;
} notes[] = {
	{ AN_ZERO_WINDOW_PROBE_ACK, "[TCP ZeroWindowProbeAck]" },
	{ AN_ZERO_WINDOW, "[TCP ZeroWindow]" },
	{ AN_ZERO_WINDOW_PROBE, "[TCP ZeroWindowProbe]" },
	{ AN_DUPLICATE_ACK, NULL },	/* "[TCP Dup ACK F#N]" */
	{ AN_KEEP_ALIVE_ACK, "[TCP Keep-Alive ACK]" },
	{ AN_KEEP_ALIVE, "[TCP Keep-Alive]" },
	{ AN_WINDOW_FULL, "[TCP Window Full]" },
	{ AN_WINDOW_UPDATE, "[TCP Window Update]" },
	{ AN_ACK_LOST_SEGMENT, "[TCP ACKed unseen segment]" },
	{ AN_LOST_SEGMENT, "[TCP Previous segment not captured]" },
	{ AN_OUT_OF_ORDER, "[TCP Out-Of-Order]" },
	{ AN_FAST_RETRANSMISSION, "[TCP Fast Retransmission]" },
	{ AN_SPURIOUS_RETRANSMISSION, "[TCP Spurious Retransmission]" },
	{ AN_RETRANSMISSION, "[TCP Retransmission]" },
	{ AN_REUSED_PORTS, "[TCP Port numbers reused]" },
};

char *analysis_notes(char *buf, size_t size, const struct cache_pkt *p)
{
	uint32_t f = p->analysis;
	size_t n = 0;

	if (f & (AN_FAST_RETRANSMISSION | AN_SPURIOUS_RETRANSMISSION))
		f &= ~(uint32_t)AN_RETRANSMISSION;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]) && n < size; i++) {
		int k;

		if (!(f & notes[i].flag))
			continue;
		if (notes[i].text)
			k = snprintf(buf + n, size - n, "%s%s", n ? " " : "", notes[i].text);
		else
			k = snprintf(buf + n, size - n, "%s[TCP Dup ACK %llu#%u]", n ? " " : "",
				     (unsigned long long)p->dupack_frame, p->dupack_num);
		if (k < 0)
			break;
		n += (size_t)k;
	}
	return buf;
}

const char *rutil_zeek_state(const struct cache_conn *c)
{
	if (!c->history.s[0])
		return NULL;
	return zeek_conn_state_name((enum zeek_conn_state)c->conn_state);
}

bool rutil_rtt_min(const struct cache_conn *c, int64_t *ns)
{
	if (c->rtt_n_c2s && c->rtt_n_s2c)
		*ns = c->rtt_min_c2s < c->rtt_min_s2c ? c->rtt_min_c2s : c->rtt_min_s2c;
	else if (c->rtt_n_c2s)
		*ns = c->rtt_min_c2s;
	else if (c->rtt_n_s2c)
		*ns = c->rtt_min_s2c;
	else
		return false;
	return true;
}

bool rutil_rtt_max(const struct cache_conn *c, int64_t *ns)
{
	if (!c->rtt_n_c2s && !c->rtt_n_s2c)
		return false;
	*ns = c->rtt_max_c2s > c->rtt_max_s2c ? c->rtt_max_c2s : c->rtt_max_s2c;
	return true;
}

void rutil_out_addr(struct out *o, const struct addr16 *a, int ipver)
{
	char b[ADDR_STR_MAX];

	addr_format(b, sizeof(b), a, ipver);
	out_str(o, b);
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
