/* The model handle: layers, compile configuration, build (deferred until the
 * input width is known), weights, history and settings. */
#include "nn/model.h"
#include "nn/nn.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/params.h"
#include "nn/activation.h"
#include "nn/init.h"

#define LIST_CAP 512

/* Init / dropout / shuffle streams derived from the model's seed. */
enum { STREAM_INIT = 1, STREAM_SHUFFLE = 2, STREAM_DROPOUT = 3 };

ctune_status ctune_model_new(ctune_model **out)
{
    CTUNE_CHECK_NULL(out, "out");
    ctune_model *m = ctune__calloc(1, sizeof *m);
    if (!m) {
        *out = NULL;
        return CTUNE_ENOMEM;
    }
    m->threads = 1;
    m->loss = -1;
    ctune__optim_defaults(&m->opt, CTUNE__OPT_ADAM);
    ctune_model_set_seed(m, 0);
    *out = m;
    return CTUNE_OK;
}

void ctune_model_free(ctune_model *m)
{
    if (!m)
        return;
    ctune__free(m->layers);
    ctune__free(m->params);
    ctune__free(m->seg);
    ctune__free(m->hist);
    ctune__optim_reset(&m->opt);
    ctune__free(m);
}

ctune_status ctune__nn_options(ctune_params **out, const char *text, const ctune_param_spec *spec,
                               const char *what)
{
    *out = NULL;
    if (!text || !*text)
        return CTUNE_OK;
    return ctune_params_parse_spec(out, text, spec, what);
}

static ctune_status push_layer(ctune_model *m, const ctune__layer *l)
{
    if (m->n_layers == m->cap_layers) {
        size_t cap = m->cap_layers ? 2 * m->cap_layers : 4;
        if (cap > SIZE_MAX / 2 / sizeof(ctune__layer))
            return ctune_set_error(CTUNE_ENOMEM, "add layer: too many layers (%zu)", m->n_layers);
        ctune__layer *nl = ctune__realloc(m->layers, cap * sizeof *nl);
        if (!nl)
            return CTUNE_ENOMEM;
        m->layers = nl;
        m->cap_layers = cap;
    }
    m->layers[m->n_layers++] = *l;
    return CTUNE_OK;
}

static ctune_status check_unbuilt(const ctune_model *m, const char *fn)
{
    if (m->input_dim)
        return ctune_set_error(CTUNE_ESTATE,
                               "%s: the model is already built; layers cannot be "
                               "added after build or fit",
                               fn);
    return CTUNE_OK;
}

static ctune_status get_init(const ctune_params *p, const char *key, int def, int *out)
{
    const char *s;
    CTUNE_TRY(ctune__params_string_or(p, key, ctune__init_name(def), &s));
    *out = ctune__init_find(s);
    if (*out < 0) {
        char list[LIST_CAP];
        ctune__init_list(list, sizeof list);
        return ctune_set_error(CTUNE_EINVAL, "add_dense: unknown %s '%s'; known: %s", key, s, list);
    }
    return CTUNE_OK;
}

ctune_status ctune_model_add_dense(ctune_model *m, int64_t units, const char *activation,
                                   const char *options)
{
    static const ctune_param_spec options_spec[] = {
        {"kernel_initializer", CTUNE_TYPE_STRING, "glorot_uniform", NULL, NULL,
         "initializer of the weights"},
        {"bias_initializer", CTUNE_TYPE_STRING, "zeros", NULL, NULL, "initializer of the bias"},
        {"use_bias", CTUNE_TYPE_BOOL, "true", NULL, NULL, "add a bias"},
        {"l1", CTUNE_TYPE_DOUBLE, "0", "[0, inf)", NULL, "L1 penalty on the weights"},
        {"l2", CTUNE_TYPE_DOUBLE, "0", "[0, inf)", NULL, "L2 penalty on the weights"},
        {NULL, 0, NULL, NULL, NULL, NULL},
    };
    CTUNE_CHECK_NULL(m, "model");
    CTUNE_TRY(check_unbuilt(m, "add_dense"));
    if (units < 1)
        return ctune_set_error(CTUNE_EINVAL, "add_dense: units must be >= 1, got %lld",
                               (long long)units);
#if SIZE_MAX < INT64_MAX
    if ((uint64_t)units > SIZE_MAX)
        return ctune_set_error(CTUNE_EINVAL,
                               "add_dense: units = %lld is beyond this platform's "
                               "size range",
                               (long long)units);
#endif
    ctune__layer l = {0};
    l.kind = CTUNE__LAYER_DENSE;
    l.units = (size_t)units;
    l.act = (activation && *activation) ? ctune__act_find(activation) : CTUNE__ACT_LINEAR;
    if (l.act < 0) {
        char list[LIST_CAP];
        ctune__act_list(list, sizeof list);
        return ctune_set_error(CTUNE_EINVAL, "add_dense: unknown activation '%s'; known: %s",
                               activation, list);
    }
    ctune_params *p;
    CTUNE_TRY(ctune__nn_options(&p, options, options_spec, "add_dense"));
    ctune_status rc = get_init(p, "kernel_initializer", CTUNE__INIT_GLOROT_UNIFORM, &l.kinit);
    if (rc == CTUNE_OK)
        rc = get_init(p, "bias_initializer", CTUNE__INIT_ZEROS, &l.binit);
    if (rc == CTUNE_OK)
        rc = ctune__params_bool_or(p, "use_bias", 1, &l.use_bias);
    if (rc == CTUNE_OK)
        rc = ctune__params_double_or(p, "l1", 0.0, &l.l1);
    if (rc == CTUNE_OK)
        rc = ctune__params_double_or(p, "l2", 0.0, &l.l2);
    if (rc == CTUNE_OK && (!(l.l1 >= 0) || !(l.l2 >= 0) || isinf(l.l1) || isinf(l.l2)))
        rc = ctune_set_error(CTUNE_EINVAL, "add_dense: l1 = %g and l2 = %g must be finite and >= 0",
                             l.l1, l.l2);
    ctune_params_free(p);
    if (rc != CTUNE_OK)
        return rc;
    return push_layer(m, &l);
}

ctune_status ctune_model_add_dropout(ctune_model *m, double rate)
{
    CTUNE_CHECK_NULL(m, "model");
    CTUNE_TRY(check_unbuilt(m, "add_dropout"));
    if (!(rate >= 0.0 && rate < 1.0))
        return ctune_set_error(CTUNE_EINVAL, "add_dropout: rate must be in [0, 1), got %g", rate);
    ctune__layer l = {0};
    l.kind = CTUNE__LAYER_DROPOUT;
    l.rate = rate;
    return push_layer(m, &l);
}

static ctune_status parse_metrics(ctune_model *m, const char *text)
{
    m->n_metrics = 0;
    const char *s = text;
    while (*s) {
        while (*s == '|' || *s == ' ' || *s == '[' || *s == ']' || *s == '\'' || *s == '"')
            s++;
        if (!*s)
            break;
        const char *e = s;
        while (*e && *e != '|' && *e != ' ' && *e != ']' && *e != '\'' && *e != '"')
            e++;
        char name[CTUNE__NN_NAME_CAP];
        size_t len = (size_t)(e - s);
        if (len >= sizeof name)
            len = sizeof name - 1;
        memcpy(name, s, len);
        name[len] = '\0';
        int id = ctune__metric_find(name);
        if (id < 0) {
            char list[LIST_CAP];
            ctune__metric_list(list, sizeof list);
            return ctune_set_error(CTUNE_EINVAL, "compile: unknown metric '%s'; known: %s", name,
                                   list);
        }
        if (m->n_metrics == CTUNE__NN_MAX_METRICS)
            return ctune_set_error(CTUNE_EINVAL, "compile: at most %d metrics",
                                   CTUNE__NN_MAX_METRICS);
        m->metrics[m->n_metrics] = id;
        memcpy(m->metric_names[m->n_metrics], name, len + 1);
        m->n_metrics++;
        s = e;
    }
    return CTUNE_OK;
}

ctune_status ctune_model_compile(ctune_model *m, const char *optimizer, const char *loss,
                                 const char *options)
{
    static const ctune_param_spec options_spec[] = {
        CTUNE__OPTIM_SPEC,
        {"metrics", CTUNE_TYPE_STRING, "", NULL, NULL, "metrics recorded: names separated by '|'"},
        {NULL, 0, NULL, NULL, NULL, NULL},
    };
    CTUNE_CHECK_NULL(m, "model");
    char list[LIST_CAP];
    int ok = ctune__optim_find(optimizer);
    if (ok < 0) {
        ctune__optim_list(list, sizeof list);
        return ctune_set_error(CTUNE_EINVAL, "compile: unknown optimizer '%s'; known: %s",
                               optimizer ? optimizer : "(null)", list);
    }
    int lid = ctune__loss_find(loss);
    if (lid < 0) {
        ctune__loss_list(list, sizeof list);
        return ctune_set_error(CTUNE_EINVAL, "compile: unknown loss '%s'; known: %s",
                               loss ? loss : "(null)", list);
    }
    ctune_params *p;
    CTUNE_TRY(ctune__nn_options(&p, options, options_spec, "compile"));
    ctune__optim o;
    ctune__optim_defaults(&o, ok);
    ctune_status rc = ctune__optim_configure(&o, p);
    ctune_model tmp = *m;
    const char *mt = NULL;
    if (rc == CTUNE_OK)
        rc = ctune__params_string_or(p, "metrics", "", &mt);
    if (rc == CTUNE_OK)
        rc = parse_metrics(&tmp, mt);
    ctune_params_free(p);
    if (rc != CTUNE_OK)
        return rc;
    ctune__optim_reset(&m->opt);
    m->opt = o;
    m->loss = lid;
    m->n_metrics = tmp.n_metrics;
    memcpy(m->metrics, tmp.metrics, sizeof m->metrics);
    memcpy(m->metric_names, tmp.metric_names, sizeof m->metric_names);
    m->compiled = 1;
    m->hist_len = 0;
    m->n_keys = 0;
    return CTUNE_OK;
}

void ctune__model_set_fit_ctx(ctune_model *m, const ctune_fit_ctx *ctx) { m->fit_ctx = ctx; }

uint64_t ctune__model_planned_params(const ctune_model *m, size_t input_dim, uint64_t limit)
{
    uint64_t n = 0, width = input_dim;
    for (size_t i = 0; i < m->n_layers; i++) {
        const ctune__layer *l = &m->layers[i];
        if (l->kind != CTUNE__LAYER_DENSE)
            continue;
        uint64_t units = l->units, w;
        if (width && units > limit / width)
            return UINT64_MAX;
        w = width * units + (l->use_bias ? units : 0); /* a wrap leaves w < units */
        if (w < units || w > limit - n)
            return UINT64_MAX;
        n += w;
        width = units;
    }
    return n;
}

long ctune__model_last_dense(const ctune_model *m)
{
    for (size_t i = m->n_layers; i-- > 0;)
        if (m->layers[i].kind == CTUNE__LAYER_DENSE)
            return (long)i;
    return -1;
}

ctune_status ctune__model_build(ctune_model *m, size_t input_dim)
{
    size_t n = 0, nseg = 0, width = input_dim, maxw = input_dim;
    for (size_t i = 0; i < m->n_layers; i++) {
        ctune__layer *l = &m->layers[i];
        l->in = width;
        if (l->kind == CTUNE__LAYER_DENSE) {
            size_t w;
            l->w_off = n;
            if (!ctune__size_mul(l->in, l->units, &w) || !ctune__size_add(n, w, &n) ||
                (l->use_bias && !ctune__size_add(n, l->units, &n)) || n > SIZE_MAX / 4)
                return ctune_set_error(CTUNE_ENOMEM,
                                       "build: layer %zu (%zu inputs × %zu "
                                       "units) takes the weight count past what "
                                       "memory can hold",
                                       i, l->in, l->units);
            nseg++;
            l->b_off = n - (l->use_bias ? l->units : 0);
            if (l->use_bias)
                nseg++;
        } else {
            l->units = width;
        }
        width = l->units;
        maxw = width > maxw ? width : maxw;
    }
    float *params = CTUNE_NEW_ARRAY(float, n ? n : 1);
    size_t *seg = CTUNE_NEW_ARRAY(size_t, nseg + 1);
    if (!params || !seg) {
        ctune__free(params);
        ctune__free(seg);
        return CTUNE_ENOMEM;
    }
    ctune_rng rng;
    ctune__rng_init(&rng, m->seed, STREAM_INIT);
    size_t s = 0;
    seg[0] = 0;
    for (size_t i = 0; i < m->n_layers; i++) {
        const ctune__layer *l = &m->layers[i];
        if (l->kind != CTUNE__LAYER_DENSE)
            continue;
        ctune__init_fill(l->kinit, params + l->w_off, l->in * l->units, l->in, l->units, &rng);
        seg[++s] = l->w_off + l->in * l->units;
        if (l->use_bias) {
            /* Keras' compute_fans for a 1-D shape: fan_in = fan_out = units */
            ctune__init_fill(l->binit, params + l->b_off, l->units, l->units, l->units, &rng);
            seg[++s] = l->b_off + l->units;
        }
    }
    ctune__free(m->params);
    ctune__free(m->seg);
    m->params = params;
    m->seg = seg;
    m->n_seg = nseg;
    m->n_params = n;
    m->max_width = maxw;
    m->input_dim = input_dim;
    ctune__optim_reset(&m->opt);
    return CTUNE_OK;
}

ctune_status ctune_model_build(ctune_model *m, size_t input_dim)
{
    CTUNE_CHECK_NULL(m, "model");
    if (input_dim == 0)
        return ctune_set_error(CTUNE_EINVAL, "build: input_dim must be >= 1");
    if (ctune__model_last_dense(m) < 0)
        return ctune_set_error(CTUNE_ESTATE, "build: the model has no Dense layer; add layers "
                                             "with ctune_model_add_dense()");
    if (m->input_dim == input_dim)
        return CTUNE_OK;
    if (m->input_dim)
        return ctune_set_error(CTUNE_ESTATE, "build: the model is built for %zu inputs, not %zu",
                               m->input_dim, input_dim);
    return ctune__model_build(m, input_dim);
}

ctune__loss_ctx ctune__model_loss_ctx(const ctune_model *m, size_t y_cols)
{
    ctune__loss_ctx c;
    long last = ctune__model_last_dense(m);
    c.loss = m->loss;
    c.out_act = last >= 0 ? m->layers[last].act : CTUNE__ACT_LINEAR;
    c.units = last >= 0 ? m->layers[last].units : 0;
    c.codes = (m->loss == CTUNE__LOSS_SCCE || m->loss == CTUNE__LOSS_CCE) && y_cols == 1 &&
              c.units >= 1;
    return c;
}

size_t ctune_model_n_layers(const ctune_model *m) { return m ? m->n_layers : 0; }

size_t ctune_model_n_outputs(const ctune_model *m)
{
    long last = m ? ctune__model_last_dense(m) : -1;
    return last >= 0 ? m->layers[last].units : 0;
}

size_t ctune_model_input_dim(const ctune_model *m) { return m ? m->input_dim : 0; }

const char *ctune_model_loss(const ctune_model *m)
{
    return m && m->compiled ? ctune__loss_name(m->loss) : NULL;
}

const char *ctune_model_output_activation(const ctune_model *m)
{
    long last = m ? ctune__model_last_dense(m) : -1;
    return last >= 0 ? ctune__act_name(m->layers[last].act) : NULL;
}

size_t ctune_model_n_params(const ctune_model *m) { return m ? m->n_params : 0; }

ctune_status ctune_model_get_weights(float *out, const ctune_model *m)
{
    CTUNE_CHECK_NULL(m, "model");
    CTUNE_CHECK_NULL(out, "out");
    if (!m->input_dim)
        return ctune_set_error(CTUNE_ESTATE, "get_weights: the model is not built yet (fit it or "
                                             "call ctune_model_build())");
    memcpy(out, m->params, m->n_params * sizeof *out);
    return CTUNE_OK;
}

ctune_status ctune_model_set_weights(ctune_model *m, const float *in)
{
    CTUNE_CHECK_NULL(m, "model");
    CTUNE_CHECK_NULL(in, "in");
    if (!m->input_dim)
        return ctune_set_error(CTUNE_ESTATE, "set_weights: the model is not built yet (fit it or "
                                             "call ctune_model_build())");
    for (size_t i = 0; i < m->n_params; i++)
        if (!isfinite(in[i]))
            return ctune_set_error(CTUNE_EDATA, "set_weights: weight %zu is not finite", i);
    memcpy(m->params, in, m->n_params * sizeof *in);
    return CTUNE_OK;
}

ctune_status ctune_model_set_threads(ctune_model *m, int threads)
{
    CTUNE_CHECK_NULL(m, "model");
    if (threads < 1)
        return ctune_set_error(CTUNE_EINVAL, "set_threads: threads must be >= 1, got %d", threads);
    m->threads = threads;
    return CTUNE_OK;
}

ctune_status ctune_model_set_seed(ctune_model *m, uint64_t seed)
{
    CTUNE_CHECK_NULL(m, "model");
    m->seed = seed;
    ctune__rng_init(&m->shuffle_rng, seed, STREAM_SHUFFLE);
    ctune__rng_init(&m->dropout_rng, seed, STREAM_DROPOUT);
    return CTUNE_OK;
}

size_t ctune_model_history_len(const ctune_model *m) { return m ? m->hist_len : 0; }
size_t ctune_model_history_n_keys(const ctune_model *m) { return m ? m->n_keys : 0; }

const char *ctune_model_history_key(const ctune_model *m, size_t i)
{
    return m && i < m->n_keys ? m->keys[i] : NULL;
}

ctune_status ctune_model_history_value(double *out, const ctune_model *m, const char *key,
                                       size_t epoch)
{
    CTUNE_CHECK_NULL(m, "model");
    CTUNE_CHECK_NULL(key, "key");
    CTUNE_CHECK_NULL(out, "out");
    size_t k = 0;
    while (k < m->n_keys && strcmp(m->keys[k], key) != 0)
        k++;
    if (k == m->n_keys) {
        char list[LIST_CAP];
        size_t len = 0;
        list[0] = '\0';
        for (size_t j = 0; j < m->n_keys && len < sizeof list; j++) {
            int w = snprintf(list + len, sizeof list - len, "%s%s", j ? ", " : "", m->keys[j]);
            len += w > 0 ? (size_t)w : 0;
        }
        return ctune_set_error(CTUNE_EINVAL, "history: unknown key '%s'; known: %s", key,
                               m->n_keys ? list : "(none: the model has not been fitted)");
    }
    if (epoch >= m->hist_len)
        return ctune_set_error(CTUNE_EINVAL, "history: epoch %zu is out of range (%zu recorded)",
                               epoch, m->hist_len);
    *out = m->hist[k * m->hist_cap + epoch];
    return CTUNE_OK;
}
