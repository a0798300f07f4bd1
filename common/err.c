/*
 * err.c - filling and formatting struct err.  No I/O here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

void err_clear(struct err *e)
{
	e->path[0] = '\0';
	e->where = ERR_AT_NONE;
	e->at = 0;
	e->msg[0] = '\0';
}

static void err_vset(struct err *e, const char *path, enum err_where where,
		     uint64_t at, const char *fmt, va_list ap)
{
	snprintf(e->path, sizeof(e->path), "%s", path ? path : "");
	e->where = where;
	e->at = at;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
}

int err_set(struct err *e, int code, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, path, ERR_AT_NONE, 0, fmt, ap);
	va_end(ap);
	return code;
}

int err_set_at(struct err *e, int code, const char *path,
	       enum err_where where, uint64_t at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, path, where, at, fmt, ap);
	va_end(ap);
	return code;
}

void err_format(const struct err *e, char *buf, size_t size)
{
	static const char *const prefix[] = {
		[ERR_AT_NONE] = "", [ERR_AT_OFFSET] = "",
		[ERR_AT_FRAME] = "frame ", [ERR_AT_BLOCK] = "block ",
	};
	char at[48] = "";

	if (e->where != ERR_AT_NONE)
		snprintf(at, sizeof(at), "%s%llu: ", prefix[e->where],
			 (unsigned long long)e->at);
	if (e->path[0])
		snprintf(buf, size, "%s:%s%s%s", e->path, at[0] ? "" : " ",
			 at, e->msg);
	else
		snprintf(buf, size, "%s%s", at, e->msg);
}
