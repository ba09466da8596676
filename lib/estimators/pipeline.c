/* Pipeline: named steps (transformers, then any final estimator) behind one
 * estimator handle.
 *
 * Each pipeline handle holds a definition (`pipe_def`, the handle's user
 * data, reference-counted through the vtable's user_retain/user_release):
 * its own copy of the vtable, whose param spec is generated from the steps'
 * specs ("step__param"), and one unfitted template handle per step. Clones
 * share the definition; adding a step to a shared one first copies it for
 * the handle that changes (ctune__estimator_rebind). The handle's params
 * hold the current value of every "step__param". A fit creates the instance (`pipe_fit`):
 * a clone of each template given its "step__*" params, fitted in turn on
 * the previous step's float64 output with the same y. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/data.h"
#include "core/error.h"
#include "core/params.h"
#include "estimator/estimator.h"
#include "estimators/scaler.h"
#include "io/stream.h"

#define STEP_NAME_MAX 63

typedef struct pipe_def {
    ctune_estimator_vtable vt; /* params -> spec */
    ctune_param_spec *spec;    /* n_spec + 1 entries */
    char *spec_text;           /* the spec's strings */
    size_t n;
    char **names;
    ctune_estimator **steps; /* unfitted templates */
    atomic_int refs;         /* handles sharing this definition */
} pipe_def;

typedef struct pipe_fit {
    size_t n;
    ctune_estimator **steps; /* fitted */
    pipe_def *def;           /* the definition it was made from (a reference: names) */
} pipe_fit;

static ctune_status pipe_predict_proba(void *self, const ctune_data *X, double *out);

/* ---- definition: spec generation, copy, release -------------------------------------- */

static size_t slen(const char *s) { return s ? strlen(s) + 1 : 0; }

static const char *put_str(char **cursor, const char *s)
{
    if (!s)
        return NULL;
    char *d = *cursor;
    size_t k = strlen(s) + 1;
    memcpy(d, s, k);
    *cursor += k;
    return d;
}

/* Builds the "step__param" spec of steps[0..n) into *spec / *text. */
static ctune_status build_spec(char *const *names, ctune_estimator *const *steps, size_t n,
                               ctune_param_spec **spec_out, char **text_out)
{
    size_t count = 0, bytes = 0;
    for (size_t i = 0; i < n; i++) {
        const ctune_param_spec *s = ctune_estimator_vtable_of(steps[i])->params;
        for (size_t j = 0; s && s[j].name; j++) {
            count++;
            bytes += strlen(names[i]) + 2 + slen(s[j].name) + slen(s[j].default_value) +
                     slen(s[j].range) + slen(s[j].choices) + slen(s[j].doc);
        }
    }
    ctune_param_spec *spec = ctune__calloc(count + 1, sizeof *spec);
    if (!spec)
        return CTUNE_ENOMEM;
    char *text = ctune__malloc(bytes);
    if (!text) {
        ctune__free(spec);
        return CTUNE_ENOMEM;
    }
    char *cur = text;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const ctune_param_spec *s = ctune_estimator_vtable_of(steps[i])->params;
        for (size_t j = 0; s && s[j].name; j++, k++) {
            int w = sprintf(cur, "%s__%s", names[i], s[j].name);
            spec[k].name = cur;
            cur += w + 1;
            spec[k].types = s[j].types;
            spec[k].default_value = put_str(&cur, s[j].default_value);
            spec[k].range = put_str(&cur, s[j].range);
            spec[k].choices = put_str(&cur, s[j].choices);
            spec[k].doc = put_str(&cur, s[j].doc);
        }
    }
    *spec_out = spec;
    *text_out = text;
    return CTUNE_OK;
}

/* Sets the vtable fields that follow the last step. */
static void sync_vtable(pipe_def *d)
{
    d->vt.params = d->spec;
    if (d->n == 0) {
        d->vt.kind = CTUNE_TRANSFORMER;
        return;
    }
    const ctune_estimator_vtable *last = ctune_estimator_vtable_of(d->steps[d->n - 1]);
    d->vt.kind = last->kind;
    d->vt.predict_proba = NULL;
    if (last->kind == CTUNE_CLASSIFIER && last->predict_proba)
        d->vt.predict_proba = pipe_predict_proba;
}

/* Frees a definition nobody shares (or that is not shared yet). */
static void def_free(pipe_def *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        ctune__free(d->names[i]);
        ctune_estimator_free(d->steps[i]);
    }
    ctune__free(d->names);
    ctune__free(d->steps);
    ctune__free(d->spec);
    ctune__free(d->spec_text);
    ctune__free(d);
}

static void def_retain(void *user)
{
    pipe_def *d = user;
    atomic_fetch_add(&d->refs, 1);
}

static void def_release(void *user)
{
    pipe_def *d = user;
    if (d && atomic_fetch_sub(&d->refs, 1) == 1)
        def_free(d);
}

static ctune_status def_new(pipe_def **out);

/* A private copy of `s` (one reference, held by the caller). */
static ctune_status def_copy(pipe_def **out, const pipe_def *s)
{
    pipe_def *d;
    CTUNE_TRY(def_new(&d));
    ctune_status rc = CTUNE_OK;
    if (s->n) {
        d->names = ctune__calloc(s->n, sizeof *d->names);
        d->steps = ctune__calloc(s->n, sizeof *d->steps);
        if (!d->names || !d->steps)
            rc = CTUNE_ENOMEM;
    }
    for (size_t i = 0; rc == CTUNE_OK && i < s->n; i++) {
        rc = ctune_estimator_clone(&d->steps[i], s->steps[i]);
        if (rc == CTUNE_OK) {
            d->names[i] = ctune__strdup(s->names[i]);
            if (!d->names[i]) {
                ctune_estimator_free(d->steps[i]);
                rc = CTUNE_ENOMEM;
            }
        }
        if (rc == CTUNE_OK)
            d->n = i + 1;
    }
    if (rc == CTUNE_OK)
        rc = build_spec(d->names, d->steps, d->n, &d->spec, &d->spec_text);
    if (rc != CTUNE_OK) {
        def_free(d);
        return rc;
    }
    sync_vtable(d);
    *out = d;
    return CTUNE_OK;
}

/* ---- instance ----------------------------------------------------------------------- */

static void def_release(void *user);

static void pipe_destroy(void *self)
{
    pipe_fit *pf = self;
    if (!pf)
        return;
    for (size_t i = 0; i < pf->n; i++)
        ctune_estimator_free(pf->steps[i]);
    ctune__free(pf->steps);
    if (pf->def)
        def_release(pf->def);
    ctune__free(pf);
}

/* The instance keeps its definition alive (a later step added to the
 * handle's copies it: ctune_pipeline_add_step). */
static void keep_def(pipe_fit *pf, const pipe_def *d)
{
    pf->def = (pipe_def *)d;
    atomic_fetch_add(&pf->def->refs, 1);
}

/* The "prefix__*" entries of params, renamed without the prefix. */
static ctune_status step_params(const ctune_params *params, const char *prefix, ctune_params **out)
{
    CTUNE_TRY(ctune_params_new(out));
    size_t k = strlen(prefix);
    for (size_t i = 0; i < ctune_params_count(params); i++) {
        const char *name = ctune_params_name(params, i);
        if (strncmp(name, prefix, k) == 0 && name[k] == '_' && name[k + 1] == '_') {
            ctune_status rc = ctune__params_copy_value(*out, name + k + 2, params, name);
            if (rc != CTUNE_OK) {
                ctune_params_free(*out);
                *out = NULL;
                return rc;
            }
        }
    }
    return CTUNE_OK;
}

static ctune_status pipe_create(void **self, const ctune_params *params, void *user)
{
    const pipe_def *d = user;
    if (d->n == 0)
        return ctune_set_error(CTUNE_ESTATE,
                               "Pipeline has no steps: add them with ctune_pipeline_add_step()");
    pipe_fit *pf = ctune__calloc(1, sizeof *pf);
    if (!pf)
        return CTUNE_ENOMEM;
    pf->steps = ctune__calloc(d->n, sizeof *pf->steps);
    if (!pf->steps) {
        ctune__free(pf);
        return CTUNE_ENOMEM;
    }
    keep_def(pf, d);
    ctune_status rc = CTUNE_OK;
    for (size_t i = 0; rc == CTUNE_OK && i < d->n; i++) {
        rc = ctune_estimator_clone(&pf->steps[i], d->steps[i]);
        if (rc != CTUNE_OK)
            break;
        pf->n = i + 1;
        ctune_params *sp;
        rc = step_params(params, d->names[i], &sp);
        if (rc == CTUNE_OK) {
            rc = ctune_estimator_set_params(pf->steps[i], sp);
            ctune_params_free(sp);
            if (rc != CTUNE_OK && rc != CTUNE_ENOMEM)
                ctune__error_prefix("Pipeline step '%s'", d->names[i]);
        }
    }
    if (rc != CTUNE_OK) {
        pipe_destroy(pf);
        return rc;
    }
    *self = pf;
    return CTUNE_OK;
}

/* The step name of fitted step i, for messages. */
static const char *step_label(const pipe_fit *pf, size_t i)
{
    return ctune_estimator_name(pf->steps[i]);
}

/* Runs `X` through transformer steps [0, upto): *out receives an owned view
 * (float64, with X's y when keep_y), or NULL when upto is 0 (use X).
 * fitted_on: X holds the very rows the single step (upto 1) was fitted on. */
static ctune_status run_transforms(const pipe_fit *pf, size_t upto, const ctune_data *X, int keep_y,
                                   int fitted_on, ctune_data **out)
{
    *out = NULL;
    const ctune_data *cur = X;
    ctune_data *owned = NULL;
    size_t n = ctune_data_n_rows(X), t = keep_y ? ctune_data_n_targets(X) : 0;
    for (size_t i = 0; i < upto; i++) {
        const double *shift, *scale, *absmax = NULL;
        if (!cur->affine && ctune__affine_of(pf->steps[i], &shift, &scale, &absmax)) {
            /* a per-column affine step: a view of cur, no copy. Its X
             * must pass the checks its transform would have made. */
            ctune_status rc = ctune__estimator_check_X(pf->steps[i], cur);
            ctune_data *next = NULL;
            if (rc == CTUNE_OK)
                rc = ctune__data_affine(&next, cur, shift, scale);
            if (rc == CTUNE_OK && fitted_on && absmax)
                ctune__data_affine_known(next, absmax); /* the step's fit read these rows */
            if (rc != CTUNE_OK) {
                ctune_data_free(owned);
                if (rc != CTUNE_ENOMEM)
                    ctune__error_prefix("Pipeline step %zu (%s): transform", i, step_label(pf, i));
                return rc;
            }
            ctune_data_free(owned);
            owned = next;
            cur = owned;
            continue;
        }
        size_t k = ctune_estimator_n_outputs(pf->steps[i]);
        double *Xo = ctune__malloc_matrix(n ? n : 1, n ? k : 1, sizeof *Xo);
        double *yo = NULL;
        if (!Xo)
            goto nomem;
        if (t) {
            yo = ctune__malloc_matrix(n ? n : 1, n ? t : 1, sizeof *yo);
            if (!yo) {
                ctune__free(Xo);
                goto nomem;
            }
        }
        ctune_status rc = ctune_estimator_transform(Xo, pf->steps[i], cur);
        if (rc == CTUNE_OK && t && n)
            rc = ctune_data_gather_y(yo, cur, NULL, n);
        if (rc != CTUNE_OK) {
            ctune__free(Xo);
            ctune__free(yo);
            ctune_data_free(owned);
            if (rc != CTUNE_ENOMEM)
                ctune__error_prefix("Pipeline step %zu (%s): transform", i, step_label(pf, i));
            return rc;
        }
        ctune_data *next;
        rc = ctune__data_new_owned(&next, Xo, CTUNE_FLOAT64, n, k, yo, t);
        if (rc != CTUNE_OK) {
            ctune_data_free(owned);
            return rc;
        }
        ctune_data_free(owned);
        owned = next;
        cur = owned;
    }
    *out = owned;
    return CTUNE_OK;
nomem:
    ctune_data_free(owned);
    return CTUNE_ENOMEM;
}

static ctune_status pipe_fit_fn(void *self, const ctune_data *train, size_t n_classes,
                                const ctune_fit_ctx *ctx)
{
    (void)n_classes;
    pipe_fit *pf = self;
    const ctune_data *cur = train;
    ctune_data *owned = NULL;
    ctune_status rc = CTUNE_OK;
    for (size_t i = 0; i < pf->n; i++) {
        rc = ctune__estimator_fit_ctx(pf->steps[i], cur, ctx);
        if (rc != CTUNE_OK) {
            if (rc != CTUNE_ENOMEM)
                ctune__error_prefix("Pipeline step %zu (%s): fit", i, step_label(pf, i));
            break;
        }
        if (i + 1 == pf->n)
            break;
        ctune_data *next;
        /* one transformer at a time: feed its output forward */
        pipe_fit one = {1, pf->steps + i, NULL};
        rc = run_transforms(&one, 1, cur, 1, 1, &next);
        if (rc != CTUNE_OK)
            break;
        ctune_data_free(owned);
        owned = next;
        cur = owned;
    }
    ctune_data_free(owned);
    return rc;
}

/* Warm start (the vtable's fit_more): the transformers were fitted on this
 * same data with the same params, so they stay and only re-apply; the last
 * step continues its fit on their output with its own fit_more, which ends
 * as a fresh fit of the whole pipeline would (each step of a fresh fit sees
 * the same data and fit context). CTUNE_EUNSUPPORTED, nothing changed, when
 * a transformer's params differ or the last step cannot continue. */
static ctune_status pipe_fit_more(void *self, const ctune_params *params, const ctune_data *train,
                                  size_t n_classes, const ctune_fit_ctx *ctx)
{
    (void)n_classes; /* the last step's handle has its own */
    pipe_fit *pf = self;
    const pipe_def *d = pf->def;
    ctune_estimator *last = pf->steps[pf->n - 1];
    const ctune_estimator_vtable *lvt = ctune_estimator_vtable_of(last);
    if (!d || d->n != pf->n || lvt->version < 3 || !lvt->fit_more)
        return ctune_set_error(CTUNE_EUNSUPPORTED,
                               "Pipeline: its last step (%s) cannot continue a fit",
                               ctune_estimator_name(last));
    ctune_params *sp = NULL;
    ctune_status rc = CTUNE_OK;
    for (size_t i = 0; rc == CTUNE_OK && i + 1 < pf->n; i++) {
        rc = step_params(params, d->names[i], &sp);
        if (rc == CTUNE_OK && !ctune_params_equal(sp, ctune_estimator_get_params(pf->steps[i])))
            rc = ctune_set_error(CTUNE_EUNSUPPORTED,
                                 "Pipeline: step '%s' has other params: it must be fitted "
                                 "again",
                                 d->names[i]);
        ctune_params_free(sp);
        sp = NULL;
    }
    CTUNE_TRY(rc);
    ctune_data *tx = NULL;
    CTUNE_TRY(step_params(params, d->names[pf->n - 1], &sp));
    rc = run_transforms(pf, pf->n - 1, train, 1, 0, &tx);
    if (rc == CTUNE_OK) {
        rc = ctune__estimator_continue_ctx(last, tx ? tx : train, sp, ctx);
        if (rc != CTUNE_OK && rc != CTUNE_EUNSUPPORTED && rc != CTUNE_ENOMEM)
            ctune__error_prefix("Pipeline step %zu (%s): fit", pf->n - 1,
                                step_label(pf, pf->n - 1));
    }
    ctune_data_free(tx);
    ctune_params_free(sp);
    return rc;
}

/* Runs X through the transformers, then `call` on the last step. */
static ctune_status through_last(pipe_fit *pf, const ctune_data *X, int keep_y,
                                 ctune_status (*call)(double *, ctune_estimator *,
                                                      const ctune_data *),
                                 double *out)
{
    ctune_data *tx;
    CTUNE_TRY(run_transforms(pf, pf->n - 1, X, keep_y, 0, &tx));
    ctune_status rc = call(out, pf->steps[pf->n - 1], tx ? tx : X);
    ctune_data_free(tx);
    return rc;
}

static ctune_status pipe_predict(void *self, const ctune_data *X, double *out)
{
    pipe_fit *pf = self;
    ctune_estimator *last = pf->steps[pf->n - 1];
    if (ctune_estimator_kind(last) == CTUNE_TRANSFORMER)
        return ctune_set_error(CTUNE_EUNSUPPORTED,
                               "Pipeline: the last step (%s) is a transformer "
                               "without predict: use transform",
                               ctune_estimator_name(last));
    return through_last(pf, X, 0, ctune_estimator_predict, out);
}

static ctune_status pipe_predict_proba(void *self, const ctune_data *X, double *out)
{
    return through_last(self, X, 0, ctune_estimator_predict_proba, out);
}

static ctune_status pipe_score(void *self, const ctune_data *data, double *out)
{
    return through_last(self, data, 1, ctune_estimator_score, out);
}

static size_t pipe_n_features_out(const void *self)
{
    const pipe_fit *pf = self;
    ctune_estimator *last = pf->steps[pf->n - 1];
    return ctune_estimator_kind(last) == CTUNE_TRANSFORMER ? ctune_estimator_n_outputs(last) : 0;
}

static size_t pipe_n_outputs(const void *self)
{
    const pipe_fit *pf = self;
    return ctune_estimator_n_outputs(pf->steps[pf->n - 1]);
}

static ctune_status pipe_transform(void *self, const ctune_data *X, double *out)
{
    pipe_fit *pf = self;
    ctune_estimator *last = pf->steps[pf->n - 1];
    if (ctune_estimator_kind(last) != CTUNE_TRANSFORMER)
        return ctune_set_error(CTUNE_EUNSUPPORTED,
                               "Pipeline: the last step (%s) is not a "
                               "transformer: use predict",
                               ctune_estimator_name(last));
    return through_last(pf, X, 0, ctune_estimator_transform, out);
}

static ctune_status pipe_inverse(void *self, const ctune_data *X, double *out)
{
    pipe_fit *pf = self;
    for (size_t i = 0; i < pf->n; i++) {
        const ctune_estimator_vtable *vt = ctune_estimator_vtable_of(pf->steps[i]);
        if (vt->kind != CTUNE_TRANSFORMER || !vt->inverse_transform)
            return ctune_set_error(CTUNE_EUNSUPPORTED,
                                   "Pipeline: step %zu (%s) has no inverse_transform", i, vt->name);
    }
    size_t n = ctune_data_n_rows(X);
    const ctune_data *cur = X;
    ctune_data *owned = NULL;
    for (size_t i = pf->n; i-- > 0;) {
        ctune_estimator *st = pf->steps[i];
        if (i == 0) {
            ctune_status rc = ctune_estimator_inverse_transform(out, st, cur);
            ctune_data_free(owned);
            return rc;
        }
        size_t k = ctune_estimator_n_features_in(st);
        double *buf = ctune__malloc_matrix(n ? n : 1, n ? k : 1, sizeof *buf);
        if (!buf) {
            ctune_data_free(owned);
            return CTUNE_ENOMEM;
        }
        ctune_status rc = ctune_estimator_inverse_transform(buf, st, cur);
        ctune_data *next = NULL;
        if (rc == CTUNE_OK)
            rc = ctune__data_new_owned(&next, buf, CTUNE_FLOAT64, n, k, NULL, 0);
        else
            ctune__free(buf);
        ctune_data_free(owned);
        if (rc != CTUNE_OK)
            return rc;
        owned = next;
        cur = owned;
    }
    ctune_data_free(owned);
    return CTUNE_OK;
}

/* ---- persistence ------------------------------------------------------------------
 * Definition (before the params apply): u64 n, then per step its name (string) and its
 * unfitted template as a nested model body. Payload of a fitted pipeline: u64 n, then
 * each fitted step as a nested model body, through the stream's nesting hooks
 * (ctune__write_estimator, lib/io/stream.h). */

static ctune_status def_save(const void *user, ctune_writer *w)
{
    const pipe_def *d = user;
    CTUNE_TRY(ctune_write_u64(w, d->n));
    for (size_t i = 0; i < d->n; i++) {
        CTUNE_TRY(ctune_write_string(w, d->names[i]));
        ctune_status rc = ctune__write_estimator(w, d->steps[i]);
        if (rc != CTUNE_OK) {
            if (rc != CTUNE_ENOMEM)
                ctune__error_prefix("Pipeline step '%s'", d->names[i]);
            return rc;
        }
    }
    return CTUNE_OK;
}

/* Turns an EINVAL from the API into a format error of the file. */
static ctune_status as_format(ctune_status rc)
{
    if (rc != CTUNE_EINVAL)
        return rc;
    ctune__error_prefix("model file corrupted");
    return ctune_set_error(CTUNE_EFORMAT, "%s", ctune_last_error());
}

static ctune_status def_load(ctune_estimator **out, ctune_reader *r, void *user)
{
    *out = NULL;
    const pipe_def *ld = user; /* the pipeline loaded into: its steps guide the load */
    if (!ld)
        return ctune_set_error(CTUNE_EINVAL, "Pipeline: loading needs the pipeline's user pointer "
                                             "(ctune_estimator_user()), not NULL");
    size_t n;
    CTUNE_TRY(ctune__read_count(r, 9, &n)); /* a step is more than 9 bytes */
    if (ld->n && ld->n != n)
        return ctune_set_error(CTUNE_EFORMAT,
                               "model file holds a Pipeline of %zu steps, but the pipeline given "
                               "has %zu",
                               n, ld->n);
    ctune_estimator *p;
    CTUNE_TRY(ctune_pipeline_new(&p));
    ctune_status rc = CTUNE_OK;
    for (size_t i = 0; rc == CTUNE_OK && i < n; i++) {
        char *name = NULL;
        ctune_estimator *step = NULL;
        size_t at = r->base + r->pos;
        rc = ctune__read_string_alloc(r, &name);
        if (rc == CTUNE_OK && !name)
            rc = ctune_set_error(CTUNE_EFORMAT,
                                 "model file corrupted: Pipeline step %zu has no name (byte %zu)",
                                 i, at);
        if (rc == CTUNE_OK && ld->n && strcmp(name, ld->names[i]) != 0)
            rc = ctune_set_error(CTUNE_EFORMAT,
                                 "model file holds a Pipeline whose step %zu is '%s', but it is "
                                 "'%s' in the pipeline given",
                                 i, name, ld->names[i]);
        if (rc == CTUNE_OK) {
            rc = ctune__read_estimator(r, &step, ld->n ? ld->steps[i] : NULL);
            if (rc != CTUNE_OK && rc != CTUNE_ENOMEM)
                ctune__error_prefix("Pipeline step '%s'", name);
        }
        if (rc == CTUNE_OK)
            rc = as_format(ctune_pipeline_add_step(p, name, step));
        ctune_estimator_free(step);
        ctune__free(name);
    }
    if (rc != CTUNE_OK) {
        ctune_estimator_free(p);
        return rc;
    }
    *out = p;
    return CTUNE_OK;
}

static ctune_status pipe_save(const void *self, ctune_writer *w)
{
    const pipe_fit *pf = self;
    CTUNE_TRY(ctune_write_u64(w, pf->n));
    for (size_t i = 0; i < pf->n; i++) {
        ctune_status rc = ctune__write_estimator(w, pf->steps[i]);
        if (rc != CTUNE_OK) {
            if (rc != CTUNE_ENOMEM)
                ctune__error_prefix("Pipeline step %zu (%s)", i, step_label(pf, i));
            return rc;
        }
    }
    return CTUNE_OK;
}

/* Checks that the loaded steps chain up and match the pipeline's own fitted
 * state (features in, outputs, classes as codes 0..k-1). */
static ctune_status check_chain(const pipe_fit *pf, const ctune_reader *r)
{
    const ctune_estimator *last = pf->steps[pf->n - 1];
    size_t in = r->fit_features;
    for (size_t i = 0; i < pf->n; i++) {
        const ctune_estimator *st = pf->steps[i];
        if (!ctune_estimator_is_fitted(st) || ctune_estimator_n_features_in(st) != in)
            return ctune_set_error(CTUNE_EFORMAT,
                                   "model file corrupted: Pipeline step %zu (%s) is %s with %zu "
                                   "features, where %zu come in",
                                   i, step_label(pf, i),
                                   ctune_estimator_is_fitted(st) ? "fitted" : "not fitted",
                                   ctune_estimator_n_features_in(st), in);
        in = ctune_estimator_n_outputs(st);
    }
    size_t k = ctune_estimator_n_classes(last);
    int ok = k == r->fit_classes && ctune_estimator_n_outputs(last) == r->fit_outputs;
    if (ok && k) {
        double *classes = CTUNE_NEW_ARRAY(double, k);
        if (!classes)
            return CTUNE_ENOMEM;
        ctune_status rc = ctune_estimator_classes(classes, last);
        for (size_t c = 0; rc == CTUNE_OK && c < k; c++)
            ok = ok && classes[c] == (double)c;
        ctune__free(classes);
        CTUNE_TRY(rc);
    }
    if (!ok)
        return ctune_set_error(CTUNE_EFORMAT,
                               "model file corrupted: the last Pipeline step (%s) has %zu classes "
                               "and %zu outputs, the Pipeline %zu and %zu",
                               ctune_estimator_name(last), k, ctune_estimator_n_outputs(last),
                               r->fit_classes, r->fit_outputs);
    return CTUNE_OK;
}

static ctune_status pipe_load(void **self, const ctune_params *params, ctune_reader *r, void *user)
{
    (void)params; /* the steps carry their own */
    const pipe_def *d = user;
    size_t n;
    CTUNE_TRY(ctune__read_count(r, 9, &n));
    if (n != d->n || n == 0)
        return ctune_set_error(CTUNE_EFORMAT,
                               "model file corrupted: a fitted Pipeline of %zu steps, whose "
                               "definition has %zu",
                               n, d->n);
    pipe_fit *pf = ctune__calloc(1, sizeof *pf);
    if (!pf)
        return CTUNE_ENOMEM;
    keep_def(pf, d);
    pf->steps = ctune__calloc(n, sizeof *pf->steps);
    ctune_status rc = pf->steps ? CTUNE_OK : CTUNE_ENOMEM;
    for (size_t i = 0; rc == CTUNE_OK && i < n; i++) {
        rc = ctune__read_estimator(r, &pf->steps[i], d->steps[i]);
        if (rc == CTUNE_OK)
            pf->n = i + 1;
        else if (rc != CTUNE_ENOMEM)
            ctune__error_prefix("Pipeline step '%s'", d->names[i]);
    }
    if (rc == CTUNE_OK)
        rc = check_chain(pf, r);
    if (rc != CTUNE_OK) {
        pipe_destroy(pf);
        return rc;
    }
    *self = pf;
    return CTUNE_OK;
}

/* ---- public API -------------------------------------------------------------------- */

static ctune_status def_new(pipe_def **out)
{
    pipe_def *d = ctune__calloc(1, sizeof *d);
    if (!d)
        return CTUNE_ENOMEM;
    d->vt.version = CTUNE_ESTIMATOR_VTABLE_VERSION;
    d->vt.name = "Pipeline";
    d->vt.kind = CTUNE_TRANSFORMER;
    d->vt.params = NULL;
    d->vt.create = pipe_create;
    d->vt.fit = pipe_fit_fn;
    d->vt.predict = pipe_predict;
    d->vt.score = pipe_score;
    d->vt.n_features_out = pipe_n_features_out;
    d->vt.transform = pipe_transform;
    d->vt.inverse_transform = pipe_inverse;
    d->vt.save = pipe_save;
    d->vt.load = pipe_load;
    d->vt.destroy = pipe_destroy;
    d->vt.n_outputs = pipe_n_outputs;
    d->vt.user_retain = def_retain;
    d->vt.user_release = def_release;
    d->vt.save_definition = def_save;
    d->vt.load_definition = def_load;
    d->vt.fit_more = pipe_fit_more;
    atomic_init(&d->refs, 1);
    *out = d;
    return CTUNE_OK;
}

ctune_status ctune_pipeline_new(ctune_estimator **out)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    pipe_def *d;
    CTUNE_TRY(def_new(&d));
    return ctune_estimator_new(out, &d->vt, d); /* adopts d, also on failure */
}

static pipe_def *def_of(const ctune_estimator *pipe)
{
    const ctune_estimator_vtable *vt = ctune_estimator_vtable_of(pipe);
    return vt && vt->create == pipe_create ? ctune_estimator_user(pipe) : NULL;
}

static ctune_status check_name(const pipe_def *d, const char *name)
{
    size_t len = strlen(name);
    int ok = len > 0 && len <= STEP_NAME_MAX && !(name[0] >= '0' && name[0] <= '9') &&
             strstr(name, "__") == NULL;
    for (size_t i = 0; ok && i < len; i++) {
        char c = name[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
    if (!ok)
        return ctune_set_error(CTUNE_EINVAL,
                               "ctune_pipeline_add_step: step name '%s' is not valid: use "
                               "[A-Za-z_][A-Za-z0-9_]* without \"__\", at most %d characters",
                               name, STEP_NAME_MAX);
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->names[i], name) == 0)
            return ctune_set_error(CTUNE_EINVAL,
                                   "ctune_pipeline_add_step: the pipeline "
                                   "already has a step named '%s'",
                                   name);
    return CTUNE_OK;
}

/* Only the last step may be a classifier or regressor. */
static ctune_status check_append(const pipe_def *d, const char *name)
{
    if (d->n == 0)
        return CTUNE_OK;
    const ctune_estimator *last = d->steps[d->n - 1];
    if (ctune_estimator_kind(last) == CTUNE_TRANSFORMER)
        return CTUNE_OK;
    return ctune_set_error(CTUNE_EINVAL,
                           "ctune_pipeline_add_step: cannot add '%s' after step '%s' (%s), "
                           "which is not a transformer: only the last step may be a "
                           "classifier or regressor",
                           name, d->names[d->n - 1], ctune_estimator_name(last));
}

/* The step's current params under the names `<name>__<param>`. */
static ctune_status prefixed_params(ctune_params **out, const ctune_estimator *step,
                                    const char *name)
{
    ctune_params *q;
    CTUNE_TRY(ctune_params_new(&q));
    const ctune_params *cur = ctune_estimator_get_params(step);
    char full[STEP_NAME_MAX + 2 + 256];
    ctune_status rc = CTUNE_OK;
    for (size_t i = 0; rc == CTUNE_OK && i < ctune_params_count(cur); i++) {
        const char *pn = ctune_params_name(cur, i);
        if ((size_t)snprintf(full, sizeof full, "%s__%s", name, pn) >= sizeof full)
            rc = ctune_set_error(CTUNE_EINVAL,
                                 "ctune_pipeline_add_step: parameter name '%s' "
                                 "of step '%s' is too long",
                                 pn, name);
        else
            rc = ctune__params_copy_value(q, full, cur, pn);
    }
    if (rc != CTUNE_OK) {
        ctune_params_free(q);
        return rc;
    }
    *out = q;
    return CTUNE_OK;
}

ctune_status ctune_pipeline_add_step(ctune_estimator *pipe, const char *name,
                                     const ctune_estimator *step)
{
    CTUNE_CHECK_NULL(pipe, "pipe");
    CTUNE_CHECK_NULL(name, "name");
    CTUNE_CHECK_NULL(step, "step");
    pipe_def *d = def_of(pipe);
    if (!d)
        return ctune_set_error(CTUNE_EINVAL, "ctune_pipeline_add_step: %s is not a Pipeline",
                               ctune_estimator_name(pipe));
    CTUNE_TRY(check_name(d, name));
    CTUNE_TRY(check_append(d, name));
    /* A definition shared with clones is copied for this handle first (an
     * equal copy: should a later step fail, nothing visible changed). */
    if (atomic_load(&d->refs) > 1) {
        pipe_def *own;
        CTUNE_TRY(def_copy(&own, d));
        ctune__estimator_rebind(pipe, &own->vt, own);
        d = own;
    }
    /* Prepare everything that can fail before changing the definition. */
    ctune_estimator *tmpl = NULL;
    char *nm = NULL, **names = NULL;
    ctune_estimator **steps = NULL;
    ctune_param_spec *spec = NULL;
    char *text = NULL;
    ctune_params *q = NULL;
    ctune_status rc = ctune_estimator_clone(&tmpl, step);
    if (rc == CTUNE_OK && !(nm = ctune__strdup(name)))
        rc = CTUNE_ENOMEM;
    if (rc == CTUNE_OK && !(names = ctune__malloc_array(d->n + 1, sizeof *names)))
        rc = CTUNE_ENOMEM;
    if (rc == CTUNE_OK && !(steps = ctune__malloc_array(d->n + 1, sizeof *steps)))
        rc = CTUNE_ENOMEM;
    if (rc == CTUNE_OK) {
        if (d->n) { /* an empty pipeline has NULL arrays */
            memcpy(names, d->names, d->n * sizeof *names);
            memcpy(steps, d->steps, d->n * sizeof *steps);
        }
        names[d->n] = nm;
        steps[d->n] = tmpl;
        rc = build_spec(names, steps, d->n + 1, &spec, &text);
    }
    if (rc == CTUNE_OK)
        rc = prefixed_params(&q, step, name);
    if (rc != CTUNE_OK) {
        ctune_estimator_free(tmpl);
        ctune__free(nm);
        ctune__free(names);
        ctune__free(steps);
        ctune__free(spec);
        ctune__free(text);
        ctune_params_free(q);
        return rc;
    }
    /* Swap the new definition in, then apply the step's values. */
    char **old_names = d->names;
    ctune_estimator **old_steps = d->steps;
    ctune_param_spec *old_spec = d->spec;
    char *old_text = d->spec_text;
    ctune_estimator_vtable old_vt = d->vt;
    d->names = names;
    d->steps = steps;
    d->spec = spec;
    d->spec_text = text;
    d->n++;
    sync_vtable(d);
    rc = ctune_estimator_set_params(pipe, q);
    ctune_params_free(q);
    if (rc != CTUNE_OK) {
        d->n--;
        d->names = old_names;
        d->steps = old_steps;
        d->spec = old_spec;
        d->spec_text = old_text;
        d->vt = old_vt;
        ctune_estimator_free(tmpl);
        ctune__free(nm);
        ctune__free(names);
        ctune__free(steps);
        ctune__free(spec);
        ctune__free(text);
        return rc;
    }
    ctune__free(old_names);
    ctune__free(old_steps);
    ctune__free(old_spec);
    ctune__free(old_text);
    return CTUNE_OK;
}

size_t ctune_pipeline_n_steps(const ctune_estimator *pipe)
{
    const pipe_def *d = def_of(pipe);
    return d ? d->n : 0;
}

const char *ctune_pipeline_step_name(const ctune_estimator *pipe, size_t i)
{
    const pipe_def *d = def_of(pipe);
    return d && i < d->n ? d->names[i] : NULL;
}

ctune_status ctune_pipeline_step(const ctune_estimator **out, const ctune_estimator *pipe,
                                 const char *name)
{
    CTUNE_CHECK_NULL(pipe, "pipe");
    CTUNE_CHECK_NULL(name, "name");
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    const pipe_def *d = def_of(pipe);
    if (!d)
        return ctune_set_error(CTUNE_EINVAL, "ctune_pipeline_step: %s is not a Pipeline",
                               ctune_estimator_name(pipe));
    size_t i = 0;
    while (i < d->n && strcmp(d->names[i], name) != 0)
        i++;
    if (i == d->n) {
        char list[512];
        size_t len = 0;
        list[0] = '\0';
        for (size_t j = 0; j < d->n && len < sizeof list; j++) {
            int w = snprintf(list + len, sizeof list - len, "%s%s", j ? ", " : "", d->names[j]);
            if (w < 0)
                break;
            len += (size_t)w;
        }
        return ctune_set_error(CTUNE_EINVAL, "ctune_pipeline_step: unknown step '%s'; steps: %s",
                               name, d->n ? list : "(none)");
    }
    const pipe_fit *pf = ctune__estimator_self(pipe);
    if (!pf)
        return ctune_set_error(CTUNE_ESTATE, "ctune_pipeline_step: the Pipeline is not fitted");
    *out = pf->steps[i];
    return CTUNE_OK;
}
