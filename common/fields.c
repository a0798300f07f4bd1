/*
 * fields.c - the catalog's table and the getters of its FIELDs; see
 * fields.h.  The record helpers the reports share (flag letters, analysis
 * names and notes, end states) live here too, since the getters use them.
 */
#include <stdio.h>
#include <string.h>

#include "analysis.h"
#include "decode.h"
#include "fields.h"
#include "zeek.h"

const struct field_info field_info[F_COUNT] = {
#define FIELD(tbl, nm, type, doc) \
	[F_##tbl##_##nm] = { #nm, TBL_##tbl, FT_##type, true, doc },
#define XFIELD(tbl, nm, type, doc) \
	[F_##tbl##_##nm] = { #nm, TBL_##tbl, FT_##type, false, doc },
#include "fields.def"
#undef FIELD
#undef XFIELD
};

static const char *const table_names[TBL_COUNT] = {
	[TBL_CONNS] = "conns", [TBL_PACKETS] = "packets",
	[TBL_SERVERS] = "servers", [TBL_BUCKETS] = "buckets",
	[TBL_EPISODES] = "episodes", [TBL_INFO] = "info",
	[TBL_FIELDS] = "fields",
};

const char *field_table_name(enum field_table t)
{
	return (unsigned)t < TBL_COUNT ? table_names[t] : "?";
}

int field_find(enum field_table t, const char *name, size_t len)
{
	for (int i = 0; i < F_COUNT; i++)
		if (field_info[i].table == t && !strncmp(field_info[i].name, name, len) &&
		    field_info[i].name[len] == '\0')
			return i;
	return -1;
}

_Static_assert(F_PACKETS_reused_ports - F_PACKETS_retransmission == 14 &&
	       AN_RETRANSMISSION == 1 << 0 && AN_KEEP_ALIVE_ACK == 1 << 13 &&
	       AN_REUSED_PORTS == 1 << 14,
	       "the packets' flag fields follow the AN_* bits");

bool field_needs_conn(int id)
{
	return id == F_PACKETS_conn_rel || id == F_PACKETS_src ||
	       id == F_PACKETS_srcport || id == F_PACKETS_dst ||
	       id == F_PACKETS_dstport;
}

uint32_t field_pkt_reads(int id, bool conn)
{
	if (conn || field_needs_conn(id))	/* and the connection's record */
		return PKT_BIT(stream) | PKT_BIT(dir) | PKT_BIT(ts);
	if (id >= F_PACKETS_retransmission && id <= F_PACKETS_reused_ports)
		return PKT_BIT(analysis);
	switch (id) {
	case F_PACKETS_frame: return PKT_BIT(frame);
	case F_PACKETS_stream: return PKT_BIT(stream);
	case F_PACKETS_time:
	case F_PACKETS_rel: return PKT_BIT(ts);
	case F_PACKETS_dir: return PKT_BIT(dir);
	case F_PACKETS_flags: return PKT_BIT(flags);
	case F_PACKETS_seq: return PKT_BIT(seq);
	case F_PACKETS_ack: return PKT_BIT(ack);
	case F_PACKETS_len: return PKT_BIT(len);
	case F_PACKETS_win: return PKT_BIT(win);
	case F_PACKETS_win_raw: return PKT_BIT(win_raw);
	case F_PACKETS_tsval: return PKT_BIT(tsval) | PKT_BIT(opts);
	case F_PACKETS_tsecr: return PKT_BIT(tsecr) | PKT_BIT(opts);
	case F_PACKETS_wire_len: return PKT_BIT(wire_len);
	case F_PACKETS_ttl: return PKT_BIT(ttl);
	case F_PACKETS_ip_id: return PKT_BIT(ip_id);
	case F_PACKETS_cksum: return PKT_BIT(cksum);
	case F_PACKETS_sack_blocks: return PKT_BIT(sack_blocks);
	case F_PACKETS_analysis: return PKT_BIT(analysis);
	case F_PACKETS_notes:
		return PKT_BIT(analysis) | PKT_BIT(dupack_frame) | PKT_BIT(dupack_num);
	case F_PACKETS_ack_rtt: return PKT_BIT(ack_rtt) | PKT_BIT(acked_frame);
	case F_PACKETS_acked_frame: return PKT_BIT(acked_frame);
	case F_PACKETS_dupack: return PKT_BIT(dupack_num);
	case F_PACKETS_dupack_frame: return PKT_BIT(dupack_frame);
	default: return UINT32_MAX;	/* not a packets field: all of it */
	}
}

/* ---- record helpers ---- */

void tcpflags_str(char *buf, uint16_t flags)
{
	static const char letters[] = "FSRPAUECN";
	size_t n = 0;

	for (int i = 0; i < 9; i++)
		if (flags & (1u << i))
			buf[n++] = letters[i];
	buf[n] = '\0';
}

const char *conn_state_name(const struct cache_conn *c)
{
	unsigned fin = c->end & (CONN_END_FIN_C | CONN_END_FIN_S);

	if (c->end & (CONN_END_RST_C | CONN_END_RST_S))	/* who reset first */
		return c->end & CONN_END_RST_FIRST_S ? "rst_server" : "rst_client";
	if (fin == (CONN_END_FIN_C | CONN_END_FIN_S))
		return "fin";
	if (fin == CONN_END_FIN_C)
		return "fin_client";
	if (fin == CONN_END_FIN_S)
		return "fin_server";
	return "open";
}

/* Analysis flag names joined by '+', "" when none; returns buf. */
static char *analysis_str(char *buf, size_t size, uint32_t flags)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned b = 0; b < ANALYSIS_NFLAGS; b++) {
		const char *name = analysis_flag_name(b);
		size_t len = strlen(name);

		if (!(flags & (1u << b)))
			continue;
		if (n + len + 2 > size)
			break;
		if (n)
			buf[n++] = '+';
		memcpy(buf + n, name, len + 1);
		n += len;
	}
	return buf;
}

/*
 * Wireshark prepends each note to the Info column as it tests the flags,
 * so the column shows them in the reverse of packet-tcp.c's order; this
 * table is in the order shown.  Fast and spurious retransmissions carry
 * AN_RETRANSMISSION too but show only their own note.
 */
static const struct {
	uint32_t flag;
	const char *text;
} notes[] = {
	{ AN_ZERO_WINDOW_PROBE_ACK, "[TCP ZeroWindowProbeAck]" },
	{ AN_ZERO_WINDOW, "[TCP ZeroWindow]" },
	{ AN_ZERO_WINDOW_PROBE, "[TCP ZeroWindowProbe]" },
	{ AN_DUPLICATE_ACK, NULL },	/* "[TCP Dup ACK F#N]" */
	{ AN_KEEP_ALIVE_ACK, "[TCP Keep-Alive ACK]" },
	{ AN_KEEP_ALIVE, "[TCP Keep-Alive]" },
	{ AN_WINDOW_FULL, "[TCP Window Full]" },
	{ AN_WINDOW_UPDATE, "[TCP Window Update]" },
	{ AN_ACK_LOST_SEGMENT, "[TCP ACKed unseen segment]" },
	{ AN_LOST_SEGMENT, "[TCP Previous segment not captured]" },
	{ AN_OUT_OF_ORDER, "[TCP Out-Of-Order]" },
	{ AN_FAST_RETRANSMISSION, "[TCP Fast Retransmission]" },
	{ AN_SPURIOUS_RETRANSMISSION, "[TCP Spurious Retransmission]" },
	{ AN_RETRANSMISSION, "[TCP Retransmission]" },
	{ AN_REUSED_PORTS, "[TCP Port numbers reused]" },
};

char *analysis_notes(char *buf, size_t size, const struct cache_pkt *p)
{
	uint32_t f = p->analysis;
	size_t n = 0;

	if (f & (AN_FAST_RETRANSMISSION | AN_SPURIOUS_RETRANSMISSION))
		f &= ~(uint32_t)AN_RETRANSMISSION;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]) && n < size; i++) {
		int k;

		if (!(f & notes[i].flag))
			continue;
		if (notes[i].text)
			k = snprintf(buf + n, size - n, "%s%s", n ? " " : "", notes[i].text);
		else
			k = snprintf(buf + n, size - n, "%s[TCP Dup ACK %llu#%u]", n ? " " : "",
				     (unsigned long long)p->dupack_frame, p->dupack_num);
		if (k < 0)
			break;
		n += (size_t)k;
	}
	return buf;
}

/* Zeek's conn_state of c, or NULL when the cache does not carry it (an
 * empty history: an older cache). */
static const char *field_zeek_state(const struct cache_conn *c)
{
	if (!c->history.s[0])
		return NULL;
	return zeek_conn_state_name((enum zeek_conn_state)c->conn_state);
}

/* c's ack RTT extremes over both directions: false without a sample. */
static bool field_rtt_min(const struct cache_conn *c, int64_t *ns)
{
	if (c->rtt_n_c2s && c->rtt_n_s2c)
		*ns = c->rtt_min_c2s < c->rtt_min_s2c ? c->rtt_min_c2s : c->rtt_min_s2c;
	else if (c->rtt_n_c2s)
		*ns = c->rtt_min_c2s;
	else if (c->rtt_n_s2c)
		*ns = c->rtt_min_s2c;
	else
		return false;
	return true;
}

static bool field_rtt_max(const struct cache_conn *c, int64_t *ns)
{
	if (!c->rtt_n_c2s && !c->rtt_n_s2c)
		return false;
	*ns = c->rtt_max_c2s > c->rtt_max_s2c ? c->rtt_max_c2s : c->rtt_max_s2c;
	return true;
}

/* ---- getters ---- */

static bool v_int(struct filter_value *v, int64_t i)
{
	v->i = i;
	return true;
}

/* A frame number or count where 0 means "none". */
static bool v_nz(struct filter_value *v, uint64_t i)
{
	v->i = (int64_t)i;
	return i != 0;
}

static bool v_str(struct filter_value *v, const char *s)
{
	v->s = s;
	v->len = strlen(s);
	return true;
}

bool field_value_addr(struct filter_value *v, const struct addr16 *a,
		      int ipver)
{
	memcpy(v->addr, a->b, 16);
	v->ipver = (uint8_t)ipver;
	return true;
}

/* 100 * part / whole in hundredths, truncated; 0 when whole is 0. */
static int64_t hundredths(uint64_t part, uint64_t whole)
{
	return whole ? (int64_t)(part * 10000 / whole) : 0;
}

int64_t field_pct(uint64_t part, uint64_t whole)
{
	return hundredths(part, whole) * FIELD_HUNDREDTH;
}

/* health's score (see its --help), summed in hundredths as it prints. */
static int64_t conn_score(const struct cache_conn *c)
{
	uint64_t pk = c->pkts_c2s + c->pkts_s2c;
	uint64_t zw = (uint64_t)c->n_zero_window_c2s + c->n_zero_window_s2c;
	int64_t rtt = c->rtt_n_c2s || c->rtt_n_s2c ? c->rtt_med : 0;
	int64_t h = hundredths((uint64_t)c->n_retransmission_c2s + c->n_retransmission_s2c, pk) +
		    hundredths((uint64_t)c->n_duplicate_ack_c2s + c->n_duplicate_ack_s2c, pk) / 2 +
		    (int64_t)(zw < 25 ? zw : 25) * 200 + rtt / 1000000;

	return h * FIELD_HUNDREDTH;
}

static bool conn_get(const struct field_row *r, int id, struct filter_value *v)
{
	const struct cache_conn *c = r->conn;
	int64_t ns;

	if (!c)
		return false;
	switch (id) {
	case F_CONNS_stream: return v_int(v, c->stream);
	case F_CONNS_client: return field_value_addr(v, &c->client, c->ipver);
	case F_CONNS_cport: return v_int(v, c->cport);
	case F_CONNS_server: return field_value_addr(v, &c->server, c->ipver);
	case F_CONNS_sport: return v_int(v, c->sport);
	case F_CONNS_ipver: return v_int(v, c->ipver);
	case F_CONNS_start: return v_int(v, c->first_ts);
	case F_CONNS_rel_start: return v_int(v, c->first_ts - r->t0);
	case F_CONNS_last: return v_int(v, c->last_ts);
	case F_CONNS_rel_last: return v_int(v, c->last_ts - r->t0);
	case F_CONNS_duration: return v_int(v, c->last_ts - c->first_ts);
	case F_CONNS_state: return v_str(v, conn_state_name(c));
	case F_CONNS_c2s_pkts: return v_int(v, (int64_t)c->pkts_c2s);
	case F_CONNS_s2c_pkts: return v_int(v, (int64_t)c->pkts_s2c);
	case F_CONNS_pkts: return v_int(v, (int64_t)(c->pkts_c2s + c->pkts_s2c));
	case F_CONNS_c2s_bytes: return v_int(v, (int64_t)c->bytes_c2s);
	case F_CONNS_s2c_bytes: return v_int(v, (int64_t)c->bytes_s2c);
	case F_CONNS_bytes: return v_int(v, (int64_t)(c->bytes_c2s + c->bytes_s2c));
	case F_CONNS_first_frame: return v_int(v, (int64_t)c->first_frame);
	case F_CONNS_last_frame: return v_int(v, (int64_t)c->last_frame);
	case F_CONNS_syn_frame: return v_nz(v, c->syn_frame);
	case F_CONNS_syn_time: return c->syn_frame && v_int(v, c->syn_ts);
	case F_CONNS_syn_rel: return c->syn_frame && v_int(v, c->syn_ts - r->t0);
	case F_CONNS_synack_frame: return v_nz(v, c->synack_frame);
	case F_CONNS_ack_frame: return v_nz(v, c->ack_frame);
	case F_CONNS_synack:
		return c->syn_frame && c->synack_frame &&
		       v_int(v, c->synack_ts - c->syn_ts);
	case F_CONNS_ackrtt:
		return c->synack_frame && c->ack_frame &&
		       v_int(v, c->ack_ts - c->synack_ts);
	case F_CONNS_syn_retrans: return v_int(v, c->syn_retrans);
	case F_CONNS_end_frame: return v_nz(v, c->end_frame);
	case F_CONNS_conn_state: {
		const char *zs = field_zeek_state(c);
		return zs && v_str(v, zs);
	}
	case F_CONNS_history:
		v->s = c->history.s;
		v->len = strnlen(c->history.s, sizeof(c->history.s));
		return true;
	case F_CONNS_rtt_min: return field_rtt_min(c, &ns) && v_int(v, ns);
	case F_CONNS_rtt_med:
		return (c->rtt_n_c2s || c->rtt_n_s2c) && v_int(v, c->rtt_med);
	case F_CONNS_rtt_max: return field_rtt_max(c, &ns) && v_int(v, ns);
	case F_CONNS_rtt_n: return v_int(v, (int64_t)c->rtt_n_c2s + c->rtt_n_s2c);
	case F_CONNS_rtt_min_c2s: return c->rtt_n_c2s && v_int(v, c->rtt_min_c2s);
	case F_CONNS_rtt_med_c2s: return c->rtt_n_c2s && v_int(v, c->rtt_med_c2s);
	case F_CONNS_rtt_max_c2s: return c->rtt_n_c2s && v_int(v, c->rtt_max_c2s);
	case F_CONNS_rtt_min_s2c: return c->rtt_n_s2c && v_int(v, c->rtt_min_s2c);
	case F_CONNS_rtt_med_s2c: return c->rtt_n_s2c && v_int(v, c->rtt_med_s2c);
	case F_CONNS_rtt_max_s2c: return c->rtt_n_s2c && v_int(v, c->rtt_max_s2c);
	case F_CONNS_retrans_c2s: return v_int(v, c->n_retransmission_c2s);
	case F_CONNS_retrans_s2c: return v_int(v, c->n_retransmission_s2c);
	case F_CONNS_retrans:
		return v_int(v, (int64_t)c->n_retransmission_c2s + c->n_retransmission_s2c);
	case F_CONNS_retrans_pct:
		return v_int(v, field_pct((uint64_t)c->n_retransmission_c2s + c->n_retransmission_s2c,
					  c->pkts_c2s + c->pkts_s2c));
	case F_CONNS_fast_retrans_c2s: return v_int(v, c->n_fast_retransmission_c2s);
	case F_CONNS_fast_retrans_s2c: return v_int(v, c->n_fast_retransmission_s2c);
	case F_CONNS_spurious_c2s: return v_int(v, c->n_spurious_retransmission_c2s);
	case F_CONNS_spurious_s2c: return v_int(v, c->n_spurious_retransmission_s2c);
	case F_CONNS_out_of_order_c2s: return v_int(v, c->n_out_of_order_c2s);
	case F_CONNS_out_of_order_s2c: return v_int(v, c->n_out_of_order_s2c);
	case F_CONNS_lost_segment_c2s: return v_int(v, c->n_lost_segment_c2s);
	case F_CONNS_lost_segment_s2c: return v_int(v, c->n_lost_segment_s2c);
	case F_CONNS_dupack_c2s: return v_int(v, c->n_duplicate_ack_c2s);
	case F_CONNS_dupack_s2c: return v_int(v, c->n_duplicate_ack_s2c);
	case F_CONNS_dupacks:
		return v_int(v, (int64_t)c->n_duplicate_ack_c2s + c->n_duplicate_ack_s2c);
	case F_CONNS_zerowin_c2s: return v_int(v, c->n_zero_window_c2s);
	case F_CONNS_zerowin_s2c: return v_int(v, c->n_zero_window_s2c);
	case F_CONNS_zerowin:
		return v_int(v, (int64_t)c->n_zero_window_c2s + c->n_zero_window_s2c);
	case F_CONNS_window_full_c2s: return v_int(v, c->n_window_full_c2s);
	case F_CONNS_window_full_s2c: return v_int(v, c->n_window_full_s2c);
	case F_CONNS_keep_alive_c2s: return v_int(v, c->n_keep_alive_c2s);
	case F_CONNS_keep_alive_s2c: return v_int(v, c->n_keep_alive_s2c);
	case F_CONNS_score: return v_int(v, conn_score(c));
	case F_CONNS_win_min_c: return v_int(v, c->win_min_c);
	case F_CONNS_win_max_c: return v_int(v, c->win_max_c);
	case F_CONNS_win_min_s: return v_int(v, c->win_min_s);
	case F_CONNS_win_max_s: return v_int(v, c->win_max_s);
	case F_CONNS_zw_n_c: return v_int(v, c->zw_n_c);
	case F_CONNS_zw_n_s: return v_int(v, c->zw_n_s);
	case F_CONNS_zw_time_c: return v_int(v, c->zw_time_c);
	case F_CONNS_zw_time_s: return v_int(v, c->zw_time_s);
	case F_CONNS_mss_c: return v_nz(v, c->mss_c);
	case F_CONNS_mss_s: return v_nz(v, c->mss_s);
	case F_CONNS_ws_c: return c->ws_c != 255 && v_int(v, c->ws_c);
	case F_CONNS_ws_s: return c->ws_s != 255 && v_int(v, c->ws_s);
	case F_CONNS_rst_by:
		return c->rst_by && v_str(v, c->rst_by == 1 ? "client" : "server");
	case F_CONNS_rst_frame: return v_nz(v, c->rst_frame);
	case F_CONNS_rst_time: return c->rst_frame && v_int(v, c->rst_ts);
	case F_CONNS_rst_rel: return c->rst_frame && v_int(v, c->rst_ts - r->t0);
	case F_CONNS_inflight_c2s: return c->rst_frame && v_int(v, c->rst_inflight_c2s);
	case F_CONNS_inflight_s2c: return c->rst_frame && v_int(v, c->rst_inflight_s2c);
	case F_CONNS_evicted: return v_int(v, c->evicted != 0);
	}
	return false;
}

static bool pkt_get(const struct field_row *r, int id, struct filter_value *v)
{
	const struct cache_pkt *p = r->pkt;
	const struct cache_conn *c = r->conn;

	if (!p)
		return false;
	if (id >= F_PACKETS_retransmission && id <= F_PACKETS_reused_ports)
		return v_int(v, (p->analysis >> (id - F_PACKETS_retransmission)) & 1);
	switch (id) {
	case F_PACKETS_frame: return v_int(v, (int64_t)p->frame);
	case F_PACKETS_stream: return v_int(v, p->stream);
	case F_PACKETS_time: return v_int(v, p->ts);
	case F_PACKETS_rel: return v_int(v, p->ts - r->t0);
	case F_PACKETS_conn_rel: return c && v_int(v, p->ts - c->first_ts);
	case F_PACKETS_dir: return v_str(v, p->dir ? "s2c" : "c2s");
	case F_PACKETS_src:
		return c && field_value_addr(v, p->dir ? &c->server : &c->client, c->ipver);
	case F_PACKETS_srcport: return c && v_int(v, p->dir ? c->sport : c->cport);
	case F_PACKETS_dst:
		return c && field_value_addr(v, p->dir ? &c->client : &c->server, c->ipver);
	case F_PACKETS_dstport: return c && v_int(v, p->dir ? c->cport : c->sport);
	case F_PACKETS_flags: return v_int(v, p->flags);
	case F_PACKETS_seq: return v_int(v, p->seq);
	case F_PACKETS_ack: return v_int(v, p->ack);
	case F_PACKETS_len: return v_int(v, p->len);
	case F_PACKETS_win: return v_int(v, p->win);
	case F_PACKETS_win_raw: return v_int(v, p->win_raw);
	case F_PACKETS_tsval: return (p->opts & TCPO_TIMESTAMP) && v_int(v, p->tsval);
	case F_PACKETS_tsecr: return (p->opts & TCPO_TIMESTAMP) && v_int(v, p->tsecr);
	case F_PACKETS_wire_len: return v_int(v, p->wire_len);
	case F_PACKETS_ttl: return v_int(v, p->ttl);
	case F_PACKETS_ip_id: return v_int(v, p->ip_id);
	case F_PACKETS_cksum: return v_int(v, p->cksum);
	case F_PACKETS_sack_blocks: return v_int(v, p->sack_blocks);
	case F_PACKETS_analysis:
		if (!p->analysis)
			return v_str(v, "");
		return v_str(v, analysis_str(r->scratch, FIELD_SCRATCH, p->analysis));
	case F_PACKETS_notes:
		if (!p->analysis)
			return v_str(v, "");
		return v_str(v, analysis_notes(r->scratch, FIELD_SCRATCH, p));
	case F_PACKETS_ack_rtt:	/* as Wireshark shows it */
		return p->acked_frame && p->ack_rtt && v_int(v, p->ack_rtt);
	case F_PACKETS_acked_frame: return v_nz(v, p->acked_frame);
	case F_PACKETS_dupack: return v_nz(v, p->dupack_num);
	case F_PACKETS_dupack_frame: return v_nz(v, p->dupack_frame);
	}
	return false;
}

bool field_conn_int(const struct cache_conn *c, int id, int64_t *out)
{
	struct field_row r = { .conn = c };
	struct filter_value v;
	bool ok = conn_get(&r, id, &v);

	*out = ok ? v.i : 0;
	return ok;
}

bool field_get(const struct field_row *r, int id, struct filter_value *v)
{
	if ((unsigned)id >= F_COUNT)
		return false;
	if (!field_info[id].computed)
		return r->xget && r->xget(r->xrow, id, v);
	if (field_info[id].table == TBL_CONNS)
		return conn_get(r, id, v);
	return pkt_get(r, id, v);
}

