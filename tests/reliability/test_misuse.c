/* Misuse of the public API: NULL handles and pointers to every function of
 * include/ctune.h that takes them (the sections that exist so far), wrong
 * call order, *_free(NULL), a handle freed and created again, independent
 * handles used from several threads at once. Every case gives a defined
 * status (or the documented neutral value of a getter), never a crash. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

static double X4[8] = {0, 1, 2, 3, 4, 5, 6, 7};
static double Y4[4] = {1, 2, 1, 2};

static ctune_data *data4(void)
{
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X4, CTUNE_FLOAT64, 4, 2, 0, Y4, 1));
    return d;
}

#define EINVAL_(expr) ck_assert_status((expr), CTUNE_EINVAL)

START_TEST(test_null_core)
{
    /* errors */
    ck_assert_str_eq(ctune_status_string(12345), "unknown status");
    ck_assert_int_eq(ctune_set_error(CTUNE_EDATA, NULL), CTUNE_EDATA);
    ck_assert_str_eq(ctune_last_error(), "invalid data");
    ck_assert_int_eq(ctune_set_error_str(CTUNE_EIO, NULL), CTUNE_EIO);
    ck_assert_str_eq(ctune_last_error(), "I/O error");
    ck_assert_int_eq(ctune_last_error_code(), CTUNE_EIO);
    ctune_clear_error();
    ck_assert_str_eq(ctune_last_error(), "");
    /* rng */
    EINVAL_(ctune_rng_new(NULL, 1, 2));
    ctune_rng_free(NULL);
    ck_assert_uint_eq(ctune_rng_u64(NULL), 0);
    ck_assert_double_eq(ctune_rng_uniform(NULL), 0.0);
    ck_assert_uint_eq(ctune_rng_below(NULL, 10), 0);
    ck_assert_double_eq(ctune_rng_normal(NULL), 0.0);
    /* data */
    ctune_data *d = data4(), *s;
    EINVAL_(ctune_data_new(NULL, X4, CTUNE_FLOAT64, 4, 2, 0, NULL, 0));
    EINVAL_(ctune_data_new(&s, NULL, CTUNE_FLOAT64, 4, 2, 0, NULL, 0));
    ck_assert_ptr_null(s);
    EINVAL_(ctune_data_new(&s, X4, 7, 4, 2, 0, NULL, 0));
    EINVAL_(ctune_data_new(&s, X4, CTUNE_FLOAT64, 4, 2, 0, NULL, 1));
    EINVAL_(ctune_data_subset(NULL, d, NULL, 0));
    EINVAL_(ctune_data_subset(&s, NULL, NULL, 0));
    EINVAL_(ctune_data_subset(&s, d, NULL, 2));
    ctune_data_free(NULL);
    ck_assert_uint_eq(ctune_data_n_rows(NULL), 0);
    ck_assert_uint_eq(ctune_data_n_cols(NULL), 0);
    ck_assert_uint_eq(ctune_data_n_targets(NULL), 0);
    ck_assert_int_eq(ctune_data_dtype(NULL), 0);
    EINVAL_(ctune_data_validate(NULL));
    float f[8];
    double g[8];
    EINVAL_(ctune_data_gather_f32(NULL, NULL, 1, f, 2));
    EINVAL_(ctune_data_gather_f32(d, NULL, 1, NULL, 2));
    EINVAL_(ctune_data_gather_f64(NULL, NULL, 1, g, 2));
    EINVAL_(ctune_data_gather_f64(d, NULL, 1, NULL, 2));
    EINVAL_(ctune_data_gather_y(NULL, NULL, 1, g));
    EINVAL_(ctune_data_gather_y(d, NULL, 1, NULL));
    ck_assert_double_eq(ctune_data_x(NULL, 0, 0), 0.0);
    ck_assert(isnan(ctune_data_y(NULL, 0, 0)));
    ck_assert_ptr_null(ctune_data_feature_name(NULL, 0));
    ck_assert_uint_eq(ctune_data_n_class_names(NULL), 0);
    ck_assert_ptr_null(ctune_data_class_name(NULL, 0));
    ctune_data_free(d);
}
END_TEST

START_TEST(test_null_params)
{
    ctune_params *p, *q;
    ck_assert_ok(ctune_params_new(&p));
    EINVAL_(ctune_params_new(NULL));
    ctune_params_free(NULL);
    EINVAL_(ctune_params_copy(NULL, p));
    EINVAL_(ctune_params_copy(&q, NULL));
    EINVAL_(ctune_params_set_int(NULL, "a", 1));
    EINVAL_(ctune_params_set_int(p, NULL, 1));
    EINVAL_(ctune_params_set_double(NULL, "a", 1));
    EINVAL_(ctune_params_set_double(p, NULL, 1));
    EINVAL_(ctune_params_set_string(NULL, "a", "x"));
    EINVAL_(ctune_params_set_string(p, NULL, "x"));
    EINVAL_(ctune_params_set_string(p, "a", NULL));
    EINVAL_(ctune_params_set_bool(NULL, "a", 1));
    EINVAL_(ctune_params_set_none(NULL, "a"));
    EINVAL_(ctune_params_set_none(p, NULL));
    EINVAL_(ctune_params_set_text(NULL, "a", "1"));
    EINVAL_(ctune_params_set_text(p, NULL, "1"));
    EINVAL_(ctune_params_set_text(p, "a", NULL));
    EINVAL_(ctune_params_update(NULL, p));
    EINVAL_(ctune_params_update(p, NULL));
    EINVAL_(ctune_params_parse(NULL, "a=1"));
    EINVAL_(ctune_params_parse(p, NULL));
    EINVAL_(ctune_params_remove(NULL, "a"));
    EINVAL_(ctune_params_remove(p, NULL));
    ck_assert_uint_eq(ctune_params_count(NULL), 0);
    ck_assert_ptr_null(ctune_params_name(NULL, 0));
    ck_assert_int_eq(ctune_params_find(NULL, "a"), -1);
    ck_assert_int_eq(ctune_params_find(p, NULL), -1);
    ck_assert_int_eq(ctune_params_type(NULL, "a"), 0);
    ck_assert_int_eq(ctune_params_type(p, NULL), 0);
    ck_assert_ok(ctune_params_parse(p, "i=1, d=2.5, s=x, b=true, n=none"));
    int64_t i;
    double x;
    const char *str;
    int b;
    EINVAL_(ctune_params_get_int(NULL, "i", &i));
    EINVAL_(ctune_params_get_int(p, NULL, &i));
    EINVAL_(ctune_params_get_int(p, "i", NULL));
    EINVAL_(ctune_params_get_double(NULL, "d", &x));
    EINVAL_(ctune_params_get_double(p, "d", NULL));
    EINVAL_(ctune_params_get_string(NULL, "s", &str));
    EINVAL_(ctune_params_get_string(p, "s", NULL));
    EINVAL_(ctune_params_get_bool(NULL, "b", &b));
    EINVAL_(ctune_params_get_bool(p, "b", NULL));
    ck_assert_int_eq(ctune_params_is_none(NULL, "n"), 0);
    ck_assert_int_eq(ctune_params_is_none(p, NULL), 0);
    char buf[64];
    ck_assert_int_lt(ctune_params_value_text(NULL, "i", buf, sizeof buf), 0);
    ck_assert_int_lt(ctune_params_value_text(p, NULL, buf, sizeof buf), 0);
    ck_assert_int_lt(ctune_params_value_text(p, "i", NULL, 8), 0);
    ck_assert_int_eq(ctune_params_value_text(p, "i", NULL, 0), 1); /* a size query */
    ck_assert_int_lt(ctune_params_to_text(NULL, buf, sizeof buf), 0);
    ck_assert_int_lt(ctune_params_to_text(p, NULL, 8), 0);
    ck_assert_int_gt(ctune_params_to_text(p, NULL, 0), 0);
    ck_assert_int_eq(ctune_params_equal(NULL, NULL), 1);
    ck_assert_int_eq(ctune_params_equal(p, NULL), 0);
    EINVAL_(ctune_params_from_spec(NULL, NULL));
    ck_assert_ok(ctune_params_from_spec(&q, NULL)); /* no spec: no params */
    ck_assert_uint_eq(ctune_params_count(q), 0);
    ctune_params_free(q);
    EINVAL_(ctune_params_check(NULL, NULL));
    EINVAL_(ctune_params_check(p, NULL)); /* every name is unknown to no spec */
    ck_assert_uint_eq(ctune_spec_count(NULL), 0);
    ctune_params_free(p);
}
END_TEST

START_TEST(test_null_estimator)
{
    ctune_data *d = data4();
    ctune_estimator *e, *c;
    double out[16], v;
    ck_assert_ok(ctune_dummy_classifier_new(&e));
    EINVAL_(ctune_dummy_classifier_new(NULL));
    EINVAL_(ctune_dummy_regressor_new(NULL));
    ck_assert_ptr_nonnull(ctune_dummy_classifier_vtable());
    ck_assert_ptr_nonnull(ctune_dummy_regressor_vtable());
    EINVAL_(ctune_estimator_new(NULL, ctune_dummy_classifier_vtable(), NULL));
    EINVAL_(ctune_estimator_new(&c, NULL, NULL));
    ck_assert_ptr_null(c);
    ctune_estimator_free(NULL);
    ck_assert_ptr_null(ctune_estimator_name(NULL));
    ck_assert_int_eq(ctune_estimator_kind(NULL), 0);
    ck_assert_ptr_null(ctune_estimator_vtable_of(NULL));
    ck_assert_ptr_null(ctune_estimator_user(NULL));
    ck_assert_int_eq(ctune_estimator_is_fitted(NULL), 0);
    EINVAL_(ctune_estimator_clone(NULL, e));
    EINVAL_(ctune_estimator_clone(&c, NULL));
    EINVAL_(ctune_estimator_set_params(NULL, ctune_estimator_get_params(e)));
    EINVAL_(ctune_estimator_set_params(e, NULL));
    EINVAL_(ctune_estimator_set_params_text(NULL, "seed=1"));
    EINVAL_(ctune_estimator_set_params_text(e, NULL));
    ck_assert_ptr_null(ctune_estimator_get_params(NULL));
    EINVAL_(ctune_estimator_check_params(NULL, ctune_estimator_get_params(e)));
    EINVAL_(ctune_estimator_check_params(e, NULL));
    EINVAL_(ctune_estimator_fit(NULL, d));
    EINVAL_(ctune_estimator_fit(e, NULL));
    EINVAL_(ctune_estimator_fit_ex(NULL, d, 1, 0));
    EINVAL_(ctune_estimator_fit_ex(e, d, -1, 0));
    ck_assert_uint_eq(ctune_estimator_n_classes(NULL), 0);
    EINVAL_(ctune_estimator_classes(NULL, out));
    ck_assert_uint_eq(ctune_estimator_n_features_in(NULL), 0);
    ck_assert_uint_eq(ctune_estimator_n_outputs(NULL), 0);
    EINVAL_(ctune_estimator_predict(NULL, d, out));
    EINVAL_(ctune_estimator_predict(e, NULL, out));
    EINVAL_(ctune_estimator_predict_proba(NULL, d, out));
    EINVAL_(ctune_estimator_predict_proba(e, NULL, out));
    EINVAL_(ctune_estimator_score(NULL, d, &v));
    EINVAL_(ctune_estimator_score(e, NULL, &v));
    EINVAL_(ctune_estimator_transform(NULL, d, out));
    EINVAL_(ctune_estimator_inverse_transform(NULL, d, out));
    EINVAL_(ctune_estimator_inverse_transform(e, NULL, out));
    /* NULL outputs once fitted */
    ck_assert_ok(ctune_estimator_fit(e, d));
    EINVAL_(ctune_estimator_classes(e, NULL));
    EINVAL_(ctune_estimator_predict(e, d, NULL));
    EINVAL_(ctune_estimator_predict_proba(e, d, NULL));
    EINVAL_(ctune_estimator_score(e, d, NULL));
    /* fit contexts */
    ck_assert_int_eq(ctune_fit_ctx_threads(NULL), 1);
    ck_assert_uint_eq(ctune_fit_ctx_seed(NULL, 42), 42);
    ck_assert_int_eq(ctune_fit_ctx_cancelled(NULL), 0);
    /* scorers and metrics */
    EINVAL_(ctune_score(NULL, "accuracy", d, &v));
    EINVAL_(ctune_score(e, "accuracy", NULL, &v));
    EINVAL_(ctune_score(e, "accuracy", d, NULL));
    EINVAL_(ctune_score(e, "no_such_scorer", d, &v));
    ck_assert_ok(ctune_score(e, NULL, d, &v)); /* the default score */
    EINVAL_(ctune_scorer_check(NULL));
    ck_assert_ptr_null(ctune_scorer_name(ctune_scorer_count()));
    double yt[2] = {0, 1};
    EINVAL_(ctune_metric_accuracy(NULL, yt, 2, &v));
    EINVAL_(ctune_metric_accuracy(yt, NULL, 2, &v));
    EINVAL_(ctune_metric_accuracy(yt, yt, 2, NULL));
    EINVAL_(ctune_metric_r2(NULL, yt, 2, 1, &v));
    EINVAL_(ctune_metric_balanced_accuracy(NULL, yt, 2, &v));
    EINVAL_(ctune_metric_log_loss(yt, NULL, 2, 2, &v));
    EINVAL_(ctune_metric_precision(yt, NULL, 2, CTUNE_AVERAGE_MACRO, 1, &v));
    EINVAL_(ctune_metric_recall(NULL, yt, 2, CTUNE_AVERAGE_MACRO, 1, &v));
    EINVAL_(ctune_metric_f1(yt, yt, 2, CTUNE_AVERAGE_MACRO, 1, NULL));
    EINVAL_(ctune_metric_roc_auc(NULL, yt, 2, 1, &v));
    EINVAL_(ctune_metric_mse(NULL, yt, 2, 1, &v));
    EINVAL_(ctune_metric_mae(yt, NULL, 2, 1, &v));
    EINVAL_(ctune_metric_rmse(yt, yt, 2, 1, NULL));
    /* generators */
    EINVAL_(ctune_make_blobs(NULL, out, 4, 2, 2, 1.0, 0, NULL));
    EINVAL_(ctune_make_classification(out, NULL, 4, 2, 1, 2, 1.0, 0));
    EINVAL_(ctune_make_regression(NULL, out, 4, 2, 1, 0.0, 0, NULL));
    /* conformance kit */
    int failed;
    char report[64];
    EINVAL_(ctune_check_estimator(NULL, NULL, report, sizeof report, &failed));
    ck_assert_ok(ctune_check_estimator(e, "n_rows=12", report, sizeof report, NULL));
    EINVAL_(ctune_check_estimator(e, NULL, NULL, 10, &failed));
    ck_assert_ptr_null(ctune_check_name(ctune_check_count()));
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_null_io)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d;
    ctune_estimator *e;
    EINVAL_(ctune_csv_load(NULL, "x.csv", NULL));
    EINVAL_(ctune_csv_load(&d, NULL, NULL));
    ck_assert_ptr_null(d);
    EINVAL_(ctune_csv_load_buffer(NULL, "a\n1\n", 4, NULL));
    EINVAL_(ctune_csv_load_buffer(&d, NULL, 4, NULL));
    EINVAL_(ctune_dataset_load(NULL, "iris", NULL));
    ck_assert_ptr_null(ctune_dataset_name(ctune_dataset_count()));
    ck_assert_ptr_null(ctune_dataset_description("no_such_dataset"));
    ck_assert_ok(ctune_dummy_regressor_new(&e));
    size_t size;
    unsigned char buf[8];
    EINVAL_(ctune_estimator_save(NULL, "x.model"));
    EINVAL_(ctune_estimator_save(e, NULL));
    EINVAL_(ctune_estimator_save_buffer(NULL, NULL, 0, &size));
    EINVAL_(ctune_estimator_save_buffer(e, NULL, 0, NULL));
    EINVAL_(ctune_estimator_save_buffer(e, NULL, 8, &size));
    ck_assert_status(ctune_estimator_save_buffer(e, buf, sizeof buf, &size), CTUNE_EINVAL);
    ck_assert_uint_gt(size, sizeof buf); /* too small, the size is still given */
    ctune_estimator_free(e);
    EINVAL_(ctune_estimator_load(NULL, "x.model", NULL, NULL));
    EINVAL_(ctune_estimator_load(&e, NULL, NULL, NULL));
    ck_assert_ptr_null(e);
    EINVAL_(ctune_estimator_load_buffer(NULL, buf, 8, NULL, NULL));
    EINVAL_(ctune_estimator_load_buffer(&e, NULL, 8, NULL, NULL));
    ck_assert_status(ctune_estimator_load_buffer(&e, NULL, 0, NULL, NULL), CTUNE_EFORMAT);
    /* the persistence primitives */
    uint64_t u;
    int64_t i;
    double x;
    float f;
    char s[8];
    EINVAL_(ctune_write_bytes(NULL, "a", 1));
    EINVAL_(ctune_write_u64(NULL, 1));
    EINVAL_(ctune_write_i64(NULL, 1));
    EINVAL_(ctune_write_f64(NULL, 1));
    EINVAL_(ctune_write_f32_array(NULL, &f, 1));
    EINVAL_(ctune_write_f64_array(NULL, &x, 1));
    EINVAL_(ctune_write_string(NULL, "a"));
    EINVAL_(ctune_read_bytes(NULL, s, 1));
    EINVAL_(ctune_read_u64(NULL, &u));
    EINVAL_(ctune_read_i64(NULL, &i));
    EINVAL_(ctune_read_f64(NULL, &x));
    EINVAL_(ctune_read_f32_array(NULL, &f, 1));
    EINVAL_(ctune_read_f64_array(NULL, &x, 1));
    EINVAL_(ctune_read_string(NULL, s, sizeof s));
    ck_assert_uint_eq(ctune_read_remaining(NULL), 0);
    ctune_set_log_callback(NULL, NULL);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* ---- call order -------------------------------------------------------------- */

START_TEST(test_wrong_order)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d = data4();
    ctune_estimator *e;
    double out[8], v;
    for (int k = 0; k < 2; k++) {
        ck_assert_ok(k ? ctune_dummy_regressor_new(&e) : ctune_dummy_classifier_new(&e));
        /* before fit */
        ck_assert_status(ctune_estimator_predict(e, d, out), CTUNE_ESTATE);
        ck_assert_error_has("not fitted");
        ck_assert_status(ctune_estimator_score(e, d, &v), CTUNE_ESTATE);
        ck_assert_status(ctune_score(e, NULL, d, &v), CTUNE_ESTATE);
        ck_assert_status(ctune_estimator_classes(e, out), CTUNE_ESTATE);
        ck_assert_int_eq(ctune_estimator_n_features_in(e), 0);
        ck_assert_status(ctune_estimator_transform(e, d, out), CTUNE_ESTATE);
        ck_assert_status(ctune_estimator_inverse_transform(e, d, out), CTUNE_ESTATE);
        if (!k)
            ck_assert_status(ctune_estimator_predict_proba(e, d, out), CTUNE_ESTATE);
        /* fit, then what a classifier / regressor does not have */
        ck_assert_ok(ctune_estimator_fit(e, d));
        ck_assert_status(ctune_estimator_transform(e, d, out), CTUNE_EUNSUPPORTED);
        ck_assert_status(ctune_estimator_inverse_transform(e, d, out), CTUNE_EUNSUPPORTED);
        if (k) {
            ck_assert_status(ctune_estimator_predict_proba(e, d, out), CTUNE_EUNSUPPORTED);
            ck_assert_status(ctune_estimator_classes(e, out), CTUNE_EINVAL);
        }
        /* set_params drops the fit */
        ck_assert_ok(ctune_estimator_set_params_text(e, k ? "strategy=median" : "seed=3"));
        ck_assert_int_eq(ctune_estimator_is_fitted(e), 0);
        ck_assert_status(ctune_estimator_predict(e, d, out), CTUNE_ESTATE);
        /* a failed fit leaves the handle unfitted and usable */
        ck_assert_ok(ctune_estimator_fit(e, d));
        ctune_data *nox;
        ck_assert_ok(ctune_data_new(&nox, X4, CTUNE_FLOAT64, 4, 2, 0, NULL, 0));
        ck_assert_status(ctune_estimator_fit(e, nox), CTUNE_EDATA);
        ck_assert_int_eq(ctune_estimator_is_fitted(e), 0);
        ck_assert_ok(ctune_estimator_fit(e, d));
        ck_assert_ok(ctune_estimator_predict(e, nox, out)); /* predict needs no y */
        ck_assert_status(ctune_estimator_score(e, nox, &v), CTUNE_EDATA);
        ctune_data_free(nox);
        /* fitting twice, predicting twice */
        ck_assert_ok(ctune_estimator_fit(e, d));
        ck_assert_ok(ctune_estimator_predict(e, d, out));
        ck_assert_ok(ctune_estimator_predict(e, d, out));
        ctune_estimator_free(e);
    }
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_free_and_recreate)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d = data4();
    double out[4];
    for (int round = 0; round < 50; round++) {
        ctune_estimator *e;
        ck_assert_ok(ctune_dummy_classifier_new(&e));
        ck_assert_status(ctune_estimator_predict(e, d, out), CTUNE_ESTATE); /* a new handle */
        ck_assert_ok(ctune_estimator_fit(e, d));
        ck_assert_ok(ctune_estimator_predict(e, d, out));
        ctune_estimator_free(e);
        ctune_params *p;
        ck_assert_ok(ctune_params_new(&p));
        ck_assert_uint_eq(ctune_params_count(p), 0);
        ctune_params_free(p);
        ctune_data *s;
        size_t r = (size_t)round % 4;
        ck_assert_ok(ctune_data_subset(&s, d, &r, 1));
        ctune_data_free(d); /* the subset outlives its source */
        d = NULL;
        ck_assert_double_eq(ctune_data_x(s, 0, 1), X4[2 * r + 1]);
        ctune_data_free(s);
        d = data4();
    }
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* ---- threads ---------------------------------------------------------------------- */

enum { THREADS = 4, ROUNDS = 30 };

typedef struct job {
    int id;
    int failures;
    char msg[256];
} job;

/* Each thread works on its own handles only: data, params, estimators,
 * persistence, CSV, scorers, and its own error messages. */
static void *worker(void *arg)
{
    job *j = arg;
    double X[40], y[20], out[20];
    for (int i = 0; i < 20; i++) {
        X[2 * i] = i + j->id;
        X[2 * i + 1] = -i;
        y[i] = (i + j->id) % 3;
    }
    for (int r = 0; r < ROUNDS; r++) {
        ctune_data *d = NULL, *c = NULL;
        ctune_estimator *e = NULL, *f = NULL;
        double v;
        size_t len;
        unsigned char buf[512];
        char text[64];
        int bad = ctune_data_new(&d, X, CTUNE_FLOAT64, 20, 2, 0, y, 1) != CTUNE_OK;
        bad |= ctune_dummy_classifier_new(&e) != CTUNE_OK;
        snprintf(text, sizeof text, "strategy=stratified, seed=%d", j->id * 100 + r);
        bad |= ctune_estimator_set_params_text(e, text) != CTUNE_OK;
        bad |= ctune_estimator_fit(e, d) != CTUNE_OK;
        bad |= ctune_estimator_predict(e, d, out) != CTUNE_OK;
        bad |= ctune_score(e, "balanced_accuracy", d, &v) != CTUNE_OK;
        bad |= ctune_estimator_save_buffer(e, buf, sizeof buf, &len) != CTUNE_OK;
        bad |= ctune_estimator_load_buffer(&f, buf, len, NULL, NULL) != CTUNE_OK;
        bad |= ctune_csv_load_buffer(&c, "a,b\n1,0\n2,1\n", 12, NULL) != CTUNE_OK;
        /* this thread's error stays this thread's */
        snprintf(text, sizeof text, "thread %d round %d", j->id, r);
        ctune_set_error(CTUNE_EUSER, "%s", text);
        bad |= ctune_estimator_set_params_text(e, "nope=1") != CTUNE_EINVAL;
        bad |= strstr(ctune_last_error(), "nope") == NULL;
        ctune_set_error(CTUNE_EUSER, "%s", text);
        for (volatile int spin = 0; spin < 1000; spin++)
            ;
        bad |= strcmp(ctune_last_error(), text) != 0;
        if (bad && !j->failures)
            snprintf(j->msg, sizeof j->msg, "round %d: %s", r, ctune_last_error());
        j->failures += bad;
        ctune_estimator_free(f);
        ctune_estimator_free(e);
        ctune_data_free(c);
        ctune_data_free(d);
    }
    return NULL;
}

START_TEST(test_threads_independent_handles)
{
    int64_t live = ctune_alloc_live();
    pthread_t th[THREADS];
    job jobs[THREADS];
    for (int t = 0; t < THREADS; t++) {
        jobs[t].id = t;
        jobs[t].failures = 0;
        jobs[t].msg[0] = '\0';
        ck_assert_int_eq(pthread_create(&th[t], NULL, worker, &jobs[t]), 0);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < THREADS; t++)
        ck_assert_msg(jobs[t].failures == 0, "thread %d: %d failures, first %s", t,
                      jobs[t].failures, jobs[t].msg);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* One data view shared by threads (views are immutable and may be shared):
 * subsets taken and freed concurrently keep the reference count right. */
static ctune_data *g_shared;

static void *subset_worker(void *arg)
{
    long bad = 0;
    (void)arg;
    for (int r = 0; r < 200; r++) {
        size_t rows[2] = {(size_t)r % 4, 3};
        ctune_data *s;
        bad += ctune_data_subset(&s, g_shared, rows, 2) != CTUNE_OK;
        bad += ctune_data_x(s, 1, 0) != X4[6];
        ctune_data_free(s);
    }
    return (void *)bad;
}

START_TEST(test_threads_shared_view)
{
    int64_t live = ctune_alloc_live();
    g_shared = data4();
    pthread_t th[THREADS];
    for (int t = 0; t < THREADS; t++)
        ck_assert_int_eq(pthread_create(&th[t], NULL, subset_worker, NULL), 0);
    for (int t = 0; t < THREADS; t++) {
        void *bad;
        pthread_join(th[t], &bad);
        ck_assert_int_eq((long)bad, 0);
    }
    ctune_data_free(g_shared);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("misuse");
    TCase *tc = tcase_create("misuse");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_null_core);
    tcase_add_test(tc, test_null_params);
    tcase_add_test(tc, test_null_estimator);
    tcase_add_test(tc, test_null_io);
    tcase_add_test(tc, test_wrong_order);
    tcase_add_test(tc, test_free_and_recreate);
    tcase_add_test(tc, test_threads_independent_handles);
    tcase_add_test(tc, test_threads_shared_view);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
