#include "core/data.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/simd.h"

/* Rows listed in a random order (a shuffled epoch) are each a few cache
 * misses away: asking for row i + PREFETCH_AHEAD while row i is read
 * overlaps those misses instead of taking them one after the other. */
#define PREFETCH_AHEAD 8

static inline void prefetch_row(const void *p, size_t bytes)
{
#if defined(__GNUC__)
    const char *c = p;
    for (size_t off = 0; off < bytes; off += 64)
        __builtin_prefetch(c + off, 0, 0);
    __builtin_prefetch(c + bytes - 1, 0, 0);
#else
    (void)p;
    (void)bytes;
#endif
}

void ctune__storage_release(ctune__storage *st)
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
        ctune__storage_release(st);
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
        return ctune_set_error(
            CTUNE_EINVAL,
            "ctune_data_new: dtype %d is neither CTUNE_FLOAT32 (1) nor CTUNE_FLOAT64 (2)", dtype);
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

typedef struct owned_pair {
    void *x;
    double *y;
} owned_pair;

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

static void moments_release(ctune__moments_slot *m)
{
    if (m && atomic_fetch_sub(&m->refs, 1) == 1) {
        ctune__free(atomic_load(&m->v));
        ctune__free(m);
    }
}

/* `d` shares the moments slot of `src` (a view of the same rows, read the
 * same way). */
static void share_moments(ctune_data *d, const ctune_data *src)
{
    if (src->moments)
        atomic_fetch_add(&src->moments->refs, 1);
    moments_release(d->moments);
    d->moments = src->moments;
}

ctune_status ctune__data_share_moments(ctune_data *d)
{
    ctune__moments_slot *m = ctune__calloc(1, sizeof *m);
    if (!m)
        return CTUNE_ENOMEM;
    atomic_init(&m->refs, 1);
    atomic_init(&m->v, NULL);
    moments_release(d->moments);
    d->moments = m;
    return CTUNE_OK;
}

/* One row of Welford's streaming pass (r = 1 / rows so far): the arrays do
 * not overlap the row, so the loop vectorizes (wider in the AVX clones);
 * each column's operations are the same, in the same order, as one column
 * at a time. */
CTUNE__MULTIVERSION
static void welford_row(const void *row, int f32, size_t m, double r, double *restrict mean,
                        double *restrict m2, double *restrict am)
{
    if (!f32) {
        const double *restrict x = row;
        for (size_t j = 0; j < m; j++) {
            double delta = x[j] - mean[j], a = fabs(x[j]);
            mean[j] += delta * r;
            m2[j] += delta * (x[j] - mean[j]);
            am[j] = a > am[j] || a != a ? a : am[j]; /* a NaN stays */
        }
    } else {
        const float *restrict xf = row;
        for (size_t j = 0; j < m; j++) {
            double x = (double)xf[j], delta = x - mean[j], a = fabs(x);
            mean[j] += delta * r;
            m2[j] += delta * (x - mean[j]);
            am[j] = a > am[j] || a != a ? a : am[j];
        }
    }
}

ctune_status ctune__data_col_moments(const ctune_data *d, double *mean, double *m2, double *absmax)
{
    if (d->affine)
        return ctune_set_error(CTUNE_EINTERNAL, "column moments of an affine view");
    size_t m = d->st->n_cols;
    const double *known = d->moments ? atomic_load(&d->moments->v) : NULL;
    if (known) {
        memcpy(mean, known, m * sizeof *mean);
        memcpy(m2, known + m, m * sizeof *m2);
        memcpy(absmax, known + 2 * m, m * sizeof *absmax);
        return CTUNE_OK;
    }
    memset(mean, 0, m * sizeof *mean);
    memset(m2, 0, m * sizeof *m2);
    memset(absmax, 0, m * sizeof *absmax);
    int f32 = d->st->dtype == CTUNE_FLOAT32;
    size_t es = f32 ? sizeof(float) : sizeof(double);
    for (size_t i = 0; i < d->n; i++) {
        if (d->idx && i + PREFETCH_AHEAD < d->n)
            prefetch_row(ctune__data_row_ptr(d, i + PREFETCH_AHEAD), m * es);
        welford_row(ctune__data_row_ptr(d, i), f32, m, 1.0 / (double)(i + 1), mean, m2, absmax);
    }
    if (!d->moments)
        return CTUNE_OK;
    double *v = CTUNE_NEW_ARRAY(double, 3 * m);
    if (!v)
        return CTUNE_ENOMEM;
    memcpy(v, mean, m * sizeof *v);
    memcpy(v + m, m2, m * sizeof *v);
    memcpy(v + 2 * m, absmax, m * sizeof *v);
    double *none = NULL;
    if (!atomic_compare_exchange_strong(&d->moments->v, &none, v))
        ctune__free(v); /* another view of the slot stored the same values first */
    return CTUNE_OK;
}

/* A derived view keeps its source's affine map, trust and class table. */
static ctune_status copy_view_extras(ctune_data *d, const ctune_data *src)
{
    d->trusted = src->trusted;
    d->x_checked = src->x_checked;
    ctune__data_set_class_table(d, src->class_table);
    ctune__data_set_absmax(d, src->absmax);
    if (!src->affine)
        return CTUNE_OK;
    size_t m = src->st->n_cols;
    d->affine = CTUNE_NEW_ARRAY(double, 3 * m);
    if (!d->affine)
        return CTUNE_ENOMEM;
    memcpy(d->affine, src->affine, 3 * m * sizeof *d->affine);
    return CTUNE_OK;
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
            return ctune_set_error(
                CTUNE_EINVAL,
                "ctune_data_subset: index %zu (rows[%zu]) is out of range for %zu rows", rows[i], i,
                src->n);
    if (src->y_local && src->t_local && n > SIZE_MAX / sizeof(double) / src->t_local)
        return ctune_set_error(CTUNE_EINVAL,
                               "ctune_data_subset: %zu rows × %zu targets cannot be addressed", n,
                               src->t_local);
    if (n > (SIZE_MAX - sizeof(ctune__idx_block)) / sizeof(size_t))
        return ctune_set_error(CTUNE_ENOMEM, "ctune_data_subset: %zu rows", n);
    ctune__idx_block *block = ctune__malloc(sizeof *block + (n ? n : 1) * sizeof(size_t));
    if (!block)
        return CTUNE_ENOMEM;
    atomic_init(&block->refs, 1);
    size_t *idx = block->v;
    double *y = NULL;
    if (src->y_local) {
        y = CTUNE_NEW_ARRAY(double, (n ? n : 1) * src->t_local);
        if (!y) {
            ctune__free(block);
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
        ctune__free(block);
        ctune__free(y);
        return rc;
    }
    d->idx = idx;
    d->idx_block = block;
    if (y) {
        d->y_local = d->y_owned = y;
        d->t_local = src->t_local;
    }
    if (copy_view_extras(d, src) != CTUNE_OK) {
        ctune_data_free(d);
        return CTUNE_ENOMEM;
    }
    *out = d;
    return CTUNE_OK;
}

ctune_status ctune__data_with_y(ctune_data **out, const ctune_data *src, double *y,
                                size_t n_targets, int take_ownership)
{
    *out = NULL;
    ctune_data *d;
    if (view_new(&d, src->st, src->n) != CTUNE_OK)
        goto fail;
    if (src->idx_block) { /* the same rows: share the list */
        atomic_fetch_add(&src->idx_block->refs, 1);
        d->idx = src->idx;
        d->idx_block = src->idx_block;
    }
    d->y_local = y;
    d->y_owned = take_ownership ? y : NULL;
    d->t_local = n_targets;
    if (copy_view_extras(d, src) != CTUNE_OK) {
        ctune_data_free(d);
        return CTUNE_ENOMEM;
    }
    share_moments(d, src);
    *out = d;
    return CTUNE_OK;
fail:
    if (take_ownership)
        ctune__free(y);
    return CTUNE_ENOMEM;
}

ctune_status ctune__data_view_on(ctune_data **out, ctune__storage *st, const ctune_data *src)
{
    *out = NULL;
    ctune_data *d;
    CTUNE_TRY(view_new(&d, st, src->n));
    if (src->idx_block) { /* the same rows: share the list */
        atomic_fetch_add(&src->idx_block->refs, 1);
        d->idx = src->idx;
        d->idx_block = src->idx_block;
    }
    if (copy_view_extras(d, src) != CTUNE_OK) {
        ctune_data_free(d);
        return CTUNE_ENOMEM;
    }
    if (st->X == src->st->X && st->dtype == src->st->dtype && st->stride == src->st->stride)
        share_moments(d, src); /* the same rows of the same stored X */
    else
        ctune__data_set_absmax(d, NULL); /* found on other values */
    *out = d;
    return CTUNE_OK;
}

ctune_status ctune__data_affine(ctune_data **out, const ctune_data *src, const double *shift,
                                const double *scale)
{
    *out = NULL;
    size_t m = src->st->n_cols;
    ctune_data *d;
    /* same rows and y as src: y_local stays src's, so copy it */
    double *y = NULL;
    if (src->y_local) {
        y = CTUNE_NEW_ARRAY(double, (src->n ? src->n : 1) * src->t_local);
        if (!y)
            return CTUNE_ENOMEM;
        memcpy(y, src->y_local, src->n * src->t_local * sizeof *y);
    }
    CTUNE_TRY(ctune__data_with_y(&d, src, y, y ? src->t_local : 0, 1));
    moments_release(d->moments); /* its values are not the stored ones */
    d->moments = NULL;
    ctune__free(d->affine);
    d->affine = CTUNE_NEW_ARRAY(double, 3 * m);
    if (!d->affine) {
        ctune_data_free(d);
        return CTUNE_ENOMEM;
    }
    memcpy(d->affine, shift, m * sizeof *shift);
    memcpy(d->affine + m, scale, m * sizeof *scale);
    /* bound[j]: a stored |x| <= bound[j] reads as a value within float32's
     * range (so finite) whatever the roundings, which lets range checks
     * compare instead of dividing; -1 when no such bound is usable */
    for (size_t j = 0; j < m; j++) {
        double b = (double)FLT_MAX * fabs(scale[j]) * (1 - 0x1p-20) - fabs(shift[j]);
        d->affine[2 * m + j] = isfinite(b) && b > 0 && b < DBL_MAX / 4 ? b : -1;
    }
    /* finite values under a finite map can still overflow: validated again,
     * unless the column maxima found in this call show they do not */
    d->trusted = 0;
    d->x_checked = 0;
    if (src->absmax && src->absmax->m == m)
        ctune__data_affine_known(d, src->absmax->v);
    *out = d;
    return CTUNE_OK;
}

void ctune__data_affine_known(ctune_data *d, const double *absmax)
{
    size_t m = d->st->n_cols;
    if (!d->affine)
        return;
    for (size_t j = 0; j < m; j++)
        if (!(absmax[j] <= d->affine[2 * m + j])) /* a NaN is not */
            return;
    d->x_checked = 2;
}

ctune_status ctune__data_plain(const ctune_data *d, ctune_data **owned, const ctune_data **use)
{
    *owned = NULL;
    *use = d;
    if (!d->affine)
        return CTUNE_OK;
    size_t n = d->n, m = d->st->n_cols, t = ctune_data_n_targets(d);
    double *X = CTUNE_NEW_ARRAY(double, n &&m ? n *m : 1);
    double *y = t ? CTUNE_NEW_ARRAY(double, n ? n *t : 1) : NULL;
    if (!X || (t && !y)) {
        ctune__free(X);
        ctune__free(y);
        return CTUNE_ENOMEM;
    }
    ctune_status rc = ctune_data_gather_f64(X, m, d, NULL, n);
    if (rc == CTUNE_OK && t && n)
        rc = ctune_data_gather_y(y, d, NULL, n);
    if (rc != CTUNE_OK) {
        ctune__free(X);
        ctune__free(y);
        return rc;
    }
    ctune_data *c;
    CTUNE_TRY(ctune__data_new_owned(&c, X, CTUNE_FLOAT64, n, m, y, t));
    c->trusted = d->trusted;
    *owned = c;
    *use = c;
    return CTUNE_OK;
}

void ctune_data_free(ctune_data *data)
{
    if (!data)
        return;
    ctune__storage *st = data->st;
    ctune__class_table_release(data->class_table);
    ctune__col_absmax_release(data->absmax);
    moments_release(data->moments);
    ctune__free(data->affine);
    if (data->idx_block && atomic_fetch_sub(&data->idx_block->refs, 1) == 1)
        ctune__free(data->idx_block);
    ctune__free(data->y_owned);
    ctune__free(data);
    ctune__storage_release(st);
}

size_t ctune_data_n_rows(const ctune_data *d) { return d ? d->n : 0; }
size_t ctune_data_n_cols(const ctune_data *d) { return d ? d->st->n_cols : 0; }
/* An affine view reads as the float64 values a transformer would write. */
int ctune_data_dtype(const ctune_data *d)
{
    return d ? (d->affine ? CTUNE_FLOAT64 : d->st->dtype) : 0;
}

ctune_status ctune_data_rows(const void **X, size_t *stride, const ctune_data *d)
{
    CTUNE_CHECK_NULL(d, "data");
    CTUNE_CHECK_NULL(X, "X");
    CTUNE_CHECK_NULL(stride, "stride");
    *X = NULL;
    *stride = 0;
    if (d->idx)
        return ctune_set_error(CTUNE_EUNSUPPORTED,
                               "ctune_data_rows: the view is a subset of %zu rows: gather them",
                               d->n);
    *X = d->st->X;
    *stride = d->st->stride;
    return CTUNE_OK;
}

size_t ctune_data_n_targets(const ctune_data *d)
{
    if (!d)
        return 0;
    return d->y_local ? d->t_local : d->st->n_targets;
}

/* A stored row of an affine view (m columns, float32 when f32) into dst,
 * as x' = (x - sh[j]) / sc[j] computed in double, then rounded to float
 * (F32) or not: one branch-free loop, vectorized (and wider in the AVX
 * clones). Returns 1 when a value came out infinite: the caller redoes
 * the row with the fix-up of ctune__data_affine_x(). */
#define AFFINE_ROW(NAME, OUT)                                                      \
    CTUNE__MULTIVERSION                                                            \
    static int NAME(const void *row, int f32, size_t m, const double *restrict sh, \
                    const double *restrict sc, OUT *restrict dst)                  \
    {                                                                              \
        int inf = 0;                                                               \
        if (f32) {                                                                 \
            const float *restrict x = row;                                         \
            for (size_t j = 0; j < m; j++) {                                       \
                double t = ((double)x[j] - sh[j]) / sc[j];                         \
                dst[j] = (OUT)t;                                                   \
                inf |= fabs(t) > DBL_MAX;                                          \
            }                                                                      \
        } else {                                                                   \
            const double *restrict x = row;                                        \
            for (size_t j = 0; j < m; j++) {                                       \
                double t = (x[j] - sh[j]) / sc[j];                                 \
                dst[j] = (OUT)t;                                                   \
                inf |= fabs(t) > DBL_MAX;                                          \
            }                                                                      \
        }                                                                          \
        return inf;                                                                \
    }
AFFINE_ROW(affine_row_f32, float)
AFFINE_ROW(affine_row_f64, double)
#undef AFFINE_ROW

/* The stored value of column j of a row. */
static inline double stored_x(const ctune_data *d, const void *row, size_t j)
{
    return d->st->dtype == CTUNE_FLOAT32 ? (double)((const float *)row)[j]
                                         : ((const double *)row)[j];
}

/* 1 when every |x[j]| of a stored row is <= lim[j] (lim NULL: <= one),
 * which a NaN is not: one branch-free pass that the compiler vectorizes
 * clears the common row; the checks below then look at the others only. */
static int row_within(const void *row, int f32, size_t m, const double *lim, double one)
{
    int ok = 1;
    if (f32) {
        const float *x = row;
        if (lim)
            for (size_t j = 0; j < m; j++)
                ok &= fabs((double)x[j]) <= lim[j];
        else
            for (size_t j = 0; j < m; j++)
                ok &= fabs((double)x[j]) <= one;
    } else {
        const double *x = row;
        if (lim)
            for (size_t j = 0; j < m; j++)
                ok &= fabs(x[j]) <= lim[j];
        else
            for (size_t j = 0; j < m; j++)
                ok &= fabs(x[j]) <= one;
    }
    return ok;
}

/* 1 when a column of a stored row of an affine view reads as a non-finite
 * value (flt: or one beyond float32's range), with its column and value.
 * Values within the column's bound need no division. */
static int affine_row_bad(const ctune_data *d, const void *row, int flt, size_t *col, double *val)
{
    size_t m = d->st->n_cols;
    const double *bound = d->affine + 2 * m;
    int f32 = d->st->dtype == CTUNE_FLOAT32;
    if (row_within(row, f32, m, bound, 0))
        return 0;
    for (size_t j = 0; j < m; j++) {
        double x = f32 ? (double)((const float *)row)[j] : ((const double *)row)[j];
        if (fabs(x) <= bound[j])
            continue;
        double v = ctune__data_affine_x(d, m, j, x);
        if (!isfinite(v) || (flt && fabs(v) > FLT_MAX)) {
            *col = j;
            *val = v;
            return 1;
        }
    }
    return 0;
}

/* Records on an affine view what a full check of its X found (see
 * x_checked): the view is the calling thread's, made in this call. */
static void affine_checked(const ctune_data *d, int level)
{
    if (d->affine && d->x_checked < level)
        ((ctune_data *)d)->x_checked = level;
}

int ctune__data_find_bad(const ctune_data *d, int flt, size_t *row, size_t *col, double *val)
{
    size_t m = d->st->n_cols;
    int f32 = d->st->dtype == CTUNE_FLOAT32;
    if (d->affine && d->x_checked >= (flt ? 2 : 1))
        return 0;
    for (size_t i = 0; i < d->n; i++) {
        const void *r = ctune__data_row_ptr(d, i);
        if (d->affine) {
            if (affine_row_bad(d, r, flt, col, val)) {
                *row = i;
                return 1;
            }
            continue;
        }
        if (row_within(r, f32, m, NULL, flt ? (double)FLT_MAX : DBL_MAX))
            continue;
        for (size_t j = 0; j < m; j++) {
            double x = f32 ? (double)((const float *)r)[j] : ((const double *)r)[j];
            if (!isfinite(x) || (flt && fabs(x) > FLT_MAX)) {
                *row = i;
                *col = j;
                *val = x;
                return 1;
            }
        }
    }
    affine_checked(d, flt ? 2 : 1);
    return 0;
}

static const char *nonfinite_name(double v) { return isnan(v) ? "NaN" : (v > 0 ? "+Inf" : "-Inf"); }

/* The X part of ctune_data_validate(). An affine view that passed is
 * marked: within its columns' bounds everywhere, it is also within
 * float32's range. */
static ctune_status validate_x(const ctune_data *d)
{
    size_t m = d->st->n_cols;
    int f32 = d->st->dtype == CTUNE_FLOAT32;
    if (d->affine && d->x_checked >= 1)
        return CTUNE_OK;
    int all_within = 1;
    for (size_t i = 0; i < d->n; i++) {
        const void *row = ctune__data_row_ptr(d, i);
        if (d->affine) {
            if (row_within(row, f32, m, d->affine + 2 * m, 0))
                continue;
            all_within = 0;
            size_t j;
            double v;
            if (affine_row_bad(d, row, 0, &j, &v))
                return ctune_set_error(CTUNE_EDATA, "X row %zu, column %zu is %s", i, j,
                                       nonfinite_name(v));
            continue;
        }
        if (row_within(row, f32, m, NULL, f32 ? (double)FLT_MAX : DBL_MAX))
            continue;
        if (f32) {
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
    affine_checked(d, all_within ? 2 : 1);
    return CTUNE_OK;
}

ctune_status ctune__data_validate_x(const ctune_data *d)
{
    CTUNE_CHECK_NULL(d, "data");
    return d->trusted ? CTUNE_OK : validate_x(d);
}

/* The y part of ctune_data_validate(). */
static ctune_status validate_y(const ctune_data *d)
{
    size_t t = ctune_data_n_targets(d);
    for (size_t i = 0; i < d->n; i++)
        for (size_t k = 0; k < t; k++) {
            double v = ctune__data_y_at(d, i, k);
            if (!isfinite(v))
                return t == 1
                           ? ctune_set_error(CTUNE_EDATA, "y row %zu is %s", i, nonfinite_name(v))
                           : ctune_set_error(CTUNE_EDATA, "y row %zu, target %zu is %s", i, k,
                                             nonfinite_name(v));
        }
    return CTUNE_OK;
}

ctune_status ctune_data_validate(const ctune_data *d)
{
    CTUNE_CHECK_NULL(d, "data");
    if (d->trusted)
        return CTUNE_OK;
    CTUNE_TRY(validate_x(d));
    return validate_y(d);
}

void ctune__col_absmax_release(ctune__col_absmax *a)
{
    if (a && atomic_fetch_sub(&a->refs, 1) == 1)
        ctune__free(a);
}

void ctune__data_set_absmax(ctune_data *d, ctune__col_absmax *a)
{
    if (a)
        atomic_fetch_add(&a->refs, 1);
    ctune__col_absmax_release(d->absmax);
    d->absmax = a;
}

/* Folds the |x| of a stored row into am[] and returns 1 when every one is
 * <= lim (a NaN is not): one branch-free loop the compiler vectorizes. */
static int row_absmax(const void *row, int f32, size_t m, double lim, double *restrict am)
{
    int ok = 1;
    if (f32) {
        const float *restrict x = row;
        for (size_t j = 0; j < m; j++) {
            double a = fabs((double)x[j]);
            ok &= a <= lim;
            am[j] = a > am[j] ? a : am[j];
        }
    } else {
        const double *restrict x = row;
        for (size_t j = 0; j < m; j++) {
            double a = fabs(x[j]);
            ok &= a <= lim;
            am[j] = a > am[j] ? a : am[j];
        }
    }
    return ok;
}

ctune_status ctune__data_validate_absmax(const ctune_data *d, ctune__col_absmax **out)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(d, "data");
    if (d->trusted || d->affine)
        return ctune_data_validate(d);
    size_t m = d->st->n_cols;
    if (m > (SIZE_MAX - sizeof(ctune__col_absmax)) / sizeof(double))
        return ctune_set_error(CTUNE_ENOMEM, "column maxima of %zu columns", m);
    ctune__col_absmax *a = ctune__calloc(1, sizeof *a + m * sizeof(double));
    if (!a)
        return CTUNE_ENOMEM;
    atomic_init(&a->refs, 1);
    a->m = m;
    int f32 = d->st->dtype == CTUNE_FLOAT32;
    double lim = f32 ? (double)FLT_MAX : DBL_MAX;
    int ok = 1;
    for (size_t i = 0; i < d->n && ok; i++)
        ok = row_absmax(ctune__data_row_ptr(d, i), f32, m, lim, a->v);
    /* a value that is not finite: the plain check names it */
    ctune_status rc = ok ? validate_y(d) : validate_x(d);
    if (rc == CTUNE_OK && !ok) /* cannot happen: validate_x saw the same values */
        rc = ctune_set_error(CTUNE_EINTERNAL, "X failed a check that validation passed");
    if (rc != CTUNE_OK) {
        ctune__col_absmax_release(a);
        return rc;
    }
    *out = a;
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
                return ctune_set_error(CTUNE_EINVAL,
                                       "%s: row %zu (rows[%zu]) out of range for %zu rows", fn,
                                       rows[i], i, d->n);
    return CTUNE_OK;
}

ctune_status ctune_data_gather_f32(float *out, size_t ld, const ctune_data *d, const size_t *rows,
                                   size_t n)
{
    CTUNE_TRY(check_gather(d, rows, n, out, ld, __func__));
    size_t m = d->st->n_cols;
    size_t es = d->st->dtype == CTUNE_FLOAT32 ? sizeof(float) : sizeof(double);
    for (size_t i = 0; i < n; i++) {
        const void *src = ctune__data_row_ptr(d, rows ? rows[i] : i);
        float *dst = out + i * ld;
        if ((rows || d->idx) && i + PREFETCH_AHEAD < n)
            prefetch_row(
                ctune__data_row_ptr(d, rows ? rows[i + PREFETCH_AHEAD] : i + PREFETCH_AHEAD),
                m * es);
        if (d->affine) {
            if (affine_row_f32(src, d->st->dtype == CTUNE_FLOAT32, m, d->affine, d->affine + m,
                               dst))
                for (size_t j = 0; j < m; j++)
                    dst[j] = (float)ctune__data_affine_x(d, m, j, stored_x(d, src, j));
        } else if (d->st->dtype == CTUNE_FLOAT32) {
            memcpy(dst, src, m * sizeof(float));
        } else {
            const double *s = src;
            for (size_t j = 0; j < m; j++)
                dst[j] = (float)s[j];
        }
    }
    return CTUNE_OK;
}

ctune_status ctune_data_gather_f64(double *out, size_t ld, const ctune_data *d, const size_t *rows,
                                   size_t n)
{
    CTUNE_TRY(check_gather(d, rows, n, out, ld, __func__));
    size_t m = d->st->n_cols;
    for (size_t i = 0; i < n; i++) {
        const void *src = ctune__data_row_ptr(d, rows ? rows[i] : i);
        double *dst = out + i * ld;
        if (d->affine) {
            if (affine_row_f64(src, d->st->dtype == CTUNE_FLOAT32, m, d->affine, d->affine + m,
                               dst))
                for (size_t j = 0; j < m; j++)
                    dst[j] = ctune__data_affine_x(d, m, j, stored_x(d, src, j));
        } else if (d->st->dtype == CTUNE_FLOAT64) {
            memcpy(dst, src, m * sizeof(double));
        } else {
            const float *s = src;
            for (size_t j = 0; j < m; j++)
                dst[j] = s[j];
        }
    }
    return CTUNE_OK;
}

ctune_status ctune_data_gather_y(double *out, const ctune_data *d, const size_t *rows, size_t n)
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
    double x = d->st->dtype == CTUNE_FLOAT32 ? (double)((const float *)r)[col]
                                             : ((const double *)r)[col];
    return d->affine ? ctune__data_affine_x(d, d->st->n_cols, col, x) : x;
}

double ctune_data_y(const ctune_data *d, size_t row, size_t target)
{
    if (!d || row >= d->n || target >= ctune_data_n_targets(d))
        return NAN;
    return ctune__data_y_at(d, row, target);
}
