/*
 * zeek.c - Zeek's conn_state and history, replayed segment by segment.
 *
 * zeek_packet() follows the order of Zeek's TCPSessionAdapter::
 * DeliverPacket: checksum (a bad one counts 'c' and ends processing),
 * partial status, endpoint sequence set-up (init_endpoint), history
 * letters (update_history), zero window, FIN/RST bookkeeping, ack
 * bookkeeping, last-seq update (which finds retransmissions), the state
 * machine, then the ack given to the peer's reassembler (which finds
 * content gaps), then this segment's data given to its own.
 *
 * Invariant: endpoint sequence numbers are raw 32-bit values; everything
 * the history compares is relative to the endpoint's start_seq, compared
 * with 32-bit serial arithmetic (seq_delta), so a connection may wrap the
 * sequence space once but must move less than 2 GiB per side.
 *
 * Approximations, each a choice about what Zeek would need and we lack:
 *  - Zeek's reassembler keeps every out-of-order segment; we keep
 *    ZEEK_OOO_BLOCKS ranges per side and forget the highest when full,
 *    which can turn a later ack into a false 'g'.
 *  - likely_server_ports is Zeek's script-level set, built from the
 *    analysers its base scripts load; we hard-code the TCP ports of
 *    Zeek 6's base analysers.
 *  - Payload carried by a RST is not given to the reassembler.
 *  - Zeek counts 64-bit relative sequence numbers; we count 32-bit ones.
 */
#include <string.h>

#include "decode.h"
#include "zeek.h"

/* Once-only history letters (Zeek's HIST_* masks, originator's half). */
enum {
	HIST_SYN = 0x01,	/* S / H (SYN, SYN-ACK share it) */
	HIST_FIN = 0x02,	/* F */
	HIST_RST = 0x04,	/* R */
	HIST_DATA = 0x10,	/* D */
	HIST_ACK = 0x20,	/* A */
	HIST_MULTI = 0x40,	/* Q: SYN with FIN or RST */
	HIST_CORRUPT = 0x80	/* I: FIN with RST */
};

/* Zeek ignores SYN and RST sequence numbers this far from the last one. */
#define TOO_LARGE_SEQ_DELTA 1048576

/*
 * TCP ports in Zeek 6's likely_server_ports: the analysers the base
 * scripts register (ftp, ssh, smtp, dns, finger, http, krb, pop3, ident,
 * dce-rpc, imap, smb, ldap, modbus, ssl/tls ports, socks, mysql, rdp,
 * xmpp, irc, dnp3).  Sorted.
 */
static const uint16_t likely_server_ports[] = {
	21, 22, 25, 53, 79, 80, 81, 88, 110, 113, 135, 139, 143, 389, 443,
	445, 502, 563, 585, 587, 614, 631, 636, 989, 990, 992, 993, 995,
	1080, 1434, 2811, 3128, 3268, 3306, 3389, 5222, 5223, 5269, 6666,
	6667, 6668, 6669, 8000, 8080, 8888, 20000
};

static bool is_likely_server_port(uint16_t port)
{
	size_t lo = 0;
	size_t hi = sizeof(likely_server_ports) / sizeof(likely_server_ports[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (likely_server_ports[mid] == port)
			return true;
		if (likely_server_ports[mid] < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* a - b in serial arithmetic (RFC 1982), without implementation-defined casts. */
static int32_t seq_delta(uint32_t a, uint32_t b)
{
	uint32_t d = a - b;

	if (d <= INT32_MAX)
		return (int32_t)d;
	return -(int32_t)(UINT32_MAX - d) - 1;
}

static void scaled_init(struct zeek_scaled *s)
{
	s->count = 0;
	s->next = 1;
}

static void set_state(struct zeek_endpoint *e, enum zeek_tcp_state s)
{
	if (e->state != s) {
		e->prev_state = e->state;
		e->state = (uint8_t)s;
	}
}

static bool is_inactive(const struct zeek_endpoint *e)
{
	return e->state == ZEEK_TCP_INACTIVE || e->state == ZEEK_TCP_PARTIAL;
}

static void add_history(struct zeek_state *z, char c)
{
	if (z->hist_len + 1 < ZEEK_HISTORY_MAX) {
		z->history[z->hist_len++] = c;
		z->history[z->hist_len] = '\0';
	}
}

/* The letter for a side: upper case for Zeek's originator. */
static char side_letter(bool is_orig, char upper)
{
	return is_orig ? upper : (char)(upper - 'A' + 'a');
}

/* Zeek's CheckHistory: writes the letter the first time; true if seen before. */
static bool check_history(struct zeek_state *z, bool is_orig, uint32_t mask,
			  char upper)
{
	if (!is_orig)
		mask <<= 16;
	if (z->hist_seen & mask)
		return true;
	z->hist_seen |= mask;
	add_history(z, side_letter(is_orig, upper));
	return false;
}

/* Zeek's ScaledHistoryEntry: the letter at counts 1, 10, 100, ... */
static void scaled_history(struct zeek_state *z, bool is_orig,
			   struct zeek_scaled *s, char upper)
{
	if (++s->count != s->next)
		return;
	add_history(z, side_letter(is_orig, upper));
	if (s->next > UINT32_MAX / 10)
		s->count = 0;	/* Zeek: threshold would wrap; restart */
	else
		s->next *= 10;
}

static void reassem_reset(struct zeek_endpoint *e)
{
	e->reassem_seq = 1;	/* relative: the first byte after the SYN */
	e->nblocks = 0;
}

/* Takes in the out-of-order ranges that reassem_seq has reached. */
static void reassem_absorb(struct zeek_endpoint *e)
{
	while (e->nblocks > 0 &&
	       seq_delta(e->blocks[0].lo, e->reassem_seq) <= 0) {
		if (seq_delta(e->blocks[0].hi, e->reassem_seq) > 0)
			e->reassem_seq = e->blocks[0].hi;
		e->nblocks--;
		memmove(&e->blocks[0], &e->blocks[1],
			e->nblocks * sizeof(e->blocks[0]));
	}
}

/* Remembers [lo, hi), which lies above reassem_seq, merging neighbours. */
static void reassem_add_block(struct zeek_endpoint *e, uint32_t lo, uint32_t hi)
{
	uint32_t base = e->reassem_seq;
	size_t n = e->nblocks;
	size_t i = 0;
	size_t j;

	while (i < n && e->blocks[i].lo - base < lo - base)
		i++;
	if (n == ZEEK_OOO_BLOCKS) {
		if (i == n)
			return;	/* full: forget the highest range */
		n--;
	}
	memmove(&e->blocks[i + 1], &e->blocks[i], (n - i) * sizeof(e->blocks[0]));
	e->blocks[i].lo = lo;
	e->blocks[i].hi = hi;
	n++;
	for (j = 0; j + 1 < n;) {
		struct zeek_range *a = &e->blocks[j];
		struct zeek_range *b = &e->blocks[j + 1];

		if (b->lo - base <= a->hi - base) {
			if (b->hi - base > a->hi - base)
				a->hi = b->hi;
			memmove(b, b + 1, (n - j - 2) * sizeof(*b));
			n--;
		} else {
			j++;
		}
	}
	e->nblocks = (uint8_t)n;
}

/* Zeek's Reassembler::NewBlock, as far as it moves last_reassem_seq. */
static void reassem_data(struct zeek_endpoint *e, uint32_t rel, uint32_t len)
{
	uint32_t hi = rel + len;

	if (seq_delta(hi, e->reassem_seq) <= 0)
		return;		/* nothing new */
	if (seq_delta(rel, e->reassem_seq) <= 0) {
		e->reassem_seq = hi;
		reassem_absorb(e);
	} else {
		reassem_add_block(e, rel, hi);
	}
}

/*
 * Zeek's TCP_Reassembler::AckReceived and Undelivered for endpoint e
 * (whose side is e_is_orig), acked up to rel_ack by a peer now in
 * acker_state.  A gap is data acked but never seen; Zeek leaves it out of
 * the history when the ack came with the acker's FIN or RST (or after).
 */
static void reassem_ack(struct zeek_state *z, struct zeek_endpoint *e,
			bool e_is_orig, uint8_t acker_state, uint32_t rel_ack)
{
	if (e->fin_cnt > 0 && seq_delta(rel_ack, e->fin_rel) >= 0)
		rel_ack = e->fin_rel - 1;	/* the FIN is not data */
	if (seq_delta(rel_ack, e->reassem_seq) <= 0)
		return;
	if (rel_ack <= 2 && z->partial)
		return;		/* Zeek: the faked ISN of a partial connection */
	if (acker_state != ZEEK_TCP_CLOSED && acker_state != ZEEK_TCP_RESET)
		scaled_history(z, e_is_orig, &e->gap, 'G');
	e->reassem_seq = rel_ack;
	while (e->nblocks > 0 &&
	       seq_delta(e->blocks[0].hi, e->reassem_seq) <= 0) {
		e->nblocks--;
		memmove(&e->blocks[0], &e->blocks[1],
			e->nblocks * sizeof(e->blocks[0]));
	}
	reassem_absorb(e);
}

/* Zeek's init_endpoint: where an endpoint's sequence space starts. */
static void init_endpoint(struct zeek_endpoint *e, uint16_t flags,
			  uint32_t seq, uint32_t past)
{
	bool syn = flags & TCPF_SYN;
	bool reinit = false;

	switch (e->state) {
	case ZEEK_TCP_INACTIVE:
		if (syn) {
			e->start_seq = seq;
			e->last_seq = past;
		} else {
			/* as though a SYN came just before */
			e->start_seq = seq - 1;
			e->last_seq = seq;
		}
		e->ack_seq = e->start_seq;
		reassem_reset(e);
		return;
	case ZEEK_TCP_SYN_SENT:
	case ZEEK_TCP_SYN_ACK_SENT:
		reinit = syn && seq != e->start_seq;
		break;
	case ZEEK_TCP_ESTABLISHED:
	case ZEEK_TCP_PARTIAL:
		reinit = syn;
		break;
	case ZEEK_TCP_RESET:
		/* a SYN after a lone RST: the RST may have been injected */
		reinit = syn && e->prev_state == ZEEK_TCP_INACTIVE;
		break;
	default:
		break;
	}
	if (reinit) {
		if (seq != e->start_seq)
			reassem_reset(e);
		e->start_seq = seq;
		e->ack_seq = seq;
		e->last_seq = past;
	}
}

/* Zeek's update_history: the once-only letters. */
static void update_history(struct zeek_state *z, struct zeek_endpoint *e,
			   bool is_orig, uint16_t flags, uint32_t rel_seq,
			   uint32_t len)
{
	bool syn = flags & TCPF_SYN;
	bool fin = flags & TCPF_FIN;
	bool rst = flags & TCPF_RST;
	int bits = syn + fin + rst;

	if (bits > 1) {
		if (fin && rst)
			check_history(z, is_orig, HIST_CORRUPT, 'I');
		else
			check_history(z, is_orig, HIST_MULTI, 'Q');
	} else if (syn) {
		char code = (flags & TCPF_ACK) ? 'H' : 'S';

		/* again only for a SYN at another sequence number */
		if (check_history(z, is_orig, HIST_SYN, code) &&
		    rel_seq != e->last_syn_rel)
			add_history(z, side_letter(is_orig, code));
		e->last_syn_rel = rel_seq;
	} else if (fin) {
		/* a FIN's sequence number is at the end of its data */
		if (check_history(z, is_orig, HIST_FIN, 'F') &&
		    rel_seq + len != e->last_fin_rel)
			add_history(z, side_letter(is_orig, 'F'));
		e->last_fin_rel = rel_seq + len;
	} else if (rst) {
		if (check_history(z, is_orig, HIST_RST, 'R') &&
		    rel_seq != e->last_rst_rel)
			add_history(z, side_letter(is_orig, 'R'));
		e->last_rst_rel = rel_seq;
	} else if (len > 0) {
		check_history(z, is_orig, HIST_DATA, 'D');
	} else if (flags & TCPF_ACK) {
		check_history(z, is_orig, HIST_ACK, 'A');
	}
}

/* Zeek's update_last_seq: advances last_seq or counts a retransmission. */
static void update_last_seq(struct zeek_state *z, struct zeek_endpoint *e,
			    bool is_orig, uint32_t past, uint16_t flags,
			    uint32_t len)
{
	int32_t delta = seq_delta(past, e->last_seq);

	if ((flags & (TCPF_SYN | TCPF_RST)) &&
	    (delta > TOO_LARGE_SEQ_DELTA || delta < -TOO_LARGE_SEQ_DELTA))
		return;		/* not trusted */
	if ((flags & TCPF_FIN) && e->last_seq == e->start_seq + 1)
		e->last_seq = past;	/* only SYN and FIN seen: > 2 GB */
	else if (e->state == ZEEK_TCP_RESET)
		return;		/* nothing after a RST is trusted */
	else if (delta > 0)
		e->last_seq = past;
	else if (len > 0)
		scaled_history(z, is_orig, &e->rxmt, 'T');
}

/* Swaps Zeek's roles after a SYN / SYN-ACK reversal. */
static void flip_roles(struct zeek_state *z)
{
	z->orig_is_client = !z->orig_is_client;
	z->flipped = true;
	z->partial = false;
	z->hist_seen = (z->hist_seen >> 16) | (z->hist_seen << 16);
	add_history(z, '^');
}

/* Zeek's UpdateInactiveState. */
static void update_inactive(struct zeek_state *z, struct zeek_endpoint *e,
			    struct zeek_endpoint *p, bool is_orig,
			    uint16_t flags, uint32_t seq, uint32_t len)
{
	struct zeek_endpoint *orig = is_orig ? e : p;

	if (flags & TCPF_SYN) {
		if (is_orig) {
			set_state(e, (flags & TCPF_ACK) ? ZEEK_TCP_SYN_ACK_SENT :
							   ZEEK_TCP_SYN_SENT);
		} else {
			if (!(flags & TCPF_ACK) &&
			    p->state == ZEEK_TCP_SYN_ACK_SENT &&
			    seq == e->start_seq) {
				/* the SYN-ACK came first: swap roles */
				flip_roles(z);
				set_state(p, ZEEK_TCP_ESTABLISHED);
			}
			if (p->state == ZEEK_TCP_SYN_SENT)
				set_state(p, ZEEK_TCP_ESTABLISHED);
			set_state(e, ZEEK_TCP_ESTABLISHED);
		}
	}
	if (flags & TCPF_FIN)
		set_state(e, ZEEK_TCP_CLOSED);
	if (flags & TCPF_RST)
		set_state(e, ZEEK_TCP_RESET);
	if (e->state != ZEEK_TCP_INACTIVE)
		return;
	if (!is_orig && len == 0 && orig->state == ZEEK_TCP_SYN_SENT) {
		/* an ack of the SYN before the SYN-ACK: stay inactive */
	} else if ((flags & TCPF_ACK) && p->state == ZEEK_TCP_ESTABLISHED) {
		/* SYN-ACK seen, SYN missed: established after all */
		set_state(e, ZEEK_TCP_ESTABLISHED);
		z->partial = false;
	} else {
		set_state(e, ZEEK_TCP_PARTIAL);
	}
}

/* Zeek's UpdateStateMachine. */
static void update_state(struct zeek_state *z, struct zeek_endpoint *e,
			 struct zeek_endpoint *p, bool is_orig, uint16_t flags,
			 uint32_t seq, uint32_t len)
{
	bool fin = flags & TCPF_FIN;
	bool rst = flags & TCPF_RST;

	switch (e->state) {
	case ZEEK_TCP_INACTIVE:
		update_inactive(z, e, p, is_orig, flags, seq, len);
		break;
	case ZEEK_TCP_SYN_SENT:
	case ZEEK_TCP_SYN_ACK_SENT:
		if (fin)
			set_state(e, ZEEK_TCP_CLOSED);
		if (rst)
			set_state(e, ZEEK_TCP_RESET);
		break;
	case ZEEK_TCP_ESTABLISHED:
	case ZEEK_TCP_PARTIAL:
		if ((flags & TCPF_SYN) && !(flags & TCPF_ACK) &&
		    e->state == ZEEK_TCP_PARTIAL &&
		    p->state == ZEEK_TCP_INACTIVE)
			set_state(e, ZEEK_TCP_SYN_SENT);	/* SYN after partial */
		if (fin && !rst) {
			set_state(e, ZEEK_TCP_CLOSED);
			/* the peer's RST came after its FIN */
			if (p->state == ZEEK_TCP_RESET &&
			    p->prev_state == ZEEK_TCP_CLOSED)
				set_state(p, ZEEK_TCP_CLOSED);
		}
		if (rst)
			set_state(e, ZEEK_TCP_RESET);
		break;
	case ZEEK_TCP_CLOSED:
		/* a RST after a FIN exchange changes nothing */
		if (rst && p->state != ZEEK_TCP_CLOSED)
			set_state(e, ZEEK_TCP_RESET);
		break;
	default:		/* RESET stays */
		break;
	}
}

void zeek_init(struct zeek_state *z, uint16_t client_port,
	       uint16_t server_port)
{
	int i;

	memset(z, 0, sizeof(*z));
	z->client_port = client_port;
	z->server_port = server_port;
	z->orig_is_client = true;
	for (i = 0; i < 2; i++) {
		struct zeek_endpoint *e = &z->ep[i];

		e->state = ZEEK_TCP_INACTIVE;
		e->prev_state = ZEEK_TCP_INACTIVE;
		scaled_init(&e->chk);
		scaled_init(&e->gap);
		scaled_init(&e->rxmt);
		scaled_init(&e->win0);
		reassem_reset(e);
	}
}

/*
 * Zeek's originator for a connection whose first segment is this one
 * (TCPAnalyzer::WantConnection, plus the SYN-ACK rule Zeek now applies).
 */
static void choose_orig(struct zeek_state *z, bool from_orig, uint16_t flags)
{
	uint16_t src = from_orig ? z->client_port : z->server_port;
	uint16_t dst = from_orig ? z->server_port : z->client_port;
	bool syn = flags & TCPF_SYN;
	bool flip = false;

	if (syn && (flags & TCPF_ACK))
		flip = true;
	else if (!syn && is_likely_server_port(src))
		flip = !is_likely_server_port(dst) || src < dst;
	z->orig_is_client = flip ? !from_orig : from_orig;
	z->flipped = flip;
	if (flip)
		add_history(z, '^');
}

/* Zeek's SetPartialStatus: a side whose first segment is not a plain SYN. */
static void set_partial(struct zeek_state *z, const struct zeek_endpoint *e,
			bool is_orig, uint16_t flags)
{
	if (e->sent)
		return;
	if (is_orig)
		z->partial = !(flags & TCPF_SYN) || (flags & TCPF_ACK);
	else if (!z->partial)
		z->partial = !(flags & TCPF_SYN);
}

void zeek_packet(struct zeek_state *z, bool from_orig, uint16_t flags,
		 uint32_t seq, uint32_t ack, uint32_t payload_len,
		 uint16_t win, bool bad_checksum)
{
	struct zeek_endpoint *e = &z->ep[from_orig ? 0 : 1];
	struct zeek_endpoint *p = &z->ep[from_orig ? 1 : 0];
	bool is_orig;
	uint32_t seg_len, past, rel_seq;
	uint32_t rel_ack = 0;
	bool ack_usable = false;

	flags &= 0xff;		/* Zeek reads th_flags: NS is not there */
	if (!z->started) {
		choose_orig(z, from_orig, flags);
		z->started = true;
	}
	is_orig = from_orig == z->orig_is_client;

	if (bad_checksum) {
		scaled_history(z, is_orig, &e->chk, 'C');
		return;
	}
	set_partial(z, e, is_orig, flags);
	e->sent = true;

	seg_len = payload_len + !!(flags & TCPF_SYN) + !!(flags & TCPF_FIN);
	past = seq + seg_len;
	init_endpoint(e, flags, seq, past);
	rel_seq = seq - e->start_seq;
	update_history(z, e, is_orig, flags, rel_seq, payload_len);

	/* zero windows with a RST or while closing are noise */
	if (win == 0 && !(flags & TCPF_RST) &&
	    e->state != ZEEK_TCP_CLOSED && p->state != ZEEK_TCP_CLOSED)
		scaled_history(z, is_orig, &e->win0, 'W');

	if (flags & TCPF_FIN) {
		e->fin_cnt++;
		e->fin_rel = rel_seq + seg_len;
	}
	if (flags & TCPF_ACK) {
		if (p->state == ZEEK_TCP_INACTIVE) {
			p->ack_seq = ack;	/* rel_ack 1: nothing to check */
		} else if (seq_delta(ack, p->start_seq) >= 0) {
			rel_ack = ack - p->start_seq;
			ack_usable = true;
			/* acks in RSTs are not trusted */
			if (!(flags & TCPF_RST) &&
			    seq_delta(ack, p->ack_seq) > 0)
				p->ack_seq = ack;
		}
	}
	update_last_seq(z, e, is_orig, past, flags, payload_len);
	update_state(z, e, p, is_orig, flags, seq, payload_len);
	/* a SYN / SYN-ACK reversal may have swapped the roles */
	is_orig = from_orig == z->orig_is_client;

	if (ack_usable)
		reassem_ack(z, p, !is_orig, e->state, rel_ack);
	if (payload_len > 0 && !(flags & TCPF_RST))
		reassem_data(e, rel_seq + !!(flags & TCPF_SYN), payload_len);
}

/* Zeek's TCP_Endpoint::Size: bytes of sequence space used, without SYN and FIN. */
static uint32_t endpoint_size(const struct zeek_endpoint *e)
{
	uint32_t top = seq_delta(e->ack_seq, e->last_seq) > 0 ? e->ack_seq :
								 e->last_seq;
	uint32_t size = top - e->start_seq;

	if (size != 0)
		size--;
	if (e->fin_cnt > 0 && size != 0)
		size--;
	return size;
}

/*
 * conn.zeek's test for RSTOS0, the pattern ^?S[^HAFGIQ]*R.* over the
 * whole history: the originator's SYN, then its RST, and none of its
 * SYN-ACK, ACK, FIN, gap, FIN+RST or multi-flag letters between.
 */
static bool is_syn_then_rst(const char *h)
{
	if (*h == '^')
		h++;
	if (*h++ != 'S')
		return false;
	for (; *h && !strchr("HAFGIQ", *h); h++)
		if (*h == 'R')
			return true;
	return false;
}

enum zeek_conn_state zeek_conn_state(const struct zeek_state *z)
{
	const struct zeek_endpoint *o = &z->ep[z->orig_is_client ? 0 : 1];
	const struct zeek_endpoint *r = &z->ep[z->orig_is_client ? 1 : 0];
	bool o_inactive = is_inactive(o);
	bool r_inactive = is_inactive(r);

	if (r->state == ZEEK_TCP_RESET) {
		if (o->state == ZEEK_TCP_SYN_SENT ||
		    o->state == ZEEK_TCP_SYN_ACK_SENT ||
		    (o->state == ZEEK_TCP_RESET && endpoint_size(o) == 0 &&
		     endpoint_size(r) == 0))
			return ZEEK_REJ;
		return o_inactive ? ZEEK_RSTRH : ZEEK_RSTR;
	}
	if (o->state == ZEEK_TCP_RESET) {
		if (r_inactive)
			return is_syn_then_rst(z->history) ? ZEEK_RSTOS0 : ZEEK_OTH;
		return ZEEK_RSTO;
	}
	if (o->state == ZEEK_TCP_CLOSED && r->state == ZEEK_TCP_CLOSED)
		return ZEEK_SF;
	if (o->state == ZEEK_TCP_CLOSED)
		return r_inactive ? ZEEK_SH : ZEEK_S2;
	if (r->state == ZEEK_TCP_CLOSED)
		return o_inactive ? ZEEK_SHR : ZEEK_S3;
	if (o->state == ZEEK_TCP_SYN_SENT && r->state == ZEEK_TCP_INACTIVE)
		return ZEEK_S0;
	if (o->state == ZEEK_TCP_ESTABLISHED && r->state == ZEEK_TCP_ESTABLISHED)
		return ZEEK_S1;
	return ZEEK_OTH;
}

void zeek_history(const struct zeek_state *z, char *buf, size_t size)
{
	size_t n = z->hist_len;

	if (size == 0)
		return;
	if (n > size - 1)
		n = size - 1;
	memcpy(buf, z->history, n);
	buf[n] = '\0';
}

const char *zeek_conn_state_name(enum zeek_conn_state s)
{
	static const char *const names[] = {
		[ZEEK_OTH] = "OTH",
		[ZEEK_S0] = "S0",
		[ZEEK_S1] = "S1",
		[ZEEK_SF] = "SF",
		[ZEEK_REJ] = "REJ",
		[ZEEK_S2] = "S2",
		[ZEEK_S3] = "S3",
		[ZEEK_RSTO] = "RSTO",
		[ZEEK_RSTR] = "RSTR",
		[ZEEK_RSTOS0] = "RSTOS0",
		[ZEEK_RSTRH] = "RSTRH",
		[ZEEK_SH] = "SH",
		[ZEEK_SHR] = "SHR",
	};

	if ((unsigned)s >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[s];
}

bool zeek_is_flipped(const struct zeek_state *z)
{
	return z->flipped;
}

bool zeek_orig_is_client(const struct zeek_state *z)
{
	return z->orig_is_client;
}
