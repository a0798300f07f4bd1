/*
 * unit-connstats.c - connstats.c's ack RTT medians against a full sort.
 *
 * The medians are selected, not sorted; the connection record must carry
 * exactly the value a sort would put at (n - 1) / 2 (the lower middle for
 * an even count), per direction and over both.  Samples come in through
 * connstats_packet() as ACKs carrying an ack RTT, in orders and value
 * ranges that stress a partition: sorted, reversed, all equal, few
 * distinct values, organ pipe, random.  Counts stay within
 * CONNSTATS_RTT_KEEP, where the median is exact.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "connstats.h"
#include "decode.h"
#include "unit.h"

static uint64_t rng = 0x853c49e6748fea9bull;

static uint32_t next_rand(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng >> 33);
}

enum shape { RANDOM, FEW, EQUAL, SORTED, REVERSED, PIPE, NSHAPES };

static int64_t sample(enum shape sh, uint32_t i, uint32_t n)
{
	switch (sh) {
	case RANDOM: return 1 + (int64_t)next_rand() * 977;
	case FEW: return 1 + next_rand() % 4;
	case EQUAL: return 42;
	case SORTED: return 1 + i;
	case REVERSED: return (int64_t)n - i;
	case PIPE: return 1 + (i < n / 2 ? i : n - i);
	default: return 1;
	}
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int64_t ref_median(const int64_t *v, uint32_t n)
{
	int64_t *c, m;

	if (n == 0)
		return 0;
	c = malloc(n * sizeof(*c));
	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_i64);
	m = c[(n - 1) / 2];
	free(c);
	return m;
}

/* n0 samples timing the client's data, n1 the server's. */
static void check_medians(enum shape sh, uint32_t n0, uint32_t n1)
{
	static int64_t v0[CONNSTATS_RTT_KEEP], v1[CONNSTATS_RTT_KEEP];
	static int64_t all[2 * CONNSTATS_RTT_KEEP];
	struct connstats s;
	struct analysis_conn a;
	struct cache_conn r;
	struct cache_pkt p;

	connstats_init(&s);
	memset(&a, 0, sizeof(a));
	memset(&r, 0, sizeof(r));
	memset(&p, 0, sizeof(p));
	p.flags = TCPF_ACK;
	p.win = 1000;
	p.acked_frame = 1;
	for (uint32_t i = 0; i < n0 || i < n1; i++) {
		if (i < n0) {	/* the server's ACK times the client's data */
			v0[i] = p.ack_rtt = sample(sh, i, n0);
			CHECK(connstats_packet(&s, 1, &p, &a) == 0);
		}
		if (i < n1) {
			v1[i] = p.ack_rtt = sample(sh, i, n1);
			CHECK(connstats_packet(&s, 0, &p, &a) == 0);
		}
	}
	memcpy(all, v0, n0 * sizeof(*all));
	memcpy(all + n0, v1, n1 * sizeof(*all));
	connstats_finish(&s, &r);
	CHECKF(r.rtt_med_c2s == ref_median(v0, n0), "shape %d n %u", sh, n0);
	CHECKF(r.rtt_med_s2c == ref_median(v1, n1), "shape %d n %u", sh, n1);
	CHECKF(r.rtt_med == ref_median(all, n0 + n1), "shape %d n %u+%u",
	       sh, n0, n1);
	connstats_release(&s);
}

static void test_median_small(void)
{
	for (int sh = 0; sh < NSHAPES; sh++)
		for (uint32_t n0 = 0; n0 <= 40; n0++)
			for (uint32_t n1 = 0; n1 <= 6; n1++)
				check_medians((enum shape)sh, n0, n1);
}

static void test_median_large(void)
{
	static const uint32_t ns[] = { 100, 101, 255, 1000, 1023,
				       CONNSTATS_RTT_KEEP - 1,
				       CONNSTATS_RTT_KEEP };

	for (int sh = 0; sh < NSHAPES; sh++)
		for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
			check_medians((enum shape)sh, ns[i], 0);
			check_medians((enum shape)sh, ns[i], ns[i] / 3);
		}
	for (int rep = 0; rep < 200; rep++)
		check_medians(rep & 1 ? FEW : RANDOM,
			      next_rand() % CONNSTATS_RTT_KEEP,
			      next_rand() % 64);
}

int main(void)
{
	RUN(test_median_small);
	RUN(test_median_large);
	return unit_status();
}
