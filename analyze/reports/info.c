/*
 * info.c - the cache's provenance and the capture summary (provenance.h),
 * one field/value row each.
 */
#include <stdio.h>
#include <string.h>

#include "provenance.h"
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

static int info_run(void *state, struct report_run *run)
{
	int rc;

	(void)state;
	if ((rc = query_begin(run->q, run->label, run->err)))
		return rc;
	for (unsigned k = 0; k < PROV_NITEMS; k++) {
		struct prov_value pv;
		char b[TIMEFMT_ISO_MAX + 32];
		struct item it = { provenance_items[k].name, b };
		struct field_row fr = { .xget = item_get, .xrow = &it };

		provenance_get(run->cache, k, &pv);
		if (!pv.present)
			continue;
		switch (provenance_items[k].type) {
		case PROV_TEXT: it.v = pv.s; break;
		case PROV_INT: snprintf(b, sizeof(b), "%lld", (long long)pv.i); break;
		case PROV_YESNO: it.v = pv.i ? "yes" : "no"; break;
		case PROV_TIME: timefmt_iso(b, sizeof(b), pv.i, out_is_local(run->out)); break;
		case PROV_SECS: timefmt_secs(b, sizeof(b), pv.i, 9); break;
		}
		(void)query_row(run->q, &fr, run->err);	/* holds nothing: no failure */
	}
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
