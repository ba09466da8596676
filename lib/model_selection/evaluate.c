/* The evaluation engine: one task per (candidate, split), run by an
 * executor, each writing a fixed-size record. */
#include "model_selection/evaluate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/data.h"
#include "core/error.h"
#include "core/ncores.h"
#include "core/rng.h"
#include "estimator/estimator.h"
#include "model_selection/splitter.h"
#include "model_selection/study_hook.h"

static ctune__task_rec *rec_at(const ctune__eval *ev, size_t t)
{
    return (ctune__task_rec *)(ev->records + t * ev->rec_size);
}

const ctune__task_rec *ctune__eval_rec(const ctune__eval *ev, size_t cand, size_t split)
{
    return rec_at(ev, cand * ev->n_splits + split);
}

int ctune__eval_has_records(const ctune__eval *ev) { return ev->records != NULL; }

void ctune__eval_clear(ctune__eval *ev)
{
    if (ev->train)
        for (size_t f = 0; f < ev->n_splits; f++)
            ctune_data_free(ev->train[f]);
    if (ev->test)
        for (size_t f = 0; f < ev->n_splits; f++)
            ctune_data_free(ev->test[f]);
    ctune__free(ev->train);
    ctune__free(ev->test);
    ctune_data_free(ev->all);
    ev->all = NULL;
    ctune_splits_free(ev->splits);
    ctune__free(ev->records);
    ctune__free(ev->preloaded);
    ev->preloaded = NULL;
    ctune__free(ev->settled);
    ev->settled = NULL;
    ev->train = ev->test = NULL;
    ev->splits = NULL;
    ev->records = NULL;
    ev->n_splits = 0;
}

static int is_fatal(ctune_status st) { return st == CTUNE_ENOMEM || st == CTUNE_EINTERNAL; }

static void record_error(ctune__task_rec *rec, ctune_status st, const char *what)
{
    rec->status = st;
    const char *msg = ctune_last_error();
    if (!msg[0])
        msg = ctune_status_string(st);
    snprintf(rec->error, sizeof rec->error, "%s%s", what, msg);
}

/* The study key of task (c, f) of this run. */
static ctune__study_key study_key(const ctune__eval *ev, size_t c, size_t f)
{
    ctune__study_key k = {ev->cand_ids ? ev->cand_ids[c] : ev->cand_offset + c, ev->study_rung, f,
                          ev->study_resources, ev->study_bracket};
    return k;
}

/* Settles task t when it needs no fit here (committed in an earlier run, closed out
 * by the timeout or claimed on the study); returns 1 when it did. */
static int task_settled(ctune__eval *ev, size_t t, void *vrec)
{
    ctune__task_rec *rec = vrec;
    size_t c = t / ev->n_splits, f = t % ev->n_splits;
    size_t ns = ev->n_scorers;
    if (ev->preloaded && ev->preloaded[t]) {
        /* finished in an earlier run: its committed record */
        const void *src = rec_at(ev, t);
        if (src != vrec)
            memcpy(vrec, src, ev->rec_size);
        return 1;
    }
    if (ev->deadline > 0) {
        /* mark the candidate started, then see whether the timeout has
         * closed it out (in this order: a cutoff set after our mark covers
         * us, or refuses us and the candidate is dropped as unfinished) */
        size_t cur = atomic_load(&ev->started);
        while (cur < c + 1 && !atomic_compare_exchange_weak(&ev->started, &cur, c + 1))
            ;
        if (c >= atomic_load(&ev->cutoff)) {
            rec->status = CTUNE__NOT_RUN;
            return 1;
        }
    }
    if (ev->hook && ev->hook->claim) {
        /* another process on the same study may have it */
        int outcome = CTUNE__CLAIMED;
        ctune__study_key key = study_key(ev, c, f);
        ctune_status crc = ev->hook->claim(ev->hook->self, &key, rec, ns, &outcome);
        if (crc != CTUNE_OK) {
            /* the study failed, not the task: stop the run with its error */
            int none = 0;
            if (atomic_compare_exchange_strong(&ev->claim_err, &none, (int)crc))
                snprintf(ev->claim_msg, sizeof ev->claim_msg, "%s", ctune_last_error());
            atomic_store(&ev->stop, 1);
            rec->status = CTUNE__NOT_RUN;
            return 1;
        }
        if (outcome == CTUNE__CLAIM_DONE) {
            ev->preloaded[t] = 1; /* this task's byte only: no other thread writes it */
            return 1;
        }
        if (outcome == CTUNE__CLAIM_BUSY) {
            rec->status = CTUNE__NOT_RUN;
            return 1;
        }
    }
    return 0;
}

/* Scores the fitted estimator e of split f into rec (test, then train scores). */
static void score_task(const ctune__eval *ev, size_t f, ctune_estimator *e, ctune__task_rec *rec)
{
    size_t ns = ev->n_scorers;
    ctune_status rc;
    /* a failing scorer gives error_score for its own score only (as
     * scikit-learn), unless error_score=raise or the failure is fatal */
    const ctune__eval_opts *o = ev->opts;
    for (size_t k = 0; k < 2 * ns; k++) {
        if (k >= ns && !o->return_train)
            break;
        const char *name = o->scoring.n ? o->scoring.items[k % ns] : NULL;
        const ctune_data *d = k < ns ? ev->test[f] : ev->train[f];
        rc = ctune__eval_opts_score(o, name, e, d, &rec->scores[k]);
        if (rc == CTUNE_OK)
            continue;
        char what[160];
        snprintf(what, sizeof what, "scoring %s (%s): ", k < ns ? "test" : "train",
                 name ? name : "default score");
        if (o->error_raise || is_fatal(rc)) {
            record_error(rec, rc, what);
            break;
        }
        if (!rec->error[0])
            record_error(rec, CTUNE_OK, what);
        rec->score_failures++;
        rec->scores[k] = o->error_value;
    }
}

static void run_task(void *vctx, size_t t, void *vrec, int threads, ctune__scratch *scratch)
{
    ctune__eval *ev = vctx;
    ctune__task_rec *rec = vrec;
    size_t c = t / ev->n_splits, f = t % ev->n_splits;
    if (task_settled(ev, t, vrec))
        return;
    ctune_clear_error();
    rec->status = CTUNE_OK;
    rec->score_failures = 0;
    rec->fit_time = rec->score_time = 0;
    rec->error[0] = '\0';
    size_t id = ev->cand_ids ? ev->cand_ids[c] : ev->cand_offset + c;
    ctune_estimator **slot = ev->cache && f < ev->cache_splits
                                 ? &ev->cache[id * ev->cache_splits + f]
                                 : NULL;
    ctune_estimator *e = slot ? *slot : NULL;
    ctune_status rc = CTUNE_OK;
    if (slot)
        *slot = NULL;
    if (!e) /* else a warm start from the earlier round's fit */
        rc = ctune_estimator_clone(&e, ev->est);
    int warm = slot && e && ctune_estimator_is_fitted(e);
    if (rc == CTUNE_OK && ev->cands[c] && !warm) {
        rc = ctune_estimator_set_params(e, ev->cands[c]);
        if (rc != CTUNE_OK) {
            record_error(rec, rc, "");
            ctune_estimator_free(e);
            return;
        }
    }
    if (rc != CTUNE_OK) {
        record_error(rec, rc, "");
        return;
    }
    ctune_fit_ctx ctx;
    ctune__fit_ctx_init(&ctx);
    ctx.threads = threads;
    ctx.has_stream = 1;
    ctx.stream = ctune_seed_derive(ctune_seed_derive(ev->seed, id), f);
    ctx.cancel = &ev->stop;
    ctx.interrupt = ev->interrupt;
    ctx.scratch = scratch;
    double t1 = ctune__now();
    rc = warm ? ctune__estimator_fit_warm_ctx(e, ev->train[f], ev->cands[c], &ctx, NULL)
              : ctune__estimator_fit_ctx(e, ev->train[f], &ctx);
    double t2 = ctune__now();
    rec->fit_time = t2 - t1;
    if (rc != CTUNE_OK) {
        record_error(rec, rc, "");
        ctune_estimator_free(e);
        return;
    }
    score_task(ev, f, e, rec);
    rec->score_time = ctune__now() - t2;
    if (slot && rec->status == CTUNE_OK)
        *slot = e; /* the next round continues it */
    else
        ctune_estimator_free(e);
}

#ifdef CTUNE_TEST_HOOKS
atomic_size_t ctune__test_deadline_after;
#endif

/* The deadline of a search's timeout has passed. */
static int past_deadline(const ctune__eval *ev)
{
    if (!(ev->deadline > 0))
        return 0;
#ifdef CTUNE_TEST_HOOKS
    size_t after = atomic_load(&ctune__test_deadline_after);
    if (after)
        return ev->n_done >= after;
#endif
    return ctune__now() >= ev->deadline;
}

static int interrupt_asked(const ctune__eval *ev)
{
    return ev->interrupt && atomic_load(ev->interrupt);
}

/* The timeout, at each done call (on the process that calls done, so a
 * distributed executor hands the same outcome to every rank): once past the
 * deadline, the candidates started so far become the cutoff; the run stops
 * (non-zero) once every task below it is done. `settled`: task t is done
 * here (not left to another process). */
static int timeout_stop(ctune__eval *ev, size_t t, int settled)
{
    if (!(ev->deadline > 0) || !ev->settled)
        return 0;
    size_t ns = ev->n_splits;
    if (settled && !ev->settled[t]) {
        ev->settled[t] = 1;
        if (ev->timed_out && t / ns < atomic_load(&ev->cutoff))
            ev->settled_below++;
    }
    if (!ev->timed_out && past_deadline(ev)) {
        ev->timed_out = 1;
        size_t cut = atomic_load(&ev->started);
        atomic_store(&ev->cutoff, cut);
        ev->settled_below = 0;
        for (size_t u = 0; u < cut * ns; u++)
            ev->settled_below += ev->settled[u];
    }
    return ev->timed_out && ev->settled_below >= atomic_load(&ev->cutoff) * ns;
}

static int task_done(void *vctx, size_t t, const void *vrec)
{
    ctune__eval *ev = vctx;
    const ctune__task_rec *rec = vrec;
    if (atomic_load(&ev->claim_err))
        return 1; /* the study failed: nothing more is committed */
    /* not run: refused by the timeout, or another process runs it (waited
     * for after the run) */
    if (rec->status == CTUNE__NOT_RUN)
        return timeout_stop(ev, t, 0);
    int interrupted = interrupt_asked(ev);
    if (interrupted)
        ev->interrupted = 1; /* start no more tasks */
    if (rec->status == CTUNE_ECANCELLED && (atomic_load(&ev->stop) || interrupted))
        return interrupted; /* stopped in flight: not a finished task */
    ev->n_done++;
    if (rec->status != CTUNE_OK && (ev->opts->error_raise || is_fatal(rec->status))) {
        ev->stopped_on_error = 1;
        return 1;
    }
    if (ev->hook && !(ev->preloaded && ev->preloaded[t]) && !is_fatal(rec->status)) {
        char *params = NULL;
        size_t c = t / ev->n_splits, f = t % ev->n_splits;
        ctune_status rc = CTUNE_OK;
        if (ev->cands[c]) {
            long n = ctune_params_to_text(NULL, 0, ev->cands[c]);
            rc = n < 0 ? (ctune_status)n : CTUNE_OK;
            if (rc == CTUNE_OK && !(params = ctune__malloc((size_t)n + 1)))
                rc = CTUNE_ENOMEM;
            if (rc == CTUNE_OK)
                ctune_params_to_text(params, (size_t)n + 1, ev->cands[c]);
        }
        ctune__study_key key = study_key(ev, c, f);
        if (rc == CTUNE_OK)
            rc = ev->hook->commit(ev->hook->self, &key, params ? params : "", rec, ev->n_scorers);
        ctune__free(params);
        if (rc != CTUNE_OK) {
            if (ctune_last_error_code() != rc || !ctune_last_error()[0])
                ctune_set_error(rc, "study: committing candidate %zu, split %zu failed", c, f);
            ev->hook_status = rc;
            ev->stopped_on_error = 1;
            return 1;
        }
    }
    if (interrupted)
        return 1;
    if (ev->progress && !ev->user_cancelled && !ev->stopped_on_error) {
        /* no callback after a stop was asked (tasks in flight may finish) */
        size_t c = t / ev->n_splits, f = t % ev->n_splits;
        double score = rec->status == CTUNE_OK ? rec->scores[ev->progress_scorer]
                                               : ev->opts->error_value;
        size_t total = (ev->n_cands_total ? ev->n_cands_total : ev->n_cands) * ev->n_splits;
        if (ev->progress(ev->cand_offset + c, f, score, ctune__now() - ev->t0,
                         ev->tasks_before + ev->n_done, total, ev->user)) {
            ev->user_cancelled = 1;
            return 1;
        }
    }
    return timeout_stop(ev, t, 1);
}

static void get_outcome(void *vctx, size_t *n_done, int *flags)
{
    const ctune__eval *ev = vctx;
    *n_done = ev->n_done;
    *flags = (ev->user_cancelled || ev->interrupted ? CTUNE_JOB_CANCELLED : 0) |
             (ev->stopped_on_error ? CTUNE_JOB_FAILED : 0) |
             (ev->timed_out ? CTUNE_JOB_TIMEOUT : 0);
}

static void set_outcome(void *vctx, size_t n_done, int flags)
{
    ctune__eval *ev = vctx;
    ev->n_done = n_done;
    ev->user_cancelled = (flags & CTUNE_JOB_CANCELLED) != 0;
    ev->stopped_on_error = (flags & CTUNE_JOB_FAILED) != 0;
    ev->timed_out = (flags & CTUNE_JOB_TIMEOUT) != 0;
}

/* A view of `n` of the `rows` of data: all of them, or with ev->fraction a
 * seeded random subset of floor(fraction * n) rows (at least 1), kept in
 * their order (scikit-learn's _SubsampleMetaSplitter, which halving on
 * n_samples uses for train and test rows alike). */
static ctune_status sub_view(ctune__eval *ev, ctune_data **out, const size_t *rows, size_t n,
                             uint64_t stream)
{
    if (!(ev->fraction > 0 && ev->fraction < 1))
        return ctune_data_subset(out, ev->data, rows, n);
    size_t keep = (size_t)(ev->fraction * (double)n);
    if (keep == 0)
        keep = 1;
    size_t *idx = CTUNE_NEW_ARRAY(size_t, n ? n : 1);
    if (!idx)
        return CTUNE_ENOMEM;
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    ctune_rng rng;
    ctune__rng_init(&rng, ev->sub_seed, stream);
    ctune__rng_shuffle_size(&rng, idx, n);
    /* the first `keep` positions, back in row order */
    for (size_t i = 1; i < keep; i++)
        for (size_t j = i; j > 0 && idx[j - 1] > idx[j]; j--) {
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    for (size_t i = 0; i < keep; i++)
        idx[i] = rows[idx[i]];
    ctune_status rc = ctune_data_subset(out, ev->data, idx, keep);
    ctune__free(idx);
    return rc;
}

/* The one check of X and y of a public call: a view of all rows of
 * `data`, trusted (the fits on it skip the check), carrying the column
 * maxima the check found (they tell the affine views made of its rows, a
 * StandardScaler in a Pipeline, that their values are in range without
 * another pass) and, when `est` is a classifier, the class table of its
 * labels (found once: the splitter's stratification and every fit take
 * the classes and codes from it; core/data.h, class tables). */
static ctune_status checked_view(ctune_data **out, const ctune_data *data,
                                 const ctune_estimator *est)
{
    *out = NULL;
    ctune__col_absmax *absmax = NULL;
    CTUNE_TRY(ctune__data_validate_absmax(data, &absmax));
    ctune__class_table *classes = NULL;
    ctune_status rc = CTUNE_OK;
    if (ctune_estimator_kind(est) == CTUNE_CLASSIFIER)
        rc = ctune__class_table_new(&classes, data);
    ctune_data *v = NULL;
    if (rc == CTUNE_OK)
        rc = ctune__data_with_y(&v, data, (double *)data->y_local, data->t_local, 0);
    if (rc == CTUNE_OK) {
        ctune__data_trust(v);
        ctune__data_set_absmax(v, absmax);
        ctune__data_set_class_table(v, classes);
        *out = v;
    }
    ctune__col_absmax_release(absmax);
    ctune__class_table_release(classes);
    return rc;
}

/* The train and test views of each split, trusted (ev->data was validated
 * in this call), with what ev->all carries: the classifier's class table
 * (training views) and the column maxima that validation found; and, for
 * the training rows, a slot for their column moments. */
static ctune_status make_views(ctune__eval *ev)
{
    ev->train = ctune__calloc(ev->n_splits, sizeof *ev->train);
    ev->test = ctune__calloc(ev->n_splits, sizeof *ev->test);
    if (!ev->train || !ev->test)
        return CTUNE_ENOMEM;
    ctune__class_table *classes = ev->all->class_table;
    ctune__col_absmax *absmax = ev->all->absmax;
    ctune_status rc = CTUNE_OK;
    for (size_t f = 0; f < ev->n_splits && rc == CTUNE_OK; f++) {
        const ctune_splits *s = ev->splits;
        rc = sub_view(ev, &ev->train[f], ctune__splits_train(s, f), s->n_train[f], 2 * f);
        if (rc == CTUNE_OK)
            rc = sub_view(ev, &ev->test[f], ctune__splits_test(s, f), s->n_test[f], 2 * f + 1);
        if (rc != CTUNE_OK)
            break;
        /* ctune__eval_run validated ev->data in this call: the tasks'
         * fits and scores skip the check on these views */
        ctune__data_trust(ev->train[f]);
        ctune__data_trust(ev->test[f]);
        ctune__data_set_class_table(ev->train[f], classes);
        ctune__data_set_absmax(ev->train[f], absmax);
        ctune__data_set_absmax(ev->test[f], absmax);
        /* the column moments of a split's training rows (a StandardScaler's
         * fit), found by the first of its candidates' fits */
        rc = ctune__data_share_moments(ev->train[f]);
    }
    return rc;
}

/* After the executor: tasks that other processes on the study held are
 * waited for (polled) until they are committed, or taken over when their
 * owner died; they then run here, on the calling thread. */
static void wait_for_others(ctune__eval *ev, size_t n_tasks)
{
    for (;;) {
        size_t pending = 0;
        for (size_t t = 0; t < n_tasks; t++) {
            if (ev->stopped_on_error || ev->user_cancelled || ev->interrupted || ev->timed_out ||
                interrupt_asked(ev) || atomic_load(&ev->claim_err))
                return;
            if (past_deadline(ev)) {
                ev->timed_out = 1; /* the tasks others hold are left to them */
                return;
            }
            ctune__task_rec *r = rec_at(ev, t);
            if (r->status != CTUNE__NOT_RUN)
                continue;
            run_task(ev, t, r, ctune__n_cores(), NULL);
            if (r->status == CTUNE__NOT_RUN)
                pending++;
            else if (task_done(ev, t, r))
                atomic_store(&ev->stop, 1);
        }
        if (!pending || atomic_load(&ev->stop))
            return;
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* Allocates the task records (and the settled flags under a timeout), all not run. */
static ctune_status alloc_records(ctune__eval *ev, size_t n_tasks)
{
    size_t rs = sizeof(ctune__task_rec) + 2 * ev->n_scorers * sizeof(double);
    rs = (rs + 7) / 8 * 8;
    ev->rec_size = rs;
    ev->records = ctune__calloc(n_tasks, rs);
    if (!ev->records)
        return CTUNE_ENOMEM;
    if (ev->deadline > 0 && !(ev->settled = ctune__calloc(n_tasks, 1)))
        return CTUNE_ENOMEM;
    for (size_t t = 0; t < n_tasks; t++) {
        ctune__task_rec *r = rec_at(ev, t);
        r->status = CTUNE__NOT_RUN;
        r->fit_time = r->score_time = NAN;
        for (size_t k = 0; k < 2 * ev->n_scorers; k++)
            r->scores[k] = NAN;
    }
    return CTUNE_OK;
}

/* Opens the run on the study and marks the tasks it already holds as preloaded. */
static ctune_status study_preload(ctune__eval *ev, size_t n_tasks)
{
    ctune_status rc;
    ctune__study_begin b = {ev->fingerprint,
                            ev->study_cands ? ev->study_cands : ev->n_cands,
                            ev->n_splits,
                            ev->n_scorers,
                            0,
                            ev->study_exclusive};
    size_t rows = ev->study_rows ? ev->study_rows : b.n_cands;
    b.n_tasks = rows <= SIZE_MAX / ev->n_splits ? rows * ev->n_splits : SIZE_MAX;
    rc = ev->hook->begin(ev->hook->self, &b);
    if (rc == CTUNE_OK && !(ev->preloaded = ctune__calloc(n_tasks, 1)))
        rc = CTUNE_ENOMEM;
    ctune__study_key *keys = rc == CTUNE_OK ? CTUNE_NEW_ARRAY(ctune__study_key, n_tasks) : NULL;
    if (rc == CTUNE_OK && !keys)
        rc = CTUNE_ENOMEM;
    for (size_t t = 0; rc == CTUNE_OK && t < n_tasks; t++)
        keys[t] = study_key(ev, t / ev->n_splits, t % ev->n_splits);
    if (rc == CTUNE_OK)
        rc = ev->hook->lookup(ev->hook->self, keys, n_tasks, ev->records, ev->rec_size,
                              ev->n_scorers, ev->preloaded);
    ctune__free(keys);
    if (rc != CTUNE_OK && ev->preloaded)
        memset(ev->preloaded, 0, n_tasks);
    return rc;
}

/* The status of a run the executor finished: the study's, a task's or a stop's error. */
static ctune_status run_outcome(ctune__eval *ev, size_t n_tasks)
{
    if (atomic_load(&ev->claim_err))
        return ctune_set_error_str((ctune_status)atomic_load(&ev->claim_err), ev->claim_msg);
    if (ev->hook_status != CTUNE_OK) {
        char msg[1024];
        memcpy(msg, ctune_last_error(), sizeof msg);
        msg[sizeof msg - 1] = '\0';
        return ctune_set_error_str(ev->hook_status, msg);
    }
    if (ev->stopped_on_error) {
        /* the lowest-index fatal failure, else the lowest-index failure
         * (deterministic for the serial executor); fits cancelled in flight
         * by the stop only count when nothing else failed */
        for (int pass = 0; pass < 3; pass++)
            for (size_t t = 0; t < n_tasks; t++) {
                const ctune__task_rec *r = rec_at(ev, t);
                if (r->status == CTUNE_OK || r->status == CTUNE__NOT_RUN ||
                    (pass == 0 && !is_fatal(r->status)) ||
                    (pass == 1 && r->status == CTUNE_ECANCELLED))
                    continue;
                return ctune_set_error(r->status, "candidate %zu, split %zu: %s", t / ev->n_splits,
                                       t % ev->n_splits, r->error);
            }
        return ctune_set_error(CTUNE_EINTERNAL, "a task failed but no record says which");
    }
    if (ev->user_cancelled)
        return ctune_set_error(CTUNE_ECANCELLED,
                               "cancelled by the progress callback after "
                               "%zu of %zu tasks",
                               ev->n_done, n_tasks);
    if ((ev->interrupted || interrupt_asked(ev)) && ev->n_done < n_tasks)
        return ctune_set_error(CTUNE_ECANCELLED, "cancelled after %zu of %zu tasks", ev->n_done,
                               n_tasks);
    return CTUNE_OK;
}

ctune_status ctune__eval_run(ctune__eval *ev)
{
    ctune__eval_clear(ev);
    ev->n_done = 0;
    ev->user_cancelled = ev->stopped_on_error = ev->interrupted = ev->timed_out = 0;
    atomic_init(&ev->started, 0);
    atomic_init(&ev->cutoff, SIZE_MAX);
    ev->settled_below = 0;
    ev->hook_status = CTUNE_OK;
    atomic_init(&ev->claim_err, 0);
    ev->claim_msg[0] = '\0';
    atomic_init(&ev->stop, 0);
    ev->n_scorers = ev->opts->scoring.n ? ev->opts->scoring.n : 1;
    if (ctune_data_n_targets(ev->data) == 0 && ctune_estimator_kind(ev->est) != CTUNE_TRANSFORMER)
        return ctune_set_error(CTUNE_EDATA, "%s: the data has no y to fit and score",
                               ctune_estimator_name(ev->est));
    ctune_status rc = checked_view(&ev->all, ev->data, ev->est);
    if (rc != CTUNE_OK)
        return rc;

    ctune_splitter sp;
    rc = ctune__eval_opts_splitter(ev->opts, ev->est, &sp);
    if (rc == CTUNE_OK)
        rc = ctune_splitter_split(&ev->splits, &sp, ev->all);
    if (rc != CTUNE_OK)
        return rc;
    ev->n_splits = ev->splits->count;
    size_t n_tasks = ev->n_cands * ev->n_splits;
    if (ev->n_cands == 0 || n_tasks / ev->n_cands != ev->n_splits)
        return ctune_set_error(CTUNE_EINVAL, "no tasks to run");
    rc = make_views(ev);
    if (rc != CTUNE_OK) {
        ctune__eval_clear(ev);
        return rc;
    }
    rc = alloc_records(ev, n_tasks);
    if (rc != CTUNE_OK) {
        ctune__eval_clear(ev);
        return rc;
    }
    size_t rs = ev->rec_size;
    if (ev->hook) {
        rc = study_preload(ev, n_tasks);
        if (rc != CTUNE_OK) {
            ctune__eval_clear(ev);
            return rc;
        }
    }

    ctune_job job = {
        .n_tasks = n_tasks,
        .result_size = rs,
        .results = ev->records,
        .task = run_task,
        .done = task_done,
        .ctx = ev,
        .stop = &ev->stop,
        .n_jobs = ev->opts->n_jobs,
        .get_outcome = get_outcome,
        .set_outcome = set_outcome,
    };
    const ctune_executor_vtable *ex = ev->executor;
    void *self = ev->executor_self;
    if (!ex) {
        ex = ctune__executor_for_jobs(ev->opts->n_jobs);
        self = NULL;
    }
    ev->t0 = ctune__now();
    ctune_clear_error();
    rc = ex->run(self, &job);
    if (rc != CTUNE_OK && (ctune_last_error_code() != rc || !ctune_last_error()[0]))
        ctune_set_error(rc, "executor '%s' failed", ex->name ? ex->name : "?");
    if (rc == CTUNE_OK && ev->hook && ev->hook->claim && !atomic_load(&ev->stop))
        wait_for_others(ev, n_tasks);
    if (rc != CTUNE_OK)
        return rc;
    return run_outcome(ev, n_tasks);
}

/* The view the refit fits on: `checked`'s view of all rows when it
 * checked this very data (*owned NULL), else one checked here (*owned,
 * to free), with the column maxima and, for a classifier, the class table
 * the splits' views have. */
static ctune_status refit_view(const ctune_data **use, ctune_data **owned,
                               const ctune__eval *checked, const ctune_estimator *e,
                               const ctune_data *data)
{
    *use = NULL;
    *owned = NULL;
    if (checked && checked->all && checked->data == data) {
        *use = checked->all;
        return CTUNE_OK;
    }
    ctune_status rc = checked_view(owned, data, e);
    *use = *owned;
    return rc;
}

ctune_status ctune__eval_refit(ctune_estimator **out, const ctune__eval *checked,
                               const ctune_estimator *est, const ctune_params *params,
                               const ctune_data *data, uint64_t seed, size_t candidate,
                               size_t n_splits, const atomic_int *interrupt, double *fit_time)
{
    *out = NULL;
    ctune_estimator *e;
    CTUNE_TRY(ctune_estimator_clone(&e, est));
    ctune_status rc = params ? ctune_estimator_set_params(e, params) : CTUNE_OK;
    const ctune_data *view = NULL;
    ctune_data *owned = NULL;
    if (rc == CTUNE_OK)
        rc = refit_view(&view, &owned, checked, e, data);
    if (rc == CTUNE_OK) {
        ctune_fit_ctx ctx;
        ctune__fit_ctx_init(&ctx);
        ctx.threads = ctune__n_cores();
        ctx.has_stream = 1;
        ctx.stream = ctune_seed_derive(ctune_seed_derive(seed, candidate), n_splits);
        ctx.interrupt = interrupt;
        double t0 = ctune__now();
        rc = ctune__estimator_fit_ctx(e, view, &ctx);
        *fit_time = ctune__now() - t0;
    }
    ctune_data_free(owned);
    if (rc != CTUNE_OK) {
        ctune__error_prefix("refit of candidate %zu on all data", candidate);
        ctune_estimator_free(e);
        return rc;
    }
    *out = e;
    return CTUNE_OK;
}
