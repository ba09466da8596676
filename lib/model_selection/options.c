/* The options of searches and cross_validate, held in one place
 * (ctune__eval_opts) and validated once, whether they come as "key=value"
 * text, from a typed setter or as a function argument. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/cnum.h"
#include "core/error.h"
#include "model_selection/evaluate.h"
#include "model_selection/splitter.h"

ctune_status ctune__check_cv(int64_t cv, const char *who)
{
    if (cv < 2)
        return ctune_set_error(CTUNE_EINVAL, "%s: cv must be >= 2 folds, got %lld", who,
                               (long long)cv);
    return CTUNE_OK;
}

ctune_status ctune__check_n_jobs(int64_t n_jobs, const char *who)
{
    if (n_jobs == 0 || n_jobs < -4096 || n_jobs > 4096)
        return ctune_set_error(CTUNE_EINVAL,
                               "%s: n_jobs must be non-zero (1 = serial, -1 = all "
                               "cores) and within [-4096, 4096], got %lld",
                               who, (long long)n_jobs);
    return CTUNE_OK;
}

void ctune__eval_opts_init(ctune__eval_opts *o)
{
    memset(o, 0, sizeof *o);
    o->cv = 5;
    ctune__strlist_init(&o->scoring);
    o->refit = 1;
    o->error_value = NAN;
    o->n_jobs = 1;
}

/* An index splitter's lists belong to the options that hold it. */
static void drop_splitter(ctune__eval_opts *o)
{
    if (o->has_splitter)
        ctune_splits_free(o->splitter.fixed);
    o->splitter.fixed = NULL;
    o->has_splitter = 0;
}

void ctune__eval_opts_clear(ctune__eval_opts *o)
{
    drop_splitter(o);
    ctune__strlist_clear(&o->scoring);
    ctune__free(o->refit_metric);
    o->refit_metric = NULL;
}

ctune_status ctune__eval_opts_set_cv(ctune__eval_opts *o, int64_t cv, const char *who)
{
    CTUNE_TRY(ctune__check_cv(cv, who));
    o->cv = (size_t)cv;
    return CTUNE_OK;
}

ctune_status ctune__eval_opts_set_n_jobs(ctune__eval_opts *o, int64_t n_jobs, const char *who)
{
    CTUNE_TRY(ctune__check_n_jobs(n_jobs, who));
    o->n_jobs = (long)n_jobs;
    return CTUNE_OK;
}

ctune_status ctune__eval_opts_set_splitter(ctune__eval_opts *o, const ctune_splitter *sp)
{
    ctune_splits *fixed = NULL;
    if (sp && sp->fixed)
        CTUNE_TRY(ctune__splits_dup(&fixed, sp->fixed));
    drop_splitter(o);
    o->has_splitter = sp != NULL;
    if (sp) {
        o->splitter = *sp;
        o->splitter.fixed = fixed;
    }
    return CTUNE_OK;
}

ctune_status ctune__eval_opts_splitter(const ctune__eval_opts *o, const ctune_estimator *est,
                                       ctune_splitter *out)
{
    if (o->has_splitter) {
        *out = o->splitter;
        return CTUNE_OK;
    }
    return ctune__splitter_for_cv(out, est, o->cv, 0, 0);
}

static ctune_status opts_copy(ctune__eval_opts *dst, const ctune__eval_opts *src)
{
    *dst = *src;
    dst->splitter.fixed = NULL;
    if (src->has_splitter && src->splitter.fixed &&
        ctune__splits_dup(&dst->splitter.fixed, src->splitter.fixed) != CTUNE_OK) {
        dst->has_splitter = 0;
        dst->refit_metric = NULL;
        ctune__strlist_init(&dst->scoring);
        return CTUNE_ENOMEM;
    }
    ctune__strlist_init(&dst->scoring);
    dst->refit_metric = NULL;
    for (size_t i = 0; i < src->scoring.n; i++)
        if (ctune__strlist_push(&dst->scoring, src->scoring.items[i]) != CTUNE_OK)
            goto fail;
    if (src->refit_metric && !(dst->refit_metric = ctune__strdup(src->refit_metric)))
        goto fail;
    return CTUNE_OK;
fail:
    ctune__eval_opts_clear(dst);
    return CTUNE_ENOMEM;
}

/* The option specs: names and types are checked by the one options parser
 * (ctune_params_parse_spec); the setters above check the values. */
#define OPT_CV                                                               \
    {                                                                        \
        "cv", CTUNE_TYPE_INT, "5", NULL, NULL,                               \
            "folds: StratifiedKFold for classifiers, KFold otherwise (>= 2)" \
    }
#define OPT_SCORING                                                       \
    {                                                                     \
        "scoring", CTUNE_TYPE_STRING | CTUNE_TYPE_NONE, NULL, NULL, NULL, \
            "scorer names separated by '|'; none = the estimator's score" \
    }
#define OPT_REFIT                                                                 \
    {                                                                             \
        "refit", CTUNE_TYPE_BOOL | CTUNE_TYPE_STRING, "true", NULL, NULL,         \
            "refit the best on all data: true, false or the scorer that picks it" \
    }
#define OPT_ERROR_SCORE                                                                 \
    {                                                                                   \
        "error_score", CTUNE_TYPE_DOUBLE | CTUNE_TYPE_STRING, "nan", NULL, "raise|nan", \
            "score of a failed fit, or raise to stop"                                   \
    }
#define OPT_TRAIN_SCORE                                             \
    {                                                               \
        "return_train_score", CTUNE_TYPE_BOOL, "false", NULL, NULL, \
            "also score each fit on its training side"              \
    }
#define OPT_N_JOBS                                                    \
    {                                                                 \
        "n_jobs", CTUNE_TYPE_INT, "1", NULL, NULL,                    \
            "workers: 1 = serial, -1 = all cores, -k = all but k - 1" \
    }
#define OPT_SEED                                                                 \
    {                                                                            \
        "seed", CTUNE_TYPE_INT, NULL, NULL, NULL, "seed of the task RNG streams" \
    }
#define OPT_TIMEOUT                                                              \
    {                                                                            \
        "timeout", CTUNE_TYPE_DOUBLE, NULL, NULL, NULL,                          \
            "wall seconds after which no new candidate starts; the search ends " \
            "with the candidates that finished"                                  \
    }
#define OPT_END                         \
    {                                   \
        NULL, 0, NULL, NULL, NULL, NULL \
    }

const ctune_param_spec ctune__search_options[] = {
    OPT_CV,     OPT_SCORING, OPT_REFIT,   OPT_ERROR_SCORE, OPT_TRAIN_SCORE,
    OPT_N_JOBS, OPT_SEED,    OPT_TIMEOUT, OPT_END,
};

const ctune_param_spec ctune__cv_options[] = {
    OPT_SCORING, OPT_ERROR_SCORE, OPT_TRAIN_SCORE, OPT_N_JOBS, OPT_SEED, OPT_END,
};

/* Parses "name[|name...]" into `list` (empty for NULL or ""). */
static ctune_status parse_scoring(const ctune__eval_opts *o, ctune__strlist *list, const char *s,
                                  const char *who)
{
    if (!s)
        return CTUNE_OK;
    while (*s) {
        const char *bar = strchr(s, '|');
        size_t n = bar ? (size_t)(bar - s) : strlen(s);
        while (n && s[0] == ' ') {
            s++;
            n--;
        }
        while (n && s[n - 1] == ' ')
            n--;
        char name[128];
        if (n == 0 || n >= sizeof name)
            return ctune_set_error(CTUNE_EINVAL,
                                   "%s: option scoring has an empty or too long "
                                   "scorer name",
                                   who);
        memcpy(name, s, n);
        name[n] = '\0';
        ctune_status rc = ctune__eval_opts_custom(o, name) ? CTUNE_OK : ctune_scorer_check(name);
        if (rc != CTUNE_OK) {
            ctune__error_prefix("%s: option scoring", who);
            return rc;
        }
        for (size_t i = 0; i < list->n; i++)
            if (strcmp(list->items[i], name) == 0)
                return ctune_set_error(CTUNE_EINVAL, "%s: option scoring names '%s' twice", who,
                                       name);
        CTUNE_TRY(ctune__strlist_push(list, name));
        s += bar ? (size_t)(bar - s) + 1 : strlen(s);
        if (bar && !*s)
            return ctune_set_error(CTUNE_EINVAL, "%s: option scoring ends with '|'", who);
    }
    return CTUNE_OK;
}

ctune_status ctune__eval_opts_set_scoring(ctune__eval_opts *o, const char *names, const char *who)
{
    ctune__strlist list;
    ctune__strlist_init(&list);
    ctune_status rc = parse_scoring(o, &list, names, who);
    if (rc != CTUNE_OK) {
        ctune__strlist_clear(&list);
        return rc;
    }
    ctune__strlist_clear(&o->scoring);
    o->scoring = list;
    return CTUNE_OK;
}

ctune_status ctune__eval_opts_set_refit(ctune__eval_opts *o, int refit, const char *metric,
                                        const char *who)
{
    if (!refit && metric)
        return ctune_set_error(CTUNE_EINVAL,
                               "%s: refit is off, so it cannot name a scorer "
                               "('%s')",
                               who, metric);
    char *copy = NULL;
    if (metric && !(copy = ctune__strdup(metric)))
        return CTUNE_ENOMEM;
    ctune__free(o->refit_metric);
    o->refit_metric = copy;
    o->refit = refit != 0;
    return CTUNE_OK;
}

ctune_status ctune__eval_opts_set_timeout(ctune__eval_opts *o, double seconds, const char *who)
{
    if (!(seconds > 0) || !isfinite(seconds)) {
        char v[40];
        ctune__fmt_double(v, sizeof v, seconds);
        return ctune_set_error(
            CTUNE_EINVAL, "%s: timeout must be a finite number of seconds > 0, got %s", who, v);
    }
    o->timeout = seconds;
    return CTUNE_OK;
}

/* Applies one option of `p`, already checked against its spec. */
static ctune_status apply_one(ctune__eval_opts *o, const ctune_params *p, const char *key,
                              const char *who)
{
    int t = ctune_params_type(p, key);
    int64_t iv;
    const char *sv;
    if (strcmp(key, "cv") == 0) {
        CTUNE_TRY(ctune_params_get_int(&iv, p, key));
        return ctune__eval_opts_set_cv(o, iv, who);
    } else if (strcmp(key, "scoring") == 0) {
        sv = NULL;
        if (t == CTUNE_TYPE_STRING)
            CTUNE_TRY(ctune_params_get_string(&sv, p, key));
        return ctune__eval_opts_set_scoring(o, sv, who);
    } else if (strcmp(key, "refit") == 0) {
        if (t == CTUNE_TYPE_BOOL) {
            int on;
            CTUNE_TRY(ctune_params_get_bool(&on, p, key));
            return ctune__eval_opts_set_refit(o, on, NULL, who);
        }
        CTUNE_TRY(ctune_params_get_string(&sv, p, key));
        return ctune__eval_opts_set_refit(o, 1, sv, who);
    } else if (strcmp(key, "error_score") == 0) {
        if (t == CTUNE_TYPE_STRING) {
            CTUNE_TRY(ctune_params_get_string(&sv, p, key));
            o->error_raise = strcmp(sv, "raise") == 0;
            o->error_value = NAN;
        } else {
            CTUNE_TRY(ctune_params_get_double(&o->error_value, p, key));
            o->error_raise = 0;
        }
    } else if (strcmp(key, "return_train_score") == 0) {
        CTUNE_TRY(ctune_params_get_bool(&o->return_train, p, key));
    } else if (strcmp(key, "n_jobs") == 0) {
        CTUNE_TRY(ctune_params_get_int(&iv, p, key));
        return ctune__eval_opts_set_n_jobs(o, iv, who);
    } else if (strcmp(key, "seed") == 0) {
        CTUNE_TRY(ctune_params_get_int(&iv, p, key));
        o->seed = (uint64_t)iv;
        o->has_seed = 1;
    } else if (strcmp(key, "timeout") == 0) {
        double dv;
        CTUNE_TRY(ctune_params_get_double(&dv, p, key));
        return ctune__eval_opts_set_timeout(o, dv, who);
    }
    return CTUNE_OK;
}

ctune_status ctune__eval_opts_apply(ctune__eval_opts *o, const char *text,
                                    const ctune_param_spec *spec, const char *who)
{
    CTUNE_CHECK_NULL(text, "options");
    ctune_params *p;
    CTUNE_TRY(ctune_params_parse_spec(&p, text, spec, who));
    ctune__eval_opts work;
    ctune_status rc = opts_copy(&work, o);
    for (size_t i = 0; i < ctune_params_count(p) && rc == CTUNE_OK; i++)
        rc = apply_one(&work, p, ctune_params_name(p, i), who);
    ctune_params_free(p);
    if (rc != CTUNE_OK) {
        ctune__eval_opts_clear(&work);
        return rc;
    }
    ctune__eval_opts_clear(o);
    *o = work;
    return CTUNE_OK;
}

const ctune__custom_scorer *ctune__eval_opts_custom(const ctune__eval_opts *o, const char *name)
{
    for (size_t i = 0; name && i < o->n_custom; i++)
        if (strcmp(o->custom[i].name, name) == 0)
            return &o->custom[i];
    return NULL;
}

ctune_status ctune__eval_opts_score(const ctune__eval_opts *o, const char *name,
                                    ctune_estimator *est, const ctune_data *data, double *out)
{
    const ctune__custom_scorer *c = ctune__eval_opts_custom(o, name);
    if (!c)
        return ctune_score(out, est, name, data);
    ctune_clear_error();
    ctune_status rc = c->fn(est, data, out, c->user);
    if (rc == CTUNE_OK && isnan(*out))
        rc = ctune_set_error(CTUNE_ENUMERIC, "scorer '%s' returned NaN", name);
    if (rc != CTUNE_OK && ctune_last_error()[0] == '\0')
        ctune_set_error(rc, "scorer '%s' failed (%s)", name, ctune_status_string(rc));
    return rc;
}

ctune_status ctune__eval_opts_metric(const ctune__eval_opts *o, int need_metric, size_t *out)
{
    if (o->refit_metric) {
        for (size_t i = 0; i < o->scoring.n; i++)
            if (strcmp(o->scoring.items[i], o->refit_metric) == 0) {
                *out = i;
                return CTUNE_OK;
            }
        return ctune_set_error(CTUNE_EINVAL, "refit=%s is not one of the scorers (scoring=%s%s)",
                               o->refit_metric, o->scoring.n ? o->scoring.items[0] : "none",
                               o->scoring.n > 1 ? "|..." : "");
    }
    if (o->scoring.n <= 1) {
        *out = 0;
        return CTUNE_OK;
    }
    if (need_metric)
        return ctune_set_error(CTUNE_EINVAL,
                               "with several scorers, refit must name the one that "
                               "picks the best candidate (e.g. refit=%s) or be false",
                               o->scoring.items[0]);
    *out = (size_t)-1;
    return CTUNE_OK;
}
