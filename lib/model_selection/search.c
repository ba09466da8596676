/* Randomized, grid and TPE searches (RandomizedSearchCV / GridSearchCV /
 * Optuna's TPESampler) and successive halving (HalvingRandomSearchCV /
 * HalvingGridSearchCV) and Hyperband: the candidates, the options, the
 * evaluation runs and the results table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/cnum.h"
#include "core/error.h"
#include "core/params.h"
#include "model_selection/evaluate.h"
#include "model_selection/pruner.h"
#include "model_selection/results.h"
#include "model_selection/sampler_tpe.h"
#include "model_selection/space.h"
#include "model_selection/splitter.h"
#include "model_selection/study_hook.h"

struct ctune_search {
    ctune_estimator *est; /* a clone of the caller's: the template of every fit */
    ctune_space *space;
    ctune_candidates *cands;
    uint64_t seed; /* sampling seed (randomized) */
    int randomized;
    int tpe; /* candidates proposed in batches by TPE */
    ctune__tpe_opts tpe_opts;
    size_t n_trials;       /* TPE: trials to run */
    ctune__eval_opts opts; /* cv / splitter, n_jobs, scoring, refit, seed, ... */
    ctune_progress_fn progress;
    void *user;
    const ctune_executor_vtable *executor; /* NULL = n_jobs */
    void *executor_self;
    atomic_int cancel;              /* ctune_search_cancel(): set until ctune_search_fit returns */
    double deadline;                /* of the running fit (its timeout), 0 = none */
    const ctune__study_hook *study; /* ctune_search_set_study(), or NULL */
    const char *study_fp;           /* during a fit with a study: its fingerprint */
    size_t study_rows;              /* during such a fit: (candidate, rung) rows of the search */

    /* successive halving (halving != 0) */
    int halving;
    size_t n_iter; /* randomized: candidates asked for (0 = exhaust) */
    double factor;
    char *resource;  /* NULL = n_samples */
    int64_t min_res; /* HV_SMALLEST, HV_EXHAUST or a count */
    int64_t max_res; /* HV_AUTO or a count */
    int aggressive;
    int64_t hb_iterations; /* Hyperband (halving == 2) */
    int pruning;           /* a pruner at synchronous rungs (halving == 3) */
    ctune__pruner pruner;
    int64_t max_steps; /* the resource's last step */
    /* its outcome; also a random or grid search's when its timeout left
     * candidates unfinished (the rows are then the finished ones) */
    ctune_params **rows; /* one per candidate per iteration (owned) */
    size_t *row_ids;     /* the candidate of each row */
    size_t n_rows;
    size_t n_iterations, n_possible, n_required, n_remaining;
    int64_t *it_resources; /* per iteration */
    size_t *it_candidates;
    int64_t min_res_, max_res_;

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
    int deadline_hit;       /* a task finished after the deadline */
    int timed_out;          /* ... and work was left undone: the timeout ended the run */
    const char *stopped_by; /* the budget that ended the last fit (static), or NULL */
};

#define HV_SMALLEST (-1)
#define HV_EXHAUST (-2)
#define HV_AUTO (-1)

static void drop_rows(ctune_search *s)
{
    for (size_t i = 0; i < s->n_rows; i++)
        ctune_params_free(s->rows[i]);
    ctune__free(s->rows);
    s->rows = NULL;
    ctune__free(s->row_ids);
    s->row_ids = NULL;
    s->n_rows = 0;
    ctune__free(s->it_resources);
    ctune__free(s->it_candidates);
    s->it_resources = NULL;
    s->it_candidates = NULL;
    s->n_iterations = s->n_possible = s->n_required = s->n_remaining = 0;
    s->min_res_ = s->max_res_ = 0;
}

static void drop_results(ctune_search *s)
{
    ctune__results_free(s->res);
    s->res = NULL;
    drop_rows(s);
    ctune_estimator_free(s->best_est);
    s->best_est = NULL;
    s->best_index = -1;
    s->best_score = NAN;
    s->refit_metric = NULL;
    s->refit_time = 0;
    s->n_splits = 0;
    s->n_done = 0;
    ctune__strlist_clear(&s->warnings);
    s->deadline_hit = s->timed_out = 0;
    s->stopped_by = NULL;
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
    ctune__free(s->resource);
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
    snprintf(warn, sizeof warn,
             "the total space of parameters %zu is smaller than n_trials=%zu: "
             "running %zu trials (TPE never proposes a point twice)",
             s->n_trials, n_trials, s->n_trials);
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
    s->n_iter = n_iter;
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

/* ---- successive halving: options ------------------------------------------ */

/* The options of the halving and Hyperband searches, checked by the one
 * options parser; the cross-option rules are checked below. */
static const ctune_param_spec HALVING_OPTIONS[] = {
    {"factor", CTUNE_TYPE_DOUBLE, "3", "(1, inf)", NULL,
     "keep 1/factor of the candidates per iteration, factor times the resource"},
    {"resource", CTUNE_TYPE_STRING, "n_samples", NULL, NULL,
     "n_samples or an integer parameter of the estimator"},
    {"min_resources", CTUNE_TYPE_INT | CTUNE_TYPE_STRING, NULL, "[1, inf)", "smallest|exhaust",
     "resource of the first iteration"},
    {"max_resources", CTUNE_TYPE_INT | CTUNE_TYPE_STRING, "auto", "[1, inf)", "auto",
     "the most resource a candidate gets"},
    {"n_candidates", CTUNE_TYPE_INT | CTUNE_TYPE_STRING, "exhaust", "[1, inf)", "exhaust",
     "candidates of the first iteration (random flavour)"},
    {"aggressive_elimination", CTUNE_TYPE_BOOL, "false", NULL, NULL,
     "more iterations when resources are short"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

static const ctune_param_spec HYPERBAND_OPTIONS[] = {
    {"max_epochs", CTUNE_TYPE_INT, "100", "[1, 1000000]", NULL, "the most epochs a candidate gets"},
    {"factor", CTUNE_TYPE_DOUBLE, "3", "(1, inf)", NULL, "reduction factor of the brackets"},
    {"hyperband_iterations", CTUNE_TYPE_INT, "1", "[1, 1000]", NULL, "times the brackets run"},
    {"resource", CTUNE_TYPE_STRING, "epochs", NULL, NULL, "the estimator's epochs parameter"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

/* An int option or one of its words (as negative codes). */
static ctune_status opt_count(const ctune_params *p, const char *name, const char *w1, int64_t c1,
                              const char *w2, int64_t c2, int64_t *out)
{
    if (ctune_params_find(p, name) < 0)
        return CTUNE_OK;
    if (ctune_params_type(p, name) == CTUNE_TYPE_INT)
        return ctune_params_get_int(out, p, name);
    const char *v = NULL;
    CTUNE_TRY(ctune_params_get_string(&v, p, name));
    *out = w1 && strcmp(v, w1) == 0 ? c1 : w2 && strcmp(v, w2) == 0 ? c2 : c1;
    return CTUNE_OK;
}

/* The resource: an integer parameter of the estimator, not in the space. */
static ctune_status check_resource(ctune_search *s, const char *who, const char *name)
{
    const ctune_param_spec *sp = ctune__spec_find(ctune_estimator_vtable_of(s->est)->params, name);
    if (!sp || !(sp->types & CTUNE_TYPE_INT))
        return ctune_set_error(CTUNE_EINVAL,
                               "%s: option resource must be %san integer parameter "
                               "of %s; '%s' is %s",
                               who, strcmp(who, "halving") == 0 ? "n_samples or " : "",
                               ctune_estimator_name(s->est), name,
                               sp ? "not an integer parameter" : "not a parameter");
    for (size_t j = 0; j < ctune_space_count(s->space); j++)
        if (strcmp(ctune_space_name(s->space, j), name) == 0)
            return ctune_set_error(CTUNE_EINVAL,
                                   "%s: option resource '%s' is also a parameter "
                                   "of the search space; remove it from the space",
                                   who, name);
    return (s->resource = ctune__strdup(name)) ? CTUNE_OK : CTUNE_ENOMEM;
}

static ctune_status halving_options(ctune_search *s, const char *text)
{
    s->factor = 3;
    s->min_res = s->randomized ? HV_SMALLEST : HV_EXHAUST;
    s->max_res = HV_AUTO;
    s->n_iter = 0; /* exhaust */
    s->aggressive = 0;
    ctune_params *p = NULL;
    CTUNE_TRY(ctune_params_parse_spec(&p, text ? text : "", HALVING_OPTIONS, "halving"));
    ctune_status rc = CTUNE_OK;
    if (ctune_params_find(p, "factor") >= 0)
        rc = ctune_params_get_double(&s->factor, p, "factor");
    if (rc == CTUNE_OK && ctune_params_find(p, "resource") >= 0) {
        const char *name = NULL;
        rc = ctune_params_get_string(&name, p, "resource");
        if (rc == CTUNE_OK && strcmp(name, "n_samples") != 0)
            rc = check_resource(s, "halving", name);
    }
    if (rc == CTUNE_OK)
        rc = opt_count(p, "min_resources", "smallest", HV_SMALLEST, "exhaust", HV_EXHAUST,
                       &s->min_res);
    if (rc == CTUNE_OK)
        rc = opt_count(p, "max_resources", "auto", HV_AUTO, NULL, 0, &s->max_res);
    if (rc == CTUNE_OK && ctune_params_find(p, "n_candidates") >= 0) {
        int64_t n = 0;
        if (!s->randomized)
            rc = ctune_set_error(CTUNE_EINVAL, "halving: option n_candidates is for the random "
                                               "flavour; a grid's candidates are its points");
        else
            rc = opt_count(p, "n_candidates", "exhaust", 0, NULL, 0, &n);
        s->n_iter = (size_t)n;
    }
    if (rc == CTUNE_OK && ctune_params_find(p, "aggressive_elimination") >= 0)
        rc = ctune_params_get_bool(&s->aggressive, p, "aggressive_elimination");
    if (rc == CTUNE_OK && s->max_res == HV_AUTO && s->resource)
        rc = ctune_set_error(CTUNE_EINVAL,
                             "halving: option max_resources must be set when the "
                             "resource is '%s' (auto means n_samples)",
                             s->resource);
    if (rc == CTUNE_OK && s->min_res > 0 && s->max_res > 0 && s->min_res > s->max_res)
        rc = ctune_set_error(CTUNE_EINVAL,
                             "halving: option min_resources=%lld is greater than "
                             "max_resources=%lld",
                             (long long)s->min_res, (long long)s->max_res);
    if (rc == CTUNE_OK && s->randomized && s->n_iter == 0 && s->min_res == HV_EXHAUST)
        rc = ctune_set_error(CTUNE_EINVAL, "halving: options n_candidates and min_resources "
                                           "cannot both be 'exhaust'");
    ctune_params_free(p);
    return rc;
}

ctune_status ctune_search_new_halving(ctune_search **out, const ctune_estimator *est,
                                      const ctune_space *space, int randomized, uint64_t seed,
                                      const char *options)
{
    CTUNE_TRY(search_new(out, est, space, randomized != 0, 1, seed, NULL));
    ctune_search *s = *out;
    s->halving = 1;
    s->randomized = randomized != 0;
    ctune_status rc = halving_options(s, options);
    /* the candidates of a random flavour are sampled at fit, when their
     * number is known (n_candidates=exhaust depends on the data) */
    if (rc == CTUNE_OK && s->randomized) {
        ctune_candidates_free(s->cands);
        s->cands = NULL;
        rc = ctune_space_sample(&s->cands, s->space, s->n_iter ? s->n_iter : 1, seed);
    }
    if (rc != CTUNE_OK) {
        ctune_search_free(s);
        *out = NULL;
    }
    return rc;
}

static ctune_status hyperband_options(ctune_search *s, const char *text)
{
    s->factor = 3;
    s->max_res = 100; /* KerasTuner's default max_epochs */
    s->hb_iterations = 1;
    const char *resource = "epochs";
    ctune_params *p = NULL;
    CTUNE_TRY(ctune_params_parse_spec(&p, text ? text : "", HYPERBAND_OPTIONS, "hyperband"));
    ctune_status rc = CTUNE_OK;
    if (ctune_params_find(p, "factor") >= 0)
        rc = ctune_params_get_double(&s->factor, p, "factor");
    if (rc == CTUNE_OK && ctune_params_find(p, "max_epochs") >= 0)
        rc = ctune_params_get_int(&s->max_res, p, "max_epochs");
    if (rc == CTUNE_OK && ctune_params_find(p, "hyperband_iterations") >= 0)
        rc = ctune_params_get_int(&s->hb_iterations, p, "hyperband_iterations");
    if (rc == CTUNE_OK && ctune_params_find(p, "resource") >= 0)
        rc = ctune_params_get_string(&resource, p, "resource");
    if (rc == CTUNE_OK)
        rc = check_resource(s, "hyperband", resource);
    ctune_params_free(p);
    return rc;
}

ctune_status ctune_search_new_hyperband(ctune_search **out, const ctune_estimator *est,
                                        const ctune_space *space, uint64_t seed,
                                        const char *options)
{
    CTUNE_TRY(search_new(out, est, space, 1, 1, seed, NULL));
    ctune_search *s = *out;
    s->halving = 2;
    ctune_status rc = hyperband_options(s, options);
    if (rc != CTUNE_OK) {
        ctune_search_free(s);
        *out = NULL;
    }
    return rc;
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
        return ctune_set_error(CTUNE_EINVAL,
                               "ctune_search_add_scorer: a scorer named '%s' "
                               "exists already",
                               name);
    if (o->n_custom == CTUNE__MAX_CUSTOM_SCORERS)
        return ctune_set_error(CTUNE_EINVAL,
                               "ctune_search_add_scorer: at most %d scorers "
                               "may be added",
                               CTUNE__MAX_CUSTOM_SCORERS);
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

ctune_status ctune_search_set_timeout(ctune_search *s, double seconds)
{
    CTUNE_CHECK_NULL(s, "search");
    return ctune__eval_opts_set_timeout(&s->opts, seconds, "search");
}

ctune_status ctune_search_set_random_state(ctune_search *s, uint64_t seed)
{
    CTUNE_CHECK_NULL(s, "search");
    s->opts.seed = seed;
    s->opts.has_seed = 1;
    return CTUNE_OK;
}

ctune_status ctune_search_set_executor(ctune_search *s, const ctune_executor_vtable *vt, void *self)
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
        CTUNE_TRY(ctune__strlist_pushf(&s->warnings,
                                       "%zu fits failed out of a total of %zu; "
                                       "their scores are set to error_score (see the error "
                                       "column)",
                                       s->res->n_failed, s->res->n_run));
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

/* ---- successive halving: the run ------------------------------------------ */

/* floor(log(x) / log(f)) for x >= 1, exact at powers of f. */
static size_t floor_log(double x, double f)
{
    size_t k = 0;
    double p = f;
    while (p <= x * (1 + 1e-12)) {
        k++;
        p *= f;
    }
    return k;
}

static size_t n_classes_of(const ctune_data *data)
{
    size_t n = ctune_data_n_rows(data), k = 0;
    double *v = CTUNE_NEW_ARRAY(double, n ? n : 1);
    if (!v)
        return 0;
    for (size_t i = 0; i < n; i++) {
        double y = ctune_data_y(data, i, 0);
        size_t j = 0;
        while (j < k && v[j] != y)
            j++;
        if (j == k)
            v[k++] = y;
    }
    ctune__free(v);
    return k;
}

/* The mean test score of each row of `ev` for scorer k, as the results
 * table computes it. */
static void row_means(const ctune__eval *ev, size_t k, double *out)
{
    for (size_t c = 0; c < ev->n_cands; c++) {
        double sum = 0;
        for (size_t f = 0; f < ev->n_splits; f++) {
            const ctune__task_rec *rec = ctune__eval_rec(ev, c, f);
            double v = rec->scores[k];
            if (rec->status != CTUNE_OK)
                v = rec->status == CTUNE__NOT_RUN || rec->status == CTUNE_ECANCELLED
                        ? NAN
                        : ev->opts->error_value;
            sum += v;
        }
        out[c] = sum / (double)ev->n_splits;
    }
}

/* scikit-learn's _top_k: the k best of n scores, as the order of the next
 * iteration: a stable ascending sort with NaN first, of which the last k
 * are kept (so among equal scores the later candidate is kept and comes
 * later, as numpy's argsort orders them for up to 16 candidates). */
static void top_k(const double *score, size_t n, size_t k, size_t *order)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isnan(score[i]))
            order[m++] = i;
    size_t first = m;
    for (size_t i = 0; i < n; i++) {
        if (isnan(score[i]))
            continue;
        size_t j = m++;
        while (j > first && score[order[j - 1]] > score[i]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    memmove(order, order + (n - k), k * sizeof *order);
}

/* Folds of a run of this search (the splitter's, else cv). */
static size_t n_splits_of(const ctune_search *s)
{
    return s->opts.has_splitter ? s->opts.splitter.n_splits : s->opts.cv;
}

/* Resolves min / max resources and the schedule (scikit-learn's
 * _check_input_parameters and _run_search); every error comes before a fit. */
static ctune_status halving_plan(ctune_search *s, const ctune_data *data, size_t n_cands)
{
    size_t n_rows = ctune_data_n_rows(data);
    size_t n_splits = n_splits_of(s);
    int64_t lo = s->min_res, hi = s->max_res;
    if (hi == HV_AUTO)
        hi = (int64_t)n_rows;
    int64_t need = 1;
    if (!s->resource) {
        size_t k = ctune_estimator_kind(s->est) == CTUNE_CLASSIFIER ? n_classes_of(data) : 1;
        need = (int64_t)(n_splits * 2 * (k ? k : 1));
        if ((uint64_t)hi > n_rows)
            return ctune_set_error(CTUNE_EINVAL,
                                   "halving: option max_resources=%lld is more "
                                   "than the %zu rows (n_samples) of the data",
                                   (long long)hi, n_rows);
    }
    if (lo == HV_SMALLEST || lo == HV_EXHAUST) {
        int exhaust = lo == HV_EXHAUST;
        lo = need;
        if (exhaust && n_cands) {
            size_t last = floor_log((double)n_cands, s->factor);
            double d = pow(s->factor, (double)last);
            int64_t e = (int64_t)floor((double)hi / d);
            if (e > lo)
                lo = e;
        }
    } else if (!s->resource && lo < need) {
        return ctune_set_error(CTUNE_EINVAL,
                               "halving: option min_resources=%lld (n_samples) is "
                               "too small for %zu folds and the data's classes: each split needs "
                               "at least %lld rows",
                               (long long)lo, n_splits, (long long)need);
    }
    if (lo > hi)
        return ctune_set_error(CTUNE_EINVAL,
                               "halving: min_resources=%lld is greater than "
                               "max_resources=%lld%s",
                               (long long)lo, (long long)hi,
                               s->resource ? ""
                                           : " (n_samples too small for the folds and "
                                             "classes)");
    s->min_res_ = lo;
    s->max_res_ = hi;
    s->n_required = 1 + floor_log((double)n_cands, s->factor);
    s->n_possible = 1 + floor_log((double)(hi / lo), s->factor);
    s->n_iterations = s->aggressive || s->n_required < s->n_possible ? s->n_required
                                                                     : s->n_possible;
    s->it_resources = CTUNE_NEW_ARRAY(int64_t, s->n_iterations);
    s->it_candidates = ctune__calloc(s->n_iterations, sizeof *s->it_candidates);
    if (!s->it_resources || !s->it_candidates)
        return CTUNE_ENOMEM;
    for (size_t it = 0; it < s->n_iterations; it++) {
        double power = (double)it;
        if (s->aggressive) {
            double p = (double)it - (double)s->n_required + (double)s->n_possible;
            power = p > 0 ? p : 0;
        }
        double r = floor(pow(s->factor, power) * (double)lo);
        s->it_resources[it] = r > (double)hi ? hi : (int64_t)r;
    }
    return CTUNE_OK;
}

/* Where the rows of all rounds go: the records of every row and its iter,
 * n_resources and bracket values (the caller builds the results). */
typedef struct hv_out {
    unsigned char *merged;
    size_t rec_size;
    double *iters, *resources, *brackets;
} hv_out;

static ctune_status hv_out_alloc(ctune_search *s, hv_out *o, size_t cap)
{
    s->rows = ctune__calloc(cap ? cap : 1, sizeof *s->rows);
    s->row_ids = CTUNE_NEW_ARRAY(size_t, cap ? cap : 1);
    o->iters = CTUNE_NEW_ARRAY(double, cap ? cap : 1);
    o->resources = CTUNE_NEW_ARRAY(double, cap ? cap : 1);
    o->brackets = CTUNE_NEW_ARRAY(double, cap ? cap : 1);
    return s->rows && s->row_ids && o->iters && o->resources && o->brackets ? CTUNE_OK
                                                                            : CTUNE_ENOMEM;
}

/* Attaches the search's study (if any) to one run of a several-run search:
 * its tasks are those of rung `rung` with n_resources `res` (0 = none) in
 * `bracket` (-1 = none); one process at a time runs such a search. */
static void study_run(const ctune_search *s, ctune__eval *ev, size_t rung, int64_t res,
                      int64_t bracket)
{
    ev->study_bracket = -1;
    if (!s->study)
        return;
    ev->hook = s->study;
    ev->fingerprint = s->study_fp;
    ev->study_rung = rung;
    ev->study_resources = res;
    ev->study_bracket = bracket;
    ev->study_rows = s->study_rows;
    ev->study_cands = s->tpe ? s->n_trials : s->cands->n;
    ev->study_exclusive = 1;
}

/* Adds the rows of round `it`: candidates cur[0..n) of s->cands at resource r. */
static ctune_status round_rows(ctune_search *s, hv_out *o, const size_t *cur, size_t n, size_t it,
                               int64_t r, double bracket)
{
    size_t row0 = s->n_rows;
    ctune_status rc = CTUNE_OK;
    for (size_t i = 0; i < n && rc == CTUNE_OK; i++) {
        rc = ctune_params_copy(&s->rows[row0 + i], s->cands->items[cur[i]]);
        if (rc == CTUNE_OK && s->resource)
            rc = ctune_params_set_int(s->rows[row0 + i], s->resource, r);
        if (rc == CTUNE_OK) {
            s->row_ids[s->n_rows] = cur[i];
            s->n_rows++;
            o->iters[row0 + i] = (double)it;
            o->resources[row0 + i] = (double)r;
            o->brackets[row0 + i] = bracket;
        }
    }
    return rc;
}

/* Appends the records of the round just run (rows row0 to row0 + n) to o->merged. */
static ctune_status append_records(hv_out *o, const ctune__eval *last, size_t row0, size_t n)
{
    size_t rs = last->rec_size, add = n * last->n_splits * rs;
    unsigned char *m = ctune__realloc(o->merged, row0 * last->n_splits * rs + add);
    if (!m)
        return CTUNE_ENOMEM;
    o->merged = m;
    o->rec_size = rs;
    memcpy(m + row0 * last->n_splits * rs, last->records, add);
    return CTUNE_OK;
}

/* Moves the best `keep` of the n candidates cur[] of the round just run to cur[0..keep)
 * and frees the fitted estimators of the others. */
static void keep_best(const ctune__eval *last, size_t metric, size_t *cur, size_t n, size_t keep,
                      double *means, size_t *order, ctune_estimator **cache, size_t cache_splits)
{
    row_means(last, metric, means);
    top_k(means, n, keep, order);
    size_t *next = order; /* reuse: positions -> candidate indices */
    for (size_t i = 0; i < keep; i++)
        next[i] = cur[next[i]];
    /* the dropped candidates' fitted estimators go */
    for (size_t i = 0; cache && i < n; i++) {
        size_t j = 0;
        while (j < keep && next[j] != cur[i])
            j++;
        for (size_t f = 0; j == keep && f < cache_splits; f++) {
            ctune_estimator_free(cache[cur[i] * cache_splits + f]);
            cache[cur[i] * cache_splits + f] = NULL;
        }
    }
    memcpy(cur, next, keep * sizeof *cur);
}

/* One bracket of rounds over candidates [first, first + n0) of s->cands:
 * round r evaluates its candidates with res[r] of the resource, then keeps
 * the best keep[r] (NULL: scikit-learn's ceil(n / factor)) for round r + 1.
 * Candidates keep their task streams from round to round, and with a
 * parameter resource their fitted estimators, which the next round
 * continues (warm start). *remaining receives the candidates kept after
 * the last round; n_at (may be NULL) each round's candidate count. */
static ctune_status rounds_run(ctune_search *s, const ctune_data *data, size_t metric,
                               ctune__eval *last, hv_out *o, size_t first, size_t n0,
                               size_t n_rounds, const int64_t *res, const size_t *keep_at,
                               double bracket, size_t *n_at, size_t *remaining)
{
    *remaining = 0;
    size_t *cur = CTUNE_NEW_ARRAY(size_t, n0 ? n0 : 1); /* indices into s->cands */
    size_t *order = CTUNE_NEW_ARRAY(size_t, n0 ? n0 : 1);
    double *means = CTUNE_NEW_ARRAY(double, n0 ? n0 : 1);
    /* fitted estimators kept between rounds for a warm start (a parameter
     * resource only: with n_samples the data changes) */
    size_t total = s->cands->n;
    size_t cache_splits = n_splits_of(s);
    ctune_estimator **cache = NULL;
    int want_cache = s->resource && cache_splits && total <= SIZE_MAX / cache_splits;
    if (want_cache)
        cache = ctune__calloc(total * cache_splits, sizeof *cache);
    if (!cur || !order || !means || (want_cache && !cache)) {
        ctune__free(cur);
        ctune__free(order);
        ctune__free(means);
        ctune__free(cache);
        return CTUNE_ENOMEM;
    }
    for (size_t i = 0; i < n0; i++)
        cur[i] = first + i;
    size_t n = n0;
    ctune_status rc = CTUNE_OK;
    uint64_t seed = s->opts.has_seed ? s->opts.seed : s->seed;
    for (size_t it = 0; it < n_rounds && rc == CTUNE_OK && n > 0; it++) {
        int64_t r = res[it];
        if (n_at)
            n_at[it] = n;
        size_t row0 = s->n_rows;
        rc = round_rows(s, o, cur, n, it, r, bracket);
        if (rc != CTUNE_OK)
            break;
        ctune__eval_clear(last);
        memset(last, 0, sizeof *last);
        last->est = s->est;
        last->cands = s->rows + row0;
        last->n_cands = n;
        last->data = data;
        last->opts = &s->opts;
        last->progress_scorer = metric;
        last->progress = s->progress;
        last->user = s->user;
        last->seed = seed;
        last->executor = s->executor;
        last->executor_self = s->executor_self;
        last->interrupt = &s->cancel;
        last->cand_ids = cur;
        last->cache = cache;
        last->cache_splits = cache_splits;
        study_run(s, last, it, r, s->halving == 2 ? (int64_t)bracket : -1);
        last->deadline = s->deadline;
        if (!s->resource && r < (int64_t)ctune_data_n_rows(data)) {
            last->fraction = (double)r / (double)ctune_data_n_rows(data);
            last->sub_seed = ctune_seed_derive(seed, it + 1);
        }
        rc = ctune__eval_run(last);
        s->n_done += last->n_done;
        s->n_splits = last->n_splits;
        if (!ctune__eval_has_records(last))
            break;
        /* append this round's records */
        if (append_records(o, last, row0, n) != CTUNE_OK) {
            rc = CTUNE_ENOMEM;
            break;
        }
        if (rc != CTUNE_OK)
            break;
        if (last->timed_out) { /* no next round: the rows of this one that finished stay */
            s->deadline_hit = 1;
            if (last->n_done < n * last->n_splits || it + 1 < n_rounds)
                s->timed_out = 1;
            break;
        }
        size_t keep = keep_at ? keep_at[it] : (size_t)ceil((double)n / s->factor);
        if (keep > n)
            keep = n;
        keep_best(last, metric, cur, n, keep, means, order, cache, cache_splits);
        n = keep;
    }
    for (size_t i = 0; cache && i < total * cache_splits; i++)
        ctune_estimator_free(cache[i]);
    ctune__free(cache);
    last->cand_ids = NULL;
    last->cache = NULL;
    *remaining = rc == CTUNE_OK ? n : 0;
    ctune__free(cur);
    ctune__free(order);
    ctune__free(means);
    return rc;
}

/* Successive halving: samples (random flavour), plans, runs one bracket. */
static ctune_status halving_run(ctune_search *s, const ctune_data *data, size_t metric,
                                ctune__eval *last, hv_out *o)
{
    if (s->randomized) {
        size_t n = s->n_iter;
        if (!n) { /* exhaust: as many as the last iteration can take */
            int64_t lo = s->min_res, hi = s->max_res;
            if (hi == HV_AUTO)
                hi = (int64_t)ctune_data_n_rows(data);
            if (lo == HV_SMALLEST) {
                size_t n_splits = n_splits_of(s);
                size_t k = !s->resource && ctune_estimator_kind(s->est) == CTUNE_CLASSIFIER
                               ? n_classes_of(data)
                               : 1;
                lo = s->resource ? 1 : (int64_t)(n_splits * 2 * (k ? k : 1));
            }
            n = lo > 0 && hi >= lo ? (size_t)(hi / lo) : 1;
        }
        ctune_candidates_free(s->cands);
        s->cands = NULL;
        CTUNE_TRY(ctune_space_sample(&s->cands, s->space, n, s->seed));
    }
    size_t n0 = s->cands->n;
    CTUNE_TRY(halving_plan(s, data, n0));
    size_t cap = 0;
    for (size_t it = 0, n = n0; it < s->n_iterations; it++) {
        cap += n;
        n = (size_t)ceil((double)n / s->factor);
    }
    CTUNE_TRY(hv_out_alloc(s, o, cap));
    s->study_rows = cap;
    return rounds_run(s, data, metric, last, o, 0, n0, s->n_iterations, s->it_resources, NULL, 0,
                      s->it_candidates, &s->n_remaining);
}

/* ---- Hyperband (KerasTuner's) --------------------------------------------- */

/* KerasTuner's bracket count: how many times max_epochs divides by factor
 * while staying >= 1. */
static size_t hb_brackets(int64_t max_epochs, double factor)
{
    size_t b = 0;
    for (double e = (double)max_epochs; e >= 1; e /= factor)
        b++;
    return b;
}

/* Candidates of bracket b: ceil(ceil(1 + log_f(max_epochs)) / (b + 1) * f^b). */
static size_t hb_bracket_size(size_t n_brackets, size_t b, double factor)
{
    double end0 = (double)n_brackets; /* ceil(1 + log_f(max_epochs)), exact at powers */
    return (size_t)ceil(end0 / (double)(b + 1) * pow(factor, (double)b) - 1e-9);
}

/* Runs every bracket of every Hyperband iteration: brackets from the most
 * exploratory (many candidates, max_epochs / factor^b epochs) to the full
 * budget; round r of bracket b gives floor(size / factor^r) candidates
 * ceil(max_epochs / factor^(b - r)) epochs. Each bracket samples its own
 * candidates. */
static ctune_status hyperband_run(ctune_search *s, const ctune_data *data, size_t metric,
                                  ctune__eval *last, hv_out *o)
{
    size_t nb = hb_brackets(s->max_res, s->factor);
    size_t n_total = 0, cap = 0;
    for (size_t b = 0; b < nb; b++) {
        size_t size = hb_bracket_size(nb, b, s->factor);
        n_total += size;
        for (size_t r = 0; r <= b; r++)
            cap += (size_t)floor((double)size / pow(s->factor, (double)r));
    }
    n_total *= (size_t)s->hb_iterations;
    cap *= (size_t)s->hb_iterations;
    ctune_candidates_free(s->cands);
    s->cands = NULL;
    CTUNE_TRY(ctune_space_sample(&s->cands, s->space, n_total, s->seed));
    n_total = s->cands->n; /* a small all-lists space caps it */
    CTUNE_TRY(hv_out_alloc(s, o, cap));
    s->study_rows = cap;
    s->min_res_ = 1;
    s->max_res_ = s->max_res;
    int64_t res[64];
    size_t keep[64];
    size_t first = 0;
    ctune_status rc = CTUNE_OK;
    for (int64_t hi = 0; hi < s->hb_iterations && rc == CTUNE_OK; hi++) {
        for (size_t bb = nb; bb-- > 0 && rc == CTUNE_OK && first < n_total;) {
            size_t size = hb_bracket_size(nb, bb, s->factor);
            if (size > n_total - first)
                size = n_total - first;
            size_t rounds = bb + 1 < 64 ? bb + 1 : 64;
            for (size_t r = 0; r < rounds; r++) {
                res[r] = (int64_t)ceil((double)s->max_res / pow(s->factor, (double)(bb - r)) -
                                       1e-9);
                keep[r] = r + 1 < rounds
                              ? (size_t)floor((double)hb_bracket_size(nb, bb, s->factor) /
                                              pow(s->factor, (double)(r + 1)))
                              : (size_t)ceil((double)size / pow(s->factor, (double)r + 1));
            }
            size_t rem = 0;
            rc = rounds_run(s, data, metric, last, o, first, size, rounds, res, keep, (double)bb,
                            NULL, &rem);
            first += size;
            s->n_iterations++;
            if (s->deadline_hit) {
                if (first < n_total && (bb > 0 || hi + 1 < s->hb_iterations))
                    s->timed_out = 1; /* brackets left */
                return rc;
            }
        }
    }
    return rc;
}

/* ---- pruners at synchronous rungs ------------------------------------------ */

ctune_status ctune_search_set_pruner(ctune_search *s, const char *pruner, const char *resource,
                                     int64_t max_steps)
{
    CTUNE_CHECK_NULL(s, "search");
    CTUNE_CHECK_NULL(pruner, "pruner");
    if (s->halving == 1 || s->halving == 2)
        return ctune_set_error(CTUNE_EINVAL,
                               "pruner: successive halving and Hyperband already "
                               "stop candidates; a pruner goes with a random or grid search");
    ctune__pruner pr;
    CTUNE_TRY(ctune__pruner_init(&pr, pruner, NULL));
    if (pr.kind == CTUNE__PRUNER_NONE) {
        s->pruning = 0;
        s->halving = 0;
        return CTUNE_OK;
    }
    CTUNE_CHECK_NULL(resource, "pruner resource");
    if (max_steps < 1 || max_steps > 100000)
        return ctune_set_error(CTUNE_EINVAL, "pruner: max_steps must be in [1, 100000], got %lld",
                               (long long)max_steps);
    const ctune_estimator_vtable *vt = ctune_estimator_vtable_of(s->est);
    if (vt->version < 3 || !vt->fit_more)
        return ctune_set_error(CTUNE_EINVAL,
                               "pruner %s: %s never reports intermediate values "
                               "(its vtable has no fit_more to continue a fit step by step)",
                               pruner, ctune_estimator_name(s->est));
    char *old = s->resource;
    s->resource = NULL;
    ctune_status rc = check_resource(s, "pruner", resource);
    if (rc != CTUNE_OK) {
        s->resource = old;
        return rc;
    }
    ctune__free(old);
    s->pruner = pr;
    s->pruning = 1;
    s->halving = 3;
    s->max_steps = max_steps;
    return CTUNE_OK;
}

/* Sets up `last` to run step k + 1 of the trial step_params[0] (candidate *cand_id). */
static void step_setup(const ctune_search *s, ctune__eval *last, const ctune_data *data,
                       size_t metric, ctune_params **step_params, const size_t *cand_id,
                       ctune_estimator **cache, size_t cache_splits, uint64_t seed, size_t k)
{
    ctune__eval_clear(last);
    memset(last, 0, sizeof *last);
    last->est = s->est;
    last->cands = step_params;
    last->n_cands = 1;
    last->data = data;
    last->opts = &s->opts;
    last->progress_scorer = metric;
    last->seed = seed;
    last->executor = s->executor;
    last->executor_self = s->executor_self;
    last->interrupt = &s->cancel;
    last->cand_ids = cand_id;
    last->cache = cache;
    last->cache_splits = cache_splits;
    study_run(s, last, k, (int64_t)k + 1, -1);
    last->deadline = s->deadline;
}

/* Makes row c of the search from trial c's last step (n_steps run): its records, its
 * params (taken from step_params[0]) and its pruned, n_resources and bracket values. */
static ctune_status trial_row(ctune_search *s, hv_out *o, const ctune__eval *last,
                              ctune_params **step_params, size_t c, int pruned, size_t n_steps)
{
    size_t rs = last->rec_size, add = last->n_splits * rs;
    unsigned char *m = ctune__realloc(o->merged, (c + 1) * add);
    if (!m)
        return CTUNE_ENOMEM;
    o->merged = m;
    o->rec_size = rs;
    memcpy(m + c * add, last->records, add);
    s->rows[c] = step_params[0];
    step_params[0] = NULL;
    s->row_ids[c] = c;
    s->n_rows = c + 1;
    o->iters[c] = pruned ? 1 : 0; /* the "pruned" column */
    o->resources[c] = (double)n_steps;
    o->brackets[c] = 0;
    return CTUNE_OK;
}

/* Trials in index order; each trains step by step (a warm-started CV run per
 * step, its folds in parallel) and after each step the pruner compares its
 * intermediate values with those of every lower-index trial, all finished
 * by then: decisions depend only on the seed. A pruned trial's row holds the
 * CV scores of its last step. */
static ctune_status pruned_run(ctune_search *s, const ctune_data *data, size_t metric,
                               ctune__eval *last, hv_out *o)
{
    size_t n = s->cands->n, steps = (size_t)s->max_steps;
    CTUNE_TRY(hv_out_alloc(s, o, n));
    int64_t *st = CTUNE_NEW_ARRAY(int64_t, n * steps);
    double *val = CTUNE_NEW_ARRAY(double, n *steps);
    size_t *len = ctune__calloc(n ? n : 1, sizeof *len);
    ctune__pruner_trial *tr = CTUNE_NEW_ARRAY(ctune__pruner_trial, n ? n : 1);
    size_t cache_splits = n_splits_of(s);
    size_t n_slots = n && cache_splits <= SIZE_MAX / n ? n * cache_splits : 1;
    ctune_estimator **cache = ctune__calloc(n_slots ? n_slots : 1, sizeof *cache);
    ctune_params **step_params = ctune__calloc(1, sizeof *step_params);
    if (!st || !val || !len || !tr || !cache || !step_params) {
        ctune__free(st), ctune__free(val), ctune__free(len), ctune__free(tr);
        ctune__free(cache), ctune__free(step_params);
        return CTUNE_ENOMEM;
    }
    uint64_t seed = s->opts.has_seed ? s->opts.seed : s->randomized ? s->seed : 0;
    ctune_status rc = CTUNE_OK;
    double mean = NAN;
    s->study_rows = n <= SIZE_MAX / steps ? n * steps : SIZE_MAX;
    for (size_t c = 0; c < n && rc == CTUNE_OK; c++) {
        int pruned = 0, unfinished = 0;
        for (size_t k = 0; k < steps && rc == CTUNE_OK; k++) {
            ctune_params_free(step_params[0]);
            step_params[0] = NULL;
            rc = ctune_params_copy(&step_params[0], s->cands->items[c]);
            if (rc == CTUNE_OK)
                rc = ctune_params_set_int(step_params[0], s->resource, (int64_t)k + 1);
            if (rc != CTUNE_OK)
                break;
            step_setup(s, last, data, metric, step_params, &c, cache, cache_splits, seed, k);
            rc = ctune__eval_run(last);
            s->n_done += last->n_done;
            s->n_splits = last->n_splits;
            if (rc != CTUNE_OK || !ctune__eval_has_records(last))
                break;
            if (last->timed_out)
                s->deadline_hit = 1;
            if (last->timed_out && last->n_done < last->n_splits) {
                unfinished = 1; /* a step cut short: the trial goes */
                break;
            }
            row_means(last, metric, &mean);
            st[c * steps + k] = (int64_t)k + 1;
            val[c * steps + k] = mean;
            len[c] = k + 1;
            tr[c] = (ctune__pruner_trial){st + c * steps, val + c * steps, len[c], 0};
            int prune = 0;
            if (k + 1 < steps)
                rc = ctune__pruner_decide(&s->pruner, &tr[c], tr, c, &prune);
            if (rc == CTUNE_OK && prune && s->study && s->study->mark_pruned)
                rc = s->study->mark_pruned(s->study->self, c, k);
            if (rc != CTUNE_OK)
                break;
            if (prune || k + 1 == steps) {
                pruned = prune;
                break;
            }
            /* past the deadline a started trial still trains to its end
             * (each step's run finishes the trial's folds) */
        }
        for (size_t f = 0; f < cache_splits; f++) {
            ctune_estimator_free(cache[c * cache_splits + f]);
            cache[c * cache_splits + f] = NULL;
        }
        if (unfinished) {
            s->timed_out = 1;
            break;
        }
        if (!ctune__eval_has_records(last) || !step_params[0])
            break;
        /* this trial's row: its last step */
        if (trial_row(s, o, last, step_params, c, pruned, len[c]) != CTUNE_OK) {
            rc = CTUNE_ENOMEM;
            break;
        }
        tr[c].complete = !pruned;
        if (s->deadline_hit) {
            s->timed_out = c + 1 < n; /* trials left */
            break;
        }
    }
    s->n_iterations = s->n_rows;
    ctune_params_free(step_params[0]);
    ctune__free(step_params);
    for (size_t i = 0; i < n * cache_splits; i++)
        ctune_estimator_free(cache[i]);
    ctune__free(cache);
    last->cand_ids = NULL;
    last->cache = NULL;
    ctune__free(st), ctune__free(val), ctune__free(len), ctune__free(tr);
    return rc;
}

/* ---- the timeout ------------------------------------------------------------ */

/* A split finished: it ran (well or not), and was neither left unstarted
 * nor stopped in flight when the timeout ran out. */
static int split_finished(const ctune__task_rec *r)
{
    return r->status != CTUNE__NOT_RUN && r->status != CTUNE_ECANCELLED;
}

/* The word of ctune_search_stopped_by() for a run that ended with run_rc
 * (the evaluation's status, before the results and the refit). */
static const char *stop_word(const ctune_search *s, ctune_status run_rc)
{
    if (run_rc == CTUNE_ECANCELLED)
        return "cancelled";
    if (s->timed_out)
        return "timeout";
    if (run_rc != CTUNE_OK)
        return NULL;
    if (s->tpe)
        return "n_trials";
    if (s->halving == 1 || s->halving == 2)
        return "schedule";
    return s->randomized ? "n_iter" : "grid";
}

static ctune_status none_finished(const ctune_search *s, size_t n_splits)
{
    char t[40];
    ctune__fmt_double(t, sizeof t, s->opts.timeout);
    return ctune_set_error(CTUNE_ECANCELLED,
                           "timeout=%s s ran out before any candidate finished its %zu "
                           "splits: no results (give the search more time)",
                           t, n_splits);
}

/* A random, grid or TPE search ended by its timeout: keeps in `ev` the
 * candidates whose splits all finished, in their order, as the rows of the
 * search (their params copied, their candidate index in row_ids for the
 * refit's stream); *kept receives their number. */
static ctune_status keep_finished_cands(ctune_search *s, ctune__eval *ev, size_t *kept)
{
    size_t n = ev->n_cands, per = ev->n_splits * ev->rec_size, k = 0;
    *kept = 0;
    s->rows = ctune__calloc(n ? n : 1, sizeof *s->rows);
    s->row_ids = CTUNE_NEW_ARRAY(size_t, n ? n : 1);
    if (!s->rows || !s->row_ids)
        return CTUNE_ENOMEM;
    for (size_t c = 0; c < n; c++) {
        int ok = 1;
        for (size_t f = 0; f < ev->n_splits && ok; f++)
            ok = split_finished(ctune__eval_rec(ev, c, f));
        if (!ok)
            continue;
        CTUNE_TRY(ctune_params_copy(&s->rows[k], ev->cands[c]));
        s->row_ids[k] = c;
        s->n_rows = k + 1;
        if (k != c)
            memmove(ev->records + k * per, ev->records + c * per, per);
        k++;
    }
    ev->n_cands = k;
    ev->cands = s->rows;
    *kept = k;
    return CTUNE_OK;
}

/* The same for the rows of a halving or Hyperband search: a row whose
 * splits did not all finish goes, with its values. Returns the rows kept. */
static size_t keep_finished_rows(ctune_search *s, hv_out *o, size_t n_splits)
{
    size_t per = n_splits * o->rec_size, k = 0;
    for (size_t i = 0; i < s->n_rows; i++) {
        int ok = 1;
        for (size_t f = 0; f < n_splits && ok; f++)
            ok = split_finished(
                (const ctune__task_rec *)(o->merged + (i * n_splits + f) * o->rec_size));
        if (!ok) {
            ctune_params_free(s->rows[i]);
            s->rows[i] = NULL;
            continue;
        }
        if (k != i) {
            s->rows[k] = s->rows[i];
            s->rows[i] = NULL;
            s->row_ids[k] = s->row_ids[i];
            o->iters[k] = o->iters[i];
            o->resources[k] = o->resources[i];
            o->brackets[k] = o->brackets[i];
            memmove(o->merged + k * per, o->merged + i * per, per);
        }
        k++;
    }
    s->n_rows = k;
    return k;
}

/* ctune_search_fit() for successive halving: the rows of every iteration
 * in one results table with iter and n_resources first; the best is the
 * best of the last iteration (first on ties). */
static ctune_status halving_fit(ctune_search *s, const ctune_data *data, size_t metric)
{
    ctune__eval last, all;
    memset(&last, 0, sizeof last);
    hv_out o;
    memset(&o, 0, sizeof o);
    size_t k = metric == (size_t)-1 ? 0 : metric;
    ctune_status rc = s->halving == 3   ? pruned_run(s, data, k, &last, &o)
                      : s->halving == 2 ? hyperband_run(s, data, k, &last, &o)
                                        : halving_run(s, data, k, &last, &o);
    s->stopped_by = stop_word(s, rc);
    if (s->timed_out && rc == CTUNE_OK &&
        (!o.merged || keep_finished_rows(s, &o, last.n_splits) == 0)) {
        rc = none_finished(s, s->n_splits);
        ctune__free(o.merged);
        o.merged = NULL;
    }
    if (o.merged && rc != CTUNE_ENOMEM) {
        char msg[1024];
        ctune_status run_rc = rc;
        memcpy(msg, ctune_last_error(), sizeof msg);
        msg[sizeof msg - 1] = '\0';
        all = last;
        all.cands = s->rows;
        all.n_cands = s->n_rows;
        all.records = o.merged;
        all.rec_size = o.rec_size;
        rc = ctune__results_build(&s->res, &all, s->rows, s->space);
        if (rc == CTUNE_OK && s->resource)
            rc = ctune__results_add_param(s->res, s->resource);
        if (rc == CTUNE_OK)
            rc = ctune__results_prepend(s->res, "n_resources", o.resources);
        if (rc == CTUNE_OK)
            rc = ctune__results_prepend(s->res, s->halving == 3 ? "pruned" : "iter", o.iters);
        if (rc == CTUNE_OK && s->halving == 2)
            rc = ctune__results_prepend(s->res, "bracket", o.brackets);
        if (rc == CTUNE_OK)
            rc = collect_warnings(s, &last);
        if (rc == CTUNE_OK && run_rc != CTUNE_OK)
            rc = ctune_set_error_str(run_rc, msg);
        if (rc == CTUNE_OK)
            rc = check_all_failed(s, metric);
    }
    if (s->res && metric != (size_t)-1 && s->n_rows) {
        /* halving: the best of the last iteration that ran (first on
         * ties); Hyperband: the best of the rows at the largest resource */
        size_t end = s->n_rows, beg = end, b = 0;
        if (s->halving == 3) { /* pruner: the best complete trial */
            beg = 0;
            for (size_t i = 0; i < end; i++)
                if (o.iters[i] != 0)
                    o.resources[i] = -1; /* a pruned trial is never the best */
        } else if (s->halving == 2) {
            beg = 0;
        } else {
            while (beg > 0 && o.iters[beg - 1] == o.iters[end - 1])
                beg--;
        }
        double top = o.resources[beg];
        for (size_t i = beg; i < end; i++)
            if (o.resources[i] > top)
                top = o.resources[i];
        const double *mean = s->res->mean_test[metric];
        int found = 0;
        for (size_t i = beg; i < end; i++) {
            if (o.resources[i] != top)
                continue;
            if (!found || (!isnan(mean[i]) && (isnan(mean[b]) || mean[i] > mean[b])))
                b = i;
            found = 1;
        }
        if (rc == CTUNE_OK || isfinite(mean[b])) {
            s->best_index = (long)b;
            s->best_score = mean[b];
            s->refit_metric = s->opts.scoring.n ? s->opts.scoring.items[metric] : "score";
        }
    }
    int refit_here = !s->executor || !s->executor->refit_here ||
                     s->executor->refit_here(s->executor_self);
    if (s->study && s->study->refit_here && !s->study->refit_here(s->study->self))
        refit_here = 0;
    if (rc == CTUNE_OK && s->opts.refit && refit_here && s->best_index >= 0)
        rc = ctune__eval_refit(&s->best_est, &last, s->est, s->rows[s->best_index], data, last.seed,
                               s->row_ids[s->best_index], last.n_splits, &s->cancel,
                               &s->refit_time);
    ctune__eval_clear(&last);
    ctune__free(o.merged);
    ctune__free(o.iters);
    ctune__free(o.resources);
    ctune__free(o.brackets);
    return rc;
}

static ctune_status search_fit(ctune_search *s, const ctune_data *data);
static ctune_status plain_fit(ctune_search *s, const ctune_data *data, size_t metric);

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
        rc = ctune__tpe_propose(&s->tpe_opts, s->space, s->seed, c->items, val, b, k, c->items + b);
        if (rc != CTUNE_OK)
            break;
        c->n = b + k;
        ctune__eval sub = *ev;
        sub.cands = c->items + b;
        sub.n_cands = k;
        sub.cand_offset = b;
        sub.tasks_before = done;
        sub.n_cands_total = n;
        sub.deadline = s->deadline;
        rc = ctune__eval_run(&sub);
        done += sub.n_done;
        if (sub.timed_out) {
            s->deadline_hit = 1;
            if (sub.n_done < k * sub.n_splits || b + k < n)
                s->timed_out = 1; /* candidates unfinished or never proposed */
        }
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
        if (b < n && rc == CTUNE_OK && !sub.timed_out) {
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
        if (ev->timed_out)
            break; /* no next batch */
    }
    ctune__free(all);
    ctune__free(val);
    return rc;
}

ctune_status ctune_search_fit(ctune_search *s, const ctune_data *data)
{
    CTUNE_CHECK_NULL(s, "search");
    ctune_status rc = search_fit(s, data);
    if (s->study && s->study->end)
        s->study->end(s->study->self);
    atomic_store(&s->cancel, 0);
    return rc;
}

static ctune_status search_fit(ctune_search *s, const ctune_data *data)
{
    ctune_clear_error();
    drop_results(s);
    s->fit_status = CTUNE_ESTATE;
    s->deadline = s->opts.timeout > 0 ? ctune__now() + s->opts.timeout : 0;
    if (!data)
        return s->fit_status = ctune_set_error(CTUNE_EINVAL, "ctune_search_fit: data is NULL");
    size_t metric = 0;
    ctune_status rc = ctune__eval_opts_metric(&s->opts, s->opts.refit, &metric);
    if (rc != CTUNE_OK)
        return s->fit_status = rc;

    if (s->study && s->executor && s->executor->refit_here)
        return s->fit_status = ctune_set_error(
                   CTUNE_EINVAL,
                   "a study cannot be attached to a search run by executor '%s', which "
                   "spreads it over several processes (refit_here): run the search in "
                   "one process, or start several processes on the study instead",
                   s->executor->name ? s->executor->name : "?");
    char *fingerprint = NULL;
    if (s->study) {
        rc = ctune__search_fingerprint(s, data, &fingerprint);
        if (rc != CTUNE_OK)
            return s->fit_status = rc;
    }
    s->study_fp = fingerprint;
    s->study_rows = s->tpe ? s->n_trials : 0;
    if (s->halving) {
        rc = halving_fit(s, data, metric);
        if (rc == CTUNE_ENOMEM || (rc != CTUNE_OK && !s->res)) {
            char msg[1024];
            const char *by = s->stopped_by;
            memcpy(msg, ctune_last_error(), sizeof msg);
            msg[sizeof msg - 1] = '\0';
            drop_results(s);
            s->stopped_by = rc == CTUNE_ENOMEM ? NULL : by;
            ctune_set_error_str(rc, msg);
        }
        s->fit_status = rc;
    } else {
        rc = plain_fit(s, data, metric);
    }
    s->study_fp = NULL;
    ctune__free(fingerprint);
    return rc;
}

/* ctune_search_fit() for a randomized, grid or TPE search (one run, or TPE's
 * batches). */
static ctune_status plain_fit(ctune_search *s, const ctune_data *data, size_t metric)
{
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
    ev.study_bracket = -1;
    ev.deadline = s->deadline;
    if (s->study) {
        ev.hook = s->study;
        ev.fingerprint = s->study_fp;
        if (s->tpe) /* batch after batch: the study keys are trial numbers */
            study_run(s, &ev, 0, 0, -1);
    }
    ctune_status rc = s->tpe ? tpe_run(s, &ev, metric == (size_t)-1 ? 0 : metric)
                             : ctune__eval_run(&ev);
    ev.fingerprint = NULL;

    s->n_done = ev.n_done;
    s->n_splits = ev.n_splits;
    if (!s->tpe && ev.timed_out) {
        s->deadline_hit = 1;
        s->timed_out = ev.n_done < ev.n_cands * ev.n_splits;
    }
    s->stopped_by = stop_word(s, rc);
    if (s->timed_out && rc == CTUNE_OK && ctune__eval_has_records(&ev)) {
        size_t kept = 0;
        rc = keep_finished_cands(s, &ev, &kept);
        if (rc == CTUNE_OK && kept == 0)
            rc = none_finished(s, ev.n_splits);
        if (rc != CTUNE_OK) { /* nothing half-written stays */
            ctune__free(ev.records);
            ev.records = NULL;
        }
    }
    if (ctune__eval_has_records(&ev) && rc != CTUNE_ENOMEM) {
        /* keep the message of the run while building the table */
        char msg[1024];
        ctune_status run_rc = rc;
        memcpy(msg, ctune_last_error(), sizeof msg);
        msg[sizeof msg - 1] = '\0';
        rc = ctune__results_build(&s->res, &ev, s->rows ? s->rows : s->cands->items, s->space);
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
    if (s->study && !s->timed_out && s->study->refit_here && !s->study->refit_here(s->study->self))
        refit_here = 0; /* another process on the study completed it and refits */
    if (rc == CTUNE_OK && s->opts.refit && refit_here) {
        size_t b = (size_t)s->best_index;
        rc = ctune__eval_refit(&s->best_est, &ev, s->est, s->rows ? s->rows[b] : s->cands->items[b],
                               data, ev.seed, s->row_ids ? s->row_ids[b] : b, ev.n_splits,
                               &s->cancel, &s->refit_time);
    }
    ctune__eval_clear(&ev);
    if (rc == CTUNE_ENOMEM || (rc != CTUNE_OK && !s->res)) {
        char msg[1024];
        const char *by = s->stopped_by;
        memcpy(msg, ctune_last_error(), sizeof msg);
        msg[sizeof msg - 1] = '\0';
        drop_results(s);
        s->stopped_by = rc == CTUNE_ENOMEM ? NULL : by;
        ctune_set_error_str(rc, msg);
    }
    s->fit_status = rc;
    return rc;
}

ctune_status ctune_search_fit_status(const ctune_search *s)
{
    return s ? s->fit_status : CTUNE_EINVAL;
}

const char *ctune_search_stopped_by(const ctune_search *s) { return s ? s->stopped_by : NULL; }

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

ctune_status ctune_search_best_index(size_t *out, const ctune_search *s)
{
    CTUNE_TRY(need_best(s));
    CTUNE_CHECK_NULL(out, "out");
    *out = (size_t)s->best_index;
    return CTUNE_OK;
}

ctune_status ctune_search_best_score(double *out, const ctune_search *s)
{
    CTUNE_TRY(need_best(s));
    CTUNE_CHECK_NULL(out, "out");
    *out = s->best_score;
    return CTUNE_OK;
}

const ctune_params *ctune_search_best_params(const ctune_search *s)
{
    if (!s || !s->res || s->best_index < 0)
        return NULL;
    return s->rows ? s->rows[s->best_index] : s->cands->items[s->best_index];
}

ctune_estimator *ctune_search_best_estimator(ctune_search *s) { return s ? s->best_est : NULL; }

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

ctune_status ctune_search_result(double *out, const ctune_search *s, const char *column, size_t i)
{
    CTUNE_TRY(need_results(s));
    CTUNE_CHECK_NULL(column, "column");
    CTUNE_CHECK_NULL(out, "out");
    const ctune__col *c = ctune__results_col(s->res, column);
    if (!c)
        return CTUNE_EINVAL;
    return ctune__results_value(s->res, c, i, out);
}

long ctune_search_result_text(char *buf, size_t cap, const ctune_search *s, const char *column,
                              size_t i)
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

static ctune_status export(const void *owner, int json, ctune__sb *b)
{
    const ctune_search *s = owner;
    CTUNE_TRY(need_results(s));
    ctune__sb_init(b);
    if (json) {
        /* stopped_by: only when a budget other than the search's own list
         * ended it (a search that ran its list writes what a study rebuilds
         * from its trials, ctune_study_results_json_buf(), byte for byte) */
        const char *by = s->stopped_by && (strcmp(s->stopped_by, "timeout") == 0 ||
                                           strcmp(s->stopped_by, "cancelled") == 0)
                             ? s->stopped_by
                             : NULL;
        ctune__results_meta m = {s->best_index, s->best_score, s->refit_metric,
                                 s->fit_status == CTUNE_OK ? "complete" : "partial", by};
        ctune__results_json(s->res, &m, b);
    } else {
        ctune__results_csv(s->res, b);
    }
    ctune_status rc = ctune__sb_status(b);
    if (rc != CTUNE_OK)
        ctune__sb_free(b);
    return rc;
}

ctune_status ctune_search_results_csv(const ctune_search *s, const char *path)
{
    return ctune__results_export_file(export, s, 0, path);
}

ctune_status ctune_search_results_json(const ctune_search *s, const char *path)
{
    return ctune__results_export_file(export, s, 1, path);
}

long ctune_search_results_csv_buf(char *buf, size_t cap, const ctune_search *s)
{
    return ctune__results_export_buf(export, s, 0, buf, cap, "results export");
}

long ctune_search_results_json_buf(char *buf, size_t cap, const ctune_search *s)
{
    return ctune__results_export_buf(export, s, 1, buf, cap, "results export");
}

/* ---- successive halving: accessors --------------------------------------- */

size_t ctune_search_n_iterations(const ctune_search *s) { return s ? s->n_iterations : 0; }
size_t ctune_search_n_possible_iterations(const ctune_search *s) { return s ? s->n_possible : 0; }
size_t ctune_search_n_required_iterations(const ctune_search *s) { return s ? s->n_required : 0; }
size_t ctune_search_n_remaining_candidates(const ctune_search *s) { return s ? s->n_remaining : 0; }

int64_t ctune_search_n_resources(const ctune_search *s, size_t iter)
{
    return s && s->it_resources && iter < s->n_iterations ? s->it_resources[iter] : 0;
}

size_t ctune_search_n_candidates_at(const ctune_search *s, size_t iter)
{
    return s && s->it_candidates && iter < s->n_iterations ? s->it_candidates[iter] : 0;
}

int64_t ctune_search_min_resources(const ctune_search *s) { return s ? s->min_res_ : 0; }
int64_t ctune_search_max_resources(const ctune_search *s) { return s ? s->max_res_ : 0; }

size_t ctune_search_n_rows(const ctune_search *s) { return s && s->res ? s->res->n_cands : 0; }

const ctune_params *ctune_search_row_params(const ctune_search *s, size_t i)
{
    if (!s || !s->res || i >= s->res->n_cands)
        return NULL;
    return s->rows ? s->rows[i] : s->cands->items[i];
}

/* ---- durable studies (the hook lib/study implements) ------------------------ */

void ctune__search_set_study_hook(ctune_search *s, const ctune__study_hook *hook)
{
    if (s)
        s->study = hook;
}

static void fp_params(ctune__sb *b, const char *key, const ctune_params *p)
{
    ctune__sb_printf(b, "%s: ", key);
    long n = p ? ctune_params_to_text(NULL, 0, p) : 0;
    if (n > 0) {
        char *t = ctune__malloc((size_t)n + 1);
        if (!t) {
            b->failed = 1;
            return;
        }
        ctune_params_to_text(t, (size_t)n + 1, p);
        ctune__sb_str(b, t);
        ctune__free(t);
    }
    ctune__sb_str(b, "\n");
}

/* FNV-1a 64 over bytes */
static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* The value as float64 little-endian bytes, whatever the host's order. */
static uint64_t fnv_double(uint64_t h, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    unsigned char le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)(u >> (8 * i));
    return fnv(h, le, 8);
}

static void fp_int(ctune__sb *b, const char *key, long long v)
{
    ctune__sb_printf(b, " %s=%lld", key, v);
}

static void fp_dbl(ctune__sb *b, const char *key, double v)
{
    ctune__sb_printf(b, " %s=", key);
    ctune__sb_double(b, v, "nan");
}

/* The strategy lines: randomized and grid searches as studies of schema 1
 * recorded them (those studies resume), then a line per strategy of
 * several runs with every option that changes its tasks. */
static void fp_strategy(ctune__sb *b, const ctune_search *s)
{
    if (s->tpe) {
        const ctune__tpe_opts *t = &s->tpe_opts;
        ctune__sb_printf(b, "strategy: tpe n_trials=%zu\nsampler seed: %llu\ntpe:", s->n_trials,
                         (unsigned long long)s->seed);
        fp_int(b, "n_startup_trials", t->n_startup_trials);
        fp_int(b, "n_ei_candidates", t->n_ei_candidates);
        fp_int(b, "batch", t->batch);
        fp_dbl(b, "prior_weight", t->prior_weight);
        fp_int(b, "consider_endpoints", t->consider_endpoints);
        fp_int(b, "consider_magic_clip", t->consider_magic_clip);
        fp_int(b, "minimize", t->minimize);
        ctune__sb_str(b, "\n");
        return;
    }
    if (s->halving == 1 || s->halving == 2) {
        /* the candidates are sampled at fit (their number may depend on
         * the data): the options that draw them stand for them */
        ctune__sb_printf(b, "strategy: %s n_iter=%zu\nsampler seed: %llu\n",
                         s->halving == 2 ? "hyperband"
                         : s->randomized ? "halving random"
                                         : "halving grid",
                         s->n_iter, (unsigned long long)s->seed);
        ctune__sb_str(b, s->halving == 2 ? "hyperband:" : "halving:");
        fp_dbl(b, "factor", s->factor);
        ctune__sb_printf(b, " resource=%s", s->resource ? s->resource : "n_samples");
        fp_int(b, "min_resources", (long long)s->min_res);
        fp_int(b, "max_resources", (long long)s->max_res);
        fp_int(b, "aggressive", s->aggressive);
        fp_int(b, "iterations", (long long)s->hb_iterations);
        ctune__sb_str(b, "\n");
        if (!s->randomized)
            ctune__sb_printf(b, "candidates: %zu\n", s->cands->n);
        return;
    }
    if (s->randomized)
        ctune__sb_printf(b, "strategy: randomized n_iter=%zu\nsampler seed: %llu\n", s->n_iter,
                         (unsigned long long)s->seed);
    else
        ctune__sb_str(b, "strategy: grid\nsampler seed: none\n");
    ctune__sb_printf(b, "candidates: %zu\n", s->cands->n);
    if (s->halving == 3) {
        const ctune__pruner *p = &s->pruner;
        ctune__sb_str(b, "pruner:");
        fp_int(b, "kind", (long long)p->kind);
        fp_int(b, "minimize", p->minimize);
        fp_int(b, "n_startup_trials", (long long)p->n_startup_trials);
        fp_int(b, "n_warmup_steps", (long long)p->n_warmup_steps);
        fp_int(b, "interval_steps", (long long)p->interval_steps);
        fp_int(b, "min_resource", (long long)p->min_resource);
        fp_int(b, "reduction_factor", (long long)p->reduction_factor);
        fp_int(b, "min_early_stopping_rate", (long long)p->min_early_stopping_rate);
        fp_int(b, "bootstrap_count", (long long)p->bootstrap_count);
        fp_int(b, "max_steps", (long long)s->max_steps);
        ctune__sb_printf(b, " resource=%s\n", s->resource ? s->resource : "-");
    }
}

ctune_status ctune__search_fingerprint(const ctune_search *s, const ctune_data *data, char **out)
{
    *out = NULL;
    ctune__sb b;
    ctune__sb_init(&b);
    ctune__sb_printf(&b, "estimator: %s\n", ctune_estimator_name(s->est));
    fp_params(&b, "estimator params", ctune_estimator_get_params(s->est));
    long n = ctune_space_to_text(NULL, 0, s->space);
    if (n >= 0) {
        char *t = ctune__malloc((size_t)n + 1);
        if (t) {
            ctune_space_to_text(t, (size_t)n + 1, s->space);
            /* one line: the space text may span several */
            for (char *c = t; *c; c++)
                if (*c == '\n' || *c == '\r')
                    *c = ';';
            ctune__sb_printf(&b, "space: %s\n", t);
            ctune__free(t);
        } else {
            b.failed = 1;
        }
    }
    fp_strategy(&b, s);
    if (s->opts.has_seed)
        ctune__sb_printf(&b, "seed: %llu\n", (unsigned long long)s->opts.seed);
    else
        ctune__sb_str(&b, "seed: default\n");
    const ctune_splitter *sp = s->opts.has_splitter ? &s->opts.splitter : NULL;
    if (sp) {
        ctune__sb_printf(&b,
                         "cv: splitter kind=%d n_splits=%zu shuffle=%d seed=%llu "
                         "stratify=%d test_fraction=",
                         (int)sp->kind, sp->n_splits, sp->shuffle, (unsigned long long)sp->seed,
                         sp->stratify);
        ctune__sb_double(&b, sp->test_fraction, "nan");
        ctune__sb_str(&b, "\n");
    } else {
        ctune__sb_printf(&b, "cv: %zu folds\n", s->opts.cv);
    }
    ctune__sb_str(&b, "scoring:");
    for (size_t i = 0; i < s->opts.scoring.n; i++)
        ctune__sb_printf(&b, " %s", s->opts.scoring.items[i]);
    if (!s->opts.scoring.n)
        ctune__sb_str(&b, " (estimator's score)");
    ctune__sb_printf(&b, "\nrefit: %d %s\nreturn_train_score: %d\nerror_score: ", s->opts.refit,
                     s->opts.refit_metric ? s->opts.refit_metric : "-", s->opts.return_train);
    if (s->opts.error_raise)
        ctune__sb_str(&b, "raise");
    else
        ctune__sb_double(&b, s->opts.error_value, "nan");
    size_t rows = ctune_data_n_rows(data), cols = ctune_data_n_cols(data);
    size_t nt = ctune_data_n_targets(data);
    uint64_t hx = 0xcbf29ce484222325ULL, hy = hx;
    for (size_t i = 0; i < rows; i++) {
        for (size_t j = 0; j < cols; j++)
            hx = fnv_double(hx, ctune_data_x(data, i, j));
        for (size_t k = 0; k < nt; k++)
            hy = fnv_double(hy, ctune_data_y(data, i, k));
    }
    ctune__sb_printf(&b, "\nX: %zu x %zu, hash %016llx\ny: %zu x %zu, hash %016llx\n", rows, cols,
                     (unsigned long long)hx, rows, nt, (unsigned long long)hy);
    ctune_status rc = ctune__sb_status(&b);
    if (rc != CTUNE_OK) {
        ctune__sb_free(&b);
        return rc;
    }
    *out = b.s;
    return CTUNE_OK;
}
