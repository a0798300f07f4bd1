/*
 * analysis.c - see analysis.h.  The comments name the check of
 * packet-tcp.c each block follows; sequence comparisons are modulo 2^32
 * (GT_SEQ and friends there).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "decode.h"

#define LT_SEQ(a, b) ((int32_t)((a) - (b)) < 0)
#define LE_SEQ(a, b) ((int32_t)((a) - (b)) <= 0)
#define GT_SEQ(a, b) ((int32_t)((b) - (a)) < 0)
#define EQ_SEQ(a, b) ((a) == (b))

void analysis_init(struct analysis_conn *a)
{
	memset(a, 0, sizeof(*a));
}

void analysis_handshake(struct analysis_conn *a, uint16_t flags, int64_t ts)
{
	uint16_t sa = flags & (TCPF_SYN | TCPF_ACK);

	if (sa == TCPF_SYN) {
		a->mru_syn = ts;
		a->has_mru_syn = true;
	} else if (sa == TCPF_ACK && a->has_mru_syn && !a->has_first_rtt) {
		a->first_rtt = ts - a->mru_syn;
		a->has_first_rtt = true;
	}
}

void analysis_release(struct analysis_conn *a)
{
	free(a->side[0].segs);
	free(a->side[1].segs);
	a->side[0].segs = a->side[1].segs = NULL;
	a->side[0].nsegs = a->side[1].nsegs = 0;
	a->side[0].capsegs = a->side[1].capsegs = 0;
}

const char *analysis_flag_name(unsigned bit)
{
	static const char *const names[ANALYSIS_NFLAGS] = {
		"retransmission", "fast_retransmission",
		"spurious_retransmission", "out_of_order", "lost_segment",
		"ack_lost_segment", "duplicate_ack", "zero_window",
		"zero_window_probe", "zero_window_probe_ack", "window_full",
		"window_update", "keep_alive", "keep_alive_ack", "reused_ports",
	};
	return bit < ANALYSIS_NFLAGS ? names[bit] : "?";
}

static int seg_add(struct analysis_side *s, const struct analysis_seg *g)
{
	if (s->nsegs == s->capsegs) {
		uint32_t cap = s->capsegs ? s->capsegs * 2 : 8;
		struct analysis_seg *q;

		if (cap > ANALYSIS_MAX_UNACKED)
			cap = ANALYSIS_MAX_UNACKED;
		q = realloc(s->segs, cap * sizeof(*q));
		if (!q)
			return -1;
		s->segs = q;
		s->capsegs = cap;
	}
	s->segs[s->nsegs++] = *g;
	return 0;
}

int analysis_packet(struct analysis_conn *a, int dir, uint64_t frame,
		    int64_t ts, uint32_t seq, uint32_t ack, uint32_t seglen,
		    uint16_t flags, uint16_t win, int rev_wscale,
		    struct analysis_result *out)
{
	struct analysis_side *fwd = &a->side[dir], *rev = &a->side[!dir];
	const uint16_t SFR = TCPF_SYN | TCPF_FIN | TCPF_RST;
	uint32_t f = 0, nextseq, window = win;
	int rc = 0;

	memset(out, 0, sizeof(*out));

	/* ZERO WINDOW PROBE: one byte at the next sequence number into a
	 * zero window */
	if (seglen == 1 && seq == fwd->nextseq && rev->window == 0) {
		f |= AN_ZERO_WINDOW_PROBE;
		goto finished_fwd;
	}
	/* ZERO WINDOW */
	if (window == 0 && !(flags & SFR))
		f |= AN_ZERO_WINDOW;
	/* LOST PACKET: beyond the next expected sequence number */
	if (fwd->nextseq && GT_SEQ(seq, fwd->nextseq) && !(flags & TCPF_RST))
		f |= AN_LOST_SEGMENT;
	/* KEEP ALIVE: 0 or 1 byte, one before the next sequence number */
	if (seglen <= 1 && seq == fwd->nextseq - 1 && !(flags & SFR))
		f |= AN_KEEP_ALIVE;
	/* WINDOW UPDATE */
	if (seglen == 0 && window && window != fwd->window &&
	    seq == fwd->nextseq && ack == fwd->lastack && !(flags & SFR))
		f |= AN_WINDOW_UPDATE;
	/* WINDOW FULL: data up to the edge of the advertised window */
	if (seglen > 0 && rev_wscale != -1 &&
	    seq + seglen == rev->lastack + (rev->window << (rev_wscale == -2 ? 0 : rev_wscale)) &&
	    !(flags & SFR))
		f |= AN_WINDOW_FULL;
	/* KEEP ALIVE ACK */
	if (seglen == 0 && window && window == fwd->window &&
	    seq == fwd->nextseq && ack == fwd->lastack &&
	    (rev->lastflags & AN_KEEP_ALIVE) && !(flags & SFR)) {
		f |= AN_KEEP_ALIVE_ACK;
		goto finished_fwd;
	}
	/* ZERO WINDOW PROBE ACK */
	if (seglen == 0 && window == 0 && window == fwd->window &&
	    seq == fwd->nextseq && ack == fwd->lastack &&
	    (rev->lastflags & AN_ZERO_WINDOW_PROBE) && !(flags & SFR)) {
		f |= AN_ZERO_WINDOW_PROBE_ACK;
		goto finished_fwd;
	}
	/* DUPLICATE ACK */
	if (seglen == 0 && window && window == fwd->window &&
	    seq == fwd->nextseq && ack == fwd->lastack && !(flags & SFR)) {
		fwd->dupacknum++;
		f |= AN_DUPLICATE_ACK;
		out->dupack_num = fwd->dupacknum;
		out->dupack_frame = fwd->lastnondupack;
	}

finished_fwd:
	/* a new ACK number resets the duplicate ACK count */
	if (ack != fwd->lastack) {
		fwd->lastnondupack = frame;
		fwd->dupacknum = 0;
	}
	/* ACKED LOST PACKET: acknowledges data never seen */
	if (rev->maxseqtobeacked && GT_SEQ(ack, rev->maxseqtobeacked) &&
	    (flags & TCPF_ACK)) {
		f |= AN_ACK_LOST_SEGMENT;
		rev->maxseqtobeacked = rev->nextseq;
	}

	/* RETRANSMISSION / FAST RETRANSMISSION / OUT-OF-ORDER */
	if (seglen > 0 || (flags & (TCPF_SYN | TCPF_FIN))) {
		bool seq_not_advanced = fwd->nextseq && LT_SEQ(seq, fwd->nextseq);
		int64_t t, ooo_thres;

		if (f & AN_KEEP_ALIVE)
			goto finished_checking;
		/* one byte less than expected and real new data: a probe's
		 * byte being resent with more */
		if (seglen > 1 && fwd->nextseq - 1 == seq)
			seq_not_advanced = false;

		t = ts - rev->lastacktime;
		if (seq_not_advanced && rev->dupacknum >= 2 &&
		    rev->lastack == seq && t < 20000000) {
			f |= AN_FAST_RETRANSMISSION | AN_RETRANSMISSION;
			goto finished_checking;
		}
		/* Wireshark 4.0 tests for data already acknowledged (a
		 * spurious retransmission) before out-of-order */
		if (seglen > 0 && rev->lastack &&
		    LE_SEQ(seq + seglen, rev->lastack)) {
			f |= AN_SPURIOUS_RETRANSMISSION | AN_RETRANSMISSION;
			goto finished_checking;
		}
		t = ts - fwd->nextseqtime;
		ooo_thres = a->has_first_rtt ? a->first_rtt : 3000000;
		/* (Wireshark 4.0 compares with the segment's next sequence
		 * number, a SYN or FIN counting one, so a retransmitted SYN
		 * is a retransmission, not out of order) */
		if (seq_not_advanced && t < ooo_thres &&
		    fwd->nextseq != seq + seglen +
				    ((flags & (TCPF_SYN | TCPF_FIN)) ? 1 : 0)) {
			f |= AN_OUT_OF_ORDER;
			goto finished_checking;
		}
		if (seq_not_advanced)
			f |= AN_RETRANSMISSION;
	}

finished_checking:
	nextseq = seq + seglen;
	if ((seglen || (flags & (TCPF_SYN | TCPF_FIN))) &&
	    fwd->nsegs < ANALYSIS_MAX_UNACKED) {
		struct analysis_seg g;

		if (flags & (TCPF_SYN | TCPF_FIN))
			nextseq += 1;
		g.frame = frame;
		g.ts = ts;
		g.seq = seq;
		g.nextseq = nextseq;
		if (seg_add(fwd, &g))
			rc = -1;
	}
	/* the highest next sequence number, to find holes later */
	if (GT_SEQ(nextseq, fwd->nextseq) || !fwd->nextseq) {
		if (!(f & AN_ZERO_WINDOW_PROBE)) {
			fwd->nextseq = nextseq;
			fwd->nextseqframe = frame;
			fwd->nextseqtime = ts;
		}
	}
	/* the highest continuous sequence number, for ACKed-unseen */
	if (EQ_SEQ(seq, fwd->maxseqtobeacked) || !fwd->maxseqtobeacked) {
		if (!(f & AN_ZERO_WINDOW_PROBE))
			fwd->maxseqtobeacked = fwd->nextseq;
	}
	fwd->window = window;
	fwd->lastack = ack;
	fwd->lastacktime = ts;
	fwd->lastflags = f;

	/* what this ACK acknowledges: Wireshark walks the other side's
	 * unacked segments newest first */
	{
		uint32_t keep = rev->nsegs;

		for (uint32_t i = rev->nsegs; i-- > 0;) {
			struct analysis_seg *g = &rev->segs[i];

			if (ack == g->nextseq) {
				out->acked_frame = g->frame;
				out->ack_rtt = ts - g->ts;
			} else if (GT_SEQ(ack, g->seq) && LE_SEQ(ack, g->nextseq)) {
				g->seq = ack;	/* partly acknowledged */
				continue;
			} else if (GT_SEQ(g->nextseq, ack)) {
				continue;	/* not yet */
			}
			g->frame = 0;	/* acknowledged: drop it */
			keep--;
		}
		if (keep != rev->nsegs) {
			uint32_t k = 0;
			for (uint32_t i = 0; i < rev->nsegs; i++)
				if (rev->segs[i].frame)
					rev->segs[k++] = rev->segs[i];
			rev->nsegs = k;
		}
	}
	out->flags = f;
	return rc;
}
