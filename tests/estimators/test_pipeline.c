/* Check suite: Pipeline (with built-in and custom steps). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* ---- custom estimators, written against the public vtable only ------------------------ */

/* "Rule": class 1 when x[0] > offset, else class 0 (needs 2 classes). Its
 * predictions depend on the scale of x, unlike a tree's. */
typedef struct rule {
    double offset;
} rule;

static const ctune_param_spec RULE_SPEC[] = {
    {"offset", CTUNE_TYPE_DOUBLE, "0.0", NULL, NULL, "threshold on x[0]"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

static ctune_status rule_create(void **self, const ctune_params *p, void *user)
{
    (void)user;
    rule *r = malloc(sizeof *r);
    if (!r)
        return ctune_set_error(CTUNE_ENOMEM, "rule: out of memory");
    ctune_status rc = ctune_params_get_double(&r->offset, p, "offset");
    if (rc != CTUNE_OK) {
        free(r);
        return rc;
    }
    *self = r;
    return CTUNE_OK;
}

static ctune_status rule_fit(void *self, const ctune_data *train, size_t n_classes,
                             const ctune_fit_ctx *ctx)
{
    (void)self;
    (void)train;
    (void)ctx;
    if (n_classes != 2)
        return ctune_set_error(CTUNE_EDATA, "Rule needs 2 classes, got %zu", n_classes);
    return CTUNE_OK;
}

static ctune_status rule_predict(void *self, const ctune_data *X, double *out)
{
    const rule *r = self;
    for (size_t i = 0; i < ctune_data_n_rows(X); i++)
        out[i] = ctune_data_x(X, i, 0) > r->offset ? 1 : 0;
    return CTUNE_OK;
}

static ctune_status rule_proba(void *self, const ctune_data *X, double *out)
{
    const rule *r = self;
    for (size_t i = 0; i < ctune_data_n_rows(X); i++) {
        int one = ctune_data_x(X, i, 0) > r->offset;
        out[2 * i] = one ? 0.25 : 0.75;
        out[2 * i + 1] = one ? 0.75 : 0.25;
    }
    return CTUNE_OK;
}

static void rule_destroy(void *self) { free(self); }

static const ctune_estimator_vtable RULE_VT = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "Rule",
    .kind = CTUNE_CLASSIFIER,
    .params = RULE_SPEC,
    .create = rule_create,
    .fit = rule_fit,
    .predict = rule_predict,
    .predict_proba = rule_proba,
    .destroy = rule_destroy,
};

/* The same rule without predict_proba. */
static const ctune_estimator_vtable RULE_NOPROBA_VT = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "RuleNoProba",
    .kind = CTUNE_CLASSIFIER,
    .params = RULE_SPEC,
    .create = rule_create,
    .fit = rule_fit,
    .predict = rule_predict,
    .destroy = rule_destroy,
};

/* "Widen": [x, c·x] (doubles the width); inverse keeps the first half. */
typedef struct widen {
    double c;
    size_t d;
} widen;

static const ctune_param_spec WIDEN_SPEC[] = {
    {"c", CTUNE_TYPE_DOUBLE, "2.0", "(0, inf)", NULL, "factor of the copy"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

static ctune_status widen_create(void **self, const ctune_params *p, void *user)
{
    (void)user;
    widen *w = calloc(1, sizeof *w);
    if (!w)
        return ctune_set_error(CTUNE_ENOMEM, "widen: out of memory");
    ctune_status rc = ctune_params_get_double(&w->c, p, "c");
    if (rc != CTUNE_OK) {
        free(w);
        return rc;
    }
    *self = w;
    return CTUNE_OK;
}

static ctune_status widen_fit(void *self, const ctune_data *train, size_t n_classes,
                              const ctune_fit_ctx *ctx)
{
    (void)n_classes;
    (void)ctx;
    ((widen *)self)->d = ctune_data_n_cols(train);
    return CTUNE_OK;
}

static size_t widen_nout(const void *self) { return 2 * ((const widen *)self)->d; }

static ctune_status widen_transform(void *self, const ctune_data *X, double *out)
{
    const widen *w = self;
    for (size_t i = 0; i < ctune_data_n_rows(X); i++)
        for (size_t j = 0; j < w->d; j++) {
            double v = ctune_data_x(X, i, j);
            out[i * 2 * w->d + j] = v;
            out[i * 2 * w->d + w->d + j] = w->c * v;
        }
    return CTUNE_OK;
}

static ctune_status widen_inverse(void *self, const ctune_data *X, double *out)
{
    const widen *w = self;
    for (size_t i = 0; i < ctune_data_n_rows(X); i++)
        for (size_t j = 0; j < w->d; j++)
            out[i * w->d + j] = ctune_data_x(X, i, j);
    return CTUNE_OK;
}

static void widen_destroy(void *self) { free(self); }

static const ctune_estimator_vtable WIDEN_VT = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "Widen",
    .kind = CTUNE_TRANSFORMER,
    .params = WIDEN_SPEC,
    .create = widen_create,
    .fit = widen_fit,
    .n_features_out = widen_nout,
    .transform = widen_transform,
    .inverse_transform = widen_inverse,
    .destroy = widen_destroy,
};

/* ---- helpers ---------------------------------------------------------------------------- */

static ctune_estimator *new_est(const ctune_estimator_vtable *vt, const char *params)
{
    ctune_estimator *e;
    ck_assert_ok(ctune_estimator_new(&e, vt, NULL));
    if (params)
        ck_assert_ok(ctune_estimator_set_params_text(e, params));
    return e;
}

static ctune_estimator *scaler(const char *params)
{
    ctune_estimator *e;
    ck_assert_ok(ctune_standard_scaler_new(&e));
    if (params)
        ck_assert_ok(ctune_estimator_set_params_text(e, params));
    return e;
}

static ctune_estimator *tree(const char *params)
{
    ctune_estimator *e;
    ck_assert_ok(ctune_decision_tree_classifier_new(&e));
    if (params)
        ck_assert_ok(ctune_estimator_set_params_text(e, params));
    return e;
}

/* Appends a step and frees the caller's handle (the pipeline keeps a clone). */
static void add(ctune_estimator *pipe, const char *name, ctune_estimator *step)
{
    ck_assert_ok(ctune_pipeline_add_step(pipe, name, step));
    ctune_estimator_free(step);
}

static ctune_estimator *scaled_rule(void)
{
    ctune_estimator *pipe;
    ck_assert_ok(ctune_pipeline_new(&pipe));
    add(pipe, "scaler", scaler(NULL));
    add(pipe, "rule", new_est(&RULE_VT, NULL));
    return pipe;
}

/* ---- tests -------------------------------------------------------------------------------- */

/* The scaler is fitted on the training rows only. Training rows x = 0..5
 * (mean 2.5) and test rows x = 3, 4, 30: scaled with the training mean the
 * test rows are all > 0 (class 7). Had the scaler seen all 9 rows (mean
 * 52/9 = 5.78), 3 and 4 would fall below 0 (class 3): that is what a
 * pipeline fitted on all the data predicts for them. */
START_TEST(test_transformers_fit_on_training_rows_only)
{
    double X[] = {0, 1, 2, 3, 4, 5, 3, 4, 30}, y[] = {3, 3, 3, 7, 7, 7, 7, 7, 7};
    ctune_data *all, *train, *test;
    ck_assert_ok(ctune_data_new(&all, X, CTUNE_FLOAT64, 9, 1, 0, y, 1));
    size_t tr[] = {0, 1, 2, 3, 4, 5}, te[] = {6, 7, 8};
    ck_assert_ok(ctune_data_subset(&train, all, tr, 6));
    ck_assert_ok(ctune_data_subset(&test, all, te, 3));
    ctune_estimator *pipe = scaled_rule();
    ck_assert_int_eq(ctune_estimator_kind(pipe), CTUNE_CLASSIFIER);
    ck_assert_ok(ctune_estimator_fit(pipe, train));
    double pred[3], proba[6], acc;
    ck_assert_ok(ctune_estimator_predict(pred, pipe, test));
    ck_assert_double_eq(pred[0], 7);
    ck_assert_double_eq(pred[1], 7);
    ck_assert_double_eq(pred[2], 7);
    ck_assert_ok(ctune_estimator_score(&acc, pipe, test));
    ck_assert_double_eq(acc, 1);
    ck_assert_ok(ctune_estimator_predict_proba(proba, pipe, test));
    ck_assert_double_eq(proba[1], 0.75);
    const ctune_estimator *sc;
    ck_assert_ok(ctune_pipeline_step(&sc, pipe, "scaler"));
    double mean;
    ck_assert_ok(ctune_scaler_mean(&mean, sc));
    ck_assert_double_eq(mean, 2.5);
    /* the leaky alternative really predicts differently */
    ck_assert_ok(ctune_estimator_fit(pipe, all));
    ck_assert_ok(ctune_estimator_predict(pred, pipe, test));
    ck_assert_double_eq(pred[0], 3);
    ck_assert_double_eq(pred[1], 3);
    ck_assert_double_eq(pred[2], 7);
    ctune_estimator_free(pipe);
    ctune_data_free(train);
    ctune_data_free(test);
    ctune_data_free(all);
}
END_TEST

/* A scaler step hands the next step a view of its input with the column map
 * applied, not a copy: what the next step sees (here an MLP trained on it,
 * and a tree) is bit for bit what it sees after a scaler's transform by
 * hand, on float64 and float32 data, over a fold subset. */
static void fit_by_hand(ctune_estimator *proto, const ctune_data *train, const ctune_data *test,
                        size_t nc, double *proba)
{
    size_t n = ctune_data_n_rows(train), m = ctune_data_n_rows(test);
    size_t d = ctune_data_n_cols(train);
    ctune_estimator *sc, *est;
    ck_assert_ok(ctune_standard_scaler_new(&sc));
    ck_assert_ok(ctune_estimator_fit(sc, train));
    double *xt = malloc(n * d * sizeof *xt), *xs = malloc(m * d * sizeof *xs);
    double *yt = malloc(n * sizeof *yt);
    ck_assert_ok(ctune_estimator_transform(xt, sc, train));
    ck_assert_ok(ctune_estimator_transform(xs, sc, test));
    ck_assert_ok(ctune_data_gather_y(yt, train, NULL, n));
    ctune_data *dt, *ds;
    ck_assert_ok(ctune_data_new(&dt, xt, CTUNE_FLOAT64, n, d, 0, yt, 1));
    ck_assert_ok(ctune_data_new(&ds, xs, CTUNE_FLOAT64, m, d, 0, NULL, 0));
    ck_assert_ok(ctune_estimator_clone(&est, proto));
    ck_assert_ok(ctune_estimator_fit(est, dt));
    ck_assert_ok(ctune_estimator_predict_proba(proba, est, ds));
    (void)nc;
    ctune_estimator_free(est);
    ctune_estimator_free(sc);
    ctune_data_free(dt);
    ctune_data_free(ds);
    free(xt);
    free(xs);
    free(yt);
}

START_TEST(test_scaler_view_equals_transform)
{
    enum { N = 300, D = 5 };
    static double X[N * D], y[N];
    static float X32[N * D];
    ck_assert_ok(ctune_make_classification(X, y, N, D, 3, 2, 1.0, 7));
    for (size_t i = 0; i < N * D; i++) {
        X[i] = X[i] * 1000 + 50; /* far from standard: the map matters */
        X32[i] = (float)X[i];
    }
    size_t rows[N / 2];
    for (size_t i = 0; i < N / 2; i++)
        rows[i] = 2 * i + (i % 3 == 0);
    for (int f32 = 0; f32 < 2; f32++) {
        ctune_data *all, *train;
        ck_assert_ok(ctune_data_new(&all, f32 ? (const void *)X32 : (const void *)X,
                                    f32 ? CTUNE_FLOAT32 : CTUNE_FLOAT64, N, D, 0, y, 1));
        ck_assert_ok(ctune_data_subset(&train, all, rows, N / 2));
        ctune_estimator *mlp, *tree, *sc;
        ck_assert_ok(ctune_mlp_classifier_new(&mlp));
        ck_assert_ok(ctune_estimator_set_params_text(mlp, "epochs=3, batch_size=16, nn=8"));
        ck_assert_ok(ctune_decision_tree_classifier_new(&tree));
        ck_assert_ok(ctune_standard_scaler_new(&sc));
        ctune_estimator *steps[2] = {mlp, tree};
        for (int k = 0; k < 2; k++) {
            ctune_estimator *pipe;
            ck_assert_ok(ctune_pipeline_new(&pipe));
            ck_assert_ok(ctune_pipeline_add_step(pipe, "scaler", sc));
            ck_assert_ok(ctune_pipeline_add_step(pipe, "last", steps[k]));
            ck_assert_ok(ctune_estimator_fit(pipe, train));
            static double p1[N * 2], p2[N * 2];
            ck_assert_ok(ctune_estimator_predict_proba(p1, pipe, all));
            fit_by_hand(steps[k], train, all, 2, p2);
            ck_assert_msg(memcmp(p1, p2, sizeof p1) == 0, "step %d, float32 %d", k, f32);
            ctune_estimator_free(pipe);
        }
        ctune_estimator_free(mlp);
        ctune_estimator_free(tree);
        ctune_estimator_free(sc);
        ctune_data_free(train);
        ctune_data_free(all);
    }
}
END_TEST

/* 4-fold CV by hand on synthetic data: the pipeline's predictions equal a
 * scaler fitted by hand on each training fold followed by the rule. */
START_TEST(test_cross_validation_by_hand)
{
    enum { N = 40 };
    double X[N * 2], y[N];
    ctune_rng *rng;
    ck_assert_ok(ctune_rng_new(&rng, ctu_seed(), 2));
    for (int i = 0; i < N; i++) {
        X[2 * i] = 10 * ctune_rng_uniform(rng) + (i < N / 2 ? 0 : 5); /* drifting mean */
        X[2 * i + 1] = ctune_rng_normal(rng);
        y[i] = X[2 * i] > 7 ? 1 : 0;
    }
    ctune_rng_free(rng);
    ctune_data *all;
    ck_assert_ok(ctune_data_new(&all, X, CTUNE_FLOAT64, N, 2, 0, y, 1));
    ctune_estimator *pipe = scaled_rule();
    ck_assert_ok(ctune_estimator_set_params_text(pipe, "rule__offset=0.1"));
    for (int k = 0; k < 4; k++) {
        size_t tr[N], te[N], a = 0, b = 0;
        for (int i = 0; i < N; i++) {
            if (i % 4 == k)
                te[b++] = (size_t)i;
            else
                tr[a++] = (size_t)i;
        }
        ctune_data *train, *test;
        ck_assert_ok(ctune_data_subset(&train, all, tr, a));
        ck_assert_ok(ctune_data_subset(&test, all, te, b));
        ck_assert_ok(ctune_estimator_fit(pipe, train));
        double pred[N];
        ck_assert_ok(ctune_estimator_predict(pred, pipe, test));
        /* by hand */
        double m = 0, v = 0;
        for (size_t i = 0; i < a; i++)
            m += X[2 * tr[i]] / (double)a;
        for (size_t i = 0; i < a; i++)
            v += (X[2 * tr[i]] - m) * (X[2 * tr[i]] - m) / (double)a;
        for (size_t i = 0; i < b; i++) {
            double z = (X[2 * te[i]] - m) / sqrt(v);
            ck_assert_double_eq(pred[i], z > 0.1 ? 1 : 0);
        }
        ctune_data_free(train);
        ctune_data_free(test);
    }
    ctune_estimator_free(pipe);
    ctune_data_free(all);
}
END_TEST

START_TEST(test_param_routing)
{
    ctune_estimator *pipe;
    ck_assert_ok(ctune_pipeline_new(&pipe));
    ck_assert_int_eq(ctune_estimator_kind(pipe), CTUNE_TRANSFORMER);
    ck_assert_uint_eq(ctune_params_count(ctune_estimator_get_params(pipe)), 0);
    add(pipe, "scaler", scaler("with_std=false"));
    ck_assert_int_eq(ctune_estimator_kind(pipe), CTUNE_TRANSFORMER);
    add(pipe, "tree", tree("max_depth=3, criterion=entropy"));
    ck_assert_int_eq(ctune_estimator_kind(pipe), CTUNE_CLASSIFIER);
    ck_assert_str_eq(ctune_estimator_name(pipe), "Pipeline");
    ck_assert_uint_eq(ctune_pipeline_n_steps(pipe), 2);
    ck_assert_str_eq(ctune_pipeline_step_name(pipe, 1), "tree");
    ck_assert_ptr_null(ctune_pipeline_step_name(pipe, 2));
    const ctune_params *p = ctune_estimator_get_params(pipe);
    ck_assert_uint_eq(ctune_params_count(p), 12);
    ck_assert_str_eq(ctune_params_name(p, 0), "scaler__with_mean");
    ck_assert_str_eq(ctune_params_name(p, 2), "tree__criterion");
    /* the steps' values at add_step time */
    int64_t depth;
    int b;
    const char *s;
    ck_assert_ok(ctune_params_get_int(&depth, p, "tree__max_depth"));
    ck_assert_int_eq(depth, 3);
    ck_assert_ok(ctune_params_get_bool(&b, p, "scaler__with_std"));
    ck_assert_int_eq(b, 0);
    ck_assert_ok(ctune_params_get_string(&s, p, "tree__criterion"));
    ck_assert_str_eq(s, "entropy");
    ck_assert_int_eq(ctune_params_is_none(p, "tree__max_leaf_nodes"), 1);
    /* set_params routes to the steps at fit */
    ck_assert_ok(
        ctune_estimator_set_params_text(pipe, "tree__max_depth=1, scaler__with_mean=false"));
    double X[] = {1, 2, 3, 4, 5, 6, 7, 8}, y[] = {0, 0, 1, 1, 0, 0, 1, 1};
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 8, 1, 0, y, 1));
    ck_assert_ok(ctune_estimator_fit(pipe, d));
    const ctune_estimator *t, *sc;
    ck_assert_ok(ctune_pipeline_step(&t, pipe, "tree"));
    size_t dd;
    ck_assert_ok(ctune_tree_depth(&dd, t));
    ck_assert_uint_eq(dd, 1);
    ck_assert_ok(ctune_params_get_int(&depth, ctune_estimator_get_params(t), "max_depth"));
    ck_assert_int_eq(depth, 1);
    ck_assert_ok(ctune_pipeline_step(&sc, pipe, "scaler"));
    ck_assert_ok(ctune_params_get_bool(&b, ctune_estimator_get_params(sc), "with_mean"));
    ck_assert_int_eq(b, 0);
    ck_assert_ok(ctune_params_get_string(&s, ctune_estimator_get_params(t), "criterion"));
    ck_assert_str_eq(s, "entropy");
    /* errors name the legal names; nothing changes on error */
    ck_assert_status(ctune_estimator_set_params_text(pipe, "forest__max_depth=2"), CTUNE_EINVAL);
    ck_assert_error_has("unknown parameter 'forest__max_depth' for Pipeline; known: "
                        "scaler__with_mean, scaler__with_std, tree__criterion, tree__splitter");
    ck_assert_status(ctune_estimator_set_params_text(pipe, "tree__max_dept=2"), CTUNE_EINVAL);
    ck_assert_error_has("unknown parameter 'tree__max_dept' for Pipeline; known: ");
    ck_assert_status(ctune_estimator_set_params_text(pipe, "max_depth=2"), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_set_params_text(pipe, "tree__max_depth=deep"), CTUNE_EINVAL);
    ck_assert_error_has("parameter 'tree__max_depth' must be int or none, got string 'deep'");
    ck_assert_status(ctune_estimator_set_params_text(pipe, "tree__criterion=mse"), CTUNE_EINVAL);
    ck_assert_error_has("'tree__criterion' = 'mse' is not one of gini|entropy|log_loss");
    ck_assert_status(ctune_estimator_set_params_text(pipe, "scaler__with_std=3"), CTUNE_EINVAL);
    ck_assert_int_eq(ctune_estimator_is_fitted(pipe), 1); /* failed set_params changed nothing */
    ck_assert_ok(ctune_params_get_int(&depth, ctune_estimator_get_params(pipe), "tree__max_depth"));
    ck_assert_int_eq(depth, 1);
    /* a value the step rejects at fit fails the pipeline's fit, naming the step */
    ck_assert_ok(ctune_estimator_set_params_text(pipe, "tree__min_samples_split=1"));
    ck_assert_status(ctune_estimator_fit(pipe, d), CTUNE_EINVAL);
    ck_assert_error_has("Pipeline step 1 (DecisionTreeClassifier): fit: ");
    ck_assert_error_has("min_samples_split = 1");
    ck_assert_int_eq(ctune_estimator_is_fitted(pipe), 0);
    ctune_data_free(d);
    ctune_estimator_free(pipe);
}
END_TEST

START_TEST(test_clone_clones_steps)
{
    ctune_estimator *pipe, *c, *c2;
    ck_assert_ok(ctune_pipeline_new(&pipe));
    add(pipe, "scaler", scaler(NULL));
    add(pipe, "tree", tree("max_depth=2"));
    double X[] = {1, 2, 3, 4, 5, 6, 7, 8}, y[] = {0, 0, 1, 1, 0, 0, 1, 1};
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 8, 1, 0, y, 1));
    ck_assert_ok(ctune_estimator_fit(pipe, d));
    ck_assert_ok(ctune_estimator_clone(&c, pipe));
    ck_assert_int_eq(ctune_estimator_is_fitted(c), 0);
    ck_assert_int_eq(ctune_estimator_kind(c), CTUNE_CLASSIFIER);
    ck_assert_uint_eq(ctune_pipeline_n_steps(c), 2);
    ck_assert_int_eq(
        ctune_params_equal(ctune_estimator_get_params(c), ctune_estimator_get_params(pipe)), 1);
    ck_assert_ok(ctune_estimator_set_params_text(c, "tree__max_depth=5"));
    int64_t depth;
    ck_assert_ok(ctune_params_get_int(&depth, ctune_estimator_get_params(pipe), "tree__max_depth"));
    ck_assert_int_eq(depth, 2);
    /* adding a step to the original leaves the clone alone */
    ck_assert_ok(ctune_estimator_clone(&c2, c));
    ctune_estimator *t2;
    ck_assert_ok(ctune_pipeline_new(&t2));
    add(t2, "scaler", scaler(NULL));
    add(t2, "widen", new_est(&WIDEN_VT, NULL));
    ck_assert_uint_eq(ctune_pipeline_n_steps(t2), 2);
    ctune_estimator *t3;
    ck_assert_ok(ctune_estimator_clone(&t3, t2));
    /* clones share the definition until one of them changes it */
    ck_assert_ptr_eq(ctune_estimator_user(t3), ctune_estimator_user(t2));
    add(t2, "widen2", new_est(&WIDEN_VT, "c=3"));
    ck_assert_ptr_ne(ctune_estimator_user(t3), ctune_estimator_user(t2));
    ck_assert_uint_eq(ctune_pipeline_n_steps(t2), 3);
    ck_assert_uint_eq(ctune_pipeline_n_steps(t3), 2);
    ck_assert_uint_eq(ctune_params_count(ctune_estimator_get_params(t3)), 3);
    ck_assert_uint_eq(ctune_params_count(ctune_estimator_get_params(t2)), 4);
    ck_assert_str_eq(ctune_pipeline_step_name(t2, 2), "widen2");
    ck_assert_ptr_null(ctune_pipeline_step_name(t3, 2));
    /* the clone lives on after the original is freed */
    ctune_estimator_free(pipe);
    ck_assert_ok(ctune_estimator_fit(c, d));
    const ctune_estimator *t;
    ck_assert_ok(ctune_pipeline_step(&t, c, "tree"));
    ck_assert_ok(ctune_params_get_int(&depth, ctune_estimator_get_params(t), "max_depth"));
    ck_assert_int_eq(depth, 5);
    ck_assert_ok(ctune_estimator_fit(c2, d));
    double p1[8], p2[8];
    ck_assert_ok(ctune_estimator_predict(p1, c, d));
    ck_assert_ok(ctune_estimator_predict(p2, c2, d));
    ck_assert_int_eq(memcmp(p1, p2, sizeof p1), 0);
    ctune_estimator_free(c);
    ctune_estimator_free(c2);
    ctune_estimator_free(t2);
    ctune_estimator_free(t3);
    ctune_data_free(d);
}
END_TEST

/* Custom steps through the vtable: a width-changing transformer, routed
 * custom params, predict_proba present only when the last step has one,
 * transformer-only pipelines with transform / inverse_transform. */
START_TEST(test_custom_steps_and_kinds)
{
    double X[] = {-2, -1, 1, 2}, y[] = {0, 0, 1, 1};
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 4, 1, 0, y, 1));
    ctune_estimator *pipe;
    ck_assert_ok(ctune_pipeline_new(&pipe));
    add(pipe, "widen", new_est(&WIDEN_VT, "c=3"));
    add(pipe, "rule", new_est(&RULE_VT, NULL));
    const ctune_params *p = ctune_estimator_get_params(pipe);
    ck_assert_int_ge(ctune_params_find(p, "widen__c"), 0);
    ck_assert_int_ge(ctune_params_find(p, "rule__offset"), 0);
    ck_assert_ok(ctune_estimator_fit(pipe, d));
    double pred[4], proba[8];
    ck_assert_ok(ctune_estimator_predict(pred, pipe, d));
    ck_assert_double_eq(pred[0], 0);
    ck_assert_double_eq(pred[3], 1);
    ck_assert_ok(ctune_estimator_set_params_text(pipe, "rule__offset=1.5"));
    ck_assert_ok(ctune_estimator_fit(pipe, d));
    ck_assert_ok(ctune_estimator_predict(pred, pipe, d));
    ck_assert_double_eq(pred[2], 0);
    ck_assert_double_eq(pred[3], 1);
    ck_assert_ok(ctune_estimator_predict_proba(proba, pipe, d));
    ck_assert_double_eq(proba[7], 0.75);
    ck_assert(ctune_estimator_vtable_of(pipe)->predict_proba != NULL);
    ctune_estimator_free(pipe);
    /* no predict_proba on the last step: none on the pipeline */
    ck_assert_ok(ctune_pipeline_new(&pipe));
    add(pipe, "scaler", scaler(NULL));
    add(pipe, "rule", new_est(&RULE_NOPROBA_VT, NULL));
    ck_assert(ctune_estimator_vtable_of(pipe)->predict_proba == NULL);
    ck_assert_ok(ctune_estimator_fit(pipe, d));
    ck_assert_status(ctune_estimator_predict_proba(proba, pipe, d), CTUNE_EUNSUPPORTED);
    ck_assert_status(ctune_estimator_transform(proba, pipe, d), CTUNE_EUNSUPPORTED);
    ck_assert_error_has("the last step (RuleNoProba) is not a transformer");
    ck_assert_status(ctune_estimator_inverse_transform(proba, pipe, d), CTUNE_EUNSUPPORTED);
    ctune_estimator_free(pipe);
    /* transformers only: a transformer pipeline */
    ck_assert_ok(ctune_pipeline_new(&pipe));
    add(pipe, "scaler", scaler(NULL));
    add(pipe, "widen", new_est(&WIDEN_VT, NULL));
    ck_assert_int_eq(ctune_estimator_kind(pipe), CTUNE_TRANSFORMER);
    ck_assert_ok(ctune_estimator_fit(pipe, d));
    ck_assert_uint_eq(ctune_estimator_n_outputs(pipe), 2);
    double t[8], back[4];
    ck_assert_ok(ctune_estimator_transform(t, pipe, d));
    double sd = sqrt(2.5); /* mean 0, var (4 + 1 + 1 + 4) / 4 */
    ck_assert_double_eq_tol(t[0], -2 / sd, 1e-15);
    ck_assert_double_eq_tol(t[1], -4 / sd, 1e-15);
    ck_assert_ok(ctune_estimator_predict(t, pipe, d)); /* predict = transform */
    ck_assert_double_eq_tol(t[7], 4 / sd, 1e-15);
    ctune_data *td;
    ck_assert_ok(ctune_data_new(&td, t, CTUNE_FLOAT64, 4, 2, 0, NULL, 0));
    ck_assert_ok(ctune_estimator_inverse_transform(back, pipe, td));
    for (int i = 0; i < 4; i++)
        ck_assert_double_eq_tol(back[i], X[i], 1e-14);
    ctune_data_free(td);
    double sc;
    ck_assert_status(ctune_estimator_score(&sc, pipe, d), CTUNE_EUNSUPPORTED);
    ctune_estimator_free(pipe);
    ctune_data_free(d);
}
END_TEST

/* A regression pipeline predicts what its tree predicts on scaled data, and
 * a pipeline can be a step of another pipeline. */
START_TEST(test_regressor_and_nested)
{
    double X[] = {1, 2, 3, 4, 5, 6}, y[] = {1, 1, 1, 5, 5, 6};
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 6, 1, 0, y, 1));
    ctune_estimator *inner, *outer, *reg;
    ck_assert_ok(ctune_pipeline_new(&inner));
    add(inner, "scaler", scaler(NULL));
    ck_assert_ok(ctune_pipeline_new(&outer));
    ck_assert_ok(ctune_pipeline_add_step(outer, "prep", inner));
    ck_assert_ok(ctune_decision_tree_regressor_new(&reg));
    add(outer, "reg", reg);
    ck_assert_int_eq(ctune_estimator_kind(outer), CTUNE_REGRESSOR);
    const ctune_params *op = ctune_estimator_get_params(outer);
    ck_assert_int_ge(ctune_params_find(op, "prep__scaler__with_mean"), 0);
    ck_assert_ok(
        ctune_estimator_set_params_text(outer, "prep__scaler__with_std=false, reg__max_depth=1"));
    ck_assert_ok(ctune_estimator_fit(outer, d));
    ck_assert_uint_eq(ctune_estimator_n_outputs(outer), 1);
    double q[] = {0, 10}, pred[2];
    ctune_data *qd;
    ck_assert_ok(ctune_data_new(&qd, q, CTUNE_FLOAT64, 2, 1, 0, NULL, 0));
    ck_assert_ok(ctune_estimator_predict(pred, outer, qd));
    ck_assert_double_eq(pred[0], 1);
    ck_assert_double_eq_tol(pred[1], 16.0 / 3, 1e-12);
    const ctune_estimator *prep, *sc;
    ck_assert_ok(ctune_pipeline_step(&prep, outer, "prep"));
    ck_assert_ok(ctune_pipeline_step(&sc, prep, "scaler"));
    double scale;
    ck_assert_ok(ctune_scaler_scale(&scale, sc));
    ck_assert_double_eq(scale, 1);
    double r2;
    ck_assert_ok(ctune_estimator_set_params_text(outer, "reg__max_depth=none"));
    ck_assert_ok(ctune_estimator_fit(outer, d));
    ck_assert_ok(ctune_estimator_score(&r2, outer, d));
    ck_assert_double_eq_tol(r2, 1, 1e-12);
    ctune_data_free(qd);
    ctune_data_free(d);
    ctune_estimator_free(inner);
    ctune_estimator_free(outer);
}
END_TEST

START_TEST(test_bad_input)
{
    ctune_estimator *pipe, *s = scaler(NULL), *t = tree(NULL);
    const ctune_estimator *out;
    ck_assert_status(ctune_pipeline_new(NULL), CTUNE_EINVAL);
    ck_assert_ok(ctune_pipeline_new(&pipe));
    double X[] = {1, 2, 3, 4}, y[] = {0, 1, 0, 1};
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 4, 1, 0, y, 1));
    ck_assert_status(ctune_estimator_fit(pipe, d), CTUNE_ESTATE);
    ck_assert_error_has("Pipeline has no steps: add them with ctune_pipeline_add_step()");
    ck_assert_status(ctune_pipeline_add_step(NULL, "s", s), CTUNE_EINVAL);
    ck_assert_status(ctune_pipeline_add_step(pipe, NULL, s), CTUNE_EINVAL);
    ck_assert_status(ctune_pipeline_add_step(pipe, "s", NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_pipeline_add_step(t, "s", s), CTUNE_EINVAL);
    ck_assert_error_has("DecisionTreeClassifier is not a Pipeline");
    const char *bad[] = {
        "",    "a__b",   "9lives",
        "x-y", "sp ace", "a234567890123456789012345678901234567890123456789012345678901234"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        ck_assert_status(ctune_pipeline_add_step(pipe, bad[k], s), CTUNE_EINVAL);
        ck_assert_error_has("is not valid: use [A-Za-z_][A-Za-z0-9_]* without \"__\"");
    }
    ck_assert_ok(ctune_pipeline_add_step(pipe, "scaler", s));
    ck_assert_status(ctune_pipeline_add_step(pipe, "scaler", s), CTUNE_EINVAL);
    ck_assert_error_has("already has a step named 'scaler'");
    ck_assert_ok(ctune_pipeline_add_step(pipe, "tree", t));
    ck_assert_status(ctune_pipeline_add_step(pipe, "more", s), CTUNE_EINVAL);
    ck_assert_error_has("cannot add 'more' after step 'tree' (DecisionTreeClassifier), "
                        "which is not a transformer");
    ck_assert_uint_eq(ctune_pipeline_n_steps(pipe), 2);
    ck_assert_uint_eq(ctune_pipeline_n_steps(t), 0);
    ck_assert_uint_eq(ctune_pipeline_n_steps(NULL), 0);
    ck_assert_ptr_null(ctune_pipeline_step_name(t, 0));
    /* fitted steps */
    ck_assert_status(ctune_pipeline_step(&out, pipe, "tree"), CTUNE_ESTATE);
    ck_assert_ok(ctune_estimator_fit(pipe, d));
    ck_assert_status(ctune_pipeline_step(&out, pipe, "forest"), CTUNE_EINVAL);
    ck_assert_error_has("unknown step 'forest'; steps: scaler, tree");
    ck_assert_status(ctune_pipeline_step(&out, pipe, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_pipeline_step(NULL, pipe, "tree"), CTUNE_EINVAL);
    ck_assert_status(ctune_pipeline_step(&out, t, "tree"), CTUNE_EINVAL);
    /* data errors: NaN, width */
    double Xn[] = {1, NAN};
    ctune_data *nd;
    ck_assert_ok(ctune_data_new(&nd, Xn, CTUNE_FLOAT64, 2, 1, 0, NULL, 0));
    double pred[4];
    ck_assert_status(ctune_estimator_predict(pred, pipe, nd), CTUNE_EDATA);
    ck_assert_error_has("X row 1, column 0 is NaN");
    ctune_data *wide;
    ck_assert_ok(ctune_data_new(&wide, X, CTUNE_FLOAT64, 2, 2, 0, NULL, 0));
    ck_assert_status(ctune_estimator_predict(pred, pipe, wide), CTUNE_EDATA);
    ck_assert_error_has("X has 2 features, but Pipeline was fitted with 1");
    /* a failing step's fit names the step */
    ctune_estimator *p2;
    ck_assert_ok(ctune_pipeline_new(&p2));
    add(p2, "rule", new_est(&RULE_VT, NULL));
    double y3[] = {0, 1, 2, 0};
    ctune_data *d3;
    ck_assert_ok(ctune_data_new(&d3, X, CTUNE_FLOAT64, 4, 1, 0, y3, 1));
    ck_assert_status(ctune_estimator_fit(p2, d3), CTUNE_EDATA);
    ck_assert_error_has("Pipeline step 0 (Rule): fit: Rule needs 2 classes, got 3");
    ctune_data_free(d3);
    ctune_estimator_free(p2);
    ctune_data_free(wide);
    ctune_data_free(nd);
    ctune_data_free(d);
    ctune_estimator_free(pipe);
    ctune_estimator_free(s);
    ctune_estimator_free(t);
}
END_TEST

/* Allocation failures in add_step, clone, fit and predict: always
 * CTUNE_ENOMEM, nothing leaks, the pipeline stays usable. */
START_TEST(test_alloc_failure_sweeps)
{
    double X[] = {1, 5, 2, 6, 3, 7, 4, 8, 5, 9, 6, 1}, y[] = {0, 0, 1, 1, 0, 1};
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 6, 2, 0, y, 1));
    ctune_estimator *s = scaler(NULL), *t = tree(NULL);
    int64_t live = ctune_alloc_live();
    int done = 0;
    for (int k = 1; k < 2000 && !done; k++) {
        ctune_estimator *pipe = NULL, *c = NULL;
        double pred[6];
        ctune_alloc_fail_at(k, 0);
        ctune_status rc = ctune_pipeline_new(&pipe);
        if (rc == CTUNE_OK)
            rc = ctune_pipeline_add_step(pipe, "scaler", s);
        /* the clone shares pipe's definition: adding a step copies it */
        if (rc == CTUNE_OK)
            rc = ctune_estimator_clone(&c, pipe);
        if (rc == CTUNE_OK)
            rc = ctune_pipeline_add_step(c, "tree", t);
        if (rc == CTUNE_OK)
            rc = ctune_pipeline_add_step(pipe, "tree", t);
        if (rc == CTUNE_OK)
            rc = ctune_estimator_fit(c, d);
        if (rc == CTUNE_OK)
            rc = ctune_estimator_predict(pred, c, d);
        ctune_alloc_fail_at(0, 0);
        if (rc != CTUNE_OK) {
            ck_assert_msg(rc == CTUNE_ENOMEM, "k=%d: %d %s", k, rc, ctune_last_error());
            /* what was built still works */
            if (pipe && ctune_pipeline_n_steps(pipe) == 2) {
                ck_assert_ok(ctune_estimator_fit(pipe, d));
                ck_assert_uint_eq(ctune_params_count(ctune_estimator_get_params(pipe)), 12);
            }
            if (c && ctune_pipeline_n_steps(c) == 1) { /* add_step failed: c unchanged */
                ck_assert_uint_eq(ctune_pipeline_n_steps(pipe), 1);
                ck_assert_int_eq(ctune_params_equal(ctune_estimator_get_params(c),
                                                    ctune_estimator_get_params(pipe)),
                                 1);
            }
        } else {
            done = 1;
        }
        ctune_estimator_free(c);
        ctune_estimator_free(pipe);
        ck_assert_int_eq(ctune_alloc_live(), live);
    }
    ck_assert_int_eq(done, 1);
    ctune_estimator_free(s);
    ctune_estimator_free(t);
    ctune_data_free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pipeline");
    TCase *tc = tcase_create("pipeline");
    tcase_add_test(tc, test_transformers_fit_on_training_rows_only);
    tcase_add_test(tc, test_scaler_view_equals_transform);
    tcase_add_test(tc, test_cross_validation_by_hand);
    tcase_add_test(tc, test_param_routing);
    tcase_add_test(tc, test_clone_clones_steps);
    tcase_add_test(tc, test_custom_steps_and_kinds);
    tcase_add_test(tc, test_regressor_and_nested);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_alloc_failure_sweeps);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
