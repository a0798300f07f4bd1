/*
 * filter.h - `--where` expressions: a Wireshark-display-filter-like
 * language compiled once into a small program and run on every row.
 *
 *	synack > 300ms && server == 203.0.113.0/24
 *	retransmission && !spurious_retransmission
 *	conn.sport == 443 && zero_window
 *	host 2001:db8::1 || port in {80 443 8000..8080}
 *	flags contains R || first_ts >= 2018-09-26T21:21:00Z
 *
 * The caller describes its fields in a catalog (struct filter_field) and
 * hands values over through a getter; the filter never sees a record.
 * Key invariant: filter_match() neither allocates nor fails - everything
 * that can go wrong goes wrong in filter_compile(), which reports the byte
 * column of the offending token in struct err (ERR_AT_OFFSET) with a
 * one-line lowercase message; filter_format_error() adds the caret display.
 *
 * Grammar, loosest first (Wireshark's precedence):
 *	expr    := and { ("||" | "or") and }
 *	and     := unary { ("&&" | "and") unary }
 *	unary   := ("!" | "not") unary | "(" expr ")" | test
 *	test    := field                           boolean: true; else: present
 *	         | field op value                  op: == != < <= > >= (eq ne ...)
 *	         | field ["not"] "in" "{" value... "}"    values or lo..hi ranges
 *	         | field "contains" value          strings; flags: all these bits
 *	         | pair value                      pair: host 10.0.0.0/8, port 443
 *	field   := name | "conn." name             conn.: the packet's connection
 *
 * Absent values (the getter returns false): every comparison with them is
 * false, "!=" and "not in" included, as in Wireshark; "!(x == v)" is true.
 * A pair field (side_a/side_b set: host, port) matches when either side
 * does, except "!=" and "not in", which need both sides to differ.
 *
 * Deliberately not here: field-to-field comparisons, arithmetic, slices,
 * regular expressions, functions.
 */
#ifndef TCPSIFT_FILTER_H
#define TCPSIFT_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* What a field holds, and so which literals and operators it accepts. */
enum filter_type {
	FT_INT,		/* int64: 42, -1, 0x1f */
	FT_SECS,	/* duration, int64 ns: 300ms, 1.5s, 2m; bare = seconds */
	FT_TIME,	/* int64 ns since the epoch: 2018-09-26T21:21:02.5Z,
			   ...+02:00, or epoch seconds 1537996862.5 */
	FT_ADDR,	/* IPv4/IPv6 address: 203.0.113.1, 2001:db8::/32 */
	FT_PORT,	/* 0..65535 */
	FT_FLAGS,	/* TCP flag bits (decode.h TCPF_*): letters FSRPAUECN,
			   SA, or a number */
	FT_STR,		/* bytes: "quoted" (\" \\ \n \t \xHH) or a bare word */
	FT_BOOL,	/* true/false/1/0; a bare name is the test */
	FT_REAL		/* decimal number, int64 in units of 1e-9: 2.5, 12 */
};

/*
 * One entry of the caller's catalog.  A pair (side_a and side_b set) is a
 * shorthand over two fields of the same catalog and type, such as
 * { "host", FT_ADDR, 0, "client", "server" }; its own id is never asked.
 */
struct filter_field {
	const char *name;	/* "synack"; letters, digits, '_' */
	enum filter_type type;
	int id;			/* the caller's, passed back to the getter */
	const char *side_a;	/* pair: first field's name, else NULL */
	const char *side_b;	/* pair: second field's name, else NULL */
};

/* One value, filled by the getter; only the members of its type. */
struct filter_value {
	int64_t i;		/* INT, SECS (ns), TIME (ns), PORT, FLAGS, BOOL,
				   REAL (1e-9 units) */
	const char *s;		/* STR: bytes, not necessarily NUL-terminated */
	size_t len;		/* STR: bytes at s */
	uint8_t addr[16];	/* ADDR: IPv4 in addr[0..3], the rest zero */
	uint8_t ipver;		/* ADDR: 4 or 6 */
};

/*
 * Fills *out with field `id` of `row`; false when the row has no value
 * for it (a connection without a SYN-ACK has no synack).  Called from
 * the hot loop: no allocation, no I/O.
 */
typedef bool (*filter_get_fn)(const void *row, int id,
			      struct filter_value *out);

struct filter;

/*
 * Compiles `expr` against `fields` (the rows' catalog) and `conn_fields`
 * (the catalog "conn." names refer to; nconn 0 when there is none).  The
 * filter keeps ids, not pointers, so the catalogs need not outlive it.
 * Returns 0 and *out, to be freed with filter_free(); or ERR_USAGE with e
 * set (where ERR_AT_OFFSET, at = byte column in expr), ERR_NOMEM.
 */
int filter_compile(struct filter **out, const char *expr,
		   const struct filter_field *fields, size_t nfields,
		   const struct filter_field *conn_fields, size_t nconn,
		   struct err *e);

/*
 * Runs the filter on one row.  `get`/`row` serve the fields' catalog;
 * `conn_get`/`conn_row` serve "conn." names (NULL: those are absent).
 * Allocation-free; safe to call from several threads on one filter.
 */
bool filter_match(const struct filter *f, filter_get_fn get, const void *row,
		  filter_get_fn conn_get, const void *conn_row);

/* True when the filter reads "conn." fields at all. */
bool filter_uses_conn(const struct filter *f);

/* Calls fn for each field test of the filter (conn: a "conn." field);
 * a field tested twice is visited twice. */
void filter_fields(const struct filter *f,
		   void (*fn)(void *arg, int id, bool conn), void *arg);

void filter_free(struct filter *f);

/* The field name closest to `typed` (len bytes), for "did you mean";
 * NULL when none is close.  Pairs are not suggested. */
const char *filter_suggest(const char *typed, size_t len,
			   const struct filter_field *fields, size_t n);

/* "integer", "seconds", "timestamp", "address", "port", "flags",
 * "string", "boolean", "decimal": for column lists and documentation. */
const char *filter_type_name(enum filter_type t);

/*
 * The error compile set, for a human: three lines without a trailing
 * newline - the message, then the expression and a caret under the
 * offending byte, both indented by two spaces:
 *
 *	unknown field 'synak'; did you mean 'synack'?
 *	  synak > 300ms
 *	  ^
 */
void filter_format_error(char *buf, size_t size, const char *expr,
			 const struct err *e);

#endif
