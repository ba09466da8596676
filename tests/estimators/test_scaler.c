/* Check suite: StandardScaler. */
#include <math.h>
#include <string.h>

#include "testutil.h"

/* Columns worked by hand (and checked against scikit-learn 1.2.1):
 *   c0 = 1 2 3 6:      mean 3,  var (4 + 1 + 0 + 9) / 4 = 3.5, scale sqrt(3.5)
 *   c1 = 10 20 30 40:  mean 25, var (225 + 25 + 25 + 225) / 4 = 125
 *   c2 = 5 5 5 5:      var 0 -> scale 1 (left unscaled, only centred)
 *   c3 = 0.3 × 4, c4 = (1e8 + 0.1) × 4: constant up to rounding -> scale 1 */
static const double X[] = {1, 10, 5, 0.3, 1e8 + 0.1, 2, 20, 5, 0.3, 1e8 + 0.1,
                           3, 30, 5, 0.3, 1e8 + 0.1, 6, 40, 5, 0.3, 1e8 + 0.1};

static ctune_estimator *scaler_with(const char *params)
{
    ctune_estimator *e;
    ck_assert_ok(ctune_standard_scaler_new(&e));
    if (params)
        ck_assert_ok(ctune_estimator_set_params_text(e, params));
    return e;
}

START_TEST(test_statistics_and_transform)
{
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 4, 5, 0, NULL, 0));
    ctune_estimator *s = scaler_with(NULL);
    ck_assert_int_eq(ctune_estimator_kind(s), CTUNE_TRANSFORMER);
    ck_assert_str_eq(ctune_estimator_name(s), "StandardScaler");
    ck_assert_ok(ctune_estimator_fit(s, d)); /* a transformer needs no y */
    ck_assert_uint_eq(ctune_estimator_n_outputs(s), 5);
    double mean[5], var[5], scale[5];
    ck_assert_ok(ctune_scaler_mean(mean, s));
    ck_assert_ok(ctune_scaler_var(var, s));
    ck_assert_ok(ctune_scaler_scale(scale, s));
    ck_assert_double_eq(mean[0], 3);
    ck_assert_double_eq(mean[1], 25);
    ck_assert_double_eq(mean[2], 5);
    ck_assert_double_eq_tol(var[0], 3.5, 1e-15);
    ck_assert_double_eq_tol(var[1], 125, 1e-12);
    ck_assert_double_eq(var[2], 0);
    ck_assert_double_eq_tol(scale[0], sqrt(3.5), 1e-15);
    ck_assert_double_eq_tol(scale[1], sqrt(125), 1e-13);
    ck_assert_double_eq(scale[2], 1);
    ck_assert_double_eq(scale[3], 1);
    ck_assert_double_eq(scale[4], 1);
    double out[20];
    ck_assert_ok(ctune_estimator_transform(out, s, d));
    const double want0[] = {-2 / sqrt(3.5), -1 / sqrt(3.5), 0, 3 / sqrt(3.5)};
    const double want1[] = {-15 / sqrt(125), -5 / sqrt(125), 5 / sqrt(125), 15 / sqrt(125)};
    for (int i = 0; i < 4; i++) {
        ck_assert_double_eq_tol(out[i * 5 + 0], want0[i], 1e-14);
        ck_assert_double_eq_tol(out[i * 5 + 1], want1[i], 1e-14);
        ck_assert_double_eq(out[i * 5 + 2], 0);
        ck_assert(fabs(out[i * 5 + 3]) < 1e-15);
        ck_assert(fabs(out[i * 5 + 4]) < 1e-6);
    }
    /* predict of a transformer is its transform */
    double out2[20];
    ck_assert_ok(ctune_estimator_predict(out2, s, d));
    ck_assert_int_eq(memcmp(out, out2, sizeof out), 0);
    /* inverse_transform undoes it */
    ctune_data *t;
    ck_assert_ok(ctune_data_new(&t, out, CTUNE_FLOAT64, 4, 5, 0, NULL, 0));
    ck_assert_ok(ctune_estimator_inverse_transform(out2, s, t));
    for (int i = 0; i < 20; i++)
        ck_assert_double_eq_tol(out2[i], X[i], 1e-7 * fmax(1, fabs(X[i])));
    ctune_data_free(t);
    ctune_estimator_free(s);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_with_mean_with_std)
{
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 4, 5, 0, NULL, 0));
    double out[20], back[20], scale[5], mean[5];
    /* with_mean=false: scaled, not centred (the statistics are still the
     * column's own) */
    ctune_estimator *s = scaler_with("with_mean=false");
    ck_assert_ok(ctune_estimator_fit(s, d));
    ck_assert_ok(ctune_estimator_transform(out, s, d));
    ck_assert_double_eq_tol(out[0], 1 / sqrt(3.5), 1e-15);
    ck_assert_double_eq(out[2], 5);
    ck_assert_ok(ctune_scaler_mean(mean, s));
    ck_assert_double_eq(mean[1], 25);
    ctune_data *t;
    ck_assert_ok(ctune_data_new(&t, out, CTUNE_FLOAT64, 4, 5, 0, NULL, 0));
    ck_assert_ok(ctune_estimator_inverse_transform(back, s, t));
    ck_assert_double_eq_tol(back[5], 2, 1e-14);
    ctune_data_free(t);
    ctune_estimator_free(s);
    /* with_std=false: centred only, scale 1 */
    s = scaler_with("with_std=false");
    ck_assert_ok(ctune_estimator_fit(s, d));
    ck_assert_ok(ctune_scaler_scale(scale, s));
    for (int j = 0; j < 5; j++)
        ck_assert_double_eq(scale[j], 1);
    ck_assert_ok(ctune_estimator_transform(out, s, d));
    ck_assert_double_eq(out[0], -2);
    ck_assert_double_eq(out[1], -15);
    ctune_estimator_free(s);
    /* both off: the identity */
    s = scaler_with("with_std=false, with_mean=false");
    ck_assert_ok(ctune_estimator_fit(s, d));
    ck_assert_ok(ctune_estimator_transform(out, s, d));
    ck_assert_int_eq(memcmp(out, X, sizeof out), 0);
    ctune_estimator_free(s);
    ctune_data_free(d);
}
END_TEST

/* float32 input, a strided view and a subset give the statistics of the
 * rows they select. */
START_TEST(test_views)
{
    float Xf[] = {1, 99, 2, 99, 3, 99, 6, 99}; /* column 0 of a stride-2 layout */
    ctune_data *d, *sub;
    ck_assert_ok(ctune_data_new(&d, Xf, CTUNE_FLOAT32, 4, 1, 2, NULL, 0));
    ctune_estimator *s = scaler_with(NULL);
    ck_assert_ok(ctune_estimator_fit(s, d));
    double mean, var, out[4];
    ck_assert_ok(ctune_scaler_mean(&mean, s));
    ck_assert_ok(ctune_scaler_var(&var, s));
    ck_assert_double_eq(mean, 3);
    ck_assert_double_eq_tol(var, 3.5, 1e-15);
    size_t rows[] = {0, 3};
    ck_assert_ok(ctune_data_subset(&sub, d, rows, 2));
    ck_assert_ok(ctune_estimator_fit(s, sub)); /* {1, 6}: mean 3.5, var 6.25 */
    ck_assert_ok(ctune_scaler_mean(&mean, s));
    ck_assert_ok(ctune_scaler_var(&var, s));
    ck_assert_double_eq(mean, 3.5);
    ck_assert_double_eq(var, 6.25);
    ck_assert_ok(ctune_estimator_transform(out, s, d));
    ck_assert_double_eq(out[0], -1);
    ck_assert_double_eq(out[3], 1);
    ctune_data_free(sub);
    ctune_data_free(d);
    ctune_estimator_free(s);
}
END_TEST

START_TEST(test_bad_input)
{
    ctune_estimator *s = scaler_with(NULL);
    double mean[2], out[4];
    ck_assert_status(ctune_scaler_mean(mean, s), CTUNE_ESTATE);
    ck_assert_error_has("StandardScaler is not fitted");
    ck_assert_status(ctune_scaler_mean(mean, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_set_params_text(s, "with_mean=maybe"), CTUNE_EINVAL);
    ck_assert_error_has("'with_mean' must be bool");
    ck_assert_status(ctune_estimator_set_params_text(s, "copy=true"), CTUNE_EINVAL);
    ck_assert_error_has("unknown parameter 'copy' for StandardScaler; known: with_mean, with_std");
    double Xn[] = {1, 2, NAN, 4};
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, Xn, CTUNE_FLOAT64, 2, 2, 0, NULL, 0));
    ck_assert_status(ctune_estimator_fit(s, d), CTUNE_EDATA);
    ck_assert_error_has("X row 1, column 0 is NaN");
    Xn[2] = 3;
    ck_assert_ok(ctune_estimator_fit(s, d));
    ck_assert_status(ctune_scaler_mean(NULL, s), CTUNE_EINVAL);
    Xn[3] = INFINITY;
    ck_assert_status(ctune_estimator_transform(out, s, d), CTUNE_EDATA);
    ck_assert_status(ctune_estimator_inverse_transform(out, s, d), CTUNE_EDATA);
    ctune_data *wide;
    double W[] = {1, 2, 3};
    ck_assert_ok(ctune_data_new(&wide, W, CTUNE_FLOAT64, 1, 3, 0, NULL, 0));
    ck_assert_status(ctune_estimator_transform(out, s, wide), CTUNE_EDATA);
    ck_assert_error_has("X has 3 features, but StandardScaler was fitted with 2");
    ck_assert_status(ctune_estimator_inverse_transform(out, s, wide), CTUNE_EDATA);
    Xn[3] = 4;
    ck_assert_status(ctune_estimator_transform(NULL, s, d), CTUNE_EINVAL);
    /* a scaler has no predict_proba, classes or score */
    ck_assert_status(ctune_estimator_predict_proba(out, s, d), CTUNE_EUNSUPPORTED);
    ck_assert_status(ctune_estimator_score(out, s, d), CTUNE_EUNSUPPORTED);
    ctune_estimator *tree;
    ck_assert_ok(ctune_decision_tree_classifier_new(&tree));
    ck_assert_status(ctune_scaler_scale(mean, tree), CTUNE_EINVAL);
    ck_assert_error_has("DecisionTreeClassifier is not a StandardScaler");
    ck_assert_status(ctune_standard_scaler_new(NULL), CTUNE_EINVAL);
    ctune_estimator_free(tree);
    ctune_data_free(wide);
    ctune_data_free(d);
    ctune_estimator_free(s);
}
END_TEST

START_TEST(test_clone_and_params)
{
    ctune_estimator *s = scaler_with("with_std=false"), *c;
    ck_assert_ok(ctune_estimator_clone(&c, s));
    const ctune_params *p = ctune_estimator_get_params(c);
    int b;
    ck_assert_ok(ctune_params_get_bool(&b, p, "with_std"));
    ck_assert_int_eq(b, 0);
    ck_assert_ok(ctune_params_get_bool(&b, p, "with_mean"));
    ck_assert_int_eq(b, 1);
    ck_assert_uint_eq(ctune_params_count(p), 2);
    ctune_estimator_free(s);
    ctune_estimator_free(c);
}
END_TEST

START_TEST(test_alloc_failure_sweep)
{
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 4, 5, 0, NULL, 0));
    int64_t live = ctune_alloc_live();
    for (int k = 1; k < 100; k++) {
        ctune_estimator *s = NULL;
        ctune_alloc_fail_at(k, 0);
        ctune_status rc = ctune_standard_scaler_new(&s);
        if (rc == CTUNE_OK)
            rc = ctune_estimator_fit(s, d);
        ctune_alloc_fail_at(0, 0);
        if (rc != CTUNE_OK) {
            ck_assert_int_eq(rc, CTUNE_ENOMEM);
            ck_assert_int_eq(ctune_estimator_is_fitted(s), 0);
        }
        ctune_estimator_free(s);
        ck_assert_int_eq(ctune_alloc_live(), live);
        if (rc == CTUNE_OK) {
            ctune_data_free(d);
            return;
        }
    }
    ck_abort_msg("never succeeded");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("scaler");
    TCase *tc = tcase_create("scaler");
    tcase_add_test(tc, test_statistics_and_transform);
    tcase_add_test(tc, test_with_mean_with_std);
    tcase_add_test(tc, test_views);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_clone_and_params);
    tcase_add_test(tc, test_alloc_failure_sweep);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
