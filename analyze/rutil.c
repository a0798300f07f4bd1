/*
 * rutil.c - see rutil.h.
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "analysis.h"
#include "decode.h"
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
