/* Compiler hints for the NN engine's hot loops. Include first in a .c file:
 * loops are compiled at -O3 with FMA contraction and without errno from
 * sqrtf (so they vectorize); CTUNE__MULTIVERSION (core/simd.h) marks
 * functions that get AVX-512 / AVX2 clones picked at load time. */
#ifndef CTUNE_NN_HOT_H
#define CTUNE_NN_HOT_H

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3", "fp-contract=fast", "no-math-errno")
#endif

#include "core/simd.h" /* CTUNE__MULTIVERSION */

#endif
