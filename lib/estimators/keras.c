/* KerasClassifier / KerasRegressor: a model-builder callback (the C form of
 * Keras' create_model) turned into an estimator, as scikeras does.
 *
 * The wrapper's own params (epochs, batch_size, ...) go to training; all
 * others go to the builder. Each estimator family (one _new call and its
 * clones) shares a reference-counted `family` holding its vtable copy and the
 * merged param spec. */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/cnum.h"
#include "core/error.h"
#include "core/log.h"
#include "core/params.h"
#include "estimator/estimator.h"
#include "io/stream.h"
#include "nn/nn.h"

/* Training params: routed to the fit, never to the builder. */
static const ctune_param_spec TRAIN_SPEC[] = {
    {"epochs", CTUNE_TYPE_INT, "1", "[0, inf)", NULL, "passes over the training data"},
    {"batch_size", CTUNE_TYPE_INT, "32", "[1, inf)", NULL, "samples per gradient step"},
    {"shuffle", CTUNE_TYPE_BOOL, "true", NULL, NULL, "shuffle the training rows each epoch"},
    {"validation_split", CTUNE_TYPE_DOUBLE, "0", "[0, 1)", NULL,
     "fraction of the training rows (from the tail) held out for val_* metrics"},
    {"verbose", CTUNE_TYPE_INT, "0", "[0, 2]", NULL,
     "1: one log line per epoch through ctune_set_log_callback()"},
    {"seed", CTUNE_TYPE_INT, "0", "[0, inf)", NULL, "seed of weights, shuffling and dropout"},
    {"early_stopping", CTUNE_TYPE_BOOL, "false", NULL, NULL, "stop when `monitor` stops improving"},
    {"monitor", CTUNE_TYPE_STRING | CTUNE_TYPE_NONE, "none", NULL,
     "loss|val_loss|accuracy|val_accuracy",
     "early-stopping quantity (none: val_loss with a validation split, else loss)"},
    {"patience", CTUNE_TYPE_INT, "0", "[0, inf)", NULL,
     "epochs without improvement before stopping"},
    {"min_delta", CTUNE_TYPE_DOUBLE, "0", "[0, inf)", NULL,
     "smallest change that counts as improvement"},
    {"restore_best_weights", CTUNE_TYPE_BOOL, "false", NULL, NULL,
     "when stopping early, go back to the best epoch's weights"},
};
#define N_TRAIN (sizeof TRAIN_SPEC / sizeof TRAIN_SPEC[0])

typedef struct family {
    atomic_int refs;
    ctune_estimator_vtable vt; /* per family: its params point at `spec` */
    ctune_param_spec *spec;    /* training params, then the builder's, then {NULL} */
    ctune_build_fn build;
    void *user;
} family;

typedef struct keras {
    const family *fam;
    ctune_params *train;   /* training params */
    ctune_params *builder; /* builder params (+ meta at fit) */
    ctune_model *model;
    size_t n_classes; /* classifiers */
    size_t units;     /* output units */
    int warm_ok;      /* fitted here (not loaded), without early stopping:
                            * fit_more can continue it exactly */
} keras;

static int is_train_param(const char *name)
{
    for (size_t i = 0; i < N_TRAIN; i++)
        if (strcmp(TRAIN_SPEC[i].name, name) == 0)
            return 1;
    return 0;
}

static void family_retain(void *user)
{
    family *f = user;
    atomic_fetch_add(&f->refs, 1);
}

static void family_release(void *user)
{
    family *f = user;
    if (f && atomic_fetch_sub(&f->refs, 1) == 1) {
        ctune__free(f->spec);
        ctune__free(f);
    }
}

/* ---- vtable methods ------------------------------------------------------ */

static void keras_destroy(void *self)
{
    keras *k = self;
    if (!k)
        return;
    ctune_model_free(k->model);
    ctune_params_free(k->train);
    ctune_params_free(k->builder);
    ctune__free(k);
}

static ctune_status keras_create(void **out, const ctune_params *params, void *user)
{
    const family *f = user;
    keras *k = ctune__calloc(1, sizeof *k);
    if (!k)
        return CTUNE_ENOMEM;
    k->fam = f;
    ctune_status rc = ctune_params_new(&k->train);
    if (rc == CTUNE_OK)
        rc = ctune_params_new(&k->builder);
    for (size_t i = 0; rc == CTUNE_OK && i < ctune_params_count(params); i++) {
        const char *name = ctune_params_name(params, i);
        rc = ctune__params_copy_value(is_train_param(name) ? k->train : k->builder, name, params,
                                      name);
    }
    if (rc != CTUNE_OK) {
        keras_destroy(k);
        return rc;
    }
    *out = k;
    return CTUNE_OK;
}

/* Checks the built model against the task. */
static ctune_status check_output(keras *k, int kind, size_t n_targets)
{
    const char *name = k->fam->vt.name;
    if (!ctune_model_loss(k->model))
        return ctune_set_error(CTUNE_EINVAL, "%s: the builder did not compile the model", name);
    size_t units = ctune_model_n_outputs(k->model);
    k->units = units;
    if (kind == CTUNE_CLASSIFIER) {
        if (units == k->n_classes || (k->n_classes == 2 && units == 1))
            return CTUNE_OK;
        return ctune_set_error(CTUNE_EDATA,
                               "%s: the model's output layer has %zu units but the data has %zu "
                               "classes (use %zu softmax units%s)",
                               name, units, k->n_classes, k->n_classes,
                               k->n_classes == 2 ? ", or 1 sigmoid unit" : "");
    }
    if (units != n_targets)
        return ctune_set_error(CTUNE_EDATA,
                               "%s: the model's output layer has %zu units but y has %zu targets",
                               name, units, n_targets);
    return CTUNE_OK;
}

/* The engine's fit options from the wrapper's training params (typed:
 * patience is the engine's early_stopping_patience). */
static ctune_status fit_options(const ctune_params *t, ctune__fit_opts *o)
{
    int64_t patience;
    double vsplit, min_delta;
    int shuffle, early, restore;
    const char *monitor = NULL;
    CTUNE_TRY(ctune_params_get_bool(&shuffle, t, "shuffle"));
    CTUNE_TRY(ctune_params_get_double(&vsplit, t, "validation_split"));
    CTUNE_TRY(ctune_params_get_bool(&early, t, "early_stopping"));
    CTUNE_TRY(ctune_params_get_int(&patience, t, "patience"));
    CTUNE_TRY(ctune_params_get_double(&min_delta, t, "min_delta"));
    CTUNE_TRY(ctune_params_get_bool(&restore, t, "restore_best_weights"));
    if (!ctune_params_is_none(t, "monitor"))
        CTUNE_TRY(ctune_params_get_string(&monitor, t, "monitor"));
    if (!monitor)
        monitor = vsplit > 0 ? "val_loss" : "loss";
    /* The seed is set with ctune_model_set_seed(). */
    ctune__fit_opts_init(o);
    o->shuffle = shuffle;
    o->validation_split = vsplit;
    if (early) {
        if (strlen(monitor) >= sizeof o->monitor)
            return ctune_set_error(CTUNE_EINVAL, "monitor '%s' is too long", monitor);
        o->early_stopping = 1;
        o->patience = patience;
        snprintf(o->monitor, sizeof o->monitor, "%s", monitor);
        o->min_delta = min_delta;
        o->restore_best_weights = restore;
    }
    return CTUNE_OK;
}

typedef struct verbose_ctx {
    const char *name;
    int64_t epochs;
} verbose_ctx;

static int log_epoch(const ctune_model *m, int epoch, void *user)
{
    const verbose_ctx *v = user;
    double loss = NAN, acc = NAN, vloss = NAN;
    ctune_model_history_value(&loss, m, "loss", (size_t)epoch);
    int has_acc = ctune_model_history_value(&acc, m, "accuracy", (size_t)epoch) == CTUNE_OK;
    int has_val = ctune_model_history_value(&vloss, m, "val_loss", (size_t)epoch) == CTUNE_OK;
    ctune_clear_error();
    char extra[96] = "";
    int w = 0;
    if (has_acc)
        w = ctune__snprintf_c(extra, sizeof extra, " - accuracy: %.4f", acc);
    if (has_val && w >= 0 && (size_t)w < sizeof extra)
        ctune__snprintf_c(extra + w, sizeof extra - (size_t)w, " - val_loss: %.4f", vloss);
    ctune__log(0, "%s: Epoch %d/%lld - loss: %.4f%s", v->name, epoch + 1, (long long)v->epochs,
               loss, extra);
    return 0;
}

static ctune_status keras_fit(void *self, const ctune_data *train, size_t n_classes,
                              const ctune_fit_ctx *ctx)
{
    keras *k = self;
    const family *f = k->fam;
    int kind = f->vt.kind;
    int64_t epochs, batch, seed, verbose;
    CTUNE_TRY(ctune_params_get_int(&epochs, k->train, "epochs"));
    CTUNE_TRY(ctune_params_get_int(&batch, k->train, "batch_size"));
    CTUNE_TRY(ctune_params_get_int(&seed, k->train, "seed"));
    CTUNE_TRY(ctune_params_get_int(&verbose, k->train, "verbose"));
    size_t n_targets = ctune_data_n_targets(train);
    if (kind == CTUNE_CLASSIFIER && n_classes < 2)
        return ctune_set_error(CTUNE_EDATA,
                               "%s: the training data has only %zu class; need at least 2",
                               f->vt.name, n_classes);
    k->n_classes = n_classes;

    /* meta values, as scikeras passes them to create_model */
    CTUNE_TRY(
        ctune_params_set_int(k->builder, "n_features_in_", (int64_t)ctune_data_n_cols(train)));
    CTUNE_TRY(ctune_params_set_int(k->builder, "n_outputs_",
                                   kind == CTUNE_CLASSIFIER ? 1 : (int64_t)n_targets));
    if (kind == CTUNE_CLASSIFIER)
        CTUNE_TRY(ctune_params_set_int(k->builder, "n_classes_", (int64_t)n_classes));

    ctune_model_free(k->model);
    k->model = NULL;
    CTUNE_TRY(ctune_model_new(&k->model));
    uint64_t fit_seed = ctune_fit_ctx_seed(ctx, (uint64_t)seed);
    CTUNE_TRY(ctune_model_set_seed(k->model, fit_seed));
    CTUNE_TRY(ctune_model_set_threads(k->model, ctune_fit_ctx_threads(ctx)));

    ctune_clear_error();
    ctune_status rc = f->build(k->builder, k->model, f->user);
    if (rc != CTUNE_OK) {
        if (ctune_last_error()[0] == '\0')
            ctune_set_error(rc, "the model builder failed (%s)", ctune_status_string(rc));
        ctune__error_prefix("%s: build", f->vt.name);
        return rc;
    }
    CTUNE_TRY(check_output(k, kind, n_targets));
    ctune__fit_opts opts;
    CTUNE_TRY(fit_options(k->train, &opts));
    verbose_ctx vctx = {f->vt.name, epochs};
    ctune__model_set_fit_ctx(k->model, ctx); /* polled for cancellation per minibatch */
    rc = ctune__model_fit(k->model, train, NULL, epochs, batch, &opts,
                          verbose > 0 && ctune__log_enabled() ? log_epoch : NULL, &vctx);
    ctune__model_set_fit_ctx(k->model, NULL);
    if (rc != CTUNE_OK) /* the engine's messages start with "fit: " */
        ctune__error_prefix("%s", f->vt.name);
    int early = 0;
    if (rc == CTUNE_OK)
        rc = ctune_params_get_bool(&early, k->train, "early_stopping");
    k->warm_ok = rc == CTUNE_OK && !early;
    return rc;
}

/* 1 when every param of `a` has the same value in `b` (by value text). */
static int params_subset_equal(const ctune_params *a, const ctune_params *b)
{
    for (size_t i = 0; i < ctune_params_count(a); i++) {
        const char *name = ctune_params_name(a, i);
        char va[256], vb[256];
        long la = ctune_params_value_text(va, sizeof va, a, name);
        long lb = ctune_params_value_text(vb, sizeof vb, b, name);
        if (la < 0 || lb < 0 || (size_t)la >= sizeof va || la != lb || strcmp(va, vb) != 0)
            return 0;
    }
    return 1;
}

/* Warm start: the model keeps its weights, optimizer slots and iteration
 * count, and its shuffle and dropout RNG streams between fits, so E more
 * epochs continue exactly where the last fit stopped. Only `epochs` may
 * differ from the params of the fit being continued, and only upwards. */
static ctune_status keras_fit_more(void *self, const ctune_params *params, const ctune_data *train,
                                   size_t n_classes, const ctune_fit_ctx *ctx)
{
    keras *k = self;
    const family *f = k->fam;
    if (!k->warm_ok || !k->model || n_classes != k->n_classes)
        return ctune_set_error(CTUNE_EUNSUPPORTED, "%s: this fit cannot be continued exactly",
                               f->vt.name);
    keras *next = NULL;
    CTUNE_TRY(keras_create((void **)&next, params, (void *)f));
    int64_t had = 0, want = 0, batch = 0, verbose = 0;
    ctune_status rc = ctune_params_get_int(&had, k->train, "epochs");
    if (rc == CTUNE_OK)
        rc = ctune_params_get_int(&want, next->train, "epochs");
    if (rc == CTUNE_OK)
        rc = ctune_params_set_int(next->train, "epochs", had);
    int same = rc == CTUNE_OK && want >= had && ctune_params_equal(next->train, k->train) &&
               params_subset_equal(next->builder, k->builder);
    keras_destroy(next);
    CTUNE_TRY(rc);
    if (!same)
        return ctune_set_error(CTUNE_EUNSUPPORTED, "%s: only a larger epochs can continue a fit",
                               f->vt.name);
    if (want == had)
        return CTUNE_OK;
    CTUNE_TRY(ctune_params_get_int(&batch, k->train, "batch_size"));
    CTUNE_TRY(ctune_params_get_int(&verbose, k->train, "verbose"));
    ctune__fit_opts opts;
    CTUNE_TRY(fit_options(k->train, &opts));
    CTUNE_TRY(ctune_model_set_threads(k->model, ctune_fit_ctx_threads(ctx)));
    verbose_ctx vctx = {f->vt.name, want - had};
    k->warm_ok = 0; /* until this continuation succeeds */
    ctune__model_set_fit_ctx(k->model, ctx);
    rc = ctune__model_fit(k->model, train, NULL, want - had, batch, &opts,
                          verbose > 0 && ctune__log_enabled() ? log_epoch : NULL, &vctx);
    ctune__model_set_fit_ctx(k->model, NULL);
    if (rc != CTUNE_OK) {
        ctune__error_prefix("%s", f->vt.name);
        return rc == CTUNE_EUNSUPPORTED ? CTUNE_EINTERNAL : rc; /* self has changed */
    }
    CTUNE_TRY(ctune_params_set_int(k->train, "epochs", want));
    k->warm_ok = 1;
    return CTUNE_OK;
}

/* Class probabilities n × n_classes from the model's outputs. */
static ctune_status keras_predict_proba(void *self, const ctune_data *X, double *out)
{
    keras *k = self;
    size_t n = ctune_data_n_rows(X);
    if (k->units == 1) {
        /* one sigmoid unit: P(class 1) in column 1 */
        double *p = CTUNE_NEW_ARRAY(double, n ? n : 1);
        if (!p)
            return CTUNE_ENOMEM;
        ctune_status rc = ctune_model_predict(p, k->model, X);
        for (size_t i = 0; rc == CTUNE_OK && i < n; i++) {
            out[2 * i] = 1.0 - p[i];
            out[2 * i + 1] = p[i];
        }
        ctune__free(p);
        return rc;
    }
    ctune_status rc = ctune_model_predict(out, k->model, X);
    /* softmax outputs are float32: renormalize each row in double so it sums
     * to 1 as exactly as a double can */
    size_t c = k->n_classes;
    for (size_t i = 0; rc == CTUNE_OK && i < n; i++) {
        double sum = 0;
        for (size_t j = 0; j < c; j++)
            sum += out[i * c + j];
        if (sum > 0)
            for (size_t j = 0; j < c; j++)
                out[i * c + j] /= sum;
    }
    return rc;
}

static ctune_status keras_predict(void *self, const ctune_data *X, double *out)
{
    keras *k = self;
    size_t n = ctune_data_n_rows(X);
    if (k->fam->vt.kind == CTUNE_REGRESSOR)
        return ctune_model_predict(out, k->model, X);
    size_t c = k->n_classes;
    double *proba = CTUNE_NEW_MATRIX(double, n, c);
    if (!proba)
        return CTUNE_ENOMEM;
    ctune_status rc = keras_predict_proba(self, X, proba);
    for (size_t i = 0; rc == CTUNE_OK && i < n; i++) {
        size_t best = 0;
        for (size_t j = 1; j < c; j++)
            if (proba[i * c + j] > proba[i * c + best])
                best = j;
        out[i] = (double)best;
    }
    ctune__free(proba);
    return rc;
}

static size_t keras_n_outputs(const void *self)
{
    const keras *k = self;
    return k->units;
}

/* ---- persistence ---------------------------------------------------------
 * u64 n_features_in_, n_classes_ (0 for regressors), n_outputs_, units,
 * n_layers; string loss; string output activation; u64 n_params; f32 weights.
 * Loading calls the builder with the saved params and meta values, builds the
 * model for n_features_in_ columns, checks that the architecture is the saved
 * one and sets the weights. */

static ctune_status keras_save(const void *self, ctune_writer *w)
{
    const keras *k = self;
    const ctune_model *m = k->model;
    int64_t n_outputs = 1;
    CTUNE_TRY(ctune_params_get_int(&n_outputs, k->builder, "n_outputs_"));
    size_t n = ctune_model_n_params(m);
    float *weights = CTUNE_NEW_ARRAY(float, n ? n : 1);
    if (!weights)
        return CTUNE_ENOMEM;
    ctune_status rc = ctune_model_get_weights(weights, m);
    if (rc == CTUNE_OK)
        rc = ctune_write_u64(w, ctune_model_input_dim(m));
    if (rc == CTUNE_OK)
        rc = ctune_write_u64(w, k->n_classes);
    if (rc == CTUNE_OK)
        rc = ctune_write_u64(w, (uint64_t)n_outputs);
    if (rc == CTUNE_OK)
        rc = ctune_write_u64(w, k->units);
    if (rc == CTUNE_OK)
        rc = ctune_write_u64(w, ctune_model_n_layers(m));
    if (rc == CTUNE_OK)
        rc = ctune_write_string(w, ctune_model_loss(m));
    if (rc == CTUNE_OK)
        rc = ctune_write_string(w, ctune_model_output_activation(m));
    if (rc == CTUNE_OK)
        rc = ctune_write_u64(w, n);
    if (rc == CTUNE_OK)
        rc = ctune_write_f32_array(w, weights, n);
    ctune__free(weights);
    return rc;
}

/* The architecture a model file describes. */
typedef struct saved_arch {
    uint64_t n_features, n_classes, n_outputs, units, n_layers, n_params;
    char loss[64], activation[64];
} saved_arch;

static ctune_status read_arch(ctune_reader *r, saved_arch *a, int kind, const char *name)
{
    CTUNE_TRY(ctune_read_u64(&a->n_features, r));
    CTUNE_TRY(ctune_read_u64(&a->n_classes, r));
    CTUNE_TRY(ctune_read_u64(&a->n_outputs, r));
    CTUNE_TRY(ctune_read_u64(&a->units, r));
    CTUNE_TRY(ctune_read_u64(&a->n_layers, r));
    CTUNE_TRY(ctune__read_string_fit(a->loss, sizeof a->loss, r));
    CTUNE_TRY(ctune__read_string_fit(a->activation, sizeof a->activation, r));
    CTUNE_TRY(ctune_read_u64(&a->n_params, r));
    int cls = kind == CTUNE_CLASSIFIER;
    /* the meta values the builder receives must be what fit gave it */
    /* the first Dense layer alone has n_features × units weights, the last
     * one at least a weight per output: so a corrupted count cannot make the
     * builder's model much larger than the file */
    if (a->n_features != r->fit_features || a->n_features > a->n_params ||
        a->n_classes > a->n_params || a->n_outputs > a->n_params || a->n_layers == 0 ||
        a->n_layers > 2 * a->n_params + 1 ||
        (cls ? a->n_classes != r->fit_classes || a->n_classes < 2 || a->n_outputs != 1
             : a->n_classes != 0 || a->n_outputs != r->fit_outputs || a->n_outputs > INT64_MAX) ||
        a->n_params != ctune_read_remaining(r) / 4 || ctune_read_remaining(r) % 4 != 0)
        return ctune_set_error(CTUNE_EFORMAT,
                               "model file corrupted: %s with %llu features, %llu classes, %llu "
                               "outputs and %llu weights (fitted on %zu features, %zu classes, "
                               "%zu outputs; %zu bytes left)",
                               name, (unsigned long long)a->n_features,
                               (unsigned long long)a->n_classes, (unsigned long long)a->n_outputs,
                               (unsigned long long)a->n_params, r->fit_features, r->fit_classes,
                               r->fit_outputs, ctune_read_remaining(r));
    return CTUNE_OK;
}

/* Checks the builder's model (not built yet: it would have `n_params`
 * weights, UINT64_MAX for too many) against the saved architecture. */
static ctune_status check_arch(const keras *k, const saved_arch *a, uint64_t n_params)
{
    const ctune_model *m = k->model;
    const char *loss = ctune_model_loss(m), *act = ctune_model_output_activation(m);
    const char *what = NULL;
    char msg[160];
    if (ctune_model_n_layers(m) != a->n_layers)
        what = "number of layers";
    else if (k->units != a->units)
        what = "output units";
    else if (!loss || strcmp(loss, a->loss) != 0)
        what = "loss";
    else if (!act || strcmp(act, a->activation) != 0)
        what = "output activation";
    else if (n_params != a->n_params)
        what = "number of weights";
    if (!what)
        return CTUNE_OK;
    char count[32] = "too many";
    if (n_params != UINT64_MAX)
        snprintf(count, sizeof count, "%llu", (unsigned long long)n_params);
    snprintf(msg, sizeof msg, "%zu layers, %zu output units (%s), loss %s, %s weights",
             ctune_model_n_layers(m), k->units, act ? act : "none", loss ? loss : "none", count);
    return ctune_set_error(CTUNE_EFORMAT,
                           "%s: the builder now makes another model than the saved one (%s "
                           "differs): the file has %llu layers, %llu output units (%s), loss %s, "
                           "%llu weights; the builder made %s",
                           k->fam->vt.name, what, (unsigned long long)a->n_layers,
                           (unsigned long long)a->units, a->activation, a->loss,
                           (unsigned long long)a->n_params, msg);
}

/* The built-in MLP builder adds `nl` hidden layers (each followed by a
 * Dropout when dropout > 0) and an output layer: check nl against the saved
 * layer count before calling it, so a corrupted nl cannot make it loop. */
static ctune_status mlp_precheck(const family *f, const ctune_params *builder, const saved_arch *a)
{
    if (f->build != ctune_mlp_build)
        return CTUNE_OK;
    int64_t nl, nn;
    double dropout;
    CTUNE_TRY(ctune__params_int_or(builder, "nl", 1, &nl));
    CTUNE_TRY(ctune__params_int_or(builder, "nn", 16, &nn));
    CTUNE_TRY(ctune__params_double_or(builder, "dropout", 0.0, &dropout));
    uint64_t per = dropout > 0 ? 2 : 1;
    if (nl < 0 || nn < 1 || (uint64_t)nl > (a->n_layers - 1) / per ||
        (uint64_t)nl * per + 1 != a->n_layers || (nl > 0 && (uint64_t)nn > a->n_params))
        return ctune_set_error(CTUNE_EFORMAT,
                               "model file corrupted: %s params nl = %lld, nn = %lld, dropout = "
                               "%g do not make its %llu saved layers of %llu weights",
                               f->vt.name, (long long)nl, (long long)nn, dropout,
                               (unsigned long long)a->n_layers, (unsigned long long)a->n_params);
    return CTUNE_OK;
}

static ctune_status keras_load(void **self, const ctune_params *params, ctune_reader *r, void *user)
{
    const family *f = user;
    int kind = f->vt.kind;
    saved_arch a;
    CTUNE_TRY(read_arch(r, &a, kind, f->vt.name));
    keras *k;
    CTUNE_TRY(keras_create((void **)&k, params, user));
    float *weights = NULL;
    int64_t seed;
    ctune_status rc = ctune_params_get_int(&seed, k->train, "seed");
    k->n_classes = (size_t)a.n_classes;
    /* the meta values as fit gave them to the builder */
    if (rc == CTUNE_OK)
        rc = ctune_params_set_int(k->builder, "n_features_in_", (int64_t)a.n_features);
    if (rc == CTUNE_OK)
        rc = ctune_params_set_int(k->builder, "n_outputs_", (int64_t)a.n_outputs);
    if (rc == CTUNE_OK && kind == CTUNE_CLASSIFIER)
        rc = ctune_params_set_int(k->builder, "n_classes_", (int64_t)a.n_classes);
    if (rc == CTUNE_OK)
        rc = ctune_model_new(&k->model);
    if (rc == CTUNE_OK)
        rc = ctune_model_set_seed(k->model, (uint64_t)seed);
    if (rc == CTUNE_OK)
        rc = mlp_precheck(f, k->builder, &a);
    if (rc == CTUNE_OK) {
        ctune_clear_error();
        rc = f->build(k->builder, k->model, f->user);
        if (rc != CTUNE_OK) {
            if (ctune_last_error()[0] == '\0')
                ctune_set_error(rc, "the model builder failed (%s)", ctune_status_string(rc));
            if (rc != CTUNE_ENOMEM)
                ctune__error_prefix("%s: build (loading a saved model)", f->vt.name);
            /* the builder rejects the saved params: the file cannot be a
             * model this builder fitted */
            if (rc == CTUNE_EINVAL)
                rc = ctune_set_error(CTUNE_EFORMAT, "%s", ctune_last_error());
        }
    }
    if (rc == CTUNE_OK) {
        rc = check_output(k, kind, (size_t)a.n_outputs);
        if (rc == CTUNE_EDATA) {
            ctune__error_prefix("model file: the builder's model does not fit the saved classes");
            rc = ctune_set_error(CTUNE_EFORMAT, "%s", ctune_last_error());
        }
    }
    /* compare before building, which allocates the weights */
    if (rc == CTUNE_OK)
        rc = check_arch(k, &a,
                        ctune__model_planned_params(k->model, (size_t)a.n_features, a.n_params));
    if (rc == CTUNE_OK)
        rc = ctune_model_build(k->model, (size_t)a.n_features);
    if (rc == CTUNE_OK && ctune_model_n_params(k->model) != a.n_params)
        rc = ctune_set_error(CTUNE_EINTERNAL, "%s: built %zu weights, planned %llu", f->vt.name,
                             ctune_model_n_params(k->model), (unsigned long long)a.n_params);
    if (rc == CTUNE_OK && !(weights = CTUNE_NEW_ARRAY(float, a.n_params ? a.n_params : 1)))
        rc = CTUNE_ENOMEM;
    if (rc == CTUNE_OK)
        rc = ctune_read_f32_array(weights, (size_t)a.n_params, r);
    if (rc == CTUNE_OK) {
        rc = ctune_model_set_weights(k->model, weights);
        if (rc == CTUNE_EDATA) {
            ctune__error_prefix("model file corrupted: %s", f->vt.name);
            rc = ctune_set_error(CTUNE_EFORMAT, "%s", ctune_last_error());
        }
    }
    ctune__free(weights);
    if (rc != CTUNE_OK) {
        keras_destroy(k);
        return rc;
    }
    *self = k;
    return CTUNE_OK;
}

/* ---- construction ------------------------------------------------------- */

static ctune_status keras_new(ctune_estimator **out, int kind, const char *name,
                              ctune_build_fn build, const ctune_param_spec *builder_spec,
                              void *user)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(build, "build");
    size_t nb = ctune_spec_count(builder_spec);
    for (size_t i = 0; i < nb; i++) {
        if (is_train_param(builder_spec[i].name))
            return ctune_set_error(
                CTUNE_EINVAL,
                "%s: builder parameter '%s' collides with the training parameter "
                "of the same name; rename it in the builder's spec",
                name, builder_spec[i].name);
        size_t len = strlen(builder_spec[i].name);
        if (len > 0 && builder_spec[i].name[len - 1] == '_')
            return ctune_set_error(
                CTUNE_EINVAL,
                "%s: builder parameter '%s' ends with '_', reserved for meta values "
                "(n_features_in_, n_classes_, n_outputs_)",
                name, builder_spec[i].name);
    }
    family *f = ctune__calloc(1, sizeof *f);
    if (!f)
        return CTUNE_ENOMEM;
    f->spec = CTUNE_NEW_ARRAY(ctune_param_spec, N_TRAIN + nb + 1);
    if (!f->spec) {
        ctune__free(f);
        return CTUNE_ENOMEM;
    }
    memcpy(f->spec, TRAIN_SPEC, sizeof TRAIN_SPEC);
    if (nb)
        memcpy(f->spec + N_TRAIN, builder_spec, nb * sizeof *builder_spec);
    memset(&f->spec[N_TRAIN + nb], 0, sizeof f->spec[0]);
    atomic_init(&f->refs, 1);
    f->build = build;
    f->user = user;
    f->vt.version = CTUNE_ESTIMATOR_VTABLE_VERSION;
    f->vt.name = name;
    f->vt.kind = kind;
    f->vt.params = f->spec;
    f->vt.create = keras_create;
    f->vt.fit = keras_fit;
    f->vt.predict = keras_predict;
    f->vt.predict_proba = kind == CTUNE_CLASSIFIER ? keras_predict_proba : NULL;
    f->vt.save = keras_save;
    f->vt.load = keras_load;
    f->vt.destroy = keras_destroy;
    f->vt.n_outputs = kind == CTUNE_REGRESSOR ? keras_n_outputs : NULL;
    f->vt.user_retain = family_retain;
    f->vt.user_release = family_release;
    f->vt.fit_more = keras_fit_more;
    /* the handle adopts our reference to f, also on failure */
    return ctune_estimator_new(out, &f->vt, f);
}

ctune_status ctune_keras_classifier_new(ctune_estimator **out, ctune_build_fn build,
                                        const ctune_param_spec *builder_spec, void *user)
{
    return keras_new(out, CTUNE_CLASSIFIER, "KerasClassifier", build, builder_spec, user);
}

ctune_status ctune_keras_regressor_new(ctune_estimator **out, ctune_build_fn build,
                                       const ctune_param_spec *builder_spec, void *user)
{
    return keras_new(out, CTUNE_REGRESSOR, "KerasRegressor", build, builder_spec, user);
}

const ctune_model *ctune_keras_model(const ctune_estimator *est)
{
    const ctune_estimator_vtable *vt = ctune_estimator_vtable_of(est);
    if (!vt || vt->create != keras_create)
        return NULL;
    const keras *k = ctune__estimator_self(est);
    return k ? k->model : NULL;
}

/* ---- the built-in MLP builder ----------------------------------------- */

static const ctune_param_spec MLP_SPEC[] = {
    {"nl", CTUNE_TYPE_INT, "1", "[0, inf)", NULL, "number of hidden layers"},
    {"nn", CTUNE_TYPE_INT, "16", "[1, inf)", NULL, "units per hidden layer"},
    {"activation", CTUNE_TYPE_STRING, "relu", NULL,
     "linear|relu|leaky_relu|elu|selu|tanh|sigmoid|hard_sigmoid|softplus|softsign|swish|silu|gelu",
     "activation of the hidden layers"},
    {"optimizer", CTUNE_TYPE_STRING, "adam", NULL,
     "sgd|adam|adamw|rmsprop|adagrad|adadelta|adamax|nadam", "optimizer (Keras defaults)"},
    {"learning_rate", CTUNE_TYPE_DOUBLE | CTUNE_TYPE_NONE, "none", "(0, inf)", NULL,
     "optimizer step size (none: the optimizer's Keras default, 0.01 for sgd, else 0.001)"},
    {"momentum", CTUNE_TYPE_DOUBLE, "0", "[0, 1)", NULL, "momentum (sgd and rmsprop)"},
    {"dropout", CTUNE_TYPE_DOUBLE, "0", "[0, 1)", NULL, "dropout rate after each hidden layer"},
    {"l2", CTUNE_TYPE_DOUBLE, "0", "[0, inf)", NULL, "L2 kernel regularization of every layer"},
    {"kernel_initializer", CTUNE_TYPE_STRING, "glorot_uniform", NULL,
     "glorot_uniform|glorot_normal|he_uniform|he_normal|lecun_uniform|lecun_normal|zeros|ones",
     "kernel initializer of every layer"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

const ctune_param_spec *ctune_mlp_spec(void) { return MLP_SPEC; }

ctune_status ctune_mlp_build(const ctune_params *p, ctune_model *m, void *user)
{
    (void)user;
    int64_t nl, nn, n_classes = 0, n_outputs = 1;
    double lr = 0.0, momentum, dropout, l2;
    const char *act, *opt, *init;
    CTUNE_TRY(ctune__params_int_or(p, "nl", 1, &nl));
    CTUNE_TRY(ctune__params_int_or(p, "nn", 16, &nn));
    CTUNE_TRY(ctune__params_string_or(p, "activation", "relu", &act));
    CTUNE_TRY(ctune__params_string_or(p, "optimizer", "adam", &opt));
    int keras_lr = ctune_params_find(p, "learning_rate") < 0 ||
                   ctune_params_is_none(p, "learning_rate");
    if (!keras_lr)
        CTUNE_TRY(ctune__params_double_or(p, "learning_rate", 0.001, &lr));
    CTUNE_TRY(ctune__params_double_or(p, "momentum", 0.0, &momentum));
    CTUNE_TRY(ctune__params_double_or(p, "dropout", 0.0, &dropout));
    CTUNE_TRY(ctune__params_double_or(p, "l2", 0.0, &l2));
    CTUNE_TRY(ctune__params_string_or(p, "kernel_initializer", "glorot_uniform", &init));
    CTUNE_TRY(ctune__params_int_or(p, "n_classes_", 0, &n_classes));
    CTUNE_TRY(ctune__params_int_or(p, "n_outputs_", 1, &n_outputs));
    if (nn < 1)
        return ctune_set_error(CTUNE_EINVAL, "mlp: nn = %lld must be >= 1", (long long)nn);
    char layer_opts[160];
    ctune__snprintf_c(layer_opts, sizeof layer_opts, "kernel_initializer=%s, l2=%.17g", init, l2);
    for (int64_t i = 0; i < nl; i++) {
        CTUNE_TRY(ctune_model_add_dense(m, nn, act, layer_opts));
        if (dropout > 0)
            CTUNE_TRY(ctune_model_add_dropout(m, dropout));
    }
    const char *out_act, *loss;
    size_t units;
    if (n_classes == 2) {
        units = 1, out_act = "sigmoid", loss = "binary_crossentropy";
    } else if (n_classes > 2) {
        units = (size_t)n_classes, out_act = "softmax", loss = "sparse_categorical_crossentropy";
    } else {
        units = (size_t)(n_outputs > 0 ? n_outputs : 1), out_act = "linear",
        loss = "mean_squared_error";
    }
    CTUNE_TRY(ctune_model_add_dense(m, (int64_t)units, out_act, layer_opts));
    /* without learning_rate, the optimizer's own Keras default applies */
    char opt_opts[128], lr_opt[48] = "";
    if (!keras_lr)
        ctune__snprintf_c(lr_opt, sizeof lr_opt, "learning_rate=%.17g", lr);
    int uses_momentum = strcmp(opt, "sgd") == 0 || strcmp(opt, "rmsprop") == 0;
    if (uses_momentum)
        ctune__snprintf_c(opt_opts, sizeof opt_opts, "%s%smomentum=%.17g", lr_opt,
                          lr_opt[0] ? ", " : "", momentum);
    else
        snprintf(opt_opts, sizeof opt_opts, "%s", lr_opt);
    return ctune_model_compile(m, opt, loss, opt_opts);
}

ctune_status ctune_mlp_classifier_new(ctune_estimator **out)
{
    return keras_new(out, CTUNE_CLASSIFIER, "MLPClassifier", ctune_mlp_build, MLP_SPEC, NULL);
}

ctune_status ctune_mlp_regressor_new(ctune_estimator **out)
{
    return keras_new(out, CTUNE_REGRESSOR, "MLPRegressor", ctune_mlp_build, MLP_SPEC, NULL);
}
