/* TPE: the Tree-structured Parzen Estimator sampler (Bergstra et al. 2011)
 * with Optuna's TPESampler defaults and univariate estimators.
 *
 * A sampler proposes parameter sets from the history of evaluated ones:
 * ctune__tpe_propose() is a pure function of the options, the space, the
 * seed and the history (params and value of each trial, in the order they
 * were told), so any process that holds the same history proposes the
 * same points. Searches call it once per synchronous batch; an ask/tell
 * tuner can call it the same way.
 *
 * The rule, per dimension of the space (lists are categorical, uniform and
 * loguniform are floats, loguniform on the log scale, randint is an integer
 * with cells of width 1):
 *  - with fewer than n_startup_trials finite values in the history, every
 *    dimension is drawn uniformly (the startup phase);
 *  - else the n_below = min(ceil(0.1 n), 25) best trials make l(x), the
 *    others g(x): each a mixture of one component per observation plus a
 *    prior component (weight prior_weight), with Optuna's default weights
 *    (older observations ramp down beyond 25). Numerical components are
 *    Gaussians truncated to the range, centred on the observation, with the
 *    larger of the gaps to its sorted neighbours as bandwidth (the outermost
 *    ones use their inner gap unless consider_endpoints), clipped to
 *    [range / min(100, 1 + components), range] (the "magic clip"); the prior
 *    is centred with the whole range as bandwidth. Categorical components
 *    put prior_weight / (n + 1) on every choice and 1 on the observed one.
 *  - n_ei_candidates draws of l(x) are scored by log l(x) - log g(x) and the
 *    best one is proposed.
 * History values are maximized (ctune's scorers) unless minimize is set;
 * NaN values (failed trials) are left out, as Optuna leaves failed trials out.
 * On a space of lists only, a point already evaluated (or proposed earlier in
 * the batch) is never proposed again: it is replaced by the unevaluated grid
 * point with the best summed score, or a random unevaluated point during the
 * startup phase; the caller stops when the grid is exhausted.
 */
#ifndef CTUNE_MODEL_SELECTION_SAMPLER_TPE_H
#define CTUNE_MODEL_SELECTION_SAMPLER_TPE_H

#include <stddef.h>
#include <stdint.h>

#include "ctune.h"

typedef struct ctune__tpe_opts {
    int64_t n_startup_trials; /* 10 */
    int64_t n_ei_candidates;  /* 24 */
    int64_t batch;            /* 1: proposals per synchronous batch (searches) */
    double prior_weight;      /* 1.0 */
    int consider_endpoints;   /* 0 */
    int consider_magic_clip;  /* 1 */
    int minimize;             /* 0: greater values are better */
} ctune__tpe_opts;

/* The options, as a spec (NULL-name-terminated). */
const ctune_param_spec *ctune__tpe_spec(void);

/* Fills `o` from `opts` (may be NULL: defaults) checked against the spec.
 * CTUNE_EINVAL names the offending option. */
ctune_status ctune__tpe_opts_init(ctune__tpe_opts *o, const ctune_params *opts);

/* Checks that TPE can sample `sp`: not NULL nor empty. The message names
 * the option `who` gives the space under (e.g. "--space", "space"). */
ctune_status ctune__tpe_check_space(const ctune_space *sp, const char *who);

/* Proposes k parameter sets into out[0..k) (owned by the caller) from the
 * history hist[0..n_hist) with values val[0..n_hist). On error out[] holds
 * nothing. Errors: CTUNE_EINVAL (NULLs, an empty space, a history entry
 * missing a parameter or holding a value outside its dimension, naming the
 * trial and parameter; a space of lists with fewer than n_hist + k
 * unevaluated points), CTUNE_ENOMEM. */
ctune_status ctune__tpe_propose(const ctune__tpe_opts *o, const ctune_space *sp, uint64_t seed,
                                ctune_params *const *hist, const double *val, size_t n_hist,
                                size_t k, ctune_params **out);

#endif
