/* Allocation-failure sweeps over every public entry point that allocates:
 * data views, CSV (buffer and file), datasets, params, both Dummy
 * estimators (create, set_params, clone, fit, predict, predict_proba,
 * score), every scorer, persistence (buffer and file) and the conformance
 * kit. Each case makes the 1st, 2nd, ... allocation fail until the call
 * succeeds (see sweep.h); the counts go to stderr ("sweep NAME: N steps"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sweep.h"
#include "testutil.h"

#define N 24 /* rows of the generated data */
#define D 3  /* features */
#define MAX_STEPS 20000
#define KIND_CODES 9 /* ctx.kind of the NN engine cases: y holds codes 0, 1, 2 */

typedef struct ctx {
    int kind;         /* CTUNE_CLASSIFIER or CTUNE_REGRESSOR */
    const char *text; /* params text, options, scorer, dataset name... */
    double X[N * D], y[N];
    ctune_data *d;       /* input data (setup) */
    ctune_data *od;      /* data made by the call */
    ctune_estimator *e;  /* input estimator (setup) */
    ctune_estimator *oe; /* estimator made by the call */
    ctune_params *p, *op;
    unsigned char *buf;
    size_t len;
    double out[N * 4];
    double score;
    char path[256];
    char report[2048];
    int n_failed;
    int est;            /* EST_* below: which estimator make_est builds */
    ctune_params *snap; /* params before set_params */
    ctune_model *m, *om;
    ctune_space *sp, *osp;
    ctune_candidates *cands;
    ctune_splitter *spl, *ospl;
    ctune_splits *splits;
    ctune_cv_results *cvr;
    ctune_search *srch, *osrch;
    ctune_data *tr, *te;
} ctx;

/* Estimators the sweeps build (sweep_case.est). */
enum { EST_DUMMY, EST_MLP, EST_KERAS, EST_TREE, EST_SCALER, EST_PIPE, EST_PIPE_MLP };

static void fill(ctx *c)
{
    for (size_t i = 0; i < N; i++) {
        for (size_t j = 0; j < D; j++)
            c->X[i * D + j] = (double)((i * 7 + j * 3) % 11) - 5.0 + 0.25 * (double)j;
        if (c->kind == KIND_CODES) /* class codes 0..2 for the NN engine */
            c->y[i] = (double)(i % 3);
        else
            c->y[i] = c->kind == CTUNE_REGRESSOR ? 0.5 * (double)i - 3.0
                                                 : (double)(i % 3 == 0 ? 4 : 9);
    }
}

static ctune_data *make_data(ctx *c)
{
    ctune_data *d;
    fill(c);
    ck_assert_ok(ctune_data_new(&d, c->X, CTUNE_FLOAT64, N, D, 0, c->y, 1));
    return d;
}

#define TRY(x)                  \
    do {                        \
        ctune_status rc_ = (x); \
        if (rc_ != CTUNE_OK)    \
            return rc_;         \
    } while (0)

/* A Keras-style builder for the sweeps: one hidden tanh layer of `units`
 * units with dropout, the output layer the task needs, adam. */
static const ctune_param_spec KERAS_SPEC[] = {
    {"units", CTUNE_TYPE_INT, "4", "[1, inf)", NULL, "hidden units"},
    {"lr", CTUNE_TYPE_DOUBLE, "0.01", "(0, 1)", NULL, "learning rate"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

static ctune_status keras_build(const ctune_params *p, ctune_model *m, void *user)
{
    (void)user;
    int64_t units, k = 0, t = 1;
    double lr;
    char opts[64];
    TRY(ctune_params_get_int(&units, p, "units"));
    TRY(ctune_params_get_double(&lr, p, "lr"));
    if (ctune_params_find(p, "n_classes_") >= 0)
        TRY(ctune_params_get_int(&k, p, "n_classes_"));
    TRY(ctune_params_get_int(&t, p, "n_outputs_"));
    TRY(ctune_model_add_dense(m, units, "tanh", "kernel_initializer=he_uniform"));
    TRY(ctune_model_add_dropout(m, 0.1));
    const char *loss;
    if (k == 2) {
        TRY(ctune_model_add_dense(m, 1, "sigmoid", NULL));
        loss = "binary_crossentropy";
    } else if (k > 2) {
        TRY(ctune_model_add_dense(m, k, "softmax", NULL));
        loss = "sparse_categorical_crossentropy";
    } else {
        TRY(ctune_model_add_dense(m, t, "linear", NULL));
        loss = "mse";
    }
    snprintf(opts, sizeof opts, "learning_rate=%g, metrics=accuracy", lr);
    return ctune_model_compile(m, "adam", loss, k ? opts : "learning_rate=0.01");
}

/* Short training for the NN estimators: the sweeps repeat every fit
 * hundreds of times. */
#define NN_PARAMS "epochs=2, batch_size=8, seed=3"

static ctune_estimator *make_est(ctx *c, int fitted)
{
    ctune_estimator *e = NULL, *s = NULL, *t = NULL;
    int reg = c->kind == CTUNE_REGRESSOR;
    switch (c->est) {
    case EST_DUMMY:
        ck_assert_ok(reg ? ctune_dummy_regressor_new(&e) : ctune_dummy_classifier_new(&e));
        break;
    case EST_MLP:
        ck_assert_ok(reg ? ctune_mlp_regressor_new(&e) : ctune_mlp_classifier_new(&e));
        ck_assert_ok(ctune_estimator_set_params_text(e, NN_PARAMS ", nn=4"));
        break;
    case EST_KERAS:
        ck_assert_ok(reg ? ctune_keras_regressor_new(&e, keras_build, KERAS_SPEC, NULL)
                         : ctune_keras_classifier_new(&e, keras_build, KERAS_SPEC, NULL));
        ck_assert_ok(ctune_estimator_set_params_text(e, NN_PARAMS));
        break;
    case EST_TREE:
        ck_assert_ok(reg ? ctune_decision_tree_regressor_new(&e)
                         : ctune_decision_tree_classifier_new(&e));
        ck_assert_ok(ctune_estimator_set_params_text(e, "max_depth=4"));
        break;
    case EST_SCALER: ck_assert_ok(ctune_standard_scaler_new(&e)); break;
    case EST_PIPE:
    case EST_PIPE_MLP:
        ck_assert_ok(ctune_pipeline_new(&e));
        ck_assert_ok(ctune_standard_scaler_new(&s));
        if (c->est == EST_PIPE_MLP) {
            ck_assert_ok(reg ? ctune_mlp_regressor_new(&t) : ctune_mlp_classifier_new(&t));
            ck_assert_ok(ctune_estimator_set_params_text(t, NN_PARAMS ", nn=3"));
        } else {
            ck_assert_ok(reg ? ctune_decision_tree_regressor_new(&t)
                             : ctune_decision_tree_classifier_new(&t));
        }
        ck_assert_ok(ctune_pipeline_add_step(e, "scaler", s));
        ck_assert_ok(ctune_pipeline_add_step(e, "model", t));
        ctune_estimator_free(s);
        ctune_estimator_free(t);
        break;
    default: ck_abort_msg("unknown estimator %d", c->est);
    }
    if (fitted) {
        ck_assert_ptr_nonnull(c->d);
        ck_assert_ok(ctune_estimator_fit(e, c->d));
    }
    return e;
}

/* What the estimator outputs per row: predict's targets, or transform's
 * columns for a transformer. */
static ctune_status outputs(ctune_estimator *e, const ctune_data *d, double *out)
{
    if (ctune_estimator_kind(e) == CTUNE_TRANSFORMER)
        return ctune_estimator_transform(out, e, d);
    return ctune_estimator_predict(out, e, d);
}

/* The estimator still works: refits and predicts finite values. */
static void assert_usable(ctx *c, ctune_estimator *e)
{
    ck_assert_ptr_nonnull(e);
    ck_assert_ok(ctune_estimator_fit(e, c->d));
    ck_assert_ok(outputs(e, c->d, c->out));
    for (size_t i = 0; i < N; i++)
        ck_assert(isfinite(c->out[i]));
}

static void free_all(void *vc)
{
    ctx *c = vc;
    ctune_estimator_free(c->oe);
    ctune_estimator_free(c->e);
    ctune_data_free(c->od);
    ctune_data_free(c->d);
    ctune_data_free(c->tr);
    ctune_data_free(c->te);
    ctune_params_free(c->op);
    ctune_params_free(c->p);
    ctune_params_free(c->snap);
    ctune_model_free(c->m);
    ctune_model_free(c->om);
    ctune_space_free(c->sp);
    ctune_space_free(c->osp);
    ctune_candidates_free(c->cands);
    ctune_splitter_free(c->spl);
    ctune_splitter_free(c->ospl);
    ctune_splits_free(c->splits);
    ctune_cv_results_free(c->cvr);
    ctune_search_free(c->srch);
    ctune_search_free(c->osrch);
    free(c->buf);
    c->oe = c->e = NULL;
    c->od = c->d = c->tr = c->te = NULL;
    c->op = c->p = c->snap = NULL;
    c->m = c->om = NULL;
    c->sp = c->osp = NULL;
    c->cands = NULL;
    c->spl = c->ospl = NULL;
    c->splits = NULL;
    c->cvr = NULL;
    c->srch = c->osrch = NULL;
    c->buf = NULL;
}

/* ---- data views ----------------------------------------------------------- */

static ctune_status call_data_new(void *vc)
{
    ctx *c = vc;
    fill(c);
    return ctune_data_new(&c->od, c->X, CTUNE_FLOAT64, N, D, 0, c->y, 1);
}

static void after_data(void *vc, ctune_status rc)
{
    ctx *c = vc;
    if (rc == CTUNE_OK) {
        ck_assert_ptr_nonnull(c->od);
        ck_assert_int_gt(ctune_data_n_rows(c->od), 0);
    } else {
        ck_assert_ptr_null(c->od);
    }
    ctune_data_free(c->od);
    c->od = NULL;
    /* the source view, when there is one, is intact */
    if (c->d)
        ck_assert_ok(ctune_data_validate(c->d));
}

static void setup_data(void *vc)
{
    ctx *c = vc;
    c->d = make_data(c);
}

static ctune_status call_data_subset(void *vc)
{
    ctx *c = vc;
    size_t rows[5] = {4, 0, 4, 23, 7};
    return ctune_data_subset(&c->od, c->d, rows, 5);
}

static void setup_nested(void *vc)
{
    ctx *c = vc;
    ctune_data *base = make_data(c);
    size_t rows[8] = {1, 3, 5, 7, 9, 11, 13, 15};
    ck_assert_ok(ctune_data_subset(&c->d, base, rows, 8));
    ctune_data_free(base); /* the subset keeps the storage alive */
}

static ctune_status call_data_subset_nested(void *vc)
{
    ctx *c = vc;
    size_t rows[3] = {7, 0, 2};
    return ctune_data_subset(&c->od, c->d, rows, 3);
}

static ctune_status call_rng_new(void *vc)
{
    (void)vc;
    ctune_rng *r;
    ctune_status rc = ctune_rng_new(&r, 42, 7);
    if (rc == CTUNE_OK) {
        ctune_rng_u64(r);
        ctune_rng_free(r);
    }
    return rc;
}

/* ---- CSV and datasets ------------------------------------------------------- */

static const char CSV_TEXT[] = "\xEF\xBB\xBF# a comment\n"
                               "width,\"height\",species\r\n"
                               "1.5,2,setosa\r\n"
                               "\"3.25\",4e-1,versicolor\n"
                               "\n"
                               "-5,6,\"virginica\"\n"
                               "7,  8 ,setosa\n";

static ctune_status call_csv_buffer(void *vc)
{
    ctx *c = vc;
    return ctune_csv_load_buffer(&c->od, CSV_TEXT, sizeof CSV_TEXT - 1, c->text);
}

static ctune_status call_csv_file(void *vc)
{
    ctx *c = vc;
    return ctune_csv_load(&c->od, ctu_data_path("iris.csv"), c->text);
}

static ctune_status call_dataset(void *vc)
{
    ctx *c = vc;
    return ctune_dataset_load(&c->od, c->text, "dtype=float32");
}

/* ---- params ------------------------------------------------------------------- */

static const ctune_param_spec SPEC[] = {
    {"strategy", CTUNE_TYPE_STRING, "prior", NULL, "prior|uniform", "a choice"},
    {"nn", CTUNE_TYPE_INT, "16", "[1, inf)", NULL, "an int"},
    {"lr", CTUNE_TYPE_DOUBLE, "0.001", "(0, 1)", NULL, "a double"},
    {"flag", CTUNE_TYPE_BOOL, "true", NULL, NULL, "a bool"},
    {"depth", CTUNE_TYPE_INT | CTUNE_TYPE_NONE, "none", NULL, NULL, "int or none"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

static void setup_params(void *vc)
{
    ctx *c = vc;
    ck_assert_ok(ctune_params_from_spec(&c->p, SPEC));
}

static ctune_status call_params_parse(void *vc)
{
    ctx *c = vc;
    return ctune_params_parse(c->p, "nn=64, lr=0.01; name='quoted, text'\n extra_1=none, "
                                    "b=TRUE, s=plain text, big=123456789012");
}

static void after_params_parse(void *vc, ctune_status rc)
{
    ctx *c = vc;
    int64_t nn;
    ck_assert_ok(ctune_params_get_int(&nn, c->p, "nn"));
    if (rc != CTUNE_OK) {
        /* on error the set is unchanged */
        ck_assert_int_eq(nn, 16);
        ck_assert_int_eq(ctune_params_count(c->p), 5);
        ck_assert_ok(ctune_params_parse(c->p, "nn=64"));
    } else {
        ck_assert_int_eq(nn, 64);
        ck_assert_int_eq(ctune_params_count(c->p), 10);
    }
}

static ctune_status call_params_from_spec(void *vc)
{
    ctx *c = vc;
    return ctune_params_from_spec(&c->op, SPEC);
}

static ctune_status call_params_copy(void *vc)
{
    ctx *c = vc;
    return ctune_params_copy(&c->op, c->p);
}

static ctune_status call_params_update(void *vc)
{
    ctx *c = vc;
    ctune_status rc = ctune_params_new(&c->op);
    if (rc == CTUNE_OK)
        rc = ctune_params_update(c->op, c->p);
    if (rc == CTUNE_OK)
        rc = ctune_params_set_string(c->op, "another", "value");
    if (rc == CTUNE_OK)
        rc = ctune_params_set_text(c->op, "quoted", "'x'");
    if (rc != CTUNE_OK) {
        ctune_params_free(c->op);
        c->op = NULL;
    }
    return rc;
}

static void after_params_out(void *vc, ctune_status rc)
{
    ctx *c = vc;
    if (rc == CTUNE_OK)
        ck_assert_int_ge(ctune_params_count(c->op), 5);
    ctune_params_free(c->op);
    c->op = NULL;
}

/* ---- estimators ------------------------------------------------------------- */

static ctune_status call_est_new(void *vc)
{
    ctx *c = vc;
    return c->kind == CTUNE_REGRESSOR ? ctune_dummy_regressor_new(&c->oe)
                                      : ctune_dummy_classifier_new(&c->oe);
}

static void after_est_out(void *vc, ctune_status rc)
{
    ctx *c = vc;
    if (rc == CTUNE_OK)
        assert_usable(c, c->oe);
    else
        ck_assert_ptr_null(c->oe);
    ctune_estimator_free(c->oe);
    c->oe = NULL;
    if (c->e)
        assert_usable(c, c->e);
}

static void setup_est(void *vc)
{
    ctx *c = vc;
    c->d = make_data(c);
    c->e = make_est(c, 0);
}

static void setup_fitted(void *vc)
{
    ctx *c = vc;
    c->d = make_data(c);
    c->e = make_est(c, 1);
}

static ctune_status call_clone(void *vc)
{
    ctx *c = vc;
    return ctune_estimator_clone(&c->oe, c->e);
}

static void setup_set_params(void *vc)
{
    ctx *c = vc;
    setup_fitted(c);
    ck_assert_ok(ctune_params_new(&c->p));
    if (c->kind == CTUNE_REGRESSOR)
        ck_assert_ok(ctune_params_parse(c->p, "strategy=constant, constant=2"));
    else
        ck_assert_ok(ctune_params_parse(c->p, "strategy=stratified, seed=3"));
}

static ctune_status call_set_params(void *vc)
{
    ctx *c = vc;
    return ctune_estimator_set_params(c->e, c->p);
}

static ctune_status call_set_params_text(void *vc)
{
    ctx *c = vc;
    return ctune_estimator_set_params_text(
        c->e, c->kind == CTUNE_REGRESSOR ? "strategy=median" : "strategy=uniform, seed=11");
}

static ctune_status call_check_params(void *vc)
{
    ctx *c = vc;
    const ctune_params *p = ctune_estimator_get_params(c->e);
    return ctune_estimator_check_params(c->e, p);
}

/* After set_params: on failure the params and the fit are unchanged. */
static void after_set_params(void *vc, ctune_status rc)
{
    ctx *c = vc;
    const ctune_params *p = ctune_estimator_get_params(c->e);
    const char *s;
    ck_assert_ok(ctune_params_get_string(&s, p, "strategy"));
    const char *def = c->kind == CTUNE_REGRESSOR ? "mean" : "prior";
    if (rc != CTUNE_OK) {
        ck_assert_str_eq(s, def);
        ck_assert_int_eq(ctune_estimator_is_fitted(c->e), 1);
    } else {
        ck_assert_str_ne(s, def);
        ck_assert_int_eq(ctune_estimator_is_fitted(c->e), 0);
    }
    assert_usable(c, c->e);
}

static ctune_status call_fit(void *vc)
{
    ctx *c = vc;
    return ctune_estimator_fit(c->e, c->d);
}

static ctune_status call_fit_task(void *vc)
{
    ctx *c = vc;
    return ctune_estimator_fit_task(c->e, c->d, 2, 77);
}

static void after_fit(void *vc, ctune_status rc)
{
    ctx *c = vc;
    ck_assert_int_eq(ctune_estimator_is_fitted(c->e), rc == CTUNE_OK);
    if (rc != CTUNE_OK)
        ck_assert_status(ctune_estimator_predict(c->out, c->e, c->d), CTUNE_ESTATE);
    assert_usable(c, c->e);
}

static ctune_status call_predict(void *vc)
{
    ctx *c = vc;
    return ctune_estimator_predict(c->out, c->e, c->d);
}

static ctune_status call_predict_proba(void *vc)
{
    ctx *c = vc;
    return ctune_estimator_predict_proba(c->out, c->e, c->d);
}

static ctune_status call_est_score(void *vc)
{
    ctx *c = vc;
    return ctune_estimator_score(&c->score, c->e, c->d);
}

static ctune_status call_scorer(void *vc)
{
    ctx *c = vc;
    return ctune_score(&c->score, c->e, c->text, c->d);
}

static void after_predict(void *vc, ctune_status rc)
{
    ctx *c = vc;
    if (rc == CTUNE_OK)
        ck_assert(isfinite(c->out[0]) && isfinite(c->score));
    ck_assert_int_eq(ctune_estimator_is_fitted(c->e), 1);
    assert_usable(c, c->e);
}

/* ---- persistence ------------------------------------------------------------- */

static unsigned char *saved(ctune_estimator *e, size_t *len)
{
    *len = ck_assert_len(ctune_estimator_save_buffer(NULL, 0, e));
    unsigned char *b = malloc(*len);
    ck_assert_ptr_nonnull(b);
    *len = ck_assert_len(ctune_estimator_save_buffer(b, *len, e));
    return b;
}

static ctune_status call_save_buffer(void *vc)
{
    ctx *c = vc;
    long need = ctune_estimator_save_buffer(NULL, 0, c->e);
    if (need < 0)
        return (ctune_status)need;
    c->buf = malloc((size_t)need);
    ck_assert_ptr_nonnull(c->buf);
    long n = ctune_estimator_save_buffer(c->buf, (size_t)need, c->e);
    if (n < 0)
        return (ctune_status)n;
    ck_assert_int_eq(n, need);
    c->len = (size_t)n;
    return CTUNE_OK;
}

static void after_save(void *vc, ctune_status rc)
{
    ctx *c = vc;
    if (rc == CTUNE_OK) {
        ctune_estimator *f;
        if (c->est == EST_KERAS)
            ck_assert_ok(ctune_estimator_load_like_buffer(&f, c->buf, c->len, c->e));
        else
            ck_assert_ok(ctune_estimator_load_buffer(&f, c->buf, c->len, NULL, NULL));
        ck_assert_int_eq(ctune_estimator_is_fitted(f), ctune_estimator_is_fitted(c->e));
        ctune_estimator_free(f);
    }
    free(c->buf);
    c->buf = NULL;
    assert_usable(c, c->e);
}

static void setup_saved(void *vc)
{
    ctx *c = vc;
    setup_fitted(c);
    c->buf = saved(c->e, &c->len);
}

static void setup_saved_unfitted(void *vc)
{
    ctx *c = vc;
    c->d = make_data(c);
    c->e = make_est(c, 0);
    c->buf = saved(c->e, &c->len);
}

static ctune_status call_load_buffer(void *vc)
{
    ctx *c = vc;
    return ctune_estimator_load_buffer(&c->oe, c->buf, c->len, NULL, NULL);
}

static void after_load(void *vc, ctune_status rc)
{
    ctx *c = vc;
    if (rc == CTUNE_OK) {
        ck_assert_int_eq(ctune_estimator_is_fitted(c->oe), ctune_estimator_is_fitted(c->e));
        if (ctune_estimator_is_fitted(c->oe)) {
            double a[N * D], b[N * D];
            memset(a, 0, sizeof a);
            memset(b, 0, sizeof b);
            ck_assert_ok(outputs(c->e, c->d, a));
            ck_assert_ok(outputs(c->oe, c->d, b));
            ck_assert_mem_eq(a, b, sizeof a);
        }
    }
    after_est_out(vc, rc);
}

static void setup_file(void *vc)
{
    ctx *c = vc;
    setup_fitted(c);
    snprintf(c->path, sizeof c->path, "ctune_sweep_%ld.model", (long)getpid());
}

static ctune_status call_save_file(void *vc)
{
    ctx *c = vc;
    return ctune_estimator_save(c->e, c->path);
}

static void after_save_file(void *vc, ctune_status rc)
{
    ctx *c = vc;
    /* a failed save leaves no file behind */
    ck_assert_int_eq(access(c->path, F_OK) == 0, rc == CTUNE_OK);
    remove(c->path);
    assert_usable(c, c->e);
}

static void setup_saved_file(void *vc)
{
    ctx *c = vc;
    setup_file(c);
    ck_assert_ok(ctune_estimator_save(c->e, c->path));
}

static ctune_status call_load_file(void *vc)
{
    ctx *c = vc;
    return ctune_estimator_load(&c->oe, c->path, NULL, NULL);
}

static void teardown_file(void *vc)
{
    ctx *c = vc;
    remove(c->path);
    free_all(c);
}

/* ---- conformance kit ----------------------------------------------------------- */

static ctune_status call_check_kit(void *vc)
{
    ctx *c = vc;
    /* the concurrency check runs threads, which the process-wide failure
     * hook does not support */
    long n = ctune_check_estimator(c->report, sizeof c->report, &c->n_failed, c->e,
                                   "skip=concurrency, n_rows=12, n_features=2");
    return n < 0 ? (ctune_status)n : CTUNE_OK;
}

static void after_check_kit(void *vc, ctune_status rc)
{
    ctx *c = vc;
    /* an allocation failure never shows up as a failed check */
    if (rc == CTUNE_OK)
        ck_assert_msg(c->n_failed == 0, "%s", c->report);
    assert_usable(c, c->e);
}

/* ---- the estimators of the NN, tree, scaler and pipeline modules ------------ */

static ctune_status call_est_new_any(void *vc)
{
    ctx *c = vc;
    int reg = c->kind == CTUNE_REGRESSOR;
    switch (c->est) {
    case EST_MLP: return reg ? ctune_mlp_regressor_new(&c->oe) : ctune_mlp_classifier_new(&c->oe);
    case EST_KERAS:
        return reg ? ctune_keras_regressor_new(&c->oe, keras_build, KERAS_SPEC, NULL)
                   : ctune_keras_classifier_new(&c->oe, keras_build, KERAS_SPEC, NULL);
    case EST_TREE:
        return reg ? ctune_decision_tree_regressor_new(&c->oe)
                   : ctune_decision_tree_classifier_new(&c->oe);
    case EST_SCALER: return ctune_standard_scaler_new(&c->oe);
    default: return ctune_pipeline_new(&c->oe);
    }
}

static void after_est_new_any(void *vc, ctune_status rc)
{
    ctx *c = vc;
    if (rc == CTUNE_OK && c->est == EST_PIPE) {
        /* an empty pipeline: give it a step before it can fit */
        ctune_estimator *s;
        ck_assert_ok(ctune_standard_scaler_new(&s));
        ck_assert_ok(ctune_pipeline_add_step(c->oe, "scaler", s));
        ctune_estimator_free(s);
    }
    after_est_out(vc, rc);
}

static void setup_set_params_any(void *vc)
{
    ctx *c = vc;
    setup_fitted(c);
    ck_assert_ok(ctune_params_copy(&c->snap, ctune_estimator_get_params(c->e)));
}

static ctune_status call_set_params_text_any(void *vc)
{
    ctx *c = vc;
    return ctune_estimator_set_params_text(c->e, c->text);
}

/* On failure the params and the fit are unchanged; on success the params
 * changed and the fit is gone. */
static void after_set_params_any(void *vc, ctune_status rc)
{
    ctx *c = vc;
    int same = ctune_params_equal(ctune_estimator_get_params(c->e), c->snap);
    ck_assert_int_eq(same, rc != CTUNE_OK);
    ck_assert_int_eq(ctune_estimator_is_fitted(c->e), rc != CTUNE_OK);
    assert_usable(c, c->e);
}

static ctune_status call_outputs(void *vc)
{
    ctx *c = vc;
    return outputs(c->e, c->d, c->out);
}

static ctune_status call_inverse_transform(void *vc)
{
    ctx *c = vc;
    return ctune_estimator_inverse_transform(c->out, c->e, c->d);
}

static void setup_pipe_one_step(void *vc)
{
    ctx *c = vc;
    ctune_estimator *s;
    c->d = make_data(c);
    ck_assert_ok(ctune_pipeline_new(&c->e));
    ck_assert_ok(ctune_standard_scaler_new(&s));
    ck_assert_ok(ctune_pipeline_add_step(c->e, "scaler", s));
    ctune_estimator_free(s);
    ck_assert_ok(ctune_decision_tree_classifier_new(&c->oe));
}

static ctune_status call_pipe_add_step(void *vc)
{
    ctx *c = vc;
    return ctune_pipeline_add_step(c->e, "tree", c->oe);
}

static void after_pipe_add_step(void *vc, ctune_status rc)
{
    ctx *c = vc;
    /* on error the pipeline is unchanged */
    ck_assert_uint_eq(ctune_pipeline_n_steps(c->e), rc == CTUNE_OK ? 2 : 1);
    ck_assert_int_eq(ctune_params_find(ctune_estimator_get_params(c->e), "tree__max_depth") >= 0,
                     rc == CTUNE_OK);
    assert_usable(c, c->e);
    ctune_estimator_free(c->oe);
    c->oe = NULL;
}

static ctune_status call_load_like_buffer(void *vc)
{
    ctx *c = vc;
    return ctune_estimator_load_like_buffer(&c->oe, c->buf, c->len, c->e);
}

/* ---- the NN engine ------------------------------------------------------------ */

/* The model can still be completed, trained and used. */
static void model_usable(ctx *c, ctune_model *m)
{
    ck_assert_ptr_nonnull(m);
    if (ctune_model_n_layers(m) == 0)
        ck_assert_ok(ctune_model_add_dense(m, 4, "relu", NULL));
    if (ctune_model_n_outputs(m) != 3)
        ck_assert_ok(ctune_model_add_dense(m, 3, "softmax", NULL));
    if (!ctune_model_loss(m))
        ck_assert_ok(ctune_model_compile(m, "adam", "sparse_categorical_crossentropy", NULL));
    ck_assert_ok(ctune_model_fit(m, c->d, 1, 8, NULL));
    ck_assert_ok(ctune_model_predict(c->out, m, c->d));
    for (size_t i = 0; i < N * 3; i++)
        ck_assert(isfinite(c->out[i]) && c->out[i] >= 0 && c->out[i] <= 1);
}

static ctune_status call_model_new(void *vc)
{
    ctx *c = vc;
    return ctune_model_new(&c->om);
}

static void after_model_new(void *vc, ctune_status rc)
{
    ctx *c = vc;
    if (rc == CTUNE_OK)
        model_usable(c, c->om);
    else
        ck_assert_ptr_null(c->om);
    ctune_model_free(c->om);
    c->om = NULL;
}

static void setup_model(void *vc)
{
    ctx *c = vc;
    c->d = make_data(c);
    ck_assert_ok(ctune_model_new(&c->m));
    ck_assert_ok(ctune_model_set_seed(c->m, 5));
}

static void setup_model_layers(void *vc)
{
    ctx *c = vc;
    setup_model(c);
    ck_assert_ok(ctune_model_add_dense(c->m, 6, "relu", NULL));
    ck_assert_ok(ctune_model_add_dropout(c->m, 0.2));
    ck_assert_ok(ctune_model_add_dense(c->m, 3, "softmax", NULL));
}

static void setup_model_compiled(void *vc)
{
    ctx *c = vc;
    setup_model_layers(c);
    ck_assert_ok(ctune_model_compile(c->m, "adam", "sparse_categorical_crossentropy",
                                     "learning_rate=0.01, metrics=accuracy"));
}

static void setup_model_fitted(void *vc)
{
    ctx *c = vc;
    setup_model_compiled(c);
    ck_assert_ok(ctune_model_fit(c->m, c->d, 1, 8, NULL));
}

static ctune_status call_model_add_dense(void *vc)
{
    ctx *c = vc;
    return ctune_model_add_dense(c->m, 5, "selu", "kernel_initializer=he_normal, l2=0.001");
}

static ctune_status call_model_add_dropout(void *vc)
{
    ctx *c = vc;
    return ctune_model_add_dropout(c->m, 0.25);
}

static void after_model_add(void *vc, ctune_status rc)
{
    ctx *c = vc;
    ck_assert_uint_eq(ctune_model_n_layers(c->m), rc == CTUNE_OK); /* unchanged on error */
    if (rc == CTUNE_OK && ctune_model_n_outputs(c->m) == 0)        /* a dropout first */
        ck_assert_ok(ctune_model_add_dense(c->m, 4, "relu", NULL));
    model_usable(c, c->m);
}

static ctune_status call_model_compile(void *vc)
{
    ctx *c = vc;
    return ctune_model_compile(c->m, "rmsprop", "sparse_categorical_crossentropy",
                               "learning_rate=0.01, momentum=0.5, clipnorm=1, "
                               "metrics=accuracy|sparse_categorical_accuracy");
}

static void after_model_compile(void *vc, ctune_status rc)
{
    ctx *c = vc;
    if (rc != CTUNE_OK)
        ck_assert_ptr_null(ctune_model_loss(c->m));
    model_usable(c, c->m);
}

static ctune_status call_model_fit(void *vc)
{
    ctx *c = vc;
    return ctune_model_fit(c->m, c->d, 2, 8, "validation_split=0.25");
}

static ctune_status call_model_fit_monitored(void *vc)
{
    ctx *c = vc;
    return ctune_model_fit_monitored(c->m, c->d, c->d, 2, 10,
                                     "early_stopping_patience=1, restore_best_weights=true", NULL,
                                     NULL);
}

static void after_model_fit(void *vc, ctune_status rc)
{
    ctx *c = vc;
    if (rc == CTUNE_OK)
        ck_assert_uint_eq(ctune_model_history_len(c->m), 2);
    model_usable(c, c->m);
}

static ctune_status call_model_predict(void *vc)
{
    ctx *c = vc;
    return ctune_model_predict(c->out, c->m, c->d);
}

static ctune_status call_model_evaluate(void *vc)
{
    ctx *c = vc;
    return ctune_model_evaluate(&c->score, NULL, c->m, c->d);
}

static void after_model_predict(void *vc, ctune_status rc)
{
    ctx *c = vc;
    (void)rc;
    model_usable(c, c->m);
}

/* ---- parameter spaces ------------------------------------------------------------ */

static const char SPACE_TEXT[] =
    "optimizer: sgd|adam|'rmsprop'; batch_size: 5|10|20\n"
    "learning_rate: loguniform(1e-4, 1e-1); dropout: uniform(0, 0.5); nl: randint(1, 4); "
    "flag: true|false|none";
static const char GRID_TEXT[] = "max_depth: 1|2|3|none; criterion: gini|entropy; seed: 0|1";

static ctune_status call_space_parse(void *vc)
{
    ctx *c = vc;
    return ctune_space_parse(&c->osp, c->text);
}

static void after_space_out(void *vc, ctune_status rc)
{
    ctx *c = vc;
    if (rc == CTUNE_OK) {
        ck_assert_uint_ge(ctune_space_count(c->osp), 3);
        /* its text parses back to an equal space */
        char text[512];
        long n = ctune_space_to_text(text, sizeof text, c->osp);
        ck_assert_int_gt(n, 0);
        ck_assert_int_lt(n, (long)sizeof text);
        ctune_space *back;
        ck_assert_ok(ctune_space_parse(&back, text));
        ck_assert_uint_eq(ctune_space_count(back), ctune_space_count(c->osp));
        ctune_space_free(back);
    } else {
        ck_assert_ptr_null(c->osp);
    }
    ctune_space_free(c->osp);
    c->osp = NULL;
}

static void setup_space(void *vc)
{
    ctx *c = vc;
    ck_assert_ok(ctune_space_parse(&c->sp, c->text));
}

static ctune_status call_space_copy(void *vc)
{
    ctx *c = vc;
    return ctune_space_copy(&c->osp, c->sp);
}

static ctune_status call_space_add_text(void *vc)
{
    ctx *c = vc;
    return ctune_space_add_text(c->sp, "units: 8|16|'32'; alpha: loguniform(1e-3, 1)");
}

static void after_space_add_text(void *vc, ctune_status rc)
{
    ctx *c = vc;
    ck_assert_uint_eq(ctune_space_count(c->sp), rc == CTUNE_OK ? 5 : 3); /* unchanged on error */
}

static ctune_status call_space_sample(void *vc)
{
    ctx *c = vc;
    return ctune_space_sample(&c->cands, c->sp, 7, 11);
}

static ctune_status call_space_grid(void *vc)
{
    ctx *c = vc;
    return ctune_space_grid(&c->cands, c->sp);
}

static void after_cands(void *vc, ctune_status rc)
{
    ctx *c = vc;
    if (rc == CTUNE_OK) {
        ck_assert_uint_ge(ctune_candidates_count(c->cands), 7);
        ck_assert_uint_eq(ctune_params_count(ctune_candidates_get(c->cands, 0)),
                          ctune_space_count(c->sp));
    } else {
        ck_assert_ptr_null(c->cands);
    }
    ctune_candidates_free(c->cands);
    c->cands = NULL;
}

/* ---- splitters --------------------------------------------------------------------- */

static ctune_status make_splitter(ctx *c, ctune_splitter **out)
{
    if (strcmp(c->text, "KFold") == 0)
        return ctune_kfold_new(out, 4, 1, 3);
    if (strcmp(c->text, "StratifiedKFold") == 0)
        return ctune_stratified_kfold_new(out, 3, 1, 3);
    if (strcmp(c->text, "ShuffleSplit") == 0)
        return ctune_shuffle_split_new(out, 3, 0.25, 3, 0);
    if (strcmp(c->text, "IndexSplit") == 0) { /* 2 splits of the N rows, halves */
        static size_t lo[N / 2], hi[N / 2];
        for (size_t i = 0; i < N / 2; i++) {
            lo[i] = i;
            hi[i] = N / 2 + i;
        }
        const size_t *tr[2] = {lo, hi}, *te[2] = {hi, lo};
        size_t n[2] = {N / 2, N / 2};
        return ctune_index_split_new(out, N, 2, tr, n, te, n);
    }
    return ctune_shuffle_split_new(out, 3, 0.25, 3, 1);
}

static ctune_status call_splitter_new(void *vc)
{
    ctx *c = vc;
    return make_splitter(c, &c->ospl);
}

static void after_splitter_new(void *vc, ctune_status rc)
{
    ctx *c = vc;
    if (rc == CTUNE_OK)
        ck_assert_str_eq(ctune_splitter_name(c->ospl), c->text);
    else
        ck_assert_ptr_null(c->ospl);
    ctune_splitter_free(c->ospl);
    c->ospl = NULL;
}

static void setup_splitter(void *vc)
{
    ctx *c = vc;
    c->d = make_data(c);
    ck_assert_ok(make_splitter(c, &c->spl));
}

static ctune_status call_split(void *vc)
{
    ctx *c = vc;
    return ctune_splitter_split(&c->splits, c->spl, c->d);
}

static void after_split(void *vc, ctune_status rc)
{
    ctx *c = vc;
    if (rc == CTUNE_OK) {
        ck_assert_uint_eq(ctune_splits_count(c->splits), ctune_splitter_n_splits(c->spl));
        for (size_t i = 0; i < ctune_splits_count(c->splits); i++) {
            const size_t *tr, *te;
            size_t ntr, nte;
            ck_assert_ok(ctune_splits_train(&tr, &ntr, c->splits, i));
            ck_assert_ok(ctune_splits_test(&te, &nte, c->splits, i));
            ck_assert_uint_eq(ntr + nte, N);
        }
    } else {
        ck_assert_ptr_null(c->splits);
    }
    ctune_splits_free(c->splits);
    c->splits = NULL;
}

static ctune_status call_train_test_split(void *vc)
{
    ctx *c = vc;
    return ctune_train_test_split(&c->tr, &c->te, c->d, 0.25, 9, 1);
}

static void after_train_test_split(void *vc, ctune_status rc)
{
    ctx *c = vc;
    if (rc == CTUNE_OK) {
        ck_assert_uint_eq(ctune_data_n_rows(c->te), 6);
        ck_assert_uint_eq(ctune_data_n_rows(c->tr), 18);
    } else {
        ck_assert_ptr_null(c->tr);
        ck_assert_ptr_null(c->te);
    }
    ctune_data_free(c->tr);
    ctune_data_free(c->te);
    c->tr = c->te = NULL;
}

/* ---- cross-validation and searches ----------------------------------------------- */

static ctune_status call_cross_validate(void *vc)
{
    ctx *c = vc;
    return ctune_cross_validate(&c->cvr, c->e, c->d, NULL, 3, c->text);
}

static void after_cross_validate(void *vc, ctune_status rc)
{
    ctx *c = vc;
    if (rc == CTUNE_OK) {
        ck_assert_uint_eq(ctune_cv_results_n_splits(c->cvr), 3);
        double col[3];
        ck_assert_ok(ctune_cv_results_column(col, c->cvr, ctune_cv_results_column_name(c->cvr, 2)));
        for (int i = 0; i < 3; i++) /* an allocation failure is never a score */
            ck_assert(isfinite(col[i]));
    } else {
        ck_assert_ptr_null(c->cvr);
    }
    ctune_cv_results_free(c->cvr);
    c->cvr = NULL;
    ck_assert_int_eq(ctune_estimator_is_fitted(c->e), 0); /* est is never modified */
    assert_usable(c, c->e);
}

static ctune_status call_cross_val_score(void *vc)
{
    ctx *c = vc;
    return ctune_cross_val_score(c->out, c->e, c->d, 2, c->text);
}

static void after_cross_val_score(void *vc, ctune_status rc)
{
    ctx *c = vc;
    if (rc == CTUNE_OK)
        ck_assert(isfinite(c->out[0]) && isfinite(c->out[1]));
    ck_assert_int_eq(ctune_estimator_is_fitted(c->e), 0);
}

static void setup_search_inputs(void *vc)
{
    ctx *c = vc;
    setup_est(c);
    ck_assert_ok(ctune_space_parse(&c->sp, c->text));
}

static ctune_status call_search_new_randomized(void *vc)
{
    ctx *c = vc;
    return ctune_search_new_randomized(&c->osrch, c->e, c->sp, 3, 7);
}

static ctune_status call_search_new_grid(void *vc)
{
    ctx *c = vc;
    return ctune_search_new_grid(&c->osrch, c->e, c->sp);
}

static void after_search_new(void *vc, ctune_status rc)
{
    ctx *c = vc;
    if (rc == CTUNE_OK)
        ck_assert_uint_ge(ctune_search_n_candidates(c->osrch), 2);
    else
        ck_assert_ptr_null(c->osrch);
    ctune_search_free(c->osrch);
    c->osrch = NULL;
}

#define SEARCH_OPTIONS "cv=2, n_jobs=1, return_train_score=true"

static void setup_search(void *vc)
{
    ctx *c = vc;
    setup_search_inputs(c);
    uint64_t size;
    if (ctune_space_grid_size(&size, c->sp) == CTUNE_OK && size <= 6)
        ck_assert_ok(ctune_search_new_grid(&c->srch, c->e, c->sp));
    else
        ck_assert_ok(ctune_search_new_randomized(&c->srch, c->e, c->sp, 2, 7));
    ck_assert_ok(ctune_search_set_options(c->srch, SEARCH_OPTIONS));
}

static ctune_status call_search_set_options(void *vc)
{
    ctx *c = vc;
    return ctune_search_set_options(c->srch, "cv=3; scoring=accuracy|balanced_accuracy; "
                                             "refit=balanced_accuracy; error_score=-1");
}

static ctune_status call_search_fit(void *vc)
{
    ctx *c = vc;
    return ctune_search_fit(c->srch, c->d);
}

/* A search that failed fits again; a complete one has finite scores (an
 * allocation failure is never turned into a score) and a best estimator. */
static void after_search(void *vc, ctune_status rc)
{
    ctx *c = vc;
    if (rc != CTUNE_OK) {
        ck_assert_int_eq(ctune_search_fit_status(c->srch), rc);
        ck_assert_ok(ctune_search_fit(c->srch, c->d));
    }
    size_t n = ctune_search_n_candidates(c->srch);
    for (size_t i = 0; i < n; i++) {
        double v;
        ck_assert_ok(ctune_search_result(&v, c->srch, "mean_test_score", i));
        ck_assert_msg(isfinite(v), "candidate %zu scored %g: %s", i, v,
                      ctune_search_candidate_error(c->srch, i));
    }
    ck_assert_ptr_nonnull(ctune_search_best_estimator(c->srch));
}

static void setup_search_fitted(void *vc)
{
    ctx *c = vc;
    setup_search(c);
    ck_assert_ok(ctune_search_fit(c->srch, c->d));
}

static ctune_status long_status(long n) { return n < 0 ? (ctune_status)n : CTUNE_OK; }

static ctune_status call_search_csv_buf(void *vc)
{
    ctx *c = vc;
    char buf[8192];
    long n = ctune_search_results_csv_buf(buf, sizeof buf, c->srch);
    if (n >= (long)sizeof buf)
        ck_abort_msg("results larger than the test's buffer: %ld", n);
    return long_status(n);
}

static ctune_status call_search_json_buf(void *vc)
{
    ctx *c = vc;
    char buf[8192];
    long n = ctune_search_results_json_buf(buf, sizeof buf, c->srch);
    if (n >= (long)sizeof buf)
        ck_abort_msg("results larger than the test's buffer: %ld", n);
    return long_status(n);
}

/* ---- the table ----------------------------------------------------------------- */

typedef struct sweep_case {
    ctr_sweep s;
    int kind;
    const char *text;
    int est; /* EST_*: the estimator of the estimator cases (default Dummy) */
} sweep_case;

#define CLF CTUNE_CLASSIFIER
#define REG CTUNE_REGRESSOR
#define NO_TEXT NULL

static const sweep_case CASES[] = {
    {{"ctune_data_new", NULL, call_data_new, after_data, free_all, 0}, CLF, NO_TEXT, EST_DUMMY},
    {{"ctune_data_subset", setup_data, call_data_subset, after_data, free_all, 0},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    {{"ctune_data_subset (of a subset)", setup_nested, call_data_subset_nested, after_data,
      free_all, 0},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    {{"ctune_rng_new", NULL, call_rng_new, NULL, NULL, 0}, CLF, NO_TEXT, EST_DUMMY},
    {{"ctune_csv_load_buffer", NULL, call_csv_buffer, after_data, free_all, CTR_TOLERANT},
     CLF,
     "comment=#",
     EST_DUMMY},
    {{"ctune_csv_load_buffer (options)", NULL, call_csv_buffer, after_data, free_all, CTR_TOLERANT},
     CLF,
     "header=true, target=species, features=height|width, dtype=float32, labels=string, "
     "comment=#",
     EST_DUMMY},
    {{"ctune_csv_load (iris.csv)", NULL, call_csv_file, after_data, free_all, CTR_TOLERANT},
     CLF,
     NULL,
     EST_DUMMY},
    {{"ctune_csv_load (iris.csv, options)", NULL, call_csv_file, after_data, free_all,
      CTR_TOLERANT},
     CLF,
     "target=target, features=petal width (cm)|sepal length (cm), dtype=float32",
     EST_DUMMY},
    {{"ctune_dataset_load (iris)", NULL, call_dataset, after_data, free_all, CTR_TOLERANT},
     CLF,
     "iris",
     EST_DUMMY},
    {{"ctune_dataset_load (breast_cancer)", NULL, call_dataset, after_data, free_all, CTR_TOLERANT},
     CLF,
     "breast_cancer",
     EST_DUMMY},
    {{"ctune_dataset_load (digits)", NULL, call_dataset, after_data, free_all, CTR_TOLERANT},
     CLF,
     "digits",
     EST_DUMMY},
    {{"ctune_params_parse", setup_params, call_params_parse, after_params_parse, free_all, 0},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    {{"ctune_params_from_spec", NULL, call_params_from_spec, after_params_out, free_all, 0},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    {{"ctune_params_copy", setup_params, call_params_copy, after_params_out, free_all, 0},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    {{"ctune_params_update/set_string/set_text", setup_params, call_params_update, after_params_out,
      free_all, 0},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    {{"ctune_dummy_classifier_new", setup_data, call_est_new, after_est_out, free_all, 0},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    {{"ctune_dummy_regressor_new", setup_data, call_est_new, after_est_out, free_all, 0},
     REG,
     NO_TEXT,
     EST_DUMMY},
    {{"clone (DummyClassifier)", setup_fitted, call_clone, after_est_out, free_all, 0},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    {{"clone (DummyRegressor)", setup_fitted, call_clone, after_est_out, free_all, 0},
     REG,
     NO_TEXT,
     EST_DUMMY},
    {{"set_params (DummyClassifier)", setup_set_params, call_set_params, after_set_params, free_all,
      CTR_MAY_RELEASE},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    {{"set_params (DummyRegressor)", setup_set_params, call_set_params, after_set_params, free_all,
      CTR_MAY_RELEASE},
     REG,
     NO_TEXT,
     EST_DUMMY},
    {{"set_params_text (DummyClassifier)", setup_fitted, call_set_params_text, after_set_params,
      free_all, CTR_MAY_RELEASE},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    {{"set_params_text (DummyRegressor)", setup_fitted, call_set_params_text, after_set_params,
      free_all, CTR_MAY_RELEASE},
     REG,
     NO_TEXT,
     EST_DUMMY},
    {{"check_params (DummyClassifier)", setup_est, call_check_params, NULL, free_all, 0},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    {{"fit (DummyClassifier)", setup_est, call_fit, after_fit, free_all, 0},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    {{"fit (DummyRegressor)", setup_est, call_fit, after_fit, free_all, 0},
     REG,
     NO_TEXT,
     EST_DUMMY},
    {{"refit (DummyClassifier)", setup_fitted, call_fit, after_fit, free_all, CTR_MAY_RELEASE},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    {{"refit (DummyRegressor)", setup_fitted, call_fit, after_fit, free_all, CTR_MAY_RELEASE},
     REG,
     NO_TEXT,
     EST_DUMMY},
    {{"fit_task (DummyClassifier)", setup_est, call_fit_task, after_fit, free_all, 0},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    {{"predict (DummyClassifier)", setup_fitted, call_predict, after_predict, free_all,
      CTR_NO_ALLOC},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    {{"predict (DummyRegressor)", setup_fitted, call_predict, after_predict, free_all,
      CTR_NO_ALLOC},
     REG,
     NO_TEXT,
     EST_DUMMY},
    {{"predict_proba (DummyClassifier)", setup_fitted, call_predict_proba, after_predict, free_all,
      CTR_NO_ALLOC},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    {{"score (DummyClassifier)", setup_fitted, call_est_score, after_predict, free_all, 0},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    {{"score (DummyRegressor)", setup_fitted, call_est_score, after_predict, free_all, 0},
     REG,
     NO_TEXT,
     EST_DUMMY},
    {{"save_buffer (DummyClassifier)", setup_fitted, call_save_buffer, after_save, free_all, 0},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    {{"save_buffer (DummyRegressor)", setup_fitted, call_save_buffer, after_save, free_all, 0},
     REG,
     NO_TEXT,
     EST_DUMMY},
    {{"save_buffer (unfitted)", setup_est, call_save_buffer, after_save, free_all, 0},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    {{"load_buffer (DummyClassifier)", setup_saved, call_load_buffer, after_load, free_all, 0},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    {{"load_buffer (DummyRegressor)", setup_saved, call_load_buffer, after_load, free_all, 0},
     REG,
     NO_TEXT,
     EST_DUMMY},
    {{"load_buffer (unfitted)", setup_saved_unfitted, call_load_buffer, after_load, free_all, 0},
     REG,
     NO_TEXT,
     EST_DUMMY},
    {{"save (file)", setup_file, call_save_file, after_save_file, teardown_file, 0},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    {{"load (file)", setup_saved_file, call_load_file, after_load, teardown_file, 0},
     REG,
     NO_TEXT,
     EST_DUMMY},
    {{"ctune_check_estimator (DummyClassifier)", setup_est, call_check_kit, after_check_kit,
      free_all, 0},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    {{"ctune_check_estimator (DummyRegressor)", setup_est, call_check_kit, after_check_kit,
      free_all, 0},
     REG,
     NO_TEXT,
     EST_DUMMY},
/* ---- MLP and Keras-style estimators (epochs=2, batch_size=8) ---- */
#define EST_ROWS(LABEL, KIND, EST, SETTEXT, PFLAG)                                              \
    {{"new (" LABEL ")", setup_data, call_est_new_any, after_est_new_any, free_all, 0},         \
     KIND,                                                                                      \
     NO_TEXT,                                                                                   \
     EST},                                                                                      \
        {{"clone (" LABEL ")", setup_fitted, call_clone, after_est_out, free_all, 0},           \
         KIND,                                                                                  \
         NO_TEXT,                                                                               \
         EST},                                                                                  \
        {{"set_params_text (" LABEL ")", setup_set_params_any, call_set_params_text_any,        \
          after_set_params_any, free_all, CTR_MAY_RELEASE},                                     \
         KIND,                                                                                  \
         SETTEXT,                                                                               \
         EST},                                                                                  \
        {{"fit (" LABEL ")", setup_est, call_fit, after_fit, free_all, 0}, KIND, NO_TEXT, EST}, \
        {{"refit (" LABEL ")", setup_fitted, call_fit, after_fit, free_all, CTR_MAY_RELEASE},   \
         KIND,                                                                                  \
         NO_TEXT,                                                                               \
         EST},                                                                                  \
        {{"predict (" LABEL ")", setup_fitted, call_outputs, after_predict, free_all, PFLAG},   \
         KIND,                                                                                  \
         NO_TEXT,                                                                               \
         EST},                                                                                  \
    {                                                                                           \
        {"save_buffer (" LABEL ")", setup_fitted, call_save_buffer, after_save, free_all, 0},   \
            KIND, NO_TEXT, EST                                                                  \
    }
#define SCORE_ROW(LABEL, KIND, EST)                                                            \
    {                                                                                          \
        {"score (" LABEL ")", setup_fitted, call_est_score, after_predict, free_all, 0}, KIND, \
            NO_TEXT, EST                                                                       \
    }
    EST_ROWS("MLPClassifier", CLF, EST_MLP, "nn=6, nl=2, activation=tanh, dropout=0.1", 0),
    SCORE_ROW("MLPClassifier", CLF, EST_MLP),
    {{"predict_proba (MLPClassifier)", setup_fitted, call_predict_proba, after_predict, free_all,
      0},
     CLF,
     NO_TEXT,
     EST_MLP},
    {{"load_buffer (MLPClassifier)", setup_saved, call_load_buffer, after_load, free_all, 0},
     CLF,
     NO_TEXT,
     EST_MLP},
    EST_ROWS("MLPRegressor", REG, EST_MLP, "optimizer=sgd, momentum=0.9, l2=0.01", 0),
    SCORE_ROW("MLPRegressor", REG, EST_MLP),
    {{"load_buffer (MLPRegressor)", setup_saved, call_load_buffer, after_load, free_all, 0},
     REG,
     NO_TEXT,
     EST_MLP},
    EST_ROWS("KerasClassifier", CLF, EST_KERAS, "units=7, lr=0.05, validation_split=0.25", 0),
    SCORE_ROW("KerasClassifier", CLF, EST_KERAS),
    {{"predict_proba (KerasClassifier)", setup_fitted, call_predict_proba, after_predict, free_all,
      0},
     CLF,
     NO_TEXT,
     EST_KERAS},
    {{"load_like_buffer (KerasClassifier)", setup_saved, call_load_like_buffer, after_load,
      free_all, 0},
     CLF,
     NO_TEXT,
     EST_KERAS},
    {{"ctune_check_estimator (MLPClassifier)", setup_est, call_check_kit, after_check_kit, free_all,
      0},
     CLF,
     NO_TEXT,
     EST_MLP},
    /* ---- trees, scaler, pipeline ---- */
    EST_ROWS("DecisionTreeClassifier", CLF, EST_TREE,
             "criterion=entropy, max_leaf_nodes=4, class_weight=balanced", CTR_NO_ALLOC),
    SCORE_ROW("DecisionTreeClassifier", CLF, EST_TREE),
    {{"predict_proba (DecisionTreeClassifier)", setup_fitted, call_predict_proba, after_predict,
      free_all, CTR_NO_ALLOC},
     CLF,
     NO_TEXT,
     EST_TREE},
    {{"load_buffer (DecisionTreeClassifier)", setup_saved, call_load_buffer, after_load, free_all,
      0},
     CLF,
     NO_TEXT,
     EST_TREE},
    EST_ROWS("DecisionTreeRegressor", REG, EST_TREE,
             "criterion=absolute_error, splitter=random, max_features=sqrt", CTR_NO_ALLOC),
    SCORE_ROW("DecisionTreeRegressor", REG, EST_TREE),
    {{"load_buffer (DecisionTreeRegressor)", setup_saved, call_load_buffer, after_load, free_all,
      0},
     REG,
     NO_TEXT,
     EST_TREE},
    EST_ROWS("StandardScaler", CLF, EST_SCALER, "with_mean=false", CTR_NO_ALLOC),
    {{"inverse_transform (StandardScaler)", setup_fitted, call_inverse_transform, after_predict,
      free_all, CTR_NO_ALLOC},
     CLF,
     NO_TEXT,
     EST_SCALER},
    {{"load_buffer (StandardScaler)", setup_saved, call_load_buffer, after_load, free_all, 0},
     CLF,
     NO_TEXT,
     EST_SCALER},
    {{"ctune_pipeline_add_step", setup_pipe_one_step, call_pipe_add_step, after_pipe_add_step,
      free_all, 0},
     CLF,
     NO_TEXT,
     EST_PIPE},
    EST_ROWS("Pipeline scaler+tree", CLF, EST_PIPE, "scaler__with_std=false, model__max_depth=2",
             0),
    SCORE_ROW("Pipeline scaler+tree", CLF, EST_PIPE),
    {{"predict_proba (Pipeline scaler+tree)", setup_fitted, call_predict_proba, after_predict,
      free_all, 0},
     CLF,
     NO_TEXT,
     EST_PIPE},
    {{"load_buffer (Pipeline scaler+tree)", setup_saved, call_load_buffer, after_load, free_all, 0},
     CLF,
     NO_TEXT,
     EST_PIPE},
    {{"load_like_buffer (Pipeline scaler+tree)", setup_saved, call_load_like_buffer, after_load,
      free_all, 0},
     CLF,
     NO_TEXT,
     EST_PIPE},
    {{"fit (Pipeline scaler+MLPRegressor)", setup_est, call_fit, after_fit, free_all, 0},
     REG,
     NO_TEXT,
     EST_PIPE_MLP},
    {{"load_buffer (Pipeline scaler+MLPRegressor)", setup_saved, call_load_buffer, after_load,
      free_all, 0},
     REG,
     NO_TEXT,
     EST_PIPE_MLP},
    /* ---- NN engine (y: class codes 0..2) ---- */
    {{"ctune_model_new", setup_data, call_model_new, after_model_new, free_all, 0},
     KIND_CODES,
     NO_TEXT,
     EST_DUMMY},
    {{"ctune_model_add_dense", setup_model, call_model_add_dense, after_model_add, free_all, 0},
     KIND_CODES,
     NO_TEXT,
     EST_DUMMY},
    {{"ctune_model_add_dropout", setup_model, call_model_add_dropout, after_model_add, free_all, 0},
     KIND_CODES,
     NO_TEXT,
     EST_DUMMY},
    {{"ctune_model_compile", setup_model_layers, call_model_compile, after_model_compile, free_all,
      0},
     KIND_CODES,
     NO_TEXT,
     EST_DUMMY},
    {{"ctune_model_fit", setup_model_compiled, call_model_fit, after_model_fit, free_all,
      CTR_MAY_KEEP},
     KIND_CODES,
     NO_TEXT,
     EST_DUMMY},
    {{"ctune_model_fit (again)", setup_model_fitted, call_model_fit, after_model_fit, free_all,
      CTR_MAY_RELEASE},
     KIND_CODES,
     NO_TEXT,
     EST_DUMMY},
    {{"ctune_model_fit_monitored (validation data, early stopping)", setup_model_compiled,
      call_model_fit_monitored, after_model_predict, free_all, CTR_MAY_KEEP},
     KIND_CODES,
     NO_TEXT,
     EST_DUMMY},
    {{"ctune_model_predict", setup_model_fitted, call_model_predict, after_model_predict, free_all,
      0},
     KIND_CODES,
     NO_TEXT,
     EST_DUMMY},
    {{"ctune_model_evaluate", setup_model_fitted, call_model_evaluate, after_model_predict,
      free_all, 0},
     KIND_CODES,
     NO_TEXT,
     EST_DUMMY},
    /* ---- parameter spaces ---- */
    {{"ctune_space_parse", NULL, call_space_parse, after_space_out, free_all, 0},
     CLF,
     SPACE_TEXT,
     EST_DUMMY},
    {{"ctune_space_copy", setup_space, call_space_copy, after_space_out, free_all, 0},
     CLF,
     SPACE_TEXT,
     EST_DUMMY},
    {{"ctune_space_add_text", setup_space, call_space_add_text, after_space_add_text, free_all, 0},
     CLF,
     GRID_TEXT,
     EST_DUMMY},
    {{"ctune_space_sample (distributions)", setup_space, call_space_sample, after_cands, free_all,
      0},
     CLF,
     SPACE_TEXT,
     EST_DUMMY},
    {{"ctune_space_sample (lists)", setup_space, call_space_sample, after_cands, free_all, 0},
     CLF,
     GRID_TEXT,
     EST_DUMMY},
    {{"ctune_space_grid", setup_space, call_space_grid, after_cands, free_all, 0},
     CLF,
     GRID_TEXT,
     EST_DUMMY},
    /* ---- splitters ---- */
    {{"ctune_kfold_new", NULL, call_splitter_new, after_splitter_new, free_all, 0},
     CLF,
     "KFold",
     EST_DUMMY},
    {{"ctune_stratified_kfold_new", NULL, call_splitter_new, after_splitter_new, free_all, 0},
     CLF,
     "StratifiedKFold",
     EST_DUMMY},
    {{"ctune_shuffle_split_new", NULL, call_splitter_new, after_splitter_new, free_all, 0},
     CLF,
     "ShuffleSplit",
     EST_DUMMY},
    {{"ctune_splitter_split (KFold, shuffled)", setup_splitter, call_split, after_split, free_all,
      0},
     CLF,
     "KFold",
     EST_DUMMY},
    {{"ctune_splitter_split (StratifiedKFold, shuffled)", setup_splitter, call_split, after_split,
      free_all, 0},
     CLF,
     "StratifiedKFold",
     EST_DUMMY},
    {{"ctune_splitter_split (ShuffleSplit)", setup_splitter, call_split, after_split, free_all, 0},
     CLF,
     "ShuffleSplit",
     EST_DUMMY},
    {{"ctune_index_split_new", NULL, call_splitter_new, after_splitter_new, free_all, 0},
     CLF,
     "IndexSplit",
     EST_DUMMY},
    {{"ctune_splitter_split (IndexSplit)", setup_splitter, call_split, after_split, free_all, 0},
     CLF,
     "IndexSplit",
     EST_DUMMY},
    {{"ctune_splitter_split (StratifiedShuffleSplit)", setup_splitter, call_split, after_split,
      free_all, 0},
     CLF,
     "StratifiedShuffleSplit",
     EST_DUMMY},
    {{"ctune_train_test_split (stratified)", setup_data, call_train_test_split,
      after_train_test_split, free_all, 0},
     CLF,
     NO_TEXT,
     EST_DUMMY},
    /* ---- cross-validation ---- */
    {{"ctune_cross_validate (tree, 2 scorers, train scores)", setup_est, call_cross_validate,
      after_cross_validate, free_all, 0},
     CLF,
     "scoring=accuracy|f1_macro, return_train_score=true",
     EST_TREE},
    {{"ctune_cross_validate (MLPRegressor)", setup_est, call_cross_validate, after_cross_validate,
      free_all, 0},
     REG,
     NULL,
     EST_MLP},
    {{"ctune_cross_val_score (Pipeline)", setup_est, call_cross_val_score, after_cross_val_score,
      free_all, 0},
     CLF,
     "balanced_accuracy",
     EST_PIPE},
    /* ---- searches (serial: n_jobs=1) ---- */
    {{"ctune_search_new_randomized", setup_search_inputs, call_search_new_randomized,
      after_search_new, free_all, 0},
     CLF,
     "max_depth: randint(1, 5); criterion: gini|entropy",
     EST_TREE},
    {{"ctune_search_new_grid", setup_search_inputs, call_search_new_grid, after_search_new,
      free_all, 0},
     CLF,
     GRID_TEXT,
     EST_TREE},
    {{"ctune_search_set_options", setup_search, call_search_set_options, NULL, free_all, 0},
     CLF,
     "max_depth: 1|3",
     EST_TREE},
    {{"ctune_search_fit (randomized, tree)", setup_search, call_search_fit, after_search, free_all,
      CTR_MAY_RELEASE},
     CLF,
     "max_depth: randint(1, 5); criterion: gini|entropy",
     EST_TREE},
    {{"ctune_search_fit (grid, Pipeline)", setup_search, call_search_fit, after_search, free_all,
      CTR_MAY_RELEASE},
     CLF,
     "scaler__with_mean: true|false; model__max_depth: 2|none",
     EST_PIPE},
    {{"ctune_search_fit (randomized, MLPClassifier)", setup_search, call_search_fit, after_search,
      free_all, CTR_MAY_RELEASE},
     CLF,
     "nn: 2|4; learning_rate: loguniform(1e-3, 1e-1)",
     EST_MLP},
    {{"ctune_search_fit (again)", setup_search_fitted, call_search_fit, after_search, free_all,
      CTR_MAY_RELEASE},
     CLF,
     "max_depth: 1|3",
     EST_TREE},
    {{"ctune_search_results_csv_buf", setup_search_fitted, call_search_csv_buf, NULL, free_all, 0},
     CLF,
     "max_depth: 1|3",
     EST_TREE},
    {{"ctune_search_results_json_buf", setup_search_fitted, call_search_json_buf, NULL, free_all,
      0},
     CLF,
     "max_depth: 1|3",
     EST_TREE},
};
#define N_CASES ((int)(sizeof CASES / sizeof CASES[0]))

START_TEST(test_sweep)
{
    const sweep_case *sc = &CASES[_i];
    ctx c;
    memset(&c, 0, sizeof c);
    c.kind = sc->kind;
    c.text = sc->text;
    c.est = sc->est;
    int64_t live = ctune_alloc_live();
    ctr_sweep_run(&sc->s, &c, MAX_STEPS);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* Every scorer, with the estimator kind it applies to (binary classifier
 * for the binary scorers). */
START_TEST(test_sweep_scorers)
{
    int64_t live = ctune_alloc_live();
    int swept = 0;
    for (size_t i = 0; i < ctune_scorer_count(); i++) {
        const char *name = ctune_scorer_name(i);
        ctx c;
        memset(&c, 0, sizeof c);
        c.text = name;
        /* which kind does it apply to? */
        for (int kind = CLF; kind <= REG; kind++) {
            c.kind = kind;
            setup_fitted(&c);
            ctune_status rc = ctune_score(&c.score, c.e, name, c.d);
            free_all(&c);
            if (rc != CTUNE_OK)
                continue;
            char label[96];
            snprintf(label, sizeof label, "ctune_score (%s)", name);
            ctr_sweep s = {label, setup_fitted, call_scorer, after_predict, free_all, 0};
            ctr_sweep_run(&s, &c, MAX_STEPS);
            swept++;
        }
    }
    ck_assert_int_eq(swept, (int)ctune_scorer_count());
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("alloc_sweeps");
    TCase *tc = tcase_create("alloc_sweeps");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_sweep, 0, N_CASES);
    tcase_add_test(tc, test_sweep_scorers);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
