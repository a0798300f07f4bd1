/*
 * reports.c - the registry: every report, sorted by name.  `help` and
 * report_find() read this array; nothing else lists reports.
 */
#include <string.h>

#include "report.h"

extern const struct report report_concurrency;
extern const struct report report_conns;
extern const struct report report_export;
extern const struct report report_fields;
extern const struct report report_handshake;
extern const struct report report_health;
extern const struct report report_info;
extern const struct report report_ladder;
extern const struct report report_packets;
extern const struct report report_resets;
extern const struct report report_sql;
extern const struct report report_window;

const struct report *const report_list[] = {
	&report_concurrency,
	&report_conns,
	&report_export,
	&report_fields,
	&report_handshake,
	&report_health,
	&report_info,
	&report_ladder,
	&report_packets,
	&report_resets,
	&report_sql,
	&report_window,
};

const unsigned report_count = sizeof(report_list) / sizeof(report_list[0]);

const struct report *report_find(const char *name)
{
	for (unsigned i = 0; i < report_count; i++)
		if (strcmp(report_list[i]->name, name) == 0)
			return report_list[i];
	return NULL;
}
