/*
 * capture.c - see capture.h.
 *
 * Invariant: c->frames counts the frames returned so far, whichever reader
 * returned them; on the switch to the pcapng reader exactly that many
 * packets are skipped, since both readers return the packet blocks of a
 * pcapng file in file order.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bytes.h"
#include "capture.h"
#include "pcapng.h"

/*
 * The stdio buffer: 128 KiB, not more.  The extractor reads on a thread
 * that shares a core with others; a buffer that stays in that core's L2
 * made the whole extraction about 7% cheaper in CPU than 1 MiB (alone,
 * the read loop is as fast with either).
 */
enum { MAX_LINKTYPES = 16, IOBUF_SIZE = 1 << 17, DIRECT_SIZE = 1 << 18 };

struct filter {
	int linktype;
	struct bpf_program prog;
};

struct capture {
	char path[1024];
	FILE *f;
	bool is_stdin;
	pcap_t *p;			/* libpcap, until it gives up */
	struct pcapng_reader *ng;	/* the fallback, after */
	uint64_t size;
	int64_t mtime;
	int tsprec;
	bool is_pcap;			/* classic pcap: offsets are exact */
	bool is_pcapng;
	uint64_t offset;		/* pcap: end of the last record */
	uint64_t frames;		/* returned so far */
	uint16_t lts[MAX_LINKTYPES];
	unsigned nlts;
	char *filter;			/* NULL: no filter */
	char *iobuf;			/* stdio buffer: glibc ignores setvbuf's
					   size when it allocates itself */
	/* the direct path (see direct_next): NULL buf when it is off */
	uint8_t *buf;			/* DIRECT_SIZE bytes of the file */
	uint32_t blen, bpos;		/* bytes in buf; the next record */
	bool big_endian;		/* the file's byte order */
	bool swapped;			/* not the host's */
	uint32_t snaplen;		/* libpcap's, for this file */
	struct filter filters[MAX_LINKTYPES];
	unsigned nfilters;
};

static void note_linktype(struct capture *c, int lt)
{
	for (unsigned i = 0; i < c->nlts; i++)
		if (c->lts[i] == lt)
			return;
	if (c->nlts < MAX_LINKTYPES)
		c->lts[c->nlts++] = (uint16_t)lt;
}

static int open_error(const struct capture *c, const char *pcaperr,
		      struct err *e)
{
	if (c->size == 0 && !c->is_stdin)
		return err_set(e, ERR_FORMAT, c->path, "empty file, not a capture");
	if (strstr(pcaperr, "unknown file format"))
		return err_set(e, ERR_FORMAT, c->path,
			       "not a pcap or pcapng capture (unknown file format)");
	if (strstr(pcaperr, "truncated"))
		return err_set_at(e, ERR_FORMAT, c->path, ERR_AT_OFFSET, 0,
				  "capture cut short in its file header (%s)", pcaperr);
	return err_set_at(e, ERR_FORMAT, c->path, ERR_AT_OFFSET, 0,
			  "cannot read capture: %s", pcaperr);
}

/*
 * What libpcap 1.10 lets through: the pcap header's link-type field keeps
 * bits 16-25 reserved (zero); a file with them set is not one we can
 * trust to be a capture (tshark refuses it too).
 */
static int check_pcap_header(const struct capture *c, const uint8_t h[24],
			     struct err *e)
{
	uint32_t lt = h[0] == 0xa1 ? get_be32(h + 20) : get_le32(h + 20);

	if (lt & 0x03ff0000)
		return err_set_at(e, ERR_FORMAT, c->path, ERR_AT_OFFSET, 20,
				  "bad pcap header: reserved bits of the link-type field are set (0x%08x)",
				  lt);
	return 0;
}

/*
 * The direct path.  libpcap's savefile reader copies every record twice,
 * from the kernel into the stdio buffer and from there into its own; that
 * and the calls around it were about a third of the reading thread's CPU
 * (reading and decoding the 1.47 M-frame bench capture: 0.24-0.33 s through
 * libpcap, 0.16-0.22 s this way).  For a classic pcap file libpcap opened
 * (it checked the file header and chose the link type and snapshot length),
 * records are instead read with pread() into one buffer and handed out
 * where they lie.
 *
 * Only the plain case is taken here: version 2.4 (older ones may have the
 * two lengths swapped), a link type whose records libpcap passes through
 * untouched, and a record that lies whole in the file with caplen no more
 * than the snapshot length and no more than len.  Anything else (and the
 * end of the file) is left to libpcap, which reads that one record from
 * the same offset, with its own checks and messages; the direct path goes
 * on after it.  So both paths return the same frames, which
 * tests/unit/unit-capture.c checks on every capture it is given.
 */
static bool is_direct_linktype(int dlt, bool swapped)
{
	switch (dlt) {
	case DLT_EN10MB: case DLT_RAW: case DLT_IPV4: case DLT_IPV6:
	case DLT_NULL: case DLT_LOOP:
		return true;
	case DLT_LINUX_SLL: case DLT_LINUX_SLL2:
		return !swapped;	/* libpcap swaps CAN headers in them */
	default:
		return false;
	}
}

/* h: the file header libpcap accepted. */
static void direct_start(struct capture *c, const uint8_t h[24])
{
	bool be = h[0] == 0xa1, swapped = pcap_is_swapped(c->p);

	if ((be ? get_be16(h + 4) : get_le16(h + 4)) != 2 ||
	    (be ? get_be16(h + 6) : get_le16(h + 6)) < 4 ||
	    !is_direct_linktype(pcap_datalink(c->p), swapped))
		return;
	c->buf = malloc(DIRECT_SIZE);	/* without it, libpcap reads all */
	c->big_endian = be;
	c->swapped = swapped;
	c->snaplen = (uint32_t)pcap_snapshot(c->p);
	c->blen = c->bpos = 0;
}

static uint32_t direct_get32(const struct capture *c, const uint8_t *p)
{
	return c->big_endian ? get_be32(p) : get_le32(p);
}

/*
 * The record at c->offset into *f: 1; 0 when libpcap is to read it (after
 * positioning its stream there); < 0 on a read error.
 */
static int direct_next(struct capture *c, struct capture_frame *f,
		       struct err *e)
{
	uint32_t avail = c->blen - c->bpos, caplen, len, sec, frac;
	const uint8_t *r;

	if (avail < 16 || avail - 16 < direct_get32(c, c->buf + c->bpos + 8)) {
		ssize_t k;

		memmove(c->buf, c->buf + c->bpos, avail);
		c->blen = avail;
		c->bpos = 0;
		do
			k = pread(fileno(c->f), c->buf + avail,
				  DIRECT_SIZE - avail, (off_t)(c->offset + avail));
		while (k < 0 && errno == EINTR);
		if (k < 0)
			return err_set_at(e, ERR_IO, c->path, ERR_AT_OFFSET,
					  c->offset + avail, "read failed: %s",
					  strerror(errno));
		c->blen += (uint32_t)k;
		avail = c->blen;
	}
	r = c->buf + c->bpos;
	if (avail < 16 || (caplen = direct_get32(c, r + 8)) > avail - 16 ||
	    caplen > c->snaplen || caplen > (len = direct_get32(c, r + 12))) {
		c->blen = c->bpos = 0;
		if (fseeko(c->f, (off_t)c->offset, SEEK_SET) != 0)
			return err_set_at(e, ERR_IO, c->path, ERR_AT_OFFSET,
					  c->offset, "seek failed: %s",
					  strerror(errno));
		return 0;
	}
	/* as libpcap 1.10: the seconds are signed in a file of the host's
	 * byte order and unsigned in a swapped one; microseconds scale to ns
	 * in 32 bits (a bogus fraction wraps as it does there) */
	sec = direct_get32(c, r);
	frac = direct_get32(c, r + 4);
	if (c->tsprec != 9)
		frac *= 1000u;
	f->ts = (c->swapped ? (int64_t)sec : (int64_t)(int32_t)sec) *
		1000000000 + frac;
	f->data = r + 16;
	f->caplen = caplen;
	f->wire_len = len;
	f->linktype = pcap_datalink(c->p);
	c->bpos += 16 + caplen;
	c->offset += 16 + (uint64_t)caplen;
	return 1;
}

int capture_open(struct capture **out, const char *path, struct err *e)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct capture *c;
	struct stat st;
	uint8_t h[24];		/* the file header, when a pcap one */
	ssize_t got;
	bool whole = false;	/* h holds all of it (never for stdin) */
	int rc;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return err_set(e, ERR_NOMEM, path, "out of memory");
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->is_stdin = strcmp(path, "-") == 0;
	c->offset = 24;
	c->f = c->is_stdin ? stdin : fopen(path, "rb");
	if (!c->f) {
		rc = err_set(e, ERR_IO, path, "cannot open: %s", strerror(errno));
		goto out_close;
	}
	/* (mapping the file and reading it through fmemopen was measured:
	 * no faster, as libpcap copies each record out anyway) */
	c->iobuf = malloc(IOBUF_SIZE);
	if (!c->iobuf) {
		rc = err_set(e, ERR_NOMEM, path, "out of memory");
		goto out_close;
	}
	setvbuf(c->f, c->iobuf, _IOFBF, IOBUF_SIZE);
	if (!c->is_stdin) {
		if (fstat(fileno(c->f), &st) != 0 || !S_ISREG(st.st_mode)) {
			rc = err_set(e, ERR_IO, path, "not a regular file");
			goto out_close;
		}
		c->size = (uint64_t)st.st_size;
		c->mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 +
			   st.st_mtim.tv_nsec;
		got = pread(fileno(c->f), h, sizeof(h), 0);
		if (got >= 4) {
			uint32_t v = get_be32(h);
			c->is_pcap = v == 0xa1b2c3d4 || v == 0xd4c3b2a1 ||
				     v == 0xa1b23c4d || v == 0x4d3cb2a1;
			c->is_pcapng = v == 0x0a0d0d0a;
			c->tsprec = v == 0xa1b23c4d || v == 0x4d3cb2a1 ? 9 :
				    c->is_pcap ? 6 : 0;
		}
		/* a short one: libpcap says what is wrong with it */
		whole = got == (ssize_t)sizeof(h);
		if (c->is_pcap && whole && (rc = check_pcap_header(c, h, e)))
			goto out_close;
	}
	c->p = pcap_fopen_offline_with_tstamp_precision(c->f,
			PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!c->p) {
		rc = open_error(c, errbuf, e);
		goto out_close;
	}
	note_linktype(c, pcap_datalink(c->p));
	if (c->is_stdin && pcap_major_version(c->p) == 2)
		c->is_pcap = true;	/* libpcap reports pcapng as 1.x */
	if (c->is_pcap && whole)
		direct_start(c, h);
	*out = c;
	return 0;
out_close:
	capture_close(c);
	return rc;
}

/* The program for this link type, compiled on first use; NULL on error. */
static struct bpf_program *filter_for(struct capture *c, int linktype,
				      struct err *e)
{
	pcap_t *dead;
	struct filter *f;

	for (unsigned i = 0; i < c->nfilters; i++)
		if (c->filters[i].linktype == linktype)
			return &c->filters[i].prog;
	if (c->nfilters == MAX_LINKTYPES) {
		err_set(e, ERR_USAGE, c->path, "too many link types to filter");
		return NULL;
	}
	dead = pcap_open_dead_with_tstamp_precision(linktype, 262144,
						    PCAP_TSTAMP_PRECISION_NANO);
	if (!dead) {
		err_set(e, ERR_NOMEM, c->path, "out of memory");
		return NULL;
	}
	f = &c->filters[c->nfilters];
	if (pcap_compile(dead, &f->prog, c->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		err_set(e, ERR_USAGE, c->path, "bad filter '%s': %s", c->filter,
			pcap_geterr(dead));
		pcap_close(dead);
		return NULL;
	}
	pcap_close(dead);
	f->linktype = linktype;
	c->nfilters++;
	return &f->prog;
}

int capture_set_filter(struct capture *c, const char *expr, struct err *e)
{
	free(c->filter);
	c->filter = strdup(expr);
	if (!c->filter)
		return err_set(e, ERR_NOMEM, c->path, "out of memory");
	/* compile for the first link type now, so a typo fails at once */
	return c->p && !filter_for(c, pcap_datalink(c->p), e) ? ERR_USAGE : 0;
}

static bool is_interface_refusal(const char *msg)
{
	return strstr(msg, "different from the") != NULL;
}

/* libpcap gave up on a pcapng file: read it on with our reader. */
static int switch_to_pcapng(struct capture *c, struct err *e)
{
	struct pcapng_frame fr;
	FILE *f;
	int rc;

	f = fopen(c->path, "rb");
	if (!f)
		return err_set(e, ERR_IO, c->path, "cannot reopen: %s",
			       strerror(errno));
	pcap_close(c->p);	/* closes the old FILE, done with iobuf */
	c->p = NULL;
	c->f = f;
	setvbuf(f, c->iobuf, _IOFBF, IOBUF_SIZE);
	if ((rc = pcapng_open(&c->ng, f, c->path, e)))
		return rc;
	for (uint64_t i = 0; i < c->frames; i++) {
		rc = pcapng_next(c->ng, &fr, e);
		if (rc <= 0)
			return rc ? rc : err_set(e, ERR_CORRUPT, c->path,
						 "pcapng reader found fewer frames than libpcap");
	}
	return 0;
}

int capture_next(struct capture *c, struct capture_frame *f, struct err *e)
{
	struct bpf_program *prog;
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	if (c->buf && (rc = direct_next(c, f, e)) != 0) {
		if (rc < 0)
			return rc;
		goto got;
	}
	if (c->p) {
		rc = pcap_next_ex(c->p, &h, &data);
		if (rc == 1) {
			f->data = data;
			f->caplen = h->caplen;
			f->wire_len = h->len;
			/* the file's fraction is unsigned; libpcap's field is
			 * not, so a bogus fraction >= 2^31 would go negative */
			f->ts = (int64_t)h->ts.tv_sec * 1000000000 +
				(uint32_t)h->ts.tv_usec;
			f->linktype = pcap_datalink(c->p);
			if (c->buf) {	/* its record may have been longer */
				off_t at = ftello(c->f);
				if (at < 0)
					return err_set_at(e, ERR_IO, c->path, ERR_AT_OFFSET,
							  c->offset, "cannot tell the offset: %s",
							  strerror(errno));
				c->offset = (uint64_t)at;
			} else {
				c->offset += 16 + (uint64_t)h->caplen;
			}
			goto got;
		}
		if (rc == PCAP_ERROR_BREAK)
			return 0;
		{
			const char *why = pcap_geterr(c->p);
			long pos = ftell(c->f);
			uint64_t at = c->is_pcap ? c->offset : pos >= 0 ? (uint64_t)pos : 0;

			if (c->is_pcapng && !c->is_stdin && is_interface_refusal(why)) {
				if ((rc = switch_to_pcapng(c, e)))
					return rc;
				return capture_next(c, f, e);
			}
			return err_set_at(e, strstr(why, "truncated") ? ERR_TRUNCATED : ERR_FORMAT,
					  c->path, ERR_AT_OFFSET, at,
					  "%s after frame %llu (%s)",
					  strstr(why, "truncated") ? "capture ends early" : "cannot read further",
					  (unsigned long long)c->frames, why);
		}
	} else {
		struct pcapng_frame fr;

		rc = pcapng_next(c->ng, &fr, e);
		if (rc <= 0) {
			if (rc < 0) {
				char why[sizeof(e->msg)];
				bool cut = strstr(e->msg, "truncated") != NULL;
				snprintf(why, sizeof(why), "%s", e->msg);
				err_set_at(e, cut ? ERR_TRUNCATED : ERR_FORMAT, c->path,
					   ERR_AT_OFFSET, pcapng_offset(c->ng),
					   "%s after frame %llu (%s)",
					   cut ? "capture ends early" : "cannot read further",
					   (unsigned long long)c->frames, why);
				return cut ? ERR_TRUNCATED : ERR_FORMAT;
			}
			return 0;
		}
		f->data = fr.data;
		f->caplen = fr.caplen;
		f->wire_len = fr.wire_len;
		f->ts = fr.ts;
		f->linktype = fr.linktype;
	}
got:
	c->frames++;
	note_linktype(c, f->linktype);
	f->matched = true;
	if (c->filter) {
		struct pcap_pkthdr ph;

		if (!(prog = filter_for(c, f->linktype, e)))
			return ERR_USAGE;
		memset(&ph, 0, sizeof(ph));
		ph.caplen = f->caplen;
		ph.len = f->wire_len;
		f->matched = pcap_offline_filter(prog, &ph, f->data) != 0;
	}
	return 1;
}

uint64_t capture_offset(const struct capture *c)
{
	if (c->is_pcap)
		return c->offset;
	if (c->ng)
		return pcapng_offset(c->ng);
	return c->f ? (uint64_t)ftell(c->f) : 0;
}

uint64_t capture_size(const struct capture *c) { return c->size; }
int64_t capture_mtime(const struct capture *c) { return c->mtime; }
int capture_tsprec(const struct capture *c) { return c->tsprec; }
bool capture_is_fallback(const struct capture *c) { return c->ng != NULL; }
bool capture_is_direct(const struct capture *c) { return c->buf != NULL; }

uint32_t capture_snaplen(const struct capture *c)
{
	return c->p ? (uint32_t)pcap_snapshot(c->p) : 262144;
}

unsigned capture_linktypes(const struct capture *c, uint16_t *out, unsigned n)
{
	if (c->ng) {
		uint16_t ng[MAX_LINKTYPES];
		unsigned k = pcapng_linktypes(c->ng, ng, MAX_LINKTYPES);
		for (unsigned i = 0; i < k && i < n; i++)
			out[i] = ng[i];
		return k;
	}
	for (unsigned i = 0; i < c->nlts && i < n; i++)
		out[i] = c->lts[i];
	return c->nlts;
}

void capture_close(struct capture *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->nfilters; i++)
		pcap_freecode(&c->filters[i].prog);
	free(c->filter);
	if (c->p)
		pcap_close(c->p);	/* closes c->f */
	else if (c->f && c->f != stdin)
		fclose(c->f);
	pcapng_close(c->ng);
	free(c->buf);
	free(c->iobuf);
	free(c);
}
