/* Compiler hints for the NN engine's hot loops. Include first in a .c file:
 * loops are compiled at -O3 with FMA contraction and without errno from
 * sqrtf (so they vectorize), and CTUNE__MULTIVERSION marks functions that
 * get AVX-512 / AVX2 clones picked at load time (GCC on x86-64 Linux). */
#ifndef CTUNE_NN_HOT_H
#define CTUNE_NN_HOT_H

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3", "fp-contract=fast", "no-math-errno")
#endif

/* Not under ThreadSanitizer: GCC instruments the ifunc resolvers, which run
 * while the executable is relocated, before the TSan runtime is set up (a
 * program linking the static library crashed at load). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(CTUNE_NO_MULTIVERSION) && !defined(__SANITIZE_THREAD__)
#define CTUNE__MULTIVERSION \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CTUNE__MULTIVERSION
#endif

#endif
