/* cross_val_score and cross_validate: one candidate (the estimator as it
 * is) evaluated on every split by the engine of the searches. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "estimator/estimator.h"
#include "model_selection/evaluate.h"
#include "model_selection/splitter.h"

struct ctune_cv_results {
    size_t n_splits;
    size_t n_cols;
    char **names;
    double **cols; /* n_cols × n_splits */
    char **errors; /* per split or NULL */
    ctune__strlist warnings;
};

void ctune_cv_results_free(ctune_cv_results *r)
{
    if (!r)
        return;
    for (size_t j = 0; j < r->n_cols; j++) {
        ctune__free(r->names[j]);
        ctune__free(r->cols[j]);
    }
    ctune__free(r->names);
    ctune__free(r->cols);
    if (r->errors)
        for (size_t f = 0; f < r->n_splits; f++)
            ctune__free(r->errors[f]);
    ctune__free(r->errors);
    ctune__strlist_clear(&r->warnings);
    ctune__free(r);
}

static double *add_column(ctune_cv_results *r, const char *prefix, const char *suffix)
{
    size_t j = r->n_cols;
    char name[192];
    snprintf(name, sizeof name, "%s%s", prefix, suffix);
    r->names[j] = ctune__strdup(name);
    r->cols[j] = CTUNE_NEW_ARRAY(double, r->n_splits);
    if (!r->names[j] || !r->cols[j]) {
        ctune__free(r->names[j]);
        ctune__free(r->cols[j]);
        r->names[j] = NULL;
        r->cols[j] = NULL;
        return NULL;
    }
    r->n_cols++;
    return r->cols[j];
}

static ctune_status build(ctune_cv_results **out, const ctune__eval *ev)
{
    const ctune__eval_opts *o = ev->opts;
    size_t ns = ev->n_splits, nk = ev->n_scorers;
    ctune_cv_results *r = ctune__calloc(1, sizeof *r);
    if (!r)
        return CTUNE_ENOMEM;
    ctune__strlist_init(&r->warnings);
    r->n_splits = ns;
    size_t max_cols = 2 + 2 * nk;
    r->names = ctune__calloc(max_cols, sizeof *r->names);
    r->cols = ctune__calloc(max_cols, sizeof *r->cols);
    r->errors = ctune__calloc(ns, sizeof *r->errors);
    if (!r->names || !r->cols || !r->errors)
        goto oom;
    double *ft = add_column(r, "fit_time", "");
    double *st = ft ? add_column(r, "score_time", "") : NULL;
    if (!st)
        goto oom;
    size_t failed = 0;
    for (size_t f = 0; f < ns; f++) {
        const ctune__task_rec *rec = ctune__eval_rec(ev, 0, f);
        ft[f] = rec->fit_time;
        st[f] = rec->score_time;
        if (rec->status != CTUNE_OK || rec->score_failures) {
            failed++;
            if (!(r->errors[f] = ctune__strdup(rec->error)))
                goto oom;
        }
    }
    for (size_t k = 0; k < nk; k++) {
        const char *sfx = o->scoring.n > 1 ? o->scoring.items[k] : "score";
        for (int train = 0; train < 2; train++) {
            if (train && !o->return_train)
                break;
            double *v = add_column(r, train ? "train_" : "test_", sfx);
            if (!v)
                goto oom;
            for (size_t f = 0; f < ns; f++) {
                const ctune__task_rec *rec = ctune__eval_rec(ev, 0, f);
                v[f] = rec->status == CTUNE_OK ? rec->scores[k + (train ? nk : 0)] : o->error_value;
            }
        }
    }
    for (size_t i = 0; i < ctune_splits_n_warnings(ev->splits); i++)
        if (ctune__strlist_push(&r->warnings, ctune_splits_warning(ev->splits, i)) != CTUNE_OK)
            goto oom;
    if (failed && ctune__strlist_pushf(&r->warnings,
                                       "%zu fits failed out of a total of %zu; "
                                       "their scores are set to error_score",
                                       failed, ns) != CTUNE_OK)
        goto oom;
    *out = r;
    return CTUNE_OK;
oom:
    ctune_cv_results_free(r);
    return CTUNE_ENOMEM;
}

/* The one cross-validation: the estimator as it is, on every split of the
 * options' splitter (or cv folds), on `vt` or the n_jobs executor. */
static ctune_status run(ctune_cv_results **out, const ctune_estimator *est, const ctune_data *data,
                        const ctune__eval_opts *o, const ctune_executor_vtable *vt, void *self)
{
    ctune_params *none = NULL;
    ctune__eval ev;
    memset(&ev, 0, sizeof ev);
    ev.est = est;
    ev.cands = &none;
    ev.n_cands = 1;
    ev.data = data;
    ev.opts = o;
    ev.seed = o->has_seed ? o->seed : 0;
    ev.executor = vt;
    ev.executor_self = self;
    ev.interrupt = ctune__estimator_cancel_flag(est);
    ctune_status rc = ctune__eval_run(&ev);
    ctune__estimator_cancel_end(est);
    if (rc == CTUNE_OK)
        rc = build(out, &ev);
    ctune__eval_clear(&ev);
    return rc;
}

ctune_status ctune_cross_validate(ctune_cv_results **out, const ctune_estimator *est,
                                  const ctune_data *data, const ctune_splitter *splitter, int cv,
                                  const char *options)
{
    return ctune_cross_validate_executor(out, est, data, splitter, cv, options, NULL, NULL);
}

ctune_status ctune_cross_validate_executor(ctune_cv_results **out, const ctune_estimator *est,
                                           const ctune_data *data, const ctune_splitter *splitter,
                                           int cv, const char *options,
                                           const ctune_executor_vtable *vt, void *self)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(est, "estimator");
    CTUNE_CHECK_NULL(data, "data");
    ctune_clear_error();
    CTUNE_TRY(ctune__executor_vtable_check(vt));
    ctune__eval_opts o;
    ctune__eval_opts_init(&o);
    ctune_status rc = ctune__eval_opts_set_splitter(&o, splitter);
    if (rc == CTUNE_OK && !splitter && cv != 0) /* 0 keeps the default, 5 */
        rc = ctune__eval_opts_set_cv(&o, cv, "cross_validate");
    if (rc == CTUNE_OK && options)
        rc = ctune__eval_opts_apply(&o, options, ctune__cv_options, "cross_validate");
    if (rc == CTUNE_OK)
        rc = run(out, est, data, &o, vt, self);
    ctune__eval_opts_clear(&o);
    return rc;
}

ctune_status ctune_cross_val_score(double *out_scores, const ctune_estimator *est,
                                   const ctune_data *data, int cv, const char *scoring)
{
    CTUNE_CHECK_NULL(est, "estimator");
    CTUNE_CHECK_NULL(data, "data");
    CTUNE_CHECK_NULL(out_scores, "out_scores");
    ctune_clear_error();
    /* cross_validate with cv folds, one scorer and error_score=raise: the
     * test_score column */
    ctune__eval_opts o;
    ctune__eval_opts_init(&o);
    o.error_raise = 1;
    ctune_cv_results *r = NULL;
    ctune_status rc = ctune__eval_opts_set_cv(&o, cv, "cross_val_score");
    if (rc == CTUNE_OK && scoring && *scoring) {
        rc = ctune_scorer_check(scoring); /* one name, not a '|' list */
        if (rc == CTUNE_OK)
            rc = ctune__eval_opts_set_scoring(&o, scoring, "cross_val_score");
    }
    if (rc == CTUNE_OK)
        rc = run(&r, est, data, &o, NULL, NULL);
    if (rc == CTUNE_OK)
        rc = ctune_cv_results_column(out_scores, r, "test_score");
    ctune_cv_results_free(r);
    ctune__eval_opts_clear(&o);
    return rc;
}

size_t ctune_cv_results_n_splits(const ctune_cv_results *r) { return r ? r->n_splits : 0; }
size_t ctune_cv_results_n_columns(const ctune_cv_results *r) { return r ? r->n_cols : 0; }

const char *ctune_cv_results_column_name(const ctune_cv_results *r, size_t i)
{
    return r && i < r->n_cols ? r->names[i] : NULL;
}

ctune_status ctune_cv_results_column(double *out, const ctune_cv_results *r, const char *name)
{
    CTUNE_CHECK_NULL(r, "results");
    CTUNE_CHECK_NULL(name, "name");
    CTUNE_CHECK_NULL(out, "out");
    for (size_t j = 0; j < r->n_cols; j++)
        if (strcmp(r->names[j], name) == 0) {
            memcpy(out, r->cols[j], r->n_splits * sizeof *out);
            return CTUNE_OK;
        }
    char list[512];
    size_t len = 0;
    list[0] = '\0';
    for (size_t j = 0; j < r->n_cols; j++) {
        int w = snprintf(list + len, sizeof list - len, "%s%s", j ? ", " : "", r->names[j]);
        if (w < 0 || (size_t)w >= sizeof list - len)
            break;
        len += (size_t)w;
    }
    return ctune_set_error(CTUNE_EINVAL, "unknown cross_validate column '%s'; known: %s", name,
                           list);
}

const char *ctune_cv_results_error(const ctune_cv_results *r, size_t split)
{
    return r && split < r->n_splits ? r->errors[split] : NULL;
}

size_t ctune_cv_results_n_warnings(const ctune_cv_results *r) { return r ? r->warnings.n : 0; }

const char *ctune_cv_results_warning(const ctune_cv_results *r, size_t i)
{
    return r ? ctune__strlist_get(&r->warnings, i) : NULL;
}
