/* Initializers: Keras' VarianceScaling family (uniform and truncated normal),
 * zeros and ones. */
#include "nn/init.h"

#include <math.h>

#include "ctune.h"

#include "nn/names.h"

static const ctune__name NAMES[] = {
    {"glorot_uniform", NULL, CTUNE__INIT_GLOROT_UNIFORM},
    {"glorot_normal", NULL, CTUNE__INIT_GLOROT_NORMAL},
    {"he_uniform", NULL, CTUNE__INIT_HE_UNIFORM},
    {"he_normal", NULL, CTUNE__INIT_HE_NORMAL},
    {"lecun_uniform", NULL, CTUNE__INIT_LECUN_UNIFORM},
    {"lecun_normal", NULL, CTUNE__INIT_LECUN_NORMAL},
    {"zeros", NULL, CTUNE__INIT_ZEROS},
    {"ones", NULL, CTUNE__INIT_ONES},
};
#define N_NAMES (sizeof NAMES / sizeof NAMES[0])

int ctune__init_find(const char *name) { return ctune__name_find(NAMES, N_NAMES, name); }
const char *ctune__init_name(int id)
{
    return id >= 0 && (size_t)id < N_NAMES ? NAMES[id].name : NULL;
}
void ctune__init_list(char *buf, size_t cap) { ctune__name_list(NAMES, N_NAMES, buf, cap); }
const char *ctune_nn_initializer_name(size_t i) { return i < N_NAMES ? NAMES[i].name : NULL; }

/* Keras' truncated normal: resample outside two standard deviations; the
 * stddev is divided by 0.8796... so the truncated variance is scale / fan. */
static double truncated_normal(ctune_rng *rng)
{
    for (;;) {
        double x = ctune_rng_normal(rng);
        if (fabs(x) <= 2.0)
            return x;
    }
}

void ctune__init_fill(int kind, float *w, size_t count, size_t fan_in, size_t fan_out,
                      ctune_rng *rng)
{
    double fan, scale = 1.0;
    int normal = 0;
    switch (kind) {
    case CTUNE__INIT_ZEROS:
    case CTUNE__INIT_ONES:
        for (size_t i = 0; i < count; i++)
            w[i] = kind == CTUNE__INIT_ONES ? 1.0f : 0.0f;
        return;
    case CTUNE__INIT_GLOROT_NORMAL:
        normal = 1;
        /* fall through */
    case CTUNE__INIT_GLOROT_UNIFORM: fan = 0.5 * (double)(fan_in + fan_out); break;
    case CTUNE__INIT_HE_NORMAL:
        normal = 1;
        /* fall through */
    case CTUNE__INIT_HE_UNIFORM:
        fan = (double)fan_in;
        scale = 2.0;
        break;
    case CTUNE__INIT_LECUN_NORMAL:
        normal = 1;
        /* fall through */
    default: fan = (double)fan_in; break;
    }
    if (fan < 1.0)
        fan = 1.0;
    if (normal) {
        double sd = sqrt(scale / fan) / 0.87962566103423978;
        for (size_t i = 0; i < count; i++)
            w[i] = (float)(sd * truncated_normal(rng));
    } else {
        double limit = sqrt(3.0 * scale / fan);
        for (size_t i = 0; i < count; i++)
            w[i] = (float)(limit * (2.0 * ctune_rng_uniform(rng) - 1.0));
    }
}
