/*
 * fuzz-decode.c - libFuzzer target for the frame decoder.
 *
 * Input: byte 0 picks one of the link types decode.c knows (or one it
 * does not), byte 1 the length on the wire relative to the captured length
 * (0x80 + k: k * 64 bytes more, as when a snaplen cut the frame; k < 0x80:
 * k bytes fewer, as in a malformed record), and the rest is the frame,
 * handed to decode_frame() in a buffer of exactly its length so ASan sees
 * any read past the captured bytes.  Invariant checked: a
 * DECODE_TCP result has sane fields (IP version 4 or 6, a TCP header of
 * 20 to 60 bytes).  It does not check field values against another
 * decoder; tests/t-diff-tshark.sh does that on real captures.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The DLT_* values decode_frame() dispatches on (decode.c), and one it does not. */
static const int linktypes[] = { 0, 1, 9, 12, 14, 101, 108, 113, 228, 229,
				 239, 276, 147 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decode_tcp t;
	enum decode_result r;
	uint8_t *frame;
	size_t caplen, wire_len;
	int lt;

	if (size < 2)
		return 0;
	lt = linktypes[data[0] % (sizeof(linktypes) / sizeof(linktypes[0]))];
	caplen = size - 2;
	if (data[1] & 0x80)
		wire_len = caplen + (size_t)(data[1] & 0x7f) * 64;
	else
		wire_len = caplen > data[1] ? caplen - data[1] : 0;
	/* A copy of exactly caplen bytes: reads past it hit a redzone. */
	frame = malloc(caplen ? caplen : 1);
	if (!frame)
		return 0;
	memcpy(frame, data + 2, caplen);
	memset(&t, 0xa5, sizeof(t));
	r = decode_frame(lt, frame, caplen, wire_len, &t);
	if ((unsigned)r >= DECODE_NRESULTS)
		abort();
	if (r == DECODE_TCP &&
	    ((t.ipver != 4 && t.ipver != 6) || t.hlen < 20 || t.hlen > 60))
		abort();
	(void)decode_result_name(r);
	free(frame);
	return 0;
}
