/*
 * err.h - the error record the library fills and the front ends print.
 *
 * Library code never prints and never exits (STYLE.md rules 1, 12): it
 * fills a caller-supplied struct err with the subject (a path), where in it
 * (a byte offset, a frame number or a block number) and what mismatched,
 * then returns a negative code.  The front end prints it once, as
 * "prog: path:offset: message".
 */
#ifndef TCPSIFT_ERR_H
#define TCPSIFT_ERR_H

#include <stddef.h>
#include <stdint.h>

enum err_where {
	ERR_AT_NONE,	/* the subject as a whole */
	ERR_AT_OFFSET,	/* byte offset into the file */
	ERR_AT_FRAME,	/* frame number, 1-based as in Wireshark */
	ERR_AT_BLOCK	/* cache block number, 0-based */
};

/* Negative return codes of library actions. */
enum {
	ERR_IO = -1,		/* open/read/write failed */
	ERR_FORMAT = -2,	/* not what it should be: bad magic, version */
	ERR_CORRUPT = -3,	/* checksum or structure mismatch */
	ERR_NOMEM = -4,
	ERR_USAGE = -5,		/* bad argument from the caller */
	ERR_TRUNCATED = -6	/* ended early */
};

struct err {
	char path[512];		/* subject, usually a file name; may be empty */
	enum err_where where;
	uint64_t at;		/* offset, frame or block number per `where` */
	char msg[512];		/* lowercase, no trailing full stop */
};

void err_clear(struct err *e);

/* Sets path and message; returns code, so callers can `return err_set(...)`. */
int err_set(struct err *e, int code, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

int err_set_at(struct err *e, int code, const char *path,
	       enum err_where where, uint64_t at, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* "path:at: msg" (or the parts that are set) into buf. */
void err_format(const struct err *e, char *buf, size_t size);

#endif
