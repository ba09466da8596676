/* Workspace, data checks, and the forward / backward passes. */
#include "nn/hot.h"

#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include "core/alloc.h"
#include "core/data.h"
#include "core/error.h"
#include "nn/activation.h"
#include "nn/gemm.h"
#include "nn/model.h"

#define ALIGN_FLOATS 16 /* 64-byte alignment of every buffer */

static size_t round_up(size_t n) { return (n + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS; }

/* *total += times · round_up(a · b); 0 on overflow. */
static int add_floats(size_t *total, size_t a, size_t b, size_t times)
{
    size_t n, r;
    if (!ctune__size_mul(a, b, &n) || !ctune__size_add(n, ALIGN_FLOATS - 1, &n))
        return 0;
    n = n / ALIGN_FLOATS * ALIGN_FLOATS;
    return ctune__size_mul(n, times, &r) && ctune__size_add(*total, r, total);
}

static size_t first_dense(const ctune_model *m)
{
    size_t i = 0;
    while (i < m->n_layers && m->layers[i].kind != CTUNE__LAYER_DENSE)
        i++;
    return i;
}

ctune_status ctune__ws_alloc(ctune__ws *ws, const ctune_model *m, size_t cap, size_t y_cols,
                             int training)
{
    memset(ws, 0, sizeof *ws);
    size_t L = m->n_layers;
    /* every product of the caller's sizes is checked: total counts floats */
    size_t total = ALIGN_FLOATS;
    int ok = add_floats(&total, cap, m->input_dim, 1) &&
             add_floats(&total, cap, y_cols ? y_cols : 1, 1);
    if (training)
        ok = ok && add_floats(&total, cap, m->max_width, 2) &&
             add_floats(&total, 1, m->n_params, 1);
    for (size_t i = 0; ok && i < L; i++) {
        const ctune__layer *l = &m->layers[i];
        if (l->kind == CTUNE__LAYER_DENSE)
            ok = add_floats(&total, cap, l->units, l->act == 0 ? 1 : 2);
        else if (training)
            ok = add_floats(&total, cap, l->units, 2);
    }
    if (!ok)
        return ctune_set_error(CTUNE_ENOMEM,
                               "the buffers for %zu rows of this model overflow "
                               "the size range",
                               cap);
    ws->block = ctune__malloc_array(total, sizeof(float));
    ws->ptrs = ctune__calloc(3 * (L ? L : 1), sizeof(float *));
    ctune_status rc = ctune__nn_pool_new(&ws->pool, m->threads);
    if (rc != CTUNE_OK || !ws->block || !ws->ptrs) {
        ctune__ws_free(ws);
        return CTUNE_ENOMEM;
    }
    ws->z = ws->ptrs;
    ws->a = ws->z + L;
    ws->out = (const float **)(ws->a + L);
    uintptr_t base = (uintptr_t)ws->block;
    float *p = (float *)((base + 63) & ~(uintptr_t)63);
#define TAKE(n) (p += round_up(n), p - round_up(n))
    ws->cap = cap;
    ws->x = TAKE(cap * m->input_dim);
    ws->y = TAKE(cap * (y_cols ? y_cols : 1));
    if (training) {
        ws->g0 = TAKE(cap * m->max_width);
        ws->g1 = TAKE(cap * m->max_width);
        ws->grads = TAKE(m->n_params);
    }
    for (size_t i = 0; i < L; i++) {
        const ctune__layer *l = &m->layers[i];
        if (l->kind == CTUNE__LAYER_DENSE) {
            ws->z[i] = TAKE(cap * l->units);
            ws->a[i] = l->act == 0 ? ws->z[i] : TAKE(cap * l->units);
        } else if (training) {
            ws->z[i] = TAKE(cap * l->units); /* the mask */
            ws->a[i] = TAKE(cap * l->units);
        }
    }
#undef TAKE
    return CTUNE_OK;
}

void ctune__ws_free(ctune__ws *ws)
{
    ctune__nn_pool_free(ws->pool); /* joins its threads */
    ctune__free(ws->block);
    ctune__free(ws->ptrs);
    memset(ws, 0, sizeof *ws);
}

typedef struct gather_job {
    float *x;
    size_t w;
    const ctune_data *d;
    const size_t *idx;
    atomic_int failed;
} gather_job;

static void gather_rows(void *ctx, size_t lo, size_t hi)
{
    gather_job *j = ctx;
    if (ctune_data_gather_f32(j->x + lo * j->w, j->w, j->d, j->idx + lo, hi - lo) != CTUNE_OK)
        atomic_store(&j->failed, 1);
}

#define GATHER_SPLIT_MIN 32768 /* floats: below, one thread */

ctune_status ctune__ws_gather(ctune__ws *ws, const ctune_model *m, const ctune_data *d,
                              const size_t *idx, size_t start, size_t rows, int with_y)
{
    size_t w = m->input_dim;
    if (idx && rows * w >= GATHER_SPLIT_MIN && ctune__nn_pool_splits(ws->pool)) {
        /* rows gathered in parallel (the copies wait on memory); a failure
         * is gathered again on this thread, which sets the error */
        gather_job j = {ws->x, w, d, idx + start, 0};
        ctune__nn_pool_for(ws->pool, rows, 1, 0, gather_rows, &j);
        if (atomic_load(&j.failed))
            CTUNE_TRY(ctune_data_gather_f32(ws->x, w, d, idx + start, rows));
    } else if (idx) {
        CTUNE_TRY(ctune_data_gather_f32(ws->x, w, d, idx + start, rows));
    } else {
        for (size_t i = 0; i < rows; i++) {
            size_t r = start + i;
            CTUNE_TRY(ctune_data_gather_f32(ws->x + i * w, w, d, &r, 1));
        }
    }
    if (with_y) {
        size_t t = ctune_data_n_targets(d);
        for (size_t i = 0; i < rows; i++) {
            size_t r = idx ? idx[start + i] : start + i;
            for (size_t k = 0; k < t; k++)
                ws->y[i * t + k] = (float)ctune__data_y_at(d, r, k);
        }
    }
    return CTUNE_OK;
}

static void dropout_mask(ctune_rng *rng, float *mask, size_t n, double rate)
{
    /* keep when a 32-bit uniform integer is >= rate · 2^32 */
    uint64_t thresh = (uint64_t)(rate * 4294967296.0);
    float keep = (float)(1.0 / (1.0 - rate));
    for (size_t i = 0; i < n; i += 2) {
        uint64_t r = ctune_rng_u64(rng);
        mask[i] = (r & 0xffffffffu) >= thresh ? keep : 0.0f;
        if (i + 1 < n)
            mask[i + 1] = (r >> 32) >= thresh ? keep : 0.0f;
    }
}

/* Elementwise work split among the pool's threads by rows (forward: each
 * row runs the same code wherever it falls) or by ranges of 64 floats from
 * a 64-byte aligned buffer (backward: the same vector lanes and tail). */
#define SPLIT_MIN 16384 /* floats: below, one thread */

typedef struct act_job {
    int act;
    float *z, *a, *g;
    const float *cz, *ca, *b;
    size_t u;
} act_job;

static void act_forward_rows(void *ctx, size_t lo, size_t hi)
{
    act_job *j = ctx;
    ctune__act_forward(j->act, j->z + lo * j->u, j->a + lo * j->u, hi - lo, j->u, j->b);
}

static void act_backward_range(void *ctx, size_t lo, size_t hi)
{
    act_job *j = ctx;
    ctune__act_backward(j->act, j->cz ? j->cz + lo : NULL, j->ca + lo, j->g + lo, 1, hi - lo);
}

static void act_backward_rows(void *ctx, size_t lo, size_t hi)
{
    act_job *j = ctx;
    size_t u = j->u;
    ctune__act_backward(j->act, j->cz + lo * u, j->ca + lo * u, j->g + lo * u, hi - lo, u);
}

static void act_forward_split(ctune__nn_pool *pool, int act, float *z, float *a, size_t rows,
                              size_t u, const float *b)
{
    act_job j = {act, z, a, NULL, NULL, NULL, b, u};
    ctune__nn_pool_for(rows * u >= SPLIT_MIN ? pool : NULL, rows, 1, 0, act_forward_rows, &j);
}

static void act_backward_split(ctune__nn_pool *pool, int act, const float *z, const float *a,
                               float *g, size_t rows, size_t u)
{
    act_job j = {act, NULL, NULL, g, z, a, NULL, u};
    if (act == CTUNE__ACT_SOFTMAX) /* a product per row: whole rows */
        ctune__nn_pool_for(rows * u >= SPLIT_MIN ? pool : NULL, rows, 1, 0, act_backward_rows, &j);
    else
        ctune__nn_pool_for(pool, rows * u, 64, SPLIT_MIN, act_backward_range, &j);
}

const float *ctune__forward(ctune_model *m, ctune__ws *ws, size_t rows, int training,
                            const float **z_out)
{
    const float *in = ws->x;
    const float *last_z = NULL;
    size_t w = m->input_dim;
    for (size_t i = 0; i < m->n_layers; i++) {
        const ctune__layer *l = &m->layers[i];
        if (l->kind == CTUNE__LAYER_DENSE) {
            float *z = ws->z[i], *a = ws->a[i];
            ctune__sgemm(ws->pool, 0, 0, rows, l->units, w, 1.0f, in, w, m->params + l->w_off,
                         l->units, 0.0f, z, l->units);
            act_forward_split(ws->pool, l->act, z, a, rows, l->units,
                              l->use_bias ? m->params + l->b_off : NULL);
            ws->out[i] = a;
            last_z = z;
        } else if (training && l->rate > 0) {
            float *mask = ws->z[i], *a = ws->a[i];
            size_t n = rows * l->units;
            dropout_mask(&m->dropout_rng, mask, n, l->rate);
            for (size_t k = 0; k < n; k++)
                a[k] = in[k] * mask[k];
            ws->out[i] = a;
        } else {
            ws->out[i] = in;
        }
        in = ws->out[i];
        w = l->units;
    }
    if (z_out)
        *z_out = last_z;
    return in;
}

/* dW += l1·sign(W) + 2·l2·W; returns l1·Σ|W| + l2·ΣW². */
static double regularize(const float *W, float *dW, size_t n, double l1, double l2)
{
    double s1 = 0.0, s2 = 0.0;
    float f1 = (float)l1, f2 = (float)(2.0 * l2);
    for (size_t i = 0; i < n; i++) {
        float w = W[i];
        s1 += fabsf(w);
        s2 += (double)w * w;
        dW[i] += f1 * (w > 0.0f ? 1.0f : (w < 0.0f ? -1.0f : 0.0f)) + f2 * w;
    }
    return l1 * s1 + l2 * s2;
}

double ctune__reg_loss(const ctune_model *m)
{
    double r = 0.0;
    for (size_t i = 0; i < m->n_layers; i++) {
        const ctune__layer *l = &m->layers[i];
        if (l->kind != CTUNE__LAYER_DENSE || (l->l1 == 0 && l->l2 == 0))
            continue;
        const float *W = m->params + l->w_off;
        double s1 = 0.0, s2 = 0.0;
        for (size_t k = 0; k < l->in * l->units; k++) {
            s1 += fabsf(W[k]);
            s2 += (double)W[k] * W[k];
        }
        r += l->l1 * s1 + l->l2 * s2;
    }
    return r;
}

double ctune__backward(ctune_model *m, ctune__ws *ws, size_t rows, int fused)
{
    float *g = ws->g0, *other = ws->g1;
    size_t first = first_dense(m);
    long last = ctune__model_last_dense(m);
    double reg = 0.0;
    for (size_t i = m->n_layers; i-- > first;) {
        const ctune__layer *l = &m->layers[i];
        if (l->kind == CTUNE__LAYER_DROPOUT) {
            if (l->rate > 0) {
                const float *mask = ws->z[i];
                for (size_t k = 0; k < rows * l->units; k++)
                    g[k] *= mask[k];
            }
            continue;
        }
        if (!((long)i == last && fused))
            act_backward_split(ws->pool, l->act, ws->z[i], ws->a[i], g, rows, l->units);
        const float *prev = i > 0 ? ws->out[i - 1] : ws->x;
        float *dW = ws->grads + l->w_off;
        ctune__sgemm(ws->pool, 1, 0, l->in, l->units, rows, 1.0f, prev, l->in, g, l->units, 0.0f,
                     dW, l->units);
        if (l->use_bias)
            ctune__col_sums(g, rows, l->units, ws->grads + l->b_off);
        if (l->l1 != 0 || l->l2 != 0)
            reg += regularize(m->params + l->w_off, dW, l->in * l->units, l->l1, l->l2);
        if (i > first) {
            ctune__sgemm(ws->pool, 0, 1, rows, l->in, l->units, 1.0f, g, l->units,
                         m->params + l->w_off, l->units, 0.0f, other, l->in);
            float *t = g;
            g = other;
            other = t;
        }
    }
    return reg;
}

ctune_status ctune__check_x(const ctune_model *m, const ctune_data *d, const char *what)
{
    if (m->input_dim && ctune_data_n_cols(d) != m->input_dim)
        return ctune_set_error(CTUNE_EDATA, "%s: X has %zu columns but the model was built for %zu",
                               what, ctune_data_n_cols(d), m->input_dim);
    if (ctune_data_dtype(d) != CTUNE_FLOAT64 || d->trusted) {
        ctune_status rc = ctune_data_validate(d);
        if (rc != CTUNE_OK) {
            ctune__error_prefix("%s", what);
            return rc;
        }
        if (ctune_data_dtype(d) != CTUNE_FLOAT64)
            return CTUNE_OK; /* finite float32 values are in range */
    }
    /* float64 (or an affine view): one pass over X, through the view's map,
     * finds both non-finite values and finite doubles past float32's range,
     * which would enter the network as Inf and surface as a NaN loss */
    size_t n = ctune_data_n_rows(d), bi, bj;
    double x;
    if (ctune__data_find_bad(d, 1, &bi, &bj, &x)) {
        if (!isfinite(x))
            return ctune_set_error(CTUNE_EDATA, "%s: X row %zu, column %zu is %s", what, bi, bj,
                                   isnan(x) ? "NaN"
                                   : x > 0  ? "+Inf"
                                            : "-Inf");
        return ctune_set_error(CTUNE_EDATA,
                               "%s: X row %zu, column %zu is %g, beyond "
                               "float32's range (the network computes "
                               "in float32: scale the data, e.g. with a "
                               "StandardScaler)",
                               what, bi, bj, x);
    }
    size_t nt = d->trusted ? 0 : ctune_data_n_targets(d);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < nt; k++) {
            double v = ctune_data_y(d, i, k);
            if (!isfinite(v)) {
                const char *nm = isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
                return nt == 1 ? ctune_set_error(CTUNE_EDATA, "%s: y row %zu is %s", what, i, nm)
                               : ctune_set_error(CTUNE_EDATA, "%s: y row %zu, target %zu is %s",
                                                 what, i, k, nm);
            }
        }
    return CTUNE_OK;
}

ctune_status ctune__check_xy(const ctune_model *m, const ctune_data *d, const char *what)
{
    CTUNE_TRY(ctune__check_x(m, d, what));
    size_t t = ctune_data_n_targets(d), n = ctune_data_n_rows(d);
    ctune__loss_ctx c = ctune__model_loss_ctx(m, t);
    const char *lname = ctune__loss_name(m->loss);
    if (t == 0)
        return ctune_set_error(CTUNE_EDATA, "%s: the data has no y (targets)", what);
    if (m->loss == CTUNE__LOSS_SCCE && t != 1)
        return ctune_set_error(CTUNE_EDATA, "%s: %s takes y as n × 1 class codes, got %zu columns",
                               what, lname, t);
    if (m->loss == CTUNE__LOSS_CCE && t != 1 && t != c.units)
        return ctune_set_error(CTUNE_EDATA,
                               "%s: %s takes y as n × 1 class codes or n × %zu "
                               "one-hot rows (the output layer's units), got %zu "
                               "columns",
                               what, lname, c.units, t);
    if (m->loss != CTUNE__LOSS_SCCE && m->loss != CTUNE__LOSS_CCE && t != c.units)
        return ctune_set_error(CTUNE_EDATA,
                               "%s: y has %zu columns but the output layer has %zu "
                               "units (%s needs one target per unit)",
                               what, t, c.units, lname);
    for (size_t i = 0; i < n; i++) {
        if (c.codes) {
            double v = ctune__data_y_at(d, i, 0);
            if (v != floor(v) || v < 0)
                return ctune_set_error(CTUNE_EDATA,
                                       "%s: y row %zu is %g, not a class code (an "
                                       "integer from 0 to %zu)",
                                       what, i, v, c.units - 1);
            if (v >= (double)c.units)
                return ctune_set_error(CTUNE_EDATA,
                                       "%s: y row %zu is class %g but the output "
                                       "layer has %zu units (classes 0..%zu)",
                                       what, i, v, c.units, c.units - 1);
        } else if (m->loss != CTUNE__LOSS_BCE) {
            for (size_t k = 0; k < t; k++) {
                double v = ctune__data_y_at(d, i, k);
                if (fabs(v) > FLT_MAX)
                    return ctune_set_error(CTUNE_EDATA,
                                           "%s: y row %zu is %g, beyond float32's "
                                           "range (the network computes in float32)",
                                           what, i, v);
            }
        } else {
            for (size_t k = 0; k < t; k++) {
                double v = ctune__data_y_at(d, i, k);
                if (v < 0 || v > 1)
                    return ctune_set_error(CTUNE_EDATA,
                                           "%s: y row %zu%s is %g, outside [0, 1] "
                                           "for binary_crossentropy (the output "
                                           "layer has %zu unit%s)",
                                           what, i, t > 1 ? ", some column" : "", v, c.units,
                                           c.units == 1 ? "" : "s");
            }
        }
    }
    return CTUNE_OK;
}

ctune_status ctune__evaluate_ws(ctune_model *m, ctune__ws *ws, const ctune_data *d, size_t start,
                                size_t count, double *loss_sum, double *metric_sums)
{
    ctune__loss_ctx c = ctune__model_loss_ctx(m, ctune_data_n_targets(d));
    *loss_sum = 0.0;
    for (int k = 0; metric_sums && k < m->n_metrics; k++)
        metric_sums[k] = 0.0;
    for (size_t s = 0; s < count; s += ws->cap) {
        size_t rows = count - s < ws->cap ? count - s : ws->cap;
        CTUNE_TRY(ctune__ws_gather(ws, m, d, NULL, start + s, rows, 1));
        const float *z;
        const float *a = ctune__forward(m, ws, rows, 0, &z);
        *loss_sum += ctune__loss_batch(&c, z, a, ws->y, rows, NULL, rows);
        for (int k = 0; metric_sums && k < m->n_metrics; k++) {
            int met = ctune__metric_resolve(m->metrics[k], m->loss, c.units);
            metric_sums[k] += ctune__metric_batch(met, &c, a, ws->y, rows);
        }
    }
    return CTUNE_OK;
}

ctune_status ctune__nn_loss_grad(ctune_model *m, const ctune_data *d, int training, double *loss,
                                 float *grad, float *masks)
{
    size_t n = ctune_data_n_rows(d);
    if (!m->input_dim)
        CTUNE_TRY(ctune__model_build(m, ctune_data_n_cols(d)));
    CTUNE_TRY(ctune__check_xy(m, d, "loss_grad"));
    ctune__ws ws;
    CTUNE_TRY(ctune__ws_alloc(&ws, m, n, ctune_data_n_targets(d), 1));
    ctune_status rc = ctune__ws_gather(&ws, m, d, NULL, 0, n, 1);
    if (rc == CTUNE_OK) {
        ctune__loss_ctx c = ctune__model_loss_ctx(m, ctune_data_n_targets(d));
        const float *z;
        const float *a = ctune__forward(m, &ws, n, training, &z);
        double sum = ctune__loss_batch(&c, z, a, ws.y, n, ws.g0, n);
        double reg = ctune__backward(m, &ws, n, ctune__loss_fused(&c));
        *loss = sum / (double)n + reg;
        memcpy(grad, ws.grads, m->n_params * sizeof *grad);
        for (size_t i = 0; masks && i < m->n_layers; i++) {
            const ctune__layer *l = &m->layers[i];
            if (l->kind != CTUNE__LAYER_DROPOUT)
                continue;
            for (size_t k = 0; k < n * l->units; k++)
                masks[k] = (training && l->rate > 0) ? ws.z[i][k] : 1.0f;
            masks += n * l->units;
        }
    }
    ctune__ws_free(&ws);
    return rc;
}
