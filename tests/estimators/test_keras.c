/* Check suite: KerasClassifier / KerasRegressor and the built-in MLP builder. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/data.h"
#include "estimator/estimator.h"
#include "testutil.h"

/* ---- a test builder that records what it saw ------------------------------ */

typedef struct probe {
    int calls;
    int64_t nn_seen;
    int64_t classes_seen;
    int fail;      /* 1: return CTUNE_EUSER with a message */
    int out_units; /* 0: n_classes_ softmax (or 1 sigmoid for 2) */
} probe;

static const ctune_param_spec PROBE_SPEC[] = {
    {"nn", CTUNE_TYPE_INT, "8", "[1, inf)", NULL, "hidden units"},
    {"activation", CTUNE_TYPE_STRING, "relu", NULL, NULL, "activation"},
    {"optimizer", CTUNE_TYPE_STRING, "adam", NULL, NULL, "optimizer"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

static ctune_status probe_build(const ctune_params *p, ctune_model *m, void *user)
{
    probe *pr = user;
    pr->calls++;
    if (pr->fail)
        return ctune_set_error(CTUNE_EUSER, "create_model: refusing nn=%d", 8);
    int64_t nn, k = 0;
    const char *act, *opt;
    ck_assert_ok(ctune_params_get_int(&nn, p, "nn"));
    ck_assert_ok(ctune_params_get_string(&act, p, "activation"));
    ck_assert_ok(ctune_params_get_string(&opt, p, "optimizer"));
    /* training params never reach the builder */
    ck_assert_int_eq(ctune_params_find(p, "epochs"), -1);
    ck_assert_int_eq(ctune_params_find(p, "batch_size"), -1);
    if (ctune_params_find(p, "n_classes_") >= 0)
        ck_assert_ok(ctune_params_get_int(&k, p, "n_classes_"));
    pr->nn_seen = nn;
    pr->classes_seen = k;
    ctune_status rc = ctune_model_add_dense(m, nn, act, NULL);
    if (rc != CTUNE_OK)
        return rc;
    if (pr->out_units > 0)
        rc = ctune_model_add_dense(m, pr->out_units, "softmax", NULL);
    else if (k == 2)
        rc = ctune_model_add_dense(m, 1, "sigmoid", NULL);
    else
        rc = ctune_model_add_dense(m, k, "softmax", NULL);
    if (rc != CTUNE_OK)
        return rc;
    return ctune_model_compile(m, opt,
                               k == 2 && pr->out_units == 0 ? "binary_crossentropy"
                                                            : "sparse_categorical_crossentropy",
                               "learning_rate=0.01, metrics=accuracy");
}

/* n rows of 2 features: 3 blobs; labels taken from `labels`. */
static void blobs(double *X, double *y, size_t n, size_t k, const double *labels)
{
    ctune_make_blobs(X, y, NULL, n, 2, k, 0.5, 7);
    for (size_t i = 0; i < n; i++)
        y[i] = labels[(size_t)y[i]];
}

START_TEST(test_routing_and_meta)
{
    probe pr = {0};
    ctune_estimator *e;
    ck_assert_ok(ctune_keras_classifier_new(&e, probe_build, PROBE_SPEC, &pr));
    ck_assert_str_eq(ctune_estimator_name(e), "KerasClassifier");
    ck_assert_ok(ctune_estimator_set_params_text(e, "epochs=4, batch_size=8, nn=5"));
    ck_assert_int_eq(pr.calls, 0); /* never at construction or set_params */
    double X[120 * 2], y[120];
    const double labels[3] = {0, 1, 2};
    blobs(X, y, 120, 3, labels);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 120, 2, 0, y, 1));
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_int_eq(pr.calls, 1);
    ck_assert_int_eq(pr.nn_seen, 5);
    ck_assert_int_eq(pr.classes_seen, 3);
    const ctune_model *m = ctune_keras_model(e);
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(ctune_model_history_len(m), 4); /* epochs reached training */

    /* batch_size reached training: same as fitting the model by hand */
    double pa[120 * 3], pb[120 * 3];
    ck_assert_ok(ctune_estimator_predict_proba(pa, e, d));
    ck_assert_ok(ctune_estimator_set_params_text(e, "batch_size=120"));
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_ok(ctune_estimator_predict_proba(pb, e, d));
    int differ = 0;
    for (int i = 0; i < 360; i++)
        differ |= pa[i] != pb[i];
    ck_assert_msg(differ, "batch_size did not change training");

    /* clone never calls the builder */
    ctune_estimator *c;
    ck_assert_ok(ctune_estimator_clone(&c, e));
    ck_assert_int_eq(pr.calls, 2);
    ck_assert_int_eq(
        ctune_params_equal(ctune_estimator_get_params(c), ctune_estimator_get_params(e)), 1);
    ck_assert_ptr_null(ctune_keras_model(c));
    ctune_estimator_free(c);
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_unknown_and_colliding_names)
{
    probe pr = {0};
    ctune_estimator *e;
    ck_assert_ok(ctune_keras_classifier_new(&e, probe_build, PROBE_SPEC, &pr));
    ck_assert_status(ctune_estimator_set_params_text(e, "nnn=3"), CTUNE_EINVAL);
    ck_assert_error_has("unknown parameter 'nnn' for KerasClassifier; known: epochs, batch_size");
    ck_assert_error_has("nn, activation, optimizer");
    ck_assert_status(ctune_estimator_set_params_text(e, "epochs=-1"), CTUNE_EINVAL);
    ck_assert_error_has("'epochs'");
    ctune_estimator_free(e);

    static const ctune_param_spec BAD[] = {
        {"batch_size", CTUNE_TYPE_INT, "3", NULL, NULL, "collides"},
        {NULL, 0, NULL, NULL, NULL, NULL},
    };
    e = (ctune_estimator *)1;
    ck_assert_status(ctune_keras_classifier_new(&e, probe_build, BAD, &pr), CTUNE_EINVAL);
    ck_assert_ptr_null(e);
    ck_assert_error_has("builder parameter 'batch_size' collides with the training parameter");
    static const ctune_param_spec META[] = {
        {"n_classes_", CTUNE_TYPE_INT, "3", NULL, NULL, "reserved"},
        {NULL, 0, NULL, NULL, NULL, NULL},
    };
    ck_assert_status(ctune_keras_regressor_new(&e, probe_build, META, &pr), CTUNE_EINVAL);
    ck_assert_status(ctune_keras_classifier_new(&e, NULL, PROBE_SPEC, &pr), CTUNE_EINVAL);
}
END_TEST

START_TEST(test_builder_error_propagates)
{
    probe pr = {.fail = 1};
    ctune_estimator *e;
    ck_assert_ok(ctune_keras_classifier_new(&e, probe_build, PROBE_SPEC, &pr));
    double X[40 * 2], y[40];
    const double labels[2] = {0, 1};
    blobs(X, y, 40, 2, labels);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 40, 2, 0, y, 1));
    ck_assert_status(ctune_estimator_fit(e, d), CTUNE_EUSER);
    ck_assert_error_has("create_model: refusing nn=8");
    ck_assert_int_eq(ctune_estimator_is_fitted(e), 0);
    /* an output layer that does not match the classes names both numbers */
    pr.fail = 0;
    pr.out_units = 3;
    ck_assert_status(ctune_estimator_fit(e, d), CTUNE_EDATA);
    ck_assert_error_has("output layer has 3 units but the data has 2 classes");
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_labels_3_7_and_proba)
{
    probe pr = {0};
    ctune_estimator *e;
    ck_assert_ok(ctune_keras_classifier_new(&e, probe_build, PROBE_SPEC, &pr));
    ck_assert_ok(ctune_estimator_set_params_text(e, "epochs=30, batch_size=8, seed=3"));
    double X[80 * 2], y[80];
    const double labels[2] = {3, 7};
    blobs(X, y, 80, 2, labels);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 80, 2, 0, y, 1));
    ck_assert_ok(ctune_estimator_fit(e, d));
    double pred[80], proba[160], acc;
    ck_assert_ok(ctune_estimator_predict(pred, e, d));
    for (int i = 0; i < 80; i++)
        ck_assert(pred[i] == 3 || pred[i] == 7);
    ck_assert_ok(ctune_estimator_predict_proba(proba, e, d));
    for (int i = 0; i < 80; i++) {
        ck_assert_double_eq_tol(proba[2 * i] + proba[2 * i + 1], 1.0, 1e-9);
        ck_assert(proba[2 * i] >= 0 && proba[2 * i + 1] >= 0);
        ck_assert_double_eq(pred[i], proba[2 * i + 1] > proba[2 * i] ? 7 : 3);
    }
    ck_assert_ok(ctune_estimator_score(&acc, e, d));
    ck_assert_double_ge(acc, 0.95);
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_mlp_multiclass_and_determinism)
{
    ctune_estimator *e;
    ck_assert_ok(ctune_mlp_classifier_new(&e));
    ck_assert_str_eq(ctune_estimator_name(e), "MLPClassifier");
    ck_assert_ok(ctune_estimator_set_params_text(e, "epochs=20, batch_size=16, nn=16, seed=5, "
                                                    "learning_rate=0.01"));
    double X[150 * 2], y[150];
    const double labels[3] = {-1, 4, 9};
    blobs(X, y, 150, 3, labels);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 150, 2, 0, y, 1));
    ck_assert_ok(ctune_estimator_fit(e, d));
    double p1[450], p2[450], acc;
    ck_assert_ok(ctune_estimator_predict_proba(p1, e, d));
    for (int i = 0; i < 150; i++)
        ck_assert_double_eq_tol(p1[3 * i] + p1[3 * i + 1] + p1[3 * i + 2], 1.0, 1e-6);
    ck_assert_ok(ctune_estimator_score(&acc, e, d));
    ck_assert_double_ge(acc, 0.9);
    /* same seed, same predictions */
    ctune_estimator *c;
    ck_assert_ok(ctune_estimator_clone(&c, e));
    ck_assert_ok(ctune_estimator_fit(c, d));
    ck_assert_ok(ctune_estimator_predict_proba(p2, c, d));
    ck_assert_mem_eq(p1, p2, sizeof p1);
    /* task streams (as a search derives them) give full 64-bit seeds */
    for (uint64_t stream = 1; stream < 6; stream++)
        ck_assert_ok(ctune_estimator_fit_task(c, d, 1, ctune_seed_derive(stream, 99)));
    ctune_estimator_free(c);
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

/* A fit on a fold (a view of some rows) copies them to float32 into the
 * worker's scratch block when its fit context has one: the same block
 * from one fit to the next, given back after each, and the same model
 * as a fit that allocates its own copy. A block held by another fit is
 * left alone (the fit allocates its own). */
START_TEST(test_fold_copy_in_worker_scratch)
{
    int64_t live = ctune_alloc_live();
    double X[150 * 2], y[150];
    const double labels[3] = {-1, 4, 9};
    blobs(X, y, 150, 3, labels);
    ctune_data *d, *fold;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 150, 2, 0, y, 1));
    size_t rows[100];
    for (size_t i = 0; i < 100; i++)
        rows[i] = (i * 7) % 150;
    ck_assert_ok(ctune_data_subset(&fold, d, rows, 100));
    ctune__scratch sc = {0};
    double ref[450], got[450];
    for (int round = 0; round < 4; round++) {
        ctune_estimator *e;
        ck_assert_ok(ctune_mlp_classifier_new(&e));
        ck_assert_ok(ctune_estimator_set_params_text(e, "epochs=5, batch_size=16, nn=8, seed=3"));
        ctune_fit_ctx ctx;
        ctune__fit_ctx_init(&ctx);
        ctx.has_stream = 1;
        ctx.stream = 11;
        ctx.scratch = round == 0 ? NULL : &sc;
        void *before = sc.p;
        if (round == 3)
            sc.busy = 1; /* another fit holds it */
        ck_assert_ok(ctune__estimator_fit_ctx(e, fold, &ctx));
        ck_assert_ok(ctune_estimator_predict_proba(round ? got : ref, e, d));
        if (round)
            ck_assert_mem_eq(got, ref, sizeof ref);
        if (round == 1)
            ck_assert_uint_ge(sc.cap, 100 * 2 * sizeof(float) + 100 * sizeof(double));
        if (round == 2)
            ck_assert_ptr_eq(sc.p, before); /* reused, not reallocated */
        ck_assert_int_eq(sc.busy, round == 3);
        ctune_estimator_free(e);
    }
    sc.busy = 0;
    ctune__scratch_free(&sc);
    ctune_data_free(fold);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* A fit on a fold that carries its search's class table (a Pipeline of a
 * scaler and an MLP, and a tree) gives the model of the same fit without
 * it: same classes, same predictions, bit for bit. */
START_TEST(test_fold_with_class_table)
{
    int64_t live = ctune_alloc_live();
    double X[150 * 2], y[150];
    const double labels[3] = {-1, 4, 9};
    blobs(X, y, 150, 3, labels);
    ctune_data *d, *fold[2];
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 150, 2, 0, y, 1));
    size_t rows[100];
    for (size_t i = 0; i < 100; i++)
        rows[i] = (i * 7) % 150;
    ck_assert_ok(ctune_data_subset(&fold[0], d, rows, 100));
    ck_assert_ok(ctune_data_subset(&fold[1], d, rows, 100));
    ctune__class_table *t;
    ck_assert_ok(ctune__class_table_new(&t, d));
    ctune__data_set_class_table(fold[1], t);
    ctune__class_table_release(t);
    for (int kind = 0; kind < 2; kind++) {
        double p[2][450], c[2][3];
        for (int w = 0; w < 2; w++) {
            ctune_estimator *e;
            if (kind == 0) {
                ctune_estimator *sc, *mlp;
                ck_assert_ok(ctune_pipeline_new(&e));
                ck_assert_ok(ctune_standard_scaler_new(&sc));
                ck_assert_ok(ctune_mlp_classifier_new(&mlp));
                ck_assert_ok(ctune_estimator_set_params_text(mlp, "epochs=5, batch_size=16, nn=8"));
                ck_assert_ok(ctune_pipeline_add_step(e, "scale", sc));
                ck_assert_ok(ctune_pipeline_add_step(e, "mlp", mlp));
                ctune_estimator_free(sc);
                ctune_estimator_free(mlp);
            } else {
                ck_assert_ok(ctune_decision_tree_classifier_new(&e));
            }
            ctune_fit_ctx ctx;
            ctune__fit_ctx_init(&ctx);
            ctx.has_stream = 1;
            ctx.stream = 5;
            ck_assert_ok(ctune__estimator_fit_ctx(e, fold[w], &ctx));
            ck_assert_uint_eq(ctune_estimator_n_classes(e), 3);
            ck_assert_ok(ctune_estimator_classes(c[w], e));
            ck_assert_ok(ctune_estimator_predict_proba(p[w], e, d));
            ctune_estimator_free(e);
        }
        ck_assert_mem_eq(c[0], c[1], sizeof c[0]);
        ck_assert_mem_eq(p[0], p[1], sizeof p[0]);
    }
    ctune_data_free(fold[0]);
    ctune_data_free(fold[1]);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* Without learning_rate the MLP builder leaves each optimizer its Keras
 * default (keras/src/optimizers: SGD 0.01, Adam 0.001): the fits match
 * those with the value set, and not those with the other one. */
static void mlp_proba(const char *params, const ctune_data *d, double *p)
{
    ctune_estimator *e;
    ck_assert_ok(ctune_mlp_classifier_new(&e));
    ck_assert_ok(ctune_estimator_set_params_text(e, params));
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_ok(ctune_estimator_predict_proba(p, e, d));
    ctune_estimator_free(e);
}

START_TEST(test_mlp_learning_rate_keras_defaults)
{
    double X[60 * 2], y[60];
    const double labels[3] = {0, 1, 2};
    blobs(X, y, 60, 3, labels);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 60, 2, 0, y, 1));
    static const struct {
        const char *opt;
        double keras, other;
    } cases[] = {{"sgd", 0.01, 0.001}, {"adam", 0.001, 0.01}, {"rmsprop", 0.001, 0.01}};
    for (size_t c = 0; c < 3; c++) {
        char base[96], with[160];
        double p0[180], p1[180], p2[180];
        snprintf(base, sizeof base, "epochs=3, batch_size=8, seed=4, optimizer=%s", cases[c].opt);
        mlp_proba(base, d, p0);
        snprintf(with, sizeof with, "%s, learning_rate=%g", base, cases[c].keras);
        mlp_proba(with, d, p1);
        snprintf(with, sizeof with, "%s, learning_rate=%g", base, cases[c].other);
        mlp_proba(with, d, p2);
        ck_assert_msg(memcmp(p0, p1, sizeof p0) == 0, "%s: not its Keras default", cases[c].opt);
        ck_assert_msg(memcmp(p0, p2, sizeof p0) != 0, "%s", cases[c].opt);
    }
    /* none is the default, explicitly */
    double pn[180], pd[180];
    mlp_proba("epochs=2, seed=4, optimizer=sgd, learning_rate=none", d, pn);
    mlp_proba("epochs=2, seed=4, optimizer=sgd", d, pd);
    ck_assert_mem_eq(pn, pd, sizeof pn);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_mlp_regressor_r2)
{
    ctune_estimator *e;
    ck_assert_ok(ctune_mlp_regressor_new(&e));
    ck_assert_int_eq(ctune_estimator_kind(e), CTUNE_REGRESSOR);
    ck_assert_ok(ctune_estimator_set_params_text(e, "epochs=60, batch_size=16, nn=32, "
                                                    "learning_rate=0.01"));
    enum { N = 200, D = 3 };
    double X[N * D], y[N];
    ck_assert_ok(ctune_make_regression(X, y, NULL, N, D, D, 0.0, 11));
    double sd = 0, mean = 0;
    for (int i = 0; i < N; i++)
        mean += y[i] / N;
    for (int i = 0; i < N; i++)
        sd += (y[i] - mean) * (y[i] - mean) / N;
    for (int i = 0; i < N; i++)
        y[i] = (y[i] - mean) / sqrt(sd);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, N, D, 0, y, 1));
    ck_assert_ok(ctune_estimator_fit(e, d));
    double r2;
    ck_assert_ok(ctune_estimator_score(&r2, e, d));
    ck_assert_double_ge(r2, 0.9);
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_breast_cancer_cv_accuracy)
{
    /* adam/relu, nl=1, nn=16, epochs=20, batch_size=16 on standardized data:
     * 3-fold CV accuracy >= 0.95 (folds by hand: rows i % 3). */
    double *X, *y;
    size_t n, d;
    ck_assert_int_eq(ctu_load_csv(ctu_data_path("breast_cancer.csv"), &X, &y, &n, &d), 0);
    ctu_standardize(X, n, d);
    ctune_data *all;
    ck_assert_ok(ctune_data_new(&all, X, CTUNE_FLOAT64, n, d, 0, y, 1));
    ctune_estimator *e;
    ck_assert_ok(ctune_mlp_classifier_new(&e));
    ck_assert_ok(ctune_estimator_set_params_text(e, "optimizer=adam, activation=relu, nl=1, nn=16, "
                                                    "epochs=20, batch_size=16"));
    double total = 0;
    size_t *tr = malloc(n * sizeof *tr), *te = malloc(n * sizeof *te);
    for (size_t f = 0; f < 3; f++) {
        size_t ntr = 0, nte = 0;
        for (size_t i = 0; i < n; i++)
            if (i % 3 == f)
                te[nte++] = i;
            else
                tr[ntr++] = i;
        ctune_data *dtr, *dte;
        ck_assert_ok(ctune_data_subset(&dtr, all, tr, ntr));
        ck_assert_ok(ctune_data_subset(&dte, all, te, nte));
        double acc;
        ck_assert_ok(ctune_estimator_fit(e, dtr));
        ck_assert_ok(ctune_estimator_score(&acc, e, dte));
        total += acc / 3;
        ctune_data_free(dtr);
        ctune_data_free(dte);
    }
    ck_assert_msg(total >= 0.95, "3-fold accuracy %.4f < 0.95", total);
    free(tr);
    free(te);
    ctune_estimator_free(e);
    ctune_data_free(all);
    free(X);
    free(y);
}
END_TEST

START_TEST(test_conformance)
{
    ctune_estimator *e;
    char report[4096];
    int failed = -1;
    ck_assert_ok(ctune_mlp_classifier_new(&e));
    ck_assert_ok(ctune_estimator_set_params_text(e, "epochs=3, batch_size=8"));
    ck_assert_len(ctune_check_estimator(report, sizeof report, &failed, e, NULL));
    ck_assert_msg(failed == 0, "MLPClassifier: %d check(s) failed:\n%s", failed, report);
    ctune_estimator_free(e);
    ck_assert_ok(ctune_mlp_regressor_new(&e));
    ck_assert_ok(ctune_estimator_set_params_text(e, "epochs=3, batch_size=8"));
    ck_assert_len(ctune_check_estimator(report, sizeof report, &failed, e, NULL));
    ck_assert_msg(failed == 0, "MLPRegressor: %d check(s) failed:\n%s", failed, report);
    ctune_estimator_free(e);
    probe pr = {0};
    ck_assert_ok(ctune_keras_classifier_new(&e, probe_build, PROBE_SPEC, &pr));
    ck_assert_ok(ctune_estimator_set_params_text(e, "epochs=2"));
    ck_assert_len(ctune_check_estimator(report, sizeof report, &failed, e, "skip=concurrency"));
    ck_assert_msg(failed == 0, "KerasClassifier: %d check(s) failed:\n%s", failed, report);
    ctune_estimator_free(e);
}
END_TEST

START_TEST(test_alloc_failure_sweep_fit)
{
    double X[40 * 2], y[40];
    const double labels[2] = {0, 1};
    blobs(X, y, 40, 2, labels);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 40, 2, 0, y, 1));
    int64_t live = ctune_alloc_live();
    for (int k = 1; k < 2000; k++) {
        ctune_estimator *e = NULL;
        ctune_alloc_fail_at(k, 0);
        ctune_status rc = ctune_mlp_classifier_new(&e);
        if (rc == CTUNE_OK)
            rc = ctune_estimator_set_params_text(e, "epochs=2, batch_size=8");
        if (rc == CTUNE_OK)
            rc = ctune_estimator_fit(e, d);
        ctune_alloc_fail_at(0, 0);
        if (rc != CTUNE_OK) {
            ck_assert_msg(rc == CTUNE_ENOMEM, "step %d: %d %s", k, rc, ctune_last_error());
        }
        ctune_estimator_free(e);
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
    Suite *s = suite_create("keras");
    TCase *tc = tcase_create("keras");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_routing_and_meta);
    tcase_add_test(tc, test_mlp_learning_rate_keras_defaults);
    tcase_add_test(tc, test_unknown_and_colliding_names);
    tcase_add_test(tc, test_builder_error_propagates);
    tcase_add_test(tc, test_labels_3_7_and_proba);
    tcase_add_test(tc, test_mlp_multiclass_and_determinism);
    tcase_add_test(tc, test_fold_copy_in_worker_scratch);
    tcase_add_test(tc, test_fold_with_class_table);
    tcase_add_test(tc, test_mlp_regressor_r2);
    tcase_add_test(tc, test_breast_cancer_cv_accuracy);
    tcase_add_test(tc, test_conformance);
    tcase_add_test(tc, test_alloc_failure_sweep_fit);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
