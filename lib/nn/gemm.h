/* The one GEMM entry point of the NN engine (the only file that sees BLIS). */
#ifndef CTUNE_NN_GEMM_H
#define CTUNE_NN_GEMM_H

#include <stddef.h>
#include <stdint.h>

#include "ctune.h"

/* The NN's threads: a pool owned by one fit, predict or evaluate call
 * (through its workspace), used by one thread at a time. Its threads - 1
 * workers start when the first piece of work worth splitting comes (a
 * thread that cannot start leaves the work to the others) and are joined
 * by ctune__nn_pool_free(): no thread outlives the call. *out is NULL for
 * threads <= 1 (one thread needs no pool). CTUNE_ENOMEM when out of
 * memory. */
typedef struct ctune__nn_pool ctune__nn_pool;
ctune_status ctune__nn_pool_new(ctune__nn_pool **out, int threads);
void ctune__nn_pool_free(ctune__nn_pool *p);

/* 1 when the pool splits work in the current step (NULL: 0). */
int ctune__nn_pool_splits(const ctune__nn_pool *p);
/* Workers started so far (tests). */
int ctune__nn_pool_workers(const ctune__nn_pool *p);
/* Training steps run split and alone so far (tests, benchmarks). */
void ctune__nn_pool_counts(const ctune__nn_pool *p, int64_t *split, int64_t *alone);

/* Runs fn over [0, n) in ranges whose edges are multiples of `unit`, split
 * among the pool's threads when it splits and n >= min_split, else as one
 * call fn(ctx, 0, n). fn must compute each element independently of the
 * range it is in. */
void ctune__nn_pool_for(ctune__nn_pool *p, size_t n, size_t unit, size_t min_split,
                        void (*fn)(void *ctx, size_t lo, size_t hi), void *ctx);

/* Brackets one training step. The pool times its steps and picks, step by
 * step, whether to split work: it alternates both ways over the first
 * steps, then keeps the faster (splitting must win by 10 % in the medians
 * of recent steps) and re-tries the other way for 2 steps every 48, so a
 * second core taken by another process is noticed and given back. Results
 * do not depend on the choice. `full` is 0 for a short last batch (not
 * timed). NULL p: no-op. */
void ctune__nn_pool_step_begin(ctune__nn_pool *p);
void ctune__nn_pool_step_end(ctune__nn_pool *p, int full);

/* Tests: -1 (default) measures as above, 0 never splits, 1 always splits,
 * 2 alternates every step. Process-wide; not thread-safe to change. */
void ctune__nn_pool_force_mode(int mode);

/* Tests: the clock that times steps, in seconds (NULL: CLOCK_MONOTONIC),
 * so that a test sets step times exactly instead of sleeping on a machine
 * whose load it does not control. Process-wide; not thread-safe to change. */
void ctune__nn_pool_set_clock(double (*clock_s)(void));

/* C (m × n) = alpha · op(A) · op(B) + beta · C, all row-major with leading
 * dimensions lda/ldb/ldc (elements between consecutive rows as stored).
 * op(A) is m × k: A stored m × k (trans_a 0) or k × m (trans_a 1); op(B) is
 * k × n: B stored k × n (trans_b 0) or n × k (trans_b 1). beta == 0 overwrites
 * C (NaN in C is not propagated). Large products are split into blocks among
 * the threads of `pool` (NULL: the caller alone); the result is the same
 * bit for bit. Small products run a hand-written kernel, larger ones BLIS'
 * typed API with a per-call rntm_t, or with a pool on an AVX-512 CPU
 * ctune's driver around the same micro-kernel (same results). Never fails. */
void ctune__sgemm(ctune__nn_pool *pool, int trans_a, int trans_b, size_t m, size_t n, size_t k,
                  float alpha, const float *A, size_t lda, const float *B, size_t ldb, float beta,
                  float *C, size_t ldc);

/* out[j] = the sum over rows i of g[i·u + j] (rows in order, from 0, as a
 * plain loop adds them): the bias gradient of a Dense layer. */
void ctune__col_sums(const float *g, size_t rows, size_t u, float *out);

/* Forces a path for tests and benchmarks: 0 automatic, 1 always the small
 * kernel, 2 always BLIS. Process-wide; not thread-safe to change. */
void ctune__sgemm_force_path(int path);

/* Tests: 1 sends the large products of a pool to BLIS (one call per block
 * of C) instead of ctune's AVX-512 driver; 0 (default) the driver where
 * the CPU has AVX-512. Process-wide; not thread-safe to change. */
void ctune__sgemm_no_driver(int off);

/* A static one-line description of the GEMM backend (BLIS version and kernel
 * configuration, the small-kernel ISA), for benchmarks. */
const char *ctune__sgemm_info(void);

#endif
