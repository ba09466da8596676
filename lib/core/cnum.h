/* Locale-independent numbers: every double ctune parses or prints goes
 * through these, so a host program that calls setlocale(LC_ALL, "") under a
 * decimal-comma locale (de_DE, fr_FR, ...) reads and writes the same text as
 * under "C". They switch only the calling thread's locale, for the duration
 * of the call (uselocale), and never touch the process-wide one. */
#ifndef CTUNE_CORE_CNUM_H
#define CTUNE_CORE_CNUM_H

#include <stdarg.h>
#include <stddef.h>

/* strtod in the "C" locale whatever the process or thread locale is. */
double ctune__strtod_c(const char *s, char **end);

/* Shortest text that strtod reads back as exactly `v` ("%.17g" at most),
 * with '.' as the radix character; "nan", "inf", "-inf" for the specials.
 * Writes at most `cap` bytes including the NUL (32 always suffice) and
 * returns the length snprintf would return. */
int ctune__fmt_double(char *buf, size_t cap, double v);

/* vsnprintf / snprintf in the "C" locale (for messages and files that
 * contain %g / %f conversions). */
int ctune__vsnprintf_c(char *buf, size_t cap, const char *fmt, va_list ap);
int ctune__snprintf_c(char *buf, size_t cap, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
