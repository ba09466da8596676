/* Check suite: ctune_score with every scorer name, on "lookup" estimators
 * defined here whose predictions are read from X, so each expected value is
 * the hand computation of tests/core/test_metrics.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* ---- lookup classifier: predict = code in X column 0; predict_proba =
 * columns 1..k of X (one-hot of the code when X is narrower). ----------- */
typedef struct lookup {
    size_t k;
} lookup;

static ctune_status lk_create(void **self, const ctune_params *p, void *user)
{
    (void)p;
    (void)user;
    *self = calloc(1, sizeof(lookup));
    return *self ? CTUNE_OK : ctune_set_error(CTUNE_ENOMEM, "lookup: out of memory");
}

static ctune_status lk_fit(void *self, const ctune_data *train, size_t k, const ctune_fit_ctx *ctx)
{
    (void)ctx;
    lookup *l = self;
    l->k = k ? k : ctune_data_n_targets(train);
    return CTUNE_OK;
}

static ctune_status lk_predict_clf(void *self, const ctune_data *X, double *out)
{
    (void)self;
    for (size_t i = 0; i < ctune_data_n_rows(X); i++)
        out[i] = ctune_data_x(X, i, 0);
    return CTUNE_OK;
}

static ctune_status lk_proba(void *self, const ctune_data *X, double *out)
{
    const lookup *l = self;
    size_t d = ctune_data_n_cols(X);
    for (size_t i = 0; i < ctune_data_n_rows(X); i++)
        for (size_t c = 0; c < l->k; c++)
            out[i * l->k + c] = d > l->k ? ctune_data_x(X, i, 1 + c)
                                         : (double)(ctune_data_x(X, i, 0) == (double)c);
    return CTUNE_OK;
}

/* regressor: predict = the first n_outputs columns of X */
static ctune_status lk_predict_reg(void *self, const ctune_data *X, double *out)
{
    const lookup *l = self;
    for (size_t i = 0; i < ctune_data_n_rows(X); i++)
        for (size_t t = 0; t < l->k; t++)
            out[i * l->k + t] = ctune_data_x(X, i, t);
    return CTUNE_OK;
}

static void lk_destroy(void *self) { free(self); }

static const ctune_estimator_vtable LOOKUP_CLF = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "LookupClassifier",
    .kind = CTUNE_CLASSIFIER,
    .create = lk_create,
    .fit = lk_fit,
    .predict = lk_predict_clf,
    .predict_proba = lk_proba,
    .destroy = lk_destroy,
};

static const ctune_estimator_vtable LOOKUP_REG = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "LookupRegressor",
    .kind = CTUNE_REGRESSOR,
    .create = lk_create,
    .fit = lk_fit,
    .predict = lk_predict_reg,
    .destroy = lk_destroy,
};

/* Fits `vt` on (X n × d, y n × t) and returns the handle and the data. */
static ctune_estimator *fitted(const ctune_estimator_vtable *vt, const double *X, size_t n,
                               size_t d, const double *y, size_t t, ctune_data **data)
{
    ctune_estimator *e;
    ck_assert_ok(ctune_estimator_new(&e, vt, NULL));
    ck_assert_ok(ctune_data_new(data, X, CTUNE_FLOAT64, n, d, 0, y, t));
    ck_assert_ok(ctune_estimator_fit(e, *data));
    return e;
}

static double score(ctune_estimator *e, const char *name, const ctune_data *d)
{
    double v = NAN;
    ck_assert_ok(ctune_score(&v, e, name, d));
    return v;
}

#define EPS 1e-12

START_TEST(test_names)
{
    static const char *const want[] = {"accuracy",
                                       "balanced_accuracy",
                                       "f1",
                                       "f1_macro",
                                       "neg_log_loss",
                                       "neg_mean_absolute_error",
                                       "neg_mean_squared_error",
                                       "neg_root_mean_squared_error",
                                       "precision",
                                       "precision_macro",
                                       "r2",
                                       "recall",
                                       "recall_macro",
                                       "roc_auc"};
    ck_assert_uint_eq(ctune_scorer_count(), 14);
    for (size_t i = 0; i < 14; i++) {
        ck_assert_str_eq(ctune_scorer_name(i), want[i]);
        ck_assert_ok(ctune_scorer_check(want[i]));
    }
    ck_assert_ptr_null(ctune_scorer_name(14));
    ck_assert_status(ctune_scorer_check("f2"), CTUNE_EINVAL);
    ck_assert_error_has("unknown scorer 'f2'; known: accuracy, balanced_accuracy, f1,");
    ck_assert_error_has("roc_auc");
    ck_assert_status(ctune_scorer_check(NULL), CTUNE_EINVAL);
}
END_TEST

START_TEST(test_binary_labels_3_7)
{
    /* labels {3, 7}: codes 0 -> 3, 1 -> 7; 7 is positive.
     * y     7 7 7 3 3 3, predicted codes 1 0 0 1 0 0 = labels 7 3 3 7 3 3
     * pos 7: tp 1, fn 2, fp 1 -> precision 1/2, recall 1/3, F1 0.4
     * pos 3: tp 2, fp 2, fn 1 -> precision 1/2, recall 2/3, F1 4/7
     * accuracy 3/6; balanced accuracy (1/3 + 2/3)/2 = 0.5 */
    const double X[6 * 2] = {1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0};
    const double y[6] = {7, 7, 7, 3, 3, 3};
    ctune_data *d;
    ctune_estimator *e = fitted(&LOOKUP_CLF, X, 6, 2, y, 1, &d);
    ck_assert_double_eq_tol(score(e, "accuracy", d), 0.5, EPS);
    ck_assert_double_eq_tol(score(e, NULL, d), 0.5, EPS);
    ck_assert_double_eq_tol(score(e, "", d), 0.5, EPS);
    ck_assert_double_eq_tol(score(e, "balanced_accuracy", d), 0.5, EPS);
    ck_assert_double_eq_tol(score(e, "precision", d), 0.5, EPS);
    ck_assert_double_eq_tol(score(e, "recall", d), 1.0 / 3.0, EPS);
    ck_assert_double_eq_tol(score(e, "f1", d), 0.4, EPS);
    ck_assert_double_eq_tol(score(e, "precision_macro", d), 0.5, EPS);
    ck_assert_double_eq_tol(score(e, "recall_macro", d), 0.5, EPS);
    ck_assert_double_eq_tol(score(e, "f1_macro", d), (0.4 + 4.0 / 7.0) / 2.0, EPS);
    double v;
    ck_assert_status(ctune_score(&v, e, "r2", d), CTUNE_EINVAL);
    ck_assert_error_has("scorer 'r2' is for regressors, and LookupClassifier is a classifier");
    ck_assert_status(ctune_score(&v, e, "nope", d), CTUNE_EINVAL);
    ck_assert_error_has("unknown scorer 'nope'");
    ck_assert_status(ctune_score(NULL, e, "f1", d), CTUNE_EINVAL);
    ck_assert_status(ctune_score(&v, NULL, "f1", d), CTUNE_EINVAL);
    ck_assert_status(ctune_score(&v, e, "f1", NULL), CTUNE_EINVAL);
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_proba_scorers)
{
    /* roc_auc: y 3 3 7 7, P(7) 0.1 0.4 0.35 0.8 -> 3/4 (see test_metrics) */
    const double X[4 * 3] = {0, 0.9, 0.1, 0, 0.6, 0.4, 0, 0.65, 0.35, 0, 0.2, 0.8};
    const double y[4] = {3, 3, 7, 7};
    ctune_data *d;
    ctune_estimator *e = fitted(&LOOKUP_CLF, X, 4, 3, y, 1, &d);
    ck_assert_double_eq_tol(score(e, "roc_auc", d), 0.75, EPS);
    ctune_estimator_free(e);
    ctune_data_free(d);
    /* neg_log_loss: y 7 3 3 7 with P = [.1 .9] [.9 .1] [.8 .2] [.35 .65]
     * -(ln .9 + ln .9 + ln .8 + ln .65)/4 = -0.21616187468057912 */
    const double X2[4 * 3] = {0, .1, .9, 0, .9, .1, 0, .8, .2, 0, .35, .65};
    const double y2[4] = {7, 3, 3, 7};
    e = fitted(&LOOKUP_CLF, X2, 4, 3, y2, 1, &d);
    ck_assert_double_eq_tol(score(e, "neg_log_loss", d), -0.21616187468057912, EPS);
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_multiclass)
{
    /* y 0 1 2 0 1 2, predicted 0 2 1 0 0 1 (test_metrics' macro example):
     * precision_macro 2/9, recall_macro 1/3, f1_macro 4/15, accuracy 2/6,
     * balanced accuracy = recall_macro = 1/3.
     * neg_log_loss: proba rows of codes 0 1 2 below -> see test_metrics:
     * rows [.7 .2 .1] [.1 .8 .1] [.3 .3 .4] repeated -> -0.49870307570903237 */
    const double X[6 * 4] = {0, .7, .2, .1, 2, .1, .8, .1, 1, .3, .3, .4,
                             0, .7, .2, .1, 0, .1, .8, .1, 1, .3, .3, .4};
    const double y[6] = {0, 1, 2, 0, 1, 2};
    ctune_data *d;
    ctune_estimator *e = fitted(&LOOKUP_CLF, X, 6, 4, y, 1, &d);
    ck_assert_double_eq_tol(score(e, "accuracy", d), 2.0 / 6.0, EPS);
    ck_assert_double_eq_tol(score(e, "balanced_accuracy", d), 1.0 / 3.0, EPS);
    ck_assert_double_eq_tol(score(e, "precision_macro", d), 2.0 / 9.0, EPS);
    ck_assert_double_eq_tol(score(e, "recall_macro", d), 1.0 / 3.0, EPS);
    ck_assert_double_eq_tol(score(e, "f1_macro", d), 4.0 / 15.0, EPS);
    ck_assert_double_eq_tol(score(e, "neg_log_loss", d), -0.49870307570903237, EPS);
    double v;
    ck_assert_status(ctune_score(&v, e, "roc_auc", d), CTUNE_EINVAL);
    ck_assert_error_has("scorer 'roc_auc' needs a binary classifier");
    ck_assert_error_has("fitted on 3 classes (multiclass ROC AUC is not supported)");
    ck_assert_status(ctune_score(&v, e, "f1", d), CTUNE_EINVAL);
    ck_assert_error_has("use the '_macro' variant");
    ck_assert_status(ctune_score(&v, e, "precision", d), CTUNE_EINVAL);
    ck_assert_status(ctune_score(&v, e, "recall", d), CTUNE_EINVAL);
    /* a label never seen at fit cannot index probabilities */
    const double y5[6] = {0, 1, 5, 0, 1, 2};
    ctune_data *d5;
    ck_assert_ok(ctune_data_new(&d5, X, CTUNE_FLOAT64, 6, 4, 0, y5, 1));
    ck_assert_status(ctune_score(&v, e, "neg_log_loss", d5), CTUNE_EDATA);
    ck_assert_error_has("y row 2 has label 5, which LookupClassifier did not see at fit");
    /* label-based scorers just count it as wrong */
    ck_assert_double_eq_tol(score(e, "accuracy", d5), 2.0 / 6.0, EPS);
    ctune_data_free(d5);
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_regression_scorers)
{
    /* y 3 -0.5 2 7, predicted 2.5 0 2 8: MSE 0.375, MAE 0.5, RMSE sqrt(.375),
     * R² 1 - 1.5/29.1875 (test_metrics) */
    const double X[4] = {2.5, 0, 2, 8};
    const double y[4] = {3, -0.5, 2, 7};
    ctune_data *d;
    ctune_estimator *e = fitted(&LOOKUP_REG, X, 4, 1, y, 1, &d);
    ck_assert_double_eq_tol(score(e, "neg_mean_squared_error", d), -0.375, EPS);
    ck_assert_double_eq_tol(score(e, "neg_mean_absolute_error", d), -0.5, EPS);
    ck_assert_double_eq_tol(score(e, "neg_root_mean_squared_error", d), -sqrt(0.375), EPS);
    ck_assert_double_eq_tol(score(e, "r2", d), 1.0 - 1.5 / 29.1875, EPS);
    ck_assert_double_eq_tol(score(e, NULL, d), 1.0 - 1.5 / 29.1875, EPS);
    double v;
    ck_assert_status(ctune_score(&v, e, "accuracy", d), CTUNE_EINVAL);
    ck_assert_error_has("is for classifiers, and LookupRegressor is a regressor");
    ck_assert_status(ctune_score(&v, e, "roc_auc", d), CTUNE_EINVAL);
    /* no y, no rows, unfitted */
    ctune_data *noy;
    ck_assert_ok(ctune_data_new(&noy, X, CTUNE_FLOAT64, 4, 1, 0, NULL, 0));
    ck_assert_status(ctune_score(&v, e, "r2", noy), CTUNE_EDATA);
    ck_assert_error_has("needs y");
    ctune_data_free(noy);
    ck_assert_ok(ctune_data_new(&noy, X, CTUNE_FLOAT64, 0, 1, 0, y, 1));
    ck_assert_status(ctune_score(&v, e, "r2", noy), CTUNE_EDATA);
    ck_assert_error_has("no rows");
    ctune_data_free(noy);
    ctune_estimator *u;
    ck_assert_ok(ctune_estimator_clone(&u, e));
    ck_assert_status(ctune_score(&v, u, "r2", d), CTUNE_ESTATE);
    ctune_estimator_free(u);
    ctune_estimator_free(e);
    ctune_data_free(d);
    /* two targets, scikit-learn's doc example (test_metrics) */
    const double X2[6] = {0, 2, -1, 2, 8, -5};
    const double y2[6] = {0.5, 1, -1, 1, 7, -6};
    e = fitted(&LOOKUP_REG, X2, 3, 2, y2, 2, &d);
    ck_assert_double_eq_tol(score(e, "neg_mean_squared_error", d), -(1.25 / 3.0 + 1.0) / 2.0, EPS);
    ck_assert_double_eq_tol(score(e, "neg_mean_absolute_error", d), -0.75, EPS);
    ck_assert_double_eq_tol(score(e, "neg_root_mean_squared_error", d),
                            -(sqrt(1.25 / 3.0) + 1.0) / 2.0, EPS);
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_dummy_and_leaks)
{
    /* DummyClassifier(prior) on y 0 0 0 1: P = [3/4, 1/4] for every row;
     * log loss = -(3 ln 3/4 + ln 1/4)/4; ROC AUC of constant scores = 0.5 */
    int64_t live = ctune_alloc_live();
    const double X[4] = {1, 2, 3, 4}, y[4] = {0, 0, 0, 1};
    ctune_data *d;
    ctune_estimator *e;
    ck_assert_ok(ctune_dummy_classifier_new(&e));
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 4, 1, 0, y, 1));
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_double_eq_tol(score(e, "neg_log_loss", d), (3 * log(0.75) + log(0.25)) / 4, EPS);
    ck_assert_double_eq_tol(score(e, "roc_auc", d), 0.5, EPS);
    ck_assert_double_eq_tol(score(e, "f1", d), 0.0, EPS);
    ck_assert_double_eq_tol(score(e, "accuracy", d), 0.75, EPS);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_alloc_failure_sweep)
{
    const double X[4 * 3] = {0, 0.9, 0.1, 0, 0.6, 0.4, 1, 0.65, 0.35, 1, 0.2, 0.8};
    const double y[4] = {3, 3, 7, 7};
    ctune_data *d;
    ctune_estimator *e = fitted(&LOOKUP_CLF, X, 4, 3, y, 1, &d);
    int64_t live = ctune_alloc_live();
    for (size_t s = 0; s < ctune_scorer_count(); s++) {
        const char *name = ctune_scorer_name(s);
        if (strncmp(name, "neg_m", 5) == 0 || strncmp(name, "neg_r", 5) == 0 ||
            strcmp(name, "r2") == 0)
            continue;
        int ok = 0;
        for (int k = 1; k < 50 && !ok; k++) {
            double v;
            ctune_alloc_fail_at(k, 0);
            ctune_status rc = ctune_score(&v, e, name, d);
            ctune_alloc_fail_at(0, 0);
            if (rc != CTUNE_OK)
                ck_assert_msg(rc == CTUNE_ENOMEM, "%s: %s", name, ctune_last_error());
            ck_assert_int_eq(ctune_alloc_live(), live);
            ok = rc == CTUNE_OK;
        }
        ck_assert_msg(ok, "%s never succeeded", name);
    }
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("scorer");
    TCase *tc = tcase_create("scorer");
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_binary_labels_3_7);
    tcase_add_test(tc, test_proba_scorers);
    tcase_add_test(tc, test_multiclass);
    tcase_add_test(tc, test_regression_scorers);
    tcase_add_test(tc, test_dummy_and_leaks);
    tcase_add_test(tc, test_alloc_failure_sweep);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
