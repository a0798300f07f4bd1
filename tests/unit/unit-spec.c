/*
 * unit-spec.c - format-spec.md and the code must agree.
 *
 * Every record table in format-spec.md (between "<!-- table: NAME -->" and
 * "<!-- end: NAME (N bytes) -->") is parsed and compared, row by row, with
 * the field tables generated from the *_fields.def lists (offset, size,
 * type, name); the fixed structures (header, block header, index entry,
 * footer) are checked for contiguous offsets and their total size.
 */
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "cache_int.h"
#include "record.h"
#include "unit.h"

struct row {
	unsigned off, size;
	char type[32], name[64];
};

static char *spec;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

static void trim(char *s)
{
	size_t n = strlen(s);
	char *p = s;

	while (n && (s[n - 1] == ' '))
		s[--n] = '\0';
	while (*p == ' ')
		p++;
	memmove(s, p, strlen(p) + 1);
}

/* Parses the table NAME; returns the row count, total in *bytes. */
static int parse_table(const char *name, struct row *rows, int max,
		       unsigned *bytes)
{
	char start[64], end[64];
	const char *p, *q;
	int n = 0;

	snprintf(start, sizeof(start), "<!-- table: %s -->", name);
	snprintf(end, sizeof(end), "<!-- end: %s (", name);
	p = strstr(spec, start);
	q = strstr(spec, end);
	if (!p || !q || q < p)
		return -1;
	*bytes = (unsigned)atoi(q + strlen(end));
	for (p = strchr(p, '\n'); p && p < q; p = strchr(p + 1, '\n')) {
		char cell[5][512];
		const char *c = p + 1;
		int k;

		if (*c != '|' || strncmp(c, "| OFFSET", 8) == 0 ||
		    strncmp(c, "|---", 4) == 0)
			continue;
		for (k = 0; k < 5; k++) {
			const char *bar = strchr(c + 1, '|');
			size_t len;
			if (!bar)
				break;
			len = (size_t)(bar - c - 1);
			if (len >= sizeof(cell[k]))
				len = sizeof(cell[k]) - 1;
			memcpy(cell[k], c + 1, len);
			cell[k][len] = '\0';
			trim(cell[k]);
			c = bar;
		}
		if (k < 5 || n >= max)
			return -1;
		rows[n].off = (unsigned)atoi(cell[0]);
		rows[n].size = (unsigned)atoi(cell[1]);
		snprintf(rows[n].type, sizeof(rows[n].type), "%.31s", cell[2]);
		snprintf(rows[n].name, sizeof(rows[n].name), "%.63s", cell[3]);
		n++;
	}
	return n;
}

static const char *spec_type(const char *code_type)
{
	if (!strcmp(code_type, "addr"))
		return "16 bytes";
	if (!strcmp(code_type, "str32"))
		return "32 bytes";
	if (!strcmp(code_type, "u8") || !strcmp(code_type, "i8"))
		return code_type;
	return NULL;	/* the rest carry " LE" */
}

static void check_record(const char *name, const struct record_field *f,
			 unsigned size)
{
	struct row rows[256];
	unsigned bytes = 0;
	int n = parse_table(name, rows, 256, &bytes), i;

	CHECKF(n > 0, "no table '%s' in format-spec.md", name);
	if (n <= 0)
		return;
	for (i = 0; f[i].name; i++) {
		char want[32];
		const char *t = spec_type(f[i].type);

		if (i >= n) {
			CHECKF(i < n, "%s: field '%s' is not in the spec", name, f[i].name);
			return;
		}
		snprintf(want, sizeof(want), "%s%s", t ? t : f[i].type, t ? "" : " LE");
		CHECKF(!strcmp(rows[i].name, f[i].name), "%s row %d: spec '%s', code '%s'",
		       name, i, rows[i].name, f[i].name);
		CHECKF(rows[i].off == f[i].offset, "%s.%s: spec offset %u, code %u",
		       name, f[i].name, rows[i].off, f[i].offset);
		CHECKF(rows[i].size == f[i].size, "%s.%s: spec size %u, code %u",
		       name, f[i].name, rows[i].size, f[i].size);
		CHECKF(!strcmp(rows[i].type, want), "%s.%s: spec type '%s', code '%s'",
		       name, f[i].name, rows[i].type, want);
	}
	CHECKF(i == n, "%s: the spec has %d rows, the code %d fields", name, n, i);
	CHECKF(bytes == size, "%s: the spec says %u bytes, the code %u", name, bytes, size);
}

static void check_fixed(const char *name, unsigned size)
{
	struct row rows[256];
	unsigned bytes = 0, off = 0;
	int n = parse_table(name, rows, 256, &bytes);

	CHECKF(n > 0, "no table '%s' in format-spec.md", name);
	for (int i = 0; i < n; i++) {
		CHECKF(rows[i].off == off, "%s.%s: offset %u, expected %u", name,
		       rows[i].name, rows[i].off, off);
		off = rows[i].off + rows[i].size;
	}
	CHECKF(off == size, "%s: rows add up to %u bytes, the code uses %u", name, off, size);
	CHECKF(bytes == size, "%s: the spec says %u bytes, the code %u", name, bytes, size);
}

static void test_records_match_spec(void)
{
	check_record("pkt", record_pkt_fields, CACHE_PKT_SIZE);
	check_record("conn", record_conn_fields, CACHE_CONN_SIZE);
	check_record("chunk", record_chunk_fields, CACHE_CHUNK_SIZE);
	check_record("meta", record_meta_fields, CACHE_META_FIXED_SIZE);
}

static void test_structures_match_spec(void)
{
	check_fixed("header", CACHE_HEADER_SIZE);
	check_fixed("block", CACHE_BLOCK_HEADER_SIZE);
	check_fixed("index", CACHE_INDEX_ENTRY_SIZE);
	check_fixed("footer", CACHE_FOOTER_SIZE);
}

static void test_spec_names_this_version(void)
{
	char want[64];

	snprintf(want, sizeof(want), "# tcpsift cache format, version %d.%d",
		 CACHE_MAJOR, CACHE_MINOR);
	CHECK(strncmp(spec, want, strlen(want)) == 0);
	snprintf(want, sizeof(want), "- **%d.%d**", CACHE_MAJOR, CACHE_MINOR);
	CHECKF(strstr(spec, want) != NULL, "no changelog entry for %d.%d",
	       CACHE_MAJOR, CACHE_MINOR);
}

int main(void)
{
	spec = slurp("format-spec.md");
	if (!spec) {
		printf("FAIL unit-spec: cannot read format-spec.md (run from the repo root)\n");
		return 1;
	}
	RUN(test_records_match_spec);
	RUN(test_structures_match_spec);
	RUN(test_spec_names_this_version);
	free(spec);
	return unit_status();
}
