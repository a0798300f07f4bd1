/*
 * crc32c.h - CRC-32C (Castagnoli), the checksum of every cache block.
 * Chosen over XXH64 because it is fully specified in one paragraph of
 * format-spec.md (polynomial 0x82F63B78 reflected, init and final xor
 * 0xFFFFFFFF) and needs no library.
 */
#ifndef TCPSIFT_CRC32C_H
#define TCPSIFT_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* crc32c(0, p, n) checksums p; feed the result back in to continue. */
uint32_t crc32c(uint32_t crc, const void *p, size_t n);
/* The same without the CPU's instruction (for tests). */
uint32_t crc32c_sw(uint32_t crc, const void *p, size_t n);

#endif
