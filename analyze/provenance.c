/*
 * provenance.c - see provenance.h.
 */
#include <stdio.h>

#include "provenance.h"

enum {
	P_FORMAT, P_TOOL, P_SOURCE, P_SOURCE_SIZE, P_SOURCE_MTIME, P_EXTRACTED,
	P_FILTER, P_LINKTYPES, P_SNAPLEN, P_TSPREC, P_TRUNCATED, P_TRUNCATED_AT,
	P_FRAMES, P_FILTERED, P_TCP_PACKETS, P_CONNECTIONS, P_SKIPPED_LINKTYPE,
	P_SKIPPED_NOT_IP, P_SKIPPED_NOT_TCP, P_SKIPPED_FRAGMENT,
	P_SKIPPED_MALFORMED, P_SKIPPED_TRUNCATED, P_FIRST, P_LAST, P_DURATION,
	P_CACHE_SIZE, P_COUNT
};

_Static_assert((int)P_COUNT == (int)PROV_NITEMS, "PROV_NITEMS counts the items");

const struct prov_item provenance_items[PROV_NITEMS] = {
	[P_FORMAT] = { "format", PROV_TEXT },
	[P_TOOL] = { "tool", PROV_TEXT },
	[P_SOURCE] = { "source", PROV_TEXT },
	[P_SOURCE_SIZE] = { "source_size", PROV_INT },
	[P_SOURCE_MTIME] = { "source_mtime", PROV_TIME },
	[P_EXTRACTED] = { "extracted", PROV_TIME },
	[P_FILTER] = { "filter", PROV_TEXT },
	[P_LINKTYPES] = { "linktypes", PROV_TEXT },
	[P_SNAPLEN] = { "snaplen", PROV_INT },
	[P_TSPREC] = { "tsprec", PROV_TEXT },
	[P_TRUNCATED] = { "truncated", PROV_YESNO },
	[P_TRUNCATED_AT] = { "truncated_at", PROV_INT },
	[P_FRAMES] = { "frames", PROV_INT },
	[P_FILTERED] = { "filtered", PROV_INT },
	[P_TCP_PACKETS] = { "tcp_packets", PROV_INT },
	[P_CONNECTIONS] = { "connections", PROV_INT },
	[P_SKIPPED_LINKTYPE] = { "skipped_linktype", PROV_INT },
	[P_SKIPPED_NOT_IP] = { "skipped_not_ip", PROV_INT },
	[P_SKIPPED_NOT_TCP] = { "skipped_not_tcp", PROV_INT },
	[P_SKIPPED_FRAGMENT] = { "skipped_fragment", PROV_INT },
	[P_SKIPPED_MALFORMED] = { "skipped_malformed", PROV_INT },
	[P_SKIPPED_TRUNCATED] = { "skipped_truncated", PROV_INT },
	[P_FIRST] = { "first", PROV_TIME },
	[P_LAST] = { "last", PROV_TIME },
	[P_DURATION] = { "duration", PROV_SECS },
	[P_CACHE_SIZE] = { "cache_size", PROV_INT },
};

void provenance_get(struct cache_reader *r, unsigned k, struct prov_value *v)
{
	const struct cache_meta *m = cache_meta(r);
	const struct cache_meta_fixed *f = &m->f;
	const uint16_t lt[4] = { f->linktype0, f->linktype1, f->linktype2,
				 f->linktype3 };
	bool truncated = f->flags & CACHE_META_TRUNCATED;
	unsigned major, minor;
	size_t n = 0;

	v->present = true;
	v->i = 0;
	v->s = v->buf;
	v->buf[0] = '\0';
	switch (k) {
	case P_FORMAT:
		cache_version(r, &major, &minor);
		snprintf(v->buf, sizeof(v->buf), "%u.%u", major, minor);
		break;
	case P_TOOL: v->s = m->tool; break;
	case P_SOURCE: v->s = m->source; break;
	case P_SOURCE_SIZE: v->i = (int64_t)f->capture_size; break;
	case P_SOURCE_MTIME: v->i = f->capture_mtime; break;
	case P_EXTRACTED: v->i = f->extract_time; break;
	case P_FILTER: v->s = m->filter; break;
	case P_LINKTYPES:
		for (int i = 0; i < 4; i++)
			if (lt[i] != 0xffff)
				n += (size_t)snprintf(v->buf + n, sizeof(v->buf) - n,
						      "%s%u", n ? "," : "", lt[i]);
		break;
	case P_SNAPLEN: v->i = f->snaplen; break;
	case P_TSPREC:
		v->s = f->tsprec == 9 ? "ns" : f->tsprec == 6 ? "us" : "unknown";
		break;
	case P_TRUNCATED: v->i = truncated; break;
	case P_TRUNCATED_AT:
		v->i = (int64_t)f->truncated_at;
		v->present = truncated;
		break;
	case P_FRAMES: v->i = (int64_t)f->frames; break;
	case P_FILTERED: v->i = (int64_t)f->filtered; break;
	case P_TCP_PACKETS: v->i = (int64_t)f->tcp_packets; break;
	case P_CONNECTIONS: v->i = (int64_t)f->connections; break;
	case P_SKIPPED_LINKTYPE: v->i = (int64_t)f->n_linktype; break;
	case P_SKIPPED_NOT_IP: v->i = (int64_t)f->n_not_ip; break;
	case P_SKIPPED_NOT_TCP: v->i = (int64_t)f->n_not_tcp; break;
	case P_SKIPPED_FRAGMENT: v->i = (int64_t)f->n_fragment; break;
	case P_SKIPPED_MALFORMED: v->i = (int64_t)f->n_malformed; break;
	case P_SKIPPED_TRUNCATED: v->i = (int64_t)f->n_short; break;
	case P_FIRST: v->i = f->first_ts; v->present = f->frames; break;
	case P_LAST: v->i = f->last_ts; v->present = f->frames; break;
	case P_DURATION:
		v->i = f->last_ts - f->first_ts;
		v->present = f->frames;
		break;
	case P_CACHE_SIZE: v->i = (int64_t)cache_file_size(r); break;
	default: v->present = false;
	}
}
