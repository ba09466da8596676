/* The CSV loader's short-cell path (the exact parser it falls back on is
 * core/numparse.h). */
#ifndef CTUNE_IO_NUMPARSE_H
#define CTUNE_IO_NUMPARSE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/numparse.h"

/* ---- the short-cell path, inlined into the CSV loader --------------------
 *
 * A CSV cell is most often "[sign]digits.digits" with a few digits and no
 * exponent. Every number cell of the loader (those of a row's delimiter
 * index and those of its general loop, for quoted or irregular rows)
 * goes through ctune__parse_short_cell (or its SSSE3 form) with the
 * cell's end known, then, when that declines, through
 * ctune__parse_number() bounded by the same end. The value is Clinger's
 * exact case: w < 10^15 < 2^53 and 10^f (f <= 15) are exact doubles, so
 * w / 10^f is one correctly rounded division, strtod's result bit for
 * bit. */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
#define CTUNE__SHORT_CELL 1
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Bit i set when byte i of x (8 bytes) is not an ASCII digit. */
static inline unsigned ctune__nondigit_mask8(uint64_t x)
{
    uint64_t a = x ^ UINT64_C(0x3030303030303030); /* digits -> 0..9 */
    /* a byte is >= 10 (not a digit) when adding 0x76 to its low 7 bits
     * reaches 0x80, or when its top bit is set; no carries between bytes */
    uint64_t b = ((((a & UINT64_C(0x7F7F7F7F7F7F7F7F)) + UINT64_C(0x7676767676767676)) | a) >> 7) &
                 UINT64_C(0x0101010101010101);
    /* byte i's bit (at 8i) moves to bit 56 + i; no two products overlap */
    return (unsigned)((b * UINT64_C(0x0102040810204080)) >> 56);
}

/* Bit i set when byte i of the 16 at d is not an ASCII digit. */
static inline unsigned ctune__nondigit_mask16(const char *d)
{
#if defined(__SSE2__)
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)d);
    __m128i bad = _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8('0')),
                               _mm_cmpgt_epi8(x, _mm_set1_epi8('9')));
    return (unsigned)_mm_movemask_epi8(bad);
#else
    uint64_t x0, x1;
    memcpy(&x0, d, 8);
    memcpy(&x1, d + 8, 8);
    return ctune__nondigit_mask8(x0) | ctune__nondigit_mask8(x1) << 8;
#endif
}

/* Value of the first k (0..8) digit characters of the 8 bytes at p (0 for
 * k = 0, without a branch: the shift by 64 - 8k is done in two halves). */
static inline uint64_t ctune__digits8z(const char *p, unsigned k)
{
    uint64_t v;
    memcpy(&v, p, 8);
    unsigned h = 4 * (8 - k);
    v = ((v ^ UINT64_C(0x3030303030303030)) << h) << h; /* digit values, k at the top */
    v = v * 10 + (v >> 8);                              /* pairs */
    v = ((v & UINT64_C(0x000000FF000000FF)) * (100 + (UINT64_C(1000000) << 32)) +
         ((v >> 16) & UINT64_C(0x000000FF000000FF)) * (1 + (UINT64_C(10000) << 32))) >>
        32;
    return v;
}

/* The short-decimal path for a cell whose end is known: [p, fe) must be
 * the whole number "[sign]digits[.digits]" with 1 to 7 digits before the
 * point and at most 8 after it. Requires 17 readable bytes from p (bytes
 * past fe are loaded but ignored). Returns 1 and sets *out (strtod's value,
 * Clinger's exact case as above), or 0 for any other text, which the
 * caller then gives to ctune__parse_number(). No step waits for the end
 * of the previous cell: with every cell's start known (a row's delimiter
 * index), the cells of a row are converted in parallel by the processor;
 * and the digits before and after the point are converted without a
 * branch on their counts. */
static inline int ctune__parse_short_cell(const char *p, const char *fe, double *out)
{
    unsigned neg = *p == '-';
    const char *d = p + (neg | (*p == '+'));
    size_t n = (size_t)(fe - d); /* huge when fe < d */
    if (n - 1 > 15)
        return 0;                                         /* 1 to 16 bytes after the sign */
    unsigned m = ctune__nondigit_mask16(d) & ~(~0u << n); /* in the cell */
    unsigned j1 = (unsigned)__builtin_ctz(m | 1u << n);   /* the point, or the end */
    unsigned dot = m != 0;
    unsigned f = (unsigned)n - j1 - dot; /* digits after the point */
    /* one non-digit at most, and it is the point; 1..7 digits before it,
     * at most 8 after it */
    if ((m & (m - 1)) | (j1 - 1 > 6) | (f > 8) | (d[j1] != '.' && dot))
        return 0;
    uint64_t w = ctune__digits8z(d, j1) * ctune__pow10_u64[f] + ctune__digits8z(d + j1 + 1, f);
    /* w < 10^15: exact as a signed conversion, which takes no branch */
    double v = (double)(int64_t)w / ctune__pow10_exact[f];
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    bits |= (uint64_t)neg << 63;
    memcpy(out, &bits, sizeof bits);
    return 1;
}

#if defined(__SSE2__) && defined(__x86_64__)
/* The same path with SSSE3 (the caller checks that the processor has it):
 * up to 15 digits with one point anywhere among them ("5.", ".5" too;
 * w < 10^15 keeps Clinger's exact case). One byte shuffle drops the point
 * and right-aligns the digits in a 16-byte vector, which three
 * multiply-adds turn into two 8-digit halves. */
#define CTUNE__SHORT_CELL_SSSE3 1
#include <tmmintrin.h>

/* Sliding windows for the shuffle: 16 bytes at ctune__ssse3_iota + D are
 * D - 16 .. D - 1 (byte k: the index among the D digits of the digit that
 * goes to byte k, negative for a leading zero); 16 bytes at
 * ctune__ssse3_step + f are 0xFF (-1) from byte 16 - f on: the f digits
 * after the point, which sit one byte further on in the text. */
static const signed char ctune__ssse3_iota[32] = {
    -16, -15, -14, -13, -12, -11, -10, -9, -8, -7, -6, -5, -4, -3, -2, -1,
    0,   1,   2,   3,   4,   5,   6,   7,  8,  9,  10, 11, 12, 13, 14, 15,
};
static const signed char ctune__ssse3_step[32] = {
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

__attribute__((target("ssse3"))) static inline int ctune__parse_short_cell_ssse3(const char *p,
                                                                                 const char *fe,
                                                                                 double *out)
{
    unsigned neg = *p == '-';
    const char *d = p + (neg | (*p == '+'));
    size_t n = (size_t)(fe - d); /* huge when fe < d */
    if (n - 1 > 15)
        return 0; /* 1 to 16 bytes after the sign */
    __m128i y = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(const void *)d), _mm_set1_epi8('0'));
    __m128i nine = _mm_set1_epi8(9);
    unsigned digit = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(y, nine), nine));
    unsigned m = ~digit & ~(~0u << n);                 /* the non-digits in the cell */
    unsigned j = (unsigned)__builtin_ctz(m | 1u << n); /* the point, or the end */
    unsigned dot = m != 0, nd = (unsigned)n - dot;     /* nd: digits */
    /* one non-digit at most, the point, and 1 to 15 digits */
    if ((m & (m - 1)) | (nd - 1 > 14) | (dot && d[j] != '.'))
        return 0;
    __m128i idx = _mm_sub_epi8(
        _mm_loadu_si128((const __m128i *)(const void *)(ctune__ssse3_iota + nd)),
        _mm_loadu_si128((const __m128i *)(const void *)(ctune__ssse3_step + nd - j)));
    /* digit values, right-aligned, the first (most significant) in the
     * lowest byte that holds one, zeros before */
    __m128i z = _mm_shuffle_epi8(y, idx);
    __m128i t = _mm_maddubs_epi16(z, _mm_set1_epi16(0x010A)); /* 10 a + b: 2 digits */
    t = _mm_madd_epi16(t, _mm_set1_epi32(0x00010064));        /* 4 digits */
    t = _mm_packs_epi32(t, t);                                /* as 16-bit words */
    t = _mm_madd_epi16(t, _mm_set1_epi32(0x00012710));        /* 8 digits */
    uint64_t h = (uint64_t)_mm_cvtsi128_si64(t);
    uint64_t w = (h & 0xFFFFFFFFu) * 100000000u + (h >> 32);
    double v = (double)(int64_t)w / ctune__pow10_exact[nd - j]; /* nd - j: after the point */
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    bits |= (uint64_t)neg << 63;
    memcpy(out, &bits, sizeof bits);
    return 1;
}
#endif

#else
static inline int ctune__parse_short_cell(const char *p, const char *fe, double *out)
{
    (void)p, (void)fe, (void)out;
    return 0; /* the caller takes ctune__parse_number() */
}
#endif

#endif
