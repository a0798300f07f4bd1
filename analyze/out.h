/*
 * out.h - rows out: an aligned table for people, CSV or JSON lines.
 *
 * A report declares its columns once, then emits cells row by row; the
 * format is the user's choice (--format), not the report's.  Tables are
 * aligned over the first OUT_TABLE_SAMPLE rows and streamed after that,
 * so a million-row report starts printing at once and never buffers the
 * whole output.  Times keep nanoseconds: absolute times as ISO 8601 (UTC
 * unless --local), relative times as seconds with nine decimals in CSV and
 * JSON and six in tables.
 */
#ifndef TCPSIFT_OUT_H
#define TCPSIFT_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum out_format { OUT_TABLE, OUT_CSV, OUT_JSON };

enum out_type {
	OUT_T_STR,	/* left-aligned text, quoted in CSV/JSON */
	OUT_T_NUM,	/* right-aligned number, bare in JSON */
	OUT_T_TIME,	/* absolute time (ns since the epoch) */
	OUT_T_SECS	/* duration or relative time (ns) */
};

struct out_col {
	const char *name;
	enum out_type type;
};

enum {
	OUT_TABLE_SAMPLE = 1000,
	OUT_MAX_COLS = 160	/* columns of a result set, `cache` included */
};

struct out;

struct out *out_new(FILE *f, enum out_format fmt, bool local);
void out_free(struct out *o);

/*
 * Starts a result set.  cache_label non-NULL adds a first column "cache"
 * holding it (several caches in one run).
 */
int out_begin(struct out *o, const struct out_col *cols, unsigned ncols,
	      const char *cache_label);
void out_str(struct out *o, const char *s);
void out_strn(struct out *o, const char *s, size_t n);	/* n bytes, no NUL needed */
void out_uint(struct out *o, uint64_t v);
void out_int(struct out *o, int64_t v);
void out_time(struct out *o, int64_t ns);
void out_secs(struct out *o, int64_t ns);
void out_null(struct out *o);	/* an empty cell: "" in CSV, null in JSON */
void out_row_end(struct out *o);
/* Ends the result set (prints a table still held). */
void out_end(struct out *o);

enum out_format out_format(const struct out *o);
FILE *out_file(const struct out *o);
bool out_is_local(const struct out *o);

/* "table", "csv", "json" -> format; false when unknown. */
bool out_parse_format(const char *s, enum out_format *f);

#endif
