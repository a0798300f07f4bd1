/*
 * flow.c - the connection tracker.
 *
 * A hash table (open addressing, linear probing, backward-shift deletion)
 * maps a canonical 4-tuple to the connection currently using it.  Each
 * connection keeps Wireshark's per-direction state: the sequence base that
 * makes numbers relative (ISN, or first seq - 1 when the SYN was not seen,
 * or ack - 1 from the other side's first ACK) and the window-scale shift
 * (-1 unknown, -2 not in use; RFC 7323: only when both SYN and SYN-ACK
 * carry the option, never applied to a SYN).
 *
 * Does not: reassemble, analyse retransmissions (a later format version
 * stores that), or look at payload bytes.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "connstats.h"
#include "flow.h"
#include "zeek.h"

struct key {
	uint8_t a[16], b[16];	/* a <= b (address, then port) */
	uint16_t pa, pb;
	uint8_t ipver;
};

struct side {
	uint32_t base;		/* sequence base: rel = raw - base */
	bool base_set;
	bool base_from_syn;	/* base is an ISN, not a guess */
	int8_t wscale;		/* -1 unknown, -2 no scaling, else shift */
};

struct conn {
	struct key key;
	uint64_t hash;
	struct cache_conn rec;	/* addresses, times, counters so far */
	struct side side[2];	/* [0] client, [1] server */
	struct cache_stream *cs;
	struct analysis_conn an;	/* Wireshark's sequence analysis */
	struct connstats st;	/* summary of the recorded packets */
	struct zeek_state z;	/* Zeek's conn_state and history */
	bool reused;		/* started by a SYN reusing a 4-tuple */
	uint64_t nrec;		/* packets recorded (matching the filter) */
	uint8_t seen_end;	/* CONN_END_* bits over every packet */
	int64_t last_seen;	/* ns, any packet: for the idle timer */
	bool closed;		/* FIN both ways or RST, any packet */
	struct conn *prev, *next;	/* all held connections, by stream */
	struct conn *cprev, *cnext;	/* closed ones, least recently used first */
};

struct clist {
	struct conn *head, *tail;
};

struct flow_table {
	struct cache_writer *w;
	struct conn **slots;
	size_t cap;		/* power of two */
	size_t n;
	uint32_t next_stream;
	struct conn *all_head, *all_tail;
	struct clist closed;
	struct flow_stats st;
};

static uint64_t rotl64(uint64_t x, unsigned r)
{
	return x << r | x >> (64 - r);
}

/*
 * A word at a time: the four address words and the ports with the IP
 * version are multiplied by independent odd constants (no chain between
 * them), combined, and finished with a murmur3-style mixer so every key
 * bit reaches the low bits the table indexes by.  Host byte order: the
 * hash never leaves memory.
 */
static uint64_t key_hash(const struct key *k)
{
	uint64_t w[4], h;

	memcpy(w, k->a, 16);
	memcpy(w + 2, k->b, 16);
	h = (uint64_t)k->pa | (uint64_t)k->pb << 16 | (uint64_t)k->ipver << 32;
	h = (w[0] * 0x9e3779b97f4a7c15ull ^ w[1] * 0xc2b2ae3d27d4eb4full) +
	    rotl64(w[2] * 0x165667b19e3779f9ull ^ w[3] * 0xd6e8feb86659fd93ull, 32) +
	    rotl64(h * 0xff51afd7ed558ccdull, 17);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

static void key_make(struct key *k, const struct decode_tcp *d, bool *swapped)
{
	int c = memcmp(d->src, d->dst, 16);

	memset(k, 0, sizeof(*k));
	*swapped = c > 0 || (c == 0 && d->sport > d->dport);
	memcpy(k->a, *swapped ? d->dst : d->src, 16);
	memcpy(k->b, *swapped ? d->src : d->dst, 16);
	k->pa = *swapped ? d->dport : d->sport;
	k->pb = *swapped ? d->sport : d->dport;
	k->ipver = d->ipver;
}

static bool key_eq(const struct key *x, const struct key *y)
{
	return memcmp(x->a, y->a, 16) == 0 && memcmp(x->b, y->b, 16) == 0 &&
	       x->pa == y->pa && x->pb == y->pb && x->ipver == y->ipver;
}

int flow_new(struct flow_table **out, struct cache_writer *w, struct err *e)
{
	struct flow_table *t = calloc(1, sizeof(*t));

	*out = NULL;
	if (!t)
		return err_set(e, ERR_NOMEM, NULL, "out of memory");
	t->cap = 1024;
	t->slots = calloc(t->cap, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return err_set(e, ERR_NOMEM, NULL, "out of memory");
	}
	t->w = w;
	*out = t;
	return 0;
}

static size_t probe_find(const struct flow_table *t, const struct key *k,
			 uint64_t h)
{
	size_t mask = t->cap - 1, i = h & mask;

	while (t->slots[i] &&
	       !(t->slots[i]->hash == h && key_eq(&t->slots[i]->key, k)))
		i = (i + 1) & mask;
	return i;
}

static int table_grow(struct flow_table *t)
{
	size_t cap = t->cap * 2;
	struct conn **old = t->slots, **s = calloc(cap, sizeof(*s));

	if (!s)
		return -1;
	for (size_t i = 0; i < t->cap; i++) {
		if (old[i]) {
			size_t j = old[i]->hash & (cap - 1);
			while (s[j])
				j = (j + 1) & (cap - 1);
			s[j] = old[i];
		}
	}
	free(old);
	t->slots = s;
	t->cap = cap;
	return 0;
}

/* Backward-shift deletion keeps every probe chain unbroken. */
static void table_remove(struct flow_table *t, struct conn *c)
{
	size_t mask = t->cap - 1, i = probe_find(t, &c->key, c->hash);

	if (t->slots[i] != c)
		return;
	t->slots[i] = NULL;
	for (size_t j = (i + 1) & mask; t->slots[j]; j = (j + 1) & mask) {
		size_t home = t->slots[j]->hash & mask;
		/* move j back to i unless its home lies cyclically in (i, j] */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			t->slots[i] = t->slots[j];
			t->slots[j] = NULL;
			i = j;
		}
	}
	t->n--;
}

static void closed_unlink(struct flow_table *t, struct conn *c)
{
	if (c->cprev)
		c->cprev->cnext = c->cnext;
	else
		t->closed.head = c->cnext;
	if (c->cnext)
		c->cnext->cprev = c->cprev;
	else
		t->closed.tail = c->cprev;
	c->cprev = c->cnext = NULL;
}

static void closed_push(struct flow_table *t, struct conn *c)
{
	c->cprev = t->closed.tail;
	c->cnext = NULL;
	if (t->closed.tail)
		t->closed.tail->cnext = c;
	else
		t->closed.head = c;
	t->closed.tail = c;
}

/* Writes c's connection record, removes it from every list and frees it. */
static int conn_end(struct flow_table *t, struct conn *c, bool evicted,
		    struct err *e)
{
	struct cache_conn *r = &c->rec;
	int rc;

	r->base_c = c->side[0].base;
	r->base_s = c->side[1].base;
	r->wscale_c = c->side[0].wscale;
	r->wscale_s = c->side[1].wscale;
	r->evicted = evicted;
	connstats_finish(&c->st, r);
	r->conn_state = (uint8_t)zeek_conn_state(&c->z);
	zeek_history(&c->z, r->history.s, sizeof(r->history.s));
	if (c->nrec) {
		rc = cache_writer_stream_end(t->w, c->cs, r, e);
		t->st.written++;
	}
	else	/* every packet was filtered out: no record */
		cache_writer_stream_drop(t->w, c->cs), rc = 0;

	table_remove(t, c);
	if (c->closed)
		closed_unlink(t, c);
	if (c->prev)
		c->prev->next = c->next;
	else
		t->all_head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		t->all_tail = c->prev;
	analysis_release(&c->an);
	connstats_release(&c->st);
	free(c);
	t->st.open--;
	if (evicted)
		t->st.evicted++;
	return rc;
}

static struct conn *conn_start(struct flow_table *t, const struct key *k,
			       uint64_t h, const struct decode_tcp *d,
			       struct err *e)
{
	struct conn *c;
	bool sender_is_client;
	uint8_t rule;
	size_t i;

	if ((t->n + 1) * 2 > t->cap && table_grow(t)) {
		err_set(e, ERR_NOMEM, NULL, "out of memory");
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->cs = cache_writer_stream_begin(t->w, t->next_stream))) {
		free(c);
		err_set(e, ERR_NOMEM, NULL, "out of memory");
		return NULL;
	}
	c->key = *k;
	c->hash = h;
	analysis_init(&c->an);
	connstats_init(&c->st);

	/* Who is the client: see conn_fields.def, client_rule. */
	if ((d->flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN) {
		sender_is_client = true;
		rule = 1;
	} else if ((d->flags & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK)) {
		sender_is_client = false;
		rule = 2;
	} else if (d->sport != d->dport) {
		sender_is_client = d->sport > d->dport;
		rule = 3;
	} else {
		sender_is_client = true;
		rule = 4;
	}
	c->rec.stream = t->next_stream++;
	c->rec.ipver = d->ipver;
	c->rec.client_rule = rule;
	memcpy(c->rec.client.b, sender_is_client ? d->src : d->dst, 16);
	memcpy(c->rec.server.b, sender_is_client ? d->dst : d->src, 16);
	c->rec.cport = sender_is_client ? d->sport : d->dport;
	c->rec.sport = sender_is_client ? d->dport : d->sport;
	c->rec.ws_c = c->rec.ws_s = 255;
	c->side[0].wscale = c->side[1].wscale = -1;
	zeek_init(&c->z, c->rec.cport, c->rec.sport);

	i = probe_find(t, k, h);
	t->slots[i] = c;
	t->n++;
	c->prev = t->all_tail;
	if (t->all_tail)
		t->all_tail->next = c;
	else
		t->all_head = c;
	t->all_tail = c;
	t->st.conns++;
	if (++t->st.open > t->st.max_open)
		t->st.max_open = t->st.open;
	return c;
}

/* Wireshark's window-scale bookkeeping for a segment of side fwd. */
static void track_wscale(struct conn *c, int dir, const struct decode_tcp *d)
{
	struct side *fwd = &c->side[dir], *rev = &c->side[!dir];

	if (d->opts & TCPO_WSCALE)
		fwd->wscale = (int8_t)(d->wscale > 14 ? 14 : d->wscale);
	if (!(d->flags & TCPF_SYN))
		return;
	if (fwd->wscale == -1) {
		/* a SYN without the option: nobody scales */
		fwd->wscale = -2;
		rev->wscale = -2;
	} else if ((d->flags & TCPF_ACK) && rev->wscale == -2) {
		fwd->wscale = -2;
	}
}

static void track_handshake(struct conn *c, int dir, uint64_t frame,
			    int64_t ts, const struct decode_tcp *d)
{
	struct cache_conn *r = &c->rec;
	uint16_t sa = d->flags & (TCPF_SYN | TCPF_ACK);
	uint8_t synopts = d->opts & (TCPO_SACK_PERM | TCPO_TIMESTAMP);

	if (sa == TCPF_SYN && dir == 0 && !r->syn_frame) {
		r->syn_frame = frame;
		r->syn_ts = ts;
		r->mss_c = (d->opts & TCPO_MSS) ? d->mss : 0;
		r->ws_c = (d->opts & TCPO_WSCALE) ? d->wscale : 255;
		r->opts_c = synopts;
	} else if (sa == (TCPF_SYN | TCPF_ACK) && dir == 1 && !r->synack_frame) {
		r->synack_frame = frame;
		r->synack_ts = ts;
		r->mss_s = (d->opts & TCPO_MSS) ? d->mss : 0;
		r->ws_s = (d->opts & TCPO_WSCALE) ? d->wscale : 255;
		r->opts_s = synopts;
	} else if (sa == TCPF_ACK && dir == 0 && r->synack_frame &&
		   !r->ack_frame) {
		r->ack_frame = frame;
		r->ack_ts = ts;
	}
}

/* How it ended, from the recorded packets. */
static void track_end(struct conn *c, int dir, uint64_t frame, int64_t ts,
		      const struct decode_tcp *d)
{
	struct cache_conn *r = &c->rec;

	if ((d->flags & TCPF_RST) && dir &&
	    !(r->end & (CONN_END_RST_C | CONN_END_RST_S)))
		r->end |= CONN_END_RST_FIRST_S;
	if (d->flags & TCPF_FIN)
		r->end |= dir ? CONN_END_FIN_S : CONN_END_FIN_C;
	if (d->flags & TCPF_RST)
		r->end |= dir ? CONN_END_RST_S : CONN_END_RST_C;
	if (!r->end_frame &&
	    ((d->flags & TCPF_RST) ||
	     ((r->end & (CONN_END_FIN_C | CONN_END_FIN_S)) ==
	      (CONN_END_FIN_C | CONN_END_FIN_S)))) {
		r->end_frame = frame;
		r->end_ts = ts;
	}
}

/* Whether it is closed, from every packet: for releasing it when idle. */
static void track_closed(struct flow_table *t, struct conn *c, int dir,
			 int64_t ts, const struct decode_tcp *d)
{
	if (d->flags & TCPF_FIN)
		c->seen_end |= dir ? CONN_END_FIN_S : CONN_END_FIN_C;
	if (d->flags & TCPF_RST)
		c->seen_end |= dir ? CONN_END_RST_S : CONN_END_RST_C;
	c->last_seen = ts;
	if (!c->closed && ((c->seen_end & (CONN_END_RST_C | CONN_END_RST_S)) ||
			   (c->seen_end & (CONN_END_FIN_C | CONN_END_FIN_S)) ==
			   (CONN_END_FIN_C | CONN_END_FIN_S))) {
		c->closed = true;
		closed_push(t, c);
	} else if (c->closed) {	/* most recently used goes last */
		closed_unlink(t, c);
		closed_push(t, c);
	}
}

int flow_packet(struct flow_table *t, uint64_t frame, int64_t ts,
		uint32_t wire_len, const struct decode_tcp *d, bool record,
		struct err *e)
{
	struct key k;
	bool swapped;
	uint64_t h;
	size_t i;
	struct conn *c;
	struct cache_pkt p;
	struct side *fwd, *rev;
	int dir, rc;
	bool syn_only = (d->flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN;
	bool reused = false, synack_rebased = false;
	struct analysis_result ar;

	/* release closed connections idle for long enough */
	while (t->closed.head &&
	       ts - t->closed.head->last_seen > FLOW_CLOSED_IDLE_NS)
		if ((rc = conn_end(t, t->closed.head, true, e)))
			return rc;

	key_make(&k, d, &swapped);
	h = key_hash(&k);
	i = probe_find(t, &k, h);
	c = t->slots[i];
	if (c && syn_only) {
		/* port reuse: a SYN with another ISN than its sender's base */
		int sdir = memcmp(d->src, c->rec.client.b, 16) == 0 &&
			   d->sport == c->rec.cport ? 0 : 1;
		if (c->side[sdir].base_set && c->side[sdir].base != d->seq) {
			if ((rc = conn_end(t, c, false, e)))
				return rc;
			c = NULL;
			reused = true;
		}
	}
	if (!c && !(c = conn_start(t, &k, h, d, e)))
		return ERR_NOMEM;
	c->reused = reused;

	dir = memcmp(d->src, c->rec.client.b, 16) == 0 &&
	      d->sport == c->rec.cport ? 0 : 1;
	fwd = &c->side[dir];
	rev = &c->side[!dir];

	/* Wireshark's relative numbers (tcp_analyze_sequence_number) */
	if (!fwd->base_set) {
		fwd->base = (d->flags & TCPF_SYN) ? d->seq : d->seq - 1;
		fwd->base_set = true;
		fwd->base_from_syn = d->flags & TCPF_SYN;
	} else if ((d->flags & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK) ||
		   ((d->flags & TCPF_SYN) && !fwd->base_from_syn)) {
		if ((d->flags & TCPF_ACK) && fwd->base != d->seq)
			synack_rebased = true;	/* tcp.analysis.reused_ports */
		/* A SYN-ACK with another ISN (a new answer to a reused
		 * 4-tuple), or an ISN after a guessed base (a RST before
		 * the SYN-ACK): Wireshark numbers from this ISN onwards. */
		fwd->base = d->seq;
		fwd->base_from_syn = true;
	}
	if (!rev->base_set && (d->flags & TCPF_ACK)) {
		rev->base = d->ack - 1;
		rev->base_set = true;
	}

	memset(&p, 0, sizeof(p));
	p.frame = frame;
	p.ts = ts;
	p.stream = c->rec.stream;
	p.seq = d->seq - fwd->base;
	p.ack = (d->flags & TCPF_ACK) ? d->ack - rev->base : d->ack;
	p.len = d->payload_len;
	p.win_raw = d->win;
	if (!(d->flags & TCPF_SYN) && fwd->wscale >= 0)
		p.win = (uint32_t)d->win << fwd->wscale;
	else
		p.win = d->win;
	p.tsval = d->tsval;
	p.tsecr = d->tsecr;
	p.wire_len = wire_len;
	p.flags = d->flags;
	p.ip_id = d->ip_id;
	p.cksum = d->cksum;
	p.dir = (uint8_t)dir;
	p.ttl = d->ttl;
	p.opts = d->opts;
	p.sack_blocks = d->sack_blocks;

	/* the analysis sees the window scale as it was before this packet */
	if (analysis_packet(&c->an, dir, frame, ts, d->seq, d->ack,
			    d->payload_len, d->flags, d->win, rev->wscale, &ar))
		return err_set(e, ERR_NOMEM, NULL, "out of memory");
	analysis_handshake(&c->an, d->flags, ts);
	p.analysis = ar.flags |
		     ((c->reused && syn_only) || synack_rebased ? AN_REUSED_PORTS : 0);
	p.ack_rtt = ar.ack_rtt;
	p.acked_frame = ar.acked_frame;
	p.dupack_frame = ar.dupack_frame;
	p.dupack_num = ar.dupack_num;

	track_wscale(c, dir, d);
	track_closed(t, c, dir, ts, d);
	if (!record)
		return 0;
	if (connstats_packet(&c->st, dir, &p, &c->an))
		return err_set(e, ERR_NOMEM, NULL, "out of memory");
	zeek_packet(&c->z, dir == 0, d->flags, d->seq, d->ack, d->payload_len,
		    d->win, false);
	track_handshake(c, dir, frame, ts, d);
	if (c->nrec++ == 0) {
		c->rec.first_frame = frame;
		c->rec.first_ts = ts;
	}
	c->rec.last_frame = frame;
	c->rec.last_ts = ts;
	if (dir == 0) {
		c->rec.pkts_c2s++;
		c->rec.bytes_c2s += d->payload_len;
	} else {
		c->rec.pkts_s2c++;
		c->rec.bytes_s2c += d->payload_len;
	}
	track_end(c, dir, frame, ts, d);
	return cache_writer_pkt(t->w, c->cs, &p, e);
}

int flow_finish(struct flow_table *t, struct err *e)
{
	int rc;

	while (t->all_head)
		if ((rc = conn_end(t, t->all_head, false, e)))
			return rc;
	return 0;
}

void flow_free(struct flow_table *t)
{
	if (!t)
		return;
	/* connections not ended: an error path, the cache is abandoned */
	while (t->all_head) {
		struct conn *c = t->all_head;
		t->all_head = c->next;
		cache_writer_stream_drop(t->w, c->cs);
		analysis_release(&c->an);
		connstats_release(&c->st);
		free(c);
	}
	free(t->slots);
	free(t);
}

void flow_get_stats(const struct flow_table *t, struct flow_stats *s)
{
	*s = t->st;
}
