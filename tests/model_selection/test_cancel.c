/* Check suite: ctune_search_cancel() from another thread stops a running
 * search promptly (the fits in flight stop at their next minibatch), keeps
 * the results of the finished tasks, and ends with the call;
 * ctune_estimator_cancel() does the same for cross_validate. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "estimator/estimator.h"
#include "fixtures.h"
#include "testutil.h"

static ctune_data *blobs(size_t n, double **X, double **y)
{
    fx_blobs(n, 1, X, y);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, *X, CTUNE_FLOAT64, n, 2, 0, *y, 1));
    return d;
}

START_TEST(test_cancel_before_fit)
{
    double *X, *y;
    ctune_data *d = blobs(60, &X, &y);
    int64_t live = ctune_alloc_live();
    ctune_estimator *e;
    ctune_space *sp;
    ctune_search *s;
    ck_assert_ok(ctune_estimator_new(&e, &fx_centroid_vt, NULL));
    ck_assert_ok(ctune_space_parse(&sp, "shrink: 0|0.5"));
    ck_assert_ok(ctune_search_new_grid(&s, e, sp));
    ck_assert_ok(ctune_search_set_options(s, "cv=2"));
    ctune_search_cancel(s); /* no fit runs: cancels the next one at once */
    ck_assert_status(ctune_search_fit(s, d), CTUNE_ECANCELLED);
    ck_assert_error_has("cancelled after 0 of 4 tasks");
    ck_assert_uint_eq(ctune_search_n_tasks_done(s), 0);
    ck_assert_ptr_null(ctune_search_best_estimator(s));
    /* the request ended with that fit */
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_ptr_nonnull(ctune_search_best_estimator(s));
    ctune_search_cancel(NULL); /* a no-op */
    /* cross_validate: through the estimator's cancel */
    ctune_cv_results *res = NULL;
    ctune_estimator_cancel(e);
    ck_assert_status(ctune_cross_validate(&res, e, d, NULL, 2, NULL), CTUNE_ECANCELLED);
    ck_assert_ptr_null(res);
    ck_assert_ok(ctune_cross_validate(&res, e, d, NULL, 2, NULL));
    ctune_cv_results_free(res);
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(e);
    ck_assert_int_eq(ctune_alloc_live(), live);
    ctune_data_free(d);
    free(X);
    free(y);
}
END_TEST

#ifdef CTUNE_TEST_HOOKS
typedef struct fit_job {
    ctune_search *s;
    ctune_data *d;
    ctune_status rc;
} fit_job;

static void *fit_thread(void *arg)
{
    fit_job *j = arg;
    j->rc = ctune_search_fit(j->s, j->d);
    return NULL;
}

/* epochs=4000 networks in flight on 2 threads: once 100 minibatches ran,
 * another thread cancels; only the minibatch each fit was in (and the poll
 * that stops it) run after. */
START_TEST(test_cancel_nn_search_from_another_thread)
{
    double *X, *y;
    ctune_data *d = blobs(200, &X, &y);
    int64_t live = ctune_alloc_live();
    ctune_estimator *e;
    ctune_space *sp;
    fit_job j = {NULL, d, CTUNE_OK};
    ck_assert_ok(ctune_mlp_classifier_new(&e));
    ck_assert_ok(ctune_estimator_set_params_text(e, "epochs=4000, batch_size=10"));
    ck_assert_ok(ctune_space_parse(&sp, "nn: 8|16|32"));
    ck_assert_ok(ctune_search_new_grid(&j.s, e, sp));
    ck_assert_ok(ctune_search_set_options(j.s, "cv=2, n_jobs=2"));
    size_t p0 = atomic_load(&ctune__test_fit_polls);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, fit_thread, &j), 0);
    while (atomic_load(&ctune__test_fit_polls) - p0 < 100)
        sched_yield();
    ctune_search_cancel(j.s);
    size_t at_cancel = atomic_load(&ctune__test_fit_polls);
    pthread_join(t, NULL);
    size_t after = atomic_load(&ctune__test_fit_polls) - at_cancel;
    ck_assert_status(j.rc, CTUNE_ECANCELLED);
    ck_assert_uint_le(after, 4); /* 2 fits in flight: at most 2 polls each */
    ck_assert_int_eq(ctune_search_has_results(j.s), 1);
    ck_assert_uint_eq(ctune_search_n_tasks_done(j.s), 0);
    ck_assert_ptr_null(ctune_search_best_estimator(j.s)); /* no refit */
    ck_assert_int_eq(ctune_search_fit_status(j.s), CTUNE_ECANCELLED);
    ctune_search_free(j.s);
    ctune_space_free(sp);
    ctune_estimator_free(e);
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
    tcase_add_test(tc, test_cancel_before_fit);
#ifdef CTUNE_TEST_HOOKS
    tcase_add_test(tc, test_cancel_nn_search_from_another_thread);
#endif
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return ctu_run_suite(suite()); }
