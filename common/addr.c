/*
 * addr.c - see addr.h.  Thin wrappers over inet_ntop/inet_pton.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

void addr_format(char *buf, size_t size, const struct addr16 *a, int ipver)
{
	if (!inet_ntop(ipver == 6 ? AF_INET6 : AF_INET, a->b, buf,
		       (socklen_t)size))
		buf[0] = '\0';
}

bool addr_parse(const char *s, struct addr16 *a, int *ipver)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->b) == 1) {
		*ipver = 4;
		return true;
	}
	if (inet_pton(AF_INET6, s, a->b) == 1) {
		*ipver = 6;
		return true;
	}
	return false;
}

static bool parse_port(const char *s, int *port)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 0 || v > 65535)
		return false;
	*port = (int)v;
	return true;
}

bool addr_parse_endpoint(const char *s, struct addr16 *a, int *ipver,
			 int *port)
{
	char buf[64];
	const char *colon;

	*port = -1;
	if (strlen(s) >= sizeof(buf))
		return false;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || (close[1] && close[1] != ':'))
			return false;
		memcpy(buf, s + 1, (size_t)(close - s - 1));
		buf[close - s - 1] = '\0';
		if (close[1] == ':' && !parse_port(close + 2, port))
			return false;
		return addr_parse(buf, a, ipver);
	}
	colon = strchr(s, ':');
	if (colon && !strchr(colon + 1, ':')) {	/* IPv4:PORT */
		memcpy(buf, s, (size_t)(colon - s));
		buf[colon - s] = '\0';
		return parse_port(colon + 1, port) && addr_parse(buf, a, ipver);
	}
	return addr_parse(s, a, ipver);
}

bool addr_is_equal(const struct addr16 *a, const struct addr16 *b)
{
	return memcmp(a->b, b->b, 16) == 0;
}
