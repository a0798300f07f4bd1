/*
 * provenance.h - the facts about one cache: where it came from (source,
 * filter, tool, times) and what the capture held (frames, packets,
 * connections, skipped packets by reason).  One list, which `info` prints
 * as field/value rows and `sql` holds as the columns of its caches table.
 */
#ifndef TCPSIFT_PROVENANCE_H
#define TCPSIFT_PROVENANCE_H

#include <stdbool.h>
#include <stdint.h>

#include "cache.h"

enum prov_type {
	PROV_TEXT,
	PROV_INT,
	PROV_YESNO,	/* info: yes/no; SQL: 1/0 */
	PROV_TIME,	/* ns since the epoch */
	PROV_SECS	/* a duration, ns */
};

struct prov_item {
	const char *name;
	enum prov_type type;
};

enum { PROV_NITEMS = 26 };

/* The items, in the order info prints them. */
extern const struct prov_item provenance_items[PROV_NITEMS];

struct prov_value {
	bool present;		/* false: info leaves the row out; SQL NULL */
	int64_t i;		/* INT, YESNO (0 or 1), TIME and SECS (ns) */
	const char *s;		/* TEXT: into the reader's meta, or at buf */
	char buf[64];
};

/* Item k (below PROV_NITEMS) of cache r into *v. */
void provenance_get(struct cache_reader *r, unsigned k, struct prov_value *v);

#endif
