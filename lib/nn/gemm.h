/* The one GEMM entry point of the NN engine (the only file that sees BLIS). */
#ifndef CTUNE_NN_GEMM_H
#define CTUNE_NN_GEMM_H

#include <stddef.h>

/* C (m × n) = alpha · op(A) · op(B) + beta · C, all row-major with leading
 * dimensions lda/ldb/ldc (elements between consecutive rows as stored).
 * op(A) is m × k: A stored m × k (trans_a 0) or k × m (trans_a 1); op(B) is
 * k × n: B stored k × n (trans_b 0) or n × k (trans_b 1). beta == 0 overwrites
 * C (NaN in C is not propagated). `threads` (>= 1) is the BLIS thread count
 * for this call only. Small products run a hand-written kernel, larger ones
 * BLIS' typed API with a per-call rntm_t. Never fails. */
void ctune__sgemm(int threads, int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
                  const float *A, size_t lda, const float *B, size_t ldb, float beta, float *C,
                  size_t ldc);

/* Forces a path for tests and benchmarks: 0 automatic, 1 always the small
 * kernel, 2 always BLIS. Process-wide; not thread-safe to change. */
void ctune__sgemm_force_path(int path);

/* A static one-line description of the GEMM backend (BLIS version and kernel
 * configuration, the small-kernel ISA), for benchmarks. */
const char *ctune__sgemm_info(void);

#endif
