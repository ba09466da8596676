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

typedef struct ctx {
    int kind;          /* CTUNE_CLASSIFIER or CTUNE_REGRESSOR */
    const char *text;  /* params text, options, scorer, dataset name... */
    double X[N * D], y[N];
    ctune_data *d;     /* input data (setup) */
    ctune_data *od;    /* data made by the call */
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
} ctx;

static void fill(ctx *c)
{
    for (size_t i = 0; i < N; i++) {
        for (size_t j = 0; j < D; j++)
            c->X[i * D + j] = (double)((i * 7 + j * 3) % 11) - 5.0 + 0.25 * (double)j;
        c->y[i] = c->kind == CTUNE_REGRESSOR ? 0.5 * (double)i - 3.0 : (double)(i % 3 == 0 ? 4 : 9);
    }
}

static ctune_data *make_data(ctx *c)
{
    ctune_data *d;
    fill(c);
    ck_assert_ok(ctune_data_new(&d, c->X, CTUNE_FLOAT64, N, D, 0, c->y, 1));
    return d;
}

static ctune_estimator *make_est(ctx *c, int fitted)
{
    ctune_estimator *e;
    if (c->kind == CTUNE_REGRESSOR)
        ck_assert_ok(ctune_dummy_regressor_new(&e));
    else
        ck_assert_ok(ctune_dummy_classifier_new(&e));
    if (fitted) {
        ck_assert_ptr_nonnull(c->d);
        ck_assert_ok(ctune_estimator_fit(e, c->d));
    }
    return e;
}

/* The estimator still works: refits and predicts finite values. */
static void assert_usable(ctx *c, ctune_estimator *e)
{
    ck_assert_ptr_nonnull(e);
    ck_assert_ok(ctune_estimator_fit(e, c->d));
    ck_assert_ok(ctune_estimator_predict(e, c->d, c->out));
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
    ctune_params_free(c->op);
    ctune_params_free(c->p);
    free(c->buf);
    c->oe = c->e = NULL;
    c->od = c->d = NULL;
    c->op = c->p = NULL;
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

static const char CSV_TEXT[] =
    "\xEF\xBB\xBF# a comment\n"
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
    ck_assert_ok(ctune_params_get_int(c->p, "nn", &nn));
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
    return ctune_estimator_set_params_text(c->e, c->kind == CTUNE_REGRESSOR
                                                     ? "strategy=median"
                                                     : "strategy=uniform, seed=11");
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
    ck_assert_ok(ctune_params_get_string(p, "strategy", &s));
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

static ctune_status call_fit_ex(void *vc)
{
    ctx *c = vc;
    return ctune_estimator_fit_ex(c->e, c->d, 2, 77);
}

static void after_fit(void *vc, ctune_status rc)
{
    ctx *c = vc;
    ck_assert_int_eq(ctune_estimator_is_fitted(c->e), rc == CTUNE_OK);
    if (rc != CTUNE_OK)
        ck_assert_status(ctune_estimator_predict(c->e, c->d, c->out), CTUNE_ESTATE);
    assert_usable(c, c->e);
}

static ctune_status call_predict(void *vc)
{
    ctx *c = vc;
    return ctune_estimator_predict(c->e, c->d, c->out);
}

static ctune_status call_predict_proba(void *vc)
{
    ctx *c = vc;
    return ctune_estimator_predict_proba(c->e, c->d, c->out);
}

static ctune_status call_est_score(void *vc)
{
    ctx *c = vc;
    return ctune_estimator_score(c->e, c->d, &c->score);
}

static ctune_status call_scorer(void *vc)
{
    ctx *c = vc;
    return ctune_score(c->e, c->text, c->d, &c->score);
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
    ck_assert_ok(ctune_estimator_save_buffer(e, NULL, 0, len));
    unsigned char *b = malloc(*len);
    ck_assert_ptr_nonnull(b);
    ck_assert_ok(ctune_estimator_save_buffer(e, b, *len, len));
    return b;
}

static ctune_status call_save_buffer(void *vc)
{
    ctx *c = vc;
    size_t need;
    ctune_status rc = ctune_estimator_save_buffer(c->e, NULL, 0, &need);
    if (rc != CTUNE_OK)
        return rc;
    c->buf = malloc(need);
    ck_assert_ptr_nonnull(c->buf);
    return ctune_estimator_save_buffer(c->e, c->buf, need, &c->len);
}

static void after_save(void *vc, ctune_status rc)
{
    ctx *c = vc;
    if (rc == CTUNE_OK) {
        ctune_estimator *f;
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
            double a[N], b[N];
            ck_assert_ok(ctune_estimator_predict(c->e, c->d, a));
            ck_assert_ok(ctune_estimator_predict(c->oe, c->d, b));
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
    return ctune_check_estimator(c->e, "skip=concurrency, n_rows=12, n_features=2", c->report,
                                 sizeof c->report, &c->n_failed);
}

static void after_check_kit(void *vc, ctune_status rc)
{
    ctx *c = vc;
    /* an allocation failure never shows up as a failed check */
    if (rc == CTUNE_OK)
        ck_assert_msg(c->n_failed == 0, "%s", c->report);
    assert_usable(c, c->e);
}

/* ---- the table ----------------------------------------------------------------- */

typedef struct sweep_case {
    ctr_sweep s;
    int kind;
    const char *text;
} sweep_case;

#define CLF CTUNE_CLASSIFIER
#define REG CTUNE_REGRESSOR
#define NO_TEXT NULL

static const sweep_case CASES[] = {
    {{"ctune_data_new", NULL, call_data_new, after_data, free_all, 0}, CLF, NO_TEXT},
    {{"ctune_data_subset", setup_data, call_data_subset, after_data, free_all, 0}, CLF, NO_TEXT},
    {{"ctune_data_subset (of a subset)", setup_nested, call_data_subset_nested, after_data,
      free_all, 0}, CLF, NO_TEXT},
    {{"ctune_rng_new", NULL, call_rng_new, NULL, NULL, 0}, CLF, NO_TEXT},
    {{"ctune_csv_load_buffer", NULL, call_csv_buffer, after_data, free_all, CTR_TOLERANT}, CLF, NULL},
    {{"ctune_csv_load_buffer (options)", NULL, call_csv_buffer, after_data, free_all, CTR_TOLERANT}, CLF,
     "header=true, target=species, features=height|width, dtype=float32, labels=string"},
    {{"ctune_csv_load (iris.csv)", NULL, call_csv_file, after_data, free_all, CTR_TOLERANT}, CLF, NULL},
    {{"ctune_csv_load (iris.csv, options)", NULL, call_csv_file, after_data, free_all, CTR_TOLERANT}, CLF,
     "target=target, features=petal width (cm)|sepal length (cm), dtype=float32"},
    {{"ctune_dataset_load (iris)", NULL, call_dataset, after_data, free_all, CTR_TOLERANT}, CLF, "iris"},
    {{"ctune_dataset_load (breast_cancer)", NULL, call_dataset, after_data, free_all, CTR_TOLERANT}, CLF,
     "breast_cancer"},
    {{"ctune_dataset_load (digits)", NULL, call_dataset, after_data, free_all, CTR_TOLERANT}, CLF, "digits"},
    {{"ctune_params_parse", setup_params, call_params_parse, after_params_parse, free_all, 0}, CLF,
     NO_TEXT},
    {{"ctune_params_from_spec", NULL, call_params_from_spec, after_params_out, free_all, 0}, CLF,
     NO_TEXT},
    {{"ctune_params_copy", setup_params, call_params_copy, after_params_out, free_all, 0}, CLF,
     NO_TEXT},
    {{"ctune_params_update/set_string/set_text", setup_params, call_params_update,
      after_params_out, free_all, 0}, CLF, NO_TEXT},
    {{"ctune_dummy_classifier_new", setup_data, call_est_new, after_est_out, free_all, 0}, CLF,
     NO_TEXT},
    {{"ctune_dummy_regressor_new", setup_data, call_est_new, after_est_out, free_all, 0}, REG,
     NO_TEXT},
    {{"clone (DummyClassifier)", setup_fitted, call_clone, after_est_out, free_all, 0}, CLF,
     NO_TEXT},
    {{"clone (DummyRegressor)", setup_fitted, call_clone, after_est_out, free_all, 0}, REG,
     NO_TEXT},
    {{"set_params (DummyClassifier)", setup_set_params, call_set_params, after_set_params, free_all,
      CTR_MAY_RELEASE}, CLF, NO_TEXT},
    {{"set_params (DummyRegressor)", setup_set_params, call_set_params, after_set_params, free_all,
      CTR_MAY_RELEASE}, REG, NO_TEXT},
    {{"set_params_text (DummyClassifier)", setup_fitted, call_set_params_text, after_set_params,
      free_all, CTR_MAY_RELEASE}, CLF, NO_TEXT},
    {{"set_params_text (DummyRegressor)", setup_fitted, call_set_params_text, after_set_params,
      free_all, CTR_MAY_RELEASE}, REG, NO_TEXT},
    {{"check_params (DummyClassifier)", setup_est, call_check_params, NULL, free_all, 0}, CLF,
     NO_TEXT},
    {{"fit (DummyClassifier)", setup_est, call_fit, after_fit, free_all, 0}, CLF, NO_TEXT},
    {{"fit (DummyRegressor)", setup_est, call_fit, after_fit, free_all, 0}, REG, NO_TEXT},
    {{"refit (DummyClassifier)", setup_fitted, call_fit, after_fit, free_all, CTR_MAY_RELEASE}, CLF, NO_TEXT},
    {{"refit (DummyRegressor)", setup_fitted, call_fit, after_fit, free_all, CTR_MAY_RELEASE}, REG,
     NO_TEXT},
    {{"fit_ex (DummyClassifier)", setup_est, call_fit_ex, after_fit, free_all, 0}, CLF, NO_TEXT},
    {{"predict (DummyClassifier)", setup_fitted, call_predict, after_predict, free_all, CTR_NO_ALLOC}, CLF,
     NO_TEXT},
    {{"predict (DummyRegressor)", setup_fitted, call_predict, after_predict, free_all, CTR_NO_ALLOC}, REG,
     NO_TEXT},
    {{"predict_proba (DummyClassifier)", setup_fitted, call_predict_proba, after_predict,
      free_all, CTR_NO_ALLOC}, CLF, NO_TEXT},
    {{"score (DummyClassifier)", setup_fitted, call_est_score, after_predict, free_all, 0}, CLF,
     NO_TEXT},
    {{"score (DummyRegressor)", setup_fitted, call_est_score, after_predict, free_all, 0}, REG,
     NO_TEXT},
    {{"save_buffer (DummyClassifier)", setup_fitted, call_save_buffer, after_save, free_all, 0},
     CLF, NO_TEXT},
    {{"save_buffer (DummyRegressor)", setup_fitted, call_save_buffer, after_save, free_all, 0},
     REG, NO_TEXT},
    {{"save_buffer (unfitted)", setup_est, call_save_buffer, after_save, free_all, 0}, CLF,
     NO_TEXT},
    {{"load_buffer (DummyClassifier)", setup_saved, call_load_buffer, after_load, free_all, 0},
     CLF, NO_TEXT},
    {{"load_buffer (DummyRegressor)", setup_saved, call_load_buffer, after_load, free_all, 0},
     REG, NO_TEXT},
    {{"load_buffer (unfitted)", setup_saved_unfitted, call_load_buffer, after_load, free_all, 0},
     REG, NO_TEXT},
    {{"save (file)", setup_file, call_save_file, after_save_file, teardown_file, 0}, CLF,
     NO_TEXT},
    {{"load (file)", setup_saved_file, call_load_file, after_load, teardown_file, 0}, REG,
     NO_TEXT},
    {{"ctune_check_estimator (DummyClassifier)", setup_est, call_check_kit, after_check_kit,
      free_all, 0}, CLF, NO_TEXT},
    {{"ctune_check_estimator (DummyRegressor)", setup_est, call_check_kit, after_check_kit,
      free_all, 0}, REG, NO_TEXT},
};
#define N_CASES ((int)(sizeof CASES / sizeof CASES[0]))

START_TEST(test_sweep)
{
    const sweep_case *sc = &CASES[_i];
    ctx c;
    memset(&c, 0, sizeof c);
    c.kind = sc->kind;
    c.text = sc->text;
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
            ctune_status rc = ctune_score(c.e, name, c.d, &c.score);
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
