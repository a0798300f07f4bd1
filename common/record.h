/*
 * record.h - the cache's fixed-size records and their byte encodings.
 *
 * The structs are generated from the *_fields.def lists; encode/decode go
 * field by field through bytes.h, little-endian, with no padding (STYLE.md
 * rules 6, 7, 20).  A record's on-disk size is the sum of its field sizes,
 * checked at compile time.  decode reads only the fields this version
 * knows; a longer record from a newer minor version is read at its own
 * stride by the caller and the tail ignored.
 */
#ifndef TCPSIFT_RECORD_H
#define TCPSIFT_RECORD_H

#include <stddef.h>
#include <stdint.h>

struct addr16 {
	uint8_t b[16];		/* IPv4 in b[0..3], the rest zero */
};

struct str32 {
	char s[32];		/* NUL-padded; 31 characters at most */
};

#define REC_CTYPE_u8 uint8_t
#define REC_CTYPE_i8 int8_t
#define REC_CTYPE_u16 uint16_t
#define REC_CTYPE_u32 uint32_t
#define REC_CTYPE_u64 uint64_t
#define REC_CTYPE_i64 int64_t
#define REC_CTYPE_addr struct addr16
#define REC_CTYPE_str32 struct str32

#define REC_SIZE_u8 1
#define REC_SIZE_i8 1
#define REC_SIZE_u16 2
#define REC_SIZE_u32 4
#define REC_SIZE_u64 8
#define REC_SIZE_i64 8
#define REC_SIZE_addr 16
#define REC_SIZE_str32 32

struct cache_pkt {
#define PKT_FIELD(type, name, doc) REC_CTYPE_##type name;
#include "pkt_fields.def"
#undef PKT_FIELD
};

struct cache_conn {
#define CONN_FIELD(type, name, doc) REC_CTYPE_##type name;
#include "conn_fields.def"
#undef CONN_FIELD
};

struct cache_chunk {
#define CHUNK_FIELD(type, name, doc) REC_CTYPE_##type name;
#include "chunk_fields.def"
#undef CHUNK_FIELD
};

struct cache_meta_fixed {
#define META_FIELD(type, name, doc) REC_CTYPE_##type name;
#include "meta_fields.def"
#undef META_FIELD
};

enum {
	CACHE_PKT_SIZE = 0
#define PKT_FIELD(type, name, doc) + REC_SIZE_##type
#include "pkt_fields.def"
#undef PKT_FIELD
	,
	CACHE_CONN_SIZE = 0
#define CONN_FIELD(type, name, doc) + REC_SIZE_##type
#include "conn_fields.def"
#undef CONN_FIELD
	,
	CACHE_CHUNK_SIZE = 0
#define CHUNK_FIELD(type, name, doc) + REC_SIZE_##type
#include "chunk_fields.def"
#undef CHUNK_FIELD
	,
	CACHE_META_FIXED_SIZE = 0
#define META_FIELD(type, name, doc) + REC_SIZE_##type
#include "meta_fields.def"
#undef META_FIELD
};

/*
 * The packet record's on-disk layout as byte arrays (alignment 1, so no
 * padding): offsetof(struct cache_pkt_layout, seq) is seq's offset.
 */
struct cache_pkt_layout {
#define PKT_FIELD(type, name, doc) uint8_t name[REC_SIZE_##type];
#include "pkt_fields.def"
#undef PKT_FIELD
};

/*
 * Packet-record fields by position in pkt_fields.def: PKT_BIT(name) is
 * the field's bit in a set of fields (what a scan must decode).
 */
enum pkt_field_index {
#define PKT_FIELD(type, name, doc) PKT_FI_##name,
#include "pkt_fields.def"
#undef PKT_FIELD
	PKT_NFIELDS
};
#define PKT_BIT(name) (UINT32_C(1) << PKT_FI_##name)
_Static_assert(PKT_NFIELDS <= 32, "a set of packet fields is a uint32_t");

/* Record sizes of format 1.0: readers accept these and up. */
enum { CACHE_PKT_SIZE_1_0 = 64, CACHE_CONN_SIZE_1_0 = 208 };

/* end bits of struct cache_conn */
enum {
	CONN_END_FIN_C = 0x1,
	CONN_END_FIN_S = 0x2,
	CONN_END_RST_C = 0x4,
	CONN_END_RST_S = 0x8,
	CONN_END_RST_FIRST_S = 0x10	/* the first RST came from the server */
};

/* Encoders write exactly CACHE_*_SIZE bytes; decoders read as many. */
void record_pkt_encode(uint8_t *p, const struct cache_pkt *r);
void record_pkt_decode(const uint8_t *p, struct cache_pkt *r);
void record_conn_encode(uint8_t *p, const struct cache_conn *r);
void record_conn_decode(const uint8_t *p, struct cache_conn *r);
void record_chunk_encode(uint8_t *p, const struct cache_chunk *r);
void record_chunk_decode(const uint8_t *p, struct cache_chunk *r);
void record_meta_encode(uint8_t *p, const struct cache_meta_fixed *r);
void record_meta_decode(const uint8_t *p, struct cache_meta_fixed *r);

/* One field of a record, for the format test and the documentation. */
struct record_field {
	const char *name;
	const char *type;	/* "u8", "i64", "addr", ... */
	unsigned offset;	/* bytes from the record's start */
	unsigned size;		/* bytes */
	const char *doc;
};

/* NULL-terminated field tables of each record, in on-disk order. */
extern const struct record_field record_pkt_fields[];
extern const struct record_field record_conn_fields[];
extern const struct record_field record_chunk_fields[];
extern const struct record_field record_meta_fields[];

#endif
