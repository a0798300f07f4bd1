/*
 * sql.c - the `sql` report: one SQL statement over the caches' virtual
 * tables (sqlvt.h), its rows printed through out.h in the user's format.
 *
 * The SQL is the first argument, the caches the rest.  The statement runs
 * in an in-memory SQLite connection whose temp schema holds the tables;
 * nothing is copied.  Exit codes follow where it fails: a statement SQLite
 * cannot prepare (syntax, unknown column) is a usage error; a cache error
 * met by a table, or SQLite's error while the statement runs, is a data
 * error.  Each column's output type comes from the first row's value (its
 * declared type when there is no row or the value is NULL), since SQL
 * columns have none of their own.  Not here: several statements, writes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "sqlvt.h"

/* Seconds and decimals as the catalog prints them: 9 decimals at most,
 * trailing zeros dropped ("0.3", "12"). */
static void real_str(char *b, size_t size, double d)
{
	size_t n;

	if (d >= 1e15 || d <= -1e15) {
		snprintf(b, size, "%.17g", d);
		return;
	}
	snprintf(b, size, "%.9f", d);
	n = strlen(b);
	while (n > 0 && b[n - 1] == '0')
		n--;
	if (n > 0 && b[n - 1] == '.')
		n--;
	b[n] = '\0';
}

/* True when s is a JSON number, so a NUM cell can be printed bare. */
static bool is_json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return false;
	if (*s == '.') {
		if (!(*++s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		if (*++s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

static enum out_type col_type(sqlite3_stmt *st, int i, bool have_row)
{
	int t = have_row ? sqlite3_column_type(st, i) : SQLITE_NULL;
	const char *decl;

	if (t == SQLITE_NULL && (decl = sqlite3_column_decltype(st, i)))
		t = !strcmp(decl, "INTEGER") ? SQLITE_INTEGER :
		    !strcmp(decl, "REAL") ? SQLITE_FLOAT : SQLITE_TEXT;
	return t == SQLITE_INTEGER || t == SQLITE_FLOAT ? OUT_T_NUM : OUT_T_STR;
}

/* One cell of the current row; ERR_USAGE when JSON cannot show it. */
static int put_cell(struct out *o, sqlite3_stmt *st, int i, enum out_type t,
		    uint64_t rowno, struct err *e)
{
	bool json = out_format(o) == OUT_JSON;
	const unsigned char *s;
	char b[64];
	double d;

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		out_null(o);
		return 0;
	case SQLITE_INTEGER:
		out_int(o, sqlite3_column_int64(st, i));
		return 0;
	case SQLITE_FLOAT:
		d = sqlite3_column_double(st, i);
		if (!isfinite(d) && json) {
			out_null(o);	/* JSON has no infinity */
			return 0;
		}
		real_str(b, sizeof(b), d);
		out_str(o, b);
		return 0;
	case SQLITE_BLOB: {
		const unsigned char *p = sqlite3_column_blob(st, i);
		int n = sqlite3_column_bytes(st, i);
		char hex[2 * 127 + 1];
		int k = 0;

		for (; k < n && k < 127; k++)	/* a cell holds 255 bytes */
			snprintf(hex + 2 * k, 3, "%02x", p[k]);
		hex[2 * k] = '\0';
		out_str(o, hex);
		s = (const unsigned char *)hex;
		break;
	}
	default:
		s = sqlite3_column_text(st, i);
		out_str(o, s ? (const char *)s : "");
		break;
	}
	if (json && t == OUT_T_NUM && !is_json_number(s ? (const char *)s : ""))
		return err_set(e, ERR_USAGE, NULL,
			       "sql: column '%s' holds text in row %llu but a number in the first; CAST it to TEXT for JSON",
			       sqlite3_column_name(st, i), (unsigned long long)rowno);
	return 0;
}

/* The error that stopped a running statement: a table's, or SQLite's. */
static int step_error(sqlite3 *db, struct sqlvt *v, struct err *e)
{
	int rc = sqlvt_error(v, e);

	if (rc)
		return rc;
	return err_set(e, ERR_FORMAT, NULL, "sql: %s", sqlite3_errmsg(db));
}

/* Runs st and prints its rows. */
static int print_rows(sqlite3 *db, sqlite3_stmt *st, struct sqlvt *v,
		      struct out *o, struct err *e)
{
	int ncol = sqlite3_column_count(st), s, rc = 0;
	struct out_col *cols;
	uint64_t rowno = 0;

	s = sqlite3_step(st);
	if (ncol == 0) {	/* nothing to print (a PRAGMA that sets) */
		while (s == SQLITE_ROW)
			s = sqlite3_step(st);
		return s == SQLITE_DONE ? 0 : step_error(db, v, e);
	}
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		return step_error(db, v, e);
	cols = calloc((size_t)ncol, sizeof(*cols));
	if (!cols)
		return err_set(e, ERR_NOMEM, NULL, "out of memory");
	for (int i = 0; i < ncol; i++) {
		cols[i].name = sqlite3_column_name(st, i);
		cols[i].type = col_type(st, i, s == SQLITE_ROW);
	}
	if (out_begin(o, cols, (unsigned)ncol, NULL)) {
		rc = err_set(e, ERR_USAGE, NULL,
			     "sql: too many columns to print (%d); name the ones you want",
			     ncol);
		goto out_free;
	}
	for (; s == SQLITE_ROW; s = sqlite3_step(st)) {
		rowno++;
		for (int i = 0; i < ncol; i++)
			if ((rc = put_cell(o, st, i, cols[i].type, rowno, e)))
				goto out_free;
		out_row_end(o);
	}
	if (s != SQLITE_DONE) {
		rc = step_error(db, v, e);
		goto out_free;
	}
	out_end(o);
out_free:
	free(cols);
	return rc;
}

/* paths[0] is the SQL, paths[1..] the caches (see the help). */
static int sql_all(void *state, struct out *o, char *const *paths, int npaths,
		   struct err *e)
{
	struct sqlvt *v;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL, *more = NULL;
	const char *tail;
	int rc;

	(void)state;
	if (npaths < 1)
		return err_set(e, ERR_USAGE, NULL, "sql: no SQL statement given");
	if (npaths < 2)
		return err_set(e, ERR_USAGE, NULL, "sql: no cache given");
	if ((rc = sqlvt_open(&v, paths + 1, npaths - 1, e)))
		return rc;
	/* NOMUTEX: only this thread uses the connection (sqlvt's scan
	 * threads read caches, never SQLite) */
	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = err_set(e, ERR_NOMEM, NULL, "sqlite: %s",
			     db ? sqlite3_errmsg(db) : "out of memory");
		goto out_close;
	}
	if ((rc = sqlvt_attach(v, db, "", e)))
		goto out_close;
	if (sqlite3_prepare_v2(db, paths[0], -1, &st, &tail) != SQLITE_OK) {
		rc = err_set(e, ERR_USAGE, NULL, "sql: %s", sqlite3_errmsg(db));
		goto out_close;
	}
	if (!st) {
		rc = err_set(e, ERR_USAGE, NULL, "sql: no SQL statement given");
		goto out_close;
	}
	/* what follows may be blanks, comments and ';', not a statement */
	if (sqlite3_prepare_v2(db, tail, -1, &more, NULL) != SQLITE_OK || more) {
		tail += strspn(tail, " \t\r\n;");
		rc = err_set(e, ERR_USAGE, NULL,
			     "sql: give one statement (more follows: '%.40s')", tail);
		goto out_close;
	}
	if (!sqlite3_stmt_readonly(st)) {
		rc = err_set(e, ERR_USAGE, NULL,
			     "sql: the tables are read-only; give a query (export --sqlite makes a database to change)");
		goto out_close;
	}
	rc = print_rows(db, st, v, o, e);
out_close:
	sqlite3_finalize(more);
	sqlite3_finalize(st);
	sqlite3_close(db);	/* before the caches its tables read */
	sqlvt_close(v);
	return rc;
}

const struct report report_sql = {
	.name = "sql",
	.summary = "run an SQL query over the caches' connections and packets",
	.help =
"Arguments: 'SQL' CACHE...\n"
"\n"
"Runs one SQL statement (SQLite's dialect) and prints its rows.  The first\n"
"argument is the statement, the others the caches; --where, --sort and the\n"
"other row options do not apply (say it in SQL).  The caches are read\n"
"straight from their files as these tables:\n"
"\n"
"  conns     one row per connection\n"
"  packets   one row per TCP packet\n"
"  caches    one row per cache: id (0-based, in the order given), path, and\n"
"            the items `info` shows: format, tool, source, source_size,\n"
"            source_mtime, extracted, filter, linktypes, snaplen, tsprec,\n"
"            truncated, truncated_at, frames, filtered, tcp_packets,\n"
"            connections, skipped_*, first, last, duration, cache_size\n"
"\n"
"The columns of conns and packets are the fields of those tables in the\n"
"catalog, in its order: `tcpsift-analyze fields` lists them with their\n"
"meaning, and so does SELECT * FROM pragma_table_info('conns').  Both\n"
"tables also have a hidden column `cache`, the caches.id of the row's cache,\n"
"which SELECT * leaves out: with several caches, join on it too\n"
"(ON p.cache = c.cache AND p.stream = c.stream).\n"
"\n"
"Types, by the catalog's type of the field:\n"
"  integer, port, boolean   INTEGER (booleans are 0 or 1)\n"
"  seconds                  REAL seconds, nanosecond exact: synack > 0.3\n"
"  decimal                  REAL\n"
"  timestamp                TEXT, ISO 8601 UTC with 9 decimals as the CSV\n"
"                           output prints it; they sort as text, so a\n"
"                           prefix compares: start >= '2018-09-26T21:21'\n"
"  address                  TEXT: '203.0.113.7', '2001:db8::1'\n"
"  flags                    TEXT, letters of FSRPAUECN: flags LIKE '%R%'\n"
"  string                   TEXT\n"
"A value the cache does not have (no SYN-ACK: no synack) is NULL.  --local\n"
"does not apply: times are values here, always UTC.\n"
"\n"
"An equality on stream (and on cache) reads that connection through the\n"
"cache's index, so joins of conns and packets on stream are fast; any other\n"
"condition reads the table whole (some 5 million packets a second).\n"
"\n"
"Output: the statement's column names and rows, in --format; a column is\n"
"a number when its first row holds one.  One statement runs, and only a\n"
"query: the tables are read-only (export --sqlite writes them into a\n"
"database of your own).\n"
"\n"
"Examples:\n"
"  tcpsift-analyze sql 'SELECT server, count(*), max(synack) FROM conns\n"
"      WHERE synack > 0.3 GROUP BY server' run1.sift\n"
"  tcpsift-analyze sql 'SELECT p.frame, p.rel, p.flags, p.analysis\n"
"      FROM conns c JOIN packets p ON p.stream = c.stream\n"
"      WHERE c.stream = 5' run1.sift\n"
"  tcpsift-analyze sql 'SELECT k.path, count(*) FROM packets p\n"
"      JOIN caches k ON k.id = p.cache WHERE p.retransmission\n"
"      GROUP BY k.path' run1.sift run2.sift\n"
"\n"
"Exit status: 2 when SQLite cannot prepare the statement (syntax, no such\n"
"column), 1 when a cache cannot be read or the statement fails as it runs.\n",
	.all = sql_all,
};
