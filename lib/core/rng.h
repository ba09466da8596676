/* Internal view of the RNG so library code can keep generators on the stack. */
#ifndef CTUNE_CORE_RNG_H
#define CTUNE_CORE_RNG_H

#include <stdint.h>

#include "ctune.h"

struct ctune_rng {
    uint64_t s[4];
    double spare; /* second normal deviate of the polar method */
    int has_spare;
};

/* Seeds `rng` for stream `stream` of `seed` (same as ctune_rng_new). */
void ctune__rng_init(ctune_rng *rng, uint64_t seed, uint64_t stream);
/* Fisher–Yates shuffle of idx[0..n). */
void ctune__rng_shuffle_size(ctune_rng *rng, size_t *idx, size_t n);

#endif
