/* The evaluation engine shared by cross_validate and the searches: options,
 * the (candidate, split) task list, its execution through an executor and
 * the per-task records. Knows estimators only through the public API and
 * lib/estimator/estimator.h. */
#ifndef CTUNE_MODEL_SELECTION_EVALUATE_H
#define CTUNE_MODEL_SELECTION_EVALUATE_H

#include <stdatomic.h>
#include <stdint.h>

#include "ctune.h"
#include "model_selection/executor.h"
#include "model_selection/strbuf.h"

/* ---- options ("key=value" text) -------------------------------------------- */

enum {
    CTUNE__OPT_CV = 1,
    CTUNE__OPT_SCORING = 2,
    CTUNE__OPT_REFIT = 4,
    CTUNE__OPT_ERROR_SCORE = 8,
    CTUNE__OPT_TRAIN_SCORE = 16,
    CTUNE__OPT_N_JOBS = 32,
    CTUNE__OPT_SEED = 64,
    CTUNE__OPT_ALL = 127
};

typedef struct ctune__eval_opts {
    long cv;                 /* folds when no splitter is set (default 5) */
    ctune__strlist scoring;  /* scorer names; empty = the estimator's score */
    int refit;               /* 1 = refit the best on all data */
    char *refit_metric;      /* scorer named by refit=<name>, or NULL */
    int error_raise;         /* error_score=raise */
    double error_value;      /* error_score value otherwise (default NaN) */
    int return_train;
    long n_jobs;
    int has_seed;
    uint64_t seed;
} ctune__eval_opts;

void ctune__eval_opts_init(ctune__eval_opts *o);
void ctune__eval_opts_clear(ctune__eval_opts *o);
/* Applies "key=value" text; `allowed` is a mask of CTUNE__OPT_*. On error
 * `o` is unchanged and the message names the key and the legal values. */
ctune_status ctune__eval_opts_apply(ctune__eval_opts *o, const char *text, unsigned allowed,
                                    const char *who);
/* Index of the scorer used to pick the best candidate (refit metric, or
 * the only scorer). Errors: CTUNE_EINVAL when several scorers are set and
 * refit names none of them. With need_metric 0 and several scorers without
 * refit=<name>, *out is (size_t)-1. */
ctune_status ctune__eval_opts_metric(const ctune__eval_opts *o, int need_metric, size_t *out);

/* ---- task records ----------------------------------------------------------- */

#define CTUNE__NOT_RUN 1 /* status of a task the executor did not run */
#define CTUNE__ERRLEN 240

typedef struct ctune__task_rec {
    int32_t status;         /* CTUNE_OK, a failure status, or CTUNE__NOT_RUN */
    int32_t score_failures; /* scorers that failed after a good fit (error_score given) */
    double fit_time, score_time;
    char error[CTUNE__ERRLEN];
    double scores[]; /* n_scorers test scores, then n_scorers train scores */
} ctune__task_rec;

/* ---- a run -------------------------------------------------------------------- */

struct ctune__study_hook; /* model_selection/study_hook.h */

typedef struct ctune__eval {
    /* inputs (borrowed) */
    const ctune_estimator *est;
    ctune_params *const *cands; /* NULL entries = the estimator's params as they are */
    size_t n_cands;
    const ctune_splitter *splitter;
    const ctune_data *data;
    const ctune__eval_opts *opts;
    size_t progress_scorer;
    ctune_progress_fn progress;
    void *user;
    uint64_t seed;
    const ctune_executor_vtable *executor; /* NULL = the n_jobs executor */
    void *executor_self;
    const atomic_int *interrupt; /* the caller's cancel request, or NULL */
    const struct ctune__study_hook *hook; /* durable study, or NULL */
    const char *fingerprint;              /* the search's, for the hook */


    /* state and outputs */
    ctune_splits *splits;
    ctune_data **train, **test;
    size_t n_splits, n_scorers;
    unsigned char *records;
    size_t rec_size;
    size_t n_done;
    int user_cancelled, stopped_on_error, interrupted;
    atomic_int stop;
    double t0;
    unsigned char *preloaded; /* per task: 1 = record read from the study */
    ctune_status hook_status; /* a failed commit */
    atomic_int claim_err;     /* a failed claim (from an executor thread), 0 = none */
    char claim_msg[512];      /* its message, written by the thread that set claim_err */
} ctune__eval;

/* Splits the data (once), runs every task, fills the records. Returns
 * CTUNE_OK, CTUNE_ECANCELLED (progress callback, or *interrupt set: no
 * task starts once it is, running fits see it), the failing task's status
 * (error_score=raise, or an out-of-memory / internal failure, which is never
 * turned into a score), or an input error before any task ran. After a
 * failure the records that exist stay valid (ctune__eval_has_records). */
ctune_status ctune__eval_run(ctune__eval *ev);
int ctune__eval_has_records(const ctune__eval *ev);
const ctune__task_rec *ctune__eval_rec(const ctune__eval *ev, size_t cand, size_t split);
/* Releases everything the run allocated (not the inputs). */
void ctune__eval_clear(ctune__eval *ev);

/* Checks a custom executor vtable (NULL is fine). */
ctune_status ctune__executor_vtable_check(const ctune_executor_vtable *vt);

/* Fits a clone of `est` with `params` on all of `data` (refit), with the
 * task stream of (seed, candidate, n_splits) and all cores; `interrupt`
 * (may be NULL) cancels it. */
ctune_status ctune__eval_refit(ctune_estimator **out, const ctune_estimator *est,
                               const ctune_params *params, const ctune_data *data, uint64_t seed,
                               size_t candidate, size_t n_splits, const atomic_int *interrupt,
                               double *fit_time);

#endif
