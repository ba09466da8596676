/* The delimiter index of a CSV record, for the loader's data rows. */
#ifndef CTUNE_IO_CSV_INDEX_H
#define CTUNE_IO_CSV_INDEX_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#define CTUNE__CSV_INDEX_WIDE 1
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
#define CTUNE__CSV_INDEX_WIDE 1
#endif

/* Writes the offsets from s of the bytes equal to `delim` in [s, e) into
 * pos[0 .. max) and returns how many there are, or max + 1 as soon as there
 * are more than max (pos then holds the first max). Bytes from e up to
 * `readable` (>= e) may be loaded but never count; nothing at or past
 * `readable` is read. Records are shorter than 4 GiB (the loader caps them
 * at 64 MiB), so the offsets fit in 32 bits.
 *
 * Finding every delimiter of a row first lets the loader start each cell
 * from its known offset: the cells of a row are then parsed independently,
 * not each after the end of the previous one was found. 32 bytes are
 * compared at a time (two SSE2 compares, or four 64-bit words on other
 * little-endian machines), the set bits of the match mask turned into
 * offsets; elsewhere, and for the last bytes, one byte at a time. */
static inline size_t ctune__csv_index(const char *s, const char *e, const char *readable,
                                      char delim, uint32_t *pos, size_t max)
{
    size_t len = (size_t)(e - s), n = 0, i = 0;
#ifdef CTUNE__CSV_INDEX_WIDE
    size_t full = (size_t)(readable - s); /* bytes that may be loaded */
#if defined(__SSE2__)
    const __m128i dv = _mm_set1_epi8(delim);
#else
    const uint64_t ones = UINT64_C(0x0101010101010101), dv = ones * (unsigned char)delim;
#endif
    for (; i < len && full - i >= 32; i += 32) {
#if defined(__SSE2__)
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 16));
        uint64_t m = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a, dv)) |
                     (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, dv)) << 16;
#else
        uint64_t m = 0;
        for (int k = 0; k < 4; k++) {
            uint64_t x;
            memcpy(&x, s + i + 8 * k, 8);
            x ^= dv; /* a matching byte becomes 0 */
            /* 0x80 in each zero byte, exactly (no carries between bytes) */
            uint64_t z = ~(((x & (ones * 0x7F)) + ones * 0x7F) | x) & (ones * 0x80);
            /* byte j's bit (at 8j + 7) moves to bit 56 + j */
            m |= (((z >> 7) * UINT64_C(0x0102040810204080)) >> 56) << (8 * k);
        }
#endif
        if (len - i < 32)
            m &= (UINT64_C(1) << (len - i)) - 1; /* bytes past e do not count */
        while (m) {
            if (n == max)
                return max + 1;
            pos[n++] = (uint32_t)(i + (size_t)__builtin_ctzll(m));
            m &= m - 1;
        }
    }
#else
    (void)readable;
#endif
    for (; i < len; i++) { /* the last bytes (fewer than 32 readable) */
        if (s[i] == delim) {
            if (n == max)
                return max + 1;
            pos[n++] = (uint32_t)i;
        }
    }
    return n;
}

#endif
