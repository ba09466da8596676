/* Losses (stable fused forms for softmax / sigmoid outputs) and metrics. */
#include "nn/hot.h"

#include "nn/loss.h"

#include <math.h>

#include "ctune.h"

#include "nn/activation.h"
#include "nn/names.h"

static const ctune__name LOSSES[] = {
    {"binary_crossentropy", NULL, CTUNE__LOSS_BCE},
    {"categorical_crossentropy", NULL, CTUNE__LOSS_CCE},
    {"sparse_categorical_crossentropy", NULL, CTUNE__LOSS_SCCE},
    {"mean_squared_error", "mse", CTUNE__LOSS_MSE},
    {"mean_absolute_error", "mae", CTUNE__LOSS_MAE},
    {"huber", "huber_loss", CTUNE__LOSS_HUBER},
};
#define N_LOSSES (sizeof LOSSES / sizeof LOSSES[0])

static const ctune__name METRICS[] = {
    {"accuracy", "acc", CTUNE__MET_ACCURACY},
    {"binary_accuracy", NULL, CTUNE__MET_BINARY_ACCURACY},
    {"categorical_accuracy", NULL, CTUNE__MET_CATEGORICAL_ACCURACY},
    {"sparse_categorical_accuracy", NULL, CTUNE__MET_SPARSE_CATEGORICAL_ACCURACY},
    {"mse", "mean_squared_error", CTUNE__MET_MSE},
    {"mae", "mean_absolute_error", CTUNE__MET_MAE},
};
#define N_METRICS (sizeof METRICS / sizeof METRICS[0])

int ctune__loss_find(const char *name) { return ctune__name_find(LOSSES, N_LOSSES, name); }
const char *ctune__loss_name(int id)
{
    return id >= 0 && (size_t)id < N_LOSSES ? LOSSES[id].name : NULL;
}
void ctune__loss_list(char *buf, size_t cap) { ctune__name_list(LOSSES, N_LOSSES, buf, cap); }
const char *ctune_nn_loss_name(size_t i) { return i < N_LOSSES ? LOSSES[i].name : NULL; }

int ctune__metric_find(const char *name) { return ctune__name_find(METRICS, N_METRICS, name); }
const char *ctune__metric_name(int id)
{
    return id >= 0 && (size_t)id < N_METRICS ? METRICS[id].name : NULL;
}
void ctune__metric_list(char *buf, size_t cap) { ctune__name_list(METRICS, N_METRICS, buf, cap); }
const char *ctune_nn_metric_name(size_t i) { return i < N_METRICS ? METRICS[i].name : NULL; }

int ctune__metric_resolve(int metric, int loss, size_t units)
{
    if (metric != CTUNE__MET_ACCURACY)
        return metric;
    /* Keras 3 (trainers/compile_utils.py get_metric) decides from the
     * shapes alone: one output unit is binary, y of one column against
     * several units is sparse, anything else categorical (also under
     * binary_crossentropy with several units). */
    if (units == 1)
        return CTUNE__MET_BINARY_ACCURACY;
    if (loss == CTUNE__LOSS_SCCE)
        return CTUNE__MET_SPARSE_CATEGORICAL_ACCURACY;
    return CTUNE__MET_CATEGORICAL_ACCURACY;
}

int ctune__loss_fused(const ctune__loss_ctx *c)
{
    if (c->loss == CTUNE__LOSS_BCE)
        return c->out_act == CTUNE__ACT_SIGMOID;
    if (c->loss == CTUNE__LOSS_CCE || c->loss == CTUNE__LOSS_SCCE)
        return c->out_act == CTUNE__ACT_SOFTMAX;
    return 0;
}

/* Target of row i, unit j (one-hot from a code when c->codes). */
static inline double target(const ctune__loss_ctx *c, const float *y, size_t i, size_t j)
{
    if (c->codes)
        return (size_t)y[i] == j ? 1.0 : 0.0;
    return y[i * c->units + j];
}

static double clampd(double p, double lo, double hi) { return p < lo ? lo : (p > hi ? hi : p); }

/* Categorical cross-entropy, fused with softmax: loss from the logits
 * (log-sum-exp), gradient softmax - y. */
static double cce_fused(const ctune__loss_ctx *c, const float *z, const float *a, const float *y,
                        size_t rows, float *g, float scale)
{
    size_t u = c->units;
    double sum = 0.0;
    for (size_t i = 0; i < rows; i++) {
        const float *zr = z + i * u;
        double mx = zr[0];
        for (size_t j = 1; j < u; j++)
            mx = zr[j] > mx ? zr[j] : mx;
        double s = 0.0;
        for (size_t j = 0; j < u; j++)
            s += exp((double)zr[j] - mx);
        double lse = mx + log(s);
        if (c->codes) {
            sum += lse - zr[(size_t)y[i]];
        } else {
            const float *yr = y + i * u;
            for (size_t j = 0; j < u; j++)
                if (yr[j] != 0.0f)
                    sum += yr[j] * (lse - zr[j]);
        }
        if (g) {
            const float *ar = a + i * u;
            float *gr = g + i * u;
            for (size_t j = 0; j < u; j++)
                gr[j] = (ar[j] - (float)target(c, y, i, j)) * scale;
        }
    }
    return sum;
}

/* Categorical cross-entropy on non-softmax outputs, as Keras: normalize by
 * the row sum, clip to [eps, 1 - eps]; gradient with respect to a. */
static double cce_plain(const ctune__loss_ctx *c, const float *a, const float *y, size_t rows,
                        float *g, float scale)
{
    size_t u = c->units;
    const double eps = CTUNE__PROB_EPS;
    double sum = 0.0;
    for (size_t i = 0; i < rows; i++) {
        const float *ar = a + i * u;
        double s = 0.0;
        for (size_t j = 0; j < u; j++)
            s += ar[j];
        double dot = 0.0; /* Σ_j dL/dq_j · q_j */
        for (size_t j = 0; j < u; j++) {
            double t = target(c, y, i, j);
            double q = ar[j] / s;
            double qc = clampd(q, eps, 1.0 - eps);
            if (t != 0.0)
                sum -= t * log(qc);
            if (g && t != 0.0 && q == qc)
                dot += -t / qc * q;
        }
        if (g) {
            float *gr = g + i * u;
            for (size_t j = 0; j < u; j++) {
                double t = target(c, y, i, j);
                double q = ar[j] / s;
                double qc = clampd(q, eps, 1.0 - eps);
                double dq = (t != 0.0 && q == qc) ? -t / qc : 0.0;
                gr[j] = (float)((dq - dot) / s * scale);
            }
        }
    }
    return sum;
}

double ctune__loss_batch(const ctune__loss_ctx *c, const float *z, const float *a, const float *y,
                         size_t rows, float *g, size_t grad_rows)
{
    size_t u = c->units;
    int fused = ctune__loss_fused(c);
    double sum = 0.0;
    float scale = 1.0f / (float)(grad_rows ? grad_rows : 1);
    float uscale = scale / (float)u;
    const double inv_u = 1.0 / (double)u;
    switch (c->loss) {
    case CTUNE__LOSS_CCE:
    case CTUNE__LOSS_SCCE:
        return fused ? cce_fused(c, z, a, y, rows, g, scale) : cce_plain(c, a, y, rows, g, scale);
    case CTUNE__LOSS_BCE:
        for (size_t i = 0; i < rows; i++) {
            double s = 0.0;
            for (size_t j = 0; j < u; j++) {
                size_t k = i * u + j;
                double t = target(c, y, i, j);
                if (fused) {
                    double x = z[k];
                    s += (x > 0 ? x : 0.0) - x * t + log1p(exp(-fabs(x)));
                    if (g)
                        g[k] = (a[k] - (float)t) * uscale;
                } else {
                    double p = a[k], pc = clampd(p, CTUNE__PROB_EPS, 1.0 - CTUNE__PROB_EPS);
                    s -= t * log(pc) + (1.0 - t) * log(1.0 - pc);
                    if (g)
                        g[k] = p == pc ? (float)((pc - t) / (pc * (1.0 - pc))) * uscale : 0.0f;
                }
            }
            sum += s * inv_u;
        }
        return sum;
    default: break;
    }
    /* Regression losses: mean over units. */
    for (size_t i = 0; i < rows; i++) {
        double s = 0.0;
        for (size_t j = 0; j < u; j++) {
            size_t k = i * u + j;
            double e = (double)a[k] - target(c, y, i, j);
            float ge;
            if (c->loss == CTUNE__LOSS_MSE) {
                s += e * e;
                ge = (float)(2.0 * e);
            } else if (c->loss == CTUNE__LOSS_MAE) {
                s += fabs(e);
                ge = e > 0 ? 1.0f : (e < 0 ? -1.0f : 0.0f);
            } else { /* huber, delta = 1 */
                double ae = fabs(e);
                s += ae <= 1.0 ? 0.5 * e * e : ae - 0.5;
                ge = ae <= 1.0 ? (float)e : (e > 0 ? 1.0f : -1.0f);
            }
            if (g)
                g[k] = ge * uscale;
        }
        sum += s * inv_u;
    }
    return sum;
}

static size_t argmax(const float *r, size_t u)
{
    size_t best = 0;
    for (size_t j = 1; j < u; j++)
        if (r[j] > r[best])
            best = j;
    return best;
}

double ctune__metric_batch(int metric, const ctune__loss_ctx *c, const float *a, const float *y,
                           size_t rows)
{
    size_t u = c->units;
    double sum = 0.0;
    for (size_t i = 0; i < rows; i++) {
        const float *ar = a + i * u;
        switch (metric) {
        case CTUNE__MET_BINARY_ACCURACY: {
            size_t hit = 0;
            for (size_t j = 0; j < u; j++)
                hit += (ar[j] > 0.5f) == (target(c, y, i, j) > 0.5);
            sum += (double)hit / (double)u;
            break;
        }
        case CTUNE__MET_CATEGORICAL_ACCURACY:
        case CTUNE__MET_SPARSE_CATEGORICAL_ACCURACY: {
            size_t want = c->codes ? (size_t)y[i] : argmax(y + i * u, u);
            sum += argmax(ar, u) == want;
            break;
        }
        case CTUNE__MET_MSE:
        case CTUNE__MET_MAE: {
            double s = 0.0;
            for (size_t j = 0; j < u; j++) {
                double e = ar[j] - target(c, y, i, j);
                s += metric == CTUNE__MET_MSE ? e * e : fabs(e);
            }
            sum += s / (double)u;
            break;
        }
        default: break;
        }
    }
    return sum;
}
