/*
 * span.h - the one bounds-checked cursor over untrusted bytes.
 *
 * Packet bytes are read only through a span (STYLE.md rule 16, after
 * tcpdump's GET_BE_U_2/ND_TCHECK).  Every read returns false, and leaves
 * the cursor where it was, when the bytes are not there; nothing here ever
 * touches memory outside [p, p + len).
 */
#ifndef TCPSIFT_SPAN_H
#define TCPSIFT_SPAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

struct span {
	const uint8_t *p;	/* first byte of the window */
	size_t len;		/* bytes in the window */
	size_t off;		/* cursor, 0 <= off <= len */
};

static inline struct span span_make(const uint8_t *p, size_t len)
{
	struct span s = { p, len, 0 };
	return s;
}

static inline size_t span_left(const struct span *s)
{
	return s->len - s->off;
}

static inline const uint8_t *span_cur(const struct span *s)
{
	return s->p + s->off;
}

static inline bool span_has(const struct span *s, size_t n)
{
	return span_left(s) >= n;
}

static inline bool span_skip(struct span *s, size_t n)
{
	if (!span_has(s, n))
		return false;
	s->off += n;
	return true;
}

static inline bool span_u8(struct span *s, uint8_t *v)
{
	if (!span_has(s, 1))
		return false;
	*v = s->p[s->off++];
	return true;
}

static inline bool span_be16(struct span *s, uint16_t *v)
{
	if (!span_has(s, 2))
		return false;
	*v = get_be16(s->p + s->off);
	s->off += 2;
	return true;
}

static inline bool span_be32(struct span *s, uint32_t *v)
{
	if (!span_has(s, 4))
		return false;
	*v = get_be32(s->p + s->off);
	s->off += 4;
	return true;
}

static inline bool span_le16(struct span *s, uint16_t *v)
{
	if (!span_has(s, 2))
		return false;
	*v = get_le16(s->p + s->off);
	s->off += 2;
	return true;
}

/* Copies n bytes out; false (and nothing copied) when they are not there. */
static inline bool span_copy(struct span *s, void *dst, size_t n)
{
	const uint8_t *src = s->p + s->off;
	uint8_t *d = dst;

	if (!span_has(s, n))
		return false;
	for (size_t i = 0; i < n; i++)
		d[i] = src[i];
	s->off += n;
	return true;
}

/*
 * A new span over the next n bytes (clamped to what is there); the parent
 * cursor is not moved.
 */
static inline struct span span_sub(const struct span *s, size_t n)
{
	size_t left = span_left(s);
	return span_make(span_cur(s), n < left ? n : left);
}

#endif
