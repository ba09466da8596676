/* Internal layout of data views. A view points at a shared, reference-counted
 * storage (the caller's arrays, or arrays owned by a loader) and optionally at
 * an index list selecting its rows. */
#ifndef CTUNE_CORE_DATA_H
#define CTUNE_CORE_DATA_H

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

struct ctune_data {
    ctune__storage *st;
    size_t n;      /* rows in the view */
    size_t *idx;   /* n storage row indices, or NULL for rows 0..n-1 */
    /* y replacing the storage's (n × t_local, by view row), owned by the
     * view when y_owned != NULL. Used for label codes and derived data. */
    const double *y_local;
    double *y_owned;
    size_t t_local;
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

/* Creates a data over a storage built by a loader (release called when done). */
ctune_status ctune__data_new_storage(ctune_data **out, const ctune__storage *init);

#endif
