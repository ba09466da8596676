/* Exact, locale-free decimal number parsing (the CSV loader's cells, JSON
 * numbers, and the fallback of ctune__strtod_c). */
#ifndef CTUNE_CORE_NUMPARSE_H
#define CTUNE_CORE_NUMPARSE_H

#include <stddef.h>
#include <stdint.h>

/* Parses a number at the start of [p, e) without skipping spaces. Returns the
 * pointer past the number, or NULL when [p, e) does not start with one.
 * The value equals strtod's (correctly rounded, in the "C" locale):
 * decimals take Clinger's exact path or Eisel-Lemire's 128-bit product;
 * the rare cases neither decides, hex, inf and nan go through strtod
 * (ctune__strtod_c). */
const char *ctune__parse_number(const char *p, const char *e, double *out);

/* Parses the whole NUL-terminated text `s` (no surrounding spaces allowed).
 * Returns 1 and sets *out on success, 0 when `s` is not exactly a number. */
int ctune__parse_number_full(const char *s, size_t n, double *out);

/* ctune__parse_number() without strtod: the decimal "[sign]digits[.digits]
 * [e[sign]digits]" at the start of [p, e) when Clinger's path or
 * Eisel-Lemire's decides its value (strtod's, bit for bit); NULL for
 * anything else (no decimal there, hex, inf, nan, or a value only strtod
 * decides). Never reads the locale. */
const char *ctune__parse_decimal(const char *p, const char *e, double *out);

extern const double ctune__pow10_exact[23]; /* 1e0 .. 1e22 */
extern const uint64_t ctune__pow10_u64[9];  /* 1 .. 1e8 */

#endif
