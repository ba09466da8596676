/* Check suite: persistence of every built-in estimator (trees, scaler,
 * pipelines, Keras-style estimators and MLPs, dummies) fitted on the test
 * CSV files: bit-identical predictions after a round trip through a buffer
 * and a file, accessors, unfitted models, truncated / flipped / corrupted
 * files, allocation failures, loading Keras-style estimators with a custom
 * builder. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/stream.h"
#include "persist/persist.h"
#include "persist/registry.h"
#include "testutil.h"

/* ---- data (tests/data, read with the test-only loader) ------------------ */

typedef struct dataset {
    double *X, *y;
    size_t n, d, t;
    ctune_data *data;
} dataset;

/* Classification data from a CSV; labels mapped to 3 + 4 * label so that
 * they are not 0..k-1. */
static void load_classes(dataset *s, const char *file)
{
    memset(s, 0, sizeof *s);
    ck_assert_int_eq(ctu_load_csv(ctu_data_path(file), &s->X, &s->y, &s->n, &s->d), 0);
    for (size_t i = 0; i < s->n; i++)
        s->y[i] = 3 + 4 * s->y[i];
    s->t = 1;
    ck_assert_ok(ctune_data_new(&s->data, s->X, CTUNE_FLOAT64, s->n, s->d, 0, s->y, 1));
}

/* Regression on iris: the first 3 columns (a strided view of X) predict
 * petal width and the class code (2 targets). */
static void load_iris_regression(dataset *s)
{
    double *y1;
    memset(s, 0, sizeof *s);
    ck_assert_int_eq(ctu_load_csv(ctu_data_path("iris.csv"), &s->X, &y1, &s->n, &s->d), 0);
    s->t = 2;
    s->y = malloc(s->n * 2 * sizeof *s->y);
    for (size_t i = 0; i < s->n; i++) {
        s->y[2 * i] = s->X[i * s->d + 3];
        s->y[2 * i + 1] = y1[i];
    }
    free(y1);
    ck_assert_ok(ctune_data_new(&s->data, s->X, CTUNE_FLOAT64, s->n, 3, s->d, s->y, 2));
}

static void free_dataset(dataset *s)
{
    ctune_data_free(s->data);
    free(s->X);
    free(s->y);
}

/* ---- a user's Keras builder --------------------------------------------- */

static const ctune_param_spec NET_SPEC[] = {
    {"width", CTUNE_TYPE_INT, "8", "[1, 64]", NULL, "hidden units"},
    {"act", CTUNE_TYPE_STRING, "tanh", NULL, "relu|tanh", "hidden activation"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

typedef struct net_user {
    int calls; /* build calls */
    int extra; /* 1: build another architecture (an edited builder) */
} net_user;

static ctune_status net_build(const ctune_params *p, ctune_model *m, void *user)
{
    net_user *u = user;
    u->calls++;
    int64_t width, n_classes = 0, n_outputs = 1;
    const char *act;
    ctune_status rc = ctune_params_get_int(&width, p, "width");
    if (rc == CTUNE_OK)
        rc = ctune_params_get_string(&act, p, "act");
    if (rc != CTUNE_OK)
        return rc;
    if (ctune_params_find(p, "n_classes_") >= 0)
        ctune_params_get_int(&n_classes, p, "n_classes_");
    ctune_params_get_int(&n_outputs, p, "n_outputs_");
    rc = ctune_model_add_dense(m, width, act, "kernel_initializer=he_uniform");
    if (rc == CTUNE_OK && u->extra)
        rc = ctune_model_add_dense(m, width, act, NULL);
    if (rc != CTUNE_OK)
        return rc;
    if (n_classes > 0) {
        rc = ctune_model_add_dense(m, n_classes, "softmax", NULL);
        if (rc == CTUNE_OK)
            rc = ctune_model_compile(m, "adam", "sparse_categorical_crossentropy",
                                     "learning_rate=0.01");
    } else {
        rc = ctune_model_add_dense(m, n_outputs, NULL, NULL);
        if (rc == CTUNE_OK)
            rc = ctune_model_compile(m, "rmsprop", "mse", "learning_rate=0.01");
    }
    return rc;
}

/* ---- helpers ------------------------------------------------------------- */

static unsigned char *save_buf(const ctune_estimator *e, size_t *len)
{
    *len = ck_assert_len(ctune_estimator_save_buffer(NULL, 0, e));
    unsigned char *b = malloc(*len);
    size_t len2;
    len2 = ck_assert_len(ctune_estimator_save_buffer(b, *len, e));
    ck_assert_uint_eq(len2, *len);
    return b;
}

static const char *tmp_path(const char *name)
{
    static char dir[64];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/ctune_pb_XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
    }
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

/* Loads from memory: by name when like is NULL, else like `like`. */
static ctune_status load_buf(ctune_estimator **out, const unsigned char *b, size_t len,
                             const ctune_estimator *like)
{
    return like ? ctune_estimator_load_like_buffer(out, b, len, like)
                : ctune_estimator_load_buffer(out, b, len, NULL, NULL);
}

/* Runs every prediction method that applies; statuses only (for loaded
 * corrupted models: they must not crash or read out of bounds). */
static void exercise(ctune_estimator *e, const ctune_data *X)
{
    size_t n = ctune_data_n_rows(X);
    size_t w = ctune_estimator_n_outputs(e) + ctune_estimator_n_classes(e) + 1;
    double *out = malloc(n * w * sizeof *out);
    if (ctune_estimator_kind(e) == CTUNE_TRANSFORMER) {
        (void)ctune_estimator_transform(out, e, X);
    } else {
        (void)ctune_estimator_predict(out, e, X);
        if (ctune_estimator_kind(e) == CTUNE_CLASSIFIER)
            (void)ctune_estimator_predict_proba(out, e, X);
    }
    free(out);
}

/* Same name, params, fitted state, and bit-identical outputs on X. */
static void assert_same_model(ctune_estimator *a, ctune_estimator *b, const ctune_data *X)
{
    ck_assert_str_eq(ctune_estimator_name(b), ctune_estimator_name(a));
    ck_assert_int_eq(ctune_estimator_kind(b), ctune_estimator_kind(a));
    ck_assert_int_eq(ctune_estimator_is_fitted(b), ctune_estimator_is_fitted(a));
    ck_assert_int_eq(
        ctune_params_equal(ctune_estimator_get_params(a), ctune_estimator_get_params(b)), 1);
    ck_assert_uint_eq(ctune_estimator_n_features_in(b), ctune_estimator_n_features_in(a));
    ck_assert_uint_eq(ctune_estimator_n_outputs(b), ctune_estimator_n_outputs(a));
    ck_assert_uint_eq(ctune_estimator_n_classes(b), ctune_estimator_n_classes(a));
    if (!ctune_estimator_is_fitted(a))
        return;
    size_t n = ctune_data_n_rows(X), o = ctune_estimator_n_outputs(a);
    size_t k = ctune_estimator_n_classes(a);
    double *pa = malloc(n * (o + k) * sizeof *pa), *pb = malloc(n * (o + k) * sizeof *pb);
    if (k) {
        ck_assert_ok(ctune_estimator_classes(pa, a));
        ck_assert_ok(ctune_estimator_classes(pb, b));
        ck_assert_int_eq(memcmp(pa, pb, k * sizeof *pa), 0);
        ck_assert_ok(ctune_estimator_predict_proba(pa, a, X));
        ck_assert_ok(ctune_estimator_predict_proba(pb, b, X));
        ck_assert_int_eq(memcmp(pa, pb, n * k * sizeof *pa), 0);
    }
    if (ctune_estimator_kind(a) == CTUNE_TRANSFORMER) {
        ck_assert_ok(ctune_estimator_transform(pa, a, X));
        ck_assert_ok(ctune_estimator_transform(pb, b, X));
    } else {
        ck_assert_ok(ctune_estimator_predict(pa, a, X));
        ck_assert_ok(ctune_estimator_predict(pb, b, X));
    }
    ck_assert_int_eq(memcmp(pa, pb, n * o * sizeof *pa), 0);
    if (ctune_data_n_targets(X) && ctune_estimator_kind(a) != CTUNE_TRANSFORMER) {
        double sa, sb;
        ck_assert_ok(ctune_estimator_score(&sa, a, X));
        ck_assert_ok(ctune_estimator_score(&sb, b, X));
        ck_assert_int_eq(memcmp(&sa, &sb, sizeof sa), 0);
    }
    free(pa);
    free(pb);
}

/* Saves `e` to a buffer and to a file (same bytes), loads both back (by name
 * or like `like`), checks them against `e` and that they save to the same
 * bytes. Returns the model loaded from the file. */
static ctune_estimator *round_trip(const ctune_estimator *e, const ctune_data *X,
                                   const ctune_estimator *like)
{
    size_t len;
    unsigned char *b = save_buf(e, &len);
    const char *path = tmp_path("model.ctm");
    ck_assert_ok(ctune_estimator_save(e, path));
    FILE *fp = fopen(path, "rb");
    unsigned char *fb = malloc(len + 1);
    ck_assert_uint_eq(fread(fb, 1, len + 1, fp), len);
    fclose(fp);
    ck_assert_int_eq(memcmp(fb, b, len), 0);
    free(fb);

    ctune_estimator *f, *g;
    if (like)
        ck_assert_ok(ctune_estimator_load_like(&f, path, like));
    else
        ck_assert_ok(ctune_estimator_load(&f, path, NULL, NULL));
    ck_assert_ok(load_buf(&g, b, len, like));
    assert_same_model((ctune_estimator *)e, f, X);
    assert_same_model((ctune_estimator *)e, g, X);
    size_t len2;
    unsigned char *b2 = save_buf(g, &len2);
    ck_assert_uint_eq(len2, len);
    ck_assert_int_eq(memcmp(b, b2, len), 0);
    free(b2);
    free(b);
    ctune_estimator_free(g);
    return f;
}

static void assert_same_tree(const ctune_estimator *a, const ctune_estimator *b)
{
    size_t na, nb, va, vb;
    ck_assert_ok(ctune_tree_n_nodes(&na, a));
    ck_assert_ok(ctune_tree_n_nodes(&nb, b));
    ck_assert_uint_eq(na, nb);
    ck_assert_uint_gt(na, 1);
    ck_assert_ok(ctune_tree_n_leaves(&va, a));
    ck_assert_ok(ctune_tree_n_leaves(&vb, b));
    ck_assert_uint_eq(va, vb);
    ck_assert_ok(ctune_tree_depth(&va, a));
    ck_assert_ok(ctune_tree_depth(&vb, b));
    ck_assert_uint_eq(va, vb);
    size_t d = ctune_estimator_n_features_in(a);
    size_t w = ctune_estimator_kind(a) == CTUNE_CLASSIFIER ? ctune_estimator_n_classes(a)
                                                           : ctune_estimator_n_outputs(a);
    double *ia = malloc((d + w) * sizeof *ia), *ib = malloc((d + w) * sizeof *ib);
    ck_assert_ok(ctune_tree_feature_importances(ia, a));
    ck_assert_ok(ctune_tree_feature_importances(ib, b));
    ck_assert_int_eq(memcmp(ia, ib, d * sizeof *ia), 0);
    for (size_t i = 0; i < na; i++) {
        int64_t fa, fb, la, lb, ra, rb;
        double ta, tb, ima, imb, wa, wb;
        size_t sa, sb;
        ck_assert_ok(ctune_tree_node(&fa, &ta, &la, &ra, a, i));
        ck_assert_ok(ctune_tree_node(&fb, &tb, &lb, &rb, b, i));
        ck_assert(fa == fb && la == lb && ra == rb);
        ck_assert_int_eq(memcmp(&ta, &tb, sizeof ta), 0);
        ck_assert_ok(ctune_tree_node_stats(&ima, &wa, &sa, a, i));
        ck_assert_ok(ctune_tree_node_stats(&imb, &wb, &sb, b, i));
        ck_assert(ima == imb && wa == wb && sa == sb);
        ck_assert_ok(ctune_tree_node_value(ia, a, i));
        ck_assert_ok(ctune_tree_node_value(ib, b, i));
        ck_assert_int_eq(memcmp(ia, ib, w * sizeof *ia), 0);
    }
    free(ia);
    free(ib);
}

static ctune_estimator *make(ctune_status (*ctor)(ctune_estimator **), const char *params)
{
    ctune_estimator *e;
    ck_assert_ok(ctor(&e));
    if (params)
        ck_assert_ok(ctune_estimator_set_params_text(e, params));
    return e;
}

static ctune_estimator *pipeline2(const char *n1, ctune_estimator *s1, const char *n2,
                                  ctune_estimator *s2)
{
    ctune_estimator *p;
    ck_assert_ok(ctune_pipeline_new(&p));
    ck_assert_ok(ctune_pipeline_add_step(p, n1, s1));
    ck_assert_ok(ctune_pipeline_add_step(p, n2, s2));
    ctune_estimator_free(s1);
    ctune_estimator_free(s2);
    return p;
}

static ctune_estimator *keras_classifier(net_user *u, const char *params)
{
    ctune_estimator *e;
    ck_assert_ok(ctune_keras_classifier_new(&e, net_build, NET_SPEC, u));
    if (params)
        ck_assert_ok(ctune_estimator_set_params_text(e, params));
    return e;
}

/* ---- round trips ------------------------------------------------------------ */

START_TEST(test_trees)
{
    int64_t live = ctune_alloc_live();
    dataset bc, iris, reg;
    load_classes(&bc, "breast_cancer.csv");
    load_classes(&iris, "iris.csv");
    load_iris_regression(&reg);
    struct {
        ctune_status (*ctor)(ctune_estimator **);
        const char *params;
        dataset *s;
    } cases[] = {
        {ctune_decision_tree_classifier_new, NULL, &bc},
        {ctune_decision_tree_classifier_new,
         "criterion=entropy, max_leaf_nodes=9, class_weight=balanced, max_features=sqrt, seed=4",
         &iris},
        {ctune_decision_tree_classifier_new, "splitter=random, min_samples_leaf=0.02, seed=7", &bc},
        {ctune_decision_tree_regressor_new, NULL, &reg},
        {ctune_decision_tree_regressor_new, "criterion=absolute_error, max_depth=4", &reg},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ctune_estimator *e = make(cases[c].ctor, cases[c].params);
        ck_assert_ok(ctune_estimator_fit(e, cases[c].s->data));
        ctune_estimator *f = round_trip(e, cases[c].s->data, NULL);
        assert_same_tree(e, f);
        /* the loaded tree refits like the original */
        ck_assert_ok(ctune_estimator_fit(f, cases[c].s->data));
        assert_same_model(e, f, cases[c].s->data);
        ctune_estimator_free(f);
        ctune_estimator_free(e);
    }
    /* a plain model needs nothing newer than format version 1 */
    ctune_estimator *e = make(ctune_decision_tree_classifier_new, "max_depth=2");
    ck_assert_ok(ctune_estimator_fit(e, iris.data));
    size_t len;
    unsigned char *b = save_buf(e, &len);
    ck_assert_int_eq(b[8], 1);
    free(b);
    ctune_estimator_free(e);
    free_dataset(&bc);
    free_dataset(&iris);
    free_dataset(&reg);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_scaler)
{
    int64_t live = ctune_alloc_live();
    dataset bc;
    load_classes(&bc, "breast_cancer.csv");
    /* float32 input too */
    float *X32 = malloc(bc.n * bc.d * sizeof *X32);
    for (size_t i = 0; i < bc.n * bc.d; i++)
        X32[i] = (float)bc.X[i];
    ctune_data *d32;
    ck_assert_ok(ctune_data_new(&d32, X32, CTUNE_FLOAT32, bc.n, bc.d, 0, NULL, 0));
    const char *params[] = {NULL, "with_mean=false", "with_std=false"};
    for (int c = 0; c < 3; c++) {
        ctune_estimator *e = make(ctune_standard_scaler_new, params[c]);
        ck_assert_ok(ctune_estimator_fit(e, bc.data));
        ctune_estimator *f = round_trip(e, bc.data, NULL);
        assert_same_model(e, f, d32);
        double *a = malloc(3 * bc.d * sizeof *a), *b = malloc(3 * bc.d * sizeof *b);
        ck_assert_ok(ctune_scaler_mean(a, e));
        ck_assert_ok(ctune_scaler_var(a + bc.d, e));
        ck_assert_ok(ctune_scaler_scale(a + 2 * bc.d, e));
        ck_assert_ok(ctune_scaler_mean(b, f));
        ck_assert_ok(ctune_scaler_var(b + bc.d, f));
        ck_assert_ok(ctune_scaler_scale(b + 2 * bc.d, f));
        ck_assert_int_eq(memcmp(a, b, 3 * bc.d * sizeof *a), 0);
        free(a);
        free(b);
        /* inverse_transform is identical too */
        double *t = malloc(bc.n * bc.d * sizeof *t), *ia = malloc(bc.n * bc.d * sizeof *ia),
               *ib = malloc(bc.n * bc.d * sizeof *ib);
        ck_assert_ok(ctune_estimator_transform(t, e, bc.data));
        ctune_data *td;
        ck_assert_ok(ctune_data_new(&td, t, CTUNE_FLOAT64, bc.n, bc.d, 0, NULL, 0));
        ck_assert_ok(ctune_estimator_inverse_transform(ia, e, td));
        ck_assert_ok(ctune_estimator_inverse_transform(ib, f, td));
        ck_assert_int_eq(memcmp(ia, ib, bc.n * bc.d * sizeof *ia), 0);
        ctune_data_free(td);
        free(t);
        free(ia);
        free(ib);
        ctune_estimator_free(f);
        ctune_estimator_free(e);
    }
    ctune_data_free(d32);
    free(X32);
    free_dataset(&bc);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_dummies)
{
    int64_t live = ctune_alloc_live();
    dataset iris, reg;
    load_classes(&iris, "iris.csv");
    load_iris_regression(&reg);
    const char *strategies[] = {"most_frequent", "prior", "stratified", "uniform"};
    for (int c = 0; c < 4; c++) {
        char params[64];
        snprintf(params, sizeof params, "strategy=%s, seed=3", strategies[c]);
        ctune_estimator *e = make(ctune_dummy_classifier_new, params);
        ck_assert_ok(ctune_estimator_fit(e, iris.data));
        ctune_estimator_free(round_trip(e, iris.data, NULL));
        ctune_estimator_free(e);
    }
    ctune_estimator *e = make(ctune_dummy_regressor_new, "strategy=median");
    ck_assert_ok(ctune_estimator_fit(e, reg.data));
    ctune_estimator_free(round_trip(e, reg.data, NULL));
    ctune_estimator_free(e);
    free_dataset(&iris);
    free_dataset(&reg);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_mlps)
{
    int64_t live = ctune_alloc_live();
    dataset bc, iris, reg;
    load_classes(&bc, "breast_cancer.csv");
    load_classes(&iris, "iris.csv");
    load_iris_regression(&reg);
    struct {
        ctune_status (*ctor)(ctune_estimator **);
        const char *params;
        dataset *s;
    } cases[] = {
        /* 2 classes: 1 sigmoid unit */
        {ctune_mlp_classifier_new, "epochs=3, batch_size=64, nn=8, seed=1", &bc},
        /* 3 classes: softmax; dropout layers; tanh; sgd with momentum */
        {ctune_mlp_classifier_new,
         "epochs=10, batch_size=16, nl=2, nn=12, dropout=0.1, activation=tanh, optimizer=sgd, "
         "momentum=0.9, learning_rate=0.05, seed=5",
         &iris},
        /* 2 regression targets */
        {ctune_mlp_regressor_new, "epochs=8, batch_size=10, nn=6, l2=0.001, seed=2", &reg},
        /* no hidden layer */
        {ctune_mlp_regressor_new, "epochs=2, nl=0, seed=3", &reg},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ctune_estimator *e = make(cases[c].ctor, cases[c].params);
        ck_assert_ok(ctune_estimator_fit(e, cases[c].s->data));
        ctune_estimator *f = round_trip(e, cases[c].s->data, NULL);
        const ctune_model *ma = ctune_keras_model(e), *mb = ctune_keras_model(f);
        ck_assert_ptr_nonnull(mb);
        size_t n = ctune_model_n_params(ma);
        ck_assert_uint_eq(ctune_model_n_params(mb), n);
        ck_assert_uint_eq(ctune_model_n_layers(mb), ctune_model_n_layers(ma));
        ck_assert_str_eq(ctune_model_loss(mb), ctune_model_loss(ma));
        float *wa = malloc(n * sizeof *wa), *wb = malloc(n * sizeof *wb);
        ck_assert_ok(ctune_model_get_weights(wa, ma));
        ck_assert_ok(ctune_model_get_weights(wb, mb));
        ck_assert_int_eq(memcmp(wa, wb, n * sizeof *wa), 0);
        free(wa);
        free(wb);
        /* the history is not saved */
        ck_assert_uint_eq(ctune_model_history_len(mb), 0);
        ctune_estimator_free(f);
        ctune_estimator_free(e);
    }
    free_dataset(&bc);
    free_dataset(&iris);
    free_dataset(&reg);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_pipelines)
{
    int64_t live = ctune_alloc_live();
    dataset bc, iris;
    load_classes(&bc, "breast_cancer.csv");
    load_classes(&iris, "iris.csv");

    /* scaler + tree, a step param changed through the pipeline */
    ctune_estimator *p = pipeline2("scale", make(ctune_standard_scaler_new, NULL), "tree",
                                   make(ctune_decision_tree_classifier_new, NULL));
    ck_assert_ok(ctune_estimator_set_params_text(p, "tree__max_depth=5, scale__with_mean=false"));
    ck_assert_ok(ctune_estimator_fit(p, bc.data));
    ctune_estimator *q = round_trip(p, bc.data, NULL);
    ck_assert_uint_eq(ctune_pipeline_n_steps(q), 2);
    ck_assert_str_eq(ctune_pipeline_step_name(q, 0), "scale");
    ck_assert_str_eq(ctune_pipeline_step_name(q, 1), "tree");
    const ctune_estimator *ta, *tb;
    ck_assert_ok(ctune_pipeline_step(&ta, p, "tree"));
    ck_assert_ok(ctune_pipeline_step(&tb, q, "tree"));
    assert_same_tree(ta, tb);
    ck_assert_ok(ctune_pipeline_step(&tb, q, "scale"));
    ck_assert_str_eq(ctune_estimator_name(tb), "StandardScaler");
    /* with the pipeline's vtable and user pointer, as with load_like */
    {
        size_t plen;
        unsigned char *pb = save_buf(p, &plen);
        ctune_estimator *v;
        ck_assert_ok(ctune_estimator_load_buffer(&v, pb, plen, ctune_estimator_vtable_of(p),
                                                 ctune_estimator_user(p)));
        ck_assert_uint_eq(ctune_pipeline_n_steps(v), 2);
        assert_same_model(p, v, bc.data);
        ctune_estimator_free(v);
        free(pb);
    }
    /* the loaded pipeline is a pipeline: set_params, clone and refit work */
    ck_assert_ok(ctune_estimator_set_params_text(q, "tree__max_depth=2"));
    ck_assert_ok(ctune_estimator_fit(q, bc.data));
    size_t depth;
    ck_assert_ok(ctune_pipeline_step(&tb, q, "tree"));
    ck_assert_ok(ctune_tree_depth(&depth, tb));
    ck_assert_uint_le(depth, 2);
    ctune_estimator *c;
    ck_assert_ok(ctune_estimator_clone(&c, q));
    ck_assert_uint_eq(ctune_pipeline_n_steps(c), 2);
    ctune_estimator_free(c);
    ctune_estimator_free(q);
    /* a pipeline file needs format version 2 */
    size_t len;
    unsigned char *b = save_buf(p, &len);
    ck_assert_int_eq(b[8], 2);
    free(b);
    ctune_estimator_free(p);

    /* scaler + MLP (3 classes) */
    p = pipeline2("scaler", make(ctune_standard_scaler_new, NULL), "mlp",
                  make(ctune_mlp_classifier_new, "epochs=5, batch_size=8, nn=10, seed=9"));
    ck_assert_ok(ctune_estimator_fit(p, iris.data));
    q = round_trip(p, iris.data, NULL);
    const ctune_estimator *ma, *mb;
    ck_assert_ok(ctune_pipeline_step(&ma, p, "mlp"));
    ck_assert_ok(ctune_pipeline_step(&mb, q, "mlp"));
    ck_assert_str_eq(ctune_estimator_name(mb), "MLPClassifier");
    ck_assert_ptr_nonnull(ctune_keras_model(mb));
    ctune_estimator_free(q);
    ctune_estimator_free(p);

    /* a pipeline nested in a pipeline, ending with a transformer */
    ctune_estimator *inner;
    ck_assert_ok(ctune_pipeline_new(&inner));
    ctune_estimator *s = make(ctune_standard_scaler_new, NULL);
    ck_assert_ok(ctune_pipeline_add_step(inner, "s", s));
    ctune_estimator_free(s);
    p = pipeline2("inner", inner, "again", make(ctune_standard_scaler_new, "with_std=false"));
    ck_assert_ok(ctune_estimator_fit(p, iris.data));
    q = round_trip(p, iris.data, NULL);
    ck_assert_ok(ctune_pipeline_step(&tb, q, "inner"));
    ck_assert_uint_eq(ctune_pipeline_n_steps(tb), 1);
    ctune_estimator_free(q);
    ctune_estimator_free(p);

    free_dataset(&bc);
    free_dataset(&iris);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_keras_custom_builder)
{
    int64_t live = ctune_alloc_live();
    dataset iris, reg;
    load_classes(&iris, "iris.csv");
    load_iris_regression(&reg);
    net_user u = {0, 0};
    ctune_estimator *e = keras_classifier(&u, "width=6, act=relu, epochs=8, batch_size=16, seed=3");
    ck_assert_ok(ctune_estimator_fit(e, iris.data));
    size_t len;
    unsigned char *b = save_buf(e, &len);
    ctune_estimator *f = (ctune_estimator *)1, *like;

    /* not a built-in: by name fails, naming the way */
    ck_assert_status(ctune_estimator_load_buffer(&f, b, len, NULL, NULL), CTUNE_EINVAL);
    ck_assert_ptr_null(f);
    ck_assert_error_has("'KerasClassifier', which is not a built-in estimator");
    ck_assert_error_has("ctune_estimator_load_like");
    /* its vtable and user pointer: the load takes its own reference to the
     * family (e keeps its own), as ctune_estimator_load_like() does */
    ck_assert_ok(ctune_estimator_load_buffer(&f, b, len, ctune_estimator_vtable_of(e),
                                             ctune_estimator_user(e)));
    ck_assert_ptr_eq(ctune_estimator_user(f), ctune_estimator_user(e));
    assert_same_model(e, f, iris.data);
    ctune_estimator_free(f);
    f = (ctune_estimator *)1;

    /* like a fresh estimator with the same builder: one build call */
    net_user u2 = {0, 0};
    like = keras_classifier(&u2, NULL);
    ctune_estimator *g = round_trip(e, iris.data, like);
    ck_assert_int_eq(u2.calls, 2); /* loading the file and the buffer: 1 each */
    ck_assert_ptr_eq(ctune_estimator_user(g), ctune_estimator_user(like));
    ctune_estimator_free(like); /* g keeps the family */
    ck_assert_ok(ctune_estimator_fit(g, iris.data));
    assert_same_model(e, g, iris.data);
    ctune_estimator_free(g);

    /* an edited builder that makes another model */
    net_user u3 = {0, 1};
    like = keras_classifier(&u3, NULL);
    ck_assert_status(ctune_estimator_load_like_buffer(&f, b, len, like), CTUNE_EFORMAT);
    ck_assert_ptr_null(f);
    ck_assert_error_has("KerasClassifier: the builder now makes another model than the saved one "
                        "(number of layers differs)");
    ctune_estimator_free(like);
    /* another estimator given */
    like = make(ctune_mlp_classifier_new, NULL);
    ck_assert_status(ctune_estimator_load_like_buffer(&f, b, len, like), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(),
                     "model file holds a 'KerasClassifier', but the estimator given is "
                     "'MLPClassifier'");
    ctune_estimator_free(like);
    ck_assert_status(ctune_estimator_load_like_buffer(&f, b, len, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_load_like(&f, NULL, e), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_load_like(NULL, "x", e), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_load_like(&f, "/nonexistent/m.ctm", e), CTUNE_EIO);
    free(b);
    ctune_estimator_free(e);

    /* a KerasRegressor */
    ck_assert_ok(ctune_keras_regressor_new(&e, net_build, NET_SPEC, &u));
    ck_assert_ok(ctune_estimator_set_params_text(e, "epochs=4, batch_size=32, width=5"));
    ck_assert_ok(ctune_estimator_fit(e, reg.data));
    ck_assert_ok(ctune_keras_regressor_new(&like, net_build, NET_SPEC, &u));
    ctune_estimator_free(round_trip(e, reg.data, like));
    ctune_estimator_free(like);
    ctune_estimator_free(e);

    /* a pipeline holding a Keras step: like a pipeline with the same steps */
    ctune_estimator *p = pipeline2("scale", make(ctune_standard_scaler_new, NULL), "net",
                                   keras_classifier(&u, "epochs=3, width=4"));
    ck_assert_ok(ctune_estimator_fit(p, iris.data));
    b = save_buf(p, &len);
    ck_assert_status(ctune_estimator_load_buffer(&f, b, len, NULL, NULL), CTUNE_EINVAL);
    ck_assert_error_has("Pipeline step 'net'");
    ck_assert_error_has("'KerasClassifier', which is not a built-in estimator");
    like = pipeline2("scale", make(ctune_standard_scaler_new, NULL), "net",
                     keras_classifier(&u2, NULL));
    ctune_estimator_free(round_trip(p, iris.data, like));
    ctune_estimator_free(like);
    /* steps that differ from the file's */
    like = pipeline2("scale", make(ctune_standard_scaler_new, NULL), "mlp",
                     keras_classifier(&u2, NULL));
    ck_assert_status(ctune_estimator_load_like_buffer(&f, b, len, like), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(), "model file holds a Pipeline whose step 1 is 'net', but "
                                         "it is 'mlp' in the pipeline given");
    ctune_estimator_free(like);
    ck_assert_ok(ctune_pipeline_new(&like));
    ctune_estimator *sc = make(ctune_standard_scaler_new, NULL);
    ck_assert_ok(ctune_pipeline_add_step(like, "scale", sc));
    ctune_estimator_free(sc);
    ck_assert_status(ctune_estimator_load_like_buffer(&f, b, len, like), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(), "model file holds a Pipeline of 2 steps, but the "
                                         "pipeline given has 1");
    ctune_estimator_free(like);
    /* a pipeline's vtable is refused as the Keras one */
    ck_assert_status(ctune_estimator_load_buffer(&f, b, len, ctune_estimator_vtable_of(p), NULL),
                     CTUNE_EINVAL);
    free(b);
    ctune_estimator_free(p);
    free_dataset(&iris);
    free_dataset(&reg);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* ---- every built-in, small: unfitted files, corrupted files ----------------- */

enum { N_CASES = 11 };

typedef struct kase {
    const char *label;
    ctune_estimator *est;  /* fitted unless unfitted was asked */
    ctune_estimator *like; /* NULL: loads by name */
    dataset *s;
} kase;

static net_user CASE_USER = {0, 0};

/* Case i of every built-in estimator (and a Keras one with the test's
 * builder), small enough to corrupt every byte of its file. */
static void make_case(kase *k, size_t i, dataset *cls, dataset *reg, int fit)
{
    memset(k, 0, sizeof *k);
    k->s = cls;
    switch (i) {
    case 0:
        k->label = "DecisionTreeClassifier";
        k->est = make(ctune_decision_tree_classifier_new, "max_depth=3");
        break;
    case 1:
        k->label = "DecisionTreeRegressor";
        k->est = make(ctune_decision_tree_regressor_new, "max_leaf_nodes=5");
        k->s = reg;
        break;
    case 2:
        k->label = "StandardScaler";
        k->est = make(ctune_standard_scaler_new, NULL);
        break;
    case 3:
        k->label = "DummyClassifier";
        k->est = make(ctune_dummy_classifier_new, "strategy=stratified");
        break;
    case 4:
        k->label = "DummyRegressor";
        k->est = make(ctune_dummy_regressor_new, NULL);
        k->s = reg;
        break;
    case 5:
        k->label = "MLPClassifier";
        k->est = make(ctune_mlp_classifier_new, "epochs=2, nn=3, dropout=0.2, seed=1");
        break;
    case 6:
        k->label = "MLPRegressor";
        k->est = make(ctune_mlp_regressor_new, "epochs=2, nn=3, seed=1");
        k->s = reg;
        break;
    case 7:
        k->label = "Pipeline(scaler, tree)";
        k->est = pipeline2("scale", make(ctune_standard_scaler_new, NULL), "tree",
                           make(ctune_decision_tree_classifier_new, "max_depth=2"));
        break;
    case 8:
        k->label = "Pipeline(scaler, mlp)";
        k->est = pipeline2("scale", make(ctune_standard_scaler_new, NULL), "mlp",
                           make(ctune_mlp_regressor_new, "epochs=2, nn=2"));
        k->s = reg;
        break;
    case 9:
        k->label = "KerasClassifier";
        k->est = keras_classifier(&CASE_USER, "epochs=2, width=3");
        k->like = keras_classifier(&CASE_USER, NULL);
        break;
    default:
        k->label = "Pipeline(scaler, scaler)";
        k->est = pipeline2("a", make(ctune_standard_scaler_new, "with_mean=false"), "b",
                           make(ctune_standard_scaler_new, NULL));
        break;
    }
    if (fit)
        ck_assert_ok(ctune_estimator_fit(k->est, k->s->data));
}

static void free_case(kase *k)
{
    ctune_estimator_free(k->est);
    ctune_estimator_free(k->like);
}

START_TEST(test_unfitted)
{
    int64_t live = ctune_alloc_live();
    dataset cls, reg;
    load_classes(&cls, "iris.csv");
    load_iris_regression(&reg);
    for (size_t i = 0; i < N_CASES; i++) {
        kase k;
        make_case(&k, i, &cls, &reg, 0);
        ctune_estimator *f = round_trip(k.est, k.s->data, k.like);
        ck_assert_int_eq(ctune_estimator_is_fitted(f), 0);
        ck_assert_uint_eq(ctune_pipeline_n_steps(f), ctune_pipeline_n_steps(k.est));
        /* the loaded estimator fits as the original does */
        ck_assert_ok(ctune_estimator_fit(k.est, k.s->data));
        ck_assert_ok(ctune_estimator_fit(f, k.s->data));
        assert_same_model(k.est, f, k.s->data);
        ctune_estimator_free(f);
        free_case(&k);
    }
    free_dataset(&cls);
    free_dataset(&reg);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

static void refresh_crc(unsigned char *b, size_t len)
{
    uint32_t crc = ctune__crc32(0, b, len - 4);
    for (int i = 0; i < 4; i++)
        b[len - 4 + i] = (unsigned char)(crc >> (8 * i));
}

/* A corrupted estimator name read by name is an unknown estimator
 * (CTUNE_EINVAL, as documented for ctune_estimator_load). */
static int renamed(ctune_status rc)
{
    return rc == CTUNE_EINVAL && strstr(ctune_last_error(), "which is not a built-in estimator");
}

/* Every length and every byte (3 masks) of `b` fail as format errors; with
 * the length and checksum fixed up, cut or flipped bodies reach the parser
 * and the hooks, which must fail cleanly or load a model that predicts
 * without reading out of bounds. No leak either way. */
static void assert_corruption_safe(const char *label, const unsigned char *b, size_t len,
                                   const ctune_estimator *like, const ctune_data *X)
{
    const size_t H = CTUNE__MODEL_HEADER;
    int64_t live = ctune_alloc_live();
    ctune_estimator *f;
    for (size_t n = 0; n < len; n++) {
        unsigned char *cut = malloc(n ? n : 1); /* exact size: ASan sees over-reads */
        memcpy(cut, b, n);
        ctune_status rc = load_buf(&f, cut, n, like);
        ck_assert_msg(rc == CTUNE_EFORMAT, "%s cut at %zu: %d (%s)", label, n, rc,
                      ctune_last_error());
        ck_assert_ptr_null(f);
        free(cut);
    }
    unsigned char *c = malloc(len);
    const unsigned masks[3] = {0x01, 0x80, 0xFF};
    for (size_t i = 0; i < len; i++)
        for (int m = 0; m < 3; m++) {
            memcpy(c, b, len);
            c[i] ^= (unsigned char)masks[m];
            ctune_status rc = load_buf(&f, c, len, like);
            ck_assert_msg(rc == CTUNE_EFORMAT, "%s byte %zu ^ 0x%x: %d (%s)", label, i, masks[m],
                          rc, ctune_last_error());
        }
    ck_assert_int_eq(ctune_alloc_live(), live);
    /* the body cut short, length and checksum fixed */
    for (size_t body = 0; body < len - H - 4; body++) {
        size_t n = H + body + 4;
        unsigned char *d = malloc(n);
        memcpy(d, b, H + body);
        for (int i = 0; i < 8; i++)
            d[16 + i] = (unsigned char)((uint64_t)body >> (8 * i));
        refresh_crc(d, n);
        ctune_status rc = load_buf(&f, d, n, like);
        ck_assert_msg(rc == CTUNE_EFORMAT, "%s body cut at %zu: %d (%s)", label, body, rc,
                      ctune_last_error());
        free(d);
    }
    /* every body byte flipped, checksum fixed */
    size_t loaded = 0;
    for (size_t i = H; i < len - 4; i++)
        for (int m = 0; m < 3; m += 2) {
            memcpy(c, b, len);
            c[i] ^= (unsigned char)masks[m];
            refresh_crc(c, len);
            ctune_status rc = load_buf(&f, c, len, like);
            ck_assert_msg(rc == CTUNE_EFORMAT || rc == CTUNE_OK || renamed(rc),
                          "%s body byte %zu ^ 0x%x: %d (%s)", label, i, masks[m], rc,
                          ctune_last_error());
            if (rc == CTUNE_OK) {
                loaded++;
                exercise(f, X);
                ctune_estimator_free(f);
            }
            ck_assert_int_eq(ctune_alloc_live(), live);
        }
    ck_assert_msg(loaded < 2 * (len - H - 4), "%s: every corrupted body loaded", label);
    free(c);
}

START_TEST(test_corrupted_files)
{
    int64_t live = ctune_alloc_live();
    dataset cls, reg;
    load_classes(&cls, "iris.csv");
    load_iris_regression(&reg);
    size_t i = (size_t)_i; /* one case per loop iteration of the test */
    for (int fitted = 0; fitted < 2; fitted++) {
        kase k;
        make_case(&k, i, &cls, &reg, fitted);
        size_t len;
        unsigned char *b = save_buf(k.est, &len);
        assert_corruption_safe(k.label, b, len, k.like, k.s->data);
        free(b);
        free_case(&k);
    }
    free_dataset(&cls);
    free_dataset(&reg);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* A crafted file (checksum valid) whose fitted state disagrees with the
 * payload: fewer features than the hook's state reads (which would read past
 * X's rows), or fewer outputs than it writes. The hooks must refuse it. */
/* A tree classifier whose class fractions are crafted (checksum valid) to
 * be no probabilities, or whose thresholds are not finite, is refused:
 * predict_proba would return them. Every 8-byte double of the saved body
 * equal to a fraction is patched in turn; each patched file either fails to
 * load or predicts probabilities within [0, 1]. */
START_TEST(test_tree_values_validated)
{
    int64_t live = ctune_alloc_live();
    dataset iris;
    load_classes(&iris, "iris.csv");
    ctune_estimator *e = make(ctune_decision_tree_classifier_new, "max_depth=2");
    ck_assert_ok(ctune_estimator_fit(e, iris.data));
    size_t len, n = ctune_data_n_rows(iris.data);
    unsigned char *b = save_buf(e, &len);
    unsigned char *c = malloc(len);
    double *proba = malloc(n * 3 * sizeof *proba);
    const double patches[] = {1.01, -0.01, 0.75, INFINITY};
    size_t refused_proba = 0, refused_threshold = 0;
    for (size_t i = CTUNE__MODEL_HEADER; i + 8 <= len - 4; i++) {
        double v;
        memcpy(&v, b + i, 8);
        if (!(v > 0 && v <= 1) && !(v > 1 && v < 10))
            continue;
        for (size_t k = 0; k < sizeof patches / sizeof *patches; k++) {
            memcpy(c, b, len);
            memcpy(c + i, &patches[k], 8);
            refresh_crc(c, len);
            ctune_estimator *f = NULL;
            ctune_status rc = load_buf(&f, c, len, NULL);
            if (rc != CTUNE_OK) {
                ck_assert_msg(rc == CTUNE_EFORMAT || renamed(rc), "byte %zu = %g: %d (%s)", i,
                              patches[k], rc, ctune_last_error());
                refused_proba += strstr(ctune_last_error(), "probabilit") != NULL;
                refused_threshold += strstr(ctune_last_error(), "threshold") != NULL;
                continue;
            }
            ck_assert_ok(ctune_estimator_predict_proba(proba, f, iris.data));
            for (size_t j = 0; j < n * 3; j++)
                ck_assert_msg(proba[j] >= 0 && proba[j] <= 1, "byte %zu = %g: proba %g", i,
                              patches[k], proba[j]);
            ctune_estimator_free(f);
        }
    }
    ck_assert_uint_gt(refused_proba, 0);
    ck_assert_uint_gt(refused_threshold, 0);
    free(proba);
    free(c);
    free(b);
    ctune_estimator_free(e);
    free_dataset(&iris);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* An endless stream is no model file: the header is checked first and the
 * load stops there, without reading on. */
START_TEST(test_endless_stream)
{
    int64_t live = ctune_alloc_live();
    ctune_estimator *e = (ctune_estimator *)1;
    ck_assert_status(ctune_estimator_load(&e, "/dev/zero", NULL, NULL), CTUNE_EFORMAT);
    ck_assert_ptr_null(e);
    ck_assert_error_has("/dev/zero: not a ctune model file");
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_fitted_state_mismatch)
{
    int64_t live = ctune_alloc_live();
    dataset cls, reg;
    load_classes(&cls, "iris.csv");
    load_iris_regression(&reg);
    for (size_t i = 0; i < N_CASES; i++) {
        kase k;
        make_case(&k, i, &cls, &reg, 1);
        /* the fitted body starts as the unfitted one (but for the state
         * byte): n_features follows it, then n_outputs */
        ctune_estimator *u;
        ck_assert_ok(ctune_estimator_clone(&u, k.est));
        size_t ulen, len;
        unsigned char *ub = save_buf(u, &ulen), *b = save_buf(k.est, &len);
        ctune_estimator_free(u);
        size_t at = ulen - 4;
        size_t nf = ctune_estimator_n_features_in(k.est), no = ctune_estimator_n_outputs(k.est);
        ck_assert_int_eq(b[at], (unsigned char)nf); /* the layout is as documented */
        ck_assert_int_eq(b[at + 8], (unsigned char)no);
        int is_dummy = strncmp(k.label, "Dummy", 5) == 0; /* they ignore X's columns */
        ctune_estimator *f;
        put_u64(b + at, nf - 1);
        refresh_crc(b, len);
        ctune_status rc = load_buf(&f, b, len, k.like);
        if (is_dummy && rc == CTUNE_OK)
            ctune_estimator_free(f);
        else
            ck_assert_msg(rc == CTUNE_EFORMAT, "%s with %zu features: %d (%s)", k.label, nf - 1, rc,
                          ctune_last_error());
        put_u64(b + at, nf);
        if (no > 1) {
            put_u64(b + at + 8, no - 1);
            refresh_crc(b, len);
            rc = load_buf(&f, b, len, k.like);
            ck_assert_msg(rc == CTUNE_EFORMAT, "%s with %zu outputs: %d (%s)", k.label, no - 1, rc,
                          ctune_last_error());
        }
        /* a classifier whose handle lost its last class label: predict_proba
         * would write more columns than the caller allocated */
        size_t nk = ctune_estimator_n_classes(k.est);
        if (nk > 2) {
            size_t end = at + 24 + 8 * nk, n = len - 8;
            unsigned char *c = malloc(n);
            memcpy(c, b, end - 8);
            memcpy(c + end - 8, b + end, len - end);
            put_u64(c + at + 16, nk - 1);
            put_u64(c + 16, n - CTUNE__MODEL_HEADER - 4);
            refresh_crc(c, n);
            rc = load_buf(&f, c, n, k.like);
            ck_assert_msg(rc == CTUNE_EFORMAT, "%s with %zu classes: %d (%s)", k.label, nk - 1, rc,
                          ctune_last_error());
            free(c);
        }
        free(ub);
        free(b);
        free_case(&k);
    }
    free_dataset(&cls);
    free_dataset(&reg);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* A big model (a deep tree and an MLP on digits): sampled positions. */
START_TEST(test_corrupted_big_models)
{
    int64_t live = ctune_alloc_live();
    dataset digits;
    load_classes(&digits, "digits.csv");
    ctune_estimator *models[2] = {
        make(ctune_decision_tree_classifier_new, NULL),
        make(ctune_mlp_classifier_new, "epochs=1, nn=32, batch_size=64"),
    };
    const size_t H = CTUNE__MODEL_HEADER;
    for (int m = 0; m < 2; m++) {
        ck_assert_ok(ctune_estimator_fit(models[m], digits.data));
        ctune_estimator_free(round_trip(models[m], digits.data, NULL));
        size_t len;
        unsigned char *b = save_buf(models[m], &len);
        ck_assert_uint_gt(len, 10000);
        unsigned char *c = malloc(len);
        ctune_estimator *f;
        /* 300 positions spread over the file, plus the first 400 bytes
         * (header, params, the start of the payload) */
        for (size_t s = 0; s < 700; s++) {
            size_t at = s < 400 ? s : H + (s - 400) * (len - H - 4) / 300;
            unsigned char *cut = malloc(at ? at : 1);
            memcpy(cut, b, at);
            ck_assert_status(ctune_estimator_load_buffer(&f, cut, at, NULL, NULL), CTUNE_EFORMAT);
            free(cut);
            memcpy(c, b, len);
            c[at] ^= 0x5A;
            ck_assert_status(ctune_estimator_load_buffer(&f, c, len, NULL, NULL), CTUNE_EFORMAT);
            if (at < H || at >= len - 4)
                continue;
            refresh_crc(c, len);
            ctune_status rc = ctune_estimator_load_buffer(&f, c, len, NULL, NULL);
            ck_assert_msg(rc == CTUNE_EFORMAT || rc == CTUNE_OK || renamed(rc), "byte %zu: %d (%s)",
                          at, rc, ctune_last_error());
            if (rc == CTUNE_OK) {
                exercise(f, digits.data);
                ctune_estimator_free(f);
            }
        }
        free(c);
        free(b);
        ctune_estimator_free(models[m]);
    }
    free_dataset(&digits);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* ---- allocation failures -------------------------------------------------------- */

static void sweep_load(const ctune_estimator *e, const ctune_estimator *like, const ctune_data *X)
{
    size_t len;
    unsigned char *b = save_buf(e, &len);
    int64_t live = ctune_alloc_live();
    int done = 0;
    for (int k = 1; k < 5000 && !done; k++) {
        ctune_estimator *f = NULL;
        ctune_alloc_fail_at(k, 0);
        ctune_status rc = load_buf(&f, b, len, like);
        ctune_alloc_fail_at(0, 0);
        if (rc != CTUNE_OK) {
            ck_assert_msg(rc == CTUNE_ENOMEM, "%s, allocation %d failing: %d (%s)",
                          ctune_estimator_name(e), k, rc, ctune_last_error());
            ck_assert_ptr_null(f);
        } else {
            assert_same_model((ctune_estimator *)e, f, X);
            done = 1;
        }
        ctune_estimator_free(f);
        ck_assert_int_eq(ctune_alloc_live(), live);
    }
    ck_assert_msg(done, "load never succeeded");
    /* and saving */
    done = 0;
    for (int k = 1; k < 5000 && !done; k++) {
        ctune_alloc_fail_at(k, 0);
        long n = ctune_estimator_save_buffer(NULL, 0, e);
        ctune_alloc_fail_at(0, 0);
        if (n < 0)
            ck_assert_int_eq(n, CTUNE_ENOMEM);
        else
            done = (size_t)n == len;
        ck_assert_int_eq(ctune_alloc_live(), live);
    }
    ck_assert_msg(done, "save never succeeded");
    free(b);
}

START_TEST(test_alloc_failures)
{
    dataset cls, reg;
    load_classes(&cls, "iris.csv");
    load_iris_regression(&reg);
    static const size_t which[] = {5, 6, 7, 8, 9, 0, 2};
    for (size_t j = 0; j < sizeof which / sizeof which[0]; j++)
        for (int fitted = 1; fitted >= 0; fitted--) {
            kase k;
            make_case(&k, which[j], &cls, &reg, fitted);
            sweep_load(k.est, k.like, k.s->data);
            free_case(&k);
        }
    free_dataset(&cls);
    free_dataset(&reg);
}
END_TEST

/* ---- limits ---------------------------------------------------------------------- */

/* Pipelines nested deeper than the loader accepts save, and fail to load
 * with a format error (no stack exhaustion on crafted files). */
START_TEST(test_nesting_limit)
{
    int64_t live = ctune_alloc_live();
    ctune_estimator *p = make(ctune_standard_scaler_new, NULL);
    for (int level = 0; level < 40; level++) {
        ctune_estimator *outer;
        ck_assert_ok(ctune_pipeline_new(&outer));
        ck_assert_ok(ctune_pipeline_add_step(outer, "s", p));
        ctune_estimator_free(p);
        p = outer;
        if (level == 5) { /* moderately nested: loads */
            size_t len;
            unsigned char *b = save_buf(p, &len);
            ctune_estimator *f;
            ck_assert_ok(ctune_estimator_load_buffer(&f, b, len, NULL, NULL));
            ctune_estimator_free(f);
            free(b);
        }
    }
    size_t len;
    unsigned char *b = save_buf(p, &len);
    ctune_estimator *f;
    ck_assert_status(ctune_estimator_load_buffer(&f, b, len, NULL, NULL), CTUNE_EFORMAT);
    ck_assert_error_has("estimators nested more than 32 deep");
    free(b);
    ctune_estimator_free(p);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* Class names: a fit on data with named labels keeps them, set_class_names
 * replaces them, and a model file (format version 3) carries them; a model
 * without names is still written as version 1. */
START_TEST(test_class_names)
{
    int64_t live = ctune_alloc_live();
    ctune_data *iris;
    ck_assert_ok(ctune_dataset_load(&iris, "iris", NULL));
    ctune_estimator *e = make(ctune_decision_tree_classifier_new, "max_depth=2");
    ck_assert_ptr_null(ctune_estimator_class_name(e, 0));
    ck_assert_ok(ctune_estimator_fit(e, iris));
    ck_assert_str_eq(ctune_estimator_class_name(e, 0), "setosa");
    ck_assert_str_eq(ctune_estimator_class_name(e, 2), "virginica");
    ck_assert_ptr_null(ctune_estimator_class_name(e, 3));
    size_t len;
    unsigned char *b = save_buf(e, &len);
    ck_assert_uint_eq(b[8], 3);
    ctune_estimator *f = round_trip(e, iris, NULL);
    ck_assert_str_eq(ctune_estimator_class_name(f, 1), "versicolor");
    assert_corruption_safe("named tree", b, len, NULL, iris);
    free(b);
    sweep_load(f, NULL, iris);
    /* a fit that cannot keep the names fails cleanly */
    int done = 0;
    for (int k = 1; k < 5000 && !done; k++) {
        ctune_alloc_fail_at(k, 0);
        ctune_status rc = ctune_estimator_fit(e, iris);
        ctune_alloc_fail_at(0, 0);
        if (rc == CTUNE_OK) {
            done = 1;
        } else {
            ck_assert_int_eq(rc, CTUNE_ENOMEM);
            ck_assert_int_eq(ctune_estimator_is_fitted(e), 0);
        }
    }
    ck_assert_str_eq(ctune_estimator_class_name(e, 2), "virginica");

    /* a binding names its own codes */
    const char *names[3] = {"cat", "dog", "emu"};
    ck_assert_ok(ctune_estimator_set_class_names(f, names, 3));
    ctune_estimator *g = round_trip(f, iris, NULL);
    ck_assert_str_eq(ctune_estimator_class_name(g, 2), "emu");
    ck_assert_status(ctune_estimator_set_class_names(g, names, 2), CTUNE_EINVAL);
    ck_assert_error_has("2 names given for the 3 classes of DecisionTreeClassifier");
    const char *holes[3] = {"a", NULL, "c"};
    ck_assert_status(ctune_estimator_set_class_names(g, holes, 3), CTUNE_EINVAL);
    ck_assert_error_has("name 1 is NULL");
    ck_assert_str_eq(ctune_estimator_class_name(g, 2), "emu"); /* unchanged */
    ck_assert_ok(ctune_estimator_set_class_names(g, NULL, 0));
    ck_assert_ptr_null(ctune_estimator_class_name(g, 0));
    b = save_buf(g, &len);
    ck_assert_uint_eq(b[8], 1);
    free(b);
    ck_assert_ok(ctune_estimator_set_params_text(g, "max_depth=3")); /* drops the fit */
    ck_assert_status(ctune_estimator_set_class_names(g, names, 3), CTUNE_ESTATE);
    ctune_estimator *sc = make(ctune_standard_scaler_new, "");
    ck_assert_status(ctune_estimator_set_class_names(sc, names, 3), CTUNE_EINVAL);
    ck_assert_error_has("not a classifier");
    ck_assert_status(ctune_estimator_set_class_names(NULL, names, 3), CTUNE_EINVAL);
    ctune_estimator_free(sc);
    ctune_estimator_free(g);
    ctune_estimator_free(f);
    ctune_estimator_free(e);
    ctune_data_free(iris);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("io_persist_builtins");
    TCase *tc = tcase_create("persist_builtins");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_trees);
    tcase_add_test(tc, test_scaler);
    tcase_add_test(tc, test_dummies);
    tcase_add_test(tc, test_mlps);
    tcase_add_test(tc, test_pipelines);
    tcase_add_test(tc, test_keras_custom_builder);
    tcase_add_test(tc, test_unfitted);
    tcase_add_loop_test(tc, test_corrupted_files, 0, N_CASES);
    tcase_add_test(tc, test_fitted_state_mismatch);
    tcase_add_test(tc, test_tree_values_validated);
    tcase_add_test(tc, test_endless_stream);
    tcase_add_test(tc, test_corrupted_big_models);
    tcase_add_test(tc, test_alloc_failures);
    tcase_add_test(tc, test_nesting_limit);
    tcase_add_test(tc, test_class_names);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
