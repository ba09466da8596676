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

#endif
