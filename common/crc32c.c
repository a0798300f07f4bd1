/*
 * crc32c.c - CRC-32C: the SSE4.2 crc32 instruction where the CPU has it
 * (x86-64 with GCC or Clang, asked at run time), else table-driven,
 * slicing by 8 bytes.  The table is built once on first use; the function
 * is otherwise pure.  Both give the same result; unit-cache checks them
 * against each other and a known value.
 */
#include <string.h>

#include "crc32c.h"

static uint32_t table[8][256];
static int table_ready;

static void crc32c_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			table[t][i] = (table[t - 1][i] >> 8) ^
				      table[0][table[t - 1][i] & 0xff];
	table_ready = 1;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CRC32C_HW 1
__attribute__((target("sse4.2")))
static uint32_t crc32c_hw(uint32_t crc, const uint8_t *p, size_t n)
{
	uint64_t c = ~crc;

	for (; n >= 8; p += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, p, 8);	/* x86 is little-endian, as the CRC is */
		c = __builtin_ia32_crc32di(c, w);
	}
	for (; n; p++, n--)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p);
	return ~(uint32_t)c;
}
#endif

uint32_t crc32c_sw(uint32_t crc, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	if (!table_ready)
		crc32c_init();
	crc = ~crc;
	while (n >= 8) {
		uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
				     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
		crc = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^
		      table[5][(lo >> 16) & 0xff] ^ table[4][lo >> 24] ^
		      table[3][p[4]] ^ table[2][p[5]] ^ table[1][p[6]] ^
		      table[0][p[7]];
		p += 8;
		n -= 8;
	}
	while (n--)
		crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xff];
	return ~crc;
}

uint32_t crc32c(uint32_t crc, const void *buf, size_t n)
{
#ifdef CRC32C_HW
	if (__builtin_cpu_supports("sse4.2"))
		return crc32c_hw(crc, buf, n);
#endif
	return crc32c_sw(crc, buf, n);
}
