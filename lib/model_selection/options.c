/* "key=value" options of searches and cross_validate. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "model_selection/evaluate.h"

void ctune__eval_opts_init(ctune__eval_opts *o)
{
    memset(o, 0, sizeof *o);
    o->cv = 5;
    ctune__strlist_init(&o->scoring);
    o->refit = 1;
    o->error_value = NAN;
    o->n_jobs = 1;
}

void ctune__eval_opts_clear(ctune__eval_opts *o)
{
    ctune__strlist_clear(&o->scoring);
    ctune__free(o->refit_metric);
    o->refit_metric = NULL;
}

static ctune_status opts_copy(ctune__eval_opts *dst, const ctune__eval_opts *src)
{
    *dst = *src;
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

static const struct {
    const char *key;
    unsigned bit;
} KEYS[] = {
    {"cv", CTUNE__OPT_CV},
    {"scoring", CTUNE__OPT_SCORING},
    {"refit", CTUNE__OPT_REFIT},
    {"error_score", CTUNE__OPT_ERROR_SCORE},
    {"return_train_score", CTUNE__OPT_TRAIN_SCORE},
    {"n_jobs", CTUNE__OPT_N_JOBS},
    {"seed", CTUNE__OPT_SEED},
};
#define N_KEYS (sizeof KEYS / sizeof KEYS[0])

static ctune_status unknown_key(const char *who, const char *key, unsigned allowed)
{
    char list[256] = "";
    size_t len = 0;
    for (size_t i = 0; i < N_KEYS; i++)
        if (allowed & KEYS[i].bit) {
            size_t k = strlen(KEYS[i].key);
            if (len + k + 3 < sizeof list) {
                if (len) {
                    memcpy(list + len, ", ", 2);
                    len += 2;
                }
                memcpy(list + len, KEYS[i].key, k + 1);
                len += k;
            }
        }
    return ctune_set_error(CTUNE_EINVAL, "%s: unknown option '%s'; known: %s", who, key, list);
}

static ctune_status get_bool(const ctune_params *p, const char *who, const char *key, int *out)
{
    if (ctune_params_type(p, key) != CTUNE_TYPE_BOOL)
        return ctune_set_error(CTUNE_EINVAL, "%s: option %s must be true or false", who, key);
    return ctune_params_get_bool(p, key, out);
}

static ctune_status get_int(const ctune_params *p, const char *who, const char *key, int64_t *out)
{
    if (ctune_params_type(p, key) != CTUNE_TYPE_INT)
        return ctune_set_error(CTUNE_EINVAL, "%s: option %s must be an integer", who, key);
    return ctune_params_get_int(p, key, out);
}

static ctune_status set_scoring(ctune__eval_opts *o, const ctune_params *p, const char *who)
{
    ctune__strlist_clear(&o->scoring);
    if (ctune_params_is_none(p, "scoring"))
        return CTUNE_OK;
    const char *s = NULL;
    if (ctune_params_type(p, "scoring") != CTUNE_TYPE_STRING)
        return ctune_set_error(CTUNE_EINVAL, "%s: option scoring must be scorer names separated "
                               "by '|', or none", who);
    CTUNE_TRY(ctune_params_get_string(p, "scoring", &s));
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
            return ctune_set_error(CTUNE_EINVAL, "%s: option scoring has an empty or too long "
                                   "scorer name", who);
        memcpy(name, s, n);
        name[n] = '\0';
        ctune_status rc = ctune__eval_opts_custom(o, name) ? CTUNE_OK : ctune_scorer_check(name);
        if (rc != CTUNE_OK) {
            ctune__error_prefix("%s: option scoring", who);
            return rc;
        }
        for (size_t i = 0; i < o->scoring.n; i++)
            if (strcmp(o->scoring.items[i], name) == 0)
                return ctune_set_error(CTUNE_EINVAL, "%s: option scoring names '%s' twice", who,
                                       name);
        CTUNE_TRY(ctune__strlist_push(&o->scoring, name));
        s += bar ? (size_t)(bar - s) + 1 : strlen(s);
        if (bar && !*s)
            return ctune_set_error(CTUNE_EINVAL, "%s: option scoring ends with '|'", who);
    }
    return CTUNE_OK;
}

static ctune_status apply_one(ctune__eval_opts *o, const ctune_params *p, const char *key,
                              const char *who)
{
    int64_t iv;
    if (strcmp(key, "cv") == 0) {
        CTUNE_TRY(get_int(p, who, key, &iv));
        if (iv < 2)
            return ctune_set_error(CTUNE_EINVAL, "%s: option cv must be >= 2 folds, got %lld", who,
                                   (long long)iv);
        o->cv = (long)iv;
    } else if (strcmp(key, "scoring") == 0) {
        CTUNE_TRY(set_scoring(o, p, who));
    } else if (strcmp(key, "refit") == 0) {
        ctune__free(o->refit_metric);
        o->refit_metric = NULL;
        if (ctune_params_type(p, key) == CTUNE_TYPE_BOOL)
            return ctune_params_get_bool(p, key, &o->refit);
        const char *s;
        if (ctune_params_type(p, key) != CTUNE_TYPE_STRING)
            return ctune_set_error(CTUNE_EINVAL, "%s: option refit must be true, false or a "
                                   "scorer name", who);
        CTUNE_TRY(ctune_params_get_string(p, key, &s));
        o->refit = 1;
        o->refit_metric = ctune__strdup(s);
        if (!o->refit_metric)
            return CTUNE_ENOMEM;
    } else if (strcmp(key, "error_score") == 0) {
        int t = ctune_params_type(p, key);
        const char *s;
        if (t == CTUNE_TYPE_STRING && ctune_params_get_string(p, key, &s) == CTUNE_OK &&
            strcmp(s, "raise") == 0) {
            o->error_raise = 1;
        } else if (t == CTUNE_TYPE_DOUBLE || t == CTUNE_TYPE_INT) {
            CTUNE_TRY(ctune_params_get_double(p, key, &o->error_value));
            o->error_raise = 0;
        } else {
            return ctune_set_error(CTUNE_EINVAL, "%s: option error_score must be nan, raise or a "
                                   "number", who);
        }
    } else if (strcmp(key, "return_train_score") == 0) {
        CTUNE_TRY(get_bool(p, who, key, &o->return_train));
    } else if (strcmp(key, "n_jobs") == 0) {
        CTUNE_TRY(get_int(p, who, key, &iv));
        if (iv == 0 || iv < -4096 || iv > 4096)
            return ctune_set_error(CTUNE_EINVAL, "%s: option n_jobs must be non-zero (1 = serial, "
                                   "-1 = all cores), got %lld", who, (long long)iv);
        o->n_jobs = (long)iv;
    } else if (strcmp(key, "seed") == 0) {
        CTUNE_TRY(get_int(p, who, key, &iv));
        o->seed = (uint64_t)iv;
        o->has_seed = 1;
    }
    return CTUNE_OK;
}

ctune_status ctune__eval_opts_apply(ctune__eval_opts *o, const char *text, unsigned allowed,
                                    const char *who)
{
    CTUNE_CHECK_NULL(text, "options");
    ctune_params *p;
    CTUNE_TRY(ctune_params_new(&p));
    ctune_status rc = ctune_params_parse(p, text);
    if (rc != CTUNE_OK)
        ctune__error_prefix("%s: options", who);
    for (size_t i = 0; i < ctune_params_count(p) && rc == CTUNE_OK; i++) {
        const char *key = ctune_params_name(p, i);
        size_t k = 0;
        while (k < N_KEYS && strcmp(KEYS[k].key, key) != 0)
            k++;
        if (k == N_KEYS || !(allowed & KEYS[k].bit))
            rc = unknown_key(who, key, allowed);
    }
    ctune__eval_opts work;
    if (rc == CTUNE_OK)
        rc = opts_copy(&work, o);
    else {
        ctune_params_free(p);
        return rc;
    }
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
        return ctune_score(est, name, data, out);
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
        return ctune_set_error(CTUNE_EINVAL, "with several scorers, refit must name the one that "
                               "picks the best candidate (e.g. refit=%s) or be false",
                               o->scoring.items[0]);
    *out = (size_t)-1;
    return CTUNE_OK;
}
