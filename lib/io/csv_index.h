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

/* Number of set bits of a 32-bit mask (the portable way). */
static inline unsigned ctune__popcount32(uint64_t m)
{
    m = m - ((m >> 1) & 0x55555555u);
    m = (m & 0x33333333u) + ((m >> 2) & 0x33333333u);
    m = (m + (m >> 4)) & 0x0F0F0F0Fu;
    return (unsigned)((m * 0x01010101u) >> 24) & 0xFF;
}

/* Writes the offsets from s of the bytes equal to `delim` in [s, e) into
 * pos[0 .. max) and returns how many there are, or max + 1 as soon as there
 * are more than max (pos then holds the first max). pos must have room for
 * max + 32 offsets: the ones past the count are scratch. Bytes from e up
 * to `readable` (>= e) may be loaded but never count; nothing at or past
 * `readable` is read. Records are shorter than 4 GiB (the loader caps them
 * at 64 MiB), so the offsets fit in 32 bits.
 *
 * Finding every delimiter of a row first lets the loader start each cell
 * from its known offset: the cells of a row are then parsed independently,
 * not each after the end of the previous one was found. 32 bytes are
 * compared at a time (two SSE2 compares, or four 64-bit words on other
 * little-endian machines); the first four offsets of a step (two in a row
 * of long cells) are written whether or not there are that many (which
 * spares a hard-to-predict branch per delimiter), the rest one by one; elsewhere, and for the last bytes, one
 * byte at a time. hw_popcount: use __builtin_popcountll (the caller is
 * compiled for a processor with a popcount instruction). */
static inline __attribute__((always_inline)) size_t ctune__csv_index_impl(
    const char *s, const char *e, const char *readable, char delim, uint32_t *pos, size_t max,
    int hw_popcount)
{
    size_t len = (size_t)(e - s), n = 0, i = 0;
#ifdef CTUNE__CSV_INDEX_WIDE
    /* rows of short cells (16 bytes or fewer on average): four offsets
     * written ahead, else two */
    const int dense = len / 16 < max + 1;
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
        unsigned cnt = hw_popcount ? (unsigned)__builtin_popcountll(m) : ctune__popcount32(m);
        uint32_t *o = pos + n, base = (uint32_t)i;
        /* bit 63 (never a byte's) keeps ctz defined once m is spent */
        const uint64_t stop = UINT64_C(1) << 63;
        o[0] = base + (uint32_t)__builtin_ctzll(m | stop);
        m &= m - 1;
        o[1] = base + (uint32_t)__builtin_ctzll(m | stop);
        m &= m - 1;
        o += 2;
        if (dense) {
            o[0] = base + (uint32_t)__builtin_ctzll(m | stop);
            m &= m - 1;
            o[1] = base + (uint32_t)__builtin_ctzll(m | stop);
            m &= m - 1;
            o += 2;
        }
        for (; m; m &= m - 1) /* more in these 32 bytes */
            *o++ = base + (uint32_t)__builtin_ctzll(m);
        n += cnt;
        if (n > max)
            return max + 1;
    }
#else
    (void)readable, (void)hw_popcount;
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

static inline size_t ctune__csv_index(const char *s, const char *e, const char *readable,
                                      char delim, uint32_t *pos, size_t max)
{
    return ctune__csv_index_impl(s, e, readable, delim, pos, max, 0);
}

/* The first byte equal to `delim` in [p, e), or e when there is none:
 * memchr's answer without its call for the short cells of a row (the
 * general loop's cell ends), looking at 32 bytes at once (two SSE2
 * compares) when 32 bytes from p can be loaded (e <= readable; bytes past
 * e never count, nothing at or past `readable` is read). */
static inline const char *ctune__csv_next_delim(const char *p, const char *e, const char *readable,
                                                char delim)
{
    size_t len = (size_t)(e - p);
#if defined(__SSE2__)
    if (readable - p >= 32) {
        const __m128i dv = _mm_set1_epi8(delim);
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
        uint32_t m = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a, dv)) |
                     (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, dv)) << 16;
        if (len < 32)
            m &= (UINT32_C(1) << len) - 1;
        if (m)
            return p + __builtin_ctz(m);
        if (len <= 32)
            return e;
        const char *f = memchr(p + 32, delim, len - 32);
        return f ? f : e;
    }
#else
    (void)readable;
#endif
    const char *f = memchr(p, delim, len);
    return f ? f : e;
}

#if defined(__x86_64__) && defined(__GNUC__)
#define CTUNE__CSV_INDEX_POPCNT 1
/* The same with the popcnt instruction (the caller checks that the
 * processor has it). */
__attribute__((target("popcnt"))) static inline size_t ctune__csv_index_popcnt(
    const char *s, const char *e, const char *readable, char delim, uint32_t *pos, size_t max)
{
    return ctune__csv_index_impl(s, e, readable, delim, pos, max, 1);
}
#endif

#endif
