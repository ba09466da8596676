/* Check suite: model persistence (container, primitives, custom estimators
 * with save/load hooks, corrupted files). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/stream.h"
#include "persist/persist.h"
#include "persist/registry.h"
#include "testutil.h"

/* As a user's estimator would write it (CTUNE_TRY is internal). */
#define TRY(expr)                      \
    do {                               \
        ctune_status try_st_ = (expr); \
        if (try_st_ != CTUNE_OK)       \
            return try_st_;            \
    } while (0)

/* ---- a custom classifier: nearest centroid on scaled features ---------- */

typedef struct centroid {
    size_t d, k;
    double *c;    /* k × d */
    float *scale; /* d: 1 / std as float */
    int manhattan;
    double shrink;
} centroid;

static const ctune_param_spec CENTROID_SPEC[] = {
    {"shrink", CTUNE_TYPE_DOUBLE, "0", "[0, 1]", NULL, "shrink centroids towards the mean"},
    {"metric", CTUNE_TYPE_STRING, "euclidean", NULL, "euclidean|manhattan", "distance"},
    {"tag", CTUNE_TYPE_INT | CTUNE_TYPE_NONE, "none", NULL, NULL, "an int or none"},
    {"verbose", CTUNE_TYPE_BOOL, "false", NULL, NULL, "a bool"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

static ctune_status centroid_create(void **self, const ctune_params *p, void *user)
{
    (void)user;
    centroid *m = calloc(1, sizeof *m);
    if (!m)
        return ctune_set_error(CTUNE_ENOMEM, "centroid");
    const char *metric;
    ctune_params_get_string(&metric, p, "metric");
    m->manhattan = !strcmp(metric, "manhattan");
    ctune_params_get_double(&m->shrink, p, "shrink");
    *self = m;
    return CTUNE_OK;
}

static void centroid_destroy(void *self)
{
    centroid *m = self;
    free(m->c);
    free(m->scale);
    free(m);
}

static ctune_status centroid_fit(void *self, const ctune_data *d, size_t k,
                                 const ctune_fit_ctx *ctx)
{
    (void)ctx;
    centroid *m = self;
    size_t n = ctune_data_n_rows(d), dim = ctune_data_n_cols(d);
    m->d = dim;
    m->k = k;
    m->c = calloc(k * dim, sizeof *m->c);
    m->scale = calloc(dim, sizeof *m->scale);
    double *cnt = calloc(k, sizeof *cnt), *mean = calloc(dim, sizeof *mean);
    double *var = calloc(dim, sizeof *var);
    for (size_t i = 0; i < n; i++) {
        size_t c = (size_t)ctune_data_y(d, i, 0);
        cnt[c]++;
        for (size_t j = 0; j < dim; j++) {
            double x = ctune_data_x(d, i, j);
            m->c[c * dim + j] += x;
            mean[j] += x / (double)n;
        }
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < dim; j++) {
            double t = ctune_data_x(d, i, j) - mean[j];
            var[j] += t * t / (double)n;
        }
    for (size_t j = 0; j < dim; j++)
        m->scale[j] = (float)(var[j] > 0 ? 1 / sqrt(var[j]) : 1);
    for (size_t c = 0; c < k; c++)
        for (size_t j = 0; j < dim; j++) {
            double v = m->c[c * dim + j] / cnt[c];
            m->c[c * dim + j] = (1 - m->shrink) * v + m->shrink * mean[j];
        }
    free(cnt);
    free(mean);
    free(var);
    return CTUNE_OK;
}

static void centroid_dist(const centroid *m, const ctune_data *X, size_t i, double *dist)
{
    for (size_t c = 0; c < m->k; c++) {
        double s = 0;
        for (size_t j = 0; j < m->d; j++) {
            double t = (ctune_data_x(X, i, j) - m->c[c * m->d + j]) * m->scale[j];
            s += m->manhattan ? fabs(t) : t * t;
        }
        dist[c] = s;
    }
}

static ctune_status centroid_predict(void *self, const ctune_data *X, double *out)
{
    centroid *m = self;
    double dist[64];
    for (size_t i = 0; i < ctune_data_n_rows(X); i++) {
        centroid_dist(m, X, i, dist);
        size_t best = 0;
        for (size_t c = 1; c < m->k; c++)
            if (dist[c] < dist[best])
                best = c;
        out[i] = (double)best;
    }
    return CTUNE_OK;
}

static ctune_status centroid_proba(void *self, const ctune_data *X, double *out)
{
    centroid *m = self;
    double dist[64];
    for (size_t i = 0; i < ctune_data_n_rows(X); i++) {
        centroid_dist(m, X, i, dist);
        double s = 0;
        for (size_t c = 0; c < m->k; c++)
            s += out[i * m->k + c] = exp(-dist[c]);
        for (size_t c = 0; c < m->k; c++)
            out[i * m->k + c] /= s;
    }
    return CTUNE_OK;
}

static ctune_status centroid_save(const void *self, ctune_writer *w)
{
    const centroid *m = self;
    TRY(ctune_write_u64(w, m->d));
    TRY(ctune_write_u64(w, m->k));
    TRY(ctune_write_string(w, m->manhattan ? "manhattan" : "euclidean"));
    TRY(ctune_write_f64(w, m->shrink));
    TRY(ctune_write_i64(w, -42));
    TRY(ctune_write_f64_array(w, m->c, m->k * m->d));
    return ctune_write_f32_array(w, m->scale, m->d);
}

/* The fitted sizes the last centroid_load saw (ctune_read_n_*). */
static size_t g_load_nf, g_load_no, g_load_k;

static ctune_status centroid_load(void **self, const ctune_params *p, ctune_reader *r, void *user)
{
    (void)p;
    (void)user;
    uint64_t d, k;
    int64_t magic;
    char metric[16];
    g_load_nf = ctune_read_n_features(r);
    g_load_no = ctune_read_n_outputs(r);
    g_load_k = ctune_read_n_classes(r);
    TRY(ctune_read_u64(&d, r));
    TRY(ctune_read_u64(&k, r));
    if (d == 0 || k == 0 || k > 64 || d > ctune_read_remaining(r) / 8 / k)
        return ctune_set_error(CTUNE_EFORMAT, "centroid: bad sizes %llu x %llu",
                               (unsigned long long)k, (unsigned long long)d);
    /* predict and predict_proba write as many columns as the handle says */
    if (d != ctune_read_n_features(r) || k != ctune_read_n_classes(r))
        return ctune_set_error(CTUNE_EFORMAT,
                               "centroid: %llu x %llu centroids, fitted on %zu "
                               "features and %zu classes",
                               (unsigned long long)k, (unsigned long long)d,
                               ctune_read_n_features(r), ctune_read_n_classes(r));
    centroid *m = calloc(1, sizeof *m);
    m->d = (size_t)d;
    m->k = (size_t)k;
    long n_metric = ctune_read_string(metric, sizeof metric, r);
    ctune_status rc = n_metric < 0 ? (ctune_status)n_metric : CTUNE_OK;
    if (rc == CTUNE_OK && (size_t)n_metric >= sizeof metric)
        rc = ctune_set_error(CTUNE_EFORMAT, "centroid: metric name of %ld bytes", n_metric);
    if (rc == CTUNE_OK)
        rc = ctune_read_f64(&m->shrink, r);
    if (rc == CTUNE_OK)
        rc = ctune_read_i64(&magic, r);
    if (rc == CTUNE_OK && magic != -42)
        rc = ctune_set_error(CTUNE_EFORMAT, "centroid: bad magic");
    if (rc == CTUNE_OK) {
        m->manhattan = !strcmp(metric, "manhattan");
        m->c = calloc(m->k * m->d, sizeof *m->c);
        m->scale = calloc(m->d, sizeof *m->scale);
        rc = ctune_read_f64_array(m->c, m->k * m->d, r);
    }
    if (rc == CTUNE_OK)
        rc = ctune_read_f32_array(m->scale, m->d, r);
    if (rc != CTUNE_OK) {
        centroid_destroy(m);
        return rc;
    }
    *self = m;
    return CTUNE_OK;
}

static ctune_estimator_vtable centroid_vt(void)
{
    ctune_estimator_vtable vt = {0};
    vt.version = CTUNE_ESTIMATOR_VTABLE_VERSION;
    vt.name = "NearestCentroid";
    vt.kind = CTUNE_CLASSIFIER;
    vt.params = CENTROID_SPEC;
    vt.create = centroid_create;
    vt.fit = centroid_fit;
    vt.predict = centroid_predict;
    vt.predict_proba = centroid_proba;
    vt.save = centroid_save;
    vt.load = centroid_load;
    vt.destroy = centroid_destroy;
    return vt;
}
static ctune_estimator_vtable CENTROID;

/* ---- a custom multi-output regressor: column means of y ---------------- */

typedef struct meanreg {
    size_t t;
    double *mean;
} meanreg;

static ctune_status meanreg_create(void **self, const ctune_params *p, void *user)
{
    (void)p;
    (void)user;
    *self = calloc(1, sizeof(meanreg));
    return CTUNE_OK;
}

static void meanreg_destroy(void *self)
{
    meanreg *m = self;
    free(m->mean);
    free(m);
}

static ctune_status meanreg_fit(void *self, const ctune_data *d, size_t k, const ctune_fit_ctx *c)
{
    (void)k;
    (void)c;
    meanreg *m = self;
    m->t = ctune_data_n_targets(d);
    m->mean = calloc(m->t, sizeof *m->mean);
    size_t n = ctune_data_n_rows(d);
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < m->t; t++)
            m->mean[t] += ctune_data_y(d, i, t) / (double)n;
    return CTUNE_OK;
}

static ctune_status meanreg_predict(void *self, const ctune_data *X, double *out)
{
    meanreg *m = self;
    for (size_t i = 0; i < ctune_data_n_rows(X); i++)
        for (size_t t = 0; t < m->t; t++)
            out[i * m->t + t] = m->mean[t] + 1e-3 * ctune_data_x(X, i, 0);
    return CTUNE_OK;
}

static size_t meanreg_outputs(const void *self) { return ((const meanreg *)self)->t; }

static ctune_status meanreg_save(const void *self, ctune_writer *w)
{
    const meanreg *m = self;
    TRY(ctune_write_u64(w, m->t));
    return ctune_write_f64_array(w, m->mean, m->t);
}

static ctune_status meanreg_load(void **self, const ctune_params *p, ctune_reader *r, void *user)
{
    (void)p;
    (void)user;
    uint64_t t;
    TRY(ctune_read_u64(&t, r));
    if (t == 0 || t > ctune_read_remaining(r) / 8)
        return ctune_set_error(CTUNE_EFORMAT, "meanreg: bad size");
    meanreg *m = calloc(1, sizeof *m);
    m->t = (size_t)t;
    m->mean = calloc(m->t, sizeof *m->mean);
    ctune_status rc = ctune_read_f64_array(m->mean, m->t, r);
    if (rc != CTUNE_OK) {
        meanreg_destroy(m);
        return rc;
    }
    *self = m;
    return CTUNE_OK;
}

static ctune_estimator_vtable MEANREG = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "MeanRegressor",
    .kind = CTUNE_REGRESSOR,
    .create = meanreg_create,
    .fit = meanreg_fit,
    .predict = meanreg_predict,
    .save = meanreg_save,
    .load = meanreg_load,
    .destroy = meanreg_destroy,
    .n_outputs = meanreg_outputs,
};

/* ---- a custom regressor with a definition (vtable version 2) -----------
 * Its user data is reference-counted (user_retain / user_release) and holds
 * a shift that the predictions add: a definition that persists through
 * save_definition / load_definition, not through the params. */

typedef struct shift_def {
    int refs;
    double shift;
    int bad; /* load_definition makes an estimator of another name */
} shift_def;

static int g_shift_defs; /* live definitions */

static shift_def *shift_def_new(double shift)
{
    shift_def *d = calloc(1, sizeof *d);
    d->refs = 1;
    d->shift = shift;
    g_shift_defs++;
    return d;
}

static void shift_retain(void *user) { ((shift_def *)user)->refs++; }

static void shift_release(void *user)
{
    shift_def *d = user;
    if (--d->refs == 0) {
        free(d);
        g_shift_defs--;
    }
}

typedef struct shifted {
    meanreg base;
    double shift;
} shifted;

static ctune_status shifted_create(void **self, const ctune_params *p, void *user)
{
    (void)p;
    shifted *m = calloc(1, sizeof *m);
    m->shift = ((const shift_def *)user)->shift;
    *self = m;
    return CTUNE_OK;
}

static ctune_status shifted_predict(void *self, const ctune_data *X, double *out)
{
    shifted *m = self;
    TRY(meanreg_predict(&m->base, X, out));
    for (size_t i = 0; i < ctune_data_n_rows(X) * m->base.t; i++)
        out[i] += m->shift;
    return CTUNE_OK;
}

static void shifted_destroy(void *self)
{
    shifted *m = self;
    free(m->base.mean);
    free(m);
}

static ctune_status shifted_load(void **self, const ctune_params *p, ctune_reader *r, void *user)
{
    void *base = NULL;
    TRY(meanreg_load(&base, p, r, user));
    shifted *m = calloc(1, sizeof *m);
    m->base = *(meanreg *)base;
    free(base);
    m->shift = ((const shift_def *)user)->shift;
    *self = m;
    return CTUNE_OK;
}

static ctune_status shift_save_def(const void *user, ctune_writer *w)
{
    return ctune_write_f64(w, ((const shift_def *)user)->shift);
}

static ctune_estimator_vtable SHIFTED;

static ctune_status shift_load_def(ctune_estimator **out, ctune_reader *r, void *user)
{
    double shift;
    TRY(ctune_read_f64(&shift, r));
    if (((const shift_def *)user)->bad)
        return ctune_estimator_new(out, &MEANREG, NULL);
    return ctune_estimator_new(out, &SHIFTED, shift_def_new(shift)); /* adopts it */
}

static ctune_estimator_vtable SHIFTED = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "Shifted",
    .kind = CTUNE_REGRESSOR,
    .create = shifted_create,
    .fit = meanreg_fit,
    .predict = shifted_predict,
    .save = meanreg_save,
    .load = shifted_load,
    .destroy = shifted_destroy,
    .n_outputs = meanreg_outputs,
    .user_retain = shift_retain,
    .user_release = shift_release,
    .save_definition = shift_save_def,
    .load_definition = shift_load_def,
};

/* ---- a custom transformer: centering ----------------------------------- */

static ctune_status center_fit(void *self, const ctune_data *d, size_t k, const ctune_fit_ctx *c)
{
    (void)k;
    (void)c;
    meanreg *m = self;
    m->t = ctune_data_n_cols(d);
    m->mean = calloc(m->t, sizeof *m->mean);
    size_t n = ctune_data_n_rows(d);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m->t; j++)
            m->mean[j] += ctune_data_x(d, i, j) / (double)n;
    return CTUNE_OK;
}

static ctune_status center_transform(void *self, const ctune_data *X, double *out)
{
    meanreg *m = self;
    for (size_t i = 0; i < ctune_data_n_rows(X); i++)
        for (size_t j = 0; j < m->t; j++)
            out[i * m->t + j] = ctune_data_x(X, i, j) - m->mean[j];
    return CTUNE_OK;
}

static ctune_estimator_vtable CENTER = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "Center",
    .kind = CTUNE_TRANSFORMER,
    .create = meanreg_create,
    .fit = center_fit,
    .n_features_out = meanreg_outputs,
    .transform = center_transform,
    .save = meanreg_save,
    .load = meanreg_load,
    .destroy = meanreg_destroy,
};

/* The classifier without hooks, and one whose load reads too little. */
static ctune_estimator_vtable NOHOOKS, SLOPPY;

static ctune_status sloppy_load(void **self, const ctune_params *p, ctune_reader *r, void *user)
{
    (void)r;
    return centroid_create(self, p, user);
}

static void setup(void)
{
    CENTROID = centroid_vt();
    NOHOOKS = centroid_vt();
    NOHOOKS.name = "NoHooks";
    NOHOOKS.save = NULL;
    NOHOOKS.load = NULL;
    SLOPPY = centroid_vt();
    SLOPPY.load = sloppy_load;
}

/* ---- fixtures ---------------------------------------------------------- */

/* Iris with labels 10, 15, 20 (not 0..k-1), in static arrays. */
static double IRIS_X[150 * 4], IRIS_Y[150];

static ctune_data *iris_data(void)
{
    ctune_data *d;
    ck_assert_ok(ctune_dataset_load(&d, "iris", NULL));
    size_t n = ctune_data_n_rows(d);
    ck_assert_uint_eq(n, 150);
    ck_assert_ok(ctune_data_gather_f64(IRIS_X, 4, d, NULL, n));
    ck_assert_ok(ctune_data_gather_y(IRIS_Y, d, NULL, n));
    for (size_t i = 0; i < n; i++)
        IRIS_Y[i] = 10 + 5 * IRIS_Y[i];
    ctune_data_free(d);
    ctune_data *out;
    ck_assert_ok(ctune_data_new(&out, IRIS_X, CTUNE_FLOAT64, n, 4, 0, IRIS_Y, 1));
    return out;
}

static ctune_estimator *fitted_centroid(const ctune_data *d)
{
    ctune_estimator *e;
    ck_assert_ok(ctune_estimator_new(&e, &CENTROID, NULL));
    ck_assert_ok(ctune_estimator_set_params_text(e, "shrink=0.25, metric=manhattan, tag=7, "
                                                    "verbose=true"));
    ck_assert_ok(ctune_estimator_fit(e, d));
    return e;
}

static unsigned char *save_to_buffer(const ctune_estimator *e, size_t *len)
{
    *len = ck_assert_len(ctune_estimator_save_buffer(NULL, 0, e));
    unsigned char *b = malloc(*len);
    size_t len2;
    len2 = ck_assert_len(ctune_estimator_save_buffer(b, *len, e));
    ck_assert_uint_eq(len2, *len);
    return b;
}

static char *tmp_path(const char *name)
{
    static char dir[64];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/ctune_io_XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
    }
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static void assert_same_predictions(ctune_estimator *a, ctune_estimator *b, const ctune_data *d)
{
    size_t n = ctune_data_n_rows(d), o = ctune_estimator_n_outputs(a);
    ck_assert_uint_eq(ctune_estimator_n_outputs(b), o);
    ck_assert_uint_eq(ctune_estimator_n_features_in(b), ctune_estimator_n_features_in(a));
    double *pa = calloc(n * 16, sizeof *pa), *pb = calloc(n * 16, sizeof *pb);
    ck_assert_ok(ctune_estimator_predict(pa, a, d));
    ck_assert_ok(ctune_estimator_predict(pb, b, d));
    ck_assert_int_eq(memcmp(pa, pb, n * o * sizeof *pa), 0);
    if (ctune_estimator_kind(a) == CTUNE_CLASSIFIER) {
        size_t k = ctune_estimator_n_classes(a);
        ck_assert_uint_eq(ctune_estimator_n_classes(b), k);
        double ca[16], cb[16];
        ck_assert_ok(ctune_estimator_classes(ca, a));
        ck_assert_ok(ctune_estimator_classes(cb, b));
        ck_assert_int_eq(memcmp(ca, cb, k * sizeof *ca), 0);
        ck_assert_ok(ctune_estimator_predict_proba(pa, a, d));
        ck_assert_ok(ctune_estimator_predict_proba(pb, b, d));
        ck_assert_int_eq(memcmp(pa, pb, n * k * sizeof *pa), 0);
    }
    free(pa);
    free(pb);
}

/* ---- round trips ------------------------------------------------------- */

START_TEST(test_round_trip_file_and_buffer)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d = iris_data();
    ctune_estimator *e = fitted_centroid(d), *f, *g;
    const char *path = tmp_path("centroid.model");
    ck_assert_ok(ctune_estimator_save(e, path));
    ck_assert_ok(ctune_estimator_load(&f, path, &CENTROID, NULL));
    ck_assert_int_eq(ctune_estimator_is_fitted(f), 1);
    /* the load hook saw the fitted sizes the handle reports */
    ck_assert_uint_eq(g_load_nf, ctune_estimator_n_features_in(f));
    ck_assert_uint_eq(g_load_no, ctune_estimator_n_outputs(f));
    ck_assert_uint_eq(g_load_k, ctune_estimator_n_classes(f));
    ck_assert_uint_eq(g_load_k, 3);
    ck_assert_uint_eq(ctune_read_n_features(NULL), 0);
    ck_assert_int_eq(
        ctune_params_equal(ctune_estimator_get_params(e), ctune_estimator_get_params(f)), 1);
    ck_assert_str_eq(ctune_estimator_name(f), "NearestCentroid");
    assert_same_predictions(e, f, d);
    double c[3];
    ck_assert_ok(ctune_estimator_classes(c, f));
    ck_assert_double_eq(c[0], 10);
    ck_assert_double_eq(c[2], 20);

    size_t len;
    unsigned char *b = save_to_buffer(e, &len);
    ck_assert_ok(ctune_estimator_load_buffer(&g, b, len, &CENTROID, NULL));
    assert_same_predictions(e, g, d);
    /* the file and the buffer hold the same bytes, and saving is deterministic */
    FILE *fp = fopen(path, "rb");
    unsigned char *fb = malloc(len + 1);
    ck_assert_uint_eq(fread(fb, 1, len + 1, fp), len);
    fclose(fp);
    ck_assert_int_eq(memcmp(fb, b, len), 0);
    ck_assert_int_eq(memcmp(b, "CTUNEMDL", 8), 0);
    ck_assert_int_eq(b[8], 1); /* format version, little-endian */
    /* a loaded model saves to the same bytes */
    size_t len2;
    unsigned char *b2 = save_to_buffer(g, &len2);
    ck_assert_uint_eq(len2, len);
    ck_assert_int_eq(memcmp(b, b2, len), 0);
    free(b);
    free(b2);
    free(fb);
    ctune_estimator_free(e);
    ctune_estimator_free(f);
    ctune_estimator_free(g);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_round_trip_regressor_and_transformer)
{
    int64_t live = ctune_alloc_live();
    double X[5 * 2] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    double Y[5 * 3] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15.5};
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 5, 2, 0, Y, 3));
    ctune_estimator *vts[2];
    const ctune_estimator_vtable *tables[2] = {&MEANREG, &CENTER};
    for (int i = 0; i < 2; i++) {
        ctune_estimator *e, *f;
        ck_assert_ok(ctune_estimator_new(&e, tables[i], NULL));
        ck_assert_ok(ctune_estimator_fit(e, d));
        size_t len;
        unsigned char *b = save_to_buffer(e, &len);
        ck_assert_ok(ctune_estimator_load_buffer(&f, b, len, tables[i], NULL));
        ck_assert_uint_eq(ctune_estimator_n_outputs(f), i == 0 ? 3 : 2);
        assert_same_predictions(e, f, d);
        free(b);
        ctune_estimator_free(e);
        vts[i] = f;
    }
    ctune_estimator_free(vts[0]);
    ctune_estimator_free(vts[1]);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_unfitted_and_no_hooks)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d = iris_data();
    ctune_estimator *e, *f;
    /* unfitted: params only, even without hooks */
    ck_assert_ok(ctune_estimator_new(&e, &NOHOOKS, NULL));
    ck_assert_ok(ctune_estimator_set_params_text(e, "metric=manhattan, tag=none"));
    const char *path = tmp_path("unfitted.model");
    ck_assert_ok(ctune_estimator_save(e, path));
    ck_assert_ok(ctune_estimator_load(&f, path, &NOHOOKS, NULL));
    ck_assert_int_eq(ctune_estimator_is_fitted(f), 0);
    ck_assert_int_eq(
        ctune_params_equal(ctune_estimator_get_params(e), ctune_estimator_get_params(f)), 1);
    /* and the loaded one can be fitted */
    ck_assert_ok(ctune_estimator_fit(f, d));
    ctune_estimator_free(f);
    /* fitted without hooks: unsupported, naming the estimator */
    ck_assert_ok(ctune_estimator_fit(e, d));
    ck_assert_status(ctune_estimator_save(e, tmp_path("nohooks.model")), CTUNE_EUNSUPPORTED);
    ck_assert_error_has("NoHooks has no save hook");
    ck_assert_int_eq(access(tmp_path("nohooks.model"), F_OK), -1);
    size_t len;
    ck_assert_status(ctune_estimator_save_buffer(NULL, 0, e), CTUNE_EUNSUPPORTED);
    ctune_estimator_free(e);
    /* a fitted file loaded with a vtable without load hook */
    e = fitted_centroid(d);
    unsigned char *b = save_to_buffer(e, &len);
    NOHOOKS.name = "NearestCentroid";
    ck_assert_status(ctune_estimator_load_buffer(&f, b, len, &NOHOOKS, NULL), CTUNE_EUNSUPPORTED);
    ck_assert_error_has("NearestCentroid has no load hook");
    NOHOOKS.name = "NoHooks";
    /* a load hook that leaves bytes unread */
    ck_assert_status(ctune_estimator_load_buffer(&f, b, len, &SLOPPY, NULL), CTUNE_EFORMAT);
    ck_assert_error_has("NearestCentroid's load read 0 of its");
    ck_assert_ptr_null(f);
    free(b);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* ---- wrong files ------------------------------------------------------- */

static void refresh_crc(unsigned char *b, size_t len)
{
    uint32_t crc = ctune__crc32(0, b, len - 4);
    for (int i = 0; i < 4; i++)
        b[len - 4 + i] = (unsigned char)(crc >> (8 * i));
}

START_TEST(test_wrong_magic_version_name)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d = iris_data();
    ctune_estimator *e = fitted_centroid(d), *f = (ctune_estimator *)1;
    size_t len;
    unsigned char *b = save_to_buffer(e, &len);

    b[0] = 'X';
    ck_assert_status(ctune_estimator_load_buffer(&f, b, len, &CENTROID, NULL), CTUNE_EFORMAT);
    ck_assert_ptr_null(f);
    ck_assert_str_eq(ctune_last_error(),
                     "not a ctune model file (its first bytes are not \"CTUNEMDL\")");
    b[0] = 'C';

    b[8] = 4;
    ck_assert_status(ctune_estimator_load_buffer(&f, b, len, &CENTROID, NULL), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(),
                     "model format version 4 is not supported (this ctune reads versions 1 to "
                     "3)");
    b[8] = 0;
    ck_assert_status(ctune_estimator_load_buffer(&f, b, len, &CENTROID, NULL), CTUNE_EFORMAT);
    ck_assert_error_has("model format version 0 is not supported");
    b[8] = 1;

    ck_assert_status(ctune_estimator_load_buffer(&f, b, len, &CENTER, NULL), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(),
                     "model file holds a 'NearestCentroid', but the vtable given is 'Center'");
    ck_assert_status(ctune_estimator_load_buffer(&f, b, len, NULL, NULL), CTUNE_EINVAL);
    ck_assert_error_has("'NearestCentroid', which is not a built-in estimator");
    ck_assert_error_has("pass its vtable");

    /* same name, another kind */
    ctune_estimator_vtable other = CENTER;
    other.name = "NearestCentroid";
    ck_assert_status(ctune_estimator_load_buffer(&f, b, len, &other, NULL), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(),
                     "model file says 'NearestCentroid' is a classifier, but its vtable is a "
                     "transformer");

    /* params the vtable does not know (a changed spec) */
    ctune_estimator_vtable fewer = centroid_vt();
    static const ctune_param_spec SMALL[] = {
        {"shrink", CTUNE_TYPE_DOUBLE, "0", "[0, 1]", NULL, ""},
        {"metric", CTUNE_TYPE_STRING, "euclidean", NULL, NULL, ""},
        {NULL, 0, NULL, NULL, NULL, NULL},
    };
    fewer.params = SMALL;
    ck_assert_status(ctune_estimator_load_buffer(&f, b, len, &fewer, NULL), CTUNE_EFORMAT);
    ck_assert_error_has("the saved parameters do not fit NearestCentroid");
    ck_assert_error_has("unknown parameter 'tag'");

    /* checksum */
    b[40] ^= 0x10;
    ck_assert_status(ctune_estimator_load_buffer(&f, b, len, &CENTROID, NULL), CTUNE_EFORMAT);
    ck_assert_error_has("model file checksum mismatch (stored 0x");
    ck_assert_error_has("the file is corrupted");
    b[40] ^= 0x10;

    /* trailing garbage */
    unsigned char *longer = malloc(len + 3);
    memcpy(longer, b, len);
    memset(longer + len, 0, 3);
    ck_assert_status(ctune_estimator_load_buffer(&f, longer, len + 3, &CENTROID, NULL),
                     CTUNE_EFORMAT);
    ck_assert_error_has("3 unexpected bytes after its end");
    free(longer);

    /* flags */
    b[12] = 1;
    ck_assert_status(ctune_estimator_load_buffer(&f, b, len, &CENTROID, NULL), CTUNE_EFORMAT);
    ck_assert_error_has("unknown flags 0x1");
    b[12] = 0;

    ck_assert_ok(ctune_estimator_load_buffer(&f, b, len, &CENTROID, NULL));
    ctune_estimator_free(f);
    free(b);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_truncated_at_every_length)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d = iris_data();
    ctune_estimator *e = fitted_centroid(d), *f;
    size_t len;
    unsigned char *b = save_to_buffer(e, &len);
    for (size_t n = 0; n < len; n++) {
        unsigned char *cut = malloc(n ? n : 1); /* exact size: ASan sees any over-read */
        memcpy(cut, b, n);
        ck_assert_status(ctune_estimator_load_buffer(&f, cut, n, &CENTROID, NULL), CTUNE_EFORMAT);
        ck_assert_ptr_null(f);
        char want[64];
        snprintf(want, sizeof want, "model file truncated at byte %zu", n);
        ck_assert_error_has(want);
        free(cut);
    }
    /* and through a file, with the path in the message */
    const char *path = tmp_path("cut.model");
    FILE *fp = fopen(path, "wb");
    fwrite(b, 1, len / 2, fp);
    fclose(fp);
    ck_assert_status(ctune_estimator_load(&f, path, &CENTROID, NULL), CTUNE_EFORMAT);
    ck_assert_error_has(path);
    ck_assert_error_has("truncated at byte");
    free(b);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_every_byte_flipped)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d = iris_data();
    ctune_estimator *e = fitted_centroid(d), *f;
    size_t len;
    unsigned char *b = save_to_buffer(e, &len);
    unsigned char *c = malloc(len);
    const int64_t live2 = ctune_alloc_live();
    const unsigned masks[3] = {0x01, 0x80, 0xFF};
    for (size_t i = 0; i < len; i++) {
        for (int m = 0; m < 3; m++) {
            memcpy(c, b, len);
            c[i] ^= (unsigned char)masks[m];
            ctune_status rc = ctune_estimator_load_buffer(&f, c, len, &CENTROID, NULL);
            ck_assert_msg(rc == CTUNE_EFORMAT, "byte %zu ^ 0x%x: status %d (%s)", i, masks[m], rc,
                          ctune_last_error());
            ck_assert_ptr_null(f);
            ck_assert_int_eq(ctune_alloc_live(), live2);
        }
    }
    free(c);
    free(b);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* With the checksum and length fixed up, corrupted content reaches the body
 * parser and the load hook: they must fail cleanly (or load something). */
START_TEST(test_corrupt_body_with_valid_checksum)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d = iris_data();
    ctune_estimator *e = fitted_centroid(d), *f;
    size_t len;
    unsigned char *b = save_to_buffer(e, &len);
    const size_t H = CTUNE__MODEL_HEADER;
    const int64_t live2 = ctune_alloc_live();
    /* body cut short at every length */
    for (size_t body = 0; body < len - H - 4; body++) {
        size_t n = H + body + 4;
        unsigned char *c = malloc(n);
        memcpy(c, b, H + body);
        for (int i = 0; i < 8; i++)
            c[16 + i] = (unsigned char)((uint64_t)body >> (8 * i));
        refresh_crc(c, n);
        ctune_status rc = ctune_estimator_load_buffer(&f, c, n, &CENTROID, NULL);
        ck_assert_msg(rc == CTUNE_EFORMAT, "body cut at %zu: status %d (%s)", body, rc,
                      ctune_last_error());
        ck_assert_ptr_null(f);
        free(c);
        ck_assert_int_eq(ctune_alloc_live(), live2);
    }
    /* every body byte flipped */
    unsigned char *c = malloc(len);
    size_t loaded = 0;
    for (size_t i = H; i < len - 4; i++) {
        memcpy(c, b, len);
        c[i] ^= 0xFF;
        refresh_crc(c, len);
        ctune_status rc = ctune_estimator_load_buffer(&f, c, len, &CENTROID, NULL);
        ck_assert_msg(rc == CTUNE_EFORMAT || rc == CTUNE_OK, "byte %zu: status %d (%s)", i, rc,
                      ctune_last_error());
        if (rc == CTUNE_OK) {
            loaded++; /* e.g. a centroid coordinate changed */
            ctune_estimator_free(f);
        }
        ck_assert_int_eq(ctune_alloc_live(), live2);
    }
    ck_assert_uint_gt(loaded, 0);
    ck_assert_uint_lt(loaded, len - H - 4);
    free(c);
    free(b);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_save_buffer_api_and_io_errors)
{
    int64_t live = ctune_alloc_live();
    ctune_estimator *e, *f = (ctune_estimator *)1;
    ck_assert_ok(ctune_estimator_new(&e, &CENTROID, NULL));
    size_t len = 0;
    len = ck_assert_len(ctune_estimator_save_buffer(NULL, 0, e));
    ck_assert_uint_gt(len, 28);
    /* too small: the prefix that fits, and the whole size */
    unsigned char small[16], *whole = malloc(len);
    ck_assert_ptr_nonnull(whole);
    ck_assert_uint_eq(ck_assert_len(ctune_estimator_save_buffer(whole, len, e)), len);
    memset(small, 0xAB, sizeof small);
    ck_assert_uint_eq(ck_assert_len(ctune_estimator_save_buffer(small, sizeof small, e)), len);
    ck_assert_mem_eq(small, whole, sizeof small);
    free(whole);
    ck_assert_status(ctune_estimator_save_buffer(NULL, 8, e), CTUNE_EINVAL);
    ck_assert_error_has("buf is NULL but cap is 8");
    ck_assert_status(ctune_estimator_save_buffer(NULL, 0, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_save(e, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_save(e, "/nonexistent-dir/x.model"), CTUNE_EIO);
    ck_assert_error_has("cannot create a temporary file for '/nonexistent-dir/x.model'");
    ck_assert_status(ctune_estimator_load(&f, "/nonexistent-dir/x.model", &CENTROID, NULL),
                     CTUNE_EIO);
    ck_assert_ptr_null(f);
    ck_assert_error_has("cannot open model file '/nonexistent-dir/x.model'");
    ck_assert_status(ctune_estimator_load(NULL, "x", &CENTROID, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_load(&f, NULL, &CENTROID, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_load_buffer(&f, NULL, 5, &CENTROID, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_estimator_load_buffer(&f, NULL, 0, &CENTROID, NULL), CTUNE_EFORMAT);
    ck_assert_error_has("truncated at byte 0");
    /* an empty file */
    const char *path = tmp_path("empty.model");
    fclose(fopen(path, "wb"));
    ck_assert_status(ctune_estimator_load(&f, path, &CENTROID, NULL), CTUNE_EFORMAT);
    /* a CSV is not a model */
    ck_assert_status(ctune_estimator_load(&f, ctu_data_path("iris.csv"), &CENTROID, NULL),
                     CTUNE_EFORMAT);
    ck_assert_error_has("not a ctune model file");
    ctune_estimator_free(e);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_alloc_failure_sweeps)
{
    ctune_data *d = iris_data();
    ctune_estimator *e = fitted_centroid(d);
    size_t len;
    unsigned char *b = save_to_buffer(e, &len);
    int64_t live = ctune_alloc_live();
    int done = 0;
    for (int k = 1; k < 500 && !done; k++) {
        ctune_estimator *f = NULL;
        ctune_alloc_fail_at(k, 0);
        ctune_status rc = ctune_estimator_load_buffer(&f, b, len, &CENTROID, NULL);
        ctune_alloc_fail_at(0, 0);
        if (rc != CTUNE_OK) {
            ck_assert_int_eq(rc, CTUNE_ENOMEM);
            ck_assert_ptr_null(f);
        } else {
            assert_same_predictions(e, f, d);
            done = 1;
        }
        ctune_estimator_free(f);
        ck_assert_int_eq(ctune_alloc_live(), live);
    }
    ck_assert_msg(done, "load never succeeded");
    done = 0;
    for (int k = 1; k < 500 && !done; k++) {
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
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

/* ---- primitives -------------------------------------------------------- */

START_TEST(test_primitives_round_trip)
{
    int64_t live = ctune_alloc_live();
    ctune_writer w;
    ctune__writer_init(&w);
    const float f32[3] = {1.5f, -0.0f, 3.25e-30f};
    const double f64[2] = {-1e300, 0.1};
    ck_assert_ok(ctune_write_u64(&w, UINT64_C(0x0102030405060708)));
    ck_assert_ok(ctune_write_i64(&w, -2));
    ck_assert_ok(ctune_write_f64(&w, -0.0));
    ck_assert_ok(ctune_write_f32_array(&w, f32, 3));
    ck_assert_ok(ctune_write_f64_array(&w, f64, 2));
    ck_assert_ok(ctune_write_string(&w, "héllo"));
    ck_assert_ok(ctune_write_string(&w, NULL));
    ck_assert_ok(ctune_write_string(&w, ""));
    ck_assert_ok(ctune_write_bytes(&w, "xyz", 3));
    ck_assert_ok(ctune_write_bytes(&w, NULL, 0));
    ck_assert_status(ctune_write_u64(NULL, 1), CTUNE_EINVAL);
    ck_assert_status(ctune_write_bytes(&w, NULL, 2), CTUNE_EINVAL);
    /* little-endian on every host */
    ck_assert_int_eq(w.buf[0], 8);
    ck_assert_int_eq(w.buf[7], 1);
    ck_assert_int_eq(w.buf[8], 0xFE);

    ctune_reader r;
    ctune__reader_init(&r, w.buf, w.len, 0);
    uint64_t u;
    int64_t i;
    double x, g64[2];
    float g32[3];
    char s[16];
    ck_assert_ok(ctune_read_u64(&u, &r));
    ck_assert(u == UINT64_C(0x0102030405060708));
    ck_assert_ok(ctune_read_i64(&i, &r));
    ck_assert_int_eq(i, -2);
    ck_assert_ok(ctune_read_f64(&x, &r));
    ck_assert(x == 0 && signbit(x));
    ck_assert_ok(ctune_read_f32_array(g32, 3, &r));
    ck_assert_int_eq(memcmp(g32, f32, sizeof f32), 0);
    ck_assert_ok(ctune_read_f64_array(g64, 2, &r));
    ck_assert_int_eq(memcmp(g64, f64, sizeof f64), 0);
    /* the buffer rule: the length, the prefix that fits, nothing consumed */
    size_t before = ctune_read_remaining(&r);
    ck_assert_int_eq(ctune_read_string(NULL, 0, &r), 6); /* "héllo" is 6 bytes */
    ck_assert_int_eq(ctune_read_string(s, 4, &r), 6);
    ck_assert_str_eq(s, "h\xc3\xa9");
    ck_assert_int_eq(ctune_read_string(s, 6, &r), 6);
    /* the internal fixed-buffer form fails when it does not fit */
    ck_assert_int_eq(ctune__read_string_fit(s, 4, &r), CTUNE_EFORMAT);
    ck_assert_error_has("does not fit in a buffer of 4");
    ck_assert_uint_eq(ctune_read_remaining(&r), before);
    ck_assert_int_eq(ctune_read_string(s, 7, &r), 6); /* fits: consumed */
    ck_assert_str_eq(s, "héllo");
    ck_assert_uint_eq(ctune_read_remaining(&r), before - 8 - 6);
    ck_assert_int_eq(ctune_read_string(s, sizeof s, &r), 0);
    ck_assert_str_eq(s, "");
    ck_assert_int_eq(ctune_read_string(s, sizeof s, &r), 0);
    ck_assert_str_eq(s, "");
    ck_assert_uint_eq(ctune_read_remaining(&r), 3);
    ck_assert_status(ctune_read_u64(&u, &r), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(),
                     "model file truncated at byte 85 (8 bytes needed at byte 82)");
    ck_assert_ok(ctune_read_bytes(s, 3, &r));
    ck_assert_int_eq(memcmp(s, "xyz", 3), 0);
    ck_assert_uint_eq(ctune_read_remaining(&r), 0);
    ck_assert_status(ctune_read_f64_array(g64, 1, &r), CTUNE_EFORMAT);
    ck_assert_status(ctune_read_f32_array(g32, 1, &r), CTUNE_EFORMAT);
    ck_assert_status(ctune_read_bytes(s, 1, &r), CTUNE_EFORMAT);
    ck_assert_ok(ctune_read_bytes(s, 0, &r));
    ck_assert_status(ctune_read_u64(&u, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_read_string(NULL, 3, &r), CTUNE_EINVAL);
    ck_assert_uint_eq(ctune_read_remaining(NULL), 0);
    ctune__writer_free(&w);

    /* a string with a NUL byte, and one longer than the data */
    unsigned char bad[12] = {3, 0, 0, 0, 0, 0, 0, 0, 'a', 0, 'b', 0};
    ctune__reader_init(&r, bad, 11, 0);
    ck_assert_status(ctune_read_string(s, sizeof s, &r), CTUNE_EFORMAT);
    ck_assert_error_has("holds a NUL byte");
    bad[0] = 200;
    ck_assert_status(ctune_read_string(s, sizeof s, &r), CTUNE_EFORMAT);
    ck_assert_error_has("truncated at byte 11");
    ck_assert_uint_eq(ctune_read_remaining(&r), 11);
    /* CRC-32 check value */
    ck_assert_uint_eq(ctune__crc32(0, "123456789", 9), 0xCBF43926u);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* The vtable's definition hooks (version 2): the definition travels with
 * the file, through the vtable, and the load takes its own references. */
START_TEST(test_definition_hooks)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d = iris_data();
    ctune_estimator *e, *f, *g;
    ck_assert_ok(ctune_estimator_new(&e, &SHIFTED, shift_def_new(2.5)));
    ck_assert_ok(ctune_estimator_fit(e, d));
    size_t len;
    unsigned char *b = save_to_buffer(e, &len);
    /* into a handle of the same vtable with another definition: the file's wins */
    shift_def *mine = shift_def_new(0.0);
    ck_assert_ok(ctune_estimator_load_buffer(&f, b, len, &SHIFTED, mine));
    ck_assert_int_eq(mine->refs, 1); /* the caller's reference stays the caller's */
    ck_assert_ptr_ne(ctune_estimator_user(f), mine);
    ck_assert(((shift_def *)ctune_estimator_user(f))->shift == 2.5);
    assert_same_predictions(e, f, d);
    /* like f, and unfitted */
    ck_assert_ok(ctune_estimator_load_like_buffer(&g, b, len, f));
    assert_same_predictions(e, g, d);
    ctune_estimator_free(g);
    ctune_estimator *u;
    ck_assert_ok(ctune_estimator_clone(&u, e));
    free(b);
    b = save_to_buffer(u, &len);
    ck_assert_ok(ctune_estimator_load_buffer(&g, b, len, &SHIFTED, mine));
    ck_assert_int_eq(ctune_estimator_is_fitted(g), 0);
    ck_assert(((shift_def *)ctune_estimator_user(g))->shift == 2.5);
    ctune_estimator_free(g);
    ctune_estimator_free(u);

    /* a vtable of the same name without the hooks cannot read the definition */
    ctune_estimator_vtable plain = SHIFTED;
    plain.save_definition = NULL;
    plain.load_definition = NULL;
    ck_assert_status(ctune_estimator_load_buffer(&g, b, len, &plain, mine), CTUNE_EFORMAT);
    ck_assert_ptr_null(g);
    ck_assert_error_has("gives a definition for 'Shifted', which takes none");
    /* ... nor one without them write it: the hooks then miss their definition */
    ck_assert_ok(ctune_estimator_new(&u, &plain, mine));
    shift_retain(mine); /* the handle adopted the reference above */
    free(b);
    b = save_to_buffer(u, &len);
    ctune_estimator_free(u);
    ck_assert_status(ctune_estimator_load_buffer(&g, b, len, &SHIFTED, mine), CTUNE_EFORMAT);
    ck_assert_error_has("the Shifted has no definition");
    /* a vtable version 1 never has its definition hooks read */
    plain = SHIFTED;
    plain.version = 1;
    ck_assert_ok(ctune_estimator_load_buffer(&g, b, len, &plain, mine));
    ctune_estimator_free(g);
    /* a load_definition that makes another estimator */
    free(b);
    b = save_to_buffer(e, &len);
    mine->bad = 1;
    ck_assert_status(ctune_estimator_load_buffer(&g, b, len, &SHIFTED, mine), CTUNE_EINTERNAL);
    ck_assert_error_has("Shifted: load_definition made a MeanRegressor");
    ck_assert_ptr_null(g);
    ck_assert_int_eq(mine->refs, 1);

    shift_release(mine);
    ctune_estimator_free(e);
    ctune_estimator_free(f);
    free(b);
    ctune_data_free(d);
    ck_assert_int_eq(g_shift_defs, 0);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* Nested estimators in one stream, as a pipeline's save hook writes them. */
START_TEST(test_nested_bodies)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d = iris_data();
    ctune_estimator *a = fitted_centroid(d), *b, *a2, *b2;
    ck_assert_ok(ctune_estimator_new(&b, &CENTER, NULL));
    ck_assert_ok(ctune_estimator_fit(b, d));
    ctune_writer w;
    ctune__writer_init(&w);
    /* the stream hooks work only inside a model file */
    ck_assert_status(ctune__write_estimator(&w, a), CTUNE_EUNSUPPORTED);
    ck_assert_error_has("only be written into a model file");
    ck_assert_ok(ctune__persist_write(&w, a));
    ck_assert_ok(ctune__write_estimator(&w, b)); /* the hooks persist_write set */
    ctune_reader r;
    ctune__reader_init(&r, w.buf, w.len, 0);
    ctune_estimator *none = (ctune_estimator *)1;
    ck_assert_status(ctune__read_estimator(&r, &none, NULL), CTUNE_EUNSUPPORTED);
    ck_assert_ptr_null(none);
    ck_assert_ok(ctune__persist_read(&r, &a2, &CENTROID, NULL));
    ck_assert_ok(ctune__persist_read(&r, &b2, &CENTER, NULL));
    ck_assert_uint_eq(ctune_read_remaining(&r), 0);
    assert_same_predictions(a, a2, d);
    assert_same_predictions(b, b2, d);
    ctune__writer_free(&w);
    ctune_estimator_free(a);
    ctune_estimator_free(b);
    ctune_estimator_free(a2);
    ctune_estimator_free(b2);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* Every registered built-in estimator: saved and loaded by name (vtable
 * NULL) predicts bit-identically. Grows with the registry (the per-estimator
 * round trips are in test_persist_builtins.c). */
START_TEST(test_builtin_registry_round_trips)
{
    int64_t live = ctune_alloc_live();
    ctune_estimator *e, *f;
    ck_assert_status(ctune__builtin_new(&e, "NoSuchEstimator"), CTUNE_EINVAL);
    ck_assert_error_has("'NoSuchEstimator' is not a built-in estimator (built-in: DummyClassifier");
    ck_assert_ptr_null(e);
    ck_assert_status(ctune__builtin_new(&e, NULL), CTUNE_EINVAL);
    ck_assert_int_eq(ctune__builtin_known("Pipeline"), 1);
    ck_assert_int_eq(ctune__builtin_known("KerasClassifier"), 0);
    ck_assert_ptr_null(ctune__builtin_name(ctune__builtin_count()));
    ck_assert_uint_ge(ctune__builtin_count(), 8);
    char names[512];
    ctune__builtin_names(names, sizeof names);
    ck_assert(names[0] != '\0');
    ctune_data *iris;
    ck_assert_ok(ctune_dataset_load(&iris, "iris", NULL));
    for (size_t i = 0; i < ctune__builtin_count(); i++) {
        const char *name = ctune__builtin_name(i);
        ck_assert_ok(ctune__builtin_new(&e, name));
        ck_assert_str_eq(ctune_estimator_name(e), name);
        size_t len;
        /* unfitted: params only */
        len = ck_assert_len(ctune_estimator_save_buffer(NULL, 0, e));
        unsigned char *b = malloc(len);
        len = ck_assert_len(ctune_estimator_save_buffer(b, len, e));
        ck_assert_ok(ctune_estimator_load_buffer(&f, b, len, NULL, NULL));
        ck_assert_str_eq(ctune_estimator_name(f), name);
        ck_assert_int_eq(
            ctune_params_equal(ctune_estimator_get_params(e), ctune_estimator_get_params(f)), 1);
        ctune_estimator_free(f);
        free(b);
        /* an empty Pipeline cannot be fitted; every other built-in can */
        ctune_status rc = ctune_estimator_fit(e, iris);
        ck_assert_int_eq(rc, strcmp(name, "Pipeline") ? CTUNE_OK : CTUNE_ESTATE);
        if (rc == CTUNE_OK) {
            len = ck_assert_len(ctune_estimator_save_buffer(NULL, 0, e));
            b = malloc(len);
            len = ck_assert_len(ctune_estimator_save_buffer(b, len, e));
            ck_assert_ok(ctune_estimator_load_buffer(&f, b, len, NULL, NULL));
            if (ctune_estimator_kind(e) != CTUNE_TRANSFORMER)
                assert_same_predictions(e, f, iris);
            ctune_estimator_free(f);
            free(b);
        }
        ctune_estimator_free(e);
    }
    ctune_data_free(iris);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

int main(void)
{
    setup();
    Suite *s = suite_create("io_persist");
    TCase *tc = tcase_create("persist");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_round_trip_file_and_buffer);
    tcase_add_test(tc, test_round_trip_regressor_and_transformer);
    tcase_add_test(tc, test_unfitted_and_no_hooks);
    tcase_add_test(tc, test_wrong_magic_version_name);
    tcase_add_test(tc, test_truncated_at_every_length);
    tcase_add_test(tc, test_every_byte_flipped);
    tcase_add_test(tc, test_corrupt_body_with_valid_checksum);
    tcase_add_test(tc, test_save_buffer_api_and_io_errors);
    tcase_add_test(tc, test_alloc_failure_sweeps);
    tcase_add_test(tc, test_primitives_round_trip);
    tcase_add_test(tc, test_definition_hooks);
    tcase_add_test(tc, test_nested_bodies);
    tcase_add_test(tc, test_builtin_registry_round_trips);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
