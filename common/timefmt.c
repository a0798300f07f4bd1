/*
 * timefmt.c - see timefmt.h.  Uses gmtime_r/localtime_r on whole seconds
 * and prints the nanoseconds as an integer.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timefmt.h"

void timefmt_iso(char *buf, size_t size, int64_t ns, bool local)
{
	int64_t sec = ns / 1000000000;
	int64_t frac = ns % 1000000000;
	time_t t;
	struct tm tm;
	char date[32];

	if (frac < 0) {
		frac += 1000000000;
		sec -= 1;
	}
	t = (time_t)sec;
	if (!(local ? localtime_r(&t, &tm) : gmtime_r(&t, &tm))) {
		snprintf(buf, size, "?");
		return;
	}
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	if (!local) {
		snprintf(buf, size, "%s.%09lldZ", date, (long long)frac);
	} else {
		long off = tm.tm_gmtoff;
		char sign = off < 0 ? '-' : '+';
		if (off < 0)
			off = -off;
		snprintf(buf, size, "%s.%09lld%c%02ld:%02ld", date,
			 (long long)frac, sign, off / 3600, off / 60 % 60);
	}
}

/* Writes v in decimal, zero-padded to at least `width` digits; returns the length. */
static size_t put_u64(char *p, uint64_t v, int width)
{
	char tmp[24];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while ((int)n < width)
		tmp[n++] = '0';
	for (size_t i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

void timefmt_secs(char *buf, size_t size, int64_t ns, int decimals)
{
	static const uint64_t pow10[] = { 1, 10, 100, 1000, 10000, 100000,
					  1000000, 10000000, 100000000,
					  1000000000 };
	uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	uint64_t unit, q;
	char tmp[48];
	size_t n = 0;

	if (decimals < 0)
		decimals = 0;
	if (decimals > 9)
		decimals = 9;
	unit = pow10[9 - decimals];
	q = (a + unit / 2) / unit;	/* round half up */
	if (ns < 0)
		tmp[n++] = '-';
	n += put_u64(tmp + n, q / pow10[decimals], 1);
	if (decimals) {
		tmp[n++] = '.';
		n += put_u64(tmp + n, q % pow10[decimals], decimals);
	}
	if (size == 0)
		return;
	if (n >= size)
		n = size - 1;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
}

bool timefmt_parse_duration(const char *s, int64_t *ns)
{
	static const struct { const char *unit; int64_t mult; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 },
		{ "s", 1000000000 }, { "m", 60000000000LL },
		{ "h", 3600000000000LL }, { "", 1000000000 },
	};
	int64_t whole = 0, frac = 0, fracdiv = 1;
	const char *p = s;
	bool neg = false, digits = false;

	if (*p == '-') {
		neg = true;
		p++;
	}
	for (; isdigit((unsigned char)*p); p++) {
		if (whole > 1000000000000LL)
			return false;
		whole = whole * 10 + (*p - '0');
		digits = true;
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++) {
			if (fracdiv < 1000000000LL) {
				frac = frac * 10 + (*p - '0');
				fracdiv *= 10;
			}
			digits = true;
		}
	}
	if (!digits)
		return false;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].unit) == 0) {
			int64_t m = units[i].mult;
			if (whole > (INT64_MAX - m) / m)
				return false;	/* does not fit in int64 ns */
			int64_t v = whole * m +
				    (int64_t)((long double)frac * m / fracdiv + 0.5L);
			*ns = neg ? -v : v;
			return true;
		}
	}
	return false;
}
