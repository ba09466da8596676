/* Check suite: the GEMM entry point against a naive double-precision
 * reference over odd sizes, leading dimensions larger than the rows,
 * all four transpose combinations, alpha / beta, and every path (automatic,
 * the small hand kernel, BLIS), with 1 and 2 threads. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/gemm.h"
#include "testutil.h"

static void fill(float *p, size_t n, unsigned seed)
{
    ctune_rng *r;
    ck_assert_ok(ctune_rng_new(&r, seed, 7));
    for (size_t i = 0; i < n; i++)
        p[i] = (float)(2.0 * ctune_rng_uniform(r) - 1.0);
    ctune_rng_free(r);
}

/* C = alpha op(A) op(B) + beta C in double, compared with ctune__sgemm. */
static void check_one(int path, int threads, int ta, int tb, size_t m, size_t n, size_t k,
                      size_t pad, float alpha, float beta)
{
    size_t ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
    size_t lda = ac + pad, ldb = bc + pad, ldc = n + pad;
    float *A = malloc(sizeof(float) * (ar * lda + 1)), *B = malloc(sizeof(float) * (br * ldb + 1));
    float *C = malloc(sizeof(float) * (m * ldc + 1));
    double *R = malloc(sizeof(double) * (m * n + 1));
    fill(A, ar * lda, (unsigned)(m * 31 + k));
    fill(B, br * ldb, (unsigned)(n * 17 + k));
    fill(C, m * ldc, (unsigned)(m + n));
    if (beta == 0.0f) /* beta 0 must overwrite, even NaN */
        for (size_t i = 0; i < m; i++)
            C[i * ldc] = NAN;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0;
            for (size_t p = 0; p < k; p++)
                s += (double)(ta ? A[p * lda + i] : A[i * lda + p]) *
                     (tb ? B[j * ldb + p] : B[p * ldb + j]);
            R[i * n + j] = alpha * s + (beta == 0.0f ? 0.0 : beta * (double)C[i * ldc + j]);
        }
    float guard = C[m * ldc - 1]; /* padding past the last row's n columns */
    ctune__sgemm_force_path(path);
    ctune__nn_pool *pool;
    ck_assert_int_eq(ctune__nn_pool_new(&pool, threads), CTUNE_OK);
    ctune__sgemm(pool, ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
    ctune__nn_pool_free(pool);
    ctune__sgemm_force_path(0);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            double want = R[i * n + j], got = C[i * ldc + j];
            ck_assert_msg(fabs(got - want) <= 1e-5 * (double)(k + 1),
                          "path %d threads %d ta %d tb %d m %zu n %zu k %zu pad %zu alpha %g "
                          "beta %g: C[%zu][%zu] = %.8g, want %.8g",
                          path, threads, ta, tb, m, n, k, pad, (double)alpha, (double)beta, i, j,
                          got, want);
        }
    if (pad && n < ldc)
        ck_assert_float_eq(C[m * ldc - 1], guard); /* padding untouched */
    free(A);
    free(B);
    free(C);
    free(R);
}

static const size_t SIZES[] = {1, 2, 3, 5, 7, 10, 13, 16, 17, 31, 33, 47, 64, 65, 100};
#define N_SIZES (sizeof SIZES / sizeof SIZES[0])

START_TEST(test_paths_sizes_transposes)
{
    int path = _i; /* 0 automatic, 1 small kernel, 2 BLIS */
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            for (size_t a = 0; a < N_SIZES; a += 2)
                for (size_t b = 1; b < N_SIZES; b += 3)
                    for (size_t c = 0; c < N_SIZES; c += 4) {
                        size_t pad = (a + b + c) % 3;
                        check_one(path, 1, ta, tb, SIZES[a], SIZES[b], SIZES[c], pad, 1.0f, 0.0f);
                    }
}
END_TEST

/* The hand kernels of the small path on every kind of block they have:
 * rows 1..70 (blocks of 8, 5, 4, 2 and 1 rows; 9..12 rows at once),
 * column counts of 1..4 (dot products or a transposed product), masked
 * vectors, the 64-column blocks and their copy (n >= 128), A·Bᵀ through a
 * transposed B (16 × 16 tiles and scalar edges) and through dot products
 * (k > 512), with padded leading dimensions, alpha and beta. */
START_TEST(test_small_kernels_dense)
{
    static const size_t NS[] = {1, 2, 3, 4, 5, 17, 33, 64, 70, 128, 130};
    static const size_t KS[] = {1, 2, 15, 16, 17, 32, 33, 64, 70, 128, 129};
    static const float AB[][2] = {{1.0f, 0.0f}, {0.5f, 1.0f}, {-2.0f, 0.25f}};
    size_t q = 0;
    for (int t = 0; t < 3; t++) {
        int ta = t == 1, tb = t == 2;
        for (size_t m = 1; m <= 70; m = m == 7 ? 9 : m >= 9 && m < 12 ? m + 1 : m + 6)
            for (size_t b = 0; b < sizeof NS / sizeof NS[0]; b++)
                for (size_t c = 0; c < sizeof KS / sizeof KS[0]; c++, q++) {
                    if (NS[b] >= 128 && m % 2 == 0)
                        continue; /* fewer of the largest */
                    check_one(1, 1, ta, tb, m, NS[b], KS[c], q % 3, AB[q % 3][0], AB[q % 3][1]);
                }
    }
    check_one(1, 1, 0, 1, 10, 21, 600, 1, 1.0f, 0.0f);
    check_one(1, 1, 0, 1, 13, 8, 513, 0, 0.5f, 1.0f);
}
END_TEST

START_TEST(test_alpha_beta_threads_large)
{
    for (int path = 0; path < 3; path++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                check_one(path, 2, ta, tb, 129, 257, 70, 3, 0.5f, 1.0f);
                check_one(path, 1, ta, tb, 37, 19, 300, 1, -2.0f, 0.25f);
                check_one(path, 2, ta, tb, 10, 128, 128, 0, 1.0f, 0.0f);
                check_one(path, 1, ta, tb, 200, 3, 33, 5, 1.0f, 0.0f);
            }
    /* the network shapes of the benchmark */
    check_one(0, 2, 0, 0, 128, 256, 784, 0, 1.0f, 0.0f);
    check_one(0, 2, 1, 0, 784, 256, 128, 0, 1.0f, 0.0f);
    check_one(0, 2, 0, 1, 128, 256, 256, 0, 1.0f, 0.0f);
}
END_TEST

/* A product split among threads gives C bit for bit as one call over the
 * whole product. BLIS (path 2): blocks of 12 rows (the micro-tile's) or 32
 * columns keep every element in the same tile position (full or edge
 * tile), with k over BLIS' k block (256) so that the micro-kernel also
 * accumulates into C (beta 1 after the first k block). The hand kernels
 * (path 1): blocks of 16 rows. With beta 0 and not. */
START_TEST(test_split_is_bit_identical)
{
    static const size_t shapes[][4] = {
        {784, 256, 128, 2}, /* rows: 396 + 388 (edge tile of 4 rows in the last block) */
        {1000, 50, 100, 2}, /* rows: 504 + 496 */
        {257, 33, 600, 2},  /* rows, 3 threads: 96 + 96 + 65 */
        {301, 100, 300, 2}, /* rows, k over 256 */
        {97, 130, 333, 2},  /* columns: 96 + 34 (edge tile) */
        {128, 256, 784, 2}, /* columns: 128 + 128 */
        {128, 10, 256, 1},  /* W2's 10-unit layer: forward, */
        {256, 10, 128, 1},  /* weight gradient, */
        {128, 256, 10, 1},  /* input gradient */
        {131, 21, 300, 1},  /* rows: 80 + 51; 3 threads: 48 + 48 + 35 */
        {2100, 4, 64, 1},   /* Aᵀ·B: the whole and its blocks take different kernels */
    };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int u = 0; u < 2; u++) { /* two transpose pairs per shape (CI runs memcheck) */
            int t = (int)(s + 1 + 2 * (size_t)u) % 4, ta = t & 1, tb = t >> 1;
            size_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
            size_t ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
            float *A = malloc(sizeof(float) * ar * ac), *B = malloc(sizeof(float) * br * bc);
            float *C0 = malloc(sizeof(float) * m * n), *C = malloc(sizeof(float) * m * n);
            fill(A, ar * ac, (unsigned)(s + 1));
            fill(B, br * bc, (unsigned)(s + 11));
            for (int b = 0; b < 2; b++) {
                float alpha = b ? 0.75f : 1.0f, beta = b ? 0.5f : 0.0f;
                fill(C0, m * n, 5);
                ctune__sgemm_force_path((int)shapes[s][3]);
                ctune__sgemm(NULL, ta, tb, m, n, k, alpha, A, ac, B, bc, beta, C0, n);
                for (int threads = 2; threads <= 3; threads++) {
                    fill(C, m * n, 5);
                    ctune__nn_pool *pool;
                    ck_assert_int_eq(ctune__nn_pool_new(&pool, threads), CTUNE_OK);
                    ctune__sgemm(pool, ta, tb, m, n, k, alpha, A, ac, B, bc, beta, C, n);
                    /* split indeed: workers start at the first split */
                    ck_assert_int_eq(ctune__nn_pool_workers(pool), threads - 1);
                    ctune__nn_pool_free(pool);
                    ck_assert_msg(memcmp(C0, C, sizeof(float) * m * n) == 0,
                                  "%zu x %zu x %zu ta %d tb %d beta %g, %d threads: the split "
                                  "product differs from the whole",
                                  m, n, k, ta, tb, (double)beta, threads);
                }
                ctune__sgemm_force_path(0);
            }
            free(A);
            free(B);
            free(C0);
            free(C);
        }
}
END_TEST

/* ctune's AVX-512 driver (the large products of a pool, split or not)
 * gives C bit for bit as one BLIS call (no pool): edge tiles of rows and
 * columns, k under, at and over BLIS' k block (256) with a remainder, more
 * rows than its row block (144), all transposes, alpha 1, 0 and others,
 * beta 0 (C holding NaN), 1 and others. On a CPU without AVX-512 both are
 * BLIS. */
START_TEST(test_driver_matches_blis)
{
    static const size_t shapes[][3] = {
        {13, 33, 10000}, /* one edge tile of each kind, 40 k blocks and 16 */
        {100, 70, 600},  /* edges of 4 rows and 6 columns; k 256 + 256 + 88 */
        {300, 97, 257},  /* k 256 + 1 */
        {289, 64, 256},  /* two row blocks and one row */
        {161, 161, 161}, {5000, 3, 300},  {12, 32, 11000},
        {1, 4096, 1100}, /* over the driver's packing budget: BLIS blocks on the pool */
        {128, 256, 784}, /* the benchmark's shapes */
        {784, 256, 128}, {128, 256, 256},
    };
    static const float AB[][2] = {{1.0f, 0.0f}, {0.75f, 1.0f}, {-2.0f, 0.5f}, {0.0f, 0.5f}};
    ctune__sgemm_force_path(2);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int u = 0; u < 2; u++) {
            int t = (int)(s + 3 * (size_t)u) % 4, ta = t & 1, tb = t >> 1;
            size_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
            size_t lda = (ta ? m : k) + (size_t)u, ldb = (tb ? k : n) + 2 * (size_t)u;
            size_t ldc = n + (size_t)u, ar = ta ? k : m, br = tb ? n : k;
            float *A = malloc(sizeof(float) * ar * lda), *B = malloc(sizeof(float) * br * ldb);
            float *C0 = malloc(sizeof(float) * m * ldc), *C = malloc(sizeof(float) * m * ldc);
            fill(A, ar * lda, (unsigned)(s + 21));
            fill(B, br * ldb, (unsigned)(s + 31));
            const float *ab = AB[(s + (size_t)u) % 4];
            fill(C0, m * ldc, 9);
            if (ab[1] == 0.0f)
                C0[0] = NAN;
            memcpy(C, C0, sizeof(float) * m * ldc);
            ctune__sgemm(NULL, ta, tb, m, n, k, ab[0], A, lda, B, ldb, ab[1], C0, ldc);
            for (int mode = 0; mode < 2; mode++) { /* the pool alone, then split */
                float *Ct = malloc(sizeof(float) * m * ldc);
                memcpy(Ct, C, sizeof(float) * m * ldc);
                ctune__nn_pool *pool;
                ck_assert_int_eq(ctune__nn_pool_new(&pool, 2), CTUNE_OK);
                ctune__nn_pool_force_mode(mode);
                ctune__nn_pool_step_begin(pool);
                ck_assert_int_eq(ctune__nn_pool_splits(pool), mode);
                ctune__sgemm(pool, ta, tb, m, n, k, ab[0], A, lda, B, ldb, ab[1], Ct, ldc);
                ctune__nn_pool_step_end(pool, 1);
                ctune__nn_pool_force_mode(-1);
                ctune__nn_pool_free(pool);
                ck_assert_msg(memcmp(C0, Ct, sizeof(float) * m * ldc) == 0,
                              "%zu x %zu x %zu ta %d tb %d alpha %g beta %g, split %d: the "
                              "driver differs from BLIS",
                              m, n, k, ta, tb, (double)ab[0], (double)ab[1], mode);
                free(Ct);
            }
            free(A);
            free(B);
            free(C0);
            free(C);
        }
    ctune__sgemm_force_path(0);
}
END_TEST

/* Column sums (the bias gradient) equal the plain loop's bit for bit:
 * rows added in order from 0, over widths with masked vectors. */
/* A row of C does not depend on the rows computed with it (predict gives a
 * row alone the probabilities it gets among others): the small path's
 * A·B and A·Bᵀ over all rows equal, bit for bit, each row alone. */
START_TEST(test_small_rows_independent)
{
    static const size_t NS[] = {1, 2, 3, 4, 5, 17, 64, 130};
    static const size_t KS[] = {1, 15, 16, 33, 128, 129};
    enum { m = 37 };
    ctune__sgemm_force_path(1);
    for (int tb = 0; tb < 2; tb++)
        for (size_t b = 0; b < sizeof NS / sizeof NS[0]; b++)
            for (size_t c = 0; c < sizeof KS / sizeof KS[0]; c++) {
                size_t n = NS[b], k = KS[c];
                float *A = malloc(sizeof(float) * m * k), *B = malloc(sizeof(float) * n * k);
                float *C = malloc(sizeof(float) * m * n), *R = malloc(sizeof(float) * n);
                fill(A, m * k, (unsigned)(n + 3 * k));
                fill(B, n * k, (unsigned)(7 * n + k));
                ctune__sgemm(NULL, 0, tb, m, n, k, 1.0f, A, k, B, tb ? k : n, 0.0f, C, n);
                for (size_t i = 0; i < m; i++) {
                    ctune__sgemm(NULL, 0, tb, 1, n, k, 1.0f, A + i * k, k, B, tb ? k : n, 0.0f, R,
                                 n);
                    ck_assert_msg(memcmp(R, C + i * n, n * sizeof *R) == 0,
                                  "tb %d n %zu k %zu: row %zu alone differs", tb, n, k, i);
                }
                free(A);
                free(B);
                free(C);
                free(R);
            }
    ctune__sgemm_force_path(0);
}
END_TEST

START_TEST(test_col_sums)
{
    for (size_t rows = 1; rows <= 70; rows += 3)
        for (size_t u = 1; u <= 130; u += 7) {
            float *g = malloc(sizeof(float) * rows * u), *got = malloc(sizeof(float) * (u + 1));
            fill(g, rows * u, (unsigned)(rows * 131 + u));
            g[0] = -0.0f; /* 0 + -0 is +0, as in the loop */
            got[u] = 42.0f;
            ctune__col_sums(g, rows, u, got);
            for (size_t j = 0; j < u; j++) {
                float want = 0.0f;
                for (size_t i = 0; i < rows; i++)
                    want += g[i * u + j];
                ck_assert_msg(memcmp(&got[j], &want, sizeof want) == 0,
                              "rows %zu u %zu column %zu: %.9g, want %.9g", rows, u, j,
                              (double)got[j], (double)want);
            }
            ck_assert_float_eq(got[u], 42.0f); /* nothing written past u */
            free(g);
            free(got);
        }
}
END_TEST

START_TEST(test_degenerate)
{
    float A[4] = {1, 2, 3, 4}, B[4] = {1, 1, 1, 1}, C[4] = {5, 5, 5, 5};
    /* k == 0: C = beta C */
    for (int path = 0; path < 3; path++) {
        C[0] = C[1] = C[2] = C[3] = 5;
        ctune__sgemm_force_path(path);
        ctune__sgemm(NULL, 0, 0, 2, 2, 0, 1.0f, A, 2, B, 2, 0.5f, C, 2);
        ck_assert_float_eq(C[0], 2.5f);
        ck_assert_float_eq(C[3], 2.5f);
        ctune__sgemm(NULL, 0, 0, 2, 2, 0, 1.0f, A, 2, B, 2, 0.0f, C, 2);
        ck_assert_float_eq(C[1], 0.0f);
        /* m or n == 0: nothing touched */
        C[0] = 7;
        ctune__sgemm(NULL, 0, 0, 0, 2, 2, 1.0f, A, 2, B, 2, 0.0f, C, 2);
        ctune__sgemm(NULL, 0, 0, 2, 0, 2, 1.0f, A, 2, B, 2, 0.0f, C, 2);
        ck_assert_float_eq(C[0], 7.0f);
    }
    ctune__sgemm_force_path(0);
    ck_assert_ptr_nonnull(strstr(ctune__sgemm_info(), "BLIS"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("nn_gemm");
    TCase *tc = tcase_create("gemm");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_paths_sizes_transposes, 0, 3);
    tcase_add_test(tc, test_small_kernels_dense);
    tcase_add_test(tc, test_alpha_beta_threads_large);
    tcase_add_test(tc, test_split_is_bit_identical);
    tcase_add_test(tc, test_driver_matches_blis);
    tcase_add_test(tc, test_small_rows_independent);
    tcase_add_test(tc, test_col_sums);
    tcase_add_test(tc, test_degenerate);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
