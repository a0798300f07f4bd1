/*
 * connstats.c - see connstats.h.
 */
#include <stdlib.h>
#include <string.h>

#include "connstats.h"
#include "decode.h"

void connstats_init(struct connstats *s)
{
	memset(s, 0, sizeof(*s));
}

void connstats_release(struct connstats *s)
{
	free(s->rtt[0].v);
	free(s->rtt[1].v);
	s->rtt[0].v = s->rtt[1].v = NULL;
}

static int rtt_add(struct connstats_rtt *r, int64_t x)
{
	if (r->seen == 0 || x < r->min)
		r->min = x;
	if (r->seen == 0 || x > r->max)
		r->max = x;
	r->seen++;
	if (r->n < CONNSTATS_RTT_KEEP) {
		if (r->n == r->cap) {
			uint32_t cap = r->cap ? r->cap * 2 : 16;
			int64_t *q = realloc(r->v, cap * sizeof(*q));
			if (!q)
				return -1;
			r->v = q;
			r->cap = cap;
		}
		r->v[r->n++] = x;
	} else {
		/* reservoir: sample k replaces a kept one with chance n/k,
		 * the index from a fixed hash so runs are reproducible */
		uint64_t h = r->seen * 0x9e3779b97f4a7c15ull;
		uint64_t j = (h ^ (h >> 29)) % r->seen;
		if (j < r->n)
			r->v[j] = x;
	}
	return 0;
}

static uint32_t inflight(const struct analysis_side *data,
			 const struct analysis_side *acker)
{
	uint32_t d;

	if (!data->nextseq || !acker->lastack)
		return 0;
	d = data->nextseq - acker->lastack;
	return d < 0x80000000u ? d : 0;
}

int connstats_packet(struct connstats *s, int dir, const struct cache_pkt *p,
		     const struct analysis_conn *a)
{
	int rc = 0;

	if (p->analysis)	/* most packets have no flag: skip the loop */
		for (unsigned b = 0; b < ANALYSIS_NFLAGS; b++)
			if (p->analysis & (1u << b))
				s->nflag[b][dir]++;
	if ((p->flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN && dir == 0)
		s->syns++;
	if ((p->flags & TCPF_RST) && !s->rst_by) {
		s->rst_by = (uint8_t)(dir + 1);
		s->rst_frame = p->frame;
		s->rst_ts = p->ts;
		s->rst_inflight[0] = inflight(&a->side[0], &a->side[1]);
		s->rst_inflight[1] = inflight(&a->side[1], &a->side[0]);
	}
	/* this ACK times the other side's data; like Wireshark's ack_rtt
	 * field, a zero delay (same timestamp) is no sample */
	if (p->acked_frame && p->ack_rtt)
		rc = rtt_add(&s->rtt[!dir], p->ack_rtt);
	if (!(p->flags & (TCPF_SYN | TCPF_RST))) {
		if (!s->has_win[dir] || p->win < s->win_min[dir])
			s->win_min[dir] = p->win;
		if (!s->has_win[dir] || p->win > s->win_max[dir])
			s->win_max[dir] = p->win;
		s->has_win[dir] = true;
		if (p->win == 0 && !s->zw_open[dir]) {
			s->zw_open[dir] = true;
			s->zw_start[dir] = p->ts;
			s->zw_n[dir]++;
		} else if (p->win > 0 && s->zw_open[dir]) {
			s->zw_open[dir] = false;
			s->zw_time[dir] += p->ts - s->zw_start[dir];
		}
	}
	s->last_ts = p->ts;
	return rc;
}

static void swap_i64(int64_t *a, int64_t *b)
{
	int64_t t = *a;

	*a = *b;
	*b = t;
}

/*
 * Median of v[0..n) (v is reordered); the lower middle when n is even.
 * Quickselect (Hoare partition around a median of three, as Numerical
 * Recipes' select()): the value a full sort would put at (n - 1) / 2, in
 * linear expected time.
 */
static int64_t median(int64_t *v, uint32_t n)
{
	long lo = 0, hi = (long)n - 1, k = ((long)n - 1) / 2;

	if (n == 0)
		return 0;
	for (;;) {
		long i, j, mid;
		int64_t pivot;

		if (hi <= lo + 1) {
			if (hi == lo + 1 && v[hi] < v[lo])
				swap_i64(&v[lo], &v[hi]);
			return v[k];
		}
		/* v[lo] <= v[lo + 1] = pivot <= v[hi]: the scans stop there */
		mid = lo + (hi - lo) / 2;
		swap_i64(&v[mid], &v[lo + 1]);
		if (v[lo] > v[hi])
			swap_i64(&v[lo], &v[hi]);
		if (v[lo + 1] > v[hi])
			swap_i64(&v[lo + 1], &v[hi]);
		if (v[lo] > v[lo + 1])
			swap_i64(&v[lo], &v[lo + 1]);
		pivot = v[lo + 1];
		i = lo + 1;
		j = hi;
		for (;;) {
			do
				i++;
			while (v[i] < pivot);
			do
				j--;
			while (v[j] > pivot);
			if (j < i)
				break;
			swap_i64(&v[i], &v[j]);
		}
		v[lo + 1] = v[j];
		v[j] = pivot;
		/* v[lo..j) <= pivot = v[j] <= v[i..hi], v(j..i) == pivot */
		if (k < j)
			hi = j - 1;
		else if (k >= i)
			lo = i;
		else
			return v[k];
	}
}

void connstats_finish(struct connstats *s, struct cache_conn *r)
{
	int64_t *all;
	uint32_t n0 = s->rtt[0].n, n1 = s->rtt[1].n;

	r->syn_retrans = s->syns > 1 ? s->syns - 1 : 0;
	r->rst_by = s->rst_by;
	r->rst_frame = s->rst_frame;
	r->rst_ts = s->rst_ts;
	r->rst_inflight_c2s = s->rst_inflight[0];
	r->rst_inflight_s2c = s->rst_inflight[1];
	r->rtt_n_c2s = (uint32_t)(s->rtt[0].seen < UINT32_MAX ? s->rtt[0].seen : UINT32_MAX);
	r->rtt_n_s2c = (uint32_t)(s->rtt[1].seen < UINT32_MAX ? s->rtt[1].seen : UINT32_MAX);
	r->rtt_min_c2s = s->rtt[0].min;
	r->rtt_max_c2s = s->rtt[0].max;
	r->rtt_min_s2c = s->rtt[1].min;
	r->rtt_max_s2c = s->rtt[1].max;
	/* the combined median first, before the per-side selects reorder */
	all = malloc(((size_t)n0 + n1 + 1) * sizeof(*all));
	if (all) {
		if (n0)
			memcpy(all, s->rtt[0].v, n0 * sizeof(*all));
		if (n1)
			memcpy(all + n0, s->rtt[1].v, n1 * sizeof(*all));
		r->rtt_med = median(all, n0 + n1);
		free(all);
	}
	r->rtt_med_c2s = median(s->rtt[0].v, n0);
	r->rtt_med_s2c = median(s->rtt[1].v, n1);
	r->win_min_c = s->win_min[0];
	r->win_max_c = s->win_max[0];
	r->win_min_s = s->win_min[1];
	r->win_max_s = s->win_max[1];
	for (int d = 0; d < 2; d++)
		if (s->zw_open[d]) {
			s->zw_time[d] += s->last_ts - s->zw_start[d];
			s->zw_open[d] = false;
		}
	r->zw_n_c = s->zw_n[0];
	r->zw_n_s = s->zw_n[1];
	r->zw_time_c = s->zw_time[0];
	r->zw_time_s = s->zw_time[1];
#define FLAGCOUNT(name, bit) \
	r->n_##name##_c2s = s->nflag[bit][0]; \
	r->n_##name##_s2c = s->nflag[bit][1];
	FLAGCOUNT(retransmission, 0)
	FLAGCOUNT(fast_retransmission, 1)
	FLAGCOUNT(spurious_retransmission, 2)
	FLAGCOUNT(out_of_order, 3)
	FLAGCOUNT(lost_segment, 4)
	FLAGCOUNT(ack_lost_segment, 5)
	FLAGCOUNT(duplicate_ack, 6)
	FLAGCOUNT(zero_window, 7)
	FLAGCOUNT(zero_window_probe, 8)
	FLAGCOUNT(zero_window_probe_ack, 9)
	FLAGCOUNT(window_full, 10)
	FLAGCOUNT(window_update, 11)
	FLAGCOUNT(keep_alive, 12)
	FLAGCOUNT(keep_alive_ack, 13)
#undef FLAGCOUNT
}
