/*
 * sqlvt.h - tcpsift caches as SQLite virtual tables, read straight from
 * the cache files: nothing is copied into a database first.
 *
 *	conns	one row per connection: the catalog's computed conns fields
 *	packets	one row per TCP packet: the computed packets fields
 *	caches	one row per cache: its id, path and the `info` items
 *
 * conns and packets carry a HIDDEN column `cache` (the caches.id of the
 * row's cache, 0-based in the order given), so one query reads several
 * caches.  Columns follow fields.def in catalog order, typed by the
 * catalog (sqlvt_sql_type): a value leaves a record only through
 * field_get(), so an SQL column and the --where field of the same name
 * cannot disagree.  An equality on `stream` (and on `cache`) is served
 * from the cache's per-connection index; everything else is a scan.
 *
 * Key invariant: a cache error met while a table reads (a bad block, an
 * I/O error) fails the statement with the err message and is kept, so the
 * caller can tell it from an SQL error (sqlvt_error).
 */
#ifndef TCPSIFT_SQLVT_H
#define TCPSIFT_SQLVT_H

#include <stdbool.h>
#include <sqlite3.h>

#include "err.h"
#include "filter.h"

enum sqlvt_table { SQLVT_CONNS, SQLVT_PACKETS, SQLVT_CACHES, SQLVT_NTABLES };

/* The open caches the tables of one connection read. */
struct sqlvt;

/*
 * Opens every cache of paths (ERR_* with e set naming the file that
 * failed).  The caches stay open until sqlvt_close.
 */
int sqlvt_open(struct sqlvt **out, char *const *paths, int npaths,
	       struct err *e);

/* Closes the caches: after sqlite3_close of every db attached.  NULL ok. */
void sqlvt_close(struct sqlvt *v);

/*
 * Registers the module in db and creates the temp tables PREFIXconns,
 * PREFIXpackets and PREFIXcaches ("" gives conns, packets, caches).
 */
int sqlvt_attach(struct sqlvt *v, sqlite3 *db, const char *prefix,
		 struct err *e);

/*
 * Table t's columns as a CREATE TABLE body, "cache INTEGER, stream
 * INTEGER, ...": the virtual table's own when hidden (cache HIDDEN), an
 * ordinary table's otherwise.  sqlite3_free() it; NULL when out of memory.
 */
char *sqlvt_columns(enum sqlvt_table t, bool hidden);

/* The SQL type of a catalog type: "INTEGER", "REAL" or "TEXT". */
const char *sqlvt_sql_type(enum filter_type t);

/*
 * The cache error that failed a statement (< 0, e filled), or 0 when the
 * last error was SQLite's own.  Clears it.
 */
int sqlvt_error(struct sqlvt *v, struct err *e);

/* Rows the tables handed out so far, per table (for export's summary). */
unsigned long long sqlvt_rows(const struct sqlvt *v, enum sqlvt_table t);

#endif
