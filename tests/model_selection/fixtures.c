/* Test estimators defined through the public vtable only. */
#include "fixtures.h"

#include "estimator/estimator.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

atomic_long fx_fits;

/* ---- nearest centroid ------------------------------------------------------ */

typedef struct {
    double shrink, fail_above;
    int has_fail;
    size_t k, d;
    double *cent; /* k × d */
    int64_t delay_ms;
} centroid;

static ctune_status centroid_create(void **self, const ctune_params *p, void *user)
{
    (void)user;
    centroid *c = calloc(1, sizeof *c);
    if (!c)
        return ctune_set_error(CTUNE_ENOMEM, "no memory");
    if (ctune_params_find(p, "shrink") >= 0)
        ctune_params_get_double(&c->shrink, p, "shrink");
    if (ctune_params_find(p, "fail_above") >= 0 && !ctune_params_is_none(p, "fail_above")) {
        c->has_fail = 1;
        ctune_params_get_double(&c->fail_above, p, "fail_above");
    }
    if (ctune_params_find(p, "delay_ms") >= 0)
        ctune_params_get_int(&c->delay_ms, p, "delay_ms");
    *self = c;
    return CTUNE_OK;
}

static ctune_status centroid_fit(void *self, const ctune_data *train, size_t n_classes,
                                 const ctune_fit_ctx *ctx)
{
    centroid *c = self;
    atomic_fetch_add(&fx_fits, 1);
    for (int64_t ms = 0; ms < c->delay_ms; ms++) {
        if (ctune_fit_ctx_cancelled(ctx))
            return ctune_set_error(CTUNE_ECANCELLED, "slow fit cancelled after %lld ms",
                                   (long long)ms);
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    if (c->has_fail && c->shrink > c->fail_above)
        return ctune_set_error(CTUNE_ENUMERIC, "NearestCentroid: shrink %g is above fail_above %g",
                               c->shrink, c->fail_above);
    size_t n = ctune_data_n_rows(train), d = ctune_data_n_cols(train);
    c->k = n_classes;
    c->d = d;
    c->cent = calloc(n_classes * d, sizeof *c->cent);
    double *cnt = calloc(n_classes, sizeof *cnt);
    double *mean = calloc(d, sizeof *mean);
    if (!c->cent || !cnt || !mean) {
        free(cnt);
        free(mean);
        return ctune_set_error(CTUNE_ENOMEM, "no memory");
    }
    for (size_t i = 0; i < n; i++) {
        size_t y = (size_t)ctune_data_y(train, i, 0);
        cnt[y] += 1;
        for (size_t j = 0; j < d; j++) {
            double x = ctune_data_x(train, i, j);
            c->cent[y * d + j] += x;
            mean[j] += x / (double)n;
        }
    }
    for (size_t y = 0; y < n_classes; y++)
        for (size_t j = 0; j < d; j++) {
            double m = cnt[y] > 0 ? c->cent[y * d + j] / cnt[y] : mean[j];
            c->cent[y * d + j] = (1 - c->shrink) * m + c->shrink * mean[j];
        }
    free(cnt);
    free(mean);
    return CTUNE_OK;
}

static ctune_status centroid_predict(void *self, const ctune_data *X, double *out)
{
    centroid *c = self;
    for (size_t i = 0; i < ctune_data_n_rows(X); i++) {
        double best = INFINITY;
        size_t arg = 0;
        for (size_t y = 0; y < c->k; y++) {
            double dist = 0;
            for (size_t j = 0; j < c->d; j++) {
                double t = ctune_data_x(X, i, j) - c->cent[y * c->d + j];
                dist += t * t;
            }
            if (dist < best) {
                best = dist;
                arg = y;
            }
        }
        out[i] = (double)arg;
    }
    return CTUNE_OK;
}

static void centroid_destroy(void *self)
{
    centroid *c = self;
    free(c->cent);
    free(c);
}

static const ctune_param_spec CENTROID_SPEC[] = {
    {"shrink", CTUNE_TYPE_DOUBLE, "0", "[0, 1]", NULL, "pull toward the overall mean"},
    {"fail_above", CTUNE_TYPE_DOUBLE | CTUNE_TYPE_NONE, "none", NULL, NULL,
     "fit fails when shrink exceeds it"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

const ctune_estimator_vtable fx_centroid_vt = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "NearestCentroid",
    .kind = CTUNE_CLASSIFIER,
    .params = CENTROID_SPEC,
    .create = centroid_create,
    .fit = centroid_fit,
    .predict = centroid_predict,
    .destroy = centroid_destroy,
};

static const ctune_param_spec SLOW_SPEC[] = {
    {"delay_ms", CTUNE_TYPE_INT, "20", "[0, inf)", NULL, "fit duration"},
    {"shrink", CTUNE_TYPE_DOUBLE, "0", "[0, 1]", NULL, "pull toward the overall mean"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

const ctune_estimator_vtable fx_slow_vt = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "Slow",
    .kind = CTUNE_CLASSIFIER,
    .params = SLOW_SPEC,
    .create = centroid_create,
    .fit = centroid_fit,
    .predict = centroid_predict,
    .destroy = centroid_destroy,
};

/* ---- ridge ------------------------------------------------------------------------ */

typedef struct {
    double alpha;
    size_t d;
    double w[9]; /* d weights + intercept */
} ridge;

static ctune_status ridge_create(void **self, const ctune_params *p, void *user)
{
    (void)user;
    ridge *r = calloc(1, sizeof *r);
    if (!r)
        return ctune_set_error(CTUNE_ENOMEM, "no memory");
    ctune_params_get_double(&r->alpha, p, "alpha");
    *self = r;
    return CTUNE_OK;
}

static ctune_status ridge_fit(void *self, const ctune_data *train, size_t n_classes,
                              const ctune_fit_ctx *ctx)
{
    (void)n_classes;
    (void)ctx;
    ridge *r = self;
    atomic_fetch_add(&fx_fits, 1);
    size_t n = ctune_data_n_rows(train), d = ctune_data_n_cols(train);
    if (d > 8)
        return ctune_set_error(CTUNE_EDATA, "Ridge: at most 8 features");
    r->d = d;
    size_t m = d + 1;
    double A[9][10] = {{0}};
    for (size_t i = 0; i < n; i++) {
        double x[9];
        for (size_t j = 0; j < d; j++)
            x[j] = ctune_data_x(train, i, j);
        x[d] = 1;
        double y = ctune_data_y(train, i, 0);
        for (size_t a = 0; a < m; a++) {
            for (size_t b = 0; b < m; b++)
                A[a][b] += x[a] * x[b];
            A[a][m] += x[a] * y;
        }
    }
    for (size_t a = 0; a < d; a++)
        A[a][a] += r->alpha;
    for (size_t col = 0; col < m; col++) { /* Gauss–Jordan with partial pivoting */
        size_t piv = col;
        for (size_t a = col + 1; a < m; a++)
            if (fabs(A[a][col]) > fabs(A[piv][col]))
                piv = a;
        if (fabs(A[piv][col]) < 1e-12)
            return ctune_set_error(CTUNE_ENUMERIC, "Ridge: singular system");
        for (size_t b = 0; b <= m; b++) {
            double t = A[col][b];
            A[col][b] = A[piv][b];
            A[piv][b] = t;
        }
        for (size_t a = 0; a < m; a++) {
            if (a == col)
                continue;
            double f = A[a][col] / A[col][col];
            for (size_t b = col; b <= m; b++)
                A[a][b] -= f * A[col][b];
        }
    }
    for (size_t a = 0; a < m; a++)
        r->w[a] = A[a][m] / A[a][a];
    return CTUNE_OK;
}

static ctune_status ridge_predict(void *self, const ctune_data *X, double *out)
{
    ridge *r = self;
    for (size_t i = 0; i < ctune_data_n_rows(X); i++) {
        double s = r->w[r->d];
        for (size_t j = 0; j < r->d; j++)
            s += r->w[j] * ctune_data_x(X, i, j);
        out[i] = s;
    }
    return CTUNE_OK;
}

static void ridge_destroy(void *self) { free(self); }

static const ctune_param_spec RIDGE_SPEC[] = {
    {"alpha", CTUNE_TYPE_DOUBLE, "1.0", "[0, inf)", NULL, "L2 penalty"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

const ctune_estimator_vtable fx_ridge_vt = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "Ridge",
    .kind = CTUNE_REGRESSOR,
    .params = RIDGE_SPEC,
    .create = ridge_create,
    .fit = ridge_fit,
    .predict = ridge_predict,
    .destroy = ridge_destroy,
};

/* ---- seeded ------------------------------------------------------------------------ */

typedef struct {
    int64_t seed, delay_ms;
    uint64_t used;
} seeded;

double fx_seed_score(uint64_t seed) { return (double)(seed % 1000003u) / 1000003.0; }

static ctune_status seeded_create(void **self, const ctune_params *p, void *user)
{
    (void)user;
    seeded *s = calloc(1, sizeof *s);
    if (!s)
        return ctune_set_error(CTUNE_ENOMEM, "no memory");
    ctune_params_get_int(&s->seed, p, "seed");
    if (ctune_params_find(p, "delay_ms") >= 0)
        ctune_params_get_int(&s->delay_ms, p, "delay_ms");
    *self = s;
    return CTUNE_OK;
}

static ctune_status seeded_fit(void *self, const ctune_data *train, size_t n_classes,
                               const ctune_fit_ctx *ctx)
{
    (void)train;
    (void)n_classes;
    seeded *s = self;
    atomic_fetch_add(&fx_fits, 1);
    for (int64_t ms = 0; ms < s->delay_ms; ms++) {
        if (ctune_fit_ctx_cancelled(ctx))
            return ctune_set_error(CTUNE_ECANCELLED, "slow fit cancelled after %lld ms",
                                   (long long)ms);
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    s->used = ctune_fit_ctx_seed(ctx, (uint64_t)s->seed);
    return CTUNE_OK;
}

static ctune_status seeded_predict(void *self, const ctune_data *X, double *out)
{
    (void)self;
    for (size_t i = 0; i < ctune_data_n_rows(X); i++)
        out[i] = 0;
    return CTUNE_OK;
}

static ctune_status seeded_score(void *self, const ctune_data *data, double *out)
{
    (void)data;
    *out = fx_seed_score(((seeded *)self)->used);
    return CTUNE_OK;
}

static void seeded_destroy(void *self) { free(self); }

static const ctune_param_spec SEEDED_SPEC[] = {
    {"seed", CTUNE_TYPE_INT, "0", NULL, NULL, "own seed"},
    {"level", CTUNE_TYPE_INT, "0", NULL, NULL, "a parameter to search"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

const ctune_estimator_vtable fx_seeded_vt = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "Seeded",
    .kind = CTUNE_CLASSIFIER,
    .params = SEEDED_SPEC,
    .create = seeded_create,
    .fit = seeded_fit,
    .predict = seeded_predict,
    .score = seeded_score,
    .destroy = seeded_destroy,
};

static const ctune_param_spec SLOW_SEEDED_SPEC[] = {
    {"seed", CTUNE_TYPE_INT, "0", NULL, NULL, "own seed"},
    {"level", CTUNE_TYPE_INT, "0", NULL, NULL, "a parameter to search"},
    {"delay_ms", CTUNE_TYPE_INT, "0", "[0, inf)", NULL, "fit duration"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

const ctune_estimator_vtable fx_slow_seeded_vt = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "SlowSeeded",
    .kind = CTUNE_CLASSIFIER,
    .params = SLOW_SEEDED_SPEC,
    .create = seeded_create,
    .fit = seeded_fit,
    .predict = seeded_predict,
    .score = seeded_score,
    .destroy = seeded_destroy,
};

uint64_t fx_seeded_fit_seed(const ctune_estimator *est)
{
    const seeded *s = ctune__estimator_self(est);
    return s ? s->used : 0;
}

/* ---- data ------------------------------------------------------------------------------- */

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 11;
}

static double gauss(uint64_t *s)
{
    double u = ((double)lcg(s) + 0.5) / 9007199254740992.0;
    double v = ((double)lcg(s) + 0.5) / 9007199254740992.0;
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

void fx_blobs(size_t n, uint64_t seed, double **Xo, double **yo)
{
    double *X = malloc(n * 2 * sizeof *X), *y = malloc(n * sizeof *y);
    uint64_t s = seed * 2 + 1;
    for (size_t i = 0; i < n; i++) {
        int c = (int)((i / 5) % 2);
        X[2 * i] = (c ? 1.5 : -1.5) + gauss(&s);
        X[2 * i + 1] = (c ? -0.5 : 0.5) + gauss(&s);
        y[i] = c ? 7 : 3;
    }
    *Xo = X;
    *yo = y;
}

void fx_linear(size_t n, uint64_t seed, double **Xo, double **yo)
{
    double *X = malloc(n * 2 * sizeof *X), *y = malloc(n * sizeof *y);
    uint64_t s = seed * 2 + 1;
    for (size_t i = 0; i < n; i++) {
        X[2 * i] = gauss(&s);
        X[2 * i + 1] = gauss(&s);
        y[i] = 2 * X[2 * i] - X[2 * i + 1] + 0.5 + 0.3 * gauss(&s);
    }
    *Xo = X;
    *yo = y;
}
