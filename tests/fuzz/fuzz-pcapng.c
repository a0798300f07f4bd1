/*
 * fuzz-pcapng.c - libFuzzer target for the fallback pcapng reader.
 *
 * The input is a whole file, read through fmemopen() with pcapng_open and
 * pcapng_next until the end or an error.  Checked: no crash or sanitizer
 * report; every frame's captured bytes are readable (each is summed);
 * an error has a message and is final (the next call fails again), as
 * pcapng.h promises.  It does not go through libpcap (capture.c does,
 * and hands over only the files libpcap refuses).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "pcapng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcapng_reader *r;
	struct pcapng_frame fr;
	struct err e;
	uint16_t lts[8];
	FILE *f;
	int rc = 0;

	if (size == 0)
		return 0;	/* fmemopen refuses an empty buffer */
	f = fmemopen((void *)data, size, "rb");
	if (!f)
		abort();
	err_clear(&e);
	if (pcapng_open(&r, f, "fuzz.pcapng", &e) != 0) {
		if (e.msg[0] == '\0')
			abort();
		fclose(f);
		return 0;
	}
	for (unsigned i = 0; i < 100000; i++) {
		uint64_t s = 0;

		err_clear(&e);
		rc = pcapng_next(r, &fr, &e);
		if (rc <= 0)
			break;
		for (uint32_t k = 0; k < fr.caplen; k++)
			s += fr.data[k];
		sink += s + (uint64_t)fr.ts + fr.wire_len + (unsigned)fr.linktype +
			fr.snaplen + fr.interface;
	}
	if (rc < 0) {
		if (e.msg[0] == '\0')
			abort();
		err_clear(&e);
		if (pcapng_next(r, &fr, &e) >= 0)
			abort();	/* an error must be final */
	}
	sink += pcapng_linktypes(r, lts, 8) + pcapng_offset(r);
	pcapng_close(r);
	fclose(f);
	return 0;
}
