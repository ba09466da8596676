/* Fast decimal number parsing: Clinger's exact fast path, strtod otherwise.
 *
 * A decimal w × 10^q with w < 2^53 and |q| <= 22 is computed with a single
 * IEEE multiplication or division of two exactly representable doubles, so
 * the result is correctly rounded, i.e. equal to strtod's. Everything else
 * falls back to strtod (in the "C" locale). */
#include "io/numparse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const double POW10[23] = {
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

/* An exponent "e[+-]digits" at p adds to *q; returns the end ("1e" is
 * the number 1 followed by 'e', as for strtod). */
static const char *parse_exponent(const char *p, const char *e, int64_t *q)
{
    if (!(p < e && (*p == 'e' || *p == 'E')))
        return p;
    const char *pe = p + 1;
    int eneg = 0;
    if (pe < e && (*pe == '-' || *pe == '+')) {
        eneg = *pe == '-';
        pe++;
    }
    if (!(pe < e && is_digit(*pe)))
        return p;
    int64_t x = 0;
    while (pe < e && is_digit(*pe)) {
        if (x < 100000)
            x = x * 10 + (*pe - '0');
        pe++;
    }
    *q += eneg ? -x : x;
    return pe;
}

/* w × 10^q with one rounding when that is possible in doubles (Clinger's
 * fast path): 1 and *v, else 0. */
static int exact_value(uint64_t w, int64_t q, double *v)
{
    if (w > (UINT64_C(1) << 53))
        return 0;
    if (q >= -22 && q <= 22) {
        *v = q < 0 ? (double)w / POW10[-q] : (double)w * POW10[q];
        return 1;
    }
    if (q > 22 && q <= 22 + 15) {
        /* w × 10^(q-22) may still be exact: then one rounding. */
        uint64_t m = w;
        for (int64_t k = q - 22; k > 0; k--) {
            if (m > (UINT64_C(1) << 53) / 10)
                return 0;
            m *= 10;
        }
        *v = (double)m * 1e22;
        return 1;
    }
    return 0;
}

const char *ctune__parse_number(const char *p, const char *e, double *out)
{
    const char *s0 = p;
    int neg = 0;
    if (p < e && (*p == '-' || *p == '+')) {
        neg = *p == '-';
        p++;
    }
    uint64_t w = 0;
    int nd = 0;       /* significant digits in w */
    int64_t q = 0;    /* decimal exponent */
    int digits = 0;   /* any digit at all */
    int overflow = 0; /* more than 19 significant digits */

    while (p < e && *p == '0') {
        p++;
        digits = 1;
    }
    while (p < e && is_digit(*p)) {
        if (nd < 19) {
            w = w * 10 + (uint64_t)(*p - '0');
            nd++;
        } else {
            overflow = 1;
        }
        p++;
        digits = 1;
    }
    if (p < e && *p == '.') {
        p++;
        if (nd == 0) {
            while (p < e && *p == '0') {
                p++;
                q--;
                digits = 1;
            }
        }
        while (p < e && is_digit(*p)) {
            if (nd < 19) {
                w = w * 10 + (uint64_t)(*p - '0');
                nd++;
                q--;
            } else {
                overflow = 1;
            }
            p++;
            digits = 1;
        }
    }
    if (!digits || (p < e && (*p == 'x' || *p == 'X')))
        return slow_path(s0, e, out); /* inf, nan, hex, or not a number */
    p = parse_exponent(p, e, &q);
    if (overflow)
        return slow_path(s0, e, out);
    if (w == 0) {
        *out = neg ? -0.0 : 0.0;
        return p;
    }
    double v;
    if (!exact_value(w, q, &v))
        return slow_path(s0, e, out);
    *out = neg ? -v : v;
    return p;
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
