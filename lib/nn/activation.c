/* Activations: forward fused with the bias add, backward from z and a. */
#include "nn/hot.h"

#include "nn/activation.h"

#include <math.h>

#include "ctune.h"

#include "nn/names.h"

static const ctune__name NAMES[] = {
    {"linear", NULL, CTUNE__ACT_LINEAR},
    {"relu", NULL, CTUNE__ACT_RELU},
    {"leaky_relu", NULL, CTUNE__ACT_LEAKY_RELU},
    {"elu", NULL, CTUNE__ACT_ELU},
    {"selu", NULL, CTUNE__ACT_SELU},
    {"tanh", NULL, CTUNE__ACT_TANH},
    {"sigmoid", NULL, CTUNE__ACT_SIGMOID},
    {"hard_sigmoid", NULL, CTUNE__ACT_HARD_SIGMOID},
    {"softplus", NULL, CTUNE__ACT_SOFTPLUS},
    {"softsign", NULL, CTUNE__ACT_SOFTSIGN},
    {"swish", "silu", CTUNE__ACT_SWISH},
    {"gelu", NULL, CTUNE__ACT_GELU},
    {"softmax", NULL, CTUNE__ACT_SOFTMAX},
};
#define N_NAMES (sizeof NAMES / sizeof NAMES[0])

int ctune__act_find(const char *name) { return ctune__name_find(NAMES, N_NAMES, name); }
const char *ctune__act_name(int id)
{
    return id >= 0 && (size_t)id < N_NAMES ? NAMES[id].name : NULL;
}
void ctune__act_list(char *buf, size_t cap) { ctune__name_list(NAMES, N_NAMES, buf, cap); }

const char *ctune_nn_activation_name(size_t i) { return i < N_NAMES ? NAMES[i].name : NULL; }

int ctune__act_needs_z(int act)
{
    return act == CTUNE__ACT_RELU || act == CTUNE__ACT_LEAKY_RELU || act == CTUNE__ACT_ELU ||
           act == CTUNE__ACT_SELU || act == CTUNE__ACT_HARD_SIGMOID || act == CTUNE__ACT_SOFTPLUS ||
           act == CTUNE__ACT_SOFTSIGN || act == CTUNE__ACT_SWISH || act == CTUNE__ACT_GELU;
}

/* tanh as a rational minimax approximation (the 13/6 form used by Eigen),
 * clamped where float tanh is ±1: within a few ulp of tanhf, and a plain
 * arithmetic loop the compiler vectorizes (tanhf is a libm call per value,
 * which made tanh networks 10-30x slower than relu ones). */
static inline float fast_tanhf(float x)
{
    const float clamp = 7.90531110763549805f;
    float xc = x > clamp ? clamp : (x < -clamp ? -clamp : x);
    float x2 = xc * xc;
    float p = -2.76076847742355e-16f;
    p = p * x2 + 2.00018790482477e-13f;
    p = p * x2 + -8.60467152213735e-11f;
    p = p * x2 + 5.12229709037114e-08f;
    p = p * x2 + 1.48572235717979e-05f;
    p = p * x2 + 6.37261928875436e-04f;
    p = p * x2 + 4.89352455891786e-03f;
    p = p * xc;
    float q = 1.19825839466702e-06f;
    q = q * x2 + 1.18534705686654e-04f;
    q = q * x2 + 2.26843463243900e-03f;
    q = q * x2 + 4.89352518554385e-03f;
    float t = p / q;
    /* tiny |x|: tanh(x) = x to float precision */
    return (x < 0.0004f && x > -0.0004f) ? x : t;
}

static inline float sigmoidf(float z)
{
    if (z >= 0.0f)
        return 1.0f / (1.0f + expf(-z));
    float e = expf(z);
    return e / (1.0f + e);
}

static void softmax_rows(float *a, size_t rows, size_t u)
{
    for (size_t i = 0; i < rows; i++) {
        float *r = a + i * u;
        float mx = r[0];
        for (size_t j = 1; j < u; j++)
            mx = r[j] > mx ? r[j] : mx;
        float s = 0.0f;
        for (size_t j = 0; j < u; j++) {
            r[j] = expf(r[j] - mx);
            s += r[j];
        }
        float inv = 1.0f / s;
        for (size_t j = 0; j < u; j++)
            r[j] *= inv;
    }
}

/* The kernels are static (multiversioned functions with external linkage
 * would export their ifunc resolvers from the shared library). */
CTUNE__MULTIVERSION
static void act_forward(int act, float *z, float *a, size_t rows, size_t u, const float *b)
{
    const float slope = (float)CTUNE__LEAKY_SLOPE;
    const float sa = (float)(CTUNE__SELU_SCALE * CTUNE__SELU_ALPHA);
    const float ss = (float)CTUNE__SELU_SCALE;
    const float ea = (float)CTUNE__ELU_ALPHA;
    for (size_t i = 0; i < rows; i++) {
        float *zr = z + i * u, *ar = a + i * u;
        if (b)
            for (size_t j = 0; j < u; j++)
                zr[j] += b[j];
        switch (act) {
        case CTUNE__ACT_LINEAR:
            if (ar != zr)
                for (size_t j = 0; j < u; j++)
                    ar[j] = zr[j];
            break;
        case CTUNE__ACT_RELU:
            for (size_t j = 0; j < u; j++)
                ar[j] = zr[j] > 0.0f ? zr[j] : 0.0f;
            break;
        case CTUNE__ACT_LEAKY_RELU:
            for (size_t j = 0; j < u; j++)
                ar[j] = zr[j] > 0.0f ? zr[j] : slope * zr[j];
            break;
        case CTUNE__ACT_ELU:
            for (size_t j = 0; j < u; j++)
                ar[j] = zr[j] > 0.0f ? zr[j] : ea * expm1f(zr[j]);
            break;
        case CTUNE__ACT_SELU:
            for (size_t j = 0; j < u; j++)
                ar[j] = zr[j] > 0.0f ? ss * zr[j] : sa * expm1f(zr[j]);
            break;
        case CTUNE__ACT_TANH:
            for (size_t j = 0; j < u; j++)
                ar[j] = fast_tanhf(zr[j]);
            break;
        case CTUNE__ACT_SIGMOID:
            for (size_t j = 0; j < u; j++)
                ar[j] = sigmoidf(zr[j]);
            break;
        case CTUNE__ACT_HARD_SIGMOID:
            for (size_t j = 0; j < u; j++) {
                float v = zr[j] * (1.0f / 6.0f) + 0.5f;
                ar[j] = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
            }
            break;
        case CTUNE__ACT_SOFTPLUS:
            for (size_t j = 0; j < u; j++)
                ar[j] = log1pf(expf(-fabsf(zr[j]))) + (zr[j] > 0.0f ? zr[j] : 0.0f);
            break;
        case CTUNE__ACT_SOFTSIGN:
            for (size_t j = 0; j < u; j++)
                ar[j] = zr[j] / (1.0f + fabsf(zr[j]));
            break;
        case CTUNE__ACT_SWISH:
            for (size_t j = 0; j < u; j++)
                ar[j] = zr[j] * sigmoidf(zr[j]);
            break;
        case CTUNE__ACT_GELU:
            for (size_t j = 0; j < u; j++)
                ar[j] = 0.5f * zr[j] * (1.0f + erff(zr[j] * 0.70710678118654752f));
            break;
        case CTUNE__ACT_SOFTMAX:
            for (size_t j = 0; j < u; j++)
                ar[j] = zr[j];
            break;
        default: break;
        }
    }
    if (act == CTUNE__ACT_SOFTMAX)
        softmax_rows(a, rows, u);
}

CTUNE__MULTIVERSION
static void act_backward(int act, const float *z, const float *a, float *g, size_t rows, size_t u)
{
    const float slope = (float)CTUNE__LEAKY_SLOPE;
    const float sa = (float)(CTUNE__SELU_SCALE * CTUNE__SELU_ALPHA);
    const float ss = (float)CTUNE__SELU_SCALE;
    const float ea = (float)CTUNE__ELU_ALPHA;
    size_t n = rows * u;
    switch (act) {
    case CTUNE__ACT_LINEAR: break;
    case CTUNE__ACT_RELU:
        for (size_t i = 0; i < n; i++)
            g[i] = z[i] > 0.0f ? g[i] : 0.0f;
        break;
    case CTUNE__ACT_LEAKY_RELU:
        for (size_t i = 0; i < n; i++)
            g[i] = z[i] > 0.0f ? g[i] : slope * g[i];
        break;
    case CTUNE__ACT_ELU:
        for (size_t i = 0; i < n; i++)
            g[i] = z[i] > 0.0f ? g[i] : g[i] * (a[i] + ea);
        break;
    case CTUNE__ACT_SELU:
        for (size_t i = 0; i < n; i++)
            g[i] = z[i] > 0.0f ? ss * g[i] : g[i] * (a[i] + sa);
        break;
    case CTUNE__ACT_TANH:
        for (size_t i = 0; i < n; i++)
            g[i] *= 1.0f - a[i] * a[i];
        break;
    case CTUNE__ACT_SIGMOID:
        for (size_t i = 0; i < n; i++)
            g[i] *= a[i] * (1.0f - a[i]);
        break;
    case CTUNE__ACT_HARD_SIGMOID:
        for (size_t i = 0; i < n; i++)
            g[i] = (z[i] > -3.0f && z[i] < 3.0f) ? g[i] * (1.0f / 6.0f) : 0.0f;
        break;
    case CTUNE__ACT_SOFTPLUS:
        for (size_t i = 0; i < n; i++)
            g[i] *= sigmoidf(z[i]);
        break;
    case CTUNE__ACT_SOFTSIGN:
        for (size_t i = 0; i < n; i++) {
            float d = 1.0f + fabsf(z[i]);
            g[i] /= d * d;
        }
        break;
    case CTUNE__ACT_SWISH:
        for (size_t i = 0; i < n; i++) {
            float s = sigmoidf(z[i]);
            g[i] *= s * (1.0f + z[i] * (1.0f - s));
        }
        break;
    case CTUNE__ACT_GELU:
        for (size_t i = 0; i < n; i++) {
            float cdf = 0.5f * (1.0f + erff(z[i] * 0.70710678118654752f));
            float pdf = 0.39894228040143268f * expf(-0.5f * z[i] * z[i]);
            g[i] *= cdf + z[i] * pdf;
        }
        break;
    case CTUNE__ACT_SOFTMAX:
        for (size_t r = 0; r < rows; r++) {
            const float *ar = a + r * u;
            float *gr = g + r * u;
            float dot = 0.0f;
            for (size_t j = 0; j < u; j++)
                dot += gr[j] * ar[j];
            for (size_t j = 0; j < u; j++)
                gr[j] = ar[j] * (gr[j] - dot);
        }
        break;
    default: break;
    }
}

void ctune__act_forward(int act, float *z, float *a, size_t rows, size_t u, const float *b)
{
    act_forward(act, z, a, rows, u, b);
}

void ctune__act_backward(int act, const float *z, const float *a, float *g, size_t rows, size_t u)
{
    act_backward(act, z, a, g, rows, u);
}
