/* The NN engine's GEMM, the only file that includes blis.h.
 *
 * Large products go through BLIS' typed API (bli_sgemm_ex) with explicit
 * strides and a per-call rntm_t of one thread; the block pool below splits
 * them among the threads of the fit that owns it. With AVX-512, the large
 * products of a pool run ctune's own driver around the same micro-kernel
 * instead (see "ctune's GEMM driver"), which packs what the threads share
 * once. BLIS 0.9.0 does
 * not recognise every CPU: on an unrecognised x86-64 CPU it falls back to
 * its portable "generic" kernels (about a fifth of the FMA peak). When the
 * CPU has AVX-512, this file therefore hands BLIS a private copy of its
 * context in which the single-precision gemm micro-kernel is an AVX-512
 * 12 × 32 kernel written here, with matching cache blocksizes; BLIS still
 * does the blocking, packing and threading. No global BLIS state changes.
 *
 * Small products (where BLIS' fixed cost per call dominates) run hand
 * kernels: blocks of rows of C are accumulated in registers from broadcast
 * elements of op(A) and contiguous rows of B, one block of at most 64
 * columns of B at a time, so that it stays in L1 for every row block
 * (copied to the stack when its rows are far apart). For A·Bᵀ the rows of
 * B are first transposed on the stack, 16 × 16 at a time in registers. */
#include "nn/hot.h"

#include "nn/gemm.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/error.h"

#include <blis.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_X86 1
#include <immintrin.h>
#else
#define HAVE_X86 0
#endif

static int g_force_path;
static int g_no_driver; /* tests: 1 sends pooled products to BLIS too */

void ctune__sgemm_force_path(int path) { g_force_path = path; }

void ctune__sgemm_no_driver(int off) { g_no_driver = off; }

/* ---- portable reference kernel (any transposes, any machine) ---------- */

static void scale_c(float *C, size_t ldc, size_t m, size_t n, float beta)
{
    for (size_t i = 0; i < m; i++) {
        float *c = C + i * ldc;
        if (beta == 0.0f)
            for (size_t j = 0; j < n; j++)
                c[j] = 0.0f;
        else if (beta != 1.0f)
            for (size_t j = 0; j < n; j++)
                c[j] *= beta;
    }
}

static void small_portable(int ta, int tb, size_t m, size_t n, size_t k, float alpha,
                           const float *A, size_t lda, const float *B, size_t ldb, float beta,
                           float *C, size_t ldc)
{
    scale_c(C, ldc, m, n, beta);
    for (size_t i = 0; i < m; i++) {
        float *c = C + i * ldc;
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

#if HAVE_X86
#define AVX512 __attribute__((target("avx512f")))

/* __builtin_cpu_supports reads flags set once by a constructor: no race. */
static int cpu_has_avx512(void) { return __builtin_cpu_supports("avx512f") ? 1 : 0; }

static inline AVX512 __mmask16 tail_mask(size_t n)
{
    return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1u);
}

/* C[i0..i0+MR) × [j0..j0+16·NV) of op(A)·B with B rows contiguous. The last
 * vector is masked by `mask`. MR and NV are compile-time constants at every
 * call, so the accumulators live in registers. */
static inline __attribute__((always_inline)) AVX512 void blk_nn_acc(
    int MR, int NV, __m512 *acc, __mmask16 mask, int ta, size_t k, float alpha, const float *A,
    size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc)
{
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < NV; v++)
            acc[r * NV + v] = _mm512_setzero_ps();
    for (size_t p = 0; p < k; p++) {
        const float *b = B + p * ldb;
        __m512 bv[4];
        for (int v = 0; v < NV; v++)
            bv[v] = v == NV - 1 ? _mm512_maskz_loadu_ps(mask, b + 16 * v)
                                : _mm512_loadu_ps(b + 16 * v);
        for (int r = 0; r < MR; r++) {
            __m512 a = _mm512_set1_ps(ta ? A[p * lda + (size_t)r] : A[(size_t)r * lda + p]);
            for (int v = 0; v < NV; v++)
                acc[r * NV + v] = _mm512_fmadd_ps(a, bv[v], acc[r * NV + v]);
        }
    }
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    for (int r = 0; r < MR; r++) {
        float *c = C + (size_t)r * ldc;
        for (int v = 0; v < NV; v++) {
            __mmask16 mk = v == NV - 1 ? mask : (__mmask16)0xffff;
            __m512 x = alpha == 1.0f ? acc[r * NV + v] : _mm512_mul_ps(va, acc[r * NV + v]);
            if (beta != 0.0f)
                x = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(mk, c + 16 * v), x);
            _mm512_mask_storeu_ps(c + 16 * v, mk, x);
        }
    }
}

/* The accumulators are an array of exactly MR rows, which the compiler
 * keeps in registers (a larger array is kept in memory). */
#define blk_nn(MR, NV, ...)                    \
    do {                                       \
        __m512 acc_[(MR) * (NV)];              \
        blk_nn_acc(MR, NV, acc_, __VA_ARGS__); \
    } while (0)

/* All rows of op(A)·B over one block of NV vectors of columns (the last
 * masked): blocks of MB rows (as many accumulators as the registers hold),
 * then 4, 2 and 1. The column block of B is read from L1 by every row
 * block. */
#define COLBLK(NV, MB)                                                                      \
    static AVX512 void cols_nn_##NV(int ta, size_t m, __mmask16 mk, size_t k, float alpha,  \
                                    const float *A, size_t lda, const float *B, size_t ldb, \
                                    float beta, float *C, size_t ldc)                       \
    {                                                                                       \
        size_t i = 0;                                                                       \
        for (; i + MB <= m; i += MB)                                                        \
            blk_nn(MB, NV, mk, ta, k, alpha, ta ? A + i : A + i * lda, lda, B, ldb, beta,   \
                   C + i * ldc, ldc);                                                       \
        for (; i + 4 <= m; i += 4)                                                          \
            blk_nn(4, NV, mk, ta, k, alpha, ta ? A + i : A + i * lda, lda, B, ldb, beta,    \
                   C + i * ldc, ldc);                                                       \
        for (; i + 2 <= m; i += 2)                                                          \
            blk_nn(2, NV, mk, ta, k, alpha, ta ? A + i : A + i * lda, lda, B, ldb, beta,    \
                   C + i * ldc, ldc);                                                       \
        if (i < m)                                                                          \
            blk_nn(1, NV, mk, ta, k, alpha, ta ? A + i : A + i * lda, lda, B, ldb, beta,    \
                   C + i * ldc, ldc);                                                       \
    }
COLBLK(1, 8)
COLBLK(2, 8)
COLBLK(3, 5)
COLBLK(4, 4)

#define NN_PACK 8192 /* floats of a packed block of B (32 KiB on the stack) */
#define TBUF 8192    /* floats of a transposed block (32 KiB on the stack) */

/* C[0..MR) × [0..32) of op(A)·B for MR <= 12 rows (the last vector masked):
 * all the rows in one pass over k, so B is read once, straight from where it
 * is, with 2 loads for 2·MR FMAs. Named accumulators, unused rows folded
 * away (an array of 24 vectors would be kept in memory). */
static inline __attribute__((always_inline)) AVX512 void blk_rows12(
    int MR, __mmask16 mk, int ta, size_t k, float alpha, const float *A, size_t lda, const float *B,
    size_t ldb, float beta, float *C, size_t ldc)
{
    __m512 z = _mm512_setzero_ps();
    __m512 x0 = z, y0 = z, x1 = z, y1 = z, x2 = z, y2 = z, x3 = z, y3 = z, x4 = z, y4 = z;
    __m512 x5 = z, y5 = z, x6 = z, y6 = z, x7 = z, y7 = z, x8 = z, y8 = z, x9 = z, y9 = z;
    __m512 x10 = z, y10 = z, x11 = z, y11 = z;
    for (size_t p = 0; p < k; p++) {
        __m512 b0 = _mm512_loadu_ps(B + p * ldb), b1 = _mm512_maskz_loadu_ps(mk, B + p * ldb + 16);
#define R12(r)                                                                           \
    if (MR > r) {                                                                        \
        __m512 a = _mm512_set1_ps(ta ? A[p * lda + (size_t)r] : A[(size_t)r * lda + p]); \
        x##r = _mm512_fmadd_ps(a, b0, x##r);                                             \
        y##r = _mm512_fmadd_ps(a, b1, y##r);                                             \
    }
        R12(0) R12(1) R12(2) R12(3) R12(4) R12(5) R12(6) R12(7) R12(8) R12(9) R12(10) R12(11)
#undef R12
    }
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
#define S12(r)                                                             \
    if (MR > r) {                                                          \
        float *c = C + (size_t)r * ldc;                                    \
        __m512 u = alpha == 1.0f ? x##r : _mm512_mul_ps(va, x##r);         \
        __m512 v = alpha == 1.0f ? y##r : _mm512_mul_ps(va, y##r);         \
        if (beta != 0.0f) {                                                \
            u = _mm512_fmadd_ps(vb, _mm512_loadu_ps(c), u);                \
            v = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(mk, c + 16), v); \
        }                                                                  \
        _mm512_storeu_ps(c, u);                                            \
        _mm512_mask_storeu_ps(c + 16, mk, v);                              \
    }
    S12(0) S12(1) S12(2) S12(3) S12(4) S12(5) S12(6) S12(7) S12(8) S12(9) S12(10) S12(11)
#undef S12
}

/* op(A)·B for 9..12 rows and n >= 32: blocks of 32 columns with every row
 * at once, then the last columns by the column-block kernels. Returns the
 * columns done. */
static AVX512 __attribute__((noinline)) size_t nn_rows12(int ta, size_t m, size_t n, size_t k,
                                                         float alpha, const float *A, size_t lda,
                                                         const float *B, size_t ldb, float beta,
                                                         float *C, size_t ldc)
{
    size_t j = 0;
    for (; j + 32 <= n; j += 32) {
        switch (m) {
        case 9: blk_rows12(9, 0xffff, ta, k, alpha, A, lda, B + j, ldb, beta, C + j, ldc); break;
        case 10: blk_rows12(10, 0xffff, ta, k, alpha, A, lda, B + j, ldb, beta, C + j, ldc); break;
        case 11: blk_rows12(11, 0xffff, ta, k, alpha, A, lda, B + j, ldb, beta, C + j, ldc); break;
        default: blk_rows12(12, 0xffff, ta, k, alpha, A, lda, B + j, ldb, beta, C + j, ldc); break;
        }
    }
    return j;
}

/* The whole 64-column blocks of op(A)·B, each copied to the stack first:
 * rows of B further apart than 64 floats map a 64-column block onto a few
 * L1 sets (512-byte rows: a quarter of them), more lines than the ways of
 * a set hold; the contiguous copy stays in L1 for every row block. A
 * function of its own, so that only its calls have the copy's frame. */
static AVX512 __attribute__((noinline)) size_t nn_copied(int ta, size_t m, size_t n, size_t k,
                                                         float alpha, const float *A, size_t lda,
                                                         const float *B, size_t ldb, float beta,
                                                         float *C, size_t ldc)
{
    float bp[NN_PACK];
    size_t j = 0;
    for (; j + 64 <= n; j += 64) {
        for (size_t p = 0; p < k; p++)
            for (int v = 0; v < 4; v++)
                _mm512_store_ps(bp + p * 64 + 16 * v, _mm512_loadu_ps(B + p * ldb + j + 16 * v));
        cols_nn_4(ta, m, 0xffff, k, alpha, A, lda, bp, 64, beta, C + j, ldc);
    }
    return j;
}

/* C = alpha op(A)·B + beta C with B rows contiguous (trans_b 0): blocks of
 * 64 columns, then one narrower block of 1..4 vectors, the last masked. */
static AVX512 void nn_cols(int ta, size_t m, size_t n, size_t k, float alpha, const float *A,
                           size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc)
{
    size_t j = 0;
    /* 9..12 rows (a batch of 10): all rows at once beat blocks of 4, 4 and
     * 2 rows over a copy of B (measured with 128 x 128 and 30 x 128 B:
     * 3.5 -> 2.2 us and 0.56 -> 0.47 us), and over B in L1 up to k = 64,
     * not beyond (64 x 128 from L1: 4.1 -> 4.7 us). */
    if (m >= 9 && m <= 12 && n >= 32 && k >= 16 && (k <= 64 || n >= 128))
        j = nn_rows12(ta, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
    else if (n >= 128 && m >= 8 && k <= NN_PACK / 64)
        j = nn_copied(ta, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
    for (; j + 64 <= n; j += 64)
        cols_nn_4(ta, m, 0xffff, k, alpha, A, lda, B + j, ldb, beta, C + j, ldc);
    size_t rest = n - j;
    if (rest == 0)
        return;
    __mmask16 mk = tail_mask(rest - (rest - 1) / 16 * 16);
    switch ((rest + 15) / 16) {
    case 1: cols_nn_1(ta, m, mk, k, alpha, A, lda, B + j, ldb, beta, C + j, ldc); break;
    case 2: cols_nn_2(ta, m, mk, k, alpha, A, lda, B + j, ldb, beta, C + j, ldc); break;
    case 3: cols_nn_3(ta, m, mk, k, alpha, A, lda, B + j, ldb, beta, C + j, ldc); break;
    default: cols_nn_4(ta, m, mk, k, alpha, A, lda, B + j, ldb, beta, C + j, ldc); break;
    }
}

/* Sum of the 16 lanes of each of 4 vectors, as the 4 lanes of a __m128. */
static inline __attribute__((always_inline)) AVX512 __m128 hsum4(__m512 a, __m512 b, __m512 c,
                                                                 __m512 d)
{
    __m256 a8 = _mm256_add_ps(_mm512_castps512_ps256(a),
                              _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a), 1)));
    __m256 b8 = _mm256_add_ps(_mm512_castps512_ps256(b),
                              _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(b), 1)));
    __m256 c8 = _mm256_add_ps(_mm512_castps512_ps256(c),
                              _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(c), 1)));
    __m256 d8 = _mm256_add_ps(_mm512_castps512_ps256(d),
                              _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(d), 1)));
    __m256 ab = _mm256_hadd_ps(a8, b8), cd = _mm256_hadd_ps(c8, d8);
    __m256 abcd = _mm256_hadd_ps(ab, cd); /* a0+a1.. per 128-bit lane */
    return _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
}

/* C[i..i+MR) × [j..j+NC) = dot products of rows of A and rows of B (A·Bᵀ),
 * NC <= 4. */
static inline __attribute__((always_inline)) AVX512 void blk_nt(int MR, int NC, size_t k,
                                                                float alpha, const float *A,
                                                                size_t lda, const float *B,
                                                                size_t ldb, float beta, float *C,
                                                                size_t ldc)
{
    __m512 acc[4][4];
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < 4; v++)
            acc[r][v] = _mm512_setzero_ps();
    for (size_t p = 0; p < k; p += 16) {
        __mmask16 mk = tail_mask(k - p);
        __m512 bv[4];
        for (int v = 0; v < NC; v++)
            bv[v] = _mm512_maskz_loadu_ps(mk, B + (size_t)v * ldb + p);
        for (int r = 0; r < MR; r++) {
            __m512 a = _mm512_maskz_loadu_ps(mk, A + (size_t)r * lda + p);
            for (int v = 0; v < NC; v++)
                acc[r][v] = _mm512_fmadd_ps(a, bv[v], acc[r][v]);
        }
    }
    __m128 va = _mm_set1_ps(alpha), vb = _mm_set1_ps(beta);
    for (int r = 0; r < MR; r++) {
        __m128 s = hsum4(acc[r][0], acc[r][1], acc[r][2], acc[r][3]);
        if (alpha != 1.0f)
            s = _mm_mul_ps(va, s);
        float *c = C + (size_t)r * ldc;
        if (NC == 4) {
            if (beta != 0.0f)
                s = _mm_add_ps(s, _mm_mul_ps(vb, _mm_loadu_ps(c)));
            _mm_storeu_ps(c, s);
        } else {
            float t[4];
            _mm_storeu_ps(t, s);
            for (int v = 0; v < NC; v++)
                c[v] = beta != 0.0f ? t[v] + beta * c[v] : t[v];
        }
    }
}

/* C = alpha A·Bᵀ + beta C for n a multiple of 4 (the caller does the rest). */
static AVX512 void small_nt_dot(size_t m, size_t n, size_t k, float alpha, const float *A,
                                size_t lda, const float *B, size_t ldb, float beta, float *C,
                                size_t ldc)
{
    for (size_t j = 0; j + 4 <= n; j += 4) {
        size_t i = 0;
        for (; i + 4 <= m; i += 4)
            blk_nt(4, 4, k, alpha, A + i * lda, lda, B + j * ldb, ldb, beta, C + i * ldc + j, ldc);
        for (; i < m; i++)
            blk_nt(1, 4, k, alpha, A + i * lda, lda, B + j * ldb, ldb, beta, C + i * ldc + j, ldc);
    }
}

/* C = alpha op(A)·B + beta C with B rows contiguous (trans_b 0). With at
 * most 4 columns a vector of B holds at most 4 useful lanes, so
 * A·B takes dot products of rows of A and of B transposed on the stack,
 * and Aᵀ·B computes Cᵀ = Bᵀ·A (rows of A contiguous) on the stack, then
 * transposes it into C. */
static AVX512 void small_nn(int ta, size_t m, size_t n, size_t k, float alpha, const float *A,
                            size_t lda, const float *B, size_t ldb, float beta, float *C,
                            size_t ldc)
{
    /* A·B's choice depends on the layer's shape alone, never on m: a row's
     * result must not depend on the rows computed with it. */
    if (n > 4 || k < 16 || (ta ? m < 8 || n * m > TBUF : n * k > TBUF)) {
        nn_cols(ta, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    float t[TBUF];
    if (ta) {
        nn_cols(1, n, m, k, alpha, B, ldb, A, lda, 0.0f, t, m);
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j++) {
                float *c = C + i * ldc + j;
                *c = beta != 0.0f ? t[j * m + i] + beta * *c : t[j * m + i];
            }
        return;
    }
    for (size_t j = 0; j < n; j++)
        for (size_t p = 0; p < k; p++)
            t[j * k + p] = B[p * ldb + j];
    size_t i = 0;
    switch (n) {
#define NARROW(NC)                                                               \
    for (; i + 4 <= m; i += 4)                                                   \
        blk_nt(4, NC, k, alpha, A + i * lda, lda, t, k, beta, C + i * ldc, ldc); \
    for (; i < m; i++)                                                           \
        blk_nt(1, NC, k, alpha, A + i * lda, lda, t, k, beta, C + i * ldc, ldc); \
    break;
    case 1: NARROW(1)
    case 2: NARROW(2)
    case 3: NARROW(3)
    default: NARROW(4)
#undef NARROW
    }
}

/* out[c] lane i = r[i] lane c: a 16 × 16 transpose in registers (4 rounds
 * of 16 shuffles). r is overwritten. */
static inline __attribute__((always_inline)) AVX512 void transpose16(__m512 *r, __m512 *out)
{
    __m512 t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    /* r[4g + c], 128-bit lane l: rows 4g..4g+3 of column 4l + c */
    for (int g = 0; g < 4; g++) {
        __m512d a = _mm512_castps_pd(t[4 * g]), b = _mm512_castps_pd(t[4 * g + 1]);
        __m512d c = _mm512_castps_pd(t[4 * g + 2]), d = _mm512_castps_pd(t[4 * g + 3]);
        r[4 * g] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
        r[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
        r[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
        r[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
    }
    for (int c = 0; c < 4; c++) {
        __m512 x0 = _mm512_shuffle_f32x4(r[c], r[4 + c], 0x44);
        __m512 x1 = _mm512_shuffle_f32x4(r[c], r[4 + c], 0xee);
        __m512 x2 = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0x44);
        __m512 x3 = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0xee);
        out[c] = _mm512_shuffle_f32x4(x0, x2, 0x88);
        out[c + 4] = _mm512_shuffle_f32x4(x0, x2, 0xdd);
        out[c + 8] = _mm512_shuffle_f32x4(x1, x3, 0x88);
        out[c + 12] = _mm512_shuffle_f32x4(x1, x3, 0xdd);
    }
}

/* bt[p·w + j] = B[j·ldb + p] for j < w, p < k: 16 × 16 tiles transposed
 * in registers, scalar copies at the edges. */
static AVX512 void transpose_b(const float *B, size_t ldb, size_t w, size_t k, float *bt)
{
    size_t j = 0;
    for (; j + 16 <= w; j += 16) {
        size_t p = 0;
        for (; p + 16 <= k; p += 16) {
            __m512 r[16], t[16];
            for (int i = 0; i < 16; i++)
                r[i] = _mm512_loadu_ps(B + (j + (size_t)i) * ldb + p);
            transpose16(r, t);
            for (int c = 0; c < 16; c++)
                _mm512_storeu_ps(bt + (p + (size_t)c) * w + j, t[c]);
        }
        for (; p < k; p++)
            for (size_t jj = j; jj < j + 16; jj++)
                bt[p * w + jj] = B[jj * ldb + p];
    }
    for (; j < w; j++)
        for (size_t p = 0; p < k; p++)
            bt[p * w + j] = B[j * ldb + p];
}

/* C = alpha A·Bᵀ + beta C: blocks of at most 64 columns of C, for each the
 * rows of B transposed on the stack and the A·B kernel (dot products of
 * rows, with their horizontal sums, only when k is too long for that). */
static AVX512 void small_nt(size_t m, size_t n, size_t k, float alpha, const float *A, size_t lda,
                            const float *B, size_t ldb, float beta, float *C, size_t ldc)
{
    if (k > TBUF / 16) {
        size_t n4 = n / 4 * 4;
        small_nt_dot(m, n4, k, alpha, A, lda, B, ldb, beta, C, ldc);
        if (n4 < n)
            small_portable(0, 1, m, n - n4, k, alpha, A, lda, B + n4 * ldb, ldb, beta, C + n4, ldc);
        return;
    }
    float bt[TBUF];
    size_t jb = TBUF / k / 16 * 16;
    jb = jb < 64 ? jb : 64;
    for (size_t j = 0; j < n; j += jb) {
        size_t w = n - j < jb ? n - j : jb;
        transpose_b(B + j * ldb, ldb, w, k, bt);
        nn_cols(0, m, w, k, alpha, A, lda, bt, w, beta, C + j, ldc);
    }
}

/* out[j] = Σ_i g[i·u + j], rows in order from 0.0f: 64 columns at a time
 * in registers. */
static AVX512 void col_sums_avx512(const float *g, size_t rows, size_t u, float *out)
{
    for (size_t j = 0; j < u; j += 64) {
        size_t w = u - j < 64 ? u - j : 64;
        __m512 acc[4];
        __mmask16 mk[4];
        for (int v = 0; v < 4; v++) {
            acc[v] = _mm512_setzero_ps();
            mk[v] = w > 16 * (size_t)v ? tail_mask(w - 16 * (size_t)v) : 0;
        }
        for (size_t i = 0; i < rows; i++)
            for (int v = 0; v < 4; v++)
                acc[v] = _mm512_add_ps(acc[v],
                                       _mm512_maskz_loadu_ps(mk[v], g + i * u + j + 16 * v));
        for (int v = 0; v < 4; v++)
            _mm512_mask_storeu_ps(out + j + 16 * v, mk[v], acc[v]);
    }
}
#endif

void ctune__col_sums(const float *g, size_t rows, size_t u, float *out)
{
#if HAVE_X86
    if (cpu_has_avx512()) {
        col_sums_avx512(g, rows, u, out);
        return;
    }
#endif
    for (size_t j = 0; j < u; j++)
        out[j] = 0.0f;
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < u; j++)
            out[j] += g[i * u + j];
}

#if HAVE_X86
/* ---- the AVX-512 micro-kernel handed to BLIS ------------------------------ */

#define UK_MR 12
#define UK_NR 32
/* cache blocks of the context (init_context) and of ctune's driver, which
 * must cut k the same way to give the same bits */
#define UK_MC 144
#define UK_KC 256
#define UK_NC 3072

/* BLIS' gemm micro-kernel contract (0.9.0): a is a packed MR × k micro-panel
 * (MR values per step), b a packed k × NR micro-panel (NR values per step),
 * C is m × n (m <= MR, n <= NR) at strides rs_c / cs_c. Row-preferential. */
static AVX512 void ukr_12x32(dim_t m, dim_t n, dim_t k, float *restrict alpha, float *restrict a,
                             float *restrict b, float *restrict beta, float *restrict c, inc_t rs_c,
                             inc_t cs_c, auxinfo_t *restrict data, cntx_t *restrict cntx)
{
    (void)data;
    (void)cntx;
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m512 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    __m512 c60 = c00, c61 = c00, c70 = c00, c71 = c00, c80 = c00, c81 = c00;
    __m512 c90 = c00, c91 = c00, ca0 = c00, ca1 = c00, cb0 = c00, cb1 = c00;
    for (dim_t p = 0; p < k; p++) {
        __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
#define UK_ROW(r, x0, x1)                 \
    do {                                  \
        __m512 ar = _mm512_set1_ps(a[r]); \
        x0 = _mm512_fmadd_ps(ar, b0, x0); \
        x1 = _mm512_fmadd_ps(ar, b1, x1); \
    } while (0)
        UK_ROW(0, c00, c01);
        UK_ROW(1, c10, c11);
        UK_ROW(2, c20, c21);
        UK_ROW(3, c30, c31);
        UK_ROW(4, c40, c41);
        UK_ROW(5, c50, c51);
        UK_ROW(6, c60, c61);
        UK_ROW(7, c70, c71);
        UK_ROW(8, c80, c81);
        UK_ROW(9, c90, c91);
        UK_ROW(10, ca0, ca1);
        UK_ROW(11, cb0, cb1);
#undef UK_ROW
        a += UK_MR;
        b += UK_NR;
    }
    __m512 acc[UK_MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51},
                            {c60, c61}, {c70, c71}, {c80, c81}, {c90, c91}, {ca0, ca1}, {cb0, cb1}};
    __m512 va = _mm512_set1_ps(*alpha), vb = _mm512_set1_ps(*beta);
    if (m == UK_MR && n == UK_NR && cs_c == 1) {
        for (int r = 0; r < UK_MR; r++) {
            float *cr = c + r * rs_c;
            __m512 x0 = _mm512_mul_ps(va, acc[r][0]), x1 = _mm512_mul_ps(va, acc[r][1]);
            if (*beta != 0.0f) {
                x0 = _mm512_fmadd_ps(vb, _mm512_loadu_ps(cr), x0);
                x1 = _mm512_fmadd_ps(vb, _mm512_loadu_ps(cr + 16), x1);
            }
            _mm512_storeu_ps(cr, x0);
            _mm512_storeu_ps(cr + 16, x1);
        }
        return;
    }
    float ct[UK_MR * UK_NR];
    for (int r = 0; r < UK_MR; r++) {
        _mm512_storeu_ps(ct + r * UK_NR, _mm512_mul_ps(va, acc[r][0]));
        _mm512_storeu_ps(ct + r * UK_NR + 16, _mm512_mul_ps(va, acc[r][1]));
    }
    for (dim_t i = 0; i < m; i++)
        for (dim_t j = 0; j < n; j++) {
            float *x = c + i * rs_c + j * cs_c;
            *x = *beta == 0.0f ? ct[i * UK_NR + j] : ct[i * UK_NR + j] + *beta * *x;
        }
}
/* BLIS' packm kernel contract (0.9.0): copy kappa · a, a cdim × n block
 * whose element (i, p) is a[i·inca + p·lda], into p[i + p·ldp], zero-filling
 * rows cdim..MNR-1 and columns n..n_max-1. BLIS' own kernels for the
 * generic configuration are scalar; these use AVX-512 (contiguous copies,
 * or gathers when the panel dimension is strided). */
static inline __attribute__((always_inline)) AVX512 void pack_panel(int nvec, dim_t cdim, dim_t n,
                                                                    dim_t n_max, float kappa,
                                                                    const float *a, inc_t inca,
                                                                    inc_t lda, float *p, inc_t ldp,
                                                                    __mmask16 last)
{
    __m512 vk = _mm512_set1_ps(kappa);
    __mmask16 lm[2];
    for (int v = 0; v < nvec; v++) {
        dim_t lo = 16 * v, c = cdim - lo;
        lm[v] = c <= 0 ? 0 : tail_mask((size_t)c);
    }
    if (inca == 1) {
        for (dim_t k = 0; k < n; k++) {
            const float *src = a + k * lda;
            float *dst = p + k * ldp;
            for (int v = 0; v < nvec; v++) {
                __m512 x = _mm512_maskz_loadu_ps(lm[v], src + 16 * v);
                if (kappa != 1.0f)
                    x = _mm512_mul_ps(x, vk);
                _mm512_mask_storeu_ps(dst + 16 * v, v == nvec - 1 ? last : 0xffff, x);
            }
        }
    } else if (inca > 0 && inca < (inc_t)1 << 26) {
        __m512i idx = _mm512_mullo_epi32(
            _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
            _mm512_set1_epi32((int)inca));
        for (dim_t k = 0; k < n; k++) {
            const float *src = a + k * lda;
            float *dst = p + k * ldp;
            for (int v = 0; v < nvec; v++) {
                __m512 x = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), lm[v], idx,
                                                    src + 16 * v * inca, 4);
                if (kappa != 1.0f)
                    x = _mm512_mul_ps(x, vk);
                _mm512_mask_storeu_ps(dst + 16 * v, v == nvec - 1 ? last : 0xffff, x);
            }
        }
    } else {
        for (dim_t k = 0; k < n; k++)
            for (dim_t i = 0; i < 16 * nvec; i++)
                if (i < 16 * (nvec - 1) || (last >> (i - 16 * (nvec - 1)) & 1))
                    p[i + k * ldp] = i < cdim ? kappa * a[i * inca + k * lda] : 0.0f;
    }
    for (dim_t k = n; k < n_max; k++)
        for (int v = 0; v < nvec; v++)
            _mm512_mask_storeu_ps(p + k * ldp + 16 * v, v == nvec - 1 ? last : 0xffff,
                                  _mm512_setzero_ps());
}

static AVX512 void pack_12xk(conj_t conja, pack_t schema, dim_t cdim, dim_t n, dim_t n_max,
                             float *restrict kappa, float *restrict a, inc_t inca, inc_t lda,
                             float *restrict p, inc_t ldp, cntx_t *restrict cntx)
{
    (void)conja;
    (void)schema;
    (void)cntx;
    pack_panel(1, cdim, n, n_max, *kappa, a, inca, lda, p, ldp, 0x0fff);
}

#endif /* HAVE_X86 */

/* ---- BLIS ------------------------------------------------------------------- */

/* Fork safety. BLIS keeps process-wide state behind its own mutexes (the
 * packing-buffer pools): a fork while another thread is inside a BLIS call
 * could leave one locked in the child. The fork handlers wait for every
 * BLIS call made by ctune to end and hold new ones until fork returns.
 * (glibc drops a library's fork handlers when it is unloaded.) */
static struct {
    pthread_mutex_t m;
    pthread_cond_t resume, drained;
    int forking;
    long active;
} g_fork = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};

static void fork_prepare(void)
{
    pthread_mutex_lock(&g_fork.m);
    g_fork.forking = 1;
    while (g_fork.active > 0)
        pthread_cond_wait(&g_fork.drained, &g_fork.m);
}

static void fork_parent(void)
{
    g_fork.forking = 0;
    pthread_cond_broadcast(&g_fork.resume);
    pthread_mutex_unlock(&g_fork.m);
}

static void fork_child(void)
{
    /* the only thread of the child holds the lock; no call is active */
    g_fork.forking = 0;
    g_fork.active = 0;
    pthread_cond_init(&g_fork.resume, NULL);
    pthread_cond_init(&g_fork.drained, NULL);
    pthread_mutex_unlock(&g_fork.m);
}

static void blis_enter(void)
{
    pthread_mutex_lock(&g_fork.m);
    while (g_fork.forking)
        pthread_cond_wait(&g_fork.resume, &g_fork.m);
    g_fork.active++;
    pthread_mutex_unlock(&g_fork.m);
}

static void blis_leave(void)
{
    pthread_mutex_lock(&g_fork.m);
    if (--g_fork.active == 0 && g_fork.forking)
        pthread_cond_signal(&g_fork.drained);
    pthread_mutex_unlock(&g_fork.m);
}

static cntx_t g_cntx;                 /* BLIS' context with the AVX-512 micro-kernel */
static int g_cntx_ok;                 /* 1 when g_cntx is in use */
static int g_driver;                  /* 1: ctune's driver with the AVX-512 kernel */
static size_t g_row_unit, g_col_unit; /* block edges of a split product (0: no split) */
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void init_context(void)
{
    pthread_atfork(fork_prepare, fork_parent, fork_child);
    cntx_t *base = bli_gks_query_cntx();
    if (!base)
        return;
    memcpy(&g_cntx, base, sizeof g_cntx);
#if HAVE_X86
    if (cpu_has_avx512()) {
        blksz_t mr = *bli_cntx_get_blksz(BLIS_MR, base), nr = *bli_cntx_get_blksz(BLIS_NR, base);
        blksz_t mc = *bli_cntx_get_blksz(BLIS_MC, base), kc = *bli_cntx_get_blksz(BLIS_KC, base);
        blksz_t nc = *bli_cntx_get_blksz(BLIS_NC, base);
        /* register block 12 × 32; A block 144 × 256 (L2), B micro-panel
         * 256 × 32 (L1), B block 256 × 3072 (L3) */
        bli_blksz_set_def(UK_MR, BLIS_FLOAT, &mr);
        bli_blksz_set_max(UK_MR, BLIS_FLOAT, &mr);
        bli_blksz_set_def(UK_NR, BLIS_FLOAT, &nr);
        bli_blksz_set_max(UK_NR, BLIS_FLOAT, &nr);
        bli_blksz_set_def(UK_MC, BLIS_FLOAT, &mc);
        bli_blksz_set_max(UK_MC, BLIS_FLOAT, &mc);
        bli_blksz_set_def(UK_KC, BLIS_FLOAT, &kc);
        bli_blksz_set_max(UK_KC, BLIS_FLOAT, &kc);
        bli_blksz_set_def(UK_NC, BLIS_FLOAT, &nc);
        bli_blksz_set_max(UK_NC, BLIS_FLOAT, &nc);
        bli_cntx_set_blkszs(BLIS_NAT, 5, BLIS_NC, &nc, BLIS_NR, BLIS_KC, &kc, BLIS_KR, BLIS_MC, &mc,
                            BLIS_MR, BLIS_NR, &nr, BLIS_NR, BLIS_MR, &mr, BLIS_MR, &g_cntx);
        /* BLIS 0.9.0 passes kernels as void *: copy the function pointer's bits */
        void (*ukr)(dim_t, dim_t, dim_t, float *, float *, float *, float *, float *, inc_t, inc_t,
                    auxinfo_t *, cntx_t *) = ukr_12x32;
        void_fp fp;
        memcpy(&fp, &ukr, sizeof fp);
        bli_cntx_set_l3_nat_ukrs(1, BLIS_GEMM_UKR, BLIS_FLOAT, fp, (int)TRUE, &g_cntx);
        void (*pk12)(conj_t, pack_t, dim_t, dim_t, dim_t, float *, float *, inc_t, inc_t, float *,
                     inc_t, cntx_t *) = pack_12xk;
        void_fp fp12;
        memcpy(&fp12, &pk12, sizeof fp12);
        bli_cntx_set_packm_kers(1, BLIS_PACKM_12XK_KER, BLIS_FLOAT, fp12, &g_cntx);
    }
#endif
    /* No small/unpacked (sup) path: this file handles small products, and
     * the sup kernels' choice depends on the shape, which would make a
     * product split into blocks (threads) differ from the whole. */
    blksz_t th;
    bli_blksz_init_easy(&th, 1, 1, 1, 1);
    bli_cntx_set_l3_sup_thresh(3, BLIS_MT, &th, BLIS_NT, &th, BLIS_KT, &th, &g_cntx);
    /* Block edges on the micro-tile: MR rows and NR columns of C for the
     * row-preferential kernel above; a kernel of another configuration may
     * have BLIS transpose the product, so both edges on a multiple of MR
     * and NR there. */
    size_t mr = (size_t)bli_cntx_get_blksz_def_dt(BLIS_FLOAT, BLIS_MR, &g_cntx);
    size_t nr = (size_t)bli_cntx_get_blksz_def_dt(BLIS_FLOAT, BLIS_NR, &g_cntx);
    if (mr && nr) {
        size_t a = mr, b = nr;
        while (b) {
            size_t t = a % b;
            a = b;
            b = t;
        }
        g_row_unit = g_col_unit = mr / a * nr;
    }
#if HAVE_X86
    if (cpu_has_avx512()) {
        g_row_unit = UK_MR;
        g_col_unit = UK_NR;
        g_driver = 1;
    }
#endif
    g_cntx_ok = 1;
}

/* One BLIS call on one thread (ctune's context when available). */
static void blis_gemm_1(int ta, int tb, size_t m, size_t n, size_t k, float alpha, const float *A,
                        size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc)
{
    rntm_t rntm = BLIS_RNTM_INITIALIZER;
    bli_rntm_set_num_threads(1, &rntm);
    blis_enter();
    bli_sgemm_ex(ta ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, tb ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
                 (dim_t)m, (dim_t)n, (dim_t)k, &alpha, (float *)A, (inc_t)lda, 1, (float *)B,
                 (inc_t)ldb, 1, &beta, C, (inc_t)ldc, 1, g_cntx_ok ? &g_cntx : NULL, &rntm);
    blis_leave();
}

/* ---- the block pool ---------------------------------------------------------
 *
 * BLIS' own OpenMP threading synchronizes its threads at many barriers per
 * product; when another process holds the second core, every barrier waits
 * for a descheduled thread and a 2-thread epoch ran 35x slower than a
 * 1-thread one. Instead work is cut into blocks (of rows or columns of C,
 * each a single-threaded BLIS call; or ranges of an elementwise loop),
 * claimed dynamically from a counter by the caller and by the pool's
 * workers: a worker that is not scheduled in time claims nothing and the
 * caller does its block. Every element is computed by the same code over
 * the same data whichever thread claims it, so results do not depend on
 * the thread count.
 *
 * A pool belongs to one fit (predict, evaluate) and is used by one thread
 * at a time. Its workers start at the first piece of work worth splitting
 * and are joined when the pool is freed: no thread outlives the call that
 * owns it, so the library can be unloaded after any call and a child
 * process forked after one starts with no stale pool. */

#define POOL_MAX 8

typedef void (*pool_fn)(void *ctx, size_t block);

/* Step timing: the recent step times of each mode (0 the caller alone, 1
 * split) and the schedule that probes the mode not in use. */
#define RING 5         /* recent steps per mode whose median is compared */
#define PROBE_EVERY 48 /* steps in the chosen mode before the first probe */
#define PROBE_MAX 384  /* the interval doubles while the choice holds, to this */
#define PROBE_LEN 2    /* steps of the other mode per probe */
#define WARMUP 1       /* first steps not timed (caches fill), alone */
#define START_PROBES 6 /* steps alternating the modes after the warm-up */
#define DRIFT 1.3      /* chosen mode this much slower than when chosen: probe */

/* Hand-over of a piece of work without locks: the caller writes fn, ctx,
 * n_blocks and left, then publishes pub = 2·gen + 1 (odd: open); workers
 * that see a new odd value enter (active + 1), check that it is still
 * open, and claim blocks from left. The caller, after its own blocks,
 * closes the piece (pub = 2·gen) and waits until active is 0, so a worker
 * never reads a piece the caller has moved past. Sequentially consistent
 * atomics order each pair of "store mine, load theirs" (enter/close,
 * sleep/publish, leave/wait), so no wake-up is lost. */
struct ctune__nn_pool {
    int threads; /* budget: the caller plus threads - 1 workers */
    int workers; /* started */
    int split;   /* 1: work is split among threads in this step */
    pthread_t tid[POOL_MAX];
    pthread_mutex_t m;   /* sleeping workers and a sleeping caller */
    pthread_cond_t work; /* workers: a piece, a step or quit */
    pthread_cond_t idle; /* the caller: active dropped to 0 */
    unsigned gen;        /* pieces published (caller only) */
    atomic_uint pub;     /* 2·gen + 1 while piece gen is open, 2·gen closed */
    atomic_int active;   /* workers inside the current piece */
    atomic_int in_step;  /* a split step runs: workers spin, never sleep */
    atomic_int sleepers; /* workers asleep (or going to sleep) on work */
    atomic_int waiting;  /* the caller asleep (or going to sleep) on idle */
    atomic_int quit;     /* workers return */
    pool_fn fn;
    void *ctx;
    size_t n_blocks;
    /* blocks not claimed yet: [lo, hi) as lo | hi << 32 */
    _Atomic uint64_t left;
    /* step timing */
    double t0, ref; /* start of this step; chosen mode's median when chosen */
    int64_t steps;  /* full steps so far */
    int64_t until_probe, interval, since;
    int probe_left, probing, chosen, rechoose, decided;
    double times[2][RING];
    int n_times[2], pos[2];
    int64_t n_split_steps, n_alone_steps;
    /* packed operands of the AVX-512 driver, shared by the threads */
    float *pack;     /* 64-byte aligned within pack_raw */
    void *pack_raw;  /* the allocation */
    size_t pack_cap; /* floats at pack */
};

static int g_force_mode = -1; /* tests: -1 measure, 0 alone, 1 split, 2 alternate */

void ctune__nn_pool_force_mode(int mode) { g_force_mode = mode; }

/* Runs the blocks of the current piece that this thread claims: the caller
 * from the first, workers from the last, until they meet. With two
 * threads each keeps the same part of the data from one piece to the next
 * (C's rows or columns, the panels it packed) in its own cache, while a
 * late or slow thread still leaves its blocks to the other. */
static void run_blocks(ctune__nn_pool *p, int from_front)
{
    uint64_t v = atomic_load(&p->left);
    for (;;) {
        uint64_t lo = v & 0xffffffffu, hi = v >> 32;
        if (lo >= hi)
            return;
        uint64_t w = from_front ? v + 1 : v - ((uint64_t)1 << 32);
        if (atomic_compare_exchange_weak(&p->left, &v, w)) {
            p->fn(p->ctx, from_front ? lo : hi - 1);
            v = atomic_load(&p->left);
        }
    }
}

static inline void cpu_pause(void)
{
#if HAVE_X86
    _mm_pause();
#endif
}

/* Outside a split step, a worker spins this many pauses (some microseconds)
 * for the next piece of work before sleeping, to catch back-to-back pieces
 * (validation, predict) without holding a core that another process may
 * need. Inside a split step it spins until the step ends: the products of
 * a step are separated by serial work of tens of microseconds, less than a
 * sleep and wake-up costs. The caller waits for late workers as long
 * before sleeping. */
#define POOL_SPIN 4000
/* In a split step, a spinning worker yields every YIELD_EVERY pauses (a
 * few microseconds): when another process shares the machine, the
 * scheduler may put the worker on the caller's core, and the caller's
 * serial work between products must not wait for the worker's time slice
 * to end. Alone on its core, a yield returns at once. */
#define YIELD_EVERY 64

/* 1 when piece value v is one the worker has not entered yet. */
static inline int is_new(unsigned v, unsigned seen) { return (v & 1u) && v != seen; }

static void *pool_worker(void *arg)
{
    ctune__nn_pool *p = arg;
    unsigned seen = atomic_load(&p->pub);
    for (;;) {
        unsigned v;
        long spins = 0;
        for (;;) {
            v = atomic_load(&p->pub);
            if (is_new(v, seen) || atomic_load_explicit(&p->quit, memory_order_relaxed))
                break;
            if (atomic_load_explicit(&p->in_step, memory_order_relaxed)) {
                /* let a thread waiting for this core run now and then */
                if (++spins % YIELD_EVERY == 0)
                    sched_yield();
                spins %= YIELD_EVERY; /* after the step: POOL_SPIN more */
                cpu_pause();
                continue;
            }
            if (++spins < POOL_SPIN) {
                cpu_pause();
                continue;
            }
            pthread_mutex_lock(&p->m);
            atomic_fetch_add(&p->sleepers, 1);
            while (!is_new(atomic_load(&p->pub), seen) && !atomic_load(&p->quit) &&
                   !atomic_load(&p->in_step))
                pthread_cond_wait(&p->work, &p->m);
            atomic_fetch_sub(&p->sleepers, 1);
            pthread_mutex_unlock(&p->m);
            spins = 0;
        }
        if (atomic_load(&p->quit))
            return NULL;
        seen = v;
        atomic_fetch_add(&p->active, 1);
        if (atomic_load(&p->pub) == v) /* still open: the fields are this piece's */
            run_blocks(p, 0);
        if (atomic_fetch_sub(&p->active, 1) == 1 && atomic_load(&p->waiting)) {
            pthread_mutex_lock(&p->m);
            pthread_cond_signal(&p->idle);
            pthread_mutex_unlock(&p->m);
        }
    }
}

/* Wakes sleeping workers (after a store they check under p->m). */
static void wake_workers(ctune__nn_pool *p)
{
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->m);
        pthread_cond_broadcast(&p->work);
        pthread_mutex_unlock(&p->m);
    }
}

ctune_status ctune__nn_pool_new(ctune__nn_pool **out, int threads)
{
    *out = NULL;
    if (threads <= 1)
        return CTUNE_OK;
    ctune__nn_pool *p = ctune__calloc(1, sizeof *p);
    if (!p)
        return CTUNE_ENOMEM;
    if (pthread_mutex_init(&p->m, NULL) != 0) {
        ctune__free(p);
        return ctune_set_error(CTUNE_ENOMEM, "NN threads: cannot create a mutex");
    }
    int ok_work = pthread_cond_init(&p->work, NULL) == 0;
    if (!ok_work || pthread_cond_init(&p->idle, NULL) != 0) {
        if (ok_work)
            pthread_cond_destroy(&p->work);
        pthread_mutex_destroy(&p->m);
        ctune__free(p);
        return ctune_set_error(CTUNE_ENOMEM, "NN threads: cannot create a condition variable");
    }
    p->threads = threads > POOL_MAX ? POOL_MAX : threads;
    p->split = 1;
    p->chosen = 1;
    atomic_init(&p->pub, 0);
    atomic_init(&p->active, 0);
    atomic_init(&p->in_step, 0);
    atomic_init(&p->sleepers, 0);
    atomic_init(&p->waiting, 0);
    atomic_init(&p->quit, 0);
    atomic_init(&p->left, 0);
    *out = p;
    return CTUNE_OK;
}

void ctune__nn_pool_free(ctune__nn_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->m);
    atomic_store(&p->quit, 1);
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->m);
    for (int i = 0; i < p->workers; i++)
        pthread_join(p->tid[i], NULL);
    pthread_cond_destroy(&p->idle);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->m);
    ctune__free(p->pack_raw);
    ctune__free(p);
}

int ctune__nn_pool_splits(const ctune__nn_pool *p) { return p && p->split && p->threads > 1; }

int ctune__nn_pool_workers(const ctune__nn_pool *p) { return p ? p->workers : 0; }

void ctune__nn_pool_counts(const ctune__nn_pool *p, int64_t *split, int64_t *alone)
{
    *split = p ? p->n_split_steps : 0;
    *alone = p ? p->n_alone_steps : 0;
}

/* Starts the workers on first use (best effort: a failure leaves fewer). */
static int pool_grow(ctune__nn_pool *p)
{
    while (p->workers < p->threads - 1) {
        if (pthread_create(&p->tid[p->workers], NULL, pool_worker, p) != 0)
            break;
        p->workers++;
    }
    return p->workers;
}

/* Runs fn(ctx, 0..n_blocks) on the caller and the workers. */
static void pool_run(ctune__nn_pool *p, size_t n_blocks, pool_fn fn, void *ctx)
{
    if (!ctune__nn_pool_splits(p) || n_blocks < 2 || n_blocks > UINT32_MAX || pool_grow(p) == 0) {
        for (size_t b = 0; b < n_blocks; b++)
            fn(ctx, b);
        return;
    }
    p->fn = fn;
    p->ctx = ctx;
    p->n_blocks = n_blocks;
    atomic_store(&p->left, (uint64_t)n_blocks << 32);
    p->gen++;
    atomic_store(&p->pub, 2u * p->gen + 1u); /* open */
    wake_workers(p);

    run_blocks(p, 1);

    atomic_store(&p->pub, 2u * p->gen); /* closed: late workers skip it */
    for (long i = 0; atomic_load(&p->active) > 0; i++) {
        if (i < POOL_SPIN) {
            cpu_pause();
            continue;
        }
        /* a worker preempted inside its block: sleep until it leaves */
        pthread_mutex_lock(&p->m);
        atomic_store(&p->waiting, 1);
        while (atomic_load(&p->active) > 0)
            pthread_cond_wait(&p->idle, &p->m);
        atomic_store(&p->waiting, 0);
        pthread_mutex_unlock(&p->m);
        break;
    }
}

typedef struct range_job {
    size_t n, block;
    void (*fn)(void *ctx, size_t lo, size_t hi);
    void *ctx;
} range_job;

static void range_block(void *ctx, size_t b)
{
    range_job *j = ctx;
    size_t lo = b * j->block, hi = j->n - lo < j->block ? j->n : lo + j->block;
    j->fn(j->ctx, lo, hi);
}

void ctune__nn_pool_for(ctune__nn_pool *p, size_t n, size_t unit, size_t min_split,
                        void (*fn)(void *ctx, size_t lo, size_t hi), void *ctx)
{
    if (n == 0)
        return;
    if (!ctune__nn_pool_splits(p) || n < min_split || unit == 0) {
        fn(ctx, 0, n);
        return;
    }
    size_t parts = (size_t)p->threads;
    size_t block = (n + parts - 1) / parts;
    block = (block + unit - 1) / unit * unit;
    range_job j = {n, block, fn, ctx};
    pool_run(p, (n + block - 1) / block, range_block, &j);
}

static double (*g_test_clock)(void); /* tests: a clock of their own */

void ctune__nn_pool_set_clock(double (*clock_s)(void)) { g_test_clock = clock_s; }

static double now_s(void)
{
    if (g_test_clock)
        return g_test_clock();
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double median(const double *v, int n)
{
    double s[RING];
    memcpy(s, v, (size_t)n * sizeof *s);
    for (int i = 1; i < n; i++) /* insertion sort of at most RING values */
        for (int j = i; j > 0 && s[j] < s[j - 1]; j--) {
            double t = s[j];
            s[j] = s[j - 1];
            s[j - 1] = t;
        }
    return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

/* Splitting must beat the caller alone by 10 % in the medians of the
 * recent steps of each mode, else the caller works alone: a split step
 * whose worker is preempted costs far more than an alone step, so a
 * noisy near-tie (a loaded machine) goes to the caller alone. */
static int choose(const ctune__nn_pool *p)
{
    if (p->n_times[0] == 0 || p->n_times[1] == 0)
        return p->chosen;
    return median(p->times[1], p->n_times[1]) < 0.90 * median(p->times[0], p->n_times[0]);
}

void ctune__nn_pool_step_begin(ctune__nn_pool *p)
{
    if (!p)
        return;
    int64_t s = p->steps;
    int mode;
    p->probing = 0;
    if (g_force_mode >= 0) {
        mode = g_force_mode == 2 ? (int)(s % 2) : g_force_mode;
    } else if (s < WARMUP) {
        mode = 0;
    } else if (s < WARMUP + START_PROBES) {
        mode = (int)((s - WARMUP + 1) % 2); /* split first */
        p->rechoose = 1;
    } else if (p->probe_left > 0) {
        mode = !p->chosen;
        p->probing = 1;
        if (--p->probe_left == 0)
            p->rechoose = 1;
    } else {
        if (p->rechoose) {
            int prev = p->chosen;
            p->chosen = choose(p);
            /* a choice that holds is probed less and less often */
            p->interval = p->decided && p->chosen == prev
                              ? (p->interval * 2 > PROBE_MAX ? PROBE_MAX : p->interval * 2)
                              : PROBE_EVERY;
            p->until_probe = p->interval;
            p->ref = median(p->times[p->chosen], p->n_times[p->chosen]);
            p->since = 0;
            p->rechoose = 0;
            p->decided = 1;
        }
        mode = p->chosen;
        if (--p->until_probe <= 0)
            p->probe_left = PROBE_LEN;
    }
    p->split = mode;
    /* workers spin through a split step (and sleep after one) */
    atomic_store(&p->in_step, mode);
    if (mode)
        wake_workers(p);
    p->t0 = now_s();
}

void ctune__nn_pool_step_end(ctune__nn_pool *p, int full)
{
    if (!p)
        return;
    int mode = p->split;
    atomic_store(&p->in_step, 0);
    if (full) {
        double dt = now_s() - p->t0;
        if (p->steps >= WARMUP) {
            p->times[mode][p->pos[mode]] = dt;
            p->pos[mode] = (p->pos[mode] + 1) % RING;
            if (p->n_times[mode] < RING)
                p->n_times[mode]++;
        }
        p->steps++;
        /* the chosen mode slowed down (another process took a core, or
         * left one): probe the other mode at the next step */
        if (p->decided && !p->probing && mode == p->chosen && ++p->since >= RING &&
            median(p->times[mode], p->n_times[mode]) > DRIFT * p->ref) {
            p->until_probe = 0;
            p->decided = 0; /* and probe often again */
        }
    }
    if (mode)
        p->n_split_steps++;
    else
        p->n_alone_steps++;
    /* between steps (validation, predict) work is split as chosen */
    p->split = p->chosen;
}

#if HAVE_X86
/* ---- ctune's GEMM driver for the AVX-512 micro-kernel ------------------------
 *
 * With a pool, large products skip BLIS. One BLIS call per block of C made
 * every thread pack the operand the blocks share in full, and each call
 * paid BLIS' set-up (control tree and thread-info allocations, the
 * packing-buffer mutex, the fork mutex) and its scalar packer for B. Here
 * a product is two pieces of the pool's work: the threads pack the
 * micro-panels of both operands, each its share, into one buffer held by
 * the pool (allocated once, grown to the largest product); then each
 * computes its blocks of C from the shared panels. A piece ends when all
 * its blocks are done, which is the barrier between the phases, and a
 * worker that is not scheduled leaves its blocks to the caller.
 *
 * Bit for bit what BLIS 0.9.0 computes with the context of init_context:
 * every micro-tile of C (12 × 32 from C's origin; edge tiles smaller) goes
 * through ukr_12x32 with the same m and n, over the same k blocks (KC =
 * 256 in order, then the rest: bli_determine_blocksize_f with def == max),
 * with beta on the first k block and 1 after it, and alpha as given (BLIS
 * packs with kappa 1 and hands the kernel 1 · alpha). The values of a
 * tile depend only on its panels, not on the order in which tiles are
 * visited. tests/nn/test_nn_gemm.c compares both paths bit for bit. */

#define DR_BLOCKS 4 /* blocks of C (and of packing) per thread of a split product */
/* floats of packed operands (16 MiB): a larger product goes to BLIS,
 * which packs block by block */
#define DR_MAX_PACK ((size_t)4 << 20)

typedef struct drv_job {
    int ta, tb, split_n;
    size_t m, n, k, lda, ldb, ldc;
    size_t mp, np; /* m and n rounded up to the micro-tile */
    size_t groups; /* packing blocks of the shared operand */
    size_t block;  /* rows or columns of C per compute block */
    float alpha, beta;
    const float *A, *B;
    float *C, *Ap, *Bp;
} drv_job;

static inline size_t min_z(size_t a, size_t b) { return a < b ? a : b; }

/* Micro-panel of op(A): rows r0 .. r0 + rows (rows <= 12) over k0 .. k0 + kc,
 * as kc groups of 12 values, rows past `rows` zero. */
static AVX512 void pack_a_panel(int ta, const float *A, size_t lda, size_t r0, size_t rows,
                                size_t k0, size_t kc, float *dst)
{
    if (ta) { /* A stored k × m: the panel's values for one k are contiguous */
        __mmask16 mk = tail_mask(rows);
        for (size_t p = 0; p < kc; p++)
            _mm512_mask_storeu_ps(dst + p * UK_MR, 0x0fff,
                                  _mm512_maskz_loadu_ps(mk, A + (k0 + p) * lda + r0));
        return;
    }
    /* A stored m × k: 16 values of k of each row at a time, transposed */
    size_t p = 0;
    for (; p + 16 <= kc; p += 16) {
        __m512 r[16], t[16];
        for (size_t i = 0; i < 16; i++)
            r[i] = i < rows ? _mm512_loadu_ps(A + (r0 + i) * lda + k0 + p) : _mm512_setzero_ps();
        transpose16(r, t);
        for (size_t c = 0; c < 16; c++)
            _mm512_mask_storeu_ps(dst + (p + c) * UK_MR, 0x0fff, t[c]);
    }
    for (; p < kc; p++)
        for (size_t i = 0; i < UK_MR; i++)
            dst[p * UK_MR + i] = i < rows ? A[(r0 + i) * lda + k0 + p] : 0.0f;
}

/* Micro-panel of op(B): columns c0 .. c0 + cols (cols <= 32) over k0 .. k0 +
 * kc, as kc rows of 32 values (64-byte aligned), columns past `cols` zero. */
static AVX512 void pack_b_panel(int tb, const float *B, size_t ldb, size_t c0, size_t cols,
                                size_t k0, size_t kc, float *dst)
{
    if (!tb) { /* B stored k × n: a row of the panel is two loads */
        __mmask16 m0 = tail_mask(cols), m1 = cols > 16 ? tail_mask(cols - 16) : 0;
        for (size_t p = 0; p < kc; p++) {
            const float *b = B + (k0 + p) * ldb + c0;
            _mm512_store_ps(dst + p * UK_NR, _mm512_maskz_loadu_ps(m0, b));
            _mm512_store_ps(dst + p * UK_NR + 16, _mm512_maskz_loadu_ps(m1, b + 16));
        }
        return;
    }
    /* B stored n × k: each half of the panel, 16 values of k at a time,
     * transposed */
    size_t p = 0;
    for (; p + 16 <= kc; p += 16)
        for (size_t h = 0; h < 2; h++) {
            __m512 r[16], t[16];
            for (size_t i = 0; i < 16; i++)
                r[i] = 16 * h + i < cols ? _mm512_loadu_ps(B + (c0 + 16 * h + i) * ldb + k0 + p)
                                         : _mm512_setzero_ps();
            transpose16(r, t);
            for (size_t c = 0; c < 16; c++)
                _mm512_store_ps(dst + (p + c) * UK_NR + 16 * h, t[c]);
        }
    for (; p < kc; p++)
        for (size_t c = 0; c < UK_NR; c++)
            dst[p * UK_NR + c] = c < cols ? B[(c0 + c) * ldb + k0 + p] : 0.0f;
}

/* Panels i0 .. i1 of op(A) (is_a) or of op(B) over the k block at k0. The
 * k block at k0 of packed A starts at k0 · mp, its panel i at i · 12 · kc
 * from there (B: k0 · np and j · 32 · kc). */
static void drv_pack_panels(const drv_job *j, int is_a, size_t i0, size_t i1, size_t k0, size_t kc)
{
    for (size_t i = i0; i < i1; i++)
        if (is_a)
            pack_a_panel(j->ta, j->A, j->lda, i * UK_MR, min_z(UK_MR, j->m - i * UK_MR), k0, kc,
                         j->Ap + k0 * j->mp + i * UK_MR * kc);
        else
            pack_b_panel(j->tb, j->B, j->ldb, i * UK_NR, min_z(UK_NR, j->n - i * UK_NR), k0, kc,
                         j->Bp + k0 * j->np + i * UK_NR * kc);
}

/* Packing block g of the shared operand (A when C is split by columns, B
 * when by rows): a group of its panels over every k block. */
static void drv_pack_shared(void *ctx, size_t g)
{
    drv_job *j = ctx;
    int is_a = j->split_n;
    size_t panels = is_a ? j->mp / UK_MR : j->np / UK_NR;
    size_t per = (panels + j->groups - 1) / j->groups;
    size_t i0 = min_z(g * per, panels), i1 = min_z(i0 + per, panels);
    for (size_t k0 = 0; k0 < j->k; k0 += UK_KC)
        drv_pack_panels(j, is_a, i0, i1, k0, min_z(UK_KC, j->k - k0));
}

/* C[r0..r1) × [c0..c1) over the k block at k0 from the packed panels; r0,
 * c0 on the micro-tile, r1 and c1 on it or at m and n. BLIS' loop order
 * within a k block: blocks of UK_MC rows, then panels of B, then of A. */
static void drv_tiles(const drv_job *j, size_t k0, size_t kc, size_t r0, size_t r1, size_t c0,
                      size_t c1)
{
    float alpha = j->alpha, beta = k0 == 0 ? j->beta : 1.0f;
    float *Ab = j->Ap + k0 * j->mp, *Bb = j->Bp + k0 * j->np;
    for (size_t i0 = r0; i0 < r1; i0 += UK_MC) {
        size_t i1 = min_z(i0 + UK_MC, r1);
        for (size_t c = c0; c < c1; c += UK_NR)
            for (size_t r = i0; r < i1; r += UK_MR)
                ukr_12x32((dim_t)min_z(UK_MR, r1 - r), (dim_t)min_z(UK_NR, c1 - c), (dim_t)kc,
                          &alpha, Ab + r * kc, Bb + c * kc, &beta, j->C + r * j->ldc + c,
                          (inc_t)j->ldc, 1, NULL, NULL);
    }
}

/* Compute block b of C: per k block, the panels of the operand this block
 * alone uses (B's for a block of columns), packed by the thread that
 * computes with them while they are in its cache, then the tiles. */
static void drv_block(void *ctx, size_t b)
{
    drv_job *j = ctx;
    size_t lo = b * j->block, hi = min_z(lo + j->block, j->split_n ? j->n : j->m);
    size_t r0 = j->split_n ? 0 : lo, r1 = j->split_n ? j->m : hi;
    size_t c0 = j->split_n ? lo : 0, c1 = j->split_n ? hi : j->n;
    for (size_t k0 = 0; k0 < j->k; k0 += UK_KC) {
        size_t kc = min_z(UK_KC, j->k - k0);
        if (j->split_n)
            drv_pack_panels(j, 0, c0 / UK_NR, (c1 + UK_NR - 1) / UK_NR, k0, kc);
        else
            drv_pack_panels(j, 1, r0 / UK_MR, (r1 + UK_MR - 1) / UK_MR, k0, kc);
        drv_tiles(j, k0, kc, r0, r1, c0, c1);
    }
}

/* The pool's packing buffer of at least `floats` floats (NULL: no memory). */
static float *pool_pack_buffer(ctune__nn_pool *p, size_t floats)
{
    if (floats > p->pack_cap) {
        ctune__free(p->pack_raw);
        p->pack_cap = 0;
        p->pack = NULL;
        p->pack_raw = ctune__malloc_array(floats + 16, sizeof(float));
        if (!p->pack_raw)
            return NULL;
        uintptr_t a = ((uintptr_t)p->pack_raw + 63) & ~(uintptr_t)63;
        p->pack = (float *)a;
        p->pack_cap = floats;
    }
    return p->pack;
}

/* C = alpha op(A)·op(B) + beta C through the driver, among the pool's
 * threads when it splits. 0 (nothing done) when the packed operands would
 * exceed DR_MAX_PACK or cannot be allocated: the caller goes to BLIS. */
static int drv_gemm(ctune__nn_pool *pool, int ta, int tb, size_t m, size_t n, size_t k, float alpha,
                    const float *A, size_t lda, const float *B, size_t ldb, float beta, float *C,
                    size_t ldc)
{
    if (m > DR_MAX_PACK || n > DR_MAX_PACK || k > DR_MAX_PACK)
        return 0;
    size_t mp = (m + UK_MR - 1) / UK_MR * UK_MR, np = (n + UK_NR - 1) / UK_NR * UK_NR;
    if (mp + np > DR_MAX_PACK / k)
        return 0;
    if (alpha == 0.0f) { /* BLIS scales C by beta and returns */
        scale_c(C, ldc, m, n, beta);
        return 1;
    }
    size_t a_floats = (mp * k + 15) / 16 * 16; /* B's panels 64-byte aligned */
    float *buf = pool_pack_buffer(pool, a_floats + np * k);
    if (!buf)
        return 0;
    size_t parts = ctune__nn_pool_splits(pool) ? (size_t)pool->threads : 1;
    int split_n = m <= n; /* as blis_gemm splits */
    size_t len = split_n ? n : m, unit = split_n ? UK_NR : UK_MR;
    /* blocks claimed dynamically, DR_BLOCKS per thread: a thread that
     * starts late (a worker waking) or runs slower (a shared core) takes
     * fewer, instead of the other waiting for its half */
    size_t cut = parts > 1 ? DR_BLOCKS * parts : 1;
    size_t block = ((len + cut - 1) / cut + unit - 1) / unit * unit;
    size_t shared = split_n ? mp / UK_MR : np / UK_NR; /* panels */
    drv_job j = {.ta = ta,
                 .tb = tb,
                 .split_n = split_n,
                 .m = m,
                 .n = n,
                 .k = k,
                 .lda = lda,
                 .ldb = ldb,
                 .ldc = ldc,
                 .mp = mp,
                 .np = np,
                 .groups = min_z(shared, cut),
                 .block = block,
                 .alpha = alpha,
                 .beta = beta,
                 .A = A,
                 .B = B,
                 .C = C,
                 .Ap = buf,
                 .Bp = buf + a_floats};
    pool_run(pool, j.groups, drv_pack_shared, &j);
    pool_run(pool, (len + block - 1) / block, drv_block, &j);
    return 1;
}
#endif /* HAVE_X86 */

/* ---- multi-threaded products ---------------------------------------------- */

typedef struct gemm_job {
    int ta, tb, split_n;
    size_t m, n, k, lda, ldb, ldc, block;
    float alpha, beta;
    const float *A, *B;
    float *C;
} gemm_job;

static void gemm_block(void *ctx, size_t b)
{
    gemm_job *j = ctx;
    size_t lo = b * j->block;
    if (j->split_n) {
        size_t w = j->n - lo < j->block ? j->n - lo : j->block;
        const float *B = j->tb ? j->B + lo * j->ldb : j->B + lo;
        blis_gemm_1(j->ta, j->tb, j->m, w, j->k, j->alpha, j->A, j->lda, B, j->ldb, j->beta,
                    j->C + lo, j->ldc);
    } else {
        size_t h = j->m - lo < j->block ? j->m - lo : j->block;
        const float *A = j->ta ? j->A + lo : j->A + lo * j->lda;
        blis_gemm_1(j->ta, j->tb, h, j->n, j->k, j->alpha, A, j->lda, j->B, j->ldb, j->beta,
                    j->C + lo * j->ldc, j->ldc);
    }
}

static void blis_gemm(ctune__nn_pool *pool, int ta, int tb, size_t m, size_t n, size_t k,
                      float alpha, const float *A, size_t lda, const float *B, size_t ldb,
                      float beta, float *C, size_t ldc)
{
    pthread_once(&g_once, init_context);
#if HAVE_X86
    if (pool && g_driver && !g_no_driver &&
        drv_gemm(pool, ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc))
        return;
#endif
    if (!ctune__nn_pool_splits(pool)) {
        blis_gemm_1(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    /* Split the dimension whose blocks repack the smaller operand: blocks of
     * columns repack A (m x k), blocks of rows repack B (k x n). Block edges
     * are multiples of the micro-tile (32 columns, 12 rows with AVX-512;
     * see init_context), so every
     * element of C lies in the same micro-tile position (full or edge tile)
     * and goes through the same micro-kernel arithmetic over the same k
     * blocks as in one call over the whole product: the result does not
     * depend on the split (tests/nn/test_nn_gemm.c checks it bit for bit).
     * Cache blocks (MC = 144 rows) restart at each block's first row,
     * which changes only the order in which tiles are visited. */
    int split_n = m <= n;
    size_t len = split_n ? n : m, unit = split_n ? g_col_unit : g_row_unit;
    size_t parts = (size_t)pool->threads;
    size_t block = (len + parts - 1) / parts;
    block = unit ? (block + unit - 1) / unit * unit : len;
    size_t n_blocks = (len + block - 1) / block;
    if (n_blocks < 2) {
        blis_gemm_1(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    gemm_job j = {ta, tb, split_n, m, n, k, lda, ldb, ldc, block, alpha, beta, A, B, C};
    pool_run(pool, n_blocks, gemm_block, &j);
}

/* ---- dispatch ------------------------------------------------------------------ */

static void small_gemm(int ta, int tb, size_t m, size_t n, size_t k, float alpha, const float *A,
                       size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc)
{
#if HAVE_X86
    if (cpu_has_avx512() && k > 0) {
        if (!tb) {
            small_nn(ta, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
            return;
        }
        if (!ta) {
            small_nt(m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
            return;
        }
    }
#endif
    small_portable(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

/* Rows [lo, hi) of a small product. The hand kernels compute each row of
 * C from its own row (column, transposed) of A with the same instructions
 * whichever rows surround it, so the rows may be split anywhere; blocks of
 * SMALL_SPLIT_ROWS keep the kernels' 4-row groups whole. */
#define SMALL_SPLIT_ROWS 16
#define SMALL_SPLIT_MIN 262144.0

typedef struct small_job {
    int ta, tb;
    size_t n, k, lda, ldb, ldc;
    float alpha, beta;
    const float *A, *B;
    float *C;
} small_job;

static void small_rows(void *ctx, size_t lo, size_t hi)
{
    small_job *j = ctx;
    const float *A = j->ta ? j->A + lo : j->A + lo * j->lda;
    small_gemm(j->ta, j->tb, hi - lo, j->n, j->k, j->alpha, A, j->lda, j->B, j->ldb, j->beta,
               j->C + lo * j->ldc, j->ldc);
}

void ctune__sgemm(ctune__nn_pool *pool, int trans_a, int trans_b, size_t m, size_t n, size_t k,
                  float alpha, const float *A, size_t lda, const float *B, size_t ldb, float beta,
                  float *C, size_t ldc)
{
    if (m == 0 || n == 0)
        return;
    if (k == 0) {
        scale_c(C, ldc, m, n, beta);
        return;
    }
    int small;
    if (g_force_path) {
        small = g_force_path == 1;
    } else {
#if HAVE_X86
        /* Measured on an AVX-512 machine (see docs/nn.md): BLIS packs both
         * operands on every call, which pays only when all three dimensions
         * are large; the hand kernels (~200 GFLOP/s on one core) win
         * otherwise, even against two BLIS threads. */
        if (cpu_has_avx512() && !(trans_a && trans_b)) {
            size_t lo = m < n ? m : n;
            lo = lo < k ? lo : k;
            small = lo < 96;
        } else
#endif
            small = (double)m * (double)n * (double)k <= 32768.0;
    }
    /* Splitting pays only for large products (4M multiply-adds, e.g.
     * 256 x 128 x 128): below, the wake-up and the second packing of the
     * shared operand cost more than the second core gives. Small products
     * pack nothing: from SMALL_SPLIT_MIN multiply-adds (W2's 10-unit
     * layer) they are split by rows of C. */
    if (small && m >= 2 * SMALL_SPLIT_ROWS &&
        (double)m * (double)n * (double)k >= SMALL_SPLIT_MIN && ctune__nn_pool_splits(pool)) {
        small_job j = {trans_a, trans_b, n, k, lda, ldb, ldc, alpha, beta, A, B, C};
        ctune__nn_pool_for(pool, m, SMALL_SPLIT_ROWS, 0, small_rows, &j);
    } else if (small)
        small_gemm(trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
    else
        blis_gemm((double)m * (double)n * (double)k < 4194304.0 ? NULL : pool, trans_a, trans_b, m,
                  n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

const char *ctune__sgemm_info(void)
{
    static char buf[256];
    pthread_once(&g_once, init_context);
    snprintf(buf, sizeof buf, "BLIS %s, '%s' configuration%s%s; small products: %s",
             bli_info_get_version_str(), bli_arch_string(bli_arch_query_id()),
             g_cntx_ok ? " with ctune's AVX-512 12x32 sgemm micro-kernel" : "",
             g_driver ? " (threaded products: ctune's driver, shared packing)" : "",
#if HAVE_X86
             cpu_has_avx512() ? "AVX-512 hand kernels" :
#endif
                              "portable C");
    return buf;
}
