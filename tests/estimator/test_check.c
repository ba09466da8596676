/* Check suite: the conformance kit, run on the Dummy estimators, on correct
 * custom estimators written here, and on deliberately broken ones (each
 * must be caught by the right check). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/data.h" /* only for the estimator that writes into its input */
#include "testutil.h"

/* ---- a correct custom classifier: nearest centroid ---------------------- */
typedef struct centroid {
    size_t k, d;
    double *mu; /* k × d */
    int flavour;
    unsigned offset; /* the seed ignorer's draw */
} centroid;

static const ctune_param_spec NC_PARAMS[] = {
    {"metric", CTUNE_TYPE_STRING, "euclidean", NULL, "euclidean|manhattan", "distance"},
    {"shrink", CTUNE_TYPE_DOUBLE, "0", "[0, 1]", NULL, "shrink centroids toward 0"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

enum {
    GOOD,
    SEED_IGNORER,
    BAD_PROBA,
    MODIFIES_INPUT,
    BATCH_DEPENDENT,
    LEAKER,
    OVERRUN,
    MISSPELT,
    UNWRITTEN_ROW,
    MORE_DRIFTS,   /* fit_more trains on although nothing changed */
    MORE_DIRTY_NO, /* fit_more declines after changing the fit */
};

static ctune_status nc_create(void **self, const ctune_params *p, void *user)
{
    int flavour = user ? *(const int *)user : GOOD;
    const char *metric = NULL;
    double shrink = 0;
    ck_assert_ok(ctune_params_get_string(&metric, p, "metric"));
    if (flavour == MISSPELT) /* a bug: the wrong name, its status ignored */
        (void)ctune_params_get_double(&shrink, p, "shrnk");
    else
        ck_assert_ok(ctune_params_get_double(&shrink, p, "shrink"));
    centroid *c = calloc(1, sizeof *c);
    if (!c)
        return ctune_set_error(CTUNE_ENOMEM, "centroid: out of memory");
    c->flavour = flavour;
    *self = c;
    return CTUNE_OK;
}

static void nc_destroy(void *self)
{
    centroid *c = self;
    if (c)
        free(c->mu);
    free(c);
}

/* the leaker's blocks, freed by the test */
static ctune_params *g_leaked[512];
static size_t g_n_leaked;
/* what a seed-ignoring estimator draws from instead of ctune_fit_ctx_seed */
static unsigned g_global_state;

static ctune_status nc_fit(void *self, const ctune_data *train, size_t k, const ctune_fit_ctx *ctx)
{
    (void)ctx;
    centroid *c = self;
    size_t n = ctune_data_n_rows(train), d = ctune_data_n_cols(train);
    c->k = k;
    c->d = d;
    free(c->mu);
    c->mu = calloc(k * d, sizeof *c->mu);
    size_t *cnt = calloc(k, sizeof *cnt);
    double *row = malloc(d * sizeof *row);
    for (size_t i = 0; i < n; i++) {
        size_t y = (size_t)ctune_data_y(train, i, 0);
        ctune_data_gather_f64(row, d, train, &i, 1);
        for (size_t j = 0; j < d; j++)
            c->mu[y * d + j] += row[j];
        cnt[y]++;
    }
    for (size_t y = 0; y < k; y++)
        for (size_t j = 0; j < d; j++)
            c->mu[y * d + j] /= cnt[y] ? (double)cnt[y] : 1.0;
    free(cnt);
    free(row);
    if (c->flavour == MODIFIES_INPUT) /* a bug: scales the caller's X in place */
        ((double *)train->st->X)[0] *= 2;
    if (c->flavour == LEAKER && g_n_leaked < 512) /* a bug: forgets a block per fit */
        ctune_params_new(&g_leaked[g_n_leaked++]);
    if (c->flavour == SEED_IGNORER) /* a bug: global state instead of the fit's seed */
        c->offset = g_global_state++;
    return CTUNE_OK;
}

static size_t nc_nearest(const centroid *c, const ctune_data *X, size_t i, double *dist)
{
    size_t best = 0;
    double bd = INFINITY;
    for (size_t y = 0; y < c->k; y++) {
        double s = 0;
        for (size_t j = 0; j < c->d; j++) {
            double t = ctune_data_x(X, i, j) - c->mu[y * c->d + j];
            s += t * t;
        }
        if (dist)
            dist[y] = s;
        if (s < bd) {
            bd = s;
            best = y;
        }
    }
    return best;
}

static ctune_status nc_predict(void *self, const ctune_data *X, double *out)
{
    const centroid *c = self;
    size_t n = ctune_data_n_rows(X);
    double mean0 = 0;
    for (size_t i = 0; i < n; i++)
        mean0 += ctune_data_x(X, i, 0) / (double)n;
    for (size_t i = 0; i < n; i++) {
        size_t y = nc_nearest(c, X, i, NULL);
        if (c->flavour == SEED_IGNORER)
            y = (y + c->offset) % c->k;
        if (c->flavour == BATCH_DEPENDENT && n > 1 && ctune_data_x(X, i, 0) > mean0)
            y = (y + 1) % c->k;
        if (c->flavour == UNWRITTEN_ROW && n > 1 && i == n - 1)
            continue; /* a bug: the last row is never written */
        out[i] = (double)y;
    }
    if (c->flavour == OVERRUN)
        out[n] = 0; /* one value too many */
    return CTUNE_OK;
}

static ctune_status nc_proba(void *self, const ctune_data *X, double *out)
{
    const centroid *c = self;
    double dist[64];
    for (size_t i = 0; i < ctune_data_n_rows(X); i++) {
        nc_nearest(c, X, i, dist);
        double s = 0, m = INFINITY;
        for (size_t y = 0; y < c->k; y++)
            m = fmin(m, dist[y]);
        for (size_t y = 0; y < c->k; y++)
            s += out[i * c->k + y] = exp(-(dist[y] - m));
        for (size_t y = 0; y < c->k; y++)
            out[i * c->k + y] = c->flavour == BAD_PROBA ? 0.5 : out[i * c->k + y] / s;
    }
    return CTUNE_OK;
}

static const ctune_estimator_vtable NC = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "NearestCentroid",
    .kind = CTUNE_CLASSIFIER,
    .params = NC_PARAMS,
    .create = nc_create,
    .fit = nc_fit,
    .predict = nc_predict,
    .predict_proba = nc_proba,
    .destroy = nc_destroy,
};

/* The centroid with a warm start: with its own params there is nothing
 * more to train (GOOD), but the broken flavours move the centroids. */
static ctune_status nc_fit_more(void *self, const ctune_params *params, const ctune_data *train,
                                size_t k, const ctune_fit_ctx *ctx)
{
    (void)params, (void)train, (void)ctx;
    centroid *c = self;
    if (c->flavour == MORE_DRIFTS || c->flavour == MORE_DIRTY_NO)
        for (size_t i = 0; i < k * c->d; i++)
            c->mu[i] = -c->mu[i]; /* a bug: the fit is not the same any more */
    if (c->flavour == MORE_DIRTY_NO)
        return ctune_set_error(CTUNE_EUNSUPPORTED, "cannot continue");
    return CTUNE_OK;
}

static const ctune_estimator_vtable NC_MORE = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "NearestCentroid",
    .kind = CTUNE_CLASSIFIER,
    .params = NC_PARAMS,
    .create = nc_create,
    .fit = nc_fit,
    .predict = nc_predict,
    .predict_proba = nc_proba,
    .destroy = nc_destroy,
    .fit_more = nc_fit_more,
};

/* ---- k nearest neighbours: correct, and with rand() or a global counter ---- */
typedef struct knn {
    int flavour;
    int64_t k;
    size_t n, d;
    double *X, *y; /* the (kept) training rows */
    size_t n_classes;
} knn;

enum { KNN_GOOD, KNN_RAND, KNN_GLOBAL };
static unsigned g_knn_fits; /* the global counter of KNN_GLOBAL */

static const ctune_param_spec KNN_PARAMS[] = {
    {"n_neighbors", CTUNE_TYPE_INT, "3", "[1, inf)", NULL, "neighbours that vote"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

static ctune_status knn_create(void **self, const ctune_params *p, void *user)
{
    knn *m = calloc(1, sizeof *m);
    if (!m)
        return ctune_set_error(CTUNE_ENOMEM, "knn: out of memory");
    m->flavour = user ? *(const int *)user : KNN_GOOD;
    ck_assert_ok(ctune_params_get_int(&m->k, p, "n_neighbors"));
    *self = m;
    return CTUNE_OK;
}

static void knn_destroy(void *self)
{
    knn *m = self;
    if (m) {
        free(m->X);
        free(m->y);
    }
    free(m);
}

static ctune_status knn_fit(void *self, const ctune_data *train, size_t k, const ctune_fit_ctx *ctx)
{
    (void)ctx;
    knn *m = self;
    size_t n = ctune_data_n_rows(train), d = ctune_data_n_cols(train);
    free(m->X);
    free(m->y);
    m->X = malloc(n * d * sizeof *m->X);
    m->y = malloc(n * sizeof *m->y);
    m->d = d;
    m->n = 0;
    m->n_classes = k;
    if (m->flavour == KNN_GLOBAL) /* a bug: k from state kept between fits */
        m->k = 1 + 2 * (int64_t)(g_knn_fits++ % 4);
    for (size_t i = 0; i < n; i++) {
        if (m->flavour == KNN_RAND && rand() % 4 == 0) /* a bug: subsamples with rand() */
            continue;
        ctune_data_gather_f64(m->X + m->n * d, d, train, &i, 1);
        m->y[m->n++] = ctune_data_y(train, i, 0);
    }
    return CTUNE_OK;
}

static ctune_status knn_predict(void *self, const ctune_data *X, double *out)
{
    const knn *m = self;
    size_t kk = (size_t)m->k < m->n ? (size_t)m->k : m->n;
    size_t *best = malloc(kk * sizeof *best);
    double *bd = malloc(kk * sizeof *bd);
    for (size_t i = 0; i < ctune_data_n_rows(X); i++) {
        size_t found = 0;
        for (size_t r = 0; r < m->n; r++) {
            double s = 0;
            for (size_t j = 0; j < m->d; j++) {
                double t = ctune_data_x(X, i, j) - m->X[r * m->d + j];
                s += t * t;
            }
            size_t at = found < kk ? found++ : kk;
            while (at > 0 && bd[at - 1] > s) {
                if (at < kk) {
                    bd[at] = bd[at - 1];
                    best[at] = best[at - 1];
                }
                at--;
            }
            if (at < kk) {
                bd[at] = s;
                best[at] = r;
            }
        }
        size_t votes[64] = {0}, top = 0;
        for (size_t j = 0; j < found; j++)
            votes[(size_t)m->y[best[j]]]++;
        for (size_t c = 1; c < m->n_classes; c++)
            if (votes[c] > votes[top])
                top = c;
        out[i] = (double)top;
    }
    free(best);
    free(bd);
    return CTUNE_OK;
}

static const ctune_estimator_vtable KNN = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "KNeighbors",
    .kind = CTUNE_CLASSIFIER,
    .params = KNN_PARAMS,
    .create = knn_create,
    .fit = knn_fit,
    .predict = knn_predict,
    .destroy = knn_destroy,
};

/* ---- a correct custom regressor: least squares on column 0 -------------- */
typedef struct line {
    double a, b;
} line;

static ctune_status ln_create(void **self, const ctune_params *p, void *user)
{
    (void)p;
    (void)user;
    *self = calloc(1, sizeof(line));
    return *self ? CTUNE_OK : ctune_set_error(CTUNE_ENOMEM, "line: out of memory");
}

static ctune_status ln_fit(void *self, const ctune_data *train, size_t k, const ctune_fit_ctx *ctx)
{
    (void)k;
    (void)ctx;
    line *l = self;
    size_t n = ctune_data_n_rows(train);
    double mx = 0, my = 0, sxy = 0, sxx = 0;
    for (size_t i = 0; i < n; i++) {
        mx += ctune_data_x(train, i, 0) / (double)n;
        my += ctune_data_y(train, i, 0) / (double)n;
    }
    for (size_t i = 0; i < n; i++) {
        double dx = ctune_data_x(train, i, 0) - mx;
        sxy += dx * (ctune_data_y(train, i, 0) - my);
        sxx += dx * dx;
    }
    l->b = sxx > 0 ? sxy / sxx : 0;
    l->a = my - l->b * mx;
    return CTUNE_OK;
}

static ctune_status ln_predict(void *self, const ctune_data *X, double *out)
{
    const line *l = self;
    for (size_t i = 0; i < ctune_data_n_rows(X); i++)
        out[i] = l->a + l->b * ctune_data_x(X, i, 0);
    return CTUNE_OK;
}

static void ln_destroy(void *self) { free(self); }

static const ctune_estimator_vtable LINE = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "Line",
    .kind = CTUNE_REGRESSOR,
    .create = ln_create,
    .fit = ln_fit,
    .predict = ln_predict,
    .destroy = ln_destroy,
};

/* ---- a correct custom transformer: centring ------------------------------- */
typedef struct centre {
    size_t d;
    double *mu;
} centre;

static ctune_status ce_create(void **self, const ctune_params *p, void *user)
{
    (void)p;
    (void)user;
    *self = calloc(1, sizeof(centre));
    return *self ? CTUNE_OK : ctune_set_error(CTUNE_ENOMEM, "centre: out of memory");
}

static ctune_status ce_fit(void *self, const ctune_data *train, size_t k, const ctune_fit_ctx *ctx)
{
    (void)k;
    (void)ctx;
    centre *c = self;
    size_t n = ctune_data_n_rows(train);
    c->d = ctune_data_n_cols(train);
    c->mu = calloc(c->d, sizeof *c->mu);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < c->d; j++)
            c->mu[j] += ctune_data_x(train, i, j) / (double)n;
    return CTUNE_OK;
}

static size_t ce_width(const void *self) { return ((const centre *)self)->d; }

static ctune_status ce_transform(void *self, const ctune_data *X, double *out)
{
    const centre *c = self;
    for (size_t i = 0; i < ctune_data_n_rows(X); i++)
        for (size_t j = 0; j < c->d; j++)
            out[i * c->d + j] = ctune_data_x(X, i, j) - c->mu[j];
    return CTUNE_OK;
}

static void ce_destroy(void *self)
{
    centre *c = self;
    if (c)
        free(c->mu);
    free(c);
}

static const ctune_estimator_vtable CENTRE = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "Centre",
    .kind = CTUNE_TRANSFORMER,
    .create = ce_create,
    .fit = ce_fit,
    .transform = ce_transform,
    .n_features_out = ce_width,
    .destroy = ce_destroy,
};

/* ---- helpers --------------------------------------------------------------- */

static char g_report[8192];

/* Runs the battery and returns the number of failures (the report in g_report). */
static int run(const ctune_estimator *e, const char *options)
{
    int failed = -1;
    size_t n = ck_assert_len(ctune_check_estimator(g_report, sizeof g_report, &failed, e, options));
    ck_assert_uint_eq(n, strlen(g_report)); /* the length of the whole report */
    return failed;
}

#define ck_assert_clean(e, options)                                                          \
    do {                                                                                     \
        int f__ = run((e), (options));                                                       \
        ck_assert_msg(f__ == 0, "%s: %d failed check(s):\n%s", ctune_estimator_name(e), f__, \
                      g_report);                                                             \
    } while (0)

static int has_check(const char *name)
{
    char want[96];
    snprintf(want, sizeof want, "%s: ", name);
    for (const char *p = g_report; (p = strstr(p, want)) != NULL; p++)
        if (p == g_report || p[-1] == '\n')
            return 1;
    return 0;
}

#define ck_assert_caught(name) \
    ck_assert_msg(has_check(name), "check '%s' did not report; report:\n%s", (name), g_report)

static ctune_estimator *custom(const ctune_estimator_vtable *vt, int *flavour)
{
    ctune_estimator *e;
    ck_assert_ok(ctune_estimator_new(&e, vt, flavour));
    return e;
}

/* ---- tests ------------------------------------------------------------------ */

START_TEST(test_names)
{
    ck_assert_uint_ge(ctune_check_count(), 15);
    for (size_t i = 0; i < ctune_check_count(); i++) {
        ck_assert_ptr_nonnull(ctune_check_name(i));
        for (size_t j = 0; j < i; j++)
            ck_assert_str_ne(ctune_check_name(i), ctune_check_name(j));
    }
    ck_assert_ptr_null(ctune_check_name(ctune_check_count()));
    ck_assert_str_eq(ctune_check_name(0), "fit_predict");
}
END_TEST

START_TEST(test_dummies_pass)
{
    int64_t live = ctune_alloc_live();
    static const char *const clf[] = {"strategy=most_frequent", "strategy=prior",
                                      "strategy=stratified, seed=3", "strategy=uniform", NULL};
    for (int i = 0; clf[i]; i++) {
        ctune_estimator *e;
        ck_assert_ok(ctune_dummy_classifier_new(&e));
        ck_assert_ok(ctune_estimator_set_params_text(e, clf[i]));
        ck_assert_clean(e, NULL);
        ck_assert_clean(e, "n_classes=2, n_features=1, n_rows=15");
        ck_assert_int_eq(ctune_estimator_is_fitted(e), 0); /* never fitted by the kit */
        ctune_estimator_free(e);
    }
    static const char *const reg[] = {"strategy=mean", "strategy=median",
                                      "strategy=constant, constant=1.5", NULL};
    for (int i = 0; reg[i]; i++) {
        ctune_estimator *e;
        ck_assert_ok(ctune_dummy_regressor_new(&e));
        ck_assert_ok(ctune_estimator_set_params_text(e, reg[i]));
        ck_assert_clean(e, NULL);
        ctune_estimator_free(e);
    }
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_custom_pass)
{
    int good = GOOD;
    ctune_estimator *e = custom(&NC, &good);
    ck_assert_clean(e, NULL);
    ck_assert_clean(e, "n_classes=5, n_rows=100, n_features=7, seed=9");
    ctune_estimator_free(e);
    e = custom(&LINE, NULL);
    ck_assert_clean(e, NULL);
    ctune_estimator_free(e);
    e = custom(&CENTRE, NULL);
    ck_assert_clean(e, "n_features=3");
    ctune_estimator_free(e);
}
END_TEST

/* fit_more: continuing with the fit's own params changes nothing, or
 * declines without touching the fit */
START_TEST(test_fit_more)
{
    int f = GOOD;
    ctune_estimator *e = custom(&NC_MORE, &f);
    ck_assert_clean(e, NULL);
    ctune_estimator_free(e);
    f = MORE_DRIFTS;
    e = custom(&NC_MORE, &f);
    ck_assert_int_eq(run(e, NULL), 1);
    ck_assert_caught("fit_more");
    ck_assert(strstr(g_report, "continued with its own params") != NULL);
    ctune_estimator_free(e);
    f = MORE_DIRTY_NO;
    e = custom(&NC_MORE, &f);
    ck_assert_int_eq(run(e, NULL), 1);
    ck_assert_caught("fit_more");
    ck_assert(strstr(g_report, "after fit_more declined") != NULL);
    ctune_estimator_free(e);
    /* the built-in ones that continue: the MLP, alone and behind a scaler */
    ctune_estimator *mlp, *sc, *pipe;
    ck_assert_ok(ctune_mlp_classifier_new(&mlp));
    ck_assert_ok(ctune_estimator_set_params_text(mlp, "epochs=3, batch_size=8"));
    ck_assert_int_eq(run(mlp, "skip=concurrency, tolerance=1e-6"), 0);
    ck_assert_ok(ctune_standard_scaler_new(&sc));
    ck_assert_ok(ctune_pipeline_new(&pipe));
    ck_assert_ok(ctune_pipeline_add_step(pipe, "scaler", sc));
    ck_assert_ok(ctune_pipeline_add_step(pipe, "mlp", mlp));
    ck_assert_int_eq(run(pipe, "skip=concurrency, tolerance=1e-6"), 0);
    ctune_estimator_free(pipe);
    ctune_estimator_free(sc);
    ctune_estimator_free(mlp);
}
END_TEST

START_TEST(test_catches_seed_ignorer)
{
    int f = SEED_IGNORER;
    ctune_estimator *e = custom(&NC, &f);
    ck_assert_int_gt(run(e, NULL), 0);
    ck_assert_caught("fit_deterministic");
    ck_assert_caught("concurrency");
    ck_assert_error_has(""); /* the error state was cleared */
    ck_assert_str_eq(ctune_last_error(), "");
    ctune_estimator_free(e);
}
END_TEST

/* k-NN on well-separated blobs: any neighbours agree, so only the
 * overlapping classes of fit_deterministic tell rand() or a global counter */
START_TEST(test_catches_rand_and_global_state)
{
    int f = KNN_GOOD;
    ctune_estimator *e = custom(&KNN, &f);
    ck_assert_clean(e, NULL);
    ctune_estimator_free(e);
    srand(1);
    f = KNN_RAND;
    e = custom(&KNN, &f);
    ck_assert_int_gt(run(e, "skip=concurrency"), 0);
    ck_assert_caught("fit_deterministic");
    ck_assert(strstr(g_report, "rand() or global state") != NULL);
    /* without the overlapping classes, the separated blobs hide it */
    run(e, "skip=concurrency, cluster_std=0");
    ck_assert(!has_check("fit_deterministic"));
    ctune_estimator_free(e);
    f = KNN_GLOBAL;
    e = custom(&KNN, &f);
    ck_assert_int_gt(run(e, NULL), 0);
    ck_assert_caught("fit_deterministic");
    ctune_estimator_free(e);
}
END_TEST

START_TEST(test_catches_unused_and_misspelt_params)
{
    int f = MISSPELT;
    ctune_estimator *e = custom(&NC, &f);
    ck_assert_int_eq(run(e, NULL), 1);
    ck_assert_caught("unused_params");
    ck_assert_str_eq(g_report, "unused_params: declared parameter 'shrink' is never read by "
                               "create or fit (read under another name?)\n");
    ctune_estimator_free(e);
}
END_TEST

START_TEST(test_unwritten_row_and_not_run_summary)
{
    int f = UNWRITTEN_ROW;
    ctune_estimator *e = custom(&NC, &f);
    /* the library's classifier predict tells an unwritten row: one line per
     * check that ran and failed, and the checks needing the reference fit
     * summarized on one line */
    int nf = run(e, "skip=noncontiguous_labels|unused_params");
    ck_assert_msg(nf == 3, "%s", g_report);
    ck_assert_caught("fit_predict");
    ck_assert_caught("one_feature");
    ck_assert_caught("no_leaks");
    ck_assert(strstr(g_report, "predict left row 59 of 60 unwritten") != NULL);
    int lines = 0;
    for (const char *p = g_report; *p; p++)
        lines += *p == '\n';
    ck_assert_msg(lines == 4, "%s", g_report);
    ck_assert(strstr(g_report, "\nnot run (the reference fit failed: ") != NULL);
    ck_assert(strstr(g_report, "): predict_shape, clone_unfitted, fit_deterministic,") != NULL);
    ctune_estimator_free(e);
}
END_TEST

START_TEST(test_catches_bad_proba)
{
    int f = BAD_PROBA;
    ctune_estimator *e = custom(&NC, &f);
    ck_assert_int_eq(run(e, NULL), 1);
    ck_assert_caught("predict_proba");
    ck_assert(strstr(g_report, "sum to 1.5") != NULL);
    /* two classes of 0.5 each do sum to 1 */
    ck_assert_int_eq(run(e, "n_classes=2"), 0);
    ctune_estimator_free(e);
}
END_TEST

START_TEST(test_catches_input_modifier)
{
    int f = MODIFIES_INPUT;
    ctune_estimator *e = custom(&NC, &f);
    /* (concurrency skipped: two threads writing into the shared X would be a
     * data race of this broken estimator's own) */
    ck_assert_int_eq(run(e, "skip=concurrency"), 1);
    ck_assert_caught("fit_input_unchanged");
    ck_assert(strstr(g_report, "modified X row 0, column 0") != NULL);
    ctune_estimator_free(e);
}
END_TEST

START_TEST(test_catches_batch_dependence)
{
    int f = BATCH_DEPENDENT;
    ctune_estimator *e = custom(&NC, &f);
    ck_assert_int_gt(run(e, NULL), 0);
    ck_assert_caught("subset_invariance");
    ck_assert(strstr(g_report, "predicted alone") != NULL);
    ctune_estimator_free(e);
}
END_TEST

START_TEST(test_catches_leak_and_overrun)
{
    int f = LEAKER;
    ctune_estimator *e = custom(&NC, &f);
    ck_assert_int_eq(run(e, "skip=concurrency"), 1);
    ck_assert_caught("no_leaks");
    ctune_estimator_free(e);
    for (size_t i = 0; i < g_n_leaked; i++)
        ctune_params_free(g_leaked[i]);
    f = OVERRUN;
    e = custom(&NC, &f);
    ck_assert_int_eq(run(e, NULL), 1);
    ck_assert_caught("predict_shape");
    ck_assert(strstr(g_report, "wrote past n_rows × n_outputs = 60 × 1 values; the remaining "
                               "checks were not run") != NULL);
    ctune_estimator_free(e);
}
END_TEST

START_TEST(test_options)
{
    int f = SEED_IGNORER, failed = 7;
    ctune_estimator *e = custom(&NC, &f);
    /* skipped checks do not report (how many checks an estimator with global
     * state fails depends on that state, so only their absence is checked) */
    ck_assert_int_gt(run(e, NULL), 0);
    ck_assert_caught("fit_deterministic");
    run(e, "skip=fit_deterministic|concurrency");
    ck_assert(!has_check("fit_deterministic"));
    ck_assert(!has_check("concurrency"));
    run(e, "skip = fit_deterministic | concurrency|refit_clean|views_equivalent");
    ck_assert(!has_check("fit_deterministic"));
    ck_assert(!has_check("refit_clean"));
    ctune_estimator_free(e);
    f = BAD_PROBA;
    e = custom(&NC, &f);
    ck_assert_int_eq(run(e, "skip=predict_proba"), 0);
    /* skipping fit_predict still makes the reference fit */
    int good = GOOD;
    ctune_estimator *g = custom(&NC, &good);
    ck_assert_clean(g, "skip=fit_predict");
    ck_assert_status(
        ctune_check_estimator(g_report, sizeof g_report, &failed, g, "skip=fit_determinism"),
        CTUNE_EINVAL);
    ck_assert_error_has("skip: unknown check 'fit_determinism'; known: fit_predict,");
    ck_assert_status(ctune_check_estimator(NULL, 0, &failed, g, "tolerence=1"), CTUNE_EINVAL);
    ck_assert_error_has("ctune_check_estimator: unknown option 'tolerence'");
    ck_assert_error_has("tolerance");
    ck_assert_status(ctune_check_estimator(NULL, 0, &failed, g, "tolerance=-1"), CTUNE_EINVAL);
    ck_assert_error_has("'tolerance'");
    ck_assert_status(ctune_check_estimator(NULL, 0, &failed, g, "n_rows=5"), CTUNE_EINVAL);
    ck_assert_status(ctune_check_estimator(NULL, 0, &failed, g, "n_rows=10, n_classes=6"),
                     CTUNE_EINVAL);
    ck_assert_error_has("n_rows 10 is less than 2 × n_classes (6)");
    ck_assert_status(ctune_check_estimator(NULL, 0, &failed, g, "tolerance"), CTUNE_EFORMAT);
    ck_assert_status(ctune_check_estimator(NULL, 0, &failed, NULL, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_check_estimator(NULL, 10, &failed, g, NULL), CTUNE_EINVAL);
    /* no report buffer and no count are fine */
    const char *whole = "predict_proba: row 0's probabilities sum to 1.5, not 1 "
                        "(tolerance 1e-09)\n";
    ck_assert_int_eq(ctune_check_estimator(NULL, 0, NULL, e, NULL), (long)strlen(whole));
    ck_assert_int_eq(ctune_check_estimator(NULL, 0, &failed, e, NULL), (long)strlen(whole));
    ck_assert_int_eq(failed, 1);
    /* a short report is truncated, NUL-terminated, the count complete, the
     * result its whole length (the buffer rule) */
    char small[24];
    memset(small, 'x', sizeof small);
    ck_assert_int_eq(ctune_check_estimator(small, sizeof small, &failed, e, NULL),
                     (long)strlen(whole));
    ck_assert_int_eq(failed, 1);
    ck_assert_uint_eq(strlen(small), sizeof small - 1);
    ck_assert_str_eq(small, "predict_proba: row 0's ");
    char big[128];
    ck_assert_int_eq(ctune_check_estimator(big, sizeof big, &failed, e, NULL), (long)strlen(whole));
    ck_assert_str_eq(big, whole);
    /* a loose tolerance lets the sum through; the kit says which row */
    ck_assert_int_eq(run(e, "tolerance=0.2"), 0);
    ck_assert_int_eq(run(e, "tolerance=0.1"), 1);
    ck_assert_str_eq(g_report, "predict_proba: row 0's probabilities sum to 1.5, not 1 "
                               "(tolerance 0.1)\n");
    ctune_estimator_free(g);
    ctune_estimator_free(e);
}
END_TEST

START_TEST(test_alloc_failure_sweep)
{
    ctune_estimator *e;
    ck_assert_ok(ctune_dummy_classifier_new(&e));
    ck_assert_ok(ctune_estimator_set_params_text(e, "strategy=stratified"));
    int64_t live = ctune_alloc_live();
    int ok = 0, k;
    for (k = 1; k < 5000 && !ok; k++) {
        int failed = -1;
        ctune_alloc_fail_at(k, 0);
        long rc = ctune_check_estimator(g_report, sizeof g_report, &failed, e,
                                        "skip=concurrency, n_rows=12, n_features=2");
        ctune_alloc_fail_at(0, 0);
        if (rc < 0) {
            ck_assert_msg(rc == CTUNE_ENOMEM, "k=%d: %s", k, ctune_last_error());
        } else {
            /* an allocation failure never shows up as a failed check */
            ck_assert_msg(failed == 0, "k=%d: %s", k, g_report);
            ok = 1;
        }
        ck_assert_int_eq(ctune_alloc_live(), live);
    }
    ck_assert(ok);
    ck_assert_int_gt(k, 50);
    ctune_estimator_free(e);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("check");
    TCase *tc = tcase_create("check");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_dummies_pass);
    tcase_add_test(tc, test_custom_pass);
    tcase_add_test(tc, test_catches_seed_ignorer);
    tcase_add_test(tc, test_catches_rand_and_global_state);
    tcase_add_test(tc, test_catches_unused_and_misspelt_params);
    tcase_add_test(tc, test_unwritten_row_and_not_run_summary);
    tcase_add_test(tc, test_catches_bad_proba);
    tcase_add_test(tc, test_catches_input_modifier);
    tcase_add_test(tc, test_catches_batch_dependence);
    tcase_add_test(tc, test_catches_leak_and_overrun);
    tcase_add_test(tc, test_options);
    tcase_add_test(tc, test_fit_more);
    tcase_add_test(tc, test_alloc_failure_sweep);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
