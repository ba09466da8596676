/* Check suite: ctune_estimator_cancel() stops a running fit of the tree
 * (polled once per feature scanned in a node) and of the Keras-style
 * network (once per minibatch) from another thread; the fit returns
 * CTUNE_ECANCELLED, leaves the handle unfitted and leaks nothing. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "estimator/estimator.h"
#include "testutil.h"

typedef struct fit_job {
    ctune_estimator *est;
    ctune_data *data;
    atomic_int started;
    ctune_status rc;
} fit_job;

static void *fit_thread(void *arg)
{
    fit_job *j = arg;
    atomic_store(&j->started, 1);
    j->rc = ctune_estimator_fit(j->est, j->data);
    return NULL;
}

/* A synthetic set large enough that a full tree scans millions of
 * feature-node pairs: n rows of d random features, 3 classes. */
static ctune_data *big_set(size_t n, size_t d, double **X, double **y)
{
    *X = malloc(n * d * sizeof **X);
    *y = malloc(n * sizeof **y);
    ck_assert_ptr_nonnull(*X);
    ck_assert_ptr_nonnull(*y);
    ctune_rng *r;
    ck_assert_ok(ctune_rng_new(&r, 3, 0));
    for (size_t i = 0; i < n * d; i++)
        (*X)[i] = ctune_rng_normal(r);
    for (size_t i = 0; i < n; i++)
        (*y)[i] = (double)ctune_rng_below(r, 3);
    ctune_rng_free(r);
    ctune_data *data;
    ck_assert_ok(ctune_data_new(&data, *X, CTUNE_FLOAT64, n, d, 0, *y, 1));
    return data;
}

START_TEST(test_cancel_before_fit_and_after)
{
    double *X, *y;
    ctune_data *d = big_set(300, 4, &X, &y);
    int64_t live = ctune_alloc_live();
    ctune_estimator *e;
    ck_assert_ok(ctune_decision_tree_classifier_new(&e));
    /* a request made while no fit runs cancels the next one at once */
    ctune_estimator_cancel(e);
    ck_assert_status(ctune_estimator_fit(e, d), CTUNE_ECANCELLED);
    ck_assert_error_has("fit cancelled after 0 feature scans");
    double out[300];
    ck_assert_status(ctune_estimator_predict(out, e, d), CTUNE_ESTATE); /* unfitted */
    /* the request ended with that fit */
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_ok(ctune_estimator_predict(out, e, d));
    ctune_estimator_cancel(NULL); /* a no-op */
    ctune_estimator_free(e);
    ck_assert_int_eq(ctune_alloc_live(), live);
    ctune_data_free(d);
    free(X);
    free(y);
}
END_TEST

#ifdef CTUNE_TEST_HOOKS
/* Runs j's fit in a thread; cancels from this thread once `polls` polls
 * ran; returns the polls that ran after the cancel. */
static size_t cancel_mid_fit(fit_job *j, size_t polls)
{
    atomic_init(&j->started, 0);
    size_t p0 = atomic_load(&ctune__test_fit_polls);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, fit_thread, j), 0);
    while (atomic_load(&ctune__test_fit_polls) - p0 < polls)
        sched_yield();
    ctune_estimator_cancel(j->est);
    size_t at_cancel = atomic_load(&ctune__test_fit_polls);
    pthread_join(t, NULL);
    return atomic_load(&ctune__test_fit_polls) - at_cancel;
}

START_TEST(test_tree_cancel_per_feature)
{
    double *X, *y;
    ctune_data *d = big_set(50000, 30, &X, &y); /* a full tree: ~1e5 nodes × 30 scans */
    int64_t live = ctune_alloc_live();
    fit_job j = {NULL, d, 0, CTUNE_OK};
    ck_assert_ok(ctune_decision_tree_classifier_new(&j.est));
    size_t after = cancel_mid_fit(&j, 200);
    ck_assert_status(j.rc, CTUNE_ECANCELLED);
    ck_assert_uint_le(after, 2); /* the scan in flight, then the poll that stops */
    ctune_estimator_free(j.est);
    ck_assert_int_eq(ctune_alloc_live(), live);
    ctune_data_free(d);
    free(X);
    free(y);
}
END_TEST

START_TEST(test_mlp_cancel_per_minibatch)
{
    double *X, *y;
    ctune_data *d = big_set(200, 8, &X, &y);
    int64_t live = ctune_alloc_live();
    fit_job j = {NULL, d, 0, CTUNE_OK};
    ck_assert_ok(ctune_mlp_classifier_new(&j.est));
    ck_assert_ok(ctune_estimator_set_params_text(j.est, "epochs=4000, batch_size=10"));
    size_t after = cancel_mid_fit(&j, 50); /* 2.5 epochs of 20 minibatches */
    ck_assert_status(j.rc, CTUNE_ECANCELLED);
    ck_assert_uint_le(after, 2);
    ck_assert_ptr_null(ctune_keras_model(j.est));
    ctune_estimator_free(j.est);
    ck_assert_int_eq(ctune_alloc_live(), live);
    ctune_data_free(d);
    free(X);
    free(y);
}
END_TEST
#endif

static Suite *suite(void)
{
    Suite *s = suite_create("cancel");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_cancel_before_fit_and_after);
#ifdef CTUNE_TEST_HOOKS
    tcase_add_test(tc, test_tree_cancel_per_feature);
    tcase_add_test(tc, test_mlp_cancel_per_minibatch);
#endif
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return ctu_run_suite(suite()); }
