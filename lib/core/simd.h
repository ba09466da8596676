/* CTUNE__MULTIVERSION marks a function whose loops walk rows of data or
 * weights: GCC on x86-64 Linux also compiles it for AVX-512 and AVX2
 * (x86-64-v4, -v3) and picks the clone at load time. Outside the NN's hot
 * files (nn/hot.h) the library is compiled as ISO C, where floating-point
 * contraction is off (no fused multiply-add is formed): there every clone
 * computes the same roundings, only more values at once.
 *
 * Not under ThreadSanitizer: GCC instruments the ifunc resolvers, which run
 * while the executable is relocated, before the TSan runtime is set up (a
 * program linking the static library crashed at load). */
#ifndef CTUNE_CORE_SIMD_H
#define CTUNE_CORE_SIMD_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(CTUNE_NO_MULTIVERSION) && !defined(__SANITIZE_THREAD__)
#define CTUNE__MULTIVERSION \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CTUNE__MULTIVERSION
#endif

#endif
