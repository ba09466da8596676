#include "core/data.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

static void storage_release(ctune__storage *st)
{
    if (!st)
        return;
    if (atomic_fetch_sub(&st->refs, 1) == 1) {
        if (st->release)
            st->release(st->release_ctx);
        ctune__free(st);
    }
}

static ctune_status view_new(ctune_data **out, ctune__storage *st, size_t n)
{
    ctune_data *d = ctune__calloc(1, sizeof *d);
    if (!d)
        return CTUNE_ENOMEM;
    d->st = st;
    d->n = n;
    atomic_fetch_add(&st->refs, 1);
    *out = d;
    return CTUNE_OK;
}

ctune_status ctune__data_new_storage(ctune_data **out, const ctune__storage *init)
{
    ctune__storage *st = ctune__malloc(sizeof *st);
    if (!st) {
        if (init->release)
            init->release(init->release_ctx);
        return CTUNE_ENOMEM;
    }
    memcpy(st, init, sizeof *st);
    atomic_init(&st->refs, 0);
    ctune_status rc = view_new(out, st, st->n_rows);
    if (rc != CTUNE_OK) {
        atomic_store(&st->refs, 1);
        storage_release(st);
    }
    return rc;
}

ctune_status ctune_data_new(ctune_data **out, const void *X, int dtype, size_t n_rows,
                            size_t n_cols, size_t row_stride, const double *y, size_t n_targets)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(X, "X");
    if (dtype != CTUNE_FLOAT32 && dtype != CTUNE_FLOAT64)
        return ctune_set_error(CTUNE_EINVAL,
                               "ctune_data_new: dtype %d is neither CTUNE_FLOAT32 (1) nor CTUNE_FLOAT64 (2)",
                               dtype);
    if (n_cols == 0)
        return ctune_set_error(CTUNE_EINVAL, "ctune_data_new: X has 0 columns");
    if (row_stride == 0)
        row_stride = n_cols;
    if (row_stride < n_cols)
        return ctune_set_error(CTUNE_EINVAL,
                               "ctune_data_new: row_stride %zu is smaller than n_cols %zu",
                               row_stride, n_cols);
    if (n_targets > 0 && !y)
        return ctune_set_error(CTUNE_EINVAL, "ctune_data_new: y is NULL but n_targets is %zu",
                               n_targets);
    /* The caller's arrays must be addressable: X spans (n_rows - 1) ×
     * row_stride + n_cols values, y n_rows × n_targets; element offsets are
     * computed in size_t. */
    size_t es = dtype == CTUNE_FLOAT32 ? sizeof(float) : sizeof(double);
    size_t max_x = SIZE_MAX / es;
    if (n_cols > max_x || (n_rows > 0 && n_rows - 1 > (max_x - n_cols) / row_stride))
        return ctune_set_error(CTUNE_EINVAL,
                               "ctune_data_new: X of %zu rows, %zu columns and row_stride %zu is "
                               "larger than memory can address",
                               n_rows, n_cols, row_stride);
    if (n_targets > 0 && n_rows > SIZE_MAX / sizeof(double) / n_targets)
        return ctune_set_error(CTUNE_EINVAL,
                               "ctune_data_new: y of %zu rows × %zu targets is larger than memory "
                               "can address",
                               n_rows, n_targets);
    ctune__storage init = {0};
    init.X = X;
    init.dtype = dtype;
    init.n_rows = n_rows;
    init.n_cols = n_cols;
    init.stride = row_stride;
    init.y = n_targets ? y : NULL;
    init.n_targets = n_targets;
    return ctune__data_new_storage(out, &init);
}

typedef struct owned_pair { void *x; double *y; } owned_pair;

static void release_owned(void *ctx)
{
    owned_pair *p = ctx;
    ctune__free(p->x);
    ctune__free(p->y);
    ctune__free(p);
}

ctune_status ctune__data_new_owned(ctune_data **out, void *X, int dtype, size_t n_rows,
                                   size_t n_cols, double *y, size_t n_targets)
{
    *out = NULL;
    owned_pair *p = ctune__malloc(sizeof *p);
    if (!p) {
        ctune__free(X);
        ctune__free(y);
        return CTUNE_ENOMEM;
    }
    p->x = X;
    p->y = y;
    ctune__storage init = {0};
    init.X = X;
    init.dtype = dtype;
    init.n_rows = n_rows;
    init.n_cols = n_cols;
    init.stride = n_cols;
    init.y = n_targets ? y : NULL;
    init.n_targets = y ? n_targets : 0;
    init.release = release_owned;
    init.release_ctx = p;
    return ctune__data_new_storage(out, &init);
}

ctune_status ctune_data_subset(ctune_data **out, const ctune_data *src, const size_t *rows,
                               size_t n)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(src, "src");
    if (n > 0 && !rows)
        return ctune_set_error(CTUNE_EINVAL, "ctune_data_subset: rows is NULL");
    for (size_t i = 0; i < n; i++)
        if (rows[i] >= src->n)
            return ctune_set_error(CTUNE_EINVAL,
                                   "ctune_data_subset: index %zu (rows[%zu]) is out of range for %zu rows",
                                   rows[i], i, src->n);
    if (src->y_local && src->t_local && n > SIZE_MAX / sizeof(double) / src->t_local)
        return ctune_set_error(CTUNE_EINVAL,
                               "ctune_data_subset: %zu rows × %zu targets cannot be addressed", n,
                               src->t_local);
    size_t *idx = CTUNE_NEW_ARRAY(size_t, n ? n : 1);
    if (!idx)
        return CTUNE_ENOMEM;
    double *y = NULL;
    if (src->y_local) {
        y = CTUNE_NEW_ARRAY(double, (n ? n : 1) * src->t_local);
        if (!y) {
            ctune__free(idx);
            return CTUNE_ENOMEM;
        }
        for (size_t i = 0; i < n; i++)
            memcpy(y + i * src->t_local, src->y_local + rows[i] * src->t_local,
                   src->t_local * sizeof *y);
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = ctune__data_row_index(src, rows[i]);
    ctune_data *d;
    ctune_status rc = view_new(&d, src->st, n);
    if (rc != CTUNE_OK) {
        ctune__free(idx);
        ctune__free(y);
        return rc;
    }
    d->idx = idx;
    if (y) {
        d->y_local = d->y_owned = y;
        d->t_local = src->t_local;
    }
    *out = d;
    return CTUNE_OK;
}

ctune_status ctune__data_with_y(ctune_data **out, const ctune_data *src, double *y,
                                size_t n_targets, int take_ownership)
{
    *out = NULL;
    size_t *idx = NULL;
    if (src->idx) {
        idx = CTUNE_NEW_ARRAY(size_t, src->n ? src->n : 1);
        if (!idx)
            goto fail;
        memcpy(idx, src->idx, src->n * sizeof *idx);
    }
    ctune_data *d;
    if (view_new(&d, src->st, src->n) != CTUNE_OK)
        goto fail;
    d->idx = idx;
    d->y_local = y;
    d->y_owned = take_ownership ? y : NULL;
    d->t_local = n_targets;
    *out = d;
    return CTUNE_OK;
fail:
    ctune__free(idx);
    if (take_ownership)
        ctune__free(y);
    return CTUNE_ENOMEM;
}

void ctune_data_free(ctune_data *data)
{
    if (!data)
        return;
    ctune__storage *st = data->st;
    ctune__free(data->idx);
    ctune__free(data->y_owned);
    ctune__free(data);
    storage_release(st);
}

size_t ctune_data_n_rows(const ctune_data *d) { return d ? d->n : 0; }
size_t ctune_data_n_cols(const ctune_data *d) { return d ? d->st->n_cols : 0; }
int ctune_data_dtype(const ctune_data *d) { return d ? d->st->dtype : 0; }

size_t ctune_data_n_targets(const ctune_data *d)
{
    if (!d)
        return 0;
    return d->y_local ? d->t_local : d->st->n_targets;
}

static const char *nonfinite_name(double v)
{
    return isnan(v) ? "NaN" : (v > 0 ? "+Inf" : "-Inf");
}

ctune_status ctune_data_validate(const ctune_data *d)
{
    CTUNE_CHECK_NULL(d, "data");
    size_t m = d->st->n_cols;
    for (size_t i = 0; i < d->n; i++) {
        const void *row = ctune__data_row_ptr(d, i);
        if (d->st->dtype == CTUNE_FLOAT32) {
            const float *r = row;
            for (size_t j = 0; j < m; j++)
                if (!isfinite(r[j]))
                    return ctune_set_error(CTUNE_EDATA, "X row %zu, column %zu is %s", i, j,
                                           nonfinite_name(r[j]));
        } else {
            const double *r = row;
            for (size_t j = 0; j < m; j++)
                if (!isfinite(r[j]))
                    return ctune_set_error(CTUNE_EDATA, "X row %zu, column %zu is %s", i, j,
                                           nonfinite_name(r[j]));
        }
    }
    size_t t = ctune_data_n_targets(d);
    for (size_t i = 0; i < d->n; i++)
        for (size_t k = 0; k < t; k++) {
            double v = ctune__data_y_at(d, i, k);
            if (!isfinite(v))
                return t == 1 ? ctune_set_error(CTUNE_EDATA, "y row %zu is %s", i, nonfinite_name(v))
                              : ctune_set_error(CTUNE_EDATA, "y row %zu, target %zu is %s", i, k,
                                                nonfinite_name(v));
        }
    return CTUNE_OK;
}

static ctune_status check_gather(const ctune_data *d, const size_t *rows, size_t n, const void *out,
                                 size_t ld, const char *fn)
{
    if (!d)
        return ctune_set_error(CTUNE_EINVAL, "%s: data is NULL", fn);
    if (n && !out)
        return ctune_set_error(CTUNE_EINVAL, "%s: out is NULL", fn);
    if (ld < d->st->n_cols)
        return ctune_set_error(CTUNE_EINVAL, "%s: ld %zu is smaller than n_cols %zu", fn, ld,
                               d->st->n_cols);
    if (!rows && n > d->n)
        return ctune_set_error(CTUNE_EINVAL, "%s: %zu rows requested from a view of %zu", fn, n,
                               d->n);
    if (rows)
        for (size_t i = 0; i < n; i++)
            if (rows[i] >= d->n)
                return ctune_set_error(CTUNE_EINVAL, "%s: row %zu (rows[%zu]) out of range for %zu rows",
                                       fn, rows[i], i, d->n);
    return CTUNE_OK;
}

ctune_status ctune_data_gather_f32(const ctune_data *d, const size_t *rows, size_t n, float *out,
                                   size_t ld)
{
    CTUNE_TRY(check_gather(d, rows, n, out, ld, __func__));
    size_t m = d->st->n_cols;
    for (size_t i = 0; i < n; i++) {
        const void *src = ctune__data_row_ptr(d, rows ? rows[i] : i);
        float *dst = out + i * ld;
        if (d->st->dtype == CTUNE_FLOAT32) {
            memcpy(dst, src, m * sizeof(float));
        } else {
            const double *s = src;
            for (size_t j = 0; j < m; j++)
                dst[j] = (float)s[j];
        }
    }
    return CTUNE_OK;
}

ctune_status ctune_data_gather_f64(const ctune_data *d, const size_t *rows, size_t n, double *out,
                                   size_t ld)
{
    CTUNE_TRY(check_gather(d, rows, n, out, ld, __func__));
    size_t m = d->st->n_cols;
    for (size_t i = 0; i < n; i++) {
        const void *src = ctune__data_row_ptr(d, rows ? rows[i] : i);
        double *dst = out + i * ld;
        if (d->st->dtype == CTUNE_FLOAT64) {
            memcpy(dst, src, m * sizeof(double));
        } else {
            const float *s = src;
            for (size_t j = 0; j < m; j++)
                dst[j] = s[j];
        }
    }
    return CTUNE_OK;
}

ctune_status ctune_data_gather_y(const ctune_data *d, const size_t *rows, size_t n, double *out)
{
    CTUNE_CHECK_NULL(d, "data");
    size_t t = ctune_data_n_targets(d);
    if (t == 0)
        return ctune_set_error(CTUNE_EINVAL, "ctune_data_gather_y: the data has no y");
    CTUNE_TRY(check_gather(d, rows, n, out ? (const void *)out : (const void *)d, d->st->n_cols,
                           __func__));
    if (n && !out)
        return ctune_set_error(CTUNE_EINVAL, "ctune_data_gather_y: out is NULL");
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < t; k++)
            out[i * t + k] = ctune__data_y_at(d, rows ? rows[i] : i, k);
    return CTUNE_OK;
}

double ctune_data_x(const ctune_data *d, size_t row, size_t col)
{
    if (!d || row >= d->n || col >= d->st->n_cols)
        return 0.0;
    const void *r = ctune__data_row_ptr(d, row);
    return d->st->dtype == CTUNE_FLOAT32 ? (double)((const float *)r)[col]
                                         : ((const double *)r)[col];
}

double ctune_data_y(const ctune_data *d, size_t row, size_t target)
{
    if (!d || row >= d->n || target >= ctune_data_n_targets(d))
        return NAN;
    return ctune__data_y_at(d, row, target);
}
