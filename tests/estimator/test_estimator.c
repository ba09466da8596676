/* Check suite: the estimator handle (lib/estimator/estimator.c) driven
 * through custom estimators written here against the public vtable. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* What the last fit saw (the suite runs each test in its own process). */
static int g_threads;
static uint64_t g_seed;
static size_t g_n_classes;
static double g_max_code;
static int g_fail_fit;    /* fit returns an error */
static int g_silent_fail; /* ... without a message */
static int g_null_self;   /* create returns OK without an instance */
static int g_bad_code;    /* predict returns an invalid class code */

static const ctune_param_spec PARAMS[] = {
    {"shift", CTUNE_TYPE_DOUBLE, "0", "[-10, 10]", NULL, "added to predictions"},
    {"mode", CTUNE_TYPE_STRING, "a", NULL, "a|b", "a mode"},
    {"seed", CTUNE_TYPE_INT, "5", "[0, inf)", NULL, "seed"},
    {"flag", CTUNE_TYPE_BOOL, "false", NULL, NULL, "a flag"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

/* MeanModel: a classifier predicting the class whose mean of column 0 is
 * nearest, a regressor predicting the training mean + shift, a transformer
 * multiplying by 2. */
typedef struct model {
    double shift;
    int64_t seed;
    size_t k, d, t;
    double *mean; /* k class means (classifier) or t target means */
} model;

static ctune_status m_create(void **self, const ctune_params *p, void *user)
{
    if (user)
        (*(int *)user)++;
    if (g_null_self) {
        *self = NULL;
        return CTUNE_OK;
    }
    model *m = calloc(1, sizeof *m);
    if (!m)
        return ctune_set_error(CTUNE_ENOMEM, "model: out of memory");
    ctune_params_get_double(&m->shift, p, "shift");
    ctune_params_get_int(&m->seed, p, "seed");
    *self = m;
    return CTUNE_OK;
}

static void m_destroy(void *self)
{
    model *m = self;
    if (m)
        free(m->mean);
    free(m);
}

static ctune_status m_fit(void *self, const ctune_data *train, size_t k, const ctune_fit_ctx *ctx)
{
    model *m = self;
    g_threads = ctune_fit_ctx_threads(ctx);
    g_seed = ctune_fit_ctx_seed(ctx, (uint64_t)m->seed);
    g_n_classes = k;
    if (g_fail_fit)
        return g_silent_fail ? CTUNE_ENUMERIC : ctune_set_error(CTUNE_ENUMERIC, "model: diverged");
    size_t n = ctune_data_n_rows(train);
    m->k = k;
    m->d = ctune_data_n_cols(train);
    m->t = ctune_data_n_targets(train);
    size_t slots = k ? k : (m->t ? m->t : 1);
    m->mean = calloc(slots, sizeof *m->mean);
    size_t *cnt = calloc(slots, sizeof *cnt);
    g_max_code = -1;
    for (size_t i = 0; i < n; i++) {
        if (k) {
            double c = ctune_data_y(train, i, 0);
            g_max_code = fmax(g_max_code, c);
            m->mean[(size_t)c] += ctune_data_x(train, i, 0);
            cnt[(size_t)c]++;
        } else {
            for (size_t t = 0; t < m->t; t++) {
                m->mean[t] += ctune_data_y(train, i, t);
                cnt[t]++;
            }
        }
    }
    for (size_t j = 0; j < slots; j++)
        m->mean[j] = cnt[j] ? m->mean[j] / (double)cnt[j] : 0;
    free(cnt);
    return CTUNE_OK;
}

static ctune_status m_predict(void *self, const ctune_data *X, double *out)
{
    const model *m = self;
    for (size_t i = 0; i < ctune_data_n_rows(X); i++) {
        if (m->k) {
            size_t best = 0;
            double x = ctune_data_x(X, i, 0);
            for (size_t c = 1; c < m->k; c++)
                if (fabs(x - m->mean[c]) < fabs(x - m->mean[best]))
                    best = c;
            out[i] = g_bad_code && i == 1 ? (double)m->k : (double)best;
        } else {
            for (size_t t = 0; t < m->t; t++)
                out[i * m->t + t] = m->mean[t] + m->shift;
        }
    }
    return CTUNE_OK;
}

static ctune_status m_proba(void *self, const ctune_data *X, double *out)
{
    const model *m = self;
    double *codes = malloc(ctune_data_n_rows(X) * sizeof *codes);
    m_predict(self, X, codes);
    for (size_t i = 0; i < ctune_data_n_rows(X); i++)
        for (size_t c = 0; c < m->k; c++)
            out[i * m->k + c] = codes[i] == (double)c;
    free(codes);
    return CTUNE_OK;
}

static size_t m_width(const void *self) { return ((const model *)self)->d; }

static ctune_status m_transform(void *self, const ctune_data *X, double *out)
{
    const model *m = self;
    for (size_t i = 0; i < ctune_data_n_rows(X); i++)
        for (size_t j = 0; j < m->d; j++)
            out[i * m->d + j] = 2 * ctune_data_x(X, i, j);
    return CTUNE_OK;
}

static ctune_status m_inverse(void *self, const ctune_data *X, double *out)
{
    const model *m = self;
    for (size_t i = 0; i < ctune_data_n_rows(X); i++)
        for (size_t j = 0; j < m->d; j++)
            out[i * m->d + j] = ctune_data_x(X, i, j) / 2;
    return CTUNE_OK;
}

static const ctune_estimator_vtable CLF = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "MeanClassifier",
    .kind = CTUNE_CLASSIFIER,
    .params = PARAMS,
    .create = m_create,
    .fit = m_fit,
    .predict = m_predict,
    .predict_proba = m_proba,
    .destroy = m_destroy,
};

static const ctune_estimator_vtable REG = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "MeanRegressor",
    .kind = CTUNE_REGRESSOR,
    .params = PARAMS,
    .create = m_create,
    .fit = m_fit,
    .predict = m_predict,
    .destroy = m_destroy,
};

static const ctune_estimator_vtable TRF = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "Doubler",
    .kind = CTUNE_TRANSFORMER,
    .create = m_create,
    .fit = m_fit,
    .transform = m_transform,
    .n_features_out = m_width,
    .inverse_transform = m_inverse,
    .destroy = m_destroy,
};

/* A classifier with its own score: the mean probability of the true class,
 * indexing its probabilities by the code it is given. */
static double g_last_score_code;

static ctune_status m_score(void *self, const ctune_data *data, double *out)
{
    const model *m = self;
    size_t n = ctune_data_n_rows(data);
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double code = ctune_data_y(data, i, 0);
        g_last_score_code = code;
        if (!(code >= 0 && code < (double)m->k))
            return ctune_set_error(CTUNE_EINTERNAL, "score got code %g", code);
        s += code == 0 ? 1 : 0;
    }
    *out = s / (double)n;
    return CTUNE_OK;
}

static const ctune_estimator_vtable CLF_SCORE = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "ScoringClassifier",
    .kind = CTUNE_CLASSIFIER,
    .params = PARAMS,
    .create = m_create,
    .fit = m_fit,
    .predict = m_predict,
    .score = m_score,
    .destroy = m_destroy,
};

/* 6 rows, 2 features; class 3 around x0 = 0, class 7 around x0 = 10 */
static const double X6[12] = {0, 1, 1, 1, -1, 0, 10, 5, 11, 5, 9, 4};
static const double Y37[6] = {3, 3, 3, 7, 7, 7};

static ctune_estimator *make(const ctune_estimator_vtable *vt)
{
    ctune_estimator *e;
    ck_assert_ok(ctune_estimator_new(&e, vt, NULL));
    return e;
}

static ctune_data *data(const double *X, size_t n, size_t d, const double *y, size_t t)
{
    ctune_data *v;
    ck_assert_ok(ctune_data_new(&v, X, CTUNE_FLOAT64, n, d, 0, y, t));
    return v;
}

static ctune_status no_def_save(const void *user, ctune_writer *w)
{
    (void)user;
    (void)w;
    return CTUNE_EINTERNAL;
}

START_TEST(test_creation_errors)
{
    ctune_estimator *e = (ctune_estimator *)1;
    ck_assert_status(ctune_estimator_new(NULL, &CLF, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_new(&e, NULL, NULL), CTUNE_EINVAL);
    ck_assert_ptr_null(e);
    ck_assert_error_has("vtable is NULL");
    ctune_estimator_vtable vt = CLF;
    vt.version = 99;
    ck_assert_status(ctune_estimator_new(&e, &vt, NULL), CTUNE_EINVAL);
    ck_assert_error_has("vtable version 99 is not supported");
    vt.version = 0;
    ck_assert_status(ctune_estimator_new(&e, &vt, NULL), CTUNE_EINVAL);
    /* version 2 methods: the definition hooks go together */
    vt = CLF;
    vt.save_definition = no_def_save;
    ck_assert_status(ctune_estimator_new(&e, &vt, NULL), CTUNE_EINVAL);
    ck_assert_error_has("save_definition and load_definition go together");
    /* a version 1 vtable has no such fields: they are never read */
    vt.version = 1;
    ck_assert_ok(ctune_estimator_new(&e, &vt, NULL));
    ctune_estimator_free(e);
    vt = CLF;
    vt.name = NULL;
    ck_assert_status(ctune_estimator_new(&e, &vt, NULL), CTUNE_EINVAL);
    ck_assert_error_has("has no name");
    vt = CLF;
    vt.kind = 9;
    ck_assert_status(ctune_estimator_new(&e, &vt, NULL), CTUNE_EINVAL);
    ck_assert_error_has("kind 9");
    vt = CLF;
    vt.fit = NULL;
    ck_assert_status(ctune_estimator_new(&e, &vt, NULL), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "estimator MeanClassifier: vtable lacks fit");
    vt = CLF;
    vt.create = NULL;
    ck_assert_status(ctune_estimator_new(&e, &vt, NULL), CTUNE_EINVAL);
    ck_assert_error_has("lacks create");
    vt = CLF;
    vt.destroy = NULL;
    ck_assert_status(ctune_estimator_new(&e, &vt, NULL), CTUNE_EINVAL);
    ck_assert_error_has("lacks destroy");
    vt = CLF;
    vt.predict = NULL;
    ck_assert_status(ctune_estimator_new(&e, &vt, NULL), CTUNE_EINVAL);
    ck_assert_error_has("lacks predict");
    vt = TRF;
    vt.transform = NULL;
    ck_assert_status(ctune_estimator_new(&e, &vt, NULL), CTUNE_EINVAL);
    ck_assert_error_has("a transformer needs transform and n_features_out");
    /* a spec whose default does not satisfy it */
    static const ctune_param_spec BAD[] = {
        {"depth", CTUNE_TYPE_INT, "0", "[1, inf)", NULL, "depth"},
        {NULL, 0, NULL, NULL, NULL, NULL},
    };
    vt = CLF;
    vt.params = BAD;
    ck_assert_status(ctune_estimator_new(&e, &vt, NULL), CTUNE_EINVAL);
    ck_assert_error_has("estimator MeanClassifier");
    ck_assert_error_has("'depth'");
    static const ctune_param_spec BAD_TYPE[] = {
        {"depth", CTUNE_TYPE_INT, "deep", NULL, NULL, "depth"},
        {NULL, 0, NULL, NULL, NULL, NULL},
    };
    vt.params = BAD_TYPE;
    ck_assert_status(ctune_estimator_new(&e, &vt, NULL), CTUNE_EINVAL);
    ck_assert_error_has("'depth' must be int");
    /* no params at all is fine */
    vt = CLF;
    vt.params = NULL;
    ck_assert_ok(ctune_estimator_new(&e, &vt, NULL));
    ck_assert_uint_eq(ctune_params_count(ctune_estimator_get_params(e)), 0);
    ctune_estimator_free(e);
    ctune_estimator_free(NULL);
}
END_TEST

START_TEST(test_accessors_and_clone)
{
    int64_t live = ctune_alloc_live();
    int creates = 0;
    ctune_estimator *e, *c;
    ck_assert_ok(ctune_estimator_new(&e, &CLF, &creates));
    ck_assert_str_eq(ctune_estimator_name(e), "MeanClassifier");
    ck_assert_int_eq(ctune_estimator_kind(e), CTUNE_CLASSIFIER);
    ck_assert_ptr_eq(ctune_estimator_vtable_of(e), &CLF);
    ck_assert_ptr_eq(ctune_estimator_user(e), &creates);
    ck_assert_ptr_null(ctune_estimator_name(NULL));
    ck_assert_int_eq(ctune_estimator_is_fitted(NULL), 0);
    char buf[128];
    ctune_params_to_text(buf, sizeof buf, ctune_estimator_get_params(e));
    ck_assert_str_eq(buf, "shift=0.0, mode=a, seed=5, flag=false");
    ck_assert_ok(ctune_estimator_set_params_text(e, "shift=2.5, mode=b"));
    ctune_data *d = data(X6, 6, 2, Y37, 1);
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_int_eq(creates, 1);
    ck_assert_int_eq(ctune_estimator_is_fitted(e), 1);
    ck_assert_ok(ctune_estimator_clone(&c, e));
    ck_assert_int_eq(ctune_estimator_is_fitted(c), 0);
    ck_assert_uint_eq(ctune_estimator_n_classes(c), 0);
    ck_assert_uint_eq(ctune_estimator_n_features_in(c), 0);
    ck_assert_int_eq(
        ctune_params_equal(ctune_estimator_get_params(c), ctune_estimator_get_params(e)), 1);
    ck_assert_ptr_eq(ctune_estimator_user(c), &creates);
    /* the clone's params are its own */
    ck_assert_ok(ctune_estimator_set_params_text(c, "shift=1"));
    ck_assert_int_eq(
        ctune_params_equal(ctune_estimator_get_params(c), ctune_estimator_get_params(e)), 0);
    ck_assert_int_eq(ctune_estimator_is_fitted(e), 1);
    ctune_estimator *c2 = (ctune_estimator *)1;
    ck_assert_status(ctune_estimator_clone(NULL, e), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_clone(&c2, NULL), CTUNE_EINVAL);
    ck_assert_ptr_null(c2);
    ctune_estimator_free(c);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_set_params_validation)
{
    ctune_estimator *e = make(&CLF);
    ctune_data *d = data(X6, 6, 2, Y37, 1);
    ck_assert_ok(ctune_estimator_fit(e, d));
    char before[128], after[128];
    ctune_params_to_text(before, sizeof before, ctune_estimator_get_params(e));
    ck_assert_status(ctune_estimator_set_params_text(e, "shift=1, nope=3"), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(),
                     "unknown parameter 'nope' for MeanClassifier; known: shift, mode, seed, flag");
    ck_assert_status(ctune_estimator_set_params_text(e, "shift=1, mode=3"), CTUNE_EINVAL);
    ck_assert_error_has("'mode' must be string");
    ck_assert_status(ctune_estimator_set_params_text(e, "mode=c"), CTUNE_EINVAL);
    ck_assert_error_has("'mode' = 'c' is not one of a|b");
    ck_assert_status(ctune_estimator_set_params_text(e, "shift=1, seed=-2"), CTUNE_EINVAL);
    ck_assert_error_has("'seed' = -2 is out of range [0, inf)");
    ck_assert_status(ctune_estimator_set_params_text(e, "shift=11"), CTUNE_EINVAL);
    ck_assert_error_has("'shift' = 11 is out of range [-10, 10]");
    ck_assert_status(ctune_estimator_set_params_text(e, "shift=nan"), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_set_params_text(e, "=3"), CTUNE_EFORMAT);
    /* nothing applied, still fitted */
    ctune_params_to_text(after, sizeof after, ctune_estimator_get_params(e));
    ck_assert_str_eq(before, after);
    ck_assert_int_eq(ctune_estimator_is_fitted(e), 1);
    /* check_params validates without applying */
    ctune_params *p;
    ck_assert_ok(ctune_params_new(&p));
    ck_assert_ok(ctune_params_set_int(p, "shift", 3)); /* int accepted for a double */
    ck_assert_ok(ctune_estimator_check_params(e, p));
    ck_assert_int_eq(ctune_estimator_is_fitted(e), 1);
    ck_assert_ok(ctune_params_set_int(p, "seed", -1));
    ck_assert_status(ctune_estimator_check_params(e, p), CTUNE_EINVAL);
    ck_assert_ok(ctune_params_set_int(p, "seed", 9));
    /* success applies, converts int to double, drops the fit */
    ck_assert_ok(ctune_estimator_set_params(e, p));
    ck_assert_int_eq(ctune_estimator_is_fitted(e), 0);
    ck_assert_int_eq(ctune_params_type(ctune_estimator_get_params(e), "shift"), CTUNE_TYPE_DOUBLE);
    ctune_params_to_text(after, sizeof after, ctune_estimator_get_params(e));
    ck_assert_str_eq(after, "shift=3.0, mode=a, seed=9, flag=false");
    /* bool from 0/1, setting its own params back is a no-op on values */
    ck_assert_ok(ctune_estimator_set_params_text(e, "flag=1"));
    ck_assert_ok(ctune_estimator_set_params(e, ctune_estimator_get_params(e)));
    ctune_params_to_text(after, sizeof after, ctune_estimator_get_params(e));
    ck_assert_str_eq(after, "shift=3.0, mode=a, seed=9, flag=true");
    ck_assert_status(ctune_estimator_set_params(NULL, p), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_set_params(e, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_set_params_text(e, NULL), CTUNE_EINVAL);
    ctune_params_free(p);
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_state_errors)
{
    ctune_estimator *e = make(&CLF);
    ctune_data *d = data(X6, 6, 2, Y37, 1);
    double out[12], v;
    ck_assert_status(ctune_estimator_predict(out, e, d), CTUNE_ESTATE);
    ck_assert_str_eq(ctune_last_error(), "MeanClassifier is not fitted: call fit first");
    ck_assert_status(ctune_estimator_predict_proba(out, e, d), CTUNE_ESTATE);
    ck_assert_status(ctune_estimator_score(&v, e, d), CTUNE_ESTATE);
    ck_assert_status(ctune_estimator_classes(out, e), CTUNE_ESTATE);
    ck_assert_status(ctune_estimator_transform(out, e, d), CTUNE_ESTATE);
    ck_assert_status(ctune_estimator_inverse_transform(out, e, d), CTUNE_ESTATE);
    ck_assert_uint_eq(ctune_estimator_n_outputs(e), 0);
    ck_assert_status(ctune_estimator_predict(out, e, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_predict(out, NULL, d), CTUNE_EINVAL);
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_status(ctune_estimator_predict(NULL, e, d), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_transform(out, e, d), CTUNE_EUNSUPPORTED);
    ck_assert_error_has("MeanClassifier has no transform");
    ck_assert_status(ctune_estimator_fit(e, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_fit(NULL, d), CTUNE_EINVAL);
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_label_mapping)
{
    ctune_estimator *e = make(&CLF);
    ctune_data *d = data(X6, 6, 2, Y37, 1);
    ck_assert_ok(ctune_estimator_fit(e, d));
    /* fit saw codes 0..1, not labels */
    ck_assert_uint_eq(g_n_classes, 2);
    ck_assert_double_eq(g_max_code, 1);
    ck_assert_uint_eq(ctune_estimator_n_classes(e), 2);
    ck_assert_uint_eq(ctune_estimator_n_features_in(e), 2);
    ck_assert_uint_eq(ctune_estimator_n_outputs(e), 1);
    double cls[2], pred[6], proba[12];
    ck_assert_ok(ctune_estimator_classes(cls, e));
    ck_assert_double_eq(cls[0], 3);
    ck_assert_double_eq(cls[1], 7);
    ck_assert_ok(ctune_estimator_predict(pred, e, d));
    for (int i = 0; i < 6; i++)
        ck_assert_double_eq(pred[i], Y37[i]);
    ck_assert_ok(ctune_estimator_predict_proba(proba, e, d));
    ck_assert_double_eq(proba[0], 1);  /* row 0: class 3 = column 0 */
    ck_assert_double_eq(proba[11], 1); /* row 5: class 7 = column 1 */
    /* labels in any order, negative, with repeats */
    const double yneg[6] = {-4, 7, -4, 7, 7, 100};
    ctune_data *d2 = data(X6, 6, 2, yneg, 1);
    ck_assert_ok(ctune_estimator_fit(e, d2));
    ck_assert_uint_eq(ctune_estimator_n_classes(e), 3);
    double c3[3];
    ck_assert_ok(ctune_estimator_classes(c3, e));
    ck_assert_double_eq(c3[0], -4);
    ck_assert_double_eq(c3[2], 100);
    ctune_data_free(d2);
    /* non-integer labels are rejected, naming the row */
    const double yhalf[6] = {3, 3, 3, 7, 7.5, 7};
    d2 = data(X6, 6, 2, yhalf, 1);
    ck_assert_status(ctune_estimator_fit(e, d2), CTUNE_EDATA);
    ck_assert_str_eq(ctune_last_error(), "y row 4 is 7.5: class labels must be integer-valued");
    ck_assert_int_eq(ctune_estimator_is_fitted(e), 0);
    ctune_data_free(d2);
    /* a classifier wants exactly one target column */
    const double y2[12] = {0};
    d2 = data(X6, 6, 2, y2, 2);
    ck_assert_status(ctune_estimator_fit(e, d2), CTUNE_EDATA);
    ck_assert_error_has("exactly 1 target column, got 2");
    ctune_data_free(d2);
    d2 = data(X6, 6, 2, NULL, 0);
    ck_assert_status(ctune_estimator_fit(e, d2), CTUNE_EDATA);
    ck_assert_error_has("fit needs y");
    ctune_data_free(d2);
    d2 = data(X6, 0, 2, Y37, 1);
    ck_assert_status(ctune_estimator_fit(e, d2), CTUNE_EDATA);
    ck_assert_error_has("cannot fit on 0 rows");
    ctune_data_free(d2);
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_subset_fit)
{
    /* fitting on a subset view uses the subset's labels only */
    ctune_estimator *e = make(&CLF);
    ctune_data *d = data(X6, 6, 2, Y37, 1), *s;
    const size_t rows[3] = {5, 0, 4};
    ck_assert_ok(ctune_data_subset(&s, d, rows, 3));
    ck_assert_ok(ctune_estimator_fit(e, s));
    double pred[6];
    ck_assert_ok(ctune_estimator_predict(pred, e, d));
    for (int i = 0; i < 6; i++)
        ck_assert_double_eq(pred[i], Y37[i]);
    const size_t only7[2] = {3, 4};
    ctune_data_free(s);
    ck_assert_ok(ctune_data_subset(&s, d, only7, 2));
    ck_assert_ok(ctune_estimator_fit(e, s));
    ck_assert_uint_eq(ctune_estimator_n_classes(e), 1);
    ck_assert_ok(ctune_estimator_predict(pred, e, d));
    ck_assert_double_eq(pred[0], 7);
    ctune_data_free(s);
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_bad_X)
{
    ctune_estimator *e = make(&CLF);
    ctune_data *d = data(X6, 6, 2, Y37, 1);
    double pred[6];
    /* NaN / Inf in X or y at fit, naming the row and column */
    double Xn[12];
    memcpy(Xn, X6, sizeof Xn);
    Xn[2 * 4 + 1] = NAN;
    ctune_data *bad = data(Xn, 6, 2, Y37, 1);
    ck_assert_status(ctune_estimator_fit(e, bad), CTUNE_EDATA);
    ck_assert_str_eq(ctune_last_error(), "MeanClassifier: fit: X row 4, column 1 is NaN");
    ctune_data_free(bad);
    double yi[6] = {3, 3, INFINITY, 7, 7, 7};
    bad = data(X6, 6, 2, yi, 1);
    ck_assert_status(ctune_estimator_fit(e, bad), CTUNE_EDATA);
    ck_assert_error_has("y row 2 is +Inf");
    ctune_data_free(bad);
    /* at predict: feature count and finiteness */
    ck_assert_ok(ctune_estimator_fit(e, d));
    const double X3[9] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    bad = data(X3, 3, 3, NULL, 0);
    ck_assert_status(ctune_estimator_predict(pred, e, bad), CTUNE_EDATA);
    ck_assert_str_eq(ctune_last_error(), "X has 3 features, but MeanClassifier was fitted with 2");
    ck_assert_status(ctune_estimator_predict_proba(pred, e, bad), CTUNE_EDATA);
    ctune_data_free(bad);
    Xn[2 * 4 + 1] = -INFINITY;
    bad = data(Xn, 6, 2, NULL, 0);
    ck_assert_status(ctune_estimator_predict(pred, e, bad), CTUNE_EDATA);
    ck_assert_str_eq(ctune_last_error(), "MeanClassifier: X row 4, column 1 is -Inf");
    ctune_data_free(bad);
    /* a NaN y does not matter for predict (only X is used) */
    double yn[6] = {NAN, 3, 3, 7, 7, 7};
    bad = data(X6, 6, 2, yn, 1);
    ck_assert_ok(ctune_estimator_predict(pred, e, bad));
    double v;
    ck_assert_status(ctune_estimator_score(&v, e, bad), CTUNE_EDATA);
    ck_assert_error_has("y row 0 is not finite");
    ctune_data_free(bad);
    /* 0 rows predict nothing */
    bad = data(X6, 0, 2, NULL, 0);
    ck_assert_ok(ctune_estimator_predict(NULL, e, bad));
    ctune_data_free(bad);
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_fit_context)
{
    ctune_estimator *e = make(&CLF);
    ctune_data *d = data(X6, 6, 2, Y37, 1);
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_int_eq(g_threads, 1);
    ck_assert_uint_eq(g_seed, 5); /* the estimator's own seed param */
    ck_assert_ok(ctune_estimator_fit_task(e, d, 3, 0));
    ck_assert_int_eq(g_threads, 3);
    ck_assert_uint_eq(g_seed, 5); /* stream 0: the seed as is */
    ck_assert_ok(ctune_estimator_fit_task(e, d, 0, 42));
    ck_assert_int_eq(g_threads, 1);
    ck_assert_uint_eq(g_seed, ctune_seed_derive(5, 42));
    ck_assert_ok(ctune_estimator_set_params_text(e, "seed=6"));
    ck_assert_ok(ctune_estimator_fit_task(e, d, 2, 42));
    ck_assert_uint_eq(g_seed, ctune_seed_derive(6, 42));
    ck_assert_uint_ne(g_seed, ctune_seed_derive(5, 42));
    ck_assert_status(ctune_estimator_fit_task(e, d, -1, 0), CTUNE_EINVAL);
    ck_assert_error_has("threads -1 is negative");
    /* the accessors tolerate NULL */
    ck_assert_int_eq(ctune_fit_ctx_threads(NULL), 1);
    ck_assert_uint_eq(ctune_fit_ctx_seed(NULL, 77), 77);
    ck_assert_int_eq(ctune_fit_ctx_cancelled(NULL), 0);
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_fit_failures)
{
    int64_t live = ctune_alloc_live();
    ctune_estimator *e = make(&CLF);
    ctune_data *d = data(X6, 6, 2, Y37, 1);
    ck_assert_ok(ctune_estimator_fit(e, d));
    g_fail_fit = 1;
    ck_assert_status(ctune_estimator_fit(e, d), CTUNE_ENUMERIC);
    ck_assert_str_eq(ctune_last_error(), "model: diverged");
    ck_assert_int_eq(ctune_estimator_is_fitted(e), 0);
    g_silent_fail = 1;
    ck_assert_status(ctune_estimator_fit(e, d), CTUNE_ENUMERIC);
    ck_assert_str_eq(ctune_last_error(), "MeanClassifier: fit failed (numeric failure)");
    g_fail_fit = g_silent_fail = 0;
    g_null_self = 1;
    ck_assert_status(ctune_estimator_fit(e, d), CTUNE_EINTERNAL);
    ck_assert_error_has("create returned OK without an instance");
    g_null_self = 0;
    g_bad_code = 1;
    double pred[6];
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_status(ctune_estimator_predict(pred, e, d), CTUNE_EINTERNAL);
    ck_assert_error_has("predict returned class code 2 for row 1 (n_classes 2)");
    g_bad_code = 0;
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_default_scores)
{
    /* classifier: accuracy. X row 2 moved to the class-7 side: 5/6 right */
    double X[12];
    memcpy(X, X6, sizeof X);
    ctune_estimator *e = make(&CLF);
    ctune_data *d = data(X, 6, 2, Y37, 1);
    ck_assert_ok(ctune_estimator_fit(e, d));
    X[4] = 9;
    double v;
    ck_assert_ok(ctune_estimator_score(&v, e, d));
    ck_assert_double_eq_tol(v, 5.0 / 6.0, 1e-15);
    ctune_estimator_free(e);
    ctune_data_free(d);
    /* regressor: R². Mean of y = 2; predicting mean + shift 1 on y 0 2 4:
     * SS_res = 1 + 1 + 9... per row (0-3)² + (2-3)² + (4-3)² = 11, SS_tot = 8
     * -> 1 - 11/8 = -0.375 */
    const double Xr[3] = {0, 1, 2}, yr[3] = {0, 2, 4};
    e = make(&REG);
    d = data(Xr, 3, 1, yr, 1);
    ck_assert_ok(ctune_estimator_set_params_text(e, "shift=1"));
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_ok(ctune_estimator_score(&v, e, d));
    ck_assert_double_eq_tol(v, -0.375, 1e-15);
    ck_assert_status(ctune_estimator_predict_proba(&v, e, d), CTUNE_EUNSUPPORTED);
    ck_assert_status(ctune_estimator_classes(&v, e), CTUNE_EINVAL);
    ctune_estimator_free(e);
    ctune_data_free(d);
    /* multi-target regressor: n_outputs from y, score checks the width */
    const double y2[6] = {0, 10, 2, 10, 4, 10};
    e = make(&REG);
    d = data(Xr, 3, 1, y2, 2);
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_uint_eq(ctune_estimator_n_outputs(e), 2);
    double pred[6];
    ck_assert_ok(ctune_estimator_predict(pred, e, d));
    ck_assert_double_eq(pred[0], 2);
    ck_assert_double_eq(pred[1], 10);
    /* R²: column 0 gives 0, column 1 is constant and exact -> 1; mean 0.5 */
    ck_assert_ok(ctune_estimator_score(&v, e, d));
    ck_assert_double_eq_tol(v, 0.5, 1e-15);
    ctune_data *d1 = data(Xr, 3, 1, yr, 1);
    ck_assert_status(ctune_estimator_score(&v, e, d1), CTUNE_EDATA);
    ck_assert_error_has("y has 1 targets, the model predicts 2");
    ctune_data_free(d1);
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_transformer)
{
    int64_t live = ctune_alloc_live();
    ctune_estimator *e = make(&TRF);
    ctune_data *d = data(X6, 6, 2, NULL, 0); /* no y needed */
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_uint_eq(ctune_estimator_n_outputs(e), 2);
    ck_assert_uint_eq(ctune_estimator_n_classes(e), 0);
    double t[12], p[12], back[12], v;
    ck_assert_ok(ctune_estimator_transform(t, e, d));
    ck_assert_ok(ctune_estimator_predict(p, e, d));
    for (int i = 0; i < 12; i++) {
        ck_assert_double_eq(t[i], 2 * X6[i]);
        ck_assert_double_eq(p[i], t[i]);
    }
    ctune_data *td = data(t, 6, 2, NULL, 0);
    ck_assert_ok(ctune_estimator_inverse_transform(back, e, td));
    for (int i = 0; i < 12; i++)
        ck_assert_double_eq(back[i], X6[i]);
    ctune_data_free(td);
    const double X3[3] = {1, 2, 3};
    td = data(X3, 1, 3, NULL, 0);
    ck_assert_status(ctune_estimator_inverse_transform(back, e, td), CTUNE_EDATA);
    ck_assert_error_has("X has 3 columns, but Doubler outputs 2");
    ck_assert_status(ctune_estimator_transform(back, e, td), CTUNE_EDATA);
    ctune_data_free(td);
    ck_assert_status(ctune_estimator_score(&v, e, d), CTUNE_EUNSUPPORTED);
    ck_assert_status(ctune_estimator_predict_proba(p, e, d), CTUNE_EUNSUPPORTED);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_float32_and_stride)
{
    /* the same values as float32 inside wider rows predict the same */
    const float Xf[6 * 3] = {0, 1, -9, 1, 1, -9, -1, 0, -9, 10, 5, -9, 11, 5, -9, 9, 4, -9};
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, Xf, CTUNE_FLOAT32, 6, 2, 3, Y37, 1));
    ctune_estimator *e = make(&CLF);
    ck_assert_ok(ctune_estimator_fit(e, d));
    double pred[6];
    ctune_data *d64 = data(X6, 6, 2, NULL, 0);
    ck_assert_ok(ctune_estimator_predict(pred, e, d64));
    for (int i = 0; i < 6; i++)
        ck_assert_double_eq(pred[i], Y37[i]);
    ctune_data_free(d64);
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_custom_score_codes)
{
    /* a custom score gets codes 0..k-1; a label the classifier never saw has
     * no code and is refused before the custom score runs */
    ctune_estimator *e = make(&CLF_SCORE);
    ctune_data *d = data(X6, 6, 2, Y37, 1);
    ck_assert_ok(ctune_estimator_fit(e, d));
    double v;
    ck_assert_ok(ctune_estimator_score(&v, e, d));
    ck_assert_double_eq_tol(v, 0.5, 1e-15); /* 3 of 6 rows have code 0 */
    const double y5[6] = {3, 3, 5, 7, 7, 7};
    ctune_data *d5 = data(X6, 6, 2, y5, 1);
    g_last_score_code = 0;
    ck_assert_status(ctune_estimator_score(&v, e, d5), CTUNE_EDATA);
    ck_assert_str_eq(ctune_last_error(),
                     "ScoringClassifier: y row 2 has label 5, which was not seen at fit");
    ck_assert_double_eq(g_last_score_code, 0); /* never called */
    ctune_data_free(d5);
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

/* Threads that predict with their own fitted clone on one shared data while
 * others create and free views of the same storage (as a parallel search
 * does). Run under ThreadSanitizer this showed predict's validation reading
 * the storage's reference count without synchronisation. */
typedef struct pjob {
    ctune_estimator *e;
    const ctune_data *d;
    int ok;
} pjob;

static void *predict_loop(void *arg)
{
    pjob *j = arg;
    double pred[6];
    j->ok = 1;
    for (int r = 0; r < 300; r++) {
        ctune_data *s;
        const size_t rows[2] = {1, 4};
        if (ctune_data_subset(&s, j->d, rows, 2) != CTUNE_OK ||
            ctune_estimator_predict(pred, j->e, j->d) != CTUNE_OK)
            j->ok = 0;
        ctune_data_free(s);
        for (int i = 0; i < 6; i++)
            j->ok &= pred[i] == Y37[i];
    }
    return NULL;
}

START_TEST(test_concurrent_predict)
{
    ctune_data *d = data(X6, 6, 2, Y37, 1);
    pjob jobs[4];
    pthread_t th[4];
    for (int t = 0; t < 4; t++) {
        jobs[t].e = make(&CLF);
        jobs[t].d = d;
        ck_assert_ok(ctune_estimator_fit(jobs[t].e, d));
    }
    for (int t = 0; t < 4; t++)
        ck_assert_int_eq(pthread_create(&th[t], NULL, predict_loop, &jobs[t]), 0);
    for (int t = 0; t < 4; t++) {
        pthread_join(th[t], NULL);
        ck_assert(jobs[t].ok);
        ctune_estimator_free(jobs[t].e);
    }
    ctune_data_free(d);
}
END_TEST

START_TEST(test_alloc_failure_sweep)
{
    ctune_data *d = data(X6, 6, 2, Y37, 1), *s;
    const size_t rows[4] = {0, 5, 1, 4};
    ck_assert_ok(ctune_data_subset(&s, d, rows, 4));
    int64_t live = ctune_alloc_live();
    int ok = 0;
    for (int k = 1; k < 200 && !ok; k++) {
        ctune_estimator *e = NULL, *c = NULL;
        double pred[6], proba[12], v;
        ctune_alloc_fail_at(k, 0);
        ctune_status rc = ctune_estimator_new(&e, &CLF, NULL);
        if (rc == CTUNE_OK)
            rc = ctune_estimator_set_params_text(e, "shift=1, mode=b");
        if (rc == CTUNE_OK)
            rc = ctune_estimator_fit(e, s);
        if (rc == CTUNE_OK)
            rc = ctune_estimator_predict(pred, e, d);
        if (rc == CTUNE_OK)
            rc = ctune_estimator_predict_proba(proba, e, d);
        if (rc == CTUNE_OK)
            rc = ctune_estimator_score(&v, e, d);
        if (rc == CTUNE_OK)
            rc = ctune_estimator_clone(&c, e);
        if (rc == CTUNE_OK)
            rc = ctune_estimator_fit_task(c, d, 2, 9);
        ctune_alloc_fail_at(0, 0);
        if (rc != CTUNE_OK) {
            ck_assert_msg(rc == CTUNE_ENOMEM, "k=%d: %s", k, ctune_last_error());
            ck_assert_error_has("out of memory");
        }
        ctune_estimator_free(c);
        ctune_estimator_free(e);
        ck_assert_int_eq(ctune_alloc_live(), live);
        ok = rc == CTUNE_OK;
    }
    ck_assert(ok);
    ctune_data_free(s);
    ctune_data_free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("estimator");
    TCase *tc = tcase_create("estimator");
    tcase_add_test(tc, test_creation_errors);
    tcase_add_test(tc, test_accessors_and_clone);
    tcase_add_test(tc, test_set_params_validation);
    tcase_add_test(tc, test_state_errors);
    tcase_add_test(tc, test_label_mapping);
    tcase_add_test(tc, test_subset_fit);
    tcase_add_test(tc, test_bad_X);
    tcase_add_test(tc, test_fit_context);
    tcase_add_test(tc, test_fit_failures);
    tcase_add_test(tc, test_default_scores);
    tcase_add_test(tc, test_transformer);
    tcase_add_test(tc, test_float32_and_stride);
    tcase_add_test(tc, test_custom_score_codes);
    tcase_add_test(tc, test_concurrent_predict);
    tcase_add_test(tc, test_alloc_failure_sweep);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
