/* Locale-independent number parsing and printing (see cnum.h).
 *
 * The "C" locale object is created once; uselocale changes only the
 * calling thread's locale. newlocale never fails for "C" in practice (it
 * can only run out of memory), but if it does (test builds: when
 * CTUNE_TEST_NEWLOCALE_FAIL is set), numbers are still read and written
 * as in "C":
 *  - parsing finds the extent of the "C" number itself, and takes its
 *    value from the library's exact decimal parser (core/numparse.h),
 *    which never reads the locale; only what that parser leaves to strtod
 *    (hex, inf, nan, zeros, values past the normal range, and the rare
 *    decimals its 128-bit product cannot decide) goes to strtod in the
 *    thread's locale, on a copy of exactly that extent with its '.'
 *    replaced by the locale's radix string (nl_langinfo, which reads the
 *    calling thread's locale and keeps no shared state); a copy that
 *    strtod does not read whole (the locale changed meanwhile) is not a
 *    number, never a misread one;
 *  - printing prints each conversion in the thread's locale, and
 *    replaces the locale's radix string with '.' in those of
 *    floating-point numbers. */
#define _DEFAULT_SOURCE /* nl_langinfo's RADIXCHAR */
#include "core/cnum.h"

#include <float.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/numparse.h"

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale = (locale_t)0;

static void c_locale_init(void)
{
#ifdef CTUNE_TEST_HOOKS
    /* Test builds only: with CTUNE_TEST_NEWLOCALE_FAIL set (to anything
     * but "" or "0"), the newlocale step fails, so that tests run the
     * fallbacks below under a decimal-comma locale. */
    const char *fail = getenv("CTUNE_TEST_NEWLOCALE_FAIL");
    if (fail && *fail && strcmp(fail, "0") != 0)
        return;
#endif
    c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/* Switches the calling thread to the "C" locale; returns the locale to
 * restore, or (locale_t)0 when there is no "C" locale object (then the
 * thread's locale stays, and the callers take the fallbacks). */
static locale_t enter_c(void)
{
    pthread_once(&c_locale_once, c_locale_init);
    if (c_locale == (locale_t)0)
        return (locale_t)0;
    return uselocale(c_locale);
}

static void leave_c(locale_t old)
{
    if (old != (locale_t)0)
        uselocale(old);
}

/* The radix string of the calling thread's locale ("." when it has none). */
static const char *host_radix(void)
{
    const char *r = nl_langinfo(RADIXCHAR);
    return r && *r ? r : ".";
}

/* Fallback of printing: the locale's radix string becomes '.' (a number
 * printed by %g holds no other copy of it). */
static void normalise_radix(char *s)
{
    const char *r = host_radix();
    size_t rl = strlen(r);
    if (!strcmp(r, "."))
        return;
    char *p = strstr(s, r);
    if (p) {
        *p = '.';
        memmove(p + 1, p + rl, strlen(p + rl) + 1);
    }
}

static int c_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static int c_digit(char c) { return c >= '0' && c <= '9'; }
static int c_xdigit(char c)
{
    return c_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static int c_lower(char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

/* Does s start with the lower-case word w, in any case? */
static int starts_ci(const char *s, const char *w)
{
    for (; *w; s++, w++)
        if (c_lower(*s) != *w)
            return 0;
    return 1;
}

/* The end of the number strtod reads in the "C" locale at p (after the
 * spaces), or p when there is none: [sign] then a decimal (digits with at
 * most one '.', at least one digit, then e[sign]digits), hex (0x, hex
 * digits with at most one '.', then p[sign]digits), inf, infinity, nan or
 * nan(chars). Its '.' is at *dot (NULL when it has none). */
static const char *c_number_end(const char *p, const char **dot)
{
    const char *s = p;
    *dot = NULL;
    if (*s == '+' || *s == '-')
        s++;
    if (starts_ci(s, "inf"))
        return s + (starts_ci(s + 3, "inity") ? 8 : 3);
    if (starts_ci(s, "nan")) {
        s += 3;
        if (*s == '(') {
            const char *q = s + 1;
            while (c_digit(*q) || (c_lower(*q) >= 'a' && c_lower(*q) <= 'z') || *q == '_')
                q++;
            if (*q == ')')
                return q + 1;
        }
        return s;
    }
    int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
              (c_xdigit(s[2]) || (s[2] == '.' && c_xdigit(s[3])));
    int (*is_digit)(char) = hex ? c_xdigit : c_digit;
    const char *q = hex ? s + 2 : s;
    size_t nd = 0;
    for (; is_digit(*q); q++)
        nd++;
    if (*q == '.') {
        *dot = q;
        for (q++; is_digit(*q); q++)
            nd++;
    }
    if (nd == 0) {
        *dot = NULL;
        return p;
    }
    if (c_lower(*q) == (hex ? 'p' : 'e')) {
        const char *x = q + 1;
        if (*x == '+' || *x == '-')
            x++;
        if (c_digit(*x)) {
            while (c_digit(*x))
                x++;
            q = x;
        }
    }
    return q;
}

/* strtod of the number [p, q) in the calling thread's locale, its '.' (at
 * dot, or NULL) replaced by the locale's radix string. Returns 0 and sets
 * *ok = 0 when strtod does not read the copy whole. */
static double host_strtod(const char *p, const char *q, const char *dot, int *ok)
{
    const char *r = dot ? host_radix() : ".";
    size_t n = (size_t)(q - p), rl = strlen(r), len = n - (dot != NULL) + (dot ? rl : 0);
    char small[256], *buf = len < sizeof small ? small : ctune__malloc(len + 1);
    *ok = 0;
    if (!buf)
        return 0;
    if (dot) {
        size_t k = (size_t)(dot - p);
        memcpy(buf, p, k);
        memcpy(buf + k, r, rl);
        memcpy(buf + k + rl, dot + 1, n - k - 1);
    } else {
        memcpy(buf, p, n);
    }
    buf[len] = '\0';
    char *end;
    double v = strtod(buf, &end);
    *ok = end == buf + len;
    if (buf != small)
        ctune__free(buf);
    return *ok ? v : 0;
}

/* ctune__strtod_c without a "C" locale object: the same value, end and
 * errno as strtod in "C". */
static double strtod_fallback(const char *s, char **end)
{
    const char *p = s;
    while (c_space(*p))
        p++;
    const char *dot, *q = c_number_end(p, &dot);
    if (q == p) {
        if (end)
            *end = (char *)s;
        return 0;
    }
    double v;
    /* the exact parser's value, when normal: zeros, subnormals and
     * overflows take strtod for its errno (ERANGE) */
    if (ctune__parse_decimal(p, q, &v) == q && fabs(v) > DBL_MIN && fabs(v) <= DBL_MAX) {
        if (end)
            *end = (char *)q;
        return v;
    }
    int ok;
    v = host_strtod(p, q, dot, &ok);
    if (end)
        *end = (char *)(ok ? q : s);
    return v;
}

double ctune__strtod_c(const char *s, char **end)
{
    locale_t old = enter_c();
    if (old == (locale_t)0)
        return strtod_fallback(s, end);
    double v = strtod(s, end);
    leave_c(old);
    return v;
}

/* The output of vsnprintf_fallback: what fits of it in (buf, cap), and
 * the length of the whole. */
typedef struct out {
    char *buf;
    size_t cap, len;
} out;

static void emit(out *o, const char *s, size_t n)
{
    if (o->len < o->cap) {
        size_t k = o->cap - o->len - 1 < n ? o->cap - o->len - 1 : n;
        memcpy(o->buf + o->len, s, k);
    }
    o->len += n;
}

/* One conversion: `spec` is a copy of a conversion of a format checked by
 * the compiler at the call (CTUNE_PRINTF), with any '*' replaced by its
 * value, so the format is not a literal here. */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
#define PIECE(T)                                                                      \
    do {                                                                              \
        T a_ = va_arg(ap, T);                                                         \
        int k_ = snprintf(small, sizeof small, spec, a_);                             \
        if (k_ < 0)                                                                   \
            return -1;                                                                \
        char *p_ = (size_t)k_ < sizeof small ? small : ctune__malloc((size_t)k_ + 1); \
        if (!p_)                                                                      \
            return -1;                                                                \
        if (p_ != small)                                                              \
            snprintf(p_, (size_t)k_ + 1, spec, a_);                                   \
        if (is_float)                                                                 \
            normalise_radix(p_);                                                      \
        emit(o, p_, is_float ? strlen(p_) : (size_t)k_);                              \
        if (p_ != small)                                                              \
            ctune__free(p_);                                                          \
    } while (0)

/* vsnprintf as in "C" without a "C" locale object: the format's
 * conversions are printed one by one in the thread's locale, those of
 * floating-point numbers with the locale's radix string made '.' (the
 * others do not depend on the locale). Returns -1 when out of memory. */
static int vsnprintf_fallback(out *o, const char *fmt, va_list ap)
{
    char spec[64], small[256];
    for (const char *f = fmt; *f;) {
        if (*f != '%') {
            const char *q = strchr(f, '%');
            size_t n = q ? (size_t)(q - f) : strlen(f);
            emit(o, f, n);
            f += n;
            continue;
        }
        if (f[1] == '%') {
            emit(o, "%", 1);
            f += 2;
            continue;
        }
        /* %[flags][width][.precision][length]conversion, '*' as digits */
        size_t n = 0;
        spec[n++] = *f++;
        while (*f && strchr("-+ #0'", *f) && n < 8)
            spec[n++] = *f++;
        for (int part = 0; part < 2; part++) {
            if (part == 1) {
                if (*f != '.')
                    break;
                spec[n++] = *f++;
            }
            if (*f == '*') {
                int v = va_arg(ap, int);
                f++;
                if (part == 1 && v < 0) { /* a negative precision: none */
                    n--;
                    continue;
                }
                n += (size_t)snprintf(spec + n, sizeof spec - n, "%d", v);
            }
            while (*f >= '0' && *f <= '9' && n < 40)
                spec[n++] = *f++;
        }
        char len1 = 0, len2 = 0;
        if (*f && strchr("hljztL", *f)) {
            len1 = spec[n++] = *f++;
            if ((len1 == 'h' || len1 == 'l') && *f == len1)
                len2 = spec[n++] = *f++;
        }
        char conv = *f;
        if (!conv)
            break;
        spec[n++] = *f++;
        spec[n] = '\0';
        int is_float = strchr("fFeEgGaA", conv) != NULL;
        int is_signed = conv == 'd' || conv == 'i';
        if (is_float) {
            if (len1 == 'L')
                PIECE(long double);
            else
                PIECE(double);
        } else if (is_signed || strchr("ouxX", conv)) {
            /* (hh and h take an int, promoted) */
            if (len1 == 'z')
                PIECE(size_t);
            else if (len1 == 't')
                PIECE(ptrdiff_t);
            else if (len1 == 'l' && len2 && is_signed)
                PIECE(long long);
            else if (len1 == 'l' && len2)
                PIECE(unsigned long long);
            else if (len1 == 'l' && is_signed)
                PIECE(long);
            else if (len1 == 'l')
                PIECE(unsigned long);
            else if (len1 == 'j' && is_signed)
                PIECE(intmax_t);
            else if (len1 == 'j')
                PIECE(uintmax_t);
            else if (is_signed)
                PIECE(int);
            else
                PIECE(unsigned);
        } else if (conv == 'c') {
            PIECE(int);
        } else if (conv == 's') {
            PIECE(const char *);
        } else if (conv == 'p') {
            PIECE(void *);
        } else {
            return -1; /* %n or an unknown conversion: not in the library's formats */
        }
    }
    return 0;
}
#undef PIECE
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

int ctune__vsnprintf_c(char *buf, size_t cap, const char *fmt, va_list ap)
{
    locale_t old = enter_c();
    if (old == (locale_t)0) {
        out o = {buf, cap, 0};
        va_list aq;
        va_copy(aq, ap);
        int rc = vsnprintf_fallback(&o, fmt, aq);
        va_end(aq);
        if (rc < 0 || o.len > INT_MAX)
            return -1;
        if (cap)
            buf[o.len < cap ? o.len : cap - 1] = '\0';
        return (int)o.len;
    }
    int n = vsnprintf(buf, cap, fmt, ap);
    leave_c(old);
    return n;
}

int ctune__snprintf_c(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = ctune__vsnprintf_c(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}

int ctune__fmt_double(char *buf, size_t cap, double v)
{
    if (isnan(v))
        return snprintf(buf, cap, "nan");
    if (isinf(v))
        return snprintf(buf, cap, v > 0 ? "inf" : "-inf");
    char tmp[64];
    locale_t old = enter_c();
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (old == (locale_t)0)
            normalise_radix(tmp);
        if ((old == (locale_t)0 ? strtod_fallback(tmp, NULL) : strtod(tmp, NULL)) == v)
            break;
    }
    leave_c(old);
    return snprintf(buf, cap, "%s", tmp);
}
