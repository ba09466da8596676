/* The tuner: ask / tell over a parameter space, a sampler and a pruner
 * (pruner.h), its trials table in the search results schema, and optimize,
 * which runs an objective callback on the searches' executor.
 *
 * Proposals depend only on the seed and the trial number (random: stream
 * k + 1 of the seed; grid: point k), so they are a pure function of the
 * seed and the tell order. Every public function takes the tuner's mutex:
 * a host may ask, report and tell from several threads, and optimize's
 * workers do exactly that. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "model_selection/executor.h"
#include "model_selection/pruner.h"
#include "model_selection/results.h"
#include "model_selection/sampler_tpe.h"
#include "model_selection/space.h"
#include "model_selection/strbuf.h"
#include "model_selection/study_hook.h"

enum { SAMPLER_RANDOM, SAMPLER_GRID, SAMPLER_TPE };

typedef struct trial {
    ctune_params *params;
    int state; /* CTUNE_TRIAL_* */
    double value;
    char *error;    /* failed: the reason */
    int64_t *steps; /* intermediate values */
    double *values;
    size_t n_steps, cap_steps;
} trial;

struct ctune_tuner {
    pthread_mutex_t mu;
    ctune_space *space;
    int sampler;
    uint64_t seed;
    int minimize;
    uint64_t grid_size;
    ctune__pruner pruner;
    ctune__tpe_opts tpe;
    size_t asks_since_tell; /* trials asked since the last tell (TPE's batch) */
    trial *trials;
    size_t n, cap;
    size_t *told; /* trial numbers in tell order (n_told of them) */
    size_t n_told;
    const char *stopped_by;
    /* a study shared with other processes (ctune_tuner_set_study), or NULL */
    const ctune__tuner_hook *hook;
    char *fingerprint;
    size_t last_tell_asked; /* trials asked when the last tell happened */
};

static const ctune_param_spec TUNER_SPEC[] = {
    {"sampler", CTUNE_TYPE_STRING, "random", NULL, "random|grid|tpe", "how trials are proposed"},
    {"seed", CTUNE_TYPE_INT, "0", "[0, inf)", NULL, "seed of the random sampler"},
    {"direction", CTUNE_TYPE_STRING, "maximize", NULL, "maximize|minimize",
     "whether greater objective values are better, or smaller"},
    {"pruner", CTUNE_TYPE_STRING, "none", NULL, "none|median|sha", "pruner asked by report"},
    {"n_startup_trials", CTUNE_TYPE_INT, NULL, "[0, inf)", NULL, "median pruner"},
    {"n_warmup_steps", CTUNE_TYPE_INT, NULL, "[0, inf)", NULL, "median pruner"},
    {"interval_steps", CTUNE_TYPE_INT, NULL, "[1, inf)", NULL, "median pruner"},
    {"min_resource", CTUNE_TYPE_INT, NULL, "[1, inf)", NULL, "sha pruner"},
    {"reduction_factor", CTUNE_TYPE_INT, NULL, "[2, inf)", NULL, "sha pruner"},
    {"min_early_stopping_rate", CTUNE_TYPE_INT, NULL, "[0, inf)", NULL, "sha pruner"},
    {"bootstrap_count", CTUNE_TYPE_INT, NULL, "[0, inf)", NULL, "sha pruner"},
    {"tpe_n_startup_trials", CTUNE_TYPE_INT, NULL, "[0, inf)", NULL, "TPE sampler"},
    {"tpe_n_ei_candidates", CTUNE_TYPE_INT, NULL, "[1, 100000]", NULL, "TPE sampler"},
    {"tpe_prior_weight", CTUNE_TYPE_DOUBLE, NULL, "(0, inf)", NULL, "TPE sampler"},
    {"tpe_consider_endpoints", CTUNE_TYPE_BOOL, NULL, NULL, NULL, "TPE sampler"},
    {"tpe_consider_magic_clip", CTUNE_TYPE_BOOL, NULL, NULL, NULL, "TPE sampler"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

static void *realloc_n(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return ctune__realloc(p, n * size);
}

static void lock(const ctune_tuner *t) { pthread_mutex_lock(&((ctune_tuner *)t)->mu); }

static void unlock(const ctune_tuner *t) { pthread_mutex_unlock(&((ctune_tuner *)t)->mu); }

static const char *opt_string(const ctune_params *p, const char *name, const char *dflt)
{
    const char *v = dflt;
    if (ctune_params_find(p, name) >= 0)
        ctune_params_get_string(&v, p, name);
    return v;
}

/* The pruner from the options: every option not the tuner's own is the
 * pruner's, which checks them against its spec. */
static ctune_status init_pruner(ctune_tuner *t, const ctune_params *opts)
{
    const char *name = opt_string(opts, "pruner", "none");
    ctune_params *po = NULL;
    CTUNE_TRY(ctune_params_new(&po));
    ctune_status rc = CTUNE_OK;
    for (size_t i = 0; i < ctune_params_count(opts) && rc == CTUNE_OK; i++) {
        const char *k = ctune_params_name(opts, i);
        if (strcmp(k, "sampler") && strcmp(k, "seed") && strcmp(k, "pruner") &&
            strcmp(k, "direction") && strncmp(k, "tpe_", 4) != 0) {
            int64_t v = 0;
            rc = ctune_params_get_int(&v, opts, k);
            if (rc == CTUNE_OK)
                rc = ctune_params_set_int(po, k, v);
        }
    }
    if (rc == CTUNE_OK && strcmp(name, "none") != 0)
        rc = ctune_params_set_string(po, "direction", t->minimize ? "minimize" : "maximize");
    if (rc == CTUNE_OK) {
        rc = ctune__pruner_init(&t->pruner, name, po);
        if (rc != CTUNE_OK)
            ctune__error_prefix("tuner");
    }
    ctune_params_free(po);
    return rc;
}

/* TPE's options: the tpe_* keys without their prefix, and the direction. */
static ctune_status init_tpe(ctune_tuner *t, const ctune_params *opts)
{
    ctune_params *to = NULL;
    CTUNE_TRY(ctune_params_new(&to));
    ctune_status rc = CTUNE_OK;
    for (size_t i = 0; i < ctune_params_count(opts) && rc == CTUNE_OK; i++) {
        const char *k = ctune_params_name(opts, i);
        if (strncmp(k, "tpe_", 4) != 0)
            continue;
        char text[64];
        long n = ctune_params_value_text(text, sizeof text, opts, k);
        rc = n < 0 || (size_t)n >= sizeof text ? CTUNE_EINVAL
                                               : ctune_params_set_text(to, k + 4, text);
    }
    if (rc == CTUNE_OK)
        rc = ctune_params_set_string(to, "direction", t->minimize ? "minimize" : "maximize");
    if (rc == CTUNE_OK)
        rc = ctune__tpe_opts_init(&t->tpe, to);
    if (rc == CTUNE_OK)
        rc = ctune__tpe_check_space(t->space, "space");
    if (rc != CTUNE_OK)
        ctune__error_prefix("tuner: sampler=tpe");
    ctune_params_free(to);
    return rc;
}

static ctune_status configure(ctune_tuner *t, const char *options)
{
    ctune_params *opts = NULL;
    CTUNE_TRY(ctune_params_parse_spec(&opts, options ? options : "", TUNER_SPEC, "tuner"));
    const char *sampler = opt_string(opts, "sampler", "random");
    t->sampler = strcmp(sampler, "grid") == 0  ? SAMPLER_GRID
                 : strcmp(sampler, "tpe") == 0 ? SAMPLER_TPE
                                               : SAMPLER_RANDOM;
    t->minimize = strcmp(opt_string(opts, "direction", "maximize"), "minimize") == 0;
    int64_t seed = 0;
    ctune_status rc = CTUNE_OK;
    if (ctune_params_find(opts, "seed") >= 0)
        rc = ctune_params_get_int(&seed, opts, "seed");
    t->seed = (uint64_t)seed;
    if (rc == CTUNE_OK && t->sampler == SAMPLER_GRID) {
        rc = ctune__space_grid_size(t->space, &t->grid_size);
        if (rc != CTUNE_OK)
            ctune__error_prefix("tuner: sampler=grid");
    }
    int has_tpe_opts = 0;
    for (size_t i = 0; i < ctune_params_count(opts); i++)
        has_tpe_opts |= strncmp(ctune_params_name(opts, i), "tpe_", 4) == 0;
    if (rc == CTUNE_OK && has_tpe_opts && t->sampler != SAMPLER_TPE)
        rc = ctune_set_error(CTUNE_EINVAL, "tuner: tpe_* options need sampler=tpe");
    if (rc == CTUNE_OK && t->sampler == SAMPLER_TPE)
        rc = init_tpe(t, opts);
    if (rc == CTUNE_OK)
        rc = init_pruner(t, opts);
    ctune_params_free(opts);
    return rc;
}

ctune_status ctune_tuner_new(ctune_tuner **out, const ctune_space *space, const char *options)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(space, "space");
    if (space->n == 0)
        return ctune_set_error(CTUNE_EINVAL, "tuner: the space is empty");
    ctune_tuner *t = ctune__calloc(1, sizeof *t);
    if (!t)
        return CTUNE_ENOMEM;
    if (pthread_mutex_init(&t->mu, NULL) != 0) {
        ctune__free(t);
        return ctune_set_error(CTUNE_ENOMEM, "tuner: cannot create a mutex");
    }
    ctune_status rc = ctune_space_copy(&t->space, space);
    if (rc == CTUNE_OK)
        rc = configure(t, options);
    if (rc != CTUNE_OK) {
        ctune_tuner_free(t);
        return rc;
    }
    *out = t;
    return CTUNE_OK;
}

static void trial_clear(trial *tr)
{
    ctune_params_free(tr->params);
    ctune__free(tr->error);
    ctune__free(tr->steps);
    ctune__free(tr->values);
}

void ctune_tuner_free(ctune_tuner *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        trial_clear(&t->trials[i]);
    ctune__free(t->trials);
    ctune__free(t->told);
    ctune__free(t->fingerprint);
    ctune_space_free(t->space);
    pthread_mutex_destroy(&t->mu);
    ctune__free(t);
}

/* TPE: the history is the told trials in tell order (complete ones with
 * their value, the others NaN, which TPE leaves out); the trials asked
 * since the last tell form one batch, as a TPE search's synchronous batch,
 * and this trial takes the batch's last proposal. */
static ctune_status propose_tpe(const ctune_tuner *t, ctune_params **out)
{
    size_t nh = t->n_told, k = t->asks_since_tell + 1;
    ctune_params **hist = ctune__malloc_array(nh ? nh : 1, sizeof *hist);
    double *val = ctune__malloc_array(nh ? nh : 1, sizeof *val);
    ctune_params **batch = ctune__calloc(k, sizeof *batch);
    ctune_status rc = hist && val && batch ? CTUNE_OK : CTUNE_ENOMEM;
    for (size_t i = 0; i < nh && rc == CTUNE_OK; i++) {
        const trial *tr = &t->trials[t->told[i]];
        hist[i] = tr->params;
        val[i] = tr->state == CTUNE_TRIAL_COMPLETE ? tr->value : NAN;
    }
    if (rc == CTUNE_OK)
        rc = ctune__tpe_propose(&t->tpe, t->space, t->seed, hist, val, nh, k, batch);
    if (rc == CTUNE_OK) {
        *out = batch[k - 1];
        for (size_t i = 0; i + 1 < k; i++)
            ctune_params_free(batch[i]);
    }
    ctune__free(hist);
    ctune__free(val);
    ctune__free(batch);
    return rc;
}

/* The proposal of trial k: random and grid use only the seed and k; TPE the
 * tell-ordered history. */
static ctune_status propose(const ctune_tuner *t, size_t k, ctune_params **out)
{
    if (t->sampler == SAMPLER_TPE) {
        uint64_t g = 0;
        if (ctune__space_grid_size(t->space, &g) == CTUNE_OK && (uint64_t)k >= g) {
            ctune_clear_error();
            return ctune_set_error(CTUNE_ESTATE,
                                   "tuner: the space has no point left (%llu points asked)",
                                   (unsigned long long)g);
        }
        ctune_clear_error();
        return propose_tpe(t, out);
    }
    if (t->sampler == SAMPLER_GRID) {
        if ((uint64_t)k >= t->grid_size)
            return ctune_set_error(CTUNE_ESTATE,
                                   "tuner: the grid has no point left (%llu points asked)",
                                   (unsigned long long)t->grid_size);
        return ctune__space_grid_point(t->space, (uint64_t)k, out);
    }
    ctune_rng rng;
    ctune__rng_init(&rng, t->seed, (uint64_t)k + 1);
    return ctune__space_random_point(t->space, &rng, out);
}

static ctune_status ask_locked(ctune_tuner *t, size_t *trial_no, const ctune_params **params)
{
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 16;
        trial *tr = realloc_n(t->trials, nc, sizeof *tr);
        size_t *told = tr ? realloc_n(t->told, nc, sizeof *told) : NULL;
        if (tr)
            t->trials = tr;
        if (!told)
            return CTUNE_ENOMEM;
        t->told = told;
        t->cap = nc;
    }
    ctune_params *p = NULL;
    CTUNE_TRY(propose(t, t->n, &p));
    trial *tr = &t->trials[t->n];
    memset(tr, 0, sizeof *tr);
    tr->params = p;
    tr->state = CTUNE_TRIAL_RUNNING;
    tr->value = NAN;
    t->asks_since_tell++;
    *trial_no = t->n++;
    if (params)
        *params = p;
    return CTUNE_OK;
}

/* ---- a study shared by processes ------------------------------------------- */

static ctune_status close_locked(ctune_tuner *t, size_t k, int state, double value,
                                 const char *error, const char *who);

static ctune_status grow(ctune_tuner *t)
{
    if (t->n < t->cap)
        return CTUNE_OK;
    size_t nc = t->cap ? t->cap * 2 : 16;
    trial *tr = realloc_n(t->trials, nc, sizeof *tr);
    size_t *told = tr ? realloc_n(t->told, nc, sizeof *told) : NULL;
    if (tr)
        t->trials = tr;
    if (!told)
        return CTUNE_ENOMEM;
    t->told = told;
    t->cap = nc;
    return CTUNE_OK;
}

static ctune_status set_steps(trial *tr, const int64_t *steps, const double *values, size_t n)
{
    if (n > tr->cap_steps) {
        int64_t *s = realloc_n(tr->steps, n, sizeof *s);
        if (s)
            tr->steps = s;
        double *v = s ? realloc_n(tr->values, n, sizeof *v) : NULL;
        if (!v)
            return CTUNE_ENOMEM;
        tr->values = v;
        tr->cap_steps = n;
    }
    if (n) {
        memcpy(tr->steps, steps, n * sizeof *steps);
        memcpy(tr->values, values, n * sizeof *values);
    }
    tr->n_steps = n;
    return CTUNE_OK;
}

/* A trial row of the study: a new trial (asked by another process), or the
 * outcome and intermediate values of one this tuner holds as running. */
static ctune_status sync_row(void *user, const ctune__tuner_row *r)
{
    ctune_tuner *t = user;
    if (r->state < CTUNE_TRIAL_RUNNING || r->state > CTUNE_TRIAL_FAILED || r->number > t->n)
        return ctune_set_error(CTUNE_EFORMAT, "tuner study: trial %zu is malformed or out of order",
                               r->number);
    if (r->number < t->n) {
        trial *tr = &t->trials[r->number];
        if (tr->state != CTUNE_TRIAL_RUNNING)
            return CTUNE_OK;
        if (r->state != CTUNE_TRIAL_RUNNING && r->error[0] && !tr->error &&
            !(tr->error = ctune__strdup(r->error)))
            return CTUNE_ENOMEM;
        tr->state = r->state;
        tr->value = r->state == CTUNE_TRIAL_COMPLETE ? r->value : NAN;
        return set_steps(tr, r->steps, r->values, r->n_steps);
    }
    CTUNE_TRY(grow(t));
    trial *tr = &t->trials[t->n];
    memset(tr, 0, sizeof *tr);
    ctune_status rc = ctune_params_new(&tr->params);
    if (rc == CTUNE_OK)
        rc = ctune_params_parse(tr->params, r->params);
    if (rc == CTUNE_OK && r->error[0] && !(tr->error = ctune__strdup(r->error)))
        rc = CTUNE_ENOMEM;
    if (rc == CTUNE_OK)
        rc = set_steps(tr, r->steps, r->values, r->n_steps);
    if (rc != CTUNE_OK) {
        trial_clear(tr);
        if (rc != CTUNE_ENOMEM)
            ctune__error_prefix("tuner study: trial %zu", r->number);
        return rc;
    }
    tr->state = r->state;
    tr->value = r->state == CTUNE_TRIAL_COMPLETE ? r->value : NAN;
    t->n++;
    return CTUNE_OK;
}

static ctune_status sync_tell(void *user, size_t seq, size_t number, size_t n_asked)
{
    ctune_tuner *t = user;
    if (seq != t->n_told || number >= t->n || n_asked > t->n || n_asked <= number)
        return ctune_set_error(CTUNE_EFORMAT, "tuner study: tell %zu is malformed", seq);
    t->told[t->n_told++] = number;
    t->last_tell_asked = n_asked;
    return CTUNE_OK;
}

/* Takes the study and applies what other processes asked and told since
 * this tuner last looked (the caller holds the tuner's mutex). */
static ctune_status study_enter(ctune_tuner *t)
{
    if (!t->hook)
        return CTUNE_OK;
    CTUNE_TRY(t->hook->lock(t->hook->self, t->fingerprint));
    size_t from = 0; /* the oldest trial still running here, else the first new one */
    while (from < t->n && t->trials[from].state != CTUNE_TRIAL_RUNNING)
        from++;
    ctune_status rc = t->hook->read_trials(t->hook->self, from, sync_row, t);
    if (rc == CTUNE_OK)
        rc = t->hook->read_tells(t->hook->self, t->n_told, sync_tell, t);
    if (rc == CTUNE_OK)
        t->asks_since_tell = t->n - (t->n_told ? t->last_tell_asked : 0);
    if (rc != CTUNE_OK) {
        char msg[1024];
        memcpy(msg, ctune_last_error(), sizeof msg);
        msg[sizeof msg - 1] = '\0';
        t->hook->unlock(t->hook->self, 0);
        ctune_set_error_str(rc, msg);
    }
    return rc;
}

/* Commits (rc == CTUNE_OK) or rolls back the operation; returns rc, or
 * the failure of the commit. */
static ctune_status study_leave(ctune_tuner *t, ctune_status rc)
{
    if (!t->hook)
        return rc;
    char msg[1024];
    memcpy(msg, ctune_last_error(), sizeof msg);
    msg[sizeof msg - 1] = '\0';
    ctune_status u = t->hook->unlock(t->hook->self, rc == CTUNE_OK);
    if (rc != CTUNE_OK) {
        ctune_set_error_str(rc, msg);
        return rc;
    }
    return u;
}

/* Writes trial k as it is now. */
static ctune_status study_put(ctune_tuner *t, size_t k)
{
    const trial *tr = &t->trials[k];
    long n = ctune_params_to_text(NULL, 0, tr->params);
    if (n < 0)
        return (ctune_status)n;
    char *text = ctune__malloc((size_t)n + 1);
    if (!text)
        return CTUNE_ENOMEM;
    ctune_params_to_text(text, (size_t)n + 1, tr->params);
    ctune__tuner_row r = {k,         text,       tr->state,  tr->value, tr->error ? tr->error : "",
                          tr->steps, tr->values, tr->n_steps};
    ctune_status rc = t->hook->write_trial(t->hook->self, &r);
    ctune__free(text);
    return rc;
}

/* ask_locked, through the study when there is one. */
static ctune_status ask_study(ctune_tuner *t, size_t *trial_no, const ctune_params **params)
{
    CTUNE_TRY(study_enter(t));
    ctune_status rc = ask_locked(t, trial_no, params);
    if (rc == CTUNE_OK && t->hook) {
        rc = study_put(t, *trial_no);
        if (rc != CTUNE_OK) { /* not in the study: not asked */
            trial_clear(&t->trials[--t->n]);
            t->asks_since_tell--;
        }
    }
    return study_leave(t, rc);
}

/* close_locked, through the study when there is one. */
static ctune_status close_study(ctune_tuner *t, size_t k, int state, double value,
                                const char *error, const char *who)
{
    CTUNE_TRY(study_enter(t));
    size_t since = t->asks_since_tell, last = t->last_tell_asked;
    ctune_status rc = close_locked(t, k, state, value, error, who);
    if (rc == CTUNE_OK && t->hook) {
        rc = study_put(t, k);
        if (rc == CTUNE_OK)
            rc = t->hook->write_tell(t->hook->self, t->n_told - 1, k, t->n);
        if (rc != CTUNE_OK) { /* not in the study: not told */
            trial *tr = &t->trials[k];
            tr->state = CTUNE_TRIAL_RUNNING;
            tr->value = NAN;
            ctune__free(tr->error);
            tr->error = NULL;
            t->n_told--;
            t->asks_since_tell = since;
            t->last_tell_asked = last;
        }
    }
    return study_leave(t, rc);
}

static void fp_opt(ctune__sb *b, const char *key, long long v)
{
    ctune__sb_printf(b, " %s=%lld", key, v);
}

/* The tuner's identity in a study: its space and every option that
 * changes its proposals or pruning decisions. */
static ctune_status tuner_fingerprint(const ctune_tuner *t, char **out)
{
    ctune__sb b;
    ctune__sb_init(&b);
    ctune__sb_str(&b, "tuner:");
    fp_opt(&b, "sampler", t->sampler);
    ctune__sb_printf(&b, " seed=%llu", (unsigned long long)t->seed);
    fp_opt(&b, "minimize", t->minimize);
    ctune__sb_str(&b, "\ntpe:");
    fp_opt(&b, "n_startup_trials", (long long)t->tpe.n_startup_trials);
    fp_opt(&b, "n_ei_candidates", (long long)t->tpe.n_ei_candidates);
    ctune__sb_str(&b, " prior_weight=");
    ctune__sb_double(&b, t->tpe.prior_weight, "nan");
    fp_opt(&b, "consider_endpoints", t->tpe.consider_endpoints);
    fp_opt(&b, "consider_magic_clip", t->tpe.consider_magic_clip);
    ctune__sb_str(&b, "\npruner:");
    fp_opt(&b, "kind", (long long)t->pruner.kind);
    fp_opt(&b, "n_startup_trials", (long long)t->pruner.n_startup_trials);
    fp_opt(&b, "n_warmup_steps", (long long)t->pruner.n_warmup_steps);
    fp_opt(&b, "interval_steps", (long long)t->pruner.interval_steps);
    fp_opt(&b, "min_resource", (long long)t->pruner.min_resource);
    fp_opt(&b, "reduction_factor", (long long)t->pruner.reduction_factor);
    fp_opt(&b, "min_early_stopping_rate", (long long)t->pruner.min_early_stopping_rate);
    fp_opt(&b, "bootstrap_count", (long long)t->pruner.bootstrap_count);
    long n = ctune_space_to_text(NULL, 0, t->space);
    char *sp = n >= 0 ? ctune__malloc((size_t)n + 1) : NULL;
    if (sp) {
        ctune_space_to_text(sp, (size_t)n + 1, t->space);
        for (char *c = sp; *c; c++)
            if (*c == '\n' || *c == '\r')
                *c = ';';
        ctune__sb_printf(&b, "\nspace: %s\n", sp);
        ctune__free(sp);
    } else {
        b.failed = 1;
    }
    ctune_status rc = ctune__sb_status(&b);
    if (rc != CTUNE_OK) {
        ctune__sb_free(&b);
        return rc;
    }
    *out = b.s;
    return CTUNE_OK;
}

ctune_status ctune__tuner_set_study_hook(ctune_tuner *t, const ctune__tuner_hook *hook)
{
    CTUNE_CHECK_NULL(t, "tuner");
    lock(t);
    ctune_status rc = CTUNE_OK;
    if (!hook) {
        t->hook = NULL;
    } else if (t->hook) {
        rc = ctune_set_error(CTUNE_ESTATE, "tuner: a study is attached already (detach it "
                                           "with NULL first)");
    } else if (t->n) {
        rc = ctune_set_error(CTUNE_ESTATE,
                             "tuner: attach the study before the first ask (%zu trials asked "
                             "here)",
                             t->n);
    } else {
        ctune__free(t->fingerprint);
        t->fingerprint = NULL;
        rc = tuner_fingerprint(t, &t->fingerprint);
        if (rc == CTUNE_OK) {
            t->hook = hook;
            rc = study_enter(t); /* the study's trials, now (unlocked on failure) */
            if (rc == CTUNE_OK)
                rc = study_leave(t, rc);
            if (rc != CTUNE_OK) {
                t->hook = NULL;
                for (size_t i = 0; i < t->n; i++)
                    trial_clear(&t->trials[i]);
                t->n = t->n_told = t->asks_since_tell = t->last_tell_asked = 0;
            }
        }
    }
    unlock(t);
    return rc;
}

ctune_status ctune_tuner_ask(size_t *trial_no, const ctune_params **params, ctune_tuner *t)
{
    CTUNE_CHECK_NULL(t, "tuner");
    CTUNE_CHECK_NULL(trial_no, "trial");
    CTUNE_CHECK_NULL(params, "params");
    lock(t);
    ctune_status rc = ask_study(t, trial_no, params);
    unlock(t);
    return rc;
}

/* The open trial `k`, or an error naming why not. */
static ctune_status open_trial(ctune_tuner *t, size_t k, const char *who, trial **out)
{
    if (k >= t->n)
        return ctune_set_error(CTUNE_EINVAL, "tuner %s: unknown trial %zu (%zu asked)", who, k,
                               t->n);
    trial *tr = &t->trials[k];
    static const char *const NAMES[] = {"running", "complete", "pruned", "failed"};
    if (tr->state != CTUNE_TRIAL_RUNNING)
        return ctune_set_error(CTUNE_ESTATE, "tuner %s: trial %zu was already told (%s)", who, k,
                               NAMES[tr->state]);
    *out = tr;
    return CTUNE_OK;
}

static ctune_status decide(ctune_tuner *t, const trial *tr, int *prune)
{
    *prune = 0;
    if (t->pruner.kind == CTUNE__PRUNER_NONE)
        return CTUNE_OK;
    ctune__pruner_trial *others = ctune__malloc_array(t->n_told ? t->n_told : 1, sizeof *others);
    if (!others)
        return CTUNE_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < t->n_told; i++) {
        const trial *o = &t->trials[t->told[i]];
        if (o->state != CTUNE_TRIAL_COMPLETE && o->state != CTUNE_TRIAL_PRUNED)
            continue;
        others[n].steps = o->steps;
        others[n].values = o->values;
        others[n].n = o->n_steps;
        others[n].complete = o->state == CTUNE_TRIAL_COMPLETE;
        n++;
    }
    ctune__pruner_trial me = {tr->steps, tr->values, tr->n_steps, 0};
    ctune_status rc = ctune__pruner_decide(&t->pruner, &me, others, n, prune);
    ctune__free(others);
    return rc;
}

static ctune_status report_locked(ctune_tuner *t, size_t k, int64_t step, double value,
                                  int *should_prune)
{
    trial *tr = NULL;
    CTUNE_TRY(open_trial(t, k, "report", &tr));
    if (step < 0 || (tr->n_steps && step <= tr->steps[tr->n_steps - 1]))
        return ctune_set_error(CTUNE_EINVAL, "tuner report: trial %zu: step %lld is %s", k,
                               (long long)step,
                               step < 0 ? "negative" : "not greater than the last reported one");
    if (tr->n_steps == tr->cap_steps) {
        size_t nc = tr->cap_steps ? tr->cap_steps * 2 : 8;
        int64_t *s = realloc_n(tr->steps, nc, sizeof *s);
        if (s)
            tr->steps = s;
        double *v = s ? realloc_n(tr->values, nc, sizeof *v) : NULL;
        if (!v)
            return CTUNE_ENOMEM;
        tr->values = v;
        tr->cap_steps = nc;
    }
    tr->steps[tr->n_steps] = step;
    tr->values[tr->n_steps] = value;
    tr->n_steps++;
    int prune = 0;
    ctune_status rc = decide(t, tr, &prune);
    if (rc != CTUNE_OK) {
        tr->n_steps--;
        return rc;
    }
    if (should_prune)
        *should_prune = prune;
    return CTUNE_OK;
}

ctune_status ctune_tuner_report(int *should_prune, ctune_tuner *t, size_t k, int64_t step,
                                double value)
{
    CTUNE_CHECK_NULL(t, "tuner");
    lock(t);
    ctune_status rc = study_enter(t);
    if (rc == CTUNE_OK) {
        rc = report_locked(t, k, step, value, should_prune);
        if (rc == CTUNE_OK && t->hook) {
            rc = study_put(t, k);
            if (rc != CTUNE_OK)
                t->trials[k].n_steps--; /* not in the study: not reported */
        }
        rc = study_leave(t, rc);
    }
    unlock(t);
    return rc;
}

/* Closes trial k with `state`; error text copied (NULL = none). */
static ctune_status close_locked(ctune_tuner *t, size_t k, int state, double value,
                                 const char *error, const char *who)
{
    trial *tr = NULL;
    CTUNE_TRY(open_trial(t, k, who, &tr));
    if (error && !(tr->error = ctune__strdup(error)))
        return CTUNE_ENOMEM;
    tr->state = state;
    tr->value = state == CTUNE_TRIAL_COMPLETE ? value : NAN;
    t->told[t->n_told++] = k; /* cap grows with the trials */
    t->asks_since_tell = 0;
    t->last_tell_asked = t->n;
    return CTUNE_OK;
}

ctune_status ctune_tuner_tell(ctune_tuner *t, size_t k, double value)
{
    CTUNE_CHECK_NULL(t, "tuner");
    lock(t);
    ctune_status rc;
    if (isnan(value)) {
        rc = close_study(t, k, CTUNE_TRIAL_FAILED, NAN, "the objective value is NaN", "tell");
        if (rc == CTUNE_OK)
            rc = ctune_set_error(CTUNE_EDATA,
                                 "tuner tell: trial %zu: the value is NaN (recorded as failed)", k);
    } else {
        rc = close_study(t, k, CTUNE_TRIAL_COMPLETE, value, NULL, "tell");
    }
    unlock(t);
    return rc;
}

ctune_status ctune_tuner_tell_pruned(ctune_tuner *t, size_t k)
{
    CTUNE_CHECK_NULL(t, "tuner");
    lock(t);
    ctune_status rc = close_study(t, k, CTUNE_TRIAL_PRUNED, NAN, NULL, "tell_pruned");
    unlock(t);
    return rc;
}

ctune_status ctune_tuner_tell_failed(ctune_tuner *t, size_t k, const char *message)
{
    CTUNE_CHECK_NULL(t, "tuner");
    lock(t);
    ctune_status rc = close_study(t, k, CTUNE_TRIAL_FAILED, NAN,
                                  message && message[0] ? message : "failed", "tell_failed");
    unlock(t);
    return rc;
}

size_t ctune_tuner_n_trials(const ctune_tuner *t)
{
    if (!t)
        return 0;
    lock(t);
    size_t n = t->n;
    unlock(t);
    return n;
}

ctune_status ctune_tuner_trial(int *state, double *value, const ctune_params **params,
                               const ctune_tuner *t, size_t k)
{
    CTUNE_CHECK_NULL(t, "tuner");
    lock(t);
    ctune_status rc = CTUNE_OK;
    if (k >= t->n) {
        rc = ctune_set_error(CTUNE_EINVAL, "tuner: unknown trial %zu (%zu asked)", k, t->n);
    } else {
        const trial *tr = &t->trials[k];
        if (state)
            *state = tr->state;
        if (value)
            *value = tr->value;
        if (params)
            *params = tr->params;
    }
    unlock(t);
    return rc;
}

/* Whether value a beats b in the tuner's direction. */
static int better(const ctune_tuner *t, double a, double b) { return t->minimize ? a < b : a > b; }

/* The best complete trial, first told on ties; -1 for none. */
static long best_locked(const ctune_tuner *t)
{
    long best = -1;
    for (size_t i = 0; i < t->n_told; i++) {
        const trial *tr = &t->trials[t->told[i]];
        if (tr->state == CTUNE_TRIAL_COMPLETE &&
            (best < 0 || better(t, tr->value, t->trials[best].value)))
            best = (long)t->told[i];
    }
    return best;
}

ctune_status ctune_tuner_best(size_t *k, double *value, const ctune_tuner *t)
{
    CTUNE_CHECK_NULL(t, "tuner");
    CTUNE_CHECK_NULL(k, "trial");
    lock(t);
    long b = best_locked(t);
    ctune_status rc = CTUNE_OK;
    if (b < 0) {
        rc = ctune_set_error(CTUNE_ESTATE, "tuner: no trial is complete yet (%zu asked)", t->n);
    } else {
        *k = (size_t)b;
        if (value)
            *value = t->trials[b].value;
    }
    unlock(t);
    return rc;
}

/* ---- the trials table -------------------------------------------------- */

/* rank_test_score: "min" ranking in the tuner's direction, NaN last. */
static void fill_rank(const ctune_tuner *t, const double *v, double *rank)
{
    size_t n_finite = 0;
    for (size_t i = 0; i < t->n; i++)
        n_finite += !isnan(v[i]);
    for (size_t i = 0; i < t->n; i++) {
        if (isnan(v[i])) {
            rank[i] = (double)(n_finite + 1);
            continue;
        }
        size_t ahead = 0;
        for (size_t j = 0; j < t->n; j++)
            ahead += !isnan(v[j]) && better(t, v[j], v[i]);
        rank[i] = (double)(ahead + 1);
    }
}

static ctune_status row_error(const trial *tr, char **out)
{
    char buf[96];
    const char *text = NULL;
    if (tr->state == CTUNE_TRIAL_FAILED) {
        text = tr->error;
    } else if (tr->state == CTUNE_TRIAL_RUNNING) {
        text = "running";
    } else if (tr->state == CTUNE_TRIAL_PRUNED) {
        if (tr->n_steps)
            snprintf(buf, sizeof buf, "pruned at step %lld", (long long)tr->steps[tr->n_steps - 1]);
        else
            snprintf(buf, sizeof buf, "pruned");
        text = buf;
    }
    *out = NULL;
    if (text && !(*out = ctune__strdup(text)))
        return CTUNE_ENOMEM;
    return CTUNE_OK;
}

/* Builds the table in the searches' schema (one "split", one scorer). */
static ctune_status build_table(const ctune_tuner *t, ctune_params **params, ctune__results **out)
{
    ctune__results *r = ctune__calloc(1, sizeof *r);
    if (!r)
        return CTUNE_ENOMEM;
    ctune__strlist_init(&r->suffixes);
    size_t nc = t->n, cap = 0;
    r->n_cands = nc;
    r->n_splits = 1;
    r->n_scorers = 1;
    r->params = params;
    for (size_t i = 0; i < nc; i++)
        params[i] = t->trials[i].params;
    ctune_status rc = CTUNE_ENOMEM;
    r->errors = ctune__calloc(nc ? nc : 1, sizeof *r->errors);
    r->mean_test = ctune__calloc(1, sizeof *r->mean_test);
    r->rank_test = ctune__calloc(1, sizeof *r->rank_test);
    if (r->errors && r->mean_test && r->rank_test)
        rc = ctune__strlist_push(&r->suffixes, "score");
    char name[256];
    for (size_t j = 0; j < t->space->n && rc == CTUNE_OK; j++) {
        snprintf(name, sizeof name, "param_%s", t->space->e[j].name);
        if (!ctune__results_add_col(r, &cap, CTUNE__COL_PARAM, name))
            rc = CTUNE_ENOMEM;
    }
    /* the required score columns of docs/results-schema.md, one "split" */
    ctune__col *split = NULL, *mean = NULL, *std = NULL, *rank = NULL;
    if (rc == CTUNE_OK && (!ctune__results_add_col(r, &cap, CTUNE__COL_PARAMS, "params") ||
                           !ctune__results_add_col(r, &cap, CTUNE__COL_NUM, "split0_test_score") ||
                           !ctune__results_add_col(r, &cap, CTUNE__COL_NUM, "mean_test_score") ||
                           !ctune__results_add_col(r, &cap, CTUNE__COL_NUM, "std_test_score") ||
                           !ctune__results_add_col(r, &cap, CTUNE__COL_RANK, "rank_test_score") ||
                           !ctune__results_add_col(r, &cap, CTUNE__COL_ERROR, "error") ||
                           !ctune__results_add_col(r, &cap, CTUNE__COL_STATE, "state")))
        rc = CTUNE_ENOMEM;
    if (rc == CTUNE_OK) {
        split = &r->cols[r->n_cols - 6];
        mean = &r->cols[r->n_cols - 5];
        std = &r->cols[r->n_cols - 4];
        rank = &r->cols[r->n_cols - 3];
        double *state = r->cols[r->n_cols - 1].v;
        for (size_t i = 0; i < nc && rc == CTUNE_OK; i++) {
            const trial *tr = &t->trials[i];
            /* a pruned trial scores its last reported value, as a pruned
             * search's rows and Optuna's pruned trials do (state tells them
             * from complete ones) */
            double v = tr->state == CTUNE_TRIAL_PRUNED && tr->n_steps ? tr->values[tr->n_steps - 1]
                                                                      : tr->value;
            state[i] = tr->state;
            split->v[i] = mean->v[i] = v;
            std->v[i] = isnan(v) ? NAN : 0.0;
            r->n_run += t->trials[i].state != CTUNE_TRIAL_RUNNING;
            r->n_failed += t->trials[i].state == CTUNE_TRIAL_FAILED;
            rc = row_error(&t->trials[i], &r->errors[i]);
        }
        fill_rank(t, mean->v, rank->v);
        r->mean_test[0] = mean->v;
        r->rank_test[0] = rank->v;
    }
    if (rc != CTUNE_OK) {
        ctune__results_free(r);
        return rc;
    }
    *out = r;
    return CTUNE_OK;
}

static ctune_status export(const void *owner, int json, ctune__sb *b)
{
    const ctune_tuner *t = owner;
    CTUNE_CHECK_NULL(t, "tuner");
    lock(t);
    ctune_params **params = ctune__malloc_array(t->n ? t->n : 1, sizeof *params);
    ctune__results *r = NULL;
    ctune_status rc = params ? build_table(t, params, &r) : CTUNE_ENOMEM;
    if (rc == CTUNE_OK) {
        ctune__sb_init(b);
        if (json) {
            long best = best_locked(t);
            int running = 0;
            for (size_t i = 0; i < t->n; i++)
                running |= t->trials[i].state == CTUNE_TRIAL_RUNNING;
            ctune__results_meta m = {best, best >= 0 ? t->trials[best].value : NAN, NULL,
                                     running ? "partial" : "complete", t->stopped_by};
            ctune__results_json(r, &m, b);
        } else {
            ctune__results_csv(r, b);
        }
        rc = ctune__sb_status(b);
        if (rc != CTUNE_OK)
            ctune__sb_free(b);
    }
    unlock(t);
    ctune__results_free(r);
    ctune__free(params);
    return rc;
}

ctune_status ctune_tuner_results_csv(const ctune_tuner *t, const char *path)
{
    return ctune__results_export_file(export, t, 0, path);
}

ctune_status ctune_tuner_results_json(const ctune_tuner *t, const char *path)
{
    return ctune__results_export_file(export, t, 1, path);
}

long ctune_tuner_results_csv_buf(char *buf, size_t cap, const ctune_tuner *t)
{
    return ctune__results_export_buf(export, t, 0, buf, cap, "tuner results export");
}

long ctune_tuner_results_json_buf(char *buf, size_t cap, const ctune_tuner *t)
{
    return ctune__results_export_buf(export, t, 1, buf, cap, "tuner results export");
}

/* ---- optimize ----------------------------------------------------------- */

struct ctune_trial_ctx {
    ctune_tuner *tuner;
    size_t trial;
    int prune;        /* the pruner's last answer */
    atomic_int *stop; /* the run is stopping */
};

typedef struct run {
    ctune_tuner *t;
    ctune_objective_fn objective;
    void *user;
    double t0, timeout; /* timeout 0: none */
    atomic_int stop;
    atomic_int grid_out;   /* a task found the grid exhausted */
    atomic_int ask_failed; /* another failure of ask (out of memory) */
    int timed_out;
} run;

ctune_status ctune_trial_report(ctune_trial_ctx *ctx, int64_t step, double value)
{
    CTUNE_CHECK_NULL(ctx, "trial context");
    int prune = 0;
    CTUNE_TRY(ctune_tuner_report(&prune, ctx->tuner, ctx->trial, step, value));
    ctx->prune = prune;
    return CTUNE_OK;
}

int ctune_trial_should_prune(const ctune_trial_ctx *ctx)
{
    if (!ctx)
        return 0;
    return ctx->prune || atomic_load(ctx->stop) != 0;
}

size_t ctune_trial_number(const ctune_trial_ctx *ctx) { return ctx ? ctx->trial : 0; }

static void run_trial(void *vctx, size_t i, void *record, int threads, ctune__scratch *scratch)
{
    (void)i;
    (void)record;
    (void)threads;
    (void)scratch; /* the objective is the caller's code */
    run *ru = vctx;
    ctune_tuner *t = ru->t;
    size_t k = 0;
    const ctune_params *params = NULL;
    lock(t);
    ctune_status rc = ask_study(t, &k, &params);
    unlock(t);
    if (rc != CTUNE_OK) {
        atomic_store(rc == CTUNE_ESTATE ? &ru->grid_out : &ru->ask_failed, rc);
        atomic_store(&ru->stop, 1);
        return;
    }
    ctune_trial_ctx ctx = {t, k, 0, &ru->stop};
    double value = NAN;
    ctune_clear_error();
    rc = ru->objective(params, &ctx, &value, ru->user);
    if (ctx.prune) {
        ctune_tuner_tell_pruned(t, k);
    } else if (rc != CTUNE_OK) {
        char msg[1024];
        const char *why = ctune_last_error_code() == rc && ctune_last_error()[0]
                              ? ctune_last_error()
                              : ctune_status_string(rc);
        snprintf(msg, sizeof msg, "objective failed: %s", why);
        ctune_tuner_tell_failed(t, k, msg);
    } else {
        ctune_tuner_tell(t, k, value); /* NaN: recorded as failed */
    }
}

static int trial_done(void *vctx, size_t i, const void *record)
{
    (void)i;
    (void)record;
    run *ru = vctx;
    if (ru->timeout > 0 && ctune__now() - ru->t0 >= ru->timeout) {
        ru->timed_out = 1;
        return 1;
    }
    return 0;
}

static ctune_status optimize_opts(ctune_tuner *t, const char *options, size_t *n_trials,
                                  double *timeout, long *n_jobs)
{
    static const ctune_param_spec SPEC[] = {
        {"n_trials", CTUNE_TYPE_INT, NULL, "[1, inf)", NULL, "trials to run"},
        {"timeout", CTUNE_TYPE_DOUBLE, NULL, NULL, NULL,
         "wall seconds after which no trial starts"},
        {"n_jobs", CTUNE_TYPE_INT, "1", NULL, NULL, "workers (joblib semantics)"},
        {NULL, 0, NULL, NULL, NULL, NULL},
    };
    ctune_params *o = NULL;
    CTUNE_TRY(ctune_params_parse_spec(&o, options ? options : "", SPEC, "optimize"));
    ctune_status rc = CTUNE_OK;
    int64_t n = 0, jobs = 1;
    *timeout = 0;
    if (ctune_params_find(o, "timeout") >= 0) {
        ctune_params_get_double(timeout, o, "timeout");
        if (!(*timeout > 0) || !isfinite(*timeout))
            rc = ctune_set_error(CTUNE_EINVAL,
                                 "optimize: timeout must be a finite number of seconds > 0");
    }
    if (rc == CTUNE_OK && ctune_params_find(o, "n_jobs") >= 0) {
        ctune_params_get_int(&jobs, o, "n_jobs");
        if (jobs == 0 || jobs > 4096 || jobs < -4096)
            rc = ctune_set_error(CTUNE_EINVAL,
                                 "optimize: n_jobs must be non-zero and at most "
                                 "4096 in size, got %lld",
                                 (long long)jobs);
    }
    if (rc == CTUNE_OK && ctune_params_find(o, "n_trials") >= 0) {
        ctune_params_get_int(&n, o, "n_trials");
    } else if (rc == CTUNE_OK && t->sampler == SAMPLER_GRID) {
        lock(t);
        uint64_t left = t->grid_size > t->n ? t->grid_size - t->n : 0;
        unlock(t);
        if (left == 0)
            rc = ctune_set_error(CTUNE_ESTATE, "optimize: the grid has no point left");
        n = left > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)left;
    } else if (rc == CTUNE_OK) {
        rc = ctune_set_error(CTUNE_EINVAL, "optimize: give n_trials (only a grid has a default)");
    }
    ctune_params_free(o);
    if (rc == CTUNE_OK && (uint64_t)n > SIZE_MAX / 2)
        rc = ctune_set_error(CTUNE_EINVAL, "optimize: n_trials %lld is too large", (long long)n);
    *n_trials = (size_t)n;
    *n_jobs = (long)jobs;
    return rc;
}

ctune_status ctune_tuner_optimize(ctune_tuner *t, ctune_objective_fn objective, void *user,
                                  const char *options)
{
    CTUNE_CHECK_NULL(t, "tuner");
    CTUNE_CHECK_NULL(objective, "objective");
    size_t n_trials = 0;
    double timeout = 0;
    long n_jobs = 1;
    CTUNE_TRY(optimize_opts(t, options, &n_trials, &timeout, &n_jobs));
    /* no records: each task tells its own trial (and a budget of many
     * trials with a timeout allocates nothing per trial) */
    run ru;
    memset(&ru, 0, sizeof ru);
    ru.t = t;
    ru.objective = objective;
    ru.user = user;
    ru.timeout = timeout;
    atomic_init(&ru.stop, 0);
    atomic_init(&ru.grid_out, 0);
    atomic_init(&ru.ask_failed, 0);
    char one = 0;
    ctune_job job = {
        .n_tasks = n_trials,
        .result_size = 0,
        .results = &one,
        .task = run_trial,
        .done = trial_done,
        .ctx = &ru,
        .stop = &ru.stop,
        .n_jobs = n_jobs,
    };
    const ctune_executor_vtable *ex = ctune__executor_for_jobs(n_jobs);
    ru.t0 = ctune__now();
    ctune_status rc = ex->run(NULL, &job);
    if (rc != CTUNE_OK)
        return rc;
    int failed = atomic_load(&ru.ask_failed);
    if (failed)
        return ctune_set_error(failed, "optimize: a trial could not be proposed (%s)",
                               ctune_status_string(failed));
    lock(t);
    t->stopped_by = ru.timed_out ? "timeout" : atomic_load(&ru.grid_out) ? "grid" : "n_trials";
    unlock(t);
    return CTUNE_OK;
}

const char *ctune_tuner_stopped_by(const ctune_tuner *t)
{
    if (!t)
        return NULL;
    lock(t);
    const char *s = t->stopped_by;
    unlock(t);
    return s;
}
