/*
 * pcapng.c - reading pcapng (draft-ietf-opsawg-pcapng) block by block.
 *
 * Each block is read whole with fread into one growable buffer and then
 * parsed through a struct span over its body, in the byte order of the
 * current section.  Invariant: a block is parsed only after its leading
 * length has passed every check (>= 12, a multiple of 4, at most 64 MiB,
 * present in full) and its trailing length matched, and every field inside
 * it is read through the span, so nothing is read outside the buffer.
 *
 * A Section Header Block starts a new interface list and may switch the
 * byte order.  Packets come from Enhanced (6), Simple (3) and obsolete
 * Packet (2) Blocks; every other block type is skipped by its length.
 * Only if_tsresol and if_tsoffset among the options are interpreted, but
 * the options of SHBs and IDBs are walked so that one overrunning its
 * block is an error, as it is for Wireshark and libpcap.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pcapng.h"
#include "span.h"

enum {
	BT_SHB = 0x0A0D0D0A,	/* Section Header Block (a palindrome) */
	BT_IDB = 1,		/* Interface Description Block */
	BT_PB = 2,		/* Packet Block (obsolete) */
	BT_SPB = 3,		/* Simple Packet Block */
	BT_EPB = 6		/* Enhanced Packet Block */
};

enum {
	BOM = 0x1A2B3C4D,		/* SHB byte-order magic */
	OPT_ENDOFOPT = 0,
	OPT_IF_TSRESOL = 9,
	OPT_IF_TSOFFSET = 14
};

enum {
	BLOCK_MIN = 12,			/* type, length, trailing length */
	SHB_MIN = BLOCK_MIN + 16,	/* + BOM, versions, section length */
	BLOCK_MAX = 64u << 20,		/* refused above this, bytes */
	BUF_MIN = 64u << 10,		/* first buffer size, bytes */
	IF_MAX = 1u << 20		/* interfaces per section */
};

#define NS_PER_SEC 1000000000LL

struct pcapng_if {
	int linktype;		/* DLT_* */
	uint32_t snaplen;	/* bytes, 0 = none */
	bool pow2;		/* resolution is 2^-exp s, else 10^-exp s */
	unsigned exp;		/* 0..19 for powers of 10, 0..63 for 2 */
	int64_t tsoffset;	/* seconds added to every timestamp */
};

struct pcapng_reader {
	FILE *f;
	char *path;		/* for messages; owned */
	uint64_t off;		/* file offset of the next block */
	uint64_t block_off;	/* file offset of the block being parsed */
	bool be;		/* current section is big-endian */
	uint8_t *buf;		/* the current block, whole */
	size_t buf_cap;		/* bytes allocated at buf */
	struct pcapng_if *ifs;	/* interfaces of the current section */
	unsigned n_ifs, ifs_cap;
	uint16_t *lts;		/* distinct link types seen in any section */
	unsigned n_lts, lts_cap;
	int64_t last_ts;	/* ns, of the previous frame (for SPBs) */
	int failed;		/* 0, or the code of the final error */
	struct err err;		/* that error, returned again on later calls */
};

/* ---- byte-order aware reads through the span ---- */

static bool rd16(const struct pcapng_reader *r, struct span *s, uint16_t *v)
{
	if (!span_has(s, 2))
		return false;
	*v = r->be ? get_be16(span_cur(s)) : get_le16(span_cur(s));
	s->off += 2;
	return true;
}

static bool rd32(const struct pcapng_reader *r, struct span *s, uint32_t *v)
{
	if (!span_has(s, 4))
		return false;
	*v = r->be ? get_be32(span_cur(s)) : get_le32(span_cur(s));
	s->off += 4;
	return true;
}

static bool rd64(const struct pcapng_reader *r, struct span *s, uint64_t *v)
{
	uint32_t a, b;

	if (!span_has(s, 8))
		return false;
	rd32(r, s, &a);
	rd32(r, s, &b);
	*v = r->be ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
	return true;
}

static uint32_t get32(const struct pcapng_reader *r, const uint8_t *p)
{
	return r->be ? get_be32(p) : get_le32(p);
}

/* Errors at the block being parsed. */
#define FAIL(r, e, code, ...)						\
	err_set_at((e), (code), (r)->path, ERR_AT_OFFSET,		\
		   (r)->block_off, __VA_ARGS__)

/* ---- link types and timestamps ---- */

/*
 * LINKTYPE_* (file) to DLT_* (libpcap API), for the values where they
 * differ, with the DLT_* numbers of Linux (libpcap's linktype_to_dlt()).
 */
static int linktype_to_dlt(uint16_t lt)
{
	switch (lt) {
	case 100: return 11;	/* ATM_RFC1483 */
	case 101: return 12;	/* RAW */
	case 102: return 15;	/* SLIP_BSDOS */
	case 103: return 16;	/* PPP_BSDOS */
	case 106: return 19;	/* ATM_CLIP */
	default: return lt;
	}
}

static uint64_t pow10_u64(unsigned exp)
{
	uint64_t v = 1;

	for (unsigned i = 0; i < exp; i++)
		v *= 10;
	return v;
}

/*
 * ticks in the interface's resolution to ns since the epoch, splitting
 * whole seconds from the fraction so nothing overflows 64 bits on the way;
 * false when the result does not fit an int64.
 */
static bool ticks_to_ns(const struct pcapng_if *ifc, uint64_t ticks,
			int64_t *ns)
{
	uint64_t secs, frac, frac_ns;
	int64_t s;

	if (ifc->pow2) {
		uint64_t mask = ifc->exp ? (UINT64_MAX >> (64 - ifc->exp)) : 0;

		secs = ticks >> ifc->exp;
		frac = ticks & mask;
		if (ifc->exp <= 32) {
			/* frac < 2^32, so frac * 1e9 < 2^62 */
			frac_ns = (frac * NS_PER_SEC) >> ifc->exp;
		} else {
			/* frac < 2^63 = hi * 2^32 + lo: hi * 1e9 < 2^61,
			 * lo * 1e9 < 2^62; floor((hi*1e9*2^32 + lo*1e9) / 2^exp)
			 * is exactly this, nested floors being exact. */
			uint64_t hi = frac >> 32, lo = frac & 0xffffffffu;
			uint64_t a = hi * NS_PER_SEC, b = lo * NS_PER_SEC;

			frac_ns = (a + (b >> 32)) >> (ifc->exp - 32);
		}
	} else {
		uint64_t units = pow10_u64(ifc->exp);

		secs = ticks / units;
		frac = ticks % units;
		if (ifc->exp <= 9)
			frac_ns = frac * pow10_u64(9 - ifc->exp);
		else
			frac_ns = frac / pow10_u64(ifc->exp - 9);
	}
	if (secs > (uint64_t)(INT64_MAX / NS_PER_SEC))
		return false;
	s = (int64_t)secs;
	if (ifc->tsoffset > 0 ? s > INT64_MAX - ifc->tsoffset :
				s < INT64_MIN - ifc->tsoffset)
		return false;
	s += ifc->tsoffset;
	if (s > (INT64_MAX - (int64_t)frac_ns) / NS_PER_SEC ||
	    s < INT64_MIN / NS_PER_SEC)
		return false;
	*ns = s * NS_PER_SEC + (int64_t)frac_ns;
	return true;
}

/* ---- reading whole blocks ---- */

/* Grows the buffer to hold n bytes (n <= BLOCK_MAX). */
static int reserve(struct pcapng_reader *r, size_t n, struct err *e)
{
	size_t cap = r->buf_cap ? r->buf_cap : BUF_MIN;
	uint8_t *p;

	if (n <= r->buf_cap)
		return 0;
	while (cap < n)
		cap *= 2;
	p = realloc(r->buf, cap);
	if (!p)
		return FAIL(r, e, ERR_NOMEM, "out of memory for a block of %zu bytes",
			    n);
	r->buf = p;
	r->buf_cap = cap;
	return 0;
}

/*
 * fread n more bytes to buf + at, where the block (or its header) being
 * read is `want` bytes; 0, or an error.
 */
static int read_exact(struct pcapng_reader *r, size_t at, size_t n,
		      size_t want, const char *what, struct err *e)
{
	size_t got = fread(r->buf + at, 1, n, r->f);

	if (got == n)
		return 0;
	if (ferror(r->f))
		return FAIL(r, e, ERR_IO, "read error");
	return FAIL(r, e, ERR_TRUNCATED,
		    "truncated %s (file ends after %zu of its %zu bytes)",
		    what, at + got, want);
}

/*
 * Reads the block at r->off into r->buf: 1 and *type, *len set; 0 at a
 * clean end of file; < 0 on error.  For an SHB, sets r->be from its
 * byte-order magic (a section's blocks all follow it).  With first, the
 * block must be an SHB, checked before its length is trusted.
 */
static int read_block(struct pcapng_reader *r, bool first, uint32_t *type,
		      size_t *len, struct err *e)
{
	size_t got, have = 8;
	uint32_t n, trail;
	int rc;

	r->block_off = r->off;
	if ((rc = reserve(r, BUF_MIN, e)))
		return rc;
	got = fread(r->buf, 1, 1, r->f);
	if (got == 0) {
		if (ferror(r->f))
			return FAIL(r, e, ERR_IO, "read error");
		return 0;
	}
	if ((rc = read_exact(r, 1, 7, 8, "block header", e)))
		return rc;
	if (first && get_le32(r->buf) != BT_SHB)
		return FAIL(r, e, ERR_FORMAT,
			    "not a pcapng file (no section header block)");
	if (get_le32(r->buf) == BT_SHB) {
		/* The length is in the byte order the magic says. */
		uint32_t bom;

		if ((rc = read_exact(r, 8, 4, 12, "block header", e)))
			return rc;
		have = 12;
		bom = get_be32(r->buf + 8);
		if (bom == BOM)
			r->be = true;
		else if (get_le32(r->buf + 8) == BOM)
			r->be = false;
		else
			return FAIL(r, e, ERR_FORMAT,
				    "bad byte-order magic 0x%08x in section header block",
				    (unsigned)bom);
	}
	*type = get32(r, r->buf);
	n = get32(r, r->buf + 4);
	if (n < (*type == BT_SHB ? SHB_MIN : BLOCK_MIN) || n % 4 != 0)
		return FAIL(r, e, ERR_CORRUPT,
			    "bad block length %u (type 0x%08x)%s", (unsigned)n,
			    (unsigned)*type,
			    n % 4 ? ": not a multiple of 4" : ": too short");
	if (n > BLOCK_MAX)
		return FAIL(r, e, ERR_CORRUPT,
			    "block length %u over the limit of 64 MiB (type 0x%08x)",
			    (unsigned)n, (unsigned)*type);
	if ((rc = reserve(r, n, e)) ||
	    (rc = read_exact(r, have, n - have, n, "block", e)))
		return rc;
	trail = get32(r, r->buf + n - 4);
	if (trail != n)
		return FAIL(r, e, ERR_CORRUPT,
			    "trailing block length %u does not match leading %u (type 0x%08x)",
			    (unsigned)trail, (unsigned)n, (unsigned)*type);
	*len = n;
	r->off += n;
	return 1;
}

/* ---- options ---- */

/*
 * The next option of s: 1 with *code, *val set; 0 at opt_endofopt or the
 * end of the block; < 0 when an option overruns the block.  Option values
 * are padded to 4 bytes.
 */
static int next_option(struct pcapng_reader *r, struct span *s,
		       uint16_t *code, struct span *val, const char *what,
		       struct err *e)
{
	uint16_t c, n;
	size_t padded;

	if (span_left(s) == 0)
		return 0;
	if (!rd16(r, s, &c) || !rd16(r, s, &n))
		return FAIL(r, e, ERR_CORRUPT, "option header overruns the %s",
			    what);
	if (c == OPT_ENDOFOPT)
		return 0;
	padded = ((size_t)n + 3) & ~(size_t)3;
	if (!span_has(s, padded))
		return FAIL(r, e, ERR_CORRUPT,
			    "option %u of length %u overruns the %s (%zu bytes left)",
			    (unsigned)c, (unsigned)n, what, span_left(s));
	*code = c;
	*val = span_sub(s, n);
	span_skip(s, padded);
	return 1;
}

/* ---- blocks ---- */

static int parse_shb(struct pcapng_reader *r, struct span *s, struct err *e)
{
	uint16_t major = 0, minor = 0, code = 0;
	struct span val = { 0 };
	int rc;

	/* read_block checked the length (>= 28) and the magic. */
	span_skip(s, 4);
	rd16(r, s, &major);
	rd16(r, s, &minor);
	span_skip(s, 8);	/* section length, often -1: not used */
	if (major != 1)
		return FAIL(r, e, ERR_FORMAT, "unsupported pcapng version %u.%u",
			    (unsigned)major, (unsigned)minor);
	while ((rc = next_option(r, s, &code, &val, "section header block",
				 e)) > 0)
		;
	if (rc < 0)
		return rc;
	r->n_ifs = 0;
	return 0;
}

static int note_linktype(struct pcapng_reader *r, int lt, struct err *e)
{
	for (unsigned i = 0; i < r->n_lts; i++)
		if (r->lts[i] == lt)
			return 0;
	if (r->n_lts == r->lts_cap) {
		unsigned cap = r->lts_cap ? 2 * r->lts_cap : 8;
		uint16_t *p = realloc(r->lts, cap * sizeof(*p));

		if (!p)
			return FAIL(r, e, ERR_NOMEM, "out of memory");
		r->lts = p;
		r->lts_cap = cap;
	}
	r->lts[r->n_lts++] = (uint16_t)lt;
	return 0;
}

static int parse_idb(struct pcapng_reader *r, struct span *s, struct err *e)
{
	struct pcapng_if ifc = { .exp = 6 };	/* default: microseconds */
	uint16_t lt, reserved, code = 0;
	struct span val = { 0 };
	int rc;

	if (!rd16(r, s, &lt) || !rd16(r, s, &reserved) ||
	    !rd32(r, s, &ifc.snaplen))
		return FAIL(r, e, ERR_CORRUPT,
			    "interface description block too short (%zu bytes of body)",
			    s->len);
	ifc.linktype = linktype_to_dlt(lt);
	while ((rc = next_option(r, s, &code, &val,
				 "interface description block", e)) > 0) {
		if (code == OPT_IF_TSRESOL) {
			uint8_t v = 0;

			if (val.len != 1)
				return FAIL(r, e, ERR_CORRUPT,
					    "bad if_tsresol length %zu (expected 1)",
					    val.len);
			span_u8(&val, &v);
			ifc.pow2 = (v & 0x80) != 0;
			ifc.exp = v & 0x7f;
			if (ifc.exp > (ifc.pow2 ? 63u : 19u))
				return FAIL(r, e, ERR_FORMAT,
					    "unsupported if_tsresol 0x%02x",
					    (unsigned)v);
		} else if (code == OPT_IF_TSOFFSET) {
			uint64_t v = 0;

			if (val.len != 8)
				return FAIL(r, e, ERR_CORRUPT,
					    "bad if_tsoffset length %zu (expected 8)",
					    val.len);
			rd64(r, &val, &v);
			/* two's complement; converting values over INT64_MAX
			 * directly would be implementation-defined */
			ifc.tsoffset = v <= INT64_MAX ? (int64_t)v :
				       -(int64_t)(~v) - 1;
		}
	}
	if (rc < 0)
		return rc;
	if (r->n_ifs == IF_MAX)
		return FAIL(r, e, ERR_CORRUPT,
			    "more than %u interfaces in one section",
			    (unsigned)IF_MAX);
	if (r->n_ifs == r->ifs_cap) {
		unsigned cap = r->ifs_cap ? 2 * r->ifs_cap : 8;
		struct pcapng_if *p = realloc(r->ifs, cap * sizeof(*p));

		if (!p)
			return FAIL(r, e, ERR_NOMEM, "out of memory");
		r->ifs = p;
		r->ifs_cap = cap;
	}
	r->ifs[r->n_ifs++] = ifc;
	return note_linktype(r, ifc.linktype, e);
}

static int find_if(struct pcapng_reader *r, uint32_t id,
		   const struct pcapng_if **ifc, struct err *e)
{
	if (id >= r->n_ifs)
		return FAIL(r, e, ERR_CORRUPT,
			    "unknown interface %u (the section has %u)",
			    (unsigned)id, r->n_ifs);
	*ifc = &r->ifs[id];
	return 0;
}

/*
 * An EPB or PB body after the interface id: timestamp, captured and
 * original length, data.  Fills fr; 0 or an error.
 */
static int parse_packet(struct pcapng_reader *r, struct span *s,
			uint32_t id, const char *what,
			struct pcapng_frame *fr, struct err *e)
{
	const struct pcapng_if *ifc = NULL;
	uint32_t hi, lo;
	int rc;

	if (!rd32(r, s, &hi) || !rd32(r, s, &lo) ||
	    !rd32(r, s, &fr->caplen) || !rd32(r, s, &fr->wire_len))
		return FAIL(r, e, ERR_CORRUPT, "%s too short (%zu bytes of body)",
			    what, s->len);
	if (fr->caplen > span_left(s))
		return FAIL(r, e, ERR_CORRUPT,
			    "captured length %u does not fit the %s (%zu bytes left)",
			    (unsigned)fr->caplen, what, span_left(s));
	if ((rc = find_if(r, id, &ifc, e)))
		return rc;
	if (!ticks_to_ns(ifc, (uint64_t)hi << 32 | lo, &fr->ts))
		return FAIL(r, e, ERR_CORRUPT,
			    "timestamp 0x%08x%08x out of range (interface %u)",
			    (unsigned)hi, (unsigned)lo, (unsigned)id);
	fr->data = span_cur(s);
	fr->linktype = ifc->linktype;
	fr->snaplen = ifc->snaplen;
	fr->interface = id;
	return 0;
}

static int parse_spb(struct pcapng_reader *r, struct span *s,
		     struct pcapng_frame *fr, struct err *e)
{
	const struct pcapng_if *ifc = NULL;
	size_t room;
	int rc;

	if (!rd32(r, s, &fr->wire_len))
		return FAIL(r, e, ERR_CORRUPT, "simple packet block too short");
	if ((rc = find_if(r, 0, &ifc, e)))
		return rc;
	/* The captured length is not stored: min(original, snaplen), and
	 * never more than the block holds. */
	room = span_left(s);
	fr->caplen = fr->wire_len;
	if (ifc->snaplen && fr->caplen > ifc->snaplen)
		fr->caplen = ifc->snaplen;
	if (fr->caplen > room)
		fr->caplen = (uint32_t)room;
	fr->data = span_cur(s);
	fr->ts = r->last_ts;
	fr->linktype = ifc->linktype;
	fr->snaplen = ifc->snaplen;
	fr->interface = 0;
	return 0;
}

/* 1 for a packet, 0 for a block that has none, < 0 on error. */
static int parse_block(struct pcapng_reader *r, uint32_t type, size_t len,
		       struct pcapng_frame *fr, struct err *e)
{
	struct span s = span_make(r->buf + 8, len - BLOCK_MIN);
	uint32_t id;
	uint16_t id16, drops;
	int rc;

	switch (type) {
	case BT_SHB:
		return parse_shb(r, &s, e);
	case BT_IDB:
		return parse_idb(r, &s, e);
	case BT_EPB:
		if (!rd32(r, &s, &id))
			return FAIL(r, e, ERR_CORRUPT,
				    "enhanced packet block too short");
		rc = parse_packet(r, &s, id, "enhanced packet block", fr, e);
		return rc < 0 ? rc : 1;
	case BT_PB:
		if (!rd16(r, &s, &id16) || !rd16(r, &s, &drops))
			return FAIL(r, e, ERR_CORRUPT, "packet block too short");
		rc = parse_packet(r, &s, id16, "packet block", fr, e);
		return rc < 0 ? rc : 1;
	case BT_SPB:
		rc = parse_spb(r, &s, fr, e);
		return rc < 0 ? rc : 1;
	default:
		return 0;	/* NRB, ISB, DSB, custom, unknown: skipped */
	}
}

/* ---- the API ---- */

int pcapng_open(struct pcapng_reader **out, FILE *f, const char *path,
		struct err *e)
{
	struct pcapng_reader *r;
	size_t plen = strlen(path ? path : "");
	uint32_t type;
	size_t len;
	int rc;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return err_set(e, ERR_NOMEM, path, "out of memory");
	r->f = f;
	r->path = malloc(plen + 1);
	if (!r->path) {
		rc = err_set(e, ERR_NOMEM, path, "out of memory");
		goto out_free;
	}
	memcpy(r->path, path ? path : "", plen + 1);

	rc = read_block(r, true, &type, &len, e);
	if (rc == 0) {
		rc = err_set(e, ERR_FORMAT, path, "empty file, not pcapng");
		goto out_free;
	}
	if (rc < 0 || (rc = parse_block(r, type, len, NULL, e)) < 0)
		goto out_free;
	*out = r;
	return 0;

out_free:
	pcapng_close(r);
	return rc;
}

int pcapng_next(struct pcapng_reader *r, struct pcapng_frame *fr,
		struct err *e)
{
	uint32_t type;
	size_t len;
	int rc;

	if (r->failed) {
		*e = r->err;
		return r->failed;
	}
	for (;;) {
		rc = read_block(r, false, &type, &len, e);
		if (rc <= 0)
			break;
		rc = parse_block(r, type, len, fr, e);
		if (rc < 0) {
			r->off = r->block_off;	/* point at the bad block */
			break;
		}
		if (rc == 1) {
			r->last_ts = fr->ts;
			return 1;
		}
	}
	if (rc < 0) {
		r->failed = rc;
		r->err = *e;
	}
	return rc;
}

uint64_t pcapng_offset(const struct pcapng_reader *r)
{
	return r->off;
}

unsigned pcapng_linktypes(const struct pcapng_reader *r, uint16_t *out,
			  unsigned n)
{
	for (unsigned i = 0; i < n && i < r->n_lts; i++)
		out[i] = r->lts[i];
	return r->n_lts;
}

void pcapng_close(struct pcapng_reader *r)
{
	if (!r)
		return;
	free(r->lts);
	free(r->ifs);
	free(r->buf);
	free(r->path);
	free(r);
}
