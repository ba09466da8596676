/* Internal side of the estimator protocol: the fit context and the hooks
 * that the model-selection executor uses. */
#ifndef CTUNE_ESTIMATOR_ESTIMATOR_H
#define CTUNE_ESTIMATOR_ESTIMATOR_H

#include <stdatomic.h>

#include "ctune.h"

struct ctune_fit_ctx {
    int threads;               /* >= 1 */
    int has_stream;            /* mix `stream` into the seed */
    uint64_t stream;
    const atomic_int *cancel;  /* the job's stop flag; may be NULL */
    const atomic_int *interrupt; /* the caller's cancel request (ctune_search_cancel(),
                                  * ctune_estimator_cancel()); may be NULL */
};

#ifdef CTUNE_TEST_HOOKS
/* Test builds: calls of ctune_fit_ctx_cancelled() so far, in every thread
 * (the cancellation tests count the minibatches and feature scans that
 * run after a cancel). */
extern atomic_size_t ctune__test_fit_polls;
#endif

/* A context with defaults (1 thread, no stream, no cancel flags). */
void ctune__fit_ctx_init(ctune_fit_ctx *ctx);

/* The flag ctune_estimator_cancel() sets, for work on `est` that runs
 * through clones (cross_validate); ..._end clears it when that work ends. */
const atomic_int *ctune__estimator_cancel_flag(const ctune_estimator *est);
void ctune__estimator_cancel_end(const ctune_estimator *est);

/* Fits with an explicit context (NULL = defaults). */
ctune_status ctune__estimator_fit_ctx(ctune_estimator *est, const ctune_data *data,
                                      const ctune_fit_ctx *ctx);

/* The instance pointer of a fitted estimator (NULL when unfitted): for
 * built-in estimators that wrap others (pipelines) and for persistence. */
void *ctune__estimator_self(const ctune_estimator *est);

/* Checks X against the fitted estimator (feature count, finiteness). */
ctune_status ctune__estimator_check_X(const ctune_estimator *est, const ctune_data *X);

/* Persistence (lib/io): makes `est` fitted with a loaded instance, taking
 * ownership of `self` and of `classes` (ctune__malloc'd, n_classes sorted
 * labels, NULL for non-classifiers). Any previous fit is dropped. */
void ctune__estimator_adopt(ctune_estimator *est, void *self, double *classes, size_t n_classes,
                            size_t n_features, size_t n_outputs);

/* Handles that own their vtable and user data (a pipeline keeps a vtable copy
 * whose spec is generated from its steps). `copy` gives a clone its own
 * (vtable, user) pair made from the source's user; `release` frees a user
 * (and the vtable it holds) when its handle is freed. */
typedef struct ctune__owned_ops {
    ctune_status (*copy)(const ctune_estimator_vtable **vt, void **user, const void *src_user);
    void (*release)(void *user);
    /* Optional persistence of the definition, what a handle needs before its
     * params can apply (a pipeline's steps); both or neither (lib/io/persist.c).
     * save_def writes it for the handle whose user data is `user`; load_def
     * makes a new, unfitted handle from it. `like` is a handle with these ops
     * (a fresh one when loading by name): its definition may give the vtables
     * of nested estimators. */
    ctune_status (*save_def)(const void *user, ctune_writer *w);
    ctune_status (*load_def)(ctune_estimator **out, ctune_reader *r, const ctune_estimator *like);
} ctune__owned_ops;

/* ctune_estimator_new() for such a handle. `user` is released with
 * ops->release when this call fails. */
ctune_status ctune__estimator_new_owned(ctune_estimator **out, const ctune_estimator_vtable *vt,
                                        void *user, const ctune__owned_ops *ops);
/* The owned ops of a handle (NULL for ordinary handles). */
const ctune__owned_ops *ctune__estimator_owned_ops(const ctune_estimator *est);

#endif
