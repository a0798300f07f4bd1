/*
 * capture.h - frames out of a pcap or pcapng file, whatever wrote it.
 *
 * Reads through libpcap at nanosecond precision with a 128 KiB stdio buffer
 * (libpcap's default buffer makes the read loop several times slower than
 * the disk), except the plain records of a classic pcap file, which it
 * reads itself, in place, returning what libpcap would.  When libpcap gives up on a pcapng file because its
 * interfaces differ in link type or snaplen, the same file is read on,
 * from the frame where libpcap stopped, with our own pcapng reader
 * (pcapng.h), so every frame keeps its number.  A BPF filter is compiled
 * once per link type.
 *
 * Does not decode anything past the capture record (decode.h does).
 */
#ifndef TCPSIFT_CAPTURE_H
#define TCPSIFT_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct capture;

struct capture_frame {
	const uint8_t *data;	/* captured bytes, valid until the next call */
	uint32_t caplen;	/* captured bytes */
	uint32_t wire_len;	/* length on the wire, bytes */
	int64_t ts;		/* ns since the Unix epoch */
	int linktype;		/* DLT_* */
	bool matched;		/* passes the filter (true without one) */
};

/* "-" reads standard input (no pcapng fallback then). */
int capture_open(struct capture **out, const char *path, struct err *e);

/* Compiles a BPF expression for every frame that follows; ERR_USAGE if bad. */
int capture_set_filter(struct capture *c, const char *expr, struct err *e);

/*
 * The next frame: 1 and *f filled; 0 at the end; < 0 on error with e set
 * to the byte offset and the frame number reached.  ERR_TRUNCATED means
 * the file ends inside a record (a copy cut short).
 */
int capture_next(struct capture *c, struct capture_frame *f, struct err *e);

/* Bytes of the file read so far (for progress), and its size (0: unknown). */
uint64_t capture_offset(const struct capture *c);
uint64_t capture_size(const struct capture *c);
int64_t capture_mtime(const struct capture *c);	/* ns, 0 for stdin */
uint32_t capture_snaplen(const struct capture *c);
/* 9 (ns pcap), 6 (us pcap) or 0 (pcapng or unknown: per interface). */
int capture_tsprec(const struct capture *c);
/* Distinct link types seen so far: up to n into out; returns the count. */
unsigned capture_linktypes(const struct capture *c, uint16_t *out, unsigned n);
/* Whether the pcapng fallback took over. */
bool capture_is_fallback(const struct capture *c);
/* Whether plain pcap records are read without libpcap (capture.c). */
bool capture_is_direct(const struct capture *c);

void capture_close(struct capture *c);	/* NULL is a no-op */

#endif
