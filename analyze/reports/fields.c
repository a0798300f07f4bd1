/*
 * fields.c - the catalog (common/fields.def) as a result set: every field
 * of every table with its type and meaning.  The same list makes the
 * reports' columns, the --where fields and the SQL columns, so this is
 * their documentation.  Reads no cache.
 */
#include <string.h>

#include "report.h"

static const int cols[] = {
	F_FIELDS_table, F_FIELDS_name, F_FIELDS_type, F_FIELDS_sql,
	F_FIELDS_meaning,
};

static const struct query_spec spec = {
	.table = TBL_FIELDS, .cols = cols,
	.ncols = sizeof(cols) / sizeof(cols[0]),
	.records = false, .order = NULL, .time_field = -1,
};

static const struct query_spec *fields_spec(void *state)
{
	(void)state;
	return &spec;
}

static bool field_row_get(const void *xrow, int id, struct filter_value *v)
{
	const struct field_info *f = xrow;

	switch (id) {
	case F_FIELDS_table: v->s = field_table_name(f->table); break;
	case F_FIELDS_name: v->s = f->name; break;
	case F_FIELDS_type: v->s = filter_type_name(f->type); break;
	case F_FIELDS_meaning: v->s = f->doc; break;
	case F_FIELDS_sql:
		v->i = f->computed;
		return true;
	default: return false;
	}
	v->len = strlen(v->s);
	return true;
}

static int fields_run(void *state, struct report_run *run)
{
	int rc;

	(void)state;
	if ((rc = query_begin(run->q, NULL, run->err)))
		return rc;
	for (int id = 0; id < F_COUNT; id++) {
		struct field_row fr = { .xget = field_row_get, .xrow = &field_info[id] };

		if ((rc = query_row(run->q, &fr, run->err)))
			break;
	}
	return rc < 0 ? rc : query_end(run->q, run->err);
}

const struct report report_fields = {
	.name = "fields",
	.summary = "every field: its table, name, type and meaning (no cache needed)",
	.help =
"Lists the catalog: the fields the reports show, --where tests, --sort and\n"
"--columns take, and `sql` exposes, with one line of meaning each.\n"
"\n"
"Tables: conns (one row per connection: conns, handshake, resets, health,\n"
"concurrency --list), packets (one row per packet: packets, ladder,\n"
"window), servers (handshake --summary, health --by-server), buckets\n"
"(concurrency), episodes (window --episodes), info, fields.  A report that\n"
"shows connections or packets can show, test and sort on any field of\n"
"that table; packet reports reach their connection's fields as conn.NAME.\n"
"In SQL, the conns and packets tables hold every field of theirs except\n"
"the report-only ones (concurrent, concurrent_any).\n"
"\n"
"Types and their literals in --where:\n"
"  integer    42, 0x1f             seconds    300ms, 1.5s, 2m, 0.3\n"
"  timestamp  2018-09-26T21:21:02.5Z, or epoch seconds\n"
"  address    203.0.113.1, 203.0.113.0/24, 2001:db8::/32\n"
"  port       0 to 65535           flags      S, SA, R (letters FSRPAUECN)\n"
"  string     word or \"quoted\"     boolean    true, false; a bare name tests it\n"
"  decimal    2.5\n"
"\n"
"Examples:\n"
"  tcpsift-analyze fields --where 'table == \"conns\"'\n"
"  tcpsift-analyze fields --where 'name contains \"rtt\"'\n",
	.no_cache = true,
	.spec = fields_spec,
	.run = fields_run,
};
