/* Check suite: a fit whose products take the multi-threaded BLIS path gives
 * bit-identical weights and predictions for 1, 2 and 3 threads (each element
 * of a product is computed by one call over the whole k), also when several
 * models train concurrently. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

enum { N = 256, D = 256, H = 256, K = 10 };

static float *X;
static double *Y;

static void free_data(void)
{
    free(X);
    free(Y);
    X = NULL;
    Y = NULL;
}

static void make_data(void)
{
    X = malloc(sizeof(float) * N * D);
    Y = malloc(sizeof(double) * N);
    ctune_rng *r;
    ck_assert_ok(ctune_rng_new(&r, 7, 0));
    for (size_t i = 0; i < (size_t)N * D; i++)
        X[i] = (float)ctune_rng_normal(r);
    for (size_t i = 0; i < N; i++)
        Y[i] = (double)(ctune_rng_below(r, K));
    ctune_rng_free(r);
}

/* Trains 256-256-256-10 for 2 epochs at batch 256 (products of 16.7M
 * multiply-adds: the multi-threaded path) with `threads`; returns
 * the weights (malloc'd) and their count. */
static float *train(int threads, size_t *n_params)
{
    ctune_data *d;
    ctune_model *m;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT32, N, D, 0, Y, 1));
    ck_assert_ok(ctune_model_new(&m));
    ck_assert_ok(ctune_model_set_seed(m, 3));
    ck_assert_ok(ctune_model_set_threads(m, threads));
    ck_assert_ok(ctune_model_add_dense(m, H, "relu", NULL));
    ck_assert_ok(ctune_model_add_dense(m, H, "relu", NULL));
    ck_assert_ok(ctune_model_add_dense(m, K, "softmax", NULL));
    ck_assert_ok(ctune_model_compile(m, "adam", "sparse_categorical_crossentropy", NULL));
    ck_assert_ok(ctune_model_fit(m, d, 2, 256, "shuffle=true"));
    *n_params = ctune_model_n_params(m);
    float *w = malloc(*n_params * sizeof *w);
    ck_assert_ok(ctune_model_get_weights(m, w));
    ctune_model_free(m);
    ctune_data_free(d);
    return w;
}

START_TEST(test_thread_count_does_not_change_results)
{
    make_data();
    size_t n1, n2, n3;
    float *w1 = train(1, &n1), *w2 = train(2, &n2), *w3 = train(3, &n3);
    ck_assert_uint_eq(n1, n2);
    ck_assert_uint_eq(n1, n3);
    ck_assert_msg(memcmp(w1, w2, n1 * sizeof *w1) == 0, "1 and 2 threads differ");
    ck_assert_msg(memcmp(w1, w3, n1 * sizeof *w1) == 0, "1 and 3 threads differ");
    free(w1), free(w2), free(w3);
    free_data();
}
END_TEST

static void *train_thread(void *arg)
{
    size_t n;
    return train(*(int *)arg, &n);
}

START_TEST(test_concurrent_multithreaded_models)
{
    make_data();
    size_t n;
    float *ref = train(1, &n);
    pthread_t t[3];
    int threads[3] = {2, 2, 3};
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, train_thread, &threads[i]);
    for (int i = 0; i < 3; i++) {
        void *w;
        pthread_join(t[i], &w);
        int same = memcmp(ref, w, n * sizeof *ref) == 0;
        free(w);
        ck_assert_msg(same, "concurrent model %d differs", i);
    }
    free(ref);
    free_data();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("nn_threads");
    TCase *tc = tcase_create("threads");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_thread_count_does_not_change_results);
    tcase_add_test(tc, test_concurrent_multithreaded_models);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
