/*
 * unit-filter.c - filter.c's `--where` language: precedence, every literal
 * type, sets, contains, pairs (host/port), conn. fields, absent values,
 * every error message with its caret column, the suggestions, and a
 * micro-benchmark (rows/s over 10M synthetic rows, printed, not checked:
 * the figure depends on the machine and on sanitizers).
 *
 * The rows are a plain struct read through a getter, as a report's would
 * be; a "connection" is the same struct read through a second catalog.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "decode.h"
#include "filter.h"
#include "unit.h"

struct row {
	int64_t synack;		/* ns */
	bool has_synack;
	int64_t ts;		/* ns since the epoch */
	struct addr16 client;
	struct addr16 server;
	uint8_t ipver;
	uint16_t cport;
	uint16_t sport;
	uint16_t flags;		/* TCPF_* */
	bool retrans;
	bool spurious;
	bool zero_window;
	int64_t count;
	const char *state;	/* NULL: absent */
};

enum {
	F_SYNACK, F_TS, F_CLIENT, F_SERVER, F_CPORT, F_SPORT, F_FLAGS,
	F_RETRANS, F_SPURIOUS, F_ZERO_WINDOW, F_COUNT, F_STATE, F_PCT
};

static const struct filter_field fields[] = {
	{ "synack", FT_SECS, F_SYNACK, NULL, NULL },
	{ "ts", FT_TIME, F_TS, NULL, NULL },
	{ "client", FT_ADDR, F_CLIENT, NULL, NULL },
	{ "server", FT_ADDR, F_SERVER, NULL, NULL },
	{ "host", FT_ADDR, -1, "client", "server" },
	{ "cport", FT_PORT, F_CPORT, NULL, NULL },
	{ "sport", FT_PORT, F_SPORT, NULL, NULL },
	{ "port", FT_PORT, -1, "cport", "sport" },
	{ "flags", FT_FLAGS, F_FLAGS, NULL, NULL },
	{ "retransmission", FT_BOOL, F_RETRANS, NULL, NULL },
	{ "spurious_retransmission", FT_BOOL, F_SPURIOUS, NULL, NULL },
	{ "zero_window", FT_BOOL, F_ZERO_WINDOW, NULL, NULL },
	{ "count", FT_INT, F_COUNT, NULL, NULL },
	{ "state", FT_STR, F_STATE, NULL, NULL },
	{ "pct", FT_REAL, F_PCT, NULL, NULL },	/* count / 4 */
	/* short aliases for the precedence tables */
	{ "a", FT_BOOL, F_RETRANS, NULL, NULL },
	{ "b", FT_BOOL, F_SPURIOUS, NULL, NULL },
	{ "c", FT_BOOL, F_ZERO_WINDOW, NULL, NULL },
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* What "conn." may name: a subset, as a packet report would offer. */
static const struct filter_field conn_fields[] = {
	{ "synack", FT_SECS, F_SYNACK, NULL, NULL },
	{ "client", FT_ADDR, F_CLIENT, NULL, NULL },
	{ "server", FT_ADDR, F_SERVER, NULL, NULL },
	{ "host", FT_ADDR, -1, "client", "server" },
	{ "sport", FT_PORT, F_SPORT, NULL, NULL },
	{ "conn_state", FT_STR, F_STATE, NULL, NULL },
};
#define NCONN (sizeof(conn_fields) / sizeof(conn_fields[0]))

static bool get(const void *p, int id, struct filter_value *v)
{
	const struct row *r = p;

	switch (id) {
	case F_SYNACK:
		v->i = r->synack;
		return r->has_synack;
	case F_TS:
		v->i = r->ts;
		return true;
	case F_CLIENT:
	case F_SERVER:
		memcpy(v->addr, (id == F_CLIENT ? &r->client : &r->server)->b, 16);
		v->ipver = r->ipver;
		return true;
	case F_CPORT:
		v->i = r->cport;
		return true;
	case F_SPORT:
		v->i = r->sport;
		return true;
	case F_FLAGS:
		v->i = r->flags;
		return true;
	case F_RETRANS:
		v->i = r->retrans;
		return true;
	case F_SPURIOUS:
		v->i = r->spurious;
		return true;
	case F_ZERO_WINDOW:
		v->i = r->zero_window;
		return true;
	case F_COUNT:
		v->i = r->count;
		return true;
	case F_PCT:
		v->i = (int64_t)r->count * 250000000;
		return true;
	case F_STATE:
		if (!r->state)
			return false;
		v->s = r->state;
		v->len = strlen(r->state);
		return true;
	}
	return false;
}

/* A connection row for the packet rows below; what conn. fields read. */
static struct row conn;

/* A typical row: client 198.51.100.7:51000 -> server 203.0.113.10:443. */
static struct row base(void)
{
	struct row r = { 0 };
	int ver;

	r.synack = 120000000;	/* 120 ms */
	r.has_synack = true;
	r.ts = 1537996862LL * 1000000000 + 500000000;	/* 2018-09-26T21:21:02.5Z */
	addr_parse("198.51.100.7", &r.client, &ver);
	addr_parse("203.0.113.10", &r.server, &ver);
	r.ipver = 4;
	r.cport = 51000;
	r.sport = 443;
	r.flags = TCPF_SYN | TCPF_ACK;
	r.count = 42;
	r.state = "SF";
	return r;
}

/* Compiles and matches; a compile error fails the check. */
static bool m(const char *expr, const struct row *r)
{
	struct filter *f;
	struct err e;
	bool hit;

	err_clear(&e);
	if (filter_compile(&f, expr, fields, NFIELDS, conn_fields, NCONN, &e)) {
		CHECKF(0, "'%s' did not compile: %llu: %s", expr,
		       (unsigned long long)e.at, e.msg);
		return false;
	}
	hit = filter_match(f, get, r, get, &conn);
	filter_free(f);
	return hit;
}

#define YES(expr, row) CHECKF(m(expr, row), "'%s' should match", expr)
#define NO(expr, row) CHECKF(!m(expr, row), "'%s' should not match", expr)

static void test_precedence(void)
{
	static const char *const exprs[] = {
		"a || b && c", "a or b and c", "!a && b", "not a and b",
		"(a || b) && c", "!(a || b)", "!!a", "!(a && b) || c",
		"a && b || c && !a", "not (a or b) and c", "((a))",
		"a && (b || !c)", "!a || !b && !c", "a&&b||c",
		"!(a || b) || !(b && c)", "a || b || c", "a && b && c",
		"!(!a || !b)", "(a || b) && (b || c) || !(a && c)",
	};

	for (int bits = 0; bits < 8; bits++) {
		struct row r = base();
		bool a = bits & 1, b = bits & 2, c = bits & 4;
		bool want[] = {
			a || (b && c), a || (b && c), !a && b, !a && b,
			(a || b) && c, !(a || b), a, !(a && b) || c,
			(a && b) || (c && !a), !(a || b) && c, a,
			a && (b || !c), !a || (!b && !c), (a && b) || c,
			!(a || b) || !(b && c), a || b || c, a && b && c,
			a && b, ((a || b) && (b || c)) || !(a && c),
		};

		r.retrans = a;
		r.spurious = b;
		r.zero_window = c;
		for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++)
			CHECKF(m(exprs[i], &r) == want[i], "'%s' with a=%d b=%d c=%d",
			       exprs[i], a, b, c);
	}
}

static void test_integers_and_durations(void)
{
	struct row r = base();

	YES("count == 42", &r);
	YES("count == 0x2a", &r);
	YES("count eq 42", &r);
	NO("count != 42", &r);
	YES("count > -1 && count >= 42 && count <= 42 && count < 43", &r);
	NO("count > 42", &r);
	YES("count ne 7 && count gt 41 && count lt 43 && count ge 42 && count le 42", &r);

	/* synack is 120 ms */
	YES("synack == 120ms", &r);
	YES("synack == 0.12", &r);
	YES("synack == 120000us", &r);
	YES("synack == 120000000ns", &r);
	YES("synack > 100ms && synack < 0.2s", &r);
	NO("synack > 300ms", &r);
	YES("synack < 1m && synack < 1h && synack < 1.5s", &r);
	YES("synack > -1", &r);
	YES("synack < 2562046h && synack > -9223372035s", &r);	/* the limits */
	r.synack = 300000001;
	YES("synack > 300ms", &r);
	YES("synack>0.3", &r);
}

static void test_times(void)
{
	struct row r = base();	/* 2018-09-26T21:21:02.5Z */

	YES("ts == 2018-09-26T21:21:02.5Z", &r);
	YES("ts == 2018-09-26T21:21:02.500000000Z", &r);
	YES("ts == 2018-09-26T23:21:02.5+02:00", &r);
	YES("ts == 2018-09-26T20:21:02.5-0100", &r);
	YES("ts == 2018-09-26T22:21:02.5+01", &r);
	YES("ts == \"2018-09-26 21:21:02.5Z\"", &r);
	YES("ts == 1537996862.5", &r);
	YES("ts > 2018-09-26T21:21Z && ts < 2018-09-26t21:22z", &r);
	NO("ts < 2018-09-26T21:21:02Z", &r);
	YES("ts in {2018-09-26T00:00Z..2018-09-27T00:00Z}", &r);
	r.ts = 951782400LL * 1000000000;	/* a leap day */
	YES("ts == 2000-02-29T00:00:00Z", &r);
	r.ts = -1000000000;
	YES("ts == 1969-12-31T23:59:59Z", &r);
}

static void test_addresses(void)
{
	struct row r = base();
	struct row r6 = base();
	int ver;

	YES("server == 203.0.113.10", &r);
	YES("server == 203.0.113.0/24", &r);
	YES("server == 203.0.0.0/8 && server == 0.0.0.0/0", &r);
	YES("server == 203.0.113.11/31", &r);	/* host bits beyond the prefix */
	NO("server == 203.0.113.0/29", &r);
	NO("server != 203.0.113.0/24", &r);
	YES("server != 203.0.114.0/24", &r);
	YES("client == 198.51.100.7/32", &r);
	YES("server in {192.0.2.1 203.0.113.0/25}", &r);
	NO("server in {192.0.2.1, 10.0.0.0/8}", &r);
	YES("server not in {192.0.2.1, 10.0.0.0/8}", &r);
	YES("server == \"203.0.113.10\"", &r);

	addr_parse("2001:db8::1", &r6.client, &ver);
	addr_parse("2001:db8:0:1::80", &r6.server, &ver);
	r6.ipver = 6;
	YES("server == 2001:db8:0:1::80", &r6);
	YES("server == 2001:db8::/32 && server == 2001:db8:0:1::/64", &r6);
	NO("server == 2001:db8:0:2::/64", &r6);
	YES("server == 2001:db8:0:1::81/127", &r6);
	NO("server == 2001:db8:0:1::81/128", &r6);
	YES("client == ::/0", &r6);
	NO("client == 0.0.0.0/0", &r6);		/* another version */
	NO("client == ::/0", &r);
	/* An IPv4 address and the IPv6 address with the same bytes differ. */
	addr_parse("cb00:710a::", &r6.server, &ver);
	NO("server == 203.0.113.10", &r6);
	YES("server == cb00:710a::", &r6);
}

static void test_ports_flags_strings_bools(void)
{
	struct row r = base();

	YES("sport == 443 && cport > 1023", &r);
	YES("sport in {80 443 8000..8080}", &r);
	YES("cport in {50000..52000}", &r);
	NO("cport in {1..1023, 8080}", &r);

	/* flags: SYN+ACK */
	YES("flags == SA", &r);
	YES("flags == AS && flags == as", &r);
	YES("flags == 0x12 && flags == 18", &r);
	NO("flags == S", &r);
	YES("flags contains S && flags contains A && flags contains SA", &r);
	NO("flags contains R", &r);
	NO("flags contains SAR", &r);
	YES("flags != R && flags in {S SA}", &r);
	r.flags = TCPF_RST | TCPF_ACK;
	YES("flags contains R", &r);
	r.flags = TCPF_FIN | TCPF_SYN | TCPF_RST | TCPF_PSH | TCPF_ACK |
		  TCPF_URG | TCPF_ECE | TCPF_CWR | TCPF_NS;
	YES("flags == FSRPAUECN && flags == 0x1ff", &r);

	/* strings */
	YES("state == \"SF\" && state == SF", &r);
	NO("state == \"S\" || state == \"SFX\"", &r);
	YES("state != \"S0\"", &r);
	YES("state contains \"F\" && state contains \"SF\" && state contains \"\"", &r);
	NO("state contains \"FS\"", &r);
	YES("state in {S0 SF REJ}", &r);
	YES("state not in {\"S0\", \"REJ\"}", &r);
	YES("state > \"S\" && state < \"SG\" && state >= \"SF\" && state <= \"SF\"", &r);
	r.state = "a\"b\\c\n";
	YES("state == \"a\\\"b\\\\c\\n\"", &r);
	YES("state contains \"\\x5c\"", &r);	/* a backslash */
	r.state = "";
	YES("state == \"\" && state", &r);
	NO("state contains \"x\"", &r);

	/* booleans */
	r.retrans = true;
	YES("retransmission", &r);
	YES("retransmission && !spurious_retransmission", &r);
	YES("retransmission == true && spurious_retransmission == false", &r);
	YES("retransmission != false && retransmission == 1 && zero_window == 0", &r);
	YES("retransmission in {true}", &r);
	NO("retransmission not in {true false}", &r);
	NO("spurious_retransmission", &r);
}

static void test_pairs(void)
{
	struct row r = base();

	YES("host 203.0.113.10", &r);
	YES("host 198.51.100.7", &r);
	YES("host 198.51.100.0/24 && host 203.0.113.0/24", &r);
	NO("host 192.0.2.1", &r);
	YES("host == 203.0.113.10", &r);
	YES("host in {192.0.2.1 198.51.100.7}", &r);
	/* != and not in: neither side */
	NO("host != 203.0.113.10", &r);
	YES("host != 192.0.2.1", &r);
	NO("host not in {203.0.113.10}", &r);
	YES("!host 203.0.113.10 || port 443", &r);
	YES("port 443 && port 51000", &r);
	NO("port 80", &r);
	YES("port < 1024 && port > 50000", &r);
	YES("port in {80 443}", &r);
	NO("port != 443", &r);
	YES("port != 80", &r);
	YES("host && port", &r);	/* present */
}

static void test_conn(void)
{
	struct row r = base();
	struct filter *f;
	struct err e;

	conn = base();
	conn.sport = 8443;
	conn.synack = 400000000;
	conn.state = "RSTO";
	r.zero_window = true;
	YES("conn.sport == 8443 && sport == 443", &r);
	YES("conn.sport == 8443 && zero_window", &r);
	YES("conn.synack > 300ms && synack < 300ms", &r);
	YES("conn.host 203.0.113.10 && conn.conn_state == RSTO", &r);
	NO("conn.conn_state == SF", &r);

	/* A filter without conn. fields says so; without a conn getter they are absent. */
	err_clear(&e);
	CHECK(filter_compile(&f, "sport == 443", fields, NFIELDS, conn_fields,
			     NCONN, &e) == 0);
	CHECK(!filter_uses_conn(f));
	filter_free(f);
	CHECK(filter_compile(&f, "conn.sport == 8443 || sport == 1", fields, NFIELDS,
			     conn_fields, NCONN, &e) == 0);
	CHECK(filter_uses_conn(f));
	CHECK(filter_match(f, get, &r, get, &conn));
	CHECK(!filter_match(f, get, &r, NULL, NULL));
	filter_free(f);
	CHECK(filter_compile(&f, "!conn.sport", fields, NFIELDS, conn_fields,
			     NCONN, &e) == 0);
	CHECK(filter_match(f, get, &r, NULL, NULL));
	filter_free(f);
	filter_free(NULL);
}

static void test_absent(void)
{
	struct row r = base();

	r.has_synack = false;
	r.state = NULL;
	NO("synack", &r);
	YES("!synack", &r);
	NO("synack > 0", &r);
	NO("synack < 1h", &r);
	NO("synack == 120ms", &r);
	NO("synack != 120ms", &r);		/* absent: false, as in Wireshark */
	YES("!(synack == 120ms)", &r);
	NO("synack in {0..1h}", &r);
	NO("synack not in {0..1h}", &r);
	NO("state contains \"S\"", &r);
	NO("state != \"SF\"", &r);
	YES("synack > 1 || sport == 443", &r);
	YES("not state", &r);
	YES("retransmission || !synack", &r);
}

/* One compile error: the expression, the caret column, the message. */
struct bad {
	const char *expr;
	unsigned col;
	const char *msg;
};

static void test_errors(void)
{
	static const struct bad cases[] = {
		{ "synak > 300ms", 0, "unknown field 'synak'; did you mean 'synack'?" },
		{ "sport == 443 && synak > 300ms", 16, "unknown field 'synak'; did you mean 'synack'?" },
		{ "Synack > 1", 0, "unknown field 'Synack'; did you mean 'synack'?" },
		{ "sprot == 443", 0, "unknown field 'sprot'; did you mean 'sport'?" },
		{ "retrans", 0, "unknown field 'retrans'; did you mean 'retransmission'?" },
		{ "conn_state == SF", 0, "unknown field 'conn_state'; did you mean 'conn.conn_state'?" },
		{ "conn.synak > 1", 0, "unknown field 'conn.synak'; did you mean 'conn.synack'?" },
		{ "conn.zero_window", 0, "unknown field 'conn.zero_window'; did you mean 'zero_window'?" },
		{ "bogus == 1", 0, "unknown field 'bogus'" },
		{ "synack == 203.0.113.1", 10, "synack is seconds, not an address" },
		{ "server == 300ms", 10, "server is an address, not a duration" },
		{ "server == 42", 10, "server is an address, not a number" },
		{ "count == 2018-09-26T21:21:02Z", 9, "count is an integer, not a timestamp" },
		{ "synack == \"fast\"", 10, "bad duration 'fast' (e.g. 300ms, 1.5s, 2m)" },
		{ "server == \"10.0.0.0/33\"", 19, "bad prefix length in '10.0.0.0/33'" },
		{ "synack == \"1.2.3.4\"", 10, "synack is seconds, not an address" },
		{ "conn.sport == 1.2.3.4", 14, "conn.sport is a port, not an address" },
		{ "host 300ms", 5, "host is an address, not a duration" },
		{ "synack > fast", 9, "bad duration 'fast' (e.g. 300ms, 1.5s, 2m)" },
		{ "synack > 2562048h", 9, "bad duration '2562048h' (e.g. 300ms, 1.5s, 2m)" },
		{ "synack > 99999999999", 9, "bad duration '99999999999' (e.g. 300ms, 1.5s, 2m)" },
		{ "count == 1.5", 9, "bad integer '1.5'" },
		{ "sport == 65536", 9, "bad port '65536' (0 to 65535)" },
		{ "sport == http", 9, "bad port 'http' (0 to 65535)" },
		{ "flags == \"SAX\"", 12, "bad tcp flags 'SAX' (letters of FSRPAUECN, e.g. SA)" },
		{ "x", 0, "unknown field 'x'" },
		{ "flags == SX", 10, "bad tcp flags 'SX' (letters of FSRPAUECN, e.g. SA)" },
		{ "retransmission == yes", 18, "bad boolean 'yes' (true or false)" },
		{ "server == 10.0.0.300", 10, "bad address '10.0.0.300' (e.g. 203.0.113.1, 2001:db8::/32)" },
		{ "server == 10.0.0.0/33", 18, "bad prefix length in '10.0.0.0/33'" },
		{ "server == 2001:db8::/129", 20, "bad prefix length in '2001:db8::/129'" },
		{ "ts > 2018-09-26T21:21:02", 5, "time '2018-09-26T21:21:02' needs a zone: 'Z' or an offset such as '+02:00'" },
		{ "ts > 2018-02-30T00:00Z", 5, "bad time '2018-02-30T00:00Z' (e.g. 2018-09-26T21:21:02.5Z)" },
		{ "sport in {1 2..x}", 15, "bad port 'x' (0 to 65535)" },
		{ "sport in {9..1}", 10, "empty range '9..1'" },
		{ "state == \"a\\qb\"", 11, "bad escape in string; use \\\\ \\\" \\n \\t \\r \\0 or \\xHH" },
		{ "server < 10.0.0.1", 7, "cannot use '<' on server, which is an address" },
		{ "flags >= SA", 6, "cannot use '>=' on flags, which is tcp flags" },
		{ "retransmission > 0", 15, "cannot use '>' on retransmission, which is a boolean" },
		{ "synack contains 1", 7, "cannot use 'contains' on synack, which is seconds" },
		{ "pct > 3ms", 6, "pct is a decimal number, not a duration" },
		{ "pct > x", 6, "bad number 'x' (e.g. 5, 2.5)" },
		{ "(synack > 1", 0, "unbalanced '('" },
		{ "sport == 1 && ((synack > 1)", 14, "unbalanced '('" },
		{ "synack > 1)", 10, "unbalanced ')'" },
		{ "(synack > 1 sport)", 12, "unexpected 'sport'; expected '&&', '||' or ')'" },
		{ "synack > 1 sport == 2", 11, "unexpected 'sport'; expected '&&', '||' or the end" },
		{ "synack 3", 7, "expected an operator after 'synack', got '3'" },
		{ "retransmission zero_window", 15, "expected '&&' or '||' before 'zero_window'" },
		{ "synack >", 8, "expected a value after '>', got the end" },
		{ "synack > )", 9, "expected a value after '>', got ')'" },
		{ "sport in 443", 9, "expected '{' after 'in', got '443'" },
		{ "sport in {443", 9, "unbalanced '{'" },
		{ "sport in {}", 9, "empty set" },
		{ "sport not 443", 10, "expected 'in' after 'not', got '443'" },
		{ "synack = 1", 7, "'=' is not an operator; use '=='" },
		{ "a & b", 2, "'&' is not an operator; use '&&'" },
		{ "a | b", 2, "'|' is not an operator; use '||'" },
		{ "state == \"SF", 9, "unterminated string" },
		{ "", 0, "empty filter" },
		{ "   ", 3, "empty filter" },
		{ "a &&", 4, "expected a field name, got the end" },
		{ "&& a", 0, "expected a field name, got '&&'" },
		{ "300ms < synack", 0, "expected a field name, got '300ms'" },
		{ "()", 1, "expected a field name, got ')'" },
		{ "a !b", 2, "unexpected '!'; expected '&&', '||' or the end" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad *b = &cases[i];
		struct filter *f = NULL;
		struct err e;
		int rc;

		err_clear(&e);
		rc = filter_compile(&f, b->expr, fields, NFIELDS, conn_fields,
				    NCONN, &e);
		CHECKF(rc == ERR_USAGE && !f, "'%s' compiled (rc %d)", b->expr, rc);
		CHECKF(e.where == ERR_AT_OFFSET && e.at == b->col,
		       "'%s': column %llu, want %u", b->expr,
		       (unsigned long long)e.at, b->col);
		CHECKF(!strcmp(e.msg, b->msg), "'%s': message \"%s\", want \"%s\"",
		       b->expr, e.msg, b->msg);
		filter_free(f);
	}
}

static void test_no_conn_catalog(void)
{
	struct filter *f;
	struct err e;

	err_clear(&e);
	CHECK(filter_compile(&f, "conn.sport == 443", fields, NFIELDS, NULL, 0,
			     &e) == ERR_USAGE);
	CHECK(!strcmp(e.msg, "unknown field 'conn.sport'; did you mean 'sport'?"));

	/* A pair whose sides are not in the list is the caller's mistake. */
	{
		static const struct filter_field broken[] = {
			{ "host", FT_ADDR, -1, "src", "dst" },
		};

		CHECK(filter_compile(&f, "host 10.0.0.1", broken, 1, NULL, 0,
				     &e) == ERR_USAGE);
		CHECK(!strcmp(e.msg, "field 'host' names sides that are not address fields of its list"));
	}
	/* Deep nesting is refused, not a stack overflow. */
	{
		char deep[2000];

		memset(deep, '(', 1000);
		strcpy(deep + 1000, "a");
		CHECK(filter_compile(&f, deep, fields, NFIELDS, NULL, 0, &e) == ERR_USAGE);
		CHECK(!strcmp(e.msg, "filter nested too deeply"));
		memset(deep, '!', 1000);
		CHECK(filter_compile(&f, deep, fields, NFIELDS, NULL, 0, &e) == ERR_USAGE);
	}
	CHECK(!strcmp(filter_type_name(FT_SECS), "seconds"));
	CHECK(!strcmp(filter_type_name(FT_TIME), "timestamp"));
	CHECK(!strcmp(filter_type_name(FT_FLAGS), "flags"));
}

static void test_caret(void)
{
	struct filter *f;
	struct err e;
	char buf[256];

	err_clear(&e);
	CHECK(filter_compile(&f, "sport == 443 && synak > 300ms", fields, NFIELDS,
			     NULL, 0, &e) == ERR_USAGE);
	filter_format_error(buf, sizeof(buf), "sport == 443 && synak > 300ms", &e);
	CHECKF(!strcmp(buf, "unknown field 'synak'; did you mean 'synack'?\n"
			    "  sport == 443 && synak > 300ms\n"
			    "                  ^"), "%s", buf);

	/* At the end; a tab stays a tab; UTF-8 counts as one column. */
	CHECK(filter_compile(&f, "synack >\t", fields, NFIELDS, NULL, 0, &e) == ERR_USAGE);
	filter_format_error(buf, sizeof(buf), "synack >\t", &e);
	CHECKF(!strcmp(buf, "expected a value after '>', got the end\n"
			    "  synack >\t\n"
			    "          \t^"), "%s", buf);
	CHECK(filter_compile(&f, "state == \xc3\xa9t\xc3\xa9 && x", fields, NFIELDS,
			     NULL, 0, &e) == ERR_USAGE);
	filter_format_error(buf, sizeof(buf), "state == \xc3\xa9t\xc3\xa9 && x", &e);
	CHECKF(!strcmp(buf, "unknown field 'x'\n"
			    "  state == \xc3\xa9t\xc3\xa9 && x\n"
			    "                  ^"), "%s", buf);

	/* Truncation is safe. */
	filter_format_error(buf, 8, "state == \xc3\xa9t\xc3\xa9 && x", &e);
	CHECK(!strcmp(buf, "unknown"));
}

/*
 * Random fragments glued together: every one compiles or fails cleanly
 * with a column inside the expression, and what compiles runs (the
 * sanitizer build is the real check here).
 */
static void test_garbage(void)
{
	static const char *const frag[] = {
		"synack", "conn.", "sport", "host", "port", "flags", "state",
		"ts", "a", "b", " ", "(", ")", "{", "}", ",", "!", "=", "==",
		"!=", "<", ">=", "&&", "||", "&", "|", "and", "or", "not", "in",
		"contains", "\"", "\\", "\\x4", "300ms", "1.5", "..", "10.0.0.0",
		"/", "24", "::", "2001:db8", "SA", "R", "-", "2018-09-26T21:21:02",
		"Z", "+02:00", "true", "\xc3", "\t", "0x", "99999999999999999999",
	};
	uint64_t x = 2463534242ULL;
	struct row r = base();

	conn = base();
	for (int iter = 0; iter < 20000; iter++) {
		char expr[256] = "";
		size_t len = 0;
		int n;
		struct filter *f;
		struct err e;
		int rc;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		n = 1 + (int)(x % 12);
		for (int i = 0; i < n; i++) {
			const char *s;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			s = frag[x % (sizeof(frag) / sizeof(frag[0]))];
			if (len + strlen(s) + 1 >= sizeof(expr))
				break;
			strcpy(expr + len, s);
			len += strlen(s);
		}
		err_clear(&e);
		rc = filter_compile(&f, expr, fields, NFIELDS, conn_fields,
				    NCONN, &e);
		if (rc == 0) {
			(void)filter_match(f, get, &r, get, &conn);
			(void)filter_match(f, get, &r, NULL, NULL);
			filter_free(f);
		} else {
			char buf[1024];

			CHECKF(rc == ERR_USAGE, "'%s': rc %d", expr, rc);
			CHECKF(e.where == ERR_AT_OFFSET && e.at <= len && e.msg[0],
			       "'%s': at %llu", expr, (unsigned long long)e.at);
			filter_format_error(buf, sizeof(buf), expr, &e);
		}
	}
}

/* ---- the micro-benchmark ---- */

/* Small like a cache record's hot part; 10M of them are 480 MB. */
struct brow {
	int64_t synack;
	uint8_t server[16];
	uint8_t ipver;
	uint8_t has_synack;
	uint16_t sport;
	uint16_t flags;
	uint8_t retrans;
	uint8_t spurious;
	uint8_t pad[8];
};

static bool bget(const void *p, int id, struct filter_value *v)
{
	const struct brow *r = p;

	switch (id) {
	case F_SYNACK:
		v->i = r->synack;
		return r->has_synack;
	case F_SERVER:
		memcpy(v->addr, r->server, 16);
		v->ipver = r->ipver;
		return true;
	case F_SPORT:
		v->i = r->sport;
		return true;
	case F_FLAGS:
		v->i = r->flags;
		return true;
	case F_RETRANS:
		v->i = r->retrans;
		return true;
	case F_SPURIOUS:
		v->i = r->spurious;
		return true;
	}
	return false;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void bench_one(const struct brow *rows, size_t n, const char *expr,
		      size_t want)
{
	struct filter *f;
	struct err e;
	size_t hits = 0;
	double t0, t;

	err_clear(&e);
	if (filter_compile(&f, expr, fields, NFIELDS, NULL, 0, &e)) {
		CHECKF(0, "'%s': %s", expr, e.msg);
		return;
	}
	t0 = now();
	for (size_t i = 0; i < n; i++)
		hits += filter_match(f, bget, &rows[i], NULL, NULL);
	t = now() - t0;
	CHECKF(hits == want, "'%s': %zu hits, want %zu", expr, hits, want);
	printf("# bench: %-62s %5.1f M rows/s (%zu rows, %zu hits, %.0f ms)\n",
	       expr, n / t / 1e6, n, hits, t * 1e3);
	filter_free(f);
}

static void test_bench(void)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
	size_t n = 1000000;	/* the figure means little under sanitizers */
#else
	size_t n = 2000000;	/* 96 MB: enough for a steady figure, kind to CI */
#endif
	struct brow *rows = calloc(n, sizeof(*rows));
	size_t slow = 0, slow_in_net = 0, rst_443 = 0, retrans = 0;
	uint64_t x = 88172645463325252ULL;

	if (!rows) {
		CHECK(rows);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct brow *r = &rows[i];

		x ^= x << 13;	/* xorshift64: reproducible, no libc state */
		x ^= x >> 7;
		x ^= x << 17;
		r->synack = (int64_t)(x % 1000) * 1000000;	/* 0..999 ms */
		r->has_synack = (x >> 10) % 10 != 0;
		r->ipver = 4;
		r->server[0] = 203;
		r->server[1] = 0;
		r->server[2] = (x >> 20) % 2 ? 113 : 114;
		r->server[3] = (uint8_t)(x >> 24);
		r->sport = (x >> 32) % 4 ? 443 : 80;
		r->flags = (x >> 36) % 16 ? TCPF_ACK : TCPF_RST | TCPF_ACK;
		r->retrans = (x >> 40) % 20 == 0;
		r->spurious = r->retrans && (x >> 45) % 4 == 0;
		if (r->has_synack && r->synack > 300000000) {
			slow++;
			slow_in_net += r->server[2] == 113;
		}
		rst_443 += r->sport == 443 && (r->flags & TCPF_RST);
		retrans += r->retrans && !r->spurious;
	}
	bench_one(rows, n, "synack > 300ms", slow);
	bench_one(rows, n, "synack > 300ms && server == 203.0.113.0/24", slow_in_net);
	bench_one(rows, n, "sport == 443 && flags contains R", rst_443);
	bench_one(rows, n, "retransmission && !spurious_retransmission", retrans);
	free(rows);
}

/* Decimals: count 42 makes pct 10.5. */
static void test_decimals(void)
{
	struct row r = base();

	YES("pct == 10.5 && pct > 10 && pct < 10.51 && pct >= 10.50", &r);
	YES("pct in {1 10.5 20} && pct in {10..11}", &r);
	NO("pct < 10.4999", &r);
	YES("pct != -3", &r);
}

int main(void)
{
	RUN(test_precedence);
	RUN(test_integers_and_durations);
	RUN(test_times);
	RUN(test_addresses);
	RUN(test_ports_flags_strings_bools);
	RUN(test_pairs);
	RUN(test_conn);
	RUN(test_absent);
	RUN(test_errors);
	RUN(test_no_conn_catalog);
	RUN(test_caret);
	RUN(test_decimals);
	RUN(test_garbage);
	RUN(test_bench);
	return unit_status();
}
