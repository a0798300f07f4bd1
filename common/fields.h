/*
 * fields.h - the field catalog (fields.def): names, types and meanings of
 * every column any report shows, and the getters that compute a field
 * from the cache's records.
 *
 * A row is what a report hands over: a connection record, a packet record
 * (with its connection when known), or values only the report knows
 * (XFIELDs, through row->xget).  field_get() is the one way a value leaves
 * a record, so a column, a --where test and an SQL column of the same name
 * cannot disagree.  Key invariant: field_get() never allocates; strings it
 * builds live in row->scratch until the next call.
 */
#ifndef TCPSIFT_FIELDS_H
#define TCPSIFT_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "record.h"

enum field_table {
	TBL_CONNS, TBL_PACKETS, TBL_SERVERS, TBL_BUCKETS, TBL_EPISODES,
	TBL_INFO, TBL_FIELDS,
	TBL_COUNT
};

enum field_id {
#define FIELD(tbl, name, type, doc) F_##tbl##_##name,
#define XFIELD FIELD
#include "fields.def"
#undef FIELD
#undef XFIELD
	F_COUNT
};

struct field_info {
	const char *name;
	enum field_table table;
	enum filter_type type;
	bool computed;		/* FIELD: field_get() computes it from records */
	const char *doc;
};

extern const struct field_info field_info[F_COUNT];

/* "conns", "packets", ... */
const char *field_table_name(enum field_table t);

/* True for a packet field computed from the packet's connection too. */
bool field_needs_conn(int id);

/*
 * The packet-record fields (a set of PKT_BIT) that field `id` of a packets
 * row reads, as `conn.NAME` when conn is true; any field outside the
 * packets table reads the whole record (UINT32_MAX).  The connection's
 * own fields are found through the record's stream.
 */
uint32_t field_pkt_reads(int id, bool conn);

/* The id of `name` (len bytes) in table t, or -1. */
int field_find(enum field_table t, const char *name, size_t len);

enum { FIELD_SCRATCH = 512 };

struct field_row {
	const struct cache_conn *conn;	/* conns row, or the packet's connection */
	const struct cache_pkt *pkt;	/* packets row */
	int64_t t0;			/* capture's first frame, ns */
	/* XFIELDs: filled by the report; NULL when it has none */
	bool (*xget)(const void *xrow, int id, struct filter_value *v);
	const void *xrow;
	char *scratch;			/* FIELD_SCRATCH bytes for built strings */
};

/*
 * Field `id` of row r into *v: false when the row has no value for it
 * (absent: an empty cell, NULL in SQL, false in every --where test).
 */
bool field_get(const struct field_row *r, int id, struct filter_value *v);

/* A connection's field of an integer-valued type (not STR or ADDR) into
 * *out (0 when absent); false when absent. */
bool field_conn_int(const struct cache_conn *c, int id, int64_t *out);

/* 0.01 in a decimal (FT_REAL) value's units of 1e-9. */
enum { FIELD_HUNDREDTH = 10000000 };

/* 100 * part / whole as a decimal value, truncated to hundredths (0 when
 * whole is 0): retrans_pct wherever it is shown. */
int64_t field_pct(uint64_t part, uint64_t whole);

/* Sets v to address a (XFIELD getters); returns true. */
bool field_value_addr(struct filter_value *v, const struct addr16 *a,
		      int ipver);

/* Record helpers the reports share. */

/* TCP flags as scapy letters "FSRPAUECN" ("" when none); buf >= 10. */
void tcpflags_str(char *buf, uint16_t flags);

/*
 * "open", "fin" (both ways), "fin_client", "fin_server", or "rst_client" /
 * "rst_server" by who sent the first RST.
 */
const char *conn_state_name(const struct cache_conn *c);

/*
 * Wireshark's Info-column notes for a packet's analysis flags, in the order
 * Wireshark shows them, each "[TCP ...]" and separated by a space:
 * "[TCP Dup ACK 412#2]" (dupack_frame#dupack_num), "[TCP Retransmission]"
 * (or Fast / Spurious instead), ...; "" when none.  Returns buf.
 */
char *analysis_notes(char *buf, size_t size, const struct cache_pkt *p);

#endif
