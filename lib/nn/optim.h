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
/* Reads optimizer options from `opts`, already checked against
 * CTUNE__OPTIM_SPEC (names, types, ranges). On error `o` is unchanged. */
ctune_status ctune__optim_configure(ctune__optim *o, const ctune_params *opts);
/* The optimizer options of ctune_model_compile(), as ctune_param_spec
 * entries (defaults depend on the optimizer: see ctune__optim_defaults). */
#define CTUNE__OPTIM_SPEC                                                                        \
    {"learning_rate", CTUNE_TYPE_DOUBLE, NULL, "(0, inf)", NULL, "step size"},                   \
        {"momentum", CTUNE_TYPE_DOUBLE, NULL, "[0, 1)", NULL, "SGD / RMSprop momentum"},         \
        {"nesterov", CTUNE_TYPE_BOOL, "false", NULL, NULL, "SGD: Nesterov momentum"},            \
        {"beta_1", CTUNE_TYPE_DOUBLE, NULL, "[0, 1)", NULL, "Adam family: first moment decay"},  \
        {"beta_2", CTUNE_TYPE_DOUBLE, NULL, "[0, 1)", NULL, "Adam family: second moment decay"}, \
        {"epsilon", CTUNE_TYPE_DOUBLE, NULL, "[0, inf)", NULL, "numerical stability term"},      \
        {"amsgrad", CTUNE_TYPE_BOOL, "false", NULL, NULL, "Adam / AdamW: AMSGrad"},              \
        {"rho", CTUNE_TYPE_DOUBLE, NULL, "[0, 1)", NULL, "RMSprop / Adadelta decay"},            \
        {"centered", CTUNE_TYPE_BOOL, "false", NULL, NULL, "RMSprop: centered"},                 \
        {"initial_accumulator_value",    CTUNE_TYPE_DOUBLE, NULL, "[0, inf)", NULL,              \
         "Adagrad: starting accumulator"},                                                       \
        {"weight_decay", CTUNE_TYPE_DOUBLE, NULL, "[0, inf)", NULL, "decoupled weight decay"},   \
        {"clipnorm", CTUNE_TYPE_DOUBLE, "0", "[0, inf)", NULL, "clip each gradient's norm"},     \
        {"clipvalue", CTUNE_TYPE_DOUBLE, "0", "[0, inf)", NULL, "clip each gradient value"},     \
    {                                                                                            \
        "global_clipnorm", CTUNE_TYPE_DOUBLE, "0", "[0, inf)", NULL, "clip the global norm"      \
    }

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
