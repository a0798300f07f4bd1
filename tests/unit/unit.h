/*
 * unit.h - the smallest test harness that speaks tests/run.sh's protocol:
 * each CHECK that fails prints "FAIL name: file:line: expression", each
 * test function that ran clean prints "PASS name".
 *
 *	static void test_x(void) { CHECK(1 + 1 == 2); }
 *	int main(void) { RUN(test_x); return unit_status(); }
 */
#ifndef TCPSIFT_UNIT_H
#define TCPSIFT_UNIT_H

#include <stdio.h>

static const char *unit_name;
static int unit_failed_now, unit_failures;

#define CHECK(expr)							\
	do {								\
		if (!(expr)) {						\
			printf("FAIL %s: %s:%d: %s\n", unit_name,	\
			       __FILE__, __LINE__, #expr);		\
			unit_failed_now = 1;				\
		}							\
	} while (0)

/* CHECK with a printf-style detail, for loops over cases. */
#define CHECKF(expr, ...)						\
	do {								\
		if (!(expr)) {						\
			printf("FAIL %s: %s:%d: %s: ", unit_name,	\
			       __FILE__, __LINE__, #expr);		\
			printf(__VA_ARGS__);				\
			printf("\n");					\
			unit_failed_now = 1;				\
		}							\
	} while (0)

#define RUN(fn)								\
	do {								\
		unit_name = #fn;					\
		unit_failed_now = 0;					\
		fn();							\
		if (unit_failed_now)					\
			unit_failures++;				\
		else							\
			printf("PASS %s\n", #fn);			\
	} while (0)

static inline int unit_status(void)
{
	return unit_failures ? 1 : 0;
}

#endif
