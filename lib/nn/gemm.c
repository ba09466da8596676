/* The NN engine's GEMM: BLIS' typed API with explicit strides and a per-call
 * rntm_t for the thread count, and a hand-written kernel for products so
 * small that BLIS' fixed cost dominates. The only file that includes blis.h. */
#include "nn/hot.h"

#include "nn/gemm.h"

#include <stdio.h>

#include <blis.h>

static int g_force_path;

void ctune__sgemm_force_path(int path) { g_force_path = path; }

/* Naive kernel: C = alpha op(A) op(B) + beta C. */
static void small_gemm(int ta, int tb, size_t m, size_t n, size_t k, float alpha, const float *A,
                       size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc)
{
    for (size_t i = 0; i < m; i++) {
        float *c = C + i * ldc;
        if (beta == 0.0f)
            for (size_t j = 0; j < n; j++)
                c[j] = 0.0f;
        else if (beta != 1.0f)
            for (size_t j = 0; j < n; j++)
                c[j] *= beta;
        for (size_t p = 0; p < k; p++) {
            float a = alpha * (ta ? A[p * lda + i] : A[i * lda + p]);
            if (!tb) {
                const float *b = B + p * ldb;
                for (size_t j = 0; j < n; j++)
                    c[j] += a * b[j];
            } else {
                for (size_t j = 0; j < n; j++)
                    c[j] += a * B[j * ldb + p];
            }
        }
    }
}

static void blis_gemm(int threads, int ta, int tb, size_t m, size_t n, size_t k, float alpha,
                      const float *A, size_t lda, const float *B, size_t ldb, float beta, float *C,
                      size_t ldc)
{
    rntm_t rntm = BLIS_RNTM_INITIALIZER;
    bli_rntm_set_num_threads(threads < 1 ? 1 : threads, &rntm);
    bli_sgemm_ex(ta ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, tb ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
                 (dim_t)m, (dim_t)n, (dim_t)k, &alpha, (float *)A, (inc_t)lda, 1, (float *)B,
                 (inc_t)ldb, 1, &beta, C, (inc_t)ldc, 1, NULL, &rntm);
}

void ctune__sgemm(int threads, int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
                  const float *A, size_t lda, const float *B, size_t ldb, float beta, float *C,
                  size_t ldc)
{
    if (m == 0 || n == 0)
        return;
    double work = (double)m * (double)n * (double)k;
    int small = g_force_path == 1 || (g_force_path == 0 && work <= 32768.0);
    if (small || k == 0)
        small_gemm(trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
    else
        blis_gemm(threads, trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

const char *ctune__sgemm_info(void)
{
    static char buf[160];
    snprintf(buf, sizeof buf, "BLIS %s (%s kernels), small products: portable C",
             bli_info_get_version_str(), bli_arch_string(bli_arch_query_id()));
    return buf;
}
