/*
 * addr.h - printing and parsing the 16-byte addresses of cache records.
 * IPv4 addresses sit in the first 4 bytes, the rest zero; the IP version
 * travels beside the address (cache_conn.ipver).
 */
#ifndef TCPSIFT_ADDR_H
#define TCPSIFT_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

enum { ADDR_STR_MAX = 48 };

/* "198.51.100.7" or "2001:db8::1". */
void addr_format(char *buf, size_t size, const struct addr16 *a, int ipver);

/* Parses an IPv4 or IPv6 literal; false when it is neither. */
bool addr_parse(const char *s, struct addr16 *a, int *ipver);

/*
 * Parses "IP:PORT", "[IPv6]:PORT", or a bare IP (port -1); false when it
 * is none of these.
 */
bool addr_parse_endpoint(const char *s, struct addr16 *a, int *ipver,
			 int *port);

bool addr_is_equal(const struct addr16 *a, const struct addr16 *b);

#endif
