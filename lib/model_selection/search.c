/* Randomized, grid and TPE searches (RandomizedSearchCV / GridSearchCV /
 * Optuna's TPESampler): the candidates, the options, the evaluation runs and
 * the results table. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/params.h"
#include "io/atomic.h"
#include "model_selection/evaluate.h"
#include "model_selection/results.h"
#include "model_selection/sampler_tpe.h"
#include "model_selection/space.h"
#include "model_selection/splitter.h"

struct ctune_search {
    ctune_estimator *est; /* a clone of the caller's: the template of every fit */
    ctune_space *space;
    ctune_candidates *cands;
    uint64_t seed; /* sampling seed (randomized) */
    int randomized;
    int tpe;                 /* candidates proposed in batches by TPE */
    ctune__tpe_opts tpe_opts;
    size_t n_trials;         /* TPE: trials to run */
    ctune__eval_opts opts; /* cv / splitter, n_jobs, scoring, refit, seed, ... */
    ctune_progress_fn progress;
    void *user;
    const ctune_executor_vtable *executor; /* NULL = n_jobs */
    void *executor_self;
    atomic_int cancel; /* ctune_search_cancel(): set until ctune_search_fit returns */

    /* results of the last fit */
    ctune_status fit_status;
    ctune__results *res;
    size_t n_splits, n_done;
    long best_index;
    double best_score;
    const char *refit_metric; /* borrowed from opts, NULL = none */
    ctune_estimator *best_est;
    double refit_time;
    ctune__strlist warnings;
};

static void drop_results(ctune_search *s)
{
    ctune__results_free(s->res);
    s->res = NULL;
    ctune_estimator_free(s->best_est);
    s->best_est = NULL;
    s->best_index = -1;
    s->best_score = NAN;
    s->refit_metric = NULL;
    s->refit_time = 0;
    s->n_splits = 0;
    s->n_done = 0;
    ctune__strlist_clear(&s->warnings);
}

void ctune_search_free(ctune_search *s)
{
    if (!s)
        return;
    drop_results(s);
    ctune_estimator_free(s->est);
    ctune_space_free(s->space);
    ctune_candidates_free(s->cands);
    ctune__eval_opts_clear(&s->opts);
    ctune__free(s);
}

/* Every space name must be a parameter of the estimator (checked with the
 * estimator's current values, so only names are at stake here). */
static ctune_status check_names(const ctune_estimator *est, const ctune_space *space)
{
    const ctune_params *cur = ctune_estimator_get_params(est);
    ctune_params *p;
    CTUNE_TRY(ctune_params_new(&p));
    ctune_status rc = CTUNE_OK;
    for (size_t i = 0; i < ctune_space_count(space) && rc == CTUNE_OK; i++) {
        const char *name = ctune_space_name(space, i);
        rc = ctune_params_find(cur, name) >= 0 ? ctune__params_copy_value(p, name, cur, name)
                                               : ctune_params_set_none(p, name);
    }
    if (rc == CTUNE_OK)
        rc = ctune_estimator_check_params(est, p);
    ctune_params_free(p);
    if (rc != CTUNE_OK && rc != CTUNE_ENOMEM)
        ctune__error_prefix("search space");
    return rc;
}

/* An empty candidate list that a TPE search fills as it runs, capped at the
 * grid of a space of lists with the randomized search's warning. */
static ctune_status tpe_candidates(ctune_search *s, size_t n_trials)
{
    s->n_trials = n_trials;
    s->cands = ctune__calloc(1, sizeof *s->cands);
    if (!s->cands)
        return CTUNE_ENOMEM;
    uint64_t g;
    if (ctune__space_grid_size(s->space, &g) != CTUNE_OK) {
        ctune_clear_error(); /* distributions: no grid, no cap */
        return CTUNE_OK;
    }
    if (g >= (uint64_t)n_trials)
        return CTUNE_OK;
    s->n_trials = (size_t)g;
    char warn[256];
    snprintf(warn, sizeof warn, "the total space of parameters %zu is smaller than n_trials=%zu: "
             "running %zu trials (TPE never proposes a point twice)", s->n_trials, n_trials,
             s->n_trials);
    s->cands->warning = ctune__strdup(warn);
    return s->cands->warning ? CTUNE_OK : CTUNE_ENOMEM;
}

static ctune_status search_new(ctune_search **out, const ctune_estimator *est,
                               const ctune_space *space, int randomized, size_t n_iter,
                               uint64_t seed, const ctune__tpe_opts *tpe)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(est, "estimator");
    CTUNE_CHECK_NULL(space, "space");
    if (ctune_space_count(space) == 0)
        return ctune_set_error(CTUNE_EINVAL, "search space is empty: add at least one parameter");
    if (randomized && n_iter == 0)
        return ctune_set_error(CTUNE_EINVAL, "%s search: %s must be >= 1, got 0",
                               tpe ? "TPE" : "randomized", tpe ? "n_trials" : "n_iter");
    CTUNE_TRY(check_names(est, space));
    ctune_search *s = ctune__calloc(1, sizeof *s);
    if (!s)
        return CTUNE_ENOMEM;
    ctune__eval_opts_init(&s->opts);
    ctune__strlist_init(&s->warnings);
    s->randomized = randomized;
    s->tpe = tpe != NULL;
    if (tpe)
        s->tpe_opts = *tpe;
    s->seed = seed;
    s->best_index = -1;
    s->best_score = NAN;
    s->fit_status = CTUNE_ESTATE;
    atomic_init(&s->cancel, 0);
    ctune_status rc = ctune_estimator_clone(&s->est, est);
    if (rc == CTUNE_OK)
        rc = ctune_space_copy(&s->space, space);
    if (rc == CTUNE_OK)
        rc = tpe          ? tpe_candidates(s, n_iter)
             : randomized ? ctune_space_sample(&s->cands, space, n_iter, seed)
                          : ctune_space_grid(&s->cands, space);
    if (rc != CTUNE_OK) {
        ctune_search_free(s);
        return rc;
    }
    *out = s;
    return CTUNE_OK;
}

ctune_status ctune_search_new_randomized(ctune_search **out, const ctune_estimator *est,
                                         const ctune_space *space, size_t n_iter, uint64_t seed)
{
    return search_new(out, est, space, 1, n_iter, seed, NULL);
}

ctune_status ctune_search_new_grid(ctune_search **out, const ctune_estimator *est,
                                   const ctune_space *space)
{
    return search_new(out, est, space, 0, 0, 0, NULL);
}

ctune_status ctune_search_new_tpe(ctune_search **out, const ctune_estimator *est,
                                  const ctune_space *space, size_t n_trials, uint64_t seed,
                                  const char *options)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(est, "estimator");
    CTUNE_TRY(ctune__tpe_check_space(space, "the search space"));
    ctune_params *p = NULL;
    ctune_status rc = options ? ctune_params_parse_spec(&p, options, ctune__tpe_spec(), "TPE")
                              : CTUNE_OK;
    ctune__tpe_opts o;
    if (rc == CTUNE_OK)
        rc = ctune__tpe_opts_init(&o, p);
    ctune_params_free(p);
    if (rc != CTUNE_OK)
        return rc;
    return search_new(out, est, space, 1, n_trials, seed, &o);
}

ctune_status ctune_search_set_options(ctune_search *s, const char *options)
{
    CTUNE_CHECK_NULL(s, "search");
    return ctune__eval_opts_apply(&s->opts, options, ctune__search_options, "search");
}

ctune_status ctune_search_add_scorer(ctune_search *s, const char *name, ctune_scorer_fn fn,
                                     void *user)
{
    CTUNE_CHECK_NULL(s, "search");
    CTUNE_CHECK_NULL(name, "name");
    CTUNE_CHECK_NULL(fn, "fn");
    ctune__eval_opts *o = &s->opts;
    size_t n = strlen(name);
    if (n == 0 || n >= sizeof o->custom[0].name || strpbrk(name, "|,;= \t\r\n'\"") ||
        name[0] == '-')
        return ctune_set_error(CTUNE_EINVAL,
                               "ctune_search_add_scorer: name '%s' must be 1 to %zu characters "
                               "without separators, quotes or spaces",
                               name, sizeof o->custom[0].name - 1);
    ctune_status known = ctune_scorer_check(name);
    ctune_clear_error();
    if (known == CTUNE_OK || ctune__eval_opts_custom(o, name))
        return ctune_set_error(CTUNE_EINVAL, "ctune_search_add_scorer: a scorer named '%s' "
                               "exists already", name);
    if (o->n_custom == CTUNE__MAX_CUSTOM_SCORERS)
        return ctune_set_error(CTUNE_EINVAL, "ctune_search_add_scorer: at most %d scorers "
                               "may be added", CTUNE__MAX_CUSTOM_SCORERS);
    ctune__custom_scorer *c = &o->custom[o->n_custom++];
    memcpy(c->name, name, n + 1);
    c->fn = fn;
    c->user = user;
    return CTUNE_OK;
}

ctune_status ctune_search_set_splitter(ctune_search *s, const ctune_splitter *sp)
{
    CTUNE_CHECK_NULL(s, "search");
    return ctune__eval_opts_set_splitter(&s->opts, sp);
}

ctune_status ctune_search_set_cv(ctune_search *s, size_t cv)
{
    CTUNE_CHECK_NULL(s, "search");
    return ctune__eval_opts_set_cv(&s->opts, cv > INT64_MAX ? INT64_MAX : (int64_t)cv, "search");
}

ctune_status ctune_search_set_n_jobs(ctune_search *s, long n_jobs)
{
    CTUNE_CHECK_NULL(s, "search");
    return ctune__eval_opts_set_n_jobs(&s->opts, n_jobs, "search");
}

ctune_status ctune_search_set_scoring(ctune_search *s, const char *scoring)
{
    CTUNE_CHECK_NULL(s, "search");
    return ctune__eval_opts_set_scoring(&s->opts, scoring, "search");
}

ctune_status ctune_search_set_refit(ctune_search *s, int refit, const char *metric)
{
    CTUNE_CHECK_NULL(s, "search");
    return ctune__eval_opts_set_refit(&s->opts, refit, metric, "search");
}

ctune_status ctune_search_set_random_state(ctune_search *s, uint64_t seed)
{
    CTUNE_CHECK_NULL(s, "search");
    s->opts.seed = seed;
    s->opts.has_seed = 1;
    return CTUNE_OK;
}

ctune_status ctune_search_set_executor(ctune_search *s, const ctune_executor_vtable *vt,
                                       void *self)
{
    CTUNE_CHECK_NULL(s, "search");
    CTUNE_TRY(ctune__executor_vtable_check(vt));
    s->executor = vt;
    s->executor_self = vt ? self : NULL;
    return CTUNE_OK;
}

ctune_status ctune_search_set_progress(ctune_search *s, ctune_progress_fn fn, void *user)
{
    CTUNE_CHECK_NULL(s, "search");
    s->progress = fn;
    s->user = user;
    return CTUNE_OK;
}

static ctune_status collect_warnings(ctune_search *s, const ctune__eval *ev)
{
    const char *w = ctune_candidates_warning(s->cands);
    if (w)
        CTUNE_TRY(ctune__strlist_push(&s->warnings, w));
    for (size_t i = 0; ev->splits && i < ctune_splits_n_warnings(ev->splits); i++)
        CTUNE_TRY(ctune__strlist_push(&s->warnings, ctune_splits_warning(ev->splits, i)));
    if (s->res && s->res->n_failed)
        CTUNE_TRY(ctune__strlist_pushf(&s->warnings, "%zu fits failed out of a total of %zu; "
                                       "their scores are set to error_score (see the error "
                                       "column)", s->res->n_failed, s->res->n_run));
    if (s->res && s->res->non_finite)
        CTUNE_TRY(ctune__strlist_push(&s->warnings, "one or more of the mean test scores are "
                                                    "non-finite"));
    return CTUNE_OK;
}

void ctune_search_cancel(ctune_search *s)
{
    if (s)
        atomic_store(&s->cancel, 1);
}

/* CTUNE_EALLFAILED when no candidate has a finite mean test score (for
 * the ranking scorer; for any scorer when there are several and no refit
 * metric), naming the number of fits run and the first error. */
static ctune_status check_all_failed(const ctune_search *s, size_t metric)
{
    const ctune__results *r = s->res;
    size_t nk = s->opts.scoring.n ? s->opts.scoring.n : 1;
    for (size_t k = 0; k < nk; k++) {
        if (metric != (size_t)-1 && k != metric)
            continue;
        for (size_t c = 0; c < r->n_cands; c++)
            if (isfinite(r->mean_test[k][c]))
                return CTUNE_OK;
    }
    const char *first = NULL;
    for (size_t c = 0; c < r->n_cands && !first; c++)
        first = r->errors[c];
    return ctune_set_error(CTUNE_EALLFAILED, "all %zu fits failed; first error: %s", r->n_run,
                           first ? first : "every mean test score is NaN or infinite");
}

static ctune_status search_fit(ctune_search *s, const ctune_data *data);

/* Mean test score of candidate c (of k) in the records of a batch, as the
 * results table scores it (a failed fit counts error_score); NaN when a
 * split did not run. */
static double batch_mean(const ctune__eval *b, size_t c, size_t metric)
{
    double sum = 0;
    for (size_t f = 0; f < b->n_splits; f++) {
        const ctune__task_rec *r = ctune__eval_rec(b, c, f);
        if (r->status == CTUNE__NOT_RUN)
            return NAN;
        sum += r->status == CTUNE_OK ? r->scores[metric] : b->opts->error_value;
    }
    return sum / (double)b->n_splits;
}

/* The TPE search's run: batches of proposals, each evaluated as one run of
 * the executor, then told to the sampler. Leaves in `ev` the records of
 * every candidate proposed, as one run over the whole list would. */
static ctune_status tpe_run(ctune_search *s, ctune__eval *ev, size_t metric)
{
    size_t n = s->n_trials, batch = (size_t)s->tpe_opts.batch;
    ctune_candidates *c = s->cands;
    for (size_t i = 0; i < c->n; i++)
        ctune_params_free(c->items[i]);
    c->n = 0;
    if (!c->items && !(c->items = ctune__calloc(n, sizeof *c->items)))
        return CTUNE_ENOMEM;
    double *val = CTUNE_NEW_ARRAY(double, n);
    if (!val)
        return CTUNE_ENOMEM;
    unsigned char *all = NULL;
    size_t done = 0, n_splits = 0, rec_size = 0;
    ctune_status rc = CTUNE_OK;
    for (size_t b = 0; b < n && rc == CTUNE_OK;) {
        size_t k = n - b < batch ? n - b : batch;
        rc = ctune__tpe_propose(&s->tpe_opts, s->space, s->seed, c->items, val, b, k,
                                c->items + b);
        if (rc != CTUNE_OK)
            break;
        c->n = b + k;
        ctune__eval sub = *ev;
        sub.cands = c->items + b;
        sub.n_cands = k;
        sub.cand_offset = b;
        sub.tasks_before = done;
        sub.n_cands_total = n;
        rc = ctune__eval_run(&sub);
        done += sub.n_done;
        if (ctune__eval_has_records(&sub)) {
            size_t per = sub.n_splits * sub.rec_size;
            if (!all && !(all = ctune__malloc_array(n, per))) {
                ctune__eval_clear(&sub);
                rc = CTUNE_ENOMEM;
                break;
            }
            memcpy(all + b * per, sub.records, k * per);
            n_splits = sub.n_splits;
            rec_size = sub.rec_size;
            for (size_t j = 0; j < k; j++)
                val[b + j] = batch_mean(&sub, j, metric);
        }
        b += k;
        if (b < n && rc == CTUNE_OK) {
            ctune__eval_clear(&sub);
            continue;
        }
        /* the last batch: its splits and views stand for the whole run */
        ctune__eval_clear(ev);
        *ev = sub;
        if (all) {
            ctune__free(ev->records);
            ev->records = all;
            all = NULL;
            ev->n_cands = c->n;
            ev->cands = c->items;
            ev->n_splits = n_splits;
            ev->rec_size = rec_size;
        }
        ev->cand_offset = 0;
        ev->n_done = done;
    }
    ctune__free(all);
    ctune__free(val);
    return rc;
}

ctune_status ctune_search_fit(ctune_search *s, const ctune_data *data)
{
    CTUNE_CHECK_NULL(s, "search");
    ctune_status rc = search_fit(s, data);
    atomic_store(&s->cancel, 0);
    return rc;
}

static ctune_status search_fit(ctune_search *s, const ctune_data *data)
{
    ctune_clear_error();
    drop_results(s);
    s->fit_status = CTUNE_ESTATE;
    if (!data)
        return s->fit_status = ctune_set_error(CTUNE_EINVAL, "ctune_search_fit: data is NULL");
    size_t metric = 0;
    ctune_status rc = ctune__eval_opts_metric(&s->opts, s->opts.refit, &metric);
    if (rc != CTUNE_OK)
        return s->fit_status = rc;

    ctune__eval ev;
    memset(&ev, 0, sizeof ev);
    ev.est = s->est;
    ev.cands = s->cands->items;
    ev.n_cands = s->cands->n;
    ev.data = data;
    ev.opts = &s->opts;
    ev.progress_scorer = metric == (size_t)-1 ? 0 : metric;
    ev.progress = s->progress;
    ev.user = s->user;
    ev.seed = s->opts.has_seed ? s->opts.seed : s->randomized ? s->seed : 0;
    ev.executor = s->executor;
    ev.executor_self = s->executor_self;
    ev.interrupt = &s->cancel;
    rc = s->tpe ? tpe_run(s, &ev, metric == (size_t)-1 ? 0 : metric) : ctune__eval_run(&ev);
    s->n_done = ev.n_done;
    s->n_splits = ev.n_splits;
    if (ctune__eval_has_records(&ev) && rc != CTUNE_ENOMEM) {
        /* keep the message of the run while building the table */
        char msg[1024];
        ctune_status run_rc = rc;
        memcpy(msg, ctune_last_error(), sizeof msg);
        msg[sizeof msg - 1] = '\0';
        rc = ctune__results_build(&s->res, &ev, s->cands->items, s->space);
        if (rc == CTUNE_OK)
            rc = collect_warnings(s, &ev);
        if (rc == CTUNE_OK && run_rc != CTUNE_OK)
            rc = ctune_set_error_str(run_rc, msg);
        if (rc == CTUNE_OK)
            rc = check_all_failed(s, metric);
    }
    if (s->res && metric != (size_t)-1) {
        size_t b = ctune__results_best(s->res, metric);
        double score = s->res->mean_test[metric][b];
        if (rc == CTUNE_OK || isfinite(score)) {
            s->best_index = (long)b;
            s->best_score = score;
            s->refit_metric = s->opts.scoring.n ? s->opts.scoring.items[metric] : "score";
        }
    }
    int refit_here = !s->executor || !s->executor->refit_here ||
                     s->executor->refit_here(s->executor_self);
    if (rc == CTUNE_OK && s->opts.refit && refit_here) {
        rc = ctune__eval_refit(&s->best_est, s->est, s->cands->items[s->best_index], data, ev.seed,
                               (size_t)s->best_index, ev.n_splits, &s->cancel,
                               &s->refit_time);
    }
    ctune__eval_clear(&ev);
    if (rc == CTUNE_ENOMEM || (rc != CTUNE_OK && !s->res)) {
        char msg[1024];
        memcpy(msg, ctune_last_error(), sizeof msg);
        msg[sizeof msg - 1] = '\0';
        drop_results(s);
        ctune_set_error_str(rc, msg);
    }
    s->fit_status = rc;
    return rc;
}

ctune_status ctune_search_fit_status(const ctune_search *s)
{
    return s ? s->fit_status : CTUNE_EINVAL;
}

int ctune_search_has_results(const ctune_search *s) { return s && s->res; }

size_t ctune_search_n_candidates(const ctune_search *s) { return s ? s->cands->n : 0; }

size_t ctune_search_n_splits(const ctune_search *s) { return s && s->res ? s->n_splits : 0; }

size_t ctune_search_n_tasks_done(const ctune_search *s) { return s ? s->n_done : 0; }

const ctune_params *ctune_search_candidate_params(const ctune_search *s, size_t i)
{
    return s ? ctune_candidates_get(s->cands, i) : NULL;
}

static ctune_status need_best(const ctune_search *s)
{
    CTUNE_CHECK_NULL(s, "search");
    if (!s->res)
        return ctune_set_error(CTUNE_ESTATE, "the search has no results: call ctune_search_fit");
    if (s->best_index < 0)
        return ctune_set_error(CTUNE_ESTATE, s->opts.scoring.n > 1 && !s->opts.refit_metric
                                                 ? "no best candidate: with several scorers, "
                                                   "set refit=<scorer>"
                                                 : "no best candidate: no candidate completed "
                                                   "all its splits");
    return CTUNE_OK;
}

ctune_status ctune_search_best_index(const ctune_search *s, size_t *out)
{
    CTUNE_TRY(need_best(s));
    CTUNE_CHECK_NULL(out, "out");
    *out = (size_t)s->best_index;
    return CTUNE_OK;
}

ctune_status ctune_search_best_score(const ctune_search *s, double *out)
{
    CTUNE_TRY(need_best(s));
    CTUNE_CHECK_NULL(out, "out");
    *out = s->best_score;
    return CTUNE_OK;
}

const ctune_params *ctune_search_best_params(const ctune_search *s)
{
    return s && s->res && s->best_index >= 0 ? s->cands->items[s->best_index] : NULL;
}

ctune_estimator *ctune_search_best_estimator(ctune_search *s)
{
    return s ? s->best_est : NULL;
}

ctune_status ctune_search_take_best_estimator(ctune_estimator **out, ctune_search *s)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(s, "search");
    if (!s->best_est)
        return ctune_set_error(CTUNE_ESTATE, "the search holds no refitted best estimator");
    *out = s->best_est;
    s->best_est = NULL;
    return CTUNE_OK;
}

double ctune_search_refit_time(const ctune_search *s) { return s ? s->refit_time : 0; }

size_t ctune_search_n_columns(const ctune_search *s) { return s && s->res ? s->res->n_cols : 0; }

const char *ctune_search_column_name(const ctune_search *s, size_t j)
{
    return s && s->res && j < s->res->n_cols ? s->res->cols[j].name : NULL;
}

static ctune_status need_results(const ctune_search *s)
{
    CTUNE_CHECK_NULL(s, "search");
    if (!s->res)
        return ctune_set_error(CTUNE_ESTATE, "the search has no results: call ctune_search_fit");
    return CTUNE_OK;
}

ctune_status ctune_search_result(const ctune_search *s, const char *column, size_t i, double *out)
{
    CTUNE_TRY(need_results(s));
    CTUNE_CHECK_NULL(column, "column");
    CTUNE_CHECK_NULL(out, "out");
    const ctune__col *c = ctune__results_col(s->res, column);
    if (!c)
        return CTUNE_EINVAL;
    return ctune__results_value(s->res, c, i, out);
}

long ctune_search_result_text(const ctune_search *s, const char *column, size_t i, char *buf,
                              size_t cap)
{
    CTUNE_TRY(need_results(s));
    CTUNE_CHECK_NULL(column, "column");
    if (cap && !buf)
        return ctune_set_error(CTUNE_EINVAL, "ctune_search_result_text: buf is NULL");
    const ctune__col *c = ctune__results_col(s->res, column);
    if (!c)
        return CTUNE_EINVAL;
    if (i >= s->res->n_cands)
        return ctune_set_error(CTUNE_EINVAL, "candidate %zu is out of range (%zu candidates)", i,
                               s->res->n_cands);
    ctune__sb b;
    ctune__sb_init(&b);
    ctune__sb_str(&b, "");
    ctune__results_text(s->res, c, i, &b);
    long n = b.failed ? CTUNE_ENOMEM : ctune__copy_out(b.s, b.len, buf, cap);
    ctune__sb_free(&b);
    return n;
}

const char *ctune_search_candidate_error(const ctune_search *s, size_t i)
{
    return s && s->res && i < s->res->n_cands ? s->res->errors[i] : NULL;
}

size_t ctune_search_n_warnings(const ctune_search *s)
{
    if (!s)
        return 0;
    if (!s->res) /* before a fit: the sampler's warning only */
        return ctune_candidates_warning(s->cands) ? 1 : 0;
    return s->warnings.n;
}

const char *ctune_search_warning(const ctune_search *s, size_t i)
{
    if (!s)
        return NULL;
    if (!s->res)
        return i == 0 ? ctune_candidates_warning(s->cands) : NULL;
    return ctune__strlist_get(&s->warnings, i);
}

static ctune_status export(const ctune_search *s, int json, ctune__sb *b)
{
    CTUNE_TRY(need_results(s));
    ctune__sb_init(b);
    if (json) {
        ctune__results_meta m = {s->best_index, s->best_score, s->refit_metric,
                                 s->fit_status == CTUNE_OK ? "complete" : "partial"};
        ctune__results_json(s->res, &m, b);
    } else {
        ctune__results_csv(s->res, b);
    }
    ctune_status rc = ctune__sb_status(b);
    if (rc != CTUNE_OK)
        ctune__sb_free(b);
    return rc;
}

static ctune_status export_file(const ctune_search *s, int json, const char *path)
{
    CTUNE_CHECK_NULL(path, "path");
    ctune__sb b;
    CTUNE_TRY(export(s, json, &b));
    ctune_status rc = ctune__atomic_write(path, b.s, b.len);
    ctune__sb_free(&b);
    return rc;
}

static long export_buf(const ctune_search *s, int json, char *buf, size_t cap)
{
    if (cap && !buf)
        return ctune_set_error(CTUNE_EINVAL, "results export: buf is NULL");
    ctune__sb b;
    CTUNE_TRY(export(s, json, &b));
    long n = ctune__copy_out(b.s, b.len, buf, cap);
    ctune__sb_free(&b);
    return n;
}

ctune_status ctune_search_results_csv(const ctune_search *s, const char *path)
{
    return export_file(s, 0, path);
}

ctune_status ctune_search_results_json(const ctune_search *s, const char *path)
{
    return export_file(s, 1, path);
}

long ctune_search_results_csv_buf(const ctune_search *s, char *buf, size_t cap)
{
    return export_buf(s, 0, buf, cap);
}

long ctune_search_results_json_buf(const ctune_search *s, char *buf, size_t cap)
{
    return export_buf(s, 1, buf, cap);
}
