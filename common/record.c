/*
 * record.c - field-by-field encoders and decoders generated from the
 * *_fields.def lists.  Nothing here knows about blocks or files.
 */
#include <stddef.h>
#include <string.h>

#include "bytes.h"
#include "record.h"

_Static_assert(CACHE_PKT_SIZE == 96, "packet record is 96 bytes");
_Static_assert(CACHE_CONN_SIZE == 488, "connection record is 488 bytes");
_Static_assert(CACHE_CHUNK_SIZE == 24, "chunk record is 24 bytes");
_Static_assert(CACHE_META_FIXED_SIZE == 148, "meta fixed part is 148 bytes");

#define ENC_u8(p, v) ((p)[0] = (v))
#define ENC_i8(p, v) ((p)[0] = (uint8_t)(v))
#define ENC_u16(p, v) put_le16((p), (v))
#define ENC_u32(p, v) put_le32((p), (v))
#define ENC_u64(p, v) put_le64((p), (v))
#define ENC_i64(p, v) put_le64((p), (uint64_t)(v))
#define ENC_addr(p, v) memcpy((p), (v).b, 16)
#define ENC_str32(p, v) memcpy((p), (v).s, 32)

#define DEC_u8(p, v) ((v) = (p)[0])
#define DEC_i8(p, v) ((v) = (int8_t)(p)[0])
#define DEC_u16(p, v) ((v) = get_le16(p))
#define DEC_u32(p, v) ((v) = get_le32(p))
#define DEC_u64(p, v) ((v) = get_le64(p))
#define DEC_i64(p, v) ((v) = (int64_t)get_le64(p))
#define DEC_addr(p, v) memcpy((v).b, (p), 16)
#define DEC_str32(p, v) (memcpy((v).s, (p), 32), (v).s[31] = '\0')

#define X_ENC(type, name, doc) ENC_##type(p, r->name); p += REC_SIZE_##type;
#define X_DEC(type, name, doc) DEC_##type(p, r->name); p += REC_SIZE_##type;

void record_pkt_encode(uint8_t *p, const struct cache_pkt *r)
{
#define PKT_FIELD X_ENC
#include "pkt_fields.def"
#undef PKT_FIELD
}

void record_pkt_decode(const uint8_t *p, struct cache_pkt *r)
{
#define PKT_FIELD X_DEC
#include "pkt_fields.def"
#undef PKT_FIELD
}

void record_conn_encode(uint8_t *p, const struct cache_conn *r)
{
#define CONN_FIELD X_ENC
#include "conn_fields.def"
#undef CONN_FIELD
}

void record_conn_decode(const uint8_t *p, struct cache_conn *r)
{
#define CONN_FIELD X_DEC
#include "conn_fields.def"
#undef CONN_FIELD
}

void record_chunk_encode(uint8_t *p, const struct cache_chunk *r)
{
#define CHUNK_FIELD X_ENC
#include "chunk_fields.def"
#undef CHUNK_FIELD
}

void record_chunk_decode(const uint8_t *p, struct cache_chunk *r)
{
#define CHUNK_FIELD X_DEC
#include "chunk_fields.def"
#undef CHUNK_FIELD
}

void record_meta_encode(uint8_t *p, const struct cache_meta_fixed *r)
{
#define META_FIELD X_ENC
#include "meta_fields.def"
#undef META_FIELD
}

void record_meta_decode(const uint8_t *p, struct cache_meta_fixed *r)
{
#define META_FIELD X_DEC
#include "meta_fields.def"
#undef META_FIELD
}

/*
 * On-disk layouts as structs of byte arrays: alignment 1, so no padding,
 * and offsetof() gives each field's offset in the file.
 */
#define X_LAYOUT(type, name, doc) uint8_t name[REC_SIZE_##type];
struct conn_layout {
#define CONN_FIELD X_LAYOUT
#include "conn_fields.def"
#undef CONN_FIELD
};
struct chunk_layout {
#define CHUNK_FIELD X_LAYOUT
#include "chunk_fields.def"
#undef CHUNK_FIELD
};
struct meta_layout {
#define META_FIELD X_LAYOUT
#include "meta_fields.def"
#undef META_FIELD
};
_Static_assert(sizeof(struct cache_pkt_layout) == CACHE_PKT_SIZE, "no padding");
_Static_assert(sizeof(struct conn_layout) == CACHE_CONN_SIZE, "no padding");
_Static_assert(sizeof(struct chunk_layout) == CACHE_CHUNK_SIZE, "no padding");
_Static_assert(sizeof(struct meta_layout) == CACHE_META_FIXED_SIZE, "no padding");

#define X_DESC(layout, type, name, doc) \
	{ #name, #type, offsetof(struct layout, name), REC_SIZE_##type, doc },

const struct record_field record_pkt_fields[] = {
#define PKT_FIELD(type, name, doc) X_DESC(cache_pkt_layout, type, name, doc)
#include "pkt_fields.def"
#undef PKT_FIELD
	{ NULL, NULL, 0, 0, NULL }
};

const struct record_field record_conn_fields[] = {
#define CONN_FIELD(type, name, doc) X_DESC(conn_layout, type, name, doc)
#include "conn_fields.def"
#undef CONN_FIELD
	{ NULL, NULL, 0, 0, NULL }
};

const struct record_field record_chunk_fields[] = {
#define CHUNK_FIELD(type, name, doc) X_DESC(chunk_layout, type, name, doc)
#include "chunk_fields.def"
#undef CHUNK_FIELD
	{ NULL, NULL, 0, 0, NULL }
};

const struct record_field record_meta_fields[] = {
#define META_FIELD(type, name, doc) X_DESC(meta_layout, type, name, doc)
#include "meta_fields.def"
#undef META_FIELD
	{ NULL, NULL, 0, 0, NULL }
};
