/* Degenerate and hostile data for what exists (data views, CSV, Dummy
 * estimators, scorers, persistence, the conformance kit): constant
 * features, a single class, 1 sample, 1 feature, huge and tiny magnitudes,
 * duplicated rows, NaN/Inf in X, y and params, float32, empty data, zero
 * counts, crafted model files. Each case has a documented result
 * (docs/reliability.md) or a clear error, never a crash or silent garbage. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/stream.h"
#include "persist/persist.h"
#include "testutil.h"

#define N 12

typedef struct fixture {
    double X[N * 3], y[N * 2];
    float Xf[N * 3];
} fixture;

static ctune_estimator *est(int reg, const char *params)
{
    ctune_estimator *e;
    ck_assert_ok(reg ? ctune_dummy_regressor_new(&e) : ctune_dummy_classifier_new(&e));
    if (params)
        ck_assert_ok(ctune_estimator_set_params_text(e, params));
    return e;
}

static ctune_data *view(const double *X, size_t n, size_t d, const double *y, size_t t)
{
    ctune_data *v;
    ck_assert_ok(ctune_data_new(&v, X, CTUNE_FLOAT64, n, d, 0, y, t));
    return v;
}

static const char *const CLF_STRATEGIES[] = {"most_frequent", "prior", "stratified", "uniform"};
static const char *const REG_STRATEGIES[] = {"mean", "median", "constant"};

/* ---- constant features, duplicated rows, 1 feature, 1 sample ------------------ */

START_TEST(test_constant_and_duplicated_rows)
{
    int64_t live = ctune_alloc_live();
    fixture f;
    for (int i = 0; i < N; i++) {
        f.X[3 * i] = f.X[3 * i + 1] = f.X[3 * i + 2] = 7.0; /* every row the same */
        f.y[i] = i % 4 == 0 ? 2 : 5;
    }
    ctune_data *d = view(f.X, N, 3, f.y, 1);
    double pred[N], proba[2 * N];
    for (int s = 0; s < 4; s++) {
        char p[64];
        snprintf(p, sizeof p, "strategy=%s", CLF_STRATEGIES[s]);
        ctune_estimator *e = est(0, p);
        ck_assert_ok(ctune_estimator_fit(e, d));
        ck_assert_ok(ctune_estimator_predict(pred, e, d));
        ck_assert_ok(ctune_estimator_predict_proba(proba, e, d));
        /* identical rows get identical predictions, whatever the strategy */
        for (int i = 1; i < N; i++) {
            ck_assert_double_eq(pred[i], pred[0]);
            ck_assert_double_eq(proba[2 * i], proba[0]);
        }
        ck_assert(pred[0] == 2 || pred[0] == 5);
        ctune_estimator_free(e);
    }
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_one_sample_one_feature)
{
    int64_t live = ctune_alloc_live();
    double x = 3.0, y = -4.0, pred, proba, s;
    ctune_data *d = view(&x, 1, 1, &y, 1);
    for (int k = 0; k < 4; k++) {
        char p[64];
        snprintf(p, sizeof p, "strategy=%s", CLF_STRATEGIES[k]);
        ctune_estimator *e = est(0, p);
        ck_assert_ok(ctune_estimator_fit(e, d));
        ck_assert_uint_eq(ctune_estimator_n_classes(e), 1);
        ck_assert_ok(ctune_estimator_predict(&pred, e, d));
        ck_assert_double_eq(pred, -4.0);
        ck_assert_ok(ctune_estimator_predict_proba(&proba, e, d));
        ck_assert_double_eq(proba, 1.0);
        ck_assert_ok(ctune_estimator_score(&s, e, d));
        ck_assert_double_eq(s, 1.0);
        ctune_estimator_free(e);
    }
    for (int k = 0; k < 3; k++) {
        char p[64];
        snprintf(p, sizeof p, "strategy=%s, constant=-4", REG_STRATEGIES[k]);
        ctune_estimator *e = est(1, p);
        ck_assert_ok(ctune_estimator_fit(e, d));
        ck_assert_ok(ctune_estimator_predict(&pred, e, d));
        ck_assert_double_eq(pred, -4.0);
        /* R² of one sample: y_true is constant and predicted exactly */
        ck_assert_ok(ctune_estimator_score(&s, e, d));
        ck_assert_double_eq(s, 1.0);
        ctune_estimator_free(e);
    }
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* ---- a single class ------------------------------------------------------------- */

START_TEST(test_single_class)
{
    int64_t live = ctune_alloc_live();
    fixture f;
    for (int i = 0; i < N; i++) {
        f.X[i] = i;
        f.y[i] = 9;
    }
    ctune_data *d = view(f.X, N, 1, f.y, 1);
    ctune_estimator *e = est(0, "strategy=stratified");
    double pred[N], v;
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_ok(ctune_estimator_predict(pred, e, d));
    for (int i = 0; i < N; i++)
        ck_assert_double_eq(pred[i], 9);
    /* scorers that need two classes say so; the others score perfectly */
    for (size_t i = 0; i < ctune_scorer_count(); i++) {
        const char *name = ctune_scorer_name(i);
        ctune_status rc = ctune_score(&v, e, name, d);
        if (!strcmp(name, "roc_auc") || !strcmp(name, "f1") || !strcmp(name, "precision") ||
            !strcmp(name, "recall")) {
            ck_assert_msg(rc == CTUNE_EINVAL, "%s: %d", name, rc);
            ck_assert_error_has("binary");
        } else if (!strncmp(name, "neg_mean", 8) || !strncmp(name, "neg_root", 8) ||
                   !strcmp(name, "r2")) {
            ck_assert_msg(rc == CTUNE_EINVAL, "%s: %d", name, rc); /* a regression scorer */
        } else {
            ck_assert_msg(rc == CTUNE_OK, "%s: %s", name, ctune_last_error());
            ck_assert_msg(isfinite(v), "%s: %g", name, v);
            ck_assert_msg(v == (!strcmp(name, "neg_log_loss") ? v : 1.0), "%s: %g", name, v);
        }
    }
    /* log loss of one class predicted with probability 1: clipped, ~0 */
    ck_assert_ok(ctune_score(&v, e, "neg_log_loss", d));
    ck_assert(v <= 0 && v > -1e-12);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* ---- magnitudes ------------------------------------------------------------------- */

START_TEST(test_huge_and_tiny_magnitudes)
{
    int64_t live = ctune_alloc_live();
    const double mags[] = {1e30, 1e-30, 1e300, DBL_MAX, DBL_MIN, 5e-324};
    for (size_t m = 0; m < sizeof mags / sizeof mags[0]; m++) {
        fixture f;
        for (int i = 0; i < N; i++) {
            f.X[i] = mags[m] * (i % 2 ? -1 : 1);
            f.y[i] = mags[m] * (double)(i % 3); /* 0, m, 2m (2m overflows for DBL_MAX) */
            if (!isfinite(f.y[i]))
                f.y[i] = mags[m];
        }
        ctune_data *d = view(f.X, N, 1, f.y, 1);
        for (int k = 0; k < 2; k++) {
            ctune_estimator *e = est(1, k ? "strategy=median" : NULL);
            double pred[N], s;
            ck_assert_ok(ctune_estimator_fit(e, d));
            ck_assert_ok(ctune_estimator_predict(pred, e, d));
            ck_assert_msg(isfinite(pred[0]), "magnitude %g, %s: %g", mags[m], REG_STRATEGIES[k],
                          pred[0]);
            /* the mean / median lies within the values */
            double hi = 0;
            for (int i = 0; i < N; i++)
                hi = fmax(hi, f.y[i]);
            ck_assert(pred[0] >= 0 && pred[0] <= hi);
            ck_assert_ok(ctune_estimator_score(&s, e, d));
            ck_assert_msg(isfinite(s) && s <= 1.0, "magnitude %g: R² %g", mags[m], s);
            for (const char *sc = "neg_mean_absolute_error"; sc; sc = NULL) {
                ck_assert_ok(ctune_score(&s, e, sc, d));
                ck_assert(!isnan(s));
            }
            ctune_estimator_free(e);
        }
        ctune_data_free(d);
    }
    /* R² itself, at the edge of the doubles: same value as for scaled-down data */
    double yt[4] = {DBL_MAX, -DBL_MAX, DBL_MAX, 0}, yp[4] = {0, 0, 0, 0}, a, b;
    double st[4], sp[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4; i++)
        st[i] = yt[i] / DBL_MAX;
    ck_assert_ok(ctune_metric_r2(&a, yt, yp, 4, 1));
    ck_assert_ok(ctune_metric_r2(&b, st, sp, 4, 1));
    ck_assert(isfinite(a));
    ck_assert_double_eq_tol(a, b, 1e-12);
    /* DummyRegressor's mean of 9 × DBL_MAX is DBL_MAX, not +Inf */
    double Xm[9] = {0}, ym[9], pm[9];
    for (int i = 0; i < 9; i++)
        ym[i] = DBL_MAX;
    ctune_data *dm = view(Xm, 9, 1, ym, 1);
    ctune_estimator *e = est(1, NULL);
    ck_assert_ok(ctune_estimator_fit(e, dm));
    ck_assert_ok(ctune_estimator_predict(pm, e, dm));
    ck_assert_double_eq(pm[0], DBL_MAX);
    ctune_estimator_free(e);
    ctune_data_free(dm);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_label_edge_values)
{
    int64_t live = ctune_alloc_live();
    double X[4] = {0, 1, 2, 3}, y[4], pred[4];
    ctune_estimator *e = est(0, NULL);
    /* -0.0 and 0.0 are the same class; large integers up to 9e15 work */
    y[0] = -0.0, y[1] = 0.0, y[2] = 9e15, y[3] = -9e15;
    ctune_data *d = view(X, 4, 1, y, 1);
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_uint_eq(ctune_estimator_n_classes(e), 3);
    ck_assert_ok(ctune_estimator_predict(pred, e, d));
    ck_assert_double_eq(pred[0], 0.0);
    ctune_data_free(d);
    /* non-integer labels, and integers beyond 9e15 (not exactly representable
     * neighbours), are rejected naming the row */
    const double bad[] = {0.5, 1e30, 9.1e15, -1e300};
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        y[0] = y[1] = y[3] = 1;
        y[2] = bad[b];
        d = view(X, 4, 1, y, 1);
        ck_assert_status(ctune_estimator_fit(e, d), CTUNE_EDATA);
        ck_assert_error_has("y row 2");
        ck_assert_error_has("integer-valued");
        ck_assert_int_eq(ctune_estimator_is_fitted(e), 0);
        ctune_data_free(d);
    }
    ctune_estimator_free(e);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* ---- NaN / Inf in X, y and params -------------------------------------------- */

START_TEST(test_nonfinite_data)
{
    int64_t live = ctune_alloc_live();
    const double bad[] = {NAN, INFINITY, -INFINITY};
    const char *names[] = {"NaN", "+Inf", "-Inf"};
    for (int b = 0; b < 3; b++) {
        for (int reg = 0; reg < 2; reg++) {
            fixture f;
            for (int i = 0; i < N; i++) {
                f.X[2 * i] = i;
                f.X[2 * i + 1] = -i;
                f.y[i] = i % 2;
            }
            ctune_estimator *e = est(reg, NULL);
            f.X[2 * 5 + 1] = bad[b];
            ctune_data *d = view(f.X, N, 2, f.y, 1);
            ck_assert_status(ctune_estimator_fit(e, d), CTUNE_EDATA);
            ck_assert_error_has("X row 5, column 1 is");
            ck_assert_error_has(names[b]);
            ctune_data_free(d);
            f.X[2 * 5 + 1] = 0;
            f.y[7] = bad[b];
            d = view(f.X, N, 2, f.y, 1);
            ck_assert_status(ctune_estimator_fit(e, d), CTUNE_EDATA);
            ck_assert_error_has("y row 7 is");
            ck_assert_int_eq(ctune_estimator_is_fitted(e), 0);
            ctune_data_free(d);
            /* fitted, then non-finite X at predict / y at score */
            f.y[7] = 1;
            d = view(f.X, N, 2, f.y, 1);
            ck_assert_ok(ctune_estimator_fit(e, d));
            ctune_data_free(d);
            double pred[N], s;
            f.X[0] = bad[b];
            d = view(f.X, N, 2, NULL, 0);
            ck_assert_status(ctune_estimator_predict(pred, e, d), CTUNE_EDATA);
            ck_assert_error_has("X row 0, column 0");
            ctune_data_free(d);
            f.X[0] = 0;
            f.y[3] = bad[b];
            d = view(f.X, N, 2, f.y, 1);
            ck_assert_status(ctune_estimator_score(&s, e, d), CTUNE_EDATA);
            ck_assert_error_has("y row 3");
            ctune_data_free(d);
            ctune_estimator_free(e);
        }
    }
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_nonfinite_params)
{
    int64_t live = ctune_alloc_live();
    double X[4] = {0, 1, 2, 3}, y[4] = {1, 2, 3, 4};
    ctune_data *d = view(X, 4, 1, y, 1);
    const char *values[] = {"nan", "inf", "-inf"};
    for (int v = 0; v < 3; v++) {
        char p[96];
        /* a non-finite constant is accepted by set_params (the spec has no
         * range) and refused at fit, naming it */
        ctune_estimator *e = est(1, NULL);
        snprintf(p, sizeof p, "strategy=constant, constant=%s", values[v]);
        ck_assert_ok(ctune_estimator_set_params_text(e, p));
        ck_assert_status(ctune_estimator_fit(e, d), CTUNE_EINVAL);
        ck_assert_error_has("constant");
        ck_assert_error_has("not finite");
        /* the same through a typed setter */
        ctune_params *q;
        ck_assert_ok(ctune_params_new(&q));
        ck_assert_ok(ctune_params_set_double(q, "constant",
                                             v == 0   ? NAN
                                             : v == 1 ? INFINITY
                                                      : -INFINITY));
        ck_assert_ok(ctune_estimator_set_params(e, q));
        ck_assert_status(ctune_estimator_fit(e, d), CTUNE_EINVAL);
        ctune_params_free(q);
        ctune_estimator_free(e);
        /* an int param given a non-finite double is refused at set_params */
        e = est(0, NULL);
        snprintf(p, sizeof p, "seed=%s", values[v]);
        ck_assert_status(ctune_estimator_set_params_text(e, p), CTUNE_EINVAL);
        ck_assert_error_has("'seed'");
        ctune_estimator_free(e);
    }
    /* seed beyond int64 is a double, refused as an int */
    ctune_estimator *e = est(0, NULL);
    ck_assert_status(ctune_estimator_set_params_text(e, "seed=1e300"), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_set_params_text(e, "seed=99999999999999999999"), CTUNE_EINVAL);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* ---- float32 ----------------------------------------------------------------------- */

START_TEST(test_float32_data)
{
    int64_t live = ctune_alloc_live();
    fixture f;
    for (int i = 0; i < N; i++) {
        f.Xf[i] = (float)i * 0.1f;
        f.X[i] = (double)f.Xf[i];
        f.y[i] = i % 3;
    }
    ctune_data *d32, *d64 = view(f.X, N, 1, f.y, 1);
    ck_assert_ok(ctune_data_new(&d32, f.Xf, CTUNE_FLOAT32, N, 1, 0, f.y, 1));
    for (int s = 0; s < 4; s++) {
        char p[64];
        snprintf(p, sizeof p, "strategy=%s, seed=5", CLF_STRATEGIES[s]);
        ctune_estimator *a = est(0, p), *b = est(0, p);
        double pa[N], pb[N];
        ck_assert_ok(ctune_estimator_fit(a, d32));
        ck_assert_ok(ctune_estimator_fit(b, d64));
        ck_assert_ok(ctune_estimator_predict(pa, a, d32));
        ck_assert_ok(ctune_estimator_predict(pb, b, d64));
        ck_assert_mem_eq(pa, pb, sizeof pa); /* the same values, whatever the dtype */
        ctune_estimator_free(a);
        ctune_estimator_free(b);
    }
    /* a float32 NaN is found as well */
    f.Xf[4] = NAN;
    ctune_estimator *e = est(0, NULL);
    ck_assert_status(ctune_estimator_fit(e, d32), CTUNE_EDATA);
    ck_assert_error_has("X row 4, column 0 is NaN");
    ctune_estimator_free(e);
    ctune_data_free(d32);
    ctune_data_free(d64);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* ---- empty data and zero counts --------------------------------------------------- */

START_TEST(test_empty_and_zero_counts)
{
    int64_t live = ctune_alloc_live();
    double X[2] = {0, 0}, y[1] = {0}, out[2], v;
    ctune_data *d, *s;
    /* a view of 0 rows is legal; 0 columns is not */
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 0, 2, 0, y, 1));
    ck_assert_status(ctune_data_new(&s, X, CTUNE_FLOAT64, 2, 0, 0, NULL, 0), CTUNE_EINVAL);
    ck_assert_ok(ctune_data_validate(d));
    ck_assert_ok(ctune_data_subset(&s, d, NULL, 0));
    ck_assert_uint_eq(ctune_data_n_rows(s), 0);
    ctune_data_free(s);
    ck_assert_ok(ctune_data_gather_f64(NULL, 2, d, NULL, 0));
    for (int reg = 0; reg < 2; reg++) {
        ctune_estimator *e = est(reg, NULL);
        ck_assert_status(ctune_estimator_fit(e, d), CTUNE_EDATA);
        ck_assert_error_has("0 rows");
        ctune_data *one;
        ck_assert_ok(ctune_data_new(&one, X, CTUNE_FLOAT64, 1, 2, 0, y, 1));
        ck_assert_ok(ctune_estimator_fit(e, one));
        ck_assert_ok(ctune_estimator_predict(out, e, d)); /* 0 rows: a no-op */
        ck_assert_ok(ctune_estimator_predict(NULL, e, d));
        ck_assert_status(ctune_estimator_score(&v, e, d), CTUNE_EDATA);
        ck_assert_error_has("0 rows");
        ctune_data_free(one);
        ctune_estimator_free(e);
    }
    ctune_data_free(d);
    /* metrics of 0 samples are undefined */
    ck_assert_status(ctune_metric_accuracy(&v, y, y, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_metric_r2(&v, y, y, 0, 1), CTUNE_EINVAL);
    ck_assert_status(ctune_metric_r2(&v, y, y, 1, 0), CTUNE_EINVAL);
    /* generators with zero counts */
    ck_assert_status(ctune_make_blobs(X, y, NULL, 0, 1, 1, 1.0, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_make_blobs(X, y, NULL, 1, 0, 1, 1.0, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_make_blobs(X, y, NULL, 1, 1, 0, 1.0, 0), CTUNE_EINVAL);
    /* the conformance kit with zero sizes */
    ctune_estimator *e = est(0, NULL);
    int failed;
    char report[256];
    const char *opts[] = {"n_rows=0",      "n_features=0", "n_classes=0", "n_rows=-1",
                          "tolerance=nan", "tolerance=-1", "n_rows=nan"};
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        long rc = ctune_check_estimator(report, sizeof report, &failed, e, opts[i]);
        ck_assert_msg(rc == CTUNE_EINVAL, "%s: %ld (%s)", opts[i], rc, ctune_last_error());
    }
    ctune_estimator_free(e);
    /* RNG */
    ctune_rng *r;
    ck_assert_ok(ctune_rng_new(&r, 0, 0));
    ck_assert_uint_eq(ctune_rng_below(r, 0), 0);
    ck_assert_uint_eq(ctune_rng_below(r, 1), 0);
    ctune_rng_free(r);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* ---- CSV: empty, degenerate and hostile inputs ---------------------------------- */

static ctune_status csv(ctune_data **d, const char *text, const char *opts)
{
    return ctune_csv_load_buffer(d, text, strlen(text), opts);
}

START_TEST(test_csv_degenerate)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d;
    /* empty inputs are format errors that say so */
    ck_assert_status(csv(&d, "", NULL), CTUNE_EFORMAT);
    ck_assert_error_has("empty input");
    ck_assert_status(csv(&d, "\n\n# only a comment\n", NULL), CTUNE_EFORMAT);
    ck_assert_status(csv(&d, "a,b\n", NULL), CTUNE_EFORMAT);
    ck_assert_error_has("no data rows");
    /* one row, one column (the target only): no features left */
    ctune_status rc = csv(&d, "7\n", NULL);
    ck_assert_msg(rc == CTUNE_EINVAL || rc == CTUNE_EFORMAT, "%d", rc);
    /* one feature, one row, no target */
    ck_assert_ok(csv(&d, "5\n", "target=none"));
    ck_assert_uint_eq(ctune_data_n_rows(d), 1);
    ck_assert_uint_eq(ctune_data_n_targets(d), 0);
    ctune_data_free(d);
    /* rows of empty fields only, no final newline: a short input of many
     * fields (the first row-array guess was 1 row and did not grow:
     * a heap overflow found by fuzz_csv) */
    ck_assert_ok(csv(&d, ",,,,\n,,,,", "header=false, target=none, missing=nan"));
    ck_assert_uint_eq(ctune_data_n_rows(d), 2);
    ck_assert_uint_eq(ctune_data_n_cols(d), 5);
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < 5; j++)
            ck_assert(isnan(ctune_data_x(d, i, j)));
    ctune_data_free(d);
    /* the same in float32, and three rows */
    ck_assert_ok(csv(&d, ",,,,,,\n,,,,,,\n,,,,,,",
                     "header=false, target=none, missing=nan, "
                     "dtype=float32"));
    ck_assert_uint_eq(ctune_data_n_rows(d), 3);
    ctune_data_free(d);
    /* NaN / Inf text reads as numbers (strtod's syntax); fit then refuses it */
    ck_assert_ok(csv(&d, "a,b,y\n1,nan,0\n2,inf,1\n", NULL));
    ck_assert(isnan(ctune_data_x(d, 0, 1)));
    ck_assert_status(ctune_data_validate(d), CTUNE_EDATA);
    ctune_data_free(d);
    /* a wide row: 20000 columns */
    size_t cols = 20000;
    char *wide = malloc(cols * 2 + 2);
    ck_assert_ptr_nonnull(wide);
    for (size_t j = 0; j < cols; j++) {
        wide[2 * j] = (char)('0' + j % 10);
        wide[2 * j + 1] = j + 1 < cols ? ',' : '\n';
    }
    wide[2 * cols] = '\0';
    ck_assert_ok(csv(&d, wide, "header=false"));
    ck_assert_uint_eq(ctune_data_n_cols(d), cols - 1);
    ctune_data_free(d);
    free(wide);
    /* a long quoted field with doubled quotes and newlines, as a class name */
    size_t flen = 100000;
    char *big = malloc(flen + 64);
    ck_assert_ptr_nonnull(big);
    strcpy(big, "x,label\n1,\"");
    size_t at = strlen(big);
    for (size_t i = 0; i < flen; i++)
        big[at++] = i % 100 == 99 ? '\n' : (i % 7 == 0 ? 'q' : 'a');
    strcpy(big + at, "\"\"\"\n2,b\n");
    ck_assert_ok(csv(&d, big, "labels=string"));
    ck_assert_uint_eq(ctune_data_n_class_names(d), 2);
    ctune_data_free(d);
    free(big);
    /* a NUL byte inside the buffer is data, not an end: not a number */
    ck_assert_status(ctune_csv_load_buffer(&d, "a,b,c\n1,\0003,2\n", 11, NULL), CTUNE_EFORMAT);
    ck_assert_error_has("line 2, column 2");
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* ---- crafted model files (valid checksum, hostile contents) ------------------------ */

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Replaces the save-hook payload of a saved model by `payload` and fixes
 * the lengths and the checksum. The payload sits at the end of the body,
 * after its u64 length, before the CRC. */
static unsigned char *with_payload(const unsigned char *b, size_t len, size_t old_plen,
                                   const unsigned char *payload, size_t plen, size_t *out_len)
{
    size_t head = len - 4 - old_plen - 8;
    *out_len = head + 8 + plen + 4;
    unsigned char *m = malloc(*out_len);
    ck_assert_ptr_nonnull(m);
    memcpy(m, b, head);
    put_le(m + head, plen, 8);
    memcpy(m + head + 8, payload, plen);
    put_le(m + 16, *out_len - CTUNE__MODEL_HEADER - 4, 8);
    put_le(m + *out_len - 4, ctune__crc32(0, m, *out_len - 4), 4);
    return m;
}

static unsigned char *saved(ctune_estimator *e, size_t *len)
{
    *len = ck_assert_len(ctune_estimator_save_buffer(NULL, 0, e));
    unsigned char *b = malloc(*len);
    ck_assert_ptr_nonnull(b);
    *len = ck_assert_len(ctune_estimator_save_buffer(b, *len, e));
    return b;
}

static void clf_payload(unsigned char *p, uint64_t k, uint64_t mf, const double *prior)
{
    put_le(p, 1234, 8); /* seed */
    put_le(p + 8, k, 8);
    put_le(p + 16, mf, 8);
    for (uint64_t j = 0; j < k; j++) {
        uint64_t bits;
        memcpy(&bits, &prior[j], 8);
        put_le(p + 24 + 8 * j, bits, 8);
    }
}

START_TEST(test_crafted_models)
{
    int64_t live = ctune_alloc_live();
    double X[4] = {0, 1, 2, 3}, y[4] = {0, 1, 1, 0};
    ctune_data *d = view(X, 4, 1, y, 1);
    ctune_estimator *e = est(0, "strategy=prior"), *f;
    ck_assert_ok(ctune_estimator_fit(e, d));
    size_t len, mlen;
    unsigned char *b = saved(e, &len);
    const size_t plen = 24 + 8 * 2; /* seed, k, most_frequent, 2 priors */
    unsigned char payload[24 + 8 * 4];
    /* the untouched payload loads (the splice itself is right) */
    const double ok_prior[2] = {0.5, 0.5};
    clf_payload(payload, 2, 0, ok_prior);
    unsigned char *m = with_payload(b, len, plen, payload, plen, &mlen);
    ck_assert_ok(ctune_estimator_load_buffer(&f, m, mlen, NULL, NULL));
    ctune_estimator_free(f);
    free(m);
    /* a payload claiming more classes than the model's fitted state: the
     * handle's outputs are sized by the fitted state (2 classes), so
     * predict_proba would write 4 values per row into room for 2 */
    const double prior4[4] = {0.25, 0.25, 0.25, 0.25};
    clf_payload(payload, 4, 0, prior4);
    m = with_payload(b, len, plen, payload, sizeof payload, &mlen);
    f = NULL;
    ck_assert_status(ctune_estimator_load_buffer(&f, m, mlen, NULL, NULL), CTUNE_EFORMAT);
    ck_assert_error_has("classes");
    ck_assert_ptr_null(f);
    free(m);
    /* fewer classes than the fitted state: predict_proba would leave
     * values unwritten */
    const double prior1[1] = {1.0};
    clf_payload(payload, 1, 0, prior1);
    m = with_payload(b, len, plen, payload, 24 + 8, &mlen);
    ck_assert_status(ctune_estimator_load_buffer(&f, m, mlen, NULL, NULL), CTUNE_EFORMAT);
    free(m);
    /* non-finite or negative priors, or priors not summing to 1 */
    const double bad_priors[][2] = {{NAN, 1.0}, {INFINITY, 0}, {-0.5, 1.5}, {0.7, 0.7}};
    for (int i = 0; i < 4; i++) {
        clf_payload(payload, 2, 0, bad_priors[i]);
        m = with_payload(b, len, plen, payload, plen, &mlen);
        ck_assert_status(ctune_estimator_load_buffer(&f, m, mlen, NULL, NULL), CTUNE_EFORMAT);
        ck_assert_error_has("prior");
        free(m);
    }
    free(b);
    ctune_estimator_free(e);
    /* a regressor whose saved values are not finite */
    e = est(1, NULL);
    ck_assert_ok(ctune_estimator_fit(e, d));
    b = saved(e, &len);
    const double vals[] = {NAN, INFINITY, -INFINITY};
    for (int i = 0; i < 3; i++) {
        unsigned char rp[16];
        uint64_t bits;
        put_le(rp, 1, 8);
        memcpy(&bits, &vals[i], 8);
        put_le(rp + 8, bits, 8);
        m = with_payload(b, len, 16, rp, 16, &mlen);
        ck_assert_status(ctune_estimator_load_buffer(&f, m, mlen, NULL, NULL), CTUNE_EFORMAT);
        ck_assert_error_has("not finite");
        free(m);
    }
    free(b);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* ---- the NN, trees, scaler, pipeline and searches ---------------------------- */

/* Finite values whose sums overflow: the scaler's mean and scale stay exact
 * and finite, transform is finite, the model saves and loads. */
START_TEST(test_scaler_huge_magnitudes)
{
    int64_t live = ctune_alloc_live();
    /* column 0: near DBL_MAX (the sum overflows); column 1: spread 2e200
     * (the sum of squares overflows); column 2: ordinary */
    double X[4 * 3] = {DBL_MAX,     1e200, 1, DBL_MAX, -1e200, 2,
                       DBL_MAX / 2, 1e200, 3, DBL_MAX, -1e200, 4};
    ctune_data *d = view(X, 4, 3, NULL, 0);
    ctune_estimator *s;
    ck_assert_ok(ctune_standard_scaler_new(&s));
    ck_assert_ok(ctune_estimator_fit(s, d));
    double mean[3], var[3], scale[3], out[12], back[12];
    ck_assert_ok(ctune_scaler_mean(mean, s));
    ck_assert_ok(ctune_scaler_var(var, s));
    ck_assert_ok(ctune_scaler_scale(scale, s));
    ck_assert_double_eq_tol(mean[0], 0.875 * DBL_MAX, 1e-12 * DBL_MAX);
    ck_assert_double_eq_tol(mean[1], 0.0, 1e185);
    ck_assert_double_eq_tol(mean[2], 2.5, 1e-15);
    ck_assert_double_eq_tol(scale[1], 1e200, 1e186); /* the population sd */
    ck_assert(isinf(var[1]) && var[1] > 0);          /* 1e400 is not a double */
    ck_assert_double_eq_tol(var[2], 1.25, 1e-15);
    ck_assert(isfinite(scale[0]) && scale[0] > 0);
    ck_assert_ok(ctune_estimator_transform(out, s, d));
    for (int i = 0; i < 12; i++)
        ck_assert_msg(isfinite(out[i]), "transform[%d] = %g", i, out[i]);
    ck_assert_double_eq_tol(out[1], 1.0, 1e-12); /* (1e200 - 0) / 1e200 */
    ck_assert_double_eq_tol(out[0], 0.125 / (scale[0] / DBL_MAX), 1e-9);
    ck_assert_ok(ctune_estimator_inverse_transform(back, s, d));
    /* the fitted state saves and loads (the loader accepts a +Inf variance) */
    size_t len;
    unsigned char *b = saved(s, &len);
    ctune_estimator *l;
    ck_assert_ok(ctune_estimator_load_buffer(&l, b, len, NULL, NULL));
    ck_assert_ok(ctune_estimator_transform(back, l, d));
    ck_assert_mem_eq(out, back, sizeof out);
    free(b);
    ctune_estimator_free(l);
    ctune_estimator_free(s);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* Two blobs on 2 features (rows alternate between the classes 3 and 7,
 * 12 rows) and a linear target, for the NN / tree / search cases. */
#define M 24
static void ml_data(double *X, double *yc, double *yr)
{
    for (int i = 0; i < M; i++) {
        double c = i % 2 ? 1.5 : -1.5;
        X[2 * i] = c + 0.1 * (double)((i * 7) % 5) - 0.2;
        X[2 * i + 1] = -c + 0.1 * (double)((i * 3) % 7) - 0.3;
        if (yc)
            yc[i] = i % 2 ? 7 : 3;
        if (yr)
            yr[i] = 2 * X[2 * i] - X[2 * i + 1] + 0.5;
    }
}

static ctune_estimator *mlp(int reg, const char *params)
{
    ctune_estimator *e;
    ck_assert_ok(reg ? ctune_mlp_regressor_new(&e) : ctune_mlp_classifier_new(&e));
    ck_assert_ok(ctune_estimator_set_params_text(e, "epochs=3, batch_size=8, nn=4, seed=1"));
    if (params)
        ck_assert_ok(ctune_estimator_set_params_text(e, params));
    return e;
}

static ctune_estimator *tree(int reg, const char *params)
{
    ctune_estimator *e;
    ck_assert_ok(reg ? ctune_decision_tree_regressor_new(&e)
                     : ctune_decision_tree_classifier_new(&e));
    if (params)
        ck_assert_ok(ctune_estimator_set_params_text(e, params));
    return e;
}

/* Predictions are finite; class predictions are training labels and
 * probabilities are in [0, 1] summing to 1. */
static void assert_sane(ctune_estimator *e, const ctune_data *d)
{
    size_t n = ctune_data_n_rows(d), t = ctune_estimator_n_outputs(e);
    size_t k = ctune_estimator_n_classes(e);
    double *out = calloc(n * (t > k ? t : k) + 1, sizeof *out);
    double classes[16];
    ck_assert_ptr_nonnull(out);
    ck_assert_ok(ctune_estimator_predict(out, e, d));
    for (size_t i = 0; i < n * t; i++)
        ck_assert_msg(isfinite(out[i]), "prediction %zu is %g", i, out[i]);
    if (k) {
        ck_assert_uint_le(k, 16);
        ck_assert_ok(ctune_estimator_classes(classes, e));
        for (size_t i = 0; i < n; i++) {
            int found = 0;
            for (size_t c = 0; c < k; c++)
                found |= out[i] == classes[c];
            ck_assert_msg(found, "row %zu predicts %g, not a training label", i, out[i]);
        }
        ck_assert_ok(ctune_estimator_predict_proba(out, e, d));
        for (size_t i = 0; i < n; i++) {
            double s = 0;
            for (size_t c = 0; c < k; c++) {
                ck_assert(out[i * k + c] >= 0 && out[i * k + c] <= 1);
                s += out[i * k + c];
            }
            ck_assert_double_eq_tol(s, 1.0, 1e-6);
        }
    }
    free(out);
}

START_TEST(test_ml_constant_features)
{
    int64_t live = ctune_alloc_live();
    double X[M * 2], y[M], p[M];
    ml_data(X, y, NULL);
    for (int i = 0; i < M * 2; i++)
        X[i] = 4.25;
    ctune_data *d = view(X, M, 2, y, 1);
    /* MLP: trains; identical rows get identical predictions */
    ctune_estimator *e = mlp(0, NULL);
    ck_assert_ok(ctune_estimator_fit(e, d));
    assert_sane(e, d);
    ck_assert_ok(ctune_estimator_predict(p, e, d));
    for (int i = 1; i < M; i++)
        ck_assert(p[i] == p[0]);
    ctune_estimator_free(e);
    /* tree: one leaf (no split separates equal values), the class
     * fractions as probabilities */
    e = tree(0, NULL);
    ck_assert_ok(ctune_estimator_fit(e, d));
    size_t leaves, depth;
    ck_assert_ok(ctune_tree_n_leaves(&leaves, e));
    ck_assert_ok(ctune_tree_depth(&depth, e));
    ck_assert_uint_eq(leaves, 1);
    ck_assert_uint_eq(depth, 0);
    double pr[M * 2];
    ck_assert_ok(ctune_estimator_predict_proba(pr, e, d));
    ck_assert_double_eq_tol(pr[0], 0.5, 1e-15);
    assert_sane(e, d);
    ctune_estimator_free(e);
    /* scaler: scale 1 for a constant column, transform gives 0 */
    ck_assert_ok(ctune_standard_scaler_new(&e));
    ck_assert_ok(ctune_estimator_fit(e, d));
    double sc[2], tr[M * 2];
    ck_assert_ok(ctune_scaler_scale(sc, e));
    ck_assert_double_eq(sc[0], 1.0);
    ck_assert_ok(ctune_estimator_transform(tr, e, d));
    for (int i = 0; i < M * 2; i++)
        ck_assert_double_eq(tr[i], 0.0);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_ml_single_class)
{
    int64_t live = ctune_alloc_live();
    double X[M * 2], y[M];
    ml_data(X, y, NULL);
    for (int i = 0; i < M; i++)
        y[i] = 5;
    ctune_data *d = view(X, M, 2, y, 1);
    /* MLP: a clear error, and the handle stays unfitted */
    ctune_estimator *e = mlp(0, NULL);
    ck_assert_status(ctune_estimator_fit(e, d), CTUNE_EDATA);
    ck_assert_error_has("MLPClassifier: the training data has only 1 class; need at least 2");
    ck_assert_int_eq(ctune_estimator_is_fitted(e), 0);
    ctune_estimator_free(e);
    /* tree: one leaf predicting it with probability 1 */
    e = tree(0, NULL);
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_uint_eq(ctune_estimator_n_classes(e), 1);
    double p[M];
    ck_assert_ok(ctune_estimator_predict_proba(p, e, d));
    ck_assert_double_eq(p[0], 1.0);
    assert_sane(e, d);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* KFold on labels sorted by class leaves a class out of a training fold;
 * StratifiedKFold never does. */
START_TEST(test_fold_missing_a_class)
{
    int64_t live = ctune_alloc_live();
    double X[M * 2], y[M];
    ml_data(X, y, NULL);
    for (int i = 0; i < M; i++)
        y[i] = i < M / 2 ? 3 : 7; /* sorted */
    ctune_data *d = view(X, M, 2, y, 1);
    ctune_splitter *kf, *skf;
    ck_assert_ok(ctune_kfold_new(&kf, 2, 0, 0));
    ck_assert_ok(ctune_stratified_kfold_new(&skf, 2, 0, 0));
    /* StratifiedKFold: both classes in every training side */
    ctune_splits *sp;
    ck_assert_ok(ctune_splitter_split(&sp, skf, d));
    for (size_t f = 0; f < 2; f++) {
        const size_t *idx;
        size_t n, c3 = 0;
        ck_assert_ok(ctune_splits_train(&idx, &n, sp, f));
        for (size_t i = 0; i < n; i++)
            c3 += y[idx[i]] == 3;
        ck_assert(c3 > 0 && c3 < n);
    }
    ctune_splits_free(sp);
    /* KFold: each training side holds one class. The MLP refuses it: with
     * error_score=nan (the default) each split scores NaN and keeps the
     * message; with raise the call fails with it. */
    ctune_estimator *e = mlp(0, NULL);
    ctune_cv_results *r;
    ck_assert_ok(ctune_cross_validate(&r, e, d, kf, 0, NULL));
    double s[2];
    ck_assert_ok(ctune_cv_results_column(s, r, "test_score"));
    for (size_t f = 0; f < 2; f++) {
        ck_assert(isnan(s[f]));
        ck_assert_ptr_nonnull(strstr(ctune_cv_results_error(r, f), "only 1 class"));
    }
    ck_assert_uint_ge(ctune_cv_results_n_warnings(r), 1);
    ctune_cv_results_free(r);
    ck_assert_status(ctune_cross_validate(&r, e, d, kf, 0, "error_score=raise"), CTUNE_EDATA);
    ck_assert_error_has("only 1 class");
    ck_assert_ptr_null(r);
    /* StratifiedKFold with the MLP: finite scores */
    ck_assert_ok(ctune_cross_validate(&r, e, d, skf, 0, NULL));
    ck_assert_ok(ctune_cv_results_column(s, r, "test_score"));
    ck_assert(isfinite(s[0]) && isfinite(s[1]));
    ctune_cv_results_free(r);
    /* a tree fits the single class and scores 0 on the other */
    ctune_estimator *t = tree(0, NULL);
    ck_assert_ok(ctune_cross_validate(&r, t, d, kf, 0, NULL));
    ck_assert_ok(ctune_cv_results_column(s, r, "test_score"));
    ck_assert_double_eq(s[0], 0.0);
    ck_assert_double_eq(s[1], 0.0);
    ctune_cv_results_free(r);
    ctune_estimator_free(t);
    ctune_estimator_free(e);
    ctune_splitter_free(kf);
    ctune_splitter_free(skf);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_more_splits_than_samples)
{
    int64_t live = ctune_alloc_live();
    double X[M * 2], y[M];
    ml_data(X, y, NULL);
    ctune_data *d = view(X, 5, 2, y, 1);
    ctune_splitter *kf;
    ctune_splits *sp;
    ck_assert_ok(ctune_kfold_new(&kf, 6, 0, 0));
    ck_assert_status(ctune_splitter_split(&sp, kf, d), CTUNE_EINVAL);
    ck_assert_error_has("n_splits=6");
    ck_assert_ptr_null(sp);
    ctune_splitter_free(kf);
    ctune_estimator *t = tree(0, NULL);
    double s[8];
    ck_assert_status(ctune_cross_val_score(s, t, d, 6, NULL), CTUNE_EINVAL);
    ctune_cv_results *r;
    ck_assert_status(ctune_cross_validate(&r, t, d, NULL, 6, NULL), CTUNE_EINVAL);
    /* a search: an input error before any fit */
    ctune_space *space;
    ctune_search *se;
    ck_assert_ok(ctune_space_parse(&space, "max_depth: 1|2"));
    ck_assert_ok(ctune_search_new_grid(&se, t, space));
    ck_assert_ok(ctune_search_set_options(se, "cv=6"));
    ck_assert_status(ctune_search_fit(se, d), CTUNE_EINVAL);
    ck_assert_uint_eq(ctune_search_n_tasks_done(se), 0);
    ck_assert_int_eq(ctune_search_has_results(se), 0);
    ctune_search_free(se);
    ctune_space_free(space);
    ctune_estimator_free(t);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_ml_one_sample)
{
    int64_t live = ctune_alloc_live();
    double X[2] = {0.5, -1}, yc[1] = {3}, yr[1] = {2.5}, p[2];
    ctune_data *dc = view(X, 1, 2, yc, 1), *dr = view(X, 1, 2, yr, 1);
    /* a classifier sees one class */
    ctune_estimator *e = mlp(0, NULL);
    ck_assert_status(ctune_estimator_fit(e, dc), CTUNE_EDATA);
    ck_assert_error_has("only 1 class");
    ctune_estimator_free(e);
    /* a regressor trains on it */
    e = mlp(1, NULL);
    ck_assert_ok(ctune_estimator_fit(e, dr));
    assert_sane(e, dr);
    ctune_estimator_free(e);
    /* trees: a single leaf predicting it */
    for (int reg = 0; reg < 2; reg++) {
        e = tree(reg, NULL);
        ck_assert_ok(ctune_estimator_fit(e, reg ? dr : dc));
        ck_assert_ok(ctune_estimator_predict(p, e, dr));
        ck_assert_double_eq(p[0], reg ? 2.5 : 3);
        ctune_estimator_free(e);
    }
    /* nothing to split */
    ctune_splitter *kf;
    ctune_splits *sp;
    ck_assert_ok(ctune_kfold_new(&kf, 2, 0, 0));
    ck_assert_status(ctune_splitter_split(&sp, kf, dc), CTUNE_EINVAL);
    ctune_splitter_free(kf);
    ctune_data_free(dc);
    ctune_data_free(dr);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_ml_one_feature)
{
    int64_t live = ctune_alloc_live();
    double X[M * 2], y[M], yr[M], x1[M];
    ml_data(X, y, yr);
    for (int i = 0; i < M; i++)
        x1[i] = X[2 * i];
    ctune_data *d = view(x1, M, 1, y, 1), *dr = view(x1, M, 1, yr, 1);
    ctune_estimator *e = mlp(0, NULL);
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_uint_eq(ctune_estimator_n_features_in(e), 1);
    assert_sane(e, d);
    ctune_estimator_free(e);
    e = tree(1, NULL);
    ck_assert_ok(ctune_estimator_fit(e, dr));
    assert_sane(e, dr);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ctune_data_free(dr);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* The MLP computes in float32. */
START_TEST(test_mlp_huge_and_tiny_magnitudes)
{
    int64_t live = ctune_alloc_live();
    double X[M * 2], y[M], Xs[M * 2];
    ml_data(X, y, NULL);
    static const double SCALES[] = {1e30, 1e-30};
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < M * 2; i++)
            Xs[i] = X[i] * SCALES[k];
        ctune_data *d = view(Xs, M, 2, y, 1);
        ctune_estimator *e = mlp(0, NULL);
        ctune_status rc = ctune_estimator_fit(e, d);
        if (k == 0) {
            /* 1e30 squared is past float32: the loss (or the weights) blow
             * up at the first step, and fit says where */
            ck_assert_status(rc, CTUNE_ENUMERIC);
            ck_assert_error_has("MLPClassifier: fit: the ");
            ck_assert_error_has("at epoch 0, batch ");
            ck_assert_int_eq(ctune_estimator_is_fitted(e), 0);
        } else {
            /* 1e-30 is (nearly) 0 for the network: it trains and predicts
             * a constant, valid answer */
            ck_assert_ok(rc);
            assert_sane(e, d);
        }
        ctune_estimator_free(e);
        ctune_data_free(d);
    }
    /* values past float32's range (finite as doubles) are a data error */
    for (int i = 0; i < M * 2; i++)
        Xs[i] = X[i];
    Xs[5] = 1e300;
    ctune_data *d = view(Xs, M, 2, y, 1);
    ctune_estimator *e = mlp(0, NULL);
    ck_assert_status(ctune_estimator_fit(e, d), CTUNE_EDATA);
    ck_assert_error_has("MLPClassifier: fit: X row 2, column 1 is 1e+300, beyond float32's range");
    ctune_estimator_free(e);
    /* a StandardScaler in front brings them into range */
    ctune_estimator *pipe, *s;
    ck_assert_ok(ctune_pipeline_new(&pipe));
    ck_assert_ok(ctune_standard_scaler_new(&s));
    e = mlp(0, NULL);
    ck_assert_ok(ctune_pipeline_add_step(pipe, "scaler", s));
    ck_assert_ok(ctune_pipeline_add_step(pipe, "mlp", e));
    ck_assert_ok(ctune_estimator_fit(pipe, d));
    assert_sane(pipe, d);
    ctune_estimator_free(pipe);
    ctune_estimator_free(s);
    ctune_estimator_free(e);
    ctune_data_free(d);
    /* so are regression targets */
    double yr[M];
    ml_data(X, NULL, yr);
    yr[3] = -1e300;
    d = view(X, M, 2, yr, 1);
    e = mlp(1, NULL);
    ck_assert_status(ctune_estimator_fit(e, d), CTUNE_EDATA);
    ck_assert_error_has("MLPRegressor: fit: y row 3 is -1e+300, beyond float32's range");
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_ml_duplicated_rows)
{
    int64_t live = ctune_alloc_live();
    double X[M * 2], y[M], p[M];
    ml_data(X, y, NULL);
    for (int i = M / 2; i < M; i++) { /* the second half repeats the first */
        X[2 * i] = X[2 * (i - M / 2)];
        X[2 * i + 1] = X[2 * (i - M / 2) + 1];
        y[i] = y[i - M / 2];
    }
    ctune_data *d = view(X, M, 2, y, 1);
    ctune_estimator *ests[2] = {mlp(0, NULL), tree(0, NULL)};
    for (int k = 0; k < 2; k++) {
        ck_assert_ok(ctune_estimator_fit(ests[k], d));
        assert_sane(ests[k], d);
        ck_assert_ok(ctune_estimator_predict(p, ests[k], d));
        for (int i = M / 2; i < M; i++)
            ck_assert(p[i] == p[i - M / 2]);
        ctune_estimator_free(ests[k]);
    }
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_ml_nonfinite_data)
{
    int64_t live = ctune_alloc_live();
    double X[M * 2], y[M], out[M * 2];
    ml_data(X, y, NULL);
    ctune_estimator *ests[4] = {mlp(0, NULL), tree(0, NULL), NULL, NULL};
    ck_assert_ok(ctune_standard_scaler_new(&ests[2]));
    ck_assert_ok(ctune_pipeline_new(&ests[3]));
    ck_assert_ok(ctune_pipeline_add_step(ests[3], "scaler", ests[2]));
    ck_assert_ok(ctune_pipeline_add_step(ests[3], "mlp", ests[0]));
    for (int k = 0; k < 4; k++) {
        ctune_estimator *e = ests[k];
        X[7] = NAN; /* row 3, column 1 */
        ctune_data *d = view(X, M, 2, y, 1);
        ck_assert_status(ctune_estimator_fit(e, d), CTUNE_EDATA);
        ck_assert_error_has("X row 3, column 1 is NaN");
        ck_assert_int_eq(ctune_estimator_is_fitted(e), 0);
        X[7] = 0.5;
        if (k != 2) { /* y: the scaler ignores it */
            y[4] = INFINITY;
            ck_assert_status(ctune_estimator_fit(e, d), CTUNE_EDATA);
            ck_assert_error_has("y row 4 is +Inf");
            y[4] = 3;
        }
        ck_assert_ok(ctune_estimator_fit(e, d));
        X[0] = -INFINITY;
        ck_assert_status(k == 2 ? ctune_estimator_transform(out, e, d)
                                : ctune_estimator_predict(out, e, d),
                         CTUNE_EDATA);
        ck_assert_error_has("X row 0, column 0 is -Inf");
        X[0] = 1;
        ctune_data_free(d);
    }
    for (int k = 0; k < 4; k++)
        ctune_estimator_free(ests[k]);
    /* the NN engine says the same */
    ctune_model *m;
    ck_assert_ok(ctune_model_new(&m));
    ck_assert_ok(ctune_model_add_dense(m, 2, "softmax", NULL));
    ck_assert_ok(ctune_model_compile(m, "adam", "sparse_categorical_crossentropy", NULL));
    for (int i = 0; i < M; i++)
        y[i] = i % 2;
    y[2] = NAN;
    ctune_data *d = view(X, M, 2, y, 1);
    ck_assert_status(ctune_model_fit(m, d, 1, 8, NULL), CTUNE_EDATA);
    ck_assert_error_has("row 2");
    y[2] = 0;
    ck_assert_ok(ctune_model_fit(m, d, 1, 8, NULL));
    X[3] = NAN;
    ck_assert_status(ctune_model_predict(out, m, d), CTUNE_EDATA);
    ck_assert_error_has("row 1");
    ctune_data_free(d);
    ctune_model_free(m);
    /* a search refuses such data before any fit */
    ctune_estimator *t = tree(0, NULL);
    ctune_space *space;
    ctune_search *se;
    ml_data(X, y, NULL);
    X[9] = NAN;
    d = view(X, M, 2, y, 1);
    ck_assert_ok(ctune_space_parse(&space, "max_depth: 1|2"));
    ck_assert_ok(ctune_search_new_grid(&se, t, space));
    ck_assert_ok(ctune_search_set_options(se, "cv=2"));
    ck_assert_status(ctune_search_fit(se, d), CTUNE_EDATA);
    ck_assert_error_has("X row 4, column 1 is NaN");
    ck_assert_uint_eq(ctune_search_n_tasks_done(se), 0);
    ctune_search_free(se);
    ctune_space_free(space);
    ctune_estimator_free(t);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_ml_nonfinite_params)
{
    int64_t live = ctune_alloc_live();
    ctune_estimator *e = mlp(0, NULL);
    static const char *const BAD[] = {"learning_rate=nan",    "learning_rate=inf",
                                      "learning_rate=0",      "dropout=nan",
                                      "momentum=-inf",        "l2=nan",
                                      "validation_split=nan", "min_delta=nan"};
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        ck_assert_msg(ctune_estimator_set_params_text(e, BAD[i]) == CTUNE_EINVAL, "%s accepted",
                      BAD[i]);
        char name[32];
        snprintf(name, sizeof name, "'%.*s'", (int)(strchr(BAD[i], '=') - BAD[i]), BAD[i]);
        ck_assert_error_has(name);
    }
    ctune_estimator_free(e);
    ctune_model *m;
    ck_assert_ok(ctune_model_new(&m));
    ck_assert_status(ctune_model_add_dropout(m, NAN), CTUNE_EINVAL);
    ck_assert_ok(ctune_model_add_dense(m, 1, "sigmoid", NULL));
    ck_assert_status(ctune_model_compile(m, "sgd", "mse", "learning_rate=nan"), CTUNE_EINVAL);
    ck_assert_error_has("learning_rate");
    ck_assert_status(ctune_model_compile(m, "sgd", "mse", "clipnorm=inf"), CTUNE_EINVAL);
    ck_assert_ptr_null(ctune_model_loss(m));
    ctune_model_free(m);
    /* trees */
    e = tree(0, NULL);
    ck_assert_status(ctune_estimator_set_params_text(e, "min_impurity_decrease=nan"), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_set_params_text(e, "min_samples_leaf=nan"), CTUNE_EINVAL);
    ctune_estimator_free(e);
    /* spaces */
    ctune_space *sp;
    ck_assert_ok(ctune_space_new(&sp));
    const double nan1[1] = {NAN};
    ck_assert_status(ctune_space_add_doubles(sp, "a", nan1, 1), CTUNE_EINVAL);
    ck_assert_status(ctune_space_add_uniform(sp, "a", NAN, 1), CTUNE_EINVAL);
    ck_assert_status(ctune_space_add_loguniform(sp, "a", 0, 1), CTUNE_EINVAL);
    ck_assert_uint_eq(ctune_space_count(sp), 0);
    ctune_space_free(sp);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* learning_rate 1e6 makes the loss diverge: CTUNE_ENUMERIC naming where. */
START_TEST(test_mlp_diverging_loss)
{
    int64_t live = ctune_alloc_live();
    double X[M * 2], y[M], yr[M];
    ml_data(X, y, yr);
    for (int reg = 0; reg < 2; reg++) {
        ctune_data *d = view(X, M, 2, reg ? yr : y, 1);
        ctune_estimator *e = mlp(reg, "optimizer=sgd, learning_rate=1e6, epochs=5");
        ck_assert_status(ctune_estimator_fit(e, d), CTUNE_ENUMERIC);
        ck_assert_error_has(reg ? "MLPRegressor: fit: the" : "MLPClassifier: fit: the");
        ck_assert_error_has("at epoch ");
        ck_assert_error_has(", batch ");
        ck_assert_int_eq(ctune_estimator_is_fitted(e), 0);
        ctune_estimator_free(e);
        ctune_data_free(d);
    }
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* A finite loss followed by a step to huge weights: the fit (or the first
 * predict) reports it, never a NaN prediction. */
START_TEST(test_nn_step_to_overflow)
{
    int64_t live = ctune_alloc_live();
    double X[2] = {1e19, 1e18}, y[1] = {0}, out[1];
    for (int k = 0; k < 2; k++) {
        ctune_data *d = view(X + k, 1, 1, y, 1);
        ctune_model *m;
        const float one = 1.0f;
        ck_assert_ok(ctune_model_new(&m));
        ck_assert_ok(ctune_model_add_dense(m, 1, "linear", "use_bias=false"));
        ck_assert_ok(ctune_model_compile(m, "sgd", "mse", "learning_rate=10"));
        ck_assert_ok(ctune_model_build(m, 1));
        ck_assert_ok(ctune_model_set_weights(m, &one));
        ctune_status rc = ctune_model_fit(m, d, 1, 1, NULL);
        if (k == 0) {
            /* the gradient 2e38 times 10 is past float32: the weight is Inf */
            ck_assert_status(rc, CTUNE_ENUMERIC);
            ck_assert_error_has("fit: the weights became NaN or Inf during epoch 0");
        } else {
            /* the weight, -2e37, is finite; its output for 1e18 is not */
            ck_assert_ok(rc);
            ck_assert_status(ctune_model_predict(out, m, d), CTUNE_ENUMERIC);
            ck_assert_error_has("predict: the output for row 0 is Inf");
        }
        ctune_model_free(m);
        ctune_data_free(d);
    }
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* In a search with error_score=nan, a diverging candidate scores NaN with
 * its message kept, and the search goes on. */
START_TEST(test_search_diverging_candidate)
{
    int64_t live = ctune_alloc_live();
    double X[M * 2], y[M];
    ml_data(X, y, NULL);
    ctune_data *d = view(X, M, 2, y, 1);
    ctune_estimator *e = mlp(0, "optimizer=sgd");
    ctune_space *space;
    ctune_search *se;
    ck_assert_ok(ctune_space_parse(&space, "learning_rate: 0.01|1e6|0.1"));
    ck_assert_ok(ctune_search_new_grid(&se, e, space));
    ck_assert_ok(ctune_search_set_options(se, "cv=2, error_score=nan"));
    ck_assert_ok(ctune_search_fit(se, d));
    double v;
    ck_assert_ok(ctune_search_result(&v, se, "mean_test_score", 1));
    ck_assert(isnan(v));
    ck_assert_ptr_nonnull(ctune_search_candidate_error(se, 1));
    ck_assert_ptr_nonnull(strstr(ctune_search_candidate_error(se, 1), "at epoch"));
    for (size_t c = 0; c < 3; c += 2) {
        ck_assert_ok(ctune_search_result(&v, se, "mean_test_score", c));
        ck_assert(isfinite(v));
        ck_assert_ptr_null(ctune_search_candidate_error(se, c));
    }
    ck_assert_ok(ctune_search_result(&v, se, "rank_test_score", 1));
    ck_assert_double_eq(v, 3); /* NaN ranks last */
    size_t best;
    ck_assert_ok(ctune_search_best_index(&best, se));
    ck_assert_uint_ne(best, 1);
    ck_assert_uint_eq(ctune_search_n_tasks_done(se), 6);
    ck_assert_uint_ge(ctune_search_n_warnings(se), 1);
    ck_assert_ptr_nonnull(ctune_search_best_estimator(se));
    /* with error_score=raise the search stops there with the message */
    ck_assert_ok(ctune_search_set_options(se, "error_score=raise"));
    ck_assert_status(ctune_search_fit(se, d), CTUNE_ENUMERIC);
    ck_assert_error_has("at epoch");
    ctune_search_free(se);
    ctune_space_free(space);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_mlp_batch_larger_than_data)
{
    int64_t live = ctune_alloc_live();
    double X[M * 2], y[M], a[M * 2], b[M * 2];
    ml_data(X, y, NULL);
    ctune_data *d = view(X, M, 2, y, 1);
    ctune_estimator *e = mlp(0, "batch_size=1000"), *f = mlp(0, "batch_size=24");
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_ok(ctune_estimator_fit(f, d));
    /* one batch of every row: the same training as batch_size = n */
    ck_assert_ok(ctune_estimator_predict_proba(a, e, d));
    ck_assert_ok(ctune_estimator_predict_proba(b, f, d));
    ck_assert_mem_eq(a, b, sizeof a);
    ctune_estimator_free(e);
    ctune_estimator_free(f);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_mlp_epochs_zero)
{
    int64_t live = ctune_alloc_live();
    double X[M * 2], y[M];
    ml_data(X, y, NULL);
    ctune_data *d = view(X, M, 2, y, 1);
    ctune_estimator *e = mlp(0, "epochs=0");
    ck_assert_ok(ctune_estimator_fit(e, d));
    /* the untrained (initialized) model predicts */
    assert_sane(e, d);
    ck_assert_uint_eq(ctune_model_history_len(ctune_keras_model(e)), 0);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_mlp_no_hidden_layer)
{
    int64_t live = ctune_alloc_live();
    double X[M * 2], y[M], yr[M];
    ml_data(X, y, yr);
    for (int reg = 0; reg < 2; reg++) {
        ctune_data *d = view(X, M, 2, reg ? yr : y, 1);
        ctune_estimator *e = mlp(reg, "nl=0, epochs=20, learning_rate=0.05");
        ck_assert_ok(ctune_estimator_fit(e, d));
        ck_assert_uint_eq(ctune_model_n_layers(ctune_keras_model(e)), 1);
        assert_sane(e, d);
        double s;
        ck_assert_ok(ctune_estimator_score(&s, e, d));
        if (!reg)
            ck_assert_double_ge(s, 0.9); /* separable blobs */
        ctune_estimator_free(e);
        ctune_data_free(d);
    }
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_mlp_nn_zero)
{
    ctune_estimator *e = mlp(0, NULL);
    ck_assert_status(ctune_estimator_set_params_text(e, "nn=0"), CTUNE_EINVAL);
    ck_assert_error_has("'nn'");
    ck_assert_status(ctune_estimator_set_params_text(e, "nl=-1"), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_set_params_text(e, "epochs=-1"), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_set_params_text(e, "batch_size=0"), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_set_params_text(e, "validation_split=1"), CTUNE_EINVAL);
    int64_t nn;
    ck_assert_ok(ctune_params_get_int(&nn, ctune_estimator_get_params(e), "nn"));
    ck_assert_int_eq(nn, 4); /* unchanged */
    ctune_estimator_free(e);
    /* the engine: a Dense layer of 0 units */
    ctune_model *m;
    ck_assert_ok(ctune_model_new(&m));
    ck_assert_status(ctune_model_add_dense(m, 0, "relu", NULL), CTUNE_EINVAL);
    ck_assert_uint_eq(ctune_model_n_layers(m), 0);
    ctune_model_free(m);
}
END_TEST

START_TEST(test_search_n_iter_zero_and_cv_one)
{
    int64_t live = ctune_alloc_live();
    double X[M * 2], y[M], s[2];
    ml_data(X, y, NULL);
    ctune_data *d = view(X, M, 2, y, 1);
    ctune_estimator *t = tree(0, NULL);
    ctune_space *space;
    ctune_search *se;
    ctune_candidates *c;
    ck_assert_ok(ctune_space_parse(&space, "max_depth: randint(1, 5)"));
    ck_assert_status(ctune_search_new_randomized(&se, t, space, 0, 1), CTUNE_EINVAL);
    ck_assert_error_has("n_iter");
    ck_assert_ptr_null(se);
    ck_assert_status(ctune_space_sample(&c, space, 0, 1), CTUNE_EINVAL);
    ck_assert_ok(ctune_search_new_randomized(&se, t, space, 2, 1));
    ck_assert_status(ctune_search_set_options(se, "cv=1"), CTUNE_EINVAL);
    ck_assert_error_has("cv");
    ck_assert_ok(ctune_search_fit(se, d)); /* unchanged options: cv=5 */
    ck_assert_uint_eq(ctune_search_n_splits(se), 5);
    ctune_search_free(se);
    ck_assert_status(ctune_cross_val_score(s, t, d, 1, NULL), CTUNE_EINVAL);
    ctune_cv_results *r;
    ck_assert_status(ctune_cross_validate(&r, t, d, NULL, 1, NULL), CTUNE_EINVAL);
    ctune_splitter *sp;
    ck_assert_status(ctune_kfold_new(&sp, 1, 0, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_shuffle_split_new(&sp, 0, 0.5, 0, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_shuffle_split_new(&sp, 2, 1.0, 0, 0), CTUNE_EINVAL);
    /* a space without values */
    ctune_space_free(space);
    ck_assert_status(ctune_space_parse(&space, "max_depth: "), CTUNE_EFORMAT);
    ck_assert_error_has("missing values for 'max_depth'");
    ck_assert_ok(ctune_space_new(&space));
    const int64_t none[1] = {0};
    ck_assert_status(ctune_space_add_ints(space, "max_depth", none, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_search_new_grid(&se, t, space), CTUNE_EINVAL); /* empty space */
    ctune_space_free(space);
    ctune_estimator_free(t);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_extreme_hyperparameters)
{
    int64_t live = ctune_alloc_live();
    double X[M * 2], y[M];
    ml_data(X, y, NULL);
    ctune_data *d = view(X, M, 2, y, 1);
    /* trees: max_depth 0 is refused; limits beyond the data give one leaf */
    ctune_estimator *e = tree(0, NULL);
    ck_assert_status(ctune_estimator_set_params_text(e, "max_depth=0"), CTUNE_EINVAL);
    ck_assert_ok(ctune_estimator_set_params_text(e, "min_samples_leaf=1000"));
    ck_assert_ok(ctune_estimator_fit(e, d));
    size_t leaves;
    ck_assert_ok(ctune_tree_n_leaves(&leaves, e));
    ck_assert_uint_eq(leaves, 1);
    ck_assert_ok(ctune_estimator_set_params_text(e, "min_samples_leaf=1, max_features=3"));
    ck_assert_status(ctune_estimator_fit(e, d), CTUNE_EINVAL); /* 3 > 2 features */
    ck_assert_error_has("max_features");
    ctune_estimator_free(e);
    /* MLP: validation_split leaving no training row; a huge l2 still trains */
    e = mlp(0, "validation_split=0.99");
    ck_assert_status(ctune_estimator_fit(e, d), CTUNE_EDATA);
    ck_assert_error_has("validation_split");
    ck_assert_ok(ctune_estimator_set_params_text(e, "validation_split=0, l2=1e3"));
    ctune_status rc = ctune_estimator_fit(e, d);
    ck_assert(rc == CTUNE_OK || rc == CTUNE_ENUMERIC);
    if (rc == CTUNE_OK)
        assert_sane(e, d);
    ck_assert_ok(ctune_estimator_set_params_text(e, "l2=0, dropout=0.99"));
    ck_assert_ok(ctune_estimator_fit(e, d));
    assert_sane(e, d);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* uniform() over a range wider than DBL_MAX samples the whole range. */
START_TEST(test_space_huge_uniform)
{
    int64_t live = ctune_alloc_live();
    ctune_space *sp;
    ctune_candidates *c;
    ck_assert_ok(ctune_space_parse(&sp, "a: uniform(-1e308, 1e308); "
                                        "k: randint(-9223372036854775808, 9223372036854775807)"));
    ck_assert_ok(ctune_space_sample(&c, sp, 50, 3));
    int below = 0, above = 0, kneg = 0, kpos = 0;
    for (size_t i = 0; i < 50; i++) {
        double v;
        int64_t k;
        ck_assert_ok(ctune_params_get_double(&v, ctune_candidates_get(c, i), "a"));
        ck_assert(v >= -1e308 && v < 1e308);
        below += v < 0;
        above += v > 0;
        ck_assert_ok(ctune_params_get_int(&k, ctune_candidates_get(c, i), "k"));
        kneg += k < 0;
        kpos += k > 0;
    }
    ck_assert_int_gt(below, 5);
    ck_assert_int_gt(above, 5);
    ck_assert_int_gt(kneg, 5);
    ck_assert_int_gt(kpos, 5);
    ctune_candidates_free(c);
    ctune_space_free(sp);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* Strings with blanks at either end (the parser trims bare values) keep
 * them through the space's text form. */
START_TEST(test_space_text_blanks)
{
    int64_t live = ctune_alloc_live();
    static const char *const VALUES[] = {"x\r", "\rx", " lead", "trail\t", "in side", "a\r\rb"};
    enum { NV = sizeof VALUES / sizeof VALUES[0] };
    ctune_space *sp, *back;
    ck_assert_ok(ctune_space_new(&sp));
    ck_assert_ok(ctune_space_add_strings(sp, "s", VALUES, NV));
    char text[256];
    ck_assert_int_lt(ctune_space_to_text(text, sizeof text, sp), (long)sizeof text);
    ck_assert_ok(ctune_space_parse(&back, text));
    ctune_candidates *c;
    ck_assert_ok(ctune_space_grid(&c, back));
    ck_assert_uint_eq(ctune_candidates_count(c), NV);
    for (size_t i = 0; i < NV; i++) {
        const char *v;
        ck_assert_ok(ctune_params_get_string(&v, ctune_candidates_get(c, i), "s"));
        ck_assert_str_eq(v, VALUES[i]);
    }
    ctune_candidates_free(c);
    ctune_space_free(back);
    ctune_space_free(sp);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* A regression tree sums y and its squares: targets whose sums would
 * overflow are a clear error, not a tree of Inf impurities that splits
 * constant targets and does not load back. */
/* Sizes near SIZE_MAX and INT64_MAX: every product of a caller's count is
 * checked and refused with a message naming it, never wrapped around. */
START_TEST(test_sizes_near_the_limits)
{
    int64_t live = ctune_alloc_live();
    double X[8] = {1, 2, 3, 4, 5, 6, 7, 8}, y[4] = {0, 1, 0, 1};
    ctune_data *d = NULL;
    ck_assert_status(ctune_data_new(&d, X, CTUNE_FLOAT64, SIZE_MAX / 2, 4, 0, y, 1), CTUNE_EINVAL);
    ck_assert_error_has("larger than memory can address");
    ck_assert_status(ctune_data_new(&d, X, CTUNE_FLOAT32, 4, 2, SIZE_MAX / 4, NULL, 0),
                     CTUNE_EINVAL);
    ck_assert_error_has("row_stride 4611686018427387903");
    ck_assert_status(ctune_data_new(&d, X, CTUNE_FLOAT64, 2, SIZE_MAX / 8 + 1, 0, NULL, 0),
                     CTUNE_EINVAL);
    ck_assert_status(ctune_data_new(&d, X, CTUNE_FLOAT64, 4, 2, 0, y, SIZE_MAX / 2), CTUNE_EINVAL);
    ck_assert_error_has("targets is larger than memory can address");
    /* the largest addressable shapes are views like any other */
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 1, SIZE_MAX / 8, 0, NULL, 0));
    ctune_data_free(d);
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 4, 2, 0, y, 1));
    size_t rows[2] = {0, 1};
    ctune_data *sub = NULL;
    ck_assert_ok(ctune_data_subset(&sub, d, rows, 2));
    ctune_data_free(sub);
    ctune_data_free(d);

    /* spaces: n_iter and list lengths */
    ctune_space *s = NULL;
    ck_assert_ok(ctune_space_parse(&s, "a: 1|2|3; b: uniform(0, 1)"));
    ctune_candidates *c = NULL;
    ck_assert_status(ctune_space_sample(&c, s, SIZE_MAX, 0), CTUNE_EINVAL);
    ck_assert_error_has("n_iter 18446744073709551615 is too large");
    int64_t v[2] = {1, 2};
    ck_assert_status(ctune_space_add_ints(s, "z", v, SIZE_MAX), CTUNE_EINVAL);
    ck_assert_error_has("cannot be addressed");
    ctune_space_free(s);
    /* a list-only space clamps n_iter to its grid: SIZE_MAX is fine there */
    ck_assert_ok(ctune_space_parse(&s, "strategy: most_frequent|prior"));
    ck_assert_ok(ctune_space_sample(&c, s, SIZE_MAX, 0));
    ck_assert_uint_eq(ctune_candidates_count(c), 2);
    ctune_candidates_free(c);
    ctune_estimator *e = NULL;
    ck_assert_ok(ctune_dummy_classifier_new(&e));
    ctune_search *se = NULL;
    ck_assert_ok(ctune_search_new_randomized(&se, e, s, SIZE_MAX, 0));
    ck_assert_uint_eq(ctune_search_n_candidates(se), 2);
    /* folds: INT64_MAX and SIZE_MAX are refused against the data */
    ck_assert_ok(ctune_search_set_options(se, "cv=9223372036854775807"));
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 4, 2, 0, y, 1));
    ck_assert_status(ctune_search_fit(se, d), CTUNE_EINVAL);
    ck_assert_error_has("n_splits=9223372036854775807");
    ctune_splitter *sp = NULL;
    ck_assert_ok(ctune_kfold_new(&sp, SIZE_MAX, 0, 0));
    double scores[4];
    ck_assert_status(ctune_cross_val_score(scores, e, d, 2147483647, NULL), CTUNE_EINVAL);
    ctune_splitter_free(sp);
    ctune_search_free(se);
    ctune_space_free(s);
    /* generators: n × d */
    ck_assert_status(ctune_make_blobs(X, y, NULL, SIZE_MAX, 4, 2, 1.0, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_make_regression(X, y, NULL, SIZE_MAX / 2, 4, 2, 1.0, 0), CTUNE_EINVAL);
    /* trees: INT64_MAX limits are just no limits */
    ctune_estimator *t = tree(0, "max_depth=9223372036854775807, "
                                 "max_leaf_nodes=9223372036854775807, "
                                 "min_samples_leaf=9223372036854775807");
    ck_assert_ok(ctune_estimator_fit(t, d));
    ctune_estimator_free(t);
    ctune_data_free(d);
    ctune_estimator_free(e);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_tree_huge_targets)
{
    int64_t live = ctune_alloc_live();
    double X[M * 2], y[M];
    ml_data(X, NULL, y);
    y[5] = DBL_MAX;
    ctune_data *d = view(X, M, 2, y, 1);
    for (int crit = 0; crit < 2; crit++) {
        ctune_estimator *e = tree(1, crit ? "criterion=absolute_error" : NULL);
        ck_assert_status(ctune_estimator_fit(e, d), CTUNE_EDATA);
        ck_assert_error_has("DecisionTreeRegressor: y row 5 is 1.79769e+308: with 24 rows a "
                            "regression tree needs |y| <= 4.16667e+148");
        ck_assert_int_eq(ctune_estimator_is_fitted(e), 0);
        /* the largest allowed magnitude fits, and the model loads back */
        for (int i = 0; i < M; i++)
            y[i] = (i % 3 - 1) * 4e148;
        ck_assert_ok(ctune_estimator_fit(e, d));
        assert_sane(e, d);
        double imp;
        ck_assert_ok(ctune_tree_node_stats(&imp, NULL, NULL, e, 0));
        ck_assert(isfinite(imp));
        size_t len;
        unsigned char *b = saved(e, &len);
        ctune_estimator *l;
        ck_assert_ok(ctune_estimator_load_buffer(&l, b, len, NULL, NULL));
        ctune_estimator_free(l);
        free(b);
        ctune_estimator_free(e);
        y[5] = DBL_MAX;
    }
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("degenerate");
    TCase *tc = tcase_create("degenerate");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_constant_and_duplicated_rows);
    tcase_add_test(tc, test_one_sample_one_feature);
    tcase_add_test(tc, test_single_class);
    tcase_add_test(tc, test_huge_and_tiny_magnitudes);
    tcase_add_test(tc, test_label_edge_values);
    tcase_add_test(tc, test_nonfinite_data);
    tcase_add_test(tc, test_nonfinite_params);
    tcase_add_test(tc, test_float32_data);
    tcase_add_test(tc, test_empty_and_zero_counts);
    tcase_add_test(tc, test_csv_degenerate);
    tcase_add_test(tc, test_crafted_models);
    tcase_add_test(tc, test_scaler_huge_magnitudes);
    tcase_add_test(tc, test_ml_constant_features);
    tcase_add_test(tc, test_ml_single_class);
    tcase_add_test(tc, test_fold_missing_a_class);
    tcase_add_test(tc, test_more_splits_than_samples);
    tcase_add_test(tc, test_ml_one_sample);
    tcase_add_test(tc, test_ml_one_feature);
    tcase_add_test(tc, test_mlp_huge_and_tiny_magnitudes);
    tcase_add_test(tc, test_ml_duplicated_rows);
    tcase_add_test(tc, test_ml_nonfinite_data);
    tcase_add_test(tc, test_ml_nonfinite_params);
    tcase_add_test(tc, test_mlp_diverging_loss);
    tcase_add_test(tc, test_nn_step_to_overflow);
    tcase_add_test(tc, test_search_diverging_candidate);
    tcase_add_test(tc, test_mlp_batch_larger_than_data);
    tcase_add_test(tc, test_mlp_epochs_zero);
    tcase_add_test(tc, test_mlp_no_hidden_layer);
    tcase_add_test(tc, test_mlp_nn_zero);
    tcase_add_test(tc, test_search_n_iter_zero_and_cv_one);
    tcase_add_test(tc, test_extreme_hyperparameters);
    tcase_add_test(tc, test_space_huge_uniform);
    tcase_add_test(tc, test_space_text_blanks);
    tcase_add_test(tc, test_tree_huge_targets);
    tcase_add_test(tc, test_sizes_near_the_limits);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
