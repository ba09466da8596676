/* Misuse of the public API: NULL handles and pointers to every function of
 * include/ctune.h that takes them, wrong call order, *_free(NULL), a handle
 * freed and created again, independent handles (and searches) used from
 * several threads at once. Every case gives a defined
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
    EINVAL_(ctune_data_gather_f32(f, 2, NULL, NULL, 1));
    EINVAL_(ctune_data_gather_f32(NULL, 2, d, NULL, 1));
    EINVAL_(ctune_data_gather_f64(g, 2, NULL, NULL, 1));
    EINVAL_(ctune_data_gather_f64(NULL, 2, d, NULL, 1));
    EINVAL_(ctune_data_gather_y(g, NULL, NULL, 1));
    EINVAL_(ctune_data_gather_y(NULL, d, NULL, 1));
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
    EINVAL_(ctune_params_get_int(&i, NULL, "i"));
    EINVAL_(ctune_params_get_int(&i, p, NULL));
    EINVAL_(ctune_params_get_int(NULL, p, "i"));
    EINVAL_(ctune_params_get_double(&x, NULL, "d"));
    EINVAL_(ctune_params_get_double(NULL, p, "d"));
    EINVAL_(ctune_params_get_string(&str, NULL, "s"));
    EINVAL_(ctune_params_get_string(NULL, p, "s"));
    EINVAL_(ctune_params_get_bool(&b, NULL, "b"));
    EINVAL_(ctune_params_get_bool(NULL, p, "b"));
    ck_assert_int_eq(ctune_params_is_none(NULL, "n"), 0);
    ck_assert_int_eq(ctune_params_is_none(p, NULL), 0);
    char buf[64];
    ck_assert_int_lt(ctune_params_value_text(buf, sizeof buf, NULL, "i"), 0);
    ck_assert_int_lt(ctune_params_value_text(buf, sizeof buf, p, NULL), 0);
    ck_assert_int_lt(ctune_params_value_text(NULL, 8, p, "i"), 0);
    ck_assert_int_eq(ctune_params_value_text(NULL, 0, p, "i"), 1); /* a size query */
    ck_assert_int_lt(ctune_params_to_text(buf, sizeof buf, NULL), 0);
    ck_assert_int_lt(ctune_params_to_text(NULL, 8, p), 0);
    ck_assert_int_gt(ctune_params_to_text(NULL, 0, p), 0);
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
    EINVAL_(ctune_estimator_fit_task(NULL, d, 1, 0));
    EINVAL_(ctune_estimator_fit_task(e, d, -1, 0));
    ck_assert_uint_eq(ctune_estimator_n_classes(NULL), 0);
    EINVAL_(ctune_estimator_classes(out, NULL));
    EINVAL_(ctune_estimator_set_class_names(NULL, NULL, 0));
    ck_assert_ptr_null(ctune_estimator_class_name(NULL, 0));
    ck_assert_ptr_null(ctune_estimator_class_name(e, 0)); /* unfitted */
    ck_assert_uint_eq(ctune_estimator_n_features_in(NULL), 0);
    ck_assert_uint_eq(ctune_estimator_n_outputs(NULL), 0);
    EINVAL_(ctune_estimator_predict(out, NULL, d));
    EINVAL_(ctune_estimator_predict(out, e, NULL));
    EINVAL_(ctune_estimator_predict_proba(out, NULL, d));
    EINVAL_(ctune_estimator_predict_proba(out, e, NULL));
    EINVAL_(ctune_estimator_score(&v, NULL, d));
    EINVAL_(ctune_estimator_score(&v, e, NULL));
    EINVAL_(ctune_estimator_transform(out, NULL, d));
    EINVAL_(ctune_estimator_inverse_transform(out, NULL, d));
    EINVAL_(ctune_estimator_inverse_transform(out, e, NULL));
    /* NULL outputs once fitted */
    ck_assert_ok(ctune_estimator_fit(e, d));
    EINVAL_(ctune_estimator_classes(NULL, e));
    EINVAL_(ctune_estimator_predict(NULL, e, d));
    EINVAL_(ctune_estimator_predict_proba(NULL, e, d));
    EINVAL_(ctune_estimator_score(NULL, e, d));
    /* fit contexts */
    ck_assert_int_eq(ctune_fit_ctx_threads(NULL), 1);
    ck_assert_uint_eq(ctune_fit_ctx_seed(NULL, 42), 42);
    ck_assert_int_eq(ctune_fit_ctx_cancelled(NULL), 0);
    /* scorers and metrics */
    EINVAL_(ctune_score(&v, NULL, "accuracy", d));
    EINVAL_(ctune_score(&v, e, "accuracy", NULL));
    EINVAL_(ctune_score(NULL, e, "accuracy", d));
    EINVAL_(ctune_score(&v, e, "no_such_scorer", d));
    ck_assert_ok(ctune_score(&v, e, NULL, d)); /* the default score */
    EINVAL_(ctune_scorer_check(NULL));
    ck_assert_ptr_null(ctune_scorer_name(ctune_scorer_count()));
    double yt[2] = {0, 1};
    EINVAL_(ctune_metric_accuracy(&v, NULL, yt, 2));
    EINVAL_(ctune_metric_accuracy(&v, yt, NULL, 2));
    EINVAL_(ctune_metric_accuracy(NULL, yt, yt, 2));
    EINVAL_(ctune_metric_r2(&v, NULL, yt, 2, 1));
    EINVAL_(ctune_metric_balanced_accuracy(&v, NULL, yt, 2));
    EINVAL_(ctune_metric_log_loss(&v, yt, NULL, 2, 2));
    EINVAL_(ctune_metric_precision(&v, yt, NULL, 2, CTUNE_AVERAGE_MACRO, 1));
    EINVAL_(ctune_metric_recall(&v, NULL, yt, 2, CTUNE_AVERAGE_MACRO, 1));
    EINVAL_(ctune_metric_f1(NULL, yt, yt, 2, CTUNE_AVERAGE_MACRO, 1));
    EINVAL_(ctune_metric_roc_auc(&v, NULL, yt, 2, 1));
    EINVAL_(ctune_metric_mse(&v, NULL, yt, 2, 1));
    EINVAL_(ctune_metric_mae(&v, yt, NULL, 2, 1));
    EINVAL_(ctune_metric_rmse(NULL, yt, yt, 2, 1));
    /* generators */
    EINVAL_(ctune_make_blobs(NULL, out, NULL, 4, 2, 2, 1.0, 0));
    EINVAL_(ctune_make_classification(out, NULL, 4, 2, 1, 2, 1.0, 0));
    EINVAL_(ctune_make_regression(NULL, out, NULL, 4, 2, 1, 0.0, 0));
    /* conformance kit */
    int failed;
    char report[64];
    EINVAL_(ctune_check_estimator(report, sizeof report, &failed, NULL, NULL));
    ck_assert_len(ctune_check_estimator(report, sizeof report, NULL, e, "n_rows=12"));
    EINVAL_(ctune_check_estimator(NULL, 10, &failed, e, NULL));
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
    unsigned char buf[8];
    EINVAL_(ctune_estimator_save(NULL, "x.model"));
    EINVAL_(ctune_estimator_save(e, NULL));
    EINVAL_(ctune_estimator_save_buffer(NULL, 0, NULL));
    EINVAL_(ctune_estimator_save_buffer(NULL, 8, e));
    /* too small: the size is still given */
    ck_assert_uint_gt(ck_assert_len(ctune_estimator_save_buffer(buf, sizeof buf, e)), sizeof buf);
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
    EINVAL_(ctune_read_bytes(s, 1, NULL));
    EINVAL_(ctune_read_u64(&u, NULL));
    EINVAL_(ctune_read_i64(&i, NULL));
    EINVAL_(ctune_read_f64(&x, NULL));
    EINVAL_(ctune_read_f32_array(&f, 1, NULL));
    EINVAL_(ctune_read_f64_array(&x, 1, NULL));
    EINVAL_(ctune_read_string(s, sizeof s, NULL));
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
        ck_assert_status(ctune_estimator_predict(out, e, d), CTUNE_ESTATE);
        ck_assert_error_has("not fitted");
        ck_assert_status(ctune_estimator_score(&v, e, d), CTUNE_ESTATE);
        ck_assert_status(ctune_score(&v, e, NULL, d), CTUNE_ESTATE);
        ck_assert_status(ctune_estimator_classes(out, e), CTUNE_ESTATE);
        ck_assert_int_eq(ctune_estimator_n_features_in(e), 0);
        ck_assert_status(ctune_estimator_transform(out, e, d), CTUNE_ESTATE);
        ck_assert_status(ctune_estimator_inverse_transform(out, e, d), CTUNE_ESTATE);
        if (!k)
            ck_assert_status(ctune_estimator_predict_proba(out, e, d), CTUNE_ESTATE);
        /* fit, then what a classifier / regressor does not have */
        ck_assert_ok(ctune_estimator_fit(e, d));
        ck_assert_status(ctune_estimator_transform(out, e, d), CTUNE_EUNSUPPORTED);
        ck_assert_status(ctune_estimator_inverse_transform(out, e, d), CTUNE_EUNSUPPORTED);
        if (k) {
            ck_assert_status(ctune_estimator_predict_proba(out, e, d), CTUNE_EUNSUPPORTED);
            ck_assert_status(ctune_estimator_classes(out, e), CTUNE_EINVAL);
        }
        /* set_params drops the fit */
        ck_assert_ok(ctune_estimator_set_params_text(e, k ? "strategy=median" : "seed=3"));
        ck_assert_int_eq(ctune_estimator_is_fitted(e), 0);
        ck_assert_status(ctune_estimator_predict(out, e, d), CTUNE_ESTATE);
        /* a failed fit leaves the handle unfitted and usable */
        ck_assert_ok(ctune_estimator_fit(e, d));
        ctune_data *nox;
        ck_assert_ok(ctune_data_new(&nox, X4, CTUNE_FLOAT64, 4, 2, 0, NULL, 0));
        ck_assert_status(ctune_estimator_fit(e, nox), CTUNE_EDATA);
        ck_assert_int_eq(ctune_estimator_is_fitted(e), 0);
        ck_assert_ok(ctune_estimator_fit(e, d));
        ck_assert_ok(ctune_estimator_predict(out, e, nox)); /* predict needs no y */
        ck_assert_status(ctune_estimator_score(&v, e, nox), CTUNE_EDATA);
        ctune_data_free(nox);
        /* fitting twice, predicting twice */
        ck_assert_ok(ctune_estimator_fit(e, d));
        ck_assert_ok(ctune_estimator_predict(out, e, d));
        ck_assert_ok(ctune_estimator_predict(out, e, d));
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
        ck_assert_status(ctune_estimator_predict(out, e, d), CTUNE_ESTATE); /* a new handle */
        ck_assert_ok(ctune_estimator_fit(e, d));
        ck_assert_ok(ctune_estimator_predict(out, e, d));
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
        bad |= ctune_estimator_predict(out, e, d) != CTUNE_OK;
        bad |= ctune_score(&v, e, "balanced_accuracy", d) != CTUNE_OK;
        long n_saved = ctune_estimator_save_buffer(buf, sizeof buf, e);
        bad |= n_saved < 0 || (size_t)n_saved > sizeof buf;
        len = n_saved < 0 ? 0 : (size_t)n_saved;
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

/* ---- the NN, Keras-style estimators, trees, scaler, pipeline ------------------ */

/* 12 rows of 2 features, labels 0/1 alternating (also class codes). */
static double X12[24] = {0, 1, 1, 0, 2, 1, 3, 0, 4, 1, 5, 0, 6, 1, 7, 0, 8, 1, 9, 0, 10, 1, 11, 0};
static double Y12[12] = {0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};

static ctune_data *data12(void)
{
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X12, CTUNE_FLOAT64, 12, 2, 0, Y12, 1));
    return d;
}

static ctune_status misuse_build(const ctune_params *p, ctune_model *m, void *user)
{
    (void)p;
    (void)user;
    ctune_status rc = ctune_model_add_dense(m, 1, "sigmoid", NULL);
    return rc ? rc : ctune_model_compile(m, "sgd", "binary_crossentropy", NULL);
}

START_TEST(test_null_nn)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d = data12();
    ctune_model *m;
    double out[24], v;
    float w[8];
    EINVAL_(ctune_model_new(NULL));
    ctune_model_free(NULL);
    ck_assert_ok(ctune_model_new(&m));
    EINVAL_(ctune_model_add_dense(NULL, 2, "relu", NULL));
    EINVAL_(ctune_model_add_dropout(NULL, 0.5));
    EINVAL_(ctune_model_compile(NULL, "sgd", "mse", NULL));
    EINVAL_(ctune_model_compile(m, NULL, "mse", NULL));
    EINVAL_(ctune_model_compile(m, "sgd", NULL, NULL));
    EINVAL_(ctune_model_build(NULL, 2));
    EINVAL_(ctune_model_fit(NULL, d, 1, 4, NULL));
    EINVAL_(ctune_model_fit(m, NULL, 1, 4, NULL));
    EINVAL_(ctune_model_fit_monitored(NULL, d, NULL, 1, 4, NULL, NULL, NULL));
    EINVAL_(ctune_model_fit_monitored(m, NULL, NULL, 1, 4, NULL, NULL, NULL));
    EINVAL_(ctune_model_predict(out, NULL, d));
    EINVAL_(ctune_model_predict(out, m, NULL));
    EINVAL_(ctune_model_predict(NULL, m, d));
    EINVAL_(ctune_model_evaluate(&v, NULL, NULL, d));
    EINVAL_(ctune_model_evaluate(&v, NULL, m, NULL));
    EINVAL_(ctune_model_evaluate(NULL, NULL, m, d));
    ck_assert_uint_eq(ctune_model_n_layers(NULL), 0);
    ck_assert_uint_eq(ctune_model_n_outputs(NULL), 0);
    ck_assert_uint_eq(ctune_model_input_dim(NULL), 0);
    ck_assert_ptr_null(ctune_model_loss(NULL));
    ck_assert_ptr_null(ctune_model_output_activation(NULL));
    ck_assert_uint_eq(ctune_model_history_len(NULL), 0);
    ck_assert_uint_eq(ctune_model_history_n_keys(NULL), 0);
    ck_assert_ptr_null(ctune_model_history_key(NULL, 0));
    EINVAL_(ctune_model_history_value(&v, NULL, "loss", 0));
    EINVAL_(ctune_model_history_value(&v, m, NULL, 0));
    EINVAL_(ctune_model_history_value(NULL, m, "loss", 0));
    ck_assert_uint_eq(ctune_model_n_params(NULL), 0);
    EINVAL_(ctune_model_get_weights(w, NULL));
    EINVAL_(ctune_model_set_weights(NULL, w));
    EINVAL_(ctune_model_set_threads(NULL, 1));
    EINVAL_(ctune_model_set_threads(m, 0));
    EINVAL_(ctune_model_set_seed(NULL, 1));
    ck_assert_ptr_null(ctune_nn_activation_name(100000));
    ck_assert_ptr_null(ctune_nn_initializer_name(100000));
    ck_assert_ptr_null(ctune_nn_loss_name(100000));
    ck_assert_ptr_null(ctune_nn_optimizer_name(100000));
    ck_assert_ptr_null(ctune_nn_metric_name(100000));
    /* NULL activation and options are the documented defaults */
    ck_assert_ok(ctune_model_add_dense(m, 2, NULL, NULL));
    ck_assert_str_eq(ctune_model_output_activation(m), "linear");
    ck_assert_ok(ctune_model_compile(m, "sgd", "mse", NULL));
    ck_assert_ok(ctune_model_build(m, 2));
    EINVAL_(ctune_model_get_weights(NULL, m));
    EINVAL_(ctune_model_set_weights(m, NULL));
    ctune_model_free(m);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_null_keras)
{
    int64_t live = ctune_alloc_live();
    ctune_estimator *e = (ctune_estimator *)1;
    EINVAL_(ctune_keras_classifier_new(NULL, misuse_build, NULL, NULL));
    EINVAL_(ctune_keras_classifier_new(&e, NULL, NULL, NULL));
    ck_assert_ptr_null(e);
    EINVAL_(ctune_keras_regressor_new(NULL, misuse_build, NULL, NULL));
    EINVAL_(ctune_keras_regressor_new(&e, NULL, NULL, NULL));
    ck_assert_ptr_null(ctune_keras_model(NULL));
    EINVAL_(ctune_mlp_classifier_new(NULL));
    EINVAL_(ctune_mlp_regressor_new(NULL));
    ck_assert_ptr_nonnull(ctune_mlp_spec());
    ctune_model *m;
    ctune_params *p;
    ck_assert_ok(ctune_model_new(&m));
    ck_assert_ok(ctune_params_from_spec(&p, ctune_mlp_spec()));
    EINVAL_(ctune_mlp_build(p, NULL, NULL));
    /* documented: NULL params build with every default (one linear output) */
    ck_assert_ok(ctune_mlp_build(NULL, m, NULL));
    ck_assert_uint_eq(ctune_model_n_layers(m), 2);
    ck_assert_str_eq(ctune_model_loss(m), "mean_squared_error");
    ctune_params_free(p);
    ctune_model_free(m);
    /* a builder spec of NULL is "no builder params" */
    ck_assert_ok(ctune_keras_classifier_new(&e, misuse_build, NULL, NULL));
    ck_assert_ptr_null(ctune_keras_model(e)); /* unfitted */
    ctune_data *d = data12();
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_ptr_nonnull(ctune_keras_model(e));
    ctune_estimator *t;
    ck_assert_ok(ctune_decision_tree_classifier_new(&t));
    ck_assert_ok(ctune_estimator_fit(t, d));
    ck_assert_ptr_null(ctune_keras_model(t)); /* not a Keras-style estimator */
    ctune_estimator_free(t);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_null_trees_scaler_pipeline)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d = data12();
    ctune_estimator *t, *s, *p, *dummy;
    const ctune_estimator *o;
    size_t n;
    int64_t f, l, r;
    double thr, v[4];
    EINVAL_(ctune_decision_tree_classifier_new(NULL));
    EINVAL_(ctune_decision_tree_regressor_new(NULL));
    ck_assert_ptr_nonnull(ctune_decision_tree_classifier_vtable());
    ck_assert_ptr_nonnull(ctune_decision_tree_regressor_vtable());
    EINVAL_(ctune_standard_scaler_new(NULL));
    EINVAL_(ctune_pipeline_new(NULL));
    ck_assert_ok(ctune_decision_tree_classifier_new(&t));
    ck_assert_ok(ctune_standard_scaler_new(&s));
    ck_assert_ok(ctune_pipeline_new(&p));
    ck_assert_ok(ctune_dummy_classifier_new(&dummy));
    ck_assert_ok(ctune_estimator_fit(t, d));
    ck_assert_ok(ctune_estimator_fit(s, d));
    ck_assert_ok(ctune_estimator_fit(dummy, d));
    /* tree accessors: NULL tree, NULL out, not a tree, node out of range */
    EINVAL_(ctune_tree_depth(&n, NULL));
    EINVAL_(ctune_tree_depth(NULL, t));
    EINVAL_(ctune_tree_depth(&n, dummy));
    ck_assert_error_has("not a");
    EINVAL_(ctune_tree_n_leaves(&n, NULL));
    EINVAL_(ctune_tree_n_leaves(NULL, t));
    EINVAL_(ctune_tree_n_nodes(&n, NULL));
    EINVAL_(ctune_tree_n_nodes(NULL, t));
    EINVAL_(ctune_tree_feature_importances(v, NULL));
    EINVAL_(ctune_tree_feature_importances(NULL, t));
    EINVAL_(ctune_tree_feature_importances(v, s));
    EINVAL_(ctune_tree_node(&f, &thr, &l, &r, NULL, 0));
    EINVAL_(ctune_tree_node(&f, &thr, &l, &r, t, 100000));
    ck_assert_ok(ctune_tree_node(NULL, NULL, NULL, NULL, t, 0)); /* outs are optional */
    EINVAL_(ctune_tree_node_stats(&thr, &thr, &n, NULL, 0));
    EINVAL_(ctune_tree_node_stats(&thr, &thr, &n, t, 100000));
    ck_assert_ok(ctune_tree_node_stats(NULL, NULL, NULL, t, 0));
    EINVAL_(ctune_tree_node_value(v, NULL, 0));
    EINVAL_(ctune_tree_node_value(NULL, t, 0));
    EINVAL_(ctune_tree_node_value(v, t, 100000));
    /* scaler accessors */
    EINVAL_(ctune_scaler_mean(v, NULL));
    EINVAL_(ctune_scaler_mean(NULL, s));
    EINVAL_(ctune_scaler_mean(v, t));
    ck_assert_error_has("is not a StandardScaler");
    EINVAL_(ctune_scaler_var(v, NULL));
    EINVAL_(ctune_scaler_var(NULL, s));
    EINVAL_(ctune_scaler_scale(v, NULL));
    EINVAL_(ctune_scaler_scale(NULL, s));
    /* pipeline */
    EINVAL_(ctune_pipeline_add_step(NULL, "a", s));
    EINVAL_(ctune_pipeline_add_step(p, NULL, s));
    EINVAL_(ctune_pipeline_add_step(p, "a", NULL));
    EINVAL_(ctune_pipeline_add_step(dummy, "a", s)); /* not a pipeline */
    EINVAL_(ctune_pipeline_add_step(p, "", s));
    EINVAL_(ctune_pipeline_add_step(p, "a__b", s));
    ck_assert_uint_eq(ctune_pipeline_n_steps(p), 0);
    ck_assert_uint_eq(ctune_pipeline_n_steps(NULL), 0);
    ck_assert_uint_eq(ctune_pipeline_n_steps(dummy), 0);
    ck_assert_ptr_null(ctune_pipeline_step_name(NULL, 0));
    ck_assert_ptr_null(ctune_pipeline_step_name(dummy, 0));
    ck_assert_ptr_null(ctune_pipeline_step_name(p, 0));
    ck_assert_ok(ctune_pipeline_add_step(p, "scaler", s));
    ck_assert_ok(ctune_pipeline_add_step(p, "tree", t));
    ck_assert_ok(ctune_estimator_fit(p, d));
    EINVAL_(ctune_pipeline_step(&o, NULL, "tree"));
    EINVAL_(ctune_pipeline_step(&o, p, NULL));
    EINVAL_(ctune_pipeline_step(NULL, p, "tree"));
    EINVAL_(ctune_pipeline_step(&o, p, "nope"));
    ck_assert_error_has("scaler, tree");
    EINVAL_(ctune_pipeline_step(&o, dummy, "tree")); /* not a pipeline */
    ck_assert_ok(ctune_pipeline_step(&o, p, "tree"));
    ck_assert_ok(ctune_tree_depth(&n, o)); /* a fitted step is a tree */
    ctune_estimator_free(p);
    ctune_estimator_free(dummy);
    ctune_estimator_free(s);
    ctune_estimator_free(t);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* ---- model selection --------------------------------------------------------------- */

START_TEST(test_null_splitters)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d = data12(), *tr = (ctune_data *)1, *te = (ctune_data *)1;
    ctune_splitter *sp = (ctune_splitter *)1;
    ctune_splits *s = (ctune_splits *)1;
    const size_t *idx;
    size_t n;
    EINVAL_(ctune_kfold_new(NULL, 2, 0, 0));
    EINVAL_(ctune_stratified_kfold_new(NULL, 2, 0, 0));
    EINVAL_(ctune_shuffle_split_new(NULL, 2, 0.5, 0, 0));
    EINVAL_(ctune_shuffle_split_new(&sp, 2, NAN, 0, 0));
    ck_assert_ptr_null(sp);
    ctune_splitter_free(NULL);
    ck_assert_uint_eq(ctune_splitter_n_splits(NULL), 0);
    ck_assert_ptr_null(ctune_splitter_name(NULL));
    ck_assert_ok(ctune_stratified_kfold_new(&sp, 3, 1, 5));
    EINVAL_(ctune_splitter_split(NULL, sp, d));
    EINVAL_(ctune_splitter_split(&s, NULL, d));
    ck_assert_ptr_null(s);
    EINVAL_(ctune_splitter_split(&s, sp, NULL));
    ctune_splits_free(NULL);
    ck_assert_uint_eq(ctune_splits_count(NULL), 0);
    EINVAL_(ctune_splits_train(&idx, &n, NULL, 0));
    EINVAL_(ctune_splits_test(&idx, &n, NULL, 0));
    ck_assert_uint_eq(ctune_splits_n_warnings(NULL), 0);
    ck_assert_ptr_null(ctune_splits_warning(NULL, 0));
    ck_assert_ok(ctune_splitter_split(&s, sp, d));
    EINVAL_(ctune_splits_train(NULL, &n, s, 0));
    EINVAL_(ctune_splits_train(&idx, NULL, s, 0));
    EINVAL_(ctune_splits_train(&idx, &n, s, 3)); /* out of range */
    EINVAL_(ctune_splits_test(NULL, &n, s, 0));
    EINVAL_(ctune_splits_test(&idx, NULL, s, 0));
    EINVAL_(ctune_splits_test(&idx, &n, s, 3));
    ck_assert_ptr_null(ctune_splits_warning(s, 100));
    ctune_splits_free(s);
    ctune_splitter_free(sp);
    EINVAL_(ctune_train_test_split(NULL, &te, d, 0.25, 0, 0));
    EINVAL_(ctune_train_test_split(&tr, NULL, d, 0.25, 0, 0));
    EINVAL_(ctune_train_test_split(&tr, &te, NULL, 0.25, 0, 0));
    ck_assert_ptr_null(tr);
    ck_assert_ptr_null(te);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_null_space)
{
    int64_t live = ctune_alloc_live();
    ctune_space *sp = (ctune_space *)1, *o = (ctune_space *)1;
    ctune_candidates *c = (ctune_candidates *)1;
    const int64_t ints[2] = {1, 2};
    const double dbl[2] = {0.5, 1};
    const char *strs[2] = {"a", "b"}, *with_null[2] = {"a", NULL};
    const int bools[2] = {0, 1};
    uint64_t g;
    char buf[64];
    EINVAL_(ctune_space_new(NULL));
    ctune_space_free(NULL);
    EINVAL_(ctune_space_parse(NULL, "a: 1"));
    EINVAL_(ctune_space_parse(&sp, NULL));
    ck_assert_ptr_null(sp);
    EINVAL_(ctune_space_copy(NULL, sp));
    EINVAL_(ctune_space_copy(&o, NULL));
    ck_assert_ptr_null(o);
    EINVAL_(ctune_space_add_text(NULL, "a: 1"));
    ck_assert_ok(ctune_space_new(&sp));
    EINVAL_(ctune_space_add_text(sp, NULL));
    EINVAL_(ctune_space_add_ints(NULL, "a", ints, 2));
    EINVAL_(ctune_space_add_ints(sp, NULL, ints, 2));
    EINVAL_(ctune_space_add_ints(sp, "a", NULL, 2));
    EINVAL_(ctune_space_add_doubles(NULL, "a", dbl, 2));
    EINVAL_(ctune_space_add_doubles(sp, NULL, dbl, 2));
    EINVAL_(ctune_space_add_doubles(sp, "a", NULL, 2));
    EINVAL_(ctune_space_add_strings(NULL, "a", strs, 2));
    EINVAL_(ctune_space_add_strings(sp, NULL, strs, 2));
    EINVAL_(ctune_space_add_strings(sp, "a", NULL, 2));
    EINVAL_(ctune_space_add_strings(sp, "a", with_null, 2));
    EINVAL_(ctune_space_add_bools(NULL, "a", bools, 2));
    EINVAL_(ctune_space_add_bools(sp, NULL, bools, 2));
    EINVAL_(ctune_space_add_bools(sp, "a", NULL, 2));
    EINVAL_(ctune_space_add_texts(NULL, "a", strs, 2));
    EINVAL_(ctune_space_add_texts(sp, NULL, strs, 2));
    EINVAL_(ctune_space_add_texts(sp, "a", NULL, 2));
    EINVAL_(ctune_space_add_texts(sp, "a", with_null, 2));
    EINVAL_(ctune_space_add_uniform(NULL, "a", 0, 1));
    EINVAL_(ctune_space_add_uniform(sp, NULL, 0, 1));
    EINVAL_(ctune_space_add_loguniform(NULL, "a", 1, 2));
    EINVAL_(ctune_space_add_loguniform(sp, NULL, 1, 2));
    EINVAL_(ctune_space_add_randint(NULL, "a", 0, 2));
    EINVAL_(ctune_space_add_randint(sp, NULL, 0, 2));
    ck_assert_uint_eq(ctune_space_count(sp), 0); /* every failure left it unchanged */
    ck_assert_uint_eq(ctune_space_count(NULL), 0);
    ck_assert_ptr_null(ctune_space_name(NULL, 0));
    ck_assert_ptr_null(ctune_space_name(sp, 0));
    EINVAL_(ctune_space_grid_size(&g, NULL));
    EINVAL_(ctune_space_grid_size(NULL, sp));
    ck_assert_int_lt(ctune_space_to_text(buf, sizeof buf, NULL), 0);
    ck_assert_int_lt(ctune_space_to_text(NULL, 8, sp), 0);
    EINVAL_(ctune_space_grid(NULL, sp));
    EINVAL_(ctune_space_grid(&c, NULL));
    ck_assert_ptr_null(c);
    EINVAL_(ctune_space_grid(&c, sp)); /* empty */
    EINVAL_(ctune_space_sample(NULL, sp, 1, 0));
    EINVAL_(ctune_space_sample(&c, NULL, 1, 0));
    EINVAL_(ctune_space_sample(&c, sp, 1, 0)); /* empty */
    ctune_candidates_free(NULL);
    ck_assert_uint_eq(ctune_candidates_count(NULL), 0);
    ck_assert_ptr_null(ctune_candidates_get(NULL, 0));
    ck_assert_ptr_null(ctune_candidates_warning(NULL));
    ctune_space_free(sp);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_null_cross_validate)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d = data12();
    ctune_estimator *t;
    ctune_cv_results *r = (ctune_cv_results *)1;
    double s[4];
    ck_assert_ok(ctune_decision_tree_classifier_new(&t));
    EINVAL_(ctune_cross_val_score(s, NULL, d, 2, NULL));
    EINVAL_(ctune_cross_val_score(s, t, NULL, 2, NULL));
    EINVAL_(ctune_cross_val_score(NULL, t, d, 2, NULL));
    EINVAL_(ctune_cross_val_score(s, t, d, 2, "nope"));
    ck_assert_error_has("nope");
    EINVAL_(ctune_cross_validate(NULL, t, d, NULL, 2, NULL));
    EINVAL_(ctune_cross_validate(&r, NULL, d, NULL, 2, NULL));
    ck_assert_ptr_null(r);
    EINVAL_(ctune_cross_validate(&r, t, NULL, NULL, 2, NULL));
    EINVAL_(ctune_cross_validate(&r, t, d, NULL, 2, "nope=1"));
    ctune_cv_results_free(NULL);
    ck_assert_uint_eq(ctune_cv_results_n_splits(NULL), 0);
    ck_assert_uint_eq(ctune_cv_results_n_columns(NULL), 0);
    ck_assert_ptr_null(ctune_cv_results_column_name(NULL, 0));
    EINVAL_(ctune_cv_results_column(s, NULL, "fit_time"));
    ck_assert_ptr_null(ctune_cv_results_error(NULL, 0));
    ck_assert_uint_eq(ctune_cv_results_n_warnings(NULL), 0);
    ck_assert_ptr_null(ctune_cv_results_warning(NULL, 0));
    ck_assert_ok(ctune_cross_validate(&r, t, d, NULL, 2, NULL));
    EINVAL_(ctune_cv_results_column(s, r, NULL));
    EINVAL_(ctune_cv_results_column(NULL, r, "fit_time"));
    EINVAL_(ctune_cv_results_column(s, r, "nope"));
    ck_assert_error_has("test_score");
    ck_assert_ptr_null(ctune_cv_results_column_name(r, 1000));
    ck_assert_ptr_null(ctune_cv_results_error(r, 1000));
    ctune_cv_results_free(r);
    ctune_estimator_free(t);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

static int progress_never(size_t c, size_t s, double v, double e, size_t done, size_t total,
                          void *user)
{
    (void)c, (void)s, (void)v, (void)e, (void)done, (void)total, (void)user;
    return 0;
}

START_TEST(test_null_search)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d = data12();
    ctune_estimator *t, *o = (ctune_estimator *)1;
    ctune_space *sp;
    ctune_search *s = (ctune_search *)1;
    ctune_splitter *kf;
    size_t i;
    double v;
    char buf[64];
    ck_assert_ok(ctune_decision_tree_classifier_new(&t));
    ck_assert_ok(ctune_space_parse(&sp, "max_depth: 1|2"));
    ck_assert_ok(ctune_kfold_new(&kf, 2, 0, 0));
    EINVAL_(ctune_search_new_randomized(NULL, t, sp, 1, 0));
    EINVAL_(ctune_search_new_randomized(&s, NULL, sp, 1, 0));
    ck_assert_ptr_null(s);
    EINVAL_(ctune_search_new_randomized(&s, t, NULL, 1, 0));
    EINVAL_(ctune_search_new_grid(NULL, t, sp));
    EINVAL_(ctune_search_new_grid(&s, NULL, sp));
    EINVAL_(ctune_search_new_grid(&s, t, NULL));
    ctune_search_free(NULL);
    EINVAL_(ctune_search_set_options(NULL, "cv=2"));
    EINVAL_(ctune_search_set_splitter(NULL, kf));
    EINVAL_(ctune_search_set_progress(NULL, progress_never, NULL));
    EINVAL_(ctune_search_fit(NULL, d));
    EINVAL_(ctune_search_fit_status(NULL));
    ck_assert_int_eq(ctune_search_has_results(NULL), 0);
    ck_assert_uint_eq(ctune_search_n_candidates(NULL), 0);
    ck_assert_uint_eq(ctune_search_n_splits(NULL), 0);
    ck_assert_uint_eq(ctune_search_n_tasks_done(NULL), 0);
    ck_assert_ptr_null(ctune_search_candidate_params(NULL, 0));
    EINVAL_(ctune_search_best_index(&i, NULL));
    EINVAL_(ctune_search_best_score(&v, NULL));
    ck_assert_ptr_null(ctune_search_best_params(NULL));
    ck_assert_ptr_null(ctune_search_best_estimator(NULL));
    EINVAL_(ctune_search_take_best_estimator(&o, NULL));
    ck_assert_double_eq(ctune_search_refit_time(NULL), 0);
    ck_assert_uint_eq(ctune_search_n_columns(NULL), 0);
    ck_assert_ptr_null(ctune_search_column_name(NULL, 0));
    EINVAL_(ctune_search_result(&v, NULL, "mean_test_score", 0));
    ck_assert_int_lt(ctune_search_result_text(buf, sizeof buf, NULL, "params", 0), 0);
    ck_assert_ptr_null(ctune_search_candidate_error(NULL, 0));
    ck_assert_uint_eq(ctune_search_n_warnings(NULL), 0);
    ck_assert_ptr_null(ctune_search_warning(NULL, 0));
    EINVAL_(ctune_search_results_csv(NULL, "x.csv"));
    EINVAL_(ctune_search_results_json(NULL, "x.json"));
    ck_assert_int_lt(ctune_search_results_csv_buf(buf, sizeof buf, NULL), 0);
    ck_assert_int_lt(ctune_search_results_json_buf(buf, sizeof buf, NULL), 0);
    /* on a fitted search: NULL outputs and names */
    ck_assert_ok(ctune_search_new_grid(&s, t, sp));
    EINVAL_(ctune_search_set_options(s, NULL));
    ck_assert_ok(ctune_search_set_splitter(s, kf));
    ck_assert_ok(ctune_search_set_splitter(s, NULL)); /* back to cv */
    ck_assert_ok(ctune_search_set_progress(s, NULL, NULL));
    ck_assert_ok(ctune_search_set_options(s, "cv=2"));
    EINVAL_(ctune_search_fit(s, NULL));
    ck_assert_ok(ctune_search_fit(s, d));
    EINVAL_(ctune_search_best_index(NULL, s));
    EINVAL_(ctune_search_best_score(NULL, s));
    EINVAL_(ctune_search_take_best_estimator(NULL, s));
    EINVAL_(ctune_search_result(&v, s, NULL, 0));
    EINVAL_(ctune_search_result(NULL, s, "mean_test_score", 0));
    EINVAL_(ctune_search_result(&v, s, "mean_test_score", 5));
    EINVAL_(ctune_search_result(&v, s, "nope", 0));
    ck_assert_error_has("mean_test_score");
    EINVAL_(ctune_search_result(&v, s, "params", 0)); /* a text column */
    ck_assert_int_lt(ctune_search_result_text(buf, sizeof buf, s, NULL, 0), 0);
    ck_assert_int_gt(ctune_search_result_text(NULL, 0, s, "params", 0), 0); /* size query */
    EINVAL_(ctune_search_results_csv(s, NULL));
    EINVAL_(ctune_search_results_json(s, NULL));
    ck_assert_ptr_null(ctune_search_candidate_params(s, 2));
    ck_assert_ptr_null(ctune_search_column_name(s, 100000));
    ck_assert_ptr_null(ctune_search_warning(s, 100000));
    ctune_search_free(s);
    ctune_splitter_free(kf);
    ctune_space_free(sp);
    ctune_estimator_free(t);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_null_load_like)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d = data12();
    ctune_estimator *e, *o = (ctune_estimator *)1;
    unsigned char buf[4096];
    size_t len;
    ck_assert_ok(ctune_keras_classifier_new(&e, misuse_build, NULL, NULL));
    ck_assert_ok(ctune_estimator_fit(e, d));
    len = ck_assert_len(ctune_estimator_save_buffer(buf, sizeof buf, e));
    EINVAL_(ctune_estimator_load_like(NULL, "x.model", e));
    EINVAL_(ctune_estimator_load_like(&o, NULL, e));
    ck_assert_ptr_null(o);
    EINVAL_(ctune_estimator_load_like(&o, "x.model", NULL));
    EINVAL_(ctune_estimator_load_like_buffer(NULL, buf, len, e));
    EINVAL_(ctune_estimator_load_like_buffer(&o, NULL, len, e));
    EINVAL_(ctune_estimator_load_like_buffer(&o, buf, len, NULL));
    /* a Keras-style model without its builder: a clear error */
    EINVAL_(ctune_estimator_load_buffer(&o, buf, len, NULL, NULL));
    ck_assert_error_has("ctune_estimator_load_like");
    ck_assert_ok(ctune_estimator_load_like_buffer(&o, buf, len, e));
    ctune_estimator_free(o);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_wrong_order_ml)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d = data12();
    double out[24], v;
    float w[8];
    size_t n;
    /* the NN engine */
    ctune_model *m;
    ck_assert_ok(ctune_model_new(&m));
    ck_assert_status(ctune_model_fit(m, d, 1, 4, NULL), CTUNE_ESTATE); /* no layers */
    ck_assert_error_has("no layers");
    ck_assert_status(ctune_model_build(m, 2), CTUNE_ESTATE);
    ck_assert_ok(ctune_model_add_dense(m, 2, "softmax", NULL));
    ck_assert_status(ctune_model_fit(m, d, 1, 4, NULL), CTUNE_ESTATE); /* not compiled */
    ck_assert_error_has("not compiled");
    ck_assert_status(ctune_model_predict(out, m, d), CTUNE_ESTATE); /* not built */
    ck_assert_error_has("not built");
    ck_assert_status(ctune_model_evaluate(&v, NULL, m, d), CTUNE_ESTATE);
    ck_assert_status(ctune_model_get_weights(w, m), CTUNE_ESTATE);
    ck_assert_status(ctune_model_history_value(&v, m, "loss", 0), CTUNE_EINVAL);
    ck_assert_ok(ctune_model_add_dropout(m, 0.5)); /* a Dropout last */
    ck_assert_ok(ctune_model_compile(m, "adam", "sparse_categorical_crossentropy", NULL));
    ck_assert_status(ctune_model_fit(m, d, 1, 4, NULL), CTUNE_ESTATE);
    ck_assert_error_has("Dropout");
    ctune_model_free(m);
    ck_assert_ok(ctune_model_new(&m));
    ck_assert_ok(ctune_model_add_dense(m, 2, "softmax", NULL));
    ck_assert_ok(ctune_model_compile(m, "adam", "sparse_categorical_crossentropy", NULL));
    ck_assert_ok(ctune_model_fit(m, d, 1, 4, NULL));
    ck_assert_status(ctune_model_add_dense(m, 2, "relu", NULL), CTUNE_ESTATE); /* built */
    ck_assert_status(ctune_model_add_dropout(m, 0.1), CTUNE_ESTATE);
    ck_assert_status(ctune_model_build(m, 3), CTUNE_ESTATE); /* another width */
    ck_assert_ok(ctune_model_fit(m, d, 1, 4, NULL));         /* fitting twice */
    ck_assert_ok(ctune_model_predict(out, m, d));
    ctune_model_free(m);
    /* estimators before fit */
    ctune_estimator *e[4];
    ck_assert_ok(ctune_mlp_classifier_new(&e[0]));
    ck_assert_ok(ctune_decision_tree_regressor_new(&e[1]));
    ck_assert_ok(ctune_standard_scaler_new(&e[2]));
    ck_assert_ok(ctune_pipeline_new(&e[3]));
    for (int k = 0; k < 4; k++) {
        ctune_status want = k == 2 ? CTUNE_ESTATE : CTUNE_ESTATE;
        ck_assert_status(k == 2 ? ctune_estimator_transform(out, e[k], d)
                                : ctune_estimator_predict(out, e[k], d),
                         want);
    }
    ck_assert_ptr_null(ctune_keras_model(e[0]));
    ck_assert_status(ctune_tree_depth(&n, e[1]), CTUNE_ESTATE);
    ck_assert_status(ctune_tree_node_value(out, e[1], 0), CTUNE_ESTATE);
    ck_assert_status(ctune_scaler_mean(out, e[2]), CTUNE_ESTATE);
    /* an empty pipeline does not fit; pipeline_step needs a fitted pipeline */
    ck_assert_status(ctune_estimator_fit(e[3], d), CTUNE_ESTATE);
    ck_assert_ok(ctune_pipeline_add_step(e[3], "scaler", e[2]));
    ck_assert_ok(ctune_pipeline_add_step(e[3], "tree", e[1]));
    const ctune_estimator *step;
    ck_assert_status(ctune_pipeline_step(&step, e[3], "tree"), CTUNE_ESTATE);
    /* nothing after the final estimator */
    ck_assert_status(ctune_pipeline_add_step(e[3], "more", e[2]), CTUNE_EINVAL);
    ck_assert_uint_eq(ctune_pipeline_n_steps(e[3]), 2);
    /* pipeline_step on a non-pipeline */
    ck_assert_ok(ctune_estimator_fit(e[1], d));
    ck_assert_status(ctune_pipeline_step(&step, e[1], "tree"), CTUNE_EINVAL);
    ck_assert_error_has("not a Pipeline");
    /* set_params drops a pipeline's fit, and its steps with it */
    ck_assert_ok(ctune_estimator_fit(e[3], d));
    ck_assert_ok(ctune_pipeline_step(&step, e[3], "tree"));
    ck_assert_ok(ctune_estimator_set_params_text(e[3], "tree__max_depth=1"));
    ck_assert_status(ctune_pipeline_step(&step, e[3], "tree"), CTUNE_ESTATE);
    for (int k = 0; k < 4; k++)
        ctune_estimator_free(e[k]);
    /* a search before fit */
    ctune_estimator *t;
    ctune_space *sp;
    ctune_search *s;
    ck_assert_ok(ctune_decision_tree_classifier_new(&t));
    ck_assert_ok(ctune_space_parse(&sp, "max_depth: 1|2"));
    ck_assert_ok(ctune_search_new_grid(&s, t, sp));
    ck_assert_status(ctune_search_fit_status(s), CTUNE_ESTATE);
    ck_assert_int_eq(ctune_search_has_results(s), 0);
    ck_assert_uint_eq(ctune_search_n_candidates(s), 2); /* known from creation */
    ck_assert_ptr_nonnull(ctune_search_candidate_params(s, 1));
    ck_assert_status(ctune_search_best_index(&n, s), CTUNE_ESTATE);
    ck_assert_status(ctune_search_best_score(&v, s), CTUNE_ESTATE);
    ck_assert_ptr_null(ctune_search_best_params(s));
    ck_assert_ptr_null(ctune_search_best_estimator(s));
    ctune_estimator *none = (ctune_estimator *)1;
    ck_assert_status(ctune_search_take_best_estimator(&none, s), CTUNE_ESTATE);
    ck_assert_ptr_null(none);
    ck_assert_status(ctune_search_result(&v, s, "mean_test_score", 0), CTUNE_ESTATE);
    ck_assert_int_eq(ctune_search_result_text((char *)out, 8, s, "params", 0), CTUNE_ESTATE);
    ck_assert_int_eq(ctune_search_results_csv_buf(NULL, 0, s), CTUNE_ESTATE);
    ck_assert_int_eq(ctune_search_results_json_buf(NULL, 0, s), CTUNE_ESTATE);
    ck_assert_status(ctune_search_results_csv(s, "never-written.csv"), CTUNE_ESTATE);
    ck_assert_uint_eq(ctune_search_n_columns(s), 0);
    ck_assert_ptr_null(ctune_search_column_name(s, 0));
    ck_assert_ptr_null(ctune_search_candidate_error(s, 0));
    ck_assert_double_eq(ctune_search_refit_time(s), 0);
    /* after fit: the best estimator can be taken once */
    ck_assert_ok(ctune_search_set_options(s, "cv=2"));
    ck_assert_ok(ctune_search_fit(s, d));
    ctune_estimator *best;
    ck_assert_ok(ctune_search_take_best_estimator(&best, s));
    ck_assert_status(ctune_search_take_best_estimator(&none, s), CTUNE_ESTATE);
    ck_assert_ptr_null(ctune_search_best_estimator(s));
    ck_assert_ok(ctune_estimator_predict(out, best, d));
    ctune_estimator_free(best);
    /* refit=false: no best estimator, the table is there */
    ck_assert_ok(ctune_search_set_options(s, "refit=false"));
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_ptr_null(ctune_search_best_estimator(s));
    ck_assert_int_gt(ctune_search_results_csv_buf(NULL, 0, s), 0);
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(t);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* Searches on independent handles from several threads at once (each
 * serial inside, one of them with its own worker pool): results equal to
 * the same search run alone. */
typedef struct search_job {
    int id;
    double scores[4];
    size_t best;
    int failures;
    char msg[256];
} search_job;

static void *search_worker(void *arg)
{
    search_job *j = arg;
    double X[40 * 2], y[40];
    for (int i = 0; i < 40; i++) {
        X[2 * i] = (double)((i * 7 + j->id) % 11) - 5;
        X[2 * i + 1] = (double)(i % 2) * 3 + 0.1 * (double)i;
        y[i] = i % 2 ? 4 : 9;
    }
    ctune_data *d = NULL;
    ctune_estimator *e = NULL;
    ctune_space *sp = NULL;
    ctune_search *s = NULL;
    char opts[64];
    int mlp = j->id % 2;
    int bad = ctune_data_new(&d, X, CTUNE_FLOAT64, 40, 2, 0, y, 1) != CTUNE_OK;
    bad |= (mlp ? ctune_mlp_classifier_new(&e) : ctune_decision_tree_classifier_new(&e)) !=
           CTUNE_OK;
    if (mlp)
        bad |= ctune_estimator_set_params_text(e, "epochs=2, batch_size=8, nn=3") != CTUNE_OK;
    bad |= ctune_space_parse(&sp, mlp ? "learning_rate: 0.001|0.01|0.1|0.3"
                                      : "max_depth: 1|2|3|none") != CTUNE_OK;
    bad |= ctune_search_new_randomized(&s, e, sp, 4, 11) != CTUNE_OK;
    snprintf(opts, sizeof opts, "cv=3, n_jobs=%d", j->id == 3 ? 2 : 1);
    bad |= ctune_search_set_options(s, opts) != CTUNE_OK;
    bad |= ctune_search_fit(s, d) != CTUNE_OK;
    for (size_t c = 0; !bad && c < 4; c++)
        bad |= ctune_search_result(&j->scores[c], s, "mean_test_score", c) != CTUNE_OK;
    bad |= ctune_search_best_index(&j->best, s) != CTUNE_OK;
    if (bad)
        snprintf(j->msg, sizeof j->msg, "%s", ctune_last_error());
    j->failures = bad;
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(e);
    ctune_data_free(d);
    return NULL;
}

START_TEST(test_threads_searches)
{
    int64_t live = ctune_alloc_live();
    search_job alone[THREADS], together[THREADS];
    for (int t = 0; t < THREADS; t++) {
        memset(&alone[t], 0, sizeof alone[t]);
        alone[t].id = t;
        search_worker(&alone[t]);
        ck_assert_msg(alone[t].failures == 0, "search %d: %s", t, alone[t].msg);
    }
    pthread_t th[THREADS];
    for (int t = 0; t < THREADS; t++) {
        memset(&together[t], 0, sizeof together[t]);
        together[t].id = t;
        ck_assert_int_eq(pthread_create(&th[t], NULL, search_worker, &together[t]), 0);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < THREADS; t++) {
        ck_assert_msg(together[t].failures == 0, "search %d: %s", t, together[t].msg);
        ck_assert_mem_eq(together[t].scores, alone[t].scores, sizeof alone[t].scores);
        ck_assert_uint_eq(together[t].best, alone[t].best);
    }
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
    tcase_add_test(tc, test_null_nn);
    tcase_add_test(tc, test_null_keras);
    tcase_add_test(tc, test_null_trees_scaler_pipeline);
    tcase_add_test(tc, test_null_splitters);
    tcase_add_test(tc, test_null_space);
    tcase_add_test(tc, test_null_cross_validate);
    tcase_add_test(tc, test_null_search);
    tcase_add_test(tc, test_null_load_like);
    tcase_add_test(tc, test_wrong_order_ml);
    tcase_add_test(tc, test_threads_searches);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
