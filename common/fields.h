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

/* "conns", "packets", ...; and back (false when unknown). */
const char *field_table_name(enum field_table t);
bool field_table_find(const char *name, enum field_table *t);

/* True for a packet field computed from the packet's connection too. */
bool field_needs_conn(int id);

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

/* Sets v to address a (XFIELD getters); returns true. */
bool field_value_addr(struct filter_value *v, const struct addr16 *a,
		      int ipver);

/* Record helpers the reports share. */

/*
 * Analysis flag names joined by '+' ("retransmission+fast_retransmission"),
 * "" when none; returns buf.
 */
char *analysis_str(char *buf, size_t size, uint32_t flags);

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

/* Zeek's conn_state of c ("SF", "S0" ...), or NULL when the cache does not
 * carry it for c (empty history: an older cache). */
const char *rutil_zeek_state(const struct cache_conn *c);

/* c's ack RTT over both directions: false when there is no sample. */
bool rutil_rtt_min(const struct cache_conn *c, int64_t *ns);
bool rutil_rtt_max(const struct cache_conn *c, int64_t *ns);

#endif
