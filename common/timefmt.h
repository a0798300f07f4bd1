/*
 * timefmt.h - formatting nanosecond times the way tcpsift prints them.
 *
 * Absolute times are ISO 8601 with nine decimals, in UTC with a trailing
 * "Z" or in local time with a numeric offset; relative times are seconds
 * with a fixed number of decimals.  Integer arithmetic only, so no digit
 * of a nanosecond timestamp is lost to floating point.
 */
#ifndef TCPSIFT_TIMEFMT_H
#define TCPSIFT_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { TIMEFMT_ISO_MAX = 48 };

/* "2018-09-26T21:21:02.883718124Z" (or local with +hh:mm). */
void timefmt_iso(char *buf, size_t size, int64_t ns, bool local);

/* ns as seconds with `decimals` (0..9) digits: "-0.000120", "12.5". */
void timefmt_secs(char *buf, size_t size, int64_t ns, int decimals);

/*
 * Parses a duration such as "300ms", "1.5s", "2", "250us", "10ns", "1m"
 * (no unit = seconds) into ns; false when it is not one.
 */
bool timefmt_parse_duration(const char *s, int64_t *ns);

#endif
