/* Check suite: seeded data generators (shapes, determinism, balance and
 * learnability hints). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define CANARY 12345.25

/* Arrays with a canary after the n × d (or n) values that must survive. */
static double *canaried(size_t count)
{
    double *a = malloc((count + 4) * sizeof *a);
    for (size_t i = 0; i < count + 4; i++)
        a[i] = CANARY;
    return a;
}

static void assert_canary(const double *a, size_t count)
{
    for (size_t i = count; i < count + 4; i++)
        ck_assert_double_eq(a[i], CANARY);
}

START_TEST(test_blobs_shape_balance_determinism)
{
    const size_t n = 101, d = 3, k = 4;
    double *X = canaried(n * d), *y = canaried(n), *C = canaried(k * d);
    ck_assert_ok(ctune_make_blobs(X, y, C, n, d, k, 1.0, 7));
    assert_canary(X, n * d);
    assert_canary(y, n);
    assert_canary(C, k * d);
    size_t count[4] = {0};
    for (size_t i = 0; i < n; i++) {
        ck_assert(y[i] == floor(y[i]) && y[i] >= 0 && y[i] < (double)k);
        count[(size_t)y[i]]++;
        for (size_t j = 0; j < d; j++)
            ck_assert(isfinite(X[i * d + j]));
    }
    /* 101 = 4 * 25 + 1: the first class has one more */
    ck_assert_uint_eq(count[0], 26);
    ck_assert_uint_eq(count[1], 25);
    ck_assert_uint_eq(count[2], 25);
    ck_assert_uint_eq(count[3], 25);
    for (size_t j = 0; j < k * d; j++)
        ck_assert(C[j] >= -10 && C[j] < 10);
    /* rows are shuffled: labels are not simply 0 1 2 3 0 1 ... */
    int cyclic = 1;
    for (size_t i = 0; i < n; i++)
        cyclic &= y[i] == (double)(i % k);
    ck_assert(!cyclic);
    /* same seed -> same bits; another seed -> other data */
    double *X2 = canaried(n * d), *y2 = canaried(n);
    ck_assert_ok(ctune_make_blobs(X2, y2, NULL, n, d, k, 1.0, 7));
    ck_assert_mem_eq(X, X2, n * d * sizeof *X);
    ck_assert_mem_eq(y, y2, n * sizeof *y);
    ck_assert_ok(ctune_make_blobs(X2, y2, NULL, n, d, k, 1.0, 8));
    ck_assert(memcmp(X, X2, n * d * sizeof *X) != 0);
    free(X);
    free(y);
    free(C);
    free(X2);
    free(y2);
}
END_TEST

START_TEST(test_blobs_nearest_centroid)
{
    /* With cluster_std 0.5 in 4 dimensions, each row's nearest center is its
     * own for (nearly) every row: the data is learnable. */
    const size_t n = 300, d = 4, k = 3;
    double *X = malloc(n * d * sizeof *X), *y = malloc(n * sizeof *y), C[12];
    ck_assert_ok(ctune_make_blobs(X, y, C, n, d, k, 0.5, ctu_seed()));
    size_t hit = 0;
    double spread = 0;
    for (size_t i = 0; i < n; i++) {
        size_t best = 0;
        double bd = INFINITY;
        for (size_t c = 0; c < k; c++) {
            double s = 0;
            for (size_t j = 0; j < d; j++)
                s += (X[i * d + j] - C[c * d + j]) * (X[i * d + j] - C[c * d + j]);
            if (s < bd) {
                bd = s;
                best = c;
            }
            if (c == (size_t)y[i])
                spread += s;
        }
        hit += best == (size_t)y[i];
    }
    ck_assert_uint_ge(hit, n * 95 / 100);
    /* mean squared distance to the own center is d * std^2 = 1 (roughly) */
    spread /= (double)n;
    ck_assert_double_gt(spread, 0.7);
    ck_assert_double_lt(spread, 1.3);
    /* cluster_std 0 puts every row on its center */
    ck_assert_ok(ctune_make_blobs(X, y, C, n, d, k, 0.0, 3));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            ck_assert_double_eq(X[i * d + j], C[(size_t)y[i] * d + j]);
    free(X);
    free(y);
}
END_TEST

START_TEST(test_classification)
{
    const size_t n = 400, d = 6, inf = 3, k = 4;
    double *X = canaried(n * d), *y = canaried(n);
    ck_assert_ok(ctune_make_classification(X, y, n, d, inf, k, 2.0, ctu_seed()));
    assert_canary(X, n * d);
    assert_canary(y, n);
    size_t count[4] = {0};
    double mean[4][6] = {{0}};
    for (size_t i = 0; i < n; i++) {
        ck_assert(y[i] == floor(y[i]) && y[i] >= 0 && y[i] < (double)k);
        size_t c = (size_t)y[i];
        count[c]++;
        for (size_t j = 0; j < d; j++)
            mean[c][j] += X[i * d + j];
    }
    for (size_t c = 0; c < k; c++) {
        ck_assert_uint_eq(count[c], 100);
        for (size_t j = 0; j < d; j++)
            mean[c][j] /= 100.0;
        /* informative columns: class means near ±class_sep; noise columns near 0 */
        for (size_t j = 0; j < inf; j++)
            ck_assert_double_gt(fabs(mean[c][j]), 1.6);
        for (size_t j = inf; j < d; j++)
            ck_assert_double_lt(fabs(mean[c][j]), 0.4);
    }
    /* distinct vertices: every pair of class means differs by >= 2 * class_sep
     * in some informative column */
    for (size_t a = 0; a < k; a++)
        for (size_t b = a + 1; b < k; b++) {
            double m = 0;
            for (size_t j = 0; j < inf; j++)
                m = fmax(m, fabs(mean[a][j] - mean[b][j]));
            ck_assert_double_gt(m, 3.0);
        }
    /* learnable: nearest class mean classifies most rows right */
    size_t hit = 0;
    for (size_t i = 0; i < n; i++) {
        size_t best = 0;
        double bd = INFINITY;
        for (size_t c = 0; c < k; c++) {
            double s = 0;
            for (size_t j = 0; j < inf; j++)
                s += (X[i * d + j] - mean[c][j]) * (X[i * d + j] - mean[c][j]);
            if (s < bd) {
                bd = s;
                best = c;
            }
        }
        hit += best == (size_t)y[i];
    }
    ck_assert_uint_ge(hit, n * 85 / 100);
    double *X2 = malloc(n * d * sizeof *X2), *y2 = malloc(n * sizeof *y2);
    ck_assert_ok(ctune_make_classification(X2, y2, n, d, inf, k, 2.0, ctu_seed()));
    ck_assert_mem_eq(X, X2, n * d * sizeof *X);
    ck_assert_mem_eq(y, y2, n * sizeof *y);
    /* 2 classes, 1 informative column (2 vertices), odd n: 51 / 50 */
    ck_assert_ok(ctune_make_classification(X2, y2, 101, 1, 1, 2, 1.0, 1));
    size_t ones = 0;
    for (size_t i = 0; i < 101; i++)
        ones += y2[i] == 1;
    ck_assert_uint_eq(ones, 50);
    free(X);
    free(y);
    free(X2);
    free(y2);
}
END_TEST

START_TEST(test_regression)
{
    const size_t n = 500, d = 5, inf = 3;
    double *X = canaried(n * d), *y = canaried(n), coef[5];
    ck_assert_ok(ctune_make_regression(X, y, coef, n, d, inf, 0.0, 11));
    assert_canary(X, n * d);
    assert_canary(y, n);
    for (size_t j = 0; j < d; j++) {
        if (j < inf)
            ck_assert(coef[j] >= 0 && coef[j] < 100);
        else
            ck_assert_double_eq(coef[j], 0);
    }
    /* noise 0: y is exactly the linear model (up to rounding) */
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < d; j++)
            s += X[i * d + j] * coef[j];
        ck_assert_double_eq_tol(y[i], s, 1e-9 * (1 + fabs(s)));
    }
    /* noise 2: residual standard deviation near 2; X unchanged by the noise */
    double *X2 = malloc(n * d * sizeof *X2), *y2 = malloc(n * sizeof *y2), coef2[5];
    ck_assert_ok(ctune_make_regression(X2, y2, coef2, n, d, inf, 2.0, 11));
    ck_assert_mem_eq(coef, coef2, sizeof coef);
    double ss = 0, m = 0;
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < d; j++)
            s += X2[i * d + j] * coef[j];
        ss += (y2[i] - s) * (y2[i] - s);
        for (size_t j = 0; j < d; j++)
            m += X2[i * d + j];
    }
    ck_assert_double_gt(sqrt(ss / (double)n), 1.7);
    ck_assert_double_lt(sqrt(ss / (double)n), 2.3);
    ck_assert_double_lt(fabs(m / (double)(n * d)), 0.1);
    /* determinism, NULL coef_out gives the same data */
    ck_assert_ok(ctune_make_regression(X2, y2, NULL, n, d, inf, 0.0, 11));
    ck_assert_mem_eq(X, X2, n * d * sizeof *X);
    ck_assert_mem_eq(y, y2, n * sizeof *y);
    /* n_informative 0: y is pure noise */
    ck_assert_ok(ctune_make_regression(X2, y2, coef2, n, d, 0, 0.0, 11));
    for (size_t i = 0; i < n; i++)
        ck_assert_double_eq(y2[i], 0);
    free(X);
    free(y);
    free(X2);
    free(y2);
}
END_TEST

START_TEST(test_bad_arguments)
{
    double X[40], y[10];
    ck_assert_status(ctune_make_blobs(NULL, y, NULL, 10, 4, 2, 1, 0), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "ctune_make_blobs: X is NULL");
    ck_assert_status(ctune_make_blobs(X, NULL, NULL, 10, 4, 2, 1, 0), CTUNE_EINVAL);
    ck_assert_error_has("y is NULL");
    ck_assert_status(ctune_make_blobs(X, y, NULL, 0, 4, 2, 1, 0), CTUNE_EINVAL);
    ck_assert_error_has("shape 0 × 4");
    ck_assert_status(ctune_make_blobs(X, y, NULL, 10, 4, 0, 1, 0), CTUNE_EINVAL);
    ck_assert_error_has("centers 0 must be in 1..n (10)");
    ck_assert_status(ctune_make_blobs(X, y, NULL, 10, 4, 11, 1, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_make_blobs(X, y, NULL, 10, 4, 2, -1, 0), CTUNE_EINVAL);
    ck_assert_error_has("cluster_std -1");
    ck_assert_status(ctune_make_blobs(X, y, NULL, 10, 4, 2, NAN, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_make_blobs(X, y, NULL, SIZE_MAX / 2, 4, 2, 1, 0), CTUNE_EINVAL);
    ck_assert_error_has("too large");
    ck_assert_status(ctune_make_classification(X, y, 10, 4, 0, 2, 1, 0), CTUNE_EINVAL);
    ck_assert_error_has("n_informative 0 must be in 1..d (4)");
    ck_assert_status(ctune_make_classification(X, y, 10, 4, 5, 2, 1, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_make_classification(X, y, 10, 4, 2, 1, 1, 0), CTUNE_EINVAL);
    ck_assert_error_has("n_classes 1 must be in 2..n (10)");
    ck_assert_status(ctune_make_classification(X, y, 10, 4, 2, 5, 1, 0), CTUNE_EINVAL);
    ck_assert_error_has("2^n_informative = 4");
    ck_assert_status(ctune_make_classification(X, y, 10, 4, 2, 2, INFINITY, 0), CTUNE_EINVAL);
    ck_assert_error_has("class_sep inf");
    ck_assert_status(ctune_make_classification(X, y, 10, 0, 2, 2, 1, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_make_regression(X, y, NULL, 10, 4, 5, 1, 0), CTUNE_EINVAL);
    ck_assert_error_has("n_informative 5 must be in 0..d (4)");
    ck_assert_status(ctune_make_regression(X, y, NULL, 10, 4, 2, -0.5, 0), CTUNE_EINVAL);
    ck_assert_error_has("noise -0.5");
    ck_assert_status(ctune_make_regression(NULL, y, NULL, 10, 4, 2, 1, 0), CTUNE_EINVAL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("datagen");
    TCase *tc = tcase_create("datagen");
    tcase_add_test(tc, test_blobs_shape_balance_determinism);
    tcase_add_test(tc, test_blobs_nearest_centroid);
    tcase_add_test(tc, test_classification);
    tcase_add_test(tc, test_regression);
    tcase_add_test(tc, test_bad_arguments);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
