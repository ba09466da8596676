/* What the layers above the NN engine (the Keras estimator family) may ask
 * of a model beyond the public API; they never read struct ctune_model. */
#ifndef CTUNE_NN_NN_H
#define CTUNE_NN_NN_H

#include <stddef.h>
#include <stdint.h>

#include "ctune.h"

/* Weights the model would have once built for `input_dim` inputs, counted
 * from its layers without allocating; UINT64_MAX when above `limit`. */
uint64_t ctune__model_planned_params(const ctune_model *m, size_t input_dim, uint64_t limit);

/* The fit context the model's next fits poll for cancellation, once per
 * minibatch (NULL: none). Borrowed: the caller clears it before `ctx` ends. */
void ctune__model_set_fit_ctx(ctune_model *m, const ctune_fit_ctx *ctx);

#endif
