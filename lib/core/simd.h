/* CTUNE__CLONES marks a function whose loops walk rows of data: GCC on
 * x86-64 Linux also compiles it for AVX-512 and AVX2 (x86-64-v4, -v3) and
 * picks the clone at load time. The library is compiled in ISO C mode,
 * where floating-point contraction is off (no fused multiply-add is
 * formed): every clone computes the same roundings, only more values at
 * once. Not under ThreadSanitizer, whose runtime is not set up when the
 * ifunc resolvers run (the same conditions as lib/nn/hot.h). */
#ifndef CTUNE_CORE_SIMD_H
#define CTUNE_CORE_SIMD_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(CTUNE_NO_MULTIVERSION) && !defined(__SANITIZE_THREAD__)
#define CTUNE__CLONES                                                            \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"), \
                   optimize("fp-contract=off")))
#else
#define CTUNE__CLONES
#endif

#endif
