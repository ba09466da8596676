/* The training loop (minibatches, validation, history, EarlyStopping, epoch
 * callback), predict and evaluate. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/data.h"
#include "core/error.h"
#include "core/params.h"
#include "estimator/estimator.h"
#include "nn/gemm.h"
#include "nn/model.h"
#include "nn/nn.h"
#include "nn/optim.h"

#define PREDICT_CHUNK 256

_Static_assert(CTUNE__FIT_MONITOR_CAP == CTUNE__NN_NAME_CAP + 4, "a monitor holds any history key");

static ctune_status check_model(const ctune_model *m, const char *what, int need_compiled)
{
    if (m->n_layers == 0)
        return ctune_set_error(CTUNE_ESTATE,
                               "%s: the model has no layers; add layers with "
                               "ctune_model_add_dense()",
                               what);
    long last = ctune__model_last_dense(m);
    if (last < 0)
        return ctune_set_error(CTUNE_ESTATE, "%s: the model has no Dense layer", what);
    if ((size_t)last != m->n_layers - 1)
        return ctune_set_error(CTUNE_ESTATE,
                               "%s: the last layer is a Dropout; the output layer "
                               "must be Dense",
                               what);
    if (need_compiled && !m->compiled)
        return ctune_set_error(CTUNE_ESTATE,
                               "%s: the model is not compiled; call "
                               "ctune_model_compile() first",
                               what);
    return CTUNE_OK;
}

/* EarlyStopping, as keras.callbacks.EarlyStopping. */
typedef struct early_stop {
    int enabled, restore, maximize, have_best_weights;
    size_t key;
    int64_t patience, wait;
    double min_delta, best;
    float *best_weights;
} early_stop;

typedef struct fit_opts {
    int shuffle, has_seed;
    double validation_split;
    int64_t seed;
    early_stop es;
    char monitor[CTUNE__NN_NAME_CAP + 4], mode[16];
} fit_opts;

/* The fit options: checked by the one options parser against this spec. */
static const ctune_param_spec FIT_OPTIONS[] = {
    {"shuffle", CTUNE_TYPE_BOOL, "true", NULL, NULL, "shuffle the rows each epoch"},
    {"validation_split", CTUNE_TYPE_DOUBLE, "0", "[0, 1)", NULL,
     "last fraction of the rows held out for validation"},
    {"seed", CTUNE_TYPE_INT, NULL, NULL, NULL, "seeds the model before training"},
    {"verbose", CTUNE_TYPE_INT, "0", NULL, NULL, "accepted for Keras compatibility"},
    {"early_stopping_patience", CTUNE_TYPE_INT, NULL, "[0, inf)", NULL,
     "EarlyStopping: epochs without improvement before stopping"},
    {"monitor", CTUNE_TYPE_STRING, "val_loss", NULL, NULL, "EarlyStopping: the history key"},
    {"min_delta", CTUNE_TYPE_DOUBLE, "0", "(-inf, inf)", NULL,
     "EarlyStopping: smallest change that counts as an improvement"},
    {"mode", CTUNE_TYPE_STRING, "auto", NULL, "auto|min|max", "EarlyStopping: direction"},
    {"restore_best_weights", CTUNE_TYPE_BOOL, "false", NULL, NULL,
     "EarlyStopping: restore the best epoch's weights"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

void ctune__fit_opts_init(ctune__fit_opts *o)
{
    memset(o, 0, sizeof *o);
    o->shuffle = 1;
    snprintf(o->mode, sizeof o->mode, "auto");
}

ctune_status ctune__fit_opts_parse(ctune__fit_opts *o, const char *text)
{
    ctune__fit_opts_init(o);
    if (!text || !*text)
        return CTUNE_OK;
    ctune_params *p;
    CTUNE_TRY(ctune_params_parse_spec(&p, text, FIT_OPTIONS, "fit"));
    ctune_status rc = ctune__params_bool_or(p, "shuffle", 1, &o->shuffle);
    if (rc == CTUNE_OK)
        rc = ctune__params_double_or(p, "validation_split", 0.0, &o->validation_split);
    o->has_seed = ctune_params_find(p, "seed") >= 0;
    if (rc == CTUNE_OK)
        rc = ctune__params_int_or(p, "seed", 0, &o->seed);
    o->early_stopping = ctune_params_find(p, "early_stopping_patience") >= 0;
    if (rc == CTUNE_OK)
        rc = ctune__params_int_or(p, "early_stopping_patience", 0, &o->patience);
    if (rc == CTUNE_OK)
        rc = ctune__params_double_or(p, "min_delta", 0.0, &o->min_delta);
    if (rc == CTUNE_OK)
        rc = ctune__params_bool_or(p, "restore_best_weights", 0, &o->restore_best_weights);
    /* monitor is resolved against the history keys once they are known */
    const char *s;
    if (rc == CTUNE_OK && (rc = ctune__params_string_or(p, "monitor", "", &s)) == CTUNE_OK)
        snprintf(o->monitor, sizeof o->monitor, "%s", s);
    if (rc == CTUNE_OK && (rc = ctune__params_string_or(p, "mode", "auto", &s)) == CTUNE_OK)
        snprintf(o->mode, sizeof o->mode, "%s", s);
    ctune_params_free(p);
    return rc;
}

/* The run's copy of typed options (values from library code are checked
 * here as the spec checks text). */
static ctune_status fit_opts_from(fit_opts *o, const ctune__fit_opts *t)
{
    memset(o, 0, sizeof *o);
    if (!(t->validation_split >= 0 && t->validation_split < 1))
        return ctune_set_error(CTUNE_EINVAL,
                               "fit: option 'validation_split' = %g is out of "
                               "range [0, 1)",
                               t->validation_split);
    if (t->early_stopping && t->patience < 0)
        return ctune_set_error(CTUNE_EINVAL,
                               "fit: option 'early_stopping_patience' = %lld is "
                               "out of range [0, inf)",
                               (long long)t->patience);
    if (!isfinite(t->min_delta))
        return ctune_set_error(CTUNE_EINVAL,
                               "fit: option 'min_delta' = %g is out of range "
                               "(-inf, inf)",
                               t->min_delta);
    if (strcmp(t->mode, "auto") != 0 && strcmp(t->mode, "min") != 0 && strcmp(t->mode, "max") != 0)
        return ctune_set_error(CTUNE_EINVAL,
                               "fit: option 'mode' = '%s' is not one of "
                               "auto|min|max",
                               t->mode);
    o->shuffle = t->shuffle != 0;
    o->validation_split = t->validation_split;
    o->has_seed = t->has_seed;
    o->seed = t->seed;
    o->es.enabled = t->early_stopping != 0;
    o->es.patience = t->patience;
    o->es.min_delta = t->min_delta;
    o->es.restore = t->restore_best_weights != 0;
    snprintf(o->monitor, sizeof o->monitor, "%s", t->monitor);
    snprintf(o->mode, sizeof o->mode, "%s", t->mode);
    return CTUNE_OK;
}

static void set_keys(ctune_model *m, int validating)
{
    m->n_keys = 0;
    snprintf(m->keys[m->n_keys++], sizeof m->keys[0], "loss");
    for (int k = 0; k < m->n_metrics; k++)
        snprintf(m->keys[m->n_keys++], sizeof m->keys[0], "%s", m->metric_names[k]);
    if (validating) {
        snprintf(m->keys[m->n_keys++], sizeof m->keys[0], "val_loss");
        for (int k = 0; k < m->n_metrics; k++)
            snprintf(m->keys[m->n_keys++], sizeof m->keys[0], "val_%s", m->metric_names[k]);
    }
}

static ctune_status setup_early_stop(ctune_model *m, fit_opts *o, int validating)
{
    early_stop *es = &o->es;
    if (!es->enabled)
        return CTUNE_OK;
    const char *mon = o->monitor[0] ? o->monitor : "val_loss"; /* Keras' default */
    size_t k = 0;
    while (k < m->n_keys && strcmp(m->keys[k], mon) != 0)
        k++;
    if (k == m->n_keys) {
        char list[256];
        size_t len = 0;
        list[0] = '\0';
        for (size_t j = 0; j < m->n_keys && len < sizeof list; j++) {
            int w = snprintf(list + len, sizeof list - len, "%s%s", j ? ", " : "", m->keys[j]);
            len += w > 0 ? (size_t)w : 0;
        }
        return ctune_set_error(CTUNE_EINVAL,
                               "fit: monitor '%s' is not recorded by this fit%s; "
                               "known: %s",
                               mon,
                               strncmp(mon, "val_", 4) == 0 && !validating
                                   ? " (it needs validation_split or validation data)"
                                   : "",
                               list);
    }
    es->key = k;
    if (strcmp(o->mode, "max") == 0)
        es->maximize = 1;
    else if (strcmp(o->mode, "min") == 0)
        es->maximize = 0;
    else { /* auto: accuracies are maximized, everything else minimized */
        size_t len = strlen(mon);
        es->maximize = (len >= 3 && strcmp(mon + len - 3, "acc") == 0) ||
                       (len >= 8 && strcmp(mon + len - 8, "accuracy") == 0);
    }
    es->best = es->maximize ? -INFINITY : INFINITY;
    es->min_delta = fabs(es->min_delta);
    if (es->restore) {
        es->best_weights = CTUNE_NEW_ARRAY(float, m->n_params ? m->n_params : 1);
        if (!es->best_weights)
            return CTUNE_ENOMEM;
    }
    return CTUNE_OK;
}

/* Returns 1 when training should stop after `epoch`. */
static int early_stop_update(ctune_model *m, early_stop *es, size_t epoch, double cur)
{
    if (!es->enabled || isnan(cur))
        return 0;
    if (es->restore && !es->have_best_weights) {
        memcpy(es->best_weights, m->params, m->n_params * sizeof(float));
        es->have_best_weights = 1;
    }
    es->wait++;
    int better = es->maximize ? cur - es->min_delta > es->best : cur + es->min_delta < es->best;
    if (better) {
        es->best = cur;
        if (es->restore)
            memcpy(es->best_weights, m->params, m->n_params * sizeof(float));
        es->wait = 0;
        return 0;
    }
    return es->wait >= es->patience && epoch > 0;
}

/* Keras 3's on_train_end: the best weights come back whether training
 * stopped early or ran all its epochs (never when no epoch was judged). */
static void early_stop_end(ctune_model *m, const early_stop *es)
{
    if (es->enabled && es->restore && es->have_best_weights)
        memcpy(m->params, es->best_weights, m->n_params * sizeof(float));
}

/* 1 when every value is finite: no exponent field all ones. Integer ORs
 * vectorize (a float sum would be a serial chain of dependent adds). */
static int all_finite(const float *w, size_t n)
{
    uint32_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t b;
        memcpy(&b, &w[i], sizeof b);
        bad |= ((b & 0x7f800000u) == 0x7f800000u);
    }
    return bad == 0;
}

static void record(ctune_model *m, size_t key, size_t epoch, double v)
{
    m->hist[key * m->hist_cap + epoch] = v;
}

/* The rows a fit trains and validates on. */
typedef struct fit_rows {
    size_t n_train, n_val, val_start;
    const ctune_data *val; /* the validation data (`data` itself with validation_split) */
} fit_rows;

/* Checks the model and the data, splits off validation_split rows, seeds
 * the model when asked and builds it for X's width. */
static ctune_status prepare_rows(ctune_model *m, const ctune_data *data,
                                 const ctune_data *validation, const fit_opts *o, fit_rows *fr)
{
    CTUNE_TRY(check_model(m, "fit", 1));
    if (m->input_dim && ctune_data_n_cols(data) != m->input_dim)
        return ctune_set_error(CTUNE_EDATA,
                               "fit: X has %zu columns but the model was built for "
                               "%zu",
                               ctune_data_n_cols(data), m->input_dim);
    size_t n = ctune_data_n_rows(data);
    fr->n_train = n;
    fr->n_val = 0;
    fr->val = validation;
    fr->val_start = 0;
    if (!validation && o->validation_split > 0) {
        fr->n_train = (size_t)floor((double)n * (1.0 - o->validation_split));
        if (fr->n_train == 0 || fr->n_train == n)
            return ctune_set_error(CTUNE_EDATA,
                                   "fit: validation_split %g of %zu rows leaves "
                                   "%zu for training and %zu for validation",
                                   o->validation_split, n, fr->n_train, n - fr->n_train);
        fr->val = data;
        fr->val_start = fr->n_train;
        fr->n_val = n - fr->n_train;
    } else if (validation) {
        fr->n_val = ctune_data_n_rows(validation);
        if (fr->n_val == 0)
            return ctune_set_error(CTUNE_EDATA, "fit: the validation data has no rows");
    }
    if (fr->n_train == 0)
        return ctune_set_error(CTUNE_EDATA, "fit: the data has no rows");
    if (o->has_seed)
        ctune_model_set_seed(m, (uint64_t)o->seed);
    CTUNE_TRY(ctune__check_xy(m, data, "fit"));
    if (validation) {
        if (ctune_data_n_cols(validation) != ctune_data_n_cols(data))
            return ctune_set_error(CTUNE_EDATA,
                                   "fit: validation X has %zu columns, training X "
                                   "%zu",
                                   ctune_data_n_cols(validation), ctune_data_n_cols(data));
        CTUNE_TRY(ctune__check_xy(m, validation, "fit: validation data"));
        if (ctune_data_n_targets(validation) != ctune_data_n_targets(data))
            return ctune_set_error(CTUNE_EDATA,
                                   "fit: validation y has %zu columns, training y "
                                   "%zu",
                                   ctune_data_n_targets(validation), ctune_data_n_targets(data));
    }
    if (!m->input_dim)
        CTUNE_TRY(ctune__model_build(m, ctune_data_n_cols(data)));
    return CTUNE_OK;
}

/* The history (sized for `epochs`), the workspace (sized for the
 * largest batch, training or validation), the optimizer's state and the
 * row permutation. */
static ctune_status alloc_fit(ctune_model *m, ctune__ws *ws, size_t **perm, const fit_rows *fr,
                              size_t t, int64_t epochs, int64_t batch_size)
{
    /* batch_size and epochs are compared as 64-bit values, never truncated */
    size_t cap = (uint64_t)batch_size < (uint64_t)fr->n_train ? (size_t)batch_size : fr->n_train;
    if (fr->n_val > cap && (uint64_t)cap < (uint64_t)batch_size)
        cap = (uint64_t)fr->n_val < (uint64_t)batch_size ? fr->n_val : (size_t)batch_size;
    ctune_status rc = ctune__ws_alloc(ws, m, cap, t, 1);
    if (rc == CTUNE_OK)
        rc = ctune__optim_prepare(&m->opt, m->n_params);
    if (rc == CTUNE_OK && !(*perm = CTUNE_NEW_ARRAY(size_t, fr->n_train)))
        rc = CTUNE_ENOMEM;
    if (rc == CTUNE_OK && epochs > 0 && (uint64_t)epochs > SIZE_MAX / sizeof(double) / m->n_keys)
        rc = ctune_set_error(CTUNE_ENOMEM,
                             "fit: a history of %lld epochs × %zu values does not "
                             "fit in memory",
                             (long long)epochs, m->n_keys);
    if (rc == CTUNE_OK && epochs > 0 &&
        !(m->hist = ctune__calloc(m->n_keys * (size_t)epochs, sizeof(double))))
        rc = CTUNE_ENOMEM;
    if (rc == CTUNE_OK)
        m->hist_cap = (size_t)epochs;
    return rc;
}

/* Records epoch `ep` in the history: the training loss and metrics, then
 * the validation ones. */
static ctune_status record_epoch(ctune_model *m, ctune__ws *ws, const fit_rows *fr, size_t ep,
                                 double loss_sum, const double *msum)
{
    size_t key = 0;
    record(m, key++, ep, loss_sum / (double)fr->n_train);
    for (int k = 0; k < m->n_metrics; k++)
        record(m, key++, ep, msum[k] / (double)fr->n_train);
    if (fr->val) {
        double vl, vm[CTUNE__NN_MAX_METRICS];
        CTUNE_TRY(ctune__evaluate_ws(m, ws, fr->val, fr->val_start, fr->n_val, &vl, vm));
        record(m, key++, ep, vl / (double)fr->n_val + ctune__reg_loss(m));
        for (int k = 0; k < m->n_metrics; k++)
            record(m, key++, ep, vm[k] / (double)fr->n_val);
    }
    m->hist_len = ep + 1;
    return CTUNE_OK;
}

/* CTUNE_ECANCELLED when the fit context asks to stop (polled per minibatch). */
static ctune_status batch_cancelled(const ctune_model *m, int64_t e, size_t batch)
{
    if (!ctune_fit_ctx_cancelled(m->fit_ctx))
        return CTUNE_OK;
    return ctune_set_error(CTUNE_ECANCELLED, "fit: cancelled at epoch %lld, batch %zu",
                           (long long)e, batch);
}

/* CTUNE_ENUMERIC when a minibatch's loss is not finite. */
static ctune_status check_loss(double bl, int64_t e, size_t batch)
{
    if (isfinite(bl))
        return CTUNE_OK;
    return ctune_set_error(CTUNE_ENUMERIC,
                           "fit: the loss became %s at epoch %lld, batch %zu "
                           "(try a smaller learning_rate or clipnorm)",
                           isnan(bl) ? "NaN" : "Inf", (long long)e, batch);
}

static ctune_status check_weights(const ctune_model *m, int64_t e)
{
    if (all_finite(m->params, m->n_params))
        return CTUNE_OK;
    return ctune_set_error(CTUNE_ENUMERIC,
                           "fit: the weights became NaN or Inf during epoch %lld "
                           "(try a smaller learning_rate or clipnorm)",
                           (long long)e);
}

/* The epoch callback's answer: CTUNE_OK to go on; its status, or
 * CTUNE_EUSER naming the epoch, to stop. */
static ctune_status epoch_callback(ctune_model *m, int64_t e, ctune_epoch_callback callback,
                                   void *user)
{
    int r = callback(m, (int)e, user);
    if (r == 0)
        return CTUNE_OK;
    if (r < 0 && r >= CTUNE_EINTERNAL)
        return r;
    return ctune_set_error(CTUNE_EUSER,
                           "fit: stopped by the epoch callback after epoch %lld "
                           "(it returned %d)",
                           (long long)e, r);
}

ctune_status ctune_model_fit_monitored(ctune_model *m, const ctune_data *data,
                                       const ctune_data *validation, int64_t epochs,
                                       int64_t batch_size, const char *options,
                                       ctune_epoch_callback callback, void *user)
{
    CTUNE_CHECK_NULL(m, "model");
    CTUNE_CHECK_NULL(data, "data");
    ctune__fit_opts t;
    CTUNE_TRY(ctune__fit_opts_parse(&t, options));
    return ctune__model_fit(m, data, validation, epochs, batch_size, &t, callback, user);
}

/* One compact float32 copy of the training rows of `data` (and float64 y):
 * a view over the running worker's scratch block when the fit context
 * has one free (*taken = that block, to give back once the view is
 * freed), else over blocks of its own. The copy holds the very values a
 * direct gather gives. */
static ctune_status compact_rows(const ctune_model *m, const ctune_data *data, size_t n_train,
                                 size_t t, ctune_data **out, ctune__scratch **taken)
{
    *out = NULL;
    *taken = NULL;
    size_t w = ctune_data_n_cols(data);
    if (w == 0 || n_train > SIZE_MAX / sizeof(double) / w ||
        (t && n_train > SIZE_MAX / sizeof(double) / t))
        return ctune_set_error(CTUNE_ENOMEM, "fit: %zu rows × %zu columns cannot be addressed",
                               n_train, w);
    size_t xbytes = (n_train * w * sizeof(float) + 7) / 8 * 8,
           ybytes = n_train * t * sizeof(double);
    ctune__scratch *sc = m->fit_ctx ? m->fit_ctx->scratch : NULL;
    void *block = NULL;
    CTUNE_TRY(ctune__scratch_take(sc, xbytes + ybytes, &block));
    if (block)
        *taken = sc;
    float *xc = block ? block : ctune__malloc(xbytes);
    double *yc = block ? (double *)((char *)block + xbytes) : (t ? ctune__malloc(ybytes) : NULL);
    ctune_status rc = !xc || (t && !yc) ? CTUNE_ENOMEM
                                        : ctune_data_gather_f32(xc, w, data, NULL, n_train);
    if (rc == CTUNE_OK && t)
        rc = ctune_data_gather_y(yc, data, NULL, n_train);
    if (rc == CTUNE_OK)
        rc = block ? ctune_data_new(out, xc, CTUNE_FLOAT32, n_train, w, w, t ? yc : NULL, t)
                   /* takes xc and yc, also when it fails */
                   : ctune__data_new_owned(out, xc, CTUNE_FLOAT32, n_train, w, yc, t);
    else if (!block) {
        ctune__free(xc);
        ctune__free(yc);
    }
    if (rc != CTUNE_OK) {
        ctune__scratch_give(*taken);
        *taken = NULL;
        return rc;
    }
    ctune__data_trust(*out); /* checked by the caller's validation */
    return CTUNE_OK;
}

/* What every epoch of one fit uses. */
typedef struct {
    ctune_model *m;
    ctune__ws *ws;
    const ctune_data *train;
    size_t *perm;
    size_t n_train, bs;
    int shuffle, fused;
    ctune__loss_ctx c;
    int met[CTUNE__NN_MAX_METRICS];
} epoch_run;

/* One epoch: its minibatches in a new order, each a forward pass, the
 * loss, a backward pass and an optimizer step. Sums the rows' losses
 * into *loss_sum and their metrics into msum (zeroed by the caller). */
static ctune_status run_epoch(epoch_run *r, int64_t e, double *loss_sum, double *msum)
{
    ctune_model *m = r->m;
    for (size_t i = 0; i < r->n_train; i++)
        r->perm[i] = i;
    if (r->shuffle)
        ctune__rng_shuffle_size(&m->shuffle_rng, r->perm, r->n_train);
    size_t batch = 0;
    for (size_t s = 0; s < r->n_train; s += r->bs, batch++) {
        CTUNE_TRY(batch_cancelled(m, e, batch));
        size_t rows = r->n_train - s < r->bs ? r->n_train - s : r->bs;
        ctune__nn_pool_step_begin(r->ws->pool);
        CTUNE_TRY(ctune__ws_gather(r->ws, m, r->train, r->perm, s, rows, 1));
        const float *z;
        const float *a = ctune__forward(m, r->ws, rows, 1, &z);
        double lsum = ctune__loss_batch(&r->c, z, a, r->ws->y, rows, r->ws->g0, rows);
        for (int k = 0; k < m->n_metrics; k++)
            msum[k] += ctune__metric_batch(r->met[k], &r->c, a, r->ws->y, rows);
        double reg = ctune__backward(m, r->ws, rows, r->fused);
        double bl = lsum / (double)rows + reg;
        CTUNE_TRY(check_loss(bl, e, batch));
        *loss_sum += bl * (double)rows;
        ctune__optim_step_on(&m->opt, r->ws->pool, m->params, r->ws->grads, m->seg, m->n_seg);
        ctune__nn_pool_step_end(r->ws->pool, rows == r->bs);
    }
    return CTUNE_OK;
}

ctune_status ctune__model_fit(ctune_model *m, const ctune_data *data, const ctune_data *validation,
                              int64_t epochs, int64_t batch_size, const ctune__fit_opts *opts,
                              ctune_epoch_callback callback, void *user)
{
    CTUNE_CHECK_NULL(m, "model");
    CTUNE_CHECK_NULL(data, "data");
    if (batch_size < 1)
        return ctune_set_error(CTUNE_EINVAL, "fit: batch_size must be >= 1, got %lld",
                               (long long)batch_size);
    if (epochs < 0)
        return ctune_set_error(CTUNE_EINVAL, "fit: epochs must be >= 0, got %lld",
                               (long long)epochs);
    fit_opts o;
    CTUNE_TRY(fit_opts_from(&o, opts));
    fit_rows fr = {0, 0, 0, NULL};
    CTUNE_TRY(prepare_rows(m, data, validation, &o, &fr));
    size_t n_train = fr.n_train;
    const ctune_data *val = fr.val;

    /* Everything is allocated here, before the first batch. */
    ctune__free(m->hist);
    m->hist = NULL;
    m->hist_len = m->hist_cap = 0;
    set_keys(m, val != NULL);
    size_t t = ctune_data_n_targets(data);
    /* batch_size is compared as a 64-bit value, never truncated */
    size_t bs = (uint64_t)batch_size < (uint64_t)n_train ? (size_t)batch_size : n_train;
    ctune__ws ws;
    size_t *perm = NULL;
    ctune_data *compact = NULL;     /* the training rows as float32 (below) */
    ctune__scratch *scratch = NULL; /* the worker's block holding them, when taken */
    ctune_status rc = setup_early_stop(m, &o, val != NULL);
    if (rc != CTUNE_OK) {
        ctune__free(o.es.best_weights);
        return rc;
    }
    rc = alloc_fit(m, &ws, &perm, &fr, t, epochs, batch_size);
    if (rc != CTUNE_OK)
        goto done;

    /* Every epoch reads the training rows in a new random order. When they
     * are a subset of a larger array (a cross-validation fold), one compact
     * float32 copy of them (the network's input type) keeps those reads in
     * a dense block half the size of a float64 copy instead of scattered
     * over the whole array, and applies a view's column map once. A view of
     * all its array's rows is read in place: a copy would only add memory.
     * The copy holds the very values a direct gather gives. */
    const ctune_data *train = data;
    if (data->idx) {
        rc = compact_rows(m, data, n_train, t, &compact, &scratch);
        if (rc != CTUNE_OK)
            goto done;
        train = compact;
    }

    epoch_run run = {.m = m,
                     .ws = &ws,
                     .train = train,
                     .perm = perm,
                     .n_train = n_train,
                     .bs = bs,
                     .shuffle = o.shuffle,
                     .c = ctune__model_loss_ctx(m, t)};
    run.fused = ctune__loss_fused(&run.c);
    for (int k = 0; k < m->n_metrics; k++)
        run.met[k] = ctune__metric_resolve(m->metrics[k], m->loss, run.c.units);

    for (int64_t e = 0; e < epochs; e++) {
        double loss_sum = 0.0, msum[CTUNE__NN_MAX_METRICS] = {0};
        if ((rc = run_epoch(&run, e, &loss_sum, msum)) != CTUNE_OK)
            goto done;
        /* A finite loss can still be followed by a step to Inf (the next
         * batch's loss catches it, except after the last step of a fit,
         * which would leave a model predicting NaN). Checked once per
         * epoch: a scan of every weight per step cost more than a small
         * network's whole step. */
        if ((rc = check_weights(m, e)) != CTUNE_OK)
            goto done;
        size_t ep = (size_t)e;
        rc = record_epoch(m, &ws, &fr, ep, loss_sum, msum);
        if (rc != CTUNE_OK)
            goto done;
        double mon = o.es.enabled ? m->hist[o.es.key * m->hist_cap + ep] : 0.0;
        int stop = early_stop_update(m, &o.es, ep, mon);
        if (callback && (rc = epoch_callback(m, e, callback, user)) != CTUNE_OK)
            goto done;
        if (stop)
            break;
    }
    early_stop_end(m, &o.es);
done:
    ctune__nn_pool_counts(ws.pool, &m->fit_split_steps, &m->fit_alone_steps);
    ctune__free(perm);
    ctune__free(o.es.best_weights);
    ctune__ws_free(&ws);
    ctune_data_free(compact);
    ctune__scratch_give(scratch); /* after the view over it is gone */
    return rc;
}

ctune_status ctune_model_fit(ctune_model *m, const ctune_data *data, int64_t epochs,
                             int64_t batch_size, const char *options)
{
    return ctune_model_fit_monitored(m, data, NULL, epochs, batch_size, options, NULL, NULL);
}

ctune_status ctune_model_predict(double *out, ctune_model *m, const ctune_data *X)
{
    CTUNE_CHECK_NULL(m, "model");
    CTUNE_CHECK_NULL(X, "X");
    CTUNE_CHECK_NULL(out, "out");
    CTUNE_TRY(check_model(m, "predict", 0));
    if (!m->input_dim)
        return ctune_set_error(CTUNE_ESTATE, "predict: the model is not built (fit it first)");
    CTUNE_TRY(ctune__check_x(m, X, "predict"));
    size_t n = ctune_data_n_rows(X), u = ctune_model_n_outputs(m);
    if (n == 0)
        return CTUNE_OK;
    ctune__ws ws;
    CTUNE_TRY(ctune__ws_alloc(&ws, m, n < PREDICT_CHUNK ? n : PREDICT_CHUNK, 0, 0));
    ctune_status rc = CTUNE_OK;
    for (size_t s = 0; s < n && rc == CTUNE_OK; s += ws.cap) {
        size_t rows = n - s < ws.cap ? n - s : ws.cap;
        ctune__nn_pool_step_begin(ws.pool); /* chunks are timed as training steps */
        rc = ctune__ws_gather(&ws, m, X, NULL, s, rows, 0);
        if (rc != CTUNE_OK)
            break;
        const float *a = ctune__forward(m, &ws, rows, 0, NULL);
        ctune__nn_pool_step_end(ws.pool, rows == ws.cap);
        for (size_t k = 0; k < rows * u; k++)
            out[s * u + k] = a[k];
        if (!all_finite(a, rows * u)) {
            size_t k = 0;
            while (isfinite(a[k]))
                k++;
            rc = ctune_set_error(CTUNE_ENUMERIC,
                                 "predict: the output for row %zu is %s (the "
                                 "weights or X are too large for float32)",
                                 s + k / u, isnan(a[k]) ? "NaN" : "Inf");
        }
    }
    ctune__ws_free(&ws);
    return rc;
}

ctune_status ctune_model_evaluate(double *out_loss, double *out_metric, ctune_model *m,
                                  const ctune_data *data)
{
    CTUNE_CHECK_NULL(m, "model");
    CTUNE_CHECK_NULL(data, "data");
    CTUNE_CHECK_NULL(out_loss, "out_loss");
    CTUNE_TRY(check_model(m, "evaluate", 1));
    if (!m->input_dim)
        return ctune_set_error(CTUNE_ESTATE, "evaluate: the model is not built (fit it first)");
    CTUNE_TRY(ctune__check_xy(m, data, "evaluate"));
    size_t n = ctune_data_n_rows(data);
    if (n == 0)
        return ctune_set_error(CTUNE_EDATA, "evaluate: the data has no rows");
    ctune__ws ws;
    CTUNE_TRY(ctune__ws_alloc(&ws, m, n < PREDICT_CHUNK ? n : PREDICT_CHUNK,
                              ctune_data_n_targets(data), 0));
    double l, ms[CTUNE__NN_MAX_METRICS];
    ctune_status rc = ctune__evaluate_ws(m, &ws, data, 0, n, &l, ms);
    ctune__ws_free(&ws);
    if (rc != CTUNE_OK)
        return rc;
    *out_loss = l / (double)n + ctune__reg_loss(m);
    if (out_metric)
        *out_metric = m->n_metrics ? ms[0] / (double)n : NAN;
    return CTUNE_OK;
}
