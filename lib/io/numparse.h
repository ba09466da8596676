/* Fast decimal number parsing for the CSV loader. */
#ifndef CTUNE_IO_NUMPARSE_H
#define CTUNE_IO_NUMPARSE_H

#include <stddef.h>

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

#endif
