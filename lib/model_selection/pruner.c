/* Pruners: the decision rules of pruner.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "model_selection/pruner.h"

#define DIRECTION_SPEC                                                                    \
    {                                                                                     \
        "direction", CTUNE_TYPE_STRING, "maximize", NULL, "maximize|minimize",            \
            "whether greater intermediate values are better (ctune's scorers) or smaller" \
    }

static const ctune_param_spec NONE_SPEC[] = {
    {NULL, 0, NULL, NULL, NULL, NULL},
};

static const ctune_param_spec MEDIAN_SPEC[] = {
    {"n_startup_trials", CTUNE_TYPE_INT, "5", "[0, inf)", NULL,
     "no pruning until the table holds this many complete trials"},
    {"n_warmup_steps", CTUNE_TYPE_INT, "0", "[0, inf)", NULL,
     "no pruning of a trial before this step"},
    {"interval_steps", CTUNE_TYPE_INT, "1", "[1, inf)", NULL,
     "decide at the first step of each interval of this many steps after the warm-up"},
    DIRECTION_SPEC,
    {NULL, 0, NULL, NULL, NULL, NULL},
};

static const ctune_param_spec SHA_SPEC[] = {
    {"min_resource", CTUNE_TYPE_INT, "1", "[1, inf)", NULL,
     "step of the first rung (with min_early_stopping_rate 0)"},
    {"reduction_factor", CTUNE_TYPE_INT, "4", "[2, inf)", NULL,
     "keeps the best 1/reduction_factor at each rung; rungs are this factor apart"},
    {"min_early_stopping_rate", CTUNE_TYPE_INT, "0", "[0, inf)", NULL,
     "the first rung is at min_resource * reduction_factor^this"},
    {"bootstrap_count", CTUNE_TYPE_INT, "0", "[0, inf)", NULL,
     "prunes at a rung until more than this many values were recorded there"},
    DIRECTION_SPEC,
    {NULL, 0, NULL, NULL, NULL, NULL},
};

static const struct {
    const char *name;
    ctune__pruner_kind kind;
    const ctune_param_spec *spec;
} PRUNERS[] = {
    {"none", CTUNE__PRUNER_NONE, NONE_SPEC},
    {"median", CTUNE__PRUNER_MEDIAN, MEDIAN_SPEC},
    {"sha", CTUNE__PRUNER_SHA, SHA_SPEC},
};
#define N_PRUNERS (sizeof PRUNERS / sizeof PRUNERS[0])

const ctune_param_spec *ctune__pruner_spec(const char *name)
{
    for (size_t i = 0; name && i < N_PRUNERS; i++)
        if (strcmp(PRUNERS[i].name, name) == 0)
            return PRUNERS[i].spec;
    return NULL;
}

ctune_status ctune__pruner_init(ctune__pruner *pr, const char *name, const ctune_params *opts)
{
    CTUNE_CHECK_NULL(pr, "pruner");
    CTUNE_CHECK_NULL(name, "pruner name");
    size_t k = 0;
    while (k < N_PRUNERS && strcmp(PRUNERS[k].name, name) != 0)
        k++;
    if (k == N_PRUNERS)
        return ctune_set_error(CTUNE_EINVAL,
                               "pruner: unknown pruner '%s'; known: none, median, sha", name);
    ctune_params *p = NULL;
    ctune_status st = ctune_params_from_spec(&p, PRUNERS[k].spec);
    if (st == CTUNE_OK && opts)
        st = ctune_params_update(p, opts);
    if (st == CTUNE_OK)
        st = ctune_params_check(p, PRUNERS[k].spec);
    if (st != CTUNE_OK) {
        ctune_params_free(p);
        ctune__error_prefix("pruner %s", name);
        return st;
    }
    memset(pr, 0, sizeof *pr);
    pr->kind = PRUNERS[k].kind;
    const char *dir = "maximize";
    if (pr->kind != CTUNE__PRUNER_NONE)
        st = ctune_params_get_string(&dir, p, "direction");
    if (st == CTUNE_OK)
        pr->minimize = strcmp(dir, "minimize") == 0;
    if (st == CTUNE_OK && pr->kind == CTUNE__PRUNER_MEDIAN) {
        st = ctune_params_get_int(&pr->n_startup_trials, p, "n_startup_trials");
        if (st == CTUNE_OK)
            st = ctune_params_get_int(&pr->n_warmup_steps, p, "n_warmup_steps");
        if (st == CTUNE_OK)
            st = ctune_params_get_int(&pr->interval_steps, p, "interval_steps");
    } else if (st == CTUNE_OK && pr->kind == CTUNE__PRUNER_SHA) {
        st = ctune_params_get_int(&pr->min_resource, p, "min_resource");
        if (st == CTUNE_OK)
            st = ctune_params_get_int(&pr->reduction_factor, p, "reduction_factor");
        if (st == CTUNE_OK)
            st = ctune_params_get_int(&pr->min_early_stopping_rate, p, "min_early_stopping_rate");
        if (st == CTUNE_OK)
            st = ctune_params_get_int(&pr->bootstrap_count, p, "bootstrap_count");
    }
    ctune_params_free(p);
    return st;
}

static ctune_status check_trial(const ctune__pruner_trial *t, const char *which, size_t index)
{
    if (t->n && (!t->steps || !t->values))
        return ctune_set_error(CTUNE_EINVAL, "pruner: %s %zu has %zu values but NULL arrays", which,
                               index, t->n);
    for (size_t i = 0; i < t->n; i++)
        if (t->steps[i] < 0 || (i && t->steps[i] <= t->steps[i - 1]))
            return ctune_set_error(CTUNE_EINVAL, "pruner: %s %zu: step %lld is %s", which, index,
                                   (long long)t->steps[i],
                                   t->steps[i] < 0 ? "negative" : "not after the previous one");
    return CTUNE_OK;
}

/* a is better than b (strictly). */
static int better(const ctune__pruner *pr, double a, double b)
{
    return pr->minimize ? a < b : a > b;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Value of t at exactly `step`; 0 when it has none there. */
static int value_at(const ctune__pruner_trial *t, int64_t step, double *out)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->steps[mid] < step)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < t->n && t->steps[lo] == step) {
        *out = t->values[lo];
        return 1;
    }
    return 0;
}

/* Index of t's first value at a step >= `step`; t->n when none. */
static size_t first_at_or_after(const ctune__pruner_trial *t, int64_t step)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->steps[mid] < step)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static ctune_status decide_median(const ctune__pruner *pr, const ctune__pruner_trial *trial,
                                  const ctune__pruner_trial *others, size_t n_others, int *prune)
{
    size_t n_complete = 0;
    for (size_t i = 0; i < n_others; i++)
        n_complete += others[i].complete != 0;
    if (n_complete == 0 || n_complete < (uint64_t)pr->n_startup_trials || trial->n == 0)
        return CTUNE_OK;
    int64_t step = trial->steps[trial->n - 1];
    if (step < pr->n_warmup_steps)
        return CTUNE_OK;
    /* Only the first report of each interval decides. */
    int64_t nearest = (step - pr->n_warmup_steps) / pr->interval_steps * pr->interval_steps +
                      pr->n_warmup_steps;
    int64_t previous = trial->n > 1 ? trial->steps[trial->n - 2] : -1;
    if (previous >= nearest)
        return CTUNE_OK;
    double best = NAN;
    for (size_t i = 0; i < trial->n; i++)
        if (!isnan(trial->values[i]) && (isnan(best) || better(pr, trial->values[i], best)))
            best = trial->values[i];
    if (isnan(best)) {
        *prune = 1;
        return CTUNE_OK;
    }
    double *v = ctune__malloc_array(n_complete, sizeof *v);
    if (!v)
        return ctune_set_error(CTUNE_ENOMEM, "pruner: out of memory");
    size_t m = 0;
    for (size_t i = 0; i < n_others; i++) {
        double x;
        if (others[i].complete && value_at(&others[i], step, &x) && !isnan(x))
            v[m++] = x;
    }
    if (m > 0) {
        /* numpy's nanpercentile(v, 50), linear interpolation as numpy computes it */
        qsort(v, m, sizeof *v, cmp_double);
        double median = v[m / 2];
        if (m % 2 == 0) {
            double a = v[m / 2 - 1], b = v[m / 2];
            median = b - (b - a) * 0.5;
        }
        *prune = better(pr, median, best);
    }
    ctune__free(v);
    return CTUNE_OK;
}

/* Step of rung r, or -1 when it does not fit in int64_t. */
static int64_t rung_step(const ctune__pruner *pr, int64_t r)
{
    int64_t s = pr->min_resource;
    for (int64_t e = 0; e < pr->min_early_stopping_rate + r; e++) {
        if (s > INT64_MAX / pr->reduction_factor)
            return -1;
        s *= pr->reduction_factor;
    }
    return s;
}

static ctune_status decide_sha(const ctune__pruner *pr, const ctune__pruner_trial *trial,
                               const ctune__pruner_trial *others, size_t n_others, int *prune)
{
    if (trial->n == 0)
        return CTUNE_OK;
    int64_t step = trial->steps[trial->n - 1];
    int64_t previous = trial->n > 1 ? trial->steps[trial->n - 2] : -1;
    double value = trial->values[trial->n - 1];
    /* Rungs crossed at earlier reports were passed then (else the trial would
     * have stopped); the ones crossed now are decided with the current value. */
    int64_t r = 0;
    for (;;) {
        int64_t s = rung_step(pr, r);
        if (s < 0 || s > previous)
            break;
        r++;
    }
    double *v = NULL;
    ctune_status st = CTUNE_OK;
    for (;; r++) {
        int64_t s = rung_step(pr, r);
        if (s < 0 || step < s)
            break;
        if (isnan(value)) {
            *prune = 1;
            break;
        }
        if (!v && !(v = ctune__malloc_array(n_others + 1, sizeof *v))) {
            st = ctune_set_error(CTUNE_ENOMEM, "pruner: out of memory");
            break;
        }
        size_t m = 0;
        for (size_t i = 0; i < n_others; i++) {
            size_t k = first_at_or_after(&others[i], s);
            if (k < others[i].n && !isnan(others[i].values[k]))
                v[m++] = others[i].values[k];
        }
        v[m++] = value;
        if (m <= (uint64_t)pr->bootstrap_count) {
            *prune = 1;
            break;
        }
        size_t keep = m / (uint64_t)pr->reduction_factor;
        if (keep == 0)
            keep = 1;
        qsort(v, m, sizeof *v, cmp_double);
        double threshold = pr->minimize ? v[keep - 1] : v[m - keep];
        if (better(pr, threshold, value)) {
            *prune = 1;
            break;
        }
    }
    ctune__free(v);
    return st;
}

ctune_status ctune__pruner_decide(const ctune__pruner *pr, const ctune__pruner_trial *trial,
                                  const ctune__pruner_trial *others, size_t n_others, int *prune)
{
    CTUNE_CHECK_NULL(pr, "pruner");
    CTUNE_CHECK_NULL(trial, "trial");
    CTUNE_CHECK_NULL(prune, "prune");
    if (n_others)
        CTUNE_CHECK_NULL(others, "others");
    *prune = 0;
    CTUNE_TRY(check_trial(trial, "trial", 0));
    for (size_t i = 0; i < n_others; i++)
        CTUNE_TRY(check_trial(&others[i], "table trial", i));
    switch (pr->kind) {
    case CTUNE__PRUNER_MEDIAN: return decide_median(pr, trial, others, n_others, prune);
    case CTUNE__PRUNER_SHA: return decide_sha(pr, trial, others, n_others, prune);
    default: return CTUNE_OK;
    }
}
