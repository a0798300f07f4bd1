/*
 * query.c - see query.h.
 *
 * Held rows are arrays of compact cells (24 bytes: an int64, an address
 * or a string's place in one arena), the sort keys first, then the output
 * columns, so sorting a million packet rows costs their chosen cells, not
 * their records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "query.h"
#include "rutil.h"

enum {
	MAX_COLS = OUT_MAX_COLS - 1,	/* out_begin may add `cache` */
	MAX_KEYS = 8,
	MAX_AVAIL = F_COUNT + 8		/* fields and the host/port pairs */
};

struct qcell {
	union {
		int64_t i;
		uint8_t addr[16];
		struct {
			uint32_t off, len;	/* in the arena */
		} s;
	} u;
	uint8_t ipver;
	uint8_t present;
};

struct key {
	int id;
	bool desc;
};

struct query {
	struct out *o;
	const struct query_spec *spec;
	struct filter *f;
	bool needs_conn;
	uint32_t pkt_reads;	/* packet-record fields --where reads */

	int cols[MAX_COLS];	/* output columns, F_* ids */
	unsigned ncols;
	struct out_col ocols[MAX_COLS];
	struct key keys[MAX_KEYS];
	unsigned nkeys;
	bool has_limit;
	uint64_t limit, taken;

	/* held rows, when ordering */
	struct qcell *cells;
	size_t nrows, caprows;
	char *arena;
	size_t narena, caparena;
	bool failed;		/* out of memory while holding */
	bool shaped;		/* --columns or --sort given */

	char scratch[FIELD_SCRATCH];
};

const char query_help[] =
"Row options (every report):\n"
"  --where EXPR        only rows where EXPR holds, in Wireshark display\n"
"                      filter style: synack > 300ms && server == 203.0.113.0/24,\n"
"                      retransmission && !spurious_retransmission,\n"
"                      host 2001:db8::1, port in {80 443}, flags contains R;\n"
"                      packet rows reach their connection with conn.: conn.sport\n"
"                      == 443.  Fields: `tcpsift-analyze fields`\n"
"  --sort F[,F...]     order rows by these fields, -F for descending; absent\n"
"                      values last\n"
"  --limit N           at most N rows (after ordering)\n"
"  --first             the first row in time order (--limit 1)\n"
"  --columns F[,F...]  these columns, in this order (any field of the\n"
"                      report's table; `all` for every one)\n";

/* ---- compiling ---- */

/* Is field id one of this result set's? */
static bool is_available(const struct query_spec *s, int id)
{
	if (id < 0 || id >= F_COUNT)
		return false;
	for (unsigned i = 0; i < s->ncols; i++)
		if (s->cols[i] == id)
			return true;
	return s->records && field_info[id].table == s->table &&
	       field_info[id].computed;
}

/* The filter catalog of a table's available fields, with host/port pairs. */
static size_t catalog(const struct query_spec *s, enum field_table t,
		      bool conn_side, struct filter_field *out)
{
	static const struct {
		enum field_table t;
		const char *name, *a, *b;
	} pairs[] = {
		{ TBL_CONNS, "host", "client", "server" },
		{ TBL_CONNS, "port", "cport", "sport" },
		{ TBL_PACKETS, "host", "src", "dst" },
		{ TBL_PACKETS, "port", "srcport", "dstport" },
	};
	size_t n = 0;

	for (int id = 0; id < F_COUNT; id++) {
		bool ok = conn_side ? field_info[id].table == TBL_CONNS &&
				      field_info[id].computed
				    : is_available(s, id);
		if (ok)
			out[n++] = (struct filter_field){ field_info[id].name,
							  field_info[id].type,
							  id, NULL, NULL };
	}
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		int a = field_find(t, pairs[i].a, strlen(pairs[i].a));
		int b = field_find(t, pairs[i].b, strlen(pairs[i].b));
		unsigned have = 0;	/* sides among the fields: both, or no pair */

		if (pairs[i].t != t || a < 0 || b < 0)
			continue;
		for (size_t j = 0; j < n; j++)
			have += out[j].id == a || out[j].id == b;
		if (have == 2)
			out[n++] = (struct filter_field){ pairs[i].name,
							  field_info[a].type, -1,
							  pairs[i].a, pairs[i].b };
	}
	return n;
}

/* One name of a --sort or --columns list against the available fields. */
static int lookup(const struct query_spec *s, const char *opt,
		  const char *name, size_t len, struct err *e)
{
	static struct filter_field cat[MAX_AVAIL];
	size_t n;
	int id = field_find(s->table, name, len);
	const char *near;

	if (id >= 0 && is_available(s, id))
		return id;
	n = catalog(s, s->table, false, cat);
	near = filter_suggest(name, len, cat, n);
	if (near)
		return err_set(e, ERR_USAGE, NULL, "%s: unknown field '%.*s'; did you mean '%s'?",
			       opt, (int)len, name, near);
	return err_set(e, ERR_USAGE, NULL,
		       "%s: unknown field '%.*s' here (`tcpsift-analyze fields --where 'table == \"%s\"'` lists them)",
		       opt, (int)len, name, field_table_name(s->table));
}

/* "a,-b" -> keys; ERR_USAGE on a bad name. */
static int parse_keys(struct query *q, const char *opt, const char *list,
		      struct err *e)
{
	const char *p = list;

	q->nkeys = 0;
	while (*p) {
		size_t len = strcspn(p, ",");
		bool desc = *p == '-';
		int id;

		if (len - desc == 0)
			return err_set(e, ERR_USAGE, NULL, "%s: empty field name in '%s'", opt, list);
		if (q->nkeys == MAX_KEYS)
			return err_set(e, ERR_USAGE, NULL, "%s: at most %d fields", opt, MAX_KEYS);
		if ((id = lookup(q->spec, opt, p + desc, len - desc, e)) < 0)
			return id;
		q->keys[q->nkeys++] = (struct key){ id, desc };
		p += len + (p[len] == ',');
	}
	return 0;
}

static int parse_columns(struct query *q, const char *list, struct err *e)
{
	const struct query_spec *s = q->spec;
	const char *p = list;

	q->ncols = 0;
	if (!list) {
		for (unsigned i = 0; i < s->ncols && i < MAX_COLS; i++)
			q->cols[q->ncols++] = s->cols[i];
		return 0;
	}
	if (!strcmp(list, "all")) {
		for (int id = 0; id < F_COUNT && q->ncols < MAX_COLS; id++)
			if (is_available(s, id) &&
			    (field_info[id].computed || !s->records ||
			     field_info[id].table == s->table))
				q->cols[q->ncols++] = id;
		/* XFIELDs the report shows come after the records' fields */
		return 0;
	}
	while (*p) {
		size_t len = strcspn(p, ",");
		int id;

		if (!len)
			return err_set(e, ERR_USAGE, NULL, "--columns: empty field name in '%s'", list);
		if (q->ncols == MAX_COLS)
			return err_set(e, ERR_USAGE, NULL, "--columns: at most %d", MAX_COLS);
		if ((id = lookup(s, "--columns", p, len, e)) < 0)
			return id;
		q->cols[q->ncols++] = id;
		p += len + (p[len] == ',');
	}
	return 0;
}

static enum out_type out_type_of(enum filter_type t)
{
	switch (t) {
	case FT_TIME:
		return OUT_T_TIME;
	case FT_SECS:
		return OUT_T_SECS;
	case FT_INT:
	case FT_PORT:
	case FT_BOOL:
	case FT_REAL:
		return OUT_T_NUM;
	default:
		return OUT_T_STR;
	}
}

/* What --where reads: whether it needs a packet's connection, and which
 * packet-record fields. */
static void note_field(void *arg, int id, bool conn)
{
	struct query *q = arg;

	q->needs_conn |= conn || field_needs_conn(id);
	q->pkt_reads |= field_pkt_reads(id, conn);
}

int query_new(struct query **out, const struct query_opts *u,
	      const struct query_spec *spec, struct out *o, struct err *e)
{
	static struct filter_field cat[MAX_AVAIL], ccat[MAX_AVAIL];
	struct query *q = calloc(1, sizeof(*q));
	int rc;

	*out = NULL;
	if (!q)
		return err_set(e, ERR_NOMEM, NULL, "out of memory");
	q->o = o;
	q->spec = spec;
	q->shaped = u->columns || u->sort;
	if ((rc = parse_columns(q, u->columns, e)))
		goto fail;
	if (u->sort && (rc = parse_keys(q, "--sort", u->sort, e)))
		goto fail;
	if (!u->sort && u->first && spec->time_field >= 0)
		q->keys[q->nkeys++] = (struct key){ spec->time_field, false };
	else if (!u->sort && !u->first && spec->order &&
		 (rc = parse_keys(q, "--sort", spec->order, e)))
		goto fail;
	if (u->where) {
		size_t n = catalog(spec, spec->table, false, cat);
		size_t nc = spec->records && spec->table == TBL_PACKETS ?
			    catalog(spec, TBL_CONNS, true, ccat) : 0;
		struct err fe;

		err_clear(&fe);
		rc = filter_compile(&q->f, u->where, cat, n, ccat, nc, &fe);
		if (rc) {
			char buf[sizeof(e->msg)];

			filter_format_error(buf, sizeof(buf), u->where, &fe);
			err_set(e, rc, NULL, "--where: %s", buf);
			goto fail;
		}
		filter_fields(q->f, note_field, q);
	}
	for (unsigned i = 0; i < q->ncols; i++)
		q->needs_conn |= field_needs_conn(q->cols[i]);
	for (unsigned i = 0; i < q->nkeys; i++)
		q->needs_conn |= field_needs_conn(q->keys[i].id);
	if (spec->limit && !u->has_limit) {
		q->has_limit = true;
		q->limit = spec->limit;
	}
	if (u->first) {
		q->has_limit = true;
		q->limit = 1;
	}
	if (u->has_limit && (!u->first || u->limit < q->limit)) {
		q->has_limit = true;
		q->limit = u->limit;
	}
	for (unsigned i = 0; i < q->ncols; i++)
		q->ocols[i] = (struct out_col){ field_info[q->cols[i]].name,
						out_type_of(field_info[q->cols[i]].type) };
	*out = q;
	return 0;
fail:
	query_free(q);
	return rc;
}

void query_free(struct query *q)
{
	if (!q)
		return;
	filter_free(q->f);
	free(q->cells);
	free(q->arena);
	free(q);
}

bool query_needs_conn(const struct query *q)
{
	return q->needs_conn;
}

bool query_shaped(const struct query *q)
{
	return q->shaped;
}

/* ---- rows ---- */

static bool get(const void *row, int id, struct filter_value *v)
{
	return field_get(row, id, v);
}

static void put_value(struct out *o, enum filter_type t, bool present,
		      const struct filter_value *v)
{
	char b[ADDR_STR_MAX + 16];

	if (!present) {
		out_null(o);
		return;
	}
	switch (t) {
	case FT_TIME:
		out_time(o, v->i);
		break;
	case FT_SECS:
		out_secs(o, v->i);
		break;
	case FT_REAL:	/* two decimals, truncated toward zero */
		rutil_out_fixed(o, v->i / FIELD_HUNDREDTH, 2);
		break;
	case FT_ADDR: {
		struct addr16 a;

		memcpy(a.b, v->addr, 16);
		addr_format(b, sizeof(b), &a, v->ipver);
		out_str(o, b);
		break;
	}
	case FT_FLAGS:
		tcpflags_str(b, (uint16_t)v->i);
		out_str(o, b);
		break;
	case FT_STR:
		out_strn(o, v->s, v->len);
		break;
	default:
		out_int(o, v->i);
	}
}

int query_begin(struct query *q, const char *label, struct err *e)
{
	q->taken = 0;
	q->nrows = 0;
	q->narena = 0;
	q->failed = false;
	return out_begin(q->o, q->ocols, q->ncols, label) ? err_set(e, ERR_NOMEM, NULL, "out of memory") : 0;
}

static bool passes(struct query *q, const struct field_row *r)
{
	return !q->f || filter_match(q->f, get, r, get, r);
}

uint32_t query_pkt_reads(const struct query *q)
{
	return q->pkt_reads;	/* 0 without --where */
}

bool query_where(struct query *q, const struct field_row *in)
{
	struct field_row r = *in;

	r.scratch = q->scratch;
	return passes(q, &r);
}

bool query_take(struct query *q, const struct field_row *in)
{
	if (q->has_limit && q->taken >= q->limit)
		return false;
	if (!query_where(q, in))
		return false;
	q->taken++;
	return true;
}

/* Keeps v in cell c (strings into the arena); false when out of memory. */
static bool hold(struct query *q, struct qcell *c, enum filter_type t,
		 bool present, const struct filter_value *v)
{
	memset(c, 0, sizeof(*c));
	if (!(c->present = present))
		return true;
	switch (t) {
	case FT_ADDR:
		memcpy(c->u.addr, v->addr, 16);
		c->ipver = v->ipver;
		return true;
	case FT_STR:
		if (q->narena + v->len > q->caparena) {
			size_t cap = q->caparena ? q->caparena : 4096;
			char *p;

			while (cap < q->narena + v->len)
				cap *= 2;
			if (cap > UINT32_MAX || !(p = realloc(q->arena, cap)))
				return false;
			q->arena = p;
			q->caparena = cap;
		}
		if (v->len)	/* an empty string needs no arena at all */
			memcpy(q->arena + q->narena, v->s, v->len);
		c->u.s.off = (uint32_t)q->narena;
		c->u.s.len = (uint32_t)v->len;
		q->narena += v->len;
		return true;
	default:
		c->u.i = v->i;
		return true;
	}
}

static void unhold(const struct query *q, const struct qcell *c,
		   enum filter_type t, struct filter_value *v)
{
	switch (t) {
	case FT_ADDR:
		memcpy(v->addr, c->u.addr, 16);
		v->ipver = c->ipver;
		break;
	case FT_STR:
		v->s = q->arena ? q->arena + c->u.s.off : "";
		v->len = c->u.s.len;
		break;
	default:
		v->i = c->u.i;
	}
}

static void emit(struct query *q, const struct field_row *r)
{
	for (unsigned i = 0; i < q->ncols; i++) {
		struct filter_value v;
		bool ok = field_get(r, q->cols[i], &v);

		put_value(q->o, field_info[q->cols[i]].type, ok, &v);
	}
	out_row_end(q->o);
}

int query_row(struct query *q, const struct field_row *in, struct err *e)
{
	struct field_row r = *in;
	unsigned width = q->nkeys + q->ncols;
	struct qcell *row;

	r.scratch = q->scratch;
	if (!passes(q, &r))
		return 0;
	if (!q->nkeys) {
		if (q->has_limit && q->taken >= q->limit)
			return 1;
		q->taken++;
		emit(q, &r);
		return q->has_limit && q->taken >= q->limit;
	}
	if (q->failed)
		return err_set(e, ERR_NOMEM, NULL, "out of memory holding rows to sort");
	if (q->nrows == q->caprows) {
		size_t cap = q->caprows ? q->caprows * 2 : 1024;
		struct qcell *p = realloc(q->cells, cap * width * sizeof(*p));

		if (!p)
			return err_set(e, ERR_NOMEM, NULL, "out of memory holding rows to sort");
		q->cells = p;
		q->caprows = cap;
	}
	row = q->cells + q->nrows * width;
	for (unsigned i = 0; i < width; i++) {
		int id = i < q->nkeys ? q->keys[i].id : q->cols[i - q->nkeys];
		struct filter_value v;
		bool ok = field_get(&r, id, &v);

		if (!hold(q, &row[i], field_info[id].type, ok, &v)) {
			q->failed = true;
			return err_set(e, ERR_NOMEM, NULL, "out of memory holding rows to sort");
		}
	}
	q->nrows++;
	return 0;
}

/* qsort has no context argument in C11: the query being sorted. */
static const struct query *sorting;

static int cmp_cell(const struct qcell *a, const struct qcell *b,
		    enum filter_type t)
{
	int d;

	switch (t) {
	case FT_ADDR:
		if (a->ipver != b->ipver)
			return a->ipver < b->ipver ? -1 : 1;
		return memcmp(a->u.addr, b->u.addr, 16);
	case FT_STR: {
		uint32_t n = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;

		d = n ? memcmp(sorting->arena + a->u.s.off,
			       sorting->arena + b->u.s.off, n) : 0;
		if (d)
			return d;
		return (a->u.s.len > b->u.s.len) - (a->u.s.len < b->u.s.len);
	}
	default:
		return (a->u.i > b->u.i) - (a->u.i < b->u.i);
	}
}

/* Rows are compared through an index array, so ties keep handed order. */
static int cmp_rows(const void *pa, const void *pb)
{
	const struct query *q = sorting;
	size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
	unsigned width = q->nkeys + q->ncols;
	const struct qcell *a = q->cells + ia * width, *b = q->cells + ib * width;

	for (unsigned k = 0; k < q->nkeys; k++) {
		int d;

		if (a[k].present != b[k].present)
			return a[k].present ? -1 : 1;	/* absent last */
		if (!a[k].present)
			continue;
		d = cmp_cell(&a[k], &b[k], field_info[q->keys[k].id].type);
		if (d)
			return q->keys[k].desc ? -d : d;
	}
	return (ia > ib) - (ia < ib);
}

int query_end(struct query *q, struct err *e)
{
	unsigned width = q->nkeys + q->ncols;
	size_t *ix, n;

	if (q->nkeys && q->nrows) {
		if (!(ix = malloc(q->nrows * sizeof(*ix))))
			return err_set(e, ERR_NOMEM, NULL, "out of memory sorting rows");
		for (size_t i = 0; i < q->nrows; i++)
			ix[i] = i;
		sorting = q;
		qsort(ix, q->nrows, sizeof(*ix), cmp_rows);
		sorting = NULL;
		n = q->has_limit && q->limit < q->nrows ? q->limit : q->nrows;
		for (size_t i = 0; i < n; i++) {
			const struct qcell *row = q->cells + ix[i] * width;

			for (unsigned c = 0; c < q->ncols; c++) {
				enum filter_type t = field_info[q->cols[c]].type;
				struct filter_value v;

				unhold(q, &row[q->nkeys + c], t, &v);
				put_value(q->o, t, row[q->nkeys + c].present, &v);
			}
			out_row_end(q->o);
		}
		free(ix);
	}
	out_end(q->o);
	return 0;
}
