/* Pruners: whether a trial should stop, from its intermediate values.
 *
 * A pure decision module. It takes the intermediate values of the trial
 * being decided and a table of trials it is compared with, and says prune
 * or keep; it keeps no state and calls no estimator. Which trials are in the
 * table is the caller's decision, and the caller keeps results reproducible
 * by passing only trials whose values are fixed given the seed: trials of
 * lower index that it has waited for, or the trials of the same synchronous
 * rung. The rules are Optuna's (3.x) for the same names and defaults:
 *
 *   none    never prunes.
 *   median  Optuna's MedianPruner: from the n_startup_trials-th complete
 *           trial of the table on, at steps >= n_warmup_steps that start an
 *           interval of interval_steps, prunes when the trial's best value so
 *           far (NaNs skipped) is worse than the median, over the complete
 *           trials that reported this very step, of their value at it (NaNs
 *           skipped). A trial whose values are all NaN is pruned.
 *   sha     Optuna's SuccessiveHalvingPruner: rung r sits at step
 *           min_resource * reduction_factor^(min_early_stopping_rate + r).
 *           Crossing a rung records the trial's current value there; it goes
 *           on only when that value is within the best
 *           max(1, floor(n / reduction_factor)) of the n values recorded at
 *           the rung (its own and the table's; a table trial's value at a rung
 *           is its first value at or after the rung's step). A NaN at a rung
 *           prunes. min_resource "auto" is not offered: it depends on the
 *           order in which trials complete.
 *
 * Scores are maximized by default (ctune's scorers: greater is better);
 * `direction=minimize` turns every comparison around, as Optuna's study
 * direction does. The caller reports a pruned trial no further, so a table
 * trial that stopped at a rung is one that was pruned there.
 */
#ifndef CTUNE_MODEL_SELECTION_PRUNER_H
#define CTUNE_MODEL_SELECTION_PRUNER_H

#include <stddef.h>
#include <stdint.h>

#include "ctune.h"

typedef enum ctune__pruner_kind {
    CTUNE__PRUNER_NONE = 0,
    CTUNE__PRUNER_MEDIAN,
    CTUNE__PRUNER_SHA
} ctune__pruner_kind;

/* A pruner's settings, filled by ctune__pruner_init(). */
typedef struct ctune__pruner {
    ctune__pruner_kind kind;
    int minimize; /* 0: greater values are better */
    /* median */
    int64_t n_startup_trials, n_warmup_steps, interval_steps;
    /* sha */
    int64_t min_resource, reduction_factor, min_early_stopping_rate, bootstrap_count;
} ctune__pruner;

/* The intermediate values of one trial: n (step, value) pairs, steps strictly
 * increasing and >= 0 (the caller's epochs). `complete` is non-zero for a trial
 * that finished without being pruned. */
typedef struct ctune__pruner_trial {
    const int64_t *steps;
    const double *values;
    size_t n;
    int complete;
} ctune__pruner_trial;

/* The options each pruner accepts, as a spec (NULL-name-terminated), or NULL
 * for an unknown name. Names: "none", "median", "sha". */
const ctune_param_spec *ctune__pruner_spec(const char *name);

/* Fills `pr` for the pruner `name` with `opts` (may be NULL: all defaults)
 * checked against its spec. CTUNE_EINVAL names an unknown pruner (with the
 * known ones) or the offending option. */
ctune_status ctune__pruner_init(ctune__pruner *pr, const char *name, const ctune_params *opts);

/* Decides whether `trial` should stop after its last reported step, against
 * the n_others trials of `others` (the trial itself is not among them).
 * *prune receives 1 to prune, 0 to go on. CTUNE_EINVAL for NULLs or steps
 * that are negative or not increasing (naming the trial and step). */
ctune_status ctune__pruner_decide(const ctune__pruner *pr, const ctune__pruner_trial *trial,
                                  const ctune__pruner_trial *others, size_t n_others, int *prune);

#endif
