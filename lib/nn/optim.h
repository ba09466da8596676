/* Optimizers of the NN engine: Keras 3's update rules and defaults. */
#ifndef CTUNE_NN_OPTIM_H
#define CTUNE_NN_OPTIM_H

#include <stddef.h>
#include <stdint.h>

#include "ctune.h"

enum {
    CTUNE__OPT_SGD,
    CTUNE__OPT_ADAM,
    CTUNE__OPT_ADAMW,
    CTUNE__OPT_RMSPROP,
    CTUNE__OPT_ADAGRAD,
    CTUNE__OPT_ADADELTA,
    CTUNE__OPT_ADAMAX,
    CTUNE__OPT_NADAM,
    CTUNE__OPT_COUNT
};

typedef struct ctune__optim {
    int kind;
    double learning_rate, momentum, beta_1, beta_2, epsilon, rho, initial_accumulator_value;
    double weight_decay, clipnorm, clipvalue, global_clipnorm;
    int nesterov, amsgrad, centered;
    /* State: steps taken, Nadam's running product, slot arrays of n floats. */
    int64_t iterations;
    double u_product;
    float *slots;
    size_t n_slots, n;
} ctune__optim;

int ctune__optim_find(const char *name);
const char *ctune__optim_name(int id);
void ctune__optim_list(char *buf, size_t cap);

/* Sets kind and Keras' defaults (no state). */
void ctune__optim_defaults(ctune__optim *o, int kind);
/* Reads optimizer options from `opts` (names listed in CTUNE__OPTIM_KEYS),
 * validating ranges. On error `o` is unchanged. */
ctune_status ctune__optim_configure(ctune__optim *o, const ctune_params *opts);
#define CTUNE__OPTIM_KEYS                                                                  \
    "learning_rate", "momentum", "nesterov", "beta_1", "beta_2", "epsilon", "amsgrad", "rho", \
        "centered", "initial_accumulator_value", "weight_decay", "clipnorm", "clipvalue",    \
        "global_clipnorm"

/* Allocates the state for n weights if not yet done (zeroed; Adagrad's
 * accumulator at its initial value). */
ctune_status ctune__optim_prepare(ctune__optim *o, size_t n);
/* Frees the state and resets the step count. */
void ctune__optim_reset(ctune__optim *o);

/* One update of w[0..n) with gradient g (clipped in place first). The
 * weights are split in variables by seg[0] = 0 < seg[1] < ... < seg[n_seg]
 * = n (clipnorm applies per variable, as Keras). */
void ctune__optim_step(ctune__optim *o, float *w, float *g, const size_t *seg, size_t n_seg);
/* The same step with the elementwise update split among the threads of
 * `pool` (NULL: the caller alone); the weights are the same bit for bit. */
struct ctune__nn_pool;
void ctune__optim_step_on(ctune__optim *o, struct ctune__nn_pool *pool, float *w, float *g,
                          const size_t *seg, size_t n_seg);

#endif
