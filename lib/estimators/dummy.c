/* DummyClassifier and DummyRegressor: baselines that ignore X (scikit-learn's
 * sklearn.dummy), useful as a floor for scores and as the simplest example
 * of the estimator vtable. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/data.h"
#include "core/error.h"
#include "core/labels.h"
#include "core/params.h"
#include "io/stream.h"

/* ---- DummyClassifier ------------------------------------------------------ */

enum { CLF_MOST_FREQUENT, CLF_PRIOR, CLF_STRATIFIED, CLF_UNIFORM };

static const ctune_param_spec CLF_PARAMS[] = {
    {"strategy", CTUNE_TYPE_STRING, "prior", NULL, "most_frequent|prior|stratified|uniform",
     "most_frequent/prior: predict the most frequent class; stratified: draw from the class prior; "
     "uniform: draw uniformly"},
    {"seed", CTUNE_TYPE_INT, "0", "[0, inf)", NULL, "seed of the stratified and uniform draws"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

typedef struct dummy_clf {
    int strategy;
    uint64_t own_seed;
    uint64_t seed; /* at fit: ctune_fit_ctx_seed(ctx, own_seed) */
    size_t k;      /* classes */
    double *prior; /* k class frequencies */
    size_t most_frequent;
} dummy_clf;

static ctune_status clf_create(void **self, const ctune_params *p, void *user)
{
    (void)user;
    const char *s;
    int64_t seed;
    CTUNE_TRY(ctune__params_string_or(p, "strategy", "prior", &s));
    CTUNE_TRY(ctune__params_int_or(p, "seed", 0, &seed));
    dummy_clf *c = ctune__calloc(1, sizeof *c);
    if (!c)
        return CTUNE_ENOMEM;
    c->strategy = strcmp(s, "most_frequent") == 0 ? CLF_MOST_FREQUENT
                  : strcmp(s, "stratified") == 0  ? CLF_STRATIFIED
                  : strcmp(s, "uniform") == 0     ? CLF_UNIFORM
                                                  : CLF_PRIOR;
    c->own_seed = (uint64_t)seed;
    *self = c;
    return CTUNE_OK;
}

static void clf_destroy(void *self)
{
    dummy_clf *c = self;
    if (!c)
        return;
    ctune__free(c->prior);
    ctune__free(c);
}

static ctune_status clf_fit(void *self, const ctune_data *train, size_t n_classes,
                            const ctune_fit_ctx *ctx)
{
    dummy_clf *c = self;
    size_t n = ctune_data_n_rows(train);
    double *prior = ctune__calloc(n_classes, sizeof *prior);
    if (!prior)
        return CTUNE_ENOMEM;
    for (size_t i = 0; i < n; i++)
        prior[(size_t)ctune__data_y_at(train, i, 0)] += 1.0;
    size_t mf = 0;
    for (size_t j = 0; j < n_classes; j++)
        if (prior[j] > prior[mf])
            mf = j; /* ties: the smallest label, as numpy's argmax */
    for (size_t j = 0; j < n_classes; j++)
        prior[j] /= (double)n;
    ctune__free(c->prior);
    c->prior = prior;
    c->k = n_classes;
    c->most_frequent = mf;
    c->seed = ctune_fit_ctx_seed(ctx, c->own_seed);
    return CTUNE_OK;
}

/* A uniform draw in [0, 1) for one row, a function of the fit's seed and the
 * row's values only, so predictions are reproducible, and a row predicted
 * alone or within any batch gets the same draw. */
static double row_uniform(const dummy_clf *c, const ctune_data *X, size_t i)
{
    size_t d = ctune_data_n_cols(X);
    uint64_t h = ctune_seed_derive(c->seed, d);
    for (size_t j = 0; j < d; j++) {
        double v = ctune_data_x(X, i, j);
        if (v == 0.0)
            v = 0.0; /* -0.0 hashes as 0.0 */
        uint64_t bits;
        memcpy(&bits, &v, sizeof bits);
        h = ctune_seed_derive(h, bits);
    }
    return (double)(h >> 11) * 0x1.0p-53;
}

static size_t clf_draw(const dummy_clf *c, const ctune_data *X, size_t i)
{
    switch (c->strategy) {
    case CLF_STRATIFIED: {
        double u = row_uniform(c, X, i), acc = 0.0;
        for (size_t j = 0; j < c->k; j++) {
            acc += c->prior[j];
            if (u < acc && c->prior[j] > 0)
                return j;
        }
        size_t last = c->k - 1; /* rounding: the last class with a nonzero prior */
        while (last > 0 && c->prior[last] == 0)
            last--;
        return last;
    }
    case CLF_UNIFORM: {
        size_t j = (size_t)(row_uniform(c, X, i) * (double)c->k);
        return j < c->k ? j : c->k - 1;
    }
    default: return c->most_frequent;
    }
}

static ctune_status clf_predict(void *self, const ctune_data *X, double *out)
{
    const dummy_clf *c = self;
    size_t n = ctune_data_n_rows(X);
    for (size_t i = 0; i < n; i++)
        out[i] = (double)clf_draw(c, X, i);
    return CTUNE_OK;
}

static ctune_status clf_predict_proba(void *self, const ctune_data *X, double *out)
{
    const dummy_clf *c = self;
    size_t n = ctune_data_n_rows(X), k = c->k;
    for (size_t i = 0; i < n; i++) {
        double *row = out + i * k;
        switch (c->strategy) {
        case CLF_PRIOR: memcpy(row, c->prior, k * sizeof *row); break;
        case CLF_UNIFORM:
            for (size_t j = 0; j < k; j++)
                row[j] = 1.0 / (double)k;
            break;
        default: /* most_frequent, stratified: one-hot of what predict gives */
            memset(row, 0, k * sizeof *row);
            row[clf_draw(c, X, i)] = 1.0;
            break;
        }
    }
    return CTUNE_OK;
}

static ctune_status clf_save(const void *self, ctune_writer *w)
{
    const dummy_clf *c = self;
    CTUNE_TRY(ctune_write_u64(w, c->seed));
    CTUNE_TRY(ctune_write_u64(w, c->k));
    CTUNE_TRY(ctune_write_u64(w, c->most_frequent));
    return ctune_write_f64_array(w, c->prior, c->k);
}

/* A loaded prior is a probability vector (a crafted file could hold NaN). */
static ctune_status check_prior(const double *prior, size_t k)
{
    double sum = 0.0;
    for (size_t j = 0; j < k; j++) {
        if (!(prior[j] >= 0.0 && prior[j] <= 1.0))
            return ctune_set_error(
                CTUNE_EFORMAT, "DummyClassifier: class prior %zu in the model is %g", j, prior[j]);
        sum += prior[j];
    }
    if (!(fabs(sum - 1.0) <= 1e-9 * (double)k))
        return ctune_set_error(CTUNE_EFORMAT,
                               "DummyClassifier: the class priors in the model sum to %.17g", sum);
    return CTUNE_OK;
}

static ctune_status clf_load(void **self, const ctune_params *p, ctune_reader *r, void *user)
{
    dummy_clf *c;
    CTUNE_TRY(clf_create((void **)&c, p, user));
    uint64_t k, mf;
    ctune_status rc = ctune_read_u64(&c->seed, r);
    if (rc == CTUNE_OK)
        rc = ctune_read_u64(&k, r);
    if (rc == CTUNE_OK)
        rc = ctune_read_u64(&mf, r);
    if (rc == CTUNE_OK && (k == 0 || k > ctune_read_remaining(r) / 8 || mf >= k))
        rc = ctune_set_error(CTUNE_EFORMAT, "DummyClassifier: bad class count %llu in the model",
                             (unsigned long long)k);
    /* the handle sizes predict_proba's output by its own class count */
    if (rc == CTUNE_OK && k != r->fit_classes)
        rc = ctune_set_error(CTUNE_EFORMAT,
                             "DummyClassifier: the model holds %llu class priors for %zu classes",
                             (unsigned long long)k, r->fit_classes);
    if (rc == CTUNE_OK && !(c->prior = CTUNE_NEW_ARRAY(double, (size_t)k)))
        rc = CTUNE_ENOMEM;
    if (rc == CTUNE_OK) {
        c->k = (size_t)k;
        c->most_frequent = (size_t)mf;
        rc = ctune_read_f64_array(c->prior, c->k, r);
    }
    if (rc == CTUNE_OK)
        rc = check_prior(c->prior, c->k);
    if (rc != CTUNE_OK) {
        clf_destroy(c);
        return rc;
    }
    *self = c;
    return CTUNE_OK;
}

static const ctune_estimator_vtable CLF_VTABLE = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "DummyClassifier",
    .kind = CTUNE_CLASSIFIER,
    .params = CLF_PARAMS,
    .create = clf_create,
    .fit = clf_fit,
    .predict = clf_predict,
    .predict_proba = clf_predict_proba,
    .save = clf_save,
    .load = clf_load,
    .destroy = clf_destroy,
};

const ctune_estimator_vtable *ctune_dummy_classifier_vtable(void) { return &CLF_VTABLE; }

ctune_status ctune_dummy_classifier_new(ctune_estimator **out)
{
    return ctune_estimator_new(out, &CLF_VTABLE, NULL);
}

/* ---- DummyRegressor ------------------------------------------------------- */

enum { REG_MEAN, REG_MEDIAN, REG_CONSTANT };

static const ctune_param_spec REG_PARAMS[] = {
    {"strategy", CTUNE_TYPE_STRING, "mean", NULL, "mean|median|constant",
     "predict the training mean, the training median, or `constant`"},
    {"constant", CTUNE_TYPE_DOUBLE | CTUNE_TYPE_NONE, "none", NULL, NULL,
     "the value predicted by strategy=constant (for every target)"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

typedef struct dummy_reg {
    int strategy;
    double constant;
    size_t t;      /* targets at fit */
    double *value; /* t predicted values */
} dummy_reg;

static ctune_status reg_create(void **self, const ctune_params *p, void *user)
{
    (void)user;
    const char *s;
    CTUNE_TRY(ctune__params_string_or(p, "strategy", "mean", &s));
    int strategy = strcmp(s, "median") == 0     ? REG_MEDIAN
                   : strcmp(s, "constant") == 0 ? REG_CONSTANT
                                                : REG_MEAN;
    double constant = 0.0;
    /* read whatever the strategy: a value is checked even when unused */
    int no_constant = ctune_params_is_none(p, "constant") || ctune_params_find(p, "constant") < 0;
    if (strategy == REG_CONSTANT) {
        if (no_constant)
            return ctune_set_error(CTUNE_EINVAL,
                                   "DummyRegressor: strategy=constant needs the parameter "
                                   "'constant' (it is none)");
        CTUNE_TRY(ctune_params_get_double(&constant, p, "constant"));
        if (!isfinite(constant))
            return ctune_set_error(CTUNE_EINVAL, "DummyRegressor: constant %g is not finite",
                                   constant);
    }
    dummy_reg *r = ctune__calloc(1, sizeof *r);
    if (!r)
        return CTUNE_ENOMEM;
    r->strategy = strategy;
    r->constant = constant;
    *self = r;
    return CTUNE_OK;
}

static void reg_destroy(void *self)
{
    dummy_reg *r = self;
    if (!r)
        return;
    ctune__free(r->value);
    ctune__free(r);
}

static ctune_status reg_fit(void *self, const ctune_data *train, size_t n_classes,
                            const ctune_fit_ctx *ctx)
{
    (void)n_classes;
    (void)ctx;
    dummy_reg *r = self;
    size_t n = ctune_data_n_rows(train), t = ctune_data_n_targets(train);
    double *value = CTUNE_NEW_ARRAY(double, t);
    if (!value)
        return CTUNE_ENOMEM;
    double *col = NULL;
    if (r->strategy == REG_MEDIAN && !(col = CTUNE_NEW_ARRAY(double, n))) {
        ctune__free(value);
        return CTUNE_ENOMEM;
    }
    for (size_t k = 0; k < t; k++) {
        if (r->strategy == REG_CONSTANT) {
            value[k] = r->constant;
        } else if (r->strategy == REG_MEAN) {
            double s = 0.0;
            for (size_t i = 0; i < n; i++)
                s += ctune__data_y_at(train, i, k);
            value[k] = s / (double)n;
            if (!isfinite(value[k])) { /* the sum of huge values overflowed */
                double m = 0.0, lo = INFINITY, hi = -INFINITY;
                for (size_t i = 0; i < n; i++) {
                    double v = ctune__data_y_at(train, i, k);
                    m += v / (double)n;
                    lo = fmin(lo, v);
                    hi = fmax(hi, v);
                }
                value[k] = fmin(fmax(m, lo), hi); /* rounding may not leave [lo, hi] */
            }
        } else {
            for (size_t i = 0; i < n; i++)
                col[i] = ctune__data_y_at(train, i, k);
            qsort(col, n, sizeof *col, ctune__cmp_double);
            /* numpy's median: the mean of the two middle values for even n */
            value[k] = n % 2 ? col[n / 2] : (col[n / 2 - 1] + col[n / 2]) / 2.0;
            if (!isfinite(value[k])) /* two huge middle values */
                value[k] = col[n / 2 - 1] / 2.0 + col[n / 2] / 2.0;
        }
    }
    ctune__free(col);
    ctune__free(r->value);
    r->value = value;
    r->t = t;
    return CTUNE_OK;
}

static ctune_status reg_predict(void *self, const ctune_data *X, double *out)
{
    const dummy_reg *r = self;
    size_t n = ctune_data_n_rows(X);
    for (size_t i = 0; i < n; i++)
        memcpy(out + i * r->t, r->value, r->t * sizeof *out);
    return CTUNE_OK;
}

static size_t reg_n_outputs(const void *self) { return ((const dummy_reg *)self)->t; }

static ctune_status reg_save(const void *self, ctune_writer *w)
{
    const dummy_reg *r = self;
    CTUNE_TRY(ctune_write_u64(w, r->t));
    return ctune_write_f64_array(w, r->value, r->t);
}

static ctune_status reg_load(void **self, const ctune_params *p, ctune_reader *rd, void *user)
{
    dummy_reg *r;
    CTUNE_TRY(reg_create((void **)&r, p, user));
    uint64_t t;
    ctune_status rc = ctune_read_u64(&t, rd);
    if (rc == CTUNE_OK && (t == 0 || t > ctune_read_remaining(rd) / 8))
        rc = ctune_set_error(CTUNE_EFORMAT, "DummyRegressor: bad target count %llu in the model",
                             (unsigned long long)t);
    if (rc == CTUNE_OK && !(r->value = CTUNE_NEW_ARRAY(double, (size_t)t)))
        rc = CTUNE_ENOMEM;
    if (rc == CTUNE_OK) {
        r->t = (size_t)t;
        rc = ctune_read_f64_array(r->value, r->t, rd);
    }
    for (size_t k = 0; rc == CTUNE_OK && k < r->t; k++)
        if (!isfinite(r->value[k]))
            rc = ctune_set_error(CTUNE_EFORMAT,
                                 "DummyRegressor: value %zu in the model is not finite (%g)", k,
                                 r->value[k]);
    if (rc != CTUNE_OK) {
        reg_destroy(r);
        return rc;
    }
    *self = r;
    return CTUNE_OK;
}

static const ctune_estimator_vtable REG_VTABLE = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "DummyRegressor",
    .kind = CTUNE_REGRESSOR,
    .params = REG_PARAMS,
    .create = reg_create,
    .fit = reg_fit,
    .predict = reg_predict,
    .save = reg_save,
    .load = reg_load,
    .destroy = reg_destroy,
    .n_outputs = reg_n_outputs,
};

const ctune_estimator_vtable *ctune_dummy_regressor_vtable(void) { return &REG_VTABLE; }

ctune_status ctune_dummy_regressor_new(ctune_estimator **out)
{
    return ctune_estimator_new(out, &REG_VTABLE, NULL);
}
