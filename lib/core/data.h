/* Internal layout of data views. A view points at a shared, reference-counted
 * storage (the caller's arrays, or arrays owned by a loader) and optionally at
 * an index list selecting its rows. */
#ifndef CTUNE_CORE_DATA_H
#define CTUNE_CORE_DATA_H

#include <math.h>
#include <stdatomic.h>
#include <stddef.h>

#include "ctune.h"

typedef struct ctune__storage {
    atomic_int refs;
    const void *X;
    int dtype;
    size_t n_rows, n_cols, stride; /* stride in elements */
    const double *y;               /* n_rows × n_targets or NULL */
    size_t n_targets;
    /* Optional ownership: called once when the last view goes away. */
    void (*release)(void *ctx);
    void *release_ctx;
    /* Optional names (owned through release_ctx; may be NULL). */
    const char *const *feature_names; /* n_cols entries */
    const char *const *class_names;   /* n_class_names entries: label code i -> name */
    size_t n_class_names;
} ctune__storage;

/* The largest |x| of each column of a stored X among some of its rows (a
 * NaN when one was NaN), found by the validation of one public call
 * (ctune__data_validate_absmax()) and attached to the views that call
 * makes of those rows; reference counted, kept by their derived views of
 * the same X. Lets an affine view of them know its checks without a pass
 * (ctune__data_affine()). */
typedef struct ctune__col_absmax {
    atomic_int refs;
    size_t m;
    double v[];
} ctune__col_absmax;

/* The column moments of a view's rows, found once for the views that share
 * this slot (ctune__data_col_moments()): reference counted; `v` is NULL
 * until the first reader stores them (3 × n_cols: running means, centred
 * sums of squares, largest |x|). Concurrent readers may both compute
 * them: the first to store wins, the values are the same. */
typedef struct ctune__moments_slot {
    atomic_int refs;
    _Atomic(double *) v;
} ctune__moments_slot;

/* A row index list shared by the views of the same rows (reference
 * counted: a view relabelling y or mapping X keeps its source's list). */
typedef struct ctune__idx_block {
    atomic_int refs;
    size_t v[];
} ctune__idx_block;

struct ctune_data {
    ctune__storage *st;
    size_t n;    /* rows in the view */
    size_t *idx; /* n storage row indices (idx_block->v), or NULL for rows 0..n-1 */
    ctune__idx_block *idx_block;
    /* y replacing the storage's (n × t_local, by view row), owned by the
     * view when y_owned != NULL. Used for label codes and derived data. */
    const double *y_local;
    double *y_owned;
    size_t t_local;
    /* Optional per-column affine map applied by every reader of X (the
     * gathers, ctune_data_x, validation): x' = (x - shift[j]) / scale[j],
     * computed in double as a StandardScaler transforms. One owned block of
     * 2 × n_cols (shift, then scale), or NULL. Code that reads rows through
     * ctune__data_row_ptr() sees the stored values: it must take
     * ctune__data_plain() of a view first. */
    double *affine;
    /* Set on views made inside one public call after that call validated
     * their source (never on the caller's views): validation is skipped. */
    int trusted;
    /* Affine views only (made inside one library call, used on its thread):
     * what the checks below found of its X, so that the fit, the predict
     * and the network's own check of the same view do not read it again.
     * 0 nothing yet; 1 every value finite; 2 also within float32's range.
     * Kept by derived views (the same X and map, some of its rows). */
    int x_checked;
    /* The class table of a search's data (see ctune__class_table), kept by
     * the views derived from this one; NULL when none. A reference. */
    struct ctune__class_table *class_table;
    /* The largest stored |x| per column over a superset of this view's
     * rows, found in this call (see ctune__col_absmax); NULL when unknown.
     * A reference. */
    ctune__col_absmax *absmax;
    /* Shared by the views of the same rows of the same stored X made in
     * this call (the search's train views and those derived from them
     * without changing rows or values): see ctune__moments_slot. NULL when
     * none. A reference. */
    ctune__moments_slot *moments;
};

static inline size_t ctune__data_row_index(const ctune_data *d, size_t i)
{
    return d->idx ? d->idx[i] : i;
}

static inline const void *ctune__data_row_ptr(const ctune_data *d, size_t i)
{
    size_t r = ctune__data_row_index(d, i);
    size_t es = d->st->dtype == CTUNE_FLOAT32 ? sizeof(float) : sizeof(double);
    return (const char *)d->st->X + r * d->st->stride * es;
}

/* x' of a stored value x in column j of an affine view (see `affine`). A
 * difference that overflows is computed as x / scale - shift / scale. */
static inline double ctune__data_affine_x(const ctune_data *d, size_t n_cols, size_t j, double x)
{
    double sh = d->affine[j], sc = d->affine[n_cols + j];
    double v = (x - sh) / sc;
    if (__builtin_expect(isinf(v), 0) && isfinite(x))
        v = x / sc - sh / sc;
    return v;
}

/* y value of view row i, target t (the caller checks that y exists). */
static inline double ctune__data_y_at(const ctune_data *d, size_t i, size_t t)
{
    if (d->y_local)
        return d->y_local[i * d->t_local + t];
    return d->st->y[ctune__data_row_index(d, i) * d->st->n_targets + t];
}

/* A view of the same rows as `src` whose y is `y` (n_rows × n_targets,
 * indexed by view row). With take_ownership the view frees `y` (allocated by
 * ctune__malloc) when released, including on failure. */
ctune_status ctune__data_with_y(ctune_data **out, const ctune_data *src, double *y,
                                size_t n_targets, int take_ownership);

/* Wraps arrays allocated with ctune__malloc that the new data owns
 * (freed with it, including on failure). y may be NULL. */
ctune_status ctune__data_new_owned(ctune_data **out, void *X, int dtype, size_t n_rows,
                                   size_t n_cols, double *y, size_t n_targets);

/* A view of the rows (and y) of `src` whose X reads as (x - shift[j]) /
 * scale[j] (scale[j] != 0): a transformer's output without a copy of the
 * data. `src` must not itself be affine (use ctune__data_plain() first).
 * Never trusted: a finite map of finite values can overflow; but known to
 * be checked when `src` carries column maxima (absmax) within the map's
 * bounds (ctune__data_affine_known()). */
ctune_status ctune__data_affine(ctune_data **out, const ctune_data *src, const double *shift,
                                const double *scale);

/* Marks the affine view `d` as checked (finite, within float32's range)
 * when absmax[j], the largest stored |x| of column j among its rows (found
 * by whoever read them all), is within every column's bound; else leaves
 * it to be checked. */
void ctune__data_affine_known(ctune_data *d, const double *absmax);

/* `d` itself when it reads its stored rows as they are (*owned = NULL);
 * for an affine view, a float64 copy of its transformed X with its y
 * (*owned = the copy, to free). For code that walks rows with
 * ctune__data_row_ptr(). */
ctune_status ctune__data_plain(const ctune_data *d, ctune_data **owned, const ctune_data **use);

/* ctune_data_validate() of X alone (y is not looked at). */
ctune_status ctune__data_validate_x(const ctune_data *d);

/* Finds the first value of X, as the view reads it, that is not finite or,
 * with `flt`, beyond float32's range: returns 1 and sets *row, *col and
 * *val, or 0 when there is none. One pass; an affine view compares stored
 * values with a per-column bound and divides only beyond it. */
int ctune__data_find_bad(const ctune_data *d, int flt, size_t *row, size_t *col, double *val);

/* Drops one reference to a storage (the last one releases it). */
void ctune__storage_release(ctune__storage *st);

/* A view of the rows of `src` (its row list, affine map, trust and class
 * table) over another storage `st` of as many rows (X and y read from
 * `st`); its column maxima and moments slot only when `st` holds the same
 * stored X. Takes a reference to `st`. */
ctune_status ctune__data_view_on(ctune_data **out, ctune__storage *st, const ctune_data *src);

/* ---- class tables ------------------------------------------------------------
 *
 * A classifier's fit finds the sorted distinct labels of its rows (its
 * classes) and fits on a view whose y holds each row's class code. A
 * search fits many classifiers on views of the same data: it builds the
 * class table of that data once (the classes of all its rows, and the code
 * of each row in a storage of its own over the same X) and attaches it to
 * the views it makes. A fit on a view that carries a table and holds every
 * class of it takes its classes and codes from the table (the very values
 * it would find itself); any other fit finds them as before. Nested fits
 * (a Pipeline's last step) get the table of the codes themselves. */
typedef struct ctune__class_table ctune__class_table;

/* The class table of the labels of `d` (its y, one target): *out is NULL
 * (and CTUNE_OK) when there is none to make: no y from a storage, or a
 * label that is not an integer value (the fits then report it). */
ctune_status ctune__class_table_new(ctune__class_table **out, const ctune_data *d);
void ctune__class_table_release(ctune__class_table *t); /* NULL: nothing */
/* Attaches `t` (a new reference; NULL detaches) to the view `d`. */
void ctune__data_set_class_table(ctune_data *d, ctune__class_table *t);
/* For a classifier's fit on `d`: when its table covers its rows and all
 * of its classes occur among them, *classes (k sorted labels, to free)
 * and *coded (a view of `d` whose y holds the codes) are set and *used is
 * 1; else *used is 0 and nothing is set. */
ctune_status ctune__data_classes_from_table(const ctune_data *d, double **classes, size_t *k,
                                            ctune_data **coded, int *used);

/* ctune_data_validate() of `d` that also finds, in the same pass over X,
 * the largest |x| of each column among its rows: *out (a new reference, to
 * release) or NULL when `d` is an affine view (its X is not stored) or
 * trusted (validated earlier, nothing read). */
ctune_status ctune__data_validate_absmax(const ctune_data *d, ctune__col_absmax **out);
void ctune__col_absmax_release(ctune__col_absmax *a); /* NULL: nothing */
/* Attaches `a` (a new reference; NULL detaches) to the view `d`, whose
 * rows must be among those `a` was found on. */
void ctune__data_set_absmax(ctune_data *d, ctune__col_absmax *a);

/* Gives the view `d` (made in this call, whose X does not change while it
 * lives) an empty moments slot, shared with the views derived from it that
 * read the same rows as stored (ctune__data_with_y(), ctune__data_view_on()). */
ctune_status ctune__data_share_moments(ctune_data *d);

/* The moments of the columns of `d` (not affine) over its rows as stored,
 * in one streaming pass in row order (Welford): mean[j], the running mean;
 * m2[j], the centred sum of squares; absmax[j], the largest |x| (NaN when
 * one was NaN). Each array has n_cols entries. Read from the view's slot
 * when a view sharing it found them already (then no pass at all), else
 * found and stored there. */
ctune_status ctune__data_col_moments(const ctune_data *d, double *mean, double *m2, double *absmax);

/* The class codes of the rows of `d` from its class table (a splitter's
 * stratification): when the table covers `d` and all of its k classes
 * occur among d's rows, codes[i] (n rows) is the code of row i (the rank
 * of its label among the sorted classes), *k is set and *used is 1; else
 * *used is 0 (codes may have been written; the caller sorts the labels
 * itself). */
ctune_status ctune__data_class_codes(const ctune_data *d, size_t *codes, size_t *k, int *used);

/* Marks a view that its maker validated in this public call. */
static inline void ctune__data_trust(ctune_data *d) { d->trusted = 1; }

/* Creates a data over a storage built by a loader (release called when done). */
ctune_status ctune__data_new_storage(ctune_data **out, const ctune__storage *init);

#endif
