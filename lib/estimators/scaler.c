/* StandardScaler: per-column (x - mean) / scale, scikit-learn's semantics
 * (population variance; near-constant columns keep scale 1). */
#include <float.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/data.h"
#include "core/error.h"
#include "core/params.h"
#include "estimator/estimator.h"
#include "estimators/scaler.h"
#include "io/stream.h"

static const ctune_param_spec SCALER_SPEC[] = {
    {"with_mean", CTUNE_TYPE_BOOL, "true", NULL, NULL, "subtract each column's mean"},
    {"with_std", CTUNE_TYPE_BOOL, "true", NULL, NULL,
     "divide each column by its population standard deviation"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

typedef struct scaler {
    int with_mean, with_std;
    size_t d;
    double *mean, *var, *scale; /* one block of 3 × d */
    /* The largest |x| of each column among the rows of the last fit (NaN
     * if one was NaN), or NULL (a loaded model): see ctune__affine_of().
     * Not saved. */
    double *absmax;
} scaler_t;

static ctune_status scaler_create(void **self, const ctune_params *params, void *user)
{
    (void)user;
    scaler_t *s = ctune__calloc(1, sizeof *s);
    if (!s)
        return CTUNE_ENOMEM;
    ctune_status rc = ctune__params_bool_or(params, "with_mean", 1, &s->with_mean);
    if (rc == CTUNE_OK)
        rc = ctune__params_bool_or(params, "with_std", 1, &s->with_std);
    if (rc != CTUNE_OK) {
        ctune__free(s);
        return rc;
    }
    *self = s;
    return CTUNE_OK;
}

static inline double xval(const void *row, int dtype, size_t j)
{
    return dtype == CTUNE_FLOAT64 ? ((const double *)row)[j] : (double)((const float *)row)[j];
}

/* Column j of finite values whose sum or sum of squares overflowed (values
 * near DBL_MAX, or spread wider than 1e154): the mean and the standard
 * deviation are redone on the values divided by the largest magnitude m,
 * so both stay exact to rounding and finite; the variance itself, m² times
 * the scaled one, may be +Inf (it is then not representable). */
static void huge_column(scaler_t *s, const ctune_data *train, size_t j)
{
    size_t n = ctune_data_n_rows(train);
    int dtype = ctune_data_dtype(train);
    double m = 0, sum = 0, ss = 0;
    for (size_t i = 0; i < n; i++) {
        double a = fabs(xval(ctune__data_row_ptr(train, i), dtype, j));
        m = a > m ? a : m;
    }
    for (size_t i = 0; i < n; i++)
        sum += xval(ctune__data_row_ptr(train, i), dtype, j) / m;
    double mu = sum / (double)n; /* the mean divided by m, in [-1, 1] */
    for (size_t i = 0; i < n; i++) {
        double c = xval(ctune__data_row_ptr(train, i), dtype, j) / m - mu;
        ss += c * c;
    }
    double v = ss / (double)n, nn = (double)n;
    double bound = nn * DBL_EPSILON * v + pow(nn * mu * DBL_EPSILON, 2);
    s->mean[j] = mu * m;
    s->var[j] = v * m * m;
    s->scale[j] = (!s->with_std || v <= bound || v == 0) ? 1.0 : sqrt(v) * m;
}

static ctune_status scaler_fit(void *self, const ctune_data *train, size_t n_classes,
                               const ctune_fit_ctx *ctx)
{
    (void)n_classes;
    (void)ctx;
    scaler_t *s = self;
    size_t n = ctune_data_n_rows(train), d = ctune_data_n_cols(train);
    ctune__free(s->mean);
    ctune__free(s->absmax);
    s->absmax = NULL;
    s->mean = ctune__calloc(3 * d, sizeof *s->mean);
    if (!s->mean)
        return CTUNE_ENOMEM;
    double *am = ctune__calloc(d ? d : 1, sizeof *am);
    if (!am)
        return CTUNE_ENOMEM;
    s->d = d;
    s->var = s->mean + d;
    s->scale = s->mean + 2 * d;
    ctune_data *own; /* rows are read as stored */
    ctune_status rc = ctune__data_plain(train, &own, &train);
    if (rc != CTUNE_OK) {
        ctune__free(am);
        return rc;
    }
    /* one streaming pass (Welford): the running mean and the centred sum
     * of squares, updated row by row; none when the views of a search's
     * split (which share them) found them already */
    rc = ctune__data_col_moments(train, s->mean, s->var, am);
    if (rc != CTUNE_OK) {
        ctune_data_free(own);
        ctune__free(am);
        return rc;
    }
    s->absmax = am;
    double nn = (double)n;
    for (size_t j = 0; j < d; j++) {
        s->var[j] /= nn;
        if (!isfinite(s->var[j])) {
            huge_column(s, train, j);
            continue;
        }
        /* scikit-learn's _is_constant_feature: variance within rounding of 0 */
        double bound = nn * DBL_EPSILON * s->var[j] + pow(nn * s->mean[j] * DBL_EPSILON, 2);
        double sd = sqrt(s->var[j]);
        s->scale[j] = (!s->with_std || s->var[j] <= bound || sd == 0) ? 1.0 : sd;
    }
    ctune_data_free(own);
    return CTUNE_OK;
}

static size_t scaler_n_out(const void *self) { return ((const scaler_t *)self)->d; }

static ctune_status scaler_transform(void *self, const ctune_data *X, double *out)
{
    const scaler_t *s = self;
    ctune_data *own;
    CTUNE_TRY(ctune__data_plain(X, &own, &X));
    int dtype = ctune_data_dtype(X);
    size_t d = s->d;
    for (size_t i = 0; i < X->n; i++) {
        const void *row = ctune__data_row_ptr(X, i);
        double *o = out + i * d;
        for (size_t j = 0; j < d; j++) {
            double x = xval(row, dtype, j), v = x;
            if (s->with_mean)
                v -= s->mean[j];
            o[j] = v / s->scale[j];
            if (isinf(o[j]) && isfinite(x)) /* x - mean overflowed: scale first */
                o[j] = x / s->scale[j] - (s->with_mean ? s->mean[j] / s->scale[j] : 0);
        }
    }
    ctune_data_free(own);
    return CTUNE_OK;
}

static ctune_status scaler_inverse(void *self, const ctune_data *X, double *out)
{
    const scaler_t *s = self;
    ctune_data *own;
    CTUNE_TRY(ctune__data_plain(X, &own, &X));
    int dtype = ctune_data_dtype(X);
    size_t d = s->d;
    for (size_t i = 0; i < X->n; i++) {
        const void *row = ctune__data_row_ptr(X, i);
        double *o = out + i * d;
        for (size_t j = 0; j < d; j++) {
            double v = xval(row, dtype, j) * s->scale[j];
            o[j] = s->with_mean ? v + s->mean[j] : v;
        }
    }
    ctune_data_free(own);
    return CTUNE_OK;
}

static void scaler_destroy(void *self)
{
    scaler_t *s = self;
    if (!s)
        return;
    ctune__free(s->mean);
    ctune__free(s->absmax);
    ctune__free(s);
}

/* ---- persistence: u64 d, then d f64 means, d variances, d scales ---- */

static ctune_status scaler_save(const void *self, ctune_writer *w)
{
    const scaler_t *s = self;
    CTUNE_TRY(ctune_write_u64(w, s->d));
    return ctune_write_f64_array(w, s->mean, 3 * s->d);
}

static ctune_status scaler_load(void **self, const ctune_params *params, ctune_reader *r,
                                void *user)
{
    scaler_t *s;
    CTUNE_TRY(scaler_create((void **)&s, params, user));
    uint64_t d;
    ctune_status rc = ctune_read_u64(&d, r);
    if (rc == CTUNE_OK && (d == 0 || d != r->fit_features || d > ctune_read_remaining(r) / 24))
        rc = ctune_set_error(CTUNE_EFORMAT,
                             "model file corrupted: StandardScaler of %llu columns (fitted on "
                             "%zu features, %zu bytes left)",
                             (unsigned long long)d, r->fit_features, ctune_read_remaining(r));
    if (rc == CTUNE_OK && !(s->mean = ctune__calloc(3 * (size_t)d, sizeof *s->mean)))
        rc = CTUNE_ENOMEM;
    if (rc == CTUNE_OK) {
        s->d = (size_t)d;
        s->var = s->mean + s->d;
        s->scale = s->mean + 2 * s->d;
        rc = ctune_read_f64_array(s->mean, 3 * s->d, r);
    }
    for (size_t j = 0; rc == CTUNE_OK && j < s->d; j++)
        /* a variance too large for a double is +Inf (see huge_column) */
        if (!isfinite(s->mean[j]) || !(s->var[j] >= 0) || !(s->scale[j] > 0) || isinf(s->scale[j]))
            rc = ctune_set_error(CTUNE_EFORMAT,
                                 "model file corrupted: StandardScaler column %zu has mean %g, "
                                 "variance %g, scale %g",
                                 j, s->mean[j], s->var[j], s->scale[j]);
    if (rc != CTUNE_OK) {
        scaler_destroy(s);
        return rc;
    }
    *self = s;
    return CTUNE_OK;
}

static const ctune_estimator_vtable SCALER_VT = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "StandardScaler",
    .kind = CTUNE_TRANSFORMER,
    .params = SCALER_SPEC,
    .create = scaler_create,
    .fit = scaler_fit,
    .n_features_out = scaler_n_out,
    .transform = scaler_transform,
    .inverse_transform = scaler_inverse,
    .save = scaler_save,
    .load = scaler_load,
    .destroy = scaler_destroy,
};

ctune_status ctune_standard_scaler_new(ctune_estimator **out)
{
    return ctune_estimator_new(out, &SCALER_VT, NULL);
}

static ctune_status fitted_scaler(const ctune_estimator *est, const char *fn, const scaler_t **out)
{
    *out = NULL;
    if (!est)
        return ctune_set_error(CTUNE_EINVAL, "%s: scaler is NULL", fn);
    if (ctune_estimator_vtable_of(est) != &SCALER_VT)
        return ctune_set_error(CTUNE_EINVAL, "%s: %s is not a StandardScaler", fn,
                               ctune_estimator_name(est));
    *out = ctune__estimator_self(est);
    if (!*out)
        return ctune_set_error(CTUNE_ESTATE, "%s: StandardScaler is not fitted: call fit first",
                               fn);
    return CTUNE_OK;
}

static ctune_status copy_stat(const ctune_estimator *est, const char *fn, size_t which, double *out)
{
    const scaler_t *s;
    CTUNE_TRY(fitted_scaler(est, fn, &s));
    if (!out)
        return ctune_set_error(CTUNE_EINVAL, "%s: out is NULL", fn);
    memcpy(out, s->mean + which * s->d, s->d * sizeof *out);
    return CTUNE_OK;
}

ctune_status ctune_scaler_mean(double *out, const ctune_estimator *scaler)
{
    return copy_stat(scaler, __func__, 0, out);
}

ctune_status ctune_scaler_var(double *out, const ctune_estimator *scaler)
{
    return copy_stat(scaler, __func__, 1, out);
}

ctune_status ctune_scaler_scale(double *out, const ctune_estimator *scaler)
{
    return copy_stat(scaler, __func__, 2, out);
}

int ctune__affine_of(const ctune_estimator *est, const double **shift, const double **scale,
                     const double **fit_absmax)
{
    const scaler_t *s;
    if (ctune_estimator_vtable_of(est) != &SCALER_VT)
        return 0;
    s = ctune__estimator_self(est);
    if (!s || !s->with_mean)
        return 0;
    *shift = s->mean;
    *scale = s->scale;
    if (fit_absmax)
        *fit_absmax = s->absmax;
    return 1;
}
