/*
 * unit-scan.c - the frame-order scan that tests records before decoding
 * them whole (cache_pkts_scan), on the golden demo cache (format 2: one
 * zstd frame per field) and the format 1.1 one (tested whole).
 *
 * Checks, against the records a plain scan decodes:
 *  - every single field decoded from its own column (delta, frame
 *    references and all) equals the field of the whole record, and the
 *    fields not asked for read as 0;
 *  - the scan passes on exactly the records keep() passed, whole, in
 *    frame order;
 *  - field_pkt_reads() names every record field a packets field reads:
 *    each field's value from a record holding only those fields equals
 *    its value from the whole record.
 * Run from the source tree's top (tests/run.sh does).
 */
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "cache_int.h"
#include "fields.h"
#include "unit.h"

static const char *const caches[] = {
	"tests/golden/demo.sift", "tests/golden/demo-1.1.sift",
};

struct all {
	struct cache_pkt *v;		/* by frame */
	uint64_t nframes;
	uint64_t n;
};

static int collect(void *arg, const struct cache_pkt *p)
{
	struct all *a = arg;

	if (p->frame >= a->nframes) {
		uint64_t n = p->frame * 2 + 16;
		struct cache_pkt *q = realloc(a->v, n * sizeof(*q));
		if (!q)
			return -1;
		memset(q + a->nframes, 0, (n - a->nframes) * sizeof(*q));
		a->v = q;
		a->nframes = n;
	}
	a->v[p->frame] = *p;
	a->n++;
	return 0;
}

/* p with only the fields in `set` kept, the others 0. */
static struct cache_pkt only(const struct cache_pkt *p, uint32_t set)
{
	uint8_t full[CACHE_PKT_SIZE], part[CACHE_PKT_SIZE] = { 0 };
	struct cache_pkt q;

	record_pkt_encode(full, p);
	for (unsigned f = 0; f < PKT_NFIELDS; f++)
		if (set >> f & 1)
			memcpy(part + cache_pkt_field_off[f],
			       full + cache_pkt_field_off[f], cache_pkt_field_size[f]);
	record_pkt_decode(part, &q);
	return q;
}

static bool same_pkt(const struct cache_pkt *x, const struct cache_pkt *y)
{
	uint8_t a[CACHE_PKT_SIZE], b[CACHE_PKT_SIZE];

	record_pkt_encode(a, x);
	record_pkt_encode(b, y);
	return memcmp(a, b, sizeof(a)) == 0;
}

struct scan {
	const struct all *a;
	uint32_t need;
	uint64_t bad, seen, passed, emitted, last;
	bool whole;		/* keep() sees whole records (format 1) */
};

static bool keep(void *arg, const struct cache_pkt *p)
{
	struct scan *s = arg;
	const struct cache_pkt *want;
	struct cache_pkt expect;

	s->seen++;
	if (p->frame >= s->a->nframes || !s->a->v[p->frame].frame) {
		s->bad++;
		return false;
	}
	want = &s->a->v[p->frame];
	expect = s->whole ? *want : only(want, s->need);
	if (!same_pkt(p, &expect))
		s->bad++;
	if (p->frame % 3 == 0) {
		s->passed++;
		return true;
	}
	return false;
}

static int emitted(void *arg, const struct cache_pkt *p)
{
	struct scan *s = arg;

	if (p->frame % 3 != 0 || p->frame <= s->last ||
	    !same_pkt(p, &s->a->v[p->frame]))
		s->bad++;
	s->last = p->frame;
	s->emitted++;
	return 0;
}

static void test_columns(void)
{
	for (size_t c = 0; c < sizeof(caches) / sizeof(caches[0]); c++) {
		struct cache_reader *r;
		struct err e;
		struct all a = { 0 };
		unsigned major, minor;

		CHECKF(cache_open(&r, caches[c], &e) == 0, "%s: %s", caches[c], e.msg);
		if (unit_failed_now)
			return;
		cache_version(r, &major, &minor);
		CHECK(cache_pkts_each(r, collect, &a, &e) == 0);
		CHECK(a.n == cache_npkts(r) && a.n > 1000);
		for (unsigned f = 0; f < PKT_NFIELDS; f++) {
			struct scan s = { .a = &a, .whole = major < 2 };
			struct cache_pkt_filter pf = { 0, keep, &s };

			s.need = pf.need = PKT_BIT(frame) | UINT32_C(1) << f;
			CHECK(cache_pkts_scan(r, &pf, emitted, &s, &e) == 0);
			CHECKF(s.bad == 0 && s.seen == a.n && s.emitted == s.passed &&
			       s.passed > 0, "%s field %u: %llu bad, %llu seen, %llu passed, %llu emitted",
			       caches[c], f, (unsigned long long)s.bad,
			       (unsigned long long)s.seen, (unsigned long long)s.passed,
			       (unsigned long long)s.emitted);
		}
		free(a.v);
		cache_close(r);
	}
}

static bool same_value(enum filter_type t, bool p1, const struct filter_value *v1,
		       bool p2, const struct filter_value *v2)
{
	if (p1 != p2)
		return false;
	if (!p1)
		return true;
	switch (t) {
	case FT_STR:
		return v1->len == v2->len && !memcmp(v1->s, v2->s, v1->len);
	case FT_ADDR:
		return v1->ipver == v2->ipver && !memcmp(v1->addr, v2->addr, 16);
	default:
		return v1->i == v2->i;
	}
}

static const struct cache_conn *conn_of(const struct cache_conn *c, size_t n,
				       uint32_t stream)
{
	for (size_t k = 0; k < n; k++)
		if (c[k].stream == stream)
			return &c[k];
	return NULL;
}

static void test_field_reads(void)
{
	struct cache_reader *r;
	struct err e;
	struct all a = { 0 };
	struct cache_conn *conns = NULL;
	size_t nconns = 0;
	char s1[FIELD_SCRATCH], s2[FIELD_SCRATCH];
	unsigned tested = 0;

	CHECKF(cache_open(&r, caches[0], &e) == 0, "%s: %s", caches[0], e.msg);
	if (unit_failed_now)
		return;
	CHECK(cache_pkts_each(r, collect, &a, &e) == 0);
	CHECK(cache_conns_load(r, &conns, &nconns, &e) == 0);
	for (int id = 0; id < F_COUNT; id++) {
		uint32_t set = field_pkt_reads(id, false);
		uint64_t differ = 0;

		if (field_info[id].table != TBL_PACKETS || !field_info[id].computed)
			continue;
		CHECKF(set != UINT32_MAX, "packets field %s reads the whole record",
		       field_info[id].name);
		for (uint64_t fr = 0; fr < a.nframes; fr++) {
			const struct cache_pkt *p = &a.v[fr];
			struct cache_pkt q;
			struct filter_value v1, v2;
			struct field_row r1 = { .pkt = p, .scratch = s1 };
			struct field_row r2 = { .pkt = &q, .scratch = s2 };
			bool g1, g2;

			if (!p->frame)
				continue;
			q = only(p, set);
			/* each row's connection by its own record's stream, as
			 * the packets report finds it */
			r1.conn = conn_of(conns, nconns, p->stream);
			r2.conn = conn_of(conns, nconns, q.stream);
			g1 = field_get(&r1, id, &v1);
			g2 = field_get(&r2, id, &v2);
			differ += !same_value(field_info[id].type, g1, &v1, g2, &v2);
		}
		CHECKF(differ == 0, "packets field %s: %llu records differ with only its fields",
		       field_info[id].name, (unsigned long long)differ);
		tested++;
	}
	CHECK(tested > 40);
	free(conns);
	free(a.v);
	cache_close(r);
}

int main(void)
{
	RUN(test_columns);
	RUN(test_field_reads);
	return unit_status();
}
