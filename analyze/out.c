/*
 * out.c - table, CSV and JSON writers behind out.h.
 *
 * Cells are formatted into one row buffer; a table keeps up to
 * OUT_TABLE_SAMPLE rows to size its columns, then prints them and streams
 * the rest at those widths (a longer cell pushes its row, it is never cut).
 */
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "timefmt.h"

enum { MAX_COLS = OUT_MAX_COLS, CELL_MAX = 256 };

struct cell {
	uint16_t off, len;	/* in the row's text */
	uint8_t type;
	bool null;
};

struct row {
	char *text;
	struct cell cells[MAX_COLS];
};

struct out {
	FILE *f;
	enum out_format fmt;
	bool local;
	struct out_col cols[MAX_COLS];
	unsigned ncols;
	const char *label;
	/* the row being built */
	char buf[MAX_COLS * CELL_MAX];
	size_t used;
	struct cell cells[MAX_COLS];
	unsigned ncell;
	/* table sizing */
	struct row *held;
	unsigned nheld;
	bool streaming;
	unsigned width[MAX_COLS];
	/* out_time's memo: the formatted second of the last time printed */
	bool csv_header_done;	/* one header for all caches of a run */
	int64_t memo_sec;
	char memo[TIMEFMT_ISO_MAX];
	size_t memo_len;	/* bytes up to and including the '.' */
};

struct out *out_new(FILE *f, enum out_format fmt, bool local)
{
	struct out *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->f = f;
	o->fmt = fmt;
	o->local = local;
	return o;
}

void out_free(struct out *o)
{
	if (!o)
		return;
	for (unsigned i = 0; i < o->nheld; i++)
		free(o->held[i].text);
	free(o->held);
	free(o);
}

enum out_format out_format(const struct out *o) { return o->fmt; }
FILE *out_file(const struct out *o) { return o->f; }
bool out_is_local(const struct out *o) { return o->local; }

bool out_parse_format(const char *s, enum out_format *f)
{
	if (strcmp(s, "table") == 0)
		*f = OUT_TABLE;
	else if (strcmp(s, "csv") == 0)
		*f = OUT_CSV;
	else if (strcmp(s, "json") == 0)
		*f = OUT_JSON;
	else
		return false;
	return true;
}

static void put_cell(struct out *o, const char *s, size_t n, bool null)
{
	struct cell *c;

	if (o->ncell >= o->ncols)
		return;
	if (n > CELL_MAX - 1)
		n = CELL_MAX - 1;
	c = &o->cells[o->ncell++];
	c->off = (uint16_t)o->used;
	c->len = (uint16_t)n;
	c->type = (uint8_t)o->cols[o->ncell - 1].type;
	c->null = null;
	memcpy(o->buf + o->used, s, n);
	o->used += n;
}

int out_begin(struct out *o, const struct out_col *cols, unsigned ncols,
	      const char *cache_label)
{
	unsigned k = 0;

	if (ncols + 1 > MAX_COLS)
		return -1;
	o->label = cache_label;
	if (cache_label)
		o->cols[k++] = (struct out_col){ "cache", OUT_T_STR };
	for (unsigned i = 0; i < ncols; i++)
		o->cols[k++] = cols[i];
	o->ncols = k;
	o->used = 0;
	o->ncell = 0;
	o->nheld = 0;
	o->streaming = false;
	for (unsigned i = 0; i < k; i++)
		o->width[i] = (unsigned)strlen(o->cols[i].name);
	if (o->fmt == OUT_CSV && !o->csv_header_done) {
		o->csv_header_done = true;
		for (unsigned i = 0; i < k; i++)
			fprintf(o->f, "%s%s", i ? "," : "", o->cols[i].name);
		fputc('\n', o->f);
	}
	if (cache_label)
		put_cell(o, cache_label, strlen(cache_label), false);
	return 0;
}

void out_str(struct out *o, const char *s)
{
	if (!s)
		put_cell(o, "", 0, true);
	else
		put_cell(o, s, strlen(s), false);
}

void out_strn(struct out *o, const char *s, size_t n)
{
	put_cell(o, s, n, false);
}

/* Fast unsigned to decimal; returns the length. */
static size_t fmt_u64(char *buf, uint64_t v)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

void out_uint(struct out *o, uint64_t v)
{
	char b[24];
	put_cell(o, b, fmt_u64(b, v), false);
}

void out_int(struct out *o, int64_t v)
{
	char b[24];
	size_t n = 0;

	if (v < 0) {
		b[n++] = '-';
		n += fmt_u64(b + 1, (uint64_t)0 - (uint64_t)v);
	} else {
		n = fmt_u64(b, (uint64_t)v);
	}
	put_cell(o, b, n, false);
}

/*
 * Times come in runs within the same second: format the date and zone once
 * per second and only the nanoseconds per row.
 */
void out_time(struct out *o, int64_t ns)
{
	int64_t sec = ns / 1000000000, frac = ns % 1000000000;
	char b[TIMEFMT_ISO_MAX];
	size_t n;

	if (frac < 0) {
		frac += 1000000000;
		sec -= 1;
	}
	if (o->memo_len == 0 || sec != o->memo_sec) {
		char *dot;
		timefmt_iso(o->memo, sizeof(o->memo), sec * 1000000000, o->local);
		dot = strchr(o->memo, '.');
		if (!dot) {	/* not a time gmtime can show */
			put_cell(o, o->memo, strlen(o->memo), false);
			o->memo_len = 0;
			return;
		}
		o->memo_sec = sec;
		o->memo_len = (size_t)(dot - o->memo) + 1;
	}
	memcpy(b, o->memo, o->memo_len);
	n = o->memo_len;
	for (int i = 8; i >= 0; i--) {
		b[n + (size_t)i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	n += 9;
	/* the zone: "Z" or "+hh:mm", after the 9 zero digits in the memo */
	memcpy(b + n, o->memo + o->memo_len + 9, strlen(o->memo + o->memo_len + 9) + 1);
	put_cell(o, b, strlen(b), false);
}

void out_secs(struct out *o, int64_t ns)
{
	char b[40];

	timefmt_secs(b, sizeof(b), ns, o->fmt == OUT_TABLE ? 6 : 9);
	put_cell(o, b, strlen(b), false);
}

void out_null(struct out *o)
{
	put_cell(o, "", 0, true);
}

static void csv_cell(FILE *f, const char *s, size_t n)
{
	if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n)) {
		fwrite(s, 1, n, f);
		return;
	}
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			fputc('"', f);
		fputc(s[i], f);
	}
	fputc('"', f);
}

static void json_str(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* One aligned line, built in a buffer and written at once. */
static void table_row(struct out *o, const char *text, const struct cell *cells)
{
	char line[MAX_COLS * (CELL_MAX + 2) + 2];
	size_t n = 0;

	for (unsigned i = 0; i < o->ncols; i++) {
		const struct cell *c = &cells[i];
		unsigned pad = o->width[i] > c->len ? o->width[i] - c->len : 0;
		bool right = c->type != OUT_T_STR && c->type != OUT_T_TIME;
		bool last = i + 1 == o->ncols;

		if (pad > CELL_MAX)
			pad = CELL_MAX;
		if (i) {
			line[n++] = ' ';
			line[n++] = ' ';
		}
		if (right) {
			memset(line + n, ' ', pad);
			n += pad;
		}
		memcpy(line + n, text + c->off, c->len);
		n += c->len;
		if (!right && !last) {
			memset(line + n, ' ', pad);
			n += pad;
		}
	}
	line[n++] = '\n';
	fwrite(line, 1, n, o->f);
}

static void table_flush_held(struct out *o)
{
	struct cell hdr[MAX_COLS];
	char names[MAX_COLS * 32];
	size_t used = 0;

	for (unsigned i = 0; i < o->ncols; i++) {
		size_t n = strlen(o->cols[i].name);
		if (n > 31)
			n = 31;
		hdr[i] = (struct cell){ (uint16_t)used, (uint16_t)n,
					(uint8_t)o->cols[i].type, false };
		memcpy(names + used, o->cols[i].name, n);
		used += n;
	}
	table_row(o, names, hdr);
	for (unsigned r = 0; r < o->nheld; r++) {
		table_row(o, o->held[r].text, o->held[r].cells);
		free(o->held[r].text);
	}
	o->nheld = 0;
	o->streaming = true;
}

void out_row_end(struct out *o)
{
	while (o->ncell < o->ncols)
		out_null(o);
	switch (o->fmt) {
	case OUT_CSV:
		for (unsigned i = 0; i < o->ncols; i++) {
			if (i)
				fputc(',', o->f);
			csv_cell(o->f, o->buf + o->cells[i].off, o->cells[i].len);
		}
		fputc('\n', o->f);
		break;
	case OUT_JSON:
		fputc('{', o->f);
		for (unsigned i = 0; i < o->ncols; i++) {
			const struct cell *c = &o->cells[i];
			if (i)
				fputc(',', o->f);
			json_str(o->f, o->cols[i].name, strlen(o->cols[i].name));
			fputc(':', o->f);
			if (c->null)
				fputs("null", o->f);
			else if (c->type == OUT_T_NUM || c->type == OUT_T_SECS)
				fwrite(o->buf + c->off, 1, c->len, o->f);
			else
				json_str(o->f, o->buf + c->off, c->len);
		}
		fputs("}\n", o->f);
		break;
	case OUT_TABLE:
		if (o->streaming) {
			table_row(o, o->buf, o->cells);
			break;
		}
		for (unsigned i = 0; i < o->ncols; i++)
			if (o->cells[i].len > o->width[i])
				o->width[i] = o->cells[i].len;
		if (o->nheld % 64 == 0) {
			struct row *q = realloc(o->held, (o->nheld + 64) * sizeof(*q));
			if (!q) {	/* cannot hold: print what we have */
				table_flush_held(o);
				table_row(o, o->buf, o->cells);
				break;
			}
			o->held = q;
		}
		o->held[o->nheld].text = malloc(o->used ? o->used : 1);
		if (!o->held[o->nheld].text) {
			table_flush_held(o);
			table_row(o, o->buf, o->cells);
			break;
		}
		memcpy(o->held[o->nheld].text, o->buf, o->used);
		memcpy(o->held[o->nheld].cells, o->cells, sizeof(o->cells));
		o->nheld++;
		if (o->nheld == OUT_TABLE_SAMPLE)
			table_flush_held(o);
		break;
	}
	o->used = 0;
	o->ncell = 0;
	if (o->label)
		put_cell(o, o->label, strlen(o->label), false);
}

void out_end(struct out *o)
{
	if (o->fmt == OUT_TABLE && !o->streaming)
		table_flush_held(o);
	o->used = 0;
	o->ncell = 0;
}
