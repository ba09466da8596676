/* The estimator handle: vtable dispatch, params, label mapping. */
#include "estimator/estimator.h"

#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/data.h"
#include "core/error.h"
#include "core/labels.h"
#include "core/params.h"

struct ctune_estimator {
    const ctune_estimator_vtable *vt;
    void *user;
    ctune_params *params;
    void *self;        /* fitted instance or NULL */
    size_t n_features; /* at fit */
    size_t n_rows;     /* rows of the last fit's data (a warm start checks it) */
    size_t n_outputs;
    double *classes; /* classifiers: sorted labels */
    size_t n_classes;
    char **class_names; /* NULL or n_classes names (ctune__malloc'd) */
    atomic_int cancel;  /* ctune_estimator_cancel(): set until a fit returns */
};

/* ---- fit context --------------------------------------------------------- */

void ctune__fit_ctx_init(ctune_fit_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->threads = 1;
}

int ctune_fit_ctx_threads(const ctune_fit_ctx *ctx)
{
    return ctx && ctx->threads > 0 ? ctx->threads : 1;
}

uint64_t ctune_fit_ctx_seed(const ctune_fit_ctx *ctx, uint64_t own_seed)
{
    if (!ctx || !ctx->has_stream)
        return own_seed;
    return ctune_seed_derive(own_seed, ctx->stream);
}

#ifdef CTUNE_TEST_HOOKS
atomic_size_t ctune__test_fit_polls;
atomic_int ctune__test_kill_at_poll;
#endif

int ctune_fit_ctx_cancelled(const ctune_fit_ctx *ctx)
{
#ifdef CTUNE_TEST_HOOKS
    atomic_fetch_add_explicit(&ctune__test_fit_polls, 1, memory_order_relaxed);
    if (atomic_load_explicit(&ctune__test_kill_at_poll, memory_order_relaxed))
        raise(SIGKILL);
#endif
    return ctx && ((ctx->cancel && atomic_load(ctx->cancel)) ||
                   (ctx->interrupt && atomic_load(ctx->interrupt)));
}

void ctune_estimator_cancel(ctune_estimator *est)
{
    if (est)
        atomic_store(&est->cancel, 1);
}

const atomic_int *ctune__estimator_cancel_flag(const ctune_estimator *est)
{
    return est ? &est->cancel : NULL;
}

void ctune__estimator_cancel_end(const ctune_estimator *est)
{
    /* the flag is the one mutable part of a handle shared read-only */
    if (est)
        atomic_store(&((ctune_estimator *)est)->cancel, 0);
}

/* ---- creation ------------------------------------------------------------ */

static ctune_status check_vtable(const ctune_estimator_vtable *vt)
{
    CTUNE_CHECK_NULL(vt, "vtable");
    if (vt->version < 1 || vt->version > CTUNE_ESTIMATOR_VTABLE_VERSION)
        return ctune_set_error(CTUNE_EINVAL, "estimator vtable version %u is not supported (1..%d)",
                               vt->version, CTUNE_ESTIMATOR_VTABLE_VERSION);
    const char *name = vt->name ? vt->name : "(unnamed)";
    if (!vt->name || !*vt->name)
        return ctune_set_error(CTUNE_EINVAL, "estimator vtable has no name");
    if (vt->kind != CTUNE_CLASSIFIER && vt->kind != CTUNE_REGRESSOR &&
        vt->kind != CTUNE_TRANSFORMER)
        return ctune_set_error(CTUNE_EINVAL, "estimator %s: kind %d is not a ctune_kind", name,
                               vt->kind);
    if (!vt->user_retain != !vt->user_release)
        return ctune_set_error(CTUNE_EINVAL,
                               "estimator %s: user_retain and user_release go together", name);
    if (vt->version >= 2 && !vt->save_definition != !vt->load_definition)
        return ctune_set_error(
            CTUNE_EINVAL, "estimator %s: save_definition and load_definition go together", name);
    if (!vt->create || !vt->fit || !vt->destroy)
        return ctune_set_error(CTUNE_EINVAL, "estimator %s: vtable lacks %s", name,
                               !vt->create ? "create"
                               : !vt->fit  ? "fit"
                                           : "destroy");
    if (vt->kind != CTUNE_TRANSFORMER && !vt->predict)
        return ctune_set_error(CTUNE_EINVAL, "estimator %s: vtable lacks predict", name);
    if (vt->kind == CTUNE_TRANSFORMER && (!vt->transform || !vt->n_features_out))
        return ctune_set_error(
            CTUNE_EINVAL, "estimator %s: a transformer needs transform and n_features_out", name);
    return CTUNE_OK;
}

ctune_status ctune_estimator_new(ctune_estimator **out, const ctune_estimator_vtable *vt,
                                 void *user)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    ctune_status vrc = check_vtable(vt);
    if (vrc != CTUNE_OK) {
        if (vt && vt->user_release && vt->user_retain)
            vt->user_release(user);
        return vrc;
    }
    ctune_estimator *e = ctune__calloc(1, sizeof *e);
    if (!e) {
        if (vt->user_release)
            vt->user_release(user);
        return CTUNE_ENOMEM;
    }
    atomic_init(&e->cancel, 0);
    e->vt = vt;
    e->user = user;
    ctune_status rc = ctune_params_from_spec(&e->params, vt->params);
    if (rc != CTUNE_OK) {
        if (rc != CTUNE_ENOMEM)
            ctune__error_prefix("estimator %s", vt->name);
        ctune__free(e);
        if (vt->user_release)
            vt->user_release(user);
        return rc;
    }
    *out = e;
    return CTUNE_OK;
}

static void free_names(char **names, size_t n)
{
    if (!names)
        return;
    for (size_t i = 0; i < n; i++)
        ctune__free(names[i]);
    ctune__free(names);
}

static void drop_fit(ctune_estimator *e)
{
    if (e->self)
        e->vt->destroy(e->self);
    e->self = NULL;
    free_names(e->class_names, e->n_classes);
    e->class_names = NULL;
    ctune__free(e->classes);
    e->classes = NULL;
    e->n_classes = 0;
    e->n_features = 0;
    e->n_rows = 0;
    e->n_outputs = 0;
}

void ctune__estimator_rebind(ctune_estimator *e, const ctune_estimator_vtable *vt, void *user)
{
    void (*release)(void *) = e->vt->user_release;
    void *old = e->user;
    e->vt = vt;
    e->user = user;
    if (release)
        release(old);
}

int ctune__vtable_has_definition(const ctune_estimator_vtable *vt)
{
    return vt && vt->version >= 2 && vt->save_definition && vt->load_definition;
}

void ctune_estimator_free(ctune_estimator *e)
{
    if (!e)
        return;
    drop_fit(e);
    ctune_params_free(e->params);
    void (*release)(void *) = e->vt->user_release;
    void *user = e->user;
    ctune__free(e);
    if (release)
        release(user);
}

const char *ctune_estimator_name(const ctune_estimator *e) { return e ? e->vt->name : NULL; }
int ctune_estimator_kind(const ctune_estimator *e) { return e ? e->vt->kind : 0; }
const ctune_estimator_vtable *ctune_estimator_vtable_of(const ctune_estimator *e)
{
    return e ? e->vt : NULL;
}
void *ctune_estimator_user(const ctune_estimator *e) { return e ? e->user : NULL; }
int ctune_estimator_is_fitted(const ctune_estimator *e) { return e && e->self != NULL; }
void *ctune__estimator_self(const ctune_estimator *e) { return e ? e->self : NULL; }
size_t ctune_estimator_n_classes(const ctune_estimator *e)
{
    return e && e->self ? e->n_classes : 0;
}
size_t ctune_estimator_n_features_in(const ctune_estimator *e)
{
    return e && e->self ? e->n_features : 0;
}
size_t ctune_estimator_n_outputs(const ctune_estimator *e)
{
    return e && e->self ? e->n_outputs : 0;
}

ctune_status ctune_estimator_classes(double *out, const ctune_estimator *e)
{
    CTUNE_CHECK_NULL(e, "estimator");
    if (!e->self)
        return ctune_set_error(CTUNE_ESTATE, "%s is not fitted", e->vt->name);
    if (e->vt->kind != CTUNE_CLASSIFIER)
        return ctune_set_error(CTUNE_EINVAL, "%s is not a classifier", e->vt->name);
    CTUNE_CHECK_NULL(out, "out");
    memcpy(out, e->classes, e->n_classes * sizeof *out);
    return CTUNE_OK;
}

/* Copies n names (each non-NULL) into a new array. */
static ctune_status copy_names(char ***out, const char *const *names, size_t n)
{
    char **c = CTUNE_NEW_ARRAY(char *, n);
    if (!c)
        return CTUNE_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(names[i]) + 1;
        c[i] = ctune__malloc(len);
        if (!c[i]) {
            free_names(c, i);
            return CTUNE_ENOMEM;
        }
        memcpy(c[i], names[i], len);
    }
    *out = c;
    return CTUNE_OK;
}

ctune_status ctune_estimator_set_class_names(ctune_estimator *e, const char *const *names, size_t n)
{
    CTUNE_CHECK_NULL(e, "estimator");
    if (e->vt->kind != CTUNE_CLASSIFIER)
        return ctune_set_error(CTUNE_EINVAL,
                               "%s is not a classifier: its outputs have no class "
                               "names",
                               e->vt->name);
    if (!e->self)
        return ctune_set_error(CTUNE_ESTATE, "%s is not fitted", e->vt->name);
    char **copy = NULL;
    if (names || n) {
        if (!names || n != e->n_classes)
            return ctune_set_error(CTUNE_EINVAL,
                                   "ctune_estimator_set_class_names: %zu names given for the %zu "
                                   "classes of %s",
                                   names ? n : 0, e->n_classes, e->vt->name);
        for (size_t i = 0; i < n; i++)
            if (!names[i])
                return ctune_set_error(CTUNE_EINVAL,
                                       "ctune_estimator_set_class_names: name %zu is NULL", i);
        CTUNE_TRY(copy_names(&copy, names, n));
    }
    free_names(e->class_names, e->n_classes);
    e->class_names = copy;
    return CTUNE_OK;
}

const char *ctune_estimator_class_name(const ctune_estimator *e, size_t i)
{
    if (!e || !e->self || !e->class_names || i >= e->n_classes)
        return NULL;
    return e->class_names[i];
}

/* Names of the fitted classes from the data's label names (a CSV file with
 * text labels): kept only when every class label is a named code. */
static ctune_status names_from_data(ctune_estimator *e, const ctune_data *data)
{
    const ctune__storage *st = data->st;
    if (!st->class_names || e->n_classes == 0)
        return CTUNE_OK;
    const char **names = CTUNE_NEW_ARRAY(const char *, e->n_classes);
    if (!names)
        return CTUNE_ENOMEM;
    size_t i = 0;
    for (; i < e->n_classes; i++) {
        double c = e->classes[i];
        if (!(c >= 0 && c < (double)st->n_class_names) || !st->class_names[(size_t)c])
            break;
        names[i] = st->class_names[(size_t)c];
    }
    ctune_status rc = CTUNE_OK;
    if (i == e->n_classes)
        rc = copy_names(&e->class_names, names, e->n_classes);
    ctune__free(names);
    return rc;
}

/* ---- params --------------------------------------------------------------- */

ctune_status ctune_estimator_clone(ctune_estimator **out, const ctune_estimator *src)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(src, "src");
    ctune_estimator *e = ctune__calloc(1, sizeof *e);
    if (!e)
        return CTUNE_ENOMEM;
    atomic_init(&e->cancel, 0);
    e->vt = src->vt;
    e->user = src->user;
    ctune_status rc = ctune_params_copy(&e->params, src->params);
    if (rc != CTUNE_OK) {
        ctune__free(e);
        return rc;
    }
    if (e->vt->user_retain)
        e->vt->user_retain(e->user);
    *out = e;
    return CTUNE_OK;
}

static ctune_status validate_against_spec(const ctune_estimator *e, ctune_params *p)
{
    for (size_t i = 0; i < ctune_params_count(p); i++) {
        const char *name = ctune_params_name(p, i);
        const ctune_param_spec *s = ctune__spec_find(e->vt->params, name);
        if (!s) {
            char names[768];
            ctune__spec_names(e->vt->params, names, sizeof names);
            return ctune_set_error(CTUNE_EINVAL, "unknown parameter '%s' for %s; known: %s", name,
                                   e->vt->name, names[0] ? names : "(none)");
        }
        CTUNE_TRY(ctune__param_check_one(p, name, s, e->vt->name));
    }
    return CTUNE_OK;
}

ctune_status ctune_estimator_check_params(const ctune_estimator *e, const ctune_params *params)
{
    CTUNE_CHECK_NULL(e, "estimator");
    CTUNE_CHECK_NULL(params, "params");
    ctune_params *tmp;
    CTUNE_TRY(ctune_params_copy(&tmp, params));
    ctune_status rc = validate_against_spec(e, tmp);
    ctune_params_free(tmp);
    return rc;
}

ctune_status ctune_estimator_set_params(ctune_estimator *e, const ctune_params *params)
{
    CTUNE_CHECK_NULL(e, "estimator");
    CTUNE_CHECK_NULL(params, "params");
    ctune_params *tmp, *merged;
    CTUNE_TRY(ctune_params_copy(&tmp, params));
    ctune_status rc = validate_against_spec(e, tmp);
    if (rc == CTUNE_OK)
        rc = ctune_params_copy(&merged, e->params);
    if (rc == CTUNE_OK) {
        rc = ctune_params_update(merged, tmp);
        if (rc == CTUNE_OK) {
            ctune_params_free(e->params);
            e->params = merged;
            drop_fit(e);
        } else {
            ctune_params_free(merged);
        }
    }
    ctune_params_free(tmp);
    return rc;
}

ctune_status ctune_estimator_set_params_text(ctune_estimator *e, const char *text)
{
    CTUNE_CHECK_NULL(e, "estimator");
    CTUNE_CHECK_NULL(text, "text");
    ctune_params *p;
    CTUNE_TRY(ctune_params_new(&p));
    ctune_status rc = ctune_params_parse(p, text);
    if (rc == CTUNE_OK)
        rc = ctune_estimator_set_params(e, p);
    ctune_params_free(p);
    return rc;
}

const ctune_params *ctune_estimator_get_params(const ctune_estimator *e)
{
    return e ? e->params : NULL;
}

/* ---- fit ------------------------------------------------------------------- */

/* Sorted unique labels of y (integer-valued) into *classes. */
static ctune_status find_classes(const ctune_data *d, double **classes, size_t *n_classes)
{
    size_t n = d->n;
    double *buf = CTUNE_NEW_ARRAY(double, n);
    if (!buf)
        return CTUNE_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        double v = ctune__data_y_at(d, i, 0);
        if (v != floor(v) || fabs(v) > 9.0e15) {
            ctune__free(buf);
            return ctune_set_error(CTUNE_EDATA,
                                   "y row %zu is %.17g: class labels must be integer-valued", i, v);
        }
        buf[i] = v;
    }
    size_t k = ctune__sort_unique(buf, n);
    double *c = ctune__realloc(buf, k * sizeof *c);
    if (!c) {
        ctune__free(buf);
        return CTUNE_ENOMEM;
    }
    *classes = c;
    *n_classes = k;
    return CTUNE_OK;
}

/* A view of `d` whose y holds class codes (-1 for labels not in classes). */
static ctune_status encode_labels(const ctune_data *d, const double *classes, size_t k,
                                  ctune_data **out)
{
    double *codes = CTUNE_NEW_ARRAY(double, d->n ? d->n : 1);
    if (!codes)
        return CTUNE_ENOMEM;
    for (size_t i = 0; i < d->n; i++)
        codes[i] = (double)ctune__label_code(classes, k, ctune__data_y_at(d, i, 0));
    return ctune__data_with_y(out, d, codes, 1, 1);
}

static ctune_status check_fit_data(const ctune_estimator *e, const ctune_data *d)
{
    CTUNE_CHECK_NULL(d, "data");
    if (d->n == 0)
        return ctune_set_error(CTUNE_EDATA, "%s: cannot fit on 0 rows", e->vt->name);
    size_t t = ctune_data_n_targets(d);
    if (e->vt->kind != CTUNE_TRANSFORMER && t == 0)
        return ctune_set_error(CTUNE_EDATA, "%s: fit needs y, and the data has none", e->vt->name);
    if (e->vt->kind == CTUNE_CLASSIFIER && t != 1)
        return ctune_set_error(
            CTUNE_EDATA, "%s: a classifier needs exactly 1 target column, got %zu", e->vt->name, t);
    ctune_status rc = ctune_data_validate(d);
    if (rc != CTUNE_OK)
        ctune__error_prefix("%s: fit", e->vt->name);
    return rc;
}

ctune_status ctune__estimator_fit_ctx(ctune_estimator *e, const ctune_data *data,
                                      const ctune_fit_ctx *ctx_in)
{
    CTUNE_CHECK_NULL(e, "estimator");
    ctune_fit_ctx defctx;
    if (!ctx_in) {
        ctune__fit_ctx_init(&defctx);
        ctx_in = &defctx;
    }
    drop_fit(e);
    CTUNE_TRY(check_fit_data(e, data));

    const ctune_data *train = data;
    ctune_data *coded = NULL;
    double *classes = NULL;
    size_t k = 0;
    ctune_status rc;
    if (e->vt->kind == CTUNE_CLASSIFIER) {
        /* from the search's class table when the data has one, else found
         * here: the same classes and codes either way */
        int from_table = 0;
        CTUNE_TRY(ctune__data_classes_from_table(data, &classes, &k, &coded, &from_table));
        if (!from_table) {
            CTUNE_TRY(find_classes(data, &classes, &k));
            rc = encode_labels(data, classes, k, &coded);
            if (rc != CTUNE_OK) {
                ctune__free(classes);
                return rc;
            }
        }
        train = coded;
    }
    void *self = NULL;
    rc = e->vt->create(&self, e->params, e->user);
    if (rc == CTUNE_OK && !self)
        rc = ctune_set_error(CTUNE_EINTERNAL, "%s: create returned OK without an instance",
                             e->vt->name);
    if (rc == CTUNE_OK) {
        rc = e->vt->fit(self, train, k, ctx_in);
        if (rc == CTUNE_OK && ctune_fit_ctx_cancelled(ctx_in))
            rc = ctune_set_error(CTUNE_ECANCELLED, "%s: fit cancelled", e->vt->name);
    }
    ctune_data_free(coded);
    if (rc != CTUNE_OK) {
        if (self)
            e->vt->destroy(self);
        ctune__free(classes);
        if (ctune_last_error()[0] == '\0')
            ctune_set_error(rc, "%s: fit failed (%s)", e->vt->name, ctune_status_string(rc));
        return rc;
    }
    e->self = self;
    e->classes = classes;
    e->n_classes = k;
    e->n_features = ctune_data_n_cols(data);
    e->n_rows = ctune_data_n_rows(data);
    if (names_from_data(e, data) != CTUNE_OK) {
        drop_fit(e);
        return ctune_set_error(CTUNE_ENOMEM, "%s: out of memory keeping the class names",
                               e->vt->name);
    }
    switch (e->vt->kind) {
    case CTUNE_CLASSIFIER: e->n_outputs = 1; break;
    case CTUNE_REGRESSOR:
        e->n_outputs = e->vt->n_outputs ? e->vt->n_outputs(self) : ctune_data_n_targets(data);
        break;
    default: e->n_outputs = e->vt->n_features_out(self); break;
    }
    return CTUNE_OK;
}

/* Label codes of `data` under the fitted classes (a view of data itself for
 * non-classifiers). */
static ctune_status coded_like_fit(const ctune_estimator *e, const ctune_data *data,
                                   ctune_data **coded)
{
    *coded = NULL;
    if (e->vt->kind != CTUNE_CLASSIFIER)
        return CTUNE_OK;
    double *classes = NULL;
    size_t k = 0;
    CTUNE_TRY(find_classes(data, &classes, &k));
    int same = k == e->n_classes && memcmp(classes, e->classes, k * sizeof *classes) == 0;
    ctune_status rc = same ? encode_labels(data, classes, k, coded)
                           : ctune_set_error(CTUNE_EUNSUPPORTED, "other classes");
    ctune__free(classes);
    return rc;
}

/* The handle's params with `params` (validated against the spec) merged
 * in: a new set, or CTUNE_EINVAL naming the parameter. */
static ctune_status merged_params(const ctune_estimator *e, const ctune_params *params,
                                  ctune_params **out)
{
    *out = NULL;
    ctune_params *merged;
    CTUNE_TRY(ctune_params_copy(&merged, e->params));
    if (!params) {
        *out = merged;
        return CTUNE_OK;
    }
    ctune_params *tmp;
    ctune_status rc = ctune_params_copy(&tmp, params);
    if (rc == CTUNE_OK) {
        rc = validate_against_spec(e, tmp);
        if (rc == CTUNE_OK)
            rc = ctune_params_update(merged, tmp);
        ctune_params_free(tmp);
    }
    if (rc != CTUNE_OK) {
        ctune_params_free(merged);
        return rc;
    }
    *out = merged;
    return CTUNE_OK;
}

ctune_status ctune__estimator_continue_ctx(ctune_estimator *e, const ctune_data *data,
                                           const ctune_params *params, const ctune_fit_ctx *ctx)
{
    CTUNE_CHECK_NULL(e, "estimator");
    ctune_params *merged;
    CTUNE_TRY(merged_params(e, params, &merged));
    ctune_fit_ctx defctx;
    if (!ctx) {
        ctune__fit_ctx_init(&defctx);
        ctx = &defctx;
    }
    ctune_status rc = CTUNE_EUNSUPPORTED;
    if (e->self && e->vt->version >= 3 && e->vt->fit_more && data &&
        ctune_data_n_rows(data) == e->n_rows && ctune_data_n_cols(data) == e->n_features &&
        check_fit_data(e, data) == CTUNE_OK) {
        ctune_data *coded = NULL;
        rc = coded_like_fit(e, data, &coded);
        if (rc == CTUNE_OK) {
            rc = e->vt->fit_more(e->self, merged, coded ? coded : data, e->n_classes, ctx);
            if (rc == CTUNE_OK && ctune_fit_ctx_cancelled(ctx))
                rc = ctune_set_error(CTUNE_ECANCELLED, "%s: fit cancelled", e->vt->name);
        }
        ctune_data_free(coded);
    }
    if (rc == CTUNE_EUNSUPPORTED) { /* nothing changed */
        ctune_params_free(merged);
        ctune_clear_error();
        return ctune_set_error(CTUNE_EUNSUPPORTED, "%s: this fit cannot be continued exactly",
                               e->vt->name);
    }
    /* the params say what was trained (or tried) */
    ctune_params_free(e->params);
    e->params = merged;
    if (rc != CTUNE_OK) {
        drop_fit(e);
        if (ctune_last_error()[0] == '\0')
            ctune_set_error(rc, "%s: fit failed (%s)", e->vt->name, ctune_status_string(rc));
    }
    return rc;
}

ctune_status ctune__estimator_fit_warm_ctx(ctune_estimator *e, const ctune_data *data,
                                           const ctune_params *params, const ctune_fit_ctx *ctx,
                                           int *continued)
{
    if (continued)
        *continued = 0;
    ctune_status rc = ctune__estimator_continue_ctx(e, data, params, ctx);
    if (rc == CTUNE_OK && continued)
        *continued = 1;
    if (rc != CTUNE_EUNSUPPORTED)
        return rc;
    ctune_clear_error(); /* cannot continue exactly: fit from scratch */
    ctune_params *merged;
    CTUNE_TRY(merged_params(e, params, &merged));
    ctune_params_free(e->params);
    e->params = merged;
    return ctune__estimator_fit_ctx(e, data, ctx);
}

ctune_status ctune_estimator_fit_warm(int *continued, ctune_estimator *e, const ctune_data *data,
                                      const ctune_params *params)
{
    ctune_clear_error();
    if (continued)
        *continued = 0;
    CTUNE_CHECK_NULL(e, "estimator");
    ctune_fit_ctx ctx;
    ctune__fit_ctx_init(&ctx);
    ctx.interrupt = &e->cancel;
    ctune_status rc = ctune__estimator_fit_warm_ctx(e, data, params, &ctx, continued);
    atomic_store(&e->cancel, 0);
    return rc;
}

/* A fit that ctune_estimator_cancel(e) interrupts; the request ends with it. */
static ctune_status fit_cancellable(ctune_estimator *e, const ctune_data *data, ctune_fit_ctx *ctx)
{
    CTUNE_CHECK_NULL(e, "estimator");
    ctx->interrupt = &e->cancel;
    ctune_status rc = ctune__estimator_fit_ctx(e, data, ctx);
    atomic_store(&e->cancel, 0);
    return rc;
}

ctune_status ctune_estimator_fit(ctune_estimator *e, const ctune_data *data)
{
    ctune_clear_error();
    ctune_fit_ctx ctx;
    ctune__fit_ctx_init(&ctx);
    return fit_cancellable(e, data, &ctx);
}

ctune_status ctune_estimator_fit_task(ctune_estimator *e, const ctune_data *data, int threads,
                                      uint64_t stream)
{
    ctune_clear_error();
    if (threads < 0)
        return ctune_set_error(CTUNE_EINVAL, "ctune_estimator_fit_task: threads %d is negative",
                               threads);
    ctune_fit_ctx ctx;
    ctune__fit_ctx_init(&ctx);
    ctx.threads = threads ? threads : 1;
    ctx.has_stream = stream != 0;
    ctx.stream = stream;
    return fit_cancellable(e, data, &ctx);
}

/* ---- predict ------------------------------------------------------------- */

ctune_status ctune__estimator_check_X(const ctune_estimator *e, const ctune_data *X)
{
    CTUNE_CHECK_NULL(e, "estimator");
    CTUNE_CHECK_NULL(X, "X");
    if (!e->self)
        return ctune_set_error(CTUNE_ESTATE, "%s is not fitted: call fit first", e->vt->name);
    if (ctune_data_n_cols(X) != e->n_features)
        return ctune_set_error(CTUNE_EDATA, "X has %zu features, but %s was fitted with %zu",
                               ctune_data_n_cols(X), e->vt->name, e->n_features);
    /* Only X must be finite for prediction */
    ctune_status rc = ctune__data_validate_x(X);
    if (rc != CTUNE_OK)
        ctune__error_prefix("%s", e->vt->name);
    return rc;
}

/* A NaN with a payload no computation makes: written into a classifier's
 * output before its predict / predict_proba, so a cell left unwritten is
 * told from a result. */
#define UNWRITTEN_BITS UINT64_C(0x7FF4DEADC0DEF00D)

static void fill_unwritten(double *out, size_t n)
{
    uint64_t b = UNWRITTEN_BITS;
    for (size_t i = 0; i < n; i++)
        memcpy(&out[i], &b, sizeof b);
}

static int is_unwritten(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b == UNWRITTEN_BITS;
}

ctune_status ctune_estimator_predict(double *out, ctune_estimator *e, const ctune_data *X)
{
    CTUNE_TRY(ctune__estimator_check_X(e, X));
    if (X->n == 0)
        return CTUNE_OK;
    CTUNE_CHECK_NULL(out, "out");
    if (e->vt->kind == CTUNE_TRANSFORMER)
        return ctune_estimator_transform(out, e, X);
    if (e->vt->kind == CTUNE_CLASSIFIER)
        fill_unwritten(out, X->n);
    CTUNE_TRY(e->vt->predict(e->self, X, out));
    if (e->vt->kind == CTUNE_CLASSIFIER) {
        for (size_t i = 0; i < X->n; i++) {
            double c = out[i];
            if (is_unwritten(c))
                return ctune_set_error(CTUNE_EINTERNAL, "%s: predict left row %zu of %zu unwritten",
                                       e->vt->name, i, X->n);
            if (!(c >= 0 && c < (double)e->n_classes) || c != floor(c))
                return ctune_set_error(
                    CTUNE_EINTERNAL,
                    "%s: predict returned class code %g for row %zu (n_classes %zu)", e->vt->name,
                    c, i, e->n_classes);
            out[i] = e->classes[(size_t)c];
        }
    }
    return CTUNE_OK;
}

ctune_status ctune_estimator_predict_proba(double *out, ctune_estimator *e, const ctune_data *X)
{
    CTUNE_TRY(ctune__estimator_check_X(e, X));
    if (e->vt->kind != CTUNE_CLASSIFIER || !e->vt->predict_proba)
        return ctune_set_error(CTUNE_EUNSUPPORTED, "%s has no predict_proba", e->vt->name);
    if (X->n == 0)
        return CTUNE_OK;
    CTUNE_CHECK_NULL(out, "out");
    size_t cells = X->n * e->n_classes; /* fits in memory: the caller's buffer */
    fill_unwritten(out, cells);
    CTUNE_TRY(e->vt->predict_proba(e->self, X, out));
    for (size_t i = 0; i < cells; i++)
        if (is_unwritten(out[i]))
            return ctune_set_error(CTUNE_EINTERNAL,
                                   "%s: predict_proba left row %zu, class %zu unwritten",
                                   e->vt->name, i / e->n_classes, i % e->n_classes);
    return CTUNE_OK;
}

ctune_status ctune_estimator_transform(double *out, ctune_estimator *e, const ctune_data *X)
{
    CTUNE_TRY(ctune__estimator_check_X(e, X));
    if (!e->vt->transform)
        return ctune_set_error(CTUNE_EUNSUPPORTED, "%s has no transform", e->vt->name);
    if (X->n == 0)
        return CTUNE_OK;
    CTUNE_CHECK_NULL(out, "out");
    return e->vt->transform(e->self, X, out);
}

ctune_status ctune_estimator_inverse_transform(double *out, ctune_estimator *e, const ctune_data *X)
{
    CTUNE_CHECK_NULL(e, "estimator");
    CTUNE_CHECK_NULL(X, "X");
    if (!e->self)
        return ctune_set_error(CTUNE_ESTATE, "%s is not fitted: call fit first", e->vt->name);
    if (!e->vt->inverse_transform)
        return ctune_set_error(CTUNE_EUNSUPPORTED, "%s has no inverse_transform", e->vt->name);
    if (ctune_data_n_cols(X) != e->n_outputs)
        return ctune_set_error(CTUNE_EDATA, "X has %zu columns, but %s outputs %zu",
                               ctune_data_n_cols(X), e->vt->name, e->n_outputs);
    CTUNE_TRY(ctune_data_validate(X));
    if (X->n == 0)
        return CTUNE_OK;
    CTUNE_CHECK_NULL(out, "out");
    return e->vt->inverse_transform(e->self, X, out);
}

/* ---- score ---------------------------------------------------------------- */

ctune_status ctune_estimator_score(double *out, ctune_estimator *e, const ctune_data *data)
{
    CTUNE_TRY(ctune__estimator_check_X(e, data));
    CTUNE_CHECK_NULL(out, "out");
    size_t n = data->n, t = ctune_data_n_targets(data);
    if (n == 0)
        return ctune_set_error(CTUNE_EDATA, "%s: cannot score 0 rows", e->vt->name);
    if (e->vt->kind == CTUNE_TRANSFORMER && !e->vt->score)
        return ctune_set_error(CTUNE_EUNSUPPORTED, "%s is a transformer without a score",
                               e->vt->name);
    if (t == 0)
        return ctune_set_error(CTUNE_EDATA, "%s: score needs y, and the data has none",
                               e->vt->name);
    if (e->vt->kind == CTUNE_CLASSIFIER && t != 1)
        return ctune_set_error(CTUNE_EDATA, "%s: a classifier scores 1 target column, got %zu",
                               e->vt->name, t);
    if (e->vt->kind == CTUNE_REGRESSOR && t != e->n_outputs)
        return ctune_set_error(CTUNE_EDATA, "%s: y has %zu targets, the model predicts %zu",
                               e->vt->name, t, e->n_outputs);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < t; k++)
            if (!isfinite(ctune__data_y_at(data, i, k)))
                return ctune_set_error(CTUNE_EDATA, "y row %zu is not finite", i);
    if (e->vt->score) {
        if (e->vt->kind != CTUNE_CLASSIFIER)
            return e->vt->score(e->self, data, out);
        /* the estimator's score indexes by class code: a label unseen at
         * fit has none */
        for (size_t i = 0; i < n; i++) {
            double v = ctune__data_y_at(data, i, 0);
            if (ctune__label_code(e->classes, e->n_classes, v) < 0)
                return ctune_set_error(CTUNE_EDATA,
                                       "%s: y row %zu has label %g, which was not "
                                       "seen at fit",
                                       e->vt->name, i, v);
        }
        ctune_data *coded;
        CTUNE_TRY(encode_labels(data, e->classes, e->n_classes, &coded));
        ctune_status rc = e->vt->score(e->self, coded, out);
        ctune_data_free(coded);
        return rc;
    }
    double *pred = CTUNE_NEW_MATRIX(double, n, e->n_outputs);
    if (!pred)
        return CTUNE_ENOMEM;
    double *ytrue = CTUNE_NEW_MATRIX(double, n, t);
    if (!ytrue) {
        ctune__free(pred);
        return CTUNE_ENOMEM;
    }
    ctune_status rc = ctune_estimator_predict(pred, e, data);
    if (rc == CTUNE_OK)
        rc = ctune_data_gather_y(ytrue, data, NULL, n);
    if (rc == CTUNE_OK) {
        if (e->vt->kind == CTUNE_CLASSIFIER)
            rc = ctune_metric_accuracy(out, ytrue, pred, n);
        else
            rc = ctune_metric_r2(out, ytrue, pred, n, t);
    }
    ctune__free(pred);
    ctune__free(ytrue);
    return rc;
}

/* ---- persistence support (lib/persist) ---------------------------------------- */

void ctune__estimator_adopt(ctune_estimator *e, void *self, double *classes, size_t n_classes,
                            size_t n_features, size_t n_outputs)
{
    drop_fit(e);
    e->self = self;
    e->classes = classes;
    e->n_classes = n_classes;
    e->n_features = n_features;
    e->n_outputs = n_outputs;
}
