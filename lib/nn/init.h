/* Weight initializers of the NN engine (Keras' names and formulas). */
#ifndef CTUNE_NN_INIT_H
#define CTUNE_NN_INIT_H

#include <stddef.h>

#include "core/rng.h"

enum {
    CTUNE__INIT_GLOROT_UNIFORM,
    CTUNE__INIT_GLOROT_NORMAL,
    CTUNE__INIT_HE_UNIFORM,
    CTUNE__INIT_HE_NORMAL,
    CTUNE__INIT_LECUN_UNIFORM,
    CTUNE__INIT_LECUN_NORMAL,
    CTUNE__INIT_ZEROS,
    CTUNE__INIT_ONES,
    CTUNE__INIT_COUNT
};

int ctune__init_find(const char *name);
const char *ctune__init_name(int id);
void ctune__init_list(char *buf, size_t cap);
/* Fills w[0..count) for a kernel of fan_in × fan_out. */
void ctune__init_fill(int kind, float *w, size_t count, size_t fan_in, size_t fan_out,
                      ctune_rng *rng);

#endif
