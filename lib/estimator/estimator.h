/* Internal side of the estimator protocol: the fit context and the hooks
 * that the model-selection executor uses. */
#ifndef CTUNE_ESTIMATOR_ESTIMATOR_H
#define CTUNE_ESTIMATOR_ESTIMATOR_H

#include <stdatomic.h>

#include "core/alloc.h"
#include "ctune.h"

struct ctune_fit_ctx {
    int threads;    /* >= 1 */
    int has_stream; /* mix `stream` into the seed */
    uint64_t stream;
    const atomic_int *cancel;    /* the job's stop flag; may be NULL */
    const atomic_int *interrupt; /* the caller's cancel request (ctune_search_cancel(),
                                  * ctune_estimator_cancel()); may be NULL */
    ctune__scratch *scratch;     /* the running worker's reusable block (core/alloc.h),
                                  * or NULL */
};

#ifdef CTUNE_TEST_HOOKS
/* Test builds: calls of ctune_fit_ctx_cancelled() so far, in every thread
 * (the cancellation tests count the minibatches and feature scans that
 * run after a cancel). */
extern atomic_size_t ctune__test_fit_polls;
/* Test builds: when set, the next ctune_fit_ctx_cancelled() (in a fit that
 * runs) kills the process with SIGKILL; the study's kill-and-resume test
 * uses it to die in the middle of the refit. */
extern atomic_int ctune__test_kill_at_poll;
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

/* ctune_estimator_fit_warm() with an explicit context (NULL = defaults):
 * merges `params` (may be NULL) into the handle's, continues the fit
 * through the vtable's fit_more when it can, else fits from scratch. */
ctune_status ctune__estimator_fit_warm_ctx(ctune_estimator *est, const ctune_data *data,
                                           const ctune_params *params, const ctune_fit_ctx *ctx,
                                           int *continued);

/* Only the continuation of ctune__estimator_fit_warm_ctx(): continues the
 * fit through the vtable's fit_more with `params` (may be NULL) merged into
 * the handle's. CTUNE_EUNSUPPORTED, with the handle unchanged (params and
 * fit), when it cannot continue exactly (unfitted, no fit_more, other data
 * shape or classes, or fit_more declines); CTUNE_EINVAL for params the spec
 * rejects (unchanged too); another failure drops the fit and keeps the
 * merged params, as fit_warm does. For estimators that wrap others (a
 * Pipeline's fit_more continues its last step). */
ctune_status ctune__estimator_continue_ctx(ctune_estimator *est, const ctune_data *data,
                                           const ctune_params *params, const ctune_fit_ctx *ctx);

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

/* Makes `est` use `vt` and `user` from now on, adopting one reference to
 * `user` (with vt->user_retain) and releasing its previous one. For
 * estimators whose user data is shared by clones and copied before a change
 * (a pipeline adding a step to a definition that other handles share). The
 * params must still fit the new vtable's spec; the fitted state is kept. */
void ctune__estimator_rebind(ctune_estimator *est, const ctune_estimator_vtable *vt, void *user);

/* The definition hooks of a vtable (version >= 2, both set), else 0. */
int ctune__vtable_has_definition(const ctune_estimator_vtable *vt);

#endif
