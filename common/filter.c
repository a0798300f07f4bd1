/*
 * filter.c - compiling and running `--where` expressions (see filter.h for
 * the language).
 *
 * The compiler is a recursive-descent parser that emits code as it goes,
 * no tree in between.  The program works on one boolean accumulator:
 *
 *	TEST	acc = (field matches constants) ^ negate
 *	NOT	acc = !acc
 *	JT/JF	jump when acc is true/false (short-circuit && and ||)
 *	END	return acc
 *
 * so "a || b && c" becomes  a; JT end; b; JF end; c; end: END.  Each TEST
 * reads one field (two for a host/port pair) through the caller's getter
 * and compares it with constants stored beside the code; code, constants
 * and string bytes live in one allocation, and filter_match() touches
 * nothing else.  Comparisons are integer (ns for times), masked 16-byte
 * compares for addresses and memcmp for strings: no floating point, no
 * allocation, no failure at run time.
 *
 * Errors carry the byte column of the token at fault; messages are one
 * lowercase line naming the token and, for unknown fields, the closest
 * name (optimal-string-alignment distance <= 2, or a name it begins).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "decode.h"
#include "filter.h"
#include "timefmt.h"

/* ---- the program ---- */

enum op {
	OP_TEST,
	OP_NOT,
	OP_JT,
	OP_JF,
	OP_END
};

/* What a TEST does with the value it read. */
enum kind {
	K_PRESENT,	/* any value matches */
	K_BOOL,		/* bit (i != 0) of k.i.lo: 1 false, 2 true */
	K_INT,		/* i <cmp> k.i.lo */
	K_INT_IN,	/* k.i.lo <= i <= k.i.hi for one of nk constants */
	K_BITS,		/* every bit of k.i.lo set in i (flags contains) */
	K_ADDR_IN,	/* same version and (addr & mask) == net, one of nk */
	K_STR,		/* s <cmp> k.s */
	K_STR_IN,	/* s equals one of nk */
	K_STR_CONTAINS	/* k.s occurs in s */
};

enum cmp {
	CMP_EQ,
	CMP_LT,
	CMP_LE,
	CMP_GT,
	CMP_GE
};

enum {
	I_CONN = 0x1,	/* read through conn_get/conn_row */
	I_PAIR = 0x2,	/* read id, then id2: either side matches */
	I_NONE = 0x4,	/* invert the element match (!=, not in); on a pair
			   both sides must then match */
	I_NEG = 0x8	/* invert the whole result (a folded '!') */
};

struct insn {
	uint8_t op;		/* OP_* */
	uint8_t kind;		/* K_*, OP_TEST only */
	uint8_t cmp;		/* CMP_*, K_INT and K_STR */
	uint8_t flags;		/* I_* */
	int id;			/* the caller's field id */
	int id2;		/* I_PAIR: the second side's id */
	uint32_t k;		/* first constant; jumps: target index */
	uint32_t nk;		/* constants */
};

/* A constant; which member depends on the test's kind. */
union kval {
	struct {
		int64_t lo;	/* ns for SECS and TIME */
		int64_t hi;	/* == lo unless a lo..hi range */
	} i;
	struct {
		uint64_t net[2];	/* address & mask, as loaded bytes */
		uint64_t mask[2];
		uint8_t ver;		/* 4 or 6 */
	} a;
	struct {
		uint32_t off;	/* into the string pool */
		uint32_t len;	/* bytes */
	} s;
};

struct filter {
	const struct insn *code;	/* ends with OP_END */
	const union kval *k;
	const char *pool;		/* string constants, not terminated */
	bool uses_conn;
	/* the constants, the code and the pool follow, in that order */
};

/* ---- the compiler's state ---- */

enum tok_kind {
	TK_END,
	TK_LPAREN,
	TK_RPAREN,
	TK_LBRACE,
	TK_RBRACE,
	TK_COMMA,
	TK_EQ,
	TK_NE,
	TK_LT,
	TK_LE,
	TK_GT,
	TK_GE,
	TK_AND,
	TK_OR,
	TK_NOT,
	TK_IN,
	TK_CONTAINS,
	TK_WORD,
	TK_STRING
};

struct tok {
	enum tok_kind kind;
	size_t at;		/* byte column in the expression */
	size_t len;		/* bytes, quotes included */
};

/* A field reference as resolved: the entry, and where its value comes from. */
struct fref {
	const struct filter_field *f;
	int id2;		/* pairs: the second side's id */
	bool conn;		/* a "conn." name */
	bool pair;
	struct tok name;	/* as typed, for messages */
};

enum { MAX_DEPTH = 200, LIT_MAX = 128, NAME_MAX_SUGGEST = 64 };

struct cc {
	const char *expr;
	const struct filter_field *fields;
	size_t nfields;
	const struct filter_field *cfields;
	size_t ncfields;
	struct err *e;

	size_t pos;		/* lexer: next byte */
	struct tok tok;		/* the current token */
	int depth;		/* nesting of ( and ! */

	struct insn *code;
	size_t ncode, capcode;
	size_t label;		/* a jump lands at code[label]; SIZE_MAX none */
	union kval *k;
	size_t nk, capk;
	char *pool;
	size_t npool, cappool;
	bool uses_conn;
};

/* Sets the error at byte column `at`; returns ERR_USAGE. */
static int fail(struct cc *c, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct cc *c, size_t at, const char *fmt, ...)
{
	char msg[sizeof(c->e->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set_at(c->e, ERR_USAGE, NULL, ERR_AT_OFFSET, at, "%s", msg);
}

static int nomem(struct cc *c)
{
	return err_set(c->e, ERR_NOMEM, NULL, "out of memory compiling the filter");
}

/* Grows *p (of *cap elements of `size`) to hold `need`; false when out of memory. */
static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return true;
	while (n < need)
		n *= 2;
	if (n > UINT32_MAX / 2 || n > SIZE_MAX / size)
		return false;
	q = realloc(*p, n * size);
	if (!q)
		return false;
	*p = q;
	*cap = n;
	return true;
}

/* ---- the lexer ---- */

/* Bytes that end a word: blanks and the operator characters. */
static bool is_word_byte(char ch)
{
	return ch && !isspace((unsigned char)ch) && !strchr("()!=<>&|{},\"", ch);
}

static bool tok_is(const struct cc *c, const struct tok *t, const char *s)
{
	return t->len == strlen(s) && memcmp(c->expr + t->at, s, t->len) == 0;
}

static const struct {
	const char *word;
	enum tok_kind kind;
} keywords[] = {
	{ "and", TK_AND }, { "or", TK_OR }, { "not", TK_NOT },
	{ "in", TK_IN }, { "contains", TK_CONTAINS },
	{ "eq", TK_EQ }, { "ne", TK_NE }, { "lt", TK_LT }, { "le", TK_LE },
	{ "gt", TK_GT }, { "ge", TK_GE },
};

/* Reads the next token into c->tok. */
static int next(struct cc *c)
{
	const char *s = c->expr;
	size_t p = c->pos;
	struct tok *t = &c->tok;

	while (isspace((unsigned char)s[p]))
		p++;
	t->at = p;
	t->len = 1;
	switch (s[p]) {
	case '\0':
		t->kind = TK_END;
		t->len = 0;
		break;
	case '(': t->kind = TK_LPAREN; break;
	case ')': t->kind = TK_RPAREN; break;
	case '{': t->kind = TK_LBRACE; break;
	case '}': t->kind = TK_RBRACE; break;
	case ',': t->kind = TK_COMMA; break;
	case '<':
	case '>':
		t->kind = s[p] == '<' ? TK_LT : TK_GT;
		if (s[p + 1] == '=') {
			t->kind = s[p] == '<' ? TK_LE : TK_GE;
			t->len = 2;
		}
		break;
	case '!':
		t->kind = TK_NOT;
		if (s[p + 1] == '=') {
			t->kind = TK_NE;
			t->len = 2;
		}
		break;
	case '=':
		if (s[p + 1] != '=')
			return fail(c, p, "'=' is not an operator; use '=='");
		t->kind = TK_EQ;
		t->len = 2;
		break;
	case '&':
	case '|':
		if (s[p + 1] != s[p])
			return fail(c, p, "'%c' is not an operator; use '%c%c'",
				    s[p], s[p], s[p]);
		t->kind = s[p] == '&' ? TK_AND : TK_OR;
		t->len = 2;
		break;
	case '"':
		for (t->len = 1; s[p + t->len] != '"'; t->len++) {
			if (s[p + t->len] == '\0')
				return fail(c, p, "unterminated string");
			if (s[p + t->len] == '\\' && s[p + t->len + 1])
				t->len++;
		}
		t->len++;
		t->kind = TK_STRING;
		break;
	default:
		t->kind = TK_WORD;
		for (t->len = 0; is_word_byte(s[p + t->len]); t->len++)
			;
		for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
			if (tok_is(c, t, keywords[i].word))
				t->kind = keywords[i].kind;
		break;
	}
	c->pos = p + t->len;
	return 0;
}

/* The token for a message: "'text'" or "the end". */
static const char *tok_text(const struct cc *c, const struct tok *t, char *buf,
			    size_t size)
{
	if (t->kind == TK_END)
		return "the end";
	if (t->len > 40)
		snprintf(buf, size, "'%.37s...'", c->expr + t->at);
	else
		snprintf(buf, size, "'%.*s'", (int)t->len, c->expr + t->at);
	return buf;
}

/*
 * Decodes a string token's contents (\" \\ \n \t \r \0 \xHH) into out;
 * returns the length, or -1 with the bad escape's column in *bad.
 */
static long unquote(const struct cc *c, const struct tok *t, char *out,
		    size_t *bad)
{
	const char *s = c->expr + t->at + 1, *end = c->expr + t->at + t->len - 1;
	long n = 0;

	while (s < end) {
		char ch = *s++;

		if (ch == '\\') {
			*bad = (size_t)(s - 1 - c->expr);
			switch (*s++) {
			case '\\': ch = '\\'; break;
			case '"': ch = '"'; break;
			case 'n': ch = '\n'; break;
			case 't': ch = '\t'; break;
			case 'r': ch = '\r'; break;
			case '0': ch = '\0'; break;
			case 'x':
				if (s + 1 >= end || !isxdigit((unsigned char)s[0]) ||
				    !isxdigit((unsigned char)s[1]))
					return -1;
				{
					char hex[3] = { s[0], s[1], '\0' };
					ch = (char)strtol(hex, NULL, 16);
				}
				s += 2;
				break;
			default:
				return -1;
			}
		}
		out[n++] = ch;
	}
	return n;
}

/* ---- literals ---- */

static const char *const type_names[] = {
	[FT_INT] = "integer", [FT_SECS] = "seconds",
	[FT_TIME] = "timestamp", [FT_ADDR] = "address", [FT_PORT] = "port",
	[FT_FLAGS] = "flags", [FT_STR] = "string", [FT_BOOL] = "boolean",
	[FT_REAL] = "decimal",
};

/* "synack is seconds": the type as the complement of "is". */
static const char *const type_is[] = {
	[FT_INT] = "an integer", [FT_SECS] = "seconds",
	[FT_TIME] = "a timestamp", [FT_ADDR] = "an address",
	[FT_PORT] = "a port", [FT_FLAGS] = "tcp flags",
	[FT_STR] = "a string", [FT_BOOL] = "a boolean",
	[FT_REAL] = "a decimal number",
};

const char *filter_type_name(enum filter_type t)
{
	if ((unsigned)t >= sizeof(type_names) / sizeof(type_names[0]))
		return "unknown";
	return type_names[t];
}

static bool parse_int(const char *s, int64_t *v)
{
	bool neg = *s == '-';
	const char *p = s + neg;
	int base = 10;
	unsigned long long u;
	char *end;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!isxdigit((unsigned char)*p))
		return false;
	errno = 0;
	u = strtoull(p, &end, base);
	if (*end || errno || u > (unsigned long long)INT64_MAX)
		return false;
	*v = neg ? -(int64_t)u : (int64_t)u;
	return true;
}

/* Decimal seconds without a unit: "1537996862.25", "-3". */
static bool is_plain_number(const char *s)
{
	bool digit = false;

	int dots = 0;

	if (*s == '-')
		s++;
	for (; *s; s++) {
		if (isdigit((unsigned char)*s))
			digit = true;
		else if (*s != '.' || ++dots > 1)
			return false;
	}
	return digit;
}

/*
 * timefmt_parse_duration(), refusing first what would overflow int64 ns
 * there (it multiplies up to 10^12 whole units unchecked).
 */
static bool parse_secs(const char *s, int64_t *ns)
{
	static const struct { const char *unit; int64_t max; } limits[] = {
		{ "ns", INT64_MAX / 1 - 1 }, { "us", INT64_MAX / 1000 - 1 },
		{ "ms", INT64_MAX / 1000000 - 1 }, { "s", INT64_MAX / 1000000000 - 1 },
		{ "m", INT64_MAX / 60000000000LL - 1 },
		{ "h", INT64_MAX / 3600000000000LL - 1 }, { "", INT64_MAX / 1000000000 - 1 },
	};
	const char *p = s + (*s == '-');
	int64_t whole = 0;

	for (; isdigit((unsigned char)*p); p++)
		if (whole <= INT64_MAX / 1000)
			whole = whole * 10 + (*p - '0');
	for (p += *p == '.'; isdigit((unsigned char)*p); p++)
		;
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		if (!strcmp(p, limits[i].unit) && whole > limits[i].max)
			return false;
	return timefmt_parse_duration(s, ns);
}

static bool digits(const char **p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return false;
		*v = *v * 10 + (**p - '0');
	}
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

enum { TIME_OK, TIME_BAD, TIME_NO_ZONE };

/*
 * "YYYY-MM-DDTHH:MM[:SS[.fffffffff]]" then "Z" or "+hh[:mm]" / "-hh[:mm]";
 * 'T' may be 't' or a space.  Years 1678..2261 (int64 ns).
 */
static int parse_iso(const char *s, int64_t *ns)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec = 0, oh = 0, om = 0, sign = 0;
	int64_t frac = 0, fracdiv = 1;
	bool leap;

	if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) ||
	    *s++ != '-' || !digits(&s, 2, &d))
		return TIME_BAD;
	if (*s != 'T' && *s != 't' && *s != ' ')
		return TIME_BAD;
	s++;
	if (!digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &mi))
		return TIME_BAD;
	if (*s == ':') {
		s++;
		if (!digits(&s, 2, &sec))
			return TIME_BAD;
		if (*s == '.' || *s == ',') {
			if (!isdigit((unsigned char)*++s))
				return TIME_BAD;
			for (; isdigit((unsigned char)*s); s++)
				if (fracdiv < 1000000000) {
					frac = frac * 10 + (*s - '0');
					fracdiv *= 10;
				}
		}
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (!digits(&s, 2, &oh))
			return TIME_BAD;
		if (*s == ':')
			s++;
		if (*s && !digits(&s, 2, &om))
			return TIME_BAD;
	} else if (*s == '\0') {
		return TIME_NO_ZONE;
	}
	if (*s)
		return TIME_BAD;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1678 || y > 2261 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap) || h > 23 || mi > 59 ||
	    sec > 60 || oh > 23 || om > 59)
		return TIME_BAD;
	*ns = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
		sign * (oh * 3600 + om * 60)) * 1000000000LL) +
	      frac * (1000000000LL / fracdiv);
	return TIME_OK;
}

/* Address with an optional "/prefix"; *bad_prefix when only that is wrong. */
static bool parse_cidr(const char *s, union kval *k, bool *bad_prefix)
{
	char buf[LIT_MAX];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	struct addr16 a;
	uint8_t mask[16] = { 0 };
	int ver;
	int64_t bits;

	*bad_prefix = false;
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!addr_parse(buf, &a, &ver))
		return false;
	bits = ver == 4 ? 32 : 128;
	if (slash) {
		int64_t max = bits;

		if (!isdigit((unsigned char)slash[1]) || !parse_int(slash + 1, &bits) ||
		    bits > max) {
			*bad_prefix = true;
			return false;
		}
	}
	for (int i = 0; i < 16; i++) {
		int b = (int)bits - 8 * i;

		mask[i] = b >= 8 ? 0xff : b <= 0 ? 0 : (uint8_t)(0xff << (8 - b));
		a.b[i] &= mask[i];
	}
	memcpy(k->a.net, a.b, 16);
	memcpy(k->a.mask, mask, 16);
	k->a.ver = (uint8_t)ver;
	return true;
}

/* TCP flag letters, in the order of the TCPF_* bits. */
static const char flag_letters[] = "FSRPAUECN";

/* Letters of flag_letters (any case) or a number; *bad: offending byte. */
static bool parse_flags(const char *s, int64_t *v, size_t *bad)
{
	*bad = 0;
	if (isdigit((unsigned char)*s))
		return parse_int(s, v) && *v >= 0 && *v <= 0x1ff;
	*v = 0;
	for (size_t i = 0; s[i]; i++) {
		const char *l = strchr(flag_letters, toupper((unsigned char)s[i]));

		if (!l) {
			*bad = i;
			return false;
		}
		*v |= 1 << (l - flag_letters);
	}
	return *s != '\0';
}

_Static_assert(TCPF_FIN == 1 << 0 && TCPF_SYN == 1 << 1 && TCPF_RST == 1 << 2 &&
	       TCPF_PSH == 1 << 3 && TCPF_ACK == 1 << 4 && TCPF_URG == 1 << 5 &&
	       TCPF_ECE == 1 << 6 && TCPF_CWR == 1 << 7 && TCPF_NS == 1 << 8,
	       "flag_letters follows the TCPF_* bits");

/*
 * What a literal that failed looks like, for "x is A, not B"; NULL when
 * nothing in particular (then it is a bad value of the field's type).
 * Quoting does not matter: "10.0.0.1" is an address literal too.
 */
static const char *classify(const char *s)
{
	union kval k;
	bool bad_prefix;
	int64_t v;

	if (parse_cidr(s, &k, &bad_prefix))
		return "an address";
	if (parse_iso(s, &v) != TIME_BAD)
		return "a timestamp";
	if (!is_plain_number(s) && parse_secs(s, &v))
		return "a duration";
	if (is_plain_number(s))
		return "a number";
	return NULL;
}

/* Whether a literal of class `what` could ever be a value of type t. */
static bool class_fits(enum filter_type t, const char *what)
{
	if (!strcmp(what, "an address"))
		return t == FT_ADDR;
	if (!strcmp(what, "a timestamp"))
		return t == FT_TIME;
	if (!strcmp(what, "a duration"))
		return t == FT_SECS;
	return t != FT_ADDR;	/* a number */
}

static bool type_is_ordered(enum filter_type t)
{
	return t == FT_INT || t == FT_SECS || t == FT_TIME || t == FT_PORT ||
	       t == FT_STR || t == FT_REAL;
}

/* ---- emitting ---- */

static int emit(struct cc *c, const struct insn *in)
{
	if (!grow((void **)&c->code, &c->capcode, c->ncode + 1, sizeof(*in)))
		return nomem(c);
	c->code[c->ncode++] = *in;
	return 0;
}

static int new_const(struct cc *c, union kval **k)
{
	if (!grow((void **)&c->k, &c->capk, c->nk + 1, sizeof(**k)))
		return nomem(c);
	*k = &c->k[c->nk++];
	memset(*k, 0, sizeof(**k));
	return 0;
}

/*
 * Parses the value token c->tok as a constant for field r into a new
 * constant; `range` allows "lo..hi" (sets of ordered types).
 */
static int parse_value(struct cc *c, const struct fref *r, bool range,
		       const char *after)
{
	const struct filter_field *f = r->f;
	const struct tok *t = &c->tok;
	char lit[LIT_MAX], tb[64];
	const char *name = c->expr + r->name.at;
	int nlen = (int)r->name.len;
	bool quoted = t->kind == TK_STRING, ok = false, bad_prefix = false;
	size_t bad = 0, dots = 0;
	union kval *k;
	long n;
	int rc, tres = TIME_OK;

	if (t->kind != TK_WORD && t->kind != TK_STRING)
		return fail(c, t->at, "expected a value after '%s', got %s",
			    after, tok_text(c, t, tb, sizeof(tb)));
	rc = new_const(c, &k);
	if (rc)
		return rc;

	if (f->type == FT_STR) {
		size_t len = quoted ? t->len - 2 : t->len;

		if (!grow((void **)&c->pool, &c->cappool, c->npool + len + 1, 1))
			return nomem(c);
		if (quoted) {
			n = unquote(c, t, c->pool + c->npool, &bad);
			if (n < 0)
				return fail(c, bad, "bad escape in string; use \\\\ \\\" \\n \\t \\r \\0 or \\xHH");
		} else {
			memcpy(c->pool + c->npool, c->expr + t->at, len);
			n = (long)len;
		}
		k->s.off = (uint32_t)c->npool;
		k->s.len = (uint32_t)n;
		c->npool += (size_t)n;
		return next(c);
	}

	/* Everything else is parsed from a NUL-terminated copy. */
	if ((quoted ? t->len - 2 : t->len) >= sizeof(lit))
		return fail(c, t->at, "value too long for %.*s", nlen, name);
	if (quoted) {
		n = unquote(c, t, lit, &bad);
		if (n < 0)
			return fail(c, bad, "bad escape in string; use \\\\ \\\" \\n \\t \\r \\0 or \\xHH");
		lit[n] = '\0';
	} else {
		memcpy(lit, c->expr + t->at, t->len);
		lit[t->len] = '\0';
	}

	if (range && !quoted && type_is_ordered(f->type)) {
		char *dd = strstr(lit, "..");

		if (dd && dd != lit && dd[2]) {
			dots = (size_t)(dd - lit);
			*dd = '\0';
		}
	}

	/* One pass for lo, and one more for hi after "..". */
	for (int part = 0; part < (dots ? 2 : 1); part++) {
		const char *s = part ? lit + dots + 2 : lit;
		/* col: the token, or its second half; in: inside the quotes */
		size_t in = t->at + quoted + (part ? dots + 2 : 0);
		size_t col = part ? in : t->at;
		int64_t v = 0;

		switch (f->type) {
		case FT_INT:
			ok = parse_int(s, &v);
			break;
		case FT_SECS:
			ok = parse_secs(s, &v);
			break;
		case FT_REAL:	/* a bare number of seconds is this scale */
			ok = is_plain_number(s) && parse_secs(s, &v);
			break;
		case FT_TIME:
			tres = parse_iso(s, &v);
			ok = tres == TIME_OK ||
			     (is_plain_number(s) && parse_secs(s, &v));
			break;
		case FT_PORT:
			ok = parse_int(s, &v) && v >= 0 && v <= 65535;
			break;
		case FT_FLAGS:
			ok = parse_flags(s, &v, &bad);
			break;
		case FT_BOOL:
			if (!strcmp(s, "true") || !strcmp(s, "TRUE") || !strcmp(s, "1"))
				v = 2, ok = true;
			else if (!strcmp(s, "false") || !strcmp(s, "FALSE") ||
				 !strcmp(s, "0"))
				v = 1, ok = true;
			break;
		case FT_ADDR:
			ok = parse_cidr(s, k, &bad_prefix);
			break;
		case FT_STR:
			break;
		}
		if (!ok) {
			const char *what = classify(s);

			if (what && !class_fits(f->type, what))
				return fail(c, col, "%.*s is %s, not %s", nlen, name,
					    type_is[f->type], what);
			switch (f->type) {
			case FT_SECS:
				return fail(c, col, "bad duration '%s' (e.g. 300ms, 1.5s, 2m)", s);
			case FT_TIME:
				if (tres == TIME_NO_ZONE)
					return fail(c, col, "time '%s' needs a zone: 'Z' or an offset such as '+02:00'", s);
				return fail(c, col, "bad time '%s' (e.g. 2018-09-26T21:21:02.5Z)", s);
			case FT_PORT:
				return fail(c, col, "bad port '%s' (0 to 65535)", s);
			case FT_FLAGS:
				return fail(c, in + bad, "bad tcp flags '%s' (letters of %s, e.g. SA)",
					    s, flag_letters);
			case FT_BOOL:
				return fail(c, col, "bad boolean '%s' (true or false)", s);
			case FT_ADDR:
				if (bad_prefix)
					return fail(c, in + strcspn(s, "/"),
						    "bad prefix length in '%s'", s);
				return fail(c, col, "bad address '%s' (e.g. 203.0.113.1, 2001:db8::/32)", s);
			case FT_REAL:
				return fail(c, col, "bad number '%s' (e.g. 5, 2.5)", s);
			default:
				return fail(c, col, "bad integer '%s'", s);
			}
		}
		if (f->type != FT_ADDR) {
			if (part == 0)
				k->i.lo = k->i.hi = v;
			else
				k->i.hi = v;
		}
	}
	if (dots && k->i.hi < k->i.lo)
		return fail(c, t->at, "empty range '%s..%s'", lit, lit + dots + 2);
	return next(c);
}

/* ---- fields ---- */

static const struct filter_field *find(const struct filter_field *fs, size_t n,
				       const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(fs[i].name) == len && !memcmp(fs[i].name, name, len))
			return &fs[i];
	return NULL;
}

/* Optimal string alignment distance, case-insensitive; > 2 when far. */
static int distance(const char *a, size_t la, const char *b, size_t lb)
{
	int row[3][NAME_MAX_SUGGEST + 1];
	char la_[NAME_MAX_SUGGEST], lb_[NAME_MAX_SUGGEST];

	if (la > NAME_MAX_SUGGEST || lb > NAME_MAX_SUGGEST)
		return INT_MAX;
	for (size_t i = 0; i < la; i++)
		la_[i] = (char)tolower((unsigned char)a[i]);
	for (size_t j = 0; j < lb; j++)
		lb_[j] = (char)tolower((unsigned char)b[j]);
	for (size_t j = 0; j <= lb; j++)
		row[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int *cur = row[i % 3], *prev = row[(i - 1) % 3], *pp = row[(i + 1) % 3];

		cur[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int cost = la_[i - 1] != lb_[j - 1];
			int v = prev[j] + 1;

			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (prev[j - 1] + cost < v)
				v = prev[j - 1] + cost;
			if (i > 1 && j > 1 && la_[i - 1] == lb_[j - 2] &&
			    la_[i - 2] == lb_[j - 1] && pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			cur[j] = v;
		}
	}
	return row[la % 3][lb];
}

struct suggest {
	const char *prefix;	/* "conn." or "" */
	const char *name;
	int dist;
	size_t plen;		/* length of a prefix match's name */
};

static void consider(struct suggest *s, const char *typed, size_t tlen,
		     const char *prefix, const char *name)
{
	char full[NAME_MAX_SUGGEST + 8];
	size_t flen;
	int d, limit = tlen <= 2 ? 0 : tlen <= 4 ? 1 : 2;

	snprintf(full, sizeof(full), "%s%s", prefix, name);
	flen = strlen(full);
	d = distance(typed, tlen, full, flen);
	if (d <= limit && d < s->dist) {
		s->prefix = prefix;
		s->name = name;
		s->dist = d;
	} else if (s->dist == INT_MAX && tlen >= 2 && flen > tlen &&
		   !memcmp(full, typed, tlen) && (!s->plen || flen < s->plen)) {
		s->prefix = prefix;
		s->name = name;
		s->plen = flen;
	}
}

const char *filter_suggest(const char *typed, size_t len,
			   const struct filter_field *fields, size_t n)
{
	struct suggest s = { NULL, NULL, INT_MAX, 0 };

	for (size_t i = 0; i < n; i++)
		if (!fields[i].side_a)
			consider(&s, typed, len, "", fields[i].name);
	return s.name;
}

static int unknown_field(struct cc *c, const struct tok *t)
{
	const char *typed = c->expr + t->at;
	size_t tlen = t->len;
	struct suggest s = { NULL, NULL, INT_MAX, 0 };

	/* A connection field typed without "conn.", or the reverse. */
	if (c->ncfields && find(c->cfields, c->ncfields, typed, tlen))
		return fail(c, t->at, "unknown field '%.*s'; did you mean 'conn.%.*s'?",
			    (int)tlen, typed, (int)tlen, typed);
	if (tlen > 5 && !memcmp(typed, "conn.", 5) &&
	    find(c->fields, c->nfields, typed + 5, tlen - 5))
		return fail(c, t->at, "unknown field '%.*s'; did you mean '%.*s'?",
			    (int)tlen, typed, (int)tlen - 5, typed + 5);
	for (size_t i = 0; i < c->nfields; i++)
		consider(&s, typed, tlen, "", c->fields[i].name);
	for (size_t i = 0; i < c->ncfields; i++)
		consider(&s, typed, tlen, "conn.", c->cfields[i].name);
	if (s.name)
		return fail(c, t->at, "unknown field '%.*s'; did you mean '%s%s'?",
			    (int)tlen, typed, s.prefix, s.name);
	return fail(c, t->at, "unknown field '%.*s'", (int)tlen, typed);
}

/* A name: [A-Za-z_][A-Za-z0-9_]* parts joined by '.'. */
static bool is_name(const char *s, size_t n)
{
	bool start = true;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.' && !start) {
			start = true;
			continue;
		}
		if (!(isalpha(ch) || ch == '_' || (!start && isdigit(ch))))
			return false;
		start = false;
	}
	return n > 0 && !start;
}

/* Resolves the name token c->tok into *r. */
static int resolve(struct cc *c, struct fref *r)
{
	const struct tok *t = &c->tok;
	const char *s = c->expr + t->at;
	const struct filter_field *fs = c->fields;
	size_t n = c->nfields, off = 0;
	char tb[64];

	if (t->kind != TK_WORD || !is_name(s, t->len))
		return fail(c, t->at, "expected a field name, got %s",
			    tok_text(c, t, tb, sizeof(tb)));
	memset(r, 0, sizeof(*r));
	r->name = *t;
	if (c->ncfields && t->len > 5 && !memcmp(s, "conn.", 5)) {
		fs = c->cfields;
		n = c->ncfields;
		off = 5;
		r->conn = true;
	}
	r->f = find(fs, n, s + off, t->len - off);
	if (!r->f)
		return unknown_field(c, t);
	if (r->f->side_a || r->f->side_b) {
		const struct filter_field *a, *b;

		a = r->f->side_a ? find(fs, n, r->f->side_a, strlen(r->f->side_a)) : NULL;
		b = r->f->side_b ? find(fs, n, r->f->side_b, strlen(r->f->side_b)) : NULL;
		if (!a || !b || a->type != r->f->type || b->type != r->f->type)
			return fail(c, t->at, "field '%s' names sides that are not %s fields of its list",
				    r->f->name, type_names[r->f->type]);
		r->pair = true;
		r->id2 = b->id;
		r->f = a;	/* type and first id; the name stays as typed */
	}
	return 0;
}

/* A TEST instruction for r, without its kind or constants. */
static struct insn test_for(struct cc *c, const struct fref *r)
{
	struct insn in = { .op = OP_TEST, .id = r->f->id, .id2 = r->id2 };

	in.k = (uint32_t)c->nk;
	if (r->conn) {
		in.flags |= I_CONN;
		c->uses_conn = true;
	}
	if (r->pair)
		in.flags |= I_PAIR;
	return in;
}

/* "field", "field op value", "field [not] in {...}", "pair value". */
static int parse_test(struct cc *c)
{
	struct fref r;
	struct insn in;
	struct tok op;
	enum filter_type type;
	char tb[64], optext[16];
	bool shorthand = false;
	int rc;

	rc = resolve(c, &r);
	if (rc)
		return rc;
	type = r.f->type;
	in = test_for(c, &r);
	rc = next(c);
	if (rc)
		return rc;
	op = c->tok;

	if (op.kind == TK_WORD || op.kind == TK_STRING) {
		if (type == FT_BOOL && !r.pair)
			return fail(c, op.at, "expected '&&' or '||' before %s",
				    tok_text(c, &op, tb, sizeof(tb)));
		if (!r.pair)
			return fail(c, op.at, "expected an operator after '%.*s', got %s",
				    (int)r.name.len, c->expr + r.name.at,
				    tok_text(c, &op, tb, sizeof(tb)));
		/* "host 10.0.0.1" is "host == 10.0.0.1". */
		shorthand = true;
		op.kind = TK_EQ;
	} else if (op.kind == TK_NOT && !tok_is(c, &op, "not")) {
		op.kind = TK_END;	/* "a !b": left for the caller to refuse */
	} else if (op.kind != TK_NOT && (op.kind < TK_EQ || op.kind > TK_GE) &&
		   op.kind != TK_IN && op.kind != TK_CONTAINS) {
		op.kind = TK_END;	/* a bare name */
	}

	switch (op.kind) {
	case TK_END:
		in.kind = type == FT_BOOL ? K_BOOL : K_PRESENT;
		if (type == FT_BOOL) {
			union kval *k;

			rc = new_const(c, &k);
			if (rc)
				return rc;
			k->i.lo = 2;
			in.nk = 1;
		}
		return emit(c, &in);

	case TK_NOT:
		rc = next(c);
		if (rc)
			return rc;
		if (c->tok.kind != TK_IN)
			return fail(c, c->tok.at, "expected 'in' after 'not', got %s",
				    tok_text(c, &c->tok, tb, sizeof(tb)));
		in.flags |= I_NONE;
		/* fall through */
	case TK_IN: {
		struct tok open;

		rc = next(c);
		if (rc)
			return rc;
		open = c->tok;
		if (open.kind != TK_LBRACE)
			return fail(c, open.at, "expected '{' after 'in', got %s",
				    tok_text(c, &open, tb, sizeof(tb)));
		rc = next(c);
		while (!rc && c->tok.kind != TK_RBRACE) {
			if (c->tok.kind == TK_END)
				return fail(c, open.at, "unbalanced '{'");
			if (c->tok.kind == TK_COMMA) {
				rc = next(c);
				continue;
			}
			rc = parse_value(c, &r, true, "{");
			in.nk++;
		}
		if (rc)
			return rc;
		if (!in.nk)
			return fail(c, open.at, "empty set");
		rc = next(c);
		if (rc)
			return rc;
		break;
	}

	case TK_CONTAINS:
		if (type != FT_STR && type != FT_FLAGS)
			return fail(c, op.at, "cannot use 'contains' on %.*s, which is %s",
				    (int)r.name.len, c->expr + r.name.at, type_is[type]);
		rc = next(c);
		if (rc)
			return rc;
		rc = parse_value(c, &r, false, "contains");
		if (rc)
			return rc;
		in.kind = type == FT_STR ? K_STR_CONTAINS : K_BITS;
		in.nk = 1;
		return emit(c, &in);

	default:	/* == != < <= > >= */
		if (op.kind != TK_EQ && op.kind != TK_NE && !type_is_ordered(type))
			return fail(c, op.at, "cannot use '%.*s' on %.*s, which is %s",
				    (int)op.len, c->expr + op.at, (int)r.name.len,
				    c->expr + r.name.at, type_is[type]);
		if (!shorthand) {
			rc = next(c);
			if (rc)
				return rc;
		}
		snprintf(optext, sizeof(optext), "%.*s", (int)op.len, c->expr + op.at);
		rc = parse_value(c, &r, false, optext);
		if (rc)
			return rc;
		in.nk = 1;
		if (op.kind == TK_NE)
			in.flags |= I_NONE;
		in.cmp = op.kind == TK_LT ? CMP_LT : op.kind == TK_LE ? CMP_LE :
			 op.kind == TK_GT ? CMP_GT : op.kind == TK_GE ? CMP_GE : CMP_EQ;
		break;
	}

	/* A comparison or a set: pick the kind by type. */
	switch (type) {
	case FT_ADDR:
		in.kind = K_ADDR_IN;
		break;
	case FT_STR:
		in.kind = op.kind == TK_IN || op.kind == TK_NOT ||
			  op.kind == TK_NE ? K_STR_IN : K_STR;
		break;
	case FT_BOOL: {
		int64_t mask = 0;

		for (uint32_t i = 0; i < in.nk; i++)
			mask |= c->k[in.k + i].i.lo;
		c->k[in.k].i.lo = mask;
		in.nk = 1;
		in.kind = K_BOOL;
		break;
	}
	default:
		in.kind = op.kind == TK_IN || op.kind == TK_NOT ||
			  op.kind == TK_NE ? K_INT_IN : K_INT;
		break;
	}
	return emit(c, &in);
}

static int parse_or(struct cc *c);

/* "!" unary, "(" expr ")", or a test. */
static int parse_unary(struct cc *c)
{
	struct tok t = c->tok;
	char tb[64];
	int rc;

	if (t.kind != TK_NOT && t.kind != TK_LPAREN)
		return parse_test(c);
	if (++c->depth > MAX_DEPTH)
		return fail(c, t.at, "filter nested too deeply");
	rc = next(c);
	if (rc)
		return rc;
	if (t.kind == TK_NOT) {
		rc = parse_unary(c);
		if (rc)
			return rc;
		/* Fold into the test unless a jump lands right after it. */
		if (c->code[c->ncode - 1].op == OP_TEST && c->label != c->ncode) {
			c->code[c->ncode - 1].flags ^= I_NEG;
		} else {
			struct insn in = { .op = OP_NOT };

			rc = emit(c, &in);
			if (rc)
				return rc;
		}
	} else {
		rc = parse_or(c);
		if (rc)
			return rc;
		if (c->tok.kind == TK_END)
			return fail(c, t.at, "unbalanced '('");
		if (c->tok.kind != TK_RPAREN)
			return fail(c, c->tok.at, "unexpected %s; expected '&&', '||' or ')'",
				    tok_text(c, &c->tok, tb, sizeof(tb)));
		rc = next(c);
		if (rc)
			return rc;
	}
	c->depth--;
	return 0;
}

/*
 * Operands joined by `op_tok`, each followed by a jump `jump` to the end
 * of the chain when the accumulator already decides it.
 */
static int parse_chain(struct cc *c, enum tok_kind op_tok, enum op jump,
		       int (*operand)(struct cc *))
{
	uint32_t chain = UINT32_MAX;
	int rc;

	rc = operand(c);
	while (!rc && c->tok.kind == op_tok) {
		struct insn in = { .op = (uint8_t)jump, .k = chain };

		chain = (uint32_t)c->ncode;
		rc = emit(c, &in);
		if (!rc)
			rc = next(c);
		if (!rc)
			rc = operand(c);
	}
	if (rc)
		return rc;
	while (chain != UINT32_MAX) {
		uint32_t prev = c->code[chain].k;

		c->code[chain].k = (uint32_t)c->ncode;
		c->label = c->ncode;
		chain = prev;
	}
	return 0;
}

static int parse_and(struct cc *c)
{
	return parse_chain(c, TK_AND, OP_JF, parse_unary);
}

static int parse_or(struct cc *c)
{
	return parse_chain(c, TK_OR, OP_JT, parse_and);
}

/*
 * A jump that lands on another jump goes on: to its target when both
 * jump on the same value, past it otherwise (the accumulator is unchanged).
 */
static void thread_jumps(struct insn *code, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t t;

		if (code[i].op != OP_JT && code[i].op != OP_JF)
			continue;
		t = code[i].k;
		while (code[t].op == OP_JT || code[t].op == OP_JF)
			t = code[t].op == code[i].op ? code[t].k : t + 1;
		code[i].k = t;
	}
}

int filter_compile(struct filter **out, const char *expr,
		   const struct filter_field *fields, size_t nfields,
		   const struct filter_field *conn_fields, size_t nconn,
		   struct err *e)
{
	struct cc c = {
		.expr = expr, .fields = fields, .nfields = nfields,
		.cfields = conn_fields, .ncfields = conn_fields ? nconn : 0,
		.e = e, .label = SIZE_MAX,
	};
	struct insn end = { .op = OP_END };
	struct filter *f;
	size_t kbytes, cbytes;
	char tb[64];
	int rc;

	*out = NULL;
	rc = next(&c);
	if (!rc && c.tok.kind == TK_END)
		rc = fail(&c, c.tok.at, "empty filter");
	if (!rc)
		rc = parse_or(&c);
	if (!rc && c.tok.kind == TK_RPAREN)
		rc = fail(&c, c.tok.at, "unbalanced ')'");
	else if (!rc && c.tok.kind != TK_END)
		rc = fail(&c, c.tok.at, "unexpected %s; expected '&&', '||' or the end",
			  tok_text(&c, &c.tok, tb, sizeof(tb)));
	if (!rc)
		rc = emit(&c, &end);
	if (rc)
		goto out_free;
	thread_jumps(c.code, c.ncode);

	kbytes = c.nk * sizeof(union kval);
	cbytes = c.ncode * sizeof(struct insn);
	f = malloc(sizeof(*f) + kbytes + cbytes + c.npool);
	if (!f) {
		rc = nomem(&c);
		goto out_free;
	}
	f->k = (const union kval *)(f + 1);
	f->code = (const struct insn *)((char *)(f + 1) + kbytes);
	f->pool = (const char *)(f + 1) + kbytes + cbytes;
	f->uses_conn = c.uses_conn;
	if (kbytes)
		memcpy((char *)(f + 1), c.k, kbytes);
	memcpy((char *)(f + 1) + kbytes, c.code, cbytes);
	if (c.npool)
		memcpy((char *)(f + 1) + kbytes + cbytes, c.pool, c.npool);
	*out = f;
out_free:
	free(c.code);
	free(c.k);
	free(c.pool);
	return rc;
}

_Static_assert(sizeof(struct filter) % _Alignof(union kval) == 0 &&
	       sizeof(union kval) % _Alignof(struct insn) == 0,
	       "the parts of one filter allocation stay aligned");

void filter_free(struct filter *f)
{
	free(f);
}

bool filter_uses_conn(const struct filter *f)
{
	return f->uses_conn;
}

void filter_fields(const struct filter *f,
		   void (*fn)(void *arg, int id, bool conn), void *arg)
{
	for (const struct insn *in = f->code; in->op != OP_END; in++)
		if (in->op == OP_TEST) {
			fn(arg, in->id, in->flags & I_CONN);
			if (in->flags & I_PAIR)
				fn(arg, in->id2, in->flags & I_CONN);
		}
}

/* ---- running ---- */

static inline bool cmp_int(unsigned cmp, int64_t a, int64_t b)
{
	switch (cmp) {
	case CMP_LT: return a < b;
	case CMP_LE: return a <= b;
	case CMP_GT: return a > b;
	case CMP_GE: return a >= b;
	default: return a == b;
	}
}

static inline int cmp_str(const char *a, size_t la, const char *b, size_t lb)
{
	size_t n = la < lb ? la : lb;
	int r = n ? memcmp(a, b, n) : 0;

	return r ? r : (la > lb) - (la < lb);
}

static bool str_contains(const char *s, size_t n, const char *w, size_t wn)
{
	if (wn == 0)
		return true;
	while (n >= wn) {
		const char *p = memchr(s, w[0], n - wn + 1);

		if (!p)
			return false;
		if (!memcmp(p, w, wn))
			return true;
		n -= (size_t)(p - s) + 1;
		s = p + 1;
	}
	return false;
}

/* Whether value v satisfies the test's constants (before I_NEG). */
static inline bool match_value(const struct filter *f, const struct insn *in,
			       const struct filter_value *v)
{
	const union kval *k = &f->k[in->k];
	bool any = false;

	switch (in->kind) {
	case K_PRESENT:
		return true;
	case K_BOOL:
		any = (k->i.lo >> (v->i != 0)) & 1;
		break;
	case K_INT:
		return cmp_int(in->cmp, v->i, k->i.lo);
	case K_INT_IN:
		for (uint32_t j = 0; j < in->nk && !any; j++)
			any = v->i >= k[j].i.lo && v->i <= k[j].i.hi;
		break;
	case K_BITS:
		return (v->i & k->i.lo) == k->i.lo;
	case K_ADDR_IN: {
		uint64_t a[2];

		memcpy(a, v->addr, sizeof(a));
		for (uint32_t j = 0; j < in->nk && !any; j++)
			any = v->ipver == k[j].a.ver &&
			      (a[0] & k[j].a.mask[0]) == k[j].a.net[0] &&
			      (a[1] & k[j].a.mask[1]) == k[j].a.net[1];
		break;
	}
	case K_STR:
		return cmp_int(in->cmp, cmp_str(v->s, v->len, f->pool + k->s.off,
						k->s.len), 0);
	case K_STR_IN:
		for (uint32_t j = 0; j < in->nk && !any; j++)
			any = v->len == k[j].s.len &&
			      (!v->len || !memcmp(v->s, f->pool + k[j].s.off, v->len));
		break;
	case K_STR_CONTAINS:
		return str_contains(v->s, v->len, f->pool + k->s.off, k->s.len);
	}
	return any != !!(in->flags & I_NONE);
}

static inline bool run_test(const struct filter *f, const struct insn *in,
			    filter_get_fn get, const void *row)
{
	struct filter_value v;
	bool r;

	if (!get)
		return false;
	r = get(row, in->id, &v) && match_value(f, in, &v);
	if (in->flags & I_PAIR) {
		/* Either side; for != and "not in", both sides. */
		if ((in->flags & I_NONE) ? r : !r)
			r = get(row, in->id2, &v) && match_value(f, in, &v);
	}
	return r;
}

bool filter_match(const struct filter *f, filter_get_fn get, const void *row,
		  filter_get_fn conn_get, const void *conn_row)
{
	const struct insn *code = f->code;
	uint32_t pc = 0;
	bool acc = false;

	for (;;) {
		const struct insn *in = &code[pc];

		switch (in->op) {
		case OP_TEST:
			if (in->flags & I_CONN)
				acc = run_test(f, in, conn_get, conn_row);
			else
				acc = run_test(f, in, get, row);
			acc ^= (in->flags & I_NEG) != 0;
			pc++;
			break;
		case OP_NOT:
			acc = !acc;
			pc++;
			break;
		case OP_JT:
			pc = acc ? in->k : pc + 1;
			break;
		case OP_JF:
			pc = acc ? pc + 1 : in->k;
			break;
		default:
			return acc;
		}
	}
}

/* ---- the caret display ---- */

void filter_format_error(char *buf, size_t size, const char *expr,
			 const struct err *e)
{
	size_t n = 0, col, len = strlen(expr);

#define PUT(ch) do { if (n + 1 < size) buf[n++] = (ch); } while (0)
	if (!size)
		return;
	for (const char *m = e->msg; *m; m++)
		PUT(*m);
	if (e->where == ERR_AT_OFFSET) {
		col = e->at < len ? (size_t)e->at : len;
		PUT('\n');
		PUT(' ');
		PUT(' ');
		for (size_t i = 0; i < len; i++)
			PUT(expr[i] == '\t' || (unsigned char)expr[i] >= ' ' ?
			    expr[i] : ' ');
		PUT('\n');
		PUT(' ');
		PUT(' ');
		/* Pad by characters: tabs stay tabs, UTF-8 counts once. */
		for (size_t i = 0; i < col; i++)
			if (((unsigned char)expr[i] & 0xc0) != 0x80)
				PUT(expr[i] == '\t' ? '\t' : ' ');
		PUT('^');
	}
	buf[n] = '\0';
#undef PUT
}
