/* Losses and metrics of the NN engine. */
#ifndef CTUNE_NN_LOSS_H
#define CTUNE_NN_LOSS_H

#include <stddef.h>

enum {
    CTUNE__LOSS_BCE,   /* binary_crossentropy */
    CTUNE__LOSS_CCE,   /* categorical_crossentropy */
    CTUNE__LOSS_SCCE,  /* sparse_categorical_crossentropy */
    CTUNE__LOSS_MSE,   /* mean_squared_error */
    CTUNE__LOSS_MAE,   /* mean_absolute_error */
    CTUNE__LOSS_HUBER, /* huber, delta 1 */
    CTUNE__LOSS_COUNT
};

enum {
    CTUNE__MET_ACCURACY, /* resolved at fit to one of the three below */
    CTUNE__MET_BINARY_ACCURACY,
    CTUNE__MET_CATEGORICAL_ACCURACY,
    CTUNE__MET_SPARSE_CATEGORICAL_ACCURACY,
    CTUNE__MET_MSE,
    CTUNE__MET_MAE,
    CTUNE__MET_COUNT
};

/* Clipping of probabilities in the non-fused cross-entropies (Keras' epsilon). */
#define CTUNE__PROB_EPS 1e-7

int ctune__loss_find(const char *name);
const char *ctune__loss_name(int id);
void ctune__loss_list(char *buf, size_t cap);
int ctune__metric_find(const char *name);
const char *ctune__metric_name(int id);
void ctune__metric_list(char *buf, size_t cap);
/* Resolves "accuracy" for a loss and output width, as Keras does. */
int ctune__metric_resolve(int metric, int loss, size_t units);

/* How a batch is scored: the loss, the output activation and width, and
 * whether y holds class codes (one column) rather than rows of targets. */
typedef struct ctune__loss_ctx {
    int loss;
    int out_act;
    size_t units;
    int codes;
} ctune__loss_ctx;

/* 1 when the loss gradient is taken with respect to the logits z (softmax +
 * cross-entropy, sigmoid + binary cross-entropy), 0 when with respect to the
 * output a (then the activation's backward pass follows). */
int ctune__loss_fused(const ctune__loss_ctx *c);

/* Sum over the `rows` samples of the per-sample loss (a sum over units for
 * the categorical cross-entropies, a mean over units for the others), from
 * the logits z and outputs a (rows × units) and the targets y (rows × 1
 * codes or rows × units). When g is not NULL, writes the gradient of
 * (that sum / grad_rows) into g (rows × units): with respect to z when
 * fused, else with respect to a. */
double ctune__loss_batch(const ctune__loss_ctx *c, const float *z, const float *a, const float *y,
                         size_t rows, float *g, size_t grad_rows);

/* Sum over rows of a per-sample metric (accuracy: 0/1 or the fraction of
 * matching units for binary_accuracy; mse/mae: mean over units). `metric`
 * must be resolved. */
double ctune__metric_batch(int metric, const ctune__loss_ctx *c, const float *a, const float *y,
                           size_t rows);

#endif
