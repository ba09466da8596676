/* Check suite: cross_val_score and cross_validate with estimators defined
 * in the test (public vtable only). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "testutil.h"

typedef struct {
    double *X, *y;
    ctune_data *data;
} dataset;

static dataset blobs(size_t n)
{
    dataset d;
    fx_blobs(n, 1, &d.X, &d.y);
    ck_assert_ok(ctune_data_new(&d.data, d.X, CTUNE_FLOAT64, n, 2, 0, d.y, 1));
    return d;
}

static dataset linear(size_t n)
{
    dataset d;
    fx_linear(n, 2, &d.X, &d.y);
    ck_assert_ok(ctune_data_new(&d.data, d.X, CTUNE_FLOAT64, n, 2, 0, d.y, 1));
    return d;
}

static void dataset_free(dataset *d)
{
    ctune_data_free(d->data);
    free(d->X);
    free(d->y);
}

/* Fits a clone on each split of `sp` by hand and scores it. */
static void manual_cv(const ctune_estimator *est, const ctune_data *data, ctune_splitter *sp,
                      const char *scoring, double *out)
{
    ctune_splits *s;
    ck_assert_ok(ctune_splitter_split(&s, sp, data));
    for (size_t f = 0; f < ctune_splits_count(s); f++) {
        const size_t *tr, *te;
        size_t ntr, nte;
        ck_assert_ok(ctune_splits_train(&tr, &ntr, s, f));
        ck_assert_ok(ctune_splits_test(&te, &nte, s, f));
        ctune_data *dtr, *dte;
        ck_assert_ok(ctune_data_subset(&dtr, data, tr, ntr));
        ck_assert_ok(ctune_data_subset(&dte, data, te, nte));
        ctune_estimator *e;
        ck_assert_ok(ctune_estimator_clone(&e, est));
        ck_assert_ok(ctune_estimator_fit(e, dtr));
        ck_assert_ok(ctune_score(&out[f], e, scoring, dte));
        ctune_estimator_free(e);
        ctune_data_free(dtr);
        ctune_data_free(dte);
    }
    ctune_splits_free(s);
}

START_TEST(test_cross_val_score_classifier_uses_stratified)
{
    dataset d = blobs(60);
    int64_t live = ctune_alloc_live();
    ctune_estimator *est;
    ck_assert_ok(ctune_estimator_new(&est, &fx_centroid_vt, NULL));
    ck_assert_ok(ctune_estimator_set_params_text(est, "shrink=0.25"));
    atomic_store(&fx_fits, 0);
    double scores[3];
    ck_assert_ok(ctune_cross_val_score(scores, est, d.data, 3, NULL));
    ck_assert_int_eq(atomic_load(&fx_fits), 3);
    ck_assert_int_eq(ctune_estimator_is_fitted(est), 0); /* never modified */
    double shrink;
    ck_assert_ok(ctune_params_get_double(&shrink, ctune_estimator_get_params(est), "shrink"));
    ck_assert_double_eq(shrink, 0.25);
    ctune_splitter *sp;
    ck_assert_ok(ctune_stratified_kfold_new(&sp, 3, 0, 0));
    double want[3];
    manual_cv(est, d.data, sp, "accuracy", want);
    for (int f = 0; f < 3; f++) {
        ck_assert_double_eq(scores[f], want[f]);
        ck_assert(scores[f] > 0.6 && scores[f] <= 1.0);
    }
    double named[3];
    ck_assert_ok(ctune_cross_val_score(named, est, d.data, 3, "accuracy"));
    for (int f = 0; f < 3; f++)
        ck_assert_double_eq(named[f], want[f]);
    ctune_splitter_free(sp);
    ctune_estimator_free(est);
    ck_assert_int_eq(ctune_alloc_live(), live);
    dataset_free(&d);
}
END_TEST

START_TEST(test_cross_val_score_regressor_uses_kfold)
{
    dataset d = linear(50);
    ctune_estimator *est;
    ck_assert_ok(ctune_estimator_new(&est, &fx_ridge_vt, NULL));
    double scores[4], want[4];
    ck_assert_ok(ctune_cross_val_score(scores, est, d.data, 4, "r2"));
    ctune_splitter *sp;
    ck_assert_ok(ctune_kfold_new(&sp, 4, 0, 0));
    manual_cv(est, d.data, sp, "r2", want);
    for (int f = 0; f < 4; f++) {
        ck_assert_double_eq(scores[f], want[f]);
        ck_assert(scores[f] > 0.8);
    }
    ctune_splitter_free(sp);
    ctune_estimator_free(est);
    dataset_free(&d);
}
END_TEST

START_TEST(test_cross_val_score_bad_input)
{
    dataset d = blobs(20);
    int64_t live = ctune_alloc_live();
    ctune_estimator *est;
    ck_assert_ok(ctune_estimator_new(&est, &fx_centroid_vt, NULL));
    double s[5];
    ck_assert_status(ctune_cross_val_score(s, NULL, d.data, 3, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_cross_val_score(s, est, NULL, 3, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_cross_val_score(NULL, est, d.data, 3, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_cross_val_score(s, est, d.data, 1, NULL), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "cross_val_score: cv must be >= 2 folds, got 1");
    ck_assert_status(ctune_cross_val_score(s, est, d.data, 0, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_cross_val_score(s, est, d.data, 3, "acuracy"), CTUNE_EINVAL);
    ck_assert_error_has("unknown scorer 'acuracy'; known: accuracy");
    ck_assert_status(ctune_cross_val_score(s, est, d.data, 21, NULL), CTUNE_EINVAL);
    ck_assert_error_has("cannot have n_splits=21 greater than the number of samples");
    /* a failing fit fails the call with the fit's message */
    ck_assert_ok(ctune_estimator_set_params_text(est, "shrink=0.5, fail_above=0.1"));
    ck_assert_status(ctune_cross_val_score(s, est, d.data, 2, NULL), CTUNE_ENUMERIC);
    ck_assert_str_eq(ctune_last_error(), "candidate 0, split 0: NearestCentroid: shrink 0.5 is "
                                         "above fail_above 0.1");
    /* a scorer for the other kind fails the call */
    ck_assert_ok(ctune_estimator_set_params_text(est, "fail_above=none"));
    ck_assert_status(ctune_cross_val_score(s, est, d.data, 2, "r2"), CTUNE_EINVAL);
    ck_assert_error_has("scorer 'r2' is for regressors, and NearestCentroid is a classifier");
    /* NaN in X is caught before any fit */
    double X[4] = {0, NAN, 1, 2}, y[2] = {0, 1};
    ctune_data *bad;
    ck_assert_ok(ctune_data_new(&bad, X, CTUNE_FLOAT64, 2, 2, 0, y, 1));
    atomic_store(&fx_fits, 0);
    ck_assert_status(ctune_cross_val_score(s, est, bad, 2, NULL), CTUNE_EDATA);
    ck_assert_error_has("X row 0, column 1 is NaN");
    ck_assert_int_eq(atomic_load(&fx_fits), 0);
    ctune_data_free(bad);
    /* no y */
    ctune_data *noy;
    ck_assert_ok(ctune_data_new(&noy, d.X, CTUNE_FLOAT64, 20, 2, 0, NULL, 0));
    ck_assert_status(ctune_cross_val_score(s, est, noy, 2, NULL), CTUNE_EDATA);
    ck_assert_error_has("the data has no y");
    ctune_data_free(noy);
    ctune_estimator_free(est);
    ck_assert_int_eq(ctune_alloc_live(), live);
    dataset_free(&d);
}
END_TEST

START_TEST(test_cross_validate_columns)
{
    dataset d = blobs(40);
    int64_t live = ctune_alloc_live();
    ctune_estimator *est;
    ck_assert_ok(ctune_estimator_new(&est, &fx_centroid_vt, NULL));
    ctune_cv_results *r;
    ck_assert_ok(ctune_cross_validate(&r, est, d.data, NULL, 4,
                                      "scoring=accuracy, return_train_score=true"));
    ck_assert_uint_eq(ctune_cv_results_n_splits(r), 4);
    ck_assert_uint_eq(ctune_cv_results_n_columns(r), 4);
    const char *names[] = {"fit_time", "score_time", "test_score", "train_score"};
    for (size_t j = 0; j < 4; j++)
        ck_assert_str_eq(ctune_cv_results_column_name(r, j), names[j]);
    ck_assert_ptr_null(ctune_cv_results_column_name(r, 4));
    double test[4], train[4], ft[4], want[4];
    ck_assert_ok(ctune_cv_results_column(test, r, "test_score"));
    ck_assert_ok(ctune_cv_results_column(train, r, "train_score"));
    ck_assert_ok(ctune_cv_results_column(ft, r, "fit_time"));
    ck_assert_ok(ctune_cross_val_score(want, est, d.data, 4, NULL));
    for (int f = 0; f < 4; f++) {
        ck_assert_double_eq(test[f], want[f]);
        ck_assert(train[f] > 0.5 && train[f] <= 1);
        ck_assert(ft[f] >= 0);
        ck_assert_ptr_null(ctune_cv_results_error(r, (size_t)f));
    }
    ck_assert_status(ctune_cv_results_column(test, r, "test_acc"), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "unknown cross_validate column 'test_acc'; known: "
                                         "fit_time, score_time, test_score, train_score");
    ck_assert_uint_eq(ctune_cv_results_n_warnings(r), 0);
    ctune_cv_results_free(r);

    /* several scorers: test_<name>; a scorer that does not apply gives
     * error_score for its own column only */
    ck_assert_ok(ctune_cross_validate(&r, est, d.data, NULL, 4, "scoring=accuracy|r2"));
    ck_assert_uint_eq(ctune_cv_results_n_columns(r), 4);
    ck_assert_str_eq(ctune_cv_results_column_name(r, 2), "test_accuracy");
    ck_assert_str_eq(ctune_cv_results_column_name(r, 3), "test_r2");
    double acc[4], r2[4];
    ck_assert_ok(ctune_cv_results_column(acc, r, "test_accuracy"));
    ck_assert_ok(ctune_cv_results_column(r2, r, "test_r2"));
    for (int f = 0; f < 4; f++) {
        ck_assert_double_eq(acc[f], want[f]);
        ck_assert(isnan(r2[f]));
        ck_assert_ptr_nonnull(ctune_cv_results_error(r, (size_t)f));
        ck_assert(strstr(ctune_cv_results_error(r, (size_t)f),
                         "scoring test (r2): scorer 'r2' is for regressors") != NULL);
    }
    ck_assert_uint_eq(ctune_cv_results_n_warnings(r), 1);
    ck_assert_str_eq(ctune_cv_results_warning(r, 0), "4 fits failed out of a total of 4; their "
                                                     "scores are set to error_score");
    ctune_cv_results_free(r);

    /* a splitter instead of cv; error_score as a number */
    ctune_splitter *sp;
    ck_assert_ok(ctune_shuffle_split_new(&sp, 3, 0.25, 5, 1));
    ck_assert_ok(ctune_estimator_set_params_text(est, "shrink=0.5, fail_above=0.2"));
    ck_assert_ok(ctune_cross_validate(&r, est, d.data, sp, 0, "error_score=-1"));
    ck_assert_uint_eq(ctune_cv_results_n_splits(r), 3);
    double neg[3];
    ck_assert_ok(ctune_cv_results_column(neg, r, "test_score"));
    for (int f = 0; f < 3; f++)
        ck_assert_double_eq(neg[f], -1);
    ck_assert_str_eq(ctune_cv_results_error(r, 0), "NearestCentroid: shrink 0.5 is above "
                                                   "fail_above 0.2");
    ctune_cv_results_free(r);
    /* error_score=raise stops at the first failure */
    ck_assert_status(ctune_cross_validate(&r, est, d.data, sp, 0, "error_score=raise"),
                     CTUNE_ENUMERIC);
    ck_assert_ptr_null(r);
    ctune_splitter_free(sp);
    ctune_estimator_free(est);
    ck_assert_int_eq(ctune_alloc_live(), live);
    dataset_free(&d);
}
END_TEST

/* ctune_cv_splitter_new is the rule an integer cv follows: the splits it
 * makes are the ones cross_validate makes for that cv. */
START_TEST(test_cv_splitter_rule)
{
    dataset d = blobs(20);
    int64_t live = ctune_alloc_live();
    ctune_estimator *clf, *reg;
    ck_assert_ok(ctune_estimator_new(&clf, &fx_centroid_vt, NULL));
    ck_assert_ok(ctune_estimator_new(&reg, &fx_ridge_vt, NULL));
    ctune_splitter *sp;
    ck_assert_ok(ctune_cv_splitter_new(&sp, clf, 4, 0, 0));
    ck_assert_str_eq(ctune_splitter_name(sp), "StratifiedKFold");
    ck_assert_uint_eq(ctune_splitter_n_splits(sp), 4);
    ctune_cv_results *a, *b;
    ck_assert_ok(ctune_cross_validate(&a, clf, d.data, sp, 0, NULL));
    ck_assert_ok(ctune_cross_validate(&b, clf, d.data, NULL, 4, NULL));
    double sa[4], sb[4];
    ck_assert_ok(ctune_cv_results_column(sa, a, "test_score"));
    ck_assert_ok(ctune_cv_results_column(sb, b, "test_score"));
    ck_assert_mem_eq(sa, sb, sizeof sa);
    ctune_cv_results_free(a);
    ctune_cv_results_free(b);
    ctune_splitter_free(sp);
    ck_assert_ok(ctune_cv_splitter_new(&sp, reg, 3, 1, 7));
    ck_assert_str_eq(ctune_splitter_name(sp), "KFold");
    ctune_splitter_free(sp);
    sp = (ctune_splitter *)1;
    ck_assert_status(ctune_cv_splitter_new(&sp, clf, 1, 0, 0), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "ctune_cv_splitter_new: cv must be >= 2 folds, got 1");
    ck_assert_ptr_null(sp);
    ck_assert_status(ctune_cv_splitter_new(&sp, NULL, 3, 0, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_cv_splitter_new(NULL, clf, 3, 0, 0), CTUNE_EINVAL);
    ctune_estimator_free(clf);
    ctune_estimator_free(reg);
    ck_assert_int_eq(ctune_alloc_live(), live);
    dataset_free(&d);
}
END_TEST

START_TEST(test_cross_validate_bad_input)
{
    dataset d = blobs(20);
    ctune_estimator *est;
    ck_assert_ok(ctune_estimator_new(&est, &fx_centroid_vt, NULL));
    ctune_cv_results *r = (ctune_cv_results *)1;
    ck_assert_status(ctune_cross_validate(NULL, est, d.data, NULL, 3, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_cross_validate(&r, NULL, d.data, NULL, 3, NULL), CTUNE_EINVAL);
    ck_assert_ptr_null(r);
    ck_assert_status(ctune_cross_validate(&r, est, NULL, NULL, 3, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_cross_validate(&r, est, d.data, NULL, 1, NULL), CTUNE_EINVAL);
    ck_assert_error_has("cross_validate: cv must be >= 2 folds, got 1");
    ck_assert_status(ctune_cross_validate(&r, est, d.data, NULL, 3, "refit=true"), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "cross_validate: unknown option 'refit'; known: scoring, "
                                         "error_score, return_train_score, n_jobs, seed");
    ck_assert_status(ctune_cross_validate(&r, est, d.data, NULL, 3, "scoring=f2"), CTUNE_EINVAL);
    ck_assert_error_has("cross_validate: option scoring: unknown scorer 'f2'");
    ck_assert_status(ctune_cross_validate(&r, est, d.data, NULL, 3, "n_jobs=0"), CTUNE_EINVAL);
    ck_assert_error_has("cross_validate: n_jobs must be non-zero");
    ck_assert_status(ctune_cross_validate(&r, est, d.data, NULL, 3, "error_score=maybe"),
                     CTUNE_EINVAL);
    ck_assert_error_has("option 'error_score' = 'maybe' is not one of raise|nan");
    ck_assert_status(ctune_cross_validate(&r, est, d.data, NULL, 3, "return_train_score=2"),
                     CTUNE_EINVAL);
    ck_assert_status(ctune_cross_validate(&r, est, d.data, NULL, 3, "scoring=accuracy|"),
                     CTUNE_EINVAL);
    ck_assert_status(ctune_cross_validate(&r, est, d.data, NULL, 3, "scoring accuracy"),
                     CTUNE_EFORMAT);
    ck_assert_ok(ctune_cross_validate(&r, est, d.data, NULL, 0, NULL)); /* 0 = 5 folds */
    ck_assert_uint_eq(ctune_cv_results_n_splits(r), 5);
    double out[5];
    ck_assert_status(ctune_cv_results_column(out, NULL, "fit_time"), CTUNE_EINVAL);
    ck_assert_status(ctune_cv_results_column(out, r, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_cv_results_column(NULL, r, "fit_time"), CTUNE_EINVAL);
    ck_assert_ptr_null(ctune_cv_results_error(r, 5));
    ck_assert_ptr_null(ctune_cv_results_warning(r, 0));
    ctune_cv_results_free(r);
    ctune_cv_results_free(NULL);
    ck_assert_uint_eq(ctune_cv_results_n_splits(NULL), 0);
    ctune_estimator_free(est);
    dataset_free(&d);
}
END_TEST

START_TEST(test_cross_validate_parallel_identical)
{
    dataset d = blobs(60);
    ctune_estimator *est;
    ck_assert_ok(ctune_estimator_new(&est, &fx_seeded_vt, NULL));
    ctune_cv_results *a, *b;
    ck_assert_ok(ctune_cross_validate(&a, est, d.data, NULL, 5, "seed=9, n_jobs=1"));
    ck_assert_ok(ctune_cross_validate(&b, est, d.data, NULL, 5, "seed=9, n_jobs=2"));
    double sa[5], sb[5];
    ck_assert_ok(ctune_cv_results_column(sa, a, "test_score"));
    ck_assert_ok(ctune_cv_results_column(sb, b, "test_score"));
    ck_assert_int_eq(memcmp(sa, sb, sizeof sa), 0);
    for (uint64_t f = 0; f < 5; f++) /* the task (0, f) stream of seed 9 */
        ck_assert_double_eq(sa[f], fx_seed_score(ctune_seed_derive(
                                       0, ctune_seed_derive(ctune_seed_derive(9, 0), f))));
    ctune_cv_results_free(a);
    ctune_cv_results_free(b);
    ctune_estimator_free(est);
    dataset_free(&d);
}
END_TEST

START_TEST(test_cross_validate_alloc_failure_sweep)
{
    dataset d = blobs(30);
    ctune_estimator *est;
    ck_assert_ok(ctune_estimator_new(&est, &fx_centroid_vt, NULL));
    int64_t live = ctune_alloc_live();
    int ok = 0;
    for (int k = 1; k < 3000 && !ok; k++) {
        ctune_cv_results *r = NULL;
        double s[3];
        ctune_alloc_fail_at(k, 0);
        ctune_status rc = ctune_cross_validate(&r, est, d.data, NULL, 3,
                                               "scoring=accuracy, return_train_score=true");
        if (rc == CTUNE_OK)
            rc = ctune_cross_val_score(s, est, d.data, 3, NULL);
        ctune_alloc_fail_at(0, 0);
        if (rc != CTUNE_OK)
            ck_assert_msg(rc == CTUNE_ENOMEM, "k=%d: %d %s", k, rc, ctune_last_error());
        ok = rc == CTUNE_OK;
        ctune_cv_results_free(r);
        ck_assert_int_eq(ctune_alloc_live(), live);
    }
    ck_assert(ok);
    ctune_estimator_free(est);
    dataset_free(&d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cross_validate");
    TCase *tc = tcase_create("cross_validate");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_cross_val_score_classifier_uses_stratified);
    tcase_add_test(tc, test_cross_val_score_regressor_uses_kfold);
    tcase_add_test(tc, test_cross_val_score_bad_input);
    tcase_add_test(tc, test_cross_validate_columns);
    tcase_add_test(tc, test_cross_validate_bad_input);
    tcase_add_test(tc, test_cv_splitter_rule);
    tcase_add_test(tc, test_cross_validate_parallel_identical);
    tcase_add_test(tc, test_cross_validate_alloc_failure_sweep);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
