/*
 * report.h - the interface every tcpsift-analyze report implements.
 *
 * How to add a report:
 *   1. Write analyze/reports/NAME.c exporting one object,
 *      `const struct report report_NAME = { .name = "NAME", ... };`,
 *      everything else in the file static.
 *   2. Add &report_NAME to the sorted array in analyze/reports.c.
 *   3. Add its test cases under tests/cli/.
 *   4. Add its section to README.md ("Reports").
 *
 * The driver (analyze/main.c) parses the common options (--format,
 * --local, --help), opens each cache and owns the loops: a report that
 * scans the whole cache sets the conn and/or pkt hooks and is called once
 * per record (NULL = not interested); a report about one connection sets
 * `run` and asks the reader's index for just that connection.
 */
#ifndef TCPSIFT_REPORT_H
#define TCPSIFT_REPORT_H

#include <getopt.h>

#include "cache.h"
#include "err.h"
#include "out.h"
#include "query.h"

/* What a report sees of one cache while it runs. */
struct report_run {
	struct cache_reader *cache;
	const struct cache_meta *meta;
	struct out *out;	/* for reports that draw (ladder's arrows) */
	struct query *q;	/* rows go here: --where, --sort, --columns ... */
	const char *label;	/* the cache's name when several, else NULL */
	struct err *err;
};

struct report {
	const char *name;
	const char *summary;	/* one line for `tcpsift-analyze help` */
	const char *help;	/* options and columns, for REPORT --help */
	const struct option *options;	/* report's own long options, or NULL */

	/* State for one invocation; NULL when out of memory. */
	void *(*create)(void);
	/* One option of `options` (val = its code); 0, or ERR_USAGE with e set. */
	int (*option)(void *state, int code, const char *arg, struct err *e);
	/* After options: check they fit together; may be NULL. */
	int (*check)(void *state, struct err *e);
	/*
	 * After check: the result set this invocation prints (its table,
	 * default columns and order), so the driver can compile --where,
	 * --sort and --columns before opening a cache.  NULL only for a
	 * report that takes no query options (sql, export).
	 */
	const struct query_spec *(*spec)(void *state);

	/* No cache at all (`fields`): `run` is called once with run->cache
	 * and run->meta NULL. */
	bool no_cache;
	/*
	 * Every cache at once (sql, export): called once instead of the
	 * per-cache hooks, with the paths as given; the driver opens none.
	 */
	int (*all)(void *state, struct out *out, char *const *paths,
		   int npaths, struct err *e);

	/* Per cache: begin, then hooks in order, then end.  Any may be NULL. */
	int (*begin)(void *state, struct report_run *run);
	int (*conn)(void *state, struct report_run *run, const struct cache_conn *c);
	int (*pkt)(void *state, struct report_run *run, const struct cache_pkt *p);
	int (*run)(void *state, struct report_run *run);
	int (*end)(void *state, struct report_run *run);

	void (*destroy)(void *state);
};

/* The registry (reports.c). */
const struct report *report_find(const char *name);
extern const struct report *const report_list[];
extern const unsigned report_count;

#endif
