/*
 * info.c - the cache's provenance and the capture summary, one
 * field/value row each.
 */
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "timefmt.h"

static const int cols[] = { F_INFO_field, F_INFO_value };

static const struct query_spec spec = {
	.table = TBL_INFO, .cols = cols, .ncols = 2,
	.records = false, .order = NULL, .time_field = -1,
};

static const struct query_spec *info_spec(void *state)
{
	(void)state;
	return &spec;
}

/* One field/value row, for the query's getter. */
struct item {
	const char *k, *v;
};

static bool item_get(const void *xrow, int id, struct filter_value *v)
{
	const struct item *it = xrow;

	v->s = id == F_INFO_field ? it->k : it->v;
	v->len = strlen(v->s);
	return true;
}

static void row(struct report_run *run, const char *k, const char *v)
{
	struct item it = { k, v };
	struct field_row fr = { .xget = item_get, .xrow = &it };

	(void)query_row(run->q, &fr, run->err);	/* holds nothing: no failure */
}

static void row_u(struct report_run *run, const char *k, unsigned long long v)
{
	char b[32];
	snprintf(b, sizeof(b), "%llu", v);
	row(run, k, b);
}

static void row_t(struct report_run *run, const char *k, int64_t ns)
{
	char b[TIMEFMT_ISO_MAX];
	timefmt_iso(b, sizeof(b), ns, out_is_local(run->out));
	row(run, k, b);
}

static int info_run(void *state, struct report_run *run)
{
	const struct cache_meta *m = run->meta;
	const struct cache_meta_fixed *f = &m->f;
	struct report_run *o = run;
	unsigned major, minor;
	int rc;
	char b[128];
	uint16_t lt[4] = { f->linktype0, f->linktype1, f->linktype2, f->linktype3 };
	size_t n = 0;

	(void)state;
	if ((rc = query_begin(run->q, run->label, run->err)))
		return rc;
	cache_version(run->cache, &major, &minor);
	snprintf(b, sizeof(b), "%u.%u", major, minor);
	row(o, "format", b);
	row(o, "tool", m->tool);
	row(o, "source", m->source);
	row_u(o, "source_size", (unsigned long long)f->capture_size);
	row_t(o, "source_mtime", f->capture_mtime);
	row_t(o, "extracted", f->extract_time);
	row(o, "filter", m->filter);
	b[0] = '\0';
	for (int i = 0; i < 4; i++)
		if (lt[i] != 0xffff)
			n += (size_t)snprintf(b + n, sizeof(b) - n, "%s%u", n ? "," : "", lt[i]);
	row(o, "linktypes", b);
	row_u(o, "snaplen", f->snaplen);
	row(o, "tsprec", f->tsprec == 9 ? "ns" : f->tsprec == 6 ? "us" : "unknown");
	row(o, "truncated", f->flags & CACHE_META_TRUNCATED ? "yes" : "no");
	if (f->flags & CACHE_META_TRUNCATED)
		row_u(o, "truncated_at", (unsigned long long)f->truncated_at);
	row_u(o, "frames", (unsigned long long)f->frames);
	row_u(o, "filtered", (unsigned long long)f->filtered);
	row_u(o, "tcp_packets", (unsigned long long)f->tcp_packets);
	row_u(o, "connections", (unsigned long long)f->connections);
	row_u(o, "skipped_linktype", (unsigned long long)f->n_linktype);
	row_u(o, "skipped_not_ip", (unsigned long long)f->n_not_ip);
	row_u(o, "skipped_not_tcp", (unsigned long long)f->n_not_tcp);
	row_u(o, "skipped_fragment", (unsigned long long)f->n_fragment);
	row_u(o, "skipped_malformed", (unsigned long long)f->n_malformed);
	row_u(o, "skipped_truncated", (unsigned long long)f->n_short);
	if (f->frames) {
		row_t(o, "first", f->first_ts);
		row_t(o, "last", f->last_ts);
		timefmt_secs(b, sizeof(b), f->last_ts - f->first_ts, 9);
		row(o, "duration", b);
	}
	row_u(o, "cache_size", (unsigned long long)cache_file_size(run->cache));
	return query_end(run->q, run->err);
}

const struct report report_info = {
	.name = "info",
	.summary = "the cache's provenance and the capture summary",
	.spec = info_spec,
	.help =
"Prints one field/value row per fact: format version, tool, source capture\n"
"(name, size, modification time), filter, link types, snaplen, timestamp\n"
"precision, whether the capture was cut short (and where), frame, TCP packet\n"
"and connection counts, skipped packets by reason, first and last frame\n"
"times, duration and the cache's size.\n",
	.run = info_run,
};
