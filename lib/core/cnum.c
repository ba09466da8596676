/* Locale-independent number parsing and printing (see cnum.h).
 *
 * The "C" locale object is created once (newlocale never fails for "C" in
 * practice, but if it does the text is normalised by hand: a ',' radix
 * becomes '.'). uselocale changes only the calling thread's locale. */
#include "core/cnum.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale = (locale_t)0;

static void c_locale_init(void) { c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0); }

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

/* Fallback when no "C" locale object exists: the only radix characters of
 * single-byte locales are '.' and ','; a number printed by %g has no other
 * comma. */
static void normalise_radix(char *s)
{
    for (; *s; s++)
        if (*s == ',')
            *s = '.';
}

double ctune__strtod_c(const char *s, char **end)
{
    locale_t old = enter_c();
    double v = strtod(s, end);
    leave_c(old);
    return v;
}

int ctune__vsnprintf_c(char *buf, size_t cap, const char *fmt, va_list ap)
{
    locale_t old = enter_c();
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
    char tmp[40];
    locale_t old = enter_c();
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (old == (locale_t)0)
            normalise_radix(tmp);
        if (strtod(tmp, NULL) == v)
            break;
    }
    leave_c(old);
    return snprintf(buf, cap, "%s", tmp);
}
