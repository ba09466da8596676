/* Fast decimal number parsing for the CSV loader. */
#ifndef CTUNE_IO_NUMPARSE_H
#define CTUNE_IO_NUMPARSE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/cnum.h" /* ctune__strtod_c */

/* Parses a number at the start of [p, e) without skipping spaces. Returns the
 * pointer past the number, or NULL when [p, e) does not start with one.
 * The value equals strtod's (correctly rounded, in the "C" locale):
 * decimals take Clinger's exact path or Eisel-Lemire's 128-bit product;
 * the rare cases neither decides, hex, inf and nan go through strtod. */
const char *ctune__parse_number(const char *p, const char *e, double *out);

/* Parses the whole NUL-terminated text `s` (no surrounding spaces allowed).
 * Returns 1 and sets *out on success, 0 when `s` is not exactly a number. */
int ctune__parse_number_full(const char *s, size_t n, double *out);

/* ---- the short-decimal path, inlined into the CSV loop ---------------------
 *
 * A CSV cell is most often "[sign]digits.digits" with 1 to 7 digits before
 * the point, at most 8 after it and no exponent. When 17 bytes after the
 * sign can be read, this path finds the point and the end of such a
 * number in one mask of the non-digit bytes of two 64-bit words (the first
 * non-digit is the point or the end, the second the end after a point), so
 * the next cell's start waits for one load and a few bit operations; the
 * digits before and after the point are converted 8 at a time, off that
 * chain. The value is Clinger's exact case: w < 10^15 < 2^53 and 10^f
 * (f <= 8) are exact doubles, so w / 10^f is one correctly rounded
 * division, strtod's result bit for bit. Anything else (an exponent, hex,
 * inf, nan, a leading point, more digits, fewer readable bytes) returns
 * NULL and the caller takes ctune__parse_number(). */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
#define CTUNE__SHORT_DECIMAL 1

extern const double ctune__pow10_exact[23]; /* 1e0 .. 1e22 */
extern const uint64_t ctune__pow10_u64[9];  /* 1 .. 1e8 */

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

/* Value of the first k (1..8) digit characters of the 8 bytes at p. */
static inline uint64_t ctune__digits8(const char *p, unsigned k)
{
    uint64_t v;
    memcpy(&v, p, 8);
    v = (v ^ UINT64_C(0x3030303030303030)) << (8 * (8 - k)); /* digit values, k at the top */
    v = v * 10 + (v >> 8);                                   /* pairs */
    v = ((v & UINT64_C(0x000000FF000000FF)) * (100 + (UINT64_C(1000000) << 32)) +
         ((v >> 16) & UINT64_C(0x000000FF000000FF)) * (1 + (UINT64_C(10000) << 32))) >>
        32;
    return v;
}

/* Requires e - p >= 1. */
static inline const char *ctune__parse_short_decimal(const char *p, const char *e, double *out)
{
    int neg = *p == '-';
    const char *d = p + ((*p == '-') | (*p == '+'));
    if (e - d < 17)
        return NULL;
    uint64_t x0, x1;
    memcpy(&x0, d, 8);
    memcpy(&x1, d + 8, 8);
    unsigned m = ctune__nondigit_mask8(x0) | ctune__nondigit_mask8(x1) << 8 | 1u << 16;
    unsigned j1 = (unsigned)__builtin_ctz(m); /* the point, or the end */
    /* 1..7 digits before the point (checked first: then bit 16 is still
     * set in m & (m - 1), which __builtin_ctz needs non-zero) */
    if (j1 - 1 > 6)
        return NULL;
    int dot = d[j1] == '.';
    unsigned j2 = dot ? (unsigned)__builtin_ctz(m & (m - 1)) : j1; /* the end */
    unsigned f = j2 - j1 - (unsigned)dot;                          /* digits after the point */
    /* <= 8 digits after the point, the end seen (< 16) */
    if (f > 8 || j2 > 15)
        return NULL;
    unsigned char t = (unsigned char)(d[j2] | 0x20);
    if (t == 'e' || t == 'x')
        return NULL; /* an exponent, or hex */
    uint64_t w = ctune__digits8(d, j1) * ctune__pow10_u64[f];
    if (f)
        w += ctune__digits8(d + j1 + 1, f);
    double v = (double)w / ctune__pow10_exact[f];
    uint64_t bits; /* the sign by a bit operation: a branch on it mispredicts */
    memcpy(&bits, &v, sizeof bits);
    bits |= (uint64_t)neg << 63;
    memcpy(out, &bits, sizeof bits);
    return d + j2;
}

/* ctune__parse_number() with the short-decimal path tried first. */
static inline const char *ctune__parse_number_fast(const char *p, const char *e, double *out)
{
    const char *q = p < e ? ctune__parse_short_decimal(p, e, out) : NULL;
    return q ? q : ctune__parse_number(p, e, out);
}
#else
static inline const char *ctune__parse_number_fast(const char *p, const char *e, double *out)
{
    return ctune__parse_number(p, e, out);
}
#endif

#endif
