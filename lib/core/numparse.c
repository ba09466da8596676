/* Fast decimal number parsing: exact, correctly rounded, locale-free.
 *
 * A decimal is read as w × 10^q with w the first 19 significant digits.
 * Three paths give strtod's result (the correctly rounded double):
 *  - Clinger's: w < 2^53 and |q| <= 22 are exact doubles, so one IEEE
 *    multiplication or division rounds once, correctly;
 *  - Eisel-Lemire's: w × (a 128-bit approximation of 5^q from a table)
 *    decides the 53-bit mantissa unless the product lies too close to a
 *    rounding boundary, which the algorithm detects (then: the next path);
 *    with more than 19 digits, w and w + 1 bracket the value and the
 *    result stands when both round to the same double;
 *  - strtod in the "C" locale, for the rest (ambiguous cases, hex, inf,
 *    nan, and texts that are not plain decimals); ctune__parse_decimal()
 *    stops before it (the fallback of ctune__strtod_c, cnum.c).
 * References: W. D. Clinger, "How to read floating point numbers
 * accurately" (1990); D. Lemire, "Number parsing at a gigabyte per second"
 * (2021); N. Mushtak and D. Lemire, "Fast number parsing without fallback"
 * (2023). */
#include "core/numparse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cnum.h"
#include "core/numparse_pow5.h"

const double ctune__pow10_exact[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* strtod on [p, e) copied into a bounded, NUL-terminated buffer. */
static const char *slow_path(const char *p, const char *e, double *out)
{
    char buf[512];
    size_t n = (size_t)(e - p);
    if (n > sizeof buf - 1)
        n = sizeof buf - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    /* strtod skips leading spaces; the CSV grammar does not. */
    if (n == 0 || buf[0] == ' ' || buf[0] == '\t' || buf[0] == '\n' || buf[0] == '\r' ||
        buf[0] == '\v' || buf[0] == '\f')
        return NULL;
    char *end;
    double v = ctune__strtod_c(buf, &end);
    if (end == buf)
        return NULL;
    *out = v;
    return p + (end - buf);
}

static inline int is_digit(char c) { return (unsigned)(c - '0') < 10u; }

#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 u128;
static inline uint64_t mul_hi_lo(uint64_t a, uint64_t b, uint64_t *lo)
{
    u128 r = (u128)a * b;
    *lo = (uint64_t)r;
    return (uint64_t)(r >> 64);
}
#else
static inline uint64_t mul_hi_lo(uint64_t a, uint64_t b, uint64_t *lo)
{
    uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
    *lo = (mid << 32) | (uint32_t)p00;
    return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}
#endif

static inline int clz64(uint64_t x) /* x != 0 */
{
#if defined(__GNUC__)
    return __builtin_clzll(x);
#else
    int n = 0;
    while (!(x & (UINT64_C(1) << 63))) {
        x <<= 1;
        n++;
    }
    return n;
#endif
}

/* floor(q × log2(10)) for |q| <= 350, as 217706 / 2^16 approximates log2(10)
 * closely enough over that range; written without shifting a negative. */
static inline int32_t floor_log2_pow10(int32_t q)
{
    int32_t t = 217706 * q;
    return t >= 0 ? t / 65536 : -((-t + 65535) / 65536);
}

#define MANT_BITS 52
#define INF_EXP 0x7FF

/* Eisel-Lemire: the bits of the double nearest to w × 10^q (w != 0), or 0
 * when the 128-bit product cannot decide the rounding (then: strtod). */
static int eisel_lemire(uint64_t w, int64_t q, uint64_t *bits)
{
    if (q < CTUNE_POW5_MIN_Q) { /* below half the smallest subnormal */
        *bits = 0;
        return 1;
    }
    if (q > CTUNE_POW5_MAX_Q) {
        *bits = (uint64_t)INF_EXP << MANT_BITS;
        return 1;
    }
    int lz = clz64(w);
    w <<= lz;
    const uint64_t *t = CTUNE_POW5[q - CTUNE_POW5_MIN_Q];
    uint64_t lo, hi = mul_hi_lo(w, t[0], &lo);
    /* 55 bits matter (53 + round + one to spare); when the 9 below are all
     * ones, a carry from the low half of the power could change them. A
     * decimal printed from a double (numpy's "%.18e") lies next to one, so
     * those bits are all ones about half the time: the second product is
     * taken always and added only then, which costs one multiplication
     * instead of a branch that mispredicts. */
    uint64_t lo2, hi2 = mul_hi_lo(w, t[1], &lo2);
    (void)lo2;
    hi2 &= -(uint64_t)((hi & 0x1FF) == 0x1FF);
    lo += hi2;
    hi += lo < hi2;
    if (lo == UINT64_MAX && (q < -27 || q > 55))
        return 0; /* the truncated power may hide a carry */
    int upper = (int)(hi >> 63);
    int shift = upper + 64 - MANT_BITS - 3;
    uint64_t m = hi >> shift;
    int32_t e2 = floor_log2_pow10((int32_t)q) + 63 + upper - lz + 1023;
    if (e2 <= 0) { /* subnormal (or zero) */
        if (-e2 + 1 >= 64) {
            *bits = 0;
            return 1;
        }
        m >>= -e2 + 1;
        m += m & 1; /* a subnormal halfway case needs far more than 19 digits */
        m >>= 1;
        /* rounding up may reach the smallest normal: the exponent field
         * becomes 1 and the mantissa field 0 */
        *bits = m < (UINT64_C(1) << MANT_BITS) ? m : (UINT64_C(1) << MANT_BITS);
        return 1;
    }
    /* exactly halfway between two doubles: only possible for small |q|, and
     * only when the discarded bits of the product are all zero */
    if (lo <= 1 && q >= -4 && q <= 23 && (m & 3) == 1 && (m << shift) == hi)
        m &= ~UINT64_C(1); /* round half to even: stay below */
    m += m & 1;
    m >>= 1;
    if (m >= (UINT64_C(2) << MANT_BITS)) {
        m = UINT64_C(1) << MANT_BITS;
        e2++;
    }
    m &= ~(UINT64_C(1) << MANT_BITS);
    if (e2 >= INF_EXP) {
        *bits = (uint64_t)INF_EXP << MANT_BITS;
        return 1;
    }
    *bits = ((uint64_t)e2 << MANT_BITS) | m;
    return 1;
}

static inline double from_bits(uint64_t b, int neg)
{
    double v;
    b |= (uint64_t)neg << 63;
    memcpy(&v, &b, sizeof v);
    return v;
}

/* Value of the decimal w × 10^q (w != 0): Clinger's path, then Eisel-Lemire.
 * Returns 0 when neither decides (the caller falls back to strtod). */
static inline int decimal_to_double(uint64_t w, int64_t q, int neg, double *out)
{
    if (w <= (UINT64_C(1) << 53) && q >= -22 && q <= 22) {
        double v = (double)w;
        v = q < 0 ? v / ctune__pow10_exact[-q] : v * ctune__pow10_exact[q];
        *out = neg ? -v : v;
        return 1;
    }
    uint64_t bits;
    if (!eisel_lemire(w, q, &bits))
        return 0;
    *out = from_bits(bits, neg);
    return 1;
}

const uint64_t ctune__pow10_u64[9] = {1,      10,      100,      1000,     10000,
                                      100000, 1000000, 10000000, 100000000};

/* Appends the decimal digits at p (up to e) to *w (w = 10 w + digit, wrapping
 * past 19 digits: the caller counts them); returns the end of the digits.
 * With 8 readable bytes, 8 characters are classified and converted at once
 * (SWAR on a little-endian 64-bit word); otherwise one at a time. */
static inline const char *digits(const char *p, const char *e, uint64_t *w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
    while (e - p >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        uint64_t a = x ^ UINT64_C(0x3030303030303030); /* digits -> 0..9 */
        /* a byte is not a digit when it is >= 10 (no carries between bytes) */
        uint64_t bad = (((a & UINT64_C(0x7F7F7F7F7F7F7F7F)) + UINT64_C(0x7676767676767676)) | a) &
                       UINT64_C(0x8080808080808080);
        int k = bad ? __builtin_ctzll(bad) / 8 : 8; /* leading digit characters */
        if (k == 0)
            return p;
        /* the k digits to the top bytes (first digit most significant),
         * zeros (leading zeros of the value) below */
        uint64_t v = k == 8 ? a : a << (8 * (8 - k));
        v = v * 10 + (v >> 8);
        v = ((v & UINT64_C(0x000000FF000000FF)) * (100 + (UINT64_C(1000000) << 32)) +
             ((v >> 16) & UINT64_C(0x000000FF000000FF)) * (1 + (UINT64_C(10000) << 32))) >>
            32;
        *w = *w * ctune__pow10_u64[k] + v;
        p += k;
        if (k < 8)
            return p;
    }
#endif
    uint64_t v = *w;
    while (p < e && is_digit(*p))
        v = v * 10 + (uint64_t)(*p++ - '0');
    *w = v;
    return p;
}

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

/* The number at the start of [p, e) when Clinger's path or Eisel-Lemire's
 * decides it: returns its end; else sets *undecided and returns NULL (no
 * decimal there, hex, inf, nan, or a value only strtod decides). */
static ALWAYS_INLINE const char *parse_decided(const char *p, const char *e, double *out,
                                               int *undecided)
{
    int neg = 0;
    if (p < e) { /* the sign without a branch on it: signs vary from cell to cell */
        neg = *p == '-';
        p += (*p == '-') | (*p == '+');
    }
    /* All digits go into w (it may wrap past 19 of them: counted, redone). */
    const char *int0 = p;
    uint64_t w = 0;
    p = digits(p, e, &w);
    const char *int1 = p, *frac0 = p, *frac1 = p;
    if (p < e && *p == '.') {
        frac0 = ++p;
        p = digits(p, e, &w);
        frac1 = p;
    }
    size_t n_int = (size_t)(int1 - int0), n_frac = (size_t)(frac1 - frac0);
    if (n_int + n_frac == 0 || (p < e && (*p == 'x' || *p == 'X')))
        goto undecided; /* inf, nan, hex, or not a number */
    int64_t q = -(int64_t)n_frac;
    if (p < e && (*p == 'e' || *p == 'E')) {
        const char *pe = p + 1;
        int eneg = 0;
        if (pe < e && (*pe == '-' || *pe == '+')) {
            eneg = *pe == '-';
            pe++;
        }
        if (pe < e && is_digit(*pe)) {
            int64_t x = 0;
            while (pe < e && is_digit(*pe)) {
                if (x < (INT64_C(1) << 50)) /* far beyond any double; no overflow */
                    x = x * 10 + (*pe - '0');
                pe++;
            }
            q += (x ^ -(int64_t)eneg) + eneg; /* -x when eneg, without a branch */
            p = pe;
        } /* else: "1e" is the number 1 followed by 'e', as for strtod */
    }
    if (n_int + n_frac > 19) {
        /* Redo with the first 19 significant digits (leading zeros do not
         * count); `truncated` when a dropped digit is not zero. */
        int64_t q10 = q + (int64_t)n_frac; /* the explicit exponent */
        int nd = 0, truncated = 0;
        w = 0;
        for (const char *d = int0; d < frac1; d++) {
            if (d == int1)
                continue; /* the '.' */
            int in_frac = d >= frac0;
            if (nd == 0 && *d == '0') {
                q10 -= in_frac;
            } else if (nd < 19) {
                w = w * 10 + (uint64_t)(*d - '0');
                nd++;
                q10 -= in_frac;
            } else {
                truncated |= *d != '0';
                q10 += !in_frac;
            }
        }
        q = q10;
        if (w == 0) {
            *out = neg ? -0.0 : 0.0;
            return p;
        }
        double v1, v2;
        if (!decimal_to_double(w, q, neg, &v1))
            goto undecided;
        if (truncated) { /* the value lies in (w, w + 1) × 10^q */
            if (!decimal_to_double(w + 1, q, neg, &v2) || v1 != v2)
                goto undecided;
        }
        *out = v1;
        return p;
    }
    if (w == 0) {
        *out = neg ? -0.0 : 0.0;
        return p;
    }
    if (decimal_to_double(w, q, neg, out))
        return p;
undecided:
    *undecided = 1;
    return NULL;
}

const char *ctune__parse_number(const char *p, const char *e, double *out)
{
    int undecided = 0;
    const char *q = parse_decided(p, e, out, &undecided);
    return undecided ? slow_path(p, e, out) : q;
}

const char *ctune__parse_decimal(const char *p, const char *e, double *out)
{
    int undecided = 0;
    const char *q = parse_decided(p, e, out, &undecided);
    return undecided ? NULL : q;
}

int ctune__parse_number_full(const char *s, size_t n, double *out)
{
    double v;
    const char *end = ctune__parse_number(s, s + n, &v);
    if (end && end == s + n) {
        *out = v;
        return 1;
    }
    if (n >= 511 && end) {
        /* Longer than the bounded copy of the fast parser: strtod directly
         * (s is NUL-terminated). */
        char *e2;
        if (s[0] == ' ' || s[0] == '\t')
            return 0;
        v = ctune__strtod_c(s, &e2);
        if (e2 == s + n) {
            *out = v;
            return 1;
        }
    }
    return 0;
}
