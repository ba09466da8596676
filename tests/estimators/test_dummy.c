/* Check suite: DummyClassifier and DummyRegressor (scikit-learn semantics). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* n rows of 2 distinct features, labels from `labels` cycled with weights. */
static ctune_data *labelled(double *X, double *y, size_t n, const double *pattern, size_t plen)
{
    for (size_t i = 0; i < n; i++) {
        X[2 * i] = (double)i;
        X[2 * i + 1] = (double)(i * 7 % 13);
        y[i] = pattern[i % plen];
    }
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, n, 2, 0, y, 1));
    return d;
}

static ctune_estimator *clf_with(const char *params)
{
    ctune_estimator *e;
    ck_assert_ok(ctune_dummy_classifier_new(&e));
    if (params)
        ck_assert_ok(ctune_estimator_set_params_text(e, params));
    return e;
}

START_TEST(test_api)
{
    ctune_estimator *e;
    ck_assert_status(ctune_dummy_classifier_new(NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_dummy_regressor_new(NULL), CTUNE_EINVAL);
    ck_assert_ok(ctune_dummy_classifier_new(&e));
    ck_assert_ptr_eq(ctune_estimator_vtable_of(e), ctune_dummy_classifier_vtable());
    ck_assert_str_eq(ctune_estimator_name(e), "DummyClassifier");
    ck_assert_int_eq(ctune_estimator_kind(e), CTUNE_CLASSIFIER);
    char buf[128];
    ck_assert_int_gt(ctune_params_to_text(buf, sizeof buf, ctune_estimator_get_params(e)), 0);
    ck_assert_str_eq(buf, "strategy=prior, seed=0");
    ck_assert_status(ctune_estimator_set_params_text(e, "strategy=mode"), CTUNE_EINVAL);
    ck_assert_error_has("'strategy' = 'mode' is not one of most_frequent|prior|stratified|uniform");
    ck_assert_status(ctune_estimator_set_params_text(e, "seed=-1"), CTUNE_EINVAL);
    ck_assert_error_has("'seed'");
    ctune_estimator_free(e);
    ck_assert_ok(ctune_dummy_regressor_new(&e));
    ck_assert_ptr_eq(ctune_estimator_vtable_of(e), ctune_dummy_regressor_vtable());
    ck_assert_int_eq(ctune_estimator_kind(e), CTUNE_REGRESSOR);
    ck_assert_int_gt(ctune_params_to_text(buf, sizeof buf, ctune_estimator_get_params(e)), 0);
    ck_assert_str_eq(buf, "strategy=mean, constant=none");
    ctune_estimator_free(e);
}
END_TEST

START_TEST(test_most_frequent_and_prior)
{
    int64_t live = ctune_alloc_live();
    double X[12], y[6];
    const double pat[3] = {3, 7, 7};
    ctune_data *d = labelled(X, y, 6, pat, 3);
    double pred[6], proba[12], acc;
    ctune_estimator *e = clf_with("strategy=most_frequent");
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_ok(ctune_estimator_predict(pred, e, d));
    for (int i = 0; i < 6; i++)
        ck_assert_double_eq(pred[i], 7);
    ck_assert_ok(ctune_estimator_predict_proba(proba, e, d));
    for (int i = 0; i < 6; i++) {
        ck_assert_double_eq(proba[2 * i], 0);
        ck_assert_double_eq(proba[2 * i + 1], 1);
    }
    /* accuracy of the majority: 4 of 6 */
    ck_assert_ok(ctune_estimator_score(&acc, e, d));
    ck_assert_double_eq_tol(acc, 4.0 / 6.0, 1e-15);
    ctune_estimator_free(e);

    e = clf_with(NULL); /* prior */
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_ok(ctune_estimator_predict(pred, e, d));
    ck_assert_ok(ctune_estimator_predict_proba(proba, e, d));
    for (int i = 0; i < 6; i++) {
        ck_assert_double_eq(pred[i], 7);
        ck_assert_double_eq_tol(proba[2 * i], 1.0 / 3.0, 1e-15);
        ck_assert_double_eq_tol(proba[2 * i + 1], 2.0 / 3.0, 1e-15);
    }
    ctune_estimator_free(e);
    ctune_data_free(d);

    /* a tie picks the smallest label */
    const double tie[4] = {7, 3, 3, 7};
    d = labelled(X, y, 4, tie, 4);
    e = clf_with("strategy=most_frequent");
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_ok(ctune_estimator_predict(pred, e, d));
    ck_assert_double_eq(pred[0], 3);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* Fraction of each label in pred. */
static double frac(const double *pred, size_t n, double label)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += pred[i] == label;
    return (double)c / (double)n;
}

START_TEST(test_stratified)
{
    enum { N = 2000 };
    double *X = malloc(2 * N * sizeof *X), *y = malloc(N * sizeof *y);
    double *p1 = malloc(N * sizeof *p1), *p2 = malloc(N * sizeof *p2);
    double *proba = malloc(2 * N * sizeof *proba);
    const double pat[4] = {0, 1, 1, 1}; /* prior 0.25 / 0.75 */
    ctune_data *d = labelled(X, y, N, pat, 4);
    ctune_estimator *e = clf_with("strategy=stratified, seed=5");
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_ok(ctune_estimator_predict(p1, e, d));
    double f0 = frac(p1, N, 0);
    ck_assert_double_gt(f0, 0.21);
    ck_assert_double_lt(f0, 0.29);
    ck_assert_double_eq_tol(frac(p1, N, 0) + frac(p1, N, 1), 1.0, 1e-15);
    /* the same fit predicts the same again; predict_proba is one-hot on it */
    ck_assert_ok(ctune_estimator_predict(p2, e, d));
    ck_assert_mem_eq(p1, p2, N * sizeof *p1);
    ck_assert_ok(ctune_estimator_predict_proba(proba, e, d));
    for (size_t i = 0; i < N; i++) {
        ck_assert_double_eq(proba[2 * i + (size_t)p1[i]], 1.0);
        ck_assert_double_eq(proba[2 * i + 1 - (size_t)p1[i]], 0.0);
    }
    /* a row predicted alone gets the same label as in the batch */
    size_t rows[1] = {17};
    ctune_data *one;
    ck_assert_ok(ctune_data_subset(&one, d, rows, 1));
    double alone;
    ck_assert_ok(ctune_estimator_predict(&alone, e, one));
    ck_assert_double_eq(alone, p1[17]);
    ctune_data_free(one);
    /* same seed, fresh estimator: same draws; another seed or another task
     * stream (ctune_fit_ctx_seed): other draws */
    ctune_estimator *e2 = clf_with("strategy=stratified, seed=5");
    ck_assert_ok(ctune_estimator_fit(e2, d));
    ck_assert_ok(ctune_estimator_predict(p2, e2, d));
    ck_assert_mem_eq(p1, p2, N * sizeof *p1);
    ck_assert_ok(ctune_estimator_fit_task(e2, d, 1, 42));
    ck_assert_ok(ctune_estimator_predict(p2, e2, d));
    ck_assert(memcmp(p1, p2, N * sizeof *p1) != 0);
    ck_assert_ok(ctune_estimator_set_params_text(e2, "seed=6"));
    ck_assert_ok(ctune_estimator_fit(e2, d));
    ck_assert_ok(ctune_estimator_predict(p2, e2, d));
    ck_assert(memcmp(p1, p2, N * sizeof *p1) != 0);
    ctune_estimator_free(e2);
    ctune_estimator_free(e);
    ctune_data_free(d);
    free(X);
    free(y);
    free(p1);
    free(p2);
    free(proba);
}
END_TEST

START_TEST(test_uniform)
{
    enum { N = 3000 };
    double *X = malloc(2 * N * sizeof *X), *y = malloc(N * sizeof *y);
    double *p = malloc(N * sizeof *p), *proba = malloc(3 * N * sizeof *proba);
    const double pat3[6] = {1, 1, 1, 1, 4, 8}; /* skewed prior, 3 classes */
    ctune_data *d = labelled(X, y, N, pat3, 6);
    ctune_estimator *e = clf_with("strategy=uniform, seed=1");
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_ok(ctune_estimator_predict(p, e, d));
    /* uniform ignores the prior: each of 1, 4, 8 about a third */
    ck_assert_double_gt(frac(p, N, 1), 0.30);
    ck_assert_double_lt(frac(p, N, 1), 0.37);
    ck_assert_double_gt(frac(p, N, 4), 0.30);
    ck_assert_double_gt(frac(p, N, 8), 0.30);
    ck_assert_ok(ctune_estimator_predict_proba(proba, e, d));
    for (size_t i = 0; i < 3 * N; i++)
        ck_assert_double_eq_tol(proba[i], 1.0 / 3.0, 1e-15);
    ctune_estimator_free(e);
    ctune_data_free(d);
    free(X);
    free(y);
    free(p);
    free(proba);
}
END_TEST

START_TEST(test_regressor)
{
    int64_t live = ctune_alloc_live();
    /* two targets: column 0 = 1, 2, 3, 10 (mean 4, median 2.5),
     * column 1 = -1, -1, 5, 5 (mean 2, median 2) */
    const double X[4] = {0, 1, 2, 3};
    const double y[8] = {1, -1, 2, -1, 3, 5, 10, 5};
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 4, 1, 0, y, 2));
    ctune_estimator *e;
    ck_assert_ok(ctune_dummy_regressor_new(&e));
    double pred[8], r2;
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_uint_eq(ctune_estimator_n_outputs(e), 2);
    ck_assert_ok(ctune_estimator_predict(pred, e, d));
    for (int i = 0; i < 4; i++) {
        ck_assert_double_eq(pred[2 * i], 4);
        ck_assert_double_eq(pred[2 * i + 1], 2);
    }
    /* predicting the mean scores R² = 0 on the training data */
    ck_assert_ok(ctune_estimator_score(&r2, e, d));
    ck_assert_double_eq_tol(r2, 0.0, 1e-15);
    ck_assert_ok(ctune_estimator_set_params_text(e, "strategy=median"));
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_ok(ctune_estimator_predict(pred, e, d));
    ck_assert_double_eq(pred[0], 2.5);
    ck_assert_double_eq(pred[1], 2);
    ck_assert_ok(ctune_estimator_set_params_text(e, "strategy=constant"));
    ck_assert_status(ctune_estimator_fit(e, d), CTUNE_EINVAL);
    ck_assert_error_has("strategy=constant needs the parameter 'constant'");
    ck_assert_int_eq(ctune_estimator_is_fitted(e), 0);
    ck_assert_ok(ctune_estimator_set_params_text(e, "constant=7"));
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_ok(ctune_estimator_predict(pred, e, d));
    for (int i = 0; i < 8; i++)
        ck_assert_double_eq(pred[i], 7);
    ck_assert_status(ctune_estimator_set_params_text(e, "strategy=quantile"), CTUNE_EINVAL);
    ck_assert_error_has("mean|median|constant");
    ck_assert_status(ctune_estimator_predict_proba(pred, e, d), CTUNE_EUNSUPPORTED);
    ctune_estimator_free(e);
    ctune_data_free(d);
    /* median of an odd count is the middle value */
    const double y3[3] = {5, -2, 1};
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 3, 1, 0, y3, 1));
    ck_assert_ok(ctune_dummy_regressor_new(&e));
    ck_assert_ok(ctune_estimator_set_params_text(e, "strategy=median"));
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_ok(ctune_estimator_predict(pred, e, d));
    ck_assert_double_eq(pred[0], 1);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_alloc_failure_sweep)
{
    double X[40], y[20];
    const double pat[3] = {0, 1, 2};
    ctune_data *d = labelled(X, y, 20, pat, 3);
    int64_t live = ctune_alloc_live();
    const char *configs[] = {"strategy=prior", "strategy=stratified", NULL};
    for (int c = 0; configs[c]; c++) {
        int ok = 0;
        for (int k = 1; k < 100 && !ok; k++) {
            ctune_estimator *e = NULL;
            double pred[20], proba[60];
            ctune_alloc_fail_at(k, 0);
            ctune_status rc = ctune_dummy_classifier_new(&e);
            if (rc == CTUNE_OK)
                rc = ctune_estimator_set_params_text(e, configs[c]);
            if (rc == CTUNE_OK)
                rc = ctune_estimator_fit(e, d);
            if (rc == CTUNE_OK)
                rc = ctune_estimator_predict(pred, e, d);
            if (rc == CTUNE_OK)
                rc = ctune_estimator_predict_proba(proba, e, d);
            ctune_alloc_fail_at(0, 0);
            if (rc != CTUNE_OK)
                ck_assert_int_eq(rc, CTUNE_ENOMEM);
            ctune_estimator_free(e);
            ck_assert_int_eq(ctune_alloc_live(), live);
            ok = rc == CTUNE_OK;
        }
        ck_assert(ok);
    }
    int ok = 0;
    for (int k = 1; k < 100 && !ok; k++) {
        ctune_estimator *e = NULL;
        double pred[20];
        ctune_alloc_fail_at(k, 0);
        ctune_status rc = ctune_dummy_regressor_new(&e);
        if (rc == CTUNE_OK)
            rc = ctune_estimator_set_params_text(e, "strategy=median");
        if (rc == CTUNE_OK)
            rc = ctune_estimator_fit(e, d);
        if (rc == CTUNE_OK)
            rc = ctune_estimator_predict(pred, e, d);
        ctune_alloc_fail_at(0, 0);
        if (rc != CTUNE_OK)
            ck_assert_int_eq(rc, CTUNE_ENOMEM);
        ctune_estimator_free(e);
        ck_assert_int_eq(ctune_alloc_live(), live);
        ok = rc == CTUNE_OK;
    }
    ck_assert(ok);
    ctune_data_free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dummy");
    TCase *tc = tcase_create("dummy");
    tcase_add_test(tc, test_api);
    tcase_add_test(tc, test_most_frequent_and_prior);
    tcase_add_test(tc, test_stratified);
    tcase_add_test(tc, test_uniform);
    tcase_add_test(tc, test_regressor);
    tcase_add_test(tc, test_alloc_failure_sweep);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
