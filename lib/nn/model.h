/* Internal layout of ctune_model and the passes shared by fit, predict and
 * evaluate. */
#ifndef CTUNE_NN_MODEL_H
#define CTUNE_NN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "ctune.h"
#include "nn/loss.h"
#include "nn/optim.h"

#define CTUNE__NN_MAX_METRICS 4
#define CTUNE__NN_NAME_CAP 48
#define CTUNE__NN_MAX_KEYS (2 * (1 + CTUNE__NN_MAX_METRICS))

enum { CTUNE__LAYER_DENSE = 1, CTUNE__LAYER_DROPOUT = 2 };

typedef struct ctune__layer {
    int kind;
    size_t units; /* output width (Dropout: its input width, known once built) */
    size_t in;    /* input width, once built */
    /* Dense */
    int act, kinit, binit, use_bias;
    double l1, l2;
    size_t w_off, b_off; /* offsets of the kernel and bias in params */
    /* Dropout */
    double rate;
} ctune__layer;

struct ctune_model {
    ctune__layer *layers;
    size_t n_layers, cap_layers;
    size_t input_dim; /* 0 until built */
    float *params;
    size_t n_params;
    size_t *seg; /* variable boundaries in params (n_seg + 1) */
    size_t n_seg;
    size_t max_width; /* widest layer input or output */

    int compiled;
    int loss;
    ctune__optim opt;
    int n_metrics;
    int metrics[CTUNE__NN_MAX_METRICS];
    char metric_names[CTUNE__NN_MAX_METRICS][CTUNE__NN_NAME_CAP];

    uint64_t seed;
    ctune_rng shuffle_rng, dropout_rng;
    int threads;
    /* Training steps of the last fit split among threads / run alone
     * (benchmarks: the pool's choice). */
    int64_t fit_split_steps, fit_alone_steps;

    /* History of the last fit: hist[key * hist_cap + epoch]. */
    double *hist;
    size_t hist_len, hist_cap, n_keys;
    char keys[CTUNE__NN_MAX_KEYS][CTUNE__NN_NAME_CAP + 4];

    /* The fit context of the estimator fitting this model, polled for
     * cancellation before every minibatch; NULL outside such a fit. */
    const ctune_fit_ctx *fit_ctx;
};

/* Buffers of one fit/predict/evaluate call, sized for `cap` rows and
 * allocated in one block: nothing is allocated per batch. */
typedef struct ctune__ws {
    struct ctune__nn_pool *pool; /* the call's threads (NULL: one thread) */
    void *block;
    size_t cap;
    float *x;          /* cap × input_dim */
    float *y;          /* cap × y width */
    float *g0, *g1;    /* cap × max_width: gradient ping-pong */
    float *grads;      /* n_params (training only) */
    float **z, **a;    /* per layer: pre-activation, output (Dense); mask, output (Dropout) */
    const float **out; /* per layer: the output of the last forward pass */
    void *ptrs;        /* the pointer arrays (one block) */
} ctune__ws;

/* *out = a · b (ctune__size_add: a + b); 0 when it overflows size_t. Every
 * size computed from a caller's number (units, rows, epochs) goes through
 * these. */
static inline int ctune__size_mul(size_t a, size_t b, size_t *out)
{
    if (b && a > SIZE_MAX / b)
        return 0;
    *out = a * b;
    return 1;
}
static inline int ctune__size_add(size_t a, size_t b, size_t *out)
{
    if (a > SIZE_MAX - b)
        return 0;
    *out = a + b;
    return 1;
}

/* Index of the last Dense layer, or -1. */
long ctune__model_last_dense(const ctune_model *m);
/* Builds (allocates and initializes params) for input_dim. */
ctune_status ctune__model_build(ctune_model *m, size_t input_dim);
/* The loss context of the compiled model for targets of width y_cols. */
ctune__loss_ctx ctune__model_loss_ctx(const ctune_model *m, size_t y_cols);

/* Checks a labelled data against the compiled, built model: y width and
 * values (labels within the output layer), finiteness. `what` names the data
 * in messages ("fit", "validation data", "evaluate"). */
ctune_status ctune__check_xy(const ctune_model *m, const ctune_data *d, const char *what);
/* Checks X's width and finiteness. */
ctune_status ctune__check_x(const ctune_model *m, const ctune_data *d, const char *what);

ctune_status ctune__ws_alloc(ctune__ws *ws, const ctune_model *m, size_t cap, size_t y_cols,
                             int training);
void ctune__ws_free(ctune__ws *ws);

/* Gathers rows idx[0..rows) of d (NULL idx: rows start..start+rows) into
 * ws->x (and ws->y when with_y, as floats: codes or targets). */
ctune_status ctune__ws_gather(ctune__ws *ws, const ctune_model *m, const ctune_data *d,
                              const size_t *idx, size_t start, size_t rows, int with_y);
/* Forward pass over ws->x (rows); training turns dropout on. Returns the
 * output layer's activations (rows × n_outputs) and logits via *z_out. */
const float *ctune__forward(ctune_model *m, ctune__ws *ws, size_t rows, int training,
                            const float **z_out);
/* Backward pass after a training forward pass; g0 holds the loss gradient.
 * Fills ws->grads (including regularization) and returns the regularization
 * loss at the current weights. */
double ctune__backward(ctune_model *m, ctune__ws *ws, size_t rows, int fused);
/* Regularization loss at the current weights. */
double ctune__reg_loss(const ctune_model *m);

/* Loss sum (without regularization) and metric sums over all rows of d,
 * in inference mode, in chunks of ws->cap rows. metric_sums may be NULL. */
ctune_status ctune__evaluate_ws(ctune_model *m, ctune__ws *ws, const ctune_data *d, size_t start,
                                size_t count, double *loss_sum, double *metric_sums);

/* White-box hook for gradient checks: loss (mean, with regularization) and
 * gradient over all rows of d as one batch, at the current weights, in
 * training mode when `training` (dropout masks drawn from the model's
 * stream and copied to masks when not NULL: per Dropout layer, rows × units,
 * concatenated; 1/(1-rate) or 0). grad has n_params floats. */
ctune_status ctune__nn_loss_grad(ctune_model *m, const ctune_data *d, int training, double *loss,
                                 float *grad, float *masks);

/* Parses options text against `spec` with the one options parser
 * (ctune_params_parse_spec); `what` names the call. *out NULL when text is
 * NULL or empty. */
ctune_status ctune__nn_options(ctune_params **out, const char *text, const ctune_param_spec *spec,
                               const char *what);

#endif
