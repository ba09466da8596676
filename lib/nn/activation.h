/* Activation functions of the NN engine (forward fused with the bias). */
#ifndef CTUNE_NN_ACTIVATION_H
#define CTUNE_NN_ACTIVATION_H

#include <stddef.h>

enum {
    CTUNE__ACT_LINEAR,
    CTUNE__ACT_RELU,
    CTUNE__ACT_LEAKY_RELU,
    CTUNE__ACT_ELU,
    CTUNE__ACT_SELU,
    CTUNE__ACT_TANH,
    CTUNE__ACT_SIGMOID,
    CTUNE__ACT_HARD_SIGMOID,
    CTUNE__ACT_SOFTPLUS,
    CTUNE__ACT_SOFTSIGN,
    CTUNE__ACT_SWISH,
    CTUNE__ACT_GELU,
    CTUNE__ACT_SOFTMAX,
    CTUNE__ACT_COUNT
};

/* Constants, as Keras 3 defines them. */
#define CTUNE__LEAKY_SLOPE 0.2
#define CTUNE__ELU_ALPHA 1.0
#define CTUNE__SELU_ALPHA 1.6732632423543772848170429916717
#define CTUNE__SELU_SCALE 1.0507009873554804934193349852946

/* Id of `name` (case-insensitive; "silu" is swish), or -1. */
int ctune__act_find(const char *name);
/* Canonical name of id (static). */
const char *ctune__act_name(int id);
/* Writes "linear, relu, ..." into buf. */
void ctune__act_list(char *buf, size_t cap);

/* Fused bias + activation over rows × u (contiguous rows): z += b (b may be
 * NULL), a = f(z). a may alias z only for linear. */
void ctune__act_forward(int act, float *z, float *a, size_t rows, size_t u, const float *b);
/* In place: g := g ⊙ f'(z) (for softmax the Jacobian-vector product),
 * from the pre-activation z and the output a of the forward pass. */
void ctune__act_backward(int act, const float *z, const float *a, float *g, size_t rows, size_t u);
/* 1 when the backward pass needs z (else only a is read). */
int ctune__act_needs_z(int act);

#endif
