/*
 * pcapng.h - a small pcapng reader, the fallback for files libpcap refuses.
 *
 * libpcap 1.10 will not open a pcapng file whose Interface Description
 * Blocks differ in link type or snaplen; tshark reads them, and so does
 * this.  It returns the packets of Enhanced, Simple and (obsolete) Packet
 * Blocks one at a time, each with its interface's link type, snaplen and a
 * nanosecond timestamp, across any number of sections in either byte order.
 *
 * Invariant: every length in the file is checked before it is used, so a
 * corrupt or truncated file is an error with the offset of the bad block,
 * never a crash, an out-of-bounds read or a huge allocation (blocks over
 * 64 MiB are refused).
 *
 * It does not apply filters, read name resolution or statistics blocks
 * (those are skipped by their length), keep packet options (comments,
 * flags, hashes), or seek: it reads the FILE forward with fread only, so a
 * pipe works.
 */
#ifndef TCPSIFT_PCAPNG_H
#define TCPSIFT_PCAPNG_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"

struct pcapng_reader;			/* opaque */

struct pcapng_frame {
	const uint8_t *data;	/* captured bytes, valid until the next call */
	uint32_t caplen;	/* captured bytes */
	uint32_t wire_len;	/* original length on the wire, bytes */
	int64_t ts;		/* ns since the Unix epoch, if_tsresol and
				   if_tsoffset applied; a Simple Packet Block
				   has none and repeats the previous frame's
				   (0 before the first) */
	int linktype;		/* DLT_* value (LINKTYPE_* mapped as libpcap
				   does on Linux, e.g. LINKTYPE_RAW 101 -> 12) */
	uint32_t snaplen;	/* the interface's snaplen, bytes (0 = none) */
	uint32_t interface;	/* interface id within its section */
};

/*
 * Reads the first Section Header Block of f, which must be positioned at
 * the start of the file; path is used in messages only (copied).  0 and
 * *out set, or a negative ERR_* code with e filled (ERR_FORMAT when it is
 * not pcapng or of an unsupported version).  Does not take ownership of f.
 */
int pcapng_open(struct pcapng_reader **out, FILE *f, const char *path,
		struct err *e);

/*
 * The next packet: 1 and *fr filled; 0 at a clean end of file (the file
 * ends between blocks); < 0 on error, with e set to the byte offset of the
 * bad block (the message contains "truncated" when the file ends inside a
 * block).  An error is final: later calls return it again.
 */
int pcapng_next(struct pcapng_reader *r, struct pcapng_frame *fr,
		struct err *e);

/* Byte offset of the next block to read (the bad one after an error). */
uint64_t pcapng_offset(const struct pcapng_reader *r);

/*
 * The distinct DLT_* link types of the interfaces seen so far in any
 * section, in the order first seen: up to n into out; returns how many
 * there are (which may exceed n).
 */
unsigned pcapng_linktypes(const struct pcapng_reader *r, uint16_t *out,
			  unsigned n);

/* Frees r; NULL is a no-op.  Does not fclose the FILE. */
void pcapng_close(struct pcapng_reader *r);

#endif
